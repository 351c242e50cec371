"""Writing files so that nothing already written is lost: under a temporary name beside the target, then moved
into place in one step (a failure, a full disk or Ctrl-C leaves the old file as it was)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

__all__ = ["NamedOSError", "atomic_write", "file_digest", "interrupts_between", "mode_for", "new_file_mode",
           "temp_beside", "user_path", "write_target"]


def file_digest(path: str | Path | None) -> str | None:
    """A SHA-256 digest of a file's bytes (None: no path, or the file cannot be read)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else None
    except OSError:
        return None


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


def write_target(path: str | Path) -> Path:
    """The file that writing ``path`` replaces: ``path``, or where it leads if it is a symbolic link.

    A link is written through, as ``open(path, "w")`` would, not replaced by a file; and the temporary file
    (:func:`temp_beside`) is beside the file it replaces, so the move into place never crosses disks."""
    p = Path(path)
    return Path(os.path.realpath(p)) if p.is_symlink() else p


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write ``path`` by ``write(f)`` into a temporary file beside it, then move that file into its place (a
    symbolic link is written through: :func:`write_target`)."""
    fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.chmod(tmp, mode_for(path))
        os.replace(tmp, write_target(path))
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def user_path(path: object, function: str, what: str) -> Path:
    """A path the user gave, ``~`` read as the home folder, as a shell reads it.

    Parameters
    ----------
    path
        The path (text or path-like).
    function, what
        The function it was given to and what it is the path of, for the message (``"to_csv"``, ``"a folder"``).

    Raises
    ------
    TypeError
        If ``path`` is not a path, or is empty.
    """
    if not isinstance(path, str | os.PathLike) or not str(path):
        raise TypeError(f"{function} takes the path of {what}, not {path!r}")
    return Path(path).expanduser()


class NamedOSError(OSError):
    """An OSError whose message names the file the user gave already ("cannot write x.csv: Permission denied"),
    which a caller that names the file in its own message passes on as it is."""


def temp_beside(path: Path) -> tuple[int, str]:
    """A new temporary file beside ``path``, named after it (``mkstemp``: its descriptor and name); an error
    names ``path``, which the user gave, not the temporary name."""
    try:
        return tempfile.mkstemp(prefix=f".{path.name}.", dir=path.resolve().parent)
    except OSError as exc:
        raise NamedOSError(exc.errno, f"cannot write {path}: {exc.strerror or exc}") from exc


@contextlib.contextmanager
def interrupts_between() -> Iterator[Callable[[], None]]:
    """Hold Ctrl-C (SIGINT) back inside a sequence of writes: it is raised (KeyboardInterrupt) only where the
    sequence calls the ``check`` this yields, between two writes, never inside one; one that arrives after the
    last check is dropped (what follows it, such as moving a finished file into place, takes milliseconds).

    A write of a library interrupted midway may leave it unable to clean up: an interrupted NetCDF write holds
    HDF5's lock, which closing the file then waits for forever; an interrupted zarr write leaves its threads
    writing files into the folder being removed.  Outside the main thread (where no signal handler can be set)
    nothing is held back."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: None
        return
    caught: list[int] = []

    def hold(signum: int, frame: object) -> None:
        caught.append(signum)

    def check() -> None:
        if caught:
            caught.clear()
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, hold)
    if previous is None:  # (a handler not set from Python: Python's own is the default)
        previous = signal.default_int_handler
    try:
        yield check
    finally:
        signal.signal(signal.SIGINT, previous)
