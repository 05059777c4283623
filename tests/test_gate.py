"""The regression gate must fail on changes an animator would call regressions, and pass an
identical render. A small scene is blessed once; each test changes one thing in a copy and checks.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import replace

import pytest
from conftest import REPO, SMALL_SCENE, TINY

from renderer.load.scene import load_scene
from renderer.render import ScenePlan, plan_scene
from renderer.review.regress import bless_scene, check_scene
from renderer.settings import settings_for

SETTINGS = settings_for("draft", width=TINY)
PX_PER_UNIT = TINY / 1920
SCENE = SMALL_SCENE.format(name="small")


@pytest.fixture(scope="module")
def blessed(tmp_path_factory):
    """A project holding the small scene, and its golden frames at 160x90 (blessed once)."""
    root = tmp_path_factory.mktemp("gate") / "proj"
    shutil.copytree(REPO / "puppets", root / "puppets")
    shutil.copytree(REPO / "scenes" / "sets", root / "scenes" / "sets")
    (root / "scenes" / "small.yaml").write_text(SCENE.lstrip())
    folder = root.parent / "golden" / "small"
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CI", raising=False)
        bless_scene(plan_scene(load_scene(root / "scenes" / "small.yaml"), SETTINGS), folder)
    return root, folder


@pytest.fixture
def proj(blessed, tmp_path):
    """A fresh copy of the blessed project, to change one thing in."""
    root = tmp_path / "proj"
    shutil.copytree(blessed[0], root)
    return root


def check(proj, blessed, plan: ScenePlan | None = None):
    plan = plan or plan_scene(load_scene(proj / "scenes" / "small.yaml"), SETTINGS)
    return check_scene(plan, blessed[1], proj.parent / "results")


def edit_scene(proj, old: str, new: str) -> None:
    path = proj / "scenes" / "small.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def failing(result) -> dict[str, object]:
    return {p.file: d for p, d in result.failed}


def test_an_identical_render_passes(proj, blessed):
    result = check(proj, blessed)
    assert result.passed, result.report()
    assert len(result.diffs) == 6 and all(d.identical for _, d in result.diffs)
    assert result.page is None


def test_a_one_unit_shift_of_a_puppet_fails(proj, blessed):
    # The Other Mother one stage unit to the right: a twelfth of a pixel at 160x90.
    edit_scene(proj, "[1300, 930]", "[1301, 930]")
    result = check(proj, blessed)
    bad = failing(result)
    assert sorted(bad) == ["one-first.png", "one-last.png", "one-middle.png"]  # not in shot two
    for d in bad.values():
        x0, _, x1, _ = d.bbox                       # the change is where she stands
        assert x0 < 1300 * PX_PER_UNIT < x1 + 12
        assert d.over > 100                         # far above the gate's single value
    report = result.report()
    assert "max diff" in report and "PSNR" in report and "changed box" in report
    for sub in ("one-first", "one-middle", "one-last"):
        for kind in ("expected", "actual", "diff"):
            assert (result.page.parent / sub / f"{kind}.png").is_file()
    assert str(result.page) in report and "one-middle/diff.png" in result.page.read_text()


def test_a_colour_change_of_one_part_fails(proj, blessed):
    # Coraline's raincoat a shade greener-yellow: #f4c21c -> about #ecca1c; nothing else moves.
    path = proj / "puppets" / "coraline.yaml"
    text = path.read_text()
    changed = re.sub(r'(raincoat:\n\s+- \{[^}]*?color: ")#([0-9a-fA-F]{6})"',
                     lambda m: f'{m.group(1)}#{_shift(m.group(2), -8, 8, 0)}"', text, count=1)
    assert changed != text, "the raincoat's colour was not found"
    path.write_text(changed)
    bad = failing(check(proj, blessed))
    assert len(bad) == 6                            # she is in every golden frame
    for d in bad.values():
        assert d.bbox[2] - d.bbox[0] < 30           # only the coat changed, not the frame
        assert d.max_diff <= 16


def _shift(hex6: str, *deltas: int) -> str:
    return "".join(f"{min(255, max(0, int(hex6[2 * i:2 * i + 2], 16) + d)):02x}"
                   for i, d in enumerate(deltas))


def test_a_changed_seed_fails_everywhere(proj, blessed):
    edit_scene(proj, "seed: 11", "seed: 12")
    bad = failing(check(proj, blessed))
    assert len(bad) == 6
    for d in bad.values():
        assert d.ratio > 0.05                       # grain and boil differ all over the frame


def test_a_dropped_hold_shifts_the_later_frames_and_fails(proj, blessed):
    plan = plan_scene(load_scene(proj / "scenes" / "small.yaml"), SETTINGS)
    result = check(proj, blessed, drop_hold(plan, shot=0, index=2))
    bad = failing(result)
    assert "one-first.png" not in bad               # before the dropped hold: unchanged
    assert {"one-middle.png", "one-last.png"} <= set(bad)
    assert any("past the end" in m or "moved" in m for m in result.problems)


def drop_hold(plan: ScenePlan, shot: int, index: int) -> ScenePlan:
    """`plan` with exposure `index` of shot `shot` removed from its sheet: every later exposure
    of the shot is shown `hold` frames earlier, and later shots start earlier."""
    sp = plan.shots[shot]
    gone = sp.exposure_sheet[index]
    sheet = sp.exposure_sheet[:index] + tuple(replace(e, frame=e.frame - gone.hold)
                                     for e in sp.exposure_sheet[index + 1:])
    shots, start = [], 0
    for k, s in enumerate(plan.shots):
        s = replace(s, exposure_sheet=sheet) if k == shot else s
        shots.append(replace(s, first_frame=start))
        start += s.frames
    return replace(plan, shots=tuple(shots))
