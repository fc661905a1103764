// pg_cron's schedules evaluated: when a parsed schedule fires (the grammar is
// in cron_grammar.cpp).
//
// The firing test follows pg_cron's src/pg_cron.c (ShouldRunTask) at each
// release: the fields read as wall-clock time in the zone, day-of-month and
// day-of-week combined by vixie's rule, "$" (1.6) true when the local date 24
// hours later is the 1st, and 1.6.0-1.6.1 testing the instant 24 hours later.
#include "cron.h"

#include <algorithm>
#include <array>
#include <limits>
#include <vector>

namespace fitbot::core {

namespace {

constexpr std::int64_t kSecondsPerDay = 86400;
// A full Gregorian cycle: every pattern of dates and weekdays repeats within it.
constexpr std::int64_t kHorizonDays = 146097;
// PostgreSQL's timestamptz ends in 294276 AD; nothing beyond is searched.
constexpr std::int64_t kLastSearchedDay = 106'751'991;  // ~ INT64_MAX µs in days
constexpr std::int64_t kFirstSearchedDay = -106'751'991;
// Instants a search may start from: 0001-01-01 up to about year 287,000, so
// that a search of kHorizonDays either way stays inside 64-bit microseconds.
// Outside (the ends of PostgreSQL's timestamptz range) there is no run to report.
constexpr std::int64_t kEarliestSearchSecond = -62'135'596'800;
constexpr std::int64_t kLatestSearchSecond = 9'000'000'000'000;

bool searchable(Micros instant) {
    const std::int64_t seconds = floor_div(instant, kMicrosPerSecond);
    return seconds >= kEarliestSearchSecond && seconds < kLatestSearchSecond;
}

bool last_day(const CivilDate &date) { return date.day == days_in_month(date.year, date.month); }

// ShouldRunTask's day test with "$" given: thisdom = dom bit || (DOM_LAST &&
// tomorrow is the 1st); both must match when either day field began with '*'.
bool day_matches(const CronSchedule &schedule, const CivilDate &date, bool tomorrow_is_first) {
    if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31) return false;
    if (!schedule.months.test(static_cast<std::size_t>(date.month))) return false;
    const bool day_of_month_matches = schedule.days_of_month.test(static_cast<std::size_t>(date.day)) ||
                                      (schedule.last_day_of_month && tomorrow_is_first);
    const bool day_of_week_matches =
        schedule.days_of_week.test(static_cast<std::size_t>(weekday_from_days(days_from_civil(date))));
    if (schedule.day_of_month_star || schedule.day_of_week_star) return day_of_month_matches && day_of_week_matches;
    return day_of_month_matches || day_of_week_matches;
}

}  // namespace

bool CronSchedule::fires_on(const CivilDate &date) const { return day_matches(*this, date, last_day(date)); }

std::string CronSchedule::no_next_run_reason() const {
    switch (kind) {
        case CronScheduleKind::calendar:
            return {};
        case CronScheduleKind::interval:
            return "pg_cron runs it every " + std::to_string(interval_seconds) +
                   (interval_seconds == 1 ? " second" : " seconds") +
                   ", counted from its previous start rather than the clock, so it has no next run to predict.";
        case CronScheduleKind::at_server_start:
            return "pg_cron runs it only when the database server starts, so it has no next run to predict.";
        case CronScheduleKind::never_fires:
            return never_reason;
    }
    return {};
}

namespace {

// Instants (UTC seconds) at which the schedule fires for one wall-clock time.
// At most two.
struct Firings {
    std::array<std::int64_t, 2> at{};
    int count = 0;
};

Firings firings_at(std::int64_t local_seconds, const ZoneRules &zone, bool fires_at_every_existing_time) {
    const LocalTimeResolution resolution = resolve_local_time(zone, local_seconds);
    Firings firings;
    switch (resolution.kind) {
        case LocalTimeResolution::Kind::unique:
            firings.at[firings.count++] = resolution.earliest_utc_seconds;
            break;
        case LocalTimeResolution::Kind::ambiguous:
            // Fixed-time jobs run at the first occurrence only (vixie cron
            // holds its virtual time while the clock repeats); wildcard jobs
            // run at both.
            firings.at[firings.count++] = resolution.earliest_utc_seconds;
            if (fires_at_every_existing_time) firings.at[firings.count++] = resolution.latest_utc_seconds;
            break;
        case LocalTimeResolution::Kind::skipped:
            // Fixed-time jobs whose minute was jumped over run when the clock
            // lands (vixie cron's "medium" jump); wildcard jobs do not.
            if (!fires_at_every_existing_time) firings.at[firings.count++] = resolution.gap_end_utc_seconds;
            break;
    }
    return firings;
}

// The smallest and largest UTC offset that instants showing a wall-clock time
// of this local day can carry (probing a day either side).
std::pair<std::int64_t, std::int64_t> offset_bounds(std::int64_t day, const ZoneRules &zone) {
    const std::int64_t start = day * kSecondsPerDay;
    std::int64_t low = std::numeric_limits<std::int64_t>::max();
    std::int64_t high = std::numeric_limits<std::int64_t>::min();
    for (std::int64_t probe : {start - kSecondsPerDay, start, start + kSecondsPerDay, start + 2 * kSecondsPerDay}) {
        const std::int64_t offset = zone.utc_offset_seconds(probe);
        low = std::min(low, offset);
        high = std::max(high, offset);
    }
    return {low, high};
}

std::vector<int> set_bits(const CronSchedule &schedule, bool hours) {
    std::vector<int> values;
    if (hours) {
        for (int hour = 0; hour < 24; ++hour) {
            if (schedule.hours.test(static_cast<std::size_t>(hour))) values.push_back(hour);
        }
    } else {
        for (int minute = 0; minute < 60; ++minute) {
            if (schedule.minutes.test(static_cast<std::size_t>(minute))) values.push_back(minute);
        }
    }
    return values;
}

bool wildcard_rule(const CronSchedule &schedule, CronClockRule rule) {
    return rule == CronClockRule::every_utc_minute || schedule.minute_star || schedule.hour_star;
}

std::optional<Micros> to_micros(std::int64_t seconds) {
    Micros result = 0;
    if (__builtin_mul_overflow(seconds, kMicrosPerSecond, &result)) return std::nullopt;
    return result;
}

// First day of the month after `date`'s month.
std::int64_t first_day_of_next_month(const CivilDate &date) {
    CivilDate next{date.year, date.month + 1, 1};
    if (next.month > 12) {
        next.month = 1;
        ++next.year;
    }
    return days_from_civil(next);
}

}  // namespace

namespace {

// pg_cron's "is tomorrow the 1st" for "$": the local date of the instant 24
// hours later (not the calendar's next day: within an hour of a DST change
// on a month's last two days the two differ).
bool tomorrow_is_first(std::int64_t utc_seconds, const ZoneRules &zone) {
    return civil_from_days(floor_div(local_seconds_at(zone, utc_seconds + kSecondsPerDay), kSecondsPerDay)).day == 1;
}

// Days worth looking at. 24 hours after an instant of local day D is on D+1,
// or on D+2 or D itself when a DST change in between moved the clock by the
// rest of the day; so "$" can hold on a month's last two days and on its 1st
// (pg_cron 1.6 runs "30 0 $ * *" in New York at 00:30 on November 1st, as the
// clocks fall back that night). The exact test is per instant.
bool candidate_day(const CronSchedule &schedule, std::int64_t day) {
    if (!schedule.last_day_of_month) return schedule.fires_on(civil_from_days(day));
    const CivilDate date = civil_from_days(day);
    return day_matches(schedule, date, last_day(date) || last_day(civil_from_days(day + 1)) || date.day == 1);
}

bool instant_matches(const CronSchedule &schedule, std::int64_t day, std::int64_t utc_seconds, const ZoneRules &zone) {
    if (!schedule.last_day_of_month) return true;
    return day_matches(schedule, civil_from_days(day), tomorrow_is_first(utc_seconds, zone));
}

std::optional<Micros> search_next(const CronSchedule &schedule, Micros after, const ZoneRules &zone,
                                  CronClockRule rule);
std::optional<Micros> search_previous(const CronSchedule &schedule, Micros at, const ZoneRules &zone,
                                      CronClockRule rule);

}  // namespace

std::optional<Micros> next_run(const CronSchedule &schedule, Micros after, const ZoneRules &zone) {
    return next_run(schedule, after, zone, CronClockRule::vixie);
}

std::optional<Micros> previous_run(const CronSchedule &schedule, Micros at, const ZoneRules &zone) {
    return previous_run(schedule, at, zone, CronClockRule::vixie);
}

// pg_cron 1.6.0-1.6.1 fire at t when the schedule matches t + 24 hours: the
// firings are the ordinary ones moved a day earlier.
std::optional<Micros> next_run(const CronSchedule &schedule, Micros after, const ZoneRules &zone, CronClockRule rule) {
    if (schedule.kind != CronScheduleKind::calendar) return std::nullopt;
    if (!schedule.fires_a_day_early) return search_next(schedule, after, zone, rule);
    if (after > std::numeric_limits<Micros>::max() - kMicrosPerDay) return std::nullopt;
    const std::optional<Micros> shifted = search_next(schedule, after + kMicrosPerDay, zone, rule);
    if (!shifted) return std::nullopt;
    return *shifted - kMicrosPerDay;
}

std::optional<Micros> previous_run(const CronSchedule &schedule, Micros at, const ZoneRules &zone, CronClockRule rule) {
    if (schedule.kind != CronScheduleKind::calendar) return std::nullopt;
    if (!schedule.fires_a_day_early) return search_previous(schedule, at, zone, rule);
    if (at > std::numeric_limits<Micros>::max() - kMicrosPerDay) return std::nullopt;
    const std::optional<Micros> shifted = search_previous(schedule, at + kMicrosPerDay, zone, rule);
    if (!shifted) return std::nullopt;
    return *shifted - kMicrosPerDay;
}

namespace {

std::optional<Micros> search_next(const CronSchedule &schedule, Micros after, const ZoneRules &zone,
                                  CronClockRule rule) {
    if (!searchable(after)) return std::nullopt;
    const bool wildcard = wildcard_rule(schedule, rule);
    const std::vector<int> hours = set_bits(schedule, true);
    const std::vector<int> minutes = set_bits(schedule, false);
    // A firing u (whole seconds) is strictly after `after` iff u > after_seconds.
    const std::int64_t after_seconds = floor_div(after, kMicrosPerSecond);
    const std::int64_t first_day = floor_div(local_seconds_at(zone, after_seconds), kSecondsPerDay) - 2;
    const std::int64_t last_day = std::min(first_day + kHorizonDays + 4, kLastSearchedDay);

    std::optional<std::int64_t> best;
    for (std::int64_t day = first_day; day <= last_day;) {
        const CivilDate date = civil_from_days(day);
        if (!schedule.months.test(static_cast<std::size_t>(date.month))) {
            day = first_day_of_next_month(date);
            continue;
        }
        if (!candidate_day(schedule, day)) {
            ++day;
            continue;
        }
        const auto [low_offset, high_offset] = offset_bounds(day, zone);
        const std::int64_t day_start = day * kSecondsPerDay;
        // Every instant of a wall time L lies in [L - high_offset, L - low_offset],
        // and the earliest instant of a wall time never decreases as L grows,
        // so once L - high_offset reaches the best firing nothing later beats it.
        if (best && day_start - high_offset >= *best) break;
        bool done = false;
        for (int hour : hours) {
            for (int minute : minutes) {
                const std::int64_t local = day_start + hour * 3600 + minute * 60;
                if (local - low_offset <= after_seconds) continue;
                if (best && local - high_offset >= *best) {
                    done = true;
                    break;
                }
                const Firings firings = firings_at(local, zone, wildcard);
                for (int i = 0; i < firings.count; ++i) {
                    const std::int64_t instant = firings.at[static_cast<std::size_t>(i)];
                    if (!instant_matches(schedule, day, instant, zone)) continue;
                    if (instant > after_seconds && (!best || instant < *best)) best = instant;
                }
            }
            if (done) break;
        }
        if (done) break;
        ++day;
    }
    if (!best) return std::nullopt;
    return to_micros(*best);
}

std::optional<Micros> search_previous(const CronSchedule &schedule, Micros at, const ZoneRules &zone,
                                      CronClockRule rule) {
    if (!searchable(at)) return std::nullopt;
    const bool wildcard = wildcard_rule(schedule, rule);
    std::vector<int> hours = set_bits(schedule, true);
    std::vector<int> minutes = set_bits(schedule, false);
    std::reverse(hours.begin(), hours.end());
    std::reverse(minutes.begin(), minutes.end());
    // A firing u (whole seconds) is at or before `at` iff u <= at_seconds.
    const std::int64_t at_seconds = floor_div(at, kMicrosPerSecond);
    const std::int64_t first_day = floor_div(local_seconds_at(zone, at_seconds), kSecondsPerDay) + 2;
    const std::int64_t last_day = std::max(first_day - kHorizonDays - 4, kFirstSearchedDay);

    std::optional<std::int64_t> best;
    for (std::int64_t day = first_day; day >= last_day;) {
        const CivilDate date = civil_from_days(day);
        if (!schedule.months.test(static_cast<std::size_t>(date.month))) {
            day = days_from_civil(CivilDate{date.year, date.month, 1}) - 1;
            continue;
        }
        if (!candidate_day(schedule, day)) {
            --day;
            continue;
        }
        const auto [low_offset, high_offset] = offset_bounds(day, zone);
        const std::int64_t day_start = day * kSecondsPerDay;
        // Mirror of next_run: the latest instant of a wall time L is at most
        // L - low_offset and never decreases as L grows.
        if (best && day_start + kSecondsPerDay - 1 - low_offset <= *best) break;
        bool done = false;
        for (int hour : hours) {
            for (int minute : minutes) {
                const std::int64_t local = day_start + hour * 3600 + minute * 60;
                if (local - high_offset > at_seconds) continue;
                if (best && local - low_offset <= *best) {
                    done = true;
                    break;
                }
                const Firings firings = firings_at(local, zone, wildcard);
                for (int i = 0; i < firings.count; ++i) {
                    const std::int64_t instant = firings.at[static_cast<std::size_t>(i)];
                    if (!instant_matches(schedule, day, instant, zone)) continue;
                    if (instant <= at_seconds && (!best || instant > *best)) best = instant;
                }
            }
            if (done) break;
        }
        if (done) break;
        --day;
    }
    if (!best) return std::nullopt;
    return to_micros(*best);
}

}  // namespace

}  // namespace fitbot::core
