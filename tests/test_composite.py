"""The compositor's fast paths give the same pixels as the plain ones they replace."""
import cv2
import numpy as np
import pytest
from conftest import REPO

from renderer.compose import blit as blit_mod
from renderer.compose import composite
from renderer.compose.blit import solid_rectangle
from renderer.load.project import Project
from renderer.load.scene import load_scene
from renderer.paint.sprites import LayerSprite
from renderer.render import exposures, plan_scene, render_exposure
from renderer.settings import settings_for
from renderer.stage import rig
from renderer.stage.pose import stage_exposure


def painting(w: int = 400, h: int = 240) -> LayerSprite:
    """A smooth opaque painting with distinct edge colours (so a border mode shows)."""
    rng = np.random.default_rng(3)
    rgb = cv2.GaussianBlur((rng.random((h, w, 3)) * 255).astype(np.uint8), (0, 0), 2)
    rgb[:, 0] = (250, 0, 0)
    rgb[:, -1] = (0, 250, 0)
    return LayerSprite(cv2.cvtColor(rgb, cv2.COLOR_RGB2RGBA), (0.0, 0.0), 1.0, True)


def bilinear(sprite: LayerSprite, place: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The reference, worked in floats: each frame pixel's centre taken back through `place`
    to the painting (whose pixel centres are at +0.5), sampled bilinearly with its edge
    pixels repeated beyond it."""
    w, h = size
    inverse = np.linalg.inv(place)
    xs, ys = np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)
    u = inverse[0, 0] * xs + inverse[0, 1] * ys + inverse[0, 2] - 0.5
    v = inverse[1, 0] * xs + inverse[1, 1] * ys + inverse[1, 2] - 0.5
    rgb = sprite.rgb.astype(np.float64)
    sh, sw = rgb.shape[:2]
    u0, v0 = np.floor(u), np.floor(v)
    fu, fv = (u - u0)[..., None], (v - v0)[..., None]

    def tap(du: int, dv: int) -> np.ndarray:
        return rgb[np.clip(v0 + dv, 0, sh - 1).astype(int), np.clip(u0 + du, 0, sw - 1).astype(int)]
    return (tap(0, 0) * (1 - fu) * (1 - fv) + tap(1, 0) * fu * (1 - fv)
            + tap(0, 1) * (1 - fu) * fv + tap(1, 1) * fu * fv)


@pytest.mark.parametrize("place", [
    rig.translate(-20.3, -11.7) @ rig.scale(0.83),                      # a push-in, inside
    rig.translate(-5.0, -3.0) @ rig.rotate(1.5) @ rig.scale(0.9),       # a tilted camera
    rig.translate(30.0, 0.0),                                           # sees past the left edge
    rig.scale(1.6),                                                     # sees past the right edge
    rig.scale(0.8),                # the last column's taps end exactly on the painting's edge
    rig.scale(0.799),              # ... and a hair beyond it
])
@pytest.mark.parametrize("hidden", [None, (100, 40, 220, 180)])
def test_a_covering_backdrop_is_the_painting_sampled_at_each_pixel_centre(place, hidden):
    """To a level (OpenCV places a sample to 1/32 of a pixel and rounds), whether the backdrop
    is warped whole or around what a layer in front copies over, which it leaves alone."""
    sprite = painting()
    frame = np.full((180, 320, 3), 7, np.uint8)
    composite._cover(frame, sprite, place, hidden)
    difference = np.abs(frame - bilinear(sprite, place, (320, 180)))
    shown = np.ones((180, 320), bool)
    if hidden is not None:
        x0, y0, x1, y1 = hidden
        shown[y0:y1, x0:x1] = False
        assert (frame[y0:y1, x0:x1] == 7).all()
    assert difference[shown].max() <= 1.0


def test_a_camera_seeing_past_the_backdrop_repeats_its_edge_instead_of_black():
    frame = np.zeros((180, 320, 3), np.uint8)
    composite._cover(frame, painting(), rig.translate(30.0, 0.0))
    assert (frame[:, :20] == (250, 0, 0)).all()


@pytest.mark.parametrize("place, opacity", [
    (rig.translate(100.4, 60.7) @ rig.rotate(17) @ rig.scale(0.7), 1.0),
    (rig.translate(-30.0, 150.0) @ rig.rotate(-40) @ rig.scale(1.3), 1.0),   # off the left edge
    (rig.translate(280.2, -20.5) @ rig.scale(-0.9, 0.9), 0.6),               # mirrored, faded
])
def test_blit_lays_a_premultiplied_sprite_over_the_frame(place, opacity):
    """Against a float reference: the sprite warped onto a whole transparent frame, then
    dst * (1 - alpha) + colour. The blit works in uint8 on the bounding box only, so it may
    differ by rounding: a level here and there."""
    rng = np.random.default_rng(5)
    alpha = np.zeros((90, 120), np.uint8)
    cv2.ellipse(alpha, (60, 45), (50, 30), 20, 0, 360, 255, -1, cv2.LINE_AA)
    alpha = cv2.GaussianBlur(alpha, (0, 0), 2)
    colour = (rng.random((90, 120, 3)) * 255).astype(np.uint8)
    sprite = np.dstack([(colour.astype(np.float64) * alpha[..., None] / 255).round()
                        .astype(np.uint8), alpha])
    frame = cv2.GaussianBlur((rng.random((180, 320, 3)) * 255).astype(np.uint8), (0, 0), 3)

    out = frame.copy()
    blit_mod.blit(out, sprite, place, opacity)

    shifted = rig.translate(-0.5, -0.5) @ place @ rig.translate(0.5, 0.5)
    warped = cv2.warpAffine(sprite, rig.affine(shifted), (320, 180), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT).astype(np.float64) * opacity
    expected = frame * (1 - warped[..., 3:] / 255) + warped[..., :3]
    assert np.abs(out - expected).max() <= 1.5
    assert (out != frame).any()


@pytest.mark.parametrize("place", [
    rig.translate(100.4, 60.7) @ rig.rotate(17) @ rig.scale(0.7),
    rig.translate(150.3, 40.6) @ rig.rotate(-33) @ rig.scale(2.5),
    rig.translate(200.7, 30.2) @ rig.scale(-1.6, 1.6),
])
def test_blit_keeps_the_soft_edge_of_a_sprite_painted_to_its_border(place):
    """Sprites carry no transparent margin: bilinear sampling spreads their edge pixels half a
    sprite pixel outward, and the blit's box must reach that far on every side."""
    rng = np.random.default_rng(9)
    sprite = np.dstack([(rng.random((30, 40, 3)) * 255).astype(np.uint8),
                        np.full((30, 40), 255, np.uint8)])
    frame = np.full((180, 320, 3), 90, np.uint8)

    out = frame.copy()
    blit_mod.blit(out, sprite, place)

    shifted = rig.translate(-0.5, -0.5) @ place @ rig.translate(0.5, 0.5)
    warped = cv2.warpAffine(sprite, rig.affine(shifted), (320, 180), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT).astype(np.float64)
    expected = frame * (1 - warped[..., 3:] / 255) + warped[..., :3]
    assert np.abs(out - expected).max() <= 1.5


def solid_sprite() -> np.ndarray:
    """A premultiplied sprite whose opaque core is exactly the block-aligned rectangle
    x 16..96, y 16..64, ramping to transparent over 6 pixels around it: one pixel outside the
    core is no longer opaque, so a copy reaching one pixel too far shows."""
    rng = np.random.default_rng(11)
    h, w = 80, 112
    ys, xs = np.mgrid[0:h, 0:w]
    outside = np.maximum(np.maximum(16 - xs, xs - 95), np.maximum(16 - ys, ys - 63))
    alpha = np.clip(255 - 40 * outside, 0, 255).astype(np.uint8)
    colour = (rng.random((h, w, 3)) * 255).astype(np.uint8)
    return np.dstack([(colour.astype(np.float64) * alpha[..., None] / 255).round()
                      .astype(np.uint8), alpha])


@pytest.mark.parametrize("place", [
    rig.translate(40.0, 30.0),                                     # whole pixels
    rig.translate(40.37, 30.81) @ rig.scale(0.93),                 # a layer seen from further
    rig.translate(-20.5, 101.25) @ rig.scale(1.61, 1.37),          # nearer, cut by the frame
    rig.translate(250.2, 20.7) @ rig.scale(-1.1, 1.1),             # mirrored: blended as before
    rig.translate(90.3, 40.1) @ rig.rotate(8) @ rig.scale(1.2),    # turned: blended as before
])
def test_a_solid_rectangle_is_copied_with_exactly_the_blended_pixels(place, monkeypatch):
    """A layer's solid rectangle is copied instead of blended wherever every sample lands
    inside it; the frame is the same to the last bit, and for a shift and scale most of the
    sprite is copied."""
    monkeypatch.setattr(blit_mod, "SOLID_WORTH", 1000)   # a small sprite, to keep the test fast
    sprite = solid_sprite()
    solid = solid_rectangle(sprite[..., 3])
    assert solid == (16, 16, 96, 64)
    rng = np.random.default_rng(12)
    frame = cv2.GaussianBlur((rng.random((180, 320, 3)) * 255).astype(np.uint8), (0, 0), 2)
    blended = frame.copy()
    blit_mod.blit(blended, sprite, place)
    seen = []
    over = blit_mod._over
    monkeypatch.setattr(blit_mod, "_over", lambda dst, patch: (seen.append(dst.shape[0] *
                                                                           dst.shape[1]),
                                                               over(dst, patch)))
    copied = frame.copy()
    blit_mod.blit(copied, sprite, place, solid=solid)
    assert np.array_equal(copied, blended)
    axis_aligned = place[0, 1] == 0 and place[0, 0] > 0
    box = sprite.shape[0] * sprite.shape[1] * abs(np.linalg.det(place[:2, :2]))
    assert (sum(seen) < 0.7 * box) == axis_aligned


def test_the_solid_rectangle_is_the_largest_one_of_whole_blocks(monkeypatch):
    """Against a brute-force search over every rectangle of random block masks."""
    monkeypatch.setattr(blit_mod, "SOLID_WORTH", 0)
    rng = np.random.default_rng(13)
    k = blit_mod.SOLID_BLOCK
    for _ in range(100):
        blocks = rng.random((6, 7)) < 0.7
        alpha = np.kron(blocks.astype(np.uint8) * 255, np.ones((k, k), np.uint8))
        alpha[rng.integers(0, 6 * k), rng.integers(0, 7 * k)] = 254   # one pixel spoils a block
        full = (alpha == 255).reshape(6, k, 7, k).all(axis=(1, 3))
        best = max(((y1 - y0) * (x1 - x0) for y0 in range(6) for y1 in range(y0 + 1, 7)
                    for x0 in range(7) for x1 in range(x0 + 1, 8)
                    if full[y0:y1, x0:x1].all()), default=0)
        found = solid_rectangle(alpha)
        if found is None:
            assert best == 0
            continue
        x0, y0, x1, y1 = found
        assert (alpha[y0:y1, x0:x1] == 255).all()
        assert (x1 - x0) * (y1 - y0) == best * k * k


SHIFT_AND_SCALE = [rig.translate(40.37, 30.81) @ rig.scale(0.93),
                   rig.translate(-20.5, 101.25) @ rig.scale(1.61, 1.37)]


@pytest.mark.parametrize("place", SHIFT_AND_SCALE)
def test_nothing_beneath_a_copied_rectangle_shows(place, monkeypatch):
    """The plain blend of the sprite comes out the same over a black and over a white frame
    everywhere `copied_rect` names: what lies beneath there never shows, so it need not be
    drawn. (Where the rectangle reached samples of the sprite's soft edge, they would differ.)"""
    monkeypatch.setattr(blit_mod, "SOLID_WORTH", 1000)
    sprite = solid_sprite()
    solid = solid_rectangle(sprite[..., 3])
    black, white = np.zeros((180, 320, 3), np.uint8), np.full((180, 320, 3), 255, np.uint8)
    for frame in (black, white):
        blit_mod.blit(frame, sprite, place)
    x0, y0, x1, y1 = blit_mod.copied_rect(black.shape, sprite, place, solid)
    # The solid core (16..96, 16..64) placed in the frame and cut by its edges: most is copied.
    (cx0, cy0), (cx1, cy1) = (np.clip((place @ [u, v, 1])[:2], 0, (320, 180))
                              for u, v in ((16, 16), (96, 64)))
    assert (x1 - x0) * (y1 - y0) > 0.8 * (cx1 - cx0) * (cy1 - cy0)
    assert np.array_equal(black[y0:y1, x0:x1], white[y0:y1, x0:x1])


def test_a_turned_or_mirrored_layer_hides_nothing():
    sprite = solid_sprite()
    solid = (16, 16, 96, 64)
    for place in (rig.translate(250.2, 20.7) @ rig.scale(-1.1, 1.1),
                  rig.translate(90.3, 40.1) @ rig.rotate(8) @ rig.scale(1.2)):
        assert blit_mod.copied_rect((180, 320, 3), sprite, place, solid) is None
    assert blit_mod.copied_rect((180, 320, 3), sprite, rig.translate(40, 30), None) is None


@pytest.mark.parametrize("hidden, expected", [
    ((0, 30, 100, 80), (10, 10, 50, 30)),      # the bottom of the box is hidden
    ((0, 0, 100, 20), (10, 20, 50, 50)),       # its top
    ((30, 0, 100, 100), (10, 10, 30, 50)),     # its right side
    ((0, 0, 20, 100), (20, 10, 50, 50)),       # its left side
    ((20, 20, 30, 30), (10, 10, 50, 50)),      # a hole in it: drawn whole
    ((0, 30, 40, 80), (10, 10, 50, 50)),       # a corner: drawn whole
    ((60, 0, 100, 100), (10, 10, 50, 50)),     # beside it
])
def test_a_box_is_trimmed_only_where_a_rectangle_remains(hidden, expected):
    assert blit_mod._trimmed((10, 10, 50, 50), hidden) == expected


def test_a_box_wholly_hidden_is_empty():
    x0, y0, x1, y1 = blit_mod._trimmed((10, 10, 50, 50), (0, 0, 100, 100))
    assert x1 <= x0 or y1 <= y0


def test_a_blit_trimmed_by_a_hidden_rectangle_leaves_it_alone():
    """Outside the hidden rectangle the pixels are those of the whole blit (a level here and
    there where the patch starts at another column); inside it the frame is untouched."""
    sprite = solid_sprite()
    place = rig.translate(100.4, 60.7) @ rig.rotate(17) @ rig.scale(0.9)
    whole = np.zeros((180, 320, 3), np.uint8)
    blit_mod.blit(whole, sprite, place)
    x0, y0, x1, y1 = hidden = (0, 100, 320, 180)
    trimmed = np.full((180, 320, 3), 7, np.uint8)
    trimmed[:y0] = 0
    blit_mod.blit(trimmed, sprite, place, hidden=hidden)
    assert (trimmed[y0:y1, x0:x1] == 7).all()
    assert whole[y0:y1].any()                      # the sprite did reach into it
    assert np.abs(trimmed[:y0].astype(int) - whole[:y0]).max() <= 1


@pytest.mark.parametrize("place", [rig.translate(-20.3, -11.7) @ rig.scale(0.83),
                                   rig.translate(30.0, 0.0)])     # sees past the left edge
def test_a_covering_backdrop_is_not_drawn_where_it_is_hidden(place):
    sprite = painting()
    whole = np.zeros((180, 320, 3), np.uint8)
    composite._cover(whole, sprite, place)
    x0, y0, x1, y1 = hidden = (40, 120, 300, 180)
    trimmed = np.full((180, 320, 3), 7, np.uint8)
    composite._cover(trimmed, sprite, place, hidden)
    assert (trimmed[y0:y1, x0:x1] == 7).all()
    trimmed[y0:y1, x0:x1] = whole[y0:y1, x0:x1]
    difference = np.abs(trimmed.astype(int) - whole)
    assert difference.max() <= 1 and np.count_nonzero(difference) < 0.01 * difference.size


@pytest.mark.parametrize("scene", ["other_dinner", "arrival"])
def test_a_scene_looks_the_same_with_what_its_layers_hide_left_undrawn(scene, monkeypatch,
                                                                         paint_store):
    """The Other dinner's table hides the backdrop and the puppets' legs; the Pink Palace's hills
    hide the sky: each exposure with the hidden rectangles left undrawn against drawing
    everything, within a level. A frame under a covering backdrop is not cleared before it is
    drawn (`_backdrop`), so here new arrays come filled with white: none of it may show."""
    empty = np.empty

    def whitewashed(shape, dtype=float, order="C", **kwargs):
        out = empty(shape, dtype, order, **kwargs)
        out.fill(255)
        return out

    plan = plan_scene(load_scene(REPO / "scenes" / f"{scene}.yaml", Project(REPO, paint_store)),
                      settings_for("draft", width=320, post=False))
    shape = (plan.settings.height, plan.settings.width)
    checked = 0
    for sp, exposure in list(exposures(plan))[::12]:
        state = stage_exposure(plan.scene, sp.shot, exposure)
        layers = composite.placed_layers(sp.shot.set, state.camera, plan.settings, None,
                                         plan.paintings)
        trims, cast = composite.hidden_rects(layers, state.crumble, shape)
        if cast is None and not any(trims.values()):
            continue
        frames = []
        for trim in (True, False):
            with monkeypatch.context() as patch:
                if trim:
                    patch.setattr(np, "empty", whitewashed)
                else:
                    patch.setattr(composite, "hidden_rects", lambda *args: ({}, None))
                plan.paintings.backdrop = (None, None)   # none kept from the other way
                frames.append(render_exposure(plan, sp, exposure).astype(int))
        difference = np.abs(frames[0] - frames[1])
        assert difference.max() <= 1 and np.count_nonzero(difference) < 1e-3 * difference.size
        checked += 1
    assert checked >= 3


def test_a_see_through_puppet_fades_as_one_so_its_back_parts_do_not_show_through():
    """A ghost at half opacity: where its front part covers a back part, the frame shows the
    front part faded over the set, the same as where the front part is alone; fading each part
    would mix the back part in there (a seam along every overlap)."""
    from types import SimpleNamespace

    from renderer.paint.prims import Sprite

    def square(rgb):
        rgba = np.zeros((40, 40, 4), np.uint8)
        rgba[:, :] = (*rgb, 255)
        return Sprite(rgba, (0.0, 0.0), 1.0)

    back, front = square((200, 0, 0)), square((0, 0, 200))
    slots = np.stack([rig.translate(20, 20), rig.translate(40, 30)])   # overlapping at 40..60
    ghost = SimpleNamespace(slot_matrices=slots, opacity=0.5)
    frame = np.full((100, 100, 3), 100, np.uint8)
    composite._draw_actor(frame, ghost, np.eye(3), [(back, 0), (front, 1)], None)
    overlap, front_alone, back_alone = frame[50, 50], frame[65, 70], frame[25, 25]
    assert np.abs(overlap.astype(int) - front_alone).max() <= 1, (overlap, front_alone)
    assert np.abs(front_alone.astype(int) - (50, 50, 150)).max() <= 1
    assert np.abs(back_alone.astype(int) - (150, 50, 50)).max() <= 1
    assert (frame[5, 5] == 100).all()                   # the set beside it is left alone
