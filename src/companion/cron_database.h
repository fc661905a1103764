// pg_cron's database when it is not the application's (cron.database_name
// defaults to postgres): the companion connects there too, so that it sees
// the application's maintenance job where SQL in the application's database
// cannot.
#pragma once

#include <string>

#include "core/facts.h"
#include "database.h"

namespace fitbot::companion {

// Whether the facts say pg_cron runs its jobs from another database than
// `app_database` (and pg_cron is not installed here as well).
bool cron_lives_elsewhere(const core::MaintenanceFacts &maintenance, const std::string &app_database);

// How to connect to pg_cron's database `cron_database`: --cron-dsn when given
// (ConnectSettings::cron_dsn), else `app_dsn` with dbname replaced.
std::string cron_database_dsn(const std::string &app_dsn, const std::string &cron_database);

// Connects to pg_cron's database with the same timeouts as the application's
// connection. Throws DatabaseError naming the cause and the fix.
Connection connect_cron_database(const std::string &app_dsn, const std::string &cron_database);

// serve: keep (true) the connections read_jobs_in_cron_database() makes to
// pg_cron's database across calls, reconnecting after a failure, instead of
// connecting for every read.
void keep_cron_connections(bool keep);

// serve, at the start of each round of refreshes: probe again what the role
// may see in pg_cron's database (readers installed, grants), once for the
// round's application databases.
void new_cron_round();

// When pg_cron lives in another database, reads the application's
// maintenance jobs and runs there (read_cron_jobs) into `maintenance`. When
// that database cannot be reached, the jobs are not visible, and the reason
// says why and how to fix it.
void read_jobs_in_cron_database(core::MaintenanceFacts &maintenance, const std::string &app_database,
                                const std::string &app_dsn);

}  // namespace fitbot::companion
