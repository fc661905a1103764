-- register_table(): hands a range-partitioned time table to pg_partman.
--
-- An argument left out keeps the table's registered value (a new table gets
-- the documented default): changing premake alone must never change
-- retention, and deleting data starts only when asked for. NULL means "not
-- given" for every argument but retention, where NULL has always meant "keep
-- every partition forever"; retention's default is therefore a value no
-- caller can mean (a negative interval, refused when passed otherwise), so
-- that 1.0 calls -- positional or named, with or without retention => NULL --
-- keep their meaning.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.do_register_table(
    parent regclass,
    control text,
    partition_interval interval,  -- NULL: registered value, or 1 month
    premake integer,              -- NULL: registered value, or 3
    retention interval,           -- NULL: keep forever
    retention_given boolean,      -- false: retention is the registered value, or 1 year
    keep_table boolean)           -- NULL: registered value, or false
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET intervalstyle = 'postgres'  -- part_config stores intervals as text; store them readably
SET DateStyle = 'ISO, YMD'      -- bounds and start partitions pass through text
AS $fn$
DECLARE
    partman name := fitbot_partman_internal.partman_schema();
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
    notes text[] := '{}';
    old_default regclass;
    old_default_name name;
    column_list text;
    prepared record;
    extra record;
    wide record;
BEGIN
    IF parent IS NULL OR control IS NULL OR retention_given IS NULL THEN
        RAISE EXCEPTION 'parent and control must not be null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the partitioned table and its time column; leave other arguments out to keep their registered (or default) values.';
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
                  HINT = CASE WHEN parent_kind = 'r'
                              THEN format('Partition it online, keeping its rows: CALL fitbot_partman.adopt_table(%L, %L);',
                                          parent::text, control)
                              ELSE 'Create the table with PARTITION BY RANGE on its time column, then register it.' END;
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
    IF position('''' in parent_schema) > 0 OR position('''' in parent_table) > 0 THEN
        -- pg_partman 4.x and 5.x put such names into SQL text unquoted in
        -- places, and then every maintenance run fails.
        RAISE EXCEPTION 'table % has a single quote in its name', parent
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = 'pg_partman cannot maintain a table whose schema or name contains a single quote.',
                  HINT = 'Rename the table or schema without the quote, then register it.';
    END IF;
    IF premake < 1 THEN
        RAISE EXCEPTION 'premake must be at least 1, not %', premake
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'premake is how many partitions are kept ready ahead of now; 3 keeps three months ahead with a monthly interval.';
    END IF;
    -- Each partition made ahead is created under a lock on the parent; a
    -- huge premake held ACCESS EXCLUSIVE past lock_timeout for seconds.
    IF premake > 1000 THEN
        RAISE EXCEPTION 'premake must be at most %, not %', 1000, premake
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'premake is how many partitions are kept ready ahead of now; a few are enough, since every maintenance run makes the next ones.';
    END IF;
    IF partition_interval <= interval '0' THEN
        RAISE EXCEPTION 'partition_interval must be positive, not %', partition_interval
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use an interval such as ''1 month'' or ''1 day''.';
    END IF;
    IF retention_given AND retention IS NOT NULL AND retention <= interval '0' THEN
        RAISE EXCEPTION 'retention must be positive, not %', retention
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use an interval such as ''1 year'', NULL to keep every partition, or leave it out to keep the registered value.';
    END IF;

    PERFORM fitbot_partman_internal.lock_configuration();
    partman_parent := parent_schema || '.' || parent_table;
    EXECUTE format('SELECT control, partition_interval::interval AS partition_interval, premake, retention,
                           retention_keep_table, retention_keep_index, infinite_time_partitions
                    FROM %I.part_config WHERE parent_table = $1', partman)
        INTO existing USING partman_parent;

    IF existing IS NULL THEN
        partition_interval := coalesce(partition_interval, interval '1 month');
        PERFORM fitbot_partman_internal.check_runway_bound(coalesce(premake, 3), partition_interval);
        premake := coalesce(premake, 3);
        keep_table := coalesce(keep_table, false);
        prepared := fitbot_partman_internal.prepare_existing_partitions(parent, partition_interval);
        notes := prepared.notes;
        IF NOT retention_given THEN
            -- Partitions that exist hold rows that were kept so far: deleting
            -- them must be asked for.
            retention := CASE WHEN prepared.start_partition IS NULL THEN interval '1 year' END;
            IF prepared.start_partition IS NOT NULL THEN
                notes := notes || 'retention none: the existing partitions are kept (pass retention => ''1 year'' to drop older ones)'::text;
            END IF;
        END IF;
        PERFORM fitbot_partman_internal.check_partition_names(
            parent, partition_interval, fitbot_partman_internal.planned_partitions(partition_interval, premake, prepared.start_partition));

        -- create_parent() creates <parent>_default unconditionally once it
        -- has made any partition, and fails if that table exists (a table
        -- registered before, torn down, and registered again). Set the
        -- existing default partition aside for the call, then put it back or
        -- move its rows through the parent; one transaction, nothing lost.
        old_default := fitbot_partman_internal.default_partition(parent);
        old_default_name := (SELECT relname FROM pg_class WHERE oid = old_default);
        IF old_default IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', parent, old_default);
            EXECUTE format('ALTER TABLE %s RENAME TO %I', old_default, left(old_default_name, 40) || '_set_aside');
        END IF;

        EXECUTE format('SELECT %I.create_parent(p_parent_table := $1, p_control := $2, p_type := $3, p_interval := $4, p_premake := $5, p_start_partition := $6)', partman)
            USING partman_parent, control,
                  CASE WHEN fitbot_partman_internal.partman_major_version() >= 5 THEN 'range' ELSE 'native' END,
                  partition_interval::text, premake, prepared.start_partition::text;
        changes := ARRAY['registered'];
        -- create_parent() always makes its first partition. Where the
        -- existing ones already reach premake intervals ahead, that one would
        -- put the runway an interval past what maintenance keeps (and it
        -- would not re-make it if dropped); it is new, empty and not yet
        -- visible to anyone else: drop it, maintenance makes it when due.
        IF prepared.start_partition IS NOT NULL AND prepared.start_partition >= now() + partition_interval * premake THEN
            FOR extra IN
                SELECT c.oid::regclass AS rel
                FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = parent AND c.oid IS DISTINCT FROM fitbot_partman_internal.default_partition(parent)
                  AND (SELECT (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1])::timestamptz >= prepared.start_partition
            LOOP
                EXECUTE format('DROP TABLE %s', extra.rel);
            END LOOP;
        END IF;

        IF old_default IS NOT NULL THEN
            IF fitbot_partman_internal.default_partition(parent) IS NOT NULL THEN
                column_list := fitbot_partman_internal.column_list(parent);
                EXECUTE format('INSERT INTO %s (%s) SELECT %s FROM %s', parent, column_list, column_list, old_default);
                EXECUTE format('DROP TABLE %s', old_default);
            ELSE
                EXECUTE format('ALTER TABLE %s RENAME TO %I', old_default, old_default_name);
                EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s DEFAULT', parent, old_default);
            END IF;
        END IF;
        EXECUTE format('UPDATE %I.part_config
                        SET premake = $2, retention = $3, retention_keep_table = $4, retention_keep_index = $4,
                            infinite_time_partitions = true
                        WHERE parent_table = $1', partman)
            USING partman_parent, premake, retention::text, keep_table;
        IF prepared.wide_start IS NOT NULL THEN
            PERFORM fitbot_partman_internal.hold_retention_for_wide_partition(
                parent, prepared.wide_start, prepared.wide_end, retention, keep_table);
            IF retention IS NOT NULL THEN
                notes := notes || format('retention %s held in fitbot_partman.wide_partitions, pg_partman''s retention is none until the wide partition is gone',
                                         retention);
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
                      HINT = format('Register it with partition_interval => %L (or leave it out), or call fitbot_partman.teardown(%L) and partition a new table.',
                                    existing.partition_interval::text, parent::text);
        END IF;
        partition_interval := existing.partition_interval;
        IF premake IS NOT NULL THEN
            PERFORM fitbot_partman_internal.check_runway_bound(premake, partition_interval);
        END IF;
        premake := coalesce(premake, existing.premake);
        -- While an adopted wide partition exists, the retention in force is
        -- the one held for it; pg_partman's stays NULL.
        SELECT w.retention, w.keep_table, w.range_start, w.range_end INTO wide
        FROM fitbot_partman_internal.wide_partition_of(parent) w;
        IF wide.range_start IS NOT NULL THEN
            existing.retention := wide.retention::text;
            existing.retention_keep_table := wide.keep_table;
        END IF;
        IF NOT retention_given THEN
            retention := existing.retention::interval;
        END IF;

        IF existing.premake <> premake THEN
            changes := changes || format('premake %s -> %s', existing.premake, premake);
        END IF;
        IF existing.retention::interval IS DISTINCT FROM retention THEN
            changes := changes || format('retention %s -> %s%s', coalesce(existing.retention, 'none'), coalesce(retention::text, 'none'),
                                         CASE WHEN wide.range_start IS NOT NULL THEN ' (held in fitbot_partman.wide_partitions until the wide partition is gone)' ELSE '' END);
        END IF;
        IF keep_table IS NOT NULL AND existing.retention_keep_table <> keep_table THEN
            changes := changes || format('keep_table %s -> %s', existing.retention_keep_table, keep_table);
        END IF;
        IF keep_table IS NOT NULL AND existing.retention_keep_index <> keep_table THEN
            changes := changes || format('retention_keep_index %s -> %s', existing.retention_keep_index, keep_table);
        END IF;
        IF NOT existing.infinite_time_partitions THEN
            changes := changes || 'infinite_time_partitions false -> true'::text;
        END IF;
        -- Retention that really drops old partitions: pg_partman's default
        -- (retention_keep_table = true) only detaches them and keeps them on
        -- disk; it changes only when asked. infinite_time_partitions keeps
        -- premake partitions made ahead even when no new rows arrive.
        EXECUTE format('UPDATE %I.part_config
                        SET premake = $2, retention = $3,
                            retention_keep_table = coalesce($4, retention_keep_table),
                            retention_keep_index = coalesce($4, retention_keep_index),
                            infinite_time_partitions = true
                        WHERE parent_table = $1', partman)
            USING partman_parent, premake, retention::text, keep_table;
        IF wide.range_start IS NOT NULL THEN
            PERFORM fitbot_partman_internal.hold_retention_for_wide_partition(
                parent, wide.range_start, wide.range_end, retention, coalesce(keep_table, wide.keep_table));
        END IF;
    END IF;

    PERFORM fitbot_partman_internal.warn_short_runway(parent, premake, partition_interval);

    IF cardinality(changes) = 0 THEN
        RETURN 'unchanged';
    ELSIF changes = ARRAY['registered'] THEN
        RETURN 'registered' || coalesce(': ' || nullif(array_to_string(notes, '; '), ''), '');
    END IF;
    RETURN 'updated: ' || array_to_string(changes, ', ');
END
$fn$;

-- premake partitions ahead of now must stay a runway of years, not
-- centuries: the first run would create them all under the parent's lock.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.check_runway_bound(premake integer, step interval)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF step * premake > interval '20 years' THEN
        RAISE EXCEPTION 'premake % with partition interval % makes partitions more than % ahead', premake, step, '20 years'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = format('Use premake %s or less with this interval (or a shorter interval); every maintenance run makes the next partitions.',
                                coalesce((SELECT max(n) FROM generate_series(1, 1000) n WHERE step * n <= interval '20 years'), 0));
    END IF;
END
$fn$;

-- A runway (the last partition's end) that ends before the next scheduled
-- run means rows will land in the default partition before maintenance makes
-- their partition, and health reads CRITICAL: say so at registration.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.warn_short_runway(parent regclass, premake integer, step interval)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    runway_until timestamptz := (SELECT max(r.range_end) FROM fitbot_partman_internal.partition_ranges(parent) r);
    schedule text := fitbot_partman_internal.maintenance_setting('job_schedule');
    next_run timestamptz;
BEGIN
    IF runway_until IS NULL OR schedule IS NULL
       OR to_regprocedure('fitbot_partman.next_run(text, timestamptz, text, text)') IS NULL THEN
        RETURN;  -- no calendar to judge by (agentless installs have no next_run())
    END IF;
    EXECUTE 'SELECT fitbot_partman.next_run($1, now())' INTO next_run USING schedule;
    IF runway_until < next_run THEN
        RAISE WARNING 'the partitions of % end before the next scheduled maintenance run', parent
            USING DETAIL = format('They end at %s, the run is at %s (%L); premake %s x %s is too short. Rows after the last partition go to the default partition, and health reports CRITICAL until the run.',
                                  runway_until, next_run, schedule, premake, step),
                  HINT = format('Raise premake (fitbot_partman.register_table(%L, %L, premake => ...)), or schedule maintenance more often.',
                                parent::text, (SELECT a.attname FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] WHERE p.partrelid = parent));
    END IF;
END
$fn$;

-- pg_partman's create_parent() sets search_path with set_config(..., false),
-- which outlives the SET clause of the function that called it (PostgreSQL
-- keeps a plain SET made inside such a function). The public entry points
-- below therefore carry no SET clause themselves -- they only call schema-
-- qualified functions -- and put the caller's search_path back afterwards.
CREATE OR REPLACE FUNCTION fitbot_partman.register_table(
    parent regclass,
    control text,
    partition_interval interval DEFAULT NULL,
    premake integer DEFAULT NULL,
    retention interval DEFAULT interval '-1 microsecond',
    keep_table boolean DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
AS $fn$
DECLARE
    caller_search_path text := pg_catalog.current_setting('search_path');
    retention_given boolean := retention IS DISTINCT FROM interval '-1 microsecond';
    outcome text;
BEGIN
    outcome := fitbot_partman_internal.do_register_table(
        parent, control, partition_interval, premake, CASE WHEN retention_given THEN retention END, retention_given, keep_table);
    PERFORM pg_catalog.set_config('search_path', caller_search_path, false);
    RETURN outcome;
END
$fn$;

COMMENT ON FUNCTION fitbot_partman.register_table(regclass, text, interval, integer, interval, boolean) IS
'Registers a range-partitioned time table with pg_partman (keeping existing partitions), or changes the settings given; an argument left out keeps its registered value (new tables: 1 month, premake 3, retention 1 year, or none when partitions exist); retention => NULL keeps every partition; returns registered, updated: ..., or unchanged';

-- How pg_partman maintains a registered table, in words (setup() says it).
CREATE OR REPLACE FUNCTION fitbot_partman_internal.registration_summary(parent regclass)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET intervalstyle = 'postgres'
AS $fn$
DECLARE
    config record;
    wide record;
BEGIN
    EXECUTE format('SELECT partition_interval::interval AS step, premake, retention::interval AS retention, retention_keep_table
                    FROM %I.part_config WHERE parent_table = $1', fitbot_partman_internal.partman_schema())
        INTO config USING fitbot_partman_internal.partman_parent_name(parent);
    SELECT * INTO wide FROM fitbot_partman_internal.wide_partition_of(parent);
    IF wide.wide_partition IS NOT NULL THEN
        RETURN format('%s partitions, %s made ahead, %s; oldest partition %s is wide: pg_partman''s retention is off until run_maintenance() has expired it',
                      CASE config.step WHEN interval '1 month' THEN 'monthly' ELSE config.step::text END, config.premake,
                      CASE WHEN wide.retention IS NULL THEN 'every partition kept'
                           WHEN wide.keep_table THEN format('older than %s detached (kept as tables)', wide.retention)
                           ELSE format('older than %s dropped', wide.retention) END,
                      wide.wide_partition);
    END IF;
    RETURN format('%s partitions, %s made ahead, %s',
                  CASE config.step WHEN interval '1 month' THEN 'monthly' ELSE config.step::text END, config.premake,
                  CASE WHEN config.retention IS NULL THEN 'every partition kept'
                       WHEN config.retention_keep_table THEN format('older than %s detached (kept as tables)', config.retention)
                       ELSE format('older than %s dropped', config.retention) END);
END
$fn$;
