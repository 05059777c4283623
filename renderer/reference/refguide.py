"""The format reference's running text: the order of its sections and what each explains in
words (folders, conventions, editor support, draw order, a prop in a hand). The tables under each
section come from `refscene` and `refrig`."""
from __future__ import annotations

from renderer.reference.reftypes import Section
from renderer.settings import MAX_AUDIO_BYTES, MAX_RECORDING_SECONDS, SAMPLE_RATE

REGENERATE = "python -m renderer.reference.formatref"

FOLDERS = """\
stopmo reads files from a **project folder**: the nearest folder at or above the file that holds
both `scenes/` and `puppets/`. A scene names its set, puppets and props by name, never by path,
and they are found only in these places:

| path | holds |
|---|---|
| `scenes/NAME.yaml` | scenes (`_NAME.yaml`: left out of the golden-frame tests) |
| `scenes/sequence.yaml` | the film's running order |
| `scenes/sets/NAME.yaml` | sets |
| `puppets/NAME.yaml` | puppets, and the PNG images they use beside them |
| `puppets/props/NAME.yaml` | props (small puppets), and their PNG images |

Every file is named by its first key: `scene:`, `set:` and `puppet:` must equal the file's name
without `.yaml`. `stopmo validate FILE...` checks any of them by the folder it is in."""

CONVENTIONS = """\
- **Stage units**: the stage is 1920 x 1080 units whatever the output size; x goes right, y goes
  **down**, (0, 0) is the stage's top-left corner. Puppets stand on a floor near y 930 in most sets.
- **Angles** are degrees, clockwise on screen. **Times** are seconds; `t` is seconds into the shot.
- **Colours** are `"#rrggbb"` or `"#rgb"` in quotes (an unquoted `#` starts a YAML comment).
- **Points** are `[x, y]` lists.
- **YAML**: plain mappings, lists, text, numbers, true/false and null, one document per file. No
  tags, no merge keys (`<<`), no duplicate keys; keys are text (quote `'yes':`); exponents need a
  decimal point and a sign (`1.0e+3`). At most 64 levels of nesting and 200 000 values.
- In the tables, *range* is inclusive unless it says `>`; *default* is what the loader uses when
  the key is left out, and a key marked **required** must be given."""

EDITORS = """\
`docs/schema/` holds a JSON Schema (draft 2020-12) for each kind of file, made from the same
tables as this page: `scene.schema.json`, `set.schema.json`, `puppet.schema.json` (puppets and
props) and `sequence.schema.json`. An editor with a YAML language server (VS Code's YAML
extension, Neovim, Helix, JetBrains) completes keys, shows these meanings and flags unknown keys,
wrong types and out-of-range numbers as you type when a file's **first line** names its schema,
relative to the file:

```yaml
# yaml-language-server: $schema=../docs/schema/scene.schema.json
scene: small_door
```

From `scenes/sets/` and `puppets/props/` the path is `../../docs/schema/set.schema.json` and
`../../docs/schema/puppet.schema.json`; from `puppets/` it is `../docs/schema/puppet.schema.json`.
The line is a YAML comment: stopmo ignores it. A schema checks each value's shape only; whether
a puppet has that pose, or an action ends inside its shot, is for `stopmo validate`."""

DRAW_ORDER = """\
**Draw order.** Set layers are drawn deepest first; layers with `depth` below 1 are drawn over
the puppets. Between them, the cast and props are drawn by `z` (higher in front), and at equal `z`
by where they stand at that moment: whoever's feet are lower on screen (a larger y, nearer
the camera) is in front. A held prop is drawn just in front of whoever holds it; a thrown one,
in flight, in front of everyone."""

PROP_IN_HAND = """\
Three things make a prop sit in a hand:

1. The **puppet has a `grip`**: the bone of the holding hand and the point on it, in that
   bone's frame; or a list of its hands, the holding hand first. Every shipped puppet names
   its hands, e.g. `puppets/coraline.yaml`:

   ```yaml
   grip:
     - {bone: forearm_f, at: [0, 60]}    # 60 units down the front forearm: the hand that holds
     - {bone: forearm_b, at: [0, 60]}    # the other hand
   ```

2. The **prop is on stage in the shot**: listed under the shot's `props` with an `at` (where it
   is before anyone touches it). Props are placed per shot, so a prop carried through three
   shots is listed, and taken, in each.
3. An **action `take`s it**: `{t: 0, who: mother, do: take, what: button_key}`. With no `for`
   (0 s) it is in the hand from that instant, which is how a shot starts with a prop already
   held; with `for: 0.5` the arm reaches out to it, closes on it and brings it back. From then
   on the prop's `handle` (its root if its file names none) sits on the grip point, follows the
   hand through poses, walks and cycles, faces the way its holder faces, is drawn at its
   holder's `scale` (a prop is built for a puppet at scale 1) and just in front of the holder.

```yaml
    cast:
      coraline: {at: [1000, 930], facing: right}
      mother: {at: [1560, 930], facing: left}
    props:
      button_key: {at: [1560, 780]}
    action:
      - {t: 0.0, who: mother, do: take, what: button_key}           # in her hand at once
      - {t: 1.6, who: mother, do: walk, to: [1320, 930], for: 1.2} # the key goes with her
      - {t: 2.8, who: mother, do: give, what: button_key, to: coraline, for: 0.6}
      - {t: 2.8, who: coraline, do: pose, pose: receive, for: 0.5}
```

`give` is a hand-off over `for` seconds: both arms reach to a point between them, both hands hold
the prop there in the middle of the give, and it changes hands; so the two must stand within
arm's reach of each other. `throw` sends it in an arc to a point or onto an actor (it lands on
the head); `drop` lets it fall to `to`, or straight down onto the table, seat or floor under the
hand. Give a prop a `handle` where a hand would hold it (a suitcase's handle, a key's shaft):

```yaml
handle: {bone: root, at: [0, -100]}     # puppets/props/suitcase.yaml: held by its handle
```

A holder without a `grip` leaves the prop where it is.

**Seats.** A set (or a prop, such as a chair) lists `surfaces`: seats, tables and raised floors
at heights. `{do: sit}` lowers a puppet's bottom onto the nearest seat within reach of where it
stands (or the one `seat` names) and bends its legs to put the feet on the floor; a cast member
placed with `seat: NAME` starts the shot seated. No seat in reach is an error, located at the
action. Other poses keep the feet on the floor: a `crouch` sinks onto its heels."""

IMAGE_PLACING = """![Four upright parts on a rig whose bones run along x: without `rot` they lie
along their bones; with each image given its bone's rest angle as `rot` the doll stands as
drawn](images/image-on-bone.png)

(Drawn by the renderer itself: `python -m renderer.review.pictures`.)

The one rule: **an image's `rot` is the direction its bone runs in the
picture** (degrees clockwise from the picture's x axis, pointing right). Draw each part upright,
the way it hangs when the puppet stands, and give it the rotation its bone has at rest (the
bone's `rot` plus those of its parents): the part shows exactly as drawn, and turns with the bone
from there. The `pivot` (a pixel, or `top`, `center`, `bottom`, `left`, `right` and the corners
`top_left`... on the box around the painted pixels) is the point that sits at `at` on the bone
and that it turns about: put it on the joint, where the part is pinned to its parent.

For example, an arm drawn upright on a bone with `rot: 90` (pointing down, the Spine habit):
with no `rot` it lies along the bone's x axis, sideways; with `rot: 90` it hangs as drawn;
`flip: x` mirrors it about the pivot. The shipped puppets' bones keep `rot: 0`
and run down the picture's y axis, so parts drawn upright on them need no `rot` at all.
`stopmo import` writes such rigs (see the paper-doll tutorial, `docs/tutorial.md`)."""

SOUND_FILES = f"""\
A shot's soundtrack is its `sound` bed, its `sounds` cues and its lines' voices. A recording (a
cue's `play` or a line's `voice`) is a file of the project in WAV, FLAC, MP3 or Ogg (Vorbis or
Opus): WAV is read by stopmo itself, the others are decoded by the ffmpeg that comes with
imageio-ffmpeg. Any rate is resampled to the mix's {SAMPLE_RATE // 1000} kHz and any channels
are mixed to mono. A recording that is missing, outside the project, damaged (a frame that fails to
decode, a file cut short), without sound, longer than a shot may be ({MAX_RECORDING_SECONDS:g} s)
or larger than {MAX_AUDIO_BYTES >> 20} MiB is refused when the scene loads, before anything
renders, naming the field that names it. A line with a `voice` lasts as long as its recording,
and the recording's loudness opens the mouth."""


SECTIONS = (
    Section("Files and folders", FOLDERS),
    Section("Conventions", CONVENTIONS),
    Section("Editor support: JSON Schema", EDITORS),
    Section("Scene files", "A scene is a list of shots on a set. Its `look` and `weather` apply "
            "to every shot.", ("scene", "look", "weather")),
    Section("Shots", DRAW_ORDER, ("shot", "camera_still", "camera_move", "camera_key", "cast",
                                  "prop")),
    Section("Actions", "", ("action",), special="verbs"),
    Section("Sound", SOUND_FILES, ("sound", "cue")),
    Section("How to put a prop in a hand", PROP_IN_HAND),
    Section("Set files", "", ("set", "layer", "surface", "light")),
    Section("Shapes and materials", "Puppet attachments and set layers are drawn with the same "
            "shapes.", ("shape",), special="materials"),
    Section("Puppet and prop files", "Posing never changes a puppet's file: a pose rotates, "
            "moves or scales bones from their setup pose, and a cycle blends poses in a loop.",
            ("puppet", "bone", "slot", "image", "sculpted", "sculpt", "skin", "mouths",
             "mouth_shapes", "pose_bone", "cycle", "grip")),
    Section("Placing a drawing on its bone", IMAGE_PLACING),
    Section("Sequence file", "", ("sequence", "entry")),
    Section("Limits", "Refused with a message that names the limit:", special="limits"),
)
