"""SLEX-Net (Slice Expansion Network): U-Net backbone, Slice Expansion Module, CW-MSA, entropy."""
from __future__ import annotations

import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F

ENTROPY_EPS = 1e-6


@dataclass(frozen=True)
class ModelConfig:
    width: int = 12
    depth: int = 4
    input_size: int = 128
    beta: float = 0.2
    fusion: str = "probability"  # or "logit"
    dropout: float = 0.1  # backbone bottleneck only; identity in eval, enables MC Dropout
    # Inference-only logit shift ln(w_lesion / w_background) = ln 10. The weighted CE (1.0 / 0.1)
    # trains logits that are ln 10 too high for the true lesion odds; without undoing that, the
    # p >= 0.5 rule of the service marks every pixel with ~9 % lesion odds (measured: 50-250 mL
    # of false positive per volume). Training never applies it.
    prior_shift: float = math.log(10.0)

    def to_dict(self):
        return asdict(self)


def _block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    """Plain U-Net returning one foreground logit per pixel."""

    def __init__(self, in_ch: int, width: int, depth: int, dropout: float = 0.0):
        super().__init__()
        chans = [width * (2 ** k) for k in range(depth + 1)]
        self.down = nn.ModuleList()
        c = in_ch
        for k in range(depth):
            self.down.append(_block(c, chans[k]))
            c = chans[k]
        self.bottom = _block(c, chans[depth])
        self.drop = nn.Dropout2d(dropout) if dropout > 0 else nn.Identity()
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        for k in reversed(range(depth)):
            self.up.append(nn.ConvTranspose2d(chans[k + 1], chans[k], 2, stride=2))
            self.dec.append(_block(2 * chans[k], chans[k]))
        self.head = nn.Conv2d(chans[0], 1, 1)

    def forward(self, x):
        skips = []
        for blk in self.down:
            x = blk(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.drop(self.bottom(x))
        for up, dec, s in zip(self.up, self.dec, reversed(skips)):
            x = dec(torch.cat([up(x), s], dim=1))
        return self.head(x)


def binary_entropy(p: torch.Tensor) -> torch.Tensor:
    p = p.clamp(ENTROPY_EPS, 1.0 - ENTROPY_EPS)
    return -(p * torch.log(p) + (1.0 - p) * torch.log(1.0 - p))


def cw_weight(f: torch.Tensor, b: torch.Tensor, beta: float) -> torch.Tensor:
    cet = (f - b).abs()
    return beta * torch.exp(-cet * cet)


class SlexNet(nn.Module):
    """Backbone shared over slices i-1, i, i+1 and one SEM shared by forward and backward."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.backbone = UNet(1, cfg.width, cfg.depth, cfg.dropout)
        self.sem = UNet(3, cfg.width, cfg.depth, 0.0)

    def sem_logit(self, neighbour, centre, neighbour_prob):
        return self.sem(torch.cat([neighbour, centre, neighbour_prob], dim=1))

    def aggregate(self, zi, zf, zb, beta=None, mode="cw", fusion=None):
        """Returns (aggregated prob, aggregated logit or None). mode: cw | msa."""
        beta = self.cfg.beta if beta is None else beta
        fusion = self.cfg.fusion if fusion is None else fusion
        pi, pf, pb = torch.sigmoid(zi), torch.sigmoid(zf), torch.sigmoid(zb)
        w = cw_weight(pf, pb, beta) if mode == "cw" else torch.full_like(pi, beta)
        if fusion == "logit":
            z = (1 - 2 * w) * zi + w * zf + w * zb
            return torch.sigmoid(z), z
        return (1 - 2 * w) * pi + w * pf + w * pb, None

    def triple(self, prev, centre, nxt, detach_backbone=False):
        """Training path on [B,1,H,W] triples; returns dict of logits/probs for the centre."""
        b = centre.shape[0]
        z = self.backbone(torch.cat([prev, centre, nxt], 0))
        zp, zi, zn = z[:b], z[b:2 * b], z[2 * b:]
        pp, pn = torch.sigmoid(zp), torch.sigmoid(zn)
        if detach_backbone:
            pp, pn = pp.detach(), pn.detach()
        s = self.sem(torch.cat([torch.cat([prev, centre, pp], 1), torch.cat([nxt, centre, pn], 1)], 0))
        zf, zb = s[:b], s[b:]
        p, zag = self.aggregate(zi, zf, zb)
        return {"zi": zi, "zf": zf, "zb": zb, "p": p, "zag": zag}


def shift_prev(x: torch.Tensor, k: int = 1) -> torch.Tensor:
    """x[i-k] with edges replicated."""
    first = x[:1]
    return torch.cat([first.expand(k, *x.shape[1:]), x[:-k]], 0) if k else x


def shift_next(x: torch.Tensor, k: int = 1) -> torch.Tensor:
    last = x[-1:]
    return torch.cat([x[k:], last.expand(k, *x.shape[1:])], 0) if k else x


class VolumeGraph(nn.Module):
    """[S,1,H,W] -> prob [S,1,H,W], hypotheses [S,3,H,W], entropy [S,1,H,W].

    The backbone runs once per slice, then the SEM on the stacks shifted by one with the edge
    slices replicated (S backbone passes + 2S SEM passes)."""

    def __init__(self, net: SlexNet):
        super().__init__()
        self.net = net

    def forward(self, slices):
        net = self.net
        zi = net.backbone(slices)
        pi = torch.sigmoid(zi)
        x_prev, x_next = shift_prev_1(slices), shift_next_1(slices)
        p_prev, p_next = shift_prev_1(pi), shift_next_1(pi)
        fwd = torch.cat([x_prev, slices, p_prev], 1)
        bwd = torch.cat([x_next, slices, p_next], 1)
        s = net.sem(torch.cat([fwd, bwd], 0))
        n = slices.shape[0]
        # the SEM saw uncorrected backbone probabilities in training, so the shift comes after it
        shift = net.cfg.prior_shift
        zi, zf, zb = zi - shift, s[:n] - shift, s[n:] - shift
        pi = torch.sigmoid(zi)
        prob, _ = net.aggregate(zi, zf, zb)
        pf, pb = torch.sigmoid(zf), torch.sigmoid(zb)
        hyp = torch.cat([pi, pf, pb], 1)
        ent = binary_entropy((pi + pf + pb) / 3.0)
        return prob, hyp, ent


def shift_prev_1(x):
    # written with slicing only so the ONNX graph keeps S dynamic (S=1 gives x itself)
    return torch.cat([x[:1], x[:-1]], 0)


def shift_next_1(x):
    return torch.cat([x[1:], x[-1:]], 0)


def build(cfg: ModelConfig) -> SlexNet:
    return SlexNet(cfg)


def load_checkpoint(path) -> SlexNet:
    """A SlexNet in eval mode from a checkpoint written by train.save_checkpoint."""
    ck = torch.load(path, map_location="cpu", weights_only=False)
    net = SlexNet(ModelConfig(**ck["model_config"]))
    net.load_state_dict(ck["state_dict"])
    return net.eval()
