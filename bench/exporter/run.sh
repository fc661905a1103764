#!/usr/bin/env bash
# Benchmark: fitbot-partman serve against Debian's prometheus-postgres-exporter
# configured with custom queries for the same facts (queries.yaml), in the same
# run, on the same database (the readings table plus 10 parents x 24 monthly
# partitions): peak resident memory, scrape latency at 50 scrapes/s, and what
# the scrapes cost the database. Needs make install; run as root.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
RATE=${RATE:-50}
SECONDS_OF_LOAD=${SECONDS_OF_LOAD:-20}

pids=()
bench_cluster exporter 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done; wait 2>/dev/null'
bench_setup
sql -c "CREATE SCHEMA bench; CREATE ROLE fitbot_monitor LOGIN IN ROLE pg_monitor;"
sql -f bench/health/baselines.sql >/dev/null
for n in $(seq 10); do sql -c "SET client_min_messages = error; SELECT bench_make_parent($n, 24)" >/dev/null; done
sql -c "ANALYZE" >/dev/null

ours_port=$(free_port)
theirs_port=$(free_port)
build/fitbot-partman --dsn "host=$PGHOST port=$PGPORT dbname=fitbot user=fitbot_monitor" \
    serve --port "$ours_port" --interval 15 2>"$work/ours.log" &
pids+=($!); ours_pid=$!
DATA_SOURCE_NAME="host=$PGHOST port=$PGPORT dbname=fitbot user=postgres sslmode=disable" \
    prometheus-postgres-exporter --web.listen-address="127.0.0.1:$theirs_port" \
    --extend.query-path=bench/exporter/queries.yaml --disable-default-metrics --disable-settings-metrics \
    >"$work/theirs.log" 2>&1 &
pids+=($!); theirs_pid=$!
for port in "$ours_port" "$theirs_port"; do
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/metrics" >/dev/null && break; sleep 0.2; done
done
# Custom queries appear after the exporter's first connection; wait for them.
# The body is read whole before it is searched: under pipefail, `curl | grep -q`
# fails whenever grep stops reading first and curl gets a write error (23).
serves_custom_queries() {
    local body
    body=$(curl -s -m 5 "http://127.0.0.1:$theirs_port/metrics" || true)
    grep -q '^fitbot_baseline_partitions_partitions' <<<"$body"
}
for _ in $(seq 50); do
    serves_custom_queries && break
    sleep 0.2
done
serves_custom_queries \
    || { echo "prometheus-postgres-exporter does not serve the custom queries:"; tail -5 "$work/theirs.log"; exit 1; }

commits() { sql -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'fitbot'"; }
kib() { awk -v key="$2:" '$1 == key {print $2}' "/proc/$1/status"; }
private_kib() { awk '/^Private_(Clean|Dirty):/ {sum += $2} END {print sum}' "/proc/$1/smaps_rollup"; }

# measure PID PORT -> "median p99 errors scrapes commits_per_scrape hwm_kib private_kib"
measure() {
    local pid=$1 port=$2 before after result
    before=$(commits)
    result=$(python3 bench/exporter/load.py "http://127.0.0.1:$port/metrics" "$RATE" "$SECONDS_OF_LOAD")
    after=$(commits)
    read -r median p99 errors scrapes <<<"$result"
    echo "$median $p99 $errors $scrapes $(echo "scale=3; ($after - $before - 1) / $scrapes" | bc) $(kib "$pid" VmHWM) $(private_kib "$pid")"
}
read -r o_median o_p99 o_errors o_scrapes o_cost o_hwm o_private <<<"$(measure "$ours_pid" "$ours_port")"
read -r t_median t_p99 t_errors t_scrapes t_cost t_hwm t_private <<<"$(measure "$theirs_pid" "$theirs_port")"
mib() { echo "scale=1; $1 / 1024" | bc; }

echo "## Exporters at $RATE scrapes/s for ${SECONDS_OF_LOAD} s, same database, same run"
echo
printf '| %-42s | %-22s | %-30s |\n' measure "fitbot-partman serve" "prometheus-postgres-exporter $(prometheus-postgres-exporter --version 2>&1 | awk 'NR==1{print $3}')"
printf '|%s|%s|%s|\n' -------------------------------------------- ------------------------ --------------------------------
printf '| %-42s | %22s | %30s |\n' "peak resident memory (VmHWM), MiB" "$(mib "$o_hwm")" "$(mib "$t_hwm")"
printf '| %-42s | %22s | %30s |\n' "private memory (not shared libraries), MiB" "$(mib "$o_private")" "$(mib "$t_private")"
printf '| %-42s | %22s | %30s |\n' "scrape latency median, ms" "$o_median" "$t_median"
printf '| %-42s | %22s | %30s |\n' "scrape latency p99, ms" "$o_p99" "$t_p99"
printf '| %-42s | %22s | %30s |\n' "failed scrapes" "$o_errors of $o_scrapes" "$t_errors of $t_scrapes"
printf '| %-42s | %22s | %30s |\n' "database transactions per scrape" "$o_cost" "$t_cost"
echo
echo "targets for ours: peak resident memory under 6 MiB; median under 2 ms from cache"
