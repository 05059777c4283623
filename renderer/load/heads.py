"""Sculpted heads: a puppet's head as a few measurements (skull, jaw, chin, nose, ears) made
into one replacement head per turn (front, three-quarter, profile), and its face parts moved
onto each turned head.

A stop-motion studio carves a head once per turn and swaps it on the armature between
exposures, as it swaps mouths; here each turned head is an ordinary attachment named
`NAME@TURN` (the three-quarter one keeps the plain name: it is how every puppet was drawn),
so it is painted once, cached, lit and boiled like any other part.

The face parts (eyes, buttons, brows, mouths) were drawn for the three-quarter view. A turn
moves them by where the sculpt says the near and far eye sit (`eyes: [near_x, far_x]`): the
front spreads them symmetrically about the skull; the profile narrows them toward the face's
edge and leaves out the far side (the far eye is behind the nose). A part a puppet draws by
hand under the name `PART@TURN` is kept instead of the moved one.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

from renderer.load.fields import Field
from renderer.load.shapes import COORD, SIZE, read_prim
from renderer.model.art import Prim
from renderer.model.vocab import BASE_TURN, GRADIENTS, TURNS

SCULPT_FIELDS = ("at", "size", "color", "color2", "gradient", "jaw", "chin", "nose", "ears",
                 "blush", "eyes", "sharp", "material", "features", "opacity")
SCULPT_REQUIRED = ("at", "size", "color", "eyes")
FRONT_SPREAD = 1.1      # the eyes of a face seen from the front sit a little wider than 3/4 shows
FRONT_EARS = 0.97       # skull half-widths from the centre to the ears, seen from the front
PROFILE_NARROW = 0.75   # ... and in profile the near half of the face is seen narrower
PROFILE_EYE_IN = 0.17   # skull widths from the profile's brow back to the near eye's centre
PROFILE_LIPS_IN = 0.08  # skull widths inside the brow line where the face's centre line lands
FAR_SIDE = 0.25         # beyond the eyes' midpoint by this much of half their spacing: far side
PROFILE_WIDE = 1.04     # the profile's skull is a little longer, front to back, than it is wide


@dataclass(frozen=True)
class Sculpt:
    """A head's measurements, in the head bone's units (y down, the face toward +x).

    at, size: the skull's centre and its width and height. jaw: the jaw's width as a fraction
    of the skull's (1 a square jaw, 0.3 a needle). chin: how far the chin hangs below the skull.
    nose: how far the nose stands out in profile. eyes: x of the near and far eye in the
    three-quarter drawing of the face. sharp: straight cuts instead of a rounded outline.
    features: shapes carved into the face as drawn three-quarter (sockets, hollows, lines),
    moved onto every turn as the face parts are."""

    at: tuple[float, float]
    size: tuple[float, float]
    color: tuple[int, int, int]
    eyes: tuple[float, float]
    jaw: float = 0.8
    chin: float = 0.0
    nose: float = 10.0
    ears: bool = True
    blush: tuple[int, int, int] | None = None
    sharp: bool = False
    material: str = "clay"
    color2: tuple[int, int, int] | None = None
    gradient: str = "none"
    opacity: float = 1.0
    features: tuple[Prim, ...] = ()


def is_sculpt(f: Field) -> bool:
    return isinstance(f.node.value, dict) and "sculpt" in f.node.value


def read_sculpt(f: Field) -> Sculpt:
    """`head: {sculpt: {at, size, color, eyes, jaw, chin, nose, ears, blush, sharp}}`."""
    m = f.mapping(("sculpt",), required=("sculpt",))["sculpt"].mapping(SCULPT_FIELDS,
                                                                    required=SCULPT_REQUIRED)
    w, h = m["size"].vec2(1, SIZE)
    near, far = m["eyes"].vec2(-COORD, COORD)
    if far <= near:
        m["eyes"].fail("[near_x, far_x] with the far eye further toward the face (+x)",
                       f"[{near:g}, {far:g}]")
    kw: dict = {"at": m["at"].vec2(-COORD, COORD), "size": (w, h), "color": m["color"].color(),
                "eyes": (near, far)}
    if "jaw" in m:
        kw["jaw"] = m["jaw"].number(0.2, 1.4)
    if "chin" in m:
        kw["chin"] = m["chin"].number(-h / 4, h)
    if "nose" in m:
        kw["nose"] = m["nose"].number(0, w)
    if "ears" in m:
        kw["ears"] = m["ears"].bool()
    if "blush" in m and m["blush"].node.value is not None:
        kw["blush"] = m["blush"].color()
    if "sharp" in m:
        kw["sharp"] = m["sharp"].bool()
    if "material" in m:
        kw["material"] = m["material"].choice(("clay", "resin", "plain", "felt", "wood", "glow"))
    if "color2" in m:
        kw["color2"] = m["color2"].color()
    if "gradient" in m:
        kw["gradient"] = m["gradient"].choice(GRADIENTS)
    if "opacity" in m:
        kw["opacity"] = m["opacity"].number(0.05, 1)
    if "features" in m:
        kw["features"] = tuple(read_prim(p) for p in m["features"].list(min_len=1, max_len=40))
    return Sculpt(**kw)


def shade(c: tuple[int, int, int], k: float) -> tuple[int, int, int]:
    """`c` darkened to `k` of itself: the skin in a fold (ears, the nose's side)."""
    return (round(c[0] * k), round(c[1] * k), round(c[2] * k))


def sculpted_heads(s: Sculpt) -> dict[str, tuple[Prim, ...]]:
    """The head carved once per turn, its features placed on it: turn name -> its shapes."""
    carved = {"front": _front(s), "three_quarter": _three_quarter(s), "profile": _profile(s)}
    return {turn: shapes + turned_face(s.features, s, turn) for turn, shapes in carved.items()}


def _outline(s: Sculpt, points: list[tuple[float, float]]) -> Prim:
    return Prim("polygon", points=tuple((round(x, 2), round(y, 2)) for x, y in points),
                smooth=not s.sharp, color=s.color, material=s.material, color2=s.color2,
                gradient=s.gradient, opacity=s.opacity)


def _arc(s: Sculpt, start: float, end: float, n: int, wide: float = 1.0) -> list:
    """Points of the skull's ellipse from angle `start` to `end` (degrees, y down: -90 is the top)."""
    (cx, cy), (w, h) = s.at, s.size
    a, b = w / 2 * wide, h / 2
    return [(cx + a * math.cos(math.radians(t)), cy + b * math.sin(math.radians(t)))
            for t in (start + (end - start) * i / (n - 1) for i in range(n))]


def _front(s: Sculpt) -> tuple[Prim, ...]:
    (cx, cy), (w, h) = s.at, s.size
    a, b, jaw, chin = w / 2, h / 2, s.jaw, s.chin
    right = [(cx + a * 0.97, cy + 0.3 * b), (cx + a * 0.86 * jaw, cy + 0.74 * b),
             (cx + a * 0.3 * jaw, cy + 0.97 * b + chin * 0.85)]
    left = [(2 * cx - x, y) for x, y in reversed(right)]
    outline = _arc(s, 180, 360, 9) + right + [(cx, cy + b + chin)] + left
    ear = shade(s.color, 0.9)
    shapes = []
    if s.ears:
        shapes += [Prim("ellipse", at=(cx + side * a * FRONT_EARS, cy + 0.12 * b),
                        size=(0.16 * w, 0.28 * h), color=ear, material=s.material, opacity=s.opacity)
                   for side in (-1, 1)]
    shapes.append(_outline(s, outline))
    shapes.append(Prim("ellipse", at=(cx, cy + 0.3 * b), size=(0.1 * w + s.nose * 0.2, 0.16 * h),
                       color=shade(s.color, 0.93), material=s.material, opacity=s.opacity))
    if s.blush is not None:
        shapes += [Prim("ellipse", at=(cx + side * 0.5 * a, cy + 0.45 * b), size=(0.15 * w, 0.08 * h),
                        color=s.blush, material="felt", opacity=0.55) for side in (-1, 1)]
    return tuple(shapes)


def _three_quarter(s: Sculpt) -> tuple[Prim, ...]:
    (cx, cy), (w, h) = s.at, s.size
    a, b, jaw, chin = w / 2, h / 2, s.jaw, s.chin
    near, far = s.eyes
    mid = (near + far) / 2                       # the face's centre line, turned toward +x
    face = [(cx + a * 0.98, cy + 0.26 * b),
            (mid + (cx + a - mid) * 0.82 * jaw, cy + 0.74 * b),
            (mid + 0.06 * w * jaw, cy + b + chin),
            (mid - 0.16 * w * jaw, cy + 0.98 * b + chin * 0.8),
            (cx - a * (0.3 + 0.3 * jaw), cy + 0.8 * b),     # a narrow chin, not a thin neck
            (cx - a * 0.97, cy + 0.3 * b)]
    outline = _arc(s, 180, 360, 9) + face
    nose_x = far + (far - near) * 0.25
    tip = min(s.nose * 0.45, a * 0.35)
    shapes = [_outline(s, outline),
              Prim("polygon", smooth=not s.sharp, color=shade(s.color, 0.94), material=s.material,
                   opacity=s.opacity,
                   points=((nose_x - 5, cy + 0.02 * b), (nose_x + 3 + tip, cy + 0.3 * b),
                           (nose_x - 2, cy + 0.36 * b), (nose_x - 9, cy + 0.3 * b)))]
    if s.ears:
        shapes += _ear(s, (cx - a * 0.58, cy + 0.12 * b), (0.14 * w, 0.26 * h),
                       (0.07 * w, 0.15 * h))
    if s.blush is not None:
        shapes += [Prim("ellipse", at=(near - 0.1 * w, cy + 0.4 * b), size=(0.15 * w, 0.08 * h),
                        color=s.blush, material="felt", opacity=0.55),
                   Prim("ellipse", at=(far + 0.04 * w, cy + 0.44 * b), size=(0.12 * w, 0.07 * h),
                        color=s.blush, material="felt", opacity=0.55)]
    return tuple(shapes)


def _ear(s: Sculpt, at: tuple[float, float], size: tuple[float, float],
         hollow: tuple[float, float]) -> list[Prim]:
    """An ear at `at` (its middle), a shade darker than the skin, with a darker hollow in it."""
    return [Prim("ellipse", at=at, size=size, color=shade(s.color, 0.9), material=s.material,
                 opacity=s.opacity),
            Prim("ellipse", at=(at[0] + 2, at[1]), size=hollow, color=shade(s.color, 0.8),
                 material=s.material, opacity=s.opacity)]


def profile_ear(s: Sculpt) -> tuple[tuple[float, float], tuple[float, float]]:
    """(middle, size) of the ear on the profile: a little behind the skull's centre."""
    (cx, cy), (w, h) = s.at, s.size
    return (cx - w / 2 * 0.16, cy + h / 2 * 0.1), (0.17 * w, 0.27 * h)


def profile_edge(s: Sculpt) -> float:
    """The x of the profile's brow line: the face's front edge, nose aside."""
    return s.at[0] + s.size[0] / 2 * 0.92


def profile_face(s: Sculpt, nose: bool = True) -> list[tuple[float, float]]:
    """The profile's face edge, top to bottom: from the brow's top down past the nose (its tip
    left out with `nose=False`) to the chin, then back along the jaw to the neck."""
    (cx, cy), (w, h) = s.at, s.size
    a, b, jaw, chin = w / 2, h / 2, s.jaw, s.chin
    e = profile_edge(s)
    tip = [(e + 0.03 * w + max(s.nose, 3.0), cy + 0.26 * b)] if nose else []
    return ([(e - 0.02 * w, cy - 0.5 * b), (e + 0.03 * w, cy - 0.14 * b),
             (e + 0.01 * w, cy + 0.02 * b)] + tip
            + [(e + 0.02 * w, cy + 0.36 * b), (e + 0.04 * w, cy + 0.48 * b),
               (e + 0.0 * w, cy + 0.56 * b), (e + 0.03 * w, cy + 0.66 * b),
               (e - 0.1 * w * (1.3 - jaw) + chin * 0.2, cy + 0.94 * b + chin * 0.8),  # the chin
               (cx + a * (0.6 * jaw - 0.1), cy + 0.76 * b + chin * 0.3),     # the jaw's angle
               (cx - a * 0.1, cy + 0.66 * b), (cx - a * 0.55, cy + 0.7 * b)])


def _profile(s: Sculpt) -> tuple[Prim, ...]:
    (cx, cy), (w, h) = s.at, s.size
    a, b = w / 2, h / 2
    e = profile_edge(s)
    outline = _arc(s, 150, 298, 9, wide=PROFILE_WIDE) + profile_face(s)
    shapes = [_outline(s, outline)]
    if s.ears:
        shapes += _ear(s, *profile_ear(s), (0.08 * w, 0.15 * h))
    if s.blush is not None:
        shapes.append(Prim("ellipse", at=(e - 0.3 * w, cy + 0.42 * b), size=(0.16 * w, 0.08 * h),
                           color=s.blush, material="felt", opacity=0.55))
    return tuple(shapes)


# --- face parts on a turned head ---------------------------------------------------------------

def _centre_x(p: Prim) -> float:
    if p.shape in ("ellipse", "rect") or not p.points:
        return p.at[0]
    return sum(x for x, _ in p.points) / len(p.points)


def _moved(p: Prim, fx, size_k: float) -> Prim:
    """`p` with every x mapped by `fx` and its widths scaled by `size_k`."""
    return replace(p, at=(fx(p.at[0]), p.at[1]), size=(p.size[0] * size_k, p.size[1]),
                   points=tuple((fx(x), y) for x, y in p.points))


def turned_face(shapes: tuple[Prim, ...], s: Sculpt, turn: str) -> tuple[Prim, ...]:
    """Face part `shapes`, drawn for the three-quarter view, placed on the sculpt's `turn`."""
    near, far = s.eyes
    mid = (near + far) / 2
    if turn == BASE_TURN:
        return shapes
    if turn == "front":
        # what reached back toward the ear (the arm of a pair of glasses, a goggles' strap)
        # ends at the ear: from the front it goes round the head, not off into the air
        cx, reach = s.at[0], s.size[0] / 2 * FRONT_EARS
        return tuple(_moved(p, lambda x: min(max(cx + (x - mid) * FRONT_SPREAD, cx - reach),
                                             cx + reach), 1.0) for p in shapes)
    if turn == "profile":
        eye = profile_edge(s) - PROFILE_EYE_IN * s.size[0]
        limit = mid + (far - mid) * FAR_SIDE
        # the near half of the face, narrowed so that what lay on the centre line (the mouth)
        # stays inside the profile's edge instead of hanging off it like a second nose
        k = min(PROFILE_NARROW, (profile_edge(s) - PROFILE_LIPS_IN * s.size[0] - eye)
                / max(limit - near, 1e-6))
        return tuple(_moved(p, lambda x: eye + (x - near) * k, k)
                     for p in shapes if _centre_x(p) <= limit)
    raise ValueError(f"unknown turn {turn!r}; turns: {TURNS}")
