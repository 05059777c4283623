"""Assembling the film from finished scene videos: title cards, transitions, no re-rendering.

The film is a list of parts (a held title card, or a scene's MP4) joined by transitions. A
transition inserts frames between two parts — a dissolve through black (`fade`) or a closing and
opening circle (`iris`) — so the film's frame count is the parts' plus the transitions'. Scene
videos are joined by stream copy: assembling costs seconds, not a second encode of the film.
"""
from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

import cv2
import numpy as np

from renderer.errors import EncodeError
from renderer.output.encode import open_sink
from renderer.output.files import (
    DISK_FULL_ERRNOS,
    check_target,
    disk_full,
    partial_path,
    remove_path,
)
from renderer.output.join import join_videos
from renderer.output.mux import Sound
from renderer.output.probe import probe, read_frames
from renderer.settings import RenderSettings
from renderer.stage.timing import frames_for


@dataclass(frozen=True)
class Part:
    """A held still (`image`, shown for `frames`) or a video file (`video`)."""

    frames: int
    image: np.ndarray | None = None
    video: Path | None = None
    transition: str = "cut"    # how this part is joined to the one before it


def video_part(path: Path, transition: str) -> Part:
    return Part(probe(path).frames, video=path, transition=transition)


def transition_frames(kind: str, seconds: float, fps: int) -> int:
    return 0 if kind == "cut" else frames_for(seconds, fps)


def film_frames(parts: list[Part], seconds: float, fps: int) -> int:
    return sum(p.frames for p in parts) + sum(
        transition_frames(p.transition, seconds, fps) for p in parts[1:])


@lru_cache(maxsize=4)
def _iris_distance(width: int, height: int) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    d = np.hypot(x - width / 2, y - height / 2)
    return d / d.max()


def _iris(frame: np.ndarray, opening: float) -> np.ndarray:
    """The frame seen through a circular iris opened to `opening` (0 closed, 1 fully open)."""
    h, w = frame.shape[:2]
    mask = (_iris_distance(w, h) <= opening).astype(np.uint8)
    mask = cv2.GaussianBlur(mask * 255, (0, 0), max(1.0, w / 400))
    return cv2.multiply(frame, cv2.merge((mask, mask, mask)), scale=1 / 255)


def between(kind: str, last: np.ndarray, first: np.ndarray, n: int) -> Iterator[np.ndarray]:
    """The `n` frames inserted between a part ending on `last` and one starting on `first`."""
    for i in range(n):
        p = (i + 1) / (n + 1)   # never fully black, never a repeat of either neighbour
        if kind == "fade":     # dip through black: out in the first half, in in the second
            frame, gain = (last, 1 - 2 * p) if p < 0.5 else (first, 2 * p - 1)
            yield cv2.convertScaleAbs(frame, alpha=gain)
        else:                  # iris closes on the old part, opens on the new one
            yield _iris(last, 1 - 2 * p) if p < 0.5 else _iris(first, 2 * p - 1)


def first_frame(path: Path) -> np.ndarray:
    frames = read_frames(path)
    try:
        return next(frames).copy()
    finally:
        frames.close()


def last_frame(path: Path, fps: int) -> np.ndarray:
    """Decode only the last half second or so of a video and keep its final frame."""
    last = None
    for last in read_frames(path, from_end=max(0.5, 4.0 / fps)):
        pass
    if last is None:
        raise EncodeError(f"cannot read the last frame of {path}")
    return last.copy()


ASSEMBLY_THREADS = 3   # ffmpeg processes at once: short encodes and decodes mostly wait on start-up
LOOKAHEAD = 2          # parts whose first and last frames are decoded ahead (two frames each)


def assemble(parts: list[Part], target: Path, settings: RenderSettings, seconds: float,
             label: str, on_frames: Callable[[int], None] | None = None,
             sound: Sound | None = None) -> None:
    """Write the film to `target`: scene videos are joined as they are, by stream copy (never
    decoded and encoded again); only title cards and transitions are encoded, as short segments
    with the scenes' own encoder settings. Atomic like every other output, frame count checked.

    Each of those steps is a short ffmpeg run that waits mostly on its own start-up and flush, so
    up to ASSEMBLY_THREADS run at once: the segments are encoded, and the scenes' end frames
    decoded a few parts ahead, in a thread pool, and joined in the film's order.

    sound: the film's soundtrack and subtitles, made once for the whole film and muxed after the
    join (never the scenes' own AAC joined: encoder priming would click and drift at each seam)."""
    check_target(target)
    work = partial_path(target, ".parts")
    try:
        work.mkdir()
        pool = ThreadPoolExecutor(max_workers=ASSEMBLY_THREADS)
        try:
            segments = _segments(parts, work, settings, seconds, label, pool, on_frames)
        finally:   # after a failure or Ctrl-C, start nothing more; let the running few end
            pool.shutdown(wait=True, cancel_futures=True)
        join_videos([path for path, _ in segments], target, [n for _, n in segments],
                    settings.fps, label, sound)
    except OSError as err:
        if err.errno in DISK_FULL_ERRNOS:
            raise disk_full(target, label) from None
        raise
    finally:
        remove_path(work)


def _segments(parts: list[Part], work: Path, settings: RenderSettings, seconds: float,
              label: str, pool: ThreadPoolExecutor,
              on_frames: Callable[[int], None] | None) -> list[tuple[Path, int]]:
    """The film's segments in order, with their frames: each part's transition in and title card encoded in `pool`,
    its video as it is. At most 2 * ASSEMBLY_THREADS encodes wait at once (each holds frames)."""
    fps = settings.fps
    ends = [pool.submit(part_ends, part, fps) for part in parts[:LOOKAHEAD]]
    encodes: deque[tuple[Future, int]] = deque()
    segments: list[tuple[Path | Future, int]] = []

    def encode(path: Path, frames, n: int) -> None:
        encodes.append((pool.submit(encode_segment, path, frames, n, settings, label), n))
        segments.append((encodes[-1][0], n))
        while len(encodes) > 2 * ASSEMBLY_THREADS:
            done(*encodes.popleft())

    def done(future: Future, n: int) -> None:
        future.result()
        if on_frames is not None:
            on_frames(n)

    last = None
    for k, part in enumerate(parts):
        if k + LOOKAHEAD < len(parts):
            ends.append(pool.submit(part_ends, parts[k + LOOKAHEAD], fps))
        first, final = ends[k].result()
        ends[k] = None                      # the frames go with the segments that use them
        n = transition_frames(part.transition, seconds, fps) if last is not None else 0
        if n:
            encode(work / f"{k:03d}-in.mp4", between(part.transition, last, first, n), n)
        if part.image is not None:
            encode(work / f"{k:03d}-card.mp4", [(part.image, part.frames)], part.frames)
        else:
            segments.append((part.video, part.frames))
            if on_frames is not None:
                on_frames(part.frames)
        last = final
    while encodes:
        done(*encodes.popleft())
    return [(s.result() if isinstance(s, Future) else s, n) for s, n in segments]


def part_ends(part: Part, fps: int) -> tuple[np.ndarray, np.ndarray]:
    """A part's first and last frames."""
    if part.image is not None:
        return part.image, part.image
    return first_frame(part.video), last_frame(part.video, fps)


def encode_segment(path: Path, frames, n: int, settings: RenderSettings, label: str,
                   threads: int | None = None) -> Path:
    """Encode a short piece of the film (frames, or (frame, repeat) pairs) with the film's settings."""
    with open_sink(path, settings.video, expected_frames=n, label=label, threads=threads) as sink:
        for item in frames:
            frame, repeat = item if isinstance(item, tuple) else (item, 1)
            sink.write(frame, repeat=repeat)
    return path
