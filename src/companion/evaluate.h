// Facts -> verdicts with the core, in the zones the database itself uses.
#pragma once

#include <string>

#include "core/exposition.h"
#include "core/health.h"
#include "database.h"

namespace fitbot::companion {

struct Evaluation {
    core::DatabaseFacts facts;
    core::HealthReport report;
    core::ExpositionInfo info;
};

// Judges the facts: schedules in pg_cron's zone, calendar arithmetic in the
// database session's TimeZone (both loaded from the system tz database).
Evaluation evaluate(core::DatabaseFacts facts, Mode mode);

// Reads and judges for a caller that needs only the verdicts: the facts'
// partitions move into the report instead of being kept beside it.
core::HealthReport read_and_judge(pqxx::connection &connection, Mode mode, const std::string &dsn);

// Reads and judges in one go. Where pg_cron lives in another database, its
// jobs are read there too (cron_database.h), through `dsn` with dbname
// replaced (or --cron-dsn).
Evaluation read_and_evaluate(pqxx::connection &connection, Mode mode, const std::string &dsn);

}  // namespace fitbot::companion
