"""The film job behind `stopmo batch` (and a scene rendered in chunks): validate everything, then
render stale scenes and assemble the film as one graph of tasks (`graph.py`).

The graph: every stale scene is cut into chunks (`chunks.py`; a scene of one chunk is rendered
straight to its video); a scene's join waits on its chunks; each title card is a segment task
that waits on nothing, each transition one that waits on the two parts it joins; the film's
soundtrack is a task too, waiting on nothing (its samples written beside the segments: this
process stays small while the workers render). Only the final join of the film's segments (a
stream copy and the sound's mux) waits for everything. Tasks run on an `Engine`: this process,
a local pool, or a Dask cluster.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from renderer.errors import OutputError
from renderer.jobs.batch import (
    SceneJob,
    SceneResult,
    cache_key,
    holds,
    is_cached,
    pin,
    pin_path,
    remember,
    render_job,
    summary,
)
from renderer.jobs.chunks import (
    CHUNKS_DIR,
    auto_chunk_frames,
    chunk_done,
    chunk_folder,
    chunk_jobs,
    chunk_spans,
    join_scene,
    render_chunk,
)
from renderer.jobs.engines import Engine
from renderer.jobs.filmtasks import Card, card_segment, film_sound, transition_segment
from renderer.jobs.graph import CHUNK, JOIN, SEGMENT, Progress, Task, run_tasks
from renderer.load.project import Project
from renderer.output.files import check_name, remove_path, remove_stale_partials
from renderer.settings import RenderSettings
from renderer.stage.timing import frames_for


def open_engine(jobs: int, cluster: str | None = None):
    """The engine a command asked for: a Dask cluster (`--cluster`), else `jobs` local workers.
    Connecting to a cluster fails here, before any work, when its scheduler cannot be reached."""
    if cluster:
        from renderer.jobs.cluster import connect
        return connect(cluster)
    return Engine(jobs)


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


class SceneWork:
    """The tasks that bring one stale scene to its target, and what they found."""

    def __init__(self, job: SceneJob, starts: list[int], chunk_frames: int, engine,
                 progress: Progress, on_scene) -> None:
        self.job, self.started = job, time.perf_counter()
        inline = engine.inline
        report = progress.frame if inline else None
        spans = chunk_spans(starts, job.frames, chunk_frames)
        self.chunks = 0
        if len(spans) == 1:   # one chunk: straight to the target, its sound muxed as it ends
            self.chunks = 1

            def whole_done(result: SceneResult) -> None:
                progress.chunk(job.frames, counted=inline)
                on_scene(result)
            self.tasks = [Task(job.name, render_job, (job, report, engine.threads),
                               priority=CHUNK, on_done=whole_done)]
            return
        chunks = chunk_jobs(job, spans, engine.threads)
        todo = [c for c in chunks if not chunk_done(c)]   # complete chunks are not sent again
        self.chunks = len(chunks)
        for c in chunks:
            if c not in todo:
                progress.chunk(c.frames)
        seconds: list[float] = []

        def chunk_finished(frames: int):
            def done(result) -> None:
                seconds.append(result[1])
                progress.chunk(frames, counted=inline)
            return done
        self.tasks = [Task(f"{job.name} {c.span}", render_chunk, (c, report),
                           priority=CHUNK, on_done=chunk_finished(c.frames)) for c in todo]
        self.tasks.append(Task(f"join {job.name}", join_scene,
                               lambda: (job, chunks, sum(seconds)),
                               deps=tuple(self.tasks), priority=JOIN, on_done=on_scene))

    @property
    def last(self) -> Task:
        """The task after which the scene's target is complete."""
        return self.tasks[-1]


def run_film(project: Project, sequence_path: Path, settings: RenderSettings, *, jobs: int = 1,
             force: bool, out_dir: Path, cluster: str | None = None,
             chunk_frames: int | None = None, engine=None) -> int:
    """Render the sequence's stale scenes and assemble the film. chunk_frames: frames per chunk
    (None: chosen from the work and the workers; 0: whole scenes). engine: where tasks run
    (default: `open_engine(jobs, cluster)`)."""
    from renderer.load.scene import load_scene
    from renderer.load.sequence import load_sequence
    from renderer.render import exposure_starts, plan_scene

    started = time.perf_counter()
    sequence = load_sequence(sequence_path, project)
    _make_output_folder(out_dir)
    if not os.access(out_dir, os.W_OK | os.X_OK):  # say so now, not after the first scene
        raise OutputError(f"output folder {out_dir} is not writable")
    scenes, scene_jobs, starts = {}, [], {}
    for entry in sequence.entries:   # every scene is validated before anything renders
        scene = load_scene(entry.path, project)
        scenes[entry.scene] = scene
        plan = plan_scene(scene, settings)
        starts[entry.scene] = exposure_starts(plan)
        scene_jobs.append(SceneJob(entry.scene, entry.path, out_dir / f"{entry.scene}.mp4",
                                   settings, cache_key(scene.files(), settings), plan.frames,
                                   project.store))
    target = out_dir / f"{sequence.film}.mp4"
    for path in [job.target for job in scene_jobs] + [target]:
        check_name(path)      # before anything renders, not when the film is written
    engine = engine or open_engine(jobs, cluster)
    if not engine.local:   # a cluster's workers use their own machines' paint caches
        scene_jobs = [replace(job, store=None) for job in scene_jobs]
    try:
        engine.check_workers(out_dir, sorted({f for s in scenes.values() for f in s.files()}))
    except BaseException:
        engine.close()
        raise
    film = _FilmWork(sequence, sequence_path, scenes, scene_jobs, settings, target, force)
    try:
        results = film.run(engine, starts, chunk_frames)
    except BaseException:   # interrupted, or a task failed: everything stops here
        engine.stop()
        raise
    finally:
        engine.close()
        film.tidy()
    print(summary(results, target, film.frames / settings.fps, time.perf_counter() - started))
    if film.chunk_frames:
        print(f"chunks: {film.chunks} of about {film.chunk_frames} frames on {engine.where}")
    return 0


class _FilmWork:
    """One batch: its scene jobs, the film's parts, and the scene videos it holds pinned."""

    def __init__(self, sequence, sequence_path: Path, scenes: dict, scene_jobs: list[SceneJob],
                 settings: RenderSettings, target: Path, force: bool) -> None:
        self.sequence, self.scenes, self.jobs = sequence, scenes, scene_jobs
        self.settings, self.target, self.force = settings, target, force
        self.key = hashlib.sha256("".join(j.key for j in scene_jobs).encode()
                                  + sequence_path.read_bytes() + repr(settings).encode()
                                  ).hexdigest()
        self.parts = self._parts()
        fps, seconds = settings.fps, sequence.transition_seconds
        self.frames = sum(frames for _, frames, _ in self.parts) + sum(
            frames_for(seconds, fps) for _, _, kind in self.parts[1:] if kind != "cut")
        self.pinned: dict[str, Path] = {}
        # the film's segments until it is joined: beside the chunks, on the folder every worker
        # sees (not a temporary name of this process: a batch killed outright leaves scratch
        # that its rerun clears, never something that looks half-written)
        self.work = target.parent / CHUNKS_DIR / f"{sequence.film}-film-{self.key[:20]}"
        self.chunks = self.chunk_frames = 0
        self.scratch: Path | None = None   # the film's sound on this machine, until joined

    def _parts(self) -> list[tuple[Card | SceneJob, int, str]]:
        """(card or scene job, frames, transition into it), in the film's order."""
        seq, fps = self.sequence, self.settings.fps
        card = frames_for(seq.card_seconds, fps)
        parts: list = [(Card(seq.title, seq.subtitle, 0, card), card, "cut")] if card else []
        for entry, job in zip(seq.entries, self.jobs):
            s = self.scenes[entry.scene]
            if entry.card and card:
                parts.append((Card(s.title, s.moment, s.seed, card), card, entry.transition))
                parts.append((job, job.frames, "cut" if entry.transition == "iris" else "fade"))
            else:
                parts.append((job, job.frames, entry.transition))
        return parts

    def _pin(self, job: SceneJob) -> None:
        link = pin(job.target, job.key)
        if link is None:
            raise OutputError(f"{job.target} changed while the batch ran (another render "
                              "or batch writing to the same folder?)",
                              hint="run one batch per output folder, then stopmo batch again")
        self.pinned[job.name] = link

    def run(self, engine, starts: dict[str, list[int]], chunk_frames: int | None
            ) -> list[SceneResult]:
        results: dict[str, SceneResult] = {}
        stale = [j for j in self.jobs if self.force or not (
            is_cached(j.target, j.key) and holds(j.target, j.settings, j.frames))]
        for job in self.jobs:
            if job not in stale:
                results[job.name] = SceneResult(job.name, job.frames / job.settings.fps,
                                                job.frames, 0.0, True)
                self._pin(job)
        self.chunk_frames = auto_chunk_frames(sum(j.frames for j in stale), engine.slots) \
            if chunk_frames is None else chunk_frames
        make_film = self.force or not (is_cached(self.target, self.key)
                                       and holds(self.target, self.settings, self.frames))
        with Progress(sum(j.frames for j in stale), 0, self.sequence.film) as progress:
            def scene_done(result: SceneResult) -> None:
                results[result.name] = result
                self._pin(next(j for j in self.jobs if j.name == result.name))
                progress.say(f"{result.name}: rendered ({result.frames} frames)")
            works = {j.name: SceneWork(j, starts[j.name], self.chunk_frames, engine, progress,
                                       scene_done) for j in stale}
            self.chunks = progress.chunks = sum(w.chunks for w in works.values())
            tasks = [t for w in works.values() for t in w.tasks]
            sound = None
            if make_film:
                remove_path(self.work)
                self.work.mkdir(parents=True)
                tasks += self._segment_tasks(works, engine)
                sound = self._sound_task(engine)
                if sound is not None:
                    tasks.append(sound)
            run_tasks(tasks, engine.executor, engine.in_flight)
            for job in self.jobs:
                if job.name not in self.pinned:   # a scene task that ended without a result
                    raise OutputError(f"{job.name} was not rendered")
            if make_film:
                self._join(tasks, sound)
        return [results[j.name] for j in self.jobs]

    def _segment_tasks(self, works: dict, engine) -> list[Task]:
        """A task per title card and per transition, each waiting on the parts it shows."""
        settings, seconds, label = self.settings, self.sequence.transition_seconds, \
            self.sequence.film
        tasks, self.order = [], []
        makers: list[Task | None] = []   # the task after which part k is on disk (None: now)
        for k, (piece, frames, kind) in enumerate(self.parts):
            makers.append(works[piece.name].last if isinstance(piece, SceneJob)
                          and piece.name in works else None)
            n = frames_for(seconds, settings.fps) if k and kind != "cut" else 0
            if n:
                deps = tuple(t for t in (makers[k - 1], makers[k]) if t is not None)
                before, after = self.parts[k - 1][0], piece
                task = Task(f"transition {k}", transition_segment, (lambda k=k, before=before,
                            after=after, kind=kind, n=n: (
                                self.work / f"{k:03d}-in.mp4", kind, self._source(before),
                                self._source(after), n, settings, label, engine.threads)),
                            deps=deps, priority=SEGMENT)
                tasks.append(task)
                self.order.append((task, n))
            if isinstance(piece, Card):
                task = Task(f"card {k}", card_segment, (self.work / f"{k:03d}-card.mp4",
                            piece, settings, label, engine.threads), priority=SEGMENT)
                tasks.append(task)
                self.order.append((task, frames))
            else:
                self.order.append((piece, frames))
        return tasks

    def _source(self, piece: Card | SceneJob) -> Card | Path:
        return piece if isinstance(piece, Card) else self.pinned[piece.name]

    def _sound_task(self, engine) -> Task | None:
        """The film's soundtrack as a task of its own (`film_sound`): it waits on nothing, and
        its samples go to a file, not through this process: on this machine a temporary one
        (as a scene's sound goes, keeping the output's disk for what is kept), for a cluster's
        workers the film's work folder, which every worker and this process see."""
        if not (self.settings.audio or self.settings.caption_track):
            return None
        if engine.local:
            self.scratch = Path(tempfile.mkdtemp(prefix="stopmo-film-sound-"))
        folder = self.scratch if engine.local else self.work
        pieces = [(p.path if isinstance(p, SceneJob) else None, frames, kind)
                  for p, frames, kind in self.parts]
        # after every chunk is under way (the last made of its priority): only the film's
        # final join needs it, and a slot it took first would hold back a scene's frames
        return Task("film sound", film_sound, (folder / "sound.wav", pieces, self.settings,
                                               self.sequence.transition_seconds),
                    priority=CHUNK)

    def _join(self, tasks: list[Task], sound: Task | None) -> None:
        from renderer.output.join import join_videos
        segments = [self.pinned[p.name] if isinstance(p, SceneJob) else p.result
                    for p, _ in self.order]
        written = join_videos(segments, self.target, [n for _, n in self.order],
                              self.settings.fps, self.sequence.film,
                              sound.result if sound is not None else None)
        remember(self.target, self.key, written)

    def tidy(self) -> None:
        """Whatever the outcome: the pins and the segments go, and anything a worker that died
        outright left half-written beside the scenes or among their chunks."""
        for job in self.jobs:   # a pin's name is known: one an interrupt left unrecorded too
            pin_path(job.target).unlink(missing_ok=True)
        remove_path(self.work)
        if self.scratch is not None:
            remove_path(self.scratch)
        out_dir = self.target.parent
        remove_stale_partials(out_dir)
        for job in self.jobs:
            _tidy_chunks(chunk_folder(job))
        _remove_if_empty(out_dir / CHUNKS_DIR)


def render_scene(scene, settings: RenderSettings, target: Path, *, shot: str | None = None,
                 jobs: int = 1, cluster: str | None = None, chunk_frames: int | None = None,
                 engine=None) -> tuple[int, int]:
    """`stopmo render SCENE` in chunks on an engine (local workers or a cluster): the chunks
    rendered as tasks, then joined into `target` (a video with the scene's sound, or a PNG
    folder). Returns (frames, chunks)."""
    from renderer.output.files import check_target
    from renderer.render import exposure_starts, plan_scene
    check_target(target)
    plan = plan_scene(scene, settings, shot)
    key = cache_key(scene.files(), settings)
    if shot is not None:   # a shot alone is another render than the scene's
        key = hashlib.sha256(f"{key} {shot}".encode()).hexdigest()
    engine = engine or open_engine(jobs, cluster)
    job = SceneJob(scene.name, scene.path, Path(target), settings, key, plan.frames,
                   store=scene.project.store if engine.local else None, shot=shot, record=False)
    try:
        engine.check_workers(Path(target).parent, scene.files())
        length = auto_chunk_frames(plan.frames, engine.slots) if chunk_frames is None \
            else chunk_frames
        with Progress(plan.frames, 0, scene.name) as progress:
            work = SceneWork(job, exposure_starts(plan), length, engine, progress,
                             lambda result: None)
            progress.chunks = work.chunks
            run_tasks(work.tasks, engine.executor, engine.in_flight)
    except BaseException:
        engine.stop()
        raise
    finally:
        engine.close()
        remove_stale_partials(Path(target).parent)
        _tidy_chunks(chunk_folder(job))
    return plan.frames, work.chunks


def _tidy_chunks(folder: Path) -> None:
    """Remove what dead workers left half-written among a scene's chunks, and the folder (and
    the chunks' folder above it) once nothing is left in them."""
    if folder.is_dir():
        remove_stale_partials(folder)
    _remove_if_empty(folder)
    _remove_if_empty(folder.parent)


def _remove_if_empty(folder: Path) -> None:
    try:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    except OSError:
        pass   # filled meanwhile by another batch, which tidies up after itself
