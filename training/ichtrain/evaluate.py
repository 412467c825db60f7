"""Held-out evaluation: paper Tables I and II, Fig. 5, calibration, report with PNG plots."""
from __future__ import annotations

import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from scipy import ndimage

from . import metrics as M
from .postprocess import GATE_MAX_HU, GATE_MIN_HU, GATE_RADIUS_MM, physics_gate
from .model import SlexNet, ModelConfig, VolumeGraph, binary_entropy, cw_weight
from .png import Canvas, COLORS, write_png
from .train import TrainConfig, config_from_dict, load_split, REPO

SWEEP = [round(0.05 * k, 2) for k in range(11)]

# The worker's postprocessing (Java Postprocessor), so that the report measures what the worker
# reports: lesion = p >= 0.5 inside the intracranial mask, then the physics gate (results.gate.*,
# ichtrain/postprocess.py), then 3D face-connected (6-neighbour) components under
# results.min-component-mm3 are removed. Chosen on validation with
# `ichtrain component-sweep` (training/REPORT_NOTES.md).
MIN_COMPONENT_MM3 = 1000.0
MC_T = 20
BAD_ERROR = 0.3  # a volume with 1 - Dice above this is what the uncertainty flag should catch


def load_net(path) -> SlexNet:
    ck = torch.load(path, map_location="cpu", weights_only=False)
    net = SlexNet(ModelConfig(**ck["model_config"]))
    net.load_state_dict(ck["state_dict"])
    return net.eval()


def _shift(x, k):
    """x[i-k] (k > 0) or x[i+|k|] (k < 0) along slices with edge replication."""
    S = x.shape[0]
    idx = torch.clamp(torch.arange(S) - k, 0, S - 1)
    return x[idx]


@torch.no_grad()
def hypotheses(net, x, far=False):
    """Logits of backbone and SEM from i-1, i+1 (and i-2, i+2 when far)."""
    x = torch.from_numpy(x)
    zi = net.backbone(x)
    pi = torch.sigmoid(zi)
    out = {"zi": zi}
    ks = (1, 2) if far else (1,)
    for k in ks:
        a = torch.cat([_shift(x, k), x, _shift(pi, k)], 1)
        b = torch.cat([_shift(x, -k), x, _shift(pi, -k)], 1)
        s = net.sem(torch.cat([a, b], 0))
        out[f"zf{k}"], out[f"zb{k}"] = s[: x.shape[0]], s[x.shape[0]:]
    # inference-time prior correction of the weighted CE (see ModelConfig.prior_shift)
    out = {k: v - net.cfg.prior_shift for k, v in out.items()}
    out["_shift"] = net.cfg.prior_shift
    return out


def variants(h, beta, fusion):
    """Paper Table I variants from one set of hypotheses (same trained weights)."""
    pi = torch.sigmoid(h["zi"])
    pf, pb = torch.sigmoid(h["zf1"]), torch.sigmoid(h["zb1"])

    def fuse(parts):  # parts: list of (weight, logit, prob)
        if fusion == "logit":
            return torch.sigmoid(sum(w * z for w, z, _ in parts))
        return sum(w * p for w, _, p in parts)

    wf = beta * torch.exp(-(pf - pi) ** 2)
    wb = beta * torch.exp(-(pb - pi) ** 2)
    w = cw_weight(pf, pb, beta)
    out = {
        "Backbone": pi,
        "SLEX-Net-F": fuse([(1 - wf, h["zi"], pi), (wf, h["zf1"], pf)]),
        "SLEX-Net-B": fuse([(1 - wb, h["zi"], pi), (wb, h["zb1"], pb)]),
        "SLEX-Net": fuse([(1 - 2 * w, h["zi"], pi), (w, h["zf1"], pf), (w, h["zb1"], pb)]),
    }
    sh = h.get("_shift")
    if sh is not None:  # the same network without the prior correction, for the report
        z0 = {k: h[k] + sh for k in ("zi", "zf1", "zb1")}
        q = [torch.sigmoid(z0[k]) for k in ("zi", "zf1", "zb1")]
        w0 = cw_weight(q[1], q[2], beta)
        out["SLEX-Net (no prior correction)"] = (1 - 2 * w0) * q[0] + w0 * q[1] + w0 * q[2]
    other = "logit" if fusion == "probability" else "probability"
    if other == "logit":
        out["SLEX-Net (logit fusion)"] = torch.sigmoid((1 - 2 * w) * h["zi"] + w * h["zf1"] + w * h["zb1"])
    else:
        out["SLEX-Net (probability fusion)"] = (1 - 2 * w) * pi + w * pf + w * pb
    if "zf2" in h:
        pf2, pb2 = torch.sigmoid(h["zf2"]), torch.sigmoid(h["zb2"])
        w1 = cw_weight(pf, pb, beta / 2)
        w2 = cw_weight(pf2, pb2, beta / 2)
        out["SLEX-Net-4"] = fuse([(1 - 2 * w1 - 2 * w2, h["zi"], pi), (w1, h["zf1"], pf),
                                  (w1, h["zb1"], pb), (w2, h["zf2"], pf2), (w2, h["zb2"], pb2)])
    return out


def sweep(h, fusion):
    pi = torch.sigmoid(h["zi"])
    pf, pb = torch.sigmoid(h["zf1"]), torch.sigmoid(h["zb1"])
    res = {}
    for v in SWEEP:
        for mode in ("MSA", "CW-MSA"):
            w = torch.full_like(pi, v) if mode == "MSA" else cw_weight(pf, pb, v)
            if fusion == "logit":
                p = torch.sigmoid((1 - 2 * w) * h["zi"] + w * h["zf1"] + w * h["zb1"])
            else:
                p = (1 - 2 * w) * pi + w * pf + w * pb
            res[(mode, v)] = p
    return res


def to_native(p: torch.Tensor, rows, cols) -> np.ndarray:
    """[S,1,N,N] -> [S,rows,cols] with the contract's bilinear half-pixel rule."""
    return F.interpolate(p.double(), size=(rows, cols), mode="bilinear",
                         align_corners=False)[:, 0].numpy()


def remove_small_components(pred: np.ndarray, spacing_zyx, min_mm3: float) -> np.ndarray:
    """Drops 3D face-connected components of a [S,R,C] mask smaller than min_mm3 (the worker's rule)."""
    if min_mm3 <= 0 or not pred.any():
        return pred
    labels, _ = ndimage.label(pred)  # default structure: the 6 face neighbours
    voxel_mm3 = float(spacing_zyx[0] * spacing_zyx[1] * spacing_zyx[2])
    sizes_mm3 = np.bincount(labels.ravel())[1:] * voxel_mm3
    keep = np.flatnonzero(sizes_mm3 >= min_mm3) + 1
    return np.isin(labels, keep)


class VolumeEval:
    def __init__(self, vol, min_component_mm3=MIN_COMPONENT_MM3, gate=True):
        self.v = vol
        self.gate = gate
        self.min_component_mm3 = min_component_mm3
        self.truth = np.asarray(vol.label, np.float32) >= 0.5
        self.mask = vol.mask
        self.sp = (vol.spacing[2], vol.spacing[0], vol.spacing[1])  # z, y, x mm
        self.positive = bool(self.truth.any())

    def pred(self, p_native):
        lesion = (p_native >= 0.5) & self.mask
        if self.gate and getattr(self.v, "hu", None) is not None:
            lesion = physics_gate(lesion, self.v.hu, self.v.spacing[0])
        return remove_small_components(lesion, self.sp, self.min_component_mm3)

    def seg_metrics(self, p_native, full=True):
        pred = self.pred(p_native)
        vp, vt = M.volume_ml(pred, self.sp), M.volume_ml(self.truth, self.sp)
        r = {"kind": self.v.kind, "seed": int(self.v.seed), "positive": self.positive,
             "vol_pred": vp, "vol_true": vt, "pred_any": bool(pred.any())}
        if self.positive:
            r["dice"] = M.dice(pred, self.truth)
            r["rvd"] = abs(vp - vt) / vt
            if full:
                r["hd"], r["hd95"] = M.hausdorff(pred, self.truth, self.sp)
        else:
            r["fp_volume"] = bool(pred.any())
            r["fp_volume_01ml"] = vp > 0.1
        return r, pred


def lesion_entropy(ent_native, pred):
    """Per-volume uncertainty statistic: mean entropy over the predicted lesion (0 if none)."""
    return float(ent_native[pred].mean()) if pred.any() else 0.0


def summarize(rows):
    pos = [r for r in rows if r["positive"]]
    neg = [r for r in rows if not r["positive"]]
    d = np.array([r["dice"] for r in pos]) if pos else np.array([np.nan])
    hd = np.array([r.get("hd", np.nan) for r in pos])
    hd95 = np.array([r.get("hd95", np.nan) for r in pos])
    rvd = np.array([r["rvd"] for r in pos]) if pos else np.array([np.nan])
    return {
        "n": len(rows), "n_pos": len(pos), "n_neg": len(neg),
        "dice_mean": float(np.mean(d)), "dice_sd": float(np.std(d)),
        "dice_median": float(np.median(d)),
        "empty_pred_on_positive": int(sum(1 for r in pos if not r["pred_any"])),
        "hd_mean": float(np.nanmean(hd)) if np.isfinite(hd).any() else float("nan"),
        "hd95_mean": float(np.nanmean(hd95)) if np.isfinite(hd95).any() else float("nan"),
        "rvd_mean": float(np.mean(rvd)), "rvd_median": float(np.median(rvd)),
        "fp_volumes": int(sum(r["fp_volume"] for r in neg)),
        "fp_volumes_over_0.1ml": int(sum(r["fp_volume_01ml"] for r in neg)),
        "volume_r2": M.r_squared([r["vol_pred"] for r in rows], [r["vol_true"] for r in rows]),
    }


def _eval_split(nets, vols, cfg_model, log, far=True, mc=True, ensemble=None, quick=False,
                hd_for=("SLEX-Net",)):
    """Runs every method on every volume. Returns per-method rows, calibration, timings, sweep."""
    net = nets
    beta, fusion = cfg_model.beta, cfg_model.fusion
    rows, cal_brain, cal_all, times, sw = {}, {}, {}, {}, {}
    unc = {}
    graph = VolumeGraph(net).eval()
    with torch.no_grad():  # warm-up, so the first timed volume does not pay for allocator setup
        w = torch.from_numpy(vols[0].x)
        graph(w)
        for b in (ensemble or []):
            b(w)
    for vi, vol in enumerate(vols):
        ve = VolumeEval(vol)
        S, R, C = vol.label.shape
        x = vol.x
        with torch.no_grad():
            t = time.perf_counter()
            prob_g, hyp_g, ent_g = graph(torch.from_numpy(x))
            times.setdefault("SLEX-Net", []).append(time.perf_counter() - t)
            t = time.perf_counter()
            net.backbone(torch.from_numpy(x))
            times.setdefault("Backbone", []).append(time.perf_counter() - t)
        h = hypotheses(net, x, far=far)
        probs = variants(h, beta, fusion)
        ents = {"SLEX-Net": ent_g, "Backbone": binary_entropy(probs["Backbone"])}
        if mc and not quick:
            t = time.perf_counter()
            net.backbone.drop.train()
            with torch.no_grad():
                samples = torch.stack([torch.sigmoid(net.backbone(torch.from_numpy(x))
                                                     - net.cfg.prior_shift) for _ in range(MC_T)])
            net.backbone.drop.eval()
            times.setdefault(f"MC Dropout (T={MC_T})", []).append(time.perf_counter() - t)
            probs[f"MC Dropout (T={MC_T})"] = samples.mean(0)
            ents[f"MC Dropout (T={MC_T})"] = binary_entropy(samples.mean(0))
        if ensemble:
            t = time.perf_counter()
            with torch.no_grad():
                ps = torch.stack([torch.sigmoid(b(torch.from_numpy(x)) - net.cfg.prior_shift)
                                  for b in ensemble])
            times.setdefault("Deep ensemble (3)", []).append(time.perf_counter() - t)
            probs["Deep ensemble (3)"] = ps.mean(0)
            ents["Deep ensemble (3)"] = binary_entropy(ps.mean(0))
        assert torch.allclose(probs["SLEX-Net"], prob_g, atol=1e-5)
        truth_i = ve.truth.astype(np.float64)
        for name, p in probs.items():
            pn = to_native(p, R, C)
            # distance transforms are the slow part: HD only for the rows of the main table
            r, pred = ve.seg_metrics(pn, full=name in hd_for)
            rows.setdefault(name, []).append(r)
            if name in ents:
                en = to_native(ents[name], R, C)
                unc.setdefault(name, []).append({"stat": lesion_entropy(en, pred),
                                                 "error": 1 - r.get("dice", 0.0 if r["pred_any"] else 1.0),
                                                 "positive": ve.positive, "pred_any": r["pred_any"]})
            if name in ents:  # calibration only for the Table II methods (the slow part)
                pe = np.where(ve.mask, pn, 0.0)
                cal_brain.setdefault(name, M.Calibration()).add(pe[ve.mask], truth_i[ve.mask])
                cal_all.setdefault(name, M.Calibration()).add(pe, truth_i)
        if not quick:
            for key, p in sweep(h, fusion).items():
                pn = to_native(p, R, C)
                r, _ = ve.seg_metrics(pn, full=False)
                sw.setdefault(key, []).append(r)
        if vi % 5 == 0:
            log(f"eval {vi + 1}/{len(vols)}")
    return rows, cal_brain, cal_all, times, sw, unc


def calibrate_threshold(unc_rows):
    """Threshold on mean lesion entropy that best separates bad (1-Dice > 0.3) volumes (Youden)."""
    rs = [u for u in unc_rows if u["pred_any"]]
    if not rs:
        return 0.3, {"method": "default, no predictions on validation"}
    stat = np.array([u["stat"] for u in rs])
    bad = np.array([u["error"] > BAD_ERROR for u in rs])
    r = M.pearson(stat, [u["error"] for u in rs])
    if bad.all() or (~bad).all():
        thr = float(np.percentile(stat, 90))
        return thr, {"method": "90th percentile (one class only on validation)", "pearson_r": r,
                     "n": len(rs)}
    best, thr = -1, float(stat.mean())
    for c in np.unique(stat):
        j = (stat[bad] >= c).mean() - (stat[~bad] >= c).mean()
        if j > best:
            best, thr = j, float(c)
    return thr, {"method": "Youden J on validation: bad = 1 - Dice > 0.3", "youden_j": float(best),
                 "pearson_r": r, "n": len(rs), "n_bad": int(bad.sum())}


def _fmt(v, nd=3):
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "n/a"
    return f"{v:.{nd}f}"


def plot_reliability(path, cals):
    cv = Canvas(520, 400, (0, 1), (0, 1))
    cv.line([(0, 0), (1, 1)], (150, 150, 150), dashed=True)
    for i, (name, c) in enumerate(cals.items()):
        res = c.result()
        pts = [(cf, ac) for cf, ac in zip(res["bin_conf"], res["bin_acc"]) if np.isfinite(ac)]
        if len(pts) > 1:
            cv.line(pts, COLORS[i % len(COLORS)], r=1)
        for p in pts:
            cv.marker(*p, COLORS[i % len(COLORS)])
    cv.save(path)


def plot_sweep(path, sw_summary):
    ys = [v for v in sw_summary.values()]
    lo = max(0.0, min(ys) - 0.02)
    hi = min(1.0, max(ys) + 0.02)
    cv = Canvas(520, 400, (0, 0.5), (lo, hi))
    for i, mode in enumerate(("MSA", "CW-MSA")):
        pts = [(v, sw_summary[(mode, v)]) for v in SWEEP]
        cv.line(pts, COLORS[i], r=1)
        for p in pts:
            cv.marker(*p, COLORS[i])
    cv.save(path)


def plot_scatter(path, xs, ys, xlim=None, ylim=None, diag=True):
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    mx = max(1e-6, float(max(xs.max(initial=0), ys.max(initial=0))))
    cv = Canvas(480, 400, xlim or (0, mx * 1.05), ylim or (0, mx * 1.05))
    if diag:
        cv.line([(0, 0), (mx, mx)], (150, 150, 150), dashed=True)
    for x, y in zip(xs, ys):
        cv.marker(x, y, COLORS[0])
    cv.save(path)


def train_ensemble_members(run_dir, cfg: TrainConfig, log, seeds=(1, 2)):
    from .train import train_backbone_only
    members = []
    for s in seeds:
        path = os.path.join(run_dir, f"ensemble-backbone-{s}.pt")
        if not os.path.exists(path):
            t = time.time()
            train_backbone_only(cfg, s, path, log)
            log(f"ensemble member seed {s}: {time.time() - t:.0f}s")
        members.append(load_net(path).backbone.eval())
    return members


def evaluate_run(run_dir, name="slexnet-ich", quick=False, card_update=True, log=print,
                 models_dir=None):
    torch.set_num_threads(2)
    with open(os.path.join(run_dir, "run.json")) as f:
        meta = json.load(f)
    cfg = config_from_dict(meta["config"])
    net = load_net(os.path.join(run_dir, "final.pt"))
    stage1 = load_net(os.path.join(run_dir, "stage1.pt"))
    models_dir = models_dir or os.path.join(REPO, "models")
    os.makedirs(models_dir, exist_ok=True)
    val = load_split(cfg, "val", log)
    test = load_split(cfg, "test", log)
    t0 = time.time()
    vrows, _, _, _, _, vunc = _eval_split(net, val, cfg.model, log, far=False, mc=False, quick=True,
                                          hd_for=())
    thr, thr_info = calibrate_threshold(vunc["SLEX-Net"])
    log(f"threshold {thr:.4f} {thr_info}")
    ensemble = None
    if not quick:
        ensemble = [stage1.backbone.eval()] + train_ensemble_members(run_dir, cfg, log)
    rows, cal_b, cal_a, times, sw, unc = _eval_split(net, test, cfg.model, log, far=True, mc=True,
                                                       ensemble=ensemble, quick=quick)
    # the backbone trained alone (stage 1), the paper's "Backbone Network" row
    srows, scal_b, scal_a, stimes, _, sunc = _eval_split(stage1, test, stage1.cfg, log, far=False,
                                                         mc=False, quick=True, hd_for=("Backbone",))
    rows["Backbone (stage 1, trained alone)"] = srows["Backbone"]
    cal_b["Backbone (stage 1, trained alone)"] = scal_b["Backbone"]
    cal_a["Backbone (stage 1, trained alone)"] = scal_a["Backbone"]
    unc["Backbone (stage 1, trained alone)"] = sunc["Backbone"]
    times["Backbone (stage 1, trained alone)"] = stimes["Backbone"]
    eval_s = time.time() - t0
    summ = {k: summarize(v) for k, v in rows.items()}
    by_kind = {}
    for k in ("SLEX-Net", "Backbone (stage 1, trained alone)", "Backbone"):
        for group, kinds in (("simple", ("simple",)), ("realistic", ("colin", "ge")),
                             ("colin", ("colin",)), ("ge", ("ge",))):
            sel = [r for r in rows[k] if r["kind"] in kinds]
            if sel:
                by_kind[(k, group)] = summarize(sel)
    sw_sum = {key: float(np.mean([r["dice"] for r in v if r["positive"]])) for key, v in sw.items()}
    calres_b = {k: c.result() for k, c in cal_b.items()}
    calres_a = {k: c.result() for k, c in cal_a.items()}
    corr = {k: M.pearson([u["stat"] for u in v if u["pred_any"]],
                         [u["error"] for u in v if u["pred_any"]]) for k, v in unc.items()}
    test_flag = [(u["stat"] > thr, u["error"] > BAD_ERROR) for u in unc["SLEX-Net"] if u["pred_any"]]
    result = {"summary": summ, "by_kind": {f"{a}|{b}": v for (a, b), v in by_kind.items()},
              "calibration_brain": {k: {kk: v[kk] for kk in ("nll", "brier", "ece")} for k, v in calres_b.items()},
              "calibration_all": {k: {kk: v[kk] for kk in ("nll", "brier", "ece")} for k, v in calres_a.items()},
              "sweep": {f"{m}|{v}": d for (m, v), d in sw_sum.items()},
              "time_s_per_volume": {k: float(np.mean(v)) for k, v in times.items()},
              "entropy_error_pearson": corr, "threshold": thr, "threshold_info": thr_info,
              "flag_on_test": {"flagged": int(sum(f for f, _ in test_flag)),
                               "flagged_and_bad": int(sum(f and b for f, b in test_flag)),
                               "bad": int(sum(b for _, b in test_flag)), "n": len(test_flag)},
              "eval_s": eval_s, "per_volume": rows["SLEX-Net"]}
    with open(os.path.join(run_dir, "eval.json"), "w") as f:
        json.dump(result, f, indent=1, default=float)
    # plots
    plot_reliability(os.path.join(models_dir, f"{name}-reliability.png"),
                     {k: cal_b[k] for k in ["SLEX-Net", "Backbone (stage 1, trained alone)",
                                            f"MC Dropout (T={MC_T})", "Deep ensemble (3)"] if k in cal_b})
    if sw_sum:
        plot_sweep(os.path.join(models_dir, f"{name}-fig5-msa-vs-cwmsa.png"), sw_sum)
    plot_scatter(os.path.join(models_dir, f"{name}-volume-scatter.png"),
                 [r["vol_true"] for r in rows["SLEX-Net"]], [r["vol_pred"] for r in rows["SLEX-Net"]])
    plot_scatter(os.path.join(models_dir, f"{name}-entropy-vs-error.png"),
                 [u["stat"] for u in unc["SLEX-Net"] if u["pred_any"]],
                 [u["error"] for u in unc["SLEX-Net"] if u["pred_any"]],
                 xlim=(0, 0.7), ylim=(0, 1), diag=False)
    write_report(os.path.join(models_dir, f"{name}-report.md"), name, meta, result, summ, by_kind,
                 calres_b, calres_a, sw_sum, times, corr, thr, thr_info)
    if card_update:
        update_card(os.path.join(models_dir, f"{name}.json"), result, summ, by_kind, calres_b, thr,
                    thr_info, corr)
    return result


def update_card(path, result, summ, by_kind, calres_b, thr, thr_info, corr):
    if not os.path.exists(path):
        return
    with open(path) as f:
        card = json.load(f)
    s = summ["SLEX-Net"]
    card["high_uncertainty_threshold"] = round(float(thr), 6)
    card["high_uncertainty_statistic"] = (
        "mean of the entropy output, resized to the native matrix with the preprocessing bilinear "
        "rule, over the native pixels of the predicted lesion mask (p >= 0.5 AND intracranial "
        "mask); 0 when nothing is predicted")
    card["high_uncertainty_calibration"] = thr_info
    # what the metrics below assume of the worker; ShippedModelCardTest (Java) checks the worker's default
    card["evaluated_postprocessing"] = {"threshold": 0.5, "min_component_mm3": MIN_COMPONENT_MM3,
                                        "connectivity": "3D, 6 face neighbours",
                                        "worker_setting": "results.min-component-mm3",
                                        "physics_gate": {"min_hu": GATE_MIN_HU, "max_hu": GATE_MAX_HU,
                                                         "radius_mm": GATE_RADIUS_MM,
                                                         "worker_setting": "results.gate.*"}}
    card["metrics"] = {
        "test_set": f"{s['n']} held-out phantom volumes ({s['n_pos']} with hemorrhage)",
        "dice_mean": s["dice_mean"], "dice_sd": s["dice_sd"], "hd_mm": s["hd_mean"],
        "hd95_mm": s["hd95_mean"], "rvd_median": s["rvd_median"], "volume_r2": s["volume_r2"],
        "fp_volumes": f"{s['fp_volumes']}/{s['n_neg']}",
        "nll_brain": calres_b["SLEX-Net"]["nll"], "brier_brain": calres_b["SLEX-Net"]["brier"],
        "ece_brain": calres_b["SLEX-Net"]["ece"],
        "dice_simple": by_kind.get(("SLEX-Net", "simple"), {}).get("dice_mean"),
        "dice_realistic": by_kind.get(("SLEX-Net", "realistic"), {}).get("dice_mean"),
        "entropy_error_pearson_r": corr.get("SLEX-Net"),
        "inference_s_per_volume_pytorch_2threads": result["time_s_per_volume"].get("SLEX-Net"),
    }
    with open(path, "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")


def write_report(path, name, meta, result, summ, by_kind, cb, ca, sw_sum, times, corr, thr, thr_info):
    L = []
    a = L.append
    cfgm = meta["config"]["model"]
    a(f"# {name}: evaluation report\n")
    a("Held-out synthetic test set (generator seeds disjoint from training and validation). "
      "**Phantom-trained, NOT FOR CLINICAL USE.** Every number below comes from the run in "
      f"`{os.path.relpath(meta.get('run_dir', ''), REPO) if meta.get('run_dir') else 'training/runs'}` "
      f"(git {meta.get('git_commit')}).\n")
    a(f"Model: SLEX-Net, U-Net width {cfgm['width']} depth {cfgm['depth']}, input {cfgm['input_size']}, "
      f"fusion `{cfgm['fusion']}`, beta {cfgm['beta']}. Training time: {meta.get('timing')}.\n")
    if meta["config"].get("init_from"):
        c = meta["config"]
        a(f"Warm start: from {json.dumps(meta.get('warm_start') or c['init_from'])}; then "
          f"{c['stage2_steps']} joint (stage 2) steps, lr {c['lr_stage2']} cosine, batch {c['batch']}, "
          f"crop {c['crop']}, lesion_fraction {c['lesion_fraction']}, rim_fraction "
          f"{c.get('rim_fraction', 0.0)} (lesion-free crops centred on the intracranial edge), "
          f"seed {c['seed']}. The `Backbone (stage 1, trained alone)` row and the ensemble members "
          "are those of the warm start's own run.\n")
    s = summ["SLEX-Net"]
    bb = summ["Backbone (stage 1, trained alone)"]
    a("## Targets\n")
    a("| target | measured | met |")
    a("|---|---|---|")
    a(f"| SLEX-Net Dice >= 0.90 | {s['dice_mean']:.3f} | {'yes' if s['dice_mean'] >= 0.9 else 'NO, short by %.3f' % (0.9 - s['dice_mean'])} |")
    a(f"| median abs volume error <= 10% | {100 * s['rvd_median']:.1f}% | {'yes' if s['rvd_median'] <= 0.1 else 'NO, over by %.1f points' % (100 * s['rvd_median'] - 10)} |")
    a(f"| SLEX-Net Dice > backbone | {s['dice_mean']:.3f} vs {bb['dice_mean']:.3f} | {'yes' if s['dice_mean'] > bb['dice_mean'] else 'NO'} |")
    a(f"| fewer FP volumes than backbone | {s['fp_volumes']} vs {bb['fp_volumes']} (of {s['n_neg']}) | {'yes' if s['fp_volumes'] < bb['fp_volumes'] else ('tie' if s['fp_volumes'] == bb['fp_volumes'] else 'NO')} |")
    e1, e0 = cb["SLEX-Net"]["ece"], cb["Backbone (stage 1, trained alone)"]["ece"]
    a(f"| ECE (brain) lower than backbone | {100 * e1:.3f}% vs {100 * e0:.3f}% | {'yes' if e1 < e0 else 'NO'} |")
    tt = (meta.get("timing") or {}).get("total_s", float("nan"))
    a(f"| full training <= 90 min on 2 CPU cores | {tt / 60:.1f} min | {'yes' if tt <= 5400 else 'NO'} |\n")
    a("## Segmentation (test set; Dice/HD/RVD over volumes with hemorrhage, empty predictions count as Dice 0)\n")
    a(f"Every mask below is postprocessed as the worker does by default: p >= 0.5 inside the intracranial "
      f"mask, then the physics gate (in-plane mean HU within 1 mm in 40-100, `results.gate.*`), then 3D face-connected components under {MIN_COMPONENT_MM3:g} mm^3 removed "
      "(`results.min-component-mm3`, chosen on validation with `ichtrain component-sweep`).\n")
    a("| method | subset | n (pos/neg) | Dice mean ± sd | Dice median | empty pred on pos | HD mm | HD95 mm | RVD mean | RVD median | volume R² | FP volumes (any voxel) | FP > 0.1 mL |")
    a("|---|---|---|---|---|---|---|---|---|---|---|---|---|")

    def row(nm, sub, r):
        a(f"| {nm} | {sub} | {r['n_pos']}/{r['n_neg']} | {r['dice_mean']:.3f} ± {r['dice_sd']:.3f} | "
          f"{r['dice_median']:.3f} | {r['empty_pred_on_positive']} | {_fmt(r['hd_mean'], 1)} | "
          f"{_fmt(r['hd95_mean'], 1)} | {_fmt(r['rvd_mean'])} | {_fmt(r['rvd_median'])} | "
          f"{_fmt(r['volume_r2'])} | {r['fp_volumes']} | {r['fp_volumes_over_0.1ml']} |")
    for nm in ("SLEX-Net", "Backbone (stage 1, trained alone)", "Backbone"):
        row(nm, "all", summ[nm])
        for g in ("simple", "realistic", "colin", "ge"):
            if (nm, g) in by_kind:
                row(nm, g, by_kind[(nm, g)])
    a("\n`Backbone` = the jointly fine-tuned backbone output P_i of the shipped model; "
      "`Backbone (stage 1, trained alone)` = the backbone after stage 1, before joint training "
      "(the paper's baseline). Realistic = Colin27 pseudo-CT + lesions inserted in the real GE CT.\n")
    a("**Prior correction.** Training uses the required weighted CE (lesion 1.0, background 0.1), "
      "whose optimum puts the logits ln 10 above the true lesion log-odds. The shipped graph "
      "subtracts ln 10 from every hypothesis logit after the SEM (inference only; the SEM still "
      "receives the uncorrected backbone probability it was trained on). Every row in this report "
      "uses it except `SLEX-Net (no prior correction)`.\n")
    a("## Table I: ablation (same trained weights, test set)\n")
    a("| model | Dice mean ± sd | HD95 mm | FP volumes |")
    a("|---|---|---|---|")
    for nm in ("Backbone (stage 1, trained alone)", "Backbone", "SLEX-Net-F", "SLEX-Net-B", "SLEX-Net",
               "SLEX-Net-4", "SLEX-Net (logit fusion)", "SLEX-Net (probability fusion)",
               "SLEX-Net (no prior correction)"):
        if nm in summ:
            r = summ[nm]
            a(f"| {nm} | {r['dice_mean']:.3f} ± {r['dice_sd']:.3f} | {_fmt(r['hd95_mean'], 1)} | {r['fp_volumes']}/{r['n_neg']} |")
    a("\nF/B: one branch, P = (1-W)P_i + W P', W = beta*exp(-(P'-P_i)^2). SLEX-Net-4: the same SEM "
      "also maps from i±2, each pair weighted by (beta/2)*exp(-CET^2) of that pair. These are "
      "inference-time ablations of one trained network (not separately trained models as in the paper). "
      "The row for the other fusion applies the same CW weights to logits (or probabilities) of the same "
      "trained network; it was not retrained with that fusion.\n")
    if sw_sum:
        a("## Fig. 5: MSA (lambda) vs CW-MSA (beta), mean Dice on the test set\n")
        a("![fig5](" + f"{name}-fig5-msa-vs-cwmsa.png" + ") (blue MSA, red CW-MSA)\n")
        a("| weight | " + " | ".join(f"{v:.2f}" for v in SWEEP) + " |")
        a("|---|" + "---|" * len(SWEEP))
        for m in ("MSA", "CW-MSA"):
            a(f"| {m} | " + " | ".join(f"{sw_sum[(m, v)]:.3f}" for v in SWEEP) + " |")
        a("")
    a("## Table II: uncertainty (test set; NLL, Brier, ECE in the brain mask / all pixels)\n")
    a("| method | Dice | NLL brain | Brier brain (%) | ECE brain (%) | NLL all | Brier all (%) | ECE all (%) | inference s/volume | r(mean lesion entropy, 1-Dice) |")
    a("|---|---|---|---|---|---|---|---|---|---|")
    for nm in ("Backbone (stage 1, trained alone)", "Backbone", f"MC Dropout (T={MC_T})", "Deep ensemble (3)", "SLEX-Net"):
        if nm in cb:
            t = np.mean(times[nm]) if nm in times else float("nan")
            a(f"| {nm} | {summ[nm]['dice_mean']:.3f} | {cb[nm]['nll']:.4f} | {100 * cb[nm]['brier']:.3f} | "
              f"{100 * cb[nm]['ece']:.3f} | {ca[nm]['nll']:.5f} | {100 * ca[nm]['brier']:.4f} | "
              f"{100 * ca[nm]['ece']:.4f} | {t:.2f} | {_fmt(corr.get(nm))} |")
    a("\nBrier = mean (p - y)^2 per pixel (one term, not doubled). ECE: 10 equal-width bins of the "
      "foreground probability, |positive rate - mean probability| weighted by bin size. "
      f"MC Dropout uses T = {MC_T} passes with Dropout2d(p={cfgm['dropout']}) at the backbone "
      "bottleneck. The ensemble is the stage-1 backbone plus two backbones trained alone with "
      "seeds 1 and 2. Times: PyTorch, 2 threads, shared CPU, model grid only (no preprocessing).\n")
    a(f"![reliability]({name}-reliability.png) Reliability diagram (brain mask; blue SLEX-Net, red "
      "stage-1 backbone, green MC Dropout, orange ensemble; dashed = perfect calibration).\n")
    a("## Uncertainty flag\n")
    a(f"Per-volume statistic: mean entropy over the predicted lesion. Threshold **{thr:.4f}** "
      f"(calibration on validation: {json.dumps(thr_info)}). On the test set: {json.dumps(result['flag_on_test'])} "
      "(bad = 1 - Dice > 0.3).\n")
    a(f"![entropy-vs-error]({name}-entropy-vs-error.png) Mean lesion entropy (x) vs 1 - Dice (y), test set.\n")
    a(f"![volumes]({name}-volume-scatter.png) Predicted vs true volume (mL), test set.\n")
    notes = os.path.join(REPO, "training", "REPORT_NOTES.md")
    if os.path.exists(notes):  # hand-written analysis of the shipped run
        with open(notes) as f:
            a(f.read())
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")


SHIFT_DELTAS = (-0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
COMPONENT_MM3 = (0.0, 10.0, 100.0, 250.0, 500.0, 750.0, 1000.0, 1500.0, 2000.0, 3000.0)


def _sweep(run_dir, splits, candidates, per_volume, metrics_for, label, log):
    """One hypothesis pass per volume (raw logits, no prior shift), per_volume(vol, raw, trained_shift,
    cfg) once, then metrics_for(vol, that, candidate) for every candidate.

    Candidates are meant to be chosen on validation; the test rows only show whether that choice
    carries over."""
    import dataclasses
    torch.set_num_threads(2)
    with open(os.path.join(run_dir, "run.json")) as f:
        cfg = config_from_dict(json.load(f)["config"])
    net = load_net(os.path.join(run_dir, "final.pt"))
    trained_shift = net.cfg.prior_shift
    net.cfg = dataclasses.replace(net.cfg, prior_shift=0.0)
    table = {}
    for split in splits:
        rows = {c: [] for c in candidates}
        for vol in load_split(cfg, split, log):
            raw = {k: v for k, v in hypotheses(net, vol.x).items() if k != "_shift"}
            prepared = per_volume(vol, raw, trained_shift, cfg)
            for c in candidates:
                rows[c].append(metrics_for(vol, prepared, c))
        for c in candidates:
            s = summarize(rows[c])
            table[(split, c)] = s
            log(f"{split} {label(trained_shift, c)}: Dice {s['dice_mean']:.3f}, median |volume error| "
                f"{s['rvd_median']:.3f}, FP volumes {s['fp_volumes']}/{s['n_neg']}, volume R2 {s['volume_r2']:.2f}")
    return table


def _slexnet_native(vol, raw, shift, cfg):
    _, R, C = vol.label.shape
    h = {k: v - shift for k, v in raw.items()}
    return to_native(variants(h, cfg.model.beta, cfg.model.fusion)["SLEX-Net"], R, C)


def prior_shift_sweep(run_dir, splits=("val", "test"), deltas=SHIFT_DELTAS, log=print):
    """SLEX-Net metrics for logit shifts around the trained one (postprocessing as shipped)."""
    def metrics_for(vol, ctx, d):
        raw, trained, cfg = ctx
        return VolumeEval(vol).seg_metrics(_slexnet_native(vol, raw, trained + d, cfg), full=False)[0]
    return _sweep(run_dir, splits, deltas, lambda vol, raw, trained, cfg: (raw, trained, cfg), metrics_for,
                  lambda t, d: f"shift {t:.3f}{d:+.2f}", log)


def component_sweep(run_dir, splits=("val", "test"), sizes=COMPONENT_MM3, log=print):
    """SLEX-Net metrics for minimum lesion component sizes (results.min-component-mm3)."""
    def metrics_for(vol, p_native, mm3):
        return VolumeEval(vol, min_component_mm3=mm3).seg_metrics(p_native, full=False)[0]
    return _sweep(run_dir, splits, sizes, _slexnet_native, metrics_for,
                  lambda t, mm3: f"min component {mm3:g} mm3", log)
