-- fitbot_partman 1.0: monthly partitioning of heart-rate readings with
-- pg_partman and pg_cron, and lock-free partition health.
--
-- Nothing here creates tables, rows or cron jobs: CREATE EXTENSION only adds
-- functions, so a pg_dump/pg_restore of a set-up database never collides with
-- objects the extension would create, and DROP EXTENSION never touches data.
-- setup()/register_table() create what they need when called.
--
-- Every function pins search_path so that objects in a schema earlier on the
-- caller's path can never stand in for the ones used here.

\echo Use "CREATE EXTENSION fitbot_partman CASCADE" to load this file. \quit

------------------------------------------------------------------------------
-- Cron schedules (C++ core: pg_cron's schedule language)
------------------------------------------------------------------------------

CREATE FUNCTION fitbot_partman.next_run(schedule text, after timestamptz DEFAULT now(), tz text DEFAULT 'UTC')
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'fitbot_next_run'
LANGUAGE C STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.next_run(text, timestamptz, text) IS
'First instant strictly after "after" at which pg_cron would fire the schedule, its fields read as wall-clock time in time zone tz';

CREATE FUNCTION fitbot_partman.validate_schedule(schedule text)
RETURNS text
AS 'MODULE_PATHNAME', 'fitbot_validate_schedule'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.validate_schedule(text) IS
'Returns the schedule trimmed, or raises invalid_parameter_value with a hint when pg_cron would reject it or it can never fire';

-- validate_schedule() for arguments of ours: NULL is an error too.
CREATE FUNCTION fitbot_partman.checked_schedule(schedule text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF schedule IS NULL THEN
        RAISE EXCEPTION 'schedule must not be null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass a cron schedule such as ''0 2 20 * *'' (02:00 on the 20th of every month), or omit it for that default.';
    END IF;
    RETURN fitbot_partman.validate_schedule(schedule);
END
$$;

------------------------------------------------------------------------------
-- Where pg_partman and pg_cron live
------------------------------------------------------------------------------

CREATE FUNCTION fitbot_partman.partman_schema()
RETURNS name
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_partman'
$$;

CREATE FUNCTION fitbot_partman.partman_major_version()
RETURNS integer
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT split_part(extversion, '.', 1)::integer FROM pg_extension WHERE extname = 'pg_partman'
$$;

-- The name pg_partman stores in part_config.parent_table: schema and table
-- joined by a dot, unquoted.
CREATE FUNCTION fitbot_partman.partman_parent_name(parent regclass)
RETURNS text
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT n.nspname || '.' || c.relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = parent
$$;

-- The maintenance command pg_cron runs, with pg_partman's schema quoted.
CREATE FUNCTION fitbot_partman.maintenance_command()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT format('CALL %I.run_maintenance_proc();', fitbot_partman.partman_schema())
$$;

-- Serializes every function that changes registrations or cron jobs, so two
-- sessions running setup() at once end with one registration and one job.
CREATE FUNCTION fitbot_partman.lock_configuration()
RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_advisory_xact_lock(4242, 20)
$$;

-- Where pg_cron can schedule our job from this database:
--   'here'       pg_cron is installed in this database
--   'installable' pg_cron is loaded and this is cron.database_name, but the
--                extension is not created yet
--   'elsewhere'  pg_cron runs jobs from another database (cron.database_name)
--   'not loaded' pg_cron is not in shared_preload_libraries
CREATE FUNCTION fitbot_partman.cron_location()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN 'here'
        WHEN current_setting('cron.database_name', true) IS NULL THEN 'not loaded'
        WHEN current_setting('cron.database_name', true) = current_database() THEN 'installable'
        ELSE 'elsewhere'
    END
$$;

CREATE FUNCTION fitbot_partman.raise_cron_not_loaded()
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
CREATE FUNCTION fitbot_partman.schedule_in_database_statement(schedule text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT format('SELECT cron.schedule_in_database(%L, %L, %L, %L);',
                  'run_pg_partman_maintenance_monthly', schedule,
                  fitbot_partman.maintenance_command(), current_database())
$$;

------------------------------------------------------------------------------
-- register_table
------------------------------------------------------------------------------

CREATE FUNCTION fitbot_partman.register_table(
    parent regclass,
    control text,
    partition_interval interval DEFAULT '1 month',
    premake integer DEFAULT 3,
    retention interval DEFAULT '1 year',
    keep_table boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    partman name := fitbot_partman.partman_schema();
    parent_schema name;
    parent_table name;
    parent_kind "char";
    strategy "char";
    key_column_count int2;
    key_attnum int2;
    control_attnum int2;
    control_type regtype;
    partman_parent text;
    existing record;
    changes text[] := '{}';
BEGIN
    IF parent IS NULL OR control IS NULL OR partition_interval IS NULL OR premake IS NULL OR keep_table IS NULL THEN
        RAISE EXCEPTION 'parent, control, partition_interval, premake and keep_table must not be null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass retention => NULL to keep partitions forever; every other argument needs a value.';
    END IF;

    SELECT n.nspname, c.relname, c.relkind INTO parent_schema, parent_table, parent_kind
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'relation with OID % does not exist', parent::oid
            USING ERRCODE = 'undefined_table', HINT = 'Pass the name of an existing partitioned table.';
    END IF;
    IF parent_kind <> 'p' THEN
        RAISE EXCEPTION 'table % is not partitioned', parent
            USING ERRCODE = 'wrong_object_type',
                  DETAIL = 'pg_partman manages declaratively partitioned tables only.',
                  HINT = 'Create the table with PARTITION BY RANGE on its time column, then register it.';
    END IF;

    SELECT p.partstrat, p.partnatts, p.partattrs[0] INTO strategy, key_column_count, key_attnum
    FROM pg_partitioned_table p WHERE p.partrelid = parent;
    IF strategy <> 'r' THEN
        RAISE EXCEPTION 'table % is not partitioned by range', parent
            USING ERRCODE = 'wrong_object_type',
                  DETAIL = format('It is partitioned by %s.', CASE strategy WHEN 'l' THEN 'list' WHEN 'h' THEN 'hash' ELSE strategy::text END),
                  HINT = 'Time partitioning needs PARTITION BY RANGE on a timestamptz, timestamp or date column.';
    END IF;

    SELECT a.attnum, a.atttypid::regtype INTO control_attnum, control_type
    FROM pg_attribute a WHERE a.attrelid = parent AND a.attname = control AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'column "%" of table % does not exist', control, parent
            USING ERRCODE = 'undefined_column',
                  HINT = format('Pass the partition key column as control; %s is partitioned on %s.', parent,
                                coalesce((SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = parent AND attnum = key_attnum), 'an expression'));
    END IF;
    IF key_column_count <> 1 OR key_attnum <> control_attnum THEN
        RAISE EXCEPTION 'table % is not partitioned on column "%"', parent, control
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Its partition key is %s.', pg_get_partkeydef(parent)),
                  HINT = 'Pass the single partition key column as control.';
    END IF;
    IF control_type NOT IN ('timestamp with time zone'::regtype, 'timestamp without time zone'::regtype, 'date'::regtype) THEN
        RAISE EXCEPTION 'column "%" of table % has type %, not a time type', control, parent, control_type
            USING ERRCODE = 'datatype_mismatch',
                  HINT = 'Time partitioning needs a timestamptz, timestamp or date partition key.';
    END IF;
    IF position('.' in parent_schema) > 0 OR position('.' in parent_table) > 0 THEN
        RAISE EXCEPTION 'table % has a dot in its name', parent
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = 'pg_partman identifies tables as schema.table and cannot tell such a name apart.',
                  HINT = 'Rename the table or schema without a dot, then register it.';
    END IF;
    IF premake < 1 THEN
        RAISE EXCEPTION 'premake must be at least 1, not %', premake
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'premake is how many partitions are kept ready ahead of now; 3 keeps three months ahead with a monthly interval.';
    END IF;
    IF partition_interval <= interval '0' THEN
        RAISE EXCEPTION 'partition_interval must be positive, not %', partition_interval
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use an interval such as ''1 month'' or ''1 day''.';
    END IF;
    IF retention IS NOT NULL AND retention <= interval '0' THEN
        RAISE EXCEPTION 'retention must be positive, not %', retention
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use an interval such as ''1 year'', or NULL to keep every partition.';
    END IF;

    PERFORM fitbot_partman.lock_configuration();
    partman_parent := parent_schema || '.' || parent_table;
    EXECUTE format('SELECT control, partition_interval::interval AS partition_interval, premake, retention,
                           retention_keep_table, infinite_time_partitions
                    FROM %I.part_config WHERE parent_table = $1', partman)
        INTO existing USING partman_parent;

    IF existing IS NULL THEN
        EXECUTE format('SELECT %I.create_parent(p_parent_table := $1, p_control := $2, p_type := $3, p_interval := $4, p_premake := $5)', partman)
            USING partman_parent, control,
                  CASE WHEN fitbot_partman.partman_major_version() >= 5 THEN 'range' ELSE 'native' END,
                  partition_interval::text, premake;
        changes := ARRAY['registered'];
    ELSE
        IF existing.control <> control THEN
            RAISE EXCEPTION 'table % is already registered with control column "%"', parent, existing.control
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = format('Call fitbot_partman.teardown(%L) first to register it again with another column; no data is dropped.', parent::text);
        END IF;
        IF existing.partition_interval <> partition_interval THEN
            RAISE EXCEPTION 'table % is already registered with partition interval %', parent, existing.partition_interval
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = 'Existing partitions cannot be re-cut to another interval in place.',
                      HINT = format('Register it with partition_interval => %L, or call fitbot_partman.teardown(%L) and partition a new table.',
                                    existing.partition_interval::text, parent::text);
        END IF;
        IF existing.premake <> premake THEN
            changes := changes || format('premake %s -> %s', existing.premake, premake);
        END IF;
        IF existing.retention::interval IS DISTINCT FROM retention THEN
            changes := changes || format('retention %s -> %s', coalesce(existing.retention, 'none'), coalesce(retention::text, 'none'));
        END IF;
        IF existing.retention_keep_table <> keep_table THEN
            changes := changes || format('keep_table %s -> %s', existing.retention_keep_table, keep_table);
        END IF;
        IF NOT existing.infinite_time_partitions THEN
            changes := changes || 'infinite_time_partitions false -> true'::text;
        END IF;
    END IF;

    -- Retention that really drops old partitions: pg_partman's default
    -- (retention_keep_table = true) only detaches them and keeps them on disk.
    -- infinite_time_partitions keeps premake partitions made ahead even when
    -- no new rows arrive.
    EXECUTE format('UPDATE %I.part_config
                    SET premake = $2, retention = $3, retention_keep_table = $4, retention_keep_index = $4,
                        infinite_time_partitions = true
                    WHERE parent_table = $1', partman)
        USING partman_parent, premake, retention::text, keep_table;

    IF cardinality(changes) = 0 THEN
        RETURN 'unchanged';
    ELSIF changes = ARRAY['registered'] THEN
        RETURN 'registered';
    END IF;
    RETURN 'updated: ' || array_to_string(changes, ', ');
END
$fn$;

COMMENT ON FUNCTION fitbot_partman.register_table(regclass, text, interval, integer, interval, boolean) IS
'Registers a range-partitioned time table with pg_partman (or updates its premake and retention); returns registered, updated: ..., or unchanged';

------------------------------------------------------------------------------
-- schedule_maintenance
------------------------------------------------------------------------------

-- Creates, updates or keeps the maintenance job; returns its id and what was done.
CREATE FUNCTION fitbot_partman.ensure_maintenance_job(schedule text, OUT jobid bigint, OUT action text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    normalized text := fitbot_partman.checked_schedule(schedule);
    command text := fitbot_partman.maintenance_command();
    existing record;
BEGIN
    CASE fitbot_partman.cron_location()
        WHEN 'not loaded' THEN
            PERFORM fitbot_partman.raise_cron_not_loaded();
        WHEN 'elsewhere' THEN
            RAISE EXCEPTION 'pg_cron runs jobs from database "%", not from "%"',
                            current_setting('cron.database_name'), current_database()
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = format('Connect to database %I and run: %s', current_setting('cron.database_name'),
                                    fitbot_partman.schedule_in_database_statement(normalized));
        WHEN 'installable' THEN
            CREATE EXTENSION pg_cron;
        ELSE
            NULL;
    END CASE;

    PERFORM fitbot_partman.lock_configuration();
    SELECT j.jobid, j.schedule, j.command, j.active, j.database INTO existing
    FROM cron.job j
    WHERE j.jobname = 'run_pg_partman_maintenance_monthly' AND j.username = current_user
    ORDER BY j.jobid LIMIT 1;

    IF existing IS NULL THEN
        jobid := cron.schedule('run_pg_partman_maintenance_monthly', normalized, command);
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
    END IF;
END
$fn$;

CREATE FUNCTION fitbot_partman.schedule_maintenance(schedule text DEFAULT '0 2 20 * *')
RETURNS bigint
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jobid FROM fitbot_partman.ensure_maintenance_job(schedule)
$$;

COMMENT ON FUNCTION fitbot_partman.schedule_maintenance(text) IS
'Schedules (or updates) the pg_cron job run_pg_partman_maintenance_monthly running pg_partman maintenance; returns the job id';

------------------------------------------------------------------------------
-- setup
------------------------------------------------------------------------------

CREATE FUNCTION fitbot_partman.setup(schedule text DEFAULT '0 2 20 * *')
RETURNS TABLE(step text, action text, detail text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    normalized text := fitbot_partman.checked_schedule(schedule);  -- before any change
    cron_where text := fitbot_partman.cron_location();
    outcome text;
    job record;
BEGIN
    IF cron_where = 'not loaded' THEN
        PERFORM fitbot_partman.raise_cron_not_loaded();
    END IF;
    PERFORM fitbot_partman.lock_configuration();

    step := 'table';
    IF to_regclass('public.heart_rate_readings') IS NULL THEN
        CREATE TABLE public.heart_rate_readings (
            user_id     bigint      NOT NULL,
            measured_at timestamptz NOT NULL,
            bpm         smallint    NOT NULL CONSTRAINT heart_rate_readings_bpm_range CHECK (bpm BETWEEN 20 AND 250),
            source      text        NOT NULL DEFAULT 'garmin',
            ingested_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT heart_rate_readings_pkey PRIMARY KEY (user_id, measured_at)
        ) PARTITION BY RANGE (measured_at);
        COMMENT ON TABLE public.heart_rate_readings IS
            'Heart-rate samples synced from Garmin; partitioned by month on measured_at by pg_partman (fitbot_partman.setup)';
        COMMENT ON COLUMN public.heart_rate_readings.user_id IS 'Chatbot user the sample belongs to';
        COMMENT ON COLUMN public.heart_rate_readings.measured_at IS 'When the device measured the sample';
        COMMENT ON COLUMN public.heart_rate_readings.bpm IS 'Beats per minute, 20..250; samples outside are sensor errors';
        COMMENT ON COLUMN public.heart_rate_readings.source IS 'Device or API the sample came from';
        COMMENT ON COLUMN public.heart_rate_readings.ingested_at IS 'When the chatbot stored the sample';
        action := 'created';
        detail := 'public.heart_rate_readings (user_id, measured_at, bpm, source, ingested_at), partitioned by range on measured_at; re-synced samples can be skipped with ON CONFLICT (user_id, measured_at) DO NOTHING';
    ELSE
        action := 'unchanged';
        detail := 'public.heart_rate_readings already exists';
    END IF;
    RETURN NEXT;

    step := 'partitioning';
    outcome := fitbot_partman.register_table('public.heart_rate_readings', 'measured_at', '1 month', 3, '1 year', false);
    action := split_part(outcome, ':', 1);
    detail := CASE action
        WHEN 'registered' THEN format('registered with pg_partman %s (schema %I): monthly partitions, 3 made ahead, older than 1 year dropped',
                                      (SELECT extversion FROM pg_extension WHERE extname = 'pg_partman'), fitbot_partman.partman_schema())
        WHEN 'unchanged' THEN 'already registered: monthly partitions, 3 made ahead, older than 1 year dropped'
        ELSE trim(split_part(outcome, ':', 2)) END;
    RETURN NEXT;

    step := 'schedule';
    IF cron_where = 'elsewhere' THEN
        action := 'manual';
        detail := format('pg_cron runs jobs from database %I; connect there and run: %s',
                         current_setting('cron.database_name'), fitbot_partman.schedule_in_database_statement(normalized));
    ELSE
        SELECT * INTO job FROM fitbot_partman.ensure_maintenance_job(normalized);
        action := job.action;
        detail := format('pg_cron job %s run_pg_partman_maintenance_monthly: %L runs %s (next run %s UTC)', job.jobid,
                         normalized, fitbot_partman.maintenance_command(),
                         to_char(fitbot_partman.next_run(normalized, now(), 'GMT') AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'));
    END IF;
    RETURN NEXT;
END
$fn$;

COMMENT ON FUNCTION fitbot_partman.setup(text) IS
'Creates public.heart_rate_readings if missing, partitions it monthly with pg_partman (3 ahead, 1 year kept) and schedules maintenance with pg_cron; idempotent';

------------------------------------------------------------------------------
-- teardown
------------------------------------------------------------------------------

CREATE FUNCTION fitbot_partman.teardown(parent regclass DEFAULT 'public.heart_rate_readings')
RETURNS TABLE(step text, action text, detail text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    partman name := fitbot_partman.partman_schema();
    partman_parent text := fitbot_partman.partman_parent_name(parent);
    template text;
    template_has_rows boolean;
    removed integer;
    remaining integer;
BEGIN
    PERFORM fitbot_partman.lock_configuration();

    step := 'partitioning';
    EXECUTE format('SELECT template_table FROM %I.part_config WHERE parent_table = $1', partman)
        INTO template USING partman_parent;
    EXECUTE format('DELETE FROM %I.part_config_sub WHERE sub_parent = $1', partman) USING partman_parent;
    EXECUTE format('DELETE FROM %I.part_config WHERE parent_table = $1', partman) USING partman_parent;
    GET DIAGNOSTICS removed = ROW_COUNT;
    action := CASE WHEN removed > 0 THEN 'removed' ELSE 'unchanged' END;
    detail := CASE WHEN removed > 0
        THEN format('%s is no longer maintained by pg_partman; the table and all its partitions and rows are kept', parent)
        ELSE format('%s was not registered with pg_partman', parent) END;
    RETURN NEXT;

    -- pg_partman 4.x keeps a template table per parent; it never holds
    -- readings, but keep it if someone put rows in it.
    IF template IS NOT NULL AND to_regclass(template) IS NOT NULL THEN
        step := 'template';
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', to_regclass(template)) INTO template_has_rows;
        IF template_has_rows THEN
            action := 'kept';
            detail := format('%s has rows, so it was left in place', to_regclass(template));
        ELSE
            EXECUTE format('DROP TABLE %s', to_regclass(template));
            action := 'dropped';
            detail := format('empty pg_partman template table %s', template);
        END IF;
        RETURN NEXT;
    END IF;

    step := 'schedule';
    EXECUTE format('SELECT count(*) FROM %I.part_config', partman) INTO remaining;
    IF fitbot_partman.cron_location() <> 'here' THEN
        action := 'unchanged';
        detail := 'pg_cron is not installed in this database';
    ELSIF remaining > 0 THEN
        action := 'kept';
        detail := format('%s other table(s) still registered with pg_partman need the maintenance job', remaining);
    ELSIF EXISTS (SELECT 1 FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly' AND username = current_user) THEN
        PERFORM cron.unschedule(jobid) FROM cron.job
        WHERE jobname = 'run_pg_partman_maintenance_monthly' AND username = current_user;
        action := 'unscheduled';
        detail := 'pg_cron job run_pg_partman_maintenance_monthly removed';
    ELSE
        action := 'unchanged';
        detail := 'no maintenance job was scheduled';
    END IF;
    RETURN NEXT;
END
$fn$;

COMMENT ON FUNCTION fitbot_partman.teardown(regclass) IS
'Removes the pg_partman registration and, when no registered table needs it, the maintenance job; never drops a table, partition or row';

------------------------------------------------------------------------------
-- Health (C++: catalogs and syscache only, never waits on a relation lock)
------------------------------------------------------------------------------

CREATE FUNCTION fitbot_partman.facts()
RETURNS json
AS 'MODULE_PATHNAME', 'fitbot_facts'
LANGUAGE C STABLE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.facts() IS
'Everything the health rules judge, read lock-free from the catalogs, as JSON (used by the fitbot-partman companion)';

CREATE FUNCTION fitbot_partman.partition_health(
    OUT parent regclass, OUT partition_interval interval, OUT premake integer, OUT retention interval,
    OUT partitions integer, OUT future_partitions integer, OUT runway_until timestamptz,
    OUT oldest_start timestamptz, OUT expired_partitions integer, OUT gaps integer,
    OUT default_rows bigint, OUT total_bytes bigint, OUT estimated_rows bigint,
    OUT detached_tables integer, OUT status text, OUT reasons text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fitbot_partition_health'
LANGUAGE C STABLE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.partition_health() IS
'One row per table in pg_partman''s config: partitions, runway, gaps, expired partitions, rows in default, status and reasons';

CREATE FUNCTION fitbot_partman.partitions(
    parent regclass,
    OUT partition_name text, OUT range_start timestamptz, OUT range_end timestamptz, OUT state text,
    OUT estimated_rows bigint, OUT bytes bigint, OUT locked boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fitbot_partitions'
LANGUAGE C STABLE STRICT
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.partitions(regclass) IS
'One row per partition of a pg_partman-managed table: range, state (past, current, future, expired, default), size and whether it was locked';

CREATE FUNCTION fitbot_partman.maintenance_status(
    OUT jobid bigint, OUT jobname text, OUT schedule text, OUT active boolean, OUT timezone text,
    OUT next_run timestamptz, OUT last_run_start timestamptz, OUT last_run_status text,
    OUT last_run_message text, OUT last_success timestamptz, OUT consecutive_failures integer,
    OUT status text, OUT reasons text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fitbot_maintenance_status'
LANGUAGE C STABLE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.maintenance_status() IS
'The pg_cron job(s) running pg_partman maintenance: schedule, next run, last run and status (a row with NULL jobid when none exists)';

CREATE FUNCTION fitbot_partman.check(OUT code integer, OUT status text, OUT summary text)
RETURNS record
AS 'MODULE_PATHNAME', 'fitbot_check'
LANGUAGE C STABLE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.check() IS
'Nagios-style verdict: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, with a one-line summary';

CREATE FUNCTION fitbot_partman.metrics()
RETURNS text
AS 'MODULE_PATHNAME', 'fitbot_metrics'
LANGUAGE C STABLE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION fitbot_partman.metrics() IS
'Partition and maintenance health as Prometheus text exposition (format 0.0.4)';

------------------------------------------------------------------------------
-- Privileges: changing things is for superusers (and whom they grant);
-- reading health is for pg_monitor.
------------------------------------------------------------------------------

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA fitbot_partman FROM PUBLIC;
GRANT USAGE ON SCHEMA fitbot_partman TO pg_monitor;
GRANT EXECUTE ON FUNCTION
    fitbot_partman.facts(),
    fitbot_partman.partition_health(),
    fitbot_partman.partitions(regclass),
    fitbot_partman.maintenance_status(),
    fitbot_partman.check(),
    fitbot_partman.metrics(),
    fitbot_partman.next_run(text, timestamptz, text),
    fitbot_partman.validate_schedule(text)
TO pg_monitor;
GRANT EXECUTE ON FUNCTION fitbot_partman.next_run(text, timestamptz, text), fitbot_partman.validate_schedule(text) TO PUBLIC;
