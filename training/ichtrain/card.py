"""The model card (models/<name>.json): written at export, completed by the evaluation."""
from __future__ import annotations

import json
import os

from .evaluation import RunEvaluation
from .export import OPSET, sha256_of
from .model import SlexNet
from .postprocess import GATE_MAX_HU, GATE_MIN_HU, GATE_RADIUS_MM
from .preprocess import PREPROCESSING_VERSION

INTENDED_USE = ("Research and integration testing of the ich-triage worker: flags possible "
                "intracranial hemorrhage on non-contrast head CT for prioritisation experiments. "
                "NOT FOR CLINICAL USE.")
LIMITATIONS = [
    "Trained only on synthetic data: geometric phantoms, Colin27-based pseudo-CT and synthetic "
    "lesions inserted into one real head CT. Never validated on labelled patient scans.",
    "Metrics in this card are measured on held-out phantoms, not on patients.",
    f"Expects non-contrast head CT in HU, preprocessing v{PREPROCESSING_VERSION} (docs/preprocessing.md).",
    "NOT FOR CLINICAL USE: not a medical device, no regulatory clearance.",
]




def write_card(path_json: str, onnx_path: str, net: SlexNet, name: str, version: str,
               training: dict, metrics: dict, high_uncertainty_threshold: float,
               extra: dict | None = None) -> dict:
    cfg = net.cfg
    card = {
        "name": name,
        "version": version,
        "onnx": os.path.basename(onnx_path),
        "sha256": sha256_of(onnx_path),
        "architecture": {
            "type": "SLEX-Net (U-Net backbone + shared Slice Expansion Module, CW-MSA)",
            "backbone": f"U-Net width {cfg.width} depth {cfg.depth}, BatchNorm, "
                        f"Dropout2d {cfg.dropout} at the bottleneck",
            "sem": f"U-Net width {cfg.width} depth {cfg.depth}, 3 input channels "
                   "[neighbour slice, centre slice, neighbour foreground prob]",
            "parameters": int(sum(p.numel() for p in net.parameters())),
            "onnx_opset": OPSET,
            "config": cfg.to_dict(),
        },
        "input_size": cfg.input_size,
        "preprocessing_version": PREPROCESSING_VERSION,
        "fusion": cfg.fusion,
        "beta": cfg.beta,
        "high_uncertainty_threshold": high_uncertainty_threshold,
        "intended_use": INTENDED_USE,
        "limitations": LIMITATIONS,
        "training": training,
        "metrics": metrics,
    }
    if extra:
        card.update(extra)
    with open(path_json, "w") as f:
        json.dump(card, f, indent=2, sort_keys=False)
        f.write("\n")
    return card


def add_evaluation(path, ev: RunEvaluation):
    """Writes a run's evaluation into its card: the calibrated uncertainty threshold, the
    postprocessing the metrics assume, and the test metrics."""
    if not os.path.exists(path):
        return
    with open(path) as f:
        card = json.load(f)
    s = ev.summary["SLEX-Net"]
    by_kind, calres_b, corr = ev.by_kind, ev.calibration_brain, ev.entropy_error_pearson
    thr, thr_info = ev.threshold.threshold, ev.threshold.info
    card["high_uncertainty_threshold"] = round(float(thr), 6)
    card["high_uncertainty_statistic"] = (
        "mean of the entropy output, resized to the native matrix with the preprocessing bilinear "
        "rule, over the native pixels of the predicted lesion mask (p >= 0.5 AND intracranial "
        "mask); 0 when nothing is predicted")
    card["high_uncertainty_calibration"] = thr_info
    # what the metrics below assume of the worker; ShippedModelCardTest (Java) checks the worker's default
    card["evaluated_postprocessing"] = {"threshold": 0.5, "min_component_mm3": ev.min_component_mm3,
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
        "inference_s_per_volume_pytorch_2threads": ev.time_s_per_volume.get("SLEX-Net"),
    }
    with open(path, "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
