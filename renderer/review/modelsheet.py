"""`stopmo puppets`: the cast listed, and model sheets that show each puppet the way an animator
pins one above the bench — turnaround, skins, expressions, mouth shapes and the pose library.

A sheet is drawn with the renderer's own parts: poses through `stage.puppet_matrices`, attachments
chosen by `stage.slot_attachments`, sprites from `sprites.attachment_sprite`, blitted by
`blit.blit`, and laid out by `sheet.contact_sheet`. Every cell of one sheet shares a cell width;
the figure rows share one scale and one floor line, so proportions compare across poses.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from renderer.compose.blit import blit
from renderer.compose.paintings import Paintings
from renderer.compose.text import font, printable, wrap
from renderer.errors import LimitError, PuppetError, StopmoError
from renderer.load.project import Project
from renderer.load.yamlsrc import load_yaml
from renderer.model.puppet import PuppetDef
from renderer.model.vocab import MOUTH_SHAPES
from renderer.output.files import save_png
from renderer.paint.paintcache import PaintStore
from renderer.paint.sprites import paint_scale
from renderer.review.contactsheet import BACKGROUND, TITLE, contact_sheet
from renderer.stage import rig
from renderer.stage.grip import grip_offset, offset_text
from renderer.stage.pose import placement_matrix, puppet_matrices, slot_attachments

CELL = 220                  # default cell width, pixels
MIN_CELL, MAX_CELL = 64, 1024
MAX_COLS = 10               # cells per row before a row wraps (into rows of even length)
PAD = 0.07                  # margin around a figure, fraction of the cell width
MAX_ASPECT = 2.6            # a cell is at most this many cell widths tall (very tall puppets)
MIN_ASPECT = 0.55           # ... and at least this tall (long, low quadrupeds)
CLOSE_ASPECT = 1.3          # close-ups (faces, mouths) at most this tall
PROBE = 0.25                # px per unit of the quick paintings that measure a figure's extent
MAX_SCALE = 6.0             # px per unit at most: a thimble-sized prop is not painted poster-size
SOLID = 48                  # alpha (of 255) that counts as the figure: faint glows may spill out
PAPER = np.array((228, 221, 206), float)      # warm paper backdrop
PAPER_TOP = np.array((214, 207, 193), float)  # a little darker up top, as under a studio light
FLOOR = np.array((196, 186, 168), float)      # the table top the puppet stands on
FLOOR_LINE = (122, 110, 94)
GRIP_MARK = (176, 24, 32)                     # the grip cross and its offset: sealing-wax red
GRIP_HALO = (246, 240, 228)
CLOSE_UPS = ("turns", "expressions", "mouths")   # rows drawn as head-and-shoulders close-ups


@dataclass(frozen=True)
class Figure:
    """One drawing of a puppet: a full pose (n_bones, 4) with skin, face, mouth and facing."""

    label: str
    pose: np.ndarray
    skin: str = "real"
    face: str = "neutral"
    mouth: str | None = None
    facing: int = 1
    turn: str | None = None


# --- posing and drawing --------------------------------------------------------------------------

def full_pose(puppet: PuppetDef, name: str) -> np.ndarray:
    """A named pose with the bones it leaves alone at the setup pose: (n_bones, 4)."""
    pose = puppet.poses[name]
    return np.where(np.isnan(pose), puppet.poses["stand"], pose)


def figure_matrices(puppet: PuppetDef, fig: Figure) -> np.ndarray:
    """(n_slots, 3, 3) bone-local units to puppet space (root at the origin, facing applied)."""
    world = puppet_matrices(puppet, fig.pose)
    bone_of = np.array([s.bone for s in puppet.slots])
    return placement_matrix(0.0, 0.0, fig.facing, 1.0, 0.0) @ world[bone_of]


def figure_attachments(puppet: PuppetDef, fig: Figure) -> tuple[str | None, ...]:
    return slot_attachments(puppet, fig.skin, fig.face, fig.mouth, False, fig.turn)


def _sprite_matrix(sprite) -> np.ndarray:
    """Sprite pixels to bone-local units."""
    return rig.scale(1 / sprite.scale) @ rig.translate(-sprite.origin[0], -sprite.origin[1])


def slot_bounds(puppet: PuppetDef, fig: Figure, slots=None,
                paintings: Paintings | None = None) -> np.ndarray | None:
    """(x0, y0, x1, y1) in puppet units of what the figure paints (of `slots` indices only, if
    given), measured on quick low-resolution paintings (kept in `paintings`, the sheet's own);
    None if it paints nothing."""
    paintings = Paintings() if paintings is None else paintings
    pts = []
    for i, (att, m) in enumerate(zip(figure_attachments(puppet, fig), figure_matrices(puppet, fig))):
        if att is None or (slots is not None and i not in slots):
            continue
        sprite = paintings.attachment(puppet, att, PROBE)
        solid = sprite.rgba[..., 3] >= SOLID
        rows, cols = np.flatnonzero(solid.any(axis=1)), np.flatnonzero(solid.any(axis=0))
        if len(rows) == 0:
            continue
        x0, x1, y0, y1 = cols[0], cols[-1] + 1, rows[0], rows[-1] + 1
        corners = np.array([[x0, x1, x0, x1], [y0, y0, y1, y1], [1, 1, 1, 1]], float)
        pts.append((m @ _sprite_matrix(sprite) @ corners)[:2].T)
    if not pts:
        return None
    allp = np.concatenate(pts)
    return np.concatenate([allp.min(axis=0), allp.max(axis=0)])


def draw_figure(canvas: np.ndarray, puppet: PuppetDef, fig: Figure, view: np.ndarray,
                px_per_unit: float, shadow: bool = True,
                paintings: Paintings | None = None) -> None:
    """Draw `fig` into `canvas` (H, W, 3) uint8 through `view` (puppet units to canvas pixels,
    `px_per_unit` pixels per unit), with its contact shadow under the root; its paintings are
    kept in `paintings` (the sheet's)."""
    paintings = Paintings() if paintings is None else paintings
    sw, sh = puppet.shadow
    if shadow and sw > 0 and sh > 0:
        sprite = paintings.shadow(sw, sh, paint_scale(px_per_unit))
        blit(canvas, sprite.rgba, view @ _sprite_matrix(sprite))
    scale = paint_scale(px_per_unit)
    for att, m in zip(figure_attachments(puppet, fig), figure_matrices(puppet, fig)):
        if att is not None:
            sprite = paintings.attachment(puppet, att, scale)
            blit(canvas, sprite.rgba, view @ m @ _sprite_matrix(sprite))


def backdrop(width: int, height: int, floor_y: float | None) -> np.ndarray:
    """(height, width, 3) uint8 paper, shaded top to bottom, with a table top from `floor_y` px
    down and a drawn line where it meets the wall (None: no floor, as in a close-up)."""
    t = np.linspace(0.0, 1.0, height)[:, None, None]
    img = PAPER_TOP + (PAPER - PAPER_TOP) * t
    img = np.broadcast_to(img, (height, width, 3)).copy()
    if floor_y is not None:
        fy = int(round(floor_y))
        img[fy:] = FLOOR
        img[max(0, fy - 1):fy + 1] = FLOOR_LINE
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)


# --- the sheet -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Layout:
    """Where figures go in a cell: `scale` px per unit, the floor (root) `floor_y` px from the
    top, and the cell size."""

    width: int
    height: int
    scale: float
    floor_y: float


def figure_layout(bounds: list[np.ndarray], width: int) -> Layout:
    """One scale and floor line for every figure cell, so all the figures fit at one size."""
    b = np.array(bounds)
    span_w = float((b[:, 2] - b[:, 0]).max())
    up, down = float(max(-b[:, 1].min(), 1.0)), float(max(b[:, 3].max(), 0.0))
    inner = width * (1 - 2 * PAD)
    scale = min(inner / max(span_w, 1.0), MAX_SCALE)
    if (up + down) * scale > width * MAX_ASPECT - 2 * PAD * width:
        scale = (width * MAX_ASPECT - 2 * PAD * width) / (up + down)
    height = max(round((up + down) * scale + 2 * PAD * width), round(width * MIN_ASPECT))
    floor_y = (height - (up + down) * scale) / 2 + up * scale
    return Layout(width, height, scale, floor_y)


def figure_cell(puppet: PuppetDef, fig: Figure, lay: Layout, bounds: np.ndarray,
                mark_grip_point: bool = False, paintings: Paintings | None = None) -> np.ndarray:
    """One figure standing on the floor line, centred in its cell by its own extent; with
    `mark_grip_point`, its grip marked (`mark_grip`) with its offset from the root."""
    img = backdrop(lay.width, lay.height, lay.floor_y)
    cx = lay.width / 2 - lay.scale * (bounds[0] + bounds[2]) / 2
    view = rig.translate(cx, lay.floor_y) @ rig.scale(lay.scale)
    draw_figure(img, puppet, fig, view, lay.scale, paintings=paintings)
    offset = grip_offset(puppet, fig.pose) if mark_grip_point else None
    if offset is not None:
        mirrored = (offset[0] * fig.facing, offset[1])    # the offset of this facing
        x, y, _ = view @ np.array([mirrored[0], mirrored[1], 1.0])
        img = mark_grip(img, x, y, offset_text(mirrored), lay.width)
    return img


def mark_grip(img: np.ndarray, x: float, y: float, label: str, width: int) -> np.ndarray:
    """`img` with a small cross at (x, y) px and `label` beside it: where the hand holds props.
    Drawn dark on a light halo, so it shows on the paper and on a dark sleeve alike."""
    arm = max(3.0, width / 40)
    fnt = font(max(9, round(width / 18)))
    canvas = Image.fromarray(img)
    draw = ImageDraw.Draw(canvas)
    for colour, thick in ((GRIP_HALO, 4), (GRIP_MARK, 2)):
        draw.line([(x - arm, y), (x + arm, y)], fill=colour, width=thick)
        draw.line([(x, y - arm), (x, y + arm)], fill=colour, width=thick)
    # beside the cross, on the side with room (a hand reaching right has its label on the left)
    right = x + arm + 2 + fnt.getlength(label) <= width
    anchor, tx = ("lm", x + arm + 2) if right else ("rm", x - arm - 2)
    draw.text((tx, y), label, font=fnt, fill=GRIP_MARK, anchor=anchor,
              stroke_width=2, stroke_fill=GRIP_HALO)
    return np.asarray(canvas, dtype=np.uint8).copy()


def face_slots(puppet: PuppetDef) -> set[int]:
    """Indices of the slots on the bones that carry the face (face parts or the mouth)."""
    bones = {s.bone for s in puppet.slots if s.face or s.name == puppet.mouth_slot}
    return {i for i, s in enumerate(puppet.slots) if s.bone in bones}


def close_up_cells(puppet: PuppetDef, figs: list[Figure], width: int,
                   paintings: Paintings | None = None) -> list[np.ndarray]:
    """Head-and-shoulders views of `figs`, framed on the face bones, all at one scale."""
    paintings = Paintings() if paintings is None else paintings
    slots = face_slots(puppet)
    boxes = [b for b in (slot_bounds(puppet, f, slots, paintings) for f in figs) if b is not None]
    if not boxes:
        return []
    b = np.array(boxes)
    x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    inner = width * (1 - 2 * PAD)
    scale = min(inner / max(x1 - x0, 1.0), MAX_SCALE)
    height = round((y1 - y0) * scale + 2 * PAD * width)
    if height > width * CLOSE_ASPECT:
        height = round(width * CLOSE_ASPECT)
        scale = (height - 2 * PAD * width) / max(y1 - y0, 1.0)
    view = rig.translate(width / 2, height / 2) @ rig.scale(scale) \
        @ rig.translate(-(x0 + x1) / 2, -(y0 + y1) / 2)
    cells = []
    for f in figs:
        img = backdrop(width, height, None)
        draw_figure(img, puppet, f, view, scale, shadow=False, paintings=paintings)
        cells.append(img)
    return cells


def sheet_figures(puppet: PuppetDef, paintings: Paintings | None = None) -> dict[str, list[Figure]]:
    """The drawings of a model sheet by row: facing right and left and every other skin, the
    expressions, the mouth shapes, and every pose (those of a cycle marked with its name)."""
    stand = full_pose(puppet, "stand")
    box = slot_bounds(puppet, Figure("", stand), paintings=paintings)
    tall = f" · {box[3] - box[1]:.0f} units tall" if box is not None else ""   # compare sheets
    rows = {"views, skins": [Figure("facing right" + tall, stand),
                             Figure("facing left", stand, facing=-1)]
            + [Figure(f"skin {s!r}", stand, skin=s) for s in puppet.skins if s != "real"]}
    if puppet.turns:   # each replacement head: as it is, in another skin (buttons), speaking
        skin = next((s for s in puppet.skins if s != "real"), "real")
        rows["turns"] = [Figure(f"{t} · {label}", stand, skin=sk, mouth=mo, turn=t)
                         for t in puppet.turns for label, sk, mo in
                         (("neutral", "real", None), (f"skin {skin}", skin, None), ("mouth A", "real", "A"))]
    if len(puppet.faces) > 1 and face_slots(puppet):
        rows["expressions"] = [Figure(f, stand, face=f) for f in puppet.faces]
    if puppet.mouth_slot is not None:
        rows["mouths"] = [Figure(f"mouth {m}", stand, mouth=m) for m in MOUTH_SHAPES
                          if m in puppet.mouths]
    if len(puppet.poses) == 1:   # a prop that only stands: the views show it already
        return rows
    in_cycle = {}
    for c, cy in puppet.cycles.items():
        for k in cy.keys:
            in_cycle.setdefault(k, c)
    rows["poses"] = [Figure(f"{p} · {in_cycle[p]}" if p in in_cycle else p, full_pose(puppet, p))
                     for p in puppet.poses]
    return rows


def figure_cells(puppet: PuppetDef, figs: list[Figure], width: int,
                 mark_grips: bool = False, paintings: Paintings | None = None) -> list[np.ndarray]:
    """Cells `width` px wide of whole figures, all at one scale on one floor line; with
    `mark_grips`, each with its grip point marked."""
    paintings = Paintings() if paintings is None else paintings
    bounds = [slot_bounds(puppet, f, paintings=paintings) for f in figs]
    known = [b for b in bounds if b is not None] or [np.array([-1.0, -1.0, 1.0, 0.0])]
    lay = figure_layout(known, width)
    return [figure_cell(puppet, f, lay, b if b is not None else known[0], mark_grips, paintings)
            for f, b in zip(figs, bounds)]


def model_sheet(puppet: PuppetDef, width: int = CELL, description: str = "",
                store: PaintStore | None = None) -> np.ndarray:
    """The model sheet of `puppet`: (H, W, 3) uint8 RGB, cells `width` px wide, rows wrapping
    more than MAX_COLS cells into rows of even length; painted through the paint cache `store`,
    each painting once for the whole sheet."""
    if not MIN_CELL <= width <= MAX_CELL:
        raise LimitError(f"a sheet cell is {MIN_CELL}..{MAX_CELL} px wide, got {width}")
    paintings = Paintings(store)
    rows = sheet_figures(puppet, paintings)
    whole = [f for name, fs in rows.items() if name not in CLOSE_UPS for f in fs]
    drawn = dict(zip(map(id, whole), figure_cells(puppet, whole, width, True, paintings)))
    out: list[tuple[str, list[tuple[str, np.ndarray]]]] = []
    for name, fs in rows.items():
        cells = close_up_cells(puppet, fs, width, paintings) if name in CLOSE_UPS \
            else [drawn[id(f)] for f in fs]
        labelled = [(f.label, c) for f, c in zip(fs, cells)]
        if not labelled:
            continue
        per_row = -(-len(labelled) // -(-len(labelled) // MAX_COLS))   # 11 cells: 6 + 5
        for k in range(0, len(labelled), per_row):
            out.append((name if k == 0 else "", labelled[k:k + per_row]))
    title = f"{puppet.title} ({puppet.name})" + (f" — {description}" if description else "")
    return with_header(contact_sheet(out, thumb_width=width), title, width)


def with_header(sheet: np.ndarray, title: str, width: int) -> np.ndarray:
    """`sheet` under its title, word-wrapped to the sheet's width (a narrow prop sheet keeps its
    whole description), in the contact sheet's colours and at its title size."""
    unit = width / 320.0
    gap, fnt = max(4, round(12 * unit)), font(max(12, round(26 * unit)))
    lines = wrap(printable(title), fnt, sheet.shape[1] - 2 * gap)
    step = sum(fnt.getmetrics())
    header = Image.new("RGB", (sheet.shape[1], gap + step * len(lines)), BACKGROUND)
    draw = ImageDraw.Draw(header)
    for i, line in enumerate(lines):
        draw.text((gap, gap + i * step), line, font=fnt, fill=TITLE, anchor="la")
    return np.concatenate([np.asarray(header, dtype=np.uint8), sheet])


def description_of(puppet: PuppetDef) -> str:
    """The puppet file's `description:` (not kept by the loader: it is for people, not the rig)."""
    try:
        node = load_yaml(puppet.path, PuppetError).value
    except StopmoError:
        return ""
    d = node.get("description") if isinstance(node, dict) else None
    return d.value if d is not None and isinstance(d.value, str) else ""


def write_sheet(puppet: PuppetDef, target: Path, width: int = CELL,
                store: PaintStore | None = None) -> Path:
    """Render and save (atomically) the model sheet of `puppet` to `target` (a .png)."""
    save_png(target, model_sheet(puppet, width, description_of(puppet), store))
    return target


def write_all(project: Project, folder: Path, width: int = CELL, report=print) -> int:
    """A sheet per puppet as `folder`/NAME.png and per prop as `folder`/props/NAME.png.

    A puppet whose file does not load is reported (located) and skipped; the others are still
    drawn. Returns the exit code: 0, or 2 if any file was broken.
    """
    failed = 0
    for sub, names, load in (("", project.puppet_names, project.puppet),
                             ("props", project.prop_names, project.prop)):
        if not names:
            continue
        out = folder / sub if sub else folder
        out.mkdir(parents=True, exist_ok=True)
        for name in names:
            try:
                report(write_sheet(load(name), out / f"{name}.png", width, project.store))
            except PuppetError as exc:
                failed += 1
                print(f"stopmo: {exc.format()}", file=sys.stderr)
    return 2 if failed else 0
