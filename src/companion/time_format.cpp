#include "time_format.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

namespace fitbot::companion {

namespace {

struct WallClock {
    core::CivilDate date;
    int hour, minute, second;
};

WallClock wall_clock(std::int64_t seconds) {
    std::int64_t days = core::floor_div(seconds, 86400);
    std::int64_t rest = seconds - days * 86400;
    return WallClock{core::civil_from_days(days), int(rest / 3600), int(rest / 60 % 60), int(rest % 60)};
}

}  // namespace

std::string iso_utc(core::Micros instant) {
    WallClock clock = wall_clock(core::floor_div(instant, core::kMicrosPerSecond));
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", clock.date.year, clock.date.month, clock.date.day,
                       clock.hour, clock.minute, clock.second);
}

std::string readable_utc(core::Micros instant) {
    WallClock clock = wall_clock(core::floor_div(instant, core::kMicrosPerSecond));
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02} UTC", clock.date.year, clock.date.month, clock.date.day,
                       clock.hour, clock.minute);
}

std::string readable_local(core::Micros instant, const core::ZoneRules &zone) {
    std::int64_t utc_seconds = core::floor_div(instant, core::kMicrosPerSecond);
    WallClock clock = wall_clock(core::local_seconds_at(zone, utc_seconds));
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02} {}", clock.date.year, clock.date.month, clock.date.day,
                       clock.hour, clock.minute, zone.name());
}

std::string readable_duration(core::Micros duration) {
    const char *sign = duration < 0 ? "-" : "";
    core::Micros magnitude = duration < 0 ? -duration : duration;
    if (magnitude >= 2 * core::kMicrosPerDay) return fmt::format("{}{} days", sign, magnitude / core::kMicrosPerDay);
    if (magnitude >= 2 * core::kMicrosPerHour) return fmt::format("{}{} hours", sign, magnitude / core::kMicrosPerHour);
    return fmt::format("{}{} minutes", sign, magnitude / core::kMicrosPerMinute);
}

std::string readable_seconds(double seconds) {
    if (!std::isfinite(seconds)) return "?";
    const double magnitude = std::fabs(seconds);
    // Each bound is where rounding would carry into one more digit
    // (999.6 ms reads "1.00 s", not "1000 ms").
    if (magnitude < 0.9995) return fmt::format("{:.0f} ms", seconds * 1000);
    if (magnitude < 9.995) return fmt::format("{:.2f} s", seconds);
    if (magnitude < 99.95) return fmt::format("{:.1f} s", seconds);
    return fmt::format("{:.0f} s", seconds);
}

std::string local_zone_name(const std::string &requested) {
    if (!requested.empty()) return requested;
    if (const char *tz = std::getenv("TZ"); tz != nullptr && *tz != '\0') return *tz == ':' ? tz + 1 : tz;
    std::error_code error;
    std::filesystem::path target = std::filesystem::read_symlink("/etc/localtime", error);
    if (!error) {
        std::string path = target.string();
        const std::string marker = "zoneinfo/";
        if (auto at = path.find(marker); at != std::string::npos) return path.substr(at + marker.size());
    }
    return "UTC";
}

}  // namespace fitbot::companion
