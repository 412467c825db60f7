"""Segmentation and calibration metrics at native spacing (fixes the reference code's defects:
empty predictions count in Dice, Brier is not doubled, volumes and distances use real mm)."""
from __future__ import annotations

import numpy as np
from scipy import ndimage


def dice(pred: np.ndarray, truth: np.ndarray) -> float:
    """Volume-wise Dice; an empty prediction on a positive volume scores 0 (not skipped).
    Both empty gives 1 (used only for negatives, which are reported separately)."""
    a, b = int(pred.sum()), int(truth.sum())
    if a + b == 0:
        return 1.0
    return 2.0 * int((pred & truth).sum()) / (a + b)


def _surface(m):
    return m & ~ndimage.binary_erosion(m, structure=ndimage.generate_binary_structure(3, 1))


def hausdorff(pred, truth, spacing_zyx):
    """(HD, HD95) in mm between surfaces; NaN when either mask is empty."""
    if not pred.any() or not truth.any():
        return float("nan"), float("nan")
    sp, st = _surface(pred), _surface(truth)
    dt_t = ndimage.distance_transform_edt(~st, sampling=spacing_zyx)
    dt_p = ndimage.distance_transform_edt(~sp, sampling=spacing_zyx)
    d_pt = dt_t[sp]
    d_tp = dt_p[st]
    hd = max(d_pt.max(), d_tp.max())
    hd95 = max(np.percentile(d_pt, 95), np.percentile(d_tp, 95))
    return float(hd), float(hd95)


def volume_ml(m, spacing_zyx):
    return float(m.sum()) * float(np.prod(spacing_zyx)) / 1000.0


def r_squared(pred, truth):
    pred, truth = np.asarray(pred, float), np.asarray(truth, float)
    ss_res = ((truth - pred) ** 2).sum()
    ss_tot = ((truth - truth.mean()) ** 2).sum()
    return float(1 - ss_res / ss_tot) if ss_tot > 0 else float("nan")


class Calibration:
    """Streaming NLL, Brier and 10-bin reliability/ECE for binary foreground probabilities."""

    def __init__(self, bins=10, eps=1e-7):
        self.bins, self.eps = bins, eps
        self.n = 0
        self.nll = 0.0
        self.brier = 0.0
        self.cnt = np.zeros(bins)
        self.conf = np.zeros(bins)
        self.pos = np.zeros(bins)

    def add(self, p, y):
        p = np.asarray(p, np.float64).ravel()
        y = np.asarray(y, np.float64).ravel()
        pc = np.clip(p, self.eps, 1 - self.eps)
        self.n += p.size
        self.nll += float(-(y * np.log(pc) + (1 - y) * np.log(1 - pc)).sum())
        self.brier += float(((p - y) ** 2).sum())  # one term per pixel, not summed over 2 classes
        # bins (m-1)/M < p <= m/M, p == 0 goes to the first bin
        b = np.clip(np.ceil(p * self.bins).astype(int) - 1, 0, self.bins - 1)
        self.cnt += np.bincount(b, minlength=self.bins)
        self.conf += np.bincount(b, weights=p, minlength=self.bins)
        self.pos += np.bincount(b, weights=y, minlength=self.bins)

    def result(self):
        nz = self.cnt > 0
        acc = np.where(nz, self.pos / np.maximum(self.cnt, 1), np.nan)
        conf = np.where(nz, self.conf / np.maximum(self.cnt, 1), np.nan)
        ece = float(np.nansum(self.cnt / max(self.n, 1) * np.abs(acc - conf)))
        return {"nll": self.nll / max(self.n, 1), "brier": self.brier / max(self.n, 1),
                "ece": ece, "bin_acc": acc.tolist(), "bin_conf": conf.tolist(),
                "bin_count": self.cnt.tolist(), "pixels": self.n}


def pearson(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) < 3 or a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])
