#include "cron_database.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "cron_jobs.h"
#include "dsn.h"

namespace fitbot::companion {

namespace {

// serve keeps its connections to pg_cron's database, one per DSN (with
// --all-databases every application database shares one), across refreshes.
// With each, what the role may see there (probe_cron_access), probed once
// per round of refreshes (new_cron_round) rather than once per application
// database: a reader installed or granted meanwhile is seen in the next round.
struct KeptCron {
    std::unique_ptr<Connection> connection;
    std::optional<CronAccess> access;
};
std::mutex kept_mutex;
bool keeping = false;
std::map<std::string, KeptCron> kept;

}  // namespace

void keep_cron_connections(bool keep) {
    std::lock_guard<std::mutex> lock(kept_mutex);
    keeping = keep;
    if (!keep) kept.clear();
}

void new_cron_round() {
    std::lock_guard<std::mutex> lock(kept_mutex);
    for (auto &entry : kept) entry.second.access.reset();
}

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
    // Refreshes run one at a time; the lock only guards the map.
    std::unique_lock<std::mutex> lock(kept_mutex, std::defer_lock);
    if (keeping) lock.lock();
    try {
        Connection fresh;
        Connection *cron = &fresh;
        std::optional<CronAccess> *access = nullptr;
        if (keeping) {
            KeptCron &slot = kept[dsn];
            if (!slot.connection) {
                slot.connection =
                    std::make_unique<Connection>(connect_cron_database(app_dsn, maintenance.cron_database));
                slot.access.reset();
            }
            cron = slot.connection.get();
            access = &slot.access;
        } else {
            fresh = connect_cron_database(app_dsn, maintenance.cron_database);
        }
        core::MaintenanceFacts read = maintenance;  // all or nothing
        try {
            scrubbed(dsn, [&] {
                pqxx::read_transaction txn(*cron->connection);
                if (access && !*access) *access = probe_cron_access(txn);
                read_cron_jobs(txn, app_database, read, access ? &**access : nullptr);
                return 0;
            });
        } catch (const DatabaseError &) {
            if (keeping) kept.erase(dsn);  // reconnect on the next refresh
            throw;
        }
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
