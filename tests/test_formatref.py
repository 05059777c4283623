"""The format reference (`docs/format.md`) describes everything the loaders accept, and is current.

The coverage check watches the loaders themselves: `Field.mapping` is wrapped to record, at every
field path, the keys the loader allows there, while every shipped scene, set, puppet, prop and the
sequence are loaded. Each path is then looked up in the reference's tables (list indices and
user-chosen names such as cast ids or bone names are resolved through the table's own list and
mapping types), and every allowed key must be a documented key of the object found there.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from renderer.load.actions import VERBS
from renderer.load.fields import Field
from renderer.load.project import Project
from renderer.load.scene import load_scene
from renderer.load.sequence import load_sequence
from renderer.reference import formatref, refscene, reftypes
from renderer.reference.formatschema import ROOTS
from renderer.reference.reftypes import AnyOf, Key, ListOf, MapOf, Obj, Ref, Text

REPO = Path(__file__).resolve().parent.parent
REGENERATE = "python -m renderer.reference.formatref"
_TOKEN = re.compile(r"\[(\d+)\]|([^.\[\]]+)")

Record = tuple[str, str, frozenset]   # (file shown as, field path, keys the loader allowed)


def kind_of(shown: str) -> str:
    """Which kind of file a project-relative path is, by its folder (as `stopmo validate`)."""
    if shown.startswith("scenes/sets/"):
        return "set"
    if shown.startswith("puppets/"):
        return "puppet"
    return "sequence" if shown == "scenes/sequence.yaml" else "scene"


def objects_at(t: reftypes.Type, tokens: list[tuple[str, str]]) -> list[Obj]:
    """The objects of the reference a field path leads to from a value of type `t`.

    tokens: ("index", "3") or ("key", "coraline") in order. A user-chosen key (a cast id, a
    bone name) is consumed by a MapOf, an index by a ListOf; a fixed key must be documented."""
    match t:
        case Ref():
            obj = formatref.TABLE[t.id]
            if not tokens:
                return [obj]
            kind, name = tokens[0]
            key = next((k for k in obj.keys if k.name == name), None) if kind == "key" else None
            return objects_at(key.type, tokens[1:]) if key is not None else []
        case ListOf() if tokens and tokens[0][0] == "index":
            return objects_at(t.item, tokens[1:])
        case MapOf() if tokens and tokens[0][0] == "key":
            return objects_at(t.value, tokens[1:])
        case AnyOf():
            return [o for option in t.options for o in objects_at(option, tokens)]
    return []


def tokens_of(path: str) -> list[tuple[str, str]]:
    return [("index", i) if i else ("key", k) for i, k in _TOKEN.findall(path)]


def undocumented(records: set[Record]) -> list[str]:
    """'scene shots[].look: sparkle' for each recorded key the reference does not describe."""
    problems = set()
    for shown, path, allowed in records:
        kind = kind_of(shown)
        candidates = objects_at(Ref(ROOTS[kind]), tokens_of(path))
        if not any(allowed <= set(obj.names) for obj in candidates):
            described = set().union(*(obj.names for obj in candidates)) if candidates else set()
            where = re.sub(r"\[\d+\]", "[]", path) or "<top level>"
            problems.add(f"{kind} {where}: {', '.join(sorted(allowed - described))}")
    return sorted(problems)


def load_everything(monkeypatch) -> set[Record]:
    """Load every shipped file through the real loaders, recording each `Field.mapping` call."""
    records: set[Record] = set()
    original = Field.mapping

    def recording(self, allowed, required=()):
        records.add((self.loc.file, self.path, frozenset(allowed)))
        return original(self, allowed, required)

    monkeypatch.setattr(Field, "mapping", recording)
    project = Project(REPO)   # with no paint cache: every definition is read by its loader
    for name in project.puppet_names:
        project.puppet(name)
    for name in project.prop_names:
        project.prop(name)
    for name in project.set_names:
        project.set(name)
    for path in project.scene_paths():
        load_scene(path, project)
    load_sequence(project.scenes_dir / "sequence.yaml", project)
    return records


def test_the_committed_reference_and_schemas_are_current():
    stale = [str(p.relative_to(REPO)) for p in formatref.stale(REPO)]
    assert not stale, (f"{', '.join(stale)} out of date with the loaders' tables: run "
                       f"`{REGENERATE}` and commit the result")


def test_every_object_the_reference_links_to_is_on_the_page():
    """A key whose type is an object links to that object's table: the table must be there."""
    page = formatref.reference_md()
    links = set(re.findall(r"\]\(#(obj-[a-z-]+)\)", page))
    anchors = set(re.findall(r'<a id="(obj-[a-z-]+)"></a>', page))
    assert links and not links - anchors, sorted(links - anchors)


def test_every_key_the_loaders_accept_is_described(monkeypatch):
    records = load_everything(monkeypatch)
    kinds = {kind_of(shown) for shown, _, _ in records}
    assert kinds == {"scene", "set", "puppet", "sequence"}, kinds   # the recorder saw every kind
    assert len(records) > 100
    problems = undocumented(records)
    assert not problems, ("the loader accepts keys docs/format.md does not describe (add them to "
                          f"renderer/refscene.py or refrig.py, then run `{REGENERATE}`):\n"
                          + "\n".join(problems))


def test_a_key_added_to_a_loader_table_alone_is_caught(monkeypatch):
    # As if someone taught the scene loader a new `look` key and forgot the reference.
    import renderer.load.scene as scene_loader
    monkeypatch.setattr(scene_loader, "LOOK_FIELDS", scene_loader.LOOK_FIELDS + ("sparkle",))
    assert "scene look: sparkle" in undocumented(load_everything(monkeypatch))


def test_a_loader_mapping_at_an_undescribed_path_is_caught():
    records = {("scenes/x.yaml", "shots[0].cast.coraline.costume", frozenset({"hat"})),
               ("puppets/x.yaml", "poses.wave.arm", frozenset({"rot", "wobble"}))}
    assert undocumented(records) == ["puppet poses.wave.arm: wobble",
                                     "scene shots[].cast.coraline.costume: hat"]


def test_the_tables_refuse_to_drift_from_the_loader_constants():
    with pytest.raises(ValueError, match=r"undocumented \['sparkle'\]"):
        reftypes.keys_of(("flicker", "sparkle"), (), {"flicker": (Text(), "a flicker")})
    with pytest.raises(ValueError, match=r"not accepted by the loader \['grain'\]"):
        reftypes.keys_of(("flicker",), (), {"flicker": (Text(), "x"), "grain": (Text(), "y")})


def undocumented_verbs(verbs: dict, reference: str) -> list[str]:
    """Verbs (or their arguments) without a row in the reference's verb table and a described
    argument key."""
    action = formatref.TABLE["action"]
    table = reference.split("### Verbs", 1)[-1].split("\n### ", 1)[0]
    missing = []
    for verb, (need, optional, _) in verbs.items():
        row = next((line for line in table.splitlines() if line.startswith(f"| `{verb}` |")), None)
        if row is None or verb not in refscene.VERB_MEANINGS:
            missing.append(verb)
            continue
        missing += [f"{verb}.{arg}" for arg in need + optional
                    if arg not in action.names or f"`{arg}`" not in row]
    return missing


def test_every_verb_is_documented_with_its_arguments():
    reference = formatref.reference_md()
    assert len(VERBS) == 28
    assert undocumented_verbs(VERBS, reference) == []
    # ... and a verb the reference does not know is caught
    assert undocumented_verbs({**VERBS, "dance": (("tempo",), (), "actor")}, reference) == \
        ["dance"]
    assert undocumented_verbs({"walk": (("to",), ("tempo",), "actor")}, reference) == \
        ["walk.tempo"]


def test_every_documented_key_has_a_meaning_and_a_default_or_is_required():
    for obj in formatref.TABLE.values():
        for key in obj.keys:
            assert isinstance(key, Key) and key.meaning.strip(), (obj.id, key.name)
            assert key.required or key.default is not reftypes.NO_DEFAULT or key.default_note or \
                obj.id in ("action",) or key.name in ("parent",), (obj.id, key.name)


def test_the_reference_covers_what_users_asked_about():
    text = (REPO / "docs" / "format.md").read_text(encoding="utf-8")
    for needed in ("## How to put a prop in a hand", "grip:", "do: take", "do: give",
                   "`puppets/props/NAME.yaml`", "`scenes/sets/NAME.yaml`", "`hold`",
                   "absolute", "**Draw order.**", "yaml-language-server: $schema="):
        assert needed in text, needed


def test_the_picture_of_a_drawing_on_its_bone_is_what_the_renderer_draws(tmp_path):
    """docs/images/image-on-bone.png, linked from the reference, is made by the renderer: drawing
    it again gives the same pixels (regenerate: python -m renderer.review.pictures)."""
    import numpy as np
    from PIL import Image

    from renderer.review.pictures import PICTURE, picture
    shipped = np.asarray(Image.open(REPO / PICTURE).convert("RGB"))
    assert np.array_equal(shipped, picture()), "stale: run python -m renderer.review.pictures"
    assert f"]({PICTURE.relative_to('docs').as_posix()})" in (REPO / "docs" / "format.md").read_text()
