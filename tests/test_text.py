"""Captions, title cards and contact sheets: where they draw, that they read, that they repeat."""
from __future__ import annotations

import unicodedata

import numpy as np

from renderer.compose.text import (
    CAPTION_CAP,
    CAPTION_MAX_W,
    caption_sprite,
    caption_stack,
    draw_caption,
    draw_captions,
    font,
    font_for_cap,
    printable,
    wrap,
)
from renderer.compose.titlecard import title_card
from renderer.compose.typeface import CAP_RATIO, LINE_RATIO, covered
from renderer.review.contactsheet import contact_sheet

BOTTOM_BAND = 0.70       # captions may only touch rows below this fraction of the height
STAGE_W = 1920
LONG = ("Is that a door? It's all bricked up. Why would anybody brick up a door in the middle "
        "of a living room wall, Mom? And why is there a tiny key with a button on it?")


def grey(width=640, height=360, level=128) -> np.ndarray:
    return np.full((height, width, 3), level, np.uint8)


def changed_box(before: np.ndarray, after: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) pixel bounds of changed pixels."""
    diff = np.any(before != after, axis=2)
    rows, cols = np.flatnonzero(diff.any(axis=1)), np.flatnonzero(diff.any(axis=0))
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


# --- captions -------------------------------------------------------------------------------------

def test_caption_changes_pixels_only_in_the_bottom_band():
    for width, height in ((320, 180), (1280, 720)):
        frame = grey(width, height)
        draw_caption(frame, LONG, speaker="Coraline")
        top, bottom, left, right = changed_box(grey(width, height), frame)
        assert top > BOTTOM_BAND * height
        assert bottom < height                                    # a margin under the box
        assert abs((left + right) / 2 - width / 2) <= 2             # centred


def test_caption_is_the_same_size_in_stage_units_at_every_resolution():
    boxes = []
    for width in (640, 1920):
        frame = grey(width, width * 9 // 16)
        draw_caption(frame, "Is that a door?")
        boxes.append(np.array(changed_box(grey(width, width * 9 // 16), frame)) * STAGE_W / width)
    assert np.abs(boxes[0] - boxes[1]).max() < 12                   # stage units


def test_long_captions_wrap_within_the_width_limit():
    short = caption_sprite("Is that a door?", "", 1280, 720)
    long = caption_sprite(LONG, "Coraline", 1280, 720)
    assert long.rgb.shape[0] > 1.6 * short.rgb.shape[0]             # more than one line
    assert long.rgb.shape[1] * STAGE_W / 1280 < CAPTION_MAX_W + 120  # box padding only


def test_caption_text_is_light_on_a_dark_box_and_the_speaker_is_gold():
    for level in (20, 240):                                          # reads on dark and light
        frame = grey(1280, 720, level)
        draw_caption(frame, "Hello", speaker="Coraline")
        band = frame[600:700].astype(int)
        assert band.max() > 220                                      # light letters
        assert band.min() < max(level - 60, 25)                      # dark box or shadow
    gold = (band[..., 0] - band[..., 2]) > 60
    assert gold.sum() > 50


def test_caption_opacity_fades():
    full, half, none = grey(), grey(), grey()
    draw_caption(full, "Hello there")
    draw_caption(half, "Hello there", opacity=0.5)
    draw_caption(none, "Hello there", opacity=0.0)
    base = grey().astype(int)
    d_full = np.abs(full.astype(int) - base).sum()
    d_half = np.abs(half.astype(int) - base).sum()
    assert np.array_equal(none, grey())
    assert 0.35 * d_full < d_half < 0.65 * d_full


def test_caption_is_deterministic_and_empty_text_draws_nothing():
    a, b = grey(), grey()
    draw_caption(a, "You're not my mother.", speaker="Coraline")
    draw_caption(b, "You're not my mother.", speaker="Coraline")
    assert np.array_equal(a, b)
    empty = grey()
    draw_caption(empty, "   ")
    assert np.array_equal(empty, grey())


def test_wrap_keeps_every_word_and_respects_the_width():
    fnt = font_for_cap(34, 1.0)
    lines = wrap(LONG, fnt, 600)
    assert " ".join(lines).split() == LONG.split()
    assert all(fnt.getlength(line) <= 600 for line in lines)


def test_accents_dashes_and_notes_are_drawn_as_themselves():
    text = "\u00e9 \u00ef \u00f1 \u2014 \u266a"                       # é ï ñ — ♪
    assert printable(text) == text                                  # nothing replaced
    fnt = font_for_cap(34, 1.0)

    def mask(ch: str) -> np.ndarray:                                # the glyph's coverage
        m = fnt.getmask(ch)
        return np.asarray(m, np.uint8).reshape(m.size[::-1])
    assert not np.array_equal(mask("\u00e9"), mask("e"))             # the accent is there
    assert not np.array_equal(mask("\u00f1"), mask("n"))
    assert not np.array_equal(mask("\u2014"), mask("-"))             # an em dash, not a hyphen
    notdef = mask("\u4e2d")                                          # no glyph: the empty box
    for ch in "\u00e9\u00ef\u00f1\u2014\u266a":
        assert mask(ch).any() and not np.array_equal(mask(ch), notdef), ch
    plain = caption_sprite("Cafe - ok", "", 640, 360)
    accented = caption_sprite("Caf\u00e9 \u2014 ok", "", 640, 360)
    assert plain.rgb.shape != accented.rgb.shape or not np.array_equal(plain.rgb, accented.rgb)


def test_the_font_covers_latin_1_latin_extended_a_and_general_punctuation():
    have = covered()
    for lo, hi in ((0x20, 0x7E), (0xA0, 0xFF), (0x100, 0x17F), (0x2010, 0x2027),
                   (0x2030, 0x205E)):
        missing = [hex(c) for c in range(lo, hi + 1)
                   if unicodedata.category(chr(c)) not in ("Cn", "Cf") and c not in have]
        assert not missing, missing
    assert {0x20AC, 0x2122, 0x2212, 0x266A, 0x266B} <= have         # € ™ − ♪ ♫


def test_characters_the_font_lacks_are_replaced():
    assert printable("\u4e2d \U0001F600 ok") == "? ? ok"           # CJK, an emoji
    assert printable("\uff21\u01ce") == "Aa"                       # full-width A, a with caron
    assert printable("It\u2019s") == "It\u2019s"                    # the font has curly quotes


def test_cap_and_line_ratios_are_the_shipped_fonts():
    big = font(2048)
    assert abs(-big.getbbox("H", anchor="ls")[1] / 2048 - CAP_RATIO) < 0.001
    ascent, descent = big.getmetrics()
    assert abs((ascent + descent) / 2048 - LINE_RATIO) < 0.002
    # a caption's capitals are CAPTION_CAP stage units tall, within a pixel, at any size
    for width in (640, 1280, 1920):
        scale = width / STAGE_W
        cap = -font_for_cap(CAPTION_CAP, scale).getbbox("H", anchor="ls")[1]
        assert abs(cap - CAPTION_CAP * scale) <= 1.0


def test_the_cmap_is_read_once_and_matches_what_renders():
    assert covered() is covered()                                    # read once
    fnt = font(32)
    notdef = bytes(fnt.getmask("\U000F0000"))
    for ch in "a\u00e9\u0142\u2014\u266a":
        assert ord(ch) in covered() and bytes(fnt.getmask(ch)) != notdef
    assert ord("\u4e2d") not in covered() and bytes(fnt.getmask("\u4e2d")) == notdef


def test_stacked_captions_do_not_overlap_and_one_caption_is_as_before():
    one, alone = grey(1280, 720), grey(1280, 720)
    draw_captions(one, [("Coraline", "Hello")])
    draw_caption(alone, "Hello", speaker="Coraline")
    assert np.array_equal(one, alone)
    sprites = caption_stack([("Other Mother", "Welcome home."), ("Coraline", "Hello")], 1280, 720)
    bottom_alone = caption_sprite("Hello", "Coraline", 1280, 720)
    assert (sprites[1].x, sprites[1].y) == (bottom_alone.x, bottom_alone.y)  # the latest: as ever
    margin = 16 * 1280 / STAGE_W
    top_box_bottom = sprites[0].y + sprites[0].rgb.shape[0] - margin
    assert top_box_bottom <= sprites[1].y + margin                  # boxes do not overlap


# --- title cards ----------------------------------------------------------------------------------

def test_title_card_is_deterministic_and_seeded():
    args = (640, 360, "The Small Door", "The ragdoll leads Coraline to a small bricked-up door.")
    a = title_card(*args, seed=3)
    b = title_card(*args, seed=3)
    c = title_card(*args, seed=4)
    assert a.shape == (360, 640, 3) and a.dtype == np.uint8 and a.flags.c_contiguous
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    a[:] = 0                                                         # the caller's own array
    assert np.array_equal(title_card(*args, seed=3), b)


def test_title_card_is_dark_felt_with_a_bright_title_and_a_border():
    card = title_card(1280, 720, "The Small Door", "A moment.", seed=1).astype(int)
    assert card.mean() < 80                                          # dark felt
    light = card.mean(axis=2) > 150
    assert light[200:330, 300:980].sum() > 2000                      # big light letters
    assert light[40:50, 200:1080].sum() > 200                        # stitches 64 units in
    assert light[120:180, 200:1080].sum() == 0                       # plain felt between


def test_title_card_wraps_a_long_subtitle():
    short = title_card(640, 360, "Title", "One line.", seed=1)
    long = title_card(640, 360, "Title", LONG, seed=1)

    def rows(card):                     # lit rows of the subtitle area, inside the border
        return np.flatnonzero((card[200:330, 60:580].mean(axis=2) > 150).any(axis=1))
    assert np.ptp(rows(long)) > 1.8 * np.ptp(rows(short))


# --- contact sheets -------------------------------------------------------------------------------

def test_contact_sheet_lays_out_rows_of_different_lengths():
    frame = grey(640, 360, 200)
    rows = [("shot a", [(f"f {i * 24} \u00b7 {i:.2f} s", frame) for i in range(4)]),
            ("shot b", [("f 0 \u00b7 0.00 s", frame)])]
    sheet = contact_sheet(rows, thumb_width=160, title="small_door")
    one_row = contact_sheet(rows[:1], thumb_width=160)
    two_thumbs = contact_sheet([("x", [("a", frame), ("b", frame)])], thumb_width=160)
    assert sheet.dtype == np.uint8 and sheet.ndim == 3 and sheet.shape[2] == 3
    assert sheet.shape[0] > one_row.shape[0] + 90                    # a second row of thumbs
    assert sheet.shape[1] > two_thumbs.shape[1] + 2 * 160            # the widest row sets width
    assert sheet[-3:, -3:].max() < 40                                 # dark background
    assert (sheet.min(axis=2) >= 195).sum() >= 5 * 160 * 90 * 0.95   # all five thumbnails


def test_contact_sheet_handles_any_frame_aspect():
    tall = grey(100, 300)
    sheet = contact_sheet([("odd", [("tall", tall)])], thumb_width=50)
    assert (sheet.min(axis=2) == 128).sum() >= 50 * 150 * 0.95
