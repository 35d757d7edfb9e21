#!/usr/bin/env python3
"""PyTorch reference fixtures for the StylePrompter tests, computed by the RELEASED model classes.

How to run (from the repository root; only needed when the cases change — the output is
committed and `swift test` never runs Python):

    .venv/bin/python Scripts/make_stylePrompter_fixtures.py             # small fixtures (committed)
    .venv/bin/python Scripts/make_stylePrompter_fixtures.py --full      # also the full-size ones (heavy)
    .venv/bin/python Scripts/make_stylePrompter_fixtures.py --stylePrompter-repo DIR

Unlike the other fixture scripts this one does NOT transcribe the model: it imports the public
StylePrompter code (I2-Multimedia-Lab/StylePrompter, arXiv 2307.16151) at run time —
`models/encoders/swin_encoder.py` (SwinEncoder, which pulls in swin_helpers.py / helpers.py),
`models/stylegan2/model.py` (rosinality Generator) and `models/SGGenerator.py` (SGGenerator,
SMART). `--stylePrompter-repo DIR` points at a checkout; by default the library mirror
/work/.mirror/I2-Multimedia-Lab+StylePrompter/repo is exported (`git archive HEAD`) into a
temporary directory. None of that code is committed here. Made with torch 2.13.0+cpu and numpy,
CPU only, one thread by default (`--threads N`); the small fixtures take about a minute.

What had to change to run the released code on the CPU (and nothing else):
  * `models.stylegan2.op` builds CUDA extensions on import. Before importing, a stand-in module
    is put in sys.modules under that name, providing the three names model.py imports:
    `FusedLeakyReLU(channel, negative_slope=0.2, scale=√2)` (parameter `bias`, zeros), 
    `fused_leaky_relu(x, bias) = leaky_relu(x + bias.view(1, C, 1, …), 0.2)·√2` and
    `upfirdn2d(input, kernel, up=1, down=1, pad=(0, 0))` = rosinality's `upfirdn2d_native`
    (the NCHW version rosinality's CPU path calls), pad (p0, p1) applied to both axes.
    (model.py imports nothing else from `op`; no conv2d_gradfix in this release.)
  * `models/style_prompter.py` (imports matplotlib, loads checkpoints in __init__) is not
    imported; its two lines of glue are repeated here: `codes, features = encoder(x)`,
    `wplus = codes + latent_avg.repeat(B, 1, 1)` (start_from_latent_avg, not learn_in_w), then
    `SGGenerator.forward(wplus, features=features, input_is_latent=True, randomize_noise=False,
    beta=β)` with resize=False (no face_pool: the images are the generator's 64×64 output).
  * Small model only: the released Generator hard-codes its channel table (512 up to 32 px).
    A subclass turns `channels` into a property that ignores that assignment and returns
    {4: 32, 8: 32, 16: 32, 32: 16, 64: 16}; __init__ and forward are the released ones, so keys and
    arithmetic are unchanged. The small SGGenerator is made with `SGGenerator.__new__` +
    nn.Module.__init__, then `.generator`, `.smart_block` (the released SMART), `.n_latent`,
    `.refined_layer` are set (the released __init__ hard-codes Generator(size, 512, 8)); its
    released `forward` is what runs, so SMART sits where the release puts it (after convs[3],
    before to_rgbs[1]). The full model uses the released SGGenerator constructor unchanged.

Weights: the released init under torch.manual_seed, then EVERY parameter perturbed (seeded):
  encoder — Linear/Conv weights ×(1 + 0.1·N); Linear/Conv biases + 0.05·N (all of them,
  including cpb_mlp.0.bias); LayerNorm weight 1 + 0.15·N, bias 0.1·N; q_bias, v_bias 0.1·N;
  logit_scale log(10) + 0.3·N, except head 0 of layers.3.blocks.0 set to ln(100) + 0.2 so the
  clamp at ln(100) is exercised (that one head has scale exactly 100); latent_tok + 0.1·N.
  SMART — weights ×(1 + 0.1·N) (proj.weight and linear2.weight then ×0.3), biases + 0.05·N.
  Generator — as Scripts/make_stylegan_fixtures.py: weights ×(1 + 0.1·N) (ToRGB conv weights
  then ×0.25), modulation biases 1 + 0.25·N, mapping biases (stored) 10·N (0.1·N effective),
  noise strengths 0.2·N, other biases 0.1·N; noise buffers: the released seeded randn.
  latent_avg [n_latent, style_dim] = mean of style(z) over 4096 seeded z, repeated per row,
  + 0.05·N per element (rows differ, so a loader that keeps only one row fails).

Files (Tests/InversionTests/Fixtures/):

stylePrompter_small.pt — released checkpoint layout (what training/coach.py saves):
    {'state_dict': OrderedDict, 'opts': plain dict, 'latent_avg': float32 [10, 64]}
    state_dict = 'encoder.module.' + SwinEncoder.state_dict() keys,
                 'decoder.module.generator.' + Generator keys,
                 'decoder.module.smart_block.' + SMART keys.
    Encoder buffers are included exactly as registered: relative_coords_table,
    relative_position_index in every block, attn_mask only in shifted blocks
    (layers.0/1 blocks.1; None buffers are not saved).
    opts: output_size 64, tokens_num 10, refined_layer 4, start_from_latent_avg True,
    learn_in_w False, … (see `opts` in the code; the small-model hyper-parameters are under
    'fixture_config' since the release has no options for them).
stylePrompter_small_stage1.pt — a stage-1 checkpoint in the layout the RELEASED stage-1 code
    writes (models/style_prompter_baseline.py: `self.decoder = DataParallel(Generator(...))`):
    'encoder.module.' + encoder keys, 'decoder.module.' + Generator keys (NO 'generator.'
    infix), no SMART; same opts (type 'baseline') and latent_avg. Same tensor values. To keep
    the size down (and to exercise a loader's derive-them path) it OMITS the derived encoder
    buffers relative_coords_table / relative_position_index / attn_mask (8.5 MB of the 14.6 MB
    of stylePrompter_small.pt; they depend only on the window and resolution). Its
    image_stage1.i outputs are the released StylePrompterBaseline.forward(resize=False,
    randomize_noise=False) of this checkpoint.
stylePrompter_small_outputs.safetensors (float32; batch 1 per image unless said):
    images [3,3,256,256]       three smooth random inputs in [−1, 1], 8-bit quantised:
                                (k/255 − 0.5)/0.5 (bicubic-upsampled 4², 8², 16² noise, tanh)
    wplus.i [1,10,64]           encoder codes + latent_avg (i = 0, 1, 2)
    features.i.k [1,l,c]        encoder features, deepest first: k=0 [1,64,192] (stage 4),
                                k=1 [1,64,192] (stage 3 after patch merging), k=2 [1,256,96],
                                k=3 [1,1024,48]
    smart_feature.i [1,32,16,16] the SMART-refined map (β = (1,1)): the input of to_rgbs[1]
                                (and of convs[4])
    image.i [1,3,64,64]         SGGenerator.forward(wplus, features, β=(1,1), stored noise)
    image_beta.i                same with β = (0.5, 0.8) (β₁ scales V, β₂ the FFN branch)
    image_stage1.i              same with features=None (no SMART; = released Generator.forward
                                of wplus, checked)
    image_batch3_released [3,3,64,64]  the released code run ONCE on all three images as a
                                batch (encoder + SGGenerator, β=(1,1)). It differs from the
                                batch-1 results because SwinTransformerBlock tiles tokens with
                                `tokens.repeat(nW, 1, 1)` (image-major windows get batch-major
                                tokens) and sums token outputs over `chunk(nW)` groups, which
                                mixes images in stages 1–2 (nW > 1). Relative differences in
                                metadata `batch3_mixing`.
    metadata: config, gap, batch3_mixing, stylePrompter_commit, generator
stylePrompter_small_grads.safetensors — image 0, SMART β = (1,1), stored noise:
    loss = (image * gout).sum() with image = SGGenerator.forward(codes + latent_avg, features).
    NOTE: the released StylePrompter.forward runs the encoder under torch.no_grad() (stage-2
    training trains SMART only); here the encoder is called directly WITH grad, so encoder
    gradients flow through both the codes and the features.
    gout [1,3,64,64], loss [], grad.smart_block.<p>, grad.encoder.<p> for the parameters in
    metadata `smart_params` / `encoder_params`. metadata: config, gap, smart_params,
    encoder_params, generator.

Measured (torch 2.13.0+cpu, this script; identical bytes on reruns): f32-vs-f64 gaps 1.6e-7–2e-7
(wplus), 3e-7–1e-6 (features, images, smart_feature), 5e-7–3.3e-6 (gradients, loss 1.5e-6).
Batch-3 mixing of the released code: image relative L2 0.071 (per image 0.076 / 0.083 / 0.055,
max |Δ| 0.29), wplus 0.044. Full model: gaps wplus 1.3e-7, smart_feature 1.0e-6, image 1.7e-6.
Sizes: stylePrompter_small.pt 14.6 MB (8.5 MB of it the derived Swin buffers, which zlib/git
compress ~50×; 5.7 MB zlib-compressed in all), stage1 5.9 MB, outputs 4.2 MB, grads 0.09 MB.

Gaps (`gap` metadata, JSON {key: value}): ‖a₃₂ − a₆₄‖₂ / ‖a₆₄‖₂, a₆₄ = the same computation
(same float32-valued weights and inputs, cast up) in float64 — the rounding error a correct
float32 implementation shows. Inputs (images, gout) have no gap entry.

--full (not committed): .fixtures-large/stylePrompter_full.pt (released layout; Swin-V2-T
encoder as StylePrompter builds it — SwinEncoder(tokens_num=18, img_size=256, window_size=16) —
the released SGGenerator(n_latent=18, refined_layer=4, output_size=1024): Generator(1024, 512,
8), SMART q 512 / embed 512 / ffn 1024 / 4 heads; perturbed as above) and
.fixtures-large/stylePrompter_full_outputs.safetensors: image_in [1,3,256,256], wplus [1,18,512],
smart_feature [1,512,16,16], image [1,3,1024,1024]; gap for every output (the float64 run
included) unless `--full-gap-light`, then only wplus and smart_feature.
"""
import argparse
import copy
import json
import math
import struct
import subprocess
import sys
import tempfile
import time
import types
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from fixture_common import write_safetensors, relative_error, upfirdn2d_native, upfirdn2d

FIXTURES = Path("Tests/InversionTests/Fixtures")
LARGE = Path(".fixtures-large")
MIRROR = Path("/work/.mirror/I2-Multimedia-Lab+StylePrompter/repo")

SMALL = dict(
    encoder=dict(tokens_num=10, img_size=256, window_size=16, embed_dim=24, depths=[2, 2, 2, 2],
                 num_heads=[2, 2, 4, 4], ffn_dim=64, style_dim=64),
    generator=dict(size=64, style_dim=64, n_mlp=4, channel_multiplier=2, lr_mlp=0.01,
                   channels={4: 32, 8: 32, 16: 32, 32: 16, 64: 16}),
    smart=dict(kv_channels=[192, 192, 96, 48], kv_shape=[8, 8, 16, 32], q_channel=32, q_shape=16,
               embed_dim=32, ffn_dim=64, head_num=4, dropout=0.1),
    n_latent=10, refined_layer=4,
)
FULL = dict(
    encoder=dict(tokens_num=18, img_size=256, window_size=16),  # + SwinEncoder defaults
    sggenerator=dict(n_latent=18, refined_layer=4, output_size=1024),  # + SGGenerator defaults
    n_latent=18, refined_layer=4,
)
BETA = (1.0, 1.0)
BETA_ALT = (0.5, 0.8)
SMART_PARAMS = ["query_proj.weight", "input_proj.2.0.weight", "linear2.bias"]
ENCODER_PARAMS = ["latent_tok", "layers.0.blocks.1.attn.logit_scale", "layers.0.blocks.1.attn.cpb_mlp.0.weight",
                  "layers.2.blocks.0.attn.q_bias", "dim_up_layers.1.1.weight", "prediction_head.layers.0.bias",
                  "patch_embed.proj.weight"]
SMART_OUTPUT_SCALE = {"proj": 0.3, "linear2": 0.3}  # keeps the refined map (and image) at a sane scale
CLAMPED_LOGIT_SCALE = "layers.3.blocks.0.attn.logit_scale"


# --------------------------------------------------------------------------------------------
# Pure-PyTorch stand-ins for the CUDA ops (rosinality's CPU paths)



def fused_leaky_relu(input, bias, negative_slope=0.2, scale=2 ** 0.5):
    rest = [1] * (input.ndim - bias.ndim - 1)
    return F.leaky_relu(input + bias.view(1, bias.shape[0], *rest), negative_slope=negative_slope) * scale


class FusedLeakyReLU(nn.Module):
    def __init__(self, channel, negative_slope=0.2, scale=2 ** 0.5):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channel))
        self.negative_slope = negative_slope
        self.scale = scale

    def forward(self, input):
        return fused_leaky_relu(input, self.bias, self.negative_slope, self.scale)


def import_released(repo):
    """Puts the released code on sys.path behind the op stand-in; returns the modules used."""
    repo = str(Path(repo).resolve())
    sys.path.insert(0, repo)
    op = types.ModuleType("models.stylegan2.op")
    op.FusedLeakyReLU = FusedLeakyReLU
    op.fused_leaky_relu = fused_leaky_relu
    op.upfirdn2d = upfirdn2d
    op.__file__ = "<pure-PyTorch stand-in, Scripts/make_stylePrompter_fixtures.py>"
    sys.modules["models.stylegan2.op"] = op
    import models.stylegan2.model as sg_model
    import models.SGGenerator as sgg
    import models.encoders.swin_encoder as swin
    for m in (sg_model, sgg, swin):
        assert str(Path(m.__file__).resolve()).startswith(repo), m.__file__
    assert sg_model.upfirdn2d is upfirdn2d and sg_model.FusedLeakyReLU is FusedLeakyReLU
    return sg_model, sgg, swin


def export_mirror(tmp):
    # only models/ is needed (some large files of the repository are absent from the mirror)
    subprocess.run(f"git --git-dir={MIRROR} archive HEAD models | tar -x -C {tmp}", shell=True, check=True)
    for f in ("models/SGGenerator.py", "models/stylegan2/model.py", "models/encoders/swin_encoder.py",
              "models/encoders/swin_helpers.py", "models/encoders/helpers.py"):
        assert (Path(tmp) / f).is_file(), f
    return tmp


def repo_commit(repo):
    for cmd in (["git", "-C", str(repo), "rev-parse", "HEAD"], ["git", "--git-dir", str(MIRROR), "rev-parse", "HEAD"]):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
        except Exception:
            pass
    return "unknown"


# --------------------------------------------------------------------------------------------
# Model assembly

def small_generator_class(sg_model, table):
    class SmallGenerator(sg_model.Generator):
        """The released Generator with its channel table replaced (the assignment in the
        released __init__ is ignored; everything else is the released code)."""

        @property
        def channels(self):
            return dict(table)

        @channels.setter
        def channels(self, value):
            pass

    SmallGenerator.__name__ = "Generator"
    return SmallGenerator


def assemble_sggenerator(sgg, generator, smart, n_latent, refined_layer):
    dec = sgg.SGGenerator.__new__(sgg.SGGenerator)
    nn.Module.__init__(dec)
    dec.generator = generator
    dec.smart_block = smart
    dec.n_latent = n_latent
    dec.refined_layer = refined_layer
    return dec


@torch.no_grad()
def perturb_generator(G, gen, lr_mlp):
    for name, p in G.named_parameters():
        noise = torch.randn(p.shape, generator=gen)
        if name.endswith("modulation.bias"):
            p.copy_(1 + 0.25 * noise)
        elif name.startswith("style.") and name.endswith(".bias"):
            p.copy_(0.1 / lr_mlp * noise)
        elif name.endswith("noise.weight"):
            p.copy_(0.2 * noise)
        elif name.endswith("bias"):
            p.copy_(0.1 * noise)
        else:
            p.mul_(1 + 0.1 * noise)
            if name.startswith("to_rgb") and name.endswith("conv.weight"):
                p.mul_(0.25)


@torch.no_grad()
def perturb_transformer(model, gen, output_scale={}):
    """Encoder / SMART: every parameter moved off its init (see the module docstring);
    output_scale {module name: factor} further scales those Linear weights."""
    done = set()
    for mname, m in model.named_modules():
        prefix = mname + "." if mname else ""
        if isinstance(m, nn.LayerNorm):
            m.weight.copy_(1 + 0.15 * torch.randn(m.weight.shape, generator=gen))
            m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=gen))
            done |= {prefix + "weight", prefix + "bias"}
        elif isinstance(m, (nn.Linear, nn.Conv2d)):
            m.weight.mul_(1 + 0.1 * torch.randn(m.weight.shape, generator=gen))
            if mname in output_scale:
                m.weight.mul_(output_scale[mname])
            done.add(prefix + "weight")
            if m.bias is not None:
                m.bias.add_(0.05 * torch.randn(m.bias.shape, generator=gen))
                done.add(prefix + "bias")
    for name, p in model.named_parameters():
        if name in done:
            continue
        noise = torch.randn(p.shape, generator=gen)
        if name.endswith("q_bias") or name.endswith("v_bias"):
            p.copy_(0.1 * noise)
        elif name.endswith("logit_scale"):
            p.copy_(math.log(10) + 0.3 * noise)
            if name == CLAMPED_LOGIT_SCALE:
                p[0] = math.log(100) + 0.2
        elif name == "latent_tok":
            p.add_(0.1 * noise)
        else:
            raise ValueError(f"no perturbation rule for {name}")
        done.add(name)
    missing = [n for n, _ in model.named_parameters() if n not in done]
    assert not missing, missing


# --------------------------------------------------------------------------------------------
# Helpers


def torch_save(obj, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    torch.save(obj, temporary)
    temporary.replace(path)


def smooth_images(gen, count, size, lows):
    """Smooth random images (bicubic-upsampled low-res noise, tanh), quantised to 8 bits and
    normalised as the released transforms do (ToTensor, Normalize(0.5, 0.5)): (k/255 − 0.5)/0.5
    in float32, k ∈ 0…255 — what an 8-bit photo gives."""
    out = []
    for i in range(count):
        low = lows[i % len(lows)]
        x = torch.randn(1, 3, low, low, generator=gen)
        x = torch.tanh(1.2 * F.interpolate(x, size=size, mode="bicubic", align_corners=False))
        k = torch.round((x + 1) * 127.5).clamp(0, 255)
        out.append((k / 255 - 0.5) / 0.5)
    return torch.cat(out).float()


def print_summary(path, tensors, gap):
    print(f"{path}: {len(tensors)} tensors, {path.stat().st_size} bytes")
    for k in sorted(tensors):
        g = f"{gap[k]:.2e}" if k in gap else "(input)"
        print(f"  {k:48s} {str(list(tensors[k].shape)):20s} f32-vs-f64 {g}")


DERIVED_BUFFERS = ("relative_coords_table", "relative_position_index", "attn_mask")


def released_state_dict(encoder, decoder, stage1=False):
    sd = OrderedDict()
    for k, v in encoder.state_dict().items():
        if stage1 and k.endswith(DERIVED_BUFFERS):
            continue  # size: see the docstring
        sd["encoder.module." + k] = v
    if stage1:  # StylePrompterBaseline: decoder = DataParallel(Generator)
        for k, v in decoder.generator.state_dict().items():
            sd["decoder.module." + k] = v
    else:
        for k, v in decoder.state_dict().items():
            sd["decoder.module." + k] = v
    return sd


def release_opts(output_size, tokens_num, refined_layer, stage1, fixture_config):
    # the released TrainOptions defaults (options/train_options.py) with the model fields set
    return dict(exp_dir="./results/", dataset_type="ffhq_encode", input_nc=3, output_size=output_size,
                tokens_num=tokens_num, refined_layer=refined_layer, type="baseline" if stage1 else "full",
                device="cpu", batch_size=4, test_batch_size=8, workers=6, test_workers=6, learning_rate=0.0001,
                optim_name="ranger", start_from_latent_avg=True, learn_in_w=False, lpips_lambda=0.6,
                id_lambda=0.1, multi_id=False, l2_lambda=1.0, align_lambda=0.1, stylegan_weights="",
                checkpoint_path=None, last_step=None, max_steps=600000, image_interval=5000, board_interval=50,
                val_interval=5000, save_interval=10000, n_styles=int(math.log(output_size, 2)) * 2 - 2,
                fixture_config=fixture_config)


# --------------------------------------------------------------------------------------------
# Forward passes (the released code; `models` = {'encoder', 'decoder', 'latent_avg'})

def encode(models, x):
    codes, features = models["encoder"](x)
    return codes + models["latent_avg"].repeat(x.shape[0], 1, 1), features


def decode_capturing(decoder, wplus, features, beta):
    captured = {}

    def hook(module, args):  # returns None: the input is left unchanged
        captured["x"] = args[0]

    handle = decoder.generator.to_rgbs[1].register_forward_pre_hook(hook)
    try:
        image = decoder(wplus, features=features, input_is_latent=True, randomize_noise=False, beta=beta)
    finally:
        handle.remove()
    return image, captured["x"]


def per_image_outputs(models, images):
    out = {}
    dec = models["decoder"]
    for i in range(images.shape[0]):
        x = images[i:i + 1]
        wplus, features = encode(models, x)
        out[f"wplus.{i}"] = wplus
        for k, f in enumerate(features):
            out[f"features.{i}.{k}"] = f
        image, smart_feature = decode_capturing(dec, wplus, features, BETA)
        out[f"image.{i}"] = image
        out[f"smart_feature.{i}"] = smart_feature
        out[f"image_beta.{i}"] = dec(wplus, features=features, input_is_latent=True, randomize_noise=False,
                                     beta=BETA_ALT)
        stage1 = dec(wplus, features=None, input_is_latent=True, randomize_noise=False)
        plain, _ = dec.generator([wplus], input_is_latent=True, randomize_noise=False)
        assert torch.allclose(stage1, plain, atol=0, rtol=0) or relative_error(stage1, plain) < 1e-6
        out[f"image_stage1.{i}"] = stage1
    wplus3, features3 = encode(models, images)
    out["image_batch3_released"] = dec(wplus3, features=features3, input_is_latent=True, randomize_noise=False,
                                       beta=BETA)
    out["_wplus_batch3"] = wplus3  # only for the mixing metadata; not stored
    return out


def gradients(models, image0, gout):
    enc, dec = models["encoder"], models["decoder"]
    with torch.enable_grad():
        wplus, features = encode(models, image0)  # encoder WITH grad (the release uses no_grad here)
        image = dec(wplus, features=features, input_is_latent=True, randomize_noise=False, beta=BETA)
        loss = (image * gout).sum()
        sp = dict(dec.smart_block.named_parameters())
        ep = dict(enc.named_parameters())
        params = [sp[p] for p in SMART_PARAMS] + [ep[p] for p in ENCODER_PARAMS]
        grads = torch.autograd.grad(loss, params)
    out = {"loss": loss}
    for p, g in zip(SMART_PARAMS, grads[:len(SMART_PARAMS)]):
        out[f"grad.smart_block.{p}"] = g
    for p, g in zip(ENCODER_PARAMS, grads[len(SMART_PARAMS):]):
        out[f"grad.encoder.{p}"] = g
    return out


# --------------------------------------------------------------------------------------------

def small_fixtures(sg_model, sgg, swin, commit):
    c = SMALL
    torch.manual_seed(2307)
    encoder = swin.SwinEncoder(**c["encoder"])
    gc = c["generator"]
    Gen = small_generator_class(sg_model, gc["channels"])
    G = Gen(gc["size"], gc["style_dim"], gc["n_mlp"], channel_multiplier=gc["channel_multiplier"], lr_mlp=gc["lr_mlp"])
    assert G.n_latent == c["n_latent"]
    smart = sgg.SMART(**c["smart"])
    decoder = assemble_sggenerator(sgg, G, smart, c["n_latent"], c["refined_layer"])
    gen = torch.Generator().manual_seed(230701)
    perturb_transformer(encoder, gen)
    perturb_generator(G, gen, gc["lr_mlp"])
    perturb_transformer(smart, gen, SMART_OUTPUT_SCALE)
    encoder.eval(), decoder.eval()

    inputs = torch.Generator().manual_seed(230702)
    with torch.no_grad():
        mean = G.style(torch.randn(4096, gc["style_dim"], generator=inputs)).mean(0)
        latent_avg = (mean.repeat(c["n_latent"], 1)
                      + 0.05 * torch.randn(c["n_latent"], gc["style_dim"], generator=inputs)).contiguous()
    images = smooth_images(inputs, 3, 256, lows=[4, 8, 16])
    gout = torch.randn(1, 3, gc["size"], gc["size"], generator=inputs)

    config = {k: v for k, v in c.items()}
    config["generator"] = dict(gc, channels={str(k): v for k, v in gc["channels"].items()})
    config["encoder_full_args"] = dict(patch_size=4, in_chans=3, mlp_ratio=4.0, qkv_bias=True, drop_rate=0.0,
                                       attn_drop_rate=0.0, drop_path_rate=0.1, pretrained_window_sizes=[0, 0, 0, 0],
                                       **c["encoder"])
    config["beta"], config["beta_alt"] = list(BETA), list(BETA_ALT)
    config["latent_avg"] = "[n_latent, style_dim]: mean style(z) over 4096 z, repeated, + 0.05*N"
    config["clamped_logit_scale"] = CLAMPED_LOGIT_SCALE + "[0] = ln(100) + 0.2"
    config["eval"] = True
    config["randomize_noise"] = False
    cfg = json.dumps(config)
    meta_common = {"config": cfg, "stylePrompter_commit": commit,
                   "generator": f"Scripts/make_stylePrompter_fixtures.py, torch {torch.__version__}"}

    # checkpoints
    for stage1, name in ((False, "stylePrompter_small.pt"), (True, "stylePrompter_small_stage1.pt")):
        ckpt = {"state_dict": released_state_dict(encoder, decoder, stage1),
                "opts": release_opts(gc["size"], c["n_latent"], c["refined_layer"], stage1, config),
                "latent_avg": latent_avg}
        torch_save(ckpt, FIXTURES / name)
    # round trip: the released load path (get_keys + strict load_state_dict)
    ck = torch.load(FIXTURES / "stylePrompter_small.pt", map_location="cpu", weights_only=False)
    get_keys = lambda d, n: {k[len(n) + 1:]: v for k, v in d["state_dict"].items() if k[:len(n)] == n}
    nn.DataParallel(copy.deepcopy(encoder)).load_state_dict(get_keys(ck, "encoder"), strict=True)
    nn.DataParallel(copy.deepcopy(decoder)).load_state_dict(get_keys(ck, "decoder"), strict=True)
    ck1 = torch.load(FIXTURES / "stylePrompter_small_stage1.pt", map_location="cpu", weights_only=False)
    nn.DataParallel(copy.deepcopy(G)).load_state_dict(get_keys(ck1, "decoder"), strict=True)
    missing, unexpected = nn.DataParallel(copy.deepcopy(encoder)).load_state_dict(get_keys(ck1, "encoder"), strict=False)
    assert not unexpected and all(k.endswith(DERIVED_BUFFERS) for k in missing), (missing, unexpected)

    models = {"encoder": encoder, "decoder": decoder, "latent_avg": latent_avg}

    # forward outputs (f32 and f64)
    start = time.time()
    with torch.no_grad():
        out32 = per_image_outputs(models, images)
        models64 = {"encoder": copy.deepcopy(encoder).double(), "decoder": copy.deepcopy(decoder).double(),
                    "latent_avg": latent_avg.double()}
        out64 = per_image_outputs(models64, images.double())
    print(f"forward f32 + f64: {time.time() - start:.1f} s")
    gap = {k: relative_error(out32[k], out64[k]) for k in out32 if not k.startswith("_")}
    batch1 = torch.cat([out32[f"image.{i}"] for i in range(3)])
    wplus1 = torch.cat([out32[f"wplus.{i}"] for i in range(3)])
    mixing = {
        "image_rel_l2": relative_error(out32["image_batch3_released"], batch1),
        "image_rel_l2_per_image": [relative_error(out32["image_batch3_released"][i], batch1[i]) for i in range(3)],
        "wplus_rel_l2": relative_error(out32["_wplus_batch3"], wplus1),
        "wplus_rel_l2_per_image": [relative_error(out32["_wplus_batch3"][i], wplus1[i]) for i in range(3)],
        "image_max_abs": (out32["image_batch3_released"] - batch1).abs().max().item(),
        "definition": "||batch3 - stack(batch1)|| / ||stack(batch1)||, float32",
    }
    tensors = {"images": images, **{k: v.detach().float() for k, v in out32.items() if not k.startswith("_")}}
    meta = {**meta_common, "gap": json.dumps(gap), "batch3_mixing": json.dumps(mixing)}
    path = FIXTURES / "stylePrompter_small_outputs.safetensors"
    write_safetensors(path, tensors, meta)
    print_summary(path, tensors, gap)
    print("batch-3 mixing:", json.dumps(mixing))
    ranges = {k: (round(v.min().item(), 3), round(v.max().item(), 3)) for k, v in tensors.items()
              if k.startswith("image") or k.startswith("smart") or k.startswith("wplus")}
    print("ranges:", ranges)

    # gradients
    start = time.time()
    g32 = gradients(models, images[:1], gout)
    g64 = gradients(models64, images[:1].double(), gout.double())
    print(f"gradients f32 + f64: {time.time() - start:.1f} s")
    ggap = {k: relative_error(g32[k], g64[k]) for k in g32}
    tensors = {"gout": gout, **{k: v.detach().float() for k, v in g32.items()}}
    meta = {**meta_common, "gap": json.dumps(ggap), "smart_params": json.dumps(SMART_PARAMS),
            "encoder_params": json.dumps(ENCODER_PARAMS),
            "note": "encoder called with grad enabled (the released StylePrompter.forward wraps it in torch.no_grad)"}
    path = FIXTURES / "stylePrompter_small_grads.safetensors"
    write_safetensors(path, tensors, meta)
    print_summary(path, tensors, ggap)
    total = 0
    for f in sorted(FIXTURES.iterdir()):
        print(f"{f}: {f.stat().st_size} bytes")
        total += f.stat().st_size
    print(f"total: {total} bytes")


def full_fixtures(sg_model, sgg, swin, commit, light_gap):
    c = FULL
    torch.manual_seed(2308)
    encoder = swin.SwinEncoder(**c["encoder"])
    decoder = sgg.SGGenerator(**c["sggenerator"])
    gen = torch.Generator().manual_seed(230801)
    perturb_transformer(encoder, gen)
    perturb_generator(decoder.generator, gen, 0.01)
    perturb_transformer(decoder.smart_block, gen, SMART_OUTPUT_SCALE)
    encoder.eval(), decoder.eval()
    inputs = torch.Generator().manual_seed(230802)
    with torch.no_grad():
        mean = decoder.generator.style(torch.randn(4096, 512, generator=inputs)).mean(0)
        latent_avg = (mean.repeat(c["n_latent"], 1) + 0.05 * torch.randn(c["n_latent"], 512, generator=inputs)).contiguous()
    image_in = smooth_images(inputs, 1, 256, lows=[8])
    config = dict(encoder=dict(c["encoder"], embed_dim=96, depths=[2, 2, 6, 2], num_heads=[3, 6, 12, 24],
                               ffn_dim=1024, style_dim=512),
                  sggenerator=dict(c["sggenerator"], fpn_shape=[8, 8, 16, 32], fpn_channels=[768, 768, 384, 192],
                                   ffn_dim=1024, head_num=4, dropout=0.1, channel_multiplier=2,
                                   generator="Generator(1024, 512, 8)", smart_q_channel=512, smart_embed_dim=512),
                  beta=list(BETA), randomize_noise=False, clamped_logit_scale=CLAMPED_LOGIT_SCALE + "[0] = ln(100) + 0.2")
    ckpt = {"state_dict": released_state_dict(encoder, decoder),
            "opts": release_opts(1024, 18, 4, False, config), "latent_avg": latent_avg}
    torch_save(ckpt, LARGE / "stylePrompter_full.pt")
    del ckpt

    def fn(models, x, image=True):
        wplus, features = encode(models, x)
        if image:
            img, feat = decode_capturing(models["decoder"], wplus, features, BETA)
            return {"wplus": wplus, "smart_feature": feat, "image": img}
        # light: run the generator only up to to_rgbs[1]
        captured = {}

        class Stop(Exception):
            pass

        def hook(m, args):
            captured["x"] = args[0]
            raise Stop

        h = models["decoder"].generator.to_rgbs[1].register_forward_pre_hook(hook)
        try:
            models["decoder"](wplus, features=features, input_is_latent=True, randomize_noise=False, beta=BETA)
        except Stop:
            pass
        finally:
            h.remove()
        return {"wplus": wplus, "smart_feature": captured["x"]}

    models = {"encoder": encoder, "decoder": decoder, "latent_avg": latent_avg}
    start = time.time()
    with torch.no_grad():
        out32 = fn(models, image_in)
        print(f"full f32 forward: {time.time() - start:.1f} s")
        models64 = {"encoder": copy.deepcopy(encoder).double(), "decoder": copy.deepcopy(decoder).double(),
                    "latent_avg": latent_avg.double()}
        out64 = fn(models64, image_in.double(), image=not light_gap)
        print(f"full f32 + f64: {time.time() - start:.1f} s")
    gap = {k: relative_error(out32[k], out64[k]) for k in out64}
    tensors = {"image_in": image_in, **{k: v.float() for k, v in out32.items()}}
    meta = {"config": json.dumps(config), "gap": json.dumps(gap), "stylePrompter_commit": commit,
            "generator": f"Scripts/make_stylePrompter_fixtures.py --full, torch {torch.__version__}"}
    path = LARGE / "stylePrompter_full_outputs.safetensors"
    write_safetensors(path, tensors, meta)
    print_summary(path, tensors, gap)
    print(f"{LARGE / 'stylePrompter_full.pt'}: {(LARGE / 'stylePrompter_full.pt').stat().st_size} bytes")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stylePrompter-repo", default=None,
                        help="checkout of I2-Multimedia-Lab/StylePrompter (default: export the library mirror's HEAD)")
    parser.add_argument("--full", action="store_true", help="also write the full-size fixtures to .fixtures-large/")
    parser.add_argument("--full-only", action="store_true", help="only the full-size fixtures")
    parser.add_argument("--full-gap-light", action="store_true", help="float64 gap only for wplus and smart_feature")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        repo = args.stylePrompter_repo or export_mirror(tmp)
        commit = repo_commit(repo) if args.stylePrompter_repo else repo_commit(MIRROR)
        sg_model, sgg, swin = import_released(repo)
        if not args.full_only:
            small_fixtures(sg_model, sgg, swin, commit)
        if args.full or args.full_only:
            full_fixtures(sg_model, sgg, swin, commit, args.full_gap_light)


if __name__ == "__main__":
    main()
