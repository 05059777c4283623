"""stopmo's speed and memory benchmark: one command, one run, one process tree.

    python -m benchmarks.run [--repeats N] [--pairs K] [--profile N] [--film] [--keep DIR]

On the 8-second standard shot (benchmarks/standard_shot.yaml: three puppets, about fifty parts,
a push-in, on twos, 1280x720, `preview` encoder settings) it times, each case in a fresh process,
N repeats interleaved (the first two cases K times a repeat, in pairs), reporting medians:

    stopmo          `stopmo render` end to end (render + encode), post effects on
    encode-only     exactly the frames stopmo produced, piped into the same encoder, same holds
    stopmo no-post  the same with post effects off
    moviepy         the same composition written the idiomatic moviepy 2 way, post effects off

and prints a table and, as its last line,
`ratio_vs_encode_only=X ratio_vs_moviepy=Y peak_rss_mib=Z`: stopmo's fps over encode-only's,
stopmo no-post's fps over moviepy's (each the median over the repeats of the ratio within one
repeat), and stopmo's peak memory (the Python process and its ffmpeg together). The line before
it gives the render loop's CPU an exposure with no encoder beside it (`benchmarks.cases
render`, once a repeat): it holds still where the wall times swing with the machine's load, so
it is the measure of a change to the render path. --film also times `stopmo batch --force -j 2
-q preview` of the whole film against the film's running time. --profile N prints the top N
lines of a cProfile of stopmo's render loop.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):   # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.procs import TreeStats, run_watched  # noqa: E402
from benchmarks.shot import REPO, make_project  # noqa: E402

# (key, label, extra arguments of benchmarks.cases)
CASES = (("stopmo", "stopmo (post on)", ["stopmo"]),
         ("encode", "encode-only (ceiling)", ["encode"]),
         ("nopost", "stopmo (post off)", ["stopmo", "--no-post"]),
         ("moviepy", "moviepy 2 (post off)", ["moviepy"]))
# The stopmo / encode-only pair takes seconds and its ratio is the tight one (0.8 against the
# machine's drift of a third), so each repeat times it this many times (unless --pairs says how
# many); moviepy takes a minute.
ENCODE_PAIRS_PER_REPEAT = 3


def say(text: str) -> None:
    """Progress goes to stderr: stdout holds only the results."""
    print(text, file=sys.stderr, flush=True)


def run_case(args: list[str], work: Path, scene: Path) -> tuple[dict, TreeStats]:
    """One case in its own process: (what it reported, how its process tree behaved)."""
    stats = run_watched([sys.executable, "-m", "benchmarks.cases", args[0], str(work),
                         "--scene", str(scene), *args[1:]], cwd=REPO)
    if stats.returncode != 0:
        raise SystemExit(f"benchmark case {' '.join(args)} failed with exit code "
                         f"{stats.returncode}")
    return json.loads(stats.stdout.strip().splitlines()[-1]), stats


def encoder_mib(stats: TreeStats) -> float:
    return max((v for k, v in stats.hwm_mib.items() if k.startswith("ffmpeg")), default=0.0)


def summarise(runs: list[tuple[dict, TreeStats]]) -> dict:
    """Median times over the repeats; the largest memory seen in any of them."""
    wall = statistics.median(r["wall"] for r, _ in runs)
    frames = runs[0][0]["frames"]
    return {"frames": frames, "wall": wall, "fps": frames / wall,
            "cpu": statistics.median(s.cpu for _, s in runs),
            "py": max(r["rss_py"] for r, _ in runs),
            "enc": max(encoder_mib(s) for _, s in runs),
            "tree": max(s.tree_mib for _, s in runs)}


def pair_ratios(slower: list, faster: list) -> list[float]:
    """Slower wall / faster wall of each pair timed back to back (the same frames, so the ratio
    of fps)."""
    return [s["wall"] / f["wall"] for (s, _), (f, _) in zip(slower, faster)]


def paired_ratio(slower: list, faster: list) -> float:
    """The median of `pair_ratios`: a drift in the machine's speed between repeats, which moves
    both of a pair alike, cancels out instead of landing on one side of a ratio of medians."""
    return statistics.median(pair_ratios(slower, faster))


def table(rows: list[tuple[str, dict]]) -> str:
    head = f"{'case':<24}{'frames':>7}{'wall s':>8}{'fps':>8}{'cpu s':>8}" \
           f"{'py MiB':>8}{'ffmpeg MiB':>11}{'peak RSS MiB':>13}"
    lines = [head, "-" * len(head)]
    for label, r in rows:
        lines.append(f"{label:<24}{r['frames']:>7}{r['wall']:>8.2f}{r['fps']:>8.1f}"
                     f"{r['cpu']:>8.2f}{r['py']:>8.0f}{r['enc']:>11.0f}{r['tree']:>13.0f}")
    return "\n".join(lines)


def twin_difference(a: Path, b: Path, frames: tuple[int, ...]) -> float:
    """Mean absolute difference (0..255) between two videos over the given frame numbers: how
    closely the moviepy twin reproduces stopmo's picture."""
    import imageio_ffmpeg
    import numpy as np

    def pick(path: Path) -> list:
        gen = imageio_ffmpeg.read_frames(str(path))
        next(gen)   # the metadata
        return [np.frombuffer(f, np.uint8).astype(np.int16) for i, f in enumerate(gen)
                if i in frames]

    diffs = [np.abs(x - y).mean() for x, y in zip(pick(a), pick(b))]
    return float(np.mean(diffs)) if diffs else float("nan")


def film_benchmark(work: Path, root: Path = REPO) -> str:
    """Time `stopmo batch --force -j 2 -q preview` of the project at `root` into a scratch
    folder; returns a report line."""
    import imageio_ffmpeg
    import yaml
    out = work / "film"
    out.mkdir(exist_ok=True)
    sequence = root / "scenes" / "sequence.yaml"
    name = yaml.safe_load(sequence.read_text())["film"]
    say("timing the film: stopmo batch --force -j 2 -q preview ...")
    stats = run_watched([sys.executable, "-m", "renderer", "batch", "--force", "-j", "2",
                         "-q", "preview", "--output-dir", str(out)], cwd=root)
    if stats.returncode != 0:   # the shot's numbers still stand: report and go on
        return f"film {name}: stopmo batch failed with exit code {stats.returncode} (its " \
               f"message is above)"
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(out / f"{name}.mp4"))
    biggest = max(stats.hwm_mib.items(), key=lambda kv: kv[1])
    return (f"film {name}: {seconds:.1f} s running time ({frames} frames) rendered in "
            f"{stats.wall:.1f} s wall ({stats.wall / seconds:.2f} s per second of film), cpu "
            f"{stats.cpu:.1f} s, peak memory of the tree {stats.tree_pss_mib:.0f} MiB (PSS; "
            f"summed RSS {stats.tree_mib:.0f} MiB; largest process {biggest[0]} "
            f"{biggest[1]:.0f} MiB)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=3,
                   help="repeats of every case (stopmo and encode-only run --pairs times a "
                        "repeat); medians count")
    p.add_argument("--pairs", type=int, default=ENCODE_PAIRS_PER_REPEAT, metavar="K",
                   help="stopmo / encode-only pairs per repeat (default %(default)s): more "
                        "narrow their ratio's median at seconds a pair, without more moviepy runs")
    p.add_argument("--profile", type=int, default=0, metavar="N",
                   help="print the top N lines (cumulative time) of a cProfile of the render loop")
    p.add_argument("--film", action="store_true", help="also time the whole film's batch render")
    p.add_argument("--keep", type=Path, help="work in this folder and keep its videos and frames")
    args = p.parse_args(argv)
    if args.repeats < 1:
        p.error("--repeats must be at least 1")
    if args.pairs < 1:
        p.error("--pairs must be at least 1")
    with tempfile.TemporaryDirectory(prefix="stopmo-bench-") as tmp:
        work = (args.keep or Path(tmp)).resolve()   # the cases run from the repository
        work.mkdir(parents=True, exist_ok=True)
        return bench(work, args)


def bench(work: Path, args) -> int:
    load = os.getloadavg()[0]
    scene = make_project(work / "project")
    say("preparing: one render kept in memory for encode-only, images for moviepy ...")
    prep, _ = run_case(["prepare", "--profile", str(args.profile)], work, scene)
    runs: dict[str, list] = {key: [] for key, _, _ in CASES}
    labels = {key: (label, case) for key, label, case in CASES}
    render_ms: list[float] = []
    for r in range(args.repeats):   # interleaved, so a slow moment hurts every case alike
        pairs = [("stopmo", "encode") if k % 2 == 0 else ("encode", "stopmo")
                 for k in range(args.pairs)]   # back to back, in turn first
        for key in [*(key for pair in pairs for key in pair), "nopost", "moviepy"]:
            label, case = labels[key]
            say(f"run {r + 1}/{args.repeats}: {label} ...")
            runs[key].append(run_case(case, work, scene))
        say(f"run {r + 1}/{args.repeats}: the render alone ...")
        render_ms.append(run_case(["render"], work, scene)[0]["cpu_ms"])
    film = film_benchmark(work) if args.film else None
    n = prep["frames"]
    diff = twin_difference(work / "moviepy.mp4", work / "stopmo-nopost.mp4",
                           (0, n // 3, 2 * n // 3, n - 1))
    res = {key: summarise(runs[key]) for key, _, _ in CASES}
    print(f"standard shot: {prep['frames']} frames, {prep['exposures']} exposures (on twos), "
          f"at least {prep['parts']} puppet parts drawn per exposure, camera push-in, "
          f"1280x720 preview; {os.cpu_count()} cores, load average {load:.1f} before and "
          f"{os.getloadavg()[0]:.1f} after; medians of {len(runs['stopmo'])} runs (stopmo "
          f"and encode-only) and {args.repeats} (post off)")
    if args.profile:
        print((work / "profile.txt").read_text().strip())
    print(table([(label, res[key]) for key, label, _ in CASES]))
    print(f"moviepy twin vs stopmo, post off: mean |difference| {diff:.1f}/255 over 4 frames")
    if film:
        print(film)
    r_enc = paired_ratio(runs["encode"], runs["stopmo"])
    spread = pair_ratios(runs["encode"], runs["stopmo"])
    print(f"stopmo vs encode-only pair by pair: {min(spread):.2f} to {max(spread):.2f} over "
          f"{len(spread)} pairs, median {r_enc:.2f} (the machine's noise)")
    print(f"the render alone, no encoder: {statistics.median(render_ms):.1f} ms of CPU an "
          f"exposure (median of {len(render_ms)}: {min(render_ms):.1f} to {max(render_ms):.1f})")
    r_mpy = paired_ratio(runs["moviepy"], runs["nopost"])
    print(f"ratio_vs_encode_only={r_enc:.2f} ratio_vs_moviepy={r_mpy:.2f} "
          f"peak_rss_mib={res['stopmo']['tree']:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
