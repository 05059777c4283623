"""Handmade materials: procedural textures that make painted shapes read as felt, yarn, vinyl...

Every texture is defined in STAGE units (the stage is 1920x1080 units), so a part looks the same
at 320x180 and at 4K. Each material is a shader over a primitive's `noise.NoiseField` (its distance
field, deterministic value noise and own frame); this module also says how each material treats
the shape's edge (`edge_for`).

Colours here are straight (not premultiplied) float32 RGB in 0..1; alpha factors are 0..1.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from renderer.model.vocab import MATERIALS  # noqa: F401  (the names _SHADERS paints)
from renderer.paint.noise import NoiseField, rng
from renderer.paint.sdf import Frame

# Key light of the miniature set: from the upper left, toward the camera (x right, y down, z out).
_L = np.array([-0.5, -0.62, 0.6]) / np.linalg.norm([-0.5, -0.62, 0.6])
_H = (_L + [0, 0, 1]) / np.linalg.norm(_L + [0, 0, 1])  # Blinn half vector for a camera on +z


@dataclass(frozen=True)
class Edge:
    """How a material treats the shape's edge, all in stage units.

    wobble: amplitude of the low-frequency handmade edge wobble. soft: width of the coverage
    ramp (at least one pixel is used). fuzz, fuzz_cell: amplitude and feature size of fine edge
    noise (fibres). grow: the coverage edge moves this far outward (glows reach past the shape).
    """

    wobble: float
    soft: float = 0.25
    fuzz: float = 0.0
    fuzz_cell: float = 1.5
    grow: float = 0.0


_EDGES = {
    "plain": Edge(0.6), "felt": Edge(1.0, 1.6, 0.9, 1.6), "yarn": Edge(1.4, 0.8, 1.1, 2.0),
    "vinyl": Edge(0.4), "clay": Edge(1.1, 0.4), "knit": Edge(1.0, 0.6, 0.5, 2.5),
    "wood": Edge(0.5), "button": Edge(0.15), "fabric": Edge(0.8, 0.5, 0.3, 1.5),
    "wallpaper": Edge(0.4), "paper": Edge(0.6, 0.3, 0.25, 1.0), "resin": Edge(0.35),
    "metal": Edge(0.25), "glass": Edge(0.3), "glow": Edge(0.0, 0.25),
}


def edge_for(material: str, frame: Frame) -> Edge:
    """Edge treatment of `material` on a shape with `frame`. Wobble shrinks on thin shapes so a
    4-unit line is not chopped up; a glow reaches past its shape by a third of its half size."""
    e = _EDGES.get(material, _EDGES["plain"])
    k = min(1.0, max(0.25, frame.half_short / 12.0))
    grow = 0.35 * frame.half_short if material == "glow" else 0.0
    return Edge(e.wobble * k, e.soft, e.fuzz * k, e.fuzz_cell, grow)


def _lit(n, diffuse: float, shin: float, spec: float):
    """Diffuse factor (1 on a flat face) and specular add (0 on a flat face) for normals n."""
    nx, ny, nz = n
    ndl = np.clip(nx * _L[0] + ny * _L[1] + nz * _L[2], 0.0, None) * (1.0 / _L[2])
    shade = 1.0 + diffuse * (ndl - 1.0)
    if spec <= 0:
        return shade, 0.0
    ndh = np.clip(nx * _H[0] + ny * _H[1] + nz * _H[2], 0.0, 1.0)
    hi = np.clip(ndh ** shin - _H[2] ** shin, 0.0, None) * (spec / (1.0 - _H[2] ** shin))
    return shade, hi


def _blob(f: NoiseField, cx: float, cy: float, sx: float, sy: float) -> np.ndarray:
    """A soft Gaussian spot at normalised local (cx, cy) with radii (sx, sy)."""
    u, v = f.local()
    return np.exp(-(((u - cx) / sx) ** 2 + ((v - cy) / sy) ** 2))


def _mul(rgb, k):
    return rgb * (k[..., None] if isinstance(k, np.ndarray) else k)


def _add_white(rgb, k):
    return rgb + _mul(1.0 - rgb, k)


def _bevel(f: NoiseField, r_max: float) -> float:
    return max(0.5, min(r_max, 0.6 * f.frame.half_short))


# --- the materials: each takes (field, rgb (H, W, 3), color2 (3,) or None) -> (rgb, alpha) ---

def _plain(f, rgb, c2):
    return _mul(rgb, 1.0 + 0.02 * f.noise(6, purpose=1) + 0.02 * f.noise(40, purpose=2)), 1.0


def _felt(f, rgb, c2):
    fib = sum(f.noise(4.0, 1.1, angle=17 + 60 * k, purpose=1 + k) for k in range(3))
    grain = f.noise(1.2, purpose=5)
    shade, _ = _lit(f.normal(_bevel(f, 5)), 0.35, 1, 0)
    k = shade * (1.0 + 0.05 * fib + 0.05 * grain + 0.05 * f.noise(14, purpose=4))
    return _mul(rgb, k), 1.0


def _yarn(f, rgb, c2):
    # Rounded strands (3.2 units) that wander, each plied (fine diagonal twist), in clumps.
    a = f.frame.angle
    u, v = f.uv(a)
    v = v + 2.5 * f.noise(45, 12, angle=a, purpose=1)
    ph = v * (1.0 / 3.2)
    across = np.abs((ph % 1.0) - 0.5) * 2.0          # 0 on a strand's crest, 1 in the groove
    profile = np.sqrt(np.clip(1.0 - across * across, 0.0, 1.0))
    twist = np.sin((u * 0.45 + v) * (2 * np.pi / 1.7)) * f.detail(1.7)
    each = f.noise(60, 3.2, angle=a, purpose=2)        # strands differ a little in tone
    clump = f.noise(80, 10, angle=a, purpose=3)
    fade = f.detail(3.2)
    shade, _ = _lit(f.normal(_bevel(f, 6)), 0.6, 1, 0)
    k = shade * (1.0 + fade * (0.34 * (profile - 0.75) + 0.06 * twist * profile)
                 + 0.08 * each + 0.1 * clump)
    return _mul(rgb, k), 1.0


def _vinyl(f, rgb, c2):
    shade, hi = _lit(f.normal(_bevel(f, 9)), 0.8, 28, 0.55)
    rim = 1.0 - 0.16 * (1.0 - f.depth(3.0))
    rgb = _mul(rgb, shade * rim * (1.0 + 0.012 * f.noise(10, purpose=1)))
    sheen = 0.22 * _blob(f, -0.35, -0.45, 0.28, 0.2)
    return _add_white(rgb, hi + sheen), 1.0


def _clay(f, rgb, c2):
    shade, hi = _lit(f.normal(_bevel(f, 8)), 0.4, 8, 0.06)
    mottle = 0.05 * f.noise(14, purpose=1) + 0.03 * f.noise(5, purpose=2)
    # Thumbprints: fine concentric ridges in a few soft spots of the surface.
    spots = rng(f.seed, f.index, 90)
    fr = f.frame
    ridges = 0.0
    fade = f.detail(1.2)
    if fade > 0:
        for px, py in spots.uniform(-0.6, 0.6, (3, 2)):
            ox, oy = fr.cx + px * fr.half_w, fr.cy + py * fr.half_h
            r = np.sqrt((f.x - ox) ** 2 + (f.y - oy) ** 2)
            ridges = ridges + np.sin(r * (2 * np.pi / 2.4)) * np.exp(-(r / 14.0) ** 2)
        ridges = ridges * (0.03 * fade)
    return _add_white(_mul(rgb, shade * (1.0 + mottle + ridges)), hi), 1.0


def _knit(f, rgb, c2):
    # Stockinette: columns of V stitches, each leg a rounded slanted loop; rows 6 units high.
    u, v = f.uv(f.frame.rot)
    fx = (u / 7.0) % 1.0
    fy = (v / 6.0) % 1.0
    col = np.floor(u / 7.0)
    left = (fx - (0.06 + 0.42 * fy)) / 0.24
    right = (fx - (0.94 - 0.42 * fy)) / 0.24
    loop = np.maximum(np.clip(1 - left ** 2, 0, 1), np.clip(1 - right ** 2, 0, 1))
    loop = np.sqrt(loop) * (1.0 - 0.5 * np.abs(2 * fy - 1) ** 3) + 0.04 * (col % 2)
    fade = f.detail(3.0)
    k = 1.0 + fade * 0.5 * (loop - 0.55) + 0.05 * f.noise(2.5, 0.8, angle=70, purpose=1)
    shade, _ = _lit(f.normal(_bevel(f, 5)), 0.4, 1, 0)
    return _mul(rgb, k * shade * (1.0 + 0.04 * f.noise(20, purpose=2))), 1.0


def _wood(f, rgb, c2):
    a = f.frame.angle
    warp = 5.0 * f.noise(90, 35, angle=a, purpose=1) + 1.2 * f.noise(20, 6, angle=a, purpose=2)
    _, v = f.uv(a)
    rings = 0.5 + 0.5 * np.sin((v + warp) * (2 * np.pi / 9.0))
    streak = rings ** 6 * f.detail(2.0)
    grain = f.noise(80, 1.3, angle=a, purpose=3, warp=warp) if f.detail(1.3) > 0 else 0.0
    k = 1.0 - 0.16 * streak + 0.07 * grain + 0.05 * f.noise(40, 12, angle=a, purpose=4)
    return _mul(rgb, k), 1.0


def _fabric(f, rgb, c2):
    p = 2.4
    u, v = f.uv(f.frame.rot)
    over = ((np.floor(u / p) + np.floor(v / p)) % 2).astype(np.float32)
    cu, cv_ = np.cos(u * (np.pi / p)) ** 2, np.cos(v * (np.pi / p)) ** 2
    weave = (over * cu + (1 - over) * cv_) - 0.5
    k = 1.0 + 0.13 * f.detail(p) * weave + 0.04 * f.noise(8, purpose=1)
    k = k + 0.05 * f.noise(30, 1.5, angle=f.frame.rot, purpose=2)
    return _mul(rgb, k), 1.0


def _wallpaper(f, rgb, c2):
    """Printed stripes of color2 with little four-petal flowers between them; one repeat
    (64 x 32 units) is printed once and tiled across the shape."""
    c2 = np.asarray(c2 if c2 is not None else np.clip(f.color * 1.25 + 0.08, 0, 1), np.float32)
    pu, pv = 64.0, 32.0
    nu = max(8, math.ceil(pu * f.scale * 2))   # the repeat at twice the grid's resolution
    nv = max(4, math.ceil(pv * f.scale * 2))
    u = ((np.arange(nu, dtype=np.float32) + 0.5) * (pu / nu)).reshape(1, nu)
    v = ((np.arange(nv, dtype=np.float32) + 0.5) * (pv / nv)).reshape(nv, 1)
    aa = 1.0 / f.scale  # one pixel, stage units
    su = np.abs(u - pu / 2)
    stripe = np.clip(0.5 - (su - 11.0) / aa, 0.0, 1.0)
    pin = np.clip(0.5 - (np.abs(su - 14.5) - 0.8) / aa, 0.0, 1.0)
    mu, mv = np.where(u > pu / 2, u - pu, u), v - pv / 2
    r = np.sqrt(mu * mu + mv * mv)
    ang = np.arctan2(mv, mu)
    petal = np.clip(0.5 - (r - (3.2 + 2.3 * np.cos(4 * ang))) / aa, 0.0, 1.0) * (1 - stripe)
    dot = np.clip(0.5 - (r - 1.3) / aa, 0.0, 1.0) * (1 - stripe)
    # The print is rgb * alpha + color2 * beta: a chain of paint layers, each a linear mix.
    keep_s, keep_p, keep_q, keep_d = 1 - 0.85 * stripe, 1 - 0.7 * pin, 1 - 0.9 * petal, 1 - 0.4 * dot
    alpha = keep_s * keep_p * keep_q * keep_d
    beta = (((0.85 * stripe) * keep_p + 0.49 * pin) * keep_q + 0.9 * petal) * keep_d
    tile = np.dstack(np.broadcast_arrays(alpha, beta)).astype(np.float32)
    fr = f.frame
    c, s = math.cos(math.radians(fr.rot)), math.sin(math.radians(fr.rot))
    gx0, gy0 = float(f.x[0, 0]) - fr.cx, float(f.y[0, 0]) - fr.cy
    k = 1.0 / f.scale
    m = np.array([[c * k * nu / pu, s * k * nu / pu, (gx0 * c + gy0 * s) * nu / pu - 0.5],
                  [-s * k * nv / pv, c * k * nv / pv, (gy0 * c - gx0 * s) * nv / pv - 0.5]])
    h, w = f.y.shape[0], f.x.shape[1]
    ab = cv2.warpAffine(tile, m, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                        borderMode=cv2.BORDER_WRAP)
    wear = 1.0 + 0.05 * f.noise(25, purpose=1) + 0.03 * f.noise(3, purpose=2)
    rgb *= (ab[..., 0] * wear)[..., None]
    rgb += c2 * (ab[..., 1] * wear)[..., None]
    return rgb, 1.0


def _paper(f, rgb, c2):
    fleck = f.noise(1.2, purpose=3)
    fleck = np.clip(fleck - 0.7, 0, 1) * 1.5 if isinstance(fleck, np.ndarray) else 0.0
    fibre = sum(f.noise(5.0, 1.0, angle=40 + 70 * k, purpose=4 + k) for k in range(2))
    k = 1.0 + 0.05 * f.noise(2.5, purpose=1) + 0.05 * f.noise(22, purpose=2) + 0.04 * fibre
    k = k - 0.3 * fleck
    # A cut edge shows the paper's pale core, then a faint curl shadow just inside it.
    cut = 1.0 - f.depth(1.0)
    curl = 1.0 - f.depth(4.0)
    return _add_white(_mul(rgb, k * (1.0 - 0.1 * curl)), 0.35 * cut), 1.0


def _resin(f, rgb, c2):
    t = f.depth(_bevel(f, 8))
    shade, hi = _lit(f.normal(_bevel(f, 8)), 0.5, 45, 0.5)
    glow = 0.18 * t * _blob(f, 0.0, 0.1, 0.7, 0.7)  # light scattered inside the body
    rgb = _add_white(_mul(rgb, shade * (0.92 + 0.08 * t)), glow * 0.6 + hi)
    return rgb, 0.86 + 0.14 * (1.0 - f.depth(3.0))


def _metal(f, rgb, c2):
    a = f.frame.rot
    brushed = 0.07 * f.noise(50, 0.5, angle=a, purpose=1) + 0.05 * f.noise(90, 2.5, a, 2)
    u, v = f.local()
    band = np.exp(-((u * 0.6 + v + 0.25) / 0.35) ** 2)
    shade, hi = _lit(f.normal(_bevel(f, 4)), 0.8, 60, 0.6)
    grey = rgb.mean(axis=-1, keepdims=True)
    rgb = _mul(rgb * 0.7 + grey * 0.3, shade * (1.0 + brushed))
    return _add_white(rgb, 0.4 * band * (1.0 + 3 * brushed) + hi), 1.0


def _glass(f, rgb, c2):
    shade, hi = _lit(f.normal(_bevel(f, 6)), 0.3, 40, 0.9)
    rim = 1.0 - f.depth(2.5)
    streak = _blob(f, -0.4, -0.4, 0.12, 0.45)
    light = np.clip(hi + 0.7 * streak, 0.0, 1.0)
    rgb = _add_white(_mul(rgb, shade * (1.0 - 0.25 * rim)), light)
    alpha = np.maximum(0.28 + 0.55 * rim, light * 0.95)
    return rgb, alpha


def _glow(f, rgb, c2):
    g = max(f.frame.half_short, 0.5)
    t = np.clip((0.35 * g - f.d) / (1.05 * g), 0.0, 1.0)
    a = t * t * (3.0 - 2.0 * t)
    return _add_white(rgb, 0.35 * a * a), a


def _button(f, rgb, c2):
    """A sewing button: raised rim, dished face, glossy sheen, four thread holes."""
    fr = f.frame
    radius = max(min(fr.half_w, fr.half_h), 0.5)
    u, v = f.local()
    r = np.sqrt(u * u + v * v)
    shade, hi = _lit(f.normal(max(0.5, 0.14 * radius)), 0.9, 30, 0.7)
    # The dish: a step down at 72 % of the radius, lit like a bevel facing the other way.
    px = 1.0 / (f.scale * radius)
    lip = np.clip(0.5 - (np.abs(r - 0.72) - 0.04) / px, 0, 1)
    lit_side = np.clip(-(u + v) / np.maximum(r, 1e-3) * 0.7, -1, 1)
    rgb = _mul(rgb, shade * (1.0 + 0.35 * lip * lit_side) * (1.0 - 0.12 * (r < 0.72)))
    # Holes: big enough to read at a few pixels, dark inside with a lit lower-right wall.
    hr = min(0.17, max(0.11, 0.9 * px))
    off = 0.24
    holes = 0.0
    wall = 0.0
    thread = 0.0
    for hx in (-off, off):
        for hy in (-off, off):
            dh = np.sqrt((u - hx) ** 2 + (v - hy) ** 2)
            holes = np.maximum(holes, np.clip(0.5 - (dh - hr) / px, 0, 1))
            ring = np.clip(0.5 - np.abs(dh - hr * 0.9) / px, 0, 1)
            wall = np.maximum(wall, ring * np.clip(((u - hx) + (v - hy)) / hr, 0, 1))
    for sgn in (1.0, -1.0):  # thread crossing the face between opposite holes, an X
        dl = np.abs(u - sgn * v) / math.sqrt(2)
        along = np.abs(u + sgn * v) / math.sqrt(2)
        thread = np.maximum(thread, np.clip(0.5 - (dl - 0.045) / px, 0, 1)
                            * (along < off * math.sqrt(2) - hr) * f.detail(0.09 * radius))
    dark = rgb * 0.2
    rgb = rgb + _mul(dark - rgb, holes)
    rgb = _add_white(rgb, 0.35 * wall)
    tc = c2 if c2 is not None else thread_color(f.color)
    rgb = rgb + _mul(tc - rgb, 0.8 * thread)
    sheen = 0.45 * np.exp(-(((u + 0.3) / 0.22) ** 2 + ((v + 0.38) / 0.12) ** 2))
    return _add_white(rgb, hi + sheen * (1 - holes)), 1.0


def thread_color(rgb) -> np.ndarray:
    """A thread that shows on `rgb`: a darker shade on light cloth, a pale one on dark cloth."""
    rgb = np.asarray(rgb, np.float32)
    lum = float(rgb @ np.array([0.3, 0.59, 0.11], np.float32))
    if lum > 0.3:
        return rgb * 0.42
    return rgb * 0.4 + np.array([0.86, 0.8, 0.68], np.float32) * 0.6


_SHADERS = {
    "plain": _plain, "felt": _felt, "yarn": _yarn, "vinyl": _vinyl, "clay": _clay,
    "knit": _knit, "wood": _wood, "button": _button, "fabric": _fabric, "wallpaper": _wallpaper,
    "paper": _paper, "resin": _resin, "metal": _metal, "glass": _glass, "glow": _glow,
}

#: Materials that use `color2` themselves (as pattern or thread colour), not as stitch colour.
USES_COLOR2 = frozenset({"wallpaper", "button"})


def shade(material: str, field: NoiseField, rgb: np.ndarray, color2=None):
    """Texture `rgb` ((H, W, 3) float32 straight colour, 0..1) with `material`.

    Returns (rgb, alpha): the textured colour, clipped to 0..1, and an alpha factor (a scalar or
    an (H, W) array) that multiplies the shape's coverage.
    """
    fn = _SHADERS.get(material, _plain)
    out, alpha = fn(field, rgb, None if color2 is None else np.asarray(color2, np.float32))
    return np.clip(out, 0.0, 1.0, out=out if out.dtype == np.float32 else None), alpha

