// pg_cron's schedule rules per release (PgCronRules): what each accepts and
// how it fires, read as pg_cron runs it and strictly. Expectations come from
// pg_cron's source at each tag (src/entry.c, src/job_metadata.c ParseSchedule
// and TryParseInterval, src/pg_cron.c ShouldRunTask, include/bitstring.h
// bit_nset); see the comments in src/core/cron.h.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "companion/system_zone.h"
#include "core/cron.h"
#include "core/health.h"
#include "test_health_fixtures.h"

namespace fitbot::core {
namespace {

const FixedOffsetZone kUtc;

constexpr PgCronRules kAll[] = {PgCronRules::v1_4,   PgCronRules::v1_5_0, PgCronRules::v1_5,
                                PgCronRules::v1_6_0, PgCronRules::v1_6_2, PgCronRules::v1_6_5};

Micros at(const char *text) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0;
    EXPECT_EQ(std::sscanf(text, "%d-%d-%d %d:%d", &year, &month, &day, &hour, &minute), 5) << text;
    return (days_from_civil({year, month, day}) * 86400 + hour * 3600 + minute * 60) * kMicrosPerSecond;
}

std::string iso(std::optional<Micros> instant) {
    if (!instant) return "none";
    const std::int64_t seconds = floor_div(*instant, kMicrosPerSecond);
    const std::int64_t day = floor_div(seconds, 86400);
    const std::int64_t of_day = seconds - day * 86400;
    const CivilDate date = civil_from_days(day);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d %02d:%02d", date.year, date.month, date.day,
                  static_cast<int>(of_day / 3600), static_cast<int>(of_day / 60 % 60));
    return buffer;
}

CronSchedule runs(const std::string &text, PgCronRules rules) {
    return parse_cron(text, rules, CronReading::as_pg_cron_runs);
}

bool accepted(const std::string &text, PgCronRules rules, CronReading reading) {
    try {
        parse_cron(text, rules, reading);
        return true;
    } catch (const CronError &) {
        return false;
    }
}

template <std::size_t N>
std::vector<int> values(const std::bitset<N> &bits) {
    std::vector<int> result;
    for (std::size_t i = 0; i < N; ++i) {
        if (bits.test(i)) result.push_back(static_cast<int>(i));
    }
    return result;
}

using Values = std::vector<int>;

// ------------------------------------------------ which versions accept what

struct AcceptCase {
    const char *text;
    // Accepted as pg_cron runs it, per release in kAll's order:
    // 1.4, 1.5.0, 1.5.1+, 1.6.0-1.6.1, 1.6.2-1.6.4, 1.6.5+.
    bool runs[6];
    bool strict_anywhere;  // whether the strict reading takes it in any release that runs it
};

const AcceptCase kAcceptCases[] = {
    {"0 2 20 * *", {true, true, true, true, true, true}, true},
    {"0 2 $ * *", {false, false, false, true, true, true}, true},
    {"0 2 $x * *", {false, false, false, false, false, false}, false},
    {"0 2 $,1 * *", {false, false, false, false, false, false}, false},
    {"0 2 1,$ * *", {false, false, false, false, false, false}, false},
    {"*/100 * * * *", {true, true, true, true, true, false}, false},
    {"*/59 * * * *", {true, true, true, true, true, true}, true},
    {"*/60 * * * *", {true, true, true, true, true, false}, false},
    {"0 */24 * * *", {true, true, true, true, true, false}, false},
    {"0 0 * * */7", {true, true, true, true, true, true}, true},
    {"0 0 * * */8", {true, true, true, true, true, false}, false},
    {"30 seconds", {false, true, true, true, true, true}, true},
    {"1 second", {false, true, true, true, true, true}, true},
    {"5seconds", {false, true, true, true, true, true}, true},
    {"+5 seconds", {false, true, true, true, true, true}, false},
    {"5 SECONDS", {false, true, true, true, true, true}, true},
    {"60 seconds", {false, false, false, false, false, false}, false},
    {"0 seconds", {false, false, false, false, false, false}, false},
    {"5 seconds x", {false, false, false, false, false, false}, false},
    // sscanf's "%c" after "second" takes the blank, which is not an 's'.
    {"5 second ", {false, false, false, false, false, false}, false},
    {"*x * * * *", {true, true, true, true, true, true}, false},
    {"1-5/2/3 * * * *", {true, true, true, true, true, true}, false},
    {"5; * * * *", {true, true, true, true, true, true}, false},
    {"0 2 20 * * garbage", {true, true, true, true, true, true}, false},
    {"@daily x", {true, true, true, true, true, true}, false},
    {"@Daily", {false, false, false, false, false, false}, false},
    {"0 22-2 * * *", {true, true, true, true, true, true}, false},
    {"0 2 20 *", {false, false, false, false, false, false}, false},
    {"0/15 * * * *", {false, false, false, false, false, false}, false},
    {"4294967296 * * * *", {true, true, true, true, true, true}, false},
    {"# note\n0 2 * * *", {true, true, true, true, true, true}, false},
    {"@reboot", {true, true, true, true, true, true}, false},
};

TEST(CronVersions, WhatEachReleaseAccepts) {
    for (const AcceptCase &c : kAcceptCases) {
        bool strict_any = false;
        for (std::size_t i = 0; i < 6; ++i) {
            EXPECT_EQ(accepted(c.text, kAll[i], CronReading::as_pg_cron_runs), c.runs[i])
                << "\"" << c.text << "\" under " << pg_cron_rules_name(kAll[i]);
            if (accepted(c.text, kAll[i], CronReading::strict)) strict_any = true;
        }
        EXPECT_EQ(strict_any, c.strict_anywhere) << "\"" << c.text << "\" strictly";
    }
}

// Strict reading never takes what pg_cron refuses, and reads what it takes
// exactly as pg_cron runs it.
TEST(CronVersions, StrictIsASubsetWithTheSameMeaning) {
    for (const AcceptCase &c : kAcceptCases) {
        for (PgCronRules rules : kAll) {
            if (!accepted(c.text, rules, CronReading::strict)) continue;
            const CronSchedule strict = parse_cron(c.text, rules, CronReading::strict);
            const CronSchedule lenient = runs(c.text, rules);
            EXPECT_EQ(strict.minutes, lenient.minutes) << c.text;
            EXPECT_EQ(strict.hours, lenient.hours) << c.text;
            EXPECT_EQ(strict.days_of_month, lenient.days_of_month) << c.text;
            EXPECT_EQ(strict.months, lenient.months) << c.text;
            EXPECT_EQ(strict.days_of_week, lenient.days_of_week) << c.text;
            EXPECT_EQ(strict.kind, lenient.kind) << c.text;
            EXPECT_EQ(strict.interval_seconds, lenient.interval_seconds) << c.text;
        }
    }
}

// --------------------------------------------------------------- "$"

TEST(CronVersions, LastDayOfMonth) {
    const CronSchedule last = runs("0 2 $ * *", PgCronRules::v1_6_5);
    EXPECT_TRUE(last.last_day_of_month);
    EXPECT_TRUE(last.days_of_month.none());
    EXPECT_FALSE(last.day_of_month_star);
    EXPECT_EQ(iso(next_run(last, at("2026-02-10 00:00"), kUtc)), "2026-02-28 02:00");
    EXPECT_EQ(iso(next_run(last, at("2028-02-10 00:00"), kUtc)), "2028-02-29 02:00");
    EXPECT_EQ(iso(next_run(last, at("2026-04-30 02:00"), kUtc)), "2026-05-31 02:00");
    EXPECT_EQ(iso(previous_run(last, at("2026-05-01 00:00"), kUtc)), "2026-04-30 02:00");
    // Not a '*' field: with a restricted day-of-week either may match.
    const CronSchedule or_monday = runs("0 2 $ * 1", PgCronRules::v1_6_5);
    EXPECT_EQ(iso(next_run(or_monday, at("2026-02-10 00:00"), kUtc)), "2026-02-16 02:00");
    // With '*' as day-of-week both must match: the last day only.
    EXPECT_EQ(iso(next_run(last, at("2026-02-16 03:00"), kUtc)), "2026-02-28 02:00");
    // Strictly too, from 1.6, and refused with a hint before.
    EXPECT_NO_THROW(parse_cron("0 2 $ * *", PgCronRules::v1_6_2, CronReading::strict));
    try {
        parse_cron("0 2 $ * *", PgCronRules::v1_5, CronReading::strict);
        ADD_FAILURE();
    } catch (const CronError &error) {
        EXPECT_NE(error.hint().find("needs pg_cron 1.6 or later"), std::string::npos) << error.hint();
    }
}

// pg_cron tests "$" as "the local date 24 hours later is the 1st". When the
// clocks fall back that night (New York, 2026-11-01 02:00 EDT), 00:30 on the
// 1st is 24 hours before 23:30 the same day, so pg_cron 1.6 fires "30 0 $ * *"
// then too; checked against pg_cron 1.6.7's ShouldRunTask walking minutes.
TEST(CronVersions, LastDayOfMonthIsTestedTwentyFourHoursAhead) {
    const auto new_york = companion::load_system_zone("America/New_York");
    const CronSchedule last = runs("30 0 $ * *", PgCronRules::v1_6_5);
    EXPECT_EQ(iso(next_run(last, at("2026-10-30 12:00"), *new_york, CronClockRule::every_utc_minute)),
              "2026-10-31 04:30");  // 00:30 EDT on the 31st
    EXPECT_EQ(iso(next_run(last, at("2026-10-31 05:00"), *new_york, CronClockRule::every_utc_minute)),
              "2026-11-01 04:30");  // 00:30 EDT on the 1st
    EXPECT_EQ(iso(next_run(last, at("2026-11-01 05:00"), *new_york, CronClockRule::every_utc_minute)),
              "2026-11-30 05:30");  // 00:30 EST on November 30th
}

// 1.6.0-1.6.1 read every field from the instant 24 hours later.
TEST(CronVersions, Release160FiresADayEarly) {
    EXPECT_EQ(iso(next_run(runs("0 2 20 * *", PgCronRules::v1_6_0), at("2026-06-01 00:00"), kUtc)), "2026-06-19 02:00");
    EXPECT_EQ(iso(next_run(runs("0 2 20 * *", PgCronRules::v1_6_2), at("2026-06-01 00:00"), kUtc)), "2026-06-20 02:00");
    // "$" there tested "is the shifted date the 1st": still the last day.
    EXPECT_EQ(iso(next_run(runs("0 2 $ * *", PgCronRules::v1_6_0), at("2026-02-10 00:00"), kUtc)), "2026-02-28 02:00");
    EXPECT_EQ(iso(previous_run(runs("0 2 20 * *", PgCronRules::v1_6_0), at("2026-06-30 00:00"), kUtc)),
              "2026-06-19 02:00");
}

// ------------------------------------------------------------ @yearly

TEST(CronVersions, YearlyNeverFiresIn16) {
    for (PgCronRules rules : {PgCronRules::v1_4, PgCronRules::v1_5}) {
        const CronSchedule yearly = runs("@yearly", rules);
        EXPECT_EQ(yearly.kind, CronScheduleKind::calendar);
        EXPECT_EQ(iso(next_run(yearly, at("2026-06-15 12:00"), kUtc)), "2027-01-01 00:00");
    }
    for (PgCronRules rules : {PgCronRules::v1_6_0, PgCronRules::v1_6_2, PgCronRules::v1_6_5}) {
        for (const char *text : {"@yearly", "@annually"}) {
            const CronSchedule yearly = runs(text, rules);
            EXPECT_EQ(yearly.kind, CronScheduleKind::never_fires) << text;
            EXPECT_FALSE(next_run(yearly, at("2026-06-15 12:00"), kUtc));
            EXPECT_NE(yearly.no_next_run_reason().find("never runs @yearly"), std::string::npos);
            EXPECT_THROW(parse_cron(text, rules, CronReading::strict), CronError);
        }
        // 1.6.0-1.6.1 fire a day early (Release160FiresADayEarly).
        const bool early = rules == PgCronRules::v1_6_0;
        EXPECT_EQ(iso(next_run(runs("@monthly", rules), at("2026-06-15 12:00"), kUtc)),
                  early ? "2026-06-30 00:00" : "2026-07-01 00:00");
        EXPECT_EQ(iso(next_run(runs("@weekly", rules), at("2026-06-15 12:00"), kUtc)),
                  early ? "2026-06-20 00:00" : "2026-06-21 00:00");
    }
}

// ------------------------------------------------------ steps and ranges

TEST(CronVersions, StepLargerThanTheFieldFiresOnceAtItsStart) {
    for (PgCronRules rules : {PgCronRules::v1_4, PgCronRules::v1_5, PgCronRules::v1_6_2}) {
        EXPECT_EQ(values(runs("*/100 * * * *", rules).minutes), Values{0});
        EXPECT_EQ(values(runs("0 0 */40 * *", rules).days_of_month), Values{1});
        EXPECT_EQ(values(runs("10-20/100 * * * *", rules).minutes), Values{10});
    }
    EXPECT_EQ(values(runs("0 */23 * * *", PgCronRules::v1_6_5).hours), (Values{0, 23}));
    EXPECT_THROW(runs("*/100 * * * *", PgCronRules::v1_6_5), CronError);
}

TEST(CronVersions, ReversedRanges) {
    // 1.4 and 1.5: nothing.
    const CronSchedule none = runs("0 22-2 * * *", PgCronRules::v1_4);
    EXPECT_TRUE(none.hours.none());
    EXPECT_EQ(none.kind, CronScheduleKind::never_fires);
    EXPECT_FALSE(next_run(none, at("2026-06-01 00:00"), kUtc));
    EXPECT_TRUE(runs("0 22-2 * * *", PgCronRules::v1_5).hours.none());
    // 1.6: bit_nset over bytes of 8 bits.
    for (PgCronRules rules : {PgCronRules::v1_6_0, PgCronRules::v1_6_2, PgCronRules::v1_6_5}) {
        EXPECT_EQ(values(runs("0 22-2 * * *", rules).hours), (Values{0, 1, 2, 22, 23}));
        EXPECT_EQ(values(runs("0 20-9 * * *", rules).hours), (Values{8, 9, 20, 21, 22, 23}));
        EXPECT_EQ(values(runs("50-5 * * * *", rules).minutes), (Values{0, 1, 2, 3, 4, 5, 50, 51, 52, 53, 54, 55}));
        EXPECT_EQ(values(runs("0 0 28-3 * *", rules).days_of_month), (Values{1, 2, 3, 28, 29, 30, 31}));
        EXPECT_EQ(values(runs("0 0 1 11-2 *", rules).months), (Values{1, 2, 11, 12}));
        EXPECT_TRUE(runs("0 0 1 8-2 *", rules).months.none());  // 7 and 1 share a byte
        EXPECT_TRUE(runs("0 0 * * fri-mon", rules).days_of_week.none());
        EXPECT_TRUE(runs("0 22-2/2 * * *", rules).hours.none());  // a step: the plain loop
    }
    EXPECT_EQ(iso(next_run(runs("0 22-2 * * *", PgCronRules::v1_6_5), at("2026-06-01 03:00"), kUtc)),
              "2026-06-01 22:00");
}

// ------------------------------------------------------------ junk

TEST(CronVersions, JunkIsReadAsPgCronDoes) {
    for (PgCronRules rules : kAll) {
        const CronSchedule star = runs("*x * * * *", rules);
        EXPECT_EQ(star.minutes.count(), 60u);
        EXPECT_TRUE(star.minute_star);
        if (rules == PgCronRules::v1_5_0) {
            // 1.5.0 read a leading number as seconds (Intervals).
            EXPECT_EQ(runs("1-5/2/3 * * * *", rules).interval_seconds, 1);
            EXPECT_EQ(runs("5; * * * *", rules).interval_seconds, 5);
        } else {
            EXPECT_EQ(values(runs("1-5/2/3 * * * *", rules).minutes), (Values{1, 3, 5}));
            EXPECT_EQ(values(runs("5; * * * *", rules).minutes), Values{5});
        }
        EXPECT_EQ(values(runs("0 2 20 * * garbage", rules).days_of_month), Values{20});
        EXPECT_EQ(values(runs("@daily x", rules).hours), Values{0});
        EXPECT_EQ(values(runs("4294967296 * * * *", rules).minutes), Values{0});  // atoi wraps
        EXPECT_EQ(values(runs("# note\n0 2 * * *", rules).hours), Values{2});
    }
    try {
        parse_cron("1-5/2/3 * * * *", PgCronRules::v1_6_5, CronReading::strict);
        ADD_FAILURE();
    } catch (const CronError &error) {
        EXPECT_NE(error.hint().find("pg_cron silently ignores"), std::string::npos) << error.hint();
    }
}

// ------------------------------------------------------------ intervals

TEST(CronVersions, Intervals) {
    const CronSchedule every30 = runs("30 seconds", PgCronRules::v1_6_5);
    EXPECT_EQ(every30.kind, CronScheduleKind::interval);
    EXPECT_EQ(every30.interval_seconds, 30);
    EXPECT_FALSE(next_run(every30, at("2026-06-01 00:00"), kUtc));
    EXPECT_FALSE(previous_run(every30, at("2026-06-01 00:00"), kUtc));
    EXPECT_NE(every30.no_next_run_reason().find("every 30 seconds"), std::string::npos);
    EXPECT_EQ(parse_cron("30 seconds", PgCronRules::v1_5, CronReading::strict).interval_seconds, 30);
    // 1.5.0 scanned for the interval first and stopped at the number.
    const CronSchedule bug = runs("30 2 * * *", PgCronRules::v1_5_0);
    EXPECT_EQ(bug.kind, CronScheduleKind::interval);
    EXPECT_EQ(bug.interval_seconds, 30);
    EXPECT_EQ(runs("0 2 * * *", PgCronRules::v1_5_0).kind, CronScheduleKind::calendar);
    EXPECT_EQ(runs("30 2 * * *", PgCronRules::v1_5).kind, CronScheduleKind::calendar);
    try {
        parse_cron("30 2 * * *", PgCronRules::v1_5_0, CronReading::strict);
        ADD_FAILURE();
    } catch (const CronError &error) {
        EXPECT_NE(error.hint().find("every 30 seconds"), std::string::npos) << error.hint();
    }
}

TEST(CronVersions, RebootHasNoNextRun) {
    const CronSchedule reboot = runs("@reboot", PgCronRules::v1_6_5);
    EXPECT_EQ(reboot.kind, CronScheduleKind::at_server_start);
    EXPECT_FALSE(next_run(reboot, at("2026-06-01 00:00"), kUtc));
    EXPECT_NE(reboot.no_next_run_reason().find("server starts"), std::string::npos);
}

TEST(CronVersions, NeverFiringSchedulesAreAcceptedAsPgCronDoes) {
    const CronSchedule february31 = runs("0 0 31 2 *", PgCronRules::v1_4);
    EXPECT_EQ(february31.kind, CronScheduleKind::never_fires);
    EXPECT_NE(february31.no_next_run_reason().find("February"), std::string::npos);
    EXPECT_FALSE(next_run(february31, at("2026-06-01 00:00"), kUtc));
}

// ------------------------------------------------------------ versions

TEST(CronVersions, RulesForAVersion) {
    struct Case {
        const char *version;
        PgCronRules rules;
        bool assumed;
    };
    const Case cases[] = {
        {"1.3", PgCronRules::v1_4, false},     {"1.4", PgCronRules::v1_4, false},
        {"1.4.2", PgCronRules::v1_4, false},   {"1.5", PgCronRules::v1_5, true},
        {"1.5.0", PgCronRules::v1_5_0, false}, {"1.5.2", PgCronRules::v1_5, false},
        {"1.6", PgCronRules::v1_6_5, true},    {"1.6.0", PgCronRules::v1_6_0, false},
        {"1.6.1", PgCronRules::v1_6_0, false}, {"1.6.2", PgCronRules::v1_6_2, false},
        {"1.6.4", PgCronRules::v1_6_2, false}, {"1.6.5", PgCronRules::v1_6_5, false},
        {"1.6.7", PgCronRules::v1_6_5, false}, {"1.7", PgCronRules::v1_6_5, true},
        {"2.0.1", PgCronRules::v1_6_5, true},
    };
    for (const Case &c : cases) {
        const std::optional<PgCronRulesChoice> choice = pg_cron_rules_for_version(c.version);
        ASSERT_TRUE(choice) << c.version;
        EXPECT_EQ(choice->rules, c.rules) << c.version;
        EXPECT_EQ(!choice->assumed.empty(), c.assumed) << c.version;
    }
    for (const char *bad : {"", "1", "abc", "0.9", "1.6-beta", "1.6.", "1..6", "1.6.4.1"}) {
        EXPECT_FALSE(pg_cron_rules_for_version(bad)) << bad;
    }
}

TEST(CronVersions, ZoneOfEachRelease) {
    EXPECT_EQ(cron_zone_name(PgCronRules::v1_4, "Asia/Seoul"), "GMT");
    EXPECT_EQ(cron_zone_name(PgCronRules::v1_6_5, "Asia/Seoul"), "Asia/Seoul");
    EXPECT_EQ(cron_zone_name(PgCronRules::v1_5, ""), "GMT");
}

}  // namespace
}  // namespace fitbot::core

// ------------------------------------------------ maintenance_status's reading

namespace fitbot::core {
namespace {

MaintenanceReport judge_schedule(const std::string &schedule, const std::string &pg_cron_version) {
    MaintenanceFacts facts = testing::healthy_maintenance();
    facts.pg_cron_version = pg_cron_version;
    for (CronJobFact &job : facts.jobs) job.schedule = schedule;
    return judge_maintenance(facts, testing::fixture_now(), FixedOffsetZone(0, "GMT"));
}

TEST(CronVersionsHealth, YearlyUnder16IsANeverFiringJob) {
    const MaintenanceReport report = judge_schedule("@yearly", "1.6");
    EXPECT_EQ(report.status, Status::critical);
    EXPECT_TRUE(testing::any_reason_contains(report.reasons, "never runs @yearly")) << testing::joined(report.reasons);
    EXPECT_FALSE(report.next_run);
    EXPECT_NE(judge_schedule("@yearly", "1.4").status, Status::critical);
}

TEST(CronVersionsHealth, IntervalHasNoNextRunAndIsNotAnError) {
    const MaintenanceReport report = judge_schedule("30 seconds", "1.6");
    EXPECT_NE(report.status, Status::critical);
    EXPECT_TRUE(testing::any_reason_contains(report.reasons, "every 30 seconds")) << testing::joined(report.reasons);
    EXPECT_FALSE(report.next_run);
}

TEST(CronVersionsHealth, JunkIsReadAsPgCronRunsIt) {
    // pg_cron runs "0 2 20 * * garbage" as "0 2 20 * *": no bad-schedule finding.
    const MaintenanceReport report = judge_schedule("0 2 20 * * garbage", "1.4");
    EXPECT_FALSE(testing::any_reason_contains(report.reasons, "bad schedule")) << testing::joined(report.reasons);
    EXPECT_TRUE(report.next_run);
}

}  // namespace
}  // namespace fitbot::core
