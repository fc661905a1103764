#!/usr/bin/env bash
# One exporter for the whole cluster (issue 21): `fitbot-partman serve
# --all-databases`, read by a real Prometheus evaluating the shipped rules
# (test/alerting/test_configs.py's copy: every `for:` minute a second).
#
# The cluster: pg_cron in postgres; app1 and app2 with the extension, app3
# agentless (pg_partman and the companion's install), plain with nothing. Each
# maintained database has its own job (renamed here, as lane multi's per-database
# names will do, so that setup in the next one does not take it over).
# Checked: the three are followed and labelled, plain and postgres are not;
# the connections are the same backends across refreshes; one broken database
# (its job inactive, then unreachable) fires its alert with its database label
# and nothing for the others; a database created, then dropped, while the
# exporter runs is followed, then forgotten; a server restart -> reconnected.
set -u
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh
source test/lib/suite.sh

companion=${COMPANION:-build/fitbot-partman}
work=$(mktemp -d /tmp/fitbot-all-databases.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
    cluster_stop "$work/pg"
    [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
db() { local name=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -d "$name" "$@"; }

cluster_start "$work/pg" postgres >/dev/null 2>"$work/cluster.log" ||
    { not_ok "start PostgreSQL"; cat "$work/cluster.log"; suite_result; exit 1; }
db postgres -c "CREATE EXTENSION pg_cron" -c "CREATE ROLE monitor LOGIN IN ROLE pg_monitor" >/dev/null
dsn() { echo "host=$PGHOST port=$PGPORT dbname=$1 user=${2:-postgres}"; }
# setup_in DB [--agentless]: the companion's setup, then the job renamed after its database.
setup_in() {
    local name=$1; shift
    "$companion" --dsn "$(dsn "$name")" "$@" setup >"$work/setup-$name.txt" 2>&1 &&
        db postgres -c "UPDATE cron.job SET jobname = 'maintenance_$name'
                        WHERE database = '$name' AND command ~ 'run_maintenance'" &&
        test "$(db postgres -c "SELECT count(*) FROM cron.job WHERE jobname = 'maintenance_$name' AND active")" = 1
}
for name in app1 app2 app3 plain; do db postgres -c "CREATE DATABASE $name" >/dev/null; done
for name in app1 app2 app3; do
    db "$name" -c "SET client_min_messages = warning; CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman" >/dev/null
done
db app1 -c "CREATE EXTENSION fitbot_partman" >/dev/null
db app2 -c "CREATE EXTENSION fitbot_partman" >/dev/null
check "setup in app1 (extension), its own job" setup_in app1
check "setup in app2 (extension), its own job" setup_in app2
check "setup in app3 (agentless), its own job" setup_in app3 --agentless

exporter_port=$(free_port)
prometheus_port=$(free_port)
while [ "$prometheus_port" = "$exporter_port" ]; do prometheus_port=$(free_port); done
"$companion" --dsn "$(dsn postgres monitor)" serve --all-databases --port "$exporter_port" --interval 1 \
    --rediscover-interval 2 >>"$work/exporter.log" 2>&1 &
exporter_pid=$!
pids+=($exporter_pid)
metrics() { curl -sf "http://127.0.0.1:$exporter_port/metrics"; }

mkdir -p "$work/config"
# No Alertmanager: the alerts are read in Prometheus (its port is only a name here).
python3 test/alerting/test_configs.py "$work/config" "$exporter_port" "$(free_port)" 9 ||
    { not_ok "the test copy of the shipped configuration"; suite_result; exit 1; }
prometheus --config.file="$work/config/prometheus.yml" --storage.tsdb.path="$work/prometheus" \
    --web.listen-address="127.0.0.1:$prometheus_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
api="http://127.0.0.1:$prometheus_port/api/v1"
# value QUERY: the query's single value in Prometheus ("" when none).
value() {
    curl -sf --data-urlencode "query=$1" "$api/query" | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if len(r) == 1 else "")'
}
# labels_of QUERY LABEL: the LABEL of each series the query returns, sorted, space-separated.
labels_of() {
    curl -sf --data-urlencode "query=$1" "$api/query" | python3 -c '
import json, sys
print(" ".join(sorted(s["metric"].get(sys.argv[1], "") for s in json.load(sys.stdin)["data"]["result"])))' "$2"
}
is() { [ "$(eval "$2")" = "$1" ]; }

check "Prometheus scrapes the exporter: fitbot_partman_up 1 for app1, app2, app3 (and no other database)" \
    wait_for 40 is "app1 app2 app3" 'labels_of "fitbot_partman_up == 1" database'
check "  ... no series at all for plain (nothing installed) or postgres (pg_cron only)" \
    is "" 'labels_of "{__name__=~\"fitbot_partman_.+\", database=~\"plain|postgres\"}" database'
check "  ... every fitbot_partman series of the databases carries its database label" \
    is "" 'labels_of "{__name__=~\"fitbot_partman_.+\", __name__!=\"fitbot_partman_scrapes_total\", database=\"\"}" __name__'
check "  ... app1 and app2 read through the extension, app3 agentless" \
    is "agentless extension extension" \
    'curl -sf --data-urlencode "query=fitbot_partman_info" "$api/query" | python3 -c "
import json, sys
r = sorted(json.load(sys.stdin)[\"data\"][\"result\"], key=lambda s: s[\"metric\"][\"database\"])
print(\" \".join(s[\"metric\"][\"mode\"] for s in r[::-1]) if [s[\"metric\"][\"database\"] for s in r] == [\"app1\", \"app2\", \"app3\"] else \"\")"'
check "  ... each database sees its own job (fitbot_partman_maintenance_jobs 1 each)" \
    is "app1 app2 app3" 'labels_of "fitbot_partman_maintenance_jobs == 1" database'
check "  ... the exposition declares each family once" \
    bash -c "[ \"\$(curl -sf http://127.0.0.1:$exporter_port/metrics | grep -c '^# TYPE fitbot_partman_status ')\" = 1 ]"
# alerts STATE: "alertname/database" of each alert in that state, but the Watchdog, sorted.
alerts() {
    curl -sf "$api/alerts" | python3 -c '
import json, sys
print(" ".join(sorted({a["labels"]["alertname"] + "/" + a["labels"].get("database", "")
                       for a in json.load(sys.stdin)["data"]["alerts"]
                       if a["state"] == sys.argv[1] and a["labels"]["alertname"] != "Watchdog"})))' "$1"
}
quiet() {
    sleep 5
    local active
    active="$(alerts pending) $(alerts firing)"
    [ "$active" = " " ] && return 0
    echo "# active: $active"
    return 1
}
check "healthy databases: no alert pending or firing for 5 s" quiet

# ---------------------------------------------------------------- persistent connections
# backends: the exporter's sessions (pid and database), as pg_stat_activity lists them.
backends() {
    db postgres -c "SELECT string_agg(pid || '@' || datname, ' ' ORDER BY pid) FROM pg_stat_activity
                    WHERE usename = 'monitor' AND application_name = 'fitbot-partman'"
}
refreshes_seen() { metrics | sed -n 's/^fitbot_partman_last_refresh_timestamp_seconds{database="app1"} //p'; }
before=$(backends)
first_refresh=$(refreshes_seen)
sleep 3.5
after=$(backends)
check "the same $(wc -w <<<"$before") backends across 3 refreshes (the list, app1-3, pg_cron's database): [$before]" \
    bash -c "[ '$before' = '$after' ] && [ '$(refreshes_seen)' != '$first_refresh' ] && [ $(wc -w <<<"$before") = 5 ]"

# ---------------------------------------------------------------- one database broken
db postgres -c "UPDATE cron.job SET active = false WHERE jobname = 'maintenance_app2'" >/dev/null
check "app2's job made inactive: FitbotPartmanMaintenanceJobInactive fires for database app2 only" \
    wait_for 40 is "FitbotPartmanMaintenanceJobInactive/app2" 'alerts firing'
check "  ... and nothing is pending for another database" bash -c "! grep -qE '/(app1|app3)' <<<'$(alerts pending)'"
db postgres -c "UPDATE cron.job SET active = true WHERE jobname = 'maintenance_app2'" >/dev/null
check "  ... re-activated: resolved" wait_for 40 is "" 'alerts firing'

# app3 becomes unreachable for the monitor: its up goes 0, the others stay 1.
db postgres -c "REVOKE CONNECT ON DATABASE app3 FROM PUBLIC" \
    -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'app3' AND usename = 'monitor'" >/dev/null
check "app3 unreachable: fitbot_partman_up 0 for app3 alone" \
    wait_for 40 is "app3" 'labels_of "fitbot_partman_up == 0" database'
check "  ... app1 and app2 still refreshed (up 1)" is "app1 app2" 'labels_of "fitbot_partman_up == 1" database'
check "  ... FitbotPartmanDatabaseUnreachable fires with database app3, and no other alert" \
    wait_for 40 is "FitbotPartmanDatabaseUnreachable/app3" 'alerts firing'
check "  ... /healthz stays 200 (the cluster is listed; app3 speaks for itself)" \
    curl -sf -o /dev/null "http://127.0.0.1:$exporter_port/healthz"
db postgres -c "GRANT CONNECT ON DATABASE app3 TO PUBLIC" >/dev/null
check "  ... CONNECT granted again: reconnected, up 1 for all three" \
    wait_for 40 is "app1 app2 app3" 'labels_of "fitbot_partman_up == 1" database'

# ---------------------------------------------------------------- databases come and go
db postgres -c "CREATE DATABASE app4" >/dev/null
db app4 -c "SET client_min_messages = warning; CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman" >/dev/null
# Not set up: the monitor may not read part_config there, so app4 reports up 0, as it should; being
# followed is what counts here.
check "a database created while it runs (pg_partman installed a moment later) is followed" \
    wait_for 20 bash -c "curl -sf http://127.0.0.1:$exporter_port/metrics | grep -q '^fitbot_partman_up{database=\"app4\"} [01]$'"
db postgres -c "DROP DATABASE app4 WITH (FORCE)" >/dev/null
check "  ... dropped: its series are gone" \
    wait_for 20 bash -c "! curl -sf http://127.0.0.1:$exporter_port/metrics | grep -q 'database=\"app4\"'"
check "  ... and the others go on (up 1)" \
    wait_for 10 bash -c "[ \"\$(curl -sf http://127.0.0.1:$exporter_port/metrics | grep -c '^fitbot_partman_up{database=\"app[123]\"} 1')\" = 3 ]"
check "  ... the exporter logged both" bash -c "grep -q 'following database \"app4\"' '$work/exporter.log' &&
    grep -q 'database \"app4\" is gone' '$work/exporter.log'"

# ---------------------------------------------------------------- server restart
before=$(backends)
cluster_restart "$work/pg" >/dev/null 2>&1
check "server restarted: the exporter reconnects, up 1 for app1-3 again" \
    wait_for 60 bash -c "[ \"\$(curl -sf http://127.0.0.1:$exporter_port/metrics | grep -c '^fitbot_partman_up{database=\"app[123]\"} 1')\" = 3 ]"
sleep 2.5
after=$(backends)
check "  ... on new backends, again 5 and kept: [$after]" \
    bash -c "[ '$before' != '$after' ] && [ $(wc -w <<<"$after") = 5 ] && sleep 2 && [ \"\$(psql -X -At -d postgres -c \"SELECT string_agg(pid || '@' || datname, ' ' ORDER BY pid) FROM pg_stat_activity WHERE usename = 'monitor' AND application_name = 'fitbot-partman'\")\" = '$after' ]"

# ---------------------------------------------------------------- one database, labelled
single_port=$(free_port)
"$companion" --dsn "$(dsn app1 monitor)" serve --database-label --port "$single_port" --interval 1 \
    >>"$work/single.log" 2>&1 &
pids+=($!)
check "serve --database-label (one database): its series carry database=\"app1\"" \
    wait_for 20 bash -c "body=\$(curl -sf http://127.0.0.1:$single_port/metrics) &&
        grep -q '^fitbot_partman_up{database=\"app1\"} 1' <<<\"\$body\" &&
        grep -q '^fitbot_partman_status{database=\"app1\"} ' <<<\"\$body\""

if [ "$SUITE_FAILED" -gt 0 ]; then
    echo "# exporter log:"; tail -30 "$work/exporter.log" | sed 's/^/#   /'
fi
suite_result
