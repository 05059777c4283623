"""Puppet and set definitions kept on disk between runs, so a render starts without parsing.

Reading a puppet file (YAML, then every field checked) takes 20-30 ms, the cast of a scene
about 100 ms before its first frame; the finished definition unpickles in half a millisecond.
Definitions are kept beside the paintings (`paintcache.cache_dir()`, evicted with them), keyed
by the file's bytes and path, the name it is shown by, the bytes of every PNG beside it (an
image attachment's pixels are part of a definition) and the source of the whole renderer package,
so an edited file, a new image or a new stopmo version simply misses. Only definitions that
loaded without error are kept: every message about a broken file comes from reading it.

Unpickling admits only stopmo's own classes, numpy arrays and paths, never arbitrary code.
"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
from functools import lru_cache
from pathlib import Path
from typing import Callable, TypeVar

from renderer import settings
from renderer.paint import paintcache

SUFFIX = ".def"
T = TypeVar("T")


@lru_cache(maxsize=1)
def _all_code() -> tuple[str, ...]:
    """Every module of the package: what a definition holds is made by several of them."""
    package = Path(__file__).resolve().parent.parent
    return tuple(sorted(p.relative_to(package).as_posix() for p in package.rglob("*.py")))


def load(path: Path, display: str | None, loader: Callable[..., T]) -> T:
    """`loader(path, display=display)`, or the definition it made last time for the same inputs."""
    folder = paintcache.cache_dir()
    digest = _key(path, display, loader) if folder is not None else None
    if digest is None:
        return loader(path, display=display)
    kept = folder / digest[:2] / f"{digest}{SUFFIX}"
    try:
        definition = _Unpickler(io.BytesIO(kept.read_bytes())).load()
    except Exception:  # noqa: BLE001 - missing, damaged or refused: read the file again
        pass
    else:
        try:
            os.utime(kept)      # recently used, as a painting read back is: last to be evicted
        except OSError:
            pass
        return definition
    definition = loader(path, display=display)
    _store(kept, definition)
    return definition


def _key(path: Path, display: str | None, loader: Callable) -> str | None:
    """The digest of everything a definition depends on; None when the file cannot be read
    within the size limit (the loader then explains why)."""
    try:
        with open(path, "rb") as f:
            raw = f.read(settings.MAX_FILE_BYTES + 1)
        images = [(p.name, p.read_bytes()) for p in sorted(path.parent.glob("*.png"))]
    except OSError:
        return None
    if len(raw) > settings.MAX_FILE_BYTES:
        return None
    h = hashlib.sha256(raw)
    for name, data in images:
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return paintcache.key("definition", loader.__module__, loader.__qualname__, str(path),
                          display, h.hexdigest(), code=_all_code())


def _store(kept: Path, definition) -> None:
    """Keep a definition; any failure (read-only home, full disk) just means no caching."""
    try:
        data = pickle.dumps(definition, protocol=pickle.HIGHEST_PROTOCOL)
        kept.parent.mkdir(parents=True, exist_ok=True)
        tmp = kept.with_name(f".{kept.name}.{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, kept)
    except (OSError, pickle.PicklingError):
        return


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
