// Health rules of pg_partman's maintenance as pg_cron runs it (judge_maintenance).
//
// Thresholds, as docs/health.md quotes them:
//
//   CRITICAL  pg_cron is not installed in this database;
//   CRITICAL  no pg_cron job runs pg_partman maintenance;
//   CRITICAL  a job's schedule is one pg_cron rejects or that never fires;
//   CRITICAL  a job is inactive and no other active job runs maintenance
//             (WARNING when another active job does: it is a leftover);
//   WARNING   the newest finished run failed (consecutive_failures == 1);
//   CRITICAL  two or more finished runs failed in a row, newest first;
//   WARNING   overdue (active jobs only): a firing of the job was missed.
//             Let P be the latest scheduled firing at or before now and F the
//             firing before P. The firing judged, M, is P once the grace
//             (kMissedFiringGrace) has passed since P for a job that fires at
//             most once a day, and F otherwise: a monthly job that skips its
//             firing is reported within the hour, not a month later, while a
//             job firing every few minutes may skip one firing (pg_cron skips
//             a firing while the previous run still runs) and is reported
//             when two pass. The job is overdue when no scheduled run started
//             at or after M (a run still in progress counts as started), no
//             run by hand succeeded after M (catching up by hand clears it, as
//             the runbook says), and the job is known to have existed at M:
//             either some run of it is recorded (it started before M), or
//             known_since <= M. A job with no recorded run and no known
//             creation time is never overdue, because pg_cron 1.4 does not
//             record when a job was created and a job made yesterday must not
//             warn for last month's firing; it gets an informational finding
//             instead.
//
//   CRITICAL  pg_cron's scheduler (its launcher) is not running on a primary:
//             no job runs at all (on a standby none runs until promotion, an
//             informational finding);
//   WARNING   more than one active job runs maintenance for this database.
//
// A job whose command runs fitbot_partman.run_maintenance() has its runs read
// from the driver's ledger (runs the driver made for pg_cron), not from
// cron.job_run_details, whose cost grows without bound; the readers skip that
// table for such jobs.
//
// A ledger run still marked running whose backend is gone (killed, crashed,
// its pid reused by a later session) or cancelled in a session that stays
// open is a failed run at once, "interrupted" (core/ledger_liveness.h).
//
// A job that runs the driver fails before its ledger row commits when pg_cron
// cannot connect (pg_hba, a role that cannot log in), when it times out
// starting the job, or when the command fails before the driver records the
// run: the ledger then holds nothing. Where pg_cron's record of the job's
// firings was read (driver_firings_read: the newest kCronFiringsWindow
// runids), a firing pg_cron recorded as failed that no ledger run matches is
// a failed run with pg_cron's message and the likely fix. A ledger run
// matches a firing when its backend_pid is the firing's job_pid and it
// started between the firing's start and end. A failed connection has no
// job_pid (pg_cron 1.4 records no times either): it never matches, and sorts
// by runid next to the firings around it. Where that record cannot be read
// (cron.log_run off, row-level security, pg_cron in another database seen
// from the extension), a reason says so, and such a firing shows only as a
// missed firing (the overdue rule): never as a success.
//
// Runs of fitbot_partman.run_maintenance() by hand, from its ledger, count
// with the job's own runs for failures and the last success: a successful
// manual run clears a failure, as the runbook promises, and a missed firing
// it caught up with.
//
// Where the jobs cannot all be read (pg_cron in another database, or other
// roles' jobs hidden by row-level security), a missing job is UNKNOWN, never
// the CRITICAL "no job": the finding says why and how to see them. With pg_cron
// in another database, the job setup() scheduled there is still judged from
// what this database knows: the schedule setup() recorded and the ledger's
// runs (failures, overdue, next run), as a job whose existence and activity
// are unknown.
//
// Firings follow CronClockRule::every_utc_minute, pg_cron's real behaviour.
// Runs in progress (starting, running, connecting, sending) are skipped when
// counting failures but count as "ran" for overdue. The maintenance
// next_run is the earliest next run of an active job with a valid schedule.
#include <algorithm>
#include <cctype>
#include <string>

#include "cron.h"
#include "health.h"
#include "health_text.h"
#include "schedule_hints.h"
#include "shared_facts.h"

namespace fitbot::core {

namespace {

constexpr std::size_t kMaxMessageInReason = 160;

// The driver's own words for such a run when the next run closes its row
// (27_maintenance_driver.sql), so that health says the same before and after.
constexpr const char *kInterruptedRunMessage =
    "interrupted before it finished (cancelled, timed out, or its session ended)";

// How long after a firing a job that fires at most daily may take to show a
// started run before the firing counts as missed. pg_cron starts a job within
// seconds of its minute (a run still connecting counts as started), so an
// hour is ample for a slow start and still tells a person the same night.
constexpr Micros kMissedFiringGrace = kMicrosPerHour;

// Judge by what pg_cron's launcher really does (it walks UTC minutes: a
// wall-clock time skipped by DST never fires, a repeated one fires twice), not
// by vixie cron's catch-up rule: a monitor must predict the runs that happen.
// With pg_cron 1.4 (GMT) both rules agree.
constexpr CronClockRule kClock = CronClockRule::every_utc_minute;

bool in_progress(const CronRunFact &run) {
    return run.status == "starting" || run.status == "running" || run.status == "connecting" || run.status == "sending";
}

std::string job_label(const CronJobFact &job) {
    if (job.jobid == 0) return "job " + job.jobname;  // one this database cannot see
    std::string label = "job " + std::to_string(job.jobid);
    if (!job.jobname.empty()) label += " (" + job.jobname + ")";
    return label;
}

// A run from the ledger as a run of the job, or nullopt when it says nothing
// about maintenance (skipped). A run still marked running whose backend is
// gone or no longer runs it (ledger_run_in_progress(), decided by the
// readers as `alive`) was interrupted: a failure at once, not the previous
// run's success until the next run closes its row.
std::optional<CronRunFact> as_job_run(const LedgerRunFact &ledger, std::int64_t jobid) {
    CronRunFact run;
    run.jobid = jobid;
    std::string message = ledger.message;
    if (ledger.outcome == "succeeded" || ledger.outcome == "failed") {
        run.status = ledger.outcome;
    } else if (ledger.outcome == "running" && ledger.alive) {
        run.status = "running";
    } else if (ledger.outcome == "running") {
        run.status = "failed";
        message = kInterruptedRunMessage;
    } else {
        return std::nullopt;
    }
    run.by_hand = ledger.trigger != "pg_cron";
    run.return_message = run.by_hand ? "run by hand: " + (message.empty() ? ledger.outcome : message) : message;
    run.start_time = ledger.started_at;
    run.end_time = ledger.finished_at;
    return run;
}

// What a person runs by hand to catch up after a failed or missed run: the
// driver where its ledger exists, pg_partman's own procedure otherwise.
std::string catch_up_call(const MaintenanceFacts &facts) {
    return facts.ledger_available ? "CALL fitbot_partman.run_maintenance()" : "CALL partman.run_maintenance_proc()";
}

bool runs_the_driver(const CronJobFact &job) {
    return job.command.find(shared::kDriverCommandMarker) != std::string::npos;
}

// pg_cron's words for a firing the driver never recorded, and the likely fix
// (kept short: a reason quotes at most kMaxMessageInReason characters).
std::string unrecorded_firing_message(const std::string &return_message) {
    std::string said = text::one_line(return_message, 60);
    std::string lower = return_message;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string fix;
    if (lower.find("connect") != std::string::npos || lower.find("pg_hba") != std::string::npos ||
        lower.find("authentication") != std::string::npos || lower.find("password") != std::string::npos ||
        lower.find("not permitted to log in") != std::string::npos) {
        fix = "pg_cron could not connect as the job's user: allow it in pg_hba.conf (from cron.host)";
    } else if (lower.find("startup timeout") != std::string::npos) {
        fix = "pg_cron could not start it in time: check max_connections and cron.max_running_jobs";
    } else {
        fix = "it failed before fitbot_partman.run_maintenance() recorded a run";
    }
    return "pg_cron recorded " + (said.empty() ? std::string("a failure") : "\"" + said + "\"") + " (" + fix + ")";
}

// Whether a run in the ledger is the one pg_cron's firing started.
bool recorded_in_ledger(const MaintenanceFacts &facts, const CronRunFact &firing) {
    if (!firing.job_pid) return false;
    for (const LedgerRunFact &ledger : facts.ledger_runs) {
        if (ledger.trigger != "pg_cron" || ledger.backend_pid != *firing.job_pid) continue;
        if (firing.start_time && ledger.started_at < *firing.start_time - kMicrosPerSecond) continue;
        if (firing.end_time && ledger.started_at > *firing.end_time + kMicrosPerSecond) continue;
        return true;
    }
    return false;
}

// The firings of a driver job that pg_cron recorded as failed and the ledger
// never recorded, as failed runs. Firings older than the oldest ledger run
// read are left out when the ledger read may be cut short (its match may be
// among the runs not read).
std::vector<CronRunFact> unrecorded_failed_firings(const MaintenanceFacts &facts, const CronJobFact &job) {
    std::vector<const CronRunFact *> firings;  // by runid, oldest first
    for (const CronRunFact &run : facts.runs) {
        if (run.jobid == job.jobid && run.runid) firings.push_back(&run);
    }
    std::sort(firings.begin(), firings.end(),
              [](const CronRunFact *a, const CronRunFact *b) { return *a->runid < *b->runid; });
    std::optional<Micros> ledger_horizon;
    if (facts.ledger_runs.size() >= static_cast<std::size_t>(shared::kRunsPerJob)) {
        for (const LedgerRunFact &ledger : facts.ledger_runs) {
            if (!ledger_horizon || ledger.started_at < *ledger_horizon) ledger_horizon = ledger.started_at;
        }
    }
    std::vector<CronRunFact> unrecorded;
    for (std::size_t i = 0; i < firings.size(); ++i) {
        const CronRunFact &firing = *firings[i];
        if (firing.status != "failed" || recorded_in_ledger(facts, firing)) continue;
        CronRunFact run = firing;
        run.return_message = unrecorded_firing_message(firing.return_message);
        if (!run.start_time) {
            // After the firing before it (once that ended), else just before the one after it.
            // (One microsecond per runid between them keeps their order.)
            for (std::size_t j = i; j-- > 0 && !run.order_time;) {
                const CronRunFact &before = *firings[j];
                if (before.start_time) {
                    run.order_time =
                        (before.end_time ? *before.end_time : *before.start_time) + static_cast<Micros>(i - j);
                }
            }
            for (std::size_t j = i + 1; j < firings.size() && !run.order_time; ++j) {
                if (firings[j]->start_time) run.order_time = *firings[j]->start_time - static_cast<Micros>(j - i);
            }
        }
        const std::optional<Micros> at = run.start_time ? run.start_time : run.order_time;
        if (ledger_horizon && at && *at < *ledger_horizon) continue;
        unrecorded.push_back(std::move(run));
    }
    return unrecorded;
}

// When a run happened, or where it sorts when pg_cron recorded no time.
std::optional<Micros> sort_time(const CronRunFact &run) { return run.start_time ? run.start_time : run.order_time; }

// Runs of one job, newest first, with the manual runs of the driver when
// `with_manual_runs`. A run without start_time has not started yet (status
// "starting"), so it is the newest of all.
std::vector<CronRunFact> runs_of(const MaintenanceFacts &facts, const CronJobFact &job, bool with_manual_runs) {
    const bool from_ledger = facts.ledger_available && runs_the_driver(job);
    std::vector<CronRunFact> runs;
    for (const CronRunFact &run : facts.runs) {
        if (run.jobid == job.jobid && !from_ledger) runs.push_back(run);
    }
    if (from_ledger && facts.driver_firings_read) {
        for (CronRunFact &run : unrecorded_failed_firings(facts, job)) runs.push_back(std::move(run));
    }
    for (const LedgerRunFact &ledger : facts.ledger_runs) {
        const bool scheduled = ledger.trigger == "pg_cron";
        if (scheduled ? !from_ledger : !with_manual_runs) continue;
        if (std::optional<CronRunFact> run = as_job_run(ledger, job.jobid)) runs.push_back(*run);
    }
    std::stable_sort(runs.begin(), runs.end(), [](const CronRunFact &a, const CronRunFact &b) {
        const std::optional<Micros> a_time = sort_time(a), b_time = sort_time(b);
        if (!a_time || !b_time) return !a_time && b_time;
        return *a_time > *b_time;
    });
    return runs;
}

struct JobJudgement {
    JobReport report;
    bool schedule_valid = false;
};

JobJudgement judge_job(const CronJobFact &job, const MaintenanceFacts &facts, Micros now, const ZoneRules &zone) {
    using text::format_utc;
    JobJudgement judgement;
    JobReport &report = judgement.report;
    report.job = job;
    report.timezone = zone.name();
    const std::string name = job_label(job);
    const std::string subject = "Maintenance " + name;
    const std::string schedule_text = "schedule " + text::sql_literal(job.schedule) + " in " + report.timezone;

    // Read as the installed pg_cron runs it (junk it ignores included), so
    // that health describes what will happen.
    const std::optional<PgCronRulesChoice> rules = pg_cron_rules_for_version(facts.pg_cron_version);
    std::optional<CronSchedule> schedule;
    try {
        schedule = parse_cron(job.schedule, rules ? rules->rules : kNewestPgCronRules, CronReading::as_pg_cron_runs);
    } catch (const CronError &error) {
        std::string hint = error.hint();
        text::add_finding(report, Status::critical, "maintenance " + name + " has a bad schedule",
                          subject + " has the schedule " + text::sql_literal(job.schedule) +
                              ", which pg_cron cannot run: " + error.what() + ". " +
                              (hint.empty() ? std::string("Fix it with cron.alter_job().") : hint));
    }
    if (schedule && schedule->kind == CronScheduleKind::never_fires) {
        text::add_finding(report, Status::critical, "maintenance " + name + " never runs",
                          subject + " has the schedule " + text::sql_literal(job.schedule) +
                              ", which pg_cron accepts but never fires: " + schedule->no_next_run_reason() +
                              " Fix it with cron.alter_job().");
        schedule.reset();
    } else if (schedule && schedule->kind != CronScheduleKind::calendar) {
        // An interval or @reboot job runs, but has no clock-aligned next run
        // (next_run() is NULL) and no firings to call overdue.
        text::add_finding(
            report, Status::ok, "maintenance " + name + " has no next run to predict",
            subject + " has the schedule " + text::sql_literal(job.schedule) + ": " + schedule->no_next_run_reason());
        judgement.schedule_valid = true;
        schedule.reset();
    }
    if (schedule) {
        judgement.schedule_valid = true;
        report.previous_scheduled_run = previous_run(*schedule, now, zone, kClock);
        const std::optional<Micros> next = next_run(*schedule, now, zone, kClock);
        if (next && report.previous_scheduled_run) {
            report.schedule_period = *next - *report.previous_scheduled_run;
        }
        // pg_cron does not run an inactive job, so it has no next run.
        if (job.active) report.next_run = next;
    }

    const std::vector<CronRunFact> runs = runs_of(facts, job, true);
    const std::vector<CronRunFact> scheduled_runs = runs_of(facts, job, false);
    if (!runs.empty()) report.last_run = runs.front();
    for (const CronRunFact &run : runs) {
        if (run.status == "succeeded" || run.status == "failed") {
            if (!report.last_finished_run) report.last_finished_run = run;
            if (run.status == "succeeded") {
                report.last_success = run.end_time ? run.end_time : run.start_time;
                break;
            }
        }
    }
    const CronRunFact *newest_failure = nullptr;
    for (const CronRunFact &run : runs) {
        if (in_progress(run)) continue;
        if (run.status != "failed") break;
        if (!newest_failure) newest_failure = &run;
        ++report.consecutive_failures;
    }

    if (newest_failure) {
        const std::string when = newest_failure->start_time ? " at " + format_utc(*newest_failure->start_time) : "";
        std::string message = text::one_line(newest_failure->return_message, kMaxMessageInReason);
        if (message.empty()) message = "(no message)";
        const std::string fix =
            std::string(" Fix the cause, then run ") + catch_up_call(facts) + " by hand to catch up.";
        if (report.consecutive_failures >= 2) {
            text::add_finding(
                report, Status::critical,
                "maintenance " + name + " failed " + std::to_string(report.consecutive_failures) + " times in a row",
                subject + " failed its last " + std::to_string(report.consecutive_failures) + " runs, most recently" +
                    when + ": " + message + "." + fix);
        } else {
            text::add_finding(report, Status::warning, "maintenance " + name + " last run failed",
                              subject + " failed its last run" + when + ": " + message + "." + fix);
        }
    }

    if (schedule && job.active && report.previous_scheduled_run) {
        const Micros latest_firing = *report.previous_scheduled_run;
        const std::optional<Micros> firing_before = previous_run(*schedule, latest_firing - 1, zone, kClock);
        const bool at_most_daily = firing_before && latest_firing - *firing_before >= kMicrosPerDay;
        std::optional<Micros> judged_firing = firing_before;
        if (at_most_daily && now >= latest_firing + kMissedFiringGrace) judged_firing = latest_firing;
        if (judged_firing) {
            const Micros missed = *judged_firing;
            bool ran_since = false;
            bool existed = false;
            std::optional<Micros> newest_start;
            for (const CronRunFact &run : scheduled_runs) {
                const std::optional<Micros> at = sort_time(run);
                if (!at || *at >= missed) ran_since = true;
                if (run.start_time) {
                    existed = existed || *run.start_time <= missed;
                    if (!newest_start || *run.start_time > *newest_start) newest_start = run.start_time;
                }
            }
            for (const CronRunFact &run : runs) {
                if (run.status == "succeeded" && run.start_time && *run.start_time >= missed) ran_since = true;
            }
            if (job.known_since && *job.known_since <= missed) existed = true;
            report.overdue = existed && !ran_since;
            if (report.overdue) {
                std::string should = "pg_cron should have started it at " + text::format_in_zone(missed, zone);
                if (missed != latest_firing) should += " and again at " + text::format_in_zone(latest_firing, zone);
                should += " (" + schedule_text + ")";
                const std::string fix =
                    "; check that pg_cron's background worker runs for this database "
                    "(shared_preload_libraries, cron.database_name) and read the server log, then run " +
                    catch_up_call(facts) + " by hand to catch up.";
                const std::string brief = "maintenance " + name + " missed its firing at " + format_utc(missed);
                if (newest_start) {
                    text::add_finding(
                        report, Status::warning, brief,
                        subject + " last started at " + format_utc(*newest_start) + ", but " + should + fix);
                } else {
                    text::add_finding(report, Status::warning, brief,
                                      subject + " has never run although " + should + fix);
                }
            }
        }
    }

    if (facts.ledger_available && runs_the_driver(job) && !facts.driver_firings_read &&
        !facts.driver_firings_unseen.empty()) {
        text::add_finding(report, Status::ok, "maintenance " + name + " judged from the ledger only",
                          subject + "'s runs are judged from the ledger alone: " + facts.driver_firings_unseen +
                              ". A firing that fails before the driver records it (pg_cron's \"connection "
                              "failed\", \"job startup timeout\") then shows only as a missed firing.");
    }

    if (scheduled_runs.empty() && !report.overdue && job.active && report.next_run) {
        // Runs by hand may be listed (status shows the newest as the last
        // run): say that none was scheduled, not that none ran.
        const std::string due = "; its next run is due at " + text::format_in_zone(*report.next_run, zone) + ".";
        if (runs.empty()) {
            text::add_finding(report, Status::ok, "maintenance " + name + " has no recorded run",
                              subject + " has no recorded run yet (or cron.log_run is off)" + due);
        } else {
            const std::string last_by_hand =
                runs.front().start_time ? " (the last at " + format_utc(*runs.front().start_time) + ")" : "";
            text::add_finding(report, Status::ok, "maintenance " + name + " has no recorded scheduled run",
                              subject + " has run only by hand" + last_by_hand +
                                  ", with no scheduled run recorded yet (or cron.log_run is off)" + due);
        }
    }
    return judgement;
}

}  // namespace

MaintenanceReport judge_maintenance(const MaintenanceFacts &facts, Micros now, const ZoneRules &cron_zone) {
    MaintenanceReport report;
    report.scheduler_running = facts.scheduler_running;
    report.jobs_visible = facts.jobs_visible;
    if (facts.in_recovery) {
        text::add_finding(report, Status::ok, "standby: pg_cron starts after promotion",
                          "This server is a standby: pg_cron's scheduler starts only after promotion, and "
                          "pg_partman's maintenance runs on the primary; after a failover the jobs run on "
                          "the new primary at their next firing.");
    } else if (facts.scheduler_running && !*facts.scheduler_running) {
        text::add_finding(report, Status::critical, "pg_cron scheduler not running",
                          "pg_cron's scheduler is not running (no \"pg_cron launcher\" in pg_stat_activity), so no "
                          "job runs and no new partitions are created; restart PostgreSQL (pg_cron starts its launcher "
                          "at server start) and read the server log for why it stopped.");
    }
    if (!facts.jobs_visible && facts.jobs.empty()) {
        text::add_finding(report, Status::unknown, "maintenance job not visible here", facts.jobs_hidden_reason);
    } else if (!facts.cron_installed) {
        const std::string where = cron_in_another_database(facts)
                                      ? "in database \"" + facts.cron_database + "\" (cron.database_name)"
                                      : "in this database";
        text::add_finding(report, Status::critical, "pg_cron not installed",
                          "pg_cron is not installed " + where +
                              ", so nothing runs pg_partman maintenance and no new partitions are created; " +
                              install_pg_cron_hint(facts) + ".");
    } else if (facts.jobs.empty()) {
        text::add_finding(report, Status::critical, "no maintenance job",
                          "No pg_cron job runs pg_partman maintenance, so no new partitions are created and "
                          "retention never drops old ones; " +
                              schedule_job_hint(facts) + ".");
    }

    std::vector<JobJudgement> judgements;
    judgements.reserve(facts.jobs.size() + 1);
    for (const CronJobFact &job : facts.jobs) {
        judgements.push_back(judge_job(job, facts, now, cron_zone));
    }
    if (facts.jobs.empty() && !facts.cron_installed && !facts.jobs_visible && facts.recorded_schedule &&
        facts.ledger_available) {
        // The job setup() scheduled in pg_cron's database, as its runs here
        // show it: a command running the driver, so its runs come from the ledger.
        CronJobFact unseen;
        unseen.jobname = std::string(shared::kJobName) + " (in database " + facts.cron_database + ")";
        unseen.schedule = *facts.recorded_schedule;
        unseen.command = std::string("CALL ") + shared::kDriverCommandMarker + ")";
        unseen.active = true;
        JobJudgement judgement = judge_job(unseen, facts, now, cron_zone);
        judgement.report.seen = false;
        judgements.push_back(std::move(judgement));
    }

    const JobJudgement *running_job = nullptr;  // an active job with a valid schedule
    std::vector<std::string> running_jobs;
    for (const JobJudgement &judgement : judgements) {
        if (judgement.report.job.active && judgement.schedule_valid) {
            if (!running_job) running_job = &judgement;
            running_jobs.push_back(std::to_string(judgement.report.job.jobid));
        }
    }
    if (running_jobs.size() > 1) {
        std::string list;
        for (const std::string &jobid : running_jobs) list += (list.empty() ? "" : ", ") + jobid;
        text::add_finding(report, Status::warning, std::to_string(running_jobs.size()) + " maintenance jobs",
                          std::to_string(running_jobs.size()) + " active pg_cron jobs (" + list +
                              ") run pg_partman maintenance for this database, so it runs more often than "
                              "intended and the runs can collide; " +
                              keep_one_job_hint(facts) + ".");
    }
    for (JobJudgement &judgement : judgements) {
        JobReport &job = judgement.report;
        if (job.job.active) continue;
        const std::string name = job_label(job.job);
        // Inactivity is the headline of an inactive job: put it first.
        JobReport inactive;
        if (running_job) {
            text::add_finding(inactive, Status::warning, "maintenance " + name + " inactive",
                              "Maintenance " + name + " is inactive while job " +
                                  std::to_string(running_job->report.job.jobid) +
                                  " runs pg_partman maintenance; remove the leftover with SELECT cron.unschedule(" +
                                  std::to_string(job.job.jobid) + ").");
        } else {
            text::add_finding(inactive, Status::critical, "maintenance " + name + " inactive",
                              "Maintenance " + name +
                                  " is inactive, so pg_partman maintenance does not run; activate it with SELECT "
                                  "cron.alter_job(" +
                                  std::to_string(job.job.jobid) + ", active := true).");
        }
        job.status = worst(job.status, inactive.status);
        job.reasons.insert(job.reasons.begin(), inactive.reasons.begin(), inactive.reasons.end());
        job.findings.insert(job.findings.begin(), inactive.findings.begin(), inactive.findings.end());
    }

    for (JobJudgement &judgement : judgements) {
        JobReport &job = judgement.report;
        if (job.next_run && (!report.next_run || *job.next_run < *report.next_run)) {
            report.next_run = job.next_run;
            report.next_run_text = text::format_in_zone(*job.next_run, cron_zone);
            report.schedule_period = job.schedule_period;
        }
        report.status = worst(report.status, job.status);
        for (const Finding &finding : job.findings) {
            report.reasons.push_back(finding.reason);
            report.findings.push_back(finding);
        }
        report.jobs.push_back(std::move(job));
    }
    return report;
}

}  // namespace fitbot::core
