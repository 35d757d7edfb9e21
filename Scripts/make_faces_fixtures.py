"""Parity fixtures for the Faces target (Tests/FacesTests/Fixtures).

Run from the repository root, with pSp's sources and the MTCNN weights beside it:

    PSP=/path/to/pixel2style2pixel /work/main/.venv/bin/python Scripts/make_faces_fixtures.py

(PyTorch 2.13 CPU, numpy 2.4, Pillow 13.0; no scipy.) It writes

- `mtcnn_scenes/*.jpg`: synthetic scenes — the CelebA-HQ photos of ../shared/data/faces pasted
  at different scales and angles into a procedural background — small JPEGs, decoded by PIL
  and by our decoder to the same pixels;
- `mtcnn_expected.json`: boxes (x1, y1, x2, y2, score) and landmarks (x1…x5, y1…y5) that pSp's
  `models/mtcnn/mtcnn_pytorch/src/detector.detect_faces` finds on every photo of
  ../shared/data/faces and on every scene, with the weights in ../shared/data/mtcnn;
- `alignment_*.png` + `alignment_expected.json`: FFHQ-aligned crops made by `ffhq_align` below,
  a NumPy/PIL transcription of ffhq-dataset's `recreate_aligned_images` (scipy's
  `gaussian_filter` reimplemented in numpy), for given five points.

pSp's code is run as published with two edits: `device = 'cuda:0'` → `'cpu'`, and P-Net's
`F.softmax(a, dim=-1)` → `dim=1`. The latter is a bug in pSp's copy (the original
mtcnn-pytorch and facenet-pytorch take the softmax over the two classes; over the width, the
probabilities of a wide map are all tiny); our P-Net follows the original.
"""
import json
import math
import os
import sys
import tempfile
import subprocess
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "Tests" / "FacesTests" / "Fixtures"
PSP = Path(os.environ.get("PSP", "/work/.mirror/eladrich+pixel2style2pixel/repo"))


def load_psp_mtcnn():
    """pSp's mtcnn_pytorch/src as an importable package in a temporary folder (read from a
    checkout or a bare git directory), with the two edits above and the weights paths set."""
    folder = Path(tempfile.mkdtemp())
    package = folder / "mtcnn_src"
    package.mkdir()
    (folder / "configs").mkdir()
    (folder / "configs" / "__init__.py").write_text("")
    (folder / "configs" / "paths_config.py").write_text(
        "model_paths = {" + ", ".join(f"'mtcnn_{n}': '{SHARED / 'mtcnn' / (n + '.npy')}'" for n in ("pnet", "rnet", "onet")) + "}\n")
    (package / "__init__.py").write_text("")
    for name in ("get_nets.py", "box_utils.py", "first_stage.py", "detector.py"):
        path = f"models/mtcnn/mtcnn_pytorch/src/{name}"
        if (PSP / path).exists():
            text = (PSP / path).read_text()
        else:
            text = subprocess.run(["git", f"--git-dir={PSP}", "show", f"HEAD:{path}"], check=True,
                                  capture_output=True, text=True).stdout
        text = text.replace("device = 'cuda:0'", "device = 'cpu'")
        text = text.replace("a = F.softmax(a, dim=-1)\n        return b, a", "a = F.softmax(a, dim=1)\n        return b, a")
        (package / name).write_text(text)
    sys.path.insert(0, str(folder))
    import mtcnn_src.detector as detector
    return detector


def detect(detector, image):
    boxes, landmarks = detector.detect_faces(image)
    return {"boxes": np.asarray(boxes, dtype=np.float64).reshape(-1, 5).tolist(),
            "landmarks": np.asarray(landmarks, dtype=np.float64).reshape(-1, 10).tolist()}


def background(width, height, rng):
    """Smooth colour gradients plus low-frequency noise: no face-like structure."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    image = np.zeros((height, width, 3))
    for c in range(3):
        a, b, p = rng.uniform(0.2, 1.0, 3)
        image[..., c] = 90 + 60 * np.sin(x / width * math.pi * 2 * a + p * 6) * np.cos(y / height * math.pi * 2 * b)
    coarse = rng.normal(0, 25, (height // 16 + 2, width // 16 + 2, 3))
    noise = np.asarray(Image.fromarray(np.uint8(np.clip(coarse + 128, 0, 255))).resize((width, height), Image.BICUBIC), np.float64) - 128
    return Image.fromarray(np.uint8(np.clip(image + noise, 0, 255)))


def scene(rng, width, height, placements):
    """`placements`: (face file, side in pixels, angle in degrees, centre x, centre y)."""
    canvas = background(width, height, rng)
    for file, side, angle, cx, cy in placements:
        face = Image.open(SHARED / "faces" / file).convert("RGB").resize((side, side), Image.LANCZOS)
        mask = Image.new("L", face.size, 255)
        face = face.rotate(angle, resample=Image.BICUBIC, expand=True)
        mask = mask.rotate(angle, resample=Image.BILINEAR, expand=True)
        canvas.paste(face, (int(cx - face.width / 2), int(cy - face.height / 2)), mask)
    return canvas


SCENES = {
    "group": (640, 400, [("celebahq_00044.jpg", 150, 0, 110, 130), ("celebahq_00085.jpg", 110, 15, 300, 260),
                         ("celebahq_00251.jpg", 190, -20, 500, 170), ("celebahq_00467.jpg", 70, 5, 280, 80)]),
    "wide": (900, 240, [("celebahq_00051.jpg", 160, -10, 120, 120), ("celebahq_00418.jpg", 90, 25, 470, 110),
                        ("celebahq_00511.jpg", 130, 0, 780, 130)]),
    "edge": (360, 300, [("celebahq_00247.jpg", 200, 8, 70, 200)]),
}


# ----- FFHQ alignment (ffhq-dataset download_ffhq.py, recreate_aligned_images) -----

def gaussian_filter_2d(img, sigma):
    """scipy.ndimage.gaussian_filter(img, [sigma, sigma, 0]) for float32 HxWxC: a 1-D kernel of
    radius int(4·sigma + 0.5), mode 'reflect' (d c b a | a b c d), along axis 0 then axis 1,
    accumulated in float64 and stored as float32 after each pass."""
    radius = int(4.0 * sigma + 0.5)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    kernel = np.exp(-0.5 / (sigma * sigma) * x * x)
    kernel /= kernel.sum()
    out = img
    for axis in (0, 1):
        padded = np.pad(out.astype(np.float64), [(radius, radius) if a == axis else (0, 0) for a in range(3)], mode="symmetric")
        acc = np.zeros(out.shape, np.float64)
        n = out.shape[axis]
        for k in range(2 * radius + 1):
            acc += kernel[k] * (padded[k:k + n] if axis == 0 else padded[:, k:k + n])
        out = acc.astype(np.float32)
    return out


def ffhq_align(img, points, output_size, transform_size):
    """The recipe from five MTCNN points (eyes, nose, mouth corners); returns the crop and quad."""
    lm = np.array(points, dtype=np.float64)
    eye_left, eye_right, mouth_left, mouth_right = lm[0], lm[1], lm[3], lm[4]
    eye_avg = (eye_left + eye_right) * 0.5
    eye_to_eye = eye_right - eye_left
    mouth_avg = (mouth_left + mouth_right) * 0.5
    eye_to_mouth = mouth_avg - eye_avg
    x = eye_to_eye - np.flipud(eye_to_mouth) * [-1, 1]
    x /= np.hypot(*x)
    x *= max(np.hypot(*eye_to_eye) * 2.0, np.hypot(*eye_to_mouth) * 1.8)
    y = np.flipud(x) * [-1, 1]
    c = eye_avg + eye_to_mouth * 0.1
    quad = np.stack([c - x - y, c - x + y, c + x + y, c + x - y])
    qsize = np.hypot(*x) * 2

    shrink = int(np.floor(qsize / output_size * 0.5))
    if shrink > 1:
        rsize = (int(np.rint(float(img.size[0]) / shrink)), int(np.rint(float(img.size[1]) / shrink)))
        img = img.resize(rsize, Image.LANCZOS)
        quad /= shrink
        qsize /= shrink

    border = max(int(np.rint(qsize * 0.1)), 3)
    crop = (int(np.floor(min(quad[:, 0]))), int(np.floor(min(quad[:, 1]))), int(np.ceil(max(quad[:, 0]))), int(np.ceil(max(quad[:, 1]))))
    crop = (max(crop[0] - border, 0), max(crop[1] - border, 0), min(crop[2] + border, img.size[0]), min(crop[3] + border, img.size[1]))
    if crop[2] - crop[0] < img.size[0] or crop[3] - crop[1] < img.size[1]:
        img = img.crop(crop)
        quad -= crop[0:2]

    pad = (int(np.floor(min(quad[:, 0]))), int(np.floor(min(quad[:, 1]))), int(np.ceil(max(quad[:, 0]))), int(np.ceil(max(quad[:, 1]))))
    pad = (max(-pad[0] + border, 0), max(-pad[1] + border, 0), max(pad[2] - img.size[0] + border, 0), max(pad[3] - img.size[1] + border, 0))
    if max(pad) > border - 4:
        pad = np.maximum(pad, int(np.rint(qsize * 0.3)))
        img = np.pad(np.float32(img), ((pad[1], pad[3]), (pad[0], pad[2]), (0, 0)), 'reflect')
        h, w, _ = img.shape
        y, x, _ = np.ogrid[:h, :w, :1]
        mask = np.maximum(1.0 - np.minimum(np.float32(x) / pad[0], np.float32(w - 1 - x) / pad[2]),
                          1.0 - np.minimum(np.float32(y) / pad[1], np.float32(h - 1 - y) / pad[3]))
        blur = qsize * 0.02
        img += (gaussian_filter_2d(img, blur) - img) * np.clip(mask * 3.0 + 1.0, 0.0, 1.0)
        img += (np.median(img, axis=(0, 1)) - img) * np.clip(mask, 0.0, 1.0)
        img = Image.fromarray(np.uint8(np.clip(np.rint(img), 0, 255)), 'RGB')
        quad += pad[:2]

    img = img.transform((transform_size, transform_size), Image.QUAD, (quad + 0.5).flatten(), Image.BILINEAR)
    if output_size < transform_size:
        img = img.resize((output_size, output_size), Image.LANCZOS)
    return img


def main():
    torch.set_num_threads(2)
    OUT.mkdir(parents=True, exist_ok=True)
    detector = load_psp_mtcnn()
    rng = np.random.default_rng(11)
    expected = {"photos": {}, "scenes": {}}
    (OUT / "mtcnn_scenes").mkdir(exist_ok=True)
    for name, (w, h, placements) in SCENES.items():
        image = scene(rng, w, h, placements)
        path = OUT / "mtcnn_scenes" / f"{name}.jpg"
        image.save(path, quality=90)
        decoded = Image.open(path).convert("RGB")
        expected["scenes"][name] = detect(detector, decoded) | {"placed": len(placements)}
    for path in sorted((SHARED / "faces").glob("*.jpg")):
        image = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
        expected["photos"][path.name] = detect(detector, image)
    (OUT / "mtcnn_expected.json").write_text(json.dumps(expected, indent=1))

    # An EXIF-rotated photo: the pixels stored turned 90° anticlockwise, tagged orientation 6
    # ("turn 90° clockwise to display"), so viewers (and ImageOps.exif_transpose) show it upright.
    upright = Image.open(SHARED / "faces" / "celebahq_00044.jpg").convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6
    upright.transpose(Image.Transpose.ROTATE_90).save(OUT / "exif_rotated.jpg", quality=92, exif=exif.tobytes())

    # Alignment: given points (the detections above, and hand-made ones that force shrinking,
    # padding on every side, and a rolled face), the recipe's crop.
    cases = []
    photo = expected["photos"]["sp_input_0.jpg"]["landmarks"][0]
    cases.append(("sp_input_0.jpg", [[photo[k], photo[k + 5]] for k in range(5)], 128, 512))        # shrink 2+
    small = expected["photos"]["celebahq_00044.jpg"]["landmarks"][0]
    cases.append(("celebahq_00044.jpg", [[small[k], small[k + 5]] for k in range(5)], 128, 256))     # padding
    cases.append(("celebahq_00251.jpg", [[100, 110], [160, 100], [135, 140], [110, 175], [158, 168]], 96, 384))  # rolled
    group = expected["scenes"]["group"]["landmarks"][0]
    cases.append(("scene:group", [[group[k], group[k + 5]] for k in range(5)], 64, 64))             # no antialias step
    records = []
    for index, (source, points, output_size, transform_size) in enumerate(cases):
        if source.startswith("scene:"):
            image = Image.open(OUT / "mtcnn_scenes" / f"{source[6:]}.jpg").convert("RGB")
        else:
            image = Image.open(SHARED / "faces" / source).convert("RGB")
        crop = ffhq_align(image, points, output_size, transform_size)
        name = f"alignment_{index}.png"
        crop.save(OUT / name)
        records.append({"source": source, "points": points, "outputSize": output_size, "transformSize": transform_size, "crop": name})
    (OUT / "alignment_expected.json").write_text(json.dumps(records, indent=1))
    print(json.dumps({k: {n: len(v["boxes"]) for n, v in d.items()} for k, d in expected.items()}))


if __name__ == "__main__":
    main()
