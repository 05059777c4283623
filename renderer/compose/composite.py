"""The compositor: set layers with parallax, lit by the set's rig, cast and contact shadows,
puppets as affine blits (`blit`), in the order a frame is built.

What a layer will copy over opaquely (a table top, a hillside: `copied_rect`) is not drawn beneath
it: the backdrop, layers, shadows and puppet parts behind it are trimmed by that rectangle.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import cv2
import numpy as np

from renderer import jitter
from renderer.compose.blit import Rect, around, blit, copied_rect, solid_rectangle, sprite_box
from renderer.compose.foreground import draw_near, focus_blur
from renderer.compose.paintings import Paintings
from renderer.compose.shadows import cast_shadows
from renderer.model.art import ImageArt
from renderer.model.scene import CameraKey
from renderer.model.set import Layer, SetDef
from renderer.paint import light as lighting
from renderer.paint.grade import Grade
from renderer.paint.prims import Sprite
from renderer.paint.sprites import (
    DOF_SIGMA,
    LayerSprite,
    bounded_scale,
    covered,
    paint_scale,
)
from renderer.settings import RenderSettings
from renderer.stage import rig
from renderer.stage.lens import camera_matrix, plane_zoom
from renderer.stage.pose import ActorPose, StageState

CRUMBLE_SPREAD = 0.6   # fraction of a disintegration over which shards start to fall
CRUMBLE_DROP = 900.0   # stage units a shard falls before it is gone


def layer_solid(paintings: Paintings, sprite: LayerSprite) -> Rect | None:
    """A large fully opaque rectangle of a layer painting (`solid_rectangle`), found once per
    painting: laying it over a frame needs no blend there, only a copy."""
    return paintings.get("solid", sprite, lambda: solid_rectangle(sprite.rgba[..., 3]))


class PlacedLayer(NamedTuple):
    """A set layer as one exposure sees it."""

    index: int                 # in the set's list
    layer: Layer
    sprite: LayerSprite        # its painting at the scale this camera needs
    camera: np.ndarray         # stage units on the layer to frame pixels (3x3)
    place: np.ndarray          # painting pixels to frame pixels (3x3)
    solid: Rect | None         # its fully opaque rectangle (`layer_solid`), None for a cover
    shards: tuple              # its torn pieces, while it falls apart (else empty)

    @property
    def front(self) -> bool:
        return self.layer.depth < 1.0


def placed_layers(set_def: SetDef, cam: CameraKey, settings: RenderSettings,
                  grade: Grade | None, paintings: Paintings,
                  crumble: dict[str, float] | None = None,
                  hidden: frozenset = frozenset()) -> list[PlacedLayer]:
    """Every layer of `set_def` placed for `cam`, in the set's order, but those named in
    `hidden` (taken away), with what drawing it needs beside its painting (lit by the set's rig
    as it hangs: what moves or flickers is laid on per exposure, `_relight`): its solid
    rectangle, and its pieces while it crumbles."""
    placed = []
    paintings.showing_layers(len(set_def.layers))
    for i, layer in enumerate(set_def.layers):
        if layer.name in hidden:
            continue
        m = camera_matrix(cam, layer.depth, settings.scale)
        scale, clip = _layer_view(cam, set_def, i, settings, paintings)
        if set_def.lights:   # lit by the rig: the painting a render draws
            sprite = paintings.lit_layer(set_def, i, scale, set_def.dof, grade, clip,
                                         (1.0,) * len(set_def.lights))
        else:
            sprite = paintings.layer(set_def, i, scale, set_def.dof, grade, clip)
        solid = None if _covers(i, layer.depth, sprite) else layer_solid(paintings, sprite)
        shards = paintings.shards(sprite) if (crumble or {}).get(layer.name, 0.0) > 0.0 else ()
        placed.append(PlacedLayer(i, layer, sprite, m,
                                  m @ rig.translate(*sprite.origin) @ rig.scale(1 / sprite.scale),
                                  solid, shards))
    return placed


def hidden_rects(layers: list[PlacedLayer], crumble: dict[str, float],
                 frame_shape: tuple[int, ...]) -> tuple[dict[int, Rect | None], Rect | None]:
    """What need not be drawn: for each layer (by index) and for the cast (drawn between the
    back and the front layers), the largest frame rectangle that a layer drawn later copies over
    (`copied_rect`), or None. Nothing drawn before that layer shows there."""
    order = [p for p in layers if not p.front] + [None] + [p for p in layers if p.front]
    trims: dict[int, Rect | None] = {}
    best, cast = None, None
    for p in reversed(order):
        if p is None:
            cast = best
            continue
        trims[p.index] = best
        if crumble.get(p.layer.name, 0.0) > 0.0 or _covers(p.index, p.layer.depth, p.sprite):
            continue
        rect = copied_rect(frame_shape, p.sprite.rgba, p.place, p.solid)
        if rect is not None and (best is None or _area(rect) > _area(best)):
            best = rect
    return trims, cast


def _area(rect: Rect) -> int:
    return (rect[2] - rect[0]) * (rect[3] - rect[1])


def _draw_layers(frame: np.ndarray, set_name: str, layers: list[PlacedLayer],
                 crumble: dict[str, float], trims: dict[int, Rect | None]) -> None:
    """Draw `layers` in order, each trimmed by its rectangle in `trims` (`hidden_rects`)."""
    for p in layers:
        trim = trims.get(p.index)
        if _drawn_as_cover(p, crumble):
            _cover(frame, p.sprite, p.place, trim)
        elif crumble.get(p.layer.name, 0.0) > 0.0:
            _draw_crumbling(frame, set_name, p.layer.name, p.sprite, p.shards, p.camera,
                            crumble[p.layer.name], trim)
        else:
            blit(frame, p.sprite.rgba, p.place, solid=p.solid, hidden=trim)


def _drawn_as_cover(p: PlacedLayer, crumble: dict[str, float]) -> bool:
    """Whether `_draw_layers` draws `p` with `_cover`: every pixel of the frame but those a
    later layer copies over (so a frame it starts need not be cleared, `_backdrop`)."""
    return crumble.get(p.layer.name, 0.0) <= 0.0 and _covers(p.index, p.layer.depth, p.sprite)


def _covers(index: int, depth: float, sprite: LayerSprite) -> bool:
    """Whether a layer is the backmost painted backdrop, drawn over the whole frame unblended."""
    return index == 0 and depth >= 1.0 and sprite.opaque


def _cover(frame: np.ndarray, sprite: LayerSprite, place: np.ndarray,
           hidden: Rect | None = None) -> None:
    """Warp an opaque painting over the whole frame but `hidden` through `place` (painting
    pixels to frame pixels), straight into the frame: its colour planes (`LayerSprite.rgb`),
    edges repeated where the camera sees past them. (Since OpenCV 5.1 the three-channel warp
    is the fastest at 720p: 1.1 ms, where the four-channel one and its conversion took 1.7.
    A band that starts at another column than 0 may round a sample position to the next 1/32
    pixel: a level here and there, as any warp of a patch does.)"""
    h, w = frame.shape[:2]
    for x0, y0, x1, y1 in around(hidden, w, h):
        shifted = rig.affine(rig.translate(-0.5 - x0, -0.5 - y0) @ place @ rig.translate(0.5, 0.5))
        cv2.warpAffine(sprite.rgb, shifted, (x1 - x0, y1 - y0), dst=frame[y0:y1, x0:x1],
                       flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _draw_crumbling(frame: np.ndarray, set_name: str, layer: str, sprite: LayerSprite,
                    shards: tuple, m: np.ndarray, progress: float,
                    hidden: Rect | None = None) -> None:
    """A layer falling apart: each shard (`shards.layer_shards`) waits its turn, then drops,
    turns about its middle and fades."""
    for k, (shard, (ox, oy), (mx, my)) in enumerate(shards):
        delay = CRUMBLE_SPREAD * jitter.unit(0, set_name, layer, k, "delay")
        q = min(1.0, max(0.0, (progress - delay) / (1.0 - CRUMBLE_SPREAD)))
        if q >= 1.0:
            continue
        spin = 200.0 * (jitter.unit(0, set_name, layer, k, "spin") - 0.5)
        place = rig.translate(ox + mx, oy + my + CRUMBLE_DROP * q * q) @ rig.rotate(spin * q) \
            @ rig.translate(-mx, -my) @ rig.scale(1 / sprite.scale)
        blit(frame, shard, m @ place, 1.0 - q * q, hidden=hidden)


def _layer_view(cam: CameraKey, set_def: SetDef, index: int, settings: RenderSettings,
                paintings: Paintings) -> tuple[float, tuple[float, float, float, float] | None]:
    """(scale, clip) to paint layer `index` with for `cam`: the scale it is seen at (its zoom is
    1/depth of the camera's), and None to paint it whole; or, when it is too large to paint whole
    at that scale (MAX_PAINT_FRAMES, PAINT_WORK_FRAMES: a near layer under a close zoom, a huge
    extent), the part `cam` shows, on a grid of a quarter of the view so that a camera moving a
    little reuses it, within the same budget (`bounded_scale`)."""
    layer = set_def.layers[index]
    scale = paint_scale(settings.scale * plane_zoom(cam, layer.depth))
    frame = settings.width * settings.height
    whole = paintings.get("covered", (set_def, index), lambda: _layer_covers(layer))
    if bounded_scale(scale, whole, frame) == scale:
        return scale, None
    inverse = np.linalg.inv(camera_matrix(cam, layer.depth, settings.scale))
    corners = inverse @ np.array([[0, settings.width, 0, settings.width],
                                  [0, 0, settings.height, settings.height], [1, 1, 1, 1]])
    x0, y0, x1, y1 = corners[0].min(), corners[1].min(), corners[0].max(), corners[1].max()
    sx, sy = (x1 - x0) / 4, (y1 - y0) / 4
    clip = (math.floor(x0 / sx - 1) * sx, math.floor(y0 / sy - 1) * sy,
            math.ceil(x1 / sx + 1) * sx, math.ceil(y1 / sy + 1) * sy)
    area = (clip[2] - clip[0]) * (clip[3] - clip[1])
    blur = DOF_SIGMA * set_def.dof * abs(1.0 - 1.0 / layer.depth)   # stage units of blur
    if blur > 0:    # what a blur wider than CLIP_BLUR_PX erases need not be painted
        scale = min(scale, paint_scale(CLIP_BLUR_PX / blur))
    return bounded_scale(scale, (area, area), frame), tuple(round(v, 6) for v in clip)


CLIP_BLUR_PX = 8.0   # a clipped layer's depth-of-field blur is painted at most this many px wide


def _layer_covers(layer: Layer) -> tuple[float, float]:
    x0, y0, x1, y1 = layer.extent
    window, work = covered(layer.shapes, layer.extent if layer.background is not None else None)
    return min(window, (x1 - x0) * (y1 - y0)), work


def _backdrop(paintings: Paintings, set_def: SetDef, cam: CameraKey,
              settings: RenderSettings, crumble: dict[str, float], grade: Grade | None,
              layers: list[PlacedLayer], trims: dict[int, Rect | None],
              hidden: frozenset = frozenset()) -> np.ndarray:
    """The layers behind the puppets, drawn into a new frame, trimmed by `trims` (both follow
    from the inputs). A camera holding still gives the same backdrop exposure after exposure, so
    when a backdrop's inputs come a second time in a row it is kept (in `paintings.backdrop`)
    and copied from then on; a moving camera never repeats them and pays no copy (2.7 MB at
    720p). Only the last inputs are remembered: exposures come in order."""
    inputs = (set_def, cam, settings, tuple(sorted(crumble.items())), grade, hidden)
    last_inputs, kept = paintings.backdrop
    if kept is not None and inputs == last_inputs:
        return kept.copy()
    back = [p for p in layers if not p.front]
    # under a cover the frame need not be cleared first (a 2.7 MB memset at 720p)
    covered = bool(back) and _drawn_as_cover(back[0], crumble)
    frame = (np.empty if covered else np.zeros)((settings.height, settings.width, 3), np.uint8)
    _draw_layers(frame, set_def.name, back, crumble, trims)
    paintings.backdrop = (inputs, frame.copy() if inputs == last_inputs else None)
    return frame


def _relight(frame: np.ndarray, set_def: SetDef, rig_now: tuple, levels: tuple[float, ...],
             cam_m: np.ndarray) -> None:
    """Lay the change that the rig's moving and flickering lights make this exposure on the set
    drawn so far (its paintings are lit with every light where it hangs, at full strength):
    a candle's pool brightening and dimming on the wall, a swinging lamp's pool going with it
    (`light.light_change`). Held with the exposure like everything else."""
    h, w = frame.shape[:2]
    for x0, y0, factor in lighting.light_change((w, h), cam_m, set_def.lights, rig_now,
                                                levels or (1.0,) * len(set_def.lights),
                                                set_def.ambient, set_def.wall, set_def.floor_y):
        region = frame[y0:y0 + factor.shape[0], x0:x0 + factor.shape[1]]
        cv2.multiply(region, factor, dst=region, scale=1 / 128)


def _shadow(paintings: Paintings, actor: ActorPose, need: float,
            grade: Grade | None) -> Sprite | None:
    """The contact shadow of a grounded actor, painted for `need` px per stage unit."""
    sw, sh = actor.puppet.shadow
    if sw > 0 and sh > 0 and actor.grounded:
        return paintings.shadow(sw * actor.scale, sh * actor.scale, paint_scale(need), grade)
    return None


def _actor_sprites(paintings: Paintings, actor: ActorPose, need: float,
                   grade: Grade | None, frame_pixels: int | None = None
                   ) -> list[tuple[Sprite, int]]:
    """(painting, slot index) of every attachment `actor` shows, back to front, each painted
    within the painting budget of a `frame_pixels` frame (`bounded_scale`; None: no budget)."""
    scale = paint_scale(need * actor.scale)
    variants = actor.variants or (0,) * len(actor.attachments)
    return [(paintings.attachment(actor.puppet, att,
                                  _part_scale(paintings, actor, att, scale, frame_pixels), grade,
                                  variants[slot]),
             slot) for slot, att in enumerate(actor.attachments) if att is not None]


def _part_scale(paintings: Paintings, actor: ActorPose, attachment: str, scale: float,
                frame_pixels: int | None) -> float:
    art = actor.puppet.attachments[attachment]
    if frame_pixels is None or isinstance(art, ImageArt):
        return scale        # painted at most at its own resolution (`sprites.image_sprite`)
    return bounded_scale(scale, paintings.get("covered", (actor.puppet, attachment),
                                              lambda: covered(art)), frame_pixels)


def _lit_sprites(paintings: Paintings, actor: ActorPose, sprites: list[tuple[Sprite, int]],
                 set_def: SetDef, levels: tuple[float, ...],
                 rig_now: tuple | None = None) -> list[tuple[Sprite, int]]:
    """`sprites` (`_actor_sprites`) shaded by the set's rig as each part sees it: each painting
    with its relief, lit once per quantised view of the lights (`light.light_keys`)."""
    if not set_def.lights:
        return sprites
    mats = actor.slot_matrices
    centre = tuple(mats[:, :2, 2].mean(axis=0).tolist())
    rig, levels = lighting.puppet_rig(set_def.lights, rig_now or set_def.lights, levels)
    keys = lighting.light_keys(rig, levels, centre, mats[:, :2, :2])
    out = []
    for sprite, slot in sprites:
        # keyed by the painting's identity; each entry holds its painting, so while the entry
        # lives that identity cannot be taken by another
        def make(sprite=sprite, slot=slot) -> tuple[Sprite, Sprite]:
            _, normals = paintings.get("relief", id(sprite), lambda: (sprite, lighting.relief(
                sprite.rgba[..., 3], sprite.scale)))
            return sprite, Sprite(lighting.lit_sprite(sprite.rgba, normals, keys[slot],
                                                      set_def.ambient), sprite.origin, sprite.scale)
        _, lit = paintings.get("lit", (id(sprite), keys[slot], set_def.ambient), make)
        out.append((lit, slot))
    return out


def _draw_actor(frame: np.ndarray, actor: ActorPose, cam_m: np.ndarray,
                sprites: list[tuple[Sprite, int]], hidden: Rect | None) -> None:
    """Draw `actor`'s parts back to front. A see-through puppet (a ghost, one fading) is
    drawn whole and then faded as one, as a double exposure of the puppet would be: fading
    each part would let the parts behind show through the ones in front (a seam down a
    ghost's head where its hair overlaps its face)."""
    on_screen = cam_m @ actor.slot_matrices            # every slot at once
    placed = []
    for sprite, slot in sprites:
        k, (ox, oy) = 1 / sprite.scale, sprite.origin  # sprite pixels to slot units
        to_slot = np.array([[k, 0, -k * ox], [0, k, -k * oy], [0, 0, 1]])
        placed.append((sprite.rgba, on_screen[slot] @ to_slot))
    if actor.opacity >= 1.0:
        for rgba, m in placed:
            blit(frame, rgba, m, hidden=hidden)
        return
    if actor.opacity <= 0.0:
        return
    boxes = [b for b in (sprite_box(frame.shape, rgba, m) for rgba, m in placed)
             if b[2] > b[0] and b[3] > b[1]]
    if not boxes:
        return
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    region = frame[y0:y1, x0:x1]
    whole = region.copy()
    shift = rig.translate(-x0, -y0)
    trim = None if hidden is None else (hidden[0] - x0, hidden[1] - y0, hidden[2] - x0,
                                        hidden[3] - y0)
    for rgba, m in placed:
        blit(whole, rgba, shift @ m, hidden=trim)
    cv2.addWeighted(whole, actor.opacity, region, 1.0 - actor.opacity, 0.0, dst=region)


def compose(set_def: SetDef, state: StageState, settings: RenderSettings,
            grade: Grade | None, paintings: Paintings) -> np.ndarray:
    """The frame of one exposure before post effects: (H, W, 3) uint8 RGB, every painting in
    `grade`'s colours (ungraded without one), kept in `paintings` for the exposures after."""
    cam = state.camera
    levels = state.lights
    rig_now = lighting.placed(set_def.lights, state.light_at)
    layers = placed_layers(set_def, cam, settings, grade, paintings, state.crumble, state.hidden)
    trims, hidden = hidden_rects(layers, state.crumble, (settings.height, settings.width))
    frame = _backdrop(paintings, set_def, cam, settings, state.crumble, grade, layers, trims,
                      state.hidden)
    cam_m = camera_matrix(cam, 1.0, settings.scale)
    if set_def.lights:
        _relight(frame, set_def, rig_now, levels, cam_m)
    need = settings.scale * plane_zoom(cam, 1.0)
    for actor in state.actors:
        sprite = _shadow(paintings, actor, need, grade)
        if sprite is not None:
            m = cam_m @ rig.translate(actor.x, actor.y) @ rig.scale(1 / sprite.scale) \
                @ rig.translate(-sprite.origin[0], -sprite.origin[1])
            blit(frame, sprite.rgba, m, actor.opacity, hidden=hidden)
    frame_pixels = settings.width * settings.height
    plane = [a for a in state.actors if a.depth >= 1.0]
    painted = [(actor, _actor_sprites(paintings, actor, need, grade, frame_pixels))
               for actor in plane]
    if set_def.key is not None:
        key = set_def.lights.index(set_def.key)
        cast_shadows(frame, set_def, painted, cam_m, levels[key] if levels else 1.0,
                     key=rig_now[key])
    for actor, sprites in painted:
        _draw_actor(frame, actor, cam_m,
                    _lit_sprites(paintings, actor, sprites, set_def, levels, rig_now), hidden)
    near = sorted((a for a in state.actors if a.depth < 1.0), key=lambda a: -a.depth)
    front = [p for p in layers if p.front]
    for actor in near:    # the front layers farther than it, then it, nearest last
        _draw_layers(frame, set_def.name, [p for p in front if p.layer.depth > actor.depth],
                     state.crumble, trims)
        front = [p for p in front if p.layer.depth <= actor.depth]
        _draw_near_actor(frame, actor, cam, set_def, settings, grade, paintings, levels, rig_now)
    _draw_layers(frame, set_def.name, front, state.crumble, trims)
    return frame


def _draw_near_actor(frame: np.ndarray, actor: ActorPose, cam: CameraKey, set_def: SetDef,
                     settings: RenderSettings, grade: Grade | None, paintings: Paintings,
                     levels: tuple[float, ...], rig_now: tuple) -> None:
    """A puppet nearer the camera (`depth` < 1): on its own plane of the rig, lit like the
    rest, out of focus by its distance from the puppet plane (`foreground.draw_near`)."""
    cam_m = camera_matrix(cam, actor.depth, settings.scale)
    need = settings.scale * plane_zoom(cam, actor.depth)
    sprites = _actor_sprites(paintings, actor, need, grade, settings.width * settings.height)
    on_screen = cam_m @ actor.slot_matrices
    parts = []
    for sprite, slot in _lit_sprites(paintings, actor, sprites, set_def, levels, rig_now):
        k, (ox, oy) = 1 / sprite.scale, sprite.origin
        parts.append((sprite, on_screen[slot] @ np.array([[k, 0, -k * ox], [0, k, -k * oy],
                                                          [0, 0, 1]])))
    draw_near(frame, parts, actor.opacity, focus_blur(set_def.dof, actor.depth) * need)


def preload_set(set_def: SetDef, cam: CameraKey, settings: RenderSettings, grade: Grade | None,
             paintings: Paintings) -> None:
    """Load into `paintings` every layer painting of `set_def` that `cam` shows (from the cache
    on disk or painted), lit by its rig, with the solid rectangle of those that are
    blended."""
    placed_layers(set_def, cam, settings, grade, paintings)


def preload_cast(state: StageState, settings: RenderSettings, grade: Grade | None,
              paintings: Paintings, set_def: SetDef | None = None) -> None:
    """Load into `paintings` every painting the actors of `state` show, shadows included, and
    lit by `set_def`'s rig when given."""
    for actor in state.actors:
        need = settings.scale * plane_zoom(state.camera, actor.depth)
        _shadow(paintings, actor, need, grade)
        sprites = _actor_sprites(paintings, actor, need, grade, settings.width * settings.height)
        if set_def is not None:
            _lit_sprites(paintings, actor, sprites, set_def, state.lights,
                         lighting.placed(set_def.lights, state.light_at))
