"""Where a burnt caption may sit: the faces and feet it must leave clear, in frame pixels.

A face is the box around what the puppet's head carries (face and hair), its feet the box
around the parts that reach its lowest share (`stage.figure`), both measured from the shapes
as this exposure poses them and seen through the camera of the puppet's plane, with PAD
around them for boil. Props have neither.
"""
from __future__ import annotations

import math

import numpy as np

from renderer.settings import RenderSettings
from renderer.stage.figure import measure
from renderer.stage.lens import camera_matrix
from renderer.stage.pose import StageState

PAD = 12.0     # stage units around a face or feet: more than any part boils

Rect = tuple[int, int, int, int]   # x0, y0, x1, y1 in frame pixels, x1 and y1 excluded


def keep_clear(state: StageState, settings: RenderSettings) -> list[Rect]:
    """The boxes of every visible puppet's face and feet at this exposure."""
    rects = []
    known: dict = {}
    for actor in state.actors:
        if actor.is_prop or actor.opacity <= 0.0:
            continue
        figure = measure(actor, known)
        if figure is None:
            continue
        cam = camera_matrix(state.camera, actor.depth, settings.scale)
        for box in (figure.head, figure.feet):
            if box is None:
                continue
            x0, y0, x1, y1 = box[0] - PAD, box[1] - PAD, box[2] + PAD, box[3] + PAD
            corners = cam @ np.array([[x0, x1, x0, x1], [y0, y0, y1, y1], [1, 1, 1, 1]])
            rects.append((math.floor(corners[0].min()), math.floor(corners[1].min()),
                          math.ceil(corners[0].max()), math.ceil(corners[1].max())))
    return rects
