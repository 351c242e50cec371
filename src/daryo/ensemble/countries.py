"""Each country's water over an ensemble's trace-years: its demands' water summed in each trace-year, then the
figures :func:`~daryo.ensemble.shortfall_table` gives a demand (a Turkmen analyst's review: ``daryo ensemble``
printed each country's energy and each demand's water, but no country's water, and Uzbekistan's Amu shortage was
diluted by its Syr demands only in Python's seasonal table)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..indicators import YEAR_NOISE
from .output import EnsembleOutput, _summaries
from .tables import (
    RunYears,
    _add_bounds,
    _annual,
    _percentile,
    _picked_years,
    _traces,
    check_year_and_threshold,
    need_annual_fractions,
    years_attrs,
)

__all__ = ["country_shortfall_table", "NO_COUNTRY"]

#: the row of the demands of no country
NO_COUNTRY = "(no country)"


def country_shortfall_table(output: EnsembleOutput, threshold: float | None = None, year: int | None = None,
                            years: RunYears | None = None) -> pd.DataFrame:
    """Each country's water demanded and short over an ensemble's (trace, run year) pairs: its demands' annual
    water summed in each trace-year.

    Parameters
    ----------
    output
        The ensemble's output (``.zarr`` or ``.nc``), or it opened (:func:`~daryo.ensemble.open_output`).
    threshold
        The country's deficit, as a fraction of its demand, above which a trace-year counts as short (None: the
        run's deficit threshold).
    year
        One run year (0 for the first) to take the figures of, over the traces alone (None: every run year).
    years
        A range of run years to take the figures of, pooled (``slice(5, None)``: run year 5 to the last, or a
        ``range``; None: every run year), as :func:`~daryo.ensemble.shortfall_table`'s.

    Returns
    -------
    pandas.DataFrame
        Index ``country`` (:data:`NO_COUNTRY` for demands of none), in the order the demands name them; columns
        ``demand`` and ``deficit``, the means over the pairs (hm³/yr; a demand's deficit is what it wanted and was
        not delivered, none up to :data:`~daryo.indicators.YEAR_NOISE`, solver noise), ``deficit_share``, the mean
        deficit's share of the mean demand (a ratio of means, 0–1, NaN where nothing is wanted, as ``daryo
        compare``'s deficit share), ``probability``, the share of pairs whose deficit is above ``threshold`` of the
        year's demand, and ``p95``, the 95th percentile of the annual deficit fraction (0 where nothing is wanted);
        with the 95 % intervals by trace of the share and the probability (``deficit_share_low``,
        ``deficit_share_high``, ``probability_low``, ``probability_high``: :mod:`daryo.ensemble.sampling`).
        ``attrs`` holds the ``threshold``, the ``year``, each column's ``units`` and the numbers of ``traces`` and
        ``pairs``.

    Raises
    ------
    TypeError
        If ``year`` is not a whole number (or None), or ``threshold`` not a number.
    ValueError
        If ``year`` is not a run year of the output, ``threshold`` not in [0, 1), or the output keeps no annual
        figures (a store of its summaries alone).
    """
    check_year_and_threshold(year, threshold)
    with _summaries(output, "country_shortfall_table") as ds:
        need_annual_fractions(ds, "a country's water")
        picked = _picked_years(ds, year, years, "country_shortfall_table")
        limit = (float(ds["prob_deficit_above_threshold"].attrs["threshold"]) if threshold is None
                 else float(threshold))
        labels = [str(c) or NO_COUNTRY for c in ds["demand_country"].values.astype(str)]
        countries = list(dict.fromkeys(labels))
        member = np.zeros((len(labels), len(countries)))  # (demands, countries): 1 where the demand is the country's
        member[np.arange(len(labels)), [countries.index(label) for label in labels]] = 1.0
        wanted = _annual(ds, "annual_demand", "demand", picked)
        short = wanted - _annual(ds, "annual_delivery", "demand", picked)
        short = np.where(short > YEAR_NOISE, short, 0.0)  # (solver noise is no deficit)
        demand, deficit = wanted @ member, short @ member  # (pairs, countries)
        with np.errstate(invalid="ignore", divide="ignore"):
            fraction = np.where(demand > 0, deficit / demand, 0.0)
            share = np.where(demand.sum(axis=0) > 0, deficit.sum(axis=0) / demand.sum(axis=0), np.nan)
        table = pd.DataFrame({"demand": demand.mean(axis=0), "deficit": deficit.mean(axis=0), "deficit_share": share,
                              "probability": (fraction > limit).mean(axis=0), "p95": _percentile(fraction, 95)},
                             index=pd.Index(countries, name="country"))
        table.attrs.update(threshold=limit, **years_attrs(picked),
                           units={"demand": "hm3 per year", "deficit": "hm3 per year", "deficit_share": "1",
                                  "probability": "share of trace-years", "p95": "1"})
        traces = _traces(ds)
        _add_bounds(table, traces, {"probability": (fraction > limit, True)})
        table["deficit_share_low"], table["deficit_share_high"] = _share_bounds(deficit, demand, traces)
        table.attrs["units"].update(deficit_share_low="1", deficit_share_high="1")
    return table


def _share_bounds(deficit: np.ndarray, demand: np.ndarray, traces: int) -> tuple[np.ndarray, np.ndarray]:
    """The 95 % interval by trace of each country's deficit share, ``Σ deficit / Σ demand`` over the pairs (trace by
    trace as :func:`~daryo.ensemble.tables._annual` gives them): the ratio estimator's, as a share
    (:func:`~daryo.ensemble.sampling.ratio_over_trace_years`)."""
    import xarray as xr

    from .sampling import ratio_over_trace_years

    if traces < 2:
        return (np.full(deficit.shape[1], np.nan),) * 2
    shape = (traces, len(deficit) // traces, deficit.shape[1])
    x, y = (xr.DataArray(a.reshape(shape), dims=("trace", "year", "country")) for a in (deficit, demand))
    with np.errstate(invalid="ignore", divide="ignore"):
        low, high = ratio_over_trace_years(x, y).interval(share=True)
    return low.values, high.values
