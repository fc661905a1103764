#include "exporter.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <malloc.h>
#include <iostream>
#include <pthread.h>
#include <thread>

#include <httplib.h>

#include "core/exposition.h"
#include "database.h"
#include "dsn.h"
#include "evaluate.h"
#include "exporter_state.h"

namespace fitbot::companion {

namespace {

// Threads answering HTTP: enough for parallel scrapes, bounded so that a
// flood of slow clients cannot grow the process.
constexpr std::size_t kHttpThreads = 4;
constexpr time_t kClientTimeoutSeconds = 5;
constexpr std::size_t kMaxRequestBody = 1024;

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void log_line(const std::string &line) { std::cerr << "fitbot-partman serve: " << line << std::endl; }

// Refreshes from the database at most once per interval, on one connection,
// reconnecting with exponential backoff (1 s doubling up to the interval).
class Refresher {
public:
    Refresher(const ServeOptions &options, ExporterState &state) : options_(options), state_(state) {}

    void run() {
        std::chrono::seconds backoff(1);
        const std::chrono::seconds interval(options_.interval_seconds);
        std::optional<Connection> connection;
        while (!stopping()) {
            auto started = std::chrono::steady_clock::now();
            std::chrono::seconds wait = interval;
            try {
                if (!connection) {
                    connection = connect(options_.dsn, options_.agentless);
                    log_line(std::string("connected to ") + masked_dsn(options_.dsn) + " (" +
                             mode_name(connection->mode) + " mode)");
                }
                Evaluation evaluation = scrubbed(options_.dsn, [&] {
                    return read_and_evaluate(*connection->connection, connection->mode);
                });
                double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
                state_.refreshed(core::format_metrics(evaluation.report, evaluation.info), unix_now(), took);
                backoff = std::chrono::seconds(1);
            } catch (const std::exception &error) {
                std::string message = one_line_error(error, options_.dsn);
                state_.refresh_failed(message);
                log_line("refresh failed: " + message);
                connection.reset();  // reconnect next time
                wait = std::min(backoff, interval);
                backoff = std::min(backoff * 2, interval);
            }
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait_for(lock, wait, [this] { return stop_; });
        }
    }

    void stop() {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
        wake_.notify_all();
    }

private:
    bool stopping() {
        std::lock_guard<std::mutex> lock(mutex_);
        return stop_;
    }

    const ServeOptions &options_;
    ExporterState &state_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
};

}  // namespace

int serve(const ServeOptions &options) {
    // A few long-lived threads: glibc's default of one malloc arena per
    // thread would only grow the resident set.
    mallopt(M_ARENA_MAX, 2);
    // Signals go to one thread that waits for them; every other thread
    // (HTTP workers, the refresher) inherits the blocked mask.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    ExporterState state;
    Refresher refresher(options, state);

    httplib::Server server;
    server.new_task_queue = [] { return new httplib::ThreadPool(kHttpThreads); };
    server.set_read_timeout(kClientTimeoutSeconds, 0);
    server.set_write_timeout(kClientTimeoutSeconds, 0);
    server.set_idle_interval(0, 100000);
    server.set_keep_alive_max_count(100);
    server.set_keep_alive_timeout(kClientTimeoutSeconds);
    server.set_payload_max_length(kMaxRequestBody);
    server.Get("/metrics", [&](const httplib::Request &, httplib::Response &response) {
        response.set_content(state.scrape(unix_now()), "text/plain; version=0.0.4; charset=utf-8");
    });
    server.Get("/healthz", [&](const httplib::Request &, httplib::Response &response) {
        std::string reason;
        if (state.healthy(reason)) {
            response.set_content("ok\n", "text/plain; charset=utf-8");
        } else {
            response.status = 503;
            response.set_content("database unreachable: " + reason + "\n", "text/plain; charset=utf-8");
        }
    });
    server.Get("/", [](const httplib::Request &, httplib::Response &response) {
        response.set_content("fitbot-partman exporter: see /metrics and /healthz\n", "text/plain; charset=utf-8");
    });

    if (!server.bind_to_port(options.listen.c_str(), options.port)) {
        std::cerr << "fitbot-partman serve: cannot listen on " << options.listen << ":" << options.port << std::endl;
        return 1;
    }
    log_line("listening on http://" + options.listen + ":" + std::to_string(options.port) + "/metrics, refreshing every " +
             std::to_string(options.interval_seconds) + " s");

    std::thread refresh_thread([&] { refresher.run(); });
    std::thread signal_thread([&] {
        int received = 0;
        sigwait(&signals, &received);
        log_line(std::string("stopping on ") + (received == SIGTERM ? "SIGTERM" : "SIGINT"));
        refresher.stop();
        server.stop();
    });
    server.listen_after_bind();
    // listen_after_bind() also returns if the server fails; make sure the
    // signal thread ends either way.
    pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
    refresher.stop();
    refresh_thread.join();
    return 0;
}

}  // namespace fitbot::companion
