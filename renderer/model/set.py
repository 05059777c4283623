"""A set: painted multiplane layers at depths (1 = the puppet plane)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from renderer.model.art import Prim

FLOOR_Y = 930.0        # stage units: where puppets stand in a set that names no floor (most do)


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

    @property
    def floor_y(self) -> float:
        """Where puppets stand (their `at` y), stage units: the set's `floor`, else FLOOR_Y."""
        return FLOOR_Y if self.floor is None else self.floor

    @property
    def layer_names(self) -> list[str]:
        return [layer.name for layer in self.layers]
