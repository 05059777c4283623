"""The reference's tables of a shot's camera: a still camera, a move, and their keys (placed by
x, y and zoom, or framed on a puppet), with tilt and dolly."""
from __future__ import annotations

from renderer.load.scene import (
    CAMERA_KEY_FIELDS,
    CAMERA_MOVE_FIELDS,
    CAMERA_MOVE_REQUIRED,
    CAMERA_STILL_FIELDS,
    MAX_DOLLY_IN,
    MAX_TILT,
)
from renderer.load.shapes import COORD
from renderer.model.scene import SHOT_SIZES
from renderer.model.vocab import EASES as EASINGS
from renderer.reference.reftypes import Choice, Name, Number, Obj, Ref, d, dn, keys_of
from renderer.settings import STAGE_H, STAGE_W

EASE = Choice(tuple(sorted(EASINGS)))

_CAMERA_KEY = {
    "x": (Number(-COORD, COORD), "Stage x the camera looks at.", d(STAGE_W / 2)),
    "y": (Number(-COORD, COORD), "Stage y the camera looks at.", d(STAGE_H / 2)),
    "zoom": (Number(0.5, 8), "1 shows the whole stage; 2 shows a quarter of it.", d(1.0)),
    "frame": (Choice(SHOT_SIZES), "A shot size framed on `who`'s head instead of `x`, `y` and "
              "`zoom`: `close` (head and shoulders), `medium` (from the waist up) or `wide` "
              "(head to toe, with room). Its eyes sit on the upper third, its face set back "
              "from the centre on the side it looks from; there is always room above its head "
              "(above raised arms too in `medium` and `wide`) and below its eyes, while it is "
              "shown (`from` over the shot's first half, `to` over its second, a still camera "
              "over all of it).", dn("placed by `x`, `y`, `zoom`")),
    "who": (Name("a cast member of the shot"), "Whom `frame` frames (with `frame`).",
            dn("none")),
    "tilt": (Number(-MAX_TILT, MAX_TILT), "Degrees the camera leans, clockwise on screen (a "
             "Dutch angle); the picture is enlarged just enough to keep its corners on the set.",
             d(0)),
    "dolly": (Number(-1, MAX_DOLLY_IN), "How far the camera has travelled toward the set, as "
              "a fraction of its distance to the puppets (negative backs away): everything "
              "grows, near layers most and far ones least, as in a motion-control dolly. It "
              f"stays behind the nearest layer or puppet: at most {MAX_DOLLY_IN:g} of its "
              "depth.", d(0)),
}
_SHAKE = (Number(0, 50), "Stage units of hand-placed jitter per exposure.",
          dn("the scene's `look.shake`"))
CAMERA_KEY = Obj("camera_key", "camera framing", "`from` and `to` of a moving camera.",
                 keys_of(CAMERA_KEY_FIELDS, (), _CAMERA_KEY))
CAMERA_STILL = Obj("camera_still", "still camera", "A shot's `camera` without `from` or `to`: "
                   "`{x: 960, y: 540, zoom: 1.2}` holds that framing for the whole shot.",
                   keys_of(CAMERA_STILL_FIELDS, (), {**_CAMERA_KEY, "shake": _SHAKE}))
CAMERA_MOVE = Obj("camera_move", "moving camera", "A shot's `camera` with `from`: it moves from "
                  "one framing to the other over the whole shot. Set layers move with parallax "
                  "by their depth.", keys_of(CAMERA_MOVE_FIELDS, CAMERA_MOVE_REQUIRED, {
    "from": (Ref("camera_key"), "The framing at the shot's start; keys left out take the "
             "stage's centre and zoom 1."),
    "to": (Ref("camera_key"), "The framing at the shot's end; keys left out stay as in `from`.",
           dn("`from`: no move")),
    "ease": (EASE, "How the move speeds up and slows down.", d("in_out")),
    "shake": _SHAKE,
}))
