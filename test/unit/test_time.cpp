// Civil calendar conversions of src/core/time_types.
#include <gtest/gtest.h>

#include "core/time_types.h"

namespace fitbot::core {
namespace {

TEST(TimeCivil, KnownDaysSinceEpoch) {
    // Cross-checked with python3: (date(y, m, d) - date(1970, 1, 1)).days
    EXPECT_EQ(days_from_civil({1970, 1, 1}), 0);
    EXPECT_EQ(days_from_civil({1969, 12, 31}), -1);
    EXPECT_EQ(days_from_civil({2000, 2, 29}), 11016);
    EXPECT_EQ(days_from_civil({2000, 3, 1}), 11017);
    EXPECT_EQ(days_from_civil({2026, 6, 1}), 20605);
    EXPECT_EQ(days_from_civil({2026, 12, 20}), 20807);
    EXPECT_EQ(days_from_civil({2100, 3, 1}), 47541);
    EXPECT_EQ(days_from_civil({1900, 1, 1}), -25567);
    EXPECT_EQ(days_from_civil({1, 1, 1}), -719162);
}

TEST(TimeCivil, CivilFromDaysInvertsDaysFromCivil) {
    const CivilDate date = civil_from_days(11016);
    EXPECT_EQ(date.year, 2000);
    EXPECT_EQ(date.month, 2);
    EXPECT_EQ(date.day, 29);
    const CivilDate before_epoch = civil_from_days(-1);
    EXPECT_EQ(before_epoch.year, 1969);
    EXPECT_EQ(before_epoch.month, 12);
    EXPECT_EQ(before_epoch.day, 31);
    // Every day over more than a Gregorian cycle round-trips and advances by
    // exactly one calendar day.
    CivilDate previous = civil_from_days(-200000);
    for (std::int64_t day = -199999; day <= 200000; ++day) {
        const CivilDate date = civil_from_days(day);
        ASSERT_EQ(days_from_civil(date), day);
        if (date.day == 1) {
            ASSERT_EQ(previous.day, days_in_month(previous.year, previous.month));
            ASSERT_EQ(date.month, previous.month == 12 ? 1 : previous.month + 1);
        } else {
            ASSERT_EQ(date.day, previous.day + 1);
            ASSERT_EQ(date.month, previous.month);
            ASSERT_EQ(date.year, previous.year);
        }
        previous = date;
    }
}

TEST(TimeCivil, LeapYears) {
    EXPECT_TRUE(is_leap_year(2000));
    EXPECT_TRUE(is_leap_year(2024));
    EXPECT_TRUE(is_leap_year(2028));
    EXPECT_FALSE(is_leap_year(1900));
    EXPECT_FALSE(is_leap_year(2026));
    EXPECT_FALSE(is_leap_year(2100));
    EXPECT_TRUE(is_leap_year(2400));
}

TEST(TimeCivil, DaysInMonth) {
    EXPECT_EQ(days_in_month(2026, 1), 31);
    EXPECT_EQ(days_in_month(2026, 2), 28);
    EXPECT_EQ(days_in_month(2028, 2), 29);
    EXPECT_EQ(days_in_month(2100, 2), 28);
    EXPECT_EQ(days_in_month(2000, 2), 29);
    EXPECT_EQ(days_in_month(2026, 4), 30);
    EXPECT_EQ(days_in_month(2026, 6), 30);
    EXPECT_EQ(days_in_month(2026, 9), 30);
    EXPECT_EQ(days_in_month(2026, 11), 30);
    EXPECT_EQ(days_in_month(2026, 12), 31);
    EXPECT_EQ(days_in_month(2026, 0), 0);
    EXPECT_EQ(days_in_month(2026, 13), 0);
}

TEST(TimeCivil, Weekdays) {
    EXPECT_EQ(weekday_from_days(0), 4);  // 1970-01-01 Thursday
    EXPECT_EQ(weekday_from_days(-1), 3);
    EXPECT_EQ(weekday_from_days(-4), 0);
    EXPECT_EQ(weekday_from_days(days_from_civil({2026, 6, 1})), 1);    // Monday
    EXPECT_EQ(weekday_from_days(days_from_civil({2026, 12, 20})), 0);  // Sunday
    EXPECT_EQ(weekday_from_days(days_from_civil({2000, 2, 29})), 2);   // Tuesday
    EXPECT_EQ(weekday_from_days(days_from_civil({1900, 1, 1})), 1);    // Monday
}

TEST(TimeCivil, FloorDivRoundsDown) {
    EXPECT_EQ(floor_div(7, 2), 3);
    EXPECT_EQ(floor_div(-7, 2), -4);
    EXPECT_EQ(floor_div(-6, 2), -3);
    EXPECT_EQ(floor_div(0, 5), 0);
    EXPECT_EQ(floor_div(-1, kMicrosPerSecond), -1);
    EXPECT_EQ(floor_div(7, -2), -4);
}

}  // namespace
}  // namespace fitbot::core
