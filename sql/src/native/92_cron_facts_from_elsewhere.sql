-- For the fitbot-partman companion: where pg_cron runs its jobs from another
-- database (cron.database_name), no SQL here can read the maintenance job. The
-- companion reads it there and passes it in, and the extension judges here:
-- a verdict crosses the wire instead of every partition's facts. The JSON is
-- the companion's (core/facts_json.h, cron_view_to_json); NULL judges with
-- what this database sees, as check() and metrics() do.

CREATE OR REPLACE FUNCTION fitbot_partman.facts(partitions boolean)
RETURNS json
AS 'MODULE_PATHNAME', 'fitbot_facts_scoped_1_1'
LANGUAGE C STABLE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.facts(boolean) IS
'facts(), with each table''s partitions only when partitions is true: false is what the companion reads before it looks into pg_cron''s database';

CREATE OR REPLACE FUNCTION fitbot_partman.check(
    cron_facts json, OUT code integer, OUT status text, OUT summary text, OUT performance_data text)
RETURNS record
AS 'MODULE_PATHNAME', 'fitbot_check_with_cron_facts_1_1'
LANGUAGE C STABLE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.check(json) IS
'check(), with the maintenance job read from pg_cron''s database by the companion, and Nagios performance data';

CREATE OR REPLACE FUNCTION fitbot_partman.metrics(cron_facts json)
RETURNS text
AS 'MODULE_PATHNAME', 'fitbot_metrics_with_cron_facts_1_1'
LANGUAGE C STABLE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.metrics(json) IS
'metrics(), with the maintenance job read from pg_cron''s database by the companion';
