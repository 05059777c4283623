"""A cache of painted sprites on disk, shared by every render on this machine.

Painting is the one slow step that does not depend on the frame: a set layer takes up to two
seconds, a puppet's parts about as much. Users re-render the same scene dozens of times a day, so
paintings are kept as PNG files keyed by a digest of everything that determines their pixels: the
shape specs, the scale, the seed and the painting code itself. A changed file or a new renderer
version simply misses. `STOPMO_CACHE=/path` moves the cache; `STOPMO_CACHE=off` disables it.
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

LIMIT_BYTES = 2 * 1024 ** 3     # evict the least recently used paintings beyond this
PAINTING_CODE = ("paint.py", "sdf.py", "noise.py", "materials.py", "sprites.py")


def cache_dir() -> Path | None:
    setting = os.environ.get("STOPMO_CACHE", "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "stopmo" / "paint"


@lru_cache(maxsize=1)
def _code_digest() -> str:
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in PAINTING_CODE:
        h.update((here / name).read_bytes())
    return h.hexdigest()


def key(*parts) -> str:
    """A digest of the painting code and `parts` (reprs of frozen specs, scales, seeds)."""
    h = hashlib.sha256(_code_digest().encode())
    for part in parts:
        h.update(repr(part).encode())
        h.update(b"\x1f")
    return h.hexdigest()


def load(digest: str) -> tuple[np.ndarray, tuple[float, ...]] | None:
    """The cached (rgba, numbers) for `digest`, or None."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / digest[:2] / f"{digest}.png"
    try:
        data = path.read_bytes()
        numbers = tuple(float(x) for x in path.with_suffix(".txt").read_text().split())
    except OSError:
        return None
    rgba = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if rgba is None or rgba.ndim != 3 or rgba.shape[2] != 4:
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
    path = folder / digest[:2] / f"{digest}.png"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ok, data = cv2.imencode(".png", rgba, [cv2.IMWRITE_PNG_COMPRESSION, 1])
        if not ok:
            return
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_bytes(data.tobytes())
        path.with_suffix(".txt").write_text(" ".join(repr(float(x)) for x in numbers))
        os.replace(tmp, path)   # the PNG last: a present PNG always has its numbers
    except OSError:
        return
    _evict_once(folder)


@lru_cache(maxsize=1)
def _evict_once(folder: Path) -> None:
    """Once per process: drop the least recently used paintings while over LIMIT_BYTES."""
    try:
        files = [(p.stat().st_mtime, p.stat().st_size, p) for p in folder.glob("*/*.png")]
    except OSError:
        return
    total = sum(size for _, size, _ in files)
    for _, size, path in sorted(files):
        if total <= LIMIT_BYTES * 0.8:
            break
        for victim in (path, path.with_suffix(".txt")):
            try:
                victim.unlink()
            except OSError:
                pass
        total -= size
