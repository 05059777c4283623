"""Faces that fit the line: a warning when a spoken line's words or punctuation plainly contradict
the face its speaker wears while saying it ("Let me out!" with a smile).

The check is deliberately blunt: a few cues a reader would not argue with. A line that cries out
in fear, refusal or loss must not be smiled; a line that cheers must not be said in fear or grief.
Anything subtler (sarcasm, a sly villain's sweetness) is left to the author.
"""
from __future__ import annotations

import re

from renderer.model.scene import Scene

# words that, in a line ending in "!", cry out in fear, refusal or loss
DISTRESS = ("let me out", "go away", "help", "no", "never", "gone", "stop", "leave me", "run",
            "get away", "don't")
# words that cheer
CHEER = ("bravo", "hooray", "yay", "welcome", "hurray", "wonderful", "got it", "i've got you")
SMILING = ("happy",)
DOWNCAST = ("sad", "scared", "scream")


def _has(text: str, words) -> str | None:
    low = text.lower()
    for w in words:
        if re.search(rf"(?<![a-z']){re.escape(w)}(?![a-z'])", low):
            return w
    return None


def mood_clash(line: str, face: str) -> str | None:
    """Why `face` plainly contradicts `line`, or None when it does not."""
    if face in SMILING and "!" in line:
        cue = _has(line, DISTRESS)
        if cue:
            return f"a cry ({cue!r}, '!') said with a {face!r} face"
    if face in DOWNCAST:
        cue = _has(line, CHEER)
        if cue:
            return f"a cheer ({cue!r}) said with a {face!r} face"
    return None


def face_at_line(scene: Scene, shot, index: int) -> str:
    """The face the speaker of `shot.actions[index]` (a say) wears as the line begins: the cast's,
    then every face change of that actor up to the line, the line's own face last."""
    say = shot.actions[index]
    face = shot.cast[say.who].face
    for k, a in enumerate(shot.actions):
        if a.who != say.who or a.t > say.t or (a.t == say.t and k > index):
            continue
        if a.do == "face" or (a.do == "say" and "face" in a.args):
            face = a.args["face"]
        elif a.do == "transform" and "into" in a.args:
            face = "neutral"
    return face


def line_warnings(scene: Scene, display: str) -> list[str]:
    """`file:line: warning: ...` for every line whose face plainly contradicts it."""
    out = []
    for shot in scene.shots:
        for i, a in enumerate(shot.actions):
            if a.do != "say":
                continue
            face = face_at_line(scene, shot, i)
            why = mood_clash(a.args["say"], face)
            if why:
                out.append(f"{display}:{a.line}: warning: shots.{shot.id}: {a.who} says "
                           f"{a.args['say']!r} with the face {face!r}: {why}; give the line a "
                           f"face that fits it (say: ..., face: scared)")
    return out
