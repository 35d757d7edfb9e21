#!/usr/bin/env python3
"""The PyTorch side of Scripts/bench_commands.sh: whole jobs, process start to files written.

  make-checkpoints DIR       writes DIR/g1024.pt (rosinality layout {'g_ema', 'latent_avg'}),
                             DIR/w1.npy (one W+ [1, 18, 512]) and DIR/stylePrompter_full.pt (the
                             released layout: Swin-V2-T encoder, SGGenerator 1024 px, SMART at layer
                             4), seeded random weights of the real shapes (no pretrained weights
                             exist offline; speed does not depend on the values)
  generate CKPT W.npy OUT    rosinality's Generator (the CPU paths of its ops) loads g_ema, decodes the
                             W+ rows with the stored noise, writes OUT/latent0000.png (PIL)
  invert RELEASED CKPT PHOTO OUT
                             the released code's inference_single.py job on the CPU: the released
                             SwinEncoder and SGGenerator load the checkpoint, the photo goes through
                             its transform (resize 256, normalise), codes + latent_avg → SGGenerator
                             with SMART (beta 1), the image written as PNG (PIL) and the codes as .npy

RELEASED is a folder holding the released models/ (bench_commands.sh exports it from the library's
mirror once, outside the timing). Threads: torch.set_num_threads($THREADS, default 2).
"""
import os
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
torch.set_num_threads(int(os.environ.get("THREADS", "2")))


def to_png(image, path):
    from PIL import Image
    array = ((image.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(1, 2, 0).numpy()
    Image.fromarray(array).save(path)


def make_checkpoints(folder):
    import tempfile
    import make_stylegan_fixtures as sg
    import make_stylePrompter_fixtures as sp
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    g = sg.build_generator(sg.FULL_CONFIG).eval()
    with torch.no_grad():
        average = g.style(torch.randn(4096, 512)).mean(0)
        w = g.style(torch.randn(1, 512)).unsqueeze(1).repeat(1, 18, 1)
    torch.save({"g_ema": g.state_dict(), "latent_avg": average}, folder / "g1024.pt")
    np.save(folder / "w1.npy", w.numpy())

    class Saved(Exception):
        pass
    save = sp.torch_save

    def save_and_stop(obj, path):      # full_fixtures' checkpoint only, not its float64 run
        save(obj, path)
        raise Saved
    sp.LARGE, sp.torch_save = folder, save_and_stop
    with tempfile.TemporaryDirectory() as tmp:
        try:
            sp.full_fixtures(*sp.import_released(sp.export_mirror(tmp)), "mirror", True)
        except Saved:
            pass
    print(f"wrote {folder}/g1024.pt, w1.npy, stylePrompter_full.pt")


def generate(checkpoint, latents, out):
    import make_stylegan_fixtures as sg
    g = sg.build_generator(sg.FULL_CONFIG).eval()
    g.load_state_dict(torch.load(checkpoint, map_location="cpu", weights_only=True)["g_ema"])
    w = torch.from_numpy(np.load(latents))
    os.makedirs(out, exist_ok=True)
    with torch.no_grad():
        for i in range(w.shape[0]):
            image, _ = g([w[i:i + 1]], input_is_latent=True, randomize_noise=False)
            to_png(image[0], os.path.join(out, f"latent{i:04d}.png"))


def invert(released, checkpoint, photo, out):
    from PIL import Image
    import make_stylePrompter_fixtures as sp
    _, sgg, swin = sp.import_released(released)
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    encoder = swin.SwinEncoder(tokens_num=18, img_size=256, window_size=16).eval()
    decoder = sgg.SGGenerator(n_latent=18, refined_layer=4, output_size=1024).eval()
    weights = state["state_dict"]
    encoder.load_state_dict({k[len("encoder.module."):]: v for k, v in weights.items() if k.startswith("encoder.module.")})
    decoder.load_state_dict({k[len("decoder.module."):]: v for k, v in weights.items() if k.startswith("decoder.module.")})
    image = Image.open(photo).convert("RGB").resize((256, 256), Image.BILINEAR)
    x = torch.from_numpy(np.asarray(image, dtype=np.float32) / 127.5 - 1).permute(2, 0, 1).unsqueeze(0)
    with torch.no_grad():
        codes, features = encoder(x)
        codes = codes + state["latent_avg"].repeat(codes.shape[0], 1, 1)
        result = decoder(codes, features=features, input_is_latent=True, randomize_noise=False, beta=(1, 1))
        result = result[0] if isinstance(result, (tuple, list)) else result
    os.makedirs(out, exist_ok=True)
    to_png(result[0], os.path.join(out, Path(photo).stem + ".png"))
    np.save(os.path.join(out, "latents.npy"), codes.numpy())


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    {"make-checkpoints": make_checkpoints, "generate": generate, "invert": invert}[command](*arguments)
