#!/usr/bin/env bash
# GoogleTest suite of the pure core and the companion's pure parts.
set -u
cd "$(dirname "$0")/.."
output=$(mktemp)
build/unit-tests --gtest_color=no 2>&1 | tee "$output"
status=${PIPESTATUS[0]}
passed=$(grep -c '^\[       OK \]' "$output")
failed=$(grep -c '^\[  FAILED  \] [A-Za-z]' "$output" || true)
# gtest lists each failed test twice (when it fails and in the summary).
failed=$((failed / 2))
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
rm -f "$output"
echo "# suite-result: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
