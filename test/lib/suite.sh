# Helpers for suite scripts: TAP-like lines and the closing summary line
# that test/run-all.sh adds up.
SUITE_PASSED=0
SUITE_FAILED=0

ok() { SUITE_PASSED=$((SUITE_PASSED + 1)); echo "ok - $*"; }
not_ok() { SUITE_FAILED=$((SUITE_FAILED + 1)); echo "not ok - $*"; }

# check NAME COMMAND...: passes when the command exits 0.
check() {
    local name=$1; shift
    if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# expect LABEL CODE PATTERN COMMAND...: the command exits CODE and its output matches PATTERN (grep -E).
expect() {
    local label=$1 code=$2 pattern=$3; shift 3
    local out status
    out=$("$@" 2>&1); status=$?
    if [ "$status" -eq "$code" ] && grep -qE -- "$pattern" <<<"$out"; then
        ok "$label"
    else
        not_ok "$label: exit $status, expected $code and /$pattern/"
        sed 's/^/#   /' <<<"$out" | head -15
    fi
}

# wait_for SECONDS COMMAND...: retries every 0.2 s until the command succeeds.
wait_for() {
    local deadline=$(( $(date +%s) + $1 )); shift
    until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -lt "$deadline" ] || return 1; sleep 0.2; done
}

suite_result() {
    echo "# suite-result: $SUITE_PASSED passed, $SUITE_FAILED failed"
    [ "$SUITE_FAILED" -eq 0 ]
}
