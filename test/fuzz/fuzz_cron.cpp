// libFuzzer target: pg_cron schedules (src/core/cron) from arbitrary bytes.
//
// Input: 8 bytes choosing the instant `after`, then the schedule text. When
// the text parses, next_run/previous_run are checked against invariants in
// UTC and in a fixed +05:45 zone:
//   - next > after, at a whole minute, on a day fires_on() accepts, at an
//     hour and minute the schedule has; nothing fires in between
//     (previous_run(next - 1) <= after) and previous_run(next) == next;
//   - previous <= after and next_run(previous) == next;
//   - between years 1 and 290000 both exist (the search covers 400 years and
//     parse_cron rejects schedules that never fire);
//   - re-parsing schedule.text gives the same schedule.
// The same text is also read as pg_cron runs it, under rules chosen by the
// seed: whatever the strict reading accepts there it must accept with the
// same meaning, and a calendar schedule it accepts meets the invariants above
// (with the day test moved a day on for pg_cron 1.6.0-1.6.1, which fire a day
// early).
// A CronError must carry a message and a full-sentence hint; any other
// exception escapes and is reported as a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>

#include "core/cron.h"

using namespace fitbot::core;

namespace {

void check(bool condition, const char *what, std::string_view text, Micros after) {
    if (condition) return;
    std::fprintf(stderr, "invariant failed: %s\nschedule: \"%.*s\"\nafter: %lld\n", what, static_cast<int>(text.size()),
                 text.data(), static_cast<long long>(after));
    std::abort();
}

bool same_schedule(const CronSchedule &a, const CronSchedule &b) {
    return a.minutes == b.minutes && a.hours == b.hours && a.days_of_month == b.days_of_month && a.months == b.months &&
           a.days_of_week == b.days_of_week && a.minute_star == b.minute_star && a.hour_star == b.hour_star &&
           a.day_of_month_star == b.day_of_month_star && a.day_of_week_star == b.day_of_week_star && a.text == b.text;
}

void check_runs(const CronSchedule &schedule, Micros after, const ZoneRules &zone) {
    const std::string_view text = schedule.text;
    const std::optional<Micros> next = next_run(schedule, after, zone);
    const std::optional<Micros> previous = previous_run(schedule, after, zone);
    // Year 1 .. year 290000, well inside the 64-bit microsecond range.
    const bool sane = after > -62135596800LL * kMicrosPerSecond && after < 9'000'000'000'000LL * kMicrosPerSecond;
    if (sane && schedule.kind == CronScheduleKind::calendar) {
        check(next.has_value(), "a parseable schedule has a next run", text, after);
        check(previous.has_value(), "a parseable schedule has a previous run", text, after);
    }
    if (next) {
        check(*next > after, "next_run is strictly after", text, after);
        check(*next % kMicrosPerMinute == 0, "next_run is at a whole minute", text, after);
        // 1.6.0-1.6.1 fire when the schedule matches 24 hours later.
        const Micros probe = schedule.fires_a_day_early ? *next + 86400 * kMicrosPerSecond : *next;
        const std::int64_t local = local_seconds_at(zone, floor_div(probe, kMicrosPerSecond));
        const std::int64_t day = floor_div(local, 86400);
        const std::int64_t second_of_day = local - day * 86400;
        check(schedule.fires_on(civil_from_days(day)), "next_run falls on a day the schedule fires on", text, after);
        check(schedule.hours.test(static_cast<std::size_t>(second_of_day / 3600)), "next_run hour is chosen", text,
              after);
        check(schedule.minutes.test(static_cast<std::size_t>(second_of_day / 60 % 60)), "next_run minute is chosen",
              text, after);
        check(previous_run(schedule, *next, zone) == next, "previous_run(next) == next", text, after);
        const std::optional<Micros> before_next = previous_run(schedule, *next - 1, zone);
        check(!before_next || *before_next <= after, "nothing fires between after and next_run", text, after);
    }
    if (previous) {
        check(*previous <= after, "previous_run is at or before", text, after);
        check(*previous % kMicrosPerMinute == 0, "previous_run is at a whole minute", text, after);
        check(next_run(schedule, *previous, zone) == next, "next_run(previous) == next", text, after);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size < 8) return 0;
    std::uint64_t seed = 0;
    std::memcpy(&seed, data, sizeof seed);
    Micros after = 0;
    if ((seed & 0xff) == 0xff) {
        after = static_cast<Micros>(seed);  // anything, including the ends of time
    } else {
        // Mostly 1900..2300, at any microsecond.
        const std::uint64_t span = 400ULL * 366 * 86400 * 1'000'000;
        after = static_cast<Micros>(seed % span) - 70LL * 366 * 86400 * 1'000'000;
    }
    const std::string_view text(reinterpret_cast<const char *>(data + 8), size - 8);

    constexpr PgCronRules kRules[] = {PgCronRules::v1_4,   PgCronRules::v1_5_0, PgCronRules::v1_5,
                                      PgCronRules::v1_6_0, PgCronRules::v1_6_2, PgCronRules::v1_6_5};
    const PgCronRules rules = kRules[(seed >> 8) % 6];
    std::optional<CronSchedule> as_run;
    try {
        as_run = parse_cron(text, rules, CronReading::as_pg_cron_runs);
    } catch (const CronError &error) {
        check(error.what()[0] != '\0', "a CronError has a message", text, after);
        check(!error.hint().empty() && error.hint().back() == '.', "a CronError hint is a sentence", text, after);
    }
    try {
        const CronSchedule strict = parse_cron(text, rules, CronReading::strict);
        check(as_run.has_value() && same_schedule(strict, *as_run), "strict reading is a subset of pg_cron's", text,
              after);
    } catch (const CronError &) {}
    if (as_run) {
        check_runs(*as_run, after, FixedOffsetZone(0, "UTC"));
        check_runs(*as_run, after, FixedOffsetZone(5 * 3600 + 45 * 60, "+05:45"));
    }

    CronSchedule schedule;
    try {
        schedule = parse_cron(text);
    } catch (const CronError &error) {
        check(error.what()[0] != '\0', "a CronError has a message", text, after);
        check(!error.hint().empty() && error.hint().back() == '.', "a CronError hint is a sentence", text, after);
        return 0;
    }
    try {
        check(same_schedule(parse_cron(schedule.text), schedule), "schedule.text parses to the same schedule", text,
              after);
    } catch (const CronError &) {
        check(false, "schedule.text parses again", text, after);
    }
    check_runs(schedule, after, FixedOffsetZone(0, "UTC"));
    check_runs(schedule, after, FixedOffsetZone(5 * 3600 + 45 * 60, "+05:45"));
    return 0;
}
