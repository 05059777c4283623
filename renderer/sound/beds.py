"""Ambience: rain, wind, a room's quiet and birds, each a bed that runs under a whole scene."""
from __future__ import annotations

import numpy as np

from renderer import jitter
from renderer.settings import SAMPLE_RATE as SR
from renderer.sound.synth import band, shaped_noise, times

LEVEL = {"rain": 0.022, "wind": 0.035, "room": 0.01, "birds": 0.04}   # at amount 1


def render(kind: str, seed: int, seconds: float) -> np.ndarray:
    """(n, 2) `kind` for `seconds`, decorrelated left and right."""
    chans = [_mono(kind, jitter.stream(seed, "ambience", kind, side), seconds, side)
             for side in (0, 1)]
    return (np.stack(chans, axis=1) * LEVEL[kind]).astype(np.float32)


def _mono(kind: str, rng: np.random.Generator, seconds: float, side: int) -> np.ndarray:
    n = max(1, int(seconds * SR))
    if kind == "rain":
        hiss = shaped_noise(rng, seconds, band(900, 9000, slope=-2))
        drops = np.zeros(n, np.float32)
        count = int(seconds * 40)
        where = rng.integers(0, n, count)
        u = rng.random((count, 2))          # each drop's pitch and strength, as uniform() draws
        f, strength = 1800 + 3400 * u[:, 0], 0.5 + 2 * u[:, 1]
        t = times(0.012)
        w = (2 * np.pi * f).astype(np.float32)
        ring = np.sin(w[:, None] * t) * np.exp(-t * 400) * strength[:, None].astype(np.float32)
        at = where[:, None] + np.arange(len(t))
        inside = at < n
        np.add.at(drops, at[inside], ring[inside])     # in order: overlapping drops add up
        return hiss * 0.8 + drops
    if kind == "wind":
        low = shaped_noise(rng, seconds, band(60, 420, slope=-3))
        t = np.arange(n, dtype=np.float32) / SR
        phase = rng.uniform(0, 2 * np.pi, 3)
        gust = 0.55 + 0.25 * np.sin(2 * np.pi * 0.07 * t + phase[0]) + \
            0.15 * np.sin(2 * np.pi * 0.19 * t + phase[1]) + 0.05 * np.sin(2 * np.pi * 0.5 * t + phase[2])
        whistle = shaped_noise(rng, seconds, band(700, 1100)) * 0.12 * np.maximum(0, gust - 0.6)
        return (low * gust + whistle).astype(np.float32)
    if kind == "room":
        return shaped_noise(rng, seconds, band(40, 300, slope=-3))
    # birds: a few chirps a second, each a quick falling and rising sweep
    out = np.zeros(n, np.float32)
    for at in rng.integers(0, n, int(seconds * 2.5)):
        t = times(rng.uniform(0.05, 0.14))
        f0 = rng.uniform(2500, 4500)
        f = f0 * (1 + 0.25 * np.sin(2 * np.pi * t / t[-1] * rng.uniform(1, 3)))
        chirp = np.sin(2 * np.pi * np.cumsum(f) / SR) * np.sin(np.pi * t / t[-1]) * 3
        out[at:at + len(chirp)] += chirp[:n - at].astype(np.float32)
    return out
