"""Sprites painted once per (puppet, attachment, scale) and set layers once per (set, layer,
scale): an exposure only transforms and blits them.

Paint scales are quantised to steps of √2 so a slow zoom reuses a handful of paintings; the blit's
bilinear filter covers the rest, enlarging a painting by at most ENLARGE (felt and grain textures
hide that much softening) and otherwise shrinking it.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

import cv2
import numpy as np

from renderer import jitter
from renderer.model.art import ImageArt, Prim
from renderer.model.puppet import PuppetDef
from renderer.model.set import Layer, SetDef
from renderer.paint import light
from renderer.paint.paintcache import PaintStore
from renderer.paint.grade import Grade
from renderer.paint.prims import Sprite, paint, paint_layer
from renderer.paint.sdf import bounds
from renderer.settings import MAX_PAINT_FRAMES, PAINT_WORK_FRAMES

DOF_SIGMA = 3.0   # stage units of blur per unit of |1 - 1/depth| (focus on the puppet plane)


ENLARGE = 1.2   # a painting may be shown up to 20 % larger than painted before a finer one is made


def paint_scale(px_per_unit: float) -> float:
    """The √2 step that covers the scale needed, allowing a slight enlargement, so a gentle push-in
    (zoom 1.0 -> 1.2) reuses one painting instead of painting everything twice."""
    need = max(px_per_unit, 1e-3) / ENLARGE
    return 2.0 ** (math.ceil(math.log2(need) * 2 - 1e-9) / 2)


def bounded_scale(scale: float, covered: tuple[float, float], frame_pixels: int) -> float:
    """`scale`, or the largest √2 step below it at which a painting fits its budget: its window
    (`covered[0]` square stage units) within MAX_PAINT_FRAMES frames of `frame_pixels`, and its
    shapes' boxes (`covered[1]`) within PAINT_WORK_FRAMES frames."""
    window, work = covered
    room = min(MAX_PAINT_FRAMES * frame_pixels / max(window, 1e-9),
               PAINT_WORK_FRAMES * frame_pixels / max(work, 1e-9))
    if scale * scale <= room:
        return scale
    return 2.0 ** (math.floor(math.log2(room) - 1e-9) / 2)


def covered(shapes: tuple[Prim, ...], extent: tuple[float, float, float, float] | None = None
            ) -> tuple[float, float]:
    """(window, work) in square stage units: the box around `shapes` (the whole `extent` for an
    opaque layer, which is given it) and the sum of the shapes' own boxes."""
    boxes = [b for b in map(bounds, shapes) if b is not None]
    work = sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in boxes)
    if extent is not None:
        x0, y0, x1, y1 = extent
        return (x1 - x0) * (y1 - y0), work + (x1 - x0) * (y1 - y0)
    if not boxes:
        return 0.0, 0.0
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    return (x1 - x0) * (y1 - y0), work


def attachment_sprite(puppet: PuppetDef, attachment: str, scale: float,
                      grade: Grade | None = None, variant: int = 0,
                      store: PaintStore | None = None) -> Sprite:
    """A puppet's attachment painted at `scale` px per stage unit, in `grade`'s colours if given.
    `variant`: which hand-redrawn variant of a drawing with `redraw` (0 = as drawn). `store`: the
    paint cache on disk to read it from and keep it in (None: painted, not kept)."""
    art = puppet.attachments[attachment]
    if isinstance(art, ImageArt):
        variant = variant % art.redraw
        seed = jitter.key_int(0, puppet.name, attachment, "redraw", variant)

        def drawn() -> tuple[np.ndarray, tuple[float, ...]]:
            sprite = image_sprite(art, scale, variant, seed)
            return sprite.rgba, sprite.origin

        rgba, origin = _kept(store, ("image", art.spec(), scale, variant, seed), grade, drawn)
        return Sprite(rgba, (origin[0], origin[1]), scale)
    seed = jitter.key_int(0, puppet.name, attachment)

    def painted() -> tuple[np.ndarray, tuple[float, ...]]:
        sprite = paint(art, scale, seed)
        return sprite.rgba, sprite.origin

    rgba, origin = _kept(store, ("sprite", art, scale, seed), grade, painted)
    return Sprite(rgba, (origin[0], origin[1]), scale)


GRADE_CODE = ("paint/grade.py",)   # the code that grades a painting (`Grade.paint`)


def _kept(store: PaintStore | None, parts: tuple, grade: Grade | None,
          painted: Callable[[], tuple[np.ndarray, tuple[float, ...]]]
          ) -> tuple[np.ndarray, tuple[float, ...]]:
    """(rgba, numbers) of the painting keyed by `parts` in `grade`'s colours, from the paint
    cache where it can be: the ungraded painting (one serves every world), made by `painted` on
    a miss, and the graded one, so a render in a world seen before reads its paintings ready to
    use. Grading a backdrop takes ~30 ms, and a render's first frame waits for it. Without a
    store it is painted and graded here, and kept by no one but the caller. The numbers are
    plain floats either way, as they are read back: a numpy float64 origin made the arithmetic
    after it float64 where a float keeps float32 arrays float32, and a painting fresh from the
    brush composed a level apart from the same painting read back."""
    if store is None:
        kept = _plain(painted())
        return kept if grade is None else (grade.paint(kept[0]), kept[1])
    digest = store.key(*parts)
    graded_digest = None if grade is None else store.key("graded", digest, grade,
                                                         code=GRADE_CODE)
    if graded_digest is not None and (hit := store.load(graded_digest)) is not None:
        return hit
    kept = store.load(digest)
    if kept is None:
        kept = _plain(painted())
        store.keep(digest, *kept)
    if graded_digest is None:
        return kept
    graded = (grade.paint(kept[0]), kept[1])
    store.keep(graded_digest, *graded)
    return graded


def _plain(kept: tuple[np.ndarray, tuple[float, ...]]) -> tuple[np.ndarray, tuple[float, ...]]:
    return kept[0], tuple(float(x) for x in kept[1])


REDRAW_WOBBLE = 1.6   # stage units: how far a redrawn variant's outline strays from the drawing
REDRAW_CELL = 28.0    # stage units: the length over which a redrawn outline wanders one way


def image_sprite(art: ImageArt, scale: float, variant: int = 0, seed: int = 0) -> Sprite:
    """A drawing placed on its bone (at, rot, scale, flip, pivot) and painted at `scale` px per
    stage unit, cropped to its pixels; variant k > 0 of a drawing with `redraw` is traced anew:
    its outline and strokes displaced by a smooth field up to REDRAW_WOBBLE units. It is painted
    at most at the image's own resolution: enlarging it is the blit's work (a 1600 px part at
    scale 20 made a 10,000 px painting)."""
    placement = art.placement()                  # image pixels to bone-local stage units
    # stage units an image pixel spans along the picture's shorter-reaching axis: at most one
    # painted pixel per image pixel there, so no axis loses the drawing's own detail
    units_per_px = max(min(np.hypot(*placement[:2, 0]), np.hypot(*placement[:2, 1])), 1e-9)
    scale = min(scale, 1.0 / units_per_px)
    m = np.diag([scale, scale, 1.0]) @ placement   # image pixels to sprite pixels (uncropped)
    h, w = art.rgba.shape[:2]
    src = art.rgba
    lin = m[:2, :2]
    fx, fy = np.hypot(lin[0, 0], lin[1, 0]), np.hypot(lin[0, 1], lin[1, 1])
    if fx < 1 or fy < 1:   # shrink with area averaging first: a bilinear warp would alias
        size = (max(1, round(w * min(fx, 1.0))), max(1, round(h * min(fy, 1.0))))
        src = cv2.resize(src, size, interpolation=cv2.INTER_AREA)
        m = m @ np.diag([w / size[0], h / size[1], 1.0])
        h, w = src.shape[:2]
    corners = m @ np.array([[0, w, 0, w], [0, 0, h, h], [1, 1, 1, 1]], float)
    pad = 2 + (math.ceil(REDRAW_WOBBLE * scale) if variant else 0)
    x0, y0 = np.floor(corners[0].min()) - pad, np.floor(corners[1].min()) - pad
    x1, y1 = np.ceil(corners[0].max()) + pad, np.ceil(corners[1].max()) + pad
    place = m.copy()
    place[:2, 2] -= (x0, y0)
    size = (max(1, int(x1 - x0)), max(1, int(y1 - y0)))
    rgba = cv2.warpAffine(src, place[:2], size, flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
    if variant:
        rgba = _redrawn(rgba, scale, seed)
    origin = (-x0, -y0)
    painted = rgba[..., 3] > 0
    rows, cols = np.flatnonzero(painted.any(axis=1)), np.flatnonzero(painted.any(axis=0))
    if len(rows) == 0:
        return Sprite(np.zeros((1, 1, 4), np.uint8), origin, scale)
    rgba = rgba[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    return Sprite(np.ascontiguousarray(rgba), (origin[0] - cols[0], origin[1] - rows[0]), scale)


def _redrawn(rgba: np.ndarray, scale: float, seed: int) -> np.ndarray:
    """`rgba` displaced by a smooth random field: the same drawing traced again by hand."""
    h, w = rgba.shape[:2]
    cell = max(REDRAW_CELL * scale, 2.0)
    gh, gw = int(h / cell) + 3, int(w / cell) + 3
    rng = jitter.stream(seed, "redraw")
    field = rng.uniform(-1, 1, (2, gh, gw)).astype(np.float32) * REDRAW_WOBBLE * scale
    dx = cv2.resize(field[0], (w, h), interpolation=cv2.INTER_CUBIC)
    dy = cv2.resize(field[1], (w, h), interpolation=cv2.INTER_CUBIC)
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(rgba, gx + dx, gy + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                     borderValue=(0, 0, 0, 0))


@dataclass(eq=False)   # identity hash: a key for its shards and solid rectangle; never mutated
class LayerSprite:
    """A painted set layer, cropped to what it covers. origin: stage position of pixel (0, 0)."""

    rgba: np.ndarray
    origin: tuple[float, float]
    scale: float
    opaque: bool

    @cached_property
    def rgb(self) -> np.ndarray:
        """The colour planes alone (premultiplied = straight where opaque), C-contiguous."""
        return cv2.cvtColor(self.rgba, cv2.COLOR_RGBA2RGB)


def layer_sprite(set_def: SetDef, index: int, scale: float, dof: float,
                 grade: Grade | None = None,
                 clip: tuple[float, float, float, float] | None = None,
                 store: PaintStore | None = None) -> LayerSprite:
    """A set layer painted at `scale` with depth of field `dof`, in `grade`'s colours if given;
    with `clip` (stage units x0, y0, x1, y1), only that part of it (a layer too large to paint
    whole at this scale, seen up close). `store`: the paint cache on disk, as for sprites."""
    parts, painted = _layer_painting(set_def, index, scale, dof, clip)
    rgba, (ox, oy, opaque) = _kept(store, parts, grade, painted)
    return LayerSprite(rgba, (ox, oy), scale, bool(opaque))


LIGHT_CODE = ("paint/light.py",)   # the code that lights a painting (`light.lit_layer`)


def lit_layer_sprite(set_def: SetDef, index: int, scale: float, dof: float,
                     grade: Grade | None, clip: tuple[float, float, float, float] | None,
                     levels: tuple[float, ...], store: PaintStore | None = None) -> LayerSprite:
    """`layer_sprite` lit by the set's rig with each light's strength times `levels`
    (`light.light_grid`, `light.lit_layer`), from the paint cache `store` where it can be: the
    lit painting is the one a render draws, so a set seen before is read ready to use instead of
    read, then lit (lighting a backdrop costs more than reading it, and the first frame waits)."""
    lit_digest = None
    if store is not None:
        parts, _ = _layer_painting(set_def, index, scale, dof, clip)
        lit_digest = store.key("lit", store.key(*parts), grade, set_def.lights, levels,
                               set_def.ambient, set_def.wall, set_def.floor_y,
                               code=LIGHT_CODE + GRADE_CODE)
        if (hit := store.load(lit_digest)) is not None:
            rgba, (ox, oy, opaque) = hit
            return LayerSprite(rgba, (ox, oy), scale, bool(opaque))
    sprite = layer_sprite(set_def, index, scale, dof, grade, clip, store)
    grid = light.light_grid(sprite.rgba.shape[:2], sprite.origin, sprite.scale,
                            set_def.lights, levels, set_def.ambient, set_def.wall,
                            set_def.floor_y)
    rgba = light.lit_layer(sprite.rgba, grid)
    if lit_digest is not None:
        store.keep(lit_digest, rgba, (*sprite.origin, float(sprite.opaque)))
    return LayerSprite(rgba, sprite.origin, scale, sprite.opaque)


def _layer_painting(set_def: SetDef, index: int, scale: float, dof: float,
                    clip: tuple[float, float, float, float] | None
                    ) -> tuple[tuple, Callable[[], tuple[np.ndarray, tuple[float, ...]]]]:
    """The paint cache's key parts of a layer's ungraded painting, and how to paint it."""
    layer: Layer = set_def.layers[index]
    seed = jitter.key_int(0, set_def.name, layer.name)

    def painted() -> tuple[np.ndarray, tuple[float, ...]]:
        sprite = _paint_layer(layer, scale, dof, seed, clip)
        return sprite.rgba, (*sprite.origin, float(sprite.opaque))

    parts = (layer, scale, dof, seed, DOF_SIGMA) + ((clip,) if clip is not None else ())
    return ("layer", *parts), painted


def _paint_layer(layer: Layer, scale: float, dof: float, seed: int,
                 clip: tuple[float, float, float, float] | None = None) -> LayerSprite:
    x0, y0, x1, y1 = layer.extent
    shapes = [_shifted(p, -x0, -y0) for p in layer.shapes]
    sigma = DOF_SIGMA * dof * abs(1.0 - 1.0 / layer.depth) * scale
    blur = sigma > 0.3  # depth of field: out-of-focus layers are painted soft once, not per frame
    margin = _blur_margin(sigma) if blur else 0
    window = None if clip is None else (
        math.floor((clip[0] - x0) * scale) - margin, math.floor((clip[1] - y0) * scale) - margin,
        math.ceil((clip[2] - x0) * scale) + margin, math.ceil((clip[3] - y0) * scale) + margin)
    rgba, (j0, i0) = paint_layer(shapes, (x1 - x0, y1 - y0), scale, seed, layer.background,
                                 margin=margin, clip=window)
    if blur and rgba.size:
        blur_rows(rgba, sigma)
    x0, y0 = x0 + j0 / scale, y0 + i0 / scale
    opaque = layer.background is not None
    if not opaque:  # crop to the painted pixels so the blit only touches what the layer covers
        painted = rgba[..., 3] > 0
        rows, cols = np.flatnonzero(painted.any(axis=1)), np.flatnonzero(painted.any(axis=0))
        if len(rows) == 0:
            return LayerSprite(np.zeros((1, 1, 4), np.uint8), (x0, y0), scale, False)
        rgba = rgba[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
        x0, y0 = x0 + cols[0] / scale, y0 + rows[0] / scale
    return LayerSprite(np.ascontiguousarray(rgba), (x0, y0), scale, opaque)


BLUR_BAND = 256   # rows of a painting blurred at a time (`blur_rows`)


def blur_rows(image: np.ndarray, sigma: float) -> None:
    """Gaussian-blur `image` in place a band of rows at a time, each from the rows around it:
    the same pixels as one blur of the whole (OpenCV's blur in place copies its whole source
    first, 57 MB for a close-up's backdrop). A band is written back once the next one has read
    the rows it shares with it."""
    reach = math.ceil(4.0 * sigma) + 2     # beyond OpenCV's kernel radius (3 sigma for uint8)
    band = max(BLUR_BAND, reach)           # a band's rows are read by the next band only
    h = image.shape[0]
    pending: tuple[int, np.ndarray] | None = None
    for r0 in range(0, h, band):
        r1 = min(h, r0 + band)
        w0, w1 = max(0, r0 - reach), min(h, r1 + reach)
        blurred = cv2.GaussianBlur(image[w0:w1], (0, 0), sigma)[r0 - w0:r1 - w0]
        if pending is not None:
            image[pending[0]:pending[0] + len(pending[1])] = pending[1]
        pending = (r0, blurred)
    if pending is not None:
        image[pending[0]:pending[0] + len(pending[1])] = pending[1]


def _blur_margin(sigma: float) -> int:
    """Transparent pixels to paint around a layer's shapes so that blurring the window gives
    what blurring the whole canvas would: the blur spreads paint up to its radius (3 sigma for
    uint8 in OpenCV, 4 here to be safe), and the window's edge mirrors another radius back in."""
    return 2 * math.ceil(4.0 * sigma) + 2


def _shifted(p: Prim, dx: float, dy: float) -> Prim:
    """The primitive moved by (dx, dy) stage units: layer shapes are drawn on a canvas whose
    origin is the layer's top-left corner, not the stage's."""
    return replace(p, at=(p.at[0] + dx, p.at[1] + dy),
                   points=tuple((x + dx, y + dy) for x, y in p.points))


def shadow_sprite(width: float, height: float, scale: float, grade: Grade | None = None) -> Sprite:
    """A soft dark contact shadow: an ellipse blurred as a real one under studio light is."""
    pad = 0.6
    w, h = max(2, round(width * scale * (1 + 2 * pad))), max(2, round(height * scale * (1 + 4 * pad)))
    w, h = w | 1, h | 1  # odd: the ellipse's centre pixel is the sprite's centre, so it mirrors
    alpha = np.zeros((h, w), np.uint8)
    cv2.ellipse(alpha, (w // 2, h // 2), (max(1, round(width * scale / 2)),
                max(1, round(height * scale / 2))), 0, 0, 360, 150, -1, cv2.LINE_AA)
    alpha = cv2.GaussianBlur(alpha, (0, 0), max(0.6, height * scale * 0.35))
    rgba = np.zeros((h, w, 4), np.uint8)
    rgba[..., 3] = alpha
    rgba[..., 0] = (alpha.astype(np.uint16) * 18 // 255).astype(np.uint8)  # faintly warm dark
    rgba[..., 1] = (alpha.astype(np.uint16) * 12 // 255).astype(np.uint8)
    rgba[..., 2] = (alpha.astype(np.uint16) * 10 // 255).astype(np.uint8)
    return Sprite(rgba if grade is None else grade.paint(rgba), (w / 2, h / 2), scale)
