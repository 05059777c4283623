"""Frame-range chunks: a scene rendered in chunks of whole exposures and joined by stream copy is
frame-exact (every frame where it belongs, timestamps on a constant step, each chunk opening on
a key frame), PNG frames through chunks equal a whole render's byte for byte, the sound is made
once for the whole scene, and the film's graph joins a scene as soon as its chunks are in."""
from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from renderer.cli import main
from renderer.jobs.chunks import (
    MIN_CHUNK_FRAMES,
    auto_chunk_frames,
    chunk_spans,
)
from renderer.jobs.graph import CHUNK, JOIN, Task, run_tasks
from renderer.load.scene import load_scene
from renderer.output.join import join_videos
from renderer.output.mux import read_audio
from renderer.output.probe import probe
from renderer.render import exposure_starts, plan_scene, render_to

WIDTH = ["-q", "draft", "--width", "96"]


def frame_md5s(path: Path) -> list[tuple[int, str]]:
    """(pts, md5 of the decoded picture) of every frame, in presentation order."""
    run = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path),
                          "-map", "0:v", "-f", "framemd5", "-"], capture_output=True, check=True)
    rows = [line.split(",") for line in run.stdout.decode().splitlines()
            if line and not line.startswith("#")]
    return [(int(r[2]), r[5].strip()) for r in rows]


def key_frames(path: Path) -> int:
    """How many key frames the video holds (decoding only those)."""
    run = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-skip_frame", "nokey",
                          "-i", str(path), "-map", "0:v", "-f", "framemd5", "-"],
                         capture_output=True, check=True)
    return sum(1 for line in run.stdout.decode().splitlines() if re.match(r"\d", line))


# --------------------------------------------------------------------------- the policy

def test_chunks_cover_the_scene_and_start_only_where_an_exposure_starts():
    starts = list(range(0, 100, 2)) + [100, 103, 106] + list(range(109, 200, 2))  # twos, threes
    spans = chunk_spans(starts, 200, 30)
    assert spans[0][0] == 0 and spans[-1][1] == 200
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))      # no gap, no overlap
    assert all(first in starts for first, _ in spans)               # a hold is never split
    assert all(end - first >= 30 for first, end in spans[:-1])
    # a tail shorter than half a chunk joins the chunk before it, never stands alone: the last
    # chunk is 15..45 frames (plus up to one hold of 3, where the cut waits for an exposure)
    assert 15 <= spans[-1][1] - spans[-1][0] < 45 + 3
    assert chunk_spans(list(range(100)), 100, 30) == [(0, 30), (30, 60), (60, 100)]  # tail 10
    assert chunk_spans(starts, 200, 0) == [(0, 200)]                # 0: whole scenes
    assert chunk_spans(starts, 200, 150) == [(0, 200)]              # shorter than two chunks


def test_the_chunk_length_follows_the_work_and_the_workers():
    assert auto_chunk_frames(5544, 1) == 0                 # one slot: nothing to balance
    # the film on 2 slots: about CHUNKS_PER_SLOT (3) chunks a slot, ceil(5544 / 6) frames
    assert auto_chunk_frames(5544, 2) == 924
    assert auto_chunk_frames(5544, 32) == 58               # 5544 / 96 rounded up
    assert auto_chunk_frames(100, 16) == MIN_CHUNK_FRAMES  # never shorter than a chunk's start-up


# --------------------------------------------------------------------------- frame-exact

def test_chunks_joined_by_stream_copy_are_frame_exact(small_scene, tiny, tmp_path):
    """Chunks encoded apart (each by its own x264) and joined: the same decoded frames as the
    chunks one after another, presentation times on one constant step, a key frame at each
    chunk's start, and the frame count the sum of the chunks'."""
    plan = plan_scene(load_scene(small_scene), tiny)
    spans = chunk_spans(exposure_starts(plan), plan.frames, 7)   # 8 frames: 1/3 s, no whole ms
    assert len(spans) >= 3 and any(plan.frames != e for _, e in spans)
    pieces = []
    for k, span in enumerate(spans):
        pieces.append(tmp_path / f"{k}.mp4")
        render_to(plan, pieces[-1], preload=False, span=span)
        assert probe(pieces[-1]).frames == span[1] - span[0]
        assert frame_md5s(pieces[-1])[0][0] == 0 and key_frames(pieces[-1]) >= 1
    joined = tmp_path / "joined.mp4"
    join_videos(pieces, joined, [e - f for f, e in spans], tiny.fps, "small")
    frames = frame_md5s(joined)
    assert len(frames) == plan.frames
    assert [md5 for _, md5 in frames] == [md5 for p in pieces for _, md5 in frame_md5s(p)]
    steps = {b[0] - a[0] for a, b in zip(frames, frames[1:])}
    assert len(steps) == 1 and steps.pop() > 0                     # monotonic, constant step
    assert key_frames(joined) == sum(key_frames(p) for p in pieces)


def test_png_frames_through_chunks_equal_a_whole_render(small_scene, project_dir, monkeypatch):
    monkeypatch.chdir(project_dir)
    whole, chunked = project_dir / "output" / "whole", project_dir / "output" / "chunked"
    assert main(["render", "small", *WIDTH, "-o", f"{whole}/"]) == 0
    assert main(["render", "small", *WIDTH, "-o", f"{chunked}/", "--chunk-frames", "7"]) == 0
    names = sorted(p.name for p in whole.iterdir())
    assert names == sorted(p.name for p in chunked.iterdir()) and len(names) == 36
    assert all((whole / n).read_bytes() == (chunked / n).read_bytes() for n in names)
    assert not (project_dir / "output" / ".stopmo-chunks").exists()   # chunks go once joined


def test_a_scene_in_chunks_carries_the_sound_made_once_for_the_whole(small_scene, project_dir,
                                                                      monkeypatch, capsys):
    """The chunks are silent; the scene's soundtrack is muxed after the join: the very samples
    of a whole render (AAC of the same soundtrack), not per-chunk AAC with a seam per chunk."""
    monkeypatch.chdir(project_dir)
    out = project_dir / "output"
    assert main(["render", "small", *WIDTH, "-o", str(out / "whole.mp4")]) == 0
    assert main(["render", "small", *WIDTH, "-o", str(out / "chunked.mp4"),
                 "--chunk-frames", "7"]) == 0
    # 36 frames, on twos to frame 24, then ones: cut at 8, 16, 24 and 31
    assert "in 5 chunks" in capsys.readouterr().out
    whole, chunked = probe(out / "whole.mp4"), probe(out / "chunked.mp4")
    assert (chunked.codec, chunked.width, chunked.height, chunked.frames, chunked.fps) == \
        (whole.codec, whole.width, whole.height, whole.frames, whole.fps)
    assert np.array_equal(read_audio(out / "chunked.mp4"), read_audio(out / "whole.mp4"))
    assert (out / "chunked.vtt").read_text() == (out / "whole.vtt").read_text()


# --------------------------------------------------------------------------- the graph

def test_a_join_runs_as_soon_as_its_chunks_are_done_before_other_scenes_chunks():
    ran: list[str] = []
    a = [Task(f"a{i}", ran.append, (f"a{i}",)) for i in range(2)]
    b = [Task(f"b{i}", ran.append, (f"b{i}",)) for i in range(2)]
    join_a = Task("join a", ran.append, ("join a",), deps=tuple(a), priority=JOIN)
    join_b = Task("join b", ran.append, ("join b",), deps=tuple(b), priority=JOIN)
    with ThreadPoolExecutor(1) as one_worker:
        run_tasks(a + b + [join_a, join_b], one_worker, in_flight=1)
    assert ran == ["a0", "a1", "join a", "b0", "b1", "join b"]
    assert CHUNK > JOIN


def test_a_chunk_already_on_disk_is_not_rendered_again(monkeypatch, project_dir, write_scene,
                                                       capsys):
    """An interrupted batch resumes chunk by chunk: a complete chunk file of the same key is
    used as it is; only the others are sent."""
    import renderer.jobs.batchrun as batchrun
    from renderer.jobs.batch import SceneJob, cache_key
    from renderer.jobs.chunks import chunk_jobs, render_chunk
    from renderer.settings import settings_for
    from test_batch import SCENE, SEQUENCE
    write_scene("one", SCENE.format(name="one", world="other", seed=1).replace("0.5", "1.5"))
    write_scene("two", SCENE.format(name="two", world="real", seed=2))
    (project_dir / "scenes" / "sequence.yaml").write_text(SEQUENCE)
    settings = settings_for("draft", width=96)
    scene = load_scene(project_dir / "scenes" / "one.yaml")
    plan = plan_scene(scene, settings)
    job = SceneJob("one", scene.path, project_dir / "output" / "one.mp4", settings,
                   cache_key(scene.files(), settings), plan.frames)
    spans = chunk_spans(exposure_starts(plan), plan.frames, 12)
    first = chunk_jobs(job, spans, None)[0]
    render_chunk(first)                                     # left by an interrupted batch
    sent = []
    monkeypatch.setattr(batchrun, "render_chunk",
                        lambda chunk, report: sent.append(chunk.span) or render_chunk(chunk))
    from renderer.jobs.batchrun import run_film
    from renderer.load.project import Project
    run_film(Project(project_dir), project_dir / "scenes" / "sequence.yaml", settings,
             force=False, out_dir=project_dir / "output", chunk_frames=12)
    assert sent == spans[1:] and len(spans) == 3            # 36 frames: 3 chunks of 12
    assert probe(project_dir / "output" / "one.mp4").frames == 36
    assert probe(project_dir / "output" / "testfilm.mp4").frames == 6 + 6 + 36 + 12 + 18
    assert "chunks: 4 of about 12 frames" in capsys.readouterr().out


def test_encoders_share_the_cores_of_their_machine():
    from renderer.jobs.engines import Engine, threads_per_slot, usable_cores
    assert threads_per_slot(16, 16) == 1 and threads_per_slot(16, 8) == 2
    assert threads_per_slot(2, 4) == 1                      # never none
    engine = Engine(2)
    try:
        assert engine.threads == max(1, usable_cores() // 2)
    finally:
        engine.close()
    assert Engine(1).threads is None                        # inline: the machine, as `render`


@pytest.mark.parametrize("value", ["-1", "999999"])
def test_a_chunk_length_out_of_range_is_refused(value, small_scene, project_dir, monkeypatch,
                                                capsys):
    monkeypatch.chdir(project_dir)
    assert main(["render", "small", *WIDTH, "--chunk-frames", value]) == 2
    assert f"--chunk-frames {value}: expected 0 (whole scenes) to" in capsys.readouterr().err


def test_without_dask_the_cluster_option_says_what_to_install(small_scene, project_dir,
                                                             monkeypatch, capsys):
    import sys
    monkeypatch.setitem(sys.modules, "distributed", None)   # `import distributed` fails
    monkeypatch.chdir(project_dir)
    assert main(["render", "small", *WIDTH, "--cluster", "local:2"]) == 2
    assert capsys.readouterr().err == ("stopmo: --cluster needs Dask distributed, which is not "
                                       "installed (pip install 'stopmo[cluster]')\n")
    assert main(["render", "small", *WIDTH, "-o", str(project_dir / "output" / "x.mp4")]) == 0
