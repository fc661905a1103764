// The part of `fitbot-partman setup` that happens where pg_cron lives: the
// maintenance job, scheduled with cron.schedule_in_database() when pg_cron
// runs jobs from another database, and pg_cron's history purge there. Each
// step prints one row, like the extension's setup() does.
#pragma once

#include <ostream>
#include <string>

#include <pqxx/pqxx>

namespace fitbot::companion {

// A step's outcome: done (created, updated or unchanged), or left to someone
// with more privileges, with the exact statement they must run.
enum class StepOutcome { done, manual };

// The maintenance job setup asks for: `schedule` is the one given, or when
// none was (`keep_schedule`) the one setup last recorded, which an existing
// job's own schedule overrides.
struct JobRequest {
    std::string schedule, command;
    bool keep_schedule = false;
};

// Schedules (or updates, or re-activates) the one maintenance job of
// `app_database` in pg_cron's database, reached by `cron`, under the name
// `job_name` (fitbot_partman_internal.maintenance_job_name() there).
// `schedule_in_force` receives the job's schedule afterwards (unchanged when
// the step is left manual).
StepOutcome schedule_in_cron_database(pqxx::connection &cron, const std::string &app_database,
                                      const std::string &job_name, const JobRequest &request,
                                      std::string &schedule_in_force, std::ostream &out);

// Schedules pg_cron's history purge in pg_cron's database: `statement` is
// the cron.schedule() call fitbot_partman_internal.history_purge_statement()
// gives.
StepOutcome schedule_history_purge(pqxx::connection &cron, const std::string &statement, std::ostream &out);

// teardown's counterparts: remove the maintenance jobs of `app_database`
// this role can see (named `job_name` or running pg_partman's maintenance);
// remove this role's history purge unless its maintenance jobs of other
// databases still need it. Each prints one row ('manual' with the statement
// when privileges are missing).
StepOutcome unschedule_in_cron_database(pqxx::connection &cron, const std::string &app_database,
                                        const std::string &job_name, std::ostream &out);
StepOutcome unschedule_history_purge(pqxx::connection &cron, std::ostream &out);

// Whether this role still owns a maintenance job, of any database.
bool role_has_maintenance_jobs(pqxx::connection &cron);

// Prints one setup row: step, action, detail.
void print_setup_row(std::ostream &out, const std::string &step, const std::string &action, const std::string &detail);

}  // namespace fitbot::companion
