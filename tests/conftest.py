import gc
import os

import pytest
from hypothesis import settings

# The property tests draw the same examples on every run, so that a run of the suite (and CI) is repeatable and a
# failure can be rerun as it was; HYPOTHESIS_PROFILE=explore draws new examples each run, to look for more.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


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
