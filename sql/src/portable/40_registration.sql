-- register_table(): hands a range-partitioned time table to pg_partman.

CREATE OR REPLACE FUNCTION fitbot_partman_internal.do_register_table(
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
    IF partition_interval <= interval '0' THEN
        RAISE EXCEPTION 'partition_interval must be positive, not %', partition_interval
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use an interval such as ''1 month'' or ''1 day''.';
    END IF;
    IF retention IS NOT NULL AND retention <= interval '0' THEN
        RAISE EXCEPTION 'retention must be positive, not %', retention
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use an interval such as ''1 year'', or NULL to keep every partition.';
    END IF;

    PERFORM fitbot_partman_internal.lock_configuration();
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
        old_default := fitbot_partman_internal.default_partition(parent);
        old_default_name := (SELECT relname FROM pg_class WHERE oid = old_default);
        IF old_default IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', parent, old_default);
            EXECUTE format('ALTER TABLE %s RENAME TO %I', old_default, left(old_default_name, 40) || '_set_aside');
        END IF;

        EXECUTE format('SELECT %I.create_parent(p_parent_table := $1, p_control := $2, p_type := $3, p_interval := $4, p_premake := $5)', partman)
            USING partman_parent, control,
                  CASE WHEN fitbot_partman_internal.partman_major_version() >= 5 THEN 'range' ELSE 'native' END,
                  partition_interval::text, premake;
        changes := ARRAY['registered'];

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
CREATE OR REPLACE FUNCTION fitbot_partman.register_table(
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
    outcome := fitbot_partman_internal.do_register_table(parent, control, partition_interval, premake, retention, keep_table);
    PERFORM pg_catalog.set_config('search_path', caller_search_path, false);
    RETURN outcome;
END
$fn$;

COMMENT ON FUNCTION fitbot_partman.register_table(regclass, text, interval, integer, interval, boolean) IS
'Registers a range-partitioned time table with pg_partman (or updates its premake and retention); returns registered, updated: ..., or unchanged';
