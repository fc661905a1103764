// citus_row_estimate_sql() and sum_node_estimates(): the statement health
// runs on a Citus coordinator for a distributed default partition, and how
// the nodes' answers become a row count or an unknown.
#include <gtest/gtest.h>

#include "core/citus_estimate.h"
#include "core/facts_json.h"
#include "core/health.h"
#include "test_health_fixtures.h"

using namespace fitbot::core;
using namespace fitbot::core::testing;

TEST(CitusEstimate, AsksEveryNodeForItsShardsStatisticsOnly) {
    const std::string sql = citus_row_estimate_sql("public.heart_rate_readings_default");
    // run_command_on_all_nodes() (Citus 11+) returns (nodeid, success,
    // result): the node's name comes from pg_dist_node (checked by hand on
    // Citus 13.2, where the first version named columns it does not have).
    EXPECT_EQ(sql.rfind("SELECT coalesce(n.nodename || ':' || n.nodeport, 'node ' || a.nodeid), a.success, a.result"
                        "  FROM pg_catalog.run_command_on_all_nodes('",
                        0),
              0u)
        << sql;
    EXPECT_NE(sql.find("') a LEFT JOIN pg_catalog.pg_dist_node n ON n.nodeid = a.nodeid"), std::string::npos) << sql;
    // The per-node query, quoted once inside the outer literal.
    EXPECT_NE(sql.find("pg_catalog.pg_stat_get_live_tuples(c.oid)"), std::string::npos);
    EXPECT_NE(sql.find("WHERE s.logicalrelid = ''public.heart_rate_readings_default''::regclass')"), std::string::npos)
        << sql;
    // Catalog reads only: never the table itself, which would wait on locks.
    EXPECT_EQ(sql.find("count("), std::string::npos);
    EXPECT_EQ(sql.find("FROM public.heart_rate_readings_default"), std::string::npos);
}

TEST(CitusEstimate, QuotesOddNamesTwiceOver) {
    const std::string sql = citus_row_estimate_sql(R"("o'brien".readings_default)");
    // 'o''brien' inside the node query, then doubled again inside the outer literal.
    EXPECT_NE(sql.find(R"(''"o''''brien".readings_default''::regclass)"), std::string::npos) << sql;
}

TEST(CitusEstimate, SumsTheNodesAnswers) {
    RowEstimate estimate = sum_node_estimates({{"w1:5432", true, "5"}, {"w2:5432", true, "3"}, {"c:5432", true, "0"}});
    ASSERT_TRUE(estimate.rows.has_value());
    EXPECT_EQ(*estimate.rows, 8);
    EXPECT_TRUE(estimate.failure.empty());
}

TEST(CitusEstimate, OneNodeFailingMakesItUnknown) {
    RowEstimate estimate = sum_node_estimates(
        {{"w1:5432", true, "5"}, {"w2:5432", false, "failed to connect to w2:5432: connection timed out"}});
    EXPECT_FALSE(estimate.rows.has_value());
    EXPECT_NE(estimate.failure.find("node w2:5432 did not answer: failed to connect"), std::string::npos)
        << estimate.failure;
}

TEST(CitusEstimate, GarbageOrNothingIsUnknownNeverZero) {
    EXPECT_FALSE(sum_node_estimates({{"w1:5432", true, "five"}}).rows.has_value());
    EXPECT_FALSE(sum_node_estimates({{"w1:5432", true, ""}}).rows.has_value());
    EXPECT_FALSE(sum_node_estimates({{"w1:5432", true, "-1"}}).rows.has_value());
    EXPECT_FALSE(sum_node_estimates({{"w1:5432", true, "7 "}}).rows.has_value());
    RowEstimate none = sum_node_estimates({});
    EXPECT_FALSE(none.rows.has_value());
    EXPECT_NE(none.failure.find("no Citus node answered"), std::string::npos);
}

namespace {

const FixedOffsetZone kUtc(0, "UTC");

// The healthy table, its default partition distributed by Citus.
ParentFact distributed_default_parent(std::optional<std::int64_t> rows, bool estimated, std::string unknown) {
    ParentFact parent = healthy_parent();
    parent.default_rows = rows;
    parent.default_rows_estimated = estimated;
    parent.default_rows_unknown = std::move(unknown);
    return parent;
}

ParentReport judged(const ParentFact &parent) {
    MaintenanceReport maintenance = judge_maintenance(healthy_maintenance(), fixture_now(), kUtc);
    return judge_parent(parent, fixture_now(), maintenance, kUtc);
}

}  // namespace

TEST(CitusEstimate, EstimatedRowsInDefaultAreCriticalAndSaySo) {
    ParentReport report = judged(distributed_default_parent(8, true, ""));
    EXPECT_EQ(report.status, Status::critical);
    EXPECT_TRUE(any_reason_contains(report.reasons,
                                    "about 8 rows (estimated from the statistics of its shards on the Citus nodes)"))
        << joined(report.reasons);
}

TEST(CitusEstimate, AnUnansweredEstimateIsUnknownWithTheReason) {
    ParentReport report =
        judged(distributed_default_parent(std::nullopt, false, "node w2:5432 did not answer: timeout"));
    EXPECT_EQ(report.status, Status::unknown);
    EXPECT_TRUE(any_reason_contains(report.reasons, "node w2:5432 did not answer: timeout")) << joined(report.reasons);
    EXPECT_TRUE(any_reason_contains(report.reasons, "SET statement_timeout")) << joined(report.reasons);
}

TEST(CitusEstimate, TheFactsTravelThroughJson) {
    DatabaseFacts facts;
    facts.parents.push_back(distributed_default_parent(std::nullopt, false, "node w2 did not answer"));
    facts.parents.push_back(distributed_default_parent(3, true, ""));
    DatabaseFacts read = facts_from_json(facts_to_json(facts));
    EXPECT_EQ(read.parents[0].default_rows_unknown, "node w2 did not answer");
    EXPECT_FALSE(read.parents[0].default_rows_estimated);
    EXPECT_TRUE(read.parents[1].default_rows_estimated);
    EXPECT_EQ(read.parents[1].default_rows, 3);
}
