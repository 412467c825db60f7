"""Sweeps of one postprocessing setting over a finished run (`ichtrain shift-sweep`,
`ichtrain component-sweep`): the numbers behind the worker's defaults (training/REPORT_NOTES.md)."""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass

import torch

from .config import TrainConfig
from .data import Prepared, load_split
from .evaluation import VolumeEval, hypotheses, summarize, to_native, variants
from .model import load_checkpoint

SHIFT_DELTAS = (-0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
COMPONENT_MM3 = (0.0, 10.0, 100.0, 250.0, 500.0, 750.0, 1000.0, 1500.0, 2000.0, 3000.0)


@dataclass(frozen=True)
class SweepVolume:
    """One volume's hypothesis logits without any prior shift, computed once for every candidate."""
    vol: Prepared
    raw: dict            # hypothesis name -> logits [S,1,N,N]
    trained_shift: float
    cfg: TrainConfig

    def slexnet_native(self, shift: float):
        """SLEX-Net probabilities on the native matrix with the logits shifted by `shift`."""
        _, R, C = self.vol.label.shape
        h = {k: v - shift for k, v in self.raw.items()}
        return to_native(variants(h, self.cfg.model.beta, self.cfg.model.fusion)["SLEX-Net"], R, C)


def _sweep(run_dir, splits, candidates, per_volume, metrics_for, label, log):
    """One hypothesis pass per volume, per_volume(SweepVolume) once, then
    metrics_for(SweepVolume, that, candidate) for every candidate.

    Candidates are meant to be chosen on validation; the test rows only show whether that choice
    carries over."""
    torch.set_num_threads(2)
    with open(os.path.join(run_dir, "run.json")) as f:
        cfg = TrainConfig.from_dict(json.load(f)["config"])
    net = load_checkpoint(os.path.join(run_dir, "final.pt"))
    trained_shift = net.cfg.prior_shift
    net.cfg = dataclasses.replace(net.cfg, prior_shift=0.0)
    table = {}
    for split in splits:
        rows = {c: [] for c in candidates}
        for vol in load_split(cfg, split, log):
            sv = SweepVolume(vol, {k: v for k, v in hypotheses(net, vol.x).items() if k != "_shift"},
                             trained_shift, cfg)
            prepared = per_volume(sv)
            for c in candidates:
                rows[c].append(metrics_for(sv, prepared, c))
        for c in candidates:
            s = summarize(rows[c])
            table[(split, c)] = s
            log(f"{split} {label(trained_shift, c)}: Dice {s['dice_mean']:.3f}, median |volume error| "
                f"{s['rvd_median']:.3f}, FP volumes {s['fp_volumes']}/{s['n_neg']}, volume R2 {s['volume_r2']:.2f}")
    return table


def prior_shift_sweep(run_dir, splits=("val", "test"), deltas=SHIFT_DELTAS, log=print):
    """SLEX-Net metrics for logit shifts around the trained one (postprocessing as shipped)."""
    def metrics_for(sv, _, d):
        return VolumeEval(sv.vol).seg_metrics(sv.slexnet_native(sv.trained_shift + d), full=False)[0]
    return _sweep(run_dir, splits, deltas, lambda sv: None, metrics_for,
                  lambda t, d: f"shift {t:.3f}{d:+.2f}", log)


def component_sweep(run_dir, splits=("val", "test"), sizes=COMPONENT_MM3, log=print):
    """SLEX-Net metrics for minimum lesion component sizes (results.min-component-mm3)."""
    def metrics_for(sv, p_native, mm3):
        return VolumeEval(sv.vol, min_component_mm3=mm3).seg_metrics(p_native, full=False)[0]
    return _sweep(run_dir, splits, sizes, lambda sv: sv.slexnet_native(sv.trained_shift), metrics_for,
                  lambda t, mm3: f"min component {mm3:g} mm3", log)
