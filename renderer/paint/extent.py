"""Where an attachment paints, without painting it: the box around its shapes (or its image) in
bone-local stage units. Framing a shot on a head and keeping captions off faces need only that."""
from __future__ import annotations

import numpy as np

from renderer.model.art import Art, ImageArt
from renderer.paint.prims import geometry

Box = tuple[float, float, float, float]   # x0, y0, x1, y1, stage units, y down


def art_box(art: Art) -> Box | None:
    """The bone-local box around what `art` paints (the exact shapes, before any boil or
    softening), or None when it paints nothing."""
    if isinstance(art, ImageArt):
        h, w = art.rgba.shape[:2]
        corners = art.placement() @ np.array([[0, w, 0, w], [0, 0, h, h], [1, 1, 1, 1]], float)
        return (float(corners[0].min()), float(corners[1].min()),
                float(corners[0].max()), float(corners[1].max()))
    boxes = [g.bbox for g in map(geometry, art) if g is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def placed_box(box: Box, m: np.ndarray) -> Box:
    """The axis-aligned box around `box` carried through the 3x3 affine `m`."""
    x0, y0, x1, y1 = box
    corners = m @ np.array([[x0, x1, x0, x1], [y0, y0, y1, y1], [1, 1, 1, 1]], float)
    return (float(corners[0].min()), float(corners[1].min()),
            float(corners[0].max()), float(corners[1].max()))
