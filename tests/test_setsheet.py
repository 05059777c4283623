"""`stopmo set`: the sets listed, a set's layers and floor printed, and its sheet drawn where a
user reads it: the floor line on the row its stage y says, the grid at its stage units, a key
naming every layer; bad input refused like any other command."""
from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from renderer import cli
from renderer.load.project import Project
from renderer.review.setsheet import FLOOR_COLOUR, GRID_STEP, set_sheet, stage_picture

WIDTH = 640   # small, so the sheet paints fast; the stage is 1920 units: 1/3 px per unit


@pytest.fixture
def dining(repo):
    return Project(repo).set("other_dining_room")


def test_the_floor_line_is_drawn_on_the_row_of_the_sets_floor(dining):
    sheet = set_sheet(dining, WIDTH)
    img = sheet.image
    assert img.shape[1] == WIDTH
    # the stage picture is 640x360 under the title; 930 units down is row 310 of it
    assert dining.floor_y == 930
    row = sheet.top + round(930 * WIDTH / 1920)
    tape = np.all(np.abs(img[:, WIDTH // 4].astype(int) - FLOOR_COLOUR) <= 12, axis=1)
    rows = np.flatnonzero(tape[sheet.top:sheet.top + 360]) + sheet.top
    assert len(rows) and abs(rows.mean() - row) <= 1.5, (rows, row)


def test_the_grid_lightens_the_columns_of_its_stage_units(dining):
    sheet = set_sheet(dining, WIDTH)
    plain = stage_picture(dining, WIDTH).astype(int)
    drawn = sheet.image[sheet.top:sheet.top + 360].astype(int)
    # per column, the median over its rows: the horizontal lines and the labels cross a column
    # in a few rows only
    lighter = np.median((drawn - plain).sum(axis=2), axis=0)
    for units in range(GRID_STEP, 1920, GRID_STEP):
        x = round(units * WIDTH / 1920)
        assert lighter[x] > 15, units                     # a grid line: every row a little lighter
    for units in range(GRID_STEP // 2, 1920, GRID_STEP):  # and the set untouched between them
        assert lighter[round(units * WIDTH / 1920)] == 0, units


def test_the_sheet_command_writes_a_png_whose_key_names_every_layer(repo, tmp_path, monkeypatch,
                                                                    capsys):
    monkeypatch.chdir(repo)
    out = tmp_path / "dining.png"
    assert cli.main(["set", "other_dining_room", "--sheet", "-o", str(out),
                     "--width", str(WIDTH)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert Image.open(out).size[0] == WIDTH
    assert [p.name for p in tmp_path.iterdir()] == ["dining.png"]   # nothing half-written beside it
    # the text form of the key: every layer with its depth, front layers marked
    assert cli.main(["set", "other_dining_room"]) == 0
    text = capsys.readouterr().out
    for layer in Project(repo).set("other_dining_room").layers:
        assert layer.name in text and f"depth {layer.depth:g}" in text
    assert "table            depth 0.95  in front of the puppets" in text
    assert "wall             depth 3     behind the puppets" in text
    assert "floor   y = 930 (the set's floor)" in text


def test_the_listing_names_every_set_with_its_floor(repo, monkeypatch, capsys):
    monkeypatch.chdir(repo)
    assert cli.main(["set"]) == 0
    out = capsys.readouterr().out
    for name in Project(repo).set_names:
        assert f"  {name} " in out
    assert "theatre                  4 layers, floor y = 760" in out


def test_a_set_without_a_floor_states_the_convention(project_dir, monkeypatch, capsys):
    path = project_dir / "scenes" / "sets" / "mirror_room.yaml"
    path.write_text("\n".join(line for line in path.read_text().split("\n")
                              if not line.startswith("floor:")))
    monkeypatch.chdir(project_dir)
    assert cli.main(["set", "mirror_room"]) == 0
    assert "y = 930 (the set gives no floor: the project's convention, 930)" in \
        capsys.readouterr().out


def test_bad_input_is_refused_with_exit_2_and_writes_nothing(repo, tmp_path, monkeypatch,
                                                             capsys):
    monkeypatch.chdir(repo)
    assert cli.main(["set", "other_dinning_room", "--sheet", "-o", str(tmp_path / "x.png")]) == 2
    assert "no set 'other_dinning_room' in scenes/sets/ (did you mean 'other_dining_room'?)" \
        in capsys.readouterr().err
    missing = tmp_path / "no" / "x.png"
    assert cli.main(["set", "other_dining_room", "--sheet", "-o", str(missing)]) == 2
    assert f"folder {tmp_path / 'no'} does not exist" in capsys.readouterr().err
    notes = tmp_path / "notes.png"
    notes.write_text("my notes")
    assert cli.main(["set", "other_dining_room", "--sheet", "-o", str(notes)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err and notes.read_text() == "my notes"
    assert cli.main(["set", "other_dining_room", "--sheet", "-o", str(tmp_path / "x.png"),
                     "--width", "100000"]) == 2
    assert "320..3840" in capsys.readouterr().err
    assert cli.main(["set", "--sheet"]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.png"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_folder_is_refused_before_drawing(repo, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(repo)
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert cli.main(["set", "theatre", "--sheet", "-o", str(folder / "t.png")]) == 2
        assert f"folder {folder} is not writable" in capsys.readouterr().err
    finally:
        folder.chmod(0o700)
