"""A film: scenes in order, each with its title card and the transition that joins it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    scene: str
    path: Path
    card: bool          # show a title card (scene title + its moment) before the scene
    transition: str     # how this entry is joined to what comes before it


@dataclass(frozen=True)
class Sequence:
    film: str           # output name: output/<film>.mp4
    title: str
    subtitle: str       # under the title on the film's opening card
    card_seconds: float
    transition_seconds: float
    entries: tuple[Entry, ...]
    path: Path
