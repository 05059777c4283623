"""Faces that fit the line: `stopmo validate` warns (file:line) when a spoken line's words or
punctuation plainly contradict the face it is said with, and every line of the film has a face."""
from __future__ import annotations

import yaml

from renderer import cli
from renderer.review.linemood import mood_clash
from renderer.review.validate import line_face_warnings

SCENE = """
    scene: {name}
    title: T
    moment: M
    world: other
    set: bedroom_other
    shots:
      - id: s
        duration: 2.0
        cast:
          coraline: {{at: [700, 930], facing: right, face: happy}}
        action:
          - {{t: 0.2, who: coraline, say: "{line}", for: 1.0}}
"""


def test_plain_contradictions_are_named_and_fitting_faces_pass():
    assert mood_clash("Let me out!", "happy")
    assert mood_clash("It's gone. The door is gone!", "happy")
    assert mood_clash("Bravo! Bravo, darling!", "scared")
    assert mood_clash("Let me out!", "scared") is None
    assert mood_clash("Mom! Dad! I've got you!", "happy") is None
    assert mood_clash("A pink palace. Great.", "sad") is None     # sarcasm is the author's call
    assert mood_clash("No, thank you.", "happy") is None          # no cry without a '!'


def test_validate_warns_with_file_and_line_and_keeps_exit_code_0(write_scene, project_dir, capsys):
    path = write_scene("cry", SCENE.format(name="cry", line="Let me out!"))
    assert cli.main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"{path}:12: warning:" in err and "'Let me out!'" in err and "'happy'" in err


def test_a_line_with_its_own_fitting_face_is_quiet(write_scene, project_dir):
    text = SCENE.format(name="calm", line="Let me out!").replace('for: 1.0}', 'face: scared, for: 1.0}')
    assert line_face_warnings(write_scene("calm", text)) == []


def test_every_line_of_the_film_has_a_face_that_fits_it(repo):
    scenes = [p for p in sorted((repo / "scenes").glob("*.yaml")) if p.stem != "sequence"]
    faceless = []
    for path in scenes:
        for shot in yaml.safe_load(path.read_text())["shots"]:
            faceless += [f"{path.stem}: {a['say']!r}" for a in shot.get("action", [])
                         if "say" in a and "face" not in a]
        assert line_face_warnings(path) == []
    assert not faceless, "lines without a face:\n" + "\n".join(faceless)
