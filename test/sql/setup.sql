-- The operator's two commands, and that the second one is idempotent.
CREATE EXTENSION fitbot_partman CASCADE;
SELECT extname FROM pg_extension WHERE extname IN ('fitbot_partman', 'pg_partman', 'pg_cron') ORDER BY 1;

-- CREATE EXTENSION creates no table and no job (pg_dump/pg_restore safety).
SELECT to_regclass('public.heart_rate_readings') IS NULL AS no_table_yet;

SELECT step, action FROM fitbot_partman.setup();
-- The caller's search_path survives (pg_partman sets it at session level).
SHOW search_path;

-- The table: documented columns, bpm range check, unique key for re-syncs.
SELECT attname, format_type(atttypid, atttypmod) AS type, attnotnull
FROM pg_attribute WHERE attrelid = 'public.heart_rate_readings'::regclass AND attnum > 0 ORDER BY attnum;
SELECT pg_get_partkeydef('public.heart_rate_readings'::regclass);
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid = 'public.heart_rate_readings'::regclass ORDER BY conname;

-- pg_partman: monthly, 3 ahead, 1 year kept and really dropped.
SELECT parent_table, control, partition_interval, premake, retention,
       retention_keep_table, retention_keep_index, infinite_time_partitions
FROM part_config WHERE parent_table = 'public.heart_rate_readings';

-- The current month plus 3 ahead exist (and the months create_parent made behind).
SELECT count(*) FILTER (WHERE lower_bound > now()) AS future_partitions,
       count(*) FILTER (WHERE lower_bound <= now() AND now() < upper_bound) AS current_partition
FROM (SELECT (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz AS lower_bound,
             (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz AS upper_bound
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'public.heart_rate_readings'::regclass AND NOT c.relname LIKE '%default') b;

-- pg_cron: the job, its schedule and command.
SELECT jobname, schedule, command, database = current_database() AS this_database, active
FROM cron.job ORDER BY jobid;

-- Readings go in, re-synced samples are skipped, insane bpm is rejected.
INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm)
VALUES (1, now() - interval '1 hour', 62), (1, now() - interval '30 minutes', 75), (2, now(), 88);
INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm)
SELECT user_id, measured_at, bpm FROM public.heart_rate_readings
ON CONFLICT (user_id, measured_at) DO NOTHING;
SELECT count(*) FROM public.heart_rate_readings;
\set VERBOSITY terse
INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm) VALUES (1, '2100-01-01', 900);
\set VERBOSITY default
SELECT count(*) AS rows_in_default FROM public.heart_rate_readings_default;

-- Idempotent: calling again changes nothing and says so.
SELECT step, action, detail FROM fitbot_partman.setup() WHERE step <> 'schedule';
SELECT step, action FROM fitbot_partman.setup();
SELECT count(*) AS jobs FROM cron.job;
SELECT count(*) AS registrations FROM part_config;

-- A changed schedule updates the same job.
SELECT step, action FROM fitbot_partman.setup('30 3 21 * *') WHERE step = 'schedule';
SELECT jobname, schedule FROM cron.job;
-- A schedule left out is kept, never reset to the default: the one given
-- before, and one changed by hand with cron.alter_job() (recorded for health).
SELECT fitbot_partman.schedule_maintenance() = (SELECT jobid FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly') AS same_job;
SELECT schedule FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly';
SELECT step, action FROM fitbot_partman.setup() WHERE step = 'schedule';
SELECT cron.alter_job((SELECT jobid FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly'), schedule := '15 4 22 * *');
SELECT step, action, detail ~ '''15 4 22 \* \*'' runs' AS says_kept FROM fitbot_partman.setup() WHERE step = 'schedule';
SELECT schedule FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly';
SELECT value FROM fitbot_partman.maintenance_settings WHERE setting = 'job_schedule';
-- Given, it is set.
SELECT step, action FROM fitbot_partman.setup('0 2 20 * *') WHERE step = 'schedule';
SELECT schedule FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly';

-- An inactive job is re-activated by setup.
SELECT cron.alter_job((SELECT jobid FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly'), active := false);
SELECT step, action FROM fitbot_partman.setup() WHERE step = 'schedule';
SELECT active FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly';
