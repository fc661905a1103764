#!/usr/bin/env bash
# End to end, natively, as docker-compose.yml would run it: PostgreSQL with
# the extension set up, `fitbot-partman serve` as a monitoring role with only
# pg_monitor, and a real Prometheus on loopback scraping it with the alert
# rules. Prometheus's API must see the series; PostgreSQL stopped and
# restarted under the exporter must read as fitbot_partman_up 0, then 1; rows
# in the default partition must make the alert go pending.
set -u
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh
source test/lib/suite.sh
source test/lib/sql.sh

work=$(mktemp -d /tmp/fitbot-e2e.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
    cluster_stop "$work/pg"
    rm -rf "$work"
}
trap cleanup EXIT

cluster_start "$work/pg" fitbot >/dev/null || { not_ok "start PostgreSQL"; suite_result; exit 1; }
sql -c "SET client_min_messages = warning; CREATE EXTENSION fitbot_partman CASCADE;" \
    -c "SELECT count(*) FROM fitbot_partman.setup();" \
    -c "CREATE ROLE fitbot_monitor LOGIN IN ROLE pg_monitor;" >/dev/null

exporter_port=$(free_port)
prometheus_port=$(free_port)
build/fitbot-partman --dsn "host=$PGHOST port=$PGPORT dbname=fitbot user=fitbot_monitor" \
    serve --port "$exporter_port" --interval 1 >"$work/exporter.log" 2>&1 &
pids+=($!)
exporter_pid=$!

mkdir -p "$work/prometheus"
cp monitoring/alerts.yml "$work/prometheus/"
cat >"$work/prometheus/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - alerts.yml
scrape_configs:
  - job_name: fitbot_partman
    static_configs:
      - targets: ['127.0.0.1:$exporter_port']
YAML
prometheus --config.file="$work/prometheus/prometheus.yml" --storage.tsdb.path="$work/prometheus/data" \
    --web.listen-address="127.0.0.1:$prometheus_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)

api="http://127.0.0.1:$prometheus_port/api/v1"
# query EXPR: the first sample's value, or nothing.
query() {
    curl -s --get "$api/query" --data-urlencode "query=$1" |
        python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
value_is() { [ "$(query "$1")" = "$2" ]; }

check "exporter answers on loopback" wait_for 20 curl -sf "http://127.0.0.1:$exporter_port/metrics"
check "exporter listens on 127.0.0.1 only" bash -c "ss -ltn | grep -q '127.0.0.1:$exporter_port ' && ! ss -ltn | grep -qE '(\\*|0\\.0\\.0\\.0|\\[::\\]):$exporter_port '"
check "Prometheus is up" wait_for 30 curl -sf "$api/status/buildinfo"
check "Prometheus scrapes the exporter (up == 1)" wait_for 30 value_is 'up{job="fitbot_partman"}' 1
check "Prometheus sees fitbot_partman_up 1" wait_for 20 value_is 'fitbot_partman_up' 1
check "Prometheus sees the readings table's partitions" \
    wait_for 20 value_is 'fitbot_partman_future_partitions{parent="public.heart_rate_readings"}' 3
check "Prometheus sees the maintenance job" wait_for 20 value_is 'fitbot_partman_maintenance_jobs' 1
curl -s "http://127.0.0.1:$exporter_port/metrics" >"$work/metrics.txt"
check "promtool check metrics is clean on the exporter's output" \
    bash -c "promtool check metrics <'$work/metrics.txt' && [ -z \"\$(promtool check metrics <'$work/metrics.txt' 2>&1)\" ]"

sql -c "SELECT fitbot_partman.metrics()" >"$work/sql-metrics.txt"
check "promtool check metrics is clean on SELECT fitbot_partman.metrics()" \
    bash -c "promtool check metrics <'$work/sql-metrics.txt' && [ -z \"\$(promtool check metrics <'$work/sql-metrics.txt' 2>&1)\" ] && grep -q '^fitbot_partman_partitions' '$work/sql-metrics.txt'"

# Rows in the default partition: the alert goes pending (its for: is 5m).
sql -c "INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm) VALUES (1, now() + interval '5 years', 70)" >/dev/null
check "Prometheus sees the row in the default partition" \
    wait_for 20 value_is 'fitbot_partman_default_rows{parent="public.heart_rate_readings"}' 1
check "FitbotPartmanRowsInDefaultPartition is pending" wait_for 20 value_is \
    'ALERTS{alertname="FitbotPartmanRowsInDefaultPartition",alertstate="pending"}' 1
sql -c "DELETE FROM public.heart_rate_readings_default" >/dev/null

# PostgreSQL goes away under the exporter, and comes back.
cluster_stop "$work/pg"
check "with PostgreSQL stopped the exporter still answers, with fitbot_partman_up 0" \
    wait_for 20 value_is 'fitbot_partman_up' 0
check "... and Prometheus still scrapes it (up == 1)" value_is 'up{job="fitbot_partman"}' 1
check "... and /healthz says 503" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$exporter_port/healthz)\" = 503 ]"
cluster_launch "$work/pg" >/dev/null
check "PostgreSQL back: fitbot_partman_up 1 again" wait_for 30 value_is 'fitbot_partman_up' 1
check "the exporter never crashed" kill -0 "$exporter_pid"
check "data age is fresh again (< 5 s)" bash -c \
    "[ \"\$(curl -s http://127.0.0.1:$exporter_port/metrics | awk '/^fitbot_partman_data_age_seconds /{print (\$2 < 5)}')\" = 1 ]"

# Hostile and greedy clients: malformed requests, a huge header, a slow
# client holding a connection, a scrape storm. The exporter keeps answering
# and its memory stays bounded.
rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$exporter_pid/status"; }
exec 3<>"/dev/tcp/127.0.0.1/$exporter_port"
printf 'NOT HTTP AT ALL\r\n\r\n' >&3
reply=$(timeout 5 head -c 12 <&3)
exec 3>&-
check "a malformed request gets an HTTP error, not a crash (${reply:-no reply})" \
    bash -c "[[ '$reply' == 'HTTP/1.1 4'* || -z '$reply' ]] && kill -0 $exporter_pid"
status_line=$(python3 - "$exporter_port" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
try:
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Huge: " + b"x" * 200000 + b"\r\n\r\n")
    print(s.recv(64).split(b"\r\n")[0].decode() or "closed")
except OSError:
    print("closed")
PY
)
check "a 200 kB header is refused (${status_line})" bash -c "[[ '$status_line' != *' 200 '* && '$status_line' != 'HTTP/1.1 200'* ]]"
exec 4<>"/dev/tcp/127.0.0.1/$exporter_port"
printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n' >&4   # and never finish the request
check "a slow client does not stop others being answered" \
    curl -sf --max-time 3 -o /dev/null "http://127.0.0.1:$exporter_port/metrics"
exec 4>&-
rss_before=$(rss_kb)
commits_before=$(sql -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'fitbot'")
seq 2000 | xargs -P 25 -I{} curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$exporter_port/metrics" >"$work/storm.txt"
rss_after=$(rss_kb)
commits_after=$(sql -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'fitbot'")
check "2,000 scrapes, 25 at a time, all answered 200" test "$(grep -c '^200$' "$work/storm.txt")" -eq 2000
check "the scrape storm did not reach the database ($((commits_after - commits_before)) transactions for 2,000 scrapes)" \
    test $((commits_after - commits_before)) -lt 200
echo "exporter RSS before the storm ${rss_before} kB, after ${rss_after} kB, peak $(awk '/^VmHWM/{print $2}' "/proc/$exporter_pid/status") kB"
check "memory stays bounded (RSS grew by $((rss_after - rss_before)) kB, limit 4096 kB)" test $((rss_after - rss_before)) -lt 4096

kill -TERM "$exporter_pid"
stopped=false
for _ in $(seq 10); do kill -0 "$exporter_pid" 2>/dev/null || { stopped=true; break; }; sleep 0.5; done
check "the exporter stops on SIGTERM" $stopped
wait "$exporter_pid"
check "... with exit status 0" test $? -eq 0
grep -i "password" "$work/exporter.log" && not_ok "the exporter logged a password" || ok "the exporter's log holds no password"
suite_result
