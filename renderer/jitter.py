"""Counter-based randomness: the handmade variation of every exposure.

Every random number comes from a Philox stream keyed by (scene seed, shot, exposure, element,
purpose), never from a shared generator, so an exposure is a pure function of its inputs: frame 100
rendered alone equals frame 100 of the full render, and renders can run in any order or in parallel.
"""
from __future__ import annotations

import hashlib

import numpy as np

Key = int | str


def _key_words(seed: int, keys: tuple[Key, ...]) -> list[int]:
    # Python's hash() of str is salted per process; a digest is stable everywhere.
    text = "\x1f".join([str(int(seed))] + [str(k) for k in keys]).encode()
    digest = hashlib.blake2b(text, digest_size=16).digest()
    return [int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:], "little")]


def stream(seed: int, *keys: Key) -> np.random.Generator:
    """A generator for exactly one (seed, keys...) combination."""
    return np.random.Generator(np.random.Philox(key=_key_words(seed, keys)))


def unit(seed: int, *keys: Key) -> float:
    """One uniform number in [0, 1) for (seed, keys...)."""
    return float(stream(seed, *keys).random())


def key_int(seed: int, *keys: Key) -> int:
    """A stable 31-bit integer for (seed, keys...): seeds for painting and plate choice."""
    return _key_words(seed, keys)[0] & 0x7FFFFFFF


def boil(seed: int, shot: str, exposure: int, element: str, amplitudes: np.ndarray,
         degrees: float) -> np.ndarray:
    """Per-part boil of one exposure: (n, 3) array of dx, dy (stage units) and rotation (degrees).

    `amplitudes` is (n,) in stage units, one per part (felt and yarn boil more than vinyl; faces more
    than bodies); rotation scales with the same factors around `degrees`. Values are clipped normals:
    never more than the amplitude itself.
    """
    n = len(amplitudes)
    if n == 0:
        return np.zeros((0, 3))
    z = np.clip(stream(seed, shot, exposure, element, "boil").standard_normal((n, 3)) * 0.5, -1, 1)
    out = z * amplitudes[:, None]
    out[:, 2] = z[:, 2] * degrees * (amplitudes / max(float(amplitudes.max()), 1e-9))
    return out


def flicker(seed: int, shot: str, exposure: int, amount: float) -> float:
    """Whole-frame brightness gain of one exposure, within 1 ± amount."""
    return 1.0 + amount * (2.0 * unit(seed, shot, exposure, "light", "flicker") - 1.0)


def shake(seed: int, shot: str, exposure: int, amount: float) -> tuple[float, float]:
    """Camera shake offset in stage units, each axis within ± amount."""
    u = stream(seed, shot, exposure, "camera", "shake").random(2) * 2 - 1
    return float(u[0] * amount), float(u[1] * amount)
