#include "teardown_command.h"

#include <pqxx/pqxx>

#include "cron_database.h"
#include "cron_setup.h"
#include "database.h"
#include "reader_setup.h"
#include "setup_commands.h"

namespace fitbot::companion {

namespace {

// The extension's teardown() in this database. Returns whether the
// maintenance job is still needed (other tables stay registered).
bool teardown_extension(pqxx::connection &connection, bool cron_elsewhere, std::ostream &out) {
    pqxx::work txn(connection);
    bool job_needed = false;
    for (const pqxx::row &row : txn.exec("SELECT step, action, detail FROM fitbot_partman.teardown()")) {
        const std::string step = row[0].c_str(), action = row[1].c_str();
        if (step == "schedule") job_needed = action == "kept";
        // Where pg_cron lives elsewhere, the steps below do what it leaves manual.
        if (cron_elsewhere && step == "schedule" && action == "manual") continue;
        print_setup_row(out, step, action, row[2].c_str());
    }
    txn.commit();
    return job_needed;
}

// Agentless: pg_partman forgets the readings table (its partitions and rows
// stay); the driver and its ledger stay, as the record of past runs.
// Returns whether other registered tables still need the job.
bool teardown_agentless(pqxx::connection &connection, std::ostream &out) {
    pqxx::work txn(connection);
    pqxx::result partman = txn.exec(
        "SELECT quote_ident(n.nspname) FROM pg_catalog.pg_extension e"
        "  JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_partman'");
    if (partman.empty()) {
        print_setup_row(out, "partitioning", "unchanged", "pg_partman is not installed in this database");
        return false;
    }
    const std::string schema = partman[0][0].as<std::string>();
    txn.exec("DELETE FROM " + schema + ".part_config_sub WHERE sub_parent = 'public.heart_rate_readings'");
    const bool removed = !txn.exec("DELETE FROM " + schema +
                                   ".part_config WHERE parent_table = 'public.heart_rate_readings' RETURNING 1")
                              .empty();
    const int remaining = txn.exec("SELECT count(*) FROM " + schema + ".part_config")[0][0].as<int>();
    txn.commit();
    print_setup_row(out, "partitioning", removed ? "removed" : "unchanged",
                    removed ? "public.heart_rate_readings is no longer maintained by pg_partman; the table and all "
                              "its partitions and rows are kept"
                            : "public.heart_rate_readings was not registered with pg_partman");
    if (remaining > 0) {
        print_setup_row(
            out, "schedule", "kept",
            std::to_string(remaining) + " other table(s) still registered with pg_partman need the maintenance job");
    }
    return remaining > 0;
}

// The steps where pg_cron lives: the job (unless still needed or already
// removed by the extension), then what serves all of this role's databases.
int teardown_in_cron_database(pqxx::connection &cron, const std::string &app_database, const std::string &name,
                              bool remove_job, bool remove_history, std::ostream &out) {
    int manual = 0;
    if (remove_job) manual += unschedule_in_cron_database(cron, app_database, name, out) == StepOutcome::manual;
    if (remove_history) manual += unschedule_history_purge(cron, out) == StepOutcome::manual;
    manual += remove_job_readers(cron, out) == StepOutcome::manual;
    return manual;
}

}  // namespace

int teardown(const std::string &dsn, bool agentless, std::ostream &out, std::ostream &err) {
    Connection connection = connect(dsn, agentless);
    const int manual = scrubbed(dsn, [&]() -> int {
        const CronPlace place = cron_place(*connection.connection);
        const std::string name = job_name(*connection.connection);
        bool job_needed;
        if (connection.mode == Mode::agentless) {
            job_needed = teardown_agentless(*connection.connection, out);
        } else {
            job_needed = teardown_extension(*connection.connection, place.elsewhere(), out);
        }
        // The config reader serves every registered table of this database.
        int manual = 0;
        if (job_needed) {
            print_setup_row(out, "config-reader", "kept",
                            "fitbot_partman_monitor still serves the other registered tables");
        } else {
            manual += remove_partman_reader(*connection.connection, out) == StepOutcome::manual;
        }
        // The extension's teardown() already removed the job and history
        // purge where pg_cron lives here.
        const bool extension_did_cron = connection.mode == Mode::extension && place.here;
        if (place.here) {
            manual += teardown_in_cron_database(*connection.connection, place.app_database, name,
                                                !job_needed && !extension_did_cron, !extension_did_cron, out);
        } else if (place.elsewhere()) {
            const std::string cron_dsn = cron_database_dsn(dsn, place.cron_database);
            Connection cron;
            try {
                cron = connect_cron_database(dsn, place.cron_database);
            } catch (const DatabaseError &error) {
                print_setup_row(out, "schedule", "manual",
                                "pg_cron runs jobs from database " + place.cron_database +
                                    ", which teardown could not reach: " + one_line_error(error, cron_dsn));
                return manual + 1;
            }
            manual += scrubbed(cron_dsn, [&] {
                return teardown_in_cron_database(*cron.connection, place.app_database, name, !job_needed, true, out);
            });
        }
        return manual;
    });
    if (manual > 0) {
        err << "fitbot-partman teardown: not finished: " << manual << (manual == 1 ? " step is" : " steps are")
            << " marked manual above, each with the statement someone with more privileges must run; "
               "then run teardown again\n";
        return 1;
    }
    return 0;
}

}  // namespace fitbot::companion
