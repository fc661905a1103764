#!/usr/bin/env bash
# pg_regress suites (test/sql, test/expected) and isolation specs (test/isolation/)
# against a throwaway PostgreSQL 15 with pg_cron preloaded. Expects the
# extension to be installed (make install).
set -u
cd "$(dirname "$0")/.."
source test/lib/cluster.sh
source test/lib/suite.sh

PGXS_DIR=$(dirname "$(pg_config --pgxs)")/..
work=$(mktemp -d /tmp/fitbot-regress.XXXXXX)
chmod 755 "$work"  # the postgres user runs the server inside
trap 'cluster_stop "$work/pg"; rm -rf "$work"' EXIT
cluster_start "$work/pg" fitbot_regress || { not_ok "start PostgreSQL"; suite_result; exit 1; }
echo "# server clock: $("$PG_BIN/psql" -X -At -d fitbot_regress -c "SELECT now() || ' (' || current_setting('TimeZone') || ')'")"
mkdir -p build/regress build/isolation
chmod 777 build/regress build/isolation

# pg_regress prints "test ... ok" / "... FAILED" per test; count both.
count_results() {
    local log=$1 name=$2
    while IFS= read -r line; do
        case "$line" in
            *"... ok"*|*"... ignored"*) ok "$name: $(echo "$line" | sed 's/ *\.\.\..*//; s/^[ +]*//; s/^test //')" ;;
            *"... FAILED"*|*"... failed"*) not_ok "$name: $(echo "$line" | sed 's/ *\.\.\..*//; s/^[ +]*//; s/^test //')" ;;
        esac
    done <"$log"
}

run_suite() {
    local name=$1 runner=$2 inputdir=$3 outputdir=$4; shift 4
    local log="$outputdir/run.log"
    "$runner" --use-existing --dbname=fitbot_regress --host="$PGHOST" --port="$PGPORT" --user=postgres \
        --inputdir="$inputdir" --outputdir="$outputdir" --bindir="$PG_CLIENT_BIN" "$@" >"$log" 2>&1
    local status=$?
    cat "$log"
    count_results "$log" "$name"
    if [ $status -ne 0 ] && ! grep -q '\.\.\. FAILED\|\.\.\. failed' "$log"; then not_ok "$name: runner exited $status"; fi
    if [ -s "$outputdir/regression.diffs" ]; then
        echo "---- $outputdir/regression.diffs ----"
        head -200 "$outputdir/regression.diffs"
    fi
}

run_suite regress "$PGXS_DIR/test/regress/pg_regress" test build/regress $(cat test/SCHEDULE)
# Specs that wait for lock_timeout to fire: libfaketime keeps PostgreSQL's
# timers from firing on a moved clock (test/dated), so they run on the real
# clock only, where a date changes nothing they check.
needs_timers=(adopt_locks)
specs=()
for spec in $(cat test/isolation/SCHEDULE); do
    if [ -n "${FITBOT_TEST_CLOCK:-}" ] && [[ " ${needs_timers[*]} " == *" $spec "* ]]; then
        echo "# isolation: $spec left out on a moved clock (it waits for lock_timeout)"
        continue
    fi
    specs+=("$spec")
done
if [ ${#specs[@]} -gt 0 ]; then
    run_suite isolation "$PGXS_DIR/test/isolation/pg_isolation_regress" test/isolation build/isolation "${specs[@]}"
fi
suite_result
