#!/usr/bin/env bash
# The maintenance driver, fitbot_partman.run_maintenance(), on a real cluster
# with Debian's pg_partman 4.7 and pg_cron 1.4:
#  - register_table refuses a quote in a name (0A000) and changes nothing;
#  - a table registered by hand in a schema named o'brien fails, is recorded
#    as failed, and heart_rate_readings is still maintained; the CALL ends
#    with an error (pg_cron would record the run failed);
#  - automatic_maintenance = 'off' is honoured (not maintained, not in the ledger);
#  - lock_timeout and the time budget: retries with backoff, then failed;
#    an attempt whose work outlasts the budget is cut off and recorded failed;
#  - overlap: a second run while one is in progress records 'skipped' and does
#    nothing; a cancelled run leaves no advisory lock, the next run succeeds;
#  - the 1970/2100 rescue: far rows quarantined, in-window rows partitioned,
#    no row lost, and maintenance afterwards drops nothing and keeps the runway;
#  - the ledger across pg_dump/pg_restore into a second cluster;
#  - an adopted wide partition (wide_partition.sh): pg_partman's own procedure
#    drops nothing while it exists; the driver deletes its rows older than the
#    retention in steps, keeps every row of the last 12 months, drops (or
#    detaches) it once wholly expired and gives pg_partman its retention back;
#    health reports it as no gap, with its planned expiry, and warns for one
#    past it that no run of the driver has dropped;
#  - job_command = pg_partman: setup() schedules pg_partman's plain command;
#  - a second superuser's schedule_maintenance() and teardown() act on the one job;
#  - DROP EXTENSION with the job scheduled: every reading kept, the job's command
#    falls back to pg_partman's run_maintenance_proc(), by hand and under pg_cron.
set -u
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh
source test/lib/suite.sh
source test/lib/sql.sh

cluster_workdir maintenance
backend_of() { sql -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$1' ORDER BY backend_start DESC LIMIT 1"; }
# hold_lock APPNAME SECONDS: a session that takes ACCESS SHARE on the readings
# table (as a report query does) and keeps it for SECONDS.
hold_lock() {
    PGAPPNAME=$1 psql -X -q -c "BEGIN" -c "LOCK TABLE public.heart_rate_readings IN ACCESS SHARE MODE" \
        -c "SELECT pg_sleep($2)" -c "COMMIT" >/dev/null 2>&1 &
    background+=($!)
    wait_until 10 "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = '$1' AND query LIKE '%pg_sleep%')"
}
release() { sql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '$1'" >/dev/null; }
newest_partition() {
    sql -c "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = '$1'::regclass AND c.relname NOT LIKE '%default' ORDER BY c.relname DESC LIMIT 1"
}
last_run() { sql -c "SELECT max(run_id) FROM fitbot_partman.maintenance_runs"; }
readings_checksum() {
    sql -c "SELECT count(*) || ':' || coalesce(md5(string_agg(format('%s|%s|%s|%s', user_id, measured_at, bpm, source), ',' ORDER BY user_id, measured_at, source)), '')
            FROM (SELECT * FROM public.heart_rate_readings ${1:-}) r"
}

cluster_start "$work/a" fitbot >/dev/null || { not_ok "start PostgreSQL"; suite_result; exit 1; }
sql -c "SET client_min_messages = warning; CREATE EXTENSION fitbot_partman CASCADE;" -c "SELECT count(*) FROM fitbot_partman.setup();" >/dev/null
partman=$(sql -c "SELECT extnamespace::regnamespace FROM pg_extension WHERE extname = 'pg_partman'")
job_command() { sql -c "SELECT command FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly'"; }
sql -c "INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm)
        SELECT g % 10, now() - g * interval '1 minute', 60 + g % 40 FROM generate_series(1, 5000) g" >/dev/null

# ---------------------------------------------------------------- register_table refuses a quote
sql -c "CREATE SCHEMA \"o'brien\"; CREATE TABLE \"o'brien\".events (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at);"
config_before=$(sql -c "SELECT md5(string_agg(c::text, ',' ORDER BY parent_table)) FROM $partman.part_config c")
psql -X -q -v VERBOSITY=verbose -c "SELECT fitbot_partman.register_table('\"o''brien\".events', 'at')" >"$work/quote.out" 2>&1
quote_status=$?
sed 's/^/# /' "$work/quote.out"
check "register_table refuses a quote in the schema name with SQLSTATE 0A000" \
    test "$quote_status" -ne 0 -a "$(grep -c '^ERROR:  0A000: table .* has a single quote in its name' "$work/quote.out")" = 1
check "... with a hint, and pg_partman's configuration is unchanged" \
    test "$(grep -c '^HINT:  Rename' "$work/quote.out")" = 1 \
         -a "$(sql -c "SELECT md5(string_agg(c::text, ',' ORDER BY parent_table)) FROM $partman.part_config c")" = "$config_before" \
         -a "$(sql -c "SELECT count(*) FROM pg_inherits WHERE inhparent = '\"o''brien\".events'::regclass")" = 0

# ---------------------------------------------------------------- one bad table does not stop the others
# Registered by hand, as pg_partman itself accepts it (named arguments: 4.x
# and 5.x order them differently, and 5.x calls the type range).
sql -c "SELECT $partman.create_parent(p_parent_table := 'o''brien.events', p_control := 'at', p_interval := '1 month',
            p_type := CASE WHEN fitbot_partman_internal.partman_major_version() >= 5 THEN 'range' ELSE 'native' END);
        UPDATE $partman.part_config SET premake = 3, infinite_time_partitions = true WHERE parent_table = 'o''brien.events';" >/dev/null
future=$(newest_partition public.heart_rate_readings)
sql -c "DROP TABLE public.$future"
psql -X -q -c "CALL fitbot_partman.run_maintenance()" >"$work/bad.out" 2>&1
bad_status=$?
bad_run=$(last_run)
grep -E '^(WARNING|ERROR|DETAIL|HINT):' "$work/bad.out" | sed 's/^/# /'
check "a hand-registered table in schema o'brien: the CALL ends with an error (pg_cron records the run failed)" \
    test "$bad_status" -ne 0 -a "$(grep -c "^ERROR:  maintenance failed for o'brien.events$" "$work/bad.out")" = 1
check "... naming the failed table and pg_partman's error" grep -q "^WARNING:  maintenance of o'brien.events failed: syntax error at or near \"brien\"" "$work/bad.out"
check "... the ledger records o'brien.events failed and heart_rate_readings succeeded" \
    test "$(sql -c "SELECT string_agg(parent || '=' || outcome, ' ' ORDER BY parent) FROM fitbot_partman.maintenance_run_tables WHERE run_id = $bad_run")" \
         = "o'brien.events=failed public.heart_rate_readings=succeeded" \
         -a "$(sql -c "SELECT outcome || ' ' || tables_failed || ' ' || tables_succeeded FROM fitbot_partman.maintenance_runs WHERE run_id = $bad_run")" = "failed 1 1"
check "... and heart_rate_readings' dropped future partition $future was re-created" \
    test "$(sql -c "SELECT to_regclass('public.$future') IS NOT NULL")" = t
sql -c "SELECT count(*) FROM fitbot_partman.teardown('\"o''brien\".events'); DROP SCHEMA \"o'brien\" CASCADE;" >/dev/null 2>&1
check "(the o'brien registration is removed again)" \
    test "$(sql -c "SELECT count(*) FROM $partman.part_config WHERE parent_table <> 'public.heart_rate_readings'")" = 0

# ---------------------------------------------------------------- automatic_maintenance = 'off'
sql -c "CREATE TABLE public.events (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at);
        SELECT fitbot_partman.register_table('public.events', 'at');
        UPDATE $partman.part_config SET automatic_maintenance = 'off' WHERE parent_table = 'public.events';" >/dev/null
events_future=$(newest_partition public.events)
sql -c "DROP TABLE public.$events_future"
sql -c "CALL fitbot_partman.run_maintenance()" >/dev/null 2>&1
off_status=$?
off_run=$(last_run)
check "automatic_maintenance = off: the run succeeds" test "$off_status" -eq 0
check "... the table is not maintained ($events_future stays dropped)" \
    test "$(sql -c "SELECT to_regclass('public.$events_future') IS NULL")" = t
check "... and not in the ledger, while heart_rate_readings is" \
    test "$(sql -c "SELECT string_agg(parent, ' ') FROM fitbot_partman.maintenance_run_tables WHERE run_id = $off_run")" = public.heart_rate_readings
sql -c "SELECT count(*) FROM fitbot_partman.teardown('public.events')" >/dev/null

# ---------------------------------------------------------------- lock_timeout, retries, time budget
# (Not under test/dated's moved clock: with libfaketime preloaded, PostgreSQL's
# SIGALRM timeouts, lock_timeout and statement_timeout, never fire.)
if [ -z "${FITBOT_TEST_CLOCK:-}" ]; then
    hold_lock budget_reader 30
    started=$(date +%s.%N)
    sql -c "CALL fitbot_partman.run_maintenance(lock_timeout => '1s', time_budget => '5s')" >"$work/budget.out" 2>&1
    budget_status=$?
    elapsed=$(echo "$(date +%s.%N) - $started" | bc)
    release budget_reader
    budget=$(sql -F ' ' -c "SELECT outcome, attempts, lock_waits, round(lock_wait_seconds::numeric, 1) FROM fitbot_partman.maintenance_run_tables
                            WHERE run_id = $(last_run) AND parent = 'public.heart_rate_readings'")
    read -r budget_outcome budget_attempts budget_waits budget_wait_seconds <<<"$budget"
    echo "# time budget run: ${elapsed}s, ledger: $budget; $(grep -m1 WARNING "$work/budget.out")"
    check "a reader holds its lock: lock_timeout 1s, budget 5s ends failed, with an error" \
        test "$budget_status" -ne 0 -a "$budget_outcome" = failed
    check "... after $budget_attempts attempts and $budget_waits lock waits (${budget_wait_seconds}s waited), both > 1" \
        test "${budget_attempts:-0}" -gt 1 -a "${budget_waits:-0}" -gt 1
    check "... returning within budget + lock_timeout (${elapsed}s <= 6.5s)" test "$(echo "$elapsed <= 6.5" | bc)" = 1

    # Work, not a lock wait, past the budget (issue 19, major 6): premake
    # raised to 30 daily partitions, each made slow (1 s) by an event trigger.
    # The attempt holds ACCESS EXCLUSIVE on the table throughout; it is cut
    # off when the budget runs out, recorded failed with the reason, and
    # nothing it made is kept.
    sql -c "CREATE TABLE public.slow_events (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at)" \
        -c "SET client_min_messages = error; SELECT fitbot_partman.register_table('public.slow_events', 'at', '1 day', premake => 2)" >/dev/null
    sql -c "CREATE FUNCTION public.slow_partition() RETURNS event_trigger LANGUAGE plpgsql AS \$\$
            BEGIN
                IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() WHERE object_identity LIKE 'public.slow_events_p%') THEN
                    PERFORM pg_sleep(1);
                END IF;
            END \$\$" \
        -c "CREATE EVENT TRIGGER slow_partition ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION public.slow_partition()" \
        -c "UPDATE $partman.part_config SET premake = 30 WHERE parent_table = 'public.slow_events'"
    slow_before=$(sql -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.slow_events'::regclass")
    started=$(date +%s.%N)
    sql -c "CALL fitbot_partman.run_maintenance(lock_timeout => '1s', time_budget => '4s')" >"$work/cut_off.out" 2>&1
    cut_off_status=$?
    elapsed=$(echo "$(date +%s.%N) - $started" | bc)
    cut_off=$(sql -F ' | ' -c "SELECT outcome, message FROM fitbot_partman.maintenance_run_tables
                              WHERE run_id = $(last_run) AND parent = 'public.slow_events'")
    slow_after=$(sql -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.slow_events'::regclass")
    echo "# premake 30 x 1 s under a 4 s budget: ${elapsed}s, ledger: $cut_off"
    check "an attempt whose work outlasts the budget is cut off: the run returns within budget + 1 s (${elapsed}s <= 5s)" \
        test "$(echo "$elapsed <= 5" | bc)" = 1
    check "... recorded failed with the reason, and the CALL ends with an error" \
        test "$cut_off_status" -ne 0 -a "${cut_off%% |*}" = failed -a "$(echo "$cut_off" | grep -c 'cut off when the time budget of 00:00:04 ran out')" = 1
    check "... and nothing it made is kept ($slow_before partitions before and after)" test "$slow_after" = "$slow_before"
    check "... heart_rate_readings, maintained before it in the same run, succeeded" \
        test "$(sql -c "SELECT outcome FROM fitbot_partman.maintenance_run_tables WHERE run_id = $(last_run) AND parent = 'public.heart_rate_readings'")" = succeeded
    sql -c "DROP EVENT TRIGGER slow_partition" -c "DROP FUNCTION public.slow_partition()" \
        -c "SELECT count(*) FROM fitbot_partman.teardown('public.slow_events')" -c "DROP TABLE public.slow_events" >/dev/null
else
    echo "# lock_timeout and the time budget: not checked with a faked clock (libfaketime stops PostgreSQL's timeouts)"
fi

# ---------------------------------------------------------------- overlap, cancel
future=$(newest_partition public.heart_rate_readings)
sql -c "DROP TABLE public.$future"
hold_lock overlap_reader 120
# The first run waits for the reader; its session stays open after the cancel.
printf '%s\n' "CALL fitbot_partman.run_maintenance(lock_timeout => '100s');" "SELECT 'after cancel', pg_sleep(60);" |
    PGAPPNAME=first_run psql -X -q >"$work/first_run.out" 2>&1 &
background+=($!)
wait_until 10 "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'first_run' AND wait_event_type = 'Lock')"
first_pid=$(backend_of first_run)
check "a run waiting for its lock holds the overlap guard (advisory lock 4242/21)" \
    test "$(sql -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 4242 AND objid = 21 AND granted AND pid = $first_pid")" = 1
runs_before=$(last_run)
psql -X -q -c "CALL fitbot_partman.run_maintenance()" >"$work/second.out" 2>&1
second_status=$?
second_run=$(last_run)
check "a second CALL meanwhile returns at once, saying another run is in progress" \
    test "$second_status" -eq 0 -a "$(grep -c 'another run of fitbot_partman.run_maintenance() is in progress' "$work/second.out")" = 1
check "... records 'skipped' with no table touched" \
    test "$second_run" -gt "$runs_before" \
         -a "$(sql -c "SELECT outcome FROM fitbot_partman.maintenance_runs WHERE run_id = $second_run")" = skipped \
         -a "$(sql -c "SELECT count(*) FROM fitbot_partman.maintenance_run_tables WHERE run_id = $second_run")" = 0 \
         -a "$(sql -c "SELECT to_regclass('public.$future') IS NULL")" = t
sql -c "SELECT pg_cancel_backend($first_pid)" >/dev/null
wait_until 10 "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $first_pid AND query LIKE '%after cancel%')"
check "the first run, cancelled while it waits: its session lives on without the advisory lock" \
    test "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE pid = $first_pid")" = 1 \
         -a "$(sql -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 4242 AND objid = 21")" = 0
echo "# the cancelled run's ledger row: $(sql -c "SELECT run_id || ' ' || outcome || ' finished_at=' || coalesce(finished_at::text, 'NULL') FROM fitbot_partman.maintenance_runs WHERE backend_pid = $first_pid")"
release overlap_reader
psql -X -q -v ON_ERROR_STOP=1 -c "$(job_command)" >"$work/next.out" 2>&1
next_status=$?
check "the next run (the scheduled command, by hand) succeeds and re-creates $future" \
    test "$next_status" -eq 0 -a "$(sql -c "SELECT outcome || ' ' || trigger FROM fitbot_partman.maintenance_runs WHERE run_id = $(last_run)")" = "succeeded pg_cron" \
         -a "$(sql -c "SELECT to_regclass('public.$future') IS NOT NULL")" = t
check "  ... and closes the cancelled run's ledger row as interrupted" \
    test "$(sql -c "SELECT outcome || ' ' || (finished_at IS NOT NULL) || ' ' || (message ~ 'interrupted') FROM fitbot_partman.maintenance_runs WHERE backend_pid = $first_pid")" = "failed true true"
release first_run

# ---------------------------------------------------------------- the 1970/2100 rescue
# Rows from 1970 and 2100 in the default partition, and rows of two in-window
# months whose partitions are gone (one past, one premade).
sql <<'SQL'
SET client_min_messages = warning;
DO $$
DECLARE past timestamptz := date_trunc('month', now()) - interval '2 months';
        ahead timestamptz := date_trunc('month', now()) + interval '3 months';
BEGIN
    -- By bound: pg_partman 4.x names them _pYYYY_MM, 5.x _pYYYYMMDD.
    EXECUTE format('DROP TABLE %s', (SELECT partition_name FROM fitbot_partman.partitions('public.heart_rate_readings') WHERE range_start = past));
    EXECUTE format('DROP TABLE %s', (SELECT partition_name FROM fitbot_partman.partitions('public.heart_rate_readings') WHERE range_start = ahead));
    INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm, source)
    SELECT g, t, 60 + g % 50, 'rescue-test'
    FROM generate_series(1, 50) g,
         LATERAL (VALUES (timestamptz '1970-01-15 00:00+00' + g * interval '1 hour'),
                         (timestamptz '2100-01-15 00:00+00' + g * interval '1 hour'),
                         (past + interval '3 days' + g * interval '1 hour'),
                         (ahead + interval '3 days' + g * interval '1 hour')) v(t);
END $$;
SQL
default_rows=$(sql -c "SELECT count(*) FROM public.heart_rate_readings_default")
before=$(readings_checksum)
rescued=$(sql -c "SELECT fitbot_partman.rescue_default('public.heart_rate_readings')" 2>"$work/rescue.err")
rescue_status=$?
grep -E '^(WARNING|ERROR)' "$work/rescue.err" | sed 's/^/# /'
quarantine=$(sql -c "SELECT count(*) FILTER (WHERE measured_at < '1971-01-01') || ' ' || count(*) FILTER (WHERE measured_at >= '2100-01-01') || ' ' || count(*)
                     FROM public.heart_rate_readings_quarantine")
check "rescue_default: $default_rows rows in the default partition, $rescued partitioned, quarantined (1970 2100 all): $quarantine" \
    test "$rescue_status" -eq 0 -a "$default_rows" = 200 -a "$rescued" = 100 -a "$quarantine" = "50 50 100"
# The warnings state dates in the session's zone (the server's: test/dated moves it).
in_session_zone() { sql -c "SELECT timestamptz '$1'"; }
check "... a WARNING gives each quarantined range with its count and dates" \
    test "$(grep -cF "WARNING:  quarantined 50 rows dated $(in_session_zone '1970-01-15 01:00+00') to $(in_session_zone '1970-01-17 02:00+00') (older than the retention window)" "$work/rescue.err")" = 1 \
         -a "$(grep -cF "WARNING:  quarantined 50 rows dated $(in_session_zone '2100-01-15 01:00+00') to $(in_session_zone '2100-01-17 02:00+00') (newer than" "$work/rescue.err")" = 1
check "... no partition for 1970 or 2100, the default partition empty" \
    test "$(sql -c "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent = 'public.heart_rate_readings'::regclass AND (c.relname ~ '_p(19|21)' OR c.relname ~ '_p2100')")" = 0 \
         -a "$(sql -c "SELECT count(*) FROM public.heart_rate_readings_default")" = 0
check "... the in-window rows are in their partitions again" \
    test "$(sql -c "SELECT count(*) FROM public.heart_rate_readings WHERE source = 'rescue-test' AND tableoid <> 'public.heart_rate_readings_default'::regclass")" = 100
after=$(readings_checksum "UNION ALL SELECT * FROM public.heart_rate_readings_quarantine")
check "... no row lost: parent + quarantine = before ($before)" test "$after" = "$before"
sql -c "CALL fitbot_partman.run_maintenance()" >/dev/null 2>&1
maintained_status=$?
check "run_maintenance() afterwards: succeeds, drops nothing, no rescued row lost" \
    test "$maintained_status" -eq 0 \
         -a "$(sql -c "SELECT partitions_dropped FROM fitbot_partman.maintenance_run_tables WHERE run_id = $(last_run)")" = 0 \
         -a "$(readings_checksum "UNION ALL SELECT * FROM public.heart_rate_readings_quarantine")" = "$before"
# pg_partman 4.x counts premake from now (infinite_time_partitions); 5.x from
# the later of now and the newest row, here a rescued row 3 months ahead.
runway=$(sql -c "WITH base AS (SELECT CASE WHEN fitbot_partman_internal.partman_major_version() >= 5
                                          THEN greatest(now(), (SELECT max(measured_at) FROM public.heart_rate_readings)) ELSE now() END AS t)
                 SELECT max(r.range_start)::date || ' ' || (max(r.range_start) >= date_trunc('month', base.t) + interval '3 months'
                        AND max(r.range_start) <= base.t + interval '4 months')::int
                 FROM fitbot_partman_internal.partition_ranges('public.heart_rate_readings') r, base GROUP BY base.t")
check "... and the runway stays normal: newest partition starts ${runway% *}, within premake + 1 months (of the newest row, on pg_partman 5)" test "${runway#* }" = 1

# ---------------------------------------------------------------- the ledger across pg_dump/pg_restore
sql -c "INSERT INTO fitbot_partman.maintenance_settings VALUES ('lock_timeout', '3s')"
ledger_query="SELECT (SELECT count(*) FROM fitbot_partman.maintenance_runs) || ':' || (SELECT count(*) FROM fitbot_partman.maintenance_run_tables) || ':' ||
                     md5((SELECT string_agg(r::text, ',' ORDER BY run_id) FROM fitbot_partman.maintenance_runs r) ||
                         (SELECT string_agg(t::text, ',' ORDER BY run_id, parent) FROM fitbot_partman.maintenance_run_tables t) ||
                         (SELECT string_agg(s::text, ',' ORDER BY setting) FROM fitbot_partman.maintenance_settings s))"
ledger_a=$(sql -c "$ledger_query")
max_run_a=$(last_run)
pg_dump -Fc -f "$work/fitbot.dump" fitbot
chmod 644 "$work/fitbot.dump"
a_host=$PGHOST a_port=$PGPORT
if cluster_start "$work/b" fitbot >/dev/null && pg_restore -d fitbot --exit-on-error "$work/fitbot.dump" 2>"$work/restore.err"; then
    ok "pg_dump -Fc / pg_restore into a second cluster: no error"
else
    not_ok "pg_dump -Fc / pg_restore into a second cluster: $(head -3 "$work/restore.err")"
fi
check "the ledger's runs, tables and settings are restored ($ledger_a)" test "$(sql -c "$ledger_query")" = "$ledger_a"
sql -c "CALL fitbot_partman.run_maintenance()" >/dev/null 2>&1
check "a new run in the restored database succeeds with a new run_id ($(last_run) > $max_run_a)" \
    test "$(last_run)" -gt "$max_run_a" -a "$(sql -c "SELECT outcome FROM fitbot_partman.maintenance_runs WHERE run_id = $(last_run)")" = succeeded
cluster_stop "$work/b"
export PGHOST=$a_host PGPORT=$a_port
sql -c "DELETE FROM fitbot_partman.maintenance_settings"

# ---------------------------------------------------------------- an adopted wide partition (issue 20)
source test/maintenance/wide_partition.sh

# ---------------------------------------------------------------- job_command: pg_partman's plain command
sql -c "INSERT INTO fitbot_partman.maintenance_settings VALUES ('job_command', 'pg_partman')"
plain=$(sql -c "SELECT action FROM fitbot_partman.setup() WHERE step = 'schedule'")
check "job_command = pg_partman: setup() switches the job to pg_partman's plain command ($plain)" \
    test "$plain" = updated -a "$(job_command)" = "CALL $partman.run_maintenance_proc();"
sql -c "DELETE FROM fitbot_partman.maintenance_settings WHERE setting = 'job_command'"
check "... and back to the driver without it" \
    test "$(sql -c "SELECT action FROM fitbot_partman.setup() WHERE step = 'schedule'")" = updated \
         -a "$(job_command | grep -c 'CALL fitbot_partman.run_maintenance(run_trigger')" = 1

# ---------------------------------------------------------------- a second superuser
sql -c "CREATE ROLE second_admin SUPERUSER LOGIN"
job_a=$(sql -c "SELECT jobid FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly'")
job_b=$(sql -U second_admin -c "SELECT fitbot_partman.schedule_maintenance('30 3 1,15 * *')")
maintenance_jobs="SELECT count(*) FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly' OR command ~* 'run_maintenance'"
check "superuser B's schedule_maintenance('30 3 1,15 * *') after A's setup(): still one job ($job_a = $job_b), with B's schedule" \
    test "$job_b" = "$job_a" -a "$(sql -c "$maintenance_jobs")" = 1 \
         -a "$(sql -c "SELECT schedule || ' ' || username FROM cron.job WHERE jobid = $job_a")" = "30 3 1,15 * * postgres"
teardown=$(sql -U second_admin -c "SELECT detail FROM fitbot_partman.teardown() WHERE step = 'schedule'")
echo "# B's teardown(): $teardown"
check "B's teardown() of the only table removes A's job and says which" \
    test "$(sql -c "$maintenance_jobs")" = 0 \
         -a "$(grep -c "removed: $job_a run_pg_partman_maintenance_monthly (owner postgres)" <<<"$teardown")" = 1
sql -c "SELECT count(*) FROM fitbot_partman.setup()" >/dev/null 2>&1
check "(A's setup() brings back the registration and one job)" \
    test "$(sql -c "$maintenance_jobs")" = 1 -a "$(sql -c "SELECT count(*) FROM $partman.part_config")" = 1

# ---------------------------------------------------------------- DROP EXTENSION with the job scheduled
before=$(readings_checksum "UNION ALL SELECT * FROM public.heart_rate_readings_quarantine")
sql -c "DROP EXTENSION fitbot_partman"
check "DROP EXTENSION fitbot_partman: every reading (and quarantined row) kept ($before)" \
    test "$(readings_checksum "UNION ALL SELECT * FROM public.heart_rate_readings_quarantine")" = "$before"
check "... the job is still scheduled, pg_partman's registration kept" \
    test "$(sql -c "$maintenance_jobs")" = 1 -a "$(sql -c "SELECT count(*) FROM $partman.part_config")" = 1
future=$(newest_partition public.heart_rate_readings)
sql -c "DROP TABLE public.$future"
psql -X -q -v ON_ERROR_STOP=1 -c "$(job_command)" >"$work/fallback.out" 2>&1
fallback_status=$?
check "the job's command by hand falls back to pg_partman's run_maintenance_proc() and re-creates $future" \
    test "$fallback_status" -eq 0 -a "$(sql -c "SELECT to_regclass('public.$future') IS NOT NULL")" = t
sql -c "DROP TABLE public.$future"
job=$(sql -c "SELECT jobid FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly'")
sql -c "SELECT cron.alter_job($job, schedule := '* * * * *')" >/dev/null
echo "# waiting for pg_cron to run job $job (up to 75 s)"
wait_until 75 "SELECT EXISTS (SELECT 1 FROM cron.job_run_details WHERE jobid = $job AND status IN ('succeeded', 'failed'))"
cron_run=$(sql -c "SELECT status || ' ' || coalesce(return_message, '') FROM cron.job_run_details WHERE jobid = $job ORDER BY runid DESC LIMIT 1")
echo "# pg_cron run: ${cron_run:-none}"
check "... and pg_cron's own run of it succeeds and re-creates $future" \
    test "${cron_run%% *}" = succeeded -a "$(sql -c "SELECT to_regclass('public.$future') IS NOT NULL")" = t

suite_result
