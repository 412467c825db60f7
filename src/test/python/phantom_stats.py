"""Measures the statistics of the Python `simple_volume` phantom that docs/phantom.md records and
HeadPhantomParityTest compares the Java port against. Run by hand, never from a test:

    /usr/bin/python3 src/test/python/phantom_stats.py /path/to/training [n_per_type]

Definitions (the Java test uses the same ones):
- class of a voxel: the noise-free anatomy class of its three z-subsamples when all three agree,
  eroded in plane by 2 pixels (4-connected) so the 0.6 px blur cannot reach it;
- skull = cortical bone or diploe; csf = any CSF-valued class (sulci, ventricles, cisterns);
- non-lesion classes exclude lesion subsamples; lesion = all three subsamples inside a lesion, eroded the same way;
- truth volume = (label >= 0.5) voxel count x voxel size, in ml;
- icfrac = pixels of the docs/preprocessing.md intracranial mask / all pixels, whole volume;
- scalp_slices = slices whose non-empty mask is less than 90 % noise-free intracranial space.
"""
import json
import sys

import numpy as np
from scipy import ndimage

sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else "training")
from ichtrain import phantoms as P  # noqa: E402
from ichtrain.preprocess import intracranial_mask  # noqa: E402

N_PER_TYPE = int(sys.argv[2]) if len(sys.argv) > 2 else 2

captured = {}
_orig_anat, _orig_les = P._simple_anatomy, P._lesion_mask


def _anat(*a, **k):
    out = _orig_anat(*a, **k)
    captured["hu"], captured["intra"] = out[0].copy(), out[6].copy()
    captured["les"] = np.zeros(out[0].shape, bool)
    return out


def _les(*a, **k):
    m = _orig_les(*a, **k)
    captured["les"] |= m
    return m


P._simple_anatomy, P._lesion_mask = _anat, _les


def pure(mask4):
    m = mask4.all(axis=1)
    return np.stack([ndimage.binary_erosion(s, iterations=2) for s in m])


def stats(vals):
    return (float(vals.mean()), float(vals.std())) if vals.size else (None, None)


def one(seed, types):
    rng = np.random.default_rng(seed)
    vol = P.simple_volume(rng, lesion_types=types, hard=[])
    clean = captured["hu"]
    cm = clean.mean(axis=1)
    flipped = np.abs(vol.hu - cm[:, :, ::-1]).mean() < np.abs(vol.hu - cm).mean()
    f = (lambda a: a[..., ::-1]) if flipped else (lambda a: a)
    hu = vol.hu
    classes = {"wm": clean == P.HU_WM, "gm": clean == P.HU_GM, "csf": clean == P.HU_CSF,
               "skull": (clean == P.HU_BONE) | (clean == P.HU_DIPLOE), "lesion": captured["les"]}
    out = {"seed": seed, "types": types, "slices": int(hu.shape[0]), "ps": vol.spacing[0]}
    for name, m in classes.items():
        if name != "lesion":
            m = m & ~captured["les"]
        out[name + "_mean"], out[name + "_std"] = stats(hu[f(pure(m))])
    vox = vol.spacing[0] * vol.spacing[1] * vol.spacing[2]
    out["truth_ml"] = float((vol.label >= 0.5).sum() * vox / 1000.0)
    intra = f(captured["intra"].mean(axis=1) >= 0.5)
    masks = np.stack([intracranial_mask(s.astype(np.float64)) for s in hu])
    out["icfrac"] = float(masks.mean())
    bad = 0
    for s in range(hu.shape[0]):
        if masks[s].any() and (masks[s] & intra[s]).sum() < 0.9 * masks[s].sum():
            bad += 1
    out["scalp_slices"] = bad
    return out


rows = []
seed = 1000
for t in [[]] + [[k] for k in P.LESION_TYPES]:
    for _ in range(N_PER_TYPE):
        r = one(seed, t)
        rows.append(r)
        print(json.dumps(r), flush=True)
        seed += 1
keys = [k for k in rows[0] if k.endswith(("_mean", "_std")) or k in ("icfrac", "scalp_slices")]
print("# summary over", len(rows), "phantoms: min / mean / max")
for k in keys:
    v = np.array([r[k] for r in rows if r[k] is not None], float)
    print(f"{k:12s} {v.min():9.3f} {v.mean():9.3f} {v.max():9.3f}")
for t in P.LESION_TYPES:
    v = np.array([r["truth_ml"] for r in rows if r["types"] == [t]])
    print(f"truth_ml {t:4s} {v.min():9.3f} {v.mean():9.3f} {v.max():9.3f}")
