"""Recordings in compressed formats (FLAC, MP3, Ogg Vorbis or Opus) decoded by ffmpeg.

The loader reads WAV itself (load/audio.py). Anything else needs a decoder, and a decoder is a
process, which only this layer may start: so the layers above the loader (the command line, the
batch, review) hand `decode_recording` down to it as `Project(root, decode_audio=...)`, and the
loader calls it with the file, the mix's rate and the longest recording it accepts.

ffmpeg resamples to the mix's rate and hands back a float WAV with the file's own channels, read
by the loader's WAV reader, which averages them: a stereo FLAC mixes down exactly as the same
WAV would (ffmpeg's own down- and up-mixes scale by 1/sqrt(2)). A file that ffmpeg
cannot open, or that reports a damaged frame anywhere in it (`-xerror` stops at the first), is
refused with ffmpeg's own first words about it, rather than played with a gap.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from renderer.load.audio import decode_wav
from renderer.output.encode import ffmpeg_exe

# Decoding stops this far past the longest recording accepted: the loader then sees the file
# is too long without decoding (or holding) an hour of sound.
OVERRUN_SECONDS = 1.0
# A minute is ~100 times what decoding the longest accepted recording takes (about 0.5 s here):
# only a hostile file reaches it.
DECODE_TIMEOUT_SECONDS = 60


def decode_recording(path: Path, rate: int, max_seconds: float) -> np.ndarray:
    """Mono float32 samples of `path`'s first audio stream at `rate` Hz, at most
    `max_seconds` + OVERRUN_SECONDS long (a longer result means the file is longer than
    `max_seconds`). Raises ValueError with what ffmpeg found wrong with the file."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-v", "error", "-xerror",
           "-i", str(path), "-map", "0:a:0", "-t", f"{max_seconds + OVERRUN_SECONDS:g}",
           "-ar", str(rate), "-c:a", "pcm_f32le", "-f", "wav", "-"]
    try:
        run = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                             timeout=DECODE_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise ValueError(f"decoding took longer than {DECODE_TIMEOUT_SECONDS} s") from None
    said = _first_words(run.stderr)
    if run.returncode != 0 or said:
        if "matches no streams" in said:
            said = "no audio stream in it"
        raise ValueError(said or f"ffmpeg exited with status {run.returncode}")
    samples, got = decode_wav(run.stdout)   # its sizes say 'unknown' (a pipe): read to the end
    if got != rate:
        raise ValueError(f"ffmpeg gave {got} Hz, not the {rate} Hz asked for")
    return samples


def _first_words(stderr: bytes) -> str:
    """ffmpeg's first complaint, without its `[flac @ 0x55...]` prefixes and the lines that
    only repeat that the input could not be opened."""
    for line in stderr.decode("utf-8", "replace").splitlines():
        text = line.strip()
        while text.startswith("[") and "]" in text:
            text = text[text.index("]") + 1:].strip()
        if text:
            return text[:200]
    return ""
