"""Aral-specific result summaries: withdrawals at the canal heads by country (for comparison with the ICWC
limits) and natural flow by basin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from ...indicators import n_years
from ...model import Model, Series

__all__ = ["intake_withdrawals", "natural_flow"]


def intake_withdrawals(ds: xr.Dataset, model: Model, river: str = "amu", season: str | None = None,
                       scenarios: str | None = "mean") -> pd.Series | pd.DataFrame:
    """Mean annual withdrawal at the intakes (km³/yr) by country, from ``model.metadata['intakes'][river]``.

    Parameters
    ----------
    ds
        The results Dataset.
    model
        The model that was run (its metadata lists the intake edges per river and country).
    river
        ``amu`` or ``syr``.
    season
        ``winter``, ``summer`` or None for the whole year.
    scenarios
        ``mean`` over scenario traces, or None to keep them (one column per trace).
    """
    groups = model.metadata["intakes"][river]
    flow = ds["edge_flow"]
    if season is not None:
        flow = flow.where(ds["season"] == season, 0.0)
    total = flow.sum("time") / n_years(ds) / 1000.0
    edges = set(ds["edge"].values.tolist())
    out = {c: total.sel(edge=[e for e in es if e in edges]).sum("edge") for c, es in groups.items()}
    frame = xr.Dataset(out).to_dataframe() if scenarios is None else None
    if scenarios == "mean":
        return pd.Series({c: float(v.mean("scenario")) for c, v in out.items()}, name="km3/yr")
    return frame[[c for c in groups]]  # type: ignore[index]


def natural_flow(model: Model) -> pd.Series:
    """Mean annual natural inflow (km³/yr) of each basin in ``model.metadata['basins']`` and their total,
    averaged over the run's steps and traces."""
    axis = model.time.axis()
    years = n_years(axis)
    out = {}
    for basin, ids in model.metadata["basins"].items():
        tot = 0.0
        for nid in ids:
            s = model.node(nid).get("inflow")
            if isinstance(s, Series):
                tot += float(np.mean(s.resolve(axis).sum(axis=1))) / years
        out[basin] = tot / 1000.0
    out["total"] = sum(out.values())
    return pd.Series(out, name="km3/yr")
