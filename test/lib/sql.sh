# psql helpers for suite scripts, against the cluster cluster_start exported
# (PGHOST, PGPORT, PGUSER).

# sql ARGS...: psql, unaligned tuples only, stopping at the first error.
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# wait_until SECONDS SQL: polls until the query answers t.
wait_until() {
    local deadline=$((SECONDS + $1))
    while [ "$SECONDS" -lt "$deadline" ]; do
        [ "$(sql -c "$2" 2>/dev/null)" = t ] && return 0
        sleep 0.2
    done
    return 1
}
