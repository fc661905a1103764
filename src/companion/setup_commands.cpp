#include "setup_commands.h"

#include <algorithm>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "agentless_install.h"
#include "core/cron.h"
#include "core/shared_facts.h"
#include "cron_database.h"
#include "cron_jobs.h"
#include "cron_setup.h"
#include "database.h"
#include "reader_setup.h"

namespace fitbot::companion {

std::string job_name(pqxx::connection &connection) {
    pqxx::read_transaction txn(connection);
    return txn.exec("SELECT fitbot_partman_internal.maintenance_job_name()")[0][0].as<std::string>();
}

CronPlace cron_place(pqxx::connection &connection) {
    pqxx::read_transaction txn(connection);
    pqxx::row row = txn.exec(
        "SELECT coalesce((SELECT setting FROM pg_catalog.pg_settings WHERE name = 'shared_preload_libraries') ~ " +
        txn.quote(core::shared::kPgCronPreloadPattern) +
        ", false),"
        "       EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron'),"
        "       coalesce((SELECT setting FROM pg_catalog.pg_settings WHERE name = 'cron.database_name'), 'postgres'), current_database()")
                        [0];
    return CronPlace{row[0].as<bool>(), row[1].as<bool>(), row[2].as<std::string>(), row[3].as<std::string>()};
}

namespace {

// What setup schedules in pg_cron's database: the job (cron_setup.h) and, in
// extension mode, the history purge statement.
struct JobPlan {
    JobRequest job;
    std::string history_statement;
};

// The agentless setup in this database: table, registration, and the job
// when pg_cron lives here. Returns the job as planned for pg_cron's database.
JobPlan setup_agentless(pqxx::connection &connection, const std::optional<std::string> &schedule, bool cron_elsewhere,
                        std::ostream &out) {
    pqxx::work txn(connection);
    // The extension's lock: no two setups at once, in either mode.
    txn.exec("SELECT pg_advisory_xact_lock(" + std::to_string(core::shared::kLockClass) + ", " +
             std::to_string(core::shared::kConfigurationLock) + ")");
    pqxx::result partman_rows = txn.exec(
        "SELECT quote_ident(n.nspname), split_part(e.extversion, '.', 1)::int FROM pg_catalog.pg_extension e"
        "  JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_partman'");
    if (partman_rows.empty()) {
        throw DatabaseError("pg_partman is not installed in database " + std::string(connection.dbname()) +
                            "\nhint: install it there first (as a superuser or the database owner): "
                            "CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman; then run setup again");
    }
    pqxx::row partman = partman_rows[0];
    // Quoted only where needed, as the extension's format('%I') does, so both
    // write the same job command.
    const std::string schema = partman[0].as<std::string>();
    const int major = partman[1].as<int>();

    bool table_exists = !txn.exec("SELECT to_regclass('public.heart_rate_readings')")[0][0].is_null();
    // As setup() in the extension: an existing plain table is never
    // converted implicitly (docs/adoption.md says why).
    if (table_exists && txn.exec("SELECT relkind = 'r' FROM pg_catalog.pg_class"
                                 " WHERE oid = 'public.heart_rate_readings'::regclass")[0][0]
                            .as<bool>()) {
        throw DatabaseError(
            "table public.heart_rate_readings is not partitioned; setup never converts an existing table "
            "implicitly, nothing was changed\nhint: adopt it online, without copying rows: fitbot-partman "
            "--agentless adopt public.heart_rate_readings --control measured_at; then run setup again");
    }
    if (!table_exists) txn.exec(core::shared::kReadingsTableDdl);
    out << fmt::format("{:<13} {:<11} {}\n", "table", table_exists ? "unchanged" : "created",
                       "public.heart_rate_readings");

    bool registered =
        !txn.exec("SELECT 1 FROM " + schema + ".part_config WHERE parent_table = 'public.heart_rate_readings'").empty();
    if (!registered) {
        txn.exec("SELECT " + schema +
                 ".create_parent(p_parent_table := 'public.heart_rate_readings', "
                 "p_control := 'measured_at', p_type := " +
                 txn.quote(major >= 5 ? "range" : "native") + ", p_interval := '1 mon', p_premake := 3)");
    }
    // A new registration gets retention that really drops and premake kept
    // ahead without new rows. A registered table keeps its settings, as
    // register_table() and setup() in the extension do: re-running setup
    // must never start deleting what was kept (retention NULL stays NULL).
    std::string detail = "monthly partitions, 3 made ahead, older than 1 year dropped";
    if (!registered) {
        txn.exec("UPDATE " + schema +
                 ".part_config SET premake = 3, retention = '1 year', retention_keep_table = false,"
                 " retention_keep_index = false, infinite_time_partitions = true"
                 " WHERE parent_table = 'public.heart_rate_readings'");
    } else {
        detail =
            "already registered, settings kept: " +
            txn.exec(
                   "SELECT format('%s partitions, %s made ahead, %s', partition_interval, premake,"
                   "  CASE WHEN retention IS NULL THEN 'every partition kept'"
                   "       WHEN retention_keep_table THEN 'older than ' || retention || ' detached (kept as tables)'"
                   "       ELSE 'older than ' || retention || ' dropped' END) FROM " +
                   schema + ".part_config WHERE parent_table = 'public.heart_rate_readings'")[0][0]
                .as<std::string>();
    }
    out << fmt::format("{:<13} {:<11} {}\n", "partitioning", registered ? "unchanged" : "registered", detail);

    // The driver and its ledger, as the extension has them; the job runs the
    // driver (falling back to pg_partman's procedure should it be dropped),
    // or the plain command when the setting job_command says so.
    const std::string driver = install_agentless_driver(txn);
    out << fmt::format("{:<13} {:<11} {}\n", "driver", driver,
                       "fitbot_partman.run_maintenance() and its ledger, fitbot_partman.maintenance_runs");
    const std::string command =
        txn.exec("SELECT fitbot_partman_internal.maintenance_command()")[0][0].as<std::string>();
    const std::string jobname =
        txn.exec("SELECT fitbot_partman_internal.maintenance_job_name()")[0][0].as<std::string>();
    pqxx::row cron = txn.exec(
        "SELECT to_regclass('cron.job') IS NOT NULL,"
        "       coalesce((SELECT setting FROM pg_catalog.pg_settings WHERE name = 'cron.database_name'), 'postgres'), current_database()")
                         [0];
    // Left out, the schedule is kept: the job's own where pg_cron lives here
    // (below), else the one setup last recorded (the seed's at first).
    std::string kept = schedule.value_or(
        txn.exec("SELECT fitbot_partman_internal.maintenance_setting('job_schedule')")[0][0].as<std::string>());
    if (cron_elsewhere) {
        // Scheduled in pg_cron's database by setup() below.
    } else if (!cron[0].as<bool>()) {
        out << fmt::format(
            "{:<13} {:<11} pg_cron runs jobs from database {}; connect there and run: "
            "SELECT cron.schedule_in_database({}, {}, {}, {});\n",
            "schedule", "manual", cron[1].c_str(), txn.quote(jobname), txn.quote(kept), txn.quote(command),
            txn.quote(cron[2].as<std::string>()));
    } else {
        // cron.schedule() upserts on (jobname, username) across databases:
        // this role's jobs that earlier builds scheduled for other databases
        // under this name get their own names first (issue 21).
        const int renamed = txn.exec("SELECT fitbot_partman_internal.rename_shared_jobs()")[0][0].as<int>();
        if (renamed > 0) {
            out << fmt::format("{:<13} {:<11} {} pg_cron job(s) of other databases named {} now have their own names\n",
                               "other-jobs", "renamed", renamed, jobname);
        }
        pqxx::result job =
            txn.exec("SELECT jobid, schedule, command, active FROM cron.job WHERE jobname = " + txn.quote(jobname) +
                     " AND username = current_user AND database = current_database() ORDER BY jobid "
                     "LIMIT 1");
        if (!schedule && !job.empty()) kept = job[0][1].as<std::string>();
        std::string action;
        if (job.empty()) {
            txn.exec("SELECT cron.schedule(" + txn.quote(jobname) + ", " + txn.quote(kept) + ", " + txn.quote(command) +
                     ")");
            action = "scheduled";
        } else if (job[0][1].as<std::string>() == kept && job[0][2].as<std::string>() == command &&
                   job[0][3].as<bool>()) {
            action = "unchanged";
        } else {
            txn.exec("SELECT cron.alter_job(" + job[0][0].as<std::string>() + ", schedule := " + txn.quote(kept) +
                     ", command := " + txn.quote(command) + ", active := true)");
            action = "updated";
        }
        out << fmt::format("{:<13} {:<11} pg_cron job {}: '{}' runs {}\n", "schedule", action, jobname, kept, command);
    }
    txn.exec("SELECT fitbot_partman_internal.record_job_schedule(" + txn.quote(kept) + ")");
    txn.commit();
    return JobPlan{JobRequest{kept, command, !schedule}, ""};
}

// The extension's setup(). Where pg_cron lives in another database, its
// 'manual' schedule and history rows are left out: setup() below does what
// they say, or prints what is missing.
void setup_extension(pqxx::connection &connection, const std::optional<std::string> &schedule, bool cron_elsewhere,
                     std::ostream &out) {
    pqxx::work txn(connection);
    const std::string argument = schedule ? txn.quote(*schedule) : "";
    for (const pqxx::row &row : txn.exec("SELECT step, action, detail FROM fitbot_partman.setup(" + argument + ")")) {
        const std::string step = row[0].c_str(), action = row[1].c_str();
        if (cron_elsewhere && action == "manual" && (step == "schedule" || step == "history")) continue;
        print_setup_row(out, step, action, row[2].c_str());
    }
    txn.commit();
}

// What setup() schedules in pg_cron's database, read from the extension so
// that both say the same: the job's command, the schedule setup() has just
// recorded (normalized, or kept when left out) and the history purge
// statement.
JobPlan extension_job(pqxx::connection &connection, bool keep_schedule) {
    pqxx::read_transaction txn(connection);
    pqxx::row row = txn.exec(
        "SELECT fitbot_partman_internal.maintenance_command(),"
        "       fitbot_partman_internal.maintenance_setting('job_schedule'),"
        "       fitbot_partman_internal.history_purge_statement()")[0];
    return JobPlan{JobRequest{row[1].as<std::string>(), row[0].as<std::string>(), keep_schedule},
                   row[2].as<std::string>()};
}

// setup's steps in pg_cron's database when that is not this one. Returns the
// number of steps left to someone else (printed as 'manual');
// `schedule_in_force` receives the job's schedule there.
int setup_in_cron_database(const std::string &app_dsn, const CronPlace &place, Mode mode, const std::string &name,
                           const JobPlan &plan, std::string &schedule_in_force, std::ostream &out) {
    const std::string cron_dsn = cron_database_dsn(app_dsn, place.cron_database);
    Connection cron;
    try {
        cron = connect_cron_database(app_dsn, place.cron_database);
    } catch (const DatabaseError &error) {
        print_setup_row(out, "schedule", "manual",
                        "pg_cron runs jobs from database " + place.cron_database +
                            ", which setup could not reach: " + one_line_error(error, cron_dsn));
        return 1;
    }
    return scrubbed(cron_dsn, [&] {
        int manual = schedule_in_cron_database(*cron.connection, place.app_database, name, plan.job, schedule_in_force,
                                               out) == StepOutcome::manual;
        if (mode == Mode::extension)
            manual += schedule_history_purge(*cron.connection, plan.history_statement, out) == StepOutcome::manual;
        manual += install_job_reader(*cron.connection, out) == StepOutcome::manual;
        return manual;
    });
}

// The checks that plain SQL can make; the extension's preflight() does more.
// Nothing here names schema cron: a pg_monitor role may not use it. The
// pg_cron extension and the job come from preflight_job_rows().
std::string agentless_preflight(pqxx::transaction_base &txn) {
    return R"SQL(
SELECT 'pg_cron preloaded', current_setting('shared_preload_libraries') ~ )SQL" +
           txn.quote(core::shared::kPgCronPreloadPattern) + R"SQL(,
       format('shared_preload_libraries = %L', current_setting('shared_preload_libraries')),
       'ALTER SYSTEM SET shared_preload_libraries = ''pg_cron'' (keeping the others), then restart PostgreSQL.'
UNION ALL
SELECT 'cron.database_name', true,
       format('pg_cron runs jobs from database %s', coalesce((SELECT setting FROM pg_catalog.pg_settings WHERE name = 'cron.database_name'), 'postgres')),
       NULL
UNION ALL
SELECT 'pg_partman', EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_partman'),
       coalesce((SELECT format('pg_partman %s in schema %s', extversion, extnamespace::regnamespace)
                 FROM pg_extension WHERE extname = 'pg_partman'), 'pg_partman is not installed'),
       'CREATE EXTENSION pg_partman;'
)SQL";
}

struct PreflightRow {
    std::string name;
    std::optional<bool> ok;  // nullopt: not applicable, or cannot be known by this role
    std::string detail, hint;
};

// 'pg_cron extension' and 'maintenance job' as check sees them: in pg_cron's
// database (connecting there when it is another one), through the job
// readers when row-level security hides the job (cron_jobs.h).
std::vector<PreflightRow> preflight_job_rows(pqxx::connection &app, const std::string &dsn, const CronPlace &place) {
    std::vector<PreflightRow> rows;
    if (!place.preloaded) return rows;  // 'pg_cron preloaded' fails already, with its fix
    const std::string fix = "run fitbot-partman setup (as the administrator); it creates or re-activates the job";
    core::MaintenanceFacts maintenance;
    bool installed = false;
    auto read = [&](pqxx::connection &cron) {
        pqxx::read_transaction txn(cron);
        read_cron_jobs(txn, place.app_database, maintenance);
        installed = maintenance.cron_installed;
    };
    if (place.elsewhere()) {
        const std::string cron_dsn = cron_database_dsn(dsn, place.cron_database);
        try {
            Connection cron = connect_cron_database(dsn, place.cron_database);
            scrubbed(cron_dsn, [&] {
                read(*cron.connection);
                return 0;
            });
        } catch (const DatabaseError &error) {
            rows.push_back({"pg_cron extension", false,
                            "pg_cron runs jobs from database " + place.cron_database +
                                ", which could not be reached: " + one_line_error(error, cron_dsn),
                            "check the connection, or pass --cron-dsn"});
            return rows;
        }
    } else {
        read(app);
    }
    const std::string where = "in database " + place.cron_database;
    rows.push_back(
        {"pg_cron extension", installed,
         installed ? "pg_cron is installed " + where : "pg_cron is not installed " + where,
         installed ? ""
                   : "a superuser runs CREATE EXTENSION pg_cron in database " + place.cron_database + "; then " + fix});
    if (!installed) return rows;
    std::string jobs;
    bool active = false;
    for (const core::CronJobFact &job : maintenance.jobs) {
        jobs += (jobs.empty() ? "" : "; ") + fmt::format("job {} {} '{}' {} {}", job.jobid, job.jobname, job.schedule,
                                                         job.active ? "active" : "INACTIVE", where);
        active = active || job.active;
    }
    if (!maintenance.jobs.empty() || maintenance.jobs_visible) {
        rows.push_back(
            {"maintenance job", active,
             jobs.empty() ? "no pg_cron job runs pg_partman maintenance for database " + place.app_database : jobs,
             active ? "" : fix});
    } else {
        rows.push_back({"maintenance job", std::nullopt, maintenance.jobs_hidden_reason, ""});
    }
    return rows;
}

}  // namespace

int setup(const std::string &dsn, bool agentless, const std::optional<std::string> &schedule, std::ostream &out,
          std::ostream &err) {
    try {
        if (schedule) core::parse_cron(*schedule);  // before touching anything
    } catch (const core::CronError &error) {
        err << "fitbot-partman setup: " << error.what() << "\nhint: " << error.hint() << "\n";
        return 1;
    }
    Connection connection = connect(dsn, agentless);
    const int manual = scrubbed(dsn, [&]() -> int {
        const CronPlace place = cron_place(*connection.connection);
        JobPlan plan;
        if (connection.mode == Mode::agentless) {
            plan = setup_agentless(*connection.connection, schedule, place.elsewhere(), out);
        } else {
            setup_extension(*connection.connection, schedule, place.elsewhere(), out);
            if (place.elsewhere()) plan = extension_job(*connection.connection, !schedule);
        }
        // What a pg_monitor role needs to see it all (reader_setup.h).
        int manual = install_partman_reader(*connection.connection, out) == StepOutcome::manual;
        if (place.here) manual += install_job_reader(*connection.connection, out) == StepOutcome::manual;
        if (place.elsewhere()) {
            std::string schedule_in_force = plan.job.schedule;
            manual += setup_in_cron_database(dsn, place, connection.mode, job_name(*connection.connection), plan,
                                             schedule_in_force, out);
            // A job that kept a schedule changed in pg_cron's database: health
            // here judges its runs by the recorded one.
            if (schedule_in_force != plan.job.schedule) {
                pqxx::work txn(*connection.connection);
                txn.exec("SELECT fitbot_partman_internal.record_job_schedule(" + txn.quote(schedule_in_force) + ")");
                txn.commit();
            }
        }
        return manual;
    });
    if (manual > 0) {
        err << "fitbot-partman setup: not finished: " << manual << (manual == 1 ? " step is" : " steps are")
            << " marked manual above, each with the statement someone with more privileges must run first; "
               "then run setup again\n";
        return 1;
    }
    return 0;
}

int preflight(const std::string &dsn, bool agentless, std::ostream &out) {
    Connection connection = connect(dsn, agentless);
    return scrubbed(dsn, [&]() -> int {
        const CronPlace place = cron_place(*connection.connection);
        std::vector<PreflightRow> rows;
        bool plain_sql = connection.mode == Mode::agentless;
        {
            pqxx::read_transaction txn(*connection.connection);
            // The extension's preflight() reads pg_hba.conf and cron.job, which
            // a pg_monitor role may not: it gets the checks plain SQL can make.
            plain_sql =
                plain_sql ||
                !txn.exec("SELECT has_function_privilege('fitbot_partman.preflight()', 'EXECUTE')")[0][0].as<bool>();
            for (const pqxx::row &row :
                 txn.exec(plain_sql ? agentless_preflight(txn)
                                    : "SELECT check_name, ok, detail, hint FROM fitbot_partman.preflight()")) {
                rows.push_back({row[0].c_str(),
                                row[1].is_null() ? std::nullopt : std::optional<bool>(row[1].as<bool>()),
                                row[2].c_str(), row[3].is_null() ? "" : row[3].c_str()});
            }
        }
        // The job as check sees it, wherever pg_cron lives: the extension's
        // SQL cannot look into another database, plain SQL not into cron's
        // row-level security.
        const bool companion_reads_job = plain_sql || place.elsewhere();
        if (companion_reads_job) {
            rows.erase(std::remove_if(rows.begin(), rows.end(),
                                      [](const PreflightRow &row) {
                                          return row.name == "pg_cron extension" || row.name == "maintenance job";
                                      }),
                       rows.end());
            const std::vector<PreflightRow> job_rows = preflight_job_rows(*connection.connection, dsn, place);
            auto after = std::find_if(rows.begin(), rows.end(),
                                      [](const PreflightRow &row) { return row.name == "cron.database_name"; });
            rows.insert(after == rows.end() ? rows.end() : after + 1, job_rows.begin(), job_rows.end());
        }
        bool all_ok = true;
        for (const PreflightRow &row : rows) {
            const char *verdict = !row.ok ? "n/a" : *row.ok ? "ok" : "FAIL";
            if (row.ok && !*row.ok) all_ok = false;
            out << fmt::format("{:<4} {:<20} {}\n", verdict, row.name, row.detail);
            if (row.ok && !*row.ok && !row.hint.empty()) out << fmt::format("     {:<20} hint: {}\n", "", row.hint);
        }
        return all_ok ? 0 : 1;
    });
}

}  // namespace fitbot::companion
