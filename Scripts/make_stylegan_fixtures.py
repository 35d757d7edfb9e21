#!/usr/bin/env python3
"""PyTorch reference fixtures for the StyleGAN2 tests (generator, discriminator, GAN losses).

How to run (from the repository root; only needed when the cases change — the output is
committed and `swift test` never runs Python):

    .venv/bin/python Scripts/make_stylegan_fixtures.py            # small fixtures (committed)
    .venv/bin/python Scripts/make_stylegan_fixtures.py --full     # also the 1024-px ones (heavy)

Made with torch 2.13.0+cpu and numpy, CPU only, one thread by default (`--threads N`). The small
fixtures take a few seconds; --full about a minute more. The model code below is a transcription of rosinality/stylegan2-pytorch
(`model.py`, `op/upfirdn2d.py` `upfirdn2d_native`, `op/fused_act.py` CPU path, `train.py`
losses) with pure-PyTorch ops, so the state-dict keys, shapes and arithmetic are rosinality's.
The one extension: `Generator`/`Discriminator` take an optional `channels` table
({resolution: channels}) replacing the hard-coded one (512 up to 32 px, then 256·cm, …), so the
committed model is small. With `channels=None` they are exactly rosinality's.

Deviations from rosinality, all deliberate:
  * `ModulatedConv2d` implements only the default `fused=True` path (the one every checkpoint
    uses) and no `downsample` branch (the generator never downsamples).
  * `Generator.forward` takes an extra `feature_hook(conv_index, out) -> out`, called on the
    output of every `convs[i]`; `None` (the default) is rosinality's forward. It is how
    `feature16` is read and replaced.
  * The training-step fixture evaluates every loss and gradient at the SAME weights (those of
    train64.pt); rosinality applies an optimiser step between the D step, the R1 step, the G step
    and the path step. No mixing (`args.mixing` is ignored: one z), no augmentation, stored noise
    (`randomize_noise=False`) and the randn of `g_path_regularize` replaced by a stored tensor.

Every tensor below is float32, little-endian. Relative L2 gap: ‖a₃₂ − a₆₄‖₂ / ‖a₆₄‖₂ where a₃₂
is the stored float32 result and a₆₄ is the same computation (same float32-valued weights and
inputs, cast up) in float64: the rounding error a correct float32 implementation shows, so a
Swift test can bound its error against the stored a₃₂ by a small multiple of it (~2–4×, floored
at ~1e-6 — single scalars such as losses can show a gap far below their real error by luck).
Gaps are in the `gap` metadata entry (JSON {key: gap}) of each safetensors file. Scalars (losses)
are stored 0-d (shape []), as PyTorch returns them. Running the script twice gives identical bytes.
Cross-checked (outside the repo) against rosinality's own model.py / train.py with the CUDA ops
stubbed to their CPU paths: identical keys and shapes (also for channels=None at 64 and 1024 px)
and the stored values reproduced to ≤3e-7 relative.

Small configuration (`config` metadata entry of every safetensors file, JSON):
  size 64, style_dim 64, n_mlp 4, lr_mlp 0.01, blur_kernel [1,3,3,1],
  channels {4: 32, 8: 32, 16: 32, 32: 16, 64: 16} (channel_multiplier unused when a table is
  given), n_latent 10, num_layers 9 (noise buffers noise_0..noise_8).
  Weights: rosinality's init under torch.manual_seed, then EVERY parameter perturbed (seeded):
  weights ×(1 + 0.1·N(0,1)) elementwise (ToRGB conv weights then ×0.25, which keeps the image
  roughly in [−1, 1]); modulation biases 1 + 0.25·N; mapping biases
  (stored, before ×lr_mul) 10·N, i.e. 0.1·N effective; noise strengths 0.2·N; every other bias
  (FusedLeakyReLU, ToRGB, discriminator) 0.1·N. Noise buffers are rosinality's seeded randn.

Files (Tests/StyleGANTests/Fixtures/):

g64.pt — TF-converter / pSp layout: {'g_ema': Generator state_dict (an OrderedDict),
    'latent_avg': float32 [64]}. latent_avg = mean of the mapping output over 4096 seeded z.
    Keys: style.{1..4}.{weight [64,64], bias [64]}; input.input [1,32,4,4];
    conv1.conv.{weight [1,32,32,3,3], modulation.weight [32,64], modulation.bias [32]},
    conv1.noise.weight [1], conv1.activate.bias [32]; to_rgb1.conv.{weight [1,3,32,1,1],
    modulation.*}, to_rgb1.bias [1,3,1,1]; convs.0..7 (even: upsampling, with buffer
    conv.blur.kernel [4,4]); to_rgbs.0..3 (buffer upsample.kernel [4,4]); noises.noise_0..8
    [1,1,r,r], r = 4,8,8,16,16,32,32,64,64.

train64.pt — rosinality training layout: {'g': Generator state_dict, 'd': Discriminator
    state_dict, 'g_ema': Generator state_dict, 'args': plain dict}. 'g' holds the same values
    as g64.pt's 'g_ema'; 'g_ema' here is the very same tensors as 'g' (torch.save stores each
    storage once, which keeps the file small — a reader must resolve shared storages).
    'args' = {size, latent, n_mlp, lr_mlp, channel_multiplier, channels (JSON-style string
    keys), blur_kernel, batch, r1, d_reg_every, g_reg_every, path_regularize,
    path_batch_shrink, mixing, lr, iter, start_iter, augment, augment_p}.
    Discriminator keys: convs.0.0.weight [16,3,1,1], convs.0.1.bias [16];
    ResBlocks convs.1..4 (64→32, 32→16, 16→8, 8→4 px; channels 16→16, 16→32, 32→32, 32→32):
    convs.i.conv1.0.weight, convs.i.conv1.1.bias, convs.i.conv2.0.kernel (blur buffer [4,4]),
    convs.i.conv2.1.weight, convs.i.conv2.2.bias, convs.i.skip.0.kernel, convs.i.skip.1.weight
    [out,in,1,1]; final_conv.0.weight [32,33,3,3], final_conv.1.bias [32];
    final_linear.0.{weight [32,512], bias [32]}, final_linear.1.{weight [1,32], bias [1]}.

g64_outputs.safetensors — forward passes of g64.pt's generator (batch 2, float32):
    z [2,64]                  input latents (standard normal)
    w [2,64]                  mapping output style(z) (PixelNorm + 4 EqualLinear+lrelu)
    image_from_z [2,3,64,64]  G([z], input_is_latent=False, randomize_noise=False) (stored
                              noise buffers)
    wplus [2,10,64]           a W+ input (each row a mapped random z)
    image_from_wplus          G([wplus], input_is_latent=True, randomize_noise=False)
    latent_avg [64]           copy of g64.pt's latent_avg
    image_truncated           G([z], truncation=0.7, truncation_latent=latent_avg, stored noise)
    truncation_latent [1,64]  an explicit truncation centre (one mapped seeded z; not latent_avg)
    image_truncated_mean      G([z], truncation=0.7, truncation_latent=truncation_latent)
    z2 [2,64], w2 [2,64]      second latent for mixing, and style(z2)
    image_mixed               G([z, z2], inject_index=5, stored noise): W+ rows 0..4 = w,
                              rows 5..9 = w2
    feature16 [2,32,16,16]    output of convs[3] (second 16-px StyledConv, the input of
                              to_rgbs[1]) in the wplus forward
    image_feature_replaced    wplus forward with that feature replaced by feature16·0.5 + 0.1
                              before to_rgbs[1] and convs[4] (what SMART does)
    image_zero_noise          wplus forward with every noise input all zeros
                              (noise=[zeros [1,1,r,r]]·9)
    metadata: config, gap, inject_index "5", truncation "0.7", feature_conv_index "3",
              generator (script + torch version)
    (all forwards above: g64.pt's 'g_ema' in eval mode, randomize_noise=False unless noise given)

g64_grads.safetensors — gradients of loss = (image * gout).sum() for g64.pt's generator:
    gout [2,3,64,64]                         the stored upstream gradient
    wplus [2,10,64], z [2,64]                the inputs (same values as in g64_outputs)
    from_wplus.loss []                       loss of the wplus forward (input_is_latent, stored noise)
    from_wplus.grad.wplus [2,10,64]          d loss / d wplus
    from_wplus.grad.conv1.conv.weight
    from_wplus.grad.convs.3.conv.modulation.weight
    from_wplus.grad.to_rgbs.1.bias
    from_wplus.grad.convs.2.noise.weight     (these four: parameter gradients, wplus forward)
    from_z.loss []                           loss of the z forward (mapping + synthesis, stored noise)
    from_z.grad.z [2,64]                     d loss / d z
    from_z.grad.style.2.weight               mapping weight gradient (z forward)
    metadata: config, gap, wplus_params, z_params (JSON lists of the parameter names), generator

train64_step.safetensors — one rosinality training step at train64.pt's g and d, batch 4:
    real_img [4,3,64,64]      the "real" batch (smooth random images in [-1,1])
    z [4,64]                  the noise for every G forward (no mixing, stored noise buffers)
    path_noise [4,3,64,64]    standard normal; replaces randn_like in g_path_regularize, which
                              divides it by sqrt(64·64) = 64 before use
    D step:  fake = g([z]) (no grad to G); d.fake_pred [4,1] = d(fake); d.real_pred [4,1] =
             d(real_img); d_loss [] = softplus(−real_pred).mean() + softplus(fake_pred).mean();
             d_loss.grad.<P> for P in D_PARAMS
    R1:      r1.real_pred [4,1] = d(real_img); r1_loss [] = (∂ sum(real_pred)/∂ real_img)²
             summed per sample, mean over the batch; r1.grad.<P> = gradients of
             10/2 · r1_loss · 16 (args.r1/2 · r1 · d_reg_every; double backward) for P in D_PARAMS
    G step:  g.fake_pred [4,1] = d(g([z])); g_loss [] = softplus(−fake_pred).mean();
             g_loss.grad.<P> for P in G_PARAMS
    path:    fake, latents = g([z], return_latents=True) (latents [4,10,64] = style(z) repeated);
             grad = ∂ sum(fake · path_noise/64) / ∂ latents (create_graph);
             path_lengths [4] = sqrt(grad².sum(2).mean(1)); path_mean [] = 0 + 0.01·(mean(path_lengths) − 0);
             path_loss [] = mean((path_lengths − path_mean)²) (path_mean NOT detached, as in
             rosinality); path.grad.<P> = gradients of 2 · 4 · path_loss (path_regularize ·
             g_reg_every) for P in G_PARAMS
    D_PARAMS = convs.0.0.weight, convs.1.conv1.1.bias, convs.3.skip.1.weight, final_linear.1.weight
    G_PARAMS = style.2.weight, convs.2.conv.weight, to_rgbs.1.conv.modulation.weight
    metadata: config, gap, args (JSON), d_params, g_params, generator

--full (not committed): .fixtures-large/g1024.pt ({'g_ema', 'latent_avg'}: size 1024,
    style_dim 512, n_mlp 8, channel_multiplier 2, rosinality's channel table, perturbed as
    above) and .fixtures-large/g1024_outputs.safetensors: wplus [1,18,512] (mapped random z
    rows), image [1,3,1024,1024] = G([wplus], input_is_latent=True, randomize_noise=False);
    metadata config, gap.
"""
import argparse
import copy
import json
import math
import struct
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import autograd, nn
from fixture_common import write_safetensors, relative_error, upfirdn2d_native, upfirdn2d

FIXTURES = Path("Tests/StyleGANTests/Fixtures")
LARGE = Path(".fixtures-large")

SMALL_CONFIG = dict(size=64, style_dim=64, n_mlp=4, lr_mlp=0.01, channel_multiplier=2,
                    channels={4: 32, 8: 32, 16: 32, 32: 16, 64: 16}, blur_kernel=[1, 3, 3, 1])
FULL_CONFIG = dict(size=1024, style_dim=512, n_mlp=8, lr_mlp=0.01, channel_multiplier=2,
                   channels=None, blur_kernel=[1, 3, 3, 1])

TRUNCATION = 0.7
INJECT_INDEX = 5
FEATURE_CONV = 3
D_PARAMS = ["convs.0.0.weight", "convs.1.conv1.1.bias", "convs.3.skip.1.weight", "final_linear.1.weight"]
G_PARAMS = ["style.2.weight", "convs.2.conv.weight", "to_rgbs.1.conv.modulation.weight"]
WPLUS_PARAMS = ["conv1.conv.weight", "convs.3.conv.modulation.weight", "to_rgbs.1.bias", "convs.2.noise.weight"]
Z_PARAMS = ["style.2.weight"]
TRAIN_ARGS = dict(batch=4, r1=10.0, d_reg_every=16, g_reg_every=4, path_regularize=2.0,
                  path_batch_shrink=2, mixing=0.9, lr=0.002, iter=800000, start_iter=0,
                  augment=False, augment_p=0.0)


# --------------------------------------------------------------------------------------------
# Ops (pure-PyTorch equivalents of rosinality's CUDA ops; on the CPU rosinality runs these)



def fused_leaky_relu(input, bias=None, negative_slope=0.2, scale=2 ** 0.5):
    """rosinality's CPU path: leaky_relu(x + bias, 0.2) · √2, bias broadcast along dim 1."""
    if bias is not None:
        rest = [1] * (input.ndim - bias.ndim - 1)
        input = input + bias.view(1, bias.shape[0], *rest)
    return F.leaky_relu(input, negative_slope=0.2) * scale


class FusedLeakyReLU(nn.Module):
    def __init__(self, channel, bias=True, negative_slope=0.2, scale=2 ** 0.5):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channel)) if bias else None
        self.negative_slope = negative_slope
        self.scale = scale

    def forward(self, input):
        return fused_leaky_relu(input, self.bias, self.negative_slope, self.scale)


# --------------------------------------------------------------------------------------------
# Layers (module structure and attribute names as in rosinality's model.py: they are the keys)

class PixelNorm(nn.Module):
    def forward(self, input):
        return input * torch.rsqrt(torch.mean(input ** 2, dim=1, keepdim=True) + 1e-8)


def make_kernel(k):
    k = torch.tensor(k, dtype=torch.float32)
    if k.ndim == 1:
        k = k[None, :] * k[:, None]
    return k / k.sum()


class Upsample(nn.Module):
    def __init__(self, kernel, factor=2):
        super().__init__()
        self.factor = factor
        kernel = make_kernel(kernel) * factor ** 2
        self.register_buffer("kernel", kernel)
        p = kernel.shape[0] - factor
        self.pad = ((p + 1) // 2 + factor - 1, p // 2)

    def forward(self, input):
        return upfirdn2d(input, self.kernel, up=self.factor, down=1, pad=self.pad)


class Blur(nn.Module):
    def __init__(self, kernel, pad, upsample_factor=1):
        super().__init__()
        kernel = make_kernel(kernel)
        if upsample_factor > 1:
            kernel = kernel * upsample_factor ** 2
        self.register_buffer("kernel", kernel)
        self.pad = pad

    def forward(self, input):
        return upfirdn2d(input, self.kernel, pad=self.pad)


class EqualConv2d(nn.Module):
    def __init__(self, in_channel, out_channel, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channel, in_channel, kernel_size, kernel_size))
        self.scale = 1 / math.sqrt(in_channel * kernel_size ** 2)
        self.stride = stride
        self.padding = padding
        self.bias = nn.Parameter(torch.zeros(out_channel)) if bias else None

    def forward(self, input):
        return F.conv2d(input, self.weight * self.scale, bias=self.bias, stride=self.stride, padding=self.padding)


class EqualLinear(nn.Module):
    def __init__(self, in_dim, out_dim, bias=True, bias_init=0, lr_mul=1, activation=None):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_dim, in_dim).div_(lr_mul))
        self.bias = nn.Parameter(torch.zeros(out_dim).fill_(bias_init)) if bias else None
        self.activation = activation
        self.scale = (1 / math.sqrt(in_dim)) * lr_mul
        self.lr_mul = lr_mul

    def forward(self, input):
        if self.activation:
            out = F.linear(input, self.weight * self.scale)
            return fused_leaky_relu(out, self.bias * self.lr_mul)
        return F.linear(input, self.weight * self.scale, bias=self.bias * self.lr_mul)


class ModulatedConv2d(nn.Module):
    """rosinality's fused path: per-sample modulated (and demodulated) weights, grouped conv."""

    def __init__(self, in_channel, out_channel, kernel_size, style_dim, demodulate=True,
                 upsample=False, blur_kernel=(1, 3, 3, 1)):
        super().__init__()
        self.eps = 1e-8
        self.kernel_size = kernel_size
        self.in_channel = in_channel
        self.out_channel = out_channel
        self.upsample = upsample
        if upsample:
            factor = 2
            p = (len(blur_kernel) - factor) - (kernel_size - 1)
            self.blur = Blur(list(blur_kernel), pad=((p + 1) // 2 + factor - 1, p // 2 + 1), upsample_factor=factor)
        self.scale = 1 / math.sqrt(in_channel * kernel_size ** 2)
        self.padding = kernel_size // 2
        self.weight = nn.Parameter(torch.randn(1, out_channel, in_channel, kernel_size, kernel_size))
        self.modulation = EqualLinear(style_dim, in_channel, bias_init=1)
        self.demodulate = demodulate

    def forward(self, input, style):
        batch, in_channel, height, width = input.shape
        style = self.modulation(style).view(batch, 1, in_channel, 1, 1)
        weight = self.scale * self.weight * style
        if self.demodulate:
            demod = torch.rsqrt(weight.pow(2).sum([2, 3, 4]) + 1e-8)
            weight = weight * demod.view(batch, self.out_channel, 1, 1, 1)
        k = self.kernel_size
        if self.upsample:
            input = input.view(1, batch * in_channel, height, width)
            weight = weight.view(batch, self.out_channel, in_channel, k, k)
            weight = weight.transpose(1, 2).reshape(batch * in_channel, self.out_channel, k, k)
            out = F.conv_transpose2d(input, weight, padding=0, stride=2, groups=batch)
            out = out.view(batch, self.out_channel, out.shape[2], out.shape[3])
            return self.blur(out)
        weight = weight.view(batch * self.out_channel, in_channel, k, k)
        input = input.view(1, batch * in_channel, height, width)
        out = F.conv2d(input, weight, padding=self.padding, groups=batch)
        return out.view(batch, self.out_channel, out.shape[2], out.shape[3])


class NoiseInjection(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))

    def forward(self, image, noise=None):
        if noise is None:
            batch, _, height, width = image.shape
            noise = image.new_empty(batch, 1, height, width).normal_()
        return image + self.weight * noise


class ConstantInput(nn.Module):
    def __init__(self, channel, size=4):
        super().__init__()
        self.input = nn.Parameter(torch.randn(1, channel, size, size))

    def forward(self, input):
        return self.input.repeat(input.shape[0], 1, 1, 1)


class StyledConv(nn.Module):
    def __init__(self, in_channel, out_channel, kernel_size, style_dim, upsample=False,
                 blur_kernel=(1, 3, 3, 1), demodulate=True):
        super().__init__()
        self.conv = ModulatedConv2d(in_channel, out_channel, kernel_size, style_dim,
                                    upsample=upsample, blur_kernel=blur_kernel, demodulate=demodulate)
        self.noise = NoiseInjection()
        self.activate = FusedLeakyReLU(out_channel)

    def forward(self, input, style, noise=None):
        return self.activate(self.noise(self.conv(input, style), noise=noise))


class ToRGB(nn.Module):
    def __init__(self, in_channel, style_dim, upsample=True, blur_kernel=(1, 3, 3, 1)):
        super().__init__()
        if upsample:
            self.upsample = Upsample(list(blur_kernel))
        self.conv = ModulatedConv2d(in_channel, 3, 1, style_dim, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(1, 3, 1, 1))

    def forward(self, input, style, skip=None):
        out = self.conv(input, style) + self.bias
        if skip is not None:
            out = out + self.upsample(skip)
        return out


def standard_channels(channel_multiplier):
    m = channel_multiplier
    return {4: 512, 8: 512, 16: 512, 32: 512, 64: 256 * m, 128: 128 * m, 256: 64 * m, 512: 32 * m, 1024: 16 * m}


class Generator(nn.Module):
    def __init__(self, size, style_dim, n_mlp, channel_multiplier=2, blur_kernel=(1, 3, 3, 1),
                 lr_mlp=0.01, channels=None):
        super().__init__()
        self.size = size
        self.style_dim = style_dim
        layers = [PixelNorm()]
        for _ in range(n_mlp):
            layers.append(EqualLinear(style_dim, style_dim, lr_mul=lr_mlp, activation="fused_lrelu"))
        self.style = nn.Sequential(*layers)
        self.channels = dict(channels) if channels is not None else standard_channels(channel_multiplier)
        self.input = ConstantInput(self.channels[4])
        self.conv1 = StyledConv(self.channels[4], self.channels[4], 3, style_dim, blur_kernel=blur_kernel)
        self.to_rgb1 = ToRGB(self.channels[4], style_dim, upsample=False)
        self.log_size = int(math.log(size, 2))
        self.num_layers = (self.log_size - 2) * 2 + 1
        self.convs = nn.ModuleList()
        self.upsamples = nn.ModuleList()  # empty, as in rosinality (holds no keys)
        self.to_rgbs = nn.ModuleList()
        self.noises = nn.Module()
        in_channel = self.channels[4]
        for layer_idx in range(self.num_layers):
            res = (layer_idx + 5) // 2
            self.noises.register_buffer(f"noise_{layer_idx}", torch.randn(1, 1, 2 ** res, 2 ** res))
        for i in range(3, self.log_size + 1):
            out_channel = self.channels[2 ** i]
            self.convs.append(StyledConv(in_channel, out_channel, 3, style_dim, upsample=True, blur_kernel=blur_kernel))
            self.convs.append(StyledConv(out_channel, out_channel, 3, style_dim, blur_kernel=blur_kernel))
            self.to_rgbs.append(ToRGB(out_channel, style_dim))
            in_channel = out_channel
        self.n_latent = self.log_size * 2 - 2

    def forward(self, styles, return_latents=False, inject_index=None, truncation=1,
                truncation_latent=None, input_is_latent=False, noise=None, randomize_noise=True,
                feature_hook=None):
        if not input_is_latent:
            styles = [self.style(s) for s in styles]
        if noise is None:
            if randomize_noise:
                noise = [None] * self.num_layers
            else:
                noise = [getattr(self.noises, f"noise_{i}") for i in range(self.num_layers)]
        if truncation < 1:
            styles = [truncation_latent + truncation * (s - truncation_latent) for s in styles]
        if len(styles) < 2:
            inject_index = self.n_latent
            latent = styles[0].unsqueeze(1).repeat(1, inject_index, 1) if styles[0].ndim < 3 else styles[0]
        else:
            if inject_index is None:
                raise ValueError("fixtures need an explicit inject_index (rosinality draws one at random)")
            latent = styles[0].unsqueeze(1).repeat(1, inject_index, 1)
            latent2 = styles[1].unsqueeze(1).repeat(1, self.n_latent - inject_index, 1)
            latent = torch.cat([latent, latent2], 1)
        hook = feature_hook or (lambda index, x: x)
        out = self.input(latent)
        out = self.conv1(out, latent[:, 0], noise=noise[0])
        skip = self.to_rgb1(out, latent[:, 1])
        i = 1
        for k, (conv1, conv2, noise1, noise2, to_rgb) in enumerate(zip(
                self.convs[::2], self.convs[1::2], noise[1::2], noise[2::2], self.to_rgbs)):
            out = hook(2 * k, conv1(out, latent[:, i], noise=noise1))
            out = hook(2 * k + 1, conv2(out, latent[:, i + 1], noise=noise2))
            skip = to_rgb(out, latent[:, i + 2], skip)
            i += 2
        if return_latents:
            return skip, latent
        return skip, None


class ConvLayer(nn.Sequential):
    def __init__(self, in_channel, out_channel, kernel_size, downsample=False, blur_kernel=(1, 3, 3, 1),
                 bias=True, activate=True):
        layers = []
        if downsample:
            factor = 2
            p = (len(blur_kernel) - factor) + (kernel_size - 1)
            layers.append(Blur(list(blur_kernel), pad=((p + 1) // 2, p // 2)))
            stride, padding = 2, 0
        else:
            stride, padding = 1, kernel_size // 2
        layers.append(EqualConv2d(in_channel, out_channel, kernel_size, padding=padding, stride=stride,
                                  bias=bias and not activate))
        if activate:
            layers.append(FusedLeakyReLU(out_channel, bias=bias))
        super().__init__(*layers)


class ResBlock(nn.Module):
    def __init__(self, in_channel, out_channel, blur_kernel=(1, 3, 3, 1)):
        super().__init__()
        self.conv1 = ConvLayer(in_channel, in_channel, 3)
        self.conv2 = ConvLayer(in_channel, out_channel, 3, downsample=True)
        self.skip = ConvLayer(in_channel, out_channel, 1, downsample=True, activate=False, bias=False)

    def forward(self, input):
        out = self.conv2(self.conv1(input))
        return (out + self.skip(input)) / math.sqrt(2)


class Discriminator(nn.Module):
    def __init__(self, size, channel_multiplier=2, blur_kernel=(1, 3, 3, 1), channels=None):
        super().__init__()
        channels = dict(channels) if channels is not None else standard_channels(channel_multiplier)
        convs = [ConvLayer(3, channels[size], 1)]
        log_size = int(math.log(size, 2))
        in_channel = channels[size]
        for i in range(log_size, 2, -1):
            out_channel = channels[2 ** (i - 1)]
            convs.append(ResBlock(in_channel, out_channel, blur_kernel))
            in_channel = out_channel
        self.convs = nn.Sequential(*convs)
        self.stddev_group = 4
        self.stddev_feat = 1
        self.final_conv = ConvLayer(in_channel + 1, channels[4], 3)
        self.final_linear = nn.Sequential(
            EqualLinear(channels[4] * 4 * 4, channels[4], activation="fused_lrelu"),
            EqualLinear(channels[4], 1))

    def forward(self, input):
        out = self.convs(input)
        batch, channel, height, width = out.shape
        group = min(batch, self.stddev_group)
        # minibatch stddev: sample b is grouped with b ± k·(batch/group)
        stddev = out.view(group, -1, self.stddev_feat, channel // self.stddev_feat, height, width)
        stddev = torch.sqrt(stddev.var(0, unbiased=False) + 1e-8)
        stddev = stddev.mean([2, 3, 4], keepdims=True).squeeze(2)
        stddev = stddev.repeat(group, 1, height, width)
        out = torch.cat([out, stddev], 1)
        out = self.final_conv(out)
        return self.final_linear(out.view(batch, -1))


# --------------------------------------------------------------------------------------------
# Losses (train.py)

def d_logistic_loss(real_pred, fake_pred):
    return F.softplus(-real_pred).mean() + F.softplus(fake_pred).mean()


def d_r1_loss(real_pred, real_img):
    grad_real, = autograd.grad(outputs=real_pred.sum(), inputs=real_img, create_graph=True)
    return grad_real.pow(2).reshape(grad_real.shape[0], -1).sum(1).mean()


def g_nonsaturating_loss(fake_pred):
    return F.softplus(-fake_pred).mean()


def g_path_regularize(fake_img, latents, mean_path_length, noise, decay=0.01):
    """rosinality's, with `noise` (standard normal, shaped like fake_img) passed in instead of
    drawn by randn_like."""
    noise = noise / math.sqrt(fake_img.shape[2] * fake_img.shape[3])
    grad, = autograd.grad(outputs=(fake_img * noise).sum(), inputs=latents, create_graph=True)
    path_lengths = torch.sqrt(grad.pow(2).sum(2).mean(1))
    path_mean = mean_path_length + decay * (path_lengths.mean() - mean_path_length)
    path_penalty = (path_lengths - path_mean).pow(2).mean()
    return path_penalty, path_mean, path_lengths


# --------------------------------------------------------------------------------------------
# Helpers

def build_generator(config):
    return Generator(config["size"], config["style_dim"], config["n_mlp"], config["channel_multiplier"],
                     config["blur_kernel"], config["lr_mlp"], config["channels"])


def build_discriminator(config):
    return Discriminator(config["size"], config["channel_multiplier"], config["blur_kernel"], config["channels"])


@torch.no_grad()
def perturb(model, gen, lr_mlp):
    """Move every parameter away from its initial value so every path is exercised."""
    for name, p in model.named_parameters():
        noise = torch.randn(p.shape, generator=gen)
        if name.endswith("modulation.bias"):
            p.copy_(1 + 0.25 * noise)
        elif name.startswith("style.") and name.endswith(".bias"):
            p.copy_(0.1 / lr_mlp * noise)  # effective (×lr_mul) 0.1·N
        elif name.endswith("noise.weight"):
            p.copy_(0.2 * noise)
        elif name.endswith("bias"):
            p.copy_(0.1 * noise)
        else:
            p.mul_(1 + 0.1 * noise)
            if name.startswith("to_rgb") and name.endswith("conv.weight"):
                p.mul_(0.25)  # keeps the summed RGB output roughly in [-1, 1]



def config_json(config, n_latent, num_layers):
    c = dict(config)
    c["channels"] = {str(k): v for k, v in (config["channels"] or standard_channels(config["channel_multiplier"])).items()}
    c["n_latent"] = n_latent
    c["num_layers"] = num_layers
    return json.dumps(c)



def torch_save(obj, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    torch.save(obj, temporary)
    temporary.replace(path)


def run_both(fn, model32, inputs):
    """fn(model, **inputs) -> {key: tensor}; returns (float32 results, {key: f32-vs-f64 gap})."""
    out32 = fn(model32, **inputs)
    model64 = {k: copy.deepcopy(m).double() for k, m in model32.items()} if isinstance(model32, dict) \
        else copy.deepcopy(model32).double()
    out64 = fn(model64, **{k: v.double() for k, v in inputs.items()})
    gap = {k: relative_error(out32[k], out64[k]) for k in out32}
    return {k: v.detach().float() for k, v in out32.items()}, gap


def print_summary(path, tensors, gap):
    print(f"{path}: {len(tensors)} tensors, {path.stat().st_size} bytes")
    for k in sorted(tensors):
        g = f"{gap[k]:.2e}" if k in gap else "(input)"
        print(f"  {k:50s} {str(list(tensors[k].shape)):18s} f32-vs-f64 {g}")


# --------------------------------------------------------------------------------------------
# Fixture cases

def generator_outputs(G, z, wplus, z2, latent_avg, truncation_latent):
    noise = lambda: dict(randomize_noise=False)
    out = {}
    out["w"] = G.style(z)
    out["w2"] = G.style(z2)
    out["image_from_z"] = G([z], **noise())[0]
    out["image_from_wplus"] = G([wplus], input_is_latent=True, **noise())[0]
    out["image_truncated"] = G([z], truncation=TRUNCATION, truncation_latent=latent_avg, **noise())[0]
    out["image_truncated_mean"] = G([z], truncation=TRUNCATION, truncation_latent=truncation_latent, **noise())[0]
    out["image_mixed"] = G([z, z2], inject_index=INJECT_INDEX, **noise())[0]
    captured = {}

    def capture(index, x):
        if index == FEATURE_CONV:
            captured["feature16"] = x
        return x

    def replace(index, x):
        return x * 0.5 + 0.1 if index == FEATURE_CONV else x

    G([wplus], input_is_latent=True, feature_hook=capture, **noise())
    out["feature16"] = captured["feature16"]
    out["image_feature_replaced"] = G([wplus], input_is_latent=True, feature_hook=replace, **noise())[0]
    zeros = [torch.zeros_like(getattr(G.noises, f"noise_{i}")) for i in range(G.num_layers)]
    out["image_zero_noise"] = G([wplus], input_is_latent=True, noise=zeros)[0]
    return out


def generator_grads(G, wplus, z, gout):
    params = dict(G.named_parameters())
    out = {}
    wplus = wplus.clone().requires_grad_(True)
    loss = (G([wplus], input_is_latent=True, randomize_noise=False)[0] * gout).sum()
    grads = autograd.grad(loss, [wplus] + [params[p] for p in WPLUS_PARAMS])
    out["from_wplus.loss"] = loss
    out["from_wplus.grad.wplus"] = grads[0]
    for p, g in zip(WPLUS_PARAMS, grads[1:]):
        out[f"from_wplus.grad.{p}"] = g
    z = z.clone().requires_grad_(True)
    loss = (G([z], randomize_noise=False)[0] * gout).sum()
    grads = autograd.grad(loss, [z] + [params[p] for p in Z_PARAMS])
    out["from_z.loss"] = loss
    out["from_z.grad.z"] = grads[0]
    for p, g in zip(Z_PARAMS, grads[1:]):
        out[f"from_z.grad.{p}"] = g
    return out


def training_step(models, real_img, z, path_noise):
    g, d = models["g"], models["d"]
    a = TRAIN_ARGS
    gp = dict(g.named_parameters())
    dp = dict(d.named_parameters())
    out = {}
    # D step (generator output detached: rosinality sets requires_grad(generator, False))
    with torch.no_grad():
        fake_img = g([z], randomize_noise=False)[0]
    fake_pred = d(fake_img)
    real_pred = d(real_img)
    d_loss = d_logistic_loss(real_pred, fake_pred)
    out["d.fake_pred"], out["d.real_pred"], out["d_loss"] = fake_pred, real_pred, d_loss
    for p, gr in zip(D_PARAMS, autograd.grad(d_loss, [dp[p] for p in D_PARAMS])):
        out[f"d_loss.grad.{p}"] = gr
    # R1 (lazy regularisation weight r1/2 · d_reg_every; double backward)
    real = real_img.clone().requires_grad_(True)
    real_pred = d(real)
    r1_loss = d_r1_loss(real_pred, real)
    out["r1.real_pred"], out["r1_loss"] = real_pred, r1_loss
    weighted = a["r1"] / 2 * r1_loss * a["d_reg_every"] + 0 * real_pred[0]
    for p, gr in zip(D_PARAMS, autograd.grad(weighted.sum(), [dp[p] for p in D_PARAMS])):
        out[f"r1.grad.{p}"] = gr
    # G step
    fake_img = g([z], randomize_noise=False)[0]
    fake_pred = d(fake_img)
    g_loss = g_nonsaturating_loss(fake_pred)
    out["g.fake_pred"], out["g_loss"] = fake_pred, g_loss
    for p, gr in zip(G_PARAMS, autograd.grad(g_loss, [gp[p] for p in G_PARAMS])):
        out[f"g_loss.grad.{p}"] = gr
    # path-length regularisation (full batch, mean_path_length 0)
    fake_img, latents = g([z], return_latents=True, randomize_noise=False)
    path_loss, path_mean, path_lengths = g_path_regularize(fake_img, latents, 0.0, path_noise)
    out["path_loss"], out["path_mean"], out["path_lengths"] = path_loss, path_mean, path_lengths
    weighted = a["path_regularize"] * a["g_reg_every"] * path_loss
    for p, gr in zip(G_PARAMS, autograd.grad(weighted, [gp[p] for p in G_PARAMS])):
        out[f"path.grad.{p}"] = gr
    return out


def small_fixtures():
    config = SMALL_CONFIG
    torch.manual_seed(64)
    G = build_generator(config)
    D = build_discriminator(config)
    gen = torch.Generator().manual_seed(6401)
    perturb(G, gen, config["lr_mlp"])
    perturb(D, gen, 1.0)
    G.eval(), D.eval()
    sd = config["style_dim"]
    cfg = config_json(config, G.n_latent, G.num_layers)
    meta_common = {"config": cfg, "generator": f"Scripts/make_stylegan_fixtures.py, torch {torch.__version__}"}

    inputs = torch.Generator().manual_seed(6402)
    with torch.no_grad():
        latent_avg = G.style(torch.randn(4096, sd, generator=inputs)).mean(0).clone()
        truncation_latent = G.style(torch.randn(1, sd, generator=inputs)).clone()
        z = torch.randn(2, sd, generator=inputs)
        z2 = torch.randn(2, sd, generator=inputs)
        wplus = G.style(torch.randn(2 * G.n_latent, sd, generator=inputs)).view(2, G.n_latent, sd).clone()
        gout = torch.randn(2, 3, config["size"], config["size"], generator=inputs)

    # checkpoints
    torch_save({"g_ema": G.state_dict(), "latent_avg": latent_avg}, FIXTURES / "g64.pt")
    g_state = G.state_dict()
    args = dict(size=config["size"], latent=sd, n_mlp=config["n_mlp"], lr_mlp=config["lr_mlp"],
                channel_multiplier=config["channel_multiplier"],
                channels={str(k): v for k, v in config["channels"].items()},
                blur_kernel=list(config["blur_kernel"]), **TRAIN_ARGS)
    torch_save({"g": g_state, "d": D.state_dict(), "g_ema": g_state, "args": args}, FIXTURES / "train64.pt")

    # forward outputs
    with torch.no_grad():
        ins = dict(z=z, wplus=wplus, z2=z2, latent_avg=latent_avg, truncation_latent=truncation_latent)
        outs, gap = run_both(generator_outputs, G, ins)
    tensors = {**ins, **outs}
    meta = {**meta_common, "gap": json.dumps(gap), "inject_index": str(INJECT_INDEX),
            "truncation": str(TRUNCATION), "feature_conv_index": str(FEATURE_CONV)}
    path = FIXTURES / "g64_outputs.safetensors"
    write_safetensors(path, tensors, meta)
    print_summary(path, tensors, gap)

    # gradients
    ins = dict(wplus=wplus, z=z, gout=gout)
    outs, gap = run_both(generator_grads, G, ins)
    tensors = {**ins, **outs}
    meta = {**meta_common, "gap": json.dumps(gap), "wplus_params": json.dumps(WPLUS_PARAMS),
            "z_params": json.dumps(Z_PARAMS)}
    path = FIXTURES / "g64_grads.safetensors"
    write_safetensors(path, tensors, meta)
    print_summary(path, tensors, gap)

    # one training step
    batch = TRAIN_ARGS["batch"]
    size = config["size"]
    real_img = (F.interpolate(torch.randn(batch, 3, 8, 8, generator=inputs), size=size, mode="bilinear",
                              align_corners=False) * 0.5
                + 0.1 * torch.randn(batch, 3, size, size, generator=inputs)).clamp(-1, 1)
    z_train = torch.randn(batch, sd, generator=inputs)
    path_noise = torch.randn(batch, 3, size, size, generator=inputs)
    ins = dict(real_img=real_img, z=z_train, path_noise=path_noise)
    outs, gap = run_both(training_step, {"g": G, "d": D}, ins)
    tensors = {**ins, **outs}
    meta = {**meta_common, "gap": json.dumps(gap), "args": json.dumps(args),
            "d_params": json.dumps(D_PARAMS), "g_params": json.dumps(G_PARAMS)}
    path = FIXTURES / "train64_step.safetensors"
    write_safetensors(path, tensors, meta)
    print_summary(path, tensors, gap)

    for f in ("g64.pt", "train64.pt"):
        print(f"{FIXTURES / f}: {(FIXTURES / f).stat().st_size} bytes")
    total = sum(p.stat().st_size for p in FIXTURES.iterdir())
    print(f"total committed fixtures: {total} bytes")


def full_fixtures():
    config = FULL_CONFIG
    torch.manual_seed(1024)
    G = build_generator(config)
    perturb(G, torch.Generator().manual_seed(102401), config["lr_mlp"])
    G.eval()
    sd = config["style_dim"]
    inputs = torch.Generator().manual_seed(102402)
    with torch.no_grad():
        latent_avg = G.style(torch.randn(4096, sd, generator=inputs)).mean(0).clone()
        wplus = G.style(torch.randn(G.n_latent, sd, generator=inputs)).view(1, G.n_latent, sd).clone()
    torch_save({"g_ema": G.state_dict(), "latent_avg": latent_avg}, LARGE / "g1024.pt")

    def fn(G, wplus):
        return {"image": G([wplus], input_is_latent=True, randomize_noise=False)[0]}

    start = time.time()
    with torch.no_grad():
        outs, gap = run_both(fn, G, dict(wplus=wplus))
    print(f"1024 forward f32 + f64: {time.time() - start:.1f} s")
    tensors = {"wplus": wplus, **outs}
    meta = {"config": config_json(config, G.n_latent, G.num_layers), "gap": json.dumps(gap),
            "generator": f"Scripts/make_stylegan_fixtures.py --full, torch {torch.__version__}"}
    path = LARGE / "g1024_outputs.safetensors"
    write_safetensors(path, tensors, meta)
    print_summary(path, tensors, gap)
    print(f"{LARGE / 'g1024.pt'}: {(LARGE / 'g1024.pt').stat().st_size} bytes")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="also write the 1024-px fixtures to .fixtures-large/")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    small_fixtures()
    if args.full:
        full_fixtures()


if __name__ == "__main__":
    main()
