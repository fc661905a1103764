-- Readers of pg_cron's maintenance jobs, for monitors that are not their owner.
--
-- `fitbot-partman setup` runs this file in pg_cron's database
-- (cron.database_name), which is often not the application's database. It is
-- not part of the extension: the companion embeds it at build time.
--
-- Why SECURITY DEFINER: pg_cron's row-level security shows a cron.job or
-- cron.job_run_details row only to the role that owns the job (and to
-- superusers and BYPASSRLS roles). A monitoring role holding pg_monitor would
-- read "no job" while the job is there. These functions run as their owner,
-- the role that ran setup and owns the job, so they see its jobs; they return
-- only maintenance jobs of the database asked for, read-only, with a pinned
-- search_path. EXECUTE goes to pg_monitor only.
--
-- Re-runnable: setup runs it on every call.

-- Refuse a schema of ours another role owns or may create in
-- (sql/src/shared/schema_guard.sql, run just before this file).
SELECT pg_temp.fitbot_partman_refuse_unsafe_schemas(ARRAY['fitbot_partman_cron', 'fitbot_partman_cron_' || current_user]::name[]);
DROP FUNCTION pg_temp.fitbot_partman_refuse_unsafe_schemas(name[]);

CREATE SCHEMA IF NOT EXISTS fitbot_partman_cron;
COMMENT ON SCHEMA fitbot_partman_cron IS
    'fitbot-partman: read-only views of pg_cron''s maintenance jobs for pg_monitor (installed by fitbot-partman setup)';
REVOKE ALL ON SCHEMA fitbot_partman_cron FROM PUBLIC;
GRANT USAGE ON SCHEMA fitbot_partman_cron TO pg_monitor;

-- The jobs that run pg_partman maintenance in app_database: what health
-- needs of them, never the command text, which may hold another role's
-- secrets (a connection string, a password): runs_driver says whether it
-- runs fitbot_partman's driver, whose runs are in the ledger (issue 19).
-- 1.1 development builds returned the command: that signature goes first.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
               WHERE n.nspname = 'fitbot_partman_cron' AND p.proname = 'maintenance_jobs'
                 AND 'command' = ANY (p.proargnames)) THEN
        DROP FUNCTION fitbot_partman_cron.maintenance_jobs(name);
    END IF;
END
$$;
CREATE OR REPLACE FUNCTION fitbot_partman_cron.maintenance_jobs(app_database name)
RETURNS TABLE (jobid bigint, jobname text, schedule text, runs_driver boolean, database text, username text,
               active boolean, known_since timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT j.jobid, coalesce(j.jobname, '')::text, j.schedule, strpos(j.command, @DRIVER_COMMAND_MARKER@) > 0,
           j.database, j.username::text, j.active,
           -- pg_cron 1.4 keeps no creation time; with track_commit_timestamp
           -- the commit time of the job's row is a lower bound of its age.
           CASE WHEN current_setting('track_commit_timestamp')::bool THEN pg_xact_commit_timestamp(j.xmin) END
    FROM cron.job j
    WHERE j.database = app_database AND j.command ~* @MAINTENANCE_COMMAND_PATTERN@
    ORDER BY j.jobid
$$;

-- The newest @RUNS_PER_JOB@ runs of each of those jobs, newest first. Jobs
-- that run fitbot_partman's driver record their runs in the application
-- database's ledger: with_driver_jobs = false leaves them out, so that
-- cron.job_run_details (which pg_cron never purges) is not walked for them.
CREATE OR REPLACE FUNCTION fitbot_partman_cron.maintenance_runs(app_database name, with_driver_jobs boolean)
RETURNS TABLE (jobid bigint, status text, return_message text, start_time timestamptz, end_time timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.jobid, r.status, coalesce(r.return_message, ''), r.start_time, r.end_time
    FROM cron.job j
    CROSS JOIN LATERAL (SELECT d.jobid, d.status, d.return_message, d.start_time, d.end_time, d.runid
                        FROM cron.job_run_details d WHERE d.jobid = j.jobid
                        ORDER BY d.runid DESC LIMIT @RUNS_PER_JOB@) r
    WHERE j.database = app_database AND j.command ~* @MAINTENANCE_COMMAND_PATTERN@
      AND (with_driver_jobs OR strpos(j.command, @DRIVER_COMMAND_MARKER@) = 0)
    ORDER BY r.start_time DESC NULLS LAST, r.runid DESC
$$;

-- pg_cron's own record of the firings of those jobs that run the driver:
-- the newest @RUNS_PER_JOB@ of each within the newest @CRON_FIRINGS_WINDOW@
-- runids (the table's only index is its primary key, runid, so this is one
-- index range however long the history is). A firing that failed before the
-- driver's ledger row committed (connection failed, job startup timeout) is
-- seen only here (issue 19, critical 3). pg_cron passes the command no run
-- id: health matches these with the ledger by job_pid and time.
CREATE OR REPLACE FUNCTION fitbot_partman_cron.driver_firings(app_database name)
RETURNS TABLE (jobid bigint, status text, return_message text, start_time timestamptz, end_time timestamptz,
               runid bigint, job_pid integer)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.jobid, r.status, coalesce(r.return_message, ''), r.start_time, r.end_time, r.runid, r.job_pid
    FROM cron.job j
    CROSS JOIN LATERAL (SELECT d.jobid, d.status, d.return_message, d.start_time, d.end_time, d.runid, d.job_pid
                        FROM cron.job_run_details d
                        WHERE d.jobid = j.jobid
                          AND d.runid > (SELECT coalesce(max(m.runid), 0) FROM cron.job_run_details m)
                                        - @CRON_FIRINGS_WINDOW@
                        ORDER BY d.runid DESC LIMIT @RUNS_PER_JOB@) r
    WHERE j.database = app_database AND j.command ~* @MAINTENANCE_COMMAND_PATTERN@
      AND strpos(j.command, @DRIVER_COMMAND_MARKER@) > 0
    ORDER BY r.runid DESC
$$;

REVOKE ALL ON FUNCTION fitbot_partman_cron.maintenance_jobs(name) FROM PUBLIC;
REVOKE ALL ON FUNCTION fitbot_partman_cron.maintenance_runs(name, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fitbot_partman_cron.maintenance_jobs(name) TO pg_monitor;
GRANT EXECUTE ON FUNCTION fitbot_partman_cron.maintenance_runs(name, boolean) TO pg_monitor;
REVOKE ALL ON FUNCTION fitbot_partman_cron.driver_firings(name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fitbot_partman_cron.driver_firings(name) TO pg_monitor;
