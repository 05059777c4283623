"""The action vocabulary of scene scripts: what each verb takes, validated and located.

Every action has t (seconds into its shot), who (a cast or prop id, `camera` or `set`), and
optionally for (seconds), ease and step. The verb's own arguments are listed in VERBS.
"""
from __future__ import annotations

import math

from renderer.load.audio import read_lipsync, read_recording
from renderer.load.fields import Field, Mapping
from renderer.load.puppet import named_part
from renderer.load.shapes import COORD
from renderer.model.action import SPEED, Action, path_length, path_of
from renderer.model.vocab import EASES as EASINGS
from renderer.model.vocab import FACINGS
from renderer.settings import MAX_SHOT_SECONDS

EPS = 1e-9
SPEECH_RATE = 13.0   # characters a second, for a say line without `for`

# verb: (required arguments, optional arguments, who may do it)
ACTOR, CAMERA, SET = "actor", "camera", "set"
VERBS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "walk": ((), ("to", "path", "cycle"), ACTOR),
    "run": ((), ("to", "path", "cycle"), ACTOR),
    "crawl": ((), ("to", "path", "cycle"), ACTOR),
    "move": ((), ("to", "path"), ACTOR),
    "jump": (("to",), ("height",), ACTOR),
    "enter": (("from",), ("cycle",), ACTOR),
    "exit": (("to",), ("cycle",), ACTOR),
    "turn": ((), ("facing", "head"), ACTOR),
    "look": (("at",), ("head",), ACTOR),
    "pose": (("pose",), (), ACTOR),
    "face": (("face",), (), ACTOR),
    "sit": ((), ("seat", "pose"), ACTOR),
    "say": (("say",), ("face", "voice", "lipsync"), ACTOR),
    "take": (("what",), (), ACTOR),
    "give": (("what", "to"), (), ACTOR),
    "throw": (("what", "to"), ("height",), ACTOR),
    "drop": (("what",), ("to",), ACTOR),
    "grow": (("scale",), (), ACTOR),
    "shrink": (("scale",), (), ACTOR),
    "fade": (("opacity",), (), ACTOR),
    "vanish": ((), (), ACTOR),
    "appear": ((), (), ACTOR),
    "skin": (("skin",), (), ACTOR),
    "transform": ((), ("into", "skin"), ACTOR),
    "spin": (("rot",), (), ACTOR),
    "shake": (("amount",), (), CAMERA),
    "disintegrate": (("layer",), (), SET),
    "hide": (("layer",), (), SET),
}
TRAVEL = ("walk", "run", "crawl", "move")
# A shorthand names the verb by its one argument: {t: 2, who: coraline, face: curious}.
SHORTHANDS = ("say", "face", "pose", "skin")
COMMON = ("t", "who", "do", "for", "ease", "step")
ACTION_FIELDS = COMMON + tuple(sorted({a for r, o, _ in VERBS.values() for a in r + o}))
ACTION_REQUIRED = ("t", "who")
# Numeric arguments: (lowest, highest) accepted.
ARG_RANGES = {"scale": (0.01, 20), "opacity": (0, 1), "rot": (-3600, 3600), "amount": (0, 100),
              "height": (0, 2000)}
MAX_SAY_CHARS = 400
# Seconds an action lasts without `for`, where neither its text nor its distance decide it.
INSTANT = ("face", "turn", "skin", "transform", "take", "drop", "hide")   # hand-placed: 0 s
DEFAULT_SECONDS = {"throw": 0.8, "give": 0.6, "disintegrate": 3.0, "jump": 0.6, "look": 0.3}
OTHER_SECONDS = 0.5
# Verbs whose default easing is linear (a steady gait or flight); every other verb eases in_out.
LINEAR_VERBS = ("walk", "run", "crawl", "enter", "exit", "throw")


def read_action(f: Field, cast: dict, shot_duration: float, project, set_layers: list[str]) -> Action:
    """An action of a shot whose cast is `cast` (id -> Placement)."""
    m = f.mapping(ACTION_FIELDS, required=ACTION_REQUIRED)
    t = m["t"].number(0, MAX_SHOT_SECONDS)
    if t >= shot_duration:
        m["t"].fail(f"a time inside the shot (0 <= t < {shot_duration:g} s)", f"{t:g}")
    who = m["who"].name(sorted(cast) + [CAMERA, SET], "cast member")
    if "do" in m:
        verb = m["do"].name(sorted(VERBS), "action verb")
    else:
        verb = next((k for k in SHORTHANDS if k in m), None)
        if verb is None:
            f.fail("an action with 'do: VERB' or one of " + ", ".join(SHORTHANDS), "neither",
                   hint=f"verbs: {', '.join(sorted(VERBS))}")
    need, optional, doer = VERBS[verb]
    for key in need:
        m[key]  # raises "missing field"
    allowed = set(need) | set(optional) | set(COMMON)
    for key, kf in m.items():
        if key not in allowed:
            kf.fail(f"no {key!r} for a {verb!r} action", f"{key}: {kf.value!r}",
                    hint=f"{verb} takes {', '.join(need + optional) or 'no arguments'}")
    kind = who if who in (CAMERA, SET) else ACTOR
    if kind != doer:
        m["who"].fail(f"{'a cast member' if doer == ACTOR else doer!r} for {verb!r}", repr(who))
    target = cast.get(who)
    args = _read_args(m, verb, target, cast, project, set_layers)
    if verb in TRAVEL and "to" not in args and "path" not in args:
        f.fail(f"a 'to' or 'path' for {verb!r}", "neither")
    if verb == "turn" and "facing" not in args and "head" not in args:
        f.fail("a 'facing' (the whole puppet) or a 'head' (its head's turn) for 'turn'", "neither")
    if verb == "transform" and "into" not in args and "skin" not in args:
        f.fail("an 'into' (another puppet) or a 'skin' for 'transform'", "neither")
    if "for" in m:
        duration = m["for"].number(0, MAX_SHOT_SECONDS)
    else:
        duration = default_duration(verb, args, target)
    if t + duration > shot_duration + EPS:
        (m["for"] if "for" in m else m["t"]).fail(
            f"an action that ends inside the shot ({shot_duration:g} s)",
            f"it runs {t:g} s to {t + duration:g} s",
            hint="shorten it or lengthen the shot" + ("" if "for" in m else "; add 'for:'"))
    ease = m["ease"].choice(sorted(EASINGS)) if "ease" in m else \
        ("linear" if verb in LINEAR_VERBS else "in_out")
    step = m["step"].int(1, 3) if "step" in m else None
    return Action(t, who, verb, duration, ease, step, args, f.loc.line)


def default_duration(verb: str, args: dict, target) -> float:
    start = target.at if target is not None else (0.0, 0.0)
    if verb == "say":
        if "voice" in args:   # a recorded line lasts as long as its recording
            return round(args["voice"].seconds, 3)
        return round(len(args["say"]) / SPEECH_RATE + 0.4, 2)
    if verb in TRAVEL:
        return round(max(0.25, path_length(path_of(start, args)) / SPEED[verb]), 2)
    if verb == "enter":
        return round(max(0.25, math.dist(args["from"], start) / SPEED[verb]), 2)
    if verb == "exit":
        return round(max(0.25, math.dist(start, args["to"]) / SPEED[verb]), 2)
    if verb in INSTANT:
        return 0.0
    return DEFAULT_SECONDS.get(verb, OTHER_SECONDS)


def _read_args(m: Mapping, verb: str, target, cast: dict, project, set_layers: list[str]) -> dict:
    args: dict = {}
    puppet = target.puppet if target is not None else None
    if "to" in m:
        if verb == "give":
            args["to"] = _actor(m["to"], cast, "receiver")
        elif verb == "throw" and isinstance(m["to"].value, str):
            args["to"] = _actor(m["to"], cast, "target")
        else:
            args["to"] = m["to"].vec2(-COORD, COORD)
    for key in ("from", "at"):
        if key in m:
            args[key] = _actor(m[key], cast, "target") if key == "at" and \
                isinstance(m[key].value, str) else m[key].vec2(-COORD, COORD)
    if "seat" in m:
        args["seat_name"] = m["seat"].str()
    if "path" in m:
        args["path"] = tuple(p.vec2(-COORD, COORD) for p in m["path"].list(min_len=1, max_len=64))
    if "what" in m:
        args["what"] = _actor(m["what"], cast, "prop or cast member")
        if args["what"] == m["who"].value:
            m["what"].fail("something other than the actor itself", repr(args["what"]))
    if "cycle" in m:
        args["cycle"] = named_part(m["cycle"], puppet, "cycle")
    elif verb in TRAVEL + ("enter", "exit") and verb != "move" and puppet is not None:
        for name in (verb, "walk", "crawl"):
            if name in puppet.cycles:
                args["cycle"] = name
                break
    if "pose" in m:
        args["pose"] = named_part(m["pose"], puppet, "pose")
    if "face" in m:
        args["face"] = named_part(m["face"], puppet, "face")
    if "head" in m:
        args["head"] = named_part(m["head"], puppet, "turn")
    if "say" in m:
        args["say"] = m["say"].str()
        if len(args["say"]) > MAX_SAY_CHARS:
            m["say"].fail(f"a line of at most {MAX_SAY_CHARS} characters",
                          f"{len(args['say'])} characters")
        if puppet.mouth_slot is None:
            m["say"].fail("a puppet with mouth shapes", f"{puppet.name!r} has no 'mouths'")
    if "voice" in m:
        args["voice"] = read_recording(m["voice"], project.root, project.decode_audio)
    if "lipsync" in m:
        args["mouths"] = read_lipsync(m["lipsync"], project.root)
        args["lipsync"] = project.root / m["lipsync"].value
    if "facing" in m:
        args["facing"] = 1 if m["facing"].choice(FACINGS) == "right" else -1
    if "into" in m:
        args["into"] = project.puppet(m["into"].str(), m["into"])
    if "skin" in m:
        owner = args.get("into", puppet)
        args["skin"] = named_part(m["skin"], owner, "skin")
    for key, (lo, hi) in ARG_RANGES.items():
        if key in m:
            args[key] = m[key].number(lo, hi)
    if "layer" in m:
        args["layer"] = m["layer"].name(set_layers, "layer of the set")
    return args


def _actor(f: Field, cast: dict, what: str) -> str:
    return f.name(sorted(cast), what)
