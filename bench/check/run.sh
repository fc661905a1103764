#!/usr/bin/env bash
# Benchmark: health from a cold start, as a host monitor runs it, on 50
# parents x 124 monthly partitions plus the readings table (about 6,200
# partitions), every figure against a baseline measured in the same run:
#   1. a fresh backend's first partition_health() / check(), against what a
#      fresh backend pays to touch pg_class once (the floor any reader of
#      thousands of partitions pays) and against SELECT 1;
#   2. `fitbot-partman check` as a whole process on a fresh connection, in
#      extension and agentless mode: wall time, peak resident memory (VmHWM,
#      shared libraries included) and peak private memory (VmHWM less the
#      file-backed pages: heap, stacks, relocated data), against
#      `psql -c 'SELECT * FROM fitbot_partman.check()'` and against reading
#      every partition's facts (facts(), what the companion read before);
#      and against the floor of any such check: starting the companion, and
#      psql connecting to run SELECT 1;
#   3. the exporter's refresh (`fitbot-partman serve`, a long-lived
#      connection): database time of its queries, against facts().
# First it prints what touching memory for the first time costs a new process
# on this machine (first_touch.c): the price behind both floors.
# Needs make install and make companion; run as root. HUGE_PAGES=on runs the
# server with huge_pages = on (see below).
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
RUNS=${RUNS:-15}
PARENTS=${PARENTS:-50}
MONTHS=${MONTHS:-124}

bench_cluster check
# HUGE_PAGES=on: shared memory in huge pages, as a large server would run
# (reserve them first, e.g. sysctl -w vm.nr_hugepages=100). A new backend then
# pays one page fault per 2 MiB of shared buffers it touches, not per 4 kB.
if [ "${HUGE_PAGES:-}" = on ]; then
    echo "huge_pages = on" >>"$work/pg/data/postgresql.conf"
    cluster_restart "$work/pg" >/dev/null
fi
bench_setup
sql -c "CREATE SCHEMA bench; CREATE ROLE fitbot_monitor LOGIN IN ROLE pg_monitor;"
# The readers a pg_monitor role needs agentless (`fitbot-partman setup`).
build/fitbot-partman --dsn "host=$PGHOST port=$PGPORT dbname=fitbot user=postgres" setup >/dev/null
sql -f bench/health/baselines.sql >/dev/null
for n in $(seq "$PARENTS"); do sql -c "SET client_min_messages = error; SELECT bench_make_parent($n, $MONTHS)" >/dev/null; done
sql -c "VACUUM ANALYZE" >/dev/null
partitions=$(sql -c "SELECT sum(partitions) FROM fitbot_partman.partition_health()")
gcc -shared -fPIC -O2 -o "$work/memory_at_exit.so" bench/check/memory_at_exit.c
gcc -O2 -o "$work/first_touch" bench/check/first_touch.c
monitor_dsn="host=$PGHOST port=$PGPORT dbname=fitbot user=fitbot_monitor"

median() { sort -n | awk '{v[NR] = $1} END {m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f\n", m}'; }

# fresh_query SQL -> median ms of the statement, server-side (\timing), each
# in a new connection and so a new backend.
fresh_query() {
    for _ in $(seq "$RUNS"); do
        psql -X -At -h "$PGHOST" -p "$PGPORT" -U fitbot_monitor fitbot -c '\timing on' -c "$1" |
            awk '/^Time:/ {print $2}'
    done | median
}

# process COMMAND... -> "median_ms median_hwm_mib median_private_mib" over
# RUNS runs of the whole process (connection included).
process() {
    local times="$work/times" memory="$work/memory"
    : >"$times"; : >"$memory"
    for _ in $(seq "$RUNS"); do
        local started ended
        started=$(date +%s%N)
        FITBOT_BENCH_MEMORY_FILE="$memory" LD_PRELOAD="$work/memory_at_exit.so" "$@" >/dev/null 2>&1 || true
        ended=$(date +%s%N)
        echo "$(( (ended - started) / 1000 ))" >>"$times"
    done
    echo "$(awk '{print $1 / 1000}' "$times" | median)" \
        "$(awk '{print $1 / 1024}' "$memory" | median)" \
        "$(awk '{print $2 / 1024}' "$memory" | median)"
}

echo "# Health from a cold start: $partitions partitions under $((PARENTS + 1)) parents, $RUNS runs each, huge_pages = $(sql -c 'SHOW huge_pages')"
echo "(what each check answers:"
echo "  extension: $(build/fitbot-partman --dsn "$monitor_dsn" check | cut -c1-90)"
echo "  agentless: $(build/fitbot-partman --dsn "$monitor_dsn" --agentless check | cut -c1-90))"
read -r touch_us touch_ms <<<"$("$work/first_touch")"
echo "(on this machine a new process pays $touch_us us per 4 kB page it touches first: 16 MiB in $touch_ms ms)"
echo
echo "## 1. A fresh backend's first call (server-side time, ms, median)"
printf '| %-62s | %9s |\n' statement median_ms
printf '|%s|%s|\n' ---------------------------------------------------------------- -----------
fresh_row() { printf '| %-62s | %9s |\n' "$1" "$(fresh_query "$2")"; }
fresh_row "SELECT 1 (floor: a fresh backend's first statement)" "SELECT 1"
fresh_row "SELECT count(relpartbound) FROM pg_class (floor: touch pg_class)" "SELECT count(relpartbound) FROM pg_catalog.pg_class"
fresh_row "SELECT * FROM fitbot_partman.partition_health()" "SELECT count(*) FROM fitbot_partman.partition_health()"
fresh_row "SELECT * FROM fitbot_partman.check()" "SELECT code FROM fitbot_partman.check()"
fresh_row "SELECT fitbot_partman.facts() (every partition's facts)" "SELECT length(fitbot_partman.facts()::text)"
echo
echo "## 2. The Nagios check as a whole process, fresh connection (as fitbot_monitor, a pg_monitor role)"
printf '| %-58s | %9s | %10s | %14s |\n' command median_ms vmhwm_mib private_mib
printf '|%s|%s|%s|%s|\n' ------------------------------------------------------------ ----------- ------------ ----------------
read -r ext_ms ext_hwm ext_private <<<"$(process build/fitbot-partman --dsn "$monitor_dsn" check)"
read -r agentless_ms agentless_hwm agentless_private <<<"$(process build/fitbot-partman --dsn "$monitor_dsn" --agentless check)"
read -r psql_ms psql_hwm psql_private <<<"$(process psql -X -At -d "$monitor_dsn" -c 'SELECT * FROM fitbot_partman.check()')"
read -r start_ms start_hwm start_private <<<"$(process build/fitbot-partman --version)"
read -r select_ms select_hwm select_private <<<"$(process psql -X -At -d "$monitor_dsn" -c 'SELECT 1')"
read -r facts_ms facts_hwm facts_private <<<"$(process build/fitbot-partman --dsn "$monitor_dsn" status --json)"
row() { printf '| %-58s | %9s | %10s | %14s |\n' "$@"; }
row "fitbot-partman check (extension mode)" "$ext_ms" "$ext_hwm" "$ext_private"
row "fitbot-partman check --agentless" "$agentless_ms" "$agentless_hwm" "$agentless_private"
row "baseline: psql -c 'SELECT * FROM fitbot_partman.check()'" "$psql_ms" "$psql_hwm" "$psql_private"
row "baseline: fitbot-partman status --json (reads facts())" "$facts_ms" "$facts_hwm" "$facts_private"
row "floor: fitbot-partman --version (start the process)" "$start_ms" "$start_hwm" "$start_private"
row "floor: psql -c 'SELECT 1' (a process and a connection)" "$select_ms" "$select_hwm" "$select_private"
echo
echo "## 3. The exporter's refresh: database time of its statements (warm connection, ms)"
read -r refresh_median refresh_p95 <<<"$(sql -c "SELECT median_ms || ' ' || p95_ms FROM bench_time(\$\$SELECT fitbot_partman.facts(false)::text, fitbot_partman.metrics(NULL::json)\$\$, $RUNS)")"
read -r facts_median facts_p95 <<<"$(sql -c "SELECT median_ms || ' ' || p95_ms FROM bench_time(\$\$SELECT fitbot_partman.facts()::text\$\$, $RUNS)")"
printf '| %-62s | %9s | %9s |\n' statement median_ms p95_ms
printf '|%s|%s|%s|\n' ---------------------------------------------------------------- ----------- -----------
printf '| %-62s | %9s | %9s |\n' "refresh: facts(false) + metrics(cron facts)" "$refresh_median" "$refresh_p95"
printf '| %-62s | %9s | %9s |\n' "baseline: facts() (every partition, what refresh read before)" "$facts_median" "$facts_p95"
echo
echo "targets: check < 50 ms median and < 6 MiB private in both modes; refresh < 10 ms of database time"
echo "result: check $ext_ms ms / $ext_private MiB (extension), $agentless_ms ms / $agentless_private MiB (agentless);" \
    "refresh $refresh_median ms (facts() alone: $facts_median ms)"
