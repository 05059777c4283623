"""The on-disk paint cache: a hit gives the very same pixels; changed inputs miss."""
import os
import time

import numpy as np

from renderer.load.puppet import load_puppet
from renderer.load.set import load_set
from renderer.paint import paintcache, sprites
from renderer.paint.paintcache import PaintStore, open_store


def fresh(folder):
    """A store opened on `folder` as a new process would open it: nothing is kept in memory
    outside a render's own `Paintings` and its store, so each call below goes to the disk."""
    return PaintStore(folder)


def test_a_cached_painting_is_identical_to_a_fresh_one(repo, tmp_path):
    puppet = load_puppet(repo / "puppets" / "coraline.yaml")
    set_def = load_set(repo / "scenes" / "sets" / "other_dining_room.yaml")
    store = fresh(tmp_path)
    painted = sprites.attachment_sprite(puppet, "raincoat", 0.5, store=store)
    layer = sprites.layer_sprite(set_def, 1, 0.5, 1.0, store=store)
    assert len(list(tmp_path.glob(f"*/*{paintcache.SUFFIX}"))) == 2
    store = fresh(tmp_path)           # as a new render process would start
    again = sprites.attachment_sprite(puppet, "raincoat", 0.5, store=store)
    layer_again = sprites.layer_sprite(set_def, 1, 0.5, 1.0, store=store)
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
    puppet = load_puppet(repo / "puppets" / "coraline.yaml")
    set_def = load_set(repo / "scenes" / "sets" / "other_dining_room.yaml")
    other = GRADES["other"]
    store = fresh(tmp_path)
    graded = sprites.attachment_sprite(puppet, "raincoat", 0.5, other, store=store)
    layer = sprites.layer_sprite(set_def, 1, 0.5, 1.0, other, store=store)
    assert len(list(tmp_path.glob(f"*/*{paintcache.SUFFIX}"))) == 4   # ungraded and graded
    assert np.array_equal(graded.rgba, other.paint(
        sprites.attachment_sprite(puppet, "raincoat", 0.5, store=store).rgba))
    store = fresh(tmp_path)
    monkeypatch.setattr(Grade, "paint", None)                  # not graded again: read back
    again = sprites.attachment_sprite(puppet, "raincoat", 0.5, other, store=store)
    layer_again = sprites.layer_sprite(set_def, 1, 0.5, 1.0, other, store=store)
    assert np.array_equal(again.rgba, graded.rgba) and again.origin == graded.origin
    assert np.array_equal(layer_again.rgba, layer.rgba)
    assert (layer_again.origin, layer_again.opaque) == (layer.origin, layer.opaque)
    monkeypatch.undo()
    monkeypatch.setattr(sprites, "paint", None)                # not painted again either
    real = sprites.attachment_sprite(puppet, "raincoat", 0.5, GRADES["real"], store=fresh(tmp_path))
    assert not np.array_equal(real.rgba, graded.rgba)


def test_other_inputs_miss_and_no_store_keeps_nothing(repo, tmp_path):
    puppet = load_puppet(repo / "puppets" / "coraline.yaml")
    art = puppet.attachments["raincoat"]
    store = fresh(tmp_path)
    assert store.key("sprite", art, 0.5, 1) != store.key("sprite", art, 0.5, 2)
    assert store.key("sprite", art, 0.5, 1) != store.key("sprite", art, 0.7, 1)
    assert store.key("sprite", art, 0.5, 1) == fresh(tmp_path / "elsewhere").key("sprite", art,
                                                                                0.5, 1)
    alone = sprites.attachment_sprite(puppet, "raincoat", 0.5)      # no store: painted, not kept
    assert not any(tmp_path.iterdir())
    kept = sprites.attachment_sprite(puppet, "raincoat", 0.5, store=store)
    assert np.array_equal(alone.rgba, kept.rgba) and any(tmp_path.iterdir())


def test_the_environment_opens_the_store_the_command_line_uses(tmp_path):
    """`STOPMO_CACHE=/path` puts the cache there, `off` (0, no, false) turns it off; otherwise
    it is under $XDG_CACHE_HOME, or ~/.cache."""
    assert open_store({"STOPMO_CACHE": str(tmp_path)}).folder == tmp_path
    for off in ("off", "OFF", "0", "no", "false"):
        assert open_store({"STOPMO_CACHE": off}) is None
    assert open_store({"XDG_CACHE_HOME": str(tmp_path)}).folder == tmp_path / "stopmo" / "paint"
    assert open_store({}).folder.parts[-3:] == (".cache", "stopmo", "paint")


def test_a_damaged_painting_is_a_miss_not_an_error(tmp_path):
    store = fresh(tmp_path)
    rgba = np.arange(4 * 5 * 4, dtype=np.uint8).reshape(4, 5, 4)
    digest = store.key("test", 1)
    store.keep(digest, rgba, (1.5, 2.0))
    got, numbers = store.load(digest)
    assert np.array_equal(got, rgba) and numbers == (1.5, 2.0)
    path = tmp_path / digest[:2] / f"{digest}{paintcache.SUFFIX}"
    assert store.path(digest) == path
    path.write_bytes(path.read_bytes()[:10])               # a half-written file
    assert store.load(digest) is None


def test_storing_and_reading_a_painting_holds_no_second_copy_of_it(tmp_path):
    """A batch worker's peak memory is set by what it holds while loading paintings: a 1080p
    backdrop is ~30 MB, so neither direction may make a whole extra copy on the way (measured
    with tracemalloc, which sees numpy's and Python's allocations; an empty painting compresses
    to almost nothing, so the painting itself is all that should show)."""
    import tracemalloc
    store = fresh(tmp_path)
    rgba = np.zeros((1000, 1500, 4), np.uint8)               # 6 MB
    digest = store.key("test", "big")
    store.evict()                      # done (an empty folder), so not measured with the write
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        store.keep(digest, rgba, (0.0,))
        stored_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        got, _ = store.load(digest)
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
    store = fresh(tmp_path)
    store.evict()
    assert sorted(p.name for p in folder.iterdir()) == [".writing.paint.456", "new.paint",
                                                         "newest.paint"]
    (folder / "newer.paint").write_bytes(b"x" * 1000)   # over the limit again: a store evicts
    store.evict()                                         # once, when it first keeps something
    assert (folder / "newer.paint").exists()
    fresh(tmp_path).evict()
    assert not (folder / "new.paint").exists()


def test_the_grain_field_is_kept_and_read_back_identical(tmp_path, monkeypatch):
    # a render's first frame waits for the grain: made once, then read from the cache
    from renderer.compose import post

    def grain(store):   # a new render's grain effect: its plates are its own, made or read back
        return post.Grain(seed=5, width=320, height=180, store=store)
    made = grain(None).plates()
    assert all(np.array_equal(a, b) for a, b in zip(grain(fresh(tmp_path)).plates()[:2], made[:2]))
    assert len(list(tmp_path.glob(f"*/*{paintcache.SUFFIX}"))) == 1
    monkeypatch.setattr(post, "_grain_noise", None)   # not made again: read back
    again = grain(fresh(tmp_path)).plates()
    assert all(np.array_equal(a, b) for a, b in zip(again[:2], made[:2]))
    assert again[2] == made[2]
    monkeypatch.undo()
    other = post.Grain(seed=6, width=320, height=180, store=fresh(tmp_path))
    assert not np.array_equal(other.plates()[0], made[0])   # another seed misses


def test_a_full_disk_leaves_no_hidden_temporary_file(tmp_path, monkeypatch):
    """A write that fails (147 hidden files were found after a full disk) removes its temporary
    file; the painting is simply not kept."""
    import errno
    store = fresh(tmp_path)

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(paintcache.os, "replace", full)
    digest = store.key("test", "full")
    store.keep(digest, np.zeros((8, 8, 4), np.uint8), (1.0,))
    monkeypatch.undo()
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == []
    assert store.load(digest) is None


def test_a_frame_is_the_same_painted_fresh_or_read_back_from_the_cache(small_scene, tmp_path):
    """A layer painted fresh had a numpy float64 origin where one read back has a float, and
    the float64 carried into the blit's float32 arithmetic: frame 7 of the small scene at 160 px
    came out a level apart in one value. Fresh and read back must compose the same frame."""
    from renderer.load.project import project_at
    from renderer.load.scene import load_scene
    from renderer.render import plan_scene, render_frame
    from renderer.settings import settings_for

    def frame(store):
        scene = load_scene(small_scene, project_at(small_scene.parent, store))
        return render_frame(plan_scene(scene, settings_for("draft", 160)), 7)
    alone = frame(None)
    painted = frame(fresh(tmp_path))          # painted and kept
    read_back = frame(fresh(tmp_path))        # every painting from the cache
    assert np.array_equal(alone, painted) and np.array_equal(alone, read_back)
