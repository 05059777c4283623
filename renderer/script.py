"""Scene scripts: YAML loaded safely and validated into a typed, immutable model.

Every error names file:line:col, the field path, what was expected and what was found, with a
"did you mean" for unknown names. Times stay in seconds here; the engine converts them to frames.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from renderer.errors import SceneError
from renderer.fields import Field, Mapping
from renderer.project import Project, find_root
from renderer.puppet import PuppetDef
from renderer.sets import WORLDS, SetDef
from renderer.settings import MAX_SCENE_SECONDS, MAX_SHOT_SECONDS, STAGE_H, STAGE_W
from renderer.timing import EASINGS
from renderer.yamlsrc import load_yaml

STEPS = (1, 2, 3)
FACINGS = ("left", "right")
COORD = 20000.0  # stage units; generous (actors may start off stage) but catches typos
EPS = 1e-9


@dataclass(frozen=True)
class CameraKey:
    """Where the camera looks (stage units) and how far it is zoomed in (1 = the whole stage)."""

    x: float = STAGE_W / 2
    y: float = STAGE_H / 2
    zoom: float = 1.0


@dataclass(frozen=True)
class Camera:
    start: CameraKey
    end: CameraKey
    ease: str = "in_out"
    shake: float = 0.0   # stage units of hand-placed camera jitter per exposure


@dataclass(frozen=True)
class Placement:
    """A cast member or prop at the start of a shot."""

    id: str
    puppet: PuppetDef
    at: tuple[float, float]
    facing: int = 1          # +1 right, -1 left (mirrored)
    scale: float = 1.0
    rot: float = 0.0
    skin: str = "real"
    pose: str = "stand"
    face: str = "neutral"
    opacity: float = 1.0
    z: float = 0.0           # draw order among actors: higher is in front; ties by feet height
    is_prop: bool = False


@dataclass(frozen=True)
class Action:
    """One timed action. `do` is the verb; `args` holds its validated arguments."""

    t: float
    who: str
    do: str
    duration: float
    ease: str
    step: int | None
    args: dict = field(default_factory=dict)
    line: int = 0


@dataclass(frozen=True)
class Shot:
    id: str
    duration: float
    step: int
    camera: Camera
    cast: dict[str, Placement]
    actions: tuple[Action, ...]


@dataclass(frozen=True, eq=False)
class Scene:
    name: str
    title: str
    moment: str
    world: str
    seed: int
    set: SetDef
    shots: tuple[Shot, ...]
    path: Path
    project: Project
    look: dict[str, float]   # flicker, grain, vignette, halation, boil: amounts (1 = default)

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.shots)

    def files(self) -> list[Path]:
        """Every file this scene reads: the key of its render cache."""
        used = {self.path, self.set.path}
        for shot in self.shots:
            used.update(p.puppet.path for p in shot.cast.values())
        return sorted(used)


SCENE_FIELDS = ("scene", "title", "moment", "world", "seed", "step", "set", "look", "shots")
LOOK_FIELDS = ("flicker", "grain", "vignette", "halation", "boil", "shake")
SHOT_FIELDS = ("id", "duration", "step", "camera", "cast", "props", "action")
CAST_FIELDS = ("puppet", "at", "facing", "scale", "skin", "pose", "face", "opacity", "z")
PROP_FIELDS = ("prop", "at", "facing", "scale", "rot", "opacity", "z")


def load_scene(path: Path, project: Project | None = None) -> Scene:
    project = project or Project(find_root(path.parent))
    root = Field(load_yaml(path, SceneError, display=project.display(path)), "", SceneError)
    m = root.mapping(SCENE_FIELDS, required=("scene", "set", "shots"))
    name = m["scene"].str()
    if name != path.stem:
        m["scene"].fail(f"the file's name {path.stem!r}", repr(name), hint="a scene is named by its file")
    world = m["world"].choice(WORLDS) if "world" in m else "real"
    step = m["step"].int(1, 3) if "step" in m else 2
    set_def = project.set(m["set"].str(), m["set"])
    look = {k: 1.0 for k in LOOK_FIELDS}
    look["shake"] = 0.0
    if "look" in m:
        for key, f in m["look"].mapping(LOOK_FIELDS).items():
            look[key] = f.number(0, 10)
    shots: list[Shot] = []
    ids: dict[str, Field] = {}
    for item in m["shots"].list(min_len=1, max_len=64):
        shot = _read_shot(item, project, world, step, look["shake"])
        if shot.id in ids:
            item.mapping(SHOT_FIELDS)["id"].fail("a shot id not used before", repr(shot.id),
                                                 hint=f"first used at line {ids[shot.id].loc.line}")
        ids[shot.id] = item
        shots.append(shot)
    total = sum(s.duration for s in shots)
    if total > MAX_SCENE_SECONDS:
        m["shots"].fail(f"at most {MAX_SCENE_SECONDS:g} s of shots in one scene", f"{total:g} s",
                        hint="split the scene in two")
    return Scene(name, m["title"].str() if "title" in m else name.replace("_", " ").title(),
                 m["moment"].str() if "moment" in m else "", world,
                 m["seed"].int(0, 2**31 - 1) if "seed" in m else 0, set_def, tuple(shots),
                 path, project, look)


def _read_shot(f: Field, project: Project, world: str, scene_step: int, shake: float) -> Shot:
    m = f.mapping(SHOT_FIELDS, required=("id", "duration"))
    sid = m["id"].str()
    duration = m["duration"].number(0, MAX_SHOT_SECONDS, lo_open=True)
    step = m["step"].int(1, 3) if "step" in m else scene_step
    camera = _read_camera(m["camera"], shake) if "camera" in m else \
        Camera(CameraKey(), CameraKey(), shake=shake)
    cast: dict[str, Placement] = {}
    if "cast" in m:
        for cid, cf in m["cast"].dict().items():
            cast[cid] = _read_placement(cid, cf, project, world, prop=False)
    if "props" in m:
        for pid, pf in m["props"].dict().items():
            if pid in cast:
                pf.fail("a prop id different from every cast id", repr(pid))
            cast[pid] = _read_placement(pid, pf, project, world, prop=True)
    actions = []
    if "action" in m:
        for af in m["action"].list(max_len=500):
            actions.append(_read_action(af, cast, duration))
    actions.sort(key=lambda a: a.t)
    return Shot(sid, duration, step, camera, cast, tuple(actions))


def _read_camera_key(m: Mapping, base: CameraKey) -> CameraKey:
    return CameraKey(m["x"].number(-COORD, COORD) if "x" in m else base.x,
                     m["y"].number(-COORD, COORD) if "y" in m else base.y,
                     m["zoom"].number(0.5, 8) if "zoom" in m else base.zoom)


def _read_camera(f: Field, shake: float) -> Camera:
    """`{x, y, zoom}` holds still; `{from: {...}, to: {...}, ease}` moves over the whole shot."""
    if isinstance(f.value, dict) and not ({"from", "to"} & set(f.value)):
        m = f.mapping(("x", "y", "zoom", "shake"))
        key = _read_camera_key(m, CameraKey())
        return Camera(key, key, shake=m["shake"].number(0, 50) if "shake" in m else shake)
    m = f.mapping(("from", "to", "ease", "shake"), required=("from",))
    start = _read_camera_key(m["from"].mapping(("x", "y", "zoom")), CameraKey())
    end = _read_camera_key(m["to"].mapping(("x", "y", "zoom")), start) if "to" in m else start
    return Camera(start, end, m["ease"].choice(sorted(EASINGS)) if "ease" in m else "in_out",
                  m["shake"].number(0, 50) if "shake" in m else shake)


def _read_placement(pid: str, f: Field, project: Project, world: str, prop: bool) -> Placement:
    m = f.mapping(PROP_FIELDS if prop else CAST_FIELDS, required=("at",))
    if prop:
        puppet = project.prop(m["prop"].str() if "prop" in m else pid, m["prop"] if "prop" in m else f)
    else:
        puppet = project.puppet(m["puppet"].str() if "puppet" in m else pid,
                                m["puppet"] if "puppet" in m else f)
    kw: dict = {}
    if "skin" in m:
        kw["skin"] = m["skin"].name(sorted(puppet.skins), f"skin of {puppet.name}")
    elif world in puppet.skins:
        kw["skin"] = world
    if "pose" in m:
        kw["pose"] = m["pose"].name(sorted(puppet.poses), f"pose of {puppet.name}")
    if "face" in m:
        kw["face"] = m["face"].name(sorted(puppet.faces), f"face of {puppet.name}")
    if "facing" in m:
        kw["facing"] = 1 if m["facing"].choice(FACINGS) == "right" else -1
    if "scale" in m:
        kw["scale"] = m["scale"].number(0.05, 20)
    if "rot" in m:
        kw["rot"] = m["rot"].number(-3600, 3600)
    if "opacity" in m:
        kw["opacity"] = m["opacity"].number(0, 1)
    if "z" in m:
        kw["z"] = m["z"].number(-1000, 1000)
    return Placement(pid, puppet, m["at"].vec2(-COORD, COORD), is_prop=prop, **kw)


# verb: (required args, optional args). Every verb also takes t, who, do, for, ease, step.
VERBS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "walk": (("to",), ("cycle",)),
    "run": (("to",), ("cycle",)),
    "move": (("to",), ()),
    "pose": (("pose",), ()),
    "face": (("face",), ()),
    "say": (("say",), ("face",)),
    "turn": (("facing",), ()),
    "grow": (("scale",), ()),
    "fade": (("opacity",), ()),
    "skin": (("skin",), ()),
    "spin": (("rot",), ()),
    "shake": (("amount",), ()),
}
# A shorthand names the verb by its one argument: {t: 2, who: coraline, face: curious}.
SHORTHANDS = ("say", "face", "pose", "skin")
ACTION_FIELDS = ("t", "who", "do", "for", "ease", "step", "to", "cycle", "pose", "face", "say",
                 "facing", "scale", "opacity", "skin", "rot", "amount")
SPEECH_RATE = 13.0  # characters a second, for a say line without `for`


def _read_action(f: Field, cast: dict[str, Placement], shot_duration: float) -> Action:
    m = f.mapping(ACTION_FIELDS, required=("t", "who"))
    t = m["t"].number(0, MAX_SHOT_SECONDS)
    if t >= shot_duration:
        m["t"].fail(f"a time inside the shot (0 <= t < {shot_duration:g} s)", f"{t:g}")
    who_names = sorted(cast) + ["camera"]
    who = m["who"].name(who_names, "cast member")
    if "do" in m:
        verb = m["do"].name(sorted(VERBS), "action verb")
    else:
        verb = next((k for k in SHORTHANDS if k in m), None)
        if verb is None:
            f.fail("an action with 'do: VERB' or one of " + ", ".join(SHORTHANDS),
                   "neither", hint=f"verbs: {', '.join(sorted(VERBS))}")
    need, optional = VERBS[verb]
    for key in need:
        m[key]  # raises "missing field"
    allowed = set(need) | set(optional) | {"t", "who", "do", "for", "ease", "step"}
    for key, kf in m.items():
        if key not in allowed:
            kf.fail(f"no {key!r} for a {verb!r} action", f"{key}: {kf.value!r}",
                    hint=f"{verb} takes {', '.join(need + optional) or 'no arguments'}")
    if (who == "camera") != (verb == "shake"):
        m["who"].fail("the camera for 'shake', a cast member otherwise", repr(who))
    target = cast.get(who)
    args = _read_args(m, verb, target)
    if "for" in m:
        duration = m["for"].number(0, MAX_SHOT_SECONDS)
    elif verb == "say":
        duration = round(len(args["say"]) / SPEECH_RATE + 0.4, 2)
    elif verb in ("walk", "run", "move"):
        duration = _travel_time(verb, target.at if target else (0, 0), args["to"])
    elif verb in ("face", "turn", "skin"):
        duration = 0.0
    else:
        duration = 0.5
    if t + duration > shot_duration + EPS:
        (m["for"] if "for" in m else m["t"]).fail(
            f"an action that ends inside the shot ({shot_duration:g} s)",
            f"it runs {t:g} s to {t + duration:g} s",
            hint="shorten it or lengthen the shot" + ("" if "for" in m else "; add 'for:'"))
    ease = m["ease"].choice(sorted(EASINGS)) if "ease" in m else \
        ("linear" if verb in ("walk", "run") else "in_out")
    step = m["step"].int(1, 3) if "step" in m else None
    return Action(t, who, verb, duration, ease, step, args, f.loc.line)


def _travel_time(verb: str, start: tuple[float, float], to: tuple[float, float]) -> float:
    speed = {"walk": 260.0, "run": 560.0, "move": 400.0}[verb]  # stage units a second
    dist = ((to[0] - start[0]) ** 2 + (to[1] - start[1]) ** 2) ** 0.5
    return round(max(0.25, dist / speed), 2)


def _read_args(m: Mapping, verb: str, target: Placement | None) -> dict:
    args: dict = {}
    puppet = target.puppet if target else None
    if "to" in m:
        args["to"] = m["to"].vec2(-COORD, COORD)
    if "cycle" in m:
        args["cycle"] = m["cycle"].name(sorted(puppet.cycles), f"cycle of {puppet.name}")
    elif verb in ("walk", "run"):
        if verb in puppet.cycles:
            args["cycle"] = verb
        elif "walk" in puppet.cycles:
            args["cycle"] = "walk"
    if "pose" in m:
        args["pose"] = m["pose"].name(sorted(puppet.poses), f"pose of {puppet.name}")
    if "face" in m:
        args["face"] = m["face"].name(sorted(puppet.faces), f"face of {puppet.name}")
    if "say" in m:
        args["say"] = m["say"].str()
        if len(args["say"]) > 400:
            m["say"].fail("a line of at most 400 characters", f"{len(args['say'])} characters")
        if puppet.mouth_slot is None:
            m["say"].fail(f"a puppet with mouth shapes", f"{puppet.name!r} has no 'mouths'")
    if "facing" in m:
        args["facing"] = 1 if m["facing"].choice(FACINGS) == "right" else -1
    if "scale" in m:
        args["scale"] = m["scale"].number(0.05, 20)
    if "opacity" in m:
        args["opacity"] = m["opacity"].number(0, 1)
    if "skin" in m:
        args["skin"] = m["skin"].name(sorted(puppet.skins), f"skin of {puppet.name}")
    if "rot" in m:
        args["rot"] = m["rot"].number(-3600, 3600)
    if "amount" in m:
        args["amount"] = m["amount"].number(0, 100)
    return args
