-- pg_cron can only live in cron.database_name. From another database,
-- setup() still partitions the table and says exactly what to run there.
-- Here pg_partman lives in a schema of its own, as many installations have it.
-- (pg_partman 4.7 itself fails in a schema whose name needs quoting.)
CREATE DATABASE fitbot_other;
\c fitbot_other
CREATE SCHEMA partman;
CREATE EXTENSION pg_partman SCHEMA partman;
CREATE EXTENSION fitbot_partman;
SELECT current_setting('cron.database_name') AS cron_database;
SELECT step, action, detail FROM fitbot_partman.setup() WHERE step <> 'partitioning';
SELECT parent_table, premake, retention, retention_keep_table FROM partman.part_config;
SELECT fitbot_partman_internal.maintenance_command();
SELECT partitions, future_partitions FROM fitbot_partman.partition_health();
-- schedule_maintenance() itself cannot do it from here: an error with the statement as hint.
\set SHOW_CONTEXT never
SELECT fitbot_partman.schedule_maintenance();
\set SHOW_CONTEXT errors
-- preflight() here: pg_cron in another database is no failure, and no hint
-- it prints would fail in this layout (fitbot-partman preflight looks there).
SELECT check_name, ok, detail, hint FROM fitbot_partman.preflight()
WHERE check_name IN ('cron.database_name', 'pg_cron extension', 'maintenance job', 'recent job failures');

-- Health here cannot see the job in fitbot_regress: never CRITICAL ("no job")
-- nor OK on that; the job is judged from the schedule setup() recorded and
-- the ledger's runs.
SELECT jobid IS NULL AS jobid_unknown, jobname, schedule, active IS NULL AS active_unknown, last_run_status, status,
       reasons[1] ~ '^pg_cron runs jobs from database fitbot_regress, and this database cannot read cron.job there' AS says_why
FROM fitbot_partman.maintenance_status();
SELECT code, status FROM fitbot_partman.check();
SELECT fitbot_partman.metrics() ~ '\nfitbot_partman_maintenance_jobs ' AS exports_a_job_count;
-- The companion reads the job in pg_cron's database and passes it in: the
-- extension then judges it here, and only the verdict leaves the database.
-- facts(false) is what the companion reads first: no partition at all.
SELECT count(*) AS parents, sum(json_array_length(p->'partitions')) AS partitions_sent
FROM json_array_elements(fitbot_partman.facts(false)->'parents') p;
CREATE TEMP TABLE companion_view AS
SELECT json_build_object(
    'cron_installed', true, 'jobs_visible', true, 'jobs_hidden_reason', '', 'runs', json_build_array(),
    'jobs', json_build_array(json_build_object(
        'jobid', 7, 'jobname', 'run_pg_partman_maintenance_monthly', 'schedule', '0 2 20 * *',
        'command', fitbot_partman_internal.maintenance_command(), 'database', current_database(),
        'username', 'postgres', 'active', true, 'known_since', NULL))) AS cron_facts;
SELECT code, status, summary ~ 'job 7' AS names_the_job, performance_data ~ 'maintenance_next_run_seconds''?=' AS has_perfdata
FROM fitbot_partman.check((SELECT cron_facts FROM companion_view));
SELECT fitbot_partman.metrics((SELECT cron_facts FROM companion_view)) ~ '\nfitbot_partman_maintenance_jobs 1\n' AS exports_the_job;
-- NULL is what this database sees, as check() and metrics().
SELECT (SELECT code FROM fitbot_partman.check(NULL)) = (SELECT code FROM fitbot_partman.check()) AS same_as_check;
-- Anything but the companion's JSON: an error that says what to pass, nothing judged.
SELECT * FROM fitbot_partman.check('{"jobs": 1}');
DO $$
BEGIN
    PERFORM fitbot_partman.metrics('[]');
EXCEPTION WHEN invalid_parameter_value THEN
    RAISE NOTICE 'SQLSTATE 22023 (invalid_parameter_value)';
END
$$;
-- A scheduled run that failed, recorded by the driver: a warning, known here.
INSERT INTO fitbot_partman.maintenance_runs (started_at, finished_at, trigger, outcome, message, tables_failed)
VALUES (now() - interval '1 day', now() - interval '1 day' + interval '2 seconds', 'pg_cron', 'failed', '1 of 1 table(s) failed', 1);
SELECT last_run_status, consecutive_failures, status FROM fitbot_partman.maintenance_status();
SELECT code, status FROM fitbot_partman.check();
-- teardown() says where the job is and how to remove it.
SELECT step, action, detail FROM fitbot_partman.teardown('public.heart_rate_readings') WHERE step = 'schedule';
\c fitbot_regress
DROP DATABASE fitbot_other;
