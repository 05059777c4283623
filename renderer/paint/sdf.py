"""Signed-distance geometry of shape primitives on a pixel grid, stage units, negative inside.

A primitive (`paint.Prim`) is resolved once to one of four distance-field kinds (ellipse, rect,
stroke, polygon) with its own `Frame`; `distance` then evaluates that field on a `Grid` of pixel
centres. Fields are exact within a `band` of the edge and clamped to +band beyond it, which is
all coverage, outlines and bevels need, and keeps wide strokes and polygons cheap.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from renderer.model.art import Prim


@dataclass(frozen=True)
class Frame:
    """A primitive's own frame, stage units, bone-local, y down.

    cx, cy: centre. rot: the primitive's rotation (degrees clockwise; 0 for point shapes);
    half_w, half_h: half extents along the rotated x and y axes. angle: direction of the long
    axis (degrees clockwise); half_long, half_short: half extents along and across it.
    """

    cx: float
    cy: float
    rot: float
    half_w: float
    half_h: float
    angle: float
    half_long: float
    half_short: float


@dataclass(frozen=True)
class Geom:
    """A primitive's geometry resolved to one of four distance-field kinds."""

    kind: str                                  # "ellipse" | "rect" | "stroke" | "polygon"
    bbox: tuple[float, float, float, float]    # x0, y0, x1, y1 of the exact shape, stage units
    frame: Frame
    pts: np.ndarray | None = None              # (N, 2) stroke centreline or polygon outline
    radii: np.ndarray | None = None            # (N,) stroke half widths
    radius: float = 0.0                        # rect corner radius


class Grid:
    """A painting grid: pixel centres at x0 + (j + 0.5) / s, y0 + (i + 0.5) / s (stage units)."""

    def __init__(self, x0: float, y0: float, s: float, w: int, h: int):
        self.x0, self.y0, self.s, self.w, self.h = x0, y0, s, w, h
        self.xs = (x0 + (np.arange(w, dtype=np.float32) + 0.5) / s).reshape(1, w)
        self.ys = (y0 + (np.arange(h, dtype=np.float32) + 0.5) / s).reshape(h, 1)

    def window(self, x0: float, y0: float, x1: float, y1: float):
        """Slices of the pixels whose centres may lie in the stage box, or None if empty."""
        j0 = max(0, int(math.floor((x0 - self.x0) * self.s)))
        j1 = min(self.w, int(math.ceil((x1 - self.x0) * self.s)) + 1)
        i0 = max(0, int(math.floor((y0 - self.y0) * self.s)))
        i1 = min(self.h, int(math.ceil((y1 - self.y0) * self.s)) + 1)
        if j0 >= j1 or i0 >= i1:
            return None
        return slice(i0, i1), slice(j0, j1)


def _catmull_rom(p: np.ndarray, closed: bool) -> np.ndarray:
    """Points of a uniform Catmull-Rom spline through p (N, 2), one every ~3 stage units: each
    span p1-p2 of four control points p0..p3 sampled at t = k/m, k < m (all spans at once)."""
    n = len(p)
    if n < 3:
        return p
    ext = np.vstack([p[-1:], p, p[:2]]) if closed else np.vstack([p[:1], p, p[-1:]])
    spans = n if closed else n - 1
    p0, p1, p2, p3 = (ext[k:k + spans] for k in range(4))
    m = np.clip(np.ceil(np.hypot(*(p2 - p1).T) / 3.0), 2, 48).astype(np.intp)
    span = np.repeat(np.arange(spans), m)
    t = ((np.arange(len(span)) - np.repeat(np.cumsum(m) - m, m)) / m[span])[:, None]
    a, b = 2 * p1[span], (p2 - p0)[span]
    c, d = (2 * p0 - 5 * p1 + 4 * p2 - p3)[span], (3 * p1 - p0 - 3 * p2 + p3)[span]
    out = 0.5 * (a + b * t + c * t ** 2 + d * t ** 3)
    return out if closed else np.vstack([out, p[-1:]])


def _axis_frame(p: np.ndarray, bbox, pad: float) -> Frame:
    """Frame of a point set: bbox centre, long axis by principal components, `pad` added."""
    cx, cy = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
    q = p - (cx, cy)
    angle = 0.0
    if len(p) > 1:
        w, v = np.linalg.eigh(np.cov(q.T) + np.eye(2) * 1e-9)
        angle = math.degrees(math.atan2(v[1, 1], v[0, 1]))
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    along = np.abs(q @ (c, s)).max() + pad
    across = np.abs(q @ (-s, c)).max() + pad
    hw, hh = (bbox[2] - bbox[0]) / 2, (bbox[3] - bbox[1]) / 2
    return Frame(cx, cy, 0.0, hw, hh, angle, float(along), float(across))


def geometry(p: Prim) -> Geom | None:
    """Resolve a primitive to a distance-field kind, or None when it covers nothing."""
    if p.shape in ("ellipse", "rect"):
        w, h = abs(float(p.size[0])), abs(float(p.size[1]))
        if w <= 0 or h <= 0:
            return None
        cx, cy = float(p.at[0]), float(p.at[1])
        c, s = abs(math.cos(math.radians(p.rot))), abs(math.sin(math.radians(p.rot)))
        if p.shape == "ellipse":
            ex = math.sqrt((w / 2 * c) ** 2 + (h / 2 * s) ** 2)
            ey = math.sqrt((w / 2 * s) ** 2 + (h / 2 * c) ** 2)
        else:
            ex, ey = (w * c + h * s) / 2, (w * s + h * c) / 2
        long_w = w >= h
        frame = Frame(cx, cy, float(p.rot), w / 2, h / 2,
                      float(p.rot if long_w else p.rot + 90), max(w, h) / 2, min(w, h) / 2)
        return Geom(p.shape, (cx - ex, cy - ey, cx + ex, cy + ey), frame,
                    radius=float(np.clip(p.radius, 0, min(w, h) / 2)))
    traced = _traced(p)
    if traced is None:
        return None
    kind, bbox, pts, radii = traced
    pad = 0.0 if radii is None else float(radii.max())
    # the frame from the box's plain floats: numpy float64 scalars in it would turn the
    # material's float32 arithmetic on its grid into float64
    return Geom(kind, bbox, _axis_frame(pts, bbox, pad), pts, radii)


def bounds(p: Prim) -> tuple[float, float, float, float] | None:
    """`geometry(p).bbox` (None when it covers nothing), without the rest of its geometry."""
    if p.shape in ("ellipse", "rect"):
        g = geometry(p)
        return None if g is None else g.bbox
    traced = _traced(p)
    return None if traced is None else traced[1]


def _traced(p: Prim) -> tuple[str, tuple[float, float, float, float], np.ndarray,
                              np.ndarray | None] | None:
    """A polygon's outline or a stroke's centreline and half widths, smoothed where asked:
    (kind, bbox, points, radii or None), or None when it covers nothing."""
    pts = np.asarray(p.points, dtype=np.float64).reshape(-1, 2)
    if p.shape == "polygon":
        if len(pts) < 3:
            return None
        pts = _catmull_rom(pts, True) if p.smooth else pts
        bbox = (*pts.min(0), *pts.max(0))
        if bbox[2] - bbox[0] <= 0 or bbox[3] - bbox[1] <= 0:
            return None
        return "polygon", tuple(map(float, bbox)), pts, None
    if p.shape not in ("capsule", "line") or len(pts) < 1:
        return None
    if p.shape == "capsule":
        pts = pts[[0, -1]]
    elif p.smooth:
        pts = _catmull_rom(pts, False)
    w0, w1 = (abs(float(p.width[0])) / 2, abs(float(p.width[-1])) / 2)
    seg = np.hypot(*np.diff(pts, axis=0).T) if len(pts) > 1 else np.zeros(0)
    run = np.concatenate([[0.0], np.cumsum(seg)])
    radii = w0 + (w1 - w0) * (run / run[-1] if run[-1] > 0 else 0 * run)
    if radii.max() <= 0:
        return None
    rmax = float(radii.max())
    return "stroke", tuple(map(float, (*(pts.min(0) - rmax), *(pts.max(0) + rmax)))), pts, radii


def _local(g: Grid, f: Frame):
    """Grid coordinates in the frame's rotated axes, relative to its centre, stage units."""
    c, s = math.cos(math.radians(f.rot)), math.sin(math.radians(f.rot))
    dx, dy = g.xs - f.cx, g.ys - f.cy
    return dx * c + dy * s, dy * c - dx * s


def _sd_ellipse(g: Grid, f: Frame) -> np.ndarray:
    # Quilez's ellipse distance estimate: exact for circles, accurate near the edge.
    lx, ly = _local(g, f)
    a, b = f.half_w, f.half_h
    k0 = np.sqrt((lx / a) ** 2 + (ly / b) ** 2)
    k1 = np.sqrt((lx / (a * a)) ** 2 + (ly / (b * b)) ** 2)
    return k0 * (k0 - 1.0) / np.maximum(k1, 1e-6)


def _sd_rect(g: Grid, f: Frame, r: float) -> np.ndarray:
    lx, ly = _local(g, f)
    qx = np.abs(lx) - (f.half_w - r)
    qy = np.abs(ly) - (f.half_h - r)
    out = np.sqrt(np.maximum(qx, 0) ** 2 + np.maximum(qy, 0) ** 2)
    return out + np.minimum(np.maximum(qx, qy), 0) - r


def segment_distance(px, py, ax, ay, bx, by):
    """Unsigned distance from points (px, py) to the segment a-b, stage units."""
    bax, bay = bx - ax, by - ay
    pax, pay = px - ax, py - ay
    l2 = bax * bax + bay * bay
    h = np.clip((pax * bax + pay * bay) * (1.0 / l2), 0, 1) if l2 > 1e-12 else 0.0
    return np.sqrt((pax - bax * h) ** 2 + (pay - bay * h) ** 2)


def _sd_cone(px, py, ax, ay, bx, by, r1, r2):
    """Signed distance to a tapered capsule (round cone) from a (radius r1) to b (radius r2)."""
    bax, bay = bx - ax, by - ay
    l2 = bax * bax + bay * bay
    rr = r1 - r2
    a2 = l2 - rr * rr
    if a2 <= 1e-9:  # one end's circle holds the other
        return np.minimum(np.hypot(px - ax, py - ay) - r1, np.hypot(px - bx, py - by) - r2)
    il2 = 1.0 / l2
    pax, pay = px - ax, py - ay
    y = pax * bax + pay * bay
    z = y - l2
    qx, qy = pax * l2 - bax * y, pay * l2 - bay * y
    x2 = qx * qx + qy * qy
    k = math.copysign(rr * rr, rr) * x2
    d_b = np.sqrt(x2 + z * z * l2) * il2 - r2
    d_a = np.sqrt(x2 + y * y * l2) * il2 - r1
    d_m = (np.sqrt(x2 * (a2 * il2)) + y * rr) * il2 - r1
    return np.where(np.sign(z) * a2 * z * z * l2 > k, d_b,
                    np.where(np.sign(y) * a2 * y * y * l2 < k, d_a, d_m))


def _sd_stroke(g: Grid, geo: Geom, band: float) -> np.ndarray:
    """Union of round cones along the centreline, exact within `band`, +band beyond."""
    d = np.full((g.h, g.w), band, np.float32)
    p, r = geo.pts, geo.radii
    if len(p) == 1:
        p, r = np.vstack([p, p]), np.concatenate([r, r])
    for i in range(len(p) - 1):
        (ax, ay), (bx, by) = p[i], p[i + 1]
        m = max(r[i], r[i + 1]) + band
        win = g.window(min(ax, bx) - m, min(ay, by) - m, max(ax, bx) + m, max(ay, by) + m)
        if win is None:
            continue
        sy, sx = win
        seg = _sd_cone(g.xs[:, sx], g.ys[sy], ax, ay, bx, by, float(r[i]), float(r[i + 1]))
        np.minimum(d[sy, sx], seg, out=d[sy, sx])
    return d


def _sd_polygon(g: Grid, geo: Geom, band: float) -> np.ndarray:
    """Even-odd polygon: inside by scanline crossings, distance exact within `band`."""
    p = geo.pts
    q = np.roll(p, -1, axis=0)
    rows, cols = [], []
    for (x0, y0), (x1, y1) in zip(p, q):
        if y0 == y1:
            continue
        lo, hi = min(y0, y1), max(y0, y1)
        r0 = max(0, math.ceil((lo - g.y0) * g.s - 0.5))
        r1 = min(g.h, math.ceil((hi - g.y0) * g.s - 0.5))
        if r0 >= r1:
            continue
        r = np.arange(r0, r1)
        yc = g.y0 + (r + 0.5) / g.s
        xc = x0 + (yc - y0) * ((x1 - x0) / (y1 - y0))
        rows.append(r)
        cols.append(np.clip(np.floor((xc - g.x0) * g.s - 0.5).astype(np.int64) + 1, 0, g.w))
    inside = np.zeros((g.h, g.w), bool)
    if rows:
        flat = np.concatenate(rows) * (g.w + 1) + np.concatenate(cols)
        count = np.bincount(flat, minlength=g.h * (g.w + 1)).reshape(g.h, g.w + 1)
        inside = (np.cumsum(count, axis=1)[:, :g.w] & 1).astype(bool)
    u = np.full((g.h, g.w), band, np.float32)
    for (ax, ay), (bx, by) in zip(p, q):
        win = g.window(min(ax, bx) - band, min(ay, by) - band,
                       max(ax, bx) + band, max(ay, by) + band)
        if win is None:
            continue
        sy, sx = win
        np.minimum(u[sy, sx], segment_distance(g.xs[:, sx], g.ys[sy], ax, ay, bx, by),
                   out=u[sy, sx])
    return np.where(inside, -u, u)


def distance(g: Grid, geo: Geom, band: float) -> np.ndarray:
    """(g.h, g.w) float32 signed distance to the exact edge, stage units, clamped to <= band."""
    if geo.kind == "ellipse":
        d = _sd_ellipse(g, geo.frame)
    elif geo.kind == "rect":
        d = _sd_rect(g, geo.frame, geo.radius)
    elif geo.kind == "stroke":
        d = _sd_stroke(g, geo, band)
    else:
        d = _sd_polygon(g, geo, band)
    return np.minimum(d, band).astype(np.float32, copy=False)
