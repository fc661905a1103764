#!/usr/bin/env bash
# Agentless mode gives the same verdicts as the extension. A database gets
# pg_partman and pg_cron only, and `fitbot-partman --agentless setup`; then
# fitbot_partman is installed beside it, and on the same fixtures (healthy,
# rows in the default partition, a gap, an inactive job, failed runs, a
# locked default partition, an adopted wide partition) `status --json` and
# `check` must agree between the two modes. Then the companion's maintain (dry run, real run, refusing
# to overlap) and its behaviour on an unreachable database (exit codes, one
# line, never the password).
set -u
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh
source test/lib/suite.sh
source test/lib/sql.sh

work=$(mktemp -d /tmp/fitbot-agentless.XXXXXX)
chmod 755 "$work"
locker=""
trap '[ -n "$locker" ] && kill "$locker" 2>/dev/null; cluster_stop "$work/pg"; rm -rf "$work"' EXIT
companion=${COMPANION:-build/fitbot-partman}

cluster_start "$work/pg" fitbot >/dev/null || { not_ok "start PostgreSQL"; suite_result; exit 1; }
sql -c "CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman; CREATE EXTENSION pg_cron;"

# ---------------------------------------------------------------- agentless setup
$companion setup >"$work/setup1.txt" 2>&1
check "agentless setup: exit 0" test $? -eq 0
cat "$work/setup1.txt"
check "agentless setup created, registered, installed the driver and scheduled" \
    test "$(awk '{print $2}' "$work/setup1.txt" | tr '\n' ,)" = "created,registered,installed,scheduled,installed,installed,"
check "pg_partman config: monthly, premake 3, 1 year dropped, infinite" \
    test "$(sql -c "SELECT partition_interval::interval = '1 month' AND premake = 3 AND retention::interval = '1 year'
                           AND NOT retention_keep_table AND infinite_time_partitions
                    FROM partman.part_config WHERE parent_table = 'public.heart_rate_readings'")" = t
check "the pg_cron job runs the driver on the 20th at 02:00, falling back to partman's procedure" \
    test "$(sql -c "SELECT schedule || '|' || (command = fitbot_partman_internal.driver_job_command('partman'))
                    FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly'")" = "0 2 20 * *|true"
check "no extension: the driver and its ledger are plain SQL objects" \
    test "$(sql -c "SELECT (SELECT count(*) FROM pg_extension WHERE extname = 'fitbot_partman') = 0
                           AND to_regprocedure('fitbot_partman.run_maintenance(regclass,interval,interval,text)') IS NOT NULL
                           AND to_regclass('fitbot_partman.maintenance_runs') IS NOT NULL")" = t
$companion setup >"$work/setup2.txt" 2>&1
check "agentless setup again: everything unchanged" \
    test "$(awk '{print $2}' "$work/setup2.txt" | tr '\n' ,)" = "unchanged,unchanged,unchanged,unchanged,unchanged,unchanged,"
# A registered table keeps its settings (issue 19, critical 4): a retention of
# none is never turned into deletion by running setup again.
sql -c "UPDATE partman.part_config SET retention = NULL, premake = 4 WHERE parent_table = 'public.heart_rate_readings'"
$companion setup >"$work/setup3.txt" 2>&1
check "agentless setup again keeps a registered table's settings: retention none stays none, premake 4 stays" \
    test "$(sql -c "SELECT coalesce(retention, 'none') || ' ' || premake FROM partman.part_config WHERE parent_table = 'public.heart_rate_readings'")" = "none 4" \
         -a "$(awk '$1 == "partitioning" {print $2}' "$work/setup3.txt")" = unchanged \
         -a "$(grep -c 'settings kept: 1 mon partitions, 4 made ahead, every partition kept' "$work/setup3.txt")" = 1
sql -c "UPDATE partman.part_config SET retention = '1 year', premake = 3 WHERE parent_table = 'public.heart_rate_readings'"
# A schedule left out is kept, never reset to the default: the one given
# before, and one changed by hand with cron.alter_job().
$companion setup --schedule '30 3 21 * *' >/dev/null 2>&1
expect "agentless setup without --schedule keeps the one given before" 0 "schedule +unchanged .*'30 3 21 \* \*'" \
    "$companion" setup
sql -c "SELECT cron.alter_job(jobid, schedule := '15 4 22 * *') FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly'" >/dev/null
expect "agentless setup without --schedule keeps one changed by hand" 0 "schedule +unchanged .*'15 4 22 \* \*'" \
    "$companion" setup
check "  ... and records it for health" \
    test "$(sql -c "SELECT value FROM fitbot_partman.maintenance_settings WHERE setting = 'job_schedule'")" = "15 4 22 * *"
expect "agentless setup --schedule sets it" 0 "schedule +updated .*'0 2 20 \* \*'" "$companion" setup --schedule '0 2 20 * *'
check "an invalid schedule is refused before anything changes" \
    bash -c "! $companion setup --schedule '0 2 31 2 *' 2>&1 | grep -q . || $companion setup --schedule '0 2 31 2 *' >/dev/null 2>&1; [ \$? -ne 0 ]"

# Agentless, the ledger works as in extension mode: maintain runs the driver
# and records a manual run; a failed scheduled run warns in health until a
# successful run by hand.
$companion maintain >"$work/maintain0.txt" 2>&1
check "agentless maintain runs the installed driver and records the run" \
    test "$(sql -c "SELECT trigger || ' ' || outcome FROM fitbot_partman.maintenance_runs ORDER BY run_id DESC LIMIT 1")" = "manual succeeded"
sql -c "INSERT INTO fitbot_partman.maintenance_runs (started_at, finished_at, trigger, outcome, message, tables_failed)
        VALUES (now(), now() + interval '2 seconds', 'pg_cron', 'failed', '1 of 1 table(s) failed', 1)"
$companion check >"$work/check_failed.txt"
check "agentless health reads the ledger: a failed scheduled run warns (exit 1)" test $? -eq 1
$companion maintain >/dev/null 2>&1
$companion check >/dev/null
check "  ... and a successful run by hand clears it (exit 0)" test $? -eq 0
runs_before=$(sql -c "SELECT count(*) FROM fitbot_partman.maintenance_runs")

# ---------------------------------------------------------------- both modes, same verdicts
sql -c "CREATE EXTENSION fitbot_partman;"
# CREATE EXTENSION adopts the agentless driver, ledger and settings: the
# ledger keeps its runs, and the extension's objects are exactly a fresh
# install's. setup() keeps table, registration and job, and adds the pg_cron
# history purge.
check "CREATE EXTENSION adopts the agentless ledger: its $runs_before runs kept" \
    test "$(sql -c "SELECT count(*) FROM fitbot_partman.maintenance_runs")" = "$runs_before"
members() {
    sql -d "$1" -c "SELECT pg_describe_object(d.classid, d.objid, 0) || ' ' || coalesce(md5(p.prosrc), '')
                           || ' ' || coalesce(p.proacl::text, c.relacl::text, '') AS member
                    FROM pg_depend d LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
                    LEFT JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
                    WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'fitbot_partman') AND d.deptype = 'e'
                    ORDER BY member"
}
sql -c "CREATE DATABASE fresh_install" && sql -d fresh_install -c "CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman; CREATE EXTENSION fitbot_partman;"
check "  ... and its members are a fresh install's: the same objects, sources and grants" \
    test "$(members fitbot)" = "$(members fresh_install)"
sql -c "DROP DATABASE fresh_install"
check "the extension takes over the agentless set-up: same table, registration and job" \
    test "$(sql -c "SELECT string_agg(action, ',') FROM fitbot_partman.setup()")" = "unchanged,unchanged,unchanged,scheduled"
check "  ... still one maintenance job" \
    test "$(sql -c "SELECT count(*) FROM cron.job WHERE command ~* 'run_maintenance'")" = 1

# compare LABEL: status --json and check in both modes.
compare() {
    local label=$1
    $companion status --json >"$work/extension.json" 2>"$work/extension.err"
    $companion --agentless status --json >"$work/agentless.json" 2>"$work/agentless.err"
    if python3 - "$work/extension.json" "$work/agentless.json" <<'PY'
import json, sys
extension, agentless = (json.load(open(path)) for path in sys.argv[1:3])
assert extension["mode"] == "extension" and agentless["mode"] == "agentless", (extension["mode"], agentless["mode"])
for document in (extension, agentless):
    document.pop("mode"); document.pop("now")
if extension != agentless:
    import difflib
    print("\n".join(difflib.unified_diff(json.dumps(extension, indent=1, sort_keys=True).splitlines(),
                                         json.dumps(agentless, indent=1, sort_keys=True).splitlines(),
                                         "extension", "agentless", lineterm="")))
    sys.exit(1)
PY
    then ok "$label: identical verdicts and facts in both modes ($(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' "$work/extension.json"))"
    else not_ok "$label: the two modes disagree"; cat "$work/extension.err" "$work/agentless.err"
    fi
    local code_extension code_agentless
    $companion check >/dev/null; code_extension=$?
    $companion --agentless check >/dev/null; code_agentless=$?
    check "$label: check exits $code_extension in both modes" test "$code_extension" -eq "$code_agentless"
    $companion metrics | sed -n 's/^\(fitbot_partman_[a-z_]*\).*/\1/p' | sort -u >"$work/extension.series"
    $companion --agentless metrics | sed -n 's/^\(fitbot_partman_[a-z_]*\).*/\1/p' | sort -u >"$work/agentless.series"
    check "$label: the same series in both modes" cmp -s "$work/extension.series" "$work/agentless.series"
}

sql -c "INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm) SELECT 1, now() - g * interval '1 hour', 60 FROM generate_series(1, 200) g; ANALYZE public.heart_rate_readings;"
compare "healthy"
check "healthy: check says OK" bash -c "$companion check | grep -q '^FITBOT_PARTMAN OK'"

sql -c "INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm) VALUES (2, now() + interval '4 years', 70)"
compare "rows in the default partition"
$companion --agentless check >/dev/null
check "rows in the default partition: agentless check exits 2 (CRITICAL)" test $? -eq 2
sql -c "DELETE FROM public.heart_rate_readings WHERE user_id = 2"

sql -c "DO \$\$ BEGIN EXECUTE format('DROP TABLE %s', (SELECT partition_name FROM fitbot_partman.partitions('public.heart_rate_readings') WHERE state = 'past' ORDER BY range_start DESC LIMIT 1)); END \$\$"
compare "a gap"

sql -c "SELECT cron.alter_job((SELECT jobid FROM cron.job), active := false)" >/dev/null
compare "an inactive job"
sql -c "SELECT cron.alter_job((SELECT jobid FROM cron.job), active := true)" >/dev/null

sql -c "INSERT INTO cron.job_run_details (jobid, runid, job_pid, database, username, command, status, return_message, start_time, end_time)
        SELECT jobid, 900 + g, 1, database, username, command, 'failed', 'connection failed', now() - g * interval '1 hour', now() - g * interval '1 hour'
        FROM cron.job, generate_series(1, 2) g" >/dev/null
compare "two failed runs"

# A session holding ACCESS EXCLUSIVE on the default partition: neither mode
# waits, both report it uncounted.
psql -X -q -c "BEGIN; LOCK TABLE public.heart_rate_readings_default IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60);" >/dev/null 2>&1 &
locker=$!
for _ in $(seq 50); do
    [ "$(sql -c "SELECT count(*) FROM pg_locks WHERE relation = 'public.heart_rate_readings_default'::regclass AND mode = 'AccessExclusiveLock' AND granted")" = 1 ] && break
    sleep 0.1
done
started=$(date +%s)
compare "a locked default partition"
check "a locked default partition: both modes answered at once ($(( $(date +%s) - started )) s)" test $(( $(date +%s) - started )) -lt 15
check "a locked default partition: reported as not counted" \
    python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["tables"][0]; sys.exit(0 if t["default_rows"] is None and t["timeline"].endswith("?") else 1)' "$work/agentless.json"
kill "$locker" 2>/dev/null; locker=""

# An adopted table (issue 20): its oldest partition, the table itself, is wider
# than the interval and holds this month's rows. Neither mode reports a gap or
# an error; both say when run_maintenance() drops it: its upper bound plus the
# retention held back from pg_partman (1 year).
sql -c "CREATE TABLE public.readings_adopted (id bigint, measured_at timestamptz NOT NULL);
        INSERT INTO public.readings_adopted SELECT g, now() - g * interval '1 hour' FROM generate_series(1, 720) g;"
sql -c "CALL fitbot_partman.adopt_table('public.readings_adopted', 'measured_at', retention => '1 year')" >/dev/null 2>&1
planned=$(sql -c "SELECT to_char((range_end + retention) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || ' '
                         || extract(epoch FROM range_end + retention)::bigint
                  FROM fitbot_partman.wide_partitions WHERE parent = 'public.readings_adopted'")
check "adopted: a wide partition recorded with retention 1 year held back ($planned)" test -n "$planned"
check "adopted: SQL health is ok, no gap, and its reasons give the planned expiry" \
    test "$(sql -c "SELECT status || '|' || gaps || '|' || (array_to_string(reasons, ' ') ~ 'drops it at its first run from')
                    FROM fitbot_partman.partition_health() WHERE parent = 'public.readings_adopted'::regclass")" = "ok|0|true"
compare "an adopted wide partition"
for mode in "" "--agentless"; do
    check "adopted${mode:+ ($mode)}: status --json shows the wide partition, ok, no gap, dropped at ${planned% *}" \
        python3 - "${planned% *}" <<PY
import json, subprocess, sys
document = json.loads(subprocess.run("$companion $mode status --json".split(), capture_output=True, text=True).stdout)
table = next(t for t in document["tables"] if t["parent"] == "public.readings_adopted")
wide = table["wide_partition"]
ok = (table["status"] == "ok" and table["gaps"] == 0 and "_" not in table["timeline"]
      and wide["name"].startswith("public.readings_adopted_p") and wide["retention"] == "1 year"
      and wide["planned_expiry"] == sys.argv[1] and wide["rows_expired"] == 0 and not wide["overdue"])
sys.exit(0 if ok else print(json.dumps(table, indent=1)) or 1)
PY
    check "adopted${mode:+ ($mode)}: status says when it is dropped" \
        bash -c "$companion $mode status | grep -q '^  wide partition public.readings_adopted_p[0-9_]* (.*): dropped from .*, retention 1 year, 0 rows expired so far$'"
    check "adopted${mode:+ ($mode)}: metrics carry the planned expiry" \
        bash -c "$companion $mode metrics | grep -qx 'fitbot_partman_wide_partition_expiry_timestamp_seconds{parent=\"public.readings_adopted\"} ${planned#* }'"
done
sql -c "SELECT count(*) FROM fitbot_partman.teardown('public.readings_adopted')" >/dev/null
sql -c "DROP TABLE public.readings_adopted"

# ---------------------------------------------------------------- maintain
newest=$(sql -c "SELECT partition_name FROM fitbot_partman.partitions('public.heart_rate_readings') WHERE state = 'future' ORDER BY range_start DESC LIMIT 1")
sql -c "DROP TABLE $newest; CREATE TABLE public.heart_rate_readings_p2001_01 PARTITION OF public.heart_rate_readings FOR VALUES FROM ('2001-01-01') TO ('2001-02-01');"
$companion --agentless maintain --dry-run >"$work/dry.txt"
cat "$work/dry.txt"
check "maintain --dry-run lists the missing future partition" grep -q "^would create: public.heart_rate_readings \[" "$work/dry.txt"
check "maintain --dry-run lists the expired partition" grep -q "^would drop: public.heart_rate_readings_p2001_01 " "$work/dry.txt"
check "maintain --dry-run changed nothing" \
    test "$(sql -c "SELECT to_regclass('$newest') IS NULL AND to_regclass('public.heart_rate_readings_p2001_01') IS NOT NULL")" = t
$companion maintain >"$work/maintain.txt"
cat "$work/maintain.txt"
check "maintain runs the extension's driver: one partition created, one dropped" \
    grep -qE "^public.heart_rate_readings: succeeded, [0-9]+ partition\(s\) created, 1 dropped$" "$work/maintain.txt"
check "maintain: the partition exists again, the expired one is gone" \
    test "$(sql -c "SELECT to_regclass('$newest') IS NOT NULL AND to_regclass('public.heart_rate_readings_p2001_01') IS NULL")" = t
check "maintain: the run is in the ledger as a manual run" \
    test "$(sql -c "SELECT trigger || ' ' || outcome FROM fitbot_partman.maintenance_runs ORDER BY run_id DESC LIMIT 1")" = "manual succeeded"
$companion maintain >"$work/maintain2.txt"
check "maintain again: nothing to do" grep -q "^run [0-9]* succeeded: nothing to do" "$work/maintain2.txt"

# Agentless, the same driver: the same changes.
newest=$(sql -c "SELECT partition_name FROM fitbot_partman.partitions('public.heart_rate_readings') WHERE state = 'future' ORDER BY range_start DESC LIMIT 1")
sql -c "DROP TABLE $newest; CREATE TABLE public.heart_rate_readings_p2001_01 PARTITION OF public.heart_rate_readings FOR VALUES FROM ('2001-01-01') TO ('2001-02-01');"
$companion --agentless maintain >"$work/maintain3.txt"
cat "$work/maintain3.txt"
check "agentless maintain: one partition created, one dropped" \
    grep -qE "^public.heart_rate_readings: succeeded, [0-9]+ partition\(s\) created, 1 dropped$" "$work/maintain3.txt"

# Where no driver is installed (agentless, before setup): pg_partman's own
# procedure, with the driver's and pg_partman's locks held.
sql -c "CREATE DATABASE plain"
# Named arguments and the newest partition by bound, so that this holds on
# pg_partman 4.x and 5.x alike (argument order, type name and suffixes differ).
sql -d plain -c "CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman;
                 CREATE TABLE public.readings (user_id bigint NOT NULL, measured_at timestamptz NOT NULL) PARTITION BY RANGE (measured_at);
                 SELECT partman.create_parent(p_parent_table := 'public.readings', p_control := 'measured_at', p_interval := '1 month', p_premake := 3,
                     p_type := CASE WHEN (SELECT split_part(extversion, '.', 1)::int FROM pg_extension WHERE extname = 'pg_partman') >= 5 THEN 'range' ELSE 'native' END);
                 UPDATE partman.part_config SET infinite_time_partitions = true;" >/dev/null
plain_newest=$(sql -d plain -c "SELECT partition_tablename FROM partman.show_partitions('public.readings', 'DESC') LIMIT 1")
sql -d plain -c "DROP TABLE public.$plain_newest"
$companion --dsn "dbname=plain" --agentless maintain >"$work/maintain4.txt" 2>&1
cat "$work/maintain4.txt"
check "agentless maintain without the driver runs partman's procedure (re-creates $plain_newest)" \
    bash -c "[ -n '$plain_newest' ] && grep -qx 'created: public.$plain_newest' '$work/maintain4.txt'"
sql -c "DROP DATABASE plain"
# A database without pg_partman: a clear error, not a crash (found by a run
# of this suite on pg_partman 5.1, whose fixture above failed and left none).
sql -c "CREATE DATABASE bare"
$companion --dsn "dbname=bare" --agentless maintain >"$work/maintain_bare.txt" 2>&1
code=$?
cat "$work/maintain_bare.txt"
check "agentless maintain in a database without pg_partman: exit 1, saying so" \
    bash -c "[ $code -eq 1 ] && grep -qx 'fitbot-partman maintain: pg_partman is not installed in database bare' '$work/maintain_bare.txt'"
sql -c "DROP DATABASE bare"

# A run in progress is known by its lock, never by query text.
psql -X -q -c "SELECT 'CALL fitbot_partman.run_maintenance(); run_maintenance_proc', pg_sleep(4);" >/dev/null 2>&1 &
talker=$!
sleep 1
check "a query that merely mentions run_maintenance does not block maintain" bash -c "$companion maintain >/dev/null"
check "  ... nor agentless maintain" bash -c "$companion --agentless maintain >/dev/null"
wait "$talker"
for mode in "" "--agentless"; do
    psql -X -q -c "SELECT pg_advisory_lock(4242, 21); SELECT pg_sleep(4);" >/dev/null 2>&1 &
    holder=$!
    sleep 1
    $companion $mode maintain >/dev/null 2>"$work/overlap.txt"
    check "maintain ${mode:-(extension)} refuses to overlap a run in progress (exit 1)" test $? -eq 1
    check "  ... and says which session runs it" grep -q "maintenance is already running (pid [0-9]" "$work/overlap.txt"
    wait "$holder"
done

# ---------------------------------------------------------------- hostile schemas (issue 19)
# eve may create in the database. A schema of ours she made is refused before
# anything is installed into it; neither the job's command nor maintain runs
# a routine of hers.
sql -c "CREATE ROLE eve LOGIN" -c "CREATE DATABASE hostile" -c "GRANT CREATE ON DATABASE hostile TO eve"
sql -d hostile -c "CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman;"
sql -d hostile -U eve -c "CREATE SCHEMA fitbot_partman;"
$companion --dsn "dbname=hostile" --agentless setup >"$work/hostile1.txt" 2>&1
code=$?
cat "$work/hostile1.txt"
check "agentless setup into eve's fitbot_partman schema is refused (exit 1)" \
    bash -c "[ $code -eq 1 ] && grep -q '^fitbot-partman setup: ERROR:  schema fitbot_partman' '$work/hostile1.txt'"
check "  ... saying why, with a hint" \
    bash -c "grep -q 'schema fitbot_partman already exists and belongs to role eve' '$work/hostile1.txt' && grep -q '^HINT:  .*DROP SCHEMA fitbot_partman CASCADE' '$work/hostile1.txt'"
check "  ... nothing installed in it, nothing scheduled" \
    test "$(sql -d hostile -c "SELECT (SELECT count(*) FROM pg_proc WHERE pronamespace = 'fitbot_partman'::regnamespace)
                                      + (SELECT count(*) FROM pg_class WHERE relnamespace = 'fitbot_partman'::regnamespace)
                                      + (SELECT count(*) FROM pg_namespace WHERE nspname = 'fitbot_partman_internal')")|$(sql -c "SELECT count(*) FROM cron.job WHERE database = 'hostile'")" = "0|0"
sql -d hostile -c "DROP SCHEMA fitbot_partman"
sql -d hostile -U eve -c "CREATE SCHEMA fitbot_partman_monitor;"
$companion --dsn "dbname=hostile" --agentless setup >"$work/hostile2.txt" 2>&1
code=$?
cat "$work/hostile2.txt"
check "setup does not install the reader into eve's fitbot_partman_monitor (exit 1, what to do)" \
    bash -c "[ $code -eq 1 ] && grep -q '^config-reader *manual .*belongs to role eve.*DROP SCHEMA fitbot_partman_monitor CASCADE' '$work/hostile2.txt'"
check "  ... and nothing of ours is in it" \
    test "$(sql -d hostile -c "SELECT count(*) FROM pg_proc WHERE pronamespace = 'fitbot_partman_monitor'::regnamespace")" = 0
# The driver is installed now (as postgres). eve adds an overload of the
# driver where she may create, and one of pg_partman's procedure.
sql -d hostile -c "GRANT CREATE ON SCHEMA fitbot_partman, partman TO eve"
sql -d hostile -U eve -c "CREATE PROCEDURE fitbot_partman.run_maintenance() LANGUAGE sql AS 'ALTER ROLE eve SUPERUSER';
                          CREATE PROCEDURE partman.run_maintenance_proc() LANGUAGE sql AS 'ALTER ROLE eve SUPERUSER';"
$companion --dsn "dbname=hostile" --agentless maintain >"$work/hostile3.txt" 2>&1
code=$?
cat "$work/hostile3.txt"
check "maintain does not call eve's overload of the driver (exit 1, with a hint)" \
    bash -c "[ $code -eq 1 ] && grep -q 'not calling fitbot_partman.run_maintenance()' '$work/hostile3.txt' && grep -q '^HINT: ' '$work/hostile3.txt'"
sql -d hostile -c "$(sql -d hostile -c "SELECT fitbot_partman_internal.maintenance_command()")" >"$work/hostile4.txt" 2>&1
check "the job's command refuses it too" grep -q "maintenance not run" "$work/hostile4.txt"
sql -d hostile -c "DROP SCHEMA fitbot_partman, fitbot_partman_internal CASCADE" 2>/dev/null
$companion --dsn "dbname=hostile" --agentless maintain >"$work/hostile5.txt" 2>&1
code=$?
check "without the driver, maintain does not call eve's overload of pg_partman's procedure (exit 1)" \
    bash -c "[ $code -eq 1 ] && grep -q 'not calling partman.run_maintenance_proc()' '$work/hostile5.txt'"
check "eve did not become a superuser" test "$(sql -c "SELECT rolsuper FROM pg_roles WHERE rolname = 'eve'")" = f
sql -c "DROP DATABASE hostile" -c "DROP ROLE eve"

# ---------------------------------------------------------------- adopt, as a non-superuser owner (issue 20)
# The table's owner, not a superuser, adopts it where the extension is not
# installed: the companion installs the portable SQL, then calls adopt_table().
sql -c "CREATE ROLE adopt_owner LOGIN" -c "CREATE DATABASE owned OWNER adopt_owner"
sql -d owned -c "CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman;
                 GRANT ALL ON SCHEMA partman TO adopt_owner; GRANT ALL ON ALL TABLES IN SCHEMA partman TO adopt_owner;"
sql -d owned -U adopt_owner -c "CREATE TABLE public.readings (user_id bigint NOT NULL, measured_at timestamptz NOT NULL, bpm smallint,
                                                              PRIMARY KEY (user_id, measured_at));
                                INSERT INTO public.readings SELECT g, now() - g * interval '1 hour', 60 FROM generate_series(1, 20000) g;"
node=$(sql -d owned -c "SELECT relfilenode FROM pg_class WHERE oid = 'public.readings'::regclass")
$companion --dsn "dbname=owned user=adopt_owner" --agentless adopt public.readings --control measured_at >"$work/adopt.txt" 2>&1
code=$?
cat "$work/adopt.txt"
check "agentless adopt as the table's owner (no superuser): exit 0, a notice per step" \
    bash -c "[ $code -eq 0 ] && [ \$(grep -c '^NOTICE:  adopt_table ' '$work/adopt.txt') = 4 ]"
check "  ... partitioned, registered, every row kept, its own file the oldest partition" \
    test "$(sql -d owned -c "SELECT (SELECT relkind::text FROM pg_class WHERE oid = 'public.readings'::regclass)
                                    || '|' || (SELECT count(*) FROM partman.part_config WHERE parent_table = 'public.readings')
                                    || '|' || (SELECT count(*) FROM public.readings)
                                    || '|' || (SELECT i.inhparent = 'public.readings'::regclass FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid WHERE c.relfilenode = $node)")" = "p|1|20000|true"
sql -d owned -U adopt_owner -c "ALTER TABLE public.readings RENAME TO readings_done; CREATE TABLE public.heart_rate_readings (measured_at timestamptz NOT NULL)"
$companion --dsn "dbname=owned user=adopt_owner" --agentless setup >"$work/adopt_setup.txt" 2>&1
code=$?
check "agentless setup on a plain heart_rate_readings stops (exit 1), hinting the adopt command" \
    bash -c "[ $code -eq 1 ] && grep -q 'hint: adopt it online, without copying rows: fitbot-partman --agentless adopt public.heart_rate_readings --control measured_at' '$work/adopt_setup.txt'"
check "  ... and changes nothing" \
    test "$(sql -d owned -c "SELECT relkind::text FROM pg_class WHERE oid = 'public.heart_rate_readings'::regclass")" = r
sql -c "DROP DATABASE owned" -c "DROP ROLE adopt_owner"

# ---------------------------------------------------------------- connection failures, secrets
$companion --dsn "host=127.0.0.1 port=1 user=x password=SeCrEt123 connect_timeout=3" check >"$work/fail.txt" 2>&1
code=$?
cat "$work/fail.txt"
check "check on an unreachable database exits 3 (UNKNOWN)" test "$code" -eq 3
check "... its first line the UNKNOWN status line, then the cause's detail and a hint" \
    bash -c "head -1 '$work/fail.txt' | grep -q '^FITBOT_PARTMAN UNKNOWN - cannot connect' && grep -q '^hint: ' '$work/fail.txt'"
check "... that does not show the password" bash -c "! grep -q SeCrEt123 '$work/fail.txt'"
for command in "status" "metrics" "status --json" "preflight"; do
    $companion --dsn "postgresql://x:SeCrEt123@127.0.0.1:1/fitbot?connect_timeout=3" $command >"$work/out.txt" 2>&1
    code=$?
    check "$command on an unreachable database fails (exit $code) without showing the password" \
        bash -c "[ $code -ne 0 ] && ! grep -q SeCrEt123 '$work/out.txt'"
done

suite_result
