// Which pg_cron rules this server's schedules follow (core::PgCronRules):
// the pg_cron library loaded in this server, else pg_cron's extversion in
// this database, else the newest rules, each saying what it assumed.
#pragma once

#include <string>

#include "core/cron.h"

namespace fitbot::pg {

struct InstalledPgCron {
    // "1.6", "1.5", "1.4" (read from the library's settings), an extversion,
    // or empty when neither is visible.
    std::string version;
    core::PgCronRulesChoice choice;
};

InstalledPgCron installed_pg_cron();

// The rules for a version argument given by a caller, or installed_pg_cron()'s
// when it is NULL. Throws SqlError (invalid_parameter_value) for a version
// that is not one.
core::PgCronRules pg_cron_rules_for_argument(const std::string *version);

}  // namespace fitbot::pg
