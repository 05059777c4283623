"""The on-disk paint cache: a hit gives the very same pixels; changed inputs miss."""
import os
import time

import numpy as np

from renderer.load.puppet import load_puppet
from renderer.load.set import load_set
from renderer.paint import paintcache, sprites


def fresh_process_caches():
    """Nothing to clear: a process keeps no paintings in memory outside a render's own
    `Paintings`, so each call below goes to the cache on disk as a new render would."""


def test_a_cached_painting_is_identical_to_a_fresh_one(repo, tmp_path, monkeypatch):
    monkeypatch.setenv("STOPMO_CACHE", str(tmp_path))
    puppet = load_puppet(repo / "puppets" / "coraline.yaml")
    set_def = load_set(repo / "scenes" / "sets" / "other_dining_room.yaml")
    fresh_process_caches()
    painted = sprites.attachment_sprite(puppet, "raincoat", 0.5)
    layer = sprites.layer_sprite(set_def, 1, 0.5, 1.0)
    assert len(list(tmp_path.glob(f"*/*{paintcache.SUFFIX}"))) == 2
    fresh_process_caches()           # as a new render process would start
    again = sprites.attachment_sprite(puppet, "raincoat", 0.5)
    layer_again = sprites.layer_sprite(set_def, 1, 0.5, 1.0)
    assert again is not painted and np.array_equal(again.rgba, painted.rgba)
    assert again.origin == painted.origin
    assert np.array_equal(layer_again.rgba, layer.rgba)
    assert (layer_again.origin, layer_again.opaque) == (layer.origin, layer.opaque)


def test_a_graded_painting_is_kept_and_read_back_without_grading_again(repo, tmp_path,
                                                                      monkeypatch):
    """A render's first frame waits for its paintings in the world's colours: a world seen
    before reads them ready to use; another world grades the ungraded painting, never repaints."""
    from renderer.compose.post import GRADES
    from renderer.paint.grade import Grade
    monkeypatch.setenv("STOPMO_CACHE", str(tmp_path))
    puppet = load_puppet(repo / "puppets" / "coraline.yaml")
    set_def = load_set(repo / "scenes" / "sets" / "other_dining_room.yaml")
    other = GRADES["other"]
    fresh_process_caches()
    graded = sprites.attachment_sprite(puppet, "raincoat", 0.5, other)
    layer = sprites.layer_sprite(set_def, 1, 0.5, 1.0, other)
    assert len(list(tmp_path.glob(f"*/*{paintcache.SUFFIX}"))) == 4   # ungraded and graded
    assert np.array_equal(graded.rgba, other.paint(sprites.attachment_sprite(puppet,
                                                                             "raincoat", 0.5).rgba))
    fresh_process_caches()
    monkeypatch.setattr(Grade, "paint", None)                  # not graded again: read back
    again = sprites.attachment_sprite(puppet, "raincoat", 0.5, other)
    layer_again = sprites.layer_sprite(set_def, 1, 0.5, 1.0, other)
    assert np.array_equal(again.rgba, graded.rgba) and again.origin == graded.origin
    assert np.array_equal(layer_again.rgba, layer.rgba)
    assert (layer_again.origin, layer_again.opaque) == (layer.origin, layer.opaque)
    monkeypatch.undo()
    monkeypatch.setenv("STOPMO_CACHE", str(tmp_path))
    monkeypatch.setattr(sprites, "paint", None)                # not painted again either
    fresh_process_caches()
    real = sprites.attachment_sprite(puppet, "raincoat", 0.5, GRADES["real"])
    assert not np.array_equal(real.rgba, graded.rgba)
    fresh_process_caches()


def test_other_inputs_miss_and_off_disables(repo, tmp_path, monkeypatch):
    puppet = load_puppet(repo / "puppets" / "coraline.yaml")
    art = puppet.attachments["raincoat"]
    assert paintcache.key("sprite", art, 0.5, 1) != paintcache.key("sprite", art, 0.5, 2)
    assert paintcache.key("sprite", art, 0.5, 1) != paintcache.key("sprite", art, 0.7, 1)
    monkeypatch.setenv("STOPMO_CACHE", "off")
    fresh_process_caches()
    sprites.attachment_sprite(puppet, "raincoat", 0.5)
    assert paintcache.cache_dir() is None and not any(tmp_path.iterdir())


def test_a_damaged_painting_is_a_miss_not_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("STOPMO_CACHE", str(tmp_path))
    rgba = np.arange(4 * 5 * 4, dtype=np.uint8).reshape(4, 5, 4)
    digest = paintcache.key("test", 1)
    paintcache.store(digest, rgba, (1.5, 2.0))
    got, numbers = paintcache.load(digest)
    assert np.array_equal(got, rgba) and numbers == (1.5, 2.0)
    path = tmp_path / digest[:2] / f"{digest}{paintcache.SUFFIX}"
    path.write_bytes(path.read_bytes()[:10])               # a half-written file
    assert paintcache.load(digest) is None


def test_storing_and_reading_a_painting_holds_no_second_copy_of_it(tmp_path, monkeypatch):
    """A batch worker's peak memory is set by what it holds while loading paintings: a 1080p
    backdrop is ~30 MB, so neither direction may make a whole extra copy on the way (measured
    with tracemalloc, which sees numpy's and Python's allocations; an empty painting compresses
    to almost nothing, so the painting itself is all that should show)."""
    import tracemalloc
    monkeypatch.setenv("STOPMO_CACHE", str(tmp_path))
    rgba = np.zeros((1000, 1500, 4), np.uint8)               # 6 MB
    digest = paintcache.key("test", "big")
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        paintcache.store(digest, rgba, (0.0,))
        stored_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        got, _ = paintcache.load(digest)
        loaded_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.array_equal(got, rgba)
    assert stored_peak < 0.25 * rgba.nbytes      # np.save into a BytesIO held a whole copy
    assert loaded_peak < 1.25 * rgba.nbytes      # np.load from a BytesIO held two


def test_eviction_drops_the_least_recently_used_entries_and_abandoned_temporary_files(
        tmp_path, monkeypatch):
    """Over the limit, the oldest entries go first (files of earlier versions too: PNGs, `.npy.z`
    with their `.txt`), until the cache is back under 80 % of the limit. Hidden temporary files
    that a full disk or a killed render left are removed once abandoned, whatever the size."""
    monkeypatch.setattr(paintcache, "LIMIT_BYTES", 3000)
    folder = tmp_path / "ab"
    folder.mkdir()
    names = ["old.png", "older.npy.z", "older.txt", "new.paint", "newest.paint",
             ".gone.paint.123", ".writing.paint.456"]
    ages = [300, 400, 400, 100, 0, 3600, 1]                 # seconds ago
    for name, age in zip(names, ages):
        (folder / name).write_bytes(b"x" * (1000 if name.endswith(("png", "z", "paint")) else 3))
        os.utime(folder / name, (time.time() - age,) * 2)
    paintcache._evict_once.cache_clear()
    paintcache._evict_once(tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == [".writing.paint.456", "new.paint",
                                                         "newest.paint"]


def test_the_grain_field_is_kept_and_read_back_identical(tmp_path, monkeypatch):
    # a render's first frame waits for the grain: made once, then read from the cache
    from renderer.compose import post

    def grain():   # a new render's grain effect: its plates are its own, made or read back
        return post.Grain(seed=5, width=320, height=180)
    monkeypatch.setenv("STOPMO_CACHE", "off")
    made = grain().plates()
    monkeypatch.setenv("STOPMO_CACHE", str(tmp_path))
    assert all(np.array_equal(a, b) for a, b in zip(grain().plates()[:2], made[:2]))
    assert len(list(tmp_path.glob(f"*/*{paintcache.SUFFIX}"))) == 1
    monkeypatch.setattr(post, "_grain_noise", None)   # not made again: read back
    again = grain().plates()
    assert all(np.array_equal(a, b) for a, b in zip(again[:2], made[:2]))
    assert again[2] == made[2]
    monkeypatch.undo()
    monkeypatch.setenv("STOPMO_CACHE", str(tmp_path))
    other = post.Grain(seed=6, width=320, height=180)
    assert not np.array_equal(other.plates()[0], made[0])   # another seed misses


def test_a_full_disk_leaves_no_hidden_temporary_file(tmp_path, monkeypatch):
    """A write that fails (147 hidden files were found after a full disk) removes its temporary
    file; the painting is simply not kept."""
    import errno
    monkeypatch.setenv("STOPMO_CACHE", str(tmp_path))

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(paintcache.os, "replace", full)
    digest = paintcache.key("test", "full")
    paintcache.store(digest, np.zeros((8, 8, 4), np.uint8), (1.0,))
    monkeypatch.undo()
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == []
    monkeypatch.setenv("STOPMO_CACHE", str(tmp_path))
    assert paintcache.load(digest) is None
