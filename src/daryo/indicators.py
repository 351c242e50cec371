"""Indicators computed from a results Dataset.

The indicators take ``by`` (the grouping of elements: ``country``, a demand's use, ``category``, or the element
itself) where it applies
and ``scenarios`` (``"mean"`` of the scenario values, a pandas object; or ``None`` to keep them, an xarray
DataArray).  Time is aggregated to mean annual values: totals divided by the run's length in hydrological
years (:func:`n_years`), or, per season, by the seasons it covers (:func:`season_years`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .cf import daryo_units
from .errors import with_article
from .results.dataset import SHORTFALL_NOISE
from .timeaxis import (
    StepKind,
    TimeAxis,
    dekad_days,
    season_of_month,
    step_label_days,
    step_label_kind,
)

__all__ = ["YEAR_NOISE", "annual_by", "country_category_summary", "country_summary", "country_system_summary",
           "coverage", "energy_by_season", "energy_shortfall", "n_years", "requirement_summary", "scenario_summary",
           "partial_years", "season_years", "sink_inflow", "storage_change", "storage_shortfall", "supply_reliability",
           "winter_share", "year_weights"]

#: a year's sum up to this is solver noise, taken as none: a millionth of a hm³ (1 m³) or of a GWh (1 kWh), or of a
#: percentage point; the solver's tolerance of ~1e-9 per step and element summed over a year's steps and elements
#: (reviews: a deficit of 3.5e-08 hm³/yr written as data, a withdrawal of 1.2e-08 hm³/yr read as critical stress)
YEAR_NOISE = 1e-6


def n_years(data: xr.Dataset | TimeAxis) -> float:
    """Length of a run in hydrological years (October–September), the divisor of mean annual values.

    Each step counts the part of a hydrological year it covers: its days divided by the length of that
    hydrological year (365 days, or 366 when it holds a 29 February), split at 1 October if the step crosses
    it.  Whole hydrological years therefore count exactly one each, whether the steps are calendar months or
    N days, so a mean annual value is the mean of the hydrological years' totals; a run of part of a year
    counts that part (ten 10-day steps from 1 October: 100/365).

    Parameters
    ----------
    data
        A run's time axis, or a results Dataset: its ``time`` coordinate (step starts) and ``days`` (step
        lengths).  Without ``days`` the step length is read from the ``time_step`` attribute (``"month"`` or
        ``"N days"``; calendar months if absent).  Step starts that are numbers with CF units (a file opened
        with ``decode_times=False``) are read as the dates they are; without dates, 12 steps count one year.

    Returns
    -------
    float
        The number of hydrological years, fractional for part years.
    """
    check_dataset(data, "n_years", (xr.DataArray, TimeAxis))
    steps = _steps(data)
    if steps is None:  # a Dataset without dates: 12 steps a year
        return float(_n_steps(data) / 12)
    starts, days = steps
    ends = starts + pd.to_timedelta(days, unit="D").values
    return float(np.sum(_hydrological_years_elapsed(ends) - _hydrological_years_elapsed(starts)))


def season_years(data: xr.Dataset | TimeAxis, season: str) -> float:
    """How many of a season's half-years a run covers, the divisor of that season's mean annual values.

    Each step counts its days in the season over the length of that season (winter: 1 October to 31 March, 182 or
    183 days; summer: 1 April to 30 September, 183 days) in its hydrological year; an N-day step across 1 April or
    1 October counts its days on either side in their own season (:func:`winter_share`), as :func:`n_years`
    splits a step at 1 October.  Whole hydrological years count exactly one winter and one summer each, whatever
    the steps; a run from October to March counts one winter and no summer.

    Parameters
    ----------
    data
        A run's time axis or a results Dataset (as for :func:`n_years`).
    season
        ``"winter"`` or ``"summer"``.
    """
    if season not in ("winter", "summer"):
        raise ValueError(f"season '{season}': use winter or summer")
    check_dataset(data, "season_years", (xr.DataArray, TimeAxis))
    steps = _steps(data)
    if steps is None:  # no dates: 12 steps a year, the first six winter
        return float(np.sum((np.arange(_n_steps(data)) % 12 < 6) == (season == "winter")) / 6)
    starts, days = steps
    ends = starts + pd.to_timedelta(days, unit="D").values
    share = _winter_days(starts, ends) / np.where(days > 0, days, 1.0)
    if season == "summer":
        share = 1.0 - share
    # the season's length in the step's hydrological year (a winter of 183 days where its February has 29)
    length = _winter_of(starts)[2] / np.timedelta64(1, "D") if season == "winter" else np.full(len(starts), 183.0)
    clock = _winters_elapsed if season == "winter" else _summers_elapsed
    # a step within one season: its days over the season's length (as always); one across 1 April or 1 October:
    # the part of each season it covers, on the scale of seasons elapsed
    part = np.where(share == 1.0, days / length, np.where(share == 0.0, 0.0, clock(ends) - clock(starts)))
    return float(np.sum(part[part != 0.0]))


def winter_share(data: xr.Dataset | TimeAxis) -> np.ndarray:
    """The share of each step's days in winter (October–March), the rest being summer's: the share of the step's
    water a season's figures count.

    A step within one season (every step of calendar months, dekads or days) is wholly in it, 1 or 0; an N-day
    step across 1 April or 1 October has its days on either side split between the seasons (a 5-day step from
    30 March: 2/5 winter), so that whole hydrological years hold whole winters and summers whatever the steps
    (:func:`season_years`).  The ``season`` coordinate of a run's results is the season of each step's start.

    Parameters
    ----------
    data
        A run's time axis or a results Dataset (as for :func:`n_years`); without dates, 12 steps a year, the first
        six winter.

    Returns
    -------
    numpy.ndarray
        A share in [0, 1] per step.
    """
    check_dataset(data, "winter_share", (xr.DataArray, TimeAxis))
    steps = _steps(data)
    if steps is None:
        return (np.arange(_n_steps(data)) % 12 < 6).astype(float)
    starts, days = steps
    ends = starts + pd.to_timedelta(days, unit="D").values
    return np.asarray(np.clip(_winter_days(starts, ends) / np.where(days > 0, days, 1.0), 0.0, 1.0))


def _leap_years_to(years: np.ndarray) -> np.ndarray:
    """How many leap years there are from year 1 to each of ``years``, inclusive."""
    return years // 4 - years // 100 + years // 400


def _april_first(years: np.ndarray) -> np.ndarray:
    return _first_of_month(years, 4)


def _hydrological_year_starts(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each instant's hydrological year (the calendar year of its 1 October) and its time since that 1 October."""
    t = np.asarray(times, dtype="datetime64[ns]")
    year = t.astype("datetime64[Y]").astype(np.int64) + 1970
    first = year - (t.astype("datetime64[M]").astype(np.int64) % 12 + 1 < 10)
    return first, t - _october_first(first)


def _winter_of(times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each instant's hydrological year (the calendar year of its 1 October), its time since that 1 October, and
    the length of that year's winter, 1 October to 1 April (182 days, 183 when the next calendar year is leap): the
    one definition of the winter that the days in winter (:func:`_winter_days`) and the share of winters and
    summers elapsed (:func:`_winters_elapsed`, :func:`_summers_elapsed`) are counted from."""
    first, since = _hydrological_year_starts(times)
    return first, since, _april_first(first + 1) - _october_first(first)


def _winter_days(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The days in winter from each start to its end: the difference of the winter days elapsed at each, counted
    from year 1 (a winter of the hydrological year from October ``y`` has 182 days, 183 when ``y + 1`` is leap);
    whole days are exact in float64."""
    day = np.timedelta64(1, "D")

    def elapsed(times: np.ndarray) -> np.ndarray:
        first, since, length = _winter_of(times)
        return (182 * first + _leap_years_to(first)).astype(float) + np.minimum(since / day, length / day)

    return elapsed(ends) - elapsed(starts)


def _winters_elapsed(times: np.ndarray) -> np.ndarray:
    """Each instant on a scale of winters: its hydrological year plus the share of that year's winter elapsed."""
    first, since, length = _winter_of(times)
    return first + np.minimum(since / length, 1.0)


def _summers_elapsed(times: np.ndarray) -> np.ndarray:
    """Each instant on a scale of summers: its hydrological year plus the share of that year's summer elapsed (a
    summer, 1 April to 1 October, is 183 days)."""
    first, since, winter = _winter_of(times)
    return first + np.maximum(since - winter, np.timedelta64(0, "ns")) / np.timedelta64(183, "D")


def year_weights(ds: xr.Dataset) -> xr.DataArray | None:
    """The weight of each step of ``ds`` in its figures per year, where a run covers more of one season than of the
    other (from October to the next March but one: 2 winters, 1 summer): 1 / the seasons of its kind covered
    (:func:`season_years`), so that a yearly figure is the sum of its seasons' means, as the country table's
    winter and summer are (a spreadsheet analyst's review: a country's irrigation per year exceeded its whole
    demand, its demands' per year were biased by the mix of seasons).  None where every step counts 1 /
    :func:`n_years`: whole hydrological years, or a run shorter than a year (whose figures are its totals)."""
    short, covered = coverage(ds)
    if short or all(abs(covered[s] - covered["year"]) < 1e-9 for s in ("winter", "summer")):
        return None
    share = winter_share(ds)  # (a step across 1 April or 1 October: its days in each season weigh as that season's)
    weights = share * (1.0 / max(covered["winter"], 1e-300)) + (1.0 - share) * (1.0 / max(covered["summer"], 1e-300))
    return xr.DataArray(weights, dims="time")


def _n_steps(data: xr.Dataset | TimeAxis) -> int:
    return data.n_steps if isinstance(data, TimeAxis) else int(data.sizes["time"])


def check_dataset(ds: object, name: str, also: tuple[type, ...] = ()) -> None:
    """Refuse what is not a results Dataset (nor one of the types ``also``) with time steps (TypeError,
    ValueError), naming the function ``name`` that takes it."""
    if not isinstance(ds, (xr.Dataset, *also)):
        hint = ": pass results.dataset" if hasattr(ds, "dataset") else ""
        kinds = ["a results Dataset", *(with_article(t.__name__) for t in also)]
        took = " or ".join([", ".join(kinds[:-1]), kinds[-1]]) if also else kinds[0]
        raise TypeError(f"{name} takes {took}, not {type(ds).__name__}{hint}")
    if not isinstance(ds, xr.Dataset | xr.DataArray):
        return
    if "time" not in ds.dims:
        raise ValueError(f"{name}: the results have no time dimension (a selection of one step, or a mean over "
                         "time?): it sums each step of a run")
    if not ds.sizes["time"]:
        raise ValueError(f"{name}: the results have no time steps")
    empty = [str(d) for d in _TRACE_DIMS if d in ds.dims and not ds.sizes[d]]
    if empty:  # (their means would be NaN, which a table of sums reads as 0)
        raise ValueError(f"{name}: the results have no {empty[0]} (a selection that matched none?)")


def _steps(data: xr.Dataset | TimeAxis) -> tuple[np.ndarray, np.ndarray] | None:
    """Step starts (datetime64) and lengths in days of a time axis or a results Dataset (None: no dates)."""
    if isinstance(data, TimeAxis):
        return np.asarray(data.starts.values), np.asarray(data.days, dtype=float)
    starts = _step_starts(data)
    if starts is None:
        return None
    days = np.asarray(data["days"].values) if "days" in data.coords else _days_of_steps(data, starts)
    if np.issubdtype(days.dtype, np.timedelta64):  # (as xarray versions that read "days" as a time span give it)
        days = days / np.timedelta64(1, "D")
    return starts, np.asarray(days, dtype=float)


def _step_starts(ds: xr.Dataset) -> np.ndarray | None:
    """The step starts of a Dataset as datetime64: its ``time`` coordinate; cftime dates (a file opened with
    ``use_cftime=True``) converted (:func:`_from_cftime`); or, for a file opened with ``decode_times=False``,
    those numbers decoded by their CF ``units`` ("days since 1970-01-01"); None if it has no time coordinate or one
    that is not dates (read as 12 steps a year)."""
    if "time" not in ds.coords:
        return None
    time = ds["time"]
    if np.issubdtype(time.dtype, np.datetime64):
        return np.asarray(time.values)
    if time.dtype == object:  # (cftime dates: a file opened with use_cftime=True)
        return _from_cftime(np.asarray(time.values))
    units = time.attrs.get("units")
    if not (isinstance(units, str) and " since " in units and np.issubdtype(time.dtype, np.number)):
        return None
    try:  # (a file opened with decode_times=False: its times are still dates, with their units)
        decoded = xr.decode_cf(xr.Dataset(coords={"time": time.variable}))["time"]
    except (ValueError, TypeError, OverflowError):
        return None
    if decoded.dtype == object:  # (a calendar other than the standard one)
        return _from_cftime(np.asarray(decoded.values))
    return np.asarray(decoded.values) if np.issubdtype(decoded.dtype, np.datetime64) else None


#: the calendars whose dates are NumPy's (those daryo writes its files in)
_STANDARD_CALENDARS = ("standard", "gregorian", "proleptic_gregorian")


def _from_cftime(values: np.ndarray) -> np.ndarray | None:
    """cftime dates as datetime64 (None if they are not dates).

    Raises
    ------
    ValueError
        If their calendar is not the standard one (``noleap``, ``360_day``...), whose years daryo does not count."""
    try:
        index = xr.CFTimeIndex(values)
    except (TypeError, ValueError):
        return None
    if index.calendar not in _STANDARD_CALENDARS:
        raise ValueError(f"the results' times are in the {index.calendar} calendar, whose hydrological years daryo "
                         "does not count; daryo writes its files in the standard calendar: give the times as dates "
                         "of it")
    # unsafe: the calendar is a standard one (above), whose Julian dates before 1582 xarray would warn of, read as
    # NumPy's proleptic Gregorian dates of the same year, month and day all the same; time_unit: as NumPy's here
    # (xarray before 2025.01.2 has no time_unit).  Silencing xarray's warnings instead would change the process's
    # warning filters, which threads share (a library user's review).
    try:
        times = index.to_datetimeindex(unsafe=True, time_unit="ns")
    except TypeError:
        times = index.to_datetimeindex(unsafe=True)
    return np.asarray(times, dtype="datetime64[ns]")


def _days_of_steps(ds: xr.Dataset, starts: np.ndarray) -> np.ndarray:
    """Step lengths in days from a Dataset's ``time_step`` attribute (as written by the results)."""
    label = ds.attrs.get("time_step", "month")
    if (days := step_label_days(label)) is not None:
        return np.full(len(starts), float(days))
    if step_label_kind(label) is StepKind.DEKAD:
        return dekad_days(pd.DatetimeIndex(starts))
    return np.asarray(pd.DatetimeIndex(starts).days_in_month, dtype=float)


def partial_years(ds: xr.Dataset) -> dict[int, bool]:
    """Whether the run covers each of its hydrological years (labelled by the year it ends in, its
    ``hydrological_year``) in part: it starts after the year's 1 October or ends before the next.  Not its steps'
    days: N-day steps are grouped by the year they start in, so a whole year of 7-day steps holds 364 or 371 days
    (a weekly modeller's review: 52 weeks were taken for part of a year).  Without dates (12 steps a year), a year
    of fewer than 12 steps.

    Parameters
    ----------
    ds
        A run's results, with its ``hydrological_year`` over ``time``.

    Returns
    -------
    dict
        Each hydrological year's flag.
    """
    labels = np.asarray(ds["hydrological_year"].values).astype(np.int64)
    years = np.unique(labels)
    if (steps := _steps(ds)) is None:
        return {int(y): bool(np.sum(labels == y) < 12) for y in years}
    starts, days = steps
    start = starts[0]
    end = starts[-1] + np.timedelta64(int(round(days[-1] * 86400)), "s")
    return {int(y): bool(start > _october_first(np.array([y - 1]))[0] or end < _october_first(np.array([y]))[0])
            for y in years}


def _october_first(years: np.ndarray) -> np.ndarray:
    return _first_of_month(years, 10)


def _first_of_month(years: np.ndarray, month: int) -> np.ndarray:
    """The first day of ``month`` of each of ``years`` (datetime64[ns])."""
    return (np.asarray(years - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1)).astype(
        "datetime64[ns]")


def _hydrological_years_elapsed(times: np.ndarray) -> np.ndarray:
    """Each instant on a scale of hydrological years: the calendar year in which its hydrological year begins
    (1 October) plus the fraction of that hydrological year elapsed at the instant."""
    first, since = _hydrological_year_starts(times)
    return first + since / (_october_first(first + 1) - _october_first(first))


#: the dimensions of a run's scenarios (its results) or traces (an ensemble's store)
_TRACE_DIMS = ("scenario", "trace")

#: the units of the variables :func:`annual_by` sums over time, and of their annual totals
_ANNUAL_UNITS = {"hm3 per step": "hm3 per year", "GWh": "GWh per year"}


#: what :func:`annual_by` groups elements by: their country, their use (a demand's category) or the element itself
_GROUPINGS = ("country", "category", "element")


def annual_by(ds: xr.Dataset, variable: str, by: str | tuple[str, ...] = "country", season: bool = True,
              scenarios: str | None = "mean") -> Any:
    """Mean annual total of a flow or energy variable, grouped by country (or use, or element) and season, averaged
    over scenarios.

    A season's value is its total over the seasons the run covers (:func:`season_years`), so a run of part of a
    year gives each season's mean, not a share of a year's; a year's (``season=False``) is the total over the years
    covered (:func:`n_years`), or, where the run covers more of one season than of the other, the sum of its
    seasons' means (:func:`year_weights`).

    Parameters
    ----------
    ds
        A run's results (``Results.dataset``, or its NetCDF file read back), or an ensemble's store (its traces
        are the scenarios); a selection of one scenario, or its dimensions in another order, too.
    variable
        A variable of ``ds`` that is an amount per step of each element: a flow (``hm3 per step``: ``delivery``,
        ``deficit``, ``edge_flow``, ``sink_inflow``...) or ``energy``/``energy_target``/``energy_shortfall``
        (``GWh``).  Volumes (``storage``) and heads are not amounts per step, and their sum over time means
        nothing.
    by
        ``"country"`` (the element's country; ``—`` for none), ``"category"`` (a demand's use: ``irrigation``,
        ``municipal``, ``industrial`` or ``other``; only demands have one) or ``"element"`` (its id); or a tuple of
        them, ``("country", "category")``: each country's water by use (its irrigation apart from its towns'), the
        groups a pandas MultiIndex named after them.
    season
        Group by season too (winter: October–March, summer: April–September).
    scenarios
        ``"mean"`` (average over the scenarios or traces) or None (keep their dimension).

    Returns
    -------
    pandas.DataFrame, pandas.Series or xarray.DataArray
        hm³ or GWh per year: a DataFrame (season × group) when ``season`` is True, its ``attrs["units"]`` each
        column's units (``"hm3 per year"`` or ``"GWh per year"``), else a Series by group, its ``attrs["units"]``
        the units; with ``scenarios=None`` an xarray DataArray with the scenario (or trace) dimension where ``ds``
        has one (its ``units`` attribute per year).  Grouped by a tuple, the groups are a MultiIndex (the
        DataFrame's columns, the Series' index; the DataArray's ``group`` coordinate, with a coordinate per level)
        of the combinations some element has.

    Raises
    ------
    TypeError
        If ``ds`` is not a Dataset (a ``Results``: pass its ``dataset``), or ``variable`` is not a name.
    ValueError
        If ``variable`` is not such a variable of ``ds``, ``by`` or ``scenarios`` is not one of its values (or
        ``by`` asks for the category of elements that have none), or ``ds`` has no time steps.
    """
    check_dataset(ds, "annual_by")
    if not isinstance(variable, str):
        raise TypeError(f"variable={variable!r}: give the name of one variable of the results")
    keys = _grouping(by)
    if scenarios not in ("mean", None):
        raise ValueError(f"scenarios={scenarios!r}: use 'mean' or None")
    if variable not in ds.data_vars:
        raise ValueError(f"{variable!r} is not a variable of the results")
    da = ds[variable]
    units = _ANNUAL_UNITS.get(daryo_units(da.attrs))  # (a CF file's units too: a run's NetCDF file read back)
    traces = [str(d) for d in da.dims if d in _TRACE_DIMS]
    elements = [str(d) for d in da.dims if d not in (*_TRACE_DIMS, "time")]
    if units is None or "time" not in da.dims or len(elements) != 1 or len(traces) > 1:
        raise ValueError(f"{variable!r} ({da.attrs.get('units', 'no units')} over {', '.join(map(str, da.dims))}) "
                         "is not an amount per step of each element (a flow in hm3 per step, or energy in GWh, over "
                         "time and one element dimension, and scenario or trace if it has one), whose annual total "
                         "means something")
    elem = elements[0]
    if not da.sizes[elem]:  # (xarray: "group must not be empty")
        raise ValueError(f"{variable!r}: the results have no {elem} (a selection that matched none?)")
    da = da.transpose(*traces, "time", elem).astype(np.float64)  # (in any order: CDO's is time first; sums of
    # an ensemble store's float32 series in float64, as its summaries are)
    labels = [_group_labels(da, elem, key, variable) for key in keys]
    if len(keys) == 1:
        group, groups = labels[0], None
    else:  # (each combination's number, in sorted order, then the combinations as the groups' MultiIndex)
        group, combinations = pd.factorize(pd.MultiIndex.from_arrays(labels), sort=True)
        groups = pd.MultiIndex.from_tuples(list(combinations), names=list(keys))
    da = da.assign_coords(group=(elem, group))
    if season:
        totals = _season_totals(ds, da, elem)
        totals = totals / xr.DataArray([season_years(ds, str(s)) for s in totals["season"].values],
                                       dims="season", coords={"season": totals["season"]})
    elif (weights := year_weights(ds)) is None:
        totals = da.sum("time").groupby("group").sum(elem) / n_years(ds)
    else:  # (more of one season than of the other: the sum of the seasons' means)
        totals = (da * weights).sum("time").groupby("group").sum(elem)
    if groups is not None:
        totals = totals.assign_coords(xr.Coordinates.from_pandas_multiindex(groups[totals["group"].values], "group"))
    totals.attrs = {"units": units, "description": f"Mean annual total of {variable}"}
    if scenarios is None:
        return totals
    table = (totals.mean(traces) if traces else totals).to_pandas()
    table.attrs["units"] = dict.fromkeys(table.columns, units) if isinstance(table, pd.DataFrame) else units
    table.attrs["description"] = totals.attrs["description"]
    return table


def _season_totals(ds: xr.Dataset, da: xr.DataArray, elem: str) -> xr.DataArray:
    """The totals of ``da`` (its ``group`` coordinate along ``elem``) by season and group: each step's in the season
    of its start, or, where a step lies across 1 April or 1 October, its days' shares in each
    (:func:`winter_share`); a season no step reaches has none."""
    if (steps := _steps(ds)) is not None and np.any((share := winter_share(ds)) % 1.0 != 0.0):
        parts = {s: da * xr.DataArray(w, dims="time") for s, w in (("summer", 1.0 - share), ("winter", share))
                 if np.any(w > 0)}
        return xr.concat([p.sum("time").groupby("group").sum(elem) for p in parts.values()],
                         dim=pd.Index(list(parts), name="season"))
    if "season" not in da.coords:  # (dropped, or a file of another tool: a step's season is its start's)
        if steps is None:
            raise ValueError("the results have no season coordinate, and their times are not dates (numpy "
                             "datetime64) to tell the seasons by; pass season=False, or give them a season")
        month = steps[0].astype("datetime64[M]").astype(np.int64) % 12 + 1
        da = da.assign_coords(season=("time", season_of_month(month)))
    return da.groupby("season").sum("time").groupby("group").sum(elem)


def _grouping(by: object) -> tuple[str, ...]:
    """The groupings ``by`` names (:data:`_GROUPINGS`), in order: one, or a tuple of distinct ones."""
    keys = (by,) if isinstance(by, str) else tuple(by) if isinstance(by, tuple | list) else ()
    if not keys or any(k not in _GROUPINGS for k in keys) or len(set(keys)) != len(keys):
        raise ValueError(f"by={by!r}: use 'country', 'category' (a demand's use) or 'element', or a tuple of them "
                         "such as ('country', 'category')")
    return keys


def _group_labels(da: xr.DataArray, elem: str, key: str, variable: str) -> np.ndarray:
    """Each element's label of grouping ``key``: its id, its country (``—`` for none; its id where the results
    give no countries) or its category (``—`` for none)."""
    if key == "element":
        return np.asarray(da[elem].values).astype(str)
    coordinate = f"{elem}_{key}"
    if key == "category" and coordinate not in da.coords:
        kind = f"over {elem}, which has no category (only demands have one)" if elem != "demand" else (
            "over demand, but the results have no demand_category coordinate to group it by")
        raise ValueError(f"by='category': {variable!r} is {kind}")
    labels = np.asarray((da.coords[coordinate] if coordinate in da.coords else da[elem]).values).astype(str)
    return np.where(labels == "", "—", labels)


def energy_by_season(ds: xr.Dataset, by: str = "country", scenarios: str | None = "mean") -> Any:
    """Mean annual hydropower energy (GWh per year) by country (``by="element"``: by plant) and season; as
    :func:`annual_by` of ``energy``."""
    return annual_by(ds, "energy", by=by, season=True, scenarios=scenarios)


def sink_inflow(ds: xr.Dataset, scenarios: str | None = "mean") -> Any:
    """Mean annual inflow (hm³/yr) received by each terminal sink; as :func:`annual_by` of ``sink_inflow``."""
    return annual_by(ds, "sink_inflow", by="element", season=False, scenarios=scenarios)


def country_summary(ds: xr.Dataset) -> pd.DataFrame:
    """The run summary table: per country, mean annual demand, delivery and deficit (hm³/yr) in winter
    (Oct–Mar) and summer (Apr–Sep), and hydropower energy (GWh/yr) by season: a column for each of these the
    results hold (an ensemble's store has no monthly ``demanded``, so no demand columns; its annual demand is
    ``annual_demand``).  The table's ``attrs["units"]`` gives each column's units."""
    check_dataset(ds, "country_summary")
    parts = {}
    for var in ("demanded", "delivery", "deficit"):
        if var in ds and ds[var].size:  # (a selection of no demand: no demand columns)
            t = annual_by(ds, var)
            for s in ("winter", "summer"):
                if s in t.index:
                    parts[f"{var} {s}"] = t.loc[s]
    if "energy" in ds and ds["energy"].size:
        t = energy_by_season(ds)
        for s in ("winter", "summer"):
            if s in t.index:
                parts[f"energy {s} GWh"] = t.loc[s]
    frame = pd.DataFrame(parts).fillna(0.0)
    frame.index.name = "country"
    frame.attrs["units"] = {c: "GWh per year" if c.startswith("energy") else "hm3 per year" for c in frame.columns}
    return frame


def country_system_summary(ds: xr.Dataset, basins: Any = None, several: bool = False,
                           category: str | None = None) -> pd.DataFrame:
    """Per country and river system, its demands' mean annual water demanded, delivered and short (hm³/yr) and the
    deficit's share of the demand (%): a country that draws on two rivers (Uzbekistan on the Syr and the Amu) has a
    row for each, which its :func:`country_summary` row pools.

    Parameters
    ----------
    ds
        A run's results with their topology (the systems: :func:`daryo.sdg.river_systems`).
    basins
        Names for the systems, as :func:`daryo.sdg.water_stress`'s (None: those the results record).
    several
        Only the countries whose demands are on several systems (those whose :func:`country_summary` row pools
        rivers).
    category
        The demands of one use only (``"irrigation"``: Uzbekistan's Amu irrigation without its towns' water,
        served first); None: every use.

    Returns
    -------
    pandas.DataFrame
        Index (``country``, ``system``), sorted; columns ``demanded``, ``delivered``, ``deficit`` (hm³/yr) and
        ``deficit_share`` (%: of the country's demand on that system; NaN where nothing is demanded), with
        ``attrs["units"]``.  Empty for results without demands (or without their ``demanded``, ``delivery`` and
        ``deficit``).

    Raises
    ------
    TypeError
        If ``ds`` is not a Dataset, or ``basins`` not a mapping of names to lists of node ids.
    ValueError
        If ``ds`` lacks the topology the systems need, a basin's id is not a node of it, or ``category`` is not a
        demand's category (or the results have no ``demand_category`` to select it by).
    """
    from .sdg import river_systems

    check_dataset(ds, "country_system_summary")
    _check_category(category)
    variables = {"demanded": "demanded", "delivered": "delivery", "deficit": "deficit"}  # (column: variable)
    columns = list(variables)
    if "demand" not in ds.dims or not ds.sizes["demand"] or any(v not in ds for v in variables.values()):
        frame = pd.DataFrame(columns=[*columns, "deficit_share"],
                             index=pd.MultiIndex.from_tuples([], names=["country", "system"]), dtype=float)
    else:
        system = river_systems(ds, basins)
        demands = [str(d) for d in ds["demand"].values]
        country = (ds["demand_country"].values.astype(str) if "demand_country" in ds.coords else [""] * len(demands))
        per = pd.DataFrame({c: annual_by(ds, v, by="element", season=False).reindex(demands)
                            for c, v in variables.items()})
        per["country"] = [c or "—" for c in country]
        per["system"] = system.reindex(demands).to_numpy()
        if category is not None:
            if "demand_category" not in ds.coords:
                raise ValueError(f"category={category!r}: the results have no demand_category coordinate to select "
                                 "the demands by")
            per = per[ds["demand_category"].values.astype(str) == category]
        frame = per.groupby(["country", "system"]).sum()[columns]
        frame["deficit_share"] = _share(frame["deficit"], frame["demanded"])
        if several:
            systems = frame.groupby(level="country").size()
            frame = frame[frame.index.get_level_values("country").isin(systems[systems > 1].index)]
    frame.attrs["units"] = {"demanded": "hm3 per year", "delivered": "hm3 per year", "deficit": "hm3 per year",
                            "deficit_share": "%"}
    return frame


def country_category_summary(ds: xr.Dataset, category: str | None = None) -> pd.DataFrame:
    """Per country and use (a demand's ``category``: irrigation, municipal...), its demands' mean annual water
    demanded, delivered and short (hm³/yr) and the deficit's share of the demand (%), of the year and of each
    season: a country's irrigation apart from its towns' water, which its :func:`country_summary` row pools (a
    food-security analyst's review: a deficit share of all uses has the towns' demand, served first, in its
    denominator).

    Parameters
    ----------
    ds
        A run's results, or an ensemble's store of the monthly ``demanded`` (``--series``), ``delivery`` and
        ``deficit``.
    category
        One use only (``"irrigation"``: the water food depends on); None: every use.

    Returns
    -------
    pandas.DataFrame
        Index (``country``, ``category``), sorted; columns ``demanded``, ``delivered``, ``deficit`` (hm³/yr),
        ``deficit_share`` (%: of the demand of that country and use; NaN where nothing is demanded) and the
        seasons' shares, ``winter_deficit_share`` (October–March) and ``summer_deficit_share`` (April–September, the
        growing season; NaN for a season the run does not reach), with ``attrs["units"]``.  Empty for results
        without demands (or without their ``demanded``, ``delivery`` and ``deficit``).

    Raises
    ------
    TypeError
        If ``ds`` is not a Dataset.
    ValueError
        If ``category`` is not a demand's category, or the results have demands but no ``demand_category``.
    """
    check_dataset(ds, "country_category_summary")
    _check_category(category)
    variables = {"demanded": "demanded", "delivered": "delivery", "deficit": "deficit"}  # (column: variable)
    shares = ["deficit_share", "winter_deficit_share", "summer_deficit_share"]
    if "demand" not in ds.dims or not ds.sizes["demand"] or any(v not in ds for v in variables.values()):
        frame = pd.DataFrame(columns=[*variables, *shares], dtype=float,
                             index=pd.MultiIndex.from_tuples([], names=["country", "category"]))
    else:
        by = ("country", "category")
        frame = pd.DataFrame({c: annual_by(ds, v, by=by, season=False) for c, v in variables.items()})
        seasons = {c: annual_by(ds, v, by=by).reindex(["winter", "summer"]) for c, v in variables.items()}
        frame["deficit_share"] = _share(frame["deficit"], frame["demanded"])
        for s in ("winter", "summer"):
            frame[f"{s}_deficit_share"] = _share(seasons["deficit"].loc[s], seasons["demanded"].loc[s])
        frame.index.names = ["country", "category"]
        if category is not None:
            frame = frame[frame.index.get_level_values("category") == category]
    frame.attrs["units"] = {**dict.fromkeys(variables, "hm3 per year"), **dict.fromkeys(shares, "%")}
    return frame


#: the most countries whose deficits :func:`scenario_summary` gives a column each (beyond them, the total alone)
SCENARIO_COUNTRIES = 6


def scenario_summary(ds: xr.Dataset) -> pd.DataFrame:
    """The main figures of each scenario (or trace) of a run: mean annual deficit by country, total deficit and
    delivery (hm³/yr), hydropower energy (GWh/yr) and inflow to the terminal sinks (hm³/yr), as :func:`annual_by`
    with ``scenarios=None`` gives them.  The run's summary pools its scenarios: a climate-services review read
    Uzbekistan's winter deficit as 748 hm³ pooled over SSP2-4.5 and SSP5-8.5, 262 to 1,586 hm³ by projection.

    Parameters
    ----------
    ds
        A run's results (``Results.dataset``, or its NetCDF file read back).

    Returns
    -------
    pandas.DataFrame
        One row per scenario (the index named ``scenario``); columns ``deficit COUNTRY`` for each country short in
        some scenario (where the results have two or more countries, and at most :data:`SCENARIO_COUNTRIES` are
        short), then ``deficit``, ``delivered``, ``energy GWh`` and ``sink inflow``: those the results hold.
        ``attrs["units"]`` gives each column's units.

    Raises
    ------
    TypeError
        If ``ds`` is not a Dataset.
    """
    check_dataset(ds, "scenario_summary")
    names = [str(s) for s in ds["scenario"].values] if "scenario" in ds.dims else ["0"]
    parts: dict[str, np.ndarray] = {}

    def by_scenario(variable: str, by: str) -> xr.DataArray:
        da = annual_by(ds, variable, by=by, season=False, scenarios=None)
        return da if "scenario" in da.dims else da.expand_dims("scenario")

    if "deficit" in ds and ds["deficit"].size:
        deficit = by_scenario("deficit", "country")
        short = [str(c) for c in deficit["group"].values
                 if str(c) != "—" and float(deficit.sel(group=c).max()) > YEAR_NOISE]
        if deficit.sizes["group"] > 1 and 0 < len(short) <= SCENARIO_COUNTRIES:
            parts.update({f"deficit {c}": deficit.sel(group=c).values for c in short})
        parts["deficit"] = deficit.sum("group").values
    if "delivery" in ds and ds["delivery"].size:
        parts["delivered"] = by_scenario("delivery", "country").sum("group").values
    if "energy" in ds and ds["energy"].size:
        parts["energy GWh"] = by_scenario("energy", "country").sum("group").values
    if "sink_inflow" in ds and ds["sink_inflow"].size:
        parts["sink inflow"] = by_scenario("sink_inflow", "element").sum("group").values
    frame = pd.DataFrame(parts, index=pd.Index(names, name="scenario"))
    frame.attrs["units"] = {c: "GWh per year" if c.startswith("energy") else "hm3 per year" for c in frame.columns}
    return frame


def _check_category(category: object) -> None:
    """Refuse a ``category`` that is neither None nor a demand's category (ValueError)."""
    from .model.components import component_type

    choices = component_type("demand").attribute("category").choices  # type: ignore[union-attr]
    if category is not None and category not in choices:
        raise ValueError(f"category={category!r}: give a demand's category ({', '.join(choices)}), or None for all")


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    """``part`` as a percentage of ``whole`` (NaN where the whole is not above 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (part / whole * 100).where(whole > 0)


def coverage(ds: xr.Dataset) -> tuple[bool, dict[str, float]]:
    """Whether a run is shorter than a year (of fewer than 365 days: a calendar year covers 0.9993 of two
    hydrological years when the second is a leap year), whose totals are shown, as annual means would extrapolate
    from a part; and the years, winters and summers it covers (:func:`n_years`, :func:`season_years`)."""
    covered = {"year": n_years(ds), "winter": season_years(ds, "winter"), "summer": season_years(ds, "summer")}
    return (float(ds["days"].sum()) < 365 if "days" in ds.coords else covered["year"] < 1), covered


def energy_shortfall(ds: xr.Dataset) -> pd.Series:
    """Each plant's mean annual energy target not generated (GWh/yr; ``attrs["units"]``), of the plants with a
    target (an empty Series where the results have no targets)."""
    if "energy_shortfall" not in ds or "energy_target" not in ds:
        series = pd.Series(dtype=float)
    else:
        wanted = ds["energy_target"].sum([d for d in ds["energy_target"].dims if d != "hydropower"])
        weights = year_weights(ds)
        short = (ds["energy_shortfall"].sum("time").mean("scenario") / n_years(ds) if weights is None
                 else (ds["energy_shortfall"] * weights).sum("time").mean("scenario"))
        plants = [str(p) for p in ds["hydropower"].values if float(wanted.sel(hydropower=p)) > 0]
        series = pd.Series([float(short.sel(hydropower=p)) for p in plants], index=plants, dtype=float)
    series.attrs["units"] = "GWh per year"
    return series


def storage_change(ds: xr.Dataset) -> pd.DataFrame:
    """Each reservoir's volume at the start of the run and at its end, and the change (hm³; the mean over the
    scenarios): the water a run took from storage (a negative change) or left in it, which its deliveries do not
    show; and the ``lowest`` volume, at the run's start or a step's end, in any scenario.  An empty table where the
    results have no reservoirs; a ValueError for an ensemble's store (which keeps no start volumes: its
    ``annual_min_storage`` gives each year's lowest)."""
    check_dataset(ds, "storage_change")
    if "trace" in ds.dims:
        raise ValueError("storage_change: an ensemble's store keeps no start volumes; each run year's lowest volume "
                         "is its annual_min_storage")
    columns = ["start", "end", "change", "lowest"]
    if "storage" not in ds or "storage_start" not in ds or not ds.sizes.get("reservoir", 0):
        return pd.DataFrame(columns=columns, dtype=float)
    start = ds["storage_start"].isel(time=0).mean("scenario").values
    end = ds["storage"].isel(time=-1).mean("scenario").values
    lowest = np.minimum(ds["storage"].min(("scenario", "time")).values,
                        ds["storage_start"].isel(time=0).min("scenario").values)
    table = pd.DataFrame({"start": start, "end": end, "change": end - start, "lowest": lowest},
                         index=pd.Index(ds["reservoir"].values.astype(str), name="reservoir"))
    table.attrs["units"] = dict.fromkeys(columns, "hm3")
    return table


def storage_shortfall(ds: xr.Dataset) -> pd.DataFrame:
    """How far each reservoir with a rule curve (``target_volume``) ended its steps below it: the mean over the
    steps and scenarios of ``storage_shortfall`` (``short``, hm³: a volume at a step's end, not a flow, so a mean
    rather than a sum over the year) and the share of the steps, over the scenarios, that ended short of it
    (``steps_short``, 0–1); an empty table where the results have no targets."""
    check_dataset(ds, "storage_shortfall")
    if "storage_shortfall" not in ds or "storage_target" not in ds or not ds.sizes.get("reservoir", 0):
        return pd.DataFrame(columns=["short", "steps_short"], dtype=float)
    short = ds["storage_shortfall"].transpose("reservoir", ...).values.reshape(ds.sizes["reservoir"], -1)
    has = ~np.isnan(ds["storage_target"].transpose("reservoir", ...).values.reshape(ds.sizes["reservoir"], -1))
    kept = has.any(axis=1)  # (NaN throughout: a reservoir without a target)
    # (> noise, not > 0: results written before 2026-12-04 keep the solver's noise in their shortfalls)
    table = pd.DataFrame({"short": short[kept].mean(axis=1),
                          "steps_short": (short[kept] > SHORTFALL_NOISE).mean(axis=1)},
                         index=pd.Index(ds["reservoir"].values[kept].astype(str), name="reservoir"))
    table.attrs["units"] = {"short": "hm3", "steps_short": "1"}
    return table


def requirement_summary(ds: xr.Dataset) -> pd.DataFrame:
    """How each flow requirement fared: the node it is on (``at``), its mean annual water ``required`` and ``met``
    (hm³/yr: the flow through its node, up to the requirement) and the share of the steps, over the scenarios,
    short of it (``steps_short``, 0–1); an empty table where the results have no flow requirements."""
    check_dataset(ds, "requirement_summary")
    if "requirement_met" not in ds or not ds.sizes.get("requirement", 0):
        return pd.DataFrame(columns=["at", "required", "met", "steps_short"])
    required = ds["required"].transpose("scenario", "time", "requirement").values
    met = ds["requirement_met"].transpose("scenario", "time", "requirement").values
    names = ds["requirement"].values.astype(str)
    at = ds["requirement_at"].values.astype(str) if "requirement_at" in ds.coords else [""] * len(names)
    weights = year_weights(ds)
    if weights is None:
        years = n_years(ds)
        required_per_year = required.sum(axis=1).mean(axis=0) / years
        met_per_year = met.sum(axis=1).mean(axis=0) / years
    else:  # (more of one season than of the other: the sum of the seasons' means)
        w = weights.values[None, :, None]
        required_per_year, met_per_year = (required * w).sum(axis=1).mean(axis=0), (met * w).sum(axis=1).mean(axis=0)
    table = pd.DataFrame({"at": at, "required": required_per_year, "met": met_per_year,
                          "steps_short": (required - met > SHORTFALL_NOISE).mean(axis=(0, 1))},  # (noise: above)
                         index=pd.Index(names, name="requirement"))
    table.attrs["units"] = {"required": "hm3 per year", "met": "hm3 per year", "steps_short": "1"}
    return table


def supply_reliability(ds: xr.Dataset, threshold: float = 0.0) -> pd.DataFrame:
    """Reliability, resilience and vulnerability of each demand's supply (Hashimoto, Stedinger and Loucks, 1982,
    Water Resources Research 18(1):14–20, https://doi.org/10.1029/WR018i001p00014), over every step of every
    scenario (or trace).

    A step *fails* for a demand when its deficit is more than ``threshold`` of what the demand asked for in that
    step (``threshold=0.3``: it got less than 70 %); a step in which it asked for nothing does not fail.  A
    *failure spell* is a run of failing steps in one scenario.

    Parameters
    ----------
    ds
        A run's results, or an ensemble's store (its traces are the scenarios): the monthly ``delivery`` and
        ``deficit`` (hm³ per step) of each demand.
    threshold
        The deficit, as a fraction of the step's demand (0 ≤ threshold < 1), above which a step fails; 0 (the
        default): any deficit.

    Returns
    -------
    pandas.DataFrame
        A row per demand (index ``demand``) with columns ``country``; ``reliability``, the share of the steps in
        which it asked for water that did not fail (NaN if it never asked); ``resilience``, the share of failing
        steps followed by a step that does not fail, in the same scenario (a failure in the run's last step has
        no next step and is not counted; NaN if no failure is); ``vulnerability``, the mean over failure spells
        of the largest deficit in the spell, as a fraction of its step's demand (NaN if none); ``spells_per_year``,
        failure spells per scenario and hydrological year (:func:`n_years`); ``longest_spell``, the most steps of
        one spell (0 if none).

    Raises
    ------
    TypeError
        If ``ds`` is not a Dataset, or ``threshold`` is not a number.
    ValueError
        If ``ds`` has no ``delivery`` and ``deficit`` of demands over time, or ``threshold`` is outside [0, 1).
    """
    check_dataset(ds, "supply_reliability")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.integer, np.floating)):
        raise TypeError(f"threshold={threshold!r}: give a fraction of the step's demand, 0 ≤ threshold < 1")
    if not 0.0 <= threshold < 1.0:
        raise ValueError(f"threshold={threshold!r}: give a fraction of the step's demand, 0 ≤ threshold < 1 "
                         "(0.3: a step fails when it gets less than 70 % of its demand)")
    _check_supply_series(ds)
    got, short = (trace_time_element(ds[name], "demand", "supply_reliability")  # (S, T, D) each
                  for name in ("delivery", "deficit"))
    short = np.where(short > SHORTFALL_NOISE, short, 0.0)  # (results written before 2026-12-04 keep the noise)
    asked = got + short
    fraction = np.divide(short, asked, out=np.zeros_like(short), where=asked > 0)
    fail = fraction > threshold
    n_traces, n_steps, n_demands = fail.shape
    with np.errstate(divide="ignore", invalid="ignore"):
        reliability = 1.0 - fail.sum(axis=(0, 1)) / (asked > 0).sum(axis=(0, 1))
        followed = fail[:, :-1]
        resilience = (followed & ~fail[:, 1:]).sum(axis=(0, 1)) / followed.sum(axis=(0, 1))
    vulnerability, spells, longest = _failure_spells(fail, fraction)
    frame = pd.DataFrame({
        "country": _countries(ds, "demand", n_demands),
        "reliability": reliability, "resilience": resilience, "vulnerability": vulnerability,
        "spells_per_year": spells / (n_traces * n_years(ds)), "longest_spell": longest,
    }, index=pd.Index(ds["demand"].values.astype(str), name="demand"))
    frame.attrs.update(threshold=float(threshold), steps=n_steps, scenarios=n_traces)
    return frame


def _check_supply_series(ds: xr.Dataset) -> None:
    """Raise a ValueError naming what :func:`supply_reliability` needs and ``ds`` lacks: the ``delivery`` and
    ``deficit`` of each demand over time."""
    missing = [n for n in ("delivery", "deficit")
               if n not in ds.data_vars or "demand" not in ds[n].dims or "time" not in ds[n].dims]
    if missing:
        kept = ds.attrs.get("series") if "trace" in ds.dims else None
        keeps = f"the monthly series {', '.join(kept.split())} only" if kept else "no monthly series (--series none)"
        where = (f"this ensemble's store keeps {keeps}, as its 'series' attribute says: run the ensemble again with "
                 f"{' and '.join(missing)} among its --series" if isinstance(kept, str) else
                 "a run's results have them, and an ensemble's store by default")
        raise ValueError(f"supply_reliability: the results have no {' and no '.join(map(repr, missing))} of each "
                         f"demand over time ({where})")


def trace_time_element(da: xr.DataArray, element: str, caller: str) -> np.ndarray:
    """``da`` as float64 (scenarios or traces, time, ``element``), with a scenario axis of one where it is a
    selection of one; a ValueError naming ``caller`` if it has other dimensions."""
    traces = [str(d) for d in da.dims if d in _TRACE_DIMS]
    if len(traces) > 1 or set(map(str, da.dims)) - {*traces, "time", element}:
        raise ValueError(f"{caller}: {da.name!r} is over {', '.join(map(str, da.dims))}; give it over scenario "
                         f"(or trace), time and {element}")
    values = da.transpose(*traces, "time", element).values.astype(np.float64)
    return values if traces else values[None]


def _countries(ds: xr.Dataset, kind: str, n: int) -> np.ndarray:
    """The country of each element of ``kind`` ("" where the results do not say)."""
    key = f"{kind}_country"
    return ds[key].values.astype(str) if key in ds.coords else np.full(n, "")


def _failure_spells(fail: np.ndarray, fraction: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per demand (the last axis of ``fail`` and ``fraction``: scenarios, steps, demands): the mean over failure
    spells of the largest ``fraction`` in each, the number of spells and the most steps of one."""
    n_demands = fail.shape[2]
    flat_fail = np.moveaxis(fail, 2, 0).reshape(-1)  # (demand, scenario, step) in order: a spell is contiguous
    flat_fraction = np.moveaxis(fraction, 2, 0).reshape(-1)
    before = np.zeros_like(fail)
    before[:, 1:] = fail[:, :-1]  # (a scenario's first step starts a spell: none runs on from another scenario)
    starts = np.flatnonzero(np.moveaxis(fail & ~before, 2, 0).reshape(-1))
    spells = np.zeros(n_demands)
    worst = np.full(n_demands, np.nan)
    longest = np.zeros(n_demands, dtype=np.int64)
    if not starts.size:
        return worst, spells, longest
    failing = np.flatnonzero(flat_fail)  # (each spell's steps follow its start, up to the next start)
    first = np.searchsorted(failing, starts)
    largest = np.maximum.reduceat(flat_fraction[failing], first)
    length = np.diff(np.append(first, failing.size))
    demand = starts // (fail.shape[0] * fail.shape[1])
    spells = np.bincount(demand, minlength=n_demands).astype(float)
    with np.errstate(invalid="ignore"):
        worst = np.bincount(demand, weights=largest, minlength=n_demands) / spells
    np.maximum.at(longest, demand, length)
    return np.where(spells > 0, worst, np.nan), spells, longest
