#!/usr/bin/env python3
"""Checks, in PyTorch, the `.pt` files the Swift package writes (TorchCheckpoint.write and the
two exports), so the claim "the released code and torch.load(weights_only=True) load them" is
tested against PyTorch itself, not against our own reader.

How to run (from the repository root; the three files are committed, written by the Swift
tests — regenerate them with `STYLEPROMPTER_WRITE_GOLDEN=1 swift test -c release --filter
"TorchWriterTests|StylePrompterExportTests|GeneratorExportTests"` after a deliberate format
change, then run this):

    .venv/bin/python Scripts/check_torch_export.py
    .venv/bin/python Scripts/check_torch_export.py --stylePrompter-repo DIR   # a checkout instead of the mirror

Made for torch 2.13.0+cpu and numpy, CPU only, one thread; a few seconds. Exits non-zero on
the first failed check. What it checks:

1. Tests/CheckpointsTests/Fixtures/torch_writer_golden.pt (TorchWriterTests.golden): loads with
   torch.load(weights_only=True), with and without mmap=True, and equals the tree written
   (types included: OrderedDict, tuple, bytes, float16/int64 tensors, an int key, a 0-d tensor).
2. Tests/InversionTests/Fixtures/exported_stylePrompter.pt (StylePrompterCheckpoint.exportPyTorch
   of stylePrompter_small.pt's model): weights_only (and mmap) load; 'opts' is a plain dict; the
   RELEASED classes (I2-Multimedia-Lab/StylePrompter, assembled exactly as
   Scripts/make_stylePrompter_fixtures.py does, whose helpers are imported) accept the state dict
   through the released load path (get_keys + DataParallel.load_state_dict(strict=True)); every
   tensor equals stylePrompter_small.pt's; run on the three fixture photos they give W+ and the
   image (SMART β=(1,1), and without SMART) matching stylePrompter_small_outputs.safetensors.
3. Tests/StyleGANTests/Fixtures/exported_generator.pt (GeneratorCheckpoint.exportPyTorch of the
   train64/g64 models with a formula Adam state, see GeneratorExportTests.Run): weights_only (and
   mmap) load; 'args' is a dict with rosinality's fields; g, d, g_ema load with strict=True into
   the rosinality transcription of Scripts/make_stylegan_fixtures.py; g_ema's image from the
   fixture W+ and D's score of the fixture batch match g64_outputs / train64_step; g_optim and
   d_optim load into torch.optim.Adam over module.parameters(), every state is the formula of
   ITS parameter (exp_avg = 0.1·p, exp_avg_sq = p², step 3 — so a misnumbered parameter shows),
   and one Adam step runs.

Parity bound: relative L2 ≤ 1e-5 (both sides are PyTorch float32 on the same weights; the
committed outputs were made by the same code, so the errors are ~0).
"""
import argparse
import json
import math
import struct
import sys
import tempfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_stylegan_fixtures as sgf  # noqa: E402
import make_stylePrompter_fixtures as spf  # noqa: E402
from fixture_common import relative_error  # noqa: E402

BOUND = 1e-5
GOLDEN = Path("Tests/CheckpointsTests/Fixtures/torch_writer_golden.pt")
SP_EXPORT = Path("Tests/InversionTests/Fixtures/exported_stylePrompter.pt")
SP_RELEASED = Path("Tests/InversionTests/Fixtures/stylePrompter_small.pt")
SP_OUTPUTS = Path("Tests/InversionTests/Fixtures/stylePrompter_small_outputs.safetensors")
G_EXPORT = Path("Tests/StyleGANTests/Fixtures/exported_generator.pt")
G_OUTPUTS = Path("Tests/StyleGANTests/Fixtures/g64_outputs.safetensors")
TRAIN_STEP = Path("Tests/StyleGANTests/Fixtures/train64_step.safetensors")


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}")
        sys.exit(1)


def read_safetensors(path):
    """float32 safetensors (what the fixture scripts write), without the safetensors package."""
    data = Path(path).read_bytes()
    length = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + length])
    header.pop("__metadata__", None)
    start = 8 + length
    out = {}
    for key, info in header.items():
        check(info["dtype"] == "F32", f"{path}: {key} is {info['dtype']}")
        a, b = info["data_offsets"]
        out[key] = torch.from_numpy(np.frombuffer(data[start + a:start + b], dtype="<f4").copy()).reshape(info["shape"])
    return out


def load_both(path):
    """torch.load(weights_only=True), plain and memory-mapped; both must agree."""
    plain = torch.load(path, weights_only=True)
    mapped = torch.load(path, weights_only=True, mmap=True)
    check(same(plain, mapped), f"{path}: mmap=True load differs")
    return plain


def same(a, b):
    """Exact equality of a loaded tree, types included."""
    if type(a) is not type(b):
        return False
    if torch.is_tensor(a):
        return a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)
    if isinstance(a, dict):
        return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def report(name, actual, expected):
    error = relative_error(actual, expected)
    print(f"  {name:28s} relative L2 {error:.3e}")
    check(actual.shape == expected.shape and error <= BOUND, f"{name}: {error:.3e} > {BOUND}")


# --------------------------------------------------------------------------------------------

def check_golden():
    print(f"{GOLDEN} ({GOLDEN.stat().st_size} bytes)")
    expected = {
        "state_dict": OrderedDict([
            ("layer.weight", torch.tensor([[0, 0.5, 1], [1.5, 2, 2.5]])),
            ("layer.bias", torch.tensor([-1.0, 0, 1])),
            ('odd key\n"é/∂ .pt', torch.tensor([1, -2], dtype=torch.float16)),
            ("count", torch.tensor([7, -1], dtype=torch.int64)),
        ]),
        "opts": {"lr": 0.0001, "betas": (0.9, 0.999), "name": "run", "none": None, "flag": True,
                 "layers": [1, 2, 300, 70000, -5, 1 << 40]},
        0: "int key",
        "bytes": b"\x00\x7f\x80\xff",
        "step": torch.tensor(3.0),
    }
    loaded = load_both(GOLDEN)
    check(same(loaded, expected), f"{GOLDEN}: loaded {loaded!r}")
    print("  weights_only and mmap loads equal the written tree (types, dtypes, order)")


def check_stylePrompter(repo):
    print(f"{SP_EXPORT} ({SP_EXPORT.stat().st_size} bytes)")
    ck = load_both(SP_EXPORT)
    check(list(ck.keys()) == ["state_dict", "opts", "latent_avg"], f"top keys {list(ck.keys())}")
    check(type(ck["opts"]) is dict, "opts is not a plain dict")
    opts = ck["opts"]
    for key, value in dict(output_size=64, tokens_num=10, refined_layer=4, type="full", n_styles=10,
                           start_from_latent_avg=True, learn_in_w=False).items():
        check(opts.get(key) == value, f"opts[{key!r}] = {opts.get(key)!r}, expected {value!r}")
    released = torch.load(SP_RELEASED, weights_only=True)
    sd, rsd = ck["state_dict"], released["state_dict"]
    check(set(sd) == set(rsd), f"state_dict keys differ: {sorted(set(sd) ^ set(rsd))[:5]}")
    for k in rsd:
        check(sd[k].dtype == rsd[k].dtype and torch.equal(sd[k], rsd[k]), f"{k} differs from the released-layout file")
    check(torch.equal(ck["latent_avg"], released["latent_avg"]), "latent_avg differs")
    print(f"  {len(sd)} tensors equal stylePrompter_small.pt's (dtypes included); opts a plain dict of {len(opts)} fields")

    sg_model, sgg, swin = spf.import_released(repo)
    c = spf.SMALL
    encoder = swin.SwinEncoder(**c["encoder"])
    gc = c["generator"]
    G = spf.small_generator_class(sg_model, gc["channels"])(gc["size"], gc["style_dim"], gc["n_mlp"],
                                                             channel_multiplier=gc["channel_multiplier"],
                                                             lr_mlp=gc["lr_mlp"])
    decoder = spf.assemble_sggenerator(sgg, G, sgg.SMART(**c["smart"]), c["n_latent"], c["refined_layer"])
    # the released load path (models/style_prompter.py: get_keys + strict DataParallel load)
    get_keys = lambda d, n: {k[len(n) + 1:]: v for k, v in d["state_dict"].items() if k[:len(n)] == n}
    nn.DataParallel(encoder).load_state_dict(get_keys(ck, "encoder"), strict=True)
    nn.DataParallel(decoder).load_state_dict(get_keys(ck, "decoder"), strict=True)
    print("  released SwinEncoder and SGGenerator load it with strict=True")
    encoder.eval(), decoder.eval()
    models = {"encoder": encoder, "decoder": decoder, "latent_avg": ck["latent_avg"]}
    fx = read_safetensors(SP_OUTPUTS)
    with torch.no_grad():
        for i in range(3):
            x = fx["images"][i:i + 1]
            wplus, features = spf.encode(models, x)
            report(f"wplus.{i}", wplus, fx[f"wplus.{i}"])
            image = decoder(wplus, features=features, input_is_latent=True, randomize_noise=False, beta=spf.BETA)
            report(f"image.{i}", image, fx[f"image.{i}"])
            stage1 = decoder(wplus, features=None, input_is_latent=True, randomize_noise=False)
            report(f"image_stage1.{i}", stage1, fx[f"image_stage1.{i}"])


def check_generator():
    print(f"{G_EXPORT} ({G_EXPORT.stat().st_size} bytes)")
    ck = load_both(G_EXPORT)
    check(list(ck.keys()) == ["g", "d", "g_ema", "g_optim", "d_optim", "args", "ada_aug_p", "latent_avg"],
          f"top keys {list(ck.keys())}")
    args = ck["args"]
    check(type(args) is dict, "args is not a plain dict")
    for key in ("size", "latent", "n_mlp", "channel_multiplier", "r1", "path_regularize", "path_batch_shrink",
                "d_reg_every", "g_reg_every", "mixing", "lr", "batch", "iter"):
        check(key in args, f"args lacks {key!r}")
    check((args["size"], args["latent"], args["n_mlp"], args["batch"]) == (64, 64, 4, 4), f"args {args}")
    print(f"  args: a plain dict of {len(args)} fields (size {args['size']}, latent {args['latent']}, "
          f"n_mlp {args['n_mlp']}, lr {args['lr']}, r1 {args['r1']}, d_reg_every {args['d_reg_every']})")

    config = sgf.SMALL_CONFIG
    g, g_ema, d = sgf.build_generator(config), sgf.build_generator(config), sgf.build_discriminator(config)
    g.load_state_dict(ck["g"], strict=True)
    g_ema.load_state_dict(ck["g_ema"], strict=True)
    d.load_state_dict(ck["d"], strict=True)
    print("  rosinality Generator (g, g_ema) and Discriminator (d) load with strict=True")
    g_ema.eval(), d.eval()
    fx, step = read_safetensors(G_OUTPUTS), read_safetensors(TRAIN_STEP)
    with torch.no_grad():
        image = g_ema([fx["wplus"]], input_is_latent=True, randomize_noise=False)[0]
        report("g_ema image_from_wplus", image, fx["image_from_wplus"])
        report("d real_pred", d(step["real_img"]), step["d.real_pred"])
    check(torch.equal(ck["latent_avg"], fx["latent_avg"]), "latent_avg differs from g64's")

    for name, module, k in (("g_optim", g, args["g_reg_every"]), ("d_optim", d, args["d_reg_every"])):
        ratio = k / (k + 1)
        optimizer = torch.optim.Adam(module.parameters(), lr=args["lr"] * ratio, betas=(0 ** ratio, 0.99 ** ratio))
        optimizer.load_state_dict(ck[name])
        parameters = list(module.parameters())
        count = 0
        for p in parameters:
            state = optimizer.state.get(p)
            if not state:
                continue
            count += 1
            check(state["step"].item() == 3, f"{name}: step {state['step']}")
            check(state["exp_avg"].shape == p.shape and torch.allclose(state["exp_avg"], 0.1 * p.detach(), rtol=1e-6, atol=0),
                  f"{name}: exp_avg is not 0.1·p for a parameter of shape {tuple(p.shape)}: misnumbered")
            check(torch.allclose(state["exp_avg_sq"], p.detach() ** 2, rtol=1e-6, atol=0), f"{name}: exp_avg_sq")
        check(count == len(parameters) - 1, f"{name}: {count} states for {len(parameters)} parameters")
        group = optimizer.param_groups[0]
        check(math.isclose(group["lr"], args["lr"] * ratio, rel_tol=1e-6), f"{name}: lr {group['lr']}")
        for p in parameters:
            p.grad = torch.ones_like(p)
        optimizer.step()
        print(f"  {name}: torch.optim.Adam loads it; all {count} states match their own parameter "
              f"(module.parameters() order); lr {group['lr']:.6g}, betas {group['betas']}; one step runs")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stylePrompter-repo", default=None,
                        help="checkout of I2-Multimedia-Lab/StylePrompter (default: export the library mirror's HEAD)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}")
    check_golden()
    with tempfile.TemporaryDirectory() as tmp:
        check_stylePrompter(args.stylePrompter_repo or spf.export_mirror(tmp))
    check_generator()
    print("all checks passed")


if __name__ == "__main__":
    main()
