// judge_maintenance: pg_cron jobs that run pg_partman maintenance.
#include <gtest/gtest.h>

#include "core/health.h"
#include "test_health_fixtures.h"

namespace fitbot::core {
namespace {

using namespace testing;

const FixedOffsetZone kGmt(0, "GMT");

MaintenanceReport judge_at(const MaintenanceFacts &facts, Micros now = fixture_now()) {
    return judge_maintenance(facts, now, kGmt);
}

TEST(HealthMaintenance, MonthlyJobThatRanIsOk) {
    const MaintenanceReport report = judge_at(healthy_maintenance());
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
    EXPECT_TRUE(report.reasons.empty());
    ASSERT_EQ(report.jobs.size(), 1u);
    const JobReport &job = report.jobs[0];
    EXPECT_EQ(job.timezone, "GMT");
    ASSERT_TRUE(job.next_run.has_value());
    EXPECT_EQ(*job.next_run, utc(2026, 4, 20, 2));
    ASSERT_TRUE(job.previous_scheduled_run.has_value());
    EXPECT_EQ(*job.previous_scheduled_run, utc(2026, 3, 20, 2));
    ASSERT_TRUE(job.schedule_period.has_value());
    EXPECT_EQ(*job.schedule_period, 31 * kMicrosPerDay);
    ASSERT_TRUE(job.last_run.has_value());
    EXPECT_EQ(*job.last_run->start_time, utc(2026, 3, 20, 2));
    ASSERT_TRUE(job.last_success.has_value());
    EXPECT_EQ(*job.last_success, utc(2026, 3, 20, 2, 0, 3));
    EXPECT_EQ(job.consecutive_failures, 0);
    EXPECT_FALSE(job.overdue);
    ASSERT_TRUE(report.next_run.has_value());
    EXPECT_EQ(*report.next_run, utc(2026, 4, 20, 2));
    ASSERT_TRUE(report.schedule_period.has_value());
    EXPECT_EQ(*report.schedule_period, 31 * kMicrosPerDay);
}

TEST(HealthMaintenance, NoJobIsCritical) {
    MaintenanceFacts facts;
    facts.cron_installed = true;
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::critical);
    ASSERT_EQ(report.reasons.size(), 1u);
    EXPECT_EQ(report.reasons[0],
              "No pg_cron job runs pg_partman maintenance, so no new partitions are created and "
              "retention never drops old ones; run SELECT fitbot_partman.schedule_maintenance().");
    EXPECT_FALSE(report.next_run.has_value());
}

// The hint for a missing job names what works in each layout (issue 21).
std::string no_job_reason(MaintenanceFacts facts) {
    facts.cron_installed = true;
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::critical);
    EXPECT_EQ(report.findings.size(), 1u);
    return report.findings.empty() ? std::string() : report.findings[0].reason;
}

TEST(HealthMaintenance, NoJobWherePgCronLivesHereSaysScheduleMaintenance) {  // L1
    MaintenanceFacts facts;
    facts.database = "fitbot";
    facts.cron_database = "fitbot";
    EXPECT_EQ(no_job_reason(facts),
              "No pg_cron job runs pg_partman maintenance, so no new partitions are created and "
              "retention never drops old ones; run SELECT fitbot_partman.schedule_maintenance().");
}

TEST(HealthMaintenance, NoJobWherePgCronLivesElsewhereSaysSetupNotScheduleMaintenance) {  // L2
    MaintenanceFacts facts;
    facts.database = "fitbot2";
    facts.cron_database = "postgres";
    const std::string reason = no_job_reason(facts);
    EXPECT_EQ(reason.find("schedule_maintenance"), std::string::npos) << reason;
    EXPECT_NE(reason.find("run `fitbot-partman setup` for this database (it schedules the job in database "
                          "\"postgres\", where pg_cron lives), or SELECT fitbot_partman.setup() here and, "
                          "connected to database \"postgres\", the statement its schedule row prints."),
              std::string::npos)
        << reason;
}

TEST(HealthMaintenance, NoJobAgentlessSaysTheCompanionsSetup) {  // L3, and agentless anywhere
    for (const char *cron_database : {"postgres", "fitbot", ""}) {
        MaintenanceFacts facts;
        facts.database = "fitbot";
        facts.cron_database = cron_database;
        facts.extension_installed = false;
        const std::string reason = no_job_reason(facts);
        EXPECT_EQ(reason.find("fitbot_partman."), std::string::npos) << reason;
        EXPECT_NE(reason.find("run `fitbot-partman setup` for this database as its administrator"), std::string::npos)
            << reason;
        EXPECT_EQ(reason.find("\"postgres\", where pg_cron lives") != std::string::npos,
                  std::string(cron_database) == "postgres")
            << reason;
    }
}

TEST(HealthMaintenance, PgCronMissingInItsOwnDatabaseNamesThatDatabase) {  // L2, no CREATE EXTENSION there
    MaintenanceFacts facts;
    facts.database = "fitbot2";
    facts.cron_database = "postgres";
    facts.cron_installed = false;
    const MaintenanceReport report = judge_at(facts);
    ASSERT_EQ(report.findings.size(), 1u);
    EXPECT_EQ(report.findings[0].brief, "pg_cron not installed");
    const std::string &reason = report.findings[0].reason;
    // Never "set cron.database_name to this database": that would take every other database's jobs.
    EXPECT_EQ(reason.find("cron.database_name to this database"), std::string::npos) << reason;
    EXPECT_EQ(reason.find("schedule_maintenance"), std::string::npos) << reason;
    EXPECT_NE(reason.find("pg_cron is not installed in database \"postgres\" (cron.database_name)"), std::string::npos)
        << reason;
    EXPECT_NE(reason.find("run CREATE EXTENSION pg_cron in database \"postgres\""), std::string::npos) << reason;
}

TEST(HealthMaintenance, PgCronNotLoadedAgentlessEndsWithTheCompanionsSetup) {
    MaintenanceFacts facts;
    facts.database = "fitbot";
    facts.extension_installed = false;
    facts.cron_installed = false;
    const MaintenanceReport report = judge_at(facts);
    ASSERT_EQ(report.findings.size(), 1u);
    const std::string &reason = report.findings[0].reason;
    EXPECT_NE(reason.find("add pg_cron to shared_preload_libraries"), std::string::npos) << reason;
    EXPECT_NE(reason.find("then run `fitbot-partman setup`"), std::string::npos) << reason;
    EXPECT_EQ(reason.find("fitbot_partman."), std::string::npos) << reason;
}

TEST(HealthMaintenance, TwoJobsWherePgCronLivesElsewhereAreRemovedThere) {  // L2, L3
    MaintenanceFacts facts = healthy_maintenance();
    facts.database = "fitbot2";
    facts.cron_database = "postgres";
    CronJobFact second = facts.jobs.front();
    second.jobid = 4;
    facts.jobs.push_back(second);
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::warning);
    EXPECT_TRUE(any_reason_contains(report.reasons,
                                    "keep one and remove the others with SELECT "
                                    "cron.unschedule(jobid) in database \"postgres\", where "
                                    "pg_cron lives."));
    for (const std::string &reason : report.reasons) EXPECT_EQ(reason.find("schedule_maintenance"), std::string::npos);
}

TEST(HealthMaintenance, CronNotInstalledIsCritical) {
    MaintenanceFacts facts;
    facts.cron_installed = false;
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::critical);
    ASSERT_EQ(report.reasons.size(), 1u);
    EXPECT_TRUE(any_reason_contains(report.reasons, "pg_cron is not installed in this database"));
    EXPECT_EQ(report.findings[0].brief, "pg_cron not installed");
}

TEST(HealthMaintenance, InactiveJobIsCritical) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.jobs[0].active = false;
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::critical);
    EXPECT_EQ(report.jobs[0].status, Status::critical);
    EXPECT_FALSE(report.jobs[0].next_run.has_value());
    EXPECT_FALSE(report.next_run.has_value());
    ASSERT_EQ(report.reasons.size(), 1u) << joined(report.reasons);
    EXPECT_EQ(report.reasons[0],
              "Maintenance job 3 (partman-maintenance) is inactive, so pg_partman maintenance "
              "does not run; activate it with SELECT cron.alter_job(3, active := true).");
}

TEST(HealthMaintenance, InactiveLeftoverBesideAnActiveJobIsWarning) {
    MaintenanceFacts facts = healthy_maintenance();
    CronJobFact old = maintenance_job(1);
    old.jobname = "old-maintenance";
    old.active = false;
    facts.jobs.insert(facts.jobs.begin(), old);
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::warning);
    EXPECT_EQ(report.jobs[0].status, Status::warning);
    EXPECT_EQ(report.jobs[1].status, Status::ok);
    EXPECT_TRUE(any_reason_contains(report.reasons, "SELECT cron.unschedule(1)")) << joined(report.reasons);
    ASSERT_TRUE(report.next_run.has_value());
    EXPECT_EQ(*report.next_run, utc(2026, 4, 20, 2));
}

TEST(HealthMaintenance, OneFailedRunIsWarning) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.runs.insert(facts.runs.begin(), run(3, "failed", utc(2026, 3, 20, 2),
                                              "ERROR:  updated partition constraint for default partition would be "
                                              "violated by some row"));
    facts.runs.erase(facts.runs.begin() + 1);  // the 2026-03-20 success
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::warning);
    EXPECT_EQ(report.jobs[0].consecutive_failures, 1);
    ASSERT_EQ(report.reasons.size(), 1u) << joined(report.reasons);
    EXPECT_EQ(report.reasons[0],
              "Maintenance job 3 (partman-maintenance) failed its last run at 2026-03-20 02:00 "
              "UTC: ERROR: updated partition constraint for default partition would be violated "
              "by some row. Fix the cause, then run CALL partman.run_maintenance_proc() by hand "
              "to catch up.");
    ASSERT_TRUE(report.jobs[0].last_success.has_value());
    EXPECT_EQ(*report.jobs[0].last_success, utc(2026, 2, 20, 2, 0, 3));
}

TEST(HealthMaintenance, TwoFailedRunsInARowAreCritical) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.runs = {run(3, "failed", utc(2026, 3, 20, 2), "ERROR: no space left on device"),
                  run(3, "failed", utc(2026, 2, 20, 2), "ERROR: no space left on device"),
                  run(3, "succeeded", utc(2026, 1, 20, 2))};
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::critical);
    EXPECT_EQ(report.jobs[0].consecutive_failures, 2);
    EXPECT_TRUE(any_reason_contains(report.reasons,
                                    "failed its last 2 runs, most recently at "
                                    "2026-03-20 02:00 UTC: ERROR: no space left "
                                    "on device."))
        << joined(report.reasons);
    EXPECT_EQ(report.findings[0].brief, "maintenance job 3 (partman-maintenance) failed 2 times in a row");
}

TEST(HealthMaintenance, SuccessAfterAFailureIsOk) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.runs = {run(3, "succeeded", utc(2026, 3, 20, 2)),
                  run(3, "failed", utc(2026, 2, 20, 2), "ERROR: deadlock detected"),
                  run(3, "failed", utc(2026, 1, 20, 2), "ERROR: deadlock detected")};
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::ok) << joined(report.reasons);
    EXPECT_EQ(report.jobs[0].consecutive_failures, 0);
}

TEST(HealthMaintenance, RunInProgressIsSkippedForFailuresButIsTheLastRun) {
    MaintenanceFacts facts = healthy_maintenance();
    const Micros now = utc(2026, 4, 20, 2, 0, 10);
    facts.runs = {run(3, "running", utc(2026, 4, 20, 2)), run(3, "failed", utc(2026, 3, 20, 2), "ERROR: boom"),
                  run(3, "succeeded", utc(2026, 2, 20, 2))};
    const MaintenanceReport report = judge_at(facts, now);
    const JobReport &job = report.jobs[0];
    EXPECT_EQ(job.consecutive_failures, 1);
    EXPECT_EQ(job.status, Status::warning);
    ASSERT_TRUE(job.last_run.has_value());
    EXPECT_EQ(job.last_run->status, "running");
    ASSERT_TRUE(job.last_finished_run.has_value());
    EXPECT_EQ(job.last_finished_run->status, "failed");
    EXPECT_FALSE(job.overdue);
}

TEST(HealthMaintenance, RunsAreSortedNewestFirstAndFilteredByJob) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.runs = {run(3, "succeeded", utc(2026, 2, 20, 2)), run(7, "failed", utc(2026, 3, 24, 2), "ERROR: other job"),
                  run(3, "failed", utc(2026, 3, 20, 2), "ERROR: boom")};
    const MaintenanceReport report = judge_at(facts);
    const JobReport &job = report.jobs[0];
    ASSERT_TRUE(job.last_run.has_value());
    EXPECT_EQ(job.last_run->status, "failed");
    EXPECT_EQ(*job.last_run->start_time, utc(2026, 3, 20, 2));
    EXPECT_EQ(job.consecutive_failures, 1);
    EXPECT_FALSE(any_reason_contains(report.reasons, "other job"));
}

TEST(HealthMaintenance, NeverRanAlthoughKnownSinceLongAgoIsOverdue) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.runs.clear();
    facts.jobs[0].known_since = utc(2025, 12, 1);
    const MaintenanceReport report = judge_at(facts);
    EXPECT_TRUE(report.jobs[0].overdue);
    EXPECT_EQ(report.status, Status::warning);
    ASSERT_EQ(report.reasons.size(), 1u) << joined(report.reasons);
    EXPECT_EQ(report.reasons[0],
              "Maintenance job 3 (partman-maintenance) has never run although pg_cron should have "
              "started it at 2026-03-20 02:00 UTC (schedule '0 2 20 * *' in GMT); check that pg_cron's "
              "background worker runs for this database (shared_preload_libraries, cron.database_name) "
              "and read the server log, then run CALL partman.run_maintenance_proc() by hand to catch up.");
    EXPECT_EQ(report.findings[0].brief,
              "maintenance job 3 (partman-maintenance) missed its firing at 2026-03-20 02:00 UTC");
}

TEST(HealthMaintenance, NewJobWithoutRunsIsNotOverdue) {
    // Created after the 2026-03-20 firing: it has missed nothing yet.
    MaintenanceFacts facts = healthy_maintenance();
    facts.runs.clear();
    facts.jobs[0].known_since = utc(2026, 3, 21);
    MaintenanceReport report = judge_at(facts);
    EXPECT_FALSE(report.jobs[0].overdue);
    EXPECT_EQ(report.status, Status::ok);

    // Unknown creation time and no runs: not overdue, but said.
    facts.jobs[0].known_since.reset();
    report = judge_at(facts);
    EXPECT_FALSE(report.jobs[0].overdue);
    EXPECT_EQ(report.status, Status::ok);
    ASSERT_EQ(report.findings.size(), 1u);
    EXPECT_EQ(report.findings[0].status, Status::ok);
    EXPECT_EQ(report.reasons[0],
              "Maintenance job 3 (partman-maintenance) has no recorded run yet (or cron.log_run is "
              "off); its next run is due at 2026-04-20 02:00 UTC.");
}

TEST(HealthMaintenance, NoRunSinceTwoFiringsIsOverdue) {
    // Last run 2026-01-20; the 2026-02-20 and 2026-03-20 firings passed.
    MaintenanceFacts facts = healthy_maintenance();
    facts.runs = {run(3, "succeeded", utc(2026, 1, 20, 2))};
    const MaintenanceReport report = judge_at(facts);
    EXPECT_TRUE(report.jobs[0].overdue);
    EXPECT_EQ(report.status, Status::warning);
    EXPECT_TRUE(any_reason_contains(report.reasons,
                                    "last started at 2026-01-20 02:00 UTC, but pg_cron should "
                                    "have started it at 2026-03-20 02:00 UTC"))
        << joined(report.reasons);
}

// The seed's lesson: a monthly job that silently skips its firing is told
// within the hour, with the firing it missed, not a month later.
TEST(HealthMaintenance, AMissedMonthlyFiringIsReportedWithinTheHour) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.runs = {run(3, "succeeded", utc(2026, 2, 20, 2))};  // March's firing did not run
    // Before the firing, and within the grace after it: nothing is missed yet.
    EXPECT_FALSE(judge_at(facts, utc(2026, 3, 20, 1, 59)).jobs[0].overdue);
    EXPECT_FALSE(judge_at(facts, utc(2026, 3, 20, 2, 59)).jobs[0].overdue);
    EXPECT_EQ(judge_at(facts, utc(2026, 3, 20, 2, 59)).status, Status::ok);
    // An hour after it: missed, and said with the firing.
    MaintenanceReport report = judge_at(facts, utc(2026, 3, 20, 3, 0));
    EXPECT_TRUE(report.jobs[0].overdue);
    EXPECT_EQ(report.status, Status::warning);
    EXPECT_TRUE(any_reason_contains(report.reasons,
                                    "last started at 2026-02-20 02:00 UTC, but pg_cron should have "
                                    "started it at 2026-03-20 02:00 UTC (schedule"))
        << joined(report.reasons);
    // Still said days later.
    EXPECT_TRUE(judge_at(facts).jobs[0].overdue);
    // A run of the job clears it, even a late one.
    facts.runs.insert(facts.runs.begin(), run(3, "succeeded", utc(2026, 3, 21, 9)));
    EXPECT_EQ(judge_at(facts).status, Status::ok) << joined(judge_at(facts).reasons);
}

TEST(HealthMaintenance, AFiringSkippedByAFrequentJobWaitsForTheNext) {
    // Every 10 minutes: pg_cron skips a firing while the previous run still
    // runs, so one missed firing is no fault; two are.
    MaintenanceFacts facts = healthy_maintenance();
    facts.jobs[0].schedule = "*/10 * * * *";
    facts.runs = {run(3, "succeeded", utc(2026, 3, 25, 11, 50))};
    EXPECT_FALSE(judge_at(facts, utc(2026, 3, 25, 12, 5)).jobs[0].overdue);
    EXPECT_TRUE(judge_at(facts, utc(2026, 3, 25, 12, 10)).jobs[0].overdue);
}

TEST(HealthMaintenance, InvalidScheduleIsCritical) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.jobs[0].schedule = "0 2 20 13 *";
    const MaintenanceReport report = judge_at(facts);
    EXPECT_EQ(report.status, Status::critical);
    EXPECT_FALSE(report.jobs[0].next_run.has_value());
    EXPECT_FALSE(report.next_run.has_value());
    EXPECT_TRUE(any_reason_contains(report.reasons,
                                    "Maintenance job 3 (partman-maintenance) has the schedule "
                                    "'0 2 20 13 *', which pg_cron cannot run: "))
        << joined(report.reasons);
}

TEST(HealthMaintenance, EarliestActiveJobGivesTheNextRun) {
    MaintenanceFacts facts = healthy_maintenance();
    facts.jobs.push_back(maintenance_job(4, "0 3 * * *"));
    facts.runs.push_back(run(4, "succeeded", utc(2026, 3, 25, 3)));
    const MaintenanceReport report = judge_at(facts);
    // Two active maintenance jobs are a warning of their own (see
    // test_health_ledger_scheduler.cpp); the next run is still the earliest.
    EXPECT_EQ(report.status, Status::warning) << joined(report.reasons);
    ASSERT_TRUE(report.next_run.has_value());
    EXPECT_EQ(*report.next_run, utc(2026, 3, 26, 3));
    ASSERT_TRUE(report.schedule_period.has_value());
    EXPECT_EQ(*report.schedule_period, kMicrosPerDay);
}

TEST(HealthMaintenance, ScheduleIsEvaluatedInTheCronZone) {
    // A zone 2 hours ahead: 02:00 local on the 20th is 00:00 UTC.
    const FixedOffsetZone ahead(2 * 3600, "Etc/GMT-2");
    const MaintenanceReport report = judge_maintenance(healthy_maintenance(), fixture_now(), ahead);
    ASSERT_TRUE(report.next_run.has_value());
    EXPECT_EQ(*report.next_run, utc(2026, 4, 20, 0));
    EXPECT_EQ(report.jobs[0].timezone, "Etc/GMT-2");
}

}  // namespace
}  // namespace fitbot::core
