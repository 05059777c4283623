"""Weather and particles drawn over the set: rain, snow, fog, dust motes, falling debris.

Positions come from the exposure's own random stream (rain and snow are new drops in every
photograph, as real stop-motion water effects are) or move with the exposure's time (dust,
debris, fog), so a held exposure is the same photograph. Sizes are in stage units. Each kind,
`kind(h, w, amount, seed, key, t)`, returns an (h, w) uint8 coverage mask and its colour;
`draw_weather` lays them over the frame.
"""
from __future__ import annotations

import cv2
import numpy as np

from renderer import jitter
from renderer.compose.paintings import Paintings
from renderer.model.vocab import WEATHER_KINDS
from renderer.paint.grade import Grade
from renderer.settings import STAGE_H, STAGE_W


def _blend_mask(frame: np.ndarray, mask: np.ndarray, colour: tuple[int, int, int]) -> None:
    """frame = frame + (colour - frame) * mask / 255, in place, uint8, only where mask is set:
    frame * (255 - mask) / 255 + colour * mask / 255, each term rounded (the second by table)."""
    x, y, w, h = cv2.boundingRect(mask)            # of the non-zero pixels
    if w == 0 or h == 0:
        return
    region = frame[y:y + h, x:x + w]
    m3 = cv2.cvtColor(mask[y:y + h, x:x + w], cv2.COLOR_GRAY2RGB)
    tint = cv2.LUT(m3, _coverage_table(colour))
    cv2.multiply(region, cv2.bitwise_not(m3, dst=m3), dst=region, scale=1 / 255)
    cv2.add(region, tint, dst=region)


def _coverage_table(colour: tuple[int, int, int]) -> np.ndarray:
    """The (256, 1, 3) table of round(colour * m / 255) for coverage m, for `cv2.LUT` (made for
    each mask: ~8 us)."""
    m = np.arange(256, dtype=np.float64)[:, None]
    table = np.rint(m * np.array(colour, dtype=np.float64)[None, :] / 255.0).astype(np.uint8)
    return np.ascontiguousarray(table[:, None, :])


def rain(h, w, amount, seed, key, t):
    s = w / STAGE_W
    rng = jitter.stream(seed, key, "rain")
    n = int(260 * amount)
    x = rng.uniform(-100, STAGE_W + 100, n) * s
    y = rng.uniform(-100, STAGE_H, n) * s
    length = rng.uniform(40, 90, n) * s
    mask = np.zeros((h, w), np.uint8)
    dx, dy = np.sin(np.radians(12)), np.cos(np.radians(12))
    thick = max(1, round(2 * s))
    for xi, yi, li in zip(x, y, length):
        cv2.line(mask, (int(xi), int(yi)), (int(xi - dx * li), int(yi + dy * li)), 110, thick,
                 cv2.LINE_AA)
    return mask, (205, 215, 230)


def snow(h, w, amount, seed, key, t):
    s = w / STAGE_W
    rng = jitter.stream(seed, key, "snow")
    n = int(160 * amount)
    mask = np.zeros((h, w), np.uint8)
    for xi, yi, r in zip(rng.uniform(0, w, n), rng.uniform(0, h, n), rng.uniform(2, 6, n) * s):
        cv2.circle(mask, (int(xi), int(yi)), max(1, int(r)), 200, -1, cv2.LINE_AA)
    return mask, (245, 248, 252)


def _drifting(seed: int, kind: str, n: int, t: float, speed: tuple[float, float]) -> np.ndarray:
    """Stage positions (n, 2) of particles drifting at `speed` units/s, wrapping round the stage."""
    rng = jitter.stream(seed, kind, "drift")
    start = rng.uniform(0, 1, (n, 2)) * (STAGE_W, STAGE_H)
    vel = np.array(speed) * rng.uniform(0.6, 1.4, (n, 1))
    wobble = 12 * np.sin(t * rng.uniform(0.5, 1.5, (n, 1)) + rng.uniform(0, 6.28, (n, 1)))
    pos = start + vel * t + np.hstack([wobble, wobble * 0.5])
    return np.mod(pos + 100, (STAGE_W + 200, STAGE_H + 200)) - 100


def dust(h, w, amount, seed, key, t):
    s = w / STAGE_W
    pos = _drifting(seed, "dust", int(70 * amount), t, (8.0, -5.0)) * s
    mask = np.zeros((h, w), np.uint8)
    for x, y in pos:
        cv2.circle(mask, (int(x), int(y)), max(1, round(3 * s)), 150, -1, cv2.LINE_AA)
    return cv2.GaussianBlur(mask, (0, 0), max(0.5, 1.5 * s)), (255, 240, 205)


def debris(h, w, amount, seed, key, t):
    """Pieces of the world falling: dark scraps that tumble down through the frame."""
    s = w / STAGE_W
    n = int(50 * amount)
    rng = jitter.stream(seed, "debris", "shapes")
    size = rng.uniform(8, 30, n)
    spin = rng.uniform(-3, 3, n)
    pos = _drifting(seed, "debris", n, t, (0.0, 160.0))
    mask = np.zeros((h, w), np.uint8)
    for (x, y), r, sp in zip(pos, size, spin):
        a = sp * t + np.arange(3) * 2.1
        pts = np.stack([x + r * np.cos(a), y + r * 0.6 * np.sin(a)], axis=1) * s
        cv2.fillPoly(mask, [pts.astype(np.int32)], 230, cv2.LINE_AA)
    return mask, (40, 38, 44)


def fog_plate(width: int, height: int, seed: int) -> np.ndarray:
    """A soft cloudy alpha plate twice the frame's width, to slide across it."""
    rng = jitter.stream(seed, "fog", "plate")
    small = rng.random((max(2, height // 24), max(4, width // 12))).astype(np.float32)
    big = cv2.resize(small, (2 * width, height), interpolation=cv2.INTER_CUBIC)
    big = cv2.GaussianBlur(big, (0, 0), max(1.0, width / 60))
    big = (big - big.min()) / max(1e-6, float(np.ptp(big)))
    ramp = np.linspace(0.4, 1.0, height, dtype=np.float32)[:, None]  # heavier near the ground
    return (big * ramp * 255).astype(np.uint8)


def fog(h, w, amount, plate, t):
    """The fog's mask: `plate` (`fog_plate`) slid across the frame with time."""
    shift = int((t * 30 / STAGE_W) * w) % w
    mask = cv2.convertScaleAbs(plate[:, shift:shift + w], alpha=min(1.0, 0.45 * amount))
    return np.ascontiguousarray(mask), (190, 198, 210)


DRAW = {"rain": rain, "snow": snow, "dust": dust, "debris": debris}   # and fog, from its plate


def mask_of(kind: str, h: int, w: int, amount: float, seed: int, key: str, t: float,
            paintings: Paintings | None = None) -> tuple[np.ndarray, tuple[int, int, int]]:
    """(coverage mask (h, w) uint8, colour) of one kind of weather at time `t`. The fog slides a
    plate made once, kept in `paintings` when a render gives its own."""
    if kind != "fog":
        return DRAW[kind](h, w, amount, seed, key, t)
    plate = paintings.get("plate", ("fog", w, h, seed), lambda: fog_plate(w, h, seed)) \
        if paintings is not None else fog_plate(w, h, seed)
    return fog(h, w, amount, plate, t)


def draw_weather(frame: np.ndarray, weather: dict[str, float], seed: int, shot: str,
                 exposure: int, t: float, grade: Grade | None = None,
                 paintings: Paintings | None = None) -> None:
    """Draw every kind of weather with a non-zero amount, in a fixed order, in place, its colour
    in `grade`'s colours when given (the paintings under it are graded too). The fog's plate is
    kept in `paintings` (a render's), else made for this frame alone."""
    h, w = frame.shape[:2]
    for kind in WEATHER_KINDS:
        amount = weather.get(kind, 0.0)
        if amount > 0:
            mask, colour = mask_of(kind, h, w, amount, seed, f"{shot}/{exposure}", t, paintings)
            if grade is not None:
                colour = tuple(int(c) for c in grade.apply(np.array([[colour]], np.uint8))[0, 0])
            _blend_mask(frame, mask, colour)
