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

// A timestamptz, timestamp or date value as timestamptz (timestamp and date
// read in the session TimeZone, as PostgreSQL casts them); false for another
// type or a value out of timestamptz's range. Plain C: may be called inside
// the C-style readers that run under pg_call().
inline bool timestamptz_from_time_datum(Datum value, Oid type, TimestampTz *out) {
    int overflow = 0;
    switch (type) {
        case TIMESTAMPTZOID:
            *out = DatumGetTimestampTz(value);
            return true;
        case TIMESTAMPOID:
            *out = timestamp2timestamptz_opt_overflow(DatumGetTimestamp(value), &overflow);
            return overflow == 0;
        case DATEOID:
            *out = date2timestamptz_opt_overflow(DatumGetDateADT(value), &overflow);
            return overflow == 0;
        default:
            return false;
    }
}

// A text Datum as std::string (detoasting through the error guard).
std::string string_from_text(Datum value);
// A palloc'd text Datum in the current memory context.
Datum text_datum(const std::string &value);

}  // namespace fitbot::pg
