// Calendar arithmetic with PostgreSQL's timestamptz + interval semantics.
#pragma once

#include "time_types.h"
#include "zone.h"

namespace fitbot::core {

// timestamptz + interval as PostgreSQL 15 computes it (timestamptz_pl_interval
// in src/backend/utils/adt/timestamp.c) in a session whose TimeZone is `zone`:
// months are added on the local calendar (clamping the day to the month's
// end), then days on the local calendar, each step keeping the wall-clock time
// and mapping it back like postgres_utc_from_local (a time skipped by a
// spring-forward moves forward by the gap, a repeated time takes the later
// occurrence), then the exact micros. Throws std::out_of_range when the result
// does not fit in 64-bit microseconds.
Micros add_interval(Micros instant, const Interval &interval, const ZoneRules &zone);

// A rough length used only for comparisons such as "less than one partition
// interval of margin": 30-day months, 24-hour days, plus the micros (the
// month and day parts count like PostgreSQL's interval comparison does). It
// is positive for positive intervals; it saturates instead of overflowing.
Micros approximate_length(const Interval &interval);

}  // namespace fitbot::core
