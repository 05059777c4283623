"""One benchmark case per process, so each one's peak memory is its own:

    python -m benchmarks.cases CASE WORKDIR [--scene PATH] [--no-post] [--profile N]

CASE is one of
    prepare   render the shot once as `stopmo render` does, keeping every exposure: writes
              WORKDIR/frames.rgb + holds.json (for `encode`) and WORKDIR/mpy/ (for `moviepy`);
              with --profile N, the render loop runs under cProfile and the top N lines by
              cumulative time go to WORKDIR/profile.txt. Not timed.
    stopmo    end to end, exactly the `stopmo render` code path (plan_scene, render_frames,
              open_sink); --no-post renders with post effects off.
    encode    the frames `prepare` kept, read into memory first, then piped through the same sink
              with the same settings and holds: the encoder's ceiling.
    moviepy   the moviepy twin (benchmarks.mpy_compose) from the images and transforms `prepare`
              exported, post effects off as they are in stopmo's export.
    render    the render loop alone, no encoder: the shot rendered twice in one process (the
              first loads every painting), the second timed in CPU seconds. With nothing to
              share the cores with, its cost an exposure holds still where the shot's wall
              times swing with the machine's load: the measure of a change to the render path.

Prints one JSON line: frames, wall (seconds, imports excluded) and rss_py (this process's peak
RSS, MiB); `prepare` adds exposures and parts (puppet parts drawn in every exposure), `render`
exposures and cpu_ms (CPU milliseconds an exposure of the timed pass). The
encoder's memory is watched from outside (benchmarks.procs).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

QUALITY = "preview"


def peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM) in MiB. (Its children's ru_maxrss would not do
    for the encoder: a forked child starts with its parent's high-water mark.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024   # kB
    return 0.0


def _settings(post: bool):
    from renderer.settings import settings_for
    return settings_for(QUALITY, post=post)


def _sink(target: Path, settings, frames: int, label: str):
    from renderer.output.encode import open_sink
    return open_sink(target, settings.video, expected_frames=frames, label=label)


def _scene(scene_path: Path):
    """The scene as `stopmo render` loads it: its project opened with the paint cache the
    environment names (`STOPMO_CACHE`)."""
    from renderer.load.project import find_scene
    from renderer.paint.paintcache import open_store
    return find_scene(str(scene_path), Path.cwd(), open_store(os.environ))


def run_stopmo(scene_path: Path, work: Path, post: bool) -> int:
    """`stopmo render SCENE -q preview` without the progress bar; returns frames written."""
    from renderer.output.encode import find_ffmpeg_early
    from renderer.render import plan_scene, render_into
    find_ffmpeg_early()
    settings = _settings(post)
    plan = plan_scene(_scene(scene_path), settings)
    with _sink(work / f"stopmo{'' if post else '-nopost'}.mp4", settings, plan.frames,
               plan.scene.name) as sink:
        render_into(plan, sink)
    return plan.frames


def prepare(scene_path: Path, work: Path, profile: int) -> dict:
    """Render once with post on, keeping the exposures; export the moviepy twin's material."""
    import cProfile
    import pstats

    from benchmarks.mpy_export import export
    from renderer.render import plan_scene, render_frames
    settings = _settings(True)
    plan = plan_scene(_scene(scene_path), settings)
    kept: list = []
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    with _sink(work / "prepare.mp4", settings, plan.frames, plan.scene.name) as sink:
        for frame, hold in render_frames(plan):
            sink.write(frame, repeat=hold)
            kept.append((frame, hold))
    if profiler:
        profiler.disable()
        with open(work / "profile.txt", "w") as f:
            pstats.Stats(profiler, stream=f).strip_dirs().sort_stats("cumulative") \
                .print_stats(profile)
    with open(work / "frames.rgb", "wb") as f:
        for frame, _ in kept:
            f.write(frame.tobytes())
    (work / "holds.json").write_text(json.dumps([h for _, h in kept]))
    spec = export(plan_scene(_scene(scene_path), _settings(False)), work / "mpy")
    return {"frames": plan.frames, "exposures": plan.exposures, "parts": parts_drawn(spec)}


def parts_drawn(spec: dict) -> int:
    """The fewest puppet parts drawn in any one exposure of the exported composition."""
    counts = [0] * len(spec["starts"])
    for run in spec["clips"]:
        if run["image"].startswith("part-"):
            for k in range(run["first"], run["first"] + len(run["scale"])):
                counts[k] += 1
    return min(counts)


def run_render(scene_path: Path) -> dict:
    """The render loop without a sink, on one OpenCV thread as `render_into` runs it: a pass
    that loads every painting, then a timed pass."""
    from renderer.render import _opencv_threads, plan_scene, render_frames
    plan = plan_scene(_scene(scene_path), _settings(True))
    with _opencv_threads(1):
        for _ in render_frames(plan):
            pass
        cpu = time.process_time()
        for _ in render_frames(plan, preload=False):
            pass
        cpu = time.process_time() - cpu
    return {"frames": plan.frames, "exposures": plan.exposures,
            "cpu_ms": cpu / plan.exposures * 1000}


def load_frames(work: Path):
    """The exposures `prepare` kept: ((n, H, W, 3) uint8, holds)."""
    import numpy as np
    settings = _settings(True)
    holds = json.loads((work / "holds.json").read_text())
    frames = np.fromfile(work / "frames.rgb", np.uint8)
    return frames.reshape(len(holds), settings.height, settings.width, 3), holds


def run_encode(frames, holds, work: Path) -> int:
    settings = _settings(True)
    total = sum(holds)
    with _sink(work / "encode.mp4", settings, total, "encode-only") as sink:
        for frame, hold in zip(frames, holds):
            sink.write(frame, repeat=hold)
    return total


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.cases")
    p.add_argument("case", choices=("prepare", "stopmo", "encode", "moviepy", "render"))
    p.add_argument("work", type=Path)
    p.add_argument("--scene", type=Path)
    p.add_argument("--no-post", action="store_true")
    p.add_argument("--profile", type=int, default=0)
    args = p.parse_args(argv)
    # imports and input loading happen before the clock starts, for every case alike
    if args.case == "moviepy":
        from benchmarks import mpy_compose
        settings = _settings(False)
    elif args.case == "encode":
        frames, holds = load_frames(args.work)
        import renderer.output.encode  # noqa: F401
    else:
        import renderer.load.scene  # noqa: F401
        import renderer.output.encode  # noqa: F401
        import renderer.render  # noqa: F401
    started = time.perf_counter()
    extra = {}
    if args.case == "prepare":
        extra = prepare(args.scene, args.work, args.profile)
        n = extra.pop("frames")
    elif args.case == "stopmo":
        n = run_stopmo(args.scene, args.work, post=not args.no_post)
    elif args.case == "render":
        extra = run_render(args.scene)
        n = extra.pop("frames")
    elif args.case == "encode":
        n = run_encode(frames, holds, args.work)
    else:
        n = mpy_compose.write(args.work / "mpy", args.work / "moviepy.mp4", crf=settings.crf,
                              preset=settings.preset)
    wall = time.perf_counter() - started
    print(json.dumps({"frames": n, "wall": wall, "rss_py": peak_rss_mib(), **extra}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
