"""Work as a graph of tasks: each is submitted to an executor as soon as the tasks it depends on
are done, so a scene is joined the moment its last chunk is in, and the film's title cards and
transitions are encoded while other scenes still render.

The executor is any `concurrent.futures.Executor`: inline (run at submit), a local process pool,
or a Dask cluster's. Tasks are top-level functions whose arguments and results are small
(paths, settings, names: never frames), so every executor can ship them. Only a few tasks are
in flight at once (`in_flight`): the executor's own queue is first in, first out, and a join
that becomes ready must not wait behind every chunk of the film; among the ready tasks the
lowest `priority` goes first, then the earliest made.
"""
from __future__ import annotations

import sys
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from typing import Any, Callable

JOIN, SEGMENT, CHUNK = 0, 1, 2    # priorities: what unblocks others first


@dataclass(eq=False)
class Task:
    """fn(*args) run by an executor once every task in `deps` is done. `args` may be a callable
    that builds the arguments then (from its dependencies' results). on_done(result) runs here,
    in the submitting process, when the task is done."""

    label: str
    fn: Callable
    args: tuple | Callable[[], tuple] = ()
    deps: tuple["Task", ...] = ()
    priority: int = CHUNK
    on_done: Callable[[Any], None] | None = None
    result: Any = field(default=None, repr=False)
    done: bool = False


def run_tasks(tasks: list[Task], executor: Executor, in_flight: int) -> None:
    """Run `tasks` through `executor`, at most `in_flight` at once. A task's exception is raised
    here as soon as it is known (the caller cancels the rest: see `Engine.stop`)."""
    waiting = list(tasks)
    running: dict[Future, Task] = {}
    while waiting or running:
        while waiting and len(running) < max(1, in_flight):
            ready = [t for t in waiting if all(d.done for d in t.deps)]
            if not ready:
                break
            task = min(ready, key=lambda t: t.priority)   # min keeps the earliest of equals
            waiting.remove(task)
            args = task.args() if callable(task.args) else task.args
            running[executor.submit(task.fn, *args)] = task
        if not running:
            raise AssertionError(f"tasks wait on tasks never run: {[t.label for t in waiting]}")
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in sorted(finished, key=lambda f: tasks.index(running[f])):
            task = running.pop(future)
            task.result = future.result()
            task.done = True
            if task.on_done is not None:
                task.on_done(task.result)


def _bar(total: int, desc: str, unit: str):
    from tqdm import tqdm
    return tqdm(total=total, desc=desc, unit=unit, disable=not sys.stderr.isatty(),
                dynamic_ncols=True, leave=False)


class Progress:
    """On a terminal: the frames done, counted chunk by chunk across every worker (a chunk's
    frames count when its file is in), and a line per scene as it is joined; silent otherwise.
    frame(n) counts frames rendered in this process (inline), as they come."""

    def __init__(self, frames: int, chunks: int, desc: str):
        self.bar = _bar(frames, desc, "frame")
        self.chunks, self.chunks_done = chunks, 0
        self._show()

    def _show(self) -> None:
        if self.chunks:
            self.bar.set_postfix_str(f"chunks {self.chunks_done}/{self.chunks}", refresh=False)

    def frame(self, n: int) -> None:
        self.bar.update(n)

    def chunk(self, frames: int, counted: bool = False) -> None:
        """A chunk of `frames` is done (its frames already `counted` by `frame`, inline)."""
        self.chunks_done += 1
        self._show()
        self.bar.update(0 if counted else frames)

    def say(self, text: str) -> None:
        if not self.bar.disable:
            self.bar.write(text)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.bar.close()
