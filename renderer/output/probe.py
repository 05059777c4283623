"""Reading videos back: what a file holds (codec, size, fps, frames) and its decoded frames.

Used to assemble the film from finished scene videos, to check a cached scene and by tests; the
writing side is `renderer.encode`. Both run the ffmpeg binary bundled with imageio-ffmpeg.
"""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import imageio_ffmpeg
import numpy as np

from renderer.errors import EncodeError


@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds. fps in frames per second; duration in seconds."""

    codec: str
    pix_fmt: str
    width: int
    height: int
    fps: float
    frames: int
    duration: float


# "Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x...), yuv420p(tv, bt709, progressive),
#  1920x1080 [SAR 1:1 DAR 16:9], 3 kb/s, 24 fps, 24 tbr, 12288 tbn (default)"
_STREAM_RE = re.compile(r"Stream #\d+:\d+\S*: Video: (\w+)[^,]*, (\w+)(?:\([^)]*\))?.*?, "
                        r"(\d+)x(\d+)(?:.*?, ([\d.]+)(k?) fps)?")


def parse_stream_line(header: str) -> tuple[str, str, int, int, float]:
    """(codec, pix_fmt, width, height, fps) from the first video stream of `ffmpeg -i` output.

    fps is 0.0 when ffmpeg does not state it. Raises ValueError when there is no video stream.
    """
    m = _STREAM_RE.search(header)
    if not m:
        raise ValueError("no video stream")
    codec, pix_fmt, width, height, rate, kilo = m.groups()
    fps = float(rate) * (1000 if kilo else 1) if rate else 0.0
    return codec, pix_fmt, int(width), int(height), fps


def probe(path: str | os.PathLike) -> VideoInfo:
    """Codec, pixel format, size, fps, frame count and duration (seconds) of a video file.

    Raises EncodeError when the file is missing or holds no readable video stream.
    """
    path = Path(path)
    if not path.is_file():
        raise EncodeError(f"cannot probe {path}: no such file")
    run = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                         stdin=subprocess.DEVNULL, capture_output=True)
    header = run.stderr.decode("utf-8", "replace")  # exits 1 (no output file): expected
    try:
        codec, pix_fmt, width, height, fps = parse_stream_line(header)
        frames = count_frames(path)
    except (ValueError, RuntimeError):
        last = header.strip().splitlines()[-1:] or ["no output"]
        raise EncodeError(f"cannot read {path} as a video: {last[0]}") from None
    m = re.search(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)", header)
    duration = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)) if m else \
        frames / (fps or 1.0)
    return VideoInfo(codec, pix_fmt, width, height, fps, int(frames), float(duration))


def count_frames(path: str | os.PathLike) -> int:
    """Video frames in a file, counted from its packets without decoding (stream copy to null:
    ~20x faster than imageio_ffmpeg.count_frames_and_secs, which decodes every frame)."""
    run = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostats", "-i",
                          str(path), "-map", "0:v:0", "-c", "copy", "-f", "null", "-"],
                         stdin=subprocess.DEVNULL, capture_output=True)
    text = run.stderr.decode("utf-8", "replace")
    found = re.findall(r"frame=\s*(\d+)", text)
    if run.returncode != 0 or not found:
        last = text.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(last[0])
    return int(found[-1])


def read_frames(path: str | os.PathLike, *, from_end: float | None = None) -> Iterator[np.ndarray]:
    """Decode a video into (H, W, 3) uint8 RGB frames (read-only arrays), in order.

    from_end: start this many seconds before the end (to fetch the last frames cheaply)."""
    extra = ["-sseof", f"-{from_end:.3f}"] if from_end else None
    gen = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24", input_params=extra)
    try:
        meta = next(gen)
        width, height = meta["size"]
        for raw in gen:
            yield np.frombuffer(raw, np.uint8).reshape(height, width, 3)
    finally:
        gen.close()  # stops the ffmpeg reader even when the caller stops early
