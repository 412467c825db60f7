"""ONNX export of the whole-volume graph (docs/model-interface.md) and the model card."""
from __future__ import annotations

import hashlib
import json
import os

import onnx
import torch

from .model import SlexNet, VolumeGraph
from .preprocess import PREPROCESSING_VERSION

OPSET = 17
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


def sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export_onnx(net: SlexNet, path: str, example_slices: int = 3) -> str:
    net = net.eval()
    graph = VolumeGraph(net).eval()
    n = net.cfg.input_size
    dummy = torch.randn(example_slices, 1, n, n)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            graph, (dummy,), path, opset_version=OPSET,
            input_names=["slices"], output_names=["prob", "hypotheses", "entropy"],
            dynamic_axes={"slices": {0: "S"}, "prob": {0: "S"}, "hypotheses": {0: "S"},
                          "entropy": {0: "S"}},
            do_constant_folding=True)
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    return sha256_of(path)


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
