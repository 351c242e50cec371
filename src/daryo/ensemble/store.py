"""The output store (``.zarr`` or ``.nc``): checks before a run, assembly from the parts and the distribution
summaries written with it (what a finished output tells: :mod:`daryo.ensemble.tables`,
:mod:`daryo.ensemble.summary`)."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._files import (
    ALMOST_FULL,
    brief_os_error,
    file_size,
    free_bytes,
    free_space_note,
    full_disk,
    refuse_netcdf_unreadable_name,
    refuse_special_file,
    refuse_write_protected,
    remove_stale_temporaries,
    temporary_prefix,
    write_target,
)
from .._netcdf import netcdf_io
from ..cf import LONG_NAME_MAX, cf_dataset, netcdf_encoding, netcdf_text, short_name
from ..model import Model, Node
from ..model.datafiles import data_files_text
from ..network import CompiledNetwork
from ..network.compile import rule_curve_columns
from ..results import (
    caveats,
    display_names,
    is_netcdf,
    netcdf_attributes,
    requirement_coordinates,
    software_versions,
)
from ..results.dataset import step_coordinates
from ..results.files import NETCDF_SUFFIXES
from ..results.provenance import overlay_digests, water_stress_notes
from ..sdg import LEVEL_NAMES, stress_level_index
from ..units import is_whole
from .chunks import (
    ANNUAL_INDICATORS,
    ENERGY_MISSED_TOLERANCE,
    STORABLE_SERIES,
    EnsembleOptions,
    target_missed,
    threshold_of,
)
from .parts import BUILD, RESUME, _Parts, moved_aside, same_run, what_differs
from .traces import run_years

_PERCENTILES = (5.0, 50.0, 95.0)
#: what a summary's long_name adds to its indicator's
_STATS = ": mean and percentiles"


def check_output(output: str | Path) -> str:
    """The format of an ensemble's output (``"zarr"`` or ``"nc"``), once it is known that writing it can replace
    nothing but an earlier result: a ``.nc`` output must not be a folder, an existing ``.zarr`` output must be a
    zarr store (a folder holding ``.zgroup``, ``.zattrs`` or ``zarr.json``), and an existing output must be one
    that an ensemble wrote (its ``title`` attribute starts with "daryo ensemble").  A symbolic link is refused
    unless it points to an existing file (a ``.nc`` output: the link is written through), and so is anything that is
    neither a file nor a folder (a named pipe).

    Raises
    ------
    ValueError
        If the name does not end in ``.zarr`` or ``.nc``, or a ``.nc`` path is not UTF-8 text (which the netCDF
        library takes only).
    IsADirectoryError, FileExistsError
        If the output exists and is not something an ensemble writes.
    ImportError
        For ``.zarr`` without zarr installed.
    """
    output = Path(output)
    fmt = _format_of(output)
    if output.is_symlink():
        target = os.readlink(output)
        if not output.exists() or fmt == "zarr":  # (a store is replaced by a folder: never through a link)
            what = ", which does not exist" if not output.exists() else "; a store does not replace a link"
            raise FileExistsError(f"{output} is a symbolic link to {target}{what}: give another output name or "
                                  "remove the link")
    refuse_special_file(output)  # (a named pipe would block the checks)
    if fmt == "nc":
        refuse_netcdf_unreadable_name(output)
    if fmt == "nc" and output.is_dir():
        raise IsADirectoryError(f"{output} is a folder, not a NetCDF file; give another output name")
    if fmt == "nc" and output.is_file() and not is_netcdf(output):
        raise FileExistsError(f"{output} exists and is not a NetCDF file; it is not replaced: give another output "
                              "name or move it away")
    if fmt == "zarr" and output.exists() and not _is_zarr_store(output):
        what = "a folder that is not a zarr store" if output.is_dir() else "not a zarr store"
        raise FileExistsError(f"{output} exists and is {what}; it is not replaced: give another output name or "
                              "move it away")
    if output.exists() and not _title(output, fmt).startswith(_TITLE):
        kind = "NetCDF file" if fmt == "nc" else "zarr store"
        raise FileExistsError(f"{output} exists and is a {kind} that no daryo ensemble wrote; it is not replaced: "
                              "give another output name or move it away")
    refuse_write_protected(output)
    return fmt


_TITLE = "daryo ensemble"  # the start of an ensemble output's title attribute

#: the attribute that tells one written store from any other (a new one each time a store is written or changed), by
#: which a reader knows the store it opened from one that replaced it (:mod:`daryo.ensemble.output`)
STORE_ID = "store_id"

#: the zarr stores open in this process (by their real paths, each with how many readers hold it: see
#: :func:`reading_store`), which no run of this process replaces (:func:`_move_into_place`).  Process-wide, as the
#: files are: xarray reads a zarr store's chunks by their paths as they are read, so a reader of a store replaced
#: meanwhile would read the new one's figures under the old one's attributes (a web-app integrator's review)
_OPEN_STORES: Counter[str] = Counter()
_OPEN_STORES_LOCK = threading.Lock()


@contextmanager
def reading_store(path: Path) -> Iterator[None]:
    """The zarr store at ``path`` marked as open in this process while the block runs: no run of this process
    replaces it meanwhile (:func:`_move_into_place` refuses)."""
    key = os.path.realpath(path)
    with _OPEN_STORES_LOCK:
        _OPEN_STORES[key] += 1
    try:
        yield
    finally:
        with _OPEN_STORES_LOCK:
            _OPEN_STORES[key] -= 1
            if _OPEN_STORES[key] <= 0:
                del _OPEN_STORES[key]


def _refuse_open_store(target: Path) -> None:
    """Raise if the zarr store ``target`` is open in this process (called holding ``_OPEN_STORES_LOCK``)."""
    if _OPEN_STORES.get(os.path.realpath(target)):
        raise OSError("it is open in this process (daryo.ensemble.open_output, or an ensemble table reading it), "
                      "whose reads would come from the new store under the old one's attributes: close it first")


def earlier_results(output: str | Path) -> str:
    """What an existing ensemble output holds, as a phrase ("the results of 200 traces × 30 years of aral-sea-basin,
    seed 1", "2 traces × 1 year"), or "" where there is none to replace (:func:`check_output` has checked what is
    there)."""
    output = Path(output)
    if not output.exists():
        return ""
    attrs = _attributes(output, _format_of(output))
    if not all(k in attrs for k in ("traces", "years", "seed")):
        return "an earlier ensemble's results"
    overlays = f" with {attrs['scenarios']}" if attrs.get("scenarios") else ""
    traces = attrs["source"] if attrs.get("trace_names_sha256") and attrs.get("source") else f"seed {attrs['seed']}"
    n, years = attrs["traces"], attrs["years"]  # (each noun singular for 1: "1 years" was said, a CLI review)
    counts = f"{n} trace{'s' if n != 1 else ''} × {years} year{'s' if years != 1 else ''}"
    return f"the results of {counts} of {attrs.get('model', 'a model')}{overlays}, {traces}"


def _title(path: Path, fmt: str) -> str:
    """The ``title`` attribute of an existing NetCDF file or zarr store ("" if it has none or is unreadable)."""
    return str(_attributes(path, fmt).get("title", ""))


def _attributes(path: Path, fmt: str) -> dict[str, Any]:
    """The global attributes of an existing NetCDF file or zarr store (empty if it has none or is unreadable)."""
    if fmt == "nc":
        return netcdf_attributes(path)
    try:
        for meta, key in ((".zattrs", None), ("zarr.json", "attributes")):
            if (path / meta).is_file():
                attrs = json.loads((path / meta).read_text(encoding="utf-8"))
                attrs = attrs.get(key, {}) if key else attrs
                return attrs if isinstance(attrs, dict) else {}
    except (OSError, ValueError):
        return {}
    return {}


def _store_attributes(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """A run's manifest as its output's attributes: NetCDF and zarr hold no None and no booleans, and integers are
    32-bit (CF 1.8 and NetCDF's classic format have no 64-bit ones; a larger integer, a seed say, is text)."""
    return {k: "" if v is None else _attribute_int(int(v)) if isinstance(v, bool | int | np.integer | np.bool_)
            else v for k, v in manifest.items()}


def _attribute_int(v: int) -> np.int32 | str:
    return np.int32(v) if np.iinfo(np.int32).min <= v <= np.iinfo(np.int32).max else str(v)


def _finished_chunk_size(output: Path, fmt: str) -> int | None:
    """The traces per chunk of the run whose results ``output`` holds (None: none, or no ensemble's output)."""
    size = _attributes(output, fmt).get("chunk_size") if output.exists() else None
    return int(size) if is_whole(size) and size > 0 else None


def _finished_run(output: Path, fmt: str, manifest: Mapping[str, Any]) -> bool:
    """Whether ``output`` holds the finished results of the run ``manifest``: True, or False where only its
    summaries differ (another deficit threshold: :func:`_retake_threshold`); a ValueError if it holds another run's
    (resuming with no parts folder: nothing to continue, and nothing to replace unasked)."""
    # the file's, not the run's; and the model's caveats, data files and overlay files, which its digest in the
    # manifest covers
    written = ("title", "Conventions", "coordinates", "history", "caveats", "software", "data_files", "overlay_files",
               STORE_ID)
    held = {k: v for k, v in _attributes(output, fmt).items() if k not in (*written, BUILD)}  # (the builds that
    attrs = {k: v for k, v in _store_attributes(manifest).items() if k != BUILD}  # wrote it: recorded, not compared)
    if held == attrs:
        return True
    if same_run(held, attrs):
        return False
    differ = sorted({k for k in attrs if held.get(k) != attrs[k]} | (held.keys() - attrs.keys()))
    if "format" in differ:
        raise ValueError(f"cannot resume: {output} holds the results of a run written by another version of daryo "
                         f"(format {held.get('format', '?')}; this one writes format {attrs['format']}); run without "
                         "--resume (resume=False in Python) to replace them")
    raise ValueError(f"cannot resume: no unfinished run is in {_Parts(output).dir}, and {output} holds the results "
                     f"of another run ({what_differs(differ, bool(manifest.get('model_text')), held, attrs)}); run "
                     "without --resume (resume=False in Python) to replace them")


def _finished_threshold(output: Path, fmt: str) -> float | None:
    """The deficit threshold of the run whose results ``output`` holds (None: none, or no ensemble's output)."""
    return threshold_of(_attributes(output, fmt).get("deficit_threshold")) if output.exists() else None


def _retake_threshold(output: Path, fmt: str, threshold: float, check: Callable[[], None] = lambda: None) -> None:
    """Take the probability of an annual deficit above ``threshold`` (``prob_deficit_above_threshold``) again from
    the annual deficit fractions the finished ``output`` holds, with the store's ``deficit_threshold`` and a line
    of ``history`` that says so: the same figures a run with that threshold writes.  The store is changed in a copy
    beside it, which then replaces it, as a run's store is written: a failure, or a reader that holds it open,
    leaves it as it was.  ``check()`` is called between the writes (it may raise to stop)."""
    target = write_target(output)
    tmp = _temporary_beside(target)
    try:
        if fmt == "zarr":
            shutil.copytree(target, tmp, symlinks=True)
        else:
            shutil.copy2(target, tmp)
        check()
        _set_threshold(tmp, fmt, threshold)
        check()
    except BaseException as caught:
        _remove(tmp)
        exc = brief_os_error(caught)  # (copytree's error lists every file)
        full = _out_of_room(exc, tmp, file_size(target))  # (the free space only where the disk may be the cause: not
        # after an HDF error with room for the copy, a verifier's review, as _assemble tells it)
        if isinstance(exc, PermissionError) and full:  # (the netCDF library's words for a full disk)
            raise OSError(f"cannot write {output}: its disk is full{free_space_note(output)}; it is left as it "
                          "was") from caught
        if isinstance(exc, RuntimeError) or (isinstance(exc, OSError)  # (the netCDF library's errors too: an OSError,
                                             and not isinstance(exc, PermissionError | FileNotFoundError)):  # as said)
            room = free_space_note(output) if full else ""
            raise OSError(f"cannot write {output}: {exc}{room}; it is left as it was") from caught
        raise
    try:
        _move_into_place(tmp, target)
    except OSError as exc:  # (open in this process, or its folder's permissions changed meanwhile)
        _remove(tmp)
        why = f"{exc.strerror}: {exc.filename}" if exc.strerror and exc.filename else str(exc)
        raise OSError(f"cannot replace {output} ({why}); it is left as it was") from exc


def _set_threshold(path: Path, fmt: str, threshold: float) -> None:
    """:func:`_retake_threshold`'s change, in the store at ``path``."""
    import xarray as xr

    from .. import __version__

    engine = "zarr" if fmt == "zarr" else None
    with netcdf_io() if fmt == "nc" else contextlib.nullcontext(), xr.open_dataset(path, engine=engine) as ds:
        fractions = ds["annual_deficit_fraction"].transpose("trace", "year", "demand").values
        history = str(ds.attrs.get("history", "")).rstrip("\n")
    above = (fractions.reshape(-1, fractions.shape[2]) > threshold).mean(axis=0)  # (as summarise counts it)
    description = (f"Probability that a run year's deficit exceeds {float(threshold)!r} of the demand (over all "
                   "traces and run years)")
    line = (f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} prob_deficit_above_threshold taken again with "
            f"deficit_threshold {float(threshold)!r} by daryo {__version__}")
    var_attrs: dict[str, Any] = {"threshold": float(threshold), "description": description,
                                 "long_name": short_name(description)}
    attrs: dict[str, Any] = {"deficit_threshold": float(threshold), STORE_ID: uuid.uuid4().hex,  # (another store)
                             "history": f"{history}\n{line}" if history else line}
    if fmt == "zarr":
        import zarr

        group = zarr.open_group(str(path), mode="r+", zarr_format=2)
        array: Any = group["prob_deficit_above_threshold"]
        array[...] = above
        array.attrs.update(var_attrs)
        group.attrs.update(attrs)
        zarr.consolidate_metadata(str(path), zarr_format=2)
    else:
        import netCDF4

        with netcdf_io(), netCDF4.Dataset(path, "a") as nc:
            variable = nc["prob_deficit_above_threshold"]
            variable[:] = above
            variable.setncatts(var_attrs)
            nc.setncatts(attrs)


def _is_zarr_store(path: Path) -> bool:
    return path.is_dir() and any((path / f).is_file() for f in (".zgroup", ".zattrs", "zarr.json"))


def _format_of(output: Path) -> str:
    suffix = output.suffix.lower()
    if suffix == ".zarr":
        try:
            import zarr  # noqa: F401
        except ImportError as exc:
            raise ImportError("writing .zarr needs zarr: pip install 'daryo[ensemble]' (or write .nc)") from exc
        return "zarr"
    if suffix in NETCDF_SUFFIXES:
        return "nc"
    if output.name.lower() in (".zarr", *NETCDF_SUFFIXES) or not output.name:
        example = f"results{output.name.lower() or '.zarr'}"
        raise ValueError(f"{str(output)!r}: give the output a name before its suffix, such as {example}")
    raise ValueError(f"{str(output)!r}: the output must end in .zarr or .nc (or .nc4, .netcdf; a name such as "
                     "results.zarr)")


#: the element dimensions of an ensemble's store
_ELEMENTS = ("reservoir", "demand", "sink", "hydropower", "inflow", "requirement", "system", "edge")
#: the element dimensions of the summaries (no summary is of the edges, whose flows only a series holds)
_SUMMARISED = tuple(kind for kind in _ELEMENTS if kind != "edge")
#: the node type of each element dimension where it is not the dimension's name
_ELEMENT_TYPES = {"requirement": "flow_requirement"}


def _coords(model: Model, axis: Any, systems: Mapping[str, np.ndarray], reservoirs: ReservoirVolumes,
            demand_system: Sequence[str], edges: Edges | None = None) -> dict[str, Any]:
    """The store's coordinates, as a run's results have them where they apply: each step's start, length,
    hydrological year and season; each run year's first day; each element's id, display name and country (a
    demand's category and priority too), so that results can be grouped by country, season or kind of use; and the
    river systems of the water stress (``systems``: a part's ``system`` and ``system_country``)."""
    nodes: dict[str, list[Node]] = {kind: [] for kind in _ELEMENTS if kind not in ("system", "edge")}
    kinds = {_ELEMENT_TYPES.get(kind, kind): kind for kind in nodes}
    for n in model.nodes:
        if n.type in kinds:
            nodes[kinds[n.type]].append(n)
    year = run_years(axis)
    starts = pd.DatetimeIndex(axis.starts)
    coords: dict[str, Any] = {
        "time": ("time", starts.values, {"description": "Start of each step"}),
        **step_coordinates(axis),
        "year": ("year", np.arange(int(year.max()) + 1),
                 {"description": "Run year, 0 for the first twelve months from the run's start (N-day steps: those "
                  "that start before its first anniversary), 1 for the next...; a hydrological year (October to "
                  "September) only for a run that starts on 1 October.  Its first day: year_start"}),
        "year_start": ("year", starts[np.searchsorted(year, np.arange(int(year.max()) + 1))].values,
                       {"description": "First day of each run year"}),
        "year_days": ("year", np.bincount(year, weights=axis.days).astype(np.int32),
                      {"description": "Days of the steps in each run year, which its annual sums cover (365 or 366; "
                       "with N-day steps a whole number of steps, 360 or 370 days of 10-day steps, say; a last "
                       "part year fewer)", "units": "days"}),
    }
    for kind, members in nodes.items():
        coords[kind] = (kind, [n.id for n in members], {"description": f"Id of each {kind} node of the model"})
        coords[f"{kind}_name"] = display_names(model, [n.id for n in members], kind)
        coords[f"{kind}_country"] = (kind, [n.country or "" for n in members],
                                     {"description": "Country of each element (ISO 3166-1 alpha-3; empty: none)"})
    coords["demand_category"] = ("demand", [str(n.value("category")) for n in nodes["demand"]],
                                 {"description": "Category of each demand (irrigation, municipal, ...)"})
    coords["demand_priority"] = ("demand", [int(n.value("priority")) for n in nodes["demand"]],
                                 {"description": "Allocation priority of each demand (1 first)"})
    coords["demand_system"] = ("demand", [str(s) for s in demand_system],
                               {"description": "River system of each demand (the system dimension's names): a "
                                "country on several rivers is told apart by it"})
    coords.update(requirement_coordinates(nodes["requirement"]))
    coords["reservoir_min_volume"] = ("reservoir", reservoirs.lowest_min,
                                      {"description": "Lowest min_volume of each reservoir over the run's steps (its "
                                       "dead storage where that is constant; NaN: one a parameter of the reservoirs' "
                                       "state gives)", "units": "hm3"})
    coords["reservoir_initial_volume"] = ("reservoir", reservoirs.initial,
                                          {"description": "Volume of each reservoir at the run's start, in every "
                                           "trace: its initial_volume, or its max_volume in the first step where it "
                                           "has none", "units": "hm3"})
    if reservoirs.rule_curve is not None:
        coords["reservoir_rule_curve"] = ("reservoir", np.asarray(reservoirs.rule_curve, dtype=np.int8),
                                          {"description": "1 where the reservoir has a rule curve (target_volume), "
                                           "which annual_steps_below_target and annual_max_storage_shortfall "
                                           "measure; 0 where it has none (they are NaN)"})
    coords["hydropower_energy_target"] = (
        "hydropower", np.array([n.get("energy_target") is not None for n in nodes["hydropower"]], dtype=np.int8),
        {"description": "1 where the plant has an energy target (energy_target), which annual_energy_target, "
         "annual_energy_shortfall, annual_winter_energy_target and annual_winter_energy_shortfall measure; 0 where "
         "it has none (they are NaN)"})
    coords["system"] = ("system", [str(v) for v in systems["system"]],
                        {"description": "River system (a connected part of the network), named by the model's "
                         "basins: the water stress's unit (daryo.sdg.water_stress)"})
    coords["system_country"] = ("system", [str(v) for v in systems["system_country"]],
                                {"description": "Countries of each system's nodes (ISO 3166-1 alpha-3, separated by "
                                 "spaces)"})
    if edges is not None:  # (the edge_flow series' dimension: every edge of the compiled network)
        coords["edge"] = ("edge", list(edges.ids), {"description": "Id of each edge of the network (a reservoir's "
                                                     "spill edge too), as a run's results name it"})
        coords["edge_from"] = ("edge", [a for a, _ in edges.ends], {"description": "Node each edge leaves"})
        coords["edge_to"] = ("edge", [b for _, b in edges.ends], {"description": "Node each edge enters"})
    return coords


def demand_systems(net: CompiledNetwork) -> list[str]:
    """The river system of each demand of ``net``, named by the model's basins, as the store's ``system``
    dimension names them (every trace of an ensemble has the same: only its inflows vary)."""
    from .chunks import stress_accounts

    accounts = stress_accounts(net)
    return [accounts.systems[int(accounts.node_system[net.node_ids.index(d)])] for d in net.demand_ids]


@dataclass(frozen=True)
class Edges:
    """The compiled network's edges, ids and (from, to) nodes: the ``edge`` dimension of the ``edge_flow`` series."""

    ids: list[str]
    ends: list[tuple[str, str]]

    @classmethod
    def of(cls, net: CompiledNetwork) -> Edges:
        """The edges of ``net``."""
        return cls(list(net.edge_ids), [(str(a), str(b)) for a, b in net.edge_ends])


@dataclass(frozen=True)
class ReservoirVolumes:
    """Each reservoir's volumes the store keeps as coordinates (hm³), as the compiled network holds them: ids, the
    lowest ``min_volume`` over the run's steps (NaN where a parameter of the reservoirs' state gives it) and the
    volume at the start, and whether it has a rule curve (``target_volume``; None: not known).  Every trace of an
    ensemble has the same: only its inflows vary."""

    ids: list[str]
    lowest_min: np.ndarray
    initial: np.ndarray
    rule_curve: np.ndarray | None = None

    @classmethod
    def of(cls, net: CompiledNetwork) -> ReservoirVolumes:
        """Those of ``net`` (its first scenario's: an ensemble's traces differ in their inflows only)."""
        lowest = net.res_min[0].min(axis=0) if net.res_min.shape[1] else np.full(len(net.res_ids), np.nan)
        for binding in net.bindings:
            if binding.target == "res_min":  # (set each step from the state: res_min holds 0 there)
                lowest[binding.index] = np.nan
        return cls(list(net.res_ids), lowest.astype(float), np.asarray(net.res_initial[0], dtype=float),
                   rule_curve_columns(net) >= 0)


def _read_part(parts: _Parts, chunk: int, coords: Mapping[str, Any], caveat: str, comment: str,
               trace_names: Sequence[str], series: Sequence[str], traces: np.ndarray) -> Any:
    """The part of chunk ``chunk`` as a Dataset of the store (:func:`_part_dataset`), checked to hold the chunk's
    traces ``traces``, the monthly ``series`` the run stores and arrays of the run's sizes: a part changed or copied
    from another run gave xarray's "conflicting sizes for dimension 'trace'", which named no file (a QA review), and
    one without a series the run stores was written without it.

    Raises
    ------
    OSError
        Naming the part, if it cannot be read or is not the chunk's of this run.
    """
    part = parts.read(chunk)
    held = part.get("trace")
    try:
        if missing := [name for name in series if name not in part]:
            raise KeyError(missing[0])
        if held is None or not np.array_equal(held, traces):
            raise ValueError(f"it holds traces {_trace_span(held)} where chunk {chunk} has traces "
                             f"{_trace_span(traces)}")
        return cf_dataset(_part_dataset(part, coords, caveat, comment, trace_names))
    except (ValueError, KeyError, IndexError) as exc:
        what = f"{exc.args[0]!r} is missing" if isinstance(exc, KeyError) and exc.args else str(exc)
        raise OSError(f"{parts.path(chunk)} is not a part of this run ({what}); delete it and run again with "
                      f"{RESUME} to recompute it") from None


def _trace_span(traces: np.ndarray | None) -> str:
    """Trace numbers for a message: "0-499", "3" or "none"."""
    if traces is None or not np.size(traces):
        return "none"
    values = np.ravel(traces)
    if values.size == 1:
        return str(values[0])
    first = values[0]
    consecutive = np.issubdtype(values.dtype, np.integer) and np.array_equal(values, first + np.arange(values.size))
    return f"{values[0]}-{values[-1]}" if consecutive else f"{values.size} traces, not consecutive"


def _part_dataset(part: Mapping[str, np.ndarray], coords: Mapping[str, Any], caveat: str = "", comment: str = "",
                  trace_names: Sequence[str] = ()) -> Any:
    """A part's arrays as a Dataset of the store; ``caveat``: why its water stress means nothing ("": none);
    ``comment``: how it counts inflows that supply what the allocation takes ("": none); ``trace_names``: the names
    of the run's traces (trace i's the i-th), where its source names them, which its coordinate ``trace_name``
    holds, as text as wide as the longest name's UTF-8 bytes in every part (so that the parts' names append to the
    first's)."""
    import xarray as xr

    data: dict[str, Any] = {}
    for name, dim in STORABLE_SERIES.items():  # (those the run stored: EnsembleOptions.series)
        if name in part:
            data[name] = (("trace", "time", dim), part[name], {"units": _UNITS.get(name, "hm3"),
                                                               "description": _DESCRIPTIONS[name]})
    for name, dim in ANNUAL_INDICATORS.items():
        noted = {k: v for k, v in (("caveat", caveat), ("comment", comment)) if v and dim == "system"}
        data[name] = (("trace", "year", dim), part[name], {"units": _UNITS.get(name, "hm3"),
                                                           "description": _DESCRIPTIONS[name], **noted})
    data["trace_digest"] = ("trace", part["trace_digest"], {
        "units": "1",
        "description": "Digest of each trace's inflows (the first 4 bytes of a SHA-256 of each inflow node's id and "
                       "step volumes, by id, as a 32-bit integer): two ensembles whose traces have the same digests "
                       "ran the same hydrology, trace by trace"})
    c = {k: v for k, v in coords.items()}
    c["trace"] = ("trace", part["trace"], {"description": "Trace number: trace i depends only on the seed and i"})
    if trace_names:
        width = max(len(name.encode("utf-8")) for name in trace_names)
        c["trace_name"] = ("trace", np.asarray(trace_names, dtype=f"U{width}")[np.asarray(part["trace"])],
                           {"description": _TRACE_NAME})
    return xr.Dataset(data, coords=c)


#: the description of an ensemble store's ``trace_name``
_TRACE_NAME = ("Name of each trace, as its source names it: for daryo ensemble --hydrology columns "
               "(daryo.ensemble.ModelColumns), the model's scenario column it is (a CSV file's column name), unchanged")


def _names_as_characters(ds: Any) -> Any:
    """``ds`` with its ``trace_name`` (where it has one) as UTF-8 bytes of the width its text has, which NetCDF
    stores as characters of that width, read back as the same text: a NetCDF file's characters are as many as its
    first part's longest name takes, which later parts' names, appended, must fit (see :func:`_nc_append`)."""
    if "trace_name" not in ds.coords:
        return ds
    names = ds["trace_name"]
    width = max(1, names.dtype.itemsize // np.dtype("U1").itemsize)
    data = np.array([str(n).encode("utf-8") for n in names.values], dtype=f"S{width}")
    return ds.assign_coords(trace_name=("trace", data, {**names.attrs, "_Encoding": "utf-8"}))


#: the units of the stored series and annual indicators that are not volumes (hm3): flows per step as a run's
#: results give them, annual sums per year
_UNITS = {"delivery": "hm3 per step", "deficit": "hm3 per step", "sink_inflow": "hm3 per step", "energy": "GWh",
          "turbine_flow": "hm3 per step", "demanded": "hm3 per step", "edge_flow": "hm3 per step",
          "annual_delivery": "hm3 per year", "annual_demand": "hm3 per year", "annual_sink_inflow": "hm3 per year",
          "annual_energy": "GWh per year", "annual_winter_energy": "GWh per year", "annual_deficit_fraction": "1",
          "annual_winter_delivery": "hm3 per year", "annual_winter_demand": "hm3 per year",
          "annual_inflow": "hm3 per year",
          "annual_withdrawal": "hm3 per year", "annual_renewable_water": "hm3 per year",
          "annual_environmental_flow": "hm3 per year", "annual_water_stress": "%",
          "required": "hm3 per step", "requirement_met": "hm3 per step", "annual_required": "hm3 per year",
          "annual_requirement_met": "hm3 per year", "annual_requirement_shortfall_fraction": "1",
          "annual_steps_below_target": "1", "annual_max_storage_shortfall": "hm3",
          "annual_energy_target": "GWh per year", "annual_energy_shortfall": "GWh per year",
          "annual_winter_energy_shortfall": "GWh per year", "annual_winter_energy_target": "GWh per year"}
_DESCRIPTIONS = {
    "storage": "End-of-step reservoir volume", "delivery": "Water delivered to each demand per step",
    "deficit": "Demand not delivered per step (none where up to 1e-8 hm3: solver noise)",
    "sink_inflow": "Water received by each terminal sink per step",
    "energy": "Hydropower energy per step", "turbine_flow": "Water through each plant's turbines per step",
    "edge_flow": "Flow leaving the upstream end of each edge per step (as a run's results give it: what arrives is "
                 "less by the edge's loss; where several edges can carry the same water at the same cost, their split "
                 "is one of equal optima, which may differ between the fast and the plain path)",
    "demanded": "Water wanted by each demand per step",
    "required": "Flow required by each flow requirement per step",
    "requirement_met": "Part of each flow requirement met per step: the flow through its node, up to the requirement",
    "annual_required": "Flow required by each flow requirement in each run year",
    "annual_requirement_met": "Part of each flow requirement met in each run year: the flow through its node, up to "
                              "the requirement, step by step",
    "annual_requirement_shortfall_fraction": "Flow required and not met over flow required in each run year (0 where "
                                             "nothing is required or the fraction is below 1e-6)",
    "annual_delivery": "Water delivered in each run year",
    "annual_demand": "Water wanted in each run year",
    "annual_deficit_fraction": "Demand not delivered over demand in each run year, the sum of the steps' "
                               "deficits over that of their demands (0 where nothing is wanted or the fraction is "
                               "below 1e-6; at most 1)",
    "annual_min_storage": "Lowest end-of-step volume in each run year",
    "annual_steps_below_target": "Steps (months, of a monthly run) of each run year whose end-of-step volume is below "
                                  "the reservoir's rule-curve target (target_volume) by more than 1e-8 hm3 (solver "
                                  "noise): those a run's storage_shortfall is above 0 in; NaN for a reservoir "
                                  "without target_volume",
    "annual_max_storage_shortfall": "Largest shortfall of the end-of-step volume below the reservoir's rule-curve "
                                    "target (target_volume) in each run year, the largest of a run's "
                                    "storage_shortfall (0: the target held, up to 1e-8 hm3 of solver noise); NaN for a "
                                    "reservoir without target_volume",
    "annual_sink_inflow": "Water received by each sink in each run year",
    "annual_energy": "Hydropower energy in each run year",
    "annual_winter_energy": "Hydropower energy of the winter months (October-March) in each run year (of a run "
                            "whose years start in November to March, the months of two winters: January-March of "
                            "one and October-December of the next, from a January start)",
    "annual_energy_target": "Energy wanted of each plant with an energy target in each run year: the sum of its "
                            "steps' energy_target; NaN for a plant without energy_target",
    "annual_energy_shortfall": "Energy wanted and not generated by each plant with an energy target in each run "
                               "year: the sum of a run's energy_shortfall over its steps (none in a step where up "
                               "to 1e-8 GWh: solver noise); NaN for a plant without energy_target",
    "annual_winter_energy_target": "Energy wanted of each plant with an energy target in the winter months "
                                   "(October-March) of each run year (of two winters where its years start in "
                                   "November to March, as annual_winter_energy); NaN for a plant without "
                                   "energy_target",
    "annual_winter_energy_shortfall": "Energy wanted and not generated in the winter months (October-March) of each "
                                      "run year (of two winters where its years start in November to March, as "
                                      "annual_winter_energy), as annual_energy_shortfall; NaN for a plant without "
                                      "energy_target",
    "annual_winter_delivery": "Water delivered in the winter months (October-March) of each run year (of two "
                              "winters where the run's years start in November to March, as annual_winter_energy); "
                              "the summer's (April-September) is annual_delivery less it",
    "annual_winter_demand": "Water wanted in the winter months (October-March) of each run year (of two winters "
                            "where the run's years start in November to March, as annual_winter_energy); the "
                            "summer's (April-September) is annual_demand less it, and a season's deficit its demand "
                            "less its delivery (annual_winter_delivery)",
    "annual_inflow": "Water supplied by each inflow node in each run year: the trace's hydrology (for an inflow "
                     "node without an inflow series, what the allocation took between its min_flow and max_flow)",
    "annual_withdrawal": "Water taken out of each river system's rivers in each run year, SDG 6.4.2's withdrawal "
                         "(daryo.sdg.water_stress): the flow into canals and demands from the rivers, less what "
                         "off-river works bring back to them; gross of demands' returns",
    "annual_renewable_water": "Renewable water of each river system in each run year: its inflow nodes' supply",
    "annual_environmental_flow": "Environmental flow requirement of each river system in each run year: the least "
                                 "water its sources must leave in its rivers to meet the flow requirements on them "
                                 "(more than the year's renewable water in a year too dry to meet them: the year's "
                                 "water stress then finds none left)",
    "annual_water_stress": "Level of water stress (SDG 6.4.2's ratio) of each river system in each run year, of "
                           "that year's own water: withdrawal / (renewable water - environmental flow requirement) "
                           "x 100 (inf where water is withdrawn and none is left after the environmental flows; "
                           "FAO's levels: below 25 no stress, 50 low, 75 medium, up to 100 high, above critical). "
                           "SDG 6.4.2 itself takes the long-term mean of renewable water: the ratio of the mean "
                           "annual terms over the trace-years (daryo.ensemble.water_stress_table's long_term)",
}


def _assemble(parts: _Parts, n_chunks: int, output: Path, fmt: str, manifest: Mapping[str, Any], model: Model,
              axis: Any, options: EnsembleOptions, reservoirs: ReservoirVolumes, demand_system: Sequence[str],
              edges: Edges | None = None, check: Callable[[], None] = lambda: None,
              trace_names: Sequence[str] = ()) -> None:
    """Write the final store from the parts, one part at a time, then the summaries, under a temporary name, and
    move it into place.  ``reservoirs``, ``demand_system``, ``edges``: the reservoirs' volumes, the demands' river
    systems and the edges of the run's compiled network, which the store keeps.  ``check()`` is
    called between two writes and before the move (it may raise to stop: see
    :func:`daryo._files.interrupts_between`); the temporary store is then removed.  ``trace_names``: the traces'
    names, where their source names them (the store's ``trace_name``)."""
    coords = _coords(model, axis, parts.read(0, ["system", "system_country"]), reservoirs, demand_system, edges)
    notes = water_stress_notes(model)
    caveat, comment = notes["water_stress_not_known"], notes["water_stress_note"]
    target = write_target(output)  # a .nc output's link is written through (check_output refuses a zarr one)
    tmp = _temporary_beside(target)
    attrs = _store_attributes(manifest)
    attrs["title"] = f"{_TITLE}: {model.name}"
    attrs["software"] = software_versions()  # (the file's, as its title: a resume with other versions may finish it)
    attrs.update(caveats(model))
    attrs["data_files"] = data_files_text(model.data_files)  # (as a run's results: sha256sum's lines)
    attrs["overlay_files"] = data_files_text(overlay_digests(model))
    attrs[STORE_ID] = uuid.uuid4().hex
    bounds = None  # the steps' bounds, of the first part
    done = 0  # the parts written to the store
    first = 0  # the first trace of the part under way
    try:
        for c in range(n_chunks):
            ds = _read_part(parts, c, coords, caveat, comment, trace_names, options.stored_series(),
                            np.arange(first, min(first + (options.chunk_size or options.traces), options.traces)))
            if fmt == "nc":
                ds = _names_as_characters(ds)
            if c == 0:
                bounds = ds["time_bnds"].reset_coords(drop=True)
                ds.attrs.update(attrs)
                if fmt == "zarr":  # (consolidated at the end, with the summaries: its arrays grow below)
                    ds.to_zarr(tmp, mode="w", zarr_format=2, consolidated=False,
                               encoding={v: {"chunks": _zarr_chunks(ds[v], options)} for v in ds.data_vars})
                    _grow_traces(tmp, options.traces)
                else:
                    with netcdf_io():
                        netcdf_text(ds).to_netcdf(tmp, unlimited_dims=["trace"], encoding=netcdf_encoding(ds))
            elif fmt == "zarr":
                _zarr_region(tmp, ds, first)
            else:
                _nc_append(tmp, ds)
            first += ds.sizes["trace"]
            done = c + 1
            check()
        summary = summarise([parts.annual(c) for c in range(n_chunks)], coords, options.threshold())
        for name in summary.data_vars:
            if "system" in summary[name].dims:
                summary[name].attrs.update({k: v for k, v in (("caveat", caveat), ("comment", comment)) if v})
        check()
        summary.attrs.update(attrs)  # writing the summary sets the store's attributes: the run's, not none
        summary = cf_dataset(summary)
        if fmt == "zarr":  # (its write replaces the store's global attributes, among them the "coordinates" that make
            # the step bounds and the edges' ends coordinates: they are written again with it, so that they stay so)
            summary.coords["time_bnds"] = bounds
            summary = summary.assign_coords({k: v for k, v in coords.items()
                                             if isinstance(v, tuple) and v[0] == "edge"})
            summary.to_zarr(tmp, mode="a", zarr_format=2, consolidated=True)
        else:
            with netcdf_io():
                netcdf_text(summary).to_netcdf(tmp, mode="a", encoding=netcdf_encoding(summary))
        check_output(output)  # still nothing but an earlier result (the run may have taken hours)
        check()
    except BaseException as exc:  # no half-written store left beside the output (the parts are kept: --resume)
        full = _out_of_room(exc, tmp, sum(file_size(parts.path(c)) for c in range(done, n_chunks)))
        _remove(tmp)
        if full or isinstance(exc, RuntimeError) or (isinstance(exc, OSError) and exc.errno and not exc.filename
                                                     and not isinstance(exc, PermissionError)):  # the library's or
            # the system's error (not a protected output: refuse_write_protected's message names it)
            kept = f"the finished chunks are kept in {parts.dir}: run again with {RESUME}"
            if not full:
                raise OSError(f"cannot write {output}: {exc}; {kept} to finish the run") from exc
            why = "its disk is full" if isinstance(exc, PermissionError) else str(exc)
            raise OSError(f"cannot write {output}: {why}{free_space_note(output)}; {kept} once there is room"
                          ) from exc
        raise
    try:
        _move_into_place(tmp, target)
    except OSError as exc:  # (an earlier store that cannot be moved aside: its folder's permissions changed meanwhile)
        _remove(tmp)
        why = f"{exc.strerror}: {exc.filename}" if exc.strerror and exc.filename else str(exc)
        raise OSError(f"cannot replace {output} ({why}); the finished chunks are kept in {parts.dir}: run again "
                      f"with {RESUME} once it can be replaced") from exc


def _out_of_room(exc: BaseException, tmp: Path, left: int) -> bool:
    """Whether the write of a store at ``tmp`` failed with ``exc`` for want of room on its disk, ``left`` bytes
    (about) still to be written: the system's "No space left on device" or "Disk quota exceeded"; the netCDF
    library's "Permission denied" creating the file on a full disk (:func:`daryo._files.full_disk`); or its
    "NetCDF: HDF error", which names no cause, where the disk has less room than is left to write, or hardly any
    (a backend developer's review: an HDF error with 69 GB free was told as a full disk, "once there is room")."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    if isinstance(exc, PermissionError):
        return full_disk(tmp)
    if not isinstance(exc, RuntimeError):
        return False
    free = free_bytes(tmp.absolute().parent)
    return free is not None and free < left + ALMOST_FULL


def _temporary_beside(target: Path) -> Path:
    """A new name under which a store that replaces ``target`` is written first (``.<name>.tmp-<host>-<pid>-<random>``,
    :func:`daryo._files.temporary_prefix`, as daryo's other files are written).  The temporary stores that this
    host's writers left when they were killed before they could clean up are removed first
    (:func:`daryo._files.remove_stale_temporaries`), where this user may (another user's in a team folder is left: a
    trainer's review, whose run failed at its end on a neighbour's leftover), and so are the earlier stores they had
    moved aside (``.<name>.old-<host>-<pid>-<random>``, :func:`_move_into_place`) once ``target`` exists (without it
    such a store is the only copy of the earlier results: :func:`restore_moved_aside` puts it back).  Another host's
    are left whatever their process ids (a cluster's hosts sharing the disk: this host cannot tell whether their
    writers live)."""
    folder, prefix = target.parent, f".{target.name}."
    remove_stale_temporaries(folder, prefix)
    if target.exists():
        remove_stale_temporaries(folder, prefix, "old")
    return target.with_name(temporary_prefix(prefix) + uuid.uuid4().hex[:12])


def restore_moved_aside(output: str | Path) -> Path | None:
    """Put back at ``output`` the earlier store a run of this host moved aside to replace it and was killed before it
    could move its own in (between :func:`_move_into_place`'s two renames), where ``output`` does not exist: the
    earlier results, whole, as if the run had been killed a moment before.  The latest such store if there are
    several (:func:`~daryo.ensemble.parts.moved_aside`); one of another host's run, or of a live process, is left.

    Returns
    -------
    pathlib.Path or None
        The name the store was put back from (None: none was).
    """
    target = Path(output)
    if target.exists() or target.is_symlink() or (latest := moved_aside(target)) is None:
        return None
    try:
        os.replace(latest, target)
    except OSError:  # (another run put it back meanwhile, or this user may not)
        return None
    return latest


def _move_into_place(tmp: Path, target: Path) -> None:
    """Move the store written at ``tmp`` onto ``target``: a file in one step; a folder (zarr) in two renames, the
    earlier store moved aside first (``.<name>.old-<host>-<pid>-<random>``, which is removed once the new one is in
    place), so that a process killed at any moment leaves the old store whole or the new one in place (removing
    the old store first took seconds on a network disk, and a kill meanwhile left it half deleted: an operations
    review); one killed between the two renames leaves only the old store, moved aside, which the next run of the
    same output puts back first (:func:`restore_moved_aside`).  An old store that cannot be removed once the new
    one is in place (its permissions changed meanwhile) is left under its hidden name, for a later run to remove;
    one that cannot be moved aside raises, ``target`` left as it was, and so does one open in this process
    (:func:`reading_store`: its readers would read the new store's chunks under the old one's attributes)."""
    if not tmp.is_dir() or not target.exists():
        os.replace(tmp, target)
        return
    aside = target.with_name(temporary_prefix(f".{target.name}.", "old") + uuid.uuid4().hex[:12])
    with _OPEN_STORES_LOCK:  # (no reader of this process opens it between the check and the renames)
        _refuse_open_store(target)
        os.replace(target, aside)
        try:
            os.replace(tmp, target)
        except BaseException:
            os.replace(aside, target)
            raise
    with contextlib.suppress(OSError):
        _remove(aside)


def _zarr_chunks(da: Any, options: EnsembleOptions) -> tuple[int, ...]:
    """The zarr chunks of a part's array ``da``: the run's chunk of traces, whole along its other dimensions, and
    1 along an empty one (a model without plants: a chunk of 0, which zarr's specification does not allow, and
    netCDF-C's zarr reader refuses: a hydromet data manager's audit)."""
    return tuple(int(options.chunk_size or 1) if d == "trace" else max(1, int(s))
                 for d, s in zip(da.dims, da.shape, strict=True))


def _grow_traces(path: Path, traces: int) -> None:
    """Make each array along ``trace`` of the zarr store at ``path`` (its first part's, written) as long as the
    run's ``traces``, so that each further part is written into its own place (:func:`_zarr_region`).  Appending a
    part instead resized every array and rewrote the store's metadata each time: a 500-trace, 50-year part of the
    embedded model took ~1.1 s to write, ~0.6 s this way."""
    import zarr

    group = zarr.open_group(path, mode="r+", zarr_format=2)
    for _, array in group.arrays():
        dims = array.attrs.get("_ARRAY_DIMENSIONS")
        if isinstance(dims, list) and "trace" in dims:
            shape = list(array.shape)
            shape[dims.index("trace")] = traces
            array.resize(tuple(shape))


def _zarr_region(path: Path, ds: Any, first: int) -> None:
    """Write a part's Dataset (not the first) into the zarr store at ``path``, grown to the run's traces
    (:func:`_grow_traces`), as its traces from ``first`` on: its variables along ``trace``; the others are the
    first part's, written with it.  A part is whole zarr chunks of each array, so that no chunk is shared with
    another part."""
    import zarr

    region = slice(first, first + ds.sizes["trace"])
    others = [name for name in ds.variables if "trace" not in ds[name].dims]
    ds.drop_vars(others).to_zarr(path, region={"trace": region}, zarr_format=2, consolidated=False)
    zarr.open_array(path / "trace", mode="r+", zarr_format=2)[region] = ds["trace"].values  # (the traces' numbers:
    # a region's write leaves the index alone)


def _nc_append(path: Path, ds: Any) -> None:
    """Append a part's Dataset (its ``trace_name`` as :func:`_names_as_characters` makes it) to the NetCDF file at
    ``path``."""
    import netCDF4

    with netcdf_io(), netCDF4.Dataset(path, "a") as nc:
        n0 = len(nc.dimensions["trace"])
        n = ds.sizes["trace"]
        nc.variables["trace"][n0:n0 + n] = ds["trace"].values
        if "trace_name" in ds.coords:  # (its bytes as the characters of the first part's width)
            names = nc.variables["trace_name"]
            names.set_auto_chartostring(False)
            width = len(nc.dimensions[names.dimensions[1]])
            chars = np.ascontiguousarray(ds["trace_name"].values, dtype=f"S{width}").view("S1").reshape(n, width)
            names[n0:n0 + n] = chars
        for name, da in ds.data_vars.items():
            nc.variables[name][n0:n0 + n] = da.values


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        try:
            shutil.rmtree(path)
        except OSError:  # a write interrupted by a signal may leave threads adding files: once more, a moment later
            time.sleep(0.2)
            shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def summarise(parts: Sequence[Mapping[str, np.ndarray]], coords: Mapping[str, Any], threshold: float,
              max_bytes: int = 64 * 2**20) -> Any:
    """Distribution summaries of the annual indicators over all (trace, year) pairs: mean, 5/50/95
    percentiles, and the probability that a demand's annual deficit exceeds ``threshold`` of it.

    ``parts``: the annual arrays (traces × years × elements) of each part, read once per indicator and block of
    elements (they may read from disk on access).  An indicator's values are taken for as many elements at a time
    as fit in ``max_bytes`` (at least one), so the memory a summary takes does not grow with the elements; it grows
    with the (trace, year) pairs, since percentiles need all of an element's values at once."""
    import xarray as xr

    stats = ["mean"] + [f"p{int(p)}" for p in _PERCENTILES]
    data: dict[str, Any] = {}
    for k, dim in ANNUAL_INDICATORS.items():
        values, above = _summary_of(parts, k, threshold, max_bytes)
        name = short_name(_DESCRIPTIONS[k], LONG_NAME_MAX - len(_STATS)) + _STATS
        data[f"summary_{k}"] = (("statistic", dim), values,
                                {"units": _UNITS.get(k, "hm3"),
                                 "description": f"{_DESCRIPTIONS[k]}: mean and percentiles over all traces "
                                 "and run years", "long_name": name})
        if k == "annual_water_stress":
            data["prob_water_stress_level"] = (("stress_level", dim), _level_shares(parts, k), {
                "units": "1", "description": "Share of all traces and run years in each of FAO's levels of water "
                "stress (SDG 6.4.2; a trace-year with no withdrawal and no water is in none)"})
        if k == "annual_steps_below_target":
            data["prob_below_target"] = ((dim,), _share_below_target(parts, k), {
                "units": "1", "description": "Probability that a run year has some step whose end-of-step volume is "
                "below the reservoir's rule-curve target (over all traces and run years); NaN for a reservoir "
                "without target_volume"})
        if k == "annual_energy_shortfall":
            data["prob_energy_target_missed"] = ((dim,), _share_missed(parts, k, "annual_energy_target"), {
                "units": "1", "tolerance": ENERGY_MISSED_TOLERANCE,
                "description": "Probability that a run year misses the plant's energy target: its energy shortfall "
                "(the target not generated, summed over the steps short of it; steps above the target do not make up "
                f"for them) is above {ENERGY_MISSED_TOLERANCE * 100:g} % of the year's target (over all traces and "
                "run years); NaN for a plant without energy_target"})
        if k == "annual_winter_energy_shortfall":  # (a Tajik utility planner's review: the deal's question)
            data["prob_winter_energy_target_missed"] = ((dim,), _share_missed(
                parts, k, "annual_winter_energy_target"), {
                "units": "1", "tolerance": ENERGY_MISSED_TOLERANCE,
                "description": "Probability that a run year's winter (October-March) misses the plant's winter "
                f"energy target: its winter shortfall is above {ENERGY_MISSED_TOLERANCE * 100:g} % of the winter's "
                "target (over all traces and run years); NaN for a plant without energy_target"})
        if k == "annual_deficit_fraction":
            data["prob_deficit_above_threshold"] = (
                (dim,), above, {"units": "1", "threshold": threshold,
                                "description": f"Probability that a run year's deficit exceeds {float(threshold)!r} "
                                "of the demand (over all traces and run years)"})
    elements = {k: v for k, v in coords.items()
                if k in _SUMMARISED or (isinstance(v, tuple) and v[0] in _SUMMARISED)}
    statistic = ("statistic", stats, {"description": "mean, then percentiles over all traces and run years "
                                      "(p5: 5th; linear interpolation between the ordered values, as numpy's "
                                      "percentile)"})
    levels = ("stress_level", list(LEVEL_NAMES),
              {"description": "FAO's levels of water stress (SDG 6.4.2), by the ratio in %: no stress below 25, "
               "low below 50, medium below 75, high up to 100, critical above"})
    return xr.Dataset(data, coords={"statistic": statistic, "stress_level": levels, **elements})


def _pooled(parts: Sequence[Mapping[str, np.ndarray]], key: str) -> np.ndarray:
    """The parts' values of annual indicator ``key`` over all their (trace, year) pairs: (pairs, elements)."""
    return np.concatenate([part[key].reshape(part[key].shape[0] * part[key].shape[1], part[key].shape[2])
                           for part in parts])


def _share_of_pairs(hit: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The share of the pairs (rows) each element (column) is ``hit`` in; NaN for an element whose ``values`` are
    NaN (one without a rule curve or an energy target) or where there are no pairs."""
    if not len(values):
        return np.full(values.shape[1], np.nan)
    return np.where(np.isnan(values).any(axis=0), np.nan, hit.mean(axis=0))


def _share_below_target(parts: Sequence[Mapping[str, np.ndarray]], key: str) -> np.ndarray:
    """The share of the parts' (trace, year) pairs in which each reservoir is below its rule curve in some step
    (``key``: the steps below it each year; (reservoirs,)); NaN for a reservoir without a rule curve."""
    below = _pooled(parts, key)
    return _share_of_pairs(below > 0, below)


def _share_missed(parts: Sequence[Mapping[str, np.ndarray]], key: str, target: str) -> np.ndarray:
    """The share of the parts' (trace, year) pairs in which each plant misses its energy target (``key``: the
    yearly shortfalls; ``target``: the yearly targets; :func:`~daryo.ensemble.chunks.target_missed`; (plants,));
    NaN for a plant without an energy target."""
    short = _pooled(parts, key)
    return _share_of_pairs(target_missed(short, _pooled(parts, target)), short)


def _level_shares(parts: Sequence[Mapping[str, np.ndarray]], key: str) -> np.ndarray:
    """The share of the parts' (trace, year) pairs of indicator ``key`` (a water stress, %) in each of FAO's
    levels ((levels, systems)); NaN (no withdrawal and no water) is in none."""
    level = stress_level_index(np.concatenate([part[key].reshape(-1, part[key].shape[2]) for part in parts]))
    return np.array([(level == k).mean(axis=0) for k in range(len(LEVEL_NAMES))])


def _summary_of(parts: Sequence[Mapping[str, np.ndarray]], key: str, threshold: float, max_bytes: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """The statistics (mean, then the percentiles; (4, E)) of indicator ``key`` over the parts' (trace, year)
    pairs, and the share of them above ``threshold`` (E,), taken a block of elements at a time."""
    if not parts:
        return np.zeros((1 + len(_PERCENTILES), 0)), np.zeros(0)
    first = parts[0][key]
    n_elements, rows = first.shape[2], first.shape[0] * first.shape[1] * len(parts)  # (rows: at most)
    values = np.zeros((1 + len(_PERCENTILES), n_elements))
    above = np.zeros(n_elements)
    width = max(1, max_bytes // max(1, 8 * rows))
    for lo in range(0, n_elements, width):
        hi = min(lo + width, n_elements)
        a = np.concatenate([(first if i == 0 else part[key])[:, :, lo:hi].reshape(-1, hi - lo).T
                            for i, part in enumerate(parts)], axis=1)  # (elements, pairs)
        if a.shape[1]:  # (each element's mean on its own row: summed the same way whatever the block's width;
            # NaN, a water stress with no withdrawal and no water, is left out)
            missing = np.isnan(a)
            nan = missing.any()
            some = ~missing.all(axis=1)  # (a system with no water and no withdrawal in any year: NaN; only the
            # others are taken, numpy warns of a row of NaN alone)
            del missing
            values[:, lo:hi] = np.nan
            values[0, lo:hi][some] = [np.nanmean(row) if nan else row.mean() for row in a[some]]
            values[1:, lo:hi][:, some] = _percentiles(a[some], nan)
            above[lo:hi] = (a > threshold).mean(axis=1)
        del a
    return values, above


def _percentiles(a: np.ndarray, nan: bool) -> np.ndarray:
    """The percentiles (linear interpolation, as numpy's) of each row of ``a`` ((percentiles, rows)), NaN left out
    where ``nan``; a percentile that reaches an infinite value (a water stress where no water is left) is infinite,
    where numpy's interpolation gives NaN."""
    with np.errstate(invalid="ignore"):
        out = (np.nanpercentile if nan else np.percentile)(a, _PERCENTILES, axis=1)
    for i in np.flatnonzero(np.isinf(a).any(axis=1)):
        v = np.sort(a[i][~np.isnan(a[i])])
        at = np.array(_PERCENTILES) / 100.0 * (v.size - 1)
        below, above = np.floor(at).astype(np.int64), np.ceil(at).astype(np.int64)
        with np.errstate(invalid="ignore"):
            out[:, i] = np.where(at == below, v[below], np.where(np.isinf(v[above]), v[above],
                                                                 v[below] + (v[above] - v[below]) * (at - below)))
    return out
