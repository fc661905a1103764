-- teardown(): stops maintaining a table; never drops a table, partition or row.

CREATE OR REPLACE FUNCTION fitbot_partman.teardown(parent regclass)
RETURNS TABLE(step text, action text, detail text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    partman name := fitbot_partman_internal.partman_schema();
    partman_parent text := fitbot_partman_internal.partman_parent_name(parent);
    template text;
    template_table regclass;
    template_has_rows boolean;
    removed integer;
    remaining integer;
BEGIN
    IF parent IS NULL THEN
        RAISE EXCEPTION 'parent must not be null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the table to tear down, fitbot_partman.teardown(''schema.table''), or call fitbot_partman.teardown() for public.heart_rate_readings.';
    END IF;
    PERFORM fitbot_partman_internal.lock_configuration();

    step := 'partitioning';
    EXECUTE format('SELECT template_table FROM %I.part_config WHERE parent_table = $1', partman)
        INTO template USING partman_parent;
    EXECUTE format('DELETE FROM %I.part_config_sub WHERE sub_parent = $1', partman) USING partman_parent;
    EXECUTE format('DELETE FROM %I.part_config WHERE parent_table = $1', partman) USING partman_parent;
    GET DIAGNOSTICS removed = ROW_COUNT;
    -- The retention held for a wide partition goes with the registration.
    DELETE FROM fitbot_partman.wide_partitions w WHERE w.parent = partman_parent;
    action := CASE WHEN removed > 0 THEN 'removed' ELSE 'unchanged' END;
    detail := CASE WHEN removed > 0
        THEN format('%s is no longer maintained by pg_partman; the table and all its partitions and rows are kept', parent)
        ELSE format('%s was not registered with pg_partman', parent) END;
    RETURN NEXT;

    -- pg_partman 4.x keeps a template table per parent, named like the
    -- parent (unquoted schema.table); it never holds readings, but keep it
    -- if someone put rows in it.
    SELECT c.oid::regclass INTO template_table
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE template IS NOT NULL AND n.nspname = split_part(template, '.', 1)
      AND c.relname = substr(template, length(n.nspname) + 2) AND c.relkind = 'r';
    IF template_table IS NOT NULL THEN
        step := 'template';
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', template_table) INTO template_has_rows;
        IF template_has_rows THEN
            action := 'kept';
            detail := format('%s has rows, so it was left in place', template_table);
        ELSE
            detail := format('empty pg_partman template table %s', template_table);
            EXECUTE format('DROP TABLE %s', template_table);
            action := 'dropped';
        END IF;
        RETURN NEXT;
    END IF;

    step := 'schedule';
    EXECUTE format('SELECT count(*) FROM %I.part_config', partman) INTO remaining;
    IF fitbot_partman_internal.cron_location() = 'elsewhere' AND remaining = 0 THEN
        action := 'manual';
        detail := format('pg_cron runs jobs from database %I; remove this database''s jobs there: SELECT cron.unschedule(jobid) FROM cron.job WHERE database = %L;',
                         fitbot_partman_internal.cron_database(), current_database());
    ELSIF fitbot_partman_internal.cron_location() = 'elsewhere' THEN
        action := 'kept';
        detail := format('%s other table(s) still registered with pg_partman need the maintenance job in database %I',
                         remaining, fitbot_partman_internal.cron_database());
    ELSIF fitbot_partman_internal.cron_location() <> 'here' THEN
        action := 'unchanged';
        detail := 'pg_cron is not installed in this database';
    ELSIF remaining > 0 THEN
        action := 'kept';
        detail := format('%s other table(s) still registered with pg_partman need the maintenance job', remaining);
    ELSIF EXISTS (SELECT 1 FROM cron.job j WHERE j.database = current_database()
                  AND (j.jobname = fitbot_partman_internal.maintenance_job_name() OR j.command ~* @MAINTENANCE_COMMAND_PATTERN@)) THEN
        -- Every maintenance job of this database, whoever owns it (as one
        -- superuser sees another's), so that none is left behind.
        SELECT string_agg(format('%s %s (owner %I)', j.jobid, coalesce(j.jobname, '(unnamed)'), j.username), ', ' ORDER BY j.jobid)
        INTO detail
        FROM cron.job j
        WHERE j.database = current_database() AND (j.jobname = fitbot_partman_internal.maintenance_job_name() OR j.command ~* @MAINTENANCE_COMMAND_PATTERN@);
        PERFORM cron.unschedule(j.jobid) FROM cron.job j
        WHERE j.database = current_database() AND (j.jobname = fitbot_partman_internal.maintenance_job_name() OR j.command ~* @MAINTENANCE_COMMAND_PATTERN@);
        -- The history purge was set up with it. It serves every database its
        -- role set up (issue 21): it goes with that role's last maintenance job.
        SELECT detail || coalesce(', ' || string_agg(format('%s %s', j.jobid, j.jobname), ', ' ORDER BY j.jobid), '')
        INTO detail
        FROM cron.job j WHERE j.jobname = @HISTORY_JOB_NAME@ AND j.database = current_database()
          AND NOT EXISTS (SELECT 1 FROM cron.job m WHERE m.username = j.username AND m.command ~* @MAINTENANCE_COMMAND_PATTERN@);
        PERFORM cron.unschedule(j.jobid) FROM cron.job j
        WHERE j.jobname = @HISTORY_JOB_NAME@ AND j.database = current_database()
          AND NOT EXISTS (SELECT 1 FROM cron.job m WHERE m.username = j.username AND m.command ~* @MAINTENANCE_COMMAND_PATTERN@);
        action := 'unscheduled';
        detail := 'pg_cron job(s) removed: ' || detail;
    ELSE
        action := 'unchanged';
        detail := 'no maintenance job was scheduled';
    END IF;
    RETURN NEXT;
END
$fn$;

COMMENT ON FUNCTION fitbot_partman.teardown(regclass) IS
'Removes the pg_partman registration and, when no registered table needs it, the maintenance job; never drops a table, partition or row';

-- teardown() without an argument means the readings table. (A regclass
-- DEFAULT would be resolved when the extension is created, before the table
-- exists, and would make the function depend on it.)
CREATE OR REPLACE FUNCTION fitbot_partman.teardown()
RETURNS TABLE(step text, action text, detail text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF to_regclass('public.heart_rate_readings') IS NULL THEN
        RAISE EXCEPTION 'relation "public.heart_rate_readings" does not exist'
            USING ERRCODE = 'undefined_table', HINT = 'Pass the table to tear down: fitbot_partman.teardown(''schema.table'').';
    END IF;
    RETURN QUERY SELECT * FROM fitbot_partman.teardown('public.heart_rate_readings'::text::regclass);
END
$fn$;
