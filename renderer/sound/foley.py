"""Built-in sounds, by name: each a short mono buffer made from a seeded stream, so a cue's
sound varies a little from use to use (no two footsteps alike) and never from run to run."""
from __future__ import annotations

import numpy as np

from renderer.settings import SAMPLE_RATE as SR
from renderer.sound.synth import band, partials, shaped_noise, times


def make(name: str, rng: np.random.Generator) -> np.ndarray:
    """The sound `name` (a `vocab.SOUNDS` word) as (n,) float32, peaking near 1."""
    out = _MAKERS[name](rng)
    peak = float(np.abs(out).max()) or 1.0
    return (out / peak).astype(np.float32)


def _burst(rng, seconds: float, lo: float, hi: float, decay: float) -> np.ndarray:
    t = times(seconds)
    return shaped_noise(rng, seconds, band(lo, hi)) * np.exp(-t * decay)


def _thump(freq: float, seconds: float, decay: float) -> np.ndarray:
    t = times(seconds)
    f = freq * (1 + 0.6 * np.exp(-t * 40))          # the pitch drops as it lands
    return (np.sin(2 * np.pi * np.cumsum(f) / SR) * np.exp(-t * decay)).astype(np.float32)


def step(rng):   # a felt foot on a wooden floor
    pitch = rng.uniform(0.85, 1.15)
    return _thump(90 * pitch, 0.12, 45) + 0.35 * _burst(rng, 0.12, 800 * pitch, 3500, 70)


def click(rng):  # a sharp tick: an impulse and a short bright ring
    t = times(0.03)
    out = np.sin(2 * np.pi * 2200 * t) * np.exp(-t * 260)
    out[:24] += np.hanning(48)[24:] * 1.5
    return out.astype(np.float32)


def creak(rng):
    t = times(0.9)
    f = 95 + 30 * np.sin(2 * np.pi * 1.3 * t) + 8 * rng.standard_normal(len(t)).cumsum() / 400
    saw = 2 * ((np.cumsum(f) / SR) % 1.0) - 1
    grain = 0.5 + 0.5 * (np.sin(2 * np.pi * np.cumsum(f * 0.25) / SR) > 0.3)
    return (saw * grain * np.sin(np.pi * t / t[-1]) * 0.6).astype(np.float32)


def thud(rng):
    return _thump(65 * rng.uniform(0.9, 1.1), 0.35, 14) + 0.25 * _burst(rng, 0.35, 100, 900, 20)


def door(rng):
    c, d = creak(rng), thud(rng)
    out = np.zeros(len(c) + len(d) - int(0.1 * SR), np.float32)
    out[:len(c)] += c
    out[len(c) - int(0.1 * SR):] += d
    return out


def rock(rng):  # a stone lands: a knock and a short scatter of grit
    return _thump(140 * rng.uniform(0.9, 1.1), 0.25, 30) + 0.5 * _burst(rng, 0.25, 1500, 7000, 30)


def _glass(rng, base: float, seconds: float) -> np.ndarray:
    return partials(base, seconds, (1.0, 2.76, 5.40, 8.93), (1.0, 0.5, 0.25, 0.12),
                    (1.5, 3.0, 5.0, 8.0), attack=0.001)


def chime(rng):
    return _glass(rng, 1320 * rng.uniform(0.97, 1.03), 2.5)


def globe(rng):  # a glass globe set down, then its snow tinkling inside
    out = _glass(rng, 980, 2.5) + 0.4 * _thump(180, 2.5, 40)
    for k in range(7):
        at = int(rng.uniform(0.15, 1.6) * SR)
        ping = _glass(rng, rng.uniform(2400, 4200), 0.5) * 0.18
        out[at:at + len(ping)] += ping[:len(out) - at]
    return out


def whoosh(rng):
    t = times(0.45)
    return shaped_noise(rng, 0.45, band(400, 2500)) * np.sin(np.pi * t / t[-1]) ** 2


def shimmer(rng):
    t = times(1.4)
    out = np.zeros_like(t)
    for k, f in enumerate((1568, 1976, 2349, 2637, 3136)):
        start = k * 0.12
        out += np.where(t > start, np.sin(2 * np.pi * f * t) * np.exp(-(t - start) * 3), 0)
    return (out * (0.7 + 0.3 * np.sin(2 * np.pi * 9 * t))).astype(np.float32)


def rumble(rng):
    t = times(2.5)
    return shaped_noise(rng, 2.5, band(25, 160)) * np.sin(np.pi * t / t[-1])


def rustle(rng):
    return _burst(rng, 0.18, 2000, 7000, 25) * 0.8


_MAKERS = {"step": step, "click": click, "creak": creak, "thud": thud, "door": door,
           "rock": rock, "chime": chime, "globe": globe, "whoosh": whoosh, "shimmer": shimmer,
           "rumble": rumble, "rustle": rustle}
