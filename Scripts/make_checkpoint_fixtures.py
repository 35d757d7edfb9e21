#!/usr/bin/env python3
"""Writes the small fixtures the Checkpoints tests compare against.

Run from the repository root with the project's PyTorch CPU environment:

    .venv/bin/python Scripts/make_checkpoint_fixtures.py
    (in a worktree without its own .venv: /work/main/.venv/bin/python Scripts/make_checkpoint_fixtures.py)

Outputs go to Tests/CheckpointsTests/Fixtures/ (committed, kept well under 300 KB):

* torch_zip_mixed.pt      torch.save zip (folder "torch_zip_mixed/"): float32/16/bfloat16/64, int64,
                          bool, 0-d and empty tensors, a Parameter, views sharing one storage
                          (a transposed slice, a row at an offset), nested dict/OrderedDict/list/tuple
                          and plain Python values.
* torch_zip_protocol4.pt  the same kind of data through pickle protocol 4 (FRAME, MEMOIZE,
                          STACK_GLOBAL), saved via a buffer so the folder is "archive/".
* torch_legacy.pt         _use_new_zipfile_serialization=False (the pre-1.6 stream format).
* npy_*.npy               .npy format versions 1.0/2.0/3.0, every supported dtype, big-endian
                          and Fortran-ordered arrays, object arrays (0-d dict and 1-d list).
* hand.safetensors        written by hand following the safetensors spec (no package needed).
* pickle_protocol{0..5}.pkl  the same plain-Python object in every pickle protocol.
* evil_zip.pt, evil_legacy.pt, evil_object.npy, evil_protocol4.pkl
                          hostile pickles naming posix.system / builtins.eval.
* expected.json           for every fixture: flattened keys, dtype, shape, values, FNV-1a hashes.
* real_data_expected.json the same (hash, sum, samples) for the files in ../shared/data, which are
                          not copied into the repository.

Flattening follows the Swift `StateDict`: dict keys (str or int) join with ".", list and tuple
items contribute their index, a 0-d object array contributes its element, a bare tensor is
"tensor"; other leaves are listed as skipped.
"""
import collections
import io
import json
import os
import pickle
import struct
import zipfile

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "CheckpointsTests", "Fixtures")
DATA = os.path.join(os.path.dirname(ROOT), "shared", "data")

DTYPE_NAMES = {
    torch.float64: "float64", torch.float32: "float32", torch.float16: "float16",
    torch.bfloat16: "bfloat16", torch.int64: "int64", torch.int32: "int32", torch.int16: "int16",
    torch.int8: "int8", torch.uint8: "uint8", torch.bool: "bool",
}
NUMPY_NAMES = {"f8": "float64", "f4": "float32", "f2": "float16", "i8": "int64", "i4": "int32",
               "i2": "int16", "i1": "int8", "u1": "uint8", "b1": "bool"}


def fnv1a64(data: bytes) -> str:
    value = 0xCBF29CE484222325
    for byte in data:
        value ^= byte
        value = (value * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % value


def as_numpy(value):
    """(dtype name, C-contiguous little-endian bytes, values as Python numbers) of a tensor/array."""
    if isinstance(value, torch.Tensor):
        t = value.detach().contiguous()
        name = DTYPE_NAMES[t.dtype]
        if t.dtype == torch.bfloat16:
            raw = t.view(torch.int16).numpy().tobytes()
            numbers = t.float().numpy()
        else:
            raw = t.numpy().tobytes()
            numbers = t.numpy()
        return name, list(t.shape), raw, numbers
    # astype copies into C order; ascontiguousarray would turn a 0-d array into shape (1,).
    a = np.asarray(value)
    a = a.astype(a.dtype.newbyteorder("<"), order="C")
    return NUMPY_NAMES[a.dtype.str[1:]], list(a.shape), a.tobytes(), a


def describe(key, value, full):
    dtype, shape, raw, numbers = as_numpy(value)
    flat = numbers.reshape(-1)
    entry = {"key": key, "dtype": dtype, "shape": shape, "fnv1a64": fnv1a64(raw)}
    if dtype in ("int64", "int32", "int16", "int8", "uint8", "bool"):
        as_list = [int(x) for x in flat]
    else:
        as_list = [float(x) for x in flat.astype(np.float64)]
    if full:
        entry["values"] = as_list
    else:
        # Sequential float64 sum (np.cumsum adds left to right, as the Swift test does).
        entry["sum"] = float(np.cumsum(flat.astype(np.float64))[-1]) if flat.size else 0.0
        step = max(1, flat.size // 16)
        entry["samples"] = [[i, as_list[i]] for i in range(0, flat.size, step)] + [[flat.size - 1, as_list[-1]]]
    return entry


def flatten(value, key, out, skipped):
    if isinstance(value, np.generic) and not isinstance(value, np.object_):  # numpy scalar: a 0-d array
        value = np.asarray(value)
    if isinstance(value, (torch.Tensor, np.ndarray)) and not (isinstance(value, np.ndarray) and value.dtype == object):
        out.append((key or "tensor", value))
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, (str, int)) and not isinstance(k, bool):
                flatten(v, f"{key}.{k}" if key else str(k), out, skipped)
            else:
                skipped.append(f"{key}.<{k}>" if key else f"<{k}>")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            flatten(v, f"{key}.{i}" if key else str(i), out, skipped)
    elif isinstance(value, np.ndarray):  # object array
        if value.shape == ():
            flatten(value[()], key, out, skipped)
        else:
            for i, v in enumerate(value.reshape(-1)):
                flatten(v, f"{key}.{i}" if key else str(i), out, skipped)
    else:
        skipped.append(key or "tensor")


def expectation(value, full=True):
    tensors, skipped = [], []
    flatten(value, "", tensors, skipped)
    return {"tensors": [describe(k, v, full) for k, v in tensors], "skipped": skipped}


def write_bytes(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def mixed_object(generator):
    base = torch.randn(4, 5, generator=generator)
    param = torch.nn.Parameter(torch.randn(3, generator=generator))
    # Python attributes make torch pickle through _rebuild_from_type_v2 / _rebuild_parameter_with_state.
    tagged = torch.randn(2, generator=generator)
    tagged.note = "attribute"
    tagged_param = torch.nn.Parameter(torch.randn(2, generator=generator))
    tagged_param.extra = 3
    return {
        "tagged": tagged,
        "tagged_param": tagged_param,
        "f32": torch.randn(3, 4, generator=generator),
        "f16": torch.randn(2, 3, generator=generator).half(),
        "bf16": torch.randn(5, generator=generator).bfloat16(),
        "f64": torch.randn(2, 2, generator=generator, dtype=torch.float64),
        "i64": torch.tensor([0, -5, 2**40, -(2**62), 7]),
        "flags": torch.tensor([True, False, True, True]),
        "scalar": torch.tensor(3.25),
        "empty": torch.zeros(0, 4),
        "param": param,
        "base": base,
        "transposed_slice": base[1:3, 1:4].t(),  # non-contiguous view sharing base's storage
        "row": base[2],  # contiguous view at a storage offset
        "nested": collections.OrderedDict([
            ("a", {"b": torch.arange(6, dtype=torch.float32).reshape(2, 3)}),
            ("list", [torch.ones(2), 1, "x"]),
            ("tuple", (torch.full((1,), -2.5), 2.5, None, True)),
        ]),
        "int": 7, "float": 1.5, "text": "hello", "nothing": None, "raw": b"\x00\x01",
    }


def make_torch():
    generator = torch.Generator().manual_seed(1234)
    obj = mixed_object(generator)
    torch.save(obj, os.path.join(OUT, "torch_zip_mixed.pt"))
    expected = {"torch_zip_mixed.pt": expectation(obj)}

    buffer = io.BytesIO()
    obj4 = {"weight": torch.randn(2, 3, generator=generator), "steps": [1, 2],
            "half": torch.randn(4, generator=generator).half()}
    torch.save(obj4, buffer, pickle_protocol=4)
    write_bytes("torch_zip_protocol4.pt", buffer.getvalue())
    expected["torch_zip_protocol4.pt"] = expectation(obj4)

    model = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=generator))
    base = torch.randn(3, 4, generator=generator, dtype=torch.float64)
    legacy = {"state_dict": model.state_dict(), "epoch": 3, "half": torch.randn(3, generator=generator).half(),
              "view": base[:, 1:3].t(), "base": base, "ids": torch.tensor([1, 2, 3], dtype=torch.int32)}
    torch.save(legacy, os.path.join(OUT, "torch_legacy.pt"), _use_new_zipfile_serialization=False)
    expected["torch_legacy.pt"] = expectation(legacy)
    return expected


def make_numpy():
    rng = np.random.default_rng(7)
    expected = {}

    def save(name, array, version=None):
        path = os.path.join(OUT, name)
        if version is None:
            np.save(path, array, allow_pickle=True)
        else:
            with open(path, "wb") as f:
                np.lib.format.write_array(f, array, version=version, allow_pickle=True)
        expected[name] = expectation(array if array.dtype != object else array)

    save("npy_v1_f4.npy", rng.standard_normal((3, 4)).astype(np.float32))
    save("npy_v2_f8.npy", rng.standard_normal((2, 3)), version=(2, 0))
    save("npy_v3_i8.npy", np.array([1, -2, 2**50, -(2**60)], dtype=np.int64), version=(3, 0))
    save("npy_i4.npy", np.array([[1, -2], [3, 2**31 - 1]], dtype=np.int32))
    save("npy_i2.npy", np.array([-32768, 5, 32767], dtype=np.int16))
    save("npy_i1.npy", np.array([-128, 0, 127], dtype=np.int8))
    save("npy_u1.npy", np.array([0, 200, 255], dtype=np.uint8))
    save("npy_b1.npy", np.array([True, False, True]))
    save("npy_f2.npy", rng.standard_normal(5).astype(np.float16))
    save("npy_scalar_f4.npy", np.array(2.5, dtype=np.float32))
    save("npy_be_f4.npy", rng.standard_normal((2, 2)).astype(">f4"))
    save("npy_be_i8.npy", np.array([1, -2, 3], dtype=">i8"))
    save("npy_fortran_f4.npy", np.asfortranarray(rng.standard_normal((2, 3, 4)).astype(np.float32)))

    holder = np.empty((), dtype=object)
    holder[()] = {"w": rng.standard_normal((2, 3)).astype(np.float32), "b": np.array([1, 2], dtype=np.int64),
                  "name": "layer", "n": 3, "f64": np.float64(0.5)}
    save("npy_object_dict.npy", holder)
    items = np.empty(3, dtype=object)
    items[0], items[1], items[2] = np.arange(3, dtype=np.float32), "two", None
    save("npy_object_list.npy", items)
    # What Swift's NumpyFile.write must reproduce byte for byte.
    save("npy_write_reference.npy", np.arange(12, dtype=np.float32).reshape(3, 4) / 8)
    return expected


def make_safetensors():
    rng = np.random.default_rng(11)
    tensors = [
        ("weight", "F32", rng.standard_normal((2, 3)).astype(np.float32)),
        ("half", "F16", rng.standard_normal(4).astype(np.float16)),
        ("brain", "BF16", torch.randn(3, generator=torch.Generator().manual_seed(5)).bfloat16()),
        ("index", "I64", np.array([3, -1], dtype=np.int64)),
        ("mask", "BOOL", np.array([True, False, False])),
        ("scalar", "F64", np.array(0.125, dtype=np.float64)),
    ]
    header = {"__metadata__": {"format": "pt", "source": "hand"}}
    blobs, offset = [], 0
    for name, dtype, value in tensors:
        raw = as_numpy(value)[2]
        header[name] = {"dtype": dtype, "shape": list(value.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    write_bytes("hand.safetensors", struct.pack("<Q", len(text)) + text + b"".join(blobs))
    return {"hand.safetensors": {"tensors": [describe(n, v, True) for n, _, v in tensors], "skipped": [],
                                 "metadata": header["__metadata__"]}}


def make_pickles():
    shared = [1]
    obj = {"int": 7, "neg": -300, "big": 2**70, "negbig": -(2**65), "i32": 2**31 - 1, "i64": -(2**62),
           "float": 1.25, "text": "h\u00e9llo \u2603", "raw": b"\x00\xffab", "list": [1, [2, 3], ()],
           "t1": (1,), "t2": (1, 2), "t3": (1, 2, 3), "t4": (1, 2, 3, 4), "none": None, "yes": True,
           "no": False, "set": {1, 2}, "frozen": frozenset({4}), "s1": shared, "s2": shared,
           "od": collections.OrderedDict([("b", 1), ("a", 2)]), (1, 2): "tuple key", 3: "int key"}
    for protocol in range(6):
        write_bytes(f"pickle_protocol{protocol}.pkl", pickle.dumps(obj, protocol=protocol))


def make_evil():
    evil = b"\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03."
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("evil/data.pkl", evil)
        archive.writestr("evil/version", "3\n")
    write_bytes("evil_zip.pt", buffer.getvalue())
    header = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2) + pickle.dumps(1001, protocol=2)
    header += pickle.dumps({"protocol_version": 1001, "little_endian": True}, protocol=2)
    write_bytes("evil_legacy.pt", header + evil)
    npy = io.BytesIO()
    np.lib.format.write_array_header_1_0(npy, {"descr": "|O", "fortran_order": False, "shape": ()})
    write_bytes("evil_object.npy", npy.getvalue() + b"\x80\x02cbuiltins\neval\nX\x04\x00\x00\x001+1\x85R.")
    write_bytes("evil_protocol4.pkl",
                b"\x80\x04\x95\x1c\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x8c\x06system\x93\x8c\x02id\x85R.")


def make_real():
    if not os.path.isdir(DATA):
        print("no", DATA, "- skipping real_data_expected.json")
        return
    expected = {}
    for folder, name in [("directions", "interfacegan_age.pt"), ("directions", "interfacegan_smile.pt"),
                         ("directions", "interfacegan_pose.pt"), ("directions", "ganspace_ffhq_pca.pt"),
                         ("directions", "wplus_Smiling.npy"), ("directions", "flat_Heavy_Makeup.npy"),
                         ("lpips", "v0.1_alex.pth"), ("lpips", "v0.1_vgg.pth"),
                         ("mtcnn", "pnet.npy"), ("mtcnn", "rnet.npy"), ("mtcnn", "onet.npy")]:
        path = os.path.join(DATA, folder, name)
        if name.endswith(".npy"):
            value = np.load(path, allow_pickle=True)
        else:
            value = torch.load(path, map_location="cpu", weights_only=True)
        expected[f"{folder}/{name}"] = expectation(value, full=False)
    with open(os.path.join(OUT, "real_data_expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    expected.update(make_torch())
    expected.update(make_numpy())
    expected.update(make_safetensors())
    make_pickles()
    make_evil()
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))
    make_real()


if __name__ == "__main__":
    main()
