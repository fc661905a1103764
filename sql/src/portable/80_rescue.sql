-- rescue_default(): moves rows stranded in the default partition where they
-- belong, without ever losing one or breaking the runway.
--
-- A partition made for a stranded row can do harm: one older than the
-- retention window is dropped, with its rows, by the next maintenance run; one
-- far ahead makes pg_partman believe the runway reaches it and stop creating
-- the partitions in between. So rows are partitioned only inside the window
-- that maintenance itself keeps: from the oldest partition retention keeps at
-- the next run, to the newest partition premake makes. Partitions are made
-- contiguous with the existing ones (empty ones fill the months between), so
-- the rescue never leaves a gap. Rows outside the window go, in the same
-- transaction, into an unattached quarantine table beside the parent
-- (<parent>_quarantine, same columns); nothing is ever deleted. The caller
-- may ask for every row to be partitioned instead (partition_all).

-- Partition bounds are instants, but pg_partman laid them out by the calendar
-- of the zone it ran in (the session's zone when the table was registered,
-- the server's for pg_cron's runs). A month added in another zone is another
-- instant wherever daylight saving time differs, and a partition name
-- (_pYYYY_MM) is another month near midnight; so the grid is walked in the
-- zone of the existing partitions, never in the caller's.

-- instant + step, by the calendar of zone.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.plus_in_zone(instant timestamptz, step interval, zone text)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$ SELECT ((instant AT TIME ZONE zone) + step) AT TIME ZONE zone $$;

-- The start of the grid cell of a time: pg_partman's partitions start at
-- whole intervals from an existing lower bound, counted in zone.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.grid_floor(instant timestamptz, anchor timestamptz, step interval,
                                                              zone text)
RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    cell timestamp := anchor AT TIME ZONE zone;
    target timestamp := instant AT TIME ZONE zone;
    steps integer := 0;
BEGIN
    WHILE cell > target OR cell + step <= target LOOP
        cell := CASE WHEN cell > target THEN cell - step ELSE cell + step END;
        steps := steps + 1;
        IF steps > 100000 THEN
            RAISE EXCEPTION 'rows at % lie too far from the existing partitions', instant
                USING ERRCODE = 'program_limit_exceeded',
                      HINT = 'Move or delete rows with absurd timestamps by hand first, then run rescue_default again.';
        END IF;
    END LOOP;
    RETURN cell AT TIME ZONE zone;
END
$fn$;

-- The time ranges of a table's partitions (the default partition excluded),
-- from their bounds. The bounds are deparsed as text in the session's
-- DateStyle, which must be ISO: other styles print zone abbreviations, and
-- reading one back can mean another zone (IST is Israel's to PostgreSQL).
CREATE OR REPLACE FUNCTION fitbot_partman_internal.partition_ranges(parent regclass,
                                                                    OUT range_start timestamptz, OUT range_end timestamptz)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, YMD'
AS $$
    SELECT (m[1])::timestamptz, (m[2])::timestamptz
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid,
         regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)') m
    WHERE i.inhparent = parent AND m IS NOT NULL
$$;

-- The zone whose calendar the existing partitions follow: the first of the
-- caller's zone, the session's default (postgresql.conf, ALTER DATABASE/ROLE
-- ... SET, PGTZ) and UTC in which every partition spans exactly one step and,
-- for steps of a day or more, starts at midnight. NULL when none fits (or
-- there is no partition: then any zone is consistent, and the caller's is
-- used).
CREATE OR REPLACE FUNCTION fitbot_partman_internal.partition_zone(parent regclass, step interval)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT candidate.zone
    FROM (VALUES (1, current_setting('TimeZone')),
                 (2, (SELECT s.reset_val FROM pg_settings s WHERE s.name = 'TimeZone')),
                 (3, 'UTC')) candidate(preference, zone)
    WHERE NOT EXISTS (
        SELECT 1 FROM fitbot_partman_internal.partition_ranges(parent) r
        WHERE fitbot_partman_internal.plus_in_zone(r.range_start, step, candidate.zone) <> r.range_end
           OR (step >= interval '1 day' AND (r.range_start AT TIME ZONE candidate.zone)::time <> time '00:00'))
    ORDER BY candidate.preference
    LIMIT 1
$$;

-- Moves the default partition's rows with control in [low, high) into
-- destination, batch by batch; returns how many.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.move_default_rows(
    default_partition regclass, destination text, control text, columns text,
    low timestamptz, high timestamptz, batch_rows integer)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    moved bigint;
    total bigint := 0;
BEGIN
    LOOP
        EXECUTE format('WITH batch AS (DELETE FROM %1$s WHERE ctid = ANY (ARRAY(SELECT ctid FROM %1$s WHERE %2$I >= $1 AND %2$I < $2 LIMIT $3)) RETURNING %3$s)
                        INSERT INTO %4$s (%3$s) SELECT %3$s FROM batch',
                       default_partition, control, columns, destination)
            USING low, high, batch_rows;
        GET DIAGNOSTICS moved = ROW_COUNT;
        EXIT WHEN moved = 0;
        total := total + moved;
    END LOOP;
    RETURN total;
END
$fn$;

CREATE OR REPLACE FUNCTION fitbot_partman.rescue_default(parent regclass, batch_rows integer DEFAULT 10000,
                                                         partition_all boolean DEFAULT false)
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
    anchor timestamptz;
    oldest_existing timestamptz;
    newest_existing timestamptz;
    next_maintenance timestamptz;
    window_start timestamptz;
    window_end timestamptz;
    lowest timestamptz;
    highest timestamptz;
    first_cell timestamptz;
    last_cell timestamptz;
    cell timestamptz;
    suffix text;
    new_partition text;
    moved bigint;
    total bigint := 0;
    stranded bigint;
    quarantine text;
    outside record;
    zone text;
    cell_end timestamptz;
BEGIN
    IF batch_rows IS NULL OR batch_rows < 1 THEN
        RAISE EXCEPTION 'batch_rows must be at least 1, not %', coalesce(batch_rows::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Rows are moved in batches of this size; 10000 is a good start.';
    END IF;
    IF partition_all IS NULL THEN
        RAISE EXCEPTION 'partition_all must not be null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass false (the default) to quarantine rows outside the maintained window, or true to partition them all.';
    END IF;
    SELECT n.nspname, c.relname INTO parent_schema, parent_table
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent;
    EXECUTE format('SELECT control, partition_interval::interval AS step, datetime_string, premake,
                           retention::interval AS retention
                    FROM %I.part_config WHERE parent_table = $1', partman)
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

    SELECT min(r.range_start), max(r.range_end) INTO oldest_existing, newest_existing
    FROM fitbot_partman_internal.partition_ranges(parent) r;
    anchor := coalesce(oldest_existing, date_trunc('month', lowest));
    zone := fitbot_partman_internal.partition_zone(parent, config.step);
    IF zone IS NULL THEN
        RAISE EXCEPTION 'the partitions of % follow the calendar of no zone rescue_default can tell', parent
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Neither this session''s TimeZone, its default, nor UTC lays them out one interval each from midnight.',
                  HINT = 'SET TimeZone to the zone they were made in (the server''s TimeZone, for partitions pg_cron''s runs made), then run rescue_default again.';
    END IF;

    -- The window maintenance keeps: retention drops, at the next run, every
    -- partition that ends before next run - retention; premake makes
    -- partitions up to premake intervals after the current one.
    IF to_regclass('cron.job') IS NOT NULL THEN
        SELECT min(fitbot_partman.next_run(j.schedule, now()))  -- in pg_cron's own zone
        INTO next_maintenance
        FROM cron.job j
        WHERE j.active AND j.database = current_database() AND j.command ~* @MAINTENANCE_COMMAND_PATTERN@;
    END IF;
    next_maintenance := greatest(now(), coalesce(next_maintenance, fitbot_partman_internal.plus_in_zone(now(), config.step, zone)));
    window_start := CASE WHEN config.retention IS NULL THEN '-infinity'
                         ELSE fitbot_partman_internal.plus_in_zone(
                             fitbot_partman_internal.grid_floor(fitbot_partman_internal.plus_in_zone(next_maintenance, -config.retention, zone),
                                                                anchor, config.step, zone),
                             config.step, zone) END;
    window_end := fitbot_partman_internal.plus_in_zone(fitbot_partman_internal.grid_floor(now(), anchor, config.step, zone),
                                                       (config.premake + 1) * config.step, zone);

    IF NOT partition_all AND (lowest < window_start OR highest >= window_end) THEN
        quarantine := format('%I.%I', parent_schema, left(parent_table, 63 - length('_quarantine')) || '_quarantine');
        EXECUTE format('CREATE TABLE IF NOT EXISTS %s (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)',
                       quarantine, parent);
        EXECUTE format('COMMENT ON TABLE %s IS %L', quarantine,
                       format('Rows fitbot_partman.rescue_default() took out of %s''s default partition because they lie outside the range maintenance keeps; review them, then insert them into %s or delete them',
                              default_partition, parent));
        FOR outside IN
            SELECT * FROM (VALUES ('-infinity'::timestamptz, window_start, 'older than the retention window'),
                                  (window_end, 'infinity'::timestamptz, 'newer than the partitions premake keeps ahead')) w(low, high, why)
        LOOP
            CONTINUE WHEN outside.low >= outside.high;
            EXECUTE format('SELECT min(%1$I), max(%1$I) FROM %2$s WHERE %1$I >= $1 AND %1$I < $2', config.control, default_partition)
                INTO lowest, highest USING outside.low, outside.high;
            CONTINUE WHEN lowest IS NULL;
            moved := fitbot_partman_internal.move_default_rows(default_partition, quarantine, config.control, columns,
                                                               outside.low, outside.high, batch_rows);
            RAISE WARNING 'quarantined % rows dated % to % (%) in %; nothing was deleted', moved, lowest, highest, outside.why, quarantine
                USING HINT = format('Review them; to partition them anyway, insert them into %s (they land in its default partition) and run rescue_default(%L, partition_all => true); or delete them.',
                                    parent, parent::text);
        END LOOP;
        EXECUTE format('SELECT min(%1$I), max(%1$I) FROM %2$s', config.control, default_partition) INTO lowest, highest;
        IF lowest IS NULL THEN
            RETURN 0;
        END IF;
    END IF;
    IF partition_all AND config.retention IS NOT NULL AND lowest < window_start THEN
        RAISE WARNING 'rows dated before % go into partitions that the next maintenance run drops by retention (%)', window_start, config.retention
            USING HINT = 'Run rescue_default without partition_all to quarantine them instead.';
    END IF;

    -- Every grid cell from the rows to the existing partitions, so that no gap
    -- is left between them; cells an existing partition covers are skipped.
    first_cell := fitbot_partman_internal.grid_floor(lowest, anchor, config.step, zone);
    last_cell := fitbot_partman_internal.grid_floor(highest, anchor, config.step, zone);
    IF oldest_existing IS NOT NULL THEN
        first_cell := least(first_cell, oldest_existing);
        last_cell := greatest(last_cell, fitbot_partman_internal.plus_in_zone(newest_existing, -config.step, zone));
    END IF;
    cell := first_cell;
    WHILE cell <= last_cell LOOP
        cell_end := fitbot_partman_internal.plus_in_zone(cell, config.step, zone);
        IF NOT EXISTS (SELECT 1 FROM fitbot_partman_internal.partition_ranges(parent) r
                       WHERE r.range_start < cell_end AND r.range_end > cell) THEN
            suffix := '_p' || to_char(cell AT TIME ZONE zone, coalesce(config.datetime_string, 'YYYY_MM_DD'));
            new_partition := format('%I.%I', parent_schema, left(parent_table, 63 - length(suffix)) || suffix);
            EXECUTE format('CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)',
                           new_partition, parent);
            moved := fitbot_partman_internal.move_default_rows(default_partition, new_partition, config.control, columns,
                                                               cell, cell_end, batch_rows);
            total := total + moved;
            -- Bounds in UTC and ISO: a timestamptz literal in the session's
            -- DateStyle may carry an abbreviation that reads back as another zone.
            EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%L) TO (%L)',
                           parent, new_partition,
                           to_char(cell AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US+00'),
                           to_char(cell_end AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US+00'));
            RAISE NOTICE 'attached % for [%, %) with % rows (% of % done)', new_partition, cell, cell_end, moved, total, stranded;
        END IF;
        cell := cell_end;
    END LOOP;

    RAISE NOTICE 'rescued % rows from %', total, default_partition;
    RETURN total;
END
$fn$;

COMMENT ON FUNCTION fitbot_partman.rescue_default(regclass, integer, boolean) IS
'Moves rows from the default partition into the partitions they belong in (made contiguous with the existing ones), within the window maintenance keeps; rows outside it go to <parent>_quarantine unless partition_all; one transaction; returns the rows partitioned';
