#!/usr/bin/env bash
# The one test command: installs what is missing on Debian 12, builds,
# installs, runs every suite, and ends with one summary line over all of them.
set -u
cd "$(dirname "$0")/.."

total_passed=0
total_failed=0
summary=()

record() {
    local suite=$1 passed=$2 failed=$3
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    summary+=("$(printf '%-12s %4d passed, %d failed' "$suite" "$passed" "$failed")")
}

# run_suite NAME COMMAND...: runs a suite script and reads its closing
# "# suite-result: N passed, M failed" line (a crash without one counts as a failure).
run_suite() {
    local name=$1; shift
    local log="build/logs/$name.log"
    echo "=== $name: $*"
    "$@" 2>&1 | tee "$log"
    local status=${PIPESTATUS[0]}
    local result
    result=$(grep -E '^# suite-result: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
    if [ -z "$result" ]; then
        record "$name" 0 1
    else
        local passed failed
        passed=$(echo "$result" | sed -E 's/.* ([0-9]+) passed.*/\1/')
        failed=$(echo "$result" | sed -E 's/.* ([0-9]+) failed/\1/')
        [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
        record "$name" "$passed" "$failed"
    fi
}

mkdir -p build/logs
if ! test/install-deps.sh; then
    echo "0 passed, 1 failed"
    exit 1
fi
# Warnings are errors here; the extension, the companion and the unit tests
# each have their own target.
if ! { make -j2 WERROR=1 && make install && make -j2 WERROR=1 companion unit-tests && make install-companion; } >build/logs/build.log 2>&1; then
    tail -50 build/logs/build.log
    echo "build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

run_suite unit test/unit.sh
run_suite regress test/regress.sh
# Every suite directory, except the package test: it installs the Debian
# packages system-wide for a while, so it runs last, when no other suite can
# see them.
for suite in test/*/run.sh; do
    [ -x "$suite" ] || continue
    [ "$suite" = test/packaging/run.sh ] && continue
    run_suite "$(basename "$(dirname "$suite")")" "$suite"
done
run_suite monitoring test/monitoring.sh
run_suite packaging test/packaging/run.sh

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
