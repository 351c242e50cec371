"""An ensemble's output opened and checked: a zarr folder or a NetCDF file (or the store already open) that holds an
ensemble's summaries, whole: a zarr store's missing chunk files and a store's damaged parts are named, not read as
missing values (:func:`open_output`, which the tables and the summary CSV open their output with)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from .._files import user_path
from .._netcdf import netcdf_io
from ..errors import listed
from ..sdg import stress_ratio
from .chunks import STORABLE_SERIES
from .parts import unfinished_run
from .store import STORE_ID, _attributes, _format_of, reading_store

if TYPE_CHECKING:
    import xarray as xr


#: an ensemble's output: its path (a zarr folder or a NetCDF file), or the store opened (:func:`open_output`, or
#: xarray's own)
EnsembleOutput: TypeAlias = "str | os.PathLike[str] | xr.Dataset"


class EarlierStoreError(ValueError):
    """An ensemble's store written by an earlier daryo lacks what a table needs, or holds figures that today's
    readers would take for something else (its ``format``, :func:`store_format`): the message names the file, what
    is wrong, and says to run the ensemble again.  A report leaves such a table out with the message as a note."""


#: the parts' format from which each year's environmental flow is stored as required (below: at most the year's
#: renewable water, :func:`capped_environmental_flows`)
UNCAPPED_FLOWS_FORMAT = 16
#: the parts' format from which an N-day step across 1 April or 1 October counts each of its days in its own season
#: in the winter sums (below: wholly in the season it starts in, :func:`winter_by_start_note`)
WINTER_BY_DAY_FORMAT = 16


def store_format(ds: xr.Dataset) -> int | None:
    """The parts' format the open store ``ds`` was written in (its ``format`` attribute,
    :data:`daryo.ensemble.parts._FORMAT` of the daryo that wrote it); None where it records none."""
    value = ds.attrs.get("format")
    try:
        return int(value) if value is not None and float(value) == int(value) else None
    except (TypeError, ValueError):
        return None


def earlier_daryo(ds: xr.Dataset) -> str:
    """"an earlier daryo (parts' format 2; this one writes 16)": who wrote the open store ``ds``, for messages (its
    format left out where it is this daryo's, or later)."""
    from .parts import _FORMAT

    held = store_format(ds)
    if held is not None and held >= _FORMAT:  # (a store of this format changed since: its format tells nothing)
        return "an earlier daryo"
    return f"an earlier daryo (parts' format {'unrecorded' if held is None else held}; this one writes {_FORMAT})"


def capped_environmental_flows(ds: xr.Dataset) -> bool:
    """Whether the open store ``ds`` may hold environmental flows capped at each year's renewable water, as daryo
    wrote them before parts' format 16 (:data:`UNCAPPED_FLOWS_FORMAT`): its format is below it (or unrecorded) and
    some trace-year's ``annual_environmental_flow`` above 0 equals its ``annual_renewable_water`` exactly, as the
    cap made it (a flow requirement above the year's water; the stores of format 15 written since 2026-12-07, which
    do not cap, have such a year by coincidence alone).  The mean of such flows, and the long-term water stress
    taken from it, are too low (a compat review: 66.7 % "medium" where the flows as required give 85.7 % "high");
    each trace-year's ratio is not changed by the cap."""
    held = store_format(ds)
    terms = ("annual_environmental_flow", "annual_renewable_water")
    if (held is not None and held >= UNCAPPED_FLOWS_FORMAT) or not all(t in ds for t in terms):
        return False
    environmental, renewable = (ds[t].values for t in terms)
    return bool(((environmental == renewable) & (environmental > 0)).any())


def winter_by_start_note(ds: xr.Dataset) -> str:
    """Where the open store ``ds`` holds N-day steps and was written before parts' format 16
    (:data:`WINTER_BY_DAY_FORMAT`, which daryo before 2026-12-07 wrote): that its winter sums may count a step
    across 1 April or 1 October wholly in the season it starts in (since, each of its days in its own season: a
    store of format 15 written since is right, but cannot be told from one written before); "" otherwise."""
    from ..timeaxis import step_label_days
    from .tables import _time_step_of

    held = store_format(ds)
    days = step_label_days(str(ds.attrs.get("time_step") or "") or _time_step_of(ds))
    if days is None or (held is not None and held >= WINTER_BY_DAY_FORMAT):
        return ""
    return (f"{output_name(ds)}, of parts' format {'unrecorded' if held is None else held} and {days}-day steps, may "
            "count a step across 1 April or 1 October wholly in the season it starts in, as daryo did before "
            "2026-12-07; run the ensemble again for each day in its own season")


def refuse_capped_flows(ds: xr.Dataset, what: str) -> None:
    """Raise :class:`EarlierStoreError` where the open store ``ds`` may hold capped environmental flows
    (:func:`capped_environmental_flows`), whose ``what`` would be wrong."""
    if capped_environmental_flows(ds):
        raise EarlierStoreError(
            f"{output_name(ds)} gives no {what}: it was written by {earlier_daryo(ds)}, which stored each year's "
            "environmental flow at most that year's renewable water, so that where a dry year has less water than "
            "the flow requirements its mean environmental flow, and the long-term water stress, come out too low; "
            "run the ensemble again")


class StoreReplacedError(OSError):
    """An ensemble's zarr store was replaced (by another run, of another process say) while it was open: what was
    read from it may mix the two runs' figures, under the first one's attributes."""


@contextmanager
def open_output(output: EnsembleOutput, function: str = "open_output") -> Iterator[xr.Dataset]:
    """An ensemble's output, opened lazily, once it is known to hold an ensemble's summaries: for several of its
    tables (:func:`shortfall_table`, :func:`energy_table`…) without opening it again for each.

    Parameters
    ----------
    output
        An ensemble's output (``daryo ensemble -o``: a zarr folder or a NetCDF file), or the store already open (an
        xarray Dataset, which is checked and given back as it is, left open).
    function
        The function it was given to, for the messages.

    Yields
    ------
    xarray.Dataset
        The store, closed when the block ends where this opened it.  A NetCDF store (or a Dataset given) is read
        under the lock that each of daryo's NetCDF reads and writes holds, for the whole block (the netCDF and
        HDF5 libraries crash on two threads' calls at once): use it inside the block, in the thread that opened it;
        daryo's NetCDF reads and writes in other threads wait until the block ends (a zarr store's do not).  A zarr
        store is read by its chunks' paths, as they are read: no run of this process replaces it until the block
        ends (it raises instead), and one replaced meanwhile by another process is told as the block ends (and as
        each table given it ends).

    Raises
    ------
    TypeError
        If ``output`` is neither a path nor a Dataset.
    ValueError
        If it holds no ensemble summaries (or cannot be read as NetCDF or zarr).
    StoreReplacedError
        As the block ends, if the zarr store was replaced (another process's run) since it was opened: what was
        read in the block may mix the two stores.
    """
    with _summaries(output, function) as ds:
        yield ds


@contextmanager
def _summaries(output: EnsembleOutput, function: str, needs: Sequence[str] = (), what: str = ""
               ) -> Iterator[xr.Dataset]:
    """:func:`open_output` that also refuses a store without the variables ``needs``, of ``what``, which daryo wrote
    after the store's daryo."""
    import xarray as xr

    if isinstance(output, xr.Dataset):  # (read under daryo's lock too: it may be a NetCDF file opened lazily)
        with netcdf_io(), _same_store_throughout(output), _lacking_told(output):
            yield _checked_store(output, output_name(output), needs, what)
        return
    path = user_path(output, function, "an ensemble's output (or the output opened as an xarray Dataset)")
    engine = "zarr" if _format_of(path) == "zarr" else None
    # a NetCDF file is opened, read and closed under daryo's lock, the caller's block too, which reads it lazily
    # (a backend developer's review: reads in threads crashed the process, daryo._netcdf); a zarr store is marked
    # open, which no run of this process then replaces (its chunks are read by their paths, as they are read)
    with reading_store(path) if engine == "zarr" else netcdf_io(), _opened(path, engine, needs, what) as ds, \
            _same_store_throughout(ds), _lacking_told(ds):
        yield ds


#: xarray's words for a variable a Dataset lacks (``ds["x"]``: "No variable named 'x'. Did you mean …")
_NO_VARIABLE = re.compile(r"""No variable named (['"])(.+?)\1""")


@contextmanager
def _lacking_told(ds: xr.Dataset) -> Iterator[None]:
    """Turn a KeyError of a variable the open store ``ds`` lacks, read in the block, into an
    :class:`EarlierStoreError` that names the store, the variable and the daryo that wrote it: whatever a table
    reads that a store of an earlier daryo does not keep (a compat review: ``daryo summary`` of a store of
    2026-12-03 ended "internal error: KeyError: No variable named 'annual_winter_energy'").  A variable ``ds`` has
    is another store's (two open at once): the error is left to that store's block."""
    try:
        yield
    except KeyError as exc:
        found = _NO_VARIABLE.search(str(exc))  # (xarray's words alone: a KeyError of a table's column is a bug)
        name = found.group(2) if found else None
        if name is None or name in ds.variables or name in ds.dims:
            raise
        raise EarlierStoreError(f"{output_name(ds)} holds no {name}: it was written by {earlier_daryo(ds)}, which "
                                "did not keep it; run the ensemble again") from None


#: the key of an open zarr store's ``encoding`` that holds its absolute path (the current folder may change) and
#: what it was when opened (:func:`_identity`)
_OPENED_AS = "daryo_store_identity"


def _inode(path: Path) -> int | None:
    """The inode of the folder at ``path`` (None: none there)."""
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _identity(path: Path) -> tuple[int | None, Any]:
    """What tells the zarr store at ``path`` from one that replaced it: its folder's inode and its
    :data:`~daryo.ensemble.store.STORE_ID` attribute (None for a store written before daryo wrote one)."""
    return _inode(path), _attributes(path, "zarr").get(STORE_ID)


@contextmanager
def _same_store_throughout(ds: xr.Dataset) -> Iterator[None]:
    """Raise :class:`StoreReplacedError` as the block ends (or fails: a chunk of another size read) if ``ds`` is a
    zarr store that :func:`_opened` opened and that was replaced meanwhile: its figures read in the block may then
    come from the new store (xarray reads a zarr store's chunks by their paths, as they are read)."""
    try:
        yield
    except Exception as exc:
        _refuse_replaced(ds, exc)
        raise
    _refuse_replaced(ds)


def _refuse_replaced(ds: xr.Dataset, cause: BaseException | None = None) -> None:
    opened = ds.encoding.get(_OPENED_AS)
    if opened is None:  # (not a zarr store, or not opened here: a Dataset opened with xarray's open_dataset)
        return
    path, identity = opened
    if _identity(Path(path)) != identity:
        raise StoreReplacedError(f"{output_name(ds)} was replaced by another run (or removed) since it was opened: "
                                 "what was read from it may mix the two runs' figures; open it again") from cause


def _consolidated(path: Path, engine: str | None) -> dict[str, Any]:
    """xarray's ``consolidated`` option for the store at ``path`` (none for a NetCDF file): whether it holds its
    consolidated metadata.  Told, xarray does not try them first and warn where they are missing (a store without
    them is read all the same, and a store cut short is told by :func:`_opened`); the warning cannot be silenced
    here without changing the process's warning filters, which threads share (a library user's review)."""
    if engine != "zarr":
        return {}
    if (path / ".zmetadata").is_file():  # (zarr's format 2, which daryo writes)
        return {"consolidated": True}
    try:  # (zarr's format 3: in the root's zarr.json)
        root = json.loads((path / "zarr.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"consolidated": False}
    return {"consolidated": isinstance(root, dict) and root.get("consolidated_metadata") is not None}


@contextmanager
def _opened(path: Path, engine: str | None, needs: Sequence[str], what: str) -> Iterator[xr.Dataset]:
    """:func:`_summaries`' store at ``path``, opened with xarray's ``engine`` (None: NetCDF), and checked."""
    import xarray as xr

    inode = _inode(path)  # (before it is opened: a store that replaces it meanwhile is told)
    try:
        opened = xr.open_dataset(path, engine=engine, **_consolidated(path, engine))
    except FileNotFoundError:  # (a folder that is no zarr store: zarr's words; none: the netCDF library's)
        if path.is_dir():
            raise ValueError(f"{path} is not an ensemble's output: a folder that holds no zarr store") from None
        raise FileNotFoundError(unfinished_run(path) or f"{path}: no such file or folder (give the output of daryo "
                                "ensemble -o)") from None
    except PermissionError:
        raise
    except (OSError, ValueError, RuntimeError) as exc:  # (not NetCDF or zarr: xarray's message named no file)
        if _is_damage(exc):  # (a coordinate's chunk cut short, read as the store opens)
            raise ValueError(_damaged(path, "it cannot be read", exc)) from None
        raise ValueError(f"{path} is not an ensemble's output: it cannot be read as a NetCDF file or zarr store (a "
                         "file cut short, or of another kind?)") from None
    with opened as ds:
        try:
            if engine == "zarr" and (gaps := _zarr_gaps(path, _stress_values(ds), _has_rule_curves(ds),
                                                         _has_energy_targets(ds))):
                raise ValueError(f"{path} is incomplete: {gaps} (a copy or download cut short?); copy the store "
                                 "again, or run the ensemble again")
            ds.encoding["source"] = str(path)  # (the file as the user named it, for the messages: output_name)
            if engine == "zarr":  # (the attributes as opened: those of the store whose chunks are read)
                ds.encoding[_OPENED_AS] = (os.path.abspath(path), (inode, ds.attrs.get(STORE_ID)))
            yield _checked_store(ds, str(path), needs, what)
        except (RuntimeError, ValueError) as exc:  # (a chunk cut short: the codec's error, read lazily in the
            # caller's block, which may read another store too: this one is named only where a part of it cannot be
            # read)
            if not _is_damage(exc) or not (bad := _unreadable_part(path, engine)):
                raise
            raise ValueError(_damaged(path, f"{bad} cannot be read", exc)) from None


def _checked_store(ds: xr.Dataset, name: str, needs: Sequence[str], what: str) -> xr.Dataset:
    """``ds`` (named ``name`` in the messages), once it is known to hold an ensemble's summaries and ``needs``."""
    if "summary_annual_deficit_fraction" not in ds or "prob_deficit_above_threshold" not in ds:
        raise ValueError(f"{name} holds no ensemble summaries: it is not the output of an ensemble run")
    if any(n not in ds for n in needs):
        raise EarlierStoreError(f"{name} holds no {what}: it was written by {earlier_daryo(ds)}; run the ensemble "
                                "again")
    return ds


def output_name(ds: xr.Dataset) -> str:
    """An open store's file, for messages (``the dataset`` for one made in memory)."""
    return str(ds.encoding.get("source") or "the dataset")


def _is_damage(exc: BaseException) -> bool:
    """Whether ``exc`` is what reading a store's damaged data raises: a codec's error (blosc's, zstd's, HDF5's), or
    a chunk of another size than its array's."""
    text = str(exc).lower()
    if isinstance(exc, RuntimeError | OSError):
        return "decompress" in text or "hdf error" in text
    return isinstance(exc, ValueError) and "cannot reshape" in text


def _damaged(path: Path, what: str, exc: BaseException) -> str:
    return (f"{path} is damaged: {what} ({exc}: a copy or download cut short?); copy the store again, or run the "
            "ensemble again")


def _unreadable_part(path: Path, engine: str | None) -> str:
    """The first part of the store ``path`` that cannot be read ("" if none): a zarr store's chunk, as ``name (chunk
    i.j)``, read one at a time, the smallest arrays first; a NetCDF file's variable, read one at a time."""
    if engine != "zarr":
        import netCDF4

        with netCDF4.Dataset(path) as nc:
            for name, variable in nc.variables.items():
                try:
                    variable[...]
                except (RuntimeError, OSError, ValueError):
                    return str(name)
        return ""
    import zarr

    group = zarr.open_group(str(path), mode="r")
    for name, array in sorted(group.arrays(), key=lambda item: (item[1].nbytes, item[0])):
        for index in np.ndindex(*array.cdata_shape):
            try:
                array.blocks[index]
            except (RuntimeError, ValueError):
                return f"{name} (chunk {'.'.join(map(str, index))})"
    return ""


#: the store's variables that may hold no value but NaN in a chunk, which zarr then does not write: the water stress
#: where no system has water or a withdrawal, or the environmental flow takes all of it with nothing withdrawn
_MAY_BE_EMPTY = ("annual_water_stress", "summary_annual_water_stress")


#: the store's variables of the reservoirs' rule curves: NaN throughout, and so not written by zarr, where no reservoir
#: has one (its ``reservoir_rule_curve`` coordinate)
_RULE_CURVES = ("annual_steps_below_target", "annual_max_storage_shortfall", "summary_annual_steps_below_target",
                "summary_annual_max_storage_shortfall", "prob_below_target")


#: the store's variables of the plants' energy targets: NaN throughout, and so not written by zarr, where no plant has
#: one (its ``hydropower_energy_target`` coordinate)
_ENERGY_TARGETS = ("annual_energy_target", "annual_energy_shortfall", "annual_winter_energy_shortfall",
                   "annual_winter_energy_target", "summary_annual_energy_target", "summary_annual_energy_shortfall",
                   "summary_annual_winter_energy_shortfall", "summary_annual_winter_energy_target",
                   "prob_energy_target_missed", "prob_winter_energy_target_missed")


def _stress_values(ds: xr.Dataset) -> np.ndarray | None:
    """Each (trace, year, system)'s water stress of the open store ``ds``, worked out again from its terms, which
    zarr always writes (its own chunks may be NaN throughout, and so not written); None for a store without them."""
    terms = ("annual_withdrawal", "annual_renewable_water", "annual_environmental_flow")
    if not all(t in ds for t in terms):
        return None
    return stress_ratio(*(ds[t].transpose("trace", "year", "system").values for t in terms))


def _has_rule_curves(ds: xr.Dataset) -> bool | None:
    """Whether some reservoir of the open store ``ds`` has a rule curve (None: a store that does not say)."""
    return bool(ds["reservoir_rule_curve"].values.any()) if "reservoir_rule_curve" in ds.coords else None


def _has_energy_targets(ds: xr.Dataset) -> bool | None:
    """Whether some plant of the open store ``ds`` has an energy target (None: a store that does not say)."""
    return bool(ds["hydropower_energy_target"].values.any()) if "hydropower_energy_target" in ds.coords else None


def _zarr_gaps(path: Path, stress: np.ndarray | None = None, rule_curves: bool | None = None,
               energy_targets: bool | None = None) -> str:
    """What a zarr store of an ensemble lacks of its results' chunk files, in words ("" if nothing): zarr reads a
    missing chunk as its fill value, NaN, which the statistics would leave out without a word (a review: a store
    copied in part said no demand was ever short).  Coordinates are not checked; the water stress's chunks are
    expected where ``stress`` (its values, :func:`_stress_values`) has some, and not checked where it is None; the
    rule curves' where ``rule_curves`` (some reservoir has one), and not checked where it is None; the energy
    targets' where ``energy_targets`` (some plant has one), and not checked where it is None.
    Stores of zarr's formats 2 (as daryo writes them) and 3."""
    short = []
    for meta in sorted([*path.glob("*/.zarray"), *path.glob("*/zarr.json")]):
        name = meta.parent.name
        if not (name.startswith(("annual_", "summary_", "prob_")) or name in STORABLE_SERIES) or (
                name in _MAY_BE_EMPTY and stress is None) or (name in _RULE_CURVES and not rule_curves) or (
                name in _ENERGY_TARGETS and not energy_targets):
            continue
        try:
            array = json.loads(meta.read_text())
            shape = [int(n) for n in array["shape"]]
            chunks = [int(c) for c in (array["chunks"] if meta.name == ".zarray"
                                       else array["chunk_grid"]["configuration"]["chunk_shape"])]
        except (OSError, ValueError, KeyError, TypeError):
            short.append(f"{name} (its metadata cannot be read)")
            continue
        expected = int(np.prod([-(-n // max(c, 1)) for n, c in zip(shape, chunks, strict=True)]))
        if name in _MAY_BE_EMPTY and stress is not None:  # (a chunk with no stress in it is not written)
            known = ~np.isnan(stress)
            if name == "annual_water_stress" and known.size:
                by_trace = known.reshape(len(known), -1).any(axis=1)
                expected = sum(bool(by_trace[i:i + chunks[0]].any()) for i in range(0, len(by_trace), chunks[0]))
            elif not known.any():
                expected = 0
        files = [f for f in meta.parent.rglob("*") if f.is_file() and not f.name.startswith(".")
                 and f.name != "zarr.json"]
        if len(files) < expected:
            short.append(f"{name} (only {len(files)} of its {expected} chunk files are there)")
    return f"{listed(short, 4)} {'lacks' if len(short) == 1 else 'lack'} data" if short else ""
