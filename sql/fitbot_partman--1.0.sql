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

-- Whether pg_cron's scheduler runs: it must be in shared_preload_libraries
-- (a cron.* setting in postgresql.conf proves nothing: PostgreSQL keeps it as
-- a placeholder even when the library is not loaded).
CREATE FUNCTION fitbot_partman.cron_preloaded()
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT current_setting('shared_preload_libraries') ~ '(^|[\s,"])pg_cron([\s,"]|$)'
$$;

-- Where pg_cron can schedule our job from this database:
--   'not loaded'  pg_cron is not in shared_preload_libraries: jobs never run
--   'here'        pg_cron is installed in this database
--   'installable' this is cron.database_name, but the extension is not created yet
--   'elsewhere'   pg_cron runs jobs from another database (cron.database_name)
CREATE FUNCTION fitbot_partman.cron_location()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN NOT fitbot_partman.cron_preloaded() THEN 'not loaded'
        WHEN EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN 'here'
        WHEN coalesce(current_setting('cron.database_name', true), 'postgres') = current_database() THEN 'installable'
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

-- The default partition of a partitioned table, or NULL.
CREATE FUNCTION fitbot_partman.default_partition(parent regclass)
RETURNS regclass
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.oid::regclass
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_partitioned_table p ON p.partrelid = i.inhparent
    WHERE i.inhparent = parent AND p.partdefid = c.oid
$$;

-- The table's columns, quoted and comma-separated, for copying rows by name.
CREATE FUNCTION fitbot_partman.column_list(parent regclass)
RETURNS text
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
    FROM pg_attribute WHERE attrelid = parent AND attnum > 0 AND NOT attisdropped
$$;

------------------------------------------------------------------------------
-- register_table
------------------------------------------------------------------------------

CREATE FUNCTION fitbot_partman.do_register_table(
    parent regclass,
    control text,
    partition_interval interval DEFAULT '1 month',
    premake integer DEFAULT 3,
    retention interval DEFAULT '1 year',
    keep_table boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET intervalstyle = 'postgres'  -- part_config stores intervals as text; store them readably
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
    old_default regclass;
    old_default_name name;
    column_list text;
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
        -- create_parent() creates <parent>_default unconditionally once it
        -- has made any partition, and fails if that table exists (a table
        -- registered before, torn down, and registered again). Set the
        -- existing default partition aside for the call, then put it back or
        -- move its rows through the parent; one transaction, nothing lost.
        old_default := fitbot_partman.default_partition(parent);
        old_default_name := (SELECT relname FROM pg_class WHERE oid = old_default);
        IF old_default IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', parent, old_default);
            EXECUTE format('ALTER TABLE %s RENAME TO %I', old_default, left(old_default_name, 40) || '_set_aside');
        END IF;

        EXECUTE format('SELECT %I.create_parent(p_parent_table := $1, p_control := $2, p_type := $3, p_interval := $4, p_premake := $5)', partman)
            USING partman_parent, control,
                  CASE WHEN fitbot_partman.partman_major_version() >= 5 THEN 'range' ELSE 'native' END,
                  partition_interval::text, premake;
        changes := ARRAY['registered'];

        IF old_default IS NOT NULL THEN
            IF fitbot_partman.default_partition(parent) IS NOT NULL THEN
                column_list := fitbot_partman.column_list(parent);
                EXECUTE format('INSERT INTO %s (%s) SELECT %s FROM %s', parent, column_list, column_list, old_default);
                EXECUTE format('DROP TABLE %s', old_default);
            ELSE
                EXECUTE format('ALTER TABLE %s RENAME TO %I', old_default, old_default_name);
                EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s DEFAULT', parent, old_default);
            END IF;
        END IF;
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

-- pg_partman's create_parent() sets search_path with set_config(..., false),
-- which outlives the SET clause of the function that called it (PostgreSQL
-- keeps a plain SET made inside such a function). The public entry points
-- below therefore carry no SET clause themselves -- they only call schema-
-- qualified functions -- and put the caller's search_path back afterwards.
CREATE FUNCTION fitbot_partman.register_table(
    parent regclass,
    control text,
    partition_interval interval DEFAULT '1 month',
    premake integer DEFAULT 3,
    retention interval DEFAULT '1 year',
    keep_table boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql
AS $fn$
DECLARE
    caller_search_path text := pg_catalog.current_setting('search_path');
    outcome text;
BEGIN
    outcome := fitbot_partman.do_register_table(parent, control, partition_interval, premake, retention, keep_table);
    PERFORM pg_catalog.set_config('search_path', caller_search_path, false);
    RETURN outcome;
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

CREATE FUNCTION fitbot_partman.do_setup(schedule text)
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
    outcome := fitbot_partman.do_register_table('public.heart_rate_readings'::text::regclass, 'measured_at', '1 month', 3, '1 year', false);
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

-- No SET clause here either: see register_table().
CREATE FUNCTION fitbot_partman.setup(schedule text DEFAULT '0 2 20 * *')
RETURNS TABLE(step text, action text, detail text)
LANGUAGE plpgsql
AS $fn$
DECLARE
    caller_search_path text := pg_catalog.current_setting('search_path');
BEGIN
    RETURN QUERY SELECT * FROM fitbot_partman.do_setup(schedule);
    PERFORM pg_catalog.set_config('search_path', caller_search_path, false);
END
$fn$;

COMMENT ON FUNCTION fitbot_partman.setup(text) IS
'Creates public.heart_rate_readings if missing, partitions it monthly with pg_partman (3 ahead, 1 year kept) and schedules maintenance with pg_cron; idempotent';

------------------------------------------------------------------------------
-- teardown
------------------------------------------------------------------------------

CREATE FUNCTION fitbot_partman.teardown(parent regclass)
RETURNS TABLE(step text, action text, detail text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    partman name := fitbot_partman.partman_schema();
    partman_parent text := fitbot_partman.partman_parent_name(parent);
    template text;
    template_table regclass;
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

-- teardown() without an argument means the readings table. (A regclass
-- DEFAULT would be resolved when the extension is created, before the table
-- exists, and would make the function depend on it.)
CREATE FUNCTION fitbot_partman.teardown()
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

------------------------------------------------------------------------------
-- rescue_default: move rows stranded in the default partition where they belong
------------------------------------------------------------------------------

CREATE FUNCTION fitbot_partman.rescue_default(parent regclass, batch_rows integer DEFAULT 10000)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    partman name := fitbot_partman.partman_schema();
    config record;
    parent_schema name;
    parent_table name;
    default_partition regclass;
    columns text;
    grid_start timestamptz;
    lowest timestamptz;
    highest timestamptz;
    range_start timestamptz;
    range_end timestamptz;
    steps integer := 0;
    new_partition text;
    moved bigint;
    moved_here bigint;
    total bigint := 0;
    stranded bigint;
BEGIN
    IF batch_rows IS NULL OR batch_rows < 1 THEN
        RAISE EXCEPTION 'batch_rows must be at least 1, not %', coalesce(batch_rows::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Rows are moved in batches of this size; 10000 is a good start.';
    END IF;
    SELECT n.nspname, c.relname INTO parent_schema, parent_table
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent;
    EXECUTE format('SELECT control, partition_interval::interval AS step, datetime_string FROM %I.part_config WHERE parent_table = $1', partman)
        INTO config USING parent_schema || '.' || parent_table;
    IF config IS NULL THEN
        RAISE EXCEPTION 'table % is not managed by pg_partman', parent
            USING ERRCODE = 'undefined_object', HINT = 'Register it first with fitbot_partman.register_table().';
    END IF;

    default_partition := fitbot_partman.default_partition(parent);
    IF default_partition IS NULL THEN
        RAISE NOTICE '% has no default partition; nothing to rescue', parent;
        RETURN 0;
    END IF;

    -- Writers wait while rows move, so none can land in the default
    -- partition behind us; readers go on.
    EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', default_partition);
    EXECUTE format('SELECT min(%1$I), max(%1$I), count(*) FROM %2$s', config.control, default_partition)
        INTO lowest, highest, stranded;
    IF stranded = 0 THEN
        RAISE NOTICE 'the default partition % is empty; nothing to rescue', default_partition;
        RETURN 0;
    END IF;
    RAISE NOTICE '% rows in % between % and %', stranded, default_partition, lowest, highest;

    columns := fitbot_partman.column_list(parent);

    -- Walk pg_partman's grid: partition bounds are the existing lower bounds
    -- plus or minus whole intervals.
    SELECT min((regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz)
    INTO grid_start
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = parent;
    grid_start := coalesce(grid_start, date_trunc('month', lowest));
    range_start := grid_start;
    WHILE range_start > lowest LOOP
        range_start := range_start - config.step;
        steps := steps + 1;
        IF steps > 100000 THEN
            RAISE EXCEPTION 'rows in % lie too far from the existing partitions (oldest %)', default_partition, lowest
                USING ERRCODE = 'program_limit_exceeded',
                      HINT = 'Move or delete rows with absurd timestamps by hand first, then run rescue_default again.';
        END IF;
    END LOOP;

    WHILE range_start <= highest LOOP
        range_end := range_start + config.step;
        steps := steps + 1;
        IF steps > 100000 THEN
            RAISE EXCEPTION 'rows in % lie too far from the existing partitions (newest %)', default_partition, highest
                USING ERRCODE = 'program_limit_exceeded',
                      HINT = 'Move or delete rows with absurd timestamps by hand first, then run rescue_default again.';
        END IF;
        EXECUTE format('SELECT count(*) FROM %s WHERE %I >= $1 AND %I < $2', default_partition, config.control, config.control)
            INTO moved_here USING range_start, range_end;
        IF moved_here > 0 THEN
            new_partition := format('%I.%I', parent_schema,
                                    left(parent_table, 63 - length('_p' || to_char(range_start, coalesce(config.datetime_string, 'YYYY_MM_DD'))))
                                    || '_p' || to_char(range_start, coalesce(config.datetime_string, 'YYYY_MM_DD')));
            EXECUTE format('CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)',
                           new_partition, parent);
            moved_here := 0;
            LOOP
                EXECUTE format('WITH batch AS (DELETE FROM %1$s WHERE ctid = ANY (ARRAY(SELECT ctid FROM %1$s WHERE %2$I >= $1 AND %2$I < $2 LIMIT $3)) RETURNING %3$s)
                                INSERT INTO %4$s (%3$s) SELECT %3$s FROM batch',
                               default_partition, config.control, columns, new_partition)
                    USING range_start, range_end, batch_rows;
                GET DIAGNOSTICS moved = ROW_COUNT;
                EXIT WHEN moved = 0;
                moved_here := moved_here + moved;
                total := total + moved;
                RAISE NOTICE 'moved % rows into % (% of % done)', moved, new_partition, total, stranded;
            END LOOP;
            EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%L) TO (%L)',
                           parent, new_partition, range_start, range_end);
            RAISE NOTICE 'attached % for [%, %) with % rows', new_partition, range_start, range_end, moved_here;
        END IF;
        range_start := range_end;
    END LOOP;

    RAISE NOTICE 'rescued % rows from %', total, default_partition;
    RETURN total;
END
$fn$;

COMMENT ON FUNCTION fitbot_partman.rescue_default(regclass, integer) IS
'Creates the partitions missing for rows in the default partition and moves those rows there in batches, in one transaction; returns the rows moved';

------------------------------------------------------------------------------
-- preflight: will the 20th actually work?
------------------------------------------------------------------------------

CREATE FUNCTION fitbot_partman.preflight()
RETURNS TABLE(check_name text, ok boolean, detail text, hint text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    cron_where text := fitbot_partman.cron_location();
    cron_database text := CASE WHEN fitbot_partman.cron_preloaded()
                               THEN coalesce(current_setting('cron.database_name', true), 'postgres') END;
    preload text := current_setting('shared_preload_libraries');
    job record;
    job_user text := current_user;
    cron_zone text := coalesce(current_setting('cron.timezone', true), 'GMT');
    background_workers boolean := coalesce(current_setting('cron.use_background_workers', true), 'off')::boolean;
    cron_host text := coalesce(current_setting('cron.host', true), 'localhost');
    via_socket boolean;
    hba record;
    failures bigint;
    next_fire timestamptz;
    registered bigint;
BEGIN
    check_name := 'pg_cron preloaded';
    ok := fitbot_partman.cron_preloaded();
    detail := format('shared_preload_libraries = %L', preload);
    hint := CASE WHEN ok THEN NULL ELSE format(
        'Run ALTER SYSTEM SET shared_preload_libraries = %L; ALTER SYSTEM SET cron.database_name = %L; then restart PostgreSQL. Until then pg_cron silently runs nothing.',
        concat_ws(', ', nullif(preload, ''), 'pg_cron'), current_database()) END;
    RETURN NEXT;

    check_name := 'cron.database_name';
    ok := cron_database = current_database();
    detail := CASE WHEN cron_database IS NULL THEN 'not set (pg_cron is not loaded)'
                   ELSE format('pg_cron runs jobs from database %I; this is %I', cron_database, current_database()) END;
    hint := CASE WHEN ok THEN NULL
                 WHEN cron_database IS NULL THEN 'Load pg_cron first (see "pg_cron preloaded").'
                 ELSE format('Schedule maintenance from database %I: %s', cron_database,
                             fitbot_partman.schedule_in_database_statement('0 2 20 * *')) END;
    RETURN NEXT;

    check_name := 'pg_cron extension';
    ok := cron_where = 'here';
    detail := CASE cron_where WHEN 'here' THEN format('pg_cron %s is installed in this database',
                                                      (SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'))
                              WHEN 'installable' THEN 'pg_cron is loaded but CREATE EXTENSION pg_cron has not run here'
                              ELSE 'pg_cron is not installed in this database' END;
    hint := CASE WHEN ok THEN NULL WHEN cron_where = 'installable'
                 THEN 'Run SELECT * FROM fitbot_partman.setup(); it creates the extension and the job.' ELSE NULL END;
    RETURN NEXT;

    SELECT NULL::bigint AS jobid, NULL::text AS jobname, NULL::text AS schedule, NULL::boolean AS active,
           NULL::text AS username INTO job;
    IF cron_where = 'here' THEN
        SELECT j.jobid, j.jobname::text, j.schedule, j.active, j.username::text INTO job
        FROM cron.job j
        WHERE j.command ~* 'run_maintenance' AND j.database = current_database()
        ORDER BY j.active DESC, j.jobid LIMIT 1;
    END IF;
    check_name := 'maintenance job';
    ok := job.jobid IS NOT NULL AND job.active;
    detail := CASE WHEN job.jobid IS NULL THEN 'no pg_cron job runs pg_partman maintenance for this database'
                   ELSE format('job %s %s runs %L as %I, %s', job.jobid, coalesce(job.jobname, '(unnamed)'), job.schedule,
                               job.username, CASE WHEN job.active THEN 'active' ELSE 'INACTIVE' END) END;
    hint := CASE WHEN ok THEN NULL ELSE 'Run SELECT fitbot_partman.schedule_maintenance(); it creates or re-activates the job.' END;
    RETURN NEXT;
    job_user := coalesce(job.username, current_user);

    check_name := 'job connections';
    via_socket := left(cron_host, 1) = '/';
    IF background_workers THEN
        ok := current_setting('max_worker_processes')::int >= 8;
        detail := format('cron.use_background_workers = on: jobs run in background workers (max_worker_processes = %s)',
                         current_setting('max_worker_processes'));
        hint := CASE WHEN ok THEN NULL ELSE 'Raise max_worker_processes so jobs find a free background worker.' END;
    ELSIF via_socket THEN
        ok := cron_host = ANY (string_to_array(replace(current_setting('unix_socket_directories'), ' ', ''), ','));
        detail := format('pg_cron connects through the Unix socket in %s (unix_socket_directories = %L)',
                         cron_host, current_setting('unix_socket_directories'));
        hint := CASE WHEN ok THEN NULL ELSE 'Set cron.host to one of unix_socket_directories, or to a host PostgreSQL listens on.' END;
    ELSE
        ok := current_setting('listen_addresses') <> ''
              AND (current_setting('listen_addresses') ~ '(^|,)\s*\*\s*(,|$)'
                   OR (cron_host IN ('localhost', '127.0.0.1', '::1')
                       AND current_setting('listen_addresses') ~ '(localhost|127\.0\.0\.1|::1)')
                   OR position(cron_host IN current_setting('listen_addresses')) > 0);
        detail := format('pg_cron connects to cron.host = %L port %s; listen_addresses = %L',
                         cron_host, current_setting('port'), current_setting('listen_addresses'));
        hint := CASE WHEN ok THEN NULL ELSE format(
            'PostgreSQL does not listen where pg_cron connects: add %s to listen_addresses, set cron.host to a socket directory such as %L, or set cron.use_background_workers = on; jobs otherwise fail with "connection failed".',
            cron_host, split_part(current_setting('unix_socket_directories'), ',', 1)) END;
    END IF;
    RETURN NEXT;

    IF NOT background_workers THEN
        check_name := 'pg_hba for job user';
        SELECT r.line_number, r.type, r.auth_method INTO hba
        FROM pg_hba_file_rules r
        WHERE r.error IS NULL
          AND (CASE WHEN via_socket THEN r.type = 'local' ELSE r.type LIKE 'host%' END)
          AND (r.database && ARRAY['all', current_database()::text] OR ('sameuser' = ANY (r.database) AND job_user = current_database()::text))
          AND (r.user_name && ARRAY['all', job_user]::text[])
          AND (via_socket OR r.address IS NULL OR r.address IN ('127.0.0.1', '::1', 'localhost', 'all', 'samehost')
               OR (r.address ~ '^127\.' OR r.address = '0.0.0.0'))
        ORDER BY r.line_number LIMIT 1;
        ok := hba.line_number IS NOT NULL AND hba.auth_method IN ('trust', 'peer', 'cert', 'ident')
              AND (hba.auth_method <> 'peer' OR job_user = 'postgres');
        detail := CASE WHEN hba.line_number IS NULL
                       THEN format('no pg_hba.conf line matches user %I connecting to %I over %s', job_user, current_database(),
                                   CASE WHEN via_socket THEN 'the Unix socket' ELSE 'TCP' END)
                       ELSE format('pg_hba.conf line %s (%s, %s) matches user %I', hba.line_number, hba.type, hba.auth_method, job_user) END;
        hint := CASE WHEN ok THEN NULL
                     WHEN hba.auth_method IN ('md5', 'scram-sha-256', 'password')
                     THEN 'pg_cron connects without a password: give the server''s OS user a ~/.pgpass entry for this user, or set cron.use_background_workers = on.'
                     ELSE format('Add a pg_hba.conf line that lets %I connect to %I from pg_cron (e.g. "local %s %s peer" when the job runs as the server''s OS user), then SELECT pg_reload_conf().',
                                 job_user, current_database(), current_database(), job_user) END;
        RETURN NEXT;
    END IF;

    check_name := 'recent job failures';
    IF cron_where = 'here' THEN
        SELECT count(*) INTO failures FROM cron.job_run_details d JOIN cron.job j USING (jobid)
        WHERE j.command ~* 'run_maintenance' AND d.status = 'failed' AND d.start_time > now() - interval '90 days';
        ok := failures = 0;
        detail := format('%s failed maintenance run(s) in the last 90 days%s', failures,
                         coalesce(': last said ' || (SELECT quote_literal(left(d.return_message, 200)) FROM cron.job_run_details d JOIN cron.job j USING (jobid)
                                                    WHERE j.command ~* 'run_maintenance' AND d.status = 'failed'
                                                    ORDER BY d.start_time DESC LIMIT 1), ''));
        hint := CASE WHEN ok THEN NULL ELSE 'See SELECT * FROM cron.job_run_details ORDER BY start_time DESC; "connection failed" means the checks above need fixing.' END;
    ELSE
        ok := NULL;
        detail := 'pg_cron is not installed in this database';
        hint := NULL;
    END IF;
    RETURN NEXT;

    check_name := 'schedule time zone';
    next_fire := fitbot_partman.next_run(coalesce(job.schedule, '0 2 20 * *'), now(), cron_zone);
    ok := to_char(next_fire, 'HH24:MI') = to_char(next_fire AT TIME ZONE 'UTC', 'HH24:MI')
          OR cron_zone NOT IN ('GMT', 'UTC');
    detail := format('pg_cron evaluates %L in %s: next run %s UTC, which is %s in this database''s TimeZone (%s)',
                     coalesce(job.schedule, '0 2 20 * *'), cron_zone,
                     to_char(next_fire AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
                     to_char(next_fire, 'YYYY-MM-DD HH24:MI'), current_setting('TimeZone'));
    hint := CASE WHEN ok THEN NULL ELSE
        'Write the schedule in UTC (pg_cron 1.4 has no cron.timezone): for 02:00 local time subtract the UTC offset, or upgrade to pg_cron 1.5+ and set cron.timezone.' END;
    RETURN NEXT;

    check_name := 'pg_partman';
    ok := true;
    detail := format('pg_partman %s in schema %I (%s API)', (SELECT extversion FROM pg_extension WHERE extname = 'pg_partman'),
                     fitbot_partman.partman_schema(),
                     CASE WHEN fitbot_partman.partman_major_version() >= 5 THEN '5.x' ELSE '4.x' END);
    hint := NULL;
    RETURN NEXT;

    check_name := 'registered tables';
    EXECUTE format('SELECT count(*) FROM %I.part_config', fitbot_partman.partman_schema()) INTO registered;
    ok := registered > 0;
    detail := format('%s table(s) registered with pg_partman', registered);
    hint := CASE WHEN ok THEN NULL ELSE 'Run SELECT * FROM fitbot_partman.setup();' END;
    RETURN NEXT;
END
$fn$;

COMMENT ON FUNCTION fitbot_partman.preflight() IS
'Diagnoses the set-up before the 20th comes: pg_cron loaded, its database, job connections, pg_hba, time zone, pg_partman, the job';

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
