"""Grips and hand-offs: what a hand holds stays in it; a give is a hand-off with both hands on the
prop; held props are drawn at their holder's size."""
import math

import pytest

from renderer.load.scene import load_scene
from renderer.render import exposures, plan_scene
from renderer.settings import RenderSettings
from renderer.stage.perform import HAND_OVER, handling
from renderer.stage.pose import stage_exposure
from tests.conftest import REPO

HELD_WITHIN = 4.0       # stage units: a held prop's handle is this close to the hand holding it
PASS_WITHIN = 6.0       # stage units: in the middle of a give, both hands are on the prop

HANDING = ("take", "give", "drop", "throw")


def _scene(name):
    return load_scene(REPO / "scenes" / f"{name}.yaml")


def _handing_scenes():
    """The shipped scenes in which something is taken, given, dropped or thrown."""
    return [p.stem for p in sorted((REPO / "scenes").glob("*.yaml")) if p.stem != "sequence"
            and any(f"do: {verb}" in p.read_text() for verb in HANDING)]


def hand_gaps(scene):
    """(shot, time, prop, holder, gap) for every exposure at which a prop is held, and the gap
    between its handle and the hand holding it; during the middle of a give, the gap to the other
    hand too (holder named 'both')."""
    plan = plan_scene(scene, RenderSettings(width=320, fps=12))
    for shot_plan, exposure in exposures(plan):
        shot = shot_plan.shot
        state = stage_exposure(scene, shot, exposure)
        actors = {a.id: a for a in state.actors}
        for pid in shot.cast:
            h = handling(list(shot.actions), pid, exposure.time)
            if h is None or h.holder is None or pid not in actors:
                continue
            holder = actors.get(h.holder)
            if holder is None or holder.grip is None:
                continue
            hx, hy = actors[pid].handle
            yield shot.id, exposure.time, pid, h.holder, math.dist((hx, hy), holder.grip)
            if h.partner is not None and abs(h.p - HAND_OVER) < 0.1:
                other = actors[h.partner]
                yield shot.id, exposure.time, pid, "both", math.dist((hx, hy), other.grip)


@pytest.mark.parametrize("name", _handing_scenes())
def test_held_props_stay_in_the_hand_in_every_exposure_of_the_film(name):
    scene = _scene(name)
    bad = [(shot, round(t, 2), pid, who, round(gap, 1)) for shot, t, pid, who, gap in hand_gaps(scene)
           if gap > (PASS_WITHIN if who == "both" else HELD_WITHIN)]
    assert not bad, f"{name}: props away from the hand (shot, s, prop, hand, units): {bad[:8]}"


SIT_HEAD = """
scene: {name}
set: other_dining_room
shots:
  - id: s
    duration: 2.0
"""


def test_sit_lowers_the_bottom_onto_the_seat_and_keeps_the_feet_on_the_floor(write_scene):
    from renderer.stage.contact import footing_legs, seat_point
    from renderer.stage.timing import Exposure
    path = write_scene("sits", SIT_HEAD.format(name="sits") + """\
    cast:
      coraline: {at: [560, 930], facing: right}
    action:
      - {t: 0.2, who: coraline, do: sit, for: 0.6}
""")
    scene = load_scene(path)
    shot = scene.shots[0]
    from renderer.stage.perform import fold
    from renderer.stage.pose import _settle
    place = shot.cast["coraline"]
    s = fold(place, list(shot.actions), 1.5, {})
    _settle(s)
    bottom = seat_point(s.puppet, s.pose)
    assert s.y + bottom[1] == pytest.approx(842, abs=1.0)      # on chair_left's top
    from renderer.stage.gait import feet_of
    legs, home = footing_legs(s.puppet)
    feet = feet_of(s.puppet, legs, s.pose)
    assert max(feet[:, 1]) == pytest.approx(home[:, 1].max(), abs=3.0)   # feet on the floor
    assert stage_exposure(scene, shot, Exposure(0, 36, 2, 1.5)) is not None


def test_sit_with_no_seat_in_reach_is_a_located_error(write_scene):
    from renderer.errors import SceneError
    path = write_scene("nosit", SIT_HEAD.format(name="nosit") + """\
    cast:
      coraline: {at: [1800, 930], facing: right}
    action:
      - {t: 0.2, who: coraline, do: sit}
""")
    with pytest.raises(SceneError) as err:
        load_scene(path)
    text = str(err.value)
    assert "nosit.yaml:9" in text and "seat within reach" in text and "chair_left" in text


def test_a_crouch_keeps_the_feet_on_the_floor(write_scene):
    from renderer.stage.contact import footing_legs
    from renderer.stage.gait import feet_of
    from renderer.stage.perform import fold
    from renderer.stage.pose import _settle
    path = write_scene("crouch", SIT_HEAD.format(name="crouch") + """\
    cast:
      coraline: {at: [900, 930], facing: right, pose: crouch}
""")
    shot = load_scene(path).shots[0]
    s = fold(shot.cast["coraline"], [], 0.5, {})
    _settle(s)
    legs, home = footing_legs(s.puppet)
    assert max(feet_of(s.puppet, legs, s.pose)[:, 1]) == pytest.approx(home[:, 1].max(), abs=1.0)


# A person whose bottom is higher than this share of its leg above the floor sits on something
# (a chair sit: knees bent, bottom at knee height ~0.5 of the leg); a floor sit (the ragdoll's
# legs out in front, 0.15 of its leg) needs no seat.
CHAIR_SIT = 0.35


def _seated_people():
    """(scene, shot, cast id) of every person (thigh_X/shin_X legs) placed in a 'sit' pose."""
    from renderer.load.seats import leg_length
    out = []
    for path in sorted((REPO / "scenes").glob("*.yaml")):
        if path.stem == "sequence":
            continue
        for shot in load_scene(path).shots:
            out += [(path.stem, shot.id, cid) for cid, p in shot.cast.items()
                    if p.pose == "sit" and leg_length(p.puppet) > 0]
    return out


@pytest.mark.parametrize("name,shot_id,who", _seated_people())
def test_every_person_sitting_in_the_film_sits_on_a_declared_seat(name, shot_id, who):
    """The bed of wakes_real and the Other Father's chair were once air: a chair sit needs a
    seat declared by the set or a prop, and the bottom rests on its top."""
    from renderer.load.seats import leg_length
    from renderer.stage.contact import seat_point
    from renderer.stage.perform import fold
    from renderer.stage.pose import _settle
    shot = next(s for s in _scene(name).shots if s.id == shot_id)
    place = shot.cast[who]
    s = fold(place, [], 0.0, {})
    _settle(s)
    bottom = s.y + seat_point(s.puppet, s.pose)[1] * s.scale
    if place.seat is None:
        assert s.y - bottom <= CHAIR_SIT * leg_length(s.puppet) * s.scale, \
            f"{who} sits {s.y - bottom:.0f} units above the floor on nothing"
    else:
        assert bottom == pytest.approx(place.seat.y, abs=1.0)


def test_the_bed_and_the_other_fathers_chair_are_declared_seats():
    waking = _scene("wakes_real").shots[0].cast["coraline"]
    feast = _scene("other_dinner").shots[0].cast["other_father"]
    assert waking.seat is not None and waking.seat.name == "bed"
    assert feast.seat is not None and feast.seat.name == "chair_father"
