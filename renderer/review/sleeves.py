"""Sleeves that read apart from the body: the colour step where an arm lies over the costume.

A puppet's arm is a cut-out laid over its coat or dress. Where both are the same cloth and no
rim divides them, the arm vanishes into the body and the hand seems to sprout from the waist (the
Other Mother's burgundy sleeve on her bodice). Measured on a painting of the stand pose, per skin
and per part of each arm: at every pixel of the part's edge along the body, the part's own colour
near it against the body's colour just beside it. A tone step or a dark rim on the sleeve both
show as a difference; the same felt on both sides does not.
"""
from __future__ import annotations

import cv2
import numpy as np

from renderer.model.puppet import PuppetDef
from renderer.model.skeleton import arm_bones
from renderer.paint.sprites import attachment_sprite
from renderer.review.cleanpose import face_feature_slots, painted_slots
from renderer.review.modelsheet import SOLID, Figure, figure_attachments, figure_matrices, full_pose
from renderer.stage import rig
from renderer.stage.rig import bone_ancestors, bone_subtree

SCALE = 1.0          # px per stage unit: a forearm is 10-16 px wide, its rim 2-3 px
BAND = 3             # px each side of the arm's edge that are compared
MIN_EDGE = 12        # px of shared edge below which an arm does not lie over the body
SLEEVE_STEP = 24     # levels of 255, summed over R, G and B, a sleeve must differ from the body:
#                      about the step between two neighbouring felt tones a viewer tells apart
MAX_MELT = 0.3       # share of a part's edge along the body that may melt into it (a cuff, a seam;
#                      the Other Mother's sleeve melted along 0.4 of its edge before its rim)


def _painting(puppet: PuppetDef, fig: Figure, origin, shape) -> np.ndarray:
    """(H, W, 3) float RGB of the figure, on the grid of `painted_slots` at SCALE."""
    out = np.zeros((*shape, 3), np.float32)
    view = rig.scale(SCALE) @ rig.translate(-origin[0], -origin[1])
    for att, m in zip(figure_attachments(puppet, fig), figure_matrices(puppet, fig)):
        if att is None:
            continue
        sprite = attachment_sprite(puppet, att, SCALE)
        to_px = view @ m @ rig.scale(1 / sprite.scale) @ rig.translate(-sprite.origin[0],
                                                                       -sprite.origin[1])
        rgba = cv2.warpAffine(sprite.rgba, rig.affine(to_px), shape[::-1],
                              flags=cv2.INTER_NEAREST, borderValue=0)
        solid = rgba[..., 3] >= SOLID
        out[solid] = rgba[solid][:, :3]
    return out


def _local_mean(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(H, W, 3) the mean colour of `mask`'s pixels within BAND px of each pixel (0 where none)."""
    size = (2 * BAND + 1, 2 * BAND + 1)
    weight = cv2.boxFilter(mask.astype(np.float32), -1, size, normalize=False)
    total = cv2.boxFilter(rgb * mask[..., None], -1, size, normalize=False)
    return total / np.maximum(weight, 1e-6)[..., None]


def sleeve_melt(puppet: PuppetDef, skin: str) -> dict[str, float]:
    """For each part of an arm (named by its slot: the sleeve, the forearm, the glove) whose edge
    lies along the body in the stand pose, the share (0..1) of that edge where the part's colour
    and the costume's just beside it differ by less than SLEEVE_STEP: where it melts into it."""
    fig = Figure("", full_pose(puppet, "stand"), skin=skin)
    shown, _, origin = painted_slots(puppet, fig, SCALE)
    rgb = _painting(puppet, fig, origin, shown.shape)
    grow = np.ones((2 * BAND + 1, 2 * BAND + 1), np.uint8)
    out = {}
    for grip in puppet.grips:
        arm = arm_bones(puppet, grip)
        if arm is None:
            continue
        limb = bone_subtree(puppet, arm[0])
        if any(puppet.slots[i].bone in limb for i in face_feature_slots(puppet)):
            continue            # a mouth that carries things (the cat's): no sleeve
        trunk = bone_ancestors(puppet, puppet.bones[arm[0]].parent)
        body_px = np.isin(shown, [i for i, s in enumerate(puppet.slots) if s.bone in trunk])
        body_colour = _local_mean(rgb, body_px)
        near_body = cv2.dilate(body_px.astype(np.uint8), grow).astype(bool)
        for i, slot in enumerate(puppet.slots):
            if slot.bone not in limb:
                continue
            part = shown == i
            edge = part & near_body
            if edge.sum() < MIN_EDGE * BAND:
                continue
            step = np.abs(_local_mean(rgb, part)[edge] - body_colour[edge]).sum(axis=1)
            out[slot.name] = float(np.mean(step < SLEEVE_STEP))
    return out


def sleeve_faults(puppet: PuppetDef) -> list[str]:
    """One line per skin and arm part that melts into the body; empty when all read apart."""
    out = []
    for skin in puppet.skins:
        for part, melt in sleeve_melt(puppet, skin).items():
            if melt > MAX_MELT:
                out.append(f"{puppet.name}: skin {skin!r}: {melt:.0%} of the {part!r} edge along "
                           f"the body differs from it by less than {SLEEVE_STEP} levels (at most "
                           f"{MAX_MELT:.0%}: give the sleeve a tone step or a rim)")
    return out
