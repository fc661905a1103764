// judge_parent on a table with an adopted wide oldest partition (issue 20):
// neither a gap nor an error, and its planned expiry is said.
#include <gtest/gtest.h>

#include "core/exposition.h"
#include "core/facts_json.h"
#include "core/health.h"
#include "test_health_fixtures.h"

namespace fitbot::core {
namespace {

using namespace testing;

const FixedOffsetZone kUtc(0, "UTC");

ParentReport judge_at(const ParentFact &parent, Micros now) {
    const MaintenanceReport report = judge_maintenance(healthy_maintenance(), now, kUtc);
    return judge_parent(parent, now, report, kUtc);
}

// Adopted on 2026-03-10: the table became [2024-06-01, 2026-05-01), the
// interval after next; pg_partman made May to the given month after it, and
// its retention is held off (NULL) while 12 months are recorded for us.
ParentFact adopted_parent(int last_year = 2026, int last_month = 7) {
    ParentFact fact = monthly_parent(2026, 5, last_year, last_month);
    fact.retention = std::nullopt;
    PartitionFact wide;
    wide.name = kParent + "_p20240601";
    wide.range_start = utc(2024, 6, 1);
    wide.range_end = utc(2026, 5, 1);
    wide.estimated_rows = 1000000;
    fact.partitions.push_back(wide);
    fact.wide_partition = WidePartitionFact{utc(2024, 6, 1), utc(2026, 5, 1), months(12), false, 1234};
    return fact;
}

const Finding *finding_starting(const ParentReport &report, const std::string &brief) {
    for (const Finding &finding : report.findings) {
        if (finding.brief.rfind(brief, 0) == 0) return &finding;
    }
    return nullptr;
}

TEST(HealthWidePartition, IsNeitherAGapNorAnErrorAndSaysWhenItGoes) {
    const ParentReport report = judge_at(adopted_parent(), fixture_now());
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
    EXPECT_EQ(report.gaps, 0);
    EXPECT_EQ(report.partitions, 4);
    EXPECT_EQ(report.future_partitions, 3);
    ASSERT_TRUE(report.runway_until.has_value());
    EXPECT_EQ(*report.runway_until, utc(2026, 8, 1));
    EXPECT_EQ(report.children.front().fact.name, kParent + "_p20240601");
    EXPECT_EQ(report.children.front().state, PartitionState::current);  // now's rows go into it until May

    ASSERT_TRUE(report.wide_partition.has_value());
    EXPECT_EQ(report.wide_partition->name, kParent + "_p20240601");
    EXPECT_EQ(report.wide_partition->retention, months(12));
    EXPECT_EQ(report.wide_partition->rows_expired, 1234);
    ASSERT_TRUE(report.wide_partition->planned_expiry.has_value());
    EXPECT_EQ(*report.wide_partition->planned_expiry, utc(2027, 5, 1));  // its upper bound + 12 months
    EXPECT_FALSE(report.wide_partition->overdue);

    const Finding *finding = finding_starting(report, "wide partition");
    ASSERT_NE(finding, nullptr) << joined(report.reasons);
    EXPECT_EQ(finding->status, Status::ok);
    EXPECT_EQ(finding->brief, "wide partition until 2026-05-01 00:00 UTC, expires 2027-05-01 00:00 UTC");
    EXPECT_NE(finding->reason.find("deletes its rows older than the retention of 1 year (1234 rows so far)"),
              std::string::npos)
        << finding->reason;
    EXPECT_NE(finding->reason.find("drops it at its first run from 2027-05-01 00:00 UTC"), std::string::npos)
        << finding->reason;
}

TEST(HealthWidePartition, KeepTableDetachesItWholeAndCountsNoDeletedRows) {
    ParentFact parent = adopted_parent();
    parent.wide_partition->keep_table = true;
    parent.wide_partition->rows_expired = 0;
    const ParentReport report = judge_at(parent, fixture_now());
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
    const Finding *finding = finding_starting(report, "wide partition");
    ASSERT_NE(finding, nullptr);
    EXPECT_NE(finding->reason.find("keeps it whole (retention_keep_table) and detaches it at its first run from "
                                   "2027-05-01 00:00 UTC"),
              std::string::npos)
        << finding->reason;
    EXPECT_EQ(finding->reason.find("rows so far"), std::string::npos) << finding->reason;
}

TEST(HealthWidePartition, WithoutRetentionItIsKept) {
    ParentFact parent = adopted_parent();
    parent.wide_partition->retention = std::nullopt;
    const ParentReport report = judge_at(parent, fixture_now());
    EXPECT_EQ(report.status, Status::ok);
    ASSERT_TRUE(report.wide_partition.has_value());
    EXPECT_FALSE(report.wide_partition->planned_expiry.has_value());
    const Finding *finding = finding_starting(report, "wide partition");
    ASSERT_NE(finding, nullptr);
    EXPECT_EQ(finding->brief, "wide partition 2024-06-01 00:00 UTC to 2026-05-01 00:00 UTC, kept");
}

TEST(HealthWidePartition, DueButWithinOneMaintenancePeriodIsStillOk) {
    // The first run from 2027-05-01 is 2027-05-20 02:00; on 2027-05-25 the
    // period since the expiry (one schedule period, about a month) is not over.
    const ParentReport report = judge_at(adopted_parent(2027, 9), utc(2027, 5, 25, 12));
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
    ASSERT_TRUE(report.wide_partition.has_value());
    EXPECT_FALSE(report.wide_partition->overdue);
}

TEST(HealthWidePartition, NotDroppedMoreThanOnePeriodAfterItsExpiryIsWarning) {
    const ParentReport report = judge_at(adopted_parent(2027, 9), utc(2027, 6, 25, 12));
    EXPECT_EQ(report.status, Status::warning) << joined(report.reasons);
    ASSERT_TRUE(report.wide_partition.has_value());
    EXPECT_TRUE(report.wide_partition->overdue);
    const Finding *finding = finding_starting(report, "wide partition not dropped since 2027-05-01 00:00 UTC");
    ASSERT_NE(finding, nullptr) << joined(report.reasons);
    EXPECT_EQ(finding->status, Status::warning);
    EXPECT_NE(finding->reason.find("job_command = driver"), std::string::npos) << finding->reason;
    EXPECT_EQ(report.gaps, 0);
}

TEST(HealthWidePartition, RecordedButNoLongerAttachedSaysRetentionComesBack) {
    ParentFact parent = adopted_parent();
    parent.wide_partition->range_start = utc(2024, 5, 1);  // no child has these bounds
    const ParentReport report = judge_at(parent, fixture_now());
    EXPECT_EQ(report.status, Status::ok);
    EXPECT_FALSE(report.wide_partition.has_value());
    const Finding *finding = finding_starting(report, "wide partition gone");
    ASSERT_NE(finding, nullptr) << joined(report.reasons);
    EXPECT_NE(finding->reason.find("gives pg_partman its retention back (1 year)"), std::string::npos)
        << finding->reason;
}

TEST(HealthWidePartition, FactsJsonRoundTripAndOlderDocumentsHaveNone) {
    DatabaseFacts facts = healthy_database();
    facts.parents[0] = adopted_parent();
    facts.parents[0].wide_partition->keep_table = true;
    const std::string text = facts_to_json(facts);
    const DatabaseFacts back = facts_from_json(text);
    ASSERT_TRUE(back.parents[0].wide_partition.has_value());
    EXPECT_EQ(back.parents[0].wide_partition->range_start, utc(2024, 6, 1));
    EXPECT_EQ(back.parents[0].wide_partition->range_end, utc(2026, 5, 1));
    EXPECT_EQ(back.parents[0].wide_partition->retention, months(12));
    EXPECT_TRUE(back.parents[0].wide_partition->keep_table);
    EXPECT_EQ(back.parents[0].wide_partition->rows_expired, 1234);
    EXPECT_EQ(facts_to_json(back), text);

    // A 1.0 library's document has no such key.
    std::string older = text;
    const std::size_t key = older.find(",\"wide_partition\":{");
    ASSERT_NE(key, std::string::npos) << text;
    older.erase(key, older.find('}', older.find("\"rows_expired\"", key)) + 1 - key);
    EXPECT_FALSE(facts_from_json(older).parents[0].wide_partition.has_value());
}

TEST(HealthWidePartition, MetricsCarryItsPlannedExpiryAndRowsExpired) {
    DatabaseFacts facts = healthy_database();
    facts.parents[0] = adopted_parent();
    const std::string text = format_metrics(judge(facts, kUtc, kUtc), ExpositionInfo{"1.1", "4.7.4", "partman", "x"});
    const std::string parent = "{parent=\"public.heart_rate_readings\"}";
    EXPECT_NE(text.find("\nfitbot_partman_wide_partition_expiry_timestamp_seconds" + parent + " 1809129600\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("\nfitbot_partman_wide_partition_rows_expired" + parent + " 1234\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("\nfitbot_partman_gaps" + parent + " 0\n"), std::string::npos) << text;
    EXPECT_NE(text.find("\nfitbot_partman_table_status" + parent + " 0\n"), std::string::npos) << text;

    facts.parents[0].wide_partition = std::nullopt;  // a table without one: no sample
    const std::string without =
        format_metrics(judge(facts, kUtc, kUtc), ExpositionInfo{"1.1", "4.7.4", "partman", "x"});
    EXPECT_EQ(without.find("\nfitbot_partman_wide_partition_expiry_timestamp_seconds{"), std::string::npos);
    EXPECT_EQ(without.find("\nfitbot_partman_wide_partition_rows_expired{"), std::string::npos);
}

}  // namespace
}  // namespace fitbot::core
