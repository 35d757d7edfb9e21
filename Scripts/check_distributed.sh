#!/usr/bin/env bash
# Data-parallel training and sharded inversion under `mpirun --oversubscribe -np 2` on this
# machine (loopback). Needs Open MPI (mpirun) and a binary built with the MPI trait:
#
#   swift build -c release --traits MPI && Scripts/check_distributed.sh [BINARY]
#
# Checks, each on tiny models (SynthFaces data, no files from ../shared), about a minute in all:
#  1. stage-1 training on 2 ranks equals one process at the same global batch: final weights
#     within BOUND (float32 summation noise), every checkpoint's replicas bit-identical;
#  2. resume across rank counts: 2 ranks → 1 rank → 2 ranks ends where one process ends;
#  3. stage 2 (SMART, dropout masks sharded) on 2 ranks equals one process;
#  4. GAN training on 2 ranks: replicas identical at every checkpoint, resumes on 1 rank;
#  5. a rank killed with SIGKILL ends the job non-zero within 60 s, and the run resumes;
#  6. sharded inversion: --shard i/3 + --merge, and mpirun --distributed, equal the
#     unsharded latents.npy and names.txt byte for byte;
#  7. the same for edit (edits_TAG.npy, grids) and eval (every per-image value and the summary).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-.build/release/styleprompter}")
BOUND=${BOUND:-1e-6}
if ! command -v mpirun >/dev/null 2>&1; then echo "check_distributed: skipped (no mpirun: apt install openmpi-bin libopenmpi-dev)"; exit 0; fi
if [[ "$(id -u)" == 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMPI_MCA_btl_vader_single_copy_mechanism=none   # no CMA across containers' ptrace limits
MPI=(mpirun --oversubscribe -np 2)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "check_distributed: FAILED — $*" >&2; exit 1; }
replicas_checked() { grep -c "replicas identical" "$1/log.txt" || true; }

echo "== a tiny generator to invert through"
GAN=(--data synthfaces:5 --size 32 --channels 4:32,8:32,16:32,32:32 --style-dimension 32 --mapping-layers 2
     --batch 4 --kimg 0.032 --checkpoint-every 4 --keep 3 --sample-every 1)
"$BIN" train-generator "${GAN[@]}" --out "$WORK/gan" --threads 1 >/dev/null 2>&1 || fail "train-generator (1 process)"

echo "== 1. stage 1: 2 ranks against one process"
S1=(--stage 1 --data synthfaces:6 --generator "$WORK/gan" --image-size 32 --patch-size 2 --embed-dim 16 --depths 2,2
    --heads 1,2 --window 4 --batch 4 --steps 6 --val-images 2 --validate-every 3 --checkpoint-every 2 --keep 5 --seed 3)
"$BIN" train "${S1[@]}" --out "$WORK/s1-one" --threads 1 >/dev/null 2>&1 || fail "train stage 1 (1 process)"
"${MPI[@]}" "$BIN" train "${S1[@]}" --out "$WORK/s1-two" --distributed >"$WORK/s1-two.out" 2>&1 || { cat "$WORK/s1-two.out"; fail "train stage 1 (2 ranks)"; }
[[ $(replicas_checked "$WORK/s1-two") -ge 3 ]] || fail "stage 1: the replicas were not checked identical at every checkpoint"
Scripts/compare_safetensors.py "$WORK/s1-one/model.safetensors" "$WORK/s1-two/model.safetensors" "$BOUND" || fail "stage 1: 2 ranks differ from one process"
for step in 00000002 00000004 00000006; do       # the trajectory: weights and Ranger's moments at every checkpoint
    Scripts/compare_safetensors.py "$WORK/s1-one/checkpoints/step-$step.safetensors" "$WORK/s1-two/checkpoints/step-$step.safetensors" "$BOUND" \
        || fail "stage 1: the 2-rank state at step $step differs from one process"
done
python3 - "$WORK" <<'PY' || fail "stage 1: the 2-rank loss trajectory differs from one process"
import json, sys
w = sys.argv[1]
for log in ["metrics.jsonl", "validation.jsonl"]:
    one = [json.loads(l) for l in open(f"{w}/s1-one/{log}")]
    two = [json.loads(l) for l in open(f"{w}/s1-two/{log}")]
    assert [r["step"] for r in one] == [r["step"] for r in two], log
    worst = 0.0
    for a, b in zip(one, two):
        values = a.get("terms") or a.get("metrics")
        others = b.get("terms") or b.get("metrics")
        for key, x in values.items():
            worst = max(worst, abs(x - others[key]) / max(abs(x), 1e-3))
    print(f"   {log}: {len(one)} records, largest relative difference {worst:.2g}")
    assert worst <= 1e-5, (log, worst)
PY

echo "== 2. resume 2 ranks → 1 rank → 2 ranks"
"${MPI[@]}" "$BIN" train "${S1[@]}" --out "$WORK/s1-mixed" --distributed --max-steps 2 >/dev/null 2>&1 || fail "resume test: first 2 steps on 2 ranks"
"$BIN" train --resume "$WORK/s1-mixed" --threads 1 --max-steps 2 >/dev/null 2>&1 || fail "resume test: 2 steps on 1 rank"
"${MPI[@]}" "$BIN" train --resume "$WORK/s1-mixed" --distributed >/dev/null 2>&1 || fail "resume test: last steps on 2 ranks"
Scripts/compare_safetensors.py "$WORK/s1-one/model.safetensors" "$WORK/s1-mixed/model.safetensors" "$BOUND" || fail "resume across rank counts differs from one process"

echo "== 3. stage 2 (SMART): 2 ranks against one process"
S2=(--stage 2 --data synthfaces:7 --from "$WORK/s1-one" --batch 4 --steps 4 --val-images 2 --validate-every 2 --checkpoint-every 2 --seed 4)
"$BIN" train "${S2[@]}" --out "$WORK/s2-one" --threads 1 >/dev/null 2>&1 || fail "train stage 2 (1 process)"
"${MPI[@]}" "$BIN" train "${S2[@]}" --out "$WORK/s2-two" --distributed >/dev/null 2>&1 || fail "train stage 2 (2 ranks)"
Scripts/compare_safetensors.py "$WORK/s2-one/model.safetensors" "$WORK/s2-two/model.safetensors" "$BOUND" || fail "stage 2: 2 ranks differ from one process"

echo "== 4. GAN: 2 ranks, replicas identical, resume on 1 rank"
"${MPI[@]}" "$BIN" train-generator "${GAN[@]}" --out "$WORK/gan-two" --distributed --max-steps 4 >/dev/null 2>&1 || fail "train-generator (2 ranks)"
[[ $(replicas_checked "$WORK/gan-two") -ge 1 ]] || fail "GAN: replicas not checked"
"$BIN" train-generator --resume "$WORK/gan-two" --threads 1 --max-steps 2 >/dev/null 2>&1 || fail "GAN: resume on 1 rank"
"${MPI[@]}" "$BIN" train-generator --resume "$WORK/gan-two" --distributed >/dev/null 2>&1 || fail "GAN: resume on 2 ranks"
[[ $(replicas_checked "$WORK/gan-two") -ge 2 ]] || fail "GAN: replicas not checked after the resume"

echo "== 5. a rank killed mid-run"
"${MPI[@]}" "$BIN" train-generator "${GAN[@]}" --kimg 100 --checkpoint-every 2 --out "$WORK/gan-kill" --distributed >"$WORK/kill.out" 2>&1 &
LAUNCHER=$!
for _ in $(seq 1 100); do [[ -n "$(ls "$WORK/gan-kill/checkpoints" 2>/dev/null | grep step- || true)" ]] && break; sleep 0.2; done
VICTIM=$(pgrep -n -f "train-generator.*gan-kill" || true)
[[ -n "$VICTIM" ]] || fail "kill test: no rank process found"
kill -9 "$VICTIM"
START=$SECONDS
STATUS=0
for _ in $(seq 1 600); do kill -0 "$LAUNCHER" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$LAUNCHER" 2>/dev/null; then kill -9 "$LAUNCHER"; pkill -9 -f "gan-kill" || true; fail "kill test: mpirun still running 60 s after a rank died"; fi
wait "$LAUNCHER" || STATUS=$?
[[ $STATUS -ne 0 ]] || fail "kill test: mpirun exited 0 after a rank was killed"
echo "   mpirun exited $STATUS $((SECONDS - START)) s after the kill"
"$BIN" train-generator --resume "$WORK/gan-kill" --threads 1 --max-steps 1 >/dev/null 2>&1 || fail "kill test: the last checkpoint does not resume"

echo "== 6. sharded inversion"
"$BIN" synthfaces --count 7 --seed 91 --size 64 --out "$WORK/photos" >/dev/null 2>&1
"$BIN" invert "$WORK/photos" --out "$WORK/inv-all" >/dev/null 2>&1 || fail "invert (unsharded)"
for i in 0 1 2; do "$BIN" invert "$WORK/photos" --out "$WORK/inv-shards" --shard "$i/3" >/dev/null 2>&1 || fail "invert --shard $i/3"; done
"$BIN" invert --merge --out "$WORK/inv-shards" >/dev/null || fail "invert --merge"
"${MPI[@]}" "$BIN" invert "$WORK/photos" --out "$WORK/inv-mpi" --distributed >/dev/null 2>&1 || fail "invert --distributed (2 ranks)"
for folder in inv-shards inv-mpi; do
    cmp -s "$WORK/inv-all/latents.npy" "$WORK/$folder/latents.npy" || fail "$folder: latents.npy differs from the unsharded run"
    cmp -s "$WORK/inv-all/names.txt" "$WORK/$folder/names.txt" || fail "$folder: names.txt differs from the unsharded run"
done
echo "== 7. sharded edit and eval"
DIRECTION=Sources/DefaultModel/Resources/directions/smile.pt
EDIT=(--direction "$DIRECTION" --strength -2:2:3 --save-raw)
"$BIN" edit "$WORK/photos" "${EDIT[@]}" --out "$WORK/ed-all" >/dev/null 2>&1 || fail "edit (unsharded)"
for i in 0 1; do "$BIN" edit "$WORK/photos" "${EDIT[@]}" --out "$WORK/ed-shards" --shard "$i/2" >/dev/null 2>&1 || fail "edit --shard $i/2"; done
"$BIN" edit --merge --out "$WORK/ed-shards" >/dev/null || fail "edit --merge"
"${MPI[@]}" "$BIN" edit "$WORK/photos" "${EDIT[@]}" --out "$WORK/ed-mpi" --distributed >/dev/null 2>&1 || fail "edit --distributed (2 ranks)"
for folder in ed-shards ed-mpi; do
    cmp -s "$WORK/ed-all/edits_smile.npy" "$WORK/$folder/edits_smile.npy" || fail "$folder: edits_smile.npy differs from the unsharded run"
    cmp -s "$WORK/ed-all/face_000003_smile_grid.png" "$WORK/$folder/face_000003_smile_grid.png" || fail "$folder: a grid differs from the unsharded run"
done
"$BIN" eval --images "$WORK/photos" --json "$WORK/ev-all.json" >/dev/null 2>&1 || fail "eval (unsharded)"
for i in 0 1 2; do "$BIN" eval --images "$WORK/photos" --shard "$i/3" --json "$WORK/ev-$i.json" >/dev/null 2>&1 || fail "eval --shard $i/3"; done
"$BIN" eval --merge "$WORK"/ev-{0,1,2}.json --json "$WORK/ev-merged.json" >/dev/null || fail "eval --merge"
"${MPI[@]}" "$BIN" eval --images "$WORK/photos" --distributed --json "$WORK/ev-mpi.json" >/dev/null 2>&1 || fail "eval --distributed (2 ranks)"
python3 - "$WORK" <<'PY' || fail "sharded eval: per-image values differ from the unsharded run"
import json, sys
w = sys.argv[1]
whole = json.load(open(f"{w}/ev-all.json"))
for name in ["ev-merged.json", "ev-mpi.json"]:
    other = json.load(open(f"{w}/{name}"))
    for metric in ["mse", "psnr", "ssim"]:
        assert whole["per_image"][metric] == other["per_image"][metric], (name, metric)
        assert whole["metrics"][metric] == other["metrics"][metric], (name, metric)
PY

echo "check_distributed: all passed (weights within $BOUND of one process; merged invert, edit and eval outputs identical to unsharded runs)"
