# Throwaway PostgreSQL 15 clusters for tests and the demo.
#
# Source this file, then:
#   cluster_start DIR [DBNAME]   initdb (as postgres) + start with pg_cron preloaded,
#                                cron.database_name = DBNAME; exports PGHOST/PGPORT/PGUSER
#   cluster_stop DIR             fast shutdown
#   cluster_restart DIR          stop + start with the same config
# Servers listen on 127.0.0.1 and a Unix socket inside DIR only.
#
# Time is an input. Two variables move the server's clock and zone (and only
# the server's: clients keep the real clock, as they would on another host):
#   FITBOT_TEST_ZONE=Asia/Seoul        the server's TimeZone and log_timezone
#   FITBOT_TEST_CLOCK='@2027-02-19 23:50:00'
#                                      the server's clock starts at that local
#                                      time (in FITBOT_TEST_ZONE) and ticks on
#   FITBOT_TEST_CLOCK=file             the clock follows DIR/faketime, which
#                                      clock_set rewrites (the simulated year)
# Both through Debian's libfaketime, preloaded into postgres and pg_ctl alone
# (pg_ctl -w refuses a server whose start time precedes its own).
#
# PG_BIN: the server's initdb, pg_ctl and postgres (default Debian's 15).
# PG_CLIENT_BIN: psql and createdb, which talk to any server version (the npm
# server binaries of test/versions ship none).
# CLUSTER_CRON=0: a server without pg_cron (those binaries cannot load it).

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_CLIENT_BIN=${PG_CLIENT_BIN:-/usr/lib/postgresql/15/bin}
CLUSTER_CRON=${CLUSTER_CRON:-1}

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    local port
    for port in $(shuf -i 20000-29999 -n 50); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
    done
    return 1
}

cluster_start() {
    local dir=$1 dbname=${2:-fitbot} port
    port=$(free_port) || { echo "no free port" >&2; return 1; }
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    chmod 700 "$dir"
    as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; return 1; }
    cat >>"$dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_worker_processes = 16
max_locks_per_transaction = 256
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
log_line_prefix = '%m [%p] %d '
CONF
    if [ "$CLUSTER_CRON" = 1 ]; then
        cat >>"$dir/data/postgresql.conf" <<CONF
shared_preload_libraries = 'pg_cron'
cron.database_name = '$dbname'
cron.host = '$dir'
CONF
    fi
    echo "$dbname" >"$dir/dbname"
    clock_configure "$dir"
    cluster_launch "$dir" || return 1
    if [ "$dbname" != postgres ]; then
        as_postgres "$PG_CLIENT_BIN/createdb" -h "$dir" -p "$port" -U postgres "$dbname" || return 1
    fi
    [ "$CLUSTER_CRON" = 1 ] || return 0
    cron_launcher_wait "$dir"
}

# pg_cron's launcher connects to cron.database_name at server start; when that
# database is created afterwards (as here) it retries a moment later. Health
# reports a missing launcher as critical, so wait for it.
cron_launcher_wait() {
    local dir=$1 tries
    for tries in $(seq 1 100); do
        [ "$("$PG_CLIENT_BIN/psql" -X -At -h "$dir" -p "$PGPORT" -U postgres -d postgres \
              -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher'" 2>/dev/null)" = 1 ] && return 0
        sleep 0.1
    done
    echo "cluster: pg_cron's launcher did not start in 10 s" >&2
    return 0
}

FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1

# Writes DIR/clock.env (the environment pg_ctl and the server start with) from
# FITBOT_TEST_ZONE and FITBOT_TEST_CLOCK, and the zone into the server's
# configuration, so that cluster_restart keeps both.
clock_configure() {
    local dir=$1 zone=${FITBOT_TEST_ZONE:-} clock=${FITBOT_TEST_CLOCK:-}
    : >"$dir/clock.env"
    if [ -n "$zone" ]; then
        printf "timezone = '%s'\nlog_timezone = '%s'\n" "$zone" "$zone" >>"$dir/data/postgresql.conf"
        echo "TZ=$zone" >>"$dir/clock.env"
    fi
    [ -n "$clock" ] || return 0
    [ -f "$FAKETIME_LIB" ] || { echo "cluster: libfaketime is missing (apt-get install faketime)" >&2; return 1; }
    {
        echo "LD_PRELOAD=$FAKETIME_LIB"
        echo "FAKETIME_ONLY_CMDS=postgres,pg_ctl"
        # Timeouts (lock_timeout, statement_timeout, latches) keep real time.
        echo "FAKETIME_DONT_FAKE_MONOTONIC=1"
        if [ "$clock" = file ]; then
            echo "FAKETIME_TIMESTAMP_FILE=$dir/faketime"
            echo "FAKETIME_NO_CACHE=1"
        else
            echo "FAKETIME=$clock"
        fi
    } >>"$dir/clock.env"
    if [ "$clock" = file ] && [ ! -f "$dir/faketime" ]; then echo "+0" >"$dir/faketime"; fi
    if [ "$clock" = file ]; then chown postgres: "$dir/faketime" 2>/dev/null; chmod 644 "$dir/faketime"; fi
    return 0
}

# clock_set DIR 'YYYY-MM-DD hh:mm:ss' [ZONE]: with FITBOT_TEST_CLOCK=file, moves
# the running server's clock to that local time (default zone: the server's).
# The file holds an offset from the real clock, so the faked clock ticks on at
# the real pace from there, in every process, whenever it started.
clock_set() {
    local dir=$1 when=$2 zone=${3:-${FITBOT_TEST_ZONE:-UTC}} target real
    target=$(TZ=$zone date -d "$when" +%s) || return 1
    real=$(date +%s)
    printf '%+d\n' "$((target - real))" >"$dir/faketime.new" && mv "$dir/faketime.new" "$dir/faketime"
    chmod 644 "$dir/faketime"
}

cluster_launch() {
    local dir=$1 clock_env=()
    [ -f "$dir/clock.env" ] && mapfile -t clock_env <"$dir/clock.env"
    as_postgres env "${clock_env[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
        || { tail -20 "$dir/server.log" >&2; return 1; }
    export PGHOST=$dir PGUSER=postgres
    PGPORT=$(sed -n 's/^port = //p' "$dir/data/postgresql.conf" | tail -1)
    export PGPORT PGDATABASE
    PGDATABASE=$(cat "$dir/dbname")
}

cluster_stop() {
    local dir=$1
    [ -d "$dir/data" ] && as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
    return 0
}

# cluster_workdir NAME: a fresh work directory for a suite, in $work, removed
# at exit once the processes listed in $background are killed and every
# cluster started directly below it is stopped.
cluster_workdir() {
    work=$(mktemp -d "/tmp/fitbot-$1.XXXXXX")
    chmod 755 "$work"  # the postgres user runs the servers inside
    background=()
    trap cluster_workdir_cleanup EXIT
}
cluster_workdir_cleanup() {
    local pid dir
    for pid in "${background[@]}"; do kill "$pid" 2>/dev/null; done
    for dir in "$work"/*/; do cluster_stop "${dir%/}"; done
    rm -rf "$work"
}

cluster_restart() {
    cluster_stop "$1" && cluster_launch "$1"
}
