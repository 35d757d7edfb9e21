"""Pieces every fixture script shares: the float32 safetensors writer the Swift tests read
(Tests/TestSupport/FixtureFile.swift), the relative error they report, and rosinality's
pure-PyTorch upfirdn2d / fused leaky ReLU (what its CUDA ops compute, and what it runs on CPU).
"""
import json
import struct
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F


def write_safetensors(path, tensors, metadata, sort_header=False):
    """float32 safetensors by hand (8-byte little-endian header length, JSON header with dtype,
    shape and data_offsets, keys sorted, header padded with spaces to keep the data 8-byte
    aligned), written to a temporary name and renamed into place. `sort_header` also sorts the
    JSON header itself (`__metadata__` among the keys)."""
    path = Path(path)
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for key in sorted(tensors):
        value = tensors[key]
        array = value.detach().cpu().numpy() if torch.is_tensor(value) else value
        data = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[key] = {"dtype": "F32", "shape": list(np.shape(array)), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header, separators=(",", ":"), sort_keys=sort_header).encode()
    encoded += b" " * (-len(encoded) % 8)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)
    temporary.replace(path)


def relative_error(a, b):
    """‖a − b‖₂ / ‖b‖₂ in double (absolute when b is zero)."""
    a = a.detach().double()
    b = b.detach().double()
    d = b.norm().item()
    return (a - b).norm().item() / d if d > 0 else (a - b).norm().item()


def upfirdn2d_native(input, kernel, up_x, up_y, down_x, down_y, pad_x0, pad_x1, pad_y0, pad_y1):
    """rosinality/stylegan2-pytorch `op/upfirdn2d.py`, pure PyTorch: upsample by zero insertion,
    pad (negative = crop), convolve with the kernel (correlate with it flipped), keep every
    down-th sample."""
    _, channel, in_h, in_w = input.shape
    x = input.reshape(-1, in_h, in_w, 1)
    minor = 1
    kernel_h, kernel_w = kernel.shape
    x = x.view(-1, in_h, 1, in_w, 1, minor)
    x = F.pad(x, [0, 0, 0, up_x - 1, 0, 0, 0, up_y - 1])
    x = x.view(-1, in_h * up_y, in_w * up_x, minor)
    x = F.pad(x, [0, 0, max(pad_x0, 0), max(pad_x1, 0), max(pad_y0, 0), max(pad_y1, 0)])
    x = x[:, max(-pad_y0, 0): x.shape[1] - max(-pad_y1, 0), max(-pad_x0, 0): x.shape[2] - max(-pad_x1, 0), :]
    x = x.permute(0, 3, 1, 2).reshape([-1, 1, in_h * up_y + pad_y0 + pad_y1, in_w * up_x + pad_x0 + pad_x1])
    w = torch.flip(kernel, [0, 1]).view(1, 1, kernel_h, kernel_w)
    x = F.conv2d(x, w)
    x = x.reshape(-1, minor, in_h * up_y + pad_y0 + pad_y1 - kernel_h + 1, in_w * up_x + pad_x0 + pad_x1 - kernel_w + 1)
    x = x.permute(0, 2, 3, 1)[:, ::down_y, ::down_x, :]
    out_h = (in_h * up_y + pad_y0 + pad_y1 - kernel_h + down_y) // down_y
    out_w = (in_w * up_x + pad_x0 + pad_x1 - kernel_w + down_x) // down_x
    return x.reshape(-1, channel, out_h, out_w)


def upfirdn2d(input, kernel, up=1, down=1, pad=(0, 0)):
    """rosinality's wrapper: scalar up/down for both axes, a 2-tuple pad for both axes."""
    return upfirdn2d_native(input, kernel, up, up, down, down, pad[0], pad[1], pad[0], pad[1])
