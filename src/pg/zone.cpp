// PostgresZone (zone.h): UTC offsets and zone names from PostgreSQL's own
// time zone library (pg_localtime, pg_tzset), which the server's casts use.
#include "zone.h"

#include "guard.h"

namespace fitbot::pg {

std::int64_t PostgresZone::utc_offset_seconds(std::int64_t utc_seconds) const {
    pg_time_t instant = utc_seconds;
    // pg_localtime does not ereport; it returns NULL only for absurd instants.
    struct pg_tm *local = pg_localtime(&instant, zone_);
    return local != nullptr ? local->tm_gmtoff : 0;
}

std::string PostgresZone::name() const {
    const char *zone_name = pg_get_timezone_name(zone_);
    return zone_name != nullptr ? zone_name : "UTC";
}

PostgresZone zone_named(const std::string &name) {
    pg_tz *zone = pg_call(pg_tzset, name.c_str());
    if (zone == nullptr || name.empty()) {
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE, "time zone \"" + name + "\" not recognized", {},
                       "Use a name from pg_timezone_names, for example 'UTC' or 'Asia/Seoul'.");
    }
    return PostgresZone(zone);
}

PostgresZone session_zone() { return PostgresZone(session_timezone); }

}  // namespace fitbot::pg
