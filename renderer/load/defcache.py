"""Puppet and set definitions kept on disk between runs, so a render starts without parsing.

Reading a puppet file (YAML, then every field checked) takes 20-30 ms, the cast of a scene
about 100 ms before its first frame; the finished definition unpickles in half a millisecond.
Definitions are kept beside the paintings (in the project's `PaintStore`, evicted with them, sealed
with a checksum like them), keyed by the file's bytes and path, the name it is shown by and the
source of the whole renderer package. The entry also lists the digest of every image the file
references (`image: parts/arm.png`, wherever it sits), recorded while the loader read them
(`referenced`): an entry whose images changed is read again, and an image nobody references
is never opened. Only definitions that loaded without error are kept: every message about a
broken file comes from reading it.

Unpickling admits only stopmo's own classes, numpy arrays and paths, never arbitrary code.
"""
from __future__ import annotations

import hashlib
import io
import pickle
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from renderer import settings
from renderer.paint import paintcache
from renderer.paint.paintcache import PaintStore

SUFFIX = ".def"
T = TypeVar("T")


# The files a loader opened besides the YAML file itself (images), while `_recording`.
_READ: ContextVar[list[Path] | None] = ContextVar("stopmo_files_read", default=None)


def referenced(path: Path) -> None:
    """Called by the loaders for every file a definition is made from (its images)."""
    read = _READ.get()
    if read is not None:
        read.append(path)


@contextmanager
def _recording() -> Iterator[list[Path]]:
    read: list[Path] = []
    token = _READ.set(read)
    try:
        yield read
    finally:
        _READ.reset(token)


def load(path: Path, display: str | None, loader: Callable[..., T],
         store: PaintStore | None = None) -> tuple[T, tuple[Path, ...]]:
    """`loader(path, display=display)`, or the definition it made last time for the same inputs
    (kept in `store`; None: always read), with the files it references (images) besides `path`."""
    digest = _key(store, path, display, loader) if store is not None else None
    if digest is None:
        with _recording() as read:
            definition = loader(path, display=display)
        return definition, tuple(dict.fromkeys(read))
    kept = store.path(digest, SUFFIX)
    found = _read_back(kept)
    if found is not None:
        return found
    with _recording() as read:
        definition = loader(path, display=display)
    files = tuple(dict.fromkeys(read))
    digests = [(str(p), d) for p in files if (d := file_digest(p)) is not None]
    if len(digests) == len(files):   # an image that vanished meanwhile: do not keep
        _store(kept, definition, digests)
    return definition, files


def _read_back(kept: Path):
    """The (definition, files) in a sealed entry whose referenced files are unchanged, or None."""
    payload = paintcache.read_entry(kept)
    if payload is None:
        return None
    try:
        definition, digests = _Unpickler(io.BytesIO(payload)).load()
        files = tuple(Path(p) for p, _ in digests)
        unchanged = all(file_digest(Path(p)) == d for p, d in digests)
    except Exception:  # noqa: BLE001 - sealed but unreadable (another version's classes)
        paintcache.discard(kept)
        return None
    return (definition, files) if unchanged else None


def file_digest(path: Path) -> str | None:
    """The SHA-256 of a regular file's bytes; None if it is missing, unreadable or not a regular
    file (a FIFO is never opened: it would block)."""
    try:
        if not path.is_file():
            return None
        h = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None


def _key(store: PaintStore, path: Path, display: str | None, loader: Callable) -> str | None:
    """The digest of the file, its path and name and the renderer's code; None when the file
    cannot be read within the size limit (the loader then explains why)."""
    try:
        if not path.is_file():
            return None
        with open(path, "rb") as f:
            raw = f.read(settings.MAX_FILE_BYTES + 1)
    except OSError:
        return None
    if len(raw) > settings.MAX_FILE_BYTES:
        return None
    # every module of the package: what a definition holds is made by several of them
    return store.key("definition", loader.__module__, loader.__qualname__, str(path),
                     display, hashlib.sha256(raw).hexdigest(), code=paintcache.EVERY_MODULE)


def _store(kept: Path, definition, digests: list[tuple[str, str]]) -> None:
    """Keep a definition; any failure (read-only home, full disk) just means no caching."""
    try:
        data = pickle.dumps((definition, digests), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    paintcache.write_entry(kept, data)


class _Unpickler(pickle.Unpickler):
    """Builds only what a definition is made of; anything else is refused, not imported."""

    _NUMPY = {"_reconstruct", "ndarray", "dtype", "scalar", "_frombuffer"}
    _OTHER = {("pathlib", "PosixPath"), ("pathlib", "WindowsPath"),
              ("builtins", "frozenset"), ("builtins", "set"), ("builtins", "complex")}

    def find_class(self, module: str, name: str):
        if module.startswith("renderer.") or (module, name) in self._OTHER or \
                (module.split(".")[0] == "numpy" and name in self._NUMPY):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a definition")
