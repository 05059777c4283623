"""Joining finished pieces into one output: H.264 videos by stream copy, PNG frame folders by
renaming their frames. Used for a scene rendered in chunks and for the film.

Videos are joined with ffmpeg's concat demuxer and `-c copy`: never decoded and encoded again.
That is frame-exact only when every piece was encoded with identical settings (the same ffmpeg,
preset, crf, profile, pixel format and rate: the joined file keeps the first piece's codec
headers) and each starts on an IDR frame with a closed GOP, which every fresh x264 process gives
its first frame. The sound is never joined from pieces (AAC's priming would click and drift at
each seam): it is made once for the whole and muxed after the join.

Like every output, a join is atomic: the result is written to a temporary name beside the
target, its frames counted, and renamed into place only when complete.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import Sequence

from renderer.errors import EncodeError, OutputError
from renderer.output.files import (
    DISK_FULL_ERRNOS,
    FRAME_RE,
    check_target,
    file_identity,
    disk_full,
    partial_path,
    remove_path,
)
from renderer.output.mux import Sound, mux, sidecar, vtt_text, write_atomic
from renderer.output.probe import count_frames


def _ffmpeg() -> str:
    from renderer.output.encode import ffmpeg_exe
    return ffmpeg_exe()


def join_videos(pieces: Sequence[Path], target: Path, frames: Sequence[int], fps: int,
                label: str, sound: Sound | None = None) -> str:
    """Write `pieces` (holding `frames` each, at `fps`) one after another to `target` by stream
    copy, then mux `sound` (the soundtrack and subtitles of the whole) beside the video. Raises
    EncodeError when the joined video does not hold the sum of `frames`.

    Each piece's duration is told to the concat demuxer: read from the file it is the
    container's (in milliseconds, or a scene's AAC running past its last frame), and every
    seam would shift the timestamps after it by a fraction of a frame. Returns the written
    file's `file_identity` (taken before it was moved into place)."""
    check_target(target)
    expected = sum(frames)
    work = Path(tempfile.mkdtemp(prefix="stopmo-join-"))
    temp = partial_path(target, ".mp4")
    try:
        listing = work / "pieces.txt"
        listing.write_text("ffconcat version 1.0\n" + "".join(
            "file '" + str(Path(p).resolve()).replace("'", "'\\''") + "'\n"
            + f"duration {n / fps:.6f}\n" for p, n in zip(pieces, frames, strict=True)))
        run = subprocess.run([_ffmpeg(), "-hide_banner", "-v", "error", "-y", "-f", "concat",
                              "-safe", "0", "-i", str(listing), "-map", "0:v", "-c", "copy",
                              "-movflags", "+faststart", "-f", "mp4"
                              if target.suffix.lower() != ".mov" else "mov", str(temp)],
                             stdin=subprocess.DEVNULL, capture_output=True)
        if run.returncode != 0:
            if b"No space left on device" in run.stderr or b"Disk quota exceeded" in run.stderr:
                raise disk_full(target, label)
            raise EncodeError(f"joining {label} failed: "
                              f"{run.stderr.decode('utf-8', 'replace').strip()[-300:]}")
        counted = count_frames(temp)
        if counted != expected:
            raise EncodeError(f"{label} joined has {counted} frames, expected {expected}")
        if sound is not None and sound.muxed:
            muxed = partial_path(target, ".sound" + target.suffix)
            try:
                mux(temp, sound, muxed, label)
                os.replace(muxed, temp)
            finally:
                remove_path(muxed)
        identity = file_identity(temp)
        os.replace(temp, target)
        if sound is not None and sound.cues:
            write_atomic(sidecar(target), vtt_text(sound.cues).encode("utf-8"))
        return identity
    except OSError as err:
        if err.errno in DISK_FULL_ERRNOS:
            raise disk_full(target, label) from None
        raise
    finally:
        remove_path(temp)
        remove_path(work)


def join_frames(folders: Sequence[Path], target: Path, expected: int, label: str) -> None:
    """Move the frames of PNG folders (each numbered from frame_000000.png) into one folder at
    `target`, numbered on from one folder to the next; swapped into place like `PngSink`."""
    from renderer.output.encode import FRAME_NAME
    check_target(target)
    temp = partial_path(target)
    old = partial_path(target, ".old")
    remove_path(temp)
    try:
        temp.mkdir()
        n = 0
        for folder in folders:
            names = sorted(p.name for p in Path(folder).iterdir() if FRAME_RE.fullmatch(p.name))
            for name in names:   # frame_%06d sorts in frame order
                os.replace(Path(folder) / name, temp / FRAME_NAME.format(n))
                n += 1
        if n != expected:
            raise EncodeError(f"{label} joined has {n} frames, expected {expected}")
        if target.exists():
            os.replace(target, old)
        try:
            os.replace(temp, target)
        except BaseException:
            os.replace(old, target)   # put the previous sequence back
            raise
    except OSError as err:
        if err.errno in DISK_FULL_ERRNOS:
            raise disk_full(target, label) from None
        raise OutputError(f"cannot join the frames of {label} into {target}: "
                          f"{err.strerror}") from None
    finally:
        remove_path(temp)
        remove_path(old)
