"""A primitive's texture field: keyed random streams and scale-independent value noise.

Noise comes from lattices of values drawn from `Philox` keyed by (seed, primitive index, purpose)
and anchored to the primitive's own extent, so textures are deterministic and look the same at
every painting scale (stage units throughout); detail finer than about two pixels fades out
instead of aliasing. `NoiseField` also carries the shape's distance field, from which materials take
depth, bevel normals and coordinates in the shape's own frame.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from renderer.paint.sdf import Frame

_UINT64 = (1 << 64) - 1


def rng(seed: int, index: int, purpose: int) -> np.random.Generator:
    """A Philox stream for one (seed, primitive index, purpose): the same draws on every run."""
    key = np.array([seed & _UINT64, ((index & 0xFFFFFFFF) << 16) | (purpose & 0xFFFF)],
                   dtype=np.uint64)
    return np.random.Generator(np.random.Philox(key=key))


class NoiseField:
    """Everything a material needs about one primitive on its painting grid.

    x: (1, W) and y: (H, 1) float32 stage coordinates of pixel centres (bone-local).
    d: (H, W) float32 signed distance to the (wobbly) edge, stage units, negative inside, exact
    within a band and clamped beyond it. scale: pixels per stage unit of this grid. extent:
    (x0, y0, x1, y1) stage box the noise lattices are anchored to (independent of scale).
    color: the primitive's base colour (3,) float 0..1.
    """

    def __init__(self, x, y, d, scale, frame: Frame, extent, seed: int, index: int,
                 color=(0.5, 0.5, 0.5)):
        self.x, self.y, self.d, self.scale = x, y, d, scale
        self.color = np.asarray(color, np.float32)  # the primitive's base colour, 0..1
        self.frame, self.extent, self.seed, self.index = frame, extent, seed, index

    def detail(self, cell: float) -> float:
        """1 for features of at least 2.5 px, 0 below 0.7 px: finer detail would only alias."""
        return float(np.clip((cell * self.scale - 0.7) / 1.8, 0.0, 1.0))

    def uv(self, angle: float):
        """Coordinates along and across a direction `angle` (degrees clockwise), stage units,
        relative to the shape's centre."""
        c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        dx, dy = self.x - self.frame.cx, self.y - self.frame.cy
        return dx * c + dy * s, dy * c - dx * s

    def noise(self, cell: float, cell_v: float | None = None, angle: float = 0.0,
              purpose: int = 0, warp=None):
        """Smooth value noise in about [-1, 1] with features of `cell` (along `angle`) by `cell_v`
        (across) stage units, already faded by `detail`; 0.0 when too fine to show.
        `warp` (H, W) shifts the across coordinate, stage units (wood grain)."""
        cell_v = cell if cell_v is None else cell_v
        fade = self.detail(min(cell, cell_v))
        if fade <= 0.0:
            return 0.0
        # Lattice anchored to the primitive's extent in this frame: the same values at any scale.
        fr = self.frame
        x0, y0, x1, y1 = self.extent
        c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        cu = [(px - fr.cx) * c + (py - fr.cy) * s for px in (x0, x1) for py in (y0, y1)]
        cv_ = [(py - fr.cy) * c - (px - fr.cx) * s for px in (x0, x1) for py in (y0, y1)]
        pad = 8.0 if warp is not None else 0.0
        i0 = math.floor(min(cu) / cell) - 2
        j0 = math.floor((min(cv_) - pad) / cell_v) - 2
        nu = math.ceil(max(cu) / cell) + 3 - i0
        nv = math.ceil((max(cv_) + pad) / cell_v) + 3 - j0
        lattice = rng(self.seed, self.index, purpose).random((nv, nu), dtype=np.float32)
        lattice = lattice * 2.0 - 1.0
        h, w = self.y.shape[0], self.x.shape[1]
        if warp is None:
            # Lattice coordinates are affine in pixel indices: let warpAffine build the map.
            gx0, gy0 = float(self.x[0, 0]) - fr.cx, float(self.y[0, 0]) - fr.cy
            step = 1.0 / self.scale
            m = np.array([[c * step / cell, s * step / cell, (gx0 * c + gy0 * s) / cell - i0],
                          [-s * step / cell_v, c * step / cell_v,
                           (gy0 * c - gx0 * s) / cell_v - j0]])
            # Cubic only where a cell spans enough pixels for linear's creases to show.
            interp = cv2.INTER_CUBIC if min(cell, cell_v) * self.scale > 6 else cv2.INTER_LINEAR
            out = cv2.warpAffine(lattice, m, (w, h), flags=interp | cv2.WARP_INVERSE_MAP,
                                 borderMode=cv2.BORDER_REPLICATE)
        else:
            u, v = self.uv(angle)
            u, v = np.broadcast_arrays(u, v + warp)
            mx = (u / cell - i0).astype(np.float32)
            my = (v / cell_v - j0).astype(np.float32)
            out = cv2.remap(lattice, mx, my, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
        return out * fade if fade < 1.0 else out

    def depth(self, r: float) -> np.ndarray:
        """0 at the edge rising to 1 at `r` stage units inside, (H, W) float32."""
        return np.clip(self.d * (-1.0 / r), 0.0, 1.0)

    def normal(self, r: float):
        """Normal of a pillow-shaped surface: flat inside, curving down over the last `r` units to
        the edge (a parabolic bevel), as nx, ny, nz arrays (H, W)."""
        gy, gx = _gradient(self.d)
        t = self.depth(r)
        slope = (2.0 * self.scale) * (1.0 - t)  # dh/dd per pixel step of d
        nx, ny = gx * slope, gy * slope
        inv = 1.0 / np.sqrt(nx * nx + ny * ny + 1.0)
        return nx * inv, ny * inv, inv

    def local(self):
        """Coordinates in the primitive's rotated frame, normalised: -1..1 over its half extents."""
        f = self.frame
        u, v = self.uv(f.rot)
        return u / max(f.half_w, 1e-3), v / max(f.half_h, 1e-3)


def _gradient(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.gradient along y and x, also for a window only one pixel high or wide (a paint band can
    clip a shape to a single row), where that axis's gradient is taken as flat."""
    gy = np.gradient(d, axis=0) if d.shape[0] > 1 else np.zeros_like(d)
    gx = np.gradient(d, axis=1) if d.shape[1] > 1 else np.zeros_like(d)
    return gy, gx
