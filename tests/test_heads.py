"""Sculpted heads and their turns: every acting character has three replacement heads whose
silhouettes differ, its face parts sit on each, and a turn of the head in a scene swaps the head
on the exposure it falls on (held like every other change)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from renderer.load.heads import Sculpt, sculpted_heads, turned_face
from renderer.load.puppet import load_puppet
from renderer.load.scene import load_scene
from renderer.model.art import Prim
from renderer.paint.prims import paint
from renderer.render import plan_scene
from renderer.settings import settings_for
from renderer.stage.pose import slot_attachments, stage_exposure
from renderer.stage.timing import exposure_at

REPO = Path(__file__).resolve().parent.parent
# The acting characters: every puppet that speaks (has mouth shapes) and has a human head. The
# cat, the rat and the mouse speak or pull faces with an animal's head, which these sculpts
# (jaw, chin, nose) do not describe; they keep their one drawn head and the mirror.
ANIMALS = ("cat", "rat", "mouse")
ACTING = sorted(p.stem for p in (REPO / "puppets").glob("*.yaml")
                if "mouths:" in p.read_text() and p.stem not in ANIMALS)
TURNS = ("front", "three_quarter", "profile")
CANVAS = (-260, -360, 260, 140)   # head-bone units around every shipped head
BOIL_UNITS = 2.0    # a head shifted this far (more than any boil moves it between exposures)
ON_FACE = 0.75      # share of an eye or mouth painting that must lie on its turned head: the
                    # profile mouth that hung off the face like a second nose had 0.6


def _mask(art) -> np.ndarray:
    """The solid pixels of `art` painted at 1 px a unit, on the CANVAS grid."""
    sprite = paint(art, 1.0, 7)
    x0, y0, x1, y1 = CANVAS
    canvas = np.zeros((y1 - y0, x1 - x0), bool)
    ox, oy = round(sprite.origin[0]), round(sprite.origin[1])
    h, w = sprite.rgba.shape[:2]
    canvas[-oy - y0:-oy - y0 + h, -ox - x0:-ox - x0 + w] = sprite.rgba[..., 3] > 128
    return canvas


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


def _head_attachment(puppet) -> str:
    return next(s.attachment for s in puppet.slots if s.name == "head")


def test_the_acting_characters_are_the_human_puppets():
    """Guards the list the other tests run over: a new speaking puppet joins it."""
    assert {"coraline", "wybie", "other_mother", "beldam", "ghost_boy", "ghost_girl",
            "ghost_twin", "bobinsky", "miss_forcible", "miss_spink"} <= set(ACTING)


@pytest.mark.parametrize("name", ACTING)
def test_every_acting_character_has_three_turned_heads_that_differ(name):
    """Three distinct paintings: each pair of turned heads differs in silhouette by more than the
    same head differs from itself shifted BOIL_UNITS (what boil alone could do)."""
    puppet = load_puppet(REPO / "puppets" / f"{name}.yaml")
    assert set(TURNS) <= set(puppet.turns)
    head = _head_attachment(puppet)
    masks = {t: _mask(puppet.attachments[puppet.turned(head, t)]) for t in TURNS}
    boil = _iou(masks["three_quarter"], np.roll(masks["three_quarter"], int(BOIL_UNITS), 1))
    for a, b in [("front", "three_quarter"), ("front", "profile"), ("three_quarter", "profile")]:
        assert _iou(masks[a], masks[b]) < boil, f"{name}: {a} and {b} heads are alike"


@pytest.mark.parametrize("name", ACTING)
def test_eyes_and_mouths_sit_on_every_turned_head_in_every_face_and_skin(name):
    puppet = load_puppet(REPO / "puppets" / f"{name}.yaml")
    slots = [s.name for s in puppet.slots]
    checked = 0
    for turn in TURNS:
        for skin in puppet.skins:
            for face in puppet.faces:
                atts = slot_attachments(puppet, skin, face, None, False, turn)
                head = _mask(puppet.attachments[atts[slots.index("head")]])
                for slot, att in zip(puppet.slots, atts):
                    if att is None or slot.name not in ("eyes", "mouth"):
                        continue
                    if turn != "three_quarter":   # the turned part, not the drawn one
                        assert att.endswith("@" + turn), (name, turn, skin, face, att)
                    part = _mask(puppet.attachments[att])
                    if part.any():
                        share = (part & head).sum() / part.sum()
                        assert share >= ON_FACE, (name, turn, skin, face, att, share)
                        checked += 1
    assert checked >= 2 * len(TURNS)


def test_every_mouth_shape_is_placed_on_each_turn():
    """Speech works on every head: each mouth shape has its turned painting."""
    puppet = load_puppet(REPO / "puppets" / "coraline.yaml")
    for turn in ("front", "profile"):
        for shape, att in puppet.mouths.items():
            atts = slot_attachments(puppet, "real", "neutral", shape, False, turn)
            assert atts[[s.name for s in puppet.slots].index("mouth")] == f"{att}@{turn}"


SCULPT = Sculpt(at=(0, -70), size=(140, 140), color=(240, 210, 190), eyes=(14, 50))
NEAR = Prim("ellipse", at=(14, -74), size=(30, 34))
FAR = Prim("ellipse", at=(50, -74), size=(26, 32))
MOUTH = Prim("ellipse", at=(33, -28), size=(24, 20))


def test_the_front_spreads_the_eyes_about_the_skull_and_the_profile_hides_the_far_eye():
    front = turned_face((NEAR, FAR, MOUTH), SCULPT, "front")
    assert front[0].at[0] + front[1].at[0] == pytest.approx(2 * SCULPT.at[0])   # symmetric
    assert front[1].at[0] - front[0].at[0] > FAR.at[0] - NEAR.at[0]            # wider apart
    profile = turned_face((NEAR, FAR, MOUTH), SCULPT, "profile")
    assert [p.at[1] for p in profile] == [NEAR.at[1], MOUTH.at[1]]   # the far eye left out
    assert profile[0].size[0] < NEAR.size[0]                          # seen narrower
    assert turned_face((NEAR, FAR, MOUTH), SCULPT, "three_quarter") == (NEAR, FAR, MOUTH)


def test_the_profile_nose_and_the_needle_chin_reach_out():
    """The measurements shape the silhouette: a longer nose reaches further in profile and a
    longer chin hangs lower from the front."""
    def extent(sculpt, turn, axis):
        m = _mask(sculpted_heads(sculpt)[turn])
        return np.flatnonzero(m.any(axis=axis)).max()
    from dataclasses import replace
    assert extent(replace(SCULPT, nose=30), "profile", 0) > extent(SCULPT, "profile", 0) + 15
    assert extent(replace(SCULPT, chin=30), "front", 1) > extent(SCULPT, "front", 1) + 20


SCENE = """
scene: {name}
world: real
step: 2
set: other_dining_room
shots:
  - id: s
    duration: 2.0
    cast:
      coraline: {{at: [600, 930], head: front}}
      other_mother: {{at: [1300, 930], facing: left}}
    action:
      - {{t: 0.45, who: coraline, do: turn, head: profile}}
      - {{t: 1.2, who: coraline, do: look, at: other_mother, head: three_quarter, for: 0.3}}
      - {{t: 1.2, who: other_mother, do: turn, facing: right}}
"""


def test_a_turn_of_the_head_swaps_the_head_on_its_exposure_and_holds(write_scene):
    """On twos at 24 fps the exposures fall at k/12 s: the turn at 0.45 s first shows on the
    exposure at 0.5 s (frame 12), and frames 10-11 (the exposure at 0.417 s) keep the front;
    the look at 1.2 s first shows at 1.25 s (frame 30)."""
    scene = load_scene(write_scene("turns", SCENE.format(name="turns")))
    plan = plan_scene(scene, settings_for("draft", width=320))
    sheet = plan.shots[0].exposure_sheet
    slot = [s.name for s in scene.shots[0].cast["coraline"].puppet.slots].index("head")

    def head(frame: int) -> str:
        state = stage_exposure(scene, scene.shots[0], exposure_at(sheet, frame))
        return next(a for a in state.actors if a.id == "coraline").attachments[slot]

    assert [head(f) for f in (0, 10, 11)] == ["head@front"] * 3
    assert [head(f) for f in (12, 13, 29)] == ["head@profile"] * 3   # 28-29: 1.167 s, held
    assert head(30) == "head"   # the look at 1.2 s shows from 1.25 s: the drawn three-quarter
    state = stage_exposure(scene, scene.shots[0], exposure_at(sheet, 40))
    om = next(a for a in state.actors if a.id == "other_mother")
    assert om.facing == 1 and om.attachments[slot] is not None   # a plain turn still mirrors


def test_a_turned_head_is_painted_once_and_cached(monkeypatch):
    """Replacement heads are ordinary attachments: each turn is painted once (a distinct
    painting), and asking again reads it from the render's paintings instead of painting it anew."""
    from renderer.compose.paintings import Paintings
    from renderer.paint import sprites
    paintings = Paintings()   # a render's memory, without a disk store: every miss is painted
    painted = []
    real = sprites.paint
    monkeypatch.setattr(sprites, "paint", lambda art, scale, seed: painted.append(art) or
                        real(art, scale, seed))
    puppet = load_puppet(REPO / "puppets" / "coraline.yaml")
    scale = 0.3711
    heads = {t: paintings.attachment(puppet, puppet.turned("head", t), scale) for t in TURNS}
    assert len(painted) == 3
    again = paintings.attachment(puppet, "head@profile", scale)
    assert len(painted) == 3 and np.array_equal(again.rgba, heads["profile"].rgba)
    assert not np.array_equal(heads["front"].rgba[..., 3].shape, heads["profile"].rgba[..., 3].shape) \
        or not np.array_equal(heads["front"].rgba, heads["profile"].rgba)
