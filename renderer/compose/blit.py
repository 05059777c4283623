"""Laying a painting over a frame: `blit`, one function for every sprite, which warps only the
sprite's bounding box in the frame and blends it with uint8 OpenCV operations; and the copied
rectangles that let a fully opaque part of a painting be copied instead of blended, and what it
hides go undrawn.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

Rect = tuple[int, int, int, int]   # (x0, y0, x1, y1) pixels, end exclusive


def blit(frame: np.ndarray, rgba: np.ndarray, m: np.ndarray, opacity: float = 1.0,
         solid: Rect | None = None, hidden: Rect | None = None) -> None:
    """Draw premultiplied `rgba` (h, w, 4) into `frame` (H, W, 3) through the 3x3 matrix `m`
    (sprite pixels to frame pixels), "over", touching only the transformed bounding box.
    solid: (x0, y0, x1, y1) sprite pixels known to be fully opaque (`layer_solid`): where
    a shift and scale lands every sample inside it, the blend is a plain copy (`copied_rect`).
    hidden: a frame rectangle something drawn later copies over; the box is trimmed by it
    where what is left is still a rectangle.

    About fifty of these make an exposure, most of them small, so the bookkeeping is plain float
    arithmetic and the blend is three uint8 passes written straight into the frame."""
    h, w = rgba.shape[:2]
    coeffs = m[:2].ravel().tolist()   # Python floats: numpy scalars' arithmetic is slow
    box = _box(frame.shape, w, h, coeffs)
    if hidden is not None:
        box = _trimmed(box, hidden)
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0 or opacity <= 0:
        return
    a, b, tx, c, d, ty = coeffs
    # Painted pixels have their centres at +0.5 (pixel i covers [i, i+1)); OpenCV samples at
    # integer coordinates. Conjugating by the half-pixel shift, T(-x0-.5, -y0-.5) m T(.5, .5),
    # keeps mirrors exact: a puppet at the stage's centre facing left is the pixel-for-pixel
    # flip of it facing right.
    shifted = np.array([[a, b, 0.5 * (a + b) + tx - x0 - 0.5],
                        [c, d, 0.5 * (c + d) + ty - y0 - 0.5]])
    patch = cv2.warpAffine(rgba, shifted, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
    if opacity < 1.0:
        patch = cv2.convertScaleAbs(patch, alpha=opacity)
    dst = frame[y0:y1, x0:x1]
    copied = _copied(solid, coeffs, box) if opacity >= 1.0 else None
    if copied is None:
        _over(dst, patch)
        return
    c0, r0, c1, r1 = copied[0] - x0, copied[1] - y0, copied[2] - x0, copied[3] - y0
    for rows, cols in ((np.s_[:r0], np.s_[:]), (np.s_[r1:], np.s_[:]),
                       (np.s_[r0:r1], np.s_[:c0]), (np.s_[r0:r1], np.s_[c1:])):
        if dst[rows, cols].size:
            _over(dst[rows, cols], patch[rows, cols])
    cv2.cvtColor(patch[r0:r1, c0:c1], cv2.COLOR_RGBA2RGB, dst=dst[r0:r1, c0:c1])


def copied_rect(frame_shape: tuple[int, ...], rgba: np.ndarray, m: np.ndarray,
                solid: Rect | None) -> Rect | None:
    """The frame pixels that `blit(frame, rgba, m, solid=solid)` copies from `rgba` rather
    than blends: whatever was beneath them is never seen. None when it blends everything."""
    h, w = rgba.shape[:2]
    coeffs = m[:2].ravel().tolist()
    return _copied(solid, coeffs, _box(frame_shape, w, h, coeffs))


def sprite_box(frame_shape: tuple[int, ...], rgba: np.ndarray, m: np.ndarray) -> Rect:
    """The frame pixels `blit` would touch drawing `rgba` through `m` (empty: x1 <= x0)."""
    return _box(frame_shape, rgba.shape[1], rgba.shape[0], m[:2].ravel().tolist())


def _box(frame_shape: tuple[int, ...], w: int, h: int, coeffs: list[float]) -> Rect:
    """The frame pixels a w x h sprite touches through the affine `coeffs` (a, b, tx, c, d, ty),
    clipped to the frame (empty when x1 <= x0 or y1 <= y0)."""
    a, b, tx, c, d, ty = coeffs
    # Bilinear sampling spreads the sprite's edge pixels half a pixel beyond its rectangle, so
    # the box is that of (-0.5, w + 0.5) x (-0.5, h + 0.5); frame pixel X has its centre at X + 0.5.
    u0, u1, v0, v1 = -0.5, w + 0.5, -0.5, h + 0.5
    xs = (a * u0 + b * v0, a * u1 + b * v0, a * u0 + b * v1, a * u1 + b * v1)
    ys = (c * u0 + d * v0, c * u1 + d * v0, c * u0 + d * v1, c * u1 + d * v1)
    return (max(0, math.floor(min(xs) + tx - 0.5)), max(0, math.floor(min(ys) + ty - 0.5)),
            min(frame_shape[1], math.ceil(max(xs) + tx - 0.5) + 1),
            min(frame_shape[0], math.ceil(max(ys) + ty - 0.5) + 1))


def _copied(solid: Rect | None, coeffs: list[float], box: Rect) -> Rect | None:
    """The frame pixels of `box` whose every sample lands inside the sprite's opaque `solid`
    (sprite pixels), when `coeffs` only shift and scale; None otherwise or if that is empty."""
    a, b, tx, c, d, ty = coeffs
    if solid is None or b != 0.0 or c != 0.0 or a <= 0.0 or d <= 0.0:
        return None
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0:
        return None
    core = _inside(solid, (a, tx - x0, d, ty - y0), (x1 - x0, y1 - y0))
    if core is None:
        return None
    (r0, r1), (c0, c1) = core
    return x0 + c0, y0 + r0, x0 + c1, y0 + r1


def _trimmed(box: Rect, hidden: Rect) -> Rect:
    """`box` less `hidden` where that leaves a rectangle (`hidden` spans the box's width and
    covers its top or bottom, or spans its height and covers a side); else `box` unchanged."""
    x0, y0, x1, y1 = box
    hx0, hy0, hx1, hy1 = hidden
    if hx0 <= x0 and x1 <= hx1:
        if hy0 <= y0 < hy1:
            y0 = min(hy1, y1)
        if hy0 < y1 <= hy1:
            y1 = max(hy0, y0)
    elif hy0 <= y0 and y1 <= hy1:
        if hx0 <= x0 < hx1:
            x0 = min(hx1, x1)
        if hx0 < x1 <= hx1:
            x1 = max(hx0, x0)
    return x0, y0, x1, y1


def around(hidden: Rect | None, w: int, h: int) -> list[Rect]:
    """The whole w x h frame, or without `hidden`: up to four rectangles (the rows above and
    below it, then the two sides of its rows)."""
    if hidden is None:
        return [(0, 0, w, h)]
    hx0, hy0, hx1, hy1 = hidden
    bands = [(0, 0, w, hy0), (0, hy1, w, h), (0, hy0, hx0, hy1), (hx1, hy0, w, hy1)]
    return [r for r in bands if r[2] > r[0] and r[3] > r[1]]


def _over(dst: np.ndarray, patch: np.ndarray) -> None:
    """dst = patch + dst * (1 - alpha), in place: (h, w, 3) under (h, w, 4) premultiplied.
    (extractChannel, where a `patch[:, :, 3]` view would be copied by numpy on its way in.)"""
    clear = cv2.cvtColor(cv2.bitwise_not(cv2.extractChannel(patch, 3)), cv2.COLOR_GRAY2RGB)
    cv2.multiply(dst, clear, dst=dst, scale=1 / 255)
    cv2.add(dst, cv2.cvtColor(patch, cv2.COLOR_RGBA2RGB), dst=dst)


SOLID_BLOCK = 8           # px; the solid rectangle is searched on blocks of this size
SOLID_WORTH = 40_000      # px; copying saves ~1.7 ns a pixel, the four extra blends cost ~60 µs


def solid_rectangle(alpha: np.ndarray) -> Rect | None:
    """The largest rectangle of whole SOLID_BLOCK blocks in which `alpha` is 255 throughout, as
    (x0, y0, x1, y1) pixels, or None if under SOLID_WORTH pixels. (The classic largest rectangle
    in a histogram, row by row, on the block grid: a few thousand steps for a backdrop layer.)"""
    k = SOLID_BLOCK
    rows, cols = alpha.shape[0] // k, alpha.shape[1] // k
    if rows * cols * k * k < SOLID_WORTH:
        return None
    blocks = (alpha[:rows * k, :cols * k] == 255).reshape(rows, k, cols, k).all(axis=(1, 3))
    heights = [0] * (cols + 1)                # a zero sentinel closes every run at the end
    best, found = 0, None
    for y, row in enumerate(blocks.tolist()):
        for x, full in enumerate(row):
            heights[x] = heights[x] + 1 if full else 0
        stack: list[int] = []
        for x, h in enumerate(heights):
            while stack and heights[stack[-1]] >= h:
                top = stack.pop()
                start = stack[-1] + 1 if stack else 0
                area = heights[top] * (x - start)
                if area > best:
                    best, found = area, (start, y + 1 - heights[top], x, y + 1)
            stack.append(x)
    if found is None or best * k * k < SOLID_WORTH:
        return None
    x0, y0, x1, y1 = found
    return x0 * k, y0 * k, x1 * k, y1 * k


def _inside(solid: Rect, place: tuple[float, float, float, float],
            size: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The patch pixels ((row0, row1), (col0, col1)) whose bilinear samples all fall inside the
    sprite rectangle `solid`, for the placement `place` = (x scale, x shift, y scale, y shift)
    of sprite pixels in the patch; None if that leaves nothing. Patch pixel X samples sprite
    position (X + 0.5 - shift) / scale - 0.5, whose two taps must lie in [j0, j1 - 1]; one more
    pixel is given up on each side for the warp's own rounding of positions."""
    sx, shift_x, sy, shift_y = place
    j0, i0, j1, i1 = solid

    def span(scale: float, shift: float, first: int, end: int, length: int) -> tuple[int, int]:
        low = math.ceil(scale * (first + 0.5) + shift - 0.5) + 1
        high = math.floor(scale * (end - 0.5) + shift - 0.5)      # inclusive
        return max(low, 0), min(high, length)

    cols, rows = span(sx, shift_x, j0, j1, size[0]), span(sy, shift_y, i0, i1, size[1])
    if cols[1] <= cols[0] or rows[1] <= rows[0]:
        return None
    return rows, cols
