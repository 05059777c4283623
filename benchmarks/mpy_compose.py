"""The standard shot composed the idiomatic moviepy 2 way, from `composition.json` and its PNGs
(see benchmarks.mpy_export): one ImageClip per run of a part, resized, rotated and positioned by
functions of time, all stacked in a CompositeVideoClip and written with write_videofile.

Imports nothing from stopmo: this is what a moviepy user holding the same images and the same
per-exposure transforms would write.
"""
from __future__ import annotations

import json
import math
from bisect import bisect_right
from pathlib import Path

from moviepy import CompositeVideoClip, ImageClip, vfx


def rotated_size(w: int, h: int, angle: float) -> tuple[int, int]:
    """The size in px of a `w` x `h` image after PIL's rotate(angle, expand=True), computed as
    Pillow does (its corners turned about the centre, cosines rounded to 15 places)."""
    if angle % 360 == 0:
        return w, h
    a = -math.radians(angle % 360)
    c, s = round(math.cos(a), 15), round(math.sin(a), 15)
    corners = ((0, 0), (w, 0), (w, h), (0, h))
    xs = [w / 2 + c * (x - w / 2) + s * (y - h / 2) for x, y in corners]
    ys = [h / 2 - s * (x - w / 2) + c * (y - h / 2) for x, y in corners]
    return (math.ceil(max(xs)) - math.floor(min(xs)), math.ceil(max(ys)) - math.floor(min(ys)))


def _part_clip(folder: Path, run: dict, starts: list[int], frames: int, fps: int):
    """One ImageClip showing `run` from its first exposure to its last, moved per exposure."""
    k0, n = run["first"], len(run["scale"])
    t0 = starts[k0] / fps
    t1 = (starts[k0 + n] if k0 + n < len(starts) else frames) / fps
    local = starts[k0:k0 + n]
    scale, angle, center = run["scale"], run["angle"], run["center"]

    def k(t: float) -> int:      # the exposure shown at clip time t
        return bisect_right(local, int((t + t0) * fps + 1e-6)) - 1

    clip = ImageClip(str(folder / "images" / run["image"]))
    w, h = clip.size
    if run["flip"]:
        clip = clip.with_effects([vfx.MirrorX()])
    clip = clip.resized(lambda t: scale[k(t)])
    if any(a % 360 for a in angle):
        clip = clip.rotated(lambda t: angle[k(t)], expand=True)

    def position(t: float) -> tuple[float, float]:
        i = k(t)
        rw, rh = rotated_size(int(w * scale[i]), int(h * scale[i]), angle[i])
        return center[i][0] - rw / 2, center[i][1] - rh / 2

    return clip.with_position(position).with_start(t0).with_duration(t1 - t0)


def build(folder: Path) -> CompositeVideoClip:
    """The whole shot as one CompositeVideoClip, clips back to front."""
    spec = json.loads((folder / "composition.json").read_text())
    fps, frames, starts = spec["fps"], spec["frames"], spec["starts"]
    clips = [_part_clip(folder, run, starts, frames, fps) for run in spec["clips"]]
    return CompositeVideoClip(clips, size=tuple(spec["size"]), bg_color=(0, 0, 0)) \
        .with_duration(frames / fps)


def write(folder: Path, target: Path, *, crf: int, preset: str) -> int:
    """Compose and encode to `target` (libx264, the given crf and preset); returns frames."""
    spec = json.loads((folder / "composition.json").read_text())
    video = build(folder)
    video.write_videofile(str(target), fps=spec["fps"], codec="libx264", preset=preset,
                          ffmpeg_params=["-crf", str(crf)], audio=False, logger=None)
    video.close()
    return spec["frames"]
