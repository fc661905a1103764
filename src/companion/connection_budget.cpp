#include "connection_budget.h"

#include <sys/socket.h>
#include <unistd.h>

namespace fitbot::companion {

namespace {

// A closed waiter's thread leaves within milliseconds, but until it has, the
// newcomer it made room for is one more: allow that many over the budget.
std::size_t hard_limit(const ConnectionLimits &limits) {
    return limits.max_connections + limits.max_connections / 8 + 1;
}

constexpr std::chrono::seconds kNoteInterval(60);

}  // namespace

int longest_waiter(const std::map<int, SteadyClock::time_point> &waiters) {
    int chosen = -1;
    SteadyClock::time_point oldest{};
    for (const auto &[fd, since] : waiters) {
        if (chosen < 0 || since < oldest) {
            chosen = fd;
            oldest = since;
        }
    }
    return chosen;
}

int poll_milliseconds(SteadyClock::time_point now, SteadyClock::time_point deadline) {
    if (deadline <= now) return 0;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
    return left > 60000 ? 60000 : static_cast<int>(left);
}

ConnectionBudget::ConnectionBudget(ConnectionLimits limits, std::function<void(const std::string &)> log)
    : limits_(limits), log_(std::move(log)) {}

Admission ConnectionBudget::admit() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return Admission::refuse;
    if (admitted_ < limits_.max_connections) {
        ++admitted_;
        return Admission::serve;
    }
    std::map<int, SteadyClock::time_point> waiters;
    for (const auto &[fd, entry] : open_) {
        if (entry.waiting && !entry.closing) waiters.emplace(fd, entry.since);
    }
    const int victim = longest_waiter(waiters);
    if (victim < 0 || admitted_ >= hard_limit(limits_)) {
        note("refusing connections: " + std::to_string(admitted_) + " open, all answering");
        return Admission::refuse;
    }
    // Its thread sees the socket end and closes it (close()), so the number
    // is not reused while the thread still holds it.
    open_[victim].closing = true;
    ::shutdown(victim, SHUT_RDWR);
    note(std::to_string(admitted_) + " connections open (the limit): closing those that wait longest for a request");
    ++admitted_;
    return Admission::serve_after;
}

void ConnectionBudget::released() {
    std::lock_guard<std::mutex> lock(mutex_);
    --admitted_;
    // Notified under the lock: stop() may return (and the budget go) as soon
    // as the lock is free, and this thread touches nothing after it.
    all_released_.notify_all();
}

bool ConnectionBudget::opened(int fd, SteadyClock::time_point waiting_since) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return false;
    open_[fd] = Entry{true, false, waiting_since};
    return true;
}

void ConnectionBudget::waiting(int fd, SteadyClock::time_point since) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto found = open_.find(fd); found != open_.end()) {
        found->second.waiting = true;
        found->second.since = since;
    }
}

void ConnectionBudget::answering(int fd) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto found = open_.find(fd); found != open_.end()) found->second.waiting = false;
}

void ConnectionBudget::close(int fd) {
    std::lock_guard<std::mutex> lock(mutex_);
    open_.erase(fd);
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
}

void ConnectionBudget::stop() {
    std::unique_lock<std::mutex> lock(mutex_);
    stopping_ = true;
    for (auto &[fd, entry] : open_) {
        entry.closing = true;
        ::shutdown(fd, SHUT_RDWR);
    }
    // A thread inside a handler (waiting for the first refresh) finishes it
    // first; serve()'s shutdown grace bounds that.
    all_released_.wait(lock, [this] { return admitted_ == 0; });
}

std::size_t ConnectionBudget::open_connections() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return admitted_;
}

void ConnectionBudget::note(const std::string &what) {
    // Called with the lock held. A flood must not flood the log too.
    const auto now = SteadyClock::now();
    if (last_note_ != SteadyClock::time_point{} && now - last_note_ < kNoteInterval) {
        ++unlogged_;
        return;
    }
    std::string line = what;
    if (unlogged_ > 0) line += " (" + std::to_string(unlogged_) + " more such events in the last minute)";
    last_note_ = now;
    unlogged_ = 0;
    if (log_) log_(line);
}

}  // namespace fitbot::companion
