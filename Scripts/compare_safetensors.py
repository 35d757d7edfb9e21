#!/usr/bin/env python3
"""Largest absolute difference between the float32 tensors of two .safetensors files (standard
library only, for CI): prints `max_abs_diff KEY VALUE` and exits 1 when it exceeds BOUND, or
when the files hold different keys or shapes.

    Scripts/compare_safetensors.py A.safetensors B.safetensors BOUND [--prefix P]
"""
import json, struct, sys
from array import array


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    header.pop("__metadata__", None)
    base = 8 + length
    tensors = {}
    for key, info in header.items():
        start, end = info["data_offsets"]
        raw = data[base + start:base + end]
        if info["dtype"] == "F32":
            values = array("f")
            values.frombytes(raw)
            if sys.byteorder != "little":
                values.byteswap()
            tensors[key] = (info["shape"], values)
        else:
            tensors[key] = (info["shape"], raw)
    return tensors


def main():
    a, b, bound = read(sys.argv[1]), read(sys.argv[2]), float(sys.argv[3])
    prefix = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--prefix" else ""
    keys_a = {k for k in a if k.startswith(prefix)}
    keys_b = {k for k in b if k.startswith(prefix)}
    if keys_a != keys_b:
        print(f"different keys: {sorted(keys_a ^ keys_b)[:5]}")
        return 1
    worst, worst_key = 0.0, ""
    for key in sorted(keys_a):
        (shape_a, va), (shape_b, vb) = a[key], b[key]
        if shape_a != shape_b:
            print(f"{key}: shapes {shape_a} and {shape_b}")
            return 1
        if isinstance(va, bytes):
            if va != vb:
                print(f"{key}: different bytes")
                return 1
            continue
        diff = max((abs(x - y) for x, y in zip(va, vb)), default=0.0)
        if diff != diff:  # NaN
            diff = float("inf")
        if diff > worst:
            worst, worst_key = diff, key
    print(f"max_abs_diff {worst_key or '-'} {worst:.3g}")
    return 0 if worst <= bound else 1


if __name__ == "__main__":
    sys.exit(main())
