"""Seats: which seat a `sit` (or a cast member placed on a `seat:`) lowers the puppet onto.

A seat is a set's surface of kind `seat`, or one a prop in the shot offers (placed with it). The
puppet finds it where it is when it sits: its `at`, moved by the travels before. A seat is in
reach when its span comes within SEAT_REACH (times the puppet's scale) of the puppet's feet and
its top is between the floor and the height of the puppet's hips.
"""
from __future__ import annotations

from renderer.errors import did_you_mean
from renderer.load.fields import Field
from renderer.model.action import Action, path_of
from renderer.model.puppet import PuppetDef
from renderer.model.scene import Placement
from renderer.model.set import SetDef, Surface

SEAT_REACH = 110.0   # stage units at scale 1: a step and a half to the side
HIP_ROOM = 1.15      # a seat may be up to this many leg lengths above the floor


def seats_in(set_def: SetDef, cast: dict[str, Placement]) -> list[Surface]:
    """Every seat of the shot: the set's, then each prop's, on the stage where it is placed."""
    seats = [s for s in set_def.surfaces if s.kind == "seat"]
    for place in cast.values():
        for s in place.puppet.surfaces:
            if s.kind == "seat":
                seats.append(s.placed(place.at[0], place.at[1], place.facing, place.scale))
    return seats


def where_at(place: Placement, actions: list[Action], t: float) -> tuple[float, float]:
    """Where a cast member stands at time t, from its `at` and the travels begun before."""
    x, y = place.at
    for a in sorted(actions, key=lambda a: a.t):
        if a.who != place.id or a.t >= t:
            continue
        if a.do in ("walk", "run", "crawl", "move"):
            x, y = path_of((x, y), a.args)[-1]
        elif a.do in ("jump", "exit"):
            x, y = a.args["to"]
        elif a.do == "enter":
            x, y = place.at
    return x, y


def leg_length(puppet: PuppetDef) -> float:
    """Hip to foot (the longest `thigh_X` + `shin_X`), stage units at scale 1; 0 without legs."""
    index = puppet.bone_index
    return max((b.length + puppet.bones[index["shin_" + b.name[6:]]].length
                for b in puppet.bones if b.name.startswith("thigh_")
                and "shin_" + b.name[6:] in index), default=0.0)


def find_seat(f: Field, name: str | None, name_field: Field | None, place: Placement,
              at: tuple[float, float], seats: list[Surface]) -> Surface:
    """The seat `name` names (or the nearest in reach) for `place` standing at `at`; a located
    error when it is unknown or out of reach."""
    x, y = at
    if name is not None and name_field is not None:
        names = [s.name for s in seats]
        if name not in names:
            name_field.fail("a seat of the set or of a prop in the shot", repr(name),
                            hint=did_you_mean(name, names, "seat") if names else
                            "the set declares no seats: add one to its `surfaces`")
    reach = SEAT_REACH * place.scale
    top = leg_length(place.puppet) * HIP_ROOM * place.scale or float("inf")
    candidates = [s for s in seats if name is None or s.name == name]
    found = []
    for s in candidates:
        gap = max(0.0, s.x0 - x, x - s.x1)
        found.append((gap, s))
        if gap <= reach and y - top <= s.y <= y + 1:
            continue
        found[-1] = (gap + 1e6, s)
    found.sort(key=lambda g: g[0])
    if found and found[0][0] < 1e6:
        return found[0][1]
    seen = ", ".join(f"{s.name} ({_why(s, x, y, reach, top)})" for s in candidates) or "no seats"
    (name_field or f).fail(f"a seat within reach of {place.id!r} at [{x:g}, {y:g}] (within "
                           f"{reach:g} units to the side, between the floor and its hips)",
                           seen, hint="move it nearer, or declare a seat in the set's `surfaces`")


def _why(s: Surface, x: float, y: float, reach: float, top: float) -> str:
    gap = max(0.0, s.x0 - x, x - s.x1)
    if gap > reach:
        return f"{gap:.0f} units away"
    return "below the floor" if s.y > y + 1 else f"{y - s.y:.0f} units up, above its hips"
