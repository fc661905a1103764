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

-- Health here cannot see the job in fitbot_regress: never CRITICAL ("no job")
-- nor OK on that; the job is judged from the schedule setup() recorded and
-- the ledger's runs.
SELECT jobid IS NULL AS jobid_unknown, jobname, schedule, active IS NULL AS active_unknown, last_run_status, status,
       reasons[1] ~ '^pg_cron runs jobs from database fitbot_regress, and this database cannot read cron.job there' AS says_why
FROM fitbot_partman.maintenance_status();
SELECT code, status FROM fitbot_partman.check();
SELECT fitbot_partman.metrics() ~ '\nfitbot_partman_maintenance_jobs ' AS exports_a_job_count;
-- A scheduled run that failed, recorded by the driver: a warning, known here.
INSERT INTO fitbot_partman.maintenance_runs (started_at, finished_at, trigger, outcome, message, tables_failed)
VALUES (now() - interval '1 day', now() - interval '1 day' + interval '2 seconds', 'pg_cron', 'failed', '1 of 1 table(s) failed', 1);
SELECT last_run_status, consecutive_failures, status FROM fitbot_partman.maintenance_status();
SELECT code, status FROM fitbot_partman.check();
-- teardown() says where the job is and how to remove it.
SELECT step, action, detail FROM fitbot_partman.teardown('public.heart_rate_readings') WHERE step = 'schedule';
\c fitbot_regress
DROP DATABASE fitbot_other;
