-- Registering a table that already has partitions (partitioned by hand, or
-- registered before and torn down): its partitions and rows are kept as they
-- are and pg_partman's partitions follow the last of them.
--
-- create_parent() accepts existing children only when its first partition
-- (p_start_partition) lies at or after their highest upper bound; otherwise
-- it fails with "partition ... would overlap partition ...". Without a start
-- it also warns "No child tables created" when every partition it wanted
-- exists. So the start is the first grid boundary at or after that bound.
--
-- pg_partman 4.x orders children by the text after the last "_p" of their
-- name, read with the table's datetime format; a child such as
-- temp_probes_2026_12 ("robes_2026_12") breaks every maintenance of the
-- table. Such children are renamed <parent>_pYYYY_MM (one brief ACCESS
-- EXCLUSIVE lock each). Children without "_p" sort first, as the oldest, and
-- keep their names. pg_partman 5.x orders by bound and needs no rename.
--
-- A child wider than the interval is accepted only as the OLDEST child, an
-- adopted wide partition (26_wide_partitions.sql): pg_partman ages a child by
-- its lower bound plus one interval, so its retention would drop recent rows
-- with it; our driver expires that child instead. A wide child after another
-- one is refused, as are MINVALUE/MAXVALUE bounds, which break pg_partman's
-- maintenance.
-- Holes between children are reported, never filled with a guessed range.

-- The first boundary of pg_partman's grid at or after instant, as
-- create_parent() truncates its start (whole years, months, days, hours or
-- minutes, by the interval).
CREATE OR REPLACE FUNCTION fitbot_partman_internal.grid_boundary_at_or_after(instant timestamptz, step interval)
RETURNS timestamptz
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    WITH truncated AS (
        SELECT date_trunc(CASE WHEN step >= interval '1000 years' THEN 'millennium'
                               WHEN step >= interval '100 years' THEN 'century'
                               WHEN step >= interval '10 years' THEN 'decade'
                               WHEN step >= interval '1 year' THEN 'year'
                               WHEN step >= interval '1 month' THEN 'month'
                               WHEN step >= interval '1 day' THEN 'day'
                               WHEN step >= interval '1 minute' THEN 'hour'
                               ELSE 'minute' END, instant) AS t)
    SELECT CASE WHEN t >= instant THEN t ELSE t + step END FROM truncated
$$;

-- Checks the existing partitions of parent, renames those pg_partman 4.x
-- cannot read, and returns where pg_partman's partitions start (NULL: no
-- partition exists), the bounds of an adopted wide oldest partition (NULL:
-- none), and what was found and done, one note each.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.prepare_existing_partitions(
    parent regclass, step interval, OUT start_partition timestamptz, OUT notes text[],
    OUT wide_start timestamptz, OUT wide_end timestamptz)
RETURNS record
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, YMD'
AS $fn$
DECLARE
    parent_table name := (SELECT relname FROM pg_class WHERE oid = parent);
    suffix_format text := fitbot_partman_internal.partition_suffix_format(step);
    child record;
    previous_end timestamptz;
    highest timestamptz;
    suffix text;
    readable boolean;
    target name;
    kept integer := 0;
BEGIN
    notes := '{}';
    -- Bounds without a quoted value are MINVALUE or MAXVALUE.
    SELECT c.oid::regclass AS rel, pg_get_expr(c.relpartbound, c.oid) AS bound INTO child
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = parent AND c.oid IS DISTINCT FROM fitbot_partman_internal.default_partition(parent)
      AND pg_get_expr(c.relpartbound, c.oid) !~ '^FOR VALUES FROM \(''[^'']+''\) TO \(''[^'']+''\)$'
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'partition % of table % has an open bound', child.rel, parent
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = format('Its bound is %s; pg_partman cannot maintain a table with a MINVALUE or MAXVALUE bound.', child.bound),
                  HINT = 'Detach that partition (ALTER TABLE ... DETACH PARTITION), or re-attach it with explicit time bounds, then register the table.';
    END IF;

    FOR child IN
        SELECT c.oid::regclass AS rel, c.relname, r.range_start, r.range_end
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid,
             LATERAL (SELECT (m[1])::timestamptz AS range_start, (m[2])::timestamptz AS range_end
                      FROM regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)') m) r
        WHERE i.inhparent = parent AND r.range_start IS NOT NULL
        ORDER BY r.range_start
    LOOP
        -- Wider than one interval in every zone it could have been cut in.
        IF NOT EXISTS (SELECT 1 FROM (VALUES (current_setting('TimeZone')),
                                             ((SELECT s.reset_val FROM pg_settings s WHERE s.name = 'TimeZone')),
                                             ('UTC')) z(zone)
                       WHERE child.range_end <= fitbot_partman_internal.plus_in_zone(child.range_start, step, z.zone))
           AND kept = 0 THEN
            -- The oldest: an adopted wide partition, expired by our driver.
            wide_start := child.range_start;
            wide_end := child.range_end;
        ELSIF NOT EXISTS (SELECT 1 FROM (VALUES (current_setting('TimeZone')),
                                             ((SELECT s.reset_val FROM pg_settings s WHERE s.name = 'TimeZone')),
                                             ('UTC')) z(zone)
                       WHERE child.range_end <= fitbot_partman_internal.plus_in_zone(child.range_start, step, z.zone)) THEN
            RAISE EXCEPTION 'partition % of table % is wider than the partition interval %', child.rel, parent, step
                USING ERRCODE = 'feature_not_supported',
                      DETAIL = format('It covers %s to %s. Only the oldest partition may be wider than the interval (an adopted wide partition, expired by fitbot_partman.run_maintenance()): pg_partman ages a partition by its lower bound plus one interval, so its retention would drop this one with its recent rows.',
                                      child.range_start, child.range_end),
                      HINT = 'Register the table with the interval of its partitions, or split that partition into partitions of one interval each, then register it.';
        END IF;
        IF previous_end IS NOT NULL AND child.range_start > previous_end THEN
            notes := notes || format('hole from %s to %s not filled (rows there go to the default partition)', previous_end, child.range_start);
        END IF;
        previous_end := greatest(previous_end, child.range_end);

        IF fitbot_partman_internal.partman_major_version() < 5 AND position('_p' in child.relname) > 0 THEN
            suffix := substr(child.relname, length(child.relname) - position('p_' in reverse(child.relname)) + 2);
            BEGIN
                readable := to_char(to_timestamp(suffix, suffix_format), suffix_format) = suffix;
            EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR invalid_parameter_value THEN
                readable := false;
            END;
            IF NOT readable THEN
                target := fitbot_partman_internal.partition_name(parent_table, suffix_format, child.range_start);
                IF EXISTS (SELECT 1 FROM pg_class WHERE relname = target AND relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = parent)) THEN
                    RAISE EXCEPTION 'partition % of table % must be renamed to %, which exists', child.rel, parent, target
                        USING ERRCODE = 'duplicate_table',
                              DETAIL = format('pg_partman %s reads the text after the last "_p" of a partition''s name as a date; %L is not one.',
                                              (SELECT extversion FROM pg_extension WHERE extname = 'pg_partman'), suffix),
                              HINT = format('Rename %s to a name without "_p" or in the form %s, then register the table.', child.rel, target);
                END IF;
                EXECUTE format('ALTER TABLE %s RENAME TO %I', child.rel, target);
                notes := notes || format('renamed partition %I to %I', child.relname, target);
            END IF;
        END IF;
        kept := kept + 1;
    END LOOP;

    IF kept = 0 THEN
        RETURN;
    END IF;
    highest := previous_end;
    start_partition := fitbot_partman_internal.grid_boundary_at_or_after(highest, step);
    IF start_partition > highest THEN
        notes := notes || format('hole from %s to %s not filled (rows there go to the default partition)', highest, start_partition);
    END IF;
    notes := format('kept %s existing partition(s) up to %s; new partitions follow from %s', kept, highest, start_partition) || notes;
    IF wide_start IS NOT NULL THEN
        notes := notes || format('oldest partition %s to %s is wider than %s: pg_partman''s retention stays off while it exists, run_maintenance() expires its rows', wide_start, wide_end, step);
    END IF;
END
$fn$;

-- The starts of the partitions create_parent() makes: from start (or premake
-- intervals back) to premake intervals ahead of now, as it computes them.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.planned_partitions(step interval, premake integer, start timestamptz)
RETURNS timestamptz[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH base AS (
        SELECT CASE WHEN start IS NOT NULL THEN fitbot_partman_internal.grid_boundary_at_or_after(start, step)
                    ELSE date_trunc(CASE WHEN step >= interval '1 year' THEN 'year'
                                         WHEN step >= interval '1 month' THEN 'month'
                                         WHEN step >= interval '1 day' THEN 'day'
                                         WHEN step >= interval '1 minute' THEN 'hour'
                                         ELSE 'minute' END, now() - step * premake) END AS b)
    SELECT array_agg(b + step * n ORDER BY n)
    FROM base, generate_series(0, 2000) n
    WHERE n = 0 OR b + step * n < now() + step * premake
$$;
