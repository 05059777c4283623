"""A painted layer torn into shards, for a set that falls apart (`do: disintegrate`).

The shards are the cells of a Voronoi diagram of one seed per cell of a SHARD_SIZE grid, each
seed placed at random in its cell, with edges that wander (every pixel goes to the seed nearest
to where a smooth random displacement moves it): the layer tears like felt or paper into
irregular pieces, not into squares. Each shard keeps the paint under it, grown by a pixel over
its neighbours so that the layer, while still whole, shows no seams. The tearing is fixed by the
painting's size, so a layer tears the same way in every render. It is worked out on a grid of
TEAR_PX pixels (a torn edge has no finer detail to lose): tearing a near layer's 2500 x 1400
painting peaked at 137 MB worked out per pixel, and at 33 MB on the grid, its shards included.
"""
from __future__ import annotations

import cv2
import numpy as np

from renderer import jitter
from renderer.paint.prims import Sprite

SHARD_SIZE = 90.0     # stage units: the mean size of a shard
WOBBLE = 0.22         # of a shard's size: how far its torn edges wander from straight
WOBBLE_CELLS = 3      # wanderings along one shard's edge
TEAR_PX = 2           # painting pixels a side of the grid the tearing is worked out on

Shard = tuple[np.ndarray, tuple[float, float], tuple[float, float]]


def layer_shards(sprite: Sprite) -> tuple[Shard, ...]:
    """`sprite` torn into the shards that hold paint: (premultiplied rgba of the shard's box,
    stage position of the box's top left corner, the shard's middle from that corner in stage
    units), in the order of their seeds, row by row."""
    rgba = sprite.rgba
    h, w = rgba.shape[:2]
    step = max(4, round(SHARD_SIZE * sprite.scale / TEAR_PX))   # grid cells a shard
    labels, seeds = _torn_cells(-(-w // TEAR_PX), -(-h // TEAR_PX), step)
    inside = rgba[..., 3] > 0
    grow = np.ones((3, 3), np.uint8)
    shards = []
    for k, (sx, sy) in enumerate(seeds, start=1):
        # every grid cell of a shard is within two cells of its seed (`_torn_cells`)
        gx0, gy0 = max(0, sx - 2 * step), max(0, sy - 2 * step)
        gx1, gy1 = sx + 2 * step + 1, sy + 2 * step + 1
        cells = (labels[gy0:gy1, gx0:gx1] == k).astype(np.float32)
        x0, y0 = gx0 * TEAR_PX, gy0 * TEAR_PX
        # enlarged smoothly and cut at half: torn edges, not the grid's stairs (the few pixels
        # where three shards meet and none reaches half are filled by growing each a pixel)
        smooth = cv2.resize(cells, (cells.shape[1] * TEAR_PX, cells.shape[0] * TEAR_PX),
                            interpolation=cv2.INTER_LINEAR)
        mask = (smooth[:h - y0, :w - x0] >= 0.5).view(np.uint8)
        mask = cv2.dilate(mask, grow)
        mask &= inside[y0:y0 + mask.shape[0], x0:x0 + mask.shape[1]]
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        if rows.size == 0:
            continue
        r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        mask = mask[r0:r1, c0:c1]
        piece = rgba[y0 + r0:y0 + r1, x0 + c0:x0 + c1] * mask[..., None]
        m = cv2.moments(mask, binaryImage=True)       # its middle: the centroid of its pixels
        shards.append((np.ascontiguousarray(piece),
                       (sprite.origin[0] + (x0 + c0) / sprite.scale,
                        sprite.origin[1] + (y0 + r0) / sprite.scale),
                       ((m["m10"] / m["m00"] + 0.5) / sprite.scale,
                        (m["m01"] / m["m00"] + 0.5) / sprite.scale)))
    return tuple(shards)


def _torn_cells(w: int, h: int, step: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """(labels, seeds) on a w x h grid torn into cells of about `step`: for every point the
    number (from 1) of the seed it belongs to, and the seeds' positions in that numbering (row
    by row). Each seed lies in the middle 0.6 of its own cell of a `step` grid and every point
    is moved by at most half a cell before the nearest seed is found, so a point's seed is
    within two cells of it."""
    gw, gh = -(-w // step), -(-h // step)
    rng = jitter.stream(0, "shards", w, h, step)
    cells = np.stack(np.meshgrid(np.arange(gw), np.arange(gh)), axis=-1).reshape(-1, 2)
    seeds = (cells + 0.2 + 0.6 * rng.random(cells.shape)) * step
    seeds = np.minimum(np.rint(seeds), [w - 1, h - 1]).astype(int)
    # one seed per cell, at least 0.2 of a cell apart: no two on one point; OpenCV numbers the
    # zero points of the distance transform row by row
    seeds = seeds[np.lexsort((seeds[:, 0], seeds[:, 1]))]
    marks = np.ones((h, w), np.uint8)
    marks[seeds[:, 1], seeds[:, 0]] = 0
    _, labels = cv2.distanceTransformWithLabels(marks, cv2.DIST_L2, 5,
                                                labelType=cv2.DIST_LABEL_PIXEL)
    shift = rng.standard_normal((gh * WOBBLE_CELLS + 2, gw * WOBBLE_CELLS + 2, 2))
    shift = np.clip(shift * WOBBLE * step, -step / 2, step / 2).astype(np.float32)
    shift = cv2.resize(shift, (w, h), interpolation=cv2.INTER_LINEAR)
    map_x = shift[..., 0] + np.arange(w, dtype=np.float32)
    map_y = shift[..., 1] + np.arange(h, dtype=np.float32)[:, None]
    labels = cv2.remap(labels.astype(np.float32), map_x, map_y, cv2.INTER_NEAREST,
                       borderMode=cv2.BORDER_REPLICATE).astype(np.int32)
    return labels, [(int(x), int(y)) for x, y in seeds]
