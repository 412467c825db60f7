"""`make train`: train from scratch, export, evaluate, write card, report and golden vectors."""
from __future__ import annotations

import json
import os
import shutil
import time

from . import golden
from .export import export_onnx, write_card
from .train import TrainConfig, train, REPO, TRAINING_DIR, save_checkpoint


def full_train(run_dir=None, data_dir=None, name="slexnet-ich", ship=True, cfg=None):
    t0 = time.time()
    cfg = cfg or TrainConfig()
    if data_dir:
        cfg.data_dir = os.path.abspath(data_dir)
    run_dir = os.path.abspath(run_dir or os.path.join(
        TRAINING_DIR, "runs", time.strftime("%Y%m%d-%H%M%S")))
    net, meta = train(cfg, run_dir)
    models = os.path.join(REPO, "models") if ship else run_dir
    onnx_path = os.path.join(models, f"{name}.onnx")
    export_onnx(net, onnx_path)
    training = {"run_dir": os.path.relpath(run_dir, REPO), "config": meta["config"],
                "versions": meta["versions"], "git_commit": meta["git_commit"],
                "timing": meta["timing"], "device": meta["device"],
                "data": ("NIfTI: " + cfg.data_dir) if cfg.data_dir else
                "synthetic phantoms (ichtrain.phantoms): simple analytic, Colin27 pseudo-CT "
                "(mricron-data ch2/ch2bet, BSD-3), lesions inserted into the dcm_qa_ct GE head CT "
                "(BSD-2); split seeds in config.seed_base / *_mix",
                "loss": "L = gamma*Lseg + Lsem, gamma 1, weighted CE (lesion 1.0, background 0.1)",
                "schedule": "stage 1: backbone and SEM trained separately (SEM fed perturbed "
                            "truth of the neighbour); stage 2: joint fine-tuning"}
    write_card(os.path.join(models, f"{name}.json"), onnx_path, net, name, "1.0.0",
               training=training, metrics={}, high_uncertainty_threshold=0.3)
    if ship:
        shutil.copy(os.path.join(run_dir, "final.pt"), os.path.join(models, f"{name}.pt"))
    meta["run_dir"] = run_dir
    with open(os.path.join(run_dir, "run.json"), "w") as f:
        json.dump(meta, f, indent=1)
    from .evaluate import evaluate_run
    evaluate_run(run_dir, name, card_update=True)
    if ship:
        golden.run()
    print(f"full pipeline {time.time() - t0:.0f}s")
