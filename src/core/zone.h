// Time zone rules as the core needs them, without any I/O.
//
// The core never reads the tz database itself: the extension answers with
// PostgreSQL's own zone code (pg_tzset/pg_localtime) and the companion with
// the system zoneinfo, so both evaluate schedules exactly like their host.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "time_types.h"

namespace fitbot::core {

class ZoneRules {
public:
    virtual ~ZoneRules() = default;
    // Offset from UTC, in seconds east of Greenwich, in force at the instant.
    virtual std::int64_t utc_offset_seconds(std::int64_t utc_seconds) const = 0;
    virtual std::string name() const = 0;
};

class FixedOffsetZone final : public ZoneRules {
public:
    explicit FixedOffsetZone(std::int64_t offset_seconds = 0, std::string name = "UTC")
        : offset_seconds_(offset_seconds), name_(std::move(name)) {}
    std::int64_t utc_offset_seconds(std::int64_t) const override { return offset_seconds_; }
    std::string name() const override { return name_; }

private:
    std::int64_t offset_seconds_;
    std::string name_;
};

// How a local wall-clock time maps back onto UTC.
struct LocalTimeResolution {
    enum class Kind { unique, ambiguous, skipped };
    Kind kind = Kind::unique;
    // unique: the instant; ambiguous: the earlier of the two instants.
    std::int64_t earliest_utc_seconds = 0;
    // ambiguous: the later instant (the repeated hour after a fall-back).
    std::int64_t latest_utc_seconds = 0;
    // skipped: the transition instant that ends the gap (e.g. 03:00 local
    // after a spring-forward from 02:00). For a skipped time all three fields
    // hold this instant.
    std::int64_t gap_end_utc_seconds = 0;
};

// local_seconds: wall-clock seconds since 1970-01-01 00:00 local.
// Finds every instant u with u + offset(u) == local_seconds, assuming (like
// PostgreSQL's DetermineTimeZoneOffset) at most one offset change within a day
// either side; a skipped time's gap end is found by binary search.
LocalTimeResolution resolve_local_time(const ZoneRules &zone, std::int64_t local_seconds);

// The instant PostgreSQL gives a local wall-clock time (DetermineTimeZoneOffset
// in src/backend/utils/adt/datetime.c): a time skipped by a spring-forward is
// read with the offset in force before the transition (02:30 becomes 03:30
// summer time), a repeated time takes the later occurrence ("after" the
// transition, 01:30 after a fall-back is the standard-time 01:30).
std::int64_t postgres_utc_from_local(const ZoneRules &zone, std::int64_t local_seconds);

// Wall-clock seconds of a UTC instant.
std::int64_t local_seconds_at(const ZoneRules &zone, std::int64_t utc_seconds);

}  // namespace fitbot::core
