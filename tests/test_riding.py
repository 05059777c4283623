"""Hair, hats, clips and goggles follow the head's turn: measured on the painted parts of the
puppets that turn in the film, as a viewer would see them on each turned head."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from renderer.errors import PuppetError
from renderer.load.heads import Sculpt
from renderer.load.puppet import load_puppet
from renderer.load.riding import turned_part
from renderer.model.art import Prim
from renderer.paint.prims import paint
from renderer.stage.pose import slot_attachments

REPO = Path(__file__).resolve().parent.parent
CANVAS = (-260, -360, 260, 140)   # head-bone units around every shipped head
BOIL_UNITS = 2.0      # more than boil moves a part between exposures (test_heads uses the same)
COVERED = 0.97        # share of the skull's top (its middle) that hair must touch: a gap of
                      # skin or air between hair and skull reads at once; a stray column of the
                      # painter's anti-aliasing does not
HAIR_BAND = 0.6       # the middle of the skull's top that hair covers: all but the sides, where
                      # a bob parts round the ears
HAT_BAND = 0.4        # ... and that a hat covers: its crown; its flat brim stands off the skull
                      # where the head rounds down to the sides, as on the drawn head
TOUCH = 3             # units: hair this close above the skull's edge (behind it) or this far over
                      # it (in front) touches it
OVER_FACE = 0.03      # share of the eyes or the mouth a part in front may cover: none, but a
                      # boiling edge's pixel
SYMMETRIC = 0.93      # the front hair against its mirror image (intersection over union); the
                      # drawn three-quarter hair is 0.6-0.8 against its own mirror
ON_HAIR = 0.6         # share of the clip's painting lying on the hair

# puppet: (skin, the slots drawn behind the head, the slots drawn over it) for its hair or hat;
# the Other Mother in the thinner face she offers the buttons with (a skull of its own, not the
# one her hair was drawn round)
HAIR = {"coraline": ("real", ("hair_back",), ("fringe",)),
        "wybie": ("real", ("hair_back",), ("curls", "helmet")),
        "other_mother": ("other_thin", ("hair_back",), ("fringe",)),
        "mother": ("real", ("hair_back",), ("fringe",)),
        "bobinsky": ("other", (), ("hat",))}
TURNED = ("front", "profile")


def _mask(art) -> np.ndarray:
    """The solid pixels of `art` painted at 1 px a unit, on the CANVAS grid."""
    x0, y0, x1, y1 = CANVAS
    canvas = np.zeros((y1 - y0, x1 - x0), bool)
    if art is None:
        return canvas
    sprite = paint(art, 1.0, 7)
    ox, oy = round(sprite.origin[0]), round(sprite.origin[1])
    h, w = sprite.rgba.shape[:2]
    canvas[-oy - y0:-oy - y0 + h, -ox - x0:-ox - x0 + w] = sprite.rgba[..., 3] > 128
    return canvas


def _parts(name: str, skin: str, turn: str) -> dict[str, np.ndarray]:
    """The painted mask of each slot on the head bone with the head on `turn`, by slot name."""
    puppet = load_puppet(REPO / "puppets" / f"{name}.yaml")
    atts = slot_attachments(puppet, skin, "neutral", None, False, turn)
    head = puppet.bone_index["head"]
    return {s.name: _mask(puppet.attachments[a] if a else None)
            for s, a in zip(puppet.slots, atts) if s.bone == head}


def _union(parts, names) -> np.ndarray:
    out = np.zeros_like(parts["head"])
    for n in names:
        out |= parts[n]
    return out


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


@pytest.mark.parametrize("turn", TURNED)
@pytest.mark.parametrize("name", sorted(HAIR))
def test_the_hair_or_hat_sits_on_the_top_of_the_turned_skull(name, turn):
    """Across the middle of the skull's top, hair (or the hat) touches it everywhere: a part
    behind the head just above its edge, a part in front over it. No gap of skin or air."""
    skin, back, front = HAIR[name]
    parts = _parts(name, skin, turn)
    head, behind, over = parts["head"], _union(parts, back), _union(parts, front)
    cols = np.flatnonzero(head.any(axis=0))
    x0, x1 = cols[0], cols[-1]
    side = (1 - (HAT_BAND if "hat" in front else HAIR_BAND)) / 2 * (x1 - x0)
    band = range(round(x0 + side), round(x1 - side) + 1)
    touched = 0
    for x in band:
        top = int(np.argmax(head[:, x]))
        touched += bool(over[top:top + TOUCH + 1, x].any() or behind[top - TOUCH:top, x].any())
    assert touched / len(band) >= COVERED, (name, turn, touched / len(band))


@pytest.mark.parametrize("turn", TURNED)
@pytest.mark.parametrize("name", sorted(HAIR))
def test_no_hair_hangs_over_the_face(name, turn):
    """Nothing of the hair covers an eye or the mouth, and in profile none of it shows in front
    of the face's edge below the brow (what hung beside the far cheek tucks in behind)."""
    skin, back, front = HAIR[name]
    parts = _parts(name, skin, turn)
    over = _union(parts, front)
    for feature in ("eyes", "mouth"):
        if parts[feature].any():
            share = (parts[feature] & over).sum() / parts[feature].sum()
            assert share <= OVER_FACE, (name, turn, feature, share)
    if turn == "profile":
        head = parts["head"]
        hair = over | (_union(parts, back) & ~head)
        eyes = np.flatnonzero(parts["eyes"].any(axis=1))
        mouth = np.flatnonzero(parts["mouth"].any(axis=1)) if parts["mouth"].any() else eyes
        for y in range(eyes[0], mouth[-1] + 1):     # brow to mouth: the face a viewer reads
            face_edge = np.flatnonzero(head[y])[-1]
            assert not hair[y, face_edge + 1:].any(), (name, y)


@pytest.mark.parametrize("turn", TURNED)
@pytest.mark.parametrize("name", sorted(HAIR))
def test_the_turn_changes_the_hair_more_than_boil_does(name, turn):
    skin, back, front = HAIR[name]
    drawn = _union(_parts(name, skin, "three_quarter"), back + front)
    turned = _union(_parts(name, skin, turn), back + front)
    boil = _iou(drawn, np.roll(drawn, int(BOIL_UNITS), 1))
    assert _iou(drawn, turned) < boil, (name, turn)


@pytest.mark.parametrize("name", ["coraline", "wybie", "other_mother", "mother"])
def test_the_front_hair_is_symmetric_about_the_skull(name):
    skin, back, front = HAIR[name]
    parts = _parts(name, skin, "front")
    hair = _union(parts, back + front)
    cols = np.flatnonzero(parts["head"].any(axis=0))
    centre2 = cols[0] + cols[-1]                 # twice the skull's middle column
    mirror = np.zeros_like(hair)
    xs = np.arange(hair.shape[1])
    inside = (centre2 - xs >= 0) & (centre2 - xs < hair.shape[1])
    mirror[:, xs[inside]] = hair[:, centre2 - xs[inside]]
    assert _iou(hair, mirror) >= SYMMETRIC, (name, _iou(hair, mirror))


@pytest.mark.parametrize("turn", ("front", "three_quarter", "profile"))
def test_coralines_clip_stays_on_her_hair(turn):
    parts = _parts("coraline", "real", turn)
    clip, hair = parts["clip"], parts["hair_back"] | parts["fringe"]
    assert (clip & hair).sum() / clip.sum() >= ON_HAIR, turn


def test_the_hat_is_centred_on_the_head_from_the_front():
    """Bobinsky's top hat, drawn tilted on the three-quarter head (its brim 11 units lower at
    one end than the other), sits level and central from the front: within a unit."""
    parts = _parts("bobinsky", "other", "front")
    head_cols, hat_cols = (np.flatnonzero(parts[n].any(axis=0)) for n in ("head", "hat"))
    assert abs((hat_cols[0] + hat_cols[-1]) - (head_cols[0] + head_cols[-1])) / 2 <= 1
    ends = [np.flatnonzero(parts["hat"][:, x]).max() for x in (hat_cols[0] + 4, hat_cols[-1] - 4)]
    assert abs(ends[0] - ends[1]) <= 1


@pytest.mark.parametrize("name, skin", [("other_mother", "other_thin"),
                                        ("other_mother", "other_gaunt"), ("wybie", "other")])
def test_a_skin_with_a_skull_of_its_own_has_its_face_placed_on_that_skull(name, skin):
    """The Other Mother's thinner faces and the Other Wybie's rounder one are carved round
    skulls of their own (further forward than the head the face was drawn on): from the front
    the pair of buttons sits in the middle of that skull, within a unit."""
    parts = _parts(name, skin, "front")
    head_cols, eye_cols = (np.flatnonzero(parts[n].any(axis=0)) for n in ("head", "eyes"))
    assert abs((eye_cols[0] + eye_cols[-1]) - (head_cols[0] + head_cols[-1])) / 2 <= 1


# --- the mechanism on shapes of its own ---------------------------------------------------------

SCULPT = Sculpt(at=(0, -70), size=(140, 140), color=(240, 210, 190), eyes=(14, 50))
HAIR_SHAPE = Prim("polygon", smooth=True, points=((-86, -70), (-50, -160), (10, -172), (80, -132),
                                                  (92, -40), (40, -30), (-40, -26)))
CLIP = Prim("ellipse", at=(52, -150), size=(30, 11))
CURL = Prim("ellipse", at=(-80, -60), size=(28, 26))
BUN = Prim("ellipse", at=(-20, -160), size=(44, 38))


def test_from_the_front_a_shape_across_the_middle_is_mirrored_and_one_side_moved():
    hair, clip, curl, twin, bun = turned_part((HAIR_SHAPE, CLIP, CURL, BUN), SCULPT, "front")
    xs = sorted(round(x, 2) for x, _ in hair.points)
    assert xs == sorted(round(-x, 2) for x in xs)            # about the skull's centre, x = 0
    assert clip.at[0] > 0 and clip.at[1] == CLIP.at[1]       # the clip: on its side, once
    assert twin.at == (-curl.at[0], curl.at[1])              # a curl at the back rim: both sides
    assert bun.at[1] == BUN.at[1]                            # a bun on the crown: one bun


def test_in_profile_nothing_below_the_brow_reaches_past_the_face():
    (hair,) = turned_part((HAIR_SHAPE,), SCULPT, "profile")
    brow_top = SCULPT.at[1] - SCULPT.size[1] / 4
    low = [x for x, y in hair.points if y > brow_top]
    assert max(low) < SCULPT.at[0] + SCULPT.size[0] / 2 * 0.92      # behind the brow line
    assert turned_part((HAIR_SHAPE,), SCULPT, "three_quarter") == (HAIR_SHAPE,)


PEAK = Prim("polygon", points=((40, -124), (92, -122), (96, -114), (50, -112)))   # a cap's


def test_a_caps_peak_points_at_the_camera_from_the_front_and_stands_out_in_profile():
    """The ghost boy's peak, seen foreshortened to one side in three-quarter: from the front a
    band across the forehead, centred and symmetric; in profile its whole length (56 units)
    out in front of the brow line."""
    (front,) = turned_part((PEAK,), SCULPT, "front")
    xs = sorted(round(x, 2) for x, _ in front.points)
    assert xs == sorted(round(-x, 2) for x in xs)
    assert xs[-1] - xs[0] >= 0.8 * SCULPT.size[0]
    (side,) = turned_part((PEAK,), SCULPT, "profile")
    xs = [x for x, _ in side.points]
    assert max(xs) - min(xs) == pytest.approx(56)
    assert max(xs) > SCULPT.at[0] + SCULPT.size[0] / 2 * 0.92 + 30


PUPPET = """
puppet: {name}
bones:
  - {{name: root}}
  - {{name: head, parent: root, at: [0, -100]}}
slots:
  - {{name: head, bone: head, attachment: head}}
  - {{name: eyes, bone: head, attachment: eyes, face: true}}
  - {{name: hair, bone: head, attachment: hair{turn}}}
attachments:
  head:
    sculpt: {{at: [0, -70], size: [140, 140], color: "#f0d0c0", eyes: [14, 50]}}
  eyes:
    - {{shape: ellipse, at: [14, -74], size: [20, 20]}}
  hair:
    - {{shape: polygon, points: [[-86, -70], [-50, -160], [10, -172], [80, -132], [92, -40]]}}
{extra}
"""


def _puppet(tmp_path, turn="", extra=""):
    path = tmp_path / "doll.yaml"
    path.write_text(PUPPET.format(name="doll", turn=turn, extra=extra))
    return load_puppet(path)


SIDE_BARE = 0.05      # share of the side of the skull behind the ear that may show bare in profile


@pytest.mark.parametrize("name", ["coraline", "mother", "other_mother"])
def test_in_profile_the_hair_covers_the_side_of_the_head_behind_the_ear(name):
    """Seen side on, a bob covers the skull behind the ear (but for a sliver before it) down to
    where the back hair ends: no bald patch between the ear and the back of the hair (on the
    old code 78-92 % of that side showed skin)."""
    skin, back, front = HAIR[name]
    parts = _parts(name, skin, "profile")
    head, behind, over = parts["head"], _union(parts, back), _union(parts, front)
    from renderer.load.riding import EAR_GAP
    ear, width = _ear_mask(name, skin), np.ptp(np.flatnonzero(head.any(axis=0)))
    ear_back = int(np.flatnonzero(ear.any(axis=0))[0] - EAR_GAP * width)   # the gap left
    side = np.zeros_like(head)
    for x in range(ear_back):       # each column of the skull behind the ear, down to where
        hair = np.flatnonzero(behind[:, x])          # the back hair ends in that column
        if hair.size:
            side[:hair[-1] + 1, x] = head[:hair[-1] + 1, x]
    bare = side & ~over
    assert bare.sum() / side.sum() <= SIDE_BARE, (name, bare.sum() / side.sum())


EAR_SHOWS = 0.9      # share of the ear left showing: the side hair's cut edge boils, and its
                     # anti-aliased rim lies over the ear's back rim by a pixel or two


def test_the_side_hair_in_profile_stays_behind_the_ear():
    """The back hair laid over the side of the head stops at the ear: the ear still shows."""
    for name in ("coraline", "mother", "other_mother"):
        skin, _, front = HAIR[name]
        parts = _parts(name, skin, "profile")
        ear = _ear_mask(name, skin)
        covered = (ear & _union(parts, front)).sum() / ear.sum()
        assert covered <= 1 - EAR_SHOWS, (name, covered)


def _ear_mask(name: str, skin: str) -> np.ndarray:
    """The profile ear of `name`'s head (the sculpt's `profile_ear`) on the CANVAS grid."""
    import yaml

    from renderer.load.heads import profile_ear
    puppet = load_puppet(REPO / "puppets" / f"{name}.yaml")
    head = slot_attachments(puppet, skin, "neutral", None, False)[
        [s.name for s in puppet.slots].index("head")]
    spec = yaml.safe_load((REPO / "puppets" / f"{name}.yaml").read_text())
    m = spec["attachments"][head]["sculpt"]
    sculpt = Sculpt(at=tuple(m["at"]), size=tuple(m["size"]), color=(0, 0, 0),
                    eyes=tuple(m["eyes"]))
    (ex, ey), (ew, eh) = profile_ear(sculpt)
    return _mask((Prim("ellipse", at=(ex, ey), size=(ew, eh)),))


def test_a_slot_on_the_head_rides_the_skull_unless_it_says_otherwise(tmp_path):
    riding = _puppet(tmp_path)
    assert riding.attachments["hair@profile"] != riding.attachments["hair"]
    fixed = _puppet(tmp_path, ", turn: fixed")
    assert fixed.turned("hair", "profile") == "hair"                  # as drawn on every turn
    as_face = _puppet(tmp_path, ", turn: face")
    assert as_face.attachments["hair@profile"] != riding.attachments["hair@profile"]


def test_a_part_drawn_by_hand_for_a_turn_wins(tmp_path):
    extra = "  hair@front:\n    - {shape: ellipse, at: [0, -150], size: [150, 60]}"
    puppet = _puppet(tmp_path, extra=extra)
    assert puppet.attachments["hair@front"] == (Prim("ellipse", at=(0, -150), size=(150, 60)),)


def test_an_unknown_turn_of_a_slot_is_refused_where_it_is_written(tmp_path):
    with pytest.raises(PuppetError) as caught:
        _puppet(tmp_path, ", turn: spin")
    message = caught.value.format()
    assert "doll.yaml:9" in message and "turn" in message and "skull" in message
