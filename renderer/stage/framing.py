"""Shot sizes framed on a puppet's head, as a camera operator frames them.

A camera key `{frame: close, who: other_mother}` gets its x, y and zoom here, from the puppet as
it stands and moves in the shot (measured at SAMPLES_PER_SECOND over the key's part of it, wherever it is at least SHOWN):

- its size: a close-up is CLOSE_HEADS of its head's heights tall, a medium shot
  MEDIUM_FIGURE of its standing height (waist up), a wide shot WIDE_FIGURE of it (head to toe
  with room), never wider than the stage;
- its eyes on the upper third of the frame, the face set back from the centre by LOOK_ROOM of
  the frame's width so it looks into the open side;
- then the rules that win over both: HEADROOM above the top of the head (a close-up) or of the
  whole figure, raised arms included (medium and wide), and the eyes at least EYE_MARGIN above
  the bottom, at every sample; where one framing cannot keep them all, it is made wider.
  Within those, the frame stays on the stage.

A still camera is framed over the whole shot; a move's `from` over its first half (eye line at
its start), its `to` over its second half (eye line at its end). Framing is a pure function of
(scene, shot): a render's plan frames each shot once (`render.plan_scene`).
"""
from __future__ import annotations

import math
from dataclasses import replace

from renderer.model.scene import Camera, CameraKey, Placement, Scene, Shot
from renderer.paint.extent import Box
from renderer.settings import STAGE_H, STAGE_W
from renderer.stage.figure import Outline, measure
from renderer.stage.lens import dolly_gain, tilt_cover
from renderer.stage.pose import ActorPose, puppet_matrices, slot_attachments, stage_exposure
from renderer.stage.rig import placement
from renderer.stage.timing import Exposure

CLOSE_HEADS = 1.9       # a close-up's frame height in head heights (hair included)
MEDIUM_FIGURE = 0.8     # a medium shot's frame height in standing heights: from the waist up
WIDE_FIGURE = 1.4       # a wide shot's frame height in standing heights
EYE_LINE = 1 / 3        # the eyes sit this far down the frame: on the upper third
LOOK_ROOM = 1 / 8       # the face sits this much of the frame's width behind the centre
HEADROOM = 0.05         # of the frame's height, kept above the head (or the raised arms)
EYE_MARGIN = 0.15       # of the frame's height, kept below the eyes
SIDE_MARGIN = 0.04      # of the frame's width, kept beside the head (a close-up) or figure
SAMPLES_PER_SECOND = 12  # how often the subject is measured: each exposure on twos
SHOWN = 0.9             # opacity from which the subject is framed: a camera lets a vanishing or
                        # appearing puppet go (its twist and shrink), as an operator would
MAX_ZOOM = 8.0          # as a scene's own `zoom`

Span = tuple[float, float, float]   # (first time, last time, time of the eye line), seconds


def framed_shot(scene: Scene, shot: Shot) -> Shot:
    """`shot` with every framed camera key placed (x, y, zoom from its subject); unchanged
    when none is framed."""
    cam = shot.camera
    if not cam.framed:
        return shot
    plain = replace(shot, camera=Camera(CameraKey(), CameraKey(), cam.ease, 0.0))
    end = shot.duration
    if cam.start == cam.end:
        start = end_key = frame_key(scene, plain, cam.start, (0.0, end, 0.0))
    else:
        start = frame_key(scene, plain, cam.start, (0.0, end / 2, 0.0))
        end_key = frame_key(scene, plain, cam.end, (end / 2, end, end))
    return replace(shot, camera=replace(cam, start=start, end=end_key))


def frame_key(scene: Scene, shot: Shot, key: CameraKey, span: Span) -> CameraKey:
    """`key` placed on its subject as it is over `span` (a plain key comes back as it is)."""
    if not key.framed:
        return key
    place = shot.cast[key.who]
    figures, eye_line = _samples(scene, shot, key.who, span)
    rest = _rest_figure(place)
    if not figures or rest is None or rest.head is None:
        return replace(key, frame=None, who=None)     # nothing to frame on: the stage
    _, fig_top, _, fig_bottom = rest.box
    _, head_top, _, head_bottom = rest.head
    size = {"close": CLOSE_HEADS * (head_bottom - head_top),
            "medium": MEDIUM_FIGURE * (fig_bottom - fig_top),
            "wide": WIDE_FIGURE * (fig_bottom - fig_top)}[key.frame]
    close = key.frame == "close"
    top_y = min((f.head if close else f.box)[1] for f in figures)
    eye_y = max(f.eyes[1] for f in figures if f.eyes is not None)
    sides = [f.head if close else f.box for f in figures]
    left_x, right_x = min(s[0] for s in sides), max(s[2] for s in sides)
    # the frame's height: the shot size (never wider than the stage), widened where the rules
    # need more room than that (the head's travel, raised arms, a head moving sideways)
    view_h = max(min(STAGE_H, size), (eye_y - top_y) / (1.0 - HEADROOM - EYE_MARGIN),
                 (right_x - left_x) / (1.0 - 2 * SIDE_MARGIN) * STAGE_H / STAGE_W)
    view_w = view_h * STAGE_W / STAGE_H
    top = _place_span(eye_line[1] - EYE_LINE * view_h, view_h, STAGE_H,
                      low=eye_y + EYE_MARGIN * view_h - view_h, high=top_y - HEADROOM * view_h)
    left = _place_span(eye_line[0] + place.facing * LOOK_ROOM * view_w - view_w / 2, view_w,
                       STAGE_W, low=right_x + SIDE_MARGIN * view_w - view_w,
                       high=left_x - SIDE_MARGIN * view_w)
    zoom = STAGE_H / view_h / dolly_gain(key.dolly, 1.0) / tilt_cover(key.tilt)
    return replace(key, x=left + view_w / 2, y=top + view_h / 2, zoom=min(MAX_ZOOM, zoom),
                   frame=None, who=None)


def _place_span(want: float, size: float, stage: float, low: float, high: float) -> float:
    """Where a frame side of `size` starts: `want`, kept on the stage (0..stage), then kept
    within [low, high] (the rules win over the stage's edge; `high` over `low`)."""
    start = min(max(want, 0.0), max(0.0, stage - size))
    return min(max(start, low), high)


def _samples(scene: Scene, shot: Shot, who: str, span: Span
             ) -> tuple[list[Outline], tuple[float, float]]:
    """The subject measured at every sample of `span` where it shows, and its eyes (or head
    middle) at the span's eye-line time."""
    first, last, at = span
    n = max(1, math.ceil((last - first) * SAMPLES_PER_SECOND))
    times = sorted({min(first + k / SAMPLES_PER_SECOND, last - 1e-6) for k in range(n + 1)}
                   | {max(first, min(at, last - 1e-6))})
    known: dict = {}
    seen: list[tuple[float, Outline]] = []
    for k, t in enumerate(times):
        actor = _actor(scene, shot, who, Exposure(k, k, 1, max(0.0, t)))
        figure = measure(actor, known) if actor is not None and actor.opacity >= SHOWN else None
        if figure is not None and figure.head is not None:
            seen.append((t, figure))
    if not seen:
        return [], (STAGE_W / 2, STAGE_H / 2)
    _, nearest = min(seen, key=lambda tf: abs(tf[0] - at))
    return [f for _, f in seen], nearest.eyes or _middle(nearest.head)


def _actor(scene: Scene, shot: Shot, who: str, exposure: Exposure) -> ActorPose | None:
    state = stage_exposure(scene, shot, exposure)
    return next((a for a in state.actors if a.id == who), None)


def _middle(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _rest_figure(place: Placement) -> Outline | None:
    """The cast member standing in its setup pose at its scale: the yardstick of shot sizes
    (a close-up of her sitting is as close as one of her standing)."""
    puppet = place.puppet
    world = puppet_matrices(puppet, puppet.poses["stand"])
    bone_of = [s.bone for s in puppet.slots]
    mats = placement(0.0, 0.0, 1, place.scale, 0.0) @ world[bone_of]
    atts = slot_attachments(puppet, place.skin, place.face, None, False)
    return measure(ActorPose(place.id, puppet, mats, atts, 1.0, 0.0, 0.0, place.scale, 0.0,
                             place.is_prop))
