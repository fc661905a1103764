// Conversions between PostgreSQL values and core types, at the edge only.
#pragma once

#include <string>

#include "core/time_types.h"
#include "pg_headers.h"

namespace fitbot::pg {

constexpr core::Micros kPostgresEpochOffset =
    static_cast<core::Micros>(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;

inline core::Micros micros_from_timestamptz(TimestampTz value) { return value + kPostgresEpochOffset; }
inline TimestampTz timestamptz_from_micros(core::Micros value) { return value - kPostgresEpochOffset; }

inline core::Interval interval_from_pg(const Interval *value) {
    return core::Interval{value->month, value->day, value->time};
}

// A text Datum as std::string (detoasting through the error guard).
std::string string_from_text(Datum value);
// A palloc'd text Datum in the current memory context.
Datum text_datum(const std::string &value);

}  // namespace fitbot::pg
