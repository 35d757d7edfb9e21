#!/usr/bin/env bash
# Where and how a generator's W carries an attribute — the README's measurements of why the
# large-mouth generators' smile direction does not move the smile (The default model, "the smile's
# spread back"). Run Scripts/measure_generator.sh GENERATOR OUT [STYLE] first: this reads its
# 5,000 samples (OUT/samples, w of seeds 0–4999) and their labels, and writes OUT/structure.txt:
#   1. whether the predictor reads the samples steadily: each of 1,000 samples and its mirror image
#      labelled, r per attribute (yaw and roll negated), beside the same for 1,000 renders;
#   2. which W+ rows decide each attribute: codes whose rows 0–1, 2–3, 4–5, 6–7, 8–9 come from five
#      different samples, labelled, a ridge fit of each pair of rows alone (held-out r, 1,000 codes);
#      and the smile and mouth-open directions fitted on rows 0–1 of those codes, edited there at
#      −10, 0, +10 on samples 1000–1099 (change per unit, monotonic fraction, others' mean change);
#   3. whether the smile is smooth in w: 300 samples with w plus Gaussian noise of 0.1, 0.25 and 0.5
#      of w's spread, r of each attribute with the unperturbed reading;
#   4. whether anything simple reads the smile from rows 0–1: random Fourier features, nearest
#      neighbours.
#
#   Scripts/measure_latent_structure.sh GENERATOR OUT [STYLE]
#
# Needs python3 with numpy (PNG mirroring is done in numpy and zlib). About 3 min on 2 quiet cores.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 2 ]] || { echo "usage: Scripts/measure_latent_structure.sh GENERATOR OUT [STYLE]" >&2; exit 2; }
GEN=$1; OUT=$2; STYLE=${3:-classic}
BIN=.build/release/styleprompter
[[ -f "$OUT/samples/latents.npy" && -f "$OUT/labels.csv" ]] || { echo "$OUT: run Scripts/measure_generator.sh $GEN $OUT $STYLE first" >&2; exit 2; }
swift build -c release --product styleprompter >/dev/null
S=$OUT/structure
mkdir -p "$S"

# 1. Mirror images (a 64-px PNG reader and writer in numpy: the samples are 8-bit, not interlaced).
if [[ ! -f "$S/mirror-renders.csv" ]]; then
    rm -rf "$S/renders" "$S/mirrored" "$S/mirrored-renders"
    "$BIN" synthfaces --count 1000 --seed 4242 --size 64 --style "$STYLE" --out "$S/renders" > /dev/null
    python3 - "$OUT/samples" "$S/mirrored" "$S/renders" "$S/mirrored-renders" <<'PY'
import os, struct, sys, zlib
import numpy as np
def read_png(path):
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', path
    pos, idat = 8, b''
    while pos < len(data):
        n, = struct.unpack('>I', data[pos:pos + 4]); kind = data[pos + 4:pos + 8]; body = data[pos + 8:pos + 8 + n]; pos += 12 + n
        if kind == b'IHDR':
            w, h, depth, colour, _, _, interlace = struct.unpack('>IIBBBBB', body)
            assert depth == 8 and interlace == 0, path
        elif kind == b'IDAT':
            idat += body
    channels = {0: 1, 2: 3, 6: 4}[colour]; stride = w * channels; raw = zlib.decompress(idat)
    out, prev = np.zeros((h, stride), np.uint8), np.zeros(stride, np.int32)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = np.frombuffer(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)], np.uint8).astype(np.int32)
        if f == 0: cur = line
        elif f == 2: cur = (line + prev) & 255
        else:
            cur = np.zeros(stride, np.int32)
            for x in range(stride):
                a = cur[x - channels] if x >= channels else 0; b = prev[x]; c = prev[x - channels] if x >= channels else 0
                if f == 1: v = line[x] + a
                elif f == 3: v = line[x] + (a + b) // 2
                else:
                    p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    v = line[x] + (a if pa <= pb and pa <= pc else (b if pb <= pc else c))
                cur[x] = v & 255
        out[y] = cur; prev = cur
    return out.reshape(h, w, channels)
def write_png(path, image):
    h, w, channels = image.shape
    raw = b''.join(b'\x00' + image[y].tobytes() for y in range(h))
    chunk = lambda kind, body: struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body) & 0xffffffff)
    header = struct.pack('>IIBBBBB', w, h, 8, {1: 0, 3: 2, 4: 6}[channels], 0, 0, 0)
    open(path, 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
for source, target in ((sys.argv[1], sys.argv[2]), (sys.argv[3], sys.argv[4])):
    os.makedirs(target, exist_ok=True)
    for name in sorted(f for f in os.listdir(source) if f.endswith('.png'))[:1000]:
        write_png(os.path.join(target, name), read_png(os.path.join(source, name))[:, ::-1].copy())
PY
    "$BIN" label "$S/mirrored" --out "$S/mirror-samples.csv" > /dev/null
    "$BIN" label "$S/renders" --out "$S/renders-labels.csv" > /dev/null
    "$BIN" label "$S/mirrored-renders" --out "$S/mirror-renders.csv" > /dev/null
fi

# 2 and 3. Codes with rows from five samples; perturbed codes; then the row-0–1 direction edits.
if [[ ! -f "$S/perturbed.csv" ]]; then
    python3 - "$OUT" "$S" <<'PY'
import sys
import numpy as np
out, s = sys.argv[1], sys.argv[2]
w = np.load(f'{out}/samples/latents.npy')
random = np.random.default_rng(1)
perms = np.stack([np.arange(len(w))] + [random.permutation(len(w)) for _ in range(4)])
codes = np.empty_like(w)
for p, first in zip(perms, range(0, 10, 2)): codes[:, first:first + 2] = w[p, first:first + 2]
np.save(f'{s}/mixed-codes.npy', codes.astype(np.float32)); np.save(f'{s}/mixed-perms.npy', perms)
spread = w[:, 0].std(0).mean()
noise = np.random.default_rng(3)
np.save(f'{s}/perturbed-codes.npy', np.concatenate([w[:300] + noise.normal(size=(300, 1, w.shape[2])) * spread * e
                                                    for e in (0.1, 0.25, 0.5)]).astype(np.float32))
PY
    rm -rf "$S/mixed" "$S/perturbed"
    "$BIN" generate --generator "$GEN" --latents "$S/mixed-codes.npy" --batch 50 --out "$S/mixed" > /dev/null
    "$BIN" label "$S/mixed" --out "$S/mixed.csv" > /dev/null
    "$BIN" generate --generator "$GEN" --latents "$S/perturbed-codes.npy" --batch 50 --out "$S/perturbed" > /dev/null
    "$BIN" label "$S/perturbed" --out "$S/perturbed.csv" > /dev/null
fi
if [[ ! -f "$S/row-edits.csv" ]]; then
    python3 - "$OUT" "$S" <<'PY'
import csv, sys
import numpy as np
out, s = sys.argv[1], sys.argv[2]
w = np.load(f'{out}/samples/latents.npy'); perms = np.load(f'{s}/mixed-perms.npy')
rows = sorted(csv.DictReader(open(f'{s}/mixed.csv')), key=lambda r: r['file'])
codes = []
for name in ('smile', 'mouthOpen'):
    y = np.array([float(r[name]) for r in rows[:4000]]); x = w[:4000, 0]     # rows 0–1 are each code's own sample
    centred = x - x.mean(0)
    d = np.linalg.solve(centred.T @ centred + 4 * np.eye(x.shape[1]), centred.T @ (y - y.mean()))
    d /= np.linalg.norm(d)
    for strength in (-10, 0, 10):
        c = w[1000:1100].copy(); c[:, 0:2] += strength * d; codes.append(c)
np.save(f'{s}/row-edit-codes.npy', np.concatenate(codes).astype(np.float32))
PY
    rm -rf "$S/row-edits"
    "$BIN" generate --generator "$GEN" --latents "$S/row-edit-codes.npy" --batch 50 --out "$S/row-edits" > /dev/null
    "$BIN" label "$S/row-edits" --out "$S/row-edits.csv" > /dev/null
fi

python3 - "$OUT" "$S" <<'PY' | tee "$OUT/structure.txt"
import csv, os, sys
import numpy as np
out, s = sys.argv[1], sys.argv[2]
names = ['smile', 'mouthOpen', 'mouthWidth', 'eyeOpenness', 'yaw', 'hairLength', 'skinTone']
def table(path): return {os.path.basename(r['file']): r for r in csv.DictReader(open(path))}
def r(a, b): return np.corrcoef(a, b)[0, 1]
def steady(original, mirrored):
    keys = sorted(set(original) & set(mirrored))
    return ', '.join(f"{n} {r([float(original[k][n]) for k in keys], [(-1 if n == 'yaw' else 1) * float(mirrored[k][n]) for k in keys]):.2f}" for n in names)
print('1. a face and its mirror image read alike (r): samples: ' + steady(table(f'{out}/labels.csv'), table(f'{s}/mirror-samples.csv')))
print('                                                renders: ' + steady(table(f'{s}/renders-labels.csv'), table(f'{s}/mirror-renders.csv')))

w = np.load(f'{out}/samples/latents.npy'); perms = np.load(f'{s}/mixed-perms.npy')
mixed = sorted(csv.DictReader(open(f'{s}/mixed.csv')), key=lambda row: row['file'])
def held_out(x, y):
    m = x[:4000].mean(0); c = x[:4000] - m
    b = np.linalg.solve(c.T @ c + 4 * np.eye(x.shape[1]), c.T @ (y[:4000] - y[:4000].mean()))
    return r((x[4000:] - m) @ b, y[4000:])
print('2. ridge fit (held-out r) of each pair of W+ rows alone, the rows drawn from five samples:')
print('   attribute      rows 0-1  rows 2-3  rows 4-5  rows 6-7  rows 8-9')
for n in names:
    y = np.array([float(row[n]) for row in mixed])
    print(f'   {n:14s}' + ''.join(f'{held_out(w[perms[i], 2 * i], y):10.2f}' for i in range(5)))
sys.path.insert(0, 'Scripts')
from synthfaces_readings import FACE_CONTINUOUS as continuous
edits = sorted(csv.DictReader(open(f'{s}/row-edits.csv')), key=lambda row: row['file'])
readings = np.array([[float(row[c]) for c in continuous] for row in edits]).reshape(2, 3, 100, len(continuous))
for i, name in enumerate(('smile', 'mouthOpen')):
    k = continuous.index(name); others = [c for c in range(len(continuous)) if c != k]
    low, mid, high = readings[i]
    print(f'   {name} direction fitted on rows 0-1, edited there: {np.mean(high[:, k] - low[:, k]) / 20:.4f} per unit, '
          f'monotonic {np.mean((mid[:, k] > low[:, k]) & (high[:, k] > mid[:, k])):.2f}, others {np.mean(np.abs(high - low)[:, others]) / 20:.4f}')

perturbed = sorted(csv.DictReader(open(f'{s}/perturbed.csv')), key=lambda row: row['file'])
base = sorted(csv.DictReader(open(f'{out}/labels.csv')), key=lambda row: row['file'])[:300]
for j, e in enumerate((0.1, 0.25, 0.5)):
    part = perturbed[300 * j:300 * (j + 1)]
    print(f'3. w + noise of {e} of its spread, r with the unperturbed reading: ' +
          ', '.join(f"{n} {r([float(x[n]) for x in base], [float(x[n]) for x in part]):.2f}" for n in names))

y = np.array([float(row['smile']) for row in sorted(csv.DictReader(open(f'{out}/labels.csv')), key=lambda row: row['file'])])
x = w[:, 0]; x = (x - x[:4000].mean(0)) / x[:4000].std(0)
random = np.random.default_rng(0); fits = []
for features in (500, 2000, 4000):
    f = np.concatenate([np.cos(x @ random.normal(size=(x.shape[1], features)) / 16 + random.uniform(0, 2 * np.pi, features)), x], 1)
    m = f[:4000].mean(0); c = f[:4000] - m
    b = np.linalg.solve(c.T @ c + 100 * np.eye(f.shape[1]), c.T @ (y[:4000] - y[:4000].mean()))
    fits.append(f'{features} random Fourier features {r((f[4000:] - m) @ b, y[4000:]):.2f}')
distances = ((x[4000:, None, :] - x[None, :4000, :]) ** 2).sum(-1)
nearest = np.argsort(distances, 1)[:, :50]
fits.append(f'50 nearest neighbours {r(y[:4000][nearest].mean(1), y[4000:]):.2f}')
print('4. smile from rows 0-1 of the unmixed samples (held-out r): linear ' + f'{held_out(w[:, 0], y):.2f}, ' + ', '.join(fits))
PY
