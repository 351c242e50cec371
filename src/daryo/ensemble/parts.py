"""The parts folder of a run: its manifest and one part file per finished chunk, for ``--resume``."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import socket
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .._files import NamedOSError, atomic_write, other_owner, stale_temporaries
from .chunks import ANNUAL_INDICATORS, threshold_of

# The parts' format: 2, parts hold annual_inflow; 3, deficits below 1e-8 hm³ are solver noise and a reservoir
# without initial_volume starts at each scenario's own maximum; 4, the run's manifest names an overlay file by its
# full path, its store's attributes are 32-bit integers (a larger seed is text) and it has year_days; 5, parts hold
# each river system's yearly water stress (annual_withdrawal, annual_renewable_water, annual_environmental_flow,
# annual_water_stress) and the systems' names and countries; 6, annual_winter_energy; 7, the manifest names the
# monthly series stored (series), which may be fewer or more than the default ones, and the environmental flows count
# what the rivers lose on the way (so parts of format 6 would mix two accounts); 8, parts hold each flow
# requirement's yearly water required and met (annual_required, annual_requirement_met,
# annual_requirement_shortfall_fraction); 9, each trace's digest of its inflows (trace_digest); 10, each demand's
# winter delivery (annual_winter_delivery); 11, the manifest names the run's first month (start), so that a
# resume with another --start is told so; 12, each reservoir's yearly steps below its rule curve and largest
# shortfall of it (annual_steps_below_target, annual_max_storage_shortfall); 13, each plant's yearly energy target
# and shortfall of it, and the winter's (annual_energy_target, annual_energy_shortfall,
# annual_winter_energy_shortfall); 14, the winter's target (annual_winter_energy_target); 15, each demand's winter
# demand (annual_winter_demand), so that a season's deficit is known; 16, each year's environmental flow as required,
# not capped at the year's renewable water (annual_environmental_flow: a store of format 15 or below may hold capped
# ones, whose long-term water stress is too low, :func:`~daryo.ensemble.output.capped_environmental_flows`), and an
# N-day step across 1 April or 1 October counts its days in each season of the winter sums (annual_winter_*: it
# counted in the season it starts in).  Raised for any change to what a part holds or what its figures mean, so that
# a resume never mixes parts of two such builds (the build that wrote a run is recorded, not compared: ``build``).
_FORMAT = 16


#: how a run is resumed, on the command line and in Python (a verifier's review: errors that the Python API raises
#: named only the command line's option)
RESUME = "--resume (resume=True in Python)"


def parts_folder(output: str | Path) -> Path:
    """The folder that keeps an ensemble's finished chunks until its ``output`` is written: ``<output>.parts``."""
    output = Path(output)
    return output.with_name(output.name + ".parts")


def finished_chunks(folder: Path) -> int:
    """How many finished chunks the parts ``folder`` keeps (0 where it is not a folder)."""
    return len(_finished_parts(folder)) if folder.is_dir() else 0


def part_name(chunk: int) -> str:
    """The name of chunk ``chunk``'s part in the parts folder: ``chunk-00003.npz``."""
    return f"chunk-{chunk:05d}.npz"


def _finished_parts(folder: Path) -> set[int]:
    """The chunks whose parts are in ``folder``: its files ``chunk-NNNNN.npz`` written whole.  A damaged one (only
    from outside: a part is written whole, then renamed) is not, and is computed again; nor are other files of the
    kind, such as a copy a file manager made (``chunk-00001 (1).npz``), which said "invalid literal for int()"."""
    done = set()
    for path in folder.glob("chunk-*.npz"):
        number = path.stem.removeprefix("chunk-")
        if number.isascii() and number.isdigit() and path.name == part_name(int(number)) \
                and zipfile.is_zipfile(path):
            done.add(int(number))
    return done


def kept_text(done: int, folder: Path) -> str:
    """``the 3 finished chunks are kept in FOLDER`` (``done`` of them, at least 1): what a run stopped keeps."""
    return f"the {done} finished chunk{' is' if done == 1 else 's are'} kept in {folder}"


def unfinished_run(output: str | Path, shown: str | Path | None = None) -> str:
    """Where ``output`` does not exist but its parts folder does (a run interrupted, or stopped by a full disk),
    what to say of it instead of "no such file": that its run is unfinished, with its finished chunks, and how to
    finish it (a trainer's review: ``daryo summary X.zarr`` said "no such file or folder"); where a run of this
    host was killed while it replaced ``output``, its earlier store moved aside, where that store is and that the
    next run puts it back (:func:`moved_aside`); "" otherwise.  ``shown``: the output as the user gave it, for the
    message (``output`` itself if None)."""
    output = Path(output)
    folder = parts_folder(output)
    if output.exists():
        return ""
    if not folder.is_dir():
        return _moved_aside(output, shown)
    done = finished_chunks(folder)
    chunks = f"{done} finished chunk{'' if done == 1 else 's'}" if done else "no chunk finished yet"
    held = _Parts(output)._old_manifest()
    if held is not None and held.get("format") != _FORMAT:  # (a compat review: advised --resume, then refused)
        return (f"{output if shown is None else shown} is not written yet: its ensemble run is unfinished ({chunks} "
                f"in {folder}), and its parts are of format {held.get('format', 'unrecorded')}, written by another "
                f"version of daryo, which this one (format {_FORMAT}) cannot resume: delete that folder and run the "
                "ensemble again")
    return (f"{output if shown is None else shown} is not written yet: its ensemble run is unfinished ({chunks} in "
            f"{folder}); finish it with the same daryo ensemble command and {RESUME}")


def moved_aside(output: str | Path) -> Path | None:
    """The earlier store at ``output`` that a run of this host moved aside (``.<name>.old-<host>-<pid>-<random>``,
    :func:`daryo.ensemble.store._move_into_place`) and was killed before it could move its own in, or remove it
    (the latest if there are several; None: there is none).  Another host's, or a live process's, is not one."""
    output = Path(output)
    aside = stale_temporaries(output.parent, f".{output.name}.", "old")
    return max(aside, key=_modified) if aside else None


def _modified(path: Path) -> int:
    """When ``path`` was last changed (ns; -1: it is gone, another run having put it back meanwhile)."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1


def _moved_aside(output: Path, shown: str | Path | None) -> str:
    """What to say of ``output``, which does not exist, where a run killed while it replaced it left the earlier
    store moved aside (:func:`moved_aside`; "" if none did): the earlier results are whole there, and the next
    ``daryo ensemble`` run with this output puts them back first
    (:func:`daryo.ensemble.store.restore_moved_aside`)."""
    if (aside := moved_aside(output)) is None:
        return ""
    return (f"{output if shown is None else shown} does not exist: a run killed while it replaced it left the earlier "
            f"results in {aside}; the next daryo ensemble run with this output puts them back first (or move that "
            "folder back yourself)")


class RunInProgressError(FileExistsError):
    """Another run is writing the parts folder (or has just finished with it): the output cannot be used now."""


class _Parts:
    """The parts folder: a manifest and one ``chunk-NNNNN.npz`` per finished chunk (written atomically)."""

    def __init__(self, output: Path):
        self.dir = parts_folder(output)
        self._lock_fd: int | None = None

    def manifest_path(self) -> Path:
        return self.dir / "manifest.json"

    def start(self, manifest: dict[str, Any], resume: bool) -> set[int]:
        """Prepare the folder and lock it (:meth:`lock`; :meth:`unlock` when the run ends); the chunks already done
        (resume).  A resume sets ``manifest``'s :data:`BUILD` to the builds that ran the run, this one's last."""
        if self.dir.exists() and not self.dir.is_dir():
            raise FileExistsError(f"{self.dir} exists and is not the folder of an unfinished run; move it away or "
                                  "give another output name")
        if not self.dir.exists():
            self.dir.mkdir(parents=True)
            try:
                self.lock()
                atomic_write(self.manifest_path(), lambda f: f.write(json.dumps(manifest, indent=1).encode()))
            except BaseException:  # (a full disk, Ctrl-C: no folder without a manifest left behind)
                self.unlock()
                shutil.rmtree(self.dir, ignore_errors=True)
                raise
            return set()
        self.lock()  # (another run still going is refused first)
        try:
            old = self._old_manifest()
            if not resume:
                if old is None:  # (--resume would say "delete it")
                    raise FileExistsError(f"{self.dir} is the folder of an unfinished run but has no readable "
                                          "manifest of it; delete it to start again")
                raise FileExistsError(f"an unfinished ensemble run is in {self.dir}; pass {RESUME} to continue it, or "
                                      "delete that folder to start again")
            if old is None or not same_run(old, manifest):
                raise ValueError(_not_resumable(self.dir, old, manifest))
            if BUILD in manifest:  # (the builds that ran it, this one's added: the store records them all)
                manifest[BUILD] = builds_of(old, manifest)
            if old != manifest:  # (another deficit threshold: the summaries, taken at the end, take it)
                atomic_write(self.manifest_path(), lambda f: f.write(json.dumps(manifest, indent=1).encode()))
            for tmp in self.dir.glob(".chunk-*.npz.*"):  # of a writer killed mid-write (its run is over)
                tmp.unlink(missing_ok=True)
        except BaseException:
            self.unlock()
            raise
        return self.done()

    def done(self) -> set[int]:
        """The chunks whose parts are in the folder."""
        return _finished_parts(self.dir)

    def lock(self) -> None:
        """Lock the folder for this process's run: an exclusive ``flock`` on its ``lock`` file, which the system
        releases however the process ends (on another host too, where the disk is shared through NFS); the file
        names the process and host, for the message another run gets.  It is made ``0o666`` less the umask (a
        group's umask 002 lets a colleague resume the run); another user's that this one may only read is locked
        through a read-only descriptor (``flock`` takes one), and then names the run that last wrote it."""
        path = self.dir / "lock"
        fd, writable = self._open_lock(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # (BlockingIOError: held)
            holder = os.read(fd, 200).decode(errors="replace").split()
            os.close(fd)
            pid, host = (holder + ["?", "?"])[:2]
            raise RunInProgressError(f"another run (process {pid} on {host}) is writing {self.dir}; wait for it "
                                     "to end") from None
        if os.fstat(fd).st_ino != os.stat(path).st_ino:  # (the folder's run ended, and removed it, meanwhile)
            os.close(fd)
            raise RunInProgressError(f"the run in {self.dir} ended as this one started; run again")
        if writable:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()} {socket.gethostname()}".encode())
        self._lock_fd = fd

    def _open_lock(self, path: Path) -> tuple[int, bool]:
        """The lock file ``path`` opened (made where missing), and whether for writing; a PermissionError that says
        whose run holds the folder where it cannot be opened at all (a trainer's review: a second user on one output
        got "Permission denied: 't.zarr.parts/lock'")."""
        try:
            return os.open(path, os.O_CREAT | os.O_RDWR, 0o666), True
        except PermissionError:
            pass
        try:
            return os.open(path, os.O_RDONLY), False
        except OSError as exc:
            owner = other_owner(path if path.exists() else self.dir)
            whose = f"the run of user {owner}" if owner is not None else "a run"
            what = f"ask {owner} to finish it, or " if owner is not None else "make it writable, or "
            raise PermissionError(errno.EACCES, f"{self.dir} holds {whose}, whose lock file you may not open "
                                  f"({exc.strerror or exc}): {what}give another output name") from None

    def unlock(self) -> None:
        """Release this process's lock, if it holds one (the file goes with the folder)."""
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            os.close(fd)  # (closing releases the flock)

    def chunk_size(self) -> int | None:
        """The traces per chunk of the unfinished run in the folder (None: no such run)."""
        size = (self._old_manifest() or {}).get("chunk_size")
        return size if isinstance(size, int) and size > 0 else None

    def deficit_threshold(self) -> float | None:
        """The deficit threshold of the unfinished run in the folder (None: no such run)."""
        return threshold_of((self._old_manifest() or {}).get("deficit_threshold"))

    def _old_manifest(self) -> dict[str, Any] | None:
        """The manifest of the run whose parts are in the folder (None: missing or unreadable)."""
        try:
            old = json.loads(self.manifest_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return old if isinstance(old, dict) else None

    def path(self, chunk: int) -> Path:
        return self.dir / part_name(chunk)

    def write(self, result: Mapping[str, Any]) -> None:
        """Write a chunk's part; where it cannot be written (a full disk, a folder made read-only), the error says
        which finished chunks are kept, and how to go on (a trainer's review: only "cannot write
        r.zarr.parts/chunk-00003.npz: No space left on device", with chunks 0-2 kept)."""
        arrays = {k: v for k, v in result.items() if not k.startswith("_")}
        arrays["_info"] = np.array(json.dumps({"seconds": result["_seconds"], "how": result["_how"]}))
        try:
            atomic_write(self.path(int(result["_chunk"])), lambda f: np.savez(f, **arrays))
        except OSError as exc:
            kept = len(self.done())
            if not kept:
                raise
            number = exc.errno or getattr(exc.__cause__, "errno", None)
            when = "once there is room" if number in (errno.ENOSPC, errno.EDQUOT) else "once it can be written"
            text = exc.strerror if isinstance(exc, NamedOSError) else str(exc)
            raise OSError(f"{text}; {kept_text(kept, self.dir)}: run again with {RESUME} {when}, which computes "
                          "only the rest") from exc

    def annual(self, chunk: int) -> Mapping[str, np.ndarray]:
        """The annual indicators of a chunk, each read from its part when asked for."""
        return _PartArrays(self, chunk)

    def read(self, chunk: int, keys: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        path = self.path(chunk)
        try:
            with np.load(path) as z:
                return {k: z[k] for k in (z.files if keys is None else keys)}
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            raise OSError(f"cannot read {path} ({exc}); delete it and run again with {RESUME} to recompute "
                          "it") from None


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


#: the manifest entries that change only an ensemble's summaries, not its chunks: a resume may change them
SUMMARY_ONLY = ("deficit_threshold",)

#: the manifest entry of the daryo builds that ran the run (:func:`~daryo.results.provenance.daryo_build`, the
#: earliest first, separated by spaces), which a resume adds its own to.  It is recorded, not compared: what a part
#: holds and means is its format's, raised with each change to it (:data:`_FORMAT`), so that a build that changed
#: nothing of it (most: a message, a table, the docs) resumes a run of an earlier one, days of chunks kept; a store
#: assembled from parts of two builds names both, for whoever reads its figures.
BUILD = "build"

#: the manifest entries a resume does not compare
NOT_COMPARED = (*SUMMARY_ONLY, BUILD)


def same_run(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether the manifests (or a store's attributes) ``old`` and ``new`` are of the same run, whose chunks one
    can continue: equal but for :data:`NOT_COMPARED`."""
    return ({k: v for k, v in old.items() if k not in NOT_COMPARED}
            == {k: v for k, v in new.items() if k not in NOT_COMPARED})


def builds_of(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """The :data:`BUILD` entry of a run resumed: the builds of its earlier manifest ``old`` and this one's ``new``,
    each once, the earliest first."""
    builds = f"{old.get(BUILD) or ''} {new.get(BUILD) or ''}".split()
    return " ".join(dict.fromkeys(builds))


def _not_resumable(folder: Path, old: dict[str, Any] | None, manifest: dict[str, Any]) -> str:
    """Why the parts in ``folder`` (their run's manifest ``old``) cannot be resumed by the run ``manifest``."""
    if old is None:
        return f"cannot resume: {folder} has no readable manifest of its run; delete it to start again"
    differ = [k for k in manifest if old.get(k) != manifest[k] and k not in NOT_COMPARED] + [
        k for k in old if k not in manifest and k not in NOT_COMPARED]
    if "format" in differ:
        return (f"cannot resume: {folder} holds parts of format {old.get('format')}, written by another version of "
                f"daryo; this one writes format {manifest['format']}: delete it to start again")
    if differ == ["chunk_size"]:  # (the default chunking may change between versions)
        return (f"cannot resume: {folder} was run in chunks of {old['chunk_size']} traces, not "
                f"{manifest['chunk_size']}; pass --chunk-size {old['chunk_size']} (chunk_size in the Python API) to "
                "resume it, or delete it to start again")
    why = what_differs(differ, bool(manifest.get("model_text")), old, manifest)
    return f"cannot resume: {folder} belongs to another run ({why}); delete it to start again"


#: the manifest entries whose values say what differs in words a user gave (options, overlays)
_SHOWN_VALUES = ("start", "traces", "years", "seed", "series", "series_dtype", "scenarios")


def what_differs(keys: list[str], model_file: bool = True, old: Mapping[str, Any] | None = None,
                 new: Mapping[str, Any] | None = None) -> str:
    """The manifest entries ``keys`` that differ between two runs, in words ("seed differs"); ``model_file``: the
    model was read from a file (so an unchanged file narrows what else changed).  Where the earlier run's
    manifest (``old``) and this one's (``new``) are given, an option's two values follow ("seed differs: 3
    there, 4 here")."""
    # (the network digest covers the model, its data files, its overlays and the first trace's inflows, which the
    # seed, the years and the source change too: named only where nothing else explains it)
    names = {"inflow_record": "the model's record of inflows", "model": "the model's name",
             "model_file": "the model file's path", "model_text": "the model file's text",
             "model_changed_in_code": "a change to the model in Python",
             "scenarios": "the scenario overlays", "source": "the source of the traces", "start": "the start",
             "trace_names_sha256": "the list of the traces' names", "fast": "the method (--method: plain or fast)"}
    rest = "the model's data files or overlays" if model_file else "the model or its data files"
    shown = [names.get(k, k) for k in keys if k != "network"] or [rest]
    verb = "differs" if len(shown) == 1 and shown[0] != rest else "differ"
    if old is None or new is None or not (values := [k for k in keys if k in _SHOWN_VALUES]):
        return f"{', '.join(shown)} {verb}"
    both = [(names.get(k, k), f"{_value(k, old.get(k))} there, {_value(k, new.get(k))} here") for k in values]
    told = both[0][1] if len(shown) == 1 else "; ".join(f"{name}: {pair}" for name, pair in both)
    return f"{', '.join(shown)} {verb}: {told}"


def _value(key: str, v: Any) -> str:
    """Manifest entry ``key``'s value as :func:`what_differs` shows it: text quoted (the series as ``--series``
    takes them, separated by commas; "none" for no text), numbers as they are."""
    if isinstance(v, str):
        text = ",".join(v.split()) if key == "series" else v
        return repr(text) if text else "none"
    return "none" if v is None else str(v)
