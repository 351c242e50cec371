"""Whether an ensemble's figures drift with the run year: its first run years against its last, trace by trace.

The pooled figures of an ensemble (the share of trace-years a demand is short, a plant misses its energy target)
take every run year alike.  Where the run starts away from its usual state -- reservoirs fuller or emptier than
they usually are on the run's first day, a reservoir that fills over its first years -- its first years differ from
the later ones, and a pooled figure depends on how many years the run has (an actuary's review: Toktogul's target
missed in 41 % of the traces in run year 0, 5 % in run year 19, so the pooled share of a 10-year run is not that of
a 20-year one).  :func:`run_year_drift` sets the first run year, and the first third of the run years, against the
last third, paired by trace, and says which figures differ beyond their sampling noise; ``daryo summary STORE
--year N:`` then leaves the first years out (:func:`daryo.ensemble.shortfall_table` and the other tables'
``years``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .chunks import target_missed, threshold_of
from .output import EnsembleOutput, _summaries, output_name
from .tables import RunYears, run_years_of

__all__ = ["run_year_drift", "DRIFT_COLUMNS"]

#: the columns of :func:`run_year_drift`'s table
DRIFT_COLUMNS = ("table", "element", "quantity", "early_years", "early", "late", "difference", "se", "margin",
                 "drifts")


def run_year_drift(output: EnsembleOutput, threshold: float | None = None,
                   years: RunYears | None = None) -> pd.DataFrame:
    """The report's main shares and means over an ensemble's first run years against its last: per demand the share
    of trace-years short by more than ``threshold`` (``P``) and the mean annual deficit fraction (``mean deficit``),
    per plant with an energy target the share of trace-years it misses it (``target missed``, as
    :func:`daryo.ensemble.energy_target_table`), each over the first run year and over the first third of the run
    years (``early``, a row each: ``early_years`` says which; one row where the third is the first year) against
    the last third (``late``): a warm-up of one year (reservoirs that start fuller than they usually are) and one of
    several (a reservoir that fills over the first years).

    The difference (``early − late``) is paired by trace: each trace's mean over its early years less its mean over
    its late years, whose mean is the difference and whose standard deviation over the traces, over √traces, its
    standard error ``se`` (the traces are independent; a trace's years need not be).  ``drifts`` says where the
    difference is beyond ``margin``, Student's t quantile of traces − 1 degrees of freedom for a two-sided 95 %
    level shared by all the rows (Bonferroni: each row's tested at 5 % / the rows tested, so that a report of many
    demands does not find a drift in one by chance) times ``se``; a difference with no noise (every trace's the
    same) drifts where it is not 0.

    Parameters
    ----------
    output
        An ensemble's output (``daryo ensemble -o``), or it opened (:func:`open_output`).
    threshold
        The deficit, as a fraction of the demand, above which a year counts as short (None: the run's).
    years
        The run years to take the thirds of (a slice or range, as the tables' ``years``; None: every run year).

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`DRIFT_COLUMNS` (``early_years``: ``first year`` or ``first third``; ``early``,
        ``late``, ``difference``, ``se`` and ``margin`` as fractions, 0–1), a row per demand and quantity and per
        plant with a target (none of an element 0 throughout, or with a year of no demand) and early years, the
        largest drifts first (by ``|difference|``); empty where the output has fewer than two traces or two run
        years.  ``attrs`` holds the run years of each (``first_year``, ``first_third``, ``last_third``), the
        ``traces`` and the ``threshold``.

    Raises
    ------
    ValueError
        If ``output`` holds no ensemble summaries, ``threshold`` is not in [0, 1) or ``years`` selects no run year.
    TypeError
        If ``years`` is neither a slice nor a range.
    """
    if threshold is not None and threshold_of(threshold) is None:
        raise ValueError(f"run_year_drift: threshold={threshold!r}: give a fraction of the demand, at least 0 and "
                         "below 1 (or None for the run's)")
    with _summaries(output, "run_year_drift") as ds:
        held = int(ds.sizes.get("year", 0))
        picked = list(range(held)) if years is None else run_years_of(years, held, output_name(ds))
        third = max(1, len(picked) // 3)
        windows = {"first year": picked[:1], "first third": picked[:third]} if third > 1 else {
            "first year": picked[:1]}
        late = picked[-third:]
        traces = int(ds.sizes.get("trace", 0))
        limit = float(ds["prob_deficit_above_threshold"].attrs["threshold"]) if threshold is None else threshold
        parts = [] if len(picked) < 2 or traces < 2 else _quantities(ds, limit)
    rows = [_rows(table, names, quantity, values, window, early, late) for window, early in windows.items()
            for table, names, quantity, values in parts]
    frame = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=list(DRIFT_COLUMNS))
    frame = _tested(frame, traces)
    frame = frame.iloc[np.argsort(-frame["difference"].abs().to_numpy(dtype=float), kind="stable")]
    frame = frame.reset_index(drop=True)
    frame.attrs.update(first_year=picked[:1], first_third=picked[:third], last_third=late, traces=traces,
                       threshold=float(limit))
    return frame


def _quantities(ds: Any, limit: float) -> list[tuple[str, np.ndarray, str, np.ndarray]]:
    """The (table, element names, quantity, values (trace, year, element) of 0/1 or fractions) whose early and late
    run years :func:`run_year_drift` sets against each other, of the open store ``ds``: each demand's years short
    by more than ``limit`` and its deficit fraction, each plant with a target's years missed."""
    parts: list[tuple[str, np.ndarray, str, np.ndarray]] = []
    if "annual_deficit_fraction" in ds:
        fraction = ds["annual_deficit_fraction"].transpose("trace", "year", "demand").values.astype(float)
        names = ds["demand"].values.astype(str)
        parts += [("demand", names, "P", (fraction > limit).astype(float)),
                  ("demand", names, "mean deficit", fraction)]
    if "annual_energy_shortfall" in ds and "annual_energy_target" in ds:
        short, target = (ds[name].transpose("trace", "year", "hydropower").values.astype(float)
                         for name in ("annual_energy_shortfall", "annual_energy_target"))
        has = ~np.isnan(short).any(axis=(0, 1))
        parts.append(("plant", ds["hydropower"].values.astype(str)[has], "target missed",
                      target_missed(short[:, :, has], target[:, :, has]).astype(float)))
    return parts


def _rows(table: str, names: np.ndarray, quantity: str, values: np.ndarray, window: str, early: list[int],
          late: list[int]) -> pd.DataFrame:
    """The rows of one quantity: its mean over the ``early`` and the ``late`` run years of ``values`` (trace, year,
    element), and the difference's standard error from the traces' own differences; none for an element with a NaN
    (a year without demand) or that is 0 throughout."""
    kept = ~np.isnan(values).any(axis=(0, 1)) & (np.abs(values).sum(axis=(0, 1)) > 0)
    values = values[:, :, kept]
    by_trace = values[:, early].mean(axis=1) - values[:, late].mean(axis=1)  # (trace, element)
    return pd.DataFrame({"table": table, "element": names[kept], "quantity": quantity, "early_years": window,
                         "early": values[:, early].mean(axis=(0, 1)), "late": values[:, late].mean(axis=(0, 1)),
                         "difference": by_trace.mean(axis=0),
                         "se": by_trace.std(axis=0, ddof=1) / math.sqrt(by_trace.shape[0])})


def _tested(frame: pd.DataFrame, traces: int) -> pd.DataFrame:
    """``frame`` with each row's ``margin`` (Student's t of ``traces`` − 1 degrees of freedom at the two-sided 95 %
    level shared by its rows, Bonferroni's, times ``se``) and whether its difference ``drifts`` beyond it."""
    from scipy.stats import t

    frame = frame.copy()
    if not len(frame):
        return frame.assign(margin=pd.Series(dtype=float), drifts=pd.Series(dtype=bool))
    tested = int(((frame["se"] > 0) | (frame["difference"] != 0)).sum())
    quantile = float(t.ppf(1 - 0.025 / max(tested, 1), traces - 1))
    frame["margin"] = quantile * frame["se"]
    frame["drifts"] = frame["difference"].abs() > frame["margin"]
    return frame[list(DRIFT_COLUMNS)]
