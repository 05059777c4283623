"""Cast shadows: every puppet and prop throws its silhouette from the set's key light onto the
floor and, where it reaches, the wall behind, softened with distance.

The stage is a side-on miniature: the floor recedes from the puppet plane toward the wall, and a
unit of depth on the floor shows FLOOR_SLOPE units higher on screen. The key hangs at (x, y) with
z units toward the camera. A point of the silhouette at (x, y) on the puppet plane, standing on a
floor at F (the puppet's `at` y), throws its shadow along the ray from the light:

- on the floor, a homography of (x, y) that keeps the feet where they are and stretches the rest
  back and away from the light;
- on the wall (at stage y `wall`, D = (F - wall) / FLOOR_SLOPE units behind), an enlargement
  about the light by (z + D) / z, raised by how far back the wall is.

Silhouettes are drawn small (SHADOW_SCALE), projected and blurred there: soft shadows need no
detail, and the frame is only darkened where one falls.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from renderer.model.set import Light, SetDef
from renderer.stage.pose import ActorPose

FLOOR_SLOPE = 0.5      # screen units per unit of depth: how the floor recedes
SHADOW_SCALE = 0.15   # px per stage unit at most for the shadow's working picture
SMALL = 5.0            # working pixels: parts smaller than this leave the silhouette alone
MAX_REACH = 600.0      # stage units of depth a floor shadow is followed before it fades out
STRENGTH = 0.55        # darkening at a shadow's core under a key of strength 1, 0..1


def floor_homography(light: Light, floor: float) -> np.ndarray:
    """Stage points on the puppet plane above a floor at stage y `floor` to where their shadow
    falls on that floor (3x3, stage units to stage units as seen by the camera)."""
    lx, ly = light.at
    k = FLOOR_SLOPE * light.z
    return np.array([[floor - ly, lx, -lx * floor],
                     [0.0, floor + k, -floor * (ly + k)],
                     [0.0, 1.0, -ly]])


def wall_affine(light: Light, floor: float, wall: float) -> np.ndarray:
    """Stage points on the puppet plane to their shadow on the wall behind (3x3)."""
    lx, ly = light.at
    depth = max(0.0, floor - wall) / FLOOR_SLOPE
    s = 1.0 + depth / light.z
    return np.array([[s, 0.0, lx * (1 - s)],
                     [0.0, s, ly * (1 - s) - (floor - wall)],
                     [0.0, 0.0, 1.0]])


def shadow_mask(silhouette: np.ndarray, cam: np.ndarray, light: Light, floor: float,
                wall: float | None) -> np.ndarray:
    """The shadow, 0..1 float32 like `silhouette`, of a silhouette (h, w) float32 0..1 drawn
    through `cam` (stage units to its pixels) on a puppet plane standing on stage y `floor`.
    Only the boxes the shadow can reach are warped and blurred."""
    h, w = silhouette.shape
    out = np.zeros_like(silhouette)
    box = _nonzero_box(silhouette)
    if box is None or light.at[1] >= floor - 1:     # a lamp on the floor throws nothing on it
        return out
    px = cam[0, 0]                                  # its pixels per stage unit
    inv = np.linalg.inv(cam)
    floor_px = float((cam @ [0.0, floor, 1.0])[1])
    light_px = float((cam @ [0.0, light.at[1], 1.0])[1])
    soft = 0.3 + light.softness
    top_px = max(0.0, floor_px - MAX_REACH * FLOOR_SLOPE * px)
    wall_px = None if wall is None else float((cam @ [0.0, wall, 1.0])[1])
    if wall_px is not None:
        top_px = max(top_px, wall_px)
    x0, y0, x1, y1 = box
    if floor_px > top_px:
        hf = cam @ floor_homography(light, floor) @ inv
        sigma_near, sigma_far = max(0.5, soft * 4 * px), max(0.5, soft * 14 * px)
        src = (x0, max(y0, light_px + 1.0), x1, y1)
        roi = _mapped_box(hf, src, 3 * sigma_far, (w, h), (top_px, floor_px + 3 * sigma_near))
        if roi is not None:
            c0, r0, c1, r1 = roi
            size = (c1 - c0, r1 - r0)
            near = cv2.warpPerspective(silhouette, _shift(c0, r0) @ hf, size,
                                       flags=cv2.INTER_LINEAR)
            far = cv2.GaussianBlur(near, (0, 0), sigma_far)
            near = cv2.GaussianBlur(near, (0, 0), sigma_near)
            rows = np.arange(r0, r1, dtype=np.float32)[:, None]
            t = np.clip((floor_px - rows) / max(1.0, floor_px - top_px), 0.0, 1.0)
            band = (near * (1 - t) + far * t) * (1.0 - 0.5 * t)   # fainter as it stretches
            band[rows[:, 0] < top_px] = 0
            out[r0:r1, c0:c1] = band
    if wall_px is not None and wall_px > 0 and light.z > 0:
        depth = max(0.0, floor - wall) / FLOOR_SLOPE
        hw = cam @ wall_affine(light, floor, wall) @ inv
        sigma = max(0.5, soft * (6 + 0.05 * depth) * px)
        roi = _mapped_box(hw, box, 3 * sigma, (w, h), (0.0, wall_px))
        if roi is not None:
            c0, r0, c1, r1 = roi
            on_wall = cv2.warpAffine(silhouette, (_shift(c0, r0) @ hw)[:2], (c1 - c0, r1 - r0),
                                     flags=cv2.INTER_LINEAR)
            on_wall = cv2.GaussianBlur(on_wall, (0, 0), sigma)
            cut = max(0, min(r1, math.ceil(wall_px)) - r0)
            np.maximum(out[r0:r0 + cut, c0:c1], on_wall[:cut],
                       out=out[r0:r0 + cut, c0:c1])
    return out


def _shift(x0: float, y0: float) -> np.ndarray:
    return np.array([[1.0, 0.0, -x0], [0.0, 1.0, -y0], [0.0, 0.0, 1.0]])


def _nonzero_box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    rows = np.flatnonzero(mask.any(axis=1))
    if len(rows) == 0:
        return None
    cols = np.flatnonzero(mask[rows[0]:rows[-1] + 1].any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def _mapped_box(m: np.ndarray, box: tuple, grow: float, size: tuple[int, int],
                rows: tuple[float, float]) -> tuple[int, int, int, int] | None:
    """The pixels (x0, y0, x1, y1) that `box` reaches through the homography `m`, grown by
    `grow` px, within the rows `rows` and a frame of `size` (w, h); None if empty."""
    x0, y0, x1, y1 = box
    if y1 <= y0:
        return None
    pts = np.array([[x0, x1, x0, x1], [y0, y0, y1, y1], [1, 1, 1, 1]], float)
    q = m @ pts
    if (q[2] <= 1e-9).any():
        return None
    xs, ys = q[0] / q[2], q[1] / q[2]
    c0 = max(0, math.floor(xs.min() - grow))
    c1 = min(size[0], math.ceil(xs.max() + grow) + 1)
    r0 = max(0, math.floor(max(rows[0], ys.min() - grow)))
    r1 = min(size[1], math.ceil(min(rows[1], ys.max() + grow)) + 1)
    if c1 <= c0 or r1 <= r0:
        return None
    return c0, r0, c1, r1


def silhouette(actor: ActorPose, sprites: list, cam: np.ndarray, size: tuple[int, int],
               opacity: float = 1.0, out: np.ndarray | None = None) -> np.ndarray:
    """`actor`'s coverage (h, w) float32 0..1 as `cam` (stage units to pixels of `size` (w, h))
    sees it: `sprites` are its (painting, slot index) pairs. Drawn into `out` when given.
    The parts' greatest coverage is gathered in uint8 (as the warps give it) and turned into a
    fraction once, in the box the parts reach: the same numbers, a float pass per actor instead
    of one per part."""
    w, h = size
    if out is None:
        out = np.zeros((h, w), np.float32)
    cover = np.zeros((h, w), np.uint8)
    bx0, by0, bx1, by1 = w, h, 0, 0
    on_screen = (cam @ actor.slot_matrices)[:, :2].tolist()
    for sprite, slot in sprites:
        k, (ox, oy) = 1 / sprite.scale, sprite.origin
        (a, b, tx), (c, d, ty) = on_screen[slot]
        a, b, c, d = a * k, b * k, c * k, d * k          # sprite pixels to working pixels
        tx, ty = tx - a * ox - b * oy, ty - c * ox - d * oy
        sh_, sw_ = sprite.rgba.shape[:2]
        if max(abs(a) + abs(b), abs(c) + abs(d)) * max(sw_, sh_) < SMALL:
            continue                     # an eye or a button: nothing a soft shadow shows
        xs = (tx, tx + a * sw_, tx + b * sh_, tx + a * sw_ + b * sh_)
        ys = (ty, ty + c * sw_, ty + d * sh_, ty + c * sw_ + d * sh_)
        x0, y0 = max(0, math.floor(min(xs)) - 1), max(0, math.floor(min(ys)) - 1)
        x1, y1 = min(w, math.ceil(max(xs)) + 2), min(h, math.ceil(max(ys)) + 2)
        if x1 <= x0 or y1 <= y0:
            continue
        alpha = cv2.warpAffine(sprite.rgba[..., 3], np.array([[a, b, tx - x0], [c, d, ty - y0]]),
                               (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR)
        roi = cover[y0:y1, x0:x1]
        np.maximum(roi, alpha, out=roi)
        bx0, by0, bx1, by1 = min(bx0, x0), min(by0, y0), max(bx1, x1), max(by1, y1)
    if bx1 > bx0 and by1 > by0:
        roi = out[by0:by1, bx0:bx1]
        np.maximum(roi, cover[by0:by1, bx0:bx1] * (opacity / 255), out=roi)
    return out


def cast_shadows(frame: np.ndarray, set_def: SetDef, actors: list, cam_m: np.ndarray,
                 strength: float = 1.0, report: bool = False
                 ) -> tuple[int, int, np.ndarray] | None:
    """Darken `frame` (H, W, 3) uint8 in place by the shadows of `actors`, a list of
    (ActorPose, its (painting, slot) pairs) drawn through `cam_m` (stage units to frame pixels),
    from `set_def`'s key light; `strength` multiplies the key's (flicker). Returns the darkening
    (H, W) float32 0..1 it applied, or None when the set has no key."""
    light = set_def.key
    if light is None or not actors:
        return None
    fh, fw = frame.shape[:2]
    q = min(1.0, SHADOW_SCALE / cam_m[0, 0])        # working pixels per frame pixel
    sw, sh = max(8, round(fw * q)), max(8, round(fh * q))
    small = np.array([[sw / fw, 0, 0], [0, sh / fh, 0], [0, 0, 1]]) @ cam_m
    total = np.zeros((sh, sw), np.float32)
    groups: dict[float, np.ndarray] = {}          # puppets standing on one floor: one shadow
    for actor, sprites in actors:
        if not sprites:
            continue
        floor = round(actor.y if actor.grounded else set_def.floor_y, 1)
        if floor not in groups:
            groups[floor] = np.zeros((sh, sw), np.float32)
        silhouette(actor, sprites, small, (sw, sh), actor.opacity, out=groups[floor])
    for floor, sil in groups.items():
        mask = shadow_mask(sil, small, light, floor, set_def.wall)
        np.maximum(total, mask, out=total)        # overlapping shadows do not double
    box = _nonzero_box(total > 3 / 255)   # under a level of darkening: left alone
    if box is None:
        return None
    # the darkening, worked out small as a uint8 factor and laid on the frame's matching box
    x0, y0, x1, y1 = box
    x0, y0, x1, y1 = max(0, x0 - 1), max(0, y0 - 1), min(sw, x1 + 1), min(sh, y1 + 1)
    amount = STRENGTH * min(1.5, light.strength * strength)
    small_dark = total[y0:y1, x0:x1]
    keep = (255.0 - small_dark * (255.0 * amount) + 0.5).astype(np.uint8)
    fx0, fy0 = round(x0 * fw / sw), round(y0 * fh / sh)
    fx1, fy1 = min(fw, round(x1 * fw / sw)), min(fh, round(y1 * fh / sh))
    size = (fx1 - fx0, fy1 - fy0)
    if size[0] <= 0 or size[1] <= 0:
        return None
    factor = cv2.resize(keep, size, interpolation=cv2.INTER_LINEAR)   # soft: a resize will do
    region = frame[fy0:fy1, fx0:fx1]
    cv2.multiply(region, cv2.cvtColor(factor, cv2.COLOR_GRAY2RGB), dst=region, scale=1 / 255)
    if not report:
        return None
    dark = cv2.resize(small_dark, size, interpolation=cv2.INTER_LINEAR)
    return fx0, fy0, dark
