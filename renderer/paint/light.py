"""Light on a miniature: paintings shaded by the lamps of a set's rig, once per painting and light.

The lighting model, in a few lines:

- Every puppet painting carries a relief: its height rises from the silhouette's edge like a
  sculpted dome, reaching its full height at the part's own thickness (the interior distance of
  its shapes, which is what the signed-distance painter draws their edges with), and its normal
  field follows (`relief`).
- A lamp in front of the puppets (key, fill, practical) multiplies a part's colour by
  ambient + sum of colour x strength x max(0, n . l), normalised so that a face turned to the
  camera under the key keeps the colour it was painted; a part turned away from the key falls
  into shade, and a practical tints the side that faces it. A lamp behind them (rim, moon) adds
  light where the relief turns toward it: a rim on the edges away from the camera (`lit_sprite`).
- The set is lit by pools: each lamp brightens the painting around where it hangs (reach: the
  pool's radius), a practical paints a warm pool on the wall behind it, the moon a patch of its
  window on the floor; where no pool reaches, `ambient` of the painted colour shows (`lit_layer`).

Directions are quantised (`LightKey`), so a part held in a pose, or swinging a little, reuses
the painting it was lit with: lighting is precomputed per painting and light wherever nothing moves.
A part is lit as if turned to the nearest of TURNS steps, every light at once: a limb swinging
through a step is lit afresh once, where quantising each light's own direction lit it afresh
at each light's step (on the benchmark's shot, under a rig of six, 534 lit paintings against
240).

A lamp that moves (`swing`, `wander`) or flickers is held per exposure like everything else: the
set's paintings stay lit with it where it hangs at full strength, and each exposure lays only the
change on the frame, worked out small where its pool reaches (`light_change`); puppets follow a
moving or flickering key, fill or rim, and see a practical where it hangs (`puppet_rig`).
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import NamedTuple

import cv2
import numpy as np

from renderer.model.set import Light

TURNS = 16           # a part is lit as if turned to the nearest of these steps (22.5 degrees)
ANGLES = 64          # a light's direction within a part's plane, in steps of 5.6 degrees
TILT_STEP = 0.125    # the toward-camera component of a direction, in steps of 1/8
LEVEL_STEP = 1 / 16  # a light's colour x strength at a puppet, in steps of 1/16
BEVEL_MIN, BEVEL_MAX = 3.0, 45.0   # stage units: a part's relief reaches full height this far in
RIDGE_SOFTENING = 0.6   # of the bevel radius: the height field's stack-blur radius (~0.25 R sigma)
RIM_GAIN = 1.3       # how bright a rim is at full strength, of full white
FILL_WRAP = 0.7      # of a fill's strength reaching every part of a puppet alike
RIM_POWER = 1        # how tightly a rim hugs the edge (1: a kicker down the side turned to it)
CELL = 160.0         # stage units: a puppet is lit as if at the middle of its cell of the stage


FILL = -1            # the angle of a fill: it wraps a puppet evenly (so turning relights nothing)


class LightKey(NamedTuple):
    """One lamp as a part sees it, quantised: its direction's angle in the part's own axes (of
    ANGLES), its toward-camera component (in TILT_STEPs, negative from behind), and its colour
    times its strength at the puppet (r, g, b in LEVEL_STEPs)."""

    angle: int
    tilt: int
    r: int
    g: int
    b: int


NORMAL_UNIT = 127    # a relief's normals are kept as int8 in these steps: a quarter of float32's
                     # memory (a cast's reliefs outweighed its paintings three times), and within
                     # half a degree, under a level of light


def relief(alpha: np.ndarray, scale: float) -> np.ndarray:
    """The normal field of a painting from its coverage `alpha` (h, w) uint8: (h * w, 3) int8
    unit normals in NORMAL_UNITs (x right, y down, z toward the camera), row by row.

    The height is a dome of radius R over the interior distance d (stage units) of the painted
    silhouette: sqrt(R^2 - (R - d)^2), R the part's thickness clamped to BEVEL_MIN..BEVEL_MAX."""
    inside = (alpha > 127).astype(np.uint8)
    if not inside.any():
        out = np.zeros((alpha.size, 3), np.int8)
        out[:, 2] = NORMAL_UNIT
        return out
    dist = cv2.distanceTransform(np.pad(inside, 1), cv2.DIST_L2, 5)[1:-1, 1:-1] / scale
    r = float(np.clip(dist.max(), BEVEL_MIN, BEVEL_MAX))
    d = np.minimum(dist, r)
    height = np.sqrt(np.maximum(r * r - (r - d) ** 2, 0.0)).astype(np.float32)
    # Rounded over a quarter of its radius: the dome over a distance field has a ridge along
    # the shape's middle line (a crease down a pointed chin, along a head's back), which clay
    # does not. A stack blur costs the same at any width (a Gaussian of 15 px cost 2 ms).
    radius = max(2, round(RIDGE_SOFTENING * r * scale))
    height = cv2.stackBlur(height, (2 * radius + 1, 2 * radius + 1))
    gx = cv2.Sobel(height, cv2.CV_32F, 1, 0, ksize=3) * (scale / 8.0)   # stage units per unit
    gy = cv2.Sobel(height, cv2.CV_32F, 0, 1, ksize=3) * (scale / 8.0)
    norm = NORMAL_UNIT / np.sqrt(gx * gx + gy * gy + 1.0)
    return np.rint(np.stack([-gx * norm, -gy * norm, norm], axis=-1).reshape(-1, 3)) \
        .astype(np.int8)


def light_keys(lights: tuple[Light, ...], levels: tuple[float, ...], centre: tuple[float, float],
               axes: np.ndarray) -> list[tuple[LightKey, ...]]:
    """How each part of a puppet sees the rig: for every slot, a LightKey per light.

    lights, levels: the set's lights and each one's strength multiplier this exposure (flicker);
    centre: the puppet's middle in stage units (taken to the middle of its CELL); axes: (n_slots, 2, 2), each slot's own x and y
    axes in stage units (the linear part of its matrix: rotation, facing and scale)."""
    if not lights:
        return [()] * len(axes)
    # where it stands, to the middle of its cell: walking across a cell reuses its lit paintings
    cx, cy = ((math.floor(c / CELL) + 0.5) * CELL for c in centre)
    v = np.array([[li.at[0] - cx, li.at[1] - cy, li.z] for li in lights])    # (lights, 3)
    dist = np.maximum(np.linalg.norm(v, axis=1), 1.0)
    v /= dist[:, None]
    reach = np.array([li.reach for li in lights])
    power = np.array([li.strength for li in lights]) * np.asarray(levels) \
        / (1.0 + (dist / reach) ** 2)
    rgb = np.rint(np.array([li.color for li in lights]) / 255 * power[:, None] / LEVEL_STEP)
    tilt = np.rint(v[:, 2] / TILT_STEP).astype(int).tolist()
    # the in-plane direction in each slot's own axes, the slot turned to its nearest of TURNS
    # (its x axis's angle) and mirrored where its axes are: (R(turn) diag(1, flip))^-1 v
    a, b, c, d = axes[:, 0, 0], axes[:, 0, 1], axes[:, 1, 0], axes[:, 1, 1]
    turn = np.rint(np.arctan2(c, a) * (TURNS / (2 * math.pi))) * (2 * math.pi / TURNS)
    flip = np.where(a * d - b * c < 0, -1.0, 1.0)[:, None]
    cos, sin = np.cos(turn)[:, None], np.sin(turn)[:, None]
    x, y = v[:, 0], v[:, 1]
    lx = cos * x + sin * y                                               # (slots, lights)
    ly = (cos * y - sin * x) * flip
    angle = np.mod(np.rint(np.arctan2(ly, lx) * (ANGLES / (2 * math.pi))), ANGLES).astype(int)
    for i, li in enumerate(lights):
        if li.kind == "fill":              # a fill wraps the puppet: no direction
            angle[:, i] = FILL
    made: dict[tuple[int, ...], tuple[LightKey, ...]] = {}   # slots turned alike share keys
    rest = [(t, *col) for t, col in zip(tilt, rgb.astype(int).tolist())]
    out = []
    for row in map(tuple, angle.tolist()):
        keys = made.get(row)
        if keys is None:
            keys = made[row] = tuple(LightKey(k, *r) for k, r in zip(row, rest))
        out.append(keys)
    return out


def lit_sprite(rgba: np.ndarray, normals: np.ndarray, keys: tuple[LightKey, ...],
               ambient: float) -> np.ndarray:
    """A premultiplied (h, w, 4) uint8 painting shaded by `keys` (see the module's notes), with
    its relief `normals` ((h * w, 3) int8, `relief`). A new array; the painting is not
    touched. Every light at once: one (pixels x 3) @ (3 x lights) product, then colours."""
    if not keys:
        return rgba
    dirs, colours, front = [], [], []
    wrap = np.zeros(3, np.float32)
    for k in keys:
        if k.angle == FILL:
            wrap += np.array([k.r, k.g, k.b], np.float32) * (LEVEL_STEP * FILL_WRAP)
            continue
        tilt = max(-1.0, min(1.0, k.tilt * TILT_STEP))
        flat = math.sqrt(max(0.0, 1.0 - tilt * tilt))
        theta = 2 * math.pi * k.angle / ANGLES
        dirs.append((flat * math.cos(theta), flat * math.sin(theta), tilt))
        colours.append((k.r * LEVEL_STEP, k.g * LEVEL_STEP, k.b * LEVEL_STEP))
        front.append(tilt > 0)
    dirs_a = np.array(dirs, np.float32).T                       # (3, lights)
    colours_a = np.array(colours, np.float32)                   # (lights, 3)
    is_front = np.array(front)
    lam = normals @ (dirs_a * np.float32(1 / NORMAL_UNIT))      # (pixels, lights)
    np.maximum(lam, 0.0, out=lam)
    gain = lam[:, is_front] @ colours_a[is_front] + (ambient + wrap)
    flat_face = ambient + wrap + np.maximum(dirs_a[2, is_front], 0.0) @ colours_a[is_front]
    luma = float(np.asarray(flat_face) @ np.array([0.299, 0.587, 0.114])) or 1.0
    gain *= np.float32(1.0 / luma)
    h, w = rgba.shape[:2]
    flat_rgba = rgba.reshape(-1, 4)
    out = flat_rgba[:, :3] * gain
    if not is_front.all():                  # behind: a rim where the relief turns toward it
        back = lam[:, ~is_front]
        rim = (back if RIM_POWER == 1 else back ** RIM_POWER) @ (colours_a[~is_front] * (RIM_GAIN * 255))
        out += rim * (flat_rgba[:, 3:4] * np.float32(1 / 255))
    np.minimum(out, flat_rgba[:, 3:4], out=out)               # premultiplied: colour <= alpha
    result = np.empty_like(rgba)
    result[..., :3] = (out + 0.5).astype(np.uint8).reshape(h, w, 3)
    result[..., 3] = rgba[..., 3]
    return result


POOL_GRID = 8   # px: a set's light is worked out on this coarse grid and smoothed up


def light_grid(shape: tuple[int, int], origin: tuple[float, float], scale: float,
               lights: tuple[Light, ...], levels: tuple[float, ...], ambient: float,
               wall: float | None, floor: float) -> np.ndarray:
    """The factor by which the rig lights a set painting of `shape` pixels whose pixel (0, 0)
    sits at stage `origin`, at `scale` px per unit (see the module's notes), worked out on a
    grid of POOL_GRID pixels: (gh, gw, 3) float32, point (i, j) at pixel (j, i) x POOL_GRID.
    `plate_rows` enlarges it to pixels."""
    h, w = shape
    gh, gw = max(2, math.ceil(h / POOL_GRID) + 1), max(2, math.ceil(w / POOL_GRID) + 1)
    xs = origin[0] + (np.arange(gw, dtype=np.float32) * POOL_GRID) / scale
    ys = origin[1] + (np.arange(gh, dtype=np.float32) * POOL_GRID) / scale
    gx, gy = np.meshgrid(xs, ys)
    return _plate_at(gx, gy, lights, levels, ambient, wall, floor)


def plate_rows(grid: np.ndarray, r0: int, r1: int, width: int) -> np.ndarray:
    """Pixel rows r0..r1 (r0 a multiple of POOL_GRID) of a painting's light plate: `grid`
    (`light_grid`) enlarged POOL_GRID times (bilinear), (r1 - r0, width, 3) float32. The
    same numbers as one enlargement of the whole grid, from the grid rows they need: a close-up's
    backdrop is tens of millions of pixels, and its whole plate in float32 was hundreds of MB."""
    gh, gw = grid.shape[:2]
    b0, b1 = max(r0 // POOL_GRID - 1, 0), min(r1 // POOL_GRID + 2, gh)
    rows = cv2.resize(grid[b0:b1], (gw * POOL_GRID, (b1 - b0) * POOL_GRID),
                      interpolation=cv2.INTER_LINEAR)
    return rows[r0 - b0 * POOL_GRID:r1 - b0 * POOL_GRID, :width]


def _plate_at(gx: np.ndarray, gy: np.ndarray, lights: tuple[Light, ...],
              levels: tuple[float, ...], ambient: float, wall: float | None,
              floor: float) -> np.ndarray:
    """`light_grid`'s factor (gh, gw, 3) float32 at the stage points (gx, gy)."""
    plate = np.full(gx.shape + (3,), ambient, np.float32)
    for light, level in zip(lights, levels):
        colour = np.array(light.color, np.float32) / 255 * light.strength * level
        plate += _pool(light, gx, gy, wall, floor)[..., None] * colour
    plate /= _plate_norm(lights, levels, ambient)
    return plate


def _pool(light: Light, gx: np.ndarray, gy: np.ndarray, wall: float | None,
          floor: float) -> np.ndarray:
    """How much of a light's colour falls on the set at the stage points (gx, gy)."""
    d2 = ((gx - light.at[0]) ** 2 + (gy - light.at[1]) ** 2) / (light.reach ** 2)
    if light.kind == "practical":
        return np.exp(-d2 * 1.6) * 1.4              # a warm pool close around the lamp
    if light.kind == "moon" and light.window is not None:
        return 0.35 / (1.0 + d2) + 1.3 * _window_patch(gx, gy, light, wall, floor)
    if light.z > 0:
        return 1.0 / (1.0 + d2)                     # a broad lamp: brightest where it aims
    return 0.25 / (1.0 + d2)                        # a lamp behind spills a little on the set


def _plate_norm(lights: tuple[Light, ...], levels: tuple[float, ...], ambient: float) -> float:
    """The luma of a face turned to the camera under the broad lamps in front: the set's light
    is divided by it, so that such a face keeps its painted colour."""
    norm = np.full(3, ambient, np.float32)
    for light, level in zip(lights, levels):
        if light.z > 0 and light.kind != "practical" and not (light.kind == "moon"
                                                             and light.window is not None):
            norm += np.array(light.color, np.float32) / 255 * light.strength * level
    return float(norm @ np.array([0.299, 0.587, 0.114], np.float32)) or 1.0


POOL_REACH = 1.5   # reaches: a practical's flicker changes its pool by under a level beyond this
CHANGE_GRID = 24   # px: a moving or flickering light's change is worked out on this grid


def light_change(size: tuple[int, int], cam: np.ndarray, rest: tuple[Light, ...],
                 now: tuple[Light, ...], levels: tuple[float, ...], ambient: float,
                 wall: float | None, floor: float) -> list[tuple[int, int, np.ndarray]]:
    """How the rig's moving and flickering lights change a frame of `size` (w, h) px, seen
    through `cam` (stage units to its pixels), from the set as it was lit and painted (`rest`:
    every light where it hangs, at full strength) to this exposure (`now`: each where it is,
    with its `levels`): patches (x0, y0, factor), factor (h', w', 3) uint8 in 1/128ths to lay
    on the frame's box from (x0, y0); none where nothing changes. Worked on a CHANGE_GRID grid
    (a pool is hundreds of pixels across) and smoothed up, only within the reach of the lights
    that change: a patch per practical's pool (pools that overlap share one), the whole frame
    for a broad lamp, whose strength rescales the whole set's light."""
    w, h = size
    changed = [i for i, (a, b, lv) in enumerate(zip(rest, now, levels)) if a != b or lv != 1.0]
    if not changed:
        return []
    if any(rest[i].kind != "practical" for i in changed):
        boxes = [(0, 0, w, h)]
    else:
        boxes = []
        for i in changed:
            box = (w, h, 0, 0)
            for li in (rest[i], now[i]):
                cx, cy = (cam @ [li.at[0], li.at[1], 1.0])[:2]
                r = POOL_REACH * li.reach * cam[0, 0]
                box = (min(box[0], math.floor(cx - r)), min(box[1], math.floor(cy - r)),
                       max(box[2], math.ceil(cx + r)), max(box[3], math.ceil(cy + r)))
            boxes.append((max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])))
        boxes = _merged(boxes)
    patches = (_change_in(b, cam, rest, now, levels, changed, ambient, wall, floor)
               for b in boxes if b[2] > b[0] and b[3] > b[1])
    return [patch for patch in patches if patch is not None]


def _merged(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """`boxes` with those that overlap joined into the box around them (no pixel changed twice)."""
    out: list[tuple[int, int, int, int]] = []
    for box in boxes:
        while True:
            hit = next((o for o in out if box[0] < o[2] and o[0] < box[2] and box[1] < o[3]
                        and o[1] < box[3]), None)
            if hit is None:
                break
            out.remove(hit)
            box = (min(box[0], hit[0]), min(box[1], hit[1]), max(box[2], hit[2]),
                   max(box[3], hit[3]))
        out.append(box)
    return out


def _change_in(box: tuple[int, int, int, int], cam: np.ndarray, rest: tuple[Light, ...],
               now: tuple[Light, ...], levels: tuple[float, ...], changed: list[int],
               ambient: float, wall: float | None, floor: float
               ) -> tuple[int, int, np.ndarray] | None:
    """`light_change`'s patch (x0, y0, factor) within one box of frame pixels: only around the
    grid points whose factor is not 1 (128), since a pixel between four points of 128 is
    enlarged to 128 and left as it was; None when no point changes."""
    x0, y0, x1, y1 = box
    gw, gh = math.ceil((x1 - x0) / CHANGE_GRID) + 1, math.ceil((y1 - y0) / CHANGE_GRID) + 1
    inv = np.linalg.inv(cam)
    cols = x0 + np.arange(gw, dtype=np.float32) * CHANGE_GRID
    rows = y0 + np.arange(gh, dtype=np.float32) * CHANGE_GRID
    gx, gy = np.meshgrid(inv[0, 0] * cols + inv[0, 2], inv[1, 1] * rows + inv[1, 2])
    before = _plate_at(gx, gy, rest, (1.0,) * len(rest), ambient, wall, floor)
    if all(rest[i].kind == "practical" for i in changed):
        # a practical's pool only adds to the set's light (it is not in the normalisation):
        # the change is the changed pools' difference, on the light as it was painted
        luma = _plate_norm(rest, (1.0,) * len(rest), ambient)
        after = before.copy()
        for i in changed:
            colour = np.array(rest[i].color, np.float32) / 255 * rest[i].strength / luma
            grow = _pool(now[i], gx, gy, wall, floor) * levels[i] \
                - _pool(rest[i], gx, gy, wall, floor)
            after += grow[..., None] * colour
    else:
        after = _plate_at(gx, gy, now, levels, ambient, wall, floor)
    factor = np.clip(after / before * 128 + 0.5, 0, 255).astype(np.uint8)
    changed_part = enlarged_change(factor, CHANGE_GRID)
    if changed_part is None:
        return None
    left, top, patch = changed_part
    return x0 + left, y0 + top, patch[:y1 - y0 - top, :x1 - x0 - left]


def enlarged_change(factor: np.ndarray, step: int) -> tuple[int, int, np.ndarray] | None:
    """The grid `factor` (gh, gw, 3) uint8, 128 = no change, enlarged `step` times (bilinear,
    as one `cv2.resize` of the whole grid) where that is not 128: (left, top, pixels), or None
    if every point is 128. A pixel between four points of 128 is enlarged to 128 (a flickering
    candle's pool reaches three quarters of the box around it by a level or more)."""
    moved = (factor != 128).any(axis=2)
    rows, cols = np.flatnonzero(moved.any(axis=1)), np.flatnonzero(moved.any(axis=0))
    if rows.size == 0:
        return None
    # The changed points and a ring of unchanged ones, enlarged alone, have the whole grid's
    # numbers: inside the ring both interpolate the same points, across it only 128s.
    gh, gw = factor.shape[:2]
    i0, i1 = max(rows[0] - 1, 0), min(rows[-1] + 2, gh)
    j0, j1 = max(cols[0] - 1, 0), min(cols[-1] + 2, gw)
    patch = cv2.resize(factor[i0:i1, j0:j1], ((j1 - j0) * step, (i1 - i0) * step),
                       interpolation=cv2.INTER_LINEAR)
    return j0 * step, i0 * step, patch


def placed(lights: tuple[Light, ...], places: tuple[tuple[float, float], ...]
           ) -> tuple[Light, ...]:
    """The rig as it stands this exposure: each light moved to its place in `places` (stage
    units; empty: every light where it hangs)."""
    if not places:
        return lights
    return tuple(li if li.at == p else replace(li, at=p) for li, p in zip(lights, places))


def puppet_rig(lights: tuple[Light, ...], now: tuple[Light, ...], levels: tuple[float, ...]
               ) -> tuple[tuple[Light, ...], tuple[float, ...]]:
    """The rig (lights and their levels) that shades the puppets this exposure: a key, fill,
    rim or moon where it is now and as bright as it is now (a swinging lamp turns the light on
    every part); a practical where it hangs at its full strength. A practical (a candle) is a
    level step or two on a puppet and shows its flicker in its pool on the set: followed on
    the puppets too it made five times the lit paintings (and the time) for a wobble of a
    level on felt that boils anyway."""
    if not levels:
        levels = (1.0,) * len(lights)
    rig = tuple(rest if rest.kind == "practical" else li for rest, li in zip(lights, now))
    return rig, tuple(1.0 if li.kind == "practical" else lv for li, lv in zip(lights, levels))


def _window_patch(gx: np.ndarray, gy: np.ndarray, light: Light, wall: float | None,
                  floor: float) -> np.ndarray:
    """Moonlight through `light.window` as it lies on the floor: the window's shape, squashed
    onto the floor in front of the wall and slanted away from the moon, with its cross of
    glazing bars, softened by the light's softness. 0..1 on the grid (gx, gy), stage units."""
    x0, y0, x1, y1 = light.window
    top = wall if wall is not None else y1 + 40.0
    depth = max(60.0, (y1 - y0) * 0.45)
    v = (gy - top) / depth                           # 0 at the wall .. 1 at the patch's front
    slant = (0.5 * (x0 + x1) - light.at[0]) * 0.5    # leans away from the moon
    u = (gx - x0 - slant * v) / (x1 - x0)
    soft = 0.04 + 0.25 * light.softness
    inside = _step(u, soft) * _step(1 - u, soft) * _step(v, soft) * _step(1 - v, soft)
    bars = 1.0 - 0.8 * np.exp(-((u - 0.5) / 0.04) ** 2) - 0.8 * np.exp(-((v - 0.5) / 0.06) ** 2)
    return inside * np.clip(bars, 0.0, 1.0) * (gy < floor + 120)


def _step(x: np.ndarray, soft: float) -> np.ndarray:
    return np.clip(x / soft + 0.5, 0.0, 1.0)


LIT_BAND = 64   # rows, a multiple of POOL_GRID: a set painting is lit this many at a time


def lit_layer(rgba: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """A premultiplied (h, w, 4) set painting multiplied by its light plate (`light_grid`,
    `plate_rows`), a new array. Worked in bands of LIT_BAND rows: a backdrop is millions of
    pixels, and one float copy of it whole costs more in fresh memory than the arithmetic."""
    out = np.empty_like(rgba)
    blended = bool((rgba[..., 3] < 255).any())
    lit = np.empty((min(LIT_BAND, rgba.shape[0]),) + rgba.shape[1:2] + (3,), np.float32)
    for r0 in range(0, rgba.shape[0], LIT_BAND):
        band = rgba[r0:r0 + LIT_BAND]
        f = lit[:len(band)]
        np.multiply(band[..., :3], plate_rows(grid, r0, r0 + len(band), rgba.shape[1]), out=f,
                    dtype=np.float32)
        if blended:
            np.minimum(f, band[..., 3:4], out=f)
        np.add(f, 0.5, out=f)
        np.clip(f, 0, 255, out=f)
        out[r0:r0 + LIT_BAND, :, :3] = f
    out[..., 3] = rgba[..., 3]
    return out
