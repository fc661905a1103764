// The exporter's HTTP server: cpp-httplib's request parsing and routing, with
// the connection handling that Debian 12's cpp-httplib 0.11.4 lacks (issue 19,
// major 5). Its ThreadPool has a fixed number of workers and an unbounded
// queue, and its read timeout applies to each read: 4 idle clients held every
// worker, and a client sending one header line every 2 s held one forever.
//
// Here each connection gets a thread of its own, within a ConnectionBudget;
// a request must arrive whole within a deadline, a response be written within
// another, and a kept-alive connection may idle only briefly.
#pragma once

#include <memory>

#include <httplib.h>

#include "connection_budget.h"

namespace fitbot::companion {

class GuardedServer : public httplib::Server {
public:
    // `budget` is shared by the servers of every address.
    explicit GuardedServer(std::shared_ptr<ConnectionBudget> budget);

    // cpp-httplib 0.11.4 listens with a backlog of 5: a burst of connections
    // (a flood, or many clients at once) would have new SYNs dropped and the
    // next scrape's connect retried a second later. Call after bind_to_port().
    void widen_backlog();

private:
    // cpp-httplib calls this (a private virtual of httplib::Server) on the
    // task queue's thread for every accepted socket.
    bool process_and_close_socket(socket_t sock) override;

    std::shared_ptr<ConnectionBudget> budget_;
};

}  // namespace fitbot::companion
