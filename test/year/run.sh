#!/usr/bin/env bash
# A simulated year (fourteen months) of the seed's configuration, on a server
# whose clock is moved day by day (libfaketime, FITBOT_TEST_CLOCK=file) in a
# zone with DST that is not UTC:
#  - setup(): monthly partitions, premake 3, 1-year retention, the job on the
#    20th at 02:00 (pg_cron 1.4: in GMT);
#  - readings arrive at both edges of every local day (00:00:00 and
#    23:59:59.999999);
#  - pg_cron's scheduler does not follow a faked clock (a jump of under three
#    hours makes it run the skipped minutes' jobs at once, beside the
#    harness's run, which the driver must take in its stride), so the harness
#    plays it: at every firing that next_run() computes, the job's own
#    command, as it stands in cron.job, runs as the job's user in the job's
#    database;
#  - every day, at noon: the extension's check() and the companion's check
#    (a pg_monitor role) read OK, and no reading is in the default partition;
#  - one month the job does not fire: health reads OK half an hour after the
#    firing, WARNING naming the firing an hour after it, and OK once the
#    operator catches up by hand;
#  - one month the run fails (an event trigger freezes DDL, so pg_partman
#    cannot create the next partition):
#    WARNING right after it, OK again after the next successful run;
#  - at the end: every reading of the last twelve months is there, and no
#    partition past retention is left.
set -u
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh
source test/lib/suite.sh
source test/lib/sql.sh

export FITBOT_TEST_ZONE=${FITBOT_YEAR_ZONE:-Europe/Berlin}
export FITBOT_TEST_CLOCK=file
# The first simulated day: the 5th of January after next year's, so that the
# simulated year never meets the real clock (and CI's date changes nothing).
first_day="$(($(date -u +%Y) + 2))-01-05"
days=${FITBOT_YEAR_DAYS:-430}
skipped_month=5 # the job does not fire in the 5th month (May)
failing_month=8 # the run fails in the 8th month (August)

work=$(mktemp -d /tmp/fitbot-year.XXXXXX)
chmod 755 "$work"
cleanup() {
    cluster_stop "$work/pg"
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/pg"
clock_set "$work/pg" "$first_day 09:00:00"
cluster_start "$work/pg" fitbot >/dev/null || { not_ok "start PostgreSQL with a faked clock"; suite_result; exit 1; }

check "the server's clock is the simulated one ($first_day, $FITBOT_TEST_ZONE)" \
    test "$(sql -c "SELECT to_char(now(), 'YYYY-MM-DD') || ' ' || current_setting('TimeZone')")" = "$first_day $FITBOT_TEST_ZONE"
sql -c "SET client_min_messages = warning; CREATE EXTENSION fitbot_partman CASCADE;" \
    -c "SELECT count(*) FROM fitbot_partman.setup();" \
    -c "CREATE ROLE fitbot_monitor LOGIN IN ROLE pg_monitor;" >/dev/null
check "setup(): the seed's job, on the 20th at 02:00" \
    test "$(sql -c "SELECT schedule FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly'")" = "0 2 20 * *"

# Every step of the simulation runs in one psql session (a new connection per
# step would cost more than the step): \! moves the clock and runs the
# companion in between, \gexec runs the job's command as cron.job holds it.
cat >"$work/clock" <<SH
#!/usr/bin/env bash
source "$PWD/test/lib/cluster.sh"
clock_set "$work/pg" "\$1" "$FITBOT_TEST_ZONE"
SH
# The companion's check as a pg_monitor role: "LABEL DAY EXIT" to companion.txt.
cat >"$work/companion" <<SH
#!/usr/bin/env bash
"$PWD/build/fitbot-partman" --dsn "host=$PGHOST port=$PGPORT dbname=fitbot user=fitbot_monitor" check >"$work/check.out" 2>&1
echo "\$1 \$2 \$?" >>"$work/companion.txt"
SH
chmod 755 "$work/clock" "$work/companion"
: >"$work/companion.txt"

# The firings of the job over the simulated days, as next_run() computes them
# in pg_cron's zone, in local time.
last_day=$(TZ=$FITBOT_TEST_ZONE date -d "$first_day +$((days - 1)) days" +%Y-%m-%d)
mapfile -t firings < <(sql -c "
    WITH RECURSIVE f(at) AS (
        SELECT fitbot_partman.next_run(schedule, '$first_day'::timestamptz) FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly'
        UNION ALL
        SELECT fitbot_partman.next_run(j.schedule, f.at) FROM f, cron.job j
        WHERE j.jobname = 'run_pg_partman_maintenance_monthly' AND f.at < '$last_day'::timestamptz + interval '1 day')
    SELECT to_char(at, 'YYYY-MM-DD HH24:MI:SS') FROM f WHERE at < '$last_day'::timestamptz + interval '1 day'")
check "the seed's schedule fires once a month over the simulated days (${#firings[@]} firings)" test "${#firings[@]}" -ge 13
add_minutes() { TZ=$FITBOT_TEST_ZONE date -d "$1 $2 minutes" '+%Y-%m-%d %H:%M:%S'; }
job_command="SELECT command FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly' \\gexec"
IFS='|' read -r job_database job_user < <(sql -c "SELECT database, username FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly'")

# verdict LABEL DAY: the extension's check() and the default partition's rows
# ("VERDICT|LABEL|DAY|status|rows" on stdout), then the companion's check.
verdict() {
    echo "SELECT 'VERDICT', '$1', '$2', (SELECT status FROM fitbot_partman.check()), (SELECT count(*) FROM public.heart_rate_readings_default),"
    echo "       (SELECT string_agg(array_to_string(reasons, ' '), ' ') FROM fitbot_partman.maintenance_status());"
    echo "\\! $work/companion $1 $2"
}

declare -A expected # LABEL|DAY -> "status companion-exit default-rows"
failed_run_on="" skipped_firing="" caught_up_on=""
script() {
    local day_index day month firing state=ok
    for ((day_index = 0; day_index < days; day_index++)); do
        day=$(TZ=$FITBOT_TEST_ZONE date -d "$first_day +$day_index days" +%Y-%m-%d)
        month=$((10#${day:5:2}))
        echo "\\! $work/clock '$day 00:00:01'"
        echo "INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm) VALUES (1, '$day 00:00:00', 60);"
        for firing in "${firings[@]}"; do
            [ "${firing%% *}" = "$day" ] || continue
            if [ "$month" -eq "$skipped_month" ] && [ -z "$skipped_firing" ]; then
                # The job does not fire: OK for the grace, WARNING after it.
                skipped_firing=$firing
                echo "\\! $work/clock '$(add_minutes "$firing" 30)'"
                verdict skip+30min "$day"
                expected[skip+30min|$day]="ok 0 0"
                echo "\\! $work/clock '$(add_minutes "$firing" 61)'"
                verdict skip+61min "$day"
                expected[skip+61min|$day]="warning 1 0"
                echo "SELECT 'REASONS', array_to_string(reasons, ' ') FROM fitbot_partman.maintenance_status();"
                state=warning
            elif [ "$month" -eq "$failing_month" ] && [ -z "$failed_run_on" ]; then
                # A DDL freeze (an event trigger, as an audit might set up)
                # makes pg_partman's partition creation fail: the driver
                # records the table and the run failed. (Not a lock held past
                # lock_timeout: libfaketime keeps PostgreSQL's timeouts from
                # firing, see test/dated.)
                failed_run_on=$day
                echo "CREATE FUNCTION public.ddl_frozen() RETURNS event_trigger LANGUAGE plpgsql AS \$\$BEGIN RAISE EXCEPTION 'DDL is frozen for an audit'; END\$\$;"
                echo "CREATE EVENT TRIGGER ddl_frozen ON ddl_command_start WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION public.ddl_frozen();"
                echo "\\! $work/clock '$firing'"
                echo "\\c $job_database $job_user"
                echo "$job_command"
                echo "\\c fitbot postgres"
                echo "DROP EVENT TRIGGER ddl_frozen; DROP FUNCTION public.ddl_frozen();"
                echo "\\! $work/clock '$(add_minutes "$firing" 5)'"
                verdict failed+5min "$day"
                expected[failed+5min|$day]="warning 1 0"
                echo "SELECT 'LAST_RUN', last_run_status FROM fitbot_partman.maintenance_status();"
                state=warning
            else
                echo "\\! $work/clock '$firing'"
                echo "\\c $job_database $job_user"
                echo "$job_command"
                echo "\\c fitbot postgres"
                state=ok
            fi
        done
        # The operator catches up by hand two days after the skipped firing.
        if [ -n "$skipped_firing" ] && [ -z "$caught_up_on" ] && [ "$day" = "$(date -d "${skipped_firing%% *} +2 days" +%Y-%m-%d)" ]; then
            caught_up_on=$day
            echo "\\! $work/clock '$day 09:00:00'"
            echo "CALL fitbot_partman.run_maintenance();"
            state=ok
        fi
        echo "\\! $work/clock '$day 12:00:00'"
        verdict noon "$day"
        if [ "$state" = ok ]; then expected[noon|$day]="ok 0 0"; else expected[noon|$day]="warning 1 0"; fi
        echo "\\! $work/clock '$day 23:59:00'"
        echo "INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm) VALUES (2, '$day 23:59:59.999999', 61);"
    done
}
script >"$work/year.sql"
# (script ran in this shell: its expectations are here.)
psql -X -q -At -F '|' -f "$work/year.sql" >"$work/year.out" 2>"$work/year.err"
inserted=$((days * 2))

# Compare every verdict with what was expected of it.
declare -A companion_exit
while read -r label day code; do companion_exit[$label|$day]=$code; done <"$work/companion.txt"
bad_days=()
seen=0
while IFS='|' read -r tag label day status rows reasons; do
    [ "$tag" = VERDICT ] || continue
    seen=$((seen + 1))
    got="$status ${companion_exit[$label|$day]:-none} $rows"
    [ "$got" = "${expected[$label|$day]:-}" ] || bad_days+=("$day ($label): expected '${expected[$label|$day]:-}' (extension, companion exit, default rows), got '$got': $reasons")
done <"$work/year.out"
if [ ${#bad_days[@]} -eq 0 ] && [ "$seen" -eq "${#expected[@]}" ]; then
    ok "every one of $days simulated days: check() and the companion's check as expected, no reading in the default partition ($seen verdicts)"
else
    printf '  %s\n' "${bad_days[@]:0:20}"
    head -20 "$work/year.err"
    not_ok "${#bad_days[@]} of ${#expected[@]} verdicts were not as expected ($seen read)"
fi
# The only error of the whole year is the failed run's own.
check "the readings at both edges of every local day were accepted: no error but the failed run's" \
    test "$(grep '^psql:.*ERROR' "$work/year.err" | grep -vc 'ERROR:  maintenance failed for')" = 0 \
         -a "$(grep -c 'ERROR:  maintenance failed for' "$work/year.err")" = 1
firing_utc=$(sql -c "SELECT to_char('$skipped_firing'::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')")
check "the skipped firing's warning names it ($firing_utc UTC)" grep -q "^REASONS|.*should have started it at $firing_utc UTC" "$work/year.out"
check "the failed run ($failed_run_on) reads failed" grep -qx 'LAST_RUN|failed' "$work/year.out"
check "the operator's catch-up by hand ($caught_up_on) and the next firing after the failure cleared them" \
    test -n "$caught_up_on"
# Readings of the last twelve months: two a day, none lost.
kept_window_start=$(TZ=$FITBOT_TEST_ZONE date -d "$last_day -12 months +1 day" +%Y-%m-%d)
expected_recent=$(( ($(date -d "$last_day" +%s) - $(date -d "$kept_window_start" +%s)) / 86400 * 2 + 2 ))
check "every reading of the last twelve months is kept ($expected_recent)" \
    test "$(sql -c "SELECT count(*) FROM public.heart_rate_readings WHERE measured_at >= '$kept_window_start'")" = "$expected_recent"
check "nothing was lost on the way: what is kept is everything after the oldest kept partition" \
    test "$(sql -c "SELECT count(*) = (SELECT count(*) FROM public.heart_rate_readings) FROM public.heart_rate_readings
                    WHERE measured_at >= (SELECT min(range_start) FROM fitbot_partman.partitions('public.heart_rate_readings') WHERE state <> 'default')")" = t
# Retention: the newest run dropped every partition that ended a year before it.
last_run=$(sql -c "SELECT max(started_at) FROM fitbot_partman.maintenance_runs WHERE outcome = 'succeeded'")
check "no partition past retention is left (newest run $last_run)" \
    test "$(sql -c "SELECT count(*) FROM fitbot_partman.partitions('public.heart_rate_readings')
                    WHERE state <> 'default' AND range_end < '$last_run'::timestamptz - interval '1 year'")" = 0
check "the oldest readings are gone with their partitions ($((inserted - $(sql -c "SELECT count(*) FROM public.heart_rate_readings"))) dropped by retention)" \
    test "$(sql -c "SELECT count(*) < $inserted FROM public.heart_rate_readings")" = t
check "the job ran at every firing but the skipped one (ledger: pg_cron runs)" \
    test "$(sql -c "SELECT count(*) FROM fitbot_partman.maintenance_runs WHERE trigger = 'pg_cron'")" -ge 12
suite_result
