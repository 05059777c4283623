"""Puppet definitions: the immutable setup data of a rig, loaded from `puppets/NAME.yaml`.

Like the Spine runtime's `SkeletonData`, a `PuppetDef` is shared and never mutated: posing produces
arrays. Props are puppets too (usually one bone), loaded from `puppets/props/NAME.yaml`.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from renderer.errors import PuppetError, did_you_mean
from renderer.load.fields import Field, Mapping
from renderer.load.heads import Sculpt, is_sculpt, read_sculpt, sculpted_heads, turned_face
from renderer.load.riding import behind_the_ear, turned_part
from renderer.load.set import read_surfaces
from renderer.load.shapes import COORD, read_art
from renderer.load.yamlsrc import load_yaml
from renderer.model.art import Art, ImageArt
from renderer.model.puppet import Bone, Cycle, PuppetDef, Skin, Slot
from renderer.model.vocab import BASE_TURN, MOUTH_SHAPES, TURNS

# How much a part boils, by the material it is made of: felt and yarn are handled (and shift) more
# than vinyl or resin. Relative to the puppet's base amplitude.
BOIL_BY_MATERIAL = {"yarn": 1.5, "felt": 1.3, "knit": 1.2, "fabric": 1.1, "clay": 1.0,
                    "paper": 1.0, "plain": 0.9, "wood": 0.6, "vinyl": 0.7, "button": 0.8,
                    "resin": 0.5, "metal": 0.5, "glass": 0.5, "glow": 1.0, "wallpaper": 1.0}
FACE_BOIL = 1.6  # replacement faces are swapped by hand every exposure and never sit identically


PUPPET_FIELDS = ("puppet", "title", "description", "bones", "slots", "attachments", "skins",
                 "faces", "mouths", "poses", "cycles", "shadow", "boil", "grip", "legs",
                 "handle", "surfaces")
PUPPET_REQUIRED = ("puppet", "bones", "slots", "attachments")
BONE_FIELDS = ("name", "parent", "at", "rot", "scale", "length")
BONE_REQUIRED = ("name",)
SLOT_FIELDS = ("name", "bone", "attachment", "face", "boil", "turn")
# How a slot's parts follow a sculpted head's turn: placed as the face parts are, moved as the
# skull turns (hair, hats, clips), or shown as drawn on every turn.
SLOT_TURNS = ("face", "skull", "fixed")
SLOT_REQUIRED = ("name", "bone")
SKIN_FIELDS = ("slots", "swap")
MOUTH_FIELDS = ("slot", "shapes")
MOUTH_REQUIRED = ("slot", "shapes")
MOUTH_SHAPES_REQUIRED = ("rest",)
POSE_BONE_FIELDS = ("rot", "at", "scale")   # or just a number: the rotation
CYCLE_FIELDS = ("period", "keys")
CYCLE_REQUIRED = ("period", "keys")
GRIP_FIELDS = ("bone", "at")
GRIP_REQUIRED = ("bone",)
MAX_GRIPS = 2       # hands that hold: the main one first
MAX_LEG_BONES = 3


def load_puppet(path: Path, display: str | None = None) -> PuppetDef:
    raw = path.read_bytes() if path.is_file() else b""
    root = Field(load_yaml(path, PuppetError, display=display), "", PuppetError)
    m = root.mapping(PUPPET_FIELDS, required=PUPPET_REQUIRED)
    name = m["puppet"].str()
    if name != path.stem:
        m["puppet"].fail(f"the file's name {path.stem!r}", repr(name),
                         hint="a puppet is named by its file")
    bones = _read_bones(m["bones"])
    bone_names = [b.name for b in bones]
    attachments: dict[str, Art] = {}
    sculpts: dict[str, Sculpt] = {}
    for k, f in m["attachments"].dict().items():
        if is_sculpt(f):
            sculpts[k] = read_sculpt(f)
            attachments[k] = sculpted_heads(sculpts[k])[BASE_TURN]
        else:
            attachments[k] = read_art(f, path.parent)
    att_names = sorted(attachments)
    slots, slot_turns = _read_slots(m["slots"], bone_names, attachments)
    slot_names = [s.name for s in slots]
    skins = {"real": Skin()}
    if "skins" in m:
        for skin_name, f in m["skins"].dict().items():
            skins[skin_name] = _read_skin(f, slot_names, att_names)
    faces: dict[str, dict[str, str | None]] = {"neutral": {}}
    if "faces" in m:
        for face, f in m["faces"].dict().items():
            faces[face] = {slot: _att_or_none(v, att_names)
                           for slot, v in _named(f, slot_names, "slot")}
    mouth_slot, mouths = None, {}
    if "mouths" in m:
        mm = m["mouths"].mapping(MOUTH_FIELDS, required=MOUTH_REQUIRED)
        mouth_slot = mm["slot"].name(slot_names, "slot")
        shapes = mm["shapes"].mapping(MOUTH_SHAPES, required=MOUTH_SHAPES_REQUIRED)
        mouths = {k: _att_or_none(v, att_names) for k, v in shapes.items()}
    skin_heads: dict[str, str] = {}
    if sculpts:
        skin_heads = _add_turns(attachments, sculpts, slots, skins, faces, mouth_slot, mouths,
                                slot_turns)
    poses = {"stand": np.zeros((len(bones), 4)) + [0, 0, 0, 1]}
    if "poses" in m:
        for pose_name, f in m["poses"].dict().items():
            poses[pose_name] = _read_pose(f, bone_names)
    cycles = {}
    if "cycles" in m:
        for cyc, f in m["cycles"].dict().items():
            cm = f.mapping(CYCLE_FIELDS, required=CYCLE_REQUIRED)
            keys = tuple(k.name(sorted(poses), "pose") for k in cm["keys"].list(min_len=2, max_len=32))
            cycles[cyc] = Cycle(cm["period"].number(0.05, 60, lo_open=True), keys)
    shadow = m["shadow"].vec2(0, 4000) if "shadow" in m else (0.0, 0.0)
    boil = m["boil"].number(0, 20) if "boil" in m else 0.8
    title = m["title"].str() if "title" in m else name.replace("_", " ").title()
    grips: tuple = ()
    if "grip" in m:     # one hand, or a list of hands (the main one first)
        items = m["grip"].list(min_len=1, max_len=MAX_GRIPS) if m["grip"].is_list() else [m["grip"]]
        grips = tuple(_read_point(g, bone_names) for g in items)
    handle = _read_point(m["handle"], bone_names) if "handle" in m else None
    legs = _read_legs(m["legs"], bones) if "legs" in m else None
    return PuppetDef(name, path, hashlib.sha256(raw).hexdigest(), tuple(bones), tuple(slots),
                     attachments, skins, faces, mouth_slot, mouths, poses, cycles, shadow, boil,
                     title, grips[0] if grips else None, legs, grips, handle,
                     read_surfaces(m["surfaces"]) if "surfaces" in m else (),
                     TURNS if sculpts else (), skin_heads)


def _add_turns(attachments: dict[str, Art], sculpts: dict[str, Sculpt], slots: list[Slot],
               skins: dict[str, Skin], faces: dict, mouth_slot: str | None, mouths: dict,
               slot_turns: dict[str, str]) -> dict[str, str]:
    """Every sculpted head carved on each turn, and every part the other slots on its bone can
    show moved onto it (by the sculpt a slot shows by default, else the first): the face slots'
    parts placed as the face turns, the rest (hair, hats, clips) as the skull turns; `A@TURN`
    beside each `A`. A part drawn by hand under that name is kept. A skin that shows another
    sculpted head gets the parts placed on that head too, as `A@HEAD@TURN` (unless `A@TURN` was
    drawn by hand). Returns those skins' heads (skin -> head)."""
    drawn = set(attachments)
    mode = _slot_turn_modes(slots, sculpts, skins, mouth_slot, slot_turns)
    default = next((s.attachment for s in slots if s.attachment in sculpts), next(iter(sculpts)))
    geometry = sculpts[default]
    for name, sculpt in sculpts.items():
        for turn, shapes in sculpted_heads(sculpt).items():
            if turn != BASE_TURN:
                attachments.setdefault(f"{name}@{turn}", shapes)
    shown = {kind: _shown_by({n for n, k in mode.items() if k == kind}, slots, skins, faces,
                             mouths if kind == "face" else {}) for kind in SLOT_TURNS}
    skin_heads = _skin_heads(slots, sculpts, skins, default)
    placing = (("face", turned_face), ("skull", turned_part))
    for kind, place in placing:     # a part shown both ways is placed as a face part
        for name in sorted(a for a in shown[kind] if a is not None and a not in sculpts):
            art = attachments[name]
            if not isinstance(art, tuple):   # a drawing (PNG) is shown as it is on every turn
                continue
            if kind == "skull" and name in shown["fixed"]:    # also worn where it never turns
                continue
            for turn in TURNS:
                if turn != BASE_TURN:
                    attachments.setdefault(f"{name}@{turn}", place(art, geometry, turn))
                    for head in sorted(set(skin_heads.values())):
                        if f"{name}@{turn}" not in drawn:
                            attachments.setdefault(f"{name}@{head}@{turn}",
                                                   place(art, sculpts[head], turn))
    _side_of_the_head(attachments, drawn, slots, mode, sculpts, default, skin_heads)
    return skin_heads


def _side_of_the_head(attachments: dict[str, Art], drawn: set[str], slots: list[Slot],
                      mode: dict[str, str], sculpts: dict[str, Sculpt], default: str,
                      skin_heads: dict[str, str]) -> None:
    """In profile the whole side of the skull shows: the back hair (the skull slots drawn
    behind the head) covers it behind the ear as well as showing round its edge. That part of
    it (`riding.behind_the_ear`) is worn under the front hair (the first skull slot drawn over
    the head), on the default head and on every skin's own, unless the front hair's profile
    was drawn by hand."""
    shown_head = next((i for i, s in enumerate(slots) if s.attachment in sculpts), None)
    if shown_head is None:
        return
    bone = slots[shown_head].bone
    riding = [i for i, s in enumerate(slots) if s.bone == bone and mode.get(s.name) == "skull"]
    behind = [slots[i].attachment for i in riding if i < shown_head]
    front = next((slots[i].attachment for i in riding if i > shown_head), None)
    if front is None or not behind or f"{front}@profile" in drawn:
        return
    for head in [None, *sorted(set(skin_heads.values()))]:
        on = "@profile" if head is None else f"@{head}@profile"
        worn = attachments.get(f"{front}{on}")
        if not isinstance(worn, tuple):
            continue
        side = tuple(p for b in behind if isinstance(attachments.get(f"{b}{on}"), tuple)
                     for p in behind_the_ear(attachments[f"{b}{on}"],
                                             sculpts[default if head is None else head]))
        attachments[f"{front}{on}"] = side + worn


def _skin_heads(slots: list[Slot], sculpts: dict[str, Sculpt], skins: dict[str, Skin],
                default: str) -> dict[str, str]:
    """The sculpted head each skin shows where it is not `default` (skin -> head): the Other
    Mother's thinner faces, carved round skulls of their own."""
    heads = {}
    for skin_name, sk in skins.items():
        for s in slots:
            if s.attachment in sculpts:
                chosen = sk.slots.get(s.name, s.attachment)
                head = sk.swap.get(chosen, chosen)
                if head in sculpts and head != default:
                    heads[skin_name] = head
    return heads


def _slot_turn_modes(slots: list[Slot], sculpts: dict[str, Sculpt], skins: dict[str, Skin],
                     mouth_slot: str | None, chosen: dict[str, str]) -> dict[str, str]:
    """How each slot follows the head's turn (`SLOT_TURNS`): as its `turn` says, else a face
    part (or the mouth) as the face, another slot on a sculpted head's bone as the skull, any
    other slot fixed. The slots that show the sculpted heads themselves are left out."""
    shows_head = {s.name for s in slots if s.attachment in sculpts}
    shows_head |= {slot for sk in skins.values() for slot, a in sk.slots.items() if a in sculpts}
    head_bones = {s.bone for s in slots if s.name in shows_head}
    mode = {}
    for s in slots:
        if s.name in shows_head:
            continue
        if s.name in chosen:
            mode[s.name] = chosen[s.name]
        elif s.face or s.name == mouth_slot:
            mode[s.name] = "face"
        else:
            mode[s.name] = "skull" if s.bone in head_bones else "fixed"
    return mode


def _shown_by(names: set[str], slots: list[Slot], skins: dict[str, Skin], faces: dict,
              mouths: dict) -> set[str | None]:
    """Every attachment the slots `names` can show: by default, in a face, as a mouth shape,
    in a skin, and through a skin's swaps."""
    shown = {s.attachment for s in slots if s.name in names}
    shown |= {a for expr in faces.values() for slot, a in expr.items() if slot in names}
    shown |= set(mouths.values())
    shown |= {a for sk in skins.values() for slot, a in sk.slots.items() if slot in names}
    for _ in range(4):    # a skin swaps a part for another (eyes for buttons), or twice
        shown |= {b for sk in skins.values() for a, b in sk.swap.items() if a in shown}
    return shown


def _read_point(f: Field, bone_names: list[str]) -> tuple[int, float, float]:
    """`{bone: NAME, at: [x, y]}`: a point in a bone's frame (a grip, a handle)."""
    gm = f.mapping(GRIP_FIELDS, required=GRIP_REQUIRED)
    at = gm["at"].vec2(-COORD, COORD) if "at" in gm else (0.0, 0.0)
    return bone_names.index(gm["bone"].name(bone_names, "bone")), at[0], at[1]


def _read_legs(f: Field, bones: list[Bone]) -> tuple[tuple[int, ...], ...]:
    """`legs: [[thigh_b, shin_b], ...]`: each leg a chain of 1-3 bones, each the next one's parent."""
    names = [b.name for b in bones]
    legs = []
    for leg in f.list(max_len=16):
        chain: list[int] = []
        for bf in leg.list(min_len=1, max_len=MAX_LEG_BONES):
            i = names.index(bf.name(names, "bone"))
            if chain and bones[i].parent != chain[-1]:
                bf.fail(f"a child of {names[chain[-1]]!r} (a leg runs hip to foot, parent to child)",
                        f"{names[i]!r}, a child of "
                        f"{names[bones[i].parent]!r}" if bones[i].parent >= 0 else repr(names[i]))
            chain.append(i)
        legs.append(tuple(chain))
    return tuple(legs)


def _named(f: Field, known: list[str], what: str):
    """(name, Field) pairs of a mapping whose keys must be known names (slots, bones)."""
    mapping: Mapping = f.dict()
    for key, value in mapping.items():
        if key not in known:
            value.fail(f"a {what} of this puppet", repr(key), hint=did_you_mean(key, known, what))
        yield key, value


def _att_or_none(f: Field, att_names: list[str]) -> str | None:
    return None if f.node.value is None else f.name(att_names, "attachment")


def _read_bones(f: Field) -> list[Bone]:
    bones: list[Bone] = []
    index: dict[str, int] = {}
    items = f.list(min_len=1, max_len=256)
    declared = {}
    for item in items:
        if isinstance(item.node.value, dict) and "name" in item.node.value:
            name = item.node.value["name"].value
            if isinstance(name, str):  # a malformed name is reported when its bone is read
                declared.setdefault(name, item)
    for item in items:
        m = item.mapping(BONE_FIELDS, required=BONE_REQUIRED)
        name = m["name"].str()
        if name in index:
            m["name"].fail("a bone name not used before", repr(name), hint="bone names must be unique")
        parent = -1
        if "parent" in m:
            pname = m["parent"].str()
            if pname not in index:
                if pname == name:
                    m["parent"].fail("the name of another bone", f"{pname!r}, this bone itself",
                                     hint="a bone cannot be its own parent")
                loop = _loop(declared, pname, name)
                if loop:
                    m["parent"].fail(f"a parent that is not a descendant of {name!r}", repr(pname),
                                     hint="the parents form a loop: " + " -> ".join(loop))
                if pname in declared:
                    m["parent"].fail("a bone listed before this one", repr(pname),
                                     hint="list bones parent before child")
                m["parent"].fail("an existing bone", repr(pname),
                                 hint=did_you_mean(pname, list(index), "bone"))
            parent = index[pname]
        elif bones:
            item.fail("a 'parent' field (only the first bone is the root)", "no parent")
        at = m["at"].vec2(-COORD, COORD) if "at" in m else (0.0, 0.0)
        bones.append(Bone(name, parent, at[0], at[1],
                          m["rot"].number(-3600, 3600) if "rot" in m else 0.0,
                          m["scale"].number(0.01, 100) if "scale" in m else 1.0,
                          m["length"].number(0, 4000) if "length" in m else 0.0))
        index[name] = len(bones) - 1
    return bones


def _loop(declared: dict, start: str, target: str) -> list[str]:
    """The bones from `target` back to `target` when following parent links from `start` (through
    the declared bones) reaches it: [target, start, ..., target]; else []."""
    chain, cur = [target], start
    while cur in declared and cur not in chain[1:]:
        chain.append(cur)
        node = declared[cur].node.value
        parent = node.get("parent") if isinstance(node, dict) else None
        cur = parent.value if parent is not None and isinstance(parent.value, str) else None
        if cur == target:
            return chain + [target]
    return []


def _read_slots(f: Field, bone_names: list[str],
                attachments: dict[str, Art]) -> tuple[list[Slot], dict[str, str]]:
    """The slots, and the `turn` each that says one chose (by slot name)."""
    slots: list[Slot] = []
    turns: dict[str, str] = {}
    seen: set[str] = set()
    for item in f.list(min_len=1, max_len=512):
        m = item.mapping(SLOT_FIELDS, required=SLOT_REQUIRED)
        name = m["name"].str()
        if name in seen:
            m["name"].fail("a slot name not used before", repr(name))
        seen.add(name)
        bone = bone_names.index(m["bone"].name(bone_names, "bone"))
        att = None
        if "attachment" in m and m["attachment"].node.value is not None:
            att = m["attachment"].name(sorted(attachments), "attachment")
        face = m["face"].bool() if "face" in m else False
        boil = m["boil"].number(0, 10) if "boil" in m else _material_boil(attachments.get(att))
        slots.append(Slot(name, bone, att, boil * (FACE_BOIL if face else 1.0), face))
        if "turn" in m:
            turns[name] = m["turn"].choice(SLOT_TURNS)
    return slots, turns


def _material_boil(art: Art | None) -> float:
    if art is None:
        return 1.0
    if isinstance(art, ImageArt):   # a drawing boils as the material it is drawn on, if named
        return 1.0 if art.material is None else BOIL_BY_MATERIAL.get(art.material, 1.0)
    return float(np.mean([BOIL_BY_MATERIAL.get(p.material, 1.0) for p in art]))


def _read_skin(f: Field, slot_names: list[str], att_names: list[str]) -> Skin:
    m = f.mapping(SKIN_FIELDS)
    slots = {s: _att_or_none(v, att_names) for s, v in _named(m["slots"], slot_names, "slot")} \
        if "slots" in m else {}
    swap = {}
    if "swap" in m:
        for a, v in _named(m["swap"], att_names, "attachment"):
            swap[a] = v.name(att_names, "attachment")
    return Skin(slots, swap)


def _read_pose(f: Field, bone_names: list[str]) -> np.ndarray:
    pose = np.full((len(bone_names), 4), np.nan)
    for bone, v in _named(f, bone_names, "bone"):
        i = bone_names.index(bone)
        pose[i] = (0.0, 0.0, 0.0, 1.0)
        if isinstance(v.node.value, (int, float)) and not isinstance(v.node.value, bool):
            pose[i, 0] = v.number(-3600, 3600)
            continue
        bm = v.mapping(POSE_BONE_FIELDS)
        if "rot" in bm:
            pose[i, 0] = bm["rot"].number(-3600, 3600)
        if "at" in bm:
            pose[i, 1:3] = bm["at"].vec2(-COORD, COORD)
        if "scale" in bm:
            pose[i, 3] = bm["scale"].number(0.01, 100)
    return pose


def named_part(f: Field, puppet: PuppetDef, kind: str) -> str:
    """A scene's name for one of `puppet`'s poses, faces, skins or cycles (`kind`: "pose",
    "face", "skin", "cycle"), checked against those it has, with the command listing them."""
    known = sorted(getattr(puppet, kind + "s"))
    return f.name(known, f"{kind} of {puppet.name}", f"stopmo puppets {puppet.name}")
