"""Assembling the film from finished scene videos: title cards, transitions, no re-rendering.

The film is a list of parts (a held title card, or a scene's MP4) joined by transitions. A
transition inserts frames between two parts — a dissolve through black (`fade`) or a closing and
opening circle (`iris`) — so the film's frame count is the parts' plus the transitions'.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

import cv2
import numpy as np

from renderer.encode import FrameSink
from renderer.probe import probe, read_frames
from renderer.timing import frames_for


@dataclass(frozen=True)
class Part:
    """A held still (`image`, shown for `frames`) or a video file (`video`)."""

    frames: int
    image: np.ndarray | None = None
    video: Path | None = None
    transition: str = "cut"    # how this part is joined to the one before it

    def read(self) -> Iterator[np.ndarray]:
        yield from read_frames(self.video)


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


def assemble(parts: list[Part], sink: FrameSink, seconds: float, fps: int,
             on_frames: Callable[[int], None] | None = None) -> None:
    """Stream every part and the transitions between them into `sink`."""
    last = None
    for part in parts:
        if part.image is not None:   # a held card: one image, written `frames` times
            if last is not None:
                for f in between(part.transition, last, part.image,
                                 transition_frames(part.transition, seconds, fps)):
                    sink.write(f)
            sink.write(part.image, repeat=part.frames)
            last = part.image
            if on_frames is not None:
                on_frames(part.frames)
            continue
        frames = part.read()
        first = next(frames)
        if last is not None:
            for f in between(part.transition, last, first,
                             transition_frames(part.transition, seconds, fps)):
                sink.write(f)
        sink.write(first)
        last = first
        count = 1
        for frame in frames:
            sink.write(frame)
            last = frame
            count += 1
            if on_frames is not None and count % 24 == 0:
                on_frames(24)
        if on_frames is not None:
            on_frames(count % 24)
