"""The reference's picture of how a drawing sits on its bone, drawn by the renderer itself.

`python -m renderer.review.pictures` writes docs/images/image-on-bone.png: four parts drawn
upright, as an artist draws them, on a rig written in the Spine habit (bones along their x axis,
so limbs point down with `rot: 90`, the body up with `rot: -90`), first without any image `rot`
(every part lies along its bone: sideways), then with each image given its bone's rest angle as
`rot` (the doll stands as drawn). Nothing is drawn by hand: the panels are the model sheet's own
figures, so the picture cannot disagree with what the renderer does.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from renderer.compose.typeface import font
from renderer.load.puppet import load_puppet
from renderer.review.contactsheet import BACKGROUND, LABEL, TITLE
from renderer.review.modelsheet import Figure, backdrop, draw_figure, slot_bounds

PICTURE = Path("docs") / "images" / "image-on-bone.png"
PART_SIZE = (60, 120)
PARTS = {   # name: (box in the picture, colour): each drawn upright, taller than wide
    "torso": ((10, 10, 49, 109), (200, 60, 50)),
    "head": ((15, 60, 44, 109), (240, 200, 170)),
    "arm": ((25, 10, 34, 99), (240, 200, 170)),
    "leg": ((24, 10, 35, 109), (60, 60, 90)),
}
RIG = """
puppet: doll
bones:
  - {{name: root}}
  - {{name: hips, parent: root, at: [0, -100], rot: -90}}
  - {{name: head, parent: hips, at: [100, 0], length: 50}}
  - {{name: arm, parent: hips, at: [90, 20], rot: 180, length: 90}}
  - {{name: leg, parent: root, at: [0, -100], rot: 90, length: 100}}
slots:
  - {{name: leg, bone: leg, attachment: leg}}
  - {{name: torso, bone: hips, attachment: torso}}
  - {{name: head, bone: head, attachment: head}}
  - {{name: arm, bone: arm, attachment: arm}}
attachments:
  torso: {{image: torso.png, pivot: bottom{up}}}
  head: {{image: head.png, pivot: bottom{up}}}
  arm: {{image: arm.png, pivot: top{down}}}
  leg: {{image: leg.png, pivot: top{down}}}
"""
PANEL = 300          # px, each panel's width and height
PX_PER_UNIT = 1.0


def _parts(folder: Path) -> None:
    for name, (box, colour) in PARTS.items():
        im = Image.new("RGBA", PART_SIZE, (0, 0, 0, 0))
        ImageDraw.Draw(im).rectangle(box, fill=(*colour, 255), outline=(30, 26, 24, 255), width=2)
        im.save(folder / f"{name}.png")


def _doll(folder: Path, with_rot: bool):
    rots = dict(up=", rot: -90", down=", rot: 90") if with_rot else dict(up="", down="")
    path = folder / ("doll.yaml" if with_rot else "doll_plain.yaml")
    path.write_text(RIG.format(**rots).replace("puppet: doll", f"puppet: {path.stem}"))
    return load_puppet(path)


def _figure_panel(puppet) -> np.ndarray:
    fig = Figure("rest", puppet.poses["stand"])
    canvas = backdrop(PANEL, PANEL, None)
    bounds = slot_bounds(puppet, fig)
    cx = (bounds[0] + bounds[2]) / 2
    cy = (bounds[1] + bounds[3]) / 2
    view = np.array([[PX_PER_UNIT, 0, PANEL / 2 - cx * PX_PER_UNIT],
                     [0, PX_PER_UNIT, PANEL / 2 - cy * PX_PER_UNIT], [0, 0, 1.0]])
    draw_figure(canvas, puppet, fig, view, PX_PER_UNIT, shadow=False)
    return canvas


def _parts_panel(folder: Path) -> np.ndarray:
    canvas = Image.fromarray(backdrop(PANEL, PANEL, None))
    for i, name in enumerate(PARTS):
        part = Image.open(folder / f"{name}.png")
        canvas.paste(part, (12 + i * 72, (PANEL - PART_SIZE[1]) // 2), part)
    return np.asarray(canvas)


def picture() -> np.ndarray:
    """The picture: three labelled panels, (H, W, 3) uint8."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _parts(folder)
        panels = [("1. The parts, drawn upright", _parts_panel(folder)),
                  ("2. On bones along x, no rot", _figure_panel(_doll(folder, False))),
                  ("3. Each image: rot = its bone's", _figure_panel(_doll(folder, True)))]
    gap, head, foot = 16, 40, 46
    out = Image.new("RGB", (gap + len(panels) * (PANEL + gap), head + PANEL + foot), BACKGROUND)
    draw = ImageDraw.Draw(out)
    label = font(15)
    for i, (text, panel) in enumerate(panels):
        x = gap + i * (PANEL + gap)
        out.paste(Image.fromarray(panel), (x, head))
        draw.text((x, head - 10), text, font=label, fill=TITLE, anchor="ls")
    draw.text((gap, head + PANEL + 28), "rot: the direction its bone runs in the picture, degrees "
              "clockwise from the picture's x axis (90: down the picture, -90: up)",
              font=font(13), fill=LABEL, anchor="ls")
    return np.asarray(out).copy()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m renderer.review.pictures",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[2],
                        help="the repository folder (default: the one this module is in)")
    args = parser.parse_args(argv)
    target = args.root / PICTURE
    target.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(picture()).save(target, optimize=True)
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
