"""The words scene, set and puppet files share: the loaders check names against them, the
engine's tables (easings, materials, weather, transitions) are keyed by them."""
from __future__ import annotations

# A world picks the colour grade and the default skins; "sunny" is the real world made good
# again at the end (real skins, a warm clear grade).
WORLDS = ("real", "other", "nightmare", "sunny")
WEATHER_KINDS = ("rain", "snow", "fog", "dust", "debris")
MOUTH_SHAPES = ("rest", "A", "E", "O", "U", "MBP", "FV", "L", "WQ")
EASES = ("linear", "in", "out", "in_out", "smooth", "hold")
FACINGS = ("left", "right")
# A head's turns, each a replacement head (`load.heads`); puppets are drawn three-quarter.
TURNS = ("front", "three_quarter", "profile")
BASE_TURN = "three_quarter"
MATERIALS: frozenset[str] = frozenset({
    "plain", "felt", "yarn", "vinyl", "clay", "knit", "wood", "button", "fabric", "wallpaper",
    "paper", "resin", "metal", "glass", "glow",
})
SHAPES = ("ellipse", "rect", "capsule", "polygon", "line")
GRADIENTS = ("none", "vertical", "horizontal", "radial")
TRANSITIONS = ("cut", "fade", "iris")
# Sound: the score a scene plays (by default its world's), the beds of ambience, and the sounds
# stopmo makes itself (cues name them, or a file of the project's).
MUSIC = ("none", "waltz", "nightmare", "lullaby")
AMBIENCES = ("rain", "wind", "room", "birds")
SOUNDS = ("click", "step", "door", "creak", "thud", "rock", "chime", "globe", "whoosh",
          "shimmer", "rumble", "rustle")
VOICES = ("babble", "none")
# Rhubarb Lip Sync's mouth shapes (A-H, X) as the mouths of stopmo's puppets.
RHUBARB_SHAPES = {"A": "MBP", "B": "E", "C": "E", "D": "A", "E": "O", "F": "U", "G": "FV",
                  "H": "L", "X": "rest"}
