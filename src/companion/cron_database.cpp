#include "cron_database.h"

#include "cron_jobs.h"
#include "dsn.h"

namespace fitbot::companion {

bool cron_lives_elsewhere(const core::MaintenanceFacts &maintenance, const std::string &app_database) {
    return !maintenance.cron_installed && !maintenance.cron_database.empty() &&
           maintenance.cron_database != app_database;
}

std::string cron_database_dsn(const std::string &app_dsn, const std::string &cron_database) {
    const std::string &given = connect_settings().cron_dsn;
    if (!given.empty()) return given;
    try {
        return dsn_with_dbname(app_dsn, cron_database);
    } catch (const DsnError &) {
        return app_dsn;  // connect() reports the unparsable DSN with its hint
    }
}

Connection connect_cron_database(const std::string &app_dsn, const std::string &cron_database) {
    const std::string dsn = cron_database_dsn(app_dsn, cron_database);
    try {
        // Agentless: nothing of ours needs to be installed there.
        return connect(dsn, true);
    } catch (const DatabaseError &error) {
        throw DatabaseError(std::string(error.what()) + "\nhint: pg_cron runs its jobs from database \"" +
                            cron_database +
                            "\" (cron.database_name); the companion reads the maintenance job there with the same "
                            "connection settings, or with --cron-dsn when that database is reached differently");
    }
}

void read_jobs_in_cron_database(core::MaintenanceFacts &maintenance, const std::string &app_database,
                                const std::string &app_dsn) {
    if (!cron_lives_elsewhere(maintenance, app_database)) return;
    const std::string dsn = cron_database_dsn(app_dsn, maintenance.cron_database);
    try {
        Connection cron = connect_cron_database(app_dsn, maintenance.cron_database);
        core::MaintenanceFacts read = maintenance;  // all or nothing
        scrubbed(dsn, [&] {
            pqxx::read_transaction txn(*cron.connection);
            read_cron_jobs(txn, app_database, read);
            return 0;
        });
        if (!read.jobs_visible && read.jobs.empty()) {
            // Hidden there too: keep what this database knows (the schedule
            // setup() recorded and the ledger's runs judge the unseen job),
            // with the reason found there.
            maintenance.jobs_visible = false;
            maintenance.jobs_hidden_reason = read.jobs_hidden_reason;
            return;
        }
        maintenance = std::move(read);
    } catch (const DatabaseError &error) {
        maintenance.jobs_visible = false;
        maintenance.jobs_hidden_reason = "pg_cron's jobs in database \"" + maintenance.cron_database +
                                         "\" could not be read: " + one_line_error(error, dsn);
    }
}

}  // namespace fitbot::companion
