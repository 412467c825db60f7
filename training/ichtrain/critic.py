"""Realism critic: BLAST-CT v1 (one DeepMedic model trained on 184 real TBI head CTs) run on phantoms.

The weights live in ../shared/data/blast-ct-v1 (Apache-2.0) and are read in place, never copied.
The network is rebuilt here from its description and the state_dict's key names and shapes:

- three pathways, keys ``path(5, 5, 5)0``, ``path(3, 3, 3)1``, ``path(1, 1, 1)2``; each is a
  Sequential whose index 0 subsamples the (centre-cropped) input by strided slicing with phase s//2,
  indices 1..8 are pre-activation blocks (BatchNorm -> PReLU(1 weight) -> 3x3x3 valid conv, no bias;
  a residual centre crop of the input is added where in == out channels), index 9 upsamples by
  nearest-neighbour repetition; the upsampled map is centre-cropped to the common output size;
- the scale-5 path fixes the sizes: output o needs input 5 * (ceil(o / 5) + 16), so o + 80 for o a
  multiple of 5 (training patch 110 -> output 30); the scale-3 and scale-1 paths take centre crops of
  3 * (ceil(o / 3) + 16) and o + 16 voxels of that same input;
- ``fully_connected.0..2``: 1x1x1 pre-activation blocks 150 -> 250 -> 250 -> 5 (the 250 -> 250 one
  residual); logits over background, IPH, EAH, oedema, IVH.
Input: HU clipped to -15..100 and mapped linearly to -1..1, about 1 mm isotropic voxels, axes
(inferior->superior, anterior->posterior, right->left) as ITK's reoriented arrays; the original
pads patches at the image border by edge replication, as done here.

A critic, never part of the product: on 9 held-out real normals this single model found no
hemorrhage, on 9 bleeds it under-segmented (about a third of the volume, Dice 0.29).
"""
from __future__ import annotations

import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from scipy import ndimage

CLASS_NAMES = ("background", "IPH", "EAH", "oedema", "IVH")
HEMORRHAGE_CLASSES = ("IPH", "EAH", "IVH")
WINDOW_HU = (-15.0, 100.0)
SCALE_FACTORS = (5, 3, 1)
FEATURE_MAPS = (30, 30, 40, 40, 40, 40, 50, 50)
FULLY_CONNECTED = (250, 250)
CONTEXT = 80  # input voxels beyond the output, per axis (40 each side)
MIMIC = "critic calls a synthetic normal hemorrhage: unrealistic mimic"
MISS = "critic misses a synthetic bleed: unrealistic lesion"
AGREES = "agrees"


def shared_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get("ICH_SHARED_DIR", os.path.join(here, "..", "..", "..", "shared"))


def blast_path():
    return os.path.join(shared_dir(), "data", "blast-ct-v1", "model_1.pt")


# ---------------------------------------------------------------------------------------------
# network
# ---------------------------------------------------------------------------------------------
def _crop_center(x, size):
    """Centre crop of the spatial axes, with the original's rounding (start c//2 - s//2)."""
    if tuple(x.shape[2:]) == tuple(size):
        return x
    sl = tuple(slice(c // 2 - s // 2, c // 2 - s // 2 + s) for c, s in zip(x.shape[2:], size))
    return x[(slice(None), slice(None)) + sl]


class _PreAct(nn.Module):
    def __init__(self, cin, cout, k):
        super().__init__()
        self.bn = nn.BatchNorm3d(cin)
        self.conv = nn.Conv3d(cin, cout, kernel_size=k, bias=False)
        self.prelu = nn.PReLU()
        self.k = k
        self.residual = cin == cout

    def forward(self, x):
        out = self.conv(self.prelu(self.bn(x)))
        if self.residual:
            m = self.k // 2
            out = out + (x[:, :, m:-m, m:-m, m:-m] if m else x)
        return out


class _Down(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.s = s

    def forward(self, x):
        s = self.s
        return x[:, :, s // 2::s, s // 2::s, s // 2::s].contiguous() if s > 1 else x


class _Up(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.s = s

    def forward(self, x):
        return F.interpolate(x, scale_factor=self.s, mode="nearest") if self.s > 1 else x


class _Path(nn.Module):
    def __init__(self, s, cin=1, fmaps=FEATURE_MAPS):
        super().__init__()
        self.s = s
        layers = [_Down(s)]
        for i, f in enumerate(fmaps):
            layers.append(_PreAct(fmaps[i - 1] if i else cin, f, 3))
        layers.append(_Up(s))
        self.path = nn.Sequential(*layers)
        self.n_conv = len(fmaps)

    def input_size(self, out):
        s = self.s
        return tuple(s * (-(-o // s) + 2 * self.n_conv) for o in out)

    def forward(self, x, out):
        x = _crop_center(x, self.input_size(out)).contiguous()
        return _crop_center(self.path(x), out)


class BlastDeepMedic(nn.Module):
    def __init__(self, cin=1, n_classes=5):
        super().__init__()
        self.paths = []
        for i, s in enumerate(SCALE_FACTORS):
            p = _Path(s, cin)
            self.add_module(f"path{(s, s, s)}{i}", p)
            self.paths.append(p)
        ch = (FEATURE_MAPS[-1] * len(SCALE_FACTORS),) + FULLY_CONNECTED + (n_classes,)
        self.fully_connected = nn.Sequential(*[_PreAct(ch[i], ch[i + 1], 1) for i in range(len(ch) - 1)])

    @staticmethod
    def output_size(inp):
        s, n = SCALE_FACTORS[0], len(FEATURE_MAPS)
        out = tuple(((i - s) // s + 1 - 2 * n) * s for i in inp)
        if any(o <= 0 for o in out) or tuple(s * (-(-o // s) + 2 * n) for o in out) != tuple(inp):
            raise ValueError(f"input size {inp} is not one the network accepts (o + 80, o % 5 == 0)")
        return out

    def forward(self, x):
        out = self.output_size(tuple(x.shape[2:]))
        return self.fully_connected(torch.cat([p(x, out) for p in self.paths], 1))


def load_blast(path=None) -> nn.Module:
    """The BLAST-CT v1 model_1 state_dict, loaded strictly (every key consumed, shapes equal)."""
    path = path or blast_path()
    if os.path.isdir(path):
        path = os.path.join(path, "model_1.pt")
    sd = torch.load(path, map_location="cpu")
    net = BlastDeepMedic()
    net.load_state_dict(sd, strict=True)
    return net.eval()


# ---------------------------------------------------------------------------------------------
# inference
# ---------------------------------------------------------------------------------------------
def auto_device():
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _resampled_shape(shape, spacing_zyx, target_zyx):
    return tuple(max(1, int(round((n - 1) * sp / t)) + 1) for n, sp, t in zip(shape, spacing_zyx, target_zyx))


def resample(vol, spacing, target_mm=(1.0, 1.0, 1.0), order=1):
    """[S,R,C] with spacing (row, col, slice) mm -> grid of target_mm (row, col, slice), corners kept."""
    sp = (spacing[2], spacing[0], spacing[1])
    tg = (target_mm[2], target_mm[0], target_mm[1])
    shape = _resampled_shape(vol.shape, sp, tg)
    zoom = [(o - 1) / (n - 1) if n > 1 else 1.0 for o, n in zip(shape, vol.shape)]
    out = ndimage.zoom(np.asarray(vol, np.float32), zoom, order=order, mode="nearest", grid_mode=False)
    return out[: shape[0], : shape[1], : shape[2]]


def normalise(hu):
    lo, hi = WINDOW_HU
    x = np.clip(hu, lo, hi)
    return ((2.0 * x - lo - hi) / (hi - lo)).astype(np.float32)


def head_box(hu_rs, margin=5):
    """Bounding box (per axis start, stop) of the head's soft tissue and brain on the 1 mm grid."""
    m = (hu_rs > -200) & (hu_rs < 200)
    lab, n = ndimage.label(ndimage.binary_opening(m, iterations=2))
    if n:
        sizes = ndimage.sum_labels(np.ones_like(lab), lab, range(1, n + 1))
        m = lab == (1 + int(np.argmax(sizes)))
    if not m.any():
        return tuple((0, s) for s in hu_rs.shape)
    idx = [np.nonzero(m.any(axis=tuple(j for j in range(3) if j != a)))[0] for a in range(3)]
    return tuple((max(0, int(i[0]) - margin), min(s, int(i[-1]) + 1 + margin)) for i, s in zip(idx, hu_rs.shape))


def intracranial_box(hu_rs, margin=6, bone_hu=300.0, min_area=1500):
    """Box on the 1 mm grid around what the skull encloses (axial slices whose closed bone ring
    encloses >= min_area mm^2 of -15..130 HU), plus margin voxels; None where no skull is found."""
    bone = hu_rs > bone_hu
    inside = np.zeros(hu_rs.shape, bool)
    st = ndimage.generate_binary_structure(2, 1)
    for k in range(hu_rs.shape[0]):
        if bone[k].sum() < 50:
            continue
        ring = ndimage.binary_closing(bone[k], st, iterations=3, border_value=0)
        enc = ndimage.binary_fill_holes(ring) & ~ring & (hu_rs[k] > -15) & (hu_rs[k] < 130)
        if enc.sum() >= min_area:
            inside[k] = enc
    if not inside.any():
        return None
    idx = [np.nonzero(inside.any(axis=tuple(j for j in range(3) if j != a)))[0] for a in range(3)]
    return tuple((max(0, int(i[0]) - margin), min(s, int(i[-1]) + 1 + margin)) for i, s in zip(idx, hu_rs.shape))


def _tile_size(device):
    return 150 if device.type == "cuda" else 90


@torch.inference_mode()
def segment(net, x, box, device, tile=None):
    """Argmax labels [box] of a normalised 1 mm volume x, tiled; edges replicated as the original."""
    tile = tile or _tile_size(device)
    assert tile % 15 == 0
    # deep activations of this network go denormal on CPU (x86 then runs 10-20x slower)
    flush = device.type == "cpu" and torch.set_flush_denormal(True)
    try:
        return _segment(net, x, box, device, tile)
    finally:
        if flush:
            torch.set_flush_denormal(False)


def _segment(net, x, box, device, tile):
    c = CONTEXT // 2
    # align the box start to multiples of 15 so the 5x and 3x subsampling phases do not depend on it
    start = [b0 - (b0 % 15) for b0, _ in box]
    lens = [b1 - a for a, (_, b1) in zip(start, box)]
    # per axis: as few tiles as `tile` allows, each a multiple of 15 long
    tl = [int(np.ceil(L / int(np.ceil(L / tile)) / 15.0)) * 15 for L in lens]
    ext = [int(np.ceil(L / t)) * t for L, t in zip(lens, tl)]
    pad = [(c, c + max(0, a + e - s)) for a, e, s in zip(start, ext, x.shape)]
    xp = np.pad(x, pad, mode="edge")
    lab = np.zeros(ext, np.uint8)
    for z in range(0, ext[0], tl[0]):
        for y in range(0, ext[1], tl[1]):
            for w in range(0, ext[2], tl[2]):
                o = (z, y, w)
                # xp index of x position p is p + c; a tile's input starts c before its output
                sl = tuple(slice(start[a] + o[a], start[a] + o[a] + tl[a] + CONTEXT) for a in range(3))
                t = torch.from_numpy(np.ascontiguousarray(xp[sl]))[None, None].to(device)
                lab[z:z + tl[0], y:y + tl[1], w:w + tl[2]] = net(t)[0].argmax(0).to(torch.uint8).cpu().numpy()
    sub = tuple(slice(b0 - a, b1 - a) for (b0, b1), a in zip(box, start))
    return lab[sub]


def hemorrhage_ml(net, hu, spacing, device=None, target_mm=(1.0, 1.0, 1.0), roi=None, tile=None,
                  return_seg=False) -> dict:
    """Predicted hemorrhage (IPH + EAH + IVH) volume in mL of one [S,R,C] HU volume.

    spacing: (row_mm, col_mm, slice_mm); the volume is resampled to target_mm (row, col, slice).
    roi: optional ((s0,s1),(r0,r1),(c0,c1)) in voxels of the resampled grid; default: the box of
    what the skull encloses plus 6 mm, or the whole head's box where the skull's rings are not
    found through at least half of the head's extent along the slices.
    Voxels outside the box are counted as background (the whole image keeps its context).
    """
    device = torch.device(device) if device is not None else auto_device()
    net = net.to(device).eval()
    t0 = time.time()
    hu_rs = resample(hu, spacing, target_mm, order=1)
    x = normalise(hu_rs)
    if roi is None:
        roi = head_box(hu_rs)
        ic = intracranial_box(hu_rs)
        if ic is not None and (ic[0][1] - ic[0][0]) >= 0.5 * (roi[0][1] - roi[0][0]):
            roi = ic  # the skull ring was found through most of the head (else: open rings, cut FOV)
    box = tuple(tuple(int(v) for v in b) for b in roi)
    seg = segment(net, x, box, device, tile)
    vox_ml = float(np.prod(target_mm)) / 1000.0
    counts = np.bincount(seg.ravel(), minlength=len(CLASS_NAMES))
    per = {n: float(counts[i] * vox_ml) for i, n in enumerate(CLASS_NAMES) if i}
    out = {"hemorrhage_ml": float(sum(per[n] for n in HEMORRHAGE_CLASSES)), "per_class_ml": per,
           "box": [list(b) for b in box], "grid": list(hu_rs.shape), "target_mm": list(target_mm),
           "seconds": time.time() - t0, "device": str(device)}
    if return_seg:
        full = np.zeros(hu_rs.shape, np.uint8)
        full[tuple(slice(a, b) for a, b in box)] = seg
        out["seg"] = full
    return out


def ge_real(step_mm=1.0):
    """The real GE head CT (no hemorrhage) as (hu [S,R,C], (row, col, slice) mm) on a regular grid.

    Slices sorted along the slice normal; the gantry tilt's shear is undone from each slice's
    ImagePositionPatient (its in-plane offset from the first slice); the uneven slice positions
    (1.08 to 6.99 mm steps) are interpolated linearly onto step_mm.
    """
    import pydicom
    d = os.path.join(shared_dir(), "data", "ct-head-ge-tilt")
    dss = [pydicom.dcmread(os.path.join(d, f)) for f in sorted(os.listdir(d)) if f.endswith(".dcm")]
    iop = np.array(dss[0].ImageOrientationPatient, float)
    rdir, cdir = iop[:3], iop[3:]          # along a row (column index), along a column (row index)
    nrm = np.cross(rdir, cdir)
    dss.sort(key=lambda ds: float(np.dot(nrm, np.array(ds.ImagePositionPatient, float))))
    ipp = np.array([ds.ImagePositionPatient for ds in dss], float)
    ps = [float(v) for v in dss[0].PixelSpacing]  # (row spacing, column spacing)
    hu = []
    for ds, p in zip(dss, ipp):
        im = ds.pixel_array.astype(np.float32) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
        dp = p - ipp[0]
        shift = (np.dot(dp, cdir) / ps[0], np.dot(dp, rdir) / ps[1])
        hu.append(ndimage.shift(im, shift, order=1, mode="nearest") if np.hypot(*shift) > 1e-3 else im)
    hu = np.stack(hu)
    z = ipp @ nrm
    z = z - z[0]
    zs = np.arange(0.0, z[-1] + 1e-6, step_mm)
    i = np.clip(np.searchsorted(z, zs, side="right") - 1, 0, len(z) - 2)
    w = ((zs - z[i]) / np.maximum(z[i + 1] - z[i], 1e-6)).astype(np.float32)[:, None, None]
    out = hu[i] * (1 - w) + hu[i + 1] * w
    return np.ascontiguousarray(out, np.float32), (ps[0], ps[1], float(step_mm))


# ---------------------------------------------------------------------------------------------
# report on phantoms
# ---------------------------------------------------------------------------------------------
def verdict(truth_ml, critic_ml, critic_on_truth_ml, min_ml=1.0, found_fraction=0.1):
    """Normal (truth < 0.05 mL) with critic >= min_ml: mimic. Bleed (truth >= min_ml) whose own
    voxels (2 mm tolerance) hold < found_fraction of its volume in critic hemorrhage: miss."""
    if truth_ml < 0.05 and critic_ml >= min_ml:
        return MIMIC
    if truth_ml >= min_ml and critic_on_truth_ml < found_fraction * truth_ml:
        return MISS
    return AGREES


def critic_one(net, vol, device=None, target_mm=(1.0, 1.0, 1.0)):
    r = hemorrhage_ml(net, vol.hu, vol.spacing, device, target_mm, return_seg=True)
    seg = r.pop("seg")
    row, col, sl = vol.spacing
    truth_ml = float(np.asarray(vol.label, np.float64).sum() * row * col * sl / 1000.0)
    lab = resample(vol.label, vol.spacing, target_mm, order=1) >= 0.5
    near = ndimage.binary_dilation(lab, iterations=2) if lab.any() else lab
    hem = np.isin(seg, [CLASS_NAMES.index(n) for n in HEMORRHAGE_CLASSES])
    on = float((hem & near).sum() * np.prod(target_mm) / 1000.0)
    return {"kind": vol.kind, "lesion_types": [str(t) for t in vol.lesion_types],
            "truth_ml": round(truth_ml, 2), "critic_ml": round(r["hemorrhage_ml"], 2),
            "critic_on_truth_ml": round(on, 2),
            "critic_per_class_ml": {k: round(v, 2) for k, v in r["per_class_ml"].items()},
            "verdict": verdict(truth_ml, r["hemorrhage_ml"], on), "seconds": round(r["seconds"], 1),
            "device": r["device"], "grid": r["grid"]}


def critic_report(kinds, n, seed0=0, matrix=256, net=None, device=None, log=print) -> list:
    from .phantoms import make_volume
    net = net or load_blast()
    rows = []
    for kind in kinds:
        for i in range(n):
            seed = seed0 + i
            t0 = time.time()
            vol = make_volume(kind, seed, matrix)
            rec = {"seed": seed, **critic_one(net, vol, device)}
            rec["kind"] = kind
            rec["total_seconds"] = round(time.time() - t0, 1)
            rows.append(rec)
            if log:
                log(_row(rec))
    return rows


def _row(r):
    return (f"{r['kind']:<7}{r['seed']:>5} {','.join(r['lesion_types']) or '-':<10}{r['truth_ml']:>9.1f}"
            f"{r['critic_ml']:>9.1f}{r['critic_on_truth_ml']:>9.1f}{r['total_seconds']:>7.0f}s  {r['verdict']}")


HEADER = f"{'kind':<7}{'seed':>5} {'lesions':<10}{'truth':>9}{'critic':>9}{'on-true':>9}{'time':>8}  verdict (mL)"


def add_cli(sub):
    c = sub.add_parser("critic", help="BLAST-CT v1 realism critic on phantoms (../shared weights)")
    c.add_argument("--kinds", default="simple,colin,ge")
    c.add_argument("--n", type=int, default=3)
    c.add_argument("--seed0", type=int, default=0)
    c.add_argument("--matrix", type=int, default=256)
    c.add_argument("--device", default=None, help="cuda / cpu; default: cuda when available")
    c.add_argument("--weights", default=None, help="model_1.pt; default ../shared/data/blast-ct-v1")
    c.add_argument("--out", required=True)
    return c


def run_cli(a):
    device = torch.device(a.device) if a.device else auto_device()
    if device.type == "cpu":
        torch.set_num_threads(int(os.environ.get("ICH_CRITIC_THREADS", "1")))
    else:
        torch.backends.cudnn.benchmark = True
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time()
    net = load_blast(a.weights)
    print(f"BLAST-CT v1 model_1 on {device}; verdict: mimic if normal >= 1 mL, miss if < 10 % of a bleed found")
    print(HEADER)
    rows = critic_report([k for k in a.kinds.split(",") if k], a.n, a.seed0, a.matrix, net, device)
    doc = {"model": "BLAST-CT v1 model_1 (DeepMedic)", "device": str(device), "kinds": a.kinds, "n": a.n,
           "seed0": a.seed0, "matrix": a.matrix, "seconds": round(time.time() - t0, 1), "volumes": rows}
    with open(os.path.join(a.out, "critic.json"), "w") as f:
        json.dump(doc, f, indent=1)
    counts = {v: sum(r["verdict"] == v for r in rows) for v in (AGREES, MIMIC, MISS)}
    print(f"{len(rows)} volumes in {doc['seconds']:.0f}s: {counts[AGREES]} agree, {counts[MIMIC]} mimic, "
          f"{counts[MISS]} miss -> {os.path.join(a.out, 'critic.json')}")
    return 0
