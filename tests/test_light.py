"""Light on the miniature: every set has a rig, every puppet casts a shadow from the key (a
projected silhouette, not a blob), lamps flicker per exposure, and in every shot of every scene
each puppet stands apart from the background around it."""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import cv2
import numpy as np
import pytest
from conftest import REPO

from renderer.compose.blit import blit
from renderer.compose.composite import _actor_sprites, camera_matrix, placed_layers
from renderer.compose.shadows import cast_shadows, silhouette
from renderer.load.project import Project
from renderer.load.scene import load_scene
from renderer.paint import light as lighting
from renderer.render import plan_scene, render_exposure
from renderer.settings import settings_for
from renderer.stage.lens import plane_zoom
from renderer.stage.pose import light_levels, stage_exposure

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
def _plan(scene: str):
    return plan_scene(load_scene(REPO / "scenes" / f"{scene}.yaml"), settings_for("draft", WIDTH))


def _middle(plan, shot):
    exposure = shot.exposure_sheet[len(shot.exposure_sheet) // 2]
    return exposure, stage_exposure(plan.scene, shot.shot, exposure)


def _judged(actor, mask) -> bool:
    return actor.opacity > 0.5 and mask.sum() >= MIN_VISIBLE


@pytest.mark.parametrize("scene", SCENES)
def test_every_puppet_casts_a_shadow_from_the_key(scene):
    """Each grounded puppet or prop, alone on a plain grey stage seen wider than the shot (so a
    shadow running out of frame still counts), darkens an area outside its own silhouette of at
    least SHADOW_SHARE of its own area, reaching up from its feet (a blob under the feet would
    be flat)."""
    plan = _plan(scene)
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
            if area < MIN_VISIBLE:
                continue
            grey = np.full((h, w, 3), 128, np.uint8)
            cast_shadows(grey, set_def, [(actor, sprites)], wide)
            dark = (grey[..., 1] < 124) & ~own
            where = f"{scene}/{shot.shot.id}/{actor.id}"
            rows, cols = np.nonzero(own)
            # a prop, or a creature lying low (the crawling rat, the cat on all fours: wider than
            # tall by half), throws a shadow mostly under itself from a high key: it is held to
            # the props' share
            low = np.ptp(cols) > 1.5 * np.ptp(rows)
            share = SHADOW_SHARE_PROP if actor.is_prop or low else SHADOW_SHARE
            assert dark.sum() >= share * area, f"{where}: shadow {dark.sum()} px, itself {area}"
            if actor.y < set_def.floor_y - 20:
                continue   # standing on something raised (a mouse on its podium): the shadow is
                # cast on the floor plane below, a known limit of the model, not a blob
            ys, _ = np.nonzero(dark)
            feet_y = float((wide @ [actor.x, actor.y, 1])[1])
            assert feet_y - ys.min() >= 0.15 * (np.ptp(np.nonzero(own)[0]) + 1), \
                f"{where}: a flat blob"


def test_shadow_falls_away_from_the_key(project_dir):
    """Move the key to the other side and the shadow moves to the other side of the puppet."""
    plan = _plan("other_dinner")
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


def test_a_flickering_lamp_is_held_per_exposure_and_stays_in_range():
    plan = _plan("through_the_door")
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


def test_a_part_is_lit_from_where_the_light_is():
    """A disc's relief lit from the right is brighter on its right than its left, and a lamp
    behind lights its rim, not its middle."""
    alpha = np.zeros((61, 61), np.uint8)
    cv2.circle(alpha, (30, 30), 26, 255, -1)
    rgba = np.dstack([alpha // 2] * 3 + [alpha]).astype(np.uint8)
    normals = lighting.relief(alpha, 1.0)
    right = lighting.lit_sprite(rgba, normals, (lighting.LightKey(0, 4, 16, 16, 16),), 0.4)
    assert right[30, 50, 1] > right[30, 30, 1] * 0.9 > right[30, 10, 1] * 1.2
    rim = lighting.lit_sprite(rgba, normals, (lighting.LightKey(8, -4, 16, 16, 16),), 1.0)
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


def scene_separations(scene: str) -> list[tuple[str, str, float]]:
    """(shot, actor, separation) of every puppet judged in each shot's middle exposure."""
    plan = _plan(scene)
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
def test_every_puppet_stands_apart_from_its_background(scene):
    worst = [(shot, who, round(v, 1)) for shot, who, v in scene_separations(scene)
             if v < SEPARATION_FLOOR]
    assert not worst, f"{scene}: puppets that melt into their background: {worst}"
