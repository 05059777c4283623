"""Painting sprites and set layers: coverage, determinism, placement and the handmade materials."""
from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from renderer.model.art import Prim
from renderer.model.vocab import MATERIALS
from renderer.paint.noise import NoiseField
from renderer.paint.prims import Sprite, paint, paint_layer
from renderer.paint.sdf import Grid, bounds, geometry
from renderer.paint.sprites import blur_rows

AREA_TOLERANCE = 0.02      # a painted circle's coverage matches its area to 2 %
PLACEMENT_TOLERANCE_PX = 0.75


def coverage(sprite: Sprite) -> float:
    """Painted area in pixels (sum of alpha)."""
    return float(sprite.rgba[..., 3].sum(dtype=np.int64)) / 255.0


def centroid(rgba: np.ndarray) -> tuple[float, float]:
    """Alpha-weighted centre, continuous pixel coordinates (pixel centres at +0.5)."""
    a = rgba[..., 3].astype(np.float64)
    ys, xs = np.mgrid[: a.shape[0], : a.shape[1]]
    return float((a * (xs + 0.5)).sum() / a.sum()), float((a * (ys + 0.5)).sum() / a.sum())


def luminance(rgb) -> np.ndarray:
    return np.asarray(rgb, np.float64) @ np.array([0.3, 0.59, 0.11])


def test_materials_are_exported():
    assert MATERIALS == {"plain", "felt", "yarn", "vinyl", "clay", "knit", "wood", "button",
                         "fabric", "wallpaper", "paper", "resin", "metal", "glass", "glow"}


@pytest.mark.parametrize("scale", [1.0, 0.5, 2.0])
def test_circle_coverage_matches_its_area(scale):
    s = paint([Prim("ellipse", size=(120, 120), color=(200, 50, 50))], scale, seed=1)
    area = math.pi * 60 ** 2 * scale ** 2
    assert coverage(s) == pytest.approx(area, rel=AREA_TOLERANCE)


def test_rect_and_polygon_coverage_match_their_area():
    rect = paint([Prim("rect", size=(100, 60), material="metal")], 1.0, seed=2)
    tri = paint([Prim("polygon", points=((0, 0), (120, 0), (0, 90)), material="metal")], 1.0, 2)
    assert coverage(rect) == pytest.approx(6000, rel=AREA_TOLERANCE)
    assert coverage(tri) == pytest.approx(5400, rel=AREA_TOLERANCE)


def test_same_seed_same_bytes_other_seed_differs():
    prims = [Prim("ellipse", size=(80, 100), material="felt", stitch=True),
             Prim("polygon", points=((-30, -40), (40, -30), (10, 50)), smooth=True,
                  material="yarn", color=(30, 60, 170))]
    a, b, c = paint(prims, 1.0, 7), paint(prims, 1.0, 7), paint(prims, 1.0, 8)
    assert a.rgba.tobytes() == b.rgba.tobytes() and a.origin == b.origin
    assert a.rgba.shape != c.rgba.shape or a.rgba.tobytes() != c.rgba.tobytes()


def test_origin_maps_the_bone_local_point():
    scale = 2.0
    s = paint([Prim("ellipse", at=(10, 0), size=(40, 40), material="button")], scale, seed=3)
    cx, cy = centroid(s.rgba)
    assert cx - s.origin[0] == pytest.approx(10 * scale, abs=PLACEMENT_TOLERANCE_PX)
    assert cy - s.origin[1] == pytest.approx(0, abs=PLACEMENT_TOLERANCE_PX)
    assert s.scale == scale


def test_rotation_is_clockwise_on_screen():
    # A wide rect rotated 90 degrees becomes tall; a capsule pointing right then down.
    s = paint([Prim("rect", size=(100, 20), rot=90, material="metal")], 1.0, seed=1)
    h, w = s.rgba.shape[:2]
    assert h > 3 * w
    arm = paint([Prim("capsule", points=((0, 0), (0, 100)), width=(20, 20))], 1.0, seed=1)
    cx, cy = centroid(arm.rgba)
    assert cy - arm.origin[1] == pytest.approx(50, abs=1.5)


def test_sprite_is_cropped_to_its_painted_pixels():
    s = paint([Prim("rect", at=(500, 300), size=(40, 30), material="metal")], 1.0, seed=1)
    a = s.rgba[..., 3]
    assert a.shape[0] < 40 and a.shape[1] < 50
    assert a[0].any() and a[-1].any() and a[:, 0].any() and a[:, -1].any()
    assert s.rgba.flags["C_CONTIGUOUS"] and s.rgba.dtype == np.uint8


@pytest.mark.parametrize("material", sorted(MATERIALS))
def test_premultiplied_invariant(material):
    prims = [Prim("ellipse", size=(70, 50), color=(250, 240, 10), color2=(10, 40, 250),
                  gradient="radial", material=material, stitch=True, outline=1.5, opacity=0.8),
             Prim("line", points=((-40, 0), (0, 20), (40, -5)), smooth=True, width=(6, 2),
                  material=material, color=(255, 255, 255))]
    for scale in (1.0, 1 / 6):
        rgba = paint(prims, scale, seed=5).rgba
        assert (rgba[..., :3] <= rgba[..., 3:4]).all()


def test_tiny_shape_at_draft_scale_still_shows():
    s = paint([Prim("ellipse", size=(4, 4), color=(0, 0, 0))], 1 / 6, seed=1)
    area = math.pi * 2 ** 2 / 36
    assert s.rgba[..., 3].max() > 20
    assert coverage(s) == pytest.approx(area, rel=0.3)
    thin = paint([Prim("line", points=((0, 0), (200, 0)), width=(2, 2))], 1 / 6, seed=1)
    assert coverage(thin) == pytest.approx(200 * 2 / 36, rel=0.3)


def test_small_circle_at_draft_scale_keeps_its_area():
    s = paint([Prim("ellipse", size=(30, 30))], 1 / 6, seed=1)
    assert coverage(s) == pytest.approx(math.pi * 15 ** 2 / 36, rel=0.05)


@pytest.mark.parametrize("material", sorted(MATERIALS - {"plain"}))
def test_each_material_differs_from_plain(material):
    def look(m):
        rgba = paint([Prim("ellipse", size=(100, 100), color=(170, 120, 90), material=m)],
                     1.0, seed=4).rgba.astype(np.float64)
        return rgba
    a, b = look("plain"), look(material)
    h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    assert np.abs(a[:h, :w] - b[:h, :w]).mean() > 2.0


def test_textures_are_not_flat():
    for m in ("felt", "yarn", "knit", "wood", "clay", "fabric"):
        rgba = paint([Prim("rect", size=(80, 80), color=(150, 150, 150), material=m)], 1.0, 2)
        inner = rgba.rgba[20:-20, 20:-20, :3].astype(np.float64)
        assert inner.std() > 3.0, m


def test_button_shows_holes():
    scale, r = 2.0, 30.0
    s = paint([Prim("ellipse", size=(2 * r, 2 * r), color=(200, 60, 60), material="button")],
              scale, seed=1)
    ox, oy = s.origin

    def lum_at(u, v):
        x, y = int(ox + u * r * scale), int(oy + v * r * scale)
        return luminance(s.rgba[y - 1:y + 2, x - 1:x + 2, :3].reshape(-1, 3)).mean()

    face = np.mean([lum_at(0.0, 0.5), lum_at(0.5, 0.0), lum_at(0.0, -0.5)])
    for hx in (-0.24, 0.24):
        for hy in (-0.24, 0.24):
            assert lum_at(hx, hy) < 0.5 * face


def test_button_holes_read_when_small():
    s = paint([Prim("ellipse", size=(30, 30), color=(220, 220, 220), material="button")],
              1 / 3, seed=1)
    lum = luminance(s.rgba[..., :3].reshape(-1, 3))
    assert lum.min() < 0.6 * np.percentile(lum[s.rgba[..., 3].reshape(-1) == 255], 75)


def test_glow_fades_radially():
    s = paint([Prim("ellipse", size=(100, 100), material="glow", color=(255, 220, 120))], 1.0, 1)
    ox, oy = s.origin
    a = s.rgba[..., 3].astype(int)
    centre, mid, rim = a[int(oy), int(ox)], a[int(oy), int(ox + 35)], a[int(oy), int(ox + 50)]
    assert centre > mid > rim > 0


def test_glass_is_translucent():
    s = paint([Prim("rect", size=(100, 100), material="glass", color=(150, 200, 230))], 1.0, 1)
    ox, oy = s.origin
    assert s.rgba[int(oy + 30), int(ox + 30), 3] < 160


def test_stitches_and_outline_darken_inside_the_edge():
    base = Prim("ellipse", size=(100, 100), color=(230, 200, 60), material="plain")
    plain = paint([base], 2.0, seed=1).rgba
    for variant in (Prim(**{**base.__dict__, "stitch": True}),
                    Prim(**{**base.__dict__, "outline": 2.0})):
        marked = paint([variant], 2.0, seed=1).rgba
        assert marked.shape == plain.shape
        darker = luminance(marked[..., :3]) < luminance(plain[..., :3]) - 40
        assert darker.sum() > 100
        # ... and only near the edge: the middle is untouched.
        c = plain.shape[0] // 2
        assert not darker[c - 40:c + 40, c - 40:c + 40].any()


def test_stitch_thread_uses_color2():
    p = Prim("rect", size=(100, 100), color=(40, 40, 40), color2=(250, 250, 250),
             material="felt", stitch=True)
    rgba = paint([p], 2.0, seed=1).rgba
    assert luminance(rgba[..., :3]).max() > 180


def test_gradient_runs_from_color_to_color2():
    s = paint([Prim("rect", size=(100, 100), color=(255, 0, 0), color2=(0, 0, 255),
                    gradient="vertical")], 1.0, seed=1)
    ox, oy = s.origin
    top, bottom = s.rgba[int(oy - 45), int(ox)], s.rgba[int(oy + 45), int(ox)]
    assert top[0] > 200 and top[2] < 40 and bottom[2] > 200 and bottom[0] < 40


def test_later_primitives_paint_over_earlier():
    s = paint([Prim("rect", size=(100, 100), color=(255, 0, 0)),
               Prim("ellipse", size=(40, 40), color=(0, 0, 255))], 1.0, seed=1)
    ox, oy = s.origin
    px = s.rgba[int(oy), int(ox)]
    assert px[2] > 240 and px[0] < 10
    assert s.rgba[int(oy + 40), int(ox + 40), 0] > 240


def test_degenerate_primitives_paint_nothing():
    s = paint([Prim("ellipse", size=(0, 10)), Prim("polygon", points=((0, 0), (1, 1))),
               Prim("line", points=())], 1.0, seed=1)
    assert s.rgba.shape[2] == 4 and not s.rgba[..., 3].any()


def test_smooth_polygon_passes_through_its_points():
    square = ((-50, -50), (50, -50), (50, 50), (-50, 50))
    sharp = paint([Prim("polygon", points=square)], 1.0, 1)
    smooth = paint([Prim("polygon", points=square, smooth=True)], 1.0, 1)
    # A Catmull-Rom spline passes through every vertex, so it bulges between the corners.
    assert 1.05 * coverage(sharp) < coverage(smooth) < math.pi * 50 ** 2 * 2
    assert smooth.rgba.shape[0] > sharp.rgba.shape[0]


def test_same_part_at_two_scales_looks_the_same():
    prims = [Prim("ellipse", size=(120, 90), material="felt", color=(200, 80, 80)),
             Prim("ellipse", at=(20, 0), size=(30, 30), material="button", color=(20, 20, 20))]
    big, small = paint(prims, 1.0, 3), paint(prims, 0.5, 3)
    assert coverage(big) == pytest.approx(4 * coverage(small), rel=0.03)
    mean_big = big.rgba[..., :3].sum((0, 1)) / big.rgba[..., 3].sum()
    mean_small = small.rgba[..., :3].sum((0, 1)) / small.rgba[..., 3].sum()
    assert np.abs(mean_big - mean_small).max() < 0.03


def on_canvas(painting: tuple[np.ndarray, tuple[int, int]], size: tuple[float, float],
              scale: float) -> np.ndarray:
    """A layer painting's window placed on its whole (transparent) canvas."""
    window, (j0, i0) = painting
    canvas = np.zeros((round(size[1] * scale), round(size[0] * scale), 4), np.uint8)
    canvas[i0:i0 + window.shape[0], j0:j0 + window.shape[1]] = window
    return canvas


def test_layer_places_primitives_in_canvas_coordinates():
    scale = 0.5
    ball = Prim("ellipse", at=(100, 50), size=(40, 40), material="metal")
    layer = on_canvas(paint_layer([ball], (400, 200), scale, seed=1), (400, 200), scale)
    assert layer.shape == (100, 200, 4) and layer.dtype == np.uint8
    cx, cy = centroid(layer)
    assert (cx, cy) == pytest.approx((50, 25), abs=PLACEMENT_TOLERANCE_PX)


def test_layer_background_and_clipping():
    prims = [Prim("rect", at=(0, 0), size=(200, 200), color=(250, 250, 250),
                  material="wallpaper", color2=(200, 100, 100)),
             Prim("ellipse", at=(5000, 5000), size=(50, 50)),
             Prim("polygon", points=((350, 150), (500, 150), (450, 300)), material="wood")]
    layer, corner = paint_layer(prims, (400, 200), 1.0, seed=2, background=(10, 20, 30))
    assert layer.shape == (200, 400, 4) and corner == (0, 0)   # opaque: the whole canvas
    assert (layer[..., 3] == 255).all()
    assert tuple(layer[190, 200, :3]) == (10, 20, 30)
    assert layer[20, 20, :3].astype(int).sum() > 300


def test_layer_matches_sprite_painting():
    p = Prim("ellipse", at=(100, 80), size=(60, 40), material="clay", color=(200, 160, 130))
    layer = on_canvas(paint_layer([p], (200, 160), 1.0, seed=4), (200, 160), 1.0)
    s = paint([p], 1.0, seed=4)
    ox, oy = int(s.origin[0]), int(s.origin[1])
    h, w = s.rgba.shape[:2]
    region = layer[-oy:-oy + h, -ox:-ox + w]
    assert np.abs(region.astype(int) - s.rgba.astype(int)).max() <= 1


def test_layer_painted_in_bands_matches_one_piece(monkeypatch):
    from renderer.paint import prims as paint_mod
    prims = [Prim("rect", at=(150, 100), size=(260, 170), material="wallpaper",
                  color=(90, 120, 160), color2=(230, 200, 140), stitch=True),
             Prim("polygon", points=((40, 20), (260, 60), (120, 190)), smooth=True,
                  material="yarn", color=(30, 60, 170), stitch=True)]
    whole, _ = paint_layer(prims, (300, 200), 1.0, seed=9, background=(20, 20, 20))
    monkeypatch.setattr(paint_mod, "BAND_PIXELS", 300 * 17)
    banded, _ = paint_layer(prims, (300, 200), 1.0, seed=9, background=(20, 20, 20))
    assert np.abs(whole.astype(int) - banded.astype(int)).max() <= 2


def test_a_transparent_layer_is_painted_only_around_its_shapes():
    # a near layer's canvas is several frames wide and mostly empty: its window is what it costs
    prims = [Prim("rect", at=(600, 300), size=(60, 120), material="wood", color=(90, 50, 30)),
             Prim("ellipse", at=(660, 250), size=(50, 40), material="clay", color=(200, 90, 60))]
    size = (1200, 400)
    window, _ = painting = paint_layer(prims, size, 1.0, seed=3)
    assert window.size < on_canvas(painting, size, 1.0).size / 20
    whole = paint_layer(prims, size, 1.0, seed=3, margin=10_000)   # margin: the whole canvas
    assert whole[0].shape == (400, 1200, 4) and whole[1] == (0, 0)
    assert np.array_equal(on_canvas(painting, size, 1.0), whole[0])


def test_a_soft_layer_blurred_in_its_window_equals_the_whole_canvas_blurred():
    # depth of field blurs a layer once when painted; only its window is painted and blurred,
    # which must not show: not where the window is padded, nor where the canvas edge clips it
    from renderer.model.set import Layer
    from renderer.paint.sprites import DOF_SIGMA, _paint_layer
    prims = (Prim("rect", at=(600, 300), size=(60, 120), material="wood", color=(90, 50, 30)),
             Prim("ellipse", at=(1180, 250), size=(80, 60), material="clay", color=(200, 90, 60)))
    layer = Layer("chair", 0.6, (0.0, 0.0, 1200.0, 400.0), None, prims)
    sigma = DOF_SIGMA * abs(1 - 1 / layer.depth)
    sprite = _paint_layer(layer, 1.0, 1.0, seed=5)
    whole, _ = paint_layer(prims, (1200, 400), 1.0, seed=5, margin=10_000)
    cv2.GaussianBlur(whole, (0, 0), sigma, dst=whole)
    rows = np.flatnonzero(whole[..., 3].any(axis=1))
    cols = np.flatnonzero(whole[..., 3].any(axis=0))
    assert cols[-1] == 1199                                   # the canvas edge clips the paint
    expected = whole[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    assert sprite.rgba.shape == expected.shape and np.array_equal(sprite.rgba, expected)
    assert sprite.origin == (cols[0], rows[0]) and not sprite.opaque


def test_an_empty_transparent_layer_paints_nothing():
    off_canvas = Prim("ellipse", at=(5000, 5000), size=(50, 50))
    window, _ = paint_layer([off_canvas], (400, 200), 1.0, seed=1)
    assert window.size == 0


def test_a_shape_clipped_to_a_single_pixel_row_paints():
    # paint_layer works in bands; a shaded shape overlapping a band by one row once crashed
    from renderer.paint.noise import _gradient
    gy, gx = _gradient(np.arange(5.0).reshape(1, 5))
    assert gy.shape == gx.shape == (1, 5) and np.all(gy == 0) and np.all(gx == 1)


@pytest.mark.parametrize(("rows", "sigma"), [(700, 3.0), (1000, 11.7), (90, 0.8), (1200, 100.0)])
def test_a_layer_is_blurred_band_by_band_exactly_as_whole(rows, sigma):
    """An out-of-focus backdrop is blurred a band of rows at a time (a blur in place had copied
    a close-up's whole painting): the same pixels as one blur of the whole, for a blur wider
    than a band too."""
    image = np.random.default_rng(7).integers(0, 256, (rows, 61, 4)).astype(np.uint8)
    whole = cv2.GaussianBlur(image, (0, 0), sigma)
    blur_rows(image, sigma)
    assert np.array_equal(image, whole)


@pytest.mark.parametrize("prim", [
    Prim("polygon", points=((-30, -40), (40, -30), (10, 50)), smooth=True),
    Prim("line", points=((-40, 0), (0, 20), (40, -5)), smooth=True, width=(6, 2)),
    Prim("ellipse", at=(3, 4), size=(30, 20), rot=15)])
def test_a_shapes_texture_is_worked_in_float32_like_its_grid(prim):
    """A shape's frame holds plain floats, so its material's coordinates stay float32 like the
    painting grid (a polygon's numpy float64 centre had made them float64: twice the memory),
    and its box is the one its geometry has."""
    geo = geometry(prim)
    grid = Grid(-50.0, -50.0, 2.0, 64, 64)
    field = NoiseField(grid.xs, grid.ys, None, 2.0, geo.frame, geo.bbox, 1, 0)
    u, v = field.uv(geo.frame.angle)
    assert u.dtype == np.float32 and v.dtype == np.float32
    assert bounds(prim) == geo.bbox
