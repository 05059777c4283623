"""Hands on props: the arms of a give meet, a taking hand reaches for what it takes.

A give of `for` seconds is a hand-off in three parts: the giver's hand brings the prop out to a
point both can reach while the receiver's hand comes to meet it (the first REACH_SHARE of the
action); both hands hold it there (the prop passes from one to the other at the middle); each arm
goes back to its pose (the last REACH_SHARE). A take with a duration reaches out to the prop,
closes on it at the middle, and brings it back. The arms are bent by two-bone inverse kinematics
(`contact.reach_arm`), over whatever pose the actor holds.
"""
from __future__ import annotations

import numpy as np

from renderer.model.action import Action
from renderer.model.skeleton import shoulder_and_reach
from renderer.stage import rig
from renderer.stage.contact import meeting_point, reach_arm
from renderer.stage.perform import ActorState
from renderer.stage.timing import progress

REACH_SHARE = 0.35   # of a give or a take: the arms travel out (and back) in this share of it


def reach_weight(p: float) -> float:
    """How far an arm is out toward the hand-off point at progress p of a give or take (0..1)."""
    k = min(1.0, p / REACH_SHARE, (1.0 - p) / REACH_SHARE)
    k = max(0.0, k)
    return k * k * (3 - 2 * k)


def _placed(s: ActorState) -> np.ndarray:
    return rig.placement(s.x, s.y, s.facing, s.scale, s.rot)


def grip_at(s: ActorState) -> np.ndarray | None:
    """The actor's main hand in stage units, in its current pose."""
    if s.puppet.grip is None:
        return None
    bone, gx, gy = s.puppet.grip
    return (_placed(s) @ rig.puppet_matrices(s.puppet, s.pose)[bone] @ (gx, gy, 1.0))[:2]


def handle_at(s: ActorState) -> np.ndarray:
    """The point of a prop (or puppet) that a hand holds, in stage units."""
    if s.puppet.handle is None:
        return np.array([s.x, s.y])
    bone, hx, hy = s.puppet.handle
    return (_placed(s) @ rig.puppet_matrices(s.puppet, s.pose)[bone] @ (hx, hy, 1.0))[:2]


def handle_offset(s: ActorState) -> tuple[float, float]:
    """The handle's offset from the root in stage units (with the actor's facing and scale)."""
    h = handle_at(s)
    return float(h[0] - s.x), float(h[1] - s.y)


def _to_puppet(s: ActorState, point) -> tuple[float, float]:
    local = np.linalg.inv(_placed(s)) @ (point[0], point[1], 1.0)
    return float(local[0]), float(local[1])


def _shoulder(s: ActorState) -> tuple[np.ndarray, float] | None:
    found = shoulder_and_reach(s.puppet, s.pose, s.puppet.grip)
    if found is None:
        return None
    shoulder, reach = found
    return (_placed(s) @ (*shoulder, 1.0))[:2], reach * s.scale


def _reach(s: ActorState, target, weight: float) -> None:
    natural = grip_at(s)
    aim = natural + (np.asarray(target) - natural) * weight
    s.pose = reach_arm(s.puppet, s.pose, s.puppet.grip, _to_puppet(s, aim), 1.0)


def hand_off_point(giver: ActorState, receiver: ActorState) -> np.ndarray | None:
    """Where the two hands of a give meet (stage units): between their hands, within reach of
    both shoulders as far as they overlap."""
    a, b = _shoulder(giver), _shoulder(receiver)
    if a is None or b is None:
        return None
    start = (grip_at(giver) + grip_at(receiver)) / 2
    return meeting_point(a, b, start)


def reach_for(actions: list[Action], states: dict[str, ActorState], t: float) -> None:
    """Bend the arms of every actor in the middle of a give or a timed take at time t."""
    for a in actions:
        if a.do not in ("give", "take") or not (a.t <= t < a.t + a.duration):
            continue
        p = progress(t, a.t, a.duration, a.ease)
        w = reach_weight(p)
        if w <= 0:
            continue
        doer = states.get(a.who)
        if doer is None or doer.puppet.grip is None:
            continue
        if a.do == "give":
            receiver = states.get(a.args["to"])
            if receiver is None or receiver.puppet.grip is None:
                continue
            point = hand_off_point(doer, receiver)
            if point is None:
                continue
            _reach(doer, point, w)
            _reach(receiver, point, w)
        else:
            what = states.get(a.args["what"])
            if what is not None:
                _reach(doer, handle_at(what), w)
