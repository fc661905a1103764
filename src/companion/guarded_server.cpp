#include "guarded_server.h"

#include <pthread.h>
#include <sys/socket.h>

#include "deadline_stream.h"

namespace fitbot::companion {

namespace {

// Set while a refused connection's task runs inline on the listener thread:
// process_and_close_socket() then answers 503 and closes, without a thread.
thread_local bool t_refusing = false;

void refuse(int fd) {
    static const char kAnswer[] =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 37\r\n"
        "Connection: close\r\nRetry-After: 1\r\n\r\nfitbot-partman: too many connections\n";
    // Best effort and never blocking: the listener thread must go on accepting.
    [[maybe_unused]] ssize_t sent = ::send(fd, kAnswer, sizeof(kAnswer) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
}

struct ConnectionTask {
    std::function<void()> serve;
    std::shared_ptr<ConnectionBudget> budget;
};

void *run_connection(void *argument) {
    std::unique_ptr<ConnectionTask> task(static_cast<ConnectionTask *>(argument));
    task->serve();
    task->serve = nullptr;
    task->budget->released();
    return nullptr;
}

// cpp-httplib's TaskQueue, one thread per connection within the budget.
class ThreadPerConnection : public httplib::TaskQueue {
public:
    explicit ThreadPerConnection(std::shared_ptr<ConnectionBudget> budget) : budget_(std::move(budget)) {}

    void enqueue(std::function<void()> serve) override {
        if (budget_->admit() != Admission::refuse) {
            auto task = std::make_unique<ConnectionTask>(ConnectionTask{std::move(serve), budget_});
            pthread_attr_t attributes;
            pthread_attr_init(&attributes);
            pthread_attr_setstacksize(&attributes, budget_->limits().thread_stack_bytes);
            pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
            pthread_t thread;
            const int failed = pthread_create(&thread, &attributes, run_connection, task.get());
            pthread_attr_destroy(&attributes);
            if (!failed) {
                task.release();  // run_connection owns it now
                return;
            }
            serve = std::move(task->serve);
            budget_->released();
        }
        t_refusing = true;
        serve();
        t_refusing = false;
    }

    // Every connection's thread ends before cpp-httplib destroys the queue
    // and its server.
    void shutdown() override { budget_->stop(); }

private:
    std::shared_ptr<ConnectionBudget> budget_;
};

}  // namespace

GuardedServer::GuardedServer(std::shared_ptr<ConnectionBudget> budget) : budget_(std::move(budget)) {
    new_task_queue = [this] { return new ThreadPerConnection(budget_); };
    // Timeouts cpp-httplib itself applies (SO_RCVTIMEO, SO_SNDTIMEO); the
    // deadlines of DeadlineStream are shorter.
    const auto limits = budget_->limits();
    set_read_timeout(std::chrono::duration_cast<std::chrono::seconds>(limits.request_deadline).count() + 1, 0);
    set_write_timeout(std::chrono::duration_cast<std::chrono::seconds>(limits.response_deadline).count() + 1, 0);
}

void GuardedServer::widen_backlog() {
    const socket_t listening = svr_sock_;
    if (listening != INVALID_SOCKET) ::listen(listening, SOMAXCONN);
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
    if (t_refusing) {
        refuse(sock);
        return false;
    }
    const ConnectionLimits &limits = budget_->limits();
    const auto accepted = SteadyClock::now();
    bool answered = false;
    if (budget_->opened(sock, accepted)) {
        DeadlineStream stream(sock, *budget_);
        // The first request counts from the accept: a client that connects
        // and says nothing is closed as one that dribbles.
        auto deadline = accepted + limits.request_deadline;
        for (std::size_t served = 0; served < limits.max_requests_per_connection && svr_sock_ != INVALID_SOCKET;
             ++served) {
            if (served > 0) {
                const auto idle_since = SteadyClock::now();
                budget_->waiting(sock, idle_since);
                if (!stream.wait_for_request(idle_since + limits.keep_alive_idle)) break;
                deadline = SteadyClock::now() + limits.request_deadline;
            }
            stream.begin_request(deadline);
            bool client_closes = false;
            const bool last = served + 1 == limits.max_requests_per_connection;
            answered = process_request(stream, last, client_closes, nullptr);
            if (!answered || client_closes || stream.must_close()) break;
        }
    }
    budget_->close(sock);
    return answered;
}

}  // namespace fitbot::companion
