"""One exposure of a shot: every actor's pose, the camera, the light — a pure function of
(scene, shot, exposure, render settings), sampled at the exposure's time and held.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from renderer import jitter, rig
from renderer.puppet import PuppetDef
from renderer.script import Action, CameraKey, Placement, Scene, Shot
from renderer.speech import viseme_at
from renderer.timing import Exposure, progress

BOIL_DEGREES = 0.6      # rotation boil of the most jittery part, degrees
FLICKER = 0.015         # ±1.5 % brightness between exposures
BLINK_BUCKET = 1 / 12   # seconds: one exposure on twos
BLINK_CHANCE = 0.03     # per bucket: a blink about every 3 seconds
CAPTION_LINGER = 0.4    # seconds a caption stays after the line is spoken
CYCLE_FADE = 0.12       # seconds to blend a gait in and out


@dataclass
class ActorState:
    """Mutable while the actions are folded in; frozen into an ActorPose after."""

    x: float
    y: float
    facing: int
    scale: float
    rot: float
    opacity: float
    skin: str
    face: str
    pose: np.ndarray
    mouth: str | None = None


@dataclass(frozen=True)
class ActorPose:
    """An actor at one exposure. `slot_matrices`: (n_slots, 3, 3) bone-local to stage units."""

    id: str
    puppet: PuppetDef
    slot_matrices: np.ndarray
    attachments: tuple[str | None, ...]
    opacity: float
    x: float
    y: float
    scale: float
    z: float
    is_prop: bool


@dataclass(frozen=True)
class StageState:
    camera: CameraKey
    actors: tuple[ActorPose, ...]     # in draw order, back to front
    caption: tuple[str, str] | None   # (speaker, line)
    flicker: float
    grain: int


def stage_exposure(scene: Scene, shot: Shot, exposure: Exposure) -> StageState:
    t = exposure.time
    seed = scene.seed
    camera = _camera_at(scene, shot, exposure)
    actors, caption = [], None
    for pid, place in shot.cast.items():
        state, said = _fold_actions(place, [a for a in shot.actions if a.who == pid], t)
        if said is not None:
            caption = (place.puppet.title, said)
        blinking = "blink" in place.puppet.faces and not place.is_prop and \
            jitter.unit(seed, shot.id, pid, "blink", int(t / BLINK_BUCKET)) < BLINK_CHANCE
        actors.append(_pose_actor(place, state, blinking, scene, shot, exposure))
    actors.sort(key=lambda a: (a.z, a.y))
    return StageState(camera, tuple(actors), caption,
                      jitter.flicker(seed, shot.id, exposure.index, FLICKER * scene.look["flicker"]),
                      jitter.key_int(seed, shot.id, exposure.index, "grain"))


def _camera_at(scene: Scene, shot: Shot, exposure: Exposure) -> CameraKey:
    cam = shot.camera
    p = progress(exposure.time, 0.0, shot.duration, cam.ease)
    x = cam.start.x + (cam.end.x - cam.start.x) * p
    y = cam.start.y + (cam.end.y - cam.start.y) * p
    zoom = cam.start.zoom * (cam.end.zoom / cam.start.zoom) ** p  # even zooms feel constant speed
    amount = cam.shake
    for a in shot.actions:
        if a.do == "shake" and a.t <= exposure.time < a.t + max(a.duration, 1e-9):
            amount += a.args["amount"]
    if amount > 0:
        dx, dy = jitter.shake(scene.seed, shot.id, exposure.index, amount)
        x, y = x + dx / zoom, y + dy / zoom
    return CameraKey(x, y, zoom)


def _fold_actions(place: Placement, actions: list[Action], t: float) -> tuple[ActorState, str | None]:
    """The actor's state at time t: every action begun by then applied in order of start."""
    puppet = place.puppet
    s = ActorState(place.at[0], place.at[1], place.facing, place.scale, place.rot, place.opacity,
                   place.skin, place.face, _full(puppet, puppet.poses[place.pose]))
    said = None
    for a in actions:
        if a.t > t:
            break
        p = progress(t, a.t, a.duration, a.ease)
        running = t < a.t + a.duration
        if a.do in ("walk", "run", "move"):
            tx, ty = a.args["to"]
            if abs(tx - s.x) > 1e-6:
                s.facing = 1 if tx > s.x else -1
            s.x, s.y = s.x + (tx - s.x) * p, s.y + (ty - s.y) * p
            cycle = a.args.get("cycle")
            if cycle and running:
                weight = min(1.0, (t - a.t) / CYCLE_FADE, (a.t + a.duration - t) / CYCLE_FADE)
                s.pose = _overlay(s.pose, _cycle_pose(puppet, cycle, t - a.t), puppet, weight)
        elif a.do == "pose":
            target = puppet.poses[a.args["pose"]]
            s.pose = s.pose + (np.where(np.isnan(target), s.pose, target) - s.pose) * p
        elif a.do == "face":
            s.face = a.args["face"]
        elif a.do == "say":
            if "face" in a.args:
                s.face = a.args["face"]
            if running:
                s.mouth = viseme_at(a.args["say"], (t - a.t) / a.duration)
            if t < a.t + a.duration + CAPTION_LINGER:
                said = a.args["say"]
        elif a.do == "turn":
            s.facing = a.args["facing"]
        elif a.do == "grow":
            s.scale = s.scale + (a.args["scale"] - s.scale) * p
        elif a.do == "fade":
            s.opacity = s.opacity + (a.args["opacity"] - s.opacity) * p
        elif a.do == "skin":
            s.skin = a.args["skin"]
        elif a.do == "spin":
            s.rot = s.rot + (a.args["rot"] - s.rot) * p
    return s, said


def _full(puppet: PuppetDef, pose: np.ndarray) -> np.ndarray:
    """A pose with the bones it leaves alone at the setup pose."""
    return np.where(np.isnan(pose), puppet.poses["stand"], pose)


def _cycle_pose(puppet: PuppetDef, name: str, elapsed: float) -> np.ndarray:
    cycle = puppet.cycles[name]
    phase = (elapsed / cycle.period) % 1.0 * len(cycle.keys)
    i = int(phase)
    frac = phase - i
    a = _full(puppet, puppet.poses[cycle.keys[i]])
    b = _full(puppet, puppet.poses[cycle.keys[(i + 1) % len(cycle.keys)]])
    return a + (b - a) * frac


def _overlay(base: np.ndarray, cycle: np.ndarray, puppet: PuppetDef, weight: float) -> np.ndarray:
    """A gait layered over the held pose: its offsets from the stand pose are added."""
    stand = puppet.poses["stand"]
    out = base + (cycle - stand) * weight
    out[:, 3] = base[:, 3] * (1 + (cycle[:, 3] / stand[:, 3] - 1) * weight)
    return out


def slot_attachments(puppet: PuppetDef, skin: str, face: str, mouth: str | None,
                     blinking: bool) -> tuple[str | None, ...]:
    """Which attachment every slot shows: default, then face, blink, mouth shape, then skin."""
    chosen = {s.name: s.attachment for s in puppet.slots}
    chosen.update(puppet.faces.get(face, {}))
    if blinking:
        chosen.update(puppet.faces["blink"])
    if mouth is not None and puppet.mouth_slot is not None:
        chosen[puppet.mouth_slot] = puppet.mouths.get(mouth, puppet.mouths["rest"])
    sk = puppet.skins[skin]
    chosen.update(sk.slots)
    return tuple(sk.swap.get(chosen[s.name], chosen[s.name]) if chosen[s.name] else None
                 for s in puppet.slots)


def puppet_matrices(puppet: PuppetDef, pose: np.ndarray) -> np.ndarray:
    """World matrices (n_bones, 3, 3) of a puppet in its own space (root at the origin)."""
    bones = puppet.bones
    x = np.array([b.x for b in bones]) + pose[:, 1]
    y = np.array([b.y for b in bones]) + pose[:, 2]
    rot = np.array([b.rot for b in bones]) + pose[:, 0]
    sc = np.array([b.scale for b in bones]) * pose[:, 3]
    parent = np.array([b.parent for b in bones])
    return rig.world_transforms(rig.local_matrices(x, y, rot, sc, sc), parent)


def placement_matrix(x: float, y: float, facing: int, scale: float, rot: float) -> np.ndarray:
    """Puppet space to stage units: at (x, y), mirrored when facing left, scaled, rotated."""
    return rig.translate(x, y) @ rig.rotate(rot * facing) @ rig.scale(scale * facing, scale)


def _pose_actor(place: Placement, s: ActorState, blinking: bool, scene: Scene, shot: Shot,
                exposure: Exposure) -> ActorPose:
    puppet = place.puppet
    world = puppet_matrices(puppet, s.pose)
    amps = np.array([sl.boil for sl in puppet.slots]) * puppet.boil * scene.look["boil"]
    b = jitter.boil(scene.seed, shot.id, exposure.index, place.id, amps, BOIL_DEGREES)
    jig = rig.local_matrices(b[:, 0], b[:, 1], b[:, 2], np.ones(len(b)), np.ones(len(b)))
    bone_of = np.array([sl.bone for sl in puppet.slots])
    slot_m = placement_matrix(s.x, s.y, s.facing, s.scale, s.rot) @ world[bone_of] @ jig
    atts = slot_attachments(puppet, s.skin, s.face, s.mouth, blinking)
    return ActorPose(place.id, puppet, slot_m, atts, s.opacity, s.x, s.y, s.scale, place.z,
                     place.is_prop)


def is_finite_pose(pose: ActorPose) -> bool:
    return bool(np.isfinite(pose.slot_matrices).all()) and math.isfinite(pose.x)
