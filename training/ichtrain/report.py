"""The evaluation report (models/<name>-report.md) and its PNG plots, from a RunEvaluation."""
from __future__ import annotations

import json
import os

import numpy as np

from .config import TrainConfig
from .data import REPO
from .evaluation import FUSION_WEIGHTS, STAGE1_BACKBONE, EvalResult, RunEvaluation
from .png import Canvas, COLORS


def _count(seeds) -> str:
    return {1: "one", 2: "two", 3: "three"}.get(len(seeds), str(len(seeds)))


def _and(seeds) -> str:
    s = [str(x) for x in seeds]
    return " and ".join([", ".join(s[:-1]), s[-1]]) if len(s) > 1 else "".join(s)


def _fmt(v, nd=3):
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "n/a"
    return f"{v:.{nd}f}"


def plot_reliability(path, cals):
    """cals: method -> metrics.Calibration.result()."""
    cv = Canvas(520, 400, (0, 1), (0, 1))
    cv.line([(0, 0), (1, 1)], (150, 150, 150), dashed=True)
    for i, (name, res) in enumerate(cals.items()):
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
        pts = [(v, sw_summary[(mode, v)]) for v in FUSION_WEIGHTS]
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


def write_plots(models_dir, name, test: EvalResult, ev: RunEvaluation):
    plot_reliability(os.path.join(models_dir, f"{name}-reliability.png"),
                     {k: ev.calibration_brain[k] for k in ["SLEX-Net", STAGE1_BACKBONE, ev.mc_label,
                                                           ev.ensemble_label] if k in ev.calibration_brain})
    if ev.fusion_sweep:
        plot_sweep(os.path.join(models_dir, f"{name}-fig5-msa-vs-cwmsa.png"), ev.fusion_sweep)
    plot_scatter(os.path.join(models_dir, f"{name}-volume-scatter.png"),
                 [r["vol_true"] for r in test.rows["SLEX-Net"]], [r["vol_pred"] for r in test.rows["SLEX-Net"]])
    unc = [u for u in test.uncertainty["SLEX-Net"] if u.pred_any]
    plot_scatter(os.path.join(models_dir, f"{name}-entropy-vs-error.png"),
                 [u.stat for u in unc], [u.error for u in unc], xlim=(0, 0.7), ylim=(0, 1), diag=False)


def write_report(path, name, meta, cfg: TrainConfig, ev: RunEvaluation):
    """models/<name>-report.md; meta is the run's run.json, cfg its TrainConfig."""
    summ, by_kind, cb, ca, sw_sum = ev.summary, ev.by_kind, ev.calibration_brain, ev.calibration_all, ev.fusion_sweep
    corr, thr, thr_info = ev.entropy_error_pearson, ev.threshold.threshold, ev.threshold.info
    MC, ENS = ev.mc_label, ev.ensemble_label
    L = []
    a = L.append
    cfgm = cfg.model.to_dict()
    a(f"# {name}: evaluation report\n")
    a("Held-out synthetic test set (generator seeds disjoint from training and validation). "
      "**Phantom-trained, NOT FOR CLINICAL USE.** Every number below comes from the run in "
      f"`{os.path.relpath(meta.get('run_dir', ''), REPO) if meta.get('run_dir') else 'training/runs'}` "
      f"(git {meta.get('git_commit')}).\n")
    a(f"Model: SLEX-Net, U-Net width {cfgm['width']} depth {cfgm['depth']}, input {cfgm['input_size']}, "
      f"fusion `{cfgm['fusion']}`, beta {cfgm['beta']}. Training time: {meta.get('timing')}.\n")
    if cfg.init_from:
        sm = cfg.sampling
        a(f"Warm start: from {json.dumps(meta.get('warm_start') or cfg.init_from)}; then "
          f"{cfg.schedule.stage2_steps} joint (stage 2) steps, lr {cfg.optimiser.lr_stage2} cosine, batch {sm.batch}, "
          f"crop {sm.crop}, lesion_fraction {sm.lesion_fraction}, rim_fraction "
          f"{sm.rim_fraction} (lesion-free crops centred on the intracranial edge), "
          f"seed {cfg.seed}. The `Backbone (stage 1, trained alone)` row and the ensemble members "
          "are those of the warm start's own run.\n")
    s = summ["SLEX-Net"]
    bb = summ[STAGE1_BACKBONE]
    a("## Targets\n")
    a("| target | measured | met |")
    a("|---|---|---|")
    a(f"| SLEX-Net Dice >= 0.90 | {s['dice_mean']:.3f} | {'yes' if s['dice_mean'] >= 0.9 else 'NO, short by %.3f' % (0.9 - s['dice_mean'])} |")
    a(f"| median abs volume error <= 10% | {100 * s['rvd_median']:.1f}% | {'yes' if s['rvd_median'] <= 0.1 else 'NO, over by %.1f points' % (100 * s['rvd_median'] - 10)} |")
    a(f"| SLEX-Net Dice > backbone | {s['dice_mean']:.3f} vs {bb['dice_mean']:.3f} | {'yes' if s['dice_mean'] > bb['dice_mean'] else 'NO'} |")
    a(f"| fewer FP volumes than backbone | {s['fp_volumes']} vs {bb['fp_volumes']} (of {s['n_neg']}) | {'yes' if s['fp_volumes'] < bb['fp_volumes'] else ('tie' if s['fp_volumes'] == bb['fp_volumes'] else 'NO')} |")
    e1, e0 = cb["SLEX-Net"]["ece"], cb[STAGE1_BACKBONE]["ece"]
    a(f"| ECE (brain) lower than backbone | {100 * e1:.3f}% vs {100 * e0:.3f}% | {'yes' if e1 < e0 else 'NO'} |")
    tt = (meta.get("timing") or {}).get("total_s", float("nan"))
    a(f"| full training <= 90 min on 2 CPU cores | {tt / 60:.1f} min | {'yes' if tt <= 5400 else 'NO'} |\n")
    a("## Segmentation (test set; Dice/HD/RVD over volumes with hemorrhage, empty predictions count as Dice 0)\n")
    a(f"Every mask below is postprocessed as the worker does by default: p >= 0.5 inside the intracranial "
      f"mask, then the physics gate (in-plane mean HU within 1 mm in 40-100, `results.gate.*`), then 3D face-connected components under {ev.min_component_mm3:g} mm^3 removed "
      "(`results.min-component-mm3`, chosen on validation with `ichtrain component-sweep`).\n")
    a("| method | subset | n (pos/neg) | Dice mean ± sd | Dice median | empty pred on pos | HD mm | HD95 mm | RVD mean | RVD median | volume R² | FP volumes (any voxel) | FP > 0.1 mL |")
    a("|---|---|---|---|---|---|---|---|---|---|---|---|---|")

    def row(nm, sub, r):
        a(f"| {nm} | {sub} | {r['n_pos']}/{r['n_neg']} | {r['dice_mean']:.3f} ± {r['dice_sd']:.3f} | "
          f"{r['dice_median']:.3f} | {r['empty_pred_on_positive']} | {_fmt(r['hd_mean'], 1)} | "
          f"{_fmt(r['hd95_mean'], 1)} | {_fmt(r['rvd_mean'])} | {_fmt(r['rvd_median'])} | "
          f"{_fmt(r['volume_r2'])} | {r['fp_volumes']} | {r['fp_volumes_over_0.1ml']} |")
    for nm in ("SLEX-Net", STAGE1_BACKBONE, "Backbone"):
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
    for nm in (STAGE1_BACKBONE, "Backbone", "SLEX-Net-F", "SLEX-Net-B", "SLEX-Net",
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
        a("| weight | " + " | ".join(f"{v:.2f}" for v in FUSION_WEIGHTS) + " |")
        a("|---|" + "---|" * len(FUSION_WEIGHTS))
        for m in ("MSA", "CW-MSA"):
            a(f"| {m} | " + " | ".join(f"{sw_sum[(m, v)]:.3f}" for v in FUSION_WEIGHTS) + " |")
        a("")
    a("## Table II: uncertainty (test set; NLL, Brier, ECE in the brain mask / all pixels)\n")
    a("| method | Dice | NLL brain | Brier brain (%) | ECE brain (%) | NLL all | Brier all (%) | ECE all (%) | inference s/volume | r(mean lesion entropy, 1-Dice) |")
    a("|---|---|---|---|---|---|---|---|---|---|")
    for nm in (STAGE1_BACKBONE, "Backbone", MC, ENS, "SLEX-Net"):
        if nm in cb:
            t = ev.time_s_per_volume.get(nm, float("nan"))
            a(f"| {nm} | {summ[nm]['dice_mean']:.3f} | {cb[nm]['nll']:.4f} | {100 * cb[nm]['brier']:.3f} | "
              f"{100 * cb[nm]['ece']:.3f} | {ca[nm]['nll']:.5f} | {100 * ca[nm]['brier']:.4f} | "
              f"{100 * ca[nm]['ece']:.4f} | {t:.2f} | {_fmt(corr.get(nm))} |")
    a("\nBrier = mean (p - y)^2 per pixel (one term, not doubled). ECE: 10 equal-width bins of the "
      "foreground probability, |positive rate - mean probability| weighted by bin size. "
      f"MC Dropout uses T = {cfg.uncertainty.mc_dropout_samples} passes with Dropout2d(p={cfgm['dropout']}) at the backbone "
      f"bottleneck. The ensemble is the stage-1 backbone plus {_count(cfg.uncertainty.ensemble_seeds)} backbones trained alone with "
      f"seeds {_and(cfg.uncertainty.ensemble_seeds)}. Times: PyTorch, 2 threads, shared CPU, model grid only (no preprocessing).\n")
    a(f"![reliability]({name}-reliability.png) Reliability diagram (brain mask; blue SLEX-Net, red "
      "stage-1 backbone, green MC Dropout, orange ensemble; dashed = perfect calibration).\n")
    a("## Uncertainty flag\n")
    a(f"Per-volume statistic: mean entropy over the predicted lesion. Threshold **{thr:.4f}** "
      f"(calibration on validation: {json.dumps(thr_info)}). On the test set: {json.dumps(ev.flag_on_test)} "
      f"(bad = 1 - Dice > {cfg.uncertainty.bad_error:g}).\n")
    a(f"![entropy-vs-error]({name}-entropy-vs-error.png) Mean lesion entropy (x) vs 1 - Dice (y), test set.\n")
    a(f"![volumes]({name}-volume-scatter.png) Predicted vs true volume (mL), test set.\n")
    notes = os.path.join(REPO, "training", "REPORT_NOTES.md")
    if os.path.exists(notes):  # hand-written analysis of the shipped run
        with open(notes) as f:
            a(f.read())
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")
