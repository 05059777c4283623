"""A set: painted multiplane layers at depths (1 = the puppet plane)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from renderer.model.art import Prim

FLOOR_Y = 930.0        # stage units: where puppets stand in a set that names no floor (most do)
SURFACE_KINDS = ("seat", "table", "floor")


@dataclass(frozen=True)
class Surface:
    """A flat top something rests on: a `seat` (a puppet can `sit` on it), a `table` or a `floor`
    (a dropped prop lands on it). `x0`..`x1` its span and `y` its height: stage units in a set,
    relative to the root (facing right, scale 1) in a prop. For the shadows of those standing
    on it: `depth`, stage units its top reaches back (0: not said), and `base`, the stage y (or
    in a prop, relative y) where it stands on the floor (None: the set's floor line)."""

    name: str
    kind: str
    x0: float
    x1: float
    y: float
    depth: float = 0.0
    base: float | None = None

    def placed(self, x: float, y: float, facing: int, scale: float) -> "Surface":
        """This prop surface on the stage, for a prop at (x, y) facing `facing` at `scale`."""
        a, b = x + facing * self.x0 * scale, x + facing * self.x1 * scale
        return Surface(self.name, self.kind, min(a, b), max(a, b), y + self.y * scale,
                       self.depth * scale, None if self.base is None else y + self.base * scale)

LIGHT_KINDS = ("key", "fill", "rim", "practical", "moon")
# Per kind, the defaults of a light that does not say: z (stage units toward the camera from the
# puppet plane; negative is behind it), strength, softness, reach of its pool (stage units).
LIGHT_DEFAULTS = {
    "key": (700.0, 1.0, 0.5, 1500.0),
    "fill": (900.0, 0.35, 1.0, 2200.0),
    "rim": (-400.0, 0.8, 0.3, 1800.0),
    "practical": (60.0, 0.7, 0.6, 380.0),
    "moon": (-300.0, 0.6, 0.4, 1600.0),
}


@dataclass(frozen=True)
class Light:
    """A lamp of the miniature. at: (x, y) stage units where it hangs; z: stage units toward the
    camera from the puppet plane (behind it when negative: a rim or the moon through a window).
    colour (r, g, b) 0..255; strength: 1 is a full key; softness 0..1 (a bare bulb .. a diffused
    box: how soft its shadow's edge is); reach: stage units of its pool of light on the set;
    flicker: 0..1, how much of its strength varies from one exposure to the next (a candle);
    window: (x0, y0, x1, y1) stage units, a window the light shines through (its patch lies on
    the floor in front of it), or None. A light may move, held per exposure like everything
    else: swing (dx, dy) stage units, how far either side of `at` it swings (a lantern on a
    chain, a torch in a hand), one way and back in `period` seconds; wander: stage units a flame
    strays from `at` at random from one exposure to the next (a candle)."""

    kind: str
    at: tuple[float, float]
    z: float
    color: tuple[int, int, int]
    strength: float
    softness: float
    reach: float
    flicker: float = 0.0
    window: tuple[float, float, float, float] | None = None
    swing: tuple[float, float] = (0.0, 0.0)
    period: float = 2.0
    wander: float = 0.0

    @property
    def moves(self) -> bool:
        """Whether it is somewhere else from one exposure to the next."""
        return self.swing != (0.0, 0.0) or self.wander > 0

    @property
    def animated(self) -> bool:
        """Whether it moves or flickers: its light is worked out per exposure, not painted in."""
        return self.moves or self.flicker > 0


@dataclass(frozen=True)
class Layer:
    name: str
    depth: float
    extent: tuple[float, float, float, float]   # x0, y0, x1, y1 in stage units
    background: tuple[int, int, int] | None
    shapes: tuple[Prim, ...]


@dataclass(frozen=True, eq=False)
class SetDef:
    name: str
    path: Path
    digest: str
    description: str
    layers: tuple[Layer, ...]   # sorted back to front (deepest first)
    dof: float                  # depth-of-field blur strength; 0 = everything sharp
    floor: float | None = None  # stage y of the puppets' feet, as the file gives it (None: not)
    surfaces: tuple[Surface, ...] = ()   # seats, tables and raised floors, stage units
    lights: tuple[Light, ...] = ()   # the rig; none: the set is lit as painted, no cast shadows
    ambient: float = 0.55       # how much of the painted colour shows where no lamp reaches
    wall: float | None = None   # stage y where the wall behind meets the floor (None: open ground)

    @property
    def key(self) -> Light | None:
        """The light that casts the puppets' shadows: the first `key` in front of them."""
        return next((li for li in self.lights if li.kind == "key" and li.z > 0), None)

    @property
    def floor_y(self) -> float:
        """Where puppets stand (their `at` y), stage units: the set's `floor`, else FLOOR_Y."""
        return FLOOR_Y if self.floor is None else self.floor

    @property
    def layer_names(self) -> list[str]:
        return [layer.name for layer in self.layers]
