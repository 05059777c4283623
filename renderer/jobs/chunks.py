"""Frame-range chunks: a scene split into runs of whole exposures, each rendered on its own
(anywhere: a local worker, a cluster's) and joined into the scene by stream copy.

The chunk policy. A chunk is at least MIN_CHUNK_FRAMES long, because each one pays a start-up
(the scene loaded and planned, its first paintings read from the paint cache, an encoder
started and its look-ahead filled: ~0.3-0.5 s); within that, the work is cut into about
CHUNKS_PER_SLOT chunks per worker slot, so the last chunks to finish are short and no slot idles
long at the end. With one slot there is nothing to balance: every scene is one chunk. A chunk
boundary is always an exposure's first frame (a hold is never split), so a chunk's frames are
exactly those of the whole render (an exposure is a pure function of its inputs). A chunk's
file name holds its scene's cache key and frame range; a chunk file exists only once complete
(written under a temporary name and renamed, its frame count checked), so one found on disk is
not rendered again: an interrupted batch resumes chunk by chunk.

Tasks here run in workers and return paths, never frames: the files are on storage every worker
sees (the output folder).
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from renderer.jobs.batch import SceneJob, SceneResult, load_plan, remember
from renderer.output.files import FRAME_RE, is_frame_folder, remove_path

MIN_CHUNK_FRAMES = 48     # 2 s at 24 fps: a chunk's start-up stays under a tenth of its time
CHUNKS_PER_SLOT = 3       # chunks per worker slot over the whole job: short tails, few joins
CHUNKS_DIR = ".stopmo-chunks"
STALE_CHUNKS_SECONDS = 24 * 3600   # another key's chunks untouched this long are dropped


def auto_chunk_frames(total_frames: int, slots: int) -> int:
    """The chunk length for `total_frames` of work on `slots` worker slots (0: whole scenes)."""
    if slots <= 1 or total_frames <= 0:
        return 0
    return max(MIN_CHUNK_FRAMES, math.ceil(total_frames / (slots * CHUNKS_PER_SLOT)))


def chunk_spans(starts: list[int], total: int, chunk_frames: int) -> list[tuple[int, int]]:
    """Cut frames 0..total into (first, end) spans of about `chunk_frames`, each starting at an
    exposure's first frame (`starts`, ascending, from 0). A tail shorter than half a chunk joins
    the chunk before it. chunk_frames 0 (or a scene shorter than two chunks): one span."""
    if chunk_frames <= 0 or total < 2 * chunk_frames or not starts:
        return [(0, total)]
    cuts = [0]
    for s in starts:
        if s - cuts[-1] >= chunk_frames:
            cuts.append(s)
    if total - cuts[-1] < chunk_frames / 2 and len(cuts) > 1:
        cuts.pop()
    return list(zip(cuts, cuts[1:] + [total]))


def chunk_folder(job: SceneJob) -> Path:
    """Where a scene's chunks wait for their join: beside its target, named by its cache key."""
    return job.target.parent / CHUNKS_DIR / f"{job.name}-{job.key[:20]}"


@dataclass(frozen=True)
class ChunkJob:
    """One chunk of a scene: its frames first..end-1, written to `path` (a silent video, or a
    PNG folder when the scene's target is a frame folder)."""

    scene: SceneJob
    span: tuple[int, int]
    path: Path
    threads: int | None = None    # x264's threads: the worker's share of its machine's cores

    @property
    def frames(self) -> int:
        return self.span[1] - self.span[0]


def chunk_jobs(job: SceneJob, spans: list[tuple[int, int]], threads: int | None
               ) -> list[ChunkJob]:
    folder = chunk_folder(job)
    frames = is_frame_folder(job.target)
    return [ChunkJob(job, span, folder / (f"{span[0]:06d}-{span[1]:06d}"
                                          + ("" if frames else ".mp4")), threads)
            for span in spans]


def chunk_done(chunk: ChunkJob) -> bool:
    """Whether the chunk's file is on disk, complete (files appear there only complete; the
    frame count is checked again in case one was damaged)."""
    from renderer.output.probe import count_frames
    try:
        if chunk.path.is_dir():
            return sum(1 for p in chunk.path.iterdir()
                       if FRAME_RE.fullmatch(p.name)) == chunk.frames
        return chunk.path.is_file() and count_frames(chunk.path) == chunk.frames
    except (OSError, RuntimeError):
        return False


def render_chunk(chunk: ChunkJob, on_frames: Callable[[int], None] | None = None
                 ) -> tuple[Path, float]:
    """Render one chunk to its file (a task: top-level, so a worker process can import it).
    Returns the path and the seconds it took; an existing complete chunk is kept as it is (a
    retried task, or a rerun)."""
    from renderer.render import render_to
    started = time.perf_counter()
    if chunk_done(chunk):
        return chunk.path, 0.0
    chunk.path.parent.mkdir(parents=True, exist_ok=True)
    job = chunk.scene
    plan = load_plan(job)
    target = str(chunk.path) + ("/" if is_frame_folder(job.target) else "")
    render_to(plan, target, on_frames, preload=False, label=f"{job.name} frames "
              f"{chunk.span[0]}..{chunk.span[1] - 1}", span=chunk.span,
              encoder_threads=chunk.threads)
    return chunk.path, time.perf_counter() - started


def join_scene(job: SceneJob, chunks: list[ChunkJob], render_time: float) -> SceneResult:
    """Join a scene's chunks into its target and mux its soundtrack, made once for the whole
    scene (a task, like `render_chunk`); its chunks go once the scene is in place."""
    pieces = [c.path for c in chunks]
    from renderer.output.join import join_frames, join_videos
    from renderer.render import as_sound, soundtrack
    started = time.perf_counter()
    if is_frame_folder(job.target):
        join_frames(pieces, job.target, job.frames, job.name)
        written = None
    else:
        plan = load_plan(job)
        sound = as_sound(soundtrack(plan), job.settings) \
            if job.settings.audio or job.settings.caption_track else None
        written = join_videos(pieces, job.target, [c.frames for c in chunks],
                              job.settings.fps, job.name, sound)
    if job.record and written is not None:
        remember(job.target, job.key, written)
    drop_chunks(job)
    return SceneResult(job.name, job.frames / job.settings.fps, job.frames,
                       render_time + time.perf_counter() - started, False)


def drop_chunks(job: SceneJob) -> None:
    """Remove the scene's chunk folder, and those of its other keys (other settings, older
    versions of its files) left untouched for STALE_CHUNKS_SECONDS by interrupted batches."""
    folder = chunk_folder(job)
    remove_path(folder)
    try:
        others = list(folder.parent.glob(f"{job.name}-*"))
        now = time.time()
        for other in others:
            if other.is_dir() and now - other.stat().st_mtime > STALE_CHUNKS_SECONDS:
                remove_path(other)
        if not any(folder.parent.iterdir()):
            os.rmdir(folder.parent)
    except OSError:
        pass   # another batch is using the folder: it tidies up after itself
