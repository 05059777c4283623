"""Title cards: the film's handmade inter-titles, dark felt with fibres, a stitched border, a
button, the title in hand-cut letters and the moment beneath it."""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from renderer.compose.text import SHADOW, _paint, wrap
from renderer.compose.typeface import font, font_for_cap, printable
from renderer.settings import STAGE_H, STAGE_W

TITLE_CAP = 104.0         # title cap height, stage units
SUBTITLE_CAP = 36.0
TITLE_MAX_W = 1480.0
SUBTITLE_MAX_W = 1240.0
FELT = (44, 32, 48)       # dark plum felt
THREAD = (222, 200, 158)
TITLE_INK = (238, 214, 160)
SUBTITLE_INK = (204, 196, 184)
_TITLE_KEY = 0x7469_746C  # Philox purpose key: "titl"


def title_card(width: int, height: int, title: str, subtitle: str, *, seed: int) -> np.ndarray:
    """A handmade inter-title: dark felt with fibres, a stitched border, a button, the title big
    and the subtitle (a one-line moment description) smaller and wrapped.

    Returns a new (height, width, 3) uint8 RGB frame; the same arguments give the same pixels.
    """
    return _title_card(int(width), int(height), title, subtitle, int(seed))


def _title_card(width: int, height: int, title: str, subtitle: str, seed: int) -> np.ndarray:
    scale = width / STAGE_W
    title, subtitle = printable(title), printable(subtitle)
    key = np.array([seed & 0xFFFF_FFFF_FFFF_FFFF, _TITLE_KEY], dtype=np.uint64)
    rng = np.random.Generator(np.random.Philox(key=key))
    rgb = felt(width, height, rng)
    # Layers are painted one at a time, in place, so a 4K card never holds them all at once.
    for colour, a in stitches(width, height, rng):
        _paint(rgb, colour, a)
    box, layers = button(width, height)
    for colour, a in layers:
        _paint(rgb[box], colour, a)

    title_font = font_for_cap(TITLE_CAP, scale)
    title_lines = wrap(title, title_font, TITLE_MAX_W * scale, max_lines=2)
    while len(title_lines) > 2 and title_font.size > 8:          # very long titles: shrink to fit
        title_font = font(int(title_font.size * 0.88))
        title_lines = wrap(title, title_font, TITLE_MAX_W * scale, max_lines=2)
    t_step = float(sum(title_font.getmetrics()))
    if len(title_lines) > 2:    # too long even at the smallest size: its first lines that fit
        fits = max(2, int(470 * scale // t_step) + 1)             # above the last baseline
        title_lines = wrap(title, title_font, TITLE_MAX_W * scale, max_lines=fits)[:fits]
    sub_font = font_for_cap(SUBTITLE_CAP, scale)
    s_step = sum(sub_font.getmetrics()) * 1.12
    sub_fits = int(max(0.0, height - 640 * scale) // s_step) + 2   # the card shows no more
    sub_lines = wrap(subtitle, sub_font, SUBTITLE_MAX_W * scale, max_lines=sub_fits)[:sub_fits] \
        if subtitle.strip() else []
    title_base = 470 * scale - (len(title_lines) - 1) * t_step      # last baseline fixed
    sub_top = 640 * scale + sub_font.getmetrics()[0]
    shift = np.float32([[1, 0, 4 * scale], [0, 1, 6 * scale]])
    for lines, fnt, base, step, jitter, ink, shade in (
            (title_lines, title_font, title_base, t_step, rng, TITLE_INK, 0.8),
            (sub_lines, sub_font, sub_top, s_step, None, SUBTITLE_INK, 0.64)):
        mask = _text_mask(width, height, lines, fnt, base, step, jitter, scale)
        shadow = cv2.warpAffine(cv2.GaussianBlur(mask, (0, 0), max(0.6, 4 * scale)), shift,
                                (width, height))
        _paint(rgb, SHADOW, shadow * shade)
        _paint(rgb, ink, mask)
    # A gentle lens vignette keeps the eye in the middle of the card.
    ys = ((np.arange(height) + 0.5) / scale - STAGE_H / 2)[:, None] / (STAGE_H / 2)
    xs = ((np.arange(width) + 0.5) / scale - STAGE_W / 2)[None, :] / (STAGE_W / 2)
    rgb *= (1.0 - 0.35 * np.clip(xs * xs * 0.6 + ys * ys * 0.8 - 0.15, 0, 1))[:, :, None]
    card = np.clip(rgb + 0.5, 0, 255).astype(np.uint8)
    return card


def felt(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """(H, W, 3) float32 dark felt: blotchy dye, fine fuzz and stray fibres, laid out in stage
    units so every output size shows the same cloth."""
    scale = width / STAGE_W
    blotch = cv2.resize(rng.standard_normal((9, 16)).astype(np.float32), (width, height),
                        interpolation=cv2.INTER_CUBIC)
    fuzz = cv2.resize(rng.standard_normal((540, 960)).astype(np.float32), (width, height),
                      interpolation=cv2.INTER_AREA if width < 960 else cv2.INTER_LINEAR)
    fibres = np.zeros((height, width), np.float32)
    for sign, count in ((1.0, 5000), (-1.0, 3000)):
        start = rng.uniform((0, 0), (STAGE_W, STAGE_H), size=(count, 2))
        angle = rng.uniform(0, np.pi, count)
        length = rng.uniform(6, 22, count)
        end = start + length[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
        pts = (np.stack([start, end], axis=1) * scale * 16).astype(np.int32)   # 4 fraction bits
        cv2.polylines(fibres, list(pts), False, sign, 1, cv2.LINE_AA, shift=4)
    # A fibre is at least a pixel wide, so small renders would show more of it: thin it out.
    fibre_gain = 0.22 * min(1.0, 1.5 * scale)
    light = np.clip(fibres, -1, 1, out=fibres)                  # built in place: 4K is big
    light *= fibre_gain
    light += 1.0
    cv2.scaleAdd(blotch, 0.10, light, dst=light)
    cv2.scaleAdd(fuzz, 0.05, light, dst=light)
    del blotch, fuzz
    out = np.empty((height, width, 3), np.float32)
    for c in range(3):
        np.multiply(light, np.float32(FELT[c]), out=out[:, :, c])
    return out


def stitches(width: int, height: int, rng: np.random.Generator) -> list:
    """Layers (colour, coverage) of a running stitch around the card, 64 stage units in: each
    stitch a thread dash with its own small wobble, and a soft shadow below it."""
    scale = width / STAGE_W
    inset, dash, gap = 64.0, 20.0, 13.0
    x0, y0, x1, y1 = inset, inset, STAGE_W - inset, STAGE_H - inset
    segments = []
    for (ax, ay), (bx, by) in (((x0, y0), (x1, y0)), ((x1, y0), (x1, y1)),
                               ((x1, y1), (x0, y1)), ((x0, y1), (x0, y0))):
        length = float(np.hypot(bx - ax, by - ay))
        n = int(length // (dash + gap))
        ux, uy = (bx - ax) / length, (by - ay) / length
        for k in range(n):
            s = (length - n * (dash + gap) + gap) / 2 + k * (dash + gap)
            wob = rng.normal(0, 1.6, 4)                           # stage units of hand wobble
            p = (ax + ux * s + wob[0], ay + uy * s + wob[1])
            q = (ax + ux * (s + dash) + wob[2], ay + uy * (s + dash) + wob[3])
            segments.append((p, q))
    pts = (np.asarray(segments) * scale * 16).astype(np.int32)
    thick = max(1, round(5 * scale))
    thread = np.zeros((height, width), np.float32)
    cv2.polylines(thread, list(pts), False, 1.0, thick, cv2.LINE_AA, shift=4)
    shade = cv2.warpAffine(cv2.GaussianBlur(thread, (0, 0), max(0.6, 2.5 * scale)),
                           np.float32([[1, 0, 2 * scale], [0, 1, 3 * scale]]), (width, height))
    return [(SHADOW, np.clip(shade * 0.9, 0, 1)), (THREAD, np.clip(thread, 0, 1))]


def button(width: int, height: int) -> tuple[tuple[slice, slice], list]:
    """A small four-hole button between the title and subtitle: the (rows, cols) box of the
    frame it covers and its layers (colour, coverage) within that box."""
    scale = width / STAGE_W
    r = 22 * scale
    half = int(np.ceil(r * 1.6)) + 2                             # room for the soft shadow
    cx, cy = STAGE_W / 2 * scale, 560 * scale
    x0, y0 = int(cx) - half, int(cy) - half
    cx, cy = cx - x0, cy - y0                                    # centre within the box
    size = (2 * half, 2 * half)
    disc, rim, holes = (np.zeros(size, np.float32) for _ in range(3))
    c16 = lambda x, y: (int(round(x * 16)), int(round(y * 16)))  # noqa: E731
    cv2.circle(disc, c16(cx, cy), int(r * 16), 1.0, -1, cv2.LINE_AA, 4)
    cv2.circle(rim, c16(cx, cy), int(r * 0.78 * 16), 1.0, max(1, round(2 * scale)),
               cv2.LINE_AA, 4)
    for dx, dy in ((-1, -1), (1, -1), (-1, 1), (1, 1)):
        cv2.circle(holes, c16(cx + dx * r * 0.3, cy + dy * r * 0.3), max(1, int(r * 0.14 * 16)),
                   1.0, -1, cv2.LINE_AA, 4)
    shade = cv2.warpAffine(cv2.GaussianBlur(disc, (0, 0), max(0.6, 3 * scale)),
                           np.float32([[1, 0, 3 * scale], [0, 1, 4 * scale]]), size[::-1])
    box = np.s_[y0:y0 + 2 * half, x0:x0 + 2 * half]
    return box, [(SHADOW, shade * 0.8), ((150, 40, 48), disc), ((110, 26, 34), rim * 0.8),
                 ((30, 10, 14), holes)]


def _text_mask(width: int, height: int, lines: list[str], fnt: ImageFont.FreeTypeFont,
               first_baseline: float, step: float, rng: np.random.Generator | None,
               scale: float) -> np.ndarray:
    """(H, W) float32 coverage of centred `lines`; with `rng`, each letter sits a little off
    the baseline, as hand-cut letters glued down do."""
    img = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        x = (width - fnt.getlength(line)) / 2
        y = first_baseline + i * step
        if rng is None:
            draw.text((x, y), line, font=fnt, fill=255, anchor="ls")
            continue
        jitter = rng.normal(0, 3.0, len(line)) * scale
        if not -step <= y <= height + step:
            continue            # off the card (a title too long to fit): nothing to draw
        for k, ch in enumerate(line):
            draw.text((x + fnt.getlength(line[:k]), y + jitter[k]), ch, font=fnt, fill=255,
                      anchor="ls")
    return np.asarray(img, dtype=np.float32) / 255.0
