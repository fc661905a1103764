// pg_cron schedules (src/core/cron): parsing with pg_cron 1.4's grammar,
// next_run/previous_run in UTC, in fixed zones and across DST changes.
//
// Besides hand-computed expectations (cross-checked with python3), two
// independent oracles are used: a minute-by-minute scan for UTC, and a
// simulation of vixie cron's clock-jump loop (cron.c / pg_cron.c,
// StartPendingRuns) walking real minutes through DST changes.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "companion/system_zone.h"
#include "core/cron.h"

namespace fitbot::core {
namespace {

using companion::load_system_zone;

const FixedOffsetZone kUtc;

// These tests read schedules strictly under pg_cron 1.4's rules; what differs
// in later releases, and the as-pg_cron-runs reading, is in
// test_cron_versions.cpp.
CronSchedule parse_14(std::string_view text) { return parse_cron(text, PgCronRules::v1_4, CronReading::strict); }

// "2026-06-20 02:00" or "2026-06-20 02:00:30", UTC.
Micros at(const char *text) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    const int fields = std::sscanf(text, "%d-%d-%d %d:%d:%d", &year, &month, &day, &hour, &minute, &second);
    EXPECT_GE(fields, 5) << text;
    return (days_from_civil({year, month, day}) * 86400 + hour * 3600 + minute * 60 + second) * kMicrosPerSecond;
}

std::string iso(std::optional<Micros> instant) {
    if (!instant) return "none";
    const std::int64_t seconds = floor_div(*instant, kMicrosPerSecond);
    const std::int64_t day = floor_div(seconds, 86400);
    const std::int64_t of_day = seconds - day * 86400;
    const CivilDate date = civil_from_days(day);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d %02d:%02d:%02d", date.year, date.month, date.day,
                  static_cast<int>(of_day / 3600), static_cast<int>(of_day / 60 % 60), static_cast<int>(of_day % 60));
    std::string text = buffer;
    if (*instant - seconds * kMicrosPerSecond != 0)
        text += "+" + std::to_string(*instant - seconds * kMicrosPerSecond) + "us";
    return text;
}

std::string next_iso(const char *schedule, const char *after, const ZoneRules &zone = kUtc) {
    return iso(next_run(parse_14(schedule), at(after), zone));
}

std::string previous_iso(const char *schedule, const char *at_text, const ZoneRules &zone = kUtc) {
    return iso(previous_run(parse_14(schedule), at(at_text), zone));
}

// The firings strictly after `from` up to `count` of them.
std::vector<std::string> firings(const char *schedule, const char *from, int count, const ZoneRules &zone = kUtc,
                                 CronClockRule rule = CronClockRule::vixie) {
    const CronSchedule parsed = parse_14(schedule);
    std::vector<std::string> result;
    Micros cursor = at(from);
    for (int i = 0; i < count; ++i) {
        const std::optional<Micros> next = next_run(parsed, cursor, zone, rule);
        result.push_back(iso(next));
        if (!next) break;
        cursor = *next;
    }
    return result;
}

std::vector<int> bits_of(const CronSchedule &schedule, int field) {
    std::vector<int> values;
    for (int i = 0; i < 60; ++i) {
        bool set = false;
        switch (field) {
            case 0:
                set = schedule.minutes.test(i);
                break;
            case 1:
                set = i < 24 && schedule.hours.test(i);
                break;
            case 2:
                set = i < 32 && schedule.days_of_month.test(i);
                break;
            case 3:
                set = i < 13 && schedule.months.test(i);
                break;
            case 4:
                set = i < 7 && schedule.days_of_week.test(i);
                break;
        }
        if (set) values.push_back(i);
    }
    return values;
}

std::vector<int> range(int first, int last, int step = 1) {
    std::vector<int> values;
    for (int i = first; i <= last; i += step) values.push_back(i);
    return values;
}

using Values = std::vector<int>;

// ---------------------------------------------------------------- parsing

TEST(CronParse, FixedSchedule) {
    const CronSchedule schedule = parse_14("0 2 20 * *");
    EXPECT_EQ(bits_of(schedule, 0), Values{0});
    EXPECT_EQ(bits_of(schedule, 1), Values{2});
    EXPECT_EQ(bits_of(schedule, 2), Values{20});
    EXPECT_EQ(bits_of(schedule, 3), range(1, 12));
    EXPECT_EQ(bits_of(schedule, 4), range(0, 6));
    EXPECT_FALSE(schedule.minute_star);
    EXPECT_FALSE(schedule.hour_star);
    EXPECT_FALSE(schedule.day_of_month_star);
    EXPECT_TRUE(schedule.day_of_week_star);
    EXPECT_EQ(schedule.text, "0 2 20 * *");
}

TEST(CronParse, EveryFieldForm) {
    EXPECT_EQ(bits_of(parse_14("* * * * *"), 0), range(0, 59));
    EXPECT_EQ(bits_of(parse_14("1-5 * * * *"), 0), range(1, 5));
    EXPECT_EQ(bits_of(parse_14("1,3,59 * * * *"), 0), (Values{1, 3, 59}));
    EXPECT_EQ(bits_of(parse_14("*/15 * * * *"), 0), (Values{0, 15, 30, 45}));
    EXPECT_EQ(bits_of(parse_14("10-30/10 * * * *"), 0), (Values{10, 20, 30}));
    EXPECT_EQ(bits_of(parse_14("1-5,10,*/20,58-59 * * * *"), 0), (Values{0, 1, 2, 3, 4, 5, 10, 20, 40, 58, 59}));
    EXPECT_EQ(bits_of(parse_14("0 */7 * * *"), 1), (Values{0, 7, 14, 21}));
    EXPECT_EQ(bits_of(parse_14("0 0 1-31/10 * *"), 2), (Values{1, 11, 21, 31}));
    EXPECT_EQ(bits_of(parse_14("0 0 */10 * *"), 2), (Values{1, 11, 21, 31}));  // '*' is 1-31 here
    EXPECT_EQ(bits_of(parse_14("0 0 1 */5 *"), 3), (Values{1, 6, 11}));
    // A step beyond the field: pg_cron <= 1.6.4 fires once at the start, a
    // likely typo refused strictly (test_cron_versions.cpp has the rest).
    EXPECT_THROW(parse_14("*/100 * * * *"), CronError);
    EXPECT_EQ(bits_of(parse_14("05 002 * * *"), 0), Values{5});  // leading zeros
    EXPECT_EQ(bits_of(parse_14("05 002 * * *"), 1), Values{2});
}

TEST(CronParse, StarFlagsFollowTheFirstCharacter) {
    const CronSchedule stars = parse_14("*/5 *,3 */2 * */2");
    EXPECT_TRUE(stars.minute_star);
    EXPECT_TRUE(stars.hour_star);
    EXPECT_TRUE(stars.day_of_month_star);
    EXPECT_TRUE(stars.day_of_week_star);
    // A full range written out is not a star for vixie cron.
    const CronSchedule explicit_ranges = parse_14("0-59 0-23 1-31 1-12 0-7");
    EXPECT_FALSE(explicit_ranges.minute_star);
    EXPECT_FALSE(explicit_ranges.hour_star);
    EXPECT_FALSE(explicit_ranges.day_of_month_star);
    EXPECT_FALSE(explicit_ranges.day_of_week_star);
    // "3,*" does not begin with '*'.
    EXPECT_FALSE(parse_14("3,* * * * *").minute_star);
}

TEST(CronParse, MonthAndDayNames) {
    EXPECT_EQ(bits_of(parse_14("0 0 1 jan,JUL,Dec *"), 3), (Values{1, 7, 12}));
    EXPECT_EQ(bits_of(parse_14("0 0 1 feb-apr *"), 3), (Values{2, 3, 4}));
    EXPECT_EQ(bits_of(parse_14("0 0 1 1-mar *"), 3), (Values{1, 2, 3}));
    EXPECT_EQ(bits_of(parse_14("0 0 1 jan-dec/3 *"), 3), (Values{1, 4, 7, 10}));
    EXPECT_EQ(bits_of(parse_14("0 0 * * mon-fri"), 4), (Values{1, 2, 3, 4, 5}));
    EXPECT_EQ(bits_of(parse_14("0 0 * * Sun,sat"), 4), (Values{0, 6}));
    EXPECT_EQ(bits_of(parse_14("0 0 * * TUE"), 4), Values{2});
}

TEST(CronParse, SundayIsZeroOrSeven) {
    EXPECT_EQ(bits_of(parse_14("0 0 * * 0"), 4), Values{0});
    EXPECT_EQ(bits_of(parse_14("0 0 * * 7"), 4), Values{0});
    EXPECT_EQ(bits_of(parse_14("0 0 * * 5-7"), 4), (Values{0, 5, 6}));
    EXPECT_EQ(bits_of(parse_14("0 0 * * 1-7/3"), 4), (Values{0, 1, 4}));  // 1,4,7
    EXPECT_EQ(bits_of(parse_14("0 0 * * */2"), 4), (Values{0, 2, 4, 6}));
    EXPECT_EQ(bits_of(parse_14("0 0 * * */7"), 4), Values{0});  // 0 and 7
    EXPECT_EQ(bits_of(parse_14("0 0 * * 0-7"), 4), range(0, 6));
}

TEST(CronParse, BlanksAroundAndBetweenFields) {
    const CronSchedule schedule = parse_14("  0\t2   20 *\t*  ");
    EXPECT_EQ(schedule.text, "0\t2   20 *\t*");
    EXPECT_EQ(bits_of(schedule, 2), Values{20});
}

TEST(CronParse, ShorthandsHavePgCronsBitsAndFlags) {
    const CronSchedule yearly = parse_14("@yearly");
    EXPECT_EQ(bits_of(yearly, 0), Values{0});
    EXPECT_EQ(bits_of(yearly, 1), Values{0});
    EXPECT_EQ(bits_of(yearly, 2), Values{1});
    EXPECT_EQ(bits_of(yearly, 3), Values{1});
    EXPECT_EQ(bits_of(yearly, 4), range(0, 6));
    EXPECT_TRUE(yearly.day_of_week_star);
    EXPECT_FALSE(yearly.day_of_month_star);
    EXPECT_EQ(bits_of(parse_14("@annually"), 3), Values{1});

    const CronSchedule monthly = parse_14("@monthly");
    EXPECT_EQ(bits_of(monthly, 2), Values{1});
    EXPECT_EQ(bits_of(monthly, 3), range(1, 12));
    EXPECT_TRUE(monthly.day_of_week_star);

    const CronSchedule weekly = parse_14("@weekly");
    EXPECT_EQ(bits_of(weekly, 2), range(1, 31));
    EXPECT_EQ(bits_of(weekly, 4), Values{0});
    EXPECT_TRUE(weekly.day_of_month_star);
    EXPECT_FALSE(weekly.day_of_week_star);

    for (const char *text : {"@daily", "@midnight"}) {
        const CronSchedule daily = parse_14(text);
        EXPECT_EQ(bits_of(daily, 0), Values{0});
        EXPECT_EQ(bits_of(daily, 1), Values{0});
        EXPECT_EQ(bits_of(daily, 2), range(1, 31));
        EXPECT_EQ(bits_of(daily, 4), range(0, 6));
        // pg_cron sets no star flag for @daily: a fixed-time job.
        EXPECT_FALSE(daily.minute_star || daily.hour_star || daily.day_of_month_star || daily.day_of_week_star);
    }

    const CronSchedule hourly = parse_14("@hourly");
    EXPECT_EQ(bits_of(hourly, 0), Values{0});
    EXPECT_EQ(bits_of(hourly, 1), range(0, 23));
    EXPECT_TRUE(hourly.hour_star);
    EXPECT_FALSE(hourly.minute_star);
    EXPECT_EQ(parse_14(" @hourly ").text, "@hourly");
}

TEST(CronParse, ReversedRangeSelectsNothingLikePgCron) {
    // pg_cron 1.4's get_range loops from 5 up to 1 and sets nothing, without
    // an error; the day-of-month may still fire through day-of-week here.
    // Strict reading refuses the reversed range (its meaning changed in 1.6).
    EXPECT_THROW(parse_14("0 0 5-1 * 1"), CronError);
    const CronSchedule schedule = parse_cron("0 0 5-1 * 1", PgCronRules::v1_4, CronReading::as_pg_cron_runs);
    EXPECT_EQ(bits_of(schedule, 2), Values{});
    EXPECT_TRUE(schedule.fires_on({2026, 6, 8}));   // a Monday
    EXPECT_FALSE(schedule.fires_on({2026, 6, 5}));  // a Friday
}

// ---------------------------------------------------------------- rejections

void expect_rejected(const std::string &text, const std::string &message, const std::string &hint_part) {
    try {
        parse_14(text);
        ADD_FAILURE() << "accepted " << text;
    } catch (const CronError &error) {
        EXPECT_EQ(std::string(error.what()), message) << text;
        EXPECT_FALSE(error.hint().empty()) << text;
        EXPECT_NE(error.hint().find(hint_part), std::string::npos) << text << " -> hint: " << error.hint();
        // Hints are full sentences.
        EXPECT_EQ(error.hint().back(), '.') << error.hint();
        // Primary messages are lower case without a trailing period.
        EXPECT_NE(std::string(error.what()).back(), '.');
        EXPECT_TRUE(islower(static_cast<unsigned char>(error.what()[0])));
    }
}

void expect_invalid(const std::string &text, const std::string &hint_part) {
    expect_rejected(text, "invalid cron schedule \"" + text + "\"", hint_part);
}

TEST(CronReject, OutOfRangeValues) {
    expect_invalid("61 2 20 * *", "Minutes must be between 0 and 59.");
    expect_invalid("60 2 20 * *", "Minutes must be between 0 and 59.");
    expect_invalid("0 24 20 * *", "Hours must be between 0 and 23.");
    expect_invalid("0 2 0 * *", "Days of the month must be between 1 and 31.");
    expect_invalid("0 2 32 * *", "Days of the month must be between 1 and 31.");
    expect_invalid("0 2 20 0 *", "Months must be between 1 and 12");
    expect_invalid("0 2 20 13 *", "Months must be between 1 and 12");
    expect_invalid("0 2 20 * 8", "Days of the week must be between 0 and 7");
    expect_invalid("0-60 * * * *", "Minutes must be between 0 and 59.");
    expect_invalid("5-64/30 * * * *", "Minutes must be between 0 and 59.");
    expect_invalid("99999999999999999999 * * * *", "Minutes must be between 0 and 59.");
}

TEST(CronReject, WrongFieldCountAndBlankText) {
    const std::string five = "A schedule has five fields: minute hour day-of-month month day-of-week";
    expect_invalid("0 2 20 *", five);
    expect_invalid("0", five);
    expect_rejected("", "cron schedule is empty", five);
    expect_rejected("   \t ", "cron schedule is empty", five);
}

TEST(CronReject, TrailingText) {
    // pg_cron 1.4 would silently ignore these tails; they are rejected here.
    expect_invalid("0 2 20 * *; DROP TABLE x", "\";\"");
    expect_invalid("0 2 20 * * ; DROP TABLE x", "Remove \"; DROP TABLE x\" after the fifth field");
    expect_invalid("0 2 20 * * echo hello", "Remove \"echo hello\"");
    expect_invalid("@daily extra", "Remove the text after @daily");
    expect_invalid("*x * * * *", "\"x\"");
    expect_invalid("*-5 * * * *", "\"-\"");
    expect_invalid("5; * * * *", "\";\"");
}

TEST(CronReject, BadSyntaxInsideFields) {
    expect_invalid("0/15 * * * *", "A step needs a range: write */15 or 0-59/15");
    expect_invalid("*/0 * * * *", "A step must be a whole number of at least 1");
    expect_invalid("1-10/0 * * * *", "A step must be a whole number of at least 1");
    expect_invalid("*/x * * * *", "A step must be a whole number of at least 1");
    expect_invalid("*/ * * * *", "ends too early");
    expect_invalid("1,,2 * * * *", "\",\"");
    expect_invalid("1, * * * *", "ends too early");
    expect_invalid("1- * * * *", "ends too early");
    expect_invalid("-1 * * * *", "\"-\"");
    expect_invalid("5x * * * *", "names are allowed only in the month");
    expect_invalid("jan * * * *", "names are allowed only in the month");
    expect_invalid("0 0 1 january *", "Months must be between 1 and 12, or names jan to dec.");
    expect_invalid("0 0 1 * monday", "or names sun to sat.");
    expect_invalid("0 0 1 * mon-funday", "or names sun to sat.");
    expect_invalid("0 0 1 * */mon", "A step must be a whole number");
    expect_invalid("? * * * *", "\"?\"");
    expect_invalid("L * * * *", "names are allowed only in the month");
}

TEST(CronReject, ShorthandsPgCronDoesNotKnow) {
    expect_invalid("@Daily", "Use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly");
    expect_invalid("@every_minute", "Use one of @yearly");
    expect_invalid("@", "Use one of @yearly");
    expect_rejected("@reboot", "cron schedule \"@reboot\" has no next run",
                    "runs only when the database server starts");
    expect_rejected("@restart", "cron schedule \"@restart\" has no next run", "runs only when");
}

TEST(CronReject, IntervalFormOfNewerPgCron) {
    expect_invalid("5 seconds", "need pg_cron 1.5 or later");
    expect_invalid("30 second", "need pg_cron 1.5 or later");
    expect_invalid("10Seconds", "need pg_cron 1.5 or later");
    expect_invalid("five seconds", "need pg_cron 1.5 or later");
    // Five fields that happen to end in "seconds" are judged as fields.
    expect_invalid("0 2 20 * seconds", "Days of the week must be between 0 and 7");
}

TEST(CronReject, TooLongControlCharactersAndNonAscii) {
    const std::string long_text = "0 2 20 * *" + std::string(kMaxCronTextLength, ' ');
    expect_rejected(long_text, "cron schedule is too long", "at most 256 characters");
    // Exactly at the limit is fine (trailing blanks are trimmed).
    EXPECT_NO_THROW(parse_14("0 2 20 * *" + std::string(kMaxCronTextLength - 10, ' ')));
    expect_rejected("0 2 20 * *\n", "cron schedule contains a control character", "on one line");
    expect_rejected("# comment\n0 2 20 * *", "cron schedule contains a control character", "on one line");
    expect_rejected(std::string("0 2 20 * *\0", 11), "cron schedule contains a control character", "on one line");
    expect_rejected(std::string("0 2\0 20 * *", 11), "cron schedule contains a control character", "on one line");
    expect_rejected("0 2 20 * *\x7f", "cron schedule contains a control character", "on one line");
    expect_rejected("0 2 20 * \xc2\xa0*", "cron schedule contains a non-ASCII character", "only digits");
}

TEST(CronReject, SchedulesThatNeverFire) {
    expect_rejected("0 0 31 2 *", "cron schedule \"0 0 31 2 *\" never fires", "February has at most 29 days");
    expect_rejected("0 0 30,31 2 *", "cron schedule \"0 0 30,31 2 *\" never fires", "February has at most 29");
    expect_rejected("0 0 31 4,6,9,11 *", "cron schedule \"0 0 31 4,6,9,11 *\" never fires", "have 30");
    expect_rejected("0 0 30 feb */2", "cron schedule \"0 0 30 feb */2\" never fires", "February");
    // Reversed ranges are refused as such, whatever they leave.
    expect_invalid("5-1 * * * *", "The range 5-1 in the minute field is reversed");
    expect_invalid("0 23-1 * * *", "The range 23-1 in the hour field is reversed");
    expect_invalid("0 0 * * fri-mon", "The range fri-mon in the day-of-week field is reversed");
    // "sun" is 0 for pg_cron, never 7: "fri-sun" is the reversed range 5-0.
    expect_invalid("0 9 * * fri-sun", "a range ending on Sunday ends with 7, as in 5-7");
    expect_invalid("0 0 1 dec-jan *", "The range dec-jan in the month field is reversed");
}

TEST(CronReject, SchedulesThatRarelyFireAreValid) {
    EXPECT_NO_THROW(parse_14("0 0 29 2 *"));  // leap years only
    EXPECT_NO_THROW(parse_14("0 0 31 * *"));
    EXPECT_NO_THROW(parse_14("0 0 31 2 1"));    // OR: every Monday in February
    EXPECT_NO_THROW(parse_14("0 0 29 2 */7"));  // AND: Feb 29 falling on a Sunday
}

// ---------------------------------------------------------------- fires_on

TEST(CronFiresOn, DayOfMonthOrDayOfWeekWhenBothRestricted) {
    const CronSchedule schedule = parse_14("0 0 1 * 1");
    EXPECT_TRUE(schedule.fires_on({2026, 6, 1}));   // Monday and the 1st
    EXPECT_TRUE(schedule.fires_on({2026, 6, 8}));   // Monday
    EXPECT_TRUE(schedule.fires_on({2026, 7, 1}));   // Wednesday, the 1st
    EXPECT_FALSE(schedule.fires_on({2026, 7, 2}));  // Thursday
}

TEST(CronFiresOn, BothWhenOneFieldBeginsWithStar) {
    const CronSchedule odd_mondays = parse_14("0 0 */2 * 1");
    EXPECT_TRUE(odd_mondays.fires_on({2026, 6, 1}));
    EXPECT_FALSE(odd_mondays.fires_on({2026, 6, 8}));  // even day
    EXPECT_FALSE(odd_mondays.fires_on({2026, 6, 3}));  // not a Monday
    EXPECT_TRUE(odd_mondays.fires_on({2026, 6, 15}));
    const CronSchedule firsts_on_even_weekdays = parse_14("0 0 1 * */2");
    EXPECT_TRUE(firsts_on_even_weekdays.fires_on({2026, 3, 1}));   // Sunday
    EXPECT_FALSE(firsts_on_even_weekdays.fires_on({2026, 6, 1}));  // Monday
    EXPECT_FALSE(firsts_on_even_weekdays.fires_on({2026, 3, 3}));  // Tuesday but the 3rd
}

TEST(CronFiresOn, MonthsAndInvalidDates) {
    const CronSchedule schedule = parse_14("0 0 * 2 *");
    EXPECT_TRUE(schedule.fires_on({2026, 2, 14}));
    EXPECT_FALSE(schedule.fires_on({2026, 3, 14}));
    EXPECT_FALSE(schedule.fires_on({2026, 13, 1}));
    EXPECT_FALSE(schedule.fires_on({2026, 2, 0}));
}

// ---------------------------------------------------------------- next_run in UTC

TEST(CronNextRun, MonthlyMaintenanceSchedule) {
    EXPECT_EQ(next_iso("0 2 20 * *", "2026-06-01 00:00"), "2026-06-20 02:00:00");
    EXPECT_EQ(next_iso("0 2 20 * *", "2026-06-20 01:59:59"), "2026-06-20 02:00:00");
    EXPECT_EQ(next_iso("0 2 20 * *", "2026-12-20 02:00"), "2027-01-20 02:00:00");
}

TEST(CronNextRun, StrictlyAfterWithMicroseconds) {
    const CronSchedule schedule = parse_14("0 2 20 * *");
    const Micros firing = at("2026-06-20 02:00");
    EXPECT_EQ(iso(next_run(schedule, firing, kUtc)), "2026-07-20 02:00:00");
    EXPECT_EQ(iso(next_run(schedule, firing - 1, kUtc)), "2026-06-20 02:00:00");
    EXPECT_EQ(iso(next_run(schedule, firing + 1, kUtc)), "2026-07-20 02:00:00");
    const CronSchedule every_minute = parse_14("* * * * *");
    EXPECT_EQ(iso(next_run(every_minute, at("2026-06-20 10:00:30") + 500000, kUtc)), "2026-06-20 10:01:00");
    EXPECT_EQ(iso(next_run(every_minute, at("2026-06-20 10:00"), kUtc)), "2026-06-20 10:01:00");
    EXPECT_EQ(iso(next_run(every_minute, at("2026-06-20 10:00") - 1, kUtc)), "2026-06-20 10:00:00");
    // Before the epoch, negative microseconds round towards the past.
    EXPECT_EQ(iso(next_run(every_minute, -1, kUtc)), "1970-01-01 00:00:00");
    EXPECT_EQ(iso(next_run(every_minute, -kMicrosPerMinute - 1, kUtc)), "1969-12-31 23:59:00");
}

TEST(CronNextRun, ThirtyFirstSkipsShortMonths) {
    EXPECT_EQ(firings("0 0 31 * *", "2026-01-31 00:00", 5),
              (std::vector<std::string>{"2026-03-31 00:00:00", "2026-05-31 00:00:00", "2026-07-31 00:00:00",
                                        "2026-08-31 00:00:00", "2026-10-31 00:00:00"}));
    EXPECT_EQ(firings("0 0 30 * *", "2026-01-30 00:00", 2),
              (std::vector<std::string>{"2026-03-30 00:00:00", "2026-04-30 00:00:00"}));
}

TEST(CronNextRun, LeapDay) {
    EXPECT_EQ(next_iso("0 0 29 2 *", "2026-06-01 00:00"), "2028-02-29 00:00:00");
    EXPECT_EQ(next_iso("0 0 29 2 *", "2028-02-29 00:00"), "2032-02-29 00:00:00");
    // 2100 is not a leap year: eight years from 2096 to 2104.
    EXPECT_EQ(next_iso("0 0 29 2 *", "2096-02-29 00:00"), "2104-02-29 00:00:00");
    EXPECT_EQ(previous_iso("0 0 29 2 *", "2104-02-28 00:00"), "2096-02-29 00:00:00");
    // Feb 29 on a Sunday ("*/7" is 0,7: Sunday): 2032, 2060, 2088, then 2128.
    EXPECT_EQ(firings("0 0 29 2 */7", "2026-01-01 00:00", 4),
              (std::vector<std::string>{"2032-02-29 00:00:00", "2060-02-29 00:00:00", "2088-02-29 00:00:00",
                                        "2128-02-29 00:00:00"}));
    EXPECT_EQ(previous_iso("0 0 29 2 */7", "2128-01-01 00:00"), "2088-02-29 00:00:00");
}

TEST(CronNextRun, DayOfMonthOrDayOfWeek) {
    // The 1st or any Monday.
    EXPECT_EQ(firings("0 0 1 * 1", "2026-05-31 00:00", 7),
              (std::vector<std::string>{"2026-06-01 00:00:00", "2026-06-08 00:00:00", "2026-06-15 00:00:00",
                                        "2026-06-22 00:00:00", "2026-06-29 00:00:00", "2026-07-01 00:00:00",
                                        "2026-07-06 00:00:00"}));
    // Odd days that are Mondays.
    EXPECT_EQ(firings("0 0 */2 * 1", "2026-05-31 00:00", 5),
              (std::vector<std::string>{"2026-06-01 00:00:00", "2026-06-15 00:00:00", "2026-06-29 00:00:00",
                                        "2026-07-13 00:00:00", "2026-07-27 00:00:00"}));
    // The 1st when it is a Sunday, Tuesday, Thursday or Saturday.
    EXPECT_EQ(firings("0 0 1 * */2", "2026-01-01 00:00", 3),
              (std::vector<std::string>{"2026-02-01 00:00:00", "2026-03-01 00:00:00", "2026-08-01 00:00:00"}));
}

TEST(CronNextRun, SundayAsZeroSevenOrName) {
    for (const char *schedule : {"0 9 * * 0", "0 9 * * 7", "0 9 * * sun", "0 9 * * SUN"}) {
        EXPECT_EQ(firings(schedule, "2026-06-15 00:00", 2),
                  (std::vector<std::string>{"2026-06-21 09:00:00", "2026-06-28 09:00:00"}))
            << schedule;
    }
    EXPECT_EQ(firings("0 9 * * 5-7", "2026-06-15 00:00", 4),
              (std::vector<std::string>{"2026-06-19 09:00:00", "2026-06-20 09:00:00", "2026-06-21 09:00:00",
                                        "2026-06-26 09:00:00"}));
}

TEST(CronNextRun, Shorthands) {
    EXPECT_EQ(next_iso("@yearly", "2026-06-15 12:00"), "2027-01-01 00:00:00");
    EXPECT_EQ(next_iso("@annually", "2026-06-15 12:00"), "2027-01-01 00:00:00");
    EXPECT_EQ(next_iso("@monthly", "2026-06-15 12:00"), "2026-07-01 00:00:00");
    EXPECT_EQ(next_iso("@weekly", "2026-06-15 12:00"), "2026-06-21 00:00:00");
    EXPECT_EQ(next_iso("@daily", "2026-06-15 12:00"), "2026-06-16 00:00:00");
    EXPECT_EQ(next_iso("@midnight", "2026-06-15 12:00"), "2026-06-16 00:00:00");
    EXPECT_EQ(next_iso("@hourly", "2026-06-15 12:00"), "2026-06-15 13:00:00");
    EXPECT_EQ(next_iso("@hourly", "2026-12-31 23:00"), "2027-01-01 00:00:00");
}

TEST(CronNextRun, StepsListsAndNames) {
    EXPECT_EQ(firings("*/20 9-10 * * *", "2026-06-15 09:30", 4),
              (std::vector<std::string>{"2026-06-15 09:40:00", "2026-06-15 10:00:00", "2026-06-15 10:20:00",
                                        "2026-06-15 10:40:00"}));
    EXPECT_EQ(next_iso("*/20 9-10 * * *", "2026-06-15 10:40"), "2026-06-16 09:00:00");
    EXPECT_EQ(firings("15 3 * jan,jul mon", "2026-06-15 00:00", 2),
              (std::vector<std::string>{"2026-07-06 03:15:00", "2026-07-13 03:15:00"}));
    EXPECT_EQ(next_iso("0 0 1 1 *", "2026-01-01 00:00"), "2027-01-01 00:00:00");
}

TEST(CronNextRun, FixedZoneSeoul) {
    const FixedOffsetZone seoul(9 * 3600, "Asia/Seoul");
    EXPECT_EQ(next_iso("0 2 20 * *", "2026-12-01 00:00", seoul), "2026-12-19 17:00:00");
    const auto system_seoul = load_system_zone("Asia/Seoul");
    EXPECT_EQ(next_iso("0 2 20 * *", "2026-12-01 00:00", *system_seoul), "2026-12-19 17:00:00");
    EXPECT_EQ(next_iso("0 2 20 * *", "2026-12-19 17:00", *system_seoul), "2027-01-19 17:00:00");
    EXPECT_EQ(previous_iso("0 2 20 * *", "2026-12-19 16:59", *system_seoul), "2026-11-19 17:00:00");
    // A negative offset moves the local day the other way: 2026-06-15 00:00Z
    // is still Sunday 14 June at 19:00 in -05:00.
    const FixedOffsetZone minus_five(-5 * 3600, "-05");
    EXPECT_EQ(next_iso("0 22 * * 0", "2026-06-15 00:00", minus_five), "2026-06-15 03:00:00");
    EXPECT_EQ(next_iso("0 22 * * 0", "2026-06-15 03:00", minus_five), "2026-06-22 03:00:00");
}

TEST(CronPreviousRun, LatestFiringAtOrBefore) {
    const CronSchedule schedule = parse_14("0 2 20 * *");
    const Micros firing = at("2026-06-20 02:00");
    EXPECT_EQ(iso(previous_run(schedule, firing, kUtc)), "2026-06-20 02:00:00");
    EXPECT_EQ(iso(previous_run(schedule, firing - 1, kUtc)), "2026-05-20 02:00:00");
    EXPECT_EQ(iso(previous_run(schedule, firing + 1, kUtc)), "2026-06-20 02:00:00");
    EXPECT_EQ(previous_iso("0 2 20 * *", "2026-01-10 00:00"), "2025-12-20 02:00:00");
    EXPECT_EQ(previous_iso("0 0 31 * *", "2026-05-30 00:00"), "2026-03-31 00:00:00");
    EXPECT_EQ(previous_iso("@weekly", "2026-06-20 00:00"), "2026-06-14 00:00:00");
    EXPECT_EQ(previous_iso("*/20 9-10 * * *", "2026-06-15 09:00"), "2026-06-15 09:00:00");
    EXPECT_EQ(previous_iso("*/20 9-10 * * *", "2026-06-15 08:59"), "2026-06-14 10:40:00");
    EXPECT_EQ(iso(previous_run(parse_14("* * * * *"), at("2026-06-20 10:00:30") + 5, kUtc)), "2026-06-20 10:00:00");
}

TEST(CronNextRun, FarEndsOfTimeGiveNoRun) {
    const CronSchedule schedule = parse_14("0 0 1 1 *");
    EXPECT_EQ(next_run(schedule, std::numeric_limits<Micros>::max(), kUtc), std::nullopt);
    EXPECT_EQ(previous_run(schedule, std::numeric_limits<Micros>::min(), kUtc), std::nullopt);
    EXPECT_EQ(previous_run(schedule, std::numeric_limits<Micros>::max(), kUtc), std::nullopt);
    EXPECT_EQ(next_run(schedule, std::numeric_limits<Micros>::min(), kUtc), std::nullopt);
    // Searches start only between year 1 and about year 287,000 ...
    const Micros year_one = -62'135'596'800LL * kMicrosPerSecond;
    EXPECT_EQ(next_run(schedule, year_one - 1, kUtc), std::nullopt);
    EXPECT_EQ(iso(next_run(schedule, year_one, kUtc)), "0002-01-01 00:00:00");
    // ... and the last one still finds its firings.
    const Micros last_searchable = 9'000'000'000'000LL * kMicrosPerSecond - 1;
    ASSERT_TRUE(next_run(schedule, last_searchable, kUtc).has_value());
    ASSERT_TRUE(previous_run(schedule, last_searchable, kUtc).has_value());
    EXPECT_EQ(previous_run(schedule, last_searchable + 1, kUtc), std::nullopt);
}

// ---------------------------------------------------------------- UTC oracle

// Whether the schedule fires at this UTC minute, straight from the bits.
bool fires_at_minute(const CronSchedule &schedule, std::int64_t minute_index) {
    const std::int64_t day = floor_div(minute_index, 1440);
    const int minute_of_day = static_cast<int>(minute_index - day * 1440);
    if (!schedule.minutes.test(minute_of_day % 60) || !schedule.hours.test(minute_of_day / 60)) return false;
    const CivilDate date = civil_from_days(day);
    if (!schedule.months.test(date.month)) return false;
    const bool dom = schedule.days_of_month.test(date.day);
    const bool dow = schedule.days_of_week.test(weekday_from_days(day));
    return (schedule.day_of_month_star || schedule.day_of_week_star) ? (dom && dow) : (dom || dow);
}

TEST(CronOracle, NextAndPreviousMatchMinuteByMinuteScanInUtc) {
    const char *schedules[] = {
        "* * * * *",   "*/7 * * * *",   "0 * * * *",        "59 23 * * *",       "0 0 1 * 1",
        "0 0 */2 * 1", "30 4 1,15 * *", "0 12 * * mon-fri", "*/15 2-4 * * 0",    "0 0 31 * *",
        "0 0 1 * */2", "5 4 * * sun",   "0 22 * 1-6 5",     "1-5/2 0 28-31 * *", "@hourly",
        "@daily",      "@weekly",       "@monthly",         "0 0 10-20 * 6-7",   "17 */5 * feb-apr *",
    };
    std::mt19937_64 random(20260620);
    std::uniform_int_distribution<std::int64_t> instants(at("2020-01-01 00:00"), at("2030-01-01 00:00"));
    for (const char *text : schedules) {
        const CronSchedule schedule = parse_14(text);
        for (int trial = 0; trial < 15; ++trial) {
            const Micros after = instants(random);
            // Expected: scan forward minute by minute (up to 400 days).
            std::optional<Micros> expected_next;
            const std::int64_t first_minute = floor_div(after, kMicrosPerMinute) + 1;
            for (std::int64_t minute = first_minute; minute < first_minute + 400 * 1440; ++minute) {
                if (fires_at_minute(schedule, minute)) {
                    expected_next = minute * kMicrosPerMinute;
                    break;
                }
            }
            ASSERT_TRUE(expected_next) << text;
            EXPECT_EQ(iso(next_run(schedule, after, kUtc)), iso(expected_next)) << text << " after " << iso(after);
            std::optional<Micros> expected_previous;
            const std::int64_t last_minute = floor_div(after, kMicrosPerMinute);
            for (std::int64_t minute = last_minute; minute > last_minute - 400 * 1440; --minute) {
                if (fires_at_minute(schedule, minute)) {
                    expected_previous = minute * kMicrosPerMinute;
                    break;
                }
            }
            ASSERT_TRUE(expected_previous) << text;
            EXPECT_EQ(iso(previous_run(schedule, after, kUtc)), iso(expected_previous)) << text << " at " << iso(after);
        }
    }
}

// ---------------------------------------------------------------- DST, by hand

TEST(CronDst, FixedTimeInSpringForwardGapFiresWhenGapEnds) {
    const auto new_york = load_system_zone("America/New_York");
    // 2026-03-08 02:30 does not exist in New York: the job runs at 03:00 EDT.
    EXPECT_EQ(firings("30 2 * * *", "2026-03-07 17:00", 3, *new_york),
              (std::vector<std::string>{"2026-03-08 07:00:00", "2026-03-09 06:30:00", "2026-03-10 06:30:00"}));
    const auto berlin = load_system_zone("Europe/Berlin");
    // 2026-03-29 02:30 does not exist in Berlin: 03:00 CEST = 01:00Z.
    EXPECT_EQ(firings("30 2 * * *", "2026-03-28 12:00", 2, *berlin),
              (std::vector<std::string>{"2026-03-29 01:00:00", "2026-03-30 00:30:00"}));
    // Two skipped times of one job fire once, at the end of the gap.
    EXPECT_EQ(firings("0,30 2 * * *", "2026-03-28 12:00", 3, *berlin),
              (std::vector<std::string>{"2026-03-29 01:00:00", "2026-03-30 00:00:00", "2026-03-30 00:30:00"}));
    // The gap end itself is a firing when the job is also due at 03:00.
    EXPECT_EQ(firings("30 2,3 * * *", "2026-03-28 12:00", 3, *berlin),
              (std::vector<std::string>{"2026-03-29 01:00:00", "2026-03-29 01:30:00", "2026-03-30 00:30:00"}));
    EXPECT_EQ(previous_iso("30 2 * * *", "2026-03-29 12:00", *berlin), "2026-03-29 01:00:00");
    EXPECT_EQ(previous_iso("30 2 * * *", "2026-03-29 00:59", *berlin), "2026-03-28 01:30:00");
}

TEST(CronDst, FixedTimeInFallBackFiresOnce) {
    const auto new_york = load_system_zone("America/New_York");
    // 01:30 happens at 05:30Z (EDT) and 06:30Z (EST) on 2026-11-01: the job
    // runs at the first only.
    EXPECT_EQ(firings("30 1 * * *", "2026-10-31 12:00", 3, *new_york),
              (std::vector<std::string>{"2026-11-01 05:30:00", "2026-11-02 06:30:00", "2026-11-03 06:30:00"}));
    EXPECT_EQ(previous_iso("30 1 * * *", "2026-11-01 07:00", *new_york), "2026-11-01 05:30:00");
    const auto berlin = load_system_zone("Europe/Berlin");
    EXPECT_EQ(firings("30 2 * * *", "2026-10-24 12:00", 3, *berlin),
              (std::vector<std::string>{"2026-10-25 00:30:00", "2026-10-26 01:30:00", "2026-10-27 01:30:00"}));
}

TEST(CronDst, WildcardJobsFireAtExistingWallTimesOnly) {
    const auto new_york = load_system_zone("America/New_York");
    // Fall-back: 01:00 and 01:30 happen twice, and so do the firings.
    EXPECT_EQ(firings("*/30 * * * *", "2026-11-01 05:00", 4, *new_york),
              (std::vector<std::string>{"2026-11-01 05:30:00", "2026-11-01 06:00:00", "2026-11-01 06:30:00",
                                        "2026-11-01 07:00:00"}));
    EXPECT_EQ(previous_iso("*/30 * * * *", "2026-11-01 06:45", *new_york), "2026-11-01 06:30:00");
    // Spring-forward: 02:00 and 02:30 do not exist and do not fire.
    EXPECT_EQ(firings("*/30 * * * *", "2026-03-08 06:00", 3, *new_york),
              (std::vector<std::string>{"2026-03-08 06:30:00", "2026-03-08 07:00:00", "2026-03-08 07:30:00"}));
    // '*' in the hour field alone makes a wildcard job too.
    EXPECT_EQ(firings("30 * * * *", "2026-03-08 06:00", 2, *new_york),
              (std::vector<std::string>{"2026-03-08 06:30:00", "2026-03-08 07:30:00"}));
    EXPECT_EQ(firings("@hourly", "2026-11-01 04:30", 4, *new_york),
              (std::vector<std::string>{"2026-11-01 05:00:00", "2026-11-01 06:00:00", "2026-11-01 07:00:00",
                                        "2026-11-01 08:00:00"}));
}

TEST(CronDst, EveryUtcMinuteRuleIsWhatPgCronsLauncherDoes) {
    const auto new_york = load_system_zone("America/New_York");
    // Skipped wall time: no run that day.
    EXPECT_EQ(firings("30 2 * * *", "2026-03-07 17:00", 2, *new_york, CronClockRule::every_utc_minute),
              (std::vector<std::string>{"2026-03-09 06:30:00", "2026-03-10 06:30:00"}));
    // Repeated wall time: two runs.
    EXPECT_EQ(firings("30 1 * * *", "2026-10-31 12:00", 3, *new_york, CronClockRule::every_utc_minute),
              (std::vector<std::string>{"2026-11-01 05:30:00", "2026-11-01 06:30:00", "2026-11-02 06:30:00"}));
    EXPECT_EQ(
        iso(previous_run(parse_14("30 1 * * *"), at("2026-11-01 07:00"), *new_york, CronClockRule::every_utc_minute)),
        "2026-11-01 06:30:00");
}

// ---------------------------------------------------------------- DST, simulated

// Firings of vixie cron's main loop (cron.c; pg_cron.c StartAllPendingRuns
// with wall-clock minutes), waking at every real minute in (start, end).
std::vector<Micros> simulate_vixie(const CronSchedule &schedule, const ZoneRules &zone, Micros start, Micros end) {
    const auto wall_minute = [&](std::int64_t utc_seconds) {
        return floor_div(local_seconds_at(zone, utc_seconds), 60);
    };
    const auto due = [&](std::int64_t wall) { return fires_at_minute(schedule, wall); };
    const bool wildcard = schedule.minute_star || schedule.hour_star;
    std::set<Micros> fired;
    std::int64_t virtual_minute = wall_minute(start / kMicrosPerSecond);
    for (std::int64_t t = start / kMicrosPerSecond + 60; t * kMicrosPerSecond < end; t += 60) {
        const std::int64_t now = wall_minute(t);
        const std::int64_t diff = now - virtual_minute;
        const Micros real = t * kMicrosPerSecond;
        if (diff == 1) {
            virtual_minute = now;
            if (due(now)) fired.insert(real);
        } else if (diff > 180 || diff < -180) {
            if (due(now)) fired.insert(real);
            virtual_minute = now;
        } else if (diff > 5) {  // jumped forward: missed fixed-time jobs, then wildcards
            do {
                ++virtual_minute;
                if (!wildcard && due(virtual_minute)) fired.insert(real);
            } while (virtual_minute < now);
            if (wildcard && due(now)) fired.insert(real);
        } else if (diff > 0) {  // woke up late
            do {
                ++virtual_minute;
                if (due(virtual_minute)) fired.insert(real);
            } while (virtual_minute < now);
        } else {  // clock went back: wildcards only, virtual time waits
            if (wildcard && due(now)) fired.insert(real);
        }
    }
    return {fired.begin(), fired.end()};
}

std::vector<Micros> simulate_every_utc_minute(const CronSchedule &schedule, const ZoneRules &zone, Micros start,
                                              Micros end) {
    std::vector<Micros> fired;
    for (std::int64_t t = start / kMicrosPerSecond + 60; t * kMicrosPerSecond < end; t += 60) {
        if (fires_at_minute(schedule, floor_div(local_seconds_at(zone, t), 60))) fired.push_back(t * kMicrosPerSecond);
    }
    return fired;
}

std::vector<Micros> chain_next(const CronSchedule &schedule, const ZoneRules &zone, Micros start, Micros end,
                               CronClockRule rule) {
    std::vector<Micros> result;
    for (std::optional<Micros> next = next_run(schedule, start, zone, rule); next && *next < end;
         next = next_run(schedule, *next, zone, rule)) {
        result.push_back(*next);
    }
    return result;
}

std::vector<Micros> chain_previous(const CronSchedule &schedule, const ZoneRules &zone, Micros start, Micros end,
                                   CronClockRule rule) {
    std::vector<Micros> result;
    for (std::optional<Micros> previous = previous_run(schedule, end - 1, zone, rule); previous && *previous > start;
         previous = previous_run(schedule, *previous - 1, zone, rule)) {
        result.insert(result.begin(), *previous);
    }
    return result;
}

std::vector<std::string> isos(const std::vector<Micros> &instants) {
    std::vector<std::string> result;
    for (Micros instant : instants) result.push_back(iso(instant));
    return result;
}

TEST(CronDst, MatchesSimulatedVixieCronAndPgCronLauncher) {
    const char *schedules[] = {
        "30 2 * * *", "0,30 2 * * *",   "30 1 * * *", "*/30 * * * *", "30 * * * *",      "0 * * * *",
        "* 2 * * *",  "0 3 * * *",      "59 1 * * *", "0 2 * * *",    "15,45 0-3 * * *", "@hourly",
        "@daily",     "*/15 1-3 * * *", "0 1 * * *",  "59 2 * * *",   "0 0-4 * * *",     "7 2 8 3 *",
    };
    struct Window {
        const char *zone;
        const char *from;
        const char *to;
    };
    const Window windows[] = {
        {"America/New_York", "2026-03-07 00:00", "2026-03-10 00:00"},
        {"America/New_York", "2026-10-31 00:00", "2026-11-03 00:00"},
        {"Europe/Berlin", "2026-03-28 00:00", "2026-03-31 00:00"},
        {"Europe/Berlin", "2026-10-24 00:00", "2026-10-27 00:00"},
        {"Australia/Lord_Howe", "2026-04-03 00:00", "2026-04-06 00:00"},
        {"Australia/Lord_Howe", "2026-10-02 00:00", "2026-10-05 00:00"},
        {"Australia/Sydney", "2026-10-02 00:00", "2026-10-06 00:00"},
    };
    for (const Window &window : windows) {
        const auto zone = load_system_zone(window.zone);
        for (const char *text : schedules) {
            const CronSchedule schedule = parse_14(text);
            const Micros start = at(window.from);
            const Micros end = at(window.to);
            const std::vector<Micros> vixie = simulate_vixie(schedule, *zone, start, end);
            EXPECT_EQ(isos(chain_next(schedule, *zone, start, end, CronClockRule::vixie)), isos(vixie))
                << text << " in " << window.zone << " from " << window.from;
            EXPECT_EQ(isos(chain_previous(schedule, *zone, start, end, CronClockRule::vixie)), isos(vixie))
                << text << " in " << window.zone << " from " << window.from << " (previous_run)";
            const std::vector<Micros> launcher = simulate_every_utc_minute(schedule, *zone, start, end);
            EXPECT_EQ(isos(chain_next(schedule, *zone, start, end, CronClockRule::every_utc_minute)), isos(launcher))
                << text << " in " << window.zone << " from " << window.from << " (every UTC minute)";
            EXPECT_EQ(isos(chain_previous(schedule, *zone, start, end, CronClockRule::every_utc_minute)),
                      isos(launcher))
                << text << " in " << window.zone << " from " << window.from << " (every UTC minute, previous_run)";
        }
    }
}

TEST(CronPerformance, FarFiringsAreFoundByDaysNotMinutes) {
    // A century of yearly searches must stay far below a second even with
    // the system zone; minute-by-minute iteration would take minutes.
    const auto new_york = load_system_zone("America/New_York");
    const CronSchedule leap = parse_14("30 2 29 2 *");
    Micros cursor = at("2000-01-01 00:00");
    int count = 0;
    for (std::optional<Micros> next = next_run(leap, cursor, *new_york); next && *next < at("2400-01-01 00:00");
         next = next_run(leap, *next, *new_york)) {
        ++count;
    }
    EXPECT_EQ(count, 97);  // leap years 2000..2396
}

}  // namespace
}  // namespace fitbot::core
