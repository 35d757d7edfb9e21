#!/usr/bin/env python3
"""PyTorch reference fixtures for the Training tests: the released stage-1 and stage-2 losses and
their gradients, on the small committed StylePrompter model and small seeded loss networks.

How to run (from the repository root; only needed when the cases change — the output is
committed and `swift test` never runs Python):

    .venv/bin/python Scripts/make_training_fixtures.py

Made with torch 2.13.0+cpu and numpy, CPU only, one thread (`--threads N`); about a minute.

Nothing is re-implemented here that the release provides: the model, loss network and loss
classes are the RELEASED ones, imported the way the other scripts import them —
`make_stylePrompter_fixtures.py` (SwinEncoder, the rosinality Generator with the small channel
table, SGGenerator/SMART; CPU stand-ins for the CUDA ops) and `make_perceptual_fixtures.py`
(criteria/lpips LPIPS with a narrow AlexNet, criteria/id_loss IDLoss on a narrow IR-SE; PyTorch ≥ 1.13
target-shape fix). Their weights are the committed fixture files, read again here:
    Tests/InversionTests/Fixtures/stylePrompter_small.pt   (encoder, 64-px generator, SMART, latent_avg [10, 64])
    Tests/PerceptualTests/Fixtures/lpips_small_psp.pt      (LPIPS, AlexNet widths [8,16,24,16,16], seeded heads)
    Tests/PerceptualTests/Fixtures/irse_mini.pt            (IR-SE, 24 units, taps 2/6/20/23, embedding 16)
so every term is active and no new weights are committed.

What is transcribed is the coaches' glue, line for line:
  stage 1 — training/coach_baseline.py `train` + `calc_loss` and StylePrompterBaseline.forward:
    codes, _ = encoder(x); codes += latent_avg.repeat(B, 1, 1); y_hat = face_pool(Generator([codes],
    input_is_latent=True)) (AdaptiveAvgPool2d(256): here 64 px → 256, pixel replication);
    loss = 0.1·IDLoss(y_hat, y, x) + 1.0·mse(y, y_hat) + 0.6·LPIPS(y_hat, y) + 0.1·mse(codes, latent_avg…)
    in that order (`loss = loss_id·λ; loss += …`). y = x (ffhq_encode).
  stage 2 — training/coach.py `calc_loss` (--multi_id True, run_bash/train_ffhq_full.sh) and
    StylePrompter.forward: the encoder under torch.no_grad(), SGGenerator(codes, features, beta=1.0),
    face_pool; loss = 0.1·IDLoss(y_hat, y, x, multi=True) + 1.0·mse + 0.6·LPIPS. No align term.
Deliberate differences from a training step of the release, each documented:
  * evaluation mode (encoder drop-path and SMART dropout off) and stored noise
    (randomize_noise=False): the released coach trains in train() mode with fresh noise, which
    no fixture can replay; the Swift tests put the model in eval() and use NoiseMode.stored.
  * the encoder runs once per image and the results are concatenated: the released encoder mixes
    latent tokens across a batch (REFERENCE §2); per image is the intended behaviour and what
    batch size 1 gives there.
  * stage-1 align term: the release writes `mse_loss(latents, latent_avg.repeat(b, n, 1))`, which
    assumes the [512] latent_avg of a fresh run; this model's latent_avg is [10, 64] (one row per
    latent), so it is broadcast (`expand_as`) — the same value for a [512] average.

File (Tests/TrainingTests/Fixtures/training_losses.safetensors, float32):
    images_base [2,3,64,64]     images = blocky(images_base, 4): each pixel repeated 4×4 → [2,3,256,256]
    stage1.loss, stage1.loss_id, stage1.loss_l2, stage1.loss_lpips, stage1.loss_align  (0-d)
    stage1.grad.<p>             ∂ stage1.loss / ∂ encoder.<p> for p in metadata `encoder_params`
    stage2.loss, stage2.loss_id, stage2.loss_l2, stage2.loss_lpips  (0-d)
    stage2.grad.<p>             ∂ stage2.loss / ∂ smart_block.<p> for every SMART parameter
    metadata: gap (JSON {key: float32-vs-float64 relative L2 gap}), encoder_params, smart_params,
    notes, generator.
"""
import argparse
import copy
import json
import sys
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_perceptual_fixtures as perceptual  # noqa: E402
import make_stylePrompter_fixtures as prompter  # noqa: E402
from fixture_common import write_safetensors, relative_error  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "TrainingTests" / "Fixtures" / "training_losses.safetensors"
MODEL = ROOT / "Tests" / "InversionTests" / "Fixtures" / "stylePrompter_small.pt"
LPIPS_WEIGHTS = ROOT / "Tests" / "PerceptualTests" / "Fixtures" / "lpips_small_psp.pt"
LPIPS_HEADS = ROOT / "Tests" / "PerceptualTests" / "Fixtures" / "lpips_small_heads.pth"
IRSE_WEIGHTS = ROOT / "Tests" / "PerceptualTests" / "Fixtures" / "irse_mini.pt"
LAMBDA = dict(id=0.1, l2=1.0, lpips=0.6, align=0.1)
ENCODER_PARAMS = prompter.ENCODER_PARAMS + ["layers.1.blocks.0.mlp.fc2.weight", "prediction_head.layers.2.weight"]


def blocky(base, factor):
    n, c, h, w = base.shape
    return base[:, :, :, None, :, None].expand(n, c, h, factor, w, factor).reshape(n, c, h * factor, w * factor)


def load_models(sg_model, sgg, swin, released):
    c = prompter.SMALL
    encoder = swin.SwinEncoder(**c["encoder"])
    gc = c["generator"]
    G = prompter.small_generator_class(sg_model, gc["channels"])(
        gc["size"], gc["style_dim"], gc["n_mlp"], channel_multiplier=gc["channel_multiplier"], lr_mlp=gc["lr_mlp"])
    decoder = prompter.assemble_sggenerator(sgg, G, sgg.SMART(**c["smart"]), c["n_latent"], c["refined_layer"])
    ckpt = torch.load(MODEL, map_location="cpu", weights_only=False)
    keys = lambda n: {k[len(n) + 1:]: v for k, v in ckpt["state_dict"].items() if k.startswith(n + ".")}
    nn.DataParallel(encoder).load_state_dict(keys("encoder"), strict=True)
    nn.DataParallel(decoder).load_state_dict(keys("decoder"), strict=True)
    facenet = perceptual.mini_backbone(released, 16, [(16, 3), (20, 4), (16, 14), (20, 3)], 16)
    facenet.load_state_dict(torch.load(IRSE_WEIGHTS, map_location="cpu"), strict=True)
    lpips = perceptual.released_lpips(released, perceptual.SMALL_WIDTHS, LPIPS_HEADS)
    lpips.load_state_dict(torch.load(LPIPS_WEIGHTS, map_location="cpu"), strict=True)
    for m in (encoder, decoder, facenet, lpips):
        m.eval()
    return dict(encoder=encoder, decoder=decoder, latent_avg=ckpt["latent_avg"].float(),
                lpips=lpips, facenet=facenet, released=released)


def as_double(models):
    out = dict(models)
    for k in ("encoder", "decoder", "lpips", "facenet"):
        out[k] = copy.deepcopy(models[k]).double().eval()
    out["latent_avg"] = models["latent_avg"].double()
    return out


def encode_per_image(encoder, x):
    results = [encoder(x[i:i + 1]) for i in range(x.shape[0])]
    codes = torch.cat([r[0] for r in results])
    features = [torch.cat([r[1][k] for r in results]) for k in range(len(results[0][1]))]
    return codes, features


def stage1(m, x):
    y = x
    id_loss = perceptual.id_loss_for(m["released"], m["facenet"])
    face_pool = nn.AdaptiveAvgPool2d((256, 256))
    codes, _ = encode_per_image(m["encoder"], x)
    codes = codes + m["latent_avg"].repeat(x.shape[0], 1, 1)
    y_hat = face_pool(m["decoder"].generator([codes], input_is_latent=True, randomize_noise=False)[0])
    out = {}
    loss_id = id_loss(y_hat, y, x, multi=False)
    loss = loss_id * LAMBDA["id"]
    loss_l2 = F.mse_loss(y, y_hat)
    loss += loss_l2 * LAMBDA["l2"]
    loss_lpips = m["lpips"](y_hat, y)
    loss += loss_lpips * LAMBDA["lpips"]
    loss_align = F.mse_loss(codes, m["latent_avg"].expand_as(codes))
    loss += loss_align * LAMBDA["align"]
    params = dict(m["encoder"].named_parameters())
    grads = torch.autograd.grad(loss, [params[p] for p in ENCODER_PARAMS])
    out.update({"stage1.loss": loss, "stage1.loss_id": loss_id, "stage1.loss_l2": loss_l2,
                "stage1.loss_lpips": loss_lpips, "stage1.loss_align": loss_align})
    out.update({f"stage1.grad.{p}": g for p, g in zip(ENCODER_PARAMS, grads)})
    return out


def stage2(m, x):
    y = x
    id_loss = perceptual.id_loss_for(m["released"], m["facenet"])
    face_pool = nn.AdaptiveAvgPool2d((256, 256))
    with torch.no_grad():
        codes, features = encode_per_image(m["encoder"], x)
    codes = codes + m["latent_avg"].repeat(x.shape[0], 1, 1)
    y_hat = face_pool(m["decoder"](codes, features=features, input_is_latent=True, randomize_noise=False, beta=1.0))
    loss_id = id_loss(y_hat, y, x, multi=True)
    loss = loss_id * LAMBDA["id"]
    loss_l2 = F.mse_loss(y, y_hat)
    loss += loss_l2 * LAMBDA["l2"]
    loss_lpips = m["lpips"](y_hat, y)
    loss += loss_lpips * LAMBDA["lpips"]
    smart = dict(m["decoder"].smart_block.named_parameters())
    names = list(smart)
    grads = torch.autograd.grad(loss, [smart[p] for p in names])
    out = {"stage2.loss": loss, "stage2.loss_id": loss_id, "stage2.loss_l2": loss_l2, "stage2.loss_lpips": loss_lpips}
    out.update({f"stage2.grad.{p}": g for p, g in zip(names, grads)})
    return out, names


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    released = perceptual.import_released(perceptual.DEFAULT_REPO)
    with tempfile.TemporaryDirectory() as tmp:
        sg_model, sgg, swin = prompter.import_released(prompter.export_mirror(tmp))
        models = load_models(sg_model, sgg, swin, released)
        models64 = as_double(models)
        g = torch.Generator().manual_seed(4201)
        images_base = torch.tanh(1.5 * F.interpolate(torch.randn(2, 3, 8, 8, generator=g), size=64, mode="bicubic",
                                                      align_corners=False) + 0.3 * torch.randn(2, 3, 64, 64, generator=g))
        x = blocky(images_base, 4).contiguous()
        out32 = stage1(models, x)
        out64 = stage1(models64, x.double())
        o32, smart_params = stage2(models, x)
        o64, _ = stage2(models64, x.double())
        out32.update(o32)
        out64.update(o64)
    gap = {k: relative_error(out32[k], out64[k]) for k in out32}
    tensors = {"images_base": images_base, **{k: v.detach().float() for k, v in out32.items()}}
    notes = ("eval mode (no drop-path / dropout), stored noise, encoder per image; stage-1 align broadcasts the "
             "[10,64] latent_avg; gradients of the summed loss")
    meta = {"gap": json.dumps(gap), "encoder_params": json.dumps(ENCODER_PARAMS),
            "smart_params": json.dumps(smart_params), "notes": notes, "lambdas": json.dumps(LAMBDA),
            "stylePrompter_commit": prompter.repo_commit(prompter.MIRROR),
            "generator": f"Scripts/make_training_fixtures.py, torch {torch.__version__}"}
    write_safetensors(OUT, tensors, meta)
    print(f"{OUT}: {OUT.stat().st_size} bytes")
    for k in sorted(tensors):
        v = tensors[k]
        extra = f"value {v.item():.6g}" if v.dim() == 0 else ""
        print(f"  {k:60s} {str(list(v.shape)):16s} gap {gap.get(k, float('nan')):.2e} {extra}")


if __name__ == "__main__":
    main()
