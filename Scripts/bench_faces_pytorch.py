"""Speed of face detection and alignment in Python on a 12-megapixel photo, for the README's
"Faces in the wild" table. Run on 2 threads:

    FACES_SPEED=1 FACES_SPEED_WRITE=/tmp/twelve.png swift test -c release --filter '^FacesTests.SpeedTests'
    FACENET=/path/to/unpacked/facenet_pytorch_wheel PSP=/path/to/pixel2style2pixel \
        /work/main/.venv/bin/python Scripts/bench_faces_pytorch.py /tmp/twelve.png

The photo is the one the Swift speed test builds (4000×3000, one face ≈ 1,300 px). facenet-pytorch
2.6.0 is used from its unpacked wheel (`pip download facenet-pytorch`; nothing installed); its
only torchvision need, `batched_nms`, is replaced by a plain-torch NMS (a few boxes; negligible).
"""
import os
import sys
import time
import types
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_faces_fixtures as fixtures  # noqa: E402


def plain_batched_nms(boxes, scores, idxs, threshold):
    """torchvision.ops.batched_nms without torchvision: offset boxes per class, greedy NMS."""
    if boxes.numel() == 0:
        return torch.empty((0,), dtype=torch.int64)
    offsets = idxs.to(boxes) * (boxes.max() + 1)
    b = boxes + offsets[:, None]
    order = scores.argsort(descending=True)
    keep = []
    area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    while order.numel() > 0:
        i = order[0]
        keep.append(i)
        if order.numel() == 1:
            break
        rest = order[1:]
        w = (torch.minimum(b[i, 2], b[rest, 2]) - torch.maximum(b[i, 0], b[rest, 0])).clamp(min=0)
        h = (torch.minimum(b[i, 3], b[rest, 3]) - torch.maximum(b[i, 1], b[rest, 1])).clamp(min=0)
        iou = w * h / (area[i] + area[rest] - w * h)
        order = rest[iou <= threshold]
    return torch.stack(keep)


def load_facenet_mtcnn():
    """facenet_pytorch.models.mtcnn without the package's __init__ (which pulls in requests and
    the recognition model) and with torchvision replaced by the two names it uses."""
    folder = Path(os.environ.get("FACENET", "/tmp/fnp/x")) / "facenet_pytorch"
    vision, ops, boxes, transforms = (types.ModuleType(n) for n in ("torchvision", "torchvision.ops", "torchvision.ops.boxes", "torchvision.transforms"))
    boxes.batched_nms = plain_batched_nms
    transforms.functional = types.ModuleType("torchvision.transforms.functional")
    sys.modules.update({"torchvision": vision, "torchvision.ops": ops, "torchvision.ops.boxes": boxes,
                        "torchvision.transforms": transforms, "torchvision.transforms.functional": transforms.functional})
    for name, path in (("facenet_pytorch", folder), ("facenet_pytorch.models", folder / "models"),
                       ("facenet_pytorch.models.utils", folder / "models" / "utils")):
        package = types.ModuleType(name)
        package.__path__ = [str(path)]
        sys.modules[name] = package
    import facenet_pytorch.models.mtcnn as mtcnn  # noqa: E402
    return mtcnn.MTCNN(keep_all=True, device="cpu")


def best(label, repeats, body):
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = body()
        times.append(time.perf_counter() - start)
    print(f"{label}: {min(times):.3f} s (best of {repeats}, {torch.get_num_threads()} threads)")
    return result


def main():
    torch.set_num_threads(2)
    photo = Image.open(sys.argv[1] if len(sys.argv) > 1 else "/tmp/twelve.png").convert("RGB")
    small = photo.resize((1600, 1200), Image.BILINEAR)
    facenet = load_facenet_mtcnn()
    boxes, _ = best("facenet-pytorch MTCNN, 4000×3000", 3, lambda: facenet.detect(photo))
    print("  boxes", None if boxes is None else np.round(np.asarray(boxes, dtype=np.float64), 1).tolist())
    best("facenet-pytorch MTCNN, resized to 1600×1200 (resize included)", 3,
         lambda: facenet.detect(photo.resize((1600, 1200), Image.BILINEAR)))
    detector = fixtures.load_psp_mtcnn()
    best("pSp detect_faces, resized to 1600×1200 (resize included)", 3,
         lambda: detector.detect_faces(photo.resize((1600, 1200), Image.BILINEAR)))
    found, landmarks = best("pSp detect_faces, 4000×3000", 1, lambda: detector.detect_faces(photo))
    points = [[landmarks[0][k], landmarks[0][k + 5]] for k in range(5)]
    best("ffhq recipe (numpy/PIL), 256² via 1024²", 3, lambda: fixtures.ffhq_align(photo, points, 256, 1024))
    best("ffhq recipe (numpy/PIL), 1024² via 4096²", 3, lambda: fixtures.ffhq_align(photo, points, 1024, 4096))
    del small


if __name__ == "__main__":
    main()
