"""Contact with the world: feet on the floor, a pelvis on a seat, a hand on what it reaches for.

A pose is keyed as if the puppet stood on its root; a crouch or a kneel that bends the legs would
leave the feet in the air. `ground` lowers (or raises) the body until the lowest foot is back on
the floor, keeping the pose's shape. `seat` lowers the pelvis onto a seat's top and bends the legs
so the feet reach the floor. `reach_arm` bends an arm (the two bones ending at a grip) so its hand
is on a point, by the same two-bone inverse kinematics as the legs (`gait.solve_leg`).

Puppet space is the puppet's own frame: root on the floor at the origin, facing right, unscaled;
stage points are brought into it with the actor's x, y, facing and scale. Stage units, y down.
"""
from __future__ import annotations

import math

import numpy as np

from renderer.model.puppet import PuppetDef
from renderer.model.set import Surface
from renderer.model.skeleton import arm_bones
from renderer.stage import rig
from renderer.stage.gait import TOUCH, Leg, StageMemo, feet_of, foot_point, leg_chains, solve_leg

SEAT_DEPTH = 0.18    # the seat of a puppet lies this share of its thigh below the hip joints
SETTLE = 0.5         # stage units: a foot this close to the floor is on it already


def footing_legs(puppet: PuppetDef, memo: StageMemo | None = None
                 ) -> tuple[tuple[Leg, ...], np.ndarray]:
    """The legs whose feet rest on the floor in the stand pose, and their feet there ((n, 2),
    puppet space); no legs for a puppet whose feet never touch (a ghost floats). `memo`: the
    render's, which keeps them (~0.3 ms a puppet, asked for by every exposure)."""
    if memo is not None:
        return memo.get(("footing", puppet), lambda: footing_legs(puppet))
    stand = puppet.poses["stand"]
    legs = tuple(Leg(c, foot_point(puppet, c), -1) for c in leg_chains(puppet)
                 if all(puppet.bones[b].length > 0 for b in c[1:])
                 and foot_point(puppet, c) != (0.0, 0.0))
    if not legs:
        return (), np.zeros((0, 2))
    home = feet_of(puppet, legs, stand)
    length = max(sum(puppet.bones[b].length for b in leg.bones) for leg in legs)
    touching = tuple(i for i, (_, y) in enumerate(home) if abs(y) <= TOUCH * length + 12)
    return tuple(legs[i] for i in touching), home[list(touching)]


def _root(puppet: PuppetDef) -> int:
    return next(i for i, b in enumerate(puppet.bones) if b.parent < 0)


def ground(puppet: PuppetDef, pose: np.ndarray, memo: StageMemo | None = None) -> np.ndarray:
    """`pose` (full, n_bones x 4) moved up or down so its lowest foot stands where the stand pose
    puts the feet: a crouch sinks onto its heels instead of hovering."""
    legs, home = footing_legs(puppet, memo)
    if not legs:
        return pose
    feet = feet_of(puppet, legs, pose)
    dy = float(home[:, 1].max() - feet[:, 1].max())
    if abs(dy) < SETTLE:
        return pose
    out = pose.copy()
    out[_root(puppet), 2] += dy
    return out


def seat_point(puppet: PuppetDef, pose: np.ndarray,
               memo: StageMemo | None = None) -> tuple[float, float] | None:
    """Where the puppet's bottom is in `pose` (puppet space): just below its hip joints; None
    without legs."""
    legs, _ = footing_legs(puppet, memo)
    if not legs:
        return None
    world = rig.puppet_matrices(puppet, pose)
    hips = np.mean([world[leg.bones[0]][:2, 2] for leg in legs], axis=0)
    thigh = np.mean([puppet.bones[leg.bones[0]].length for leg in legs])
    return float(hips[0]), float(hips[1] + SEAT_DEPTH * thigh)


def seat(puppet: PuppetDef, pose: np.ndarray, x: float, y: float, facing: int, scale: float,
         surface: Surface, weight: float, memo: StageMemo | None = None
         ) -> tuple[np.ndarray, float]:
    """The pose with its bottom lowered onto `surface` (stage units) and the feet reaching for
    the floor, blended in by `weight` 0..1, and the stage x the body moves to so its bottom is
    over the seat. (x, y): where the actor stands, its floor."""
    bottom = seat_point(puppet, pose, memo)
    if bottom is None:
        return pose, x
    sx = x + facing * scale * bottom[0]
    shift_x = (min(max(sx, surface.x0 + 4 * scale), surface.x1 - 4 * scale) - sx) * weight
    if surface.x1 - surface.x0 < 8 * scale:
        shift_x = ((surface.x0 + surface.x1) / 2 - sx) * weight
    dy = ((surface.y - y) / scale - bottom[1]) * weight
    out = pose.copy()
    out[_root(puppet), 2] += dy
    legs, home = footing_legs(puppet, memo)
    world = rig.puppet_matrices(puppet, out)
    feet = feet_of(puppet, legs, out, world)
    solved = out.copy()
    for leg, foot, h in zip(legs, feet, home):
        target = np.array([foot[0], h[1]])
        for bone, rot in zip(leg.bones, solve_leg(puppet, solved, world, leg, target)):
            turn = (rot - solved[bone, 0] + 180.0) % 360.0 - 180.0
            solved[bone, 0] += turn * weight
    return solved, x + shift_x


def arm_of(puppet: PuppetDef, grip: tuple[int, float, float]) -> Leg | None:
    """The arm that ends at `grip` as a two-bone chain (upper arm, forearm) whose 'foot' is the
    hand; the elbow bends down and back. None when the grip's bone has no parent bone to swing."""
    bones = arm_bones(puppet, grip)
    return None if bones is None else Leg(bones, (grip[1], grip[2]), 1)


def reach_arm(puppet: PuppetDef, pose: np.ndarray, grip: tuple[int, float, float],
              target: tuple[float, float], weight: float) -> np.ndarray:
    """`pose` with the arm ending at `grip` bent so the hand is on `target` (puppet space), as far
    as it reaches, blended in by `weight` 0..1."""
    arm = arm_of(puppet, grip)
    if arm is None or weight <= 0:
        return pose
    world = rig.puppet_matrices(puppet, pose)
    out = pose.copy()
    for bone, rot in zip(arm.bones, solve_leg(puppet, pose, world, arm, np.array(target))):
        out[bone, 0] += ((rot - pose[bone, 0] + 180.0) % 360.0 - 180.0) * weight
    return out


def meeting_point(a: tuple[np.ndarray, float], b: tuple[np.ndarray, float],
                  start: np.ndarray) -> np.ndarray:
    """The point nearest `start` that both shoulders' reaches hold (shoulder, reach, in stage
    units), found by projecting in turn onto each disc; where they do not overlap, the point
    between them nearest both."""
    p = np.array(start, dtype=float)
    for _ in range(24):
        for centre, radius in (a, b):
            d = p - centre
            n = math.hypot(*d)
            if n > radius:
                p = centre + d * (radius / n)
    return p
