#!/usr/bin/env bash
# Data safety, end to end on real clusters:
#  - readings inserted continuously by pgbench while maintenance runs again
#    and again, creating future partitions and dropping expired ones: every
#    acknowledged insert is there afterwards, none in the default partition,
#    and only expired partitions went away;
#  - the issue's stall scenario under the scheduled job's command: two
#    pgbench clients inserting, a 15 s reader, an expired partition; no insert
#    waits longer than lock_timeout + 1 s, the expired partition goes once the
#    reader ended, no acknowledged insert is lost, the ledger shows the waits;
#  - a setup() that fails half way (pg_cron refusing) leaves every row;
#  - without pg_cron in shared_preload_libraries setup() refuses with the fix;
#  - pg_dump/pg_restore of a set-up database into a new cluster restores
#    cleanly, keeps every row, and reads healthy.
# Prints the figures docs/reliability.md quotes.
set -u
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh
source test/lib/suite.sh
source test/lib/sql.sh

CLIENTS=${CLIENTS:-4}
SECONDS_OF_LOAD=${SECONDS_OF_LOAD:-20}
MAINTENANCE_ROUNDS=${MAINTENANCE_ROUNDS:-15}

work=$(mktemp -d /tmp/fitbot-safety.XXXXXX)
chmod 755 "$work"
trap 'cluster_stop "$work/a"; cluster_stop "$work/b"; cluster_stop "$work/c"; rm -rf "$work"' EXIT

cluster_start "$work/a" fitbot >/dev/null || { not_ok "start cluster"; suite_result; exit 1; }
sql -c "SET client_min_messages = warning; CREATE EXTENSION fitbot_partman CASCADE;" -c "SELECT count(*) FROM fitbot_partman.setup();" >/dev/null

# ---------------------------------------------------------------- inserts vs maintenance
# Expired partitions (two years ago) that maintenance must drop, a future
# one it must re-create, while pgbench inserts.
sql <<'SQL'
SET client_min_messages = warning;
CREATE SEQUENCE reading_seq;
CREATE TABLE expired_expected (name text);
DO $$
DECLARE m int;
BEGIN
    FOR m IN 24..27 LOOP
        EXECUTE format('CREATE TABLE public.heart_rate_readings_p%s PARTITION OF public.heart_rate_readings FOR VALUES FROM (%L) TO (%L)',
                       to_char(date_trunc('month', now()) - make_interval(months => m), 'YYYY_MM'),
                       date_trunc('month', now()) - make_interval(months => m),
                       date_trunc('month', now()) - make_interval(months => m - 1));
        INSERT INTO expired_expected VALUES ('heart_rate_readings_p' || to_char(date_trunc('month', now()) - make_interval(months => m), 'YYYY_MM'));
    END LOOP;
END $$;
SQL
partitions_before=$(sql -c "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.heart_rate_readings'::regclass")

cat >"$work/insert.sql" <<'SQL'
INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm)
VALUES (:client_id, now() - interval '1 day' + nextval('reading_seq') * interval '1 millisecond', 40 + :client_id);
SQL
chmod 644 "$work/insert.sql"
pgbench -n -c "$CLIENTS" -j 2 -T "$SECONDS_OF_LOAD" -f "$work/insert.sql" >"$work/pgbench.log" 2>&1 &
pgbench_pid=$!

rounds=0
maintenance_errors=0
recreated=0
newest_partition() {
    sql -c "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'public.heart_rate_readings'::regclass AND NOT c.relname LIKE '%default'
            ORDER BY c.relname DESC LIMIT 1"
}
while kill -0 "$pgbench_pid" 2>/dev/null && [ "$rounds" -lt "$MAINTENANCE_ROUNDS" ]; do
    # Take away the newest future partition so each run has one to create
    # (and, in the first run, expired ones to drop).
    newest=$(newest_partition)
    sql -c "DROP TABLE public.$newest" >/dev/null
    if sql -c "CALL public.run_maintenance_proc();" >/dev/null 2>"$work/maintenance.err"; then
        rounds=$((rounds + 1))
        [ "$(sql -c "SELECT to_regclass('public.$newest') IS NOT NULL")" = t ] && recreated=$((recreated + 1))
    else
        maintenance_errors=$((maintenance_errors + 1))
        cat "$work/maintenance.err"
    fi
    sleep 0.3
done
wait "$pgbench_pid"
pgbench_status=$?
cat "$work/pgbench.log" | grep -E "number of (transactions actually processed|failed)|tps"
acknowledged=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/pgbench.log")
present=$(sql -c "SELECT count(*) FROM public.heart_rate_readings")
in_default=$(sql -c "SELECT count(*) FROM public.heart_rate_readings_default")
partitions_after=$(sql -c "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.heart_rate_readings'::regclass")
gone=$(comm -23 <(tr ' ' '\n' <<<"$partitions_before" | sort) <(tr ' ' '\n' <<<"$partitions_after" | sort) | tr '\n' ' ')
expected_gone=$(sql -c "SELECT string_agg(name, ' ' ORDER BY name) FROM expired_expected")
echo "inserts acknowledged: ${acknowledged:-?}, present afterwards: $present, in default: $in_default"
echo "maintenance runs completed under load: $rounds (errors: $maintenance_errors)"
echo "partitions dropped: ${gone:-none}"
check "pgbench ran without errors" test "$pgbench_status" -eq 0
check "maintenance ran repeatedly under concurrent inserts" test "$rounds" -ge 3 -a "$maintenance_errors" -eq 0
check "every acknowledged insert is present (${acknowledged:-?} = $present)" test "${acknowledged:-x}" = "$present"
check "no insert landed in the default partition" test "$in_default" -eq 0
check "only the expired partitions went away" test "$(echo $gone)" = "$(echo $expected_gone)"
check "every run re-created the future partition taken away ($recreated of $rounds)" test "$recreated" -eq "$rounds"
check "the table reads healthy afterwards" \
    test "$(sql -c "SELECT status FROM fitbot_partman.partition_health() WHERE parent = 'public.heart_rate_readings'::regclass")" = ok
echo "# figures: acknowledged=${acknowledged:-0} lost=$(( ${acknowledged:-0} - present )) maintenance_rounds=$rounds"

# ---------------------------------------------------------------- ingest never stalls behind maintenance
# The issue's scenario under the scheduled job's own command (read from
# cron.job): two pgbench clients insert readings, a report transaction that
# has read the table stays open for 15 s, and an expired partition waits to be
# dropped. run_maintenance() asks for its locks under lock_timeout and backs
# off, so an insert waits at most lock_timeout (+ 1 s of slack); the expired
# partition goes once the reader has ended; every acknowledged insert is there.
STALL_READER_SECONDS=${STALL_READER_SECONDS:-15}
stall_lock_timeout=$(sql -c "SELECT extract(epoch FROM value::interval) FROM fitbot_partman.maintenance_config() WHERE setting = 'lock_timeout'")
expired=$(sql <<'SQL'
SET client_min_messages = warning;
CREATE SEQUENCE stall_seq;
DO $$
DECLARE month_start timestamptz := date_trunc('month', now()) - interval '14 months';
BEGIN
    EXECUTE format('CREATE TABLE public.%I PARTITION OF public.heart_rate_readings FOR VALUES FROM (%L) TO (%L)',
                   'heart_rate_readings_p' || to_char(month_start, 'YYYY_MM'), month_start, month_start + interval '1 month');
    EXECUTE format('INSERT INTO public.%I (user_id, measured_at, bpm, source) VALUES (7, %L, 70, ''expired'')',
                   'heart_rate_readings_p' || to_char(month_start, 'YYYY_MM'), month_start + interval '1 day');
END $$;
SELECT 'heart_rate_readings_p' || to_char(date_trunc('month', now()) - interval '14 months', 'YYYY_MM');
SQL
)
job_command=$(sql -c "SELECT command FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly'")
echo "# job command: $job_command"
# Unique keys (a per-insert offset from a fixed base), random user ids: an
# insert that ON CONFLICT skipped would show up as a lost row.
cat >"$work/stall_insert.sql" <<'SQL'
\set uid random(1000, 1000000)
INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm, source)
VALUES (:uid, to_timestamp(:base) + nextval('stall_seq') * interval '1 microsecond', 60 + :client_id, 'stall-test')
ON CONFLICT DO NOTHING;
SQL
chmod 644 "$work/stall_insert.sql"
PGAPPNAME=stall_reader psql -X -q -v ON_ERROR_STOP=1 -c "BEGIN" -c "SELECT count(*) FROM public.heart_rate_readings" \
    -c "SELECT pg_sleep($STALL_READER_SECONDS)" -c "COMMIT" >/dev/null 2>"$work/reader.err" &
reader_pid=$!
for _ in $(seq 100); do
    [ "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'stall_reader' AND query LIKE '%pg_sleep%'")" = 1 ] && break
    sleep 0.1
done
(cd "$work" && exec pgbench -n -c 2 -j 2 -R 600 -T $((STALL_READER_SECONDS + 10)) -D base=$(($(date +%s) - 3600)) \
    -f stall_insert.sql -l --log-prefix=stall_latency) >"$work/stall_pgbench.log" 2>&1 &
stall_pgbench=$!
sleep 1
maintenance_started=$(date +%s.%N)
psql -X -q -v ON_ERROR_STOP=1 -c "$job_command" >"$work/stall_job.out" 2>&1
stall_job_status=$?
maintenance_seconds=$(echo "$(date +%s.%N) - $maintenance_started" | bc)
cat "$work/stall_job.out"
wait "$reader_pid"
reader_status=$?
job_runs=1
if [ "$(sql -c "SELECT to_regclass('public.$expired') IS NOT NULL")" = t ]; then
    # The reader has ended now; the ledger said why the first run kept it.
    sql -c "SELECT outcome, message FROM fitbot_partman.maintenance_run_tables WHERE run_id = (SELECT max(run_id) FROM fitbot_partman.maintenance_runs)"
    psql -X -q -v ON_ERROR_STOP=1 -c "$job_command" >/dev/null 2>&1
    job_runs=2
fi
wait "$stall_pgbench"
stall_pgbench_status=$?
grep -E "number of (transactions actually processed|failed)|tps" "$work/stall_pgbench.log"
# pgbench's per-transaction log: field 3 is the latency in microseconds,
# under -R from the insert's scheduled arrival (so queueing behind a lock
# counts, as pgbench reports it); field 7 is the schedule lag, and field 3
# minus field 7 the insert's own time on the server.
read -r max_insert_us p99_insert_us max_server_us logged < <(cat "$work"/stall_latency.* |
    awk '{ print $3, $3 - $7 }' | sort -n | awk '{ v[NR] = $1; if ($2 > s) s = $2 }
        END { i = int(NR * 0.99); if (i < 1) i = 1; print v[NR] + 0, v[i] + 0, s + 0, NR }')
stall_acknowledged=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/stall_pgbench.log")
stall_present=$(sql -c "SELECT count(*) FROM public.heart_rate_readings WHERE source = 'stall-test'")
ledger=$(sql -F ' ' -c "SELECT t.outcome, t.attempts, t.lock_waits, round(t.lock_wait_seconds::numeric, 1), t.partitions_dropped, r.trigger
                         FROM fitbot_partman.maintenance_run_tables t JOIN fitbot_partman.maintenance_runs r USING (run_id)
                         WHERE t.parent = 'public.heart_rate_readings' ORDER BY t.run_id DESC LIMIT $job_runs" | tail -1)
echo "# ledger (outcome attempts lock_waits lock_wait_seconds dropped trigger): $ledger"
read -r ledger_outcome ledger_attempts ledger_lock_waits ledger_wait_seconds ledger_dropped ledger_trigger <<<"$ledger"
max_allowed_us=$(echo "($stall_lock_timeout + 1) * 1000000" | bc | cut -d. -f1)
echo "# figures: stall_max_insert_ms=$((max_insert_us / 1000)) stall_p99_insert_ms=$((p99_insert_us / 1000)) stall_max_server_ms=$((max_server_us / 1000)) lock_timeout_s=$stall_lock_timeout maintenance_s=$maintenance_seconds job_runs=$job_runs acknowledged=${stall_acknowledged:-0} present=$stall_present"
check "the reader held its snapshot for ${STALL_READER_SECONDS} s" test "$reader_status" -eq 0
check "the scheduled job's command ran under the inserts and the reader without error" test "$stall_job_status" -eq 0
check "pgbench inserted throughout without errors ($logged inserts logged)" test "$stall_pgbench_status" -eq 0 -a "${logged:-0}" -gt 0
check "maximum insert latency $((max_insert_us / 1000)) ms <= lock_timeout + 1 s ($((max_allowed_us / 1000)) ms)" \
    test "${max_insert_us:-999999999}" -le "$max_allowed_us"
check "the expired partition $expired is gone once the reader ended (job runs: $job_runs)" \
    test "$(sql -c "SELECT to_regclass('public.$expired') IS NULL")" = t
check "every acknowledged insert is present (${stall_acknowledged:-?} = $stall_present)" test "${stall_acknowledged:-x}" = "$stall_present"
check "no insert landed in the default partition" test "$(sql -c "SELECT count(*) FROM public.heart_rate_readings_default")" = 0
check "the ledger records the pg_cron-triggered run: succeeded after lock waits, the expired partition dropped" \
    test "$ledger_trigger" = pg_cron -a "$ledger_outcome" = succeeded -a "${ledger_lock_waits:-0}" -ge 1 \
         -a "${ledger_attempts:-0}" -gt "${ledger_lock_waits:-0}" -a "${ledger_dropped:-0}" -ge 1
check "the ledger's lock wait time (${ledger_wait_seconds:-?} s) is at least its lock waits x lock_timeout" \
    test "$(echo "${ledger_wait_seconds:-0} >= ${ledger_lock_waits:-1} * $stall_lock_timeout * 0.9" | bc)" = 1

# ---------------------------------------------------------------- failed setup keeps rows
rows_before=$(sql -c "SELECT count(*) FROM public.heart_rate_readings")
sql -c "SELECT count(*) FROM fitbot_partman.teardown()" >/dev/null
sql <<'SQL'
CREATE FUNCTION public.refuse_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'pg_cron refuses new jobs (fault injected by the test)'; END $$;
CREATE TRIGGER refuse_jobs BEFORE INSERT ON cron.job FOR EACH ROW EXECUTE FUNCTION public.refuse_jobs();
SQL
if sql -c "SELECT * FROM fitbot_partman.setup()" >/dev/null 2>"$work/setup.err"; then
    not_ok "setup() fails when pg_cron refuses the job"
else
    check "setup() fails when pg_cron refuses the job" grep -q "ERROR:  pg_cron refuses new jobs" "$work/setup.err"
fi
check "the failed setup() left every row ($rows_before)" \
    test "$(sql -c "SELECT count(*) FROM public.heart_rate_readings")" = "$rows_before"
check "the failed setup() left no half registration" \
    test "$(sql -c "SELECT count(*) FROM part_config")" = 0
sql -c "DROP TRIGGER refuse_jobs ON cron.job; DROP FUNCTION public.refuse_jobs();" >/dev/null
check "setup() succeeds once pg_cron accepts jobs again" sql -c "SELECT count(*) FROM fitbot_partman.setup()" -o /dev/null

# ---------------------------------------------------------------- pg_dump / pg_restore
sql -c "ANALYZE" >/dev/null
checksum_a=$(sql -c "SELECT count(*) || ':' || md5(string_agg(format('%s|%s|%s', user_id, measured_at, bpm), ',' ORDER BY user_id, measured_at)) FROM public.heart_rate_readings")
pg_dump -Fc -f "$work/fitbot.dump" fitbot
chmod 644 "$work/fitbot.dump"
source_port=$PGPORT source_host=$PGHOST
cluster_start "$work/b" fitbot >/dev/null
if pg_restore -d fitbot --exit-on-error "$work/fitbot.dump" 2>"$work/restore.err"; then
    ok "pg_restore into a new cluster: no error"
else
    not_ok "pg_restore into a new cluster: $(head -3 "$work/restore.err")"
fi
checksum_b=$(sql -c "SELECT count(*) || ':' || md5(string_agg(format('%s|%s|%s', user_id, measured_at, bpm), ',' ORDER BY user_id, measured_at)) FROM public.heart_rate_readings")
check "restored database keeps every row ($checksum_a)" test "$checksum_a" = "$checksum_b"
check "restored database reads healthy" \
    test "$(sql -c "SELECT status FROM fitbot_partman.partition_health() WHERE parent = 'public.heart_rate_readings'::regclass")" = ok
check "restored database keeps its maintenance job" \
    test "$(sql -c "SELECT count(*) FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly' AND active")" = 1
restored_setup=$(sql -c "SELECT string_agg(step || ' ' || action, ', ') FROM fitbot_partman.setup()")
check "setup() on the restored database changes nothing ($restored_setup)" \
    test "$(sql -c "SELECT bool_and(action = 'unchanged') AND count(*) >= 3 FROM fitbot_partman.setup()")" = t
cluster_stop "$work/b"

# ---------------------------------------------------------------- pg_cron not loaded
mkdir -p "$work/c"
chown postgres: "$work/c"
cluster_start "$work/c" fitbot >/dev/null
sed -i "s/^shared_preload_libraries = 'pg_cron'/shared_preload_libraries = ''/" "$work/c/data/postgresql.conf"
cluster_restart "$work/c" >/dev/null
sql -c "SET client_min_messages = warning; CREATE EXTENSION fitbot_partman CASCADE;" >/dev/null
if sql -c "SELECT * FROM fitbot_partman.setup()" >/dev/null 2>"$work/nocron.err"; then
    not_ok "setup() refuses when pg_cron is not loaded"
else
    check "setup() refuses when pg_cron is not loaded, with the exact fix as hint" \
        grep -q "HINT:  Run ALTER SYSTEM SET shared_preload_libraries = 'pg_cron'" "$work/nocron.err"
fi
check "... and changes nothing" test "$(sql -c "SELECT to_regclass('public.heart_rate_readings') IS NULL")" = t
check "preflight says so" \
    test "$(sql -c "SELECT ok FROM fitbot_partman.preflight() WHERE check_name = 'pg_cron preloaded'")" = f

suite_result
