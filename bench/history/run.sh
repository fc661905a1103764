#!/usr/bin/env bash
# Benchmark: maintenance_status() and metrics() with a large pg_cron history.
#
# pg_cron never purges cron.job_run_details, and it has no index but its
# primary key on runid, so reading "the last runs of the maintenance job"
# walks back through every newer row of every other job. A job that runs
# fitbot_partman.run_maintenance() (the default since 1.1) has its runs read
# from the maintenance ledger instead. Both commands are measured in this run,
# on the same database, with HISTORY_ROWS rows of another job's history (an
# every-minute job's ten years) newer than the maintenance job's own runs.
# Needs the extension installed (make install); run as root or postgres.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
RUNS=${RUNS:-30}
HISTORY_ROWS=${HISTORY_ROWS:-5000000}

bench_cluster history
bench_setup
sql -f bench/health/baselines.sql >/dev/null

# Twelve monthly runs of the maintenance job, by pg_cron and in the ledger.
sql <<'SQL'
SELECT cron.schedule('busy_other_job', '* * * * *', 'SELECT 1') \g /dev/null
SELECT cron.alter_job(jobid, active := false) FROM cron.job WHERE jobname = 'busy_other_job' \g /dev/null
CALL fitbot_partman.run_maintenance(run_trigger => 'pg_cron');
INSERT INTO cron.job_run_details (jobid, runid, job_pid, database, username, command, status, return_message, start_time, end_time)
SELECT j.jobid, m, 1000 + m, j.database, j.username, j.command, 'succeeded', 'DO',
       now() - make_interval(months => 13 - m), now() - make_interval(months => 13 - m) + interval '2 seconds'
FROM cron.job j, generate_series(1, 12) m WHERE j.jobname = 'run_pg_partman_maintenance_monthly';
SQL
echo "filling cron.job_run_details with $HISTORY_ROWS rows of another job's history ..." >&2
sql -c "INSERT INTO cron.job_run_details (jobid, runid, job_pid, database, username, command, status, return_message, start_time, end_time)
        SELECT j.jobid, 100 + g, 4242, j.database, j.username, j.command, 'succeeded', '1 row',
               now() - interval '1 minute' * ($HISTORY_ROWS - g), now() - interval '1 minute' * ($HISTORY_ROWS - g)
        FROM cron.job j, generate_series(1, $HISTORY_ROWS) g WHERE j.jobname = 'busy_other_job'" \
    -c "VACUUM ANALYZE cron.job_run_details"

measure() {  # measure STATEMENT -> "median p95"
    sql -c "SELECT median_ms || ' ' || p95_ms FROM bench_time(\$\$$1\$\$, $RUNS)"
}
set_command() {  # set_command driver|pg_partman: the maintenance job's command, as setup() writes it
    sql -c "INSERT INTO fitbot_partman.maintenance_settings VALUES ('job_command', '$1')
              ON CONFLICT (setting) DO UPDATE SET value = excluded.value" \
        -c "SELECT count(*) FROM fitbot_partman.setup()" >/dev/null
}

set_command pg_partman
read -r plain_status_median plain_status_p95 <<<"$(measure 'SELECT count(*) FROM fitbot_partman.maintenance_status()')"
read -r plain_metrics_median plain_metrics_p95 <<<"$(measure 'SELECT length(fitbot_partman.metrics())')"
set_command driver
read -r driver_status_median driver_status_p95 <<<"$(measure 'SELECT count(*) FROM fitbot_partman.maintenance_status()')"
read -r driver_metrics_median driver_metrics_p95 <<<"$(measure 'SELECT length(fitbot_partman.metrics())')"

echo "## $(sql -c "SELECT count(*) FROM cron.job_run_details") rows in cron.job_run_details, $RUNS runs each"
printf '| %-58s | %10s | %10s |\n' "function (maintenance job's command)" median_ms p95_ms
printf '|%s|%s|%s|\n' ------------------------------------------------------------ ------------ ------------
printf '| %-58s | %10s | %10s |\n' "maintenance_status() (CALL partman.run_maintenance_proc())" "$plain_status_median" "$plain_status_p95"
printf '| %-58s | %10s | %10s |\n' "metrics() (CALL partman.run_maintenance_proc())" "$plain_metrics_median" "$plain_metrics_p95"
printf '| %-58s | %10s | %10s |\n' "maintenance_status() (fitbot_partman.run_maintenance())" "$driver_status_median" "$driver_status_p95"
printf '| %-58s | %10s | %10s |\n' "metrics() (fitbot_partman.run_maintenance())" "$driver_metrics_median" "$driver_metrics_p95"
echo
echo "target: with the driver, maintenance_status() and metrics() under 5 ms, whatever the size of cron.job_run_details"
