"""Hostile but legal inputs: each renders the right picture, within a hang guard and 1 GiB, or is
refused with one located line; nothing hangs, nothing prints a traceback or a raw escape byte.
(Malformed files live in `tests/bad/`; faults such as kill -9 in `tests/test_faults.py`.)"""
from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_bad_input import Forker, make_project

MAX_MB = 1024       # every render stays under 1 GiB
GUARD = 60          # seconds: a hang guard, not a timing assertion
SMALL = ["-q", "draft"]


@pytest.fixture(scope="module")
def forker():
    f = Forker()
    yield f
    f.close()


@pytest.fixture
def proj(tmp_path) -> Path:
    return make_project(tmp_path / "proj")


def scene(root: Path, name: str, body: str, set_name: str = "other_dining_room") -> None:
    (root / "scenes" / f"{name}.yaml").write_text(
        f"scene: {name}\nset: {set_name}\nshots:\n  - id: a\n    duration: 0.5\n{body}")


def puppet_with_image(root: Path, name: str, image: str) -> None:
    (root / "puppets" / f"{name}.yaml").write_text(
        f"puppet: {name}\nbones:\n  - {{name: root}}\n"
        "  - {name: body, parent: root, at: [0, -100], length: 100}\n"
        "slots:\n  - {name: body, bone: body, attachment: body}\n"
        f"attachments:\n  body: {{image: {image}}}\n")


def ok(run) -> None:
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    assert run.code == 0, run.stderr
    assert run.peak_mb < MAX_MB


# --------------------------------------------------------------------------- bounded painting

def test_a_large_image_part_at_scale_20_is_painted_at_its_own_resolution(proj, forker):
    # was 5.8 GB and 43 s for one draft still (10000x10000: a MemoryError asking 47.7 GiB)
    rgb = np.random.default_rng(1).integers(0, 256, (1600, 1600, 3), np.uint8)
    Image.fromarray(rgb).save(proj / "puppets" / "big.png")
    puppet_with_image(proj, "giant", "big.png")
    scene(proj, "giant", "    cast:\n      g: {puppet: giant, at: [900, 930], scale: 20}\n")
    ok(forker.run(["still", "giant", "--frame", "0", *SMALL, "-o", "output/g.png"], proj, GUARD))


@pytest.mark.parametrize("layer,camera", [
    ("{name: bg, depth: 0.2, background: '#334455'}", "{from: {zoom: 8}}"),     # was 5.3 GB, 278 s
    ("{name: bg, depth: 1, extent: [-20000, -20000, 20000, 20000], background: '#334455', "
     "shapes: [{shape: rect, at: [900, 500], size: [200, 200], color: '#aa0000'}]}", "{}"),  # 2.4 GB
])
def test_a_near_layer_under_a_close_zoom_or_a_huge_extent_stays_bounded(proj, forker, layer, camera):
    (proj / "scenes" / "sets" / "vast.yaml").write_text(f"set: vast\nlayers:\n  - {layer}\n")
    scene(proj, "vast", f"    camera: {camera}\n", set_name="vast")
    ok(forker.run(["still", "vast", "--frame", "0", *SMALL, "-o", "output/v.png"], proj, GUARD))
    frame = np.asarray(Image.open(proj / "output" / "v.png"))
    assert abs(frame.reshape(-1, 3).mean(axis=0) - (0x33, 0x44, 0x55)).max() < 40   # the wall


def test_a_title_of_one_long_word_renders_promptly(proj, forker):
    # title cards wrapped in cubic time: 1,000 characters took 166 s, 2,000 past 300 s
    path = proj / "scenes" / "good.yaml"
    path.write_text(path.read_text().replace("set:", f"title: {'x' * 2000}\nmoment: "
                                                     f"{'word ' * 20000}\nset:", 1))
    ok(forker.run(["render", "good", "--width", "160", "-o", "output/t.mp4"], proj, GUARD))


# --------------------------------------------------------------------------- files that are not files

def test_a_fifo_named_like_an_image_that_nothing_references_is_never_opened(proj, forker):
    # any *.png beside a puppet used to be read for the cache key: a FIFO blocked forever
    os.mkfifo(proj / "puppets" / "stuck.png")
    os.mkfifo(proj / "scenes" / "sets" / "stuck.png")
    ok(forker.run(["still", "good", "--frame", "0", "--width", "160", "-o", "output/f.png"],
                  proj, GUARD))
    (proj / "scenes" / "sequence.yaml").write_text("film: film\nscenes: [good]\n")
    ok(forker.run(["batch", "--width", "160"], proj, GUARD))


def test_an_edited_image_in_a_sub_folder_is_rendered_anew(proj, forker):
    """The render cache covers exactly the files a scene references: `image: parts/part.png`
    turned from red to blue rendered red, and `batch` called the scene cached."""
    (proj / "puppets" / "parts").mkdir()
    part = proj / "puppets" / "parts" / "part.png"
    Image.new("RGB", (64, 64), (255, 0, 0)).save(part)
    puppet_with_image(proj, "patch", "parts/part.png")
    scene(proj, "patchy", "    cast:\n      p: {puppet: patch, at: [960, 700], scale: 4}\n")
    (proj / "scenes" / "sequence.yaml").write_text("film: film\nscenes: [patchy]\n")

    def batch_and_colour():
        run = forker.run(["batch", "--width", "160"], proj, GUARD)
        ok(run)
        still = forker.run(["still", "patchy", "--frame", "0", "--width", "160",
                            "-o", "output/p.png"], proj, GUARD)
        ok(still)
        centre = np.asarray(Image.open(proj / "output" / "p.png"))[25, 80].astype(int)
        return run.stdout, centre
    _, red = batch_and_colour()
    Image.new("RGB", (64, 64), (0, 0, 255)).save(part)
    summary, blue = batch_and_colour()
    assert red[0] > red[2] and blue[2] > blue[0], (red, blue)
    row = next(r.split() for r in summary.splitlines() if r.split()[:1] == ["patchy"])
    assert row[-1] == "no"          # rendered again, not "cached"


@pytest.mark.parametrize("make,message", [
    (lambda d: (d / "loop.yaml").symlink_to("loop.yaml"),
     "scenes/loop.yaml: a link that loops back to itself"),
    (lambda d: (d / "loop.yaml").mkdir(), "scenes/loop.yaml: a folder, not a file"),
])
def test_a_scene_name_that_is_not_a_file_says_what_it_is(proj, forker, make, message):
    make(proj / "scenes")
    for args in (["render", "loop"], ["render", "scenes/loop.yaml"],
                 ["validate", "scenes/loop.yaml"]):
        run = forker.run(args + (["--width", "160"] if args[0] == "render" else []), proj, GUARD)
        assert (run.code, run.stderr.splitlines()) == (2, [f"stopmo: {message}"]), args


def test_a_set_that_is_a_symlink_loop_is_refused_not_a_traceback(proj, forker):
    (proj / "scenes" / "sets" / "loop.yaml").symlink_to("loop.yaml")
    scene(proj, "uses_loop", "", set_name="loop")
    run = forker.run(["render", "uses_loop", "--width", "160"], proj, GUARD)
    assert run.code == 2 and "Traceback" not in run.stderr and "internal" not in run.stderr
    assert run.stderr.startswith("stopmo: scenes/sets/loop.yaml")
    run = forker.run(["list"], proj, GUARD)
    assert run.code == 0 and "Traceback" not in run.stderr


def test_a_sequence_that_is_a_device_is_not_called_missing(proj, forker):
    run = forker.run(["batch", "--sequence", "/dev/null"], proj, GUARD)
    assert (run.code, run.stderr.splitlines()) == (2, [
        "stopmo: /dev/null: not a regular file (a FIFO or device?) "
        "(a sequence lists the film's scenes)"])


# --------------------------------------------------------------------------- what is printed

def test_escape_bytes_from_files_are_shown_escaped_never_sent_to_the_terminal(proj, forker):
    path = proj / "scenes" / "good.yaml"
    path.write_text(path.read_text().replace("set:", 'title: "\\e[2J\\e[31mRED"\nset:', 1))
    (proj / "scenes" / "bad.yaml").write_text('scene: "\\e]0;owned\\a"\nset: x\nshots: []\n')
    listed = forker.run(["list"], proj, GUARD)
    refused = forker.run(["validate", "scenes/bad.yaml"], proj, GUARD)
    for run in (listed, refused):
        assert "\x1b" not in run.stdout + run.stderr and "\x07" not in run.stdout + run.stderr
    assert "\\x1b[2J\\x1b[31mRED" in listed.stdout
    assert refused.code == 2 and "\\x1b]0;owned\\x07" in refused.stderr


# --------------------------------------------------------------------------- values

def test_a_16_bit_greyscale_png_keeps_its_grey(tmp_path):
    # Pillow's own conversion clips 16-bit levels at 255: mid-grey rendered white
    from renderer.errors import Location, PuppetError
    from renderer.load.fields import Field
    from renderer.load.shapes import load_image
    from renderer.load.yamlsrc import Node
    path = tmp_path / "grey.png"
    buf = io.BytesIO()
    Image.fromarray(np.full((4, 4), 32768, np.uint16)).save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    f = Field(Node("grey.png", Location("p.yaml", 1, 1)), "image", PuppetError)
    art = load_image(path, f, None, 1.0)
    assert art.rgba[0, 0].tolist() == [128, 128, 128, 255]


@pytest.mark.parametrize("text,value", [("010", 10), ("-007", -7), ("1:30", "1:30"),
                                        ("0b11", "0b11"), ("0x1F", 31), ("1_000", 1000),
                                        ("'010'", "010"), ("1.5", 1.5)])
def test_numbers_follow_the_core_schema_not_yaml_1_1(tmp_path, text, value):
    from renderer.errors import SceneError
    from renderer.load.yamlsrc import load_yaml
    path = tmp_path / "n.yaml"
    path.write_text(f"n: {text}\n")
    assert load_yaml(path, SceneError).value["n"].value == value


# --------------------------------------------------------------------------- output names

def test_an_empty_output_path_is_refused_not_read_as_the_current_folder(proj, forker):
    run = forker.run(["render", "good", "--width", "160", "-o", ""], proj, GUARD)
    assert run.code == 2 and run.stderr.splitlines()[-1] == \
        "stopmo render: error: argument -o/--output: expected a path, found an empty one"


def test_names_too_long_for_the_file_system_are_refused_before_rendering(proj, forker):
    # a 250-character scene or 300-character film name failed with ENAMETOOLONG at the very end
    name = "a" * 250
    (proj / "scenes" / f"{name}.yaml").write_text(
        (proj / "scenes" / "good.yaml").read_text().replace("scene: good", f"scene: {name}"))
    run = forker.run(["render", name, "--width", "160"], proj, GUARD)
    assert (run.code, run.stderr.splitlines()) == (2, [
        f"stopmo: cannot write {'a' * 40}...: the file name is 254 bytes; the limit is 200 "
        "bytes (choose a shorter name)"])
    (proj / "scenes" / f"{name}.yaml").unlink()
    (proj / "scenes" / "sequence.yaml").write_text(f"film: {'f' * 300}\nscenes: [good]\n")
    run = forker.run(["batch", "--width", "160"], proj, GUARD)
    assert (run.code, run.stderr.splitlines()) == (2, [
        f"stopmo: cannot write {'f' * 40}...: the file name is 304 bytes; the limit is 200 "
        "bytes (choose a shorter name)"])
    assert sorted(p.name for p in (proj / "output").iterdir()) == ["good.mp4"]   # nothing rendered


def test_a_scene_name_with_a_newline_is_refused_where_it_is_written(proj, forker):
    # it failed only when the film was assembled, after every scene had rendered
    (proj / "scenes" / "a\nb.yaml").write_text(
        'scene: "a\\nb"\nset: other_dining_room\nshots:\n  - id: a\n    duration: 1\n')
    run = forker.run(["validate", "scenes/a\nb.yaml"], proj, GUARD)
    assert (run.code, run.stderr.splitlines()) == (2, [
        "stopmo: scenes/a\\x0ab.yaml:1:8: scene: expected a scene name without control "
        "characters, found 'a\\nb' (it names files: rename the file too)"])


def test_a_clipped_layer_painting_is_the_same_part_of_the_whole_one():
    """A layer too large to paint whole is painted where the camera looks: that part must be
    the picture the whole painting has there (within a level of rounding)."""
    from conftest import REPO

    from renderer.load.project import Project
    from renderer.paint.sprites import layer_sprite
    set_def = Project(REPO).set("other_dining_room")   # no paint cache: both painted here
    scale, clip = 0.25, (500.0, 300.0, 900.0, 700.0)
    compared = 0
    for i in range(len(set_def.layers)):
        whole = layer_sprite(set_def, i, scale, 0.0)
        part = layer_sprite(set_def, i, scale, 0.0, clip=clip)
        if part.rgba.shape[:2] == (1, 1):       # nothing of this layer in the window
            continue
        ox = round((part.origin[0] - whole.origin[0]) * scale)
        oy = round((part.origin[1] - whole.origin[1]) * scale)
        h, w = part.rgba.shape[:2]
        same = whole.rgba[oy:oy + h, ox:ox + w].astype(int)
        assert same.shape == part.rgba.shape
        assert np.abs(same - part.rgba).max() <= 1
        compared += 1
    assert compared >= 2
