"""Where chunks run: in this process, or on a Dask cluster (local or remote)."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import CancelledError
from functools import partial
from pathlib import Path
from typing import Any

from ..model import Model
from .chunks import EnsembleOptions, _Job, run_chunk
from .parts import RESUME, _Parts
from .traces import TraceSource


def _serial(jobs: list[_Job], on_steps: Callable[[int, int], None] | None = None
            ) -> Generator[dict[str, Any], None, None]:
    """The chunks' results, run one after the other in this process; ``on_steps(chunk, n)`` is told the steps
    (over its traces) done of the chunk under way."""
    for job in jobs:
        yield run_chunk(job, None if on_steps is None else partial(on_steps, job.chunk))


def scheduler_problem(address: str) -> str | None:
    """What is wrong with a Dask scheduler's address, as far as can be told without connecting, with what to give
    instead (None: nothing).

    Dask's client would report a malformed address only after a minute spent closing the client it could not
    make, with a traceback."""
    advice = "; give the address of a Dask scheduler, such as tcp://host:8786"
    if not address.strip():
        return "the address is empty" + advice
    try:
        from distributed.comm.addressing import parse_address, parse_host_port
        from distributed.comm.registry import backends
    except ImportError:  # (reported as the missing extra when the run starts)
        return None
    try:
        scheme, location = parse_address(address)
    except ValueError as exc:
        return str(exc) + advice
    if scheme not in backends:
        return f"{scheme}:// is not a scheme Dask's schedulers listen on ({', '.join(sorted(backends))})" + advice
    if scheme in ("tcp", "tls"):
        try:
            _, port = parse_host_port(location)
        except ValueError as exc:
            what = "missing port number" if "missing port" in str(exc) else "the port is not a number"
            return f"{what} in {location!r}" + advice
        if not 0 < int(port) < 65536:
            return f"port {port} is not a port number (1 to 65535)" + advice
    return None


def _dask(jobs: list[_Job], scheduler: str | None, workers: int | None, output: Path,
          note: Callable[[str], None] | None = None) -> Generator[dict[str, Any], None, None]:
    """The chunks' results, run on the cluster at ``scheduler`` or on a local one of ``workers`` processes.
    ``note(text)`` is told what the run waits for: a scheduler with no workers.

    A local cluster's workers write their chunks' parts themselves (next to ``output``, which they see as this
    process does) and send back only a receipt (its traces, number and how it was simulated), so that no chunk's
    arrays are held by this process, nor by a worker until this process has fetched them.  A remote cluster's
    workers may not see this machine's files: they send the whole result.  Dask's logs are quiet while the run goes
    on (:func:`_quiet_dask_logs`: a local cluster's silencing of them, which Dask undoes as the cluster closes, let
    another thread's cluster log its closing)."""
    with _quiet_dask_logs():
        yield from _dask_chunks(jobs, scheduler, workers, output, note)


def _dask_chunks(jobs: list[_Job], scheduler: str | None, workers: int | None, output: Path,
                 note: Callable[[str], None] | None = None) -> Generator[dict[str, Any], None, None]:
    """:func:`_dask`'s results, its logs as they are."""
    try:
        from dask.distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError("Dask is needed for --scheduler/--workers: pip install 'daryo[ensemble]'") from exc
    cluster = None  # (the client is not made the default one: xarray would write the store through its locks)
    if scheduler:
        try:
            client = Client(scheduler, set_as_default=False)
        except (OSError, TimeoutError) as exc:  # (no scheduler there, or none listening yet)
            raise OSError(f"cannot reach the Dask scheduler at {scheduler}: {exc}; check that it is running and "
                          "that its address and port are right") from exc
    else:
        try:
            cluster = _local_cluster(max(1, min(int(workers or 1), len(jobs))))  # (a worker a chunk at most)
        except RuntimeError as exc:  # ("Nanny failed to start": a worker process died as the cluster started)
            raise OSError(f"the local Dask cluster could not start its workers ({exc}); run again") from exc
        client = Client(cluster, security=cluster.security, set_as_default=False)  # (its certificate: see below)
    try:
        if not jobs:
            return
        if scheduler and note is not None and not client.scheduler_info().get("workers"):
            note(f"the Dask scheduler at {scheduler} has no workers: the run waits for some to connect (dask worker "
                 f"{scheduler})")
        # the model and the trace source go to the cluster once, as tasks rather than scattered data: a worker that
        # dies holding scattered data loses it for good (its dependent chunks are cancelled), a task's result is
        # computed again
        shared = [client.submit(_same, jobs[0].model, pure=False), client.submit(_same, jobs[0].source, pure=False)]
        writes_to = None if scheduler else output.absolute()
        finished = as_completed([client.submit(_run_remote, shared[0], shared[1], j.options, j.chunk, j.first,
                                               j.count, writes_to, pure=False,
                                               key=f"daryo-chunk-{j.chunk}-{os.getpid()}-{id(jobs)}")
                                for j in jobs], loop=client.loop, with_results=True)
        try:
            for fut, result in _completed(finished, (lambda: False) if scheduler else partial(_workers_gone, cluster)):
                fut.release()  # else the cluster keeps every finished chunk's result in its workers' memory
                if isinstance(result, CancelledError):  # (the scheduler lost: every chunk under way is cancelled)
                    raise _cancelled(result, scheduler) from result
                if isinstance(result, BaseException):  # (``with_results`` gives a failed chunk's error as its result)
                    raise result
                yield result
        except Exception as exc:
            if type(exc).__name__ == "KilledWorker":  # (Dask gave up on a chunk whose workers kept dying)
                raise OSError(f"Dask workers died running chunk {_chunk_of(exc)} again and again (out of memory, or "
                              f"killed); the finished chunks are kept: run again with {RESUME}") from exc
            raise
    finally:
        _close(client, cluster)


#: how long (s) a local cluster may be without workers, none starting, before its run is given up
WORKERS_GONE_AFTER = 5.0


def _completed(finished: Any, gone: Callable[[], bool], patience: float | None = None, poll: float = 0.1
               ) -> Iterator[tuple[Any, Any]]:
    """The (future, result) pairs of Dask's ``finished`` (``as_completed`` with results) as they complete.

    Raises
    ------
    OSError
        Once ``gone()`` has held for ``patience`` seconds (:data:`WORKERS_GONE_AFTER`) while chunks are still to
        come: a local cluster whose workers were all killed as they restarted (a kill storm, an operations review)
        is left without workers and stops starting them, and the run waited for ever."""
    patience = WORKERS_GONE_AFTER if patience is None else patience
    since: float | None = None
    while True:
        if finished.has_ready() or finished.is_empty():
            try:
                yield next(finished)
            except StopIteration:
                return
            since = None
        elif gone():
            since = time.monotonic() if since is None else since
            if time.monotonic() - since >= patience:
                raise OSError("the local Dask cluster lost all its workers (killed, or out of memory, as they "
                              f"restarted) and starts no more; the finished chunks are kept: run again with {RESUME}")
            time.sleep(poll)
        else:
            since = None
            time.sleep(poll)


def _workers_gone(cluster: Any) -> bool:
    """Whether a local cluster has no worker, running or starting: its nannies gave up on their workers (each is
    dropped from ``cluster.workers`` then) and its scheduler has none."""
    return not cluster.workers and not cluster.scheduler_info.get("workers")


#: guards what Dask keeps for the whole process and a run changes while it goes on: its configuration, set while a
#: local cluster starts (:func:`_local_cluster`), and its loggers' levels (:func:`_quiet_dask_logs`).  Two runs in
#: two threads each saved and restored them, interleaved: the one that ended last put back the other's settings,
#: which stayed in force (a web-app integrator's review: Dask's worker preload and profiling for the rest of the
#: process)
_DASK_GLOBALS = threading.Lock()


class _QuietLogs:
    """Dask's loggers' levels while runs (of any threads) want them quiet: the first run in sets them to critical,
    the last one out gives them back."""

    def __init__(self) -> None:
        self.runs = 0
        self.levels: dict[str, int] = {}

    def enter(self) -> None:
        """A run starts (called holding ``_DASK_GLOBALS``)."""
        if not self.runs:
            names = ["distributed"] + [name for name, lg in logging.root.manager.loggerDict.items()
                                       if name.startswith("distributed.") and isinstance(lg, logging.Logger)
                                       and lg.level]
            self.levels = {name: logging.getLogger(name).level for name in names}
            for name in self.levels:
                logging.getLogger(name).setLevel(logging.CRITICAL)
        self.runs += 1

    def leave(self) -> None:
        """A run ends (called holding ``_DASK_GLOBALS``)."""
        self.runs -= 1
        if not self.runs:
            for name, level in self.levels.items():
                logging.getLogger(name).setLevel(level)
            self.levels = {}


_QUIET = _QuietLogs()


@contextlib.contextmanager
def _quiet_dask_logs(quiet: bool = True) -> Iterator[None]:
    """Within it, with ``quiet``, Dask logs only its critical records (of ``distributed`` and each of its loggers
    with a level of its own); after it, however it is left (an error, Ctrl-C while connecting or closing), their
    levels are as they were, once no other thread's run is within it.  A lost scheduler is the run's message
    (:func:`_cancelled`), not the client's tracebacks of its attempts to reconnect and of its closed connections,
    which a log watcher took for a crash (an ensemble user's review)."""
    if not quiet:
        yield
        return
    with _DASK_GLOBALS:
        _QUIET.enter()
    try:
        yield
    finally:
        with _DASK_GLOBALS:
            _QUIET.leave()


def _close(*closables: Any) -> None:
    """Close a Dask client and cluster, whatever else is going on: on a loaded machine a close can time out
    (Dask gives it 60 s), which printed a traceback after "interrupted".  Nothing is lost: finished chunks are
    written as they arrive, and a local cluster's workers are daemons, which end with this process."""
    for c in closables:
        if c is None:
            continue
        try:
            c.close()
        except (TimeoutError, OSError):
            pass


def _cancelled(exc: BaseException, scheduler: str | None) -> OSError:
    """The error to report for a chunk that the Dask cluster cancelled (its scheduler lost, most often)."""
    where = f"the Dask scheduler at {scheduler}" if scheduler else "the local Dask cluster's scheduler"
    if "connection-lost" in str(exc):
        why = f"the connection to {where} was lost (stopped, restarted or unreachable)"
    else:
        reason = str(exc).splitlines()[0] if str(exc) else "no reason given"
        why = f"{where} cancelled chunk {_chunk_of(exc)} ({reason})"
    return OSError(f"{why}; the finished chunks are kept: run again with {RESUME} once the scheduler and its workers "
                   "are up")


def _chunk_of(exc: BaseException) -> str:
    """The chunk number in the key of the chunk task a Dask error names (``daryo-chunk-N-…``)."""
    import re

    found = re.search(r"daryo-chunk-(\d+)-", str(getattr(exc, "task", "")) or str(exc))
    return found.group(1) if found else "?"


def _same(x: Any) -> Any:
    return x


@contextlib.contextmanager
def _ctrl_c_held_back() -> Iterator[None]:
    """Block Ctrl-C (SIGINT) in this thread, and so in the threads it starts and the processes they start, until
    the block ends; one that arrived meanwhile is then raised here (KeyboardInterrupt).

    A local cluster's worker processes are started by its event-loop thread, made as the cluster starts: they
    start with Ctrl-C blocked and keep it so, where a Ctrl-C at the terminal (which reaches every process of its
    group) made each worker print a traceback of the import it cut short, before its preload could ignore Ctrl-C.
    A Ctrl-C while the workers start stops the run once they have all started.  In the main thread Ctrl-C's
    handler also only notes it until then, where it is Python's default one: where other threads run (as in
    Jupyter), the signal reaches one of them, but its handler runs in the main thread, and would raise there at
    once.  Without ``pthread_sigmask`` (Windows) nothing is held back.

    Multiprocessing's resource tracker, which the first process started this way starts, unblocks Ctrl-C in the
    thread that starts it, whatever the mask was before: it is started first, outside the block, and the mask is
    restored to what it was before that.  It is started with SIGHUP blocked, which it keeps: a logout's SIGHUP to
    the run's process group ends the run and its workers, not the tracker they share."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    from multiprocessing import resource_tracker

    from .._files import interrupts_between

    # (a handler of the caller's own, or SIG_IGN, stays in place: only Python's default one raises at once)
    with (interrupts_between() if signal.getsignal(signal.SIGINT) is signal.default_int_handler
          else contextlib.nullcontext(lambda: None)) as check:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, set())
        try:
            hup = getattr(signal, "SIGHUP", None)  # (blocked in the tracker, which inherits the mask and unblocks
            # only SIGINT and SIGTERM: a logout's SIGHUP to the process group killed it, and the workers' next
            # tracker printed a dozen tracebacks in the run's log, an operations review; the run ends as before)
            if hup is not None:
                signal.pthread_sigmask(signal.SIG_BLOCK, {hup})
            resource_tracker.ensure_running()
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        check()


def machine_cores() -> int:
    """The number of cores this process may use (its CPU affinity, where the system has one; else the machine's):
    the workers of a local cluster inherit the affinity, so a run pinned to one core runs them all on that core."""
    usable = getattr(os, "sched_getaffinity", None)
    return len(usable(0)) if usable is not None else (os.cpu_count() or 1)


def workers_problem(workers: int) -> str | None:
    """Why a local cluster of ``workers`` processes is refused (None: it is not): more processes than the cores
    this process may use run no faster, and each holds a chunk in memory."""
    cores = machine_cores()
    if workers <= cores:
        return None
    has = (f"this machine has {cores} core(s)" if cores >= (os.cpu_count() or cores) else
           f"this process may use {cores} of the machine's {os.cpu_count()} cores (its CPU affinity, which the workers "
           "inherit)")
    return (f"{has}, and a local cluster of more processes than cores runs no faster (each holds a chunk in memory): "
            f"give at most {cores}")


def _local_cluster(workers: int) -> Any:
    """A Dask cluster of ``workers`` processes of one thread on this machine, for an ensemble's chunks.

    The scheduler, the workers and their nannies speak TLS with a certificate made for this cluster alone
    (:func:`_throwaway_security`), which only this process and the workers hold: a Dask client runs whatever
    function it sends on a worker, which unpickles it, so that over plain TCP any process of any user of the machine
    could connect and run code as this one's user (a security review: daryo runs others' model files in a batch
    service on a shared host).

    Everything listens on 127.0.0.1: the scheduler, the workers and the scheduler's HTTP server, which Dask
    always starts (``dashboard_address=None`` means its default port 8787, and a warning when that is busy), on
    a free port chosen by the system and without the dashboard's pages.

    The workers start without the ``MALLOC_TRIM_THRESHOLD_`` that Dask sets for them by default: setting it
    fixes glibc's mmap threshold at 128 kB, so that each of a chunk's temporary arrays above that size is mapped
    and unmapped anew.  With it, a chunk of the Aral model ran 1.35× slower (see ``docs/performance-history.md``).  They
    do not sample their own stacks for Dask's profile pages either (~4 % of a run), as those pages are off.
    They ignore Ctrl-C (:mod:`daryo._dask_worker`), which this process handles, and start with it blocked (see
    :func:`_ctrl_c_held_back`), and log nothing below critical: a chunk's error reaches this process, which reports
    it once.
    """
    import dask
    from dask.distributed import LocalCluster

    class _Cluster(LocalCluster):
        """A LocalCluster that Dask's exit callback leaves alone when Ctrl-C cut its start."""

        def __init__(self, *args: Any, **kwargs: Any):
            try:
                super().__init__(*args, **kwargs)
            except KeyboardInterrupt:
                # Dask's own closing of the half-started cluster at exit fails on an assertion (workers still
                # starting), and the nanny whose start it cut is logged by asyncio as a task exception never
                # retrieved; each printed its traceback after "interrupted".  The cluster's worker processes are
                # daemons, which end with this process.
                self.shutdown_on_close = False
                asyncio_log = logging.getLogger("asyncio")
                if not any(isinstance(f, _NannyStartCut) for f in asyncio_log.filters):
                    asyncio_log.addFilter(_NannyStartCut())
                raise

    with _DASK_GLOBALS, dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
                                         "distributed.worker.profile.enabled": False,
                                         "distributed.worker.preload": ["daryo._dask_worker"]}):
        # (another thread's cluster starts after this one: Dask's configuration is the process's)
        security = _throwaway_security()
        cluster = None
        try:
            with _ctrl_c_held_back():
                cluster = _Cluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   protocol="tls", security=security, dashboard_address="127.0.0.1:0",
                                   scheduler_kwargs={"dashboard": False}, silence_logs=logging.CRITICAL)
        except BaseException:  # (Ctrl-C or SIGTERM held back while the workers started, raised once they are up)
            _close(cluster)
            raise
        return cluster


def _throwaway_security() -> Any:
    """Dask's TLS settings for a local cluster: a certificate authority and certificates made now, in memory, for
    this cluster alone (``distributed.security.Security.temporary``), and required of every connection, each end
    checking the other's certificate.  A client without them cannot connect to the scheduler, a worker or a nanny.

    Raises
    ------
    ImportError
        If the ``cryptography`` package, which makes the certificates, is not installed (it comes with the
        ``ensemble`` extra): the cluster is not started without it."""
    from distributed.security import Security

    try:
        return Security.temporary()
    except ImportError as exc:
        raise ImportError("the cryptography package is needed for --workers, to make the certificate that keeps "
                          "other users of this machine off the local Dask cluster: pip install 'daryo[ensemble]'"
                          ) from exc


class _NannyStartCut(logging.Filter):
    """Drops asyncio's report of a Dask nanny whose start an interrupt cut short (its other records pass)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Nanny failed to start" not in record.getMessage()


def _run_remote(model: Model, source: TraceSource, options: EnsembleOptions, chunk: int, first: int, count: int,
                writes_to: Path | None = None) -> dict[str, Any]:
    """Run a chunk on a worker: its result, or, with ``writes_to`` (the run's output), its receipt once its part
    is written."""
    result = run_chunk(_Job(model, source, options, chunk, first, count))
    if writes_to is None:
        return result
    _Parts(writes_to).write(result)
    return {"trace": result["trace"], "_how": result["_how"], "_chunk": result["_chunk"], "_written": True}


