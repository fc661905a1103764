# Several application databases in one cluster, pg_cron in postgres
# (issue 21), sourced by test/layouts/run.sh (its helpers and cluster):
#
#   L2 databases fitbot and fitbot2, extension, superuser admin
#   L3 databases fitbot, fitbot2 (admin1) and fitbot3 (admin2), agentless,
#      administrators that are not superusers
#
# Each database keeps its own job: setup in one never takes another's, a
# schedule change in one leaves the others, the monitor's check is OK in each,
# and the 1.1 job under the old shared name is adopted, not duplicated.

dsn_in() { echo "host=$PGHOST port=$PGPORT dbname=$1 user=$2"; }
job_of() {
    db postgres -c "SELECT jobname || ' ' || schedule || CASE WHEN active THEN ' t' ELSE ' f' END FROM cron.job
                    WHERE database = '$1' AND command ~* 'run_maintenance' ORDER BY jobid"
}

# ================================================================ L2, two databases
if start l2-many postgres; then
    db postgres -c "CREATE DATABASE fitbot2"
    for d in fitbot fitbot2; do
        db "$d" -c "CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman; CREATE EXTENSION fitbot_partman"
    done
    expect "L2 many: setup of fitbot schedules its own job" 0 \
        "schedule +scheduled +pg_cron job [0-9]+ $job@fitbot in database postgres: '0 2 20 \* \*' runs .* in database fitbot" \
        "$companion" --dsn "$(dsn_in fitbot postgres)" setup
    expect "L2 many: setup of fitbot2 schedules another job, and says so from the row" 0 \
        "schedule +scheduled +pg_cron job [0-9]+ $job@fitbot2 in database postgres: '0 2 20 \* \*' runs .* in database fitbot2" \
        "$companion" --dsn "$(dsn_in fitbot2 postgres)" setup
    check "L2 many: fitbot has its job" test "$(job_of fitbot)" = "$job@fitbot 0 2 20 * * t"
    check "L2 many: fitbot2 has its job" test "$(job_of fitbot2)" = "$job@fitbot2 0 2 20 * * t"

    expect "L2 many: a schedule change in fitbot2" 0 "schedule +updated .*'0 3 20 \* \*'" \
        "$companion" --dsn "$(dsn_in fitbot2 postgres)" setup --schedule '0 3 20 * *'
    check "L2 many:   ... changes fitbot2's job" test "$(job_of fitbot2)" = "$job@fitbot2 0 3 20 * * t"
    check "L2 many:   ... and leaves fitbot's" test "$(job_of fitbot)" = "$job@fitbot 0 2 20 * * t"
    expect "L2 many: setup of fitbot2 again, without --schedule, keeps it" 0 "schedule +unchanged .*'0 3 20 \* \*'" \
        "$companion" --dsn "$(dsn_in fitbot2 postgres)" setup
    db postgres -c "SELECT cron.alter_job(jobid, schedule := '0 4 20 * *') FROM cron.job WHERE jobname = '$job@fitbot2'" >/dev/null
    expect "L2 many: setup of fitbot2 without --schedule keeps one changed by hand in postgres" 0 \
        "schedule +unchanged .*'0 4 20 \* \*'" "$companion" --dsn "$(dsn_in fitbot2 postgres)" setup
    check "L2 many:   ... and records it in fitbot2 for health" \
        test "$(db fitbot2 -c "SELECT value FROM fitbot_partman.maintenance_settings WHERE setting = 'job_schedule'")" = "0 4 20 * *"
    check "L2 many:   ... leaving fitbot's" test "$(job_of fitbot)" = "$job@fitbot 0 2 20 * * t"
    for d in fitbot fitbot2; do
        expect "L2 many: the monitor's check of $d is OK" 0 '^FITBOT_PARTMAN OK' \
            "$companion" --dsn "$(dsn_in "$d" monitor)" check
        expect "L2 many: the monitor's preflight of $d agrees, in pg_cron's database" 0 \
            "ok +pg_cron extension +pg_cron is installed in database postgres.*ok +maintenance job +job [0-9]+ $job@$d " \
            bash -c "'$companion' --dsn '$(dsn_in "$d" monitor)' preflight | tr '\n' ' '"
        expect "L2 many: the monitor's agentless preflight of $d agrees" 0 "ok +maintenance job +job [0-9]+ $job@$d " \
            "$companion" --dsn "$(dsn_in "$d" monitor)" --agentless preflight
        expect "L2 many: the monitor's agentless check of $d is OK" 0 '^FITBOT_PARTMAN OK' \
            "$companion" --dsn "$(dsn_in "$d" monitor)" --agentless check
    done

    # 1.1 development builds named every database's job alike: fitbot's
    # job under that name is adopted (renamed, one job), and fitbot2, which
    # lost its job to it, gets its own back.
    db postgres -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname LIKE '$job@%'" >/dev/null
    db postgres -c "SELECT cron.schedule_in_database('$job', '0 2 20 * *', 'CALL partman.run_maintenance_proc()', 'fitbot')" >/dev/null
    expect "L2 many: setup of fitbot2 says it had no job of its own" 0 \
        "schedule +scheduled +pg_cron job [0-9]+ $job@fitbot2 .*had no job of its own: pg_cron job [0-9]+ $job maintains database fitbot" \
        "$companion" --dsn "$(dsn_in fitbot2 postgres)" setup
    expect "L2 many: setup of fitbot adopts the job under the old name" 0 \
        "schedule +updated +pg_cron job [0-9]+ $job@fitbot .*adopted pg_cron job [0-9]+ $job, renamed" \
        "$companion" --dsn "$(dsn_in fitbot postgres)" setup
    check "L2 many:   ... leaving one job for fitbot" test "$(job_of fitbot)" = "$job@fitbot 0 2 20 * * t"
    check "L2 many:   ... and none under the old name" test "$(db postgres -c "SELECT count(*) FROM cron.job WHERE jobname = '$job'")" = 0

    # The extension's schedule_maintenance() where pg_cron lives (postgres)
    # never takes over another database's job under its name.
    db postgres -c "CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman; CREATE EXTENSION fitbot_partman"
    db postgres -c "SELECT cron.schedule_in_database('$job', '0 5 1 * *', 'CALL partman.run_maintenance_proc()', 'fitbot2')" >/dev/null
    expect "L2 many: schedule_maintenance() in postgres refuses to take fitbot2's job (55006)" 1 \
        'ERROR: +55006: pg_cron job [0-9]+ "'"$job"'" of role postgres maintains database "fitbot2"' \
        psql -X -q -At -v ON_ERROR_STOP=1 -d postgres -c '\set VERBOSITY verbose' \
        -c "SELECT fitbot_partman.schedule_maintenance()"
    check "L2 many:   ... which keeps its database" \
        test "$(db postgres -c "SELECT database FROM cron.job WHERE jobname = '$job'")" = fitbot2
    db postgres -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = '$job'" >/dev/null

    db fitbot2 -c "INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm) VALUES (1, now(), 60)"
    expect "L2 many: teardown of fitbot2 removes its job, keeps the history purge fitbot needs" 0 \
        "partitioning +removed.*config-reader +removed.*schedule +unscheduled +pg_cron job\(s\) [0-9]+ $job@fitbot2 .*history +kept .*fitbot \(job [0-9]+\).*job-reader +kept" \
        bash -c "'$companion' --dsn '$(dsn_in fitbot2 postgres)' teardown | tr '\n' ' '"
    check "L2 many:   ... fitbot2 has no job" test -z "$(job_of fitbot2)"
    check "L2 many:   ... and its reading is kept" test "$(db fitbot2 -c "SELECT count(*) FROM public.heart_rate_readings")" = 1
    check "L2 many:   ... fitbot keeps its job" test "$(job_of fitbot)" = "$job@fitbot 0 2 20 * * t"
    expect "L2 many:   ... and the monitor's check of fitbot is still OK" 0 '^FITBOT_PARTMAN OK' \
        "$companion" --dsn "$(dsn_in fitbot monitor)" check
    expect "L2 many: teardown again changes nothing" 0 "schedule +unchanged" \
        bash -c "'$companion' --dsn '$(dsn_in fitbot2 postgres)' teardown | tr '\n' ' '"
    # Another table registered in fitbot still needs the job and the config reader.
    db fitbot -c "CREATE TABLE public.other_readings (at timestamptz NOT NULL) PARTITION BY RANGE (at);
                  SELECT partman.create_parent('public.other_readings', 'at', 'native', 'monthly')" >/dev/null
    expect "L2 many: teardown of fitbot keeps the job and readers another registered table needs" 0 \
        "partitioning +removed.*schedule +kept.*config-reader +kept.*history +kept.*job-reader +kept" \
        bash -c "'$companion' --dsn '$(dsn_in fitbot postgres)' teardown | tr '\n' ' '"
    check "L2 many:   ... fitbot keeps its job" test "$(job_of fitbot)" = "$job@fitbot 0 2 20 * * t"
    db fitbot -c "DELETE FROM partman.part_config WHERE parent_table = 'public.other_readings'"
    expect "L2 many: teardown of fitbot, the last, removes the history purge and the job reader" 0 \
        "schedule +unscheduled.*history +unscheduled.*job-reader +removed" \
        bash -c "'$companion' --dsn '$(dsn_in fitbot postgres)' teardown | tr '\n' ' '"
    check "L2 many:   ... leaving no job of ours" \
        test "$(db postgres -c "SELECT count(*) FROM cron.job WHERE jobname LIKE 'run_pg_partman%' OR jobname LIKE 'fitbot_partman%'")" = 0
fi

# ================================================================ L3, three databases, two administrators
if start l3-many postgres; then
    db postgres -c "CREATE DATABASE fitbot2"
    db postgres -c "CREATE DATABASE fitbot3"
    db postgres -c "CREATE ROLE admin1 LOGIN IN ROLE pg_monitor; CREATE ROLE admin2 LOGIN IN ROLE pg_monitor;
                    ALTER DATABASE fitbot OWNER TO admin1; ALTER DATABASE fitbot2 OWNER TO admin1;
                    ALTER DATABASE fitbot3 OWNER TO admin2"
    for a in admin1 admin2; do
        db postgres -c "GRANT USAGE ON SCHEMA cron TO $a; GRANT CREATE ON DATABASE postgres TO $a;
                        GRANT EXECUTE ON FUNCTION cron.schedule_in_database(text, text, text, text, text, boolean) TO $a;
                        GRANT EXECUTE ON FUNCTION cron.alter_job(bigint, text, text, text, text, boolean) TO $a"
    done
    for d in fitbot:admin1 fitbot2:admin1 fitbot3:admin2; do
        db "${d%%:*}" -c "CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman;
                          GRANT ALL ON SCHEMA partman TO ${d#*:}; GRANT ALL ON ALL TABLES IN SCHEMA partman TO ${d#*:};
                          GRANT ALL ON ALL SEQUENCES IN SCHEMA partman TO ${d#*:};
                          GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA partman TO ${d#*:};
                          GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA partman TO ${d#*:}"
        expect "L3 many: ${d#*:} sets up ${d%%:*}" 0 \
            "schedule +scheduled +pg_cron job [0-9]+ $job@${d%%:*} in database postgres: '0 2 20 \* \*' .* in database ${d%%:*}" \
            "$companion" --dsn "$(dsn_in "${d%%:*}" "${d#*:}")" setup
    done
    check "L3 many: three jobs, each its database's, of its administrator" \
        test "$(db postgres -c "SELECT string_agg(jobname || ' ' || database || ' ' || username, ',' ORDER BY jobname)
                               FROM cron.job WHERE command ~* 'run_maintenance'")" = \
             "$job@fitbot fitbot admin1,$job@fitbot2 fitbot2 admin1,$job@fitbot3 fitbot3 admin2"
    check "L3 many: one job reader per administrator" \
        test "$(db postgres -c "SELECT string_agg(nspname || ' ' || pg_get_userbyid(nspowner), ',' ORDER BY nspname)
                               FROM pg_namespace WHERE nspname LIKE 'fitbot_partman_cron%'")" = \
             "fitbot_partman_cron admin1,fitbot_partman_cron_admin2 admin2"
    through_reader=$(as monitor postgres -c "SELECT * FROM fitbot_partman_cron_admin2.maintenance_jobs('fitbot3')")
    check "L3 many: the monitor reads admin2's job through admin2's reader" grep -q "$job@fitbot3" <<<"$through_reader"
    check "L3 many:   ... but never its command text" bash -c "! grep -q 'run_maintenance(' <<<\"\$1\"" _ "$through_reader"
    expect "L3 many: a schedule change in fitbot3" 0 "schedule +updated .*'0 3 20 \* \*'" \
        "$companion" --dsn "$(dsn_in fitbot3 admin2)" setup --schedule '0 3 20 * *'
    check "L3 many:   ... leaves the others" \
        test "$(job_of fitbot) $(job_of fitbot2) $(job_of fitbot3)" = \
             "$job@fitbot 0 2 20 * * t $job@fitbot2 0 2 20 * * t $job@fitbot3 0 3 20 * * t"
    for d in fitbot fitbot2 fitbot3; do
        expect "L3 many: the monitor's check of $d is OK" 0 '^FITBOT_PARTMAN OK' \
            "$companion" --dsn "$(dsn_in "$d" monitor)" check
        expect "L3 many: the monitor's preflight of $d agrees" 0 "ok +maintenance job +job [0-9]+ $job@$d '0 [23] 20 \* \*' active" \
            "$companion" --dsn "$(dsn_in "$d" monitor)" preflight
    done

    # Agentless setup schedules no history purge: teardown has none to remove.
    expect "L3 many: admin1's teardown of fitbot2 keeps its reader for fitbot" 0 \
        "schedule +unscheduled .*$job@fitbot2.*history +unchanged.*job-reader +kept" \
        bash -c "'$companion' --dsn '$(dsn_in fitbot2 admin1)' teardown | tr '\n' ' '"
    expect "L3 many: admin2's teardown of fitbot3 removes its job and its reader" 0 \
        "schedule +unscheduled .*$job@fitbot3.*history +unchanged.*job-reader +removed +fitbot_partman_cron_admin2" \
        bash -c "'$companion' --dsn '$(dsn_in fitbot3 admin2)' teardown | tr '\n' ' '"
    check "L3 many:   ... leaving fitbot's job and admin1's reader" \
        test "$(job_of fitbot) $(db postgres -c "SELECT string_agg(nspname, ',') FROM pg_namespace WHERE nspname LIKE 'fitbot_partman_cron%'")" = \
             "$job@fitbot 0 2 20 * * t fitbot_partman_cron"
    expect "L3 many:   ... and the monitor's check of fitbot OK" 0 '^FITBOT_PARTMAN OK' \
        "$companion" --dsn "$(dsn_in fitbot monitor)" check
fi
