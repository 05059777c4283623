"""Forward kinematics of a skeleton: bone poses to world transforms, all bones at once.

A pure function of a puppet's frozen bones and a pose array, so the loaders (checking that a
give's hands can meet) and the stage (posing every exposure) compute it the same way. Bones are
stored parent-first, so one ordered pass of 3x3 products gives every world matrix. Angles are
degrees, clockwise on screen (the stage's y axis points down); lengths are stage units.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

ARM_REACH = 0.98     # an arm straightens to this share of its length: a soft elbow


def local_matrices(x: np.ndarray, y: np.ndarray, rot: np.ndarray, sx: np.ndarray,
                   sy: np.ndarray) -> np.ndarray:
    """(n, 3, 3) affine matrices T(x, y) · R(rot) · S(sx, sy), vectorised over n bones."""
    r = np.radians(rot)
    c, s = np.cos(r), np.sin(r)
    m = np.zeros((len(x), 3, 3))
    m[:, 0, 0] = c * sx
    m[:, 0, 1] = -s * sy
    m[:, 1, 0] = s * sx
    m[:, 1, 1] = c * sy
    m[:, 0, 2] = x
    m[:, 1, 2] = y
    m[:, 2, 2] = 1.0
    return m


def world_transforms(local: np.ndarray, parent: np.ndarray,
                     levels: tuple[np.ndarray, ...] | None = None) -> np.ndarray:
    """World matrices from local ones; `parent[i] < i`, root = -1. levels: the bones by their
    depth below a root (`bone_levels`), worked out here when not given. One batched product per
    level: a puppet is posed a dozen times an exposure, and a product per bone cost a third more."""
    world = np.empty_like(local)
    for i, idx in enumerate(bone_levels(parent) if levels is None else levels):
        world[idx] = local[idx] if i == 0 else world[parent[idx]] @ local[idx]
    return world


def bone_levels(parent) -> tuple[np.ndarray, ...]:
    """The indices of the bones at each depth below a root (roots first), for `world_transforms`."""
    depth: list[int] = []
    for p in parent:
        depth.append(0 if p < 0 else depth[p] + 1)
    at = np.array(depth)
    return tuple(np.flatnonzero(at == d) for d in range(at.max() + 1)) if depth else ()


class BoneTable(NamedTuple):
    """A skeleton's setup pose as arrays, made once per puppet (`PuppetDef.bone_table`)."""

    x: np.ndarray
    y: np.ndarray
    rot: np.ndarray
    scale: np.ndarray
    parent: np.ndarray
    levels: tuple[np.ndarray, ...]


def bone_table(bones) -> BoneTable:
    parent = np.array([b.parent for b in bones], int)
    return BoneTable(np.array([b.x for b in bones], float), np.array([b.y for b in bones], float),
                     np.array([b.rot for b in bones], float),
                     np.array([b.scale for b in bones], float), parent, bone_levels(parent))


def puppet_matrices(puppet, pose: np.ndarray) -> np.ndarray:
    """World matrices (n_bones, 3, 3) of a puppet (a `PuppetDef`) in its own space (root at the
    origin), posed by `pose` (n_bones, 4: d_rot degrees, dx, dy stage units, scale factor)."""
    t = puppet.bone_table
    sc = t.scale * pose[:, 3]
    return world_transforms(local_matrices(t.x + pose[:, 1], t.y + pose[:, 2], t.rot + pose[:, 0],
                                           sc, sc), t.parent, t.levels)


def arm_bones(puppet, grip: tuple[int, float, float]) -> tuple[int, int] | None:
    """The arm ending at `grip` as (upper arm, forearm) bone indices: the grip's bone and its
    parent. None when the grip's bone has no parent bone to swing."""
    bone = grip[0]
    parent = puppet.bones[bone].parent
    if parent < 0 or puppet.bones[parent].parent < 0:
        return None
    return parent, bone


def shoulder_and_reach(puppet, pose: np.ndarray,
                       grip: tuple[int, float, float]) -> tuple[np.ndarray, float] | None:
    """The shoulder (puppet space) of the arm ending at `grip` and how far its hand reaches
    (ARM_REACH of the arm's length), in `pose` (full, n_bones x 4); None without an arm."""
    arm = arm_bones(puppet, grip)
    if arm is None:
        return None
    world = puppet_matrices(puppet, pose)
    shoulder = world[arm[0]][:2, 2]
    elbow = world[arm[1]][:2, 2]
    hand = (world[arm[1]] @ (grip[1], grip[2], 1.0))[:2]
    return shoulder, ARM_REACH * float(np.hypot(*(elbow - shoulder)) + np.hypot(*(hand - elbow)))
