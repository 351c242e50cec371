"""Prepare daryo's compiled kernels once after an installation: ``python -m daryo.precompile`` (``make`` runs it).

1. The dual simplex is compiled ahead of time (:mod:`daryo.simulate._aot`), so that a process's first run of
   a ``priority``-mode model of few scenarios does not wait for Numba to start.
2. Every Numba kernel of the fast path is compiled into Numba's on-disk cache (:func:`warm`), so that no later
   run compiles one.  Without this step the first runs after an installation do: on the project's machine the
   bench's Pywr model (1,000 scenarios × 100 years) took 10.0 s against 1.8 s, and the first 10,000-trace
   ensemble of the embedded model, whose two Dask workers each compiled the kernels, took 203 s and 1,790 MB
   against 162 s and 1,478 MB (docs/performance-history.md).

Both steps are skipped where their result is already there (step 2 then only loads the kernels: ~1 s).  Neither
changes any result: a kernel compiled now or at its first use is the same code.  Numba keeps its cache beside
the kernels' source, or, where that folder cannot be written (an installation owned by another user), in the
cache folder of the user who runs this (``~/.cache/numba``, or ``NUMBA_CACHE_DIR``): there other users' first
runs still compile the kernels, unless ``NUMBA_CACHE_DIR`` names one folder for all that they can all write
(Numba neither reads nor writes a ``NUMBA_CACHE_DIR`` it cannot write: this command then names the folder it used
instead, and why).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from dataclasses import replace

__all__ = ["warm", "main"]


def warm() -> None:
    """Compile (or load from Numba's cache) every Numba kernel the fast path calls, by two short runs of the
    embedded model: one year of as many inflow traces as turn on the cached screening maps, in ``priority``
    mode (its own allocation) and in ``cost`` mode.

    The runs take place on a thread other than the main one, as an ensemble's chunks do on Dask's workers,
    which therefore use the Numba-compiled dual simplex rather than the one compiled ahead of time (which only
    the main thread calls).

    Raises
    ------
    Exception
        Whatever the runs raise (re-raised from their thread).
    """
    failed: list[BaseException] = []

    def runs() -> None:
        try:
            _run_modes()
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            failed.append(e)

    thread = threading.Thread(target=runs, name="daryo-precompile")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


def _run_modes(traces: int | None = None, years: int = 1) -> None:
    """The embedded model's fast path, ``priority`` then ``cost`` mode, over ``traces`` inflow traces (default:
    as many as turn on the screening maps) and ``years`` years."""
    import numpy as np

    from .api import load
    from .ensemble.chunks import compile_chunk
    from .ensemble.traces import default_trace_source
    from .simulate.fastpath import FastOptions, FastStepper

    model = load().with_time(years=years)
    axis = model.time.axis()
    index = np.arange(traces or FastOptions().screening_maps_from)
    inflows = default_trace_source(model)(0, index, years, axis)
    for allocation in ("priority", "cost"):
        net = compile_chunk(replace(model, allocation=allocation), inflows, [str(i) for i in index], axis)
        FastStepper(net, options=FastOptions(kernel="numba")).run(lambda step: None)


def main(argv: list[str] | None = None) -> int:
    """``python -m daryo.precompile``: both steps of the module doc.  A step that fails says why on stderr and
    returns 0: daryo then compiles the kernels at their first use, with the same results."""
    argparse.ArgumentParser(prog="python -m daryo.precompile",
                            description="Prepare daryo's compiled kernels once after an installation.").parse_args(argv)
    try:
        from .simulate import _aot, _kernel
    except Exception as e:  # noqa: BLE001 - Numba could not set up its cache (no writable folder for it)
        print(f"daryo: cannot load the kernels ({type(e).__name__}: {e})", file=sys.stderr)
        return 0
    if not _kernel.available():
        print("daryo: Numba is not installed, so there are no kernels to compile (the fast path's NumPy kernel "
              "runs instead)", file=sys.stderr)
        return 0
    _aot.main([])
    t0 = time.perf_counter()
    try:
        warm()
    except Exception as e:  # noqa: BLE001 - the kernels are then compiled at their first use
        print(f"daryo: could not compile the Numba kernels now ({type(e).__name__}: {e}); each will be compiled "
              "at its first use instead (same results)", file=sys.stderr)
        return 0
    where = f"Numba's cache in {_kernel.cache_folder}" if _kernel.cache_folder else "no cache (compiled uncached)"
    if _kernel.cache_dir_ignored:
        where += (f", not in NUMBA_CACHE_DIR={_kernel.cache_dir_ignored}, which this user cannot write (Numba "
                  "neither reads nor writes such a folder)")
    print(f"daryo: the Numba kernels are in {where} ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
