// Instants as the companion prints them.
#pragma once

#include <optional>
#include <string>

#include "core/time_types.h"
#include "core/zone.h"

namespace fitbot::companion {

// "2026-12-20T02:00:00Z" (JSON)
std::string iso_utc(core::Micros instant);
// "2026-12-20 02:00 UTC" (terminal)
std::string readable_utc(core::Micros instant);
// "2026-12-20 11:00 Asia/Seoul" in the given zone
std::string readable_local(core::Micros instant, const core::ZoneRules &zone);
// "96 days", "5 hours", "-3 days" for a duration
std::string readable_duration(core::Micros duration);
// "350 ms", "7.05 s", "12.3 s", "125 s": seconds measured as a double (the
// ledger's lock_wait_seconds, 7.0495339999999995) at the precision worth
// reading, about three digits; "?" when not finite.
std::string readable_seconds(double seconds);

// The local zone for display: --tz, else $TZ, else /etc/localtime's name, else UTC.
std::string local_zone_name(const std::string &requested);

}  // namespace fitbot::companion
