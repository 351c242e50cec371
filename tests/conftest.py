import gc
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# The property tests draw the same examples on every run, so that a run of the suite (and CI) is repeatable and a
# failure can be rerun as it was; HYPOTHESIS_PROFILE=explore draws new examples each run, to look for more.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

# The tests of Ctrl-C need Python's own handler, here and in the processes they start: a suite started as a
# background job of a non-interactive shell inherits SIGINT ignored, which Python (and every child) then keeps.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: longer tests (peer-engine agreement, large runs)")


@pytest.fixture(autouse=True)
def _collect_garbage_on_main_thread():
    """Free each test's cyclic garbage here, on the main thread.

    Pywr's GLPK solver keeps thread-local state: if a Pywr model left in a reference cycle is collected
    later by a garbage collection that happens to run on another thread (zarr and Dask use worker threads),
    GLPK aborts the whole process.
    """
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def _kernels_taken_as_compiled(monkeypatch):
    """The command line notes on stderr that Numba compiles the fast path's kernels where its cache lacks them (a
    fresh install), which a test run without ``make test``'s precompiling (pytest in a fresh clone) would then print
    in every command's output: the tests take them as compiled, and the note's own tests set it as they need."""
    from daryo.simulate import _kernel

    monkeypatch.setattr(_kernel, "in_cache", lambda kernels=(): True)


@pytest.fixture
def one_year_and_a_dry_second(tmp_path) -> tuple[str, str]:
    """(model file, overlay file): a river of 10 hm³ a month into the sea from October 2000 to September 2001, and
    an overlay that halves the inflow of the run's second year."""
    model = tmp_path / "one-river.yaml"
    model.write_text("""version: 1
name: one-river
time: {start: 2000-10, end: 2001-09}
nodes:
  - {id: in, type: inflow, inflow: {monthly: [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10]}}
  - {id: sea, type: sink}
edges:
  - [in, sea]
""")
    overlay = tmp_path / "dry-second-year.yaml"
    overlay.write_text("""title: A dry second year
changes:
  - scale_inflows: {factor: 0.5, years: [2]}
""")
    return str(model), str(overlay)


@pytest.fixture
def other_disk(tmp_path: Path) -> Iterator[Path]:
    """An empty folder for a link's target: on another disk than ``tmp_path`` where the machine has one
    (``/dev/shm``; a move between the two fails with EXDEV), else in ``tmp_path``.  Removed afterwards."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK) and os.stat(shm).st_dev != os.stat(tmp_path).st_dev:
        folder = shm / f"daryo-test-{os.getpid()}-{tmp_path.name}"
    else:
        folder = tmp_path / "elsewhere"
    folder.mkdir()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def quiet_library(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Turn every warning into an error and record each change of the process's warning filters made from
    daryo's code (``warnings.catch_warnings``, ``simplefilter``, ``filterwarnings``: threads share the filters);
    the test asserts the list it gets is empty, and the filters of before are kept.  Other libraries' own changes
    (xarray's filters, added as it is imported) are left to them."""
    import sys
    import warnings

    changes: list[str] = []

    def spy(name: str):
        real = getattr(warnings, name)

        def recorded(*args, **kwargs):
            caller = sys._getframe(1).f_globals.get("__name__", "")
            if caller == "daryo" or caller.startswith("daryo."):
                changes.append(f"{caller}: warnings.{name}")
            return real(*args, **kwargs)
        return recorded

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("catch_warnings", "simplefilter", "filterwarnings"):
            monkeypatch.setattr(warnings, name, spy(name))
        before = list(warnings.filters)
        yield changes
        assert warnings.filters[len(warnings.filters) - len(before):] == before  # (others' imports add theirs first)
