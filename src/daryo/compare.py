"""What differs between two runs of a model: a deal against the baseline, one allocation rule against another.

:func:`compare_runs` sets the indicators of two runs' results side by side -- per country water demanded,
delivered and short, and hydropower energy, by season; each terminal sink's inflow; each flow requirement's water
required and met; each river system's withdrawal and water stress (SDG 6.4.2) -- all mean annual values over each
run's years and scenarios, as ``daryo run`` prints them, and their difference (second − first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .indicators import check_dataset, country_summary, n_years, sink_inflow

__all__ = ["compare_runs", "COMPARE_COLUMNS"]

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
        ``sink``, ``requirement``, ``system``), ``element`` (a country, sink, requirement or river system; ``all``
        for the systems together), ``quantity`` (e.g. ``delivery summer``, ``inflow``, ``met``, ``stress``),
        ``units`` (``hm3 per year``, ``GWh per year``, ``%``), the two runs' values, and ``difference`` (second −
        first).  An element only one run has (a node an overlay added) has NaN for the other and the difference.
        Mean annual values over each run's years and scenarios; ``attrs`` names the runs (``first``, ``second``:
        their model and overlays).

    Raises
    ------
    TypeError
        If either is not a Dataset.
    ValueError
        If either lacks what a run's results hold.
    """
    table = _side_by_side(_indicators(first, basins), _indicators(second, basins))
    table["difference"] = table["second"] - table["first"]
    table = table[list(COMPARE_COLUMNS)]
    table.attrs.update(first=run_label(first), second=run_label(second))
    return table


def run_label(ds: xr.Dataset) -> str:
    """A run's model and overlays, as its results' attributes name them (``aral-sea-basin + rogun-full``)."""
    scenarios = str(ds.attrs.get("scenarios") or "")
    return str(ds.attrs.get("model") or "(unnamed model)") + "".join(
        f" + {s.strip()}" for s in scenarios.split(",") if s.strip())


def _indicators(ds: xr.Dataset, basins: Mapping[str, Sequence[str]] | None) -> pd.DataFrame:
    """One run's rows (table, element, quantity, units, value)."""
    check_dataset(ds, "compare_runs")
    rows: list[tuple[str, str, str, str, float]] = []
    countries = country_summary(ds)
    for country, row in countries.iterrows():
        for column, value in row.items():
            quantity = str(column).removesuffix(" GWh")
            rows.append(("country", str(country), quantity, countries.attrs["units"][column], float(value)))
    if "sink_inflow" in ds and ds["sink_inflow"].size:
        for sink, value in sink_inflow(ds).items():
            rows.append(("sink", str(sink), "inflow", "hm3 per year", float(value)))
    if "requirement_met" in ds and ds.sizes.get("requirement", 0):
        years = n_years(ds)
        for quantity in ("required", "requirement_met"):
            per_year = ds[quantity].sum("time").mean("scenario") / years
            for name, value in zip(ds["requirement"].values.astype(str), per_year.values, strict=True):
                rows.append(("requirement", name, quantity.removeprefix("requirement_"), "hm3 per year",
                             float(value)))
    rows += _stress_rows(ds, basins)
    return pd.DataFrame(rows, columns=["table", "element", "quantity", "units", "value"])


def _stress_rows(ds: xr.Dataset, basins: Mapping[str, Sequence[str]] | None) -> list[tuple[str, str, str, str,
                                                                                                 float]]:
    """Each river system's withdrawal and water stress (none where the results cannot give them: no topology, or
    nothing withdrawn)."""
    from .sdg import water_stress

    try:
        table = water_stress(ds, basins)
    except ValueError:  # (results without the flows or the topology the indicator needs)
        return []
    if not (table["withdrawal"] > 0).any():
        return []
    return [("system", str(system), quantity, units, float(row[quantity]))
            for system, row in table.iterrows()
            for quantity, units in (("withdrawal", "hm3 per year"), ("stress", "%"))]


def _side_by_side(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """The two runs' rows joined on (table, element, quantity, units): the first run's rows in its order, each
    table followed by the second's rows of it that the first lacks (an element an overlay added)."""
    keys = ["table", "element", "quantity", "units"]
    joined = first.rename(columns={"value": "first"}).merge(
        second.rename(columns={"value": "second"}), on=keys, how="left")
    seen = set(map(tuple, first[keys].to_numpy()))
    extra = second[[tuple(k) not in seen for k in second[keys].to_numpy()]].rename(columns={"value": "second"})
    extra.insert(len(keys), "first", np.nan)
    both = pd.concat([joined, extra], ignore_index=True)
    order = {table: i for i, table in enumerate(dict.fromkeys([*first["table"], *second["table"]]))}
    return both.sort_values("table", key=lambda t: t.map(order), kind="stable").reset_index(drop=True)
