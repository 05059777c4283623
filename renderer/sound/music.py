"""The score: a music-box waltz for the Other World, the same waltz minor and detuned in the
nightmare, and a slow lullaby for the sunny ending.

A piece is a pure function of (kind, seed) and the clock: bar k's notes depend on k alone, so a
piece rendered over any span joins seamlessly with itself. The theme is eight bars long and
comes round again, as a music box's cylinder does; each pass varies a few notes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from renderer import jitter
from renderer.settings import SAMPLE_RATE as SR
from renderer.sound.synth import partials

A4 = 440.0
RING = 1.8    # seconds a music-box tine rings (it has decayed to silence by then)


@dataclass(frozen=True)
class Style:
    beat: float                # seconds per beat (three to a bar)
    tonic: int                 # MIDI note of the key's tonic
    scale: tuple[int, ...]     # semitones above the tonic
    chords: tuple[int, ...]    # scale degree of each bar's chord, eight bars
    cents: float = 0.0         # random detune of each note, up to this
    wobble: float = 0.0        # slow pitch drift of every note, cents
    drone: float = 0.0         # level of a low drone under it
    gain: float = 1.0


MAJOR = (0, 2, 4, 5, 7, 9, 11)
MINOR = (0, 2, 3, 5, 7, 8, 11)   # harmonic minor: the raised seventh pulls hard to the tonic
STYLES = {
    "waltz": Style(0.43, 72, MAJOR, (0, 5, 3, 4, 0, 3, 4, 0)),
    "nightmare": Style(0.52, 69, MINOR, (0, 5, 3, 4, 0, 3, 6, 4), cents=28.0, wobble=22.0,
                       drone=0.35, gain=0.9),
    "lullaby": Style(0.6, 65, MAJOR, (0, 3, 0, 4, 5, 3, 4, 0), gain=0.8),
}


def _freq(midi: float) -> float:
    return A4 * 2 ** ((midi - 69) / 12)


def _degree(style: Style, degree: int) -> int:
    """The MIDI offset of a scale degree (any integer: octaves wrap)."""
    octave, step = divmod(degree, len(style.scale))
    return style.tonic + 12 * octave + style.scale[step]


def bar_notes(kind: str, seed: int, bar: int) -> list[tuple[float, int, float, str]]:
    """(beat within the bar, MIDI note, velocity, voice) of bar `bar` of a piece."""
    style = STYLES[kind]
    chord = style.chords[bar % 8]
    notes = [(0.0, _degree(style, chord) - 24, 0.55, "bass")]
    for beat in (1.0, 2.0):    # oom-pah-pah: the chord on two and three
        notes += [(beat, _degree(style, chord + k) - 12, 0.22, "chord") for k in (2, 4)]
    theme = jitter.stream(seed, kind, "theme", bar % 8)          # the same every pass
    rhythm = ((0.0,), (0.0, 2.0), (0.0, 1.0, 2.0), (0.0, 1.5, 2.0))[int(theme.integers(4))]
    if bar % 8 == 7:
        rhythm = (0.0,)                                           # the phrase ends on the tonic
    vary = jitter.stream(seed, kind, "vary", bar)                 # a little different each pass
    for i, beat in enumerate(rhythm):
        step = int(theme.integers(-2, 3)) if i else (0, 2, 4)[int(theme.integers(3))]
        if vary.random() < 0.2:
            step += int(vary.choice((-1, 1)))
        degree = 7 if bar % 8 == 7 else chord + step + 7
        notes.append((beat, _degree(style, degree), 0.8 if i == 0 else 0.6, "melody"))
    return notes


def _tine_shape(midi: int, cents: float, wobble: float) -> np.ndarray:
    """One tine struck at velocity 1 (read only: shared by every note of a piece that plays
    it)."""
    high = max(0.0, (midi - 60) / 24)
    tone = partials(_freq(midi), RING, (1.0, 2.0, 3.0, 4.17, 5.43),
                    (1.0, 0.32, 0.12, 0.08 + 0.05 * high, 0.04),
                    (2.2 + high, 4.0, 6.0, 9.0, 14.0), cents=cents, wobble=wobble)
    tone.flags.writeable = False
    return tone


def _tine(midi: int, velocity: float, cents: float, wobble: float,
          struck: dict[tuple, np.ndarray]) -> np.ndarray:
    """The tine at `velocity`; `struck` holds the shapes the piece has made so far (a piece
    plays a few dozen distinct tines hundreds of times)."""
    key = (midi, round(cents, 1), wobble)
    shape = struck.get(key)
    if shape is None:
        shape = struck[key] = _tine_shape(*key)
    return shape * velocity


def render(kind: str, seed: int, seconds: float) -> np.ndarray:
    """(n, 2) the piece from its start for `seconds`: melody a little right, bass a little left."""
    style = STYLES[kind]
    n = int(round(seconds * SR))
    out = np.zeros((n + int(RING * SR), 2), np.float32)
    bar_seconds = 3 * style.beat
    pans = {"bass": (0.75, 0.55), "chord": (0.6, 0.7), "melody": (0.55, 0.8)}
    struck: dict[tuple, np.ndarray] = {}
    for bar in range(int(seconds / bar_seconds) + 1):
        detune = jitter.stream(seed, kind, "detune", bar)
        for beat, midi, velocity, voice in bar_notes(kind, seed, bar):
            at = int((bar * bar_seconds + beat * style.beat) * SR)
            if at >= n:
                continue
            cents = float(detune.uniform(-style.cents, style.cents)) if style.cents else 0.0
            tone = _tine(midi, velocity * style.gain, round(cents / 4) * 4, style.wobble, struck)
            left, right = pans[voice]
            out[at:at + len(tone), 0] += tone * left
            out[at:at + len(tone), 1] += tone * right
    if style.drone:
        t = np.arange(n, dtype=np.float32) / SR
        root = _freq(style.tonic - 36)
        swell = 0.6 + 0.4 * np.sin(2 * np.pi * 0.09 * t)
        drone = (np.sin(2 * np.pi * root * t) + 0.5 * np.sin(2 * np.pi * root * 1.414 * t)
                 + 0.3 * np.sin(2 * np.pi * root * 2.01 * t)) * swell * style.drone
        out[:n] += drone[:, None].astype(np.float32) * 0.5
    return out[:n] * 0.25
