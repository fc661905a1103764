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
    std::string jobid, jobname, schedule, command, database;
    bool active = false;
    bool ours = false;  // named as setup names it and owned by this role
};

ExistingJob job_of(const pqxx::row &row) {
    return ExistingJob{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                       row[3].as<std::string>(), row[4].as<std::string>(), row[5].as<bool>(),
                       row[6].as<bool>()};
}

std::string job_columns(pqxx::transaction_base &txn, const std::string &job_name) {
    return "jobid::text, coalesce(jobname, ''), schedule, command, database, active, (coalesce(jobname, '') = " +
           txn.quote(job_name) + " AND username = current_user)";
}

// The maintenance job of app_database this role sees (row-level security
// shows a role its own jobs only; a superuser sees all): ours first.
std::optional<ExistingJob> existing_job(pqxx::transaction_base &txn, const std::string &app_database,
                                        const std::string &job_name) {
    const std::string ours = "(coalesce(jobname, '') = " + txn.quote(job_name) + " AND username = current_user)";
    pqxx::result rows = txn.exec("SELECT " + job_columns(txn, job_name) +
                                 "  FROM cron.job WHERE database = " + txn.quote(app_database) + "   AND (command ~* " +
                                 txn.quote(core::shared::kMaintenanceCommandPattern) + " OR " + ours + ") ORDER BY " +
                                 ours + " DESC, active DESC, jobid LIMIT 1");
    if (rows.empty()) return std::nullopt;
    return job_of(rows[0]);
}

// This role's job called `name`, whatever database it runs in: pg_cron's
// upsert key is (jobname, username) across the cluster.
std::optional<ExistingJob> job_named(pqxx::transaction_base &txn, const std::string &name,
                                     const std::string &job_name) {
    pqxx::result rows = txn.exec("SELECT " + job_columns(txn, job_name) +
                                 " FROM cron.job WHERE jobname = " + txn.quote(name) + " AND username = current_user");
    if (rows.empty()) return std::nullopt;
    return job_of(rows[0]);
}

std::string schedule_statement(pqxx::transaction_base &txn, const std::string &job_name, const std::string &schedule,
                               const std::string &command, const std::string &app_database) {
    return "SELECT cron.schedule_in_database(" + txn.quote(job_name) + ", " + txn.quote(schedule) + ", " +
           txn.quote(command) + ", " + txn.quote(app_database) + ")::text";
}

}  // namespace

void print_setup_row(std::ostream &out, const std::string &step, const std::string &action, const std::string &detail) {
    out << fmt::format("{:<13} {:<11} {}\n", step, action, detail);
}

StepOutcome schedule_in_cron_database(pqxx::connection &cron, const std::string &app_database,
                                      const std::string &job_name, const JobRequest &request,
                                      std::string &schedule_in_force, std::ostream &out) {
    const std::string &command = request.command;
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
    // The name is this database's own (maintenance_job_name()); a job of
    // ours by that name in another database would be taken over by
    // schedule_in_database()'s upsert: never touch it.
    if (const std::optional<ExistingJob> named = job_named(txn, job_name, job_name);
        named && named->database != app_database) {
        print_setup_row(out, "schedule", "manual",
                        "pg_cron job " + named->jobid + " " + job_name + " " + where + " of role " + rights.role +
                            " maintains database " + named->database + ", and scheduling database " + app_database +
                            " under that name would take it over: rename or remove it there "
                            "(SELECT cron.unschedule(" +
                            named->jobid + ");), then run fitbot-partman setup again");
        return StepOutcome::manual;
    }
    std::string note;
    bool adopted = false;
    // 1.1 development builds gave every database's job the seed's name: take
    // this database's under its own name, so that the next database set up
    // does not overwrite it. A seed-named job of another database is left to
    // that database's setup.
    if (job_name != core::shared::kJobName) {
        if (const std::optional<ExistingJob> shared = job_named(txn, core::shared::kJobName, job_name)) {
            if (shared->database == app_database) {
                txn.exec(schedule_statement(txn, job_name, shared->schedule, shared->command, app_database));
                txn.exec("SELECT cron.unschedule(" + shared->jobid + "::bigint)");
                adopted = true;
                note = " (adopted pg_cron job " + shared->jobid + " " + core::shared::kJobName + ", renamed)";
            } else {
                note = " (this database had no job of its own: pg_cron job " + shared->jobid + " " +
                       core::shared::kJobName + " maintains database " + shared->database + ")";
            }
        }
    }
    const std::optional<ExistingJob> job = existing_job(txn, app_database, job_name);
    // Left out, an existing job keeps its schedule (one changed with
    // cron.alter_job() included); setup records it back for health.
    const std::string schedule = request.keep_schedule && job ? job->schedule : request.schedule;
    std::string action, jobid;
    if (!job) {
        jobid = txn.exec(schedule_statement(txn, job_name, schedule, command, app_database))[0][0].as<std::string>();
        action = "scheduled";
    } else if (job->schedule == schedule && job->command == command && job->active) {
        jobid = job->jobid;
        action = adopted ? "adopted" : "unchanged";
    } else if (job->ours && job->active) {
        // schedule_in_database() updates the role's job of that name in
        // place (same jobid), but never re-activates one.
        jobid = txn.exec(schedule_statement(txn, job_name, schedule, command, app_database))[0][0].as<std::string>();
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
    // What pg_cron now holds, not what was asked for.
    pqxx::row row = txn.exec(
        "SELECT coalesce(jobname, ''), schedule, command, database, active FROM cron.job"
        " WHERE jobid = " +
        txn.quote(jobid) + "::bigint")[0];
    txn.commit();
    schedule_in_force = row[1].as<std::string>();
    print_setup_row(out, "schedule", action,
                    "pg_cron job " + jobid + " " + row[0].as<std::string>() + " " + where + ": '" +
                        row[1].as<std::string>() + "' runs " + command_summary(row[2].as<std::string>()) +
                        " in database " + row[3].as<std::string>() + (row[4].as<bool>() ? "" : " (INACTIVE)") + note);
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

namespace fitbot::companion {

namespace {

// This role's maintenance jobs left in any database, as "database (job id)".
std::string databases_still_served(pqxx::transaction_base &txn) {
    return txn
        .exec(
            "SELECT coalesce(string_agg(format('%s (job %s)', database, jobid), ', ' ORDER BY database), '')"
            "  FROM cron.job WHERE username = current_user AND command ~* " +
            txn.quote(core::shared::kMaintenanceCommandPattern))[0][0]
        .as<std::string>();
}

}  // namespace

StepOutcome unschedule_in_cron_database(pqxx::connection &cron, const std::string &app_database,
                                        const std::string &job_name, std::ostream &out) {
    pqxx::work txn(cron);
    const CronRights rights = probe_rights(txn);
    const std::string where = "in database " + rights.database;
    const std::string jobs_of_app = "FROM cron.job WHERE database = " + txn.quote(app_database) +
                                    " AND (jobname = " + txn.quote(job_name) + " OR command ~* " +
                                    txn.quote(core::shared::kMaintenanceCommandPattern) + ")";
    if (!rights.installed) {
        print_setup_row(out, "schedule", "unchanged", "pg_cron is not installed " + where + ": no job to remove");
        return StepOutcome::done;
    }
    if (!rights.usage) {
        print_setup_row(out, "schedule", "manual",
                        "role " + rights.role + " may not use pg_cron " + where +
                            ": a superuser runs there SELECT cron.unschedule(jobid) " + jobs_of_app + ";");
        return StepOutcome::manual;
    }
    // Row-level security shows this role its own jobs (a superuser all of
    // them): every one of them that maintains this database goes, no other.
    pqxx::result jobs = txn.exec("SELECT jobid::text, coalesce(jobname, '') || ' (owner ' || username || ')' " +
                                 jobs_of_app + " ORDER BY jobid");
    if (jobs.empty()) {
        txn.commit();
        print_setup_row(
            out, "schedule", "unchanged",
            "no maintenance job of database " + app_database + " " + where + " that role " + rights.role + " can see");
        return StepOutcome::done;
    }
    std::string removed;
    for (const pqxx::row &job : jobs) {
        txn.exec("SELECT cron.unschedule(" + job[0].as<std::string>() + "::bigint)");
        removed += (removed.empty() ? "" : ", ") + job[0].as<std::string>() + " " + job[1].as<std::string>();
    }
    txn.commit();
    print_setup_row(out, "schedule", "unscheduled",
                    "pg_cron job(s) " + removed + " " + where + " no longer maintain database " + app_database);
    return StepOutcome::done;
}

StepOutcome unschedule_history_purge(pqxx::connection &cron, std::ostream &out) {
    pqxx::work txn(cron);
    const CronRights rights = probe_rights(txn);
    if (!rights.installed || !rights.usage) {
        print_setup_row(
            out, "history", "unchanged",
            "role " + rights.role + " has no pg_cron history purge it can see in database " + rights.database);
        return StepOutcome::done;
    }
    // One purge per role serves every database that role set up: it goes
    // with the last of them.
    const std::string served = databases_still_served(txn);
    pqxx::result jobs =
        txn.exec("SELECT jobid::text FROM cron.job WHERE jobname = " + txn.quote(core::shared::kHistoryJobName) +
                 " AND username = current_user");
    if (jobs.empty()) {
        print_setup_row(out, "history", "unchanged", "role " + rights.role + " has no pg_cron history purge");
        return StepOutcome::done;
    }
    if (!served.empty()) {
        print_setup_row(out, "history", "kept",
                        "pg_cron job " + jobs[0][0].as<std::string>() + " " + core::shared::kHistoryJobName +
                            " in database " + rights.database + " still serves role " + rights.role +
                            "'s maintenance jobs of " + served);
        return StepOutcome::done;
    }
    txn.exec("SELECT cron.unschedule(" + jobs[0][0].as<std::string>() + "::bigint)");
    txn.commit();
    print_setup_row(out, "history", "unscheduled",
                    "pg_cron job " + jobs[0][0].as<std::string>() + " " + core::shared::kHistoryJobName +
                        " in database " + rights.database + ": role " + rights.role + " has no maintenance job left");
    return StepOutcome::done;
}

bool role_has_maintenance_jobs(pqxx::connection &cron) {
    pqxx::work txn(cron);
    if (!probe_rights(txn).usage) return false;
    return !databases_still_served(txn).empty();
}

}  // namespace fitbot::companion
