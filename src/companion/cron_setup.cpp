#include "cron_setup.h"

#include <optional>

#include <fmt/format.h>

#include "core/shared_facts.h"

namespace fitbot::companion {

namespace {

constexpr const char *kScheduleInDatabase = "cron.schedule_in_database(text, text, text, text, text, boolean)";
constexpr const char *kAlterJob = "cron.alter_job(bigint, text, text, text, text, boolean)";

// What the connected role may do with pg_cron in its database. Read from the
// catalogs, never by naming cron.* objects: that fails outright without USAGE
// on schema cron, which pg_cron grants to no one.
struct CronRights {
    bool installed = false;
    bool superuser = false;
    bool usage = false;                 // USAGE on schema cron
    bool schedule_in_database = false;  // EXECUTE, revoked from PUBLIC by pg_cron 1.4
    bool alter_job = false;             // EXECUTE, revoked from PUBLIC by pg_cron 1.4
    std::string role;                   // quoted as an identifier
    std::string database;               // quoted as an identifier
};

CronRights probe_rights(pqxx::transaction_base &txn) {
    auto executable = [](const char *name) {
        return std::string(
                   "coalesce((SELECT bool_or(pg_catalog.has_function_privilege(p.oid, 'EXECUTE'))"
                   "  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
                   " WHERE n.nspname = 'cron' AND p.proname = '") +
               name + "'), false)";
    };
    pqxx::row row = txn.exec(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron'),"
        "       (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user),"
        "       coalesce((SELECT pg_catalog.has_schema_privilege(oid, 'USAGE') FROM pg_catalog.pg_namespace"
        "                  WHERE nspname = 'cron'), false), " +
        executable("schedule_in_database") + ", " + executable("alter_job") +
        ", quote_ident(current_user), quote_ident(current_database())")[0];
    CronRights rights;
    rights.installed = row[0].as<bool>();
    rights.superuser = row[1].as<bool>(false);
    rights.usage = row[2].as<bool>();
    rights.schedule_in_database = row[3].as<bool>();
    rights.alter_job = row[4].as<bool>();
    rights.role = row[5].as<std::string>();
    rights.database = row[6].as<std::string>();
    return rights;
}

std::string grants_missing(const CronRights &rights, bool need_alter_job) {
    std::string grants;
    if (!rights.usage) grants += "GRANT USAGE ON SCHEMA cron TO " + rights.role + "; ";
    if (!rights.schedule_in_database)
        grants += std::string("GRANT EXECUTE ON FUNCTION ") + kScheduleInDatabase + " TO " + rights.role + "; ";
    if (need_alter_job && !rights.alter_job)
        grants += std::string("GRANT EXECUTE ON FUNCTION ") + kAlterJob + " TO " + rights.role + "; ";
    return grants;
}

std::string command_summary(const std::string &command) {
    return command.find(core::shared::kDriverCommandMarker) != std::string::npos
               ? "CALL fitbot_partman.run_maintenance()"
               : command;
}

struct ExistingJob {
    std::string jobid, jobname, schedule, command;
    bool active = false;
    bool ours = false;  // named as setup names it and owned by this role
};

// The maintenance job of app_database this role sees (row-level security
// shows a role its own jobs only; a superuser sees all): ours first.
std::optional<ExistingJob> existing_job(pqxx::transaction_base &txn, const std::string &app_database) {
    const std::string ours =
        "(coalesce(jobname, '') = " + txn.quote(core::shared::kJobName) + " AND username = current_user)";
    pqxx::result rows = txn.exec("SELECT jobid::text, coalesce(jobname, ''), schedule, command, active, " + ours +
                                 "  FROM cron.job WHERE database = " + txn.quote(app_database) + "   AND command ~* " +
                                 txn.quote(core::shared::kMaintenanceCommandPattern) + " ORDER BY " + ours +
                                 " DESC, active DESC, jobid LIMIT 1");
    if (rows.empty()) return std::nullopt;
    return ExistingJob{rows[0][0].as<std::string>(), rows[0][1].as<std::string>(), rows[0][2].as<std::string>(),
                       rows[0][3].as<std::string>(), rows[0][4].as<bool>(),        rows[0][5].as<bool>()};
}

}  // namespace

void print_setup_row(std::ostream &out, const std::string &step, const std::string &action, const std::string &detail) {
    out << fmt::format("{:<13} {:<11} {}\n", step, action, detail);
}

StepOutcome schedule_in_cron_database(pqxx::connection &cron, const std::string &app_database,
                                      const std::string &schedule, const std::string &command, std::ostream &out) {
    pqxx::work txn(cron);
    const CronRights rights = probe_rights(txn);
    const std::string where = "in database " + rights.database;
    if (!rights.installed) {
        print_setup_row(out, "schedule", "manual",
                        "pg_cron runs jobs from database " + rights.database +
                            " but is not installed there: a "
                            "superuser runs there CREATE EXTENSION pg_cron; then run fitbot-partman setup again");
        return StepOutcome::manual;
    }
    if (!rights.usage || !rights.schedule_in_database) {
        print_setup_row(out, "schedule", "manual",
                        "role " + rights.role + " may not schedule jobs " + where +
                            " (pg_cron 1.4 revokes schedule_in_database from PUBLIC): a superuser runs there " +
                            grants_missing(rights, false) + "then run fitbot-partman setup again");
        return StepOutcome::manual;
    }
    const std::optional<ExistingJob> job = existing_job(txn, app_database);
    std::string action, jobid;
    if (!job) {
        jobid =
            txn.exec("SELECT cron.schedule_in_database(" + txn.quote(core::shared::kJobName) + ", " +
                     txn.quote(schedule) + ", " + txn.quote(command) + ", " + txn.quote(app_database) + ")::text")[0][0]
                .as<std::string>();
        action = "scheduled";
    } else if (job->schedule == schedule && job->command == command && job->active) {
        jobid = job->jobid;
        action = "unchanged";
    } else if (job->ours && job->active) {
        // schedule_in_database() updates the role's job of that name in
        // place (same jobid), but never re-activates one.
        jobid =
            txn.exec("SELECT cron.schedule_in_database(" + txn.quote(core::shared::kJobName) + ", " +
                     txn.quote(schedule) + ", " + txn.quote(command) + ", " + txn.quote(app_database) + ")::text")[0][0]
                .as<std::string>();
        action = "updated";
    } else if (!rights.alter_job) {
        print_setup_row(out, "schedule", "manual",
                        "pg_cron job " + job->jobid + " " + where + " maintains database " + app_database + " but is " +
                            (job->active ? "not the one setup manages" : "inactive") + ", and role " + rights.role +
                            " may not alter it: a superuser runs there " + grants_missing(rights, true) +
                            "then run fitbot-partman setup again (or runs SELECT cron.alter_job(" + job->jobid +
                            ", schedule := " + txn.quote(schedule) + ", command := " + txn.quote(command) +
                            ", active := true);)");
        return StepOutcome::manual;
    } else {
        txn.exec("SELECT cron.alter_job(" + job->jobid + ", schedule := " + txn.quote(schedule) + ", command := " +
                 txn.quote(command) + ", database := " + txn.quote(app_database) + ", active := true)");
        jobid = job->jobid;
        action = "updated";
    }
    txn.commit();
    print_setup_row(out, "schedule", action,
                    "pg_cron job " + jobid + " " + where + ": '" + schedule + "' runs " + command_summary(command) +
                        " in database " + app_database);
    return StepOutcome::done;
}

StepOutcome schedule_history_purge(pqxx::connection &cron, const std::string &statement, std::ostream &out) {
    pqxx::work txn(cron);
    const CronRights rights = probe_rights(txn);
    if (!rights.installed || !rights.usage) {
        print_setup_row(out, "history", "manual",
                        "role " + rights.role + " may not use pg_cron in database " + rights.database +
                            ": a superuser runs there GRANT USAGE ON SCHEMA cron TO " + rights.role +
                            "; then run fitbot-partman setup again");
        return StepOutcome::manual;
    }
    const std::string job_of_role = "SELECT jobid::text, schedule || ' ' || command FROM cron.job WHERE jobname = " +
                                    txn.quote(core::shared::kHistoryJobName) + " AND username = current_user";
    pqxx::result before = txn.exec(job_of_role);
    txn.exec(statement);  // cron.schedule() replaces the role's job of that name
    pqxx::result after = txn.exec(job_of_role);
    txn.commit();
    const std::string action = before.empty()                                                    ? "scheduled"
                               : before[0][1].as<std::string>() == after[0][1].as<std::string>() ? "unchanged"
                                                                                                 : "updated";
    print_setup_row(out, "history", action,
                    "pg_cron job " + after[0][0].as<std::string>() + " " + core::shared::kHistoryJobName +
                        " in database " + rights.database + ": '" + core::shared::kHistorySchedule +
                        "' keeps cron.job_run_details bounded there (every job's last " +
                        std::to_string(core::shared::kRunsPerJob) + " runs kept)");
    return StepOutcome::done;
}

}  // namespace fitbot::companion
