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
    top_edge,
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


# The arched back, hip to neck, measured in windows of BACK_WINDOW samples (20 units) of its top
# edge: a curve of radius 40 units turns 29 degrees from one window to the next; the fur spikes
# and the bent joint of the old arch turned 40-90 degrees, up and down.
BACK_WINDOW = 10
BACK_TURN = 35.0      # degrees between neighbouring windows' slopes, at most
BACK_DIP = 2.0        # units the top may fall back while rising to the peak (or after it)


def _back(puppet, pose_name):
    from renderer.stage.rig import puppet_matrices
    pose = full_pose(puppet, pose_name)
    world, index = puppet_matrices(puppet, pose), puppet.bone_index
    span = (world[index["spine"]][0, 2], world[index["neck"]][0, 2])
    xs, ys = top_edge(puppet, Figure("", pose), ("body", "chest", "hackles"), span)
    return xs, -ys


def test_the_cats_arched_back_is_one_smooth_curve():
    """The Halloween arch once broke into a zigzag: a saw-tooth of fur spikes over a back bent at
    one joint. Now it is one hump: no kink, and no dip on either side of its top."""
    xs, height = _back(load_puppet(REPO / "puppets" / "cat.yaml"), "arch")
    slopes = [np.degrees(np.arctan(np.polyfit(xs[i:i + BACK_WINDOW], height[i:i + BACK_WINDOW], 1)[0]))
              for i in range(0, len(xs) - BACK_WINDOW + 1, BACK_WINDOW // 2)]
    assert np.max(np.abs(np.diff(slopes))) <= BACK_TURN, np.round(slopes)
    top = int(np.argmax(height))
    rising, falling = height[:top + 1], height[top:][::-1]
    dip = max(np.max(np.maximum.accumulate(rising) - rising),
              np.max(np.maximum.accumulate(falling) - falling))
    assert dip <= BACK_DIP, dip
    assert height[top] - max(height[0], height[-1]) > 20      # and it is a hump, not a flat back


@pytest.mark.parametrize("path", PUPPET_FILES, ids=[p.stem for p in PUPPET_FILES])
def test_every_sleeve_reads_apart_from_the_body(path):
    """Over the whole cast and every skin: where an arm lies along the costume, a tone step or a
    rim divides them (review/sleeves.py)."""
    from renderer.review.sleeves import sleeve_faults
    faults = sleeve_faults(load_puppet(path, display=str(path.relative_to(REPO))))
    assert not faults, "\n".join(faults)


def test_a_sleeve_of_the_bodice_cloth_is_found(tmp_path):
    """The Other Mother's sleeve as it was: her bodice's burgundy, no rim."""
    from renderer.review.sleeves import MAX_MELT, sleeve_faults, sleeve_melt
    puppet = _edited(tmp_path, "other_mother",
                     'width: [26, 20], color: "#9a3a50", material: felt, outline: 3}',
                     'width: [26, 20], color: "#7d2a3c", material: felt}')
    assert sleeve_melt(puppet, "real")["arm_f"] > MAX_MELT
    assert any("'arm_f'" in f for f in sleeve_faults(puppet))


def _pose_changes():
    """(scene, shot, action index) of every `pose` and `sit` in the film whose pose may not
    cover the face."""
    from renderer.load.scene import load_scene
    from renderer.review.cleanpose import HANDS_TO_FACE
    out = []
    for path in sorted((REPO / "scenes").glob("*.yaml")):
        if path.stem == "sequence":
            continue
        for shot in load_scene(path).shots:
            out += [(path.stem, shot.id, i) for i, a in enumerate(shot.actions)
                    if a.do in ("pose", "sit") and a.args.get("pose") not in HANDS_TO_FACE
                    and not shot.cast[a.who].is_prop]
    return out


POSE_CHANGES = _pose_changes()


@pytest.fixture(scope="module")
def paintings():
    """One painting memory for the module's checks, as a render keeps one: each part of a puppet
    is painted once, not once per pose and face."""
    from renderer.compose.paintings import Paintings
    return Paintings()


@pytest.mark.parametrize("scene", sorted({s for s, _, _ in POSE_CHANGES}))
def test_every_pose_change_of_the_film_keeps_the_face_clear_as_it_plays(scene, paintings):
    """The named poses are checked at rest; a scene plays the way into them too, with the face
    the line wants and the facing the actor has (the spider-Beldam's reel, from her loom, blind)."""
    from renderer.load.scene import load_scene
    from renderer.stage.perform import fold
    from renderer.stage.pose import _settle
    shots = {s.id: s for s in load_scene(REPO / "scenes" / f"{scene}.yaml").shots}
    bad = []
    for _, shot_id, i in [c for c in POSE_CHANGES if c[0] == scene]:
        shot = shots[shot_id]
        a = shot.actions[i]
        mine = [b for b in shot.actions if b.who == a.who]
        for k in (0.0, 0.5, 1.0):
            s = fold(shot.cast[a.who], mine, a.t + a.duration * k,
                     {pid: place.at for pid, place in shot.cast.items()})   # whom a look faces
            _settle(s)
            cover = face_cover(s.puppet, Figure("", s.pose, skin=s.skin, face=s.face,
                                                facing=s.facing), paintings)
            if cover > FACE_COVER:
                bad.append((shot_id, a.who, a.args["pose"], k, round(cover, 3)))
    assert not bad, bad
