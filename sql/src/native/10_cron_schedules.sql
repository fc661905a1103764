-- pg_cron's schedule language, evaluated by the C++ core (src/core/cron*.cpp)
-- under the rules of the pg_cron release that runs the schedules
-- (src/pg/pg_cron_rules.cpp): both functions are STABLE, as their answer
-- depends on the pg_cron installed.

-- 1.1 added pg_cron_version and made tz NULL by default (pg_cron's own zone);
-- the 1.0 function, next_run(text, timestamptz, text), is replaced by
-- upgrade/1.0--1.1.before.sql. Not STRICT: NULL tz and version have a meaning.
CREATE OR REPLACE FUNCTION fitbot_partman.next_run(schedule text, after timestamptz DEFAULT now(), tz text DEFAULT NULL,
                                                   pg_cron_version text DEFAULT NULL)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'fitbot_next_run_1_1'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.next_run(text, timestamptz, text, text) IS
'First instant strictly after "after" at which pg_cron would fire the schedule, read exactly as that pg_cron runs it (text it ignores included). tz: the zone its fields are read in, NULL for pg_cron''s (GMT for 1.4, cron.timezone from 1.5). pg_cron_version: the rules of that release (''1.4'', ''1.6'', ''1.6.4''), NULL for this server''s. NULL when the schedule has no clock-aligned next run: an interval (''30 seconds''), @reboot, or one that never fires (@yearly under pg_cron 1.6); maintenance_status() gives the reason. Raises invalid_parameter_value for a schedule that pg_cron refuses';

CREATE OR REPLACE FUNCTION fitbot_partman.validate_schedule(schedule text)
RETURNS text
AS 'MODULE_PATHNAME', 'fitbot_validate_schedule'
LANGUAGE C STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.validate_schedule(text) IS
'Returns the schedule trimmed, or raises invalid_parameter_value with a hint when this server''s pg_cron would reject it, it has no next run, or it holds text pg_cron would silently ignore';
