"""Shots composed like a film: shot sizes framed on a head, the headroom rule in every scene's
close-ups, parallax under a dolly, a near puppet out of focus, and burnt captions that never
cover a face or the feet in any scene."""
from __future__ import annotations

import numpy as np
import pytest

from renderer.compose.text import placed_captions
from renderer.load.project import Project
from renderer.load.scene import load_scene
from renderer.model.scene import CameraKey
from renderer.render import plan_scene, render_frame
from renderer.settings import STAGE_H, STAGE_W, settings_for
from renderer.stage import framing
from renderer.stage.figure import measure
from renderer.stage.lens import camera_matrix
from renderer.stage.pose import stage_exposure

from conftest import REPO

SCENES = [p for p in Project(REPO).scene_paths() if not p.stem.startswith("_")]
WIDTH = 320
CLOSE_SHARE = 0.3   # a head at least this share of the frame's height, its middle in frame and
                    # its feet out of it (a giant's two-shot shows her feet): a close-up on it
EYE_INSIDE = 0.05   # the eyes of a close-up stay this share of the frame inside its edges


def _on_screen(cam: CameraKey, depth: float, point) -> np.ndarray:
    """A stage point of the plane at `depth` in frame units of a 1920x1080 frame."""
    return (camera_matrix(cam, depth, 1.0) @ np.array([point[0], point[1], 1.0]))[:2]


def _screen_box(cam: CameraKey, depth: float, box) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = box
    pts = np.array([_on_screen(cam, depth, p) for p in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))])
    return pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max()


@pytest.mark.parametrize("path", SCENES, ids=lambda p: p.stem)
def test_every_close_up_keeps_the_eyes_and_the_top_of_the_head_in_frame(path):
    """In every exposure of every shot, a puppet seen in close-up (`CLOSE_SHARE`, or the
    subject of a `frame: close` key) has its eyes at least EYE_INSIDE inside every edge and
    the top of its head inside the frame."""
    scene = load_scene(path)
    plan = plan_scene(scene, settings_for("draft", width=WIDTH))
    known: dict = {}   # each attachment's box, measured once for the scene
    for sp in plan.shots:
        close_on = {k.who for k in (scene_shot(scene, sp.shot.id).camera.start,
                                    scene_shot(scene, sp.shot.id).camera.end)
                    if k.frame == "close"}
        for e in sp.exposure_sheet:
            state = stage_exposure(scene, sp.shot, e)
            for actor in state.actors:
                if actor.is_prop or actor.opacity < framing.SHOWN or actor.depth < 1.0:
                    continue
                figure = measure(actor, known)
                if figure is None or figure.head is None or figure.eyes is None:
                    continue
                hx0, hy0, hx1, hy1 = _screen_box(state.camera, 1.0, figure.head)
                feet_top = _screen_box(state.camera, 1.0, figure.feet)[1]
                centre_in = 0 <= (hx0 + hx1) / 2 <= STAGE_W and 0 <= (hy0 + hy1) / 2 <= STAGE_H
                close_up = hy1 - hy0 >= CLOSE_SHARE * STAGE_H and centre_in and \
                    feet_top > STAGE_H
                if not close_up and actor.id not in close_on:
                    continue
                ex, ey = _on_screen(state.camera, 1.0, figure.eyes)
                where = f"{path.stem}/{sp.shot.id} exposure {e.index}: {actor.id}"
                assert EYE_INSIDE * STAGE_H <= ey <= (1 - EYE_INSIDE) * STAGE_H, (where, ey)
                assert EYE_INSIDE * STAGE_W <= ex <= (1 - EYE_INSIDE) * STAGE_W, (where, ex)
                assert hy0 >= 0.0, (where, "the top of the head is cut", hy0)


def scene_shot(scene, shot_id):
    return next(s for s in scene.shots if s.id == shot_id)


CLOSE = """
scene: {name}
world: other
seed: 3
set: other_dining_room
shots:
  - id: one
    duration: 1.0
    camera: {camera}
    cast:
      coraline: {{at: [700, 930], facing: right}}
      other_mother: {{at: [1300, 930], facing: left}}
"""


@pytest.mark.parametrize("size", ["close", "medium", "wide"])
def test_a_framed_key_puts_the_eyes_on_the_upper_third_with_headroom(write_scene, project_dir,
                                                                      size):
    """Coraline standing still, framed at each size: her eyes on the upper third (within 2 %
    of the frame's height, the rules having nothing to push), the top of her head (a close-up)
    or of her whole figure inside the frame by the headroom, and the shot sizes in order."""
    scene = load_scene(write_scene(f"framed_{size}", CLOSE.format(
        name=f"framed_{size}", camera=f"{{frame: {size}, who: coraline}}")), Project(project_dir))
    shot = framing.framed_shot(scene, scene.shots[0])
    cam = shot.camera.start
    state = stage_exposure(scene, shot, plan_scene(scene, settings_for("draft")).shots[0]
                           .exposure_sheet[0])
    figure = measure(next(a for a in state.actors if a.id == "coraline"))
    _, ey = _on_screen(cam, 1.0, figure.eyes)
    assert abs(ey / STAGE_H - framing.EYE_LINE) < 0.02, ey
    top = (figure.head if size == "close" else figure.box)[1]
    assert _on_screen(cam, 1.0, (0, top))[1] >= framing.HEADROOM * STAGE_H * 0.99
    ex, _ = _on_screen(cam, 1.0, figure.eyes)
    assert ex < STAGE_W / 2          # facing right: set back to the left, room to look into
    zooms = {"close": 3.0, "medium": 1.6, "wide": 1.0}   # in order: close > medium > wide
    assert cam.zoom >= zooms[size], cam.zoom


def test_a_framed_camera_leaves_unframed_scenes_as_they_were(write_scene, project_dir):
    """A shot with a plain camera, still or moving, comes back from framing as the very same
    object."""
    scene = load_scene(write_scene("plain", CLOSE.format(
        name="plain", camera="{from: {x: 900, y: 560, zoom: 1.2}, to: {zoom: 1.4}}")),
        Project(project_dir))
    still = load_scene(write_scene("plain_still", CLOSE.format(
        name="plain_still", camera="{x: 960, y: 540, zoom: 1.0}")), Project(project_dir))
    for shot in scene.shots + still.shots:
        assert framing.framed_shot(scene, shot) is shot


def test_a_dolly_moves_a_near_layer_more_than_the_puppets_and_those_more_than_a_far_one():
    """Dollying in by 0.3 (no zoom, no pan), a point away from the frame's centre moves out
    by d / (d - 0.3) on a plane at depth d: most on a near layer, least on a far one."""
    rest, dollied = CameraKey(), CameraKey(dolly=0.3)
    point = (400.0, 300.0)
    moved = {d: np.linalg.norm(_on_screen(dollied, d, point) - _on_screen(rest, d, point))
             for d in (0.6, 1.0, 3.0)}
    assert moved[0.6] > moved[1.0] > moved[3.0] > 0
    # the magnification a plane gets is the perspective one, d / (d - dolly)
    centre = np.array([STAGE_W / 2, STAGE_H / 2])
    for d in moved:
        grow = np.linalg.norm(_on_screen(dollied, d, point) - centre) / \
            np.linalg.norm(_on_screen(rest, d, point) - centre)
        assert grow == pytest.approx(d / (d - 0.3))


def test_a_plain_camera_is_the_rig_it_was():
    """No tilt and no dolly: the camera matrix is the multiplane rig's as before (1/d pan and
    zoom), so every scene that uses neither renders as it did."""
    cam = CameraKey(700.0, 480.0, 1.6)
    for d in (0.6, 1.0, 2.5):
        cx, cy = STAGE_W / 2 + (700 - STAGE_W / 2) / d, STAGE_H / 2 + (480 - STAGE_H / 2) / d
        z = 1 + 0.6 / d
        want = np.array([[z, 0, STAGE_W / 2 - z * cx], [0, z, STAGE_H / 2 - z * cy], [0, 0, 1]])
        np.testing.assert_allclose(camera_matrix(cam, d, 1.0), want, atol=1e-9)


def test_a_tilted_frame_shows_nothing_the_untilted_one_would_not():
    """The tilted frame's corners, carried back to the stage, lie inside the untilted view."""
    for tilt in (-10.0, 3.0, 10.0):
        m = np.linalg.inv(camera_matrix(CameraKey(tilt=tilt), 1.0, 1.0))
        corners = m @ np.array([[0, STAGE_W, 0, STAGE_W], [0, 0, STAGE_H, STAGE_H], [1] * 4])
        assert corners[0].min() >= -1e-6 and corners[0].max() <= STAGE_W + 1e-6
        assert corners[1].min() >= -1e-6 and corners[1].max() <= STAGE_H + 1e-6


NEAR = """
scene: {name}
world: other
seed: 3
set: other_dining_room
shots:
  - id: one
    duration: 0.5
    cast:
      coraline: {{at: [960, 1000], facing: left, depth: {depth}}}
"""


def test_a_near_puppet_is_out_of_focus_in_proportion_to_its_depth():
    """A hard-edged square drawn as a near puppet is drawn: sharp on the puppet plane, its edge
    softer at depth 0.8 and softer again at 0.5, by a blur proportional to |1 - 1/depth|
    (the set layers' rule): 0.25 and 1 of DOF_SIGMA's unit."""
    from renderer.compose.foreground import draw_near, focus_blur
    from renderer.paint.prims import Sprite
    rgba = np.zeros((40, 40, 4), np.uint8)
    rgba[10:30, 10:30] = 255
    sprite = Sprite(rgba, (0.0, 0.0), 1.0)
    assert focus_blur(1.0, 0.5) == pytest.approx(4 * focus_blur(1.0, 0.8))
    assert focus_blur(1.0, 1.0) == 0.0
    soft = {}
    for depth in (1.0, 0.8, 0.5):
        frame = np.zeros((60, 60, 3), np.uint8)
        draw_near(frame, [(sprite, np.eye(3))], 1.0, focus_blur(1.0, depth) * 2.0)
        grey = frame[..., 0]
        soft[depth] = int(((grey > 8) & (grey < 247)).sum())   # pixels of a soft edge
    assert soft[1.0] <= 80 < soft[0.8] < soft[0.5], soft     # 80: one ring of the 20 px square


def test_a_near_puppet_stands_in_front_of_the_set_on_its_own_plane(write_scene, project_dir):
    """Coraline at depth 0.6 is drawn over the table that hides her legs on the puppet plane,
    and a camera pan moves her 1/0.6 as far as it moves the puppet plane."""
    settings = settings_for("draft", width=WIDTH, post=False)
    frames = {}
    for depth in (1.0, 0.6):
        name = f"near_{str(depth).replace('.', '_')}"
        scene = load_scene(write_scene(name, NEAR.format(name=name, depth=depth)),
                           Project(project_dir))
        frames[depth] = render_frame(plan_scene(scene, settings), 0)
        state = stage_exposure(scene, scene.shots[0], plan_scene(scene, settings).shots[0]
                               .exposure_sheet[0])
        assert state.actors[0].depth == depth and state.actors[0].grounded == (depth == 1.0)
    # her boots at the bottom of the frame: hidden by the table's front on the puppet plane
    low = slice(int(0.85 * settings.height), settings.height)
    middle = slice(int(0.4 * WIDTH), int(0.6 * WIDTH))
    assert np.abs(frames[0.6][low, middle].astype(int) - frames[1.0][low, middle]).max() > 60
    panned = CameraKey(x=1060.0)
    shift = {d: _on_screen(panned, d, (960, 1000))[0] - _on_screen(CameraKey(), d, (960, 1000))[0]
             for d in (1.0, 0.6)}
    assert shift[0.6] == pytest.approx(shift[1.0] / 0.6)


@pytest.mark.parametrize("path", SCENES, ids=lambda p: p.stem)
def test_burnt_captions_never_cover_a_face_or_the_feet(path):
    """At the middle exposure of every shot and every exposure where a line is on screen, each
    puppet's face box and feet box (measured from its shapes as posed, through its plane's
    camera) has no caption pixel over it: the captions sit where the renderer puts them (one
    place for as long as a line shows), clear of them, or below a letterboxed picture."""
    scene = load_scene(path)
    settings = settings_for("draft", width=WIDTH, captions="burn")
    plan = plan_scene(scene, settings)
    w, h = settings.width, settings.height
    known: dict = {}   # each attachment's box, measured once for the scene
    for sp in plan.shots:
        sheet = sp.exposure_sheet
        for e in sheet:
            state = stage_exposure(scene, sp.shot, e)
            if not state.captions and e is not sheet[len(sheet) // 2]:
                continue
            boxes = []
            for actor in state.actors:
                figure = measure(actor, known) if not actor.is_prop and actor.opacity > 0 \
                    else None
                for box in (figure.head, figure.feet) if figure is not None else ():
                    if box is not None:
                        x0, y0, x1, y1 = _screen_box(state.camera, actor.depth, box)
                        boxes.append(np.array([x0, y0, x1, y1]) * settings.scale)
            if not state.captions:
                continue
            sprites, picture = placed_captions(state.captions, w, h,
                                               plan.line_places(sp)[e.index])
            ink = np.zeros((h, w), bool)
            for sp_ in sprites:
                alpha = sp_.inv_alpha[..., 0] < 255
                ys, xs = np.nonzero(alpha)
                ys, xs = ys + sp_.y, xs + sp_.x
                keep = (ys >= 0) & (ys < h) & (xs >= 0) & (xs < w)
                ink[ys[keep], xs[keep]] = True
            for box in boxes:
                # what of it the frame shows; a letterboxed picture shrunk to `picture` about
                # the top centre
                box = np.clip(box, 0, [w, h, w, h]) * picture + \
                    np.array([w * (1 - picture) / 2, 0] * 2)
                x0, y0 = max(0, int(np.floor(box[0]))), max(0, int(np.floor(box[1])))
                x1, y1 = min(w, int(np.ceil(box[2]))), min(h, int(np.ceil(box[3])))
                if x1 > x0 and y1 > y0:
                    assert not ink[y0:y1, x0:x1].any(), \
                        f"{path.stem}/{sp.shot.id} exposure {e.index}: a caption covers {box}"
