// citus_row_estimate_sql() and sum_node_estimates() (citus_estimate.h).
#include "citus_estimate.h"

#include <charconv>

#include "health_text.h"

namespace fitbot::core {

std::string citus_row_estimate_sql(const std::string &qualified_table) {
    // On each node: the table's shards that exist there (to_regclass() of a
    // shard placed elsewhere is NULL). Catalog reads only: no lock on the
    // shards, whatever another session holds on them.
    const std::string per_node =
        "SELECT coalesce(sum(greatest(pg_catalog.pg_stat_get_live_tuples(c.oid), 0)), 0)::bigint"
        "  FROM pg_catalog.pg_dist_shard s"
        "  JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(pg_catalog.shard_name(s.logicalrelid, s.shardid))"
        " WHERE s.logicalrelid = " +
        text::sql_literal(qualified_table) + "::regclass";
    // run_command_on_all_nodes() answers (nodeid, success, result); the
    // node's name comes from pg_dist_node.
    return "SELECT coalesce(n.nodename || ':' || n.nodeport, 'node ' || a.nodeid), a.success, a.result"
           "  FROM pg_catalog.run_command_on_all_nodes(" +
           text::sql_literal(per_node) + ") a LEFT JOIN pg_catalog.pg_dist_node n ON n.nodeid = a.nodeid";
}

RowEstimate sum_node_estimates(const std::vector<NodeAnswer> &answers) {
    RowEstimate estimate;
    std::int64_t total = 0;
    for (const NodeAnswer &answer : answers) {
        std::int64_t rows = 0;
        const char *end = answer.result.data() + answer.result.size();
        auto [parsed_end, error] = std::from_chars(answer.result.data(), end, rows);
        if (!answer.success || error != std::errc() || parsed_end != end || rows < 0) {
            estimate.failure = "node " + answer.node +
                               " did not answer: " + (answer.result.empty() ? std::string("no result") : answer.result);
            return estimate;
        }
        total += rows;
    }
    if (answers.empty()) {
        estimate.failure = "no Citus node answered (pg_dist_node lists none)";
        return estimate;
    }
    estimate.rows = total;
    return estimate;
}

}  // namespace fitbot::core
