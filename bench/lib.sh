# Sourced by the benchmarks, from the repository's root: a throwaway cluster
# per run, gone when the benchmark exits.
source test/lib/cluster.sh

sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# bench_cluster NAME [AT_EXIT]: $work, a new directory the postgres user can
# enter, and a cluster in $work/pg (database fitbot; the PG* variables point
# at it). At exit, AT_EXIT (shell code) runs, then the cluster stops and
# $work is removed.
bench_cluster() {
    work=$(mktemp -d "/tmp/fitbot-bench-$1.XXXXXX")
    chmod 755 "$work"
    bench_at_exit=${2:-:}
    trap 'eval "$bench_at_exit"; cluster_stop "$work/pg"; rm -rf "$work"' EXIT
    cluster_start "$work/pg" fitbot >/dev/null
}

# bench_setup: fitbot_partman created and set up in database fitbot, as a
# user would (CREATE EXTENSION ... CASCADE, then setup()).
bench_setup() {
    sql -c "SET client_min_messages = warning; CREATE EXTENSION fitbot_partman CASCADE;" \
        -c "SET client_min_messages = warning; SELECT count(*) FROM fitbot_partman.setup();" >/dev/null
}
