"""Performing actions: an actor's state at one instant, folded from the actions begun by then.

Each verb changes the state in proportion to its eased progress, so a state is a pure function of
(the placement, the actions, the time). Objects passed between actors (take, give, throw, drop) are
resolved afterwards in `handling`, once every holder's hand is known.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from renderer.model.action import SPEED, Action, along, path_of
from renderer.model.puppet import PuppetDef
from renderer.model.scene import Placement
from renderer.stage.crawl import crawl_gait, plant_hands_and_knees
from renderer.stage.gait import Footing, Gait, StageMemo, cycle_pose_at, gait_of, plant_feet
from renderer.stage.speech import mouth_from_keys, mouth_from_recording, viseme_at
from renderer.stage.timing import progress

CYCLE_FADE = 0.12       # seconds to blend a gait in and out
CAPTION_LINGER = 0.4    # seconds a caption stays after the line is spoken
LOOK_LIMIT = 18.0       # degrees a head turns toward what it looks at
APPEAR = 0.25           # fraction of an enter/exit spent fading
JUMP_HEIGHT = 120.0     # stage units, when a jump gives none
RISE = 0.35             # of a travel from a seat: the body leaves the seat over this share of it


@dataclass
class ActorState:
    """Mutable while the actions are folded in."""

    puppet: PuppetDef
    x: float
    y: float
    facing: int
    scale: float
    rot: float
    opacity: float
    skin: str
    face: str
    pose: np.ndarray
    mouth: str | None = None
    said: str | None = None     # the line whose caption shows
    said_at: float = 0.0        # seconds into the shot when that line began
    turn: str | None = None     # the head's turn (a replacement head); None: as drawn
    extra: dict = field(default_factory=dict)   # look: head turn in degrees


def full_pose(puppet: PuppetDef, pose: np.ndarray) -> np.ndarray:
    """A pose with the bones it leaves alone at the setup pose."""
    return np.where(np.isnan(pose), puppet.poses["stand"], pose)


def cycle_pose(puppet: PuppetDef, name: str, elapsed: float) -> np.ndarray:
    """A cycle played on the clock: `elapsed` seconds into it (gaits that step use distance)."""
    return cycle_pose_at(puppet, name, elapsed / puppet.cycles[name].period)


def _overlay(base: np.ndarray, cycle: np.ndarray, puppet: PuppetDef, weight: float) -> np.ndarray:
    """A gait layered over the held pose: its offsets from the stand pose are added."""
    stand = puppet.poses["stand"]
    out = base + (cycle - stand) * weight
    out[:, 3] = base[:, 3] * (1 + (cycle[:, 3] / stand[:, 3] - 1) * weight)
    return out


def initial_state(place: Placement, actions: list[Action]) -> ActorState:
    puppet = place.puppet
    s = ActorState(puppet, place.at[0], place.at[1], place.facing, place.scale, place.rot,
                   place.opacity, place.skin, place.face, full_pose(puppet, puppet.poses[place.pose]),
                   turn=place.head)
    enter = next((a for a in actions if a.do in ("enter", "appear")), None)
    if place.seat is not None:   # seated from the start
        s.extra["seat"] = (place.seat, 1.0)
    if enter is not None:   # someone who enters is not on stage before
        s.opacity = 0.0
        if enter.do == "enter":
            s.x, s.y = enter.args["from"]
    return s


def _mouth(a: Action, t: float, span: float = 1 / 12) -> str:
    """A speaking mouth at `t`: from the line's timing file, else its recording (the loudest
    moment of the exposure's `span` seconds, one on twos), else its letters."""
    if "mouths" in a.args:
        return mouth_from_keys(a.args["mouths"], t - a.t)
    if "voice" in a.args:
        return mouth_from_recording(a.args["voice"], t - a.t, t - a.t + span)
    return viseme_at(a.args["say"], (t - a.t) / max(a.duration, 1e-9))


def fold(place: Placement, actions: list[Action], t: float, positions: dict,
         memo: StageMemo | None = None) -> ActorState:
    """The actor's state at time t: every action begun by then applied in order of start.

    positions: id -> (x, y) of every cast member at the shot's start, for `look at` an actor.
    memo: the render's `StageMemo` (its gaits), if it has one.
    """
    s = initial_state(place, actions)
    for a in actions:
        if a.t > t:
            break
        _perform(s, a, t, positions, place, memo)
    return s


def _gait(puppet: PuppetDef, a: Action, cycle: str,
          memo: StageMemo | None = None) -> tuple[Gait | None, Callable]:
    """What steps in travelling action `a`, and what puts it down: hands and knees in a person's
    crawl, else the cycle's feet (a run leaps between them)."""
    if a.do == "crawl":
        crawl = crawl_gait(puppet, cycle, SPEED[a.do], memo)
        if crawl is not None:
            return crawl, plant_hands_and_knees
    return gait_of(puppet, cycle, SPEED[a.do], a.do == "run", memo), plant_feet


def _root(puppet: PuppetDef) -> int:
    return next(i for i, b in enumerate(puppet.bones) if b.parent < 0)


def _travel(s: ActorState, a: Action, t: float, points: list, p: float, cycle: str | None,
            memo: StageMemo | None = None) -> None:
    facing = s.facing    # before it sets off
    if "seat" in s.extra:   # up from the seat over the first RISE of the way, not in one exposure
        surface, weight = s.extra["seat"]
        rest = weight * (1.0 - min(1.0, progress(t, a.t, a.duration, "linear") / RISE))
        if rest > 0:
            s.extra["seat"] = (surface, rest)
        else:
            s.extra.pop("seat")
    x, y, dx = along(points, p)
    if abs(dx) > 1e-6:
        s.facing = 1 if dx > 0 else -1
    s.x, s.y = x, y
    if not cycle or t >= a.t + a.duration:
        return
    weight = min(1.0, (t - a.t) / CYCLE_FADE, (a.t + a.duration - t) / CYCLE_FADE)
    s.extra["travelling"] = True    # the gait puts the feet down
    gait, plant = _gait(s.puppet, a, cycle, memo)
    if gait is None:    # no feet to put down: the cycle plays on the clock
        s.pose = _overlay(s.pose, cycle_pose(s.puppet, cycle, t - a.t), s.puppet, weight)
        return
    # The cycle's phase is the distance covered, so stride and travel agree under any easing;
    # the keyed arms and body swing at that phase, and the legs reach the planted feet.
    footing = Footing(gait, tuple(points), s.scale, facing)
    d = p * footing.length
    s.pose = _overlay(s.pose, cycle_pose_at(s.puppet, cycle, footing.phase(d)), s.puppet, weight)
    s.pose[_root(s.puppet), 2] -= footing.airborne(d) * weight    # a run's leap between feet
    s.pose = plant(s.puppet, gait, s.pose, footing.targets(d, s.x, s.y, s.facing), weight)


def _perform(s: ActorState, a: Action, t: float, positions: dict, place: Placement,
             memo: StageMemo | None = None) -> None:
    p = progress(t, a.t, a.duration, a.ease)
    raw = progress(t, a.t, a.duration, "linear")
    running = t < a.t + a.duration
    do, args = a.do, a.args
    if do in ("walk", "run", "crawl", "move"):
        _travel(s, a, t, path_of((s.x, s.y), args), p, args.get("cycle"), memo)
    elif do == "enter":
        _travel(s, a, t, [args["from"], place.at], p, args.get("cycle"), memo)
        s.opacity = place.opacity * min(1.0, raw / APPEAR)
    elif do == "exit":
        _travel(s, a, t, [(s.x, s.y), args["to"]], p, args.get("cycle"), memo)
        s.opacity *= min(1.0, (1.0 - raw) / APPEAR)
    elif do == "jump":
        tx, ty = args["to"]
        if abs(tx - s.x) > 1e-6:
            s.facing = 1 if tx > s.x else -1
        s.extra.pop("seat", None)
        lift = args.get("height", JUMP_HEIGHT) * 4 * raw * (1 - raw)
        s.x, s.y = s.x + (tx - s.x) * p, s.y + (ty - s.y) * p - lift
    elif do == "turn":
        s.facing = args.get("facing", s.facing)
        s.turn = args.get("head", s.turn)
    elif do == "look":
        s.turn = args.get("head", s.turn)   # a replacement head: on from the look's start
        tx, ty = positions[args["at"]] if isinstance(args["at"], str) else args["at"]
        if abs(tx - s.x) > 1e-6:
            s.facing = 1 if tx > s.x else -1
        tilt = math.degrees(math.atan2(ty - (s.y - 300 * s.scale), abs(tx - s.x) + 1e-9))
        s.extra["look"] = max(-LOOK_LIMIT, min(LOOK_LIMIT, tilt)) * p
    elif do == "pose":
        target = s.puppet.poses[args["pose"]]
        s.pose = s.pose + (np.where(np.isnan(target), s.pose, target) - s.pose) * p
    elif do == "sit":
        target = s.puppet.poses[args["pose"]]
        s.pose = s.pose + (np.where(np.isnan(target), s.pose, target) - s.pose) * p
        s.extra["seat"] = (args["seat"], p)
    elif do == "face":
        s.face = args["face"]
    elif do == "say":
        if "face" in args:
            s.face = args["face"]
        if running:
            s.mouth = _mouth(a, t)
        if t < a.t + a.duration + CAPTION_LINGER:
            s.said, s.said_at = args["say"], a.t
    elif do in ("grow", "shrink"):
        s.scale += (args["scale"] - s.scale) * p
    elif do == "fade":
        s.opacity += (args["opacity"] - s.opacity) * p
    elif do == "vanish":   # a shrinking, turning fade: gone with a twist
        s.opacity *= 1.0 - p
        s.scale *= 1.0 - 0.7 * p
        s.rot += 90 * p
    elif do == "appear":
        s.opacity = place.opacity * p
    elif do == "skin":
        s.skin = args["skin"]
    elif do == "transform":
        if "into" in args:
            s.puppet = args["into"]
            s.pose = full_pose(s.puppet, s.puppet.poses["stand"])
            s.face = "neutral"
            s.skin = s.skin if s.skin in s.puppet.skins else "real"
            s.turn = s.turn if s.turn in s.puppet.turns else None
        if "skin" in args:
            s.skin = args["skin"]
    elif do == "spin":
        s.rot += (args["rot"] - s.rot) * p


HAND_OVER = 0.5   # of a give or a timed take: the prop changes hands (both hold it then)


@dataclass(frozen=True)
class Handling:
    """Where a passed object is: held by `holder`, or flying from `start` to `end` (progress p, arc
    height), or resting at `end` after it landed. `partner`: in a give, the other hand on it
    (its size passes from the giver's scale to the receiver's over the give, progress `p`).
    `falls`: dropped, it falls (accelerating) instead of flying."""

    holder: str | None = None
    start: object = None      # (x, y) or an actor id whose hand it leaves
    end: object = None        # (x, y) or an actor id whose hand (or head) it reaches
    p: float = 1.0
    height: float = 0.0
    partner: str | None = None
    falls: bool = False


def handling(actions: list[Action], what: str, t: float) -> Handling | None:
    """How object `what` is being handled at time t, or None while nobody has touched it yet."""
    state = None
    for a in actions:
        if a.args.get("what") != what or a.t > t:
            continue
        p = progress(t, a.t, a.duration, a.ease)
        if a.do == "take":   # the hand reaches it, closes on it at the middle, brings it back
            state = Handling(a.who) if p >= HAND_OVER or a.duration <= 0 else \
                Handling(None, what, what, 0.0)
        elif a.do == "give":    # both hands on it in the middle; it changes hands there
            if p >= 1:
                state = Handling(a.args["to"])
            else:
                holder, other = (a.who, a.args["to"]) if p < HAND_OVER else (a.args["to"], a.who)
                state = Handling(holder, a.who, a.args["to"], p, partner=other)
        elif a.do == "throw":
            state = Handling(None, a.who, a.args["to"], p, a.args.get("height", 160.0))
        elif a.do == "drop":
            state = Handling(None, a.who, a.args.get("to", "floor"), p, falls=True)
    return state


def footfalls(place: Placement, actions: list[Action], a: Action,
              times: list[float]) -> list[float]:
    """The exposure times (from `times`, in order) at which a foot of `place` touches down
    during its travelling action `a`: where a gait's phase passes a leg's plant point between one
    exposure and the next, so a footstep sounds on the exposure that shows the foot down. A
    puppet without legs to plant steps twice a cycle on the clock."""
    start = fold(place, [b for b in actions if b is not a], a.t, {})
    if a.do == "enter":
        points = [a.args["from"], place.at]
    else:
        points = path_of((start.x, start.y), a.args)
    cycle = a.args.get("cycle")
    span = [t for t in times if a.t <= t < a.t + a.duration]
    if not cycle or not span:
        return []
    gait = _gait(place.puppet, a, cycle)[0]
    if gait is None:
        period = place.puppet.cycles[cycle].period / 2
        counts = [math.floor((t - a.t) / period) for t in span]
    else:
        footing = Footing(gait, tuple(points), start.scale, start.facing)
        counts = []
        for t in span:
            d = progress(t, a.t, a.duration, a.ease) * footing.length
            phase = footing.phase(d)
            counts.append(sum(math.floor(phase - p) for p in gait.plant))
    return [t for t, before, now in zip(span[1:], counts, counts[1:]) if now > before]
