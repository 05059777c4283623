"""Safe, located YAML loading: every value knows where it was written; bad files are refused."""
import tracemalloc
from pathlib import Path

import pytest

from renderer import settings
from renderer.errors import Location, PuppetError, SceneError
from renderer.load import yamlsrc
from renderer.load.yamlsrc import MAX_DEPTH, Node, load_yaml, parse_yaml

SCENE = """\
scene: small_door
seed: 3
shots:
  - id: doll
    duration: 4.0
    cast:
      coraline: {at: [520, 900], facing: right}
"""


def refused(text, error=SceneError) -> SceneError:
    with pytest.raises(error) as info:
        parse_yaml(text, "scenes/x.yaml", error)
    return info.value


def test_values_and_their_positions():
    root = parse_yaml(SCENE, "scenes/small_door.yaml", SceneError)
    assert root.loc == Location("scenes/small_door.yaml", 1, 1)
    seed = root.value["seed"]
    assert seed.value == 3 and (seed.loc.line, seed.loc.col) == (2, 7)
    assert (seed.key_loc.line, seed.key_loc.col) == (2, 1)
    shot = root.value["shots"].value[0]
    assert shot.value["duration"].value == 4.0
    assert shot.key_loc is None
    at = shot.value["cast"].value["coraline"].value["at"]
    assert [n.value for n in at.value] == [520, 900]
    assert (at.value[1].loc.line, at.value[1].loc.col) == (7, 28)
    assert list(root.value) == ["scene", "seed", "shots"]  # file order


def test_core_schema_scalars():
    root = parse_yaml("a: [1, 2.5, true, no, ~, text, '7', 2024-01-01]\n", "f", SceneError)
    assert [n.value for n in root.value["a"].value] == [1, 2.5, True, False, None, "text", "7",
                                                       "2024-01-01"]


def test_load_yaml_uses_display_name(tmp_path):
    p = tmp_path / "door.yaml"
    p.write_text("a: 1\n")
    assert load_yaml(p, SceneError, display="scenes/door.yaml").loc.file == "scenes/door.yaml"
    assert load_yaml(p, SceneError).loc.file == str(p)


def test_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(PuppetError, match="file not found"):
        load_yaml(tmp_path / "nope.yaml", PuppetError)


def test_syntax_error_is_located():
    e = refused("scene: x\nshots: [1, 2\ntitle: y\n")
    assert "YAML syntax error" in e.message
    assert e.where.line >= 2 and e.where.file == "scenes/x.yaml"
    assert str(e).startswith(f"scenes/x.yaml:{e.where.line}:")


def test_tab_indentation_gets_a_hint():
    e = refused("a:\n\tb: 1\n")
    assert e.where.line == 2 and "tabs" in e.hint


def test_duplicate_key_names_key_and_both_lines():
    e = refused("scene: a\nseed: 1\nseed: 2\n")
    assert "duplicate key 'seed'" in e.message
    assert "line 2" in e.message and "line 3" in e.message
    assert (e.where.line, e.where.col) == (3, 1)


def test_duplicate_key_in_nested_mapping_names_path():
    e = refused("shots:\n  - id: a\n    id: b\n")
    assert e.field == "shots[0]" and e.where.line == 3


def test_non_string_keys_refused():
    e = refused("seed: 1\n12: x\n")
    assert "key must be text" in e.message and e.where.line == 2 and "quotes" in e.hint
    e = refused("on: x\n")
    assert "true/false" in e.hint


def test_not_utf8_names_the_line():
    e = refused("scene: a\ntitle: caf\xe9\n".encode("latin-1"))
    assert "not UTF-8 text" in e.message and "line 2" in e.message
    assert e.where.line == 2


def test_utf8_with_bom_is_fine():
    root = parse_yaml("\ufefftitle: Caf\u00e9\n".encode("utf-8"), "f", SceneError)
    assert root.value["title"].value == "Caf\u00e9"


@pytest.mark.parametrize("text", ["", b"", "   \n\n", "# only a comment\n"])
def test_empty_file(text):
    assert "the file is empty" in refused(text).message


def test_too_large(tmp_path):
    big = "a: " + "x" * settings.MAX_FILE_BYTES + "\n"
    e = refused(big)
    assert f"file is {len(big)} bytes" in e.message and str(settings.MAX_FILE_BYTES) in e.message
    p = tmp_path / "big.yaml"
    p.write_text(big)
    with pytest.raises(SceneError, match=f"file is {len(big)} bytes; the limit is"):
        load_yaml(p, SceneError)


def test_deep_nesting_refused_block_and_flow():
    e = refused("[" * 5000 + "]" * 5000)
    assert f"deeper than {MAX_DEPTH}" in e.message and e.where.line == 1
    block = "".join("  " * i + f"k{i}:\n" for i in range(80)) + "  " * 80 + "v\n"
    assert f"deeper than {MAX_DEPTH}" in refused(block).message
    ok = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    assert isinstance(parse_yaml(ok, "f", SceneError), Node)


def test_recursive_alias_refused():
    assert f"deeper than {MAX_DEPTH}" in refused("a: &a [*a]\n").message


def billion_laughs() -> str:
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_refused_with_bounded_memory():
    tracemalloc.start()
    try:
        e = refused(billion_laughs())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "expands to more than 200000 values (YAML aliases?)" in e.message
    assert e.where.line >= 1 and e.field.startswith("l")  # names the path being expanded
    assert peak < 300 * 1024 * 1024  # 9**9 values would need tens of gigabytes


def test_small_aliases_are_fine():
    root = parse_yaml("a: &p [1, 2]\nb: *p\n", "f", SceneError)
    assert [n.value for n in root.value["b"].value] == [1, 2]


@pytest.mark.parametrize("text,tag", [
    ("a: !!python/object:os.system echo\n", "!!python/object:os.system"),
    ("a: !!python/name:os.system ''\n", "!!python/name:os.system"),
    ("a: !custom 3\n", "!custom"),
    ("a: !!set {x, y}\n", "!!set"),
    ("a: !!binary aGVsbG8=\n", "!!binary"),
    ("a: !!timestamp 2024-01-01\n", "!!timestamp"),
])
def test_tags_outside_core_schema_refused(text, tag):
    e = refused(text)
    assert f"unsupported YAML tag {tag}" in e.message
    assert (e.where.line, e.field) == (1, "a")


def test_explicit_core_tags_work_and_bad_ones_are_located():
    root = parse_yaml("a: !!str 12\nb: !!float '2'\n", "f", SceneError)
    assert root.value["a"].value == "12" and root.value["b"].value == 2.0
    e = refused("a: 1\nb: !!int zz\n")
    assert "cannot read 'zz' as !!int" in e.message and e.where.line == 2


def test_merge_keys_unsupported():
    e = refused("base: &b {x: 1}\nshot:\n  <<: *b\n  y: 2\n")
    assert "merge keys" in e.message and "not supported" in e.message and e.where.line == 3


def test_more_than_one_document():
    e = refused("a: 1\n---\nb: 2\n")
    assert "more than one YAML document" in e.message and e.where.line == 2


def test_undefined_alias_located():
    e = refused("a: 1\nb: *nope\n")
    assert "nope" in e.message and e.where.line == 2


def test_control_character_located():
    e = refused("a: 1\nb: x\x07y\n")
    assert "U+0007" in e.message and (e.where.line, e.where.col) == (2, 5)


def test_error_class_is_the_callers():
    with pytest.raises(PuppetError):
        parse_yaml("a: [", "puppets/p.yaml", PuppetError)


REPO = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(yamlsrc._Loader is yamlsrc._PyLoader, reason="PyYAML without libyaml")
def test_libyaml_composing_alone_reads_every_project_file_as_counting_does():
    """Files within the limits are composed by libyaml alone (the fast path); the values and
    positions must be exactly those of the counting composer that refuses the others."""
    paths = sorted([*REPO.glob("puppets/*.yaml"), *REPO.glob("scenes/**/*.yaml")])
    assert len(paths) > 10
    for path in paths:
        text = path.read_text()
        fast, counted = yamlsrc._compose_fast(text), yamlsrc._compose(text)
        assert fast is not None, path
        build = [yamlsrc._build(root, yamlsrc._Ctx(path.name), 1, "", None)
                 for root in (fast, counted)]
        assert build[0] == build[1], path


def test_documents_over_a_limit_take_the_counting_path():
    assert yamlsrc._compose_fast(billion_laughs()) is None
    assert yamlsrc._compose_fast("a: &a [*a]\n") is None
    assert yamlsrc._compose_fast("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)) is None
    assert yamlsrc._compose_fast("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
