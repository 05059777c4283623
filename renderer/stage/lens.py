"""The camera as a multiplane rig sees the set: each plane (a set layer, the puppet plane, a
puppet standing nearer the camera) at its depth, panned, zoomed, dollied and tilted.

The puppet plane has depth 1; a plane at depth d < 1 is nearer the camera. Panning and the
camera's `zoom` move a plane 1/d as much as the puppet plane (the rig's parallax, as before);
a dolly (the camera travelling toward the set by a fraction `dolly` of its distance to the
puppet plane) enlarges a plane by d / (d - dolly), as perspective does: a near plane grows
faster than a far one. A tilt turns every plane about the frame's centre and enlarges the
picture just enough that its corners show nothing the untilted frame would not.
"""
from __future__ import annotations

import math

import numpy as np

from renderer.model.scene import CameraKey
from renderer.settings import STAGE_H, STAGE_W
from renderer.stage import rig


def tilt_cover(tilt: float) -> float:
    """How much a frame tilted by `tilt` degrees is enlarged so that the tilted frame lies
    inside the untilted one: cos t + (W / H) sin |t| (the frame's height is the binding side)."""
    t = math.radians(abs(tilt))
    return math.cos(t) + STAGE_W / STAGE_H * math.sin(t) if t else 1.0


def dolly_gain(dolly: float, depth: float) -> float:
    """How much larger a plane at `depth` looks with the camera dollied in by `dolly`."""
    return depth / (depth - dolly) if dolly else 1.0


def plane_zoom(cam: CameraKey, depth: float) -> float:
    """Stage units to frame units on the plane at `depth`: its magnification, all told."""
    return (1.0 + (cam.zoom - 1.0) / depth) * dolly_gain(cam.dolly, depth) * tilt_cover(cam.tilt)


def camera_matrix(cam: CameraKey, depth: float, px_per_unit: float) -> np.ndarray:
    """Stage units on a plane at `depth` to output pixels (3x3), for `cam`."""
    cx = STAGE_W / 2 + (cam.x - STAGE_W / 2) / depth
    cy = STAGE_H / 2 + (cam.y - STAGE_H / 2) / depth
    m = rig.scale(px_per_unit) @ rig.translate(STAGE_W / 2, STAGE_H / 2)
    if cam.tilt:
        m = m @ rig.rotate(cam.tilt)
    return m @ rig.scale(plane_zoom(cam, depth)) @ rig.translate(-cx, -cy)
