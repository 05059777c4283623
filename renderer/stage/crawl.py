"""Crawling on hands and knees: the knees and hands that carry the weight stay put on the floor.

A person's crawl is keyed as a held pose (`crawl`: knees, shins and hands on the floor) with a
cycle over it that rocks the body and swings the arms. Its weight is on four points, not on the
feet: each knee (the far end of a `thigh_X`) and each hand (the far end of a `forearm_X`). They
step in diagonal pairs, as a child crawls (the near hand with the far knee, then the other two),
each down most of the cycle so that three points always hold the body. The gait they make is an
ordinary `gait.Gait` whose legs are those four chains (a thigh swings alone; an arm bends at the
elbow by two-bone inverse kinematics), laid along the path by `gait.Footing` like a walk's: a
point that is down stays where it was put while the body passes over it.

Puppet space, stage units, degrees clockwise on screen, as in `gait`.
"""
from __future__ import annotations

import numpy as np

from renderer.model.puppet import PuppetDef
from renderer.stage.contact import ground
from renderer.stage.gait import Gait, Leg, StageMemo, _reach, feet_of, plant_feet

POSE = "crawl"        # the held pose whose knees and hands rest on the floor
DUTY = 0.6            # share of the cycle each point is down: a diagonal pair always holds her,
                      # and a step takes long enough (0.4 of it) to be seen between exposures
HAND_LIFT = 0.15      # how high a hand rises as it moves forward, as a share of the arm
KNEE_LIFT = 0.06      # a knee barely leaves the floor: it is dragged forward more than lifted
SWEEP = 0.6           # a point sweeps back at most this share of its limb while down: short steps
SIDES = ("f", "b")    # near and far side of a rig's paired bones


def crawl_contacts(puppet: PuppetDef) -> tuple[Leg, ...]:
    """The knees and hands of a person's rig (thigh_X with a shin_X child, arm_X with a
    forearm_X child), near hand first, then the far knee, the far hand and the near knee: the
    order of the diagonal pairs."""
    index, bones = puppet.bone_index, puppet.bones
    legs: dict[str, Leg] = {}
    for side in SIDES:
        thigh, shin = index.get(f"thigh_{side}"), index.get(f"shin_{side}")
        arm, forearm = index.get(f"arm_{side}"), index.get(f"forearm_{side}")
        if thigh is not None and shin is not None and bones[shin].parent == thigh:
            legs[f"knee_{side}"] = Leg((thigh,), (bones[shin].x, bones[shin].y), -1)
        if arm is not None and forearm is not None and bones[forearm].parent == arm:
            legs[f"hand_{side}"] = Leg((arm, forearm), (0.0, bones[forearm].length), 1)
    order = ("hand_f", "knee_b", "hand_b", "knee_f")
    return tuple(legs[k] for k in order) if all(k in legs for k in order) else ()


def crawl_gait(puppet: PuppetDef, cycle: str, speed: float,
               memo: StageMemo | None = None) -> Gait | None:
    """The hands-and-knees gait of `cycle` at `speed` (stage units a second), or None for a
    puppet without a `crawl` pose and a person's arms and legs (a hand that crawls on its
    fingers has its own `legs`). Each point rests where the held pose, grounded, puts it: on the
    side-on stage the near hand shows a little lower than the far one, as the floor recedes.
    `memo`: the render's, which keeps it."""
    if memo is not None:
        return memo.get(("crawl", puppet, cycle, speed), lambda: crawl_gait(puppet, cycle, speed))
    if POSE not in puppet.poses:
        return None
    legs = crawl_contacts(puppet)
    if not legs:
        return None
    held = ground(puppet, np.where(np.isnan(puppet.poses[POSE]), puppet.poses["stand"],
                                   puppet.poses[POSE]))
    home = feet_of(puppet, legs, held)
    reach = np.array([_reach(puppet, held, leg) for leg in legs])
    duty = np.full(len(legs), DUTY)
    plant = np.array([0.0, 0.0, 0.5, 0.5])                 # diagonal pairs, half a cycle apart
    stride = float(min(speed * puppet.cycles[cycle].period, np.min(SWEEP * reach / duty)))
    lift = reach * np.array([HAND_LIFT, KNEE_LIFT, HAND_LIFT, KNEE_LIFT])
    return Gait(legs, plant, duty, home, lift, stride, float(duty[0] / 2))


def plant_hands_and_knees(puppet: PuppetDef, gait: Gait, pose: np.ndarray, targets: np.ndarray,
                          weight: float = 1.0) -> np.ndarray:
    """`gait.plant_feet` for a crawl: the knees and hands on their targets, and each shin turned
    back by as much as its thigh turned, so it lies along the floor as in the held pose instead of
    tipping its boot through the floor as the knee swings."""
    out = plant_feet(puppet, gait, pose, targets, weight)
    for leg in gait.legs:
        if len(leg.bones) != 1:
            continue
        thigh = leg.bones[0]
        for shin, bone in enumerate(puppet.bones):
            if bone.parent == thigh:
                out[shin, 0] -= out[thigh, 0] - pose[thigh, 0]
    return out
