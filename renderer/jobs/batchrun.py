"""The film job behind `stopmo batch`: validate everything, render stale scenes, assemble."""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.managers import SyncManager
from pathlib import Path

from renderer.errors import OutputError
from renderer.jobs.batch import (
    InlineExecutor,
    SceneJob,
    cache_key,
    holds,
    is_cached,
    pin,
    remember,
    run_scenes,
    summary,
)
from renderer.jobs.workers import (
    WorkerPool,
    init_manager,
    init_worker,
    starting_processes,
    stop_workers,
)
from renderer.load.project import Project
from renderer.output.files import check_name, remove_stale_partials
from renderer.settings import RenderSettings
from renderer.stage.timing import frames_for


def _bar(total: int, desc: str, position: int = 0):
    from tqdm import tqdm
    return tqdm(total=total, desc=desc, unit="frame", disable=not sys.stderr.isatty(),
                dynamic_ncols=True, leave=False, position=position)


class Progress:
    """On a terminal: an overall bar and one bar per scene being rendered; silent otherwise."""

    def __init__(self, frames_of: dict[str, int]):
        self.frames_of = frames_of
        self.overall = _bar(sum(frames_of.values()), "film")
        self.scenes: dict = {}

    def update(self, scene: str, frames: int) -> None:
        if scene not in self.scenes:
            self.scenes[scene] = _bar(self.frames_of.get(scene, 0), scene, len(self.scenes) + 1)
        self.scenes[scene].update(frames)
        self.overall.update(frames)

    def done(self, result) -> None:
        bar = self.scenes.pop(result.name, None)
        if bar is not None:
            bar.close()
        if result.cached:
            self.overall.update(result.frames)
        if self.overall.disable:
            return
        self.overall.write(f"{result.name}: {'cached' if result.cached else 'rendered'} "
                           f"({result.frames} frames)")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for bar in self.scenes.values():
            bar.close()
        self.overall.close()


@contextmanager
def _queue(executor: Executor):
    """A queue worker processes can report progress through (None for in-process executors)."""
    if not isinstance(executor, ProcessPoolExecutor):
        yield None
        return
    with starting_processes():  # the manager's process, like the workers, ignores Ctrl-C
        manager = SyncManager(ctx=multiprocessing.get_context("spawn"))
        manager.start(init_manager)     # and dies with the batch
    with manager:
        yield manager.Queue()


def make_executor(jobs: int) -> Executor:
    if jobs == 1:
        return InlineExecutor()
    # spawn, not fork: forking after OpenCV has started its thread pool can deadlock
    return WorkerPool(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                      initializer=init_worker)


def _film(sequence, sequence_path: Path, scenes: dict, scene_jobs: list[SceneJob],
          pinned: list[Path], settings: RenderSettings, out_dir: Path, force: bool
          ) -> tuple[Path, int]:
    """Join the film from the scene videos at `pinned` (one per job); its path and frames."""
    from renderer.compose.titlecard import title_card
    from renderer.output.film import Part, assemble, film_frames, video_part
    # the film: an opening card, then per scene its card and its video, joined by transitions
    w, h, fps = settings.width, settings.height, settings.fps
    card = frames_for(sequence.card_seconds, fps)
    parts = [Part(card, image=title_card(w, h, sequence.title, sequence.subtitle, seed=0))] if card else []
    for entry, job, video in zip(sequence.entries, scene_jobs, pinned):
        s = scenes[entry.scene]
        if entry.card and card:
            parts.append(Part(card, image=title_card(w, h, s.title, s.moment, seed=s.seed),
                              transition=entry.transition))
            parts.append(video_part(video, "cut" if entry.transition == "iris" else "fade"))
        else:
            parts.append(video_part(video, entry.transition))
    target = out_dir / f"{sequence.film}.mp4"
    key = hashlib.sha256("".join(j.key for j in scene_jobs).encode()
                         + sequence_path.read_bytes() + repr(settings).encode()).hexdigest()
    n = film_frames(parts, sequence.transition_seconds, fps)
    if force or not (is_cached(target, key) and holds(target, settings, n)):
        sound = film_sound(parts, [scenes[e.scene] for e in sequence.entries], settings,
                           sequence.transition_seconds) if settings.audio else None
        with _bar(n, sequence.film) as bar:
            assemble(parts, target, settings, sequence.transition_seconds, sequence.film,
                     bar.update, sound=sound)
        remember(target, key)
    return target, n


def _make_output_folder(out_dir: Path) -> None:
    """Create the output folder as `render -o DIR/` creates a frame folder: the folder itself,
    in a parent that exists (a mistyped path is refused rather than built)."""
    if out_dir.is_dir():
        return
    if out_dir.exists():
        raise OutputError(f"output folder {out_dir} is a file, not a folder")
    if not out_dir.parent.is_dir():
        raise OutputError(f"folder {out_dir.parent} does not exist", hint="create it first")
    try:
        out_dir.mkdir()
    except OSError as err:
        raise OutputError(f"cannot create the output folder {out_dir}: {err.strerror}") from None


def film_sound(parts, scenes, settings: RenderSettings, transition_seconds: float):
    """The film's soundtrack made once: each scene's (not normalised) where its video plays,
    silence under title cards and transitions, normalised as a whole."""
    from renderer.output.film import transition_frames
    from renderer.render import as_sound, plan_scene, soundtrack
    from renderer.sound.mix import join
    videos = iter(scenes)
    pieces = []
    for k, part in enumerate(parts):
        if k:
            pieces.append((None, transition_frames(part.transition, transition_seconds,
                                                   settings.fps)))
        track = None
        if part.video is not None:
            track = soundtrack(plan_scene(next(videos), settings), normalise=False)
        pieces.append((track, part.frames))
    return as_sound(join(pieces, settings.fps), settings)


def run_film(project: Project, sequence_path: Path, settings: RenderSettings, *, jobs: int,
             force: bool, out_dir: Path, executor: Executor | None = None) -> int:
    from renderer.load.scene import load_scene
    from renderer.load.sequence import load_sequence
    from renderer.render import plan_scene

    started = time.perf_counter()
    sequence = load_sequence(sequence_path, project)
    _make_output_folder(out_dir)
    if not os.access(out_dir, os.W_OK | os.X_OK):  # say so now, not after the first scene
        raise OutputError(f"output folder {out_dir} is not writable")
    scenes, scene_jobs = {}, []
    for entry in sequence.entries:   # every scene is validated before anything renders
        scene = load_scene(entry.path, project)
        scenes[entry.scene] = scene
        scene_jobs.append(SceneJob(entry.scene, entry.path, out_dir / f"{entry.scene}.mp4",
                                   settings, cache_key(scene.files(), settings),
                                   plan_scene(scene, settings).frames, project.store))
    for target in [job.target for job in scene_jobs] + [out_dir / f"{sequence.film}.mp4"]:
        check_name(target)      # before anything renders, not when the film is written
    frames_of = {j.name: j.frames for j in scene_jobs}
    executor = executor or make_executor(jobs)
    progress = Progress(frames_of)
    try:
        with progress, executor, _queue(executor) as queue:
            try:
                results = run_scenes(scene_jobs, executor, force=force, on_done=progress.done,
                                     on_frames=progress.update, progress_queue=queue)
            except BaseException:  # interrupted, or a scene failed: the batch stops here
                stop_workers(executor)  # while their progress queue still works
                raise
    finally:
        remove_stale_partials(out_dir)  # anything a worker that died outright left behind

    pinned: list[Path] = []   # the scene videos this batch wrote, held against replacement
    try:
        for job in scene_jobs:
            link = pin(job.target, job.key)
            if link is None:
                raise OutputError(f"{job.target} changed while the batch ran (another render "
                                  "or batch writing to the same folder?)",
                                  hint="run one batch per output folder, then stopmo batch again")
            pinned.append(link)
        target, n = _film(sequence, sequence_path, scenes, scene_jobs, pinned,
                          settings, out_dir, force)
    finally:
        for link in pinned:
            link.unlink(missing_ok=True)
    print(summary(results, target, n / settings.fps, time.perf_counter() - started))
    return 0
