#!/usr/bin/env bash
# Builds the libFuzzer target for pg_cron schedules (fuzz_cron.cpp) with
# AddressSanitizer and UndefinedBehaviorSanitizer and runs it for a bounded
# time.
#
#   test/fuzz/run.sh [SECONDS]      default 20
#
# Installs clang and libFuzzer (Debian 12: clang, libclang-rt-14-dev) when
# missing. The last line is "# suite-result: N passed, M failed"; the exit
# status is non-zero when the fuzzer found a crash or could not run.
set -u

seconds="${1:-20}"
case "$seconds" in
    '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$root/build/fuzz"
mkdir -p "$build/corpus"

finish() {
    local passed="$1" failed="$2"
    echo "# suite-result: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# libFuzzer links only if clang's runtime libraries are there too.
can_build_fuzzers() {
    command -v clang++ >/dev/null 2>&1 || return 1
    printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char *, unsigned long) { return 0; }\n' |
        clang++ -x c++ -fsanitize=fuzzer,address,undefined -o "$build/probe" - >/dev/null 2>&1
}

if ! can_build_fuzzers; then
    echo "installing clang and libFuzzer (clang libclang-rt-14-dev)"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get install -y clang libclang-rt-14-dev >/dev/null ||
        { as_root apt-get update >/dev/null && as_root apt-get install -y clang libclang-rt-14-dev >/dev/null; }
    if ! can_build_fuzzers; then
        echo "clang++ cannot build libFuzzer targets" >&2
        finish 0 1
    fi
fi

echo "building $build/fuzz_cron"
if ! clang++ -std=c++17 -O1 -g -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$root/src" \
    "$here/fuzz_cron.cpp" "$root/src/core/cron.cpp" "$root/src/core/zone.cpp" "$root/src/core/time_types.cpp" \
    -o "$build/fuzz_cron"; then
    echo "build failed" >&2
    finish 0 1
fi

# The checked-in seeds stay untouched: libFuzzer writes new inputs into the
# first corpus directory, which lives under build/.
log="$build/fuzz_cron.log"
echo "fuzzing for ${seconds}s (log: $log)"
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/fuzz_cron" "$build/corpus" "$here/corpus" \
    -dict="$here/cron.dict" -max_len=300 -max_total_time="$seconds" -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$build/" >"$log" 2>&1
status=$?

executions="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
if [ -z "$executions" ]; then
    executions="$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)"
fi
echo "executions: ${executions:-unknown}"

if [ "$status" -ne 0 ]; then
    echo "fuzz_cron failed (exit status $status); the end of its log:"
    tail -n 40 "$log"
    ls "$build"/crash-* "$build"/leak-* "$build"/timeout-* 2>/dev/null | sed 's/^/reproducer: /'
    finish 0 1
fi
finish 1 0
