"""Encoder sinks: what a user notices — right video, right frame count, nothing half-written."""
from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import threading

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from renderer.errors import EncodeError, OutputError
from renderer.output.encode import (
    check_target,
    ffmpeg_exe,
    find_ffmpeg_early,
    open_sink,
)
from renderer.output.probe import VideoInfo, parse_stream_line, probe, read_frames
from renderer.settings import VideoFormat

W, H, FPS = 160, 90, 24
FAST = dict(fps=FPS, crf=23, preset="ultrafast")
FMT = VideoFormat(W, H, **FAST)
# Max per-channel error of a flat colour after an H.264 4:2:0 round trip.
COLOUR_TOLERANCE = 8


def exposure(i: int, w: int = W, h: int = H) -> np.ndarray:
    """A recognisable frame: a flat colour that changes with i, and a white square that moves."""
    frame = np.empty((h, w, 3), np.uint8)
    frame[:] = (200, (40 * i) % 256, 90)
    x = (8 * i) % (w - 16)
    frame[8:24, x:x + 16] = 255
    return frame


def render(target, exposures=6, hold=2, label="test_scene", **kw):
    with open_sink(target, FMT, label=label, **kw) as sink:
        for i in range(exposures):
            sink.write(exposure(i), repeat=hold)
    return sink


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if ".partial-" in p.name)


@contextlib.contextmanager
def tmpfs(where, size: str, readonly: bool = False):
    """A tiny RAM filesystem mounted at `where` (needs privileges; skips the test otherwise)."""
    where.mkdir()
    opts = f"size={size}" + (",ro" if readonly else "")
    try:
        run = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(where)],
                             capture_output=True)
    except OSError:
        run = None
    if run is None or run.returncode != 0:
        pytest.skip("cannot mount a small filesystem here (needs root and mount rights)")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


# --------------------------------------------------------------------------- MP4

def test_mp4_round_trip(tmp_path):
    target = tmp_path / "scene.mp4"
    sink = render(target, exposures=6, hold=2)
    assert sink.frames_written == 12
    assert probe(target) == VideoInfo("h264", "yuv420p", W, H, 24.0, 12, 0.5)
    frames = list(read_frames(target))
    assert len(frames) == 12
    assert frames[0].shape == (H, W, 3) and frames[0].dtype == np.uint8
    for i in range(6):
        want = exposure(i)[60, 80].astype(int)
        got = frames[2 * i][60, 80].astype(int)
        assert np.abs(got - want).max() <= COLOUR_TOLERANCE, (i, got, want)
    assert leftovers(tmp_path) == []


def test_saturated_colours_survive_the_colour_matrix(tmp_path):
    # A BT.601/709 mismatch between encode and decode shifts pure red and green by 10+ levels.
    target = tmp_path / "colours.mp4"
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (128, 128, 128)]
    with open_sink(target, FMT) as sink:
        for c in colours:
            sink.write(np.full((H, W, 3), c, np.uint8))
    for c, frame in zip(colours, read_frames(target)):
        assert np.abs(frame[45, 80].astype(int) - c).max() <= COLOUR_TOLERANCE, c


def test_1080p_is_not_padded_to_1088(tmp_path):
    target = tmp_path / "full.mp4"
    with open_sink(target, VideoFormat(1920, 1080, 24, 45, "ultrafast")) as sink:
        for _ in range(3):
            sink.write(np.zeros((1080, 1920, 3), np.uint8))
    info = probe(target)
    assert (info.width, info.height, info.frames) == (1920, 1080, 3)


def test_repeat_two_gives_two_frames_that_look_the_same(tmp_path):
    target = tmp_path / "held.mp4"
    with open_sink(target, FMT) as sink:
        sink.write(exposure(3), repeat=2)
    a, b = list(read_frames(target))
    assert probe(target).frames == 2
    assert np.abs(a.astype(int) - b).max() <= COLOUR_TOLERANCE


def test_frames_go_down_a_wide_pipe(tmp_path):
    from renderer.output.encode import PIPE_BYTES
    fcntl = pytest.importorskip("fcntl")
    if not hasattr(fcntl, "F_GETPIPE_SZ"):
        pytest.skip("pipe sizes are Linux's")
    with open_sink(tmp_path / "wide.mp4", FMT) as sink:
        assert fcntl.fcntl(sink.process.stdin.fileno(), fcntl.F_GETPIPE_SZ) == PIPE_BYTES
        sink.write(exposure(1), repeat=3)
    assert probe(tmp_path / "wide.mp4").frames == 3


def test_the_encoder_runs_with_its_allocator_tuned_after_the_users_own(tmp_path):
    """ffmpeg is started with ENCODER_TUNABLES (its frames on pages it hands back), after any
    GLIBC_TUNABLES the user set, which it keeps."""
    from renderer.output.encode import ENCODER_TUNABLES, encoder_environment
    assert encoder_environment({"PATH": "/bin"})["GLIBC_TUNABLES"] == ENCODER_TUNABLES
    mine = encoder_environment({"GLIBC_TUNABLES": "glibc.malloc.arena_max=1"})
    assert mine["GLIBC_TUNABLES"] == f"glibc.malloc.arena_max=1:{ENCODER_TUNABLES}"
    if not os.path.exists("/proc/self/environ"):
        pytest.skip("reading a process's environment is Linux's")
    import time
    with open_sink(tmp_path / "tuned.mp4", FMT) as sink:
        for _ in range(200):             # until the child has become ffmpeg (its exec done)
            seen = open(f"/proc/{sink.pid}/environ", "rb").read().split(b"\0")
            if os.readlink(f"/proc/{sink.pid}/exe") == os.path.realpath(ffmpeg_exe()) and \
                    len(seen) > 1:
                break
            time.sleep(0.01)
        sink.write(exposure(1))
    assert f"GLIBC_TUNABLES={ENCODER_TUNABLES}".encode() in seen or \
        any(v.startswith(b"GLIBC_TUNABLES=") and v.endswith(ENCODER_TUNABLES.encode())
            for v in seen)


def test_x264_runs_one_thread_per_core_this_process_may_use(tmp_path):
    """x264 writes its settings into the stream (what `mediainfo` shows as the encoding
    settings): the thread count there is the cores stopmo may run on, not x264's 1.5 per core."""
    import re

    from renderer.output.encode import encoder_threads
    target = tmp_path / "threads.mp4"
    with open_sink(target, FMT) as sink:
        sink.write(exposure(1), repeat=2)
    settings = re.search(rb"x264 - core .*? threads=(\d+) ", target.read_bytes())
    assert settings is not None
    assert int(settings.group(1)) == encoder_threads() == len(os.sched_getaffinity(0))


def test_non_contiguous_frames_are_accepted(tmp_path):
    rgba = np.zeros((H, W, 4), np.uint8)
    with open_sink(tmp_path / "view.mp4", FMT) as sink:
        sink.write(rgba[..., :3])
    assert probe(tmp_path / "view.mp4").frames == 1


@pytest.mark.parametrize("error", [RuntimeError("render bug"), KeyboardInterrupt()])
def test_a_failed_render_keeps_the_previous_video(tmp_path, error):
    target = tmp_path / "scene.mp4"
    render(target, exposures=3)
    before = target.read_bytes()
    with pytest.raises(type(error)):
        with open_sink(target, FMT) as sink:
            sink.write(exposure(9), repeat=2)
            pid = sink.pid
            raise error
    assert target.read_bytes() == before
    assert probe(target).frames == 6
    assert leftovers(tmp_path) == []
    with pytest.raises(ChildProcessError):  # ffmpeg was reaped: no zombie left behind
        os.waitpid(pid, os.WNOHANG)


def test_the_encoder_dying_mid_render_is_an_encode_error(tmp_path):
    target = tmp_path / "scene.mp4"
    with pytest.raises(EncodeError) as caught:
        with open_sink(target, FMT, label="small_door") as sink:
            sink.write(exposure(0), repeat=2)
            pid = sink.pid
            os.kill(pid, signal.SIGKILL)
            for i in range(1000):  # the death shows at the next write that reaches the pipe
                sink.write(exposure(i))
    message = str(caught.value)
    assert "the encoder stopped while writing small_door frame" in message
    assert message.endswith("ffmpeg was killed by SIGKILL")
    assert not target.exists() and leftovers(tmp_path) == []
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_a_frame_count_mismatch_is_refused(tmp_path):
    target = tmp_path / "scene.mp4"
    with pytest.raises(EncodeError, match=r"small_door.*promised 12 frames but received 10"):
        render(target, exposures=5, hold=2, label="small_door", expected_frames=12)
    assert not target.exists() and leftovers(tmp_path) == []


def test_no_frames_is_an_error_not_an_empty_video(tmp_path):
    target = tmp_path / "scene.mp4"
    with pytest.raises(EncodeError, match="no frames"):
        render(target, exposures=0)
    assert not target.exists() and leftovers(tmp_path) == []


def test_a_wrong_frame_shape_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError, match=r"\(90, 160, 3\) uint8"):
        with open_sink(tmp_path / "x.mp4", FMT) as sink:
            sink.write(np.zeros((H, W, 4), np.uint8))
    assert leftovers(tmp_path) == []


# --------------------------------------------------------------------------- path checks

def test_an_existing_folder_is_not_overwritten_by_a_video(tmp_path):
    (tmp_path / "scene.mp4").mkdir()
    with pytest.raises(OutputError, match="a folder with that name exists"):
        render(tmp_path / "scene.mp4")


def test_a_text_file_is_never_overwritten(tmp_path):
    target = tmp_path / "notes.mp4"
    target.write_text("my notes, not a video\n")
    with pytest.raises(OutputError, match="refusing to overwrite .* it is not a video"):
        render(target)
    assert target.read_text() == "my notes, not a video\n"
    assert leftovers(tmp_path) == []


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(OutputError, match=r"folder .*nowhere does not exist"):
        check_target(tmp_path / "nowhere" / "scene.mp4")


def test_a_parent_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="is not a folder"):
        check_target(tmp_path / "file" / "scene.mp4")


def test_an_unknown_format_is_refused(tmp_path):
    with pytest.raises(OutputError, match="unknown output format '.avi'"):
        check_target(tmp_path / "scene.avi")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a 0o555 folder")
def test_a_read_only_folder_is_refused(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="not writable"):
            render(folder / "scene.mp4")
    finally:
        folder.chmod(0o755)


def test_a_read_only_filesystem_is_refused(tmp_path):
    # Works for root too: permission bits do not stop root, a read-only mount does.
    with tmpfs(tmp_path / "ro", "1m", readonly=True) as folder:
        with pytest.raises(OutputError, match="not writable"):
            render(folder / "scene.mp4")
        with pytest.raises(OutputError, match="not writable"):
            render(folder / "frames/")


# --------------------------------------------------------------------------- full disk

def test_a_full_disk_while_encoding_is_an_output_error(tmp_path):
    noise = np.random.Generator(np.random.Philox(key=7))
    with tmpfs(tmp_path / "small", "64k") as folder:
        target = folder / "scene.mp4"
        with pytest.raises(OutputError, match="disk is full"):
            with open_sink(target, VideoFormat(W, H, 24, 0, "ultrafast")) as s:
                for _ in range(200):
                    s.write(noise.integers(0, 256, (H, W, 3), dtype=np.uint8))
        assert list(folder.iterdir()) == []


def test_a_full_disk_while_writing_pngs_is_an_output_error(tmp_path, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    target = tmp_path / "frames"
    render(target, exposures=2, hold=1)
    monkeypatch.setattr("renderer.output.encode.open", full_disk, raising=False)
    with pytest.raises(OutputError, match="disk is full"):
        render(target)
    assert sorted(p.name for p in target.iterdir()) == ["frame_000000.png", "frame_000001.png"]
    assert leftovers(tmp_path) == []


# --------------------------------------------------------------------------- PNG sequence

def test_png_sequence_writes_every_frame_repeats_included(tmp_path):
    target = tmp_path / "frames"
    render(target, exposures=3, hold=2, expected_frames=6)
    names = sorted(p.name for p in target.iterdir())
    assert names == [f"frame_{i:06d}.png" for i in range(6)]
    assert (target / names[0]).read_bytes() == (target / names[1]).read_bytes()
    for i in range(3):  # PNG is lossless: exactly the rendered exposure
        got = np.asarray(Image.open(target / names[2 * i]))
        assert np.array_equal(got, exposure(i))
    assert leftovers(tmp_path) == []


def test_png_sequence_replaces_an_older_one_whole(tmp_path):
    target = tmp_path / "frames"
    render(str(target) + "/", exposures=5, hold=1)
    render(target, exposures=3, hold=1)
    assert len(list(target.iterdir())) == 3  # no stale frame_000004.png from the old take
    assert leftovers(tmp_path) == []


def test_a_failed_png_render_keeps_the_older_sequence(tmp_path):
    target = tmp_path / "frames"
    render(target, exposures=4, hold=1)
    with pytest.raises(RuntimeError):
        with open_sink(target, FMT) as sink:
            sink.write(exposure(9))
            raise RuntimeError("render bug")
    assert len(list(target.iterdir())) == 4
    assert np.array_equal(np.asarray(Image.open(target / "frame_000000.png")), exposure(0))
    assert leftovers(tmp_path) == []


def test_a_folder_with_other_files_is_not_replaced(tmp_path):
    target = tmp_path / "frames"
    target.mkdir()
    (target / "frame_000001.png").write_bytes(b"")
    (target / "storyboard.txt").write_text("keep me")
    with pytest.raises(OutputError, match="storyboard.txt"):
        render(target)
    assert (target / "storyboard.txt").read_text() == "keep me"


# --------------------------------------------------------------------------- probing

def test_parse_stream_line_reads_ffmpeg_headers():
    line = ("  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), "
            "yuv420p(tv, bt709, progressive), 1920x1080 [SAR 1:1 DAR 16:9], 3 kb/s, "
            "23.98 fps, 23.98 tbr, 24k tbn (default)")
    assert parse_stream_line(line) == ("h264", "yuv420p", 1920, 1080, 23.98)


def test_probing_something_that_is_not_a_video(tmp_path):
    bogus = tmp_path / "bogus.mp4"
    bogus.write_text("hello")
    with pytest.raises(EncodeError, match="cannot read .*bogus.mp4 as a video"):
        probe(bogus)
    with pytest.raises(EncodeError, match="no such file"):
        probe(tmp_path / "missing.mp4")


def test_parse_stream_line_without_a_stated_rate():
    line = "Stream #0:0: Video: png, rgb24(pc), 64x36, 25 tbr, 25 tbn"
    assert parse_stream_line(line) == ("png", "rgb24", 64, 36, 0.0)


def test_mov_is_written_too_and_its_video_can_be_replaced(tmp_path):
    target = tmp_path / "scene.mov"
    render(target, exposures=2, hold=2)
    render(target, exposures=3, hold=2)
    assert probe(target).frames == 6


def test_ffmpeg_found_early_is_the_one_the_sink_runs(tmp_path):
    find_ffmpeg_early().join()
    assert os.access(ffmpeg_exe(), os.X_OK)
    render(tmp_path / "a.mp4", exposures=2)
    assert probe(tmp_path / "a.mp4").frames == 4


def test_finding_ffmpeg_early_leaves_a_failure_for_the_sink_to_report(monkeypatch):
    def missing():
        raise RuntimeError("No ffmpeg exe could be found")
    escaped = []
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", missing)
    monkeypatch.setattr(threading, "excepthook", escaped.append)
    find_ffmpeg_early().join()
    assert escaped == []
    with pytest.raises(RuntimeError, match="No ffmpeg"):
        ffmpeg_exe()
