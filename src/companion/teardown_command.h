// `fitbot-partman teardown`: setup's mirror, across the application's
// database and pg_cron's (issue 21). It stops maintaining the readings table
// and removes this database's maintenance job and its readers; it never drops
// a table, partition or reading.
#pragma once

#include <ostream>
#include <string>

namespace fitbot::companion {

// Prints one row per step, as setup does ('manual' with the statement where
// privileges are missing); exits 1 when a step is left manual.
int teardown(const std::string &dsn, bool agentless, std::ostream &out, std::ostream &err);

}  // namespace fitbot::companion
