"""`stopmo diff A B` and `stopmo bless [SCENE...]`: reviewing a change frame by frame, and
accepting an intended change into the golden frames of the regression tests.

Heavy imports stay inside the commands so `stopmo --help` remains quick.
"""
from __future__ import annotations

import heapq
import os
import re
import shutil
import sys
from itertools import zip_longest
from pathlib import Path
from typing import Iterator

from renderer.errors import DiffInputError, StopmoError

VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".webm", ".avi")
DIFF_EXIT = ("exit status: 0 every frame is within the gate (each channel within ±1 level on all "
             "but a 1e-5 fraction of values), 1 some frames differ or the frame counts differ, "
             "2 bad input (missing or unreadable, or frames of different sizes)")


def add_parsers(sub) -> None:
    """Register `diff` and `bless` on the `stopmo` sub-command parser."""
    p = sub.add_parser(
        "diff", help="per-frame differences between two renders (videos or frame folders)",
        description="Compare two renders frame by frame: two videos, two folders of PNG frames "
        "(frame_000000.png... as `stopmo render -o DIR/` writes them) or two PNG images. Prints "
        "a table of the frames that differ (max difference in levels, mean absolute difference, "
        "PSNR, values over ±1) and, with --sheet, a contact sheet of the most different frames: "
        "expected | actual | diff (red: changed, cyan box: where). Frame numbers count from 0, "
        "as `stopmo still --frame` does. Compare frame folders rather than videos to review "
        "pixels: H.264 itself moves colours by several levels.", epilog=DIFF_EXIT)
    p.add_argument("expected", type=Path, help="the render before the change (A)")
    p.add_argument("actual", type=Path, help="the render after the change (B)")
    p.add_argument("--sheet", type=Path, metavar="OUT.png",
                   help="write a contact sheet of the most different frames")
    p.add_argument("--top", type=int, default=6, help="frames on the sheet (default 6)")
    p.add_argument("--thumb", type=int, default=320, help="thumbnail width on the sheet (px)")
    p.add_argument("--all", action="store_true",
                   help="list every frame, identical ones included")

    p = sub.add_parser(
        "bless", help="regenerate the golden frames of the regression tests",
        description="Render the golden frames of the given scenes (default: every scene but "
        "sequence.yaml and names starting with '_') into tests/baselines/SCENE/: the first, "
        "middle and last frame of every shot at 320x180, with a sidecar baseline.json. Only "
        "frames that are missing or fail the gate are rewritten, so an unchanged scene leaves "
        "git clean. Without scene arguments, golden frames of scenes that no longer exist are "
        "removed. Look at the change first (`pytest` writes tests/results/SCENE/index.html). "
        "Refused when the environment variable CI is set.")
    p.add_argument("scenes", nargs="*", metavar="SCENE", help="scene names or scene files")


# --------------------------------------------------------------------------- reading frames

def _natural(path: Path) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name)]


def frames_of(path: Path) -> Iterator:
    """The frames of a video, a folder of PNGs (in natural name order) or one PNG: (H, W, 3)
    uint8 RGB arrays. Raises DiffInputError for anything else."""
    from renderer.review.gate import load_png
    if path.is_dir():
        pngs = sorted(path.glob("*.png"), key=_natural)
        if not pngs:
            raise DiffInputError(f"{path}: no PNG frames in this folder")
        return (_png(p, load_png) for p in pngs)
    if not path.is_file():
        raise DiffInputError(f"{path}: no such file or folder")
    if path.suffix.lower() == ".png":
        return iter([_png(path, load_png)])
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return _video(path)
    raise DiffInputError(f"{path}: cannot compare a {path.suffix or 'suffix-less'} file",
                         hint="give two videos, two folders of PNG frames or two PNG images")


def _png(path: Path, load_png):
    try:
        return load_png(path)
    except OSError as err:
        raise DiffInputError(f"{path}: not a readable PNG ({err})") from None


def _video(path: Path) -> Iterator:
    from renderer.output.probe import read_frames
    frames = read_frames(path)
    try:
        while True:
            try:
                frame = next(frames)
            except StopIteration:
                return
            except (RuntimeError, OSError, ValueError) as err:
                last = (str(err).strip().splitlines() or ["unreadable"])[-1]
                raise DiffInputError(f"{path}: cannot read it as a video: {last}") from None
            yield frame
    finally:
        frames.close()


# --------------------------------------------------------------------------- diff

def cmd_diff(args) -> int:
    import numpy as np

    from renderer.review.gate import compare, psnr_text
    if args.sheet is not None:
        _check_sheet_path(args.sheet)
    if not 1 <= args.top <= 50:
        raise DiffInputError(f"--top {args.top}: expected 1..50")
    a, b = frames_of(args.expected), frames_of(args.actual)
    rows, worst, counts, spans, held = [], [], [0, 0], {}, None
    for i, (x, y) in enumerate(zip_longest(a, b)):
        counts[0] += x is not None
        counts[1] += y is not None
        if x is None or y is None:
            continue
        if x.shape != y.shape:
            raise DiffInputError(f"frame {i}: {_size(x)} in {args.expected} but {_size(y)} in "
                                 f"{args.actual}", hint="render both at the same size")
        if not rows:  # the header once both inputs have proved readable
            print(f"{'frame':>6} {'max':>4} {'mean abs':>9} {'PSNR':>9} {'over ±1':>8}")
        d = compare(x, y)
        rows.append(d)
        if args.all or not d.identical:
            flag = "" if d.passed else "  differs"
            print(f"{i:>6} {d.max_diff:>4} {d.mean_abs:>9.4f} {psnr_text(d.psnr):>9} "
                  f"{d.over:>8}{flag}")
        if held is not None and np.array_equal(x, held[1]) and np.array_equal(y, held[2]):
            spans[held[0]] = i  # a held exposure: one photograph, shown once on the sheet
            continue
        held = (i, x, y)
        if not d.identical:  # keep the most different photographs (lowest PSNR) for the sheet
            item = (-d.psnr, d.over, -i, i, x, y, d)
            (heapq.heappush if len(worst) < args.top else heapq.heappushpop)(worst, item)
    failing = [i for i, d in enumerate(rows) if not d.passed]
    within = sum(1 for d in rows if d.passed and not d.identical)
    print(_summary(rows, failing, within, counts, args))
    if args.sheet is not None:
        _write_sheet(args, sorted(worst, reverse=True), spans, len(failing), len(rows))
    return 1 if failing or counts[0] != counts[1] else 0


def _size(frame) -> str:
    return f"{frame.shape[1]}x{frame.shape[0]}"


def _summary(rows, failing, within, counts, args) -> str:
    lines = [f"{len(failing)} of {len(rows)} frames differ beyond the gate"
             + (f", {within} more within ±1 level" if within else "")]
    if rows:
        worst = min(range(len(rows)), key=lambda k: rows[k].psnr)
        if not rows[worst].identical:
            lines.append(f"most different: frame {worst} ({rows[worst].describe()})")
    if counts[0] != counts[1]:
        lines.append(f"frame counts differ: {counts[0]} in {args.expected}, "
                     f"{counts[1]} in {args.actual}")
    return "\n".join(lines)


def _check_sheet_path(path: Path) -> None:
    if path.suffix.lower() != ".png":
        raise DiffInputError(f"--sheet {path}: a contact sheet is written as PNG",
                             hint="give a path ending in .png")
    if not path.parent.is_dir():
        raise DiffInputError(f"--sheet {path}: folder {path.parent} does not exist")


def _write_sheet(args, worst, spans: dict[int, int], n_failing: int, n_frames: int) -> None:
    """Rows of expected | actual | diff for the most different photographs, worst first."""
    from renderer.output.files import save_png
    from renderer.review.contactsheet import contact_sheet
    from renderer.review.gate import diff_image, psnr_text
    rows = [(f"frames {i}–{spans[i]}" if i in spans else f"frame {i}",
             [("expected", x), ("actual", y),
              (f"diff · PSNR {psnr_text(d.psnr)} · max {d.max_diff}", diff_image(x, y))])
            for *_, i, x, y, d in worst]
    title = (f"{args.expected.name} vs {args.actual.name}: {n_failing} of {n_frames} frames "
             "differ" + ("" if rows else " (no frame differs)"))
    save_png(args.sheet, contact_sheet(rows, thumb_width=max(64, min(args.thumb, 1280)),
                                       title=title))
    print(args.sheet)


# --------------------------------------------------------------------------- bless

def cmd_bless(args) -> int:
    from renderer.load.project import find_scene, project_at
    from renderer.load.scene import load_scene
    from renderer.output.audiofile import decode_recording
    from renderer.paint.paintcache import open_store
    from renderer.review.regress import (
        baseline_scene_paths,
        refuse_in_ci,
        stale_baselines,
    )
    refuse_in_ci()
    store = open_store(os.environ)   # the command's paint cache, as `stopmo render` opens it
    if args.scenes:
        # every name checked before any work
        for scene in [find_scene(a, Path.cwd(), store, decode_recording) for a in args.scenes]:
            _bless(scene)
        return 0
    project, broken = project_at(Path.cwd(), store, decode_recording), 0
    for path in baseline_scene_paths(project):
        try:
            scene = load_scene(path, project)
        except StopmoError as exc:  # one broken scene does not hold back the others
            broken += 1
            print(f"stopmo: {exc.format()} (skipped: its golden frames are untouched)",
                  file=sys.stderr, flush=True)
            continue
        _bless(scene)
    names = [p.stem for p in baseline_scene_paths(project)]
    for stale in stale_baselines(project.root / "tests" / "baselines", names):
        shutil.rmtree(stale)
        print(f"{stale.name}: removed (no such scene)")
    return 2 if broken else 0


def _bless(scene) -> None:
    from renderer.review.regress import baseline_plan, bless_scene
    folder = scene.project.root / "tests" / "baselines" / scene.name
    print(bless_scene(baseline_plan(scene), folder), flush=True)
