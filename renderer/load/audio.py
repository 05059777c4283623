"""Sound files of a project: recordings (WAV read here; FLAC, MP3 and Ogg through a decoder the
caller hands down) and lip-sync timing files (Rhubarb's TSV or JSON).

A file is named in a scene relative to the project's folder (`sounds/hello.wav`) and must stay
inside it. A recording is decoded, mixed down to mono, resampled to SAMPLE_RATE, and measured
(its level and brightness every 10 ms, for lip sync). Every refusal names the field that named
the file, and what to do.

Decoding a compressed format runs ffmpeg, a process, and only output/ starts processes; output/
sits above this layer. So the loader takes the decoder as a value, `AudioDecoder`, from its
`Project` (the command line, the batch and review give theirs `output.audiofile.decode_recording`).
A project made without one reads WAV only and says so.
"""
from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Callable

import numpy as np

from renderer.load.fields import Field
from renderer.model.sound import ENVELOPE_HZ, Recording
from renderer.model.vocab import RHUBARB_SHAPES
from renderer.settings import MAX_AUDIO_BYTES, MAX_RECORDING_SECONDS, SAMPLE_RATE

WAV = (".wav", ".wave")
COMPRESSED = (".flac", ".mp3", ".ogg", ".oga", ".opus")
READABLE = WAV + COMPRESSED
KNOWN_ELSEWHERE = (".m4a", ".aac", ".wma", ".aif", ".aiff")
LIPSYNC = (".tsv", ".txt", ".json")
_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE

# (file, rate, longest accepted s) -> mono float32 samples at `rate`, stopping a little past the
# longest (a longer result: the file is too long); ValueError says what is wrong with the file.
AudioDecoder = Callable[[Path, int, float], np.ndarray]


def project_file(f: Field, root: Path, suffixes: tuple[str, ...], what: str) -> Path:
    """The existing file a field names, relative to the project folder `root`."""
    text = f.str()
    path = (root / text).resolve()
    try:
        path.relative_to(root.resolve())
    except ValueError:
        f.fail(f"a {what} inside the project folder", repr(text),
               hint="put the file in the project (e.g. sounds/) and name it from there")
    if path.suffix.lower() in KNOWN_ELSEWHERE and suffixes == READABLE:
        f.fail("a WAV, FLAC, MP3 or Ogg file", repr(text),
               hint=f"convert it first, e.g. ffmpeg -i {text} {Path(text).with_suffix('.flac')}")
    if path.suffix.lower() not in suffixes:
        f.fail(f"a {what} ({', '.join(suffixes)})", repr(text))
    if not path.is_file():
        f.fail(f"an existing {what}", repr(text), hint=f"no file {text} in the project folder")
    if path.stat().st_size > MAX_AUDIO_BYTES:
        f.fail(f"a file of at most {MAX_AUDIO_BYTES >> 20} MiB",
               f"{path.stat().st_size >> 20} MiB", hint="cut the recording to the line")
    return path


def read_recording(f: Field, root: Path, decode: AudioDecoder | None = None) -> Recording:
    """The recording named by `f`, decoded and measured: WAV here, other formats by `decode`."""
    path = project_file(f, root, READABLE, "sound file")
    if path.suffix.lower() in WAV:
        samples, rate = _read_wav(f, path)
    else:
        samples, rate = _read_compressed(f, path, decode), SAMPLE_RATE
    if len(samples) == 0:
        f.fail("a recording with sound in it", f"{f.value!r}: no samples")
    seconds = len(samples) / rate
    if seconds > MAX_RECORDING_SECONDS:
        found = f"{seconds:.1f} s" if path.suffix.lower() in WAV else \
            f"more than {MAX_RECORDING_SECONDS:g} s"
        f.fail(f"a recording of at most {MAX_RECORDING_SECONDS:g} s (a shot's limit)", found,
               hint="cut it to the line it voices")
    samples = resample(samples, rate, SAMPLE_RATE)
    samples.setflags(write=False)
    level, brightness = measure(samples)
    return Recording(path, samples, level, brightness)


def _read_wav(f: Field, path: Path) -> tuple[np.ndarray, int]:
    try:
        return decode_wav(path.read_bytes())
    except (ValueError, struct.error) as err:
        f.fail("a readable WAV file (PCM 8/16/24/32-bit or float)", f"{f.value!r}: {err}",
               hint="export it again as 16-bit PCM WAV, or as FLAC")


def _read_compressed(f: Field, path: Path, decode: AudioDecoder | None) -> np.ndarray:
    """A FLAC, MP3 or Ogg file's samples at SAMPLE_RATE, by `decode`."""
    if decode is None:
        f.fail("a WAV file (this program was given no decoder for other formats)", repr(f.value),
               hint=f"convert it, e.g. ffmpeg -i {f.value} {Path(f.value).with_suffix('.wav')}")
    try:
        return decode(path, SAMPLE_RATE, MAX_RECORDING_SECONDS)
    except ValueError as err:
        kind = "Ogg" if path.suffix.lower() in (".ogg", ".oga", ".opus") else \
            path.suffix[1:].upper()
        f.fail(f"a readable {kind} file", f"{f.value!r}: {err}",
               hint="it may be damaged or cut short: export it again")


def decode_wav(data: bytes) -> tuple[np.ndarray, int]:
    """(mono float32 samples in -1..1, rate) of a RIFF WAVE file's bytes. ValueError if not one."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a RIFF WAVE file")
    fmt = None
    pos, body = 12, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        chunk = data[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            fmt = struct.unpack("<HHIIHH", chunk[:16])
            if fmt[0] == _EXTENSIBLE and len(chunk) >= 26:
                fmt = (struct.unpack("<H", chunk[24:26])[0],) + fmt[1:]
        elif cid == b"data":
            body = chunk
        pos += 8 + size + (size & 1)
    if fmt is None or body is None:
        raise ValueError("no 'fmt ' or 'data' chunk")
    code, channels, rate, _, _, bits = fmt
    if channels < 1 or not 1000 <= rate <= 384000:
        raise ValueError(f"{channels} channels at {rate} Hz")
    width = bits // 8
    usable = len(body) - len(body) % (width * channels)
    raw = body[:usable]
    if code == _FLOAT and bits in (32, 64):
        x = np.frombuffer(raw, "<f4" if bits == 32 else "<f8").astype(np.float32)
    elif code == _PCM and bits == 8:
        x = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128) / 128
    elif code == _PCM and bits in (16, 32):
        x = np.frombuffer(raw, f"<i{width}").astype(np.float32) / float(2 ** (bits - 1))
    elif code == _PCM and bits == 24:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        x = (np.where(v >= 1 << 23, v - (1 << 24), v) / float(1 << 23)).astype(np.float32)
    else:
        raise ValueError(f"format {code} with {bits}-bit samples")
    x = np.nan_to_num(x.reshape(-1, channels).mean(axis=1), nan=0.0, posinf=0.0, neginf=0.0)
    return np.clip(x, -1, 1).astype(np.float32), rate


def resample(x: np.ndarray, rate: int, to: int) -> np.ndarray:
    """`x` at `rate` Hz as `to` Hz (band-limited by a short averaging filter when going down,
    then linearly interpolated: plenty for a voice, and exact when the rates agree)."""
    if rate == to:
        return x.astype(np.float32, copy=True)
    if rate > to:
        k = int(np.ceil(rate / to))
        x = np.convolve(x, np.ones(k, np.float32) / k, mode="same")
    n = int(round(len(x) * to / rate))
    return np.interp(np.arange(n) * (rate / to), np.arange(len(x)), x).astype(np.float32)


def measure(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Level (RMS, 0..1 of the loudest window) and spectral centroid (Hz) every 10 ms."""
    hop = SAMPLE_RATE // ENVELOPE_HZ
    n = max(1, len(x) // hop)
    frames = np.zeros((n, hop * 2), np.float32)
    padded = np.concatenate([x, np.zeros(hop * 2, np.float32)])
    for k in range(2):   # windows of 20 ms every 10 ms
        frames[:, k * hop:(k + 1) * hop] = padded[k * hop:k * hop + n * hop].reshape(n, hop)
    rms = np.sqrt(np.mean(frames ** 2, axis=1))
    level = (rms / max(float(rms.max()), 1e-9)).astype(np.float32)
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(hop * 2), axis=1))
    freqs = np.fft.rfftfreq(hop * 2, 1 / SAMPLE_RATE)
    brightness = (spectrum @ freqs / np.maximum(spectrum.sum(axis=1), 1e-9)).astype(np.float32)
    level.setflags(write=False)
    brightness.setflags(write=False)
    return level, brightness


def read_lipsync(f: Field, root: Path) -> tuple[tuple[float, str], ...]:
    """A Rhubarb Lip Sync timing file as (seconds, mouth shape) keys in time order.

    TSV: a line per change, `0.35<TAB>C` (Rhubarb's tsv export); JSON: Rhubarb's
    `{"mouthCues": [{"start": 0.35, "end": 0.5, "value": "C"}, ...]}`. Shapes A-H and X."""
    path = project_file(f, root, LIPSYNC, "lip-sync file")
    display = f.value
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        f.fail("a readable text file", f"{display!r}: {err}")
    keys: list[tuple[float, str, str]] = []   # (time, shape, where)
    if path.suffix.lower() == ".json":
        try:
            cues = json.loads(text)["mouthCues"]
            keys = [(float(c["start"]), str(c["value"]), f"mouthCues[{i}]")
                    for i, c in enumerate(cues)]
        except (ValueError, KeyError, TypeError) as err:
            f.fail("Rhubarb JSON with mouthCues [{start, end, value}]", f"{display!r}: {err!s}")
    else:
        for n, raw in enumerate(text.splitlines(), 1):
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            parts = raw.split()
            try:
                keys.append((float(parts[0]), parts[1], f"line {n}"))
            except (ValueError, IndexError):
                f.fail("lines of 'SECONDS<TAB>SHAPE' (Rhubarb's TSV)",
                       f"{display}:{n}: {raw.strip()[:40]!r}")
    out: list[tuple[float, str]] = []
    for t, shape, where in keys:
        if shape not in RHUBARB_SHAPES:
            f.fail(f"mouth shapes {', '.join(RHUBARB_SHAPES)}", f"{display} {where}: {shape!r}")
        if not 0 <= t <= MAX_RECORDING_SECONDS or (out and t < out[-1][0]):
            f.fail("times in order from 0 s", f"{display} {where}: {t:g}")
        out.append((t, RHUBARB_SHAPES[shape]))
    if not out:
        f.fail("at least one mouth cue", f"{display}: none")
    return tuple(out)
