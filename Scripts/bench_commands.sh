#!/usr/bin/env bash
# Whole commands, process start to files written, beside the released PyTorch code doing the same
# job (Scripts/bench_commands_pytorch.py), on the same checkpoints and thread count:
#   generate  — one 1024-px image from one W+ row (rosinality g_ema checkpoint) to a PNG
#   invert    — one photo through the released full-size StylePrompter (Swin-V2-T, SGGenerator
#               1024 px, SMART) to a PNG and its codes
# Each job runs RUNS times (default 3) on each side, alternating, and after each pair the model
# alone (styleprompter-bench's generator1024_b1 / invert1024_b1 row, median of its 5 runs): the
# table gives the median wall times, the largest peak RSS (/usr/bin/time) and each command's
# overhead over its model measured in the same minutes (this machine kind's load from other
# sessions changes from minute to minute). The inputs are read into the page cache before every
# timed run, on both sides: the host drops idle page cache within ~20 s here, and a cold read of
# the 280 MB checkpoint from this disk (36–77 MB/s) would time the disk, not the program.
#
#   Scripts/bench_commands.sh [--threads N] [--pause PID]
# --pause PID: SIGSTOP that process while each job runs (as bench.sh does), SIGCONT after.
# Checkpoints (seeded random weights of the real shapes, ~410 MB) are made once into
# .bench-checkpoints/ (ignored by git). Environment: PYTHON (default .venv/bin/python), RUNS.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
RUNS=${RUNS:-3}
THREADS=2
PAUSE_PID=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --threads) THREADS="$2"; shift 2 ;;
        --pause) PAUSE_PID="$2"; shift 2 ;;
        *) echo "usage: Scripts/bench_commands.sh [--threads N] [--pause PID]" >&2; exit 2 ;;
    esac
done
export THREADS
CK=.bench-checkpoints
PHOTO=../shared/data/faces/celebahq_00044.jpg
[[ -f "$PHOTO" ]] || { echo "bench_commands: $PHOTO is missing (../shared/data beside the checkout)" >&2; exit 2; }
[[ -f "$CK/stylePrompter_full.pt" ]] || "$PYTHON" Scripts/bench_commands_pytorch.py make-checkpoints "$CK"
swift build -c release --product styleprompter >/dev/null
swift build -c release --product styleprompter-bench >/dev/null
BIN=.build/release/styleprompter
BENCH=.build/release/styleprompter-bench
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; [[ -n "$PAUSE_PID" ]] && kill -CONT "$PAUSE_PID" 2>/dev/null || true' EXIT
# The released models/ folder, exported once (outside the timing).
MIRROR=$(ls -d /work/.mirror/I2-Multimedia-Lab+StylePrompter/repo 2>/dev/null || true)
[[ -n "$MIRROR" ]] || { echo "bench_commands: the library's mirror of I2-Multimedia-Lab/StylePrompter is missing" >&2; exit 2; }
mkdir -p "$WORK/released" && git --git-dir="$MIRROR" archive HEAD models 2>/dev/null | tar -x -C "$WORK/released"

# One timed run: prints "seconds kib".
timed() {
    [[ -n "$PAUSE_PID" ]] && { kill -STOP "$PAUSE_PID"; sleep 1; }
    cat "$CK"/* "$PHOTO" > /dev/null
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr" || { cat "$WORK/stderr" >&2; exit 1; }
    [[ -n "$PAUSE_PID" ]] && kill -CONT "$PAUSE_PID"
    cat "$WORK/time"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A SWIFT PYTORCH
for job in generate invert; do
    : > "$WORK/swift-$job"; : > "$WORK/pytorch-$job"
    for ((r = 0; r < RUNS; r++)); do
        rm -rf "$WORK/out-s" "$WORK/out-p"
        case $job in
            generate)
                timed "$BIN" generate --generator "$CK/g1024.pt" --latents "$CK/w1.npy" --out "$WORK/out-s" --threads "$THREADS" >> "$WORK/swift-$job"
                timed "$PYTHON" Scripts/bench_commands_pytorch.py generate "$CK/g1024.pt" "$CK/w1.npy" "$WORK/out-p" >> "$WORK/pytorch-$job" ;;
            invert)
                timed "$BIN" invert --model "$CK/stylePrompter_full.pt" "$PHOTO" --out "$WORK/out-s" --threads "$THREADS" >> "$WORK/swift-$job"
                timed "$PYTHON" Scripts/bench_commands_pytorch.py invert "$WORK/released" "$CK/stylePrompter_full.pt" "$PHOTO" "$WORK/out-p" >> "$WORK/pytorch-$job" ;;
        esac
        row=$([[ $job == generate ]] && echo generator1024_b1 || echo invert1024_b1)
        [[ -n "$PAUSE_PID" ]] && kill -STOP "$PAUSE_PID"
        "$BENCH" --rows "$row" --threads "$THREADS" --json "$WORK/model.json" >/dev/null 2>&1 || { echo "bench_commands: $BENCH --rows $row failed" >&2; exit 1; }
        [[ -n "$PAUSE_PID" ]] && kill -CONT "$PAUSE_PID"
        "$PYTHON" -c "import json,sys; print(json.load(open(sys.argv[1]))['rows'][0]['seconds'])" "$WORK/model.json" >> "$WORK/model-$job"
    done
done

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $THREADS threads, $RUNS runs each"
printf "%-10s %10s %10s %8s %12s %12s %s\n" job swift_s pytorch_s ratio swift_rss pytorch_rss "over the model"
for job in generate invert; do
    s=$(cut -d' ' -f1 "$WORK/swift-$job" | median); p=$(cut -d' ' -f1 "$WORK/pytorch-$job" | median)
    sr=$(cut -d' ' -f2 "$WORK/swift-$job" | sort -n | tail -1); pr=$(cut -d' ' -f2 "$WORK/pytorch-$job" | sort -n | tail -1)
    m=$(median < "$WORK/model-$job")
    over=$(awk -v s="$s" -v m="$m" 'BEGIN {printf "model %.2f s, +%.2f s", m, s - m}')
    awk -v j="$job" -v s="$s" -v p="$p" -v sr="$sr" -v pr="$pr" -v o="$over" \
        'BEGIN {printf "%-10s %10.2f %10.2f %7.2fx %9.2f GB %9.2f GB %s\n", j, s, p, p / s, sr / 1048576, pr / 1048576, o}'
done
