#!/usr/bin/env bash
# Benchmark: partition_health() against the catalog query a careful DBA
# would write and against a PL/pgSQL report on pg_partman's show_partitions(),
# on 50 parents x 124 monthly partitions (6,200), all measured in this run;
# then how partition_health() grows from 1 to 6,200 partitions.
# Needs the extension installed (make install); run as root or postgres.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
RUNS=${RUNS:-30}
PARENTS=${PARENTS:-50}
MONTHS=${MONTHS:-124}

bench_cluster health
bench_setup
sql -c "CREATE SCHEMA bench;"
sql -f bench/health/baselines.sql

measure() {  # measure LABEL STATEMENT [BEFORE] -> "median p95"
    local before=${3:+\$\$$3\$\$}
    sql -c "SELECT median_ms || ' ' || p95_ms FROM bench_time(\$\$$2\$\$, $RUNS, ${before:-NULL})"
}
# A change to a relation no managed table uses (a temporary table come and
# gone): since 1.1 the extension re-reads nothing for it (before, any pg_class
# change re-read every parent: the "cold" case).
INVALIDATE='CREATE TEMP TABLE bench_catalog_change (); DROP TABLE bench_catalog_change'
# A change to one partition of one managed parent (its pg_class row
# rewritten): that parent alone is re-read.
TOUCH_ONE_PARTITION='DO $b$BEGIN EXECUTE format($f$ALTER TABLE %s SET (fillfactor = 100)$f$, (SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = $r$bench.readings_1$r$::regclass ORDER BY inhrelid LIMIT 1)); END $b$;'

echo "## Growth: partition_health() median (ms) by partitions reported"
echo "(warm: no catalog change since the last call; cold: right after a change to a relation no managed table uses)"
printf '| %-10s | %-8s | %-10s | %-10s |\n' partitions parents warm_ms cold_ms
printf '|%s|%s|%s|%s|\n' ------------ ---------- ------------ ------------
built=0
for checkpoint in 0 1 5 10 25 "$PARENTS"; do
    [ "$checkpoint" -gt "$PARENTS" ] && continue
    while [ "$built" -lt "$checkpoint" ]; do
        built=$((built + 1))
        sql -c "SET client_min_messages = error; SELECT bench_make_parent($built, $MONTHS)" >/dev/null
    done
    sql -c "ANALYZE" >/dev/null
    partitions=$(sql -c "SELECT sum(partitions) FROM fitbot_partman.partition_health()")
    read -r median _ <<<"$(measure health 'SELECT count(*) FROM fitbot_partman.partition_health()')"
    read -r cold _ <<<"$(measure health 'SELECT count(*) FROM fitbot_partman.partition_health()' "$INVALIDATE")"
    printf '| %10s | %8s | %10s | %10s |\n' "$partitions" "$((checkpoint + 1))" "$median" "$cold"
done

echo
echo "## Same run, $(sql -c "SELECT sum(partitions) FROM fitbot_partman.partition_health()") partitions under $((PARENTS + 1)) parents, $RUNS runs each (warm)"
read -r health_median health_p95 <<<"$(measure health 'SELECT count(*) FROM fitbot_partman.partition_health()')"
read -r cold_median cold_p95 <<<"$(measure health 'SELECT count(*) FROM fitbot_partman.partition_health()' "$INVALIDATE")"
read -r touched_median touched_p95 <<<"$(measure health 'SELECT count(*) FROM fitbot_partman.partition_health()' "$TOUCH_ONE_PARTITION")"
read -r catalog_median catalog_p95 <<<"$(measure catalog 'SELECT count(*) FROM bench_catalog_query()')"
read -r partman_median partman_p95 <<<"$(RUNS=5 measure partman 'SELECT count(*) FROM bench_partman_report()')"
printf '| %-52s | %10s | %10s | %8s |\n' method median_ms p95_ms 'vs warm'
printf '|%s|%s|%s|%s|\n' ------------------------------------------------------ ------------ ------------ ----------
row() { printf '| %-52s | %10s | %10s | %7sx |\n' "$1" "$2" "$3" "$(echo "scale=1; $2 / $health_median" | bc)"; }
row "fitbot_partman.partition_health() (warm)" "$health_median" "$health_p95"
row "fitbot_partman.partition_health() (cold)" "$cold_median" "$cold_p95"
row "partition_health() after one managed partition changed" "$touched_median" "$touched_p95"
row "catalog query (pg_inherits, pg_get_expr + regex)" "$catalog_median" "$catalog_p95"
row "PL/pgSQL on show_partitions/show_partition_info" "$partman_median" "$partman_p95"
echo
speedup=$(echo "$catalog_median / $health_median" | bc)
cold_speedup=$(echo "$catalog_median / $cold_median" | bc)
touched_speedup=$(echo "$catalog_median / $touched_median" | bc)
echo "target: partition_health() median < 5 ms and >= 20x faster than the catalog query"
echo "result: warm median $health_median ms (${speedup}x faster than the catalog query);" \
     "cold median $cold_median ms (${cold_speedup}x);" \
     "after one managed partition changed $touched_median ms (${touched_speedup}x)"
