// How many HTTP connections the exporter holds open at once, and which one to
// close when a new one arrives and the budget is spent (issue 19, major 5).
//
// The exporter serves each connection on a thread of its own, so an idle or
// slow client delays no one else; what it can still do is hold a thread. The
// budget bounds those threads (and the sockets), and when it is spent it
// closes the connection that has waited longest for a complete request: a
// scraper sends its request at once and is never the oldest waiter, so idle
// and slow clients cannot keep a scrape out. Only when every open connection
// is busy answering (none waits for a request) is a new one refused.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace fitbot::companion {

using SteadyClock = std::chrono::steady_clock;

struct ConnectionLimits {
    // Connections open at once, over every address the exporter listens on
    // (each holds a thread and a descriptor; the default RLIMIT_NOFILE is 1024).
    std::size_t max_connections = 256;
    // A whole request (request line, headers, body) must have arrived this long
    // after the server began to wait for it: cpp-httplib's read timeout applies
    // to each read, so a client sending a header line every 2 s never hit it.
    std::chrono::milliseconds request_deadline{5000};
    // How long a kept-alive connection may sit between requests.
    std::chrono::milliseconds keep_alive_idle{2000};
    // Writing one response, from its first byte (a client that does not read).
    std::chrono::milliseconds response_deadline{10000};
    std::size_t max_requests_per_connection = 100;
    // Bytes one request may send (request line, headers, body): within the
    // deadline a client on a fast link could otherwise send gigabytes of
    // headers, which cpp-httplib keeps in memory.
    std::size_t max_request_bytes = 64 * 1024;
    // Threads answering HTTP need little stack; the default 8 MiB would only
    // reserve address space per connection.
    std::size_t thread_stack_bytes = 256 * 1024;
};

// What admit() decided for a new connection.
enum class Admission {
    serve,        // within the budget
    serve_after,  // the budget was spent: the longest waiter was closed for it
    refuse,       // every open connection is busy answering
};

// The connections open now, by descriptor; thread-safe.
class ConnectionBudget {
public:
    // `log` receives one line at a time (rate-limited: at most one a minute
    // about refusals and closings).
    ConnectionBudget(ConnectionLimits limits, std::function<void(const std::string &)> log);

    const ConnectionLimits &limits() const { return limits_; }

    // A connection was accepted: may it be served? Counts it when so (call
    // released() when its thread is done). Closing a waiter wakes its thread,
    // which leaves at once, so the count returns within the budget.
    Admission admit();
    void released();

    // Its thread serves descriptor `fd`; false when the exporter stops.
    bool opened(int fd, SteadyClock::time_point waiting_since);
    // It waits for (the rest of) a request since `since`, or it answers.
    void waiting(int fd, SteadyClock::time_point since);
    void answering(int fd);
    // Forgets `fd` and closes it (under the lock, so that stop() never shuts
    // down a descriptor number reused by another connection).
    void close(int fd);

    // The exporter stops: wakes every connection's thread and waits for all
    // of them to be done.
    void stop();

    std::size_t open_connections() const;

private:
    struct Entry {
        bool waiting = true;
        bool closing = false;
        SteadyClock::time_point since;
    };
    void note(const std::string &what);

    const ConnectionLimits limits_;
    std::function<void(const std::string &)> log_;
    mutable std::mutex mutex_;
    std::condition_variable all_released_;
    std::size_t admitted_ = 0;
    bool stopping_ = false;
    std::map<int, Entry> open_;
    SteadyClock::time_point last_note_{};
    std::size_t unlogged_ = 0;
};

// Which of `waiters` (descriptor, waiting since) to close for a newcomer: the
// one waiting longest; -1 when there is none.
int longest_waiter(const std::map<int, SteadyClock::time_point> &waiters);

// How long poll() may wait for an event due at `deadline` (at least 0 ms,
// rounded up so that a wait does not end just before it).
int poll_milliseconds(SteadyClock::time_point now, SteadyClock::time_point deadline);

}  // namespace fitbot::companion
