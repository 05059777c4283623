"""Painting sprites and set layers from shape primitives, once, before any frame is rendered.

A primitive's signed-distance field (`sdf`; stage units, negative inside) on a pixel grid has its
edge wobbled by low-frequency noise as if cut by hand, a material (`materials`) textures its
colour, stitches are sewn along it, and coverage comes from the distance (anti-aliased at any
scale). Below 0.6 px per unit the grid is supersampled and box-filtered down, so tiny shapes keep
their area instead of vanishing.

Pixel convention: pixel (row i, column j) covers [j, j+1) x [i, i+1) in continuous pixel
coordinates, so the centre of the top-left pixel is (0.5, 0.5). A sprite's `origin` is given in
those coordinates.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

import cv2
import numpy as np

from renderer.model.art import Prim
from renderer.paint import materials as mat
from renderer.paint.noise import NoiseField, rng
from renderer.paint.sdf import Geom, Grid, distance, geometry, segment_distance

# Painting grids finer than this many pixels per stage unit need no supersampling.
MIN_INTERNAL_SCALE = 0.6
MAX_SUPERSAMPLE = 4
MARGIN_PX = 2  # painting windows reach this far beyond a primitive's soft edge
WOBBLE_CELL = 22.0  # feature size of the handmade edge wobble, stage units
BAND_PIXELS = 1_000_000  # set layers are painted in bands of about this many pixels (memory)


@dataclass(frozen=True)
class Sprite:
    """A painted attachment.

    rgba: (H, W, 4) uint8 premultiplied RGBA, C-contiguous. origin: continuous pixel
    coordinates (x, y) in `rgba` of the bone-local point (0, 0). scale: pixels per stage unit.
    """

    rgba: np.ndarray
    origin: tuple[float, float]
    scale: float

    @cached_property
    def alpha(self) -> np.ndarray:
        """The coverage plane alone, (H, W) uint8, C-contiguous: what a cast shadow warps every
        exposure (OpenCV copies a strided plane before each warp)."""
        return np.ascontiguousarray(self.rgba[..., 3])


def _base_color(g: Grid, geo: Geom, p: Prim) -> np.ndarray:
    """(H, W, 3) float32 straight colour 0..1 with the primitive's gradient."""
    c1 = np.asarray(p.color, np.float32) / 255.0
    c2 = c1 if p.color2 is None else np.asarray(p.color2, np.float32) / 255.0
    x0, y0, x1, y1 = geo.bbox
    if p.gradient == "vertical":
        t = np.clip((g.ys - y0) / max(y1 - y0, 1e-6), 0, 1)
    elif p.gradient == "horizontal":
        t = np.clip((g.xs - x0) / max(x1 - x0, 1e-6), 0, 1)
    elif p.gradient == "radial":
        hx, hy = max((x1 - x0) / 2, 1e-6), max((y1 - y0) / 2, 1e-6)
        t = np.clip(np.sqrt(((g.xs - (x0 + hx)) / hx) ** 2 + ((g.ys - (y0 + hy)) / hy) ** 2), 0, 1)
    else:
        t = None
    out = np.empty((g.h, g.w, 3), np.float32)
    out[:] = c1 if t is None else c1 + (c2 - c1) * t[..., None]
    return out


def _margin(p: Prim, edge: mat.Edge) -> float:
    """How far paint may reach outside the exact shape, stage units (scale-independent)."""
    return edge.wobble + edge.fuzz + edge.grow + edge.soft + 1.0


def _shape_field(p: Prim, geo: Geom, index: int, seed: int, g: Grid):
    """The primitive's wobbled distance field on grid g, wrapped in a material NoiseField."""
    edge = mat.edge_for(p.material, geo.frame)
    m = _margin(p, edge)
    extent = (geo.bbox[0] - m, geo.bbox[1] - m, geo.bbox[2] + m, geo.bbox[3] + m)
    band = 10.0 + 2.5 / g.s + edge.wobble + edge.fuzz + edge.grow + float(p.outline)
    if p.material == "glow":
        band = max(band, 1.2 * geo.frame.half_short)
    c1 = np.asarray(p.color, np.float32) / 255.0
    f = NoiseField(g.xs, g.ys, None, g.s, geo.frame, extent, seed, index, c1)
    d = distance(g, geo, band)
    if edge.wobble > 0:
        d += edge.wobble * f.noise(WOBBLE_CELL, purpose=100)
    f.d = d
    return f, edge


def _paint_prim(p: Prim, geo: Geom, index: int, seed: int, scale: float, ss: int,
                j0: int, i0: int, w: int, h: int, seams=None) -> np.ndarray:
    """Paint one primitive into a window of (h, w) final pixels whose top-left pixel is (i0, j0)
    on the stage pixel grid (stage x = j / scale). seams: its stitch dashes (`_seams`).
    Returns (h, w, 4) float32 premultiplied."""
    s = scale * ss
    g = Grid(j0 / scale, i0 / scale, s, w * ss, h * ss)
    f, edge = _shape_field(p, geo, index, seed, g)
    d = f.d
    cov_d = d - edge.grow
    if edge.fuzz > 0:
        cov_d = cov_d + edge.fuzz * f.noise(edge.fuzz_cell, purpose=101)
    cov = np.clip(0.5 - cov_d * (s / max(1.0, edge.soft * s)), 0.0, 1.0)
    c1 = f.color
    c2 = None if p.color2 is None else np.asarray(p.color2, np.float32) / 255.0
    rgb, alpha = mat.shade(p.material, f, _base_color(g, geo, p),
                           c2 if p.gradient == "none" else None)
    if p.outline > 0:
        o = np.clip(0.5 + (d + float(p.outline)) * s, 0.0, 1.0)
        rgb += (c1 * 0.3 + 0.03 - rgb) * o[..., None]
    if p.stitch and seams is not None and len(seams):
        use2 = c2 is not None and p.gradient == "none" and p.material not in mat.USES_COLOR2
        _draw_stitches(f, g, rgb, seams, c2 if use2 else mat.thread_color(c1))
    a = cov * alpha * float(np.clip(p.opacity, 0.0, 1.0))
    out = np.empty((g.h, g.w, 4), np.float32)
    np.multiply(rgb, a[..., None], out=out[..., :3])
    out[..., 3] = a
    if ss > 1:  # box filter back to the final grid: exact area coverage
        out = out.reshape(h, ss, w, ss, 4).mean(axis=(1, 3), dtype=np.float32)
    return out


def _seams(p: Prim, geo: Geom, index: int, seed: int, inset: float = 3.0,
           every: float = 8.0, dash: float = 4.2) -> np.ndarray:
    """Stitch dashes `inset` units inside the wobbly edge, one every `every` units, as (n, 4)
    stage-unit segments (ax, ay, bx, by). Traced once per primitive on its own grid, so the
    seam is the same at every scale and across the bands of a big layer."""
    m = _margin(p, mat.edge_for(p.material, geo.frame)) + 1.0
    x0, y0, x1, y1 = geo.bbox[0] - m, geo.bbox[1] - m, geo.bbox[2] + m, geo.bbox[3] + m
    s = min(1.0, math.sqrt(4e6 / max((x1 - x0) * (y1 - y0), 1.0)))  # <= 4 Mpx
    g = Grid(x0, y0, s, math.ceil((x1 - x0) * s), math.ceil((y1 - y0) * s))
    f, _ = _shape_field(p, geo, index, seed, g)
    contours, _ = cv2.findContours((f.d < -inset).astype(np.uint8), cv2.RETR_LIST,
                                   cv2.CHAIN_APPROX_NONE)
    draws = rng(seed, index, 200)
    k = max(1, int(round(1.2 * s)))
    segs = []
    for c in contours:
        if len(c) < 4:
            continue
        x = g.x0 + (c[:, 0, 0] + 0.5) / s
        y = g.y0 + (c[:, 0, 1] + 0.5) / s
        if len(x) > 2 * k + 1:  # smooth the pixel staircase of the contour
            ker = np.ones(2 * k + 1) / (2 * k + 1)
            x = np.convolve(np.concatenate([x[-k:], x, x[:k]]), ker, "valid")
            y = np.convolve(np.concatenate([y[-k:], y, y[:k]]), ker, "valid")
        xc, yc = np.append(x, x[0]), np.append(y, y[0])
        run = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(xc), np.diff(yc)))])
        total = run[-1]
        if total < every * 0.75:
            continue
        n = max(1, int(round(total / every)))
        mid = (np.arange(n) + 0.5) * (total / n) + draws.uniform(-0.6, 0.6, n)
        ends = np.stack([mid - dash / 2, mid + dash / 2], 1) % total
        jit = draws.normal(0.0, 0.3, (n, 4))  # hand-sewn: no two stitches alike
        segs.append(np.stack([np.interp(ends[:, 0], run, xc), np.interp(ends[:, 0], run, yc),
                              np.interp(ends[:, 1], run, xc), np.interp(ends[:, 1], run, yc)],
                             1) + jit)
    return np.vstack(segs) if segs else np.zeros((0, 4))


def _draw_stitches(f: NoiseField, g: Grid, rgb: np.ndarray, segs: np.ndarray, thread,
                   r: float = 0.7):
    """Draw thread dashes (n, 4) of radius `r` units into rgb in place, each with a soft shadow
    below and to the right; too fine to resolve, they fade to a faint seam line."""
    fade = f.detail(2 * r + 0.6) or 0.35
    cov = np.zeros((g.h, g.w), np.float32)
    top = np.zeros((g.h, g.w), np.float32)
    shadow = np.zeros((g.h, g.w), np.float32)
    soft = max(1.0, 0.8 * g.s)
    for ax, ay, bx, by in segs:
        win = g.window(min(ax, bx) - 3, min(ay, by) - 3, max(ax, bx) + 3, max(ay, by) + 3)
        if win is None:
            continue
        sy, sx = win
        px, py = g.xs[:, sx], g.ys[sy]
        dist = segment_distance(px, py, ax, ay, bx, by)
        np.maximum(cov[sy, sx], np.clip(0.5 - (dist - r) * g.s, 0, 1), out=cov[sy, sx])
        np.maximum(top[sy, sx], np.clip(1 - dist / r, 0, 1), out=top[sy, sx])
        ds = segment_distance(px, py, ax + 0.5, ay + 0.6, bx + 0.5, by + 0.6)
        np.maximum(shadow[sy, sx], np.clip(0.5 - (ds - 1.2 * r) * g.s / soft, 0, 1),
                   out=shadow[sy, sx])
    rgb *= (1.0 - 0.35 * fade * shadow)[..., None]
    lit = np.clip(np.asarray(thread, np.float32) * (0.72 + 0.45 * top[..., None]), 0, 1)
    rgb += (lit - rgb) * (fade * cov)[..., None]


def _windows(prims: Sequence[Prim], scale: float):
    """(prim, geometry, index, j0, i0, j1, i1) per paintable primitive, on the stage pixel grid
    (pixel j covers stage x in [j / scale, (j + 1) / scale))."""
    out = []
    for i, p in enumerate(prims):
        geo = geometry(p)
        if geo is None or p.opacity <= 0:
            continue
        m = _margin(p, mat.edge_for(p.material, geo.frame))
        x0, y0, x1, y1 = geo.bbox
        out.append((p, geo, i, math.floor((x0 - m) * scale) - MARGIN_PX,
                    math.floor((y0 - m) * scale) - MARGIN_PX,
                    math.ceil((x1 + m) * scale) + MARGIN_PX,
                    math.ceil((y1 + m) * scale) + MARGIN_PX))
    return out


def _supersample(scale: float) -> int:
    if scale >= MIN_INTERNAL_SCALE:
        return 1
    return min(MAX_SUPERSAMPLE, math.ceil(MIN_INTERNAL_SCALE / scale))


def _over(canvas: np.ndarray, src: np.ndarray, i0: int, j0: int):
    """Composite premultiplied `src` over `canvas` (both float32) at (i0, j0), clipped."""
    h, w = src.shape[:2]
    ci0, cj0 = max(i0, 0), max(j0, 0)
    ci1, cj1 = min(i0 + h, canvas.shape[0]), min(j0 + w, canvas.shape[1])
    if ci0 >= ci1 or cj0 >= cj1:
        return
    s = src[ci0 - i0:ci1 - i0, cj0 - j0:cj1 - j0]
    dst = canvas[ci0:ci1, cj0:cj1]
    dst *= 1.0 - s[..., 3:4]
    dst += s


def _to_uint8(canvas: np.ndarray) -> np.ndarray:
    """float32 premultiplied 0..1 -> uint8 premultiplied, keeping every colour <= alpha."""
    out = cv2.convertScaleAbs(canvas, alpha=255.0)  # rounds and saturates in one pass
    np.minimum(out[..., :3], out[..., 3:4], out=out[..., :3])
    return out


def paint(prims: Sequence[Prim], scale: float, seed: int) -> Sprite:
    """Paint an attachment's primitives, in order (later over earlier), into a tight sprite.

    scale: pixels per stage unit (1/6 for a 320x180 render ... 2 for 4K). seed: keys the
    material textures and edge wobble (give each part its own). The sprite is cropped to its
    painted pixels; `origin` locates bone-local (0, 0) in it.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    wins = _windows(prims, scale)
    if not wins:
        return Sprite(np.zeros((1, 1, 4), np.uint8), (0.0, 0.0), scale)
    J0, I0 = min(w[3] for w in wins), min(w[4] for w in wins)
    J1, I1 = max(w[5] for w in wins), max(w[6] for w in wins)
    canvas = np.zeros((I1 - I0, J1 - J0, 4), np.float32)
    ss = _supersample(scale)
    for p, geo, idx, j0, i0, j1, i1 in wins:
        seams = _seams(p, geo, idx, seed) if p.stitch else None
        src = _paint_prim(p, geo, idx, seed, scale, ss, j0, i0, j1 - j0, i1 - i0, seams)
        _over(canvas, src, i0 - I0, j0 - J0)
    rgba = _to_uint8(canvas)
    rows = np.flatnonzero(rgba[..., 3].any(axis=1))
    cols = np.flatnonzero(rgba[..., 3].any(axis=0))
    if len(rows) == 0:
        return Sprite(np.zeros((1, 1, 4), np.uint8), (0.0, 0.0), scale)
    # No transparent margin: blits sample outside a sprite as transparent anyway, and every
    # pixel of margin would be warped and blended in every exposure.
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    rgba = np.ascontiguousarray(rgba[r0:r1, c0:c1])
    return Sprite(rgba, (float(-J0 - c0), float(-I0 - r0)), scale)


def paint_layer(prims: Sequence[Prim], size: tuple[float, float], scale: float, seed: int,
                background: tuple[int, int, int] | None = None,
                margin: int = 0, clip: tuple[int, int, int, int] | None = None
                ) -> tuple[np.ndarray, tuple[int, int]]:
    """Paint a set layer: a canvas of `size` (width, height) stage units whose top-left corner
    is stage (0, 0), at `scale` pixels per unit, so round(height * scale) x round(width * scale)
    pixels. Each primitive is painted only within its own bounding box. background: opaque
    0..255 RGB fill, or None for transparent.

    Returns (rgba, (j0, i0)): uint8 premultiplied RGBA of the window of the canvas that can hold
    paint, and the canvas pixel (column, row) of its top-left corner; the rest of the canvas is
    transparent. An opaque layer's window is the whole canvas; a transparent one's is the union
    of its primitives' boxes grown by `margin` pixels, clipped to the canvas (and to `clip`,
    canvas pixels (j0, i0, j1, i1), when given). (A near layer's
    canvas is several frames wide and may hold just a chair: 110 MB of canvas at 720p around
    2 MB of paint.)
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    W = max(1, int(round(size[0] * scale)))
    H = max(1, int(round(size[1] * scale)))
    wins = _windows(prims, scale)
    if background is not None:
        J0, I0, J1, I1 = 0, 0, W, H
    elif wins:
        J0, I0 = max(0, min(w[3] for w in wins) - margin), max(0, min(w[4] for w in wins) - margin)
        J1, I1 = min(W, max(w[5] for w in wins) + margin), min(H, max(w[6] for w in wins) + margin)
    else:
        J0 = I0 = J1 = I1 = 0
    if clip is not None:    # (j0, i0, j1, i1) canvas pixels: paint only what a camera shows
        J0, I0, J1, I1 = max(J0, clip[0]), max(I0, clip[1]), min(J1, clip[2]), min(I1, clip[3])
    if J1 <= J0 or I1 <= I0:
        return np.zeros((0, 0, 4), np.uint8), (0, 0)
    out = np.empty((I1 - I0, J1 - J0, 4), np.uint8)
    ss = _supersample(scale)
    seams = {w[2]: _seams(w[0], w[1], w[2], seed) for w in wins if w[0].stitch}
    rows = max(16, BAND_PIXELS // (J1 - J0))  # paint in bands of rows: bounded memory at 4K
    for top in range(I0, I1, rows):
        bottom = min(top + rows, I1)
        canvas = np.zeros((bottom - top, J1 - J0, 4), np.float32)
        if background is not None:
            canvas[..., :3] = np.asarray(background, np.float32) / 255.0
            canvas[..., 3] = 1.0
        for p, geo, idx, j0, i0, j1, i1 in wins:
            j0, i0, j1, i1 = max(j0, J0), max(i0, top), min(j1, J1), min(i1, bottom)
            if j0 >= j1 or i0 >= i1:
                continue
            src = _paint_prim(p, geo, idx, seed, scale, ss, j0, i0, j1 - j0, i1 - i0,
                              seams.get(idx))
            _over(canvas, src, i0 - top, j0 - J0)
        out[top - I0:bottom - I0] = _to_uint8(canvas)
    return out, (J0, I0)
