"""Clean poses: what a viewer sees of a posed puppet, measured on quick low-resolution paintings.

A figure is painted slot by slot, in draw order, into a map of which slot shows at each pixel.
From it, two faults an animator would never leave on the set:

- a limb across the face: the share of the face (the hull of its eyes, brows and mouth) hidden
  by arm or leg parts drawn in front of it (`face_cover`);
- a leg through a skirt: the share of the thighs that shows, for a puppet whose costume hides
  its thighs when it stands (`thigh_show`; a skirted puppet's thighs must stay hidden).

Poses named for a hand at the face (`HANDS_TO_FACE`) may cover it: that is their point.
"""
from __future__ import annotations

import cv2
import numpy as np

from renderer.compose.paintings import Paintings
from renderer.model.puppet import PuppetDef
from renderer.review.modelsheet import (
    SOLID,
    Figure,
    figure_attachments,
    figure_matrices,
    full_pose,
)
from renderer.stage import rig
from renderer.stage.gait import leg_chains
from renderer.stage.rig import bone_ancestors, bone_subtree

SCALE = 0.5          # px per stage unit of the measuring paintings
FACE_COVER = 0.06    # a limb may hide at most this share of the face: the hull of its eyes, brows
FACE_GROW = 1.3      # ... and mouth grown by this factor about its centre (cheeks, nose, chin)
THIGH_SHOW = 0.15    # a skirted puppet may show at most this share of its thighs (its rest share
SKIRTED = 0.25       # ... or less); a puppet showing less than SKIRTED of its thighs at rest wears one
HANDS_TO_FACE = ("hands_to_face", "hand_to_mouth", "cover_eyes", "cover_face", "hug_self",
                 "peek", "shush", "think")
NOTHING = -1


def face_feature_slots(puppet: PuppetDef) -> list[int]:
    """Slot indices of the replacement face parts (eyes, brows, mouth)."""
    return [i for i, s in enumerate(puppet.slots) if s.face or s.name == puppet.mouth_slot]


def limb_slots(puppet: PuppetDef) -> list[int]:
    """Slots that can swing in front of the face: neither on the head's chain (root, body, neck)
    nor on the head itself (hair, hat, ears)."""
    features = face_feature_slots(puppet)
    if not features:
        return []
    head = puppet.slots[features[0]].bone
    fixed = bone_ancestors(puppet, head) | bone_subtree(puppet, head)
    return [i for i, s in enumerate(puppet.slots) if s.bone not in fixed]


def thigh_slots(puppet: PuppetDef) -> list[int]:
    """Slots on the first bone of each leg (`thigh_X`, or the puppet's `legs:` chains)."""
    hips = {chain[0] for chain in leg_chains(puppet) if chain}
    return [i for i, s in enumerate(puppet.slots) if s.bone in hips]


def slot_map(puppet: PuppetDef, fig: Figure,
             paintings: Paintings | None = None) -> tuple[np.ndarray, list]:
    """(H, W) int map of the slot index showing at each pixel (NOTHING where none does), the
    figure painted at SCALE px per unit (the paintings kept in `paintings`, the caller's), and
    each slot's own (H, W) mask (None where it paints nothing)."""
    shown, masks, _ = painted_slots(puppet, fig, paintings=paintings)
    return shown, masks


def painted_slots(puppet: PuppetDef, fig: Figure, scale: float = SCALE,
                  paintings: Paintings | None = None
                  ) -> tuple[np.ndarray, list, tuple[float, float]]:
    """`slot_map`'s map and masks at `scale` px per unit, and the puppet point (units) at the
    map's top-left corner."""
    paintings = Paintings() if paintings is None else paintings
    placed = []      # (slot, alpha, sprite pixels to puppet units)
    corners = []
    for i, (att, m) in enumerate(zip(figure_attachments(puppet, fig), figure_matrices(puppet, fig))):
        if att is None:
            continue
        sprite = paintings.attachment(puppet, att, scale)
        to_units = m @ rig.scale(1 / sprite.scale) @ rig.translate(-sprite.origin[0],
                                                                   -sprite.origin[1])
        h, w = sprite.rgba.shape[:2]
        box = np.array([[0, w, 0, w], [0, 0, h, h], [1, 1, 1, 1]], float)
        corners.append((to_units @ box)[:2].T)
        placed.append((i, sprite.rgba[..., 3], to_units))
    if not placed:
        return np.full((1, 1), NOTHING, int), [None] * len(puppet.slots), (0.0, 0.0)
    pts = np.concatenate(corners)
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    w, h = int(np.ceil((x1 - x0) * scale)) + 2, int(np.ceil((y1 - y0) * scale)) + 2
    view = rig.scale(scale) @ rig.translate(-x0, -y0)
    shown = np.full((h, w), NOTHING, int)
    masks: list = [None] * len(puppet.slots)
    for i, alpha, to_units in placed:
        mask = cv2.warpAffine(alpha, rig.affine(view @ to_units), (w, h),
                              flags=cv2.INTER_NEAREST, borderValue=0) >= SOLID
        shown[mask] = i
        masks[i] = mask
    return shown, masks, (float(x0), float(y0))


def top_edge(puppet: PuppetDef, fig: Figure, slot_names: tuple[str, ...],
             span: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """The top of the silhouette of the named slots over puppet x `span` (units, in the figure's
    own frame, facing applied): (x, y) arrays in puppet units, a sample every 1/SCALE units, y
    the highest painted point of those slots in that column (y down)."""
    shown, masks, (x0, y0) = painted_slots(puppet, fig)
    union = np.zeros(shown.shape, bool)
    for i, slot in enumerate(puppet.slots):
        if slot.name in slot_names and masks[i] is not None:
            union |= masks[i]
    cols = np.arange(shown.shape[1])
    xs = x0 + (cols + 0.5) / SCALE
    keep = (xs >= span[0]) & (xs <= span[1]) & union.any(axis=0)
    tops = np.argmax(union[:, keep], axis=0)
    return xs[keep], y0 + (tops + 0.5) / SCALE


def face_cover(puppet: PuppetDef, fig: Figure, paintings: Paintings | None = None) -> float:
    """The share (0..1) of the face hidden by limb parts drawn in front of it; 0 for a puppet
    without face parts."""
    features, limbs = face_feature_slots(puppet), limb_slots(puppet)
    if not features or not limbs:
        return 0.0
    shown, masks = slot_map(puppet, fig, paintings)
    feat = np.zeros(shown.shape, bool)
    for i in features:
        if masks[i] is not None:
            feat |= masks[i]
    if not feat.any():
        return 0.0
    hull = cv2.convexHull(np.argwhere(feat)[:, ::-1].astype(np.float32))
    centre = hull.mean(axis=0)
    hull = np.round(centre + (hull - centre) * FACE_GROW).astype(np.int32)
    face = np.zeros(shown.shape, np.uint8)
    cv2.fillConvexPoly(face, hull, 1)
    face = face.astype(bool)
    front = [i for i in limbs if i > min(features)]     # drawn over the face parts
    covered = face & np.isin(shown, front)
    return float(covered.sum()) / float(face.sum())


def thigh_show(puppet: PuppetDef, fig: Figure, paintings: Paintings | None = None) -> float:
    """The share (0..1) of the thighs' own paint that shows in `fig`; 1.0 with no thighs."""
    thighs = thigh_slots(puppet)
    if not thighs:
        return 1.0
    shown, masks = slot_map(puppet, fig, paintings)
    total = sum(int(masks[i].sum()) for i in thighs if masks[i] is not None)
    if total == 0:
        return 1.0
    return float(np.isin(shown, thighs).sum()) / total


def skirted(puppet: PuppetDef, skin: str = "real", paintings: Paintings | None = None) -> bool:
    """Whether the costume hides the thighs when the puppet stands (a skirt, a long coat)."""
    return thigh_show(puppet, Figure("", full_pose(puppet, "stand"), skin=skin), paintings) \
        < SKIRTED


def widest_face(puppet: PuppetDef, skin: str = "real",
                paintings: Paintings | None = None) -> str:
    """The face (expression) whose eyes, brows and mouth spread over the most of the head: a
    scream or empty sockets reach nearer the arms than the neutral face does."""
    features = face_feature_slots(puppet)
    if not features or len(puppet.faces) < 2:
        return "neutral"

    def spread(face: str) -> int:
        _, masks = slot_map(puppet, Figure("", full_pose(puppet, "stand"), skin=skin, face=face),
                            paintings)
        painted = [np.argwhere(masks[i]) for i in features if masks[i] is not None]
        if not painted:
            return 0
        return int(cv2.contourArea(cv2.convexHull(np.concatenate(painted).astype(np.float32))))

    return max(puppet.faces, key=spread)


def pose_faults(puppet: PuppetDef) -> list[str]:
    """One line per pose, skin, facing and face (the neutral one and the widest) that hides the
    face behind a limb or shows a leg through a skirt; empty when every pose is clean. Each part
    is painted once for them all."""
    out, paintings = [], Paintings()
    for skin in puppet.skins:
        faces = sorted({"neutral", widest_face(puppet, skin, paintings)} & set(puppet.faces)) \
            or ["neutral"]
        skirt = skirted(puppet, skin, paintings)
        rest = thigh_show(puppet, Figure("", full_pose(puppet, "stand"), skin=skin),
                          paintings) if skirt else 0
        for name in puppet.poses:
            for facing in (1, -1):
                fig = Figure(name, full_pose(puppet, name), skin=skin, facing=facing)
                where = f"{puppet.name}: pose {name!r} (skin {skin!r}, facing " \
                        f"{'right' if facing == 1 else 'left'})"
                for face in faces if name not in HANDS_TO_FACE else ():
                    cover = face_cover(puppet, Figure(name, fig.pose, skin=skin, face=face,
                                                      facing=facing), paintings)
                    if cover > FACE_COVER:
                        out.append(f"{where}: a limb hides {cover:.0%} of the {face!r} face "
                                   f"(at most {FACE_COVER:.0%})")
                if skirt:
                    show = thigh_show(puppet, fig, paintings)
                    if show > max(THIGH_SHOW, rest + 0.05):
                        out.append(f"{where}: {show:.0%} of the thighs show through the skirt "
                                   f"(at rest {rest:.0%})")
    return out
