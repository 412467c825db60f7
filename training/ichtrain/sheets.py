"""PNG contact sheets for people: the intracranial mask on every slice, and generator galleries.

`python3 -m ichtrain mask-sheet --out docs/images/mask-v2-ge.png` draws the real GE series; the
same with `--phantom KIND:SEED` draws a generated volume. Window 40/80 (brain), the v2 mask
outline in green, the v1 mask outline in red where it differs, truth lesions in yellow.
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage

from .png import write_png
from .preprocess import intracranial_mask, intracranial_mask_volume


def grey(hu: np.ndarray, centre: float = 40.0, width: float = 80.0) -> np.ndarray:
    return (np.clip((hu - (centre - width / 2)) / width, 0, 1) * 255).astype(np.uint8)


def _outline(m: np.ndarray) -> np.ndarray:
    return m & ~ndimage.binary_erosion(m)


def slice_tile(hu, v2=None, v1=None, label=None, size=160):
    rgb = np.stack([grey(hu)] * 3, -1)
    for m, colour in ((v1, (255, 40, 40)), (v2, (40, 255, 40)), (label, (255, 230, 0))):
        if m is not None and m.any():
            o = ndimage.binary_dilation(_outline(m), iterations=max(1, hu.shape[0] // 256))
            rgb[o] = colour
    f = max(1, hu.shape[0] // size)
    return rgb[::f, ::f]


def sheet(tiles, cols=8, pad=2):
    h, w = tiles[0].shape[:2]
    rows = (len(tiles) + cols - 1) // cols
    out = np.zeros((rows * (h + pad) + pad, cols * (w + pad) + pad, 3), np.uint8)
    for i, t in enumerate(tiles):
        r, c = divmod(i, cols)
        out[pad + r * (h + pad): pad + r * (h + pad) + t.shape[0],
            pad + c * (w + pad): pad + c * (w + pad) + t.shape[1]] = t
    return out


def mask_sheet(path, hu_vol, pixel_spacing, label=None, show_v1=True, cols=8):
    v2 = intracranial_mask_volume(hu_vol, pixel_spacing)
    tiles = []
    for s in range(hu_vol.shape[0]):
        v1 = intracranial_mask(hu_vol[s]) if show_v1 else None
        if v1 is not None:
            v1 = v1 & ~v2[s]  # only where v1 kept more
        tiles.append(slice_tile(hu_vol[s], v2[s], v1, None if label is None else label[s] >= 0.5))
    write_png(path, sheet(tiles, cols))
    return v2
