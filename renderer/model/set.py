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
    relative to the root (facing right, scale 1) in a prop."""

    name: str
    kind: str
    x0: float
    x1: float
    y: float

    def placed(self, x: float, y: float, facing: int, scale: float) -> "Surface":
        """This prop surface on the stage, for a prop at (x, y) facing `facing` at `scale`."""
        a, b = x + facing * self.x0 * scale, x + facing * self.x1 * scale
        return Surface(self.name, self.kind, min(a, b), max(a, b), y + self.y * scale)


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

    @property
    def floor_y(self) -> float:
        """Where puppets stand (their `at` y), stage units: the set's `floor`, else FLOOR_Y."""
        return FLOOR_Y if self.floor is None else self.floor

    @property
    def layer_names(self) -> list[str]:
        return [layer.name for layer in self.layers]
