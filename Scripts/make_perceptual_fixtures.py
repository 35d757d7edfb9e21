#!/usr/bin/env python3
"""PyTorch reference fixtures for the Perceptual tests (LPIPS, ArcFace IR-SE / ID loss, SSIM).

How to run (from the repository root; only needed when the cases change — the output is
committed and `swift test` never runs Python):

    .venv/bin/pip install --no-deps pytorch-msssim==1.0.0          # once: the SSIM reference
    .venv/bin/python Scripts/make_perceptual_fixtures.py            # small fixtures (committed)
    .venv/bin/python Scripts/make_perceptual_fixtures.py --large    # also full IR-SE50 (~175 MB,
                                                                    #   into .fixtures-large/)

Made with torch 2.13.0+cpu, numpy and pytorch_msssim 1.0.0, CPU only, one thread. It needs
HyperStyle's `criteria/ms_ssim.py` (see ssim.safetensors) and the released StylePrompter code: the bare git repository from the search tool's
`fetch github:I2-Multimedia-Lab/StylePrompter` (default path below, or `--released-repo`).
`git archive` copies `criteria/`, `configs/` and `models/encoders/{helpers,model_irse}.py` into a
temporary folder put on sys.path; nothing of it is committed. The released classes are used as
they are, with these stubs (CPU only, no network):
  * torchvision is not installed: a stub `torchvision.models.alexnet(pretrained)` returns an
    object whose `.features` is torchvision's AlexNet `features` Sequential, layer for layer
    (Conv 11/4/2, ReLU, MaxPool 3/2, Conv 5/1/2, ReLU, MaxPool 3/2, Conv 3/1/1, ReLU ×3, MaxPool).
    Widths come from `STUB_WIDTHS` (the standard [64,192,384,256,256] unless a test lowers them).
  * `criteria/lpips/lpips.py` moves its modules `.to("cuda")`: rewritten to `.to("cpu")` in the
    temporary copy. `torch.hub.load_state_dict_from_url` (the LPIPS head download) is replaced by
    `torch.load` of a local file: the real `../shared/data/lpips/v0.1_alex.pth` or a test head
    file; the released `get_state_dict` renaming then runs unchanged.
  * `IDLoss.forward` calls `.cuda()` on its target tensor: `torch.Tensor.cuda` is the identity;
    its `cos_loss` gets the [N, 1] target flattened to [N] (PyTorch ≥ 1.13 rejects 2-D targets;
    the old broadcast gave the same mean(1 − cos)).
  * `IDLoss.__init__` loads the 170 MB IR-SE50 file and `Backbone.__init__` only allows 50/100/152
    layers, so the small ID network is assembled by hand: `Backbone.__new__`, then
    `input_layer`, `body` (the released `bottleneck_IR_SE` units) and `output_layer` (with the
    released `Flatten`) built as `Backbone.__init__` builds them but narrower; the released
    `Backbone.forward` (taps [2, 6, 20, 23], `l2_norm`) and `IDLoss.forward` /
    `extract_feats` then run unchanged (`IDLoss` likewise via `__new__`).

Weights (seeded): PyTorch init under torch.manual_seed, then every BatchNorm perturbed
(weight 1 + 0.1·N, bias 0.1·N, running_mean 0.1·N, running_var U(0.5, 1.5),
num_batches_tracked 7) and PReLU slopes 0.25 + 0.05·N; eval mode throughout.

Images: to keep files small, 256-px inputs are "blocky": a stored base image upsampled by
nearest neighbour (`blocky(base, f, h, w)` = repeat each pixel f×f, then keep the top-left
h×w), which the Swift tests rebuild exactly. Gradients of such inputs are stored as f×f block
sums (`…_blocksum`, an exact linear function of the full gradient) plus 2048 sampled elements
(`…_sample_index` as float flat indices, exact below 2²⁴, and `…_sample`).

Relative L2 gap: ‖a₃₂ − a₆₄‖₂ / ‖a₆₄‖₂ where a₆₄ is the same computation in float64 from the same
float32 weights and inputs — the rounding error of a correct float32 implementation. Stored as
the `gap` metadata entry (JSON {key: gap}) of each safetensors file; tests bound their error by
a small multiple of it, floored. Every safetensors file is float32 little-endian with a JSON
`__metadata__`; scalars are 0-d. Running the script twice gives identical bytes, except
lpips_small_heads.pth: the legacy format names storages by memory address (same values).

Files (Tests/PerceptualTests/Fixtures/):

layers.safetensors — single ops, PyTorch functional/nn, grads via torch.autograd.grad with a
    seeded upstream `gout`:
    maxpool_{k3s2, k3s2p1, k2, ties}.{x, y, gout, dx}: max_pool2d (kernel 3 stride 2; kernel 3
        stride 2 padding 1; kernel 2) on x [2,3,11,13]; `ties` rounds x to multiples of 0.5 so
        windows tie (PyTorch sends the gradient to the first maximum in row-major order).
    prelu.{x [2,4,5,6], weight [4], y, gout, dx, dweight}; x holds exact zeros.
    bn2d_eval.{x [2,4,5,6], weight, bias, running_mean, running_var, y, gout, dx, dweight, dbias}
    bn1d_eval.{x [3,6], …}    same for BatchNorm1d (affine), eps 1e-5.
    bn2d_train.{x, weight, bias, running_mean, running_var, y, gout, dx, dweight, dbias,
        new_running_mean, new_running_var}: training mode, momentum 0.1.
    se.{x [2,32,6,6], fc1 [2,32,1,1], fc2 [32,2,1,1], y, gout, dx}: released SEModule(32, 16).

irse_blocks.pt — {name: state_dict} of released units, and irse_blocks.safetensors with
    name.{x, y, gout, dx}:
    se_same_stride2   bottleneck_IR_SE(16, 16, 2)  (max-pool shortcut), x [2,16,10,10]
    se_widen_stride2  bottleneck_IR_SE(16, 32, 2)  (conv shortcut), x [2,16,10,10]
    se_same_stride1   bottleneck_IR_SE(32, 32, 1), x [2,32,5,5]
    ir_widen_stride1  bottleneck_IR(16, 24, 1)     (no SE), x [2,16,6,6]

irse_mini.pt — a bare Backbone state dict (pSp's model_ir_se50.pth layout) of a narrow IR-SE:
    stem 16, stages (depth, units) (16,3) (20,4) (16,14) (20,3) — the 24 units of IR-SE50, so the
    taps [2,6,20,23] are the released ones — input 112, embedding 16, affine final BatchNorm1d,
    drop_ratio 0.6. irse_mini.safetensors:
    faces_base [2,3,28,28]     faces = blocky(faces_base, 4, 112, 112)
    embedding [2,16]           Backbone.forward(faces)
    feature{0..3}              Backbone.forward(faces, return_features=True)[0..3]; maps over
                               8192 elements as feature{i}_channel_mean [2,C] and
                               feature{i}_sample_index / _sample (2048 elements)
    embedding_dfaces_blocksum / _sample_index / _sample: grad of (embedding·gout_embedding).sum()
    gout_embedding [2,16]
    x_base, y_base, yhat_base [2,3,32,32]  the ID loss's images: blocky(·, 8, 256, 256)
    id_loss []                 IDLoss.forward(y_hat, y, x)             (crop 35:223, 32:220 → 112)
    id_loss_multi []           IDLoss.forward(y_hat, y, x, multi=True)  (no crop, 256 → 112)
    id_loss_dyhat_{blocksum,sample_index,sample}, id_loss_multi_dyhat_…: grads w.r.t. y_hat.
    id_similarity [2]          cosine of extract_feats(y_hat) and extract_feats(y) (the metric)

lpips_small_trunk.pt  — torchvision layout {features.N.weight/bias}, widths [8,16,24,16,16], plus
    classifier.1.weight/bias (ignored by the loader) — zip format.
lpips_small_heads.pth — LPIPS head layout {linK.model.1.weight [1,Cₖ,1,1]} (seeded |N|/C), LEGACY
    format like v0.1_alex.pth.
lpips_small_psp.pt    — the released criteria.lpips.LPIPS state dict at those widths (net.mean,
    net.std, net.layers.N.*, lin.K.1.weight): one combined file.
lpips_small_richzhang.pt — the same weights in the `lpips` package layout (net.sliceS.N.*,
    linK.model.1.weight, scaling_layer.shift/scale) — keys written by hand from that package's
    slicing (slice1 = features[0:2], slice2 = [2:5], slice3 = [5:8], slice4 = [8:10],
    slice5 = [10:12]).
lpips_small.safetensors: x_base, y_base [2,3,32,32] → blocky(·, 2, 64, 64); loss [] (released
    LPIPS forward), per_image [2] (forward on each pair alone); dx_{blocksum,sample_index,sample}
    = d loss / d x.
lpips_alex.safetensors — the full-width released LPIPS with the REAL heads (v0.1_alex.pth) and a
    trunk drawn from SplitMix64 (seed 0x1795, the generator of Tests/TestSupport, in key order
    features.0.weight, .0.bias, 3, 6, 8, 10): weight = f32(s·√(6/fan_in)),
    bias = f32(s·0.05) with s = (z >> 40)/2²³ − 1, so Swift rebuilds it bit for bit.
    x_base, y_base [2,3,32,32] → blocky(·, 4, 128, 128); loss []; per_image [2];
    dx_{blocksum,sample_index,sample}.

ssim.safetensors — pytorch_msssim 1.0.0 `ssim` / `ms_ssim`, size_average=False, data_range=1, on
    (img + 1)/2 of [−1,1] images, plus MSE and PSNR (float64 formula 10·log10(1/mse₀₁)):
    a_base, b_base [2,3,32,32] → blocky(·, 8, 256, 256): ssim [2], msssim [2], mse [2]
        (mean of (a−b)² on [−1,1]), psnr [2];
    odd_a_base, odd_b_base [2,1,60,56] → blocky(·, 3, 171, 165): ssim, msssim (odd sides: the
        padded average pool);
    small_a, small_b [1,3,9,23] (raw): ssim (the H-blur is skipped: side < 11).
    pspfamily_{msssim,ssim} [2]: the pSp-family evaluation scripts' numbers (ReStyle/HyperStyle
        `calc_losses_on_images.py`: `MSSSIM()(result[i:i+1], gt[i:i+1])` on [−1,1] images, i.e.
        HyperStyle's `criteria/ms_ssim.py`, read from the bare repository of the search tool's
        `fetch github:yuval-alaluf/hyperstyle`, `--hyperstyle-repo`) on a, b above;
    pspfamily_narrow_a_base, _b_base [2,3,25,25] in [−0.4, 1] → blocky(·, 8, 199, 197):
        pspfamily_narrow_{msssim,ssim} (the script guesses L = 1 there; odd sides floor);
    pspfamily_negated_{msssim,ssim} [1]: a[:1] against −a[:1] — MS-SSIM is NaN (negative cs to a
        fractional power), as the script computes it before dropping NaNs.

Large (--large, .fixtures-large/, never committed): irse50.pt — the real-shape
    Backbone(112, 50, 'ir_se', drop_ratio=0.6) with seeded perturbed weights — and
    irse50_outputs.safetensors: x_base, y_base, yhat_base as above, embedding [2,512] of
    extract_feats(y_hat), id_loss, id_loss_multi and their y_hat gradients (blocksum + sample).
"""
import argparse
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from fixture_common import write_safetensors as _write_safetensors  # noqa: E402


def write_safetensors(path, tensors, metadata):
    """The shared writer, with this script's conventions: a sorted header, scalars stored as [1]."""
    def as_array(value):
        array = value.detach().cpu().numpy() if torch.is_tensor(value) else np.asarray(value)
        return np.atleast_1d(array)
    _write_safetensors(path, {k: as_array(v) for k, v in tensors.items()}, metadata, sort_header=True)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "PerceptualTests" / "Fixtures"
LARGE = ROOT / ".fixtures-large"
SHARED_HEADS = ROOT.parent / "shared" / "data" / "lpips" / "v0.1_alex.pth"
DEFAULT_REPO = Path("/work/.mirror/I2-Multimedia-Lab+StylePrompter/repo")
HYPERSTYLE_REPO = [Path("/work/.mirror/yuval-alaluf+hyperstyle/repo")]
STUB_WIDTHS = [64, 192, 384, 256, 256]
HUB_FILE = [None]


# ---------------------------------------------------------------------------------------------
# The released code, with the stubs described above.

def import_released(repo):
    tmp = Path(tempfile.mkdtemp(prefix="styleprompter-released-"))
    paths = ["criteria", "configs", "models/encoders/helpers.py", "models/encoders/model_irse.py"]
    archive = subprocess.run(["git", "-C", str(repo), "archive", "HEAD", *paths], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
    lpips_py = tmp / "criteria" / "lpips" / "lpips.py"
    lpips_py.write_text(lpips_py.read_text().replace('.to("cuda")', '.to("cpu")'))

    tv = types.ModuleType("torchvision")
    models = types.ModuleType("torchvision.models")

    def alexnet(pretrained=False):
        c = STUB_WIDTHS
        holder = types.SimpleNamespace()
        holder.features = nn.Sequential(
            nn.Conv2d(3, c[0], kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(c[0], c[1], kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(c[1], c[2], kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(c[2], c[3], kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(c[3], c[4], kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2))
        return holder

    def unavailable(*args, **kwargs):
        raise RuntimeError("torchvision stub: only alexnet is provided")

    models.alexnet = alexnet
    models.vgg16 = models.squeezenet1_1 = unavailable
    tv.models = models
    sys.modules["torchvision"] = tv
    sys.modules["torchvision.models"] = models
    torch.hub.load_state_dict_from_url = lambda url, **kwargs: torch.load(HUB_FILE[0], map_location="cpu")
    torch.Tensor.cuda = lambda self, *args, **kwargs: self
    sys.path.insert(0, str(tmp))
    from criteria.lpips import lpips as released_lpips, networks as released_networks
    from criteria import id_loss as released_id
    from models.encoders import helpers as released_helpers, model_irse as released_irse
    return types.SimpleNamespace(lpips=released_lpips, networks=released_networks, id=released_id,
                                 helpers=released_helpers, irse=released_irse)


# ---------------------------------------------------------------------------------------------
# Files.

def torch_save(obj, path, legacy=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    torch.save(obj, temporary, _use_new_zipfile_serialization=not legacy)
    temporary.replace(path)


# ---------------------------------------------------------------------------------------------
# Helpers.

def gap(a32, a64):
    a32 = a32.detach().double()
    a64 = a64.detach().double()
    return float((a32 - a64).norm() / a64.norm().clamp_min(1e-300))


def blocky(base, factor, h, w):
    return base.repeat_interleave(factor, dim=2).repeat_interleave(factor, dim=3)[:, :, :h, :w].contiguous()


def store_gradient(out, key, grad, factor, generator):
    n, c, h, w = grad.shape
    out[key + "_blocksum"] = grad.reshape(n, c, h // factor, factor, w // factor, factor).sum(dim=(3, 5)).float()
    index = torch.randperm(grad.numel(), generator=generator)[:2048].sort().values
    out[key + "_sample_index"] = index.float()
    out[key + "_sample"] = grad.reshape(-1)[index].float()


def splitmix64(seed, count):
    gamma = np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        state = np.uint64(seed) + gamma * np.arange(1, count + 1, dtype=np.uint64)
        z = state
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return z


class SplitMix:
    """The SplitMix64 of Tests/TestSupport: nextSigned = (z >> 40) / 2^23 − 1."""

    def __init__(self, seed):
        self.seed = seed
        self.drawn = 0

    def signed(self, count):
        z = splitmix64(self.seed, self.drawn + count)[self.drawn:]
        self.drawn += count
        return (z >> np.uint64(40)).astype(np.float64) / float(1 << 23) - 1.0


def perturb_(module, generator):
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                if m.affine:
                    m.weight.copy_(1 + 0.1 * torch.randn(m.weight.shape, generator=generator))
                    m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=generator))
                m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=generator))
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=generator))
                m.num_batches_tracked.fill_(7)
            elif isinstance(m, nn.PReLU):
                m.weight.copy_(0.25 + 0.05 * torch.randn(m.weight.shape, generator=generator))


def grad_of(output, inputs, gout=None):
    return torch.autograd.grad(output, inputs, grad_outputs=gout)


# ---------------------------------------------------------------------------------------------
# layers.safetensors

def make_layers(released):
    g = torch.Generator().manual_seed(11)
    out, gaps = {}, {}

    def both(name, fn, tensors, grad_names):
        """fn(dict of tensors) -> output; stores y, gout, d<name> for grad_names and the gap."""
        t32 = {k: v.clone().requires_grad_(k in grad_names) for k, v in tensors.items()}
        y = fn(t32)
        gout = torch.randn(y.shape, generator=g)
        grads = grad_of(y, [t32[k] for k in grad_names], gout)
        t64 = {k: v.double().requires_grad_(k in grad_names) for k, v in tensors.items()}
        y64 = fn(t64)
        grads64 = grad_of(y64, [t64[k] for k in grad_names], gout.double())
        for k, v in tensors.items():
            out[f"{name}.{k}"] = v
        out[f"{name}.y"] = y
        out[f"{name}.gout"] = gout
        gaps[f"{name}.y"] = gap(y, y64)
        for k, d, d64 in zip(grad_names, grads, grads64):
            out[f"{name}.d{k}"] = d
            gaps[f"{name}.d{k}"] = gap(d, d64)

    x = torch.randn(2, 3, 11, 13, generator=g)
    both("maxpool_k3s2", lambda t: F.max_pool2d(t["x"], 3, 2), {"x": x}, ["x"])
    both("maxpool_k3s2p1", lambda t: F.max_pool2d(t["x"], 3, 2, 1), {"x": x}, ["x"])
    both("maxpool_k2", lambda t: F.max_pool2d(t["x"], 2), {"x": x}, ["x"])
    ties = (torch.randn(2, 3, 11, 13, generator=g) * 2).round() / 2
    both("maxpool_ties", lambda t: F.max_pool2d(t["x"], 3, 2), {"x": ties}, ["x"])

    x = torch.randn(2, 4, 5, 6, generator=g)
    x[0, :, 0, :3] = 0
    both("prelu", lambda t: F.prelu(t["x"], t["weight"]),
         {"x": x, "weight": 0.25 + 0.2 * torch.randn(4, generator=g)}, ["x", "weight"])

    for name, shape in [("bn2d_eval", (2, 4, 5, 6)), ("bn1d_eval", (3, 6))]:
        c = shape[1]
        both(name, lambda t: F.batch_norm(t["x"], t["running_mean"], t["running_var"], t["weight"], t["bias"],
                                          training=False, eps=1e-5),
             {"x": torch.randn(*shape, generator=g), "weight": 1 + 0.3 * torch.randn(c, generator=g),
              "bias": 0.3 * torch.randn(c, generator=g), "running_mean": 0.5 * torch.randn(c, generator=g),
              "running_var": 0.3 + torch.rand(c, generator=g)}, ["x", "weight", "bias"])

    bn = nn.BatchNorm2d(4)
    with torch.no_grad():
        bn.weight.copy_(1 + 0.3 * torch.randn(4, generator=g))
        bn.bias.copy_(0.3 * torch.randn(4, generator=g))
        bn.running_mean.copy_(0.5 * torch.randn(4, generator=g))
        bn.running_var.copy_(0.3 + torch.rand(4, generator=g))
    start = {k: v.clone() for k, v in bn.state_dict().items()}
    x = torch.randn(2, 4, 5, 6, generator=g).requires_grad_(True)
    bn.train()
    y = bn(x)
    gout = torch.randn(y.shape, generator=g)
    dx, dw, db = grad_of(y, [x, bn.weight, bn.bias], gout)
    out.update({"bn2d_train.x": x, "bn2d_train.weight": start["weight"], "bn2d_train.bias": start["bias"],
                "bn2d_train.running_mean": start["running_mean"], "bn2d_train.running_var": start["running_var"],
                "bn2d_train.y": y, "bn2d_train.gout": gout, "bn2d_train.dx": dx, "bn2d_train.dweight": dw,
                "bn2d_train.dbias": db, "bn2d_train.new_running_mean": bn.running_mean,
                "bn2d_train.new_running_var": bn.running_var})
    bn64 = nn.BatchNorm2d(4).double()
    bn64.load_state_dict({k: v.double() if v.is_floating_point() else v for k, v in start.items()})
    x64 = x.detach().double().requires_grad_(True)
    y64 = bn64(x64)
    gaps["bn2d_train.y"] = gap(y, y64)
    gaps["bn2d_train.dx"] = gap(dx, grad_of(y64, [x64], gout.double())[0])

    torch.manual_seed(12)
    se = released.helpers.SEModule(32, 16)
    se64 = released.helpers.SEModule(32, 16).double()
    se64.load_state_dict({k: v.double() for k, v in se.state_dict().items()})
    x = torch.randn(2, 32, 6, 6, generator=g)
    out["se.fc1"] = se.fc1.weight
    out["se.fc2"] = se.fc2.weight
    both("se", lambda t: (se if t["x"].dtype == torch.float32 else se64)(t["x"]), {"x": x}, ["x"])

    write_safetensors(FIXTURES / "layers.safetensors", out, {"gap": json.dumps(gaps, sort_keys=True)})


# ---------------------------------------------------------------------------------------------
# irse_blocks.pt / .safetensors

def make_blocks(released):
    g = torch.Generator().manual_seed(21)
    torch.manual_seed(22)
    specs = [("se_same_stride2", released.helpers.bottleneck_IR_SE, 16, 16, 2, (2, 16, 10, 10)),
             ("se_widen_stride2", released.helpers.bottleneck_IR_SE, 16, 32, 2, (2, 16, 10, 10)),
             ("se_same_stride1", released.helpers.bottleneck_IR_SE, 32, 32, 1, (2, 32, 5, 5)),
             ("ir_widen_stride1", released.helpers.bottleneck_IR, 16, 24, 1, (2, 16, 6, 6))]
    states, out, gaps = {}, {}, {}
    for name, cls, cin, depth, stride, shape in specs:
        block = cls(cin, depth, stride)
        perturb_(block, g)
        block.eval()
        states[name] = block.state_dict()
        x = torch.randn(*shape, generator=g).requires_grad_(True)
        y = block(x)
        gout = torch.randn(y.shape, generator=g)
        (dx,) = grad_of(y, [x], gout)
        block64 = cls(cin, depth, stride).double().eval()
        block64.load_state_dict({k: v.double() if v.is_floating_point() else v for k, v in block.state_dict().items()})
        x64 = x.detach().double().requires_grad_(True)
        y64 = block64(x64)
        (dx64,) = grad_of(y64, [x64], gout.double())
        out.update({f"{name}.x": x, f"{name}.y": y, f"{name}.gout": gout, f"{name}.dx": dx})
        gaps[f"{name}.y"] = gap(y, y64)
        gaps[f"{name}.dx"] = gap(dx, dx64)
    torch_save(states, FIXTURES / "irse_blocks.pt")
    write_safetensors(FIXTURES / "irse_blocks.safetensors", out, {"gap": json.dumps(gaps, sort_keys=True)})


# ---------------------------------------------------------------------------------------------
# The ID network and loss.

def mini_backbone(released, stem, stages, embedding, drop_ratio=0.6):
    """Backbone.__init__'s construction with narrower widths (see the header)."""
    from torch.nn import BatchNorm1d, BatchNorm2d, Conv2d, Dropout, Linear, PReLU, Sequential
    Backbone = released.irse.Backbone
    model = Backbone.__new__(Backbone)
    nn.Module.__init__(model)
    model.input_layer = Sequential(Conv2d(3, stem, (3, 3), 1, 1, bias=False), BatchNorm2d(stem), PReLU(stem))
    last = stages[-1][0]
    model.output_layer = Sequential(BatchNorm2d(last), Dropout(drop_ratio), released.helpers.Flatten(),
                                    Linear(last * 7 * 7, embedding), BatchNorm1d(embedding, affine=True))
    modules, channels = [], stem
    for depth, units in stages:
        for b in [released.helpers.Bottleneck(channels, depth, 2)] + \
                 [released.helpers.Bottleneck(depth, depth, 1) for _ in range(units - 1)]:
            modules.append(released.helpers.bottleneck_IR_SE(b.in_channel, b.depth, b.stride))
        channels = depth
    model.body = Sequential(*modules)
    return model


def id_loss_for(released, facenet):
    IDLoss = released.id.IDLoss
    loss = IDLoss.__new__(IDLoss)
    nn.Module.__init__(loss)
    loss.facenet = facenet
    loss.face_pool = torch.nn.AdaptiveAvgPool2d((112, 112))
    loss.facenet.eval()
    # Old PyTorch (pSp's 1.x) broadcast IDLoss's [N, 1] target over the [N] cosines, giving
    # mean(1 − cos); PyTorch ≥ 1.13 refuses a 2-D target, so it is flattened (same value).
    loss.cos_loss = lambda a, b, target: F.cosine_embedding_loss(a, b, target.reshape(-1).to(a.dtype))
    return loss


def id_outputs(released, facenet, facenet64, g, out, gaps):
    """IDLoss single/multi values and y_hat gradients into out (shared by mini and large)."""
    x_base, y_base, yhat_base = (torch.rand(2, 3, 32, 32, generator=g) * 2 - 1 for _ in range(3))
    out.update({"x_base": x_base, "y_base": y_base, "yhat_base": yhat_base})
    idx = torch.Generator().manual_seed(99)
    for multi, key in [(False, "id_loss"), (True, "id_loss_multi")]:
        results = {}
        for dtype, net in [(torch.float32, facenet), (torch.float64, facenet64)]:
            crit = id_loss_for(released, net)
            x, y = (blocky(b.to(dtype), 8, 256, 256) for b in (x_base, y_base))
            yhat = blocky(yhat_base.to(dtype), 8, 256, 256).requires_grad_(True)
            loss = crit(yhat, y, x, multi=multi)
            (d,) = grad_of(loss, [yhat])
            results[dtype] = (loss, d)
        (loss, d), (loss64, d64) = results[torch.float32], results[torch.float64]
        out[key] = loss.reshape(())
        gaps[key] = gap(loss, loss64)
        gaps[key + "_dyhat"] = gap(d, d64)
        store_gradient(out, key + "_dyhat", d, 8, idx)
    crit = id_loss_for(released, facenet)
    with torch.no_grad():
        a = crit.extract_feats(blocky(yhat_base, 8, 256, 256))
        b = crit.extract_feats(blocky(y_base, 8, 256, 256))
    out["id_similarity"] = (a * b).sum(dim=1)
    out["yhat_embedding"] = a


def double_copy(model):
    import copy
    m = copy.deepcopy(model).double().eval()
    return m


def make_irse_mini(released):
    g = torch.Generator().manual_seed(31)
    torch.manual_seed(32)
    facenet = mini_backbone(released, 16, [(16, 3), (20, 4), (16, 14), (20, 3)], 16)
    perturb_(facenet, g)
    facenet.eval()
    torch_save(facenet.state_dict(), FIXTURES / "irse_mini.pt")
    facenet64 = double_copy(facenet)
    out, gaps = {}, {}
    faces_base = torch.rand(2, 3, 28, 28, generator=g) * 2 - 1
    out["faces_base"] = faces_base
    faces = blocky(faces_base, 4, 112, 112).requires_grad_(True)
    embedding = facenet(faces)
    gout = torch.randn(embedding.shape, generator=g)
    (d,) = grad_of(embedding, [faces], gout)
    faces64 = faces.detach().double().requires_grad_(True)
    embedding64 = facenet64(faces64)
    (d64,) = grad_of(embedding64, [faces64], gout.double())
    out.update({"embedding": embedding, "gout_embedding": gout})
    gaps["embedding"] = gap(embedding, embedding64)
    gaps["embedding_dfaces"] = gap(d, d64)
    store_gradient(out, "embedding_dfaces", d, 4, torch.Generator().manual_seed(98))
    with torch.no_grad():
        feats = facenet(faces, return_features=True)
        feats64 = facenet64(faces64, return_features=True)
    sampler = torch.Generator().manual_seed(96)
    for i in range(4):
        gaps[f"feature{i}"] = gap(feats[i], feats64[i])
        if feats[i].numel() <= 8192:
            out[f"feature{i}"] = feats[i]
        else:  # large maps: per-channel means and a sample
            out[f"feature{i}_channel_mean"] = feats[i].mean(dim=(2, 3))
            index = torch.randperm(feats[i].numel(), generator=sampler)[:2048].sort().values
            out[f"feature{i}_sample_index"] = index.float()
            out[f"feature{i}_sample"] = feats[i].reshape(-1)[index]
    id_outputs(released, facenet, facenet64, g, out, gaps)
    write_safetensors(FIXTURES / "irse_mini.safetensors", out, {"gap": json.dumps(gaps, sort_keys=True)})


def make_irse_large(released):
    g = torch.Generator().manual_seed(41)
    torch.manual_seed(42)
    facenet = released.irse.Backbone(input_size=112, num_layers=50, drop_ratio=0.6, mode='ir_se')
    perturb_(facenet, g)
    facenet.eval()
    torch_save(facenet.state_dict(), LARGE / "irse50.pt")
    out, gaps = {}, {}
    id_outputs(released, facenet, double_copy(facenet), g, out, gaps)
    write_safetensors(LARGE / "irse50_outputs.safetensors", out, {"gap": json.dumps(gaps, sort_keys=True)})


# ---------------------------------------------------------------------------------------------
# LPIPS

SMALL_WIDTHS = [8, 16, 24, 16, 16]
CONV_INDICES = [0, 3, 6, 8, 10]
SLICE_OF = {0: 1, 3: 2, 6: 3, 8: 4, 10: 5}


def released_lpips(released, widths, heads_file):
    """criteria.lpips.LPIPS at `widths` (the standard ones build it exactly as pSp does)."""
    global STUB_WIDTHS
    STUB_WIDTHS = widths
    HUB_FILE[0] = heads_file
    if widths == [64, 192, 384, 256, 256]:
        model = released.lpips.LPIPS(net_type='alex')
    else:
        LPIPS = released.lpips.LPIPS
        model = LPIPS.__new__(LPIPS)
        nn.Module.__init__(model)
        model.net = released.networks.AlexNet()
        model.net.n_channels_list = widths
        model.lin = released.networks.LinLayers(widths)
        model.lin.load_state_dict(released.lpips.get_state_dict('alex', '0.1'))
    STUB_WIDTHS = [64, 192, 384, 256, 256]
    return model.eval()


def lpips_outputs(model, x, y, out, gaps, grad_key, factor=None):
    model64 = double_copy(model)
    xg = x.clone().requires_grad_(True)
    loss = model(xg, y)
    (d,) = grad_of(loss, [xg])
    x64 = x.double().requires_grad_(True)
    loss64 = model64(x64, y.double())
    (d64,) = grad_of(loss64, [x64])
    assert torch.isfinite(d).all()
    with torch.no_grad():
        per_image = torch.stack([model(x[i:i + 1], y[i:i + 1]) for i in range(x.shape[0])])
        per_image64 = torch.stack([model64(x64[i:i + 1], y[i:i + 1].double()) for i in range(x.shape[0])])
    out["loss"] = loss.reshape(())
    out["per_image"] = per_image
    gaps["loss"] = gap(loss, loss64)
    gaps["per_image"] = gap(per_image, per_image64)
    gaps[grad_key] = gap(d, d64)
    if factor is None:
        out[grad_key] = d
    else:
        store_gradient(out, grad_key, d, factor, torch.Generator().manual_seed(97))


def make_lpips_small(released):
    g = torch.Generator().manual_seed(51)
    torch.manual_seed(52)
    global STUB_WIDTHS
    STUB_WIDTHS = SMALL_WIDTHS
    features = sys.modules["torchvision.models"].alexnet(True).features
    STUB_WIDTHS = [64, 192, 384, 256, 256]
    trunk_state = {f"features.{k}": v for k, v in features.state_dict().items()}
    trunk_state["classifier.1.weight"] = torch.randn(4, 6, generator=g)
    trunk_state["classifier.1.bias"] = torch.randn(4, generator=g)
    torch_save(trunk_state, FIXTURES / "lpips_small_trunk.pt")
    heads = {f"lin{k}.model.1.weight": torch.randn(1, c, 1, 1, generator=g).abs() / c for k, c in enumerate(SMALL_WIDTHS)}
    torch_save(heads, FIXTURES / "lpips_small_heads.pth", legacy=True)

    model = released_lpips(released, SMALL_WIDTHS, FIXTURES / "lpips_small_heads.pth")
    model.net.layers.load_state_dict(features.state_dict())
    torch_save(model.state_dict(), FIXTURES / "lpips_small_psp.pt")
    richzhang = {f"net.slice{SLICE_OF[i]}.{i}.{p}": trunk_state[f"features.{i}.{p}"]
                 for i in CONV_INDICES for p in ("weight", "bias")}
    richzhang.update(heads)
    richzhang["scaling_layer.shift"] = torch.tensor([-.030, -.088, -.188])[None, :, None, None]
    richzhang["scaling_layer.scale"] = torch.tensor([.458, .448, .450])[None, :, None, None]
    torch_save(richzhang, FIXTURES / "lpips_small_richzhang.pt")

    x_base = torch.rand(2, 3, 32, 32, generator=g) * 2 - 1
    y_base = (x_base + 0.3 * torch.randn(2, 3, 32, 32, generator=g)).clamp(-1, 1)
    out, gaps = {"x_base": x_base, "y_base": y_base}, {}
    lpips_outputs(model, blocky(x_base, 2, 64, 64), blocky(y_base, 2, 64, 64), out, gaps, "dx", factor=2)
    write_safetensors(FIXTURES / "lpips_small.safetensors", out, {"gap": json.dumps(gaps, sort_keys=True)})


def make_lpips_alex(released):
    if not SHARED_HEADS.exists():
        print(f"skipping lpips_alex: {SHARED_HEADS} not found")
        return
    model = released_lpips(released, [64, 192, 384, 256, 256], SHARED_HEADS)
    mix = SplitMix(0x1795)
    with torch.no_grad():
        for i in CONV_INDICES:
            conv = model.net.layers[i]
            fan_in = conv.weight[0].numel()
            bound = math.sqrt(6.0 / fan_in)
            conv.weight.copy_(torch.from_numpy((mix.signed(conv.weight.numel()) * bound).astype(np.float32)).reshape(conv.weight.shape))
            conv.bias.copy_(torch.from_numpy((mix.signed(conv.bias.numel()) * 0.05).astype(np.float32)))
    g = torch.Generator().manual_seed(61)
    x_base = torch.rand(2, 3, 32, 32, generator=g) * 2 - 1
    y_base = (x_base + 0.4 * torch.randn(2, 3, 32, 32, generator=g)).clamp(-1, 1)
    out, gaps = {"x_base": x_base, "y_base": y_base}, {}
    out["check_conv0_weight_first"] = model.net.layers[0].weight.reshape(-1)[:4]
    out["check_conv10_bias_last"] = model.net.layers[10].bias[-4:]
    lpips_outputs(model, blocky(x_base, 4, 128, 128), blocky(y_base, 4, 128, 128), out, gaps, "dx", factor=4)
    write_safetensors(FIXTURES / "lpips_alex.safetensors", out, {"gap": json.dumps(gaps, sort_keys=True)})


# ---------------------------------------------------------------------------------------------
# SSIM / MS-SSIM / MSE / PSNR

def make_ssim():
    from pytorch_msssim import ms_ssim, ssim
    g = torch.Generator().manual_seed(71)
    out, gaps = {}, {}

    def record(prefix, a, b, with_ms=True):
        a01, b01 = (a + 1) / 2, (b + 1) / 2
        s = ssim(a01, b01, data_range=1, size_average=False)
        out[prefix + "ssim"] = s
        gaps[prefix + "ssim"] = gap(s, ssim(a01.double(), b01.double(), data_range=1, size_average=False))
        if with_ms:
            m = ms_ssim(a01, b01, data_range=1, size_average=False)
            out[prefix + "msssim"] = m
            gaps[prefix + "msssim"] = gap(m, ms_ssim(a01.double(), b01.double(), data_range=1, size_average=False))

    a_base = torch.rand(2, 3, 32, 32, generator=g) * 2 - 1
    b_base = (a_base + 0.3 * torch.randn(2, 3, 32, 32, generator=g)).clamp(-1, 1)
    out.update({"a_base": a_base, "b_base": b_base})
    a, b = blocky(a_base, 8, 256, 256), blocky(b_base, 8, 256, 256)
    record("", a, b)
    mse64 = ((a.double() - b.double()) ** 2).mean(dim=(1, 2, 3))
    out["mse"] = ((a - b) ** 2).mean(dim=(1, 2, 3))
    out["psnr"] = 10 * torch.log10(1 / (mse64 / 4))
    gaps["mse"] = gap(out["mse"], mse64)

    odd_a = torch.rand(2, 1, 60, 56, generator=g) * 2 - 1
    odd_b = (odd_a + 0.5 * torch.randn(2, 1, 60, 56, generator=g)).clamp(-1, 1)
    out.update({"odd_a_base": odd_a, "odd_b_base": odd_b})
    record("odd_", blocky(odd_a, 3, 171, 165), blocky(odd_b, 3, 171, 165))

    small_a = torch.rand(1, 3, 9, 23, generator=g) * 2 - 1
    small_b = (small_a + 0.2 * torch.randn(1, 3, 9, 23, generator=g)).clamp(-1, 1)
    out.update({"small_a": small_a, "small_b": small_b})
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        record("small_", small_a, small_b, with_ms=False)
    make_psp_family_ssim(HYPERSTYLE_REPO[0], out, gaps)
    write_safetensors(FIXTURES / "ssim.safetensors", out, {"gap": json.dumps(gaps, sort_keys=True)})


def import_hyperstyle_ms_ssim(repo):
    """HyperStyle's criteria/ms_ssim.py (jorge-pessoa/pytorch-msssim), from its bare repository."""
    source = subprocess.run(["git", "-C", str(repo), "show", "HEAD:criteria/ms_ssim.py"], check=True,
                            capture_output=True, text=True).stdout
    module = types.ModuleType("hyperstyle_ms_ssim")
    exec(compile(source, "hyperstyle/criteria/ms_ssim.py", "exec"), module.__dict__)
    return module


def make_psp_family_ssim(repo, out, gaps):
    """pspfamily_* entries of ssim.safetensors: the evaluation scripts' per-image MS-SSIM / SSIM."""
    ms = import_hyperstyle_ms_ssim(repo)
    original_window = ms.create_window
    g = torch.Generator().manual_seed(81)

    def per_image(fn, a, b, dtype):
        if dtype == torch.float64:
            ms.create_window = lambda size, channel=1: original_window(size, channel).double()
        try:
            return torch.stack([fn(a[i:i + 1].to(dtype), b[i:i + 1].to(dtype)).reshape(()) for i in range(a.shape[0])])
        finally:
            ms.create_window = original_window

    def record(prefix, a, b):
        for name, fn in [("msssim", lambda x, y: ms.MSSSIM()(x, y)), ("ssim", lambda x, y: ms.ssim(x, y))]:
            v32 = per_image(fn, a, b, torch.float32)
            v64 = per_image(fn, a, b, torch.float64)
            out[prefix + name] = v32
            if torch.isfinite(v32).all():
                gaps[prefix + name] = gap(v32, v64)

    a, b = blocky(out["a_base"], 8, 256, 256), blocky(out["b_base"], 8, 256, 256)
    record("pspfamily_", a, b)
    # No value below -0.5: the script guesses L = 1 instead of 2. Odd sides: pooling floors.
    c_base = torch.rand(2, 3, 25, 25, generator=g) * 1.4 - 0.4
    d_base = (c_base + 0.2 * torch.randn(2, 3, 25, 25, generator=g)).clamp(-0.4, 1)
    out.update({"pspfamily_narrow_a_base": c_base, "pspfamily_narrow_b_base": d_base})
    record("pspfamily_narrow_", blocky(c_base, 8, 199, 197), blocky(d_base, 8, 199, 197))
    # Anti-correlated images: negative contrast-structure terms, NaN MS-SSIM (the script drops it).
    record("pspfamily_negated_", a[:1], -a[:1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--large", action="store_true", help="also write full IR-SE50 fixtures to .fixtures-large/")
    parser.add_argument("--released-repo", type=Path, default=DEFAULT_REPO,
                        help="bare git repository of I2-Multimedia-Lab/StylePrompter")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--hyperstyle-repo", type=Path, default=HYPERSTYLE_REPO[0],
                        help="bare git repository of yuval-alaluf/hyperstyle (criteria/ms_ssim.py)")
    args = parser.parse_args()
    HYPERSTYLE_REPO[0] = args.hyperstyle_repo
    torch.set_num_threads(args.threads)
    released = import_released(args.released_repo)
    make_layers(released)
    make_blocks(released)
    make_irse_mini(released)
    make_lpips_small(released)
    make_lpips_alex(released)
    make_ssim()
    if args.large:
        make_irse_large(released)
    for path in sorted(FIXTURES.iterdir()):
        print(f"{path.stat().st_size:>9}  {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
