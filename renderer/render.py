"""From a scene to frames: the exposure sheet of every shot, each exposure rendered once.

`render_exposure` is the pure function at the heart of stopmo: (scene, shot, exposure, settings)
to an RGB frame. Everything else here is bookkeeping of frames and holds.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from queue import SimpleQueue
from threading import Thread
from typing import Callable, Iterator

import cv2
import numpy as np

from renderer.compose.composite import compose, preload_cast, preload_set
from renderer.compose.paintings import Paintings
from renderer.compose.post import ExposureLook, PostChain
from renderer.compose.safeband import line_places
from renderer.compose.text import draw_placed_captions
from renderer.compose.weather import draw_weather
from renderer.errors import SceneError, did_you_mean
from renderer.model.scene import Scene, Shot
from renderer.settings import RenderSettings
from renderer.stage.gait import StageMemo
from renderer.stage.framing import framed_shot
from renderer.stage.pose import stage_exposure
from renderer.stage.timing import Exposure, exposure_at, exposure_sheet, frames_for

WRITE_AHEAD = 4   # exposures handed to the writer and not yet written (each ~2.7 MB at 720p)


@dataclass(frozen=True)
class ShotPlan:
    shot: Shot
    first_frame: int          # scene-global frame where the shot starts
    exposure_sheet: tuple[Exposure, ...]   # its exposures in order: the animator's x-sheet

    @property
    def frames(self) -> int:
        return sum(e.hold for e in self.exposure_sheet)


def shot_sheet(shot: Shot, fps: int) -> tuple[Exposure, ...]:
    """Exposures of a shot: its step, or an action's own step while that action runs."""
    # an action runs on the frames whose time falls in [t, t + duration)
    spans = [(frames_for(a.t, fps), frames_for(a.t + a.duration, fps), a.step)
             for a in shot.actions if a.step is not None]

    def step_at(frame: int) -> int:
        return min([s for lo, hi, s in spans if lo <= frame < max(hi, lo + 1)], default=shot.step)

    return tuple(exposure_sheet(frames_for(shot.duration, fps), fps, step_at))


@dataclass(frozen=True, eq=False)
class ScenePlan:
    scene: Scene
    settings: RenderSettings
    shots: tuple[ShotPlan, ...]
    # what this render has painted, kept in memory for its later exposures; dropped with the plan
    paintings: Paintings = field(default_factory=Paintings, repr=False)
    # what it has worked out about its puppets' legs (gaits), kept the same way
    stage_memo: StageMemo = field(default_factory=StageMemo, repr=False)

    @property
    def frames(self) -> int:
        return sum(s.frames for s in self.shots)

    @property
    def exposures(self) -> int:
        return sum(len(s.exposure_sheet) for s in self.shots)

    def post_chain(self, world: str) -> PostChain | None:
        """The post chain of a world, built once per plan and kept in its paintings with its
        plates, or None when the settings turn post effects off (no grade, no effects)."""
        if not self.settings.post:
            return None
        look = self.scene.look
        return self.paintings.get("look", world, lambda: PostChain.build(
            self.settings.width, self.settings.height, world, self.scene.seed,
            grain=look["grain"], vignette=look["vignette"], halation=look["halation"],
            store=self.paintings.store))

    def line_places(self, sp: ShotPlan) -> dict[int, int | None]:
        """Where each exposure of `sp` draws its burnt captions (`safeband.line_places`),
        worked out once per shot from all its exposures: a frame rendered alone places them
        as the whole render does."""
        return self.paintings.get("lines", sp.shot.id, lambda: line_places(
            ((e.index, stage_exposure(self.scene, sp.shot, e, self.stage_memo))
             for e in sp.exposure_sheet),
            self.settings, self.paintings))


def plan_scene(scene: Scene, settings: RenderSettings, shot_id: str | None = None) -> ScenePlan:
    """The render of `scene` (or of its shot `shot_id`) at `settings`. It paints through the
    paint cache its project was opened with (`Project.store`: none unless the command line, a
    batch or a test gave it one), and keeps what it paints in its own `Paintings`."""
    if settings.seed is not None:  # the command line's seed wins over the scene file's
        scene = replace(scene, seed=settings.seed)
    shots = scene.shots
    if shot_id is not None:
        ids = [s.id for s in shots]
        if shot_id not in ids:
            raise SceneError(f"no shot {shot_id!r} in scene {scene.name!r}",
                             hint=did_you_mean(shot_id, ids, "shot"))
        shots = tuple(s for s in shots if s.id == shot_id)
    plans, start = [], 0
    for shot in shots:
        # framed once here, so that no exposure measures the puppet a camera is framed on
        sp = ShotPlan(framed_shot(scene, shot), start, shot_sheet(shot, settings.fps))
        plans.append(sp)
        start += sp.frames
    return ScenePlan(scene, settings, tuple(plans), Paintings(scene.project.store))


def render_exposure(plan: ScenePlan, shot: ShotPlan, exposure: Exposure) -> np.ndarray:
    """One photograph: (H, W, 3) uint8 RGB. A pure function of its arguments."""
    scene = plan.scene
    state = stage_exposure(scene, shot.shot, exposure, plan.stage_memo)
    look = plan.post_chain(shot.shot.world)
    grade = look.grade if look else None
    frame = compose(shot.shot.set, state, plan.settings, grade, plan.paintings)
    if shot.shot.weather:
        draw_weather(frame, shot.shot.weather, scene.seed, shot.shot.id, exposure.index,
                     exposure.time, grade, plan.paintings)
    if look:
        frame = look.apply(frame, ExposureLook(state.flicker, state.grain))
    if state.captions and plan.settings.burn_captions:
        draw_placed_captions(frame, state.captions, plan.line_places(shot)[exposure.index],
                             plan.paintings)
    return frame


def locate(plan: ScenePlan, frame: int) -> tuple[ShotPlan, Exposure]:
    """The shot and exposure that show scene-global `frame`."""
    if not 0 <= frame < plan.frames:
        raise SceneError(f"frame {frame} is outside the scene (0..{plan.frames - 1})")
    for sp in plan.shots:
        if frame < sp.first_frame + sp.frames:
            return sp, exposure_at(sp.exposure_sheet, frame - sp.first_frame)
    raise AssertionError("unreachable")


def render_frame(plan: ScenePlan, frame: int) -> np.ndarray:
    sp, exposure = locate(plan, frame)
    return render_exposure(plan, sp, exposure)


def exposures(plan: ScenePlan, span: tuple[int, int] | None = None
              ) -> Iterator[tuple[ShotPlan, Exposure]]:
    """The plan's exposures in order; with `span` (first, end) only those whose first frame
    (scene-global) lies in first <= frame < end: a chunk of whole exposures."""
    for sp in plan.shots:
        for e in sp.exposure_sheet:
            if span is None or span[0] <= sp.first_frame + e.frame < span[1]:
                yield sp, e


def exposure_starts(plan: ScenePlan) -> list[int]:
    """The scene-global frame where each exposure starts: where a chunk may begin, since a
    chunk boundary never splits a hold."""
    return [sp.first_frame + e.frame for sp, e in exposures(plan)]


def _load_first_exposure(plan: ScenePlan, span: tuple[int, int] | None = None) -> None:
    """Load what the first exposure waits for in two threads: the set's paintings in one, the
    post plates and the cast's paintings in the other. Decoding, grading and plate-building
    release the GIL, and until the first frame arrives the encoder leaves a core idle. (More
    threads gained no time and cost memory: each keeps its own malloc arena.)"""
    first = next(exposures(plan, span), None)
    if first is None:
        return
    sp, exposure = first
    state = stage_exposure(plan.scene, sp.shot, exposure, plan.stage_memo)
    look = plan.post_chain(sp.shot.world)
    grade = look.grade if look else None
    with ThreadPoolExecutor(max_workers=1) as helper:
        job = helper.submit(preload_set, sp.shot.set, state.camera, plan.settings, grade,
                            plan.paintings)
        if look:
            look.prepare()
        preload_cast(state, plan.settings, grade, plan.paintings, sp.shot.set)
        job.result()


def render_frames(plan: ScenePlan, on_exposure: Callable[[int], None] | None = None, *,
                  preload: bool = True, span: tuple[int, int] | None = None
                  ) -> Iterator[tuple[np.ndarray, int]]:
    """(frame, hold) for every exposure in order: each rendered once, to be written `hold` times.
    preload: load the first exposure's paintings in two threads (see `_load_first_exposure`).
    span: only the exposures of this chunk (see `exposures`)."""
    if preload:
        _load_first_exposure(plan, span)
    for sp, e in exposures(plan, span):
        yield render_exposure(plan, sp, e), e.hold
        if on_exposure is not None:
            on_exposure(e.hold)


@contextmanager
def _opencv_threads(n: int) -> Iterator[None]:
    """OpenCV's own worker threads limited to `n` for the duration (a process-wide setting)."""
    before = cv2.getNumThreads()
    cv2.setNumThreads(n)
    try:
        yield
    finally:
        cv2.setNumThreads(before)


def span_frames(plan: ScenePlan, span: tuple[int, int] | None) -> int:
    """How many frames a render of `span` (all of the plan when None) writes."""
    return plan.frames if span is None else sum(e.hold for _, e in exposures(plan, span))


def render_to(plan: ScenePlan, target, on_frames: Callable[[int], None] | None = None, *,
              preload: bool = True, label: str = "", span: tuple[int, int] | None = None,
              encoder_threads: int | None = None) -> str | None:
    """Render the whole plan into `target` (a video, or a folder of PNG frames), written in
    place only when complete (`open_sink`): the one way a scene becomes a file. Returns the
    video's `file_identity` as written (None for frames).

    span: render only this chunk of whole exposures (`exposures`), as a silent video (its
    sound is the whole scene's, muxed once the chunks are joined) or PNG frames numbered from
    0. encoder_threads: x264's threads (default: one per core this process may use)."""
    from renderer.output.encode import open_sink
    from renderer.output.files import is_frame_folder
    sound = None
    if plan.settings.audio and span is None and not is_frame_folder(target):
        # made beside the frames, in a thread of its own (numpy leaves the GIL for its loops)
        helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stopmo-sound")
        made = helper.submit(soundtrack, plan)
        helper.shutdown(wait=False)
        sound = lambda: as_sound(made.result(), plan.settings)  # noqa: E731
    with open_sink(target, plan.settings.video, expected_frames=span_frames(plan, span),
                   label=label or plan.scene.name, sound=sound, threads=encoder_threads) as sink:
        render_into(plan, sink, on_frames, preload=preload, span=span)
    return sink.identity


def soundtrack(plan: ScenePlan, normalise: bool = True):
    """The plan's soundtrack (`sound.mix.Soundtrack`): as long as its frames, in step with them."""
    from renderer.sound.mix import scene_soundtrack
    return scene_soundtrack(plan.scene, plan.shots, plan.settings.fps, normalise=normalise)


def as_sound(track, settings: RenderSettings):
    """A soundtrack as the encoder's `Sound`: its samples, and its lines as subtitle cues when
    the settings keep a caption track."""
    from renderer.output.mux import Cue, Sound
    cues = tuple(Cue(s.start, s.end, s.speaker, s.text) for s in track.subtitles) \
        if settings.caption_track else ()
    return Sound(track.samples if settings.audio else None, cues)


def render_into(plan: ScenePlan, sink, on_frames: Callable[[int], None] | None = None, *,
                preload: bool = True, span: tuple[int, int] | None = None) -> None:
    """Render every exposure into `sink` (written `hold` times each) while a writer thread feeds
    the encoder: the next exposure is rendered while the last one is still going down the pipe
    (both release the GIL: OpenCV while compositing, the pipe write while ffmpeg reads).

    The renderer works on one core and leaves the other to the encoder: once the first
    exposure's paintings are loaded (when the encoder still waits), OpenCV runs its kernels on
    one thread. Splitting its small warps and blends across cores that x264 keeps busy cost the
    renderer ~20 % more CPU, taken from the encoder: ~2 % of the wall, measured. preload, span:
    as for `render_frames`."""
    # The hand-over is two SimpleQueues, not a bounded Queue: Ctrl-C and SIGTERM raise
    # KeyboardInterrupt in this thread wherever it is, and inside queue.Queue's Python-level
    # Condition that can lose a wake-up (the writer never sees the end: `stopmo render` hung
    # after a SIGTERM) or a lock. A SimpleQueue's put and get are C: each happens whole or not.
    exposures: SimpleQueue = SimpleQueue()   # (frame, hold), then None
    room: SimpleQueue = SimpleQueue()        # a token for each exposure the writer may take
    for _ in range(WRITE_AHEAD):
        room.put(True)
    failure: list[BaseException] = []

    def writer() -> None:
        while (item := exposures.get()) is not None:
            if not failure:           # after a failure, drain so the renderer never blocks
                try:
                    sink.write(item[0], repeat=item[1])
                except BaseException as exc:  # noqa: BLE001 - re-raised in the rendering thread
                    failure.append(exc)
            room.put(True)

    thread = Thread(target=writer, name="stopmo-writer", daemon=True)
    thread.start()
    try:
        if preload:
            _load_first_exposure(plan, span)
        with _opencv_threads(1):
            for frame, hold in render_frames(plan, on_frames, preload=False, span=span):
                room.get()
                if failure:
                    break
                exposures.put((frame, hold))
    finally:
        try:
            exposures.put(None)   # the writer stops at the first None ...
        finally:
            exposures.put(None)   # ... which an interrupt just before it would skip
            thread.join()
    if failure:
        raise failure[0]
