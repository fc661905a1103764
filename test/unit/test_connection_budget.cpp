// The exporter's connection budget (issue 19, major 5): within it every
// connection is served; beyond it the one waiting longest for a request is
// closed for the newcomer; only when all answer is a newcomer refused.
#include <sys/socket.h>
#include <unistd.h>
#include <thread>

#include <gtest/gtest.h>

#include "companion/connection_budget.h"

using namespace fitbot::companion;
using namespace std::chrono_literals;

namespace {

// A connected pair of sockets: the budget's end, and the client's.
struct Pair {
    int server = -1, client = -1;
    Pair() {
        int fds[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0) server = fds[0], client = fds[1];
    }
    ~Pair() {
        if (client >= 0) ::close(client);
    }
    // The budget shut the server end down: the client reads its end.
    bool closed_by_server() const {
        char byte;
        return ::recv(client, &byte, 1, MSG_DONTWAIT) == 0;
    }
};

}  // namespace

TEST(CompanionConnectionBudget, LongestWaiterAndPollTimes) {
    const auto t0 = SteadyClock::now();
    EXPECT_EQ(longest_waiter({}), -1);
    EXPECT_EQ(longest_waiter({{7, t0 + 2s}, {9, t0}, {4, t0 + 1s}}), 9);
    EXPECT_EQ(poll_milliseconds(t0, t0 - 1s), 0);
    EXPECT_EQ(poll_milliseconds(t0, t0), 0);
    EXPECT_EQ(poll_milliseconds(t0, t0 + 1500us), 2);  // rounded up
    EXPECT_EQ(poll_milliseconds(t0, t0 + 5s), 5000);
    EXPECT_EQ(poll_milliseconds(t0, t0 + 1h), 60000);  // capped: the caller loops
}

TEST(CompanionConnectionBudget, ClosesTheLongestWaiterThenRefusesWhenAllAnswer) {
    ConnectionLimits limits;
    limits.max_connections = 2;
    std::vector<std::string> log;
    ConnectionBudget budget(limits, [&](const std::string &line) { log.push_back(line); });
    const auto t0 = SteadyClock::now();
    Pair older, newer, third;
    ASSERT_EQ(budget.admit(), Admission::serve);
    ASSERT_TRUE(budget.opened(older.server, t0));
    ASSERT_EQ(budget.admit(), Admission::serve);
    ASSERT_TRUE(budget.opened(newer.server, t0 + 1s));
    EXPECT_EQ(budget.open_connections(), 2u);

    // Spent: the older waiter is shut down for the newcomer.
    EXPECT_EQ(budget.admit(), Admission::serve_after);
    EXPECT_TRUE(older.closed_by_server());
    EXPECT_FALSE(newer.closed_by_server());
    EXPECT_EQ(budget.open_connections(), 3u);
    ASSERT_EQ(log.size(), 1u);
    EXPECT_NE(log[0].find("closing those that wait longest"), std::string::npos) << log[0];
    budget.close(older.server);
    budget.released();

    // The newcomer and the newer one both answer: nothing to close, refused.
    ASSERT_TRUE(budget.opened(third.server, t0 + 2s));
    budget.answering(newer.server);
    budget.answering(third.server);
    EXPECT_EQ(budget.admit(), Admission::refuse);
    EXPECT_EQ(log.size(), 1u);  // at most one line a minute
    // A kept-alive connection idling between requests may be closed again.
    budget.waiting(third.server, SteadyClock::now());
    EXPECT_EQ(budget.admit(), Admission::serve_after);
    EXPECT_TRUE(third.closed_by_server());
    budget.close(third.server);
    budget.released();
    budget.close(newer.server);
    budget.released();
    budget.released();
    budget.stop();  // nothing open: returns at once
    EXPECT_EQ(budget.open_connections(), 0u);
    EXPECT_EQ(budget.admit(), Admission::refuse);  // stopped
}

TEST(CompanionConnectionBudget, StopWakesEveryConnection) {
    ConnectionBudget budget(ConnectionLimits{}, nullptr);
    Pair waiting, answering;
    ASSERT_EQ(budget.admit(), Admission::serve);
    ASSERT_TRUE(budget.opened(waiting.server, SteadyClock::now()));
    ASSERT_EQ(budget.admit(), Admission::serve);
    ASSERT_TRUE(budget.opened(answering.server, SteadyClock::now()));
    budget.answering(answering.server);
    std::thread finisher([&] {
        // What the connections' threads do once their sockets end.
        for (int turn = 0; turn < 200 && !(waiting.closed_by_server() && answering.closed_by_server()); ++turn)
            std::this_thread::sleep_for(5ms);
        budget.close(waiting.server);
        budget.released();
        budget.close(answering.server);
        budget.released();
    });
    budget.stop();
    finisher.join();
    EXPECT_EQ(budget.open_connections(), 0u);
    Pair late;  // accepted as the exporter stops
    EXPECT_FALSE(budget.opened(late.server, SteadyClock::now()));
    ::close(late.server);
}
