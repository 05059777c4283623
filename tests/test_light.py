"""Light on the miniature: every set has a rig, every puppet casts a shadow from the key (a
projected silhouette, not a blob), lamps flicker per exposure, and in every shot of every scene
each puppet stands apart from the background around it."""
from __future__ import annotations

import math
from dataclasses import replace
from functools import lru_cache

import cv2
import numpy as np
import pytest
from conftest import REPO

from renderer.compose.blit import blit
from renderer.compose.composite import _actor_sprites, camera_matrix, placed_layers
from renderer.compose.shadows import Top, cast_shadows, shadow_mask, silhouette, support
from renderer.load.project import Project
from renderer.load.scene import load_scene
from renderer.model.scene import CameraKey
from renderer.model.set import Light
from renderer.paint import light as lighting
from renderer.paint.paintcache import PaintStore
from renderer.render import plan_scene, render_exposure
from renderer.settings import settings_for
from renderer.stage.lens import plane_zoom
from renderer.stage.pose import light_levels, light_places, stage_exposure

WIDTH = 320
SCENES = sorted(p.stem for p in (REPO / "scenes").glob("*.yaml")
                if p.stem != "sequence" and not p.stem.startswith("_"))

# Figure/ground separation: the median CIE76 colour distance (Lab) between each pixel of the ring
# of background just outside a puppet and the puppet's nearest pixel. 2.3 is a just-noticeable
# difference side by side; a silhouette that reads at a glance across a cut needs several times
# that. SEPARATION_FLOOR is the floor every puppet must clear in every shot's middle exposure.
SEPARATION_FLOOR = 7.0
RING = 4             # px at 320 wide: the ring of background measured around a puppet
MIN_VISIBLE = 60     # px: puppets (or props) smaller than this in the frame are not judged
# A cast shadow darkens (by more than 3 %) an area outside the puppet of at least this share of
# the puppet's own area: a standing figure under a key high to one side throws one about as big
# as itself on floor and wall; a prop lying on the floor (a rock, an eye) throws less of one.
SHADOW_SHARE = 0.3
SHADOW_SHARE_PROP = 0.1


def test_every_shipped_set_has_a_rig_with_a_key():
    project = Project(REPO)
    for name in project.set_names:
        set_def = project.set(name)
        assert set_def.key is not None, f"{name} has no key light in front of the puppets"
        assert any(li.kind != "key" for li in set_def.lights), f"{name} is lit by its key alone"


@lru_cache(maxsize=None)
def _plan(scene: str, store: PaintStore):
    """The scene planned small, painting through the run's paint cache (`paint_store`): the
    golden-frame tests paint the same parts at the same size."""
    return plan_scene(load_scene(REPO / "scenes" / f"{scene}.yaml", Project(REPO, store)),
                      settings_for("draft", WIDTH))


def _middle(plan, shot):
    exposure = shot.exposure_sheet[len(shot.exposure_sheet) // 2]
    return exposure, stage_exposure(plan.scene, shot.shot, exposure)


def _judged(actor, mask) -> bool:
    return actor.opacity > 0.5 and mask.sum() >= MIN_VISIBLE


@pytest.mark.parametrize("scene", SCENES)
def test_every_puppet_casts_a_shadow_from_the_key(scene, paint_store):
    """Each grounded puppet or prop in the picture, alone on a plain grey stage seen wider than
    the shot (so a shadow running out of frame still counts), darkens an area outside its own
    silhouette of at least SHADOW_SHARE of its own area, reaching up from its feet (a blob
    under the feet would be flat). One out of the picture at the middle exposure (a tracking
    shot that reaches it later) is not judged: the wider stage shows only a cut piece of it."""
    plan = _plan(scene, paint_store)
    settings = plan.settings
    w, h = settings.width * 2, settings.height * 2
    for shot in plan.shots:
        _, state = _middle(plan, shot)
        set_def = shot.shot.set
        cam_m = camera_matrix(state.camera, 1.0, settings.scale)
        wide = np.array([[1, 0, w / 4], [0, 1, h / 4], [0, 0, 1]]) @ cam_m
        need = settings.scale * state.camera.zoom
        for actor in state.actors:
            if not actor.grounded or actor.opacity < 0.5:
                continue
            sprites = _actor_sprites(plan.paintings, actor, need, None)
            own = silhouette(actor, sprites, wide, (w, h)) > 0.05
            area = int(own.sum())
            in_picture = own[h // 4:h // 4 + settings.height, w // 4:w // 4 + settings.width]
            if area < MIN_VISIBLE or in_picture.sum() < MIN_VISIBLE:
                continue
            grey = np.full((h, w, 3), 128, np.uint8)
            cast_shadows(grey, set_def, [(actor, sprites)], wide)
            dark = (grey[..., 1] < 124) & ~own
            where = f"{scene}/{shot.shot.id}/{actor.id}"
            rows, cols = np.nonzero(own)
            # a prop, or a creature lying low (the crawling rat, the cat on all fours: wider than
            # tall by half), is held to the props' share. Not a limit of the renderer but what a
            # side-on miniature shows: a point h above the floor, under a key L above it and z in
            # front, throws its shadow z * h / (L - h) back, which the camera sees FLOOR_SLOPE of
            # that higher: about half of h for the shipped keys. A standing figure's shadow
            # clears its narrow body sideways and on the wall; a low, long body covers its own.
            low = np.ptp(cols) > 1.5 * np.ptp(rows)
            share = SHADOW_SHARE_PROP if actor.is_prop or low else SHADOW_SHARE
            assert dark.sum() >= share * area, f"{where}: shadow {dark.sum()} px, itself {area}"
            ys, _ = np.nonzero(dark)
            height = np.ptp(np.nonzero(own)[0]) + 1
            _, top = support(actor, set_def)
            if top is None:   # on the floor: its shadow reaches up from its feet
                feet_y = float((wide @ [actor.x, actor.y, 1])[1])
                assert feet_y - ys.min() >= 0.15 * height, f"{where}: a flat blob"
            else:   # up on a top: on the top, then on down to the floor: still not flat
                assert np.ptp(ys) + 1 >= 0.15 * height, f"{where}: a flat blob"


def test_shadow_falls_away_from_the_key(project_dir, paint_store):
    """Move the key to the other side and the shadow moves to the other side of the puppet."""
    plan = _plan("other_dinner", paint_store)
    shot = plan.shots[0]
    _, state = _middle(plan, shot)
    settings = plan.settings
    cam_m = camera_matrix(state.camera, 1.0, settings.scale)
    actor = next(a for a in state.actors if a.grounded and not a.is_prop)
    sprites = _actor_sprites(plan.paintings, actor, settings.scale * state.camera.zoom, None)
    centre_x = float((cam_m @ [actor.x, actor.y, 1])[0])
    sides = []
    for dx in (-900, 900):
        key = replace(shot.shot.set.key, at=(actor.x + dx, 150.0))
        lights = tuple(key if li.kind == "key" else li for li in shot.shot.set.lights)
        set_def = replace(shot.shot.set, lights=lights)
        grey = np.full((settings.height, settings.width, 3), 128, np.uint8)
        x0, _, dark = cast_shadows(grey, set_def, [(actor, sprites)], cam_m, report=True)
        _, xs = np.nonzero(dark > 0.1)
        sides.append(x0 + xs.mean() - centre_x)
    assert sides[0] > 0 > sides[1], sides   # light from the left throws it right, and back


def test_a_puppet_on_a_raised_top_throws_its_shadow_on_the_top_then_the_floor():
    """A figure standing on a podium (its top at y 700, standing on the floor at 930), a key
    high to its left: its shadow lies on the top, to the right of its feet; under the top, where
    the podium's own body hides the floor, there is none; off the podium's right edge it lies on
    the floor, below the top. Stage units are pixels here (camera: identity)."""
    sil = np.zeros((1080, 1920), np.float32)
    sil[500:700, 940:980] = 1.0                              # 200 tall, 40 wide, feet at 700
    key = Light("key", (300.0, 100.0), 700.0, (255, 255, 255), 1.0, 0.3, 1500.0)
    top = Top(800.0, 1100.0, 700.0, 120.0)                   # 120 deep: its back edge at 640
    mask = shadow_mask(sil, np.eye(3), key, 930.0, 200.0, top)
    outside = mask.copy()
    outside[500:700, 940:980] = 0
    on_top = outside[640:700, 980:1100]
    assert on_top.max() > 0.5, "no shadow on the top beside the feet"
    assert mask[701:930, 800:1100].max() == 0, "a shadow on the floor the podium's body hides"
    beyond = mask[700:930, 1100:]
    assert beyond.max() > 0.2, "nothing past the top's edge on the floor below"
    flat = shadow_mask(sil, np.eye(3), key, 700.0, 200.0)     # as if the top were the floor
    assert flat[701:930, 1100:].max() == 0   # the old way: nothing below the top past its edge


def test_support_finds_the_top_under_the_feet(paint_store):
    """A mouse on the circus's red podium stands on its top; on the ring floor, on the floor."""
    plan = _plan("the_visits", paint_store)
    shot = next(sp for sp in plan.shots if sp.shot.id == "mouse_circus")
    set_def = shot.shot.set
    _, state = _middle(plan, shot)
    mouse = next(a for a in state.actors if a.id.startswith("mouse"))
    on_podium = replace(mouse, x=820.0, y=770.0)
    floor, top = support(on_podium, set_def)
    assert (floor, top) == (900.0, Top(765.0, 875.0, 770.0, 40.0))
    assert support(replace(mouse, x=820.0, y=950.0), set_def) == (950.0, None)


def test_a_flickering_lamp_is_held_per_exposure_and_stays_in_range(paint_store):
    plan = _plan("through_the_door", paint_store)
    shot = plan.shots[0]
    lights = shot.shot.set.lights
    flick = [i for i, li in enumerate(lights) if li.flicker > 0]
    assert flick, "the corridor's candle should flicker"
    seen = set()
    for e in shot.exposure_sheet[:24]:
        a = light_levels(plan.scene.seed, shot.shot, e.index)
        assert a == light_levels(plan.scene.seed, shot.shot, e.index)   # the same photograph
        for i in flick:
            assert 1 - lights[i].flicker <= a[i] <= 1 + lights[i].flicker
            seen.add(a[i])
        assert all(a[i] == 1.0 for i in range(len(lights)) if i not in flick)
    assert len(seen) >= 3


def test_a_moving_lamp_is_held_per_exposure_and_stays_within_its_swing(paint_store):
    """The corridor's key swings (its `swing`, over its `period`) and the dining room's candles
    wander: each exposure puts them in one place, the same every time it is asked, never further
    than the swing or the wander allows, and not the same place all shot long."""
    for scene, kind in (("through_the_door", "key"), ("other_dinner", "practical")):
        plan = _plan(scene, paint_store)
        shot = next(sp for sp in plan.shots if any(li.moves for li in sp.shot.set.lights))
        lights = shot.shot.set.lights
        moving = [i for i, li in enumerate(lights) if li.moves and li.kind == kind]
        assert moving, f"{scene}: no moving {kind}"
        seen = set()
        for e in shot.exposure_sheet[:24]:
            places = light_places(plan.scene.seed, shot.shot, e)
            assert places == light_places(plan.scene.seed, shot.shot, e)
            for i, (x, y) in enumerate(places):
                li = lights[i]
                reach_x = abs(li.swing[0]) + li.wander + 1e-9
                reach_y = abs(li.swing[1]) + li.wander + 1e-9
                assert abs(x - li.at[0]) <= reach_x and abs(y - li.at[1]) <= reach_y
                if i in moving:
                    seen.add((round(x, 3), round(y, 3)))
                else:
                    assert (x, y) == li.at
        assert len(seen) >= 6, f"{scene}: the lamp hardly moves: {seen}"


def test_a_swinging_key_swings_the_shadows(paint_store):
    """Half a swing apart, the corridor key's shadow of the same puppet lies elsewhere."""
    plan = _plan("through_the_door", paint_store)
    shot = next(sp for sp in plan.shots if sp.shot.set.key.swing != (0.0, 0.0))
    set_def = shot.shot.set
    _, state = _middle(plan, shot)
    settings = plan.settings
    cam_m = camera_matrix(state.camera, 1.0, settings.scale)
    actor = next(a for a in state.actors if a.grounded and not a.is_prop)
    sprites = _actor_sprites(plan.paintings, actor, settings.scale * state.camera.zoom, None)
    key = set_def.key
    centres = []
    for sign in (-1, 1):
        moved = replace(key, at=(key.at[0] + sign * key.swing[0], key.at[1] + sign * key.swing[1]))
        grey = np.full((settings.height, settings.width, 3), 128, np.uint8)
        x0, _, dark = cast_shadows(grey, set_def, [(actor, sprites)], cam_m, report=True, key=moved)
        _, xs = np.nonzero(dark > 0.1)
        centres.append(x0 + xs.mean())
    assert centres[0] > centres[1] + 1.0, centres   # the lamp to the left throws it right


def test_a_flickering_candle_changes_the_set_only_around_its_pool(paint_store):
    """The light a flickering, wandering candle adds or takes away is laid on the frame only
    within its pool, brighter at a higher level and dimmer at a lower one; a rig that holds
    still changes nothing."""
    plan = _plan("other_dinner", paint_store)
    set_def = plan.shots[0].shot.set
    settings = plan.settings
    cam_m = camera_matrix(CameraKey(), 1.0, settings.scale)
    size = (settings.width, settings.height)
    rest = set_def.lights
    ones = (1.0,) * len(rest)
    args = (set_def.ambient, set_def.wall, set_def.floor_y)
    assert lighting.light_change(size, cam_m, rest, rest, ones, *args) == []
    candle = next(i for i, li in enumerate(rest) if li.kind == "practical" and li.flicker > 0)
    for level, brighter in ((1.3, True), (0.7, False)):
        levels = tuple(level if i == candle else 1.0 for i in range(len(rest)))
        [(x0, y0, factor)] = lighting.light_change(size, cam_m, rest, rest, levels, *args)
        cx, cy = (cam_m @ [*rest[candle].at, 1.0])[:2]
        middle = factor[round(cy) - y0, round(cx) - x0].astype(int)
        assert (middle > 128).all() if brighter else (middle < 128).all(), middle
        reach = rest[candle].reach * cam_m[0, 0] * lighting.POOL_REACH
        assert factor.shape[1] <= 2 * reach + 2                # within its pool's reach
        assert abs(int(factor[0, 0, 1]) - 128) <= 1          # its box's corner: no change
    both = tuple(1.3 if li.flicker > 0 else 1.0 for li in rest)   # both candles, far apart
    assert len(lighting.light_change(size, cam_m, rest, rest, both, *args)) == 2


def test_a_part_is_lit_from_where_the_light_is():
    """A disc's relief lit from the right is brighter on its right than its left, and a lamp
    behind lights its rim, not its middle."""
    alpha = np.zeros((61, 61), np.uint8)
    cv2.circle(alpha, (30, 30), 26, 255, -1)
    rgba = np.dstack([alpha // 2] * 3 + [alpha]).astype(np.uint8)
    normals = lighting.relief(alpha, 1.0)
    right = lighting.lit_sprite(rgba, normals, (lighting.LightKey(0, 4, 16, 16, 16),), 0.4)
    assert right[30, 50, 1] > right[30, 30, 1] * 0.9 > right[30, 10, 1] * 1.2
    behind = lighting.LightKey(lighting.ANGLES // 2, -4, 16, 16, 16)   # from the left, behind
    rim = lighting.lit_sprite(rgba, normals, (behind,), 1.0)
    assert rim[30, 6, 1] > rgba[30, 6, 1] + 20             # its edge toward the lamp glows
    assert abs(int(rim[30, 30, 1]) - int(rgba[30, 30, 1])) <= 2   # its middle does not


def _lab(frame: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(frame.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)


def separation(frame: np.ndarray, own: np.ndarray, others: np.ndarray,
               covered: np.ndarray) -> float | None:
    """The median colour distance (CIE76) between each pixel of the ring of background around
    a puppet and the puppet's nearest visible pixel; None if too little of it shows."""
    visible = own & ~covered
    inner = cv2.erode(visible.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    if inner.sum() < MIN_VISIBLE // 2:
        return None
    grown = cv2.dilate(own.astype(np.uint8), np.ones((2 * RING + 1,) * 2, np.uint8)) > 0
    near = cv2.dilate(own.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    ring = grown & ~near & ~others
    if ring.sum() < MIN_VISIBLE // 2:
        return None
    src = np.where(inner, 0, 1).astype(np.uint8)
    _, labels = cv2.distanceTransformWithLabels(src, cv2.DIST_L2, 5,
                                                labelType=cv2.DIST_LABEL_PIXEL)
    coords = np.argwhere(src == 0)                    # label k is the k-th zero pixel, in order
    nearest = coords[labels[ring] - 1]
    lab = _lab(frame)
    d = np.linalg.norm(lab[ring] - lab[nearest[:, 0], nearest[:, 1]], axis=1)
    return float(np.median(d))


def scene_separations(scene: str, paint_store: PaintStore) -> list[tuple[str, str, float]]:
    """(shot, actor, separation) of every puppet judged in each shot's middle exposure."""
    plan = _plan(scene, paint_store)
    settings = plan.settings
    out = []
    for shot in plan.shots:
        exposure, state = _middle(plan, shot)
        frame = render_exposure(plan, shot, exposure)
        look = plan.post_chain(shot.shot.world)
        grade = look.grade if look else None
        size = (settings.width, settings.height)
        # each through the camera of its own plane: a puppet standing nearer the camera
        # (depth < 1) is drawn over everyone on the puppet plane, out of focus by design
        sils = [silhouette(a, _actor_sprites(plan.paintings, a, settings.scale *
                                             plane_zoom(state.camera, a.depth), grade),
                           camera_matrix(state.camera, a.depth, settings.scale), size) > 0.5
                for a in state.actors]
        front = np.zeros((settings.height, settings.width, 3), np.uint8)
        for p in placed_layers(shot.shot.set, state.camera, settings, grade, plan.paintings):
            if p.front:
                a = np.ascontiguousarray(p.sprite.rgba[..., [3, 3, 3, 3]])
                blit(front, a, p.place)
        front_cover = front[..., 0] > 127
        for i, actor in enumerate(state.actors):
            if actor.depth < 1.0 or not _judged(actor, sils[i]):
                continue
            later = np.zeros_like(sils[i])
            others = np.zeros_like(sils[i])
            for j, s in enumerate(sils):
                if j != i:
                    others |= s
                    if j > i or state.actors[j].depth < 1.0:
                        later |= s
            value = separation(frame, sils[i], others, front_cover | later)
            if value is not None:
                out.append((shot.shot.id, actor.id, value))
    return out


@pytest.mark.parametrize("scene", SCENES)
def test_every_puppet_stands_apart_from_its_background(scene, paint_store):
    worst = [(shot, who, round(v, 1)) for shot, who, v in scene_separations(scene, paint_store)
             if v < SEPARATION_FLOOR]
    assert not worst, f"{scene}: puppets that melt into their background: {worst}"


@pytest.mark.parametrize("shape", [(7, 9), (130, 257), (1411, 333)])
def test_a_set_painting_is_lit_band_by_band_with_the_whole_plates_numbers(shape):
    """Lighting a backdrop enlarges its light grid a band of rows at a time (its whole plate in
    float32 was hundreds of MB for a close-up): every band holds exactly the numbers one
    enlargement of the whole grid gives."""
    h, w = shape
    grid = np.random.default_rng(5).uniform(0.3, 1.8, (math.ceil(h / lighting.POOL_GRID) + 1,
                                                       math.ceil(w / lighting.POOL_GRID) + 1, 3))
    grid = grid.astype(np.float32)
    size = (grid.shape[1] * lighting.POOL_GRID, grid.shape[0] * lighting.POOL_GRID)
    whole = cv2.resize(grid, size, interpolation=cv2.INTER_LINEAR)[:h, :w]
    bands = [lighting.plate_rows(grid, r0, min(h, r0 + lighting.LIT_BAND), w)
             for r0 in range(0, h, lighting.LIT_BAND)]
    assert np.array_equal(np.concatenate(bands), whole)


@pytest.mark.parametrize("spot", [(0, 0), (5, 9), (11, 19), (4, 0)])
def test_a_lights_change_is_enlarged_only_where_it_changes_with_the_whole_grids_numbers(spot):
    """A moving or flickering light's change, enlarged from its grid only around the points
    that change, has the pixels one enlargement of the whole grid has, and leaves out only
    pixels that enlargement leaves at 1 (128): at the grid's edges and inside it."""
    step = lighting.CHANGE_GRID
    factor = np.full((12, 20, 3), 128, np.uint8)
    i, j = spot
    factor[i:i + 3, j:j + 2] = (150, 140, 120)
    factor[i, j] = (90, 100, 110)
    whole = cv2.resize(factor, (20 * step, 12 * step), interpolation=cv2.INTER_LINEAR)
    left, top, patch = lighting.enlarged_change(factor, step)
    placed = np.full_like(whole, 128)
    placed[top:top + patch.shape[0], left:left + patch.shape[1]] = patch
    assert np.array_equal(placed, whole)
    assert patch.shape[0] * patch.shape[1] < whole.shape[0] * whole.shape[1] / 4
    assert lighting.enlarged_change(np.full((12, 20, 3), 128, np.uint8), step) is None


def test_a_pointed_part_has_no_crease_down_its_middle():
    """The dome over a shape's interior distance has a ridge along the shape's middle line;
    down a pointed chin that read as a hard crease splitting the face. Rounded off, the normal
    turns across the middle by under a fifth of its length a pixel (the crease turned it by
    0.38-0.56: lit on one side of a pixel, in shade on the other)."""
    alpha = np.zeros((200, 160), np.uint8)
    cv2.fillPoly(alpha, [np.array([[20, 10], [140, 10], [80, 190]])], 255)   # a pointed chin
    normals = lighting.relief(alpha, 1.0).reshape(200, 160, 3) / lighting.NORMAL_UNIT
    for row in (120, 150):
        inside = np.flatnonzero(alpha[row] > 127)
        nx = normals[row, inside[0] + 3:inside[-1] - 3, 0]
        assert np.abs(np.diff(nx)).max() < 0.2, row
