"""Layered drawings read for `stopmo import`: OpenRaster (.ora, from Krita, GIMP or MyPaint),
Photoshop (.psd, through the optional `psd-tools`), or a folder of PNGs with a `layout.yaml`.

Each comes out as a `Drawing`: the canvas size and its layers back to front, each a name and
straight RGBA pixels cropped to what is painted, with the canvas position of its top-left pixel.
Every failure is a `PuppetError` naming the file (and, in a layout file, its line and field).
"""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from renderer.errors import LimitError, Location, PuppetError
from renderer.load.fields import Field
from renderer.load.shapes import COORD, png_size, safe_path
from renderer.load.yamlsrc import load_yaml
from renderer.settings import MAX_IMAGE_PIXELS

MAX_DRAWING_BYTES = 256 * 1024 ** 2   # a layered file: many full-canvas layers, compressed
MAX_LAYERS = 200
LAYOUT = "layout.yaml"
LAYOUT_FIELDS = ("size", "layers")
LAYOUT_LAYER_FIELDS = ("name", "file", "at")
KINDS = (".ora", ".psd")


@dataclass(frozen=True)
class Layer:
    """One part of a drawing: rgba (H, W, 4) uint8 straight (not premultiplied) alpha, cropped to
    its painted pixels; x, y: the canvas pixel of its top-left corner."""

    name: str
    rgba: np.ndarray
    x: int
    y: int


@dataclass(frozen=True)
class Drawing:
    name: str                      # the file's or folder's name, for messages
    size: tuple[int, int]          # canvas width, height in pixels
    layers: tuple[Layer, ...]      # back to front


def read_drawing(path: Path, display: str | None = None) -> Drawing:
    """The layers of the drawing at `path` (.ora, .psd, or a folder with layout.yaml)."""
    name = display or path.name
    if path.is_dir():
        return _read_folder(path, name)
    if not path.exists():
        raise PuppetError("file not found", Location(name))
    kind = path.suffix.lower()
    if kind not in KINDS:
        raise PuppetError(f"a layered drawing (.ora or .psd, or a folder of PNGs with {LAYOUT}), "
                          f"found a {kind or 'file without a'} suffix", Location(name),
                          hint="export from Krita, GIMP or MyPaint as OpenRaster (.ora)")
    if path.stat().st_size > MAX_DRAWING_BYTES:
        raise LimitError(f"the file is over {MAX_DRAWING_BYTES // 1024 ** 2} MiB", Location(name),
                         hint="scale the drawing down: a puppet needs far fewer pixels")
    return _read_ora(path, name) if kind == ".ora" else _read_psd(path, name)


def _cropped(name: str, rgba: np.ndarray, x: int, y: int) -> Layer | None:
    painted = rgba[..., 3] > 0
    rows, cols = np.flatnonzero(painted.any(axis=1)), np.flatnonzero(painted.any(axis=0))
    if len(rows) == 0:
        return None
    crop = rgba[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    return Layer(name, np.ascontiguousarray(crop), x + int(cols[0]), y + int(rows[0]))


def _decoded(data: bytes, where: Location, what: str) -> np.ndarray:
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as im:
            if im.width * im.height > MAX_IMAGE_PIXELS:
                raise LimitError(f"{what} is {im.width}x{im.height} pixels; the limit is "
                                 f"{MAX_IMAGE_PIXELS} pixels", where,
                                 hint="scale the drawing down")
            im.load()
            return np.asarray(im.convert("RGBA"))
    except (OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        raise PuppetError(f"cannot read {what}: {exc}", where) from None


def _read_ora(path: Path, name: str) -> Drawing:
    where = Location(name)
    try:
        with zipfile.ZipFile(path) as z:
            try:
                stack = ET.fromstring(z.read("stack.xml"))
            except KeyError:
                raise PuppetError("an OpenRaster file (a zip with stack.xml), found a zip "
                                  "without stack.xml", where) from None
            except ET.ParseError as exc:
                raise PuppetError(f"a readable stack.xml, found broken XML ({exc})",
                                  where) from None
            image = stack if stack.tag == "image" else stack.find("image")
            if image is None:
                raise PuppetError("a stack.xml whose root is <image>", where)
            try:
                size = (int(image.get("w", "0")), int(image.get("h", "0")))
            except ValueError:
                raise PuppetError("whole numbers in <image w= h=> of stack.xml", where) from None
            layers: list[Layer] = []
            # stack.xml lists the topmost layer first; groups (<stack>) are read through
            for el in reversed(list(image.iter("layer"))):
                lname = (el.get("name") or "").strip()
                src = el.get("src", "")
                if not lname:   # hidden layers are parts too (mouth shapes, other faces)
                    continue
                if len(layers) >= MAX_LAYERS:
                    raise LimitError(f"more than {MAX_LAYERS} layers", where)
                try:
                    data = z.read(src)
                except KeyError:
                    raise PuppetError(f"layer {lname!r}: its picture {src!r} is not in the file",
                                      where) from None
                try:
                    x, y = int(float(el.get("x", "0"))), int(float(el.get("y", "0")))
                except ValueError:
                    raise PuppetError(f"layer {lname!r}: numbers in x= and y=", where) from None
                layer = _cropped(lname, _decoded(data, where, f"layer {lname!r}"), x, y)
                if layer is not None:
                    layers.append(layer)
    except zipfile.BadZipFile:
        raise PuppetError("an OpenRaster file (a zip of PNGs and stack.xml), found a file that "
                          "is not a zip", where) from None
    return Drawing(name, size, tuple(layers))


def _read_psd(path: Path, name: str) -> Drawing:
    where = Location(name)
    try:
        from psd_tools import PSDImage  # optional: pip install 'stopmo[psd]'
    except ImportError:
        raise PuppetError("reading .psd needs the optional psd-tools package", where,
                          hint="pip install 'stopmo[psd]', or save the drawing as OpenRaster "
                          "(.ora) from Krita or GIMP") from None
    try:
        psd = PSDImage.open(path)
    except Exception as exc:   # the reader raises many kinds on a damaged file
        raise PuppetError(f"a Photoshop file, found one that cannot be read ({type(exc).__name__})",
                          where) from None
    layers: list[Layer] = []
    for layer in psd.descendants():   # bottom to top
        if layer.is_group() or not layer.name.strip():
            continue
        pil = layer.topil()
        if pil is None:
            continue
        if pil.width * pil.height > MAX_IMAGE_PIXELS:
            raise LimitError(f"layer {layer.name!r} is {pil.width}x{pil.height} pixels", where)
        part = _cropped(layer.name.strip(), np.asarray(pil.convert("RGBA")), layer.left, layer.top)
        if part is not None:
            layers.append(part)
    return Drawing(name, (psd.width, psd.height), tuple(layers))


def _read_folder(folder: Path, name: str) -> Drawing:
    layout = folder / LAYOUT
    display = f"{name}/{LAYOUT}"
    if not layout.is_file():
        raise PuppetError(f"a folder of PNGs with a {LAYOUT} (the layers back to front, each "
                          f"with its file and where it sits), found none", Location(name))
    root = Field(load_yaml(layout, PuppetError, display=display), "", PuppetError)
    m = root.mapping(LAYOUT_FIELDS, required=("layers",))
    layers: list[Layer] = []
    seen: set[str] = set()
    right = bottom = 0
    for item in m["layers"].list(min_len=1, max_len=MAX_LAYERS):
        lm = item.mapping(LAYOUT_LAYER_FIELDS, required=("file",))
        file_f = lm["file"]
        path = safe_path(file_f, folder)
        lname = lm["name"].str() if "name" in lm else Path(file_f.str()).stem
        if lname in seen:
            (lm["name"] if "name" in lm else file_f).fail("a layer name not used before",
                                                          repr(lname))
        seen.add(lname)
        x, y = lm["at"].vec2(-COORD, COORD) if "at" in lm else (0.0, 0.0)
        w, h = png_size(path, file_f)
        if w * h > MAX_IMAGE_PIXELS:
            raise LimitError(f"image is {w}x{h} pixels; the limit is {MAX_IMAGE_PIXELS}",
                             file_f.loc, file_f.path, hint="scale the drawing down")
        layer = _cropped(lname, _decoded(path.read_bytes(), file_f.loc, f"image {file_f.str()!r}"),
                         round(x), round(y))
        if layer is not None:
            layers.append(layer)
            right, bottom = max(right, round(x) + w), max(bottom, round(y) + h)
    size = m["size"].vec2(1, 100000) if "size" in m else (right, bottom)
    return Drawing(name, (int(size[0]), int(size[1])), tuple(layers))
