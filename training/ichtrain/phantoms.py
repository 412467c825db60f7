"""Synthetic head CT in HU with per-voxel hemorrhage truth.

Three sources, all generated on the fly from a seed:
- simple: analytic ellipsoid head (skull with diploe, grey/white matter, gyri, ventricles, CSF,
  falx) at 5 mm slices with partial volume along z and in plane, plus scanner noise;
- colin: pseudo-CT from the Colin27 T1 head (mricron-data, BSD-3) with T1 classes mapped to HU,
  random affine + elastic deformation, varied FOV, pixel spacing, tilt, rotation and flips;
- ge: synthetic lesions inserted into the real GE head CT of ../shared/data (BSD-2), read in place.

Lesions are defined in 3D physical space so each grows and shrinks coherently across slices.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

LESION_TYPES = ("IPH", "SDH", "EDH", "SAH", "IVH")
HU_AIR, HU_CSF, HU_WM, HU_GM, HU_SCALP = -1000.0, 8.0, 27.0, 39.0, 30.0
HU_BONE, HU_DIPLOE, HU_FALX = 1300.0, 450.0, 55.0
# negatives at least as often as positives (normal scans are most of what a triage tool sees)
NEGATIVE_FRACTION = 0.5
COLIN_T1 = "/usr/share/mricron/templates/ch2.nii.gz"
COLIN_BET = "/usr/share/mricron/templates/ch2bet.nii.gz"


@dataclass
class Volume:
    hu: np.ndarray          # float32 [S, rows, cols]
    label: np.ndarray       # float32 [S, rows, cols] lesion fraction (partial volume)
    spacing: tuple          # (row_mm, col_mm, slice_step_mm)
    kind: str
    lesion_types: list = field(default_factory=list)


def _smooth_noise(rng, shape, sigma):
    return ndimage.gaussian_filter(rng.standard_normal(shape), sigma)


# ---------------------------------------------------------------------------------------------
# lesion shapes on a set of physical points (x, y, z in mm, head-centred, z up)
# ---------------------------------------------------------------------------------------------

def _lobulated(px, py, pz, c, r0, rng_params):
    ks, phases, amps = rng_params
    dx, dy, dz = px - c[0], py - c[1], (pz - c[2]) * 1.3
    r = np.sqrt(dx * dx + dy * dy + dz * dz) + 1e-9
    th = np.arctan2(dy, dx)
    ph = np.arccos(np.clip(dz / r, -1, 1))
    rad = r0 * (1 + sum(a * np.sin(k * th + p) * np.sin(k * ph + p / 2)
                        for k, p, a in zip(ks, phases, amps)))
    return r < rad


def _iph_radius(rng):
    """Log-uniform 4-28 mm: 0.3 mL to 90 mL, so that small bleeds and very large ones are seen."""
    return float(np.exp(rng.uniform(np.log(4.0), np.log(28.0))))


def _lobe_params(rng):
    n = rng.integers(2, 4)
    return (rng.integers(2, 5, n), rng.uniform(0, 2 * np.pi, n), rng.uniform(0.08, 0.2, n))


# ---------------------------------------------------------------------------------------------
# simple analytic phantom
# ---------------------------------------------------------------------------------------------

def _sig(t, w):
    return 1.0 / (1.0 + np.exp(-np.clip(t / w, -60, 60)))


def _cranial_floor(px, py, g):
    """Height (mm) of the cranial floor: anterior fossa high, middle fossa lower, the petrous
    ridge running obliquely from posterolateral to the apex, the posterior fossa lowest."""
    A, B, C = g["A"], g["B"], g["C"]
    yn, xn = py / B, np.abs(px) / A  # yn: -1 anterior .. +1 posterior
    f = -0.24 * C - 0.34 * C * _sig(yn + 0.33, 0.03)
    ridge_y = 0.02 + 0.30 * xn
    f = f + 0.22 * C * np.exp(-((yn - ridge_y) / 0.06) ** 2) * _sig(xn - 0.12, 0.03)
    f = f - 0.40 * C * _sig(yn - ridge_y - 0.07, 0.04)
    return f


def _tentorium_z(py, g):
    B, C = g["B"], g["C"]
    yn = py / B
    return -0.40 * C - 0.28 * C * np.clip((yn - 0.05) / 0.95, 0, 1)


def _simple_anatomy(px, py, pz, g):
    """Returns (hu, rho, inner, brain, csf_space, ventricle, intracranial) for points in mm.

    Above the cranial floor: brain, CSF, ventricles, falx, tentorium, cerebellum, brainstem, fourth
    ventricle. Below it: skull-base bone, orbits with globes, ethmoid and sphenoid air, mastoid
    air, the foramen magnum with the cord, and the neck (muscle, fat, vertebra, airway), so that
    the mask and the model meet what real scans show at the skull base."""
    A, B, C = g["A"], g["B"], g["C"]
    rho = np.sqrt((px / A) ** 2 + (py / B) ** 2 + (pz / C) ** 2)  # 1 = outer skull
    th = np.arctan2(py, px)
    skull_t = g["skull_t"] / A
    inner = 1 - skull_t
    yn, xn = py / B, np.abs(px) / A
    floor = _cranial_floor(px, py, g)
    hu = np.full(px.shape, HU_AIR)
    scalp = (rho >= 1) & (rho < 1 + g["scalp_t"] / A)
    hu[scalp] = HU_SCALP
    bone = (rho >= inner) & (rho < 1)
    hu[bone] = HU_BONE
    dip = (rho >= inner + 0.3 * skull_t) & (rho < 1 - 0.3 * skull_t)
    hu[dip] = HU_DIPLOE
    # neck below the skull: muscle with fat planes, vertebra, canal with the cord, airway
    nr = np.sqrt((px / (0.62 * A)) ** 2 + ((py - 0.10 * B) / (0.58 * B)) ** 2)
    neck = (nr < 1) & (pz < -0.55 * C) & (rho >= inner)
    hu[neck & (rho >= 1 + g["scalp_t"] / A)] = HU_SCALP
    hu[neck] = (48 + 6 * np.sin(0.5 * px + 0.3 * py))[neck]
    hu[neck & (np.sin(0.21 * th * 7 + 0.05 * pz) > 0.93)] = -90  # fat planes between muscles
    hu[neck & (nr > 0.9)] = -100  # subcutaneous fat
    canal_r = np.sqrt(px ** 2 + (py - 0.14 * B) ** 2)
    vert_ring = (canal_r > 11) & (canal_r < 16) & (pz < floor - 4)
    body = np.sqrt(px ** 2 + (py + 0.04 * B) ** 2) < 13
    airway = np.sqrt(px ** 2 + (py + 0.36 * B) ** 2) < 7
    low = pz < -0.70 * C
    hu[(vert_ring | body) & low & (nr < 1)] = 420
    hu[airway & low & (nr < 1)] = HU_AIR
    # below the floor but inside the skull: base bone, then the face and the temporal bone
    base = (rho < inner) & (pz <= floor)
    hu[base] = 45.0  # face and deep soft tissue
    hu[base & (pz > floor - g["base_t"])] = HU_BONE
    hu[base & (pz > floor - g["base_t"] + 2) & (pz < floor - 2)] = HU_DIPLOE
    for sx in (-1, 1):
        gl = np.sqrt((px - sx * 0.40 * A) ** 2 + (py + 0.80 * B) ** 2 + (pz - g["eye_z"]) ** 2)
        orbit = gl < 19
        hu[base & orbit] = -90
        hu[base & (gl < 12)] = 12
        hu[base & (gl < 12) & (gl > 11)] = 45  # sclera
        mus = orbit & (np.abs(np.abs(px) - 0.40 * A) > 9) & (np.abs(np.abs(px) - 0.40 * A) < 12)
        hu[base & mus & (gl > 12)] = 50
    ethm = base & (np.abs(px) < 0.22 * A) & (yn < -0.30) & (pz > floor - 45)
    hu[ethm] = np.where(np.sin(0.9 * px) * np.sin(0.9 * py) * np.sin(0.9 * pz) > 0.75, 400, HU_AIR)[ethm]
    sphen = base & (np.abs(px) < 0.20 * A) & (yn > -0.30) & (yn < -0.05) & (pz < floor - g["base_t"])
    hu[sphen] = HU_AIR
    mast = base & (xn > 0.62) & (yn > 0.0) & (yn < 0.45) & (pz < floor - 3)
    hu[mast] = np.where(np.sin(1.1 * px) * np.sin(1.1 * py) * np.sin(1.1 * pz) > 0.2, HU_AIR, 700)[mast]
    # foramen magnum: no bone floor where the brainstem and cord go down
    fm = (px / 15) ** 2 + ((py - 0.14 * B) / 17) ** 2 < 1
    cord = (px / 9) ** 2 + ((py - 0.14 * B) / 9) ** 2 < 1
    hu[fm & (pz <= floor) & (pz > -1.2 * C)] = HU_CSF
    hu[cord & (pz <= floor) & (pz > -1.2 * C)] = 32
    intra = (rho < inner) & (pz > floor)
    hu[intra] = HU_CSF
    # gyri: cortex boundary modulated by angle and height
    gyr = 0.025 * np.sin(g["gyri"] * th + 0.2 * pz) * np.sin(0.35 * pz + g["gph"])
    brain_edge = inner - 3.0 / A
    brain = (rho < brain_edge + gyr - 0.01) & (pz > floor + 2.5)
    hu[brain] = HU_GM
    wm = (rho < brain_edge - 0.1 + 1.5 * gyr) & (pz > floor + 7)
    hu[wm] = HU_WM
    # posterior fossa: cerebellum with folia under the tentorium, brainstem, fourth ventricle
    tz = _tentorium_z(py, g)
    cereb = brain & (yn > 0.05) & (pz < tz - 1.5)
    hu[cereb] = 37 + 5 * np.sin(1.6 * pz + 0.4 * np.sqrt(px ** 2 + (py - 0.3 * B) ** 2))[cereb]
    stem = ((px / 12) ** 2 + ((py - 0.10 * B) / 11) ** 2 < 1) & (pz < -0.30 * C) & intra
    hu[stem] = 31
    v4 = (px / 5) ** 2 + ((py - 0.27 * B) / 4) ** 2 + ((pz + 0.62 * C) / 8) ** 2 < 1
    tent = (np.abs(pz - tz) < 1.0) & (yn > 0.08) & (np.abs(px) > 9) & intra
    hu[tent] = g["tent_hu"]
    # deep grey (basal ganglia)
    for sx in (-1, 1):
        bg = ((px - sx * 22) / 12) ** 2 + ((py - 5) / 16) ** 2 + ((pz + 5) / 14) ** 2 < 1
        hu[bg & intra] = HU_GM - 2
    # lateral ventricles
    vent = np.zeros(px.shape, bool)
    for sx in (-1, 1):
        vent |= (((px - sx * g["vx"]) / g["vw"]) ** 2 + ((py - 5) / g["vl"]) ** 2
                 + ((pz - 10) / 18) ** 2) < 1
    vent |= v4
    vent &= intra
    hu[vent] = HU_CSF
    # basal cisterns around the midbrain, low in the head
    cist = ((np.abs(np.sqrt(px ** 2 + (py - 10) ** 2) - 14) < 3) & (np.abs(pz + 30) < 6)) & intra
    hu[cist] = HU_CSF
    # falx: thin dense midline sheet in the upper front/back
    falx = (np.abs(px) < 1.2) & (pz > -10) & intra & ~vent & (np.abs(py) > 10)
    hu[falx] = HU_FALX
    csf_space = intra & ~brain  # subarachnoid space incl. sulci
    csf_space |= cist
    return hu, rho, inner, brain, csf_space, vent, intra


def _mimics(rng, px, py, pz, hu, rho, inner, intra, vent, brain, g):
    """What looks like blood and is not: dural venous sinuses, dense arteries, physiological
    calcifications (pineal, choroid plexus, basal ganglia, falx), beam hardening between the
    petrous bones. Painted on the point set before partial-volume averaging."""
    A, B, C = g["A"], g["B"], g["C"]
    depth = (inner - rho) * A
    sinus_hu = rng.uniform(42, 68)
    sss = intra & (np.abs(px) < 3 + 3 * depth / 8) & (depth < 8) & (pz > -0.15 * C) & (np.abs(py) > 0.2 * B)
    hu[sss] = sinus_hu
    tz = _tentorium_z(py, g)
    trans = intra & (depth < 6) & (py / B > 0.55) & (np.abs(pz - tz) < 5) & (np.abs(px) > 8)
    hu[trans] = sinus_hu + rng.uniform(-5, 5)
    sig = intra & (depth < 6) & (np.abs(px) / A > 0.45) & (py / B > 0.2) & (py / B < 0.6) & (pz < tz)
    hu[sig] = sinus_hu
    if rng.random() < 0.6:  # pineal
        r = rng.uniform(1.5, 4.0)
        m = (px ** 2 + (py - 0.20 * B) ** 2 + (pz - 2) ** 2) < r * r
        hu[m & intra] = rng.uniform(90, 400)
    if rng.random() < 0.5:  # choroid plexus in the trigones
        for sx in (-1, 1):
            r = rng.uniform(1.5, 3.0)
            m = ((px - sx * (g["vx"] + 2)) ** 2 + (py - 0.25 * B) ** 2 + (pz - 8) ** 2) < r * r
            hu[m & intra] = rng.uniform(80, 300)
    if rng.random() < 0.25:  # basal ganglia
        for sx in (-1, 1):
            m = ((px - sx * 22) ** 2 + (py - 5 + rng.uniform(-6, 6)) ** 2 + (pz + 5) ** 2) < rng.uniform(2, 9)
            hu[m & intra] = rng.uniform(80, 250)
    if rng.random() < 0.4:  # falx plaque
        cy, cz = rng.uniform(-0.6, 0.6) * B, rng.uniform(0.0, 0.6) * C
        m = (np.abs(px) < 2) & (((py - cy) / rng.uniform(3, 10)) ** 2 + ((pz - cz) / 6) ** 2 < 1)
        hu[m & intra] = rng.uniform(100, 500)
    art_hu = rng.uniform(40, 58) if rng.random() < 0.8 else rng.uniform(60, 78)  # dense MCA sign
    for sx in (-1, 1):
        m = ((np.abs(py + 0.05 * B) ** 2 + (pz + 0.36 * C) ** 2) < 2.2 ** 2) & (sx * px > 6) & (sx * px < 0.6 * A)
        hu[m & intra] = art_hu
    bas = (px ** 2 + (py + 0.01 * B) ** 2 < 2.5 ** 2) & (pz < -0.30 * C)
    hu[bas & intra] = art_hu
    if rng.random() < 0.7:  # Hounsfield bar and streaks between the petrous bones
        zr = rng.uniform(-0.55, -0.35) * C
        band = np.exp(-((pz - zr) / rng.uniform(4, 9)) ** 2) * (rho < 1)
        hu -= rng.uniform(15, 45) * np.exp(-((py - 0.10 * B) / 4) ** 2) * band
        for _ in range(rng.integers(2, 6)):
            ang = rng.uniform(0, np.pi)
            dist = np.abs(px * np.sin(ang) - (py - 0.1 * B) * np.cos(ang))
            hu += rng.choice([-1, 1]) * rng.uniform(15, 50) * np.exp(-(dist / 1.5) ** 2) * band


def _simple_geom(rng):
    return {
        "A": rng.uniform(68, 78), "B": rng.uniform(85, 98), "C": rng.uniform(70, 82),
        "skull_t": rng.uniform(5, 8), "scalp_t": rng.uniform(3, 6), "gyri": rng.integers(14, 24),
        "gph": rng.uniform(0, 6.28), "vx": rng.uniform(5, 9), "vw": rng.uniform(3, 7),
        "vl": rng.uniform(18, 28), "base_t": rng.uniform(6, 10), "eye_z": rng.uniform(-0.55, -0.40) * 75,
        "tent_hu": rng.uniform(40, 58) if rng.random() < 0.85 else rng.uniform(90, 250),
    }


def _lesion_mask(kind, rng, px, py, pz, rho, inner, brain, csf, vent, intra, g):
    """One lesion of `kind` on the point set; shapes in physical mm so slices agree."""
    A = g["A"] if g is not None else 75.0
    if kind == "IPH":
        cand = np.argwhere(brain & ~vent & (rho < inner * 0.75))
        if len(cand) == 0:
            return np.zeros(px.shape, bool)
        c0 = cand[rng.integers(len(cand))]
        c = (px[tuple(c0)], py[tuple(c0)], pz[tuple(c0)])
        return _lobulated(px, py, pz, c, _iph_radius(rng), _lobe_params(rng)) & intra
    if kind in ("SDH", "EDH"):
        az, el = rng.uniform(-np.pi, np.pi), rng.uniform(-0.2, 0.9)
        d = np.array([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)])
        r = np.sqrt(px ** 2 + py ** 2 + pz ** 2) + 1e-9
        cosang = (px * d[0] + py * d[1] + pz * d[2]) / r
        ang = np.arccos(np.clip(cosang, -1, 1))
        depth = (inner - rho) * A  # mm below the inner table
        if kind == "SDH":
            ext, t = rng.uniform(0.6, 1.1), rng.uniform(3, 22)
        else:
            ext, t = rng.uniform(0.25, 0.45), rng.uniform(10, 24)
        prof = np.clip(1 - (ang / ext) ** 2, 0, None)
        if kind == "SDH":
            prof = np.sqrt(prof)  # flat crescent, tapering only at its tips
        return intra & (depth >= 0) & (depth < t * prof)
    if kind == "SAH":
        cand = np.argwhere(csf & ~vent)
        if len(cand) == 0:
            return np.zeros(px.shape, bool)
        c0 = cand[rng.integers(len(cand))]
        c = np.array([px[tuple(c0)], py[tuple(c0)], pz[tuple(c0)]])
        near = ((px - c[0]) ** 2 + (py - c[1]) ** 2 + (pz - c[2]) ** 2) < rng.uniform(15, 35) ** 2
        return csf & ~vent & near
    if kind == "IVH":
        cand = np.argwhere(vent)
        if len(cand) == 0:
            return np.zeros(px.shape, bool)
        # blood layers dependently: fill the ventricle below a random level (y increases posterior)
        lvl = np.quantile(py[vent], rng.uniform(0.3, 0.9))
        c0 = cand[rng.integers(len(cand))]
        side = np.sign(px[tuple(c0)]) if rng.random() < 0.6 else 0
        m = vent & (py > lvl)
        if side:
            m &= np.sign(px) == side
        return m
    raise ValueError(kind)


def _hard_negatives(rng, px, py, pz, hu, intra, vent, brain, kinds):
    """Calcifications (dense dots that the hole-fill rule puts inside the mask) and streaks."""
    if "calc" in kinds:
        for _ in range(rng.integers(1, 5)):
            cand = np.argwhere(brain | vent)
            if len(cand) == 0:
                break
            c0 = cand[rng.integers(len(cand))]
            c = (px[tuple(c0)], py[tuple(c0)], pz[tuple(c0)])
            rr = rng.uniform(1.0, 3.5)
            m = ((px - c[0]) ** 2 + (py - c[1]) ** 2 + ((pz - c[2]) * 0.7) ** 2) < rr ** 2
            hu[m & intra] = rng.uniform(120, 400)
    if "streak" in kinds:
        z0 = rng.uniform(-45, -15)
        band = np.exp(-((pz - z0) / 8.0) ** 2)
        for _ in range(rng.integers(2, 6)):
            ang = rng.uniform(0, np.pi)
            dist = np.abs(px * np.sin(ang) - (py - rng.uniform(-20, 20)) * np.cos(ang))
            hu += rng.choice([-1, 1]) * rng.uniform(20, 70) * np.exp(-(dist / 1.5) ** 2) * band


def simple_volume(rng, n_slices=None, matrix=256, lesion_types=None, hard=None, noise=None,
                  step=None):
    g = _simple_geom(rng)
    if step is None:
        step = float(rng.choice([5.0, 5.0, 5.0, 2.5, 1.25, 0.625]))
    if n_slices is None:
        n_slices = int(rng.integers(20, 36)) if step >= 5.0 else int(rng.integers(24, 64))
    fov = rng.uniform(200, 260)
    ps = fov / matrix
    top = g["C"] * 0.95 - step * n_slices
    z0 = rng.uniform(-g["C"] * 1.1, max(-g["C"] * 1.1 + 1, min(-g["C"] * 0.55, top)))
    zs = z0 + step * np.arange(n_slices)
    sub = np.array([-1.0, 0.0, 1.0]) * step / 3  # three samples per slab: partial volume along z
    coords = (np.arange(matrix) - (matrix - 1) / 2) * ps
    yy, xx = np.meshgrid(coords, coords, indexing="ij")
    ang = rng.uniform(-0.25, 0.25)
    rx = xx * np.cos(ang) - yy * np.sin(ang) + rng.uniform(-8, 8)
    ry = xx * np.sin(ang) + yy * np.cos(ang) + rng.uniform(-8, 8)
    tilt = rng.uniform(-0.2, 0.2)
    P = len(sub)
    px = np.broadcast_to(rx, (n_slices, P, matrix, matrix))
    zz = (zs[:, None] + sub[None, :])[:, :, None, None]
    pz = zz + tilt * ry[None, None]
    py = np.broadcast_to(ry, px.shape) * np.cos(tilt)
    pz = np.broadcast_to(pz, px.shape)
    hu, rho, inner, brain, csf, vent, intra = _simple_anatomy(px, py, pz, g)
    if lesion_types is None:
        lesion_types = _random_lesion_types(rng)
    lab = np.zeros(px.shape, bool)
    for k in lesion_types:
        lab |= _lesion_mask(k, rng, px, py, pz, rho, inner, brain, csf, vent, intra, g)
    if hard is None:
        hard = _random_hard(rng)
    _mimics(rng, px, py, pz, hu, rho, inner, intra, vent, brain, g)
    hu = np.where(lab, rng.uniform(45, 85) + 4 * _smooth_noise(rng, px.shape, 1.0), hu)
    _hard_negatives(rng, px, py, pz, hu, intra, vent, brain, hard)
    hu = hu.mean(axis=1)
    lab = lab.mean(axis=1).astype(np.float32)
    hu = ndimage.gaussian_filter(hu, (0, 0.6, 0.6))
    sigma = rng.uniform(3, 8) if noise is None else noise
    hu = hu + sigma * _smooth_noise(rng, hu.shape, (0, 0.7, 0.7)) * 2.2
    if rng.random() < 0.5:
        hu, lab = hu[:, :, ::-1], lab[:, :, ::-1]
    return Volume(np.ascontiguousarray(hu, np.float32), np.ascontiguousarray(lab), (ps, ps, step),
                  "simple", list(lesion_types))


def _random_lesion_types(rng):
    r = rng.random()
    if r < NEGATIVE_FRACTION:
        return []
    n = 1 if r < 0.85 else 2
    return list(rng.choice(LESION_TYPES, n, replace=False))


def _random_hard(rng):
    k = []
    if rng.random() < 0.4:
        k.append("calc")
    if rng.random() < 0.4:
        k.append("streak")
    return k


# ---------------------------------------------------------------------------------------------
# Colin27 pseudo-CT
# ---------------------------------------------------------------------------------------------
_COLIN = None


def _colin():
    """Template-space (1 mm) pseudo-CT and class maps, computed once per process."""
    global _COLIN
    if _COLIN is not None:
        return _COLIN
    packed = _packed("colin.npz")
    if packed is not None:
        t1, bet = packed["t1"].astype(np.float32), packed["bet"] > 0
    else:
        if not os.path.exists(COLIN_T1):
            raise FileNotFoundError(COLIN_T1)
        import nibabel as nib
        t1 = np.asarray(nib.load(COLIN_T1).dataobj, dtype=np.float32)
        bet = np.asarray(nib.load(COLIN_BET).dataobj, dtype=np.float32) > 0
    bet = ndimage.binary_fill_holes(ndimage.binary_closing(bet, iterations=2))
    head = ndimage.binary_fill_holes(ndimage.binary_closing(t1 > np.percentile(t1[t1 > 0], 20),
                                                            iterations=3))
    head = ndimage.binary_opening(head, iterations=2)
    vals = t1[bet]
    q = np.percentile(vals, [5, 35, 85])  # CSF, GM, WM intensity anchors from the brain histogram
    hu = np.full(t1.shape, HU_AIR, np.float32)
    brain_hu = np.interp(t1, [q[0], q[1], q[2]], [HU_CSF, HU_GM, HU_WM]).astype(np.float32)
    csf = bet & (t1 < 0.5 * (q[0] + q[1]))
    # intracranial = brain dilated by ~2 mm of CSF; skull = next 5-7 mm; scalp = the rest of head
    intra = ndimage.binary_dilation(bet, iterations=2)
    # the skull is a closed shell (the T1 head mask is thin at the back, and cutting the skull
    # with it left gaps that no real CT has and that the v2 mask, rightly, does not close)
    skull = ndimage.binary_dilation(intra, iterations=6) & ~intra
    head = head | ndimage.binary_dilation(skull, iterations=3)
    scalp = head & ~intra & ~skull
    hu[scalp] = HU_SCALP
    # bone: T1-dark cortical tables; marrow (fat, T1-bright) gives the diploe
    tmed = np.median(t1[skull]) if skull.any() else 0
    hu[skull] = np.where(t1[skull] > tmed * 1.3, HU_DIPLOE, HU_BONE)
    hu[intra & ~bet] = HU_CSF
    hu[bet] = brain_hu[bet]
    vent = csf & ndimage.binary_erosion(bet, iterations=12)
    ii, jj, kk = np.ogrid[:t1.shape[0], :t1.shape[1], :t1.shape[2]]
    cc = np.array(t1.shape) / 2.0
    # lateral and third ventricles sit centrally and above the posterior fossa
    vent &= (np.abs(ii - cc[0]) < 25) & (np.abs(jj - cc[1] - 10) < 40) & (kk > cc[2] - 5)
    sulcal = (csf | (intra & ~bet)) & ~vent
    depth = ndimage.distance_transform_edt(intra)  # mm below the inner table
    ctr = np.array(t1.shape) / 2.0
    _COLIN = dict(hu=hu, brain=bet, intra=intra, csf=sulcal, vent=vent, depth=depth, ctr=ctr)
    return _COLIN


def _crescent_thickness(kind, dist, rng):
    """Thickness in mm of an SDH (long, thin, rounded profile) or EDH (short, thick, lens) at a
    distance dist from its centre on the inner table. Draws extent, then thickness, from rng."""
    if kind == "SDH":
        ext, t = rng.uniform(45, 80), rng.uniform(3, 22)
        return t * np.sqrt(np.clip(1 - (dist / ext) ** 2, 0, None))
    ext, t = rng.uniform(20, 35), rng.uniform(10, 22)
    return t * np.clip(1 - (dist / ext) ** 2, 0, None)


def _colin_lesion(kind, rng, C, grid):
    """Lesion mask in template space (uint8)."""
    gx, gy, gz = grid
    brain, intra, csf, vent, depth = C["brain"], C["intra"], C["csf"], C["vent"], C["depth"]
    if kind == "IPH":
        cand = np.argwhere(brain & ~vent & (depth > 12))
        c = cand[rng.integers(len(cand))]
        return _lobulated(gx, gy, gz, c, _iph_radius(rng), _lobe_params(rng)) & intra & ~vent
    if kind in ("SDH", "EDH"):
        shell = intra & (depth < 3)
        cand = np.argwhere(shell & (gz > C["ctr"][2] - 20))
        c = cand[rng.integers(len(cand))]
        dist = np.sqrt((gx - c[0]) ** 2 + (gy - c[1]) ** 2 + (gz - c[2]) ** 2)
        return intra & (depth < _crescent_thickness(kind, dist, rng))
    if kind == "SAH":
        cand = np.argwhere(csf & (depth > 2))
        c = cand[rng.integers(len(cand))]
        r = rng.uniform(15, 35)
        return csf & (((gx - c[0]) ** 2 + (gy - c[1]) ** 2 + (gz - c[2]) ** 2) < r * r)
    if kind == "IVH":
        vi = np.argwhere(vent)
        lvl = np.quantile(vi[:, 1], rng.uniform(0.1, 0.6))  # posterior horns sit at low y here
        return vent & (gy < lvl)
    raise ValueError(kind)


def colin_volume(rng, matrix=256, lesion_types=None, hard=None, n_slices=None):
    C = _colin()
    shape = C["hu"].shape
    if lesion_types is None:
        lesion_types = _random_lesion_types(rng)
    # lesions and hard negatives painted in template space, on a bounding box to stay cheap
    hu_t = C["hu"].copy()
    lab_t = np.zeros(shape, np.float32)
    grid = np.meshgrid(*[np.arange(s, dtype=np.float32) for s in shape], indexing="ij",
                       sparse=True)
    for k in lesion_types:
        m = _colin_lesion(k, rng, C, grid)
        lab_t[m] = 1.0
    bleed = lab_t > 0
    hu_t[bleed] = rng.uniform(50, 90)
    if hard is None:
        hard = _random_hard(rng)
    if "calc" in hard:
        cand = np.argwhere(C["brain"] & (C["depth"] > 10))
        for _ in range(rng.integers(1, 5)):
            c = cand[rng.integers(len(cand))]
            r = rng.uniform(1.0, 3.0)
            sl = tuple(slice(max(0, int(c[i] - 4)), int(c[i] + 5)) for i in range(3))
            sub = np.ogrid[sl]
            m = ((sub[0] - c[0]) ** 2 + (sub[1] - c[1]) ** 2 + (sub[2] - c[2]) ** 2) < r * r
            hu_t[sl][m] = rng.uniform(130, 400)
    # output geometry: 5 mm slices, random tilt / rotation / scale / FOV, elastic warp
    step = 5.0
    ps = rng.uniform(0.45, 1.0) * 256 / matrix * (512 / 512)
    ps = float(np.clip(rng.uniform(200, 250) / matrix, 0.4, 1.1))
    if n_slices is None:
        n_slices = int(rng.integers(24, 36))
    tilt = np.deg2rad(rng.uniform(-20, 20))
    rot = np.deg2rad(rng.uniform(-15, 15))
    scale = rng.uniform(0.9, 1.1)
    Rx = np.array([[1, 0, 0], [0, np.cos(tilt), -np.sin(tilt)], [0, np.sin(tilt), np.cos(tilt)]])
    Rz = np.array([[np.cos(rot), -np.sin(rot), 0], [np.sin(rot), np.cos(rot), 0], [0, 0, 1]])
    R = Rz @ Rx / scale
    sub = np.array([-1.67, 0.0, 1.67])
    coords = (np.arange(matrix) - (matrix - 1) / 2) * ps
    zs = (np.arange(n_slices) - (n_slices - 1) / 2) * step + rng.uniform(-10, 15)
    Z = (zs[:, None] + sub[None, :]).ravel()
    yy, xx = np.meshgrid(coords, coords, indexing="ij")
    # output axes: (slice z, row y, col x) -> template (i=x lr, j=y ap, k=z is)
    P = np.stack([np.broadcast_to(xx, (len(Z), matrix, matrix)),
                  np.broadcast_to(-yy, (len(Z), matrix, matrix)),
                  np.broadcast_to(Z[:, None, None], (len(Z), matrix, matrix))], 0)
    T = np.tensordot(R, P.reshape(3, -1), axes=1).reshape(P.shape)
    T += (C["ctr"] + rng.uniform(-6, 6, 3) + np.array([0, -10, 10]))[:, None, None, None]
    # elastic: smooth random displacement, a few mm
    amp = rng.uniform(1.0, 4.0)
    for a in range(3):
        d = ndimage.zoom(rng.standard_normal((4, 5, 5)), np.array(T.shape[1:]) / (4, 5, 5),
                         order=1)
        T[a] += amp * d[: T.shape[1], : T.shape[2], : T.shape[3]]
    hu = ndimage.map_coordinates(hu_t, T, order=1, cval=HU_AIR, prefilter=False)
    lab = ndimage.map_coordinates(lab_t, T, order=1, cval=0.0, prefilter=False)
    hu = hu.reshape(n_slices, len(sub), matrix, matrix).mean(1)
    lab = lab.reshape(n_slices, len(sub), matrix, matrix).mean(1).astype(np.float32)
    if "streak" in hard:
        k0 = rng.integers(0, max(1, n_slices // 3))
        for s in range(k0, min(n_slices, k0 + 4)):
            for _ in range(rng.integers(2, 5)):
                ang = rng.uniform(0, np.pi)
                dist = np.abs(xx * np.sin(ang) - (yy - rng.uniform(-20, 20)) * np.cos(ang))
                hu[s] += rng.choice([-1, 1]) * rng.uniform(20, 60) * np.exp(-(dist / 1.5) ** 2)
    hu = hu * rng.uniform(0.97, 1.03) + rng.uniform(-4, 4)
    hu = hu + rng.uniform(3, 9) * 2.2 * _smooth_noise(rng, hu.shape, (0, 0.7, 0.7))
    if rng.random() < 0.5:
        hu, lab = hu[:, :, ::-1], lab[:, :, ::-1]
    return Volume(np.ascontiguousarray(hu, np.float32), np.ascontiguousarray(lab), (ps, ps, step),
                  "colin", list(lesion_types))


# ---------------------------------------------------------------------------------------------
# lesions inserted into the real GE head CT
# ---------------------------------------------------------------------------------------------
_GE = None


def _packed(name):
    """Sources packed by `ichtrain pack-sources` for a machine without nibabel, pydicom or
    ../shared (the GPU machine): ICH_PHANTOM_SOURCES=DIR."""
    d = os.environ.get("ICH_PHANTOM_SOURCES")
    if d and os.path.exists(os.path.join(d, name)):
        return np.load(os.path.join(d, name))
    return None


def pack_sources(out_dir):
    """Writes colin.npz and ge.npz: the inputs of the colin and ge generators, as read here."""
    import nibabel as nib
    os.makedirs(out_dir, exist_ok=True)
    t1 = np.asarray(nib.load(COLIN_T1).dataobj)
    bet = np.asarray(nib.load(COLIN_BET).dataobj) > 0
    np.savez_compressed(os.path.join(out_dir, "colin.npz"), t1=t1, bet=bet)
    G = _ge()
    np.savez_compressed(os.path.join(out_dir, "ge.npz"), hu=np.round(G["hu"]).astype(np.int16),
                        pos=G["pos"], ps=np.array(G["ps"]))


def ge_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    d = os.environ.get("ICH_SHARED_DIR", os.path.join(here, "..", "..", "..", "shared"))
    return os.path.join(d, "data", "ct-head-ge-tilt")


def _ge():
    global _GE
    if _GE is not None:
        return _GE
    packed = _packed("ge.npz")
    if packed is not None:
        hu, pos, ps = packed["hu"].astype(np.float32), packed["pos"], [float(v) for v in packed["ps"]]
        return _ge_finish(hu, pos, ps)
    import pydicom
    d = ge_dir()
    if not os.path.isdir(d):
        raise FileNotFoundError(d)
    dss = [pydicom.dcmread(os.path.join(d, f)) for f in sorted(os.listdir(d)) if f.endswith(".dcm")]
    iop = np.array(dss[0].ImageOrientationPatient, float)
    nrm = np.cross(iop[:3], iop[3:])
    dss.sort(key=lambda ds: float(np.dot(nrm, np.array(ds.ImagePositionPatient, float))))
    pos = np.array([np.dot(nrm, np.array(ds.ImagePositionPatient, float)) for ds in dss])
    hu = np.stack([ds.pixel_array.astype(np.float32) * float(ds.RescaleSlope)
                   + float(ds.RescaleIntercept) for ds in dss])
    ps = [float(v) for v in dss[0].PixelSpacing]
    return _ge_finish(hu, pos, ps)


def _ge_finish(hu, pos, ps):
    global _GE
    from .preprocess import intracranial_mask_volume
    intra = intracranial_mask_volume(hu, ps[0])
    _GE = dict(hu=hu, pos=pos, ps=ps, intra=intra)
    return _GE


def ge_volume(rng, lesion_types=None, matrix=256):
    G = _ge()
    hu0, intra0 = G["hu"], G["intra"]
    f = hu0.shape[1] // matrix
    hu = hu0.reshape(hu0.shape[0], matrix, f, matrix, f).mean((2, 4))  # 512 -> 256 box average
    intra = intra0.reshape(intra0.shape[0], matrix, f, matrix, f).mean((2, 4)) > 0.5
    ps = G["ps"][0] * f
    S = hu.shape[0]
    zpos = G["pos"] - G["pos"][0]
    yy, xx = np.meshgrid(np.arange(matrix) * ps, np.arange(matrix) * ps, indexing="ij")
    pz = np.broadcast_to(zpos[:, None, None], hu.shape)
    py = np.broadcast_to(yy, hu.shape)
    px = np.broadcast_to(xx, hu.shape)
    depth = np.stack([ndimage.distance_transform_edt(m) * ps for m in intra])
    brain = intra & (depth > 4)
    if lesion_types is None:
        lesion_types = _random_lesion_types(rng)
    lab = np.zeros(hu.shape, bool)
    area = intra.sum(axis=(1, 2))
    ok = area > 0.2 * area.max()  # the v2 mask holds no face tissue; skip only its smallest slices
    for k in lesion_types:
        if k in ("SDH", "EDH"):
            cand = np.argwhere((depth > 0) & (depth < 2) & ok[:, None, None])
            c = cand[rng.integers(len(cand))]
            c = (px[tuple(c)], py[tuple(c)], pz[tuple(c)])
            dist = np.sqrt((px - c[0]) ** 2 + (py - c[1]) ** 2 + (pz - c[2]) ** 2)
            lab |= intra & (depth < _crescent_thickness(k, dist, rng))
        else:
            # IPH everywhere; SAH/IVH approximated by low-density (CSF-like) regions near a seed
            csfish = brain & (hu < 18)
            pool = brain & (depth > 12) if k == "IPH" else csfish
            cand = np.argwhere(pool & ok[:, None, None])
            if len(cand) == 0:
                continue
            c = cand[rng.integers(len(cand))]
            c = (px[tuple(c)], py[tuple(c)], pz[tuple(c)])
            if k == "IPH":
                lab |= _lobulated(px, py, pz, c, rng.uniform(6, 20), _lobe_params(rng)) & brain
            else:
                r = rng.uniform(12, 30)
                near = ((px - c[0]) ** 2 + (py - c[1]) ** 2 + (pz - c[2]) ** 2) < r * r
                lab |= ndimage.binary_dilation(csfish & near, iterations=1) & brain
    lab = lab.astype(np.float32)
    lab = ndimage.gaussian_filter(lab, (0, 0.6, 0.6))
    blood = rng.uniform(50, 90) + 3 * _smooth_noise(rng, hu.shape, 1.0)
    hu = hu * (1 - lab) + blood * lab + rng.uniform(0, 4) * rng.standard_normal(hu.shape)
    lab = (lab >= 0.5).astype(np.float32)
    k = rng.integers(0, 4)
    hu, lab = np.rot90(hu, k, (1, 2)), np.rot90(lab, k, (1, 2))
    if rng.random() < 0.5:
        hu, lab = hu[:, :, ::-1], lab[:, :, ::-1]
    step = float(np.median(np.diff(zpos))) if S > 1 else 5.0
    return Volume(np.ascontiguousarray(hu, np.float32), np.ascontiguousarray(lab), (ps, ps, step),
                  "ge", list(lesion_types))


def scanner(rng, hu):
    """What differs between scanners and protocols: HU calibration offset (+-8), reconstruction
    kernel (sharp or smooth), extra noise, and now and then an 8-bit windowed export where
    everything outside the window is clipped and the rest quantised to 256 levels."""
    hu = hu + rng.uniform(-8, 8)
    k = rng.random()
    if k < 0.3:
        hu = hu + rng.uniform(0.3, 1.0) * (hu - ndimage.gaussian_filter(hu, (0, 1.0, 1.0)))
    elif k < 0.6:
        hu = ndimage.gaussian_filter(hu, (0, rng.uniform(0.4, 0.9), rng.uniform(0.4, 0.9)))
    hu = hu + rng.uniform(0, 5) * rng.standard_normal(hu.shape)
    if rng.random() < EIGHT_BIT_FRACTION:
        c, w = rng.uniform(35, 45), rng.uniform(80, 120)
        lo = c - w / 2
        hu = lo + np.round(np.clip((hu - lo) / w, 0, 1) * 255) * w / 255
    return np.asarray(hu, np.float32)


EIGHT_BIT_FRACTION = 0.08
GENERATOR_VERSION = 3


def make_volume(kind, seed, matrix=256):
    rng = np.random.default_rng(seed)
    if kind == "simple":
        v = simple_volume(rng, matrix=matrix)
    elif kind == "colin":
        v = colin_volume(rng, matrix=matrix)
    elif kind == "ge":
        v = ge_volume(rng, matrix=matrix)
    else:
        raise ValueError(kind)
    v.hu = np.ascontiguousarray(scanner(rng, v.hu))
    return v
