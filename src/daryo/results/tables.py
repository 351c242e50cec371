"""The summary tables ``daryo run`` prints, as pandas tables in the units printed (mean annual values, or a run's
totals where it is shorter than a year), and all of them as one long table, ``summary.csv`` beside a run's CSV
files (:func:`summary_table`): the printed tables and the CSV file are made by these functions, so that they
cannot disagree."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

if TYPE_CHECKING:
    from ..model import Model

#: the columns of ``summary.csv``: a row per table, element, quantity and season
SUMMARY_COLUMNS = ("table", "element", "country", "quantity", "season", "value", "units", "level")

#: the quantities of the country table, as :func:`daryo.indicators.country_summary` names its columns
_COUNTRY_QUANTITIES = {"demanded": "demanded", "delivery": "delivered", "deficit": "deficit", "energy": "energy"}


def _scales(ds: xr.Dataset) -> dict[str, float]:
    """What a mean annual value is multiplied by to give the figure printed: 1 (a mean year's), or for a run shorter
    than a year the years, winters and summers it covers (its totals, :func:`daryo.indicators.coverage`)."""
    from ..indicators import coverage

    short, covered = coverage(ds)
    return covered if short else {"year": 1.0, "winter": 1.0, "summer": 1.0}


def _per(short: bool, unit: str) -> str:
    """``unit`` per year, or in the run for a run shorter than a year (``short``: the figures are its totals)."""
    return f"{unit} in the run" if short else f"{unit} per year"


def country_table(ds: xr.Dataset) -> pd.DataFrame:
    """The country table printed first: :func:`daryo.indicators.country_summary` (``demanded``, ``delivery``,
    ``deficit`` and ``energy … GWh`` by season), a run shorter than a year's as its totals over the seasons it
    covers."""
    from ..indicators import country_summary

    table = country_summary(ds)
    scale = _scales(ds)
    return table * [scale[c.split()[1]] for c in table.columns] if len(table.columns) else table


def plant_table(ds: xr.Dataset) -> pd.DataFrame:
    """Each hydropower plant's ``country``, its energy in ``winter`` and ``summer`` and, where the results have
    energy targets, the part of its target not generated, ``short_of_target`` (NaN for a plant without a target);
    GWh per year (in the run, for a run shorter than a year).  Empty without plants."""
    from ..indicators import energy_by_season, energy_shortfall

    if "energy" not in ds or not ds.sizes.get("hydropower", 0):
        return pd.DataFrame(columns=["country", "winter", "summer"])
    seasons = energy_by_season(ds, by="element")
    plants = [str(p) for p in ds["hydropower"].values]
    country = ds["hydropower_country"].values.astype(str) if "hydropower_country" in ds.coords else [""] * len(plants)
    scale = _scales(ds)
    table = pd.DataFrame({"country": country}, index=pd.Index(plants, name="plant"))
    for season in ("winter", "summer"):
        row = seasons.loc[season] if season in seasons.index else pd.Series(dtype=float)
        table[season] = [float(row.get(p, 0.0)) * scale[season] for p in plants]
    if "energy_shortfall" in ds and "energy_target" in ds:
        shortfall = energy_shortfall(ds)
        table["short_of_target"] = [shortfall[p] * scale["year"] if p in shortfall.index else np.nan for p in plants]
    return table


def sink_table(ds: xr.Dataset) -> pd.Series:
    """Each terminal sink's inflow (hm³ per year, in the run for a run shorter than a year); empty without sinks."""
    from ..indicators import sink_inflow

    if "sink_inflow" not in ds:
        return pd.Series(dtype=float)
    return sink_inflow(ds) * _scales(ds)["year"]


def stress_table(ds: xr.Dataset, model: Model | None = None, check_known: bool = True) -> pd.DataFrame:
    """The water stress by river system printed (:func:`daryo.sdg.water_stress`, the model's basins naming the
    systems, the results' where no model is given): the systems that take or hold water, their ``withdrawal``,
    ``renewable`` and ``environmental`` water (hm³ per year, in the run for a run shorter than a year), ``stress``
    (%) and ``level``.  Empty where the network takes no water, or, with ``check_known``, where an inflow's supply
    is the allocation's choice, so that the renewable water is not known (:func:`daryo.sdg.unknown_renewable_water`;
    only a ``model`` tells).  ``check_known`` False: the table whatever the inflows, for a caller that says why it
    is not shown where it is not known (``daryo run``'s summary)."""
    from ..sdg import unknown_renewable_water, water_stress

    table = water_stress(ds, model.metadata.get("basins") if model is not None else None)
    if not (table["withdrawal"] > 0).any() or (check_known and model is not None and unknown_renewable_water(model)):
        return table.iloc[:0]
    table = table[(table["withdrawal"] > 0) | (table["renewable"] > 0)]  # (not a system of nodes that hold no water)
    years = _scales(ds)["year"]
    return table.assign(**{c: table[c] * years for c in ("withdrawal", "renewable", "environmental")})


def summary_table(ds: xr.Dataset, model: Model | None = None) -> pd.DataFrame:
    """The tables ``daryo run`` prints as one long table, ``summary.csv``: a row per table, element, quantity and
    season (columns :data:`SUMMARY_COLUMNS`).

    - ``country``: each country's (``element``) water ``demanded``, ``delivered`` and ``deficit`` (``hm3 per
      year``) and hydropower ``energy`` (``GWh per year``), season ``winter`` (October–March) or ``summer``;
    - ``hydropower``: each plant's ``energy`` in ``winter`` and ``summer`` and, where it has a target, its
      ``short_of_target`` (season ``year``; no row for a plant without one);
    - ``sink``: each terminal sink's ``inflow`` (season ``year``);
    - ``water_stress``: each river system's ``withdrawal``, ``renewable`` and ``environmental`` water and its
      ``stress`` (``%``, SDG 6.4.2's ratio; ``inf`` where nothing is left after the environmental flows), with its
      ``level`` (FAO's, on every row of the system); none where the printed summary shows none
      (:func:`stress_table`).

    ``country`` is the element's country (the country itself in the country table; empty for a river system).  For a
    run shorter than a year the values are its totals, and the units say so (``hm3 in the run``).

    Parameters
    ----------
    ds
        A run's results (``Results.dataset``).
    model
        The model run (names the river systems, and tells where their renewable water is not known); None: the
        results' own record of the basins.

    Returns
    -------
    pandas.DataFrame
        The long table, in the order the tables are printed.
    """
    from ..indicators import coverage

    ds = _with_run_dims(ds)
    short = coverage(ds)[0]
    water, energy = _per(short, "hm3"), _per(short, "GWh")
    countries = country_table(ds)
    frames = [_by_element(countries.index, [
        _rows("country", countries.index, countries.index, _COUNTRY_QUANTITIES[c.split()[0]], c.split()[1],
              countries[c], energy if c.startswith("energy") else water) for c in countries.columns])]
    plants = plant_table(ds)
    frames.append(_by_element(plants.index, [
        _rows("hydropower", plants.index, plants["country"], "energy" if c != "short_of_target" else c,
              "year" if c == "short_of_target" else c, plants[c], energy)
        for c in ("winter", "summer", "short_of_target") if c in plants.columns]))
    sinks = sink_table(ds)
    frames.append(_rows("sink", sinks.index, _countries(ds, "sink", sinks.index), "inflow", "year", sinks, water))
    stress = stress_table(ds, model)
    frames.append(_by_element(stress.index, [
        _rows("water_stress", stress.index, "", c, "year", stress[c], "%" if c == "stress" else water,
              level=stress["level"]) for c in ("withdrawal", "renewable", "environmental", "stress")]))
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(SUMMARY_COLUMNS))


def _with_run_dims(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with its dimensions ``scenario`` and ``time``, where it is a selection of one scenario or step (their
    scalar coordinates, and a step's ``days``, ``hydrological_year`` and ``season``, along them again)."""
    for dim in ("scenario", "time"):
        if dim in ds.coords and dim not in ds.dims:
            along = [n for n, c in ds.coords.items() if c.dims == () and n in ("days", "hydrological_year", "season")]
            ds = ds.expand_dims(dim)
            if dim == "time":
                ds = ds.assign_coords({n: ("time", [ds[n].item()]) for n in along})
    return ds


def _by_element(elements: pd.Index, frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The rows of one table of :func:`summary_table`, an element's together, in the order printed."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    position = {str(e): k for k, e in enumerate(elements)}
    return pd.concat(frames, ignore_index=True).sort_values("element", key=lambda e: e.map(position), kind="stable",
                                                            ignore_index=True)


def _rows(table: str, elements: pd.Index, country: Any, quantity: str, season: str, values: pd.Series,
          units: str, level: Any = "") -> pd.DataFrame:
    """Rows of :func:`summary_table`: one per element (``country``, ``level``: one for all, or one each); none for
    an element whose value is NaN (a plant without a target)."""
    return pd.DataFrame({"table": table, "element": [str(e) for e in elements],
                         "country": list(country) if not isinstance(country, str) else country,
                         "quantity": quantity, "season": season, "value": np.asarray(values, dtype=float),
                         "units": units, "level": list(level) if not isinstance(level, str) else level},
                        columns=list(SUMMARY_COLUMNS)).dropna(subset=["value"])


def _countries(ds: xr.Dataset, kind: str, elements: pd.Index) -> list[str]:
    """The countries of ``elements`` of the dimension ``kind`` (empty where the results have none)."""
    if f"{kind}_country" not in ds.coords:
        return [""] * len(elements)
    of = dict(zip(ds[kind].values.astype(str), ds[f"{kind}_country"].values.astype(str), strict=True))
    return [of.get(str(e), "") for e in elements]
