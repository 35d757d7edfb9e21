#!/usr/bin/env bash
# Builds the release benchmark, runs every row in Swift and then the same row in PyTorch CPU
# (same thread count), and prints: row | Swift | PyTorch | ratio (Swift throughput / PyTorch
# throughput, from the medians) | best-run ratio (from each side's fastest run, the better guide
# when other work shares the machine). Rows alternate between the two so both see the same load.
#
#   Scripts/bench.sh [--threads N] [--rows a,b]      (run from anywhere inside the package)
# Environment: PYTHON (default /work/main/.venv/bin/python), SCRATCH (default .build-kern).
# Raw results: bench-out/swift-ROW.json and bench-out/pytorch-ROW.json.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/work/main/.venv/bin/python}
SCRATCH=${SCRATCH:-.build-kern}
THREADS=2
ROWS=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --threads) THREADS="$2"; shift 2 ;;
        --rows) ROWS="$2"; shift 2 ;;
        *) echo "usage: Scripts/bench.sh [--threads N] [--rows a,b]" >&2; exit 2 ;;
    esac
done
OUT=bench-out
mkdir -p "$OUT"
rm -f "$OUT"/swift-*.json "$OUT"/pytorch-*.json

swift build --scratch-path "$SCRATCH" -c release --product styleprompter-bench >/dev/null
BENCH="$SCRATCH/release/styleprompter-bench"
if [[ -z "$ROWS" ]]; then ROWS=$("$BENCH" --list | awk '{print $1}' | paste -sd, -); fi

loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime | sed 's/.*: //'; }
LOAD_BEFORE=$(loadavg)
IFS=, read -ra NAMES <<< "$ROWS"
for name in "${NAMES[@]}"; do
    "$BENCH" --threads "$THREADS" --rows "$name" --json "$OUT/swift-$name.json" | tail -n +3
    # OPENBLAS_* do not affect torch (MKL/oneDNN); removed anyway for a clean comparison.
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PYTHON" Scripts/bench_pytorch.py \
        --threads "$THREADS" --rows "$name" --json "$OUT/pytorch-$name.json" 2>/dev/null | tail -n +3 \
        | sed 's/^/  pytorch: /' || echo "  pytorch: (no such row)"
done
LOAD_AFTER=$(loadavg)
echo
"$PYTHON" - "$OUT" "$ROWS" <<'PY'
import json, os, sys
out, names = sys.argv[1], sys.argv[2].split(",")
def load(path):
    return json.load(open(path)) if os.path.exists(path) else None
def cell(row):
    rate = f"{row['gflops']:.1f} GFLOP/s" if row["gflops"] else ""
    return f"{row['seconds'] * 1e3:9.3f} ms {rate:>15}"
header = None
for name in names:
    swift, torch = load(f"{out}/swift-{name}.json"), load(f"{out}/pytorch-{name}.json")
    if swift is None:
        continue
    if header is None:
        version = torch["version"] if torch else "?"
        header = f"| row | Swift ({swift['threads']} threads), median | PyTorch {version}, median | ratio | best-run ratio |"
        print(header)
        print("|---|---|---|---|---|")
    mine = swift["rows"][0]
    if torch is None or not torch["rows"]:
        print(f"| {name} | {cell(mine)} | — | — | — |")
        continue
    theirs = torch["rows"][0]
    # Same work on both sides, so the throughput ratio is the inverse time ratio.
    best = theirs["best_seconds"] / mine["best_seconds"]
    print(f"| {name} | {cell(mine)} | {cell(theirs)} | {theirs['seconds'] / mine['seconds']:.2f}× | {best:.2f}× |")
PY
echo
echo "load average before: $LOAD_BEFORE; after: $LOAD_AFTER ($(nproc) CPUs) — other work on the machine slows both sides"
