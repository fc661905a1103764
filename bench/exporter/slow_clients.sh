#!/usr/bin/env bash
# Benchmark: scrape latency of fitbot-partman serve beside idle and slow TCP
# clients (issue 19, major 5), against the same exporter without them, in the
# same run (slow_clients.py measures both). Target: scrapes under 1 s beside
# 200 idle connections and 20 that send one header line every 2 s.
# Needs build/fitbot-partman (make companion) and the extension installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
IDLE=${IDLE:-200}
SLOW=${SLOW:-20}
SECONDS_OF_LOAD=${SECONDS_OF_LOAD:-20}
COMPANION=${COMPANION:-build/fitbot-partman}

pids=()
bench_cluster slow-clients 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done; wait 2>/dev/null'
bench_setup

port=$(free_port)
"$COMPANION" --dsn "host=$PGHOST port=$PGPORT dbname=fitbot user=postgres" \
    serve --listen "127.0.0.1:$port" --interval 15 2>"$work/serve.log" &
pids+=($!)
for _ in $(seq 50); do
    body=$(curl -s -m 2 "http://127.0.0.1:$port/metrics" || true)
    [[ $body == *"fitbot_partman_up 1"* ]] && break
    sleep 0.2
done

result=$(python3 bench/exporter/slow_clients.py "http://127.0.0.1:$port/metrics" \
    --idle "$IDLE" --slow "$SLOW" --seconds "$SECONDS_OF_LOAD")
declare -A r
for pair in $result; do r[${pair%%=*}]=${pair#*=}; done

echo "## Scrapes beside $IDLE idle and $SLOW slow clients (one header line every 2 s), ${SECONDS_OF_LOAD} s, same run"
echo
printf '| %-34s | %-20s | %-28s |\n' measure "scrapes alone" "beside idle and slow clients"
printf '|%s|%s|%s|\n' ------------------------------------ ---------------------- ------------------------------
printf '| %-34s | %20s | %28s |\n' "scrape latency median, ms" "${r[baseline_median_ms]}" "${r[loaded_median_ms]}"
printf '| %-34s | %20s | %28s |\n' "scrape latency p99, ms" "${r[baseline_p99_ms]}" "${r[loaded_p99_ms]}"
printf '| %-34s | %20s | %28s |\n' "scrape latency max, ms" "${r[baseline_max_ms]}" "${r[loaded_max_ms]}"
printf '| %-34s | %20s | %28s |\n' "scrapes (failed in both phases)" "${r[baseline_scrapes]}" \
    "${r[scrapes]} (${r[failed]} failed)"
printf '| %-34s | %20s | %28s |\n' "idle client closed after, s" "" "${r[idle_cut_s]}"
printf '| %-34s | %20s | %28s |\n' "slow client closed after, s" "" "${r[slow_cut_s]}"
echo
echo "target: every scrape beside the clients under 1000 ms, none failed"
