"""Where a puppet holds things: its grip point (`grip:` in the puppet file) in stage units.

A prop that is taken or given is placed with its handle (its root if it names none) on the holder's grip point
(`stage._place_handled`), so a prop already in the hand when a shot starts is written as
`props: {key: {at: [x + dx, y + dy]}}`, where (x, y) is the holder's `at` and (dx, dy) the grip
offset shown here: relative to the root, facing right, at scale 1. Facing left negates dx; a
scaled puppet scales both.
"""
from __future__ import annotations

import numpy as np

from renderer.model.puppet import PuppetDef
from renderer.stage.perform import full_pose
from renderer.stage.pose import puppet_matrices


def grip_offset(puppet: PuppetDef, pose: np.ndarray) -> tuple[float, float] | None:
    """The grip point of `puppet` in `pose` ((n_bones, 4), a full pose) relative to its root,
    facing right, in stage units (y down); None when the puppet has no grip."""
    if puppet.grip is None:
        return None
    bone, gx, gy = puppet.grip
    x, y, _ = puppet_matrices(puppet, pose)[bone] @ np.array([gx, gy, 1.0])
    return float(x), float(y)


def grip_offsets(puppet: PuppetDef) -> dict[str, tuple[float, float]]:
    """The grip offset (`grip_offset`) in every named pose, the rest pose ("stand") first;
    empty when the puppet has no grip."""
    if puppet.grip is None:
        return {}
    return {name: grip_offset(puppet, full_pose(puppet, pose))
            for name, pose in puppet.poses.items()}


def grip_name(puppet: PuppetDef) -> str:
    """How a listing names the grip: the bone and the point on it, e.g. "forearm_f [0, 60]"."""
    bone, gx, gy = puppet.grip
    return f"{puppet.bones[bone].name} [{gx:g}, {gy:g}]"


def offset_text(offset: tuple[float, float]) -> str:
    """An offset as a user writes it beside `at`: "[+26, -156]" (whole stage units)."""
    return f"[{round(offset[0]):+d}, {round(offset[1]):+d}]"
