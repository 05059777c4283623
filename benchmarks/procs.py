"""Run a command and watch its whole process tree: wall time, CPU time and memory.

Memory is read from /proc while the tree lives (every `interval` seconds): the peak of the tree's
summed proportional set size (PSS: each page divided among the processes that map it, so a page
the workers, the batch and the encoders share is counted once: the memory the run actually held
at once, encoder included), the peak of its summed resident set (RSS, which counts a shared
library's pages once in every process that maps them: an upper bound), and each process's own
high-water mark (VmHWM) by command name. `ru_maxrss` of reaped children cannot be used for the
encoder: a forked child inherits its parent's high-water mark before it execs.

A process starting a program is, for the milliseconds between fork and exec, two processes with
one memory: the child shows its parent's anonymous memory, all of it shared. For such a child
(the same command as its parent, the same resident anonymous memory to 1 %) only the pages it
holds privately count; any other process counts in full.
"""
from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple


@dataclass
class TreeStats:
    """wall: seconds; cpu: user + system seconds of the tree; tree_mib: peak summed RSS;
    tree_pss_mib: peak summed PSS; hwm_mib: per command name, the largest VmHWM seen; stdout:
    the command's output."""

    wall: float = 0.0
    cpu: float = 0.0
    tree_mib: float = 0.0
    tree_pss_mib: float = 0.0
    hwm_mib: dict[str, float] = field(default_factory=dict)
    stdout: str = ""
    returncode: int = 0


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (children of any of their threads)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                text = Path(f"/proc/{p}/task/{task}/children").read_text()
                todo.extend(int(c) for c in text.split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue   # it ended between two reads
    return found


class _Status(NamedTuple):
    """What /proc says of a process (sizes in MiB); `name` is '' once it is gone."""

    name: str
    rss: float
    hwm: float
    parent: int
    anon: float


def _status(pid: int) -> _Status:
    name, rss, hwm, parent, anon = "", 0.0, 0.0, 0, 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Name:"):
                name = line.split(None, 1)[1].strip()
            elif line.startswith("PPid:"):
                parent = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
            elif line.startswith("RssAnon:"):
                anon = int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        return _Status("", 0.0, 0.0, 0, 0.0)
    return _Status(name, rss, hwm, parent, anon)


def tree_memory(pid: int) -> tuple[float, float, dict[int, tuple[str, float, float]]]:
    """The summed resident set (MiB) of `pid`'s tree, a child between fork and exec counted by
    the pages it holds privately (see the module's docstring); its summed PSS (MiB; a process
    whose PSS cannot be read counts its RSS); and each live process's (name, VmRSS, VmHWM)."""
    seen = {p: _status(p) for p in descendants(pid)}
    total = pss = 0.0
    for child, me in seen.items():
        if not me.name:
            continue
        rollup = _rollup_mib(child)
        above = seen.get(me.parent)
        rss = me.rss
        if above and above.name == me.name and abs(above.anon - me.anon) <= 0.01 * above.anon:
            # between fork and exec: shares its parent's pages
            rss = min(rss, rollup.get("Private", rss))
        total += rss
        pss += rollup.get("Pss", me.rss)
    return total, pss, {p: (s.name, s.rss, s.hwm) for p, s in seen.items() if s.name}


def _rollup_mib(pid: int) -> dict[str, float]:
    """From /proc/PID/smaps_rollup, MiB: "Pss", and "Private" (Private_Clean + Private_Dirty,
    the memory only `pid` holds); empty if it cannot be read."""
    found: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("Pss", "Private_Clean", "Private_Dirty"):
                kind = "Pss" if key == "Pss" else "Private"
                found[kind] = found.get(kind, 0.0) + int(rest.split()[0]) / 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError, IndexError):
        return {}
    return found


def _watch(pid: int, stats: TreeStats, done: threading.Event, interval: float) -> None:
    while not done.is_set():
        total, pss, processes = tree_memory(pid)
        for name, _, hwm in processes.values():
            stats.hwm_mib[name] = max(stats.hwm_mib.get(name, 0.0), hwm)
        stats.tree_mib = max(stats.tree_mib, total)
        stats.tree_pss_mib = max(stats.tree_pss_mib, pss)
        done.wait(interval)


def run_watched(cmd: list[str], *, cwd: Path | None = None, interval: float = 0.1,
                env: dict | None = None) -> TreeStats:
    """Run `cmd` to completion (its stdout captured, stderr passed through) and measure it."""
    stats = TreeStats()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, text=True, env=env)
    done = threading.Event()
    watcher = threading.Thread(target=_watch, args=(proc.pid, stats, done, interval), daemon=True)
    watcher.start()
    try:
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)   # rusage of the whole reaped tree
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        done.set()
        watcher.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    stats.wall = time.perf_counter() - started
    stats.cpu = usage.ru_utime + usage.ru_stime
    stats.stdout, stats.returncode = out, proc.returncode
    return stats
