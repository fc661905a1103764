-- pg_cron's schedule language, evaluated by the C++ core (src/core/cron.cpp).

CREATE OR REPLACE FUNCTION fitbot_partman.next_run(schedule text, after timestamptz DEFAULT now(), tz text DEFAULT 'UTC')
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'fitbot_next_run'
LANGUAGE C STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.next_run(text, timestamptz, text) IS
'First instant strictly after "after" at which pg_cron would fire the schedule, its fields read as wall-clock time in time zone tz';

CREATE OR REPLACE FUNCTION fitbot_partman.validate_schedule(schedule text)
RETURNS text
AS 'MODULE_PATHNAME', 'fitbot_validate_schedule'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.validate_schedule(text) IS
'Returns the schedule trimmed, or raises invalid_parameter_value with a hint when pg_cron would reject it or it can never fire';
