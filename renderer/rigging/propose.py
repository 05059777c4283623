"""A puppet proposed from a layered drawing: one layer per part, bones from the layer names,
joints where parts overlap. The user edits a working rig instead of writing one.

Layer names (case-insensitive) say what a part is:

- `torso` (or `body`), `hips`, `neck`, `head`, `tail`: a bone each;
- `arm_X`, `forearm_X`, `hand_X`, `leg_X`, `thigh_X`, `shin_X`, `foot_X` (X any side, e.g. `f`,
  `b`): a bone each, hung from the part above them;
- `hair`, `hair_back`, `fringe`, `hat`, `ear_X`, `nose`: drawn on the head;
- `eyes`, `brows` (face parts), and `eyes_FACE`, `brows_FACE`: the replacement face FACE;
- `mouth` or `mouth_SHAPE` (SHAPE one of rest, A, E, O, U, MBP, FV, L, WQ): mouth shapes;
- `PART@BONE`: any other part, drawn on BONE (a bone named above, or `root`).

Every bone's `rot` is 0: a part sits on its bone exactly as it was drawn (an image's `rot` is
the direction its bone runs in the picture, and these bones run down the picture's y axis as
the shipped puppets' do). A joint is the middle of where a part overlaps the part it hangs
from, or, where they do not overlap, the middle of the part's edge nearest to it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from renderer.errors import Location, OutputError, PuppetError
from renderer.load.drawing import Drawing, Layer
from renderer.model.vocab import MOUTH_SHAPES
from renderer.output.files import save_png

DEFAULT_HEIGHT = 360.0    # stage units a proposed puppet stands (Coraline is about 330)

# bone name pattern -> the bones it hangs from, first present wins ({s}: the same side)
BONE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"hips|pelvis", ("root",)),
    (r"torso|body|chest", ("hips", "root")),
    (r"neck", ("torso", "body", "chest")),
    (r"head", ("neck", "torso", "body", "chest", "root")),
    (r"tail", ("hips", "torso", "body")),
    (r"(?:upper_)?arm_(?P<s>\w+)", ("torso", "body", "chest")),
    (r"forearm_(?P<s>\w+)", ("arm_{s}", "upper_arm_{s}")),
    (r"hand_(?P<s>\w+)", ("forearm_{s}", "arm_{s}")),
    (r"(?:leg|thigh)_(?P<s>\w+)", ("hips", "torso", "body")),
    (r"shin_(?P<s>\w+)", ("thigh_{s}", "leg_{s}")),
    (r"foot_(?P<s>\w+)", ("shin_{s}", "leg_{s}", "thigh_{s}")),
)
HEAD_PARTS = r"hair|hair_back|fringe|hat|nose|ear_\w+"
FACE_PARTS = ("eyes", "brows")
CHOICES = ("torso, body, hips, neck, head, tail, arm_X, forearm_X, hand_X, leg_X, thigh_X, "
           "shin_X, foot_X (X a side such as f or b), hair, hair_back, fringe, hat, nose, ear_X, "
           "eyes, brows, eyes_FACE, brows_FACE, mouth, mouth_SHAPE, or PART@BONE")


@dataclass
class Part:
    layer: Layer
    name: str                 # attachment and slot name
    bone: str                 # the bone it is drawn on
    face: str | None = None   # a replacement face it belongs to (eyes_happy -> happy)
    slot: str = ""            # the slot it shows in
    mouth: str | None = None  # the mouth shape it is


@dataclass
class Rig:
    name: str
    upp: float                                  # stage units per drawing pixel
    floor: tuple[float, float]                  # canvas pixel of the root (between the feet)
    bones: list[tuple[str, str | None]] = field(default_factory=list)   # (name, parent)
    joints: dict[str, tuple[float, float]] = field(default_factory=dict)  # canvas pixels
    parts: list[Part] = field(default_factory=list)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_@]+", "_", text.strip().lower()).strip("_")


def classify(drawing: Drawing) -> list[Part]:
    """What each layer is, by its name; a name no rule places is refused with the choices."""
    where = Location(drawing.name)
    parts: list[Part] = []
    seen: set[str] = set()
    bone_layers = set()
    for layer in drawing.layers:
        name = _slug(layer.name)
        if name in seen:
            raise PuppetError(f"layer {layer.name!r}: a second layer with that name", where,
                              hint="each part needs its own layer name")
        seen.add(name)
        if "@" in name:
            part, _, bone = name.partition("@")
            parts.append(Part(layer, part, bone))
        elif any(re.fullmatch(rx, name) for rx, _ in BONE_RULES):
            parts.append(Part(layer, name, name))
            bone_layers.add(name)
        elif re.fullmatch(HEAD_PARTS, name):
            parts.append(Part(layer, name, "head"))
        elif name in FACE_PARTS or (name.partition("_")[0] in FACE_PARTS and "_" in name):
            base, _, face = name.partition("_")
            parts.append(Part(layer, name, "head", face=face or None, slot=base))
        elif name == "mouth" or (name.startswith("mouth_")
                                 and name[6:].upper() in {m.upper() for m in MOUTH_SHAPES}):
            shape = next((m for m in MOUTH_SHAPES if m.upper() == name[6:].upper()), "rest")
            parts.append(Part(layer, f"mouth_{shape}", "head", slot="mouth", mouth=shape))
        else:
            raise PuppetError(f"layer {layer.name!r}: the rig cannot place a part of that name",
                              where, hint=f"name it one of: {CHOICES}")
    if not parts:
        raise PuppetError("a drawing with at least one painted layer, found none", where)
    bones = bone_layers | {"root"}
    for p in parts:
        if p.bone not in bones:
            raise PuppetError(f"layer {p.layer.name!r}: it is drawn on bone {p.bone!r}, which "
                              f"no layer makes", where, hint="bones: " + ", ".join(sorted(bones)))
        p.slot = p.slot or p.name
    return parts


def _parent(bone: str, present: set[str]) -> str:
    for rx, parents in BONE_RULES:
        match = re.fullmatch(rx, bone)
        if match:
            side = match.groupdict().get("s") or ""
            for cand in parents:
                cand = cand.format(s=side)
                if cand in present and cand != bone:
                    return cand
    return "root"


def _mask(layer: Layer, size: tuple[int, int]) -> np.ndarray:
    """The layer's painted pixels on a canvas-sized boolean plane."""
    m = np.zeros((size[1], size[0]), bool)
    h, w = layer.rgba.shape[:2]
    x0, y0 = max(layer.x, 0), max(layer.y, 0)
    x1, y1 = min(layer.x + w, size[0]), min(layer.y + h, size[1])
    if x1 > x0 and y1 > y0:
        m[y0:y1, x0:x1] = layer.rgba[y0 - layer.y:y1 - layer.y, x0 - layer.x:x1 - layer.x, 3] > 0
    return m


def _joint(child: Layer, parent: Layer | None, size: tuple[int, int],
           fallback: tuple[float, float]) -> tuple[float, float]:
    """Where `child` hangs from `parent`, in canvas pixels: the middle of their overlap, else
    the middle of the child's box edge nearest the parent."""
    h, w = child.rgba.shape[:2]
    if parent is not None:
        both = _mask(child, size) & _mask(parent, size)
        ys, xs = np.nonzero(both)
        if len(xs):
            return float(xs.mean()) + 0.5, float(ys.mean()) + 0.5
        ph, pw = parent.rgba.shape[:2]
        target = (parent.x + pw / 2, parent.y + ph / 2)
    else:
        target = fallback
    edges = [(child.x + w / 2, child.y), (child.x + w / 2, child.y + h),
             (child.x, child.y + h / 2), (child.x + w, child.y + h / 2)]
    return min(edges, key=lambda e: np.hypot(e[0] - target[0], e[1] - target[1]))


def propose(drawing: Drawing, name: str, height: float = DEFAULT_HEIGHT) -> Rig:
    """The rig of `drawing`: bones, joints and parts, `height` stage units tall."""
    parts = classify(drawing)
    layers = [p.layer for p in parts]
    top = min(la.y for la in layers)
    bottom = max(la.y + la.rgba.shape[0] for la in layers)
    upp = round(height / max(bottom - top, 1), 4)
    by_bone = {p.bone: p.layer for p in parts if p.bone == p.name}
    body = by_bone.get("torso") or by_bone.get("body") or by_bone.get("hips") or layers[0]
    floor = (body.x + body.rgba.shape[1] / 2, float(bottom))
    rig = Rig(name, upp, floor)
    present = set(by_bone) | {"root"}
    order = ["root"]

    def place(bone: str) -> None:
        if bone in order:
            return
        parent = _parent(bone, present)
        place(parent)
        order.append(bone)

    for bone in by_bone:
        place(bone)
    rig.bones = [("root", None)] + [(b, _parent(b, present)) for b in order[1:]]
    rig.joints["root"] = floor
    for bone, parent in rig.bones[1:]:
        rig.joints[bone] = _joint(by_bone[bone], by_bone.get(parent), drawing.size,
                                  rig.joints[parent])
    rig.parts = parts
    return rig


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if abs(x - round(x)) > 1e-9 else str(int(round(x)))


def _pair(x: float, y: float) -> str:
    return f"[{_num(x)}, {_num(y)}]"


def _width(rig: Rig) -> float:
    """Pixels across the painted parts below the hips: the contact shadow's width."""
    left = min(p.layer.x for p in rig.parts)
    right = max(p.layer.x + p.layer.rgba.shape[1] for p in rig.parts)
    return min(right - left, 0.6 * (rig.floor[1] - min(p.layer.y for p in rig.parts)))


def puppet_yaml(rig: Rig, folder: str) -> str:
    """The puppet file of `rig`, its images in `folder` (relative to the puppet file)."""
    u = rig.upp
    lines = ["# Proposed by `stopmo import` from a layered drawing: check the model sheet",
             f"# (stopmo puppets {rig.name} --sheet) and edit. Joints were guessed where parts",
             "# overlap: move a bone's `at` (stage units from its parent's joint) and the same",
             "# point in its image's `pivot` (pixels of the PNG) to fix one. Every bone's rot is",
             "# 0, so every part shows as drawn; poses turn bones from there (degrees clockwise).",
             f"puppet: {rig.name}",
             f"shadow: {_pair(round(_width(rig) * u * 0.8), 10)}",
             "", "bones:"]
    for bone, parent in rig.bones:
        if parent is None:
            lines.append(f"  - {{name: {bone}}}")
            continue
        jx, jy = rig.joints[bone]
        px, py = rig.joints[parent]
        lines.append(f"  - {{name: {bone}, parent: {parent}, at: "
                     f"{_pair((jx - px) * u, (jy - py) * u)}}}")
    lines += ["", "slots:   # back to front, as the layers were"]
    shown: dict[str, str] = {}
    for p in rig.parts:
        if p.slot in shown:
            continue
        first = p if p.face is None and p.mouth in (None, "rest") else None
        first = first or next((q for q in rig.parts if q.slot == p.slot
                               and q.face is None and q.mouth in (None, "rest")), p)
        shown[p.slot] = first.name
        face = ", face: true" if p.slot in FACE_PARTS or p.slot == "mouth" else ""
        lines.append(f"  - {{name: {p.slot}, bone: {p.bone}, attachment: {first.name}{face}}}")
    lines += ["", "attachments:"]
    for p in rig.parts:
        jx, jy = rig.joints[p.bone]
        lines.append(f"  {p.name}: {{image: {folder}/{p.name}.png, pivot: "
                     f"{_pair(jx - p.layer.x, jy - p.layer.y)}, units_per_px: {u:g}}}")
    faces: dict[str, list[Part]] = {}
    for p in rig.parts:
        if p.face:
            faces.setdefault(p.face, []).append(p)
    if faces:
        lines += ["", "faces:"]
        for face, ps in faces.items():
            lines.append(f"  {face}: {{{', '.join(f'{p.slot}: {p.name}' for p in ps)}}}")
    mouths = {p.mouth: p.name for p in rig.parts if p.mouth}
    if mouths:
        rest = mouths.get("rest") or next(iter(mouths.values()))
        shapes = [f"rest: {rest}"] + [f"{k}: {v}" for k, v in mouths.items() if k != "rest"]
        lines += ["", f"mouths: {{slot: mouth, shapes: {{{', '.join(shapes)}}}}}"]
    legs = [b for b, _ in rig.bones if re.fullmatch(r"leg_\w+", b)]
    if legs:
        lines += ["", "# one-piece legs swing from the hip as the walk cycle turns them",
                  f"legs: [{', '.join(f'[{b}]' for b in legs)}]"]
    return "\n".join(lines) + "\n"


def write_puppet(drawing: Drawing, target: Path, height: float = DEFAULT_HEIGHT,
                 force: bool = False) -> Rig:
    """Write `target` (puppets/NAME.yaml) and its parts as PNGs in puppets/NAME/."""
    name = target.stem
    if target.suffix != ".yaml" or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise OutputError(f"a puppet file named like puppets/NAME.yaml (NAME in lower case "
                          f"letters, digits and _), got {target.name!r}")
    if target.exists() and not force:
        raise OutputError(f"{target.name} exists: the import would replace your edits",
                          hint="choose another name, or pass --force")
    rig = propose(drawing, name, height)
    folder = target.parent / name
    folder.mkdir(parents=True, exist_ok=True)
    for p in rig.parts:
        save_png(folder / f"{p.name}.png", p.layer.rgba)
    text = puppet_yaml(rig, name)
    tmp = target.with_suffix(".yaml.partial")
    try:
        tmp.write_text(text)
        tmp.replace(target)
    except OSError as exc:
        raise OutputError(f"cannot write {target.name}: {exc.strerror or exc}") from None
    return rig
