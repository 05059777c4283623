"""Hand-offs: a `give` whose two hands cannot meet is refused where it is written.

In a give both hands hold the prop at a point between them (`stage.hands`), so the giver and the
receiver must stand close enough for their arms to meet. Each is where its `at` and the travels
before the give put it, facing the other; each arm reaches from its shoulder (stand pose, at the
actor's scale) as far as `skeleton.shoulder_and_reach` says. When the two reaches fall short of
each other by more than GIVE_SLACK, the give is a located error naming both places.
"""
from __future__ import annotations

import math

from renderer.load.fields import Field
from renderer.load.seats import where_at
from renderer.model.action import Action
from renderer.model.scene import Placement
from renderer.model.skeleton import shoulder_and_reach

# Stage units at scale 1 the hands may fall short and still read as a hand-off: a lean forward
# at the waist (which the arms' inverse kinematics does not model) covers about this much.
GIVE_SLACK = 40.0


def shoulder_on_stage(place: Placement, at: tuple[float, float],
                      toward: float) -> tuple[tuple[float, float], float] | None:
    """The main hand's shoulder on the stage and its reach (stage units) for `place` standing at
    `at` and facing the stage x `toward`; None for a puppet without an arm to reach with."""
    puppet = place.puppet
    if puppet.grip is None:
        return None
    found = shoulder_and_reach(puppet, puppet.poses["stand"], puppet.grip)
    if found is None:
        return None
    (sx, sy), reach = found
    facing = 1 if toward >= at[0] else -1
    return (at[0] + facing * sx * place.scale, at[1] + sy * place.scale), reach * place.scale


def check_give(f: Field, a: Action, cast: dict[str, Placement], actions: list[Action]) -> None:
    """Refuse (at the action's `to`) a give whose giver and receiver cannot both reach a point
    between them at the give's time."""
    if a.do != "give":
        return
    giver, receiver = cast[a.who], cast[a.args["to"]]
    g_at, r_at = where_at(giver, actions, a.t), where_at(receiver, actions, a.t)
    g, r = shoulder_on_stage(giver, g_at, r_at[0]), shoulder_on_stage(receiver, r_at, g_at[0])
    if g is None or r is None:
        return
    gap = math.dist(g[0], r[0]) - g[1] - r[1]
    slack = GIVE_SLACK * max(giver.scale, receiver.scale)
    if gap <= slack:
        return
    f.dict()["to"].fail(f"a receiver within arm's reach of {a.who!r} (at [{g_at[0]:g}, {g_at[1]:g}]) "
                        f"at t={a.t:g} s",
                        f"{a.args['to']!r} at [{r_at[0]:g}, {r_at[1]:g}]: their hands fall "
                        f"{gap:.0f} units short of meeting",
                        hint="walk one toward the other before the give")
