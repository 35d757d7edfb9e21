#!/usr/bin/env bash
# Builds the release benchmark, runs it and the same rows in PyTorch CPU (same thread count),
# and prints: row | Swift | PyTorch | ratio (Swift throughput / PyTorch throughput).
#
#   Scripts/bench.sh [--threads N] [--rows a,b]      (run from anywhere inside the package)
# Environment: PYTHON (default /work/main/.venv/bin/python), SCRATCH (default .build-kern).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/work/main/.venv/bin/python}
SCRATCH=${SCRATCH:-.build-kern}
ARGS=("$@")
OUT=bench-out
mkdir -p "$OUT"

swift build --scratch-path "$SCRATCH" -c release --product styleprompter-bench >/dev/null
"$SCRATCH/release/styleprompter-bench" "${ARGS[@]}" --json "$OUT/swift.json"
echo
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PYTHON" Scripts/bench_pytorch.py "${ARGS[@]}" --json "$OUT/pytorch.json"
echo
"$PYTHON" - "$OUT/swift.json" "$OUT/pytorch.json" <<'PY'
import json, sys
swift, torch = (json.load(open(path)) for path in sys.argv[1:3])
theirs = {row["name"]: row for row in torch["rows"]}
def cell(row):
    rate = f"{row['gflops']:.1f} GFLOP/s" if row["gflops"] else ""
    return f"{row['seconds'] * 1e3:9.3f} ms {rate:>15}"
print(f"| row | Swift ({swift['threads']} threads) | PyTorch {torch['version']} | ratio |")
print("|---|---|---|---|")
for row in swift["rows"]:
    other = theirs.get(row["name"])
    if other is None:
        print(f"| {row['name']} | {cell(row)} | — | — |")
        continue
    # Same work on both sides, so the throughput ratio is the inverse time ratio.
    print(f"| {row['name']} | {cell(row)} | {cell(other)} | {other['seconds'] / row['seconds']:.2f}× |")
PY
