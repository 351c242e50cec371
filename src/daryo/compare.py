"""What differs between two runs of a model: a deal against the baseline, one allocation rule against another.

:func:`compare_runs` sets the indicators of two runs' results side by side -- per country water demanded,
delivered and short, and hydropower energy, by season; each plant's energy and the part of its target not
generated; each terminal sink's inflow; each flow requirement's water required and met, and the share of steps
short; each river system's withdrawal, renewable water and water stress (SDG 6.4.2) -- mean annual values over
each run's years and scenarios (a run shorter than a year: its totals), as ``daryo run`` prints them; and each
reservoir's volume at the run's start and end, and its lowest -- and their difference (second − first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .indicators import (
    check_dataset,
    country_summary,
    coverage,
    energy_by_season,
    energy_shortfall,
    requirement_summary,
    sink_inflow,
    storage_change,
)

__all__ = ["compare_runs", "check_run_results", "run_label", "COMPARE_COLUMNS"]

#: the names of the reservoirs' total row: the first that no reservoir has
RESERVOIR_TOTALS = ("all", "all reservoirs", "(all)")
#: the columns of :func:`compare_runs`'s table
COMPARE_COLUMNS = ("table", "element", "quantity", "units", "first", "second", "difference")


def compare_runs(first: xr.Dataset, second: xr.Dataset,
                 basins: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Two runs' indicators side by side, and their difference.

    Parameters
    ----------
    first, second
        Two runs' results (``Results.dataset``, or their NetCDF files read back with ``xarray.open_dataset``),
        usually of one model under two sets of overlays, over the same years and hydrology.
    basins
        The river systems' names, as the model's ``metadata.basins`` gives them (None: those the results record,
        else each named after an inflow node of it).

    Returns
    -------
    pandas.DataFrame
        A row per indicator and element, with the columns of :data:`COMPARE_COLUMNS`: ``table`` (``country``,
        ``plant``, ``sink``, ``requirement``, ``system``, ``reservoir``), ``element`` (a country, plant, sink,
        requirement, river system or reservoir; ``all`` for the systems or the reservoirs together), ``quantity``
        (e.g. ``delivered summer``, ``energy winter``, ``inflow``, ``met``, ``steps short``, ``stress``, ``change
        over the run``), ``units``, the two runs' values, and ``difference`` (second − first; of a stress in %,
        percentage points).  Values are mean annual over each run's years and scenarios (``hm3 per year``, ``GWh
        per year``), or, for a run shorter than a year, its totals (``hm3 in the run``), as ``daryo run`` prints
        them; a share of steps and a stress are in %; a reservoir's volumes at the run's start and end, and their
        change, in ``hm3`` (mean over the scenarios), and its lowest volume at a step's end in any scenario.  An
        element only one run has (a node an overlay added) has NaN for the other and the difference.  ``attrs``
        describes the runs (``first``, ``second``: their model and overlays, :func:`run_label`).

    Raises
    ------
    TypeError
        If either is not a Dataset.
    ValueError
        If either is not a run's results (an ensemble's store, say).
    """
    for ds in (first, second):
        check_run_results(ds, "compare_runs")
    table = _side_by_side(_indicators(first, basins), _indicators(second, basins))
    table["difference"] = table["second"] - table["first"]
    table = table[list(COMPARE_COLUMNS)]
    table.attrs.update(first=run_label(first), second=run_label(second))
    return table


def check_run_results(ds: xr.Dataset, caller: str) -> None:
    """Raise a ValueError unless ``ds`` is a run's results (a TypeError unless it is a Dataset)."""
    check_dataset(ds, caller)
    if "trace" in ds.dims:
        raise ValueError(f"{caller}: an ensemble's store, not a run's results: compare two runs' results (daryo "
                         "run -o FILE.nc), or two stores' summaries (daryo.ensemble.summary_table)")
    if "scenario" not in ds.dims or "time" not in ds.dims or "mass_balance_error" not in ds:
        raise ValueError(f"{caller}: not a run's results (they have scenario and time dimensions and a "
                         "mass_balance_error)")


def run_label(ds: xr.Dataset) -> str:
    """A run's model and overlays, as its results' attributes name them (``aral-sea-basin + rogun-full``)."""
    scenarios = str(ds.attrs.get("scenarios") or "")
    return str(ds.attrs.get("model") or "(unnamed model)") + "".join(
        f" + {s.strip()}" for s in scenarios.split(",") if s.strip())


def _indicators(ds: xr.Dataset, basins: Mapping[str, Sequence[str]] | None) -> pd.DataFrame:
    """One run's rows (table, element, quantity, units, value): mean annual values, or a short run's totals."""
    short, covered = coverage(ds)
    per = "in the run" if short else "per year"
    # a short run's totals: each mean annual value times the years (or the season's years) it covers
    scale = {k: covered[k] if short else 1.0 for k in ("year", "winter", "summer")}
    rows: list[tuple[str, str, str, str, float]] = []
    countries = country_summary(ds)
    for country, row in countries.iterrows():
        for column, value in row.items():
            quantity = str(column).removesuffix(" GWh").replace("delivery", "delivered")
            unit = "GWh" if quantity.startswith("energy") else "hm3"
            rows.append(("country", str(country), quantity, f"{unit} {per}",
                         float(value) * scale[quantity.split()[-1]]))
    rows += _plant_rows(ds, scale, per)
    if "sink_inflow" in ds and ds["sink_inflow"].size:
        for sink, value in sink_inflow(ds).items():
            rows.append(("sink", str(sink), "inflow", f"hm3 {per}", float(value) * scale["year"]))
    for name, row in requirement_summary(ds).iterrows():
        rows += [("requirement", str(name), "required", f"hm3 {per}", float(row["required"]) * scale["year"]),
                 ("requirement", str(name), "met", f"hm3 {per}", float(row["met"]) * scale["year"]),
                 ("requirement", str(name), "steps short", "% of steps", float(row["steps_short"]) * 100)]
    rows += _stress_rows(ds, basins, scale["year"], per)
    rows += _reservoir_rows(ds)
    return pd.DataFrame(rows, columns=["table", "element", "quantity", "units", "value"])


def _plant_rows(ds: xr.Dataset, scale: Mapping[str, float], per: str) -> list[tuple[str, str, str, str, float]]:
    """Each plant's energy by season and, where it has a target, the target's energy not generated."""
    if "energy" not in ds or not ds.sizes.get("hydropower", 0):
        return []
    seasons = energy_by_season(ds, by="element")
    rows = [("plant", str(plant), f"energy {season}", f"GWh {per}", float(seasons.loc[season, plant]) * scale[season])
            for plant in seasons.columns for season in ("winter", "summer") if season in seasons.index]
    rows += [("plant", str(plant), "short of target", f"GWh {per}", float(value) * scale["year"])
             for plant, value in energy_shortfall(ds).items()]
    return rows


def _stress_rows(ds: xr.Dataset, basins: Mapping[str, Sequence[str]] | None, scale: float, per: str
                 ) -> list[tuple[str, str, str, str, float]]:
    """Each river system's withdrawal, renewable water and water stress (none where the results cannot give them:
    no topology, or nothing withdrawn)."""
    from .sdg import water_stress

    try:
        table = water_stress(ds, basins)
    except ValueError:  # (results without the flows or the topology the indicator needs)
        return []
    if not (table["withdrawal"] > 0).any():
        return []
    return [("system", str(system), quantity, units, float(row[quantity]) * (scale if units != "%" else 1.0))
            for system, row in table.iterrows()
            for quantity, units in (("withdrawal", f"hm3 {per}"), ("renewable", f"hm3 {per}"), ("stress", "%"))]


def _reservoir_rows(ds: xr.Dataset) -> list[tuple[str, str, str, str, float]]:
    """Each reservoir's volume at the run's start and end, the change, and its lowest at a step's end; and all
    reservoirs' start, end and change together (``all``): a run that delivers more by drawing its reservoirs down
    shows it here."""
    table = storage_change(ds)
    if not len(table):
        return []
    total = next(n for n in RESERVOIR_TOTALS if n not in table.index)  # ("all", unless a reservoir is so named)
    table.loc[total] = table.sum()
    table.loc[total, "lowest"] = np.nan  # (the reservoirs' lowest volumes are not of one step)
    return [("reservoir", str(name), quantity, "hm3", float(row[column])) for name, row in table.iterrows()
            for column, quantity in (("start", "storage at start"), ("end", "storage at end"),
                                     ("change", "change over the run"), ("lowest", "lowest storage"))
            if row[column] == row[column]]


def _side_by_side(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """The two runs' rows joined on (table, element, quantity, units): the first run's rows in its order, each
    table followed by the second's rows of it that the first lacks (an element an overlay added)."""
    keys = ["table", "element", "quantity", "units"]
    joined = first.rename(columns={"value": "first"}).merge(
        second.rename(columns={"value": "second"}), on=keys, how="left")
    seen = set(map(tuple, first[keys].to_numpy()))
    alone = np.array([tuple(k) not in seen for k in second[keys].to_numpy()], dtype=bool)
    extra = second.loc[alone].rename(columns={"value": "second"})
    extra.insert(len(keys), "first", np.nan)
    both = pd.concat([joined, extra], ignore_index=True)
    order = {table: i for i, table in enumerate(dict.fromkeys([*first["table"], *second["table"]]))}
    return both.sort_values("table", key=lambda t: t.map(order), kind="stable").reset_index(drop=True)
