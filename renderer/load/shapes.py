"""Reading attachments (shape specs or PNG files) from puppet, prop and set files."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
from PIL import Image

from renderer.errors import LimitError, PuppetError
from renderer.load import defcache
from renderer.load.fields import Field
from renderer.model.art import FLIPS, PIVOTS, Art, ImageArt, Prim
from renderer.model.vocab import GRADIENTS, MATERIALS, SHAPES
from renderer.settings import MAX_IMAGE_PIXELS

PRIM_FIELDS = ("shape", "at", "size", "rot", "radius", "points", "width", "smooth", "color",
               "color2", "gradient", "opacity", "material", "stitch", "outline")
PRIM_REQUIRED = ("shape",)
IMAGE_FIELDS = ("image", "pivot", "units_per_px", "at", "rot", "scale", "flip", "material",
                "redraw")
MAX_REDRAW = 8
IMAGE_REQUIRED = ("image",)
COORD = 20000.0  # stage units: far beyond any set, small enough to catch typos like 1e9
SIZE = 10000.0


def read_prim(f: Field) -> Prim:
    m = f.mapping(PRIM_FIELDS, required=PRIM_REQUIRED)
    shape = m["shape"].choice(SHAPES)
    kw: dict = {"shape": shape}
    if "at" in m:
        kw["at"] = m["at"].vec2(-COORD, COORD)
    if "size" in m:
        kw["size"] = m["size"].vec2(0, SIZE)
    if "rot" in m:
        kw["rot"] = m["rot"].number(-3600, 3600)
    if "radius" in m:
        kw["radius"] = m["radius"].number(0, SIZE)
    if "points" in m:
        pts = m["points"].list(min_len=2, max_len=400)
        kw["points"] = tuple(p.vec2(-COORD, COORD) for p in pts)
    elif shape in ("capsule", "polygon", "line"):
        m["points"]  # raises "missing field 'points'"
    if shape == "polygon" and len(kw["points"]) < 3:
        m["points"].fail("at least 3 points for a polygon", f"{len(kw['points'])} points")
    if "width" in m:
        w = m["width"]
        kw["width"] = w.vec2(0, SIZE) if isinstance(w.node.value, list) else (w.number(0, SIZE),) * 2
    if "smooth" in m:
        kw["smooth"] = m["smooth"].bool()
    if "color" in m:
        kw["color"] = m["color"].color()
    if "color2" in m:
        kw["color2"] = m["color2"].color()
    if "gradient" in m:
        kw["gradient"] = m["gradient"].choice(GRADIENTS)
    if "opacity" in m:
        kw["opacity"] = m["opacity"].number(0, 1)
    if "material" in m:
        kw["material"] = m["material"].name(sorted(MATERIALS), "material")
    if "stitch" in m:
        kw["stitch"] = m["stitch"].bool()
    if "outline" in m:
        kw["outline"] = m["outline"].number(0, 100)
    return Prim(**kw)


def read_art(f: Field, root: Path) -> Art:
    """An attachment: one shape, a list of shapes painted in order, or `{image: file.png, ...}`."""
    if isinstance(f.node.value, list):
        return tuple(read_prim(p) for p in f.list(min_len=1, max_len=200))
    if isinstance(f.node.value, dict) and "image" in f.node.value:
        return read_image(f, root)
    return (read_prim(f),)


def read_image(f: Field, root: Path) -> ImageArt:
    """`{image: part.png, pivot: top, rot: 90, ...}`: a PNG placed on its bone."""
    m = f.mapping(IMAGE_FIELDS, required=IMAGE_REQUIRED)
    path = safe_path(m["image"], root)
    pivot: tuple[float, float] | str | None = None
    if "pivot" in m:
        pf = m["pivot"]
        pivot = pf.choice(tuple(PIVOTS)) if isinstance(pf.node.value, str) else \
            pf.vec2(-COORD, COORD)
    kw: dict = {}
    if "units_per_px" in m:
        kw["units_per_px"] = m["units_per_px"].number(0.01, 100, lo_open=True)
    if "at" in m:
        kw["at"] = m["at"].vec2(-COORD, COORD)
    if "rot" in m:
        kw["rot"] = m["rot"].number(-3600, 3600)
    if "scale" in m:
        sf = m["scale"]
        kw["scale"] = sf.vec2(0.01, 100) if isinstance(sf.node.value, list) else \
            (sf.number(0.01, 100),) * 2
    if "flip" in m:
        ff = m["flip"]
        if isinstance(ff.node.value, bool):
            kw["flip"] = "x" if ff.bool() else "none"
        else:
            kw["flip"] = ff.choice(FLIPS)
    if "material" in m:
        kw["material"] = m["material"].name(sorted(MATERIALS), "material")
    if "redraw" in m:
        kw["redraw"] = m["redraw"].int(1, MAX_REDRAW)
    return load_image(path, m["image"], pivot, kw.pop("units_per_px", 1.0), **kw)


def safe_path(f: Field, root: Path) -> Path:
    """A relative path inside `root` (the puppet's or set's folder), symlinks resolved."""
    text = f.str()
    if os.path.isabs(text) or text.startswith("~"):
        f.fail("a path relative to the project folder", repr(text),
               hint="absolute paths are not allowed")
    if "\0" in text or len(text) > 1024:
        f.fail("a file name", "a name with a NUL byte" if "\0" in text else "a name that long")
    inside = f"a path inside {root.name}/"
    base = os.path.abspath(root)
    if not Path(os.path.normpath(os.path.join(base, text))).is_relative_to(base):
        f.fail(inside, repr(text), hint="asset paths must stay inside the project's folders")
    try:
        resolved = (root / text).resolve()
        if not resolved.is_relative_to(root.resolve()):
            f.fail(inside, repr(text),
                   hint=f"it is a link to a file outside the project's {root.name}/ folder")
        is_file = resolved.is_file()
    except OSError as err:
        f.fail("a readable image file", repr(text), hint=err.strerror or "")
    except RuntimeError:        # Python before 3.13 reports a symlink loop so
        f.fail("an existing image file", repr(text), hint="it is a link that loops back to itself")
    if not is_file:
        if resolved.is_dir():
            f.fail("an image file", f"{text!r}, a folder")
        if resolved.exists():   # only regular files are opened: a FIFO would block the render
            f.fail("an image file", f"{text!r}, which is not a regular file (a FIFO or device?)")
        f.fail("an existing image file", repr(text))
    return resolved


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_OTHER_FORMATS = ((b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
                  (b"BM", "a BMP image"), (b"RIFF", "a RIFF (WebP?) file"),
                  (b"II*\0", "a TIFF image"), (b"MM\0*", "a TIFF image"),
                  (b"<svg", "an SVG drawing"), (b"<?xml", "an XML file"))


def _kind_of_file(head: bytes) -> str:
    """What the first bytes of a file that is not a PNG look like, for "found ..."."""
    if not head:
        return "an empty file"
    for magic, kind in _OTHER_FORMATS:
        if head.startswith(magic):
            return kind
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return "a file that is not an image"
    return "a text file" if text.isprintable() or text.strip().isprintable() else \
        "a file that is not an image"


def png_size(path: Path, f: Field) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's header, read without decoding anything."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(24)
    except OSError as err:
        f.fail("a readable image file", repr(f.node.value), hint=err.strerror or "")
    if not head.startswith(PNG_SIGNATURE):
        f.fail("a PNG image", _kind_of_file(head))
    if len(head) < 24 or head[12:16] != b"IHDR":
        f.fail("a PNG image", "a damaged PNG file (no IHDR header)")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _eight_bit(im: Image.Image) -> Image.Image:
    """A 16-bit greyscale PNG (Pillow's "I;16" or "I" modes) as 8-bit grey: Pillow's own
    conversion clips its 0..65535 levels at 255, and mid-grey rendered white."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        levels = np.asarray(im, dtype=np.uint32)
        return Image.fromarray(((np.minimum(levels, 65535) + 128) // 257).astype(np.uint8))
    return im


def load_image(path: Path, f: Field, pivot: tuple[float, float] | str | None, upp: float,
               **placing) -> ImageArt:
    """Decode a PNG into premultiplied RGBA, refusing before decoding one larger than the limit.
    `pivot`: a pixel, a name of `PIVOTS` (on the box around the painted pixels) or None (the
    image's centre); `placing`: the other fields of `ImageArt` (at, rot, scale, flip...)."""
    w, h = png_size(path, f)
    if w * h > MAX_IMAGE_PIXELS or not (w and h):
        side = int(MAX_IMAGE_PIXELS ** 0.5)
        if not (w and h):
            f.fail("a PNG image", f"a PNG of {w}x{h} pixels")
        raise LimitError(f"image is {w}x{h} pixels; the limit is {MAX_IMAGE_PIXELS} pixels "
                         f"({side}x{side})", f.loc, f.path,
                         hint="scale the image down: a puppet part needs far fewer pixels")
    defcache.referenced(path)
    try:
        with Image.open(path, formats=["PNG"]) as im:
            im.load()
            rgba = np.asarray(_eight_bit(im).convert("RGBA"), dtype=np.uint16)
    except (OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        why = str(exc).replace(str(path), path.name)  # no machine paths in a message
        raise PuppetError(f"cannot read image {f.node.value!r}: {why}", f.loc, f.path) from None
    premul = rgba.copy()
    premul[..., :3] = (rgba[..., :3] * rgba[..., 3:4] + 127) // 255
    pixels = np.ascontiguousarray(premul.astype(np.uint8))
    if pivot is None:
        centre = (w / 2, h / 2)
    elif isinstance(pivot, str):
        painted = pixels[..., 3] > 0
        rows, cols = np.flatnonzero(painted.any(axis=1)), np.flatnonzero(painted.any(axis=0))
        if len(rows) == 0:
            f.fail("an image with something painted in it", "a fully transparent PNG")
        fx, fy = PIVOTS[pivot]
        centre = (cols[0] + fx * (cols[-1] + 1 - cols[0]), rows[0] + fy * (rows[-1] + 1 - rows[0]))
    else:
        centre = pivot
    digest = hashlib.sha256(pixels.tobytes()).hexdigest()
    return ImageArt(pixels, (float(centre[0]), float(centre[1])), upp, digest=digest, **placing)
