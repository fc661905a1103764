#!/usr/bin/env bash
# Benchmark: one `fitbot-partman serve --all-databases` for a cluster of 20
# application databases (DATABASES; 6 parents with 25 monthly partitions made and
# the rest pg_partman adds, about 6,000 partitions in all; pg_cron in database fitbot, so every refresh
# also reads the jobs there), against its own baseline from the same run: 20
# single-database exporters, one per database. And, as the anchor, Debian's
# prometheus-postgres-exporter --auto-discover-databases with the custom
# queries of bench/exporter/queries.yaml (its own baseline for the same facts),
# scraped once per interval.
#
# Database time is what PostgreSQL counts as time spent executing statements
# (pg_stat_database.active_time, PG 14+) in every database, over WINDOW
# seconds, per refresh; the exporters are stopped before the count is read,
# so that their backends flush their statistics. Target for ours: under 50 ms
# of database time per refresh across the 20 databases.
# Needs make install (the extension) and make companion.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
DATABASES=${DATABASES:-20}
PARENTS=${PARENTS:-6}
MONTHS=${MONTHS:-25}
INTERVAL=${INTERVAL:-2}
WINDOW=${WINDOW:-40}

pids=()
bench_cluster all_databases 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true'
sql -c "SET client_min_messages = warning; CREATE EXTENSION pg_cron" \
    -c "CREATE ROLE fitbot_monitor LOGIN IN ROLE pg_monitor" >/dev/null

# One database made whole, then copied (CREATE DATABASE ... TEMPLATE) DATABASES times.
sql -c "CREATE DATABASE app_template" >/dev/null
PGDATABASE=app_template sql -c "SET client_min_messages = warning; CREATE EXTENSION fitbot_partman CASCADE" \
    -c "CREATE SCHEMA bench" >/dev/null
PGDATABASE=app_template sql -f bench/health/baselines.sql >/dev/null
for n in $(seq "$PARENTS"); do
    PGDATABASE=app_template sql -c "SET client_min_messages = error; SELECT bench_make_parent($n, $MONTHS)" >/dev/null
done
PGDATABASE=app_template sql -c "ANALYZE" >/dev/null
names=()
for n in $(seq -w 1 "$DATABASES"); do
    sql -c "CREATE DATABASE app$n TEMPLATE app_template" >/dev/null
    names+=("app$n")
done
sql -c "ALTER DATABASE app_template ALLOW_CONNECTIONS false" >/dev/null
partitions=$(for name in "${names[@]}"; do
    PGDATABASE=$name sql -c "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                             WHERE c.relnamespace = 'bench'::regnamespace"
done | awk '{s += $1} END {print s}')

database_time_ms() { sql -c "SELECT coalesce(sum(active_time), 0) FROM pg_stat_database"; }
sessions() { sql -c "SELECT coalesce(sum(sessions), 0) FROM pg_stat_database"; }
backends() {
    sql -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'fitbot_monitor' OR application_name = 'postgres_exporter'"
}
wait_metrics() {  # PORT PATTERN: until the exporter serves PATTERN (bounded)
    local body
    for _ in $(seq 150); do
        body=$(curl -s -m 5 "http://127.0.0.1:$1/metrics" || true)
        grep -q "$2" <<<"$body" && return 0
        sleep 0.2
    done
    echo "exporter on port $1 does not serve $2" >&2
    return 1
}
# measure NAME: after the exporters in `group` have warmed up, the database
# time and new sessions per refresh over WINDOW seconds, the backends held.
# Prints "ms_per_refresh sessions_per_refresh backends".
measure() {
    local t0 s0 t1 s1 held refreshes
    sleep "$INTERVAL"
    held=$(backends)
    t0=$(database_time_ms); s0=$(sessions)
    sleep "$WINDOW"
    for pid in "${group[@]}"; do kill "$pid"; done
    for pid in "${group[@]}"; do wait "$pid" 2>/dev/null || true; done
    sleep 1.5  # the backends' statistics reach pg_stat_database
    t1=$(database_time_ms); s1=$(sessions)
    refreshes=$(( WINDOW / INTERVAL ))
    echo "$(echo "scale=1; ($t1 - $t0) / $refreshes" | bc) $(echo "scale=1; ($s1 - $s0) / $refreshes" | bc) $held"
}
dsn() { echo "host=$PGHOST port=$PGPORT dbname=$1 user=fitbot_monitor"; }

# ---- ours, one exporter for every database
port=$(free_port)
build/fitbot-partman --dsn "$(dsn postgres)" serve --all-databases --port "$port" --interval "$INTERVAL" \
    2>"$work/ours.log" &
group=($!); pids+=($!)
wait_metrics "$port" "^fitbot_partman_up{database=\"${names[-1]}\"} 1"
# The exporter's own view: the sum over the databases of the last refresh's wall time.
wall_ms=$(for _ in 1 2 3; do
    curl -s "http://127.0.0.1:$port/metrics" | awk '/^fitbot_partman_refresh_duration_seconds\{/ {s += $2} END {printf "%.1f\n", s * 1000}'
    sleep "$INTERVAL"
done | sort -n | sed -n 2p)
followed=$(curl -s "http://127.0.0.1:$port/metrics" | grep -c '^fitbot_partman_up{database=.*} 1$')
read -r ours_ms ours_sessions ours_backends <<<"$(measure)"

# ---- baseline: one single-database exporter per database, same run
group=()
ports=()
for name in "${names[@]}"; do
    p=$(free_port)
    build/fitbot-partman --dsn "$(dsn "$name")" serve --port "$p" --interval "$INTERVAL" 2>>"$work/single.log" &
    group+=($!); pids+=($!); ports+=("$p")
done
for p in "${ports[@]}"; do wait_metrics "$p" '^fitbot_partman_up 1'; done
read -r single_ms single_sessions single_backends <<<"$(measure)"

# ---- anchor: prometheus-postgres-exporter --auto-discover-databases, scraped once per interval
anchor="not installed"
if command -v prometheus-postgres-exporter >/dev/null; then
    p=$(free_port)
    # postgres_exporter 0.11 drops a database's whole scrape when one custom query errors there, and it
    # always scrapes its DSN's database (--exclude-databases does not apply to it). So the anchor's
    # query is queries.yaml's partitions query over the catalogs alone (pg_class, pg_inherits: every
    # database has them; without part_config, every top-level partitioned table is a parent), which
    # returns no rows where there is nothing partitioned. Its series carry a database label: 0.11 labels
    # them by server only, and the same parent in two databases fails the whole scrape (collected
    # twice with the same labels). The job and default-rows queries read
    # cron.job and the single-database bench's table, which only one database has: left out.
    python3 -c 'import sys, yaml
q = yaml.safe_load(open(sys.argv[1]))["fitbot_baseline_partitions"]
q["query"] = q["query"].replace(
    "FROM part_config p\n"
    "JOIN pg_namespace n ON n.nspname = split_part(p.parent_table, \x27.\x27, 1)\n"
    "JOIN pg_class pc ON pc.relnamespace = n.oid AND pc.relname = split_part(p.parent_table, \x27.\x27, 2)\n",
    "FROM pg_class pc\n"
    "JOIN pg_namespace n ON n.oid = pc.relnamespace\n"
    "CROSS JOIN LATERAL (SELECT format(\x27%I.%I\x27, n.nspname, pc.relname) AS parent_table) p\n")
q["query"] = q["query"].replace("GROUP BY p.parent_table", "WHERE pc.relkind = \x27p\x27 AND NOT pc.relispartition\nGROUP BY p.parent_table")
q["query"] = q["query"].replace("SELECT p.parent_table AS parent,", "SELECT current_database() AS database, p.parent_table AS parent,")
q["metrics"].insert(0, {"database": {"usage": "LABEL", "description": "database"}})
assert "part_config" not in q["query"] and "relispartition" in q["query"], q["query"]
yaml.safe_dump({"fitbot_baseline_partitions": q}, open(sys.argv[2], "w"))' \
        bench/exporter/queries.yaml "$work/anchor-queries.yaml"
    DATA_SOURCE_NAME="host=$PGHOST port=$PGPORT dbname=postgres user=postgres sslmode=disable" \
        prometheus-postgres-exporter --web.listen-address="127.0.0.1:$p" --auto-discover-databases \
        --exclude-databases=app_template --extend.query-path="$work/anchor-queries.yaml" \
        --disable-default-metrics --disable-settings-metrics >"$work/theirs.log" 2>&1 &
    theirs=$!; group=("$theirs"); pids+=("$theirs")
    if wait_metrics "$p" '^fitbot_baseline_partitions_partitions{'; then
        sleep "$INTERVAL"
        theirs_series=$(curl -s -m 30 "http://127.0.0.1:$p/metrics" | grep -c '^fitbot_baseline_partitions_partitions{' || true)
        ( while kill -0 "$theirs" 2>/dev/null; do curl -s -m 30 "http://127.0.0.1:$p/metrics" >/dev/null; sleep "$INTERVAL"; done ) &
        pids+=($!)
        read -r theirs_ms theirs_sessions theirs_backends <<<"$(measure)"
        anchor="$theirs_series parent series of $((DATABASES * PARENTS)) served"
    else
        # Reported, not fatal: the anchor is a comparison, ours is the result.
        anchor="did not serve the custom queries: $(grep -v '^ *$' "$work/theirs.log" | tail -2 | tr '\n' ' ')"
        kill "$theirs" 2>/dev/null || true
    fi
fi

echo "## One exporter for $DATABASES databases ($partitions partitions), refresh every ${INTERVAL} s, ${WINDOW} s measured"
echo
printf '| %-44s | %-18s | %-26s | %-26s |\n' measure "serve --all-databases" "$DATABASES x serve (baseline)" "postgres_exporter --auto-discover"
printf '|%s|%s|%s|%s|\n' ---------------------------------------------- -------------------- ---------------------------- ----------------------------
printf '| %-44s | %18s | %26s | %26s |\n' "database time per refresh (active_time), ms" "$ours_ms" "$single_ms" "${theirs_ms:--}"
printf '| %-44s | %18s | %26s | %26s |\n' "new sessions per refresh" "$ours_sessions" "$single_sessions" "${theirs_sessions:--}"
printf '| %-44s | %18s | %26s | %26s |\n' "backends held" "$ours_backends" "$single_backends" "${theirs_backends:--}"
echo
echo "ours: $followed databases followed; the refresh's wall time (sum over the databases): $wall_ms ms"
echo "anchor (prometheus-postgres-exporter $(prometheus-postgres-exporter --version 2>&1 | awk 'NR==1{print $3}')): $anchor"
echo "target: under 50 ms of database time per refresh across the $DATABASES databases"
if [ "$(echo "$ours_ms < 50" | bc)" = 1 ]; then echo "result: PASS"; else echo "result: FAIL"; exit 1; fi
