"""Worker processes that stop cleanly: Ctrl-C or SIGTERM never leaves a temporary file behind.

A Ctrl-C at a terminal reaches every process of the job: the batch and its workers. A worker interrupted mid-scene unwinds it -- `open_sink` stops its ffmpeg and removes the
temporary video -- and exits instead of taking the next scene from the queue; an idle worker
just exits. A SIGTERM reaches only the batch, which cancels what has not started and passes the
signal on to its workers (`stop_workers`). Children hold Ctrl-C and SIGTERM until they are ready
(`starting_processes`), because a Python interrupted in its first moments prints a traceback.

A batch killed outright (`kill -9`, the OOM killer) can pass nothing on, so its children watch
it instead (`die_with_parent`): Linux sends a worker SIGTERM when its parent dies, and it stops
as if interrupted (its ffmpeg stopped, its temporary video removed). Without their writers the
resource tracker then ends too: nothing of a killed batch is left running.
"""
from __future__ import annotations

import ctypes
import os
import signal
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import resource_tracker
from multiprocessing.connection import wait as wait_for
from typing import Iterator

_STOP = (signal.SIGINT, signal.SIGTERM)


class WorkerPool(ProcessPoolExecutor):
    """A process pool whose workers stop cleanly; create it with `initializer=init_worker`."""

    def submit(self, fn, /, *args, **kwargs):
        with starting_processes():  # submit may start a worker
            return super().submit(_in_worker, fn, *args, **kwargs)


def _in_worker(fn, *args, **kwargs):
    try:
        result = fn(*args, **kwargs)
    except KeyboardInterrupt:
        os._exit(130)  # cleaned up while unwinding; a job already queued must not start
    give_back_memory()
    return result


def give_back_memory() -> None:
    """Hand the free pages of the heap back to the system between tasks. glibc keeps what a
    task freed for the next allocations, so a worker that rendered a close-up's large set
    paintings would hold their memory through every later task (Dask's workers trim the same
    way). Elsewhere than glibc there is nothing to call, and nothing to do."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def init_worker() -> None:
    """The pool's initializer: Ctrl-C and SIGTERM interrupt the job, or end an idle worker;
    the batch's death sends SIGTERM. Its heap is set up for task after task (`keep_heap_small`)."""
    for sig in _STOP:
        signal.signal(sig, _interrupt_worker)
    die_with_parent(signal.SIGTERM)
    keep_heap_small()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP)  # blocked since it started


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8   # glibc's mallopt parameters
WORKER_MMAP_BYTES = 3 << 20     # allocations this large get pages of their own
WORKER_TRIM_BYTES = 256 << 20   # free heap kept between exposures (`give_back_memory` trims)
WORKER_ARENAS = 2


def keep_heap_small() -> None:
    """Tune glibc's allocator for a worker that renders scene after scene. By default it
    raises its mmap threshold to the size of large arrays once they are freed, so later set
    paintings and soundtracks come from the heap, and the small paintings kept between them
    pin it: a worker's heap grew by 100 MB over a film, freed but not returned, and two such
    workers put a batch over 1 GiB. Arrays of WORKER_MMAP_BYTES and more now get pages of their
    own, handed back when freed; smaller ones (a frame is 2.7 MB at 720p) stay on the heap,
    which is not trimmed between exposures (mapping fresh pages for every 720p frame cost the
    render 40 % more time; a 1080p frame is mapped, a percent of a final render whose encoder
    takes the most) but between tasks; and the threads share WORKER_ARENAS arenas. Measured
    on the film (two workers, warm cache): the tree's peak 1175 MiB before, 932-996 MiB
    after, with the rest of this change.
    Elsewhere than glibc there is nothing to tune."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, WORKER_MMAP_BYTES)
    mallopt(_M_TRIM_THRESHOLD, WORKER_TRIM_BYTES)
    mallopt(_M_ARENA_MAX, WORKER_ARENAS)


_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int) -> None:
    """Have `sig` sent to this process when its parent dies: Linux's parent-death signal, or
    elsewhere a thread that watches the parent's pid. Also sent now if the parent is already
    gone (it died before the request)."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        asked = libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        asked = False
    if not asked:
        threading.Thread(target=_watch_parent, args=(parent, sig), daemon=True).start()
    if os.getppid() != parent:
        os.kill(os.getpid(), sig)


def _watch_parent(parent: int, sig: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os.kill(os.getpid(), sig)


def _interrupt_worker(signum, frame) -> None:
    for sig in _STOP:
        # A second signal must not cut the cleanup short. A no-op handler, not SIG_IGN: a signal
        # already pending when the handler changes would raise "ignored due to race condition".
        signal.signal(sig, _ignore)
    while frame is not None:
        if frame.f_code is _in_worker.__code__:
            raise KeyboardInterrupt
        frame = frame.f_back
    os._exit(128 + signum)


def _ignore(signum, frame) -> None:
    pass


@contextmanager
def starting_processes() -> Iterator[None]:
    """Around starting child processes: Ctrl-C and SIGTERM wait until the children are started,
    then take effect. The signals are blocked meanwhile and the children inherit the block, so
    a Ctrl-C at the terminal cannot hit them before they are ready (a Python interrupted in its
    first moments prints a traceback): a worker unblocks them once its handler is set
    (`init_worker`)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # Starting the resource tracker (once per process, with the first child) unblocks SIGINT and
    # SIGTERM on its way out, whatever the mask was: start it before blocking them.
    resource_tracker.ensure_running()
    held: list[int] = []
    previous = {sig: signal.signal(sig, lambda s, f: held.append(s)) for sig in _STOP}
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)  # a pending signal arrives now
    if held:
        raise KeyboardInterrupt


def stop_workers(executor: Executor, timeout: float = 10.0) -> None:
    """Interrupted: cancel the jobs not started, interrupt the ones running, and wait (at most
    `timeout` seconds) for the workers to clean up and exit."""
    if not isinstance(executor, ProcessPoolExecutor):
        return
    workers = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        try:
            os.kill(worker.pid, signal.SIGTERM)
        except (ProcessLookupError, TypeError):
            pass  # already gone, or never started
    waiting = [w.sentinel for w in workers]
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        ended = wait_for(waiting, deadline - time.monotonic())
        waiting = [s for s in waiting if s not in ended]
