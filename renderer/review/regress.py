"""Frame-diff regression: golden frames of every scene, checked through the gate (`gate`), and
what a failure shows.

Golden frames are the renderer's raw uint8 exposures, never decoded video: H.264 with 4:2:0 chroma
moves pixels far more than any regression does. For each scene, the first, middle and last frame of
every shot (chosen by time) are kept as 320x180 PNGs in `tests/baselines/SCENE/`, with a sidecar
`baseline.json` recording size, fps, each frame's number and time, and the library versions.

The gate: a channel value may differ by at most MAX_CHANNEL_DIFF levels; values that differ by
more must be fewer than MAX_DIFF_RATIO of all values. A failure writes expected.png, actual.png and
diff.png for each frame and an index.html side by side into a results folder.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from renderer.errors import BlessRefused
from renderer.render import ScenePlan, locate, plan_scene, render_exposure
from renderer.review.gate import (
    MAX_CHANNEL_DIFF,
    FrameDiff,
    compare,
    diff_image,
    load_png,
)
from renderer.settings import settings_for
from renderer.stage.timing import frame_at

BASELINE_QUALITY = "draft"
BASELINE_WIDTH = 320            # px; 320x180 keeps the folder small and each scene under seconds
SIDECAR = "baseline.json"
PICKS = ("first", "middle", "last")

# --------------------------------------------------------------------------- choosing frames

@dataclass(frozen=True)
class Pick:
    """A golden frame: `which` of (first, middle, last) of shot `shot`; `frame` is scene-global
    from 0, `time` its scene-global start in seconds, `exposure` the shot-local exposure index."""

    shot: str
    which: str
    frame: int
    time: float
    exposure: int

    @property
    def file(self) -> str:
        return f"{re.sub(r'[^A-Za-z0-9_.-]', '_', self.shot)}-{self.which}.png"


def picks(plan: ScenePlan) -> list[Pick]:
    """The first, middle and last frame of every shot, by time; a frame shown twice is kept once."""
    fps, seen, out = plan.settings.fps, set(), []
    for sp in plan.shots:
        middle = frame_at(sp.shot.duration / 2, fps, sp.frames)
        for which, local in zip(PICKS, (0, middle, sp.frames - 1)):
            frame = sp.first_frame + local
            if sp.frames == 0 or frame in seen:
                continue
            seen.add(frame)
            _, e = locate(plan, frame)
            out.append(Pick(sp.shot.id, which, frame, round(frame / fps, 6), e.index))
    return out


def render_picks(plan: ScenePlan, chosen: list[Pick]) -> dict[int, np.ndarray]:
    """Frame number -> (H, W, 3) uint8 frame; each exposure rendered once, frames past the end
    of the scene left out."""
    by_exposure: dict[tuple[str, int], np.ndarray] = {}
    out = {}
    for p in chosen:
        if not 0 <= p.frame < plan.frames:
            continue
        sp, e = locate(plan, p.frame)
        key = (sp.shot.id, e.index)
        if key not in by_exposure:
            by_exposure[key] = render_exposure(plan, sp, e)
        out[p.frame] = by_exposure[key]
    return out


def baseline_plan(scene) -> ScenePlan:
    return plan_scene(scene, settings_for(BASELINE_QUALITY, width=BASELINE_WIDTH))


def baseline_scene_paths(project) -> list[Path]:
    """The scene files that get golden frames: scenes/*.yaml but sequence.yaml and names
    starting with '_' (drafts and fixtures)."""
    return [p for p in project.scene_paths() if not p.stem.startswith("_")]


def versions() -> dict[str, str]:
    import cv2
    import PIL

    from renderer import __version__
    return {"stopmo": __version__, "numpy": np.__version__, "pillow": PIL.__version__,
            "opencv": cv2.__version__, "python": sys.version.split()[0]}


# The libraries whose arithmetic reaches the pixels: a golden frame made with one version of them
# may differ by a level or two under another, with no change in stopmo at all.
PIXEL_LIBRARIES = ("numpy", "pillow", "opencv")


def version_drift(recorded: dict[str, str], running: dict[str, str]) -> list[str]:
    """'pillow 11.3.0 -> 13.0.0' for each pixel library whose running version differs from the
    one the golden frames were made with (a library the record lacks is not guessed at)."""
    return [f"{lib} {recorded[lib]} -> {running.get(lib, '?')}" for lib in PIXEL_LIBRARIES
            if lib in recorded and recorded[lib] != running.get(lib)]


def drift_advice(drift: list[str]) -> str:
    return (f"the golden frames were made with other library versions ({', '.join(drift)}): "
            "install the locked stack (pip install -c requirements.lock -e '.[test]'), or, to "
            "move to these versions, review the differences and run `stopmo bless` "
            "(README: upgrading the locked stack)")


# --------------------------------------------------------------------------- checking a scene

@dataclass
class SceneCheck:
    """The result of checking one scene against its golden frames."""

    scene: str
    problems: list[str] = field(default_factory=list)
    diffs: list[tuple[Pick, FrameDiff]] = field(default_factory=list)
    page: Path | None = None
    missing: bool = False
    drift: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[tuple[Pick, FrameDiff]]:
        return [(p, d) for p, d in self.diffs if not d.passed]

    @property
    def passed(self) -> bool:
        return not self.problems and not self.failed and not self.missing

    def report(self) -> str:
        if self.missing:
            return (f"{self.scene}: no golden frames yet; look at the scene, then run "
                    f"`stopmo bless {self.scene}` (or `pytest --bless`)")
        if self.passed:
            return f"{self.scene}: all {len(self.diffs)} golden frames within the gate"
        lines = [f"{self.scene}: {len(self.failed)} of {len(self.diffs)} golden frames differ"]
        lines += [f"  {p.file} (frame {p.frame}, {p.time:.2f} s): {d.describe()}"
                  for p, d in self.failed]
        lines += [f"  {m}" for m in self.problems]
        if self.drift:
            lines.append(f"  {drift_advice(self.drift)}")
        if self.page is not None:
            lines.append(f"  see {self.page}: expected | actual | diff side by side; the PNGs are "
                         f"in {self.page.parent}/<frame>/expected.png, actual.png, diff.png")
        lines.append(f"  if the change is intended: stopmo bless {self.scene}")
        return "\n".join(lines)


def read_sidecar(folder: Path) -> dict | None:
    path = folder / SIDECAR
    if not path.is_file():
        return None
    return json.loads(path.read_text())


def check_scene(plan: ScenePlan, folder: Path, results: Path) -> SceneCheck:
    """Render the golden frames recorded in `folder` from `plan` and put them through the gate.

    On failure, `results/SCENE/` gets expected/actual/diff PNGs per failing frame and index.html.
    """
    name = plan.scene.name
    out = SceneCheck(name)
    shutil.rmtree(results / name, ignore_errors=True)  # never show an older run's failures
    meta = read_sidecar(folder)
    if meta is None:
        out.missing = True
        return out
    settings = plan.settings
    if (meta["width"], meta["height"], meta["fps"]) != (settings.width, settings.height,
                                                         settings.fps):
        out.problems.append(f"golden frames are {meta['width']}x{meta['height']} at "
                            f"{meta['fps']} fps, the check renders {settings.width}x"
                            f"{settings.height} at {settings.fps} fps")
        return out
    out.drift = version_drift(meta.get("versions", {}), versions())
    recorded = [Pick(**{k: f[k] for k in ("shot", "which", "frame", "time", "exposure")})
                for f in meta["frames"]]
    was, now = ({f"{p.shot}/{p.which}@{p.frame}" for p in ps} for ps in (recorded, picks(plan)))
    if was != now:
        out.problems.append("the frames chosen by time moved (a shot added, removed, renamed or "
                            f"retimed): no longer {sorted(was - now)}, now {sorted(now - was)}")
    actual = render_picks(plan, recorded)
    failures = []
    for p in recorded:
        if p.frame not in actual:
            out.problems.append(f"{p.file}: frame {p.frame} is past the end of the scene "
                                f"({plan.frames} frames now)")
            continue
        expected = load_png(folder / p.file)
        if expected is None or expected.shape != actual[p.frame].shape:
            out.problems.append(f"{p.file}: golden frame missing or of another size")
            continue
        d = compare(expected, actual[p.frame])
        out.diffs.append((p, d))
        if not d.passed:
            failures.append((p, d, expected, actual[p.frame]))
    if failures:
        out.page = write_results(results / name, name, failures)
    return out


def _save(path: Path, image: np.ndarray) -> None:
    """A PNG written whole or not at all (best zlib effort: golden frames live in git)."""
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}.png")
    Image.fromarray(image).save(tmp, compress_level=9, optimize=True)
    os.replace(tmp, path)


def write_results(folder: Path, title: str,
                  failures: list[tuple[Pick, FrameDiff, np.ndarray, np.ndarray]]) -> Path:
    """expected.png, actual.png, diff.png per failing frame under `folder`, and index.html
    showing them side by side with their numbers. Returns the page's path."""
    rows = []
    for p, d, expected, actual in failures:
        sub = folder / p.file.removesuffix(".png")
        sub.mkdir(parents=True, exist_ok=True)
        for kind, image in (("expected", expected), ("actual", actual),
                            ("diff", diff_image(expected, actual))):
            Image.fromarray(image).save(sub / f"{kind}.png", compress_level=1)
        rows.append((f"{p.shot} · {p.which} · frame {p.frame} · {p.time:.2f} s",
                     d.describe(), sub.name))
    page = folder / "index.html"
    page.write_text(results_page(title, rows))
    return page


def results_page(title: str, rows: list[tuple[str, str, str]]) -> str:
    """A self-contained HTML page: per row (heading, numbers, sub-folder holding expected.png,
    actual.png and diff.png) the three images side by side, drawn twice their size, unsmoothed."""
    cells = []
    for heading, numbers, sub in rows:
        imgs = "".join(f'<figure><img src="{html.escape(sub)}/{k}.png"><figcaption>{k}'
                       f"</figcaption></figure>" for k in ("expected", "actual", "diff"))
        cells.append(f"<h2>{html.escape(heading)}</h2><p>{html.escape(numbers)}</p>"
                     f'<div class="row">{imgs}</div>')
    style = ("body{background:#16141a;color:#ddd;font:14px sans-serif;margin:1.5em}"
             ".row{display:flex;gap:12px;flex-wrap:wrap}figure{margin:0}"
             "img{width:640px;image-rendering:pixelated;border:1px solid #444}"
             "figcaption{text-align:center;color:#aaa}h2{font-size:16px;color:#ecd6a0}")
    return (f"<!doctype html><meta charset=utf-8><title>{html.escape(title)}: frame diffs</title>"
            f"<style>{style}</style><h1>{html.escape(title)}</h1>"
            f"<p>red: over ±{MAX_CHANNEL_DIFF} level; amber: within it; cyan box: the change"
            f"</p>{''.join(cells)}\n")


# --------------------------------------------------------------------------- blessing

def refuse_in_ci() -> None:
    """Raise BlessRefused when the environment variable CI is set: CI only checks."""
    if os.environ.get("CI"):
        raise BlessRefused("refusing to bless golden frames: CI is set",
                           hint="bless on your machine after looking at the change, and commit "
                                "tests/baselines/")


@dataclass(frozen=True)
class Blessed:
    scene: str
    status: str          # "new", "updated" or "unchanged"
    written: int         # frames (re)written
    total: int           # golden frames of the scene

    def __str__(self) -> str:
        if self.status == "updated":
            return f"{self.scene}: updated ({self.written} of {self.total} frames rewritten)"
        return f"{self.scene}: {self.status} ({self.total} frames)"


def bless_scene(plan: ScenePlan, folder: Path) -> Blessed:
    """Write the golden frames of `plan` into `folder`, touching only what is missing or fails
    the gate (so an unchanged scene leaves git clean). Refused when CI is set."""
    refuse_in_ci()
    name = plan.scene.name
    meta = read_sidecar(folder)
    now = picks(plan)
    frames = render_picks(plan, now)
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for p in now:
        old = load_png(folder / p.file)
        if old is None or old.shape != frames[p.frame].shape or \
                not compare(old, frames[p.frame]).passed:
            _save(folder / p.file, frames[p.frame])
            written += 1
    keep = {p.file for p in now}
    for stale in folder.glob("*.png"):
        if stale.name not in keep:
            stale.unlink()
    s = plan.settings
    record = {"scene": name, "width": s.width, "height": s.height, "fps": s.fps,
              "frames": [{"file": p.file, "shot": p.shot, "which": p.which, "frame": p.frame,
                          "time": p.time, "exposure": p.exposure} for p in now]}
    same = meta is not None and {k: meta.get(k) for k in record} == record \
        and not version_drift(meta.get("versions", {}), versions())
    if written == 0 and same:
        return Blessed(name, "unchanged", 0, len(now))
    record.update(scene_frames=plan.frames, versions=versions())
    tmp = folder / f".{SIDECAR}.partial-{os.getpid()}"
    tmp.write_text(sidecar_text(record))
    os.replace(tmp, folder / SIDECAR)
    return Blessed(name, "new" if meta is None else "updated", written, len(now))


def sidecar_text(record: dict) -> str:
    """JSON with one line per frame, so a re-bless shows in `git diff` as the frames it moved."""
    lines = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in record.items() if k != "frames"]
    frames = ",\n".join(f"  {json.dumps(f)}" for f in record["frames"])
    lines.append(f' "frames": [\n{frames}\n ]')
    return "{\n" + ",\n".join(lines) + "\n}\n"


def stale_baselines(root: Path, scenes: list[str]) -> list[Path]:
    """Folders of golden frames under `root` whose scene is no longer in `scenes`."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir()
                  if p.is_dir() and (p / SIDECAR).is_file() and p.name not in scenes)
