#!/usr/bin/env bash
# The release binary on an x86-64 CPU without AVX-512: qemu-user emulating Intel Haswell (AVX2 +
# FMA). The package is built without any target-CPU flag, so the only wide instructions are in the
# dispatched C kernels; `demo` must pick the avx2 level and run to the end, and forcing a level the
# CPU lacks must be a one-line error, not SIGILL (and so must an unknown STYLEPROMPTER_TUNING).
#
# Usage: Scripts/check_haswell.sh [path/to/styleprompter]   (needs qemu-x86_64: Debian's qemu-user)
set -euo pipefail
binary=${1:-.build/release/styleprompter}
command -v qemu-x86_64 >/dev/null || { echo "check_haswell: qemu-x86_64 is missing (apt-get install qemu-user)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

qemu-x86_64 -cpu Haswell "$binary" demo --faces 2 --out "$out/demo" | tee "$out/log"
grep -q "kernels avx2" "$out/log" || { echo "check_haswell: demo did not report the avx2 kernel level" >&2; exit 1; }
test -s "$out/demo/index.html"

set +e
STYLEPROMPTER_KERNELS=avx512 qemu-x86_64 -cpu Haswell "$binary" demo --out "$out/forced" 2> "$out/err"
status=$?
set -e
if [ "$status" -ne 2 ] || ! grep -q "cannot run avx512" "$out/err"; then
    echo "check_haswell: forcing avx512 on Haswell gave status $status: $(grep -v "^qemu-x86_64: warning" "$out/err")" >&2
    exit 1
fi
# An unknown tile-tuning mode is refused the same way (natively: it does not depend on the CPU).
set +e
STYLEPROMPTER_TUNING=fastest "$binary" demo --out "$out/tuning" 2> "$out/tuning-err"
status=$?
set -e
if [ "$status" -ne 2 ] || ! grep -q "STYLEPROMPTER_TUNING=fastest is not a tuning mode" "$out/tuning-err" || [ "$(wc -l < "$out/tuning-err")" -ne 1 ]; then
    echo "check_haswell: STYLEPROMPTER_TUNING=fastest gave status $status: $(cat "$out/tuning-err")" >&2
    exit 1
fi
echo "check_haswell: OK (avx2 dispatch under qemu Haswell; forcing avx512 refused with: $(grep -v "^qemu-x86_64: warning" "$out/err"); an unknown STYLEPROMPTER_TUNING refused with: $(cat "$out/tuning-err"))"
