"""A puppet's setup data: bones, slots, skins, cycles. Like the Spine runtime's `SkeletonData`, a
`PuppetDef` is shared and never mutated: posing produces arrays. Props are puppets too."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from renderer.model.art import Art
from renderer.model.set import Surface
from renderer.model.skeleton import BoneTable, bone_table

Point = tuple[int, float, float]    # (bone, x, y): a point in a bone's frame


@dataclass(frozen=True)
class Bone:
    """Setup pose of a bone: position in the parent's frame (stage units), rotation (degrees,
    clockwise on screen), scale, and length (stage units, for attachment checks and reach)."""

    name: str
    parent: int
    x: float
    y: float
    rot: float
    scale: float
    length: float


@dataclass(frozen=True)
class Slot:
    """An entry of the draw order (back to front), bound to a bone, showing one attachment."""

    name: str
    bone: int
    attachment: str | None
    boil: float          # relative boil amplitude from its material and whether it is a face part
    face: bool


@dataclass(frozen=True)
class Skin:
    """Attachment overrides: `slots` forces a slot's attachment; `swap` substitutes one attachment
    for another wherever it would show (e.g. every eye expression becomes buttons)."""

    slots: dict[str, str | None] = field(default_factory=dict)
    swap: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Cycle:
    """A looping gait: poses visited in order over `period` seconds."""

    period: float
    keys: tuple[str, ...]


@dataclass(frozen=True, eq=False)  # identity hash: cheap cache keys for painted sprites
class PuppetDef:
    name: str
    path: Path
    digest: str
    bones: tuple[Bone, ...]
    slots: tuple[Slot, ...]
    attachments: dict[str, Art]
    skins: dict[str, Skin]
    faces: dict[str, dict[str, str | None]]
    mouth_slot: str | None
    mouths: dict[str, str | None]
    # (n_bones, 4): d_rot (deg), dx, dy (units), scale factor; NaN rows for bones a pose leaves
    # alone, so `look_up` turns the head of a seated puppet without standing it up. `stand`
    # lists every bone: it is the setup pose.
    poses: dict[str, np.ndarray]
    cycles: dict[str, Cycle]
    shadow: tuple[float, float]        # contact shadow width, height (stage units); 0 = none
    boil: float                        # base boil amplitude in stage units
    title: str                         # display name, e.g. on captions: "Other Mother"
    grip: tuple[int, float, float] | None   # (bone, x, y): where a held prop's root goes
    # Leg chains (bone indices, hip first) for foot planting; None: found by the thigh_*/shin_*
    # naming (`renderer.gait.leg_chains`). A chain of one bone only swings; of two or three, the first
    # two bend by inverse kinematics and a third is carried as it is posed.
    legs: tuple[tuple[int, ...], ...] | None = None
    # Every hand that can hold, the main hand first (it is `grip`): (bone, x, y) each.
    grips: tuple[Point, ...] = ()
    # A prop's point that sits in a hand (None: its root), and the surfaces it offers (a chair's
    # seat, a table's top) relative to its root.
    handle: Point | None = None
    surfaces: tuple[Surface, ...] = ()
    # The head turns it has (`vocab.TURNS`), each a replacement head and face parts placed on
    # it: attachment `A@TURN` stands in for `A` on that turn; () for a puppet that never turns.
    turns: tuple[str, ...] = ()
    # A skin that shows another sculpted head than the default (skin -> that head's attachment):
    # the parts placed on that head's turns are `A@HEAD@TURN`, shown in that skin.
    skin_heads: dict[str, str] = field(default_factory=dict)

    @functools.cached_property
    def bone_table(self) -> BoneTable:
        """The setup pose as arrays, for posing (`skeleton.puppet_matrices`)."""
        return bone_table(self.bones)

    @property
    def bone_index(self) -> dict[str, int]:
        return {b.name: i for i, b in enumerate(self.bones)}

    def turned(self, attachment: str | None, turn: str | None,
               skin: str | None = None) -> str | None:
        """The attachment shown in place of `attachment` while the head is on `turn` (placed on
        the head `skin` shows, if it shows its own)."""
        if attachment is None or turn is None:
            return attachment
        head = self.skin_heads.get(skin) if skin is not None else None
        if head is not None and f"{attachment}@{head}@{turn}" in self.attachments:
            return f"{attachment}@{head}@{turn}"
        name = f"{attachment}@{turn}"
        return name if name in self.attachments else attachment

    def rest_pose(self) -> np.ndarray:
        pose = np.zeros((len(self.bones), 4))
        pose[:, 3] = 1.0
        return pose
