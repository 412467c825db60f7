"""The worker's postprocessing rules that evaluation must mirror (Java: inference.PhysicsGate)."""
from __future__ import annotations

import numpy as np
from scipy import ndimage

# The worker's physics gate (results.gate.*): a predicted voxel stays only when the mean HU of
# its in-plane neighbourhood (radius 1 mm, at least one pixel) is plausible acute/subacute blood.
GATE_MIN_HU, GATE_MAX_HU, GATE_RADIUS_MM = 40.0, 100.0, 1.0


def gate_radius_px(row_mm: float, radius_mm: float = GATE_RADIUS_MM) -> int:
    return max(1, int(np.floor(radius_mm / row_mm + 0.5)))


def physics_gate(pred, hu, row_mm, min_hu=GATE_MIN_HU, max_hu=GATE_MAX_HU, radius_mm=GATE_RADIUS_MM):
    """pred & (neighbourhood-mean HU in [min_hu, max_hu]); the mean counts in-image pixels only."""
    k = 2 * gate_radius_px(row_mm, radius_mm) + 1
    hu = np.asarray(hu, np.float64)
    total = ndimage.uniform_filter(hu, size=(1, k, k), mode="constant", cval=0.0)
    count = ndimage.uniform_filter(np.ones_like(hu), size=(1, k, k), mode="constant", cval=0.0)
    mean = total / count
    return pred & (mean >= min_hu) & (mean <= max_hu)
