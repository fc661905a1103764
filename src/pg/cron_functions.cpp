// The SQL schedule functions: fitbot_partman.next_run() and
// fitbot_partman.validate_schedule(). The cron grammar and the next-run rule
// live in the core (core/cron.h); this file only converts arguments, names
// the time zone through PostgreSQL, and maps CronError to SQL errors.
#include "convert.h"
#include "core/cron.h"
#include "guard.h"
#include "zone.h"

namespace fitbot::pg {

namespace {

core::CronSchedule parse_schedule_or_raise(const std::string &text) {
    try {
        return core::parse_cron(text);
    } catch (const core::CronError &error) {
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE, error.what(), {}, error.hint());
    }
}

Datum next_run_impl(FunctionCallInfo fcinfo) {
    core::CronSchedule schedule = parse_schedule_or_raise(string_from_text(PG_GETARG_DATUM(0)));
    core::Micros after = micros_from_timestamptz(PG_GETARG_TIMESTAMPTZ(1));
    PostgresZone zone = zone_named(string_from_text(PG_GETARG_DATUM(2)));
    // pg_cron's launcher walks UTC minutes and tests each one's wall-clock
    // time in the zone, so that is the rule here too (see cron.h).
    std::optional<core::Micros> next =
        core::next_run(schedule, after, zone, core::CronClockRule::every_utc_minute);
    if (!next) PG_RETURN_NULL();
    PG_RETURN_TIMESTAMPTZ(timestamptz_from_micros(*next));
}

Datum validate_schedule_impl(FunctionCallInfo fcinfo) {
    core::CronSchedule schedule = parse_schedule_or_raise(string_from_text(PG_GETARG_DATUM(0)));
    return text_datum(schedule.text);
}

}  // namespace

}  // namespace fitbot::pg

FITBOT_SQL_FUNCTION(fitbot_next_run, fitbot::pg::next_run_impl)
FITBOT_SQL_FUNCTION(fitbot_validate_schedule, fitbot::pg::validate_schedule_impl)
