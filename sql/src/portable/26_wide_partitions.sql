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
