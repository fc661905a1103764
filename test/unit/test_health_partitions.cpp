// judge_parent: classification, runway, default partition, gaps, retention.
#include <gtest/gtest.h>

#include "core/health.h"
#include "test_health_fixtures.h"

namespace fitbot::core {
namespace {

using namespace testing;

const FixedOffsetZone kUtc(0, "UTC");

ParentReport judge_with(const ParentFact &parent, const MaintenanceFacts &maintenance = healthy_maintenance(),
                        Micros now = fixture_now()) {
    const MaintenanceReport report = judge_maintenance(maintenance, now, kUtc);
    return judge_parent(parent, now, report, kUtc);
}

MaintenanceFacts without_jobs() {
    MaintenanceFacts facts;
    facts.cron_installed = true;
    return facts;
}

TEST(HealthPartitions, ThreeFutureMonthsWithMonthlyJobIsOk) {
    const ParentReport report = judge_with(healthy_parent());
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
    EXPECT_TRUE(report.reasons.empty()) << joined(report.reasons);
    EXPECT_EQ(report.partitions, 15);  // 2025-04 .. 2026-06
    EXPECT_EQ(report.future_partitions, 3);
    ASSERT_TRUE(report.runway_until.has_value());
    EXPECT_EQ(*report.runway_until, utc(2026, 7, 1));
    EXPECT_FALSE(report.runway_unbounded);
    ASSERT_TRUE(report.oldest_start.has_value());
    EXPECT_EQ(*report.oldest_start, utc(2025, 4, 1));
    EXPECT_EQ(report.gaps, 0);
    EXPECT_EQ(report.expired_partitions, 0);
    EXPECT_EQ(report.total_bytes, 15 * 81920 + 8192);
    EXPECT_DOUBLE_EQ(report.estimated_rows, 15000);
    EXPECT_EQ(report.premake, 3);
}

TEST(HealthPartitions, ChildrenAreClassifiedAndSortedWithDefaultLast) {
    ParentFact parent = monthly_parent(2025, 2, 2026, 4);
    // Shuffle the input: the report must sort by range start anyway.
    std::swap(parent.partitions[0], parent.partitions[10]);
    std::swap(parent.partitions.back(), parent.partitions[3]);
    const ParentReport report = judge_with(parent);

    ASSERT_EQ(report.children.size(), 16u);
    for (std::size_t i = 1; i + 1 < report.children.size(); ++i) {
        EXPECT_LT(*report.children[i - 1].fact.range_start, *report.children[i].fact.range_start);
    }
    EXPECT_EQ(report.children.back().state, PartitionState::default_partition);
    EXPECT_EQ(report.children.back().fact.name, kParent + "_default");
    // now = 2026-03-25 12:00, retention 1 year: cutoff 2025-03-25 12:00.
    EXPECT_EQ(report.children[0].fact.name, kParent + "_p20250201");
    EXPECT_EQ(report.children[0].state, PartitionState::expired);  // ends 2025-03-01
    EXPECT_EQ(report.children[1].state, PartitionState::past);     // ends 2025-04-01 > cutoff
    EXPECT_EQ(report.children[13].fact.name, kParent + "_p20260301");
    EXPECT_EQ(report.children[13].state, PartitionState::current);
    EXPECT_EQ(report.children[14].state, PartitionState::future);
    EXPECT_STREQ(partition_state_name(report.children[0].state), "expired");
    EXPECT_STREQ(partition_state_name(PartitionState::default_partition), "default");
}

TEST(HealthPartitions, PartitionStartingExactlyNowIsCurrentNotFuture) {
    const Micros now = utc(2026, 4, 1);
    MaintenanceFacts maintenance = healthy_maintenance();
    const ParentReport report = judge_with(monthly_parent(2025, 6, 2026, 7), maintenance, now);
    EXPECT_EQ(report.future_partitions, 3);  // May, June, July; April starts now
    EXPECT_EQ(report.children[10].fact.name, kParent + "_p20260401");
    EXPECT_EQ(report.children[10].state, PartitionState::current);
}

TEST(HealthPartitions, RunwayEndingBeforeTheNextRunIsCritical) {
    // A yearly job on June 20; partitions only until 2026-06-01.
    MaintenanceFacts maintenance = healthy_maintenance();
    maintenance.jobs[0].schedule = "0 2 20 6 *";
    maintenance.runs = {run(3, "succeeded", utc(2025, 6, 20, 2))};
    const ParentReport report = judge_with(monthly_parent(2025, 6, 2026, 5), maintenance);
    EXPECT_EQ(report.future_partitions, 2);
    EXPECT_EQ(report.status, Status::critical);
    ASSERT_EQ(report.reasons.size(), 1u) << joined(report.reasons);
    EXPECT_EQ(report.reasons[0],
              "public.heart_rate_readings has partitions only until 2026-06-01 00:00 UTC, but the "
              "next maintenance run is at 2026-06-20 02:00 UTC, so rows from 2026-06-01 00:00 UTC "
              "on will go to the default partition; run CALL partman.run_maintenance_proc() now, "
              "and raise premake (3) or run maintenance more often.");
}

TEST(HealthPartitions, RunwayEndingExactlyAtTheNextRunIsCritical) {
    // Job on the 1st at 00:00: next run 2026-04-01 00:00. March is split in
    // two so that a future partition ends exactly at that run.
    MaintenanceFacts maintenance = healthy_maintenance();
    maintenance.jobs[0].schedule = "0 0 1 * *";
    maintenance.runs = {run(3, "succeeded", utc(2026, 3, 1))};
    ParentFact parent = monthly_parent(2025, 6, 2026, 2);
    PartitionFact march_head = month_partition(kParent, 2026, 3);
    march_head.range_end = utc(2026, 3, 26);  // current
    PartitionFact march_tail = month_partition(kParent, 2026, 3);
    march_tail.name += "_tail";
    march_tail.range_start = utc(2026, 3, 26);  // future
    march_tail.range_end = utc(2026, 4, 1);     // == next run
    parent.partitions.push_back(march_head);
    parent.partitions.push_back(march_tail);
    ParentReport report = judge_with(parent, maintenance);
    EXPECT_EQ(report.future_partitions, 1);
    EXPECT_EQ(report.status, Status::critical) << joined(report.reasons);
    EXPECT_TRUE(any_reason_contains(report.reasons,
                                    "but the next maintenance run is at 2026-04-01 "
                                    "00:00 UTC"))
        << joined(report.reasons);

    // One second more runway: no longer critical (a warning: margin < 1 month).
    parent.partitions.back().range_end = utc(2026, 4, 1, 0, 0, 1);
    report = judge_with(parent, maintenance);
    EXPECT_EQ(report.status, Status::warning) << joined(report.reasons);
}

TEST(HealthPartitions, LessThanOneIntervalAfterTheNextRunIsWarning) {
    // Partitions until 2026-05-01; next run 2026-04-20 02:00; + 1 month =
    // 2026-05-20 02:00 > 2026-05-01.
    const ParentReport report = judge_with(monthly_parent(2025, 6, 2026, 4));
    EXPECT_EQ(report.future_partitions, 1);
    EXPECT_EQ(report.status, Status::warning);
    ASSERT_EQ(report.findings.size(), 1u) << joined(report.reasons);
    EXPECT_EQ(report.findings[0].status, Status::warning);
    EXPECT_TRUE(any_reason_contains(report.reasons,
                                    "less than one partition interval (1 month) "
                                    "after the next maintenance run at "
                                    "2026-04-20 02:00 UTC"))
        << joined(report.reasons);
}

TEST(HealthPartitions, ExactlyOneIntervalOfMarginIsOk) {
    // A job on the 1st at 00:00: next run 2026-04-01 00:00; runway until
    // 2026-05-01 00:00 is exactly next run + 1 month, which is enough.
    MaintenanceFacts maintenance = healthy_maintenance();
    maintenance.jobs[0].schedule = "0 0 1 * *";
    maintenance.runs = {run(3, "succeeded", utc(2026, 3, 1))};
    ParentReport report = judge_with(monthly_parent(2025, 6, 2026, 4), maintenance);
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);

    // One second less runway is a warning.
    ParentFact shorter = monthly_parent(2025, 6, 2026, 4);
    shorter.partitions[shorter.partitions.size() - 2].range_end = utc(2026, 4, 30, 23, 59, 59);
    report = judge_with(shorter, maintenance);
    EXPECT_EQ(report.status, Status::warning) << joined(report.reasons);
}

TEST(HealthPartitions, NoFuturePartitionIsCritical) {
    // The newest partition is March 2026, the current one.
    const ParentReport report = judge_with(monthly_parent(2025, 6, 2026, 3));
    EXPECT_EQ(report.future_partitions, 0);
    EXPECT_EQ(report.status, Status::critical);
    ASSERT_EQ(report.reasons.size(), 1u) << joined(report.reasons);
    EXPECT_EQ(report.reasons[0],
              "public.heart_rate_readings has no future partition: the newest one ends at "
              "2026-04-01 00:00 UTC, in 6 days, and the next maintenance run is at 2026-04-20 "
              "02:00 UTC; run CALL partman.run_maintenance_proc() now and check that premake (3) "
              "covers the time between maintenance runs.");
}

TEST(HealthPartitions, RunwayInThePastSaysRowsGoToDefault) {
    const ParentReport report = judge_with(monthly_parent(2025, 6, 2026, 1));
    EXPECT_EQ(report.status, Status::critical);
    ASSERT_TRUE(report.runway_until.has_value());
    EXPECT_EQ(*report.runway_until, utc(2026, 2, 1));
    EXPECT_TRUE(any_reason_contains(report.reasons, "ran out of partitions at 2026-02-01 00:00 UTC, 52 days ago"))
        << joined(report.reasons);
    EXPECT_TRUE(any_reason_contains(report.reasons, "fitbot_partman.rescue_default('public.heart_rate_readings')"));
}

TEST(HealthPartitions, NoJobAndLessThanOneIntervalOfRunwayIsCritical) {
    // A future partition ending 2026-04-15, before now + 1 month (2026-04-25 12:00).
    ParentFact parent = monthly_parent(2025, 6, 2026, 3);
    PartitionFact half = month_partition(kParent, 2026, 4);
    half.range_end = utc(2026, 4, 15);
    parent.partitions.push_back(half);
    const ParentReport report = judge_with(parent, without_jobs());
    EXPECT_EQ(report.future_partitions, 1);
    EXPECT_EQ(report.status, Status::critical);
    EXPECT_TRUE(any_reason_contains(report.reasons, "no active maintenance job will create more"))
        << joined(report.reasons);
}

TEST(HealthPartitions, NoJobWithLongRunwayLeavesItToTheMaintenanceVerdict) {
    const ParentReport report = judge_with(healthy_parent(), without_jobs());
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
}

TEST(HealthPartitions, MaxvaluePartitionHasNoRunwayProblem) {
    ParentFact parent = monthly_parent(2025, 6, 2026, 2);
    PartitionFact rest;
    rest.name = kParent + "_rest";
    rest.range_start = utc(2026, 3, 1);
    rest.range_end = std::nullopt;  // MAXVALUE
    parent.partitions.push_back(rest);
    const ParentReport report = judge_with(parent);
    EXPECT_TRUE(report.runway_unbounded);
    EXPECT_FALSE(report.runway_until.has_value());
    EXPECT_EQ(report.future_partitions, 0);
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
    EXPECT_EQ(report.children[9].fact.name, kParent + "_rest");
    EXPECT_EQ(report.children[9].state, PartitionState::current);
}

TEST(HealthPartitions, MinvaluePartitionComesFirstAndHasNoOldestStart) {
    ParentFact parent = healthy_parent();
    PartitionFact old;
    old.name = kParent + "_old";
    old.range_start = std::nullopt;  // MINVALUE
    old.range_end = utc(2025, 4, 1);
    parent.partitions.push_back(old);
    parent.retention.reset();
    const ParentReport report = judge_with(parent);
    EXPECT_EQ(report.children[0].fact.name, kParent + "_old");
    EXPECT_EQ(report.children[0].state, PartitionState::past);
    EXPECT_FALSE(report.oldest_start.has_value());
    EXPECT_EQ(report.partitions, 16);
    EXPECT_EQ(report.gaps, 0);
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
}

TEST(HealthPartitions, RowsInTheDefaultPartitionAreCritical) {
    ParentFact parent = healthy_parent();
    parent.default_rows = 12;
    const ParentReport report = judge_with(parent);
    EXPECT_EQ(report.status, Status::critical);
    ASSERT_EQ(report.reasons.size(), 1u);
    EXPECT_EQ(report.reasons[0],
              "public.heart_rate_readings has 12 rows in its default partition "
              "public.heart_rate_readings_default; they block pg_partman from creating the "
              "partitions for their range, so move them into proper partitions with SELECT "
              "fitbot_partman.rescue_default('public.heart_rate_readings').");
    EXPECT_EQ(report.findings[0].brief, "12 rows in default partition");
    ASSERT_TRUE(report.default_rows.has_value());
    EXPECT_EQ(*report.default_rows, 12);
}

TEST(HealthPartitions, OneRowInTheDefaultPartitionIsSingular) {
    ParentFact parent = healthy_parent();
    parent.default_rows = 1;
    const ParentReport report = judge_with(parent);
    EXPECT_EQ(report.status, Status::critical);
    EXPECT_EQ(report.findings.at(0).brief, "1 row in default partition");
}

TEST(HealthPartitions, LockedDefaultPartitionIsReportedButNotAlarming) {
    ParentFact parent = healthy_parent();
    parent.default_rows = std::nullopt;
    parent.partitions.back().locked = true;
    const ParentReport report = judge_with(parent);
    EXPECT_EQ(report.status, Status::ok);
    ASSERT_EQ(report.findings.size(), 1u);
    EXPECT_EQ(report.findings[0].status, Status::ok);
    EXPECT_TRUE(any_reason_contains(report.reasons,
                                    "could not count the rows of its default partition "
                                    "public.heart_rate_readings_default because another session "
                                    "held a lock on it"))
        << joined(report.reasons);
    EXPECT_FALSE(report.default_rows.has_value());
}

TEST(HealthPartitions, DroppedMiddlePartitionIsAGapWarning) {
    ParentFact parent = healthy_parent();
    // Drop August 2025.
    parent.partitions.erase(parent.partitions.begin() + 4);
    const ParentReport report = judge_with(parent);
    EXPECT_EQ(report.gaps, 1);
    EXPECT_EQ(report.status, Status::warning);
    ASSERT_EQ(report.reasons.size(), 1u) << joined(report.reasons);
    EXPECT_TRUE(any_reason_contains(report.reasons,
                                    "has no partition from 2025-08-01 00:00 UTC to 2025-09-01 00:00 UTC "
                                    "(between public.heart_rate_readings_p20250701 and "
                                    "public.heart_rate_readings_p20250901)"))
        << joined(report.reasons);
    EXPECT_TRUE(any_reason_contains(report.reasons,
                                    "partman.create_partition_time('public.heart_rate_readings', "
                                    "ARRAY['2025-08-01 00:00 UTC'::timestamptz])"));
}

TEST(HealthPartitions, GapInTheFutureIsCritical) {
    ParentFact parent = healthy_parent();
    // Drop May 2026: April ends 2026-05-01, June starts 2026-06-01.
    parent.partitions.erase(parent.partitions.begin() + 13);
    const ParentReport report = judge_with(parent);
    EXPECT_EQ(report.gaps, 1);
    EXPECT_EQ(report.status, Status::critical);
    EXPECT_EQ(report.future_partitions, 2);
    EXPECT_TRUE(any_reason_contains(report.reasons,
                                    "from 2026-05-01 00:00 UTC to 2026-06-01 "
                                    "00:00 UTC"))
        << joined(report.reasons);
}

TEST(HealthPartitions, GapEndingExactlyNowIsPastButASecondLaterIsNot) {
    ParentFact parent = healthy_parent();
    parent.partitions.erase(parent.partitions.begin() + 11);  // March 2026
    // Close the gap from 2026-03-25 12:00 (= now) on with an extra partition.
    PartitionFact rest = month_partition(kParent, 2026, 3);
    rest.name += "_rest";
    rest.range_start = fixture_now();
    parent.partitions.push_back(rest);
    ParentReport report = judge_with(parent);
    EXPECT_EQ(report.gaps, 1);
    EXPECT_EQ(report.status, Status::warning) << joined(report.reasons);

    parent.partitions.back().range_start = fixture_now() + kMicrosPerSecond;
    report = judge_with(parent);
    EXPECT_EQ(report.gaps, 1);
    EXPECT_EQ(report.status, Status::critical) << joined(report.reasons);
}

TEST(HealthPartitions, GapCoveringNowIsCritical) {
    ParentFact parent = healthy_parent();
    parent.partitions.erase(parent.partitions.begin() + 11);  // March 2026, current
    const ParentReport report = judge_with(parent);
    EXPECT_EQ(report.gaps, 1);
    EXPECT_EQ(report.status, Status::critical);
}

TEST(HealthPartitions, RecentlyExpiredPartitionIsOnlyCounted) {
    // Retention 1 year: cutoff 2025-03-25 12:00. February 2025 ended
    // 2025-03-01, less than one maintenance period (31 days) before the cutoff.
    const ParentReport report = judge_with(monthly_parent(2025, 2, 2026, 6));
    EXPECT_EQ(report.expired_partitions, 1);
    EXPECT_EQ(report.overdue_expired_partitions, 0);
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
    EXPECT_TRUE(report.reasons.empty());
}

TEST(HealthPartitions, ExpiredLongerThanOnePeriodIsWarning) {
    // January 2025 ended 2025-02-01, more than 31 days before the cutoff.
    const ParentReport report = judge_with(monthly_parent(2024, 12, 2026, 6));
    EXPECT_EQ(report.expired_partitions, 3);
    EXPECT_EQ(report.overdue_expired_partitions, 2);
    EXPECT_EQ(report.status, Status::warning);
    ASSERT_EQ(report.reasons.size(), 1u) << joined(report.reasons);
    EXPECT_EQ(report.reasons[0],
              "public.heart_rate_readings still has 2 partitions older than its retention of 1 "
              "year by more than one maintenance period (the oldest, "
              "public.heart_rate_readings_p20241201, ended at 2025-01-01 00:00 UTC); pg_partman's "
              "retention should have dropped them, so check retention in part_config and that "
              "maintenance runs succeed.");
}

TEST(HealthPartitions, WithoutAJobTheGraceIsOnePartitionInterval) {
    // Cutoff 2025-03-25 12:00 minus 1 month = 2025-02-25 12:00: January 2025
    // (ended 2025-02-01) is overdue, February 2025 (ended 2025-03-01) is not.
    const ParentReport report = judge_with(monthly_parent(2025, 1, 2026, 6), without_jobs());
    EXPECT_EQ(report.expired_partitions, 2);
    EXPECT_EQ(report.overdue_expired_partitions, 1);
    EXPECT_EQ(report.status, Status::warning);
}

TEST(HealthPartitions, NoRetentionMeansNothingExpires) {
    ParentFact parent = monthly_parent(2020, 1, 2026, 6);
    parent.retention.reset();
    const ParentReport report = judge_with(parent);
    EXPECT_EQ(report.expired_partitions, 0);
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
}

TEST(HealthPartitions, DetachedRetentionTablesAreWarning) {
    ParentFact parent = healthy_parent();
    parent.detached_retention_tables = 2;
    parent.retention_keep_table = true;
    const ParentReport report = judge_with(parent);
    EXPECT_EQ(report.detached_retention_tables, 2);
    EXPECT_EQ(report.status, Status::warning);
    EXPECT_TRUE(any_reason_contains(report.reasons, "has 2 tables named like its partitions but detached"))
        << joined(report.reasons);
}

TEST(HealthPartitions, NoPartitionsAtAllIsCritical) {
    ParentFact parent = monthly_parent(2026, 1, 2025, 1);  // empty range: default only
    ASSERT_EQ(parent.partitions.size(), 1u);
    const ParentReport report = judge_with(parent);
    EXPECT_EQ(report.partitions, 0);
    EXPECT_EQ(report.status, Status::critical);
    ASSERT_EQ(report.reasons.size(), 1u) << joined(report.reasons);
    EXPECT_EQ(report.findings[0].brief, "no partitions");
    EXPECT_FALSE(report.runway_until.has_value());
    EXPECT_FALSE(report.oldest_start.has_value());
}

TEST(HealthPartitions, NeverAnalyzedPartitionsAddNoRows) {
    ParentFact parent = healthy_parent();
    parent.partitions[0].estimated_rows = -1;
    parent.partitions[1].estimated_rows = -1;
    const ParentReport report = judge_with(parent);
    EXPECT_DOUBLE_EQ(report.estimated_rows, 13000);
}

TEST(HealthPartitions, SeveralFindingsAddUpToTheWorst) {
    ParentFact parent = monthly_parent(2025, 6, 2026, 4);  // runway warning
    parent.detached_retention_tables = 1;                  // warning
    parent.default_rows = 5;                               // critical
    const ParentReport report = judge_with(parent);
    EXPECT_EQ(report.status, Status::critical);
    ASSERT_EQ(report.findings.size(), 3u) << joined(report.reasons);
    ASSERT_EQ(report.reasons.size(), 3u);
    for (std::size_t i = 0; i < report.findings.size(); ++i) {
        EXPECT_EQ(report.findings[i].reason, report.reasons[i]);
    }
}

TEST(HealthPartitions, RetentionCutoffUsesTheSessionZone) {
    // In a zone 14 hours ahead, "now - 1 year" is computed on the local
    // calendar; with a month-end now the clamping differs from UTC. Here:
    // now = 2025-02-28 12:00 UTC = 2025-03-01 02:00 local; local minus one
    // year is 2024-03-01 02:00 local = 2024-02-29 12:00 UTC. A partition
    // ending 2024-02-29 12:00 UTC is expired in that zone; in UTC the cutoff
    // is 2024-02-28 12:00 and the same partition is not expired.
    const FixedOffsetZone ahead(14 * 3600, "Etc/GMT-14");
    ParentFact parent = monthly_parent(2024, 3, 2025, 6);
    PartitionFact edge;
    edge.name = kParent + "_edge";
    edge.range_start = utc(2024, 2, 1);
    edge.range_end = utc(2024, 2, 29, 12);
    parent.partitions.push_back(edge);
    const Micros now = utc(2025, 2, 28, 12);
    const MaintenanceReport maintenance = judge_maintenance(healthy_maintenance(), now, kUtc);
    const ParentReport in_zone = judge_parent(parent, now, maintenance, ahead);
    const ParentReport in_utc = judge_parent(parent, now, maintenance, kUtc);
    EXPECT_EQ(in_zone.children[0].state, PartitionState::expired);
    EXPECT_EQ(in_utc.children[0].state, PartitionState::past);
}

}  // namespace
}  // namespace fitbot::core
