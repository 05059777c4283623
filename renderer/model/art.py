"""What an attachment or a set layer is made of: shape primitives, or a user's PNG."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Prim:
    """One shape of an attachment or a set layer; stage units, bone-local, y down.

    shape: "ellipse" | "rect" | "capsule" | "polygon" | "line". at, size, rot: ellipse/rect
    centre, full width and height, rotation in degrees clockwise on screen (y points down).
    radius: rect corner radius. points: polygon vertices / line points / capsule [a, b].
    width: capsule / line width at start and end (a taper). smooth: pass a Catmull-Rom spline
    through the points. color, color2: 0..255 RGB; color2 is the gradient end, the pattern
    colour (wallpaper, button thread) or else the stitch thread colour. gradient: "none" |
    "vertical" | "horizontal" | "radial". opacity: 0..1. material: one of
    `vocab.MATERIALS`. stitch: dashed thread seam ~3 units inside the edge. outline: width
    of a dark rim inside the edge, stage units (0 = none).
    """

    shape: str
    at: tuple[float, float] = (0, 0)
    size: tuple[float, float] = (10, 10)
    rot: float = 0.0
    radius: float = 0.0
    points: tuple[tuple[float, float], ...] = ()
    width: tuple[float, float] = (4, 4)
    smooth: bool = False
    color: tuple[int, int, int] = (128, 128, 128)
    color2: tuple[int, int, int] | None = None
    gradient: str = "none"
    opacity: float = 1.0
    material: str = "plain"
    stitch: bool = False
    outline: float = 0.0


@dataclass(frozen=True)
class ImageArt:
    """A user-supplied PNG: premultiplied RGBA pixels and where the bone origin sits.

    rgba: (H, W, 4) uint8 premultiplied. pivot: pixel coordinates of the bone-local (0, 0).
    units_per_px: stage units one image pixel covers.
    """

    rgba: np.ndarray
    pivot: tuple[float, float]
    units_per_px: float


Art = tuple[Prim, ...] | ImageArt
