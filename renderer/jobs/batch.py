"""`stopmo batch`: every scene of the sequence to output/<scene>.mp4, then the film.

Scenes are rendered through any `concurrent.futures.Executor` (inline, a local process pool, or
a Dask cluster's; see `graph.py`), so the tasks never know where they run. A scene whose inputs are byte-for-byte unchanged since its last render is not rendered again, as
long as the file on disk is still the one that render wrote: its record names the file's size and
modification time, and a cached video is probed for the size and frame count the batch needs.
"""
from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from renderer import __version__
from renderer.output.files import file_identity
from renderer.paint.paintcache import PaintStore
from renderer.settings import RenderSettings

SOURCE = Path(__file__).resolve().parent.parent   # the renderer package


@dataclass(frozen=True)
class SceneJob:
    name: str
    path: Path
    target: Path
    settings: RenderSettings
    key: str            # its cache key: the name of its chunks' folder, and of its record
    frames: int         # what the scene renders to at these settings: a cached file must hold it
    store: PaintStore | None = None   # the batch's paint cache (a worker gets its own copy;
    #                                   None: the paint cache of the machine a task runs on)
    shot: str | None = None   # only this shot of the scene
    record: bool = True       # keep the key beside the target (the batch's cache; not `render`)


@dataclass(frozen=True)
class SceneResult:
    name: str
    seconds: float      # running time of the scene
    frames: int
    render_time: float  # wall seconds spent rendering (0 when cached)
    cached: bool


class InlineExecutor(Executor):
    """Runs each job at once in this process: the serial executor (and the easy one to debug)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            if isinstance(exc, KeyboardInterrupt):
                raise
            future.set_exception(exc)
        return future


def renderer_digest() -> str:
    """The renderer's own code and the captions' font are inputs of every frame: a change to
    either invalidates the cache."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(SOURCE.rglob("*.py")) + sorted(SOURCE.rglob("*.ttf")):
        h.update(path.relative_to(SOURCE).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def cache_key(files: list[Path], settings: RenderSettings) -> str:
    """A digest of the bytes of every file a scene reads, the settings and the renderer's code."""
    h = hashlib.sha256(renderer_digest().encode())
    h.update(repr(settings).encode())
    for path in files:
        h.update(str(path.name).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _record_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.key")


def is_cached(target: Path, key: str) -> bool:
    """Whether `target` is the file a render with `key` wrote and nothing has replaced it since."""
    record = _record_path(target)
    try:
        if not (target.is_file() and record.is_file()):
            return False
        return record.read_text().split("\n")[:2] == [key, file_identity(target)]
    except (OSError, UnicodeDecodeError):   # an unreadable record is no record
        return False


def pin_path(target: Path) -> Path:
    """Where this process pins the video at `target` (`pin`): a hidden temporary name beside it."""
    from renderer.output.files import partial_path
    return partial_path(target, ".mp4")


def pin(target: Path, key: str) -> Path | None:
    """A hard link to the video a render with `key` wrote at `target` (at `pin_path`), so
    another render replacing `target` meanwhile cannot change what is read; None if `target`
    is no longer that video."""
    link = pin_path(target)
    try:
        os.link(target, link)
    except OSError:
        return None
    record = _record_path(target)
    try:
        if record.read_text().split("\n")[:2] == [key, file_identity(link)]:
            return link
    except (OSError, UnicodeDecodeError):
        pass
    link.unlink(missing_ok=True)
    return None


def holds(target: Path, settings: RenderSettings, frames: int) -> bool:
    """Whether the video at `target` really has the size and frame count a render would give."""
    from renderer.errors import EncodeError
    from renderer.output.probe import probe
    try:
        info = probe(target)
    except EncodeError:
        return False
    return (info.width, info.height, info.frames) == (settings.width, settings.height, frames)


def remember(target: Path, key: str, identity: str) -> None:
    """Record that the video a render with `key` wrote at `target` is the file with `identity`
    (taken before it was moved into place: another render may have replaced it since, and the
    record must then vouch for nothing)."""
    record = _record_path(target)
    tmp = record.with_name(record.name + f".partial-{os.getpid()}")
    try:
        tmp.write_text(f"{key}\n{identity}\n")
        os.replace(tmp, record)
    finally:
        tmp.unlink(missing_ok=True)  # only left when interrupted before the rename


def load_plan(job: SceneJob):
    """The job's scene planned at its settings, in a worker: its project opened with the job's
    paint cache, or without one (a cluster's job) the paint cache of the machine it runs on,
    from that machine's environment (`STOPMO_CACHE`)."""
    from renderer.load.project import project_at
    from renderer.load.scene import load_scene
    from renderer.output.audiofile import decode_recording
    from renderer.paint.paintcache import open_store
    from renderer.render import plan_scene
    store = job.store if job.store is not None else open_store(os.environ)
    project = project_at(job.path.parent, store, decode_recording)
    return plan_scene(load_scene(job.path, project), job.settings, job.shot)


def render_job(job: SceneJob, on_frames: Callable[[int], None] | None = None,
               threads: int | None = None) -> SceneResult:
    """Render one scene to its target, whole. Top-level so a worker process can import it.
    threads: x264's threads (default: one per core of the machine)."""
    from renderer.render import render_to

    started = time.perf_counter()
    plan = load_plan(job)
    # A worker renders scene after scene: what this one paints is held by its plan, and goes
    # with it when this function returns (the paint cache on disk keeps it for the next render).
    # Scenes render side by side, so no core waits for a scene's first frame: loading it in a
    # helper thread would gain nothing and cost the thread's malloc arena (~20 MB).
    written = render_to(plan, job.target, on_frames, preload=False, label=job.name,
                        encoder_threads=threads)
    if job.record:
        remember(job.target, job.key, written)
    return SceneResult(job.name, plan.frames / job.settings.fps, plan.frames,
                       time.perf_counter() - started, False)


def summary(results: list[SceneResult], film: Path | None, film_seconds: float,
            wall: float) -> str:
    lines = [f"{'scene':<26}{'seconds':>9}{'frames':>8}{'render s':>10}  cached"]
    for r in results:
        lines.append(f"{r.name:<26}{r.seconds:>9.1f}{r.frames:>8}{r.render_time:>10.1f}  "
                     f"{'yes' if r.cached else 'no'}")
    total_frames = sum(r.frames for r in results)
    lines.append(f"{'total':<26}{sum(r.seconds for r in results):>9.1f}{total_frames:>8}"
                 f"{sum(r.render_time for r in results):>10.1f}")
    if film is not None:
        lines.append(f"film: {film} ({film_seconds:.1f} s), batch wall time {wall:.1f} s")
    return "\n".join(lines)
