#!/usr/bin/env bash
# Runs that never finish their ledger row (issue 19, critical 2), on a real
# cluster with pg_cron 1.4: health must read them as failed (interrupted) at
# once, in the extension's SQL health and in the companion (extension mode and
# --agentless), never as the previous run's success.
#  - a scheduled run, started by pg_cron, kill -9'd mid-run (the ledger row's
#    backend_pid): the server restarts, the row stays "running";
#  - a run cancelled with pg_cancel_backend in a session that stays open,
#    idle, and one whose session goes on to a later statement;
#  - a firing that never reaches the ledger (pg_cron cannot connect as the
#    job's role): health reads pg_cron's failed record of it.
# PID reuse (a later session with the run's pid) is in the GoogleTest suite
# (LedgerLiveness): a script cannot choose the pid a new backend gets.
set -u
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh
source test/lib/suite.sh
source test/lib/sql.sh

companion=${COMPANION:-build/fitbot-partman}
cluster_workdir runs
# hold_lock APPNAME SECONDS: a session that keeps ACCESS SHARE on the readings
# table (as a report query does), so that a run waits for its lock.
hold_lock() {
    PGAPPNAME=$1 psql -X -q -c "BEGIN" -c "LOCK TABLE public.heart_rate_readings IN ACCESS SHARE MODE" \
        -c "SELECT pg_sleep($2)" -c "COMMIT" >/dev/null 2>&1 &
    background+=($!)
    wait_until 10 "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = '$1' AND query LIKE '%pg_sleep%')"
}
release() { sql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '$1'" >/dev/null; }
# The maintenance job's health, as the extension's SQL reads it.
sql_health() { sql -c "SELECT last_run_status || ' ' || status || ' ' || array_to_string(reasons, ' | ') FROM fitbot_partman.maintenance_status()"; }
# companion_reads LABEL [--agentless]: status and check of the companion.
companion_reads() {
    local label=$1; shift
    "$companion" "$@" status >"$work/status.txt" 2>&1
    "$companion" "$@" check >"$work/check.txt" 2>&1
    local check_code=$?
    sed 's/^/# /' "$work/check.txt"
    check "$label: status says the last run failed, interrupted" \
        bash -c "grep -q 'last run failed' '$work/status.txt' && grep -q 'interrupted' '$work/status.txt'"
    check "$label: check exits 1 (WARNING): the last run failed" \
        bash -c "[ $check_code -eq 1 ] && grep -q '^FITBOT_PARTMAN WARNING - .* last run failed' '$work/check.txt'"
}

cluster_start "$work/a" fitbot >/dev/null || { not_ok "start PostgreSQL"; suite_result; exit 1; }
sql -c "SET client_min_messages = warning; CREATE EXTENSION fitbot_partman CASCADE;" -c "SELECT count(*) FROM fitbot_partman.setup();" >/dev/null
jobid=$(sql -c "SELECT jobid FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly'")
schedule=$(sql -c "SELECT schedule FROM cron.job WHERE jobid = $jobid")
command=$(sql -c "SELECT command FROM cron.job WHERE jobid = $jobid")
# A scheduled run that succeeded: the one health must not fall back to.
psql -X -q -v ON_ERROR_STOP=1 -c "$command" >/dev/null 2>&1
check "a scheduled run (the job's command) succeeded, health OK" \
    test "$(sql -c "SELECT status FROM fitbot_partman.maintenance_status()")" = ok

# ---------------------------------------------------------------- kill -9 of pg_cron's run
hold_lock reader 600
sql -c "SELECT cron.alter_job($jobid, schedule := '* * * * *')" >/dev/null
if wait_until 75 "SELECT EXISTS (SELECT 1 FROM fitbot_partman.maintenance_runs r JOIN pg_stat_activity a ON a.pid = r.backend_pid
                                   WHERE r.outcome = 'running' AND r.trigger = 'pg_cron' AND a.wait_event_type = 'Lock')"; then
    ok "pg_cron started the driver, which waits for its lock"
else
    not_ok "pg_cron started the driver, which waits for its lock"
fi
sql -c "SELECT cron.alter_job($jobid, schedule := '$schedule')" >/dev/null
run=$(sql -c "SELECT max(run_id) FROM fitbot_partman.maintenance_runs WHERE outcome = 'running'")
pid=$(sql -c "SELECT backend_pid FROM fitbot_partman.maintenance_runs WHERE run_id = $run")
echo "# run $run in backend $pid: $(sql_health)"
check "while it runs, health reads it running, not failed" \
    bash -c "sql_out=\$(psql -X -At -c 'SELECT last_run_status FROM fitbot_partman.maintenance_status()'); [ \"\$sql_out\" = running ]"
sleep 1  # the walwriter writes the row's commit (synchronous_commit = off here)
kill -9 "$pid"
# The postmaster ends every session and restarts after a backend's crash.
deadline=$((SECONDS + 60))
until [ "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher'" 2>/dev/null)" = 1 ] ||
      [ "$SECONDS" -ge "$deadline" ]; do sleep 0.5; done
check "after kill -9 the ledger row is still 'running' (nothing closed it)" \
    test "$(sql -c "SELECT outcome FROM fitbot_partman.maintenance_runs WHERE run_id = $run")" = running
health=$(sql_health)
echo "# SQL health: $health"
check "SQL health reads the killed run failed at once, not the previous success" \
    bash -c "[[ '$health' == 'failed warning '*interrupted* ]]"
companion_reads "companion (extension)"
companion_reads "companion (agentless)" --agentless

# ---------------------------------------------------------------- cancelled, session stays open
psql -X -q -v ON_ERROR_STOP=1 -c "$command" >/dev/null 2>&1  # a success again
hold_lock reader2 600
fifo=$work/idle.fifo
mkfifo "$fifo"
# The session reads its statements from a FIFO that stays open: after the
# cancel it sits idle.
PGAPPNAME=idle_run psql -X -q <"$fifo" >"$work/idle_run.out" 2>&1 &
background+=($!)
exec 7>"$fifo"
echo "CALL fitbot_partman.run_maintenance(lock_timeout => '100s');" >&7
wait_until 10 "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'idle_run' AND wait_event_type = 'Lock')"
idle_pid=$(sql -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'idle_run'")
check "a run by hand waits for its lock; health reads it running" \
    test "$(sql -c "SELECT last_run_status FROM fitbot_partman.maintenance_status()")" = running
sql -c "SELECT pg_cancel_backend($idle_pid)" >/dev/null
wait_until 10 "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $idle_pid AND state = 'idle')"
check "cancelled: its session stays open, idle; its row stays 'running'" \
    test "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE pid = $idle_pid")/$(sql -c "SELECT outcome FROM fitbot_partman.maintenance_runs WHERE backend_pid = $idle_pid")" = 1/running
health=$(sql_health)
echo "# SQL health: $health"
check "SQL health reads the cancelled run failed (interrupted) while its session lives" \
    bash -c "[[ '$health' == 'failed warning '*'run by hand: interrupted'* ]]"
companion_reads "companion (extension), cancelled run" 
companion_reads "companion (agentless), cancelled run" --agentless
# The same session goes on to a later statement: still interrupted.
echo "SELECT 'later', pg_sleep(60);" >&7
wait_until 10 "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $idle_pid AND state = 'active' AND query LIKE '%later%')"
health=$(sql_health)
echo "# SQL health: $health"
check "... and while the session runs a later statement" \
    bash -c "[[ '$health' == 'failed warning '*interrupted* ]]"
exec 7>&-
release idle_run
release reader2
psql -X -q -v ON_ERROR_STOP=1 -c "$command" >/dev/null 2>&1
check "the next run succeeds and health is OK again" \
    test "$(sql -c "SELECT status FROM fitbot_partman.maintenance_status()")" = ok

# ---------------------------------------------------------------- a firing that never reaches the ledger
# (issue 19, critical 3) The job's row points at a role that cannot log in:
# pg_cron 1.4 records "connection failed" (no pid, no times) and the driver
# never runs, so the ledger's newest run is still the success above.
# First a firing that succeeds (pg_cron's row and the ledger's match): a
# failure without times is ordered after it by runid.
sql -c "SELECT cron.alter_job($jobid, schedule := '* * * * *')" >/dev/null
if wait_until 75 "SELECT EXISTS (SELECT 1 FROM cron.job_run_details WHERE jobid = $jobid AND status = 'succeeded')"; then
    ok "pg_cron fired the job once successfully"
else
    not_ok "pg_cron fired the job once successfully"
fi
sql -c "CREATE ROLE no_login NOLOGIN" -c "UPDATE cron.job SET username = 'no_login' WHERE jobid = $jobid" >/dev/null
ledger_before=$(sql -c "SELECT max(run_id) FROM fitbot_partman.maintenance_runs")
if wait_until 75 "SELECT EXISTS (SELECT 1 FROM cron.job_run_details WHERE jobid = $jobid AND status = 'failed'
                                   AND job_pid IS NULL)"; then
    ok "pg_cron fired the job and recorded a failed connection"
else
    not_ok "pg_cron fired the job and recorded a failed connection"
fi
sql -c "SELECT cron.alter_job($jobid, schedule := '$schedule')" >/dev/null
echo "# pg_cron: $(sql -c "SELECT string_agg(format('%s %s %s pid=%s', runid, status, return_message, job_pid), '; ' ORDER BY runid)
                           FROM cron.job_run_details WHERE jobid = $jobid")"
check "... and the ledger recorded nothing" \
    test "$(sql -c "SELECT max(run_id) FROM fitbot_partman.maintenance_runs")" = "$ledger_before"
health=$(sql_health)
echo "# SQL health: $health"
echo "$health" >"$work/health.txt"
check "SQL health reads the firing as failed, with pg_cron's message and the fix, not the last success" \
    grep -q '^failed warning .*pg_cron recorded "connection failed".*pg_hba.conf' "$work/health.txt"
"$companion" status >"$work/status.txt" 2>&1
"$companion" check >"$work/check.txt" 2>&1
check_code=$?
sed 's/^/# /' "$work/check.txt"
check "companion (extension): check exits 1 (WARNING), status names the failed connection" \
    bash -c "[ $check_code -eq 1 ] && grep -q 'last run failed' '$work/check.txt' && grep -q 'connection failed' '$work/status.txt'"
sql -c "UPDATE cron.job SET username = 'postgres' WHERE jobid = $jobid" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -c "$command" >/dev/null 2>&1
check "a run after it succeeds and health is OK again" \
    test "$(sql -c "SELECT status FROM fitbot_partman.maintenance_status()")" = ok

suite_result
