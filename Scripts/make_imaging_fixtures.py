#!/usr/bin/env python3
"""Reference data for Tests/ImagingTests: PNG and JPEG files with PIL's decoded pixels.

How to run (from the repository root; the .venv is ignored by git):
    python3 -m venv .venv                       # once, if .venv does not exist
    .venv/bin/pip install pillow numpy torch    # PyPI; torch only for the tensor fixtures
    .venv/bin/python Scripts/make_imaging_fixtures.py

Writes Tests/ImagingTests/Fixtures/imaging/ (kept small, < 500 KB):
  manifest.json          what every file is and which reference belongs to it
  png_*.png              every colour type and bit depth, plain and Adam7-interlaced. PIL writes
                         neither interlaced nor most 16-bit PNGs, so write_png() below writes
                         them (cycling all five filters), and PIL decodes them for reference.
  jpeg_*.jpg             PIL/libjpeg-turbo JPEGs: baseline and progressive at 4:4:4, 4:2:2,
                         4:2:0, greyscale, restart markers, optimised Huffman tables, and the
                         eight EXIF orientations
  jpeg_sampling_*.jpg    sampling factors PIL cannot write (4:4:0, 4:1:1, 3×2, mixed chroma,
                         2×2 greyscale), written by write_baseline_jpeg() below; PIL decodes them
  *.rgb / *.samples      raw reference bytes: PIL's .convert("RGB") (row-major RGB), or the
                         decoded samples (uint8, or uint16 little-endian for 16-bit PNGs)
  resize_*.rgb           PIL Image.resize of resize_source.png with BILINEAR/BICUBIC/LANCZOS
  face_*.rgb             64×64 centre crops of PIL's decode (and BILINEAR 256² resize) of the
                         photos in ../shared/data/faces, with CRC-32 and channel means of the
                         whole image in the manifest
  tensors.safetensors    transforms.ToTensor()+Normalize(0.5, 0.5) and pSp's tensor2im on
                         hand-picked values (float32)

Conventions checked here: 16-bit grey PNGs are *not* compared with PIL's RGB, since PIL clips
I;16 to 255 when converting; the Swift decoder keeps the high byte instead.
"""
import io, json, os, struct, zlib
import numpy as np
from PIL import Image, ImageOps

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ImagingTests", "Fixtures", "imaging")
FACES = os.path.join(ROOT, "..", "shared", "data", "faces")
rng = np.random.default_rng(1234)
manifest = {"png": [], "jpeg": [], "resize": [], "faces": [], "faceResizes": []}


def save_bytes(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def synthetic_rgb(w, h, seed=0):
    """Gradients, a disc and mild noise: smooth areas and edges, like a photo in miniature."""
    r = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.stack([255 * x / max(w - 1, 1), 255 * y / max(h - 1, 1), 128 + 100 * np.sin(x / 3 + y / 5)], -1)
    disc = (x - w * 0.6) ** 2 + (y - h * 0.4) ** 2 < (min(w, h) * 0.3) ** 2
    img[disc] = [230, 40, 60]
    img += r.normal(0, 6, img.shape)
    return np.clip(img, 0, 255).round().astype(np.uint8)


# ---------------------------------------------------------------- PNG writer (all colour types)
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def pack_row(row, depth):
    """row: 1-D array of samples (already interleaved)."""
    if depth == 16:
        return row.astype(">u2").tobytes()
    if depth == 8:
        return row.astype(np.uint8).tobytes()
    bits = np.unpackbits(row.astype(np.uint8)[:, None], axis=1)[:, 8 - depth:].reshape(-1)
    return np.packbits(bits).tobytes()


def filter_row(raw, prev, ftype, bpp):
    out = bytearray(len(raw))
    for i in range(len(raw)):
        a = raw[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if ftype == 0: p = 0
        elif ftype == 1: p = a
        elif ftype == 2: p = b
        elif ftype == 3: p = (a + b) // 2
        else:
            pp = a + b - c; pa, pb, pc = abs(pp - a), abs(pp - b), abs(pp - c)
            p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        out[i] = (raw[i] - p) & 0xFF
    return bytes(out)


def write_png(samples, color_type, depth, interlace, palette=None, trns=None):
    """samples: H×W×C array of raw sample values (palette indices for colour type 3)."""
    h, w, c = samples.shape
    bpp = max(1, c * depth // 8)
    data = bytearray()
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    row_counter = 0
    for x0, y0, dx, dy in passes:
        sub = samples[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue
        prev = bytes(len(pack_row(sub[0].reshape(-1), depth)))
        for row in sub:
            raw = pack_row(row.reshape(-1), depth)
            ftype = row_counter % 5
            row_counter += 1
            data.append(ftype)
            data += filter_row(raw, prev, ftype, bpp)
            prev = raw

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, int(interlace)))
    if palette is not None:
        out += chunk(b"PLTE", bytes(palette))
    if trns is not None:
        out += chunk(b"tRNS", bytes(trns))
    # Split IDAT in two to exercise concatenation of chunks.
    z = zlib.compress(bytes(data), 9)
    return out + chunk(b"IDAT", z[: len(z) // 2]) + chunk(b"IDAT", z[len(z) // 2:]) + chunk(b"IEND", b"")


def add_png(name, png_bytes, samples=None, depth=8, compare_pil=True):
    save_bytes(name + ".png", png_bytes)
    im = Image.open(io.BytesIO(png_bytes))
    entry = {"file": name + ".png", "width": im.width, "height": im.height}
    if samples is not None:
        entry["channels"] = int(samples.shape[2])
        entry["bitDepth"] = 16 if depth == 16 else 8
        entry["samples"] = name + ".samples"
        arr = samples.astype("<u2") if depth == 16 else samples.astype(np.uint8)
        save_bytes(name + ".samples", arr.tobytes())
    if compare_pil:
        save_bytes(name + ".rgb", np.asarray(im.convert("RGB")).tobytes())
        entry["rgb"] = name + ".rgb"
    manifest["png"].append(entry)


def make_pngs():
    W, H = 13, 11
    base = synthetic_rgb(W, H, 1)
    for interlace in (False, True):
        tag = "_i" if interlace else ""
        for depth in (1, 2, 4, 8, 16):
            maxv = (1 << depth) - 1
            g = rng.integers(0, maxv + 1, size=(H, W, 1))
            scaled = g * (255 // maxv) if depth < 8 else g
            # PIL's 16-bit grey converts to RGB by clipping, so only ≤ 8 bits are compared.
            add_png(f"png_gray{depth}{tag}", write_png(g, 0, depth, interlace), scaled, depth, compare_pil=depth <= 8)
        for depth in (8, 16):
            k = 257 if depth == 16 else 1
            ga = np.concatenate([base[..., :1], rng.integers(0, 256, (H, W, 1))], -1).astype(np.int64) * k
            add_png(f"png_gray_alpha{depth}{tag}", write_png(ga, 4, depth, interlace), ga, depth)
            rgb = base.astype(np.int64) * k + (rng.integers(0, k, base.shape) if k > 1 else 0)
            add_png(f"png_rgb{depth}{tag}", write_png(rgb, 2, depth, interlace), rgb, depth)
            rgba = np.concatenate([rgb, rng.integers(0, 256 * k, (H, W, 1))], -1)
            add_png(f"png_rgba{depth}{tag}", write_png(rgba, 6, depth, interlace), rgba, depth)
        for depth in (1, 2, 4, 8):
            n = min(1 << depth, 200)
            palette = rng.integers(0, 256, (n, 3)).astype(np.uint8)
            idx = rng.integers(0, n, (H, W, 1))
            add_png(f"png_palette{depth}{tag}", write_png(idx, 3, depth, interlace, palette.reshape(-1)))
        n = 16
        palette = rng.integers(0, 256, (n, 3)).astype(np.uint8)
        idx = rng.integers(0, n, (H, W, 1))
        add_png(f"png_palette_trns{tag}", write_png(idx, 3, 4, interlace, palette.reshape(-1), trns=list(range(0, 160, 20))))
        g = rng.integers(0, 256, (H, W, 1))
        add_png(f"png_gray_key{tag}", write_png(g, 0, 8, interlace, trns=[0, int(g[0, 0, 0])]))
    # PNGs written by PIL itself (zlib level 6, PIL's filter choice).
    for mode in ("RGB", "RGBA", "L", "LA", "1", "P"):
        im = Image.fromarray(synthetic_rgb(40, 30, 2)).convert(mode) if mode != "RGBA" else \
            Image.fromarray(np.concatenate([synthetic_rgb(40, 30, 2), rng.integers(0, 256, (30, 40, 1), dtype=np.uint8)], -1))
        b = io.BytesIO()
        im.save(b, "PNG", **({"transparency": 3} if mode == "P" else {}))
        add_png(f"png_pil_{mode}", b.getvalue())


# ---------------------------------------------------------------- JPEG
def add_jpeg(name, im, **options):
    b = io.BytesIO()
    im.save(b, "JPEG", **options)
    data = b.getvalue()
    save_bytes(name + ".jpg", data)
    decoded = Image.open(io.BytesIO(data))
    upright = ImageOps.exif_transpose(decoded).convert("RGB")
    save_bytes(name + ".rgb", np.asarray(upright).tobytes())
    manifest["jpeg"].append({"file": name + ".jpg", "width": upright.width, "height": upright.height,
                             "rgb": name + ".rgb", "grayscale": im.mode == "L"})


def make_jpegs():
    im = Image.fromarray(synthetic_rgb(37, 29, 3))
    for sub, tag in ((0, "444"), (1, "422"), (2, "420")):
        add_jpeg(f"jpeg_baseline_{tag}", im, quality=90, subsampling=sub)
        add_jpeg(f"jpeg_progressive_{tag}", im, quality=90, subsampling=sub, progressive=True)
    gray = im.convert("L")
    add_jpeg("jpeg_gray", gray, quality=85)
    add_jpeg("jpeg_gray_progressive", gray, quality=85, progressive=True)
    add_jpeg("jpeg_restart_420", im, quality=80, subsampling=2, restart_marker_blocks=3)
    add_jpeg("jpeg_restart_progressive", im, quality=80, subsampling=2, progressive=True, restart_marker_rows=1)
    add_jpeg("jpeg_optimized_420", im, quality=75, subsampling=2, optimize=True)
    add_jpeg("jpeg_low_quality", im, quality=20, subsampling=2)
    big = Image.fromarray(synthetic_rgb(83, 61, 4))
    add_jpeg("jpeg_odd_420", big, quality=95, subsampling=2)
    add_jpeg("jpeg_odd_422_progressive", big, quality=95, subsampling=1, progressive=True)
    small = Image.fromarray(synthetic_rgb(24, 16, 5))
    for orientation in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = orientation
        add_jpeg(f"jpeg_orientation{orientation}", small, quality=95, subsampling=0, exif=exif.tobytes())


def write_baseline_jpeg(rgb, factors, quality_scale=0.5):
    """A minimal baseline JPEG writer for arbitrary sampling factors [(h, v) per component].
    Chroma is box-averaged; Huffman tables give DC sizes 4-bit and the 162 AC symbols 8-bit
    codes (valid, if not compact)."""
    h_img, w_img, _ = rgb.shape
    x = rgb.astype(np.float64)
    ycc = [0.299 * x[..., 0] + 0.587 * x[..., 1] + 0.114 * x[..., 2],
           -0.168736 * x[..., 0] - 0.331264 * x[..., 1] + 0.5 * x[..., 2] + 128,
           0.5 * x[..., 0] - 0.418688 * x[..., 1] - 0.081312 * x[..., 2] + 128]
    ncomp = len(factors)
    if ncomp == 1:
        ycc = ycc[:1]
    hmax, vmax = max(f[0] for f in factors), max(f[1] for f in factors)
    mcux, mcuy = -(-w_img // (8 * hmax)), -(-h_img // (8 * vmax))
    planes = []
    for plane, (hf, vf) in zip(ycc, factors):
        sx, sy = hmax // hf, vmax // vf
        full = np.pad(plane, ((0, mcuy * 8 * vmax - h_img), (0, mcux * 8 * hmax - w_img)), mode="edge")
        planes.append(full.reshape(full.shape[0] // sy, sy, full.shape[1] // sx, sx).mean(axis=(1, 3)))
    n = np.arange(8)
    C = np.sqrt(2 / 8) * np.cos((2 * n[None, :] + 1) * n[:, None] * np.pi / 16)
    C[0] /= np.sqrt(2)
    q = np.maximum(1, np.round(np.array([16, 11, 10, 16, 24, 40, 51, 61] * 8).reshape(8, 8) * quality_scale)).astype(int)
    zz = sorted(((i, j) for i in range(8) for j in range(8)), key=lambda p: (p[0] + p[1], -p[1] if (p[0] + p[1]) % 2 else p[1]))
    ac_symbols = [0x00, 0xF0] + [r << 4 | sz for r in range(16) for sz in range(1, 11)]
    ac_code = {sym: i for i, sym in enumerate(ac_symbols)}
    bits, nbits = [0], [0]  # accumulator
    out = bytearray()

    def put(value, length):
        for k in range(length - 1, -1, -1):
            bits[0] = bits[0] << 1 | (value >> k) & 1
            nbits[0] += 1
            if nbits[0] == 8:
                out.append(bits[0]); bits[0] = 0; nbits[0] = 0
                if out[-1] == 0xFF:
                    out.append(0)

    def category(v):
        s = int(abs(v)).bit_length()
        return s, (v if v >= 0 else v + (1 << s) - 1)

    preds = [0] * ncomp
    for my in range(mcuy):
        for mx in range(mcux):
            for c, (hf, vf) in enumerate(factors):
                for by in range(vf):
                    for bx in range(hf):
                        y0, x0 = (my * vf + by) * 8, (mx * hf + bx) * 8
                        block = planes[c][y0:y0 + 8, x0:x0 + 8] - 128
                        coef = np.round((C @ block @ C.T) / q).astype(int)
                        seq = [coef[i, j] for i, j in zz]
                        s_, b_ = category(seq[0] - preds[c]); preds[c] = seq[0]
                        put(s_, 4); put(b_, s_)
                        run = 0
                        for v in seq[1:]:
                            if v == 0:
                                run += 1; continue
                            while run > 15:
                                put(ac_code[0xF0], 8); run -= 16
                            s_, b_ = category(v)
                            put(ac_code[run << 4 | s_], 8); put(b_, s_); run = 0
                        if run:
                            put(ac_code[0x00], 8)
    if nbits[0]:
        put((1 << (8 - nbits[0])) - 1, 8 - nbits[0])

    def seg(marker, payload):
        return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + bytes(payload)

    zzq = [int(q[i, j]) for i, j in zz]
    sof = [8, h_img >> 8, h_img & 255, w_img >> 8, w_img & 255, ncomp]
    sos = [ncomp]
    for c, (hf, vf) in enumerate(factors):
        sof += [c + 1, hf << 4 | vf, 0]
        sos += [c + 1, 0x00]
    sos += [0, 63, 0]
    dht = [0x00] + [0, 0, 0, 12] + [0] * 12 + list(range(12))
    dht += [0x10] + [0] * 7 + [len(ac_symbols)] + [0] * 8 + ac_symbols
    return (b"\xff\xd8" + seg(0xDB, [0] + zzq) + seg(0xC0, sof) + seg(0xC4, dht) + seg(0xDA, sos)
            + bytes(out) + b"\xff\xd9")


def make_sampling_jpegs():
    rgb = synthetic_rgb(45, 35, 8)
    cases = {"440": [(1, 2), (1, 1), (1, 1)], "411": [(4, 1), (1, 1), (1, 1)], "3x2": [(3, 2), (1, 1), (1, 1)],
             "mixed": [(2, 2), (1, 2), (2, 1)], "gray2x2": [(2, 2)]}
    for tag, factors in cases.items():
        data = write_baseline_jpeg(rgb, factors)
        name = f"jpeg_sampling_{tag}"
        save_bytes(name + ".jpg", data)
        decoded = Image.open(io.BytesIO(data))
        assert [l[1:3] for l in decoded.layer] == [f for f in factors], (decoded.layer, factors)
        upright = decoded.convert("RGB")
        save_bytes(name + ".rgb", np.asarray(upright).tobytes())
        manifest["jpeg"].append({"file": name + ".jpg", "width": upright.width, "height": upright.height,
                                 "rgb": name + ".rgb", "grayscale": len(factors) == 1})


# ---------------------------------------------------------------- resampling
def make_resizes():
    src = synthetic_rgb(37, 29, 6)
    save_bytes("resize_source.png", write_png(src.astype(np.int64), 2, 8, False))
    im = Image.open(os.path.join(OUT, "resize_source.png")).convert("RGB")
    filters = {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC, "lanczos": Image.LANCZOS}
    for w, h in ((16, 12), (64, 48), (37, 10), (20, 29), (7, 5), (50, 17)):
        for fname, f in filters.items():
            name = f"resize_{w}x{h}_{fname}.rgb"
            save_bytes(name, np.asarray(im.resize((w, h), f)).tobytes())
            manifest["resize"].append({"source": "resize_source.png", "width": w, "height": h, "filter": fname, "rgb": name})


def summary(arr, name, crop=64):
    h, w, _ = arr.shape
    y0, x0 = (h - crop) // 2, (w - crop) // 2
    save_bytes(name, np.ascontiguousarray(arr[y0:y0 + crop, x0:x0 + crop]).tobytes())
    return {"width": w, "height": h, "crc32": zlib.crc32(arr.tobytes()) & 0xFFFFFFFF,
            "mean": [float(arr[..., c].mean()) for c in range(3)],
            "crop": {"x": x0, "y": y0, "size": crop, "rgb": name}}


def make_faces():
    if not os.path.isdir(FACES):
        print("no faces folder; skipping face references")
        return
    for f in sorted(os.listdir(FACES)):
        if not f.endswith(".jpg"):
            continue
        im = Image.open(os.path.join(FACES, f)).convert("RGB")
        stem = f[:-4]
        manifest["faces"].append({"file": f, **summary(np.asarray(im), f"face_{stem}.rgb")})
        if im.width == 1024:
            for fname, flt in (("bilinear", Image.BILINEAR), ("bicubic", Image.BICUBIC), ("lanczos", Image.LANCZOS)):
                small = np.asarray(im.resize((256, 256), flt))
                entry = {"file": f, "filter": fname, **summary(small, f"face_{stem}_256_{fname}.rgb")}
                if fname != "bilinear":  # crops only for BILINEAR, the pipeline's filter
                    os.remove(os.path.join(OUT, entry["crop"]["rgb"]))
                    del entry["crop"]
                manifest["faceResizes"].append(entry)


# ---------------------------------------------------------------- tensors
def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for k, v in tensors.items():
        b = np.ascontiguousarray(v, dtype="<f4").tobytes()
        header[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def make_tensors():
    import torch
    img = synthetic_rgb(5, 4, 7)
    img[0, 0] = [0, 255, 128]
    x = torch.from_numpy(img).permute(2, 0, 1).float().div(255)                    # ToTensor
    x = (x - torch.tensor([0.5] * 3)[:, None, None]) / torch.tensor([0.5] * 3)[:, None, None]  # Normalize
    values = [-2.0, -1.0, -0.99999, -0.5, 0.0, 1e-7, 0.5, 0.99999, 1.0, 1.5, 2 * 128 / 255 - 1,
              2 * 127.999 / 255 - 1, 2 * 200.0001 / 255 - 1, 0.3, -0.3, 0.7, -0.7, 0.123456, -0.987654, 0.25]
    values += list(rng.uniform(-1.2, 1.2, 2 * 3 * 4 * 5 - len(values)))
    t = torch.tensor(values, dtype=torch.float32).reshape(2, 3, 4, 5)
    ims = []
    for b in range(2):  # pSp utils/common.py tensor2im
        var = t[b].cpu().detach().transpose(0, 2).transpose(0, 1).numpy()
        var = ((var + 1) / 2)
        var[var < 0] = 0
        var[var > 1] = 1
        var = var * 255
        ims.append(var.astype("uint8"))
    write_safetensors(os.path.join(OUT, "tensors.safetensors"), {
        "to_tensor.pixels": img.astype(np.float32), "to_tensor.output": x[None].numpy(),
        "tensor2im.input": t.numpy(), "tensor2im.output": np.stack(ims).astype(np.float32)})


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    make_pngs()
    make_jpegs()
    make_sampling_jpegs()
    make_resizes()
    make_faces()
    make_tensors()
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total / 1024:.0f} KiB to {OUT}")
