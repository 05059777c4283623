"""Forward kinematics: bone poses to world transforms, all bones at once.

Bones are stored parent-first, so one ordered pass of 3x3 products gives every world matrix.
Angles are degrees, clockwise on screen (the stage's y axis points down); lengths are stage units.
"""
from __future__ import annotations

import numpy as np


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


def world_transforms(local: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """World matrices from local ones; `parent[i] < i`, root = -1. (n ~ 20: the loop is cheap.)"""
    world = np.empty_like(local)
    for i, p in enumerate(parent):
        world[i] = local[i] if p < 0 else world[p] @ local[i]
    return world


def affine(m: np.ndarray) -> np.ndarray:
    """The 2x3 part of a 3x3 affine matrix, as OpenCV wants it."""
    return np.ascontiguousarray(m[:2, :], dtype=np.float64)


def translate(x: float, y: float) -> np.ndarray:
    return np.array([[1.0, 0, x], [0, 1.0, y], [0, 0, 1.0]])


def scale(sx: float, sy: float | None = None) -> np.ndarray:
    return np.array([[sx, 0, 0], [0, sx if sy is None else sy, 0], [0, 0, 1.0]])


def rotate(degrees: float) -> np.ndarray:
    return local_matrices(np.zeros(1), np.zeros(1), np.array([degrees]), np.ones(1), np.ones(1))[0]


def puppet_matrices(puppet, pose: np.ndarray) -> np.ndarray:
    """World matrices (n_bones, 3, 3) of a puppet (a `PuppetDef`) in its own space (root at the
    origin), posed by `pose` (n_bones, 4: d_rot degrees, dx, dy stage units, scale factor)."""
    bones = puppet.bones
    x = np.array([b.x for b in bones]) + pose[:, 1]
    y = np.array([b.y for b in bones]) + pose[:, 2]
    rot = np.array([b.rot for b in bones]) + pose[:, 0]
    sc = np.array([b.scale for b in bones]) * pose[:, 3]
    parent = np.array([b.parent for b in bones])
    return world_transforms(local_matrices(x, y, rot, sc, sc), parent)


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
