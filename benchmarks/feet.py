"""Foot slide: how far a planted foot moves between exposures on a straight walk.

    python -m benchmarks.feet            # a table per puppet that walks
    python -m benchmarks.feet coraline --cycle run

Each puppet walks (or runs) 1300 stage units across a still stage, on twos at 24 fps, at the
default speed of the verb, through the same code the scenes use (`perform.fold`). For every
exposure, each foot's point (the far end of its leg, from the posed skeleton's world matrices: no
rendering) is put in 720p pixels (1280 px wide: 2/3 px per stage unit). Between two exposures,
the foot that should be planted is the one that stays lowest over both (the smallest of its two
heights above the floor); its move is that interval's slide. A run leaps: where even that foot is
off the floor (more than PLANTED_PX) at one of the two exposures, no foot is down through the
interval (a hand-over in the air), and it is counted in `air` instead of the slides. Columns:
median and 90th percentile slide (px), `planted` the share of the other intervals whose planted
foot moved at most PLANTED_PX and stood within PLANTED_PX of the floor, `floor` its median height
above the floor (px), `air` the share of intervals with no foot down through them, `flight` the
share of exposures with every foot off the floor, `body` the body's move per exposure (px).
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from renderer.load.puppet import load_puppet
from renderer.model.action import SPEED, Action
from renderer.model.puppet import PuppetDef
from renderer.model.scene import Placement
from renderer.stage import gait, rig
from renderer.stage.crawl import crawl_gait
from renderer.stage.perform import fold
from renderer.stage.pose import placement_matrix

PX_PER_UNIT = 1280 / 1920      # 720p: the stage is 1920 units wide
FPS, STEP = 24, 2
DISTANCE = 1300.0              # stage units, left to right
START = (300.0, 930.0)
PLANTED_PX = 1.5
REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Slide:
    puppet: str
    cycle: str
    median: float      # px
    p90: float         # px
    planted: float     # share of intervals with a foot down, 0..1
    floor: float       # px: median height of the planted foot above the floor
    body: float        # px per exposure
    air: float = 0.0      # share of intervals with no foot down through them, 0..1
    flight: float = 0.0   # share of exposures with every foot off the floor, 0..1


def feet_track(puppet: PuppetDef, cycle: str, verb: str = "walk", distance: float = DISTANCE,
               ease: str = "linear", scale: float = 1.0) -> tuple[np.ndarray, np.ndarray,
                                                                   np.ndarray]:
    """A straight walk's feet in 720p pixels: positions (n_exposures, n_legs, 2), heights above
    the floor (n_exposures, n_legs), and the body's x (n_exposures,). A person's crawl is
    measured on what carries it, hands and knees, from its held `crawl` pose."""
    hands_and_knees = crawl_gait(puppet, cycle, SPEED[verb]) if verb == "crawl" else None
    place = Placement("walker", puppet, START, scale=scale,
                      pose="crawl" if hands_and_knees is not None else "stand")
    duration = round(distance / SPEED[verb], 2)
    action = Action(0.0, "walker", verb, duration, ease, None,
                    {"to": (START[0] + distance, START[1]), "cycle": cycle})
    if hands_and_knees is not None:
        legs, home = list(hands_and_knees.legs), hands_and_knees.home
    else:
        legs = [gait.Leg(c, gait.foot_point(puppet, c), -1) for c in gait.leg_chains(puppet)]
        home = gait.feet_of(puppet, legs, puppet.poses["stand"])
    times = np.arange(0.0, duration, STEP / FPS)
    feet, heights, body = [], [], []
    for t in times:
        s = fold(place, [action], float(t), {})
        world = rig.puppet_matrices(puppet, s.pose)
        placed = placement_matrix(s.x, s.y, s.facing, s.scale, s.rot)
        points = np.array([(placed @ world[leg.bones[-1]] @ (*leg.foot, 1.0))[:2] for leg in legs])
        feet.append(points * PX_PER_UNIT)
        floor = s.y + home[:, 1] * s.scale
        heights.append((floor - points[:, 1]) * PX_PER_UNIT)
        body.append(s.x * PX_PER_UNIT)
    return np.array(feet), np.array(heights), np.array(body)


def measure(puppet: PuppetDef, cycle: str = "walk", verb: str = "walk", **kw) -> Slide:
    feet, heights, body = feet_track(puppet, cycle, verb, **kw)
    moving = np.flatnonzero(np.diff(body) != 0)   # intervals while the body travels
    slides, floors, air = [], [], 0
    for i in moving:
        over_both = np.maximum(heights[i], heights[i + 1])
        leg = int(np.argmin(over_both))
        if over_both[leg] > PLANTED_PX:      # no foot down through it: a leap
            air += 1
            continue
        slides.append(float(np.hypot(*(feet[i + 1, leg] - feet[i, leg]))))
        floors.append(float(over_both[leg]))
    slides, floors = np.array(slides or [0.0]), np.array(floors or [0.0])
    planted = float(np.mean((slides <= PLANTED_PX) & (np.abs(floors) <= PLANTED_PX)))
    shown = np.unique(np.concatenate([moving, moving + 1]))
    flight = float(np.mean((heights[shown] > PLANTED_PX).all(axis=1)))
    return Slide(puppet.name, cycle, float(np.median(slides)), float(np.percentile(slides, 90)),
                 planted, float(np.median(floors)), float(np.median(np.diff(body)[moving])),
                 air / max(1, len(moving)), flight)


def walkers(root: Path = REPO) -> list[tuple[PuppetDef, str]]:
    """Every puppet with legs, and each of its cycles that travels (walk, run, crawl)."""
    out = []
    for path in sorted((root / "puppets").glob("*.yaml")):
        puppet = load_puppet(path)
        if gait.leg_chains(puppet):
            out += [(puppet, c) for c in ("walk", "run", "crawl") if c in puppet.cycles]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("puppets", nargs="*", help="puppet names (default: all with legs)")
    parser.add_argument("--cycle", help="only this cycle")
    args = parser.parse_args(argv)
    print(f"{'puppet':<14} {'cycle':<6} {'median px':>9} {'p90 px':>7} {'planted':>8} "
          f"{'floor px':>8} {'air':>5} {'flight':>6} {'body px':>8}")
    for puppet, cycle in walkers():
        if (args.puppets and puppet.name not in args.puppets) or \
                (args.cycle and cycle != args.cycle):
            continue
        verb = cycle if cycle in ("run", "crawl") else "walk"
        r = measure(puppet, cycle, verb)
        print(f"{r.puppet:<14} {r.cycle:<6} {r.median:9.2f} {r.p90:7.2f} {r.planted:8.0%} "
              f"{r.floor:8.2f} {r.air:5.0%} {r.flight:6.0%} {r.body:8.2f}")


if __name__ == "__main__":
    main()
