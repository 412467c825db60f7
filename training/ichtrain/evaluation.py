"""Held-out evaluation of a network over a set of prepared volumes: the paper's Tables I and II,
Fig. 5 sweep, calibration and uncertainty, as the worker postprocesses (no report, no card)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from scipy import ndimage

from . import metrics as M
from .postprocess import physics_gate
from .model import VolumeGraph, binary_entropy, cw_weight

FUSION_WEIGHTS = [round(0.05 * k, 2) for k in range(11)]

# The worker's postprocessing (Java Postprocessor), so that the report measures what the worker
# reports: lesion = p >= 0.5 inside the intracranial mask, then the physics gate (results.gate.*,
# ichtrain/postprocess.py), then 3D face-connected (6-neighbour) components under
# results.min-component-mm3 are removed. Chosen on validation with
# `ichtrain component-sweep` (training/REPORT_NOTES.md).
MIN_COMPONENT_MM3 = 1000.0
STAGE1_BACKBONE = "Backbone (stage 1, trained alone)"


def mc_label(samples: int) -> str:
    return f"MC Dropout (T={samples})"


def ensemble_label(members: int) -> str:
    return f"Deep ensemble ({members})"


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


def fusion_sweep(h, fusion):
    """Probabilities for the MSA (fixed lambda) and CW-MSA (beta) weights of FUSION_WEIGHTS (Fig. 5)."""
    pi = torch.sigmoid(h["zi"])
    pf, pb = torch.sigmoid(h["zf1"]), torch.sigmoid(h["zb1"])
    res = {}
    for v in FUSION_WEIGHTS:
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


@dataclass(frozen=True)
class VolumeUncertainty:
    """One volume's uncertainty statistic (mean lesion entropy) beside its segmentation error."""
    stat: float
    error: float      # 1 - Dice; for a volume without hemorrhage 0 when nothing is predicted, else 1
    positive: bool
    pred_any: bool


@dataclass
class EvalResult:
    """Every method on every volume of one set."""
    rows: dict = field(default_factory=dict)               # method -> [per-volume metrics]
    calibration_brain: dict = field(default_factory=dict)  # method -> metrics.Calibration
    calibration_all: dict = field(default_factory=dict)
    times: dict = field(default_factory=dict)              # method -> [s per volume]
    fusion_sweep: dict = field(default_factory=dict)       # (mode, weight) -> [per-volume metrics]
    uncertainty: dict = field(default_factory=dict)        # method -> [VolumeUncertainty]

    def adopt(self, other: "EvalResult", method: str, as_method: str):
        """Takes another network's method (the stage-1 backbone) into this result under a new name."""
        self.rows[as_method] = other.rows[method]
        self.calibration_brain[as_method] = other.calibration_brain[method]
        self.calibration_all[as_method] = other.calibration_all[method]
        self.uncertainty[as_method] = other.uncertainty[method]
        self.times[as_method] = other.times[method]


def evaluate_split(net, vols, cfg_model, log, far=True, mc_samples=0, ensemble=None, quick=False,
                   hd_for=("SLEX-Net",)) -> EvalResult:
    """Runs every method on every volume. mc_samples = 0: no MC Dropout row."""
    beta, fusion = cfg_model.beta, cfg_model.fusion
    res = EvalResult()
    graph = VolumeGraph(net).eval()
    with torch.no_grad():  # warm-up, so the first timed volume does not pay for allocator setup
        w = torch.from_numpy(vols[0].x)
        graph(w)
        for b in (ensemble or []):
            b(w)
    mc = mc_label(mc_samples)
    ens = ensemble_label(len(ensemble or []))
    for vi, vol in enumerate(vols):
        ve = VolumeEval(vol)
        S, R, C = vol.label.shape
        x = vol.x
        with torch.no_grad():
            t = time.perf_counter()
            prob_g, hyp_g, ent_g = graph(torch.from_numpy(x))
            res.times.setdefault("SLEX-Net", []).append(time.perf_counter() - t)
            t = time.perf_counter()
            net.backbone(torch.from_numpy(x))
            res.times.setdefault("Backbone", []).append(time.perf_counter() - t)
        h = hypotheses(net, x, far=far)
        probs = variants(h, beta, fusion)
        ents = {"SLEX-Net": ent_g, "Backbone": binary_entropy(probs["Backbone"])}
        if mc_samples and not quick:
            t = time.perf_counter()
            net.backbone.drop.train()
            with torch.no_grad():
                samples = torch.stack([torch.sigmoid(net.backbone(torch.from_numpy(x))
                                                     - net.cfg.prior_shift) for _ in range(mc_samples)])
            net.backbone.drop.eval()
            res.times.setdefault(mc, []).append(time.perf_counter() - t)
            probs[mc] = samples.mean(0)
            ents[mc] = binary_entropy(samples.mean(0))
        if ensemble:
            t = time.perf_counter()
            with torch.no_grad():
                ps = torch.stack([torch.sigmoid(b(torch.from_numpy(x)) - net.cfg.prior_shift)
                                  for b in ensemble])
            res.times.setdefault(ens, []).append(time.perf_counter() - t)
            probs[ens] = ps.mean(0)
            ents[ens] = binary_entropy(ps.mean(0))
        assert torch.allclose(probs["SLEX-Net"], prob_g, atol=1e-5)
        truth_i = ve.truth.astype(np.float64)
        for name, p in probs.items():
            pn = to_native(p, R, C)
            # distance transforms are the slow part: HD only for the rows of the main table
            r, pred = ve.seg_metrics(pn, full=name in hd_for)
            res.rows.setdefault(name, []).append(r)
            if name in ents:
                en = to_native(ents[name], R, C)
                res.uncertainty.setdefault(name, []).append(VolumeUncertainty(
                    stat=lesion_entropy(en, pred),
                    error=1 - r.get("dice", 0.0 if r["pred_any"] else 1.0),
                    positive=ve.positive, pred_any=r["pred_any"]))
            if name in ents:  # calibration only for the Table II methods (the slow part)
                pe = np.where(ve.mask, pn, 0.0)
                res.calibration_brain.setdefault(name, M.Calibration()).add(pe[ve.mask], truth_i[ve.mask])
                res.calibration_all.setdefault(name, M.Calibration()).add(pe, truth_i)
        if not quick:
            for key, p in fusion_sweep(h, fusion).items():
                pn = to_native(p, R, C)
                r, _ = ve.seg_metrics(pn, full=False)
                res.fusion_sweep.setdefault(key, []).append(r)
        if vi % 5 == 0:
            log(f"eval {vi + 1}/{len(vols)}")
    return res


@dataclass(frozen=True)
class ThresholdCalibration:
    threshold: float
    info: dict  # how it was chosen (recorded in eval.json, the report and the card)


def calibrate_threshold(unc_rows, bad_error: float, default: float) -> ThresholdCalibration:
    """Threshold on mean lesion entropy that best separates bad (1 - Dice > bad_error) volumes (Youden)."""
    rs = [u for u in unc_rows if u.pred_any]
    if not rs:
        return ThresholdCalibration(default, {"method": "default, no predictions on validation"})
    stat = np.array([u.stat for u in rs])
    bad = np.array([u.error > bad_error for u in rs])
    r = M.pearson(stat, [u.error for u in rs])
    if bad.all() or (~bad).all():
        thr = float(np.percentile(stat, 90))
        return ThresholdCalibration(thr, {"method": "90th percentile (one class only on validation)",
                                          "pearson_r": r, "n": len(rs)})
    best, thr = -1, float(stat.mean())
    for c in np.unique(stat):
        j = (stat[bad] >= c).mean() - (stat[~bad] >= c).mean()
        if j > best:
            best, thr = j, float(c)
    return ThresholdCalibration(thr, {"method": f"Youden J on validation: bad = 1 - Dice > {bad_error:g}",
                                      "youden_j": float(best), "pearson_r": r, "n": len(rs),
                                      "n_bad": int(bad.sum())})


KIND_GROUPS = (("simple", ("simple",)), ("realistic", ("colin", "ge")), ("colin", ("colin",)), ("ge", ("ge",)))


@dataclass
class RunEvaluation:
    """The test-set numbers of a run: what eval.json, the report and the card say."""
    summary: dict            # method -> summarize()
    by_kind: dict            # (method, group) -> summarize()
    calibration_brain: dict  # method -> metrics.Calibration.result()
    calibration_all: dict
    fusion_sweep: dict       # (mode, weight) -> mean Dice over volumes with hemorrhage
    time_s_per_volume: dict  # method -> mean s
    entropy_error_pearson: dict
    threshold: ThresholdCalibration
    flag_on_test: dict
    eval_s: float
    per_volume: list         # SLEX-Net rows
    mc_label: str
    ensemble_label: str
    min_component_mm3: float = MIN_COMPONENT_MM3

    def to_json(self) -> dict:
        """eval.json (the layout written before these dataclasses, unchanged)."""
        keep = ("nll", "brier", "ece")
        return {"summary": self.summary, "by_kind": {f"{a}|{b}": v for (a, b), v in self.by_kind.items()},
                "calibration_brain": {k: {kk: v[kk] for kk in keep} for k, v in self.calibration_brain.items()},
                "calibration_all": {k: {kk: v[kk] for kk in keep} for k, v in self.calibration_all.items()},
                "sweep": {f"{m}|{v}": d for (m, v), d in self.fusion_sweep.items()},
                "time_s_per_volume": self.time_s_per_volume,
                "entropy_error_pearson": self.entropy_error_pearson, "threshold": self.threshold.threshold,
                "threshold_info": self.threshold.info, "flag_on_test": self.flag_on_test,
                "eval_s": self.eval_s, "per_volume": self.per_volume}


def summarize_run(test: EvalResult, threshold: ThresholdCalibration, bad_error: float, eval_s: float,
                  mc_samples: int, ensemble_members: int) -> RunEvaluation:
    rows = test.rows
    by_kind = {}
    for k in ("SLEX-Net", STAGE1_BACKBONE, "Backbone"):
        for group, kinds in KIND_GROUPS:
            sel = [r for r in rows[k] if r["kind"] in kinds]
            if sel:
                by_kind[(k, group)] = summarize(sel)
    corr = {k: M.pearson([u.stat for u in v if u.pred_any], [u.error for u in v if u.pred_any])
            for k, v in test.uncertainty.items()}
    flags = [(u.stat > threshold.threshold, u.error > bad_error) for u in test.uncertainty["SLEX-Net"]
             if u.pred_any]
    return RunEvaluation(
        summary={k: summarize(v) for k, v in rows.items()}, by_kind=by_kind,
        calibration_brain={k: c.result() for k, c in test.calibration_brain.items()},
        calibration_all={k: c.result() for k, c in test.calibration_all.items()},
        fusion_sweep={key: float(np.mean([r["dice"] for r in v if r["positive"]]))
                      for key, v in test.fusion_sweep.items()},
        time_s_per_volume={k: float(np.mean(v)) for k, v in test.times.items()},
        entropy_error_pearson=corr, threshold=threshold,
        flag_on_test={"flagged": int(sum(f for f, _ in flags)), "flagged_and_bad": int(sum(f and b for f, b in flags)),
                      "bad": int(sum(b for _, b in flags)), "n": len(flags)},
        eval_s=eval_s, per_volume=rows["SLEX-Net"], mc_label=mc_label(mc_samples),
        ensemble_label=ensemble_label(ensemble_members))
