"""Lines spoken at the same time: every caption shows, stacked in speaking order."""
from __future__ import annotations

import numpy as np

from renderer.load.project import Project
from renderer.load.scene import load_scene
from renderer.render import locate, plan_scene, render_frame
from renderer.settings import settings_for
from renderer.stage.pose import stage_exposure

WIDTH = 640
EARLY = "Welcome home, my darling daughter, at long last."      # the longer box: a wider band
LATE = "Who are you?"

OVERLAP = """
scene: {name}
world: other
seed: 3
step: 2
set: other_dining_room
shots:
  - id: one
    duration: 2.0
    cast:
      coraline: {{at: [600, 930]}}
      other_mother: {{at: [1300, 930], facing: left}}
    action:
{lines}
"""
BOTH = (f'      - {{t: 0.1, who: other_mother, say: "{EARLY}", for: 1.6}}\n'
        f'      - {{t: 0.5, who: coraline, say: "{LATE}", for: 1.0}}\n')
NEITHER = "      - {t: 0.1, who: other_mother, face: happy}\n"


def _scene(write_scene, project_dir, name: str, lines: str):
    return load_scene(write_scene(name, OVERLAP.format(name=name, lines=lines)),
                      Project(project_dir))


def test_overlapping_lines_are_captioned_in_speaking_order_not_cast_order(write_scene,
                                                                        project_dir):
    scene = _scene(write_scene, project_dir, "both", BOTH)
    plan = plan_scene(scene, settings_for("draft", width=WIDTH))
    sp, exposure = locate(plan, 24)                                     # 1.0 s: both speak
    state = stage_exposure(scene, sp.shot, exposure)
    # coraline comes first in the cast, but the Other Mother began speaking first
    assert state.captions == (("Other Mother", EARLY), ("Coraline", LATE))
    sp, exposure = locate(plan, 4)                                      # 0.17 s: one line
    assert stage_exposure(scene, sp.shot, exposure).captions == (("Other Mother", EARLY),)


def _ink_bands(with_captions: np.ndarray, without: np.ndarray) -> list[tuple[int, int, int]]:
    """(first row, last row, ink width in columns) of each band of rows holding caption letters
    (bright pixels that the captions changed); rows a few pixels apart (a descender under its
    line, a wrapped line under the first) belong to one band."""
    changed = np.abs(with_captions.astype(int) - without.astype(int)).max(axis=2) > 60
    ink = changed & (with_captions.min(axis=2) > 190)
    rows = np.flatnonzero(ink.any(axis=1))
    runs = np.split(rows, np.flatnonzero(np.diff(rows) > 12) + 1)
    return [(r[0], r[-1], int(np.ptp(np.flatnonzero(ink[r[0]:r[-1] + 1].any(axis=0)))))
            for r in runs]


def test_both_overlapping_lines_show_in_two_bands_the_earliest_on_top(write_scene, project_dir):
    settings = settings_for("draft", width=WIDTH, post=False, captions="burn")
    frames = [render_frame(plan_scene(_scene(write_scene, project_dir, name, lines), settings), 24)
              for name, lines in (("both", BOTH), ("neither", NEITHER))]
    height = frames[0].shape[0]
    # both stand on the floor: the bottom band would cover their feet, so the captions sit in
    # the top band, above their faces (where mouths move)
    top = int(0.3 * height)
    bands = _ink_bands(frames[0][:top], frames[1][:top])
    assert len(bands) == 2, bands
    (top0, top1, top_width), (low0, low1, low_width) = bands
    assert top1 < low0                                                  # apart, not overlapping
    assert top_width > 1.5 * low_width                                  # the long, early line
    assert low1 < top                                                   # both in the top band
