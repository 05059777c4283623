"""The cast: every puppet and prop file loads, holds together in every pose, resolves every slot in
every skin and face, mirrors exactly, lip-syncs its lines; broken files get located errors; and
`stopmo puppets` lists them and draws their model sheets.

Parametrized over the files in puppets/ and puppets/props/, so new puppets are checked as they land.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from renderer import cli
from renderer.errors import PuppetError
from renderer.load.project import Project
from renderer.load.puppet import load_puppet
from renderer.load.scene import load_scene
from renderer.model.puppet import PuppetDef
from renderer.paint.sprites import attachment_sprite
from renderer.render import plan_scene, render_exposure, shot_sheet
from renderer.review.modelsheet import (
    MAX_COLS,
    Figure,
    figure_cells,
    figure_layout,
    full_pose,
    sheet_figures,
    slot_bounds,
)
from renderer.settings import settings_for
from renderer.stage import rig
from renderer.stage.grip import grip_offset, grip_offsets
from renderer.stage.pose import (
    placement_matrix,
    puppet_matrices,
    slot_attachments,
    stage_exposure,
)
from renderer.stage.rig import bone_subtree

REPO = Path(__file__).resolve().parent.parent
PUPPET_FILES = sorted((REPO / "puppets").glob("*.yaml"))
PROP_FILES = sorted((REPO / "puppets" / "props").glob("*.yaml"))
ALL_FILES = PUPPET_FILES + PROP_FILES
IDS = [str(p.relative_to(REPO / "puppets")) for p in ALL_FILES]
TOUCH = 4.0      # stage units: a joint this close to a part's painted pixels is attached to it
MIRROR_TOL = 1   # levels of 255: facing left may differ from the flipped right by rounding only
# Rendering is the same arithmetic for every rig: a biped, a quadruped and a prop (when there are
# any) stand for the cast where a test renders pixels, and keep the file fast.
SAMPLES = [p for p in PUPPET_FILES if p.stem in ("coraline", "cat")] + PROP_FILES[:1]


@functools.lru_cache(maxsize=None)
def load(path: Path) -> PuppetDef:
    """Each file loaded once, so its sprites are painted once for the whole test file."""
    return load_puppet(path, display=str(path.relative_to(REPO)))


def speakers() -> list[Path]:
    return [p for p in PUPPET_FILES if _loads(p) and load(p).mouth_slot is not None]


def _loads(path: Path) -> bool:
    try:
        load(path)
        return True
    except PuppetError:
        return False


# --- every file validates ------------------------------------------------------------------------

@pytest.mark.parametrize("path", ALL_FILES, ids=IDS)
def test_every_puppet_file_validates(path):
    puppet = load(path)
    assert puppet.name == path.stem
    assert "stand" in puppet.poses and "real" in puppet.skins and "neutral" in puppet.faces


# --- every part stays attached in every pose -----------------------------------------------------

@functools.lru_cache(maxsize=None)
def reach_map(puppet: PuppetDef, attachment: str) -> tuple[np.ndarray, tuple[float, float]]:
    """The attachment painted at 1 px per unit, as a map of the distance (px) from each pixel to
    the nearest painted one, padded so every point within TOUCH of the paint is on the map; and
    the map position of the bone's origin."""
    sprite = attachment_sprite(puppet, attachment, 1.0)
    pad = int(TOUCH) + 2
    painted = np.pad(sprite.rgba[..., 3] > 0, pad)
    dist = cv2.distanceTransform((~painted).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    return dist, (sprite.origin[0] + pad, sprite.origin[1] + pad)


def gap_to(puppet: PuppetDef, attachment: str, m: np.ndarray, point: np.ndarray,
           exact: bool = False) -> float:
    """Stage units from `point` (puppet space) to the nearest painted pixel of `attachment`
    placed by `m` (bone-local to puppet space). Gaps beyond TOUCH are inf unless `exact`."""
    dist, (ox, oy) = reach_map(puppet, attachment)
    x, y = np.linalg.solve(m, np.array([point[0], point[1], 1.0]))[:2]
    unit = np.sqrt(abs(np.linalg.det(m[:2, :2])))   # bones scale uniformly
    i, j = int(np.floor(y + oy)), int(np.floor(x + ox))   # the pixel the point falls in
    if 0 <= i < dist.shape[0] and 0 <= j < dist.shape[1] and dist[i, j] * unit <= TOUCH:
        return float(dist[i, j]) * unit
    ys, xs = np.nonzero(dist == 0) if exact else ((), ())   # exact: for a failure message
    if len(xs) == 0:
        return np.inf
    return float(np.hypot(xs + 0.5 - ox - x, ys + 0.5 - oy - y).min()) * unit


def anchor_bones(puppet: PuppetDef, bone: int, has_parts: set[int]) -> tuple[str, list[int]]:
    """What a bone's joint must touch: its parent, or the nearest ancestor with parts; failing
    that (a partless pelvis), any part of the body outside the bone's own subtree."""
    p = puppet.bones[bone].parent
    while p >= 0:
        if p in has_parts:
            return puppet.bones[p].name, [p]
        p = puppet.bones[p].parent
    rest = sorted(has_parts - bone_subtree(puppet, bone))
    return "the rest of the body", rest


def joint_gaps(puppet: PuppetDef, pose_name: str, skin: str):
    """(bone, side, gap in units) for every joint not covered by its own part and its anchor."""
    world = puppet_matrices(puppet, full_pose(puppet, pose_name))
    atts = slot_attachments(puppet, skin, "neutral", None, False)
    parts: dict[int, list[str]] = {}
    for slot, att in zip(puppet.slots, atts):
        if att is not None:
            parts.setdefault(slot.bone, []).append(att)
    for i, bone in enumerate(puppet.bones):
        if bone.parent < 0 or i not in parts:
            continue
        joint = world[i][:2, 2]
        if min(gap_to(puppet, a, world[i], joint) for a in parts[i]) > TOUCH:
            own = min(gap_to(puppet, a, world[i], joint, exact=True) for a in parts[i])
            yield bone.name, f"its own part ({', '.join(parts[i])})", own
        anchor_name, anchors = anchor_bones(puppet, i, set(parts))
        if anchors:
            pairs = [(b, a) for b in anchors for a in parts[b]]
            if min(gap_to(puppet, a, world[b], joint) for b, a in pairs) > TOUCH:
                yield bone.name, anchor_name, min(gap_to(puppet, a, world[b], joint, exact=True)
                                                  for b, a in pairs)


@pytest.mark.parametrize("path", ALL_FILES, ids=IDS)
def test_every_pose_keeps_every_part_attached(path):
    puppet = load(path)
    bodies = {}   # skins that only change faces give the same body: check each body once
    for skin in puppet.skins:
        atts = slot_attachments(puppet, skin, "neutral", None, False)
        bodies.setdefault(tuple(a for a, s in zip(atts, puppet.slots) if not s.face), skin)
    torn = [f"{puppet.name}: pose {pose!r} (skin {skin!r}): bone {bone!r} joint is {gap:.1f} "
            f"units from {side}"
            for skin in bodies.values() for pose in puppet.poses
            for bone, side, gap in joint_gaps(puppet, pose, skin)]
    assert not torn, f"{len(torn)} torn joints (allowed gap {TOUCH} units):\n" + "\n".join(torn)


def test_a_torn_joint_is_found_and_named(tmp_path):
    """The attachment check itself: pull Coraline's forearm off her arm and it must complain."""
    text = (REPO / "puppets" / "coraline.yaml").read_text()
    text = text.replace("{name: forearm_f, parent: arm_f, at: [0, 60]",
                        "{name: forearm_f, parent: arm_f, at: [0, 110]")
    path = tmp_path / "coraline.yaml"
    path.write_text(text)
    puppet = load_puppet(path)
    gaps = {(b, side) for b, side, _ in joint_gaps(puppet, "point", "real")}
    assert ("forearm_f", "arm_f") in gaps


# --- every skin and face resolves every slot -----------------------------------------------------

@pytest.mark.parametrize("path", ALL_FILES, ids=IDS)
def test_every_skin_and_face_resolves_every_slot(path):
    puppet = load(path)
    deliberate = {s.name for s in puppet.slots if s.attachment is None}
    for faces in puppet.faces.values():
        deliberate |= {slot for slot, att in faces.items() if att is None}
    for sk in puppet.skins.values():
        deliberate |= {slot for slot, att in sk.slots.items() if att is None}
    mouths = [None] + sorted(puppet.mouths) if puppet.mouth_slot else [None]
    for skin in puppet.skins:
        for face in puppet.faces:
            for mouth in mouths:
                atts = slot_attachments(puppet, skin, face, mouth, face == "blink")
                assert len(atts) == len(puppet.slots)
                for slot, att in zip(puppet.slots, atts):
                    where = f"{puppet.name}: skin {skin!r}, face {face!r}, mouth {mouth}, slot {slot.name!r}"
                    if att is None:
                        assert slot.name in deliberate or slot.name == puppet.mouth_slot, where
                    else:
                        assert att in puppet.attachments, where


@pytest.mark.parametrize("path", ALL_FILES, ids=IDS)
def test_acting_puppets_have_the_six_expressions_and_speakers_the_seven_mouths(path):
    puppet = load(path)
    if any(s.face for s in puppet.slots) and len(puppet.faces) > 1:
        missing = {"neutral", "happy", "sad", "scared", "angry", "surprised", "blink"} - set(puppet.faces)
        assert not missing, f"{puppet.name} lacks faces {sorted(missing)}"
    if puppet.mouth_slot is not None:
        missing = {"rest", "A", "E", "O", "U", "MBP", "FV"} - set(puppet.mouths)
        assert not missing, f"{puppet.name} lacks mouth shapes {sorted(missing)}"


# --- facing left is the exact mirror of facing right ---------------------------------------------

@pytest.mark.parametrize("path", ALL_FILES, ids=IDS)
def test_facing_left_mirrors_the_slot_matrices_in_every_pose(path):
    puppet = load(path)
    bone_of = np.array([s.bone for s in puppet.slots])
    mirror = rig.translate(700, 0) @ rig.scale(-1, 1) @ rig.translate(-700, 0)
    for pose in puppet.poses:
        world = puppet_matrices(puppet, full_pose(puppet, pose))[bone_of]
        right = placement_matrix(700, 900, 1, 1.3, 5) @ world
        left = placement_matrix(700, 900, -1, 1.3, 5) @ world
        assert np.allclose(mirror @ right, left), f"{puppet.name}: pose {pose!r}"


PLAIN_SET = """
set: plain
layers:
  - {name: wall, depth: 1.0, background: "#807060"}
"""

MIRROR_SCENE = """
scene: {name}
set: plain
seed: 3
shots:
  - id: s
    duration: 0.2
    {kind}:
      who: {{{what}: {name_}, at: [960, 900], facing: {facing}{pose}}}
"""


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_facing_left_renders_the_flipped_pixels_of_facing_right(path, project_dir, write_scene):
    puppet = load(path)
    project = Project(project_dir)     # one project: the sprites are painted once for both
    (project_dir / "scenes" / "sets" / "plain.yaml").write_text(PLAIN_SET)
    is_prop = path.parent.name == "props"
    pose = next((p for p in ("point", "reach", "walk_contact_a") if p in puppet.poses), "stand")
    # even width: the stage's centre is a pixel edge; no post effects (grain is not mirrored)
    settings = settings_for("draft", width=320, post=False)
    frames = {}
    for facing in ("right", "left"):
        name = f"mirror_{facing}"
        scene_path = write_scene(name, MIRROR_SCENE.format(
            name=name, kind="props" if is_prop else "cast", what="prop" if is_prop else "puppet",
            name_=puppet.name, facing=facing, pose="" if is_prop else f", pose: {pose}"))
        plan = plan_scene(load_scene(scene_path, project), settings)
        sp = plan.shots[0]
        frames[facing] = render_exposure(plan, sp, sp.exposure_sheet[0]).astype(int)
    assert (frames["right"] != frames["right"][0, 0]).any(), "the puppet was not drawn"
    diff = np.abs(frames["right"][:, ::-1] - frames["left"])
    assert diff.max() <= MIRROR_TOL, f"{puppet.name}: {int((diff > MIRROR_TOL).sum())} values differ"


# --- say: lines drive the mouth ------------------------------------------------------------------

SAY_SCENE = """
scene: {name}
set: other_dining_room
seed: 4
shots:
  - id: talk
    duration: 3.0
    cast:
      who: {{puppet: {puppet}, at: [900, 930]}}
    action:
      - {{t: 1.0, who: who, say: "Hello, Coraline. Come and play!", for: 1.25}}
"""


@pytest.mark.parametrize("path", speakers(), ids=[p.stem for p in speakers()])
def test_a_say_line_moves_the_mouth_only_while_it_is_spoken(path, write_scene):
    scene = load_scene(write_scene("talk", SAY_SCENE.format(name="talk", puppet=path.stem)))
    shot = scene.shots[0]
    puppet = shot.cast["who"].puppet
    mouth = [s.name for s in puppet.slots].index(puppet.mouth_slot)
    resting = slot_attachments(puppet, "real", "neutral", None, False)[mouth]
    spoken, silent = [], []
    for e in shot_sheet(shot, 24):
        att = stage_exposure(scene, shot, e).actors[0].attachments[mouth]
        (spoken if 1.0 <= e.time < 2.25 else silent).append(att)
    assert set(silent) == {resting}, f"{puppet.name}: the mouth moved while silent: {set(silent)}"
    changes = sum(a != b for a, b in zip(spoken, spoken[1:]))
    assert len(set(spoken)) >= 3 and changes >= len(spoken) // 3, \
        f"{puppet.name}: mouth shapes while speaking: {spoken}"


# --- broken files get located errors -------------------------------------------------------------

def _located(tmp_path: Path, old: str, new: str) -> tuple[PuppetError, int, int]:
    """Coraline with `old` replaced by `new`: the raised error, and the line and column (1-based)
    where `new`'s last word was written."""
    text = (REPO / "puppets" / "coraline.yaml").read_text()
    assert old in text
    text = text.replace(old, new, 1)
    folder = tmp_path / "puppets"
    folder.mkdir()
    path = folder / "coraline.yaml"
    path.write_text(text)
    word = re.findall(r"\w+", new)[-1]
    at = text.index(new) + new.rindex(word)
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    with pytest.raises(PuppetError) as info:
        load_puppet(path, display=str(path))
    return info.value, line, col


def test_a_broken_bone_reference_is_located(tmp_path):
    err, line, col = _located(tmp_path, "{name: shin_f, bone: shin_f,", "{name: shin_f, bone: shinf,")
    assert err.where.file.endswith("coraline.yaml")
    assert (err.where.line, err.where.col) == (line, col)
    assert err.field == "slots[6].bone"
    assert "shin_f" in err.format()          # the did-you-mean names the bone that exists


def test_an_unknown_material_is_located(tmp_path, capsys):
    old = '{shape: capsule, points: [[0, 0], [0, 86]], width: [32, 28], color: "#2b3552", material: felt}'
    err, line, col = _located(tmp_path, old, old.replace("felt", "velour"))
    assert (err.where.line, err.where.col) == (line, col)
    assert err.field == "attachments.thigh[0].material"
    assert "velour" in err.format()
    # the command line prints the same place and exits 2 without a traceback
    path = tmp_path / "puppets" / "coraline.yaml"
    assert cli.main(["puppets", str(path), "--sheet", "-o", str(tmp_path / "x.png")]) == 2
    assert f"{line}:{col}" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


# --- stopmo puppets ------------------------------------------------------------------------------

def test_the_listing_names_every_puppet_and_prop(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    assert cli.main(["puppets"]) == 0
    out = capsys.readouterr().out
    for path in ALL_FILES:
        assert re.search(rf"^  {path.stem}\b", out, re.M), path.stem
    assert "coraline" in out and "sweater" in out and "walk" in out


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_a_model_sheet_shows_every_skin_face_mouth_and_pose(path):
    puppet = load(path)
    rows = sheet_figures(puppet)
    figs = [f for fs in rows.values() for f in fs]
    assert {f.facing for f in figs} == {1, -1}
    assert {f.skin for f in figs} == set(puppet.skins)
    if any(s.face for s in puppet.slots) and len(puppet.faces) > 1:
        assert [f.face for f in rows["expressions"]] == list(puppet.faces)
    if puppet.mouth_slot is not None:
        assert {f.mouth for f in rows["mouths"]} == set(puppet.mouths)
    if len(puppet.poses) == 1:
        assert "poses" not in rows          # standing is all it does: the views show that
        return
    shown = [f.pose for f in rows["poses"]]
    assert len(shown) == len(puppet.poses)
    for name, pose in zip(puppet.poses, shown):
        assert np.array_equal(pose, full_pose(puppet, name)), name


def test_the_sheet_command_writes_a_labelled_png(repo, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(repo)
    out = tmp_path / "coraline.png"
    assert cli.main(["puppets", "coraline", "--sheet", "-o", str(out), "--width", "64"]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    sheet = np.asarray(Image.open(out))
    puppet = load(REPO / "puppets" / "coraline.yaml")
    rows = sheet_figures(puppet)
    widest = max(min(len(fs), MAX_COLS) for fs in rows.values())
    assert sheet.shape[1] >= widest * 64 and sheet.shape[0] >= len(rows) * 64
    # light paper cells on the dark sheet: a good part of it is the backdrop
    paper = (np.abs(sheet.astype(int) - [221, 214, 200]).sum(axis=2) < 45).mean()
    assert paper > 0.15, paper
    assert cli.main(["puppets", "coraline", "--sheet", "-o", str(out), "--width", "5000"]) == 2


def test_left_and_right_cells_of_a_sheet_are_mirrors():
    puppet = load(REPO / "puppets" / "coraline.yaml")
    pose = full_pose(puppet, "point")
    right, left = figure_cells(puppet, [Figure("r", pose), Figure("l", pose, facing=-1)], 96)
    assert right.shape == left.shape and right.shape[1] == 96
    assert np.abs(right[:, ::-1].astype(int) - left).max() <= MIRROR_TOL


def test_all_writes_a_sheet_per_puppet_and_prop(tmp_path, monkeypatch, capsys):
    root = tmp_path / "proj"
    (root / "scenes").mkdir(parents=True)
    (root / "puppets" / "props").mkdir(parents=True)
    text = (REPO / "puppets" / "coraline.yaml").read_text()
    (root / "puppets" / "twin.yaml").write_text(text.replace("puppet: coraline", "puppet: twin"))
    (root / "puppets" / "props" / "doll.yaml").write_text(text.replace("puppet: coraline",
                                                                       "puppet: doll"))
    monkeypatch.chdir(root)
    out = tmp_path / "sheets"
    assert cli.main(["puppets", "--all", "-o", str(out), "--width", "64"]) == 0
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert written == ["props", "props/doll.png", "twin.png"]   # and nothing half-written
    assert Image.open(out / "twin.png").size[0] > 9 * 64


def test_an_unknown_puppet_name_gets_a_suggestion(repo, monkeypatch, capsys):
    monkeypatch.chdir(repo)
    assert cli.main(["puppets", "coralin", "--sheet", "-o", "/nonexistent/x.png"]) == 2
    assert "coraline" in capsys.readouterr().err


# --- grip points ---------------------------------------------------------------------------------

def test_the_grip_offset_is_the_hand_computed_point_of_the_rig():
    puppet = load(REPO / "puppets" / "coraline.yaml")
    # coraline: hips at [0, -172] from the root, the front shoulder (arm_f) at [26, -104] on the
    # torso, the elbow 60 down the arm, and the grip 60 down the forearm. At rest nothing turns:
    # 26 across, -172 - 104 + 60 + 60 = -156 up.
    assert grip_offset(puppet, full_pose(puppet, "stand")) == pytest.approx((26, -156))
    # `point` turns the arm -95 degrees (clockwise on screen, so counter-clockwise): the straight
    # arm's 120 units from the shoulder become (120 sin 95°, -120 cos 95° ... ) = (119.5, -10.5)
    # beside the shoulder at (26, -276), the forearm unturned.
    swing = np.radians(-95)
    expected = (26 - 120 * np.sin(swing), -276 + 120 * np.cos(swing))
    assert grip_offset(puppet, full_pose(puppet, "point")) == pytest.approx(expected)
    assert grip_offsets(puppet)["point"] == pytest.approx(expected)


def test_a_prop_taken_in_hand_lands_on_the_grip_offset_from_the_root(write_scene, project_dir):
    # what the listing promises: the held prop's root is at the holder's `at` plus the offset
    path = write_scene("grip", """\
scene: grip
set: other_dining_room
shots:
  - id: a
    duration: 1
    cast:
      coraline: {at: [700, 930], facing: left}
    props:
      button_key: {at: [900, 930]}
    action:
      - {t: 0, who: coraline, do: take, what: button_key, for: 0.1}
""")
    scene = load_scene(path)
    shot = scene.shots[0]
    state = stage_exposure(scene, shot, shot_sheet(shot, 24)[-1])
    key = next(a for a in state.actors if a.id == "button_key")
    dx, dy = grip_offset(scene.project.puppet("coraline"),
                         full_pose(scene.project.puppet("coraline"), "stand"))
    # the key is held by its handle (the shaft under the bow), not its root
    assert key.handle == pytest.approx((700 - dx, 930 + dy))   # facing left: dx negated


def test_the_puppet_listing_names_the_hand_and_its_offset_in_each_pose(repo, monkeypatch, capsys):
    monkeypatch.chdir(repo)
    assert cli.main(["puppets", "coraline"]) == 0
    out = capsys.readouterr().out
    assert "grip    hand at forearm_f [0, 60]: [+26, -156] from the root" in out
    assert "point [+146, -286]" in out and "sit [+" in out     # every named pose
    assert "other hand at forearm_b [0, 60]" in out             # both hands named
    assert cli.main(["puppets", "cat"]) == 0
    assert "grip    hand at head [48, 20]" in capsys.readouterr().out   # the cat's mouth


def test_the_model_sheet_marks_the_grip_with_a_red_cross():
    puppet = load(REPO / "puppets" / "coraline.yaml")
    stand = full_pose(puppet, "stand")
    with_mark, = figure_cells(puppet, [Figure("r", stand)], 160, mark_grips=True)
    r, g, b = (with_mark[..., k].astype(int) for k in range(3))
    reds = np.argwhere((r > 150) & (g < 60) & (b < 70))
    assert len(reds) > 10
    # the cross's centre: the reddest rows and columns meet at the root + offset in cell pixels
    bounds = slot_bounds(puppet, Figure("r", stand))
    lay = figure_layout([bounds], 160)
    x = 80 - lay.scale * (bounds[0] + bounds[2]) / 2 + lay.scale * 26
    y = lay.floor_y + lay.scale * -156
    near = reds[(np.abs(reds[:, 0] - y) < 8) & (np.abs(reds[:, 1] - x) < 8)]
    assert len(near) >= 6, (x, y)
