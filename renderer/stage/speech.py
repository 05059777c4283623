"""Lip sync from text: letters to mouth shapes (visemes), as an animator reads a dialogue track.

Without an audio track the line's letters are spread evenly over its duration; each exposure shows
the mouth shape of the letter being spoken then. Shapes: rest, A, E, O, U, MBP, FV, L, WQ.
"""
from __future__ import annotations

DIGRAPHS = {"th": "L", "sh": "E", "ch": "E", "oo": "U", "ee": "E", "ou": "O", "ow": "O", "wh": "WQ",
            "ph": "FV", "qu": "WQ"}
LETTERS = {"a": "A", "e": "E", "i": "E", "y": "E", "o": "O", "u": "U", "w": "WQ", "q": "WQ",
           "m": "MBP", "b": "MBP", "p": "MBP", "f": "FV", "v": "FV", "l": "L", "t": "L", "d": "L",
           "n": "L", "r": "E", "s": "E", "z": "E", "c": "E", "g": "E", "k": "E", "j": "E", "x": "E",
           "h": "A"}


def visemes(text: str) -> list[str]:
    """One mouth shape per spoken unit of `text`; spaces and punctuation close the mouth."""
    out: list[str] = []
    low = text.lower()
    i = 0
    while i < len(low):
        pair = low[i:i + 2]
        if pair in DIGRAPHS:
            out.append(DIGRAPHS[pair])
            i += 2
            continue
        out.append(LETTERS.get(low[i], "rest"))
        i += 1
    return out or ["rest"]


def viseme_at(text: str, fraction: float) -> str:
    """The mouth shape at `fraction` (0..1) of the way through speaking `text`."""
    shapes = visemes(text)
    i = min(len(shapes) - 1, max(0, int(fraction * len(shapes))))
    return shapes[i]


# Reading a recording: how loud (0..1 of the line's loudest 10 ms) and how bright (Hz) it is.
SILENT = 0.12       # below this level the mouth closes
WIDE = 0.55         # above it the mouth opens wide
HISS = 3500.0       # a quiet sound brighter than this is a fricative (s, f, sh): teeth show


def mouth_from_recording(recording, start: float, end: float) -> str:
    """The mouth shape for seconds `start`..`end` of a recording (one exposure's span): read
    from its measured level and brightness as an animator reads a dialogue track."""
    from renderer.model.sound import ENVELOPE_HZ
    lo = max(0, int(start * ENVELOPE_HZ))
    hi = max(lo + 1, int(round(end * ENVELOPE_HZ)))
    level = recording.level[lo:hi]
    if level.size == 0:
        return "rest"
    k = lo + int(level.argmax())
    loud, bright = float(level.max()), float(recording.brightness[k])
    if loud < SILENT:
        return "rest"
    if bright > HISS and loud < WIDE:
        return "FV" if bright > 2 * HISS else "E"
    if loud >= WIDE:
        return "A" if bright > 700 else "O"
    if bright < 600:
        return "U"
    return "E" if bright > 1800 else "O" if loud > 0.3 else "MBP"


def mouth_from_keys(keys: tuple[tuple[float, str], ...], seconds: float) -> str:
    """The shape of a timing file's (seconds, shape) keys at `seconds` into the line."""
    shape = "rest"
    for t, s in keys:
        if t > seconds + 1e-9:
            break
        shape = s
    return shape
