"""The paper-doll tutorial (docs/tutorial.md) run end to end: every command of its `sh` blocks
in order, in a throwaway project; the imported puppet passes the model-sheet checks; the scene's
last frame matches its golden frame."""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_puppets import joint_gaps  # the shipped puppets' joint check

from renderer.cli import main
from renderer.load.puppet import load_puppet
from renderer.review.modelsheet import full_pose
from renderer.review.regress import compare
from renderer.stage import rig
from renderer.stage.pose import placement_matrix, puppet_matrices, slot_attachments

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "baselines_tutorial" / "paper_doll_walk-last.png"


def commands() -> list[str]:
    text = (REPO / "docs" / "tutorial.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def run(line: str, cwd: Path) -> None:
    args = shlex.split(line)
    if args[0] == "stopmo":
        assert main(args[1:]) == 0, line
    elif args[0] == "python":
        subprocess.run([sys.executable, *args[1:]], cwd=cwd, check=True)
    elif args[0] == "cp":
        shutil.copy(cwd / args[1], cwd / args[2])
    else:
        pytest.fail(f"the tutorial runs a command the test does not know: {line}")


def test_the_tutorial_runs_end_to_end(bless, tmp_path, monkeypatch):
    root = tmp_path / "proj"
    shutil.copytree(REPO / "examples", root / "examples")
    (root / "scenes" / "sets").mkdir(parents=True)
    shutil.copy(REPO / "scenes" / "sets" / "pink_palace_exterior.yaml", root / "scenes" / "sets")
    (root / "puppets").mkdir()
    (root / "output").mkdir()
    monkeypatch.chdir(root)
    lines = commands()
    assert any(line.startswith("stopmo import") for line in lines)
    for line in lines:
        if line.startswith("cp examples/paper_doll/paper_doll.yaml"):
            check_model_sheet(root / "puppets" / "paper_doll.yaml", imported=True)
        run(line, root)
    check_model_sheet(root / "puppets" / "paper_doll.yaml", imported=False)
    last = np.asarray(Image.open(root / "output" / "paper_doll_walk-last.png").convert("RGB"))
    if bless:   # after an intended change, as every golden frame: pytest --bless
        GOLDEN.parent.mkdir(exist_ok=True)
        Image.fromarray(last).save(GOLDEN)
    assert GOLDEN.is_file(), "the tutorial has no golden frame (look at it, then run pytest --bless)"
    d = compare(np.asarray(Image.open(GOLDEN).convert("RGB")), last)
    assert d.passed, f"the tutorial's last frame moved: {d.describe()}"
    assert (root / "output" / "paper_doll_walk.mp4").stat().st_size > 1000


def check_model_sheet(path: Path, imported: bool) -> None:
    """The checks every shipped puppet passes: joints covered in every pose, facing left the
    mirror of facing right, every face and mouth resolving to an attachment."""
    puppet = load_puppet(path)
    torn = [(pose, b, side) for pose in puppet.poses for b, side, _ in joint_gaps(puppet, pose, "real")]
    assert not torn, torn
    bone_of = np.array([s.bone for s in puppet.slots])
    mirror = rig.translate(700, 0) @ rig.scale(-1, 1) @ rig.translate(-700, 0)
    for pose in puppet.poses:
        world = puppet_matrices(puppet, full_pose(puppet, pose))[bone_of]
        assert np.allclose(mirror @ placement_matrix(700, 900, 1, 1, 0) @ world,
                           placement_matrix(700, 900, -1, 1, 0) @ world)
    for face in puppet.faces:
        for mouth in [None, *puppet.mouths]:
            atts = slot_attachments(puppet, "real", face, mouth, False)
            assert all(a is None or a in puppet.attachments for a in atts)
    assert "happy" in puppet.faces and {"rest", "A", "O"} <= set(puppet.mouths)
    if not imported:
        assert {"wave", "walk_a", "walk_b"} <= set(puppet.poses) and "walk" in puppet.cycles
