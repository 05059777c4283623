"""The film's running order: `scenes/sequence.yaml` lists scenes, title cards and transitions."""
from __future__ import annotations

from pathlib import Path

from renderer.errors import SceneError, did_you_mean
from renderer.load.fields import Field
from renderer.load.project import Project
from renderer.load.yamlsrc import load_yaml
from renderer.model.sequence import Entry, Sequence
from renderer.model.vocab import TRANSITIONS

SEQUENCE_FIELDS = ("film", "title", "subtitle", "card_seconds", "transition_seconds", "scenes")
SEQUENCE_REQUIRED = ("film", "scenes")
# An entry is a scene's name, or a mapping that says how it is introduced and joined.
ENTRY_FIELDS = ("scene", "card", "transition")
ENTRY_REQUIRED = ("scene",)


def load_sequence(path: Path, project: Project) -> Sequence:
    root = Field(load_yaml(path, SceneError, display=project.display(path)), "", SceneError)
    m = root.mapping(SEQUENCE_FIELDS, required=SEQUENCE_REQUIRED)
    film = m["film"].str()
    if not film.replace("_", "").replace("-", "").isalnum():
        m["film"].fail("a plain name (letters, digits, _ and -)", repr(film))
    known = [p.stem for p in project.scene_paths()]
    entries, seen = [], set()
    for item in m["scenes"].list(min_len=1, max_len=200):
        if isinstance(item.value, str):
            name, card, transition = item.str(), True, "fade"
        else:
            em = item.mapping(ENTRY_FIELDS, required=ENTRY_REQUIRED)
            name = em["scene"].str()
            card = em["card"].bool() if "card" in em else True
            transition = em["transition"].choice(TRANSITIONS) if "transition" in em else "fade"
            item = em["scene"]
        if name not in known:
            item.fail("a scene in scenes/", repr(name),
                      hint=did_you_mean(name, known, "scene", "stopmo list"))
        if name in seen:
            item.fail("each scene once", f"{name!r} again")
        seen.add(name)
        entries.append(Entry(name, project.scenes_dir / f"{name}.yaml", card, transition))
    return Sequence(film, m["title"].str() if "title" in m else film.title(),
                    m["subtitle"].str() if "subtitle" in m else "",
                    m["card_seconds"].number(0, 10) if "card_seconds" in m else 2.5,
                    m["transition_seconds"].number(0, 5) if "transition_seconds" in m else 0.5,
                    tuple(entries), path)
