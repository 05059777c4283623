"""Shared fixtures: a throwaway project folder with the real puppets and sets, and tiny renders."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from renderer.load.project import Project
from renderer.paint.paintcache import PaintStore
from renderer.settings import settings_for

REPO = Path(__file__).resolve().parent.parent
TINY = 160  # px wide: every render test runs at 160x90 unless it needs more


def pytest_addoption(parser):
    parser.addoption("--bless", action="store_true",
                     help="regenerate missing or changed golden frames in tests/baselines/ "
                          "(refused when CI is set)")


def pytest_configure(config):
    import os
    import tempfile
    # Tests paint from scratch into a cache of their own: hermetic, and it still exercises the
    # cache (the second use of a painting in the run is a hit). Subprocesses (the command line)
    # open it from the environment; tests in this process pass it (`paint_store`).
    if config.getoption("--bless") and os.environ.get("CI"):
        raise pytest.UsageError("--bless is refused when CI is set: CI only checks golden frames")
    config.stopmo_cache = tempfile.mkdtemp(prefix="stopmo-test-cache-")
    os.environ["STOPMO_CACHE"] = config.stopmo_cache


def pytest_unconfigure(config):
    # The run's paint cache is tens of MB: leave nothing behind in /tmp.
    cache = getattr(config, "stopmo_cache", None)
    if cache:
        shutil.rmtree(cache, ignore_errors=True)


@pytest.fixture(scope="session")
def paint_store(pytestconfig) -> PaintStore:
    """The run's own paint cache on disk, the one its command-line subprocesses use."""
    return PaintStore(Path(pytestconfig.stopmo_cache))


@pytest.fixture(scope="session")
def bless(request) -> bool:
    """True under `pytest --bless`: regression tests write golden frames instead of failing."""
    return bool(request.config.getoption("--bless"))


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """A copy of the project's puppets and sets, with an empty scenes folder of its own."""
    root = tmp_path / "proj"
    shutil.copytree(REPO / "puppets", root / "puppets")
    shutil.copytree(REPO / "scenes" / "sets", root / "scenes" / "sets")
    (root / "output").mkdir()
    return root


@pytest.fixture
def write_scene(project_dir: Path):
    """Write a scene file (dedented YAML) into the throwaway project; returns its path."""
    def write(name: str, text: str) -> Path:
        path = project_dir / "scenes" / f"{name}.yaml"
        path.write_text(textwrap.dedent(text).lstrip())
        return path
    return write


@pytest.fixture
def tiny():
    return settings_for("draft", width=TINY)


SMALL_SCENE = """
scene: {name}
world: other
seed: 11
step: 2
set: other_dining_room
shots:
  - id: one
    duration: 1.0
    camera: {{from: {{zoom: 1.0}}, to: {{zoom: 1.2}}}}
    cast:
      coraline: {{at: [600, 930]}}
      other_mother: {{at: [1300, 930], facing: left}}
    action:
      - {{t: 0.0, who: coraline, do: walk, to: [800, 930], for: 1.0}}
      - {{t: 0.2, who: other_mother, say: "Hello there", for: 0.7}}
  - id: two
    duration: 0.5
    step: 1
    cast:
      coraline: {{at: [800, 930], face: happy}}
"""


@pytest.fixture
def small_scene(write_scene) -> Path:
    return write_scene("small", SMALL_SCENE.format(name="small"))


@pytest.fixture
def project(project_dir) -> Project:
    return Project(project_dir)
