// pg_cron's schedule language (vixie cron), parsed and evaluated in pure C++.
#pragma once

#include <bitset>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "time_types.h"
#include "zone.h"

namespace fitbot::core {

// Raised for a schedule pg_cron would reject, or one that can never fire.
// message(): PostgreSQL style primary message (lower case, no period);
// hint(): a full sentence telling the user what to write instead.
class CronError : public std::runtime_error {
public:
    CronError(std::string message, std::string hint)
        : std::runtime_error(message), hint_(std::move(hint)) {}
    const std::string &hint() const { return hint_; }

private:
    std::string hint_;
};

struct CronSchedule {
    std::bitset<60> minutes;
    std::bitset<24> hours;
    std::bitset<32> days_of_month;  // bits 1..31
    std::bitset<13> months;         // bits 1..12
    std::bitset<7> days_of_week;    // 0 = Sunday; 7 is folded onto 0
    // vixie cron: a field that begins with '*' is "unrestricted", which
    // decides how day-of-month and day-of-week combine (either may match when
    // both are restricted, both must match otherwise), and, for minutes and
    // hours, whether a job is re-run or skipped across DST changes. The @
    // shorthands carry pg_cron's flags: @hourly sets hour_star, @weekly
    // day_of_month_star, @monthly/@yearly day_of_week_star, @daily none.
    bool minute_star = false;
    bool hour_star = false;
    bool day_of_month_star = false;
    bool day_of_week_star = false;
    std::string text;  // the schedule as given, trimmed

    // Whether the job fires on this local calendar day.
    bool fires_on(const CivilDate &date) const;
};

// Longest schedule text accepted; pg_cron itself stores text, this keeps
// absurd input out of the parser.
constexpr std::size_t kMaxCronTextLength = 256;

// Parses five whitespace-separated fields (minute hour day-of-month month
// day-of-week) with *, ranges, lists, steps, month and day names, and the
// @yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly shorthands.
// Throws CronError for anything pg_cron would not accept and for schedules
// that can never fire (e.g. "0 0 31 2 *").
//
// The grammar is pg_cron 1.4's (src/entry.c, vixie cron's load_entry):
// numbers, or three-letter names (case-insensitive) in the month and
// day-of-week fields, also as range ends ("mon-fri"); "*/n" and "a-b/n" steps
// (n >= 1) but not "a/n"; a reversed range such as "5-1" is accepted and
// selects nothing, as in pg_cron (the schedule is then rejected only if it can
// never fire); the @ shorthands are lower case only. Stricter than pg_cron,
// which silently ignores whatever follows a field's value ("*;", "0 2 20 * *
// garbage", "@daily x"): such text is rejected here, as are control
// characters, non-ASCII bytes and text longer than kMaxCronTextLength.
// pg_cron >= 1.5's "N seconds" interval form and @reboot (no next run to
// check) are rejected with a hint.
CronSchedule parse_cron(std::string_view text);

// Which zone to pass: pg_cron 1.4 evaluates schedules in GMT whatever the
// server's TimeZone (ShouldRunTask in src/pg_cron.c uses gmtime()); pg_cron
// 1.5 and later use the cron.timezone setting (default "GMT").

// How wall-clock times that a DST change skips or repeats are treated.
enum class CronClockRule {
    // vixie cron's rule, as next_run() describes it.
    vixie,
    // What pg_cron's launcher really does (src/pg_cron.c, StartAllPendingRuns
    // and ShouldRunTask): it walks UTC minutes, so its clock never jumps, and
    // tests each minute's wall-clock time in the zone. A skipped wall time
    // never fires and a repeated one fires at both occurrences, for every job.
    every_utc_minute,
};

// The first instant strictly after `after` at which pg_cron would fire the
// schedule, evaluating its fields as wall-clock time in `zone`. Across DST
// changes it follows vixie cron: a fixed-time job whose local time is skipped
// by a spring-forward fires when the gap ends; one whose local time repeats in
// a fall-back fires once, at the first occurrence; jobs with '*' minute or hour
// fields fire only at wall-clock times that exist. Firings are at whole
// minutes of wall-clock time. The search covers 400 years (a full Gregorian
// cycle), so every schedule parse_cron accepts has a next run; nullopt only
// when `after` lies outside years 1 to about 287,000 (the far ends of
// PostgreSQL's timestamptz range, where a 400-year search would leave the
// range of Micros).
std::optional<Micros> next_run(const CronSchedule &schedule, Micros after, const ZoneRules &zone);
std::optional<Micros> next_run(const CronSchedule &schedule, Micros after, const ZoneRules &zone,
                               CronClockRule rule);

// The latest firing at or before `at` (same rules), for "should have run by now".
std::optional<Micros> previous_run(const CronSchedule &schedule, Micros at, const ZoneRules &zone);
std::optional<Micros> previous_run(const CronSchedule &schedule, Micros at, const ZoneRules &zone,
                                   CronClockRule rule);

}  // namespace fitbot::core
