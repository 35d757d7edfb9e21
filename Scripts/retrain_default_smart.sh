#!/usr/bin/env bash
# Retrains the shipped default model's SMART block (stage 2) anew with edited generator samples
# (`train --edited 8`, README: Training) and packages Sources/DefaultModel/Resources again. The
# generator and the stage-1 encoder stay exactly as shipped (their runs are in the shipped
# training.json; Scripts/train_default_model.sh retrains everything from scratch, stage 2 the same
# way). The directions are the shipped InterFaceGAN normals — they are fitted on the generator's
# samples, which do not change — but the rows each edit moves are measured again through the new
# SMART (`edit-rows`), and the evaluation is run again. Resumable: run it again after any stop.
#
#   Scripts/retrain_default_smart.sh [RUNS_FOLDER]          (default runs/smart; ignored by git)
#
# About 55 min on this machine kind (2 cores): stage 2 ~45 min, edit rows ~3 min, evaluation ~5 min.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-runs/smart}
BIN=.build/release/styleprompter
SHIPPED=Sources/DefaultModel/Resources
NAMES=smile,mouthOpen,glasses,hairLength,yaw,skinTone,eyeOpenness
swift build -c release --product styleprompter >/dev/null
mkdir -p "$RUNS"
# The shipped files, copied out first: package-model rewrites the shipped folder at the end.
for file in model.safetensors training.json attributes.safetensors; do
    [[ -f "$RUNS/$file" ]] || cp "$SHIPPED/$file" "$RUNS/$file"
done
[[ -d "$RUNS/directions" ]] || cp -r "$SHIPPED/directions" "$RUNS/directions"

# Stage 2 from the shipped encoder, SMART started anew (--new-smart: the shipped file holds both stages).
if [[ -f "$RUNS/stage2/config.json" ]]; then "$BIN" train --resume "$RUNS/stage2"
else "$BIN" train --stage 2 --data synthfaces:2 --from "$RUNS/model.safetensors" --new-smart --batch 8 --edited 8 --steps 4000 --lr 2e-4 \
    --attributes "$RUNS/attributes.safetensors" --val-images 16 --validate-every 500 --checkpoint-every 500 --seed 3 --out "$RUNS/stage2"; fi

# The rows each shipped direction's edit moves, measured through the new SMART.
[[ -f "$RUNS/edit-rows.done" ]] || { "$BIN" edit-rows --model "$RUNS/stage2" --attributes "$RUNS/attributes.safetensors" \
    --directions "$RUNS/directions" --names "$NAMES" --count 100 && touch "$RUNS/edit-rows.done"; }
[[ -f "$RUNS/evaluation.json" ]] || "$BIN" eval-synthfaces --model "$RUNS/stage2" --generator "$RUNS/model.safetensors" \
    --attributes "$RUNS/attributes.safetensors" --directions "$RUNS/directions" --count 500 --json "$RUNS/evaluation.json"

ABLATION_NOTE=${ABLATION_NOTE:-"The encoder was trained, and this ablation's fidelity columns were read, with the compact attribute predictor shipped first; every other number in this card is read by the deep predictor shipped beside it."}
"$BIN" package-model --model "$RUNS/stage2" --history "$RUNS/training.json" \
    --attributes "$RUNS/attributes.safetensors" --directions "$RUNS/directions" \
    --ship "$NAMES" --evaluation "$RUNS/evaluation.json" --ablation-predictor-note "$ABLATION_NOTE" \
    --out "${OUT:-$SHIPPED}"
