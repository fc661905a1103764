// Plain time values shared by every part of the core.
//
// Instants are UTC microseconds since the Unix epoch, the same resolution as
// PostgreSQL's timestamptz, so the glue converts without losing precision.
#pragma once

#include <cstdint>

namespace fitbot::core {

using Micros = std::int64_t;  // UTC microseconds since 1970-01-01 00:00:00

constexpr Micros kMicrosPerSecond = 1'000'000;
constexpr Micros kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr Micros kMicrosPerHour = 60 * kMicrosPerMinute;
constexpr Micros kMicrosPerDay = 24 * kMicrosPerHour;

// A PostgreSQL interval: months and days are calendar units whose length
// depends on where they are added, micros is exact elapsed time.
struct Interval {
    std::int32_t months = 0;
    std::int32_t days = 0;
    std::int64_t micros = 0;

    bool operator==(const Interval &other) const {
        return months == other.months && days == other.days && micros == other.micros;
    }
    bool operator!=(const Interval &other) const { return !(*this == other); }
};

// A date on the proleptic Gregorian calendar.
struct CivilDate {
    int year = 1970;
    int month = 1;  // 1..12
    int day = 1;    // 1..31
};

// Days since 1970-01-01 of a civil date, and back (Howard Hinnant's algorithms).
std::int64_t days_from_civil(CivilDate date);
CivilDate civil_from_days(std::int64_t days);
bool is_leap_year(int year);
int days_in_month(int year, int month);
// 0 = Sunday .. 6 = Saturday
int weekday_from_days(std::int64_t days);

// Seconds since the epoch, rounding towards negative infinity.
inline std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
    std::int64_t quotient = value / divisor;
    if ((value % divisor != 0) && ((value < 0) != (divisor < 0))) --quotient;
    return quotient;
}

}  // namespace fitbot::core
