#!/usr/bin/env bash
# Where pg_cron lives (issue 9): each layout on a throwaway cluster of its
# own, set up and monitored as a user would, with the companion only:
#
#   L1  pg_cron in the app database fitbot, extension, superuser admin
#   L2  pg_cron in postgres, extension in fitbot, superuser admin
#   L3  pg_cron in postgres, no extension (agentless), an admin that is not a
#       superuser, pg_partman in schema partman created by a superuser first
#
# In each, a monitor role holding only pg_monitor (plus what setup grants)
# must see: OK after setup, the job and its next run in metrics; CRITICAL
# once the job is deactivated; a failed run as a failure; UNKNOWN, never
# "no job", when the job is hidden from it. In L2 the extension's own
# check() must never say OK or CRITICAL on the job it cannot see.
set -u
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh
source test/lib/suite.sh

work=$(mktemp -d /tmp/fitbot-layouts.XXXXXX)
chmod 755 "$work"
current=""
trap '[ -n "$current" ] && cluster_stop "$current"; rm -rf "$work"' EXIT
companion=${COMPANION:-build/fitbot-partman}
job=run_pg_partman_maintenance_monthly

# in DB SQL...: psql as postgres (a superuser) in DB.
db() { local db=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
# as ROLE DB SQL: the same as ROLE.
as() { local role=$1 db=$2; shift 2; psql -X -q -At -v ON_ERROR_STOP=1 -U "$role" -d "$db" "$@"; }
dsn() { echo "host=$PGHOST port=$PGPORT dbname=fitbot user=$1"; }

# start LAYOUT CRON_DATABASE: a cluster whose pg_cron runs jobs from
# CRON_DATABASE, the app database fitbot, and the monitor role.
start() {
    [ -n "$current" ] && cluster_stop "$current"
    current=$work/$1
    # cluster_start creates CRON_DATABASE, which fails for postgres (it exists).
    cluster_start "$current" "$2" >/dev/null 2>"$current.log"
    if ! db postgres -c "SELECT 1" >/dev/null 2>&1; then not_ok "$1: start PostgreSQL"; cat "$current.log"; return 1; fi
    [ "$2" = fitbot ] || db postgres -c "CREATE DATABASE fitbot"
    db "$2" -c "CREATE EXTENSION pg_cron"
    db postgres -c "CREATE ROLE monitor LOGIN IN ROLE pg_monitor"
}

# The monitor's view, as a Nagios check and as Prometheus metrics.
monitor_check() { "$companion" --dsn "$(dsn monitor)" "$@" check; }
monitor_metrics() { "$companion" --dsn "$(dsn monitor)" "$@" metrics; }

# healthy_monitor LAYOUT [--agentless]: OK, and metrics with the job's next run ahead.
healthy_monitor() {
    local layout=$1; shift
    expect "$layout: the monitor's check is OK" 0 '^FITBOT_PARTMAN OK' monitor_check "$@"
    # preflight agrees with check, as the same pg_monitor role (issue 21).
    expect "$layout: the monitor's preflight sees the job too" 0 "ok +maintenance job +job [0-9]+ $job" \
        "$companion" --dsn "$(dsn monitor)" "$@" preflight
    local metrics now
    metrics=$(monitor_metrics "$@" 2>&1)
    now=$(date +%s)
    check "$layout: metrics count one maintenance job" grep -qx 'fitbot_partman_maintenance_jobs 1' <<<"$metrics"
    if awk -v now="$now" -v job="$job" '
            /^fitbot_partman_maintenance_next_run_timestamp_seconds/ && index($0, job) && $NF > now { found = 1 }
            END { exit !found }' <<<"$metrics"; then
        ok "$layout: metrics show the job's next run, ahead"
    else
        not_ok "$layout: metrics show the job's next run, ahead"
        grep -E 'maintenance_(jobs|next_run)' <<<"$metrics" | sed 's/^/#   /'
    fi
}

# hidden_job LAYOUT [--agentless]: the job exists, the monitor cannot see it.
hidden_job() {
    local layout=$1; shift
    local out
    out=$(monitor_check "$@" 2>&1)
    expect "$layout: a job hidden from the monitor reads UNKNOWN" 3 \
        '^FITBOT_PARTMAN UNKNOWN.*maintenance job not visible' monitor_check "$@"
    check "$layout:   ... never as a missing job" bash -c "! grep -qiE 'no maintenance job|not installed' <<<\"\$1\"" _ "$out"
    check "$layout:   ... and metrics do not count jobs" \
        bash -c "! grep -q '^fitbot_partman_maintenance_jobs ' <<<\"\$1\"" _ "$(monitor_metrics "$@" 2>&1)"
}

job_count() { db "$1" -c "SELECT count(*) FROM cron.job WHERE database = 'fitbot' AND command ~* 'run_maintenance'"; }
# The job's name: the seed's where pg_cron lives in fitbot, else suffixed
# with the database (maintenance_job_name(), issue 21).
job_name() { if [ "$1" = fitbot ]; then echo "$job"; else echo "$job@fitbot"; fi; }
deactivate() { db "$1" -c "SELECT cron.alter_job(jobid, active := false) FROM cron.job WHERE jobname = '$(job_name "$1")'" >/dev/null; }
# firing_failure CRON_DATABASE: pg_cron's record of a firing of the job that
# failed before the driver's ledger row committed (issue 19, critical 3), as
# pg_cron 1.6 writes "connection failed": times, no job_pid. (test/runs makes
# pg_cron itself fail to connect, in the extension's own health.)
firing_failure() {
    db "$1" -c "INSERT INTO cron.job_run_details (jobid, runid, job_pid, database, username, command, status,
                                                 return_message, start_time, end_time)
                SELECT jobid, nextval('cron.runid_seq'), NULL, database, username, command, 'failed',
                       'connection failed', now(), now()
                  FROM cron.job WHERE jobname = '$(job_name "$1")'" >/dev/null
}
clear_firing_failure() { db "$1" -c "DELETE FROM cron.job_run_details WHERE return_message = 'connection failed'"; }
# unrecorded_failure LAYOUT [--agentless]: the monitor reads that firing as the last run, failed.
unrecorded_failure() {
    local layout=$1; shift
    expect "$layout: a firing that never reached the ledger shows as a failure" 1 '^FITBOT_PARTMAN WARNING.*fail' \
        monitor_check "$@"
    check "$layout:   ... status quotes pg_cron and the fix" grep -q 'pg_cron recorded "connection failed".*pg_hba' \
        <("$companion" --dsn "$(dsn monitor)" "$@" status 2>&1)
}
# missing_job LAYOUT CRON_DATABASE ROLE FIX [--agentless]: with the job gone,
# ROLE's status says CRITICAL - no maintenance job, with the FIX that works
# in this layout (issue 21), never schedule_maintenance() where it would
# fail. ROLE must see every job: a monitor whose reader's owner is not a
# superuser reads a missing job as not visible (hidden_job). The caller
# schedules the job again.
missing_job() {
    local layout=$1 cron=$2 role=$3 fix=$4; shift 4
    local out
    db "$cron" -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = '$(job_name "$cron")'" >/dev/null
    out=$("$companion" --dsn "$(dsn "$role")" "$@" status 2>&1)
    check "$layout: with the job gone, status says no maintenance job and how to schedule it here" \
        grep -qF "retention never drops old ones; $fix" <<<"$out"
    grep -qF "retention never drops old ones; $fix" <<<"$out" || sed 's/^/#   /' <<<"$out" | head -20
    if [ "$fix" != "run SELECT fitbot_partman.schedule_maintenance()." ]; then
        check "$layout:   ... never with schedule_maintenance(), which cannot schedule it here" \
            bash -c "! grep -q 'schedule_maintenance' <<<\"\$1\"" _ "$out"
    fi
}
ledger_failure() {
    db fitbot -c "INSERT INTO fitbot_partman.maintenance_runs (trigger, outcome, message, started_at, finished_at)
                  VALUES ('pg_cron', 'failed', 'canceling statement due to lock timeout', now() - interval '1 minute', now())"
}

# ================================================================ L1
if start l1 fitbot; then
    db fitbot -c "CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman; CREATE EXTENSION fitbot_partman"
    expect "L1: setup schedules the job here and installs both readers" 0 \
        "schedule +scheduled.*config-reader +installed.*job-reader +installed" \
        bash -c "'$companion' --dsn '$(dsn postgres)' setup | tr '\n' ' '"
    check "L1: one maintenance job, in fitbot" test "$(job_count fitbot)" = 1
    healthy_monitor L1
    healthy_monitor "L1 agentless" --agentless

    ledger_failure
    expect "L1: a failed run shows as a failure" 1 '^FITBOT_PARTMAN WARNING.*fail' monitor_check
    db fitbot -c "DELETE FROM fitbot_partman.maintenance_runs"
    firing_failure fitbot
    unrecorded_failure "L1 agentless" --agentless
    clear_firing_failure fitbot

    missing_job L1 fitbot monitor "run SELECT fitbot_partman.schedule_maintenance()."
    # Agentless here, but the extension is installed: its schedule_maintenance() works.
    missing_job "L1 agentless" fitbot monitor "run SELECT fitbot_partman.schedule_maintenance()." --agentless
    expect "L1: setup schedules it again" 0 "schedule +scheduled" "$companion" --dsn "$(dsn postgres)" setup

    deactivate fitbot
    expect "L1: the deactivated job turns the check CRITICAL" 2 '^FITBOT_PARTMAN CRITICAL.*inactive' monitor_check
    expect "L1:   ... in agentless mode as well" 2 '^FITBOT_PARTMAN CRITICAL.*inactive' monitor_check --agentless
    expect "L1: setup again re-activates it" 0 "schedule +updated" "$companion" --dsn "$(dsn postgres)" setup
    check "L1:   ... still one job" test "$(job_count fitbot)" = 1

    # Without the job reader, row-level security hides the job from a
    # monitor that reads cron.job itself (the extension's facts() does not).
    db fitbot -c "SET client_min_messages = warning; DROP SCHEMA fitbot_partman_cron CASCADE"
    hidden_job "L1 agentless" --agentless
    expect "L1: the extension's facts still see it" 0 '^FITBOT_PARTMAN OK' monitor_check
fi

# ================================================================ L1, setup() granted to an administrator
# Extension mode with an administrator who is not a superuser: the grants
# docs/setup.md ("Privileges") lists are enough for setup() and for the jobs it
# schedules, which run as that administrator.
if start l1-admin fitbot; then
    db fitbot <<'SQL'
SET client_min_messages = warning;
CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman; CREATE EXTENSION fitbot_partman;
CREATE ROLE admin LOGIN;
GRANT CREATE ON SCHEMA public TO admin;
GRANT ALL ON SCHEMA partman TO admin; GRANT ALL ON ALL TABLES IN SCHEMA partman TO admin;
GRANT ALL ON ALL SEQUENCES IN SCHEMA partman TO admin; GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA partman TO admin;
GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA partman TO admin;
GRANT USAGE ON SCHEMA cron TO admin;
GRANT USAGE ON SCHEMA fitbot_partman, fitbot_partman_internal TO admin;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA fitbot_partman_internal TO admin;
GRANT EXECUTE ON FUNCTION fitbot_partman.setup(text), fitbot_partman.maintenance_config(),
                          fitbot_partman.purge_cron_history() TO admin;
GRANT EXECUTE ON PROCEDURE fitbot_partman.run_maintenance(regclass, interval, interval, text) TO admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON fitbot_partman.maintenance_settings, fitbot_partman.maintenance_runs,
                                        fitbot_partman.maintenance_run_tables, fitbot_partman.wide_partitions TO admin;
GRANT USAGE ON SEQUENCE fitbot_partman.maintenance_runs_run_id_seq TO admin;
SQL
    expect "L1, administrator granted setup(): setup() creates, registers and schedules" 0 \
        "table\|created.*partitioning\|registered.*schedule\|scheduled.*history\|scheduled" \
        bash -c "psql -X -q -At -v ON_ERROR_STOP=1 -U admin -d fitbot -c 'SELECT step, action FROM fitbot_partman.setup()' | tr '\n' ' '"
    check "  ... its jobs run as the administrator" test "$(db fitbot -c "SELECT string_agg(DISTINCT username, ',') FROM cron.job")" = admin
    for command in $(db fitbot -c "SELECT jobid FROM cron.job ORDER BY jobid"); do
        check "  ... and job $command's command runs as the administrator" \
            as admin fitbot -c "$(db fitbot -c "SELECT command FROM cron.job WHERE jobid = $command")"
    done
    check "  ... maintenance recorded in the ledger" \
        test "$(db fitbot -c "SELECT run_by || ' ' || outcome FROM fitbot_partman.maintenance_runs")" = "admin succeeded"
fi

# ================================================================ L2
if start l2 postgres; then
    db fitbot -c "CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman; CREATE EXTENSION fitbot_partman"
    expect "L2: setup schedules the job in postgres, its history purge and the job reader there" 0 \
        "schedule +scheduled +pg_cron job [0-9]+ $job@fitbot in database postgres.*history +scheduled.*job-reader +installed" \
        bash -c "'$companion' --dsn '$(dsn postgres)' setup | tr '\n' ' '"
    check "L2: the job runs the driver in fitbot" \
        test "$(db postgres -c "SELECT count(*) FROM cron.job WHERE jobname = '$job@fitbot' AND database = 'fitbot'
                               AND command LIKE '%fitbot_partman.run_maintenance(%' AND active")" = 1
    expect "L2: setup again changes nothing" 0 "schedule +unchanged.*history +unchanged.*job-reader +unchanged" \
        bash -c "'$companion' --dsn '$(dsn postgres)' setup | tr '\n' ' '"
    check "L2:   ... still one maintenance job" test "$(job_count postgres)" = 1
    healthy_monitor L2
    healthy_monitor "L2 agentless" --agentless
    expect "L2: --cron-dsn names pg_cron's database explicitly" 0 '^FITBOT_PARTMAN OK' \
        monitor_check --cron-dsn "host=127.0.0.1 port=$PGPORT dbname=postgres user=monitor"
    expect "L2: pg_cron's database unreachable: UNKNOWN" 3 '^FITBOT_PARTMAN UNKNOWN - maintenance job not visible' \
        monitor_check --cron-dsn "host=127.0.0.1 port=1 user=monitor"
    expect "L2:   ... and status names the cause" 0 'could not be read: cannot connect to .*Connection refused' \
        "$companion" --dsn "$(dsn monitor)" --cron-dsn "host=127.0.0.1 port=1 user=monitor" status
    expect "L2: the extension's check() is UNKNOWN on the job it cannot see, never OK or CRITICAL" 0 '^unknown\|' \
        as monitor fitbot -c "SELECT status, summary FROM fitbot_partman.check()"

    ledger_failure
    expect "L2: a failed run shows as a failure" 1 '^FITBOT_PARTMAN WARNING.*fail' monitor_check
    check "L2: the extension's check() is not CRITICAL on one failed run it can see" \
        bash -c "! grep -qx CRITICAL <<<\"\$1\"" _ "$(as monitor fitbot -c "SELECT status FROM fitbot_partman.check()")"
    db fitbot -c "DELETE FROM fitbot_partman.maintenance_runs"
    firing_failure postgres
    unrecorded_failure L2
    unrecorded_failure "L2 agentless" --agentless
    clear_firing_failure postgres

    missing_job L2 postgres monitor "run \`fitbot-partman setup\` for this database (it schedules the job in database \"postgres\", where pg_cron lives), or SELECT fitbot_partman.setup() here and, connected to database \"postgres\", the statement its schedule row prints."
    expect "L2: setup schedules it again" 0 "schedule +scheduled" "$companion" --dsn "$(dsn postgres)" setup

    deactivate postgres
    expect "L2: the deactivated job turns the check CRITICAL" 2 '^FITBOT_PARTMAN CRITICAL.*inactive' monitor_check
    expect "L2: the extension's check() still does not claim CRITICAL or OK" 0 '^unknown\|' \
        as monitor fitbot -c "SELECT status, summary FROM fitbot_partman.check()"
    expect "L2: setup again re-activates it" 0 "schedule +updated" "$companion" --dsn "$(dsn postgres)" setup
    check "L2:   ... still one job" test "$(job_count postgres)" = 1

    db postgres -c "SET client_min_messages = warning; DROP SCHEMA fitbot_partman_cron CASCADE"
    hidden_job L2
    hidden_job "L2 agentless" --agentless
fi

# ================================================================ L3
if start l3 postgres; then
    # What a managed service's operator has: not a superuser, owner of the
    # app database, pg_partman installed for it by the provider.
    db postgres -c "CREATE ROLE admin LOGIN CREATEDB CREATEROLE IN ROLE pg_monitor; ALTER DATABASE fitbot OWNER TO admin"
    db fitbot -c "CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman;
                  GRANT ALL ON SCHEMA partman TO admin; GRANT ALL ON ALL TABLES IN SCHEMA partman TO admin;
                  GRANT ALL ON ALL SEQUENCES IN SCHEMA partman TO admin;
                  GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA partman TO admin;
                  GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA partman TO admin"
    admin=$(dsn admin)
    grants="GRANT USAGE ON SCHEMA cron TO admin; GRANT EXECUTE ON FUNCTION cron.schedule_in_database(text, text, text, text, text, boolean) TO admin;"
    failed_before=$SUITE_FAILED
    "$companion" --dsn "$admin" setup >"$work/l3-setup1.txt" 2>&1
    check "L3: setup without pg_cron's grants exits 1" test $? -eq 1
    check "L3:   ... having partitioned the table" grep -qE '^partitioning +registered' "$work/l3-setup1.txt"
    check "L3:   ... and names the exact GRANTs pg_cron 1.4 requires" grep -qF "$grants" "$work/l3-setup1.txt"
    check "L3:   ... and the one that lets it install the job reader in postgres" \
        grep -qF "GRANT CREATE ON DATABASE postgres TO admin" "$work/l3-setup1.txt"
    check "L3:   ... and scheduled nothing" test "$(job_count postgres)" = 0
    [ "$SUITE_FAILED" -eq "$failed_before" ] || sed 's/^/#   /' "$work/l3-setup1.txt"

    db postgres -c "$grants GRANT CREATE ON DATABASE postgres TO admin;"
    expect "L3: with the grants, setup schedules in postgres and installs both readers" 0 \
        "config-reader +(installed|unchanged).*schedule +scheduled +pg_cron job [0-9]+ $job@fitbot in database postgres.*job-reader +installed" \
        bash -c "'$companion' --dsn '$admin' setup | tr '\n' ' '"
    check "L3: the job is the admin's and runs the driver setup installed in fitbot (pg_partman's procedure as fallback)" \
        test "$(db postgres -c "SELECT username || '|' || (command ~ '^DO .*CALL fitbot_partman\.run_maintenance\(run_trigger => ''pg_cron''\); ELSIF .* THEN CALL [a-z_]+\.run_maintenance_proc\(\);')
                                FROM cron.job WHERE jobname = '$job@fitbot' AND database = 'fitbot'")" = "admin|true"
    check "L3: the driver and its ledger are the admin's plain SQL objects in fitbot" \
        test "$(db fitbot -c "SELECT pg_get_userbyid(p.proowner) FROM pg_proc p
                              WHERE p.oid = to_regprocedure('fitbot_partman.run_maintenance(regclass,interval,interval,text)')")" = admin
    expect "L3: setup again changes nothing" 0 "schedule +unchanged.*job-reader +unchanged" \
        bash -c "'$companion' --dsn '$admin' setup | tr '\n' ' '"
    check "L3:   ... still one job" test "$(job_count postgres)" = 1
    check "L3: the monitor holds pg_monitor only" \
        test "$(db postgres -c "SELECT string_agg(b.rolname, ',') FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid
                               JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = 'monitor'")" = pg_monitor
    healthy_monitor L3

    # A failed scheduled run, as the driver records it in fitbot's ledger.
    db fitbot -c "INSERT INTO fitbot_partman.maintenance_runs (started_at, finished_at, trigger, outcome, message, tables_failed)
                  VALUES (now() - interval '1 minute', now(), 'pg_cron', 'failed', '1 of 1 table(s) failed', 1)"
    expect "L3: a failed run shows as a failure" 1 '^FITBOT_PARTMAN WARNING.*fail' monitor_check
    db fitbot -c "DELETE FROM fitbot_partman.maintenance_runs"
    firing_failure postgres
    unrecorded_failure L3
    clear_firing_failure postgres

    # The monitor reads the admin's jobs through the admin's reader, so a
    # missing job reads as not visible to it (hidden_job): a superuser sees it missing.
    missing_job "L3 (superuser's view)" postgres postgres "run \`fitbot-partman setup\` for this database as its administrator (agentless: it schedules the job in database \"postgres\", where pg_cron lives)."
    expect "L3: setup schedules it again" 0 "schedule +scheduled" "$companion" --dsn "$admin" setup

    deactivate postgres
    expect "L3: the deactivated job turns the check CRITICAL" 2 '^FITBOT_PARTMAN CRITICAL.*inactive' monitor_check
    expect "L3: setup cannot re-activate it without alter_job, and says which GRANT" 1 \
        "GRANT EXECUTE ON FUNCTION cron.alter_job\(bigint, text, text, text, text, boolean\) TO admin;" \
        "$companion" --dsn "$admin" setup
    db postgres -c "GRANT EXECUTE ON FUNCTION cron.alter_job(bigint, text, text, text, text, boolean) TO admin"
    expect "L3: with that grant, setup re-activates it" 0 "schedule +updated" "$companion" --dsn "$admin" setup
    expect "L3:   ... and the check is OK again" 0 '^FITBOT_PARTMAN OK' monitor_check

    # A table of the admin's in a schema the monitor may not use: its catalog
    # rows are read all the same (pg_class needs no USAGE; to_regclass()
    # would), its default partition through the admin's reader.
    db fitbot -c "SET ROLE admin;
                  CREATE SCHEMA private_data;
                  CREATE TABLE private_data.readings (user_id bigint NOT NULL, measured_at timestamptz NOT NULL)
                      PARTITION BY RANGE (measured_at);
                  SELECT partman.create_parent('private_data.readings', 'measured_at', 'native', 'monthly', p_premake := 3);
                  UPDATE partman.part_config SET infinite_time_partitions = true WHERE parent_table = 'private_data.readings'" >/dev/null
    expect "L3: a table in a schema the monitor may not use is read all the same" 0 '^FITBOT_PARTMAN OK - 2 tables healthy' \
        monitor_check
    db fitbot -c "SET client_min_messages = warning; DELETE FROM partman.part_config WHERE parent_table = 'private_data.readings';
                  DROP SCHEMA private_data CASCADE" >/dev/null

    db postgres -c "SET client_min_messages = warning; DROP SCHEMA fitbot_partman_cron CASCADE"
    hidden_job L3
fi

# Several databases in one cluster (issue 21).
source test/layouts/several_databases.sh

suite_result
