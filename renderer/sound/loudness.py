"""Loudness as streaming services measure it (ITU-R BS.1770 / EBU R128), and making a
soundtrack hit it: -16 LUFS integrated, true peak under -1 dBTP.

The K-weighting filter is applied by its magnitude response in the frequency domain (the gated
block powers it feeds do not depend on phase); true peak is read 4x oversampled.
"""
from __future__ import annotations

import numpy as np

from renderer.settings import SAMPLE_RATE as SR

TARGET_LUFS = -16.0
CEILING_DBTP = -1.5       # aimed for: leaves room for the AAC encoder's own overshoot (<= -1)
_SHELF = ((1.53512485958697, -2.69169618940638, 1.19839281085285),
          (1.0, -1.69065929318241, 0.73248077421585))
_HIGHPASS = ((1.0, -2.0, 1.0), (1.0, -1.99004745483398, 0.99007225036621))


def _biquad_gain(coeffs, w: np.ndarray) -> np.ndarray:
    (b0, b1, b2), (a0, a1, a2) = coeffs
    z = np.exp(-1j * w)
    return np.abs((b0 + b1 * z + b2 * z * z) / (a0 + a1 * z + a2 * z * z))


def k_weighted_power(x: np.ndarray) -> np.ndarray:
    """(n,) the K-weighted signal's power summed over channels, for x of shape (n, channels)."""
    n = len(x)
    w = 2 * np.pi * np.fft.rfftfreq(n, 1 / SR) / SR
    gain = _biquad_gain(_SHELF, w) * _biquad_gain(_HIGHPASS, w)
    power = np.zeros(n, np.float64)
    for c in range(x.shape[1]):
        y = np.fft.irfft(np.fft.rfft(x[:, c].astype(np.float64)) * gain, n)
        power += y * y
    return power


def integrated(x: np.ndarray) -> float:
    """Integrated loudness in LUFS of (n, channels) samples (-inf for silence)."""
    power = k_weighted_power(x)
    block, hop = int(0.4 * SR), int(0.1 * SR)
    if len(power) < block:
        blocks = np.array([power.mean()])
    else:
        c = np.concatenate([[0.0], np.cumsum(power)])
        starts = np.arange(0, len(power) - block + 1, hop)
        blocks = (c[starts + block] - c[starts]) / block
    loud = -0.691 + 10 * np.log10(np.maximum(blocks, 1e-20))
    kept = blocks[loud > -70]
    if not kept.size:
        return float("-inf")
    relative = -0.691 + 10 * np.log10(kept.mean()) - 10
    kept = blocks[(loud > -70) & (loud > relative)]
    return float(-0.691 + 10 * np.log10(kept.mean())) if kept.size else float("-inf")


def true_peak(x: np.ndarray, chunk: int = 1 << 14, pad: int = 128) -> float:
    """The highest absolute sample value 4x oversampled, as a linear amplitude. Only chunks
    whose samples come within 4 dB of the highest are oversampled: between samples a peak
    rises less than that above them."""
    if not len(x):
        return 0.0
    mags = np.abs(x).max(axis=1)
    top = float(mags.max())
    peak = top
    for start in range(0, len(x), chunk):
        if float(mags[start:start + chunk].max()) < top * 0.63:
            continue
        lo, hi = max(0, start - pad), min(len(x), start + chunk + pad)
        piece = x[lo:hi].astype(np.float64)
        up = np.fft.irfft(np.fft.rfft(piece, axis=0), 4 * len(piece), axis=0) * 4
        a, b = 4 * (start - lo), 4 * (min(len(x), start + chunk) - lo)
        peak = max(peak, float(np.abs(up[a:b]).max(initial=0.0)))
    return peak


def limit(x: np.ndarray, ceiling: float, window: float = 0.006) -> np.ndarray:
    """x with its peaks brought under `ceiling` (linear) by a smooth gain that dips ahead of
    each peak and recovers after it (a look-ahead limiter)."""
    hop = max(1, int(window * SR / 2))
    n = len(x)
    m = -(-n // hop)
    peaks = np.zeros(m * hop, np.float32)
    peaks[:n] = np.abs(x).max(axis=1)
    need = np.minimum(1.0, ceiling / np.maximum(peaks.reshape(m, hop).max(axis=1), 1e-9))
    need = np.minimum(need, np.minimum(np.roll(need, 1), np.roll(need, -1)))   # look ahead
    gain = np.repeat(need, hop)[:n]
    k = 2 * hop
    smooth = np.convolve(np.pad(gain, (k, k), mode="edge"), np.ones(k) / k, mode="same")[k:-k]
    return (x * np.minimum(gain, smooth)[:, None]).astype(np.float32)


def normalise(x: np.ndarray, target: float = TARGET_LUFS,
              ceiling_db: float = CEILING_DBTP) -> np.ndarray:
    """x gained to `target` LUFS integrated, its true peak limited under `ceiling_db` dBTP.
    Silence stays silence."""
    ceiling = 10 ** (ceiling_db / 20)
    for _ in range(3):   # limiting lowers the loudness a little: measure and gain again
        loud = integrated(x)
        if not np.isfinite(loud):
            return x
        x = (x * 10 ** ((target - loud) / 20)).astype(np.float32)
        if true_peak(x) <= ceiling:
            return x
        x = limit(x, ceiling * 0.94)
    tp = true_peak(x)
    return (x * min(1.0, ceiling / tp)).astype(np.float32) if tp > ceiling else x
