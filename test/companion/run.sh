#!/usr/bin/env bash
# The companion as a service people install and run (issue 11), against a
# real PostgreSQL: command-line conventions (options before or after the
# command, usage errors exit 3 for `check`, 2 otherwise, --help examples,
# --version), passwords masked in every form libpq accepts and gone from
# /proc/PID/cmdline once `serve` runs, timeouts (a silent TCP listener gives
# UNKNOWN within --timeout, statement_timeout on every query), the exporter's
# sockets (a taken port is refused with the reason, no SO_REUSEPORT, IPv6 and
# several addresses), scrapes answered beside 200 idle and 20 slow clients,
# SIGTERM within a second while a refresh is stuck, the first scrape, server
# errors that keep their DETAIL/HINT lines, and "nothing configured is not
# critical" in both modes; numbers read strictly, fields equal to the password
# left readable, runs by hand told apart (issue 19).
set -u
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh
source test/lib/suite.sh
source test/lib/sql.sh

companion=${COMPANION:-build/fitbot-partman}
work=$(mktemp -d /tmp/fitbot-companion.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
    wait 2>/dev/null
    cluster_stop "$work/pg"
    [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# silent_listener FILE: a TCP listener on loopback that accepts and never
# answers; writes its port to FILE, echoes its pid.
silent_listener() {
    python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
held = []
while True:
    conn, _ = s.accept(); held.append(conn)
' "$1" >/dev/null 2>&1 &
    echo $!
}
wait_file() { for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
# wait_listening PORT: until something accepts on 127.0.0.1:PORT.
wait_listening() {
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
    return 1
}

cluster_start "$work/pg" fitbot >/dev/null || { not_ok "start PostgreSQL"; suite_result; exit 1; }
sql -c "SET client_min_messages = warning; CREATE EXTENSION fitbot_partman CASCADE; CREATE EXTENSION pg_cron;" >/dev/null
base="host=$PGHOST port=$PGPORT dbname=fitbot user=postgres"
$companion --dsn "$base" setup >/dev/null 2>&1
check "setup through the companion (extension mode)" \
    test "$(sql -c "SELECT count(*) FROM cron.job WHERE jobname = 'run_pg_partman_maintenance_monthly'")" = 1
# A run by hand before any scheduled one (issue 19): status said "last run
# succeeded" and "has no recorded run yet" together.
"$companion" --dsn "$base" maintain >"$work/maintain.txt" 2>&1; code=$?
"$companion" --dsn "$base" status >"$work/status.txt" 2>&1
cat "$work/maintain.txt" "$work/status.txt"
check "after a run by hand (maintain exit $code), status marks it and does not say 'no recorded run yet'" \
    bash -c "[ $code -eq 0 ] && grep -q 'last run succeeded at .* (by hand)' '$work/status.txt' &&
             grep -q 'has run only by hand' '$work/status.txt' && ! grep -q 'no recorded run yet' '$work/status.txt'"

# ---------------------------------------------------------------- command line
# usage_case EXPECTED_CODE ARGS...: a usage error exits EXPECTED_CODE at once.
usage_case() {
    local expected=$1; shift
    "$companion" "$@" >"$work/usage.out" 2>"$work/usage.err"
    local code=$?
    if [ "$code" -eq "$expected" ]; then
        ok "usage: fitbot-partman $* exits $expected"
    else
        not_ok "usage: fitbot-partman $* exits $code, expected $expected"; cat "$work/usage.out" "$work/usage.err"
    fi
}
usage_case 3 check --bogus
usage_case 3 check --timeout 0
usage_case 3 check --timeout soon
usage_case 3 check unexpected-argument
usage_case 3 --bogus check
usage_case 3 check --dsn
usage_case 3 check --connect-timeout 1
usage_case 2 chekc
usage_case 2
usage_case 2 serve --port 0
usage_case 2 serve --listen 127.0.0.1:99999
usage_case 2 serve --listen '[::1'
usage_case 2 status --bogus
usage_case 2 maintain --timeout 0
# Numbers are read strictly (issue 19): NaN passed CLI11's range check and
# reached a cast to int.
for bad in nan inf -inf -1 1e400 0x10 '' ' 5'; do
    usage_case 2 --statement-timeout "$bad" status
done
usage_case 3 check --timeout nan
usage_case 3 check --statement-timeout nan
usage_case 2 maintain --timeout nan
usage_case 2 serve --interval 1e3
usage_case 2 --connect-timeout 99999999999999999999 status
"$companion" --statement-timeout nan status >"$work/usage.out" 2>&1
check "a refused number names the option, the value and what it takes" \
    grep -q -- "--statement-timeout: 'nan' is not a number of seconds from 0.001 to 86400" "$work/usage.out"
FITBOT_PARTMAN_INTERVAL=nan "$companion" serve >"$work/usage.out" 2>&1; code=$?
check "FITBOT_PARTMAN_INTERVAL=nan is refused too (exit $code)" \
    bash -c "[ $code -eq 2 ] && grep -q -- '--interval: .nan. is not a whole number' '$work/usage.out'"
"$companion" check --bogus >"$work/usage.out" 2>&1
check "a usage error of check is one UNKNOWN status line first" \
    bash -c "head -1 '$work/usage.out' | grep -q '^FITBOT_PARTMAN UNKNOWN - usage: .*--bogus'"

"$companion" --help >"$work/help.txt"; code=$?
check "--help exits 0 and shows examples and exit codes" \
    bash -c "[ $code -eq 0 ] && grep -q '^Examples:' '$work/help.txt' && grep -q 'PGPASSFILE' '$work/help.txt' && grep -q '3 UNKNOWN' '$work/help.txt'"
for command in check serve status maintain setup; do
    "$companion" $command --help >"$work/help.txt" 2>&1; code=$?
    check "$command --help exits 0 and shows examples" bash -c "[ $code -eq 0 ] && grep -q '^Examples:' '$work/help.txt'"
done

"$companion" --version >"$work/version.txt"; code=$?
control_version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" fitbot_partman.control)
check "--version exits 0 with the companion's version" bash -c "[ $code -eq 0 ] && grep -qE '^fitbot-partman [0-9]+\.[0-9]+' '$work/version.txt'"
check "--version names the extension version of fitbot_partman.control ($control_version)" \
    grep -q "^fitbot_partman extension $control_version " "$work/version.txt"
"$companion" --version --dsn "$base" >"$work/version.txt" 2>&1
check "--version with --dsn also says what the database has installed" \
    grep -q ": fitbot_partman $(sql -c "SELECT extversion FROM pg_extension WHERE extname = 'fitbot_partman'")\$" "$work/version.txt"

"$companion" check --dsn "$base" >"$work/after.txt" 2>&1; after=$?
"$companion" --dsn "$base" check >"$work/before.txt" 2>&1; before=$?
check "options after the command work as before it (check --dsn X, exit $after)" \
    bash -c "[ $after -eq $before ] && [ $after -le 2 ] && cmp -s <(cut -d'|' -f1 '$work/after.txt') <(cut -d'|' -f1 '$work/before.txt')"
check "status --agentless --json --dsn X (global options after the command)" \
    bash -c "'$companion' status --agentless --json --dsn '$base' | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[\"mode\"] == \"agentless\" else 1)'"
check "FITBOT_PARTMAN_DSN is read when --dsn is absent" \
    bash -c "FITBOT_PARTMAN_DSN='$base' PGHOST=/nonexistent '$companion' check >/dev/null; [ \$? -le 2 ]"

# ---------------------------------------------------------------- errors name the cause and the fix
sql -c "CREATE DATABASE nopartman" >/dev/null
"$companion" --dsn "host=$PGHOST port=$PGPORT dbname=nopartman user=postgres" --agentless setup >"$work/err.txt" 2>&1
code=$?
cat "$work/err.txt"
check "agentless setup without pg_partman: exit 1, says so, and how to fix it" \
    bash -c "[ $code -eq 1 ] && grep -q 'pg_partman is not installed in database nopartman' '$work/err.txt' && grep -q '^hint: .*CREATE EXTENSION pg_partman' '$work/err.txt' && ! grep -q 'Row number' '$work/err.txt'"
# A server error with DETAIL/HINT keeps them, one per line: a readings table
# that is not partitioned makes the extension's setup() refuse with a hint.
sql -d nopartman -c "SET client_min_messages = warning; CREATE EXTENSION fitbot_partman CASCADE; CREATE TABLE public.heart_rate_readings (id int);" >/dev/null
"$companion" --dsn "host=$PGHOST port=$PGPORT dbname=nopartman user=postgres" setup >"$work/err.txt" 2>&1
code=$?
cat "$work/err.txt"
check "a server error keeps its lines: the message first, then its HINT line" \
    bash -c "[ $code -eq 1 ] && [ \$(wc -l <'$work/err.txt') -ge 2 ] && head -1 '$work/err.txt' | grep -q '^fitbot-partman setup: ERROR: ' && grep -q '^HINT: ' '$work/err.txt'"
"$companion" --dsn "host=127.0.0.1 port=1 dbname=fitbot" status >"$work/err.txt" 2>&1
check "connection refused: the cause and a hint line" \
    bash -c "grep -q 'Connection refused' '$work/err.txt' && grep -q '^hint: is PostgreSQL running there' '$work/err.txt'"

# ---------------------------------------------------------------- timeouts
silent_pid=$(silent_listener "$work/silent.port"); pids+=("$silent_pid")
wait_file "$work/silent.port"; silent_port=$(cat "$work/silent.port")
started=$(now_ms)
"$companion" check --timeout 3 --dsn "host=127.0.0.1 port=$silent_port dbname=x connect_timeout=60" >"$work/silent.txt" 2>&1
code=$?; took=$(( $(now_ms) - started ))
cat "$work/silent.txt"
check "silent TCP listener: check --timeout 3 says UNKNOWN (exit $code) in ${took} ms, even with connect_timeout=60" \
    bash -c "[ $code -eq 3 ] && [ $took -lt 3800 ] && head -1 '$work/silent.txt' | grep -q '^FITBOT_PARTMAN UNKNOWN - no answer from the database within 3 s'"
started=$(now_ms)
"$companion" status --dsn "host=127.0.0.1 port=$silent_port dbname=x" >"$work/silent.txt" 2>&1
code=$?; took=$(( $(now_ms) - started ))
check "silent TCP listener: the default connect_timeout (5 s) ends status in ${took} ms, exit $code, naming it" \
    bash -c "[ $code -eq 1 ] && [ $took -ge 4000 ] && [ $took -lt 7500 ] && grep -q 'timeout expired' '$work/silent.txt' && grep -q '^hint: .*connect_timeout' '$work/silent.txt'"
started=$(now_ms)
"$companion" check --dsn "host=127.0.0.1 port=$silent_port dbname=x" >/dev/null 2>&1
code=$?; took=$(( $(now_ms) - started ))
check "silent TCP listener: check with the default --timeout (10 s) is UNKNOWN in ${took} ms" \
    bash -c "[ $code -eq 3 ] && [ $took -lt 10800 ]"

# statement_timeout: agentless reads pg_partman's part_config; a session
# holding ACCESS EXCLUSIVE on it makes that read wait, until the timeout.
PGAPPNAME=locker psql -X -q -c "BEGIN; LOCK TABLE public.part_config IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(30);" >/dev/null 2>&1 &
locker=$!; pids+=("$locker")
for _ in $(seq 50); do
    [ "$(sql -c "SELECT count(*) FROM pg_locks WHERE relation = 'public.part_config'::regclass AND mode = 'AccessExclusiveLock' AND granted")" = 1 ] && break
    sleep 0.1
done
started=$(now_ms)
"$companion" --agentless --statement-timeout 1 check --dsn "$base" >"$work/stmt.txt" 2>&1
code=$?; took=$(( $(now_ms) - started ))
cat "$work/stmt.txt"
check "statement_timeout on the companion's queries: a query waiting on a lock is cancelled (UNKNOWN in ${took} ms)" \
    bash -c "[ $code -eq 3 ] && [ $took -lt 3000 ] && grep -q 'statement timeout' '$work/stmt.txt'"
started=$(now_ms)
"$companion" --agentless check --timeout 2 --dsn "$base" >"$work/stmt.txt" 2>&1
code=$?; took=$(( $(now_ms) - started ))
check "check --timeout 2 bounds the statement timeout too (UNKNOWN in ${took} ms)" \
    bash -c "[ $code -eq 3 ] && [ $took -lt 2800 ]"
sql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'locker'" >/dev/null
wait "$locker" 2>/dev/null

# ---------------------------------------------------------------- sockets
port=$(free_port)
"$companion" serve --dsn "$base" --listen "127.0.0.1:$port" --interval 1 >"$work/serve1.log" 2>&1 &
serve1=$!; pids+=("$serve1")
wait_listening "$port"
started=$(now_ms)
curl -s -m 10 "http://127.0.0.1:$port/metrics" >"$work/first.txt"
took=$(( $(now_ms) - started ))
check "the first scrape after a start answers with data: fitbot_partman_up 1, never 0 (${took} ms)" \
    bash -c "grep -qx 'fitbot_partman_up 1' '$work/first.txt' && grep -q '^fitbot_partman_status ' '$work/first.txt'"
"$companion" serve --dsn "$base" --listen "127.0.0.1:$port" >"$work/serve2.log" 2>&1 &
serve2=$!; pids+=("$serve2")
for _ in $(seq 50); do kill -0 "$serve2" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$serve2" 2>/dev/null; then
    not_ok "a second serve on a taken port exits"; kill "$serve2"
else
    wait "$serve2"; code=$?
    cat "$work/serve2.log"
    check "a second serve on a taken port exits non-zero ($code) with the reason" \
        bash -c "[ $code -ne 0 ] && grep -q 'cannot listen on 127.0.0.1:$port: Address already in use' '$work/serve2.log'"
fi
check "no SO_REUSEPORT: another socket with SO_REUSEPORT cannot share the port" python3 -c "
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
try:
    s.bind(('127.0.0.1', $port)); s.listen(1)
except OSError:
    sys.exit(0)
sys.exit(1)"
check "only one process listens on the port" test "$(ss -Hltn "sport = :$port" | wc -l)" -eq 1
python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', $port))" 2>/dev/null
held=$(free_port)
python3 -c "
import socket, time; s = socket.socket(); s.bind(('127.0.0.1', $held)); s.listen(1); time.sleep(30)" &
holder=$!; pids+=("$holder")
wait_listening "$held"
"$companion" serve --dsn "$base" --listen "127.0.0.1:$held" >"$work/serve3.log" 2>&1
code=$?
check "a port held by another program: exit $code, 'Address already in use' and a hint" \
    bash -c "[ $code -eq 1 ] && grep -q 'Address already in use' '$work/serve3.log' && grep -q '^hint: ' '$work/serve3.log'"
kill "$holder"

# IPv6 and several addresses, as node_exporter's --web.listen-address.
port6=$(free_port)
if python3 -c "import socket; s=socket.socket(socket.AF_INET6); s.bind(('::1', 0))" 2>/dev/null; then
    "$companion" serve --dsn "$base" --web.listen-address "[::1]:$port6" --listen "127.0.0.1:$port6" >"$work/serve6.log" 2>&1 &
    serve6=$!; pids+=("$serve6")
    wait_listening "$port6"
    check "listening on [::1] and 127.0.0.1 at once: both answer" \
        bash -c "curl -s -m 10 -g 'http://[::1]:$port6/metrics' | grep -qx 'fitbot_partman_up 1' && curl -s -m 10 'http://127.0.0.1:$port6/metrics' | grep -qx 'fitbot_partman_up 1'"
    check "the log names both addresses" grep -q "listening on \[::1\]:$port6, 127.0.0.1:$port6" "$work/serve6.log"
    kill -TERM "$serve6"; wait "$serve6"
else
    ok "# skip: IPv6 loopback not available here"
fi
portall=$(free_port)
"$companion" serve --dsn "$base" --listen ":$portall" >"$work/serveall.log" 2>&1 &
serveall=$!; pids+=("$serveall")
wait_listening "$portall"
check ":PORT listens on every interface (wildcard socket)" \
    bash -c "ss -Hltn 'sport = :$portall' | grep -qE '(\*|0\.0\.0\.0|\[::\]):$portall'"
kill -TERM "$serveall"; wait "$serveall"

# Idle and slow clients (issue 19): 200 that connect and say nothing, 20 that
# send a header line every 2 s, all reconnecting when closed; scrapes go on
# beside them. Generous bounds: this asserts that scrapes are answered, not how
# fast (bench/exporter/slow_clients.sh measures that).
port=$(free_port)
"$companion" serve --dsn "$base" --listen "127.0.0.1:$port" >"$work/crowd.log" 2>&1 &
crowd=$!; pids+=("$crowd")
wait_listening "$port"
crowd_result=$(timeout 60 python3 bench/exporter/slow_clients.py "http://127.0.0.1:$port/metrics" --idle 200 --slow 20 \
    --seconds 8 --interval 0.5)
echo "# beside 200 idle and 20 slow clients: $crowd_result"
declare -A crowd_r=()
for pair in $crowd_result; do crowd_r[${pair%%=*}]=${pair#*=}; done
check "beside 200 idle and 20 slow clients every scrape is answered, the slowest in ${crowd_r[loaded_max_ms]:-?} ms (< 3000)" \
    env MAX="${crowd_r[loaded_max_ms]:-none}" FAILED="${crowd_r[failed]:-1}" \
    bash -c '[ "$FAILED" = 0 ] && [ "$MAX" != none ] && [ "${MAX%.*}" -lt 3000 ]'
check "a client sending one header line every 2 s is closed (after ${crowd_r[slow_cut_s]:-?} s, < 8), so is an idle one (${crowd_r[idle_cut_s]:-?} s)" \
    env SLOW="${crowd_r[slow_cut_s]:-none}" IDLE="${crowd_r[idle_cut_s]:-none}" \
    bash -c '[ "$SLOW" != none ] && [ "$IDLE" != none ] && [ "${SLOW%.*}" -lt 8 ] && [ "${IDLE%.*}" -lt 8 ]'
check "a request with 2 MB of headers is cut off (not kept in memory), and the next scrape is answered" python3 -c "
import socket, sys, time, urllib.request
conn = socket.create_connection(('127.0.0.1', $port), timeout=10)
started = time.monotonic()
try:
    conn.sendall(b'GET /metrics HTTP/1.1\r\n' + b''.join(b'X-%d: %s\r\n' % (i, b'y' * 200) for i in range(10000)))
    while conn.recv(65536):
        pass
except OSError:
    pass
assert time.monotonic() - started < 8
body = urllib.request.urlopen('http://127.0.0.1:$port/metrics', timeout=10).read()
sys.exit(0 if b'fitbot_partman_up 1' in body else 1)"
kill -TERM "$crowd"; wait "$crowd"; code=$?
check "... and the exporter then stops on SIGTERM with 0 ($code)" test "$code" -eq 0

# SIGTERM while the refresh is stuck (a server that never answers).
port=$(free_port)
"$companion" serve --dsn "host=127.0.0.1 port=$silent_port dbname=x connect_timeout=60" --listen "127.0.0.1:$port" >"$work/stuck.log" 2>&1 &
stuck=$!; pids+=("$stuck")
wait_listening "$port"
curl -s -m 10 "http://127.0.0.1:$port/metrics" >"$work/notyet.txt"
check "before the first refresh has finished, /metrics has no fitbot_partman_up sample (not read yet, not 'down')" \
    bash -c "grep -q '^# TYPE fitbot_partman_up gauge' '$work/notyet.txt' && ! grep -q '^fitbot_partman_up ' '$work/notyet.txt'"
sleep 0.3
started=$(now_ms)
kill -TERM "$stuck"; wait "$stuck"; code=$?
took=$(( $(now_ms) - started ))
check "SIGTERM while a refresh is stuck: exits $code in ${took} ms (< 1000)" bash -c "[ $code -eq 0 ] && [ $took -lt 1000 ]"
"$companion" serve --dsn "host=127.0.0.1 port=$silent_port dbname=x connect_timeout=60" --listen "127.0.0.1:$port" >"$work/stuck.log" 2>&1 &
stuck=$!; pids+=("$stuck")
wait_listening "$port"; sleep 0.3
started=$(now_ms)
kill -INT "$stuck"; wait "$stuck"; code=$?
took=$(( $(now_ms) - started ))
check "SIGINT while a refresh is stuck: exits $code in ${took} ms (< 1000)" bash -c "[ $code -eq 0 ] && [ $took -lt 1000 ]"
started=$(now_ms)
kill -TERM "$serve1"; wait "$serve1"; code=$?
took=$(( $(now_ms) - started ))
check "SIGTERM on a healthy exporter: exits 0 in ${took} ms" bash -c "[ $code -eq 0 ] && [ $took -lt 1000 ]"

# ---------------------------------------------------------------- secrets
password="pa ss'wo\\rdSECRET"
echo "CREATE ROLE monitor LOGIN IN ROLE pg_monitor PASSWORD :'pw';" | sql -v pw="$password"
sed -i "1i host all monitor 127.0.0.1/32 scram-sha-256" "$work/pg/data/pg_hba.conf"
sql -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.2
python3 - "$password" "$PGPORT" "$work" <<'PY'
import sys, urllib.parse
pw, port, work = sys.argv[1], sys.argv[2], sys.argv[3]
base = f"host=127.0.0.1 port={port} dbname=fitbot user=monitor"
quoted = "'" + pw.replace("\\", "\\\\").replace("'", "\\'") + "'"
escaped = pw.replace("\\", "\\\\").replace("'", "\\'").replace(" ", "\\ ")
encoded = urllib.parse.quote(pw, safe="")
forms = {
    "conninfo, quoted value": f"{base} password={quoted}",
    "conninfo, escaped value": f"{base} password={escaped}",
    "URI, user:password@": f"postgresql://monitor:{encoded}@127.0.0.1:{port}/fitbot",
    "URI, ?password=": f"postgres://127.0.0.1:{port}/fitbot?user=monitor&password={encoded}&sslmode=disable",
    "passfile= in the DSN": f"{base} passfile={work}/pgpass",
    "PGPASSFILE": base,
    "PGPASSWORD": base,
    "service file (PGSERVICEFILE)": "service=fitbot_monitor",
}
with open(f"{work}/forms.tsv", "w") as out:
    for name, dsn in forms.items():
        out.write(f"{name}\t{dsn}\n")
pgpass = pw.replace("\\", "\\\\").replace(":", "\\:")
with open(f"{work}/pgpass", "w") as out:
    out.write(f"127.0.0.1:{port}:fitbot:monitor:{pgpass}\n")
with open(f"{work}/pgpass-wrong", "w") as out:
    out.write(f"127.0.0.1:{port}:fitbot:monitor:{pgpass}WRONG\n")
for name, password in (("pg_service.conf", pw), ("pg_service-wrong.conf", pw + "WRONG")):
    with open(f"{work}/{name}", "w") as out:
        out.write(f"[fitbot_monitor]\nhost=127.0.0.1\nport={port}\ndbname=fitbot\nuser=monitor\npassword={password}\n")
PY
chmod 600 "$work/pgpass" "$work/pgpass-wrong"
leaks() { grep -l "SECRET\|rdSECRET\|wo\\\\rd" "$@" 2>/dev/null; }
while IFS=$'\t' read -r form dsn; do
    env_args=(env -u PGPASSWORD PGHOST=/nonexistent)
    case "$form" in
        PGPASSFILE) env_args+=(PGPASSFILE="$work/pgpass") ;;
        PGPASSWORD) env_args+=(PGPASSWORD="$password") ;;
        service*) env_args+=(PGSERVICEFILE="$work/pg_service.conf") ;;
    esac
    : >"$work/secret.out"
    "${env_args[@]}" "$companion" --dsn "$dsn" check >>"$work/secret.out" 2>&1; code=$?
    "${env_args[@]}" "$companion" --dsn "$dsn" status >>"$work/secret.out" 2>&1
    "${env_args[@]}" "$companion" --dsn "$dsn" --version >>"$work/secret.out" 2>&1
    check "$form: connects (check exit $code) and shows no password" \
        bash -c "[ $code -le 2 ] && ! grep -q 'cannot connect' '$work/secret.out' && ! grep -q SECRET '$work/secret.out'"
    # The same form with a wrong password: the failure shows none of it either.
    wrong_dsn=${dsn//rdSECRET/rdWRONGSECRET}
    wrong_env=("${env_args[@]}")
    case "$form" in
        PGPASSWORD) wrong_env=(env -u PGPASSWORD PGHOST=/nonexistent PGPASSWORD="${password}WRONG") ;;
        PGPASSFILE) wrong_env=(env -u PGPASSWORD PGHOST=/nonexistent PGPASSFILE="$work/pgpass-wrong") ;;
        passfile*) wrong_dsn=${dsn//\/pgpass/\/pgpass-wrong} ;;
        service*) wrong_env=(env -u PGPASSWORD PGHOST=/nonexistent PGSERVICEFILE="$work/pg_service-wrong.conf") ;;
    esac
    : >"$work/wrong.out"
    for command in check status metrics preflight "maintain --dry-run"; do
        "${wrong_env[@]}" "$companion" --dsn "$wrong_dsn" $command >>"$work/wrong.out" 2>&1
    done
    check "$form: a wrong password fails without showing any password" \
        bash -c "grep -q 'cannot connect' '$work/wrong.out' && ! grep -q SECRET '$work/wrong.out'"
done <"$work/forms.tsv"

# serve with the password in argv: gone from /proc/PID/cmdline once started.
dsn=$(sed -n 's/^conninfo, escaped value\t//p' "$work/forms.tsv")
port=$(free_port)
"$companion" serve --dsn "$dsn" --listen "127.0.0.1:$port" --interval 1 >"$work/serve-secret.log" 2>&1 &
secret_serve=$!; pids+=("$secret_serve")
wait_listening "$port"
curl -s -m 10 "http://127.0.0.1:$port/metrics" >"$work/secret-metrics.txt"
check "serve with a password in --dsn: /proc/PID/cmdline no longer shows it" \
    bash -c "tr '\0' ' ' </proc/$secret_serve/cmdline | grep -q 'password=\*\*\*\*' && ! grep -q SECRET /proc/$secret_serve/cmdline"
check "... ps shows the masked DSN" bash -c "ps -o args= -p $secret_serve | grep -q 'password=\*\*\*\*\*\*\*\*' && ! ps -o args= -p $secret_serve | grep -q SECRET"
check "... it reads the database (fitbot_partman_up 1)" grep -qx 'fitbot_partman_up 1' "$work/secret-metrics.txt"
sql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'monitor'" >/dev/null
sleep 1.2
kill -TERM "$secret_serve"; wait "$secret_serve"
check "... and its log and metrics hold no password" bash -c "! grep -q SECRET '$work/serve-secret.log' '$work/secret-metrics.txt'"
# A user and a database named like the password (issue 19): shown as they are,
# the password masked; masking them would corrupt them and tell the password.
"$companion" --dsn "host=127.0.0.1 port=$PGPORT user=twin_pw password=twin_pw dbname=twin_pw" status >"$work/twin.txt" 2>&1
cat "$work/twin.txt"
check "user and dbname equal to the password: named in the error, only the password masked" \
    bash -c "grep -q 'user=twin_pw password=\*\*\*\*\*\*\*\* dbname=twin_pw' '$work/twin.txt' &&
             grep -q 'role \"twin_pw\" does not exist' '$work/twin.txt' && ! grep -q '\"\*\*\*\*' '$work/twin.txt'"
# A DSN that libpq cannot parse quotes no fragment of it.
"$companion" --dsn "dbname=x password=abc defSECRET" status >"$work/unparsable.txt" 2>&1
check "an unparsable DSN: the error quotes no fragment of the password" \
    bash -c "grep -q 'does not parse' '$work/unparsable.txt' && ! grep -q SECRET '$work/unparsable.txt'"
"$companion" --dsn "postgresql://u:SECRETpw@[::1/x" check >"$work/unparsable.txt" 2>&1
check "an unparsable URI: UNKNOWN without the password" \
    bash -c "grep -q '^FITBOT_PARTMAN UNKNOWN' '$work/unparsable.txt' && ! grep -q SECRET '$work/unparsable.txt'"

# ---------------------------------------------------------------- the systemd unit
# (test/packaging/run.sh verifies the installed unit; here the one in the tree,
# pointed at this build.)
sed -e "s|/usr/bin/fitbot-partman|$(realpath "$companion")|" \
    -e "s|EnvironmentFile=/etc/default/fitbot-partman|EnvironmentFile=$PWD/packaging/fitbot-partman.default|" \
    packaging/fitbot-partman.service >"$work/fitbot-partman.service"
systemd-analyze verify --man=no "$work/fitbot-partman.service" >"$work/verify.txt" 2>&1
code=$?
cat "$work/verify.txt"
check "systemd-analyze verify packaging/fitbot-partman.service (exit $code)" \
    bash -c "[ $code -eq 0 ] && ! grep -q 'fitbot-partman' '$work/verify.txt'"
check "the environment file sets a DSN without a password, the listen address and the interval" bash -c "
    set -a; source packaging/fitbot-partman.default; set +a
    [ -n \"\$FITBOT_PARTMAN_DSN\" ] && ! echo \"\$FITBOT_PARTMAN_DSN\" | grep -qi password &&
    '$companion' serve --help >/dev/null && [ \"\$FITBOT_PARTMAN_LISTEN\" = 127.0.0.1:9817 ] && [ \"\$FITBOT_PARTMAN_INTERVAL\" = 15 ]"
# The settings the unit passes through the environment reach serve.
port=$(free_port)
FITBOT_PARTMAN_DSN="$base" FITBOT_PARTMAN_LISTEN="127.0.0.1:$port" FITBOT_PARTMAN_INTERVAL=2 \
    "$companion" serve >"$work/envserve.log" 2>&1 &
envserve=$!; pids+=("$envserve")
wait_listening "$port"
check "serve takes FITBOT_PARTMAN_DSN, FITBOT_PARTMAN_LISTEN and FITBOT_PARTMAN_INTERVAL from the environment" \
    bash -c "curl -s -m 10 http://127.0.0.1:$port/metrics | grep -qx 'fitbot_partman_up 1' && grep -q 'refreshing every 2 s' '$work/envserve.log'"
kill -TERM "$envserve"; wait "$envserve"

# ---------------------------------------------------------------- nothing configured is not critical
# verdict MODE: check's exit code and first words.
verdict() {
    local mode_flag=()
    [ "$1" = agentless ] && mode_flag=(--agentless)
    "$companion" "${mode_flag[@]}" --dsn "$2" check 2>&1 | head -1 | cut -d'|' -f1
}
sql -c "CREATE TABLE public.step_counts (at timestamptz NOT NULL, steps int) PARTITION BY RANGE (at);
        SELECT fitbot_partman.register_table('public.step_counts', 'at');
        INSERT INTO public.step_counts VALUES (now() + interval '10 years', 1);" >/dev/null
"$companion" --dsn "$base" status --json >"$work/two.json"
sql -c "SELECT count(*) FROM fitbot_partman.teardown('public.heart_rate_readings')" >/dev/null
"$companion" --dsn "$base" status --json >"$work/one.json"
check "tearing down one of two tables leaves the other's health as it was" python3 -c "
import json, sys
two, one = (json.load(open(p)) for p in sys.argv[1:3])
pick = lambda d: [t for t in d['tables'] if t['parent'] == 'public.step_counts']
a, b = pick(two), pick(one)
assert len(a) == 1 and len(b) == 1, (a, b)
assert a[0]['status'] == b[0]['status'] == 'critical', (a[0]['status'], b[0]['status'])
assert a[0]['reasons'] == b[0]['reasons']
assert [t['parent'] for t in one['tables']] == ['public.step_counts']
assert one['maintenance']['jobs'], 'the job stays while a table is left'
" "$work/two.json" "$work/one.json"
sql -c "SELECT count(*) FROM fitbot_partman.teardown('public.step_counts')" >/dev/null
check "after tearing down every table: no registration and no job left" \
    test "$(sql -c "SELECT (SELECT count(*) FROM part_config) + (SELECT count(*) FROM cron.job)")" = 0
for mode in extension agentless; do
    line=$(verdict $mode "$base")
    "$companion" $([ $mode = agentless ] && echo --agentless) --dsn "$base" check >/dev/null 2>&1; code=$?
    check "nothing managed, $mode mode: check exits 0, OK ($line)" \
        env LINE="$line" bash -c "[ $code -eq 0 ] && [[ \$LINE == 'FITBOT_PARTMAN OK - nothing managed'* ]]"
    "$companion" $([ $mode = agentless ] && echo --agentless) --dsn "$base" metrics >"$work/nothing.prom"
    check "nothing managed, $mode mode: fitbot_partman_status 0 and fitbot_partman_maintenance_status 0" \
        bash -c "grep -qx 'fitbot_partman_status 0' '$work/nothing.prom' && grep -qx 'fitbot_partman_maintenance_status 0' '$work/nothing.prom'"
done
check "nothing managed: the extension's own check() agrees (code 0)" \
    test "$(sql -c "SELECT code FROM fitbot_partman.check()")" = 0
# pg_cron in another database (fitbot): the companion reads it there and sees
# that no job maintains nocron, so "nothing managed" is the truth. When that
# database cannot be read, unknown, never "nothing managed"; the extension's
# own check() cannot look there at all.
sql -c "CREATE DATABASE nocron" >/dev/null
sql -d nocron -c "SET client_min_messages = warning; CREATE EXTENSION fitbot_partman CASCADE;" >/dev/null
nocron="host=$PGHOST port=$PGPORT dbname=nocron user=postgres"
for mode in extension agentless; do
    line=$(verdict $mode "$nocron")
    check "no table, pg_cron read in its own database, $mode mode: nothing managed" \
        env LINE="$line" bash -c "[[ \$LINE == 'FITBOT_PARTMAN OK - nothing managed'* ]]"
    "$companion" $([ $mode = agentless ] && echo --agentless) --dsn "$nocron" --cron-dsn "host=127.0.0.1 port=1 connect_timeout=2" \
        check >/dev/null 2>&1; code=$?
    check "no table and pg_cron's database unreachable, $mode mode: UNKNOWN (exit $code), not 'nothing managed'" \
        test $code -eq 3
done
check "no table, pg_cron not readable from nocron: the extension's check() is UNKNOWN" \
    test "$(sql -d nocron -c "SELECT code FROM fitbot_partman.check()")" = 3
# pg_partman's config unreadable (agentless, a role without the grant, and
# without the reader `fitbot-partman setup` installs for pg_monitor): unknown.
sql -c "REVOKE ALL ON public.part_config FROM PUBLIC, pg_monitor; DROP SCHEMA IF EXISTS fitbot_partman_monitor CASCADE" >/dev/null
PGPASSFILE="$work/pgpass" "$companion" --agentless --dsn "host=127.0.0.1 port=$PGPORT dbname=fitbot user=monitor" check >"$work/noread.txt" 2>&1
code=$?
check "pg_partman's config unreadable: UNKNOWN (exit $code), not 'nothing managed'" \
    bash -c "[ $code -eq 3 ] && grep -q 'may not read public.part_config' '$work/noread.txt' && ! grep -q 'nothing managed' '$work/noread.txt'"

suite_result
