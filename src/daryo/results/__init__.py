"""A run's results: its raw arrays labelled as one xarray Dataset (scenario × time × element), and the
:class:`Results` that holds it, saves it as NetCDF and CSV files and summarises it.

Modules: :mod:`~daryo.results.dataset` (the Dataset: its coordinates, variables, shortfalls and targets, and the
network's topology), :mod:`~daryo.results.provenance` (what the results were made from, as their attributes),
:mod:`~daryo.results.notes` (the advice printed after a run), :mod:`~daryo.results.tables` (the summary tables
printed, and ``summary.csv``) and :mod:`~daryo.results.files` (the files written: which targets may be replaced, and a
variable's CSV table).  ``daryo.results`` gives the names of its ``__all__``;
the rest of daryo imports any other from its module.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from .._files import (
    CSV_FLOAT,
    NamedOSError,
    free_space_note,
    full_disk,
    interrupts_between,
    locked_folder,
    mode_for,
    refuse_write_protected,
    remove_stale_temporaries,
    temp_beside,
    temporary_prefix,
    user_path,
    write_target,
)
from .._netcdf import netcdf_io
from ..cf import cf_dataset, netcdf_encoding, netcdf_text
from .dataset import (
    SHORTFALL_NOISE,
    build_dataset,
    display_names,
    energy_targets,
    requirement_columns,
    requirement_coordinates,
    requirement_met,
    shortfall,
    storage_targets,
    topology,
)
from .files import (
    _TABLES_CSV,
    ELEMENTS_CSV,
    RUN_CSV,
    STEPS_CSV,
    SUMMARY_CSV,
    VARIABLES_CSV,
    _check_csv_targets,
    _other_runs_csv,
    _remove_other_runs_csv,
    _write_table,
    check_csv_folder,
    check_netcdf_target,
    is_netcdf,
    netcdf_attributes,
    refuse_file_as_folder,
)
from .notes import advice
from .provenance import caveats, software_versions, solver_method
from .tables import _with_run_dims, summary_table

if TYPE_CHECKING:
    from ..model import Model

__all__ = ["SHORTFALL_NOISE", "Results", "advice", "build_dataset", "caveats", "check_csv_folder",
           "check_netcdf_target", "display_names", "energy_targets", "is_netcdf", "netcdf_attributes",
           "requirement_columns", "requirement_coordinates", "requirement_met", "shortfall", "software_versions",
           "solver_method", "storage_targets", "summary_table", "topology"]

#: the dimensions of a results Dataset that are not elements
_NOT_ELEMENTS = ("scenario", "time")


class Results:
    """The outcome of a run: a labelled :class:`xarray.Dataset` and ways to save and summarise it."""

    def __init__(self, dataset: xr.Dataset):
        if not isinstance(dataset, xr.Dataset):
            raise TypeError(f"Results takes an xarray Dataset (a run's, as daryo.run returns it in a Results), "
                            f"not {type(dataset).__name__}")
        self.dataset = dataset

    def __repr__(self) -> str:
        d = self.dataset.sizes
        return f"<daryo.Results {self.dataset.attrs.get('model', '')}: {dict(d)}>"

    def to_netcdf(self, path: str | os.PathLike[str]) -> Path:
        """Write the Dataset to NetCDF-4; returns the path.  The file is written beside ``path`` under a
        temporary name and renamed, so a failure never leaves half a file or harms an existing one; only an
        earlier run's results are replaced, and missing folders on the way are made (see :meth:`save`)."""
        p = user_path(path, "to_netcdf", "a file")
        self.save(netcdf=p)
        return p

    def to_csv(self, directory: str | os.PathLike[str], model: Model | None = None) -> list[Path]:
        """One CSV per variable: rows (scenario, time), one column per element; ``variables.csv``, their units and
        meaning; ``elements.csv``, each element's coordinates (type, country, an edge's ends…) and river system;
        ``steps.csv``, each step's coordinates; ``summary.csv``, the tables ``daryo run`` prints
        (:func:`~daryo.results.tables.summary_table`: ``model``, the model run, names the river systems and tells
        where their water stress is not known); returns the paths.

        The files are written into a temporary folder inside ``directory`` and then moved into it one by one
        (``os.replace``), so a failure while writing leaves ``directory`` and the files already in it as they
        were, and leaves no temporary folder behind; an earlier run's files of variables this run does not have
        are removed (see :meth:`save`).
        """
        return self.save(csv=user_path(directory, "to_csv", "a folder"), model=model)

    def save(self, netcdf: str | os.PathLike[str] | None = None, csv: str | os.PathLike[str] | None = None,
             model: Model | None = None) -> list[Path]:
        """Write a NetCDF file and/or a folder of CSV files (see :meth:`to_netcdf`, :meth:`to_csv`; ``model``, the
        model run, for ``summary.csv``); returns the CSV paths.

        Everything is written to temporary files first (the NetCDF file's beside it, the CSV files' in a folder
        inside the CSV folder, on its disk), and moved into place only when all of it has been written and no
        target is a folder: a failure leaves every existing file as it was (and no temporary file).  The files
        get the permissions a newly created file gets (``0o666`` less the umask); a replaced NetCDF file keeps its
        own.

        Only an earlier run's results are replaced (:func:`check_netcdf_target`; a CSV file whose header does
        not start with ``scenario,time`` is not replaced either).  The CSV files of an earlier run's variables
        that this run does not have (``storage.csv`` of a model with reservoirs, say) are removed, so that the
        folder holds one run's results.  Writers of one CSV folder (threads, or processes on a disk that takes
        locks: :func:`~daryo._files.locked_folder`) move their files in one at a time, each all of its files, so
        that the folder holds the last one's (a reader meanwhile may see some of each).

        A path starting ``~`` is in the user's home folder, as a shell reads it.  Missing folders on the way to
        either target are made (:meth:`pathlib.Path.mkdir` with ``parents=True``).
        The CLI instead refuses, before the run, an output whose folder does not exist, so that a mistyped path
        does not cost a run.

        Raises
        ------
        TypeError
            If a target is not a path, or neither is given (nothing to write).
        ValueError
            If the NetCDF file's name does not end in ``.nc``, or it is the CSV folder.
        FileExistsError, IsADirectoryError
            If a target exists and is not an earlier run's results.
        """
        netcdf = None if netcdf is None else user_path(netcdf, "save", "a file (netcdf=)")
        csv = None if csv is None else user_path(csv, "save", "a folder (csv=)")
        if netcdf is None and csv is None:  # (a verifier's review: a service's wiring slip wrote nothing, silently)
            raise TypeError("save: give netcdf=FILE.nc, csv=FOLDER or both: there is nothing to write")
        nc_tmp: Path | None = None
        csv_tmp: Path | None = None
        made: Path | None = None  # the CSV folder, where this call makes it (removed again on failure)
        names: list[str] = []
        done = False
        if netcdf is not None:
            check_netcdf_target(netcdf)
        if csv is not None:
            if netcdf is not None and Path(netcdf).resolve() == Path(csv).resolve():
                raise ValueError(f"the NetCDF file and the CSV folder are both {csv}: give them other names")
            refuse_file_as_folder(Path(csv))
            _check_csv_targets([Path(csv) / f"{name}.csv" for name in self.dataset.data_vars]
                               + [Path(csv) / name for name in _TABLES_CSV])
            for other in _other_runs_csv(Path(csv), [f"{name}.csv" for name in self.dataset.data_vars]
                                         + list(_TABLES_CSV)):
                refuse_write_protected(other)  # (removed once this run's files are written)
        try:
            if netcdf is not None:
                p = Path(netcdf)
                p.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = temp_beside(p)
                os.close(fd)
                nc_tmp = Path(tmp)
                try:
                    written = netcdf_text(cf_dataset(self.dataset))
                    with netcdf_io(), interrupts_between() as check:  # (Ctrl-C inside the write left HDF5
                        # locked: a hang; two threads' writes at once crashed the process: daryo._netcdf)
                        written.to_netcdf(nc_tmp, engine="netcdf4", encoding=netcdf_encoding(written))
                        check()
                except RuntimeError as exc:  # the netCDF library's error for a full disk: "NetCDF: HDF error"
                    raise OSError(f"cannot write {p}: {exc}{free_space_note(p)}") from exc
                except PermissionError as exc:  # (its error for a file it cannot create on a full disk)
                    if not full_disk(p):
                        raise
                    raise OSError(f"cannot write {p}: its disk is full{free_space_note(p)}; make room, or write "
                                  "elsewhere") from exc
                os.chmod(nc_tmp, mode_for(p))
            if csv is not None:
                d = Path(csv)
                made = None if d.exists() else d
                try:
                    d.mkdir(parents=True, exist_ok=True)
                    remove_stale_temporaries(d, ".daryo-csv.")  # (a killed run's: an operations review)
                    csv_tmp = Path(tempfile.mkdtemp(prefix=temporary_prefix(".daryo-csv."), dir=d))
                except OSError as exc:
                    raise OSError(exc.errno, f"cannot write CSV files into {d}: {exc.strerror or exc}") from exc
                try:
                    names = self._write_csv(csv_tmp, model)
                except OSError as exc:  # (a full disk's names no file)
                    raise NamedOSError(exc.errno, f"cannot write CSV files into {d}: {exc.strerror or exc}"
                                       f"{free_space_note(d)}") from exc
            # everything written: move it into place, once every target is known to take a file
            targets = ([Path(csv) / f for f in names] if csv is not None else []) + (
                [Path(netcdf)] if netcdf is not None else [])
            for target in targets:
                if target.is_dir():
                    raise IsADirectoryError(errno.EISDIR, "is a folder, so the result cannot be written there",
                                            str(target))
            if csv is not None and csv_tmp is not None:
                d = Path(csv)
                with locked_folder(d):  # (another writer's files are all moved in, or none: a thread's or a
                    # process's writing into the same folder meanwhile left it mixing two runs' files)
                    for f in names:
                        os.replace(csv_tmp / f, d / f)
                    _remove_other_runs_csv(d, names)
            if netcdf is not None and nc_tmp is not None:
                os.replace(nc_tmp, write_target(netcdf))
            done = True
        finally:
            if nc_tmp is not None and os.path.exists(nc_tmp):
                os.unlink(nc_tmp)
            if csv_tmp is not None:
                shutil.rmtree(csv_tmp, ignore_errors=True)
            if made is not None and not done:
                with contextlib.suppress(OSError):  # (only if empty)
                    made.rmdir()
        return [Path(csv) / f for f in names] if csv is not None else []

    def _write_csv(self, folder: Path, model: Model | None = None) -> list[str]:
        """Write the CSV files into ``folder``; their names."""
        names = []
        for name, da in self.dataset.data_vars.items():
            _write_table(folder / f"{name}.csv", da, str(name))
            names.append(f"{name}.csv")
        self._variables_table().to_csv(folder / VARIABLES_CSV, index=False)
        self._elements_table().to_csv(folder / ELEMENTS_CSV, index=False)
        self._steps_table().to_csv(folder / STEPS_CSV, index=False, date_format="%Y-%m-%d")
        summary_table(self.dataset, model).to_csv(folder / SUMMARY_CSV, index=False, float_format=CSV_FLOAT)
        self._run_table().to_csv(folder / RUN_CSV, index=False)
        return [*names, *_TABLES_CSV]

    def _run_table(self) -> pd.DataFrame:
        """What the run was made from: the results' attributes, a row each (``attribute``, ``value``), but the
        ``history`` of when it was written, so that two runs of the same inputs write the same file."""
        attrs = {k: v for k, v in self.dataset.attrs.items() if k != "history"}
        return pd.DataFrame({"attribute": list(attrs), "value": [str(v) for v in attrs.values()]})

    def _steps_table(self) -> pd.DataFrame:
        """The steps, a row each: its start (``time``) and the coordinates the Dataset gives it along time
        (``days``, ``hydrological_year``, ``season``), to group the variables' rows by."""
        ds = _with_run_dims(self.dataset)  # (a selection of one step: its scalar coordinates along time again)
        table = pd.DataFrame({"time": ds["time"].values if "time" in ds.dims else []})
        for name, coord in ds.coords.items():
            if coord.dims == ("time",) and name != "time":
                values = coord.values  # (a step's days as the whole number they are: 31, not 31.0)
                whole = values.dtype.kind == "f" and np.isfinite(values).all() and (values == np.round(values)).all()
                table[str(name)] = values.astype(np.int64) if whole else values
        return table

    def _elements_table(self) -> pd.DataFrame:
        """The elements, a row per element of each dimension (``node``, ``edge``, ``reservoir``…): its dimension, id
        and the coordinates the Dataset gives it, each named without its dimension (``node_type`` is ``type``,
        ``edge_from`` is ``from``), empty where a dimension has no such coordinate; and last its river ``system``
        (:func:`_element_systems`)."""
        ds = self.dataset
        systems = _node_systems(ds)
        frames = []
        for dim in (str(d) for d in ds.dims if d not in _NOT_ELEMENTS):
            table = pd.DataFrame({"dimension": dim, "element": [str(v) for v in ds[dim].values]})
            for name, coord in ds.coords.items():
                if str(name).startswith(f"{dim}_") and coord.dims == (dim,):
                    table[str(name)[len(dim) + 1:]] = coord.values.astype(object)  # (an int stays one beside blanks)
            frames.append(table)
        if not frames:
            return pd.DataFrame(columns=["dimension", "element"])
        table = pd.concat(frames, ignore_index=True)
        if systems is not None:
            table["system"] = _element_systems(table, systems)
        return table

    def _variables_table(self) -> pd.DataFrame:
        """What each CSV file holds, a row per file: its variable, units, description and element dimension."""
        rows = [(str(name), da.attrs.get("units", ""), da.attrs.get("description", ""),
                 str(da.dims[2]) if da.ndim == 3 else "") for name, da in self.dataset.data_vars.items()]
        return pd.DataFrame(rows, columns=["variable", "units", "description", "columns"])

    def summary(self) -> pd.DataFrame:
        """Country table: mean annual demand, delivery and deficit by season, and hydropower energy by season."""
        from ..indicators import country_summary

        return country_summary(self.dataset)


def _node_systems(ds: xr.Dataset) -> dict[str, str] | None:
    """Each node's river system, named as the water stress names them (:func:`daryo.sdg.river_systems`, the basins
    the results record); None where the results lack the topology."""
    from ..sdg import river_systems

    if "node" not in ds.dims or "edge" not in ds.dims:
        return None
    try:
        return {str(k): str(v) for k, v in river_systems(ds).items()}
    except (KeyError, ValueError):  # (a selection of the results without their topology)
        return None


def _element_systems(table: pd.DataFrame, systems: dict[str, str]) -> list[str]:
    """The river system of each row of the elements' table: a node's, and a reservoir's, demand's, plant's, sink's
    or flow requirement's (each is a node of its id); an edge's, its ``from`` node's (a system is joined by its
    edges: both ends are in it); empty for an element of none."""
    ends = table["from"] if "from" in table.columns else pd.Series("", index=table.index)
    return [systems.get(str(end) if dim == "edge" else str(element), "")
            for dim, element, end in zip(table["dimension"], table["element"], ends, strict=True)]
