#!/usr/bin/env bash
# Builds the libFuzzer targets for pg_cron schedules (fuzz_cron.cpp) and
# partition bound text (fuzz_bound.cpp) with
# AddressSanitizer and UndefinedBehaviorSanitizer and runs it for a bounded
# time each.
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
mkdir -p "$build"

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

passed=0
failed=0

# fuzz TARGET SEED_CORPUS DICT SOURCES...: builds test/fuzz/TARGET.cpp with
# the given core sources and runs it for $seconds.
fuzz() {
    local target=$1 seeds=$2 dict=$3; shift 3
    local sources=() source
    for source in "$@"; do sources+=("$root/src/core/$source"); done
    echo "building $build/$target"
    if ! clang++ -std=c++17 -O1 -g -fno-omit-frame-pointer \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -I"$root/src" "$here/$target.cpp" "${sources[@]}" -o "$build/$target"; then
        echo "build of $target failed" >&2
        failed=$((failed + 1))
        return
    fi
    # The checked-in seeds stay untouched: libFuzzer writes new inputs into
    # the first corpus directory, which lives under build/.
    mkdir -p "$build/corpus-$target"
    local log="$build/$target.log" dict_option=()
    [ -n "$dict" ] && dict_option=(-dict="$here/$dict")
    echo "fuzzing $target for ${seconds}s (log: $log)"
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$build/$target" "$build/corpus-$target" "$here/$seeds" "${dict_option[@]}" \
        -max_len=300 -max_total_time="$seconds" -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$build/$target-" >"$log" 2>&1
    local status=$?
    local executions
    executions="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    [ -z "$executions" ] && executions="$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)"
    echo "$target executions: ${executions:-unknown} in ${seconds}s"
    if [ "$status" -ne 0 ]; then
        echo "not ok - $target found a crash, leak or UB (exit status $status); the end of its log:"
        tail -n 40 "$log"
        ls "$build/$target"-* 2>/dev/null | sed 's/^/reproducer: /'
        failed=$((failed + 1))
    else
        echo "ok - $target: no crash, leak or undefined behaviour"
        passed=$((passed + 1))
    fi
}

fuzz fuzz_cron corpus cron.dict cron.cpp cron_grammar.cpp cron_versions.cpp zone.cpp time_types.cpp
fuzz fuzz_bound bound_corpus "" partition_bound.cpp zone.cpp time_types.cpp
finish "$passed" "$failed"
