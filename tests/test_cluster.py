"""A real Dask cluster: two worker processes on this machine (a module-scoped LocalCluster, the
same scheduler and workers a farm runs). A scene rendered through it equals the local render, a
worker killed with SIGKILL in the middle of a chunk is survived with the same result, and an
address where no scheduler answers is refused with exit code 2 before any work."""
from __future__ import annotations

import os
import re
import signal
import threading
import time

import pytest

distributed = pytest.importorskip("distributed")   # the `cluster` extra (also in `test`)

from renderer.cli import main  # noqa: E402
from renderer.output.probe import probe  # noqa: E402

WIDTH = ["-q", "draft", "--width", "96"]
PARTIAL = re.compile(r"\.(\d{6}-\d{6})\.partial-(\d+)")   # a chunk being written, by its pid


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as local:   # any free port
        yield local


def frames_of(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_scene_through_the_cluster_equals_the_local_render(cluster, small_scene, project_dir,
                                                            monkeypatch, capsys):
    monkeypatch.chdir(project_dir)
    out = project_dir / "output"
    address = cluster.scheduler_address
    assert main(["render", "small", *WIDTH, "-o", f"{out}/local/"]) == 0
    assert main(["render", "small", *WIDTH, "-o", f"{out}/farm/", "--cluster", address,
                 "--chunk-frames", "7"]) == 0
    assert frames_of(out / "local") == frames_of(out / "farm")        # byte for byte
    assert main(["render", "small", *WIDTH, "-o", str(out / "local.mp4")]) == 0
    assert main(["render", "small", *WIDTH, "-o", str(out / "farm.mp4"), "--cluster", address,
                 "--chunk-frames", "7"]) == 0
    printed = capsys.readouterr().out
    assert "in 5 chunks" in printed, printed
    local, farm = probe(out / "local.mp4"), probe(out / "farm.mp4")
    assert farm == local   # codec, pixel format, size, fps, frames, duration
    # the chunks went once joined; nothing half-written is left
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_a_worker_killed_mid_chunk_is_survived_with_the_same_result(cluster, write_scene,
                                                                    project_dir, monkeypatch):
    """SIGKILL to the worker process writing a chunk: Dask runs the chunk again on a worker
    that lives (the nanny restarts the dead one), the half-written chunk is never joined, and
    the frames equal a local render's."""
    from test_faults import scene_text
    write_scene("longer", scene_text("longer", 3))          # 72 frames on ones: ~6 chunks
    monkeypatch.chdir(project_dir)
    out = project_dir / "output"
    assert main(["render", "longer", *WIDTH, "-o", f"{out}/local/"]) == 0
    chunks = out / ".stopmo-chunks"
    killed: list[int] = []

    def kill_a_worker_mid_chunk() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            for folder in (chunks.glob("*") if chunks.is_dir() else []):
                for entry in list(folder.glob(".*.partial-*")):
                    m = PARTIAL.match(entry.name)
                    if m and any(entry.glob("frame_*.png")):    # mid-chunk: frames written
                        os.kill(int(m[2]), signal.SIGKILL)
                        killed.append(int(m[2]))
                        return
            time.sleep(0.01)
    killer = threading.Thread(target=kill_a_worker_mid_chunk)
    killer.start()
    try:
        code = main(["render", "longer", *WIDTH, "-o", f"{out}/farm/", "--cluster",
                     cluster.scheduler_address, "--chunk-frames", "12"])
    finally:
        killed.append(0)     # the killer stops looking
        killer.join()
    assert killed[0] != 0, "no worker was seen mid-chunk"
    assert code == 0
    assert frames_of(out / "local") == frames_of(out / "farm")
    assert not chunks.exists()                     # joined chunks go, and the dead one's half
    assert not [p for p in out.rglob("*") if ".partial-" in p.name]


def test_the_film_through_the_cluster(cluster, project_dir, write_scene, capsys):
    """`stopmo batch --cluster`: chunks of every scene, their joins, the title cards and the
    transitions all as tasks on the cluster; the film as long as the local batch's."""
    from test_batch import SCENE, SEQUENCE, batch
    write_scene("one", SCENE.format(name="one", world="other", seed=1).replace("0.5", "1.5"))
    write_scene("two", SCENE.format(name="two", world="real", seed=2))
    (project_dir / "scenes" / "sequence.yaml").write_text(SEQUENCE)
    out = batch(project_dir, capsys, cluster=cluster.scheduler_address, chunk_frames=12)
    assert "chunks: 4 of about 12 frames on the Dask cluster" in out, out
    farm = probe(project_dir / "output" / "testfilm.mp4")
    batch(project_dir, capsys, force=True)
    local = probe(project_dir / "output" / "testfilm.mp4")
    assert (farm.frames, farm.width, farm.fps, farm.duration) == \
        (local.frames, local.width, local.fps, local.duration)
    assert farm.frames == 6 + 6 + 6 + 6 + 36 + 6 + 12


@pytest.mark.parametrize("address,says", [
    ("tcp://127.0.0.1:9", "cannot reach the Dask scheduler at tcp://127.0.0.1:9: "
                          "Connection refused (start it with `dask scheduler` and check the "
                          "address)"),
    ("local:0", "--cluster local:0: expected local:N with N worker processes, 1..64"),
    ("http://host:8786", "--cluster http://host:8786: expected a scheduler address such as "
                         "tcp://HOST:8786, or local:N"),
])
def test_a_cluster_that_cannot_be_used_is_refused_before_any_work(address, says, small_scene,
                                                                  project_dir, monkeypatch,
                                                                  capsys):
    monkeypatch.chdir(project_dir)
    assert main(["render", "small", *WIDTH, "--cluster", address]) == 2
    assert capsys.readouterr().err == f"stopmo: {says}\n"
    assert list((project_dir / "output").iterdir()) == []      # nothing rendered, nothing left


def test_a_worker_that_cannot_use_the_shared_folder_or_runs_other_code_is_named(tmp_path):
    """What each worker is asked before any work (`ClusterEngine.check_workers`)."""
    from renderer.jobs.batch import renderer_digest
    from renderer.jobs.cluster import _can_use
    digest = renderer_digest()
    assert _can_use(str(tmp_path), [], digest) == ""
    assert _can_use(str(tmp_path / "absent"), [], digest) == f"cannot write {tmp_path / 'absent'}"
    assert _can_use(str(tmp_path), [str(tmp_path / "a.yaml")], digest) == \
        f"cannot read {tmp_path / 'a.yaml'}"
    assert _can_use(str(tmp_path), [], "0" * 64) == \
        "runs another version of stopmo (its code differs from this one's)"


def test_ctrl_c_cancels_the_graph_and_leaves_no_partial_film(tmp_path):
    """Ctrl-C at the terminal (SIGINT to the whole process group: the batch, its LocalCluster's
    processes, their encoders): the graph is cancelled, the cluster stopped, exit code 130 with
    the one line; no film, nothing half-written, no process left."""
    from test_bad_input import make_project
    from test_faults import INTERRUPTED, SEQUENCE, Job, encoding, leftovers, scene_text, wait_until
    proj = make_project(tmp_path / "proj")
    (proj / "output" / "good.mp4").unlink()
    for name, seconds in (("s1", 0.5), ("s2", 20), ("s3", 20)):
        (proj / "scenes" / f"{name}.yaml").write_text(scene_text(name, seconds))
    (proj / "scenes" / "sequence.yaml").write_text(SEQUENCE)
    job = Job(["batch", "--width", "160", "--cluster", "local:2"], proj)
    wait_until(lambda: encoding(job, 20), "chunks being encoded on the cluster")
    job.ctrl_c()
    code, _, err = job.finish()
    assert (code, err.splitlines()) == (130, [INTERRUPTED])
    assert not (proj / "output" / "film.mp4").exists()
    assert leftovers(proj) == []
    assert job.survivors() == []
