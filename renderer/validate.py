"""`stopmo validate`: check any project file by its kind, without rendering."""
from __future__ import annotations

from pathlib import Path

from renderer.errors import SceneError
from renderer.timing import seconds_text
from renderer.project import Project, find_root, is_sequence_file


def validate_file(path: Path) -> str:
    """Load `path` as the kind of file its folder says it is; return a one-line summary."""
    if not path.is_file():
        raise SceneError(f"{path}: {'a folder, not a file' if path.is_dir() else 'no such file'}")
    project = Project(find_root(path.parent))
    parts = path.resolve().parts
    if path.parent.name == "props" and "puppets" in parts:
        p = project.prop(path.stem) if path.stem in project.prop_names else _puppet(path)
        return f"prop, {len(p.bones)} bones"
    if path.parent.name == "puppets":
        p = _puppet(path)
        return f"puppet, {len(p.bones)} bones, {len(p.slots)} slots, skins: {', '.join(p.skins)}"
    if path.parent.name == "sets":
        from renderer.sets import load_set
        s = load_set(path, display=str(path))
        return f"set, {len(s.layers)} layers"
    if is_sequence_file(path):
        from renderer.sequence import load_sequence
        seq = load_sequence(path, project)
        n = len(seq.entries)
        return f"sequence, {n} scene{'' if n == 1 else 's'}"
    from renderer.script import load_scene
    s = load_scene(path, project)
    return f"scene, {len(s.shots)} shots, {seconds_text(s.duration)}"


def _puppet(path: Path):
    from renderer.puppet import load_puppet
    return load_puppet(path, display=str(path))
