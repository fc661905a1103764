-- What partition_health() is compared with, measured in the same run.

-- 1. The catalog query a careful DBA would write: pg_inherits joined to
--    pg_class, bounds decompiled with pg_get_expr and cut out with a regex.
CREATE OR REPLACE FUNCTION bench_catalog_query()
RETURNS TABLE(parent text, partitions bigint, future_partitions bigint, runway_until timestamptz, oldest_start timestamptz, total_bytes numeric)
LANGUAGE sql AS $$
    SELECT p.parent_table, count(*) FILTER (WHERE b.lower_bound IS NOT NULL),
           count(*) FILTER (WHERE b.lower_bound > now()), max(b.upper_bound), min(b.lower_bound),
           sum(c.relpages::numeric * current_setting('block_size')::int)
    FROM part_config p
    JOIN pg_namespace n ON n.nspname = split_part(p.parent_table, '.', 1)
    JOIN pg_class pc ON pc.relnamespace = n.oid AND pc.relname = split_part(p.parent_table, '.', 2)
    JOIN pg_inherits i ON i.inhparent = pc.oid
    JOIN pg_class c ON c.oid = i.inhrelid
    CROSS JOIN LATERAL (
        SELECT m[1]::timestamptz AS lower_bound, m[2]::timestamptz AS upper_bound
        FROM regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)') AS m
    ) b
    GROUP BY p.parent_table
$$;

-- 2. A PL/pgSQL report built on pg_partman's own show_partitions() and
--    show_partition_info() (which also wait on locks; see the isolation spec).
CREATE OR REPLACE FUNCTION bench_partman_report()
RETURNS TABLE(parent text, partitions bigint, future_partitions bigint, runway_until timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    config record;
    child record;
    info record;
BEGIN
    FOR config IN SELECT parent_table FROM part_config ORDER BY 1 LOOP
        parent := config.parent_table;
        partitions := 0;
        future_partitions := 0;
        runway_until := NULL;
        FOR child IN SELECT * FROM show_partitions(config.parent_table) LOOP
            SELECT * INTO info FROM show_partition_info(child.partition_schemaname || '.' || child.partition_tablename,
                                                        p_parent_table := config.parent_table);
            partitions := partitions + 1;
            IF info.child_start_time > now() THEN
                future_partitions := future_partitions + 1;
            END IF;
            runway_until := greatest(runway_until, info.child_end_time);
        END LOOP;
        RETURN NEXT;
    END LOOP;
END
$$;

-- Median and 95th percentile of `runs` executions of a statement, in ms;
-- `before` runs untimed ahead of each execution.
CREATE OR REPLACE FUNCTION bench_time(statement text, runs int, before text DEFAULT NULL,
                                      OUT median_ms numeric, OUT p95_ms numeric)
LANGUAGE plpgsql AS $$
DECLARE
    started timestamptz;
    samples numeric[] := '{}';
BEGIN
    EXECUTE statement;  -- warm caches, as a scraper's steady state
    FOR i IN 1..runs LOOP
        IF before IS NOT NULL THEN
            EXECUTE before;
        END IF;
        started := clock_timestamp();
        EXECUTE statement;
        samples := samples || (extract(epoch FROM clock_timestamp() - started) * 1000)::numeric;
    END LOOP;
    SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s)::numeric, 3),
           round(percentile_cont(0.95) WITHIN GROUP (ORDER BY s)::numeric, 3)
    INTO median_ms, p95_ms FROM unnest(samples) s;
END
$$;

-- Creates parent number n with `months` monthly partitions ending 3 months
-- ahead, and registers it.
CREATE OR REPLACE FUNCTION bench_make_parent(n int, months int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    parent text := format('bench.readings_%s', n);
    first_month timestamptz := date_trunc('month', now()) + interval '4 months' - make_interval(months => months);
BEGIN
    EXECUTE format('CREATE TABLE %s (user_id bigint NOT NULL, measured_at timestamptz NOT NULL, bpm smallint,
                    PRIMARY KEY (user_id, measured_at)) PARTITION BY RANGE (measured_at)', parent);
    FOR m IN 0..months - 1 LOOP
        EXECUTE format('CREATE TABLE %s_p%s PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', parent,
                       to_char(first_month + make_interval(months => m), 'YYYY_MM'), parent,
                       first_month + make_interval(months => m), first_month + make_interval(months => m + 1));
    END LOOP;
    PERFORM fitbot_partman.register_table(parent::regclass, 'measured_at', retention => NULL);
END
$$;
