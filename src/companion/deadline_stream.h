// A connection's socket as cpp-httplib's Stream, with deadlines over a whole
// request and a whole response rather than over each read or write: every
// wait is bounded by the time left, so a client dribbling bytes cannot extend
// it (guarded_server.h).
#pragma once

#include <array>
#include <optional>

#include <httplib.h>

#include "connection_budget.h"

namespace fitbot::companion {

class DeadlineStream : public httplib::Stream {
public:
    DeadlineStream(int fd, ConnectionBudget &budget);

    // A request begins: it must have been read by `read_deadline`.
    void begin_request(SteadyClock::time_point read_deadline);
    // Between requests: true when the next one (or the end of the
    // connection) arrives by `until`.
    bool wait_for_request(SteadyClock::time_point until);
    // A deadline passed, or the request grew too large: the connection must
    // close, whatever cpp-httplib answered (it reads a cut-off request as a
    // bad one, and would go on reading the rest as the next).
    bool must_close() const { return must_close_; }

    bool is_readable() const override;
    bool is_writable() const override;
    ssize_t read(char *ptr, size_t size) override;
    ssize_t write(const char *ptr, size_t size) override;
    void get_remote_ip_and_port(std::string &ip, int &port) const override;
    void get_local_ip_and_port(std::string &ip, int &port) const override;
    socket_t socket() const override { return fd_; }

private:
    // poll() for `events` until `deadline`; false (and must_close_ when the
    // deadline passed) if the socket did not become ready.
    bool wait(short events, SteadyClock::time_point deadline) const;

    const int fd_;
    ConnectionBudget &budget_;
    SteadyClock::time_point read_deadline_;
    std::optional<SteadyClock::time_point> write_deadline_;
    mutable bool must_close_ = false;
    std::size_t request_bytes_ = 0;
    // cpp-httplib reads a request line and headers one byte per read().
    std::array<char, 4096> buffer_{};
    std::size_t buffered_from_ = 0;
    std::size_t buffered_to_ = 0;
};

}  // namespace fitbot::companion
