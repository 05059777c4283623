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
from typing import NamedTuple

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


class Top(NamedTuple):
    """A raised flat top a puppet stands on (a stage, a podium, a seat, a table, a bed), stage
    units: its span x0..x1 across, its height y (a stage y), and how deep it is front to back."""

    x0: float
    x1: float
    y: float
    depth: float


def shadow_mask(silhouette: np.ndarray, cam: np.ndarray, light: Light, floor: float,
                wall: float | None, top: Top | None = None) -> np.ndarray:
    """The shadow, 0..1 float32 like `silhouette`, of a silhouette (h, w) float32 0..1 drawn
    through `cam` (stage units to its pixels) on a puppet plane standing on stage y `floor`
    (the floor line its depth is measured from), or standing on a raised `top` there: then the
    shadow falls on the top across its span and as deep as it goes, past it on to the floor
    (not where the top's own body hides the floor), and on the wall as from that floor line.
    Only the boxes the shadow can reach are warped and blurred."""
    h, w = silhouette.shape
    out = np.zeros_like(silhouette)
    box = _nonzero_box(silhouette)
    stand = floor if top is None else top.y
    if box is None or light.at[1] >= stand - 1:     # a lamp on the floor throws nothing on it
        return out
    px = cam[0, 0]                                  # its pixels per stage unit
    inv = np.linalg.inv(cam)
    floor_px = float((cam @ [0.0, floor, 1.0])[1])
    soft = 0.3 + light.softness
    back_px = max(0.0, floor_px - MAX_REACH * FLOOR_SLOPE * px)
    wall_px = None if wall is None else float((cam @ [0.0, wall, 1.0])[1])
    if wall_px is not None:
        back_px = max(back_px, wall_px)
    _on_plane(out, silhouette, cam, inv, light, floor, back_px, box, soft)
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
    if top is not None:
        _onto_top(out, silhouette, cam, inv, light, top, back_px, box, soft)
    return out


def _onto_top(out: np.ndarray, silhouette: np.ndarray, cam: np.ndarray, inv: np.ndarray,
              light: Light, top: Top, back_px: float, box: tuple[int, int, int, int],
              soft: float) -> None:
    """Where a raised `top` stands, the shadow already laid on the floor and wall behind it is
    hidden by the top and its body (across its span, from its back edge down); on the top, from
    its back edge to its front, lies the shadow cast on its own plane."""
    h, w = out.shape
    top_px = float((cam @ [0.0, top.y, 1.0])[1])
    top_back = max(back_px, top_px - top.depth * FLOOR_SLOPE * cam[0, 0])
    c0 = max(0, math.ceil(float((cam @ [top.x0, 0.0, 1.0])[0])))
    c1 = min(w, math.floor(float((cam @ [top.x1, 0.0, 1.0])[0])) + 1)
    r0 = max(0, math.ceil(top_back))
    if c1 <= c0 or r0 >= h:
        return
    out[r0:, c0:c1] = 0
    on_top = np.zeros_like(out)
    _on_plane(on_top, silhouette, cam, inv, light, top.y, top_back, box, soft)
    r1 = min(h, math.floor(top_px) + 1)
    if r1 > r0:
        out[r0:r1, c0:c1] = on_top[r0:r1, c0:c1]


def _on_plane(out: np.ndarray, silhouette: np.ndarray, cam: np.ndarray, inv: np.ndarray,
              light: Light, plane: float, back_px: float, box: tuple[int, int, int, int],
              soft: float) -> None:
    """Lay into `out` the shadow of `silhouette` on the flat plane at stage y `plane` (a floor or
    a raised top under the puppet's feet), from its front (where the feet are) back to the row
    `back_px`: sharp where it leaves what casts it, softer and fainter as it stretches away."""
    h, w = silhouette.shape
    plane_px = float((cam @ [0.0, plane, 1.0])[1])
    if plane_px <= back_px or light.at[1] >= plane - 1:
        return
    px = cam[0, 0]
    light_px = float((cam @ [0.0, light.at[1], 1.0])[1])
    x0, y0, x1, y1 = box
    hf = cam @ floor_homography(light, plane) @ inv
    sigma_near, sigma_far = max(0.5, soft * 4 * px), max(0.5, soft * 14 * px)
    src = (x0, max(y0, light_px + 1.0), x1, y1)
    roi = _mapped_box(hf, src, 3 * sigma_far, (w, h), (back_px, plane_px + 3 * sigma_near))
    if roi is None:
        return
    c0, r0, c1, r1 = roi
    size = (c1 - c0, r1 - r0)
    near = cv2.warpPerspective(silhouette, _shift(c0, r0) @ hf, size, flags=cv2.INTER_LINEAR)
    far = cv2.GaussianBlur(near, (0, 0), sigma_far)
    near = cv2.GaussianBlur(near, (0, 0), sigma_near)
    rows = np.arange(r0, r1, dtype=np.float32)[:, None]
    t = np.clip((plane_px - rows) / max(1.0, plane_px - back_px), 0.0, 1.0)
    band = (near * (1 - t) + far * t) * (1.0 - 0.5 * t)   # fainter as it stretches
    band[rows[:, 0] < back_px] = 0
    out[r0:r1, c0:c1] = band


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
        alpha = cv2.warpAffine(sprite.alpha, np.array([[a, b, tx - x0], [c, d, ty - y0]]),
                               (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR)
        roi = cover[y0:y1, x0:x1]
        np.maximum(roi, alpha, out=roi)
        bx0, by0, bx1, by1 = min(bx0, x0), min(by0, y0), max(bx1, x1), max(by1, y1)
    if bx1 > bx0 and by1 > by0:
        roi = out[by0:by1, bx0:bx1]
        np.maximum(roi, cover[by0:by1, bx0:bx1] * (opacity / 255), out=roi)
    return out


RAISED = 20.0      # stage units: feet this far above a floor they could stand on are up on a top
TOP_DEPTH = 60.0   # stage units front to back of a raised top whose surface does not say


def support(actor: ActorPose, set_def: SetDef) -> tuple[float, Top | None]:
    """What `actor` stands on, for its shadow: (the stage y of the floor line its depth is
    measured from, the raised top under its feet or None). A grounded puppet whose feet are on
    a surface of the set raised above its base stands on that top; one whose feet are above the
    wall's foot (where no floor is) stands on a top the set does not name, as wide as its own
    stance; any other grounded puppet stands on the floor where its feet are (further back or
    nearer); a puppet in the air or held throws its shadow from the set's floor line."""
    if not actor.grounded:
        return set_def.floor_y, None
    for sf in set_def.surfaces:
        base = set_def.floor_y if sf.base is None else sf.base
        if sf.x0 <= actor.x <= sf.x1 and abs(actor.y - sf.y) <= RAISED and sf.y < base - RAISED:
            return base, Top(sf.x0, sf.x1, sf.y, sf.depth or TOP_DEPTH)
    if set_def.wall is not None and actor.y < set_def.wall - RAISED:
        xs = actor.slot_matrices[:, 0, 2]
        return set_def.floor_y, Top(float(xs.min()), float(xs.max()), actor.y, TOP_DEPTH)
    return actor.y, None


def cast_shadows(frame: np.ndarray, set_def: SetDef, actors: list, cam_m: np.ndarray,
                 strength: float = 1.0, report: bool = False, key: Light | None = None
                 ) -> tuple[int, int, np.ndarray] | None:
    """Darken `frame` (H, W, 3) uint8 in place by the shadows of `actors`, a list of
    (ActorPose, its (painting, slot) pairs) drawn through `cam_m` (stage units to frame pixels),
    from `set_def`'s key light (`key`: that light where it is this exposure, if it moves);
    `strength` multiplies the key's (flicker). Returns the darkening (H, W) float32 0..1 it
    applied, or None when the set has no key."""
    light = key if key is not None else set_def.key
    if light is None or not actors:
        return None
    fh, fw = frame.shape[:2]
    q = min(1.0, SHADOW_SCALE / cam_m[0, 0])        # working pixels per frame pixel
    sw, sh = max(8, round(fw * q)), max(8, round(fh * q))
    small = np.array([[sw / fw, 0, 0], [0, sh / fh, 0], [0, 0, 1]]) @ cam_m
    total = np.zeros((sh, sw), np.float32)
    groups: dict[tuple, np.ndarray] = {}   # puppets standing on one floor or top: one shadow
    for actor, sprites in actors:
        if not sprites:
            continue
        floor, top = support(actor, set_def)
        where = (round(floor, 1), top)
        if where not in groups:
            groups[where] = np.zeros((sh, sw), np.float32)
        silhouette(actor, sprites, small, (sw, sh), actor.opacity, out=groups[where])
    for (floor, top), sil in groups.items():
        mask = shadow_mask(sil, small, light, floor, set_def.wall, top)
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
