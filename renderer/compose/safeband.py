"""Where a burnt caption may sit: the faces and feet it must leave clear, in frame pixels.

A face is a box around the actor's head point, its feet a box around where it stands; both
grow with the actor's scale and the camera's zoom. Props have neither.
"""
from __future__ import annotations

import numpy as np

from renderer.compose.composite import camera_matrix
from renderer.settings import RenderSettings
from renderer.stage.pose import StageState

FACE_HALF = 120.0          # half the side of a face's box around the head point, stage units
FEET_HALF_W = 110.0        # half the width of the feet's box, stage units
FEET_UP, FEET_DOWN = 70.0, 25.0   # the feet's box above and below the floor point, stage units

Rect = tuple[int, int, int, int]   # x0, y0, x1, y1 in frame pixels, x1 and y1 excluded


def keep_clear(state: StageState, settings: RenderSettings) -> list[Rect]:
    """The boxes of every visible puppet's face and feet at this exposure."""
    cam = camera_matrix(state.camera, 1.0, settings.scale)
    rects = []
    for actor in state.actors:
        if actor.is_prop or actor.opacity <= 0.0:
            continue
        s = actor.scale
        boxes = [(actor.x - FEET_HALF_W * s, actor.y - FEET_UP * s,
                  actor.x + FEET_HALF_W * s, actor.y + FEET_DOWN * s)]
        if actor.head is not None:
            hx, hy = actor.head
            boxes.append((hx - FACE_HALF * s, hy - FACE_HALF * s,
                          hx + FACE_HALF * s, hy + FACE_HALF * s))
        for x0, y0, x1, y1 in boxes:
            corners = cam @ np.array([[x0, x1, x0, x1], [y0, y0, y1, y1], [1, 1, 1, 1]])
            rects.append((int(np.floor(corners[0].min())), int(np.floor(corners[1].min())),
                          int(np.ceil(corners[0].max())), int(np.ceil(corners[1].max()))))
    return rects
