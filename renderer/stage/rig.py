"""The rig's geometry: forward kinematics (from the model's skeleton), placements on the stage,
the 3x3 affine helpers, and the bone tree's ancestors and subtrees.

Angles are degrees, clockwise on screen (the stage's y axis points down); lengths are stage units.
"""
from __future__ import annotations

import numpy as np

from renderer.model.skeleton import local_matrices, puppet_matrices, world_transforms

__all__ = ["local_matrices", "puppet_matrices", "world_transforms", "affine", "translate",
           "scale", "rotate", "placement", "bone_ancestors", "bone_subtree"]


def affine(m: np.ndarray) -> np.ndarray:
    """The 2x3 part of a 3x3 affine matrix, as OpenCV wants it."""
    return np.ascontiguousarray(m[:2, :], dtype=np.float64)


def translate(x: float, y: float) -> np.ndarray:
    return np.array([[1.0, 0, x], [0, 1.0, y], [0, 0, 1.0]])


def scale(sx: float, sy: float | None = None) -> np.ndarray:
    return np.array([[sx, 0, 0], [0, sx if sy is None else sy, 0], [0, 0, 1.0]])


def rotate(degrees: float) -> np.ndarray:
    return local_matrices(np.zeros(1), np.zeros(1), np.array([degrees]), np.ones(1), np.ones(1))[0]


def placement(x: float, y: float, facing: int, scale_: float, rot: float) -> np.ndarray:
    """Puppet space to stage units: at (x, y), mirrored when facing left, scaled, rotated."""
    return translate(x, y) @ rotate(rot * facing) @ scale(scale_ * facing, scale_)


def bone_ancestors(puppet, bone: int) -> set[int]:
    """`bone` and every bone above it, up to the root (indices)."""
    out = set()
    while bone >= 0:
        out.add(bone)
        bone = puppet.bones[bone].parent
    return out


def bone_subtree(puppet, bone: int) -> set[int]:
    """`bone` and every bone below it (indices; parents come before children)."""
    out = {bone}
    for i, b in enumerate(puppet.bones):
        if b.parent in out:
            out.add(i)
    return out
