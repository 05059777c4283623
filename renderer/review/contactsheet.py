"""Contact sheets: rows of labelled thumbnails on a dark background, for reviewing a scene."""
from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np
from PIL import Image, ImageDraw

from renderer.compose.text import font, printable, wrap

BACKGROUND = (22, 20, 24)
LABEL = (200, 194, 184)
ROW_LABEL = (236, 214, 160)
TITLE = (240, 232, 216)


def contact_sheet(rows: Sequence[tuple[str, Sequence[tuple[str, np.ndarray]]]], *,
                  thumb_width: int = 320, title: str = "") -> np.ndarray:
    """A contact sheet: one row per (row label, [(thumbnail label, frame), ...]).

    Frames are (H, W, 3) uint8 RGB of any size; each is scaled to `thumb_width` pixels wide
    (keeping its aspect) with its label (e.g. "f 48 · 2.00 s") under it; the row label sits on
    the left. Rows may have different lengths. Returns an (H, W, 3) uint8 RGB image.
    """
    if thumb_width < 16:
        raise ValueError(f"thumb_width must be at least 16 px, got {thumb_width}")
    unit = thumb_width / 320.0                                   # layout scales with thumbnails
    gap = max(4, round(12 * unit))
    label_font = font(max(9, round(15 * unit)))
    row_font = font(max(10, round(18 * unit)))
    title_font = font(max(12, round(26 * unit)))
    label_h = sum(label_font.getmetrics()) + gap // 2

    thumbs = [[(_label, _thumb(frame, thumb_width)) for _label, frame in frames]
              for _, frames in rows]
    row_h = [max([t.shape[0] for _, t in r] or [round(thumb_width * 9 / 16)]) + label_h
             for r in thumbs]
    label_w = max([row_font.getlength(printable(name)) for name, _ in rows] or [0.0])
    left = gap * 2 + int(np.ceil(label_w))
    cols = max([len(r) for r in thumbs] or [1])
    width = left + cols * (thumb_width + gap) + gap
    title_lines = wrap(printable(title), title_font, width - 2 * gap) if title else []
    title_step = sum(title_font.getmetrics())
    top = gap + (len(title_lines) * title_step + gap if title_lines else 0)
    height = top + sum(h + gap for h in row_h) + gap

    sheet = np.empty((height, width, 3), np.uint8)
    sheet[:] = BACKGROUND
    canvas = Image.fromarray(sheet)
    draw = ImageDraw.Draw(canvas)
    for i, line in enumerate(title_lines):   # wrapped to the sheet's width, never cut off
        draw.text((gap, gap + i * title_step), line, font=title_font, fill=TITLE, anchor="la")
    y = top
    for (name, _), row, h in zip(rows, thumbs, row_h):
        draw.text((gap, y + (h - label_h) // 2), printable(name), font=row_font, fill=ROW_LABEL,
                  anchor="lm")
        x = left
        for label, thumb in row:
            canvas.paste(Image.fromarray(thumb), (x, y))
            text = _fit(label, label_font, thumb_width)
            draw.text((x + thumb_width // 2, y + thumb.shape[0] + gap // 4), text,
                      font=label_font, fill=LABEL, anchor="ma")
            x += thumb_width + gap
        y += h + gap
    return np.asarray(canvas, dtype=np.uint8).copy()


def _thumb(frame: np.ndarray, width: int) -> np.ndarray:
    """`frame` scaled to `width` px wide, keeping its aspect; area averaging when shrinking."""
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 frame, got {frame.shape} {frame.dtype}")
    h, w = frame.shape[:2]
    th = max(1, round(h * width / w))
    interp = cv2.INTER_AREA if width < w else cv2.INTER_LINEAR
    return np.ascontiguousarray(cv2.resize(frame, (width, th), interpolation=interp))


def _fit(text: str, fnt, max_px: float) -> str:
    """`text`, shortened with an ellipsis if it is wider than `max_px` pixels."""
    text = printable(text)
    if fnt.getlength(text) <= max_px:
        return text
    while text and fnt.getlength(text + "…") > max_px:
        text = text[:-1]
    return text + "…"
