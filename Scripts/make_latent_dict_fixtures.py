#!/usr/bin/env python3
"""Latent files as e4e and ReStyle save them, for `LatentFile.read` (generate --latents).

How to run (repository root; PyTorch CPU wheel in the ignored .venv):

    .venv/bin/python Scripts/make_latent_dict_fixtures.py

Writes to Tests/StyleGANTests/Fixtures (for the 64-px fixture generator: n = 10, D = 64):
- `latents_restyle.npy` (~16 KB): ReStyle's inference_iterative.py output, `np.save` of a dict
  {image_name: float32 [n_iters = 3, 10, 64]} (a pickled 0-d object array);
- `latents_e4e.pt`: `torch.save` of a dict {image_name: tensor} as e4e's inference saves, one
  value [10, 64] and one [1, 10, 64].
The expected W+ per image (the last iteration for ReStyle) is recomputed in the test from the
same files, so only the formats matter here.
"""
from pathlib import Path

import numpy as np
import torch

out = Path(__file__).resolve().parent.parent / "Tests" / "StyleGANTests" / "Fixtures"
rng = np.random.default_rng(9)
restyle = {name: rng.standard_normal((3, 10, 64)).astype(np.float32) for name in ["x.jpg", "y.jpg"]}
np.save(out / "latents_restyle.npy", restyle, allow_pickle=True)
torch.manual_seed(9)
torch.save({"a.jpg": torch.randn(10, 64), "b.jpg": torch.randn(1, 10, 64)}, out / "latents_e4e.pt")
print("wrote", out / "latents_restyle.npy", out / "latents_e4e.pt")
