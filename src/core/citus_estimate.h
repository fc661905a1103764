// Rows of a Citus distributed table, estimated where they are. On a Citus
// coordinator a distributed table's own heap is an empty shell: its rows live
// in shards on the workers (and on the coordinator, when it holds shards).
// Counting them through the coordinator can wait behind any lock a worker
// holds on a shard (Citus sends no lock_timeout), so health asks each node's
// catalogs and statistics instead: no relation lock on any node.
//
// The extension (through SPI) and the companion (agentless) run the same
// statement, with citus.node_connection_timeout set to
// shared::kCitusConnectTimeoutMs, and read its answer the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fitbot::core {

// The statement the coordinator runs: run_command_on_all_nodes() with one
// catalog query per node, the sum of pg_stat_get_live_tuples() over the
// table's shards placed there (cumulative statistics, updated within seconds
// of a commit; never negative). `qualified_table` is the table's name as
// regclass prints it. Columns: the node (host:port from pg_dist_node),
// success, result.
std::string citus_row_estimate_sql(const std::string &qualified_table);

// One row of that statement's result.
struct NodeAnswer {
    std::string node;  // host:port
    bool success = false;
    std::string result;  // the node's count, or its error
};

// The sum of the nodes' counts; nullopt with `failure` naming the node and
// its error when any node did not answer a count.
struct RowEstimate {
    std::optional<std::int64_t> rows;
    std::string failure;
};
RowEstimate sum_node_estimates(const std::vector<NodeAnswer> &answers);

}  // namespace fitbot::core
