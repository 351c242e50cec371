"""The parts folder of a run: its manifest and one part file per finished chunk, for ``--resume``."""

from __future__ import annotations

import json
import os
import socket
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np

from .._files import atomic_write
from .chunks import ANNUAL_INDICATORS

_FORMAT = 2  # (2: parts hold annual_inflow)


class _Parts:
    """The parts folder: a manifest and one ``chunk-NNNNN.npz`` per finished chunk (written atomically)."""

    def __init__(self, output: Path):
        self.dir = output.with_name(output.name + ".parts")

    def manifest_path(self) -> Path:
        return self.dir / "manifest.json"

    def start(self, manifest: dict[str, Any], resume: bool) -> set[int]:
        """Prepare the folder and lock it (:meth:`lock`; :meth:`unlock` when the run ends); the chunks already done
        (resume)."""
        if self.dir.exists() and not self.dir.is_dir():
            raise FileExistsError(f"{self.dir} exists and is not the folder of an unfinished run; move it away or "
                                  "give another output name")
        if self.dir.exists():
            self.lock()  # (another run still going is refused first)
            try:
                if not resume:
                    raise FileExistsError(f"an unfinished ensemble run is in {self.dir}; pass --resume to continue "
                                          "it, or delete that folder to start again")
                old = self._old_manifest()
                if old != manifest:
                    raise ValueError(_not_resumable(self.dir, old, manifest))
            except BaseException:
                self.unlock()
                raise
            for tmp in self.dir.glob(".chunk-*.npz.*"):  # of a writer killed mid-write (its run is over)
                tmp.unlink(missing_ok=True)
            done = set()
            for p in self.dir.glob("chunk-*.npz"):
                if zipfile.is_zipfile(p):  # (written whole, then renamed: damaged only from outside; recomputed)
                    done.add(int(p.stem.split("-")[1]))
            return done
        self.dir.mkdir(parents=True)
        self.lock()
        _write(self.manifest_path(), lambda f: f.write(json.dumps(manifest, indent=1).encode()))
        return set()

    def lock(self) -> None:
        """Mark the folder as this process's run's (a ``lock`` file holding its process id and host); refuse it
        if another run that is still going holds it.  A lock left by a process that is gone is taken over."""
        path, me = self.dir / "lock", f"{os.getpid()} {socket.gethostname()}"
        for _ in range(2):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    pid, host = (path.read_text(encoding="utf-8").split() + ["", ""])[:2]
                except OSError:
                    pid = host = ""
                if host == socket.gethostname() and not _process_alive(pid):
                    path.unlink(missing_ok=True)  # (its run was killed)
                    continue
                raise FileExistsError(f"another run (process {pid or '?'} on {host or '?'}) is writing {self.dir}; "
                                      f"wait for it to end, or delete {path} if no run is going") from None
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(me)
            return

    def unlock(self) -> None:
        """Remove this process's lock (if the folder is still there)."""
        path = self.dir / "lock"
        try:
            if path.read_text(encoding="utf-8").split()[:1] == [str(os.getpid())]:
                path.unlink()
        except (OSError, IndexError):
            pass

    def _old_manifest(self) -> dict[str, Any] | None:
        """The manifest of the run whose parts are in the folder (None: missing or unreadable)."""
        try:
            old = json.loads(self.manifest_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return old if isinstance(old, dict) else None

    def path(self, chunk: int) -> Path:
        return self.dir / f"chunk-{chunk:05d}.npz"

    def write(self, result: Mapping[str, Any]) -> None:
        arrays = {k: v for k, v in result.items() if not k.startswith("_")}
        arrays["_info"] = np.array(json.dumps({"seconds": result["_seconds"], "how": result["_how"]}))
        _write(self.path(int(result["_chunk"])), lambda f: np.savez(f, **arrays))

    def annual(self, chunk: int) -> Mapping[str, np.ndarray]:
        """The annual indicators of a chunk, each read from its part when asked for."""
        return _PartArrays(self, chunk)

    def read(self, chunk: int, keys: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        path = self.path(chunk)
        try:
            with np.load(path) as z:
                return {k: z[k] for k in (z.files if keys is None else keys)}
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            raise OSError(f"cannot read {path} ({exc}); delete it and run again with --resume to recompute "
                          "it") from None


def _write(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """:func:`atomic_write`, its error naming ``path`` (a full disk names no file; a read-only folder names the
    temporary file)."""
    try:
        atomic_write(path, write)
    except OSError as exc:
        raise OSError(f"cannot write {path}: {exc.strerror or exc}") from exc


class _PartArrays(Mapping[str, np.ndarray]):
    """A part's annual indicators, each read from its file when asked for (:meth:`_Parts.annual`)."""

    def __init__(self, parts: _Parts, chunk: int):
        self._parts, self._chunk = parts, chunk

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in ANNUAL_INDICATORS:
            raise KeyError(key)
        return self._parts.read(self._chunk, [key])[key]

    def __iter__(self) -> Iterator[str]:
        return iter(ANNUAL_INDICATORS)

    def __len__(self) -> int:
        return len(ANNUAL_INDICATORS)


def _not_resumable(folder: Path, old: dict[str, Any] | None, manifest: dict[str, Any]) -> str:
    """Why the parts in ``folder`` (their run's manifest ``old``) cannot be resumed by the run ``manifest``."""
    if old is None:
        return f"cannot resume: {folder} has no readable manifest of its run; delete it to start again"
    differ = [k for k in manifest if old.get(k) != manifest[k]] + [k for k in old if k not in manifest]
    if "format" in differ:
        return (f"cannot resume: {folder} holds parts of format {old.get('format')}, written by another version of "
                f"daryo; this one writes format {manifest['format']}: delete it to start again")
    if differ == ["chunk_size"]:  # (the default chunking may change between versions)
        return (f"cannot resume: {folder} was run in chunks of {old['chunk_size']} traces, not "
                f"{manifest['chunk_size']}; pass --chunk-size {old['chunk_size']} (chunk_size in the Python API) to "
                "resume it, or delete it to start again")
    return (f"cannot resume: {folder} belongs to another run ({', '.join(differ)} differ); delete it to start "
            "again")


def _process_alive(pid: str) -> bool:
    """Whether ``pid`` (text) is a running process; False for text that is not a process id."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process, or not a pid we can ask about: leave its file
    return True
