#!/usr/bin/env python3
"""PyTorch reference fixtures for the Tensors op tests.

How to run (from the repository root; only needed when cases change — the output is committed
and `swift test` never runs Python):

    .venv/bin/python Scripts/make_op_fixtures.py

Made with torch 2.13.0+cpu and numpy (CPU only). Writes one file,
`Tests/TensorsTests/Fixtures/ops.safetensors`, hand-written in the safetensors format
(8-byte little-endian header length, JSON header, raw little-endian float32 data).

For every case `NAME`:
  NAME.<input>      float32 inputs (numpy default_rng seeded with the CRC-32 of a per-input label, so
                    cases are independent and reruns are byte-identical); constant inputs
                    such as FIR kernels or `where` conditions are stored the same way
  NAME.gout         a random upstream gradient shaped like the output
  NAME.out          the output
  NAME.grad_<input> d sum(out * gout) / d input, for each differentiable input
and the `__metadata__` entry NAME is a JSON string:
  {"inputs": [...], "grads": [...], "params": {...}, "gap": {"out": r, "grad_x": r, ...}}

The stored `out`/`grad_*` are computed in float64 from the float32 inputs (then rounded to
float32), so they are the best answer float32 inputs allow. `gap` is the relative L2 error
(‖a − b‖₂ / ‖b‖₂) of the same op run by PyTorch in float32 against that float64 result: the
rounding error a correct float32 implementation can be expected to show. The Swift tests bound
their own error by ten times it, never below 2e-6 relative.

Inputs of piecewise-smooth ops (relu, abs, clamp, max, …) are kept away from the kinks so that
finite differences are meaningful at the stored points; the `*_at_zero`, `*_at_bounds`,
`max_ties` and `l2_normalize_zero_row` cases sit on them on purpose, to pin PyTorch's choice of
subgradient.

`double_backward` (StyleGAN2's R1 path) stores x, w, b, k (FIR kernel), gout, out, grad_x
(= d⟨out, gout⟩/dx, recorded with create_graph), penalty (= Σ grad_x²), grad_penalty_w and
grad_penalty_b.
"""
import json
import math
import struct
import zlib
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from fixture_common import write_safetensors, relative_error, upfirdn2d_native

OUTPUT = Path("Tests/TensorsTests/Fixtures/ops.safetensors")

tensors: dict[str, np.ndarray] = {}
metadata: dict[str, str] = {}


def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode()))



def add_case(name, fn, inputs, grads=None, params=None, extras=None):
    """`inputs`: {name: float64 numpy array}; `grads`: names of differentiable inputs (default:
    all); `fn(**tensors)` returns the output tensor (or `(output, {extra_name: tensor})`)."""
    rng = rng_for(name + "/gout")
    grads = list(inputs) if grads is None else grads
    inputs32 = {k: np.asarray(v, dtype=np.float32) for k, v in inputs.items()}

    def run(dtype):
        ts = {k: torch.tensor(v, dtype=dtype, requires_grad=k in grads) for k, v in inputs32.items()}
        result = fn(**ts)
        out, extra = result if isinstance(result, tuple) else (result, {})
        return ts, out, extra

    ts32, out32, extra32 = run(torch.float32)
    gout = np.asarray(rng.standard_normal(tuple(out32.shape)), dtype=np.float32)
    ts64, out64, extra64 = run(torch.float64)
    gap = {"out": relative_error(out32, out64)}
    grads64 = {}
    if grads:
        g32 = torch.autograd.grad((out32 * torch.tensor(gout)).sum(), [ts32[k] for k in grads])
        g64 = torch.autograd.grad((out64 * torch.tensor(gout, dtype=torch.float64)).sum(), [ts64[k] for k in grads])
        for k, a, b in zip(grads, g32, g64):
            gap["grad_" + k] = relative_error(a, b)
            grads64[k] = b
    for k, v in inputs32.items():
        tensors[f"{name}.{k}"] = v
    tensors[f"{name}.gout"] = gout
    tensors[f"{name}.out"] = out64.detach().numpy().astype(np.float32)
    for k, g in grads64.items():
        tensors[f"{name}.grad_{k}"] = g.numpy().astype(np.float32)
    for k, v in extra64.items():
        tensors[f"{name}.{k}"] = np.asarray(v.detach().numpy(), dtype=np.float32)
    metadata[name] = json.dumps({"inputs": list(inputs), "grads": grads, "params": params or {}, "gap": gap})


# ----------------------------------------------------------------------------- input makers

def normal(name, shape, scale=1.0):
    return rng_for(name).standard_normal(shape) * scale


def positive(name, shape, low=0.5, high=2.0):
    return rng_for(name).uniform(low, high, shape)


def away_from(name, shape, points=(0.0,), margin=0.1, scale=1.0):
    """Normal samples at least `margin` from each of `points` (kinks of the op)."""
    x = rng_for(name).standard_normal(shape) * scale
    for p in points:
        near = np.abs(x - p) < margin
        x = np.where(near, p + np.sign(x - p + 1e-12) * margin * (1 + np.abs(x)), x)
    return x


def distinct(name, shape, spacing=0.1):
    """Values on a shuffled grid: every pair differs by at least `spacing` (for max)."""
    n = int(np.prod(shape))
    values = (np.arange(n) - n / 2) * spacing
    return rng_for(name).permutation(values).reshape(shape)


# ----------------------------------------------------------------------------- reference upfirdn2d


def make_blur_kernel(taps, scale=1.0):
    k = np.asarray(taps, dtype=np.float64)
    k = np.outer(k, k)
    return k / k.sum() * scale


def pytorch_pad(padding):
    """Our `pad` lists (before, after) per trailing axis, innermost last; F.pad wants innermost first."""
    flat = []
    for before, after in reversed(padding):
        flat += [before, after]
    return flat


# ----------------------------------------------------------------------------- cases

def elementwise_cases():
    add_case("add_same", lambda a, b: a + b, {"a": normal("add_same.a", (3, 4)), "b": normal("add_same.b", (3, 4))})
    add_case("add_broadcast", lambda a, b: a + b,
             {"a": normal("add_broadcast.a", (2, 3, 4)), "b": normal("add_broadcast.b", (3, 1))})
    add_case("sub_broadcast", lambda a, b: a - b,
             {"a": normal("sub_broadcast.a", (2, 1, 4)), "b": normal("sub_broadcast.b", (3, 1))})
    add_case("mul_broadcast", lambda a, b: a * b,
             {"a": normal("mul_broadcast.a", (2, 3, 1)), "b": normal("mul_broadcast.b", (1, 4))})
    add_case("div_broadcast", lambda a, b: a / b,
             {"a": normal("div_broadcast.a", (3, 4)), "b": positive("div_broadcast.b", (4,))})
    add_case("mul_scalar_tensor", lambda a, b: a * b,
             {"a": normal("mul_scalar_tensor.a", (2, 3)), "b": normal("mul_scalar_tensor.b", ())})
    add_case("scalar_ops", lambda x: (2.5 - (x * 1.5 + 0.25) / 4) - 1.0, {"x": normal("scalar_ops.x", (2, 5))})
    add_case("pow_fractional", lambda x: x.pow(1.7), {"x": positive("pow_fractional.x", (3, 4))}, params={"exponent": 1.7})
    add_case("pow_square", lambda x: x.pow(2.0), {"x": normal("pow_square.x", (3, 4))}, params={"exponent": 2.0})
    cond = (rng_for("where.c").uniform(size=(3, 1)) > 0.5).astype(np.float64)
    cond[0, 0], cond[1, 0] = 1.0, 0.0
    add_case("where", lambda c, a, b: torch.where(c != 0, a, b),
             {"c": cond, "a": normal("where.a", (3, 4)), "b": normal("where.b", (4,))}, grads=["a", "b"])
    add_case("broadcast", lambda x: x.expand(2, 3, 4), {"x": normal("broadcast.x", (3, 1))}, params={"shape": [2, 3, 4]})
    add_case("sum_to_shape", lambda x: x.sum(dim=0).sum(dim=-1, keepdim=True), {"x": normal("sum_to_shape.x", (2, 3, 4))},
             params={"shape": [3, 1]})


def unary_cases():
    s = (4, 5)
    add_case("sqrt", lambda x: x.sqrt(), {"x": positive("sqrt.x", s)})
    add_case("rsqrt", lambda x: x.rsqrt(), {"x": positive("rsqrt.x", s)})
    add_case("exp", lambda x: x.exp(), {"x": normal("exp.x", s)})
    add_case("log", lambda x: x.log(), {"x": positive("log.x", s, 0.3, 3.0)})
    add_case("abs", lambda x: x.abs(), {"x": away_from("abs.x", s)})
    add_case("clamp", lambda x: x.clamp(-0.5, 0.7), {"x": away_from("clamp.x", s, points=(-0.5, 0.7))},
             params={"min": -0.5, "max": 0.7})
    add_case("tanh", lambda x: x.tanh(), {"x": normal("tanh.x", s)})
    add_case("sigmoid", lambda x: x.sigmoid(), {"x": normal("sigmoid.x", s, 2.0)})
    add_case("relu", lambda x: F.relu(x), {"x": away_from("relu.x", s)})
    add_case("leaky_relu", lambda x: F.leaky_relu(x, 0.2) * math.sqrt(2), {"x": away_from("leaky_relu.x", s)},
             params={"slope": 0.2, "scale": math.sqrt(2)})
    add_case("gelu", lambda x: F.gelu(x), {"x": normal("gelu.x", s, 1.5)})
    softplus_x = normal("softplus.x", s, 3.0)
    softplus_x[0, :3] = [25.0, -25.0, 19.5]   # both sides of the linear threshold (20)
    add_case("softplus", lambda x: F.softplus(x), {"x": softplus_x})


def kink_cases():
    """Exact zeros and ties, where the op is not differentiable: PyTorch's choice of subgradient
    (no finite-difference check there)."""
    x = np.array([[-1.5, 0.0, 0.7], [0.0, -0.0, 2.0]])
    add_case("leaky_relu_at_zero", lambda x: F.leaky_relu(x, 0.2) * math.sqrt(2), {"x": x})
    add_case("relu_at_zero", lambda x: F.relu(x), {"x": x})
    add_case("abs_at_zero", lambda x: x.abs(), {"x": x})
    add_case("clamp_at_bounds", lambda x: x.clamp(0.0, 0.7), {"x": x}, params={"min": 0.0, "max": 0.7})
    add_case("max_ties", lambda x: torch.max(x, dim=1).values, {"x": np.array([[1.0, 3.0, 3.0, 2.0], [-1.0, -1.0, -2.0, -1.0]])})
    add_case("l2_normalize_zero_row", lambda x: F.normalize(x, dim=-1), {"x": np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 2.0]])})


def reduction_cases():
    x = lambda n: normal(n + ".x", (2, 3, 4))
    add_case("sum_all", lambda x: x.sum(), {"x": x("sum_all")})
    add_case("sum_axes_keep", lambda x: x.sum(dim=(0, 2), keepdim=True), {"x": x("sum_axes_keep")},
             params={"axes": [0, 2], "keepDims": True})
    add_case("sum_axis_last", lambda x: x.sum(dim=-1), {"x": x("sum_axis_last")}, params={"axes": [-1], "keepDims": False})
    add_case("mean_all", lambda x: x.mean(), {"x": x("mean_all")})
    add_case("mean_axis_keep", lambda x: x.mean(dim=1, keepdim=True), {"x": x("mean_axis_keep")},
             params={"axes": [1], "keepDims": True})
    add_case("mean_axes", lambda x: x.mean(dim=(0, -1)), {"x": x("mean_axes")}, params={"axes": [0, -1], "keepDims": False})
    add_case("variance_unbiased", lambda x: x.var(dim=(1, 2)), {"x": x("variance_unbiased")},
             params={"axes": [1, 2], "unbiased": True, "keepDims": False})
    add_case("variance_biased_keep", lambda x: x.var(dim=-1, unbiased=False, keepdim=True), {"x": x("variance_biased_keep")},
             params={"axes": [-1], "unbiased": False, "keepDims": True})

    def max_along(axis, keep):
        def fn(x):
            values, indices = torch.max(x, dim=axis, keepdim=keep)
            return values, {"indices": indices.double()}
        return fn
    add_case("max_axis1", max_along(1, False), {"x": distinct("max_axis1.x", (2, 5, 3))}, params={"axis": 1, "keepDims": False})
    add_case("max_last_keep", max_along(-1, True), {"x": distinct("max_last_keep.x", (3, 6))},
             params={"axis": -1, "keepDims": True})


def linear_algebra_cases():
    n = normal
    add_case("matmul_2d", lambda a, b: a @ b, {"a": n("mm2.a", (5, 7)), "b": n("mm2.b", (7, 3))})
    add_case("matmul_batched", lambda a, b: a @ b, {"a": n("mmb.a", (2, 4, 6)), "b": n("mmb.b", (2, 6, 3))})
    add_case("matmul_broadcast_batch", lambda a, b: a @ b, {"a": n("mmbb.a", (2, 1, 4, 5)), "b": n("mmbb.b", (3, 5, 2))})
    add_case("matmul_batch_by_matrix", lambda a, b: a @ b, {"a": n("mmbm.a", (2, 4, 6)), "b": n("mmbm.b", (6, 3))})
    add_case("matmul_transpose_a", lambda a, b: a.transpose(-1, -2) @ b, {"a": n("mmta.a", (6, 4)), "b": n("mmta.b", (6, 3))},
             params={"transposeA": True})
    add_case("matmul_transpose_b", lambda a, b: a @ b.transpose(-1, -2), {"a": n("mmtb.a", (4, 6)), "b": n("mmtb.b", (3, 6))},
             params={"transposeB": True})
    add_case("matmul_transpose_both", lambda a, b: a.transpose(-1, -2) @ b.transpose(-1, -2),
             {"a": n("mmtt.a", (2, 6, 4)), "b": n("mmtt.b", (2, 3, 6))}, params={"transposeA": True, "transposeB": True})
    add_case("matmul_batched_transpose_a", lambda a, b: a.transpose(-1, -2) @ b,
             {"a": n("mmbta.a", (2, 5, 4)), "b": n("mmbta.b", (5, 3))}, params={"transposeA": True})
    add_case("matmul_matrix_by_batch", lambda a, b: a @ b, {"a": n("mmmb.a", (4, 5)), "b": n("mmmb.b", (3, 5, 2))})
    add_case("matmul_outer", lambda a, b: a @ b, {"a": n("mmo.a", (4, 1)), "b": n("mmo.b", (1, 3))})
    add_case("linear_3d", lambda x, w, b: F.linear(x, w, b),
             {"x": n("lin.x", (2, 3, 5)), "w": n("lin.w", (4, 5)), "b": n("lin.b", (4,))})


def convolution_cases():
    def conv(name, x_shape, w_shape, bias=True, stride=(1, 1), padding=(0, 0), groups=1):
        inputs = {"x": normal(name + ".x", x_shape), "w": normal(name + ".w", w_shape, 0.5)}
        if bias:
            inputs["b"] = normal(name + ".b", (w_shape[0],))
        add_case(name, lambda x, w, b=None: F.conv2d(x, w, b, stride=stride, padding=padding, groups=groups), inputs,
                 params={"stride": list(stride), "padding": list(padding), "groups": groups})
    conv("conv2d_basic", (2, 3, 7, 6), (4, 3, 3, 3))
    conv("conv2d_pad1", (1, 3, 6, 6), (4, 3, 3, 3), padding=(1, 1))
    conv("conv2d_stride2", (2, 3, 9, 8), (5, 3, 3, 3), stride=(2, 2), padding=(1, 1))
    conv("conv2d_stride2_pad0", (1, 2, 8, 7), (3, 2, 3, 3), bias=False, stride=(2, 2))
    conv("conv2d_groups2", (1, 4, 6, 6), (6, 2, 3, 3), padding=(1, 1), groups=2)
    conv("conv2d_1x1", (2, 5, 4, 3), (3, 5, 1, 1))
    conv("conv2d_patch4", (1, 3, 8, 12), (5, 3, 4, 4), stride=(4, 4))
    conv("conv2d_depthwise_stride2", (2, 4, 7, 7), (4, 1, 3, 3), stride=(2, 2), padding=(1, 1), groups=4)
    conv("conv2d_rectangular", (1, 2, 7, 9), (3, 2, 3, 2), stride=(2, 1), padding=(1, 0))

    def conv_t(name, x_shape, w_shape, bias, stride, padding, groups):
        inputs = {"x": normal(name + ".x", x_shape), "w": normal(name + ".w", w_shape, 0.5)}
        if bias:
            inputs["b"] = normal(name + ".b", (w_shape[1] * groups,))
        add_case(name, lambda x, w, b=None: F.conv_transpose2d(x, w, b, stride=stride, padding=padding, groups=groups),
                 inputs, params={"stride": stride, "padding": padding, "groups": groups})
    # StyleGAN2's upsampling modulated conv: conv_transpose2d(stride 2, padding 0, groups = batch).
    conv_t("conv_transpose2d_stylegan", (1, 4, 4, 4), (4, 3, 3, 3), False, 2, 0, 2)
    conv_t("conv_transpose2d_bias_pad1", (2, 3, 3, 4), (3, 2, 3, 3), True, 2, 1, 1)
    conv_t("conv_transpose2d_batch2_groups2", (2, 4, 3, 3), (4, 2, 3, 3), True, 2, 0, 2)


def filter_cases():
    def upfirdn(name, x_shape, kernel, up=(1, 1), down=(1, 1), pad=(0, 0, 0, 0)):
        add_case(name, lambda x, k: upfirdn2d_native(x, k, up[0], up[1], down[0], down[1], *pad),
                 {"x": normal(name + ".x", x_shape), "k": kernel}, grads=["x"],
                 params={"up": list(up), "down": list(down), "pad": list(pad)})
    blur = make_blur_kernel([1, 3, 3, 1])
    upfirdn("upfirdn2d_up2", (1, 2, 5, 5), make_blur_kernel([1, 3, 3, 1], 4), up=(2, 2), pad=(2, 1, 2, 1))
    upfirdn("upfirdn2d_blur", (2, 2, 6, 5), blur, pad=(1, 1, 1, 1))
    upfirdn("upfirdn2d_down2", (1, 3, 8, 8), blur, down=(2, 2), pad=(1, 1, 1, 1))
    upfirdn("upfirdn2d_asymmetric", (1, 2, 5, 4), normal("upfirdn2d_asymmetric.k", (3, 4)),
            up=(2, 1), down=(1, 2), pad=(2, 0, 0, 3))
    # The discriminator's blur before a stride-2 conv: pad (2, 2).
    upfirdn("upfirdn2d_blur_pad2", (1, 2, 6, 6), blur, pad=(2, 2, 2, 2))
    upfirdn("upfirdn2d_up2_down2", (1, 2, 5, 6), make_blur_kernel([1, 3, 3, 1], 4), up=(2, 2), down=(2, 2), pad=(1, 2, 2, 1))
    upfirdn("upfirdn2d_negative_pad", (1, 1, 7, 6), blur, pad=(-1, 2, 1, -2))

    add_case("adaptive_avg_pool_12to4", lambda x: F.adaptive_avg_pool2d(x, (4, 4)), {"x": normal("aap12.x", (1, 2, 12, 12))},
             params={"output": [4, 4]})
    add_case("adaptive_avg_pool_7to3", lambda x: F.adaptive_avg_pool2d(x, (3, 2)), {"x": normal("aap7.x", (2, 2, 7, 5))},
             params={"output": [3, 2]})
    add_case("adaptive_avg_pool_3to5", lambda x: F.adaptive_avg_pool2d(x, (5, 4)), {"x": normal("aap3.x", (1, 2, 3, 3))},
             params={"output": [5, 4]})
    add_case("avg_pool_2", lambda x: F.avg_pool2d(x, 2), {"x": normal("ap2.x", (1, 2, 6, 7))}, params={"kernel": 2, "stride": 2})
    add_case("avg_pool_3_stride2", lambda x: F.avg_pool2d(x, 3, stride=2), {"x": normal("ap3.x", (1, 2, 7, 8))},
             params={"kernel": 3, "stride": 2})
    add_case("bilinear_up", lambda x: F.interpolate(x, size=(9, 13), mode="bilinear", align_corners=False),
             {"x": normal("bu.x", (1, 2, 5, 6))}, params={"size": [9, 13]})
    add_case("bilinear_down", lambda x: F.interpolate(x, size=(5, 4), mode="bilinear", align_corners=False),
             {"x": normal("bd.x", (2, 1, 12, 10))}, params={"size": [5, 4]})


def normalization_cases():
    add_case("softmax_last", lambda x: x.softmax(-1), {"x": normal("sm.x", (3, 7), 2.0)}, params={"axis": -1})
    add_case("softmax_axis1", lambda x: x.softmax(1), {"x": normal("sm1.x", (2, 5, 3), 2.0)}, params={"axis": 1})
    add_case("log_softmax_last", lambda x: x.log_softmax(-1), {"x": normal("lsm.x", (3, 7), 2.0)}, params={"axis": -1})
    add_case("log_softmax_axis0", lambda x: x.log_softmax(0), {"x": normal("lsm0.x", (4, 3, 2), 2.0)}, params={"axis": 0})
    big_logits = normal("smbig.x", (2, 6), 8.0)
    big_logits[0, :2] = [100.0, -100.0]   # exp would overflow without the max shift
    add_case("softmax_large_logits", lambda x: x.softmax(-1), {"x": big_logits}, params={"axis": -1})
    add_case("log_softmax_large_logits", lambda x: x.log_softmax(-1), {"x": big_logits}, params={"axis": -1})
    add_case("layer_norm_offset", lambda x: F.layer_norm(x, (16,)), {"x": 300 + normal("lno.x", (3, 16))})
    add_case("layer_norm_affine", lambda x, w, b: F.layer_norm(x, (8,), w, b),
             {"x": normal("ln.x", (2, 3, 8), 2.0), "w": 1 + normal("ln.w", (8,), 0.3), "b": normal("ln.b", (8,), 0.3)})
    add_case("layer_norm_plain", lambda x: F.layer_norm(x, (6,)), {"x": normal("lnp.x", (4, 6), 2.0)})
    add_case("l2_normalize_last", lambda x: F.normalize(x, dim=-1), {"x": normal("l2.x", (3, 5))}, params={"axis": -1})
    add_case("l2_normalize_axis1", lambda x: F.normalize(x, dim=1), {"x": normal("l21.x", (2, 4, 3))}, params={"axis": 1})


def shape_cases():
    x234 = lambda n: normal(n + ".x", (2, 3, 4))
    add_case("reshape", lambda x: x.reshape(4, -1), {"x": x234("reshape")}, params={"shape": [4, -1]})
    add_case("permute", lambda x: x.permute(2, 0, 1), {"x": x234("permute")}, params={"order": [2, 0, 1]})
    add_case("transposed", lambda x: x.transpose(0, 2), {"x": x234("transposed")}, params={"axes": [0, 2]})
    add_case("narrow_axis1", lambda x: x.narrow(1, 1, 2), {"x": x234("narrow1")}, params={"axis": 1, "start": 1, "length": 2})
    add_case("narrow_axis0_view", lambda x: x.narrow(0, 1, 1), {"x": x234("narrow0")},
             params={"axis": 0, "start": 1, "length": 1})
    add_case("slice_step2", lambda x: x[:, 1:7:2], {"x": normal("slice.x", (3, 8))},
             params={"axis": 1, "start": 1, "end": 7, "step": 2})
    add_case("slice_step3_axis0", lambda x: x[0:7:3], {"x": normal("slice3.x", (7, 2, 2))},
             params={"axis": 0, "start": 0, "end": 7, "step": 3})
    pos_pad = [(1, 2), (0, 3)]
    add_case("pad_positive", lambda x: F.pad(x, pytorch_pad(pos_pad), value=0.5), {"x": x234("padp")},
             params={"padding": pos_pad, "value": 0.5})
    neg_pad = [(-1, 0), (1, -2)]
    add_case("pad_negative", lambda x: F.pad(x, pytorch_pad(neg_pad)), {"x": x234("padn")}, params={"padding": neg_pad})
    add_case("concat_axis1", lambda a, b, c: torch.cat([a, b, c], dim=1),
             {"a": normal("cat.a", (2, 3, 4)), "b": normal("cat.b", (2, 1, 4)), "c": normal("cat.c", (2, 2, 4))},
             params={"axis": 1})
    add_case("stack_axis1", lambda a, b, c: torch.stack([a, b, c], dim=1),
             {"a": normal("stk.a", (2, 4)), "b": normal("stk.b", (2, 4)), "c": normal("stk.c", (2, 4))}, params={"axis": 1})
    add_case("roll", lambda x: torch.roll(torch.roll(x, 2, 2), -1, 0), {"x": x234("roll")},
             params={"shifts": [[2, 2], [-1, 0]]})
    add_case("index_select", lambda x: x.index_select(1, torch.tensor([2, 0, 2, 1])), {"x": x234("isel")},
             params={"axis": 1, "indices": [2, 0, 2, 1]})
    gather_index = rng_for("gather.index").integers(0, 3, (2, 4, 3))
    add_case("gather", lambda x: torch.gather(x, 1, torch.tensor(gather_index)), {"x": normal("gather.x", (2, 3, 4))},
             params={"axis": 1, "index": gather_index.flatten().tolist(), "indexShape": list(gather_index.shape)})
    scatter_index = rng_for("scatter.index").integers(0, 4, (3, 2))
    add_case("scatter_add", lambda x: torch.zeros(4, 2, dtype=x.dtype).scatter_add(0, torch.tensor(scatter_index), x),
             {"x": normal("scatter.x", (3, 2))},
             params={"axis": 0, "index": scatter_index.flatten().tolist(), "shape": [4, 2]})


def double_backward_case():
    """R1-style: g = d⟨upfirdn(lrelu(conv(x, w) + b)), gout⟩/dx with create_graph, then the
    gradient of sum(g²) w.r.t. w (and b, which is zero almost everywhere)."""
    name = "double_backward"
    rng = rng_for(name)
    x = rng.standard_normal((1, 2, 6, 6)).astype(np.float32)
    w = (rng.standard_normal((3, 2, 3, 3)) * 0.5).astype(np.float32)
    b = (rng.standard_normal((3,)) * 0.1).astype(np.float32)
    kernel = make_blur_kernel([1, 3, 3, 1]).astype(np.float32)
    gout = rng.standard_normal((1, 3, 3, 3)).astype(np.float32)

    def run(dtype):
        tx, tw, tb = (torch.tensor(a, dtype=dtype, requires_grad=True) for a in (x, w, b))
        y = F.conv2d(tx, tw, tb, padding=1)
        y = F.leaky_relu(y, 0.2) * math.sqrt(2)
        y = upfirdn2d_native(y, torch.tensor(kernel, dtype=dtype), 1, 1, 2, 2, 1, 1, 1, 1)
        (g,) = torch.autograd.grad((y * torch.tensor(gout, dtype=dtype)).sum(), tx, create_graph=True)
        penalty = (g * g).sum()
        gw, gb = torch.autograd.grad(penalty, [tw, tb], allow_unused=True)
        return y, g, penalty, gw, (gb if gb is not None else torch.zeros_like(tb))

    r32, r64 = run(torch.float32), run(torch.float64)
    labels = ["out", "grad_x", "penalty", "grad_penalty_w", "grad_penalty_b"]
    gap = {k: relative_error(a, b) for k, a, b in zip(labels, r32, r64)}
    for k, v in {"x": x, "w": w, "b": b, "k": kernel, "gout": gout}.items():
        tensors[f"{name}.{k}"] = v
    for k, v in zip(labels, r64):
        tensors[f"{name}.{k}"] = v.detach().numpy().astype(np.float32)
    metadata[name] = json.dumps({"inputs": ["x", "w", "b", "k"], "grads": [], "gap": gap,
                                 "params": {"conv_padding": 1, "slope": 0.2, "scale": math.sqrt(2),
                                            "down": 2, "pad": [1, 1, 1, 1]}})


# ----------------------------------------------------------------------------- writer


def main():
    torch.manual_seed(0)
    elementwise_cases()
    unary_cases()
    kink_cases()
    reduction_cases()
    linear_algebra_cases()
    convolution_cases()
    filter_cases()
    normalization_cases()
    shape_cases()
    double_backward_case()
    metadata["generator"] = f"Scripts/make_op_fixtures.py, torch {torch.__version__}"
    write_safetensors(OUTPUT, tensors, metadata)
    cases = [k for k in metadata if k != "generator"]
    print(f"wrote {OUTPUT}: {len(cases)} cases, {len(tensors)} tensors, {OUTPUT.stat().st_size} bytes")
    for name in cases:
        gap = json.loads(metadata[name])["gap"]
        print(f"  {name:32s} " + " ".join(f"{k}={v:.1e}" for k, v in gap.items()))


if __name__ == "__main__":
    main()
