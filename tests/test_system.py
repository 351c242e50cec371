"""What this machine and this process may have, for the checks before a run: the least of the machine's memory,
what ``ulimit -v`` leaves the process and its control group's limit, each read from files and calls replaced
here by the values they give."""

import pytest

from daryo import _system

GB = 10**9


@pytest.fixture
def system(monkeypatch):
    """The readers of ``_system`` replaced: files by a dict of path → text (a missing one cannot be read), the
    machine's memory and the address-space limit by the values set in it (None: not told, unlimited)."""
    given: dict = {"files": {}, "physical": 24 * GB, "rlimit_as": None}
    monkeypatch.setattr(_system, "_read_text", lambda path: given["files"].get(path))
    monkeypatch.setattr(_system, "physical_memory", lambda: given["physical"])
    monkeypatch.setattr(_system, "_address_space_rlimit", lambda: given["rlimit_as"])
    return given


def test_without_other_limits_the_machines_memory_is_the_limit(system):
    system["files"] = {"/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/memory.max": "max\n"}
    assert _system.memory_limit() == (24 * GB, "physical")
    system["physical"] = None  # (a system that tells nothing)
    assert _system.memory_limit() is None


def test_ulimit_v_leaves_the_limit_less_what_the_process_maps_already(system):
    """A security review: under ``ulimit -v 3000000`` a run of 150 scenarios × 213,301 daily steps passed the check
    against the machine's memory, then died allocating 488 MiB, with a 24-line traceback."""
    system["rlimit_as"] = 3_072_000_000  # (ulimit -v 3000000: kB)
    system["files"] = {"/proc/self/status": "Name:\tpython\nVmPeak:\t  600000 kB\nVmSize:\t  500000 kB\n"}
    assert _system.address_space_left() == 3_072_000_000 - 512_000_000
    assert _system.memory_limit() == (2_560_000_000, "address space")
    system["files"] = {}  # (no /proc: the limit whole)
    assert _system.memory_limit() == (3_072_000_000, "address space")
    system["rlimit_as"] = 1_000  # (less than is mapped: nothing left, not a negative number)
    system["files"] = {"/proc/self/status": "VmSize:\t  500000 kB\n"}
    assert _system.memory_limit() == (0, "address space")


def test_a_cgroup_v2_limit_is_the_least_along_the_processs_group_and_those_above_it(system):
    """A systemd service's MemoryMax= (or a container's --memory) is the memory.max of the process's group, which
    /proc/self/cgroup names; a group above it may set less."""
    system["files"] = {"/proc/self/cgroup": "0::/system.slice/daryo.service\n",
                       "/sys/fs/cgroup/system.slice/daryo.service/memory.max": "4000000000\n",
                       "/sys/fs/cgroup/system.slice/memory.max": "max\n"}
    assert _system.cgroup_memory_limit() == 4 * GB
    assert _system.memory_limit() == (4 * GB, "cgroup")
    system["files"]["/sys/fs/cgroup/system.slice/memory.max"] = "3000000000\n"
    assert _system.memory_limit() == (3 * GB, "cgroup")
    # in a container (a cgroup namespace): its own group is the root of the hierarchy it sees
    system["files"] = {"/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/memory.max": "2000000000\n"}
    assert _system.memory_limit() == (2 * GB, "cgroup")


def test_a_cgroup_v1_memory_limit_counts_and_its_unlimited_value_does_not(system):
    """cgroup v1 (and the hybrid layout, v1's memory controller beside an empty v2 line): memory.limit_in_bytes
    under the memory controller's mount; "unlimited" is a number near 2**63."""
    cgroup = "12:pids:/\n4:memory:/batch/job7\n1:name=systemd:/\n0::/\n"
    system["files"] = {"/proc/self/cgroup": cgroup,
                       "/sys/fs/cgroup/memory/batch/job7/memory.limit_in_bytes": "9223372036854771712\n",
                       "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n"}
    assert _system.memory_limit() == (24 * GB, "physical")
    system["files"]["/sys/fs/cgroup/memory/batch/memory.limit_in_bytes"] = "8000000000\n"
    assert _system.memory_limit() == (8 * GB, "cgroup")


def test_the_least_of_the_three_limits_is_taken(system):
    system["rlimit_as"] = 6 * GB
    system["files"] = {"/proc/self/cgroup": "0::/job\n", "/sys/fs/cgroup/job/memory.max": "5000000000\n"}
    assert _system.memory_limit() == (5 * GB, "cgroup")
    system["physical"] = 4 * GB
    assert _system.memory_limit() == (4 * GB, "physical")


def test_the_readers_work_on_this_machine():
    """The real files and calls: whatever they say, numbers or None, never an error."""
    for reader in (_system.physical_memory, _system.address_space_left, _system.cgroup_memory_limit):
        value = reader()
        assert value is None or (isinstance(value, int) and value >= 0)
    limit = _system.memory_limit()
    assert limit is None or limit.kind in ("physical", "address space", "cgroup")
