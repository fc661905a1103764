-- teardown() and DROP EXTENSION never lose a row.
CREATE TEMP TABLE readings_before AS
SELECT count(*) AS n, md5(string_agg(format('%s|%s|%s', user_id, measured_at, bpm), ',' ORDER BY user_id, measured_at)) AS checksum
FROM public.heart_rate_readings;
CREATE TEMP TABLE partitions_before AS
SELECT count(*) AS n FROM pg_inherits WHERE inhparent = 'public.heart_rate_readings'::regclass;

SELECT step, action, detail FROM fitbot_partman.teardown();
SELECT count(*) AS registrations FROM part_config;
SELECT count(*) AS jobs FROM cron.job;
SELECT (SELECT n FROM partitions_before) = count(*) AS partitions_kept
FROM pg_inherits WHERE inhparent = 'public.heart_rate_readings'::regclass;
-- Again: nothing left to do.
SELECT step, action FROM fitbot_partman.teardown();

-- Set up again, then drop the extension: the readings stay, pg_partman stays.
SELECT step, action FROM fitbot_partman.setup();
DROP EXTENSION fitbot_partman;
SELECT to_regclass('public.heart_rate_readings') IS NOT NULL AS table_kept,
       (SELECT n FROM partitions_before) <= (SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.heart_rate_readings'::regclass) AS partitions_kept,
       (SELECT count(*) FROM pg_extension WHERE extname = 'pg_partman') AS partman_kept;
SELECT count(*) = b.n AND md5(string_agg(format('%s|%s|%s', user_id, measured_at, bpm), ',' ORDER BY user_id, measured_at)) = b.checksum AS every_row_kept
FROM public.heart_rate_readings, readings_before b GROUP BY b.n, b.checksum;

-- Back to a set-up state for later suites.
CREATE EXTENSION fitbot_partman;
SELECT step, action FROM fitbot_partman.setup();
