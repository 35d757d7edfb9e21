#!/usr/bin/env python3
"""Whole-model rows of styleprompter-bench in PyTorch CPU, imported by Scripts/bench_pytorch.py.

Same work as Sources/Benchmarks/ModelRows.swift, on seeded random weights of the real shapes:
- generatorS_bB: rosinality StyleGAN2 (size S, style 512, 8-layer mapping, channel multiplier 2)
  forward from W+ with the stored noise buffers, batch B, no autograd. The model is the one
  Scripts/make_stylegan_fixtures.py defines (rosinality's code with the CPU paths of its ops —
  what rosinality's own upfirdn2d/fused_leaky_relu run on a CPU tensor).
- generator256_backward: forward + backward of (image·gout).sum() to W+, batch 1.
- encoder_bB: the released StylePrompter SwinEncoder (18 tokens, 256 px, window 16), no autograd.
- invert1024_b1: encoder + codes + latent_avg + the released SGGenerator (1024 px, SMART at
  layer 4), batch 1.
- stage1_step_b4: encoder → W+ → frozen 1024 generator → AdaptiveAvgPool2d(256) → the released
  stage-1 loss (0.1·ID with IR-SE50, 1.0·MSE, 0.6·LPIPS AlexNet, 0.1·align; the released criteria
  classes, random trunk weights, the real LPIPS heads), backward, Ranger step (the reference
  Ranger from make_nn_fixtures.py).
The released code is imported from the library's mirror of I2-Multimedia-Lab/StylePrompter, as
Scripts/make_stylePrompter_fixtures.py does.
"""
import sys
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_nn_fixtures  # noqa: E402
import make_stylegan_fixtures as sg  # noqa: E402

_released = None


def released():
    """(stylegan model module, SGGenerator module, swin_encoder module) of the released code."""
    global _released
    if _released is None:
        import make_stylePrompter_fixtures as sp
        folder = sp.export_mirror(tempfile.mkdtemp(prefix="stylePrompter-"))
        _released = sp.import_released(folder)
    return _released


def generator(size):
    torch.manual_seed(1)
    return sg.Generator(size, 512, 8).eval()


def generator_forward(size, batch):
    g = generator(size)
    latents = torch.randn(batch, g.n_latent, 512)
    return lambda: g([latents], input_is_latent=True, randomize_noise=False)


def generator_backward(size):
    with torch.inference_mode(False):
        g = generator(size)
        for p in g.parameters():
            p.requires_grad_(False)
        latents = torch.randn(1, g.n_latent, 512, requires_grad=True)
        gout = torch.randn(1, 3, size, size)

    def work():
        with torch.inference_mode(False), torch.enable_grad():
            latents.grad = None
            image, _ = g([latents], input_is_latent=True, randomize_noise=False)
            (image * gout).sum().backward()
    return work


def encoder(tokens=18):
    _, _, swin = released()
    torch.manual_seed(1)
    return swin.SwinEncoder(tokens_num=tokens, img_size=256, window_size=16)


def encoder_forward(batch):
    e = encoder().eval()
    images = torch.rand(batch, 3, 256, 256) * 2 - 1
    return lambda: e(images)


def inversion_1024():
    _, sgg, _ = released()
    e = encoder().eval()
    decoder = sgg.SGGenerator(n_latent=18, refined_layer=4, output_size=1024).eval()
    latent_avg = torch.randn(18, 512) * 0.1
    image = torch.rand(1, 3, 256, 256) * 2 - 1

    def work():
        codes, features = e(image)
        codes = codes + latent_avg.repeat(1, 1, 1)
        return decoder(codes, features=features, input_is_latent=True, randomize_noise=False, beta=(1, 1))
    return work


def stage1_step(batch):
    """The released coach_baseline.calc_loss: 0.1·ID + 1.0·MSE + 0.6·LPIPS + 0.1·align."""
    import make_perceptual_fixtures as perceptual
    with torch.inference_mode(False):
        sg_model, _, _ = released()
        criteria = perceptual.import_released(perceptual.DEFAULT_REPO)
        torch.manual_seed(3)
        facenet = criteria.irse.Backbone(input_size=112, num_layers=50, drop_ratio=0.6, mode='ir_se').eval()
        id_loss = perceptual.id_loss_for(criteria, facenet)
        lpips = perceptual.released_lpips(criteria, [64, 192, 384, 256, 256],
                                          str(Path(__file__).resolve().parent.parent / "../shared/data/lpips/v0.1_alex.pth"))
        for module in (facenet, lpips):
            for p in module.parameters():
                p.requires_grad_(False)
        e = encoder().train()
        torch.manual_seed(2)
        g = sg_model.Generator(1024, 512, 8).eval()
        for p in g.parameters():
            p.requires_grad_(False)
        pool = torch.nn.AdaptiveAvgPool2d((256, 256))
        optimizer = make_nn_fixtures.Ranger(e.parameters(), lr=1e-4)
        latent_avg = torch.randn(18, 512) * 0.1
        images = torch.rand(batch, 3, 256, 256) * 2 - 1

    def work():
        with torch.inference_mode(False), torch.enable_grad():
            codes, _ = e(images)
            codes = codes + latent_avg.repeat(batch, 1, 1)
            output, _ = g([codes], input_is_latent=True, randomize_noise=False)
            y_hat = pool(output)
            # The released IDLoss.forward also embeds x, for its logs only; the loss needs y and ŷ.
            target = id_loss.extract_feats(images).detach()
            loss = (1 - F.cosine_similarity(id_loss.extract_feats(y_hat), target)).mean() * 0.1
            loss = loss + F.mse_loss(images, y_hat) * 1.0
            loss = loss + lpips(y_hat, images) * 0.6
            loss = loss + F.mse_loss(codes, latent_avg.repeat(batch, 1, 1)) * 0.1
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return work


def model_rows():
    """name -> (prepare, flops); FLOPs are not counted for whole models (seconds only)."""
    return {
        "generator256_b1": (lambda: generator_forward(256, 1), 0.0),
        "generator256_b4": (lambda: generator_forward(256, 4), 0.0),
        "generator1024_b1": (lambda: generator_forward(1024, 1), 0.0),
        "generator1024_b4": (lambda: generator_forward(1024, 4), 0.0),
        "generator256_backward": (lambda: generator_backward(256), 0.0),
        "encoder_b1": (lambda: encoder_forward(1), 0.0),
        "encoder_b8": (lambda: encoder_forward(8), 0.0),
        "invert1024_b1": (inversion_1024, 0.0),
        "stage1_step_b4": (lambda: stage1_step(4), 0.0),
    }
