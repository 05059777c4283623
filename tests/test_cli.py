"""The command line as a user meets it: exit codes, messages, files on disk."""
import subprocess
import sys

import imageio.v3 as iio
import numpy as np
import pytest
from conftest import SMALL_SCENE
from PIL import Image

from renderer.cli import main
from renderer.load.scene import load_scene
from renderer.render import plan_scene, render_frame
from renderer.settings import settings_for


def test_render_writes_an_mp4_with_the_right_frames_size_and_fps(small_scene, project_dir, capsys):
    out = project_dir / "output" / "small.mp4"
    assert main(["render", str(small_scene), "-o", str(out), "--width", "160"]) == 0
    meta = iio.immeta(out, plugin="FFMPEG")
    frames = list(iio.imiter(out, plugin="FFMPEG"))
    assert len(frames) == 36                       # 24 frames on twos + 12 on ones
    assert frames[0].shape == (90, 160, 3)
    assert meta["fps"] == pytest.approx(24.0)
    assert "36 frames (24 exposures)" in capsys.readouterr().out
    # no temporary files left; the lines' WebVTT sidecar beside the video
    assert sorted(p.name for p in out.parent.iterdir()) == ["small.mp4", "small.vtt"]


def test_render_one_shot_only(small_scene, project_dir):
    out = project_dir / "output" / "two.mp4"
    assert main(["render", str(small_scene), "--shot", "two", "-o", str(out), "--width", "160"]) == 0
    assert len(list(iio.imiter(out, plugin="FFMPEG"))) == 12


def test_still_equals_the_frame_of_the_render(small_scene, project_dir):
    out = project_dir / "output" / "f7.png"
    assert main(["still", str(small_scene), "--frame", "7", "--width", "160", "-o", str(out)]) == 0
    expected = render_frame(plan_scene(load_scene(small_scene), settings_for("draft", 160)), 7)
    assert np.array_equal(np.asarray(Image.open(out)), expected)


def test_the_command_line_keeps_its_paintings_where_stopmo_cache_says(small_scene, project_dir,
                                                                       tmp_path, monkeypatch):
    """STOPMO_CACHE is read by the command line, once: a folder receives the paintings and
    definitions, `off` keeps none anywhere."""
    out = project_dir / "output" / "f3.png"
    monkeypatch.setenv("STOPMO_CACHE", str(tmp_path / "here"))
    assert main(["still", str(small_scene), "--frame", "3", "--width", "64", "-o", str(out)]) == 0
    assert list((tmp_path / "here").glob("*/*.paint")) and list((tmp_path / "here").glob("*/*.def"))
    monkeypatch.setenv("STOPMO_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "default"))   # where it would go else
    assert main(["still", str(small_scene), "--frame", "3", "--width", "64", "-o", str(out)]) == 0
    assert not (tmp_path / "default").exists()


def test_sheet_has_a_row_per_shot(small_scene, project_dir):
    out = project_dir / "output" / "sheet.png"
    assert main(["sheet", str(small_scene), "--width", "160", "--per-shot", "2",
                 "--thumb", "96", "-o", str(out)]) == 0
    one = Image.open(out).size
    assert main(["sheet", str(small_scene), "--width", "160", "--per-shot", "3",
                 "--thumb", "96", "-o", str(out)]) == 0
    assert Image.open(out).size[0] > one[0]        # a thumbnail more per row


def test_a_broken_scene_exits_2_with_a_located_message_and_writes_nothing(write_scene, project_dir,
                                                                          capsys):
    bad = write_scene("bad", "scene: bad\nset: other_dining_room\nshots:\n  - id: a\n    durtion: 2\n")
    out = project_dir / "output" / "bad.mp4"
    assert main(["render", str(bad), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:5:" in err and "did you mean 'duration'" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_validate_reports_each_file(small_scene, write_scene, repo, capsys):
    bad = write_scene("bad", "scene: bad\nset: nowhere\nshots: []\n")
    assert main(["validate", str(small_scene), str(repo / "puppets" / "coraline.yaml")]) == 0
    assert main(["validate", str(small_scene), str(bad)]) == 2
    captured = capsys.readouterr()
    assert "small.yaml: ok (scene, 2 shots" in captured.out
    assert "bad.yaml:2:" in captured.err


def test_validate_warns_where_a_drawn_text_has_a_character_the_font_lacks(write_scene, capsys):
    text = SMALL_SCENE.format(name="odd").replace('"Hello there"', '"Caf\u00e9 \u2014 \u4e2d!"')
    text = text.replace("world: other", "title: Tea \U0001F375 time\nworld: other")
    path = write_scene("odd", text)
    assert main(["validate", str(path)]) == 0                        # a warning, not an error
    captured = capsys.readouterr()
    assert "odd.yaml: ok (scene" in captured.out
    warnings = [line for line in captured.err.splitlines() if "warning" in line]
    assert len(warnings) == 2, captured.err                          # not é, not the dash
    lines = path.read_text().split("\n")
    title_line = next(i for i, line in enumerate(lines, 1) if line.startswith("title:"))
    say_line = next(i for i, line in enumerate(lines, 1) if "say:" in line)
    assert f"odd.yaml:{title_line}:12: warning: title:" in warnings[0]
    assert "U+1F375" in warnings[0]
    assert f"odd.yaml:{say_line}:" in warnings[1] and "shots[0].action[1].say" in warnings[1]
    assert "U+4E2D" in warnings[1] and "drawn as '?'" in warnings[1]
    assert main(["validate", str(write_scene("plain", SMALL_SCENE.format(name="plain")))]) == 0
    assert "warning" not in capsys.readouterr().err


def test_absurd_sizes_are_refused_with_the_limit_named(small_scene, capsys):
    assert main(["render", str(small_scene), "--width", "100000"]) == 2
    assert "3840" in capsys.readouterr().err


def test_an_unknown_scene_name_suggests_the_closest(capsys, repo, monkeypatch):
    monkeypatch.chdir(repo)
    assert main(["still", "other_diner", "--frame", "0"]) == 2
    assert "did you mean 'other_dinner'" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["render", "still", "sheet", "validate", "list", "set"])
def test_every_command_has_help(command):
    result = subprocess.run([sys.executable, "-m", "renderer", command, "--help"],
                            capture_output=True, text=True)
    assert result.returncode == 0
    assert "usage: stopmo " + command in result.stdout


def test_frame_numbers_agree_across_render_still_sheet_and_diff(small_scene, project_dir, capsys):
    """Frame 0 is the first frame everywhere: frame_000007.png of a rendered folder is
    `still --frame 7`, and `diff` names the frame by the same number."""
    frames = project_dir / "output" / "frames"
    assert main(["render", str(small_scene), "-o", f"{frames}/", "--width", "160"]) == 0
    assert sorted(p.name for p in frames.iterdir())[0] == "frame_000000.png"
    still = project_dir / "output" / "f7.png"
    assert main(["still", str(small_scene), "--frame", "7", "--width", "160", "-o",
                 str(still)]) == 0
    assert np.array_equal(np.asarray(Image.open(still)),
                          np.asarray(Image.open(frames / "frame_000007.png")))
    changed = project_dir / "output" / "changed"
    import shutil
    shutil.copytree(frames, changed)
    pixels = np.asarray(Image.open(changed / "frame_000007.png")).copy()
    pixels[:30, :30] = 255 - pixels[:30, :30]
    Image.fromarray(pixels).save(changed / "frame_000007.png")
    capsys.readouterr()
    assert main(["diff", str(frames), str(changed)]) == 1
    assert "most different: frame 7 " in capsys.readouterr().out


def test_still_at_the_very_end_of_the_scene_is_its_last_frame(small_scene, project_dir):
    out = project_dir / "output" / "end.png"
    # the small scene lasts 1.5 s: 36 frames at 24 fps, the last is frame 35
    assert main(["still", str(small_scene), "--time", "1.5", "--width", "160", "-o",
                 str(out)]) == 0
    expected = render_frame(plan_scene(load_scene(small_scene), settings_for("draft", 160)), 35)
    assert np.array_equal(np.asarray(Image.open(out)), expected)


def test_a_sheet_shows_each_exposure_once_when_asked_for_more_than_a_shot_has(
        small_scene, project_dir):
    from renderer.stage.timing import spread
    plan = plan_scene(load_scene(small_scene), settings_for("draft", 160))
    short = plan.shots[1]     # 0.5 s on ones: 12 exposures
    assert len(spread(short.exposure_sheet, 24)) == 12
    assert len({e.index for e in spread(short.exposure_sheet, 24)}) == 12
    picks = spread(plan.shots[0].exposure_sheet, 5)          # 12 exposures on twos, 5 asked
    assert [e.index for e in picks] == [0, 3, 6, 8, 11]   # round(k * 11 / 4): first and last kept
    out = project_dir / "output" / "sheet.png"
    assert main(["sheet", str(small_scene), "--width", "160", "--per-shot", "24",
                 "--thumb", "32", "-o", str(out)]) == 0


def test_an_unforeseen_failure_is_one_line_with_exit_1_not_a_traceback(monkeypatch, capsys):
    import renderer.cli as cli

    def broken(args):
        raise ValueError("expected a (720, 1280, 3) uint8 frame")
    monkeypatch.setitem(cli.COMMANDS, "list", broken)
    monkeypatch.delenv("STOPMO_DEBUG", raising=False)
    assert main(["list"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "internal error: ValueError: expected a (720, 1280, 3) uint8 frame" in err
    assert "STOPMO_DEBUG=1" in err


def test_a_sequence_is_known_by_its_content_whatever_its_name(small_scene, project_dir, capsys,
                                                             monkeypatch):
    film = project_dir / "scenes" / "my_film.yaml"
    film.write_text("film: my_film\nscenes: [small]\n")
    assert main(["validate", str(film)]) == 0
    assert "my_film.yaml: ok (sequence, 1 scene)" in capsys.readouterr().out
    monkeypatch.chdir(project_dir)
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "sequences: my_film" in out and "invalid" not in out


def test_list_outside_a_project_says_it_found_none(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["list"]) == 2
    assert "no stopmo project" in capsys.readouterr().err


def test_a_long_sheet_header_wraps_inside_the_sheet_instead_of_running_off_it():
    from renderer.review.contactsheet import BACKGROUND, contact_sheet
    frame = np.full((90, 160, 3), 200, np.uint8)
    rows = [("shot", [("f 0", frame)])]
    moment = "Behind the little door, the Other Mother serves Coraline the feast " * 3
    short = contact_sheet(rows, thumb_width=160, title="The Other Dinner")
    long = contact_sheet(rows, thumb_width=160, title=f"The Other Dinner — {moment}")
    assert long.shape[1] == short.shape[1]                  # the header does not widen the sheet
    assert long.shape[0] > short.shape[0] + 40              # it takes more lines instead
    ink = np.abs(long.astype(int) - BACKGROUND).sum(axis=2) > 60
    header = ink[: long.shape[0] - short.shape[0] + 20]
    assert not header[:, -3:].any()                         # and no letter touches the edge


def test_a_frame_long_shot_reports_its_seconds_not_zero(write_scene, project_dir, capsys):
    from renderer.stage.timing import seconds_text
    assert seconds_text(1 / 24) == "0.04 s" and seconds_text(12.5) == "12.5 s"
    assert seconds_text(231.0) == "231 s"
    blink = write_scene("blink", "scene: blink\nset: other_dining_room\nshots:\n"
                                 "  - {id: a, duration: 0.01}\n")
    out = project_dir / "output" / "blink.mp4"
    assert main(["render", str(blink), "-o", str(out), "--width", "64"]) == 0
    assert "1 frames (1 exposures), 0.04 s at 64x36" in capsys.readouterr().out


def test_the_frame_limit_named_in_help_is_the_one_seconds_and_fps_allow():
    from renderer.cliargs import LIMITS_TEXT
    from renderer.settings import MAX_FPS, MAX_SCENE_SECONDS
    # a scene of at most 600 s at at most 60 fps: 36 000 frames is the real ceiling
    assert f"({int(MAX_SCENE_SECONDS * MAX_FPS)} frames at {MAX_FPS} fps)" in LIMITS_TEXT
    assert MAX_SCENE_SECONDS * MAX_FPS == 36_000


def test_a_test_run_leaves_no_paint_cache_behind(tmp_path):
    """Each pytest run paints into a cache folder of its own in the temporary folder, and
    removes it when the run ends."""
    env = {**__import__("os").environ, "TMPDIR": str(tmp_path)}
    env.pop("STOPMO_CACHE", None)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "tests/test_timing.py"], cwd=str(__import__("conftest").REPO),
                         env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert list(tmp_path.glob("stopmo-test-cache-*")) == []
