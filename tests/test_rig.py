"""Forward kinematics against transforms worked out by hand."""
import numpy as np
import pytest

from renderer.stage import rig


def apply(m, x, y):
    v = m @ np.array([x, y, 1.0])
    return v[0], v[1]


def test_a_rotated_bone_carries_its_child():
    # Root at (100, 50) turned 90° clockwise on screen (y down): its +x axis points down the screen.
    # A child 10 units along the root's x axis therefore sits 10 units *below* the root: (100, 60).
    local = rig.local_matrices(np.array([100.0, 10.0]), np.array([50.0, 0.0]),
                               np.array([90.0, 0.0]), np.ones(2), np.ones(2))
    world = rig.world_transforms(local, np.array([-1, 0]))
    assert apply(world[1], 0, 0) == pytest.approx((100.0, 60.0))
    # A point 5 units along the child's own x axis goes further down: (100, 65).
    assert apply(world[1], 5, 0) == pytest.approx((100.0, 65.0))


def test_rotations_accumulate_down_the_chain():
    # Three bones of length 10 along x, each turned 30°: the tip lies at angle 90° total.
    # Joint positions: (0,0) -> (10cos30, 10sin30) -> + (10cos60, 10sin60); tip adds 10 at 90°.
    n = 3
    local = rig.local_matrices(np.array([0.0, 10, 10]), np.zeros(n), np.full(n, 30.0),
                               np.ones(n), np.ones(n))
    world = rig.world_transforms(local, np.array([-1, 0, 1]))
    c30, s30 = np.cos(np.pi / 6), np.sin(np.pi / 6)
    tip = (10 * c30 + 10 * s30 + 0.0, 10 * s30 + 10 * c30 + 10.0)
    assert apply(world[2], 10, 0) == pytest.approx(tip)


def test_parent_scale_scales_child_offsets():
    local = rig.local_matrices(np.array([0.0, 10.0]), np.zeros(2), np.zeros(2),
                               np.array([2.0, 1.0]), np.array([2.0, 1.0]))
    world = rig.world_transforms(local, np.array([-1, 0]))
    assert apply(world[1], 1, 1) == pytest.approx((22.0, 2.0))


def test_mirroring_a_chain_negates_x_exactly():
    local = rig.local_matrices(np.array([0.0, 12, 7]), np.array([0.0, -30, 4]),
                               np.array([10.0, -25, 40]), np.ones(3), np.ones(3))
    world = rig.world_transforms(local, np.array([-1, 0, 1]))
    mirrored = rig.scale(-1, 1) @ world
    for w, m in zip(world, mirrored):
        x, y = apply(w, 3, 4)
        assert apply(m, 3, 4) == pytest.approx((-x, y))
