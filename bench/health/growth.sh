#!/usr/bin/env bash
# Benchmark: how partition_health() grows to 60,000 partitions, in two shapes:
#   A. 500 parents x 120 monthly partitions (many tables, ten years each);
#   B. 10 parents x 6,000 daily partitions (few tables, long daily series).
# At each size: warm (nothing changed since the last call), after a change to
# one managed partition (that parent re-read), after a change elsewhere, and a
# fresh backend's first call; the catalog query a DBA would write is the
# baseline, measured at the same size. Then the cost per partition and the
# least-squares slope of each column (ms per 1,000 partitions): the cost per
# partition must not rise with scale. Takes a while (it creates 120,000
# tables); not part of the test suite. Needs make install; run as root.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
RUNS=${RUNS:-15}

work=$(mktemp -d /tmp/fitbot-bench-growth.XXXXXX)
chmod 755 "$work"
trap 'status=$?; cluster_stop "$work/a" 2>/dev/null; cluster_stop "$work/b" 2>/dev/null; rm -rf "$work"; exit $status' EXIT

# A parent with `count` partitions of `step` ('1 month' or '1 day') ending
# three steps ahead of now; a commit every 500 partitions keeps the lock
# table small.
MAKE_PARENT=$(cat <<'SQL'
CREATE OR REPLACE PROCEDURE bench_make_series(n int, count int, step interval) LANGUAGE plpgsql AS $$
DECLARE
    parent text := format('bench.series_%s', n);
    first timestamptz := date_trunc(CASE WHEN step = interval '1 day' THEN 'day' ELSE 'month' END, now())
                         + 4 * step - count * step;
    -- pg_partman 4.7's names, so that registering finds its own partitions.
    suffix text := CASE WHEN step = interval '1 day' THEN 'YYYY_MM_DD' ELSE 'YYYY_MM' END;
BEGIN
    EXECUTE format('CREATE TABLE %s (user_id bigint NOT NULL, measured_at timestamptz NOT NULL, bpm smallint,
                    PRIMARY KEY (user_id, measured_at)) PARTITION BY RANGE (measured_at)', parent);
    FOR i IN 0..count - 1 LOOP
        EXECUTE format('CREATE TABLE %s_p%s PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', parent,
                       to_char(first + i * step, suffix), parent, first + i * step, first + (i + 1) * step);
        IF i % 500 = 499 THEN
            COMMIT;
        END IF;
    END LOOP;
    PERFORM fitbot_partman.register_table(parent::regclass, 'measured_at', partition_interval => step, retention => NULL);
END
$$;
SQL
)

measure() {  # measure STATEMENT [BEFORE] -> median ms, server-side
    local before=${2:+\$\$$2\$\$}
    sql -c "SELECT median_ms FROM bench_time(\$\$$1\$\$, $RUNS, ${before:-NULL})"
}
fresh() {  # a fresh backend's first call, median ms over RUNS connections
    for _ in $(seq "$RUNS"); do
        psql -X -At -c '\timing on' -c "$1" | awk '/^Time:/ {print $2}'
    done | sort -n | awk '{v[NR] = $1} END {printf "%.3f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
HEALTH='SELECT count(*) FROM fitbot_partman.partition_health()'
ELSEWHERE='CREATE TEMP TABLE bench_catalog_change (); DROP TABLE bench_catalog_change'
touch_one() {  # the statement that rewrites the pg_class row of parent 1's first partition
    echo "DO \$b\$BEGIN EXECUTE format(\$f\$ALTER TABLE %s SET (fillfactor = 100)\$f\$, (SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = \$r\$bench.series_1\$r\$::regclass ORDER BY inhrelid LIMIT 1)); END \$b\$;"
}

# run_shape DIR LABEL PARENTS COUNT STEP CHECKPOINTS... -> table rows, and
# "partitions warm touched elsewhere fresh catalog" lines in DIR/points
run_shape() {
    local dir=$1 label=$2 parents=$3 count=$4 step=$5; shift 5
    cluster_start "$dir" fitbot >/dev/null
    bench_setup
    sql -c "CREATE SCHEMA bench;"
    sql -f bench/health/baselines.sql >/dev/null
    sql -c "$MAKE_PARENT" >/dev/null
    echo "## Shape $label: up to $parents parents x $count partitions of $step"
    printf '| %10s | %7s | %8s | %10s | %12s | %9s | %10s | %11s |\n' partitions parents warm_ms touched_ms elsewhere_ms fresh_ms catalog_ms us_per_part
    printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' ------------ --------- ---------- ------------ -------------- ----------- ------------ -------------
    local built=0 checkpoint
    for checkpoint in "$@"; do
        while [ "$built" -lt "$checkpoint" ]; do
            built=$((built + 1))
            sql -c "SET client_min_messages = error" -c "CALL bench_make_series($built, $count, '$step')" >/dev/null
        done
        sql -c "VACUUM ANALYZE" >/dev/null
        local partitions warm touched elsewhere fresh_ms catalog per
        partitions=$(sql -c "SELECT sum(partitions) FROM fitbot_partman.partition_health()")
        warm=$(measure "$HEALTH")
        touched=$(measure "$HEALTH" "$(touch_one)")
        elsewhere=$(measure "$HEALTH" "$ELSEWHERE")
        fresh_ms=$(fresh "$HEALTH")
        catalog=$(RUNS=5 measure 'SELECT count(*) FROM bench_catalog_query()')
        per=$(echo "scale=3; $warm * 1000 / $partitions" | bc)
        printf '| %10s | %7s | %8s | %10s | %12s | %9s | %10s | %11s |\n' "$partitions" "$((built + 1))" "$warm" \
            "$touched" "$elsewhere" "$fresh_ms" "$catalog" "$per"
        echo "$partitions $warm $touched $elsewhere $fresh_ms $catalog" >>"$dir.points"
    done
    # Least-squares slope of each column against partitions, in ms per 1,000
    # partitions: flat per-partition cost means the first and last halves agree.
    awk -v label="$label" '
        { n++; x[n] = $1; for (c = 2; c <= 6; c++) y[c, n] = $c }
        END {
            split("warm touched elsewhere fresh catalog", name, " ")
            printf "slope (ms per 1,000 partitions), shape %s:", label
            for (c = 2; c <= 6; c++) {
                sx = sy = sxx = sxy = 0
                for (i = 1; i <= n; i++) { sx += x[i]; sy += y[c, i]; sxx += x[i] * x[i]; sxy += x[i] * y[c, i] }
                slope = (n * sxy - sx * sy) / (n * sxx - sx * sx)
                printf " %s %.3f;", name[c - 1], slope * 1000
            }
            print ""
        }' "$dir.points"
    cluster_stop "$dir"
    echo
}

run_shape "$work/a" A 500 120 '1 month' 50 125 250 500
run_shape "$work/b" B 10 6000 '1 day' 1 3 5 10
echo "target: the cost per partition does not rise with scale (us_per_part flat; the slopes above are the cost of 1,000 more partitions)"
