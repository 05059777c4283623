"""Weather is laid over the frame as a coverage mask in one colour, and is a pure function of the
exposure: rain falls anew in every photograph, a held exposure shows the same drops."""
import numpy as np
import pytest

from renderer.compose import weather
from renderer.model.vocab import WEATHER_KINDS


def reference_blend(frame: np.ndarray, mask: np.ndarray, colour) -> np.ndarray:
    """frame * (255 - m) / 255 + colour * m / 255, each term rounded, in integers."""
    m = mask.astype(np.int64)[..., None]
    kept = (frame.astype(np.int64) * (255 - m) * 2 + 255) // 510       # round half up
    tint = (np.array(colour, np.int64) * m * 2 + 255) // 510
    return np.minimum(kept + tint, 255).astype(np.uint8)


@pytest.mark.parametrize("kind", WEATHER_KINDS)
def test_each_kind_is_blended_as_its_coverage_says(kind):
    rng = np.random.default_rng(4)
    frame = (rng.random((90, 160, 3)) * 255).astype(np.uint8)
    mask, colour = weather.mask_of(kind, 90, 160, 1.0, 7, "shot/3", 1.25)
    assert mask.shape == (90, 160) and mask.dtype == np.uint8 and mask.any()
    out = frame.copy()
    weather._blend_mask(out, mask, colour)
    assert np.array_equal(out, reference_blend(frame, mask, colour))
    assert np.array_equal(out[mask == 0], frame[mask == 0])     # untouched where nothing falls


def test_a_random_mask_and_colour_blend_exactly():
    rng = np.random.default_rng(5)
    for _ in range(50):
        frame = (rng.random((40, 60, 3)) * 255).astype(np.uint8)
        mask = (rng.random((40, 60)) * 256).astype(np.uint8)
        mask[rng.random((40, 60)) < 0.5] = 0
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        out = frame.copy()
        weather._blend_mask(out, mask, colour)
        assert np.array_equal(out, reference_blend(frame, mask, colour))


def test_an_empty_mask_leaves_the_frame_alone():
    frame = np.full((30, 40, 3), 99, np.uint8)
    weather._blend_mask(frame, np.zeros((30, 40), np.uint8), (255, 0, 0))
    assert (frame == 99).all()


def test_rain_is_new_in_every_exposure_and_the_same_within_one():
    first, _ = weather.rain(90, 160, 1.0, 7, "shot/3", 0.0)
    again, _ = weather.rain(90, 160, 1.0, 7, "shot/3", 0.0)
    next_one, _ = weather.rain(90, 160, 1.0, 7, "shot/4", 0.0)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, next_one)
