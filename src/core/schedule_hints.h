// What to run to schedule this database's maintenance job, in the layout
// the facts describe (issue 21): every hint health prints must work where it
// is printed.
//   - agentless (no extension here): the companion's `fitbot-partman setup`;
//   - the extension, pg_cron in this database: schedule_maintenance();
//   - the extension, pg_cron in another database: schedule_maintenance()
//     raises there, so `fitbot-partman setup`, or setup() here, whose
//     schedule row prints the statement to run in pg_cron's database.
#pragma once

#include <string>

#include "facts.h"

namespace fitbot::core {

// Whether pg_cron runs its jobs from another database than this one, as far
// as the facts tell (false when either name is unknown).
bool cron_in_another_database(const MaintenanceFacts &facts);

// "run ..." (no leading capital, no final period): how to schedule the job.
std::string schedule_job_hint(const MaintenanceFacts &facts);

// "keep one ..." (no final period): how to remove all but one of several
// maintenance jobs of this database, in pg_cron's database.
std::string keep_one_job_hint(const MaintenanceFacts &facts);

// The whole remedy when pg_cron's extension is missing where it must be.
std::string install_pg_cron_hint(const MaintenanceFacts &facts);

}  // namespace fitbot::core
