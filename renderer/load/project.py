"""The project's folders and a loader for everything a scene refers to by name.

    scenes/*.yaml          scene scripts, scenes/sequence.yaml the film
    scenes/sets/*.yaml     sets
    puppets/*.yaml         puppets
    puppets/props/*.yaml   props (puppets with one or a few bones)
"""
from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from renderer.errors import SceneError, did_you_mean
from renderer.load import defcache
from renderer.load.audio import AudioDecoder
from renderer.load.fields import Field
from renderer.load.puppet import load_puppet
from renderer.load.set import load_set
from renderer.model.puppet import PuppetDef
from renderer.model.set import SetDef
from renderer.paint.paintcache import PaintStore

# The command that lists every name of a kind, named by a hint too long to list them all.
LISTED_BY = {"puppet": "stopmo puppets", "prop": "stopmo puppets", "set": "stopmo set"}


def is_project(folder: Path) -> bool:
    return (folder / "puppets").is_dir() and (folder / "scenes").is_dir()


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` that holds a `puppets/` folder (else `start`)."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        if is_project(folder):
            return folder
    return start


@dataclass(eq=False)
class Project:
    """A project folder, and what its files are read with. decode_audio: how recordings other
    than WAV (FLAC, MP3, Ogg) are decoded, handed down by the layer that may start a process
    (see load/audio.py); None reads WAV only."""

    root: Path
    # The paint cache its definitions are read back from and its scenes' renders paint through,
    # opened by whoever opened the project (the command line, a batch, a test); None: none.
    store: PaintStore | None = None
    decode_audio: AudioDecoder | None = None

    @property
    def scenes_dir(self) -> Path:
        return self.root / "scenes"

    @property
    def puppets_dir(self) -> Path:
        return self.root / "puppets"

    def _names(self, folder: Path) -> list[str]:
        return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []

    @cached_property
    def puppet_names(self) -> list[str]:
        return self._names(self.puppets_dir)

    @cached_property
    def prop_names(self) -> list[str]:
        return self._names(self.puppets_dir / "props")

    @cached_property
    def set_names(self) -> list[str]:
        return self._names(self.scenes_dir / "sets")

    @cached_property
    def _cache(self) -> dict:
        return {}

    def _load(self, kind: str, name: str, f: Field | None, folder: Path, known: list[str], loader):
        key = (kind, name)
        if key not in self._cache:
            if name not in known:
                hint = did_you_mean(name, known, kind, LISTED_BY[kind])
                if f is not None:
                    f.fail(f"a {kind} in {folder.relative_to(self.root)}/", repr(name), hint=hint)
                raise SceneError(f"unknown {kind} {name!r}", hint=hint)
            path = folder / f"{name}.yaml"
            self._cache[key], self._references[path] = \
                defcache.load(path, self.display(path), loader, self.store)
        return self._cache[key]

    @cached_property
    def _references(self) -> dict[Path, tuple[Path, ...]]:
        return {}

    def display(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except (ValueError, RuntimeError, OSError):    # outside, or a link that loops
            try:
                return os.path.relpath(os.path.abspath(path), self.root.resolve())
            except ValueError:
                return str(path)

    def puppet(self, name: str, f: Field | None = None) -> PuppetDef:
        return self._load("puppet", name, f, self.puppets_dir, self.puppet_names, load_puppet)

    def prop(self, name: str, f: Field | None = None) -> PuppetDef:
        return self._load("prop", name, f, self.puppets_dir / "props", self.prop_names, load_puppet)

    def set(self, name: str, f: Field | None = None) -> SetDef:
        return self._load("set", name, f, self.scenes_dir / "sets", self.set_names, load_set)

    def assets_of(self, path: Path) -> list[Path]:
        """The files (images) a puppet or set file loaded by this project references, wherever
        they are: exactly what its render depends on besides the file itself."""
        return sorted(self._references.get(path, ()))

    def scene_paths(self) -> list[Path]:
        """The scene scripts in scenes/: every YAML file there but the sequences."""
        return sorted(p for p in self.scenes_dir.glob("*.yaml") if not is_sequence_file(p))

    def sequence_paths(self) -> list[Path]:
        return sorted(p for p in self.scenes_dir.glob("*.yaml") if is_sequence_file(p))


def is_sequence_file(path: Path) -> bool:
    """Whether `path` holds a sequence (a film's list of scenes) rather than a scene, known by
    what it holds: a `film:` or `scenes:` key and no `scene:` or `shots:`. sequence.yaml always
    is one, so its mistakes are reported as a sequence's. An unreadable file is not a sequence:
    loading it as a scene reports what is wrong with it."""
    if path.stem == "sequence":
        return True
    if not path.is_file():   # only regular files are opened (a FIFO would block)
        return False
    from renderer.errors import StopmoError
    from renderer.load.yamlsrc import load_yaml
    try:
        root = load_yaml(path, SceneError).value
    except (StopmoError, OSError):
        return False
    return isinstance(root, dict) and bool({"film", "scenes"} & root.keys()) \
        and not {"scene", "shots"} & root.keys()


def project_at(start: Path, store: PaintStore | None = None,
               decode_audio: AudioDecoder | None = None) -> "Project":
    """The project holding `start` (see `find_root`), using the paint cache `store` and reading
    recordings with `decode_audio`."""
    return Project(find_root(start), store, decode_audio)


def find_scene(arg: str, cwd: Path, store: PaintStore | None = None,
               decode_audio: AudioDecoder | None = None):
    """The scene a user named on the command line: a scene file's path, or a name from the
    scenes/ of the project around `cwd` (opened with the paint cache `store`). Raises SceneError
    naming what was looked for."""
    from renderer.load.scene import load_scene
    path = Path(arg)
    if not path.suffix:
        project = project_at(cwd, store, decode_audio)
        candidate = project.scenes_dir / f"{arg}.yaml"
        if not candidate.is_file():
            if (why := not_a_file(candidate)) is not None:
                raise SceneError(f"{project.display(candidate)}: {why}")
            names = [p.stem for p in project.scene_paths() if p.is_file()]
            raise SceneError(f"no scene {arg!r} in {project.display(project.scenes_dir)}/",
                             hint=did_you_mean(arg, names, "scene", "stopmo list"))
        path = candidate
    if not path.is_file():
        raise SceneError(f"{path}: {not_a_file(path) or 'no such file'}")
    return load_scene(path, project_at(path.parent, store, decode_audio))


def not_a_file(path: Path) -> str | None:
    """Why something at `path` is not a regular file that can be read, or None if nothing is
    there."""
    if os.path.islink(path) and not os.path.exists(path):
        try:
            os.stat(path)
        except OSError as err:
            if err.errno == errno.ELOOP:
                return "a link that loops back to itself"
        return "a link to nothing (no such file)"
    if path.is_dir():
        return "a folder, not a file"
    if os.path.lexists(path):
        return "not a regular file (a FIFO or device?)"
    return None
