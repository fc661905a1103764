-- rescue_default(): moves rows stranded in the default partition where they belong.

CREATE OR REPLACE FUNCTION fitbot_partman.rescue_default(parent regclass, batch_rows integer DEFAULT 10000)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    partman name := fitbot_partman_internal.partman_schema();
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

    default_partition := fitbot_partman_internal.default_partition(parent);
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

    columns := fitbot_partman_internal.column_list(parent);

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
