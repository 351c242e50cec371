"""Indicators computed from a results Dataset.

The indicators take ``by`` (the grouping of elements: ``country`` or the element itself) where it applies
and ``scenarios`` (``"mean"`` of the scenario values, a pandas object; or ``None`` to keep them, an xarray
DataArray).  Time is aggregated to mean annual values: totals divided by the run's length in years (days /
365.25).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["annual_by", "country_summary", "energy_by_season", "sink_inflow"]


def _n_years(ds: xr.Dataset) -> float:
    return float(ds["days"].sum() / 365.25) if "days" in ds.coords else float(ds.sizes["time"] / 12)


def annual_by(ds: xr.Dataset, variable: str, by: str = "country", season: bool = True,
              scenarios: str | None = "mean") -> Any:
    """Mean annual total of ``variable`` (hm³ or GWh per year) grouped by element country (or element)
    and season, averaged over scenarios.

    Returns a pandas DataFrame (season × group) when ``season`` is True, else a Series by group; with
    ``scenarios=None`` the scenario dimension is kept (an xarray DataArray is returned).
    """
    da = ds[variable]
    elem = str(da.dims[2])
    key = f"{elem}_country" if by == "country" else elem
    group = da.coords[key].values if key in da.coords else da[elem].values
    group = np.where(group == "", "—", group)
    da = da.assign_coords(group=(elem, group))
    if season:
        totals = da.groupby("season").sum("time").groupby("group").sum(elem)
    else:
        totals = da.sum("time").groupby("group").sum(elem)
    totals = totals / _n_years(ds)
    if scenarios != "mean":
        return totals
    return totals.mean("scenario").to_pandas()


def energy_by_season(ds: xr.Dataset, by: str = "country", scenarios: str | None = "mean") -> Any:
    """Mean annual hydropower energy (GWh) by country and season."""
    return annual_by(ds, "energy", by=by, season=True, scenarios=scenarios)


def sink_inflow(ds: xr.Dataset, scenarios: str | None = "mean") -> Any:
    """Mean annual inflow (hm³/yr) received by each terminal sink."""
    return annual_by(ds, "sink_inflow", by="element", season=False, scenarios=scenarios)


def country_summary(ds: xr.Dataset) -> pd.DataFrame:
    """The run summary table: per country, mean annual demand, delivery and deficit (hm³/yr) in winter
    (Oct–Mar) and summer (Apr–Sep), and hydropower energy (GWh/yr) by season."""
    parts = {}
    for var in ("demanded", "delivery", "deficit"):
        if var in ds:
            t = annual_by(ds, var)
            for s in ("winter", "summer"):
                if s in t.index:
                    parts[f"{var} {s}"] = t.loc[s]
    if "energy" in ds:
        t = energy_by_season(ds)
        for s in ("winter", "summer"):
            if s in t.index:
                parts[f"energy {s} GWh"] = t.loc[s]
    frame = pd.DataFrame(parts).fillna(0.0)
    frame.index.name = "country"
    return frame
