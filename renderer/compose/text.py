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
from renderer.settings import STAGE_W

__all__ = ["font", "font_for_cap", "printable", "wrap", "draw_caption", "draw_captions",
           "caption_sprite", "caption_stack", "caption_places", "clear_band", "clear_place",
           "clear_places", "place_captions", "placed_captions", "draw_placed_captions",
           "letterbox", "blend"]

CAPTION_CAP = 34.0        # caption cap height, stage units
CAPTION_MAX_W = 1400.0    # caption line width limit, stage units
CAPTION_BOTTOM = 56.0     # gap between the caption box and the bottom of the frame, stage units
CAPTION_GAP = 14.0        # gap between the boxes of stacked captions, stage units
CAPTION_TEXT = (246, 240, 226)
CAPTION_SPEAKER = (236, 196, 112)
SHADOW = (10, 8, 12)

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
    of an (H, W, 3) uint8 RGB frame (see `caption_stack`), or wherever `place_captions` finds
    them clear of `keep_clear`, letterboxing the picture when nowhere is.

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
    sprites, picture = place_captions(shown, w, h, keep_clear, paintings)
    if picture < 1.0:
        letterbox(frame, picture)
    for sprite in sprites:
        blend(frame, sprite, opacity)


def place_captions(captions: Sequence[tuple[str, str]], width: int, height: int,
                   keep_clear: Sequence[tuple[int, int, int, int]] = (),
                   paintings: Paintings | None = None) -> tuple[list[TextOverlay], float]:
    """(sprites, picture scale) of `captions` on a `width` x `height` frame: the stack in the
    first of `caption_places` that covers nothing in `keep_clear`, the picture whole (1.0);
    or, when every place covers a face or feet, a letterbox (`placed_captions`)."""
    sprites = caption_stack(captions, width, height, paintings)
    if not keep_clear:
        return sprites, 1.0
    return placed_captions(captions, width, height,
                           clear_place(sprites, width, height, [keep_clear]), paintings)


def clear_place(sprites: list[TextOverlay], width: int, height: int,
                rect_sets: Sequence[Sequence[tuple[int, int, int, int]]]) -> int | None:
    """The index of the first of `caption_places` that covers nothing in any of `rect_sets`
    (the faces and feet of each exposure a line shows on), or None when every place does."""
    rects = [r for rs in rect_sets for r in rs]
    return min(clear_places(sprites, width, height, rects), default=None)


def clear_places(sprites: list[TextOverlay], width: int, height: int,
                 rects: Sequence[tuple[int, int, int, int]]) -> set[int]:
    """The indices of the `caption_places` that cover nothing in `rects`."""
    return {i for i, place in enumerate(caption_places(sprites, width, height))
            if not _covered(place, rects)}


def placed_captions(captions: Sequence[tuple[str, str]], width: int, height: int,
                    place: int | None, paintings: Paintings | None = None
                    ) -> tuple[list[TextOverlay], float]:
    """(sprites, picture scale) of `captions` at `caption_places`[place], the picture whole
    (1.0); or, with place None, a letterbox: the picture shrunk to the returned fraction
    (`letterbox`) above the bottom band, where the stack sits on black."""
    sprites = caption_stack(captions, width, height, paintings)
    if place is not None:
        return caption_places(sprites, width, height)[place], 1.0
    top = min(sp.y for sp in sprites)    # the soft edge of the top box: the picture ends here
    return sprites, max(0.2, top / height)


def draw_placed_captions(frame: np.ndarray, captions: Sequence[tuple[str, str]],
                         place: int | None, paintings: Paintings | None = None) -> None:
    """Draw `captions` in place at `caption_places`[place], or below a letterboxed picture
    when `place` is None (`placed_captions`)."""
    h, w = frame.shape[:2]
    sprites, picture = placed_captions(captions, w, h, place, paintings)
    if picture < 1.0:
        letterbox(frame, picture)
    for sprite in sprites:
        blend(frame, sprite)


def letterbox(frame: np.ndarray, picture: float) -> None:
    """Shrink the picture in `frame` (in place) to `picture` of its size, centred at the top,
    black around: the band below it holds the captions and covers nothing."""
    h, w = frame.shape[:2]
    ph, pw = max(1, round(h * picture)), max(1, round(w * picture))
    small = cv2.resize(frame, (pw, ph), interpolation=cv2.INTER_AREA)
    frame[:] = 0
    x0 = (w - pw) // 2
    frame[:ph, x0:x0 + pw] = small


def _covered(sprites: Sequence[TextOverlay], rects) -> int:
    """Pixels of `rects` under the caption sprites (their whole rectangles, soft edges too)."""
    total = 0
    for sp in sprites:
        bx0, by0 = sp.x, sp.y
        bx1, by1 = sp.x + sp.rgb.shape[1], sp.y + sp.rgb.shape[0]
        for x0, y0, x1, y1 in rects:
            total += max(0, min(bx1, x1) - max(bx0, x0)) * max(0, min(by1, y1) - max(by0, y0))
    return total


def caption_places(sprites: list[TextOverlay], width: int, height: int
                   ) -> list[list[TextOverlay]]:
    """Where the caption stack may go, in order of preference: centred in the bottom band, then
    in the top band (as far from the top as it was from the bottom); then both against the
    left edge, then the right (as far from it as from the bottom)."""
    gap = round(CAPTION_BOTTOM * width / STAGE_W)
    top_y = min(sp.y for sp in sprites)
    low_y = max(sp.y + sp.rgb.shape[0] for sp in sprites)
    left_x = min(sp.x for sp in sprites)
    right_x = max(sp.x + sp.rgb.shape[1] for sp in sprites)
    margin = _caption_margin(width / STAGE_W)
    bands = (0, (height - low_y) - top_y)
    sides = (0, gap - margin - left_x, width - gap + margin - right_x)
    return [[replace(sp, x=sp.x + dx, y=sp.y + dy) for sp in sprites]
            for dx in sides for dy in bands]


def clear_band(sprites: list[TextOverlay], width: int, height: int, rects
               ) -> list[TextOverlay] | None:
    """The first of `caption_places` that covers none of `rects` (faces, feet), or None when
    every one covers some."""
    place = clear_place(sprites, width, height, [rects])
    return None if place is None else caption_places(sprites, width, height)[place]


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
