"""Property tests: however a valid file is mangled, loading it fails only with a StopmoError.

Hypothesis mutates valid scene, puppet, set and sequence documents -- drops keys, changes types,
injects values and unknown keys, shuffles and duplicates list items, renames things to near
misses -- and edits their YAML text character by character. Loading the result either succeeds
or raises a `StopmoError` (which the CLI prints as one located message); any other exception is
a crash a user would see as a traceback. Each test prints how many examples it ran and how many
of them loaded.
"""
from __future__ import annotations

import copy
import textwrap
from collections import Counter

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bad_input import make_project

from renderer.errors import StopmoError
from renderer.load.project import Project
from renderer.load.puppet import load_puppet
from renderer.load.scene import load_scene
from renderer.load.sequence import load_sequence
from renderer.load.set import load_set

EXAMPLES = 150
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# A scene that uses most of the format: camera moves, props, and many action verbs.
SCENE = textwrap.dedent("""
    scene: prop
    title: Everything at once
    moment: A test of the whole format.
    world: other
    seed: 7
    step: 2
    set: other_dining_room
    look: {flicker: 1, grain: 0.5, vignette: 1, halation: 1, boil: 1, shake: 0}
    shots:
      - id: one
        duration: 4.0
        camera: {from: {x: 960, y: 540, zoom: 1.0}, to: {zoom: 1.2}, ease: in_out, shake: 2}
        cast:
          coraline: {at: [560, 930], facing: right, pose: stand, face: happy, scale: 1.0, z: 1}
          mum: {puppet: other_mother, at: [1500, 930], facing: left, skin: other, opacity: 1}
        props:
          key: {prop: key, at: [900, 780], scale: 1.0, rot: 10}
        action:
          - {t: 0.0, who: coraline, do: walk, to: [800, 930], for: 1.5}
          - {t: 0.2, who: mum, say: "Hello there", for: 1.0}
          - {t: 1.6, who: coraline, face: surprised}
          - {t: 1.8, who: mum, do: pose, pose: beckon, for: 0.5}
          - {t: 2.0, who: coraline, do: turn, facing: left}
          - {t: 2.2, who: key, do: move, to: [1000, 700], for: 0.5, ease: smooth}
          - {t: 2.4, who: camera, do: shake, amount: 6, for: 0.3}
          - {t: 2.8, who: mum, do: fade, opacity: 0.5, for: 0.4}
          - {t: 3.0, who: coraline, do: spin, rot: 30, for: 0.4, step: 1}
          - {t: 3.4, who: mum, do: grow, scale: 1.2, for: 0.3}
      - id: two
        duration: 2.0
        step: 1
        camera: {x: 700, y: 600, zoom: 1.5}
        cast:
          coraline: {at: [800, 930], pose: sit, face: curious}
        action:
          - {t: 0.5, who: coraline, do: run, to: [1200, 930], for: 1.0}
""")
SEQUENCE = textwrap.dedent("""
    film: coraline
    title: Coraline
    card_seconds: 2.5
    transition_seconds: 0.5
    scenes:
      - good
      - {scene: prop, card: false, transition: iris}
""")

# Values a mutation may put anywhere: every YAML type, absurd numbers, and names that exist.
NAMES = ["coraline", "other_mother", "key", "root", "head", "torso", "walk", "happy", "other",
         "real", "sit", "one", "camera", "set", "wall", "ellipse", "felt", "#ff8800", "../x.png",
         "/etc/passwd", "prop", "good", "in_out", "left", "stand", ""]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                    st.sampled_from(NAMES), st.sampled_from([0, -1, 1e300, 2**63, 0.5]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(NAMES + ["x"]), inner, max_size=3)), max_leaves=8)


def _places(doc, path=()):
    """Every (path, value) in a YAML document; a path is a tuple of keys and list indices."""
    yield path, doc
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _places(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _places(v, path + (i,))


def _at(doc, path):
    for step in path:
        doc = doc[step]
    return doc


@st.composite
def mutated(draw, base):
    """`base` (a parsed YAML document) changed in one to four places."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        places = list(_places(doc))
        path, value = draw(st.sampled_from(places))
        op = draw(st.sampled_from(["replace", "drop", "inject", "shuffle", "duplicate", "rename"]))
        if not path:  # the document itself
            doc = draw(VALUES) if op == "replace" else doc
            continue
        parent, key = _at(doc, path[:-1]), path[-1]
        if op == "replace":
            parent[key] = draw(VALUES)
        elif op == "drop":
            del parent[key]
        elif op == "inject" and isinstance(value, dict):
            value[draw(st.sampled_from(NAMES + ["extra", "t", "for", "at"]))] = draw(VALUES)
        elif op == "shuffle" and isinstance(value, list):
            parent[key] = draw(st.permutations(value))
        elif op == "duplicate" and isinstance(value, list) and value:
            value.append(copy.deepcopy(draw(st.sampled_from(value))))
        elif op == "rename" and isinstance(value, str):
            parent[key] = draw(st.sampled_from(NAMES)) + draw(st.sampled_from(["", "x", "_"]))
    return doc


@st.composite
def edited(draw, text: str):
    """YAML text with one to three character-level edits (YAML syntax, indentation, aliases)."""
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["delete", "insert", "dup_line"]))
        if op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 8)):]
        elif op == "insert":
            bit = draw(st.sampled_from([":", "-", "[", "]", "{", "}", "&a ", "*a", "!!", "#", "\t",
                                        "\n", "  ", "'", '"', ",", "? ", "<<: ", "\x00", "\ufeff",
                                        "1e3", ".nan", "~", "|", ">"]))
            text = text[:at] + bit + text[at:]
        else:
            lines = text.split("\n")
            i = at % len(lines)
            text = "\n".join(lines[:i + 1] + lines[i:])
    return text


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    root = make_project(tmp_path_factory.mktemp("prop") / "proj")
    (root / "scenes" / "prop.yaml").write_text(SCENE)
    return Project(root)


def _try(load) -> str:
    """Run a loader: 'loaded', 'refused' (a StopmoError), or let anything else escape."""
    try:
        load()
    except StopmoError as exc:
        assert exc.where is not None or exc.message, "a refusal says what is wrong"
        return "refused"
    return "loaded"


def _run(name: str, strategy, load) -> None:
    seen: Counter = Counter()

    @SETTINGS
    @given(strategy)
    def check(example):
        seen[_try(lambda: load(example))] += 1

    check()
    print(f"\n{name}: {sum(seen.values())} examples, {seen['loaded']} loaded, "
          f"{seen['refused']} refused with a StopmoError")
    assert sum(seen.values()) >= EXAMPLES // 2


def _dump(doc) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def test_the_bases_are_valid(project):
    load_scene(project.scenes_dir / "prop.yaml", project)
    (project.scenes_dir / "sequence.yaml").write_text(SEQUENCE)
    load_sequence(project.scenes_dir / "sequence.yaml", project)


def test_mutated_scenes_fail_only_with_stopmo_errors(project):
    path = project.scenes_dir / "prop.yaml"

    def load(doc):
        path.write_text(_dump(doc))
        load_scene(path, project)
    _run("scenes", mutated(yaml.safe_load(SCENE)), load)


def test_mutated_puppets_fail_only_with_stopmo_errors(project):
    base = yaml.safe_load((project.puppets_dir / "other_mother.yaml").read_text())
    path = project.puppets_dir / "mutant.yaml"

    def load(doc):
        if isinstance(doc, dict) and doc.get("puppet") == "other_mother":
            doc["puppet"] = "mutant"
        path.write_text(_dump(doc))
        load_puppet(path)
    _run("puppets", mutated(base), load)


def test_mutated_sets_fail_only_with_stopmo_errors(project):
    base = yaml.safe_load((project.scenes_dir / "sets" / "other_dining_room.yaml").read_text())
    path = project.scenes_dir / "sets" / "mutant_set.yaml"

    def load(doc):
        if isinstance(doc, dict) and doc.get("set") == "other_dining_room":
            doc["set"] = "mutant_set"
        path.write_text(_dump(doc))
        load_set(path)
    _run("sets", mutated(base), load)


def test_mutated_sequences_fail_only_with_stopmo_errors(project):
    path = project.scenes_dir / "sequence.yaml"

    def load(doc):
        path.write_text(_dump(doc))
        load_sequence(path, project)
    _run("sequences", mutated(yaml.safe_load(SEQUENCE)), load)


def test_edited_scene_text_fails_only_with_stopmo_errors(project):
    path = project.scenes_dir / "prop.yaml"

    def load(text):
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        load_scene(path, project)
    _run("scene text edits", edited(SCENE), load)


def test_edited_puppet_text_fails_only_with_stopmo_errors(project):
    text = (project.puppets_dir / "coraline.yaml").read_text().replace(
        "puppet: coraline", "puppet: mutant2")
    path = project.puppets_dir / "mutant2.yaml"

    def load(edited_text):
        path.write_text(edited_text)
        load_puppet(path)
    _run("puppet text edits", edited(text), load)


def test_a_crash_would_be_caught():
    """The harness itself: an exception that is not a StopmoError escapes `_try`."""
    with pytest.raises(ZeroDivisionError):
        _try(lambda: 1 / 0)
