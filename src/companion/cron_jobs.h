// pg_cron's maintenance jobs of one application database, and their runs,
// read in the database where pg_cron is installed (the same database, or
// cron.database_name elsewhere), despite pg_cron's row-level security.
#pragma once

#include <string>

#include <pqxx/pqxx>

#include "core/facts.h"

namespace fitbot::companion {

// The schema `fitbot-partman setup` installs in pg_cron's database, with
// maintenance_jobs(name) and maintenance_runs(name, boolean)
// (sql/src/cron_database/10_job_reader.sql).
inline constexpr const char *kCronReaderSchema = "fitbot_partman_cron";

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
void read_cron_jobs(pqxx::transaction_base &cron_txn, const std::string &app_database,
                    core::MaintenanceFacts &maintenance);

}  // namespace fitbot::companion
