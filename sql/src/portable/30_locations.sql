-- Where pg_partman and pg_cron live, and small helpers the features share.

CREATE OR REPLACE FUNCTION fitbot_partman_internal.partman_schema()
RETURNS name
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_partman'
$$;

CREATE OR REPLACE FUNCTION fitbot_partman_internal.partman_major_version()
RETURNS integer
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT split_part(extversion, '.', 1)::integer FROM pg_extension WHERE extname = 'pg_partman'
$$;

-- The name pg_partman stores in part_config.parent_table: schema and table
-- joined by a dot, unquoted.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.partman_parent_name(parent regclass)
RETURNS text
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT n.nspname || '.' || c.relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = parent
$$;

-- The driver's job command. It runs as the job's owner, and a role that could
-- put its own routine where the command looks would run code as that owner
-- (issue 19): our schema pre-created by another role, fitbot_partman dropped
-- and its name taken, an overload of run_maintenance_proc() in a schema like
-- public where others may create. So it calls a procedure only when every
-- routine of that name, and its schema, belong to a superuser or to the job's
-- owner (@ROUTINE_TRUST_CHECK@, shared with `fitbot-partman maintain`), with
-- search_path pinned to pg_catalog; otherwise it fails, so pg_cron records the
-- run as failed instead of running another role's code.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.driver_job_command(partman name)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT format('DO $job$DECLARE ours boolean; BEGIN SET LOCAL search_path = pg_catalog; ours := %s; '
                  'IF ours THEN CALL fitbot_partman.run_maintenance(run_trigger => %L); '
                  'ELSIF ours IS NULL AND %s THEN CALL %I.run_maintenance_proc(); '
                  'ELSE RAISE %L, current_user USING ERRCODE = %L; END IF; END$job$;',
                  format(@ROUTINE_TRUST_CHECK@, 'fitbot_partman', 'run_maintenance'), 'pg_cron',
                  format(@ROUTINE_TRUST_CHECK@, partman, 'run_maintenance_proc'), partman,
                  'maintenance not run: its procedure is missing, or it or its schema belongs to a role that is neither % nor a superuser',
                  'insufficient_privilege')
$$;

-- The command of the maintenance job. By default it runs our driver, and falls
-- back to pg_partman's own procedure if fitbot_partman is dropped: a top-level
-- DO block may call a procedure that commits, so the job keeps maintaining
-- instead of failing every month. With the setting job_command = pg_partman it
-- is pg_partman's plain command, as the seed's recipe had it. Health reads
-- either (both match @MAINTENANCE_COMMAND_PATTERN@).
CREATE OR REPLACE FUNCTION fitbot_partman_internal.maintenance_command()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE fitbot_partman_internal.maintenance_setting('job_command')
        WHEN 'pg_partman' THEN format('CALL %I.run_maintenance_proc();', fitbot_partman_internal.partman_schema())
        ELSE fitbot_partman_internal.driver_job_command(fitbot_partman_internal.partman_schema())
    END
$$;

-- A maintenance job's command as a person reads it: the driver's DO block is
-- long, what it does is short.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.job_command_summary(command text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN strpos(command, @DRIVER_COMMAND_MARKER@) > 0
                THEN 'CALL fitbot_partman.run_maintenance() (pg_partman''s run_maintenance_proc() if fitbot_partman is dropped)'
                ELSE command END
$$;

-- A pg_cron setting (cron.timezone, cron.database_name, ...), NULL when this
-- pg_cron has no such setting. SECURITY DEFINER, as cron_preloaded(): pg_cron
-- marks its settings superuser-only, and current_setting() raises for them,
-- even with missing_ok, in a role without pg_read_all_settings (an
-- administrator granted setup(); from pg_cron 1.5 on cron.timezone too). Only
-- the settings named here can be read, none of them a secret. Where the owner
-- is such a role itself (agentless), a hidden setting reads NULL.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.cron_setting(setting_name text)
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT setting FROM pg_catalog.pg_settings
    WHERE name = setting_name
      AND name IN ('cron.database_name', 'cron.timezone', 'cron.use_background_workers', 'cron.host', 'cron.log_run')
$$;

-- The database pg_cron runs its jobs from: cron.database_name, or pg_cron's
-- default where it cannot be read.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.cron_database()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(fitbot_partman_internal.cron_setting('cron.database_name'), 'postgres')
$$;

-- A time as pg_cron's users read it: in the zone pg_cron evaluates schedules
-- in (cron.timezone from pg_cron 1.5, GMT before), and in UTC.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.cron_time_text(instant timestamptz)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN instant IS NULL THEN 'not predictable (see maintenance_status())'
                WHEN zone IN ('GMT', 'UTC', 'Etc/UTC', 'Etc/GMT', 'Z') THEN to_char(instant AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC'
                ELSE format('%s %s = %s UTC', to_char(instant AT TIME ZONE zone, 'YYYY-MM-DD HH24:MI'), zone,
                            to_char(instant AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')) END
    FROM (SELECT coalesce(fitbot_partman_internal.cron_setting('cron.timezone'), 'GMT') AS zone) z
$$;

-- Serializes every function that changes registrations or cron jobs, so two
-- sessions running setup() at once end with one registration and one job.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.lock_configuration()
RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_advisory_xact_lock(@CONFIGURATION_LOCK@)
$$;

-- Whether pg_cron's scheduler runs: it must be in shared_preload_libraries
-- (a cron.* setting in postgresql.conf proves nothing: PostgreSQL keeps it as
-- a placeholder even when the library is not loaded). SECURITY DEFINER: only
-- superusers and pg_read_all_settings may read shared_preload_libraries, and
-- an administrator granted setup() must know it too; it returns one boolean.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.cron_preloaded()
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT current_setting('shared_preload_libraries') ~ @PG_CRON_PRELOAD_PATTERN@
$$;

-- Where pg_cron can schedule our job from this database:
--   'not loaded'  pg_cron is not in shared_preload_libraries: jobs never run
--   'here'        pg_cron is installed in this database
--   'installable' this is cron.database_name, but the extension is not created yet
--   'elsewhere'   pg_cron runs jobs from another database (cron.database_name)
CREATE OR REPLACE FUNCTION fitbot_partman_internal.cron_location()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN NOT fitbot_partman_internal.cron_preloaded() THEN 'not loaded'
        WHEN EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN 'here'
        WHEN fitbot_partman_internal.cron_database() = current_database() THEN 'installable'
        ELSE 'elsewhere'
    END
$$;

CREATE OR REPLACE FUNCTION fitbot_partman_internal.raise_cron_not_loaded()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'pg_cron is not loaded'
        USING ERRCODE = 'object_not_in_prerequisite_state',
              DETAIL = format('shared_preload_libraries is %L, so pg_cron''s scheduler is not running and a scheduled job would silently never run.',
                              current_setting('shared_preload_libraries')),
              HINT = format('Run ALTER SYSTEM SET shared_preload_libraries = %L; ALTER SYSTEM SET cron.database_name = %L; then restart PostgreSQL and call this function again.',
                            concat_ws(', ', nullif(current_setting('shared_preload_libraries'), ''), 'pg_cron'),
                            current_database());
END
$$;

-- The statement to run in cron.database_name when that is another database.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.schedule_in_database_statement(schedule text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT format('SELECT cron.schedule_in_database(%L, %L, %L, %L);',
                  fitbot_partman_internal.maintenance_job_name(), schedule,
                  fitbot_partman_internal.maintenance_command(), current_database())
$$;

-- What a role that is not a superuser needs before it can run that
-- statement: pg_cron 1.4 revokes schedule_in_database() from PUBLIC. Empty
-- for a superuser.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.schedule_in_database_grant()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN ''
                ELSE format('(a superuser runs there first: GRANT USAGE ON SCHEMA cron TO %1$I; GRANT EXECUTE ON FUNCTION cron.schedule_in_database(text, text, text, text, text, boolean) TO %1$I;) ',
                            current_user) END
$$;

-- The one rule of the pg_cron history purge, as a DELETE statement: rows
-- that ended longer than cron_history_keep ago, every job's newest
-- @RUNS_PER_JOB@ runs kept, and other roles' jobs only with
-- purge_other_roles_history on (row-level security applies besides).
-- purge_cron_history() runs it here; history_purge_statement() schedules it
-- in pg_cron's database when that is another one.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.history_purge_delete()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT format('DELETE FROM cron.job_run_details d USING (SELECT runid, row_number() OVER (PARTITION BY jobid ORDER BY runid DESC) AS newest FROM cron.job_run_details) r WHERE d.runid = r.runid AND r.newest > %s AND d.end_time < now() - interval %L%s',
                  @RUNS_PER_JOB@, fitbot_partman_internal.maintenance_setting('cron_history_keep'),
                  CASE WHEN fitbot_partman_internal.maintenance_setting('purge_other_roles_history')::boolean THEN ''
                       ELSE ' AND d.jobid IN (SELECT j.jobid FROM cron.job j WHERE j.username = current_user)' END)
$$;

-- The history purge for pg_cron's database, as a statement to run there: the
-- rule above, as a pg_cron job of its own.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.history_purge_statement()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT format('SELECT cron.schedule(%L, %L, %L);', @HISTORY_JOB_NAME@, @HISTORY_SCHEDULE@,
                  fitbot_partman_internal.history_purge_delete())
$$;

-- The default partition of a partitioned table, or NULL.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.default_partition(parent regclass)
RETURNS regclass
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.oid::regclass
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_partitioned_table p ON p.partrelid = i.inhparent
    WHERE i.inhparent = parent AND p.partdefid = c.oid
$$;

-- The table's columns, quoted and comma-separated, for copying rows by name.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.column_list(parent regclass)
RETURNS text
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
    FROM pg_attribute WHERE attrelid = parent AND attnum > 0 AND NOT attisdropped
$$;
