"""Checks of the process-tree watcher (run with `pytest benchmarks`; not timed)."""
from __future__ import annotations

import sys
import textwrap

from benchmarks.procs import run_watched

HELD_MIB = 200


def test_a_child_between_fork_and_exec_is_its_parents_memory_counted_once():
    # A forked child shows its parent's whole resident set, shared page for page until it
    # writes or execs; a tree holding 200 MiB once must not read as 400.
    script = textwrap.dedent(f"""
        import os, time
        import numpy as np
        held = np.ones({HELD_MIB} * 2**20, np.uint8)
        child = os.fork()
        if child == 0:
            time.sleep(1.0)
            os._exit(0)
        os.waitpid(child, 0)
    """)
    stats = run_watched([sys.executable, "-c", script], interval=0.05)
    assert stats.returncode == 0
    assert HELD_MIB < stats.tree_mib < 1.5 * HELD_MIB


def test_two_processes_each_holding_memory_are_both_counted():
    # the child writes its own copy, as big as its parent's: two processes, twice the memory
    script = textwrap.dedent(f"""
        import os, time
        import numpy as np
        held = np.ones({HELD_MIB} * 2**20, np.uint8)
        child = os.fork()
        if child == 0:
            held[:] = 2
            time.sleep(1.0)
            os._exit(0)
        os.waitpid(child, 0)
    """)
    stats = run_watched([sys.executable, "-c", script], interval=0.05)
    assert stats.tree_mib > 2 * HELD_MIB


def test_pages_two_processes_share_are_counted_once_in_the_pss(tmp_path):
    # Two programs reading one file through a mapping (as every worker maps numpy's and
    # OpenCV's libraries, and both encoders ffmpeg): each one's resident set shows all of it,
    # the machine holds it once.
    shared = tmp_path / "shared.bin"
    shared.write_bytes(b"\x01" * (HELD_MIB * 2**20))
    reader = textwrap.dedent(f"""
        import mmap, sys, time
        with open({str(shared)!r}, "rb") as f:
            m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            total = sum(m[i] for i in range(0, len(m), 4096))   # touch every page
            time.sleep(1.0)
    """)
    script = textwrap.dedent(f"""
        import subprocess, sys
        readers = [subprocess.Popen([sys.executable, "-c", {reader!r}]) for _ in range(2)]
        for r in readers:
            r.wait()
    """)
    stats = run_watched([sys.executable, "-c", script], interval=0.05)
    assert stats.returncode == 0
    assert stats.tree_mib > 2 * HELD_MIB
    assert HELD_MIB < stats.tree_pss_mib < 1.5 * HELD_MIB
