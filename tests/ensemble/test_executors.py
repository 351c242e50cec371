"""Where chunks run: local and remote Dask clusters give this process's results; killed workers lose
nothing; the local cluster stays on 127.0.0.1 and leaves Ctrl-C and errors to this process."""

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from ensemble_cases import YEARS, assert_identical, basin, daryo_load, load, run, yaml_of_basin

from daryo.ensemble import EnsembleOptions, ResampledTraces
from daryo.ensemble.chunks import _Job, run_chunk
from daryo.ensemble.executors import _ctrl_c_held_back, _dask, _local_cluster, machine_cores
from daryo.ensemble.parts import _Parts
from daryo.errors import InfeasibleStepError

# Tests of Ctrl-C's mask (pthread_sigmask) and of what /proc tells of a process's signals.
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc and blocks signals by thread")


def test_the_local_dask_cluster_stays_on_localhost_and_quiet(tmp_path, monkeypatch):
    """The scheduler, the workers and the scheduler's HTTP server listen on 127.0.0.1 only, on ports the system
    chooses: no warning when Dask's default dashboard port 8787 is busy."""
    import socket
    import warnings

    distributed = pytest.importorskip("dask.distributed",
                                      reason="Dask is an optional extra (pip install daryo[ensemble])")
    made = []

    class Recorded(distributed.LocalCluster):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(distributed, "LocalCluster", Recorded)
    busy = socket.socket()
    try:
        try:
            busy.bind(("127.0.0.1", 8787))
            busy.listen()
        except OSError:
            pass  # already busy
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _, out = run(tmp_path, "d.nc", workers=1, options={"traces": 2, "chunk_size": 1})
    finally:
        busy.close()
    assert out.exists()
    assert not [w for w in caught if "in use" in str(w.message)], [str(w.message) for w in caught]
    scheduler = made[0].scheduler
    assert scheduler.address.startswith("tls://127.0.0.1:")
    assert scheduler.http_server.address == "127.0.0.1" and scheduler.http_server.port != 8787
    assert all(w.host == "127.0.0.1" for w in made[0].scheduler.workers.values()) or not scheduler.workers


def test_only_this_process_can_connect_to_the_local_dask_cluster():
    """A security review (daryo runs others' model files in a batch service on a shared host): the local cluster
    listened on plain TCP, so that any process of the machine could connect as a Dask client and have a worker
    unpickle and run its function as daryo's user.  The scheduler, the worker and its nanny speak TLS with a
    certificate made for the cluster: a plain client, or one with a certificate of its own, is refused; daryo's
    client, which holds the cluster's certificate, runs its chunks (the same results:
    ``test_dask_workers_give_identical_results``)."""
    distributed = pytest.importorskip("dask.distributed",
                                      reason="Dask is an optional extra (pip install daryo[ensemble])")
    pytest.importorskip("cryptography", reason="the local cluster's certificate needs cryptography (daryo[ensemble])")
    from distributed.security import Security

    cluster = _local_cluster(1)
    try:
        with distributed.Client(cluster, security=cluster.security, set_as_default=False) as client:
            info = client.scheduler_info()
            assert client.submit(sum, [1, 2], pure=False).result() == 3
        ((worker, about),) = info["workers"].items()
        addresses = [cluster.scheduler_address, worker, about["nanny"]]
        assert all(a.startswith("tls://127.0.0.1:") for a in addresses), addresses
        for address in addresses:
            plain = address.replace("tls://", "tcp://")
            for target, security in ((plain, None), (address, Security.temporary())):
                with pytest.raises((OSError, TimeoutError)):
                    distributed.Client(target, security=security, timeout="2s", set_as_default=False).close()
    finally:
        cluster.close()


def test_a_local_cluster_without_cryptography_is_not_started_but_named_as_the_extra_to_install(tmp_path, monkeypatch):
    """The local cluster's certificate is made by the cryptography package: without it the cluster is not started
    open to the machine's users, and the run says what to install."""
    pytest.importorskip("dask.distributed", reason="Dask is an optional extra (pip install daryo[ensemble])")
    from distributed.security import Security

    def no_cryptography():  # (what Dask raises without it)
        raise ImportError("Using `Security.temporary` requires `cryptography`, please install it using either pip or "
                          "conda")

    monkeypatch.setattr(Security, "temporary", staticmethod(no_cryptography))
    with pytest.raises(ImportError, match=r"the cryptography package is needed for --workers, .*: pip install "
                                          r"'daryo\[ensemble\]'"):
        run(tmp_path, "d.nc", workers=1, options={"traces": 2, "chunk_size": 1})


def test_the_local_dask_workers_start_without_dasks_malloc_trim_threshold_or_profiler(monkeypatch):
    """Dask sets MALLOC_TRIM_THRESHOLD_ for the workers it spawns; that fixes glibc's mmap threshold, which made
    a chunk 1.35× slower.  The ensemble's local workers start without it (when this process has none), and
    without Dask's statistical profiler."""
    import os

    distributed = pytest.importorskip("dask.distributed",
                                      reason="Dask is an optional extra (pip install daryo[ensemble])")

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    cluster = _local_cluster(1)
    try:
        with distributed.Client(cluster) as client:
            env = client.run(lambda: dict(os.environ))
            profiling = client.run(lambda dask_worker: "profile" in dask_worker.periodic_callbacks)
    finally:
        cluster.close()
    (worker_env,) = env.values()
    assert "MALLOC_TRIM_THRESHOLD_" not in worker_env
    assert worker_env.get("OPENBLAS_NUM_THREADS") == "1"  # Dask's other settings for its workers stay
    assert list(profiling.values()) == [False]  # nor do they sample their stacks for Dask's profile pages


def test_the_local_dask_workers_leave_ctrl_c_and_errors_to_this_process(tmp_path, capfd):
    """Ctrl-C reaches every process of the terminal's group: the workers ignore it (this process stops the run
    and closes the cluster), where each printed a traceback.  A chunk that fails is reported once, by this
    process, not also logged by its worker (16 lines of traceback)."""
    import signal
    import subprocess

    distributed = pytest.importorskip("dask.distributed",
                                      reason="Dask is an optional extra (pip install daryo[ensemble])")

    cluster = _local_cluster(1)
    try:
        with distributed.Client(cluster) as client:
            handlers = client.run(lambda: signal.getsignal(signal.SIGINT) == signal.SIG_IGN)
    finally:
        cluster.close()
    assert list(handlers.values()) == [True]
    model = dry_model(tmp_path)
    capfd.readouterr()
    out = subprocess.run([sys.executable, "-m", "daryo", "ensemble", str(model), "--traces", "2", "--years", "1",
                          "--workers", "1", "--quiet", "-o", str(tmp_path / "o.nc")], capture_output=True, text=True)
    assert out.returncode == 1 and out.stderr.count("\n") == 1 and "infeasible at step 0" in out.stderr, out.stderr


@linux_only
def test_the_local_dask_workers_start_with_ctrl_c_blocked_and_this_process_gets_it_back():
    """The workers start with Ctrl-C (SIGINT) blocked, before the preload that ignores it can run: a Ctrl-C at the
    terminal while they imported Dask made each print a traceback.  This thread's mask is as it was after."""
    import signal

    distributed = pytest.importorskip("dask.distributed",
                                      reason="Dask is an optional extra (pip install daryo[ensemble])")
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    cluster = _local_cluster(1)
    try:
        assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
        with distributed.Client(cluster) as client:
            blocked = client.run(lambda: "SigBlk" in (status := open("/proc/self/status").read())
                                 and int(status.split("SigBlk:")[1].split()[0], 16) & (1 << (signal.SIGINT - 1)))
    finally:
        cluster.close()
    assert list(map(bool, blocked.values())) == [True]


@linux_only
def test_a_ctrl_c_held_back_is_raised_at_the_end_of_the_block():
    import signal
    import threading

    reached = False
    with pytest.raises(KeyboardInterrupt):
        with _ctrl_c_held_back():
            signal.pthread_kill(threading.get_ident(), signal.SIGINT)
            reached = True
    assert reached and signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])


@linux_only
def test_a_sigterm_held_back_while_the_block_fails_is_raised_instead_of_the_failure():
    """SIGTERM to the process group while the local cluster starts ends its workers too: the cluster's start failed
    ("Nanny failed to start"), said "run again" (exit 1), and the SIGTERM held back was dropped (an interruption
    fuzz, 4 of 19); the command line's SIGTERM handler now runs, chained to the failure."""
    import signal

    class Terminated(Exception):
        pass

    def terminate(signum, frame):
        raise Terminated

    before = signal.signal(signal.SIGTERM, terminate)
    try:
        with pytest.raises(Terminated) as err:
            with _ctrl_c_held_back():
                signal.raise_signal(signal.SIGTERM)  # (held)
                raise RuntimeError("Nanny failed to start.")
        assert isinstance(err.value.__context__, RuntimeError)
        with pytest.raises(RuntimeError, match="Nanny"):  # (no signal held: the failure itself)
            with _ctrl_c_held_back():
                raise RuntimeError("Nanny failed to start.")
        assert signal.getsignal(signal.SIGTERM) is terminate
    finally:
        signal.signal(signal.SIGTERM, before)


@linux_only
def test_a_ctrl_c_that_reaches_another_thread_is_held_back_too():
    """Where another thread runs with Ctrl-C unblocked (as in Jupyter), the signal sent to the process reaches
    it, but Python runs the handler in the main thread: it raised there at once, in the middle of the block."""
    import signal
    import threading
    import time

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    reached = False
    try:
        with pytest.raises(KeyboardInterrupt):
            with _ctrl_c_held_back():
                os.kill(os.getpid(), signal.SIGINT)
                for _ in range(50):  # (time for the handler to run in this thread)
                    time.sleep(0.002)
                reached = True
    finally:
        stop.set()
        other.join()
    assert reached and signal.getsignal(signal.SIGINT) is signal.default_int_handler


@linux_only
def test_a_ctrl_c_the_process_ignores_stays_ignored():
    """The block's own handler noted any Ctrl-C and raised it at the end, where the process had set it to be
    ignored (SIG_IGN); it now keeps a handler other than Python's default one."""
    import signal

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with _ctrl_c_held_back():
            os.kill(os.getpid(), signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


@linux_only
def test_the_block_leaves_ctrl_c_blocked_where_it_was_blocked_before():
    """A thread that blocked Ctrl-C itself keeps it blocked after the block, though starting multiprocessing's
    resource tracker (in a fresh process, here) unblocks it."""
    import subprocess

    code = ("import signal\n"
            "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})\n"
            "from daryo.ensemble.executors import _ctrl_c_held_back\n"
            "with _ctrl_c_held_back():\n"
            "    pass\n"
            "print(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "True\n", "")


@linux_only
def test_ctrl_c_while_the_local_workers_start_says_interrupted_only(tmp_path):
    """Ctrl-C at the terminal (SIGINT to the whole process group) as the workers start, while they import Dask
    (once Python has set its Ctrl-C handler in one): the run says "interrupted" and nothing else, and leaves no
    process behind."""
    import signal
    import subprocess
    import time

    pytest.importorskip("dask.distributed", reason="Dask is an optional extra (pip install daryo[ensemble])")
    psutil = pytest.importorskip("psutil")
    model = tmp_path / "m.yaml"
    model.write_text(yaml_of_basin())
    run = subprocess.Popen([sys.executable, "-m", "daryo", "ensemble", str(model), "--traces", "4", "--years", "1",
                            "--workers", str(min(2, len(os.sched_getaffinity(0)))),  # (the cores it may use)
                            "--quiet", "-o", str(tmp_path / "o.nc")], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, start_new_session=True)
    me = psutil.Process(run.pid)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(_catches_ctrl_c(c) for c in _children(me)):
        time.sleep(0.005)
    family = [me, *me.children(recursive=True)]
    os.killpg(run.pid, signal.SIGINT)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 130 and err.startswith("interrupted; no chunk had finished, so none is kept"), err
    assert err.count("\n") == 1, err
    gone, alive = psutil.wait_procs(family, timeout=10)
    assert not alive


def _children(process):
    import psutil

    try:
        return process.children(recursive=True)
    except psutil.Error:
        return []


def _catches_ctrl_c(process) -> bool:
    """Whether ``process`` is a worker being started whose Python has set its handler of Ctrl-C (SIGINT)."""
    import signal

    import psutil

    try:
        if "spawn_main" not in " ".join(process.cmdline()):
            return False
        status = Path(f"/proc/{process.pid}/status").read_text()
    except (psutil.Error, OSError):
        return False
    return bool(int(status.split("SigCgt:")[1].split()[0], 16) & (1 << (signal.SIGINT - 1)))


def test_a_local_cluster_starts_a_worker_a_chunk_at_most_and_no_more_than_the_cores(tmp_path, monkeypatch):
    pytest.importorskip("dask.distributed", reason="Dask is an optional extra (pip install daryo[ensemble])")
    from daryo.ensemble import executors

    started = []
    real = executors._local_cluster
    monkeypatch.setattr(executors, "_local_cluster", lambda k: started.append(k) or real(k))
    monkeypatch.setattr(executors, "machine_cores", lambda: 3)
    run(tmp_path, "one.nc", workers=3, options={"traces": 2, "chunk_size": 2})
    assert started == [1]  # (one chunk: one worker, not three)
    with pytest.raises(ValueError, match="workers=4: this machine has 3 core"):
        run(tmp_path, "four.nc", workers=4, options={"traces": 2})


#: the function itself, taken before the conftest's fixture sets a count of its own
MACHINE_CORES = machine_cores


def test_the_cores_a_process_may_use_are_those_of_its_cpu_affinity(monkeypatch):
    """The workers of a local cluster inherit the affinity: under ``taskset -c 1`` two workers ran on one core, and
    compiling the kernels in both took 179 s (a user review); such a cluster is refused, naming the affinity."""
    from daryo.ensemble import executors

    monkeypatch.setattr(executors, "machine_cores", MACHINE_CORES)  # (not the count of the conftest)
    monkeypatch.setattr(executors.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(executors.os, "sched_getaffinity", lambda pid: {1}, raising=False)
    assert executors.machine_cores() == 1
    assert executors.workers_problem(1) is None
    assert executors.workers_problem(2) == (
        "this process may use 1 of the machine's 2 cores (its CPU affinity, which the workers inherit), and a local "
        "cluster of more processes than cores runs no faster (each holds a chunk in memory): give at most 1")
    monkeypatch.setattr(executors.os, "sched_getaffinity", lambda pid: {0, 1})
    assert executors.workers_problem(2) is None and executors.workers_problem(3).startswith("this machine has 2 core")


def test_dask_workers_give_identical_results(tmp_path):
    pytest.importorskip("dask.distributed", reason="Dask is an optional extra (pip install daryo[ensemble])")
    _, serial = run(tmp_path, "serial.nc")
    _, dask = run(tmp_path, "dask.nc", workers=2)
    assert_identical(load(dask), load(serial))


def test_local_workers_write_their_parts_and_send_back_receipts(tmp_path):
    """A local cluster's workers write each chunk's part themselves: this process receives no chunk's arrays
    (at scale, it held ~300 MB of them); the parts are those this process writes from the same results."""
    pytest.importorskip("dask.distributed", reason="Dask is an optional extra (pip install daryo[ensemble])")
    model, opts = basin(), EnsembleOptions(traces=4, years=YEARS, seed=5, chunk_size=2)
    jobs = [_Job(model, ResampledTraces.from_model(model), opts, c, 2 * c, 2) for c in range(2)]
    out = tmp_path / "w.nc"
    _Parts(out).dir.mkdir()
    received = list(_dask(jobs, None, 1, out))
    assert sorted(r["_chunk"] for r in received) == [0, 1]
    assert all(r["_written"] and set(r) == {"trace", "_how", "_chunk", "_written"} for r in received)
    here = _Parts(tmp_path / "here.nc")
    here.dir.mkdir()
    for job in jobs:
        here.write(run_chunk(job))
    for c in range(2):
        theirs, ours = _Parts(out).read(c), here.read(c)
        assert set(theirs) == set(ours) and "storage" in theirs
        for k in ours:
            if k != "_info":
                np.testing.assert_array_equal(theirs[k], ours[k], err_msg=k)


def test_a_remote_cluster_sends_back_whole_results(tmp_path):
    """Workers of a cluster given by its address may not see this machine's files: they send the chunks back,
    and this process writes the parts; the results are those of a run in one process."""
    pytest.importorskip("dask.distributed", reason="Dask is an optional extra (pip install daryo[ensemble])")
    _, serial = run(tmp_path, "serial.nc")
    cluster = _local_cluster(1)
    try:
        model, opts = basin(), EnsembleOptions(traces=2, years=YEARS, seed=5, chunk_size=2)
        job = _Job(model, ResampledTraces.from_model(model), opts, 0, 0, 2)
        with _trusting(cluster):  # (a TLS cluster is reached with Dask's TLS settings, as the README says)
            received = list(_dask([job], cluster.scheduler_address, None, tmp_path / "r.nc"))
            assert "storage" in received[0] and "_written" not in received[0]
            assert not (tmp_path / "r.nc.parts").exists()
            _, remote = run(tmp_path, "remote.nc", scheduler=cluster.scheduler_address)
    finally:
        cluster.close()
    assert_identical(load(remote), load(serial))


def test_resume_with_local_workers_that_wrote_the_parts(tmp_path):
    """Parts written by a local cluster's workers are resumed as this process's are (a run stopped after one
    chunk may have more on disk than it reported: the cluster finishes what it has started before it closes)."""
    pytest.importorskip("dask.distributed", reason="Dask is an optional extra (pip install daryo[ensemble])")
    _, serial = run(tmp_path, "serial.nc")
    run(tmp_path, "w.nc", workers=2, stop_after=1)
    r, out = run(tmp_path, "w.nc", workers=2, resume=True)
    assert r.chunks == 3 and r.chunks_skipped >= 1 and not (tmp_path / "w.nc.parts").exists()
    assert_identical(load(out), load(serial))


def test_local_workers_share_the_traces_and_a_resume_keeps_the_chunks(tmp_path):
    """Without a chunk size, K local workers get chunks of at most a 2K-th of the traces (7 traces, 2 workers:
    4 chunks; a run of 20 fits one chunk's memory, which kept one worker busy and the other idle), and a resume
    in this process keeps the chunks of the run it continues."""
    pytest.importorskip("dask.distributed", reason="Dask is an optional extra (pip install daryo[ensemble])")
    _, serial = run(tmp_path, "serial.nc")
    r, _ = run(tmp_path, "w.nc", options={"chunk_size": None}, workers=2, stop_after=1)
    assert r.chunks == 4
    r, out = run(tmp_path, "w.nc", options={"chunk_size": None}, resume=True)
    assert r.chunks == 4 and r.chunks_skipped >= 1
    assert_identical(load(out), load(serial))


def _trusting(cluster):
    """Dask's configuration, within it, with ``cluster``'s certificate for a client: a local cluster as a stand-in
    for a remote one given by its address, which speaks TLS (the README: ``distributed.comm.tls.*``)."""
    import dask

    security = cluster.security
    return dask.config.set({"distributed.comm.require-encryption": True,
                            "distributed.comm.tls.ca-file": security.tls_ca_file,
                            "distributed.comm.tls.client.cert": security.tls_client_cert,
                            "distributed.comm.tls.client.key": security.tls_client_key})


def dry_model(tmp_path: Path) -> Path:
    """The model file of :func:`ensemble_cases.yaml_of_basin` with a river that must carry more than flows into it:
    infeasible at its first step."""
    model = tmp_path / "dry.yaml"
    sea = "  - {id: sea, type: sink, cost: 1}\n"
    model.write_text(yaml_of_basin().replace(sea, sea + "  - {id: river, type: reach, min_flow: 500}\n")
                     .replace("[dam, sea]]", "[dam, river], [river, sea]]"))
    return model


class _KillOnce:
    """A trace source that kills the worker process running chunk 1, the first time only."""

    def __init__(self, inner, flag: str):
        self.inner, self.flag = inner, flag

    def describe(self) -> str:
        return self.inner.describe()

    def __call__(self, seed, indices, years, axis):
        if 3 in list(indices) and not os.path.exists(self.flag):
            Path(self.flag).touch()
            os._exit(1)  # the worker dies with the chunk in hand
        return self.inner(seed, indices, years, axis)


def test_a_killed_worker_loses_nothing(tmp_path):
    pytest.importorskip("dask.distributed", reason="Dask is an optional extra (pip install daryo[ensemble])")
    _, serial = run(tmp_path, "serial.nc")
    source = _KillOnce(ResampledTraces.from_model(basin()), str(tmp_path / "killed"))
    _, dask = run(tmp_path, "dask.nc", workers=2, source=source)
    assert (tmp_path / "killed").exists()
    assert_identical(load(dask), load(serial))


class _KillAlways(_KillOnce):
    """A trace source whose chunk 1 kills every worker that runs it, once chunk 0's part (``flag``) is written.

    Until then chunk 1 asks Dask to run it again later (``Reschedule``) rather than wait: Dask may have queued
    chunk 0 behind it on the same worker (one thread), where a wait would never end."""

    def __call__(self, seed, indices, years, axis):
        if 3 in list(indices):
            if not os.path.exists(self.flag):
                import time

                from distributed import Reschedule

                time.sleep(0.05)
                raise Reschedule()
            os._exit(1)
        return self.inner(seed, indices, years, axis)


def test_workers_that_keep_dying_are_a_message_and_the_finished_chunks_are_kept(tmp_path):
    """Dask gives up on a chunk whose workers keep dying (KilledWorker, which came out as a traceback): the run
    says so in a sentence that names the chunk and --resume, and keeps its finished chunks.  (The chunk queued on
    a worker that dies fails with it: Dask may give up on that one, chunk 2, first; or on chunk 0, done and written
    but its result not yet sent when its worker died: a fresh clone's CI saw it.)"""
    dask = pytest.importorskip("dask", reason="Dask is an optional extra (pip install daryo[ensemble])")
    pytest.importorskip("dask.distributed")
    first_part = tmp_path / "dies.nc.parts" / "chunk-00000.npz"
    source = _KillAlways(ResampledTraces.from_model(basin()), str(first_part))
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with pytest.raises(OSError, match=r"Dask workers died running chunk [0-2] again and again .*run again with "
                                          r"--resume"):
            run(tmp_path, "dies.nc", workers=2, source=source)
    assert first_part.is_file()  # (a run that fails before any chunk is done leaves no folder behind)


def test_a_local_cluster_is_without_workers_when_it_has_none_running_or_starting():
    """An operations review: workers killed again and again as they restarted (a kill storm) left the local
    cluster without workers, and its nannies started no more: the run waited for ever ("traces 0/400" for ten
    minutes).  Such a cluster lists no nanny (Dask drops one that gave up) and its scheduler no worker; one whose
    nanny restarts its worker, or whose scheduler still has one, is not without.  (The storm itself, against a real
    run, is timing-dependent: it was checked by hand, the run ending with the message 5 s after the last worker.)"""
    from types import SimpleNamespace

    from daryo.ensemble.executors import _workers_gone

    def cluster(nannies, workers):
        return SimpleNamespace(workers=nannies, scheduler_info={"workers": workers})

    assert _workers_gone(cluster({}, {}))
    assert not _workers_gone(cluster({0: "a nanny restarting its worker"}, {}))
    assert not _workers_gone(cluster({}, {"tls://127.0.0.1:1": {}}))


def test_chunks_come_as_they_complete_and_a_cluster_without_workers_for_a_while_is_an_error():
    """The watch over a local cluster's workers (:func:`daryo.ensemble.executors._completed`): results pass as they
    come; workers missing for less than the patience are waited for; missing for longer, chunks still to come, is
    an error."""
    from daryo.ensemble.executors import _completed

    class Finished:  # (Dask's as_completed: ``ready`` results now, ``later`` more once asked ``wait`` times)
        def __init__(self, ready, later=(), wait=0):
            self.ready, self.later, self.wait = list(ready), list(later), wait

        def has_ready(self):
            if not self.ready and self.later and self.wait <= 0:
                self.ready.append(self.later.pop(0))
            self.wait -= 1
            return bool(self.ready)

        def is_empty(self):
            return not self.ready and not self.later

        def __next__(self):
            if not self.ready:
                raise StopIteration
            return self.ready.pop(0)

    assert list(_completed(Finished([1, 2]), lambda: True, patience=0.0)) == [1, 2]  # (nothing left: no error)
    blips = iter([True, True, False, True])  # (workers restarting: gone for a moment, never for the patience)
    assert list(_completed(Finished([], [3], wait=4), lambda: next(blips, False), patience=0.35, poll=0.1)) == [3]
    with pytest.raises(OSError, match="lost all its workers"):
        list(_completed(Finished([1], [2], wait=10**9), lambda: True, patience=0.2, poll=0.05))


def test_no_dask_client_is_left_as_the_default_one(tmp_path):
    """A client left as Dask's default (after a scheduler that could not be reached) made xarray write every later
    NetCDF file of the process through a lock on that scheduler, which failed."""
    distributed = pytest.importorskip("dask.distributed",
                                      reason="Dask is an optional extra (pip install daryo[ensemble])")
    model = dry_model(tmp_path)  # (the run fails on the cluster)
    cluster = _local_cluster(1)
    try:
        with _trusting(cluster), pytest.raises(InfeasibleStepError):
            run(tmp_path, "d.nc", model=daryo_load(model), scheduler=cluster.scheduler_address)
    finally:
        cluster.close()
    with pytest.raises(ValueError, match="No clients found"):
        distributed.default_client()
    run(tmp_path, "s.nc")


def test_ctrl_c_while_the_local_cluster_starts_leaves_dask_nothing_to_print(monkeypatch):
    """Ctrl-C 2-3 s into ``daryo ensemble --workers 2`` printed, after "interrupted", the traceback of Dask's exit
    callback closing the half-started cluster (``assert w.status in {...}``: Status.init) or asyncio's "Task
    exception was never retrieved" of a nanny whose start it cut."""
    import logging

    distributed = pytest.importorskip("distributed", reason="Dask is an optional extra")
    started = []

    def interrupted(self, **kwargs):  # what Ctrl-C leaves: a cluster registered for closing at exit, workers starting
        self.shutdown_on_close = True
        started.append(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(distributed.LocalCluster, "__init__", interrupted)
    asyncio_log = logging.getLogger("asyncio")
    monkeypatch.setattr(asyncio_log, "filters", list(asyncio_log.filters))  # (restored after the test)
    with pytest.raises(KeyboardInterrupt):
        _local_cluster(2)
    assert len(started) == 1 and started[0].shutdown_on_close is False  # Dask's exit callback leaves it alone

    def record(text):
        return logging.LogRecord("asyncio", logging.ERROR, __file__, 1, text, None, None)

    assert not asyncio_log.filter(record("Task exception was never retrieved\nfuture: <Task finished "
                                         "exception=RuntimeError('Nanny failed to start.')>"))
    assert asyncio_log.filter(record("Task exception was never retrieved\nfuture: <Task exception=OSError()>"))


@linux_only
def test_a_ctrl_c_held_back_while_workers_start_stays_one_when_the_close_times_out(monkeypatch):
    """A Ctrl-C held back while the workers started is raised once they are up, and the cluster closed; a close
    that timed out then replaced it with the TimeoutError, which the command line reported as "error: timed out"
    (an OSError) rather than "interrupted"."""
    import signal

    distributed = pytest.importorskip("distributed", reason="Dask is an optional extra")
    closed = []

    def started(self, **kwargs):  # the workers up, a Ctrl-C pressed meanwhile
        os.kill(os.getpid(), signal.SIGINT)

    def close_timing_out(self, *args, **kwargs):
        closed.append(self)
        raise TimeoutError("timed out after 60 s.")

    monkeypatch.setattr(distributed.LocalCluster, "__init__", started)
    monkeypatch.setattr(distributed.LocalCluster, "close", close_timing_out)
    with pytest.raises(KeyboardInterrupt):
        _local_cluster(2)
    assert len(closed) == 1


def test_a_dask_close_that_times_out_loses_nothing_and_says_nothing(tmp_path, monkeypatch):
    """On a loaded machine, a Ctrl-C during a run with local workers printed a traceback after "interrupted":
    the client's close timed out (Dask gives it 60 s).  A close that times out is let go: the finished chunks are
    written, and the workers are daemons, which end with this process."""
    distributed = pytest.importorskip("dask.distributed",
                                      reason="Dask is an optional extra (pip install daryo[ensemble])")
    closed = []
    real_close = distributed.Client.close

    def close_timing_out(self, *args, **kwargs):
        real_close(self, *args, **kwargs)
        closed.append(self)
        raise TimeoutError("timed out after 60 s.")

    monkeypatch.setattr(distributed.Client, "close", close_timing_out)
    _, serial = run(tmp_path, "serial.nc")
    _, dask = run(tmp_path, "dask.nc", workers=1)
    assert len(closed) == 1
    assert_identical(load(dask), load(serial))


class _KillScheduler(_KillOnce):
    """A trace source whose last chunk (traces 6…) kills the Dask scheduler (process ``flag``, a pid), once chunk
    0's part is written (until then it asks Dask to run it again later, as :class:`_KillAlways`)."""

    def __init__(self, inner, scheduler_pid: int, first_part: str):
        super().__init__(inner, first_part)
        self.pid = scheduler_pid

    def __call__(self, seed, indices, years, axis):
        if 6 in list(indices):
            if not os.path.exists(self.flag):
                import time

                from distributed import Reschedule

                time.sleep(0.05)
                raise Reschedule()
            import signal

            os.kill(self.pid, signal.SIGKILL)
        return self.inner(seed, indices, years, axis)


def test_a_run_on_a_scheduler_logs_only_dasks_critical_records_and_gives_the_levels_back(monkeypatch):
    """An ensemble user's review: a scheduler stopped mid-run put two of Dask's client tracebacks (its attempts to
    reconnect; or a closed connection's, of ``distributed.batched``) in the log before daryo's own message, which a
    log watcher took for a crash.  While a run uses a scheduler, ``distributed`` and its loggers with levels of
    their own log only critical records; after it, their levels are as they were, also where Ctrl-C cut the
    connecting short (a diff review: they stayed silenced for the rest of a notebook's session)."""
    import logging

    pytest.importorskip("dask.distributed")
    import dask.distributed

    from daryo.ensemble.executors import _dask, _quiet_dask_logs

    client, root = logging.getLogger("distributed.client"), logging.getLogger("distributed")
    before = (client.level, root.level)
    client.setLevel(logging.WARNING)
    try:
        with _quiet_dask_logs():
            assert not client.isEnabledFor(logging.ERROR) and client.isEnabledFor(logging.CRITICAL)
            assert not logging.getLogger("distributed.batched").isEnabledFor(logging.ERROR)
        assert client.level == logging.WARNING and root.level == before[1]

        def cut_short(*args, **kwargs):
            assert not client.isEnabledFor(logging.ERROR)  # (quiet while it connects)
            raise KeyboardInterrupt

        monkeypatch.setattr(dask.distributed, "Client", cut_short)
        with pytest.raises(KeyboardInterrupt):
            list(_dask([], "tcp://127.0.0.1:1", None, Path("x.nc")))
        assert client.level == logging.WARNING and root.level == before[1]
    finally:
        client.setLevel(before[0])


def test_a_scheduler_with_no_workers_is_said_and_one_lost_is_a_message(tmp_path):
    """A review (a drought analyst on a shared cluster): a run on a scheduler with no workers waited without a
    word, and a scheduler lost mid-run (killed, restarted) ended in a traceback.  The wait is said at once; the
    loss is a sentence that names the scheduler and --resume, and the finished chunks are kept."""
    import io
    import socket
    import subprocess
    import threading

    dask = pytest.importorskip("dask", reason="Dask is an optional extra (pip install daryo[ensemble])")
    pytest.importorskip("dask.distributed")
    from daryo.ensemble import ProgressReporter

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}  # (this module, for the source)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    scheduler = subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port",
                                  str(port), "--no-dashboard"], **quiet)
    workers: list[subprocess.Popen] = []
    log = io.StringIO()

    lock = threading.Lock()

    def start_worker():
        with lock:
            if not workers:
                workers.append(subprocess.Popen([sys.executable, "-m", "dask", "worker", address, "--nthreads", "1",
                                                 "--no-nanny", "--death-timeout", "5"], **quiet))

    class _Log(io.StringIO):
        def write(self, text):  # (the worker starts once the run has said it waits for one)
            if text.startswith("note: "):
                start_worker()
            return log.write(text)

    late = threading.Timer(20.0, start_worker)  # (a run that says nothing is not left waiting for ever)
    late.start()

    first_part = tmp_path / "lost.nc.parts" / "chunk-00000.npz"
    source = _KillScheduler(ResampledTraces.from_model(basin()), scheduler.pid, str(first_part))
    try:
        for _ in range(100):  # (the scheduler listening)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                threading.Event().wait(0.1)
        with dask.config.set({"distributed.comm.timeouts.connect": "3s"}):
            with pytest.raises(OSError, match=f"the connection to the Dask scheduler at {address} was lost .*; the "
                                              "finished chunks are kept: run again with --resume"):
                run(tmp_path, "lost.nc", scheduler=address, source=source,
                    progress=ProgressReporter(7, 36, stream=_Log(), tty=False))
    finally:
        late.cancel()
        for p in (scheduler, *workers):
            p.kill()
            p.wait()
    assert (f"note: the Dask scheduler at {address} has no workers: the run waits for some to connect (dask worker "
            f"{address})") in log.getvalue().splitlines()
    assert first_part.is_file()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads a process's signal mask from /proc")
def test_the_resource_tracker_the_workers_share_keeps_sighup_blocked():
    """An operations review: a logout's SIGHUP to a ``--workers`` run's process group killed multiprocessing's
    resource tracker, which the workers share, and their next one printed a dozen tracebacks in the run's log.  The
    tracker is started with SIGHUP blocked (it unblocks only SIGINT and SIGTERM), in a fresh process as a run's."""
    import subprocess
    import textwrap

    script = textwrap.dedent("""
        import signal
        from multiprocessing import resource_tracker
        from daryo.ensemble.executors import _ctrl_c_held_back
        with _ctrl_c_held_back():
            pid = resource_tracker._resource_tracker._pid
        blocked = next(int(line.split()[1], 16) for line in open(f"/proc/{pid}/status") if line.startswith("SigBlk"))
        print(bool(blocked >> (signal.SIGHUP - 1) & 1), signal.SIGHUP in signal.pthread_sigmask(signal.SIG_BLOCK, []))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["True", "False"], done.stderr  # (blocked in the tracker, not in this process)


def test_dasks_configuration_is_as_it_was_after_two_threads_local_clusters_start_interleaved(monkeypatch):
    """A web-app integrator's review: two requests' ensembles on local clusters, from two threads, left Dask's
    worker preload, profiling and MALLOC_TRIM_THRESHOLD_ changed for the rest of the process: each cluster's start
    set them (``dask.config.set``) and restored what it had found, and the one that ended last, having found the
    other's, put those back.  Here the second cluster's start ends after the first's: each waits for the other
    (the cluster itself is a stand-in); Dask's configuration is then as it was."""
    import threading

    pytest.importorskip("dask.distributed", reason="Dask is an optional extra (pip install daryo[ensemble])")
    import dask
    import dask.distributed

    from daryo.ensemble import executors

    keys = ["distributed.worker.preload", "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_",
            "distributed.worker.profile.enabled"]
    before = {k: dask.config.get(k, None) for k in keys}
    first_starts, second_waits, go_on, first_done = (threading.Event() for _ in range(4))
    threads: dict[str, threading.Thread] = {}

    class Cluster:  # (a local cluster's stand-in, which starts when the test says)
        def __init__(self, *args, **kwargs):
            if threading.current_thread() is threads["first"]:
                first_starts.set()
                assert go_on.wait(60)
            else:  # (the second: without a lock, inside the first's start)
                second_waits.set()
                assert first_done.wait(60)

    class Lock:  # (the lock the second waits at, with the fix)
        def __init__(self, lock):
            self.lock = lock

        def __enter__(self):
            if threading.current_thread() is threads["second"]:
                second_waits.set()
            return self.lock.__enter__()

        def __exit__(self, *exc):
            return self.lock.__exit__(*exc)

    monkeypatch.setattr(dask.distributed, "LocalCluster", Cluster)
    monkeypatch.setattr(executors, "_DASK_GLOBALS", Lock(getattr(executors, "_DASK_GLOBALS", threading.Lock())),
                        raising=False)
    for name in ("first", "second"):
        threads[name] = threading.Thread(target=executors._local_cluster, args=(1,))
    threads["first"].start()
    assert first_starts.wait(60)
    threads["second"].start()
    assert second_waits.wait(60)
    go_on.set()
    threads["first"].join(60)
    first_done.set()
    threads["second"].join(60)
    assert {k: dask.config.get(k, None) for k in keys} == before


def test_dasks_loggers_are_quiet_while_any_threads_run_goes_on_and_as_they_were_after(monkeypatch):
    """The same review: two threads' runs saved and restored the ``distributed`` loggers' levels, interleaved (the
    first run ends while the second goes on): the second's then logged Dask's INFO records, and its end set the
    levels to critical for good.  They are quiet until the last run ends, and then as they were."""
    import logging

    pytest.importorskip("dask.distributed")
    from daryo.ensemble.executors import _quiet_dask_logs

    root, client = logging.getLogger("distributed"), logging.getLogger("distributed.client")
    monkeypatch.setattr(root, "level", logging.INFO)  # (restored after the test, as the client's)
    monkeypatch.setattr(client, "level", logging.WARNING)
    first, second = _quiet_dask_logs(), _quiet_dask_logs()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # (the first run ends: the second goes on)
    assert not root.isEnabledFor(logging.ERROR) and not client.isEnabledFor(logging.ERROR)
    second.__exit__(None, None, None)
    assert (root.level, client.level) == (logging.INFO, logging.WARNING)
