"""Encoder sinks: H.264 MP4 or a PNG sequence, written atomically.

A render produces exposures; each is rendered once and written `hold` times with
`sink.write(frame, repeat=hold)`. Frames are `(H, W, 3) uint8` RGB arrays.

Output is atomic: everything is written to a hidden temporary file or folder beside the target
(`.NAME.partial-<pid>.mp4`, `.NAME.partial-<pid>/`) and moved into place only after the frame count
has been checked. Any failure or interruption removes the temporary output and leaves the previous
target untouched.

The MP4 sink runs the ffmpeg binary bundled with imageio-ffmpeg with the same command line as
`imageio_ffmpeg.write_frames`, but owns the child process itself: write_frames sends ffmpeg's
stderr to our terminal, so an error could not quote ffmpeg's last words (full disk, crash).
"""
from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Callable, Iterator, Protocol

import imageio_ffmpeg
import numpy as np
from PIL import Image

from renderer.errors import EncodeError, LimitError, OutputError
from renderer.output.files import (
    DISK_FULL_ERRNOS,
    FRAME_RE,
    VIDEO_FORMATS,
    check_target,
    file_identity,
    disk_full,
    is_frame_folder,
    partial_path,
    remove_path,
    remove_stale_partials,
)
from renderer.output.mux import Sound, mux, sidecar, vtt_text, write_atomic
from renderer.output.probe import count_frames
from renderer.output.yuv import I420Converter
from renderer.settings import VideoFormat

FRAME_NAME = "frame_{:06d}.png"
# zlib level for PNG frames: 1 is several times faster than the default and only a little larger.
PNG_COMPRESS_LEVEL = 1
# The pipe to ffmpeg holds this much (Linux's default is 64 KiB, 1/40 of a 720p frame): a frame
# goes down in a few writes, not forty wake-ups of each side. 1 MiB is what an unprivileged
# process may ask for by default; ~3 % faster encoding, measured.
PIPE_BYTES = 1 << 20
_DISK_FULL_TEXT = ("No space left on device", "Disk quota exceeded")


_exe_lock = threading.Lock()


def ffmpeg_exe() -> str:
    """The ffmpeg binary. imageio-ffmpeg runs it once (`ffmpeg -version`) to check it before
    handing out its path; the lock makes a second caller wait for that check, not repeat it."""
    with _exe_lock:
        return imageio_ffmpeg.get_ffmpeg_exe()


def find_ffmpeg_early() -> threading.Thread:
    """Start `ffmpeg_exe` in a background thread (returned). Its check is ~50 ms of waiting on a child
    process, which a render hides behind loading its scene; the sink then finds the path cached.
    A failure is left for the sink to report."""
    def find() -> None:
        try:
            ffmpeg_exe()
        except Exception:  # noqa: BLE001 - the sink asks again and explains
            pass
    thread = threading.Thread(target=find, name="stopmo-find-ffmpeg", daemon=True)
    thread.start()
    return thread


class FrameSink(Protocol):
    """Where rendered frames go. `frames_written` counts frames, repeats included."""

    frames_written: int
    identity: str | None   # once finished: the written video's `file_identity`

    def write(self, frame: np.ndarray, repeat: int = 1) -> None:
        """Write `frame` ((H, W, 3) uint8 RGB) `repeat` times."""


def _check_frame(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """Validate one frame and return it C-contiguous (a programming error raises ValueError)."""
    if frame.shape != (height, width, 3) or frame.dtype != np.uint8:
        raise ValueError(f"expected a ({height}, {width}, 3) uint8 frame, "
                         f"got {frame.shape} {frame.dtype}")
    return np.ascontiguousarray(frame)


# --------------------------------------------------------------------------- MP4 sink

def _tail(log, lines: int = 5) -> str:
    """The last non-empty lines of ffmpeg's stderr log file, joined with ' | ' ('' if none)."""
    try:
        log.flush()
        size = log.seek(0, os.SEEK_END)
        log.seek(max(0, size - 4096))
        text = log.read().decode("utf-8", "replace")
    except (OSError, ValueError):
        return ""
    kept = [s.strip() for s in text.splitlines() if s.strip()][-lines:]
    return " | ".join(kept)


def encoder_threads() -> int:
    """x264's threads: one per core this process may run on. x264's own default, one and a half
    per core, fills the stalls between its frames with extra frame threads when it has the
    machine to itself; under stopmo the renderer fills them, and x264's extra threads only
    contend with it (measured at 720p: a render ~4 % faster with two threads than with three,
    and slower again with one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no affinity outside Linux
        return max(1, os.cpu_count() or 1)


# ffmpeg's frames (2.7 MB at 720p) on pages of their own, handed back when freed: glibc's
# moving threshold otherwise keeps them on a heap that grows (an encoder measured 177 MB at its
# peak with it, 148 MB without). It maps more pages (on the standard shot ~0.3 s more of the
# encoder's CPU in 7), which the film's time did not show: 132 s with it, 139 s without.
ENCODER_TUNABLES = "glibc.malloc.mmap_threshold=1048576"


def encoder_environment(environ) -> dict[str, str]:
    """The encoder's environment: this one with ENCODER_TUNABLES after the user's own."""
    env = dict(environ)
    mine = env.get("GLIBC_TUNABLES")
    env["GLIBC_TUNABLES"] = f"{mine}:{ENCODER_TUNABLES}" if mine else ENCODER_TUNABLES
    return env


def _widen_pipe(fd: int) -> None:
    """Ask for a PIPE_BYTES pipe; where that is refused or unknown, the default pipe works."""
    try:
        import fcntl
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass


class VideoSink:
    """Streams RGB frames, converted to I420 (`yuv.I420Converter`), to an ffmpeg child encoding
    H.264 yuv420p into a temporary file.

    `pid` is the ffmpeg child's process id. Use through `open_sink`, which finishes or aborts it.
    """

    def __init__(self, target: Path, *, width: int, height: int, fps: int, crf: int,
                 preset: str, label: str, sound: Callable[[], Sound] | None = None,
                 threads: int | None = None):
        if width % 2 or height % 2:
            raise LimitError(f"{width}x{height} px: H.264 4:2:0 needs an even width and height")
        self.target, self.width, self.height, self.label = target, width, height, label
        self.frames_written = 0
        self._i420 = I420Converter(width, height)
        self.sound = sound
        self.identity: str | None = None   # the finished file's `file_identity`
        self.temp = partial_path(target, target.suffix)
        remove_path(self.temp)  # a leftover of a dead process that had our pid
        remove_stale_partials(target.parent, target.name)
        try:  # create the temp ourselves so a permission problem is an OutputError, not ffmpeg's
            os.close(os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        except OSError as err:
            raise OutputError(f"cannot write {target}: {err.strerror}") from None
        self._log = tempfile.TemporaryFile()
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostats", "-v", "error", "-y",
               "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{width}x{height}",
               "-r", str(fps), "-i", "-", "-an",
               # Tagged with the BT.709 matrix HD players assume (ffmpeg's default is 601),
               # which `I420Converter` converts with.
               "-vf", "setparams=range=tv:colorspace=bt709:color_primaries=bt709:color_trc=bt709",
               "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", str(crf), "-preset", preset,
               "-threads", str(threads or encoder_threads()),
               "-movflags", "+faststart", "-f", VIDEO_FORMATS[target.suffix.lower()],
               str(self.temp)]
        try:
            # Own process group: a Ctrl-C reaches Python, which then stops ffmpeg and cleans up.
            self.process = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                            env=encoder_environment(os.environ),
                                            stderr=self._log, bufsize=0, process_group=0)
        except BaseException:
            self._log.close()
            remove_path(self.temp)
            raise
        _widen_pipe(self.process.stdin.fileno())

    @property
    def pid(self) -> int:
        return self.process.pid

    def write(self, frame: np.ndarray, repeat: int = 1) -> None:
        """Send `frame` ((H, W, 3) uint8 RGB) to the encoder `repeat` times, converted once."""
        data = memoryview(self._i420.convert(_check_frame(frame, self.width, self.height)))
        for _ in range(repeat):
            try:
                view = data
                while view:  # a raw pipe write may be partial
                    view = view[self.process.stdin.write(view):]
            except (OSError, ValueError):
                raise self._failure(f"the encoder stopped while writing {self.label} "
                                    f"frame {self.frames_written + 1}") from None
            self.frames_written += 1

    def _failure(self, what: str) -> Exception:
        """Reap ffmpeg and build the error that explains its death (full disk or other)."""
        code = self._stop(kill=False)
        tail = _tail(self._log)
        if any(t in tail for t in _DISK_FULL_TEXT):
            return disk_full(self.target, self.label)
        if not tail:
            tail = (f"ffmpeg was killed by {signal.Signals(-code).name}" if code < 0
                    else f"ffmpeg exited with code {code} and said nothing")
        return EncodeError(f"{what}: {tail}")

    def _stop(self, kill: bool) -> int:
        """End the child (closing its input, or killing it) and reap it: no zombie remains."""
        p = self.process
        if kill and p.poll() is None:
            p.kill()
        try:
            p.stdin.close()
        except OSError:
            pass  # ffmpeg already gone: its death is reported from the log and return code
        try:
            return p.wait()
        except BaseException:  # interrupted while waiting: do not leave it running
            p.kill()
            p.wait()
            raise

    def finish(self, expected_frames: int | None) -> None:
        """Close the stream, check the frame count, and move the video into place."""
        if self._stop(kill=False) != 0:
            raise self._failure(f"the encoder failed at the end of {self.label}")
        if self.frames_written == 0:
            raise EncodeError(f"{self.label}: no frames were rendered, so no video was written")
        try:
            counted = count_frames(self.temp)
        except RuntimeError as err:
            raise EncodeError(f"{self.label}: cannot read back the encoded video: "
                              f"{str(err).strip().splitlines()[-1]}") from None
        _check_counts(self.label, self.frames_written, expected_frames, counted, "the video")
        sound = self.sound() if self.sound is not None else None
        if sound is not None and sound.muxed:
            muxed = partial_path(self.target, ".sound" + self.target.suffix)
            try:
                mux(self.temp, sound, muxed, self.label)
                os.replace(muxed, self.temp)
            finally:
                remove_path(muxed)
        try:
            with open(self.temp, "rb") as f:
                os.fsync(f.fileno())  # the rename must not expose a file still in the page cache
            # taken before the rename: once in place, another render may replace it at once
            self.identity = file_identity(self.temp)
            os.replace(self.temp, self.target)
        except OSError as err:
            if err.errno in DISK_FULL_ERRNOS:
                raise disk_full(self.target, self.label) from None
            raise OutputError(f"cannot move the finished video into {self.target}: "
                              f"{err.strerror}") from None
        self._log.close()
        if sound is not None and sound.cues:
            write_atomic(sidecar(self.target), vtt_text(sound.cues).encode("utf-8"))

    def abort(self) -> None:
        """Kill and reap ffmpeg and remove the temporary file. Safe to call more than once."""
        try:
            self._stop(kill=True)
        finally:
            self._log.close()
            remove_path(self.temp)


def _check_counts(label: str, written: int, expected: int | None, counted: int,
                  where: str) -> None:
    if expected is not None and written != expected:
        raise EncodeError(f"{label}: the encoder was promised {expected} frames "
                          f"but received {written}")
    if counted != written:
        raise EncodeError(f"{label}: {written} frames were written but {where} "
                          f"holds {counted}")


# --------------------------------------------------------------------------- PNG sink

class PngSink:
    """Writes frame_000000.png ... into a temporary folder, swapped into place by `finish`.

    Frame 0 is the first frame, as `stopmo still --frame 0`, sheets and `stopmo diff` count."""

    def __init__(self, target: Path, *, width: int, height: int, label: str):
        self.target, self.width, self.height, self.label = target, width, height, label
        self.frames_written = 0
        self.identity = None   # a folder of frames is never a batch's cached video
        self.temp = partial_path(target)
        remove_path(self.temp)
        remove_stale_partials(target.parent, target.name)
        try:
            self.temp.mkdir()
        except OSError as err:
            raise OutputError(f"cannot write {target}: {err.strerror}") from None

    def write(self, frame: np.ndarray, repeat: int = 1) -> None:
        """Write `frame` ((H, W, 3) uint8 RGB) as `repeat` PNG files (encoded once)."""
        buf = BytesIO()
        Image.fromarray(_check_frame(frame, self.width, self.height)).save(
            buf, "PNG", compress_level=PNG_COMPRESS_LEVEL)
        data = buf.getvalue()
        for _ in range(repeat):
            name = self.temp / FRAME_NAME.format(self.frames_written)
            try:
                with open(name, "wb") as f:
                    f.write(data)
            except OSError as err:
                if err.errno in DISK_FULL_ERRNOS:
                    raise disk_full(self.target, self.label) from None
                raise OutputError(f"cannot write {name.name} of {self.label}: "
                                  f"{err.strerror}") from None
            self.frames_written += 1

    def finish(self, expected_frames: int | None) -> None:
        """Check the count, then swap the new folder in; the old one goes only after that."""
        counted = sum(1 for p in self.temp.iterdir() if FRAME_RE.fullmatch(p.name))
        _check_counts(self.label, self.frames_written, expected_frames, counted, "the folder")
        old = partial_path(self.target, ".old")
        if self.target.exists():
            remove_path(old)
            os.replace(self.target, old)
            try:
                os.replace(self.temp, self.target)
            except BaseException:
                os.replace(old, self.target)  # put the previous sequence back
                raise
            remove_path(old)
        else:
            os.replace(self.temp, self.target)

    def abort(self) -> None:
        """Remove the new frames; if `finish` was cut short mid-swap, keep the previous folder."""
        remove_path(self.temp)
        old = partial_path(self.target, ".old")
        if old.exists():
            if self.target.exists():
                remove_path(old)
            else:
                os.replace(old, self.target)


# --------------------------------------------------------------------------- the one entry

@contextmanager
def open_sink(target: str | os.PathLike, video: VideoFormat, *,
              expected_frames: int | None = None, label: str = "",
              sound: Callable[[], Sound] | None = None,
              threads: int | None = None) -> Iterator[FrameSink]:
    """Open an atomic frame sink for `target` and finish it when the block ends.

    target: `.mp4`/`.mov` -> H.264 yuv420p (BT.709, faststart); a path ending in '/' or without a
    suffix -> PNG sequence folder. video: size, fps and x264 settings (`RenderSettings.video`).
    expected_frames: frames the caller promises to write (repeats included); label: the scene
    name used in error messages. sound: called once the frames are encoded, it gives the
    soundtrack and subtitle cues muxed into a video (`mux.Sound`); a PNG sequence has none.
    threads: x264's threads (default `encoder_threads()`: a worker sharing a machine with
    others is given its share of the cores, so encoders do not oversubscribe them).

    On leaving the block normally the frame count is checked (EncodeError names the label and both
    counts) and the output is moved into place. On any exception, KeyboardInterrupt included, the
    encoder is stopped, the temporary output removed, the previous target left untouched.
    """
    check_target(target)
    path = Path(target)
    label = label or path.name
    if is_frame_folder(target):
        sink: VideoSink | PngSink = PngSink(path, width=video.width, height=video.height,
                                            label=label)
    else:
        sink = VideoSink(path, width=video.width, height=video.height, fps=video.fps,
                         crf=video.crf, preset=video.preset, label=label, sound=sound,
                         threads=threads)
    done = False
    try:
        yield sink
        sink.finish(expected_frames)
        done = True
    finally:
        if not done:
            sink.abort()
