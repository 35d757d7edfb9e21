#!/usr/bin/env python3
"""The rows of `styleprompter-bench` in PyTorch CPU: same names, shapes, FLOP counts and timing
rule (one warm-up, then the median of at least 5 runs — 3 for the slow rows in MINIMUM_RUNS — and
~1.5 s), so Scripts/bench.sh can put the two side by side. A row made of weighted kinds (the
amortised GAN iteration: (12·plain + 3·path + 1·both)/16) times each kind so and reports
Σ weight·median / Σ weight; the GAN rows take one warm-up (before their first kind, an iteration 0)
and one timed run per kind. Each row's JSON also holds the process's peak RSS (ru_maxrss, KiB).

    python Scripts/bench_pytorch.py [--threads 2] [--rows name,name] [--json FILE]

OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on this machine; they do not affect torch (MKL /
oneDNN) but are removed before torch is imported, for a clean comparison.
"""
import argparse
import json
import os
import resource
import time

for variable in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(variable, None)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def sgemm(size, transpose_a=False, transpose_b=False):
    """op(A)·op(B); a transposed operand is stored transposed and passed as a view, as MKL takes it."""
    a, b = torch.rand(size, size) * 2 - 1, torch.rand(size, size) * 2 - 1
    a, b = (a.t() if transpose_a else a), (b.t() if transpose_b else b)
    c = torch.empty(size, size)
    return lambda: torch.mm(a, b, out=c)


def convolution(batch, cin, cout, size, groups):
    x = torch.rand(batch, cin, size, size) * 2 - 1
    w = torch.rand(cout, cin // groups, 3, 3) * 2 - 1
    b = torch.rand(cout) * 2 - 1
    return lambda: F.conv2d(x, w, b, padding=1, groups=groups)


def convolution_backward(gradient):
    """∂input or ∂weight of conv3x3_512_64 (aten's own backward kernel, as autograd runs it)."""
    x, w = torch.rand(1, 512, 64, 64) * 2 - 1, torch.rand(512, 512, 3, 3) * 2 - 1
    grad = torch.rand(1, 512, 64, 64) * 2 - 1
    mask = [gradient == "input", gradient == "weight", False]
    return lambda: torch.ops.aten.convolution_backward(grad, x, w, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1, mask)


def up_convolution():
    """StyleGAN's upsampling conv: transposed 3×3, stride 2, one group per image (4)."""
    x, w = torch.rand(1, 4 * 512, 32, 32) * 2 - 1, torch.rand(4 * 512, 512, 3, 3) * 2 - 1
    return lambda: F.conv_transpose2d(x, w, stride=2, groups=4)


def up_convolution_at(cin, cout, size):
    """StyleGAN's upsampling conv at one level, batch 1: transposed 3×3, stride 2."""
    x, w = torch.rand(1, cin, size, size) * 2 - 1, torch.rand(cin, cout, 3, 3) * 2 - 1
    return lambda: F.conv_transpose2d(x, w, stride=2)


def attention(heads, tokens, d):
    q, k, v = (torch.rand(heads, tokens, d) * 2 - 1 for _ in range(3))
    return lambda: torch.bmm(torch.softmax(torch.bmm(q, k.transpose(1, 2)), dim=-1), v)


def layer_norm(rows, columns):
    x = torch.rand(rows, columns) * 2 - 1
    w, b = torch.rand(columns), torch.rand(columns)
    return lambda: F.layer_norm(x, (columns,), w, b, 1e-5)


def conv_flops(batch, cin, cout, size, groups):
    return 2.0 * batch * cout * size * size * (cin // groups) * 9


# name -> (prepare, flops); keep in step with Sources/Benchmarks/BenchmarkRow.swift.
ROWS = {
    "sgemm1024": (lambda: sgemm(1024), 2.0 * 1024**3),
    "sgemm4096": (lambda: sgemm(4096), 2.0 * 4096**3),
    "sgemm1024_nt": (lambda: sgemm(1024, transpose_b=True), 2.0 * 1024**3),
    "sgemm1024_tn": (lambda: sgemm(1024, transpose_a=True), 2.0 * 1024**3),
    "sgemm1024_tt": (lambda: sgemm(1024, True, True), 2.0 * 1024**3),
    "conv3x3_512_64": (lambda: convolution(1, 512, 512, 64, 1), conv_flops(1, 512, 512, 64, 1)),
    "conv3x3_64_56_b4": (lambda: convolution(4, 64, 64, 56, 1), conv_flops(4, 64, 64, 56, 1)),
    "conv3x3_256_4_b32": (lambda: convolution(32, 256, 256, 4, 1), conv_flops(32, 256, 256, 4, 1)),
    "conv3x3_256_8_b32": (lambda: convolution(32, 256, 256, 8, 1), conv_flops(32, 256, 256, 8, 1)),
    "conv3x3_128_16_b32": (lambda: convolution(32, 128, 128, 16, 1), conv_flops(32, 128, 128, 16, 1)),
    "conv3x3_32_1024": (lambda: convolution(1, 32, 32, 1024, 1), conv_flops(1, 32, 32, 1024, 1)),
    "upconv_64_512": (lambda: up_convolution_at(64, 32, 512), 2.0 * 64 * 512 * 512 * 32 * 9),
    "modconv_b4_64": (lambda: convolution(1, 4 * 512, 4 * 512, 64, 4), conv_flops(1, 4 * 512, 4 * 512, 64, 4)),
    "conv3x3_512_64_dinput": (lambda: convolution_backward("input"), conv_flops(1, 512, 512, 64, 1)),
    "conv3x3_512_64_dweight": (lambda: convolution_backward("weight"), conv_flops(1, 512, 512, 64, 1)),
    "upconv_b4_32": (up_convolution, 2.0 * 4 * 512 * 32 * 32 * 512 * 9),
    "attention": (lambda: attention(48, 256, 32), 2.0 * 2 * 48 * 256 * 256 * 32),
    "layernorm": (lambda: layer_norm(64 * 64, 96), 0.0),
}


# Whole-model rows (generator, encoder, inversion, training step) live beside this file.
from bench_pytorch_models import MINIMUM_RUNS, SHARED_WARM_UP, model_rows  # noqa: E402

ROWS.update(model_rows())


def measure(work, minimum_runs=5, warm_up=True):
    if warm_up:
        work()
    times = []
    start = time.perf_counter()
    while len(times) < minimum_runs or (time.perf_counter() - start < 1.5 and len(times) < 200):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2], times[0], len(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rows", default=None, help="comma-separated row names (default: all)")
    parser.add_argument("--json", default=None, help="write results here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    selected = args.rows.split(",") if args.rows else list(ROWS)
    unknown = [name for name in selected if name not in ROWS]
    if unknown:
        parser.error(f"unknown rows: {', '.join(unknown)} (known: {', '.join(ROWS)})")
    print(f"pytorch {torch.__version__}, {args.threads} thread(s)")
    print("row                        seconds      GFLOP/s  runs  peak RSS")
    results = []
    with torch.inference_mode():
        for name in selected:
            prepare, flops = ROWS[name]
            prepared = prepare()
            kinds = prepared if isinstance(prepared, list) else [(name, 1, prepared)]
            total = sum(weight for _, weight, _ in kinds)
            seconds = best = 0.0
            runs = 0
            parts = []
            for k, (label, weight, work) in enumerate(kinds):
                median, fastest, count = measure(work, MINIMUM_RUNS.get(name, 5),
                                                 warm_up=k == 0 or name not in SHARED_WARM_UP)
                seconds += weight * median / total
                best += weight * fastest / total
                runs += count
                parts.append({"label": label, "weight": weight, "seconds": median, "best_seconds": fastest,
                              "runs": count})
                if len(kinds) > 1:
                    print(f"  {label:<22} {median:10.5f} {count:18d}  weight {weight}/{total}")
            gflops = flops / seconds / 1e9 if flops else 0.0
            # ru_maxrss is KiB on Linux; bench.sh runs each row in its own process.
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print(f"{name:<24} {seconds:10.5f} {gflops:12.1f} {runs:5d} {peak / 1048576:7.2f} GiB")
            result = {"name": name, "seconds": seconds, "best_seconds": best, "gflops": gflops, "flops": flops,
                      "runs": runs, "peak_rss_kib": peak}
            if len(kinds) > 1:
                result["kinds"] = parts
            results.append(result)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"implementation": "pytorch", "version": torch.__version__, "threads": args.threads,
                       "rows": results}, f, indent=2)


if __name__ == "__main__":
    main()
