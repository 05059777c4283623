"""How the film's render scales with workers: `stopmo batch --force` of the whole film with 1, 2
and (where the machine has the cores) 4, 8, 16 workers, three ways, printing wall time, CPU time
and parallel efficiency.

    python -m benchmarks.scaling [--quality preview] [--workers 1,2] [--modes pool,chunked,cluster]
                                 [--compare OTHER_CHECKOUT]

    pool      `-j N --chunk-frames 0`: whole scenes as the tasks of a local pool
    chunked   `-j N`: frame-range chunks, sized from the work and the workers
    cluster   `--cluster local:N`: the same chunks on a Dask LocalCluster of N processes
    before    (with --compare DIR) DIR's own `stopmo batch -j N`, run with DIR/.venv's Python:
              another checkout, e.g. the code before this change

Efficiency is T1 / (N x TN), where T1 is the one-worker pool's wall time (at one worker every
way renders whole scenes, so only the pool runs there). Every run renders into its own scratch
folder; the paint cache stays warm (a first, untimed run warms it unless --cold). The machine's
other work shows in every number: run it on a quiet machine, and compare runs made together.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):   # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.procs import run_watched  # noqa: E402
from benchmarks.shot import REPO  # noqa: E402

MODES = ("pool", "chunked", "cluster")


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def default_workers() -> list[int]:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [n for n in (1, 2, 4, 8, 16) if n <= max(2, cores or 1)]


def command(mode: str, workers: int, quality: str, out: Path, compare: Path | None
            ) -> tuple[list[str], Path]:
    """The batch command line of one run and the folder it runs in."""
    base = ["batch", "--force", "-q", quality, "--output-dir", str(out)]
    if mode == "before":
        return [str(compare / ".venv" / "bin" / "python"), "-m", "renderer", *base, "-j",
                str(workers)], compare
    extra = {"pool": ["-j", str(workers), "--chunk-frames", "0"],
             "chunked": ["-j", str(workers)],
             "cluster": ["--cluster", f"local:{workers}"]}[mode]
    return [sys.executable, "-m", "renderer", *base, *extra], REPO


def film_seconds(out: Path) -> float:
    import imageio_ffmpeg
    films = [p for p in out.glob("*.mp4") if p.with_name(f".{p.name}.key").is_file()
             and not (REPO / "scenes" / f"{p.stem}.yaml").is_file()]
    if not films:
        return float("nan")
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(films[0]))
    return seconds


def table(rows: list[dict], t1: float | None, running: float) -> str:
    lines = ["| way | workers | wall s | x running time | CPU s | efficiency |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        eff = f"{t1 / (r['workers'] * r['wall']):.2f}" if t1 and r["ok"] else "-"
        wall = f"{r['wall']:.1f}" if r["ok"] else f"failed ({r['code']})"
        lines.append(f"| {r['mode']} | {r['workers']} | {wall} | {r['wall'] / running:.2f} | "
                     f"{r['cpu']:.0f} | {eff} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.scaling",
                                description=__doc__.split("\n")[0])
    p.add_argument("--quality", default="preview")
    p.add_argument("--workers", help="comma-separated worker counts (default: 1, 2 and up to "
                   "the machine's cores among 4, 8, 16)")
    p.add_argument("--modes", default=",".join(MODES),
                   help=f"comma-separated, of {', '.join(MODES)} (default all)")
    p.add_argument("--compare", type=Path, help="another checkout to time as 'before'")
    p.add_argument("--cold", action="store_true", help="skip the warming run")
    args = p.parse_args(argv)
    workers = [int(w) for w in args.workers.split(",")] if args.workers else default_workers()
    modes = [m for m in args.modes.split(",") if m]
    if args.compare:
        modes = ["before", *modes]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="stopmo-scaling-") as tmp:
        if not args.cold:
            say("warming the paint cache: one untimed batch ...")
            cmd, cwd = command("chunked", max(workers), args.quality, Path(tmp) / "warm", None)
            (Path(tmp) / "warm").mkdir()
            run_watched(cmd, cwd=cwd)
        running = float("nan")
        for n in workers:
            for mode in (["pool"] if n == 1 else modes):
                out = Path(tmp) / f"{mode}-{n}"
                out.mkdir()
                cmd, cwd = command(mode, n, args.quality, out, args.compare)
                say(f"{mode} with {n} worker{'s' if n > 1 else ''}: {' '.join(cmd[1:])}")
                stats = run_watched(cmd, cwd=cwd)
                if stats.returncode == 0 and running != running:   # nan: not measured yet
                    running = film_seconds(out)
                rows.append(dict(mode=mode, workers=n, wall=stats.wall, cpu=stats.cpu,
                                 ok=stats.returncode == 0, code=stats.returncode))
                say(f"  {stats.wall:.1f} s wall, {stats.cpu:.0f} s CPU")
    t1 = next((r["wall"] for r in rows if r["mode"] == "pool" and r["workers"] == 1 and r["ok"]),
              None)
    print(f"the film at {args.quality}: {running:.1f} s of film, {os.cpu_count()} cores")
    print(table(rows, t1, running))
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
