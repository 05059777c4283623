"""Foot planting: the two-bone solver's geometry, planted feet that stay put on a walk, and runs
that leap from foot to foot."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from benchmarks.feet import measure
from renderer.load.puppet import load_puppet
from renderer.stage import gait, rig

PUPPETS = Path(__file__).resolve().parent.parent / "puppets"
BIPEDS = ("coraline", "mother", "father", "wybie", "other_mother", "other_father", "beldam",
          "miss_spink", "miss_forcible", "bobinsky", "mrs_lovat", "ghost_boy", "ghost_girl",
          "ghost_twin")
MEDIAN_PX, P90_PX = 1.5, 4.0     # the planted foot's move between exposures at 720p
# A run's feet stay down 0.35 of its cycle each (gait.RUN_STANCE), so both are off the floor in
# about 0.3 of it; a quarter of the exposures at least must show it, on twos as on ones.
FLIGHT_SHARE = 0.25
RUNNERS = tuple(n for n in BIPEDS if n != "beldam" and not n.startswith("ghost"))  # have `run`


def puppet(name):
    return load_puppet(PUPPETS / f"{name}.yaml")


def foot_at(p, leg, pose):
    return gait.feet_of(p, [leg], pose)[0]


@pytest.mark.parametrize("target", [(40.0, -30.0), (-40.0, -30.0), (0.0, -60.0), (25.0, -20.0)])
def test_a_reachable_target_is_reached_with_the_knee_forward(target):
    p = puppet("coraline")
    g = gait.gait_of(p, "walk", 260.0)
    leg = g.legs[1]                          # thigh_f, shin_f
    pose = p.poses["stand"].copy()
    world = rig.puppet_matrices(p, pose)
    for bone, rot in zip(leg.bones, gait.solve_leg(p, pose, world, leg, np.array(target))):
        pose[bone, 0] = rot
    assert foot_at(p, leg, pose) == pytest.approx(target, abs=1e-6)
    world = rig.puppet_matrices(p, pose)
    hip, knee = world[leg.bones[0]][:2, 2], world[leg.bones[1]][:2, 2]
    # the knee lies in front of the hip-to-foot line (facing right: +x), never behind it
    d, k = np.array(target) - hip, knee - hip
    assert d[0] * k[1] - d[1] * k[0] <= 1e-6


@pytest.mark.parametrize("target", [(0.0, 400.0), (900.0, -12.0), (12.0, -176.0), (0.0, 0.0)])
def test_an_unreachable_target_is_reached_toward_never_nan(target):
    p = puppet("coraline")
    leg = gait.gait_of(p, "walk", 260.0).legs[1]
    pose = p.poses["stand"].copy()
    rots = gait.solve_leg(p, pose, rig.puppet_matrices(p, pose), leg, np.array(target))
    assert all(math.isfinite(r) for r in rots)


def test_feet_are_traced_from_the_rig():
    assert gait.leg_chains(puppet("coraline")) == ((4, 5), (6, 7))       # thigh_*/shin_* by name
    spider = puppet("beldam_spider")
    assert len(gait.leg_chains(spider)) == 8                              # declared in its file
    assert gait.foot_point(spider, gait.leg_chains(spider)[0]) == (370.0, 0.0)   # bones along x
    assert gait.gait_of(puppet("ghost_boy"), "float", 260.0) is None      # hovers: no steps
    assert gait.gait_of(puppet("beldam_hand"), "walk", 260.0) is None     # no legs declared


@pytest.mark.parametrize("name", BIPEDS)
def test_a_planted_foot_stays_put_on_a_straight_walk(name):
    slide = measure(puppet(name))
    assert slide.median <= MEDIAN_PX and slide.p90 <= P90_PX, slide
    assert abs(slide.floor) <= MEDIAN_PX, slide         # and it stands on the floor


@pytest.mark.parametrize("name", ["cat", "beldam_spider"])
def test_four_and_eight_legs_plant_too(name):
    slide = measure(puppet(name))
    assert slide.median <= MEDIAN_PX and slide.p90 <= P90_PX, slide


def test_feet_slow_with_the_body_under_easing():
    slide = measure(puppet("coraline"), ease="in_out")
    assert slide.median <= MEDIAN_PX and slide.p90 <= P90_PX, slide


def test_a_scaled_puppet_keeps_its_feet_planted():
    slide = measure(puppet("coraline"), scale=0.8)
    assert slide.median <= MEDIAN_PX and slide.p90 <= P90_PX, slide


def test_the_walk_starts_and_ends_standing():
    p = puppet("coraline")
    g = gait.gait_of(p, "walk", 260.0)
    footing = gait.Footing(g, ((100.0, 900.0), (1000.0, 900.0)), 1.0, 1)
    for d, (x, y) in ((0.0, (100.0, 900.0)), (900.0, (1000.0, 900.0))):
        targets = footing.targets(d, x, y, 1)
        assert targets == pytest.approx(g.home, abs=1e-6)


@pytest.mark.parametrize("name", RUNNERS)
@pytest.mark.parametrize("step", [1, 2])
def test_a_run_leaps_between_planted_feet(name, step, monkeypatch):
    """Once a run kept a foot down 0.6 of its cycle like a walk: at the hand-over the foot that
    had lifted slid on as if still planted. Now both feet leave the floor between steps, and a
    foot that is down stays put."""
    import benchmarks.feet
    monkeypatch.setattr(benchmarks.feet, "STEP", step)
    slide = measure(puppet(name), "run", "run")
    assert slide.flight >= FLIGHT_SHARE, slide
    assert slide.median <= MEDIAN_PX and slide.p90 <= P90_PX, slide
    assert slide.planted >= 0.9, slide


def test_a_run_rises_in_flight_and_lands_at_the_ends():
    p = puppet("coraline")
    g = gait.gait_of(p, "run", 560.0, flight=True)
    assert g.rise > 0 and np.all(g.duty == gait.RUN_STANCE)
    footing = gait.Footing(g, ((0.0, 930.0), (1200.0, 930.0)), 1.0, 1)
    lifts = [footing.airborne(d) for d in np.linspace(0, 1200, 2401)]
    assert max(lifts) == pytest.approx(g.rise, rel=0.02)      # the top of a leap
    assert lifts[0] == lifts[-1] == 0.0                       # standing at both ends
    assert 0.2 < np.mean(np.array(lifts) > 0) < 0.45          # in the air about 0.3 of the way


def test_a_walk_never_leaves_the_floor():
    for name in ("coraline", "cat", "beldam_spider"):
        slide = measure(puppet(name))
        assert slide.flight == 0 and slide.air == 0, slide
    spider = gait.gait_of(puppet("beldam_spider"), "run", 560.0, flight=True)
    assert spider.rise == 0            # eight legs scuttle: some are always down


def test_a_crawl_plants_hands_and_knees():
    """Coraline's crawl once slid on its knees: only the arms swung. Now the knees and hands
    that carry her step in diagonal pairs and stay put while they are down."""
    from renderer.stage.crawl import crawl_gait
    p = puppet("coraline")
    g = crawl_gait(p, "crawl", 200.0)
    assert len(g.legs) == 4                        # two hands, two knees
    slide = measure(p, "crawl", "crawl")
    assert slide.median <= MEDIAN_PX and slide.p90 <= P90_PX, slide
    assert slide.planted >= 0.75 and abs(slide.floor) <= MEDIAN_PX, slide
    assert crawl_gait(puppet("beldam_hand"), "crawl", 200.0) is None   # crawls on its own legs


def test_the_shins_lie_along_the_floor_while_she_crawls():
    """A knee's shin is carried by its thigh: turned back as the thigh swings, the boot never
    tips through the floor."""
    p = puppet("coraline")
    boots = [gait.Leg(c, gait.foot_point(p, c), -1) for c in gait.leg_chains(p)]
    held = np.where(np.isnan(p.poses["crawl"]), p.poses["stand"], p.poses["crawl"])
    from renderer.stage.contact import ground
    rest = gait.feet_of(p, boots, ground(p, held))[:, 1]
    from renderer.model.action import Action
    from renderer.model.scene import Placement
    from renderer.stage.perform import fold
    place = Placement("c", p, (300.0, 930.0), pose="crawl")
    act = Action(0.0, "c", "crawl", 4.0, "linear", None, {"to": (1100.0, 930.0), "cycle": "crawl"})
    for t in np.arange(0.5, 3.5, 1 / 12):
        s = fold(place, [act], float(t), {})
        below = gait.feet_of(p, boots, s.pose)[:, 1] - rest
        assert below.max() <= 4.0, (t, below)      # stage units below where the held pose rests
