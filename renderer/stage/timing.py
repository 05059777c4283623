"""Stepped time: seconds at the edge, whole frames inside.

An exposure is one photograph of the set: it starts at a whole frame and is held for `hold` frames
(2 on twos). The pose is sampled at the exposure's first frame and held; nothing moves between the
frames of one hold.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence


def frames_for(seconds: float, fps: int) -> int:
    """Whole frames covering `seconds` (a float tolerance so 4.0 s at 24 fps is 96, not 97)."""
    return max(0, math.ceil(seconds * fps - 1e-6))


def frame_at(seconds: float, fps: int, frames: int) -> int:
    """The frame on screen at `seconds` into a run of `frames` frames: frame k shows from k/fps
    until (k+1)/fps, and the very end of the run shows its last frame."""
    return min(frames - 1, max(0, math.floor(seconds * fps + 1e-6)))


def seconds_text(seconds: float) -> str:
    """Seconds for people: '0.04 s', '2.5 s', '231 s' (never '0.0 s' for a frame-long shot)."""
    return f"{seconds:.2f}".rstrip("0").rstrip(".") + " s"


@dataclass(frozen=True)
class Exposure:
    """One photograph: shot-local `index`, first `frame` (shot-local), `hold` frames, sample `time`
    in seconds from the shot's start."""

    index: int
    frame: int
    hold: int
    time: float


def exposure_sheet(n_frames: int, fps: int, step_at: Callable[[int], int]) -> list[Exposure]:
    """Exposures covering frames 0..n_frames-1.

    `step_at(frame)` gives the hold length (1, 2 or 3) wanted at a frame: the shot's step, or an
    action's own step while that action runs. A hold never runs past the end of the shot.
    """
    sheet: list[Exposure] = []
    frame = 0
    while frame < n_frames:
        hold = min(step_at(frame), n_frames - frame)
        sheet.append(Exposure(len(sheet), frame, hold, frame / fps))
        frame += hold
    return sheet


def exposure_at(sheet: Sequence[Exposure], frame: int) -> Exposure:
    """The exposure that shows shot-local `frame` (binary search: sheets are ordered)."""
    lo, hi = 0, len(sheet) - 1
    if not sheet or not (0 <= frame < sheet[-1].frame + sheet[-1].hold):
        raise IndexError(f"frame {frame} is outside the sheet")
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if sheet[mid].frame <= frame:
            lo = mid
        else:
            hi = mid - 1
    return sheet[lo]


def spread(sheet: Sequence[Exposure], n: int) -> list[Exposure]:
    """`n` different exposures of `sheet` evenly spread from its first to its last (all of them
    when it has `n` or fewer): the thumbnails of a contact sheet, none shown twice."""
    m = len(sheet)
    if m <= n:
        return list(sheet)
    if n == 1:
        return [sheet[0]]
    return [sheet[round(k * (m - 1) / (n - 1))] for k in range(n)]


def _smooth(p: float) -> float:
    return p * p * (3 - 2 * p)


EASINGS: dict[str, Callable[[float], float]] = {
    "linear": lambda p: p,
    "in": lambda p: p * p * p,
    "out": lambda p: 1 - (1 - p) ** 3,
    "in_out": lambda p: 4 * p ** 3 if p < 0.5 else 1 - (-2 * p + 2) ** 3 / 2,
    "smooth": _smooth,
    # a motion-control "snap": the move happens in the last exposure, as a hand-placed cut does
    "hold": lambda p: 1.0 if p >= 1 else 0.0,
}


def progress(t: float, start: float, duration: float, ease: str = "linear") -> float:
    """Eased progress in 0..1 of an action that starts at `start` and lasts `duration` seconds."""
    if duration <= 0:
        return 1.0 if t >= start else 0.0
    p = min(1.0, max(0.0, (t - start) / duration))
    return EASINGS[ease](p)
