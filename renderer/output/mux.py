"""Sound and subtitles into a finished video, and reading them back.

A video is encoded first (`encode.VideoSink`), then its soundtrack (float samples, AAC-encoded
once here) and its dialogue (a mov_text subtitle stream) are muxed beside the video stream by
stream copy. A WebVTT sidecar (`NAME.vtt`) carries the same cues for browsers. A WAV stem is the
soundtrack as 32-bit float samples.
"""
from __future__ import annotations

import io
import os
import re
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Sequence

import numpy as np

from renderer.errors import EncodeError, OutputError
from renderer.output.files import DISK_FULL_ERRNOS, disk_full, partial_path, remove_path
from renderer.settings import SAMPLE_RATE

AAC_BITRATE = "192k"


@dataclass(frozen=True)
class Cue:
    """A subtitle: seconds from the start of the video, who speaks and what."""

    start: float
    end: float
    speaker: str
    text: str


@dataclass(frozen=True, eq=False)
class Sound:
    """What goes beside a video's frames: (n, 2) float32 samples at SAMPLE_RATE (None: silent)
    and the subtitle cues (empty: no subtitle stream, no sidecar). `wav`: the samples already
    written as a WAV file (`write_wav`), used instead of `samples` (a film's soundtrack made by
    a task on another process or machine)."""

    samples: np.ndarray | None
    cues: tuple[Cue, ...] = ()
    wav: Path | None = None

    @property
    def muxed(self) -> bool:
        """Whether anything goes beside the frames: sound or subtitles."""
        return self.samples is not None or self.wav is not None or bool(self.cues)


def _ffmpeg() -> str:
    from renderer.output.encode import ffmpeg_exe
    return ffmpeg_exe()


def wav_header(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    """The header of a 32-bit float WAV file holding (n, channels) `samples`."""
    channels = samples.shape[1] if samples.ndim == 2 else 1
    size = samples.shape[0] * channels * 4
    fmt = struct.pack("<HHIIHH", 3, channels, rate, rate * channels * 4, channels * 4, 32)
    return (b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + size) + b"WAVE"
            + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", size))


def write_wav(file: BinaryIO, samples: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    """(n, channels) float samples to `file` as a 32-bit float WAV, straight from their array
    (a film's soundtrack is ~90 MB: no copy of it as bytes)."""
    data = np.ascontiguousarray(samples, dtype="<f4")
    file.write(wav_header(data, rate))
    file.write(memoryview(data).cast("B"))


def wav_bytes(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    """(n, channels) float samples as a 32-bit float WAV file's bytes."""
    out = io.BytesIO()
    write_wav(out, samples, rate)
    return out.getvalue()


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file renamed into place."""
    temp = partial_path(path, path.suffix)
    try:
        temp.write_bytes(data)
        os.replace(temp, path)
    except OSError as err:
        if err.errno in DISK_FULL_ERRNOS:
            raise disk_full(path, path.name) from None
        raise OutputError(f"cannot write {path}: {err.strerror}") from None
    finally:
        remove_path(temp)


def _stamp(seconds: float, sep: str = ".") -> str:
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _clean(text: str) -> str:
    return " ".join(text.replace("-->", "->").split())


def _vtt_escaped(text: str) -> str:
    """Text as WebVTT cue text: & < > written as references, else a browser reads `<word>` as
    a tag and drops it (and `-->` could end the cue's text)."""
    text = " ".join(text.split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt_text(cues: Sequence[Cue]) -> str:
    """WebVTT with a voice span naming each cue's speaker."""
    out = ["WEBVTT", ""]
    for i, c in enumerate(cues, 1):
        words = _vtt_escaped(c.text)
        out += [str(i), f"{_stamp(c.start)} --> {_stamp(c.end)}",
                f"<v {_vtt_escaped(c.speaker)}>{words}" if c.speaker else words, ""]
    return "\n".join(out)


def srt_text(cues: Sequence[Cue]) -> str:
    """SubRip, which ffmpeg turns into the MP4's mov_text stream: "Speaker: line"."""
    out = []
    for i, c in enumerate(cues, 1):
        line = f"{_clean(c.speaker)}: {_clean(c.text)}" if c.speaker else _clean(c.text)
        out += [str(i), f"{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}", line, ""]
    return "\n".join(out)


def mux(video: Path, sound: Sound, out: Path, label: str) -> None:
    """Write `video`'s stream (copied) with `sound`'s AAC audio and mov_text subtitles to `out`.
    The WAV and subtitles handed to ffmpeg are made in the temporary folder, not beside `out`:
    the output's disk holds only what is kept."""
    work = Path(tempfile.mkdtemp(prefix="stopmo-mux-"))
    try:
        cmd = [_ffmpeg(), "-hide_banner", "-nostats", "-v", "error", "-y", "-i", str(video)]
        maps = ["-map", "0:v"]
        if sound.wav is not None or sound.samples is not None:
            wav = sound.wav if sound.wav is not None else work / "sound.wav"
            if sound.wav is None:
                with open(wav, "wb") as f:
                    write_wav(f, sound.samples)
            cmd += ["-i", str(wav)]
            maps += ["-map", f"{len(maps) // 2}:a"]
        if sound.cues:
            (work / "lines.srt").write_text(srt_text(sound.cues), "utf-8")
            cmd += ["-i", str(work / "lines.srt")]
            maps += ["-map", f"{len(maps) // 2}:s"]
        cmd += maps + ["-c:v", "copy", "-c:a", "aac", "-b:a", AAC_BITRATE, "-c:s", "mov_text",
                       "-metadata:s:s:0", "language=eng", "-movflags", "+faststart",
                       "-f", "mp4" if out.suffix.lower() != ".mov" else "mov", str(out)]
        run = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True)
        if run.returncode != 0:
            tail = run.stderr.decode("utf-8", "replace").strip()[-300:]
            if "No space left" in tail:
                raise disk_full(out, label)
            raise EncodeError(f"adding the sound to {label} failed: {tail}")
    except OSError as err:
        if err.errno in DISK_FULL_ERRNOS:
            raise disk_full(out, label) from None
        raise
    finally:
        remove_path(work)


def write_stem(path: Path, samples: np.ndarray) -> None:
    """The soundtrack as a 32-bit float WAV, written atomically."""
    write_atomic(path, wav_bytes(samples))


def sidecar(video: Path) -> Path:
    """Where a video's WebVTT subtitles go: beside it, with the same name."""
    return video.with_suffix(".vtt")


# --------------------------------------------------------------------------- reading back

def read_audio(path: Path) -> np.ndarray:
    """A file's first audio stream decoded as (n, 2) float32 at SAMPLE_RATE."""
    run = subprocess.run([_ffmpeg(), "-hide_banner", "-v", "error", "-i", str(path), "-map",
                          "0:a:0", "-f", "f32le", "-ac", "2", "-ar", str(SAMPLE_RATE), "-"],
                         stdin=subprocess.DEVNULL, capture_output=True)
    if run.returncode != 0:
        raise EncodeError(f"cannot read the sound of {path}: "
                          f"{run.stderr.decode('utf-8', 'replace').strip()[-200:]}")
    return np.frombuffer(run.stdout, "<f4").reshape(-1, 2)


def read_subtitles(path: Path) -> list[tuple[float, float, str]]:
    """The first subtitle stream of a video as (start, end, text) in seconds."""
    run = subprocess.run([_ffmpeg(), "-hide_banner", "-v", "error", "-i", str(path), "-map",
                          "0:s:0", "-f", "webvtt", "-"], stdin=subprocess.DEVNULL,
                         capture_output=True)
    if run.returncode != 0:
        raise EncodeError(f"cannot read the subtitles of {path}: "
                          f"{run.stderr.decode('utf-8', 'replace').strip()[-200:]}")
    return parse_vtt(run.stdout.decode("utf-8"))


_TIME = r"(?:(\d+):)?(\d+):(\d+)\.(\d+)"


def parse_vtt(text: str) -> list[tuple[float, float, str]]:
    def secs(h, m, s, ms) -> float:
        return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms) / 10 ** len(ms)
    out = []
    blocks = re.split(r"\n\s*\n", text.replace("\r", ""))
    for block in blocks:
        lines = block.strip().splitlines()
        for i, line in enumerate(lines):
            m = re.match(_TIME + r"\s*-->\s*" + _TIME, line)
            if m:
                g = m.groups()
                out.append((secs(*g[:4]), secs(*g[4:]), " ".join(lines[i + 1:])))
    return out


def loudness(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of a file's sound, as ffmpeg's EBU R128 filter reads it."""
    run = subprocess.run([_ffmpeg(), "-hide_banner", "-nostats", "-i", str(path), "-map",
                          "0:a:0", "-af", "ebur128=peak=true", "-f", "null", "-"],
                         stdin=subprocess.DEVNULL, capture_output=True)
    text = run.stderr.decode("utf-8", "replace")
    summary = text[text.rfind("Summary:"):]
    i = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    p = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if run.returncode != 0 or not i or not p:
        raise EncodeError(f"cannot measure the loudness of {path}: {text.strip()[-200:]}")
    return float(i.group(1)), float(p.group(1))
