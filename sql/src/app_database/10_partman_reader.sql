-- Readers of pg_partman's configuration and default partitions, for
-- monitors that hold pg_monitor only and read agentless.
--
-- `fitbot-partman setup` runs this file in the application's database, in
-- both modes (the extension's facts() needs none of it, but a companion run
-- with --agentless does). It is not part of the extension: the companion
-- embeds it at build time.
--
-- Why SECURITY DEFINER: pg_monitor may read the catalogs but not pg_partman's
-- schema, part_config or the readings. Granting SELECT on the default
-- partition would let every pg_monitor member read heart-rate samples; these
-- functions instead return the configuration and, for a default partition or
-- a quarantine table of a registered parent only, its row count and the range
-- of its control column. They run as their owner, the admin that ran setup,
-- with a pinned search_path, and never wait on a lock. EXECUTE goes to
-- pg_monitor only.
--
-- Re-runnable: setup runs it on every call.

-- Refuse a schema of ours another role owns or may create in
-- (sql/src/shared/schema_guard.sql, run just before this file).
SELECT pg_temp.fitbot_partman_refuse_unsafe_schemas('{fitbot_partman_monitor}');
DROP FUNCTION pg_temp.fitbot_partman_refuse_unsafe_schemas(name[]);

CREATE SCHEMA IF NOT EXISTS fitbot_partman_monitor;
COMMENT ON SCHEMA fitbot_partman_monitor IS
    'fitbot-partman: read-only views of pg_partman''s configuration for pg_monitor (installed by fitbot-partman setup)';
REVOKE ALL ON SCHEMA fitbot_partman_monitor FROM PUBLIC;
GRANT USAGE ON SCHEMA fitbot_partman_monitor TO pg_monitor;

-- pg_partman's part_config, the columns health reads, wherever pg_partman is.
CREATE OR REPLACE FUNCTION fitbot_partman_monitor.part_config()
RETURNS TABLE (parent_table text, control text, partition_interval text, premake integer, retention text,
               retention_keep_table boolean, infinite_time_partitions boolean, retention_schema text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    partman name := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                     WHERE e.extname = 'pg_partman');
BEGIN
    IF partman IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE format(
        'SELECT parent_table::text, control::text, partition_interval::text, premake::integer, retention::text,'
        '       retention_keep_table, infinite_time_partitions, retention_schema::text FROM %I.part_config', partman);
END
$fn$;

-- Rows in `parent`'s default partition (what = 'default') or in the
-- quarantine table rescue_default() made beside it (what = 'quarantine'),
-- with the oldest and newest value of the parent's control column among them.
-- No row when the table is missing or its lock cannot be had at once: a
-- monitor must never queue behind maintenance. `parent` must be registered
-- with pg_partman; nothing else is counted.
CREATE OR REPLACE FUNCTION fitbot_partman_monitor.rows_in(parent regclass, what text)
RETURNS TABLE (row_count bigint, oldest timestamptz, newest timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    parent_name text := (SELECT n.nspname || '.' || c.relname FROM pg_class c
                         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent);
    control_column text;
    target regclass;
BEGIN
    SELECT p.control INTO control_column FROM fitbot_partman_monitor.part_config() p WHERE p.parent_table = parent_name;
    IF control_column IS NULL THEN
        RAISE EXCEPTION '% is not registered with pg_partman', parent USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF what = 'default' THEN
        target := (SELECT pt.partdefid::regclass FROM pg_partitioned_table pt
                   WHERE pt.partrelid = parent AND pt.partdefid <> 0);
    ELSIF what = 'quarantine' THEN
        target := (SELECT to_regclass(format('%I.%I', n.nspname, left(c.relname, 52) || '_quarantine'))
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent);
        control_column := NULL;
    ELSE
        RAISE EXCEPTION 'what must be default or quarantine' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF target IS NULL THEN
        RETURN;
    END IF;
    BEGIN
        EXECUTE format('LOCK TABLE %s IN ACCESS SHARE MODE NOWAIT', target);
    EXCEPTION WHEN lock_not_available THEN
        RETURN;
    END;
    RETURN QUERY EXECUTE format('SELECT count(*), min(%1$s)::timestamptz, max(%1$s)::timestamptz FROM %2$s',
                                coalesce(quote_ident(control_column), 'NULL::timestamptz'), target);
END
$fn$;

REVOKE ALL ON FUNCTION fitbot_partman_monitor.part_config() FROM PUBLIC;
REVOKE ALL ON FUNCTION fitbot_partman_monitor.rows_in(regclass, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fitbot_partman_monitor.part_config() TO pg_monitor;
GRANT EXECUTE ON FUNCTION fitbot_partman_monitor.rows_in(regclass, text) TO pg_monitor;
