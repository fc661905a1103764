-- adopt_table(): a populated plain table becomes a pg_partman-managed
-- partitioned table of the same name, without copying a row; and what it
-- refuses, before it changes anything. Fixtures are built relative to now().
\getenv abs_srcdir PG_ABS_SRCDIR
\set include :abs_srcdir '/sql/include/try.sql'
\i :include
-- Whether anything of an adoption was left on a table.
CREATE FUNCTION pg_temp.untouched(tbl regclass) RETURNS boolean LANGUAGE sql AS $$
    SELECT (SELECT relkind FROM pg_class WHERE oid = tbl) = 'r'
       AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = tbl AND conname = 'fitbot_partman_adopt_bound')
       AND to_regclass(tbl::text || '_adopting') IS NULL
$$;
\pset format unaligned
\pset fieldsep ' | '
\set SHOW_CONTEXT never

-- 1. Refusals, each with its SQLSTATE and hint, changing nothing.
CREATE TABLE public.plain (id bigint, at timestamptz NOT NULL, v int);
INSERT INTO public.plain SELECT g, now() - g * interval '1 hour', g FROM generate_series(1, 100) g;
SELECT * FROM pg_temp.try($$CALL fitbot_partman.adopt_table(NULL, 'at')$$);
SELECT * FROM pg_temp.try($$CALL fitbot_partman.adopt_table('public.plain', 'nope')$$);
SELECT * FROM pg_temp.try($$CALL fitbot_partman.adopt_table('public.plain', 'v')$$);
SELECT * FROM pg_temp.try($$CALL fitbot_partman.adopt_table('public.plain', 'at', premake => 0)$$);
SELECT * FROM pg_temp.try($$CALL fitbot_partman.adopt_table('public.plain', 'at', retention => '-1 day')$$);
-- Already partitioned: register it instead.
CREATE TABLE public.parted (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT * FROM pg_temp.try($$CALL fitbot_partman.adopt_table('public.parted', 'at')$$);
DROP TABLE public.parted;
-- A primary key without the control column.
CREATE TABLE public.by_id (id bigint PRIMARY KEY, at timestamptz NOT NULL);
SELECT * FROM pg_temp.try($$CALL fitbot_partman.adopt_table('public.by_id', 'at')$$);
-- Incoming foreign keys.
CREATE TABLE public.referenced (id bigint, at timestamptz NOT NULL, PRIMARY KEY (id, at));
CREATE TABLE public.referencing (ref_id bigint, ref_at timestamptz, FOREIGN KEY (ref_id, ref_at) REFERENCES public.referenced);
SELECT * FROM pg_temp.try($$CALL fitbot_partman.adopt_table('public.referenced', 'at')$$);
-- Dependent views, rules and BEGIN ATOMIC functions are named.
CREATE VIEW public.plain_recent AS SELECT * FROM public.plain WHERE at > now() - interval '1 day';
CREATE FUNCTION public.plain_count() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM public.plain; END;
SELECT * FROM pg_temp.try($$CALL fitbot_partman.adopt_table('public.plain', 'at')$$);
DROP VIEW public.plain_recent;
DROP FUNCTION public.plain_count();
-- Triggers with transition tables.
CREATE FUNCTION public.noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;
CREATE TRIGGER plain_audit AFTER INSERT ON public.plain REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION public.noop();
SELECT * FROM pg_temp.try($$CALL fitbot_partman.adopt_table('public.plain', 'at')$$);
DROP TRIGGER plain_audit ON public.plain;
-- Inheritance, either way.
CREATE TABLE public.plain_child () INHERITS (public.plain);
SELECT * FROM pg_temp.try($$CALL fitbot_partman.adopt_table('public.plain', 'at')$$);
SELECT * FROM pg_temp.try($$CALL fitbot_partman.adopt_table('public.plain_child', 'at')$$);
DROP TABLE public.plain_child;
-- NULLs in the control column.
CREATE TABLE public.with_nulls (at timestamptz);
INSERT INTO public.with_nulls VALUES (now()), (NULL);
SELECT * FROM pg_temp.try($$CALL fitbot_partman.adopt_table('public.with_nulls', 'at')$$);
-- An index that ATTACH would build under the lock (left invalid by a failed
-- CREATE INDEX CONCURRENTLY).
INSERT INTO public.plain VALUES (1, (SELECT at FROM public.plain WHERE id = 1), 1);
\set VERBOSITY terse
CREATE UNIQUE INDEX CONCURRENTLY plain_at_id ON public.plain (at, id);
\set VERBOSITY default
SELECT * FROM pg_temp.try($$CALL fitbot_partman.adopt_table('public.plain', 'at')$$);
DROP INDEX public.plain_at_id;
-- Unlogged.
CREATE UNLOGGED TABLE public.scratch (at timestamptz NOT NULL);
SELECT * FROM pg_temp.try($$CALL fitbot_partman.adopt_table('public.scratch', 'at')$$);
SELECT count(*) FILTER (WHERE pg_temp.untouched(t::regclass)) AS untouched, count(*) AS refused
FROM unnest('{public.plain,public.by_id,public.referenced,public.with_nulls,public.scratch}'::text[]) t;
DROP TABLE public.by_id, public.referencing, public.referenced, public.with_nulls, public.scratch;

-- 2. setup() on a populated plain heart_rate_readings stops before changing
-- anything, naming the call that adopts it.
BEGIN;
ALTER TABLE public.heart_rate_readings RENAME TO heart_rate_readings_aside;
CREATE TABLE public.heart_rate_readings (user_id bigint NOT NULL, measured_at timestamptz NOT NULL, bpm smallint NOT NULL);
INSERT INTO public.heart_rate_readings VALUES (1, now(), 60);
SELECT * FROM pg_temp.try($$SELECT * FROM fitbot_partman.setup()$$);
SELECT relkind, (SELECT count(*) FROM public.heart_rate_readings) AS readings FROM pg_class WHERE oid = 'public.heart_rate_readings'::regclass;
ROLLBACK;

-- 3. The happy path: identity and serial columns, grants, RLS and policies,
-- row and statement triggers, comment, outgoing foreign key, replica
-- identity, statistics target, publication.
CREATE ROLE adopt_reader;
CREATE TABLE public.users (id bigint PRIMARY KEY);
INSERT INTO public.users SELECT generate_series(1, 10);
CREATE TABLE public.readings (
    id bigint GENERATED ALWAYS AS IDENTITY,
    seq serial,
    user_id bigint NOT NULL REFERENCES public.users,
    measured_at timestamptz,
    bpm int CHECK (bpm BETWEEN 20 AND 250),
    PRIMARY KEY (user_id, measured_at, id));
CREATE INDEX readings_measured_at ON public.readings (measured_at);
INSERT INTO public.readings (user_id, measured_at, bpm)
SELECT 1 + g % 10, now() - g * interval '37 minutes', 60 + g % 40 FROM generate_series(1, 20000) g;
GRANT SELECT, INSERT ON public.readings TO adopt_reader;
GRANT UPDATE (bpm) ON public.readings TO adopt_reader;
ALTER TABLE public.readings ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON public.readings FOR SELECT TO adopt_reader USING (user_id = 1);
CREATE POLICY any_insert ON public.readings FOR INSERT TO adopt_reader WITH CHECK (true);
CREATE FUNCTION public.clamp_bpm() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.bpm := least(NEW.bpm, 250); RETURN NEW; END$$;
CREATE TRIGGER readings_clamp BEFORE INSERT ON public.readings FOR EACH ROW EXECUTE FUNCTION public.clamp_bpm();
CREATE TRIGGER readings_stmt AFTER INSERT ON public.readings FOR EACH STATEMENT EXECUTE FUNCTION public.noop();
ALTER TABLE public.readings DISABLE TRIGGER readings_stmt;
COMMENT ON TABLE public.readings IS 'heart rates as measured';
ALTER TABLE public.readings ALTER COLUMN bpm SET STATISTICS 500;
ALTER TABLE public.readings REPLICA IDENTITY FULL;
CREATE PUBLICATION readings_out FOR TABLE public.readings;
CREATE TEMP TABLE before AS
SELECT (SELECT count(*) FROM public.readings) AS rows, (SELECT max(id) FROM public.readings) AS max_id,
       (SELECT relfilenode FROM pg_class WHERE oid = 'public.readings'::regclass) AS relfilenode;

SET client_min_messages = warning;  -- its notices name today's bounds
CALL fitbot_partman.adopt_table('public.readings', 'measured_at');
RESET client_min_messages;
SHOW search_path;

SELECT relkind, pg_get_partkeydef(oid) FROM pg_class WHERE oid = 'public.readings'::regclass;
-- Zero-copy: the table's own file is now the oldest partition.
SELECT count(*) AS adopted_partitions,
       bool_and(c.relname ~ '^readings_p\d{4}_\d{2}$') AS named_as_pg_partman_names_it,
       bool_and((regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz
                = date_trunc('month', now()) + interval '2 months') AS ends_at_the_month_after_next
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid, before
WHERE i.inhparent = 'public.readings'::regclass AND c.relfilenode = before.relfilenode;
SELECT (SELECT count(*) FROM public.readings) = before.rows AS lossless FROM before;
SELECT parent_table, control, partition_interval, premake FROM part_config WHERE parent_table = 'public.readings';
SELECT count(*) FILTER (WHERE lower_bound >= date_trunc('month', now()) + interval '2 months') > 0 AS future_partitions,
       count(*) FILTER (WHERE lower_bound IS NULL) AS default_partitions
FROM (SELECT (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz AS lower_bound
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.readings'::regclass) b;
-- Identity and serial continue where the table stopped.
INSERT INTO public.readings (user_id, measured_at, bpm) VALUES (1, now(), 300) RETURNING id - (SELECT max_id FROM before) AS id_after_last, bpm;
SELECT pg_get_serial_sequence('public.readings', 'seq') AS serial_sequence_owned_by_the_parent;
SELECT seq > 20000 AS serial_continues FROM public.readings WHERE bpm = 250;
-- Grants, RLS and policies, triggers, comment, replica identity, statistics.
SELECT relacl, relrowsecurity, relreplident, obj_description(oid, 'pg_class') FROM pg_class WHERE oid = 'public.readings'::regclass;
SELECT attname, attacl FROM pg_attribute WHERE attrelid = 'public.readings'::regclass AND attacl IS NOT NULL;
SELECT attname, attstattarget FROM pg_attribute WHERE attrelid = 'public.readings'::regclass AND attstattarget > 0;
SELECT policyname, cmd, roles, qual, with_check FROM pg_policies WHERE tablename = 'readings' ORDER BY 1;
SELECT tgname, tgenabled, tgparentid = 0 AS own FROM pg_trigger WHERE tgrelid = 'public.readings'::regclass AND NOT tgisinternal ORDER BY 1;
-- Indexes and constraints keep their names on the parent.
SELECT conname, contype FROM pg_constraint WHERE conrelid = 'public.readings'::regclass ORDER BY 1;
SELECT indexrelid::regclass FROM pg_index WHERE indrelid = 'public.readings'::regclass ORDER BY 1;
SELECT count(*) FILTER (WHERE pr.prrelid = 'public.readings'::regclass) AS parent_published,
       count(*) FILTER (WHERE c.relispartition) AS adopted_partition_still_published
FROM pg_publication_rel pr JOIN pg_class c ON c.oid = pr.prrelid
WHERE pr.prpubid = (SELECT oid FROM pg_publication WHERE pubname = 'readings_out');
-- Row level security is enforced through the parent.
SET ROLE adopt_reader;
SELECT count(DISTINCT user_id) AS users_visible FROM public.readings;
RESET ROLE;
-- A second call has nothing left to do.
CALL fitbot_partman.adopt_table('public.readings', 'measured_at');

-- Leave nothing behind for later suites.
SELECT t.step, t.action FROM fitbot_partman.teardown('public.readings') t WHERE t.step = 'partitioning';
DROP PUBLICATION readings_out;
DROP TABLE public.readings, public.users, public.plain;
DROP FUNCTION public.clamp_bpm(), public.noop();
DROP ROLE adopt_reader;
