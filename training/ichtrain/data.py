"""The volumes a run trains and evaluates on, prepared for the model grid.

Readers (phantoms.py, datasets.py for NIfTI, dicomseg.py for DICOM CT + SEG) yield Volumes in HU;
this module preprocesses them (prepare), caches generated phantoms, and assembles a config's
train/val/test split. Nothing here imports the training or evaluation code."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np

from . import phantoms
from .config import SplitConfig, TrainConfig
from .preprocess import PREPROCESSING_VERSION, preprocess_volume, resize_bilinear

HERE = os.path.dirname(os.path.abspath(__file__))
TRAINING_DIR = os.path.dirname(HERE)
REPO = os.path.dirname(TRAINING_DIR)
CACHE = os.environ.get("ICH_TRAIN_CACHE", os.path.join(TRAINING_DIR, ".cache"))


@dataclass
class Prepared:
    x: np.ndarray        # float32 [S,1,N,N] preprocessed
    y: np.ndarray        # float32 [S,1,N,N] lesion fraction on the model grid
    label: np.ndarray    # float32 [S,R,C] native truth
    mask: np.ndarray     # bool [S,R,C] intracranial mask (preprocessing step 2)
    spacing: tuple
    kind: str
    seed: int
    lesion_types: list
    hu: np.ndarray | None = None  # int16 [S,R,C] rounded HU (for the physics gate in evaluation)


def prepare(vol: phantoms.Volume, n: int, seed: int) -> Prepared:
    x, mask = preprocess_volume(vol.hu, n, vol.spacing[0])
    y = np.stack([resize_bilinear(l, n, n) for l in vol.label])[:, None].astype(np.float32)
    return Prepared(x, y, vol.label, mask, vol.spacing, vol.kind, seed, vol.lesion_types,
                    np.clip(np.round(vol.hu), -32768, 32767).astype(np.int16))


def split_specs(split_cfg: SplitConfig, split: str):
    """(kind, generator seed) of every phantom in a split; disjoint seed ranges per split."""
    base = split_cfg.seed_base[split]
    specs = []
    for ki, (kind, n) in enumerate(sorted(split_cfg.mix(split).items())):
        for j in range(n):
            specs.append((kind, base + ki * 10000 + j))
    return specs


def cache_path(kind: str, seed: int, n: int, matrix: int) -> str:
    tag = f"g{phantoms.GENERATOR_VERSION}p{PREPROCESSING_VERSION}"
    return os.path.join(CACHE, f"{kind}-{seed}-{n}-{matrix}-{tag}.npz")


def load_prepared(kind: str, seed: int, n: int, matrix: int) -> Prepared:
    os.makedirs(CACHE, exist_ok=True)
    path = cache_path(kind, seed, n, matrix)
    if os.path.exists(path):
        z = np.load(path, allow_pickle=False)
        return Prepared(z["x"], z["y"], z["label"], z["mask"], tuple(z["spacing"]), kind, seed,
                        list(z["types"]), z["hu"])
    p = prepare(phantoms.make_volume(kind, seed, matrix), n, seed)
    tmp = path + f".tmp{os.getpid()}.npz"
    # a borrowed machine reads its cache back at once: compression would cost more than disk
    save = np.savez if os.environ.get("ICH_CACHE_UNCOMPRESSED") else np.savez_compressed
    save(tmp, x=p.x, y=p.y, label=p.label.astype(np.float16), mask=p.mask, hu=p.hu,
         spacing=np.array(p.spacing), types=np.array(p.lesion_types, dtype="U8"))
    os.replace(tmp, path)  # atomic: a concurrent reader never sees half a file
    return p


def _generate_cached(kind, seed, n, matrix):
    if not os.path.exists(cache_path(kind, seed, n, matrix)):
        load_prepared(kind, seed, n, matrix)
    return None


def load_split(cfg: TrainConfig, split: str, log=print) -> list[Prepared]:
    n = cfg.model.input_size
    if cfg.data.dicom_dir:
        from .dicomseg import SegmentRule, dicom_split_volumes
        vols = dicom_split_volumes(cfg.data.dicom_dir, split, cfg.seed, cfg.split,
                                   SegmentRule.from_dict(cfg.data.dicom_segments), log)
        return [prepare(v, n, i) for i, v in vols]
    if cfg.data.data_dir:
        from .datasets import nifti_split_volumes
        return [prepare(v, n, i) for i, v in nifti_split_volumes(cfg.data.data_dir, split, cfg.seed, cfg.split)]
    out = []
    t = time.time()
    specs = split_specs(cfg.split, split)
    ensure_cached(cfg, specs)
    for kind, seed in specs:
        out.append(load_prepared(kind, seed, n, cfg.data.matrix))
    log(f"{split}: {len(out)} volumes in {time.time() - t:.1f}s")
    return out


def ensure_cached(cfg: TrainConfig, specs):
    """Generates the missing cache files, in cfg.workers processes when there are several."""
    if cfg.workers > 1:
        # generate in worker processes (each writes its cache file); then read them back here
        import multiprocessing as mp
        # the template and the GE series are read once here; the forked workers inherit them
        kinds = {k for k, _ in specs}
        if "colin" in kinds:
            phantoms._colin()
        if "ge" in kinds:
            phantoms._ge()
        jobs = [(kind, seed, cfg.model.input_size, cfg.data.matrix) for kind, seed in specs]
        with mp.get_context("fork").Pool(cfg.workers) as pool:
            pool.starmap(_generate_cached, jobs, chunksize=1)
