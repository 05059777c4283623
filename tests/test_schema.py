"""The shipped JSON Schemas (`docs/schema/`) accept every shipped file and refuse malformed ones.

The schemas are made from the same tables as `docs/format.md` (their staleness is checked in
test_formatref.py). A schema sees each value's shape only, so the bad-input corpus is sampled
where the mistake is one of shape: an unknown key, a wrong type, a number out of range, a missing
required key, a name outside a fixed vocabulary. Mistakes that need the project (an unknown
puppet, pose or face), the timeline (an action past its shot's end) or the YAML text itself
(duplicate keys, tabs, aliases) are left to the loader and tests/test_bad_input.py.
"""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from renderer.load.scene import load_scene

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO / "docs" / "schema"
BAD = Path(__file__).resolve().parent / "bad"


def schema(kind: str) -> dict:
    return json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))


def validator(kind: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(kind))


def shipped_files() -> list[tuple[str, Path]]:
    scenes = sorted(p for p in (REPO / "scenes").glob("*.yaml") if p.stem != "sequence")
    return ([("scene", p) for p in scenes] + [("sequence", REPO / "scenes" / "sequence.yaml")]
            + [("set", p) for p in sorted((REPO / "scenes" / "sets").glob("*.yaml"))]
            + [("puppet", p) for p in sorted((REPO / "puppets").glob("*.yaml"))]
            + [("puppet", p) for p in sorted((REPO / "puppets" / "props").glob("*.yaml"))])


@pytest.mark.parametrize("kind", ["scene", "set", "puppet", "sequence"])
def test_each_schema_is_a_valid_draft_2020_12_schema(kind):
    jsonschema.Draft202012Validator.check_schema(schema(kind))
    assert schema(kind)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("kind,path", shipped_files(),
                         ids=lambda v: str(v.relative_to(REPO)) if isinstance(v, Path) else v)
def test_every_shipped_file_validates_against_its_schema(kind, path):
    errors = [f"{'.'.join(map(str, e.absolute_path)) or '<top>'}: {e.message}"
              for e in validator(kind).iter_errors(yaml.safe_load(path.read_text("utf-8")))]
    assert not errors, "\n".join(errors[:10])


def test_all_kinds_of_shipped_files_were_checked():
    kinds = [k for k, _ in shipped_files()]
    assert {k: kinds.count(k) for k in set(kinds)} == {
        "scene": 16, "sequence": 1, "set": 17, "puppet": 20 + 14}


# corpus file -> why a schema can tell it is wrong
SCHEMA_CHECKABLE = {
    "scenes/unknown_field.yaml": "unknown key 'durtion' in a shot (additionalProperties)",
    "scenes/unknown_top_field.yaml": "unknown top-level key 'sets' (additionalProperties)",
    "scenes/duration_text.yaml": "wrong type: text where a number goes",
    "scenes/duration_quoted.yaml": "wrong type: a quoted number is text",
    "scenes/negative_duration.yaml": "out of range: duration must be > 0",
    "scenes/zero_duration.yaml": "out of range: 0 is excluded (exclusiveMinimum)",
    "scenes/huge_duration.yaml": "out of range: above the 120 s limit",
    "scenes/negative_scale.yaml": "out of range: scale below 0.05",
    "scenes/huge_coordinate.yaml": "out of range: a coordinate beyond 20000",
    "scenes/look_out_of_range.yaml": "out of range: a look multiplier above 10",
    "scenes/zero_step.yaml": "out of range: step below 1",
    "scenes/fraction_step.yaml": "wrong type: 1.5 is not an integer",
    "scenes/missing_duration.yaml": "missing required key 'duration'",
    "scenes/missing_set.yaml": "missing required key 'set'",
    "scenes/unknown_verb.yaml": "unknown verb: 'do' is an enum of the verbs",
    "scenes/unknown_ease.yaml": "unknown easing: 'ease' is an enum",
    "scenes/unknown_world.yaml": "unknown world: 'world' is an enum",
    "scenes/no_shots.yaml": "an empty list where at least one shot is needed (minItems)",
    "scenes/shots_mapping.yaml": "wrong type: a mapping where a list goes",
    "scenes/at_three.yaml": "a point with three numbers (maxItems)",
    "scenes/at_text.yaml": "wrong type: a point written as text",
    "scenes/scene_is_list.yaml": "wrong type: the file is a list, not a mapping",
    "scenes/scene_is_text.yaml": "wrong type: the file is text, not a mapping",
    "puppets/puppet_unknown_field.yaml": "unknown top-level key 'posess'",
    "puppets/bones_mapping.yaml": "wrong type: bones as a mapping",
    "puppets/shape_unknown.yaml": "unknown shape: 'shape' is an enum",
    "puppets/shape_unknown_material.yaml": "unknown material: 'material' is an enum",
    "puppets/shape_bad_colour.yaml": "a colour that does not match '#rrggbb' (pattern)",
    "puppets/shape_unquoted_colour.yaml": "an unquoted # leaves null where a colour goes",
    "puppets/shape_negative_size.yaml": "out of range: a negative size",
    "puppets/cycle_zero_period.yaml": "out of range: a cycle period must be > 0.05",
    "puppets/mouth_unknown_shape.yaml": "unknown mouth shape 'AH' (additionalProperties)",
    "props/prop_no_slots.yaml": "missing required key 'slots'",
    "props/prop_huge_scale.yaml": "out of range: a bone scale above 100",
    "sets/set_no_layers.yaml": "missing required key 'layers'",
    "sets/layer_zero_depth.yaml": "out of range: a layer depth below 0.2",
    "sets/set_huge_shape.yaml": "out of range: a shape size beyond 10000",
    "sequences/sequence_negative_card.yaml": "out of range: negative card seconds",
    "sequences/sequence_unknown_transition.yaml": "unknown transition: an enum",
}
KIND_OF_FOLDER = {"scenes": "scene", "puppets": "puppet", "props": "puppet", "sets": "set",
                  "sequences": "sequence"}


def loader_path(parts) -> str:
    """A schema error's location written as the loader writes field paths: shots[0].duration."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@pytest.mark.parametrize("rel", sorted(SCHEMA_CHECKABLE))
def test_the_schema_refuses_a_sample_of_the_bad_input_corpus(rel):
    document = yaml.safe_load((BAD / rel).read_text(encoding="utf-8"))
    kind = KIND_OF_FOLDER[rel.split("/")[0]]
    error = jsonschema.exceptions.best_match(validator(kind).iter_errors(document))
    assert error is not None, f"{rel} passed the schema: {SCHEMA_CHECKABLE[rel]}"
    # ... at the field the loader's own message names (none: the top level)
    where = loader_path(error.absolute_path)
    message = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))[rel]
    assert (f": {where}: " in message) if where else not _names_a_field(message), \
        (rel, where, message)


def _names_a_field(message: str) -> bool:
    """Whether a loader message ("file:line:col: path: ...") names a field path."""
    after = message.split(": ", 1)[1]
    return not after.startswith(("expected", "missing", "unknown"))


def test_the_sample_is_drawn_from_the_corpus_the_loader_is_tested_with():
    expected = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))
    assert set(SCHEMA_CHECKABLE) <= set(expected)


def test_an_action_with_arguments_its_verb_does_not_take_is_refused():
    scene = {"scene": "a", "set": "s", "shots": [{"id": "x", "duration": 2, "action": [
        {"t": 0, "who": "coraline", "do": "walk", "to": [1, 2]}]}]}
    v = validator("scene")
    assert v.is_valid(scene)
    action = scene["shots"][0]["action"][0]
    for wrong in ({**action, "opacity": 1}, {k: v for k, v in action.items() if k != "do"},
                  {"t": 0, "who": "coraline", "do": "give", "what": "key"}):
        scene["shots"][0]["action"][0] = wrong
        assert not v.is_valid(scene), wrong
    scene["shots"][0]["action"][0] = {"t": 0, "who": "coraline", "face": "happy"}  # shorthand
    assert v.is_valid(scene)


def test_a_shape_that_needs_points_is_refused_without_them():
    v = validator("set")
    layer = {"name": "wall", "depth": 2, "shapes": [{"shape": "line"}]}
    assert not v.is_valid({"set": "s", "layers": [layer]})
    layer["shapes"] = [{"shape": "line", "points": [[0, 0], [10, 10]]}]
    assert v.is_valid({"set": "s", "layers": [layer]})


def test_the_editor_schema_line_is_a_comment_the_loader_accepts(project_dir):
    # The first line the reference tells editors to use, with the path relative to the file.
    first_line = "# yaml-language-server: $schema=../docs/schema/scene.schema.json\n"
    scene = project_dir / "scenes" / "with_schema.yaml"
    scene.write_text(first_line + "scene: with_schema\nset: living_room\nshots:\n"
                     "  - {id: a, duration: 1, cast: {coraline: {at: [600, 930]}}}\n")
    assert load_scene(scene).shots[0].cast["coraline"].at == (600.0, 930.0)
    assert validator("scene").is_valid(yaml.safe_load(scene.read_text()))


@pytest.mark.parametrize("folder,kind", [("scenes", "scene"), ("scenes/sets", "set"),
                                         ("puppets", "puppet"), ("puppets/props", "puppet")])
def test_the_documented_relative_schema_paths_reach_the_shipped_schemas(folder, kind):
    reference = (REPO / "docs" / "format.md").read_text(encoding="utf-8")
    up = "../" * (folder.count("/") + 1)
    relative = f"{up}docs/schema/{kind}.schema.json"
    assert relative in reference
    assert (REPO / folder / relative).resolve() == (SCHEMAS / f"{kind}.schema.json").resolve()
