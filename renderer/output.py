"""Where renders land, and writing single images without ever leaving a half-written file."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

from renderer.errors import OutputError


def save_png(path: Path, image: np.ndarray) -> None:
    """Write an RGB or RGBA uint8 image as PNG: to a temporary file beside `path`, then renamed."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise OutputError(f"{path}: an image is written as PNG", hint="give a path ending in .png")
    if path.is_dir():
        raise OutputError(f"{path} is a folder", hint="give a file path ending in .png")
    if not path.parent.is_dir():
        raise OutputError(f"folder {path.parent} does not exist")
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}.png")
    try:
        Image.fromarray(image).save(tmp, compress_level=6)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink()
