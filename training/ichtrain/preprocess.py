"""Preprocessing v1, exactly as docs/preprocessing.md (the contract shared with the Java service).

Everything is float64 until the final float32 cast, and the resize is written out by hand so
that the Java port can follow it line by line instead of matching an opaque library.
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage

PREPROCESSING_VERSION = 2
SUPPORTED_VERSIONS = (1, 2)
CANDIDATE_MIN_HU = -15.0
CANDIDATE_MAX_HU = 130.0
WINDOW_CENTRE = 40.0
WINDOW_WIDTH = 90.0
MIN_COMPONENT_FRACTION = 0.005
STD_FLOOR = 1e-6

# v2: the intracranial cavity is what the skull encloses (docs/preprocessing.md, step 2 v2)
BONE_HU = 250.0
BONE_CLOSE_MM = 4.0
MIN_SLICE_COMPONENT_FRACTION = 0.002
MIN_LINK_OVERLAP = 0.1

# 4-connectivity: the contract says 4-connected, scipy's default for 2D is also the cross, but
# spelling it out keeps a later scipy default change from silently altering the mask.
_FOUR = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=bool)


def to_hu(stored: np.ndarray, slope: float = 1.0, intercept: float = 0.0) -> np.ndarray:
    return stored.astype(np.float64) * float(slope) + float(intercept)


def intracranial_mask(hu: np.ndarray) -> np.ndarray:
    """Largest 4-connected candidate component with holes filled; empty if too small."""
    rows, cols = hu.shape
    cand = (hu >= CANDIDATE_MIN_HU) & (hu <= CANDIDATE_MAX_HU)
    labels, n = ndimage.label(cand, structure=_FOUR)
    if n == 0:
        return np.zeros(hu.shape, dtype=bool)
    flat = labels.ravel()
    counts = np.bincount(flat, minlength=n + 1)
    counts[0] = 0
    # first pixel (row-major) of every label, for the tie rule
    uniq, first = np.unique(flat, return_index=True)
    first_of = np.full(n + 1, np.iinfo(np.int64).max, dtype=np.int64)
    first_of[uniq] = first
    best = max(range(1, n + 1), key=lambda k: (counts[k], -first_of[k]))
    if counts[best] < MIN_COMPONENT_FRACTION * rows * cols:
        return np.zeros(hu.shape, dtype=bool)
    kept = labels == best
    return _fill_holes(kept)


def _square_filter(m: np.ndarray, r: int, dilate: bool) -> np.ndarray:
    """Dilation (any) or erosion (all) over a (2r+1)^2 square, separable; outside the image
    counts as unset for dilation and as set for erosion, so the image edge never erodes."""
    out = m.astype(np.uint8)
    size = 2 * r + 1
    for axis in (0, 1):
        if dilate:
            out = ndimage.maximum_filter1d(out, size, axis=axis, mode="constant", cval=0)
        else:
            out = ndimage.minimum_filter1d(out, size, axis=axis, mode="constant", cval=1)
    return out.astype(bool)


def close_radius_px(pixel_spacing_mm: float) -> int:
    return max(1, int(np.floor(BONE_CLOSE_MM / pixel_spacing_mm + 0.5)))


def enclosed_candidates(hu: np.ndarray, radius_px: int, bone_hu: float = BONE_HU,
                        air_hu: float | None = None) -> np.ndarray:
    """Candidate pixels (-15..130 HU) that the closed bone ring separates from the image border."""
    bone = hu >= bone_hu
    closed = _square_filter(_square_filter(bone, radius_px, True), radius_px, False)
    outside = _reachable_from_border(closed)
    cand = (hu >= CANDIDATE_MIN_HU) & (hu <= CANDIDATE_MAX_HU)
    if air_hu is not None:
        cand &= hu > air_hu
    return cand & ~outside & ~closed


def _reachable_from_border(blocked: np.ndarray) -> np.ndarray:
    """Pixels 4-connected to the image border through pixels that are not blocked."""
    free, _ = ndimage.label(~blocked, structure=_FOUR)
    border = np.unique(np.concatenate([free[0, :], free[-1, :], free[:, 0], free[:, -1]]))
    return np.isin(free, border[border > 0])


def _fill_holes(kept: np.ndarray) -> np.ndarray:
    """kept plus its holes: the pixels that cannot reach the border through pixels not kept."""
    return kept | ~_reachable_from_border(kept)


def intracranial_mask_volume(hu_vol: np.ndarray, pixel_spacing_mm: float) -> np.ndarray:
    """v2 mask of a [S, rows, cols] volume in slice order (docs/preprocessing.md).

    Per slice, the candidates enclosed by the closed skull; the seed is the largest enclosed
    component of the slice with the most enclosed candidates; from there, slice by slice in both
    directions, a component is kept when at least 10 % of it lies on the kept mask of the
    neighbour towards the seed. Neck and face soft tissue is never enclosed by a bone ring, and
    what a ring encloses below the skull base must be continuous with the brain to be kept.
    """
    hu_vol = np.asarray(hu_vol, dtype=np.float64)
    S, rows, cols = hu_vol.shape
    if S == 0:
        return np.zeros(hu_vol.shape, dtype=bool)
    # A windowed (8-bit) export clips bone to the top of its window and air to the bottom: then
    # the volume's highest value stands for bone and its lowest value is no candidate.
    top = float(hu_vol.max())
    clipped = top < BONE_HU
    bone_hu = top if clipped else BONE_HU
    air_hu = float(hu_vol.min()) if clipped else None
    r = close_radius_px(pixel_spacing_mm)
    min_px = MIN_SLICE_COMPONENT_FRACTION * rows * cols
    labels, sizes = [], []
    for s in range(S):
        lab, n = ndimage.label(enclosed_candidates(hu_vol[s], r, bone_hu, air_hu), structure=_FOUR)
        labels.append(lab)
        sizes.append(np.bincount(lab.ravel(), minlength=n + 1))
    totals = [int(sz[1:][sz[1:] >= min_px].sum()) for sz in sizes]
    mask = np.zeros(hu_vol.shape, dtype=bool)
    seed = int(np.argmax(totals))  # first maximum on ties
    if totals[seed] < MIN_COMPONENT_FRACTION * rows * cols:
        return mask
    sz = sizes[seed].copy()
    sz[0] = 0
    # largest component; on equal sizes the lowest label = first in row-major order
    best = int(np.argmax(sz))
    mask[seed] = _fill_holes(labels[seed] == best)
    for order in (range(seed - 1, -1, -1), range(seed + 1, S)):
        prev = seed
        for s in order:
            lab, sz = labels[s], sizes[s]
            hit = np.bincount(lab[mask[prev]], minlength=len(sz))
            keep = np.flatnonzero((sz >= min_px) & (hit >= MIN_LINK_OVERLAP * sz))
            keep = keep[keep > 0]
            if len(keep) == 0:
                break  # nothing links: the cavity ends here, and beyond it nothing is kept
            mask[s] = _fill_holes(np.isin(lab, keep))
            prev = s
    return mask


def window(hu: np.ndarray, mask: np.ndarray) -> np.ndarray:
    lo = WINDOW_CENTRE - WINDOW_WIDTH / 2.0
    w = np.clip((hu - lo) * 255.0 / WINDOW_WIDTH, 0.0, 255.0)
    return np.where(mask, w, 0.0)


def _axis_weights(n_in: int, n_out: int):
    dst = np.arange(n_out, dtype=np.float64)
    x = (dst + 0.5) * (float(n_in) / float(n_out)) - 0.5
    x = np.maximum(x, 0.0)
    x0 = np.floor(x).astype(np.int64)
    x0 = np.minimum(x0, n_in - 1)
    x1 = np.minimum(x0 + 1, n_in - 1)
    lam = x - x0
    return x0, x1, lam


def resize_bilinear(img: np.ndarray, out_rows: int, out_cols: int) -> np.ndarray:
    """Bilinear, half-pixel centres, no antialias (== F.interpolate align_corners=False)."""
    img = np.asarray(img, dtype=np.float64)
    in_rows, in_cols = img.shape
    y0, y1, ly = _axis_weights(in_rows, out_rows)
    x0, x1, lx = _axis_weights(in_cols, out_cols)
    ly = ly[:, None]
    lx = lx[None, :]
    top = img[y0][:, x0] * (1.0 - lx) + img[y0][:, x1] * lx
    bot = img[y1][:, x0] * (1.0 - lx) + img[y1][:, x1] * lx
    return top * (1.0 - ly) + bot * ly


def zscore(w: np.ndarray) -> np.ndarray:
    mean = w.mean()
    std = w.std()  # population (ddof=0)
    if std < STD_FLOOR:
        std = 1.0
    return (w - mean) / std


def preprocess_hu(hu: np.ndarray, input_size: int):
    """Returns (float32 [input_size, input_size], bool intracranial mask at native size)."""
    hu = np.asarray(hu, dtype=np.float64)
    mask = intracranial_mask(hu)
    w = window(hu, mask)
    r = resize_bilinear(w, input_size, input_size)
    return zscore(r).astype(np.float32), mask


def preprocess_stored(stored: np.ndarray, slope: float, intercept: float, input_size: int):
    return preprocess_hu(to_hu(stored, slope, intercept), input_size)


def preprocess_masked(hu: np.ndarray, mask: np.ndarray, input_size: int) -> np.ndarray:
    """Steps 3-5 of one slice given its mask."""
    w = window(np.asarray(hu, dtype=np.float64), mask)
    return zscore(resize_bilinear(w, input_size, input_size)).astype(np.float32)


def preprocess_volume(hu_vol: np.ndarray, input_size: int, pixel_spacing_mm: float | None = None,
                      version: int = PREPROCESSING_VERSION):
    """hu_vol [S, rows, cols] -> (float32 [S,1,N,N], bool masks [S, rows, cols])."""
    if version not in SUPPORTED_VERSIONS:
        raise ValueError(f"preprocessing_version {version} is not supported")
    hu_vol = np.asarray(hu_vol, dtype=np.float64)
    if version == 1:
        masks = np.stack([intracranial_mask(s) for s in hu_vol])
    else:
        if pixel_spacing_mm is None:
            raise ValueError("preprocessing v2 needs the pixel spacing")
        masks = intracranial_mask_volume(hu_vol, pixel_spacing_mm)
    xs = [preprocess_masked(hu_vol[s], masks[s], input_size) for s in range(hu_vol.shape[0])]
    return np.stack(xs)[:, None], masks


def prob_to_native(prob: np.ndarray, rows: int, cols: int) -> np.ndarray:
    return resize_bilinear(prob, rows, cols)
