"""The videos play with their sound and subtitles in a real browser: a headless Chromium decodes
the audio, shows frames, reads the duration and loads the WebVTT sidecar as a <track> whose cues
are the scene's lines. Skipped where no Chromium is installed (it needs a real browser)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from renderer.load.scene import load_scene
from renderer.output.browser import find_browser
from renderer.render import as_sound, plan_scene, render_to, soundtrack
from renderer.review.playcheck import check, expected_from_sidecar, main, problems, watch
from renderer.review.playserve import byte_range
from renderer.settings import settings_for

BROWSER = find_browser()
needs_browser = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium installed (Debian: apt-get install chromium): the "
                            "playback check needs a real browser")

# Two speakers, and words WebVTT would read as markup if they were written raw.
SCENE = """
scene: spoken
world: other
seed: 7
set: other_dining_room
shots:
  - id: one
    duration: 2.5
    cast:
      coraline: {at: [600, 930]}
      other_mother: {at: [1300, 930], facing: left}
    action:
      - {t: 0.2, who: other_mother, say: "Soup & <bread>, dear?", for: 1.0}
      - {t: 1.3, who: coraline, say: "Yes --> please.", for: 0.9}
"""


def test_byte_ranges_as_browsers_ask_for_them():
    assert byte_range(None, 100) == (0, 99)
    assert byte_range("bytes=0-", 100) == (0, 99)
    assert byte_range("bytes=10-19", 100) == (10, 19)
    assert byte_range("bytes=90-200", 100) == (90, 99)    # past the end: up to the end
    assert byte_range("bytes=-10", 100) == (90, 99)       # the last ten
    assert byte_range("bytes=100-", 100) is None          # nothing there: 416
    assert byte_range("bytes=5-2", 100) is None
    assert byte_range("items=0-1", 100) is None


@pytest.fixture
def spoken(write_scene, tmp_path):
    settings = settings_for("draft", width=160)
    plan = plan_scene(load_scene(write_scene("spoken", SCENE)), settings)
    video = tmp_path / "spoken.mp4"
    render_to(plan, video)
    return plan, video


@needs_browser
def test_a_scene_plays_with_its_sound_and_lines_in_chromium(spoken):
    plan, video = spoken
    lines = as_sound(soundtrack(plan, normalise=False), plan.settings).cues
    assert [c.speaker for c in lines] == ["Other Mother", "Coraline"]
    seen, wrong = check(video, BROWSER)       # against the sidecar as stopmo reads it
    assert not wrong, wrong
    # and against the scene's lines: times within a frame, the same speaker and words
    assert not problems(seen, lines, plan.frames / 24, 24), problems(seen, lines,
                                                                     plan.frames / 24, 24)
    assert [(c.speaker, c.text) for c in seen.cues] == [(c.speaker, c.text) for c in lines]
    assert seen.audio_bytes > 0 and seen.frames > 0
    assert seen.heard > 0.05, seen.heard      # the Other World's music, through Web Audio
    assert expected_from_sidecar(video.with_suffix(".vtt"))[0].text == "Soup & <bread>, dear?"


@needs_browser
def test_the_check_fails_a_silent_video_and_wrong_cues(spoken, tmp_path, capsys):
    plan, video = spoken
    silent = tmp_path / "silent.mp4"
    render_to(plan_scene(plan.scene, replace(plan.settings, audio=False)), silent)
    assert main([str(silent)]) == 1            # what a user runs on a render
    assert "decoded no sound" in capsys.readouterr().out
    assert main([str(tmp_path / "nothing.mp4")]) == 2
    lines = as_sound(soundtrack(plan, normalise=False), plan.settings).cues
    late = tuple(replace(c, start=c.start + 2 / 24) for c in lines)
    seen = watch(video, BROWSER)
    assert any("cue 1:" in w and "expected" in w for w in problems(
        seen, late, plan.frames / 24, 24))


@needs_browser
def test_the_joined_film_plays_with_its_sound_and_lines(write_scene, project_dir, capsys):
    """The film: its sound made once and muxed after the join, its sidecar the lines of both
    scenes in order."""
    from renderer.jobs.batchrun import run_film
    from renderer.load.project import Project
    write_scene("spoken", SCENE)
    write_scene("again", SCENE.replace("scene: spoken", "scene: again"))
    (project_dir / "scenes" / "sequence.yaml").write_text(
        "film: f\ntitle: F\ncard_seconds: 0.5\ntransition_seconds: 0.25\n"
        "scenes:\n  - {scene: spoken, card: false}\n  - {scene: again, transition: fade, "
        "card: false}\n")
    run_film(Project(project_dir), project_dir / "scenes" / "sequence.yaml",
             settings_for("draft", width=160), jobs=1, force=False,
             out_dir=project_dir / "output")
    capsys.readouterr()
    seen, wrong = check(project_dir / "output" / "f.mp4", BROWSER)
    assert not wrong, wrong
    said = [("Other Mother", "Soup & <bread>, dear?"), ("Coraline", "Yes --> please.")]
    assert [(c.speaker, c.text) for c in seen.cues] == said * 2
    assert seen.audio_bytes > 0
