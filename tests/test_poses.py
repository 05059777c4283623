"""Clean poses: over every puppet, pose, skin and facing, no arm or leg hides the face (unless the
pose is named for a hand at the face), no leg shows through a skirt, and sleeves read apart from
the body. Measured on quick low-resolution paintings of the posed slots (review/cleanpose.py).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from renderer.load.puppet import load_puppet
from renderer.paint.sprites import attachment_sprite
from renderer.review.cleanpose import (
    FACE_COVER,
    face_cover,
    pose_faults,
    skirted,
    thigh_show,
)
from renderer.review.modelsheet import Figure, full_pose

REPO = Path(__file__).resolve().parent.parent
PUPPET_FILES = sorted((REPO / "puppets").glob("*.yaml"))
SLEEVE_STEP = 24     # levels of 255 (summed over RGB) a sleeve differs from the body it lies on


@pytest.mark.parametrize("path", PUPPET_FILES, ids=[p.stem for p in PUPPET_FILES])
def test_every_pose_keeps_the_face_clear_and_the_legs_under_the_skirt(path):
    faults = pose_faults(load_puppet(path, display=str(path.relative_to(REPO))))
    assert not faults, f"{len(faults)} unclean poses:\n" + "\n".join(faults)


def _edited(tmp_path: Path, name: str, old: str, new: str):
    text = (REPO / "puppets" / f"{name}.yaml").read_text()
    assert old in text
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace(old, new))
    return load_puppet(path)


def test_an_arm_across_the_face_is_found(tmp_path):
    """The old wave: Coraline's front arm straight up across her face (her head now sits on a
    long neck, so the arm is raised to pass across it)."""
    puppet = _edited(tmp_path, "coraline", "wave: {arm_f: -115, forearm_f: -50}",
                     "wave: {arm_f: -160, forearm_f: -10}")
    assert face_cover(puppet, Figure("", full_pose(puppet, "wave"))) > 3 * FACE_COVER
    assert any("'wave'" in f and "face" in f for f in pose_faults(puppet))


def test_a_thigh_out_of_the_skirt_is_found(tmp_path):
    """Without the fabric that follows her thighs, Miss Forcible's knees poke out when she sits."""
    puppet = _edited(tmp_path, "miss_forcible", "attachment: lap}", "attachment: null}")
    assert skirted(puppet)
    assert thigh_show(puppet, Figure("", full_pose(puppet, "sit"))) > 0.15
    assert any("'sit'" in f and "skirt" in f for f in pose_faults(puppet))


def test_a_skirt_follows_the_thighs_when_she_sits():
    puppet = load_puppet(REPO / "puppets" / "other_mother.yaml")
    stand, sit = (thigh_show(puppet, Figure("", full_pose(puppet, p))) for p in ("stand", "sit"))
    assert skirted(puppet) and sit <= stand + 0.05


def _mean_rgb(puppet, attachment: str) -> np.ndarray:
    rgba = attachment_sprite(puppet, attachment, 0.5).rgba.astype(float)
    solid = rgba[..., 3] > 128
    return rgba[solid][:, :3].mean(axis=0)


def test_the_other_mothers_sleeve_reads_apart_from_her_bodice():
    """A tone step and a dark rim: her forearms no longer seem to sprout from her waist."""
    puppet = load_puppet(REPO / "puppets" / "other_mother.yaml")
    sleeve, dress = _mean_rgb(puppet, "arm_upper"), _mean_rgb(puppet, "dress")
    assert np.abs(sleeve - dress).sum() >= SLEEVE_STEP
