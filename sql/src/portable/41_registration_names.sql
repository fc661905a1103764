-- The names pg_partman gives a table's partitions, and the refusal of a
-- table whose partitions would take another table's names.
--
-- pg_partman names a partition <parent>_p<suffix>, cutting the parent's name
-- so that the whole fits in 63 characters (check_name_length). Two tables
-- whose names share their first ~54 characters therefore get the same
-- partition names: create_parent() then makes no partition for the second
-- and every insert into it fails. So register_table() refuses such a table
-- before anything changes, as it refuses a quote in a name.

-- The to_char() format of the partition suffix pg_partman uses for an
-- interval (create_parent() of 4.7 given an interval as text, and of 5.x).
CREATE OR REPLACE FUNCTION fitbot_partman_internal.partition_suffix_format(step interval)
RETURNS text
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN fitbot_partman_internal.partman_major_version() >= 5 THEN
            CASE WHEN step >= interval '1 day' THEN 'YYYYMMDD' ELSE 'YYYYMMDD_HH24MISS' END
        WHEN step >= interval '1 year' THEN 'YYYY'
        WHEN step >= interval '1 month' THEN 'YYYY_MM'
        WHEN step >= interval '1 day' THEN 'YYYY_MM_DD'
        WHEN step >= interval '1 minute' THEN 'YYYY_MM_DD_HH24MI'
        ELSE 'YYYY_MM_DD_HH24MISS' END
$$;

-- The name pg_partman gives the partition of table (a bare relname) that
-- starts at instant, with the suffix format suffix_format.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.partition_name(table_name name, suffix_format text, instant timestamptz)
RETURNS name
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    result text;
BEGIN
    EXECUTE format('SELECT %I.check_name_length($1, $2, true)', fitbot_partman_internal.partman_schema())
        INTO result USING table_name::text, to_char(instant, suffix_format);
    RETURN result;
END
$fn$;

-- Refuses (42602) a table whose pg_partman partitions, default partition or
-- template table would be named like another table's. planned: the start of
-- each partition create_parent() is about to make.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.check_partition_names(parent regclass, step interval, planned timestamptz[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    partman name := fitbot_partman_internal.partman_schema();
    parent_schema name;
    parent_table name;
    suffix_format text := fitbot_partman_internal.partition_suffix_format(step);
    sample name;
    prefix text;
    other record;
    clash record;
    default_name text;
    template_name text;
BEGIN
    SELECT n.nspname, c.relname INTO parent_schema, parent_table
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent;
    sample := fitbot_partman_internal.partition_name(parent_table, suffix_format, now());
    prefix := left(sample, length(sample) - length(to_char(now(), suffix_format)) - 2);

    -- Another registered table of this schema whose partitions share ours.
    FOR other IN EXECUTE format('SELECT parent_table, datetime_string FROM %I.part_config WHERE parent_table <> $1', partman)
        USING parent_schema || '.' || parent_table
    LOOP
        CONTINUE WHEN split_part(other.parent_table, '.', 1) <> parent_schema OR other.datetime_string <> suffix_format;
        IF fitbot_partman_internal.partition_name(substr(other.parent_table, length(parent_schema) + 2), suffix_format, now()) = sample THEN
            PERFORM fitbot_partman_internal.raise_name_clash(parent, other.parent_table, prefix, sample);
        END IF;
    END LOOP;

    -- A table (not one of ours) already named like a partition about to be made.
    SELECT c.oid::regclass AS rel INTO clash
    FROM unnest(planned) AS p(start_at)
    JOIN pg_class c ON c.relname = fitbot_partman_internal.partition_name(parent_table, suffix_format, p.start_at)
                   AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = parent)
    WHERE NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid AND i.inhparent = parent)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'table % would get a partition named like the existing table %', parent, clash.rel
            USING ERRCODE = 'invalid_name',
                  DETAIL = format('pg_partman names the partitions of %s %s and creates the next ones now.', parent, prefix || '_p...'),
                  HINT = format('Rename or drop %s (it is not a partition of %s), then register the table.', clash.rel, parent);
    END IF;

    -- Another table's default partition (ours, if any, is set aside by the caller).
    EXECUTE format('SELECT %I.check_name_length($1, $2)', partman) INTO default_name USING parent_table::text, '_default';
    SELECT c.oid::regclass AS rel INTO clash
    FROM pg_class c
    WHERE c.relname = default_name AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = parent)
      AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid AND i.inhparent = parent);
    IF FOUND THEN
        RAISE EXCEPTION 'table % would get a default partition named like the existing table %', parent, clash.rel
            USING ERRCODE = 'invalid_name',
                  DETAIL = format('pg_partman names the default partition of %s %s.', parent, default_name),
                  HINT = format('Rename or drop %s (it is not a partition of %s), or rename the table, then register it.', clash.rel, parent);
    END IF;

    -- pg_partman 4.x shares a template table silently (CREATE TABLE IF NOT
    -- EXISTS); teardown of one table would then drop the other's.
    IF fitbot_partman_internal.partman_major_version() < 5 THEN
        EXECUTE format('SELECT %I.check_name_length($1)', partman) INTO template_name
            USING 'template_' || parent_schema || '_' || parent_table;
        FOR other IN EXECUTE format('SELECT parent_table FROM %I.part_config WHERE parent_table <> $1 AND template_table = $2', partman)
            USING parent_schema || '.' || parent_table, partman || '.' || template_name
        LOOP
            PERFORM fitbot_partman_internal.raise_name_clash(parent, other.parent_table, left(template_name, 54), template_name);
        END LOOP;
    END IF;
END
$fn$;

CREATE OR REPLACE FUNCTION fitbot_partman_internal.raise_name_clash(parent regclass, other text, prefix text, example text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    RAISE EXCEPTION 'table % would get the same pg_partman partition names as %', parent, other
        USING ERRCODE = 'invalid_name',
              DETAIL = format('pg_partman cuts the table name to fit 63 characters and names partitions %s; both tables would have %s.',
                              prefix || '_p...', example),
              HINT = format('Rename the table so that its first %s characters differ from those of %s, then register it.',
                            length(prefix), other);
END
$fn$;
