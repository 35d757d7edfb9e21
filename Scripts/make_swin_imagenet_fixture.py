#!/usr/bin/env python3
"""A Swin-V2 ImageNet-classifier checkpoint in the public layout, for the encoder-initialisation test.

How to run (repository root, PyTorch CPU wheel in the ignored .venv, the library's mirror of
I2-Multimedia-Lab/StylePrompter available as for make_stylePrompter_fixtures.py):

    .venv/bin/python Scripts/make_swin_imagenet_fixture.py

The public Swin-V2 checkpoints (e.g. swinv2_tiny_patch4_window16_256.pth) are `torch.save`d
`{'model': SwinTransformerV2.state_dict()}` and StylePrompter initialises its encoder with
`encoder.load_state_dict(ckpt['model'], strict=False)`. This writes the same layout for the
released `SwinTransformerV2` class at a tiny width (embed 8, depths 2/2/1/1, heads 1/2/2/4,
window 16, 256 px, 10 classes), seeded weights:
Tests/InversionTests/Fixtures/swinv2_small_imagenet.pth (~0.4 MB; buffers left out, as the
loader must derive them).
"""
import tempfile

import torch

import make_stylePrompter_fixtures as sp


def main():
    folder = sp.export_mirror(tempfile.mkdtemp(prefix="stylePrompter-"))
    sp.import_released(folder)
    import models.encoders.swin_helpers as helpers
    torch.manual_seed(5)
    model = helpers.SwinTransformerV2(img_size=256, window_size=16, embed_dim=8, depths=[2, 2, 1, 1],
                                      num_heads=[1, 2, 2, 4], num_classes=10)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.add_(0.05 * torch.randn_like(p))
    state = {k: v for k, v in model.state_dict().items()
             if not k.endswith(("relative_coords_table", "relative_position_index", "attn_mask"))}
    torch.save({"model": state}, "Tests/InversionTests/Fixtures/swinv2_small_imagenet.pth")
    print(len(state), "tensors")


if __name__ == "__main__":
    main()
