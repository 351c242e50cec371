"""The metadata of the CF Conventions for results written to NetCDF and zarr, and their NetCDF encoding.

A run's Dataset keeps daryo's own units (``hm3 per step`` for a flow, ``GWh`` for energy): the units the model
file and the docs use.  UDUNITS, which the CF Conventions and the tools that follow them (cf-python, Iris,
cf-xarray, CDO's checks) read units with, has no ``per step`` and no ``Wh``.  So the files get what CF asks
for instead, with the same meaning: a volume in the step is ``hm3`` with ``cell_methods: "time: sum"`` over the
step, whose bounds are ``time_bnds``; an energy is ``GW h``.  :func:`daryo_units` turns them back.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["CONVENTIONS", "LONG_NAME_MAX", "cf_dataset", "daryo_units", "netcdf_chunks", "netcdf_encoding",
           "netcdf_text", "short_name"]

#: the version of the CF Conventions the files follow
CONVENTIONS = "CF-1.8"

#: daryo's units that UDUNITS cannot read: what CF files write instead, and the cell method over time that says
#: what was summed ("" where the value is not one of a step)
_CF_UNITS = {"hm3 per step": ("hm3", "time: sum"), "GWh": ("GW h", "time: sum"),
             "GWh per year": ("GW h year-1", ""), "hm3 per year": ("hm3 year-1", "")}

#: a CF file's units back to daryo's, keyed by (units, cell method over time); a cell method of None where the
#: units alone tell (``hm3`` is also a volume at an instant: a reservoir's storage)
_DARYO_UNITS = {("hm3", "time: sum"): "hm3 per step", ("GW h", None): "GWh", ("GW h year-1", None): "GWh per year",
                ("hm3 year-1", None): "hm3 per year"}

#: values at the start of each step (``time``): instants, not sums over the step
_AT_STEP_START = ("storage_start", "head")


def daryo_units(attrs: Mapping[str, Any]) -> str:
    """daryo's units of a variable whose attributes are ``attrs``, as a run's Dataset has them, also when they
    are a CF file's: ``hm3`` summed over each step (``cell_methods: "time: sum"``) is ``hm3 per step``, ``GW h``
    is ``GWh``, ``GW h year-1`` is ``GWh per year`` and ``hm3 year-1`` ``hm3 per year``; other units as given.

    Parameters
    ----------
    attrs
        A variable's attributes (``units`` and, in a CF file, ``cell_methods``).

    Returns
    -------
    str
        Its units as daryo writes them ("" if it has none).
    """
    units = str(attrs.get("units", ""))
    return _DARYO_UNITS.get((units, attrs.get("cell_methods")), _DARYO_UNITS.get((units, None), units))


def cf_dataset(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with the metadata of the CF Conventions, to be written to a file (``ds`` is not changed).

    - the global attributes ``Conventions``, ``source`` (daryo and its version, where ``ds`` names no source) and
      ``history``: a line with the time (UTC) and daryo's version appended to any history ``ds`` has (CF 2.6.2:
      an audit trail, a line per program that wrote the data);
    - ``long_name`` from each variable's ``description``, short enough for a plot's title (:func:`short_name`);
    - units that UDUNITS reads (see the module's docstring), with ``cell_methods`` over ``time``: ``sum`` for a
      volume or energy in the step, ``point`` for a value at the step's start;
    - ``time``: ``standard_name``, ``axis`` and, with a ``days`` coordinate, the bounds of each
      step (``time_bnds``: its start and the start of the next); element latitudes and longitudes get their
      standard names.  (``time_bnds``, a coordinate, is the file's, not a run's Dataset's.)

    Parameters
    ----------
    ds
        A run's results, or an ensemble's store or part of it.

    Returns
    -------
    xarray.Dataset
        A shallow copy: the same arrays, other attributes.
    """
    from . import __version__

    out = ds.copy(deep=False)
    out.attrs["Conventions"] = CONVENTIONS
    out.attrs.setdefault("source", f"daryo {__version__}")
    line = f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} written by daryo {__version__}"
    earlier = str(out.attrs.get("history") or "").rstrip("\n")
    out.attrs["history"] = f"{earlier}\n{line}" if earlier else line
    for name, var in out.variables.items():
        attrs = var.attrs
        if "description" in attrs:
            attrs.setdefault("long_name", short_name(str(attrs["description"])))
        units, method = _CF_UNITS.get(str(attrs.get("units")), (None, ""))
        if units is not None:
            attrs["units"] = units
        if "time" in var.dims and name != "time":
            method = "time: point" if name in _AT_STEP_START else method
            if method:
                attrs["cell_methods"] = method
        if str(name).endswith("_lat"):
            attrs["standard_name"] = "latitude"
        elif str(name).endswith("_lon"):
            attrs["standard_name"] = "longitude"
    if "time" in out.coords:
        out["time"].attrs.update(standard_name="time", axis="T")
        if "days" in out.coords:
            start = pd.DatetimeIndex(out["time"].values)
            end = start + pd.to_timedelta(np.asarray(out["days"].values, dtype="int64"), unit="D")
            # (no attributes of its own: a bounds variable's are its coordinate's, CF 7.1)
            out.coords["time_bnds"] = (("time", "nv"), np.stack([start.values, end.values], axis=1))
            out["time"].attrs["bounds"] = "time_bnds"
    return out


def netcdf_text(ds: xr.Dataset) -> xr.Dataset:
    """A Dataset to be written to NetCDF with its text attributes as characters.  (Written as text, the netCDF4
    library stores text that is not ASCII as a variable-length string, ``NC_STRING``, which the classic model has
    not: ``nccopy -k classic`` failed on a model file's path in Cyrillic.)

    Parameters
    ----------
    ds
        The Dataset (not changed).

    Returns
    -------
    xarray.Dataset
        A shallow copy whose text attributes, and its variables', that are not ASCII are UTF-8 bytes, which NetCDF
        stores as characters (``NC_CHAR``), read back as the same text.
    """
    out = ds.copy(deep=False)
    for attrs in [out.attrs] + [v.attrs for v in out.variables.values()]:
        for key, value in list(attrs.items()):
            if isinstance(value, str) and not value.isascii():
                attrs[key] = value.encode("utf-8")
    return out


#: the longest ``long_name`` :func:`short_name` gives (a plot's title or axis label, a layer's name)
LONG_NAME_MAX = 80


def short_name(description: str, limit: int = LONG_NAME_MAX) -> str:
    """A variable's ``long_name`` from its ``description``.  (Tools title plots and layers by ``long_name``: a
    description of 500 characters made an axis label of 19 lines.)

    Parameters
    ----------
    description
        The variable's description.
    limit
        The most characters it may have.

    Returns
    -------
    str
        The description where it is at most ``limit`` characters, else its first clause without what it says in
        parentheses (up to a colon or semicolon), else its first words and "...".
    """
    text = " ".join(description.split())
    if len(text) <= limit:
        return text
    bare, previous = text, ""
    while bare != previous:  # (the innermost parentheses first)
        previous, bare = bare, re.sub(r" ?\([^()]*\)", "", bare)
    clause = re.split(r": |; ", bare, maxsplit=1)[0].rstrip(" ,.")
    whole = len(clause.split()) >= 3 or text.startswith((clause + ": ", clause + "; "))  # ("Latitude: ...", not
    # "Inflow minus (storage change + ...)")
    if len(clause) <= limit and whole:
        return clause
    cut = clause if whole else text
    return cut[:limit - 3].rsplit(" ", 1)[0].rstrip(" ,;:(") + "..."


def netcdf_encoding(ds: xr.Dataset) -> dict[str, dict[str, Any]]:
    """The encoding that writes ``ds`` to NetCDF as tools of the classic model read it.

    - Text variables and coordinates (element ids, countries…) as UTF-8 character arrays, not HDF5
      variable-length strings.  A file with variable-length strings crashes Python (a segmentation fault in HDF5)
      when it is opened again while open, then read (Unidata/netcdf4-python#1444; netCDF4 1.7.3 to 1.7.5): an
      analyst who keeps a store open in a notebook and calls :func:`daryo.ensemble.summary_table` on it.
      Character arrays are read back as text by xarray and other NetCDF tools alike.
    - Dates as whole days since the first (``int32``), and other 64-bit integers as ``int32`` where they fit:
      CF 1.8 and the classic format (``nccopy -k classic``) have no 64-bit integers.
    - ``_FillValue`` ``NaN`` (of the variable's own type) on floating-point variables, which is what a missing
      value is in daryo's results: an element without a rule curve or an energy target (``storage_target``,
      ``storage_shortfall``, an ensemble's ``annual_energy_target``, ``prob_below_target``…), a river system's
      water stress with no water, an element without a place (``_lat``, ``_lon``).  Without it a C or Fortran
      reader (NCO, CDO) summed NaN over the elements with nothing to say which values are missing.  Every float
      variable has it, not only those that hold a NaN when written: an ensemble's parts are appended after the
      first, whose values say nothing of the later ones'.  A dimension's coordinate has none (CF 5: it has no
      missing values).
    - Numeric data variables of more than one dimension compressed as CMIP's files are (deflate level 1 with the
      shuffle filter, which the classic model of NetCDF-4 allows), in chunks of up to 4 MiB along their leading
      dimensions (:func:`netcdf_chunks`): an ensemble's file is about a third of the size, and quicker to write.
    """
    encoding: dict[str, dict[str, Any]] = {}
    small = np.iinfo(np.int32)
    for name, v in ds.variables.items():
        key = str(name)
        if v.dtype.kind in "OU":
            encoding[key] = {"dtype": "S1", "_Encoding": "utf-8"}
        elif v.dtype.kind == "M" and v.size:
            # in seconds, not nanoseconds: a run of more than 292 years overflowed int64 nanoseconds (a traceback
            # after the whole run)
            dates = np.ravel(v.values)
            seconds = dates.astype("datetime64[s]")
            first = pd.Timestamp(seconds.min())
            offsets = (seconds - seconds.min()).astype(np.int64)
            days = offsets // 86_400
            if np.all(seconds == dates) and np.all(offsets % 86_400 == 0) and days.max() <= small.max:
                encoding[key] = {"units": f"days since {first:%Y-%m-%d %H:%M:%S}", "dtype": "int32",
                                 "calendar": "proleptic_gregorian"}
        elif v.dtype.kind in "iu" and v.dtype.itemsize > 4:
            if not v.size or (small.min <= int(np.min(v.values)) and int(np.max(v.values)) <= small.max):
                encoding[key] = {"dtype": "int32"}
        elif v.dtype.kind == "f":
            encoding[key] = {"_FillValue": None if key in ds.dims else v.dtype.type(np.nan)}
        if key in ds.data_vars and v.ndim > 1 and v.dtype.kind in "fiu" and v.size:
            encoding.setdefault(key, {}).update(zlib=True, complevel=1, shuffle=True,
                                                chunksizes=netcdf_chunks(v.shape, v.dtype.itemsize))
    return encoding


def netcdf_chunks(shape: tuple[int, ...], itemsize: int, max_bytes: int = 4 * 2**20) -> tuple[int, ...]:
    """The chunk shape of a compressed NetCDF variable of ``shape``: whole along its trailing dimensions, and as
    many rows of its leading ones as fit in ``max_bytes`` (so that reading one trace or scenario reads one chunk).

    >>> netcdf_chunks((10_000, 600, 23), 4)
    (75, 600, 23)
    >>> netcdf_chunks((2, 1_000_000, 4), 8)
    (1, 131072, 4)
    """
    chunks = list(shape)
    for i, n in enumerate(shape):
        trailing = itemsize * math.prod(shape[i + 1:])
        chunks[i] = max(1, min(n, max_bytes // trailing))
        if trailing <= max_bytes:
            break
    return tuple(chunks)
