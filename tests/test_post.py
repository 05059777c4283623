"""Post effects: grades move colour the right way per world, flicker and grain stay within their
ranges, a held exposure is the same photograph, and the look does not depend on resolution."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from renderer.compose.post import (
    GRADES,
    GRAIN_PLATES,
    ExposureLook,
    Flicker,
    Grain,
    Halation,
    PostChain,
    Vignette,
)
from renderer.errors import SceneError

FLICKER_TOLERANCE = 0.004      # relative: 1.02 must give 1.016..1.024
GRAIN_MEAN_LEVELS = 0.5        # grain must not shift mean luminance by more than this
REGION_LEVELS = 4.0            # per-region mean difference allowed between 320 and 720 renders


def scene(width: int, height: int) -> np.ndarray:
    """A colourful test frame laid out in stage units: wall gradient, colour patches, a face, a
    lamp and a grey ramp."""
    s = width / 1920
    y = np.linspace(0, 1, height)[:, None, None]
    x = np.linspace(0, 1, width)[None, :, None]
    img = np.array([150, 130, 110]) * (0.6 + 0.4 * (1 - y)) * (0.8 + 0.2 * x) * np.ones((1, 1, 1))
    img = np.ascontiguousarray(img, dtype=np.float32)
    patches = [(200, 40, 40), (40, 160, 60), (40, 70, 190), (220, 200, 60), (60, 180, 190)]
    for i, c in enumerate(patches):
        x0 = int((100 + i * 300) * s)
        img[int(100 * s):int(300 * s), x0:x0 + int(240 * s)] = c
    cv2.circle(img, (int(700 * s), int(640 * s)), int(160 * s), (230, 180, 150), -1)
    cv2.circle(img, (int(1500 * s), int(560 * s)), int(50 * s), (255, 250, 235), -1)
    ramp = np.linspace(0, 255, width)[None, :, None]
    img[int(880 * s):int(1000 * s)] = ramp
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)


def grey(width=320, height=180, level=128) -> np.ndarray:
    return np.full((height, width, 3), level, np.uint8)


def luma(frame: np.ndarray) -> float:
    return float(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float64).mean())


def warmth(frame: np.ndarray) -> float:
    """Mean R - B, in levels."""
    f = frame.astype(np.float64)
    return float((f[..., 0] - f[..., 2]).mean())


def chroma(frame: np.ndarray) -> float:
    """Mean (max - min) over channels: a simple saturation measure, in levels."""
    f = frame.astype(np.int16)
    return float((f.max(axis=2) - f.min(axis=2)).mean())


# --- grades ---------------------------------------------------------------------------------------

def test_other_world_is_warmer_and_more_saturated():
    base = scene(640, 360)
    out = GRADES["other"].apply(base.copy())
    assert warmth(out) > warmth(base) + 10
    assert chroma(out) > chroma(base) * 1.15


def test_real_world_is_colder_and_less_saturated():
    base = scene(640, 360)
    out = GRADES["real"].apply(base.copy())
    assert warmth(out) < warmth(base) - 10
    assert chroma(out) < chroma(base) * 0.8


def test_nightmare_is_pale_cold_green_grey_with_deep_blacks():
    base = scene(640, 360)
    out = GRADES["nightmare"].apply(base.copy())
    assert chroma(out) < chroma(base) * 0.7
    assert warmth(out) < warmth(base) - 10
    black = GRADES["nightmare"].apply(grey(level=0))[0, 0]
    assert black.max() <= 10                 # deep blacks: a readable key, not a murky lift
    white = GRADES["nightmare"].apply(grey(level=235))[0, 0]
    assert white.min() >= 215                # and its light still reads pale
    mid = GRADES["nightmare"].apply(grey(level=128))[0, 0].astype(int)
    assert mid[1] > mid[0] and mid[1] >= mid[2]                  # green leads: sickly


def test_grades_are_distinct_per_world():
    base = scene(320, 180)
    outs = {w: g.apply(base.copy()) for w, g in GRADES.items()}
    assert warmth(outs["other"]) > warmth(outs["real"]) + 20
    assert chroma(outs["other"]) > 1.5 * chroma(outs["nightmare"])


def premultiplied(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    a3 = cv2.cvtColor(alpha, cv2.COLOR_GRAY2RGB)
    return cv2.merge((*cv2.split(cv2.multiply(rgb, a3, scale=1 / 255)), alpha))


def over(painting: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """Premultiplied `painting` laid over an RGB `frame`."""
    inv = cv2.cvtColor(cv2.bitwise_not(np.ascontiguousarray(painting[..., 3])), cv2.COLOR_GRAY2RGB)
    return cv2.add(cv2.multiply(frame, inv, scale=1 / 255),
                   cv2.cvtColor(painting, cv2.COLOR_RGBA2RGB))


@pytest.mark.parametrize("world", sorted(GRADES))
def test_a_graded_opaque_painting_is_the_graded_frame(world):
    rgb = scene(320, 180)
    painting = GRADES[world].paint(cv2.cvtColor(rgb, cv2.COLOR_RGB2RGBA))
    assert np.array_equal(painting[..., :3], GRADES[world].apply(rgb.copy()))
    assert (painting[..., 3] == 255).all()


@pytest.mark.parametrize("world", sorted(GRADES))
def test_graded_paintings_laid_over_each_other_look_like_the_graded_picture(world):
    """Grading each painting once equals grading every frame, up to a few levels where paint is
    soft-edged or translucent (the grade is affine but for gammas close to 1): at most 3 % of
    full scale at the worst pixel and half a level on average."""
    grade = GRADES[world]
    backdrop = scene(320, 180)
    alpha = np.zeros((180, 320), np.uint8)
    cv2.circle(alpha, (160, 90), 60, 255, -1, cv2.LINE_AA)
    alpha = cv2.GaussianBlur(alpha, (0, 0), 6)                 # a wide soft edge: the worst case
    alpha[:, :40] = 140                                        # and a translucent band (a glow)
    paint = np.empty_like(backdrop)
    paint[:] = (60, 170, 220)
    painting = premultiplied(paint, alpha)
    per_frame = grade.apply(over(painting, backdrop))
    graded_backdrop = grade.paint(cv2.cvtColor(backdrop, cv2.COLOR_RGB2RGBA))
    once = over(grade.paint(painting), cv2.cvtColor(graded_backdrop, cv2.COLOR_RGBA2RGB))
    assert np.abs(per_frame.astype(int) - once).max() <= 8
    assert np.abs(per_frame.astype(float) - once).mean() < 0.5


def test_grading_keeps_coverage_and_leaves_empty_pixels_empty():
    alpha = np.zeros((40, 40), np.uint8)
    alpha[10:30, 10:30] = 200
    paint = np.full((40, 40, 3), (200, 90, 40), np.uint8)
    graded = GRADES["other"].paint(premultiplied(paint, alpha))
    assert np.array_equal(graded[..., 3], alpha)
    assert not graded[alpha == 0].any()
    assert (graded[..., :3].max(axis=2) <= alpha).all()        # still premultiplied


def test_a_tall_painting_is_graded_row_for_row_as_its_rows_alone():
    # graded a band of rows at a time (a close-up's backdrop is tens of millions of pixels):
    # opaque bands and translucent ones meet without a seam
    rng = np.random.default_rng(4)
    alpha = rng.integers(0, 256, (601, 23)).astype(np.uint8)
    alpha[:300] = 255
    painting = premultiplied(rng.integers(0, 256, (601, 23, 3)).astype(np.uint8), alpha)
    grade = GRADES["nightmare"]
    rows = np.concatenate([grade.paint(painting[i:i + 1]) for i in range(len(painting))])
    assert np.array_equal(grade.paint(painting), rows)


# --- flicker --------------------------------------------------------------------------------------

def test_flicker_raises_mean_luminance_by_its_gain():
    frame = Flicker().apply(grey(), ExposureLook(flicker=1.02))
    assert luma(frame) / 128 == pytest.approx(1.02, abs=FLICKER_TOLERANCE)


def test_flicker_of_one_with_grain_leaves_grey_untouched_within_grain():
    grain = Grain(seed=1, width=320, height=180)
    look = ExposureLook(flicker=1.0, grain=3)
    frame = grain.apply(Flicker().apply(grey(), look), look)
    assert abs(luma(frame) - 128) < GRAIN_MEAN_LEVELS
    assert np.abs(frame.astype(int) - 128).max() < 25


def test_chain_applies_the_flicker():
    chain = PostChain.build(640, 360, "real", seed=2)
    base = scene(640, 360)
    steady = chain.apply(base.copy(), ExposureLook(1.0, 5))
    brighter = chain.apply(base.copy(), ExposureLook(1.02, 5))
    assert luma(brighter) / luma(steady) == pytest.approx(1.02, abs=FLICKER_TOLERANCE)


# --- holds and grain ------------------------------------------------------------------------------

def test_same_exposure_look_gives_identical_frames():
    chain = PostChain.build(640, 360, "other", seed=7)
    base = scene(640, 360)
    a = chain.apply(base.copy(), ExposureLook(1.013, 4))
    b = chain.apply(base.copy(), ExposureLook(1.013, 4))
    again = PostChain.build(640, 360, "other", seed=7).apply(base.copy(), ExposureLook(1.013, 4))
    assert np.array_equal(a, b) and np.array_equal(a, again)


def test_grain_indexes_differ_and_cycle():
    chain = PostChain.build(640, 360, "real", seed=7)
    base = scene(640, 360)
    frames = [chain.apply(base.copy(), ExposureLook(1.0, k)) for k in range(GRAIN_PLATES + 1)]
    for k in range(GRAIN_PLATES - 1):
        assert not np.array_equal(frames[k], frames[k + 1])
    assert np.array_equal(frames[0], frames[GRAIN_PLATES])


def test_grain_plates_are_uncorrelated():
    grain = Grain(seed=3, width=640, height=360)
    plates = [grain.plate(k).ravel().astype(float) for k in range(GRAIN_PLATES)]
    for k in range(GRAIN_PLATES - 1):
        assert abs(np.corrcoef(plates[k], plates[k + 1])[0, 1]) < 0.1


def test_grain_has_zero_mean_visible_std_and_is_luminance_only():
    look = ExposureLook(1.0, 2)
    frame = Grain(seed=5, width=1280, height=720).apply(grey(1280, 720), look)
    assert abs(luma(frame) - 128) < GRAIN_MEAN_LEVELS
    assert frame[..., 0].std() > 1.5
    assert np.array_equal(frame[..., 0], frame[..., 1])
    assert np.array_equal(frame[..., 1], frame[..., 2])


def test_grain_depends_on_seed():
    a = Grain(seed=1, width=320, height=180).plate(0)
    b = Grain(seed=2, width=320, height=180).plate(0)
    assert not np.array_equal(a, b)


# --- vignette and halation ------------------------------------------------------------------------

def test_vignette_darkens_corners_not_centre():
    frame = Vignette(width=640, height=360).apply(grey(640, 360, 200), ExposureLook())
    assert np.array_equal(frame[170:190, 310:330], grey(20, 20, 200))
    for corner in (frame[:10, :10], frame[:10, -10:], frame[-10:, :10], frame[-10:, -10:]):
        assert corner.mean() < 200 * 0.8


@pytest.mark.parametrize("width, height", [(640, 360), (1000, 562), (322, 181)])
def test_vignette_is_centred_on_the_frame(width, height):
    """Mirror-symmetric about both midlines, also where rounding the height to even pixels made
    the frame a little off 16:9; its darkest point is a corner, its brightest the centre."""
    plate = Vignette(width=width, height=height).plate()
    assert plate.shape == (height, width, 3)
    assert np.array_equal(plate, plate[::-1]) and np.array_equal(plate, plate[:, ::-1])
    assert plate[0, 0, 0] == plate.min() < plate[height // 2, width // 2, 0] == 255


def test_halation_adds_a_warm_glow_near_bright_areas_only():
    frame = grey(640, 360, 30)
    cv2.circle(frame, (320, 180), 20, (255, 255, 255), -1)
    out = Halation().apply(frame.copy(), ExposureLook())
    near = out[180, 342:352].astype(int) - 30                    # just outside the lamp
    assert near[:, 0].mean() > 3 and near[:, 0].mean() > near[:, 2].mean() + 1   # warm
    assert np.array_equal(out[:40, :40], frame[:40, :40])        # far away: untouched


def test_halation_leaves_dark_frames_alone():
    frame = grey(640, 360, 90)
    assert np.array_equal(Halation().apply(frame.copy(), ExposureLook()), frame)


# --- the chain ------------------------------------------------------------------------------------

@pytest.mark.parametrize("world", sorted(GRADES))
def test_same_look_at_320_and_720(world):
    big_in = scene(1280, 720)
    small_in = cv2.resize(big_in, (320, 180), interpolation=cv2.INTER_AREA)
    look = ExposureLook(1.01, 3)
    big = PostChain.build(1280, 720, world, seed=9).apply(big_in, look)
    small = PostChain.build(320, 180, world, seed=9).apply(small_in, look)
    shrunk = cv2.resize(big, (320, 180), interpolation=cv2.INTER_AREA)
    regions = lambda f: f.reshape(9, 20, 16, 20, 3).astype(float).mean(axis=(1, 3))  # noqa: E731
    assert np.abs(regions(shrunk) - regions(small)).max() < REGION_LEVELS


def test_zero_amounts_leave_only_the_flicker():
    base = scene(320, 180)
    chain = PostChain.build(320, 180, "other", seed=1, grain=0, vignette=0, halation=0)
    assert np.array_equal(chain.apply(base.copy(), ExposureLook()), base)
    brighter = chain.apply(base.copy(), ExposureLook(flicker=1.02))
    assert luma(brighter) / luma(base) == pytest.approx(1.02, abs=FLICKER_TOLERANCE)
    assert chain.grade == GRADES["other"]


def test_chain_works_in_place_and_checks_its_size():
    chain = PostChain.build(320, 180, "real", seed=1)
    frame = scene(320, 180)
    assert chain.apply(frame, ExposureLook()) is frame
    with pytest.raises(ValueError):
        chain.apply(scene(640, 360), ExposureLook())


def test_unknown_world_is_a_scene_error():
    with pytest.raises(SceneError, match="nightmare"):
        PostChain.build(320, 180, "dream", seed=1)
