"""`stopmo set`: the sets listed, and a set previewed for placing puppets and props in it.

A set sheet shows the whole stage (1920x1080 units) as the compositor draws it at zoom 1, with a
grid of stage units, the floor line (where the puppets' `at` y goes) and where the scenes that use
the set stand their cast; a key of the layers (name, depth, in front of the puppets or behind,
extent, shapes); and each layer alone. The picture is `composite.compose` with an empty cast, so
it is exactly what a shot with a still camera shows behind (and in front of) its puppets, before
the world's colour grade and the post effects.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from renderer.compose.blit import blit
from renderer.compose.composite import compose, placed_layers
from renderer.compose.paintings import Paintings
from renderer.compose.text import font, printable, wrap
from renderer.errors import LimitError, SceneError, StopmoError, did_you_mean
from renderer.load.project import Project
from renderer.load.scene import load_scene
from renderer.load.set import load_set
from renderer.model.scene import CameraKey
from renderer.model.set import FLOOR_Y, SetDef
from renderer.output.files import check_png_target, save_png
from renderer.paint.paintcache import PaintStore
from renderer.review.contactsheet import (
    BACKGROUND,
    LABEL,
    ROW_LABEL,
    TITLE,
    contact_sheet,
)
from renderer.settings import STAGE_H, STAGE_W, RenderSettings
from renderer.stage.pose import StageState

WIDTH = 1280                  # default width of the stage picture, pixels
MIN_WIDTH, MAX_WIDTH = 320, 3840
GRID_STEP = 100               # stage units between grid lines
GRID_COLOUR = (255, 255, 255)
GRID_ALPHA = 0.22             # faint: the set must stay readable under it
GRID_MAJOR_ALPHA = 0.42       # the labelled lines, every LABEL_STEP
FLOOR_COLOUR = (255, 196, 40)  # the floor line: a bright tape mark, as on a real stage floor
FEET_COLOUR = (90, 220, 255)   # where the scenes stand their cast
INK = (20, 18, 22)             # halo under labels drawn on the picture
THUMBS_PER_ROW = 5
CHECKER = ((150, 150, 150), (110, 110, 110))   # what shows through a layer's transparent parts


@dataclass(frozen=True)
class SetSheet:
    """A drawn set sheet: `image` (H, W, 3) uint8 RGB, and where the stage picture sits in it:
    stage point (x, y) is pixel (left + x * scale, top + y * scale)."""

    image: np.ndarray
    left: int
    top: int
    scale: float


# --- finding and listing -------------------------------------------------------------------------

def resolve(project: Project, name: str) -> SetDef:
    """A set by name (scenes/sets/NAME.yaml), or a set file by path."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return load_set(path, display=project.display(path))
    if name not in project.set_names:
        raise SceneError(f"no set {name!r} in scenes/sets/",
                         hint=did_you_mean(name, project.set_names, "set", "stopmo set"))
    return project.set(name)


def floor_text(set_def: SetDef) -> str:
    """The floor as a listing states it, and where the number comes from."""
    where = "the set's floor" if set_def.floor is not None else \
        f"the set gives no floor: the project's convention, {FLOOR_Y:g}"
    return f"y = {set_def.floor_y:g} ({where})"


def place_text(depth: float) -> str:
    return "in front of the puppets" if depth < 1.0 else "behind the puppets"


def describe(set_def: SetDef, stood: Counter | None = None) -> list[str]:
    """Lines naming a set's floor and its layers back to front (name, depth, in front or
    behind, extent, shape count); with `stood`, where the scenes stand their cast (`feet_of`)."""
    lines = [f"  {set_def.name:<24} {set_def.description}",
             f"    floor   {floor_text(set_def)}: a puppet's `at` is [x, {set_def.floor_y:g}]"]
    if stood:
        ys = ", ".join(f"{y:g} ({n}x)" for y, n in sorted(stood.items(), key=lambda k: -k[1]))
        lines.append(f"    scenes  stand their cast at y = {ys}")
    lines.append("    layers  back to front (depth 1 is the puppets' plane; below 1 passes in "
                 "front of them):")
    for layer in set_def.layers:
        x0, y0, x1, y1 = layer.extent
        lines.append(f"      {layer.name:<16} depth {layer.depth:<5g} {place_text(layer.depth):<24}"
                     f" extent [{x0:g}, {y0:g}, {x1:g}, {y1:g}]  {len(layer.shapes)} shapes")
    return lines


def set_listing(project: Project) -> tuple[list[str], list[str]]:
    """(lines of the listing, messages of the set files that do not load)."""
    lines, errors = ["sets:" if project.set_names else "sets: none"], []
    for name in project.set_names:
        try:
            s = project.set(name)
        except StopmoError as exc:
            lines.append(f"  {name:<24} (invalid, see below)")
            errors.append(exc.format())
            continue
        lines.append(f"  {name:<24} {len(s.layers)} layers, floor y = {s.floor_y:g}  "
                     f"{s.description}")
    return lines, errors


def feet_of(project: Project, set_name: str) -> list[tuple[float, float]]:
    """Where the scenes that use the set stand their cast at the start of a shot (stage units):
    the cast's `at`, props left out. Scenes that do not load are skipped (`stopmo validate`
    reports them)."""
    feet = []
    for path in project.scene_paths():
        try:
            scene = load_scene(path, project)
        except StopmoError:
            continue
        for shot in scene.shots:
            if shot.set.name == set_name:
                feet += [p.at for p in shot.cast.values() if not p.is_prop]
    return feet


# --- drawing -------------------------------------------------------------------------------------

def stage_picture(set_def: SetDef, width: int, store: PaintStore | None = None) -> np.ndarray:
    """The set as a still camera at zoom 1 shows it, no one on stage: (H, W, 3) uint8, ungraded.
    store: the paint cache its layers are read back from and kept in."""
    settings = RenderSettings().with_size(width)
    state = StageState(CameraKey(), (), (), 1.0, 0, {}, 0.0)
    return compose(set_def, state, settings, None, Paintings(store))


def layer_alone(set_def: SetDef, index: int, width: int,
                store: PaintStore | None = None) -> np.ndarray:
    """Layer `index` of `set_def` alone over a checkerboard, as the camera at zoom 1 places it."""
    settings = RenderSettings().with_size(width)
    cell = max(4, width // 24)
    yy, xx = np.mgrid[:settings.height, :settings.width]
    img = np.where(((yy // cell + xx // cell) % 2 == 0)[..., None], CHECKER[0], CHECKER[1])
    img = np.ascontiguousarray(img, dtype=np.uint8)
    p = placed_layers(set_def, CameraKey(), settings, None, Paintings(store))[index]
    blit(img, p.sprite.rgba, p.place)
    return img


def label_step(scale: float) -> int:
    """Stage units between grid labels: every 100 when the picture has room, else 200."""
    return 100 if scale >= 0.9 else 200


def _text(draw: ImageDraw.ImageDraw, xy, text: str, fnt, fill, anchor: str = "la") -> None:
    draw.text(xy, printable(text), font=fnt, fill=fill, anchor=anchor, stroke_width=2,
              stroke_fill=INK)


def overlay(picture: np.ndarray, set_def: SetDef, feet: list[tuple[float, float]]) -> np.ndarray:
    """`picture` (the whole stage) with the stage-unit grid, the floor line and the cast's feet."""
    h, w = picture.shape[:2]
    scale = w / STAGE_W
    step = label_step(scale)
    img = picture.astype(np.float32)
    for v in range(GRID_STEP, STAGE_W, GRID_STEP):        # blended, so the set shows through
        a = GRID_MAJOR_ALPHA if v % step == 0 else GRID_ALPHA
        x = int(round(v * scale))
        img[:, x] += (np.array(GRID_COLOUR) - img[:, x]) * a
    for v in range(GRID_STEP, STAGE_H, GRID_STEP):
        a = GRID_MAJOR_ALPHA if v % step == 0 else GRID_ALPHA
        y = int(round(v * scale))
        img[y] += (np.array(GRID_COLOUR) - img[y]) * a
    canvas = Image.fromarray(np.clip(img + 0.5, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(canvas)
    fnt = font(max(11, round(15 * scale * 1.5)))
    for v in range(step, STAGE_W, step):
        _text(draw, (v * scale + 3, 3), str(v), fnt, GRID_COLOUR)
    for v in range(step, STAGE_H, step):
        _text(draw, (3, v * scale - 2), str(v), fnt, GRID_COLOUR, "ld")
    fy = set_def.floor_y * scale
    thick = max(2, round(3 * scale))
    draw.line([(0, fy), (w, fy)], fill=INK, width=thick + 2)
    draw.line([(0, fy), (w, fy)], fill=FLOOR_COLOUR, width=thick)
    _text(draw, (w - 6, fy - thick - 2), f"floor y = {set_def.floor_y:g}: puppets' at "
          f"[x, {set_def.floor_y:g}]", font(max(12, round(18 * scale * 1.5))), FLOOR_COLOUR, "rd")
    r = max(3, round(7 * scale))
    for x, y in feet:                                     # a ring where each cast member stood
        cx, cy = x * scale, y * scale
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=INK, width=3)
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=FEET_COLOUR, width=1)
    return np.asarray(canvas, dtype=np.uint8).copy()


def key_panel(set_def: SetDef, feet: list[tuple[float, float]], width: int) -> np.ndarray:
    """The key under the picture: floor, feet, and every layer back to front with the puppets'
    plane between the layers behind and those in front."""
    unit = width / 1280
    fnt, bold = font(max(12, round(18 * unit))), font(max(13, round(21 * unit)))
    step, gap = sum(fnt.getmetrics()) + max(2, round(4 * unit)), max(8, round(16 * unit))
    rows: list[tuple[str | list[str], tuple, object]] = [
        (f"floor: {floor_text(set_def)}", FLOOR_COLOUR, bold)]
    if feet:
        ys = Counter(round(y) for _, y in feet)
        rows.append(("rings: where the scenes using this set stand their cast (y = "
                     + ", ".join(f"{y} x{n}" for y, n in ys.most_common()) + ")", FEET_COLOUR, fnt))
    every = label_step(width / STAGE_W)
    rows.append((f"grid: every {GRID_STEP} stage units, labelled every {every}"
                 f"; origin top-left, y down", LABEL, fnt))
    rows.append(("layers, back to front:", ROW_LABEL, bold))
    behind_done = False
    for layer in set_def.layers:
        if layer.depth < 1.0 and not behind_done:
            rows.append(("  ---- the puppets (depth 1) ----", FLOOR_COLOUR, fnt))
            behind_done = True
        x0, y0, x1, y1 = layer.extent
        rows.append(([layer.name, f"depth {layer.depth:g}", place_text(layer.depth),
                      f"extent [{x0:g}, {y0:g}, {x1:g}, {y1:g}]", f"{len(layer.shapes)} shapes"],
                     TITLE, fnt))
    if not behind_done:
        rows.append(("  ---- the puppets (depth 1): in front of every layer ----", FLOOR_COLOUR,
                     fnt))
    # a layer's row is a list of cells, aligned in columns as wide as their widest cell
    cells = [r[0] for r in rows if isinstance(r[0], list)]
    widths = [max(fnt.getlength(c[k]) for c in cells) + gap for k in range(len(cells[0]))] \
        if cells else []
    panel = Image.new("RGB", (width, gap * 2 + step * len(rows)), BACKGROUND)
    draw = ImageDraw.Draw(panel)
    for i, (text, colour, f) in enumerate(rows):
        y = gap + i * step
        if isinstance(text, str):
            draw.text((gap, y), printable(text), font=f, fill=colour, anchor="la")
            continue
        x = gap * 2
        for cell, w in zip(text, widths):
            draw.text((x, y), printable(cell), font=f, fill=colour, anchor="la")
            x += w
    return np.asarray(panel, dtype=np.uint8)


def header(title: str, width: int) -> np.ndarray:
    """`title` over the sheet's width, word-wrapped (a set's description can be long)."""
    unit = width / 1280
    fnt, gap = font(max(14, round(26 * unit))), max(8, round(14 * unit))
    lines = wrap(printable(title), fnt, width - 2 * gap)
    step = sum(fnt.getmetrics())
    panel = Image.new("RGB", (width, gap * 2 + step * len(lines)), BACKGROUND)
    draw = ImageDraw.Draw(panel)
    for i, line in enumerate(lines):
        draw.text((gap, gap + i * step), line, font=fnt, fill=TITLE, anchor="la")
    return np.asarray(panel, dtype=np.uint8)


def set_sheet(set_def: SetDef, width: int = WIDTH,
              feet: list[tuple[float, float]] = (), store: PaintStore | None = None) -> SetSheet:
    """The sheet of `set_def` with a stage picture `width` px wide (`feet`: stage points where
    the scenes stand their cast, drawn as rings), painted through the paint cache `store`."""
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise LimitError(f"--width {width}: expected a stage picture {MIN_WIDTH}..{MAX_WIDTH} px "
                         f"wide")
    width -= width % 2
    picture = overlay(stage_picture(set_def, width, store), set_def, list(feet))
    thumb = (width - 2 * max(4, round(12 * width / 1280))) // THUMBS_PER_ROW
    thumb = max(16, thumb - round(thumb * 0.08))
    layers = [(f"{layer.name} · depth {layer.depth:g}" + (" · front" if layer.depth < 1 else ""),
               layer_alone(set_def, i, max(64, thumb) + max(64, thumb) % 2, store))
              for i, layer in enumerate(set_def.layers)]
    rows = [("", layers[k:k + THUMBS_PER_ROW]) for k in range(0, len(layers), THUMBS_PER_ROW)]
    strip = contact_sheet(rows, thumb_width=thumb)
    head = header(f"set {set_def.name} — {set_def.description}", width)
    parts = [head, picture, key_panel(set_def, list(feet), width), strip]
    full = max(p.shape[1] for p in parts)
    sheet = np.concatenate([_padded(p, full) for p in parts])
    return SetSheet(sheet, 0, head.shape[0], width / STAGE_W)


def _padded(part: np.ndarray, width: int) -> np.ndarray:
    if part.shape[1] == width:
        return part
    out = np.empty((part.shape[0], width, 3), np.uint8)
    out[:] = BACKGROUND
    out[:, :part.shape[1]] = part
    return out


def write_set_sheet(project: Project, set_def: SetDef, target: Path, width: int = WIDTH) -> Path:
    """Draw and save (atomically) the sheet of `set_def` to `target` (a .png)."""
    check_png_target(target)        # refuse a bad -o before the painting, not after
    sheet = set_sheet(set_def, width, feet_of(project, set_def.name), project.store)
    save_png(target, sheet.image)
    return target

