// The rules added with the maintenance driver: pg_cron's scheduler, manual
// runs from the ledger, duplicate jobs, the runway across a gap, quarantine.
#include <gtest/gtest.h>

#include "core/exposition.h"
#include "core/facts_json.h"
#include "core/health.h"
#include "core/health_text.h"
#include "core/ledger_liveness.h"
#include "test_health_fixtures.h"

namespace fitbot::core {
namespace {

using namespace testing;

const FixedOffsetZone kGmt(0, "GMT");

MaintenanceReport judge_at(const MaintenanceFacts &facts, Micros now = fixture_now()) {
    return judge_maintenance(facts, now, kGmt);
}

LedgerRunFact manual_run(const std::string &outcome, Micros started, const std::string &message = "") {
    LedgerRunFact run;
    run.run_id = started / kMicrosPerSecond;
    run.trigger = "manual";
    run.outcome = outcome;
    run.message = message;
    run.started_at = started;
    if (outcome != "running") run.finished_at = started + 2 * kMicrosPerSecond;
    return run;
}

TEST(HealthScheduler, DeadLauncherOnAPrimaryIsCritical) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.scheduler_running = false;
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::critical);
    EXPECT_TRUE(any_reason_contains(report.reasons, "pg_cron's scheduler is not running")) << joined(report.reasons);
    ASSERT_TRUE(report.scheduler_running.has_value());
    EXPECT_FALSE(*report.scheduler_running);
}

TEST(HealthScheduler, RunningLauncherChangesNothing) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.scheduler_running = true;
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
    EXPECT_TRUE(report.reasons.empty());
}

TEST(HealthScheduler, StandbyIsNotAFault) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.in_recovery = true;  // the reader leaves scheduler_running unknown there
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::ok);
    EXPECT_TRUE(any_reason_contains(report.reasons, "standby")) << joined(report.reasons);
    EXPECT_FALSE(report.scheduler_running.has_value());
}

TEST(HealthScheduler, MetricOnlyWhenKnown) {
    DatabaseFacts facts = healthy_database();
    const ExpositionInfo info{"1.1", "4.7.4", "partman", "extension"};
    const std::string unknown = format_metrics(judge(facts, kGmt, kGmt), info);
    EXPECT_EQ(unknown.find("\nfitbot_partman_cron_scheduler_up "), std::string::npos);
    facts.maintenance.scheduler_running = false;
    const std::string down = format_metrics(judge(facts, kGmt, kGmt), info);
    EXPECT_NE(down.find("\nfitbot_partman_cron_scheduler_up 0\n"), std::string::npos);
}

TEST(HealthLedger, SuccessfulManualRunClearsAFailedScheduledRun) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.runs.insert(facts.runs.begin(), run(3, "failed", utc(2026, 3, 20, 2, 0, 30), "ERROR: lock timeout"));
    ASSERT_EQ(judge_at(facts).status, Status::warning);
    facts.ledger_available = true;
    facts.ledger_runs.push_back(manual_run("succeeded", utc(2026, 3, 21, 9)));
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
    ASSERT_EQ(report.jobs.size(), 1u);
    EXPECT_EQ(report.jobs[0].consecutive_failures, 0);
    ASSERT_TRUE(report.jobs[0].last_success.has_value());
    EXPECT_EQ(*report.jobs[0].last_success, utc(2026, 3, 21, 9, 0, 2));
}

TEST(HealthLedger, FailedManualRunCountsAsAFailureAndNamesTheDriver) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.ledger_available = true;
    facts.ledger_runs.push_back(manual_run("failed", utc(2026, 3, 22, 9), "1 of 1 table(s) failed"));
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::warning);
    EXPECT_TRUE(any_reason_contains(report.reasons, "run by hand: 1 of 1 table(s) failed")) << joined(report.reasons);
    EXPECT_TRUE(any_reason_contains(report.reasons, "CALL fitbot_partman.run_maintenance()")) << joined(report.reasons);
}

TEST(HealthLedger, SkippedManualRunsSayNothing) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.ledger_available = true;
    facts.ledger_runs.push_back(manual_run("skipped", utc(2026, 3, 22, 9)));
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
    EXPECT_EQ(*report.jobs[0].last_run->start_time, utc(2026, 3, 20, 2));
}

// Issue 19, critical 2: a scheduled run killed mid-run left its row
// "running", and health reported the previous run's success for a month.
TEST(HealthLedger, AScheduledRunWhoseBackendIsGoneFailedInterrupted) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.jobs[0].command = "DO $job$BEGIN CALL fitbot_partman.run_maintenance(run_trigger => 'pg_cron'); END$job$;";
    facts.ledger_available = true;
    LedgerRunFact before = manual_run("succeeded", utc(2026, 2, 20, 2));
    before.trigger = "pg_cron";
    LedgerRunFact killed = manual_run("running", utc(2026, 3, 20, 2));
    killed.trigger = "pg_cron";
    killed.alive = false;
    facts.ledger_runs = {killed, before};
    MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::warning) << joined(report.reasons);
    EXPECT_EQ(report.jobs[0].consecutive_failures, 1);
    ASSERT_TRUE(report.jobs[0].last_run.has_value());
    EXPECT_EQ(report.jobs[0].last_run->status, "failed");
    EXPECT_TRUE(any_reason_contains(report.reasons, "failed its last run at 2026-03-20 02:00 UTC: interrupted"))
        << joined(report.reasons);
    EXPECT_FALSE(report.jobs[0].overdue);  // it did start at its firing
    // The same run still in progress is not a failure.
    facts.ledger_runs[0].alive = true;
    report = judge_at(facts);
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
    EXPECT_EQ(report.jobs[0].last_run->status, "running");
    // Two interrupted in a row are critical, as any two failures.
    facts.ledger_runs[0].alive = false;
    facts.ledger_runs[1] = killed;
    facts.ledger_runs[1].started_at = utc(2026, 2, 20, 2);
    EXPECT_EQ(judge_at(facts).status, Status::critical);
}

TEST(HealthLedger, AnInterruptedRunByHandIsAFailureByHand) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.ledger_available = true;
    facts.ledger_runs.push_back(manual_run("running", utc(2026, 3, 22, 8)));  // its session is gone
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::warning) << joined(report.reasons);
    EXPECT_TRUE(any_reason_contains(report.reasons, "run by hand: interrupted")) << joined(report.reasons);
}

Micros at(int hour, int minute) { return utc(2026, 3, 20, hour, minute); }

BackendFact backend(Micros started, BackendState state, std::optional<Micros> query_start) {
    BackendFact fact;
    fact.backend_start = started;
    fact.state = state;
    fact.query_start = query_start;
    return fact;
}

TEST(LedgerLiveness, TheRunsOwnStatementInItsOwnSessionIsInProgress) {
    // pg_cron connected at 02:00, sent the job's command, the driver wrote
    // its row a moment later.
    EXPECT_TRUE(ledger_run_in_progress(at(2, 1), backend(at(2, 0), BackendState::active, at(2, 0))));
}

TEST(LedgerLiveness, NoBackendWithThePidIsInterrupted) {
    EXPECT_FALSE(ledger_run_in_progress(at(2, 1), std::nullopt));  // kill -9, crash, restart
}

TEST(LedgerLiveness, APidReusedByALaterSessionIsInterrupted) {
    EXPECT_FALSE(ledger_run_in_progress(at(2, 1), backend(at(2, 30), BackendState::active, at(2, 30))));
    EXPECT_FALSE(ledger_run_in_progress(at(2, 1), backend(at(2, 30), BackendState::unknown, std::nullopt)));
}

TEST(LedgerLiveness, ACancelledRunInASessionThatStaysOpenIsInterrupted) {
    // pg_cancel_backend: the session is idle, or runs a later statement.
    EXPECT_FALSE(ledger_run_in_progress(at(2, 1), backend(at(2, 0), BackendState::idle, std::nullopt)));
    EXPECT_FALSE(ledger_run_in_progress(at(2, 1), backend(at(2, 0), BackendState::active, at(2, 5))));
}

TEST(LedgerLiveness, WhatTheReaderCannotSeeIsNotCalledInterrupted) {
    // Without pg_read_all_stats another role's backend shows its pid only.
    BackendFact hidden;
    EXPECT_TRUE(ledger_run_in_progress(at(2, 1), hidden));
    // track_activities off.
    EXPECT_TRUE(ledger_run_in_progress(at(2, 1), backend(at(2, 0), BackendState::unknown, std::nullopt)));
}

// Issue 19: `status` said "last run succeeded" and "has no recorded run yet"
// together, when the only runs were by hand.
TEST(HealthLedger, OnlyManualRunsAreNotCalledNoRun) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.runs.clear();
    facts.jobs[0].known_since.reset();
    facts.ledger_available = true;
    facts.ledger_runs.push_back(manual_run("succeeded", utc(2026, 3, 21, 9)));
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
    ASSERT_TRUE(report.jobs[0].last_run.has_value());
    EXPECT_TRUE(report.jobs[0].last_run->by_hand);
    EXPECT_FALSE(any_reason_contains(report.reasons, "no recorded run yet")) << joined(report.reasons);
    EXPECT_TRUE(any_reason_contains(report.reasons,
                                    "has run only by hand (the last at 2026-03-21 09:00 UTC), with no "
                                    "scheduled run recorded yet"))
        << joined(report.reasons);
    // A run of pg_cron's is not by hand.
    facts.runs = {run(3, "succeeded", utc(2026, 3, 20, 2))};
    facts.ledger_runs.clear();
    EXPECT_FALSE(judge_at(facts).jobs[0].last_run->by_hand);
}

TEST(HealthLedger, ACatchUpByHandClearsAMissedFiring) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.runs = {run(3, "succeeded", utc(2026, 2, 20, 2))};  // March's firing missed
    facts.ledger_available = true;
    EXPECT_TRUE(judge_at(facts).jobs[0].overdue);
    // A failed or abandoned run by hand does not clear it; a success does.
    facts.ledger_runs.push_back(manual_run("failed", utc(2026, 3, 23, 9)));
    EXPECT_TRUE(judge_at(facts).jobs[0].overdue);
    facts.ledger_runs.push_back(manual_run("succeeded", utc(2026, 3, 24, 9)));
    const MaintenanceReport report = judge_at(facts);
    EXPECT_FALSE(report.jobs[0].overdue);
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
}

TEST(HealthLedger, ADriverJobsRunsComeFromTheLedger) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.jobs[0].command = "DO $job$BEGIN CALL fitbot_partman.run_maintenance(run_trigger => 'pg_cron'); END$job$;";
    facts.ledger_available = true;
    LedgerRunFact scheduled = manual_run("failed", utc(2026, 3, 20, 2), "1 of 2 table(s) failed");
    scheduled.trigger = "pg_cron";
    facts.ledger_runs.push_back(scheduled);
    // cron.job_run_details is not read for it (the readers skip it); a row
    // there would say nothing more.
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::warning) << joined(report.reasons);
    EXPECT_EQ(report.jobs[0].consecutive_failures, 1);
    EXPECT_TRUE(any_reason_contains(report.reasons, "1 of 2 table(s) failed")) << joined(report.reasons);
    EXPECT_EQ(report.jobs[0].last_run->start_time, std::optional<Micros>(utc(2026, 3, 20, 2)));

    // Without the ledger (1.0 SQL) the same job reads cron.job_run_details.
    facts.ledger_available = false;
    facts.ledger_runs.clear();
    EXPECT_EQ(judge_at(facts).status, Status::ok);
}

// pg_cron in another database (layout L2): this database sees the ledger and
// the schedule setup() recorded, never the job.
MaintenanceFacts cron_elsewhere() {
    MaintenanceFacts facts;
    facts.cron_installed = false;
    facts.cron_database = "postgres";
    facts.jobs_visible = false;
    facts.jobs_hidden_reason =
        "pg_cron runs jobs from database postgres, and this database cannot read cron.job there.";
    facts.scheduler_running = true;
    facts.ledger_available = true;
    facts.recorded_schedule = kMonthlySchedule;
    LedgerRunFact ran = manual_run("succeeded", utc(2026, 3, 20, 2));
    ran.trigger = "pg_cron";
    facts.ledger_runs.push_back(ran);
    return facts;
}

TEST(HealthLayouts, CronElsewhereIsUnknownNeverCriticalNorOk) {
    const MaintenanceReport report = judge_at(cron_elsewhere());
    EXPECT_EQ(report.status, Status::unknown) << joined(report.reasons);
    EXPECT_TRUE(any_reason_contains(report.reasons, "cannot read cron.job there")) << joined(report.reasons);
    EXPECT_FALSE(any_reason_contains(report.reasons, "No pg_cron job")) << joined(report.reasons);
    // The job as its runs show it: next run from the recorded schedule.
    ASSERT_EQ(report.jobs.size(), 1u);
    EXPECT_FALSE(report.jobs[0].seen);
    ASSERT_TRUE(report.next_run.has_value());
    EXPECT_EQ(*report.next_run, utc(2026, 4, 20, 2));
    ASSERT_TRUE(report.jobs[0].last_success.has_value());
}

TEST(HealthLayouts, CronElsewhereStillReportsFailedAndMissedRuns) {
    MaintenanceFacts failed = cron_elsewhere();
    failed.ledger_runs[0].outcome = "failed";
    failed.ledger_runs[0].message = "1 of 1 table(s) failed";
    EXPECT_EQ(judge_at(failed).status, Status::warning);

    MaintenanceFacts missed = cron_elsewhere();
    missed.ledger_runs[0].started_at = utc(2026, 1, 20, 2);  // February's and March's firings passed
    missed.ledger_runs[0].finished_at = utc(2026, 1, 20, 2, 0, 2);
    const MaintenanceReport report = judge_at(missed);
    EXPECT_EQ(report.status, Status::warning) << joined(report.reasons);
    EXPECT_TRUE(report.jobs[0].overdue);
}

TEST(HealthLayouts, WithoutARecordedScheduleOnlyTheUnknownRemains) {
    MaintenanceFacts facts = cron_elsewhere();
    facts.recorded_schedule.reset();
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::unknown);
    EXPECT_TRUE(report.jobs.empty());
}

TEST(HealthLayouts, HiddenJobsAreUnknownAndTheirCountIsNotExported) {
    DatabaseFacts facts = healthy_database();
    facts.maintenance.jobs.clear();
    facts.maintenance.runs.clear();
    facts.maintenance.jobs_visible = false;  // row-level security: other roles' jobs hidden
    facts.maintenance.jobs_hidden_reason = "pg_cron shows this role only its own jobs.";
    const HealthReport report = judge(facts, kGmt, kGmt);
    EXPECT_EQ(report.maintenance.status, Status::unknown) << joined(report.maintenance.reasons);
    const std::string metrics = format_metrics(report, ExpositionInfo{"1.1", "4.7.4", "partman", "agentless"});
    EXPECT_EQ(metrics.find("\nfitbot_partman_maintenance_jobs "), std::string::npos);
}

TEST(HealthTimes, TimesAreStatedInPgCronsZoneAndInUtc) {
    const FixedOffsetZone seoul(9 * 3600, "Asia/Seoul");
    EXPECT_EQ(text::format_in_zone(utc(2026, 12, 19, 17), seoul), "2026-12-20 02:00 Asia/Seoul = 2026-12-19 17:00 UTC");
    EXPECT_EQ(text::format_in_zone(utc(2026, 12, 20, 2), kGmt), "2026-12-20 02:00 UTC");
    // The check summary of a healthy database, with cron.timezone = Asia/Seoul.
    const HealthReport report = judge(healthy_database(), seoul, kGmt);
    const CheckResult check = summarize(report);
    EXPECT_NE(check.summary.find("maintenance next runs 2026-04-20 02:00 Asia/Seoul = 2026-04-19 17:00 UTC"),
              std::string::npos)
        << check.summary;
}

TEST(HealthJobs, TwoActiveMaintenanceJobsWarn) {
    MaintenanceFacts facts = healthy_maintenance();
    CronJobFact second = maintenance_job(9, "30 3 1,15 * *");
    facts.jobs.push_back(second);
    facts.runs.push_back(run(9, "succeeded", utc(2026, 3, 15, 3, 30)));
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::warning);
    EXPECT_TRUE(any_reason_contains(report.reasons, "2 active pg_cron jobs (3, 9)")) << joined(report.reasons);
}

TEST(HealthRunway, AFarPartitionBeyondAGapAddsNoRunway) {
    ParentFact fact = healthy_parent();                            // April 2025 .. June 2026
    fact.partitions.push_back(month_partition(kParent, 2100, 1));  // rescued badly, far ahead
    const ParentReport report = judge_parent(fact, fixture_now(), judge_at(healthy_maintenance()), kGmt);
    ASSERT_TRUE(report.runway_until.has_value());
    EXPECT_EQ(*report.runway_until, utc(2026, 7, 1));
    EXPECT_EQ(report.gaps, 1);
    EXPECT_EQ(report.future_gaps, 1);
    EXPECT_EQ(report.status, Status::critical);
}

TEST(HealthRunway, APastGapStartsTheRunwayAgain) {
    ParentFact fact = monthly_parent(2025, 4, 2025, 6);
    for (const PartitionFact &partition : monthly_parent(2025, 9, 2026, 6).partitions) {
        if (!partition.is_default) fact.partitions.push_back(partition);
    }
    const ParentReport report = judge_parent(fact, fixture_now(), judge_at(healthy_maintenance()), kGmt);
    ASSERT_TRUE(report.runway_until.has_value());
    EXPECT_EQ(*report.runway_until, utc(2026, 7, 1));
    EXPECT_EQ(report.gaps, 1);
    EXPECT_EQ(report.future_gaps, 0);
}

TEST(HealthQuarantine, QuarantinedRowsWarn) {
    ParentFact fact = healthy_parent();
    fact.quarantined_rows = 2;
    const ParentReport report = judge_parent(fact, fixture_now(), judge_at(healthy_maintenance()), kGmt);
    EXPECT_EQ(report.status, Status::warning);
    EXPECT_TRUE(any_reason_contains(report.reasons, "2 rows in its quarantine table")) << joined(report.reasons);
    fact.quarantined_rows = 0;
    EXPECT_EQ(judge_parent(fact, fixture_now(), judge_at(healthy_maintenance()), kGmt).status, Status::ok);
}

TEST(FactsJsonLedger, NewFactsRoundTripAndOldDocumentsStillRead) {
    DatabaseFacts facts = healthy_database();
    facts.parents[0].quarantined_rows = 5;
    facts.maintenance.scheduler_running = true;
    facts.maintenance.ledger_available = true;
    facts.maintenance.ledger_runs.push_back(manual_run("failed", utc(2026, 3, 22, 9), "boom"));
    const DatabaseFacts back = facts_from_json(facts_to_json(facts));
    EXPECT_EQ(back.parents[0].quarantined_rows, std::optional<std::int64_t>(5));
    EXPECT_EQ(back.maintenance.scheduler_running, std::optional<bool>(true));
    ASSERT_EQ(back.maintenance.ledger_runs.size(), 1u);
    EXPECT_EQ(back.maintenance.ledger_runs[0].message, "boom");
    EXPECT_EQ(back.maintenance.ledger_runs[0].finished_at, facts.maintenance.ledger_runs[0].finished_at);

    // A 1.0 library's document has none of them: they read as unknown.
    std::string old = facts_to_json(healthy_database());
    for (const std::string key : {",\"quarantined_rows\":null", ",\"scheduler_running\":null", ",\"in_recovery\":false",
                                  ",\"ledger_available\":false", ",\"ledger_runs\":[]"}) {
        const std::size_t at = old.find(key);
        ASSERT_NE(at, std::string::npos) << key;
        old.erase(at, key.size());
    }
    const DatabaseFacts from_old = facts_from_json(old);
    EXPECT_FALSE(from_old.parents[0].quarantined_rows.has_value());
    EXPECT_FALSE(from_old.maintenance.scheduler_running.has_value());
    EXPECT_FALSE(from_old.maintenance.ledger_available);
}

}  // namespace
}  // namespace fitbot::core
