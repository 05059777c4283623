"""A cache of painted sprites on disk, shared by every render on this machine (and of the film
grain's noise field, which is as slow to make and as fixed).

Painting is the one slow step that does not depend on the frame: a set layer takes up to two
seconds, a puppet's parts about as much. Users re-render the same scene dozens of times a day, so
paintings are kept as files keyed by a digest of everything that determines their pixels: the
shape specs, the scale, the seed and the painting code itself. A changed file or a new renderer
version simply misses. A painting is kept ungraded (one serves every world) and graded for each
world it was shown in (`sprites._kept`). `STOPMO_CACHE=/path` moves the cache; `STOPMO_CACHE=off`
disables it.

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
# The code that makes a painting's pixels, by path in the package: a change to it repaints.
PAINTING_CODE = ("paint/prims.py", "paint/sdf.py", "paint/noise.py", "paint/materials.py",
                 "paint/sprites.py", "model/art.py")


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
    here = Path(__file__).resolve().parent.parent      # the package: names are paths in it
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
        numbers = tuple(float(x) for x in _numbers_path(path).read_text().split())
        rgba = _unpacked(path.read_bytes())
    except (OSError, ValueError, zlib.error):
        return None             # missing, or damaged: paint it again
    if rgba.dtype != np.uint8 or rgba.ndim != 3 or rgba.shape[2] != channels:
        return None
    try:
        os.utime(path)          # recently used: last to be evicted
    except OSError:
        pass
    return rgba, numbers


# A painting goes to and from its `.npy` bytes without a second whole copy of it (np.save and
# np.load through a BytesIO make one): a 1080p backdrop is ~30 MB, and a batch worker's peak
# memory is set by the paintings it holds while loading the next.

def _packed(rgba: np.ndarray) -> bytes:
    """`.npy` bytes of `rgba`, compressed."""
    rgba = np.ascontiguousarray(rgba)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, np.lib.format.header_data_from_array_1_0(rgba))
    packer = zlib.compressobj(1)
    return packer.compress(header.getvalue()) + packer.compress(memoryview(rgba).cast("B")) \
        + packer.flush()


def _unpacked(compressed: bytes) -> np.ndarray:
    """The array in compressed `.npy` bytes (ValueError or zlib.error if damaged), decompressed
    straight into it: `zlib.decompress` alone peaks at three times its output while it grows and
    joins its buffers."""
    unpacker = zlib.decompressobj()
    feed = memoryview(compressed)
    head = unpacker.decompress(feed[:_FEED], _HEADER_MAX)
    stream = io.BytesIO(head)
    version = np.lib.format.read_magic(stream)
    read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                   (2, 0): np.lib.format.read_array_header_2_0}.get(version)
    if read_header is None:
        raise ValueError(f"unknown .npy version {version}")
    shape, fortran_order, dtype = read_header(stream)
    if fortran_order or dtype.hasobject:
        raise ValueError("not a painting")
    array = np.empty(shape, dtype)
    out = memoryview(array.reshape(-1).view(np.uint8))
    filled = len(head) - stream.tell()
    if filled > len(out):
        raise ValueError("more data than the header says")
    out[:filled] = head[stream.tell():]
    pending, fed = unpacker.unconsumed_tail, _FEED
    while filled < len(out):
        if not pending:
            if fed >= len(feed):
                raise ValueError("the painting's data ends early")
            pending, fed = feed[fed:fed + _FEED], fed + _FEED
        chunk = unpacker.decompress(pending, min(_CHUNK, len(out) - filled))
        out[filled:filled + len(chunk)] = chunk
        filled += len(chunk)
        pending = unpacker.unconsumed_tail
    return array


_FEED = 1 << 16          # compressed bytes handed to zlib at a time
_CHUNK = 1 << 18         # decompressed bytes taken from it at a time
_HEADER_MAX = 4096       # an .npy header is a few hundred bytes at most


def store(digest: str, rgba: np.ndarray, numbers: tuple[float, ...]) -> None:
    """Keep a painting; any failure (read-only home, full disk) just means no caching."""
    folder = cache_dir()
    if folder is None:
        return
    path = folder / digest[:2] / f"{digest}{SUFFIX}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_bytes(_packed(rgba))
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
