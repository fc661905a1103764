-- preflight() on the test instance: pg_cron preloaded, this is its database,
-- the job exists, jobs connect through the socket, trust auth.
SELECT check_name, ok, hint IS NULL AS no_hint FROM fitbot_partman.preflight();
SELECT detail FROM fitbot_partman.preflight() WHERE check_name IN ('pg_cron preloaded', 'maintenance job', 'pg_partman');
-- The time zone check explains what the schedule means locally.
SET TimeZone = 'Asia/Seoul';
SELECT ok, detail ~ '^pg_cron evaluates ''0 2 20 \* \*'' in GMT: next run \d{4}-\d{2}-20 02:00 UTC, which is \d{4}-\d{2}-20 11:00 in this database''s TimeZone \(Asia/Seoul\)$' AS explains_seoul,
       hint ~ 'UTC' AS hint_mentions_utc
FROM fitbot_partman.preflight() WHERE check_name = 'schedule time zone';
RESET TimeZone;
-- An inactive job is reported with the fix.
SELECT cron.alter_job((SELECT jobid FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly'), active := false);
SELECT ok, hint FROM fitbot_partman.preflight() WHERE check_name = 'maintenance job';
SELECT fitbot_partman.schedule_maintenance() IS NOT NULL AS reactivated;
SELECT ok FROM fitbot_partman.preflight() WHERE check_name = 'maintenance job';
-- A failed run is reported with its message.
INSERT INTO cron.job_run_details (jobid, runid, job_pid, database, username, command, status, return_message, start_time, end_time)
SELECT jobid, 2001, 4242, database, username, command, 'failed', 'connection failed', now() - interval '1 day', now() - interval '1 day'
FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly';
SELECT ok, detail, hint IS NOT NULL AS has_hint FROM fitbot_partman.preflight() WHERE check_name = 'recent job failures';
DELETE FROM cron.job_run_details WHERE runid = 2001;
