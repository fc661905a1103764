// Calendar arithmetic with PostgreSQL's timestamptz + interval semantics.
#pragma once

#include "time_types.h"
#include "zone.h"

namespace fitbot::core {

// timestamptz + interval as PostgreSQL computes it in a session whose
// TimeZone is `zone`: months are added on the local calendar (clamping the
// day to the month's end), then days on the local calendar, then the exact
// micros.
Micros add_interval(Micros instant, const Interval &interval, const ZoneRules &zone);

// A rough, always positive length used only for comparisons such as "less
// than one partition interval of margin": 30-day months, 24-hour days.
Micros approximate_length(const Interval &interval);

}  // namespace fitbot::core
