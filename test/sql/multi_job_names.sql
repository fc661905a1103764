-- One pg_cron job per database (issue 21): maintenance_job_name() keeps the
-- seed's name where pg_cron lives in the database, suffixes the database
-- elsewhere, and stays within pg_cron 1.4's 63-byte jobname.
SELECT current_setting('cron.database_name') = current_database() AS cron_lives_here,
       fitbot_partman_internal.maintenance_job_name() AS here;
SELECT fitbot_partman_internal.maintenance_job_name('fitbot2', 'postgres') AS elsewhere,
       fitbot_partman_internal.maintenance_job_name('fitbot', 'fitbot') AS seed;
-- Long names: at most 63 bytes, also with multibyte characters, and two
-- names that share their first 63 bytes still differ.
SELECT n, octet_length(j) AS bytes, j ~ '~[0-9a-f]{8}$' AS hashed, j
FROM (VALUES ('a', repeat('d', 28)), ('b', repeat('d', 29)), ('c', repeat('d', 60) || '1'),
             ('d', repeat('d', 60) || '2'), ('e', repeat('ü', 30))) v(n, db),
     LATERAL (SELECT fitbot_partman_internal.maintenance_job_name(db, 'postgres') AS j) f
ORDER BY n;
SELECT count(DISTINCT fitbot_partman_internal.maintenance_job_name(repeat('x', 62) || i, 'postgres')) AS distinct_names
FROM generate_series(0, 9) i;
-- Byte-exact: no partial multibyte character before the hash.
SELECT convert_to(fitbot_partman_internal.maintenance_job_name(repeat('ü', 30), 'postgres'), 'UTF8') IS NOT NULL AS valid;

-- A job of this role under the seed's name that maintains another database
-- (as 1.1 development builds left them) is never taken over: 55006 and a
-- hint that works, and nothing changes.
CREATE DATABASE fitbot_multi_other;
CREATE TEMP TABLE jobs_before AS SELECT jobid, jobname, schedule, command, database, active FROM cron.job;
SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = fitbot_partman_internal.maintenance_job_name();
SELECT cron.schedule_in_database(fitbot_partman_internal.maintenance_job_name(), '0 4 1 * *',
                                 'SELECT 1 /* run_maintenance elsewhere */', 'fitbot_multi_other') > 0 AS other_job;
DO $$
DECLARE
    state text; message text; hint text;
BEGIN
    PERFORM fitbot_partman.schedule_maintenance();
EXCEPTION WHEN others THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
    -- job ids depend on the suites before this one
    RAISE NOTICE E'%: %\nhint: %', state, regexp_replace(message, 'job \d+', 'job N'),
                 regexp_replace(hint, 'unschedule\(\d+\)', 'unschedule(N)');
END
$$;
SELECT jobname, schedule, database FROM cron.job WHERE database <> current_database() ORDER BY jobid;
-- The hint, run as given, frees the name; scheduling then works.
SELECT cron.schedule_in_database(fitbot_partman_internal.maintenance_job_name('fitbot_multi_other', current_database()),
                                 schedule, command, database) > 0 AS renamed,
       cron.unschedule(jobid) AS old_removed
FROM cron.job WHERE jobname = fitbot_partman_internal.maintenance_job_name() AND database = 'fitbot_multi_other';
SELECT fitbot_partman.schedule_maintenance() > 0 AS scheduled_here;
SELECT jobname, database FROM cron.job ORDER BY jobname;

-- The upgrade script renames such jobs itself where pg_cron lives.
SELECT cron.unschedule(jobid) FROM cron.job WHERE database = 'fitbot_multi_other' OR jobname = fitbot_partman_internal.maintenance_job_name();
SELECT cron.schedule_in_database(fitbot_partman_internal.maintenance_job_name(), '0 4 1 * *',
                                 'SELECT 1 /* run_maintenance elsewhere */', 'fitbot_multi_other', active := false) > 0 AS other_job;
SELECT fitbot_partman_internal.rename_shared_jobs() AS renamed;
SELECT jobname, schedule, database, active FROM cron.job WHERE database = 'fitbot_multi_other';
SELECT fitbot_partman_internal.rename_shared_jobs() AS renamed_again;
SELECT fitbot_partman.schedule_maintenance() > 0 AS scheduled_here;

-- Back to the state before.
SELECT cron.unschedule(jobid) FROM cron.job WHERE database = 'fitbot_multi_other';
DROP DATABASE fitbot_multi_other;
SELECT count(*) = (SELECT count(*) FROM jobs_before) AS same_jobs
FROM cron.job j JOIN jobs_before b USING (jobname, schedule, command, database, active);
