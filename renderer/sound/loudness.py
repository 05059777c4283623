"""Loudness as streaming services measure it (ITU-R BS.1770 / EBU R128), and making a
soundtrack hit it: -16 LUFS integrated, true peak under -1 dBTP.

The K-weighting filter is applied by its magnitude response in the frequency domain (the gated
block powers it feeds do not depend on phase), each 100 ms hop on its own; true peak is read 4x
oversampled.
"""
from __future__ import annotations

import numpy as np

from renderer.settings import SAMPLE_RATE as SR
from renderer.sound.synth import box

TARGET_LUFS = -16.0
CEILING_DBTP = -1.5       # aimed for: leaves room for the AAC encoder's own overshoot (<= -1)
_SHELF = ((1.53512485958697, -2.69169618940638, 1.19839281085285),
          (1.0, -1.69065929318241, 0.73248077421585))
_HIGHPASS = ((1.0, -2.0, 1.0), (1.0, -1.99004745483398, 0.99007225036621))


def _biquad_gain(coeffs, w: np.ndarray) -> np.ndarray:
    """|H(e^jw)| of a biquad, in real arithmetic: |b0 + b1 z + b2 z^2|^2 expands in cos w."""
    (b0, b1, b2), (a0, a1, a2) = coeffs
    c1, c2 = np.cos(w), np.cos(2 * w)
    num = b0 * b0 + b1 * b1 + b2 * b2 + 2 * (b0 * b1 + b1 * b2) * c1 + 2 * b0 * b2 * c2
    den = a0 * a0 + a1 * a1 + a2 * a2 + 2 * (a0 * a1 + a1 * a2) * c1 + 2 * a0 * a2 * c2
    return np.sqrt(np.maximum(num, 0.0) / den)


def k_gain(n: int) -> np.ndarray:
    """The K-weighting's gain at the n-point real FFT's frequencies."""
    w = 2 * np.pi * np.fft.rfftfreq(n, 1 / SR) / SR
    return _biquad_gain(_SHELF, w) * _biquad_gain(_HIGHPASS, w)


def k_weighted_power(x: np.ndarray) -> np.ndarray:
    """(n,) the K-weighted signal's power summed over channels, for x of shape (n, channels).
    Filtered over the whole signal at once, padded to a power of two (a fast FFT length)."""
    n = len(x)
    m = 1 << max(0, n - 1).bit_length()
    gain = k_gain(m)
    power = np.zeros(n, np.float64)
    for c in range(x.shape[1]):
        y = np.fft.irfft(np.fft.rfft(x[:, c].astype(np.float64), m) * gain, m)[:n]
        power += y * y
    return power


HOPS_AT_ONCE = 150   # 100 ms hops whose spectra are worked out together (15 s: ~15 MB)


def block_powers(x: np.ndarray) -> np.ndarray:
    """The K-weighted mean power, summed over channels, of each gating block of (n, channels)
    samples: 400 ms blocks every 100 ms (one block of everything when shorter). Each 100 ms
    hop is weighted on its own (by Parseval, its spectrum's power through the K-weighting's
    gain) and a block is the mean of four hops: a few small FFTs instead of one as long as the
    film, within a few hundredths of a LU of filtering it whole."""
    hop, per_block = int(0.1 * SR), 4
    n = len(x)
    if n < hop * per_block:
        return np.array([k_weighted_power(x).mean()]) if n else np.zeros(1)
    hops = n // hop
    gain2 = k_gain(hop) ** 2
    weight = np.full(len(gain2), 2.0)       # rfft bins stand for two, but DC and Nyquist one
    weight[0] = 1.0
    if hop % 2 == 0:
        weight[-1] = 1.0
    power = np.zeros(hops, np.float64)
    for first in range(0, hops, HOPS_AT_ONCE):   # a film's spectra at once: hundreds of MB
        last = min(hops, first + HOPS_AT_ONCE)
        for c in range(x.shape[1]):
            spec = np.fft.rfft(x[first * hop:last * hop, c].reshape(last - first, hop), axis=1)
            power[first:last] += (np.abs(spec) ** 2 * (gain2 * weight)).sum(axis=1) / hop ** 2
    c = np.concatenate([[0.0], np.cumsum(power)])
    return (c[per_block:] - c[:-per_block]) / per_block


def integrated(x: np.ndarray) -> float:
    """Integrated loudness in LUFS of (n, channels) samples (-inf for silence)."""
    blocks = block_powers(x)
    loud = -0.691 + 10 * np.log10(np.maximum(blocks, 1e-20))
    kept = blocks[loud > -70]
    if not kept.size:
        return float("-inf")
    relative = -0.691 + 10 * np.log10(kept.mean()) - 10
    kept = blocks[(loud > -70) & (loud > relative)]
    return float(-0.691 + 10 * np.log10(kept.mean())) if kept.size else float("-inf")


OVERSAMPLE = 4
TAPS = 32        # samples each interpolated point is made from (a Kaiser-windowed sinc)
NEAR = 0.63      # samples within 4 dB of the highest are looked between


def _interpolator() -> np.ndarray:
    """(TAPS, OVERSAMPLE - 1): the weights of x[i - TAPS/2 + 1 .. i + TAPS/2] that make the
    points a quarter, a half and three quarters of the way from sample i to sample i + 1."""
    j = np.arange(TAPS) - (TAPS // 2 - 1)
    frac = np.arange(1, OVERSAMPLE) / OVERSAMPLE
    d = frac[None, :] - j[:, None]
    window = np.kaiser(2 * TAPS + 1, 8.0)[np.clip(np.round(TAPS + 2 * d).astype(int), 0, 2 * TAPS)]
    h = np.sinc(d) * window
    return h / h.sum(axis=0)


_WEIGHTS = _interpolator()


def magnitudes(x: np.ndarray) -> np.ndarray:
    """(n,) the largest absolute value over the channels of (n, channels) samples."""
    mags = np.abs(x[:, 0])
    for c in range(1, x.shape[1]):
        mags = np.maximum(mags, np.abs(x[:, c]))
    return mags


SCAN_BLOCK = 1 << 20   # samples looked at together where a whole film's worth is not needed


def hop_peaks(x: np.ndarray, hop: int) -> np.ndarray:
    """(ceil(n / hop),) the largest magnitude (`magnitudes`) in each run of `hop` samples,
    worked out a block at a time (a film's magnitudes whole would be ~50 MB)."""
    n = len(x)
    peaks = np.zeros(-(-n // hop), np.float32)
    block = max(hop, SCAN_BLOCK // hop * hop)
    for a in range(0, n, block):
        mags = magnitudes(x[a:a + block])
        runs = -(-len(mags) // hop)
        padded = np.zeros(runs * hop, np.float32)
        padded[:len(mags)] = mags
        peaks[a // hop:a // hop + runs] = padded.reshape(runs, hop).max(axis=1)
    return peaks


def true_peak(x: np.ndarray, near: float = NEAR, batch: int = 1 << 16) -> float:
    """The highest absolute value of (n, channels) samples 4x oversampled, as a linear
    amplitude. The points between samples are interpolated (a 32-tap windowed sinc, as a
    true-peak meter's oversampling filter) only next to samples within 4 dB of the highest:
    between samples a peak rises less than that above them. Worked a block at a time, and
    the windows looked between gathered from the samples (a zero beyond either end), so a
    film's soundtrack is never copied whole, nor are its loud samples' places all held at
    once (a limited film has millions of them)."""
    n = len(x)
    if not n:
        return 0.0
    top = float(hop_peaks(x, SCAN_BLOCK).max())
    peak = top
    half = TAPS // 2
    taps = np.arange(-(half - 1), half + 1)
    for c in range(x.shape[1]):
        ch = x[:, c]
        for a in range(0, n, SCAN_BLOCK):
            loud = np.abs(ch[a:a + SCAN_BLOCK + 1]) >= top * near
            if a + SCAN_BLOCK >= n:      # the last sample's gap wraps to the first, as before
                loud = np.append(loud, abs(ch[0]) >= top * near)
            where = a + np.flatnonzero(loud[:-1] | loud[1:])   # either end of the gap is loud
            for k in range(0, len(where), batch):
                at = where[k:k + batch, None] + taps
                windows = ch.take(at, mode="clip").astype(np.float64)
                windows[(at < 0) | (at >= n)] = 0.0
                between = windows @ _WEIGHTS
                peak = max(peak, float(np.abs(between).max()))
    return peak


LIMIT_BLOCK = 1 << 20   # samples the limiter's gain is smoothed for at once (~22 s)


def limit(x: np.ndarray, ceiling: float, window: float = 0.006,
          out: np.ndarray | None = None) -> np.ndarray:
    """x with its peaks brought under `ceiling` (linear) by a smooth gain that dips ahead of
    each peak and recovers after it (a look-ahead limiter), into `out` (a new array when None;
    `x` itself to limit in place). The per-sample gain is made a block at a time, with the
    smoothing's reach of margin on each side: a film's gain whole, smoothed, would be several
    times its soundtrack's size."""
    hop = max(1, int(window * SR / 2))
    n = len(x)
    need = np.minimum(1.0, ceiling / np.maximum(hop_peaks(x, hop), 1e-9))
    need = np.minimum(need, np.minimum(np.roll(need, 1), np.roll(need, -1)))   # look ahead
    k = 2 * hop
    if out is None:
        out = np.empty(x.shape, np.float32)
    for a in range(0, n, LIMIT_BLOCK):
        b = min(n, a + LIMIT_BLOCK)
        # the gain over a..b and k beyond, held at its first and last value past the ends
        gain = need[np.clip(np.arange(a - k, b + k), 0, n - 1) // hop]
        smooth = box(gain, k)[k:-k]
        np.multiply(x[a:b], np.minimum(gain[k:-k], smooth)[:, None], out=out[a:b],
                    casting="unsafe")
    return out


def normalise(x: np.ndarray, target: float = TARGET_LUFS,
              ceiling_db: float = CEILING_DBTP, in_place: bool = False) -> np.ndarray:
    """x gained to `target` LUFS integrated, its true peak limited under `ceiling_db` dBTP.
    Silence stays silence. in_place: x is float32 and the caller's to give: it is gained and
    limited where it lies, so a film's soundtrack is held once (else x is left as it was)."""
    ceiling = 10 ** (ceiling_db / 20)
    owned = in_place and x.dtype == np.float32
    for _ in range(3):   # limiting lowers the loudness a little: measure and gain again
        loud = integrated(x)
        if not np.isfinite(loud):
            return x
        gain = np.float32(10 ** ((target - loud) / 20))
        x = np.multiply(x, gain, out=x) if owned else np.multiply(x, gain, dtype=np.float32)
        owned = True          # from here on x is this function's own array
        if true_peak(x) <= ceiling:
            return x
        x = limit(x, ceiling * 0.94, out=x)
    tp = true_peak(x)
    if tp > ceiling:
        x *= np.float32(ceiling / tp)
    return x
