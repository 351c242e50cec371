"""Writing files so that nothing already written is lost: under a temporary name beside the target, then moved
into place in one step (a failure, a full disk or Ctrl-C leaves the old file as it was)."""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import os
import re
import shutil
import signal
import socket
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["ALMOST_FULL", "CSV_FLOAT", "NamedOSError", "atomic_write", "file_digest", "free_bytes", "free_space_note",
           "full_disk", "refuse_special_file",
           "interrupts_between", "missing_cwd_note", "mode_for", "new_file_mode", "other_owner", "printable_path",
           "process_alive", "refuse_netcdf_unreadable_name", "refuse_write_protected", "remove_stale_temporaries",
           "size_text", "stale_temporaries", "temp_beside", "temporary_prefix", "user_path", "write_target",
           "not_utf8_advice"]


#: how daryo's CSV files write numbers: 9 significant digits, which keep a float32 and do not show a float64's last
#: digits of rounding (1461.9999999990007)
CSV_FLOAT = "%.9g"


def file_digest(path: str | Path | None) -> str | None:
    """A SHA-256 digest of a file's bytes (None: no path, or the file cannot be read)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else None
    except OSError:
        return None


def missing_cwd_note(path: str | Path | None = None) -> str:
    """A note for a "no such file" error that comes from the current folder having been deleted (or moved), so
    that no relative path can be found: "" if it exists, or if ``path`` is absolute."""
    if path is not None and os.path.isabs(path):
        return ""
    try:
        os.getcwd()
    except FileNotFoundError:
        return ("the current folder no longer exists (it was deleted or moved), so no relative path can be found: "
                "change to a folder that exists, or give absolute paths")
    return ""


def printable_path(path: str | Path) -> str:
    """A path as text any file format takes: a name whose bytes are not UTF-8 (Latin-1 ``\\xe9`` on an old share,
    which Python holds as a lone surrogate) with those bytes written as escapes (``r\\xe9sultat.nc``)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def overlay_label(name: str, file: str) -> str:
    """How results name a scenario overlay applied, ``name`` as given and ``file`` as found when it was applied: an
    overlay file (a ``name`` ending ``.yaml``, ``.yml`` or ``.json``) by its full path, a library scenario by its
    name."""
    return printable_path(file) if Path(name).suffix.lower() in (".yaml", ".yml", ".json") else name


def refuse_netcdf_unreadable_name(path: str | Path) -> None:
    """Refuse (ValueError) a NetCDF file's path that the netCDF library cannot take: one that is not UTF-8 text, in
    its name or in the folders on the way to the file it is written to (through a symbolic link, say: the file is
    written under a temporary name, after its own, beside that file)."""
    written = (os.path.realpath(path), os.path.basename(os.fspath(path)))
    if any(printable_path(p) != p for p in written):
        raise ValueError(f"{printable_path(path)}: the netCDF library takes only file names in UTF-8, and this path "
                         "(or where it leads) holds bytes in another encoding (shown as \\x..); give a path in "
                         "UTF-8")


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


def refuse_special_file(path: str | Path) -> None:
    """Refuse an output ``path`` that exists and is neither a file nor a folder: a named pipe, or a device such as
    ``/dev/stdout`` on a pipe.  Reading it to check that it is an earlier output would wait for a writer for ever
    (an automation review: a cron job hung, without a word, before any work), and a file written beside it cannot
    be moved into its place.

    Raises
    ------
    FileExistsError
        As said.
    """
    p = Path(path)
    if p.exists() and not (p.is_file() or p.is_dir()):
        raise FileExistsError(f"{p} exists and is neither a file nor a folder (a named pipe or a device); it is not "
                              "written: daryo writes its outputs as files, through a temporary file beside them; give "
                              "a file's path")


def refuse_write_protected(path: str | Path) -> None:
    """Refuse to replace a file that is write-protected (``chmod a-w``), as a shell's ``>`` and ``open(…, "w")``
    do: results are written beside a file and moved into its place, which the folder's permissions alone allow,
    so a protected earlier result was replaced without a word.  (A superuser may write any file, here as there.)
    A folder (a zarr store) is replaced by removing it and what it holds: it is refused where this user may not
    (``chmod -R a-w``, another user's store in a team folder), which was found only when the run had ended.

    Raises
    ------
    PermissionError
        If ``path`` (or the file a link at ``path`` leads to) is a file the user may not write, or a folder the
        user may not remove.
    """
    target = write_target(path)
    if target.is_file() and not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, f"{path} is write-protected, so it is not replaced: make it writable "
                              "(chmod u+w) or give another name")
    if target.is_dir() and (why := _unremovable(target)):
        reason, fix = why
        if (owner := other_owner(target)) is not None:
            raise PermissionError(errno.EACCES, f"{path} belongs to user {owner}, and you may not remove it "
                                  f"({reason}), so it is not replaced: give another name (or ask {owner} to remove "
                                  "it)")
        raise PermissionError(errno.EACCES, f"{path} is write-protected ({reason}), so it is not replaced: {fix} "
                              "or give another name")


def _unremovable(folder: Path) -> tuple[str, str] | None:
    """Why this user cannot remove ``folder`` and what it holds, as replacing a folder (a zarr store) does, and what
    to do (None: they can): the folder it is in is not writable (or is a team folder whose sticky bit keeps another
    user's entries), or it, or a folder in it, cannot be listed and written (``chmod -R a-w``)."""
    parent = folder.absolute().parent
    try:
        around, held = parent.stat(), folder.stat()
    except OSError:
        return None
    if not os.access(parent, os.W_OK | os.X_OK) or (
            around.st_mode & stat.S_ISVTX and os.geteuid() not in (0, around.st_uid, held.st_uid)):
        return f"the folder it is in, {parent}, does not let you remove it", "write elsewhere"
    fix = f"make it writable (chmod -R u+w {folder})"
    full = os.R_OK | os.W_OK | os.X_OK
    if not os.access(folder, full):
        return "it is not writable", fix
    for at, names, _ in os.walk(folder):
        for name in names:
            inner = Path(at, name)
            if not inner.is_symlink() and not os.access(inner, full):
                return f"its folder {inner.relative_to(folder)} is not writable", fix
    return None


def other_owner(path: Path) -> str | None:
    """The name of the user ``path`` belongs to where that is another user than this one (None: this one's, or it
    cannot be asked)."""
    try:
        uid = path.stat().st_uid
    except OSError:
        return None
    if not hasattr(os, "geteuid") or uid == os.geteuid():  # (Windows has no user ids to tell)
        return None
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write ``path`` by ``write(f)`` into a temporary file beside it, then move that file into its place (a
    symbolic link is written through: :func:`write_target`); a write-protected file is not replaced
    (:func:`refuse_write_protected`).  An error names ``path`` (:class:`NamedOSError`: "cannot write x.csv: No
    space left on device", with the free space): a full disk names no file, and a failed move the temporary one
    (an operations review: ``daryo compare --csv`` on a full disk said only "No space left on device")."""
    refuse_write_protected(path)
    fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.chmod(tmp, mode_for(path))
        os.replace(tmp, write_target(path))
    except NamedOSError:
        raise
    except OSError as exc:
        room = free_space_note(path) if exc.errno in (errno.ENOSPC, errno.EDQUOT) else ""
        raise NamedOSError(exc.errno, f"cannot write {path}: {exc.strerror or exc}{room}") from exc
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
    ValueError
        If it holds a NUL character, which no file name can.
    """
    if not isinstance(path, str | os.PathLike) or not str(path):
        plain = path is None or isinstance(path, str | bytes | int | float)  # (shown as written; an object by its
        # kind: a model's repr ran to thousands of characters)
        shown = repr(path) if plain else f"a {type(path).__name__}"
        raise TypeError(f"{function} takes the path of {what}, not {shown}")
    if "\x00" in str(path):  # (Python's own words: "embedded null byte", from wherever it is first used)
        raise ValueError(f"{function}: {str(path)!r} holds a NUL character (\\x00), which no file name can")
    return Path(path).expanduser()


def brief_os_error(exc: BaseException) -> BaseException:
    """``exc`` told briefly where it is a :class:`shutil.Error` (``copytree``'s list of every file that could not
    be copied, a (source, destination, error text) each: ~63,000 characters on one line for a store copied to a
    full disk, an operations review): an OSError of the first file's error text ("No space left on device") and
    errno, and how many files failed; anything else is returned as it is."""
    entries = exc.args[0] if isinstance(exc, shutil.Error) and exc.args else None
    if not isinstance(entries, list) or not entries:
        return exc
    first = entries[0][-1] if isinstance(entries[0], tuple) and entries[0] else entries[0]
    found = re.match(r"\[Errno (\d+)\] ([^:]+)", str(first))
    text = found[2] if found else str(first)[:200]
    n = len(entries)
    return _BriefOSError(int(found[1]) if found else None, text, f"{text} ({n} file{'s' if n != 1 else ''} not "
                         "copied)")


class _BriefOSError(OSError):
    """:func:`brief_os_error`'s error: its errno and strerror as the first file's, its text as it is given."""

    def __init__(self, code: int | None, strerror: str, text: str) -> None:
        super().__init__(code, strerror)
        self.text = text

    def __str__(self) -> str:
        return self.text


class NamedOSError(OSError):
    """An OSError whose message names the file the user gave already ("cannot write x.csv: Permission denied"),
    which a caller that names the file in its own message passes on as it is; it reads as that message, without
    Python's "[Errno N]"."""

    def __str__(self) -> str:
        return self.strerror if isinstance(self.strerror, str) and self.strerror else super().__str__()


def temp_beside(path: Path) -> tuple[int, str]:
    """A new temporary file beside ``path``, named after it and this process (``.<name>.tmp-<host>-<pid>-<random>``,
    :func:`temporary_prefix`; ``mkstemp``: its descriptor and name), the temporary files of this host's writers of
    ``path`` that were killed before they could remove theirs (SIGKILL, a crash) removed first
    (:func:`remove_stale_temporaries`); an error names ``path``, which the user gave, not the temporary name."""
    folder, prefix = path.resolve().parent, f".{path.name}."
    remove_stale_temporaries(folder, prefix)
    try:
        return tempfile.mkstemp(prefix=temporary_prefix(prefix), dir=folder)
    except OSError as exc:
        raise NamedOSError(exc.errno, f"cannot write {path}: {exc.strerror or exc}") from exc


def temporary_prefix(prefix: str, kind: str = "tmp") -> str:
    """The start of the name of a temporary file or folder this process writes: ``prefix``, then ``kind`` (``tmp``;
    an ensemble's earlier store moved aside while the new one is moved in: ``old``), this host's name and this
    process's id (``.r.nc.tmp-node7-4242-``), so that a later writer can tell one whose writer was killed
    (:func:`stale_temporaries`).  What follows must hold no ``-``."""
    return f"{prefix}{kind}-{_host()}-{os.getpid()}-"


def stale_temporaries(folder: Path, prefix: str, kind: str = "tmp") -> list[Path]:
    """The temporary files and folders in ``folder`` named by :func:`temporary_prefix` with ``prefix`` and ``kind``
    whose writer, a process of this host, is gone (SIGKILL, the out-of-memory killer, a crash).  Another host's (a
    cluster sharing the disk, a container) are not among them, whatever their process ids: this host cannot tell
    whether their writers live; nor are those of live processes (this one's too)."""
    host, start = _host(), len(prefix) + len(kind) + 1
    found = []
    for stale in sorted(folder.glob(f"{glob.escape(prefix)}{glob.escape(kind)}-*")):
        written_by = stale.name[start:].rsplit("-", 2)
        if len(written_by) == 3 and written_by[0] == host and not process_alive(written_by[1]):
            found.append(stale)
    return found


def remove_stale_temporaries(folder: Path, prefix: str, kind: str = "tmp") -> None:
    """Remove the temporary files and folders in ``folder`` named by :func:`temporary_prefix` with ``prefix`` (and
    ``kind``) whose writer, a process of this host, is gone (:func:`stale_temporaries`): a run killed while it
    wrote (SIGKILL, the out-of-memory killer) left them, of full size, and no later run removed them (an operations
    review: 53 MB after ten killed runs, in a folder on a network disk).  Another host's (a cluster sharing the
    disk, a container) are left, as are those of live processes and those this user cannot remove."""
    for stale in stale_temporaries(folder, prefix, kind):
        with contextlib.suppress(OSError):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale)
            else:
                stale.unlink()


#: taken where the system locks no folder (:func:`locked_folder`): this process's writers then take turns
_UNLOCKABLE_FOLDERS = threading.Lock()


@contextlib.contextmanager
def locked_folder(folder: Path) -> Iterator[None]:
    """Hold ``folder`` for the block against every other writer that holds it so, of this process (another thread)
    or another: an exclusive ``flock`` on the folder itself, which the system drops when the process ends (killed
    too), and which leaves no lock file in the folder.  Where the system takes no lock on it (a network disk
    without locks, Windows), only this process's writers take turns (a lock of the process)."""
    try:
        import fcntl  # (POSIX: not on Windows)

        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except (ImportError, OSError):
        fd = -1
    locked = False
    try:
        if fd >= 0:
            with contextlib.suppress(OSError):  # (ENOLCK, EOPNOTSUPP, EBADF: no lock there)
                fcntl.flock(fd, fcntl.LOCK_EX)  # (waits: another writer's moves take milliseconds)
                locked = True
        with contextlib.nullcontext() if locked else _UNLOCKABLE_FOLDERS:
            yield
    finally:
        if fd >= 0:
            os.close(fd)  # (which drops the lock)


def _host() -> str:
    """This host's name as temporary names hold it (letters, digits, dots and underscores)."""
    return re.sub(r"[^A-Za-z0-9._]", "_", socket.gethostname()) or "host"


def process_alive(pid: str) -> bool:
    """Whether ``pid`` (text) is a running process of this host; False for text that is not a process id."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process, or not a pid we can ask about: leave its file
    return True


@contextlib.contextmanager
def interrupts_between() -> Iterator[Callable[[], None]]:
    """Hold Ctrl-C (SIGINT) back inside a sequence of writes: it is raised (KeyboardInterrupt) only where the
    sequence calls the ``check`` this yields, between two writes, never inside one; one that arrives after the
    last check is dropped (what follows it, such as moving a finished file into place, takes milliseconds), but
    where the sequence fails meanwhile, the signal is raised instead of the failure (chained to it).
    SIGTERM and SIGHUP are held back the same way where a Python handler of them is set (the command line's, which
    raise to remove temporary files on the way out); with the system's default they end the process at once, as
    they would.
    A SIGINT handler of the caller's own, or SIGINT ignored (a job a shell started in the background), is left in
    place.

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

    previous: dict[int, Any] = {}
    if signal.getsignal(signal.SIGINT) in (signal.default_int_handler, None):  # (None: not set from Python)
        previous[signal.SIGINT] = signal.default_int_handler  # (one of the caller's own, or "ignore", stays)
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):  # (SIGHUP: a logout; not on Windows)
        if signum is not None and callable(handler := signal.getsignal(signum)):
            previous[signum] = handler

    def check() -> None:
        if caught:
            signum = caught[0]
            caught.clear()
            previous[signum](signum, None)  # (the held handler: Python's raises KeyboardInterrupt)

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    for signum in previous:
        signal.signal(signum, hold)
    try:
        yield check
    except BaseException:
        # a failure with a signal held: the signal is raised instead (SIGTERM to a process group ends the local
        # Dask cluster's starting workers too, whose "Nanny failed to start" said "run again")
        restore()
        check()
        raise
    finally:
        restore()


def file_size(path: Path) -> int:
    """The size of the file at ``path`` in bytes; 0 where it cannot be told (reading it says why)."""
    try:
        return path.stat().st_size
    except (OSError, ValueError):  # (ValueError: a NUL in the name)
        return 0


def free_bytes(folder: Path) -> int | None:
    """The free space on ``folder``'s disk (None: it cannot be asked)."""
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def free_space_note(path: Path) -> str:
    """`` (N MB free on its disk)`` for a write to ``path`` that failed, where the free space can be asked: the
    netCDF library names a full disk only as "NetCDF: HDF error"."""
    free = free_bytes(path.absolute().parent)
    return "" if free is None else f" ({size_text(free)} free on its disk)"


#: the free space below which a disk is taken for full (:func:`full_disk`): an HDF5 file's first writes take more
ALMOST_FULL = 2**20


def full_disk(path: Path) -> bool:
    """Whether a PermissionError creating the file ``path`` comes from a full disk: the netCDF library reports a
    create that fails for want of space as "Permission denied" (errno 13), so it is a full disk's where ``path``'s
    folder is writable and its disk has (almost) no free space."""
    folder = path.absolute().parent
    free = free_bytes(folder)
    return free is not None and free < ALMOST_FULL and os.access(folder, os.W_OK | os.X_OK)


def size_text(n: float) -> str:
    """``n`` bytes as text: "3.2 GB", "45 MB", "120 kB"."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}" if n < 10 * scale else f"{n / scale:,.0f} {unit}"
    return f"{n / 1e3:,.0f} kB"


def not_utf8_advice(raw: bytes, start: int, name: str, spreadsheet: bool = True) -> str:
    """How to make a file whose bytes ``raw`` are not UTF-8 (from byte ``start``) one daryo reads: save it as UTF-8,
    with the commands that convert it from Windows-1251, where it reads as Cyrillic words in that encoding (its line
    at ``start`` shown so), or for a file saved in another encoding (a Chu-Talas modeller's review: a hydromet
    file with a Russian header was told "not UTF-8" with no word of Windows-1251, the usual encoding of Cyrillic
    files of Central Asia's offices, nor how to convert it).  ``name``: the file's name, for the commands;
    ``spreadsheet``: a CSV file, which a spreadsheet may save as UTF-8 too."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "it is UTF-16 text (Notepad's 'Unicode'): save it as UTF-8 (Notepad: Save as, Encoding: UTF-8)"
    head = raw[: 1 << 16].decode("cp1251", errors="replace")
    high = sum(1 for c in head if ord(c) > 127)
    in_words = sum(len(w) for w in re.findall("[\u0400-\u04ff]{2,}", head))
    stem, dot, suffix = name.rpartition(".")
    converted = f"{stem}_utf8{dot}{suffix}" if dot else f"{name}_utf8"
    how = (f"iconv -f WINDOWS-1251 -t UTF-8 {name} > {converted}; or in "
           + ("Excel: Save as, 'CSV UTF-8'; in " if spreadsheet else "") + "Notepad: Save as, Encoding: UTF-8")
    if high and in_words >= 0.8 * high and b"\0" not in raw[: 1 << 16]:
        begin = raw.rfind(b"\n", 0, start) + 1
        end = raw.find(b"\n", start)
        line = raw[begin: end if end >= 0 else len(raw)].decode("cp1251", errors="replace").strip()
        shown = line if len(line) <= 60 else line[:57] + "..."
        return (f"it reads as Windows-1251 (Cyrillic: '{shown}'), as files of Central Asia's offices often are: "
                f"save it as UTF-8 ({how})")
    return (f"save it as UTF-8 (from Windows-1251, the usual encoding of Cyrillic files of Central Asia's offices: "
            f"{how}; from another encoding, its name for WINDOWS-1251)")
