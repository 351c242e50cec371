"""A run's results' files: which targets may be written (only an earlier run's results are replaced), whether a file
is a run's NetCDF or CSV results, and a variable's CSV table."""

from __future__ import annotations

import csv
import errno
import io
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .._files import (
    CSV_FLOAT,
    refuse_netcdf_unreadable_name,
    refuse_special_file,
    refuse_write_protected,
)
from .._netcdf import netcdf_io
from .dataset import _TITLE, VARIABLES
from .tables import SUMMARY_COLUMNS

NETCDF_SUFFIXES = (".nc", ".nc4", ".netcdf")

#: the CSV file, beside a run's ``<variable>.csv`` files, that says what each holds and in which units
VARIABLES_CSV = "variables.csv"

_VARIABLES_HEADER = b"variable,units,description,columns"

#: the CSV file of the elements: a row per element (node, edge, reservoir…) with its coordinates
ELEMENTS_CSV = "elements.csv"

_ELEMENTS_HEADER = b"dimension,element"

#: the CSV file of a run's steps: each step's start and the coordinates the Dataset gives it along time
STEPS_CSV = "steps.csv"

_STEPS_HEADER = b"time,"

#: the CSV file of the tables ``daryo run`` prints, as one long table (:func:`daryo.results.tables.summary_table`)
SUMMARY_CSV = "summary.csv"

#: the header of ``summary.csv`` (:data:`daryo.results.tables.SUMMARY_COLUMNS`), whole: a compare table's starts
#: with ``table,element,`` too (a diff review: one saved as summary.csv in a run's CSV folder was replaced)
_SUMMARY_HEADER = ",".join(SUMMARY_COLUMNS).encode()

#: the CSV file of what a run was made from: its results' attributes (daryo's version, the model file and its
#: digest, overlays, hydrology, data files, network digest…), a row each, so that a folder of CSV files says which
#: run it holds (an archive's and a journal's reviews: the CSV files named none)
RUN_CSV = "run.csv"

_RUN_HEADER = b"attribute,value"

#: the CSV files a run writes beside its variables' files
_TABLES_CSV = (VARIABLES_CSV, ELEMENTS_CSV, STEPS_CSV, SUMMARY_CSV, RUN_CSV)


def is_summary_csv(path: Path) -> bool:
    """Whether the file ``path`` is a run's ``summary.csv`` (its header is :data:`SUMMARY_COLUMNS`, whole)."""
    try:
        with open(path, "rb") as f:
            return f.readline(4096).rstrip(b"\r\n") == _SUMMARY_HEADER
    except OSError:
        return False


def is_netcdf(path: Path) -> bool:
    """Whether the file ``path`` starts like a NetCDF file (NetCDF-4/HDF5 or classic CDF)."""
    with open(path, "rb") as f:
        head = f.read(8)
    return head.startswith((b"\x89HDF\r\n\x1a\n", b"CDF\x01", b"CDF\x02", b"CDF\x05"))


def netcdf_attributes(path: Path) -> dict[str, Any]:
    """The global attributes of an existing NetCDF file as Python values (empty if it cannot be read as
    NetCDF)."""
    import netCDF4

    try:
        with netcdf_io(), netCDF4.Dataset(path, "r") as nc:
            return {k: _python(nc.getncattr(k)) for k in nc.ncattrs()}
    except (OSError, ValueError):
        return {}


def _python(value: Any) -> Any:
    """A NetCDF attribute's value as Python's (NumPy scalars read back as ints, floats, strings)."""
    return value.item() if isinstance(value, np.generic) else value


def check_netcdf_target(path: str | Path) -> None:
    """Refuse a NetCDF file name for a run's results whose writing could replace anything but an earlier run's
    results: a name that does not end in ``.nc``, a folder, or an existing file that is not a NetCDF file
    ``daryo run`` wrote (a model file, its input data, anyone's other files).

    Raises
    ------
    ValueError
        If the name does not end in ``.nc`` (or ``.nc4``, ``.netcdf``), or the path is not UTF-8 text (which the
        netCDF library takes only).
    IsADirectoryError, FileExistsError
        If the target exists and is not a run's results.
    """
    p = Path(path)
    if p.name.lower() in NETCDF_SUFFIXES:  # (".nc" is a name with no suffix)
        raise ValueError(f"{p}: give the file a name before its suffix, such as results.nc")
    if p.suffix.lower() not in NETCDF_SUFFIXES:
        raise ValueError(f"{p}: a run's results are written as NetCDF, so the file name must end in .nc (or .nc4, "
                         ".netcdf; an ensemble writes .zarr too: daryo ensemble)")
    refuse_netcdf_unreadable_name(p)
    if p.is_dir():
        raise IsADirectoryError(f"cannot write results to {p}: it is a folder (give a .nc file name)")
    refuse_special_file(p)
    if p.exists() and not (is_netcdf(p) and str(netcdf_attributes(p).get("title", "")).startswith(_TITLE)):
        raise FileExistsError(f"{p} exists and is not the results of a daryo run; it is not replaced: give another "
                              "output name or move it away")
    refuse_write_protected(p)


def _check_csv_targets(paths: list[Path]) -> None:
    """Refuse to replace a file among ``paths`` that is not a CSV file of a run's results."""
    for target in paths:
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a folder, so the result cannot be written there", str(target))
        if target.is_file() and not _is_results_csv(target):
            raise FileExistsError(f"{target} exists and is not a CSV file of a daryo run's results; it is not "
                                  "replaced: give another folder or move it away")
        refuse_write_protected(target)


def check_csv_folder(folder: str | Path) -> None:
    """Refuse, before a run, a CSV folder that is a file or lies under one (NotADirectoryError), or where a result's
    file (``<variable>.csv``, whichever variables the run will have, and ``variables.csv``) is a folder or a file
    other than a run's results (IsADirectoryError, FileExistsError)."""
    refuse_file_as_folder(Path(folder))
    _check_csv_targets([Path(folder) / f"{name}.csv" for name in sorted(VARIABLES)]
                       + [Path(folder) / name for name in _TABLES_CSV])


def refuse_file_as_folder(folder: Path) -> None:
    """Refuse a CSV folder that is a file, or whose nearest existing folder on the way is a file, as ``daryo run
    --csv`` words it (a backend developer's review: ``to_csv("svcout/r.nc")`` onto a file said "[Errno 17] cannot
    write CSV files into svcout/r.nc: File exists").

    Raises
    ------
    NotADirectoryError
        ``cannot write CSV files into F: it is a file, not a folder`` (or ``: D is a file, not a folder``).
    FileExistsError
        If it is neither a file nor a folder (a named pipe: :func:`~daryo._files.refuse_special_file`).
    """
    for d in (folder, *folder.parents):
        if d.exists():
            if not d.is_dir():
                refuse_special_file(d)
                what = "it" if d == folder else str(d)
                raise NotADirectoryError(f"cannot write CSV files into {folder}: {what} is a file, not a folder")
            return


def _write_table(path: Path, da: xr.DataArray, name: str) -> None:
    """One variable's CSV file: a row per scenario and step (``scenario,time``, then a column per element, or one
    named after the variable), the values to 9 significant digits.

    The file is what pandas writes (``DataFrame.to_csv(float_format="%.9g")``) of the (scenario, time) ×
    element table, written a row at a time with one format for the row: built through xarray's long table and
    formatted value by value, the CSV files of 1,000 scenarios of a 50-node model took 194 s and 4 GB of memory
    (their NetCDF file 3.6 s).  Values that are not plain floats, or missing, are left to pandas."""
    for dim in ("time", "scenario"):  # (a selection of one scenario or step: its scalar coordinate, a dimension)
        if dim not in da.dims:
            da = da.expand_dims(dim)
    da = da.transpose("scenario", "time", ...)
    values = da.values
    columns = [str(c) for c in da[da.dims[2]].values] if da.ndim == 3 else [name]
    table = values.reshape(values.shape[0] * values.shape[1], len(columns))
    times = da["time"].values
    if table.size == 0:  # (no elements, scenarios or steps: the header alone, as before; no element columns)
        header = ["scenario", "time"] if da.ndim == 3 else ["scenario", "time", name]
        path.write_text(_csv_line(header) + os.linesep, encoding="utf-8", newline="")
        return
    if table.dtype.kind != "f" or np.isnan(table).any() or np.any(times != times.astype("datetime64[D]")):
        index = pd.MultiIndex.from_product([da["scenario"].values, times], names=["scenario", "time"])
        pd.DataFrame(table, index=index, columns=columns).to_csv(path, float_format=CSV_FLOAT)
        return
    dates = np.datetime_as_string(times, unit="D")
    row = ",".join([CSV_FLOAT] * len(columns))
    end = os.linesep
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(_csv_line(["scenario", "time", *columns]) + end)
        for i, scenario in enumerate(da["scenario"].values):
            block = table[i * len(dates):(i + 1) * len(dates)]
            first = _csv_line([str(scenario), str(dates[0])]).rsplit(",", 1)[0]  # (quoted as the csv module does)
            f.write("".join(f"{first},{d},{row % tuple(r)}{end}" for d, r in zip(dates, block.tolist(),
                                                                                 strict=True)))


def _csv_line(fields: list[str]) -> str:
    """``fields`` as a line of CSV (without its end), quoted as pandas quotes them: by Python's csv module, with
    minimal quoting and the system's line end, whose rules for a field holding a line break differ by version."""
    text = io.StringIO()
    csv.writer(text, lineterminator=os.linesep).writerow(fields)
    return text.getvalue()[:-len(os.linesep)]


def _other_runs_csv(folder: Path, names: list[str]) -> list[Path]:
    """The CSV files of an earlier run's results in ``folder`` (a variable's name, a results header) that are not
    among ``names`` (this run's)."""
    if not folder.is_dir():
        return []
    return [f for f in folder.glob("*.csv")
            if f.stem in VARIABLES and f.name not in names and f.is_file() and _is_results_csv(f)]


def _remove_other_runs_csv(folder: Path, names: list[str]) -> None:
    """Remove the CSV files of an earlier run's results in ``folder`` that are not among ``names``, just written."""
    for f in _other_runs_csv(folder, names):
        f.unlink()


def _is_results_csv(path: Path) -> bool:
    """Whether ``path`` is a CSV file of a run's results: its header starts with ``scenario,time`` (or, for
    ``variables.csv``, ``elements.csv``, ``steps.csv``, ``summary.csv`` and ``run.csv``, is that file's)."""
    with open(path, "rb") as f:
        line = f.readline(4096)
    head = line[:len(_VARIABLES_HEADER)]
    return head.startswith(b"scenario,time") or (path.name == VARIABLES_CSV and head == _VARIABLES_HEADER) or (
        path.name == ELEMENTS_CSV and head.startswith(_ELEMENTS_HEADER)) or (
        path.name == STEPS_CSV and head.startswith(_STEPS_HEADER)) or (
        path.name == SUMMARY_CSV and line.rstrip(b"\r\n") == _SUMMARY_HEADER) or (
        path.name == RUN_CSV and line.rstrip(b"\r\n") == _RUN_HEADER)
