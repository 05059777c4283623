"""A damaged cache costs time, never a wrong frame: every entry (a painting with its numbers, a
puppet or set definition) is sealed with the SHA-256 of its payload, checked on every read; an
entry that fails is deleted and made again. Bytes flipped anywhere in any entry, or an entry cut
short, must give exactly the frame a render with the cache off gives."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import SMALL_SCENE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renderer.load.project import project_at
from renderer.load.scene import load_scene
from renderer.paint import paintcache
from renderer.paint.paintcache import PaintStore
from renderer.render import plan_scene, render_frame
from renderer.settings import settings_for

FRAME = 3           # an exposure with both puppets, a caption and the set


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> Path:
    from conftest import REPO
    root = tmp_path_factory.mktemp("integrity") / "proj"
    shutil.copytree(REPO / "puppets", root / "puppets")
    shutil.copytree(REPO / "scenes" / "sets", root / "scenes" / "sets")
    path = root / "scenes" / "small.yaml"
    path.write_text(SMALL_SCENE.format(name="small"))
    return path


def still(scene: Path, cache: Path | None) -> np.ndarray:
    """The frame a new process renders, with its paint cache in `cache` (None: no cache)."""
    project = project_at(scene.parent, None if cache is None else PaintStore(cache))
    return render_frame(plan_scene(load_scene(scene, project), settings_for("draft", width=64)),
                        FRAME)


@pytest.fixture(scope="module")
def reference(scene) -> np.ndarray:
    return still(scene, None)


@pytest.fixture(scope="module")
def cache(scene, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cache")
    still(scene, folder)
    return folder


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*/*") if not p.name.startswith("."))


def test_the_cache_holds_paintings_and_definitions(cache):
    kinds = {p.suffix for p in entries(cache)}
    assert kinds == {paintcache.SUFFIX, ".def"}


# A damage: (which entry, flip or cut, where as a fraction of its length, the bits flipped).
# Drawn as plain numbers so the examples do not depend on the cache's state.
DAMAGE = st.tuples(st.integers(0, 2**20), st.booleans(), st.integers(0, 2**16 - 1),
                   st.integers(1, 255))


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damages=st.lists(DAMAGE, min_size=1, max_size=3))
def test_flipped_or_truncated_entries_render_exactly_as_with_the_cache_off(
        damages, scene, reference, cache):
    files = entries(cache)
    for which, flip, where, bits in damages:
        victim = files[which % len(files)]
        raw = bytearray(victim.read_bytes())
        at = where * len(raw) >> 16
        if flip and raw:                        # flip bits of one byte
            raw[at] ^= bits
        else:                                   # cut short, as a full disk does
            raw = raw[:at]
        victim.write_bytes(bytes(raw))
    assert np.array_equal(still(scene, cache), reference)


def test_a_damaged_entry_of_each_kind_is_a_miss_and_is_removed(cache):
    for suffix in (paintcache.SUFFIX, ".def"):
        entry = max((p for p in entries(cache) if p.suffix == suffix), key=lambda p: p.stat().st_size)
        good = entry.read_bytes()
        for bad in (good[:len(good) // 2], good[:-1] + bytes([good[-1] ^ 1]), b""):
            entry.write_bytes(bad)
            assert paintcache.read_entry(entry) is None
            assert not entry.exists()
            entry.write_bytes(good)
        assert paintcache.read_entry(entry) is not None
