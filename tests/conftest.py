import gc

import pytest


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
