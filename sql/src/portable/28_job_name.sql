-- maintenance_job_name(): the name of this database's pg_cron maintenance job.
--
-- pg_cron keeps one job per (jobname, username) across the whole cluster, and
-- cron.schedule()/schedule_in_database() upsert on that key: two databases
-- whose jobs share a name share one job (issue 21). So the name carries the
-- database, except where pg_cron lives in this very database: there no
-- other database can schedule a job that runs here under the same role,
-- and the seed's name is kept.
--
-- jobname is of type name (63 bytes, silently truncated) up to pg_cron 1.4:
-- a longer name is cut to 54 bytes (on a character boundary) and ends in
-- '~' and 8 hex digits of md5() of the full name, so that two long database
-- names sharing a prefix still get two names.
--
-- Portable: the extension's scheduling, the agentless driver and the
-- companion (which reads it rather than knowing the rule) all call this one.
-- pg_cron's database as any role can tell: cron.database_name is readable
-- by superusers (and pg_read_all_settings) only, but pg_cron installed here
-- means this is it.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.cron_database_name()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN current_database()::text
                ELSE coalesce((SELECT setting FROM pg_settings WHERE name = 'cron.database_name'), 'postgres') END
$$;

CREATE OR REPLACE FUNCTION fitbot_partman_internal.maintenance_job_name(
    app_database text DEFAULT current_database(),
    cron_database text DEFAULT fitbot_partman_internal.cron_database_name())
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN octet_length(full_name) <= 63 THEN full_name
        ELSE (SELECT left(full_name, max(n)) FROM generate_series(0, 54) n
              WHERE octet_length(left(full_name, n)) <= 54)
             || '~' || left(md5(full_name), 8)
    END
    FROM (SELECT CASE WHEN app_database = cron_database THEN @JOB_NAME@
                      ELSE @JOB_NAME@ || '@' || app_database END AS full_name) f
$$;

COMMENT ON FUNCTION fitbot_partman_internal.maintenance_job_name(text, text) IS
'The pg_cron job name of app_database''s maintenance job: the seed''s name where pg_cron lives in that database, else suffixed with @database, bounded to 63 bytes';


-- Where pg_cron lives in this database: this role's jobs that earlier builds
-- scheduled for other databases under the seed's name get their own names,
-- so that no later setup or schedule_maintenance() takes one over. The
-- upgrade script runs it; the companion's setup does the same per database.
-- Returns how many were renamed.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.rename_shared_jobs()
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    job record;
    renamed integer := 0;
BEGIN
    IF to_regclass('cron.job') IS NULL THEN
        RETURN 0;
    END IF;
    FOR job IN SELECT j.jobid, j.schedule, j.command, j.database, j.active FROM cron.job j
               WHERE j.jobname = @JOB_NAME@ AND j.username = current_user AND j.database <> current_database()
    LOOP
        BEGIN
            PERFORM cron.schedule_in_database(
                fitbot_partman_internal.maintenance_job_name(job.database, current_database()),
                job.schedule, job.command, job.database, active := job.active);
            PERFORM cron.unschedule(job.jobid);
            renamed := renamed + 1;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pg_cron job % of database % keeps the name %: %', job.jobid, job.database, @JOB_NAME@, SQLERRM
                USING HINT = format('Run fitbot-partman setup for database %I: it renames the job.', job.database);
        END;
    END LOOP;
    RETURN renamed;
END
$fn$;
