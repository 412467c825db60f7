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


def _lobe_params(rng):
    n = rng.integers(2, 4)
    return (rng.integers(2, 5, n), rng.uniform(0, 2 * np.pi, n), rng.uniform(0.08, 0.2, n))


# ---------------------------------------------------------------------------------------------
# simple analytic phantom
# ---------------------------------------------------------------------------------------------

def _simple_anatomy(px, py, pz, g):
    """Returns (hu, inner_rho, brain_rho, csf_space, ventricle) for points in mm."""
    A, B, C = g["A"], g["B"], g["C"]
    rho = np.sqrt((px / A) ** 2 + (py / B) ** 2 + (pz / C) ** 2)  # 1 = outer skull
    th = np.arctan2(py, px)
    skull_t = g["skull_t"] / A
    inner = 1 - skull_t
    hu = np.full(px.shape, HU_AIR)
    scalp = (rho >= 1) & (rho < 1 + g["scalp_t"] / A)
    hu[scalp] = HU_SCALP
    bone = (rho >= inner) & (rho < 1)
    hu[bone] = HU_BONE
    dip = (rho >= inner + 0.3 * skull_t) & (rho < 1 - 0.3 * skull_t)
    hu[dip] = HU_DIPLOE
    intra = rho < inner
    hu[intra] = HU_CSF
    # gyri: cortex boundary modulated by angle and height
    gyr = 0.025 * np.sin(g["gyri"] * th + 0.2 * pz) * np.sin(0.35 * pz + g["gph"])
    brain_edge = inner - 3.0 / A
    brain = rho < brain_edge + gyr - 0.01
    hu[brain] = HU_GM
    wm = rho < brain_edge - 0.1 + 1.5 * gyr
    hu[wm] = HU_WM
    # deep grey (basal ganglia)
    for sx in (-1, 1):
        bg = ((px - sx * 22) / 12) ** 2 + ((py - 5) / 16) ** 2 + ((pz + 5) / 14) ** 2 < 1
        hu[bg & intra] = HU_GM - 2
    # lateral ventricles
    vent = np.zeros(px.shape, bool)
    for sx in (-1, 1):
        vent |= (((px - sx * g["vx"]) / g["vw"]) ** 2 + ((py - 5) / g["vl"]) ** 2
                 + ((pz - 10) / 18) ** 2) < 1
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


def _simple_geom(rng):
    return {
        "A": rng.uniform(68, 78), "B": rng.uniform(85, 98), "C": rng.uniform(70, 82),
        "skull_t": rng.uniform(5, 8), "scalp_t": rng.uniform(3, 6), "gyri": rng.integers(14, 24),
        "gph": rng.uniform(0, 6.28), "vx": rng.uniform(5, 9), "vw": rng.uniform(3, 7),
        "vl": rng.uniform(18, 28),
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
        return _lobulated(px, py, pz, c, rng.uniform(6, 22), _lobe_params(rng)) & intra
    if kind in ("SDH", "EDH"):
        az, el = rng.uniform(-np.pi, np.pi), rng.uniform(-0.2, 0.9)
        d = np.array([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)])
        r = np.sqrt(px ** 2 + py ** 2 + pz ** 2) + 1e-9
        cosang = (px * d[0] + py * d[1] + pz * d[2]) / r
        ang = np.arccos(np.clip(cosang, -1, 1))
        depth = (inner - rho) * A  # mm below the inner table
        if kind == "SDH":
            ext, t = rng.uniform(0.6, 1.1), rng.uniform(4, 14)
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


def simple_volume(rng, n_slices=None, matrix=256, lesion_types=None, hard=None, noise=None):
    g = _simple_geom(rng)
    step = 5.0
    if n_slices is None:
        n_slices = int(rng.integers(20, 36))
    fov = rng.uniform(200, 260)
    ps = fov / matrix
    z0 = rng.uniform(-g["C"] * 0.95, -g["C"] * 0.6)
    zs = z0 + step * np.arange(n_slices)
    sub = np.array([-1.67, 0.0, 1.67])  # three samples per 5 mm slab: partial volume along z
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
    hu = np.where(lab, rng.uniform(50, 90) + 4 * _smooth_noise(rng, px.shape, 1.0), hu)
    if hard is None:
        hard = _random_hard(rng)
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
    if r < 0.2:
        return []
    n = 1 if r < 0.8 else 2
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
    skull = ndimage.binary_dilation(intra, iterations=6) & head & ~intra
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
        ext, t = rng.uniform(45, 80), rng.uniform(4, 14)
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
        return _lobulated(gx, gy, gz, c, rng.uniform(6, 22), _lobe_params(rng)) & intra & ~vent
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


def ge_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    d = os.environ.get("ICH_SHARED_DIR", os.path.join(here, "..", "..", "..", "shared"))
    return os.path.join(d, "data", "ct-head-ge-tilt")


def _ge():
    global _GE
    if _GE is not None:
        return _GE
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
    from .preprocess import intracranial_mask
    intra = np.stack([intracranial_mask(s) for s in hu])
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
    ok = area > 0.5 * area.max()  # skip the skull-base slices, where the mask holds face tissue
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


def make_volume(kind, seed, matrix=256):
    rng = np.random.default_rng(seed)
    if kind == "simple":
        return simple_volume(rng, matrix=matrix)
    if kind == "colin":
        return colin_volume(rng, matrix=matrix)
    if kind == "ge":
        return ge_volume(rng, matrix=matrix)
    raise ValueError(kind)
