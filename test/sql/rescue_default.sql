-- rescue_default(): rows stranded in the default partition move where they
-- belong; every row keeps its content.
CREATE TABLE hr_rescue (user_id bigint NOT NULL, measured_at timestamptz NOT NULL, bpm smallint,
                        PRIMARY KEY (user_id, measured_at)) PARTITION BY RANGE (measured_at);
SELECT fitbot_partman.register_table('hr_rescue', 'measured_at');
-- 2,000 readings 2 to 3 years ahead and 1,000 some 5 years back: all in default.
INSERT INTO hr_rescue
SELECT g % 7, date_trunc('month', now()) + interval '2 years' + g * interval '7 hours', 40 + g % 100 FROM generate_series(1, 2000) g;
INSERT INTO hr_rescue
SELECT g % 7, date_trunc('month', now()) - interval '5 years' + g * interval '13 minutes', 40 + g % 100 FROM generate_series(1, 1000) g;
CREATE TEMP TABLE before AS
SELECT count(*) AS n, md5(string_agg(format('%s|%s|%s', user_id, measured_at, bpm), ',' ORDER BY user_id, measured_at)) AS checksum
FROM hr_rescue;
SELECT count(*) AS in_default FROM hr_rescue_default;
SELECT default_rows, status FROM fitbot_partman.partition_health() WHERE parent = 'hr_rescue'::regclass;

-- Bad input changes nothing.
SELECT fitbot_partman.rescue_default('hr_rescue', 0);
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
SET client_min_messages = warning;
SELECT fitbot_partman.rescue_default('hr_rescue', 50);
RESET client_min_messages;
\set SHOW_CONTEXT errors
SELECT currval('moved_rows') > 1500 AS cancelled_half_way;
DROP TRIGGER cancel_half_way ON hr_rescue_default;
SELECT count(*) = (SELECT n FROM before) AS nothing_lost_after_cancel,
       count(*) FILTER (WHERE tableoid = 'hr_rescue_default'::regclass) AS still_in_default
FROM hr_rescue;

-- Started again, it finishes.
SET client_min_messages = warning;
SELECT fitbot_partman.rescue_default('hr_rescue', 500) AS rows_moved;
RESET client_min_messages;
SELECT count(*) AS in_default FROM hr_rescue_default;
SELECT count(*) = b.n AND md5(string_agg(format('%s|%s|%s', user_id, measured_at, bpm), ',' ORDER BY user_id, measured_at)) = b.checksum AS identical
FROM hr_rescue, before b GROUP BY b.n, b.checksum;
SELECT default_rows, gaps > 0 AS has_gaps FROM fitbot_partman.partition_health() WHERE parent = 'hr_rescue'::regclass;
-- Each moved row sits in the partition whose range holds it.
SELECT bool_and(p.range_start <= r.measured_at AND r.measured_at < p.range_end) AS rows_in_their_range
FROM hr_rescue r JOIN fitbot_partman.partitions('hr_rescue') p ON p.partition_name::regclass = r.tableoid;
-- Progress is reported as NOTICEs.
INSERT INTO hr_rescue VALUES (1, '2040-01-15 12:00+00', 70), (2, '2040-01-20 08:00+00', 71);
SELECT fitbot_partman.rescue_default('hr_rescue', 1);
SELECT tableoid::regclass, count(*) FROM hr_rescue WHERE measured_at >= '2040-01-01' GROUP BY 1;
SELECT step, action FROM fitbot_partman.teardown('hr_rescue');
DROP TABLE hr_rescue;
