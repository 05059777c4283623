"""The one typeface every caption, title card and sheet header is drawn in, and what it covers.

The font ships inside the package (`renderer/compose/fonts/`, see its README: DejaVu Sans Condensed cut
down to Latin-1, Latin Extended-A, general punctuation and common symbols), so a render never
depends on the fonts a system happens to have. Which characters it can draw is read from its
character map once, not found by rendering each character.
"""
from __future__ import annotations

import struct
import unicodedata
from pathlib import Path

from PIL import ImageFont

FONT_FILE = Path(__file__).with_name("fonts") / "DejaVuSansCondensed-subset.ttf"

# Cap height / em size: the ink of "H" above the baseline, 1493 of the face's 2048 units (measured
# with Pillow at 2048 px: -font.getbbox("H", anchor="ls")[1] / 2048; test_text checks it).
CAP_RATIO = 0.729
# Line height / em size: the face's ascender and descender, (1901 + 483) / 2048 units (its hhea
# table). Lines are spaced from this, not from Pillow's hinted getmetrics(), which rounds each
# size's ascent to whole pixels: a 16 px caption's lines were 5 % further apart than a 47 px one's.
LINE_RATIO = 1.164


def font(size_px: int) -> ImageFont.FreeTypeFont:
    """The shipped font at `size_px` pixels (em size), opened anew (~0.3 ms): a render keeps
    the captions drawn with it, not the font."""
    return ImageFont.truetype(str(FONT_FILE), max(4, int(size_px)))


def font_for_cap(cap_units: float, scale: float) -> ImageFont.FreeTypeFont:
    """The font whose capital letters are `cap_units` stage units tall at `scale` px per unit."""
    return font(round(cap_units / CAP_RATIO * scale))


def covered() -> frozenset[int]:
    """Code points the shipped font has a glyph for (from its cmap, read once at import)."""
    return _COVERED


def has_glyph(ch: str) -> bool:
    """Whether the font draws `ch`. White space needs no glyph: captions re-space their text."""
    return ord(ch) in covered() or ch.isspace()


def undrawable(text: str) -> list[tuple[int, str]]:
    """(index, character) of each character of `text` the font cannot draw, in order."""
    have = covered()
    return [(i, ch) for i, ch in enumerate(text) if ord(ch) not in have and not ch.isspace()]


def substitute(ch: str) -> str:
    """What is drawn for a character the font lacks: its compatibility decomposition without
    accents when the font has that (full-width "Ａ" -> "A", "ǎ" -> "a"), else "?"."""
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base if base and all(has_glyph(c) for c in base) else "?"


def printable(text: str) -> str:
    """`text` with the characters the font lacks replaced (see `substitute`), so no empty boxes
    ("tofu") appear on screen. `stopmo validate` warns about each one before a render."""
    if not undrawable(text):
        return text
    return "".join(ch if has_glyph(ch) else substitute(ch) for ch in text)


def cmap_code_points(data: bytes) -> frozenset[int]:
    """Every code point a TrueType/OpenType font's Unicode cmap maps to a glyph.

    data: the font file's bytes. Reads the full-repertoire subtable (format 12) when there is
    one, else the BMP one (format 4); a glyph id of 0 (.notdef) does not count.
    """
    num_tables = struct.unpack_from(">H", data, 4)[0]
    tables = {data[12 + 16 * i:16 + 16 * i]: struct.unpack_from(">I", data, 20 + 16 * i)[0]
              for i in range(num_tables)}
    if b"cmap" not in tables:
        raise ValueError("the font has no cmap table")
    cmap = tables[b"cmap"]
    subtables = {}
    for i in range(struct.unpack_from(">H", data, cmap + 2)[0]):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        fmt = struct.unpack_from(">H", data, cmap + offset)[0]
        subtables.setdefault((platform in (0, 3), fmt), cmap + offset)
    if (True, 12) in subtables:
        return _format12(data, subtables[True, 12])
    if (True, 4) in subtables:
        return _format4(data, subtables[True, 4])
    raise ValueError("the font has no Unicode cmap subtable of format 4 or 12")


def _format4(data: bytes, at: int) -> frozenset[int]:
    seg_count = struct.unpack_from(">H", data, at + 6)[0] // 2
    ends = struct.unpack_from(f">{seg_count}H", data, at + 14)
    starts = struct.unpack_from(f">{seg_count}H", data, at + 16 + 2 * seg_count)
    deltas = struct.unpack_from(f">{seg_count}h", data, at + 16 + 4 * seg_count)
    range_at = at + 16 + 6 * seg_count
    offsets = struct.unpack_from(f">{seg_count}H", data, range_at)
    points = set()
    for k, (start, end, delta, offset) in enumerate(zip(starts, ends, deltas, offsets)):
        if start == 0xFFFF:
            continue
        for c in range(start, end + 1):
            if offset == 0:
                glyph = (c + delta) & 0xFFFF
            else:   # an index into glyphIdArray, counted from this idRangeOffset entry
                glyph = struct.unpack_from(">H", data, range_at + 2 * k + offset
                                           + 2 * (c - start))[0]
                glyph = (glyph + delta) & 0xFFFF if glyph else 0
            if glyph:
                points.add(c)
    return frozenset(points)


def _format12(data: bytes, at: int) -> frozenset[int]:
    groups = struct.unpack_from(">I", data, at + 12)[0]
    points = set()
    for g in range(groups):
        start, end, first_glyph = struct.unpack_from(">III", data, at + 16 + 12 * g)
        points.update(range(start + (first_glyph == 0), end + 1))
    return frozenset(points)


# What the shipped font draws, read from its character map when this module is imported (~0.1
# ms): a constant of the package, like the font file itself.
_COVERED = cmap_code_points(FONT_FILE.read_bytes())
