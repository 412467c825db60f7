"""CLI: /usr/bin/python3 -m ichtrain {golden,smoke,train,evaluate} (run from training/)."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time

import torch


def smoke_config():
    """The CI run's settings: a tiny model, few steps, every other setting the shipped default."""
    from .config import DataConfig, SamplingConfig, ScheduleConfig, SplitConfig, TrainConfig
    from .model import ModelConfig
    return TrainConfig(model=ModelConfig(width=4, depth=2, input_size=64, dropout=0.1),
                       data=DataConfig(matrix=128),
                       split=SplitConfig(train_mix={"simple": 3}, val_mix={"simple": 1}, test_mix={"simple": 1}),
                       sampling=SamplingConfig(batch=2), schedule=ScheduleConfig(stage1_steps=4, stage2_steps=4))


def _smoke(args):
    from . import golden
    from .train import train
    from .card import write_card
    from .export import export_onnx
    t0 = time.time()
    torch.set_num_threads(2)
    cfg = smoke_config()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    net, meta = train(cfg, os.path.join(out, "run"))
    name = "slexnet-smoke"
    onnx_path = os.path.join(out, f"{name}.onnx")
    export_onnx(net, onnx_path)
    write_card(os.path.join(out, f"{name}.json"), onnx_path, net, name, "0.0-smoke",
               training={"mode": "smoke", **meta}, metrics={},
               high_uncertainty_threshold=cfg.uncertainty.default_threshold)
    golden.write_model_golden(out, net, onnx_path, name)
    print(f"smoke ok in {time.time() - t0:.1f}s: {onnx_path}")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="ichtrain")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("smoke", help="tiny model, few steps, export + checker + golden (CI)")
    s.add_argument("--out", required=True)
    g = sub.add_parser("golden", help="write src/test/resources/golden/")
    g.add_argument("--out", default=None)
    t = sub.add_parser("train", help="full training of the shipped model from scratch")
    t.add_argument("--run-dir", default=None)
    t.add_argument("--data-dir", default=None, help="NIfTI image+mask folder instead of phantoms")
    t.add_argument("--name", default="slexnet-ich")
    t.add_argument("--no-ship", action="store_true", help="do not write models/")
    t.add_argument("--dicom-dir", default=None, help="CT series + DICOM SEG folder (searched recursively): "
                   "fine-tune the shipped model on them, stage 2 only; output in RUN_DIR/models/ "
                   "(--name default slexnet-ich-site)")
    t.add_argument("--segments", default=None, help="with --dicom-dir: segments that are hemorrhage, "
                   "comma-separated SegmentNumbers or label substrings (default: every segment)")
    t.add_argument("--exclude-segments", default=None, help="with --dicom-dir: segments to leave out, "
                   "same form, e.g. oedema,edema")
    t.add_argument("--steps", type=int, default=None, help="with --dicom-dir: stage-2 steps (default: TrainConfig's)")
    sh = sub.add_parser("ship", help="export + card + evaluation + golden from a finished run")
    sh.add_argument("--run-dir", required=True)
    sh.add_argument("--name", default="slexnet-ich")
    sh.add_argument("--no-ship", action="store_true")
    sh.add_argument("--quick", action="store_true")
    sh.add_argument("--version", default="1.0.0", help="model card version")
    ps = sub.add_parser("shift-sweep", help="Dice / volume error of a finished run for prior shifts around its own")
    ps.add_argument("--run-dir", required=True)
    cs = sub.add_parser("component-sweep", help="Dice / volume error of a finished run for minimum lesion component sizes")
    cs.add_argument("--run-dir", required=True)
    im = sub.add_parser("docs-images", help="PNG sheets for docs/images: the v2 mask on the real GE series and phantoms, the generator gallery")
    im.add_argument("--out", default=os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "docs", "images"))
    pk = sub.add_parser("pack-sources", help="write colin.npz and ge.npz for a machine without ../shared (gpu-train.sh)")
    pk.add_argument("--out", required=True)
    gr = sub.add_parser("gpu-run", help="generate, train within a budget, compare with the shipped model (training/gpu-train.sh)")
    gr.add_argument("--out", required=True)
    gr.add_argument("--profile", default="large", choices=["large", "tiny"])
    gr.add_argument("--budget-s", type=float, default=300.0, help="training wall-clock budget, both stages")
    gr.add_argument("--deadline-s", type=float, default=None, help="whole-run limit; the training budget shrinks to fit it")
    e = sub.add_parser("evaluate", help="write models/<name>-report.md")
    e.add_argument("--run-dir", required=True)
    e.add_argument("--name", default="slexnet-ich")
    e.add_argument("--quick", action="store_true")
    from .critic import add_cli as _critic_cli
    _critic_cli(sub)  # critic: BLAST-CT v1 realism critic on phantoms
    a = ap.parse_args(argv)
    if a.cmd == "smoke":
        _smoke(a)
    elif a.cmd == "golden":
        from . import golden
        golden.run(a.out or golden.GOLDEN_DIR)
    elif a.cmd == "train" and a.dicom_dir:
        if a.data_dir:
            ap.error("--dicom-dir and --data-dir exclude each other")
        from .pipeline import dicom_train
        from .datasets import DatasetError
        try:
            dicom_train(a.dicom_dir, a.run_dir, a.name if a.name != "slexnet-ich" else "slexnet-ich-site",
                        a.segments, a.exclude_segments, a.steps)
        except DatasetError as e:  # the file and the tag that are wrong, without a traceback
            print(f"ichtrain train --dicom-dir: {type(e).__name__}: {e}", file=sys.stderr)
            return 2
    elif a.cmd == "train":
        from .pipeline import full_train
        full_train(a.run_dir, a.data_dir, a.name, ship_model=not a.no_ship)
    elif a.cmd == "ship":
        from .pipeline import ship
        ship(a.run_dir, a.name, ship_model=not a.no_ship, quick=a.quick, version=a.version)
    elif a.cmd == "shift-sweep":
        from .sweeps import prior_shift_sweep
        prior_shift_sweep(a.run_dir)
    elif a.cmd == "component-sweep":
        from .sweeps import component_sweep
        component_sweep(a.run_dir)
    elif a.cmd == "docs-images":
        from .sheets import write_docs_images
        for line in write_docs_images(a.out):
            print(line)
    elif a.cmd == "pack-sources":
        from .phantoms import pack_sources
        pack_sources(a.out)
    elif a.cmd == "gpu-run":
        from .gpu import run
        run(a.out, a.profile, a.budget_s, deadline_s=a.deadline_s)
    elif a.cmd == "evaluate":
        from .pipeline import evaluate_run
        evaluate_run(a.run_dir, a.name, quick=a.quick)
    elif a.cmd == "critic":
        from .critic import run_cli
        return run_cli(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
