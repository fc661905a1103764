-- Health, computed in C++ from the catalogs and the syscache: never waits on
-- a relation lock. Read-only, SECURITY DEFINER, for pg_monitor.

CREATE OR REPLACE FUNCTION fitbot_partman.facts()
RETURNS json
AS 'MODULE_PATHNAME', 'fitbot_facts'
LANGUAGE C STABLE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.facts() IS
'Everything the health rules judge, read lock-free from the catalogs, as JSON (used by the fitbot-partman companion)';

CREATE OR REPLACE FUNCTION fitbot_partman.partition_health(
    OUT parent regclass, OUT partition_interval interval, OUT premake integer, OUT retention interval,
    OUT partitions integer, OUT future_partitions integer, OUT runway_until timestamptz,
    OUT oldest_start timestamptz, OUT expired_partitions integer, OUT gaps integer,
    OUT default_rows bigint, OUT total_bytes bigint, OUT estimated_rows bigint,
    OUT detached_tables integer, OUT status text, OUT reasons text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fitbot_partition_health'
LANGUAGE C STABLE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.partition_health() IS
'One row per table in pg_partman''s config: partitions, runway, gaps, expired partitions, rows in default, status and reasons';

CREATE OR REPLACE FUNCTION fitbot_partman.partitions(
    parent regclass,
    OUT partition_name text, OUT range_start timestamptz, OUT range_end timestamptz, OUT state text,
    OUT estimated_rows bigint, OUT bytes bigint, OUT locked boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fitbot_partitions'
LANGUAGE C STABLE STRICT
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.partitions(regclass) IS
'One row per partition of a pg_partman-managed table: range, state (past, current, future, expired, default), size and whether it was locked';

CREATE OR REPLACE FUNCTION fitbot_partman.maintenance_status(
    OUT jobid bigint, OUT jobname text, OUT schedule text, OUT active boolean, OUT timezone text,
    OUT next_run timestamptz, OUT last_run_start timestamptz, OUT last_run_status text,
    OUT last_run_message text, OUT last_success timestamptz, OUT consecutive_failures integer,
    OUT status text, OUT reasons text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fitbot_maintenance_status'
LANGUAGE C STABLE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.maintenance_status() IS
'The pg_cron job(s) running pg_partman maintenance: schedule, next run, last run and status (a row with NULL jobid when none exists)';

CREATE OR REPLACE FUNCTION fitbot_partman.check(OUT code integer, OUT status text, OUT summary text)
RETURNS record
AS 'MODULE_PATHNAME', 'fitbot_check'
LANGUAGE C STABLE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.check() IS
'Nagios-style verdict: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, with a one-line summary';

CREATE OR REPLACE FUNCTION fitbot_partman.metrics()
RETURNS text
AS 'MODULE_PATHNAME', 'fitbot_metrics'
LANGUAGE C STABLE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.metrics() IS
'Partition and maintenance health as Prometheus text exposition (format 0.0.4)';
