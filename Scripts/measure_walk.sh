#!/usr/bin/env bash
# Measures `edit --walk` against the shipped direction edit through the whole pipeline (invert,
# move the code, decode with SMART) on rendered faces the model never saw, read by the predictor —
# the README's comparison (The default model, "local walks"):
#
#   Scripts/measure_walk.sh OUT [ATTRIBUTE] [COUNT] [STRENGTH] [ROWS…]
#     e.g. Scripts/measure_walk.sh runs/walk smile 30 6 0-2 0-4 0-10
#
# For each row range: edit --walk ATTRIBUTE --layers ROWS at −STRENGTH, 0, +STRENGTH (the bundled
# model and predictor); and the shipped direction (ATTRIBUTE_rows_wplus.npy, on the rows edit-rows
# chose) at −10, 0, +10. Prints, per edit: the attribute's mean reading at the three strengths,
# the fraction of faces that move monotonically, and the mean change of the other continuous
# attributes between the two ends (background, lighting and iris colour left out). MODEL=M and
# DIRECTIONS=DIR measure another model (a run folder or file; STYLE=classic|large-mouth for its
# renders) and its directions instead of the bundled ones. Each walk step
# costs one gradient per held reading (20 by default): about 4 min for 30 faces at ±6 on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 1 ]] || { echo "usage: Scripts/measure_walk.sh OUT [ATTRIBUTE] [COUNT] [STRENGTH] [ROWS…]" >&2; exit 2; }
OUT=$1; NAME=${2:-smile}; COUNT=${3:-30}; STRENGTH=${4:-6}; shift $(( $# < 4 ? $# : 4 ))
RANGES=("$@"); [[ ${#RANGES[@]} -gt 0 ]] || RANGES=(0-2)
BIN=.build/release/styleprompter
swift build -c release --product styleprompter >/dev/null
mkdir -p "$OUT"
MODEL_ARGS=(); [[ -n "${MODEL:-}" ]] && MODEL_ARGS=(--model "$MODEL")
DIRECTIONS=${DIRECTIONS:-Sources/DefaultModel/Resources/directions}
STYLE=${STYLE:-$(grep -o '"synthfaces_style" *: *"[a-z-]*"' Sources/DefaultModel/Resources/training.json | grep -o '[a-z-]*"$' | tr -d '"' || true)}
[[ -f "$OUT/faces/labels.csv" ]] || "$BIN" synthfaces --count "$COUNT" --seed 90900 --size 64 --style "${STYLE:-classic}" --out "$OUT/faces" > /dev/null
for rows in "${RANGES[@]}"; do
    [[ -f "$OUT/walk-$rows.csv" ]] && continue
    rm -rf "$OUT/walk-$rows"
    "$BIN" edit ${MODEL_ARGS[@]+"${MODEL_ARGS[@]}"} "$OUT/faces" --walk "$NAME" --layers "$rows" --strength "-$STRENGTH:$STRENGTH:3" --out "$OUT/walk-$rows" > /dev/null
    "$BIN" label $(ls "$OUT/walk-$rows"/*.png | grep -v _grid) --out "$OUT/walk-$rows.csv" > /dev/null
done
if [[ ! -f "$OUT/direction.csv" ]]; then
    rm -rf "$OUT/direction"
    ROWS_FILE="$DIRECTIONS/${NAME}_rows_wplus.npy"; [[ -f "$ROWS_FILE" ]] || ROWS_FILE="$DIRECTIONS/${NAME}.pt"
    "$BIN" edit ${MODEL_ARGS[@]+"${MODEL_ARGS[@]}"} "$OUT/faces" --direction "$ROWS_FILE" --strength -10:10:3 --out "$OUT/direction" > /dev/null
    "$BIN" label $(ls "$OUT/direction"/*.png | grep -v _grid) --out "$OUT/direction.csv" > /dev/null
fi
python3 - "$OUT" "$NAME" "${RANGES[@]}" <<'PY' | tee "$OUT/summary.txt"
import csv, re, sys
out, name, ranges = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path.insert(0, 'Scripts')
from synthfaces_readings import FACE_CONTINUOUS as continuous
def report(path, label):
    faces = {}
    for row in csv.DictReader(open(path)):
        m = re.search(r'(face_\d+)_.*_([+-]\d+\.\d+)\.png$', row['file'])
        faces.setdefault(m.group(1), {})[float(m.group(2))] = row
    strengths = sorted(next(iter(faces.values())))
    low, mid, high = strengths
    mean = lambda s, c: sum(float(f[s][c]) for f in faces.values()) / len(faces)
    monotonic = sum(float(f[low][name]) < float(f[mid][name]) < float(f[high][name]) for f in faces.values()) / len(faces)
    others = [c for c in continuous if c != name]
    moved = sum(abs(float(f[high][c]) - float(f[low][c])) for f in faces.values() for c in others) / (len(faces) * len(others))
    glasses = sum(f[low]['glasses'] != f[mid]['glasses'] or f[high]['glasses'] != f[mid]['glasses'] for f in faces.values()) / len(faces)
    print(f'{label}: {name} {mean(low, name):+.2f} / {mean(mid, name):+.2f} / {mean(high, name):+.2f} at {low:+g} / 0 / {high:+g}; '
          f'monotonic {monotonic:.2f}; others {moved:.3f} between the ends; glasses appear or vanish {glasses:.2f} ({len(faces)} faces)')
for rows in ranges: report(f'{out}/walk-{rows}.csv', f'walk on rows {rows}')
report(f'{out}/direction.csv', 'shipped direction on its rows')
PY
