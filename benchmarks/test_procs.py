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
