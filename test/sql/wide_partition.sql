-- An adopted wide partition (issue 20): the OLDEST partition of a table may be
-- wider than the partition interval. register_table() accepts it, holds
-- pg_partman's retention at NULL (which would drop it whole, this month's rows
-- included) and records the retention asked for in
-- fitbot_partman.wide_partitions. A wide partition after another one, and an
-- open bound, are still refused. Fixtures are built relative to now().
\getenv abs_srcdir PG_ABS_SRCDIR
\set include :abs_srcdir '/sql/include/try.sql'
\i :include
\set include :abs_srcdir '/sql/include/undated.sql'
\i :include
CREATE FUNCTION pg_temp.month_start(shift int) RETURNS timestamptz LANGUAGE sql AS $$
    SELECT date_trunc('month', now()) + make_interval(months => shift)
$$;
CREATE FUNCTION pg_temp.attach(parent text, child text, from_shift int, to_shift int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', child, parent,
                   pg_temp.month_start(from_shift), pg_temp.month_start(to_shift));
END
$$;
CREATE FUNCTION pg_temp.state(parent text)
RETURNS TABLE(partman_retention text, held_retention interval, keep_table boolean, months_wide double precision, starts_where_held boolean)
LANGUAGE sql AS $$
    SELECT coalesce(p.retention, 'none'), w.retention, w.retention_keep_table,
           round((extract(epoch FROM w.range_end - w.range_start) / 86400 / 30.44)::numeric)::double precision,
           w.range_start = pg_temp.month_start(-18)
    FROM part_config p LEFT JOIN fitbot_partman.wide_partitions w ON w.parent = p.parent_table
    WHERE p.parent_table = $1
$$;
\pset format unaligned
\pset fieldsep ' | '
\set SHOW_CONTEXT never

-- 1. The adopted table: one partition of 20 months, [month -18, month +2), as
-- adopt_table() leaves it, with rows in each month up to now.
CREATE TABLE public.adopted (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT pg_temp.attach('adopted', 'adopted_before_partitioning', -18, 2);
INSERT INTO public.adopted SELECT s, pg_temp.month_start(s) + interval '1 day' FROM generate_series(-18, -1) s;
INSERT INTO public.adopted VALUES (0, now());
SELECT pg_temp.undated(fitbot_partman.register_table('public.adopted', 'at', retention => '1 year'));
-- pg_partman's retention is off, ours holds the year
SELECT * FROM pg_temp.state('public.adopted');
SELECT retention_keep_table FROM part_config WHERE parent_table = 'public.adopted';
-- pg_partman's partitions follow the wide one, from month +2
SELECT pg_temp.undated(partition_tablename) AS partition FROM show_partitions('public.adopted');
SELECT min(r.range_start) FILTER (WHERE r.range_start > pg_temp.month_start(-18)) = pg_temp.month_start(2) AS follows_wide
FROM fitbot_partman_internal.partition_ranges('public.adopted') r;
SELECT pg_temp.undated(wide_partition::text) AS wide_partition, range_start = pg_temp.month_start(-18) AS from_month_minus_18, range_end = pg_temp.month_start(2) AS to_month_plus_2
FROM fitbot_partman_internal.wide_partition_of('public.adopted');
SELECT pg_temp.undated(fitbot_partman_internal.registration_summary('public.adopted'));

-- 2. Registering again: retention left out keeps the held one; a new one is
-- held too, never handed to pg_partman while the wide partition exists.
SELECT fitbot_partman.register_table('public.adopted', 'at', premake => 4);
SELECT * FROM pg_temp.state('public.adopted');
SELECT fitbot_partman.register_table('public.adopted', 'at', retention => '2 years', keep_table => true);
SELECT * FROM pg_temp.state('public.adopted');
SELECT fitbot_partman.register_table('public.adopted', 'at', retention => '1 year', keep_table => false);
SELECT * FROM pg_temp.state('public.adopted');
-- pg_partman's own maintenance leaves every row
SELECT 'maintained' AS run_maintenance, (SELECT count(*) FROM public.adopted) AS rows_kept FROM (SELECT run_maintenance('public.adopted')) m;

-- 3. Without retention given, existing partitions are kept: nothing is held back.
CREATE TABLE public.adopted_kept (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT pg_temp.attach('adopted_kept', 'adopted_kept_past', -18, 2);
SELECT pg_temp.undated(fitbot_partman.register_table('public.adopted_kept', 'at'));
SELECT * FROM pg_temp.state('public.adopted_kept');

-- 4. Refused as before: a wide partition after an older one, and an open bound.
CREATE TABLE public.wide_middle (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT pg_temp.attach('wide_middle', 'wide_middle_oldest', -20, -19);
SELECT pg_temp.attach('wide_middle', 'wide_middle_wide', -19, 2);
SELECT state, pg_temp.undated(message), hint FROM pg_temp.try($$SELECT fitbot_partman.register_table('public.wide_middle', 'at', retention => '1 year')$$);
CREATE TABLE public.wide_open (at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE public.wide_open_past PARTITION OF public.wide_open FOR VALUES FROM (MINVALUE) TO ('2001-01-01');
SELECT state, message FROM pg_temp.try($$SELECT fitbot_partman.register_table('public.wide_open', 'at', retention => '1 year')$$);
SELECT count(*) AS refused_registered FROM part_config WHERE parent_table IN ('public.wide_middle', 'public.wide_open');
SELECT count(*) AS refused_held FROM fitbot_partman.wide_partitions WHERE parent IN ('public.wide_middle', 'public.wide_open');

-- 5. A monitor reads the held retention; teardown forgets it.
SET ROLE pg_monitor;
SELECT parent, retention FROM fitbot_partman.wide_partitions ORDER BY parent;
RESET ROLE;
SELECT step, action FROM fitbot_partman.teardown('public.adopted') WHERE step = 'partitioning';
SELECT step, action FROM fitbot_partman.teardown('public.adopted_kept') WHERE step = 'partitioning';
SELECT count(*) AS held_after_teardown FROM fitbot_partman.wide_partitions;
SELECT count(*) AS rows_after_teardown FROM public.adopted;

DROP TABLE public.adopted, public.adopted_kept, public.wide_middle, public.wide_open;
