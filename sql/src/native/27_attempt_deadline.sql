-- The timer that bounds each attempt of run_maintenance() by the budget left
-- (src/pg/attempt_deadline.cpp; the driver's notes say why a timer of our
-- own). These replace the agentless stand-ins of portable/27.

-- Arms the timer: at deadline, the running query is cancelled (57014), as
-- statement_timeout would; NULL disarms it. It never outlives the transaction.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.limit_attempt(deadline timestamptz)
RETURNS boolean
AS 'MODULE_PATHNAME', 'fitbot_limit_attempt'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

-- Whether the last cancel was the timer's (and forgets it).
CREATE OR REPLACE FUNCTION fitbot_partman_internal.attempt_cut_off()
RETURNS boolean
AS 'MODULE_PATHNAME', 'fitbot_attempt_cut_off'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
