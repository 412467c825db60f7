"""The steps of a run: `make train` (train from scratch, then ship: export, card, evaluation report,
golden vectors), `ichtrain evaluate`, and the DICOM fine-tune."""
from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import time

import torch

from . import golden
from .card import add_evaluation, write_card
from .config import ScheduleConfig, TrainConfig
from .data import REPO, TRAINING_DIR, load_split
from .evaluation import (STAGE1_BACKBONE, RunEvaluation, calibrate_threshold, evaluate_split,
                         summarize_run)
from .export import export_onnx
from .model import load_checkpoint
from .report import write_plots, write_report
from .train import train, train_ensemble_members


def full_train(run_dir=None, data_dir=None, name="slexnet-ich", ship_model=True, cfg=None):
    t0 = time.time()
    cfg = cfg or TrainConfig()
    if data_dir:
        cfg = cfg.replace(data={"data_dir": os.path.abspath(data_dir)})
    run_dir = os.path.abspath(run_dir or os.path.join(
        TRAINING_DIR, "runs", time.strftime("%Y%m%d-%H%M%S")))
    train(cfg, run_dir)
    ship(run_dir, name, ship_model)
    print(f"full pipeline {time.time() - t0:.0f}s")


def dicom_train(dicom_dir, run_dir=None, name="slexnet-ich-site", include=None, exclude=None,
                steps=None, base="slexnet-ich", cfg=None):
    """`ichtrain train --dicom-dir`: fine-tune the shipped weights (models/<base>.pt, the model
    config of its card) on a site's CT series + DICOM SEG (dicomseg.py), stage 2 only. The model,
    card and report go to <run_dir>/models/, never over the shipped model."""
    from .dicomseg import SegmentRule, find_dicom_pairs, split_pairs
    from .datasets import DatasetError
    from .model import ModelConfig
    t0 = time.time()
    card_path = os.path.join(REPO, "models", f"{base}.json")
    weights = os.path.join(REPO, "models", f"{base}.pt")
    for p in (card_path, weights):
        if not os.path.exists(p):
            raise DatasetError(f"{p} is missing: the fine-tune starts from the shipped model")
    with open(card_path) as f:
        card = json.load(f)
    arch = card["architecture"]["config"]
    model = ModelConfig(**{k: arch[k] for k in ModelConfig().to_dict() if k in arch})
    rule = SegmentRule.parse(include, exclude)
    if cfg is None:
        cfg = TrainConfig(model=model, schedule=ScheduleConfig(stage1_steps=0), init_from=weights)
        if steps is not None:
            cfg = cfg.replace(schedule={"stage2_steps": int(steps)})
    pairs, _ = find_dicom_pairs(dicom_dir)  # fail fast, before any training
    sp = split_pairs(pairs, cfg.seed, cfg.split)
    if not sp["val"] or not sp["test"]:
        raise DatasetError(f"{dicom_dir}: {len({p.group for p in pairs})} patient(s) with a SEG; the 70/10/20 "
                           f"split needs at least 6 for a non-empty validation and test split")
    cfg = cfg.replace(data={"dicom_dir": os.path.abspath(dicom_dir), "dicom_segments": rule.to_dict()})
    run_dir = os.path.abspath(run_dir or os.path.join(
        TRAINING_DIR, "runs", time.strftime("%Y%m%d-%H%M%S") + "-dicom"))
    # stage 1 is skipped (resume_stage1 = the shipped weights); its slot in the evaluation
    # ("stage 1" row) holds the shipped weights, i.e. the model before the fine-tune
    train(cfg, run_dir, resume_stage1=weights)
    shutil.copy(weights, os.path.join(run_dir, "stage1.pt"))
    with open(os.path.join(run_dir, "run.json")) as f:
        meta = json.load(f)
    meta["warm_start"] = {"init_from": os.path.relpath(weights, REPO), "card": card.get("name"),
                          "version": card.get("version"), "sha256": card.get("sha256"),
                          "note": "stage1.pt in this run is a copy of these weights (no stage 1 run)"}
    with open(os.path.join(run_dir, "run.json"), "w") as f:
        json.dump(meta, f, indent=1)
    ship(run_dir, name, ship_model=False, quick=True)
    # a small site test set leaves some metrics undefined (NaN), which strict JSON readers (the
    # Java service's card reader) refuse: they become null in the card
    card_out = os.path.join(run_dir, "models", f"{name}.json")
    with open(card_out) as f:
        site_card = json.load(f)
    nulled = []

    def _finite(o, path=""):
        if isinstance(o, float) and not math.isfinite(o):
            nulled.append(path)
            return None
        if isinstance(o, dict):
            return {k: _finite(v, f"{path}.{k}") for k, v in o.items()}
        if isinstance(o, list):
            return [_finite(v, f"{path}[{i}]") for i, v in enumerate(o)]
        return o
    site_card = _finite(site_card)
    if nulled:
        site_card["undefined_metrics"] = nulled
        with open(card_out, "w") as f:
            json.dump(site_card, f, indent=2, allow_nan=False)
        print(f"{card_out}: {len(nulled)} undefined metric(s) (too few test volumes?) written as null")
    print(f"dicom fine-tune {time.time() - t0:.0f}s: {os.path.join(run_dir, 'models', name + '.onnx')}")
    return run_dir


def _phantom_text(cfg: TrainConfig, recorded: dict):
    from .phantoms import GENERATOR_VERSION, NEGATIVE_FRACTION
    gv = recorded.get("generator_version", GENERATOR_VERSION)
    note = (f" (trained on generator version {gv}; evaluated on version {GENERATOR_VERSION}, which closed "
            "gaps in the Colin27 skull that left most Colin training slices without a v2 mask)"
            if gv != GENERATOR_VERSION else "")
    return (f"synthetic phantoms (ichtrain.phantoms, generator version {gv}{note}): simple analytic head "
            "with skull base, Colin27 pseudo-CT (mricron-data ch2/ch2bet, BSD-3), lesions inserted into the "
            f"dcm_qa_ct GE head CT (BSD-2); mix {cfg.split.train_mix} at matrix {cfg.data.matrix}; "
            f"{NEGATIVE_FRACTION:.0%} negatives; mimics and scanner effects as in training/README.md; "
            "split seeds from config.split.seed_base and *_mix (disjoint ranges)")


def _schedule_text(cfg: TrainConfig, meta):
    sc, sm, o = cfg.schedule, cfg.sampling, cfg.optimiser
    n = cfg.model.input_size
    crop = sm.crop or n
    warm = f"warm start from {os.path.basename(cfg.init_from)}; " if cfg.init_from else ""
    if sc.stage1_budget_s:
        s1 = f"stage 1 for {sc.stage1_budget_s:.0f} s ({meta.get('stage1_steps_run', '?')} steps)"
        s2 = f"stage 2 for {sc.stage2_budget_s:.0f} s ({meta.get('stage2_steps_run', '?')} steps)"
    else:
        s1 = f"stage 1 for {sc.stage1_steps} steps"
        s2 = f"stage 2 for {sc.stage2_steps} steps"
    hard = (f"; {sm.hard_fraction:.0%} of the crops centred on the model's own false positives, mined "
            f"after stage 1 and every {sm.mine_every} stage-2 steps") if sm.hard_fraction else ""
    return (f"{warm}{s1}: backbone and SEM trained separately (SEM fed perturbed truth of the neighbour), "
            f"Adam from lr {o.lr}; {s2}: joint, Adam from lr_stage2 {o.lr_stage2}; cosine LR "
            f"(over time when budgets are set); batch {sm.batch} of {crop}x{crop} lesion-centred crops of "
            f"the {n}x{n} preprocessed slices (lesion_fraction {sm.lesion_fraction}){hard}; on {meta.get('device')}")


def card_training_section(run_dir: str, meta: dict) -> dict:
    """The card's `training`: every setting of the run (TrainConfig, read back from run.json so
    that a run recorded before a setting existed shows its default) and how it ran."""
    cfg = TrainConfig.from_dict(meta["config"])
    recorded = {k: meta["config"][k] for k in ("generator_version", "preprocessing_version")
                if k in meta["config"]}
    training = {"run_dir": os.path.relpath(run_dir, REPO), "config": {**cfg.to_dict(), **recorded},
                "versions": meta["versions"], "git_commit": meta["git_commit"],
                "timing": meta.get("timing"), "device": meta["device"],
                "data": ("NIfTI: " + cfg.data.data_dir) if cfg.data.data_dir else _phantom_text(cfg, recorded),
                "loss": {"kind": "L = gamma*Lseg + Lsem, weighted binary cross-entropy on logits "
                                 "(paper eq. 9)", **dataclasses.asdict(cfg.loss)},
                "schedule": _schedule_text(cfg, meta)}
    if meta.get("data", {}).get("dicom_dir"):  # a site's DICOM + SEG (dicomseg.py)
        training["data"] = meta["data"]
    if cfg.init_from:
        training["warm_start"] = meta.get("warm_start") or {"init_from": cfg.init_from}
    return training


def ship(run_dir, name="slexnet-ich", ship_model=True, quick=False, version="1.0.0"):
    """Exports runs/<run>/final.pt, writes the card, evaluates, and (shipping) the golden vectors."""
    run_dir = os.path.abspath(run_dir)
    with open(os.path.join(run_dir, "run.json")) as f:
        meta = json.load(f)
    net = load_checkpoint(os.path.join(run_dir, "final.pt"))
    models = os.path.join(REPO, "models") if ship_model else os.path.join(run_dir, "models")
    os.makedirs(models, exist_ok=True)
    onnx_path = os.path.join(models, f"{name}.onnx")
    export_onnx(net, onnx_path)
    training = card_training_section(run_dir, meta)
    write_card(os.path.join(models, f"{name}.json"), onnx_path, net, name, version,
               training=training, metrics={}, high_uncertainty_threshold=TrainConfig.from_dict(meta["config"]).uncertainty.default_threshold)
    if ship_model:
        shutil.copy(os.path.join(run_dir, "final.pt"), os.path.join(models, f"{name}.pt"))
    meta["run_dir"] = run_dir
    with open(os.path.join(run_dir, "run.json"), "w") as f:
        json.dump(meta, f, indent=1)
    evaluate_run(run_dir, name, card_update=True, models_dir=models, quick=quick)
    if ship_model:
        golden.run()


def evaluate_run(run_dir, name="slexnet-ich", quick=False, card_update=True, log=print,
                 models_dir=None) -> RunEvaluation:
    """`ichtrain evaluate`: the uncertainty threshold calibrated on validation, every method on the
    test set (the stage-1 backbone and, unless quick, MC Dropout and the deep ensemble beside the
    shipped network); writes eval.json, models/<name>-report.md with its plots, and the card's metrics."""
    torch.set_num_threads(2)
    with open(os.path.join(run_dir, "run.json")) as f:
        meta = json.load(f)
    cfg = TrainConfig.from_dict(meta["config"])
    unc = cfg.uncertainty
    net = load_checkpoint(os.path.join(run_dir, "final.pt"))
    stage1 = load_checkpoint(os.path.join(run_dir, "stage1.pt"))
    models_dir = models_dir or os.path.join(REPO, "models")
    os.makedirs(models_dir, exist_ok=True)
    val = load_split(cfg, "val", log)
    test = load_split(cfg, "test", log)
    t0 = time.time()
    on_val = evaluate_split(net, val, cfg.model, log, far=False, quick=True, hd_for=())
    threshold = calibrate_threshold(on_val.uncertainty["SLEX-Net"], unc.bad_error, unc.default_threshold)
    log(f"threshold {threshold.threshold:.4f} {threshold.info}")
    ensemble = None
    if not quick:
        ensemble = [stage1.backbone.eval()] + train_ensemble_members(run_dir, cfg, log)
    on_test = evaluate_split(net, test, cfg.model, log, far=True, mc_samples=unc.mc_dropout_samples,
                             ensemble=ensemble, quick=quick)
    # the backbone trained alone (stage 1), the paper's "Backbone Network" row
    stage1_on_test = evaluate_split(stage1, test, stage1.cfg, log, far=False, quick=True, hd_for=("Backbone",))
    on_test.adopt(stage1_on_test, "Backbone", STAGE1_BACKBONE)
    ev = summarize_run(on_test, threshold, unc.bad_error, time.time() - t0, unc.mc_dropout_samples,
                       1 + len(unc.ensemble_seeds))
    with open(os.path.join(run_dir, "eval.json"), "w") as f:
        json.dump(ev.to_json(), f, indent=1, default=float)
    write_plots(models_dir, name, on_test, ev)
    write_report(os.path.join(models_dir, f"{name}-report.md"), name, meta, cfg, ev)
    if card_update:
        add_evaluation(os.path.join(models_dir, f"{name}.json"), ev)
    return ev
