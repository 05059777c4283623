"""Checks of the moviepy twin's geometry (run with `pytest benchmarks`; not timed)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

from benchmarks.mpy_compose import rotated_size
from benchmarks.mpy_export import decompose, unpremultiply
from renderer.stage import rig


@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("theta", [0.0, 17.0, -95.0])
def test_decompose_recovers_scale_rotation_mirror_and_centre(flip, theta):
    w, h = 40, 30
    mirror = rig.translate(w, 0) @ rig.scale(-1, 1) if flip else np.eye(3)
    m = rig.translate(300, 200) @ rig.rotate(theta) @ rig.scale(0.7) \
        @ rig.translate(-w / 2, -h / 2) @ mirror
    scale, angle, flipped, centre = decompose(m, w, h)
    assert flipped == flip
    assert scale == pytest.approx(0.7)
    assert math.remainder(angle + theta, 360) == pytest.approx(0, abs=1e-6)  # moviepy: anticlockwise
    assert centre == pytest.approx((300, 200))


@pytest.mark.parametrize("angle", [0, 10, 45, 90, 133, -20])
def test_rotated_size_matches_pillow(angle):
    img = Image.new("RGBA", (37, 21))
    assert rotated_size(37, 21, angle) == img.rotate(angle, expand=True).size


def test_unpremultiply_restores_colour_and_fills_the_transparent_edge():
    rgba = np.zeros((9, 9, 4), np.uint8)
    rgba[3:6, 3:6] = (100, 50, 25, 128)           # premultiplied: straight (199, 100, 50)
    out = unpremultiply(rgba)
    assert tuple(out[4, 4]) == pytest.approx((199, 100, 50, 128), abs=1)
    assert out[0, 4, 3] == 0 and out[2, 4, :3].max() > 100   # transparent, but not black


def test_the_ratio_is_taken_within_each_repeat():
    """Each repeat's two cases ran back to back; their ratios are 0.8, 0.91 and 0.75, so the
    median is 0.8 (the ratio of the two medians, 3.0 / 4.0, would pair different repeats)."""
    from benchmarks.run import paired_ratio
    encode = [({"wall": 2.0}, None), ({"wall": 4.0}, None), ({"wall": 3.0}, None)]
    stopmo = [({"wall": 2.5}, None), ({"wall": 4.4}, None), ({"wall": 4.0}, None)]
    assert paired_ratio(encode, stopmo) == pytest.approx(0.8)
