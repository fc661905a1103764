// `fitbot-partman serve`: the Prometheus exporter.
#pragma once

#include <string>

namespace fitbot::companion {

struct ServeOptions {
    std::string dsn;
    bool agentless = false;
    std::string listen = "127.0.0.1";
    int port = 9817;
    int interval_seconds = 15;
};

// Serves until SIGTERM or SIGINT; returns the process exit code.
int serve(const ServeOptions &options);

}  // namespace fitbot::companion
