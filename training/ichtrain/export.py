"""ONNX export of the whole-volume graph (docs/model-interface.md); the card is card.py."""
from __future__ import annotations

import hashlib
import os

import onnx
import torch

from .model import SlexNet, VolumeGraph

OPSET = 17


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
