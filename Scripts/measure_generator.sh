#!/usr/bin/env bash
# Measures a generator (a run folder, its generator.safetensors, or a checkpoint) the way the README's
# generator tables were measured — the shipped generator, the longer plain run and the large-mouth
# run's checkpoints:
#   1. `eval-synthfaces --generator`: the Fréchet distance on the attribute predictor's features
#      (500 faces, real-versus-real floor beside it) and each attribute's spread over the renders';
#   2. InterFaceGAN directions from 5,000 of its samples (seeds 0–4999) labelled by the predictor,
#      and each fit's held-out r;
#   3. the edits themselves on 100 of its samples (w of seeds 1000–1099): smile, mouth open and eye
#      openness at unit norm on W+ rows 6–9 and on every row, at −10, 0 and +10, read by the
#      predictor — the change of the attribute per unit of strength, the fraction of samples that
#      move monotonically, and the other continuous attributes' mean change per unit.
#
#   Scripts/measure_generator.sh GENERATOR OUT [STYLE]     (STYLE: classic (default) or large-mouth)
#
# Needs python3 with numpy for step 3's arithmetic (not the package). About 2 min on 2 quiet cores.
# Finished parts are skipped when it is run again; OUT/summary.txt holds the numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 2 ]] || { echo "usage: Scripts/measure_generator.sh GENERATOR OUT [STYLE]" >&2; exit 2; }
GEN=$1; OUT=$2; STYLE=${3:-classic}
BIN=.build/release/styleprompter
swift build -c release --product styleprompter >/dev/null
mkdir -p "$OUT"

[[ -f "$OUT/generator.json" ]] || "$BIN" eval-synthfaces --generator "$GEN" --count 500 --style "$STYLE" --json "$OUT/generator.json" > "$OUT/generator.log" 2>&1
[[ -f "$OUT/samples/latents.npy" ]] || "$BIN" generate --generator "$GEN" --seeds 0-4999 --batch 50 --out "$OUT/samples" > /dev/null
[[ -f "$OUT/labels.csv" ]] || "$BIN" label "$OUT/samples" --out "$OUT/labels.csv" > /dev/null
[[ -f "$OUT/directions/directions.json" ]] || "$BIN" directions --latents "$OUT/samples/latents.npy" --labels "$OUT/labels.csv" \
    --method normal --out "$OUT/directions" > /dev/null

EDITED=smile,mouthOpen,eyeOpenness
if [[ ! -f "$OUT/edit-labels.csv" ]]; then
    python3 - "$OUT" "$EDITED" <<'PY'
import sys, numpy as np
out, names = sys.argv[1], sys.argv[2].split(',')
w = np.load(f'{out}/samples/latents.npy')[1000:1100]
codes = []
for name in names:
    d = np.load(f'{out}/directions/{name}_wplus.npy')
    d = d / np.linalg.norm(d[0])            # every row holds the same unit direction
    for first, last in ((6, 10), (0, w.shape[1])):
        for strength in (-10, 0, 10):
            x = w.copy(); x[:, first:last] += strength * d[first:last]; codes.append(x)
np.save(f'{out}/edit-codes.npy', np.concatenate(codes).astype(np.float32))
PY
    rm -rf "$OUT/edits"
    "$BIN" generate --generator "$GEN" --latents "$OUT/edit-codes.npy" --batch 50 --out "$OUT/edits" > /dev/null
    "$BIN" label "$OUT/edits" --out "$OUT/edit-labels.csv" > /dev/null
fi

python3 - "$OUT" "$EDITED" <<'PY' | tee "$OUT/summary.txt"
import sys, csv, json, numpy as np
out, names = sys.argv[1], sys.argv[2].split(',')
g = json.load(open(f'{out}/generator.json'))
print(f"Fréchet distance {g['frechet_distance']:.1f} (real against real {g['frechet_distance_real_vs_real']:.2f})")
print('spread over the renders\': ' + ', '.join(f'{k} {v:.2f}' for k, v in sorted(g['generator_spread'].items())))
fits = json.load(open(f'{out}/directions/directions.json'))['directions']
print('held-out fit: ' + ', '.join(f"{x['attribute']} {(x['held_out_correlation'] or x['held_out_accuracy'] or 0):.2f}" for x in fits))
rows = sorted(csv.DictReader(open(f'{out}/edit-labels.csv')), key=lambda r: r['file'])
sys.path.insert(0, 'Scripts')
from synthfaces_readings import FACE_CONTINUOUS as continuous
readings = np.array([[float(r[c]) for c in continuous] for r in rows]).reshape(len(names), 2, 3, 100, len(continuous))
for i, name in enumerate(names):
    k = continuous.index(name)
    others = [c for c in range(len(continuous)) if c != k]
    for j, label in enumerate(('rows 6-9', 'every row')):
        low, mid, high = readings[i, j]
        change = (high[:, k] - low[:, k]) / 20
        monotonic = np.mean((mid[:, k] > low[:, k]) & (high[:, k] > mid[:, k]))
        moved = np.mean(np.abs(high - low)[:, others]) / 20
        print(f'edit {name} on {label}: {change.mean():.4f} per unit, monotonic {monotonic:.2f}, others {moved:.4f} per unit')
PY
