// The exporter's refresh loops: from one database (the default), or from
// every database of the cluster where pg_partman or fitbot_partman is
// installed (--all-databases). Either keeps its connections (and those to
// pg_cron's database) across refreshes, with the timeouts of every other
// connection of the process, and reconnects after a failure.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>

#include "exporter.h"
#include "exporter_state.h"

namespace fitbot::companion {

using LogLine = std::function<void(const std::string &)>;

// Refreshes at most once per interval until stop(); picks the loop from the
// options.
class Refresher {
public:
    Refresher(const ServeOptions &options, ExporterState &state, LogLine log);
    void run();
    void stop();

private:
    // Waits `wait` or until stop(); false once stopping.
    bool pause(std::chrono::milliseconds wait);
    void run_one_database();
    void run_all_databases();

    const ServeOptions &options_;
    ExporterState &state_;
    LogLine log_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
};

// The database a DSN names, as libpq picks it: dbname, else PGDATABASE, else
// the user (PGUSER, else the login name).
std::string dsn_database_name(const std::string &dsn);

// The query that lists the databases to look into: every database that
// accepts connections, but templates.
extern const char *const kListDatabasesQuery;
// The probe of one database: true when pg_partman, fitbot_partman or the
// agentless install (the fitbot_partman schema) is there.
extern const char *const kProbeDatabaseQuery;

}  // namespace fitbot::companion
