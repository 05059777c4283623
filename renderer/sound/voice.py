"""Puppet voices: a babble made from a line's letters, one timbre per character.

The line is cut into the same units as its mouth shapes (`stage.speech.visemes`, spread evenly
over the line), so the sound of each unit plays while its mouth shows. A voiced unit is a
harmonic source at the character's pitch, shaped by two formants of its vowel; f and v hiss,
m, b and p hum with closed lips, spaces and punctuation are silent. The pitch falls over a
statement and rises at a question.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from renderer import jitter
from renderer.settings import SAMPLE_RATE as SR
from renderer.sound.synth import band, box, shaped_noise
from renderer.stage.speech import visemes


@dataclass(frozen=True)
class Timbre:
    pitch: float          # Hz of the voice's middle
    formant: float        # the formants' scale: a child's mouth is smaller, its formants higher
    vibrato: float = 0.0  # depth, a share of the pitch
    breath: float = 0.02  # hiss mixed into the voice


TIMBRES = {
    "coraline": Timbre(265, 1.18), "mother": Timbre(205, 1.08), "father": Timbre(120, 0.95),
    "other_mother": Timbre(232, 1.1, vibrato=0.012), "other_father": Timbre(135, 0.96),
    "beldam": Timbre(170, 1.0, vibrato=0.05, breath=0.25), "wybie": Timbre(180, 1.06),
    "cat": Timbre(95, 0.85, breath=0.15), "bobinsky": Timbre(112, 0.92, vibrato=0.03),
    "miss_spink": Timbre(250, 1.1, vibrato=0.04), "miss_forcible": Timbre(205, 1.05, vibrato=0.03),
    "mrs_lovat": Timbre(190, 1.05), "ghost_boy": Timbre(320, 1.25, breath=0.35),
    "ghost_girl": Timbre(340, 1.28, breath=0.35), "ghost_twin": Timbre(330, 1.26, breath=0.35),
    "ragdoll": Timbre(300, 1.2),
}
# (voiced level, F1 Hz, F2 Hz, hiss level) of each mouth shape, for an adult's mouth
SHAPES = {"A": (1.0, 780, 1250, 0.0), "E": (0.85, 480, 1950, 0.05), "O": (0.95, 520, 880, 0.0),
          "U": (0.8, 340, 820, 0.0), "WQ": (0.7, 320, 720, 0.0), "L": (0.75, 400, 1500, 0.0),
          "MBP": (0.3, 260, 1000, 0.0), "FV": (0.1, 400, 1500, 0.8), "rest": (0.0, 500, 1500, 0.0)}
COARSE = 48      # samples (1 ms) between two weighings of the harmonics by the formants
SMOOTH = 0.018   # seconds over which one unit's sound turns into the next


def timbre_of(puppet: str) -> Timbre:
    """The character's voice; a puppet not in the table gets one from its name."""
    if puppet in TIMBRES:
        return TIMBRES[puppet]
    h = zlib.crc32(puppet.encode())
    return Timbre(110 + h % 200, 0.9 + (h >> 8) % 30 / 100)


def line(text: str, seconds: float, puppet: str, seed: int, key: str) -> np.ndarray:
    """(n,) float32 the line `text` spoken by `puppet` over `seconds`."""
    n = max(1, int(round(seconds * SR)))
    timbre = timbre_of(puppet)
    rng = jitter.stream(seed, "voice", key)
    units = visemes(text)
    idx = np.minimum(len(units) - 1, (np.arange(n) * len(units)) // n)
    table = np.array([SHAPES.get(u, SHAPES["rest"]) for u in units], np.float32)
    k = max(1, int(SMOOTH * SR))
    voiced, f1, f2, hiss = (box(table[idx, c], k) for c in range(4))
    f1, f2 = f1 * timbre.formant, f2 * timbre.formant
    t = np.arange(n, dtype=np.float32) / SR
    x = t / max(seconds, 1e-6)
    contour = 1.1 - 0.2 * x
    if text.rstrip().endswith("?"):
        contour += 0.35 * np.clip((x - 0.7) / 0.3, 0, 1) ** 2
    elif text.rstrip().endswith("!"):
        contour += 0.12
    # syllables: each unit's pitch leans a little up or down, and a slow drift
    lean = rng.uniform(-0.05, 0.05, len(units)).astype(np.float32)
    f0 = timbre.pitch * contour * (1 + box(lean[idx], k))
    f0 *= 1 + timbre.vibrato * np.sin(2 * np.pi * 5.5 * t)
    phase = (2 * np.pi * np.cumsum(f0, dtype=np.float64) / SR).astype(np.float32)
    out = np.zeros(n, np.float32)
    coarse = slice(None, None, COARSE)     # the formants move slowly: weigh harmonics sparsely
    g0, g1, g2 = f0[coarse], f1[coarse], f2[coarse]
    for h in range(1, int(4000 / timbre.pitch) + 1):
        fh = g0 * h
        amp = (1 / (1 + ((fh - g1) / 90) ** 2) + 0.7 / (1 + ((fh - g2) / 130) ** 2)
               + 0.2 / (1 + ((fh - 2700 * timbre.formant) / 200) ** 2)) / h ** 0.6
        out += np.repeat(amp.astype(np.float32), COARSE)[:n] * np.sin(h * phase)
    out *= voiced
    noise = shaped_noise(rng, seconds, band(2500, 9000))[:n]
    out += noise * (hiss * 0.6 + voiced * timbre.breath)
    edge = min(n // 2, int(0.02 * SR))
    if edge:
        ramp = np.linspace(0, 1, edge, dtype=np.float32)
        out[:edge] *= ramp
        out[-edge:] *= ramp[::-1]
    peak = float(np.abs(out).max()) or 1.0
    return (out / peak).astype(np.float32)
