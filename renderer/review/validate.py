"""`stopmo validate`: check any project file by its kind, without rendering."""
from __future__ import annotations

import unicodedata
from pathlib import Path

from renderer.errors import Location, SceneError, StopmoError
from renderer.load.project import Project, find_root, is_sequence_file, not_a_file
from renderer.output.audiofile import decode_recording
from renderer.paint.paintcache import PaintStore
from renderer.stage.timing import seconds_text

# The texts each kind of file puts on screen, by field path ("*" is every item of a list):
# captions, title cards (a scene's title and moment, the film's title and subtitle) and the
# headers of contact and model sheets (a puppet's title and description).
DRAWN_TEXT = {
    "scene": ("title", "moment", "shots.*.action.*.say"),
    "puppet": ("title", "description"),
    "prop": ("title", "description"),
    "sequence": ("title", "subtitle"),
    "set": (),
}


def kind_of(path: Path) -> str:
    """What a project file is, by the folder it is in: scene, sequence, puppet, prop or set."""
    parts = path.resolve().parts
    if path.parent.name == "props" and "puppets" in parts:
        return "prop"
    if path.parent.name == "puppets":
        return "puppet"
    if path.parent.name == "sets":
        return "set"
    return "sequence" if is_sequence_file(path) else "scene"


def validate_file(path: Path, store: PaintStore | None = None) -> str:
    """Load `path` as the kind of file its folder says it is; return a one-line summary.
    store: the paint cache the puppets and sets a scene uses are read back from."""
    if not path.is_file():
        raise SceneError(f"{path}: {not_a_file(path) or 'no such file'}")
    project = Project(find_root(path.parent), store, decode_recording)
    kind = kind_of(path)
    if kind == "prop":
        p = project.prop(path.stem) if path.stem in project.prop_names else _puppet(path)
        return f"prop, {len(p.bones)} bones"
    if kind == "puppet":
        p = _puppet(path)
        return f"puppet, {len(p.bones)} bones, {len(p.slots)} slots, skins: {', '.join(p.skins)}"
    if kind == "set":
        from renderer.load.set import load_set
        s = load_set(path, display=str(path))
        return f"set, {len(s.layers)} layers"
    if kind == "sequence":
        from renderer.load.sequence import load_sequence
        seq = load_sequence(path, project)
        n = len(seq.entries)
        return f"sequence, {n} scene{'' if n == 1 else 's'}"
    from renderer.load.scene import load_scene
    s = load_scene(path, project)
    return f"scene, {len(s.shots)} shots, {seconds_text(s.duration)}"


def glyph_warnings(path: Path) -> list[str]:
    """A located warning for every character of a drawn text (see DRAWN_TEXT) in `path` that
    the shipped font cannot draw. Call it on a file that validates: it reads the file again."""
    from renderer.compose.typeface import substitute, undrawable
    from renderer.load.yamlsrc import load_yaml

    root = load_yaml(path, StopmoError, display=str(path))
    lines: list[str] | None = None
    out = []
    for pattern in DRAWN_TEXT[kind_of(path)]:
        for field, node in _values_at(root, pattern.split("."), ""):
            if not isinstance(node.value, str):
                continue
            for index, ch in undrawable(node.value):
                if lines is None:
                    lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
                name = unicodedata.name(ch, "unnamed")
                out.append(f"{_where(node.loc, lines, ch)}: warning: {field}: the font has no "
                           f"glyph for {ch!r} (U+{ord(ch):04X} {name}); it is drawn as "
                           f"{substitute(ch)!r} (renderer/compose/fonts/README.md lists what it has)")
    return out


def line_face_warnings(path: Path, store: PaintStore | None = None) -> list[str]:
    """A located warning for every spoken line of a scene file whose face plainly contradicts
    its words (linemood.py); none for other kinds of file. Call it on a file that validates."""
    if kind_of(path) != "scene":
        return []
    from renderer.load.scene import load_scene
    from renderer.review.linemood import line_warnings
    project = Project(find_root(path.parent), store, decode_recording)
    return line_warnings(load_scene(path, project), str(path))


def _values_at(node, keys: list[str], path: str):
    """(field path, node) of every value under `node` at `keys` ("*": each item of a list)."""
    if not keys:
        yield path, node
        return
    key, rest = keys[0], keys[1:]
    if key == "*":
        if isinstance(node.value, list):
            for i, item in enumerate(node.value):
                yield from _values_at(item, rest, f"{path}[{i}]")
    elif isinstance(node.value, dict) and key in node.value:
        yield from _values_at(node.value[key], rest, f"{path}.{key}" if path else key)


def _where(loc: Location, lines: list[str], ch: str) -> Location:
    """The character's own line and column when the value's first line holds it (the usual
    one-line string), else where the value starts."""
    row = lines[loc.line - 1] if 0 < loc.line <= len(lines) else ""
    col = row.find(ch, max(loc.col - 1, 0))
    return Location(loc.file, loc.line, col + 1) if col >= 0 else loc


def _puppet(path: Path):
    from renderer.load.puppet import load_puppet
    return load_puppet(path, display=str(path))
