#!/usr/bin/env python3
"""Reference edits for the StyleGAN edit-direction tests, computed the way the ecosystem does.

How to run (repository root; PyTorch CPU wheel in the ignored .venv; ../shared/data present):

    .venv/bin/python Scripts/make_edit_fixtures.py

Writes Tests/StyleGANTests/Fixtures/edits.safetensors (~230 KB):
- `latent` [1, 18, 512]: a fixed random W+ code;
- `interfacegan_age`, `interfacegan_pose`, `wplus_smiling`, `flat_makeup`: `latent + 2.5 * d` with the
  real files in ../shared/data/directions (d broadcast over the 18 rows, or reshaped to [18, 512]);
- `ganspace_54_7_8_20`: e4e's `ganspace edit` (editings/ganspace.py: the latent's coordinate on
  component 54, measured on row 0, moved to 20 standard deviations on rows 7..<8) with the real PCA;
  likewise `ganspace_0_0_5_m3` (component 0, rows 0..<5, strength -3);
- `sefa_vectors` [5, 64]: rosinality's closed_form_factorization.py on the 64-px fixture generator
  (Tests/StyleGANTests/Fixtures/g64.pt): right singular vectors of the stacked modulation weights
  (every `modulation.weight` whose key lacks `to_rgbs`), top 5; `sefa_values` [5]: the squared
  singular values (eigenvalues of WᵀW).
"""
import json
import struct

import torch

torch.manual_seed(77)
D = "../shared/data/directions/"
out = {}
latent = torch.randn(1, 18, 512)
out["latent"] = latent
age = torch.load(D + "interfacegan_age.pt", map_location="cpu")
pose = torch.load(D + "interfacegan_pose.pt", map_location="cpu")
import numpy as np
from fixture_common import write_safetensors
smiling = torch.from_numpy(np.load(D + "wplus_Smiling.npy")).float()
makeup = torch.from_numpy(np.load(D + "flat_Heavy_Makeup.npy")).float()
out["interfacegan_age"] = latent + 2.5 * age
out["interfacegan_pose"] = latent + 2.5 * pose
out["wplus_smiling"] = latent + 2.5 * smiling
out["flat_makeup"] = latent + 2.5 * makeup.reshape(18, 512)

pca = torch.load(D + "ganspace_ffhq_pca.pt", map_location="cpu")


def ganspace(latent, idx, start, end, strength):
    w_centered = latent - pca["mean"]
    lat_comp, lat_std = pca["comp"], pca["std"]
    w_coord = torch.sum(w_centered[0].reshape(-1) * lat_comp[idx].reshape(-1)) / lat_std[idx]
    delta = (strength - w_coord) * lat_comp[idx] * lat_std[idx]
    delta_padded = torch.zeros(latent.shape)
    delta_padded[start:end] += delta.repeat(end - start, 1)
    return latent + delta_padded


out["ganspace_54_7_8_20"] = ganspace(latent[0], 54, 7, 8, 20).unsqueeze(0)
out["ganspace_0_0_5_m3"] = ganspace(latent[0], 0, 0, 5, -3).unsqueeze(0)

ckpt = torch.load("Tests/StyleGANTests/Fixtures/g64.pt", map_location="cpu")
modulate = {k: v for k, v in ckpt["g_ema"].items() if "modulation" in k and "to_rgbs" not in k and "weight" in k}
W = torch.cat(list(modulate.values()), 0).double()
U, S, V = torch.svd(W)
out["sefa_vectors"] = V[:, :5].T.float()
out["sefa_values"] = (S[:5] ** 2).float()


write_safetensors("Tests/StyleGANTests/Fixtures/edits.safetensors", out, {"torch": torch.__version__, "strength": "2.5"})
print({k: list(v.shape) for k, v in out.items()})
