"""Ensemble scale and small-run latency of the embedded model.

    python benchmarks/bench_ensemble.py                          # 10,000 traces × 50 years, 2 workers
    python benchmarks/bench_ensemble.py --traces 200 --workers 0 # a shorter run in this process
    python benchmarks/bench_ensemble.py --traces 40 --workers 0 --method plain   # the same on the plain path

Prints (1) the wall time and peak memory (this process plus its Dask workers) of
``daryo ensemble --traces N --years Y --workers K -o results.zarr`` on the embedded model, with the
fast-path/plain-path split, and (2) the time of one scenario × 30 years of the embedded model after import
(``daryo.run``), median of five.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path


class PeakMemory:
    """Peak memory of this process and all its children, sampled every 0.2 s (psutil): the sum of their
    resident set sizes (``peak``), which counts the pages they share (NumPy's, Numba's and the interpreter's
    libraries, loaded by each process) once per process, and the sum of their proportional set sizes
    (``peak_pss``, Linux only: a shared page counted once in all, split between the processes that share it), the
    memory the run takes from the machine."""

    def __init__(self) -> None:
        import psutil

        self.proc, self.peak, self.peak_pss, self._stop = psutil.Process(), 0, 0, threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            rss = pss = 0
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                for p in procs:
                    try:
                        info = p.memory_full_info()
                        rss += info.rss
                        pss += getattr(info, "pss", 0)
                    except psutil.Error:
                        pass
            except psutil.Error:
                pass
            self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)
            self._stop.wait(0.2)

    def __enter__(self) -> PeakMemory:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()


_FRESH = """
import sys, time
import daryo
import daryo.api, daryo.results, daryo.simulate.fastpath  # (``import daryo`` loads these on first use)
model = daryo.load(sys.argv[1] or None)
t0 = time.perf_counter()
daryo.run(model, daryo.RunOptions(scenarios=1, years=30, method=sys.argv[2]))
print(time.perf_counter() - t0)
"""


_FLOOR = """
import time
import numpy as np
from daryo.simulate import _dualsimplex
i, f = np.zeros(2, np.int64), np.zeros(0)
t0 = time.perf_counter()
_dualsimplex._alpha(0, f, i, i, f, -1, f, i[:0])
print(time.perf_counter() - t0)
"""


def _first_compiled_call() -> float:
    """Seconds of the first call of a compiled kernel in a new process (one that does no work, loaded from
    Numba's cache): Numba's one-off initialisation, which the first run of a process pays before its own work."""
    import subprocess

    out = subprocess.run([sys.executable, "-c", _FLOOR], check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def _fresh_run(model: str | None, method: str) -> float:
    """Seconds of the first ``daryo.run`` (1 scenario × 30 years) in a new process, after importing daryo's
    modules and loading the model: what a script or the CLI pays beyond the imports (including Numba's start-up
    and loading its cached kernels, for any kernel the run calls that is not precompiled)."""
    import subprocess

    out = subprocess.run([sys.executable, "-c", _FRESH, model or "", method], check=True, capture_output=True,
                         text=True)
    return float(out.stdout.strip().splitlines()[-1])


def _timed_progress(traces: int, steps: int, interval: float):  # noqa: ANN202
    """A progress reporter that also notes when the output began to be written (every chunk done)."""
    from daryo.ensemble import ProgressReporter

    class Timed(ProgressReporter):
        writing_at: float | None = None

        def assembling(self, output: Path) -> None:
            self.writing_at = time.perf_counter()
            super().assembling(output)

    return Timed(traces, steps, interval=interval)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", nargs="?", help="model file (default: the embedded model)")
    p.add_argument("--traces", type=int, default=10_000)
    p.add_argument("--years", type=int, default=50)
    p.add_argument("--workers", type=int, default=2, help="local Dask workers (0: run in this process)")
    p.add_argument("--output", type=Path, help="results.zarr|.nc (default: a temporary folder)")
    p.add_argument("--chunk-size", type=int, help="traces per chunk (default: chosen from the model's size)")
    p.add_argument("--skip-small", action="store_true", help="skip the one-scenario, 30-year timing")
    p.add_argument("--method", choices=["fast", "plain"], default="fast",
                   help="fast: the fast path where it applies (the default); plain: one HiGHS solve per LP")
    a = p.parse_args(argv)

    import daryo
    from daryo.ensemble import EnsembleOptions, run_ensemble
    from daryo.simulate import _aot

    model = daryo.load(a.model)
    print(f"model: {model.name} ({len(model.nodes)} nodes, allocation {model.allocation}); "
          f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if not a.skip_small:
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            daryo.run(model, daryo.RunOptions(scenarios=1, years=30, method=a.method))
            times.append(time.perf_counter() - t0)
        print(f"one scenario × 30 years: median {statistics.median(times):.3f} s (target < 0.5 s), "
              f"runs {', '.join(f'{t:.3f}' for t in times)}; first run in a fresh process after import and "
              f"load: {_fresh_run(a.model, a.method):.3f} s (dual simplex precompiled: {_aot.status()}); "
              f"Numba's initialisation alone, which a first run pays when a kernel it calls is not precompiled "
              f"(a first compiled call that does no work, in another fresh process): {_first_compiled_call():.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        out = a.output or Path(tmp) / "results.zarr"
        opts = EnsembleOptions(traces=a.traces, years=a.years, seed=1, fast=a.method == "fast", chunk_size=a.chunk_size)
        steps = 12 * a.years
        progress = _timed_progress(a.traces, steps, interval=10.0)
        with PeakMemory() as mem:
            t0 = time.perf_counter()
            run = run_ensemble(model, opts, out, workers=a.workers or None, progress=progress)
            wall = time.perf_counter() - t0
        chunks = (progress.writing_at or t0 + wall) - t0
        size = sum(f.stat().st_size for f in Path(out).rglob("*") if f.is_file()) if Path(out).is_dir() \
            else Path(out).stat().st_size
    print(f"ensemble {a.traces} traces × {a.years} years, {a.workers or 1} worker(s): wall {wall:.1f} s "
          f"(target < 60 s for 10,000 × 50), {a.traces * a.years / wall:,.0f} scenario-years/s, "
          f"peak memory {mem.peak / 2**20:,.0f} MB (target < 2,048 MB; resident sets summed), "
          f"{mem.peak_pss / 2**20:,.0f} MB (proportional sets summed: shared pages once), "
          f"output {size / 2**20:,.0f} MB, "
          f"{run.chunks} chunks; the chunks done after {chunks:.1f} s, then {wall - chunks:.1f} s writing the store "
          f"and its summaries")
    print(f"solver: {run.how[0] if run.how else '-'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
