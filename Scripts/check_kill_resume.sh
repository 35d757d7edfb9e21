#!/usr/bin/env bash
# kill -9 at random moments — during saves too — then --resume, again and again: the finished
# run must equal an uninterrupted one byte for byte (its last checkpoint) and every resume must
# find a checkpoint that loads.
#
#   Scripts/check_kill_resume.sh [BINARY] [KILLS]     (default .build/release/styleprompter, 12 kills)
#
# Uses a tiny 32-px generator trained on ../shared/data/faces with a checkpoint every step, so
# that most kills land inside or next to a save. Runs in about half a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/styleprompter}
KILLS=${2:-12}
DATA=../shared/data/faces
if [[ ! -d "$DATA" ]]; then echo "check_kill_resume: skipped ($DATA is absent)"; exit 0; fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ARGS=(--data "$DATA" --size 32 --channels 4:32,8:32,16:32,32:32 --style-dimension 32 --mapping-layers 2
      --batch 4 --kimg 0.24 --checkpoint-every 1 --keep 2 --sample-every 0.1 --threads 2)

"$BIN" train-generator "${ARGS[@]}" --out "$WORK/reference" >/dev/null 2>&1
REFERENCE="$WORK/reference/checkpoints/step-00000060.safetensors"

"$BIN" train-generator "${ARGS[@]}" --out "$WORK/killed" --max-steps 1 >/dev/null 2>&1
for ((i = 1; i <= KILLS; i++)); do
    "$BIN" train-generator --resume "$WORK/killed" --threads 2 >/dev/null 2>&1 &
    pid=$!
    sleep "0.$(( RANDOM % 9 + 1 ))$(( RANDOM % 10 ))"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
done
"$BIN" train-generator --resume "$WORK/killed" --threads 2 >/dev/null 2>&1
if cmp -s "$REFERENCE" "$WORK/killed/checkpoints/step-00000060.safetensors"; then
    echo "check_kill_resume: $KILLS kills, final checkpoint identical to the uninterrupted run"
else
    echo "check_kill_resume: FAILED — the resumed run differs from the uninterrupted one" >&2
    exit 1
fi
