"""Every malformed file of the corpus gets exit code 2 and one located message, and writes nothing.

The corpus is `tests/bad/`: scenes, puppets, props, sets and sequences, each wrong in one way (the
first comment line says how), and `tests/bad/expected.yaml`, the one line each must produce. A few
inputs are made at run time because they are big or need a link: see GENERATED.

Each case runs in a fresh little project (two puppets, a prop, a set and a good scene) as a real
subprocess, twice: `stopmo validate FILE`, and `stopmo render` of a scene that uses the file
(`stopmo batch` for a sequence). Both must exit 2 with exactly the expected line on stderr, no
traceback, a bounded peak memory, and leave every file of the project as it was.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
BAD = Path(__file__).resolve().parent / "bad"
# corpus folder -> where its files go in the project
PLACES = {"scenes": "scenes", "puppets": "puppets", "props": "puppets/props",
          "sets": "scenes/sets", "sequences": "scenes"}
MAX_RSS_MB = 400      # a refusal must not need more memory than a small render
HANG_SECONDS = 60     # a guard only: a case that takes this long has hung


# --------------------------------------------------------------------------- the little project

def make_project(root: Path) -> Path:
    """A project with coraline, other_mother, the prop `key`, other_dining_room and scene `good`,
    and a previous render in output/ that no refusal may touch."""
    (root / "puppets" / "props").mkdir(parents=True)
    (root / "scenes" / "sets").mkdir(parents=True)
    (root / "output").mkdir()
    for name in ("coraline", "other_mother"):
        shutil.copy(REPO / "puppets" / f"{name}.yaml", root / "puppets")
    for png in (REPO / "puppets").glob("*.png"):
        shutil.copy(png, root / "puppets")
    shutil.copy(REPO / "scenes" / "sets" / "other_dining_room.yaml", root / "scenes" / "sets")
    shutil.copy(BAD / "base" / "key.yaml", root / "puppets" / "props")
    shutil.copy(BAD / "base" / "good.yaml", root / "scenes")
    (root / "output" / "good.mp4").write_bytes(b"\0\0\0\x18ftypisom a previous render")
    return root


def _user_scene(name: str, *, puppet: str = "", prop: str = "", set_name: str = "") -> str:
    """A valid scene that uses one puppet, prop or set of the corpus."""
    lines = [f"scene: {name}", f"set: {set_name or 'other_dining_room'}", "shots:",
             "  - id: a", "    duration: 1"]
    if puppet:
        lines += ["    cast:", f"      actor: {{puppet: {puppet}, at: [900, 930]}}"]
    if prop:
        lines += ["    props:", f"      thing: {{prop: {prop}, at: [900, 780]}}"]
    return "\n".join(lines) + "\n"


def _png(width: int, height: int, rows: bytes | None = None) -> bytes:
    """A PNG file (8-bit RGB); with rows None, only the header: it claims width x height pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))
    size = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    head = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", size + bytes([8, 2, 0, 0, 0]))
    body = chunk(b"IDAT", zlib.compress(rows)) if rows is not None else b""
    return head + body + chunk(b"IEND", b"")


def _bomb_png(root: Path) -> None:
    # 100 000 x 100 000 pixels claimed in a 57-byte file: decoding it would need 30 GB.
    (root / "puppets" / "bomb.png").write_bytes(_png(100_000, 100_000))


def _symlink_out(root: Path) -> None:
    # a real, valid PNG, but outside the project: the link must not be followed out
    outside = root.parent / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "real.png").write_bytes(_png(2, 2, b"\0" + b"\xff" * 6 + b"\0" + b"\xff" * 6))
    (root / "puppets" / "outside.png").symlink_to(outside / "real.png")


def _huge_file(root: Path) -> None:
    # a valid start, then 3 MiB of comment: the size is refused before any parsing
    text = (BAD / "base" / "good.yaml").read_text().replace("scene: good", "scene: huge_file")
    (root / "scenes" / "huge_file.yaml").write_text(text + ("# padding" + " " * 90 + "\n") * 32_000)


def _png_folder(root: Path) -> None:
    (root / "puppets" / "folder.png").mkdir()


def _png_fifo(root: Path) -> None:
    # opening a FIFO for reading blocks until a writer comes: it must never be opened
    os.mkfifo(root / "puppets" / "fifo.png")


def _png_loop(root: Path) -> None:
    (root / "puppets" / "loop.png").symlink_to("loop.png")


def _many_shapes(root: Path) -> None:
    # 1,001 small felt rectangles in one set (13,000 took past ten minutes to paint)
    rects = "".join(f"      - {{shape: rect, at: [{i % 1900}, {i % 1000}], size: [10, 10], "
                    f"color: '#443322', material: felt}}\n" for i in range(1001))
    (root / "scenes" / "sets" / "set_too_many_shapes.yaml").write_text(
        "set: set_too_many_shapes\nlayers:\n  - name: wall\n    depth: 3\n    shapes:\n" + rects)


# Inputs made at run time: (corpus path, maker). The path has an expected message but no file, or
# a file that refers to something the maker creates.
GENERATED = {"puppets/png_bomb.yaml": _bomb_png, "puppets/png_symlink.yaml": _symlink_out,
             "scenes/huge_file.yaml": _huge_file, "puppets/png_folder.yaml": _png_folder,
             "puppets/png_fifo.yaml": _png_fifo, "puppets/png_loop.yaml": _png_loop,
             "sets/set_too_many_shapes.yaml": _many_shapes}


@dataclass(frozen=True)
class Case:
    rel: str           # path under tests/bad/, e.g. "puppets/bone_cycle.yaml"

    @property
    def kind(self) -> str:
        return self.rel.split("/")[0]

    @property
    def name(self) -> str:
        return Path(self.rel).stem

    def place(self, root: Path) -> tuple[list[str], list[str]]:
        """Put the file into the project; return the validate and render command lines."""
        src = BAD / self.rel
        dest = root / PLACES[self.kind] / ("sequence.yaml" if self.kind == "sequences"
                                           else f"{self.name}.yaml")
        if src.exists():
            shutil.copy(src, dest)
        if self.kind == "puppets":  # images the corpus puppets refer to
            for asset in (BAD / "puppets").iterdir():
                if asset.suffix != ".yaml":
                    shutil.copy(asset, root / "puppets")
        if self.rel in GENERATED:
            GENERATED[self.rel](root)
        shown = str(dest.relative_to(root))
        size = ["--width", "160"]
        if self.kind == "sequences":
            return ["validate", shown], ["batch", *size]
        if self.kind == "scenes":
            return ["validate", shown], ["render", shown, *size]
        user = f"uses_{self.name}"
        use = {"puppets": "puppet", "props": "prop", "sets": "set_name"}[self.kind]
        (root / "scenes" / f"{user}.yaml").write_text(_user_scene(user, **{use: self.name}))
        return ["validate", shown], ["render", user, *size]


def expected_messages() -> dict[str, str]:
    return yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))


def corpus_files() -> list[str]:
    return sorted(str(p.relative_to(BAD)) for kind in PLACES for p in (BAD / kind).glob("*.yaml"))


CASES = [Case(rel) for rel in sorted(expected_messages())]


# --------------------------------------------------------------------------- running the CLI

@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


def run_cli(args: list[str], cwd: Path, timeout: float = HANG_SECONDS) -> Run:
    """Run `python -m renderer ARGS` in `cwd`; its exit code, output, wall time and peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "renderer", *args], cwd=cwd,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        guard = threading.Timer(timeout, proc.kill)
        guard.start()
        try:
            # wait4, not wait: it also reports the child's own peak memory
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            guard.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Run(proc.returncode, out.read().decode("utf-8", "replace"),
                   err.read().decode("utf-8", "replace"), seconds, usage.ru_maxrss / 1024)


# A Python that has imported the renderer once, then forks one process per command line: each run
# is a real process (its own exit code, stderr, memory, working folder) that does exactly what
# `python -m renderer` does after its imports, without paying a second for them a hundred times.
# A child that allocates without bound meets an address-space limit rather than the OOM killer.
_FORKER = r"""
import json, os, resource, signal, sys, time, traceback
from renderer.cli import main
import renderer.review.validate, renderer.load.scene, renderer.load.sequence, renderer.jobs.batchrun
import renderer.render, renderer.output.encode
vm = int(next(l for l in open("/proc/self/status") if l.startswith("VmSize")).split()[1]) * 1024
for line in sys.stdin:
    job = json.loads(line)
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            resource.setrlimit(resource.RLIMIT_AS, (vm + job["extra_bytes"],) * 2)
            signal.alarm(job["timeout"])
            os.chdir(job["cwd"])
            for fd, name in ((1, job["out"]), (2, job["err"])):
                os.dup2(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
            code = main(job["args"])
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else int(exit.code is not None)
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status, usage = os.wait4(pid, 0)
    print(json.dumps({"code": os.waitstatus_to_exitcode(status), "peak_mb": usage.ru_maxrss / 1024,
                      "seconds": time.perf_counter() - started}), flush=True)
"""


class Forker:
    """Runs CLI command lines as forked processes of one long-lived, pre-imported Python."""

    def __init__(self, extra_mb: int = 2048):
        self.extra = extra_mb * 2**20
        self.proc = subprocess.Popen([sys.executable, "-c", _FORKER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, cwd=REPO)

    def run(self, args: list[str], cwd: Path, timeout: int = HANG_SECONDS) -> Run:
        with tempfile.TemporaryDirectory() as tmp:
            out, err = Path(tmp) / "out", Path(tmp) / "err"
            job = {"args": args, "cwd": str(cwd), "out": str(out), "err": str(err),
                   "timeout": timeout, "extra_bytes": self.extra}
            self.proc.stdin.write(json.dumps(job) + "\n")
            self.proc.stdin.flush()
            reply = json.loads(self.proc.stdout.readline())
            read = lambda p: p.read_text("utf-8", "replace") if p.exists() else ""  # noqa: E731
            return Run(reply["code"], read(out), read(err), reply["seconds"], reply["peak_mb"])

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file and link under `root` (hidden ones included) with its content."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            found[rel] = b"-> " + os.fsencode(os.readlink(path))
        elif path.is_file():
            found[rel] = path.read_bytes()
        else:
            found[rel] = b"<dir>"
    return found


@dataclass(frozen=True)
class Outcome:
    validate: Run
    render: Run
    changed: list[str]      # files added, removed or modified by the two runs


def run_case(case: Case, tmp: Path, forker: Forker) -> Outcome:
    root = make_project(tmp / case.name / "proj")
    validate, render = case.place(root)
    before = snapshot(root)
    v = forker.run(validate, root)
    r = forker.run(render, root)
    after = snapshot(root)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return Outcome(v, r, changed)


def run_cases(cases: list[Case], tmp: Path) -> dict[str, Outcome]:
    """Run every case, as many at a time as there are processors."""
    n = max(1, min(len(cases), os.cpu_count() or 1))

    def share(i: int) -> dict[str, Outcome]:
        forker = Forker()
        try:
            return {c.rel: run_case(c, tmp, forker) for c in cases[i::n]}
        finally:
            forker.close()
    with ThreadPoolExecutor(n) as pool:
        return {k: v for part in pool.map(share, range(n)) for k, v in part.items()}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, Outcome]:
    results = run_cases(CASES, tmp_path_factory.mktemp("bad"))
    runs = [run for o in results.values() for run in (o.validate, o.render)]
    print(f"\n{len(CASES)} bad inputs, {len(runs)} runs: slowest "
          f"{max(r.seconds for r in runs):.2f} s, peak memory at most "
          f"{max(r.peak_mb for r in runs):.0f} MB")
    return results


# --------------------------------------------------------------------------- the tests

def test_the_corpus_is_complete():
    files = set(corpus_files())
    expected = set(expected_messages())
    assert files - expected == set(), "corpus files without an expected message"
    assert expected - files - set(GENERATED) == set(), "expected messages without a file"
    assert len(expected) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.rel for c in CASES])
def test_a_bad_file_gets_one_located_message_and_exit_code_2(case, outcomes):
    want = f"stopmo: {expected_messages()[case.rel]}"
    outcome = outcomes[case.rel]
    for command, run in (("validate", outcome.validate), ("render", outcome.render)):
        assert "Traceback" not in run.stderr, f"{command}:\n{run.stderr}"
        assert run.stderr.splitlines() == [want], command
        assert run.code == 2, command
        assert run.peak_mb < MAX_RSS_MB, command
    assert outcome.changed == [], "a refused input must write nothing"


# --------------------------------------------------------------------------- bad command lines

BAD_ARGS = [
    (["render", "good", "--fps", "0"],
     "fps 0 is outside the limit 1..60 (choose --fps 1..60; films run at 24)"),
    (["render", "good", "--fps", "1000"],
     "fps 1000 is outside the limit 1..60 (choose --fps 1..60; films run at 24)"),
    (["render", "good", "--width", "100000"],
     "width 100000 px is outside the limit 64..3840 px (the largest output is 3840x2160: "
     "choose --width 64..3840 or a --quality)"),
    (["render", "good", "--width", "-2"],
     "width -2 px is outside the limit 64..3840 px (the largest output is 3840x2160: "
     "choose --width 64..3840 or a --quality)"),
    (["render", "good", "--width", "161"],
     "width 161 px must be even (H.264 4:2:0 needs even sizes) (try --width 162)"),
    (["render", "good", "--shot", "nope"], "no shot 'nope' in scene 'good' (known shots: a)"),
    (["render", "nothing"], "no scene 'nothing' in scenes/ (known scenes: good)"),
    (["render", "scenes/nothing.yaml"], "scenes/nothing.yaml: no such file"),
    (["validate", "scenes"], "scenes: a folder, not a file"),
    (["still", "good", "--time", "nan"],
     "--time nan: expected 0..1 seconds (the length of 'good')"),
    (["still", "good", "--time", "-1"],
     "--time -1.0: expected 0..1 seconds (the length of 'good')"),
    (["still", "good", "--frame", "-1"], "frame -1 is outside the scene (0..23)"),
    (["still", "good", "--frame", "100000"], "frame 100000 is outside the scene (0..23)"),
    (["sheet", "good", "--thumb", "0"], "--thumb 0: expected a thumbnail width of 16..1920 px"),
    (["sheet", "good", "--thumb", "100000"],
     "--thumb 100000: expected a thumbnail width of 16..1920 px"),
    (["sheet", "good", "--per-shot", "0"], "--per-shot 0: expected 1..24 frames per shot"),
    (["sheet", "good", "--per-shot", "1000"], "--per-shot 1000: expected 1..24 frames per shot"),
]


@pytest.fixture(scope="module")
def forker():
    f = Forker()
    yield f
    f.close()


@pytest.mark.parametrize("args,message", BAD_ARGS, ids=[" ".join(a) for a, _ in BAD_ARGS])
def test_a_bad_command_line_gets_one_message_and_exit_code_2(args, message, forker, tmp_path):
    root = make_project(tmp_path / "proj")
    before = snapshot(root)
    size = ["--width", "160"] if args[0] != "validate" and "--width" not in args else []
    run = forker.run(args + size, root)
    assert (run.code, run.stderr.splitlines()) == (2, [f"stopmo: {message}"])
    assert snapshot(root) == before


def test_an_unreadable_number_is_argparses_usage_error(forker, tmp_path):
    run = forker.run(["render", "good", "--width", "abc"], make_project(tmp_path / "proj"))
    assert run.code == 2 and "Traceback" not in run.stderr
    assert run.stderr.splitlines()[-1] == \
        "stopmo render: error: argument --width: invalid int value: 'abc'"


# Cold starts: the same refusals through `python -m renderer` exactly as a user runs it.
COLD = ["scenes/alias_bomb.yaml", "scenes/deep_nesting.yaml", "scenes/huge_file.yaml",
        "scenes/not_utf8.yaml", "puppets/png_bomb.yaml", "sequences/sequence_unknown_scene.yaml"]


@pytest.mark.parametrize("rel", COLD)
def test_refusals_from_a_cold_start(rel, tmp_path):
    case = Case(rel)
    root = make_project(tmp_path / "proj")
    validate, render = case.place(root)
    before = snapshot(root)
    for args in (validate, render):
        run = run_cli(args, root)
        assert (run.code, run.stderr.splitlines()) == \
            (2, [f"stopmo: {expected_messages()[rel]}"]), args
        assert run.peak_mb < MAX_RSS_MB
    assert snapshot(root) == before
