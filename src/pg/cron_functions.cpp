// The SQL schedule functions: fitbot_partman.next_run() and
// fitbot_partman.validate_schedule(). The grammar and the firing rule live in
// the core (core/cron.h); this file converts arguments, picks the pg_cron
// rules (pg_cron_rules.h) and the zone, and maps CronError to SQL errors.
//
// Entry points: fitbot_next_run answers the 1.0 SQL next_run(schedule, after,
// tz), STRICT; fitbot_next_run_1_1 the 1.1 SQL, which adds pg_cron_version
// and lets tz be NULL (pg_cron's own zone). A 1.1 library must keep
// answering the 1.0 SQL between its installation and ALTER EXTENSION UPDATE.
#include "convert.h"
#include "core/cron.h"
#include "guard.h"
#include "pg_cron_rules.h"
#include "zone.h"

extern "C" {
#include "utils/guc.h"
}

namespace fitbot::pg {

namespace {

core::CronSchedule parse_or_raise(const std::string &text, core::PgCronRules rules, core::CronReading reading) {
    try {
        return core::parse_cron(text, rules, reading);
    } catch (const core::CronError &error) {
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE, error.what(), {}, error.hint());
    }
}

// The zone pg_cron evaluates schedules in: GMT for 1.4, cron.timezone from
// 1.5 (set at server start; "GMT" when pg_cron is not loaded here).
std::string pg_cron_zone(core::PgCronRules rules) {
    const char *setting = GetConfigOption("cron.timezone", true, false);
    return core::cron_zone_name(rules, setting != nullptr ? setting : "");
}

// next_run reads a schedule as pg_cron runs it: junk pg_cron ignores is
// ignored, and a schedule with no clock-aligned next run ("N seconds",
// @reboot, one that never fires such as @yearly under pg_cron 1.6) gives
// NULL; maintenance_status() gives the reason. A schedule that pg_cron
// refuses is an error.
Datum next_run_for(FunctionCallInfo fcinfo, core::PgCronRules rules, const std::string *tz) {
    const core::CronSchedule schedule =
        parse_or_raise(string_from_text(PG_GETARG_DATUM(0)), rules, core::CronReading::as_pg_cron_runs);
    const core::Micros after = micros_from_timestamptz(PG_GETARG_TIMESTAMPTZ(1));
    const PostgresZone zone = zone_named(tz != nullptr ? *tz : pg_cron_zone(rules));
    // pg_cron's launcher walks UTC minutes and tests each one's wall-clock
    // time in the zone, so that is the rule here too (see cron.h).
    std::optional<core::Micros> next = core::next_run(schedule, after, zone, core::CronClockRule::every_utc_minute);
    if (!next) PG_RETURN_NULL();
    PG_RETURN_TIMESTAMPTZ(timestamptz_from_micros(*next));
}

// 1.0 SQL: next_run(schedule text, after timestamptz, tz text), STRICT.
Datum next_run_1_0_impl(FunctionCallInfo fcinfo) {
    const std::string tz = string_from_text(PG_GETARG_DATUM(2));
    return next_run_for(fcinfo, installed_pg_cron().choice.rules, &tz);
}

// 1.1 SQL: next_run(schedule text, after timestamptz, tz text, pg_cron_version
// text), not STRICT: a NULL tz or version means this server's.
Datum next_run_1_1_impl(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) PG_RETURN_NULL();
    std::optional<std::string> tz;
    if (!PG_ARGISNULL(2)) tz = string_from_text(PG_GETARG_DATUM(2));
    std::optional<std::string> version;
    if (!PG_ARGISNULL(3)) version = string_from_text(PG_GETARG_DATUM(3));
    const core::PgCronRules rules = pg_cron_rules_for_argument(version ? &*version : nullptr);
    return next_run_for(fcinfo, rules, tz ? &*tz : nullptr);
}

// validate_schedule reads strictly, under this server's pg_cron rules: the
// schedule handed to pg_cron must mean what it says (same symbol and SQL
// signature in 1.0 and 1.1; 1.1 declares it STABLE, as its answer now
// depends on the installed pg_cron).
Datum validate_schedule_impl(FunctionCallInfo fcinfo) {
    const core::CronSchedule schedule = parse_or_raise(string_from_text(PG_GETARG_DATUM(0)),
                                                       installed_pg_cron().choice.rules, core::CronReading::strict);
    return text_datum(schedule.text);
}

}  // namespace

}  // namespace fitbot::pg

FITBOT_SQL_FUNCTION(fitbot_next_run, fitbot::pg::next_run_1_0_impl)
FITBOT_SQL_FUNCTION(fitbot_next_run_1_1, fitbot::pg::next_run_1_1_impl)
FITBOT_SQL_FUNCTION(fitbot_validate_schedule, fitbot::pg::validate_schedule_impl)
