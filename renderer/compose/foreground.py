"""A puppet standing nearer the camera than the puppet plane (an over-the-shoulder framing):
drawn whole into a layer of its own, softened by its distance from the focus like a near set
layer, and laid over the frame in one blend, so its parts blur together, not seam by seam."""
from __future__ import annotations

import math

import cv2
import numpy as np

from renderer.compose.blit import sprite_box
from renderer.paint.prims import Sprite
from renderer.paint.sprites import DOF_SIGMA

BLUR_REACH = 3.0   # a Gaussian's reach in sigmas: the layer grows by this much on every side


def focus_blur(dof: float, depth: float) -> float:
    """Stage units of blur of something at `depth` with the focus on the puppet plane, as set
    layers are blurred (`sprites.DOF_SIGMA`): proportional to |1 - 1/depth|."""
    return DOF_SIGMA * dof * abs(1.0 - 1.0 / depth)


def draw_near(frame: np.ndarray, parts: list[tuple[Sprite, np.ndarray]], opacity: float,
              blur_px: float) -> None:
    """Draw `parts` ((painting, its 3x3 painting-pixels-to-frame matrix), back to front) into a
    premultiplied layer as large as they cover (grown by the blur's reach), blur it by
    `blur_px` (the Gaussian's sigma in frame pixels), and lay it over `frame` in place."""
    h, w = frame.shape[:2]
    pad = math.ceil(BLUR_REACH * blur_px)
    boxes = [sprite_box((h, w), s.rgba, m) for s, m in parts]
    boxes = [b for b in boxes if b[2] > b[0] and b[3] > b[1]]
    if not boxes or opacity <= 0:
        return
    x0 = max(0, min(b[0] for b in boxes) - pad)
    y0 = max(0, min(b[1] for b in boxes) - pad)
    x1 = min(w, max(b[2] for b in boxes) + pad)
    y1 = min(h, max(b[3] for b in boxes) + pad)
    layer = np.zeros((y1 - y0, x1 - x0, 4), np.uint8)
    for sprite, m in parts:
        _over_rgba(layer, sprite.rgba, m, (x0, y0))
    if blur_px > 0.3:
        layer = cv2.GaussianBlur(layer, (0, 0), blur_px)
    if opacity < 1.0:
        layer = cv2.convertScaleAbs(layer, alpha=opacity)
    _over_rgb(frame[y0:y1, x0:x1], layer)


def _over_rgba(layer: np.ndarray, rgba: np.ndarray, m: np.ndarray, origin: tuple[int, int]
               ) -> None:
    """`rgba` warped through `m` (to frame pixels) "over" the premultiplied `layer`, whose top
    left corner is frame pixel `origin`."""
    (ox, oy), (lh, lw) = origin, layer.shape[:2]
    a, b, tx, c, d, ty = m[:2].ravel().tolist()
    shifted = np.array([[a, b, 0.5 * (a + b) + tx - ox - 0.5],
                        [c, d, 0.5 * (c + d) + ty - oy - 0.5]])
    patch = cv2.warpAffine(rgba, shifted, (lw, lh), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
    clear = cv2.merge([cv2.bitwise_not(patch[:, :, 3])] * 4)
    cv2.multiply(layer, clear, dst=layer, scale=1 / 255)
    cv2.add(layer, patch, dst=layer)


def _over_rgb(dst: np.ndarray, patch: np.ndarray) -> None:
    clear = cv2.cvtColor(cv2.bitwise_not(patch[:, :, 3]), cv2.COLOR_GRAY2RGB)
    cv2.multiply(dst, clear, dst=dst, scale=1 / 255)
    cv2.add(dst, cv2.cvtColor(patch, cv2.COLOR_RGBA2RGB), dst=dst)
