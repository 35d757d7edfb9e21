"""Writes Tests/HostileCorpus: small files crafted the way a hostile user would, one per case of
issue 9 that needs PyTorch or byte-level crafting. Cases that are easier to build from our own
fixtures (model metadata, NaN weights, huge safetensors headers) are made in the Swift tests.

    /work/main/.venv/bin/python Scripts/make_hostile_corpus.py

Every file must give a one-line error (or, where noted, load within bounded memory); the
regression tests say which.
"""
import json
import os
import struct

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "HostileCorpus")


def path(name):
    return os.path.join(OUT, name)


def npy(name, header, payload=b""):
    """A version-1 .npy with the given header text, padded like numpy's."""
    text = header
    total = 10 + len(text) + 1
    text += " " * ((64 - total % 64) % 64) + "\n"
    with open(path(name), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin-1") + payload)


def safetensors(name, tensors, metadata=None):
    """tensors: list of (key, dtype, shape, bytes)."""
    header, offset, data = {}, 0, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for key, dtype, shape, raw in tensors:
        header[key] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        data += raw
    text = json.dumps(header).encode()
    with open(path(name), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def legacy_many_storages(name, count, elements):
    """The legacy stream by hand (magic, protocol, sys_info, main pickle, keys, storages), with
    every storage key a distinct persistent id claiming `elements` float32 values."""
    import io
    import pickle

    class Storage:
        def __init__(self, key):
            self.key = key

    class Writer(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, Storage):
                return ("storage", torch.FloatStorage, obj.key, "cpu", elements, None)
            return None

    stream = io.BytesIO()
    for header in (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001, "little_endian": True,
                                                    "type_sizes": {"short": 2, "int": 4, "long": 4}}):
        pickle.dump(header, stream, protocol=2)
    keys = [str(i) for i in range(count)]
    Writer(stream, protocol=2).dump([Storage(key) for key in keys])
    pickle.dump(keys, stream, protocol=2)
    stream.write(struct.pack("<q", elements) + b"\0" * (4 * elements))  # one storage's data
    with open(path(name), "wb") as f:
        f.write(stream.getvalue())


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)

    # A.1 — 300 stride-0 views of one 64 KB storage, each 64× its size: 1.2 GB if materialised.
    base = torch.zeros(16384)
    views = {f"v{i}": base.as_strided((64, 16384), (0, 1)) for i in range(300)}
    torch.save(views, path("expanded_views.pt"))

    # A.1 — legacy format, 2,000 references to one 64 KB storage (the old reader allocated a
    # zero placeholder per reference); loads, sharing one storage.
    shared = torch.arange(16384, dtype=torch.float32)
    torch.save([shared[i % 100:i % 100 + 8] for i in range(2000)], path("legacy_shared_storage.pt"),
               _use_new_zipfile_serialization=False)

    # A.1 — a legacy file whose 50 storages each claim (nearly) the whole rest of the file:
    # each alone would fit, together they are 50 times the file.
    legacy_many_storages("legacy_many_storages.pt", count=50, elements=2048)

    # A.3 — Fortran order with a zero dimension and sizes whose product overflows.
    npy("fortran_overflow.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (0, 4611686018427387904, 4), }")
    # Shapes that are not sizes: the message must not print Swift enum cases.
    npy("negative_shape.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 3), }")

    # A.5 — control characters in keys and metadata.
    safetensors("control_characters.safetensors",
                [("evil\x1b[2J\nkey", "F32", [1], struct.pack("<f", 1.0))],
                metadata={"note\x07": "line one\nline two\x1b]0;title\x07"})

    # A.2 — a generator with 17 'to_rgbs.N.bias' keys and no metadata: inferred as 2^19 px.
    tiny = struct.pack("<f", 0.0)
    keys = [("style.1.weight", "F32", [1, 1], tiny), ("input.input", "F32", [1, 1, 4, 4], tiny * 16)]
    keys += [(f"to_rgbs.{i}.bias", "F32", [1, 3, 1, 1], tiny * 3) for i in range(17)]
    keys += [(f"convs.{2 * i}.conv.weight", "F32", [1, 1, 1, 3, 3], tiny * 9) for i in range(17)]
    safetensors("generator_17_levels.safetensors", keys)

    # A.2 — 1-D tensors where 2-D and 4-D are expected.
    safetensors("generator_rank_1.safetensors",
                [("style.1.weight", "F32", [4], tiny * 4), ("input.input", "F32", [4], tiny * 4),
                 ("to_rgbs.0.bias", "F32", [3], tiny * 3), ("convs.0.conv.weight", "F32", [4], tiny * 4)])

    # A.6 — a direction and latents holding NaN / Inf, and empty latents.
    np.save(path("direction_nan.npy"), np.full((1, 64), np.nan, dtype=np.float32))
    np.save(path("latents_inf.npy"), np.full((1, 10, 64), np.inf, dtype=np.float32))
    np.save(path("latents_empty.npy"), np.zeros((0, 10, 64), dtype=np.float32))
    torch.save({"mean": torch.zeros(1, 64), "comp": torch.randn(4, 1, 64),
                "std": torch.tensor([1.0, float("nan"), 1.0, 1.0])}, path("ganspace_nan_std.pt"))
    # A.7 — a valid GANSpace file for the fixture generator (D = 64), for `--layers 2-6`.
    torch.save({"mean": torch.zeros(1, 64), "comp": torch.randn(4, 1, 64),
                "std": torch.ones(4)}, path("ganspace_valid.pt"))


if __name__ == "__main__":
    main()
