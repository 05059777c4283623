"""A disintegrating layer tears into irregular shards that, at rest, still make the whole layer."""
from __future__ import annotations

import numpy as np

from renderer.paint.prims import Sprite
from renderer.paint.shards import SHARD_SIZE, layer_shards


def painting(w: int = 400, h: int = 260, scale: float = 1.0) -> Sprite:
    rng = np.random.default_rng(5)
    rgba = np.zeros((h, w, 4), np.uint8)
    rgba[20:240, 30:380, :3] = rng.integers(40, 255, (220, 350, 3), np.uint8)
    rgba[20:240, 30:380, 3] = 255
    return Sprite(rgba, (100.0, 50.0), scale)


def laid_back(sprite: Sprite, shards) -> np.ndarray:
    """Every shard's paint put back where it came from (as drawn at rest), the most covering
    one winning: (h, w, 4)."""
    out = np.zeros_like(sprite.rgba)
    for rgba, (ox, oy), _ in shards:
        x0 = round((ox - sprite.origin[0]) * sprite.scale)
        y0 = round((oy - sprite.origin[1]) * sprite.scale)
        h, w = rgba.shape[:2]
        np.maximum(out[y0:y0 + h, x0:x0 + w], rgba, out=out[y0:y0 + h, x0:x0 + w])
    return out


def test_the_shards_at_rest_make_the_whole_painting_without_a_gap():
    sprite = painting()
    assert np.array_equal(laid_back(sprite, layer_shards(sprite)), sprite.rgba)


def test_shards_are_torn_pieces_not_squares():
    sprite = painting()
    shards = layer_shards(sprite)
    inner = [s for s in shards if s[0].shape[0] > 40 and s[0].shape[1] > 40]
    assert len(inner) >= 6
    # a square tile fills its box; a torn Voronoi cell fills well under it
    fill = [float((rgba[..., 3] > 0).mean()) for rgba, _, _ in inner]
    assert np.median(fill) < 0.85, fill
    assert len({rgba.shape[:2] for rgba, _, _ in inner}) > len(inner) // 2


def test_a_shards_size_follows_the_painting_scale():
    small = painting(scale=1.0)
    large = Sprite(np.kron(small.rgba, np.ones((2, 2, 1), np.uint8)), small.origin, 2.0)
    # the same stage area at twice the pixels tears into about as many shards: one a
    # SHARD_SIZE cell of the painted 350 x 220 units, give or take the cells at its edges
    cells = (350 / SHARD_SIZE) * (220 / SHARD_SIZE)
    a, b = len(layer_shards(small)), len(layer_shards(large))
    assert cells <= a <= 2.5 * cells and cells <= b <= 2.5 * cells, (a, b, cells)
    assert abs(a - b) <= max(2, a // 5), (a, b)


def test_the_middle_of_each_shard_lies_on_it():
    sprite = painting()
    for rgba, _, (mx, my) in layer_shards(sprite):
        h, w = rgba.shape[:2]
        assert -1 <= mx * sprite.scale <= w + 1 and -1 <= my * sprite.scale <= h + 1


def test_a_layer_tears_the_same_way_every_time():
    sprite = painting()
    a, b = layer_shards(sprite), layer_shards(sprite)
    assert len(a) == len(b)
    assert all(np.array_equal(x[0], y[0]) and x[1] == y[1] for x, y in zip(a, b))
