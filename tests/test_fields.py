"""The validation cursor: every error names file:line:col, the field path, expected and found."""
import pytest

from renderer.errors import LIST_NEAREST, PuppetError, SceneError, did_you_mean
from renderer.load.fields import Field, Mapping, describe
from renderer.load.yamlsrc import parse_yaml

SHOT_KEYS = {"id", "duration", "camera", "cast", "action", "step"}

SCENE = """\
scene: small_door
world: real
seed: 3
tint: '#f80'
shots:
  - id: doll_on_the_floor
    duration: 4.0
    cast:
      coraline: {at: [520, 900]}
  - id: the_key
    duration: .nan
    step: 5
    durtion: 2
"""


def root(text: str = SCENE, error=SceneError) -> Field:
    return Field(parse_yaml(text, "scenes/small_door.yaml", error), "", error)


def fails(fn) -> SceneError:
    with pytest.raises(SceneError) as info:
        fn()
    return info.value


def top() -> Mapping:
    return root().mapping({"scene", "world", "seed", "tint", "shots"}, required={"scene"})


def test_happy_path_values_and_paths():
    m = top()
    assert m.keys() == ["scene", "world", "seed", "tint", "shots"]
    assert m["scene"].str() == "small_door"
    assert m["world"].choice(["real", "other", "nightmare"]) == "real"
    assert m["seed"].int(0) == 3
    assert m["tint"].color() == (255, 136, 0)
    shots = m["shots"].list(min_len=1)
    assert [s.path for s in shots] == ["shots[0]", "shots[1]"]
    cast = shots[0].mapping(SHOT_KEYS)["cast"].dict()
    assert [k for k, _ in cast.items()] == ["coraline"]
    at = cast["coraline"].mapping({"at"})["at"]
    assert at.path == "shots[0].cast.coraline.at"
    assert at.vec2(0, 1920) == (520.0, 900.0)
    assert (at.loc.line, at.loc.col) == (9, 22)
    assert "step" not in shots[0].mapping(SHOT_KEYS) and shots[0].dict().get("step") is None


def test_unknown_field_did_you_mean_at_the_key():
    shot = top()["shots"].list()[1]
    e = fails(lambda: shot.mapping(SHOT_KEYS))
    assert e.message == "unknown field 'durtion'" and e.hint == "did you mean 'duration'?"
    assert (e.where.line, e.where.col) == (13, 5) and e.field == "shots[1]"
    assert str(e) == ("scenes/small_door.yaml:13:5: shots[1]: unknown field 'durtion' "
                      "(did you mean 'duration'?)")


def test_unknown_field_without_close_match_lists_the_allowed():
    e = fails(lambda: root("zzz: 1\n").mapping({"scene", "shots"}))
    assert e.hint == "expected one of: scene, shots"
    assert e.field == "" and str(e).startswith("scenes/small_door.yaml:1:1: unknown field")


def test_missing_field():
    e = fails(lambda: root().mapping({"scene", "world", "seed", "tint", "shots", "set"},
                                     required={"set"}))
    assert e.message == "missing field 'set'" and e.where.line == 1
    shot = top()["shots"].list()[0].dict()
    e = fails(lambda: shot["camera"])
    assert e.message == "missing field 'camera'" and e.field == "shots[0]"
    assert e.where.line == 6


def test_wrong_type_says_expected_and_found():
    m = top()
    e = fails(lambda: m["scene"].int())
    assert e.message == 'expected an integer, found "small_door"' and e.field == "scene"
    assert e.where.line == 1
    e = fails(lambda: m["shots"].dict())
    assert e.message.startswith("expected a mapping") and "found a list of 2 items" in e.message
    e = fails(lambda: m["seed"].str())
    assert e.message == "expected a non-empty string, found 3" and "quotes" in e.hint
    e = fails(lambda: m["seed"].list())
    assert e.message == "expected a list, found 3"


def test_bool_is_not_an_int_nor_a_number():
    f = root("a: true\n").dict()["a"]
    assert "found true" in fails(f.int).message
    assert "expected a number, found true" == fails(f.number).message
    assert f.bool() is True


def test_nan_and_inf_rejected():
    shot = top()["shots"].list()[1].dict()
    e = fails(lambda: shot["duration"].number(0, 120))
    assert e.message == "expected a finite number, found .nan"
    assert (e.where.line, e.field) == (11, "shots[1].duration")
    e = fails(lambda: root("a: -.inf\n").dict()["a"].number())
    assert e.message == "expected a finite number, found -.inf"


def test_ranges_are_stated():
    shot = top()["shots"].list()[1].dict()
    e = fails(lambda: shot["step"].int(1, 3))
    assert e.message == "expected an integer in 1..3, found 5" and e.where.line == 12
    z = root("d: 0\nh: 2.5\n").dict()
    e = fails(lambda: z["d"].number(0, lo_open=True))
    assert e.message == "expected a number > 0, found 0"
    e = fails(lambda: z["h"].number(0, 1))
    assert e.message == "expected a number in 0..1, found 2.5"
    e = fails(lambda: z["h"].number(hi=0.5))
    assert e.message == "expected a number <= 0.5, found 2.5"
    assert z["h"].number(0, 2.5) == 2.5 and isinstance(z["d"].number(), float)


def test_number_written_as_text_gets_a_hint():
    e = fails(lambda: root("a: 1e3\n").dict()["a"].number())
    assert 'found "1e3"' in e.message and "1.0e+3" in e.hint


def test_list_paths_and_lengths():
    shots = top()["shots"].list()
    assert shots[1].dict()["duration"].path == "shots[1].duration"
    e = fails(lambda: top()["shots"].list(max_len=1))
    assert e.message == "expected a list of at most 1 item, found a list of 2 items"
    e = fails(lambda: root("a: []\n").dict()["a"].list(min_len=1))
    assert e.message == "expected a list of at least 1 item, found an empty list"


def test_root_list_paths():
    items = root("- 1\n- 2\n").list()
    assert [f.path for f in items] == ["[0]", "[1]"]


def test_vec2():
    m = root("a: [1, 2.5]\nb: [1, 2, 3]\nc: [1, x]\nd: [5000, 0]\n").dict()
    assert m["a"].vec2() == (1.0, 2.5)
    e = fails(lambda: m["b"].vec2())
    assert e.message == "expected a list of two numbers [x, y], found a list of 3 items"
    e = fails(lambda: m["c"].vec2())
    assert e.field == "c[1]" and e.message == 'expected a number, found "x"'
    assert (e.where.line, e.where.col) == (3, 8)
    e = fails(lambda: m["d"].vec2(0, 1920))
    assert e.field == "d[0]" and e.message == "expected a number in 0..1920, found 5000"


def test_color():
    m = root("a: '#FFaa00'\nb: '#0f0'\nc: red\nd: '#12345'\ne: #ff0000\n").dict()
    assert m["a"].color() == (255, 170, 0)
    assert m["b"].color() == (0, 255, 0)
    assert "expected a colour '#rrggbb' or '#rgb', found \"red\"" == fails(m["c"].color).message
    assert "found \"#12345\"" in fails(m["d"].color).message
    e = fails(m["e"].color)  # an unquoted # starts a comment, so the value is null
    assert "comment" in e.hint and e.where.line == 5


def test_name_and_choice_suggest():
    cast = root("who: coralin\nwho2: zzz\nease: in_ot\n").dict()
    e = fails(lambda: cast["who"].name({"coraline", "wybie", "beldam"}, "puppet"))
    assert e.message == "unknown puppet 'coralin'" and e.hint == "did you mean 'coraline'?"
    assert e.field == "who" and e.where.line == 1
    e = fails(lambda: cast["who2"].name({"coraline", "wybie"}, "puppet"))
    assert e.hint == "known puppets: coraline, wybie"
    e = fails(lambda: cast["ease"].choice(["linear", "in", "out", "in_out"]))
    assert e.message == 'expected one of: linear, in, out, in_out, found "in_ot"'
    assert e.hint == "did you mean 'in_out'?"
    assert cast["who"].name({"coralin"}, "puppet") == "coralin"


def test_str_empty_and_found_truncated():
    m = root("a: ''\nb: '" + "x" * 100 + "'\n").dict()
    assert fails(m["a"].str).message == "expected a non-empty string, found an empty string"
    assert m["a"].str(nonempty=False) == ""
    found = describe(m["b"].value)
    assert len(found) <= 42 and found.endswith('..."')


def test_fail_custom_and_error_family():
    f = Field(parse_yaml("a: 1\n", "puppets/p.yaml", PuppetError), "", PuppetError).dict()["a"]
    with pytest.raises(PuppetError) as info:
        f.fail("a bone name", hint="bones: torso, head")
    assert str(info.value) == "puppets/p.yaml:1:4: a: expected a bone name, found 1 (bones: torso, head)"


def test_a_hint_lists_every_name_of_a_list_longer_than_twelve():
    # a puppet with nineteen poses: the one meant ("wave", last in sorted order) must show
    poses = [f"pose_{c}" for c in "abcdefghijklmnopqr"] + ["wave"]
    e = fails(lambda: root("pose: salute\n").dict()["pose"].name(poses, "pose of coraline"))
    assert e.hint == "coraline's poses: " + ", ".join(sorted(poses))
    assert "..." not in e.hint


def test_a_hint_too_long_to_read_lists_the_nearest_names_first_then_counts_the_rest():
    attachments = [f"part_{i:02d}" for i in range(50)] + ["left_cuff_patch", "right_cuff_patch"]
    e = fails(lambda: root("att: cuff\n").dict()["att"].name(
        attachments, "attachment", listed_by="stopmo puppets coraline"))
    shown, _, rest = e.hint.partition(": ")[2].partition(" and ")
    # both names containing the typed word come first; the rest is a count and the command
    assert shown.split(", ")[:2] == ["left_cuff_patch", "right_cuff_patch"]
    more = len(attachments) - LIST_NEAREST
    assert rest == f"{more} more; `stopmo puppets coraline` lists them all"
    assert e.hint.startswith("known attachments, nearest first: ")


def test_did_you_mean_lists_short_lists_whole_in_their_order():
    assert did_you_mean("zzz", ["root", "body"], "bone") == "known bones: root, body"
    names = [f"scene_{i}" for i in range(45)]
    hint = did_you_mean("44", names, "scene", "stopmo list")
    assert hint.split(": ")[1].split(", ")[0] == "scene_44"
    assert hint.endswith(f"and {45 - LIST_NEAREST} more; `stopmo list` lists them all")
