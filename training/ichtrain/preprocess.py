"""Preprocessing v1, exactly as docs/preprocessing.md (the contract shared with the Java service).

Everything is float64 until the final float32 cast, and the resize is written out by hand so
that the Java port can follow it line by line instead of matching an opaque library.
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage

PREPROCESSING_VERSION = 1
CANDIDATE_MIN_HU = -15.0
CANDIDATE_MAX_HU = 130.0
WINDOW_CENTRE = 40.0
WINDOW_WIDTH = 90.0
MIN_COMPONENT_FRACTION = 0.005
STD_FLOOR = 1e-6

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
    # holes: non-kept regions that cannot reach the border through non-kept pixels
    outside, m = ndimage.label(~kept, structure=_FOUR)
    border = np.zeros(m + 1, dtype=bool)
    border[np.unique(outside[0, :])] = True
    border[np.unique(outside[-1, :])] = True
    border[np.unique(outside[:, 0])] = True
    border[np.unique(outside[:, -1])] = True
    border[0] = True  # label 0 is the kept set itself
    hole = ~border[outside]
    return kept | hole


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


def preprocess_volume(hu_vol: np.ndarray, input_size: int):
    """hu_vol [S, rows, cols] -> (float32 [S,1,N,N], bool masks [S, rows, cols])."""
    xs, ms = [], []
    for s in range(hu_vol.shape[0]):
        x, m = preprocess_hu(hu_vol[s], input_size)
        xs.append(x)
        ms.append(m)
    return np.stack(xs)[:, None], np.stack(ms)


def prob_to_native(prob: np.ndarray, rows: int, cols: int) -> np.ndarray:
    return resize_bilinear(prob, rows, cols)
