"""A cache of painted sprites on disk, shared by every render on this machine (and of the film
grain's noise field, which is as slow to make and as fixed).

Painting is the one slow step that does not depend on the frame: a set layer takes up to two
seconds, a puppet's parts about as much. Users re-render the same scene dozens of times a day, so
paintings are kept as files keyed by a digest of everything that determines their pixels: the
shape specs, the scale, the seed and the painting code itself. A changed file or a new renderer
version simply misses. A painting is kept ungraded (one serves every world) and graded for each
world it was shown in (`sprites._kept`).

The cache is a `PaintStore` object, opened once by whoever starts the work (the command line from
the environment with `open_store`: `STOPMO_CACHE=/path` moves it, `STOPMO_CACHE=off` disables it;
a batch hands it to its workers; a test opens one on a folder of its own) and passed down to the
renders that use it. What it remembers besides its files is its own, and goes with it.

A painting is stored as its raw `.npy` bytes compressed with zlib at level 1 (`SUFFIX`): about as
small as a PNG and three times faster to read back (20 against 65 ms for a 720p backdrop), which
a render waits for before its first frame.

Every entry of the cache (a painting with its numbers, a definition) is one file, sealed: a magic
line, then the SHA-256 of the payload, then the payload (`seal`). Reading checks the digest before
anything is decoded (`unseal`); an entry that fails (a flipped bit, a truncated write, an edited
file) is deleted and painted again, so a damaged cache can cost time but never a wrong frame.
Eviction also removes hidden temporary files that a full disk or a killed process left behind.
"""
from __future__ import annotations

import hashlib
import io
import os
import stat
import time
import zlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np

LIMIT_BYTES = 2 * 1024 ** 3     # evict the least recently used paintings beyond this
SUFFIX = ".paint"               # a painting and its numbers, sealed
MAGIC = b"stopmo-cache 1\n"   # the first bytes of every entry; then the SHA-256 of the payload
STALE_TEMP_SECONDS = 600        # a hidden temporary file older than this was abandoned
# The code that makes a painting's pixels, by path in the package: a change to it repaints.
PAINTING_CODE = ("paint/prims.py", "paint/sdf.py", "paint/noise.py", "paint/materials.py",
                 "paint/sprites.py", "model/art.py")


# Every module of the package, as `code=` of `PaintStore.key`: for what several of them make.
EVERY_MODULE = "**/*.py"


def open_store(environ: Mapping[str, str]) -> PaintStore | None:
    """The store a command opens once from its environment: `STOPMO_CACHE=/path` puts it there,
    `STOPMO_CACHE=off` (or 0, no, false) gives none; otherwise `$XDG_CACHE_HOME/stopmo/paint`,
    or `~/.cache/stopmo/paint`."""
    setting = environ.get("STOPMO_CACHE", "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return PaintStore(Path(setting))
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return PaintStore(Path(base) / "stopmo" / "paint")


class PaintStore:
    """The paint cache in `folder`: paintings (and, through `read_entry` and `write_entry`, the
    definitions beside them) kept by a digest of everything that determines them.

    It remembers the digests of the package's code it has keyed with (hashing every module
    takes ~20 ms, and a key is made for every painting) and whether it has evicted yet, so a
    process that drops the store drops both. A batch's jobs carry it to their workers pickled,
    with what it has worked out."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._code_digests: dict[tuple[str, ...] | str, str] = {}
        self._evicted = False

    def __repr__(self) -> str:
        return f"PaintStore({str(self.folder)!r})"

    def key(self, *parts, code: tuple[str, ...] | str = PAINTING_CODE) -> str:
        """A digest of the code that makes the picture (the painting modules unless `code`
        names others, by path in the package or as a pattern such as EVERY_MODULE) and `parts`
        (reprs of frozen specs, scales, seeds)."""
        h = hashlib.sha256(self._code_digest(code).encode())
        for part in parts:
            h.update(repr(part).encode())
            h.update(b"\x1f")
        return h.hexdigest()

    def _code_digest(self, code: tuple[str, ...] | str) -> str:
        digest = self._code_digests.get(code)
        if digest is None:
            here = Path(__file__).resolve().parent.parent      # the package: names are paths in it
            names = code if not isinstance(code, str) else \
                sorted(p.relative_to(here).as_posix() for p in here.glob(code))
            h = hashlib.sha256()
            for name in names:
                h.update((here / name).read_bytes())
            digest = self._code_digests[code] = h.hexdigest()
        return digest

    def path(self, digest: str, suffix: str = SUFFIX) -> Path:
        """Where the entry `digest` is kept."""
        return self.folder / digest[:2] / f"{digest}{suffix}"

    def load(self, digest: str, channels: int = 4) -> tuple[np.ndarray, tuple[float, ...]] | None:
        """The kept (image, numbers) for `digest`, or None: an (h, w, channels) uint8 image,
        RGBA for a painting. A damaged entry is removed and reported as a miss."""
        path = self.path(digest)
        payload = read_entry(path)
        if payload is None:
            return None
        try:
            size = int.from_bytes(payload[:4], "big")
            numbers = tuple(float(x) for x in bytes(payload[4:4 + size]).decode("ascii").split())
            rgba = _unpacked(payload[4 + size:])
        except (ValueError, UnicodeDecodeError, zlib.error):
            discard(path)           # sealed but not a painting: another version's, or a bug's
            return None
        if rgba.dtype != np.uint8 or rgba.ndim != 3 or rgba.shape[2] != channels:
            discard(path)
            return None
        return rgba, numbers

    def keep(self, digest: str, rgba: np.ndarray, numbers: tuple[float, ...]) -> None:
        """Keep a painting; any failure (read-only home, full disk) just means no caching."""
        text = " ".join(repr(float(x)) for x in numbers).encode("ascii")
        if write_entry(self.path(digest), len(text).to_bytes(4, "big") + text + _packed(rgba)):
            self.evict()

    def evict(self) -> None:
        """Once per store: remove abandoned hidden temporary files, then drop the least recently
        used entries while over LIMIT_BYTES (files of earlier stopmo versions age out the same
        way)."""
        if self._evicted:
            return
        self._evicted = True
        now = time.time()
        files = []
        try:
            for p in self.folder.glob("*/*"):
                st = p.lstat()
                if p.name.startswith("."):
                    if now - st.st_mtime > STALE_TEMP_SECONDS:
                        discard(p)
                else:
                    files.append((st.st_mtime, st.st_size, p))
        except OSError:
            return
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= LIMIT_BYTES * 0.8:
                break
            discard(path)
            total -= size


def seal(payload: bytes) -> bytes:
    """An entry's bytes: the magic line, the payload's SHA-256, the payload."""
    return MAGIC + hashlib.sha256(payload).digest() + payload


def unseal(data: bytes) -> memoryview | None:
    """The payload of an entry's bytes, or None if they are not exactly what `seal` wrote."""
    head = len(MAGIC) + 32
    view = memoryview(data)
    if len(data) < head or view[:len(MAGIC)] != MAGIC:
        return None
    payload = view[head:]
    if hashlib.sha256(payload).digest() != view[len(MAGIC):head]:
        return None
    return payload


def read_entry(path: Path) -> memoryview | None:
    """The checked payload of the entry at `path`, marked recently used; None if it is missing,
    not a regular file or damaged (then it is removed, to be made again)."""
    try:
        with open(path, "rb", opener=_regular_only) as f:
            data = f.read()
    except OSError:
        return None             # missing (or not a file): make it
    payload = unseal(data)
    if payload is None:
        discard(path)
        return None
    try:
        os.utime(path)          # recently used: last to be evicted
    except OSError:
        pass
    return payload


def write_entry(path: Path, payload: bytes) -> bool:
    """Seal and keep `payload` at `path`, written to a hidden temporary file and renamed into
    place; any failure (read-only home, full disk) just means no caching, and leaves nothing."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(MAGIC)
            f.write(hashlib.sha256(payload).digest())
            f.write(payload)
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        return False


def discard(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def _regular_only(name, flags: int) -> int:
    """Open only a regular file: a FIFO or device in the cache folder must not block a render."""
    fd = os.open(name, flags | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise IsADirectoryError(f"{name} is not a regular file")
    return fd


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
