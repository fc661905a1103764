-- register_table(): an argument left out keeps its registered value, deleting
-- data starts only when asked, bounds on premake, names pg_partman would
-- confuse, and tables that already have partitions (partitioned by hand,
-- managed by pg_partman before). Fixtures are built relative to now().
\getenv abs_srcdir PG_ABS_SRCDIR
\set include :abs_srcdir '/sql/include/try.sql'
\i :include
\set include :abs_srcdir '/sql/include/undated.sql'
\i :include
CREATE FUNCTION pg_temp.config(parent text) RETURNS TABLE(premake int, retention text, keep_table boolean, keep_index boolean, infinite boolean)
LANGUAGE sql AS $$
    SELECT premake, coalesce(retention, 'none'), retention_keep_table, retention_keep_index, infinite_time_partitions
    FROM part_config WHERE parent_table = parent
$$;
-- One instant per month around now, in the session's zone (as pg_partman cuts them).
CREATE FUNCTION pg_temp.month_start(shift int) RETURNS timestamptz LANGUAGE sql AS $$
    SELECT date_trunc('month', now()) + make_interval(months => shift)
$$;
CREATE FUNCTION pg_temp.hand_partition(parent text, child text, shift int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', child, parent,
                   pg_temp.month_start(shift), pg_temp.month_start(shift + 1));
END
$$;
\pset format unaligned
\pset fieldsep ' | '
\set SHOW_CONTEXT never

-- 1. Changing only premake never turns on deletion (issue 19, critical 4).
CREATE TABLE public.evt (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT fitbot_partman.register_table('public.evt', 'at', retention => NULL);
SELECT fitbot_partman.register_table('public.evt', 'at', premake => 4);
SELECT * FROM pg_temp.config('public.evt');
-- left out entirely: nothing changes
SELECT fitbot_partman.register_table('public.evt', 'at');
-- a 1.0 call with every argument, retention NULL: still means keep forever
SELECT fitbot_partman.register_table('public.evt', 'at', '1 month', 4, NULL, false);
-- deleting starts only when asked, and the answer says so
SELECT fitbot_partman.register_table('public.evt', 'at', retention => '1 year');
SELECT fitbot_partman.register_table('public.evt', 'at', premake => 3);
SELECT * FROM pg_temp.config('public.evt');
-- and stops when asked
SELECT fitbot_partman.register_table('public.evt', 'at', retention => NULL);
SELECT * FROM pg_temp.config('public.evt');
-- a new table, retention left out: the documented default
CREATE TABLE public.evt_new (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT fitbot_partman.register_table('public.evt_new', 'at');
SELECT * FROM pg_temp.config('public.evt_new');
-- interval left out on a registered daily table: kept, not reset to a month
CREATE TABLE public.evt_daily (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT fitbot_partman.register_table('public.evt_daily', 'at', '1 day', premake => 40, retention => '90 days');
SELECT fitbot_partman.register_table('public.evt_daily', 'at', premake => 45);
SELECT partition_interval, premake, retention FROM part_config WHERE parent_table = 'public.evt_daily';

-- 2. A table pg_partman already manages with other settings (issue 20, item
-- 4): taken over, every change reported, its kept data never deleted.
CREATE TABLE public.managed (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT count(*) AS created FROM create_parent('public.managed', 'at', 'native', '1 month', p_premake := 5);
SELECT * FROM pg_temp.config('public.managed');
SELECT fitbot_partman.register_table('public.managed', 'at');
SELECT * FROM pg_temp.config('public.managed');
SELECT fitbot_partman.register_table('public.managed', 'at', keep_table => false);

-- 3. premake has bounds (issue 19, major 6), and refusals change nothing.
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('public.evt', 'at', premake => 2147483647)$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('public.evt', 'at', premake => 1001)$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('public.evt', 'at', premake => 300)$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('public.evt', 'at', premake => 241)$$);
CREATE TABLE public.evt_yearly (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('public.evt_yearly', 'at', '1 year', premake => 21)$$);
SELECT * FROM pg_temp.config('public.evt');
SELECT count(*) AS yearly_registered FROM part_config WHERE parent_table = 'public.evt_yearly';

-- 4. Names pg_partman would cut to the same partition names (issue 19, major 7).
CREATE TABLE public.heart_rate_readings_from_wrist_worn_devices_of_every_user_left (at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE public.heart_rate_readings_from_wrist_worn_devices_of_every_user_right (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT fitbot_partman.register_table('public.heart_rate_readings_from_wrist_worn_devices_of_every_user_left', 'at');
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('public.heart_rate_readings_from_wrist_worn_devices_of_every_user_right', 'at')$$);
SELECT count(*) AS right_registered, (SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.heart_rate_readings_from_wrist_worn_devices_of_every_user_right'::regclass) AS right_partitions
FROM part_config WHERE parent_table = 'public.heart_rate_readings_from_wrist_worn_devices_of_every_user_right';
-- a plain table already named like a partition about to be made
CREATE TABLE public.clash (at timestamptz NOT NULL) PARTITION BY RANGE (at);
DO $$ BEGIN EXECUTE format('CREATE TABLE public.%I (at timestamptz)', 'clash_p' || to_char(now(), 'YYYY_MM')); END $$;
SELECT state, pg_temp.undated(message), pg_temp.undated(hint) FROM pg_temp.try($$SELECT fitbot_partman.register_table('public.clash', 'at')$$);

-- 5. teardown(NULL) is refused.
SELECT * FROM pg_temp.try($$SELECT * FROM fitbot_partman.teardown(NULL)$$);

-- 6. A runway that ends before the next scheduled run gets a WARNING. The
-- schedule fires on the day of the month ten days from now (9 to 11 days
-- away, whatever today is); 3 daily partitions ahead end sooner.
CREATE TEMP TABLE saved_schedule AS SELECT value FROM fitbot_partman.maintenance_settings WHERE setting = 'job_schedule';
INSERT INTO fitbot_partman.maintenance_settings VALUES ('job_schedule', format('0 2 %s * *', extract(day FROM now() + interval '10 days')))
ON CONFLICT (setting) DO UPDATE SET value = excluded.value;
CREATE TABLE public.runway_short (at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE public.runway_long (at timestamptz NOT NULL) PARTITION BY RANGE (at);
\set VERBOSITY terse
SELECT fitbot_partman.register_table('public.runway_short', 'at', '1 day', premake => 3);
SELECT fitbot_partman.register_table('public.runway_long', 'at', '1 day', premake => 40);
\set VERBOSITY default
DELETE FROM fitbot_partman.maintenance_settings WHERE setting = 'job_schedule';
INSERT INTO fitbot_partman.maintenance_settings SELECT 'job_schedule', value FROM saved_schedule;

-- 7. A table partitioned by hand (issue 20, item 3): registered as it is.
-- Partitions -3..+1 months around now, named readings2_YYYY_MM, the month
-- before this one missing (a hole), with rows in each.
CREATE TABLE public.readings2 (id bigint, measured_at timestamptz NOT NULL) PARTITION BY RANGE (measured_at);
SELECT count(pg_temp.hand_partition('readings2', 'readings2_' || to_char(pg_temp.month_start(s), 'YYYY_MM'), s)) AS hand_partitions
FROM generate_series(-3, 1) s WHERE s <> -1;
INSERT INTO public.readings2 SELECT s * 100 + g, pg_temp.month_start(s) + g * interval '1 hour'
FROM generate_series(-3, 1) s, generate_series(1, 50) g WHERE s <> -1;
CREATE TEMP TABLE readings2_before AS
SELECT count(*) AS n, md5(string_agg(format('%s|%s', id, measured_at), ',' ORDER BY id)) AS checksum FROM public.readings2;
SELECT pg_temp.undated(fitbot_partman.register_table('public.readings2', 'measured_at'));
SELECT * FROM pg_temp.config('public.readings2');
-- every row kept, where it was
SELECT count(*) = b.n AND md5(string_agg(format('%s|%s', id, measured_at), ',' ORDER BY id)) = b.checksum AS every_row_kept,
       count(*) FILTER (WHERE r.tableoid::regclass::text LIKE '%default') AS in_default
FROM public.readings2 r, readings2_before b GROUP BY b.n, b.checksum;
-- hand partitions kept, pg_partman's follow the last one without a gap
SELECT pg_temp.undated(partition_tablename) AS partition, pg_temp.undated(partition_tablename) ~ '_p' AS made_by_pg_partman
FROM show_partitions('public.readings2');
SELECT (SELECT min(r.range_start) FROM fitbot_partman_internal.partition_ranges('public.readings2') r
        WHERE r.range_start >= pg_temp.month_start(2)) = pg_temp.month_start(2) AS follows_last;
-- maintenance reads it
SELECT 'maintained' AS run_maintenance FROM (SELECT run_maintenance('public.readings2')) m;

-- pg_partman 4.7 reads temp_probes_2026_12 as "robes_2026_12": renamed.
CREATE TABLE public.temp_probes (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT count(pg_temp.hand_partition('temp_probes', 'temp_probes_' || to_char(pg_temp.month_start(s), 'YYYY_MM'), s)) AS hand_partitions FROM generate_series(-1, 0) s;
INSERT INTO public.temp_probes VALUES (now());
SELECT pg_temp.undated(fitbot_partman.register_table('public.temp_probes', 'at', retention => '1 year'));
SELECT pg_temp.undated(partition_tablename) AS partition FROM show_partitions('public.temp_probes');
SELECT 'maintained' AS run_maintenance, (SELECT count(*) FROM public.temp_probes) AS rows_kept FROM (SELECT run_maintenance('public.temp_probes')) m;

-- A partition wider than the interval after an older one (only the oldest
-- may be wide: wide_partition.sql), and an open bound: refused.
CREATE TABLE public.wide (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT count(pg_temp.hand_partition('wide', c, s)) AS hand_partitions FROM (VALUES ('wide_oldest', -16), ('wide_past', -3)) v(c, s);
DO $$ BEGIN EXECUTE format('CREATE TABLE public.wide_older PARTITION OF public.wide FOR VALUES FROM (%L) TO (%L)',
                           pg_temp.month_start(-15), pg_temp.month_start(-3)); END $$;
SELECT state, pg_temp.undated(message), hint FROM pg_temp.try($$SELECT fitbot_partman.register_table('public.wide', 'at')$$);
CREATE TABLE public.open_bound (at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE public.open_bound_past PARTITION OF public.open_bound FOR VALUES FROM (MINVALUE) TO ('2001-01-01');
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('public.open_bound', 'at')$$);
SELECT count(*) AS refused_registered FROM part_config WHERE parent_table IN ('public.wide', 'public.open_bound');

-- Leave nothing behind for later suites.
SELECT count(*) AS torn_down FROM part_config p, fitbot_partman.teardown(p.parent_table::regclass) t
WHERE p.parent_table <> 'public.heart_rate_readings' AND t.step = 'partitioning';
DROP TABLE public.evt, public.evt_new, public.evt_daily, public.managed, public.evt_yearly,
           public.heart_rate_readings_from_wrist_worn_devices_of_every_user_left,
           public.heart_rate_readings_from_wrist_worn_devices_of_every_user_right,
           public.clash, public.runway_short, public.runway_long, public.readings2, public.temp_probes,
           public.wide, public.open_bound;
DO $$ BEGIN EXECUTE format('DROP TABLE public.%I', 'clash_p' || to_char(now(), 'YYYY_MM')); END $$;
