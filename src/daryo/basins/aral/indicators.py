"""Aral-specific result summaries: withdrawals at the canal heads by country (for comparison with the ICWC
limits) and natural flow by basin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from ...indicators import _TRACE_DIMS, check_dataset, n_years, season_years, winter_share
from ...model import Model, Series

__all__ = ["intake_withdrawals", "natural_flow"]


def intake_withdrawals(ds: xr.Dataset, model: Model, river: str = "amu", season: str | None = None,
                       scenarios: str | None = "mean") -> pd.Series | pd.DataFrame:
    """Mean annual withdrawal at the intakes (km³/yr) by country, from ``model.metadata['intakes'][river]``.

    An intake edge that ends at a canal counts the canal's head flow; a canal serving several countries (the
    Dostyk canal: Uzbekistan and Kazakhstan) has its head edge listed under each of them, and each country
    gets the head flow times its share of what the canal delivers (as ``national_withdrawals`` of the
    validation splits it), computed per trace over the period (and season) summed.

    Parameters
    ----------
    ds
        The results Dataset (``Results.dataset`` or its NetCDF file read back), a selection of one of its scenarios,
        or an ensemble's store that kept ``edge_flow`` (``daryo ensemble --series ...,edge_flow``): its traces are
        the scenarios.
    model
        The model that was run (its metadata lists the intake edges per river and country).
    river
        ``amu`` or ``syr``.
    season
        ``winter``, ``summer`` or None for the whole year (a season's mean is over the seasons the run
        covers: :func:`daryo.indicators.season_years`).
    scenarios
        ``mean`` over scenario traces, or None to keep them (one row per trace).

    Returns
    -------
    pandas.Series or pandas.DataFrame
        km³/yr by country: a Series indexed by country (``scenarios="mean"``), or a DataFrame of one row per trace
        (index ``scenario``, or ``trace`` for an ensemble's store) and one column per country (``scenarios=None``).
        Mean annual values, as
        :mod:`daryo.indicators` gives them: a run shorter than a year is taken to a year (a run of April–September
        withdraws twice its season's water "per year"); its totals, which ``daryo run`` prints for such a run, are
        these values times :func:`daryo.indicators.n_years` (or, for a season, ``season_years``) of the results.
    """
    check_dataset(ds, "intake_withdrawals")
    if scenarios not in ("mean", None):
        raise ValueError(f"scenarios={scenarios!r}: use 'mean' or None")
    intakes = _metadata(model, "intakes", "intake edges per river and country")
    if river not in intakes:
        raise ValueError(f"river={river!r}: the model lists intakes of {', '.join(map(repr, intakes))}")
    groups = intakes[river]
    flow = _edge_flow(ds)
    traces = next(d for d in _TRACE_DIMS if d in flow.dims)
    years = n_years(ds)
    if season is not None:
        share = winter_share(ds)  # (a step across 1 April or 1 October: its days' share in each season)
        flow = flow * xr.DataArray(share if season == "winter" else 1.0 - share, dims="time")
        years = season_years(ds, season)
    total = flow.sum("time") / years / 1000.0
    edges = set(ds["edge"].values.tolist())
    types = {n.id: n.type for n in model.nodes}
    country = {n.id: n.country for n in model.nodes}
    target = {e.id: e.target for e in model.edges}
    out = {}
    for c, es in groups.items():
        got = [e for e in es if e in edges]
        plain = [e for e in got if types.get(target[e]) != "canal"]
        value = total.sel(edge=plain).sum("edge")
        for e in got:
            canal = target[e]
            if types.get(canal) != "canal":
                continue
            feeds = [f.id for f in model.edges if f.source == canal and f.id in edges]
            mine = [f for f in feeds if country.get(target[f]) == c]
            fed = total.sel(edge=feeds).sum("edge")
            share = xr.where(fed > 0, total.sel(edge=mine).sum("edge") / fed.where(fed > 0, 1.0), 0.0)
            value = value + total.sel(edge=e, drop=True) * share
        out[c] = value
    if scenarios == "mean":
        return pd.Series({c: float(v.mean(traces)) for c, v in out.items()}, name="km3/yr")
    return xr.Dataset(out).to_dataframe()[list(groups)]


def _edge_flow(ds: xr.Dataset) -> xr.DataArray:
    """``ds``'s ``edge_flow`` over its scenarios (a run's results) or traces (an ensemble's store), with a scenario
    of one where ``ds`` is a selection of one; a ValueError where the store kept no monthly edge flows."""
    if "edge_flow" not in ds.data_vars:
        kept = ds.attrs.get("series") if "trace" in ds.dims else None
        keeps = (f"keeps the monthly series {', '.join(kept.split())} only" if kept else
                 "keeps no monthly series (--series none)")
        where = (f"this ensemble's store {keeps}, as its 'series' attribute says: run the ensemble again with "
                 "edge_flow among its --series" if isinstance(kept, str) else "a run's results have it")
        raise ValueError(f"intake_withdrawals: the results have no 'edge_flow' (the flow of each edge over time), "
                         f"which it sums at the intakes ({where})")
    flow = ds["edge_flow"]
    traces = [str(d) for d in flow.dims if d in _TRACE_DIMS]
    if len(traces) > 1 or set(map(str, flow.dims)) - {*traces, "time", "edge"}:
        raise ValueError(f"intake_withdrawals: 'edge_flow' is over {', '.join(map(str, flow.dims))}; give it over "
                         "scenario (or trace), time and edge")
    return flow if traces else flow.expand_dims(scenario=[0])


def natural_flow(model: Model) -> pd.Series:
    """Mean annual natural inflow (km³/yr) of each basin in ``model.metadata['basins']`` and their total,
    averaged over the run's steps and traces."""
    axis = model.time.axis()
    years = n_years(axis)
    out = {}
    for basin, ids in _metadata(model, "basins", "inflow nodes per basin").items():
        tot = 0.0
        for nid in ids:
            s = model.node(nid).get("inflow")
            if isinstance(s, Series):
                tot += float(np.mean(s.resolve(axis).sum(axis=1))) / years
        out[basin] = tot / 1000.0
    out["total"] = sum(out.values())
    return pd.Series(out, name="km3/yr")


def _metadata(model: Model, key: str, what: str) -> dict:
    """The model's ``metadata[key]``, which the Aral model has (ValueError for a model without it)."""
    if not isinstance(model, Model):
        raise TypeError(f"give the model that was run (daryo.load), not {type(model).__name__}")
    value = model.metadata.get(key)
    if not isinstance(value, dict):
        raise ValueError(f"the model '{model.name}' has no metadata '{key}' ({what}), which the Aral Sea basin model "
                         "has: these summaries are of that model")
    return value
