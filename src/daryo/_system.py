"""What this machine has, for checks made before a run."""

from __future__ import annotations

import os

__all__ = ["physical_memory"]


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
