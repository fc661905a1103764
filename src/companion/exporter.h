// `fitbot-partman serve`: the Prometheus exporter.
#pragma once

#include <string>
#include <vector>

namespace fitbot::companion {

// One address to listen on, as node_exporter's --web.listen-address reads it:
// "host:port", "[v6 address]:port", ":port" (every interface, IPv6 and IPv4),
// or a host alone (then the default port).
struct ListenAddress {
    std::string host;  // "" = every interface
    int port = 0;
    std::string display() const;  // "127.0.0.1:9817", "[::1]:9817", ":9817"
};
// Throws std::invalid_argument with a message naming the mistake.
ListenAddress parse_listen_address(const std::string &spec, int default_port);

struct ServeOptions {
    std::string dsn;
    bool agentless = false;
    std::vector<std::string> listen = {"127.0.0.1"};
    int port = 9817;
    int interval_seconds = 15;
    // Every database of the cluster where pg_partman or fitbot_partman is
    // installed, found through the --dsn database; each series labelled
    // database="<name>".
    bool all_databases = false;
    // One database, its series labelled database="<name>" all the same (so
    // that rules and dashboards written for several databases fit).
    bool database_label = false;
    // --all-databases: how often a database without pg_partman is looked
    // into again (one connection each time); new and dropped databases are
    // seen every refresh.
    int rediscover_seconds = 300;
    // How long a scrape that arrives before the first refresh has finished
    // waits for it before answering without data.
    int first_scrape_wait_ms = 5000;
};

// Serves until SIGTERM or SIGINT (exiting within a second, whatever the
// database is doing); returns the process exit code: 0 after a signal, 1 when
// an address cannot be listened on (the reason on stderr).
int serve(const ServeOptions &options);

// Why binding a TCP socket to host:port fails, in the operating system's
// words ("Address already in use"), or "" when it would succeed now.
std::string bind_failure_reason(const std::string &host, int port);

}  // namespace fitbot::companion
