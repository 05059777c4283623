"""Definitions read back from disk: the same puppet as reading its file, and never a stale one."""
import os
import pickle

import pytest

from renderer.errors import PuppetError
from renderer.load import puppet
from renderer.load import set as sets
from renderer.load.project import Project


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("STOPMO_CACHE", str(folder))
    return folder


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
    first = Project(project_dir).puppet("coraline")
    assert len(kept(cache)) == 1
    monkeypatch.setattr(puppet, "load_yaml", None)   # reading the file again would fail
    again = Project(project_dir).puppet("coraline")
    assert again is not first
    assert pickle.dumps(again) == pickle.dumps(first)   # every bone, slot, pose and shape


def test_a_definition_read_back_counts_as_recently_used(project_dir, cache):
    # the cache evicts the least recently used files first; a definition in use must not go
    Project(project_dir).puppet("coraline")
    [file] = kept(cache)
    os.utime(file, (1_000_000, 1_000_000))
    Project(project_dir).puppet("coraline")
    assert file.stat().st_mtime > 1_000_000


def test_sets_are_kept_too(project_dir, cache, monkeypatch):
    first = Project(project_dir).set("other_dining_room")
    parses = count_parses(monkeypatch, sets)
    assert pickle.dumps(Project(project_dir).set("other_dining_room")) == pickle.dumps(first)
    assert parses == []


def test_an_edited_file_or_a_new_image_beside_it_is_read_again(project_dir, cache, monkeypatch):
    path = project_dir / "puppets" / "coraline.yaml"
    Project(project_dir).puppet("coraline")
    parses = count_parses(monkeypatch, puppet)
    path.write_text(path.read_text().replace("title: Coraline", "title: Coraline Jones"))
    assert Project(project_dir).puppet("coraline").title == "Coraline Jones"
    (path.parent / "patch.png").write_bytes(b"any new image beside the puppet")
    Project(project_dir).puppet("coraline")
    assert parses == ["coraline.yaml", "coraline.yaml"]


def test_a_broken_file_is_never_kept(project_dir, cache):
    path = project_dir / "puppets" / "coraline.yaml"
    path.write_text(path.read_text().replace("bones:", "bones: [", 1))
    for _ in range(2):   # the second time is read and explained again, not served from disk
        with pytest.raises(PuppetError) as err:
            Project(project_dir).puppet("coraline")
        assert "coraline.yaml:" in err.value.format()
    assert kept(cache) == []


class Payload:
    def __reduce__(self):
        return (os.system, ("touch ran",))


def test_a_kept_file_that_is_not_a_definition_is_refused_not_run(project_dir, cache, tmp_path,
                                                                 monkeypatch):
    first = Project(project_dir).puppet("coraline")
    [file] = kept(cache)
    file.write_bytes(pickle.dumps(Payload()))
    monkeypatch.chdir(tmp_path)
    again = Project(project_dir).puppet("coraline")
    assert not (tmp_path / "ran").exists()
    assert pickle.dumps(again) == pickle.dumps(first)
    assert pickle.dumps(pickle.loads(file.read_bytes())) == pickle.dumps(first)   # mended


def test_nothing_is_kept_with_the_cache_off(project_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("STOPMO_CACHE", "off")
    assert Project(project_dir).puppet("coraline").name == "coraline"
    assert list(tmp_path.rglob("*.def")) == []
