#include "exporter.h"

#include <malloc.h>
#include <netdb.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <thread>

#include <httplib.h>

#include "core/exposition.h"
#include "database.h"
#include "dsn.h"
#include "exporter_refresh.h"
#include "exporter_state.h"
#include "guarded_server.h"
#include "verdicts.h"

namespace fitbot::companion {

namespace {

constexpr std::size_t kMaxRequestBody = 1024;
// After SIGTERM/SIGINT: how long a clean shutdown may take before the
// process exits anyway (a refresh may be waiting on an unresponsive server).
constexpr std::chrono::milliseconds kShutdownGrace(700);

double unix_now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

std::mutex log_mutex;
void log_line(const std::string &text) {
    std::lock_guard<std::mutex> lock(log_mutex);
    // A multi-line message (a server error with DETAIL and HINT) keeps its
    // lines, each one prefixed, so that journald shows them together.
    std::size_t start = 0;
    bool first = true;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::cerr << "fitbot-partman serve: " << (first ? "" : "  ") << text.substr(start, end - start) << "\n";
        first = false;
        start = end + 1;
    }
    std::cerr.flush();
}

bool ipv6_available() {
    int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0) return false;
    ::close(fd);
    return true;
}

// The host httplib binds: every interface is "::" (dual stack, as Go's
// listener) or "0.0.0.0" on a host without IPv6.
std::string bind_host(const ListenAddress &address) {
    if (!address.host.empty()) return address.host;
    return ipv6_available() ? "::" : "0.0.0.0";
}

// SO_REUSEADDR only (a restart may bind while old connections sit in
// TIME_WAIT); never SO_REUSEPORT, which cpp-httplib sets by default and which
// lets a second exporter share the port and split the scrapes.
void exporter_socket_options(int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

void add_routes(httplib::Server &server, ExporterState &state, const ServeOptions &options) {
    // Threads, deadlines and keep-alive: GuardedServer (guarded_server.h).
    server.set_socket_options(exporter_socket_options);
    server.set_idle_interval(0, 100000);
    server.set_payload_max_length(kMaxRequestBody);
    const auto first_wait = std::chrono::milliseconds(options.first_scrape_wait_ms);
    server.Get("/metrics", [&state, first_wait](const httplib::Request &, httplib::Response &response) {
        // Right after a start, answer with data rather than with a false
        // "database unreachable": wait (bounded) for the first refresh.
        state.wait_first_refresh(first_wait);
        response.set_content(state.scrape(unix_now()), "text/plain; version=0.0.4; charset=utf-8");
    });
    server.Get("/healthz", [&state](const httplib::Request &, httplib::Response &response) {
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
}

}  // namespace

std::string ListenAddress::display() const {
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

ListenAddress parse_listen_address(const std::string &spec, int default_port) {
    ListenAddress address;
    std::string port_text;
    if (!spec.empty() && spec.front() == '[') {
        std::size_t close = spec.find(']');
        if (close == std::string::npos) throw std::invalid_argument("listen address '" + spec + "': missing ']'");
        address.host = spec.substr(1, close - 1);
        std::string rest = spec.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':')
                throw std::invalid_argument("listen address '" + spec + "': expected ':PORT' after ']'");
            port_text = rest.substr(1);
            if (port_text.empty()) throw std::invalid_argument("listen address '" + spec + "': missing port after ':'");
        }
        if (address.host.empty()) throw std::invalid_argument("listen address '" + spec + "': empty IPv6 address");
    } else if (std::count(spec.begin(), spec.end(), ':') > 1) {
        address.host = spec;  // a bare IPv6 address
    } else if (std::size_t colon = spec.find(':'); colon != std::string::npos) {
        address.host = spec.substr(0, colon);
        port_text = spec.substr(colon + 1);
        if (port_text.empty()) throw std::invalid_argument("listen address '" + spec + "': missing port after ':'");
    } else {
        address.host = spec;
        if (spec.empty()) throw std::invalid_argument("listen address is empty (use :PORT for every interface)");
    }
    address.port = default_port;
    if (!port_text.empty()) {
        if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos)
            throw std::invalid_argument("listen address '" + spec + "': port '" + port_text + "' is not a number");
        address.port = std::stoi(port_text);
    }
    if (address.port < 1 || address.port > 65535)
        throw std::invalid_argument("listen address '" + spec + "': port " + std::to_string(address.port) +
                                    " is not in 1..65535");
    return address;
}

std::string bind_failure_reason(const std::string &host, int port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo *found = nullptr;
    const std::string service = std::to_string(port);
    if (int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found); rc != 0)
        return std::string("cannot resolve the address: ") + gai_strerror(rc);
    std::string reason = "no usable address";
    for (addrinfo *candidate = found; candidate; candidate = candidate->ai_next) {
        int fd = ::socket(candidate->ai_family, candidate->ai_socktype, candidate->ai_protocol);
        if (fd < 0) {
            reason = std::strerror(errno);
            continue;
        }
        exporter_socket_options(fd);
        if (candidate->ai_family == AF_INET6) {
            int no = 0;
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof(no));
        }
        if (::bind(fd, candidate->ai_addr, candidate->ai_addrlen) == 0 && ::listen(fd, 1) == 0) {
            ::close(fd);
            freeaddrinfo(found);
            return "";
        }
        reason = std::strerror(errno);
        ::close(fd);
    }
    freeaddrinfo(found);
    return reason;
}

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

    std::vector<ListenAddress> addresses;
    for (const std::string &spec : options.listen) addresses.push_back(parse_listen_address(spec, options.port));

    ExporterState state(options.all_databases || options.database_label);
    Refresher refresher(options, state, log_line);
    auto budget = std::make_shared<ConnectionBudget>(ConnectionLimits{}, log_line);
    std::vector<std::unique_ptr<GuardedServer>> servers;
    for (const ListenAddress &address : addresses) {
        auto server = std::make_unique<GuardedServer>(budget);
        add_routes(*server, state, options);
        const std::string host = bind_host(address);
        if (!server->bind_to_port(host.c_str(), address.port)) {
            std::string reason = bind_failure_reason(host, address.port);
            if (reason.empty()) reason = "the address could not be bound";
            std::cerr << "fitbot-partman serve: cannot listen on " << address.display() << ": " << reason
                      << (reason.find("in use") != std::string::npos
                              ? "\nhint: another program (another fitbot-partman serve?) listens there; stop it or "
                                "choose another --listen address (ss -ltnp shows which)"
                              : "\nhint: check --listen (HOST:PORT, [IPV6]:PORT or :PORT)")
                      << std::endl;
            return 1;
        }
        server->widen_backlog();
        servers.push_back(std::move(server));
    }
    std::string where;
    for (const ListenAddress &address : addresses) where += (where.empty() ? "" : ", ") + address.display();
    log_line("listening on " + where + " (/metrics, /healthz), refreshing every " +
             std::to_string(options.interval_seconds) + " s from " +
             (options.all_databases ? "every database with pg_partman or fitbot_partman, found through " : "") +
             masked_dsn(options.dsn));

    std::mutex done_mutex;
    std::condition_variable done_changed;
    bool done = false;
    std::atomic<bool> signalled{false};
    std::once_flag stopped;
    auto stop_all = [&] {
        std::call_once(stopped, [&] {
            for (auto &server : servers) server->stop();
        });
    };

    std::thread refresh_thread([&] { refresher.run(); });
    std::thread signal_thread([&] {
        int received = 0;
        sigwait(&signals, &received);
        if (!signalled.exchange(true)) {
            log_line(std::string("stopping on ") + (received == SIGTERM ? "SIGTERM" : "SIGINT"));
        }
        refresher.stop();
        stop_all();
        std::unique_lock<std::mutex> lock(done_mutex);
        if (!done_changed.wait_for(lock, kShutdownGrace, [&] { return done; })) {
            // A refresh waits on the database (or a client on its socket):
            // nothing to save, so leave now rather than keep a stop waiting.
            log_line("exiting without waiting for the refresh in progress");
            std::_Exit(0);
        }
    });
    bool failed = false;
    std::vector<std::thread> listeners;
    for (std::size_t i = 0; i < servers.size(); ++i) {
        listeners.emplace_back([&, i] {
            servers[i]->listen_after_bind();
            // A listener that stops without a signal failed: stop them all.
            if (!signalled.exchange(true)) {
                failed = true;
                log_line("listening on " + addresses[i].display() + " stopped unexpectedly; stopping");
                pthread_kill(signal_thread.native_handle(), SIGTERM);
            }
        });
    }
    for (std::thread &listener : listeners) listener.join();
    refresher.stop();
    refresh_thread.join();
    {
        std::lock_guard<std::mutex> lock(done_mutex);
        done = true;
    }
    done_changed.notify_all();
    signal_thread.join();
    return failed ? 1 : 0;
}

}  // namespace fitbot::companion
