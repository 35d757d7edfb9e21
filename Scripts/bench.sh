#!/usr/bin/env bash
# Builds the release benchmark, runs every row in Swift and then the same row in PyTorch CPU
# (same thread count), and prints: row | Swift | PyTorch | ratio (Swift throughput / PyTorch
# throughput, from the medians) | best-run ratio (from each side's fastest run, the better guide
# when other work shares the machine) | each side's peak RSS (ru_maxrss of the row's own process:
# every row runs in a fresh process on each side). Rows alternate between the two so both see
# the same load.
#
# Timing rule (both sides): one warm-up, then the median of at least 5 runs and ~1.5 s (3 runs for
# stage1_step_b4 and stage2_step_b4). The GAN rows (ganS_bB: one iteration of rosinality's
# train.py) amortise the lazy regularisers: iterations 0 (R1 + path length), 1 (no regulariser)
# and 4 (path length only) are timed, and the row's seconds are (12·t1 + 3·t4 + 1·t0)/16; an
# iteration takes tens of seconds, so those rows have one warm-up (an iteration 0, before the
# first kind) and one timed run per kind.
#
#   Scripts/bench.sh [--threads N] [--rows a,b] [--pause PID]   (run from anywhere inside the package)
# --pause PID: stop process PID (SIGSTOP) while each row's process runs, continue it (SIGCONT)
# between them and on exit — for measuring beside a long job without killing it. Before each run
# the script also waits (up to QUIET_WAIT s, default 600) for other work to fall under QUIET_BUSY
# percent (default 15) of the CPUs, and prints the load it started under.
# Environment: PYTHON (default /work/main/.venv/bin/python), SCRATCH (default .build-kern).
# Raw results: bench-out/swift-ROW.json and bench-out/pytorch-ROW.json.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/work/main/.venv/bin/python}
SCRATCH=${SCRATCH:-.build-kern}
THREADS=2
ROWS=""
PAUSE_PID=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --threads) THREADS="$2"; shift 2 ;;
        --rows) ROWS="$2"; shift 2 ;;
        --pause) PAUSE_PID="$2"; shift 2 ;;
        *) echo "usage: Scripts/bench.sh [--threads N] [--rows a,b] [--pause PID]" >&2; exit 2 ;;
    esac
done
OUT=bench-out
mkdir -p "$OUT"
rm -f "$OUT"/swift-*.json "$OUT"/pytorch-*.json

swift build --scratch-path "$SCRATCH" -c release --product styleprompter-bench >/dev/null
BENCH="$SCRATCH/release/styleprompter-bench"
if [[ -z "$ROWS" ]]; then ROWS=$("$BENCH" --list | awk '{print $1}' | paste -sd, -); fi

pause() { if [[ -n "$PAUSE_PID" ]]; then kill -STOP "$PAUSE_PID" || echo "  (could not pause $PAUSE_PID)"; sleep 1; fi; }
resume() { if [[ -n "$PAUSE_PID" ]]; then kill -CONT "$PAUSE_PID" 2>/dev/null || true; fi; }
trap resume EXIT
# Busy fraction of all CPUs over 2 s (from /proc/stat), in percent, niced work not counted.
busy() {
    local a b
    read -ra a < <(grep '^cpu ' /proc/stat); sleep 2; read -ra b < <(grep '^cpu ' /proc/stat)
    # niced work (fields 2) counts as idle: it yields to the benchmark
    local total=0 idle=$(( (b[4] + b[5] + b[2]) - (a[4] + a[5] + a[2]) ))
    for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
    echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}
# Pauses PAUSE_PID and waits (up to QUIET_WAIT seconds, default 600) until the other work on the
# machine uses under QUIET_BUSY percent (default 15) of the CPUs; then goes on either way.
QUIET_WAIT=${QUIET_WAIT:-600}
QUIET_BUSY=${QUIET_BUSY:-15}
quiet() {
    local waited=0 load
    while true; do
        pause
        load=$(busy)
        if (( load < QUIET_BUSY || waited >= QUIET_WAIT )); then
            echo "  (other load before this run: ${load}% of the CPUs, waited ${waited} s)"
            return
        fi
        resume
        sleep 15
        waited=$(( waited + 17 ))
    done
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime | sed 's/.*: //'; }
LOAD_BEFORE=$(loadavg)
IFS=, read -ra NAMES <<< "$ROWS"
for name in "${NAMES[@]}"; do
    quiet
    "$BENCH" --threads "$THREADS" --rows "$name" --json "$OUT/swift-$name.json" | tail -n +3 \
        || echo "  swift: failed"
    resume
    quiet
    # OPENBLAS_* do not affect torch (MKL/oneDNN); removed anyway for a clean comparison.
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PYTHON" Scripts/bench_pytorch.py \
        --threads "$THREADS" --rows "$name" --json "$OUT/pytorch-$name.json" 2>/dev/null | tail -n +3 \
        | sed 's/^/  pytorch: /' || echo "  pytorch: (no such row)"
    resume
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
def rss(row):
    kib = row.get("peak_rss_kib") if row else None
    return "—" if kib is None else (f"{kib / 1048576:.2f} GiB" if kib >= 1048576 else f"{kib / 1024:.0f} MiB")
# The machine's peak is the best any row's process measured: a process whose probe ran while the
# hypervisor held one of its vCPUs read half of it (117 against 220-234 GFLOP/s on a quiet AMD
# EPYC Zen 4, one row in six), though its row then ran at full speed.
peaks = [p for p in (load(f"{out}/swift-{n}.json") or {} for n in names) for p in [p.get("peak_gflops")] if p]
machine_peak = max(peaks) if peaks else None
header = None
for name in names:
    swift, torch = load(f"{out}/swift-{name}.json"), load(f"{out}/pytorch-{name}.json")
    if swift is None:
        continue
    if header is None:
        version = torch["version"] if torch else "?"
        peak = machine_peak
        info = {}
        for l in open("/proc/cpuinfo"):
            key, _, value = l.partition(":")
            info.setdefault(key.strip(), value.strip())
        # "AMD EPYC" alone does not say Zen 4 or Zen 5: family and model do (25/17 Zen 4, 26/2 Zen 5).
        cpu = info.get("model name", "unknown CPU") + (f", family {info['cpu family']} model {info['model']}"
                                                       if "cpu family" in info and "model" in info else "")
        spread = f" (rows' processes read {min(peaks):.0f}-{max(peaks):.0f})" if peaks and min(peaks) < max(peaks) else ""
        print(f"CPU: {cpu}; FMA peak on {swift['threads']} threads (PeakProbe): "
              + (f"{peak:.0f} GFLOP/s{spread}" if peak else "not measured"))
        header = (f"| row | Swift ({swift['threads']} threads), median | PyTorch {version}, median | ratio | best-run ratio"
                  " | Swift % of peak | PyTorch % of peak | Swift peak RSS | PyTorch peak RSS |")
        print(header)
        print("|---|---|---|---|---|---|---|---|---|")
    def share(row):
        peak = machine_peak
        return f"{100 * row['gflops'] / peak:.0f} %" if row and row.get("gflops") and peak else "—"
    mine = swift["rows"][0]
    if torch is None or not torch["rows"]:
        print(f"| {name} | {cell(mine)} | — | — | — | {share(mine)} | — | {rss(mine)} | — |")
        continue
    theirs = torch["rows"][0]
    # Same work on both sides, so the throughput ratio is the inverse time ratio.
    best = theirs["best_seconds"] / mine["best_seconds"]
    print(f"| {name} | {cell(mine)} | {cell(theirs)} | {theirs['seconds'] / mine['seconds']:.2f}× | {best:.2f}× "
          f"| {share(mine)} | {share(theirs)} | {rss(mine)} | {rss(theirs)} |")
PY
echo
echo "load average before: $LOAD_BEFORE; after: $LOAD_AFTER ($(nproc) CPUs) — other work on the machine slows both sides"
