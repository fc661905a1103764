-- schedule_maintenance(): the pg_cron job that runs pg_partman's maintenance.

-- CREATE EXTENSION pg_cron, on this node only: on a Citus coordinator, with
-- DDL propagation off for that one statement (pg_cron is not loaded on the
-- workers, and the extension must not be created on nodes added later);
-- everything after it, such as new partitions of a distributed table, is
-- propagated as before.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.create_pg_cron_here()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    citus_propagation text := current_setting('citus.enable_ddl_propagation', true);
BEGIN
    IF citus_propagation IS NOT NULL THEN
        PERFORM set_config('citus.enable_ddl_propagation', 'off', true);
    END IF;
    CREATE EXTENSION pg_cron;
    IF citus_propagation IS NOT NULL THEN
        PERFORM set_config('citus.enable_ddl_propagation', citus_propagation, true);
    END IF;
END
$fn$;

-- Creates, updates or keeps the maintenance job; returns its id, what was
-- done, and the command it ran before when that changed. The job is this
-- database's maintenance job whoever owns it (a superuser sees every job), so
-- a second administrator updates it rather than adding a second one.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.ensure_maintenance_job(
    schedule text, OUT jobid bigint, OUT action text, OUT previous_command text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    -- Left out (NULL), the schedule is kept: see below.
    normalized text := CASE WHEN schedule IS NOT NULL THEN fitbot_partman_internal.checked_schedule(schedule) END;
    command text := fitbot_partman_internal.maintenance_command();
    job_name text := fitbot_partman_internal.maintenance_job_name();
    existing record;
    taken record;
BEGIN
    CASE fitbot_partman_internal.cron_location()
        WHEN 'not loaded' THEN
            PERFORM fitbot_partman_internal.raise_cron_not_loaded();
        WHEN 'elsewhere' THEN
            RAISE EXCEPTION 'pg_cron runs jobs from database "%", not from "%"',
                            fitbot_partman_internal.cron_database(), current_database()
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = format('Connect to database %I and run: %s', fitbot_partman_internal.cron_database(),
                                    fitbot_partman_internal.schedule_in_database_statement(
                                        coalesce(normalized, fitbot_partman_internal.maintenance_setting('job_schedule'))));
        WHEN 'installable' THEN
            PERFORM fitbot_partman_internal.create_pg_cron_here();
        ELSE
            NULL;
    END CASE;

    PERFORM fitbot_partman_internal.lock_configuration();
    SELECT j.jobid, j.schedule, j.command, j.active, j.database INTO existing
    FROM cron.job j
    WHERE j.database = current_database()
      AND (j.jobname = job_name OR j.command ~* @MAINTENANCE_COMMAND_PATTERN@)
    ORDER BY j.jobname IS DISTINCT FROM job_name, j.username <> current_user, j.jobid
    LIMIT 1;

    -- cron.schedule() upserts on (jobname, username) across databases: a job
    -- of ours by that name that runs elsewhere would be taken over (1.4
    -- rewrites its command, 1.6 moves it here), and that database would
    -- silently lose its maintenance.
    IF existing IS NULL THEN
        SELECT j.jobid, j.database, j.schedule, j.command INTO taken
        FROM cron.job j WHERE j.jobname = job_name AND j.username = current_user;
        IF taken IS NOT NULL THEN
            RAISE EXCEPTION 'pg_cron job % "%" of role % maintains database "%", not "%"',
                            taken.jobid, job_name, current_user, taken.database, current_database()
                USING ERRCODE = 'object_in_use',
                      HINT = format('Scheduling here would take that job over. Give it its own name first (fitbot-partman setup for database %I does so), or run: SELECT cron.schedule_in_database(%L, %L, %L, %L); SELECT cron.unschedule(%s); then run this again.',
                                    taken.database,
                                    fitbot_partman_internal.maintenance_job_name(taken.database, current_database()),
                                    taken.schedule, taken.command, taken.database, taken.jobid);
        END IF;
    END IF;

    -- A schedule left out keeps the job's own, a change made with
    -- cron.alter_job() included, or else the one setup last gave (the seed's
    -- at first): re-running setup() never resets a chosen schedule.
    normalized := coalesce(normalized, existing.schedule, fitbot_partman_internal.maintenance_setting('job_schedule'));
    PERFORM fitbot_partman_internal.record_job_schedule(normalized);
    IF existing IS NULL THEN
        jobid := cron.schedule(job_name, normalized, command);
        action := 'scheduled';
    ELSIF existing.schedule = normalized AND existing.command = command AND existing.active
          AND existing.database = current_database() THEN
        jobid := existing.jobid;
        action := 'unchanged';
    ELSE
        PERFORM cron.alter_job(existing.jobid, schedule := normalized, command := command,
                               database := current_database(), active := true);
        jobid := existing.jobid;
        action := 'updated';
        IF existing.command IS DISTINCT FROM command THEN
            previous_command := existing.command;
        END IF;
    END IF;
END
$fn$;

CREATE OR REPLACE FUNCTION fitbot_partman.schedule_maintenance(schedule text DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jobid FROM fitbot_partman_internal.ensure_maintenance_job(schedule)
$$;

COMMENT ON FUNCTION fitbot_partman.schedule_maintenance(text) IS
'Schedules (or updates) this database''s pg_cron job that runs pg_partman maintenance (named as setup() names it); a schedule left out keeps the job''s, or for a new job the one setup() last gave (''0 2 20 * *'' at first); returns the job id';
