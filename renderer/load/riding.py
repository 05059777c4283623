"""Parts that ride the skull (hair, fringes, hats, clips, helmets) moved onto each turned head.

A sculpted head is carved once per turn (`heads.sculpted_heads`); what sits on it was drawn
once, for the three-quarter view. Every turn maps that drawing across the skull the way the
skull itself turns: a point's x is carried from the three-quarter skull to the turned one by
a piecewise-linear map through three stations, the skull's back edge, the line down the middle
of the face, and the skull's front edge, while y stays. The face's middle line sits at the
eyes' midpoint at eye height and bends toward the skull's centre over the crown (where every
turn sees the top of the head in the same place), so a hat or a bun on top stays on top.

- front: the middle line goes to the skull's centre, the far half (foreshortened in the
  three-quarter drawing) opens out, and the part is made mirror-symmetric: a shape across the
  middle keeps its near half (the one the drawing shows best) and that half mirrored (a hat's
  crown, band or brim is set square on the middle); a shape at the back rim (curls, a tuft)
  gets its twin on the other side; a shape on one side only (a clip, a badge) is moved, not
  copied; a cap's peak, seen sticking out sideways, points at the camera as a band across the
  forehead.
- profile: the back of the head opens out (the back of the hair kept), the far half of the
  face narrows to the brow line, and no point below the brow reaches over the face's edge:
  hair that hung beside the far cheek tucks in behind the face instead of hanging in front of
  it; a cap's peak keeps its whole length out in front. The side of the head is seen whole, so
  the back hair's part behind the ear is laid over it too (`behind_the_ear`, worn with the
  front hair): a bob covers the skull down to where it ends instead of leaving it bare
  between the ear and the back of the hair.

A part drawn by hand as `PART@TURN` wins over the moved one (the loader keeps it).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from renderer.load.heads import (
    PROFILE_WIDE,
    Sculpt,
    profile_ear,
    profile_edge,
    profile_face,
    turned_face,
)
from renderer.model.art import Prim
from renderer.model.vocab import BASE_TURN, TURNS

STRADDLE = 0.15        # a shape crosses the middle when this share of its width lies each side
SNAP = 0.1             # skull half-widths from the middle within which a corner is put on it
LEVEL = 0.5            # ... and within which the next corner sets the height where the outline
                       # meets the middle (so the crown drawn a little off the middle stays
                       # one crown, not two humps with a notch between)
BACK_RIM = 0.6         # a shape centred further back than this many half-widths, ...
SIDE = 0.7             # ... at a height where the skull is at least this share of its width
                       # (not on the crown, where a bun is one bun from every side): the back rim
BRIM = 3.0             # a peak is at least this many times as long as it is deep
BRIM_SPAN = 0.9        # skull widths a peak spans, seen from the front
PROFILE_TUCK = 0.06    # skull widths behind the face's edge that hair below the brow keeps
FAR_SLOPE = 0.3        # in profile, what stands out past the far edge stands out this much
EAR_GAP = 0.03         # skull widths between the ear and the side hair cut behind it (a smooth
                       # outline rounds its corners out a little past the cut)


@dataclass(frozen=True)
class TurnMap:
    """x on the three-quarter head to x on a turned one, at any height: piecewise linear through
    (back edge, the face's middle line, front edge), slope `outside` beyond either edge."""

    sculpt: Sculpt
    back: float              # where the skull's back edge goes
    middle: float            # where the face's middle line goes at eye height
    front: float             # where the skull's front edge goes
    outside: tuple[float, float]   # slopes behind the back edge and past the front edge

    def _stations(self, y: float) -> tuple[np.ndarray, np.ndarray]:
        s = self.sculpt
        cx, a = s.at[0], s.size[0] / 2
        h = crown_factor(s, y)
        mid = (s.eyes[0] + s.eyes[1]) / 2
        return (np.array([cx - a, cx + (mid - cx) * h, cx + a]),
                np.array([self.back, cx + (self.middle - cx) * h, self.front]))

    def __call__(self, x: float, y: float) -> float:
        xs, ys = self._stations(y)
        if x < xs[0]:
            return float(ys[0] + (x - xs[0]) * self.outside[0])
        if x > xs[-1]:
            return float(ys[-1] + (x - xs[-1]) * self.outside[1])
        return float(np.interp(x, xs, ys))

    def slope(self, x: float, y: float) -> float:
        """How much the map widens what lies at (x, y)."""
        return self(x + 0.5, y) - self(x - 0.5, y)


def crown_factor(s: Sculpt, y: float) -> float:
    """1 at eye height and below, falling to 0 at the top of the skull and above: how far from
    the skull's centre the face's middle line runs at height y (it bends over the crown)."""
    up = (s.at[1] - y) / (s.size[1] / 2)
    return math.sqrt(1 - min(max(up, 0.0), 1.0) ** 2)


def turn_map(s: Sculpt, turn: str) -> TurnMap:
    (cx, _), (w, _) = s.at, s.size
    a = w / 2
    mid = (s.eyes[0] + s.eyes[1]) / 2
    if turn == "front":
        return TurnMap(s, cx - a, cx, cx + a, (1.0, 1.0))
    if turn == "profile":   # the middle line lands where the face parts put it
        middle = turned_face((Prim("ellipse", at=(mid, s.at[1])),), s, "profile")[0].at[0]
        return TurnMap(s, cx - a * PROFILE_WIDE, middle, profile_edge(s), (1.0, FAR_SLOPE))
    raise ValueError(f"unknown turn {turn!r}; turns: {TURNS}")


def turned_part(shapes: tuple[Prim, ...], s: Sculpt, turn: str) -> tuple[Prim, ...]:
    """`shapes` of a part drawn on the three-quarter head, moved onto the sculpt's `turn`."""
    if turn == BASE_TURN:
        return shapes
    m = turn_map(s, turn)
    if turn == "front":
        out: list[Prim] = []
        for p in shapes:
            out += _symmetric(_brim_to_front(p, s) if _is_brim(p, s) else p, m, s)
        return tuple(out)
    return tuple(_tucked(_brim_out(p, m) if _is_brim(p, s) else _moved(p, m), s)
                 for p in shapes)


# --- moving one shape --------------------------------------------------------------------------

def _moved(p: Prim, m: TurnMap) -> Prim:
    """`p` with its points (or centre) carried by `m`, an ellipse or rect widened as the map
    widens where it sits."""
    if p.shape in ("ellipse", "rect"):
        return replace(p, at=(m(*p.at), p.at[1]), size=(p.size[0] * m.slope(*p.at), p.size[1]))
    return replace(p, points=tuple((m(x, y), y) for x, y in p.points))


def _span(p: Prim) -> tuple[float, float]:
    """The x extent of `p` (an ellipse's or rect's box, unrotated: enough to tell its side)."""
    if p.shape in ("ellipse", "rect"):
        return p.at[0] - p.size[0] / 2, p.at[0] + p.size[0] / 2
    xs = [x for x, _ in p.points]
    return min(xs), max(xs)


def _is_brim(p: Prim, s: Sculpt) -> bool:
    """A cap's peak (a brim pointing the way the face looks): a flat shape wholly on the face's
    side of its middle line that reaches past the skull's front edge. The three-quarter view
    sees it foreshortened, sticking out to one side."""
    if p.shape not in ("polygon", "ellipse", "rect"):
        return False
    x0, x1 = _span(p)
    ys = [y for _, y in p.points] if p.points else [p.at[1] - p.size[1] / 2, p.at[1] + p.size[1] / 2]
    mid = (s.eyes[0] + s.eyes[1]) / 2
    return x0 >= mid and x1 > s.at[0] + s.size[0] / 2 and x1 - x0 >= BRIM * (max(ys) - min(ys))


def _brim_to_front(p: Prim, s: Sculpt) -> Prim:
    """A peak seen from the front points at the camera: a band across the forehead, centred
    on the skull (BRIM_SPAN of its width); `_symmetric` then mirrors it."""
    x0, x1 = _span(p)
    k, cx = BRIM_SPAN * s.size[0] / max(x1 - x0, 1e-6), s.at[0]
    if p.shape in ("ellipse", "rect"):
        return replace(p, at=(cx, p.at[1]), size=(p.size[0] * k, p.size[1]), rot=0.0)
    return replace(p, points=tuple((cx + (x - (x0 + x1) / 2) * k, y) for x, y in p.points))


def _brim_out(p: Prim, m: TurnMap) -> Prim:
    """A peak in profile: where it meets the head moved as the head turns, its whole length
    standing out in front (not narrowed as what lies on the far side is)."""
    x0, _ = _span(p)
    y0 = p.at[1] if p.shape in ("ellipse", "rect") else p.points[0][1]
    base = m(x0, y0)
    if p.shape in ("ellipse", "rect"):
        return replace(p, at=(base + p.at[0] - x0, p.at[1]))
    return replace(p, points=tuple((base + x - x0, y) for x, y in p.points))


def _symmetric(p: Prim, m: TurnMap, s: Sculpt) -> list[Prim]:
    """`p` on the front head: across the middle, made mirror-symmetric from its near half; at
    the back rim, with its twin on the other side; on one side only, moved."""
    cx, a = s.at[0], s.size[0] / 2
    q = _moved(p, m)
    x0, x1 = _span(q)
    margin = STRADDLE * (x1 - x0)
    if x0 < cx - margin and x1 > cx + margin:
        if q.shape in ("ellipse", "rect"):   # a crown, a band, a brim, a bun: square on top;
            if q.size[0] >= q.size[1]:        # a tall one (a feather of a fan) moves as it is
                return [replace(q, at=(cx, q.at[1]), rot=0.0)]
            return [q]
        if q.shape == "polygon":
            return [replace(q, points=_mirror_polygon(q.points, cx, SNAP * a, LEVEL * a))]
        if q.shape == "line":
            return [replace(q, points=_mirror_line(q.points, cx, SNAP * a, LEVEL * a))]
        return [q]
    y = q.at[1] if q.shape in ("ellipse", "rect") else float(np.mean([y for _, y in q.points]))
    if ((x0 + x1) / 2 < cx - BACK_RIM * a and crown_factor(s, y) >= SIDE
            and q.shape in ("ellipse", "polygon")):
        return [q, _mirrored(q, cx)]
    return [q]


def _mirrored(p: Prim, cx: float) -> Prim:
    if p.shape in ("ellipse", "rect"):
        return replace(p, at=(2 * cx - p.at[0], p.at[1]), rot=-p.rot)
    return replace(p, points=tuple((2 * cx - x, y) for x, y in reversed(p.points)))


def _crossing(a: tuple[float, float], b: tuple[float, float], cx: float) -> tuple[float, float]:
    t = (cx - a[0]) / (b[0] - a[0])
    return cx, a[1] + t * (b[1] - a[1])


def _mirror_polygon(points, cx: float, snap: float,
                    level: float) -> tuple[tuple[float, float], ...]:
    """The polygon's part left of x = cx (clipped there), joined to its mirror image: one
    symmetric outline. A corner within `snap` of the middle is put on it; where the outline
    meets the middle, it does so at the height of the corner before, if that lies within
    `level` (else a crown drawn a little off the middle becomes two humps with a notch between).
    Where the part leaves the middle line more than once, it is opened across the longest
    stretch along the middle (the body of the shape); the others stay notches at the middle."""
    pts = [(cx if abs(x - cx) < snap else float(x), float(y)) for x, y in points]
    kept: list[tuple[float, float]] = []
    leaving: list[int] = []          # crossings out to the right: the clipped run starts there
    for i, a in enumerate(pts):
        b = pts[(i + 1) % len(pts)]
        if a[0] <= cx:
            kept.append(a)
        if (a[0] <= cx) != (b[0] <= cx):
            if a[0] <= cx:
                leaving.append(len(kept))
            kept.append(_crossing(a, b, cx))
    if not leaving:
        return tuple(pts)
    n = len(kept)
    out = max(leaving, key=lambda i: abs(kept[i][1] - kept[(i + 1) % n][1]))
    chain = [kept[(out + 1 + k) % n] for k in range(n)]      # from coming back in ... to out
    for end, beside in ((0, 1), (-1, -2)):
        if len(chain) > 2 and cx - chain[beside][0] < level:
            chain[end] = (cx, chain[beside][1])
    mirror = [(2 * cx - x, y) for x, y in reversed(chain[1:-1])]
    return _distinct(chain + mirror)


def _distinct(points) -> tuple[tuple[float, float], ...]:
    """`points` rounded, without a point repeating the one before it."""
    out: list[tuple[float, float]] = []
    for x, y in points:
        p = (round(x, 2), round(y, 2))
        if not out or p != out[-1]:
            out.append(p)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return tuple(out)


def _mirror_line(points, cx: float, snap: float,
                 level: float) -> tuple[tuple[float, float], ...]:
    """A line across the middle: its run from the left end to where it first reaches the
    middle (a point within `snap` of it put on it, and at the height of the point before if
    that lies within `level`), then that run mirrored back out."""
    pts = [(cx if abs(x - cx) < snap else float(x), float(y)) for x, y in points]
    if pts[0][0] > pts[-1][0]:
        pts.reverse()
    run = [pts[0]]
    for a, b in zip(pts, pts[1:]):
        if b[0] >= cx:
            run.append(_crossing(a, b, cx) if a[0] != b[0] else b)
            break
        run.append(b)
    if len(run) > 2 and cx - run[-2][0] < level:
        run[-1] = (cx, run[-2][1])
    mirror = [(2 * cx - x, y) for x, y in reversed(run[:-1])]
    return _distinct(run + mirror)


# --- profile: nothing over the face ------------------------------------------------------------

def _tucked(p: Prim, s: Sculpt) -> Prim:
    """`p` with whatever of it lies below the brow's top kept behind the profile's face edge
    (less PROFILE_TUCK): tucked behind the face rather than hanging in front of it."""
    edge = profile_face(s, nose=False)
    top = edge[0][1]
    chin = max(range(len(edge)), key=lambda i: edge[i][1])
    ys, xs = [y for _, y in edge[:chin + 1]], [x for x, _ in edge[:chin + 1]]
    behind_jaw = edge[-2][0]       # under the chin: as far back as the jaw meets the neck
    tuck = PROFILE_TUCK * s.size[0]

    def limit(y: float) -> float:
        return float(np.interp(y, ys, xs)) - tuck if y <= ys[-1] else behind_jaw - tuck

    if p.shape in ("ellipse", "rect"):
        x, y = p.at
        if y <= top:
            return p
        return replace(p, at=(min(x, limit(y) - p.size[0] / 2), y))
    return replace(p, points=tuple((x if y <= top else min(x, limit(y)), y)
                                   for x, y in p.points))


# --- profile: the side of the head -------------------------------------------------------------

def behind_the_ear(shapes: tuple[Prim, ...], s: Sculpt) -> tuple[Prim, ...]:
    """What of `shapes` (the back hair, already on the profile head) lies behind the ear's back
    edge: each polygon cut along that line, each ellipse or rect wholly behind it kept, the rest
    (lines, shapes across the ear) left out."""
    (ex, _), (ew, _) = profile_ear(s)
    edge = ex - ew / 2 - EAR_GAP * s.size[0]
    out = []
    for p in shapes:
        if p.shape == "polygon" and p.points:
            points = _cut_at(p.points, edge)
            if len(points) >= 3:
                out.append(replace(p, points=points))
        elif p.shape in ("ellipse", "rect") and p.at[0] + p.size[0] / 2 <= edge:
            out.append(p)
    return tuple(out)


def _cut_at(points, edge: float) -> tuple[tuple[float, float], ...]:
    """The polygon `points` cut to x <= edge (one pass of Sutherland-Hodgman)."""
    out = []
    n = len(points)
    for i in range(n):
        (x0, y0), (x1, y1) = points[i - 1], points[i]
        inside0, inside1 = x0 <= edge, x1 <= edge
        if inside1:
            if not inside0:
                out.append((edge, y0 + (y1 - y0) * (edge - x0) / (x1 - x0)))
            out.append((x1, y1))
        elif inside0:
            out.append((edge, y0 + (y1 - y0) * (edge - x0) / (x1 - x0)))
    return tuple((round(x, 2), round(y, 2)) for x, y in out)
