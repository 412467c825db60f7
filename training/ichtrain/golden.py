"""Golden vectors that let the Java side prove parity (preprocessing and model outputs)."""
from __future__ import annotations

import base64
import glob
import json
import os
import shutil

import numpy as np
import torch

from . import phantoms
from .export import sha256_of
from .model import VolumeGraph
from .preprocess import preprocess_stored

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GOLDEN_DIR = os.path.join(REPO, "src", "test", "resources", "golden")
GE_DIR = os.environ.get("ICH_SHARED_DIR", os.path.join(REPO, "..", "shared"))


def b64(a: np.ndarray, dtype: str) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype=np.dtype(dtype)).tobytes()).decode()


def write_preprocess_case(out_dir, case, stored, slope, intercept, pixel_representation,
                          input_size):
    stored = np.asarray(stored)
    if pixel_representation == 1:
        assert stored.min() >= -32768 and stored.max() <= 32767
    expected, mask = preprocess_stored(stored, slope, intercept, input_size)
    doc = {
        "case": case, "rows": int(stored.shape[0]), "cols": int(stored.shape[1]),
        "slope": float(slope), "intercept": float(intercept),
        "pixel_representation": int(pixel_representation), "input_size": int(input_size),
        "stored_b64": b64(stored, "<i2"), "mask_b64": b64(mask.astype(np.uint8), "u1"),
        "expected_b64": b64(expected, "<f4"),
        "mask_pixels": int(mask.sum()),
    }
    path = os.path.join(out_dir, f"preprocess-{case}.json")
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def hu_to_stored(hu, intercept=-1024.0):
    return np.clip(np.round(hu - intercept), -32768, 32767).astype(np.int16)


def write_preprocess_cases(out_dir, input_size):
    written = []
    rng = np.random.default_rng(1234)
    vol = phantoms.simple_volume(rng, n_slices=20, matrix=256, lesion_types=["IPH"])
    s = vol.hu.shape[0] // 2
    written.append(write_preprocess_case(out_dir, "phantom-simple", hu_to_stored(vol.hu[s]), 1.0,
                                         -1024.0, 1, input_size))
    try:
        rv = phantoms.colin_volume(np.random.default_rng(99), matrix=256, lesion_types=["SDH"])
        s = rv.hu.shape[0] // 2
        written.append(write_preprocess_case(out_dir, "colin-pseudo-ct", hu_to_stored(rv.hu[s]),
                                             1.0, -1024.0, 1, input_size))
    except FileNotFoundError as e:
        print("skip colin case:", e)
    air = np.full((128, 160), -1000.0) + rng.normal(0, 5, (128, 160))
    # a few scattered soft-tissue pixels: candidates exist but stay under the 0.5 % rule
    air[10:14, 10:14] = 40.0
    written.append(write_preprocess_case(out_dir, "air-only", hu_to_stored(air, -1024.0), 1.0,
                                         -1024.0, 1, input_size))
    ge = os.path.join(GE_DIR, "data", "ct-head-ge-tilt")
    if os.path.isdir(ge):
        import pydicom
        ds = pydicom.dcmread(os.path.join(ge, "14.dcm"))
        stored = ds.pixel_array
        written.append(write_preprocess_case(
            out_dir, "ge-head-real", stored, float(getattr(ds, "RescaleSlope", 1)),
            float(getattr(ds, "RescaleIntercept", 0)), int(ds.PixelRepresentation), input_size))
        shutil.copy(os.path.join(ge, "LICENSE.dcm_qa_ct"),
                    os.path.join(out_dir, "LICENSE.ge-head-real.txt"))
        with open(os.path.join(out_dir, "README.md"), "w") as f:
            f.write("preprocess-ge-head-real.json holds one slice (14.dcm) of the dcm_qa_ct GE "
                    "head CT (BSD-2-Clause, licence text in LICENSE.ge-head-real.txt).\n"
                    "All other vectors are synthetic. model-slexnet-ich.json holds PyTorch "
                    "eval-mode outputs of models/slexnet-ich.pt for 4 preprocessed phantom slices "
                    "(the ONNX file's sha256 is inside). Written by `/usr/bin/python3 -m ichtrain "
                    "golden` from training/ (formats: training/README.md).\n")
    else:
        print("skip GE case: no", ge)
    return written


def write_model_golden(out_dir, net, onnx_path, name, slices=None, seed=7):
    net = net.eval()
    n = net.cfg.input_size
    if slices is None:  # two slices still give each one a neighbour; at 256 four would be 8 MB of JSON
        slices = 4 if n <= 128 else 2
    rng = np.random.default_rng(seed)
    vol = phantoms.simple_volume(rng, n_slices=24, matrix=256, lesion_types=["IPH"])
    from .preprocess import preprocess_volume
    x, _ = preprocess_volume(vol.hu, n, vol.spacing[0])
    centre = int(np.argmax(vol.label.sum(axis=(1, 2))))
    lo = max(0, min(centre - slices // 2, x.shape[0] - slices))
    x = x[lo:lo + slices]
    with torch.no_grad():
        prob, hyp, ent = VolumeGraph(net).eval()(torch.from_numpy(x))
    doc = {
        "model": os.path.basename(onnx_path), "sha256": sha256_of(onnx_path),
        "slices": int(slices), "input_size": int(n),
        "input_b64": b64(x, "<f4"), "prob_b64": b64(prob.numpy(), "<f4"),
        "hypotheses_b64": b64(hyp.numpy(), "<f4"), "entropy_b64": b64(ent.numpy(), "<f4"),
    }
    path = os.path.join(out_dir, f"model-{name}.json")
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def write_volume_v2_case(out_dir, case, stored, slope, intercept, pixel_spacing, input_size):
    """Preprocessing v2 of a whole volume: stored int16 [S,R,C] -> mask [S,R,C] and input [S,N,N]."""
    from .preprocess import preprocess_volume, to_hu
    stored = np.asarray(stored, dtype=np.int16)
    hu = to_hu(stored, slope, intercept)
    x, mask = preprocess_volume(hu, input_size, pixel_spacing, version=2)
    doc = {
        "case": case, "slices": int(stored.shape[0]), "rows": int(stored.shape[1]),
        "cols": int(stored.shape[2]), "slope": float(slope), "intercept": float(intercept),
        "pixel_spacing": float(pixel_spacing), "input_size": int(input_size),
        "stored_b64": b64(stored, "<i2"), "mask_b64": b64(mask.astype(np.uint8), "u1"),
        "expected_b64": b64(x[:, 0], "<f4"), "mask_pixels": int(mask.sum()),
    }
    path = os.path.join(out_dir, f"volume-v2-{case}.json")
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def ge_mask_digest():
    """Per-slice pixel counts and the sha256 of the v2 mask of the real GE series (the series
    itself stays in ../shared; the Java test reads it there and must find the same mask)."""
    import hashlib
    from .preprocess import intracranial_mask_volume
    G = phantoms._ge()
    mask = intracranial_mask_volume(G["hu"].astype(np.float64), G["ps"][0])
    return {"case": "ge-head-real", "slices": int(mask.shape[0]),
            "pixel_spacing": float(G["ps"][0]),
            "slice_pixels": [int(m.sum()) for m in mask],
            "mask_sha256": hashlib.sha256(mask.astype(np.uint8).tobytes()).hexdigest()}


def write_volume_v2_cases(out_dir):
    written = []
    rng = np.random.default_rng(4321)
    # a head cut from the neck to the vertex at 5 mm, so the skull base and the neck are in it
    vol = phantoms.simple_volume(rng, n_slices=30, matrix=80, lesion_types=["SDH"], step=5.0)
    stored = hu_to_stored(vol.hu)
    written.append(write_volume_v2_case(out_dir, "phantom-simple", stored, 1.0, -1024.0,
                                        vol.spacing[0], 32))
    # the same head as an 8-bit windowed export (window 40/80): bone and air are clipped
    lo, w = 0.0, 80.0
    eight = np.round(np.clip((vol.hu - lo) / w, 0, 1) * 255).astype(np.int16)
    written.append(write_volume_v2_case(out_dir, "eight-bit-window", eight, w / 255.0, lo,
                                        vol.spacing[0], 32))
    try:
        path = os.path.join(out_dir, "volume-v2-ge-head-real-digest.json")
        with open(path, "w") as f:
            json.dump(ge_mask_digest(), f, indent=1)
        written.append(path)
    except (FileNotFoundError, ImportError) as e:
        print("skip GE digest:", e)
    return written


def run(out_dir=GOLDEN_DIR, model_path=None):
    """Writes preprocessing cases and, if the shipped model exists, its model golden."""
    os.makedirs(out_dir, exist_ok=True)
    from .model import load_checkpoint
    models_dir = os.path.join(REPO, "models")
    input_size = 128
    card_path = os.path.join(models_dir, "slexnet-ich.json")
    if os.path.exists(card_path):
        with open(card_path) as f:
            input_size = int(json.load(f)["input_size"])
    paths = write_preprocess_cases(out_dir, input_size)
    paths += write_volume_v2_cases(out_dir)
    ckpt = model_path or os.path.join(models_dir, "slexnet-ich.pt")
    onnx_path = os.path.join(models_dir, "slexnet-ich.onnx")
    if os.path.exists(ckpt) and os.path.exists(onnx_path):
        net = load_checkpoint(ckpt)
        paths.append(write_model_golden(out_dir, net, onnx_path, "slexnet-ich"))
    else:
        print("no shipped model yet: model golden skipped")
    for p in paths:
        print(p, os.path.getsize(p))
    total = sum(os.path.getsize(p) for p in glob.glob(os.path.join(out_dir, "*")))
    print("golden total bytes", total)
    return paths
