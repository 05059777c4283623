"""Scene scripts: a valid one loads into the model; broken ones say where and what."""
import pytest

from renderer.errors import SceneError
from renderer.load.scene import load_scene

GOOD = """
scene: {name}
world: other
set: other_dining_room
shots:
  - id: a
    duration: 2.0
    cast:
      coraline: {{at: [500, 930]}}
    action:
      - {{t: 0.5, who: coraline, do: walk, to: [700, 930], for: 1.0}}
      - {{t: 1.6, who: coraline, face: happy}}
"""


def test_a_valid_scene_loads_into_the_model(write_scene):
    scene = load_scene(write_scene("good", GOOD.format(name="good")))
    assert scene.world == "other"
    assert [s.id for s in scene.shots] == ["a"]
    walk, face = scene.shots[0].actions
    assert (walk.do, walk.args["to"], walk.duration, walk.ease) == ("walk", (700, 930), 1.0, "linear")
    assert (face.do, face.args["face"]) == ("face", "happy")


def error_of(write_scene, body: str, name: str = "bad") -> str:
    path = write_scene(name, body)
    with pytest.raises(SceneError) as info:
        load_scene(path)
    return str(info.value)


BAD = [
    # (what is wrong, scene text, fragments the message must contain)
    ("yaml syntax", "scene: bad\nshots: [\n  - id: a\n", ["bad.yaml:3:3", "YAML syntax error"]),
    ("unknown field with a suggestion",
     "scene: bad\nset: other_dining_room\nshots:\n  - id: a\n    durtion: 2\n",
     ["bad.yaml:5:", "durtion", "did you mean 'duration'"]),
    ("missing field", "scene: bad\nset: other_dining_room\nshots:\n  - id: a\n",
     ["bad.yaml:4:", "missing field 'duration'"]),
    ("wrong type", "scene: bad\nset: other_dining_room\nshots:\n  - id: a\n    duration: long\n",
     ["bad.yaml:5:", "shots[0].duration", "number"]),
    ("negative duration", "scene: bad\nset: other_dining_room\nshots:\n  - id: a\n    duration: -1\n",
     ["bad.yaml:5:", "shots[0].duration", "-1"]),
    ("unknown puppet",
     "scene: bad\nset: other_dining_room\nshots:\n  - id: a\n    duration: 1\n    cast:\n"
     "      coralin: {at: [1, 2]}\n",
     ["bad.yaml:7:", "coralin", "did you mean 'coraline'"]),
    ("unknown set", "scene: bad\nset: other_dinning_room\nshots: []\n",
     ["bad.yaml:2:", "other_dinning_room", "did you mean 'other_dining_room'"]),
    ("unknown verb",
     "scene: bad\nset: other_dining_room\nshots:\n  - id: a\n    duration: 2\n    cast:\n"
     "      coraline: {at: [1, 2]}\n    action:\n      - {t: 0, who: coraline, do: wlak, to: [3, 4]}\n",
     ["bad.yaml:9:", "wlak", "did you mean 'walk'"]),
    ("unknown face",
     "scene: bad\nset: other_dining_room\nshots:\n  - id: a\n    duration: 2\n    cast:\n"
     "      coraline: {at: [1, 2]}\n    action:\n      - {t: 0, who: coraline, face: hapy}\n",
     ["bad.yaml:9:", "hapy", "did you mean 'happy'"]),
    ("unknown pose",
     "scene: bad\nset: other_dining_room\nshots:\n  - id: a\n    duration: 2\n    cast:\n"
     "      coraline: {at: [1, 2], pose: sitt}\n",
     ["bad.yaml:7:", "sitt", "did you mean 'sit'"]),
    ("duplicate shot id",
     "scene: bad\nset: other_dining_room\nshots:\n  - id: a\n    duration: 1\n  - id: a\n    duration: 1\n",
     ["bad.yaml:6:", "'a'", "line 4"]),
    ("action after the shot ends",
     "scene: bad\nset: other_dining_room\nshots:\n  - id: a\n    duration: 2\n    cast:\n"
     "      coraline: {at: [1, 2]}\n    action:\n      - {t: 1.5, who: coraline, do: walk, to: [3, 4], for: 1}\n",
     ["bad.yaml:9:", "inside the shot"]),
    ("unknown actor",
     "scene: bad\nset: other_dining_room\nshots:\n  - id: a\n    duration: 2\n    cast:\n"
     "      coraline: {at: [1, 2]}\n    action:\n      - {t: 0, who: caroline, face: happy}\n",
     ["bad.yaml:9:", "caroline", "did you mean 'coraline'"]),
    ("a list instead of a mapping", "- scene: bad\n", ["bad.yaml:1:", "mapping"]),
    ("NaN zoom",
     "scene: bad\nset: other_dining_room\nshots:\n  - id: a\n    duration: 1\n    camera: {zoom: .nan}\n",
     ["bad.yaml:6:", "zoom", "finite"]),
    ("empty file", "", ["bad.yaml", "empty"]),
]


@pytest.mark.parametrize("what,text,fragments", BAD, ids=[b[0] for b in BAD])
def test_a_broken_scene_names_file_line_and_field(write_scene, what, text, fragments):
    message = error_of(write_scene, text)
    for fragment in fragments:
        assert fragment in message, f"{what}: {fragment!r} not in {message!r}"


def test_look_shake_is_the_camera_shake_in_stage_units_of_shots_that_set_none(write_scene):
    """As the README says: not a multiplier; a shot's own camera shake replaces it."""
    text = GOOD.format(name="shaky").replace("world: other", "world: other\nlook: {shake: 4}")
    text += ("  - id: b\n    duration: 1.0\n    camera: {x: 960, y: 540, zoom: 1.0, shake: 1.5}\n"
             "  - id: c\n    duration: 1.0\n    camera: {x: 960, y: 540, zoom: 1.0}\n")
    scene = load_scene(write_scene("shaky", text))
    assert [s.camera.shake for s in scene.shots] == [4.0, 1.5, 4.0]
