"""Minimal PNG writing and raster plotting (matplotlib is not installed here)."""
from __future__ import annotations

import struct
import zlib

import numpy as np


def write_png(path: str, rgb: np.ndarray) -> None:
    """rgb: uint8 [H, W, 3] (or [H, W] grey)."""
    a = np.asarray(rgb, dtype=np.uint8)
    if a.ndim == 2:
        a = np.stack([a] * 3, -1)
    h, w, _ = a.shape
    raw = b"".join(b"\x00" + a[y].tobytes() for y in range(h))

    def chunk(tag, data):
        c = struct.pack(">I", len(data)) + tag + data
        return c + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


# 5x7 bitmap digits and a few letters for axis labels
_GLYPHS = {
    "0": "01110100011001110101110011000101110", "1": "00100011000010000100001000010001110",
    "2": "01110100010000100010001000100011111", "3": "11111000100010000010000011000101110",
    "4": "00010001100101010010111110001000010", "5": "11111100001111000001000011000101110",
    "6": "00110010001000011110100011000101110", "7": "11111000010001000100010000100001000",
    "8": "01110100011000101110100011000101110", "9": "01110100011000101111000010001001100",
    ".": "00000000000000000000000000110001100", "-": "00000000000000011111000000000000000",
}


class Canvas:
    """A white raster with data-space axes for line and bar plots."""

    def __init__(self, w=480, h=360, xlim=(0, 1), ylim=(0, 1), margin=40):
        self.img = np.full((h, w, 3), 255, np.uint8)
        self.w, self.h, self.m = w, h, margin
        self.xlim, self.ylim = xlim, ylim
        self.line([(xlim[0], ylim[0]), (xlim[1], ylim[0])], (0, 0, 0))
        self.line([(xlim[0], ylim[0]), (xlim[0], ylim[1])], (0, 0, 0))
        for t in np.linspace(0, 1, 6):
            xv = xlim[0] + t * (xlim[1] - xlim[0])
            yv = ylim[0] + t * (ylim[1] - ylim[0])
            px, py = self.to_px(xv, ylim[0])
            self.text(px - 8, py + 6, f"{xv:.2g}")
            px, py = self.to_px(xlim[0], yv)
            self.text(2, py - 3, f"{yv:.2g}")

    def to_px(self, x, y):
        fx = (x - self.xlim[0]) / (self.xlim[1] - self.xlim[0])
        fy = (y - self.ylim[0]) / (self.ylim[1] - self.ylim[0])
        return (int(round(self.m + fx * (self.w - 2 * self.m))),
                int(round(self.h - self.m - fy * (self.h - 2 * self.m))))

    def _dot(self, x, y, c, r=1):
        self.img[max(0, y - r):y + r + 1, max(0, x - r):x + r + 1] = c

    def line(self, pts, color, r=1, dashed=False):
        for (x0, y0), (x1, y1) in zip(pts[:-1], pts[1:]):
            a, b = self.to_px(x0, y0), self.to_px(x1, y1)
            n = max(abs(b[0] - a[0]), abs(b[1] - a[1]), 1)
            for i in range(n + 1):
                if dashed and (i // 4) % 2:
                    continue
                t = i / n
                self._dot(int(round(a[0] + t * (b[0] - a[0]))), int(round(a[1] + t * (b[1] - a[1]))),
                          color, r)

    def marker(self, x, y, color, r=3):
        px, py = self.to_px(x, y)
        self._dot(px, py, color, r)

    def bar(self, x0, x1, y, color):
        a = self.to_px(x0, 0 if self.ylim[0] <= 0 else self.ylim[0])
        b = self.to_px(x1, y)
        self.img[min(a[1], b[1]):max(a[1], b[1]) + 1, a[0]:b[0] + 1] = color

    def text(self, x, y, s, color=(0, 0, 0)):
        for ch in s:
            g = _GLYPHS.get(ch)
            if g is not None:
                for k, bit in enumerate(g):
                    if bit == "1":
                        yy, xx = y + k // 5, x + k % 5
                        if 0 <= yy < self.h and 0 <= xx < self.w:
                            self.img[yy, xx] = color
            x += 6

    def save(self, path):
        write_png(path, self.img)


COLORS = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (255, 127, 14), (148, 103, 189),
          (140, 86, 75)]
