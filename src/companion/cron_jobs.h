// pg_cron's maintenance jobs of one application database, and their runs,
// read in the database where pg_cron is installed (the same database, or
// cron.database_name elsewhere), despite pg_cron's row-level security.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "core/facts.h"

namespace fitbot::companion {

// The schema `fitbot-partman setup` installs in pg_cron's database, with
// maintenance_jobs(name) and maintenance_runs(name, boolean)
// (sql/src/cron_database/10_job_reader.sql).
inline constexpr const char *kCronReaderSchema = "fitbot_partman_cron";

// What the reading role may see of cron.job in pg_cron's database: the same
// for every application database, so serve probes it once per round for all.
struct CronAccess {
    bool installed = false;                   // pg_cron's extension exists in this database
    bool sees_all = false;                    // superuser or BYPASSRLS: row-level security does not apply
    bool cron_usage = false;                  // USAGE on schema cron (pg_cron grants it to no one)
    bool reader_installed = false;            // fitbot_partman_cron's functions exist
    bool reader_usable = false;               // ... and this role may execute them
    bool reader_sees_all = false;             // ... and their owner is a superuser or BYPASSRLS
    std::string reader_owner;                 // of the usable readers, joined by '", "'
    std::vector<std::string> reader_schemas;  // the usable readers, quoted
    // Of those, the ones with driver_firings() (readers set up before it
    // existed lack it until setup runs again).
    std::set<std::string> readers_with_firings;
    std::string log_run;  // cron.log_run as pg_settings shows it ("" when hidden)
    std::string role;
    std::string database;
};

CronAccess probe_cron_access(pqxx::transaction_base &cron_txn);

// Reads, in `cron_txn` (a transaction in pg_cron's database), the maintenance
// jobs of `app_database` and their runs into `maintenance`, and sets
// cron_installed, jobs_visible and jobs_hidden_reason to what this reader
// could see:
//   - a superuser or BYPASSRLS role reads cron.job directly;
//   - any other role reads through fitbot_partman_cron's SECURITY DEFINER
//     functions when it may execute them;
//   - otherwise it reads what row-level security shows it (its own jobs)
//     and, finding none, says the jobs are hidden and how to see them.
// Runs of jobs that run fitbot_partman's driver are left to the ledger when
// maintenance.ledger_available (read before).
// `known_access`: probe_cron_access() of this connection, when already
// probed (nullptr probes now).
void read_cron_jobs(pqxx::transaction_base &cron_txn, const std::string &app_database,
                    core::MaintenanceFacts &maintenance, const CronAccess *known_access = nullptr);

}  // namespace fitbot::companion
