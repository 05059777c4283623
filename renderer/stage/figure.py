"""A posed puppet measured where it paints, in stage units of its plane: the box around it, its
head (what the head bone carries: face and hair), its eyes, and its feet. Framing a shot on a
head and keeping captions off faces and feet both start from these."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable

from renderer.paint.extent import Box, art_box, placed_box
from renderer.stage.pose import ActorPose

FEET_SHARE = 0.14   # the feet: the lowest this fraction of the figure's height


@dataclass(frozen=True)
class Outline:
    box: Box                          # everything it paints
    head: Box | None                  # what its head bone carries (None: it has no head)
    eyes: tuple[float, float] | None  # the middle of its eyes (or of its head)
    feet: Box                         # the parts that reach the lowest FEET_SHARE of it


def _union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def measure(actor: ActorPose, known: dict[Hashable, Box | None] | None = None
            ) -> Outline | None:
    """`actor` measured from its attachments' shapes (`extent.art_box`) as its slots place them,
    or None when it paints nothing. known: a table of attachment boxes to reuse between calls
    (an attachment's box never changes)."""
    known = {} if known is None else known
    puppet = actor.puppet
    head_bone = puppet.bone_index.get("head")
    parts: list[tuple[str, int, Box]] = []
    for slot, att, m in zip(puppet.slots, actor.attachments, actor.slot_matrices):
        if att is None:
            continue
        key = (puppet, att)
        if key not in known:
            known[key] = art_box(puppet.attachments[att])
        box = known[key]
        if box is not None:
            parts.append((slot.name, slot.bone, placed_box(box, m)))
    if not parts:
        return None
    whole = _union([b for _, _, b in parts])
    on_head = [b for _, bone, b in parts if bone == head_bone]
    head = _union(on_head) if on_head else None
    eye_boxes = [b for name, bone, b in parts if name == "eyes" and bone == head_bone]
    if eye_boxes:
        x0, y0, x1, y1 = eye_boxes[0]
        eyes = ((x0 + x1) / 2, (y0 + y1) / 2)
    else:
        eyes = actor.head if actor.head is not None else \
            (((head[0] + head[2]) / 2, (head[1] + head[3]) / 2) if head else None)
    low = whole[3] - FEET_SHARE * (whole[3] - whole[1])
    feet = _union([b for _, _, b in parts if b[3] >= low])
    feet = (feet[0], max(feet[1], low), feet[2], feet[3])
    return Outline(whole, head, eyes, feet)
