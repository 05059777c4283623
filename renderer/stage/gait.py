"""Foot planting: a gait driven by the distance travelled, its feet held still on the floor.

A puppet's keyframed cycle (`cycles:` in its file) says how its legs swing. From it this module
reads, once per (puppet, cycle), when each foot touches down and lifts, how far it sweeps back
while down and how high it rises, and makes a stride of that. While the puppet travels, the
cycle's phase is the distance covered over the stride, not the time, so the feet keep pace with
the body under any easing. A foot in stance stays at its plant point on the stage floor; in swing
it arcs to the next one; each leg then reaches its foot by two-bone inverse kinematics, and the
body sinks where the feet are too far apart for straight legs.

Puppet space is the puppet's own frame: root at the origin on the floor, facing right, unscaled.
Angles are degrees, clockwise on screen (y points down), as in `rig`; lengths in stage units.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Hashable, TypeVar

import numpy as np

from renderer.model.action import along
from renderer.model.puppet import PuppetDef
from renderer.stage import rig

SAMPLES = 48          # phases at which a cycle's feet are traced to find its timing
TOUCH = 0.16          # a foot never this close to the floor (a share of its leg) hovers, like a ghost's
MIN_SWEEP = 0.02      # a foot that sweeps less than this share of its leg does not step
# A foot sweeps back at most this share of its leg while planted: with legs at FLOOR_REACH at
# both ends of the sweep the hips then sink by at most ~8 % of the leg, a walk and not a crouch.
MAX_SWEEP = 0.75
# Share of the cycle a foot stays down, at least. A cycle keyed in four poses lifts one foot the
# instant the other lands (0.5); a person walking keeps both down a little (about 0.6), and so
# between two exposures one foot always stays planted unless an exposure covers more than a
# tenth of a stride (a run).
STANCE = 0.6
# A run is a series of leaps: each foot stays down this share of the cycle, so between one foot
# lifting and the other landing both are off the floor (about a third of the time at two legs).
# A puppet with more than FLIGHT_LEGS legs keeps some down: a spider scuttles, it does not leap.
RUN_STANCE = 0.35
FLIGHT_LEGS = 4
FLIGHT_RISE = 0.1     # how high the body rises mid-flight, as a share of its shortest leg (a
                      # runner's hips rise and fall about a tenth of the leg)
FLOOR_REACH = 0.99    # a planted leg straightens to this share of its reach: a soft knee, no snap
MIN_LIFT, MAX_LIFT = 0.06, 0.3   # how high a swinging foot rises, as a share of its leg

T = TypeVar("T")


class StageMemo:
    """What a render has worked out about its puppets that no exposure changes, asked for again
    by every exposure: each cycle's gait at a pace (`gait_of`, ~7 ms a puppet and cycle) and the
    legs it stands on (`contact.footing_legs`). A render's plan makes one and drops it with
    itself; staging without one works these out afresh. Keys hold definitions by identity."""

    def __init__(self) -> None:
        self._known: dict[Hashable, object] = {}

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value for `key`, made by `make` the first time."""
        if key not in self._known:
            self._known[key] = make()
        return self._known[key]


@dataclass(frozen=True)
class Leg:
    """A leg: `bones` hip first (indices, parent before child), `foot` the foot point in the last
    bone's frame (its far end), `bend` the side of the hip-to-foot line its knee goes: -1 is
    counter-clockwise on screen from that line (forward, for a leg hanging down), +1 clockwise."""

    bones: tuple[int, ...]
    foot: tuple[float, float]
    bend: int


@dataclass(frozen=True, eq=False)
class Gait:
    """How a puppet's cycle steps. Arrays are per leg: `plant` the phase (0..1) its foot touches
    down, `duty` the share of the cycle it stays down, `home` (n, 2) the foot in the stand pose
    (puppet space), `lift` how high it rises mid-swing (puppet units). `stride`: puppet units the
    body travels in one cycle. `start`: the phase a walk begins at (the first leg at mid-stance,
    the feet where standing puts them). `rise`: how high the body rises (puppet units) at the
    middle of a flight, when no foot is down; 0 for a gait that always keeps a foot down."""

    legs: tuple[Leg, ...]
    plant: np.ndarray
    duty: np.ndarray
    home: np.ndarray
    lift: np.ndarray
    stride: float
    start: float
    rise: float = 0.0


def leg_chains(puppet: PuppetDef) -> tuple[tuple[int, ...], ...]:
    """The puppet's legs as bone chains: declared in its file (`legs:`), else every `thigh_X`
    whose child is `shin_X`."""
    if puppet.legs is not None:
        return puppet.legs
    index = puppet.bone_index
    chains = []
    for name, i in index.items():
        if name.startswith("thigh_"):
            shin = index.get("shin_" + name[len("thigh_"):])
            if shin is not None and puppet.bones[shin].parent == i:
                chains.append((i, shin))
    return tuple(chains)


def foot_point(puppet: PuppetDef, chain: tuple[int, ...]) -> tuple[float, float]:
    """The far end of a chain's last bone in its own frame. A bone's length runs along local +y,
    unless its rig lays bones along x (the child's offset in the parent's frame says which)."""
    last = puppet.bones[chain[-1]]
    if len(chain) > 1 and abs(last.x) > abs(last.y):
        return (math.copysign(last.length, last.x), 0.0)
    if len(chain) > 1 and last.y < 0:
        return (0.0, -last.length)
    return (0.0, last.length)


def cycle_pose_at(puppet: PuppetDef, cycle: str, phase: float) -> np.ndarray:
    """The cycle's pose at `phase` (cycles, any real), every bone filled in: its keys are visited
    at equal shares of the cycle and blended linearly between."""
    keys = puppet.cycles[cycle].keys
    stand = puppet.poses["stand"]
    at = phase % 1.0 * len(keys)
    i = int(at) % len(keys)
    a = np.where(np.isnan(puppet.poses[keys[i]]), stand, puppet.poses[keys[i]])
    nxt = puppet.poses[keys[(i + 1) % len(keys)]]
    b = np.where(np.isnan(nxt), stand, nxt)
    return a + (b - a) * (at - int(at))


def feet_of(puppet: PuppetDef, legs, pose: np.ndarray, world: np.ndarray | None = None) -> np.ndarray:
    """(n_legs, 2) each leg's foot point in puppet space, for a full pose."""
    world = rig.puppet_matrices(puppet, pose) if world is None else world
    return np.array([(world[leg.bones[-1]] @ (*leg.foot, 1.0))[:2] for leg in legs])


def gait_of(puppet: PuppetDef, cycle: str, speed: float, flight: bool = False,
            memo: StageMemo | None = None) -> Gait | None:
    """The gait of one of the puppet's cycles travelling at `speed` (stage units a second, the
    verb's default pace), or None when it does not step: no legs, feet that never come down to
    the floor (a ghost's float), or legs too short to keep up (a rat's at a person's pace, whose
    feet would flicker between exposures). Then the cycle plays on the clock, as keyframed.
    `flight`: a run, whose feet stay down RUN_STANCE of the cycle so that the body flies between
    one foot and the next (unless it has more than FLIGHT_LEGS legs).

    The stride is the distance `speed` covers in one period of the cycle (so at that pace the
    feet keep the keyed cadence), but no longer than the legs reach: a foot sweeps back at most
    MAX_SWEEP of its leg while it is down, so stride <= MAX_SWEEP * leg / duty. `memo`: the
    render's, which keeps it."""
    if memo is not None:
        return memo.get(("gait", puppet, cycle, speed, flight),
                        lambda: gait_of(puppet, cycle, speed, flight))
    stand = puppet.poses["stand"]
    chains = [c for c in leg_chains(puppet) if all(puppet.bones[b].length > 0 for b in c[1:])
              and foot_point(puppet, c) != (0.0, 0.0)]
    if not chains:
        return None
    phases = np.arange(SAMPLES) / SAMPLES
    poses = [cycle_pose_at(puppet, cycle, ph) for ph in phases]
    worlds = [rig.puppet_matrices(puppet, p) for p in poses]
    rough = [Leg(c, foot_point(puppet, c), -1) for c in chains]
    track = np.array([feet_of(puppet, rough, p, w) for p, w in zip(poses, worlds)])  # (S, n, 2)
    home = feet_of(puppet, rough, stand)
    reach = np.array([_reach(puppet, stand, leg) for leg in rough])
    height = home[None, :, 1] - track[:, :, 1]              # above standing height (y is down)
    sweep = track[:, :, 0].max(axis=0) - track[:, :, 0].min(axis=0)
    plant = np.argmax(track[:, :, 0], axis=0) / SAMPLES      # most forward: touches down
    lift_off = np.argmin(track[:, :, 0], axis=0) / SAMPLES   # furthest back: lifts
    duty = (lift_off - plant) % 1.0
    steps = (height.min(axis=0) <= TOUCH * reach) & (sweep >= MIN_SWEEP * reach) & (duty > 0)
    if not steps.any():
        return None
    keep = np.flatnonzero(steps)
    middle = plant + duty / 2            # mid-stance stays where the keys put it
    leaps = flight and len(keep) <= FLIGHT_LEGS
    duty = np.full_like(duty, RUN_STANCE) if leaps else np.maximum(duty, STANCE)
    plant = (middle - duty / 2) % 1.0
    legs = tuple(Leg(chains[i], rough[i].foot, _bend(puppet, worlds, rough[i])) for i in keep)
    reach, duty, plant = reach[keep], duty[keep], plant[keep]
    natural = speed * puppet.cycles[cycle].period
    stride = float(min(natural, np.min(MAX_SWEEP * reach / duty)))
    if stride < natural / 3:
        return None
    lift = np.clip(height[:, keep].max(axis=0), MIN_LIFT * reach, MAX_LIFT * reach)
    rise = FLIGHT_RISE * float(reach.min()) if leaps else 0.0
    return Gait(legs, plant, duty, home[keep], lift, stride, float((plant[0] + duty[0] / 2) % 1.0),
                rise)


def _reach(puppet: PuppetDef, pose: np.ndarray, leg: Leg) -> float:
    """Hip to foot with the leg straight (the knee's two segments end to end), puppet units."""
    world = rig.puppet_matrices(puppet, pose)
    points = [world[b][:2, 2] for b in leg.bones[:2]] + [feet_of(puppet, [leg], pose, world)[0]]
    if len(leg.bones) == 1:
        return float(np.hypot(*(points[-1] - points[0])))
    return float(np.hypot(*(points[1] - points[0])) + np.hypot(*(points[2] - points[1])))


def _bend(puppet: PuppetDef, worlds: list[np.ndarray], leg: Leg) -> int:
    """Which side its knee goes, as the cycle's own keys bend it (forward when they keep it
    straight)."""
    if len(leg.bones) < 2:
        return -1
    total = 0.0
    for world in worlds:
        hip, knee = world[leg.bones[0]][:2, 2], world[leg.bones[1]][:2, 2]
        foot = (world[leg.bones[-1]] @ (*leg.foot, 1.0))[:2]
        d, k = foot - hip, knee - hip
        total += (d[0] * k[1] - d[1] * k[0]) / max(1e-9, np.hypot(*d) * np.hypot(*k))
    return 1 if total > 1e-3 * len(worlds) else -1


def _smoothstep(s: float) -> float:
    return s * s * (3 - 2 * s)


@dataclass(frozen=True)
class Footing:
    """A gait laid along one travelling action's path: where each foot is at each distance.

    `points` the path (stage units), `scale` the puppet's, `facing` before it sets off. The stride
    (stage units) is the gait's, fitted so the path holds a whole number of half cycles: a walk
    ends as it began, one foot at mid-stance under the body and the other coming down beside it.
    """

    gait: Gait
    points: tuple[tuple[float, float], ...]
    scale: float
    facing: int

    @property
    def length(self) -> float:
        return sum(math.dist(a, b) for a, b in zip(self.points, self.points[1:]))

    @property
    def stride(self) -> float:
        natural = self.gait.stride * self.scale
        half_cycles = max(1, round(2 * self.length / natural))
        return 2 * self.length / half_cycles

    def phase(self, d: float) -> float:
        """The cycle's phase after `d` stage units of the path."""
        return self.gait.start + d / self.stride

    def _body(self, d: float) -> tuple[float, float, int]:
        x, y, dx = along(list(self.points), min(1.0, max(0.0, d / max(self.length, 1e-9))))
        return x, y, (1 if dx > 0 else -1) if abs(dx) > 1e-6 else self.facing

    def _floor_point(self, leg: int, d: float, ahead: float) -> tuple[float, float]:
        """The stage floor point under leg `leg` with the body at `d`, `ahead` puppet units
        further forward than where standing puts that foot."""
        x, y, facing = self._body(d)
        return x + facing * (self.gait.home[leg, 0] + ahead) * self.scale, y

    def _planted(self, leg: int, down: float, length: float) -> tuple[float, float]:
        """Where leg `leg` touching down at distance `down` plants its foot: ahead of its
        standing place by half the body's travel while it stays down; before the start, where it
        stood; from the end on, where it will stand."""
        if down <= 0:
            return self._floor_point(leg, 0.0, 0.0)
        if down >= length:
            return self._floor_point(leg, length, 0.0)
        return self._floor_point(leg, down, self.gait.duty[leg] * self.stride / self.scale / 2)

    def feet(self, d: float) -> list[tuple[float, float, float]]:
        """Each foot at distance `d` along the path: its stage floor point (x, y) and its height
        above the floor in puppet units."""
        g, stride, length = self.gait, self.stride, self.length
        out = []
        for leg in range(len(g.legs)):
            since = g.start + d / stride - g.plant[leg]     # cycles since a touch-down
            down = d - (since - math.floor(since)) * stride  # where the last touch-down was
            up = down + g.duty[leg] * stride
            if d < up or length <= 0:
                out.append((*self._planted(leg, down, length), 0.0))
                continue
            start, end = max(up, 0.0), min(down + stride, length)
            s = 1.0 if end <= start else min(1.0, (d - start) / (end - start))
            (x0, y0), (x1, y1) = self._planted(leg, down, length), \
                self._planted(leg, down + stride, length)
            k = _smoothstep(s)
            out.append((x0 + (x1 - x0) * k, y0 + (y1 - y0) * k,
                        float(g.lift[leg]) * math.sin(math.pi * s)))
        return out

    def airborne(self, d: float) -> float:
        """How high the body flies (puppet units) at distance `d`: 0 while a foot is down, else
        an arc over the flight, from the last foot lifting to the next landing (never past the
        path's ends, where the puppet stands)."""
        g, stride = self.gait, self.stride
        if g.rise <= 0 or not 0 < d < self.length:
            return 0.0
        frac = (self.phase(d) - g.plant) % 1.0          # of a cycle since each touch-down
        if (frac < g.duty).any():
            return 0.0
        start = d - float(np.min(frac - g.duty)) * stride    # the last foot lifted here
        end = d + float(np.min(1.0 - frac)) * stride         # the next lands here
        if start < 0 or end > self.length or end <= start:
            return 0.0
        s = (d - start) / (end - start)
        return g.rise * 4 * s * (1 - s)

    def targets(self, d: float, x: float, y: float, facing: int) -> np.ndarray:
        """(n_legs, 2) the foot targets in puppet space for a body standing at (x, y) facing
        `facing`: the floor points brought into its frame, at each foot's standing height."""
        g = self.gait
        return np.array([((fx - x) * facing / self.scale,
                          (fy - y) / self.scale + g.home[i, 1] - h)
                         for i, (fx, fy, h) in enumerate(self.feet(d))])


def plant_feet(puppet: PuppetDef, gait: Gait, pose: np.ndarray, targets: np.ndarray,
               weight: float = 1.0) -> np.ndarray:
    """`pose` (full, n_bones x 4) with its root lowered as far as the feet need and every leg bent
    to put its foot on `targets` (n_legs x 2, puppet space); `weight` 0..1 blends it in. A leg of
    one bone cannot bend (a crawl's thigh, kneeling): the body's height is what puts its end on
    the target, raised as well as lowered."""
    solved = pose.copy()
    world = rig.puppet_matrices(puppet, solved)
    rigid, bent = [], []
    for leg, target in zip(gait.legs, targets):
        hip = world[leg.bones[0]][:2, 2]
        one = len(leg.bones) == 1
        reach = (1.0 if one else FLOOR_REACH) * _reach(puppet, solved, leg)
        dx = target[0] - hip[0]
        need = target[1] - hip[1] - math.sqrt(max(reach * reach - dx * dx, 0.0))
        (rigid if one else bent).append(need)
    sink = max(rigid + bent) if rigid else max([0.0] + bent)    # bent legs only ever lower it
    root = next(i for i, b in enumerate(puppet.bones) if b.parent < 0)
    solved[root, 2] += sink
    world = rig.puppet_matrices(puppet, solved)
    for leg, target in zip(gait.legs, targets):
        for bone, rot in zip(leg.bones, solve_leg(puppet, solved, world, leg, target)):
            solved[bone, 0] += (rot - solved[bone, 0] + 180.0) % 360.0 - 180.0   # the short way
    return pose + (solved - pose) * weight


def solve_leg(puppet: PuppetDef, pose: np.ndarray, world: np.ndarray, leg: Leg,
              target: np.ndarray) -> tuple[float, ...]:
    """Pose rotations (degrees, in `pose`'s d_rot column) of the leg's first one or two bones that
    put its foot on `target` (puppet space), by the law of cosines; a target out of reach is
    reached toward as far as the leg goes. Never NaN."""
    bones = puppet.bones
    a = leg.bones[0]
    parent = world[bones[a].parent]
    parent_rot = math.atan2(parent[1, 0], parent[0, 0])
    parent_scale = math.hypot(parent[0, 0], parent[1, 0])
    hip = world[a][:2, 2]
    scale_a = parent_scale * bones[a].scale * pose[a, 3]
    dx, dy = float(target[0] - hip[0]), float(target[1] - hip[1])
    if len(leg.bones) == 1:     # one bone swings so its foot is right above or below the target
        fx, fy = leg.foot
        length = math.hypot(fx, fy) * scale_a
        down = math.asin(max(-1.0, min(1.0, dx / max(length, 1e-9))))   # from straight down
        angle = math.pi / 2 - down
        return (math.degrees(angle - math.atan2(fy, fx) - parent_rot) - bones[a].rot,)
    b = leg.bones[1]
    knee_local = np.array([bones[b].x + pose[b, 1], bones[b].y + pose[b, 2]])
    if len(leg.bones) > 2:      # the bones past the knee are carried as they are posed
        c = leg.bones[2]
        m = rig.local_matrices(np.array([bones[c].x + pose[c, 1]]),
                               np.array([bones[c].y + pose[c, 2]]),
                               np.array([bones[c].rot + pose[c, 0]]),
                               np.array([bones[c].scale * pose[c, 3]]),
                               np.array([bones[c].scale * pose[c, 3]]))[0]
        foot_local = (m @ (*leg.foot, 1.0))[:2]
    else:
        foot_local = np.array(leg.foot)
    scale_b = scale_a * bones[b].scale * pose[b, 3]
    upper = math.hypot(*knee_local) * scale_a
    lower = math.hypot(*foot_local) * scale_b
    dist = math.hypot(dx, dy)
    toward = math.atan2(dy, dx) if dist > 1e-9 else math.pi / 2
    dist = min(max(dist, abs(upper - lower) + 1e-6), (upper + lower) * (1 - 1e-9))
    cos_hip = (upper * upper + dist * dist - lower * lower) / (2 * upper * dist)
    thigh = toward + leg.bend * math.acos(max(-1.0, min(1.0, cos_hip)))
    knee = (upper * math.cos(thigh), upper * math.sin(thigh))
    foot = (dist * math.cos(toward), dist * math.sin(toward))
    shin = math.atan2(foot[1] - knee[1], foot[0] - knee[0])
    rot_a = math.degrees(thigh - math.atan2(knee_local[1], knee_local[0]) - parent_rot)
    rot_b = math.degrees(shin - math.atan2(foot_local[1], foot_local[0]) - parent_rot) - rot_a
    return rot_a - bones[a].rot, rot_b - bones[b].rot
