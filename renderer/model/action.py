"""A timed action of a scene, and the geometry of the paths travelling verbs follow."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

SPEED = {"walk": 260.0, "run": 560.0, "crawl": 200.0, "move": 400.0, "enter": 260.0,
         "exit": 260.0}  # stage units a second: default durations of travel


@dataclass(frozen=True)
class Action:
    """One timed action. `do` is the verb; `args` holds its validated arguments."""

    t: float
    who: str
    do: str
    duration: float
    ease: str
    step: int | None
    args: dict = field(default_factory=dict)
    line: int = 0


def path_of(start: tuple[float, float], args: dict) -> list[tuple[float, float]]:
    """The points a traveling action passes through, starting where the actor stands."""
    return [start] + list(args.get("path", ())) + ([args["to"]] if "to" in args else [])


def along(points: list[tuple[float, float]], p: float) -> tuple[float, float, float]:
    """The point at fraction p of the way along a polyline, and the x direction of travel there."""
    segments = [(a, b, math.dist(a, b)) for a, b in zip(points, points[1:])]
    segments = [sg for sg in segments if sg[2] > 0]
    if not segments:
        return points[-1][0], points[-1][1], 0.0
    d = p * sum(sg[2] for sg in segments)
    for a, b, seg in segments:
        if d <= seg:
            f = d / seg
            return a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, b[0] - a[0]
        d -= seg
    a, b, _ = segments[-1]
    return b[0], b[1], b[0] - a[0]


def path_length(points: list[tuple[float, float]]) -> float:
    return sum(math.dist(a, b) for a, b in zip(points, points[1:]))
