"""A candidate model against the shipped one, on the same held-out volumes and on the real GE
series, with the worker's postprocessing (mask, physics gate, 1 mL components): the numbers that
decide whether a model ships (issue rules: better Dice AND median volume error AND false-positive
volumes, and less false volume on the real GE series)."""
from __future__ import annotations

import json
import os

import numpy as np
import torch
from scipy import ndimage

from . import phantoms
from .evaluation import MIN_COMPONENT_MM3, remove_small_components, summarize
from .postprocess import physics_gate
from . import metrics as M
from .model import ModelConfig, SlexNet, VolumeGraph
from .preprocess import preprocess_volume, resize_bilinear

def load_any(path) -> SlexNet:
    ck = torch.load(path, map_location="cpu", weights_only=False)
    net = SlexNet(ModelConfig(**ck["model_config"]))
    net.load_state_dict(ck["state_dict"])
    return net.eval()


@torch.no_grad()
def native_prob(net, x, rows, cols, device):
    g = VolumeGraph(net).to(device).eval()
    prob = _chunked(g, torch.from_numpy(np.ascontiguousarray(x)), device)
    return torch.nn.functional.interpolate(prob.double(), size=(rows, cols), mode="bilinear",
                                           align_corners=False)[:, 0].numpy()


def _chunked(g, xs, device, chunk=48):
    """Whole-volume graph in overlapping chunks (the SEM needs each slice's neighbours)."""
    out = []
    n = len(xs)
    for a in range(0, n, chunk):
        lo, hi = max(0, a - 1), min(n, a + chunk + 1)
        p = g(xs[lo:hi].to(device))[0].cpu()
        out.append(p[a - lo: a - lo + min(chunk, n - a)])
    return torch.cat(out)


def postprocess(prob, mask, hu, spacing, gate=True, min_mm3=MIN_COMPONENT_MM3):
    pred = (prob >= 0.5) & mask
    if gate:
        pred = physics_gate(pred, hu, spacing[0])
    return remove_small_components(pred, (spacing[2], spacing[0], spacing[1]), min_mm3)


def _row(kind, seed, pred, truth, spacing):
    sp = (spacing[2], spacing[0], spacing[1])
    vp, vt = M.volume_ml(pred, sp), M.volume_ml(truth, sp)
    r = {"kind": kind, "seed": int(seed), "positive": bool(truth.any()), "vol_pred": vp,
         "vol_true": vt, "pred_any": bool(pred.any())}
    if r["positive"]:
        r["dice"] = M.dice(pred, truth)
        r["rvd"] = abs(vp - vt) / vt
        r["signed_error"] = (vp - vt) / vt
    else:
        r["fp_volume"] = bool(pred.any())
        r["fp_volume_01ml"] = vp > 0.1
    return r


def model_rows(net, version, vols, device, gates=(False, True)):
    """Per-volume metrics for each gate setting; the network runs once per volume."""
    rows = {g: [] for g in gates}
    for p in vols:
        hu = p.hu.astype(np.float64)
        _, R, C = hu.shape
        x, mask = preprocess_volume(hu, net.cfg.input_size, p.spacing[0], version=version)
        prob = native_prob(net, x, R, C, device)
        truth = np.asarray(p.label, np.float32) >= 0.5
        for g in gates:
            rows[g].append(_row(p.kind, p.seed, postprocess(prob, mask, hu, p.spacing, g), truth, p.spacing))
    return rows


def ge_false_volume(net, version, device, gates=(False, True)):
    """Reported hemorrhage (mL) on the real GE series (no hemorrhage), slab extents as the worker."""
    G = phantoms._ge()
    hu = G["hu"].astype(np.float64)
    ps = G["ps"][0]
    x, mask = preprocess_volume(hu, net.cfg.input_size, ps, version=version)
    prob = native_prob(net, x, hu.shape[1], hu.shape[2], device)
    pos = np.asarray(G["pos"], float)
    steps = np.diff(pos)
    ext = np.empty(len(pos))
    ext[0], ext[-1] = steps[0], steps[-1]
    ext[1:-1] = (steps[:-1] + steps[1:]) / 2
    out = {}
    for g in gates:
        pred = (prob >= 0.5) & mask
        if g:
            pred = physics_gate(pred, hu, ps)
        pred = remove_small_components(pred, (float(np.median(steps)), ps, G["ps"][1]), MIN_COMPONENT_MM3)
        out[g] = float((pred.sum(axis=(1, 2)) * ext).sum() * ps * G["ps"][1] / 1000.0)
    return out


def summary_plus(rows):
    s = summarize(rows)
    neg = [r for r in rows if not r["positive"]]
    big = [r for r in rows if r["positive"] and r["vol_true"] > 80]
    s["fp_rate"] = s["fp_volumes"] / max(1, len(neg))
    s["large_bleeds"] = [{"true_ml": round(r["vol_true"], 1), "pred_ml": round(r["vol_pred"], 1)} for r in big]
    return s


def compare(candidates: dict, vols, device, log=print):
    """candidates: name -> (net, preprocessing version). Returns {name: {gate: summary, ge_ml}}."""
    out = {}
    for name, (net, version) in candidates.items():
        net = net.to(device).eval()
        res = {}
        rows_by_gate = model_rows(net, version, vols, device)
        try:
            ge = ge_false_volume(net, version, device)
        except FileNotFoundError as e:
            ge = {False: None, True: None}
            log(f"GE series not available: {e}")
        for gate in (False, True):
            rows = rows_by_gate[gate]
            s = summary_plus(rows)
            s["ge_false_ml"] = ge[gate]
            s["per_volume"] = rows
            res["gate" if gate else "no_gate"] = s
            log(f"{name} {'gate' if gate else 'no gate'}: Dice {s['dice_mean']:.3f}, median |vol err| "
                f"{s['rvd_median']:.3f}, FP volumes {s['fp_volumes']}/{s['n_neg']}, GE {s['ge_false_ml']} mL")
        out[name] = res
        net.cpu()
    return out


def table_md(result) -> str:
    lines = ["| model | gate | Dice | median abs vol err | FP volumes | FP rate | GE false mL | >80 mL bleeds (true->pred) |",
             "|---|---|---|---|---|---|---|---|"]
    for name, res in result.items():
        for g, s in res.items():
            big = ", ".join(f"{b['true_ml']}->{b['pred_ml']}" for b in s["large_bleeds"]) or "-"
            ge = "n/a" if s["ge_false_ml"] is None else f"{s['ge_false_ml']:.1f}"
            lines.append(f"| {name} | {g} | {s['dice_mean']:.3f} | {s['rvd_median']:.3f} | "
                         f"{s['fp_volumes']}/{s['n_neg']} | {s['fp_rate']:.2f} | {ge} | {big} |")
    return "\n".join(lines) + "\n"


def write(result, out_dir):
    with open(os.path.join(out_dir, "compare.json"), "w") as f:
        json.dump(result, f, indent=1, default=float)
    with open(os.path.join(out_dir, "compare.md"), "w") as f:
        f.write(table_md(result))
