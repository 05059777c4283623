"""The standard shot in a throwaway project: the repository's puppets and sets, one scene file.

The project loader finds a scene's project as the nearest folder above it holding `puppets/` and
`scenes/`, so the benchmark copies both beside its own scene instead of writing into `scenes/`.
"""
from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCENE_TEMPLATE = Path(__file__).resolve().parent / "standard_shot.yaml"
SCENE_NAME = "standard_shot"
THIRD_PUPPET = "mother"     # the third puppet when the project has one, else a second Coraline
FALLBACK_PUPPET = "coraline"


def scene_text(puppets: Path) -> str:
    """The standard shot's YAML, its third puppet chosen from what `puppets/` holds."""
    text = SCENE_TEMPLATE.read_text()
    if not (puppets / f"{THIRD_PUPPET}.yaml").is_file():
        text = text.replace(f"puppet: {THIRD_PUPPET}", f"puppet: {FALLBACK_PUPPET}")
    return text


def make_project(root: Path, repo: Path = REPO) -> Path:
    """Build (or refresh) a project in `root` and return the standard shot's scene path."""
    shutil.copytree(repo / "puppets", root / "puppets", dirs_exist_ok=True)
    shutil.copytree(repo / "scenes" / "sets", root / "scenes" / "sets", dirs_exist_ok=True)
    path = root / "scenes" / f"{SCENE_NAME}.yaml"
    path.write_text(scene_text(root / "puppets"))
    return path
