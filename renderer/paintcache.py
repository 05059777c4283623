"""A cache of painted sprites on disk, shared by every render on this machine (and of the film
grain's noise field, which is as slow to make and as fixed).

Painting is the one slow step that does not depend on the frame: a set layer takes up to two
seconds, a puppet's parts about as much. Users re-render the same scene dozens of times a day, so
paintings are kept as PNG files keyed by a digest of everything that determines their pixels: the
shape specs, the scale, the seed and the painting code itself. A changed file or a new renderer
version simply misses. `STOPMO_CACHE=/path` moves the cache; `STOPMO_CACHE=off` disables it.

A painting is stored as its raw `.npy` bytes compressed with zlib at level 1 (`SUFFIX`): about as
small as a PNG and three times faster to read back (20 against 65 ms for a 720p backdrop), which
a render waits for before its first frame.
"""
from __future__ import annotations

import hashlib
import io
import os
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np

LIMIT_BYTES = 2 * 1024 ** 3     # evict the least recently used paintings beyond this
SUFFIX = ".npy.z"               # a painting; its numbers are in a `.txt` beside it
PAINTING_CODE = ("paint.py", "sdf.py", "noise.py", "materials.py", "sprites.py")


def cache_dir() -> Path | None:
    setting = os.environ.get("STOPMO_CACHE", "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "stopmo" / "paint"


@lru_cache(maxsize=4)
def _code_digest(names: tuple[str, ...]) -> str:
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in names:
        h.update((here / name).read_bytes())
    return h.hexdigest()


def key(*parts, code: tuple[str, ...] = PAINTING_CODE) -> str:
    """A digest of the code that makes the picture (the painting modules unless `code` names
    others) and `parts` (reprs of frozen specs, scales, seeds)."""
    h = hashlib.sha256(_code_digest(code).encode())
    for part in parts:
        h.update(repr(part).encode())
        h.update(b"\x1f")
    return h.hexdigest()


def load(digest: str, channels: int = 4) -> tuple[np.ndarray, tuple[float, ...]] | None:
    """The cached (image, numbers) for `digest`, or None: an (h, w, channels) uint8 image,
    RGBA for a painting."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / digest[:2] / f"{digest}{SUFFIX}"
    try:
        data = path.read_bytes()
        numbers = tuple(float(x) for x in _numbers_path(path).read_text().split())
        rgba = np.load(io.BytesIO(zlib.decompress(data)), allow_pickle=False)
    except (OSError, ValueError, zlib.error):
        return None             # missing, or damaged: paint it again
    if rgba.dtype != np.uint8 or rgba.ndim != 3 or rgba.shape[2] != channels:
        return None
    try:
        os.utime(path)          # recently used: last to be evicted
    except OSError:
        pass
    return np.ascontiguousarray(rgba), numbers


def store(digest: str, rgba: np.ndarray, numbers: tuple[float, ...]) -> None:
    """Keep a painting; any failure (read-only home, full disk) just means no caching."""
    folder = cache_dir()
    if folder is None:
        return
    path = folder / digest[:2] / f"{digest}{SUFFIX}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = io.BytesIO()
        np.save(raw, np.ascontiguousarray(rgba), allow_pickle=False)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_bytes(zlib.compress(raw.getbuffer(), 1))
        _numbers_path(path).write_text(" ".join(repr(float(x)) for x in numbers))
        os.replace(tmp, path)   # the painting last: a present painting always has its numbers
    except OSError:
        return
    _evict_once(folder)


def _numbers_path(painting: Path) -> Path:
    return painting.with_name(painting.name.split(".")[0] + ".txt")


@lru_cache(maxsize=1)
def _evict_once(folder: Path) -> None:
    """Once per process: drop the least recently used paintings while over LIMIT_BYTES (those of
    earlier stopmo versions, stored as PNG, age out the same way)."""
    try:
        files = [(p.stat().st_mtime, p.stat().st_size, p) for p in folder.glob("*/*")
                 if not p.name.startswith(".") and p.suffix != ".txt"]
    except OSError:
        return
    total = sum(size for _, size, _ in files)
    for _, size, path in sorted(files):
        if total <= LIMIT_BYTES * 0.8:
            break
        for victim in (path, _numbers_path(path)):
            try:
                victim.unlink()
            except OSError:
                pass
        total -= size
