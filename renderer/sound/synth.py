"""Building blocks: decaying partials, noise shaped in the frequency domain, panning, placing.

Every function takes seconds and Hz and returns float32 samples at SAMPLE_RATE; randomness comes
from the generator passed in (a `jitter.stream`), never a global one.
"""
from __future__ import annotations

import numpy as np

from renderer.settings import SAMPLE_RATE as SR

BLOCK = 1 << 15   # samples per block of shaped noise (overlap-added with a sine window)
GROUP = 16        # blocks of shaped noise made at once (bounds the memory a long bed takes)


def times(seconds: float) -> np.ndarray:
    return np.arange(max(1, int(seconds * SR)), dtype=np.float32) / SR


def partials(freq: float, seconds: float, ratios, amps, decays, attack: float = 0.003,
             cents: float = 0.0, wobble: float = 0.0) -> np.ndarray:
    """A struck tone: partials at freq*ratio, each amp*exp(-decay*t), after a linear `attack`.
    cents: detuning of the whole tone; wobble: cents of slow (0.7 Hz) pitch drift, as a warped
    music-box cylinder."""
    t = times(seconds)
    f = freq * 2 ** (cents / 1200)
    drift = (wobble / 1200 * np.log(2) / (2 * np.pi * 0.7)) * (1 - np.cos(2 * np.pi * 0.7 * t))
    out = np.zeros_like(t)
    for r, a, d in zip(ratios, amps, decays):
        if f * r >= SR / 2.2:
            continue
        out += a * np.exp(-d * t) * np.sin(2 * np.pi * f * r * (t + drift * (1 if wobble else 0)))
    out *= np.minimum(1.0, t / attack)
    return out.astype(np.float32)


def shaped_noise(rng: np.random.Generator, seconds: float, gain) -> np.ndarray:
    """Noise whose spectrum is `gain(freqs)` (an amplitude per Hz), stationary over any length:
    blocks shaped in the frequency domain, overlap-added with a sine window. The blocks are
    drawn, shaped and added GROUP at a time as (blocks, BLOCK) arrays: the same samples as one
    block at a time, in a fraction of the time."""
    n = max(1, int(seconds * SR))
    hop = BLOCK // 2
    window = np.sin(np.pi * (np.arange(BLOCK) + 0.5) / BLOCK).astype(np.float32)
    g = gain(np.fft.rfftfreq(BLOCK, 1 / SR)).astype(np.float32)
    blocks = n // hop + 2
    out = np.zeros((blocks + 1, hop), np.float32)     # row b: samples b*hop .. (b+1)*hop
    for first in range(0, blocks, GROUP):
        count = min(GROUP, blocks - first)
        noise = rng.standard_normal((count, BLOCK)).astype(np.float32)
        shaped = np.fft.irfft(np.fft.rfft(noise, axis=1) * g, BLOCK, axis=1) * window
        out[first:first + count] += shaped[:, :hop]           # each block's first half ...
        out[first + 1:first + count + 1] += shaped[:, hop:]   # ... and its second, a row on
    out = out.reshape(-1)[hop:hop + n]
    rms = float(np.sqrt(np.mean(out ** 2))) or 1.0
    return (out / rms).astype(np.float32)


def box(x: np.ndarray, k: int) -> np.ndarray:
    """The moving average of `x` over `k` samples, centred as np.convolve(x, ones(k) / k,
    "same") places it (zeros beyond the ends), from a running sum: O(n) whatever k."""
    if k <= 1:
        return x.astype(np.float32)
    c = np.concatenate([[0.0], np.cumsum(np.pad(x.astype(np.float64), (k // 2, (k - 1) // 2)))])
    return ((c[k:] - c[:-k]) / k).astype(np.float32)


def band(lo: float, hi: float, slope: float = 0.0):
    """A gain for `shaped_noise`: a soft band lo..hi Hz, tilted by `slope` dB an octave."""
    def gain(f: np.ndarray) -> np.ndarray:
        f = np.maximum(f, 1.0)
        g = 1 / np.sqrt(1 + (lo / f) ** 4) / np.sqrt(1 + (f / hi) ** 4)
        return g * (f / 1000.0) ** (slope / 6.02)
    return gain


def envelope(n: int, attack: float, release: float) -> np.ndarray:
    """(n,) a linear ramp up over `attack` s and down over the last `release` s."""
    t = np.arange(n, dtype=np.float32)
    up = np.minimum(1.0, t / max(1.0, attack * SR))
    down = np.minimum(1.0, (n - t) / max(1.0, release * SR))
    return (up * down).astype(np.float32)


def pan_gains(pan: float) -> tuple[float, float]:
    """Equal-power (left, right) gains for pan -1 (left) .. 1 (right)."""
    a = (min(1.0, max(-1.0, pan)) + 1) * np.pi / 4
    return float(np.cos(a)), float(np.sin(a))


def place(into: np.ndarray, sound: np.ndarray, at: int, gain: float = 1.0,
          pan: float = 0.0) -> None:
    """Add mono `sound` into stereo `into` ((n, 2)) from sample `at`, clipped to its end."""
    if at >= len(into) or at + len(sound) <= 0:
        return
    start = max(0, at)
    piece = sound[start - at:len(into) - at]
    left, right = pan_gains(pan)
    into[start:start + len(piece), 0] += piece * (gain * left)
    into[start:start + len(piece), 1] += piece * (gain * right)


def db(gain_db: float) -> float:
    return float(10 ** (gain_db / 20))
