#!/usr/bin/env bash
# GoogleTest suite of the pure core and the companion's pure parts, built
# twice: plain, and under AddressSanitizer + UndefinedBehaviorSanitizer.
set -u
cd "$(dirname "$0")/.."
source test/lib/suite.sh

# run_gtest LABEL BINARY: one ok/not ok line per test case.
run_gtest() {
    local label=$1 binary=$2 output status
    output=$(mktemp)
    "$binary" --gtest_color=no >"$output" 2>&1
    status=$?
    while IFS= read -r line; do
        case "$line" in
            "[       OK ] "*) ok "$label: $(echo "${line#\[       OK \] }" | sed 's/ (.*//')" ;;
            "[  FAILED  ] "*" ms)") not_ok "$label: $(echo "${line#\[  FAILED  \] }" | sed 's/ (.*//')" ;;
        esac
    done <"$output"
    if [ "$status" -ne 0 ]; then
        grep -E "Failure|ERROR: AddressSanitizer|runtime error|LeakSanitizer" -A5 "$output" | head -60
        grep -q '^\[  FAILED  \].* ms)$' "$output" || not_ok "$label: exited $status (sanitizer report or crash)"
    fi
    rm -f "$output"
}

run_gtest unit build/unit-tests
# The C++ sources keep the style of .clang-format (Debian 12's clang-format 14).
unformatted=$(git ls-files 'src/*.cpp' 'src/*.h' 'test/unit/*.cpp' 'test/unit/*.h' 'test/fuzz/*.cpp' |
              xargs clang-format --dry-run --style=file 2>&1 | grep -c 'warning:')
check "C++ sources follow .clang-format ($unformatted lines off)" test "$unformatted" -eq 0
# Under pipefail, `producer | grep -q` fails whenever grep stops reading first
# and the producer gets a write error (curl exits 23): read into a variable.
early_exit_pipes=$(git ls-files 'bench/*.sh' 'test/*.sh' | xargs grep -lE 'set -[a-z]*o pipefail' |
                   xargs -r grep -nE '^[^#]*\|[[:space:]]*grep[[:space:]]+(-[a-zA-Z]*q|--quiet)' || true)
[ -z "$early_exit_pipes" ] || echo "$early_exit_pipes"
check "no 'producer | grep -q' in the scripts that set pipefail" test -z "$early_exit_pipes"
if make -s -j2 sanitized-unit-tests >build/logs/sanitized-build.log 2>&1; then
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        run_gtest "asan+ubsan" build/sanitized/unit-tests
else
    tail -20 build/logs/sanitized-build.log
    not_ok "build the unit tests with -fsanitize=address,undefined"
fi
suite_result
