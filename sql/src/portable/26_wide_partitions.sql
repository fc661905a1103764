-- Adopted wide partitions (issue 20): a table's OLDEST partition may be wider
-- than the partition interval (an adopted table, or one partitioned by hand).
--
-- What is here, for other features to use:
--   table    fitbot_partman.wide_partitions   one row per parent holding such a partition
--            (parent = part_config.parent_table, the bounds, and the retention held back)
--   function fitbot_partman_internal.wide_partition_of(parent regclass)
--            -> (partition regclass, range_start, range_end, retention, keep_table), no row if none
--   function fitbot_partman_internal.hold_retention_for_wide_partition(parent regclass,
--            range_start timestamptz, range_end timestamptz, retention interval, keep_table boolean)
--            records the row and sets part_config.retention to NULL; register_table() calls it
--            when prepare_existing_partitions() returns wide_start/wide_end (the oldest child is wide).
--
-- Why: pg_partman 4.7 and 5.1 age a child by its lower bound plus one
-- partition_interval and ignore its upper bound and its rows, so with any
-- retention they drop the wide partition whole, recent rows included. While it
-- exists, part_config.retention stays NULL, which is safe under every command
-- (our driver, pg_partman's own run_maintenance_proc(), the job's fallback
-- after DROP EXTENSION); the retention asked for is kept here. Our driver
-- expires the wide partition's past itself, drops it once wholly expired, and
-- then gives pg_partman the retention back (fitbot_partman_internal.expire_wide_partition()).
--
-- Rows name partitions by their bounds, not by their name or OID: a rename
-- must not lose them, and pg_upgrade refuses reg* columns in tables.

CREATE TABLE IF NOT EXISTS fitbot_partman.wide_partitions (
    parent text PRIMARY KEY,                -- as in part_config.parent_table: schema.table, unquoted
    range_start timestamptz NOT NULL,       -- the partition's bounds, as attached
    range_end timestamptz NOT NULL,
    retention interval                      -- pg_partman's retention once the partition is gone; NULL keeps every partition
        CONSTRAINT wide_partitions_retention_positive CHECK (retention > interval '0'),
    retention_keep_table boolean NOT NULL,  -- true: the wide partition is detached whole once expired, never emptied by DELETE
    registered_at timestamptz NOT NULL DEFAULT now(),
    rows_deleted bigint NOT NULL DEFAULT 0, -- by the driver so far
    CONSTRAINT wide_partitions_bounds CHECK (range_start < range_end)
);

COMMENT ON TABLE fitbot_partman.wide_partitions IS
'Tables whose oldest partition is wider than the partition interval: pg_partman''s retention is held back (NULL) while it exists, and run_maintenance() expires its rows and then restores the retention recorded here';

-- The wide partition of parent as recorded, if it is still attached.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.wide_partition_of(
    parent regclass, OUT wide_partition regclass, OUT range_start timestamptz, OUT range_end timestamptz,
    OUT retention interval, OUT keep_table boolean)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, YMD'
AS $$
    SELECT c.oid::regclass, w.range_start, w.range_end, w.retention, w.retention_keep_table
    FROM fitbot_partman.wide_partitions w
    JOIN pg_inherits i ON i.inhparent = wide_partition_of.parent
    JOIN pg_class c ON c.oid = i.inhrelid,
         regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)') m
    WHERE w.parent = (SELECT n.nspname || '.' || p.relname FROM pg_class p JOIN pg_namespace n ON n.oid = p.relnamespace
                      WHERE p.oid = wide_partition_of.parent)
      AND (m[1])::timestamptz = w.range_start AND (m[2])::timestamptz = w.range_end
$$;

-- Records parent's wide partition and the retention asked for, and holds
-- pg_partman's retention at NULL until the driver has expired it. The caller
-- holds lock_configuration() and has registered parent with pg_partman.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.hold_retention_for_wide_partition(
    parent regclass, range_start timestamptz, range_end timestamptz, retention interval, keep_table boolean)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    partman_parent text := (SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE c.oid = parent);
BEGIN
    INSERT INTO fitbot_partman.wide_partitions (parent, range_start, range_end, retention, retention_keep_table)
    VALUES (partman_parent, range_start, range_end, retention, keep_table)
    ON CONFLICT ON CONSTRAINT wide_partitions_pkey DO UPDATE
        SET range_start = excluded.range_start, range_end = excluded.range_end, retention = excluded.retention,
            retention_keep_table = excluded.retention_keep_table;
    EXECUTE format('UPDATE %I.part_config SET retention = NULL WHERE parent_table = $1',
                   (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_partman'))
        USING partman_parent;
END
$fn$;

-- One step of expiring parent's wide partition, in the caller's transaction
-- (run_maintenance() commits between steps, with lock_timeout set):
--   'none'     nothing to do: no wide partition, or its retention keeps everything
--   'gone'     it is no longer attached (detached or dropped by hand): pg_partman's retention is restored
--   'held'     retention_keep_table: it is detached whole once its upper bound passes the cutoff, never emptied
--   'deleted'  rows older than the cutoff were deleted from blocks [from_block, next_block); call again from next_block
--   'swept'    the last blocks were done this step; rows at or after the cutoff remain
--   'dropped' / 'detached'  wholly expired: dropped (or detached), pg_partman's retention restored
-- Rows are deleted by ranges of heap blocks (a TID range scan reads only
-- those blocks), a few thousand rows a step; a DELETE takes ROW EXCLUSIVE on
-- the partition, which never waits for inserts nor blocks them. The cutoff is
-- now() - retention: a row at or after it is never deleted. Dropping takes
-- ACCESS EXCLUSIVE on the parent, under the caller's lock_timeout, and only
-- when the bounds prove every row expired (range_end <= cutoff) or the
-- partition holds no row at all (checked again under that lock).
CREATE OR REPLACE FUNCTION fitbot_partman_internal.expire_wide_partition_step(
    parent regclass, from_block bigint,
    OUT outcome text, OUT next_block bigint, OUT rows_deleted bigint, OUT note text)
RETURNS record
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, YMD'
SET intervalstyle = 'postgres'  -- part_config stores intervals as text
AS $fn$
DECLARE
    partman name := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_partman');
    partman_parent text := (SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE c.oid = parent);
    held record;
    wide record;
    control text;
    cutoff timestamptz;
    heap_blocks bigint;
    blocks_per_step bigint;
    empty boolean;
    wide_name text;
BEGIN
    rows_deleted := 0;
    next_block := from_block;
    SELECT w.* INTO held FROM fitbot_partman.wide_partitions w WHERE w.parent = partman_parent FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'none';
        RETURN;
    END IF;
    SELECT w.* INTO wide FROM fitbot_partman_internal.wide_partition_of(parent) w;
    IF wide.wide_partition IS NULL THEN
        EXECUTE format('UPDATE %I.part_config SET retention = $2 WHERE parent_table = $1', partman)
            USING partman_parent, held.retention::text;
        DELETE FROM fitbot_partman.wide_partitions w WHERE w.parent = partman_parent;
        outcome := 'gone';
        note := format('wide partition %s to %s is no longer attached; pg_partman''s retention set back to %s',
                       held.range_start, held.range_end, coalesce(held.retention::text, 'none'));
        RETURN;
    END IF;
    IF held.retention IS NULL THEN
        outcome := 'none';
        RETURN;
    END IF;
    cutoff := now() - held.retention;
    EXECUTE format('SELECT control FROM %I.part_config WHERE parent_table = $1', partman) INTO control USING partman_parent;

    IF wide.range_end > cutoff AND held.retention_keep_table THEN
        outcome := 'held';
        note := format('wide partition %s is kept whole (retention_keep_table) and detached once its upper bound %s is older than %s, from %s',
                       wide.wide_partition, wide.range_end, held.retention, wide.range_end + held.retention);
        RETURN;
    END IF;
    IF wide.range_end > cutoff THEN
        heap_blocks := pg_relation_size(wide.wide_partition) / current_setting('block_size')::bigint;
        -- About 5000 rows a step, by the partition's rows per block; before
        -- it was ever analyzed, by the most a block can hold (291 at 8 kB).
        blocks_per_step := (SELECT greatest(1, floor(5000 / CASE WHEN c.reltuples > 0 AND c.relpages > 0 THEN greatest(1, c.reltuples / c.relpages)
                                                                 ELSE current_setting('block_size')::int / 28 END))::bigint
                            FROM pg_class c WHERE c.oid = wide.wide_partition);
        IF from_block < heap_blocks THEN
            next_block := least(from_block + blocks_per_step, heap_blocks);
            EXECUTE format('DELETE FROM %s WHERE ctid >= $1::text::tid AND ctid < $2::text::tid AND %I < $3',
                           wide.wide_partition, control)
                USING format('(%s,0)', from_block), format('(%s,0)', next_block), cutoff;
            GET DIAGNOSTICS rows_deleted = ROW_COUNT;
            UPDATE fitbot_partman.wide_partitions w SET rows_deleted = w.rows_deleted + expire_wide_partition_step.rows_deleted
            WHERE w.parent = partman_parent;
            IF next_block < heap_blocks THEN
                outcome := 'deleted';
                RETURN;
            END IF;
        END IF;
        EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM %s)', wide.wide_partition) INTO empty;
        IF NOT empty THEN
            outcome := 'swept';
            EXECUTE format('SELECT max(%I)::timestamptz + $1 FROM %s', control, wide.wide_partition) INTO cutoff USING held.retention;
            note := format('wide partition %s: rows older than %s deleted; it is dropped once its newest row expires, from %s',
                           wide.wide_partition, now() - held.retention, cutoff);
            RETURN;
        END IF;
    END IF;

    -- Wholly expired. Under the parent's lock no row can arrive; an empty
    -- partition is checked again (its bounds may still take new rows).
    EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', parent);
    IF wide.range_end > cutoff THEN
        EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM %s)', wide.wide_partition) INTO empty;
        IF NOT empty THEN
            outcome := 'swept';
            note := format('wide partition %s took a row while it was being dropped; dropped by a later run', wide.wide_partition);
            RETURN;
        END IF;
    END IF;
    wide_name := wide.wide_partition::text;
    IF held.retention_keep_table THEN
        EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', parent, wide.wide_partition);
        outcome := 'detached';
    ELSE
        EXECUTE format('DROP TABLE %s', wide.wide_partition);
        outcome := 'dropped';
    END IF;
    EXECUTE format('UPDATE %I.part_config SET retention = $2 WHERE parent_table = $1', partman)
        USING partman_parent, held.retention::text;
    DELETE FROM fitbot_partman.wide_partitions w WHERE w.parent = partman_parent;
    note := format('wide partition %s (%s to %s) %s, %s rows deleted from it in all; pg_partman''s retention set back to %s',
                   wide_name, wide.range_start, wide.range_end, outcome, held.rows_deleted + rows_deleted, held.retention);
END
$fn$;
