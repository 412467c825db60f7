"""`make train`: train from scratch, then ship: export, card, evaluation report, golden vectors."""
from __future__ import annotations

import json
import os
import shutil
import time

from . import golden
from .export import export_onnx, write_card
from .train import TrainConfig, train, REPO, TRAINING_DIR, load_checkpoint_for_onnx


def full_train(run_dir=None, data_dir=None, name="slexnet-ich", ship_model=True, cfg=None):
    t0 = time.time()
    cfg = cfg or TrainConfig()
    if data_dir:
        cfg.data_dir = os.path.abspath(data_dir)
    run_dir = os.path.abspath(run_dir or os.path.join(
        TRAINING_DIR, "runs", time.strftime("%Y%m%d-%H%M%S")))
    train(cfg, run_dir)
    ship(run_dir, name, ship_model)
    print(f"full pipeline {time.time() - t0:.0f}s")


def ship(run_dir, name="slexnet-ich", ship_model=True, quick=False, version="1.0.0"):
    """Exports runs/<run>/final.pt, writes the card, evaluates, and (shipping) the golden vectors."""
    run_dir = os.path.abspath(run_dir)
    with open(os.path.join(run_dir, "run.json")) as f:
        meta = json.load(f)
    net = load_checkpoint_for_onnx(os.path.join(run_dir, "final.pt"))
    models = os.path.join(REPO, "models") if ship_model else os.path.join(run_dir, "models")
    os.makedirs(models, exist_ok=True)
    onnx_path = os.path.join(models, f"{name}.onnx")
    export_onnx(net, onnx_path)
    data_dir = meta["config"].get("data_dir")
    training = {"run_dir": os.path.relpath(run_dir, REPO), "config": meta["config"],
                "versions": meta["versions"], "git_commit": meta["git_commit"],
                "timing": meta.get("timing"), "device": meta["device"],
                "data": ("NIfTI: " + data_dir) if data_dir else
                "synthetic phantoms (ichtrain.phantoms): simple analytic, Colin27 pseudo-CT "
                "(mricron-data ch2/ch2bet, BSD-3), lesions inserted into the dcm_qa_ct GE head CT "
                "(BSD-2); split seeds from config.seed_base and *_mix (disjoint ranges)",
                "loss": "L = gamma*Lseg + Lsem, gamma 1, weighted CE (lesion 1.0, background 0.1)",
                "schedule": "stage 1: backbone and SEM trained separately (SEM fed perturbed "
                            "truth of the neighbour); stage 2: joint fine-tuning; Adam, cosine LR, "
                            "64x64 lesion-centred crops of the 128x128 preprocessed slices"}
    if meta["config"].get("init_from"):
        training["warm_start"] = meta.get("warm_start") or {"init_from": meta["config"]["init_from"]}
        training["schedule"] = (
            "warm start from the weights in warm_start (their own two-stage schedule is recorded "
            "there), then stage 2 only (joint fine-tuning, Adam, cosine LR from lr_stage2) for "
            "stage2_steps; lesion-free crops centred on the intracranial edge with probability "
            "rim_fraction (inner table / skull base hard negatives), otherwise as stage 2 above")
    write_card(os.path.join(models, f"{name}.json"), onnx_path, net, name, version,
               training=training, metrics={}, high_uncertainty_threshold=0.3)
    if ship_model:
        shutil.copy(os.path.join(run_dir, "final.pt"), os.path.join(models, f"{name}.pt"))
    meta["run_dir"] = run_dir
    with open(os.path.join(run_dir, "run.json"), "w") as f:
        json.dump(meta, f, indent=1)
    from .evaluate import evaluate_run
    evaluate_run(run_dir, name, card_update=True, models_dir=models, quick=quick)
    if ship_model:
        golden.run()
