#!/usr/bin/env bash
# Runs the (already built) release test suite once per kernel level this CPU can run, other than
# the one chosen by default, with STYLEPROMPTER_KERNELS forcing it: every level must pass the
# same tests (PyTorch parity, finite differences, whole models), not only the one CI's CPU picks.
#
# Usage: Scripts/test_kernel_levels.sh [extra swift test arguments…]
set -euo pipefail
cd "$(dirname "$0")/.."
levels=()
case "$(uname -m)" in
x86_64)
    flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
    levels+=(baseline)
    if [[ " $flags " == *" avx2 "* && " $flags " == *" fma "* ]]; then levels+=(avx2); fi
    if [[ " $flags " == *" avx512f "* ]]; then levels+=(avx512); fi
    ;;
*) levels+=(neon) ;;
esac
# The best level is what the plain `swift test -c release --disable-testable-imports` already ran.
unset 'levels[${#levels[@]}-1]'
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for level in "${levels[@]}"; do
    echo "== STYLEPROMPTER_KERNELS=$level swift test -c release --disable-testable-imports --skip-build $*"
    if ! STYLEPROMPTER_KERNELS=$level swift test -c release --disable-testable-imports --skip-build "$@" > "$log" 2>&1; then
        grep -E "✘|error|failed" "$log" | tail -n 40
        echo "test_kernel_levels: the suite failed with the $level kernels" >&2
        exit 1
    fi
    grep -E "Test run with|Executed .* tests" "$log" | tail -n 2
done
echo "test_kernel_levels: passed with ${levels[*]:-no other level}"
