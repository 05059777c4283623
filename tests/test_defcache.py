"""Definitions read back from disk: the same puppet as reading its file, and never a stale one."""
import os
import pickle

import pytest

from renderer.errors import PuppetError
from renderer.load import puppet
from renderer.load import set as sets
from renderer.load.project import Project
from renderer.paint.paintcache import PaintStore, seal, unseal


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def opened(project_dir, cache):
    """The project as a new process opens it, with its paint cache on `cache`."""
    return Project(project_dir, PaintStore(cache))


def kept(cache):
    return sorted(cache.glob("*/*.def"))


def count_parses(monkeypatch, module):
    """Count the YAML files `module` reads (puppet or sets)."""
    calls = []
    real = module.load_yaml

    def counting(path, *args, **kw):
        calls.append(path.name)
        return real(path, *args, **kw)

    monkeypatch.setattr(module, "load_yaml", counting)
    return calls


def test_a_second_load_reads_the_definition_back_without_parsing(project_dir, cache, monkeypatch):
    first = opened(project_dir, cache).puppet("coraline")
    assert len(kept(cache)) == 1
    monkeypatch.setattr(puppet, "load_yaml", None)   # reading the file again would fail
    again = opened(project_dir, cache).puppet("coraline")
    assert again is not first
    assert pickle.dumps(again) == pickle.dumps(first)   # every bone, slot, pose and shape


def test_a_definition_read_back_counts_as_recently_used(project_dir, cache):
    # the cache evicts the least recently used files first; a definition in use must not go
    opened(project_dir, cache).puppet("coraline")
    [file] = kept(cache)
    os.utime(file, (1_000_000, 1_000_000))
    opened(project_dir, cache).puppet("coraline")
    assert file.stat().st_mtime > 1_000_000


def test_sets_are_kept_too(project_dir, cache, monkeypatch):
    first = opened(project_dir, cache).set("other_dining_room")
    parses = count_parses(monkeypatch, sets)
    assert pickle.dumps(opened(project_dir, cache).set("other_dining_room")) == pickle.dumps(first)
    assert parses == []


IMAGE_PUPPET = """puppet: patchy
bones:
  - {name: root}
  - {name: body, parent: root, at: [0, -100], length: 100}
slots:
  - {name: body, bone: body, attachment: body}
attachments:
  body: {image: parts/part.png}
"""


def write_png(path, rgb):
    from PIL import Image
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (4, 4), rgb).save(path)


def test_an_edited_file_is_read_again(project_dir, cache, monkeypatch):
    path = project_dir / "puppets" / "coraline.yaml"
    opened(project_dir, cache).puppet("coraline")
    parses = count_parses(monkeypatch, puppet)
    path.write_text(path.read_text().replace("title: Coraline", "title: Coraline Jones"))
    assert opened(project_dir, cache).puppet("coraline").title == "Coraline Jones"
    assert parses == ["coraline.yaml"]


def test_the_key_covers_exactly_the_images_a_puppet_references(project_dir, cache, monkeypatch):
    """An edited image in a sub-folder is read again (it rendered red after turning blue); a new
    PNG, or a FIFO named like one, that nothing references is never opened."""
    (project_dir / "puppets" / "patchy.yaml").write_text(IMAGE_PUPPET)
    part = project_dir / "puppets" / "parts" / "part.png"
    write_png(part, (255, 0, 0))

    def colour():
        [(_, art)] = opened(project_dir, cache).puppet("patchy").attachments.items()
        return tuple(int(c) for c in art.rgba[0, 0, :3])
    assert colour() == (255, 0, 0)
    write_png(part, (0, 0, 255))
    assert colour() == (0, 0, 255)
    project = opened(project_dir, cache)
    project.puppet("patchy")
    assert project.assets_of(project_dir / "puppets" / "patchy.yaml") == [part.resolve()]
    parses = count_parses(monkeypatch, puppet)
    (project_dir / "puppets" / "patch.png").write_bytes(b"an image nobody references")
    os.mkfifo(project_dir / "puppets" / "fifo.png")      # opening it would block forever
    assert colour() == (0, 0, 255)
    assert parses == []


def test_a_broken_file_is_never_kept(project_dir, cache):
    path = project_dir / "puppets" / "coraline.yaml"
    path.write_text(path.read_text().replace("bones:", "bones: [", 1))
    for _ in range(2):   # the second time is read and explained again, not served from disk
        with pytest.raises(PuppetError) as err:
            opened(project_dir, cache).puppet("coraline")
        assert "coraline.yaml:" in err.value.format()
    assert kept(cache) == []


class Payload:
    def __reduce__(self):
        return (os.system, ("touch ran",))


def test_a_kept_file_that_is_not_a_definition_is_refused_not_run(project_dir, cache, tmp_path,
                                                                 monkeypatch):
    first = opened(project_dir, cache).puppet("coraline")
    [file] = kept(cache)
    for forged in (pickle.dumps(Payload()), seal(pickle.dumps((Payload(), [])))):
        file.write_bytes(forged)    # unsealed, or sealed with a checksum that matches
        monkeypatch.chdir(tmp_path)
        again = opened(project_dir, cache).puppet("coraline")
        assert not (tmp_path / "ran").exists()
        assert pickle.dumps(again) == pickle.dumps(first)
        mended, _ = pickle.loads(unseal(file.read_bytes()))
        assert pickle.dumps(mended) == pickle.dumps(first)


def test_nothing_is_kept_with_the_cache_off(project_dir, tmp_path, monkeypatch):
    """A project opened without a store keeps nothing, wherever the environment points: only
    the command line reads STOPMO_CACHE."""
    monkeypatch.setenv("STOPMO_CACHE", str(tmp_path / "named"))
    assert Project(project_dir).puppet("coraline").name == "coraline"
    assert list(tmp_path.rglob("*.def")) == [] and not (tmp_path / "named").exists()
