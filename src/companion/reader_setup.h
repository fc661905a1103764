// The SECURITY DEFINER readers `fitbot-partman setup` installs so that a role
// holding only pg_monitor sees everything health needs:
//   - in pg_cron's database, fitbot_partman_cron (sql/src/cron_database/),
//     or fitbot_partman_cron_<role> for each administrator after the first:
//     the maintenance jobs that pg_cron's row-level security hides from it;
//   - in the application's database, fitbot_partman_monitor
//     (sql/src/app_database/): pg_partman's config and the default
//     partitions' row counts, without granting it the readings.
// Both are owned by the role that runs setup, and re-installed by every run.
#pragma once

#include <ostream>

#include <pqxx/pqxx>

#include "cron_setup.h"

namespace fitbot::companion {

StepOutcome install_job_reader(pqxx::connection &cron_database, std::ostream &out);
StepOutcome install_partman_reader(pqxx::connection &app_database, std::ostream &out);

// teardown's counterparts: the connected role's job reader(s) go once it has
// no maintenance job left in any database (one reader serves them all); the
// config reader goes with the database's setup. Another role's reader is
// never dropped.
StepOutcome remove_job_readers(pqxx::connection &cron_database, std::ostream &out);
StepOutcome remove_partman_reader(pqxx::connection &app_database, std::ostream &out);

}  // namespace fitbot::companion
