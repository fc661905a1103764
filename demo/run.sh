#!/usr/bin/env bash
# The demo: a throwaway PostgreSQL 15 in ./demo/cluster with pg_partman and
# pg_cron, the extension set up, a few days of sample heart-rate readings,
# the partitions and the health report.
#   demo/run.sh          run and stop the cluster afterwards
#   demo/run.sh --keep   leave it running (the script prints how to connect)
#   demo/run.sh --installed   use what is installed (e.g. the Debian packages),
#                        build nothing; the companion is $FITBOT_PARTMAN or
#                        fitbot-partman from PATH
set -euo pipefail
cd "$(dirname "$0")/.."
keep=false
installed=false
for arg in "$@"; do
    case "$arg" in
        --keep) keep=true ;;
        --installed) installed=true ;;
        *) echo "usage: demo/run.sh [--keep] [--installed]" >&2; exit 2 ;;
    esac
done

companion=build/fitbot-partman
if $installed; then
    companion=${FITBOT_PARTMAN:-fitbot-partman}
else
    test/install-deps.sh
    make -j2 >/dev/null
    make install >/dev/null
    make -j2 companion >/dev/null
fi
source test/lib/cluster.sh

cluster_dir=$PWD/demo/cluster
cluster_stop "$cluster_dir" 2>/dev/null || true
rm -rf "$cluster_dir"
cluster_start "$cluster_dir" fitbot
$keep || trap 'cluster_stop "$cluster_dir"; rm -rf "$cluster_dir"' EXIT

run() { echo; echo "fitbot=# $1"; psql -X -q -v ON_ERROR_STOP=1 -c "$1"; }

run "CREATE EXTENSION fitbot_partman CASCADE;"
run "SELECT * FROM fitbot_partman.setup();"
run "INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm)
     SELECT user_id, ts, (60 + 25 * random())::int
     FROM generate_series(1, 3) AS user_id,
          generate_series(now() - interval '3 days', now(), interval '5 minutes') AS ts
     ON CONFLICT (user_id, measured_at) DO NOTHING;"
run "ANALYZE public.heart_rate_readings;"
run "SELECT partition_name, range_start, range_end, state, estimated_rows
     FROM fitbot_partman.partitions('public.heart_rate_readings');"
run "SELECT parent, partitions, future_partitions, runway_until, default_rows, status, reasons
     FROM fitbot_partman.partition_health();"
run "SELECT jobname, schedule, next_run, status FROM fitbot_partman.maintenance_status();"
run "SELECT * FROM fitbot_partman.check();"
echo
echo "fitbot-partman status:"
"$companion" status || true

if $keep; then
    echo
    echo "The cluster keeps running. Connect with:  psql -h $PGHOST -p $PGPORT -U postgres fitbot"
    echo "Stop it with:  runuser -u postgres -- $PG_BIN/pg_ctl -D $cluster_dir/data stop"
fi
