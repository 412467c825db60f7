"""Every setting a training run uses, as one TrainConfig of small sub-configs.

run.json and the model card record TrainConfig.to_dict(); TrainConfig.from_dict() reads it back
(also the flat layout of runs written before the sub-configs existed). The defaults are the
settings the shipped model's schedule was written with."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from .model import ModelConfig


class ConfigError(ValueError):
    """A recorded config that cannot be read back: names the key."""


@dataclass(frozen=True)
class LossConfig:
    """Weighted binary cross-entropy on logits (paper eq. 9); stage 2 adds the SEM terms:
    L = gamma * Lseg + Lsem."""
    w_lesion: float = 1.0
    w_background: float = 0.1
    gamma: float = 1.0


@dataclass(frozen=True)
class AugmentationConfig:
    """Identical for the three slices of a triple (augment() in train.py)."""
    flip_lr_p: float = 0.5
    flip_ud_p: float = 0.5
    rot90: bool = True                   # k uniform in 0..3
    intensity_scale: tuple = (0.9, 1.1)  # uniform, on the z-scored input
    intensity_shift: tuple = (-0.1, 0.1)
    noise_sd_max: float = 0.1            # gaussian noise, sd uniform in [0, this]
    # SEM branches share weights, so the order of the neighbours must not matter
    reverse_slices_p: float = 0.5


@dataclass(frozen=True)
class SemPerturbationConfig:
    """Stand-in for backbone predictions while the SEM trains alone (stage 1): blurred, noisy truth."""
    blur_kernel: int = 5
    blur_weight: float = 0.7
    truth_weight: float = 0.3
    noise_max: float = 0.3
    noise_p: float = 0.5


@dataclass(frozen=True)
class SamplingConfig:
    """Which triples and crops a batch holds."""
    batch: int = 4
    crop: int = 64  # train on crops (fully convolutional net): 4x less compute per step at 128
    crop_jitter_divisor: int = 4  # the crop window moves up to crop // this off its centre
    lesion_fraction: float = 0.6
    # share of lesion-free crops centred on the intracranial edge (inner table, skull base),
    # where the shipped 1.0 model put its false-positive rim
    rim_fraction: float = 0.0
    rim_width_px: int = 2
    # share of crops centred on the model's own false positives, mined on the training volumes
    # after stage 1 and again every mine_every stage-2 steps (hard-negative mining)
    hard_fraction: float = 0.0
    mine_every: int = 0
    mine_per_slice: int = 4


@dataclass(frozen=True)
class OptimiserConfig:
    kind: str = "Adam"
    lr: float = 2e-3          # stage 1 (and the ensemble backbones)
    lr_stage2: float = 5e-4
    betas: tuple = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0

    def __post_init__(self):
        if self.kind != "Adam":
            raise ConfigError(f"optimiser.kind {self.kind!r}: only Adam is implemented")


@dataclass(frozen=True)
class ScheduleConfig:
    """Cosine learning rate to 0 per stage, over steps or over wall-clock budgets."""
    kind: str = "cosine"
    stage1_steps: int = 1400
    stage2_steps: int = 1100
    # wall-clock budgets (s) instead of step counts: the cosine LR follows elapsed time and the
    # stage ends when its budget is spent (the GPU run); None = step counts
    stage1_budget_s: float | None = None
    stage2_budget_s: float | None = None
    checkpoint_every: int = 200   # resumable checkpoint (run_dir/checkpoint.pt) every N steps
    log_every: int = 25

    def __post_init__(self):
        if self.kind != "cosine":
            raise ConfigError(f"schedule.kind {self.kind!r}: only cosine is implemented")


@dataclass(frozen=True)
class DataConfig:
    """Where the volumes come from: phantoms (default), NIfTI or DICOM CT + SEG."""
    matrix: int = 256  # phantom matrix before preprocessing
    data_dir: str | None = None  # NIfTI data (datasets.py) instead of phantoms
    dicom_dir: str | None = None  # DICOM CT + SEG (dicomseg.py) instead of phantoms
    dicom_segments: dict | None = None  # dicomseg.SegmentRule.to_dict(); None = every segment


@dataclass(frozen=True)
class SplitConfig:
    # disjoint generator seed ranges per split: train 1000+, val 500000+, test 900000+
    train_mix: dict = field(default_factory=lambda: {"simple": 40, "colin": 40, "ge": 24})
    val_mix: dict = field(default_factory=lambda: {"simple": 6, "colin": 6, "ge": 4})
    test_mix: dict = field(default_factory=lambda: {"simple": 14, "colin": 14, "ge": 8})
    seed_base: dict = field(default_factory=lambda: {"train": 1000, "val": 500000, "test": 900000})
    # NIfTI and DICOM data: a seeded shuffle of patients, these shares to train and val, the rest test
    train_fraction: float = 0.7
    val_fraction: float = 0.1

    def mix(self, split: str) -> dict:
        return {"train": self.train_mix, "val": self.val_mix, "test": self.test_mix}[split]

    def indices(self, n: int, seed: int) -> dict:
        """Train/val/test indices of n patients by a seeded shuffle (NIfTI and DICOM data)."""
        order = np.random.default_rng(seed).permutation(n)
        n_tr = int(round(self.train_fraction * n))
        n_va = max(1, int(round(self.val_fraction * n)))
        return {"train": order[:n_tr], "val": order[n_tr:n_tr + n_va], "test": order[n_tr + n_va:]}


@dataclass(frozen=True)
class UncertaintyConfig:
    """How the evaluation measures uncertainty (paper Table II) and calibrates the flag."""
    mc_dropout_samples: int = 20
    ensemble_seeds: tuple = (1, 2)  # backbones trained alone besides the stage-1 one
    bad_error: float = 0.3          # 1 - Dice above this is a volume the flag should catch
    default_threshold: float = 0.3  # card value until the evaluation calibrates one


_SUBCONFIGS = {"loss": LossConfig, "augmentation": AugmentationConfig,
               "sem_perturbation": SemPerturbationConfig, "sampling": SamplingConfig,
               "optimiser": OptimiserConfig, "schedule": ScheduleConfig, "data": DataConfig,
               "split": SplitConfig, "uncertainty": UncertaintyConfig}

# where each key of the flat run.json layout (before the sub-configs) lives now
_FLAT_KEYS = {
    "matrix": "data", "data_dir": "data", "dicom_dir": "data", "dicom_segments": "data",
    "train_mix": "split", "val_mix": "split", "test_mix": "split", "seed_base": "split",
    "batch": "sampling", "crop": "sampling", "lesion_fraction": "sampling", "rim_fraction": "sampling",
    "hard_fraction": "sampling", "mine_every": "sampling",
    "lr": "optimiser", "lr_stage2": "optimiser",
    "stage1_steps": "schedule", "stage2_steps": "schedule", "stage1_budget_s": "schedule",
    "stage2_budget_s": "schedule", "checkpoint_every": "schedule",
}
# recorded beside the config (run.json), not settings
_RECORDED_ONLY = ("generator_version", "preprocessing_version")


@dataclass(frozen=True)
class TrainConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    augmentation: AugmentationConfig = field(default_factory=AugmentationConfig)
    sem_perturbation: SemPerturbationConfig = field(default_factory=SemPerturbationConfig)
    sampling: SamplingConfig = field(default_factory=SamplingConfig)
    optimiser: OptimiserConfig = field(default_factory=OptimiserConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    data: DataConfig = field(default_factory=DataConfig)
    split: SplitConfig = field(default_factory=SplitConfig)
    uncertainty: UncertaintyConfig = field(default_factory=UncertaintyConfig)
    seed: int = 0
    threads: int = 2
    workers: int = 1              # processes that generate and preprocess phantoms
    # warm start: a finished run's final.pt (then schedule.stage1_steps is usually 0)
    init_from: str | None = None

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["model"] = self.model.to_dict()
        return d

    def replace(self, **changes) -> "TrainConfig":
        """A copy with top-level fields or sub-config fields changed: replace(seed=1) or
        replace(schedule={"stage2_steps": 5})."""
        out = {}
        for k, v in changes.items():
            current = getattr(self, k)
            out[k] = dataclasses.replace(current, **v) if isinstance(v, dict) and k != "model" \
                and dataclasses.is_dataclass(current) else v
        return dataclasses.replace(self, **out)

    @staticmethod
    def from_dict(d: dict) -> "TrainConfig":
        d = {k: v for k, v in d.items() if k not in _RECORDED_ONLY}
        if not isinstance(d.get("schedule", {}), dict) or any(k in d for k in _FLAT_KEYS):
            d = _from_flat(d)
        kwargs = {}
        for k, v in d.items():
            if k == "model":
                kwargs[k] = ModelConfig(**_known(ModelConfig, v, "model"))
            elif k in _SUBCONFIGS:
                kwargs[k] = _sub(_SUBCONFIGS[k], v, k)
            elif k in {f.name for f in dataclasses.fields(TrainConfig)}:
                kwargs[k] = v
            else:
                raise ConfigError(f"unknown training setting {k!r}")
        return TrainConfig(**kwargs)


def _known(cls, d: dict, where: str) -> dict:
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(d) - names)
    if unknown:
        raise ConfigError(f"unknown setting(s) {', '.join(where + '.' + u for u in unknown)}")
    return d


def _sub(cls, d: dict, where: str):
    d = dict(_known(cls, d, where))
    for f in dataclasses.fields(cls):  # JSON has lists where the config has tuples
        if f.name in d and isinstance(f.default, tuple) and isinstance(d[f.name], list):
            d[f.name] = tuple(d[f.name])
    return cls(**d)


def _from_flat(d: dict) -> dict:
    """The run.json layout before the sub-configs: loss held the weights beside a description;
    augmentation and optimiser were descriptions of the defaults above."""
    out = {"model": d.get("model", {})}
    for k, v in d.items():
        if k in _FLAT_KEYS:
            out.setdefault(_FLAT_KEYS[k], {})[k] = v
        elif k == "loss":
            out["loss"] = {n: v[n] for n in ("w_lesion", "w_background", "gamma") if n in v}
        elif k in ("augmentation", "optimiser"):
            continue
        elif k != "model":
            out[k] = v
    return out
