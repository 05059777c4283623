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
    MAX_GRIPS,
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
    SLOT_TURNS,
)
from renderer.load.heads import SCULPT_FIELDS, SCULPT_REQUIRED
from renderer.load.set import (
    DEFAULT_MARGIN,
    LAYER_FIELDS,
    LAYER_REQUIRED,
    LIGHT_FIELDS,
    LIGHT_REQUIRED,
    MAX_SURFACES,
    MAX_SWING,
    SET_FIELDS,
    SET_REQUIRED,
    SURFACE_FIELDS,
    SURFACE_REQUIRED,
)
from renderer.load.shapes import (
    COORD,
    IMAGE_FIELDS,
    IMAGE_REQUIRED,
    MAX_REDRAW,
    PRIM_FIELDS,
    PRIM_REQUIRED,
    SIZE,
)
from renderer.model.art import FLIPS, PIVOTS
from renderer.model.set import LIGHT_DEFAULTS, LIGHT_KINDS, SURFACE_KINDS
from renderer.model.vocab import GRADIENTS, MATERIALS, MOUTH_SHAPES, SHAPES
from renderer.paint.sprites import REDRAW_WOBBLE
from renderer.reference.reftypes import (
    AnyOf,
    Bool,
    Choice,
    Colour,
    Int,
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

IMAGE = Obj("image", "image attachment", "An attachment painted by you: `{image: part.png}`. "
            "How it sits on its bone: its `pivot` pixel goes to `at`, and it is turned so that "
            "the direction `rot` in the picture runs along the bone. Draw a part upright, as "
            "it hangs at rest, and give it the `rot` of its bone at rest (the bone's `rot` plus "
            "its parents'): it shows as drawn. Bones whose `rot` is 0 (as in the shipped "
            "puppets) run down the picture, so their parts need no `rot`; a bone that points "
            "down (`rot: 90` in the Spine habit of bones along their x axis) needs `rot: 90`. "
            "See *Placing a drawing on its bone* below.",
            keys_of(IMAGE_FIELDS, IMAGE_REQUIRED, {
    "image": (Text(), "A PNG file, relative to the puppet's folder and inside it (no absolute "
              "paths, no `..` out of it), at most 4096x4096 pixels."),
    "pivot": (AnyOf((POINT, Choice(tuple(PIVOTS)))), "The point of the picture that sits at "
              "`at` and that it turns about: a pixel `[x, y]` (from the top-left corner), or a "
              "name on the box around its painted pixels (transparent margins ignored): `top` "
              "is the middle of its top edge, `bottom_left` a corner.",
              dn("the image's centre")),
    "units_per_px": (Number(0.01, 100, lo_open=True), "Stage units one image pixel covers.",
                     d(1.0)),
    "at": (POINT, "Where the pivot sits in the bone's frame, stage units.", d([0, 0])),
    "rot": (ROT, "The direction the bone runs in the picture, degrees clockwise from the "
            "picture's x axis (pointing right): 90 is down the picture, -90 up.", d(0)),
    "scale": (AnyOf((Number(0.01, 100), Point(0.01, 100))), "Size factor, or `[x, y]` along "
              "the picture's own axes.", d(1.0)),
    "flip": (AnyOf((Choice(FLIPS), Bool())), "Mirror the picture about its pivot: `x` left to "
             "right (`true` is the same), `y` upside down, `both`.", d("none")),
    "material": (Name("a material of the Materials table"), "What the drawing is cut from, for how much "
                 "it boils between exposures (as the shapes of that material do, see `boil` of "
                 "a slot); the picture itself is not repainted.", dn("1, like paper")),
    "redraw": (Int(1, MAX_REDRAW), "Paper boil: this many hand-traced versions of the drawing "
               "are painted once (the first exactly as drawn, the others with the outline "
               f"wandering up to {REDRAW_WOBBLE:g} units), and each exposure shows one of them "
               "at random, so the part's edges crawl like a drawing traced anew for every "
               "frame.", d(1)),
}))
SCULPTED = Obj("sculpted", "sculpted head", "An attachment `{sculpt: {...}}`: a head carved "
               "from its measurements once per turn of the head (`front`, `three_quarter`, "
               "`profile`; see `head` of a cast member and of `turn` and `look`). The puppet is "
               "drawn three-quarter, facing right: that head keeps the attachment's name, the "
               "others are `NAME@front` and `NAME@profile`, and every part its face slots show "
               "(eyes, buttons, brows, mouths) is placed on each turned head: spread about the "
               "skull from the front, narrowed to the near half in profile (the far eye hides "
               "behind the nose). Every other part on the head's bone (hair, a fringe, a hat, a "
               "clip, a helmet) rides the skull: it is moved across the turned skull as the skull "
               "turns, made mirror-symmetric from the front and tucked behind the face's edge in "
               "profile (a slot's `turn` chooses otherwise). In profile the back hair (the "
               "skull parts drawn behind the head) also covers the side of the skull behind the "
               "ear: that part of it is worn under the front hair (the first skull part drawn "
               "over the head). A skin that swaps in another "
               "sculpted head has every part placed on that head's own skull. An attachment "
               "you draw as "
               "`PART@TURN` is shown instead of the placed one.", keys_of(("sculpt",), ("sculpt",), {
    "sculpt": (Ref("sculpt"), "The head's measurements."),
}))
SCULPT = Obj("sculpt", "sculpt", "The measurements of a sculpted head, in its bone's units "
             "(y down, the face toward +x).", keys_of(SCULPT_FIELDS, SCULPT_REQUIRED, {
    "at": (POINT, "The skull's centre."),
    "size": (Point(1, 10000), "The skull's width and height."),
    "color": (Colour(), "The skin."),
    "color2": (Colour(), "A gradient's other end.", dn("none")),
    "gradient": (Choice(GRADIENTS), "Blend `color` into `color2`.", d("none")),
    "eyes": (Point(-COORD, COORD), "`[near_x, far_x]`: where the three-quarter face parts put "
             "the near and the far eye (far > near); the turns move the face by them."),
    "jaw": (Number(0.2, 1.4), "The jaw's width, a fraction of the skull's: 1 square, 0.3 a "
            "needle.", d(0.8)),
    "chin": (Number(-10000, 10000), "How far the chin hangs below the skull (at most its "
             "height, at least -height/4).", d(0)),
    "nose": (Number(0, 10000), "How far the nose stands out in profile (at most the width).",
             d(10)),
    "ears": (Bool(), "Ears: both from the front, one on the others.", d(True)),
    "blush": (AnyOf((Colour(), Null())), "Felt blush on the cheeks.", dn("none")),
    "sharp": (Bool(), "Straight cuts between the outline's points instead of a rounded curve "
              "(a carved, needle-sharp face).", d(False)),
    "material": (Choice(("clay", "resin", "plain", "felt", "wood", "glow")), "What it is "
                 "made of.", d("clay")),
    "opacity": (Number(0.05, 1), "0.05 is nearly invisible (a ghost).", d(1.0)),
    "features": (ListOf(Ref("shape"), 1, 40), "Shapes carved into the face as drawn "
                 "three-quarter (sockets, hollows, wrinkles), placed on every turn as the face "
                 "parts are.", dn("none")),
}))
ATTACHMENT = AnyOf((ListOf(Ref("shape"), 1, 200), Ref("shape"), Ref("image"), Ref("sculpted")))

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
        "turn": (Choice(SLOT_TURNS), "How its parts follow a sculpted head's turn: `face` "
                 "placed as the eyes and mouth are (goggles over the eyes), `skull` moved as the "
                 "skull turns (hair, hats, clips), `fixed` shown as drawn on every turn. A part "
                 "drawn by hand as `PART@TURN` wins either way.",
                 dn("`face` for a face part or the mouth; `skull` for another slot on the bone "
                    "of a sculpted head; else `fixed`")),
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
GRIP = Obj("grip", "grip", "Key `grip` (or an item of a `grip` list), and `handle`: a point on "
           "a bone. A grip is where a hand holds a prop: `take` puts the prop's handle there and "
           "it moves with the bone. A handle is the point of a prop that a hand holds.",
           keys_of(GRIP_FIELDS, GRIP_REQUIRED, {
    "bone": (Name("a bone of the puppet"), "The bone of the holding hand (or forearm), or of "
             "the prop's handle."),
    "at": (POINT, "The point in that bone's frame.", d([0, 0])),
}))
SURFACE = Obj("surface", "surface", "An item of `surfaces` (a set's or a prop's): a flat top at "
              "a height. A puppet can `sit` on a `seat` in reach; a dropped prop lands on the "
              "highest surface under it.", keys_of(SURFACE_FIELDS, SURFACE_REQUIRED, {
    "name": (Text(), "Unique among the surfaces; `sit` and a cast member's `seat` name it."),
    "kind": (Choice(SURFACE_KINDS), "`seat` (to sit on), `table` or `floor` (things land on "
             "them).", d("seat")),
    "x": (Point(-COORD, COORD), "`[x0, x1]`: its span, x1 > x0. Stage units in a set; in a "
          "prop, from its root facing right at scale 1 (placed, mirrored and scaled with it)."),
    "y": (Number(-COORD, COORD), "The height of its top: a stage y in a set (the floor is "
          "usually 930); in a prop, from its root (negative is up)."),
    "depth": (Number(0, COORD), "Stage units its top reaches back from its front edge: the "
              "shadow of a puppet standing on it lies on the top that far back, then goes on "
              "down to the floor.", dn("60 for a shadow")),
    "base": (Number(-COORD, COORD), "Where it stands on the floor, as `y` is given (a podium "
             "further back than the floor line stands on a higher y): the depth its shadows "
             "are cast from.", dn("the set's floor")),
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
                        "shapes painted in order, one shape, an image, or a sculpted head."),
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
        "grip": (AnyOf((Ref("grip"), ListOf(Ref("grip"), 1, MAX_GRIPS))), "Where its hands "
                 "hold props: one grip, or a list of its hands, the main (holding) hand first; "
                 "in a `give` the arms of giver and receiver meet. Without it, `take` cannot "
                 "hold.", dn("none")),
        "handle": (Ref("grip"), "Of a prop (or a puppet that is carried): the point a hand "
                   "holds it by.", dn("its root")),
        "surfaces": (ListOf(Ref("surface"), 0, MAX_SURFACES), "Of a prop: seats and tops it "
                     "offers (a chair's seat), relative to its root.", dn("none")),
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
        "surfaces": (ListOf(Ref("surface"), 0, MAX_SURFACES), "Seats, tables and raised "
                     "floors painted in the set, where puppets `sit` and dropped props land.",
                     dn("none")),
        "lights": (ListOf(Ref("light"), 0, 8), "The lighting rig: lamps that shade the "
                   "puppets' volume from where they hang, pool light on the set, and (the first "
                   "`key` in front of the puppets) cast every puppet's and prop's shadow on the "
                   "floor and the wall behind.", dn("none: the set is lit as painted, no cast "
                                                    "shadows")),
        "ambient": (Number(0, 2), "How much of the painted colour shows where no lamp of the "
                    "rig reaches (the blacks of the set); used only with `lights`.", d(0.55)),
        "wall": (Number(0, 1080), "The stage y where the wall behind the puppets meets the "
                 "floor: a cast shadow that reaches it climbs the wall.", dn("none: open ground, "
                                                                          "shadows lie on the floor")),
    }))
LAYER = Obj("layer", "layer", "An item of `layers`.", keys_of(LAYER_FIELDS, LAYER_REQUIRED, {
    "name": (Text(), "Unique in the set; `disintegrate` and `hide` name it."),
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

KIND_DEFAULTS = "; ".join(f"`{k}`: {v[0]:g}, {v[1]:g}, {v[2]:g}, {v[3]:g}"
                          for k, v in LIGHT_DEFAULTS.items())
LIGHT = Obj("light", "light", "An item of a set's `lights`. Defaults by kind (z, strength, "
            "softness, reach): " + KIND_DEFAULTS + ".", keys_of(LIGHT_FIELDS, LIGHT_REQUIRED, {
    "kind": (Choice(LIGHT_KINDS), "`key` (the main light; casts the shadows), `fill` (soft, "
             "lifts the shade), `rim` (behind: lights the puppets' edges), `practical` (a lamp "
             "or candle in the set, a warm pool around it), `moon` (cold, through a `window`)."),
    "at": (Point(-COORD, COORD), "`[x, y]`: where it hangs, stage units."),
    "z": (Number(-4000, 4000), "Stage units toward the camera from the puppet plane; negative "
          "is behind the puppets.", dn("by kind")),
    "color": (Colour(), "Its colour."),
    "strength": (Number(0, 4), "1 is a full key.", dn("by kind")),
    "softness": (Number(0, 1), "0 a bare bulb (crisp shadows), 1 a diffused box (soft).",
                 dn("by kind")),
    "reach": (Number(10, 8000), "Stage units: the radius of its pool of light on the set.",
              dn("by kind")),
    "flicker": (Number(0, 1), "How much of its strength varies from one exposure to the next "
                "(a candle 0.3); held while an exposure is held.", d(0)),
    "window": (ListOf(Number(-COORD, COORD), 4, 4), "`[x0, y0, x1, y1]`: a window it shines "
               "through; its patch of light lies on the floor in front of the wall.", dn("none")),
    "swing": (Point(-MAX_SWING, MAX_SWING), "`[dx, dy]` stage units: how far either side of `at` it "
              "swings, one way and back in `period` (a lantern on a chain, a torch in a hand); "
              "its pool, the puppets' shading and, for a key, their shadows swing with it. "
              "Held while an exposure is held.", d([0, 0])),
    "period": (Number(0.1, 120), "Seconds of one whole swing.", d(2)),
    "wander": (Number(0, MAX_SWING), "Stage units a flame strays from `at` at random from one "
               "exposure to the next (a candle 4); held while an exposure is held.", d(0)),
}))

OBJECTS = (PUPPET, BONE, SLOT, SKIN, MOUTHS, MOUTH_SHAPES_OBJ, POSE_BONE, CYCLE, GRIP, SURFACE, SET,
           LAYER, LIGHT,
           SHAPE, IMAGE, SCULPTED, SCULPT)
