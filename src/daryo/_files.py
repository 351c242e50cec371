"""Writing files so that nothing already written is lost: under a temporary name beside the target, then moved
into place in one step (a failure, a full disk or Ctrl-C leaves the old file as it was)."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

__all__ = ["atomic_write", "mode_for", "new_file_mode"]


def new_file_mode() -> int:
    """The permissions a newly created file gets: ``0o666`` less the process's umask."""
    try:  # Linux shows the umask without changing it
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def mode_for(target: Path) -> int:
    """Permissions for a file written under a temporary name (``mkstemp`` makes it 0600) that replaces
    ``target``: those of the file it replaces, else those of a newly created file."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode) if target.is_file() else new_file_mode()
    except OSError:
        return new_file_mode()


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write ``path`` by ``write(f)`` into a temporary file beside it, then move that file into its place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.resolve().parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.chmod(tmp, mode_for(path))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
