"""Sound in a scene: recordings read from files, timed cues, and the beds a scene or shot plays.

Times are seconds, levels decibels, pans -1 (left) .. 1 (right). Samples are mono float32 at
`settings.SAMPLE_RATE`, read-only: a recording is shared by every render that reads it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ENVELOPE_HZ = 100   # the recording's measured envelope: one value per 10 ms


@dataclass(frozen=True, eq=False)
class Recording:
    """A sound file of the project, decoded, resampled to SAMPLE_RATE and mixed down to mono.

    level: (n,) RMS per 1/ENVELOPE_HZ s, 0..1 of the loudest such window; brightness: (n,) the
    spectral centroid of each window in Hz (where the energy sits: high for s, f, t)."""

    path: Path
    samples: np.ndarray
    level: np.ndarray
    brightness: np.ndarray

    @property
    def seconds(self) -> float:
        from renderer.settings import SAMPLE_RATE
        return len(self.samples) / SAMPLE_RATE


@dataclass(frozen=True)
class Cue:
    """One sound at `t` seconds into its shot: a built-in sound's name or a recording.

    gain: dB; pan: -1..1; fade_in, fade_out: seconds; length: seconds played (None: all of it)."""

    t: float
    sound: str
    recording: Recording | None = None
    gain: float = 0.0
    pan: float = 0.0
    fade_in: float = 0.0
    fade_out: float = 0.0
    length: float | None = None
    line: int = 0


@dataclass(frozen=True)
class SoundBed:
    """What plays under a scene or shot: its music, its ambience (kind -> amount, 1 = normal),
    the level of each in dB, and how its lines are voiced when they bring no recording."""

    music: str = "none"
    ambience: dict[str, float] = field(default_factory=dict)
    music_gain: float = 0.0
    ambience_gain: float = 0.0
    voices: str = "babble"
    foley: bool = True
