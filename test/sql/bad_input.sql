-- Bad input: a specific SQLSTATE, a message in PostgreSQL's style, a hint,
-- and nothing changed.
\getenv abs_srcdir PG_ABS_SRCDIR
\set include :abs_srcdir '/sql/include/try.sql'
\i :include

CREATE TEMP TABLE before AS
SELECT (SELECT count(*) FROM part_config) AS registrations,
       (SELECT count(*) FROM cron.job) AS jobs,
       (SELECT string_agg(schedule, ',') FROM cron.job) AS schedules;

CREATE TABLE plain_table (id int, ts timestamptz);
CREATE TABLE list_parted (region text, ts timestamptz) PARTITION BY LIST (region);
CREATE TABLE by_id (id bigint, ts timestamptz) PARTITION BY RANGE (id);
CREATE TABLE two_keys (a timestamptz, b timestamptz) PARTITION BY RANGE (a, b);
CREATE TABLE good_parent (id bigint, ts timestamptz NOT NULL, note text) PARTITION BY RANGE (ts);

\pset format unaligned
\pset fieldsep ' | '
-- register_table
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('no_such_table', 'ts')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table(4242424::oid::regclass, 'ts')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('plain_table', 'ts')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('list_parted', 'ts')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('by_id', 'id')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('by_id', 'ts')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('two_keys', 'a')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('good_parent', 'no_such_column')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('good_parent', 'ts', premake => 0)$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('good_parent', 'ts', premake => -3)$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('good_parent', 'ts', partition_interval => '0 days')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('good_parent', 'ts', partition_interval => '-1 month')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('good_parent', 'ts', retention => '-1 year')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('good_parent', 'ts', retention => '0')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('good_parent', NULL)$$);
-- the already registered readings table cannot silently change interval or column
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('public.heart_rate_readings', 'measured_at', '1 day')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.register_table('public.heart_rate_readings', 'ingested_at')$$);

-- cron expressions, through schedule_maintenance and setup
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('61 2 20 * *')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('0 24 20 * *')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('0 2 32 * *')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('0 2 0 * *')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('0 2 20 13 *')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('0 2 20 * 8')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('0 2 20 *')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('0 2 20 * * *')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('   ')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('0 2 20 * *; DROP TABLE public.heart_rate_readings')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('0 2 20 * *'')--')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance(repeat('1,', 5000) || '1 2 20 * *')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('*/0 2 20 * *')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('0 2 31 2 *')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('0 2 30,31 2 *')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('@reboot')$$);
SELECT * FROM pg_temp.try($$SELECT * FROM fitbot_partman.setup('0 2 31 2 *')$$);
SELECT * FROM pg_temp.try($$SELECT * FROM fitbot_partman.setup('five seconds')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.next_run('0 2 20 * *', now(), 'Mars/Olympus_Mons')$$);
-- pg_cron version rules: the installed pg_cron (1.4 here) decides what
-- schedule_maintenance() takes; text pg_cron would ignore is refused.
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('0 2 $ * *')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('*/100 2 20 * *')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('0 22-2 20 * *')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('*x 2 20 * *')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.schedule_maintenance('30 seconds')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.validate_schedule('0 2 20 * * garbage')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.next_run('0 2 $ * *', now(), NULL, '1.4')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.next_run('*/100 * * * *', now(), NULL, '1.6.5')$$);
SELECT * FROM pg_temp.try($$SELECT fitbot_partman.next_run('0 2 20 * *', now(), NULL, 'latest')$$);

-- teardown / partitions of tables that are not ours
SELECT * FROM pg_temp.try($$SELECT * FROM fitbot_partman.partitions('plain_table')$$);
\pset format aligned

-- nothing changed
SELECT (SELECT count(*) FROM part_config) = registrations AS registrations_unchanged,
       (SELECT count(*) FROM cron.job) = jobs AS jobs_unchanged,
       (SELECT string_agg(schedule, ',') FROM cron.job) = schedules AS schedules_unchanged
FROM before;
SELECT count(*) AS partitions_of_good_parent FROM pg_inherits WHERE inhparent = 'good_parent'::regclass;

DROP TABLE plain_table, list_parted, by_id, two_keys, good_parent;
