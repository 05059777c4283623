"""Where tasks run: in this process, in a local pool of worker processes, or on a Dask cluster
(`cluster.py`). An engine says how many tasks run at once (`slots`), how many threads each
encoder gets so the encoders of one machine never oversubscribe its cores (`threads`), and how
to stop everything at once (`stop`, after Ctrl-C or a failure) or close cleanly (`close`).
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor

from renderer.jobs.batch import InlineExecutor
from renderer.jobs.workers import WorkerPool, init_worker, stop_workers


def usable_cores() -> int:
    """The cores this process may run on (its affinity mask, where the system has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def threads_per_slot(cores: int, slots: int) -> int:
    """x264 threads for each of `slots` encoders sharing `cores`: a fair share, at least one.
    (Each encoder sized its threads for the whole machine before: with 16 workers on 16 cores,
    every scene took about twice as long as with 8.)"""
    return max(1, cores // max(1, slots))


class Engine:
    """Runs tasks in this process (inline) or in a local pool of `jobs` worker processes."""

    local = True   # its workers see this machine's paint cache

    def __init__(self, jobs: int):
        self.slots = jobs
        self.inline = jobs == 1
        # inline, the encoder has the machine beside the renderer's one core (as `render` does)
        self.threads: int | None = None if self.inline else threads_per_slot(usable_cores(), jobs)
        # spawn, not fork: forking after OpenCV has started its thread pool can deadlock
        self.executor: Executor = InlineExecutor() if self.inline else WorkerPool(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker)

    @property
    def where(self) -> str:
        return "this process" if self.inline else f"{self.slots} local worker processes"

    @property
    def in_flight(self) -> int:
        """Tasks handed to the executor at once: one waiting per slot keeps every worker busy."""
        return self.slots + 1

    def check_workers(self, folder, files) -> None:
        """Local workers see what this process sees: nothing to check (see the cluster's)."""

    def stop(self) -> None:
        """Interrupted or failed: cancel what has not started, interrupt what runs, and wait
        for the workers to clean up (their temporary files removed, their encoders stopped)."""
        stop_workers(self.executor)

    def close(self) -> None:
        self.executor.shutdown(wait=True)
