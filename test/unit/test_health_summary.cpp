// judge() as a whole, status arithmetic, and the Nagios check line.
#include <gtest/gtest.h>

#include "core/health.h"
#include "test_health_fixtures.h"

namespace fitbot::core {
namespace {

using namespace testing;

const FixedOffsetZone kUtc(0, "UTC");

HealthReport judge_utc(const DatabaseFacts &facts) { return judge(facts, kUtc, kUtc); }

TEST(HealthStatus, WorstOrdersCriticalWarningUnknownOk) {
    EXPECT_EQ(worst(Status::ok, Status::warning), Status::warning);
    EXPECT_EQ(worst(Status::warning, Status::ok), Status::warning);
    EXPECT_EQ(worst(Status::warning, Status::critical), Status::critical);
    EXPECT_EQ(worst(Status::critical, Status::unknown), Status::critical);
    EXPECT_EQ(worst(Status::unknown, Status::warning), Status::warning);
    EXPECT_EQ(worst(Status::warning, Status::unknown), Status::warning);
    EXPECT_EQ(worst(Status::ok, Status::unknown), Status::unknown);
    EXPECT_EQ(worst(Status::ok, Status::ok), Status::ok);
    EXPECT_STREQ(status_name(Status::critical), "critical");
    EXPECT_STREQ(status_name(Status::unknown), "unknown");
    EXPECT_EQ(static_cast<int>(Status::critical), 2);  // Nagios exit code
}

TEST(HealthJudge, HealthyDatabaseIsOk) {
    const HealthReport report = judge_utc(healthy_database());
    EXPECT_EQ(report.status, Status::ok);
    EXPECT_EQ(report.now, fixture_now());
    ASSERT_EQ(report.parents.size(), 1u);
    EXPECT_EQ(report.parents[0].status, Status::ok);
    EXPECT_EQ(report.maintenance.status, Status::ok);
    EXPECT_TRUE(report.reasons.empty());
}

TEST(HealthJudge, OverallIsTheWorstOfParentsAndMaintenance) {
    DatabaseFacts facts = healthy_database();
    facts.parents.push_back(monthly_parent(2025, 6, 2026, 4, "public.step_counts"));  // warning
    HealthReport report = judge_utc(facts);
    EXPECT_EQ(report.parents[1].status, Status::warning);
    EXPECT_EQ(report.status, Status::warning);

    facts.maintenance.jobs[0].active = false;  // critical
    report = judge_utc(facts);
    EXPECT_EQ(report.maintenance.status, Status::critical);
    EXPECT_EQ(report.status, Status::critical);
}

// Nothing configured is not an outage: no table and no job reads OK.
TEST(HealthJudge, NothingManagedIsOk) {
    DatabaseFacts facts = healthy_database();
    facts.parents.clear();
    facts.maintenance.jobs.clear();
    facts.maintenance.runs.clear();
    const HealthReport report = judge_utc(facts);
    EXPECT_EQ(report.status, Status::ok);
    EXPECT_EQ(report.maintenance.status, Status::ok);
    EXPECT_TRUE(report.maintenance.findings.empty());
    ASSERT_EQ(report.findings.size(), 1u);
    EXPECT_EQ(report.findings[0].status, Status::ok);
    EXPECT_TRUE(any_reason_contains(report.reasons, "partman.part_config is empty"));
    const CheckResult check = summarize(report);
    EXPECT_EQ(check.status, Status::ok);
    EXPECT_EQ(check.summary, "FITBOT_PARTMAN OK - nothing managed (no table in pg_partman, no maintenance job)");
}

// "Nothing managed" needs pg_cron's jobs read; without pg_cron here it is unknown.
TEST(HealthJudge, NoTableAndNoPgCronIsUnknown) {
    DatabaseFacts facts = healthy_database();
    facts.parents.clear();
    facts.maintenance = MaintenanceFacts{};
    facts.maintenance.cron_installed = false;
    const HealthReport report = judge_utc(facts);
    EXPECT_EQ(report.status, Status::unknown);
    EXPECT_EQ(report.maintenance.status, Status::unknown);
    const CheckResult check = summarize(report);
    EXPECT_EQ(check.status, Status::unknown);
    EXPECT_EQ(check.summary.rfind("FITBOT_PARTMAN UNKNOWN - pg_cron's jobs not readable here", 0), 0u) << check.summary;
    EXPECT_EQ(check.summary.find("nothing managed"), std::string::npos);
}

// A job with no table: the job is judged as usual, the missing table is no alarm.
TEST(HealthJudge, JobWithoutTableIsJudgedAsUsual) {
    DatabaseFacts facts = healthy_database();
    facts.parents.clear();
    HealthReport report = judge_utc(facts);
    EXPECT_EQ(report.status, Status::ok);
    EXPECT_TRUE(any_reason_contains(report.reasons, "partman.part_config is empty"));
    facts.maintenance.jobs[0].active = false;
    report = judge_utc(facts);
    EXPECT_EQ(report.status, Status::critical);
}

// A table with no job is still critical: pg_partman manages something.
TEST(HealthJudge, TableWithoutJobIsStillCritical) {
    DatabaseFacts facts = healthy_database();
    facts.maintenance.jobs.clear();
    facts.maintenance.runs.clear();
    EXPECT_EQ(judge_utc(facts).status, Status::critical);
    facts.maintenance.cron_installed = false;
    EXPECT_EQ(judge_utc(facts).status, Status::critical);
}

// Removing one of two tables leaves the other's verdict as it was.
TEST(HealthJudge, RemovingOneTableLeavesTheOther) {
    DatabaseFacts facts = healthy_database();
    ParentFact second = healthy_parent();
    second.parent = "public.step_counts";
    second.default_rows = 3;
    facts.parents.push_back(second);
    const HealthReport both = judge_utc(facts);
    facts.parents.erase(facts.parents.begin());
    const HealthReport one = judge_utc(facts);
    ASSERT_EQ(one.parents.size(), 1u);
    EXPECT_EQ(one.parents[0].status, both.parents[1].status);
    EXPECT_EQ(one.parents[0].reasons, both.parents[1].reasons);
    EXPECT_EQ(one.status, Status::critical);
}

TEST(HealthJudge, ParentsSeeTheMaintenanceNextRun) {
    // Runway until 2026-05-01: with the monthly job that is a margin warning;
    // without any job the runway rule falls back to "now + one interval".
    DatabaseFacts facts = healthy_database();
    facts.parents[0] = monthly_parent(2025, 6, 2026, 4);
    HealthReport report = judge_utc(facts);
    EXPECT_EQ(report.parents[0].status, Status::warning);  // margin < 1 interval after 04-20
    facts.maintenance.jobs.clear();
    facts.maintenance.runs.clear();
    report = judge_utc(facts);
    // Runway 2026-05-01 is more than one month after now (2026-04-25 12:00):
    // the missing job is the maintenance verdict's finding, not the table's.
    EXPECT_EQ(report.parents[0].status, Status::ok);
    EXPECT_EQ(report.maintenance.status, Status::critical);
}

TEST(HealthJudge, AdviceNamesTheSchemaPgPartmanLivesIn) {
    DatabaseFacts facts = healthy_database();
    facts.partman_schema = "Part Man";
    facts.parents[0] = monthly_parent(2025, 6, 2026, 3);  // no future partition
    facts.maintenance.runs = {run(3, "failed", utc(2026, 3, 20, 2), "ERROR: boom")};
    const HealthReport report = judge_utc(facts);
    EXPECT_TRUE(any_reason_contains(report.parents[0].reasons, "run CALL \"Part Man\".run_maintenance_proc() now"))
        << joined(report.parents[0].reasons);
    EXPECT_EQ(report.parents[0].findings[0].reason, report.parents[0].reasons[0]);
    EXPECT_FALSE(any_reason_contains(report.parents[0].reasons, " partman."));
    EXPECT_TRUE(any_reason_contains(report.maintenance.reasons, "CALL \"Part Man\".run_maintenance_proc() by hand"))
        << joined(report.maintenance.reasons);
    EXPECT_TRUE(any_reason_contains(report.maintenance.jobs[0].reasons, "\"Part Man\"."));
}

TEST(HealthSummary, HealthyLine) {
    const CheckResult check = summarize(judge_utc(healthy_database()));
    EXPECT_EQ(check.status, Status::ok);
    EXPECT_EQ(check.summary, "FITBOT_PARTMAN OK - 1 table healthy, maintenance next runs 2026-04-20 02:00 UTC");
}

TEST(HealthSummary, HealthyLineCountsTablesAndAddsInformationalNotes) {
    DatabaseFacts facts = healthy_database();
    facts.parents.push_back(monthly_parent(2025, 6, 2026, 6, "public.step_counts"));
    facts.parents[1].default_rows = std::nullopt;
    const CheckResult check = summarize(judge_utc(facts));
    EXPECT_EQ(check.status, Status::ok);
    EXPECT_EQ(check.summary,
              "FITBOT_PARTMAN OK - 2 tables healthy, maintenance next runs 2026-04-20 02:00 UTC; "
              "public.step_counts: default partition locked, rows not counted");
}

TEST(HealthSummary, CriticalLineNamesTableAndJob) {
    DatabaseFacts facts = healthy_database();
    facts.parents[0].default_rows = 12;
    facts.maintenance.jobs[0].active = false;
    const CheckResult check = summarize(judge_utc(facts));
    EXPECT_EQ(check.status, Status::critical);
    EXPECT_EQ(check.summary,
              "FITBOT_PARTMAN CRITICAL - public.heart_rate_readings: 12 rows in default "
              "partition; maintenance job 3 (partman-maintenance) inactive");
}

TEST(HealthSummary, MostSevereFirstAndOneItemPerTable) {
    DatabaseFacts facts = healthy_database();
    facts.parents[0].detached_retention_tables = 2;  // warning
    facts.parents.push_back(monthly_parent(2025, 6, 2026, 6, "public.step_counts"));
    facts.parents[1].default_rows = 3;               // critical
    facts.parents[1].detached_retention_tables = 1;  // warning
    const CheckResult check = summarize(judge_utc(facts));
    EXPECT_EQ(check.status, Status::critical);
    EXPECT_EQ(check.summary,
              "FITBOT_PARTMAN CRITICAL - public.step_counts: 3 rows in default partition (+1 "
              "warning); public.heart_rate_readings: 2 tables detached by retention kept");
}

TEST(HealthSummary, ATableShowsItsMostSevereFindingsAndCountsTheRest) {
    DatabaseFacts facts = healthy_database();
    facts.parents[0] = monthly_parent(2025, 6, 2026, 3);                         // no future partition: critical
    facts.parents[0].default_rows = 7;                                           // critical
    facts.parents[0].detached_retention_tables = 1;                              // warning
    facts.parents[0].partitions.erase(facts.parents[0].partitions.begin() + 2);  // 2025-08 gap: warning
    facts.maintenance.jobs[0].active = false;
    const HealthReport report = judge_utc(facts);
    ASSERT_EQ(report.parents[0].findings.size(), 4u) << joined(report.parents[0].reasons);
    const CheckResult check = summarize(report);
    EXPECT_EQ(check.summary,
              "FITBOT_PARTMAN CRITICAL - public.heart_rate_readings: no future partition, runway "
              "ends 2026-04-01 00:00 UTC, 7 rows in default partition (+2 warnings); maintenance "
              "job 3 (partman-maintenance) inactive");
}

TEST(HealthSummary, AWarningOnlyTableListsAllItsWarnings) {
    DatabaseFacts facts = healthy_database();
    facts.parents[0] = monthly_parent(2025, 6, 2026, 4);  // runway warning
    facts.parents[0].detached_retention_tables = 1;       // warning
    const CheckResult check = summarize(judge_utc(facts));
    EXPECT_EQ(check.summary,
              "FITBOT_PARTMAN WARNING - public.heart_rate_readings: runway ends 2026-05-01 00:00 "
              "UTC, 10 days after next maintenance, 1 table detached by retention kept");
}

TEST(HealthSummary, EveryLengthFitsAndCountsWhatItLeavesOut) {
    // Vary name lengths so that every cut position is met once.
    for (std::size_t padding = 0; padding < 80; ++padding) {
        DatabaseFacts facts = healthy_database();
        facts.parents.clear();
        for (int i = 0; i < 7; ++i) {
            ParentFact parent = healthy_parent();
            parent.parent = "public.t" + std::to_string(i) + std::string(padding, 'x');
            parent.default_rows = 1;
            facts.parents.push_back(parent);
        }
        const std::string summary = summarize(judge_utc(facts)).summary;
        ASSERT_LE(summary.size(), kMaxSummaryLength) << summary;
        std::size_t shown = 0;
        for (int i = 0; i < 7; ++i) {
            if (summary.find("public.t" + std::to_string(i) + std::string(padding, 'x') + ": ") != std::string::npos) {
                ++shown;
            }
        }
        if (shown < 7) {
            const std::string tail = "\u2026and " + std::to_string(7 - shown) + " more";
            ASSERT_GE(summary.size(), tail.size()) << summary;
            EXPECT_EQ(summary.substr(summary.size() - tail.size()), tail) << summary;
        } else {
            EXPECT_EQ(summary.find("more"), std::string::npos) << summary;
        }
    }
}

TEST(HealthSummary, LongLinesAreCutWholeItemsWithACount) {
    DatabaseFacts facts = healthy_database();
    facts.parents.clear();
    for (int i = 0; i < 20; ++i) {
        ParentFact parent = healthy_parent();
        parent.parent = "public.readings_" + std::to_string(i);
        parent.default_rows = 100 + i;
        facts.parents.push_back(parent);
    }
    const CheckResult check = summarize(judge_utc(facts));
    EXPECT_LE(check.summary.size(), kMaxSummaryLength);
    EXPECT_EQ(check.summary.rfind("FITBOT_PARTMAN CRITICAL - public.readings_0: 100 rows in "
                                  "default partition; public.readings_1: 101 rows",
                                  0),
              0u)
        << check.summary;
    // Count the items shown and check the "…and N more" adds up to 20.
    std::size_t shown = 0;
    for (std::size_t at = check.summary.find("public.readings_"); at != std::string::npos;
         at = check.summary.find("public.readings_", at + 1)) {
        ++shown;
    }
    const std::string tail = "; \u2026and " + std::to_string(20 - shown) + " more";
    ASSERT_GE(check.summary.size(), tail.size());
    EXPECT_EQ(check.summary.substr(check.summary.size() - tail.size()), tail) << check.summary;
    EXPECT_GT(shown, 2u);
}

TEST(HealthSummary, OneHugeItemIsCutToo) {
    DatabaseFacts facts = healthy_database();
    facts.parents[0].parent = "public." + std::string(300, 'x');
    facts.parents[0].default_rows = 1;
    const CheckResult check = summarize(judge_utc(facts));
    EXPECT_LE(check.summary.size(), kMaxSummaryLength);
    EXPECT_EQ(check.summary.rfind("FITBOT_PARTMAN CRITICAL - public.xxx", 0), 0u);
    EXPECT_EQ(check.summary.substr(check.summary.size() - 3), "\u2026");
}

TEST(HealthSummary, SummaryHasNoLineBreakOrPipe) {
    DatabaseFacts facts = healthy_database();
    facts.parents[0].parent = "public.\"odd|name\nhere\"";
    facts.parents[0].default_rows = 2;
    const CheckResult check = summarize(judge_utc(facts));
    EXPECT_EQ(check.summary.find('\n'), std::string::npos) << check.summary;
    EXPECT_EQ(check.summary.find('|'), std::string::npos) << check.summary;
    EXPECT_NE(check.summary.find("public.\"odd/name here\": 2 rows in default partition"), std::string::npos)
        << check.summary;
}

TEST(HealthSummary, PerformanceData) {
    DatabaseFacts facts = healthy_database();
    const CheckResult check = summarize(judge_utc(facts));
    const std::string &perf = check.performance_data;
    // Runway: 2026-07-01 - 2026-03-25 12:00 = 97.5 days = 8424000 s; after
    // the next run (2026-04-20 02:00): 71 days 22 hours = 6213600 s.
    EXPECT_NE(perf.find("'public.heart_rate_readings_future_partitions'=3;;1:;0"), std::string::npos) << perf;
    EXPECT_NE(perf.find("'public.heart_rate_readings_runway_seconds'=8424000s"), std::string::npos) << perf;
    EXPECT_NE(perf.find("'public.heart_rate_readings_runway_after_next_run_seconds'=6213600s;"
                        "2592000:;1:"),
              std::string::npos)
        << perf;
    EXPECT_NE(perf.find("'public.heart_rate_readings_default_rows'=0;;0;0"), std::string::npos) << perf;
    EXPECT_NE(perf.find("'public.heart_rate_readings_gaps'=0;0;;0"), std::string::npos) << perf;
    EXPECT_NE(perf.find("'public.heart_rate_readings_total_bytes'=1236992B;;;0"), std::string::npos) << perf;
    // 2026-04-20 02:00 - 2026-03-25 12:00 = 25 days 14 hours.
    EXPECT_NE(perf.find("'maintenance_next_run_seconds'=2210400s"), std::string::npos) << perf;
    EXPECT_NE(perf.find("'maintenance_job_3_consecutive_failures'=0;0;1;0"), std::string::npos) << perf;
    EXPECT_EQ(perf.find('\n'), std::string::npos);
    EXPECT_EQ(perf.find('|'), std::string::npos);
}

TEST(HealthSummary, PerformanceDataQuotesLabelsAndMarksUnknown) {
    DatabaseFacts facts = healthy_database();
    facts.parents[0].parent = "public.\"it's=here\"";
    facts.parents[0].default_rows = std::nullopt;
    const CheckResult check = summarize(judge_utc(facts));
    EXPECT_NE(check.performance_data.find("'public.\"it''s_here\"_default_rows'=U;;0;0"), std::string::npos)
        << check.performance_data;
}

}  // namespace
}  // namespace fitbot::core
