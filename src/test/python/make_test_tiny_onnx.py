#!/usr/bin/python3
"""Writes src/test/resources/models/test-tiny.{onnx,json}: a tiny ONNX graph with the exact
interface of docs/model-interface.md, for Java tests of sessions, fallback and chunking until the
trained model ships. It is NOT a trained model: prob is a sigmoid of the preprocessed intensity,
mixed with the neighbouring slices (edge slices replicated) so that chunking errors are visible.

Run: /usr/bin/python3 src/test/python/make_test_tiny_onnx.py   (onnx 1.12, numpy)
"""
import hashlib
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper

INPUT_SIZE = 256
A, B, MIX, BETA = 4.0, -9.2, 0.25, 0.2
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "resources", "models"))


def const(name, value, dtype=np.float32):
    return helper.make_node("Constant", [], [name], value=helper.make_tensor(
        name + "_t", TensorProto.FLOAT if dtype == np.float32 else TensorProto.INT64,
        [len(value)] if isinstance(value, list) else [],
        value if isinstance(value, list) else [value]))


def build():
    n = []
    n += [const("A", A), const("B", B), const("MIX", MIX), const("KEEP", 1.0 - MIX), const("BETA", BETA),
          const("ONE", 1.0), const("TWO", 2.0), const("THIRD", 1.0 / 3.0), const("EPS", 1e-7),
          const("ONE_M_EPS", 1.0 - 1e-7)]
    i64 = np.int64
    n += [const("s0", [0], i64), const("s1", [1], i64), const("sm1", [-1], i64),
          const("send", [2 ** 62], i64), const("ax0", [0], i64)]
    # previous neighbour: [x0, x0..x(S-2)], next neighbour: [x1..x(S-1), x(S-1)]
    n += [helper.make_node("Slice", ["slices", "s0", "s1", "ax0"], ["first"]),
          helper.make_node("Slice", ["slices", "s0", "sm1", "ax0"], ["head"]),
          helper.make_node("Concat", ["first", "head"], ["prev"], axis=0),
          helper.make_node("Slice", ["slices", "s1", "send", "ax0"], ["tail"]),
          helper.make_node("Slice", ["slices", "sm1", "send", "ax0"], ["last"]),
          helper.make_node("Concat", ["tail", "last"], ["next"], axis=0)]

    def hyp(src, out):
        return [helper.make_node("Mul", [src, "A"], [out + "_a"]),
                helper.make_node("Add", [out + "_a", "B"], [out + "_b"]),
                helper.make_node("Sigmoid", [out + "_b"], [out])]

    def blend(nb, out):
        return [helper.make_node("Mul", ["slices", "KEEP"], [out + "_k"]),
                helper.make_node("Mul", [nb, "MIX"], [out + "_m"]),
                helper.make_node("Add", [out + "_k", out + "_m"], [out])]

    n += hyp("slices", "h0")
    n += blend("prev", "xf") + hyp("xf", "h1")
    n += blend("next", "xb") + hyp("xb", "h2")
    n += [helper.make_node("Concat", ["h0", "h1", "h2"], ["hypotheses"], axis=1)]
    # consistency weight w = beta * exp(-(h1 - h2)^2); prob = (h0 + w h1 + w h2) / (1 + 2 w)
    n += [helper.make_node("Sub", ["h1", "h2"], ["d"]),
          helper.make_node("Mul", ["d", "d"], ["d2"]),
          helper.make_node("Neg", ["d2"], ["nd2"]),
          helper.make_node("Exp", ["nd2"], ["ed"]),
          helper.make_node("Mul", ["ed", "BETA"], ["w"]),
          helper.make_node("Mul", ["w", "h1"], ["wh1"]),
          helper.make_node("Mul", ["w", "h2"], ["wh2"]),
          helper.make_node("Add", ["h0", "wh1"], ["n1"]),
          helper.make_node("Add", ["n1", "wh2"], ["num"]),
          helper.make_node("Mul", ["w", "TWO"], ["w2"]),
          helper.make_node("Add", ["w2", "ONE"], ["den"]),
          helper.make_node("Div", ["num", "den"], ["prob"])]
    # entropy of the mean hypothesis, natural log
    n += [helper.make_node("Add", ["h0", "h1"], ["s01"]),
          helper.make_node("Add", ["s01", "h2"], ["s012"]),
          helper.make_node("Mul", ["s012", "THIRD"], ["mean"]),
          helper.make_node("Max", ["mean", "EPS"], ["mlo"]),
          helper.make_node("Min", ["mlo", "ONE_M_EPS"], ["mc"]),
          helper.make_node("Sub", ["ONE", "mc"], ["omc"]),
          helper.make_node("Log", ["mc"], ["lm"]),
          helper.make_node("Log", ["omc"], ["lomc"]),
          helper.make_node("Mul", ["mc", "lm"], ["t1"]),
          helper.make_node("Mul", ["omc", "lomc"], ["t2"]),
          helper.make_node("Add", ["t1", "t2"], ["t12"]),
          helper.make_node("Neg", ["t12"], ["entropy"])]
    shape = lambda c: ["S", c, INPUT_SIZE, INPUT_SIZE]
    graph = helper.make_graph(
        n, "test-tiny",
        [helper.make_tensor_value_info("slices", TensorProto.FLOAT, shape(1))],
        [helper.make_tensor_value_info("prob", TensorProto.FLOAT, shape(1)),
         helper.make_tensor_value_info("hypotheses", TensorProto.FLOAT, shape(3)),
         helper.make_tensor_value_info("entropy", TensorProto.FLOAT, shape(1))])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="ich-triage-tests")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    os.makedirs(OUT, exist_ok=True)
    data = build().SerializeToString()
    path = os.path.join(OUT, "test-tiny.onnx")
    with open(path, "wb") as f:
        f.write(data)
    card = {
        "name": "test-tiny",
        "version": "0.0.1-test",
        "onnx": "test-tiny.onnx",
        "sha256": hashlib.sha256(data).hexdigest(),
        "input_size": INPUT_SIZE,
        "preprocessing_version": 1,
        "fusion": "probability",
        "beta": BETA,
        "high_uncertainty_threshold": 0.3,
        "intended_use": "Java unit tests of the ONNX Runtime wrapper only. Not a trained model.",
        "limitations": "Thresholds the preprocessed intensity; has no knowledge of anatomy.",
        "training": {"note": "none: hand-built graph from src/test/python/make_test_tiny_onnx.py"},
        "metrics": {},
    }
    with open(os.path.join(OUT, "test-tiny.json"), "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    print(path, card["sha256"])


if __name__ == "__main__":
    main()
