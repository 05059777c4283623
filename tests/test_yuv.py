"""The encoder's input: RGB frames converted once per exposure to I420 (BT.709, limited range)."""
from __future__ import annotations

import subprocess

import cv2
import numpy as np
import pytest

from renderer.output.encode import ffmpeg_exe
from renderer.output.yuv import I420Converter

W, H = 64, 36


def planes(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    h, w = rgb.shape[:2]
    out = I420Converter(w, h).convert(rgb)
    n = w * h
    return (out[:n].reshape(h, w), out[n:n * 5 // 4].reshape(h // 2, w // 2),
            out[n * 5 // 4:].reshape(h // 2, w // 2))


# BT.709 in 8-bit limited range (ITU-R BT.709-6, table 4): Y' = 16 + 219 E'y, Cb/Cr = 128 +
# 224 E'cb/cr; white, black, the primaries and mid grey, rounded to the nearest level.
@pytest.mark.parametrize("rgb, ycbcr", [
    ((255, 255, 255), (235, 128, 128)),
    ((0, 0, 0), (16, 128, 128)),
    ((255, 0, 0), (63, 102, 240)),
    ((0, 255, 0), (173, 42, 26)),
    ((0, 0, 255), (32, 240, 118)),
    ((128, 128, 128), (126, 128, 128)),
])
def test_flat_colours_take_their_bt709_limited_range_values(rgb, ycbcr):
    y, cb, cr = planes(np.full((H, W, 3), rgb, np.uint8))
    assert (int(y[5, 5]), int(cb[3, 3]), int(cr[3, 3])) == ycbcr
    assert y.min() == y.max() and cb.min() == cb.max() and cr.min() == cr.max()


def test_chroma_is_the_mean_of_each_two_by_two_block():
    rgb = np.zeros((H, W, 3), np.uint8)
    rgb[0, 0] = (0, 0, 255)                 # one blue pixel of four: a quarter of its Cb lift
    _, cb, _ = planes(rgb)
    assert cb[0, 0] == round(128 + (240 - 128) / 4)
    assert cb[0, 1] == 128 and cb[1, 0] == 128


def test_it_matches_ffmpegs_own_conversion_of_a_picture():
    """ffmpeg's scaler (what the encoder used to run on every frame) makes the same planes from
    a smooth picture, to rounding: a level of luma, two of chroma (it filters chroma with a
    wider kernel, sited at the left column rather than the block's centre)."""
    rng = np.random.default_rng(3)
    w, h = 320, 180
    rgb = cv2.GaussianBlur(rng.integers(0, 256, (h, w, 3), np.uint8), (0, 0), 6)
    rgb = cv2.normalize(rgb, None, 0, 255, cv2.NORM_MINMAX)
    theirs = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}",
         "-i", "-", "-vf", "scale=out_color_matrix=bt709:out_range=tv", "-pix_fmt", "yuv420p",
         "-f", "rawvideo", "-"], input=rgb.tobytes(), capture_output=True, check=True).stdout
    theirs = np.frombuffer(theirs, np.uint8).astype(int)
    mine = I420Converter(w, h).convert(rgb).astype(int)
    n = w * h
    assert np.abs(mine[:n] - theirs[:n]).max() <= 1
    assert np.abs(mine[n:] - theirs[n:]).max() <= 2


def test_an_odd_size_is_refused():
    with pytest.raises(ValueError, match="even"):
        I420Converter(63, 36)
