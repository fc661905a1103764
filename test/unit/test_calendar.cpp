// timestamptz + interval (src/core/calendar) with PostgreSQL's semantics.
// Expected instants were computed with python3 (datetime.fromisoformat(...).timestamp()).
#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

#include "companion/system_zone.h"
#include "core/calendar.h"

namespace fitbot::core {
namespace {

using companion::load_system_zone;

constexpr Micros seconds(std::int64_t value) { return value * kMicrosPerSecond; }

Interval months(std::int32_t count) { return Interval{count, 0, 0}; }
Interval days(std::int32_t count) { return Interval{0, count, 0}; }
Interval hours(std::int64_t count) { return Interval{0, 0, count * kMicrosPerHour}; }

const FixedOffsetZone kUtc;

TEST(CalendarAddInterval, MonthClampsToTheMonthsLastDay) {
    // 2026-01-31 10:00Z + 1 month = 2026-02-28 10:00Z
    EXPECT_EQ(add_interval(seconds(1769853600), months(1), kUtc), seconds(1772272800));
    // 2028-01-31 10:00Z + 1 month = 2028-02-29 10:00Z (leap year)
    EXPECT_EQ(add_interval(seconds(1832925600), months(1), kUtc), seconds(1835431200));
    // 2026-03-31 10:00Z - 1 month = 2026-02-28 10:00Z
    EXPECT_EQ(add_interval(seconds(1774951200), months(-1), kUtc), seconds(1772272800));
    // 2028-02-29 + 12 months = 2029-02-28 (python: 1866967200)
    EXPECT_EQ(add_interval(seconds(1835431200), months(12), kUtc), seconds(1866967200));
}

TEST(CalendarAddInterval, MonthsRollOverYears) {
    // 2025-12-15 + 1 month = 2026-01-15; + 13 months = 2027-01-15
    EXPECT_EQ(add_interval(seconds(1765756800), months(1), kUtc), seconds(1768435200));
    EXPECT_EQ(add_interval(seconds(1765756800), months(13), kUtc), seconds(1799971200));
    // 2026-01-15 - 14 months = 2024-11-15
    EXPECT_EQ(add_interval(seconds(1768435200), months(-14), kUtc), seconds(1731628800));
    // 2026-01-15 - 12 months = 2025-01-15 (python: 1736899200)
    EXPECT_EQ(add_interval(seconds(1768435200), months(-12), kUtc), seconds(1736899200));
}

TEST(CalendarAddInterval, MonthsThenDaysThenMicros) {
    // 2026-01-31 10:00 + '1 mon 1 day' = 2026-02-28 + 1 day = 2026-03-01 10:00
    EXPECT_EQ(add_interval(seconds(1769853600), Interval{1, 1, 0}, kUtc), seconds(1772359200));
    // + '1 mon -1 day' = 2026-02-27 10:00
    EXPECT_EQ(add_interval(seconds(1769853600), Interval{1, -1, 0}, kUtc), seconds(1772272800 - 86400));
    // + '1 mon 1 day 00:00:01.5'
    EXPECT_EQ(add_interval(seconds(1769853600), Interval{1, 1, 1'500'000}, kUtc), seconds(1772359200) + 1'500'000);
    EXPECT_EQ(add_interval(seconds(1769853600), Interval{}, kUtc), seconds(1769853600));
}

TEST(CalendarAddInterval, KeepsMicrosecondsAndWorksBeforeEpoch) {
    EXPECT_EQ(add_interval(seconds(1769853600) + 123456, months(1), kUtc), seconds(1772272800) + 123456);
    // 1969-12-31 23:59:59.999999 + 1 day = 1970-01-01 23:59:59.999999
    EXPECT_EQ(add_interval(-1, days(1), kUtc), kMicrosPerDay - 1);
    // 1969-12-31 00:00 + 1 month = 1970-01-31 00:00
    EXPECT_EQ(add_interval(-kMicrosPerDay, months(1), kUtc), 30 * kMicrosPerDay);
}

TEST(CalendarAddInterval, FixedOffsetZoneUsesItsLocalCalendar) {
    // 2026-01-31 01:00 +09:00 is 2026-01-30 16:00Z. On the local calendar one
    // month later is 2026-02-28 01:00 +09:00 (2026-02-27 16:00Z); on the UTC
    // calendar it would be 2026-02-28 16:00Z (python: 1772208000, 1772294400).
    const FixedOffsetZone seoul(9 * 3600, "KST");
    EXPECT_EQ(add_interval(seconds(1769788800), months(1), seoul), seconds(1772208000));
    EXPECT_EQ(add_interval(seconds(1769788800), months(1), kUtc), seconds(1772294400));
}

TEST(CalendarAddInterval, DayAcrossSpringForwardKeepsWallClock) {
    const auto berlin = load_system_zone("Europe/Berlin");
    // 2026-03-28 12:00 CET + '1 day' = 2026-03-29 12:00 CEST (23 hours later)
    EXPECT_EQ(add_interval(seconds(1774695600), days(1), *berlin), seconds(1774778400));
    // + '24 hours' = 2026-03-29 13:00 CEST
    EXPECT_EQ(add_interval(seconds(1774695600), hours(24), *berlin), seconds(1774782000));
    // And back: 2026-03-29 12:00 CEST - '1 day' = 2026-03-28 12:00 CET
    EXPECT_EQ(add_interval(seconds(1774778400), days(-1), *berlin), seconds(1774695600));
}

TEST(CalendarAddInterval, PostgresDocumentationExample) {
    // PostgreSQL manual, "Date/Time Functions and Operators", with
    // TimeZone America/Denver: '2005-04-02 12:00:00-07' + interval '1 day'
    // = '2005-04-03 12:00:00-06', + interval '24 hours' = '2005-04-03 13:00:00-06'.
    const auto denver = load_system_zone("America/Denver");
    EXPECT_EQ(add_interval(seconds(1112468400), days(1), *denver), seconds(1112551200));
    EXPECT_EQ(add_interval(seconds(1112468400), hours(24), *denver), seconds(1112554800));
}

TEST(CalendarAddInterval, LandingInAGapMovesForwardLikePostgres) {
    const auto berlin = load_system_zone("Europe/Berlin");
    // 2026-03-28 02:30 CET + '1 day' = '2026-03-29 02:30', which does not
    // exist; PostgreSQL reads it with the offset before the jump: 03:30 CEST.
    EXPECT_EQ(add_interval(seconds(1774661400), days(1), *berlin), seconds(1774747800));
    // 2026-01-29 02:30 CET + '2 mons' lands on the same missing time.
    // python: 2026-01-29T02:30:00+01:00 = 1769650200
    EXPECT_EQ(add_interval(seconds(1769650200), months(2), *berlin), seconds(1774747800));
}

TEST(CalendarAddInterval, LandingOnARepeatedTimeTakesTheLaterOne) {
    const auto new_york = load_system_zone("America/New_York");
    // 2026-10-31 01:30 EDT + '1 day' = 2026-11-01 01:30, which happens
    // twice; PostgreSQL takes the standard-time one (EST, 06:30Z).
    EXPECT_EQ(add_interval(seconds(1793424600), days(1), *new_york), seconds(1793514600));
}

TEST(CalendarAddInterval, OverflowThrows) {
    constexpr Micros kMax = std::numeric_limits<Micros>::max();
    EXPECT_THROW(add_interval(kMax - 10, Interval{0, 0, 100}, kUtc), std::out_of_range);
    EXPECT_THROW(add_interval(0, months(std::numeric_limits<std::int32_t>::max()), kUtc), std::out_of_range);
    EXPECT_THROW(add_interval(0, days(std::numeric_limits<std::int32_t>::max()), kUtc), std::out_of_range);
}

TEST(CalendarApproximateLength, ThirtyDayMonthsAndDayLongDays) {
    EXPECT_EQ(approximate_length(months(1)), 30 * kMicrosPerDay);
    EXPECT_EQ(approximate_length(months(12)), 360 * kMicrosPerDay);
    EXPECT_EQ(approximate_length(days(1)), kMicrosPerDay);
    EXPECT_EQ(approximate_length(Interval{1, 2, 3}), 32 * kMicrosPerDay + 3);
    EXPECT_EQ(approximate_length(hours(5)), 5 * kMicrosPerHour);
    EXPECT_EQ(approximate_length(months(-1)), -30 * kMicrosPerDay);
    EXPECT_EQ(approximate_length(Interval{}), 0);
}

TEST(CalendarApproximateLength, Saturates) {
    constexpr std::int32_t kMaxMonths = std::numeric_limits<std::int32_t>::max();
    EXPECT_EQ(approximate_length(Interval{kMaxMonths, kMaxMonths, std::numeric_limits<std::int64_t>::max()}),
              std::numeric_limits<Micros>::max());
    EXPECT_EQ(approximate_length(Interval{-kMaxMonths, 0, std::numeric_limits<std::int64_t>::min()}),
              std::numeric_limits<Micros>::min());
}

}  // namespace
}  // namespace fitbot::core
