"""Tasks on a Dask distributed cluster: `--cluster tcp://host:8786` (a running `dask scheduler`
with `dask worker`s), or `--cluster local:N` (a LocalCluster of N worker processes started here
and stopped at the end).

Every task returns paths on storage all workers see (the output folder: on a farm, a shared
folder mounted at the same path everywhere, as is the project), never frames. A worker that dies
mid-chunk has its chunk run again elsewhere by Dask itself (the scheduler reschedules the tasks
of a lost worker, up to `distributed.scheduler.allowed-failures` times); the dead worker's chunk
was being written under a temporary name, so it is never joined. Ctrl-C cancels the graph's
futures; the film is joined only when every piece is in. Dask is an optional extra
(`pip install 'stopmo[cluster]'`) and is imported only here, in renderer/jobs/.
"""
from __future__ import annotations

import os
import signal
import socket
import threading
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from renderer.errors import ClusterError
from renderer.jobs.engines import threads_per_slot, usable_cores

CONNECT_SECONDS = 10     # a scheduler that answers takes well under a second
WORKERS_SECONDS = 30     # for the first worker of a scheduler that has none yet
MAX_LOCAL_WORKERS = 64


def _dask():
    try:
        import distributed
    except ImportError:
        raise ClusterError("--cluster needs Dask distributed, which is not installed",
                           hint="pip install 'stopmo[cluster]'") from None
    return distributed


def parse_address(address: str) -> tuple[str, int | None]:
    """('local', N) for `local:N`, else (address, None) for a scheduler's tcp:// address."""
    if address.startswith("local:"):
        text = address[len("local:"):]
        if not text.isdigit() or not 1 <= int(text) <= MAX_LOCAL_WORKERS:
            raise ClusterError(f"--cluster {address}: expected local:N with N worker processes, "
                               f"1..{MAX_LOCAL_WORKERS}")
        return "local", int(text)
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme != "tcp" or not parts.hostname or port is None:
        raise ClusterError(f"--cluster {address}: expected a scheduler address such as "
                           "tcp://HOST:8786, or local:N")
    return f"tcp://{parts.hostname}:{port}", None


def connect(address: str) -> "ClusterEngine":
    """An engine on the cluster at `address`, checked before any work: the scheduler answers
    and has workers. Raises ClusterError (exit code 2) when it cannot be used."""
    where, local_workers = parse_address(address)
    distributed = _dask()
    if local_workers is not None:
        with _quiet_children():   # its HTTP server on a free port: 8787 may be another's
            cluster = distributed.LocalCluster(n_workers=local_workers, threads_per_worker=1,
                                               processes=True, dashboard_address=":0")
        try:
            return ClusterEngine(distributed.Client(cluster), address, cluster)
        except BaseException:
            cluster.close()
            raise
    parts = urlsplit(where)
    try:   # a refused or unknown address fails at once, not after Dask's retries
        socket.create_connection((parts.hostname, parts.port), timeout=CONNECT_SECONDS).close()
        client = distributed.Client(where, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError) as err:
        reason = getattr(err, "strerror", None) or str(err) or type(err).__name__
        raise ClusterError(f"cannot reach the Dask scheduler at {where}: {reason}",
                           hint="start it with `dask scheduler` and check the address") from None
    try:
        client.wait_for_workers(1, timeout=WORKERS_SECONDS)
    except (TimeoutError, OSError):
        client.close()
        raise ClusterError(f"the Dask scheduler at {where} has no workers "
                           f"(waited {WORKERS_SECONDS} s)",
                           hint=f"start some with `dask worker {where}`") from None
    return ClusterEngine(client, where)


@contextmanager
def _quiet_children() -> Iterator[None]:
    """Around starting a LocalCluster: its processes ignore Ctrl-C, which a terminal sends to
    the whole process group (this process stops them itself, after cancelling the graph; they
    would print tracebacks), and log only errors (not the warnings of their own shutdown)."""
    import logging
    logging.getLogger("distributed").setLevel(logging.ERROR)   # the scheduler runs here
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    level = os.environ.get(_LOG_LEVEL)
    os.environ[_LOG_LEVEL] = "error"   # read by the worker processes as they start
    try:
        yield
    finally:
        if level is None:
            os.environ.pop(_LOG_LEVEL, None)
        else:
            os.environ[_LOG_LEVEL] = level
        if main:
            signal.signal(signal.SIGINT, previous)


_LOG_LEVEL = "DASK_LOGGING__DISTRIBUTED"


def _can_use(folder: str, files: list[str], digest: str) -> str:
    """On a worker: '' when it runs this very stopmo, can write `folder` and read `files`;
    else what is wrong."""
    from renderer.jobs.batch import renderer_digest
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write {folder}"
    missing = [f for f in files if not os.access(f, os.R_OK)]
    if missing:
        return f"cannot read {missing[0]}"
    if renderer_digest() != digest:
        return "runs another version of stopmo (its code differs from this one's)"
    return ""


class ClusterEngine:
    """Runs tasks on a Dask cluster through its `concurrent.futures` executor."""

    inline = False
    local = False   # its workers may be other machines, each with its own paint cache

    def __init__(self, client, address: str, cluster=None) -> None:
        self.client, self.address, self.cluster = client, address, cluster
        try:
            workers = client.scheduler_info(n_workers=-1)["workers"]   # all, not the first few
        except TypeError:   # a Dask from before that argument lists them all anyway
            workers = client.scheduler_info()["workers"]
        self.slots = sum(w["nthreads"] for w in workers.values())
        self.workers = len(workers)
        # the encoders of one machine share its cores: its worker slots split them
        cores = client.run(usable_cores)
        slots_of, cores_of = defaultdict(int), {}
        for addr, w in workers.items():
            slots_of[w["host"]] += w["nthreads"]
            cores_of[w["host"]] = cores.get(addr, 1)
        self.threads = min(threads_per_slot(cores_of[h], slots_of[h]) for h in slots_of)
        self.executor = client.get_executor(pure=False)

    @property
    def where(self) -> str:
        return f"the Dask cluster {self.address} ({self.workers} workers, {self.slots} slots)"

    @property
    def in_flight(self) -> int:
        """Two tasks per slot: each worker has its next task when it finishes one."""
        return 2 * self.slots

    def check_workers(self, folder: Path, files: list[Path]) -> None:
        """Refuse, before any work, a cluster whose workers cannot write `folder` or read
        `files` (the output folder and the project must be shared, at the same paths), or run
        other code than this stopmo (their frames would not be this render's)."""
        from renderer.jobs.batch import renderer_digest
        answers = self.client.run(_can_use, str(folder), [str(f) for f in files],
                                  renderer_digest())
        for worker, problem in sorted(answers.items()):
            if problem:
                raise ClusterError(f"the Dask worker {worker} {problem}",
                                   hint="every worker needs this stopmo installed, and the "
                                   "project and the output folder on storage it sees, at the "
                                   "same path")

    def stop(self) -> None:
        """Interrupted or failed: cancel every future of the graph (running chunks finish or
        die with their worker; their files are complete or never renamed into place)."""
        try:
            self.executor.shutdown(wait=False)
        except Exception:  # noqa: BLE001 - the client may already be gone; we are stopping
            pass

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()

