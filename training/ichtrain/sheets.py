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


def _pick_slices(hu, label, k=3):
    """k slices: the lowest with brain (skull base), the one with most lesion (or the middle), a high one."""
    S = hu.shape[0]
    if label is not None and (label >= 0.5).any():
        mid = int(np.argmax((label >= 0.5).sum(axis=(1, 2))))
    else:
        mid = S // 2
    return sorted({max(0, min(S - 1, i)) for i in (int(S * 0.15), mid, int(S * 0.8))})[:k]


def gallery(path, volumes, real_hu, real_name="real GE series"):
    """Rows of generated volumes (3 slices each, lesion outline in yellow) under a row of the real
    GE series at the same window, so that realism can be judged at a glance."""
    rows = []
    S = real_hu.shape[0]
    real = [slice_tile(real_hu[i]) for i in (int(S * 0.15), S // 2, int(S * 0.8))]
    size = real[0].shape[0]
    rows.append(real)
    for v in volumes:
        tiles = []
        for i in _pick_slices(v.hu, v.label):
            t = slice_tile(v.hu[i], label=v.label[i] >= 0.5, size=size)
            if t.shape[0] != size:  # nearest-neighbour to the real tiles' size
                idx = (np.arange(size) * t.shape[0] / size).astype(int)
                t = t[idx][:, idx]
            tiles.append(t)
        while len(tiles) < 3:
            tiles.append(np.zeros_like(real[0]))
        rows.append(tiles)
    write_png(path, sheet([t for r in rows for t in r], cols=3))


def write_docs_images(out_dir, seeds=None):
    """docs/images: the v2 mask on the real GE series and on phantoms, and the generator gallery."""
    import os
    from . import phantoms
    os.makedirs(out_dir, exist_ok=True)
    G = phantoms._ge()
    mask_sheet(os.path.join(out_dir, "mask-v2-ge-real.png"), G["hu"], G["ps"][0])
    seeds = seeds or [("simple", 920005), ("simple", 920013), ("colin", 900001), ("colin", 900002),
                      ("ge", 910002), ("ge", 910003)]
    vols = [phantoms.make_volume(k, s, 256) for k, s in seeds]
    for (k, s), v in zip(seeds[:3], vols[:3]):
        mask_sheet(os.path.join(out_dir, f"mask-v2-{k}-{s}.png"), v.hu, v.spacing[0], v.label)
    gallery(os.path.join(out_dir, "generator-gallery.png"), vols, G["hu"])
    return [f"{k}:{s} {v.lesion_types}" for (k, s), v in zip(seeds, vols)]
