// timestamptz + interval with PostgreSQL's semantics.
#include "calendar.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace fitbot::core {

namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

[[noreturn]] void out_of_range() { throw std::out_of_range("timestamp out of range"); }

std::int64_t checked_add(std::int64_t a, std::int64_t b) {
    std::int64_t sum = 0;
    if (__builtin_add_overflow(a, b, &sum)) out_of_range();
    return sum;
}

std::int64_t checked_mul(std::int64_t a, std::int64_t b) {
    std::int64_t product = 0;
    if (__builtin_mul_overflow(a, b, &product)) out_of_range();
    return product;
}

// An instant split into local calendar day, wall-clock second of the day and
// the sub-second micros, which PostgreSQL keeps untouched (fsec).
struct LocalParts {
    std::int64_t day = 0;
    std::int64_t second_of_day = 0;
    Micros fraction = 0;
};

LocalParts local_parts(Micros instant, const ZoneRules &zone) {
    const std::int64_t utc_seconds = floor_div(instant, kMicrosPerSecond);
    LocalParts parts;
    parts.fraction = instant - utc_seconds * kMicrosPerSecond;
    const std::int64_t local = local_seconds_at(zone, utc_seconds);
    parts.day = floor_div(local, kSecondsPerDay);
    parts.second_of_day = local - parts.day * kSecondsPerDay;
    return parts;
}

Micros instant_from_local(const LocalParts &parts, const ZoneRules &zone) {
    const std::int64_t local = checked_add(checked_mul(parts.day, kSecondsPerDay), parts.second_of_day);
    const std::int64_t utc_seconds = postgres_utc_from_local(zone, local);
    return checked_add(checked_mul(utc_seconds, kMicrosPerSecond), parts.fraction);
}

// Days beyond which civil dates would no longer fit an int year; far outside
// anything a timestamptz can hold (PostgreSQL stops at 294276 AD).
constexpr std::int64_t kMaxAbsDay = 365LL * 1'000'000;

}  // namespace

Micros add_interval(Micros instant, const Interval &interval, const ZoneRules &zone) {
    Micros result = instant;
    if (interval.months != 0) {
        LocalParts parts = local_parts(result, zone);
        const CivilDate date = civil_from_days(parts.day);
        // Month arithmetic on a zero-based month count, as PostgreSQL does
        // with tm_mon/tm_year.
        const std::int64_t month_index = static_cast<std::int64_t>(date.year) * 12 + (date.month - 1) + interval.months;
        CivilDate shifted;
        shifted.year = static_cast<int>(floor_div(month_index, 12));
        shifted.month = static_cast<int>(month_index - floor_div(month_index, 12) * 12) + 1;
        shifted.day = std::min(date.day, days_in_month(shifted.year, shifted.month));
        parts.day = days_from_civil(shifted);
        result = instant_from_local(parts, zone);
    }
    if (interval.days != 0) {
        LocalParts parts = local_parts(result, zone);
        parts.day = checked_add(parts.day, interval.days);
        if (parts.day > kMaxAbsDay || parts.day < -kMaxAbsDay) out_of_range();
        result = instant_from_local(parts, zone);
    }
    return checked_add(result, interval.micros);
}

Micros approximate_length(const Interval &interval) {
    // At most 2^31 months * 30 days * 86400e6 µs ≈ 5.6e21: use long double
    // headroom, then saturate.
    const long double length = static_cast<long double>(interval.months) * 30 * kMicrosPerDay +
                               static_cast<long double>(interval.days) * kMicrosPerDay +
                               static_cast<long double>(interval.micros);
    constexpr Micros kMax = std::numeric_limits<Micros>::max();
    constexpr Micros kMin = std::numeric_limits<Micros>::min();
    if (length >= static_cast<long double>(kMax)) return kMax;
    if (length <= static_cast<long double>(kMin)) return kMin;
    return static_cast<Micros>(length);
}

}  // namespace fitbot::core
