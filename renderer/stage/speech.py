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
