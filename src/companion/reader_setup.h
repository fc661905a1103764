// The SECURITY DEFINER readers `fitbot-partman setup` installs so that a role
// holding only pg_monitor sees everything health needs:
//   - in pg_cron's database, fitbot_partman_cron (sql/src/cron_database/):
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

}  // namespace fitbot::companion
