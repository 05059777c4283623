"""One exposure of a shot: every actor's pose, the camera, the light — a pure function of
(scene, shot, exposure), sampled at the exposure's time and held.
"""
from __future__ import annotations

import math

from dataclasses import dataclass, replace

import numpy as np

from renderer import jitter
from renderer.model.puppet import PuppetDef
from renderer.model.scene import CameraKey, Placement, Scene, Shot
from renderer.stage import rig
from renderer.stage.contact import ground, seat
from renderer.stage.gait import StageMemo
from renderer.stage.hands import handle_offset, reach_for
from renderer.stage.perform import ActorState, Handling, fold, handling
from renderer.stage.rig import puppet_matrices  # noqa: F401  (sheets and tests import it from here)
from renderer.stage.timing import Exposure, progress

BOIL_DEGREES = 0.6      # rotation boil of the most jittery part, degrees
FLICKER = 0.015         # ±1.5 % brightness between exposures
BLINK_BUCKET = 1 / 12   # seconds: one exposure on twos
BLINK_CHANCE = 0.03     # per bucket: a blink about every 3 seconds
# seconds after a cut and before the next in which no one blinks at random: a shot opens on eyes
# that read (a short reaction shot whose first frame blinked looked like a mistake), and an
# editor cuts away on open eyes
BLINK_CLEAR_IN, BLINK_CLEAR_OUT = 0.5, 0.25
IN_FRONT = 1e9          # draw order of things flying through the air


@dataclass(frozen=True)
class ActorPose:
    """An actor at one exposure. `slot_matrices`: (n_slots, 3, 3) bone-local to stage units.
    `grip` and `head`: stage points where its hand holds things and where its head is."""

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
    grip: tuple[float, float] | None = None
    head: tuple[float, float] | None = None
    facing: int = 1
    order: float = 0.0       # draw order among equal z: feet lower on screen are in front
    grounded: bool = True    # stands on the floor (casts a contact shadow)
    variants: tuple[int, ...] | None = None   # per slot: which redrawn variant a drawing shows
    grips: tuple[tuple[float, float], ...] = ()   # every hand that holds, the main one first
    handle: tuple[float, float] | None = None     # where a hand holds it (its root without one)
    depth: float = 1.0       # its plane: 1 the puppet plane, < 1 nearer the camera (`stage.lens`)


@dataclass(frozen=True)
class StageState:
    camera: CameraKey
    actors: tuple[ActorPose, ...]      # in draw order, back to front
    captions: tuple[tuple[str, str], ...]   # (speaker, line) of each line shown, earliest first
    flicker: float
    grain: int
    crumble: dict                      # set layer name -> progress 0..1 of its disintegration
    time: float
    lights: tuple[float, ...] = ()     # each set light's strength multiplier (its flicker)
    light_at: tuple[tuple[float, float], ...] = ()   # where each set light is (it may move)
    hidden: frozenset = frozenset()    # the names of the set layers taken away (`do: hide`)


def stage_exposure(scene: Scene, shot: Shot, exposure: Exposure,
                   memo: StageMemo | None = None) -> StageState:
    """Everything one photograph shows. `memo`: the render's `StageMemo`, which keeps what no
    exposure changes (its puppets' gaits); without one they are worked out for this call. A shot
    whose camera is framed on a puppet is framed first (`framing.framed_shot`; a render's plan
    does that once per shot instead)."""
    if shot.camera.framed:
        from renderer.stage.framing import framed_shot   # framing stages exposures itself
        shot = framed_shot(scene, shot)
    t = exposure.time
    positions = {pid: p.at for pid, p in shot.cast.items()}
    by_actor = {pid: [a for a in shot.actions if a.who == pid] for pid in shot.cast}
    states = {pid: fold(place, by_actor[pid], t, positions, memo)
              for pid, place in shot.cast.items()}
    handled = {pid: handling(shot.actions, pid, t) for pid in shot.cast}
    for pid, s in states.items():
        if not shot.cast[pid].is_prop and handled[pid] is None:
            _settle(s, memo)
    reach_for(shot.actions, states, t)
    cast_order = {pid: i for i, pid in enumerate(shot.cast)}   # breaks ties of speaking time
    poses: dict[str, ActorPose] = {}
    spoken = []                        # (when the line began, cast order, (speaker, line))
    # holders first, then what they hold (one level: a held thing holds nothing)
    for pid in sorted(shot.cast, key=lambda k: handled[k] is not None):
        place, s = shot.cast[pid], states[pid]
        if handled[pid] is not None:
            _place_handled(s, handled[pid], poses, place, shot)
        if s.said is not None:
            spoken.append((s.said_at, cast_order[pid], (s.puppet.title, s.said)))
        blinking = "blink" in s.puppet.faces and not place.is_prop and \
            BLINK_CLEAR_IN <= t < shot.duration - BLINK_CLEAR_OUT and \
            jitter.unit(scene.seed, shot.id, pid, "blink", int(t / BLINK_BUCKET)) < BLINK_CHANCE
        poses[pid] = _pose_actor(place, s, blinking, scene, shot, exposure)
        h = handled[pid]
        if h is not None and (h.holder is not None or h.p < 1):
            poses[pid] = replace(poses[pid], grounded=False)
        if h is not None and h.holder is None and (h.p < 1 or isinstance(h.end, str)
                                                   and h.end in shot.cast):
            # in flight, or landed on someone (the cat on the Beldam's face): in front of all
            poses[pid] = replace(poses[pid], order=IN_FRONT, grounded=False)
        if h is not None and h.holder is not None and h.holder in poses:
            holder = poses[h.holder]   # drawn just in front of whoever holds it
            poses[pid] = _in_front_of(poses[pid], holder)
    crumble = {a.args["layer"]: progress(t, a.t, a.duration, a.ease)
               for a in shot.actions if a.do == "disintegrate" and a.t <= t}
    actors = sorted(poses.values(), key=lambda a: (a.z, a.order))
    captions = tuple(caption for _, _, caption in sorted(spoken, key=lambda c: c[:2]))
    return StageState(_camera_at(scene, shot, exposure), tuple(actors), captions,
                      jitter.flicker(scene.seed, shot.id, exposure.index,
                                     FLICKER * scene.look["flicker"]),
                      jitter.key_int(scene.seed, shot.id, exposure.index, "grain"), crumble, t,
                      light_levels(scene.seed, shot, exposure.index),
                      light_places(scene.seed, shot, exposure),
                      frozenset(a.args["layer"] for a in shot.actions
                                if a.do == "hide" and a.t <= t))


FLICKER_LEVELS = 2   # a flickering light's strength takes 2 * this + 1 values, held per exposure


def light_levels(seed: int, shot: Shot, exposure: int) -> tuple[float, ...]:
    """Each light of the shot's set: its strength multiplier at this exposure. A light with
    `flicker` f varies within 1 - f .. 1 + f in a few steps (so its lit paintings are reused)."""
    levels = []
    for i, light in enumerate(shot.set.lights):
        if light.flicker <= 0:
            levels.append(1.0)
            continue
        u = jitter.unit(seed, shot.id, exposure, "light", i)
        levels.append(1.0 + light.flicker * (round(u * 2 * FLICKER_LEVELS) / FLICKER_LEVELS - 1))
    return tuple(levels)


def light_places(seed: int, shot: Shot, exposure: Exposure) -> tuple[tuple[float, float], ...]:
    """Where each light of the shot's set is at this exposure, stage units: where it hangs,
    swung by `swing` along a sine of its `period` at the exposure's time, and strayed up to
    `wander` either way on each axis from the exposure's own random stream (a flame)."""
    places = []
    for i, light in enumerate(shot.set.lights):
        x, y = light.at
        if light.swing != (0.0, 0.0):
            s = math.sin(2 * math.pi * exposure.time / light.period)
            x, y = x + light.swing[0] * s, y + light.swing[1] * s
        if light.wander > 0:
            u, v = jitter.stream(seed, shot.id, exposure.index, "light-wander", i).random(2)
            x, y = x + light.wander * (2 * float(u) - 1), y + light.wander * (2 * float(v) - 1)
        places.append((x, y))
    return tuple(places)


def _in_front_of(pose: ActorPose, holder: ActorPose) -> ActorPose:
    return replace(pose, z=holder.z, order=holder.order + 0.5)


def _point(ref, poses: dict, s: ActorState, head: bool = False) -> tuple[float, float]:
    """A stage point from a reference: (x, y), an actor's hand (or head), or the floor below."""
    if isinstance(ref, tuple):
        return ref
    if ref == "floor":
        return s.x, s.y
    pose = poses.get(ref)
    if pose is None:
        return s.x, s.y
    spot = (pose.head if head else pose.grip) or pose.grip or pose.head
    return spot if spot is not None else (pose.x, pose.y)


def _settle(s: ActorState, memo: StageMemo | None = None) -> None:
    """Feet on the floor, or the pelvis on its seat: what a standing or seated actor touches."""
    if "seat" in s.extra:
        surface, weight = s.extra["seat"]
        s.pose, s.x = seat(s.puppet, s.pose, s.x, s.y, s.facing, s.scale, surface, weight,
                           memo)
    elif not s.extra.get("travelling"):
        s.pose = ground(s.puppet, s.pose, memo)


def _ground_under(x: float, y: float, floor: float, shot: Shot) -> float:
    """The stage y a thing falling from (x, y) lands on: the highest table, seat or floor of the
    set under it, else `floor`."""
    tops = [sf.y for sf in shot.set.surfaces if sf.x0 <= x <= sf.x1 and y <= sf.y < floor]
    return min(tops, default=floor)


def _place_handled(s: ActorState, h: Handling, poses: dict, place: Placement, shot: Shot) -> None:
    """Put a passed object where its handling says: its handle in a hand (a prop at its holder's
    scale; in a give, passing from the giver's scale to the receiver's), in flight, falling, or
    where it landed."""
    if h.holder is not None:
        holder = poses.get(h.holder)
        if holder is not None and holder.grip is not None:
            if place.is_prop:
                s.scale = holder.scale
                if h.partner in poses and h.start in poses and h.end in poses:
                    a, b = poses[h.start].scale, poses[h.end].scale
                    s.scale = a + (b - a) * h.p
            s.facing = holder.facing
            dx, dy = handle_offset(s)
            s.x, s.y = holder.grip[0] - dx, holder.grip[1] - dy
        return
    if h.start == place.id:
        return      # not yet picked up: where it lies
    giver = poses.get(h.start) if isinstance(h.start, str) else None
    if place.is_prop and giver is not None:
        s.scale = giver.scale
    dx, dy = handle_offset(s)
    hand = _point(h.start, poses, s)
    start = (hand[0] - dx, hand[1] - dy)
    if h.falls and h.end == "floor":
        floor = giver.y if giver is not None else s.y
        end = (start[0], _ground_under(start[0], start[1], floor, shot))
    else:
        end = _point(h.end, poses, s, head=True)
    k = h.p * h.p if h.falls else h.p      # a dropped thing falls faster and faster
    s.x = start[0] + (end[0] - start[0]) * k
    s.y = start[1] + (end[1] - start[1]) * k - h.height * 4 * h.p * (1 - h.p)
    if h.height and h.p < 1:   # a thrown thing tumbles
        s.rot += 540 * h.p


def _camera_at(scene: Scene, shot: Shot, exposure: Exposure) -> CameraKey:
    cam = shot.camera
    p = progress(exposure.time, 0.0, shot.duration, cam.ease)
    x = cam.start.x + (cam.end.x - cam.start.x) * p
    y = cam.start.y + (cam.end.y - cam.start.y) * p
    zoom = cam.start.zoom * (cam.end.zoom / cam.start.zoom) ** p  # even zooms feel constant speed
    tilt = cam.start.tilt + (cam.end.tilt - cam.start.tilt) * p
    dolly = cam.start.dolly + (cam.end.dolly - cam.start.dolly) * p
    amount = cam.shake
    for a in shot.actions:
        if a.do == "shake" and a.t <= exposure.time < a.t + max(a.duration, 1e-9):
            amount += a.args["amount"]
    if amount > 0:
        dx, dy = jitter.shake(scene.seed, shot.id, exposure.index, amount)
        x, y = x + dx / zoom, y + dy / zoom
    return CameraKey(x, y, zoom, tilt, dolly)


def slot_attachments(puppet: PuppetDef, skin: str, face: str, mouth: str | None,
                     blinking: bool, turn: str | None = None) -> tuple[str | None, ...]:
    """Which attachment every slot shows: default, then face, blink, mouth shape, then skin,
    then the head's turn (its replacement head and the face parts placed on it).
    A line's pauses (mouth shape "rest") keep the face's own mouth: a scream stays a scream
    between words instead of relaxing into the neutral (smiling) rest."""
    chosen = {s.name: s.attachment for s in puppet.slots}
    expression = puppet.faces.get(face, {})
    chosen.update(expression)
    if blinking:
        chosen.update(puppet.faces["blink"])
    if mouth == "rest" and puppet.mouth_slot in expression:
        mouth = None
    if mouth is not None and puppet.mouth_slot is not None:
        chosen[puppet.mouth_slot] = puppet.mouths.get(mouth, puppet.mouths["rest"])
    sk = puppet.skins[skin]
    chosen.update(sk.slots)
    return tuple(puppet.turned(sk.swap.get(chosen[s.name], chosen[s.name]), turn, skin)
                 if chosen[s.name] else None for s in puppet.slots)


def placement_matrix(x: float, y: float, facing: int, scale: float, rot: float) -> np.ndarray:
    """Puppet space to stage units: at (x, y), mirrored when facing left, scaled, rotated."""
    return rig.placement(x, y, facing, scale, rot)


def _pose_actor(place: Placement, s: ActorState, blinking: bool, scene: Scene, shot: Shot,
                exposure: Exposure) -> ActorPose:
    puppet = s.puppet
    pose = s.pose
    index = puppet.bone_index
    if "look" in s.extra and "head" in index:
        pose = pose.copy()
        pose[index["head"], 0] += s.extra["look"]
    world = puppet_matrices(puppet, pose)
    amps = np.array([sl.boil for sl in puppet.slots]) * puppet.boil * scene.look["boil"]
    b = jitter.boil(scene.seed, shot.id, exposure.index, place.id, amps, BOIL_DEGREES)
    jig = rig.local_matrices(b[:, 0], b[:, 1], b[:, 2], np.ones(len(b)), np.ones(len(b)))
    bone_of = np.array([sl.bone for sl in puppet.slots])
    placed = placement_matrix(s.x, s.y, s.facing, s.scale, s.rot)
    slot_m = placed @ world[bone_of] @ jig
    atts = slot_attachments(puppet, s.skin, s.face, s.mouth, blinking, s.turn)
    head = None
    grips = tuple((float(g[0]), float(g[1])) for g in
                  (placed @ world[bone] @ np.array([gx, gy, 1.0]) for bone, gx, gy in hands_of(puppet)))
    grip = grips[0] if grips else None
    handle = (s.x, s.y)
    if puppet.handle is not None:
        bone, hx, hy = puppet.handle
        h = placed @ world[bone] @ np.array([hx, hy, 1.0])
        handle = (float(h[0]), float(h[1]))
    if "head" in index:
        hd = placed @ world[index["head"]] @ np.array([0.0, -60.0, 1.0])
        head = (float(hd[0]), float(hd[1]))
    return ActorPose(place.id, puppet, slot_m, atts, s.opacity, s.x, s.y, s.scale, place.z,
                     place.is_prop, grip, head, s.facing, order=s.y, grips=grips,
                     handle=handle, depth=place.depth, grounded=place.depth >= 1.0,
                     variants=redraw_variants(puppet, atts, scene.seed, shot.id, exposure.index,
                                              place.id))


def redraw_variants(puppet: PuppetDef, atts: tuple[str | None, ...], seed: int, shot: str,
                    exposure: int, element: str) -> tuple[int, ...] | None:
    """Per slot, the redrawn variant of a drawing (`redraw` > 1) this exposure shows, drawn
    afresh from the exposure's stream; None when no slot shows such a drawing."""
    counts = [getattr(puppet.attachments.get(a), "redraw", 1) if a else 1 for a in atts]
    if max(counts, default=1) <= 1:
        return None
    u = jitter.stream(seed, shot, exposure, element, "redraw").random(len(counts))
    return tuple(int(x * n) for x, n in zip(u, counts))


def hands_of(puppet: PuppetDef) -> tuple[tuple[int, float, float], ...]:
    """Every grip of the puppet, the main one first."""
    return puppet.grips or ((puppet.grip,) if puppet.grip is not None else ())
