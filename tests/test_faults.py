"""Faults, for real: a render or batch interrupted, its encoder killed, a full disk, a read-only
folder, and output paths that must not be overwritten. Whatever happens, the previous output stays
as it was and no temporary file (`.NAME.partial-PID...`) is left behind.

Renders run as subprocesses in their own session, so a Ctrl-C is what a terminal sends: SIGINT to
the whole process group (the batch, its workers and its progress manager; ffmpeg runs in a group of
its own). SIGTERM goes to the main process only, as `kill` or a job scheduler sends it.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from test_bad_input import Forker, make_project, snapshot

from renderer.output.encode import open_sink
from renderer.settings import VideoFormat

WIDTH = ["--width", "160"]
INTERRUPTED = "stopmo: interrupted; nothing was left half-written"


def scene_text(name: str, seconds: float) -> str:
    """A scene of `seconds` shot on ones: at 160 px wide, long ones take seconds to render."""
    return (f"scene: {name}\nset: other_dining_room\nshots:\n  - id: a\n    duration: {seconds}\n"
            "    step: 1\n    cast:\n      coraline: {at: [400, 930]}\n"
            "      other_mother: {at: [1500, 930], facing: left}\n    action:\n"
            f"      - {{t: 0, who: coraline, do: walk, to: [1200, 930], for: {seconds * 0.9:g}}}\n")


def tiny_video(path: Path, shade: int = 90) -> bytes:
    """Write a real two-frame H.264 video (a 'previous render') and return its bytes."""
    with open_sink(path, VideoFormat(64, 36, 24, 23, "veryfast")) as sink:
        sink.write(np.full((36, 64, 3), shade, np.uint8), repeat=2)
    return path.read_bytes()


@pytest.fixture
def proj(tmp_path) -> Path:
    root = make_project(tmp_path / "proj")
    (root / "output" / "good.mp4").unlink()  # the fake previous render; tests make real ones
    (root / "scenes" / "long.yaml").write_text(scene_text("long", 60))
    return root


# --------------------------------------------------------------------------- processes

class Job:
    """A `python -m renderer` subprocess in its own session, with its output in files."""

    def __init__(self, args: list[str], cwd: Path):
        self.out, self.err = cwd / ".." / "stdout.txt", cwd / ".." / "stderr.txt"
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "renderer", *args], cwd=cwd,
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                         start_new_session=True)
        self.seen: set[int] = set()   # every descendant ever seen, to check none survives

    def descendants(self) -> list[int]:
        found, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            for task in Path(f"/proc/{pid}/task").glob("*"):
                try:
                    kids = [int(k) for k in (task / "children").read_text().split()]
                except OSError:
                    continue
                found += kids
                todo += kids
        self.seen.update(found)
        return found

    def ffmpegs(self) -> list[int]:
        return [p for p in self.descendants() if b"ffmpeg" in _cmdline(p)]

    def ctrl_c(self) -> None:
        os.killpg(self.proc.pid, signal.SIGINT)     # what a terminal does

    def term(self) -> None:
        os.kill(self.proc.pid, signal.SIGTERM)      # what `kill PID` does

    def finish(self, timeout: float = 60) -> tuple[int, str, str]:
        code = self.proc.wait(timeout)
        return code, self.out.read_text(), self.err.read_text()

    def survivors(self) -> list[int]:
        """Descendants still running a moment after the job ended (none should)."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            left = [p for p in self.seen if _running(p)]
            if not left:
                return []
            time.sleep(0.05)
        return left


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status and "\nState:\tX" not in status


def bytes_read(pid: int) -> int:
    """How many bytes a process has read (for ffmpeg: the raw frames piped to it)."""
    try:
        return int(re.search(r"rchar: (\d+)", Path(f"/proc/{pid}/io").read_text()).group(1))
    except (OSError, AttributeError):
        return 0


def wait_until(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def encoding(job: Job, frames: int = 5) -> bool:
    """True once an ffmpeg of the job has been sent at least `frames` 160x90 frames."""
    return any(bytes_read(p) >= frames * 160 * 90 * 3 for p in job.ffmpegs())


def leftovers(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if ".partial-" in p.name)


# --------------------------------------------------------------------------- interruptions

@pytest.mark.parametrize("how", ["ctrl_c", "term"])
def test_an_interrupted_render_keeps_the_previous_video(proj, how):
    previous = tiny_video(proj / "output" / "long.mp4")
    job = Job(["render", "long", *WIDTH], proj)
    wait_until(lambda: encoding(job), "the first frames")
    getattr(job, how)()
    code, out, err = job.finish()
    assert (code, err.splitlines()) == (130, [INTERRUPTED])
    assert (proj / "output" / "long.mp4").read_bytes() == previous
    assert leftovers(proj) == []
    assert job.survivors() == []


SEQUENCE = "film: film\ncard_seconds: 0.25\ntransition_seconds: 0.25\nscenes: [s1, s2, s3]\n"


@pytest.mark.parametrize("jobs,how", [(1, "ctrl_c"), (2, "ctrl_c"), (2, "term")])
def test_an_interrupted_batch_keeps_finished_scenes_and_a_rerun_resumes(proj, jobs, how):
    scenes = proj / "scenes"
    (scenes / "s1.yaml").write_text(scene_text("s1", 0.5))
    for name in ("s2", "s3"):
        (scenes / f"{name}.yaml").write_text(scene_text(name, 60))
    (scenes / "sequence.yaml").write_text(SEQUENCE)
    out = proj / "output"
    job = Job(["batch", "-j", str(jobs), *WIDTH], proj)
    wait_until(lambda: (out / ".s1.mp4.key").exists() and encoding(job), "s1 done, s2 started")
    finished = (out / "s1.mp4").read_bytes()
    getattr(job, how)()
    code, _, err = job.finish()
    assert (code, err.splitlines()) == (130, [INTERRUPTED])
    assert leftovers(proj) == []
    assert job.survivors() == []
    assert (out / "s1.mp4").read_bytes() == finished
    assert not (out / "film.mp4").exists()

    for name in ("s2", "s3"):  # shorter now, so the rerun is quick; s1 is unchanged
        (scenes / f"{name}.yaml").write_text(scene_text(name, 0.5))
    code, summary, err = Job(["batch", *WIDTH], proj).finish()
    assert code == 0, err
    cached = {row.split()[0]: row.split()[-1] for row in summary.splitlines()
              if row.split() and row.split()[0] in ("s1", "s2", "s3")}
    assert cached == {"s1": "yes", "s2": "no", "s3": "no"}
    assert (out / "s1.mp4").read_bytes() == finished and (out / "film.mp4").is_file()
    assert leftovers(proj) == []


# --------------------------------------------------------------------------- the encoder dies

def test_a_killed_encoder_is_reported_with_the_scene_and_frame(proj):
    previous = tiny_video(proj / "output" / "long.mp4")
    job = Job(["render", "long", *WIDTH], proj)
    wait_until(lambda: encoding(job), "the first frames")
    os.kill(job.ffmpegs()[0], signal.SIGKILL)
    code, _, err = job.finish()
    assert code == 1
    assert re.fullmatch(r"stopmo: the encoder stopped while writing long frame \d+: "
                        r"ffmpeg was killed by SIGKILL\n", err), err
    assert (proj / "output" / "long.mp4").read_bytes() == previous
    assert leftovers(proj) == []
    assert job.survivors() == []


# --------------------------------------------------------------------------- the disk

def _mount_tmpfs(folder: Path, options: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")


@pytest.fixture
def small_disk(tmp_path):
    """A 24 KiB filesystem: room for a small previous render, not for a 60 s one."""
    folder = tmp_path / "small_disk"
    _mount_tmpfs(folder, "size=24k")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_is_reported_and_the_previous_video_kept(proj, small_disk):
    (proj / "scenes" / "mid.yaml").write_text(scene_text("mid", 15))  # about 40 KB of video
    target = small_disk / "mid.mp4"
    previous = tiny_video(target)
    job = Job(["render", "mid", *WIDTH, "-o", str(target)], proj)
    code, _, err = job.finish()
    assert (code, err.splitlines()) == (2, [f"stopmo: the disk is full: could not finish writing "
                                            f"{target} (mid) (free some space and render again; "
                                            "the previous output is intact)"])
    assert target.read_bytes() == previous
    assert sorted(p.name for p in small_disk.iterdir()) == ["mid.mp4"]
    assert job.survivors() == []


@pytest.fixture
def read_only(tmp_path):
    """A read-only folder holding a previous render: a read-only mount, which binds even root."""
    folder = tmp_path / "read_only"
    if os.geteuid() != 0:
        folder.mkdir()
        previous = tiny_video(folder / "long.mp4")
        folder.chmod(0o555)
        yield folder, previous
        folder.chmod(0o755)
        return
    _mount_tmpfs(folder, "size=1m")
    previous = tiny_video(folder / "long.mp4")
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    yield folder, previous
    subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_read_only_folder_is_refused_before_any_work(proj, read_only):
    folder, previous = read_only
    forker = Forker()
    try:
        video = forker.run(["render", "long", *WIDTH, "-o", str(folder / "long.mp4")], proj)
        still = forker.run(["still", "long", *WIDTH, "--frame", "3", "-o",
                            str(folder / "f3.png")], proj)
        (proj / "scenes" / "sequence.yaml").write_text("film: film\nscenes: [good]\n")
        batch = forker.run(["batch", *WIDTH, "--output-dir", str(folder)], proj)
    finally:
        forker.close()
    assert (batch.code, batch.stderr.splitlines()) == \
        (2, [f"stopmo: output folder {folder} is not writable"])
    assert (video.code, video.stderr.splitlines()) == \
        (2, [f"stopmo: cannot write {folder / 'long.mp4'}: folder {folder} is not writable"])
    assert still.code == 2 and still.stderr.startswith(f"stopmo: cannot write {folder / 'f3.png'}")
    assert video.seconds < 5  # refused up front, not after a 60 s render
    assert (folder / "long.mp4").read_bytes() == previous
    assert sorted(p.name for p in folder.iterdir()) == ["long.mp4"]


# --------------------------------------------------------------------------- where -o points

def test_output_paths_that_are_not_renders_are_never_overwritten(proj):
    (proj / "notes.mp4").write_text("my notes, not a video\n")
    (proj / "notes.png").write_text("not a picture either\n")
    (proj / "film.mp4").mkdir()
    (proj / "frames").mkdir()
    (proj / "frames" / "readme.txt").write_text("keep me\n")
    before = snapshot(proj)
    cases = [
        (["render", "long", "-o", "notes.mp4"],
         "refusing to overwrite notes.mp4: it is not a video (move it away or choose another "
         "output name)"),
        (["render", "long", "-o", "film.mp4"],
         "cannot write the video film.mp4: a folder with that name exists (choose another file "
         "name)"),
        (["render", "long", "-o", "frames"],
         "refusing to replace the folder frames: it holds files other than frame_*.png (such as "
         "'readme.txt') (choose an empty or new folder)"),
        (["render", "long", "-o", "missing/long.mp4"],
         "folder missing does not exist (create it first)"),
        (["render", "long", "-o", "notes.txt"],
         "cannot write notes.txt: unknown output format '.txt' (use a .mp4 or .mov file, or a "
         "folder name ending in '/' for a PNG sequence)"),
        (["still", "long", "--frame", "1", "-o", "notes.png"],
         "refusing to overwrite notes.png: it is not a PNG image (move it away or choose another "
         "output name)"),
        (["still", "long", "--frame", "1", "-o", "frames"],
         "frames: an image is written as PNG (give a path ending in .png)"),
        (["sheet", "long", "-o", "missing/sheet.png"],
         "folder missing does not exist (create it first)"),
    ]
    forker = Forker()
    try:
        runs = [(forker.run(args + WIDTH, proj), message) for args, message in cases]
    finally:
        forker.close()
    for run, message in runs:
        assert (run.code, run.stderr.splitlines()) == (2, [f"stopmo: {message}"])
    assert snapshot(proj) == before


def test_a_previous_render_is_replaced_by_the_new_one(proj):
    (proj / "scenes" / "short.yaml").write_text(scene_text("short", 0.5))
    target = proj / "output" / "short.mp4"
    previous = tiny_video(target)
    picture = proj / "output" / "f1.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"an older still")
    forker = Forker()
    try:
        video = forker.run(["render", "short", *WIDTH], proj)
        still = forker.run(["still", "short", *WIDTH, "--frame", "1", "-o", str(picture)], proj)
    finally:
        forker.close()
    assert video.code == 0 and still.code == 0, (video.stderr, still.stderr)
    assert target.read_bytes() != previous and picture.stat().st_size > 100
    assert leftovers(proj) == []


def test_a_batch_killed_outright_leaves_no_process_behind(proj):
    """`kill -9` of a batch passes nothing on: its workers (SIGTERM, so each stops its ffmpeg
    and removes its temporary video), its progress manager and the resource tracker must still
    end, and a rerun finds nothing running and renders the film."""
    scenes = proj / "scenes"
    for name in ("s1", "s2", "s3"):
        (scenes / f"{name}.yaml").write_text(scene_text(name, 60))
    (scenes / "sequence.yaml").write_text(SEQUENCE)
    job = Job(["batch", "-j", "2", *WIDTH], proj)
    wait_until(lambda: len(job.ffmpegs()) == 2 and all(
        bytes_read(p) >= 5 * 160 * 90 * 3 for p in job.ffmpegs()), "both workers encoding")
    job.descendants()
    os.kill(job.proc.pid, signal.SIGKILL)
    job.proc.wait(10)
    assert job.survivors() == []
    assert leftovers(proj) == []
    for name in ("s1", "s2", "s3"):
        (scenes / f"{name}.yaml").write_text(scene_text(name, 0.5))
    code, _, err = Job(["batch", *WIDTH], proj).finish()
    assert code == 0, err
    assert (proj / "output" / "film.mp4").is_file()


def test_a_full_disk_while_the_film_is_joined_is_reported_not_raw_encoder_text(proj, tmp_path):
    """The scene fits, the film does not: "the disk is full" and exit code 2, as for a scene,
    not ffmpeg's own text with exit code 1; nothing half-written is left."""
    out = tmp_path / "disk"
    _mount_tmpfs(out, "size=64k")   # the scene with the film's title card made beside it
    try:
        (proj / "scenes" / "sequence.yaml").write_text("film: film\ncard_seconds: 1\n"
                                                       "scenes: [good]\n")
        code, _, err = Job(["batch", *WIDTH, "--output-dir", str(out)], proj).finish()
        assert code == 2, err
        assert re.fullmatch(r"stopmo: the disk is full: could not finish writing \S+ \(film\) "
                            r"\(free some space and render again; the previous output is "
                            r"intact\)\n", err), err
        assert sorted(p.name for p in out.iterdir()) == [".good.mp4.key", "good.mp4"]
    finally:
        subprocess.run(["umount", "-l", str(out)], check=False)


def test_two_batches_on_one_folder_with_different_settings_never_join_a_mixed_film(proj):
    """The second batch of two running at once on one output folder found a scene the other
    replaced, and crashed joining the film. Now: a film is joined only from the scene videos
    this batch wrote, or it is refused with a message; either way no traceback."""
    (proj / "scenes" / "long.yaml").write_text(scene_text("long", 4))
    (proj / "scenes" / "sequence.yaml").write_text("film: film\ncard_seconds: 0.25\n"
                                                   "scenes: [good, long]\n")
    a = Job(["batch", "--width", "160"], proj)
    b = Job(["batch", "--width", "192"], proj)
    for job in (a, b):
        code, _, err = job.finish(120)
        assert "Traceback" not in err and "internal error" not in err, err
        assert code in (0, 2), err
        if code == 2:
            assert "changed while the batch ran" in err or "refusing" in err, err
    assert leftovers(proj) == []
