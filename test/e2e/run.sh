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
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# wait_for SECONDS COMMAND...: retries once a second until the command succeeds.
wait_for() {
    local seconds=$1; shift
    for _ in $(seq "$seconds"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
    return 1
}

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

kill -TERM "$exporter_pid"
stopped=false
for _ in $(seq 10); do kill -0 "$exporter_pid" 2>/dev/null || { stopped=true; break; }; sleep 0.5; done
check "the exporter stops on SIGTERM" $stopped
wait "$exporter_pid"
check "... with exit status 0" test $? -eq 0
grep -i "password" "$work/exporter.log" && not_ok "the exporter logged a password" || ok "the exporter's log holds no password"
suite_result
