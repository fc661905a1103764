-- Bounded pg_cron history. pg_cron never purges cron.job_run_details, and it
-- grows by a row for every run of every job; setup() schedules
-- purge_cron_history() daily.

-- Deletes cron.job_run_details rows that finished longer than the setting
-- cron_history_keep ago, always keeping the newest @RUNS_PER_JOB@ runs of each
-- job (a monthly job keeps its history). Rows of other roles' jobs go only
-- with the setting purge_other_roles_history on, and only where the calling
-- role may delete them (pg_cron's row-level security applies). Returns the
-- rows deleted.
CREATE OR REPLACE FUNCTION fitbot_partman.purge_cron_history()
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    purged bigint;
BEGIN
    IF to_regclass('cron.job_run_details') IS NULL THEN
        RAISE EXCEPTION 'pg_cron is not installed in this database'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Purge the history in the database where pg_cron is installed (cron.database_name).';
    END IF;
    EXECUTE fitbot_partman_internal.history_purge_delete();
    GET DIAGNOSTICS purged = ROW_COUNT;
    RETURN purged;
END
$fn$;

COMMENT ON FUNCTION fitbot_partman.purge_cron_history() IS
'Deletes pg_cron run history older than the setting cron_history_keep, keeping every job''s newest runs; returns the rows deleted';

-- The purge job's command: it does nothing (rather than fail every day) once
-- fitbot_partman is dropped. It runs as the job's owner, so it calls
-- purge_cron_history() only through the ownership guard of the maintenance
-- job's command (@ROUTINE_TRUST_CHECK@, see driver_job_command()): a role that
-- took the schema's name after DROP EXTENSION, or could create in it, would
-- otherwise run its own function as the job's owner (issue 19). Another
-- role's function fails the job, so pg_cron records the failure.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.history_command()
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT format('DO $job$DECLARE ours boolean; BEGIN SET LOCAL search_path = pg_catalog; ours := %s; '
                  'IF ours THEN PERFORM fitbot_partman.purge_cron_history(); '
                  'ELSIF NOT ours THEN RAISE %L, current_user USING ERRCODE = %L; END IF; END$job$;',
                  format(@ROUTINE_TRUST_CHECK@, 'fitbot_partman', 'purge_cron_history'),
                  'history not purged: fitbot_partman.purge_cron_history() or its schema belongs to a role that is neither % nor a superuser',
                  'insufficient_privilege')
$$;

-- Creates, re-activates or keeps the purge job of this database.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.ensure_history_job(OUT jobid bigint, OUT action text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    existing record;
BEGIN
    SELECT j.jobid, j.schedule, j.command, j.active INTO existing
    FROM cron.job j
    WHERE j.jobname = @HISTORY_JOB_NAME@ AND j.database = current_database()
    ORDER BY j.jobid LIMIT 1;
    IF existing IS NULL THEN
        jobid := cron.schedule(@HISTORY_JOB_NAME@, @HISTORY_SCHEDULE@, fitbot_partman_internal.history_command());
        action := 'scheduled';
    ELSIF existing.command = fitbot_partman_internal.history_command() AND existing.active THEN
        jobid := existing.jobid;
        action := 'unchanged';
    ELSE
        -- The schedule is the administrator's to change; the command is ours.
        PERFORM cron.alter_job(existing.jobid, command := fitbot_partman_internal.history_command(), active := true);
        jobid := existing.jobid;
        action := 'updated';
    END IF;
END
$fn$;
