"""Where a burnt caption may sit: the faces and feet it must leave clear, in frame pixels.

A face is the box around what the puppet's head carries (face and hair), its feet the box
around the parts that reach its lowest share (`stage.figure`), both measured from the shapes
as this exposure poses them and seen through the camera of the puppet's plane, with PAD
around them for boil. Props have neither. A line keeps one place while it is read
(`line_places`).
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from renderer.compose.paintings import Paintings
from renderer.compose.text import caption_stack, clear_places
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


def line_places(states: Iterable[tuple[int, StageState]], settings: RenderSettings,
                paintings: Paintings | None = None) -> dict[int, int | None]:
    """Where each exposure of a shot that shows captions draws them, so that a line being read
    moves as little as it can: over each run of exposures showing the same captions, the first
    place of `text.caption_places` clear of the faces and feet of as many exposures in a row as
    one place can be, then the next such stretch (a caption moves only when it must); or None
    (a letterbox) for the whole run when some exposure of it has no clear place, so that the
    picture never shrinks in mid-sentence. states: (exposure index, its stage) of the shot's
    exposures, in order. Keyed by exposure index."""
    runs: list[tuple[tuple, list[tuple[int, list[Rect]]]]] = []
    for index, state in states:
        if not state.captions:
            continue
        if runs and runs[-1][0] == state.captions and runs[-1][1][-1][0] == index - 1:
            runs[-1][1].append((index, keep_clear(state, settings)))
        else:
            runs.append((state.captions, [(index, keep_clear(state, settings))]))
    places: dict[int, int | None] = {}
    for captions, exposures in runs:
        sprites = caption_stack(captions, settings.width, settings.height, paintings)
        clear = [clear_places(sprites, settings.width, settings.height, rects)
                 for _, rects in exposures]
        if not all(clear):      # the picture shrinks for the whole line, not in mid-sentence
            places.update((i, None) for i, _ in exposures)
            continue
        start = 0
        while start < len(exposures):
            common, end = clear[start], start + 1
            while end < len(exposures) and common & clear[end]:
                common, end = common & clear[end], end + 1
            place = min(common, default=None)
            places.update((i, place) for i, _ in exposures[start:end])
            start = end
    return places
