#!/usr/bin/env python3
"""Two iterations of rosinality's StyleGAN2 training loop (`train.py`), replayed on stored random
draws — the fixture of the GAN two-step parity test (Tests/StyleGANTests/GANTwoStepParityTests.swift).

How to run (from the repository root; only needed when the cases change — the output is
committed and `swift test` never runs Python):

    .venv/bin/python Scripts/make_gan_training_fixtures.py

Made with torch 2.13.0+cpu and numpy, CPU only, one thread (`--threads N`); a few seconds.

Model: the committed small 64-px generator and discriminator of Scripts/make_stylegan_fixtures.py
(Tests/StyleGANTests/Fixtures/train64.pt, its 'g' and 'd'; the model classes are that script's
transcription of rosinality's model.py, imported from it). `args` are train64.pt's: batch 4,
r1 10, d_reg_every 16, g_reg_every 4, path_regularize 2, path_batch_shrink 2, mixing 0.9,
lr 0.002, no augmentation.

The loop below is rosinality's `train()` for iterations i = 0 and 1, line for line: requires_grad
toggles; D step (`d_logistic_loss`, d.zero_grad, backward, d_optim.step); R1 when
i % d_reg_every == 0 (`r1/2 · r1_loss · d_reg_every + 0 · real_pred[0]`); G step
(`g_nonsaturating_loss`); path length when i % g_reg_every == 0 (path batch = batch //
path_batch_shrink, `path_regularize · g_reg_every · path_loss + 0 · fake_img[0,0,0,0]`,
mean_path_length carried over); `accumulate(g_ema, g, 0.5 ** (32 / 10000))`. The optimisers are
train.py's: Adam(lr · r, betas (0 ** r, 0.99 ** r)), r = reg_every / (reg_every + 1), and g_ema
starts as `accumulate(g_ema, g, 0)`. Iteration 0 fires both regularisers, iteration 1 neither.

The only change: rosinality's random draws are replaced by stored tensors, in the order
train.py makes them —
  `mixing_noise` → `python random.random() < 0.9` replaced by a stored decision per call (D step
  of iteration 0 mixes, its G step does not, the path step mixes, iteration 1's D step does not,
  its G step mixes) and the z's (`make_noise`) stored;
  the generator's `inject_index = random.randint(1, n_latent − 1)` → stored `crossover`;
  `randomize_noise=True` (NoiseInjection's randn per layer) → a stored noise list per call;
  `torch.randn_like(fake_img)` in `g_path_regularize` → stored `path_probe` (divided by
  √(H·W) = 64 as there).

File Tests/StyleGANTests/Fixtures/train64_two_steps.safetensors (float32):
  real.{0,1} [4,3,64,64]                    the real batches of iterations 0 and 1
  call.<c>.z.{0[,1]} [B,64]                  the z's of call c (c = "0.d", "0.g", "0.path", "1.d", "1.g")
  call.<c>.noise.{0..8} [B,1,r,r]            the noise of every layer of that generator call
  path_probe [2,3,64,64]                     the standard-normal probe of the path step
  step.{0,1}.d_loss, .g_loss []; step.0.r1_loss, .path_loss, .path_mean [] and .path_lengths [2]
  step.{0,1}.{g,d,g_ema}.<key>               every parameter after iteration 0 and 1
  metadata: calls (JSON: per call batch, mixed, crossover), args, gap (float32-vs-float64 relative
  L2 of every output: the same loop run in float64 on the same float32 weights and draws),
  change_gap (the same for the weight changes w_step − w_initial), generator.
"""
import argparse
import copy
import json
import math
import sys
from pathlib import Path

import torch
from torch import optim

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_stylegan_fixtures as sg  # noqa: E402
from fixture_common import write_safetensors, relative_error  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "StyleGANTests" / "Fixtures"
OUT = FIXTURES / "train64_two_steps.safetensors"
# (iteration, role, mixed, crossover): crossover is what randint(1, n_latent − 1) would have drawn
CALLS = [(0, "d", True, 3), (0, "g", False, None), (0, "path", True, 7), (1, "d", False, None), (1, "g", True, 5)]


def requires_grad(model, flag=True):
    for p in model.parameters():
        p.requires_grad = flag


def accumulate(model1, model2, decay=0.999):
    par1 = dict(model1.named_parameters())
    par2 = dict(model2.named_parameters())
    for k in par1.keys():
        par1[k].data.mul_(decay).add_(par2[k].data, alpha=1 - decay)


def d_r1_loss(real_pred, real_img):
    grad_real, = torch.autograd.grad(outputs=real_pred.sum(), inputs=real_img, create_graph=True)
    return grad_real.pow(2).reshape(grad_real.shape[0], -1).sum(1).mean()


def g_path_regularize(fake_img, latents, mean_path_length, probe, decay=0.01):
    noise = probe / math.sqrt(fake_img.shape[2] * fake_img.shape[3])
    grad, = torch.autograd.grad(outputs=(fake_img * noise).sum(), inputs=latents, create_graph=True)
    path_lengths = torch.sqrt(grad.pow(2).sum(2).mean(1))
    path_mean = mean_path_length + decay * (path_lengths.mean() - mean_path_length)
    path_penalty = (path_lengths - path_mean).pow(2).mean()
    return path_penalty, path_mean.detach(), path_lengths


def two_iterations(generator, discriminator, g_ema, draws, args):
    """rosinality's train() body for i = 0, 1 (no augmentation, one process)."""
    g_reg_ratio = args["g_reg_every"] / (args["g_reg_every"] + 1)
    d_reg_ratio = args["d_reg_every"] / (args["d_reg_every"] + 1)
    g_optim = optim.Adam(generator.parameters(), lr=args["lr"] * g_reg_ratio,
                         betas=(0 ** g_reg_ratio, 0.99 ** g_reg_ratio))
    d_optim = optim.Adam(discriminator.parameters(), lr=args["lr"] * d_reg_ratio,
                         betas=(0 ** d_reg_ratio, 0.99 ** d_reg_ratio))
    accumulate(g_ema, generator, 0)
    accum = 0.5 ** (32 / (10 * 1000))
    mean_path_length = 0
    out = {}

    def generate(key, **kwargs):
        call = draws["calls"][key]
        return generator(call["z"], inject_index=call["crossover"], noise=call["noise"], **kwargs)

    for i in range(2):
        real_img = draws["real"][i].clone()
        requires_grad(generator, False)
        requires_grad(discriminator, True)
        fake_img, _ = generate(f"{i}.d")
        fake_pred = discriminator(fake_img)
        real_pred = discriminator(real_img)
        d_loss = sg.d_logistic_loss(real_pred, fake_pred)
        discriminator.zero_grad()
        d_loss.backward()
        d_optim.step()
        out[f"step.{i}.d_loss"] = d_loss.detach()

        if i % args["d_reg_every"] == 0:
            real_img.requires_grad = True
            real_pred = discriminator(real_img)
            r1_loss = d_r1_loss(real_pred, real_img)
            discriminator.zero_grad()
            (args["r1"] / 2 * r1_loss * args["d_reg_every"] + 0 * real_pred[0]).backward()
            d_optim.step()
            out[f"step.{i}.r1_loss"] = r1_loss.detach()

        requires_grad(generator, True)
        requires_grad(discriminator, False)
        fake_img, _ = generate(f"{i}.g")
        fake_pred = discriminator(fake_img)
        g_loss = sg.g_nonsaturating_loss(fake_pred)
        generator.zero_grad()
        g_loss.backward()
        g_optim.step()
        out[f"step.{i}.g_loss"] = g_loss.detach()

        if i % args["g_reg_every"] == 0:
            fake_img, latents = generate(f"{i}.path", return_latents=True)
            path_loss, mean_path_length, path_lengths = g_path_regularize(fake_img, latents, mean_path_length,
                                                                          draws["path_probe"])
            generator.zero_grad()
            weighted_path_loss = args["path_regularize"] * args["g_reg_every"] * path_loss
            if args["path_batch_shrink"]:
                weighted_path_loss += 0 * fake_img[0, 0, 0, 0]
            weighted_path_loss.backward()
            g_optim.step()
            out[f"step.{i}.path_loss"] = path_loss.detach()
            out[f"step.{i}.path_mean"] = mean_path_length.detach()
            out[f"step.{i}.path_lengths"] = path_lengths.detach()

        accumulate(g_ema, generator, accum)
        for name, model in (("g", generator), ("d", discriminator), ("g_ema", g_ema)):
            for k, p in model.named_parameters():
                out[f"step.{i}.{name}.{k}"] = p.detach().clone()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    cli = parser.parse_args()
    torch.set_num_threads(cli.threads)
    config = sg.SMALL_CONFIG
    ckpt = torch.load(FIXTURES / "train64.pt", map_location="cpu", weights_only=False)
    args = ckpt["args"]
    G, D, G_ema = sg.build_generator(config), sg.build_discriminator(config), sg.build_generator(config)
    G.load_state_dict(ckpt["g"]), D.load_state_dict(ckpt["d"])
    for m in (G, D, G_ema):
        m.train()  # rosinality trains g and d in train mode (no layer depends on it)
    initial = {f"{name}.{k}": p.detach().clone() for name, model in (("g", G), ("d", D))
               for k, p in model.named_parameters()}

    gen = torch.Generator().manual_seed(6403)
    batch, sd, size = args["batch"], args["latent"], args["size"]
    path_batch = max(1, batch // args["path_batch_shrink"])
    real = [(torch.nn.functional.interpolate(torch.randn(batch, 3, 8, 8, generator=gen), size=size, mode="bilinear",
                                             align_corners=False) * 0.5
             + 0.1 * torch.randn(batch, 3, size, size, generator=gen)).clamp(-1, 1) for _ in range(2)]
    calls, tensors, call_meta = {}, {"real.0": real[0], "real.1": real[1]}, {}
    for i, role, mixed, crossover in CALLS:
        b = path_batch if role == "path" else batch
        key = f"{i}.{role}"
        zs = [torch.randn(b, sd, generator=gen) for _ in range(2 if mixed else 1)]
        noise = [torch.randn(b, 1, 2 ** ((k + 5) // 2), 2 ** ((k + 5) // 2), generator=gen) for k in range(G.num_layers)]
        calls[key] = {"z": zs, "crossover": crossover, "noise": noise}
        call_meta[key] = {"batch": b, "mixed": mixed, "crossover": crossover}
        tensors.update({f"call.{key}.z.{k}": z for k, z in enumerate(zs)})
        tensors.update({f"call.{key}.noise.{k}": n for k, n in enumerate(noise)})
    path_probe = torch.randn(path_batch, 3, size, size, generator=gen)
    tensors["path_probe"] = path_probe

    draws = {"real": real, "calls": calls, "path_probe": path_probe}
    out32 = two_iterations(G, D, G_ema, draws, args)
    cast = lambda t: t.double()
    draws64 = {"real": [cast(r) for r in real], "path_probe": cast(path_probe),
               "calls": {k: {"z": [cast(z) for z in c["z"]], "crossover": c["crossover"],
                             "noise": [cast(n) for n in c["noise"]]} for k, c in calls.items()}}
    G64, D64, E64 = sg.build_generator(config).double(), sg.build_discriminator(config).double(), \
        sg.build_generator(config).double()
    G64.load_state_dict(ckpt["g"]), D64.load_state_dict(ckpt["d"])
    out64 = two_iterations(G64, D64, E64, draws64, args)
    gap = {k: relative_error(out32[k], out64[k]) for k in out32}
    change_gap = {}
    for k in out32:
        parts = k.split(".", 3)  # step, i, model, key
        if len(parts) == 4 and parts[2] in ("g", "d", "g_ema"):
            w0 = initial[("d." if parts[2] == "d" else "g.") + parts[3]].double()
            change_gap[k] = relative_error(out32[k].double() - w0, out64[k] - w0)
    tensors.update({k: v.float() for k, v in out32.items()})
    meta = {"calls": json.dumps(call_meta), "args": json.dumps(args), "gap": json.dumps(gap),
            "change_gap": json.dumps(change_gap), "config": sg.config_json(config, G.n_latent, G.num_layers),
            "generator": f"Scripts/make_gan_training_fixtures.py, torch {torch.__version__}"}
    write_safetensors(OUT, tensors, meta)
    print(f"{OUT}: {OUT.stat().st_size} bytes, {len(tensors)} tensors")
    for k in sorted(out32):
        if not any(f".{m}." in k for m in ("g", "d", "g_ema")) or k.count(".") < 3:
            print(f"  {k:30s} {out32[k].flatten()[:4].tolist()}  gap {gap[k]:.2e}")
    for step in (0, 1):
        for m in ("g", "d", "g_ema"):
            ks = [k for k in change_gap if k.startswith(f"step.{step}.{m}.")]
            worst = max(ks, key=lambda k: change_gap[k])
            print(f"  step {step} {m:5s}: weight gap max {max(gap[k] for k in ks):.2e}, "
                  f"change gap max {change_gap[worst]:.2e} ({worst})")


if __name__ == "__main__":
    main()
