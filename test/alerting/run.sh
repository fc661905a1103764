#!/usr/bin/env bash
# Alerts reach a person (issue 22), with real processes on loopback: PostgreSQL
# with the extension, `fitbot-partman serve`, Debian's Prometheus with the
# shipped rules, Debian's Alertmanager with the shipped alertmanager.yml, and a
# webhook recorder standing in for the person (webhook.py). The test copy of
# the configuration changes only durations and addresses (test_configs.py: a
# `for:` minute becomes a second, Alertmanager waits 1 s and repeats criticals
# every 4 s); routes, grouping, inhibition and receivers are the shipped ones.
#
# Each failure mode is injected, the right notification must arrive (alert
# name, severity, table, absolute runbook link) within its shortened time to
# notify, and resolve once the fault is fixed:
#   pg_cron's launcher killed, a failed maintenance run, the runway exhausted,
#   the exporter stopped, rows in the default partition, and the database
#   stopped while those rows still page (inhibition: one page, not two).
# The Watchdog arrives on its own receiver, repeatedly, and stops once
# Prometheus stops.
set -u
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh
source test/lib/suite.sh
source test/lib/sql.sh

companion=${COMPANION:-build/fitbot-partman}
work=$(mktemp -d /tmp/fitbot-alerting.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
    cluster_stop "$work/pg"
    [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
log=$work/notifications.jsonl
hook() { python3 test/alerting/webhook.py "$1" "$log" "${@:2}"; }

cluster_start "$work/pg" fitbot >/dev/null || { not_ok "start PostgreSQL"; suite_result; exit 1; }
sql -c "SET client_min_messages = warning; CREATE EXTENSION fitbot_partman CASCADE;" \
    -c "SELECT count(*) FROM fitbot_partman.setup();" \
    -c "CREATE ROLE fitbot_monitor LOGIN IN ROLE pg_monitor;" >/dev/null
table=public.heart_rate_readings

python3 test/alerting/webhook.py serve "$log" "$work/webhook.port" &
pids+=($!)
wait_for 10 test -s "$work/webhook.port"
webhook_port=$(cat "$work/webhook.port")
exporter_port=$(free_port)
prometheus_port=$(free_port)
alertmanager_port=$(free_port)
while [ "$alertmanager_port" = "$prometheus_port" ] || [ "$alertmanager_port" = "$exporter_port" ]; do
    alertmanager_port=$(free_port)
done

start_exporter() {
    "$companion" --dsn "host=$PGHOST port=$PGPORT dbname=fitbot user=fitbot_monitor" \
        serve --port "$exporter_port" --interval 1 >>"$work/exporter.log" 2>&1 &
    exporter_pid=$!
    pids+=($exporter_pid)
}
start_exporter

mkdir -p "$work/config"
python3 test/alerting/test_configs.py "$work/config" "$exporter_port" "$alertmanager_port" "$webhook_port" ||
    { not_ok "the test copy of the shipped configuration"; suite_result; exit 1; }
# No gossip port: --cluster.listen-address= (empty) keeps Alertmanager off 0.0.0.0:9094.
prometheus-alertmanager --config.file="$work/config/alertmanager.yml" --storage.path="$work/alertmanager" \
    --web.listen-address="127.0.0.1:$alertmanager_port" --cluster.listen-address= >"$work/alertmanager.log" 2>&1 &
alertmanager_pid=$!
pids+=($alertmanager_pid)
# resend-delay 1 s: a firing alert is valid in Alertmanager for 4 x max(resend-delay, evaluation
# interval) after Prometheus last sent it (with the shipped defaults, 4 minutes).
prometheus --config.file="$work/config/prometheus.yml" --storage.tsdb.path="$work/prometheus" \
    --web.listen-address="127.0.0.1:$prometheus_port" --rules.alert.resend-delay=1s >"$work/prometheus.log" 2>&1 &
prometheus_pid=$!
pids+=($prometheus_pid)

prometheus_api="http://127.0.0.1:$prometheus_port/api/v1"
alertmanager_api="http://127.0.0.1:$alertmanager_port/api/v2"
check "Alertmanager is up with the shipped configuration" wait_for 30 curl -sf "$alertmanager_api/status"
check "Prometheus is up and sends to the Alertmanager" \
    wait_for 30 bash -c "curl -sf '$prometheus_api/alertmanagers' | grep -q '127.0.0.1:$alertmanager_port'"
# listening PID: the local addresses that process listens on (TCP and UDP), one a line.
listening() { ss -Hltunp | grep -E "pid=$1," | awk '{print $5}' | sort -u; }
loopback_only() {
    [ "$(listening "$alertmanager_pid" | tr '\n' ' ')" = "127.0.0.1:$alertmanager_port " ] &&
        [ "$(listening "$prometheus_pid" | tr '\n' ' ')" = "127.0.0.1:$prometheus_port " ]
}
check "Alertmanager listens on 127.0.0.1:$alertmanager_port only (no gossip port), Prometheus on 127.0.0.1:$prometheus_port only" \
    loopback_only

# alerts_in_prometheus STATE: the names of the alerts in that state (pending, firing), but the Watchdog.
alerts_in_prometheus() {
    curl -sf "$prometheus_api/alerts" | python3 -c '
import json, sys
print(" ".join(sorted({a["labels"]["alertname"] for a in json.load(sys.stdin)["data"]["alerts"]
                       if a["state"] == sys.argv[1] and a["labels"]["alertname"] != "Watchdog"})))' "$1"
}
# quiet: no alert but the Watchdog pending or firing in Prometheus, none active in Alertmanager.
quiet() {
    local pending firing active
    pending=$(alerts_in_prometheus pending) && firing=$(alerts_in_prometheus firing) &&
        active=$(curl -sf "$alertmanager_api/alerts?active=true" | python3 -c '
import json, sys
print(" ".join(a["labels"]["alertname"] for a in json.load(sys.stdin) if a["labels"]["alertname"] != "Watchdog"))') &&
        [ -z "$pending$firing$active" ] && return 0
    echo "# not quiet: pending [$pending] firing [$firing] active in Alertmanager [$active]"
    return 1
}
# healthy: the exporter is scraped and read the database, all is quiet (an ExporterDown may be
# pending from a scrape before the exporter listened) and stays quiet for 5 s.
healthy() {
    wait_for 30 eval 'curl -sf "$prometheus_api/query?query=fitbot_partman_up" | grep -q "\"1\"\]"' ||
        { echo "# fitbot_partman_up is not 1 in Prometheus"; return 1; }
    wait_for 20 quiet || { quiet; return 1; }
    local tries
    for tries in $(seq 5); do sleep 1; quiet || return 1; done
}
check "healthy: the exporter is scraped, and no alert but the Watchdog is pending or firing for 5 s" healthy
started=$(now)
check "the Watchdog arrives on its own receiver, repeatedly (3 heartbeats within 15 s)" \
    wait_for 15 bash -c "[ \$(python3 test/alerting/webhook.py count '$log' /watchdog $started 1e10 firing Watchdog) -ge 3 ]"

# runbook_of ALERT: its runbook_url in the shipped rules.
runbook_of() {
    python3 -c '
import sys, yaml
rules = [r for g in yaml.safe_load(open("monitoring/alerts.yml"))["groups"] for r in g["rules"]]
print(next(r["annotations"]["runbook_url"] for r in rules if r.get("alert") == sys.argv[1]))' "$1"
}
# for_of ALERT: its `for:` in the test copy, in seconds.
for_of() {
    python3 -c '
import sys, yaml
rules = [r for g in yaml.safe_load(open(sys.argv[2]))["groups"] for r in g["rules"]]
print(next(r["for"] for r in rules if r.get("alert") == sys.argv[1]).rstrip("s"))' "$1" "$work/config/alerts.yml"
}

timings=()
# pages SINCE WHAT ALERT SEVERITY [LABEL=VALUE...]: a firing notification of ALERT with these labels
# arrives on the default receiver after SINCE, with the shipped runbook link, within the shortened
# time to notify: exporter refresh 1 s + scrape 1 s + evaluation 1 s + for + evaluation 1 s +
# group_wait 1 s, plus 8 s for a busy machine.
pages() {
    local since=$1 what=$2 alert=$3 severity=$4; shift 4
    paged_at=
    local for_seconds bound out took url expected
    for_seconds=$(for_of "$alert"); bound=$((for_seconds + 5 + 8)); expected=$(runbook_of "$alert")
    if out=$(hook wait $((bound + 20)) /default "$since" firing "$alert" severity="$severity" "$@"); then
        read -r took paged_at url <<<"$out"
        timings+=("$(printf '%-38s for %3ss  notified after %5ss  (bound %ss)' "$alert" "$for_seconds" "$took" "$bound")")
        check "$what: $alert ($severity${*:+, $*}) reaches the person after ${took}s (bound ${bound}s)" \
            test "$(echo "$took <= $bound" | bc)" = 1
        check "... its runbook_url is the shipped absolute link ($url)" \
            bash -c "[ '$url' = '$expected' ] && [[ '$url' == https://*#* ]]"
    else
        not_ok "$what: no $alert ($severity${*:+, $*}) notification within $((bound + 20))s"
    fi
}
# resolves SINCE WHAT ALERT [LABEL=VALUE...]: its resolved notification arrives after SINCE.
resolves() {
    local since=$1 what=$2 alert=$3; shift 3
    local out
    if out=$(hook wait 60 /default "$since" resolved "$alert" "$@"); then
        ok "$what fixed: $alert resolved after ${out%% *}s"
    else
        not_ok "$what fixed: no resolved $alert within 60s"
    fi
    check "... then all is quiet again" wait_for 60 quiet
}

# ---------------------------------------------------------------- pg_cron's launcher killed
# It does not come back by itself (exit 0 unregisters a background worker); a restart brings it.
t=$(now)
sql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher'" >/dev/null
pages "$t" "pg_cron's launcher killed" FitbotPartmanCronSchedulerDown critical
t=$(now)
cluster_restart "$work/pg" && cron_launcher_wait "$work/pg"
resolves "$t" "pg_cron's launcher" FitbotPartmanCronSchedulerDown

# ---------------------------------------------------------------- a failed maintenance run
# For real: a reader holds its lock past the run's lock_timeout and time budget.
PGAPPNAME=reader psql -X -q -c "BEGIN" -c "LOCK TABLE $table IN ACCESS SHARE MODE" -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
reader_pid=$!
pids+=($reader_pid)
wait_for 10 test "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'reader' AND query LIKE '%pg_sleep%'")" = 1
t=$(now)
sql -c "CALL fitbot_partman.run_maintenance(lock_timeout => '100ms', time_budget => '1s')" >/dev/null 2>&1
check "(the maintenance run failed)" \
    test "$(sql -c "SELECT outcome FROM fitbot_partman.maintenance_runs ORDER BY run_id DESC LIMIT 1")" = failed
job=$(sql -c "SELECT jobid FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly'")
pages "$t" "a failed maintenance run" FitbotPartmanMaintenanceFailed warning jobid="$job"
sql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'reader'" >/dev/null
t=$(now)
sql -c "CALL fitbot_partman.run_maintenance()" >/dev/null
resolves "$t" "maintenance" FitbotPartmanMaintenanceFailed jobid="$job"

# ---------------------------------------------------------------- the runway exhausted
future=$(sql -c "SELECT string_agg(partition_name, ', ') FROM fitbot_partman.partitions('$table') WHERE state = 'future'")
t=$(now)
sql -c "DROP TABLE $future"
check "(no future partition left: $future dropped)" \
    test "$(sql -c "SELECT count(*) FROM fitbot_partman.partitions('$table') WHERE state = 'future'")" = 0
pages "$t" "the runway exhausted" FitbotPartmanRunwayExhausted critical parent="$table"
t=$(now)
sql -c "CALL fitbot_partman.run_maintenance()" >/dev/null
resolves "$t" "the runway" FitbotPartmanRunwayExhausted parent="$table"

# ---------------------------------------------------------------- the exporter stopped
t=$(now)
kill "$exporter_pid"; wait "$exporter_pid" 2>/dev/null
pages "$t" "the exporter stopped" FitbotPartmanExporterDown critical instance="127.0.0.1:$exporter_port"
t=$(now)
start_exporter
resolves "$t" "the exporter" FitbotPartmanExporterDown instance="127.0.0.1:$exporter_port"

# ---------------------------------------------------------------- rows in the default partition
t=$(now)
sql -c "INSERT INTO $table (user_id, measured_at, bpm) VALUES (1, now() + interval '5 years', 70)"
pages "$t" "rows in the default partition" FitbotPartmanRowsInDefaultPartition critical parent="$table"
check "... and the critical page repeats while the fault lasts (every 4 s in the test copy)" \
    wait_for 20 bash -c "[ \$(python3 test/alerting/webhook.py count '$log' /default $t 1e10 firing FitbotPartmanRowsInDefaultPartition) -ge 2 ]"

# ---------------------------------------------------------------- the database stopped
# The exporter keeps serving its last good data, so the rows-in-default page would go on repeating:
# inhibition must leave one page, the database's.
t=$(now)
cluster_stop "$work/pg"
pages "$t" "the database stopped" FitbotPartmanDatabaseUnreachable critical instance="127.0.0.1:$exporter_port"
paged=${paged_at:-0}
sleep 12
window_end=$(now)
names=$(hook names /default "$(echo "$paged + 0.5" | bc)" "$window_end" firing)
check "inhibition: for 12 s after the database's page, it is the only one (got: ${names:-none})" \
    test "$names" = FitbotPartmanDatabaseUnreachable
check "... while the rows-in-default alert still fires in Prometheus (so only inhibition holds it back)" \
    eval '[[ " $(alerts_in_prometheus firing) " == *" FitbotPartmanRowsInDefaultPartition "* ]]'
t=$(now)
cluster_launch "$work/pg"
resolves_db() { hook wait 60 /default "$t" resolved FitbotPartmanDatabaseUnreachable >/dev/null; }
check "the database started: FitbotPartmanDatabaseUnreachable resolved" resolves_db
check "... and the rows-in-default page, no longer inhibited, is back" \
    wait_for 30 bash -c "[ \$(python3 test/alerting/webhook.py count '$log' /default $t 1e10 firing FitbotPartmanRowsInDefaultPartition) -ge 1 ]"
t=$(now)
sql -c "DELETE FROM $table WHERE measured_at > now() + interval '1 year'"
resolves "$t" "the rows in the default partition" FitbotPartmanRowsInDefaultPartition parent="$table"

# ---------------------------------------------------------------- routing
check "no Watchdog on the person's receiver, only the Watchdog on the heartbeat receiver" bash -c "
    ! python3 test/alerting/webhook.py names '$log' /default 0 1e10 firing | grep -qw Watchdog &&
    [ \"\$(python3 test/alerting/webhook.py names '$log' /watchdog 0 1e10 firing)\" = Watchdog ]"

# ---------------------------------------------------------------- Prometheus stops: the heartbeats stop
stopped=$(now)
kill "$prometheus_pid"; wait "$prometheus_pid" 2>/dev/null
check "Prometheus stopped: the heartbeats stop within 15 s, and stay away for 8 s (4 repeat intervals)" \
    wait_for 23 hook silent /watchdog 8
echo "# last heartbeat $(echo "$(hook silent /watchdog 0) - $stopped" | bc) s after Prometheus stopped"
check "... and Alertmanager, which now holds the Watchdog resolved, sends the heartbeat receiver no 'resolved' (it would count as a heartbeat)" \
    bash -c "[ \$(python3 test/alerting/webhook.py count '$log' /watchdog 0 1e10 resolved '*') = 0 ] &&
             curl -sf '$alertmanager_api/alerts?active=true' | python3 -c 'import json,sys; sys.exit(any(a[\"labels\"][\"alertname\"] == \"Watchdog\" for a in json.load(sys.stdin)))'"

echo "# time to notify, test copy (shipped: docs/monitoring.md, Alert delivery):"
printf '#   %s\n' "${timings[@]}"
suite_result
