#include "cron_jobs.h"

#include <functional>
#include <set>
#include <utility>
#include <vector>

#include "core/shared_facts.h"
#include "database.h"

namespace fitbot::companion {

namespace {

// Runs `sql` (parameters $1, ...) as a statement prepared once per
// connection (libpqxx prepares it at its first use there, and keeps it):
// serve reads every application database's jobs in pg_cron's database with
// the same few statements, parsed and planned once rather than at each read
// (issue 21). The name comes from the text, so each text is one statement.
template <typename... Args>
pqxx::result exec_prepared_once(pqxx::transaction_base &txn, const std::string &sql, Args &&...args) {
    const std::string name = "fitbot_cron_" + std::to_string(std::hash<std::string>{}(sql));
    txn.conn().prepare(name, sql);
    return txn.exec_prepared(name, std::forward<Args>(args)...);
}

// The job readers: fitbot_partman_cron and fitbot_partman_cron_<role>, one
// per administrator (reader_setup.cpp), each a schema holding both functions.
// Columns: schema (quoted), usable by this role, owner sees every job, owner,
// has driver_firings().
pqxx::result job_readers(pqxx::transaction_base &txn) {
    return txn.exec(
        "SELECT quote_ident(n.nspname),"
        "       bool_and(pg_catalog.has_function_privilege(p.oid, 'EXECUTE'))"
        "         AND pg_catalog.has_schema_privilege(n.oid, 'USAGE'),"
        "       bool_and(o.rolsuper OR o.rolbypassrls), min(o.rolname::text),"
        "       bool_or(p.proname = 'driver_firings')"
        "  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
        "  JOIN pg_catalog.pg_roles o ON o.oid = p.proowner"
        " WHERE (n.nspname = " +
        txn.quote(kCronReaderSchema) + " OR n.nspname LIKE " + txn.quote(std::string(kCronReaderSchema) + "\\_%") +
        ")   AND p.proname IN ('maintenance_jobs', 'maintenance_runs', 'driver_firings')"
        " GROUP BY n.oid, n.nspname"
        " HAVING count(*) FILTER (WHERE p.proname <> 'driver_firings') = 2 ORDER BY n.nspname <> " +
        txn.quote(kCronReaderSchema) + ", n.nspname");
}

}  // namespace

CronAccess probe_cron_access(pqxx::transaction_base &txn) {
    pqxx::row row = txn.exec(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron'),"
        "       (SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = current_user),"
        "       coalesce((SELECT pg_catalog.has_schema_privilege(n.oid, 'USAGE') FROM pg_catalog.pg_namespace n"
        "                  WHERE n.nspname = 'cron'), false),"
        "       current_user::text, current_database()::text,"
        // pg_settings, not current_setting(): from pg_cron 1.5 on some cron.*
        // settings are superuser-only, and current_setting() raises for them.
        "       coalesce((SELECT setting FROM pg_catalog.pg_settings WHERE name = 'cron.log_run'), '')")[0];
    CronAccess access;
    access.installed = row[0].as<bool>();
    access.sees_all = row[1].as<bool>(false);
    access.cron_usage = row[2].as<bool>();
    access.role = row[3].as<std::string>();
    access.database = row[4].as<std::string>();
    access.log_run = row[5].as<std::string>();
    for (const pqxx::row &reader : job_readers(txn)) {
        access.reader_installed = true;
        if (!reader[1].as<bool>()) continue;
        access.reader_usable = true;
        access.reader_sees_all = access.reader_sees_all || reader[2].as<bool>();
        access.reader_schemas.push_back(reader[0].as<std::string>());
        if (reader[4].as<bool>()) access.readers_with_firings.insert(reader[0].as<std::string>());
        access.reader_owner += (access.reader_owner.empty() ? "" : "\", \"") + reader[3].as<std::string>();
    }
    return access;
}

namespace {

// Columns: jobid, jobname, schedule, command, database, username, active, known_since (micros).
void add_jobs(const pqxx::result &rows, core::MaintenanceFacts &maintenance) {
    for (const pqxx::row &row : rows) {
        core::CronJobFact job;
        job.jobid = row[0].as<std::int64_t>();
        job.jobname = row[1].as<std::string>();
        job.schedule = row[2].as<std::string>();
        job.command = row[3].as<std::string>();
        job.database = row[4].as<std::string>();
        job.username = row[5].as<std::string>();
        job.active = row[6].as<bool>();
        job.known_since = optional_micros(row[7]);
        maintenance.jobs.push_back(std::move(job));
    }
}

// Columns: jobid, status, return_message, start_time, end_time (micros),
// and for a driver job's firings also runid, job_pid.
void add_runs(const pqxx::result &rows, core::MaintenanceFacts &maintenance) {
    for (const pqxx::row &row : rows) {
        core::CronRunFact run;
        run.jobid = row[0].as<std::int64_t>();
        run.status = row[1].as<std::string>();
        run.return_message = row[2].as<std::string>();
        run.start_time = optional_micros(row[3]);
        run.end_time = optional_micros(row[4]);
        if (row.size() > 6) {
            run.runid = row[5].as<std::int64_t>();
            if (!row[6].is_null()) run.job_pid = row[6].as<std::int32_t>();
        }
        maintenance.runs.push_back(std::move(run));
    }
}

// The columns add_runs() reads of a driver firing, from a row source `r`
// with pg_cron's column names.
constexpr const char *kFiringColumns =
    "r.jobid, r.status, coalesce(r.return_message, ''), (extract(epoch FROM r.start_time) * 1000000)::int8,"
    " (extract(epoch FROM r.end_time) * 1000000)::int8, r.runid, r.job_pid";

// cron.log_run = off: pg_cron records no firing, so none can be read.
bool firings_unrecorded(const CronAccess &access, core::MaintenanceFacts &maintenance) {
    if (access.log_run != "off") return false;
    maintenance.driver_firings_unseen =
        "cron.log_run is off in database " + ("\"" + access.database + "\"") + ", so pg_cron records no firing";
    return true;
}

void read_directly(pqxx::transaction_base &txn, const std::string &app_database, bool with_driver_jobs,
                   core::MaintenanceFacts &maintenance) {
    const std::string filter =
        " j.command ~* " + txn.quote(core::shared::kMaintenanceCommandPattern) + " AND j.database = $1";
    add_jobs(exec_prepared_once(
                 txn,
                 "SELECT j.jobid, coalesce(j.jobname, '')::text, j.schedule, j.command, j.database, j.username::text,"
                 "       j.active, CASE WHEN current_setting('track_commit_timestamp')::bool"
                 "                      THEN (extract(epoch FROM pg_xact_commit_timestamp(j.xmin)) * 1000000)::int8 END"
                 "  FROM cron.job j WHERE" +
                     filter + " ORDER BY j.jobid",
                 app_database),
             maintenance);
    // A job that runs the driver has its runs in the ledger: cron.job_run_details,
    // which pg_cron never purges, is not walked for it.
    const std::string driver_filter =
        with_driver_jobs ? std::string()
                         : " AND strpos(j.command, " + txn.quote(core::shared::kDriverCommandMarker) + ") = 0";
    add_runs(
        exec_prepared_once(
            txn,
            "SELECT r.jobid, r.status, coalesce(r.return_message, ''),"
            "       (extract(epoch FROM r.start_time) * 1000000)::int8, (extract(epoch FROM r.end_time) * 1000000)::int8"
            "  FROM cron.job j CROSS JOIN LATERAL ("
            "       SELECT d.jobid, d.status, d.return_message, d.start_time, d.end_time, d.runid"
            "         FROM cron.job_run_details d WHERE d.jobid = j.jobid ORDER BY d.runid DESC LIMIT " +
                std::to_string(core::shared::kRunsPerJob) + ") r WHERE" + filter + driver_filter +
                " ORDER BY r.start_time DESC NULLS LAST, r.runid DESC",
            app_database),
        maintenance);
}

// pg_cron's own record of the driver jobs' firings (what row-level security
// shows this role), as the extension reads it (src/pg/facts_reader.cpp):
// a firing that failed before the driver's ledger row committed is seen only
// here. Bounded by the newest kCronFiringsWindow runids: one index range.
void read_driver_firings_directly(pqxx::transaction_base &txn, const std::string &app_database,
                                  core::MaintenanceFacts &maintenance) {
    add_runs(
        exec_prepared_once(
            txn,
            std::string("SELECT ") + kFiringColumns +
                "  FROM cron.job j CROSS JOIN LATERAL ("
                "       SELECT d.* FROM cron.job_run_details d"
                "        WHERE d.jobid = j.jobid"
                "          AND d.runid > (SELECT coalesce(max(m.runid), 0) FROM cron.job_run_details m) - " +
                std::to_string(core::shared::kCronFiringsWindow) + " ORDER BY d.runid DESC LIMIT " +
                std::to_string(core::shared::kRunsPerJob) + ") r WHERE j.command ~* " +
                txn.quote(core::shared::kMaintenanceCommandPattern) + " AND j.database = $1 AND strpos(j.command, " +
                txn.quote(core::shared::kDriverCommandMarker) + ") > 0 ORDER BY r.runid DESC",
            app_database),
        maintenance);
    maintenance.driver_firings_read = true;
}

void read_through_reader(pqxx::transaction_base &txn, const std::string &schema, const std::string &app_database,
                         bool with_driver_jobs, core::MaintenanceFacts &maintenance) {
    // The reader gives no command text (it may hold secrets), only whether
    // it runs the driver: that is all health reads of it.
    add_jobs(exec_prepared_once(txn,
                                "SELECT jobid, jobname, schedule,"
                                "       CASE WHEN runs_driver THEN " +
                                    txn.quote(std::string("CALL ") + core::shared::kDriverCommandMarker + ")") +
                                    " ELSE 'pg_partman run_maintenance (command not shown)' END,"
                                    "       database, username, active,"
                                    "       (extract(epoch FROM known_since) * 1000000)::int8"
                                    "  FROM " +
                                    schema + ".maintenance_jobs($1)",
                                app_database),
             maintenance);
    add_runs(
        exec_prepared_once(txn,
                           "SELECT jobid, status, return_message, (extract(epoch FROM start_time) * 1000000)::int8,"
                           "       (extract(epoch FROM end_time) * 1000000)::int8"
                           "  FROM " +
                               schema + ".maintenance_runs($1, $2)",
                           app_database, with_driver_jobs),
        maintenance);
}

void read_driver_firings_through_reader(pqxx::transaction_base &txn, const std::string &schema,
                                        const std::string &app_database, core::MaintenanceFacts &maintenance) {
    add_runs(
        exec_prepared_once(txn, std::string("SELECT ") + kFiringColumns + " FROM " + schema + ".driver_firings($1) r",
                           app_database),
        maintenance);
    maintenance.driver_firings_read = true;
}

// Several administrators' readers may each see the same job (a superuser's
// sees all): each job and its runs once.
void keep_first_of_each_job(core::MaintenanceFacts &maintenance, std::size_t jobs_before, std::size_t runs_before) {
    std::set<std::int64_t> seen;
    for (std::size_t i = 0; i < jobs_before; ++i) seen.insert(maintenance.jobs[i].jobid);
    std::set<std::int64_t> new_jobs;
    std::vector<core::CronJobFact> jobs(maintenance.jobs.begin(), maintenance.jobs.begin() + jobs_before);
    for (std::size_t i = jobs_before; i < maintenance.jobs.size(); ++i) {
        if (seen.count(maintenance.jobs[i].jobid)) continue;
        new_jobs.insert(maintenance.jobs[i].jobid);
        jobs.push_back(maintenance.jobs[i]);
    }
    std::vector<core::CronRunFact> runs(maintenance.runs.begin(), maintenance.runs.begin() + runs_before);
    for (std::size_t i = runs_before; i < maintenance.runs.size(); ++i) {
        if (new_jobs.count(maintenance.runs[i].jobid)) runs.push_back(maintenance.runs[i]);
    }
    maintenance.jobs = std::move(jobs);
    maintenance.runs = std::move(runs);
}

std::string quoted(const std::string &name) { return "\"" + name + "\""; }

// Why the jobs this role read may not be all, and what makes them visible.
std::string hidden_reason(const CronAccess &access, const std::string &app_database) {
    const std::string where = "in database " + quoted(access.database);
    const std::string fix = "run `fitbot-partman setup` as the role that owns the job: it installs " +
                            std::string(kCronReaderSchema) + ".maintenance_jobs() " + where +
                            ", a SECURITY DEFINER reader that pg_monitor may execute";
    if (access.reader_usable) {
        return "pg_cron's row-level security shows cron.job rows only to their owner, and " +
               std::string(kCronReaderSchema) + ".maintenance_jobs() " + where + " runs as " +
               quoted(access.reader_owner) + ", which owns no maintenance job of database " + quoted(app_database) +
               "; whether another role's job maintains it is unknown: " + fix +
               " (the job's owner), or check as a superuser";
    }
    if (access.reader_installed) {
        return std::string(kCronReaderSchema) + ".maintenance_jobs() " + where +
               " may be executed by pg_monitor only, and role " + quoted(access.role) +
               " is not a member; pg_cron's row-level security hides other roles' jobs from it, "
               "so whether a job maintains database " +
               quoted(app_database) + " is unknown: GRANT pg_monitor TO " + quoted(access.role) + ";";
    }
    if (!access.cron_usage) {
        return "role " + quoted(access.role) + " may not read schema cron " + where +
               " (pg_cron grants USAGE on it to no one), so whether a job maintains database " + quoted(app_database) +
               " is unknown: " + fix;
    }
    return "pg_cron's row-level security shows cron.job rows only to their owner, and role " + quoted(access.role) +
           " owns no maintenance job of database " + quoted(app_database) + " " + where +
           ", so whether another role's job maintains it is unknown: " + fix;
}

}  // namespace

void read_cron_jobs(pqxx::transaction_base &cron_txn, const std::string &app_database,
                    core::MaintenanceFacts &maintenance, const CronAccess *known_access) {
    maintenance.jobs.clear();
    maintenance.runs.clear();
    const CronAccess access = known_access ? *known_access : probe_cron_access(cron_txn);
    maintenance.cron_installed = access.installed;
    maintenance.jobs_visible = true;
    maintenance.jobs_hidden_reason.clear();
    maintenance.driver_firings_read = false;
    maintenance.driver_firings_unseen.clear();
    if (!access.installed) return;  // no job can exist: pg_cron's own finding says so
    const bool with_driver_jobs = !maintenance.ledger_available;
    // Firings are read only beside the ledger: without it, a driver job's
    // runs are pg_cron's record itself (with_driver_jobs).
    const bool read_firings = maintenance.ledger_available && !firings_unrecorded(access, maintenance);
    if (access.sees_all || (!access.reader_usable && access.cron_usage)) {
        read_directly(cron_txn, app_database, with_driver_jobs, maintenance);
        if (read_firings) read_driver_firings_directly(cron_txn, app_database, maintenance);
        if (access.sees_all) return;
    }
    if (access.reader_usable) {
        bool every_reader_reads_firings = true;
        for (const std::string &schema : access.reader_schemas) {
            const std::size_t jobs_before = maintenance.jobs.size(), runs_before = maintenance.runs.size();
            read_through_reader(cron_txn, schema, app_database, with_driver_jobs, maintenance);
            if (read_firings && access.readers_with_firings.count(schema))
                read_driver_firings_through_reader(cron_txn, schema, app_database, maintenance);
            else
                every_reader_reads_firings = false;
            keep_first_of_each_job(maintenance, jobs_before, runs_before);
        }
        if (read_firings && !every_reader_reads_firings) {
            maintenance.driver_firings_read = false;
            maintenance.driver_firings_unseen = "a job reader in database \"" + access.database +
                                                "\" predates driver_firings(): run `fitbot-partman setup` again as "
                                                "its owner so that health sees pg_cron's record of the job's firings";
        }
        // An owner that is not a superuser sees its own jobs only: finding
        // none proves nothing about other roles' jobs.
        if (access.reader_sees_all || !maintenance.jobs.empty()) return;
    }
    maintenance.jobs_visible = false;
    maintenance.jobs_hidden_reason = hidden_reason(access, app_database);
}

}  // namespace fitbot::companion
