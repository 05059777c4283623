"""Golden frames: every scene still looks as it did when it was last blessed.

`pytest --bless` (or `stopmo bless`) rewrites what is missing or changed; a failure writes
expected/actual/diff PNGs and tests/results/SCENE/index.html. The gate's own tests follow, on tiny
hand-made frames, then `stopmo diff` and `stopmo bless` as a user runs them.
"""
from __future__ import annotations

import json
import re

import numpy as np
import pytest
from conftest import REPO
from PIL import Image

from renderer.cli import main
from renderer.load.project import Project
from renderer.load.scene import load_scene
from renderer.review.diffcmd import DIFF_EXIT
from renderer.review.gate import MAX_DIFF_RATIO, compare, diff_image
from renderer.review.regress import (
    SIDECAR,
    baseline_plan,
    baseline_scene_paths,
    bless_scene,
    check_scene,
    stale_baselines,
)

BASELINES = REPO / "tests" / "baselines"
RESULTS = REPO / "tests" / "results"
SCENES = [p.stem for p in baseline_scene_paths(Project(REPO))]


@pytest.fixture(scope="module")
def shared_project(paint_store) -> Project:
    """Shared with the run's paint cache: a puppet in many scenes is loaded and painted once."""
    return Project(REPO, paint_store)


@pytest.mark.parametrize("name", SCENES)
def test_scene_matches_its_golden_frames(name, bless, shared_project):
    plan = baseline_plan(load_scene(REPO / "scenes" / f"{name}.yaml", shared_project))
    if bless:
        print(bless_scene(plan, BASELINES / name))
        return
    check = check_scene(plan, BASELINES / name, RESULTS)
    assert check.passed, check.report()


def test_every_golden_folder_belongs_to_a_scene(bless):
    stale = stale_baselines(BASELINES, SCENES)
    if bless:
        import shutil
        for folder in stale:
            shutil.rmtree(folder)
        return
    assert not stale, (f"golden frames of scenes that no longer exist: "
                       f"{[p.name for p in stale]}; run `stopmo bless` to remove them")


def test_golden_frames_record_how_they_were_made():
    for name in SCENES:
        meta = json.loads((BASELINES / name / SIDECAR).read_text()) \
            if (BASELINES / name / SIDECAR).is_file() else None
        if meta is None:
            continue  # reported by the scene's own test
        assert (meta["width"], meta["height"], meta["fps"]) == (320, 180, 24)
        assert {"numpy", "pillow", "stopmo"} <= set(meta["versions"])
        assert {f["which"] for f in meta["frames"]} <= {"first", "middle", "last"}
        for f in meta["frames"]:
            assert f["time"] == pytest.approx(f["frame"] / 24, abs=1e-6)
            assert (BASELINES / name / f["file"]).is_file()


# --------------------------------------------------------------------------- the gate

def frame(h=90, w=160, value=100) -> np.ndarray:
    return np.full((h, w, 3), value, np.uint8)


def test_identical_frames_pass_with_infinite_psnr():
    d = compare(frame(), frame())
    assert d.passed and d.identical and d.max_diff == 0 and d.psnr == float("inf")
    assert d.bbox is None


def test_one_level_everywhere_is_rounding_and_passes():
    d = compare(frame(), frame(value=101))
    assert d.passed and not d.identical
    assert d.max_diff == 1 and d.over == 0 and d.mean_abs == pytest.approx(1.0)


def test_a_single_flipped_value_passes_at_baseline_size_but_two_fail():
    big = frame(180, 320)
    one = big.copy()
    one[5, 7, 0] = 180
    assert compare(big, one).passed                # 1 / 172800 < 1e-5
    two = one.copy()
    two[6, 9, 2] = 20
    d = compare(big, two)
    assert not d.passed
    assert d.over == 2 and d.max_diff == 80
    assert d.bbox == (7, 5, 10, 7)                 # x0, y0, x1, y1 (end exclusive)
    assert "max diff 80" in d.describe() and "x 7..9, y 5..6" in d.describe()


def test_psnr_of_a_known_error():
    a, b = frame(value=100), frame(value=100)
    b[:, :, 0] = 110                               # mse = 100 / 3
    assert compare(a, b).psnr == pytest.approx(10 * np.log10(255 ** 2 * 3 / 100))


def test_frames_of_different_sizes_are_not_compared():
    with pytest.raises(ValueError, match="cannot compare"):
        compare(frame(), frame(h=80))


def test_the_diff_image_marks_the_change_in_red_inside_a_cyan_box():
    a = frame(value=200)
    b = a.copy()
    b[40:44, 60:66] = (0, 0, 0)
    b[10, 10] = 201                                # rounding-level: amber, not red
    img = diff_image(a, b)
    assert img.shape == a.shape and img.dtype == np.uint8
    assert tuple(img[42, 62]) == (255, 0, 0)       # 200 levels: the brightest red
    assert tuple(img[38, 62]) == (40, 220, 230)    # box two pixels above the change
    assert tuple(img[10, 10]) == (110, 80, 20)
    assert img[80, 150].max() == img[80, 150].min() < 100   # elsewhere: dimmed grey


def test_the_help_states_the_gate_it_applies():
    stated = re.search(r"all but a ([\d.e-]+) fraction", DIFF_EXIT)
    assert stated and float(stated.group(1)) == MAX_DIFF_RATIO


# --------------------------------------------------------------------------- stopmo diff

def write_frames(folder, frames):
    folder.mkdir()
    for i, f in enumerate(frames):
        Image.fromarray(f).save(folder / f"frame_{i:06d}.png")
    return folder


def test_diff_of_identical_folders_exits_0(tmp_path, capsys):
    frames = [frame(value=v) for v in (10, 20, 30)]
    a = write_frames(tmp_path / "a", frames)
    b = write_frames(tmp_path / "b", frames)
    assert main(["diff", str(a), str(b)]) == 0
    assert "0 of 3 frames differ" in capsys.readouterr().out


def test_diff_lists_the_changed_frames_and_draws_the_worst(tmp_path, capsys):
    frames = [frame(value=v) for v in range(10, 130, 10)]
    changed = [f.copy() for f in frames]
    changed[4][20:30, 20:30] = 255                 # a big change
    changed[7][50, 50] = 0                          # a small one
    a = write_frames(tmp_path / "a", frames)
    b = write_frames(tmp_path / "b", changed)
    sheet = tmp_path / "sheet.png"
    assert main(["diff", str(a), str(b), "--sheet", str(sheet), "--top", "2"]) == 1
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert [r[0] for r in rows[:2]] == ["4", "7"]
    assert "2 of 12 frames differ" in out and "most different: frame 4" in out
    img = np.asarray(Image.open(sheet))
    assert img.shape[1] > 3 * 320                  # expected | actual | diff side by side
    red = (img[..., 0] > 200) & (img[..., 1] < 40) & (img[..., 2] < 40)
    assert red.sum() > 50                          # the change shows in red


def test_diff_of_two_videos_compares_decoded_frames(tmp_path, capsys):
    from renderer.output.encode import open_sink
    from renderer.settings import VideoFormat
    videos = []
    for name, bright in (("a.mp4", 60), ("b.mp4", 200)):
        videos.append(tmp_path / name)
        with open_sink(videos[-1], VideoFormat(160, 90, 24, 23, "ultrafast")) as sink:
            sink.write(frame(value=60), repeat=2)
            sink.write(frame(value=bright), repeat=1)
    assert main(["diff", str(videos[0]), str(videos[0])]) == 0
    assert main(["diff", str(videos[0]), str(videos[1])]) == 1
    out = capsys.readouterr().out
    assert "1 of 3 frames differ" in out


def test_diff_refuses_bad_input_with_exit_2(tmp_path, capsys):
    a = write_frames(tmp_path / "a", [frame()])
    b = write_frames(tmp_path / "b", [frame(h=80)])
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert main(["diff", str(a), str(b)]) == 2
    assert "render both at the same size" in capsys.readouterr().err
    assert main(["diff", str(a), str(tmp_path / "nowhere")]) == 2
    assert main(["diff", str(a), str(text)]) == 2
    assert main(["diff", str(a), str(a), "--sheet", str(tmp_path / "s.jpg")]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_diff_counts_missing_frames_as_a_difference(tmp_path, capsys):
    a = write_frames(tmp_path / "a", [frame(), frame()])
    b = write_frames(tmp_path / "b", [frame()])
    assert main(["diff", str(a), str(b)]) == 1
    assert "frame counts differ: 2" in capsys.readouterr().out


# --------------------------------------------------------------------------- stopmo bless

def test_bless_writes_new_frames_leaves_unchanged_ones_and_prunes(small_scene, project_dir,
                                                                   capsys, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.chdir(project_dir)
    baselines = project_dir / "tests" / "baselines"
    assert main(["bless", "small"]) == 0
    assert "small: new (6 frames)" in capsys.readouterr().out
    stamp = {p.name: p.stat().st_mtime_ns for p in (baselines / "small").iterdir()}
    assert sorted(stamp) == sorted(["baseline.json"] + [f"{s}-{w}.png" for s in ("one", "two")
                                                        for w in ("first", "middle", "last")])
    gone = baselines / "deleted_scene"             # golden frames of a scene removed since
    gone.mkdir()
    (gone / SIDECAR).write_text("{}")
    assert main(["bless"]) == 0
    out = capsys.readouterr().out
    assert "small: unchanged (6 frames)" in out and "deleted_scene: removed" in out
    assert {p.name: p.stat().st_mtime_ns for p in (baselines / "small").iterdir()} == stamp
    assert not gone.exists()


def test_bless_is_refused_in_ci(small_scene, project_dir, capsys, monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.chdir(project_dir)
    assert main(["bless"]) == 2
    assert "CI is set" in capsys.readouterr().err
    assert not (project_dir / "tests" / "baselines").exists()


def test_pytest_bless_is_refused_in_ci():
    import os
    import subprocess
    import sys
    run = subprocess.run([sys.executable, "-m", "pytest", "--bless", "-q", "-p", "no:cacheprovider",
                          str(REPO / "tests" / "test_regression.py")], cwd=REPO,
                         env={**os.environ, "CI": "1"}, capture_output=True, text=True)
    assert run.returncode == 4                      # a usage error: no test ran, nothing written
    assert "--bless is refused when CI is set" in run.stderr


def test_a_missing_baseline_fails_and_creates_nothing(small_scene, tmp_path):
    plan = baseline_plan(load_scene(small_scene))
    check = check_scene(plan, tmp_path / "golden" / "small", tmp_path / "results")
    assert not check.passed and check.missing
    assert "stopmo bless small" in check.report()
    assert not (tmp_path / "golden").exists()


def test_a_failing_golden_frame_made_with_other_libraries_names_them_and_the_fix(
        small_scene, tmp_path, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    plan = baseline_plan(load_scene(small_scene))
    golden = tmp_path / "golden" / "small"
    bless_scene(plan, golden)
    meta = json.loads((golden / SIDECAR).read_text())
    meta["versions"]["pillow"] = "9.0.0"      # as if blessed under an older Pillow
    (golden / SIDECAR).write_text(json.dumps(meta))
    first = golden / meta["frames"][0]["file"]
    pixels = np.asarray(Image.open(first)).copy()
    pixels[:40, :40] ^= 0x40                   # and as if that Pillow drew these pixels otherwise
    Image.fromarray(pixels).save(first)
    report = check_scene(plan, golden, tmp_path / "results").report()
    assert "pillow 9.0.0 -> " in report
    assert "requirements.lock" in report and "stopmo bless" in report


def test_golden_frames_of_the_running_libraries_name_no_drift(small_scene, tmp_path,
                                                              monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    plan = baseline_plan(load_scene(small_scene))
    bless_scene(plan, tmp_path / "golden")
    check = check_scene(plan, tmp_path / "golden", tmp_path / "results")
    assert check.passed and check.drift == []
