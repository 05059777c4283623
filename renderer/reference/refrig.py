"""The format reference's table for puppet, prop and set files and the shapes both are drawn
with: every key `puppet`, `sets` and `shapes` accept, with type, range, default and meaning.

Key names, required keys and vocabularies come from the loaders' constants; what is written here
is the meaning, and defaults the loader computes.
"""
from __future__ import annotations

from renderer.load.puppet import (
    BOIL_BY_MATERIAL,
    BONE_FIELDS,
    BONE_REQUIRED,
    CYCLE_FIELDS,
    CYCLE_REQUIRED,
    FACE_BOIL,
    GRIP_FIELDS,
    GRIP_REQUIRED,
    MAX_LEG_BONES,
    MOUTH_FIELDS,
    MOUTH_REQUIRED,
    MOUTH_SHAPES_REQUIRED,
    POSE_BONE_FIELDS,
    PUPPET_FIELDS,
    PUPPET_REQUIRED,
    SKIN_FIELDS,
    SLOT_FIELDS,
    SLOT_REQUIRED,
)
from renderer.load.set import (
    DEFAULT_MARGIN,
    LAYER_FIELDS,
    LAYER_REQUIRED,
    SET_FIELDS,
    SET_REQUIRED,
)
from renderer.load.shapes import (
    COORD,
    IMAGE_FIELDS,
    IMAGE_REQUIRED,
    PRIM_FIELDS,
    PRIM_REQUIRED,
    SIZE,
)
from renderer.model.vocab import GRADIENTS, MATERIALS, MOUTH_SHAPES, SHAPES
from renderer.reference.reftypes import (
    AnyOf,
    Bool,
    Choice,
    Colour,
    ListOf,
    MapOf,
    Name,
    Null,
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
from renderer.settings import MAX_SET_SHAPE_STAGES, MAX_SET_SHAPES
from renderer.stage.speech import DIGRAPHS, LETTERS

POINT = Point(-COORD, COORD)
ROT = Number(-3600, 3600)
ATTACHMENT_OR_NONE = AnyOf((Name("an attachment of the puppet"), Null()))
NEEDS_POINTS = ("capsule", "polygon", "line")

SHAPE = Obj("shape", "shape", "One painted shape (a prim): an item of an attachment or of a "
            "set layer's `shapes`. Coordinates are stage units: bone-local in a puppet (y down, "
            "the bone's origin at 0, 0), stage positions in a set.", keys_of(
    PRIM_FIELDS, PRIM_REQUIRED, {
        "shape": (Choice(SHAPES), "`ellipse` and `rect` are placed by `at` and `size`; "
                  "`capsule` (a rounded bar from points[0] to points[1]), `polygon` and `line` "
                  "by `points`."),
        "at": (POINT, "The centre of an ellipse or rect.", d([0, 0])),
        "size": (Point(0, SIZE), "Full width and height of an ellipse or rect.", d([10, 10])),
        "rot": (ROT, "Rotation of an ellipse or rect about its centre, degrees clockwise.",
                d(0)),
        "radius": (Number(0, SIZE), "Corner radius of a rect.", d(0)),
        "points": (ListOf(POINT, 2, 400), "Vertices of a polygon (at least 3), the points a "
                   "line passes through, a capsule's two ends.",
                   dn("none; **required** for capsule, polygon and line")),
        "width": (AnyOf((Number(0, SIZE), Point(0, SIZE))), "Thickness of a line or capsule; "
                  "`[start, end]` tapers it.", d(4)),
        "smooth": (Bool(), "Pass a smooth (Catmull-Rom) curve through the points.", d(False)),
        "color": (Colour(), "The fill colour.", d("#808080")),
        "color2": (Colour(), "The second colour: the gradient's end; for `wallpaper` the "
                   "pattern, for `button` the thread; else the stitch thread.",
                   dn("derived from `color`")),
        "gradient": (Choice(GRADIENTS), "Blend `color` into `color2` across the shape.",
                     d("none")),
        "opacity": (Number(0, 1), "0 is invisible.", d(1.0)),
        "material": (Choice(tuple(sorted(MATERIALS))), "What it is made of: texture, shading "
                     "and edge (see Materials).", d("plain")),
        "stitch": (Bool(), "A dashed thread seam sewn about 3 units inside the edge.", d(False)),
        "outline": (Number(0, 100), "Width of a dark rim inside the edge, stage units.", d(0)),
    }), rules=(When("shape", NEEDS_POINTS, required=("points",)),))

IMAGE = Obj("image", "image attachment", "An attachment painted by you: `{image: part.png}`.",
            keys_of(IMAGE_FIELDS, IMAGE_REQUIRED, {
    "image": (Text(), "A PNG file, relative to the puppet's folder and inside it (no absolute "
              "paths, no `..` out of it), at most 4096x4096 pixels."),
    "pivot": (POINT, "The image pixel that sits on the bone's origin.",
              dn("the image's centre")),
    "units_per_px": (Number(0.01, 100, lo_open=True), "Stage units one image pixel covers.",
                     d(1.0)),
}))
ATTACHMENT = AnyOf((ListOf(Ref("shape"), 1, 200), Ref("shape"), Ref("image")))

MATERIAL_MEANINGS = {
    "plain": "Flat paint with a faint mottle.", "felt": "Soft fibrous felt, fuzzy edge.",
    "yarn": "Rounded twisted strands (hair).", "vinyl": "Smooth, glossy.",
    "clay": "Plasticine: soft bevel, thumb marks.", "knit": "Knitted stitches (jumpers).",
    "wood": "Wood grain.", "button": "A sewing button: rim, holes and thread (`color2`).",
    "fabric": "Woven cloth.", "wallpaper": "A printed pattern in `color2`.",
    "paper": "Paper with fibres.", "resin": "Cast resin, a soft sheen.",
    "metal": "Brushed metal, a hard highlight.", "glass": "Glass, a bright glint.",
    "glow": "Light itself: reaches past its shape.",
}

BONE = Obj("bone", "bone", "An item of `bones`. Bones are listed parent before child; the "
           "first is the root, which stands on the floor at the cast member's `at`.", keys_of(
    BONE_FIELDS, BONE_REQUIRED, {
        "name": (Text(), "Unique among the puppet's bones."),
        "parent": (Name("a bone listed earlier"), "Required for every bone but the first."),
        "at": (POINT, "Its origin in the parent's frame (stage units, y down).", d([0, 0])),
        "rot": (ROT, "Setup rotation, degrees clockwise.", d(0)),
        "scale": (Number(0.01, 100), "Setup scale of it and its children.", d(1.0)),
        "length": (Number(0, 4000), "Stage units, for reach and attachment checks.", d(0)),
    }))
SLOT = Obj("slot", "slot", "An item of `slots`, listed in draw order (back to front): a place on "
           "a bone that shows one attachment at a time.", keys_of(
    SLOT_FIELDS, SLOT_REQUIRED, {
        "name": (Text(), "Unique among the puppet's slots; faces, skins and mouths name it."),
        "bone": (Name("a bone of the puppet"), "The bone it moves with."),
        "attachment": (ATTACHMENT_OR_NONE, "What it shows in the setup pose; null shows "
                       "nothing.", dn("nothing")),
        "face": (Bool(), f"A replacement-face part: it boils {FACE_BOIL:g} times as much (faces "
                 "are swapped by hand each exposure).", d(False)),
        "boil": (Number(0, 10), "How much it shifts between exposures, relative to the "
                 "puppet's `boil`.", dn("by its material: " + ", ".join(
                     f"{k} {v:g}" for k, v in BOIL_BY_MATERIAL.items()))),
    }))
SKIN = Obj("skin", "skin", "A value of `skins`: attachment overrides. Every puppet has the skin "
           "`real` (no overrides).", keys_of(SKIN_FIELDS, (), {
    "slots": (MapOf("slot name", ATTACHMENT_OR_NONE), "Forces a slot to show an attachment "
              "(or nothing).", dn("none")),
    "swap": (MapOf("attachment name", Name("an attachment of the puppet")), "Replaces one "
             "attachment with another wherever it would show (the `other` skin swaps eyes for "
             "buttons, in every face).", dn("none")),
}))
MOUTHS = Obj("mouths", "mouths", "Key `mouths`: the mouth shapes `say` shows, from the letters "
             "of the line.", keys_of(MOUTH_FIELDS, MOUTH_REQUIRED, {
    "slot": (Name("a slot of the puppet"), "The slot the mouth shapes replace."),
    "shapes": (Ref("mouth_shapes"), "An attachment for each mouth shape."),
}))


def _letters(shape: str) -> str:
    """The letters `say` shows `shape` for (from `speech`), e.g. "m, b, p"."""
    spelled = [k for k, v in {**DIGRAPHS, **LETTERS}.items() if v == shape]
    return ", ".join(sorted(spelled, key=lambda k: (len(k), k)))


MOUTH_SHAPE_MEANINGS = {shape: f"Shown for {_letters(shape)}." for shape in MOUTH_SHAPES}
MOUTH_SHAPE_MEANINGS["rest"] = ("Closed: spaces, punctuation, and any shape the puppet does not "
                                "give.")
MOUTH_SHAPES_OBJ = Obj("mouth_shapes", "mouth shapes", "Key `mouths.shapes`: mouth shape -> "
                       "attachment (or null for none).", keys_of(
    MOUTH_SHAPES, MOUTH_SHAPES_REQUIRED,
    {k: (ATTACHMENT_OR_NONE, v, {} if k == "rest" else dn("what `rest` shows"))
     for k, v in MOUTH_SHAPE_MEANINGS.items()}))
POSE_BONE = Obj("pose_bone", "pose of a bone", "A value of a pose: how one bone is posed. A "
                "bare number is its rotation.", keys_of(POSE_BONE_FIELDS, (), {
    "rot": (ROT, "Rotation from the setup pose, degrees clockwise.", d(0)),
    "at": (POINT, "Offset from its setup position, in the parent's frame.", d([0, 0])),
    "scale": (Number(0.01, 100), "Scale factor.", d(1.0)),
}))
CYCLE = Obj("cycle", "cycle", "A value of `cycles`: a looping gait, played by the travel verbs.",
            keys_of(CYCLE_FIELDS, CYCLE_REQUIRED, {
    "period": (Number(0.05, 60, lo_open=True), "Seconds for one loop."),
    "keys": (ListOf(Name("a pose of the puppet"), 2, 32), "Poses visited in order over the "
             "period, blended between."),
}))
GRIP = Obj("grip", "grip", "Key `grip`: where the puppet's hand holds a prop. `take` puts a "
           "prop's root here and it moves with the bone.", keys_of(GRIP_FIELDS, GRIP_REQUIRED, {
    "bone": (Name("a bone of the puppet"), "The bone of the holding hand (or forearm)."),
    "at": (POINT, "The holding point in that bone's frame.", d([0, 0])),
}))
PUPPET = Obj("puppet", "Puppet file", "`puppets/NAME.yaml` (a puppet) or "
             "`puppets/props/NAME.yaml` (a prop: the same format, usually one bone): a rig of "
             "bones, slots drawn in order, and the attachments they show.", keys_of(
    PUPPET_FIELDS, PUPPET_REQUIRED, {
        "puppet": (Text(), "The puppet's name: must equal the file's name without `.yaml`."),
        "title": (Text(), "Its display name, e.g. on captions.",
                  dn("the name, `_` as spaces, in title case")),
        "description": (Text(), "A line for `stopmo puppets`.", dn("empty")),
        "bones": (ListOf(Ref("bone"), 1, 256), "The skeleton, parent before child."),
        "slots": (ListOf(Ref("slot"), 1, 512), "The draw order, back to front."),
        "attachments": (MapOf("attachment name", ATTACHMENT), "Named pictures: a list of "
                        "shapes painted in order, one shape, or an image."),
        "skins": (MapOf("skin name", Ref("skin")), "Alternative looks, chosen per cast member "
                  "or by the world.", dn("only `real`")),
        "faces": (MapOf("face name", MapOf("slot name", ATTACHMENT_OR_NONE)), "Replacement "
                  "faces: slot -> attachment (or null) while the face is on. `neutral` (no "
                  "changes) always exists; `blink`, when given, is shown now and then.",
                  dn("only `neutral`")),
        "mouths": (Ref("mouths"), "Mouth shapes for `say`; without them the puppet cannot "
                   "speak.", dn("none")),
        "poses": (MapOf("pose name", MapOf("bone name", AnyOf((ROT, Ref("pose_bone"))))),
                  "Named poses: the bones each moves (others keep whatever pose they hold). "
                  "`stand`, the setup pose of every bone, always exists.", dn("only `stand`")),
        "cycles": (MapOf("cycle name", Ref("cycle")), "Gaits: `walk`, `run`, `crawl` are used "
                   "by the verbs of those names.", dn("none")),
        "shadow": (Point(0, 4000), "Width and height of the contact shadow on the floor.",
                   d([0, 0])),
        "boil": (Number(0, 20), "Stage units its parts shift between exposures.", d(0.8)),
        "grip": (Ref("grip"), "Where its hand holds props; without it, `take` cannot hold.",
                 dn("none")),
        "legs": (ListOf(ListOf(Name("a bone of this puppet"), 1, MAX_LEG_BONES), 0, 16),
                 "Its legs, each a chain of bones from hip to foot (each the next one's parent): "
                 "walking plants their feet on the floor. Needed only where bones are not named "
                 "`thigh_X` with a child `shin_X`.", dn("the `thigh_X`/`shin_X` pairs")),
    }))

SET = Obj("set", "Set file", "`scenes/sets/NAME.yaml`: the miniature set, painted layers at "
          "depths. Shapes are in stage units with the stage's top-left as origin.", keys_of(
    SET_FIELDS, SET_REQUIRED, {
        "set": (Text(), "The set's name: must equal the file's name without `.yaml`."),
        "description": (Text(), "A line for `stopmo list`.", dn("empty")),
        "layers": (ListOf(Ref("layer"), 1, 32), "Painted layers; drawn deepest first. All "
                   f"together they hold at most {MAX_SET_SHAPES} shapes, whose boxes cover at "
                   f"most {MAX_SET_SHAPE_STAGES} stages of area (1920x1080 units each): a "
                   "set paints in seconds."),
        "dof": (Number(0, 10), "Depth-of-field blur: layers far from depth 1 are painted soft "
                "by this much; 0 keeps everything sharp.", d(1.0)),
        "floor": (Number(0, 1080), "The stage y where puppets stand (their `at` y), for people "
                  "and previews (`stopmo set NAME --sheet` draws it); it draws nothing itself.",
                  dn("930, the convention most sets follow")),
    }))
LAYER = Obj("layer", "layer", "An item of `layers`.", keys_of(LAYER_FIELDS, LAYER_REQUIRED, {
    "name": (Text(), "Unique in the set; `disintegrate` names it."),
    "depth": (Number(0.2, 100), "Distance relative to the puppet plane (1): 4 is a far "
              "backdrop that barely moves when the camera pans; below 1 is in front of the "
              "puppets and moves more."),
    "extent": (ListOf(Number(-COORD, COORD), 4, 4), "`[x0, y0, x1, y1]`: the area painted, "
               "with x1 > x0 and y1 > y0.", dn(f"the stage with {DEFAULT_MARGIN:g} of its size "
                                                "on every side")),
    "background": (Colour(), "A colour filling the whole extent under the shapes.",
                   dn("none (transparent)")),
    "shapes": (ListOf(Ref("shape"), 0, 2000), "Shapes painted in order, back to front.",
               dn("none")),
}))

OBJECTS = (PUPPET, BONE, SLOT, SKIN, MOUTHS, MOUTH_SHAPES_OBJ, POSE_BONE, CYCLE, GRIP, SET, LAYER,
           SHAPE, IMAGE)
