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
    CronError(std::string message, std::string hint) : std::runtime_error(message), hint_(std::move(hint)) {}
    const std::string &hint() const { return hint_; }

private:
    std::string hint_;
};

// The pg_cron releases whose schedule rules differ, read from pg_cron's
// src/entry.c, src/job_metadata.c (ParseSchedule, TryParseInterval) and
// src/pg_cron.c (ShouldRunTask) at each tag:
enum class PgCronRules {
    // 1.4.x (and 1.0-1.3, whose parser is the same): five fields or an @
    // shorthand, evaluated in GMT. A reversed range (22-2) selects nothing; a
    // step larger than the field (*/100) selects the field's first value.
    v1_4,
    // 1.5.0: cron.timezone, and "N seconds" tried before the five fields with
    // a sscanf that stops at the number, so "30 2 * * *" runs every 30 seconds.
    v1_5_0,
    // 1.5.1-1.5.2: the five fields first, then "N seconds" (1 to 59).
    v1_5,
    // 1.6.0-1.6.1: "$" (last day of the month) in the day-of-month field;
    // @yearly/@annually never fire (their month is left unset); a reversed
    // range wraps around partly (bit_nset over bytes, see cron_grammar.cpp).
    // ShouldRunTask read every date field from the same instant 24 hours
    // later (pg_localtime's static result reused), so jobs fire a day early.
    v1_6_0,
    // 1.6.2-1.6.4: as 1.6.0 with that fixed.
    v1_6_2,
    // 1.6.5 and later (checked up to 1.6.7): a step larger than the field's
    // highest value (*/60 in minutes) is refused.
    v1_6_5,
};

// The newest rules known: what a version we cannot read, or one newer than
// 1.6.7, is assumed to follow.
constexpr PgCronRules kNewestPgCronRules = PgCronRules::v1_6_5;

// "pg_cron 1.6.5 or later", for messages.
std::string pg_cron_rules_name(PgCronRules rules);

// The rules for a pg_cron version as text: "1.4", "1.4.2", "1.6", "1.6.3".
// A version without a patch level, which is all pg_extension.extversion says
// ("1.6"), takes that minor version's newest rules (1.6 -> 1.6.5+, 1.5 ->
// 1.5.1+); `assumed` then says why. A version newer than 1.6 takes the newest
// rules, also with a note. Versions before 1.0 and text that is not a
// version give nullopt.
struct PgCronRulesChoice {
    PgCronRules rules = kNewestPgCronRules;
    std::string assumed;  // non-empty when the rules are a guess: why
};
std::optional<PgCronRulesChoice> pg_cron_rules_for_version(std::string_view version);

// How to read a schedule.
enum class CronReading {
    // For a schedule we are about to hand to pg_cron (validate_schedule,
    // schedule_maintenance): what that pg_cron accepts, minus what is almost
    // certainly a typo (text after a field or after the fifth field, a
    // reversed range, a step larger than the field, control characters) and
    // minus schedules with no next run to report (never firing, @reboot,
    // @yearly under 1.6). Refused with a hint.
    strict,
    // For a job pg_cron already has: exactly what that pg_cron makes of it,
    // junk included. Refused only where pg_cron refuses it too.
    as_pg_cron_runs,
};

enum class CronScheduleKind {
    calendar,         // fires at wall-clock minutes: next_run() answers
    interval,         // "N seconds": every interval_seconds, not clock aligned
    at_server_start,  // @reboot/@restart: runs when pg_cron starts
    never_fires,      // accepted by pg_cron but selects no time (never_reason)
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
    // day_of_month_star (1.4; day_of_week_star from 1.6, same days),
    // @monthly/@yearly day_of_week_star, @daily none.
    bool minute_star = false;
    bool hour_star = false;
    bool day_of_month_star = false;
    bool day_of_week_star = false;
    // pg_cron >= 1.6 "$": the day-of-month field matches on the month's last
    // day (pg_cron: the local date 24 hours later is the 1st). It is not a
    // '*' field for the day-of-month/day-of-week rule.
    bool last_day_of_month = false;
    // pg_cron 1.6.0-1.6.1: every field is tested against the instant 24 hours
    // later, so the job fires a day before its schedule says.
    bool fires_a_day_early = false;
    CronScheduleKind kind = CronScheduleKind::calendar;
    int interval_seconds = 0;  // kind == interval: 1..59
    std::string never_reason;  // kind == never_fires: why, a full sentence
    PgCronRules rules = kNewestPgCronRules;
    std::string text;  // the schedule as given, trimmed

    // Whether the job fires on this local calendar day (the day test alone,
    // "$" taken as the calendar's last day of the month).
    bool fires_on(const CivilDate &date) const;

    // Empty for a calendar schedule; otherwise why next_run() has no answer,
    // as a full sentence for maintenance_status reasons.
    std::string no_next_run_reason() const;
};

// Longest schedule text accepted in strict reading; pg_cron itself refuses
// 1000 characters or more.
constexpr std::size_t kMaxCronTextLength = 256;

// Parses a schedule as pg_cron of the given rules does (a port of its
// parse_cron_entry/get_list/get_range/get_number and ParseSchedule), read
// strictly or as pg_cron runs it (see CronReading). Throws CronError (message
// in PostgreSQL style, hint a full sentence) for a schedule refused.
CronSchedule parse_cron(std::string_view text, PgCronRules rules, CronReading reading);

// Strict reading under the newest rules: what a schedule handed to pg_cron
// today must satisfy when its version is not known.
CronSchedule parse_cron(std::string_view text);

// Which zone to pass: pg_cron 1.4 evaluates schedules in GMT whatever the
// server's TimeZone (ShouldRunTask in src/pg_cron.c uses gmtime()); pg_cron
// 1.5 and later use the cron.timezone setting (default "GMT", PGC_POSTMASTER:
// it changes only with a restart). cron_zone_name() says which.
std::string cron_zone_name(PgCronRules rules, std::string_view cron_timezone_setting);

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
// schedule; nullopt for a schedule whose kind is not calendar (see
// no_next_run_reason()), evaluating its fields as wall-clock time in `zone`. Across DST
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
std::optional<Micros> next_run(const CronSchedule &schedule, Micros after, const ZoneRules &zone, CronClockRule rule);

// The latest firing at or before `at` (same rules), for "should have run by now".
std::optional<Micros> previous_run(const CronSchedule &schedule, Micros at, const ZoneRules &zone);
std::optional<Micros> previous_run(const CronSchedule &schedule, Micros at, const ZoneRules &zone, CronClockRule rule);

}  // namespace fitbot::core
