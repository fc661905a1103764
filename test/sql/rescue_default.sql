-- rescue_default(): rows stranded in the default partition move where they
-- belong, inside the window maintenance keeps; rows outside it go to a
-- quarantine table. No row is ever lost, no far or doomed partition is made.
CREATE TABLE hr_rescue (user_id bigint NOT NULL, measured_at timestamptz NOT NULL, bpm smallint,
                        PRIMARY KEY (user_id, measured_at)) PARTITION BY RANGE (measured_at);
SELECT fitbot_partman.register_table('hr_rescue', 'measured_at');
-- A month in the window without its partition (dropped by hand): a gap.
DO $$
BEGIN
    EXECUTE format('DROP TABLE %s', (SELECT partition_name FROM fitbot_partman.partitions('hr_rescue')
                                     WHERE range_start = date_trunc('month', now()) - interval '2 months'));
END
$$;
-- 500 readings in that month, 1,000 in January 1970 (long past retention)
-- and 2,000 in 2100 (far beyond premake): all in default.
INSERT INTO hr_rescue
SELECT g % 7, date_trunc('month', now()) - interval '2 months' + g * interval '71 minutes', 40 + g % 100 FROM generate_series(1, 500) g;
INSERT INTO hr_rescue
SELECT g % 7, '1970-01-01 00:00+00'::timestamptz + g * interval '13 minutes', 40 + g % 100 FROM generate_series(1, 1000) g;
INSERT INTO hr_rescue
SELECT g % 7, '2100-01-01 00:00+00'::timestamptz + g * interval '7 hours', 40 + g % 100 FROM generate_series(1, 2000) g;
CREATE TEMP TABLE before AS
SELECT count(*) AS n, md5(string_agg(format('%s|%s|%s', user_id, measured_at, bpm), ',' ORDER BY user_id, measured_at)) AS checksum
FROM hr_rescue;
SELECT count(*) AS in_default FROM hr_rescue_default;
SELECT default_rows, gaps, status FROM fitbot_partman.partition_health() WHERE parent = 'hr_rescue'::regclass;

-- Bad input changes nothing.
SELECT fitbot_partman.rescue_default('hr_rescue', 0);
SELECT fitbot_partman.rescue_default('hr_rescue', 10, NULL);
SELECT fitbot_partman.rescue_default('pg_class', 10);

-- Cancelled half way -- after exactly 1,500 rows have moved, by a trigger
-- that raises query_canceled as a cancel request would -- it rolls back whole.
CREATE TEMP SEQUENCE moved_rows;
CREATE FUNCTION pg_temp.cancel_half_way() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF nextval('moved_rows') > 1500 THEN
        RAISE EXCEPTION 'canceling statement due to user request' USING ERRCODE = 'query_canceled';
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER cancel_half_way BEFORE DELETE ON hr_rescue_default FOR EACH ROW EXECUTE FUNCTION pg_temp.cancel_half_way();
\set SHOW_CONTEXT never
SET client_min_messages = error;
SELECT fitbot_partman.rescue_default('hr_rescue', 50);
RESET client_min_messages;
\set SHOW_CONTEXT errors
SELECT currval('moved_rows') > 1500 AS cancelled_half_way;
DROP TRIGGER cancel_half_way ON hr_rescue_default;
SELECT count(*) = (SELECT n FROM before) AS nothing_lost_after_cancel,
       count(*) FILTER (WHERE tableoid = 'hr_rescue_default'::regclass) AS still_in_default,
       to_regclass('hr_rescue_quarantine') IS NULL AS no_quarantine_left
FROM hr_rescue;

-- Started again, it finishes: the gap month is partitioned, 1970 and 2100
-- are quarantined with a warning that gives their dates.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SELECT fitbot_partman.rescue_default('hr_rescue', 500) AS rows_partitioned \gset
RESET client_min_messages;
\set SHOW_CONTEXT errors
SELECT :rows_partitioned AS rows_partitioned;
SELECT count(*) AS in_default FROM hr_rescue_default;
SELECT count(*) AS quarantined, min(measured_at) AS oldest, max(measured_at) AS newest FROM hr_rescue_quarantine;
SELECT relispartition AS quarantine_attached, obj_description('hr_rescue_quarantine'::regclass) ~ 'rescue_default' AS commented
FROM pg_class WHERE oid = 'hr_rescue_quarantine'::regclass;
SELECT count(*) = b.n AND md5(string_agg(format('%s|%s|%s', user_id, measured_at, bpm), ',' ORDER BY user_id, measured_at)) = b.checksum AS identical
FROM (SELECT * FROM hr_rescue UNION ALL SELECT * FROM hr_rescue_quarantine) r, before b GROUP BY b.n, b.checksum;
-- No partition for 1970 or 2100; the gap is filled.
SELECT count(*) FILTER (WHERE range_start < now() - interval '2 years' OR range_start > now() + interval '2 years') AS far_partitions
FROM fitbot_partman.partitions('hr_rescue') WHERE state <> 'default';
SELECT default_rows, gaps, status, reasons FROM fitbot_partman.partition_health() WHERE parent = 'hr_rescue'::regclass;
-- Each moved row sits in the partition whose range holds it.
SELECT bool_and(p.range_start <= r.measured_at AND r.measured_at < p.range_end) AS rows_in_their_range
FROM hr_rescue r JOIN fitbot_partman.partitions('hr_rescue') p ON p.partition_name::regclass = r.tableoid;

-- Asked to partition everything, it makes every partition up to the rows,
-- contiguous, so no gap and no far lone partition ever appears.
INSERT INTO hr_rescue SELECT 1, date_trunc('month', now()) + interval '6 months' + interval '3 days', 70;
SET client_min_messages = warning;
SELECT fitbot_partman.rescue_default('hr_rescue', partition_all => true) AS rows_partitioned;
RESET client_min_messages;
SELECT default_rows, gaps, future_partitions FROM fitbot_partman.partition_health() WHERE parent = 'hr_rescue'::regclass;

SELECT step, action FROM fitbot_partman.teardown('hr_rescue');
DROP TABLE hr_rescue, hr_rescue_quarantine;

-- The grid is walked in the zone the partitions were made in, whatever the
-- caller's: made in UTC, rescued from New York (where the 1st at 00:00 UTC is
-- the evening before) and from Kolkata (+05:30). Before, the months drifted
-- and the new partition overlapped a neighbour or took its name.
SET TimeZone = 'UTC';
CREATE TABLE hr_zone (measured_at timestamptz NOT NULL, bpm smallint) PARTITION BY RANGE (measured_at);
SET client_min_messages = warning;
SELECT fitbot_partman.register_table('hr_zone', 'measured_at') IS NOT NULL AS registered;
RESET client_min_messages;
CREATE FUNCTION pg_temp.strand(months_back integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DROP TABLE %s', (SELECT partition_name FROM fitbot_partman.partitions('hr_zone')
                                     WHERE range_start = date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                                                         - make_interval(months => months_back)));
    INSERT INTO hr_zone
    SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => months_back)) AT TIME ZONE 'UTC'
           + g * interval '7 hours', 60 FROM generate_series(0, 79) g;
END
$$;
SELECT pg_temp.strand(2);
SET TimeZone = 'America/New_York';
SET client_min_messages = warning;
SELECT fitbot_partman.rescue_default('hr_zone') AS rescued_from_new_york;
RESET client_min_messages;
SET TimeZone = 'UTC';
SELECT pg_temp.strand(1);
SET TimeZone = 'Asia/Kolkata';
SET client_min_messages = warning;
SELECT fitbot_partman.rescue_default('hr_zone') AS rescued_from_kolkata;
RESET client_min_messages;
SET TimeZone = 'UTC';
SELECT count(*) AS rows_kept, count(*) FILTER (WHERE tableoid = 'hr_zone_default'::regclass) AS in_default FROM hr_zone;
SELECT bool_and((range_start AT TIME ZONE 'UTC')::time = '00:00' AND extract(day FROM range_start AT TIME ZONE 'UTC') = 1
                AND partition_name::text = 'public.hr_zone_p' || to_char(range_start AT TIME ZONE 'UTC', 'YYYY_MM')) AS utc_months_named_so
FROM fitbot_partman.partitions('hr_zone') WHERE state <> 'default';
SELECT default_rows, gaps FROM fitbot_partman.partition_health() WHERE parent = 'hr_zone'::regclass;
-- Partitions laid out in a zone it cannot tell (Kathmandu, +05:45) are
-- refused with the fix, not broken.
SET TimeZone = 'Asia/Kathmandu';
CREATE TABLE hr_zone_np (measured_at timestamptz NOT NULL) PARTITION BY RANGE (measured_at);
SET client_min_messages = warning;
SELECT fitbot_partman.register_table('hr_zone_np', 'measured_at') IS NOT NULL AS registered;
RESET client_min_messages;
INSERT INTO hr_zone_np VALUES ('2000-01-01 00:00+00');
SET TimeZone = 'America/New_York';
SET client_min_messages = notice;
DO $$
DECLARE state text; message text; hint text;
BEGIN
    PERFORM fitbot_partman.rescue_default('hr_zone_np', partition_all => true);
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
    RAISE NOTICE '% %; hint: %', state, message, hint;
END
$$;
SELECT count(*) AS still_in_default FROM hr_zone_np_default;
RESET TimeZone;
SET client_min_messages = warning;
SELECT count(*) AS steps FROM fitbot_partman.teardown('hr_zone');
SELECT count(*) AS steps FROM fitbot_partman.teardown('hr_zone_np');
RESET client_min_messages;
DROP TABLE hr_zone, hr_zone_np;
