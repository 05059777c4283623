"""The film's own frames: title cards and transitions, encoded as short segments that are joined
with the scene videos by stream copy (`join.join_videos`; the graph that makes them is
`jobs/batchrun.py`).

The film is a list of parts (a held title card, or a scene's MP4) joined by transitions. A
transition inserts frames between two parts — a dissolve through black (`fade`) or a closing and
opening circle (`iris`) — so the film's frame count is the parts' plus the transitions'. Scene
videos are never decoded and encoded again: only their first and last frames are read, for the
transitions.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from renderer.errors import EncodeError
from renderer.output.encode import open_sink
from renderer.output.probe import read_frames
from renderer.settings import RenderSettings
from renderer.stage.timing import frames_for


def transition_frames(kind: str, seconds: float, fps: int) -> int:
    return 0 if kind == "cut" else frames_for(seconds, fps)


def _iris_distance(width: int, height: int) -> np.ndarray:
    """(height, width) each pixel's distance from the centre, 1 at the corners (~50 ms at 720p:
    made once per transition)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    d = np.hypot(x - width / 2, y - height / 2)
    return d / d.max()


def _iris(frame: np.ndarray, opening: float, distance: np.ndarray) -> np.ndarray:
    """The frame seen through a circular iris opened to `opening` (0 closed, 1 fully open);
    `distance` is `_iris_distance` of its size."""
    h, w = frame.shape[:2]
    mask = (distance <= opening).astype(np.uint8)
    mask = cv2.GaussianBlur(mask * 255, (0, 0), max(1.0, w / 400))
    return cv2.multiply(frame, cv2.merge((mask, mask, mask)), scale=1 / 255)


def between(kind: str, last: np.ndarray, first: np.ndarray, n: int) -> Iterator[np.ndarray]:
    """The `n` frames inserted between a part ending on `last` and one starting on `first`."""
    distance = _iris_distance(last.shape[1], last.shape[0]) if kind != "fade" and n else None
    for i in range(n):
        p = (i + 1) / (n + 1)   # never fully black, never a repeat of either neighbour
        if kind == "fade":     # dip through black: out in the first half, in in the second
            frame, gain = (last, 1 - 2 * p) if p < 0.5 else (first, 2 * p - 1)
            yield cv2.convertScaleAbs(frame, alpha=gain)
        else:                  # iris closes on the old part, opens on the new one
            yield _iris(last, 1 - 2 * p, distance) if p < 0.5 else \
                _iris(first, 2 * p - 1, distance)


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


def encode_segment(path: Path, frames, n: int, settings: RenderSettings, label: str,
                   threads: int | None = None) -> Path:
    """Encode a short piece of the film (frames, or (frame, repeat) pairs) with the film's settings."""
    with open_sink(path, settings.video, expected_frames=n, label=label, threads=threads) as sink:
        for item in frames:
            frame, repeat = item if isinstance(item, tuple) else (item, 1)
            sink.write(frame, repeat=repeat)
    return path
