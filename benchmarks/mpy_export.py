"""What the moviepy twin needs from stopmo: the very same sprites as PNG files and, per exposure,
every sprite's scale, rotation, mirror and centre taken from stopmo's own transforms.

Writes into a folder: `images/*.png` (straight-alpha RGBA; RGB for opaque set layers) and
`composition.json`:

    size: [W, H] px;  fps;  frames: frames in the shot;  starts: first frame of each exposure
    clips: in draw order (back to front), each a run of exposures showing one image unchanged:
        image: file name;  flip: mirrored left-right;  first: index of its first exposure
        scale[k], angle[k] (degrees anticlockwise, moviepy's sense), center[k] ([x, y] frame px
        where the image's centre lands), one entry per exposure of the run

A sprite is painted by stopmo's own painter at exactly the largest scale the shot needs of it
(stopmo itself rounds up to a step of its paint-scale ladder), so moviepy only ever shrinks it.

Decomposing stopmo's affine blit matrix M (sprite px -> frame px): M = T(p) * s R(theta) * F,
F the optional mirror about the sprite's centre; p is where the sprite's centre lands, which
rotating "with expand" and resizing both keep at the image centre.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from renderer.compose.composite import camera_matrix
from renderer.render import ScenePlan, exposures
from renderer.stage import rig
from renderer.stage.pose import StageState, stage_exposure

BLEED_SIGMA = 3.0   # px: how far paint colour spreads under a sprite's transparent pixels


def unpremultiply(rgba: np.ndarray) -> np.ndarray:
    """(h, w, 4) uint8 premultiplied RGBA -> the same with straight colour (what PNG and moviepy
    masks expect).

    Fully transparent pixels get the colour of the paint nearby rather than black, as a careful
    PNG export does: moviepy resizes colour and mask separately, and black there would bleed into
    every part's edge as a dark fringe."""
    f = rgba.astype(np.float32)
    a = f[..., 3:4]
    soft = cv2.GaussianBlur(f, (0, 0), BLEED_SIGMA)   # premultiplied, so a weighted average
    near = soft[..., :3] * (255.0 / np.maximum(soft[..., 3:4], 1e-3))
    rgb = np.where(a > 0, f[..., :3] * (255.0 / np.maximum(a, 1.0)), near)
    return np.concatenate([np.clip(rgb + 0.5, 0, 255).astype(np.uint8), rgba[..., 3:4]], axis=2)


def decompose(m: np.ndarray, w: int, h: int) -> tuple[float, float, bool, tuple[float, float]]:
    """A similarity (with optional mirror) sprite-px -> frame-px as (scale, moviepy angle in
    degrees anticlockwise, flip, centre in frame px) for a `w` x `h` px sprite."""
    a = m[:2, :2]
    flip = bool(np.linalg.det(a) < 0)
    if flip:
        a = a @ np.diag([-1.0, 1.0])
    scale = math.sqrt(abs(np.linalg.det(a)))
    theta = math.degrees(math.atan2(a[1, 0], a[0, 0]))   # clockwise on screen (y down)
    c = m @ np.array([w / 2, h / 2, 1.0])
    return scale, -theta, flip, (float(c[0]), float(c[1]))


def _states(plan: ScenePlan) -> list[tuple[int, object, StageState]]:
    """(first scene frame, set, stage state) of every exposure of the plan, in order."""
    return [(sp.first_frame + e.frame, getattr(sp.shot, "set", None) or plan.scene.set,
             stage_exposure(plan.scene, sp.shot, e, plan.stage_memo)) for sp, e in exposures(plan)]


def _items(plan: ScenePlan, set_def, state: StageState, scales: dict,
           paint: bool = True) -> list[tuple[tuple, object, np.ndarray]]:
    """(key, sprite, matrix sprite px -> frame px) of everything drawn in one exposure, back to
    front, mirroring renderer.composite.compose, each sprite painted at `scales[its scale key]`.
    With paint=False nothing is painted: only the largest scale (px per stage unit) each scale
    key needs is recorded in `scales` (the first pass)."""
    settings, cam = plan.settings, state.camera
    out = []

    def want(key, need) -> float | None:
        if not paint:
            scales[key] = max(scales.get(key, 0.0), need)
        return scales[key] if paint else None

    def layers(front: bool):
        for i, layer in enumerate(set_def.layers):
            if (layer.depth < 1.0) != front:
                continue
            need = settings.scale * (1.0 + (cam.zoom - 1.0) / layer.depth)
            s = want(("layer", set_def.name, i), need)
            if paint:
                sprite = plan.paintings.layer(set_def, i, s, set_def.dof)
                m = camera_matrix(cam, layer.depth, settings.scale) \
                    @ rig.translate(*sprite.origin) @ rig.scale(1 / sprite.scale)
                out.append((("layer", set_def.name, i, sprite.opaque), sprite, m))

    def place(key, sprite, m):
        out.append((key, sprite, m @ rig.scale(1 / sprite.scale)
                    @ rig.translate(-sprite.origin[0], -sprite.origin[1])))

    layers(front=False)
    cam_m = camera_matrix(cam, 1.0, settings.scale)
    need = settings.scale * cam.zoom
    for actor in state.actors:
        sw, sh = actor.puppet.shadow
        if sw > 0 and sh > 0 and getattr(actor, "grounded", True):
            s = want(("shadow", actor.id), need)
            if paint:
                place(("shadow", actor.id, actor.puppet.name, sw * actor.scale),
                      plan.paintings.shadow(sw * actor.scale, sh * actor.scale, s),
                      cam_m @ rig.translate(actor.x, actor.y))
    for actor in state.actors:
        s = want(("actor", actor.id), need * actor.scale)
        for k, (att, slot_m) in enumerate(zip(actor.attachments, actor.slot_matrices)):
            if att is not None and paint:
                place(("part", actor.id, k, actor.puppet.name, att),
                      plan.paintings.attachment(actor.puppet, att, s), cam_m @ slot_m)
    layers(front=True)
    return out


def _save(images: Path, key: tuple, rgba: np.ndarray, opaque: bool) -> str:
    name = "-".join(str(k) for k in key).replace("/", "_").replace(".", "_") + ".png"
    if not (images / name).exists():
        img = Image.fromarray(rgba[..., :3].copy() if opaque else unpremultiply(rgba))
        img.save(images / name, compress_level=1)
    return name


def _slot(key: tuple) -> tuple:
    """The drawing slot a key occupies over time: a part's slot, whatever attachment it shows."""
    return key[:3]


def export(plan: ScenePlan, folder: Path) -> dict:
    """Write the moviepy twin's images and composition.json into `folder`; return the spec."""
    images = folder / "images"
    images.mkdir(parents=True, exist_ok=True)
    states = _states(plan)
    scales: dict = {}
    for _, set_def, state in states:   # first pass: the largest scale each sprite needs
        _items(plan, set_def, state, scales, paint=False)
    order: list[tuple] = []           # slots in draw order, merged over all exposures
    runs: dict[tuple, list[dict]] = {}
    for k, (_, set_def, state) in enumerate(states):
        items = _items(plan, set_def, state, scales)
        slots = [_slot(key) for key, _, _ in items]
        known = [s for s in order if s in slots]
        if known != [s for s in slots if s in order]:
            raise ValueError(f"exposure {k}: the draw order changed; moviepy clips have one order")
        for s in slots:
            if s not in order:
                order.append(s)       # new slots are appended: enough for the standard shot
        for key, sprite, m in items:
            h, w = sprite.rgba.shape[:2]
            scale, angle, flip, centre = decompose(m, w, h)
            image = _save(images, key, sprite.rgba, key[0] == "layer" and key[3])
            run = runs.setdefault(_slot(key), [])
            if not run or run[-1]["image"] != image or run[-1]["flip"] != flip \
                    or run[-1]["first"] + len(run[-1]["scale"]) != k:
                run.append({"image": image, "flip": flip, "first": k, "scale": [], "angle": [],
                            "center": []})
            run[-1]["scale"].append(round(scale, 6))
            run[-1]["angle"].append(round(angle, 4))
            run[-1]["center"].append([round(centre[0], 3), round(centre[1], 3)])
    spec = {"size": [plan.settings.width, plan.settings.height], "fps": plan.settings.fps,
            "frames": plan.frames, "starts": [f for f, _, _ in states],
            "clips": [run for s in order for run in runs[s]]}
    (folder / "composition.json").write_text(json.dumps(spec))
    return spec
