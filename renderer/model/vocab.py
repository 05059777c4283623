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
MATERIALS: frozenset[str] = frozenset({
    "plain", "felt", "yarn", "vinyl", "clay", "knit", "wood", "button", "fabric", "wallpaper",
    "paper", "resin", "metal", "glass", "glow",
})
SHAPES = ("ellipse", "rect", "capsule", "polygon", "line")
GRADIENTS = ("none", "vertical", "horizontal", "radial")
TRANSITIONS = ("cut", "fade", "iris")
