#!/usr/bin/env bash
# Benchmark: insert latency while maintenance runs, pg_partman's own
# `CALL run_maintenance_proc()` against `CALL fitbot_partman.run_maintenance()`,
# in the same run on the same cluster and the same scenario (issue 10):
#   - two pgbench clients insert single readings (random user ids, now()-ish
#     times, ON CONFLICT DO NOTHING) at a fixed total rate (-R, RATE per second);
#   - a report transaction has read heart_rate_readings and stays open
#     READER_SECONDS (15 s);
#   - one expired partition (14 months old) is there for retention to drop;
#   - maintenance starts 2 s into the load.
# For each command it prints the maintenance time and, over the inserts
# scheduled while it ran: how many, their latency p50, p99 and max as pgbench
# measures it under -R (from the scheduled arrival, so queueing behind a lock
# counts), the longest single insert (the server's part alone), and the
# longest time in which no insert completed. Then it checks that the expired
# partition was dropped and no acknowledged insert was lost.
#
# Starts its own throwaway cluster (test/lib/cluster.sh) and removes it.
# Needs the extension installed (make install) and pgbench; run as root or
# postgres. Not part of the test command.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
READER_SECONDS=${READER_SECONDS:-15}
RATE=${RATE:-600}

bench_cluster maintenance
bench_setup
partman=$(sql -c "SELECT extnamespace::regnamespace FROM pg_extension WHERE extname = 'pg_partman'")
lock_timeout=$(sql -c "SELECT value FROM fitbot_partman.maintenance_config() WHERE setting = 'lock_timeout'")
sql -c "CREATE SEQUENCE bench_seq;
        INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm)
        SELECT g % 100, now() - g * interval '10 seconds', 60 + g % 40 FROM generate_series(1, 100000) g;
        ANALYZE public.heart_rate_readings;" >/dev/null
cat >"$work/insert.sql" <<'SQL'
\set uid random(1, 1000000)
INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm, source)
VALUES (:uid, to_timestamp(:base) + nextval('bench_seq') * interval '1 microsecond', 60 + :client_id, 'bench')
ON CONFLICT DO NOTHING;
SQL
chmod 644 "$work/insert.sql"

# scenario LABEL COMMAND: one run of the scenario; prints a table row.
scenario() {
    local label=$1 command=$2 expired reader pgbench_pid started finished dir
    dir="$work/$(echo "$label" | tr -c 'a-z0-9\n' _)"
    mkdir -p "$dir" && chmod 777 "$dir"
    expired=$(sql -c "SET client_min_messages = warning;
        DO \$\$ DECLARE m timestamptz := date_trunc('month', now()) - interval '14 months';
        BEGIN
            EXECUTE format('CREATE TABLE public.%I PARTITION OF public.heart_rate_readings FOR VALUES FROM (%L) TO (%L)',
                           'heart_rate_readings_p' || to_char(m, 'YYYY_MM'), m, m + interval '1 month');
            INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm) VALUES (1, m + interval '1 day', 70);
        END \$\$;
        SELECT 'heart_rate_readings_p' || to_char(date_trunc('month', now()) - interval '14 months', 'YYYY_MM');")
    local present_before
    present_before=$(sql -c "SELECT count(*) FROM public.heart_rate_readings WHERE source = 'bench'")
    PGAPPNAME=bench_reader psql -X -q -c "BEGIN" -c "SELECT count(*) FROM public.heart_rate_readings" \
        -c "SELECT pg_sleep($READER_SECONDS)" -c "COMMIT" >/dev/null &
    reader=$!
    until [ "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'bench_reader' AND query LIKE '%pg_sleep%'")" = 1 ]; do
        sleep 0.1
    done
    (cd "$dir" && exec pgbench -n -c 2 -j 2 -R "$RATE" -T $((READER_SECONDS + 10)) -D base=$(($(date +%s) - 3600)) \
        -f "$work/insert.sql" -l --log-prefix=latency) >"$dir/pgbench.log" 2>&1 &
    pgbench_pid=$!
    sleep 2
    started=$(date +%s.%N)
    psql -X -q -c "$command" >"$dir/maintenance.log" 2>&1 || { echo "$label failed:" >&2; cat "$dir/maintenance.log" >&2; }
    finished=$(date +%s.%N)
    wait "$reader"
    wait "$pgbench_pid"
    local acknowledged present dropped
    acknowledged=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$dir/pgbench.log")
    present=$(( $(sql -c "SELECT count(*) FROM public.heart_rate_readings WHERE source = 'bench'") - present_before ))
    dropped=$(sql -c "SELECT CASE WHEN to_regclass('public.$expired') IS NULL THEN 'yes' ELSE 'no' END")
    # pgbench -l: client tx_no latency_us script epoch_s epoch_us schedule_lag_us;
    # the epoch is when the insert completed.
    python3 - "$started" "$finished" "$label" "$dropped" $((acknowledged - present)) "$dir"/latency.* <<'PY'
import sys
start, end, label, dropped, lost = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
during, own, completions = [], [], []
for path in sys.argv[6:]:
    for line in open(path):
        f = line.split()
        done_at = int(f[4]) + int(f[5]) / 1e6
        completions.append(done_at)
        if start <= done_at - int(f[2]) / 1e6 <= end:
            during.append(int(f[2]) / 1000)
            own.append((int(f[2]) - int(f[6])) / 1000)
during.sort()
completions.sort()
gap = max((b - a for a, b in zip(completions, completions[1:]) if b >= start and a <= end), default=0)
pct = lambda q: during[max(int(len(during) * q) - 1, 0)] if during else 0
print(f"| {label:<45} | {end - start:8.1f} | {len(during):7d} | {pct(0.5):8.0f} | {pct(0.99):8.0f} | {max(during, default=0):8.0f} "
      f"| {max(own, default=0):10.0f} | {gap * 1000:9.0f} | {dropped:<7} | {lost:4d} |")
PY
}

echo "## Insert latency during maintenance (2 pgbench clients at $RATE inserts/s in total, a ${READER_SECONDS} s reader, one expired partition; lock_timeout $lock_timeout)"
printf '| %-45s | %-8s | %-7s | %-8s | %-8s | %-8s | %-10s | %-9s | %-7s | %-4s |\n' command maint_s inserts p50_ms p99_ms max_ms longest_ms no_ins_ms dropped lost
printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' ----------------------------------------------- ---------- --------- ---------- ---------- ---------- ------------ ----------- --------- ------
scenario "CALL $partman.run_maintenance_proc()" "CALL $partman.run_maintenance_proc();"
scenario "CALL fitbot_partman.run_maintenance()" "CALL fitbot_partman.run_maintenance();"
echo
echo "inserts: scheduled while maintenance ran; p50_ms/p99_ms/max_ms: pgbench's latency under -R (from the scheduled arrival);"
echo "longest_ms: the longest single insert on the server; no_ins_ms: the longest time no insert completed;"
echo "dropped: the expired partition is gone afterwards; lost: acknowledged inserts missing afterwards."
echo "Ledger of the driver's run:"
sql -c "SELECT parent, outcome, attempts, lock_waits, round(lock_wait_seconds::numeric, 1) AS lock_wait_s, partitions_dropped
        FROM fitbot_partman.maintenance_run_tables ORDER BY run_id DESC LIMIT 1" -F ' | '
