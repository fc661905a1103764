#include "deadline_stream.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <cerrno>
#include <cstring>

namespace fitbot::companion {

namespace {

using AddressOf = int (*)(int, sockaddr *, socklen_t *);

void numeric_address(int fd, AddressOf address_of, std::string &ip, int &port) {
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    if (address_of(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0) return;
    char host[NI_MAXHOST], service[NI_MAXSERV];
    if (getnameinfo(reinterpret_cast<sockaddr *>(&address), length, host, sizeof(host), service, sizeof(service),
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
        ip = host;
        port = std::atoi(service);
    }
}

}  // namespace

DeadlineStream::DeadlineStream(int fd, ConnectionBudget &budget) : fd_(fd), budget_(budget) {}

void DeadlineStream::begin_request(SteadyClock::time_point read_deadline) {
    read_deadline_ = read_deadline;
    write_deadline_.reset();
    request_bytes_ = 0;
}

bool DeadlineStream::wait_for_request(SteadyClock::time_point until) {
    if (buffered_from_ < buffered_to_) return true;  // pipelined
    pollfd poller{fd_, POLLIN, 0};
    for (;;) {
        const int ready = ::poll(&poller, 1, poll_milliseconds(SteadyClock::now(), until));
        if (ready > 0) return true;
        if (ready == 0 || errno != EINTR) return false;
    }
}

bool DeadlineStream::wait(short events, SteadyClock::time_point deadline) const {
    pollfd poller{fd_, events, 0};
    for (;;) {
        const auto now = SteadyClock::now();
        if (now >= deadline) {
            must_close_ = true;
            return false;
        }
        const int ready = ::poll(&poller, 1, poll_milliseconds(now, deadline));
        if (ready > 0) return true;
        if (ready < 0 && errno != EINTR) return false;
        // A timeout rounds up: the next turn finds the deadline passed.
    }
}

bool DeadlineStream::is_readable() const { return buffered_from_ < buffered_to_ || wait(POLLIN, read_deadline_); }

bool DeadlineStream::is_writable() const {
    return wait(POLLOUT, write_deadline_.value_or(SteadyClock::now() + budget_.limits().response_deadline));
}

ssize_t DeadlineStream::read(char *ptr, size_t size) {
    if (buffered_from_ == buffered_to_) {
        if (!wait(POLLIN, read_deadline_)) return -1;
        ssize_t received;
        do {
            received = ::recv(fd_, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
        } while (received < 0 && errno == EINTR);
        if (received <= 0) return received;
        request_bytes_ += static_cast<std::size_t>(received);
        if (request_bytes_ > budget_.limits().max_request_bytes) {
            must_close_ = true;
            return -1;
        }
        buffered_from_ = 0;
        buffered_to_ = static_cast<std::size_t>(received);
    }
    const std::size_t count = std::min(size, buffered_to_ - buffered_from_);
    std::memcpy(ptr, buffer_.data() + buffered_from_, count);
    buffered_from_ += count;
    return static_cast<ssize_t>(count);
}

ssize_t DeadlineStream::write(const char *ptr, size_t size) {
    if (!write_deadline_) {
        // The request has been read: from now on this connection answers,
        // and is not one to close for a newcomer.
        write_deadline_ = SteadyClock::now() + budget_.limits().response_deadline;
        budget_.answering(fd_);
    }
    for (;;) {
        if (!wait(POLLOUT, *write_deadline_)) return -1;
        const ssize_t sent = ::send(fd_, ptr, size, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (sent >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return sent;
    }
}

void DeadlineStream::get_remote_ip_and_port(std::string &ip, int &port) const {
    numeric_address(fd_, ::getpeername, ip, port);
}

void DeadlineStream::get_local_ip_and_port(std::string &ip, int &port) const {
    numeric_address(fd_, ::getsockname, ip, port);
}

}  // namespace fitbot::companion
