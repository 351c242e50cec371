"""What this machine, and this process on it, has, for checks made before a run."""

from __future__ import annotations

import os
from pathlib import PurePosixPath
from typing import Literal, NamedTuple

__all__ = ["LimitKind", "MemoryLimit", "address_space_left", "cgroup_memory_limit", "memory_limit", "physical_memory"]

#: where a cgroup v2 hierarchy, and the memory controller of a v1 one, are mounted
_CGROUP2, _CGROUP1_MEMORY = "/sys/fs/cgroup", "/sys/fs/cgroup/memory"


#: what sets a :class:`MemoryLimit`
LimitKind = Literal["physical", "address space", "cgroup"]


class MemoryLimit(NamedTuple):
    """The most memory a run of this process may take, and what sets it."""

    bytes: int
    #: ``physical``: the machine's memory; ``address space``: this process's RLIMIT_AS (``ulimit -v``), less what
    #: it already maps; ``cgroup``: its control group's limit (a container's, a systemd service's)
    kind: LimitKind


def memory_limit() -> MemoryLimit | None:
    """The least of this machine's physical memory, what this process's address-space limit leaves it and its
    control group's memory limit: a process under ``ulimit -v`` or in a container of less memory than the machine
    was let start a run it could not hold, which then died of a MemoryError inside NumPy.

    Returns
    -------
    MemoryLimit or None
        The smallest limit, in bytes, and its kind; None where the system tells none of them.
    """
    given: tuple[tuple[int | None, LimitKind], ...] = ((physical_memory(), "physical"),
                                                        (address_space_left(), "address space"),
                                                        (cgroup_memory_limit(), "cgroup"))
    limits = [MemoryLimit(b, kind) for b, kind in given if b is not None]
    return min(limits, default=None, key=lambda limit: limit.bytes)


def physical_memory() -> int | None:
    """This machine's physical memory.

    Returns
    -------
    int or None
        Bytes of physical memory, or None where the system does not tell.
    """
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def address_space_left() -> int | None:
    """What this process's limit on its address space (RLIMIT_AS, ``ulimit -v``) leaves it to map: the limit less
    what it maps already (``VmSize``; its libraries and heap, some hundreds of MB).

    Returns
    -------
    int or None
        Bytes, or None where there is no limit (or the system has none to tell: Windows).
    """
    limit = _address_space_rlimit()
    return None if limit is None else max(0, limit - _mapped_bytes())


def _mapped_bytes() -> int:
    """The address space this process maps (``VmSize`` of ``/proc/self/status``; 0 where it is not told)."""
    for line in (_read_text("/proc/self/status") or "").splitlines():
        fields = line.split()
        if fields[:1] == ["VmSize:"] and len(fields) > 1 and fields[1].isdigit():
            return int(fields[1]) * 1024  # (in kB)
    return 0


def cgroup_memory_limit() -> int | None:
    """The memory limit of this process's control group (Linux): the least of ``memory.max`` (cgroup v2) or
    ``memory.limit_in_bytes`` (v1) over its group, as ``/proc/self/cgroup`` names it, and the groups above it
    (each limits those below); in a container, its own group is the root of the hierarchy it sees.

    Returns
    -------
    int or None
        Bytes, or None where no group has a limit ("max"; v1's unlimited value is a number far above any
        machine's memory, which the machine's memory then undercuts) or none can be read.
    """
    found = []
    for line in (_read_text("/proc/self/cgroup") or "").splitlines():
        number, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if number == "0" and controllers == "":
            found.append(_least_along(_CGROUP2, path, "memory.max"))
        elif "memory" in controllers.split(","):
            found.append(_least_along(_CGROUP1_MEMORY, path, "memory.limit_in_bytes"))
    limits = [b for b in found if b is not None]
    return min(limits) if limits else None


def _least_along(mount: str, path: str, name: str) -> int | None:
    """The least of the limits in the files ``name`` of the group ``path`` under ``mount`` and of each group above
    it (None: none is a number)."""
    group = PurePosixPath("/", path.strip())
    limits = []
    for directory in (group, *group.parents):
        text = _read_text(f"{mount.rstrip('/')}{str(directory).rstrip('/')}/{name}")
        if text is not None and text.strip().isdigit():
            limits.append(int(text.strip()))
    return min(limits) if limits else None


def _address_space_rlimit() -> int | None:
    """This process's soft limit on its address space (None: unlimited, or no ``resource`` module)."""
    try:
        import resource
    except ImportError:  # (Windows)
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY or soft < 0 else int(soft)


def _read_text(path: str) -> str | None:
    """A small system file's text (None: it cannot be read, or is not there)."""
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read()
    except OSError:
        return None
