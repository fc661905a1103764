-- adopt_table() (46_adoption.sql), part 1: what it refuses, before it
-- changes anything, and the bounds of the adopted partition.
--
-- A plain table becomes the oldest partition [lower, upper) of a new
-- partitioned table of the same name, without copying a row. Whatever
-- PostgreSQL cannot carry over to the new parent is refused here, each with
-- its SQLSTATE and a hint; adopt_table() runs these checks again under its
-- lock, just before the swap.

-- The constraint adopt_table() adds to the plain table: the adopted
-- partition's bound and NOT NULL of the control column, first NOT VALID,
-- then validated. It is also how a later call finds where an interrupted
-- one stopped, and which bounds it chose.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_bound_name()
RETURNS name
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT 'fitbot_partman_adopt_bound'::name $$;

-- The start of the grid cell holding instant: whole years, months, days,
-- hours or minutes by the interval, as grid_boundary_at_or_after() reads
-- pg_partman's grid.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.grid_boundary_at_or_before(instant timestamptz, step interval)
RETURNS timestamptz
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT date_trunc(CASE WHEN step >= interval '1 year' THEN 'year'
                           WHEN step >= interval '1 month' THEN 'month'
                           WHEN step >= interval '1 day' THEN 'day'
                           WHEN step >= interval '1 minute' THEN 'hour'
                           ELSE 'minute' END, instant)
$$;

-- The name of the new parent while it is prepared, before the swap gives it
-- the table's name.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_new_parent_name(table_name name)
RETURNS name
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$ SELECT (left(table_name, 50) || '_adopting')::name $$;

-- The bounds in the adopt constraint of a table, or NULLs.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_bounds(tbl regclass,
    OUT lower_bound timestamptz, OUT upper_bound timestamptz, OUT validated boolean)
RETURNS record
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, YMD'
AS $$
    -- Always one row (NULLs without the constraint), so that PL/pgSQL
    -- callers can read its fields.
    SELECT b.lower_bound, b.upper_bound, b.validated
    FROM (VALUES (1)) one LEFT JOIN LATERAL (
        SELECT (m[1][1])::timestamptz AS lower_bound, (m[2][1])::timestamptz AS upper_bound, c.convalidated AS validated
        FROM pg_constraint c,
             LATERAL (SELECT array_agg(x) AS m FROM regexp_matches(pg_get_constraintdef(c.oid), '''([^'']+)''', 'g') x) r
        WHERE c.conrelid = tbl AND c.conname = fitbot_partman_internal.adopt_bound_name() AND c.contype = 'c') b ON true
$$;

-- Raises the first reason table tbl cannot be adopted on control, or
-- returns. scan_for_nulls: look for NULLs in control (a scan; not needed
-- once the adopt constraint is validated).
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_refusals(tbl regclass, control text, scan_for_nulls boolean)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    rel record;
    control_attnum int2;
    control_type regtype;
    found_names text;
    has_null boolean;
BEGIN
    SELECT c.relname, n.nspname, c.relkind, c.relpersistence, c.relispartition, c.reloftype
    INTO rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'relation with OID % does not exist', tbl::oid
            USING ERRCODE = 'undefined_table', HINT = 'Pass the name of an existing table.';
    END IF;
    IF rel.relkind = 'p' THEN
        RAISE EXCEPTION 'table % is already partitioned', tbl
            USING ERRCODE = 'wrong_object_type',
                  HINT = format('Register it as it is: SELECT fitbot_partman.register_table(%L, %L);', tbl::text, control);
    END IF;
    IF rel.relkind <> 'r' THEN
        RAISE EXCEPTION '% is not a table', tbl
            USING ERRCODE = 'wrong_object_type', HINT = 'adopt_table() partitions an ordinary table.';
    END IF;
    IF rel.relpersistence <> 'p' THEN
        RAISE EXCEPTION 'table % is %', tbl, CASE rel.relpersistence WHEN 'u' THEN 'unlogged' ELSE 'temporary' END
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = 'A partitioned table must be permanent and logged.',
                  HINT = format('Make it logged first (ALTER TABLE %s SET LOGGED, which rewrites it), then adopt it.', tbl);
    END IF;
    IF rel.relispartition OR EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = tbl OR inhparent = tbl) THEN
        RAISE EXCEPTION 'table % takes part in inheritance', tbl
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = format('It %s.', CASE WHEN EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = tbl)
                                                  THEN 'inherits from ' || (SELECT string_agg(inhparent::regclass::text, ', ') FROM pg_inherits WHERE inhrelid = tbl)
                                                  ELSE 'has children: ' || (SELECT string_agg(inhrelid::regclass::text, ', ') FROM pg_inherits WHERE inhparent = tbl) END),
                  HINT = 'A partition cannot inherit or be inherited from: remove the inheritance (ALTER TABLE ... NO INHERIT), then adopt it.';
    END IF;
    IF rel.reloftype <> 0 THEN
        RAISE EXCEPTION 'table % is a typed table', tbl
            USING ERRCODE = 'feature_not_supported', HINT = format('Detach it from its type (ALTER TABLE %s NOT OF), then adopt it.', tbl);
    END IF;
    IF position('.' in rel.nspname) > 0 OR position('.' in rel.relname) > 0
       OR position('''' in rel.nspname) > 0 OR position('''' in rel.relname) > 0 THEN
        RAISE EXCEPTION 'table % has a dot or a single quote in its name', tbl
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = 'pg_partman cannot maintain such a table.',
                  HINT = 'Rename the table or schema without it, then adopt the table.';
    END IF;

    SELECT a.attnum, a.atttypid::regtype INTO control_attnum, control_type
    FROM pg_attribute a WHERE a.attrelid = tbl AND a.attname = control AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'column "%" of table % does not exist', control, tbl
            USING ERRCODE = 'undefined_column', HINT = 'Pass the time column to partition by as control.';
    END IF;
    IF control_type NOT IN ('timestamp with time zone'::regtype, 'timestamp without time zone'::regtype, 'date'::regtype) THEN
        RAISE EXCEPTION 'column "%" of table % has type %, not a time type', control, tbl, control_type
            USING ERRCODE = 'datatype_mismatch', HINT = 'Time partitioning needs a timestamptz, timestamp or date column.';
    END IF;

    -- A partitioned table's unique indexes must contain the partition key.
    SELECT string_agg(format('%I', i.indexrelid::regclass::name), ', ' ORDER BY 1) INTO found_names
    FROM pg_index i WHERE i.indrelid = tbl AND i.indisunique AND NOT control_attnum = ANY (i.indkey);
    IF found_names IS NOT NULL THEN
        RAISE EXCEPTION 'table % has a primary key or unique constraint without column "%"', tbl, control
            USING ERRCODE = 'invalid_table_definition',
                  DETAIL = format('Unique index(es) %s. A partitioned table can enforce uniqueness only over keys that contain the partition column.', found_names),
                  HINT = format('Replace them with ones that include %I (CREATE UNIQUE INDEX CONCURRENTLY, then swap the constraint), then adopt the table.', control);
    END IF;
    SELECT string_agg(format('%I', conname), ', ' ORDER BY conname) INTO found_names
    FROM pg_constraint WHERE conrelid = tbl AND contype = 'x';
    IF found_names IS NOT NULL THEN
        RAISE EXCEPTION 'table % has an exclusion constraint', tbl
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = format('Constraint(s) %s; PostgreSQL 15 has no exclusion constraints on partitioned tables.', found_names),
                  HINT = 'Drop the exclusion constraint, then adopt the table.';
    END IF;
    -- ATTACH would build an index that has no valid twin on the partition,
    -- under ACCESS EXCLUSIVE, for as long as the build takes.
    SELECT string_agg(format('%I', i.indexrelid::regclass::name), ', ' ORDER BY 1) INTO found_names
    FROM pg_index i WHERE i.indrelid = tbl AND (NOT i.indisvalid OR NOT i.indisready);
    IF found_names IS NOT NULL THEN
        RAISE EXCEPTION 'table % has an invalid index', tbl
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('Index(es) %s (left by a failed CREATE INDEX CONCURRENTLY). The new parent would have them, and attaching the table would build them under an ACCESS EXCLUSIVE lock.', found_names),
                  HINT = 'Rebuild them (REINDEX INDEX CONCURRENTLY ...) or drop them (DROP INDEX CONCURRENTLY ...), then adopt the table.';
    END IF;

    SELECT string_agg(format('%s on table %s', quote_ident(conname), conrelid::regclass), ', ' ORDER BY 1) INTO found_names
    FROM pg_constraint WHERE confrelid = tbl AND contype = 'f';
    IF found_names IS NOT NULL THEN
        RAISE EXCEPTION 'table % is referenced by foreign keys', tbl
            USING ERRCODE = 'dependent_objects_still_exist',
                  DETAIL = format('Foreign key(s) %s. They follow the table''s identity and would keep pointing at the adopted partition only.', found_names),
                  HINT = 'Drop them, adopt the table, then add them again referencing the new partitioned table.';
    END IF;
    -- Views, materialized views, rules of other tables and BEGIN ATOMIC
    -- functions follow the table's OID, so after the swap they would read
    -- the adopted partition only: the past.
    SELECT string_agg(what, ', ' ORDER BY what) INTO found_names FROM (
        SELECT DISTINCT CASE WHEN v.relkind IN ('v', 'm') THEN format('%s %s', CASE v.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END, r.ev_class::regclass)
                             ELSE format('rule %I on %s', r.rulename, r.ev_class::regclass) END AS what
        FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class
        WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = tbl
        UNION
        SELECT DISTINCT format('function %s', d.objid::regprocedure)
        FROM pg_depend d
        WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = tbl) w;
    IF found_names IS NOT NULL THEN
        RAISE EXCEPTION 'table % has dependent views, rules or functions', tbl
            USING ERRCODE = 'dependent_objects_still_exist',
                  DETAIL = format('Dependent object(s): %s. They follow the table''s identity and would read only the adopted partition (the past) after the swap.', found_names),
                  HINT = 'Save their definitions and grants, drop them, adopt the table, then create them again.';
    END IF;
    SELECT string_agg(format('%I', tgname), ', ' ORDER BY tgname) INTO found_names
    FROM pg_trigger WHERE tgrelid = tbl AND (tgoldtable IS NOT NULL OR tgnewtable IS NOT NULL);
    IF found_names IS NOT NULL THEN
        RAISE EXCEPTION 'table % has triggers with transition tables', tbl
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = format('Trigger(s) %s. A table with such triggers cannot become a partition.', found_names),
                  HINT = 'Drop them, adopt the table, then create them on the new partitioned table.';
    END IF;
    SELECT string_agg(format('%I', p.pubname), ', ' ORDER BY p.pubname) INTO found_names
    FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid
    WHERE pr.prrelid = tbl AND (pr.prqual IS NOT NULL OR pr.prattrs IS NOT NULL);
    IF found_names IS NOT NULL THEN
        RAISE EXCEPTION 'table % is published with a row filter or column list', tbl
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = format('Publication(s) %s.', found_names),
                  HINT = 'Publish the whole table (ALTER PUBLICATION ... SET TABLE), adopt it, then set the filter on the new partitioned table.';
    END IF;

    IF scan_for_nulls THEN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I IS NULL)', tbl, control) INTO has_null;
        IF has_null THEN
            RAISE EXCEPTION 'column "%" of table % holds NULLs', control, tbl
                USING ERRCODE = 'not_null_violation',
                      DETAIL = 'Every row of a range-partitioned table needs a partition key.',
                      HINT = format('Set or delete those rows (WHERE %I IS NULL), then adopt the table.', control);
        END IF;
    END IF;
END
$fn$;

-- The options as register_table() checks them, before anything changes.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_option_refusals(partition_interval interval, premake integer, retention interval)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF partition_interval <= interval '0' THEN
        RAISE EXCEPTION 'partition_interval must be positive, not %', partition_interval
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use an interval such as ''1 month'' or ''1 day''.';
    END IF;
    IF premake < 1 OR premake > 1000 THEN
        RAISE EXCEPTION 'premake must be between 1 and 1000, not %', premake
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'premake is how many partitions are kept ready ahead of now; 3 keeps three months ahead with a monthly interval.';
    END IF;
    IF retention IS NOT NULL AND retention <= interval '0' AND retention <> interval '-1 microsecond' THEN
        RAISE EXCEPTION 'retention must be positive, not %', retention
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use an interval such as ''1 year'', NULL to keep every partition, or leave it out.';
    END IF;
    IF fitbot_partman_internal.partman_schema() IS NULL THEN
        RAISE EXCEPTION 'pg_partman is not installed in database %', current_database()
            USING ERRCODE = 'undefined_object',
                  HINT = 'Install it first (CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman;), then adopt the table.';
    END IF;
END
$fn$;

-- The adopted partition's lower bound: the interval boundary at or before
-- the older of the oldest row and one retention period (at least a year)
-- ago. Rows re-synced from a device's history keep being accepted while the
-- adoption runs; the driver expires that past as it would any other.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_lower_bound(tbl regclass, control text, step interval, retention interval)
RETURNS timestamptz
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    margin interval := greatest(coalesce(nullif(retention, interval '-1 microsecond'), interval '1 year'), interval '1 year');
    oldest timestamptz;
BEGIN
    EXECUTE format('SELECT min(%I)::timestamptz FROM %s', control, tbl) INTO oldest;
    RETURN fitbot_partman_internal.grid_boundary_at_or_before(least(coalesce(oldest, now()), now() - margin), step);
END
$fn$;

-- Whether pg_partman manages table tbl.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.is_registered(tbl regclass)
RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    found boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.part_config WHERE parent_table = $1)', fitbot_partman_internal.partman_schema())
        INTO found USING fitbot_partman_internal.partman_parent_name(tbl);
    RETURN found;
END
$fn$;

-- The names the adoption gives: the adopted partition's (pg_partman's name
-- for the partition starting at the lower bound) and the new parent's while
-- it is prepared must be free, or ours from an interrupted call.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_name_refusals(tbl regclass, control text, step interval, retention interval)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    schema_name name;
    table_name name;
    lower_bound timestamptz;
    wanted name;
    taken regclass;
BEGIN
    SELECT n.nspname, c.relname INTO schema_name, table_name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
    lower_bound := coalesce((fitbot_partman_internal.adopt_bounds(tbl)).lower_bound,
                            fitbot_partman_internal.adopt_lower_bound(tbl, control, step, retention));
    IF lower_bound IS NOT NULL THEN
        wanted := fitbot_partman_internal.partition_name(table_name, fitbot_partman_internal.partition_suffix_format(step), lower_bound);
        taken := to_regclass(format('%I.%I', schema_name, wanted));
        IF taken IS NOT NULL AND taken <> tbl THEN
            RAISE EXCEPTION 'table %.% exists', quote_ident(schema_name), quote_ident(wanted)
                USING ERRCODE = 'duplicate_table',
                      DETAIL = format('adopt_table() names the adopted partition of %s %I, as pg_partman names the partition starting at %s.', tbl, wanted, lower_bound),
                      HINT = format('Rename or drop %I.%I, then call adopt_table() again.', schema_name, wanted);
        END IF;
    END IF;
    wanted := fitbot_partman_internal.adopt_new_parent_name(table_name);
    taken := to_regclass(format('%I.%I', schema_name, wanted));
    IF taken IS NOT NULL AND coalesce(obj_description(taken, 'pg_class'), '') NOT LIKE format('fitbot_partman adopt_table: new parent for table %s,%%', tbl::oid) THEN
        RAISE EXCEPTION 'table %.% exists', quote_ident(schema_name), quote_ident(wanted)
            USING ERRCODE = 'duplicate_table',
                  DETAIL = 'adopt_table() prepares the new partitioned table under that name.',
                  HINT = format('Rename or drop %I.%I, then call adopt_table() again.', schema_name, wanted);
    END IF;
END
$fn$;
