// Issue 19, critical 3: a firing of a driver job that failed before the
// driver's ledger row committed (pg_cron's "connection failed", "job startup
// timeout", a command that failed first) is a failed run, read from pg_cron's
// own record of the job's firings and matched with the ledger by job_pid and
// time; where that record cannot be read, a reason says so and the ledger and
// the overdue rule decide.
#include <gtest/gtest.h>

#include "core/facts_json.h"
#include "core/health.h"
#include "test_health_fixtures.h"

namespace fitbot::core {
namespace {

using namespace testing;

const FixedOffsetZone kGmt(0, "GMT");
constexpr const char *kDriverCommand =
    "DO $job$BEGIN CALL fitbot_partman.run_maintenance(run_trigger => 'pg_cron'); END$job$;";

MaintenanceReport judge_at(const MaintenanceFacts &facts, Micros now = fixture_now()) {
    return judge_maintenance(facts, now, kGmt);
}

LedgerRunFact scheduled_run(const std::string &outcome, Micros started, std::int32_t pid) {
    LedgerRunFact run;
    run.run_id = started / kMicrosPerSecond;
    run.trigger = "pg_cron";
    run.outcome = outcome;
    run.started_at = started;
    run.finished_at = started + 2 * kMicrosPerSecond;
    run.backend_pid = pid;
    return run;
}

// A row of cron.job_run_details for job 3.
CronRunFact firing(std::int64_t runid, const std::string &status, std::optional<Micros> start,
                   std::optional<std::int32_t> pid, const std::string &message) {
    CronRunFact run;
    run.jobid = 3;
    run.runid = runid;
    run.status = status;
    run.start_time = start;
    if (start) run.end_time = *start + 3 * kMicrosPerSecond;
    run.job_pid = pid;
    run.return_message = message;
    return run;
}

// The driver's job; February's and March's firings ran and succeeded, each
// in the ledger and in pg_cron's record (matched by pid).
MaintenanceFacts driver_job() {
    MaintenanceFacts facts;
    facts.cron_installed = true;
    facts.jobs.push_back(maintenance_job());
    facts.jobs[0].command = kDriverCommand;
    facts.ledger_available = true;
    facts.ledger_runs.push_back(scheduled_run("succeeded", utc(2026, 3, 20, 2, 0, 1), 4100));
    facts.ledger_runs.push_back(scheduled_run("succeeded", utc(2026, 2, 20, 2, 0, 1), 4000));
    facts.driver_firings_read = true;
    facts.runs.push_back(firing(20, "succeeded", utc(2026, 3, 20, 2), 4100, "DO"));
    facts.runs.push_back(firing(10, "succeeded", utc(2026, 2, 20, 2), 4000, "DO"));
    return facts;
}

TEST(UnrecordedFirings, MatchedFiringsChangeNothing) {
    const MaintenanceReport report = judge_at(driver_job());
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
    EXPECT_TRUE(report.reasons.empty()) << joined(report.reasons);
}

TEST(UnrecordedFirings, ConnectionFailedOnPgCron14IsAFailureNotTheLastSuccess) {
    // pg_cron 1.4: the failed connection has no pid and no times, only a
    // runid after March's firing. The ledger's newest run is a success.
    MaintenanceFacts facts = driver_job();
    facts.runs.insert(facts.runs.begin(), firing(21, "failed", std::nullopt, std::nullopt, "connection failed"));
    const MaintenanceReport report = judge_at(facts, utc(2026, 3, 20, 2, 5));
    EXPECT_EQ(report.status, Status::warning) << joined(report.reasons);
    ASSERT_EQ(report.jobs.size(), 1u);
    EXPECT_EQ(report.jobs[0].consecutive_failures, 1);
    EXPECT_EQ(report.jobs[0].last_run->status, "failed");
    EXPECT_TRUE(any_reason_contains(report.reasons, "pg_cron recorded \"connection failed\""))
        << joined(report.reasons);
    EXPECT_TRUE(any_reason_contains(report.reasons, "pg_hba.conf")) << joined(report.reasons);
}

TEST(UnrecordedFirings, ConnectionFailedOnPgCron16HasTimesButNoPid) {
    MaintenanceFacts facts = driver_job();
    facts.runs.insert(facts.runs.begin(),
                      firing(21, "failed", utc(2026, 3, 20, 2, 0, 5), std::nullopt, "connection failed"));
    const MaintenanceReport report = judge_at(facts, utc(2026, 3, 20, 2, 5));
    EXPECT_EQ(report.status, Status::warning) << joined(report.reasons);
    EXPECT_TRUE(any_reason_contains(report.reasons, "at 2026-03-20 02:00:05")) << joined(report.reasons);
}

TEST(UnrecordedFirings, TwoFailedFiringsInARowAreCritical) {
    MaintenanceFacts facts = driver_job();
    facts.runs.insert(facts.runs.begin(), firing(21, "failed", std::nullopt, std::nullopt, "connection failed"));
    facts.runs.insert(facts.runs.begin(), firing(22, "failed", std::nullopt, std::nullopt, "job startup timeout"));
    const MaintenanceReport report = judge_at(facts, utc(2026, 3, 20, 2, 5));
    EXPECT_EQ(report.status, Status::critical) << joined(report.reasons);
    EXPECT_EQ(report.jobs[0].consecutive_failures, 2);
    EXPECT_TRUE(any_reason_contains(report.reasons, "job startup timeout")) << joined(report.reasons);
    EXPECT_TRUE(any_reason_contains(report.reasons, "cron.max_running_jobs")) << joined(report.reasons);
}

TEST(UnrecordedFirings, AnOldFailureWithoutTimesSortsByRunidBeforeALaterSuccess) {
    // February's firing failed to connect (runid 15, no times); March's ran
    // and succeeded: the job is healthy, the failure is history.
    MaintenanceFacts facts = driver_job();
    facts.runs.insert(facts.runs.begin() + 1, firing(15, "failed", std::nullopt, std::nullopt, "connection failed"));
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
    EXPECT_EQ(report.jobs[0].consecutive_failures, 0);
    // Before any timed firing (the window holds none older): still before March's.
    MaintenanceFacts oldest = driver_job();
    oldest.runs.push_back(firing(5, "failed", std::nullopt, std::nullopt, "connection failed"));
    EXPECT_EQ(judge_at(oldest).status, Status::ok) << joined(judge_at(oldest).reasons);
}

TEST(UnrecordedFirings, AFailureWhoseBackendNeverWroteTheLedgerCounts) {
    // The command ran (pid 4200) and failed before the ledger row committed:
    // a bad stored setting under 1.0's driver, or the job's refusal to call
    // another role's procedure.
    MaintenanceFacts facts = driver_job();
    facts.runs.insert(facts.runs.begin(),
                      firing(21, "failed", utc(2026, 3, 20, 3), 4200, "ERROR:  timestamp out of range"));
    const MaintenanceReport report = judge_at(facts, utc(2026, 3, 20, 3, 5));
    EXPECT_EQ(report.status, Status::warning) << joined(report.reasons);
    EXPECT_TRUE(any_reason_contains(report.reasons, "timestamp out of range")) << joined(report.reasons);
    EXPECT_TRUE(any_reason_contains(report.reasons, "before fitbot_partman.run_maintenance() recorded"))
        << joined(report.reasons);
}

TEST(UnrecordedFirings, AFailedFiringTheLedgerRecordedIsCountedOnce) {
    MaintenanceFacts facts = driver_job();
    facts.ledger_runs.insert(facts.ledger_runs.begin(), scheduled_run("failed", utc(2026, 3, 20, 3, 0, 1), 4300));
    facts.ledger_runs[0].message = "1 of 1 table(s) failed";
    facts.runs.insert(facts.runs.begin(),
                      firing(21, "failed", utc(2026, 3, 20, 3), 4300, "ERROR:  maintenance failed"));
    const MaintenanceReport report = judge_at(facts, utc(2026, 3, 20, 3, 5));
    EXPECT_EQ(report.status, Status::warning) << joined(report.reasons);
    EXPECT_EQ(report.jobs[0].consecutive_failures, 1);
    EXPECT_TRUE(any_reason_contains(report.reasons, "1 of 1 table(s) failed")) << joined(report.reasons);
    EXPECT_FALSE(any_reason_contains(report.reasons, "pg_cron recorded")) << joined(report.reasons);
}

TEST(UnrecordedFirings, ASamePidLongAfterIsNoMatch) {
    // A pid reused by a later firing: the match needs the time too.
    MaintenanceFacts facts = driver_job();
    facts.runs.insert(facts.runs.begin(), firing(21, "failed", utc(2026, 3, 20, 4), 4100, "ERROR:  boom"));
    EXPECT_EQ(judge_at(facts, utc(2026, 3, 20, 4, 5)).status, Status::warning);
}

TEST(UnrecordedFirings, NotReadTheReasonsSayWhyAndNothingIsInvented) {
    // cron.log_run off: no record; the ledger's success stands, the reason
    // says what cannot be seen; never a failure invented, never a fault.
    MaintenanceFacts facts = driver_job();
    facts.runs.clear();
    facts.driver_firings_read = false;
    facts.driver_firings_unseen = "cron.log_run is off, so pg_cron records no firing";
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
    EXPECT_TRUE(any_reason_contains(report.reasons, "judged from the ledger alone: cron.log_run is off"))
        << joined(report.reasons);
    // ... and a firing that never reached the ledger is still a missed firing.
    const MaintenanceReport missed = judge_at(facts, utc(2026, 4, 20, 3, 30));
    EXPECT_EQ(missed.status, Status::warning) << joined(missed.reasons);
    EXPECT_TRUE(missed.jobs[0].overdue);
}

TEST(UnrecordedFirings, IgnoredUnlessTheFiringsWereRead) {
    // A reader that did not read the window leaves rows of other meaning alone.
    MaintenanceFacts facts = driver_job();
    facts.driver_firings_read = false;
    facts.runs.insert(facts.runs.begin(), firing(21, "failed", std::nullopt, std::nullopt, "connection failed"));
    EXPECT_EQ(judge_at(facts, utc(2026, 3, 20, 2, 5)).status, Status::ok);
}

TEST(UnrecordedFirings, FactsSurviveJson) {
    DatabaseFacts facts = healthy_database();
    facts.maintenance = driver_job();
    facts.maintenance.runs.insert(facts.maintenance.runs.begin(),
                                  firing(21, "failed", std::nullopt, std::nullopt, "connection failed"));
    const DatabaseFacts back = facts_from_json(facts_to_json(facts));
    ASSERT_EQ(back.maintenance.runs.size(), 3u);
    EXPECT_EQ(back.maintenance.runs[0].runid, std::optional<std::int64_t>(21));
    EXPECT_FALSE(back.maintenance.runs[0].job_pid.has_value());
    EXPECT_EQ(back.maintenance.runs[1].job_pid, std::optional<std::int32_t>(4100));
    EXPECT_EQ(back.maintenance.ledger_runs[0].backend_pid, 4100);
    EXPECT_TRUE(back.maintenance.driver_firings_read);
    EXPECT_EQ(judge_maintenance(back.maintenance, utc(2026, 3, 20, 2, 5), kGmt).status, Status::warning);
}

}  // namespace
}  // namespace fitbot::core
