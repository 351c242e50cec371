import pytest


@pytest.fixture(autouse=True)
def _a_local_cluster_of_two_is_allowed(monkeypatch):
    """The tests start local clusters of two workers, which a machine of one core refuses (more workers than
    cores): there, count two cores.  A test of the bound sets its own count."""
    from daryo.ensemble import executors

    cores = max(2, executors.machine_cores())
    monkeypatch.setattr(executors, "machine_cores", lambda: cores)
