"""Scene scripts: YAML loaded safely and validated into a typed, immutable model.

Every error names file:line:col, the field path, what was expected and what was found, with a
"did you mean" for unknown names. Times stay in seconds here; the engine converts them to frames.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from renderer.errors import SceneError, did_you_mean
from renderer.load.actions import COORD, read_action
from renderer.load.audio import read_recording
from renderer.load.fields import Field, Mapping
from renderer.load.project import Project, find_root
from renderer.load.puppet import named_part
from renderer.load.handoff import check_give
from renderer.load.seats import find_seat, seats_in, where_at
from renderer.load.yamlsrc import load_yaml
from renderer.model.action import Action
from renderer.model.scene import (
    SHOT_SIZES,
    Camera,
    CameraKey,
    Placement,
    Scene,
    Shot,
    ShotDefaults,
)
from renderer.model.sound import Cue, SoundBed
from renderer.model.vocab import AMBIENCES, FACINGS, MUSIC, SOUNDS, VOICES, WORLDS
from renderer.model.vocab import EASES as EASINGS
from renderer.model.vocab import WEATHER_KINDS as KINDS
from renderer.settings import MAX_SCENE_SECONDS, MAX_SHOT_SECONDS, MIN_SHOT_SECONDS

SCENE_FIELDS = ("scene", "title", "moment", "world", "seed", "step", "set", "look", "weather",
                "sound", "shots")
# flicker .. boil are multipliers of the default effect (1 = as designed, 0 = off); `shake` is not
# a multiplier but the scene-wide camera shake in stage units (default 0), which every shot whose
# camera sets no `shake:` of its own starts from; `shake` actions add to it while they run.
LOOK_FIELDS = ("flicker", "grain", "vignette", "halation", "boil", "shake")
SHOT_FIELDS = ("id", "duration", "step", "camera", "cast", "props", "action", "weather", "set",
               "world", "sound", "sounds")
# What plays under a scene or shot (a shot's keys override its scene's; a scene's unset keys
# come from its world: see WORLD_SOUND) and a cue of `sounds:`, a sound at a time.
SOUND_FIELDS = ("music", "ambience", "music_gain", "ambience_gain", "voices", "foley")
CUE_FIELDS = ("t", "play", "gain", "pan", "fade_in", "fade_out", "for")
CUE_REQUIRED = ("t", "play")
MAX_CUES = 200
# The bed each world plays unless the scene says otherwise.
WORLD_SOUND = {
    "real": SoundBed("none", {"rain": 1.0, "wind": 0.6}),
    "other": SoundBed("waltz", {"room": 0.5}),
    "nightmare": SoundBed("nightmare", {"wind": 0.8}),
    "sunny": SoundBed("lullaby", {"birds": 0.7}),
}
CAST_FIELDS = ("puppet", "at", "facing", "scale", "skin", "pose", "face", "opacity", "z", "seat",
               "head", "depth")
PROP_FIELDS = ("prop", "at", "facing", "scale", "rot", "opacity", "z")
SCENE_REQUIRED = ("scene", "set", "shots")
SHOT_REQUIRED = ("id", "duration")
PLACEMENT_REQUIRED = ("at",)
# A camera either holds still ({x, y, zoom}) or moves from one key to another over the shot.
# A key framed on a puppet (`frame` and `who`) has its x, y and zoom worked out from its head.
CAMERA_PLACE_FIELDS = ("x", "y", "zoom")
CAMERA_KEY_FIELDS = CAMERA_PLACE_FIELDS + ("tilt", "dolly", "frame", "who")
MAX_TILT = 10.0          # degrees: a slight lean, not a roll
MAX_DOLLY_IN = 0.75      # of the nearest depth: it is seen at most 1 / (1 - 0.75) = 4 x larger
MIN_CAST_DEPTH = 0.3     # a puppet nearer than this would fill the frame with blur
CAMERA_STILL_FIELDS = CAMERA_KEY_FIELDS + ("shake",)
CAMERA_MOVE_FIELDS = ("from", "to", "ease", "shake")
CAMERA_MOVE_REQUIRED = ("from",)


def load_scene(path: Path, project: Project | None = None) -> Scene:
    project = project or Project(find_root(path.parent))
    root = Field(load_yaml(path, SceneError, display=project.display(path)), "", SceneError)
    m = root.mapping(SCENE_FIELDS, required=SCENE_REQUIRED)
    name = m["scene"].str()
    if not name.isprintable():
        m["scene"].fail("a scene name without control characters", repr(name),
                        hint="it names files: rename the file too")
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
    sound = _read_sound(m["sound"], WORLD_SOUND[world]) if "sound" in m else WORLD_SOUND[world]
    defaults = ShotDefaults(world, step, look["shake"], set_def,
                            _read_weather(m["weather"]) if "weather" in m else {}, sound)
    shots: list[Shot] = []
    ids: dict[str, Field] = {}
    for item in m["shots"].list(min_len=1, max_len=64):
        shot = _read_shot(item, project, defaults)
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
                 path, project, look, sound)


def _read_shot(f: Field, project: Project, scene: ShotDefaults) -> Shot:
    m = f.mapping(SHOT_FIELDS, required=SHOT_REQUIRED)
    sid = m["id"].str()
    if "/" in sid or not sid.isprintable():
        m["id"].fail("a shot id without '/' or control characters", repr(sid),
                     hint="it names files, such as SCENE-ID.mp4")
    duration = m["duration"].number(0, MAX_SHOT_SECONDS, lo_open=True,
                                    limit=f"a shot lasts at most {MAX_SHOT_SECONDS:g} s; "
                                          "split it into shorter shots")
    if duration < MIN_SHOT_SECONDS:
        m["duration"].fail(f"a shot of at least {MIN_SHOT_SECONDS:g} s", f"{duration:g} s",
                           hint="a shorter one would hold no frame")
    step = m["step"].int(1, 3) if "step" in m else scene.step
    world = m["world"].choice(WORLDS) if "world" in m else scene.world
    set_def = project.set(m["set"].str(), m["set"]) if "set" in m else scene.set
    cast: dict[str, Placement] = {}
    if "cast" in m:
        for cid, cf in m["cast"].dict().items():
            cast[cid] = _read_placement(cid, cf, project, world, prop=False)
    if "props" in m:
        for pid, pf in m["props"].dict().items():
            if pid in cast:
                pf.fail("a prop id different from every cast id", repr(pid))
            cast[pid] = _read_placement(pid, pf, project, world, prop=True)
    camera = _read_camera(m["camera"], scene.shake, cast, set_def) if "camera" in m else \
        Camera(CameraKey(), CameraKey(), shake=scene.shake)
    actions = []
    fields = m["action"].list(max_len=500) if "action" in m else []
    for af in fields:
        actions.append(read_action(af, cast, duration, project, set_def.layer_names))
    if "cast" in m:
        _seat_cast(m["cast"], cast, set_def)
    actions = [_seat_action(af, a, cast, actions, set_def) for af, a in zip(fields, actions)]
    for af, a in zip(fields, actions):
        check_give(af, a, cast, actions)
    actions.sort(key=lambda a: a.t)
    weather = {**scene.weather, **(_read_weather(m["weather"]) if "weather" in m else {})}
    # A shot in another world than its scene's plays that world's bed unless it says otherwise.
    bed = scene.sound if world == scene.world else WORLD_SOUND[world]
    sound = _read_sound(m["sound"], bed) if "sound" in m else bed
    cues = tuple(sorted((_read_cue(c, duration, project) for c in
                         m["sounds"].list(max_len=MAX_CUES)), key=lambda c: c.t)) \
        if "sounds" in m else ()
    return Shot(sid, duration, step, camera, cast, tuple(actions), set_def, world, weather,
                sound, cues)


def _read_sound(f: Field, base: SoundBed) -> SoundBed:
    """A `sound:` mapping over `base`: the keys it gives replace base's."""
    m = f.mapping(SOUND_FIELDS)
    kw: dict = {}
    if "music" in m:
        kw["music"] = m["music"].choice(MUSIC)
    if "ambience" in m:
        kw["ambience"] = {k: v.number(0, 5) for k, v in m["ambience"].mapping(AMBIENCES).items()}
    for key in ("music_gain", "ambience_gain"):
        if key in m:
            kw[key] = m[key].number(-60, 12)
    if "voices" in m:
        kw["voices"] = m["voices"].choice(VOICES)
    if "foley" in m:
        kw["foley"] = m["foley"].bool()
    return replace(base, **kw)


def _read_cue(f: Field, shot_duration: float, project: Project) -> Cue:
    """A sound at a time of its shot: a built-in sound's name or a sound file of the project."""
    m = f.mapping(CUE_FIELDS, required=CUE_REQUIRED)
    t = m["t"].number(0, MAX_SHOT_SECONDS)
    if t >= shot_duration:
        m["t"].fail(f"a time inside the shot (0 <= t < {shot_duration:g} s)", f"{t:g}")
    play = m["play"].str()
    recording = None
    if "/" in play or "." in play:
        recording = read_recording(m["play"], project.root, project.decode_audio)
    elif play not in SOUNDS:
        m["play"].choice(SOUNDS + ("a sound file of the project (sounds/NAME.wav, .flac, .mp3, "
                                   ".ogg)",))
    kw = {k: m[k].number(0, MAX_SHOT_SECONDS) for k in ("fade_in", "fade_out") if k in m}
    return Cue(t, play, recording, m["gain"].number(-60, 12) if "gain" in m else 0.0,
               m["pan"].number(-1, 1) if "pan" in m else 0.0,
               length=m["for"].number(0, MAX_SHOT_SECONDS, lo_open=True) if "for" in m else None,
               line=f.loc.line, **kw)


def _seat_cast(f: Field, cast: dict[str, Placement], set_def) -> None:
    """Cast members placed on a `seat:` sit on it from the start (in their `sit` pose unless they
    name another)."""
    for cid, cf in f.dict().items():
        cm = cf.dict()
        if "seat" not in cm:
            continue
        place = cast[cid]
        seat = find_seat(cf, cm["seat"].str(), cm["seat"], place, place.at, seats_in(set_def, cast))
        pose = place.pose
        if "pose" not in cm:
            if "sit" not in place.puppet.poses:
                cf.fail("a 'pose' to sit in", f"{place.puppet.name!r} has no 'sit' pose")
            pose = "sit"
        cast[cid] = replace(place, seat=seat, pose=pose)


def _seat_action(f: Field, a: Action, cast: dict[str, Placement], actions: list[Action],
                 set_def) -> Action:
    """A `sit` with its seat found (the named one, or the nearest in reach) and its pose."""
    if a.do != "sit":
        return a
    m = f.dict()
    place = cast[a.who]
    args = dict(a.args)
    if "pose" not in args:
        if "sit" not in place.puppet.poses:
            f.fail("a 'pose' to sit in", f"{place.puppet.name!r} has no 'sit' pose")
        args["pose"] = "sit"
    args["seat"] = find_seat(f, args.pop("seat_name", None), m.get("seat"), place,
                             where_at(place, actions, a.t), seats_in(set_def, cast))
    return replace(a, args=args)


def _read_weather(f: Field) -> dict[str, float]:
    """Amounts of each kind of weather (1 = a normal shower; 0 = none)."""
    return {k: v.number(0, 5) for k, v in f.mapping(KINDS).items()}


def _read_camera_key(m: Mapping, base: CameraKey, cast: dict[str, Placement],
                     set_def) -> CameraKey:
    """A camera key over `base` (the keys it leaves out keep base's): placed by x, y and zoom,
    or framed on a cast member (`frame` and `who`), with its tilt and dolly."""
    framing = "frame" in m or "who" in m
    if framing:
        for key in CAMERA_PLACE_FIELDS:
            if key in m:
                m[key].fail("no x, y or zoom beside `frame`", key,
                            hint="a framed key's x, y and zoom are worked out from `who`'s head")
        for need, other in (("frame", "who"), ("who", "frame")):
            if need not in m:
                m[other].fail(f"`{need}` beside `{other}`", f"`{other}` alone",
                              hint="e.g. {frame: close, who: coraline}")
        who = m["who"].str()
        if who not in cast or cast[who].is_prop:
            members = [c for c, p in cast.items() if not p.is_prop]
            m["who"].fail("a cast member of this shot" + (f" ({', '.join(members)})"
                                                            if members else ""), repr(who),
                          hint="a prop has no head to frame on" if who in cast else
                          did_you_mean(who, members, "cast member"))
        place = (base.x, base.y, base.zoom)
        frame: tuple = (m["frame"].choice(SHOT_SIZES), who)
    else:
        given = [k for k in CAMERA_PLACE_FIELDS if k in m]
        if base.framed and given and len(given) < len(CAMERA_PLACE_FIELDS):
            m[given[0]].fail("all of x, y and zoom", ", ".join(given),
                             hint="`from` is framed on a puppet: `to` has nothing to keep")
        place = (m["x"].number(-COORD, COORD) if "x" in m else base.x,
                 m["y"].number(-COORD, COORD) if "y" in m else base.y,
                 m["zoom"].number(0.5, 8) if "zoom" in m else base.zoom)
        frame = (None, None) if given else (base.frame, base.who)
    dolly = base.dolly
    if "dolly" in m:
        dolly = m["dolly"].number(-1, MAX_DOLLY_IN)
        nearest = min([(layer.depth, f"layer {layer.name!r}") for layer in set_def.layers] +
                      [(p.depth, f"{cid!r}") for cid, p in cast.items()], default=(1.0, ""))
        if dolly > MAX_DOLLY_IN * nearest[0]:
            m["dolly"].fail(f"a dolly of at most {MAX_DOLLY_IN * nearest[0]:.3g}", f"{dolly:g}",
                            hint=f"the nearest thing, {nearest[1]}, is at depth {nearest[0]:g}: "
                                 "the camera would run into it")
    tilt = m["tilt"].number(-MAX_TILT, MAX_TILT) if "tilt" in m else base.tilt
    return CameraKey(*place, tilt=tilt, dolly=dolly, frame=frame[0], who=frame[1])


def _read_camera(f: Field, shake: float, cast: dict[str, Placement], set_def) -> Camera:
    """`{x, y, zoom}` holds still; `{from: {...}, to: {...}, ease}` moves over the whole shot."""
    if isinstance(f.value, dict) and not ({"from", "to"} & set(f.value)):
        m = f.mapping(CAMERA_STILL_FIELDS)
        key = _read_camera_key(m, CameraKey(), cast, set_def)
        return Camera(key, key, shake=m["shake"].number(0, 50) if "shake" in m else shake)
    m = f.mapping(CAMERA_MOVE_FIELDS, required=CAMERA_MOVE_REQUIRED)
    start = _read_camera_key(m["from"].mapping(CAMERA_KEY_FIELDS), CameraKey(), cast, set_def)
    end = _read_camera_key(m["to"].mapping(CAMERA_KEY_FIELDS), start, cast, set_def) \
        if "to" in m else start
    return Camera(start, end, m["ease"].choice(sorted(EASINGS)) if "ease" in m else "in_out",
                  m["shake"].number(0, 50) if "shake" in m else shake)


def _read_placement(pid: str, f: Field, project: Project, world: str, prop: bool) -> Placement:
    m = f.mapping(PROP_FIELDS if prop else CAST_FIELDS, required=PLACEMENT_REQUIRED)
    if prop:
        puppet = project.prop(m["prop"].str() if "prop" in m else pid, m["prop"] if "prop" in m else f)
    else:
        puppet = project.puppet(m["puppet"].str() if "puppet" in m else pid,
                                m["puppet"] if "puppet" in m else f)
    kw: dict = {}
    if "skin" in m:
        kw["skin"] = named_part(m["skin"], puppet, "skin")
    elif world in puppet.skins:
        kw["skin"] = world
    if "pose" in m:
        kw["pose"] = named_part(m["pose"], puppet, "pose")
    if "face" in m:
        kw["face"] = named_part(m["face"], puppet, "face")
    if "head" in m:
        kw["head"] = named_part(m["head"], puppet, "turn")
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
    if "depth" in m:
        kw["depth"] = m["depth"].number(MIN_CAST_DEPTH, 1.0)
        if kw["depth"] < 1.0 and "seat" in m:
            m["depth"].fail("depth 1 for a seated puppet", f"{kw['depth']:g}",
                            hint="a near puppet stands in front of the set, on no seat")
    return Placement(pid, puppet, m["at"].vec2(-COORD, COORD), is_prop=prop, **kw)
