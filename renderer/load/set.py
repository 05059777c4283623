"""Set definitions: painted multiplane layers at depths, loaded from `scenes/sets/NAME.yaml`.

A layer's shapes are in stage units with the stage's top-left as origin. `depth` is the layer's
distance relative to the puppet plane (1.0): 4.0 is a far backdrop that barely moves when the camera
pans, 0.7 a foreground piece that moves more than the puppets and passes in front of them.

`floor` is the stage y where the puppets' feet go (their `at` y): information for people and
previews (`stopmo set`), never used to draw. A set that does not give it follows the project's
convention, FLOOR_Y.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from renderer.errors import LimitError, PuppetError
from renderer.load.fields import Field
from renderer.load.shapes import COORD, read_prim
from renderer.load.yamlsrc import load_yaml
from renderer.model.set import (
    LIGHT_DEFAULTS,
    LIGHT_KINDS,
    SURFACE_KINDS,
    Layer,
    Light,
    SetDef,
    Surface,
)
from renderer.paint.sprites import covered
from renderer.settings import MAX_SET_SHAPE_STAGES, MAX_SET_SHAPES, STAGE_H, STAGE_W

SET_FIELDS = ("set", "description", "layers", "dof", "floor", "surfaces", "lights", "ambient",
              "wall")
SET_REQUIRED = ("set", "layers")
LAYER_FIELDS = ("name", "depth", "extent", "background", "shapes")
LAYER_REQUIRED = ("name", "depth")
SURFACE_FIELDS = ("name", "kind", "x", "y", "depth", "base")
SURFACE_REQUIRED = ("name", "x", "y")
MAX_SURFACES = 64
LIGHT_FIELDS = ("kind", "at", "z", "color", "strength", "softness", "reach", "flicker", "window",
                "swing", "period", "wander")
MAX_SWING = 1000.0   # stage units a light may swing or wander from where it hangs
LIGHT_REQUIRED = ("kind", "at", "color")
DEFAULT_MARGIN = 0.15  # of the stage size on every side: room for camera moves and shake


def _check_painting_work(f: Field, layers: list[Layer]) -> None:
    """Refuse a set whose shapes are too many, or cover too much, to paint in seconds."""
    count, stage, stages = 0, STAGE_W * STAGE_H, 0.0
    for item, layer in zip(f.list(), layers):
        count += len(layer.shapes)
        stages += covered(layer.shapes)[1] / stage
        where = item.mapping(LAYER_FIELDS)["shapes"] if layer.shapes else item
        if count > MAX_SET_SHAPES:
            raise LimitError(f"the set has more than {MAX_SET_SHAPES} shapes (this layer brings "
                             f"it to {count}); the limit is {MAX_SET_SHAPES} shapes per set",
                             where.loc, where.path,
                             hint="merge shapes, or split the set into several")
        if stages > MAX_SET_SHAPE_STAGES:
            raise LimitError(f"the set's shapes cover {stages:.0f} stages of area (the sum of "
                             f"their boxes, 1920x1080 units each); the limit is "
                             f"{MAX_SET_SHAPE_STAGES} per set", where.loc, where.path,
                             hint="use a layer's background for large fills, or fewer and "
                                  "smaller shapes")


def load_set(path: Path, display: str | None = None) -> SetDef:
    raw = path.read_bytes() if path.is_file() else b""
    m = Field(load_yaml(path, PuppetError, display=display), "", PuppetError).mapping(
        SET_FIELDS, required=SET_REQUIRED)
    name = m["set"].str()
    if name != path.stem:
        m["set"].fail(f"the file's name {path.stem!r}", repr(name), hint="a set is named by its file")
    layers = []
    seen = set()
    for item in m["layers"].list(min_len=1, max_len=32):
        lm = item.mapping(LAYER_FIELDS, required=LAYER_REQUIRED)
        lname = lm["name"].str()
        if lname in seen:
            lm["name"].fail("a layer name not used before", repr(lname))
        seen.add(lname)
        mx, my = STAGE_W * DEFAULT_MARGIN, STAGE_H * DEFAULT_MARGIN
        extent = (-mx, -my, STAGE_W + mx, STAGE_H + my)
        if "extent" in lm:
            ext = [v.number(-COORD, COORD) for v in lm["extent"].list(min_len=4, max_len=4)]
            if ext[2] - ext[0] < 1 or ext[3] - ext[1] < 1:
                lm["extent"].fail("[x0, y0, x1, y1] with x1 > x0 and y1 > y0", str(ext))
            extent = tuple(ext)
        shapes = tuple(read_prim(p) for p in lm["shapes"].list(max_len=2000)) if "shapes" in lm else ()
        layers.append(Layer(lname, lm["depth"].number(0.2, 100),
                            extent, lm["background"].color() if "background" in lm else None,
                            shapes))
    _check_painting_work(m["layers"], layers)
    layers.sort(key=lambda layer: -layer.depth)
    lights = tuple(read_light(item) for item in m["lights"].list(max_len=8)) \
        if "lights" in m else ()
    return SetDef(name, path, hashlib.sha256(raw).hexdigest(),
                  m["description"].str() if "description" in m else "",
                  tuple(layers), m["dof"].number(0, 10) if "dof" in m else 1.0,
                  m["floor"].number(0, STAGE_H) if "floor" in m else None,
                  read_surfaces(m["surfaces"]) if "surfaces" in m else (),
                  lights, m["ambient"].number(0, 2) if "ambient" in m else 0.55,
                  m["wall"].number(0, STAGE_H) if "wall" in m else None)


def read_surfaces(f: Field) -> tuple[Surface, ...]:
    """`surfaces: [{name: bed, kind: seat, x: [x0, x1], y: 862}, ...]`: flat tops at heights."""
    out: list[Surface] = []
    for item in f.list(max_len=MAX_SURFACES):
        sm = item.mapping(SURFACE_FIELDS, required=SURFACE_REQUIRED)
        name = sm["name"].str()
        if any(s.name == name for s in out):
            sm["name"].fail("a surface name not used before", repr(name))
        x0, x1 = sm["x"].vec2(-COORD, COORD)
        if x1 <= x0:
            sm["x"].fail("[x0, x1] with x1 > x0", f"[{x0:g}, {x1:g}]")
        out.append(Surface(name, sm["kind"].choice(SURFACE_KINDS) if "kind" in sm else "seat",
                           x0, x1, sm["y"].number(-COORD, COORD),
                           sm["depth"].number(0, COORD) if "depth" in sm else 0.0,
                           sm["base"].number(-COORD, COORD) if "base" in sm else None))
    return tuple(out)


def read_light(item: Field) -> Light:
    """One item of a set's `lights`, with its kind's defaults for what it does not say."""
    lm = item.mapping(LIGHT_FIELDS, required=LIGHT_REQUIRED)
    kind = lm["kind"].choice(LIGHT_KINDS)
    z, strength, softness, reach = LIGHT_DEFAULTS[kind]
    window = None
    if "window" in lm:
        w = [v.number(-COORD, COORD) for v in lm["window"].list(min_len=4, max_len=4)]
        if w[2] - w[0] < 1 or w[3] - w[1] < 1:
            lm["window"].fail("[x0, y0, x1, y1] with x1 > x0 and y1 > y0", str(w))
        window = tuple(w)
    return Light(kind, lm["at"].vec2(-COORD, COORD),
                 lm["z"].number(-4000, 4000) if "z" in lm else z, lm["color"].color(),
                 lm["strength"].number(0, 4) if "strength" in lm else strength,
                 lm["softness"].number(0, 1) if "softness" in lm else softness,
                 lm["reach"].number(10, 8000) if "reach" in lm else reach,
                 lm["flicker"].number(0, 1) if "flicker" in lm else 0.0, window,
                 lm["swing"].vec2(-MAX_SWING, MAX_SWING) if "swing" in lm else (0.0, 0.0),
                 lm["period"].number(0.1, 120) if "period" in lm else 2.0,
                 lm["wander"].number(0, MAX_SWING) if "wander" in lm else 0.0)
