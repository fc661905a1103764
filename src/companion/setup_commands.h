// `fitbot-partman setup` and `preflight`: the extension's functions, or
// their agentless equivalents in plain SQL where the extension is absent.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include <pqxx/pqxx>

namespace fitbot::companion {

// Where pg_cron runs jobs from, seen from the application's database.
struct CronPlace {
    bool preloaded = false;
    bool here = false;          // pg_cron's extension is installed in this database
    std::string cron_database;  // cron.database_name
    std::string app_database;
    bool elsewhere() const { return preloaded && !here && cron_database != app_database; }
};
CronPlace cron_place(pqxx::connection &connection);

// This database's maintenance job name, as the SQL both modes install says
// (maintenance_job_name(): one per database, bounded for pg_cron 1.4).
std::string job_name(pqxx::connection &connection);

// schedule: nullopt keeps the job's (or, for a new job, the one setup last
// recorded: the seed's at first).
int setup(const std::string &dsn, bool agentless, const std::optional<std::string> &schedule, std::ostream &out,
          std::ostream &err);
int preflight(const std::string &dsn, bool agentless, std::ostream &out);

}  // namespace fitbot::companion
