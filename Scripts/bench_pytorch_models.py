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
- stage2_step_b4: the released coach.py stage 2 (`--type full --multi_id True`): encoder (frozen,
  train mode as `self.net.train()` leaves it) under torch.no_grad() → codes + latent_avg and
  features → the released SGGenerator (1024 px, SMART at layer 4, beta 1.0, stored noise) →
  AdaptiveAvgPool2d(256) → 0.1·multi-layer ID (IR-SE50, IDLoss(multi=True)) + 1.0·MSE + 0.6·LPIPS,
  backward into SMART only (the generator frozen), Ranger step.
- ganS_bB: one iteration of rosinality's train.py loop body (transcribed in
  Scripts/make_gan_training_fixtures.py, whose helpers are imported; here with its own random
  draws: mixing_noise with probability 0.9, randint inject index, randomize_noise=True, randn_like
  path probe), rosinality's default architecture (channel multiplier 2, style 512, 8 mapping
  layers), batch B, real images uniform in [−1, 1], no augmentation, the g_ema accumulate. The
  lazy regularisers are amortised: iterations 1 (no regulariser), 4 (path length only) and 0
  (R1 + path length) are each timed (warm-up + median) and the row's seconds are
  (12·t1 + 3·t4 + 1·t0) / 16, the mean cost of an iteration over rosinality's 16-iteration cycle
  (d_reg_every 16, g_reg_every 4). An iteration takes tens of seconds here, so the row has one
  warm-up (an iteration 0: every graph the other kinds run) and one timed run per kind. Same rule
  in Sources/Benchmarks/ModelRows.swift.
Slow rows take fewer timed runs (MINIMUM_RUNS; the same counts in ModelRows.swift).
The released code is imported from the library's mirror of I2-Multimedia-Lab/StylePrompter, as
Scripts/make_stylePrompter_fixtures.py does.
"""
import random
import sys
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_gan_training_fixtures as gan  # noqa: E402
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


def stage2_step(batch):
    """The released coach.calc_loss for stage 2: 0.1·ID (multi-layer) + 1.0·MSE + 0.6·LPIPS."""
    import make_perceptual_fixtures as perceptual
    with torch.inference_mode(False):
        _, sgg, _ = released()
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
        for p in e.parameters():
            p.requires_grad_(False)
        torch.manual_seed(2)
        decoder = sgg.SGGenerator(n_latent=18, refined_layer=4, output_size=1024).train()
        for p in decoder.parameters():
            p.requires_grad_(False)
        for p in decoder.smart_block.parameters():
            p.requires_grad_(True)
        pool = torch.nn.AdaptiveAvgPool2d((256, 256))
        optimizer = make_nn_fixtures.Ranger(decoder.smart_block.parameters(), lr=1e-4)
        latent_avg = torch.randn(18, 512) * 0.1
        images = torch.rand(batch, 3, 256, 256) * 2 - 1

    def work():
        with torch.inference_mode(False), torch.enable_grad():
            with torch.no_grad():
                codes, features = e(images)
            codes = codes + latent_avg.repeat(batch, 1, 1)
            y_hat = pool(decoder(codes, features=features, input_is_latent=True, randomize_noise=False, beta=1.0))
            # IDLoss.forward(y_hat, y, x, multi=True); its x embedding is never used, so left out.
            target = torch.ones(batch)
            y_feats = id_loss.extract_feats(images, multi=True)
            y_hat_feats = id_loss.extract_feats(y_hat, multi=True)
            loss_id = 0.0
            for a, b in zip(y_feats, y_hat_feats):
                loss_id += id_loss.cos_loss(a.detach().flatten(start_dim=1), b.flatten(start_dim=1), target)
            loss = loss_id * 0.1
            loss = loss + F.mse_loss(images, y_hat) * 1.0
            loss = loss + lpips(y_hat, images) * 0.6
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return work


def mixing_noise(batch, latent_dim, prob):
    """rosinality's train.py mixing_noise / make_noise."""
    if prob > 0 and random.random() < prob:
        return list(torch.randn(2, batch, latent_dim).unbind(0))
    return [torch.randn(batch, latent_dim)]


def gan_iteration(size, batch):
    """rosinality's train.py, one pass of its loop body per call, for iteration i (the caller's)."""
    args = dict(batch=batch, latent=512, r1=10.0, d_reg_every=16, g_reg_every=4, path_regularize=2.0,
                path_batch_shrink=2, mixing=0.9, lr=0.002)
    with torch.inference_mode(False):
        random.seed(1)
        torch.manual_seed(1)
        generator, discriminator = sg.Generator(size, 512, 8).train(), sg.Discriminator(size).train()
        g_ema = sg.Generator(size, 512, 8).eval()
        gan.accumulate(g_ema, generator, 0)
        g_reg_ratio = args["g_reg_every"] / (args["g_reg_every"] + 1)
        d_reg_ratio = args["d_reg_every"] / (args["d_reg_every"] + 1)
        g_optim = torch.optim.Adam(generator.parameters(), lr=args["lr"] * g_reg_ratio,
                                   betas=(0 ** g_reg_ratio, 0.99 ** g_reg_ratio))
        d_optim = torch.optim.Adam(discriminator.parameters(), lr=args["lr"] * d_reg_ratio,
                                   betas=(0 ** d_reg_ratio, 0.99 ** d_reg_ratio))
        real = torch.rand(batch, 3, size, size) * 2 - 1
    accum = 0.5 ** (32 / (10 * 1000))
    state = {"mean_path_length": 0}

    def generate(noise, **kwargs):
        # rosinality's Generator draws inject_index = random.randint(1, n_latent − 1) for two styles.
        inject = random.randint(1, generator.n_latent - 1) if len(noise) > 1 else None
        return generator(noise, inject_index=inject, **kwargs)

    def iteration(i):
        with torch.inference_mode(False), torch.enable_grad():
            real_img = real.clone()
            gan.requires_grad(generator, False)
            gan.requires_grad(discriminator, True)
            noise = mixing_noise(batch, args["latent"], args["mixing"])
            fake_img, _ = generate(noise)
            fake_pred = discriminator(fake_img)
            real_pred = discriminator(real_img)
            d_loss = sg.d_logistic_loss(real_pred, fake_pred)
            discriminator.zero_grad()
            d_loss.backward()
            d_optim.step()

            if i % args["d_reg_every"] == 0:
                real_img.requires_grad = True
                real_pred = discriminator(real_img)
                r1_loss = gan.d_r1_loss(real_pred, real_img)
                discriminator.zero_grad()
                (args["r1"] / 2 * r1_loss * args["d_reg_every"] + 0 * real_pred[0]).backward()
                d_optim.step()

            gan.requires_grad(generator, True)
            gan.requires_grad(discriminator, False)
            noise = mixing_noise(batch, args["latent"], args["mixing"])
            fake_img, _ = generate(noise)
            fake_pred = discriminator(fake_img)
            g_loss = sg.g_nonsaturating_loss(fake_pred)
            generator.zero_grad()
            g_loss.backward()
            g_optim.step()

            if i % args["g_reg_every"] == 0:
                path_batch_size = max(1, batch // args["path_batch_shrink"])
                noise = mixing_noise(path_batch_size, args["latent"], args["mixing"])
                fake_img, latents = generate(noise, return_latents=True)
                path_loss, state["mean_path_length"], _ = gan.g_path_regularize(
                    fake_img, latents, state["mean_path_length"], torch.randn_like(fake_img))
                generator.zero_grad()
                weighted_path_loss = args["path_regularize"] * args["g_reg_every"] * path_loss
                if args["path_batch_shrink"]:
                    weighted_path_loss += 0 * fake_img[0, 0, 0, 0]
                weighted_path_loss.backward()
                g_optim.step()

            gan.accumulate(g_ema, generator, accum)
            # train.py's logging reads the losses back (loss_reduced[...].mean().item()).
            d_loss.item(), g_loss.item()

    return [("R1 + path (iteration 0)", 1, lambda: iteration(0)),
            ("plain (iteration 1)", 12, lambda: iteration(1)),
            ("path (iteration 4)", 3, lambda: iteration(4))]


# Timed runs per kind after the warm-up for the slow rows (others: 5); as in ModelRows.swift.
MINIMUM_RUNS = {"stage1_step_b4": 3, "stage2_step_b4": 3, "gan64_b32": 1, "gan256_b8": 1}
# Rows whose kinds share one warm-up (that of the first kind, which runs every graph the others do).
SHARED_WARM_UP = {"gan64_b32", "gan256_b8"}


def model_rows():
    """name -> (prepare, flops); FLOPs are not counted for whole models (seconds only). A prepare
    returns the work, or [(label, weight, work), …] for a row timed as a weighted mean of kinds."""
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
        "stage2_step_b4": (lambda: stage2_step(4), 0.0),
        "gan64_b32": (lambda: gan_iteration(64, 32), 0.0),
        "gan256_b8": (lambda: gan_iteration(256, 8), 0.0),
    }
