"""Loudness: the true-peak meter and normalisation, including a film's in-place pass."""
from __future__ import annotations

import numpy as np

from renderer.settings import SAMPLE_RATE as SR
from renderer.sound import loudness


def _music(seconds: float, seed: int = 3) -> np.ndarray:
    """Stereo test material with loud bursts: chords under noise, louder in its second half."""
    t = np.arange(int(seconds * SR)) / SR
    rng = np.random.default_rng(seed)
    tone = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6)) / 3
    swell = np.where(t > seconds / 2, 1.0, 0.3)
    left = 0.5 * tone * swell + 0.05 * rng.standard_normal(len(t))
    right = 0.4 * np.roll(tone, 200) * swell + 0.05 * rng.standard_normal(len(t))
    return np.stack([left, right], axis=1).astype(np.float32)


def test_true_peak_finds_the_crest_between_samples():
    # A sine at a quarter of the sample rate, sampled 45 degrees off its crests: every sample
    # reads 0.7071 of the amplitude, while the wave itself reaches the full amplitude between
    # them. A sample-peak meter reads -3 dB low; a true-peak meter reads within 0.2 dB (its
    # 32-tap interpolator ripples a little this close to the top of the band).
    n = np.arange(SR)
    wave = 0.8 * np.sin(np.pi / 2 * n + np.pi / 4)
    x = np.stack([wave, wave], axis=1).astype(np.float32)
    assert float(np.abs(x).max()) < 0.8 * 0.71
    assert abs(20 * np.log10(loudness.true_peak(x) / 0.8)) < 0.2


def test_normalise_meets_the_target_and_the_ceiling():
    x = _music(6.0)
    out = loudness.normalise(x)
    assert abs(loudness.integrated(out) - loudness.TARGET_LUFS) < 0.5
    assert 20 * np.log10(loudness.true_peak(out)) <= loudness.CEILING_DBTP + 1e-3


def test_normalising_in_place_gives_the_same_samples_without_a_copy():
    x = _music(6.0)
    before = x.copy()
    copied = loudness.normalise(x)
    assert np.array_equal(x, before)             # left as it was when not in place
    same = loudness.normalise(x, in_place=True)
    assert np.shares_memory(same, x)            # the film's samples are held once
    assert np.array_equal(same, copied)


def test_limiting_in_place_equals_limiting_into_a_new_array():
    x = _music(3.0) * np.float32(4.0)           # far over full scale: the limiter works hard
    fresh = loudness.limit(x, 0.8)
    loudness.limit(x, 0.8, out=x)
    assert np.array_equal(x, fresh)
    assert float(np.abs(x).max()) <= 0.8 + 1e-6
