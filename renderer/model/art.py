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


PIVOTS = {"center": (0.5, 0.5), "top": (0.5, 0.0), "bottom": (0.5, 1.0), "left": (0.0, 0.5),
          "right": (1.0, 0.5), "top_left": (0.0, 0.0), "top_right": (1.0, 0.0),
          "bottom_left": (0.0, 1.0), "bottom_right": (1.0, 1.0)}
"""Named pivots: fractions (x, y) of the box around an image's painted pixels."""
FLIPS = ("none", "x", "y", "both")


@dataclass(frozen=True, eq=False)
class ImageArt:
    """A user-supplied PNG placed on its bone.

    rgba: (H, W, 4) uint8 premultiplied. pivot: the pixel (x, y) of the image that sits at `at`.
    units_per_px: stage units one image pixel covers. at: bone-local stage units where the pivot
    goes. rot: degrees clockwise from the image's x axis (pointing right) of the direction the
    bone runs in the drawing: a limb drawn hanging down the picture on a bone pointing down has
    `rot: 90`. scale: (x, y) factors along the image's own axes. flip: "none" | "x" (mirror left
    to right) | "y" (upside down) | "both". material: whose boil the part takes, or None.
    redraw: how many hand-redrawn variants of the drawing to paint (1 = the drawing as it is);
    one is shown per exposure, so its edges crawl like a drawing traced again for every frame.
    digest: sha256 of the pixels, for the paint cache.
    """

    rgba: np.ndarray
    pivot: tuple[float, float]
    units_per_px: float
    at: tuple[float, float] = (0.0, 0.0)
    rot: float = 0.0
    scale: tuple[float, float] = (1.0, 1.0)
    flip: str = "none"
    material: str | None = None
    redraw: int = 1
    digest: str = ""

    def placement(self) -> np.ndarray:
        """(3, 3) affine: image pixels (x right, y down) to bone-local stage units.

        T(at) . R(-rot) . S(flip * scale * units_per_px) . T(-pivot), R clockwise on screen."""
        fx = -1.0 if self.flip in ("x", "both") else 1.0
        fy = -1.0 if self.flip in ("y", "both") else 1.0
        sx, sy = fx * self.scale[0] * self.units_per_px, fy * self.scale[1] * self.units_per_px
        r = np.radians(-self.rot)
        c, s = np.cos(r), np.sin(r)
        m = np.array([[c * sx, -s * sy, 0.0], [s * sx, c * sy, 0.0], [0.0, 0.0, 1.0]])
        m[:2, 2] = np.array(self.at) - m[:2, :2] @ np.array(self.pivot)
        return m

    def spec(self) -> tuple:
        """Everything but the pixels that decides how it is painted (a paint cache key)."""
        return (self.digest, self.rgba.shape, self.pivot, self.units_per_px, self.at, self.rot,
                self.scale, self.flip, self.redraw)


Art = tuple[Prim, ...] | ImageArt
