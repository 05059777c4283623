"""The format reference's table for scene and sequence files: every key the scene loader
(`script`, `verbs`, `sequence`) accepts, with its type, range, default and meaning.

Key names, required keys, vocabularies and ranges come from the loaders' constants; what is
written here is what a constant cannot say: the meaning, and defaults the loader computes.
"""
from __future__ import annotations

from renderer.load.actions import (
    ACTION_FIELDS,
    ACTION_REQUIRED,
    ARG_RANGES,
    COMMON,
    DEFAULT_SECONDS,
    INSTANT,
    LINEAR_VERBS,
    MAX_SAY_CHARS,
    OTHER_SECONDS,
    SHORTHANDS,
    SPEECH_RATE,
    TRAVEL,
    VERBS,
)
from renderer.load.scene import (
    CAST_FIELDS,
    CUE_FIELDS,
    CUE_REQUIRED,
    LOOK_FIELDS,
    MAX_CUES,
    MIN_CAST_DEPTH,
    PLACEMENT_REQUIRED,
    PROP_FIELDS,
    SCENE_FIELDS,
    SCENE_REQUIRED,
    SHOT_FIELDS,
    SHOT_REQUIRED,
    SOUND_FIELDS,
)
from renderer.load.sequence import (
    ENTRY_FIELDS,
    ENTRY_REQUIRED,
    SEQUENCE_FIELDS,
    SEQUENCE_REQUIRED,
)
from renderer.load.shapes import COORD
from renderer.model.action import SPEED
from renderer.reference.refcamera import CAMERA_KEY, CAMERA_MOVE, CAMERA_STILL, EASE
from renderer.model.vocab import (
    AMBIENCES,
    FACINGS,
    MUSIC,
    SOUNDS,
    TRANSITIONS,
    TURNS,
    VOICES,
    WORLDS,
)
from renderer.model.vocab import WEATHER_KINDS as KINDS
from renderer.reference.reftypes import (
    AnyOf,
    Bool,
    Choice,
    Int,
    ListOf,
    MapOf,
    Name,
    Number,
    Obj,
    Point,
    Ref,
    Text,
    When,
    d,
    dn,
    keys_of,
)
from renderer.settings import (
    MAX_RECORDING_SECONDS,
    MAX_SCENE_SECONDS,
    MAX_SHOT_SECONDS,
    MIN_SHOT_SECONDS,
)

POINT = Point(-COORD, COORD)
STEP = Int(1, 3)
ACTOR_ID = Name("a cast or prop id of the shot")

SCENE = Obj("scene", "Scene file", "`scenes/NAME.yaml`: one scene of the film, a list of shots "
            "played one after another on a set.", keys_of(SCENE_FIELDS, SCENE_REQUIRED, {
    "scene": (Text(), "The scene's name: must equal the file's name without `.yaml` (and hold "
              "no control characters)."),
    "title": (Text(), "Shown on the scene's title card in the film.",
              dn("the name, `_` as spaces, in title case")),
    "moment": (Text(), "A sentence under the title on the card: what happens.", dn("empty")),
    "world": (Choice(WORLDS), "The colour grade, and the skin each puppet wears by default "
              "(`sunny` is the real world made good again: real skins, a warm grade).", d("real")),
    "seed": (Int(0, 2**31 - 1), "Seeds the handmade jitter: the same seed, the same film.", d(0)),
    "step": (STEP, "Frames per exposure: 1 on ones, 2 on twos, 3 on threes.", d(2)),
    "set": (Name("a set in scenes/sets/"), "The set every shot is played on, unless a shot "
            "names another."),
    "look": (Ref("look"), "Multipliers of the camera and film effects.",
             dn("every multiplier 1, shake 0")),
    "weather": (Ref("weather"), "Weather in every shot (a shot's own `weather` overrides the "
                "kinds it names).", dn("none")),
    "sound": (Ref("sound"), "What plays under every shot: music, ambience, voices, foley.",
              dn("the world's: real rain and wind; other the waltz in a quiet room; "
                 "nightmare the waltz minor and detuned over wind; sunny a lullaby with birds")),
    "shots": (ListOf(Ref("shot"), 1, 64), f"The shots in order; at most "
              f"{MAX_SCENE_SECONDS:g} s of them in one scene."),
}))

LOOK_MEANINGS = {
    "flicker": "Exposure-to-exposure light flicker.",
    "grain": "Film grain (held with each exposure).",
    "vignette": "Darkening toward the frame's corners.",
    "halation": "The glow that bleeds around bright lights.",
    "boil": "How far parts shift between exposures (felt and yarn handled by hand).",
    "shake": "Stage units of hand-placed camera jitter per exposure: the default of every "
             "shot's camera `shake`.",
}
LOOK = Obj("look", "look", "Scene key `look`: how strongly the camera and film effects show; "
           "1 is the renderer's own amount, 0 turns an effect off.", keys_of(
    LOOK_FIELDS, (), {k: (Number(0, 10), LOOK_MEANINGS[k], d(0 if k == "shake" else 1))
                      for k in LOOK_FIELDS}))

WEATHER_MEANINGS = {
    "rain": "Streaks of rain, new drops in every exposure.",
    "snow": "Flakes, new in every exposure.",
    "fog": "A soft cloud plate drifting across the frame, heavier near the ground.",
    "dust": "Warm motes drifting in the light.",
    "debris": "Dark scraps of the world tumbling down (a world falling apart).",
}
WEATHER = Obj("weather", "weather", "Scene or shot key `weather`: how much of each kind is laid "
              "over the frame; 1 is a normal shower, 0 none. A shot's `weather` is merged over "
              "the scene's: kinds it names replace the scene's amounts, the others stay.", keys_of(
    KINDS, (), {k: (Number(0, 5), WEATHER_MEANINGS[k], d(0)) for k in KINDS}))

SHOT = Obj("shot", "shot", "An item of `shots`: a stretch of time with its camera, cast, props "
           "and actions. Times inside a shot are seconds from its start.", keys_of(
    SHOT_FIELDS, SHOT_REQUIRED, {
        "id": (Text(), "Unique in the scene; `stopmo render --shot ID` renders only this shot. "
               "It names files, so it holds no `/` and no control characters."),
        "duration": (Number(0, MAX_SHOT_SECONDS, lo_open=True),
                     f"Seconds; at least {MIN_SHOT_SECONDS:g} (a shorter shot would hold no "
                     "frame)."),
        "step": (STEP, "Frames per exposure for this shot.", dn("the scene's `step`")),
        "camera": (AnyOf((Ref("camera_still"), Ref("camera_move"))),
                   "A still camera, or a move from one framing to another over the whole shot.",
                   dn("still, the whole stage")),
        "cast": (MapOf("cast id", Ref("cast")), "Puppets on stage, by an id the actions use "
                 "(`who`); the id is also the puppet's name unless `puppet` says otherwise.",
                 dn("none")),
        "props": (MapOf("prop id", Ref("prop")), "Props on stage, by id (different from every "
                  "cast id); the id is also the prop's name unless `prop` says otherwise.",
                  dn("none")),
        "action": (ListOf(Ref("action"), 0, 500), "What happens, in any order (sorted by `t`).",
                   dn("none")),
        "weather": (Ref("weather"), "Weather of this shot, merged over the scene's.",
                    dn("the scene's")),
        "set": (Name("a set in scenes/sets/"), "Another set for this shot.", dn("the scene's")),
        "world": (Choice(WORLDS), "Another world for this shot (grade and default skins).",
                  dn("the scene's")),
        "sound": (Ref("sound"), "What plays under this shot; the keys it gives replace the "
                  "scene's.", dn("the scene's (another world's, if the shot is in another)")),
        "sounds": (ListOf(Ref("cue"), 0, MAX_CUES), "Sounds at times of the shot.", dn("none")),
    }))

SOUND = Obj("sound", "sound", "Scene or shot key `sound`: the bed under the picture. Music and "
            "ambience run under the whole shot and cross-fade at cuts; the music dips while "
            "someone speaks. The whole soundtrack is then brought to -16 LUFS.", keys_of(
    SOUND_FIELDS, (), {
        "music": (Choice(MUSIC), "The score: a music-box waltz, the same waltz minor and "
                  "detuned (nightmare), a slow lullaby, or none.", dn("the world's")),
        "ambience": (MapOf("kind", Number(0, 5)), "Beds by kind (" + ", ".join(AMBIENCES) +
                     "), 1 a normal amount; shot `weather` rain adds rain.", dn("the world's")),
        "music_gain": (Number(-60, 12), "dB on the music.", d(0)),
        "ambience_gain": (Number(-60, 12), "dB on the ambience.", d(0)),
        "voices": (Choice(VOICES), "How lines without a `voice` recording sound: a babble in "
                   "each character's timbre from the line's letters, or silent.", d("babble")),
        "foley": (Bool(), "Footsteps on each foot put down, and the sounds of throws, drops, "
                  "takes, transformations and crumbling sets.", d(True)),
    }))

CUE = Obj("cue", "sound cue", "An item of a shot's `sounds`: a sound starting on the exposure "
          "that shows time `t`.", keys_of(CUE_FIELDS, CUE_REQUIRED, {
    "t": (Number(0, MAX_SHOT_SECONDS), "Seconds into the shot (before its end)."),
    "play": (AnyOf((Choice(SOUNDS), Text())), "A built-in sound, or a sound file of the project: "
             "WAV, FLAC, MP3 or Ogg (Vorbis or Opus), e.g. `sounds/knock.flac`; any rate "
             f"(resampled), any channels (mixed to mono), at most {MAX_RECORDING_SECONDS:g} s."),
    "gain": (Number(-60, 12), "dB.", d(0)),
    "pan": (Number(-1, 1), "-1 left, 1 right.", d(0)),
    "fade_in": (Number(0, MAX_SHOT_SECONDS), "Seconds.", d(0)),
    "fade_out": (Number(0, MAX_SHOT_SECONDS), "Seconds.", d(0)),
    "for": (Number(0, MAX_SHOT_SECONDS, lo_open=True), "Seconds of it played.",
            dn("all of it")),
}))

_PLACED = {
    "at": (POINT, "Where its root stands at the shot's start: for a puppet the point on the "
           "floor between its feet, in stage units (the floor of most sets is near y 930)."),
    "facing": (Choice(FACINGS), "`left` mirrors it.", d("right")),
    "opacity": (Number(0, 1), "0 is invisible (e.g. before it `appear`s).", d(1.0)),
    "z": (Number(-1000, 1000), "Draw order among the cast and props: higher is in front; at "
          "equal `z`, whoever stands lower on screen (larger y) is in front. A held prop is "
          "drawn just in front of its holder.", d(0)),
}
CAST = Obj("cast", "cast member", "A value of a shot's `cast`: a puppet from "
           "`puppets/NAME.yaml` and how it starts the shot.", keys_of(
    CAST_FIELDS, PLACEMENT_REQUIRED, {
        **_PLACED,
        "puppet": (Name("a puppet in puppets/"), "Which puppet plays it (two cast ids may use "
                   "the same puppet).", dn("the cast id")),
        "scale": (Number(0.05, 20), "Size relative to the puppet as built.", d(1.0)),
        "skin": (Name("a skin of the puppet"), "Which skin it wears.",
                 dn("the world's name if the puppet has a skin of that name, else `real`")),
        "pose": (Name("a pose of the puppet"), "The pose it holds at the start.", d("stand")),
        "head": (Choice(TURNS), "The replacement head it starts with: a turn of a puppet "
                 "with a sculpted head (`profile`, `three_quarter` as drawn, `front`).",
                 dn("as drawn (three-quarter)")),
        "face": (Name("a face of the puppet"), "The replacement face it starts with.",
                 d("neutral")),
        "seat": (Name("a seat of the set or of a prop in the shot"), "Seated on it from the "
               "start: its bottom on the seat, its feet on the floor. The seat must be within "
               "reach of its `at`.", dn("standing")),
        "depth": (Number(MIN_CAST_DEPTH, 1), "Its plane in the rig: 1 the puppets' own; less "
                  "stands nearer the camera, in front of everyone, moving with parallax like "
                  "a set layer of that depth and out of focus in proportion to its distance "
                  "from the puppets (an over-the-shoulder framing: place it partly in frame). "
                  "`at` is on its plane; it casts no shadow on the floor.", d(1.0)),
    }))
PROP = Obj("prop", "prop", "A value of a shot's `props`: a prop from `puppets/props/NAME.yaml`. "
           "It can be moved like a puppet, taken into a hand, given, thrown and dropped.",
           keys_of(PROP_FIELDS, PLACEMENT_REQUIRED, {
               **_PLACED,
               "prop": (Name("a prop in puppets/props/"), "Which prop it is.", dn("the prop id")),
               "scale": (Number(0.05, 20), "Size relative to the prop as built.", d(1.0)),
               "rot": (Number(-3600, 3600), "Rotation in degrees, clockwise on screen.", d(0)),
           }))

_scale_lo, _scale_hi = ARG_RANGES["scale"]
ARGUMENTS = {
    "to": (AnyOf((POINT, ACTOR_ID)), "Where it goes, `[x, y]` (walk, run, crawl, move, jump, "
           "exit, drop); for `give` the id of who receives; for `throw` a point or an id (it "
           "lands on that actor's head or hand)."),
    "path": (ListOf(POINT, 1, 64), "Points to pass through, in order, before `to` (travel verbs)."),
    "cycle": (Name("a cycle of the puppet"), "The gait played while it travels.",
              dn("the puppet's cycle named like the verb, else `walk`, else `crawl`; none for "
                 "`move`")),
    "height": (Number(*ARG_RANGES["height"]), "Stage units of the arc's top (jump, throw).",
               dn("120 for jump, 160 for throw")),
    "from": (POINT, "Where an `enter` starts (usually off stage); it walks to its `at`."),
    "facing": (Choice(FACINGS), "The way a `turn` leaves it facing."),
    "head": (Choice(TURNS), "The head's turn a `turn` or `look` swaps in: the puppet's "
             "replacement head for `front`, `three_quarter` or `profile`, its face placed on "
             "it (a puppet with a sculpted head). It stays on until another turns it."),
    "at": (AnyOf((POINT, ACTOR_ID)), "What a `look` turns the head toward: a point or an id."),
    "pose": (Name("a pose of the puppet"), "The pose to blend into: only the bones it names "
             "move."),
    "face": (Name("a face of the puppet"), "The replacement face (for `say`: the face it "
             "speaks with)."),
    "say": (Text(max_len=MAX_SAY_CHARS), "The line: mouth shapes from its letters (or its "
            "`voice`, or `lipsync`), a subtitle, and a babble voice. The puppet needs `mouths`."),
    "voice": (Text(), "A recording of the line in the project, WAV, FLAC, MP3 or Ogg "
              "(`sounds/line.flac`): it is heard instead of the babble, its loudness opens and "
              "closes the mouth, and the line lasts as long as it unless `for` says otherwise."),
    "lipsync": (Text(), "A Rhubarb Lip Sync timing file (`.tsv` or `.json`, shapes A-H and X) "
                "whose mouth shapes replace those read from the letters or recording."),
    "what": (ACTOR_ID, "The prop (or cast member) taken, given, thrown or dropped."),
    "seat": (Name("a seat of the set or of a prop in the shot"), "The seat a `sit` lowers the "
           "puppet onto.", dn("the nearest seat in reach; an error when none is")),
    "scale": (Number(_scale_lo, _scale_hi), "The size it grows or shrinks to (absolute, 1 = as "
              "built)."),
    "opacity": (Number(*ARG_RANGES["opacity"]), "The opacity it fades to."),
    "skin": (Name("a skin of the puppet (of `into` for transform)"), "The skin it changes to."),
    "into": (Name("a puppet in puppets/"), "Another puppet it becomes (`transform`)."),
    "rot": (Number(*ARG_RANGES["rot"]), "The rotation it spins to, in degrees clockwise: "
            "absolute, not by how much (spin to 360 for one turn, then to 720 for another)."),
    "amount": (Number(*ARG_RANGES["amount"]), "Stage units of camera jolt (`shake`)."),
    "layer": (Name("a layer name of the shot's set"), "The set layer that crumbles away "
              "(`disintegrate`) or is taken away (`hide`)."),
}
VERB_MEANINGS = {
    "walk": "Travel along `to` (through `path`) playing its gait; turns to face the way it goes.",
    "run": "As walk, faster, with the `run` cycle when the puppet has one.",
    "crawl": "As walk, on hands and knees with the `crawl` cycle.",
    "move": "Glide to `to` without a gait (props, floating things).",
    "jump": "Leap to `to` in an arc `height` high.",
    "enter": "Walk on from `from` to its `at`, fading in; invisible before.",
    "exit": "Walk off to `to`, fading out.",
    "turn": "Face `left` or `right` (mirrors the puppet), and/or swap the head for its `head` "
            "turn (instant, a replacement head).",
    "look": "Turn to `at` and tilt the head toward it; with `head`, on that replacement head.",
    "pose": "Blend the bones `pose` names into it; other bones stay.",
    "face": "Swap the replacement face (instant, as on a real puppet).",
    "say": "Speak: mouth shapes from the letters (or a `voice` recording or `lipsync` file), "
           "a voice and a subtitle; optional `face`.",
    "sit": "Sit on a seat in reach (`seat` names one): blend into `pose` (default `sit`), the "
           "bottom lowered onto the seat and the feet on the floor, until it travels again.",
    "take": "Take `what` into the hand: its handle goes to the puppet's `grip` and moves with "
            "it; with `for`, the hand reaches it first and brings it back.",
    "give": "Hand the held `what` to `to`: both arms reach out, both hands hold it in the "
            "middle of the give, and it changes hands there. The two must stand within arm's "
            "reach of each other (where their travels put them by then): a give whose hands "
            "cannot meet is refused.",
    "throw": "Throw the held `what` in an arc to a point or onto an actor.",
    "drop": "Let the held `what` fall to `to`, or straight down onto the surface or floor "
            "below the hand.",
    "grow": "Scale to `scale`.",
    "shrink": "Scale to `scale` (the same as grow; reads better when smaller).",
    "fade": "Fade to `opacity`.",
    "vanish": "Shrink, turn and fade out: gone with a twist.",
    "appear": "Fade in from nothing to its `opacity`; invisible before.",
    "skin": "Change skin (e.g. put on the Other World).",
    "transform": "Become another puppet (`into`) and/or change skin.",
    "spin": "Rotate the whole puppet to `rot` degrees (absolute).",
    "shake": "`who: camera`: a hand-held jolt of `amount` units while it runs.",
    "disintegrate": "`who: set`: the set `layer` crumbles away.",
    "hide": "`who: set`: the set `layer` is taken away, as an animator lifts a piece off the "
            "set between two frames (a door's open leaf when a prop shows it shut); not drawn "
            "from then on in the shot.",
}
EASE_MEANINGS = {
    "linear": "Constant speed.", "in": "Starts slow, ends fast.", "out": "Starts fast, ends slow.",
    "in_out": "Slow at both ends.", "smooth": "Gently slow at both ends (smoothstep).",
    "hold": "Nothing moves until the last exposure, then it is there: a hand-placed cut.",
}


def default_seconds(verb: str) -> str:
    """How long an action of `verb` lasts without `for`, in words (from `verbs.py`)."""
    if verb == "say":
        return f"its `voice`'s length, else length / {SPEECH_RATE:g} + 0.4 s"
    if verb in TRAVEL or verb in ("enter", "exit"):
        return f"from the distance, at {SPEED[verb]:g} units/s"
    if verb in INSTANT:
        return "0 s (instant)"
    return f"{DEFAULT_SECONDS.get(verb, OTHER_SECONDS):g} s"


def default_ease(verb: str) -> str:
    return "linear" if verb in LINEAR_VERBS else "in_out"


ACTION = Obj("action", "action", "An item of a shot's `action`. Every action has `t`, `who` and "
             "a verb, given by `do` or by a shorthand key (`{t: 2, who: coraline, face: happy}` "
             f"needs no `do`; shorthands: {', '.join(SHORTHANDS)}). The verb decides which "
             "arguments it takes (see the verb table). An action must end inside its shot.",
             keys_of(ACTION_FIELDS, ACTION_REQUIRED, {
    "t": (Number(0, MAX_SHOT_SECONDS), "Seconds into the shot when it starts (before the "
          "shot's end)."),
    "who": (Name("a cast or prop id, `camera` or `set`"), "Who does it (`camera` for `shake`, "
            "`set` for `disintegrate` and `hide`)."),
    "do": (Choice(tuple(VERBS)), "The verb.", dn("the shorthand key present")),
    "for": (Number(0, MAX_SHOT_SECONDS), "Seconds it lasts.", dn("by verb: see the verb table")),
    "ease": (EASE, "How it speeds up and slows down.",
             dn("linear for " + ", ".join(LINEAR_VERBS) + "; else in_out")),
    "step": (STEP, "Frames per exposure while it runs (e.g. a fast move on ones).",
             dn("the shot's `step`")),
    **ARGUMENTS,
}), rules=tuple(When("do", (verb,), need, COMMON + need + optional)
                for verb, (need, optional, _) in VERBS.items()),
    one_of=("do",) + SHORTHANDS)

SEQUENCE = Obj("sequence", "Sequence file", "`scenes/sequence.yaml`: the film's running order. "
               "`stopmo batch` renders each scene and joins them.", keys_of(
    SEQUENCE_FIELDS, SEQUENCE_REQUIRED, {
        "film": (Text(), "The output's name, `output/FILM.mp4`: letters, digits, `_` and `-`."),
        "title": (Text(), "The film's title on its opening card.", dn("the film name, titled")),
        "subtitle": (Text(), "Under the title on the opening card.", dn("empty")),
        "card_seconds": (Number(0, 10), "Seconds each title card shows.", d(2.5)),
        "transition_seconds": (Number(0, 5), "Seconds of each fade or iris.", d(0.5)),
        "scenes": (ListOf(AnyOf((Name("a scene in scenes/"), Ref("entry"))), 1, 200),
                   "The scenes in order, each once: a scene's name, or an entry."),
    }))
ENTRY = Obj("entry", "sequence entry", "An item of `scenes` written as a mapping; a bare name "
            "means `{scene: NAME}`.", keys_of(ENTRY_FIELDS, ENTRY_REQUIRED, {
    "scene": (Name("a scene in scenes/"), "The scene."),
    "card": (Bool(), "Show a title card (the scene's title and moment) before it.", d(True)),
    "transition": (Choice(TRANSITIONS), "How it joins what comes before: a cut, a fade through "
                   "black, or an iris.", d("fade")),
}))

OBJECTS = (SCENE, LOOK, WEATHER, SOUND, SHOT, CUE, CAMERA_STILL, CAMERA_MOVE, CAMERA_KEY, CAST, PROP, ACTION,
           SEQUENCE, ENTRY)
