"""Captions (dialogue subtitles) and handmade title cards.

Text is drawn in the font shipped inside the package (`renderer.typeface`), so a render never
depends on the fonts a system happens to have. Sizes are in stage units (the stage is 1920x1080
units) and converted with the frame's pixels per unit.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from renderer.compose.paintings import Paintings
from renderer.compose.typeface import LINE_RATIO, font, font_for_cap, printable
from renderer.settings import STAGE_H, STAGE_W

__all__ = ["font", "font_for_cap", "printable", "wrap", "draw_caption", "draw_captions",
           "caption_sprite", "caption_stack", "clear_band", "blend", "title_card"]

CAPTION_CAP = 34.0        # caption cap height, stage units
CAPTION_MAX_W = 1400.0    # caption line width limit, stage units
CAPTION_BOTTOM = 56.0     # gap between the caption box and the bottom of the frame, stage units
CAPTION_GAP = 14.0        # gap between the boxes of stacked captions, stage units
CAPTION_TEXT = (246, 240, 226)
CAPTION_SPEAKER = (236, 196, 112)
SHADOW = (10, 8, 12)

TITLE_CAP = 104.0         # title cap height, stage units
SUBTITLE_CAP = 36.0
TITLE_MAX_W = 1480.0
SUBTITLE_MAX_W = 1240.0
FELT = (44, 32, 48)       # dark plum felt
THREAD = (222, 200, 158)
TITLE_INK = (238, 214, 160)
SUBTITLE_INK = (204, 196, 184)
_TITLE_KEY = 0x7469_746C  # Philox purpose key: "titl"


def wrap(text: str, fnt: ImageFont.FreeTypeFont, max_px: float,
         max_lines: int | None = None) -> list[str]:
    """Greedy word wrap of `text` into lines at most `max_px` pixels wide (a word longer than a
    line is broken between characters). Explicit newlines are kept. With `max_lines`, stops
    once more than that many lines are known (the first max_lines + 1 are returned): enough to
    tell that a text does not fit, in time bounded by the lines, not the text."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split():
            if max_lines is not None and len(lines) > max_lines:
                return lines[:max_lines + 1]
            candidate = f"{line} {word}" if line else word
            if fnt.getlength(candidate) <= max_px:
                line = candidate
                continue
            if line:
                lines.append(line)
            while len(word) > 1 and fnt.getlength(word[:_most_chars(max_px) + 1]) > max_px:
                if max_lines is not None and len(lines) > max_lines:
                    return lines[:max_lines + 1]
                cut = _longest_fitting(word, fnt, max_px)
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def _most_chars(max_px: float) -> int:
    """More characters than fit in `max_px` pixels: no glyph that shows advances under 1 px."""
    return int(max_px) + 1


def _longest_fitting(word: str, fnt: ImageFont.FreeTypeFont, max_px: float) -> int:
    """The length of the longest prefix of `word` at most `max_px` wide (at least 1), found by
    bisection over at most `_most_chars` characters: breaking a long word costs time linear in
    its length, not cubic (a 2,000-character word took minutes)."""
    lo, hi = 1, min(len(word), _most_chars(max_px))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fnt.getlength(word[:mid]) <= max_px:
            lo = mid
        else:
            hi = mid - 1
    return lo


# --- captions ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TextOverlay:
    """A premultiplied RGBA sprite split for fast uint8 blending.

    rgb: (h, w, 3) uint8 premultiplied colour. inv_alpha: (h, w, 3) uint8, 255 - alpha.
    x, y: top-left corner in frame pixels (may be negative: blending clips).
    """

    rgb: np.ndarray
    inv_alpha: np.ndarray
    x: int
    y: int


def draw_caption(frame: np.ndarray, text: str, *, speaker: str | None = None,
                 opacity: float = 1.0) -> None:
    """Draw a dialogue subtitle in place at the bottom centre of an (H, W, 3) uint8 RGB frame.

    Light text (the speaker's name, if given, in gold) on a soft dark box with a shadow, so it
    reads on any background; lines wrap at CAPTION_MAX_W stage units. opacity: 0..1, for fades.
    Only the caption's box is blended.
    """
    draw_captions(frame, [(speaker or "", text)], opacity=opacity)


def draw_captions(frame: np.ndarray, captions: Sequence[tuple[str, str]], *,
                  opacity: float = 1.0, paintings: Paintings | None = None,
                  keep_clear: Sequence[tuple[int, int, int, int]] = ()) -> None:
    """Draw the captions of lines spoken at the same time, in place, stacked at the bottom centre
    of an (H, W, 3) uint8 RGB frame (see `caption_stack`), or at the top centre when that band
    covers less of `keep_clear`.

    captions: (speaker, line) in speaking order, the earliest first; a speaker of "" shows no
    name, an empty line is skipped. opacity: 0..1, for fades. paintings: where a render keeps
    the caption sprites it has drawn (each is then rendered once per render). keep_clear:
    (x0, y0, x1, y1) frame-pixel boxes (faces, feet) a caption should not cover.
    """
    opacity = min(max(float(opacity), 0.0), 1.0)
    shown = tuple((speaker, text) for speaker, text in captions if text.strip())
    if not shown or opacity <= 0.0:
        return
    h, w = frame.shape[:2]
    sprites = caption_stack(shown, w, h, paintings)
    if keep_clear:
        sprites = clear_band(sprites, w, h, keep_clear)
    for sprite in sprites:
        blend(frame, sprite, opacity)


def _covered(sprites: Sequence[TextOverlay], margin: int, rects) -> int:
    """Pixels of `rects` under the caption boxes (their sprites less the soft margin)."""
    total = 0
    for sp in sprites:
        bx0, by0 = sp.x + margin, sp.y + margin
        bx1, by1 = sp.x + sp.rgb.shape[1] - margin, sp.y + sp.rgb.shape[0] - margin
        for x0, y0, x1, y1 in rects:
            total += max(0, min(bx1, x1) - max(bx0, x0)) * max(0, min(by1, y1) - max(by0, y0))
    return total


def clear_band(sprites: list[TextOverlay], width: int, height: int, rects) -> list[TextOverlay]:
    """The caption stack in the bottom band, or moved whole to the top band (as far from the
    top as it was from the bottom) when that covers less of `rects`: a face or feet."""
    margin = _caption_margin(width / STAGE_W)
    bottom = _covered(sprites, margin, rects)
    if not bottom:
        return sprites
    top_y = min(sp.y for sp in sprites)
    low_y = max(sp.y + sp.rgb.shape[0] for sp in sprites)
    lift = top_y - (height - low_y)            # the same gap to the top as there was below
    moved = [replace(sp, y=sp.y - lift) for sp in sprites]
    return moved if _covered(moved, margin, rects) < bottom else sprites


def caption_stack(captions: Sequence[tuple[str, str]], width: int, height: int,
                  paintings: Paintings | None = None) -> list[TextOverlay]:
    """The sprites of (speaker, line) captions for a `width` x `height` frame, stacked upwards
    from the bottom one's place, CAPTION_GAP stage units between their boxes.

    The earliest spoken is at the top and the latest nearest the bottom, so they read top to
    bottom in speaking order, as dialogue subtitles do; and a caption moves only when a newer
    line starts below it, never while it is being read, when an earlier line ends above it.
    """
    scale = width / STAGE_W
    margin = _caption_margin(scale)
    gap = round(CAPTION_GAP * scale)
    sprites, lift = [], 0
    for speaker, text in reversed(captions):                     # bottom first
        sprite = paintings.get("caption", (text, speaker, width, height),
                               lambda: caption_sprite(text, speaker, width, height)) \
            if paintings else caption_sprite(text, speaker, width, height)
        sprites.append(replace(sprite, y=sprite.y - lift) if lift else sprite)
        lift += sprite.rgb.shape[0] - 2 * margin + gap           # this box's height and a gap
    return sprites[::-1]


def _caption_margin(scale: float) -> int:
    """Pixels of room around a caption's box in its sprite, for the soft edges."""
    return round(16 * scale) + 2


def caption_sprite(text: str, speaker: str, width: int, height: int) -> TextOverlay:
    """The caption for a `width` x `height` frame, placed bottom centre."""
    scale = width / STAGE_W
    fnt = font_for_cap(CAPTION_CAP, scale)
    prefix = printable(f"{speaker}: ") if speaker else ""
    step = round(fnt.size * LINE_RATIO * 1.08)
    fits = height // max(1, step) + 1   # a caption taller than the frame: the lines it can show
    lines = wrap(printable(prefix + " ".join(text.split())), fnt, CAPTION_MAX_W * scale,
                 max_lines=fits)[:fits]
    ascent = fnt.getmetrics()[0]
    pad_x, pad_y = round(30 * scale) + 2, round(14 * scale) + 2
    text_w = max(int(np.ceil(fnt.getlength(line))) for line in lines)
    bw, bh = text_w + 2 * pad_x, step * len(lines) + 2 * pad_y
    margin = _caption_margin(scale)
    sw, sh = bw + 2 * margin, bh + 2 * margin

    ink = Image.new("L", (sw, sh), 0)
    gold = Image.new("L", (sw, sh), 0)
    draw_ink, draw_gold = ImageDraw.Draw(ink), ImageDraw.Draw(gold)
    for i, line in enumerate(lines):
        x = margin + pad_x + (text_w - fnt.getlength(line)) / 2
        y = margin + pad_y + i * step + ascent
        if i == 0 and prefix:
            name = prefix.rstrip()
            draw_gold.text((x, y), name, font=fnt, fill=255, anchor="ls")
            x += fnt.getlength(prefix)
            line = line[len(prefix):]
        draw_ink.text((x, y), line, font=fnt, fill=255, anchor="ls")
    m_ink = np.asarray(ink, dtype=np.float32) / 255.0
    m_gold = np.asarray(gold, dtype=np.float32) / 255.0
    letters = np.maximum(m_ink, m_gold)

    box = np.zeros((sh, sw), np.float32)
    radius = max(1, round(14 * scale))
    cv2.rectangle(box, (margin + radius, margin), (margin + bw - radius, margin + bh), 1.0, -1)
    cv2.rectangle(box, (margin, margin + radius), (margin + bw, margin + bh - radius), 1.0, -1)
    for cx in (margin + radius, margin + bw - radius):
        for cy in (margin + radius, margin + bh - radius):
            cv2.circle(box, (cx, cy), radius, 1.0, -1)
    box = cv2.GaussianBlur(box, (0, 0), max(0.6, 6 * scale)) * 0.55
    shift = np.float32([[1, 0, 2 * scale], [0, 1, 3 * scale]])
    shadow = cv2.warpAffine(cv2.GaussianBlur(letters, (0, 0), max(0.6, 2.5 * scale)), shift,
                            (sw, sh))
    shadow = np.clip(shadow * 1.6, 0.0, 0.85)

    rgb = np.zeros((sh, sw, 3), np.float32)
    alpha = np.zeros((sh, sw), np.float32)
    for colour, a in ((SHADOW, box), (SHADOW, shadow), (CAPTION_TEXT, m_ink),
                      (CAPTION_SPEAKER, m_gold)):
        rgb, alpha = _over(rgb, alpha, np.asarray(colour, np.float32), a)
    x0 = (width - sw) // 2
    y0 = height - round(CAPTION_BOTTOM * scale) - bh - margin
    return _sprite(rgb, alpha, x0, y0)


def _over(rgb: np.ndarray, alpha: np.ndarray, colour: np.ndarray,
          a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Premultiplied "over": a layer of flat `colour` (0..255) with coverage `a` (0..1) on top."""
    keep = 1.0 - a
    return rgb * keep[:, :, None] + colour * a[:, :, None], alpha * keep + a


def _paint(rgb: np.ndarray, colour: tuple, a: np.ndarray) -> None:
    """Paint flat `colour` with coverage `a` (H, W) over an opaque (H, W, 3) float32 image, in
    place, one channel at a time to keep temporaries small."""
    keep = 1.0 - a
    for c in range(3):
        channel = rgb[:, :, c]
        channel *= keep
        channel += np.float32(colour[c]) * a


def _sprite(rgb: np.ndarray, alpha: np.ndarray, x: int, y: int) -> TextOverlay:
    rgb8 = np.clip(rgb + 0.5, 0, 255).astype(np.uint8)
    inv = np.clip(255.0 - alpha * 255.0 + 0.5, 0, 255).astype(np.uint8)
    inv3 = np.ascontiguousarray(np.repeat(inv[:, :, None], 3, axis=2))
    for arr in (rgb8, inv3):
        arr.setflags(write=False)
    return TextOverlay(rgb8, inv3, int(x), int(y))


def blend(frame: np.ndarray, sprite: TextOverlay, opacity: float = 1.0) -> None:
    """Blend a premultiplied sprite over `frame` in place, clipped to the frame, uint8 only."""
    h, w = frame.shape[:2]
    sh, sw = sprite.rgb.shape[:2]
    fx0, fy0 = max(sprite.x, 0), max(sprite.y, 0)
    fx1, fy1 = min(sprite.x + sw, w), min(sprite.y + sh, h)
    if fx0 >= fx1 or fy0 >= fy1:
        return
    src = np.s_[fy0 - sprite.y:fy1 - sprite.y, fx0 - sprite.x:fx1 - sprite.x]
    rgb, inv = sprite.rgb[src], sprite.inv_alpha[src]
    if opacity < 1.0:
        rgb = cv2.convertScaleAbs(rgb, alpha=opacity)
        inv = cv2.convertScaleAbs(inv, alpha=opacity, beta=255.0 * (1.0 - opacity))
    view = frame[fy0:fy1, fx0:fx1]
    cv2.multiply(view, inv, dst=view, scale=1.0 / 255.0)
    cv2.add(view, rgb, dst=view)


# --- title cards ---------------------------------------------------------------------------------

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
