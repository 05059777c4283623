"""Draw the paper doll of the tutorial: each part cut from coloured paper with scissors (a
slightly uneven edge and a white margin), pencilled and inked, saved as one layer each of an
OpenRaster file (what Krita, GIMP or MyPaint save), as an artist would hand it over.

    python examples/paper_doll/draw_parts.py examples/paper_doll/paper_doll.ora

Needs only numpy and Pillow. The same seed draws the same doll.
"""
from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

W, H = 220, 420      # the canvas, pixels; the floor is near the bottom
SS = 4               # drawn 4x larger, then shrunk: smooth edges
rng = np.random.default_rng(7)


def cut(points: list[tuple[float, float]], jag: float = 0.9) -> list[tuple[float, float]]:
    """A scissor cut along a closed outline: short straight snips, each a little off the line."""
    out = []
    pts = points + points[:1]
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        n = max(1, int(np.hypot(x1 - x0, y1 - y0) / 7))
        for k in range(n):
            t = k / n
            out.append((x0 + (x1 - x0) * t + rng.normal(0, jag),
                        y0 + (y1 - y0) * t + rng.normal(0, jag)))
    return out


def ellipse(cx, cy, rx, ry, n=40):
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in np.linspace(0, 2 * np.pi, n,
                                                                           endpoint=False)]


def capsule(x, y0, y1, r, n=12):
    """A vertical bar with round ends, centred on x from y0 to y1."""
    top = [(x + r * np.cos(a), y0 + r * np.sin(a)) for a in np.linspace(np.pi, 2 * np.pi, n)]
    bot = [(x + r * np.cos(a), y1 + r * np.sin(a)) for a in np.linspace(0, np.pi, n)]
    return top + bot


class Sheet:
    """One layer being drawn at SS times its size."""

    def __init__(self):
        self.rgba = Image.new("RGBA", (W * SS, H * SS), (0, 0, 0, 0))
        self.draw = ImageDraw.Draw(self.rgba)

    def paper(self, outline, colour, margin=2.2, ink=(52, 40, 36)):
        """A piece of coloured paper cut along `outline`, on white paper cut a margin wider."""
        big = [(x * SS, y * SS) for x, y in cut(outline)]
        white = Image.new("L", self.rgba.size, 0)
        ImageDraw.Draw(white).polygon(big, fill=255)
        white = white.filter(ImageFilter.MaxFilter(int(margin * SS) | 1))
        self.rgba.paste((250, 246, 236, 255), mask=white)
        self.draw.polygon(big, fill=(*colour, 255))
        self.draw.line(big + big[:1], fill=(*ink, 255), width=int(0.9 * SS), joint="curve")

    def line(self, pts, colour=(44, 34, 30), width=1.1):
        self.draw.line([(x * SS, y * SS) for x, y in pts], fill=(*colour, 255),
                       width=max(1, int(width * SS)), joint="curve")

    def dot(self, x, y, r, colour):
        self.draw.ellipse([(x - r) * SS, (y - r) * SS, (x + r) * SS, (y + r) * SS],
                          fill=(*colour, 255))

    def shape(self, outline, colour):
        self.draw.polygon([(x * SS, y * SS) for x, y in cut(outline, 0.4)], fill=(*colour, 255))

    def done(self) -> Image.Image:
        im = self.rgba.resize((W, H), Image.LANCZOS)
        a = np.asarray(im).astype(np.float32)
        fibres = rng.normal(1.0, 0.035, (H, W, 1)) * np.linspace(0.97, 1.02, W)[None, :, None]
        a[..., :3] = np.clip(a[..., :3] * fibres, 0, 255) * (a[..., 3:] > 0)   # clear: small
        return Image.fromarray(a.astype(np.uint8))


RED, DOTS, SKIN, HAIR, SHOE, SOCK = (196, 58, 52), (246, 226, 200), (240, 196, 164), \
    (92, 58, 40), (40, 36, 44), (236, 232, 222)


def torso() -> Image.Image:
    s = Sheet()
    s.paper([(96, 100), (124, 100), (124, 110), (142, 116), (150, 134), (162, 250), (58, 250),
             (70, 134), (78, 116), (96, 110)], RED)
    for y in range(138, 246, 18):
        for x in range(72 + (y // 18 % 2) * 9, 156, 18):
            if 64 + (y - 130) * 0.1 < x < 156 - (y - 130) * 0.05:
                s.dot(x, y, 2.4, DOTS)
    s.shape([(98, 116), (122, 116), (118, 128), (110, 132), (102, 128)], DOTS)   # a collar
    s.line([(62, 242), (158, 242)], (150, 40, 36), 1.0)                          # the hem
    return s.done()


def head() -> Image.Image:
    s = Sheet()
    s.paper(ellipse(110, 66, 36, 40) + [], SKIN)
    s.shape([(110 + 38 * np.cos(a), 62 + 40 * np.sin(a)) for a in np.linspace(np.pi * 0.95,
             np.pi * 2.05, 24)] + [(142, 56), (124, 44), (106, 52), (86, 46), (76, 60)], HAIR)
    s.dot(84, 80, 5, (236, 150, 140))    # cheeks
    s.dot(136, 80, 5, (236, 150, 140))
    return s.done()


def eyes(happy: bool) -> Image.Image:
    s = Sheet()
    for x in (97, 123):
        if happy:
            s.line([(x - 5, 71), (x - 2, 67), (x + 2, 67), (x + 5, 71)], width=1.5)
        else:
            s.dot(x, 69, 4, (30, 26, 30))
            s.dot(x + 1.4, 67.6, 1.2, (250, 250, 250))
    return s.done()


def mouth(shape: str) -> Image.Image:
    s = Sheet()
    if shape == "rest":
        s.line([(102, 88), (106, 91), (114, 91), (118, 88)], (150, 40, 50), 1.4)
    elif shape == "A":
        s.shape(ellipse(110, 91, 7, 5, 16), (110, 30, 40))
        s.dot(110, 93, 2.6, (220, 110, 110))
    else:   # O
        s.shape(ellipse(110, 91, 4, 4.5, 14), (110, 30, 40))
    return s.done()


def arm(x: float) -> Image.Image:
    s = Sheet()
    s.paper(capsule(x, 116, 218, 10.5), SKIN)
    s.shape(capsule(x, 116, 150, 10.8)[:12] + [(x + 10.8, 150), (x - 10.8, 150)], RED)
    s.line([(x - 10, 150), (x + 10, 150)], (150, 40, 36), 0.9)
    s.line([(x - 4, 222), (x - 2, 226)], (170, 120, 100), 0.8)   # the thumb's crease
    return s.done()


def leg(x: float) -> Image.Image:
    s = Sheet()
    s.paper([(x - 11, 236), (x + 11, 236), (x + 10, 382), (x + 24, 386), (x + 26, 400),
             (x - 12, 400), (x - 11, 382)], SKIN)
    s.shape([(x - 11, 330), (x + 11, 330), (x + 10, 382), (x - 11, 382)], SOCK)
    s.shape([(x - 12, 380), (x + 10, 378), (x + 24, 386), (x + 26, 400), (x - 12, 400)], SHOE)
    s.line([(x - 10, 336), (x + 10, 336)], (200, 190, 180), 1.0)
    return s.done()


def layers() -> list[tuple[str, Image.Image]]:
    """Back to front, as the drawing's layer stack shows them from the bottom up."""
    return [("arm_b", arm(78)), ("leg_b", leg(98)), ("leg_f", leg(122)), ("torso", torso()),
            ("head", head()), ("eyes", eyes(False)), ("eyes_happy", eyes(True)),
            ("mouth_rest", mouth("rest")), ("mouth_A", mouth("A")), ("mouth_O", mouth("O")),
            ("arm_f", arm(142))]


def write_ora(target: Path) -> None:
    """An OpenRaster file: mimetype first (stored), stack.xml (topmost layer first), the
    layers as PNGs, and the merged picture."""
    stack = layers()
    hidden = {"eyes_happy", "mouth_A", "mouth_O"}   # alternative faces: hidden, as drawn
    merged = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    with zipfile.ZipFile(target, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "image/openraster")
        entries = []
        for i, (name, im) in enumerate(stack):
            buf = io.BytesIO()
            im.save(buf, "PNG", optimize=True)
            z.writestr(f"data/{i:02d}_{name}.png", buf.getvalue(), zipfile.ZIP_DEFLATED)
            vis = "hidden" if name in hidden else "visible"
            entries.append(f'  <layer name="{name}" src="data/{i:02d}_{name}.png" x="0" y="0" '
                           f'visibility="{vis}"/>')
            if name not in hidden:
                merged.alpha_composite(im)
        xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<image version="0.0.5" w="{W}" '
               f'h="{H}">\n <stack>\n' + "\n".join(reversed(entries)) + "\n </stack>\n</image>\n")
        z.writestr("stack.xml", xml, zipfile.ZIP_DEFLATED)
        buf = io.BytesIO()
        merged.save(buf, "PNG", optimize=True)
        z.writestr("mergedimage.png", buf.getvalue(), zipfile.ZIP_DEFLATED)


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("paper_doll.ora")
    write_ora(out)
    print(out)
