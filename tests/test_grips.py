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
