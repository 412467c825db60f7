"""Two-stage SLEX-Net training (stage 1: backbone and SEM separately; stage 2: joint)."""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, asdict, field

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

from . import phantoms
from .model import ModelConfig, SlexNet
from .preprocess import PREPROCESSING_VERSION, preprocess_volume, resize_bilinear

W_LESION, W_BACKGROUND, GAMMA = 1.0, 0.1, 1.0
HERE = os.path.dirname(os.path.abspath(__file__))
TRAINING_DIR = os.path.dirname(HERE)
REPO = os.path.dirname(TRAINING_DIR)
CACHE = os.environ.get("ICH_TRAIN_CACHE", os.path.join(TRAINING_DIR, ".cache"))


@dataclass
class TrainConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    matrix: int = 256
    # disjoint generator seed ranges per split: train 1000+, val 500000+, test 900000+
    train_mix: dict = field(default_factory=lambda: {"simple": 40, "colin": 40, "ge": 24})
    val_mix: dict = field(default_factory=lambda: {"simple": 6, "colin": 6, "ge": 4})
    test_mix: dict = field(default_factory=lambda: {"simple": 14, "colin": 14, "ge": 8})
    seed_base: dict = field(default_factory=lambda: {"train": 1000, "val": 500000, "test": 900000})
    batch: int = 4
    stage1_steps: int = 1400
    stage2_steps: int = 1100
    lr: float = 2e-3
    lr_stage2: float = 5e-4
    lesion_fraction: float = 0.6
    crop: int = 64  # train on crops (fully convolutional net): 4x less compute per step at 128
    seed: int = 0
    threads: int = 2
    data_dir: str | None = None  # NIfTI data (datasets.py) instead of phantoms
    dicom_dir: str | None = None  # DICOM CT + SEG (dicomseg.py) instead of phantoms
    dicom_segments: dict | None = None  # dicomseg.SegmentRule.to_dict(); None = every segment
    # warm start: a finished run's final.pt (then stage1_steps is usually 0)
    init_from: str | None = None
    # share of lesion-free crops centred on the intracranial edge (inner table, skull base),
    # where the shipped 1.0 model put its false-positive rim
    rim_fraction: float = 0.0
    # share of crops centred on the model's own false positives, mined on the training volumes
    # after stage 1 and again every mine_every stage-2 steps (hard-negative mining)
    hard_fraction: float = 0.0
    mine_every: int = 0
    # wall-clock budgets (s) instead of step counts: the cosine LR follows elapsed time and the
    # stage ends when its budget is spent (the GPU run); None = step counts
    stage1_budget_s: float | None = None
    stage2_budget_s: float | None = None
    checkpoint_every: int = 200   # resumable checkpoint (run_dir/checkpoint.pt) every N steps
    workers: int = 1              # processes that generate and preprocess phantoms
    # recorded so that run.json and the card say every setting the run used
    loss: dict = field(default_factory=lambda: {
        "kind": "weighted binary cross-entropy on logits (paper eq. 9)",
        "w_lesion": W_LESION, "w_background": W_BACKGROUND, "gamma": GAMMA})
    augmentation: dict = field(default_factory=lambda: {
        "flips": "left-right and up-down, p 0.5 each", "rot90": "k uniform in 0..3",
        "intensity": "scale U(0.9,1.1), shift U(-0.1,0.1) on z-scored input",
        "noise": "gaussian, sd U(0,0.1)", "slice_order": "reversed, p 0.5"})
    optimiser: dict = field(default_factory=lambda: {
        "kind": "Adam", "schedule": "cosine from lr (stage 1) and lr_stage2 (stage 2) to 0"})

    def to_dict(self):
        d = asdict(self)
        d["model"] = self.model.to_dict()
        return d


def config_from_dict(d: dict) -> TrainConfig:
    d = dict(d)
    for recorded_only in ("generator_version", "preprocessing_version"):
        d.pop(recorded_only, None)
    m = ModelConfig(**d.pop("model"))
    return TrainConfig(model=m, **d)


def split_specs(cfg: TrainConfig, split: str):
    mix = {"train": cfg.train_mix, "val": cfg.val_mix, "test": cfg.test_mix}[split]
    base = cfg.seed_base[split]
    specs = []
    for ki, (kind, n) in enumerate(sorted(mix.items())):
        for j in range(n):
            specs.append((kind, base + ki * 10000 + j))
    return specs


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


def load_split(cfg: TrainConfig, split: str, log=print):
    if cfg.dicom_dir:
        from .dicomseg import SegmentRule, load_dicom_split
        return load_dicom_split(cfg.dicom_dir, split, cfg.model.input_size, cfg.seed,
                                SegmentRule.from_dict(cfg.dicom_segments), log)
    if cfg.data_dir:
        from .datasets import load_nifti_split
        return load_nifti_split(cfg.data_dir, split, cfg.model.input_size, cfg.seed)
    out = []
    t = time.time()
    specs = split_specs(cfg, split)
    ensure_cached(cfg, specs)
    for kind, seed in specs:
        out.append(load_prepared(kind, seed, cfg.model.input_size, cfg.matrix))
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
        jobs = [(kind, seed, cfg.model.input_size, cfg.matrix) for kind, seed in specs]
        with mp.get_context("fork").Pool(cfg.workers) as pool:
            pool.starmap(_generate_cached, jobs, chunksize=1)


def wce(p: torch.Tensor, y: torch.Tensor, eps=1e-7) -> torch.Tensor:
    """Weighted cross-entropy on probabilities (paper eq. 9), soft targets allowed."""
    p = p.clamp(eps, 1 - eps)
    return -(W_LESION * y * torch.log(p) + W_BACKGROUND * (1 - y) * torch.log(1 - p)).mean()


def wce_logits(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (W_LESION * y * F.softplus(-z) + W_BACKGROUND * (1 - y) * F.softplus(z)).mean()


class TripleSampler:
    """Random (i-1, i, i+1) triples with edges replicated; lesion slices over-sampled."""

    def __init__(self, vols, lesion_fraction, rng, crop=0, rim_fraction=0.0, hard_fraction=0.0):
        self.vols, self.rng, self.lf, self.crop = vols, rng, lesion_fraction, crop
        self.rim = rim_fraction
        self.hard_fraction = hard_fraction
        self.hard = []  # (volume, slice, row, col) of mined false positives
        self.pos, self.all = [], []
        for v, p in enumerate(vols):
            for s in range(p.x.shape[0]):
                self.all.append((v, s))
                if p.y[s].max() > 0.5:
                    self.pos.append((v, s))

    def _crop(self, x, y, centre=None):
        """Same window on all three slices; centred near a lesion pixel when there is one."""
        n, c = x.shape[-1], self.crop
        les = np.argwhere(y[1, 0] > 0.5)
        if centre is not None:
            cy, cx = centre
        elif len(les):
            cy, cx = les[self.rng.integers(len(les))]
        elif self.rim and self.rng.random() < self.rim:
            fg = x[1, 0] > x[1, 0].min()
            edge = np.argwhere(fg & ~ndimage.binary_erosion(fg, iterations=2))
            cy, cx = edge[self.rng.integers(len(edge))] if len(edge) else (n // 2, n // 2)
        else:
            fg = np.argwhere(x[1, 0] > x[1, 0].min())
            cy, cx = fg[self.rng.integers(len(fg))] if len(fg) else (n // 2, n // 2)
        r0 = _crop_origin(n, c, cy, self.rng)
        c0 = _crop_origin(n, c, cx, self.rng)
        return x[..., r0:r0 + c, c0:c0 + c], y[..., r0:r0 + c, c0:c0 + c]

    def batch(self, b):
        xs, ys = [], []
        for _ in range(b):
            centre = None
            if self.hard and self.rng.random() < self.hard_fraction:
                v, s, cy, cx = self.hard[self.rng.integers(len(self.hard))]
                centre = (cy, cx)
            else:
                pool = self.pos if (self.pos and self.rng.random() < self.lf) else self.all
                v, s = pool[self.rng.integers(len(pool))]
            p = self.vols[v]
            S = p.x.shape[0]
            idx = [max(s - 1, 0), s, min(s + 1, S - 1)]
            x, y = p.x[idx], p.y[idx]
            if self.crop and self.crop < x.shape[-1]:
                x, y = self._crop(x, y, centre)
            x, y = augment(x, y, self.rng)
            xs.append(x)
            ys.append(y)
        x = torch.from_numpy(np.stack(xs))  # [B,3,1,N,N]
        y = torch.from_numpy(np.stack(ys))
        return x, y


def _crop_origin(n, c, centre, rng):
    lo = int(np.clip(centre - c // 2 + rng.integers(-c // 4, c // 4 + 1), 0, n - c))
    return lo


def augment(x, y, rng):
    """Flips, 90-degree turns, intensity scale/shift, noise (identical for all three slices)."""
    if rng.random() < 0.5:
        x, y = x[..., ::-1], y[..., ::-1]
    if rng.random() < 0.5:
        x, y = x[..., ::-1, :], y[..., ::-1, :]
    k = int(rng.integers(0, 4))
    x, y = np.rot90(x, k, (-2, -1)), np.rot90(y, k, (-2, -1))
    x = x * rng.uniform(0.9, 1.1) + rng.uniform(-0.1, 0.1)
    x = x + rng.normal(0, rng.uniform(0, 0.1), x.shape)
    if rng.random() < 0.5:  # flip slice order: SEM branches share weights, order must not matter
        x, y = x[::-1], y[::-1]
    return np.ascontiguousarray(x, np.float32), np.ascontiguousarray(y, np.float32)


def perturb_label(y: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """A stand-in for backbone predictions during SEM pre-training: blurred, noisy truth."""
    k = 5
    blur = F.avg_pool2d(y, k, stride=1, padding=k // 2)
    noise = torch.rand(y.shape, generator=gen) * 0.3
    return (0.7 * blur + 0.3 * y + noise * (torch.rand(1, generator=gen).item() < 0.5)).clamp(0, 1)


class Schedule:
    """Cosine learning rate over steps, or over wall-clock time when a budget is given."""

    def __init__(self, opt, base_lr, steps, budget_s=None, start_step=0):
        self.opt, self.base, self.steps, self.budget = opt, base_lr, max(1, steps), budget_s
        self.t0 = time.time()
        self.step = start_step

    def fraction(self):
        if self.budget:
            return min(1.0, (time.time() - self.t0) / self.budget)
        return min(1.0, self.step / self.steps)

    def running(self):
        return self.fraction() < 1.0

    def advance(self):
        lr = 0.5 * self.base * (1 + np.cos(np.pi * self.fraction()))
        for g in self.opt.param_groups:
            g["lr"] = lr
        self.step += 1


def _checkpoint(run_dir, net, opt, cfg, stage, step, hard=None):
    if not run_dir:
        return
    tmp = os.path.join(run_dir, "checkpoint.pt.tmp")
    torch.save({"stage": stage, "step": step, "state_dict": net.state_dict(),
                "opt": opt.state_dict(), "model_config": net.cfg.to_dict(),
                "train_config": cfg.to_dict(), "hard": hard or []}, tmp)
    os.replace(tmp, os.path.join(run_dir, "checkpoint.pt"))


@torch.no_grad()
def mine_false_positives(net, vols, device, rng, per_slice=4, batch=32):
    """Pixels where the backbone (with the inference prior shift) says lesion and the truth says
    none: the hard negatives of the next steps."""
    was = net.training
    net.eval()
    found = []
    for v, p in enumerate(vols):
        x = torch.from_numpy(p.x)
        z = torch.cat([net.backbone(x[i:i + batch].to(device)).cpu() for i in range(0, len(x), batch)])
        prob = torch.sigmoid(z - net.cfg.prior_shift).numpy()[:, 0]
        fp = (prob >= 0.5) & (p.y[:, 0] < 0.5)
        for s in np.flatnonzero(fp.any(axis=(1, 2))):
            pts = np.argwhere(fp[s])
            for a, b in pts[rng.integers(len(pts), size=min(per_slice, len(pts)))]:
                found.append((v, int(s), int(a), int(b)))
    net.train(was)
    return found


def run_stage1(net, sampler, cfg, log, device, run_dir=None, start_step=0, opt_state=None):
    opt = torch.optim.Adam(list(net.backbone.parameters()) + list(net.sem.parameters()), lr=cfg.lr)
    if opt_state:
        opt.load_state_dict(opt_state)
    sched = Schedule(opt, cfg.lr, cfg.stage1_steps, cfg.stage1_budget_s, start_step)
    gen = torch.Generator().manual_seed(cfg.seed)
    net.train()
    t0 = time.time()
    while sched.running():
        step = sched.step
        sched.advance()
        x, y = sampler.batch(cfg.batch)
        x, y = x.to(device), y.to(device)
        prev, cen, nxt = x[:, 0], x[:, 1], x[:, 2]
        yp, yc, yn = y[:, 0], y[:, 1], y[:, 2]
        lb = wce_logits(net.backbone(cen), yc)
        nb_x = torch.cat([prev, nxt])
        nb_p = perturb_label(torch.cat([yp, yn]).cpu(), gen).to(device)
        ls = wce_logits(net.sem(torch.cat([nb_x, torch.cat([cen, cen]), nb_p], 1)),
                        torch.cat([yc, yc]))
        loss = lb + ls
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 25 == 0 or not sched.running():
            log(f"stage1 step {step} loss_bb {lb.item():.4f} loss_sem {ls.item():.4f} "
                f"{(time.time() - t0) / (step + 1 - start_step):.3f}s/step")
        if cfg.checkpoint_every and (step + 1) % cfg.checkpoint_every == 0:
            _checkpoint(run_dir, net, opt, cfg, 1, step + 1)
    return sched.step


def joint_loss(net, x, y):
    out = net.triple(x[:, 0], x[:, 1], x[:, 2])
    yc = y[:, 1]
    lseg = wce_logits(out["zag"], yc) if out["zag"] is not None else wce(out["p"], yc)
    lsem = wce_logits(out["zf"], yc) + wce_logits(out["zb"], yc)
    return GAMMA * lseg + lsem, lseg, lsem


def run_stage2(net, sampler, cfg, log, device, run_dir=None, start_step=0, opt_state=None):
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr_stage2)
    if opt_state:
        opt.load_state_dict(opt_state)
    sched = Schedule(opt, cfg.lr_stage2, cfg.stage2_steps, cfg.stage2_budget_s, start_step)
    net.train()
    t0 = time.time()
    mine_rng = np.random.default_rng(cfg.seed + 7)
    while sched.running():
        step = sched.step
        sched.advance()
        if cfg.hard_fraction and cfg.mine_every and step > start_step and step % cfg.mine_every == 0:
            sampler.hard = mine_false_positives(net, sampler.vols, device, mine_rng)
            log(f"stage2 step {step}: mined {len(sampler.hard)} false-positive pixels")
        x, y = sampler.batch(cfg.batch)
        loss, lseg, lsem = joint_loss(net, x.to(device), y.to(device))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 25 == 0 or not sched.running():
            log(f"stage2 step {step} loss {loss.item():.4f} seg {lseg.item():.4f} "
                f"sem {lsem.item():.4f} {(time.time() - t0) / (step + 1 - start_step):.3f}s/step")
        if cfg.checkpoint_every and (step + 1) % cfg.checkpoint_every == 0:
            _checkpoint(run_dir, net, opt, cfg, 2, step + 1, sampler.hard)
    return sched.step


def versions():
    import onnx
    import scipy
    return {"python": sys.version.split()[0], "torch": torch.__version__, "onnx": onnx.__version__,
            "numpy": np.__version__, "scipy": scipy.__version__, "platform": platform.platform(),
            "threads": torch.get_num_threads(),
            "malloc": os.environ.get("LD_PRELOAD", "glibc")}


def git_commit():
    try:
        c = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True)
        d = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True)
        return c.stdout.strip() + ("-dirty" if d.stdout.strip() else "")
    except OSError:
        return "unknown"


def save_checkpoint(path, net, cfg: TrainConfig, extra=None):
    torch.save({"model_config": net.cfg.to_dict(), "state_dict": net.state_dict(),
                "train_config": cfg.to_dict(), **(extra or {})}, path)


def load_checkpoint_for_onnx(path) -> SlexNet:
    ck = torch.load(path, map_location="cpu", weights_only=False)
    net = SlexNet(ModelConfig(**ck["model_config"]))
    net.load_state_dict(ck["state_dict"])
    return net.eval()


def train(cfg: TrainConfig, run_dir: str, log=None, resume_stage1: str | None = None,
          resume: bool = False):
    """Two-stage training. resume=True continues from run_dir/checkpoint.pt (written every
    checkpoint_every steps) so that a long schedule can run in several sittings."""
    os.makedirs(run_dir, exist_ok=True)
    logf = open(os.path.join(run_dir, "train.log"), "a")

    def _log(msg):
        line = f"[{time.strftime('%H:%M:%S')}] {msg}"
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    log = log or _log
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    t_start = time.time()
    ck_path = os.path.join(run_dir, "checkpoint.pt")
    ck = torch.load(ck_path, map_location="cpu", weights_only=False) if resume and os.path.exists(ck_path) else None
    meta = {"config": {**cfg.to_dict(), "generator_version": phantoms.GENERATOR_VERSION,
                       "preprocessing_version": PREPROCESSING_VERSION}, "versions": versions(), "git_commit": git_commit(),
            "device": str(device), "splits": {s: split_specs(cfg, s) for s in ("train", "val", "test")}}
    if cfg.dicom_dir:  # site DICOM + SEG: the pairs and their split instead of phantom seeds
        from .dicomseg import SegmentRule, describe_dicom_data
        meta["data"] = describe_dicom_data(cfg.dicom_dir, SegmentRule.from_dict(cfg.dicom_segments), cfg.seed)
        meta["splits"] = meta["data"].pop("splits")
    with open(os.path.join(run_dir, "run.json"), "w") as f:
        json.dump(meta, f, indent=1)
    train_vols = load_split(cfg, "train", log)
    t_data = time.time() - t_start
    rng = np.random.default_rng(cfg.seed)
    sampler = TripleSampler(train_vols, cfg.lesion_fraction, rng, cfg.crop, cfg.rim_fraction,
                            cfg.hard_fraction)
    log(f"train triples {len(sampler.all)}, lesion {len(sampler.pos)}")
    net = SlexNet(cfg.model).to(device)
    if cfg.init_from and ck is None:
        net.load_state_dict(torch.load(cfg.init_from, map_location="cpu", weights_only=False)["state_dict"])
        log(f"warm start from {cfg.init_from}")
    t1 = time.time()
    s1_start, s2_start, s1_opt, s2_opt = 0, 0, None, None
    stage1_done = False
    if ck is not None:  # a checkpoint of this run wins over resume_stage1
        net.load_state_dict(ck["state_dict"])
        sampler.hard = [tuple(h) for h in ck.get("hard", [])]
        stage1_done = ck["stage"] == 2
        if stage1_done:
            s2_start, s2_opt = ck["step"], ck["opt"]
        else:
            s1_start, s1_opt = ck["step"], ck["opt"]
        meta["resumed_from"] = {"stage": ck["stage"], "step": ck["step"]}
        log(f"resumed from {ck_path}: stage {ck['stage']} step {ck['step']}")
    elif resume_stage1:
        # stage 1 done elsewhere (its time is in that run's run.json / train.log)
        net.load_state_dict(torch.load(resume_stage1, map_location="cpu", weights_only=False)["state_dict"])
        meta["resumed_from_stage1"] = resume_stage1
        log(f"resumed stage 1 weights from {resume_stage1}")
        stage1_done = True
    if not stage1_done:
        meta["stage1_steps_run"] = run_stage1(net, sampler, cfg, log, device, run_dir, s1_start, s1_opt)
        save_checkpoint(os.path.join(run_dir, "stage1.pt"), net.cpu(), cfg)
    net.to(device)
    if cfg.hard_fraction and not sampler.hard:
        sampler.hard = mine_false_positives(net, train_vols, device, np.random.default_rng(cfg.seed + 3))
        log(f"mined {len(sampler.hard)} false-positive pixels after stage 1")
    t2 = time.time()
    meta["stage2_steps_run"] = run_stage2(net, sampler, cfg, log, device, run_dir, s2_start, s2_opt)
    meta["hard_negatives_mined"] = len(sampler.hard)
    net = net.cpu().eval()
    save_checkpoint(os.path.join(run_dir, "final.pt"), net, cfg)
    t3 = time.time()
    timing = {"data_s": round(t_data, 1), "stage1_s": round(t2 - t1, 1),
              "stage2_s": round(t3 - t2, 1), "total_s": round(t3 - t_start, 1)}
    meta["timing"] = timing
    with open(os.path.join(run_dir, "run.json"), "w") as f:
        json.dump(meta, f, indent=1)
    log(f"done {timing}")
    return net, meta


def train_backbone_only(cfg: TrainConfig, seed: int, path: str, log=print):
    """A backbone trained alone with another seed (deep-ensemble member, paper Table II)."""
    torch.manual_seed(seed)
    net = SlexNet(cfg.model)
    vols = load_split(cfg, "train", log)
    sampler = TripleSampler(vols, cfg.lesion_fraction, np.random.default_rng(seed), cfg.crop)
    opt = torch.optim.Adam(net.backbone.parameters(), lr=cfg.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(1, cfg.stage1_steps))
    net.train()
    for step in range(cfg.stage1_steps):
        x, y = sampler.batch(cfg.batch)
        loss = wce_logits(net.backbone(x[:, 1]), y[:, 1])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0:
            log(f"ensemble seed {seed} step {step} loss {loss.item():.4f}")
    save_checkpoint(path, net.eval(), cfg, {"ensemble_seed": seed})
