"""Two-stage SLEX-Net training (stage 1: backbone and SEM separately; stage 2: joint)."""
from __future__ import annotations

import dataclasses
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

from . import phantoms
from .config import AugmentationConfig, LossConfig, SamplingConfig, SemPerturbationConfig, TrainConfig
from .data import REPO, load_split, split_specs
from .model import SlexNet, load_checkpoint
from .preprocess import PREPROCESSING_VERSION


def wce(p: torch.Tensor, y: torch.Tensor, loss: LossConfig, eps=1e-7) -> torch.Tensor:
    """Weighted cross-entropy on probabilities (paper eq. 9), soft targets allowed."""
    p = p.clamp(eps, 1 - eps)
    return -(loss.w_lesion * y * torch.log(p) + loss.w_background * (1 - y) * torch.log(1 - p)).mean()


def wce_logits(z: torch.Tensor, y: torch.Tensor, loss: LossConfig) -> torch.Tensor:
    return (loss.w_lesion * y * F.softplus(-z) + loss.w_background * (1 - y) * F.softplus(z)).mean()


class TripleSampler:
    """Random (i-1, i, i+1) triples with edges replicated; lesion slices over-sampled."""

    def __init__(self, vols, sampling: SamplingConfig, augmentation: AugmentationConfig, rng):
        self.vols, self.rng = vols, rng
        self.lf, self.crop = sampling.lesion_fraction, sampling.crop
        self.rim = sampling.rim_fraction
        self.rim_width_px = sampling.rim_width_px
        self.jitter_divisor = sampling.crop_jitter_divisor
        self.hard_fraction = sampling.hard_fraction
        self.augmentation = augmentation
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
            edge = np.argwhere(fg & ~ndimage.binary_erosion(fg, iterations=self.rim_width_px))
            cy, cx = edge[self.rng.integers(len(edge))] if len(edge) else (n // 2, n // 2)
        else:
            fg = np.argwhere(x[1, 0] > x[1, 0].min())
            cy, cx = fg[self.rng.integers(len(fg))] if len(fg) else (n // 2, n // 2)
        r0 = _crop_origin(n, c, cy, self.rng, self.jitter_divisor)
        c0 = _crop_origin(n, c, cx, self.rng, self.jitter_divisor)
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
            x, y = augment(x, y, self.rng, self.augmentation)
            xs.append(x)
            ys.append(y)
        x = torch.from_numpy(np.stack(xs))  # [B,3,1,N,N]
        y = torch.from_numpy(np.stack(ys))
        return x, y


def _crop_origin(n, c, centre, rng, jitter_divisor):
    j = c // jitter_divisor
    lo = int(np.clip(centre - c // 2 + rng.integers(-j, j + 1), 0, n - c))
    return lo


def augment(x, y, rng, a: AugmentationConfig):
    """Flips, 90-degree turns, intensity scale/shift, noise (identical for all three slices).
    The random draws keep their order whatever the settings, so a run replays with one changed."""
    if rng.random() < a.flip_lr_p:
        x, y = x[..., ::-1], y[..., ::-1]
    if rng.random() < a.flip_ud_p:
        x, y = x[..., ::-1, :], y[..., ::-1, :]
    k = int(rng.integers(0, 4))
    if a.rot90:
        x, y = np.rot90(x, k, (-2, -1)), np.rot90(y, k, (-2, -1))
    x = x * rng.uniform(*a.intensity_scale) + rng.uniform(*a.intensity_shift)
    x = x + rng.normal(0, rng.uniform(0, a.noise_sd_max), x.shape)
    if rng.random() < a.reverse_slices_p:
        x, y = x[::-1], y[::-1]
    return np.ascontiguousarray(x, np.float32), np.ascontiguousarray(y, np.float32)


def perturb_label(y: torch.Tensor, gen: torch.Generator, sp: SemPerturbationConfig) -> torch.Tensor:
    """A stand-in for backbone predictions during SEM pre-training: blurred, noisy truth."""
    k = sp.blur_kernel
    blur = F.avg_pool2d(y, k, stride=1, padding=k // 2)
    noise = torch.rand(y.shape, generator=gen) * sp.noise_max
    return (sp.blur_weight * blur + sp.truth_weight * y
            + noise * (torch.rand(1, generator=gen).item() < sp.noise_p)).clamp(0, 1)


def adam(params, lr, o) -> torch.optim.Adam:
    return torch.optim.Adam(params, lr=lr, betas=tuple(o.betas), eps=o.eps, weight_decay=o.weight_decay)


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


def _descend(opt, loss):
    """One optimiser step down the gradient of loss."""
    opt.zero_grad()
    loss.backward()
    opt.step()


def _report_due(step, sc, sched) -> bool:
    """Every log_every steps, and on the last one."""
    return step % sc.log_every == 0 or not sched.running()


def _checkpoint(run_dir, net, opt, cfg, stage, step, hard=None):
    if not run_dir:
        return
    tmp = os.path.join(run_dir, "checkpoint.pt.tmp")
    torch.save({"stage": stage, "step": step, "state_dict": net.state_dict(),
                "opt": opt.state_dict(), "model_config": net.cfg.to_dict(),
                "train_config": cfg.to_dict(), "hard": hard or []}, tmp)
    os.replace(tmp, os.path.join(run_dir, "checkpoint.pt"))


@torch.no_grad()
def mine_false_positives(net, vols, device, rng, per_slice, batch=32):
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
    o, sc = cfg.optimiser, cfg.schedule
    opt = adam(list(net.backbone.parameters()) + list(net.sem.parameters()), o.lr, o)
    if opt_state:
        opt.load_state_dict(opt_state)
    sched = Schedule(opt, o.lr, sc.stage1_steps, sc.stage1_budget_s, start_step)
    gen = torch.Generator().manual_seed(cfg.seed)
    net.train()
    t0 = time.time()
    while sched.running():
        step = sched.step
        sched.advance()
        x, y = sampler.batch(cfg.sampling.batch)
        x, y = x.to(device), y.to(device)
        prev, cen, nxt = x[:, 0], x[:, 1], x[:, 2]
        yp, yc, yn = y[:, 0], y[:, 1], y[:, 2]
        lb = wce_logits(net.backbone(cen), yc, cfg.loss)
        nb_x = torch.cat([prev, nxt])
        nb_p = perturb_label(torch.cat([yp, yn]).cpu(), gen, cfg.sem_perturbation).to(device)
        ls = wce_logits(net.sem(torch.cat([nb_x, torch.cat([cen, cen]), nb_p], 1)),
                        torch.cat([yc, yc]), cfg.loss)
        loss = lb + ls
        _descend(opt, loss)
        if _report_due(step, sc, sched):
            log(f"stage1 step {step} loss_bb {lb.item():.4f} loss_sem {ls.item():.4f} "
                f"{(time.time() - t0) / (step + 1 - start_step):.3f}s/step")
        if sc.checkpoint_every and (step + 1) % sc.checkpoint_every == 0:
            _checkpoint(run_dir, net, opt, cfg, 1, step + 1)
    return sched.step


def joint_loss(net, x, y, loss: LossConfig):
    out = net.triple(x[:, 0], x[:, 1], x[:, 2])
    yc = y[:, 1]
    lseg = wce_logits(out["zag"], yc, loss) if out["zag"] is not None else wce(out["p"], yc, loss)
    lsem = wce_logits(out["zf"], yc, loss) + wce_logits(out["zb"], yc, loss)
    return loss.gamma * lseg + lsem, lseg, lsem


def run_stage2(net, sampler, cfg, log, device, run_dir=None, start_step=0, opt_state=None):
    o, sc, sm = cfg.optimiser, cfg.schedule, cfg.sampling
    opt = adam(net.parameters(), o.lr_stage2, o)
    if opt_state:
        opt.load_state_dict(opt_state)
    sched = Schedule(opt, o.lr_stage2, sc.stage2_steps, sc.stage2_budget_s, start_step)
    net.train()
    t0 = time.time()
    mine_rng = np.random.default_rng(cfg.seed + 7)
    while sched.running():
        step = sched.step
        sched.advance()
        if sm.hard_fraction and sm.mine_every and step > start_step and step % sm.mine_every == 0:
            sampler.hard = mine_false_positives(net, sampler.vols, device, mine_rng, sm.mine_per_slice)
            log(f"stage2 step {step}: mined {len(sampler.hard)} false-positive pixels")
        x, y = sampler.batch(sm.batch)
        loss, lseg, lsem = joint_loss(net, x.to(device), y.to(device), cfg.loss)
        _descend(opt, loss)
        if _report_due(step, sc, sched):
            log(f"stage2 step {step} loss {loss.item():.4f} seg {lseg.item():.4f} "
                f"sem {lsem.item():.4f} {(time.time() - t0) / (step + 1 - start_step):.3f}s/step")
        if sc.checkpoint_every and (step + 1) % sc.checkpoint_every == 0:
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
            "device": str(device), "splits": {s: split_specs(cfg.split, s) for s in ("train", "val", "test")}}
    if cfg.data.dicom_dir:  # site DICOM + SEG: the pairs and their split instead of phantom seeds
        from .dicomseg import SegmentRule, describe_dicom_data
        meta["data"] = describe_dicom_data(cfg.data.dicom_dir, SegmentRule.from_dict(cfg.data.dicom_segments),
                                           cfg.seed, cfg.split)
        meta["splits"] = meta["data"].pop("splits")
    with open(os.path.join(run_dir, "run.json"), "w") as f:
        json.dump(meta, f, indent=1)
    train_vols = load_split(cfg, "train", log)
    t_data = time.time() - t_start
    rng = np.random.default_rng(cfg.seed)
    sampler = TripleSampler(train_vols, cfg.sampling, cfg.augmentation, rng)
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
    if cfg.sampling.hard_fraction and not sampler.hard:
        sampler.hard = mine_false_positives(net, train_vols, device, np.random.default_rng(cfg.seed + 3),
                                            cfg.sampling.mine_per_slice)
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
    logf.close()
    return net, meta


def train_backbone_only(cfg: TrainConfig, seed: int, path: str, log=print):
    """A backbone trained alone with another seed (deep-ensemble member, paper Table II)."""
    torch.manual_seed(seed)
    net = SlexNet(cfg.model)
    vols = load_split(cfg, "train", log)
    # as stage 1 was before rim and hard-negative crops: lesion-centred or random crops only
    sampling = dataclasses.replace(cfg.sampling, rim_fraction=0.0, hard_fraction=0.0)
    sampler = TripleSampler(vols, sampling, cfg.augmentation, np.random.default_rng(seed))
    opt = adam(net.backbone.parameters(), cfg.optimiser.lr, cfg.optimiser)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(1, cfg.schedule.stage1_steps))
    net.train()
    for step in range(cfg.schedule.stage1_steps):
        x, y = sampler.batch(cfg.sampling.batch)
        loss = wce_logits(net.backbone(x[:, 1]), y[:, 1], cfg.loss)
        _descend(opt, loss)
        sched.step()
        if step % 100 == 0:
            log(f"ensemble seed {seed} step {step} loss {loss.item():.4f}")
    save_checkpoint(path, net.eval(), cfg, {"ensemble_seed": seed})


def train_ensemble_members(run_dir, cfg: TrainConfig, log=print) -> list:
    """The backbones of the deep ensemble besides the stage-1 one, trained once per run dir."""
    members = []
    for s in cfg.uncertainty.ensemble_seeds:
        path = os.path.join(run_dir, f"ensemble-backbone-{s}.pt")
        if not os.path.exists(path):
            t = time.time()
            train_backbone_only(cfg, s, path, log)
            log(f"ensemble member seed {s}: {time.time() - t:.0f}s")
        members.append(load_checkpoint(path).backbone.eval())
    return members
