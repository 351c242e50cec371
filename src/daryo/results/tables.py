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


def _as_printed(ds: xr.Dataset, table: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``table`` with its mean annual ``columns`` as printed: a year's, or the run's totals for a run shorter than
    a year (:func:`_scales`)."""
    years = _scales(ds)["year"]
    return table.assign(**{c: table[c] * years for c in columns})


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
    GWh per year (in the run, for a run shorter than a year); NaN for a season the run does not reach, as the country
    table has none (a spreadsheet analyst's review: a plant's winter read 0 of a summer's run).  Empty without
    plants."""
    from ..indicators import energy_by_season, energy_shortfall

    if "energy" not in ds or not ds.sizes.get("hydropower", 0):
        return pd.DataFrame(columns=["country", "winter", "summer"])
    seasons = energy_by_season(ds, by="element")
    plants = [str(p) for p in ds["hydropower"].values]
    country = ds["hydropower_country"].values.astype(str) if "hydropower_country" in ds.coords else [""] * len(plants)
    scale = _scales(ds)
    table = pd.DataFrame({"country": country}, index=pd.Index(plants, name="plant"))
    for season in ("winter", "summer"):
        if season not in seasons.index:  # (a run that does not reach it)
            table[season] = np.nan
            continue
        table[season] = [float(seasons.loc[season].get(p, 0.0)) * scale[season] for p in plants]
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


def canal_table(ds: xr.Dataset) -> pd.DataFrame:
    """Each canal node's ``country``, the water it takes at its head (``taken``: what enters it, its ``node_flow``,
    after any loss of the edge into it, as its ``capacity`` bounds it), loses on its way (``lost``: its
    ``node_loss``, its ``loss`` of what it takes, seepage) and passes on to its outlets (``passed_on``: what leaves its
    tail by its edges, ``taken`` − ``lost``, as the canal's balance in the allocation has it), and what it takes in
    ``winter`` (October–March) and ``summer`` (April–September); hm³ per year (in the run, for a run shorter than a
    year); NaN for a season the run does not reach, as the plant table has.  What a planner asks of a new canal
    (Qosh Tepa's): how much it takes, how much is lost on the way, and in which season (an Afghan water-ministry
    planner's review: no table of ``daryo run`` said; ``daryo compare``'s canal rows are this table's).  Empty where
    the model has no canal (or the results no node flows)."""
    from ..indicators import annual_by

    columns = ["country", "taken", "lost", "passed_on", "winter", "summer"]
    canals = [] if "node_type" not in ds.coords or "node_flow" not in ds or "node_loss" not in ds else [
        str(n) for n, kind in zip(ds["node"].values, ds["node_type"].values.astype(str), strict=True)
        if kind == "canal"]
    if not canals:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="canal"))
    of = ds[["node_flow", "node_loss"]].sel(node=canals)
    scale = _scales(ds)
    taken = annual_by(of, "node_flow", by="element", season=False)[canals].to_numpy() * scale["year"]
    lost = annual_by(of, "node_loss", by="element", season=False)[canals].to_numpy() * scale["year"]
    seasons = annual_by(of, "node_flow", by="element")
    table = pd.DataFrame({"country": _countries(ds, "node", pd.Index(canals)), "taken": taken, "lost": lost,
                          "passed_on": taken - lost}, index=pd.Index(canals, name="canal"))
    for season in ("winter", "summer"):  # (NaN for a season the run does not reach)
        table[season] = (seasons.loc[season, canals].to_numpy(dtype=float) * scale[season]
                         if season in seasons.index else np.nan)
    return table


def stress_table(ds: xr.Dataset, model: Model | None = None, check_known: bool = True) -> pd.DataFrame:
    """The water stress by river system printed (:func:`daryo.sdg.water_stress`, the model's basins naming the
    systems, the results' where no model is given): the systems that take or hold water, their ``withdrawal``,
    ``renewable`` and ``environmental`` water (hm³ per year, in the run for a run shorter than a year), ``stress``
    (%) and ``level``.  Empty where the network takes no water, or, with ``check_known``, where an inflow's supply
    is the allocation's choice, so that the renewable water is not known (:func:`stress_notes`).  ``check_known``
    False: the table whatever the inflows, for a caller that says why it is not shown where it is not known
    (``daryo run``'s summary)."""
    from ..sdg import water_stress

    table = water_stress(ds, model.metadata.get("basins") if model is not None else None)
    if not (table["withdrawal"] > 0).any() or (check_known and stress_notes(ds, model)[0]):
        return table.iloc[:0]
    # (not a system of nodes that hold no water; a short run's water is its totals already, as water_stress gives it)
    return table[(table["withdrawal"] > 0) | (table["renewable"] > 0)]


def stress_notes(ds: xr.Dataset, model: Model | None = None) -> tuple[str, str]:
    """Why the water stress of a run of ``model`` is not known, and how inflows that supply what the allocation takes
    beside rivers are counted in it (:func:`daryo.results.provenance.water_stress_notes`; "" where they do not
    apply): of the ``model`` where it is given, else as the results ``ds`` record them (their attributes
    ``water_stress_not_known`` and ``water_stress_note``).  Results of a daryo that did not record them: not known
    (a reread of the change: they showed a water stress ``daryo run`` had withheld)."""
    from .dataset import _TITLE
    from .provenance import water_stress_notes

    notes = water_stress_notes(model) if model is not None else ds.attrs
    if model is None and "water_stress_not_known" not in notes and str(notes.get("title", "")).startswith(_TITLE):
        return (EARLIER_RESULTS, "")
    return str(notes.get("water_stress_not_known", "")), str(notes.get("water_stress_note", ""))


#: why the water stress of results written by a daryo that did not record whether it is known is not shown
EARLIER_RESULTS = ("the results were written by an earlier daryo, which did not record whether their renewable water "
                   "is known; run the model again to see it")


def scenario_table(ds: xr.Dataset) -> pd.DataFrame:
    """The main figures by scenario printed (:func:`daryo.indicators.scenario_summary`: ``deficit COUNTRY`` of the
    countries short, ``deficit``, ``delivered``, ``energy GWh``, ``sink inflow``), hm³ (GWh) per year, in the run for
    a run shorter than a year; empty for one scenario (the other tables are its)."""
    from ..indicators import coverage, scenario_summary

    if ds.sizes.get("scenario", 1) < 2:
        return pd.DataFrame(index=pd.Index([], name="scenario"), dtype=float)
    short = coverage(ds)[0]
    table = scenario_summary(ds) * _scales(ds)["year"]  # (a short run's: its totals, and the units say so)
    table.attrs["units"] = {c: _per(short, "GWh" if c.startswith("energy") else "hm3") for c in table.columns}
    return table


def irrigation_table(ds: xr.Dataset) -> pd.DataFrame:
    """Each country's irrigation demands alone printed (:func:`daryo.indicators.country_category_summary` of
    ``irrigation``): ``demanded``, ``delivered`` and ``deficit`` (hm³ per year, in the run for a run shorter than a
    year) and the deficit's share of that demand (``deficit_share``, ``winter_deficit_share``,
    ``summer_deficit_share``, %; NaN for a season the run does not reach).  Empty where every demand is irrigation
    (the country table is theirs) or none is."""
    from ..indicators import country_category_summary

    uses = set(ds["demand_category"].values.astype(str)) if "demand_category" in ds.coords else set()
    if "irrigation" not in uses or uses == {"irrigation"}:
        return pd.DataFrame(columns=["demanded", "delivered", "deficit", "deficit_share", "winter_deficit_share",
                                     "summer_deficit_share"], index=pd.Index([], name="country"), dtype=float)
    table = country_category_summary(ds, category="irrigation").droplevel("category")
    return _as_printed(ds, table, ("demanded", "delivered", "deficit"))


def demand_table(ds: xr.Dataset) -> pd.DataFrame:
    """Every demand short in the run, as printed (the printed summary lists the first
    :data:`daryo.cli.summary.DEMANDS_SHOWN`): its ``country``, water ``demanded``, ``delivered`` and short
    (``deficit``; hm³ per year, in the run for a run shorter than a year), the deficit's share of its demand
    (``deficit_share``, %) and the share of the steps it asked for water in that it was short in (``steps_short``,
    %: :func:`daryo.indicators.supply_reliability`'s failures); the largest share first (to 0.01 %; then the
    largest deficit).  ``attrs["demands"]``: how many demands the results have.  Empty if none is short, or the
    results have no ``delivery`` and ``deficit`` of demands."""
    from ..indicators import annual_by, supply_reliability

    columns = ["country", "demanded", "delivered", "deficit", "deficit_share", "steps_short"]
    if "deficit" not in ds or "delivery" not in ds or "demand" not in ds["deficit"].dims:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="demand"))
    years = _scales(ds)["year"]
    deficit = annual_by(ds, "deficit", by="element", season=False) * years
    delivered = annual_by(ds, "delivery", by="element", season=False) * years
    demanded = deficit + delivered
    share = (deficit / demanded.where(demanded > 0)).fillna(0.0)
    short = share[(share > 1e-9) & (deficit > 1e-9)]
    order = pd.DataFrame({"share": short.round(4), "deficit": deficit[short.index]}).sort_values(
        ["share", "deficit"], ascending=False, kind="stable").index  # (equal shares: the largest deficit first)
    names = [str(d) for d in order]
    table = pd.DataFrame({"country": _countries(ds, "demand", order), "demanded": demanded[order].values,
                          "delivered": delivered[order].values, "deficit": deficit[order].values,
                          "deficit_share": share[order].values * 100}, index=pd.Index(names, name="demand"))
    reliability = supply_reliability(ds.sel(demand=names))["reliability"] if names else pd.Series(dtype=float)
    table["steps_short"] = ((1.0 - reliability.reindex(names)) * 100).to_numpy()  # (each demand's own)
    table.attrs["demands"] = int(deficit.size)
    return table


def country_system_table(ds: xr.Dataset) -> pd.DataFrame:
    """The deficit printed of each country that draws on several river systems, by system
    (:func:`daryo.indicators.country_system_summary` with ``several``, the systems named as the results record the
    basins): ``demanded``, ``delivered``, ``deficit`` (hm³ per year, in the run for a run shorter than a year) and
    ``deficit_share`` (%: of the country's demand on that system); empty where no country does, or the results have
    no topology."""
    from ..indicators import country_system_summary

    try:
        table = country_system_summary(ds, several=True)
    except (KeyError, ValueError):  # (results without the topology the systems need)
        return pd.DataFrame(columns=["demanded", "delivered", "deficit", "deficit_share"], dtype=float,
                            index=pd.MultiIndex.from_tuples([], names=["country", "system"]))
    return _as_printed(ds, table, ("demanded", "delivered", "deficit"))


def requirement_table(ds: xr.Dataset) -> pd.DataFrame:
    """Each flow requirement printed (:func:`daryo.indicators.requirement_summary`): the node it is on (``at``), its
    ``country``, water ``required``, ``met`` (the flow through the node, up to the requirement) and ``short`` (hm³
    per year, in the run for a run shorter than a year) and the share of the steps, over the scenarios, short of it
    (``steps_short``, %); empty without requirements."""
    from ..indicators import requirement_summary

    table = requirement_summary(ds)
    years = _scales(ds)["year"]
    required, met = table["required"].astype(float) * years, table["met"].astype(float) * years
    return pd.DataFrame({"at": table["at"], "country": _countries(ds, "requirement", table.index),
                         "required": required, "met": met, "short": required - met,
                         "steps_short": table["steps_short"].astype(float) * 100}, index=table.index)


def reservoir_table(ds: xr.Dataset) -> pd.DataFrame:
    """Each reservoir's storage printed (:func:`daryo.indicators.storage_change`): its volume at the run's ``start``
    and ``end`` and the ``change`` (hm³, mean over the scenarios), its ``lowest`` (at the start or a step's end, in
    any scenario); where some reservoir evaporates, what each ``evaporated`` (its ``evaporation``, hm³ per year,
    in the run for a run shorter than a year, mean over the scenarios: a Chu-Talas modeller's review, whose areas
    in ha evaporated a hundred times the water where no table said how much); and, where the results have rule
    curves (:func:`daryo.indicators.storage_shortfall`), what the volume at the steps' ends lacked of the target
    (``short_of_target``, hm³, mean over the steps and scenarios) and the share of the steps short of it
    (``steps_short``, %), NaN for a reservoir without a target; empty without reservoirs."""
    from ..indicators import annual_by, storage_change, storage_shortfall

    table = storage_change(ds)
    if not table.empty and "evaporation" in ds and bool((ds["evaporation"] != 0).any()):
        evaporated = annual_by(ds, "evaporation", by="element", season=False)
        table = table.assign(evaporated=evaporated.reindex(table.index).to_numpy() * _scales(ds)["year"])
    short = storage_shortfall(ds)
    if table.empty or short.empty:
        return table
    short = short.reindex(table.index)
    return table.assign(short_of_target=short["short"], steps_short=short["steps_short"] * 100)


def constraint_table(ds: xr.Dataset) -> pd.DataFrame:
    """Each ``flow_sum`` constraint that binds in some step (``constraint_binds``): its ``nodes``, the steps it is at
    its ``min_flow`` (``at_min``) and at its ``max_flow`` (``at_max``), within
    :data:`~daryo.results.dataset.BINDING_TOLERANCE`, the ``steps`` it binds in and of how many (``of``), all counted
    over the scenarios' steps, and the share binding (``steps_binding``, %); empty where none binds, or the results
    have no constraints.  A ``flow_ratio`` binds in every step (an equality) and is left out."""
    from .dataset import BINDING_TOLERANCE

    columns = ["nodes", "at_min", "at_max", "steps", "of", "steps_binding"]
    if "constraint_binds" not in ds or "constraint_type" not in ds.coords:
        return pd.DataFrame(columns=columns)
    others = [d for d in ds["constraint_binds"].dims if d != "constraint"]
    value = ds["constraint_value"]

    def steps(at: xr.DataArray) -> np.ndarray:
        return np.asarray(at.sum(others).values, dtype=np.int64) if others else np.asarray(at.values, dtype=np.int64)

    at_min = steps(abs(value - ds["constraint_min"]) <= BINDING_TOLERANCE)  # (NaN, no bound: never)
    at_max = steps(abs(value - ds["constraint_max"]) <= BINDING_TOLERANCE)
    binding = steps(ds["constraint_binds"].astype(bool))
    of = int(np.prod([ds.sizes[d] for d in others]))
    table = pd.DataFrame({"nodes": ds["constraint_nodes"].values.astype(str), "at_min": at_min, "at_max": at_max,
                          "steps": binding, "of": of, "steps_binding": binding / max(of, 1) * 100},
                         index=pd.Index(ds["constraint"].values.astype(str), name="constraint"))
    keep = (ds["constraint_type"].values.astype(str) == "flow_sum") & (binding > 0)
    return table[keep]


def summary_table(ds: xr.Dataset, model: Model | None = None) -> pd.DataFrame:
    """The tables ``daryo run`` prints as one long table, ``summary.csv``: a row per table, element, quantity and
    season (columns :data:`SUMMARY_COLUMNS`), every printed table in the order printed, with the figures printed.

    - ``country``: each country's (``element``) water ``demanded``, ``delivered`` and ``deficit`` (``hm3 per
      year``) and hydropower ``energy`` (``GWh per year``), season ``winter`` (October–March) or ``summer``;
    - ``scenario`` (a run of two or more scenarios; every one of them, where the printed summary gives the spread of
      more than :data:`daryo.cli.summary.SCENARIOS_SHOWN`): each scenario's (``element``) ``deficit`` of each
      country short in one (``country``: that country), its ``deficit`` in all (``country`` empty), ``delivered``,
      ``energy`` and ``sink_inflow`` (season ``year``; :func:`scenario_table`);
    - ``irrigation`` (where some demands are irrigation and some are not): each country's irrigation demands'
      ``demanded``, ``delivered`` and ``deficit`` (season ``year``) and the deficit's share of that demand,
      ``deficit_share`` (``%``), in the ``year``, ``winter`` and ``summer`` (no row for a season the run does not
      reach; :func:`irrigation_table`);
    - ``demand``: every demand short (``element``; ``country``: its country), not only the first
      :data:`daryo.cli.summary.DEMANDS_SHOWN` printed, the largest share first: ``demanded``, ``delivered``,
      ``deficit``, ``deficit_share`` and ``steps_short`` (``%`` of the steps it asked for water in; season ``year``;
      :func:`demand_table`);
    - ``country_system``: each country on several river systems (``country``), by system (``element``):
      ``demanded``, ``delivered``, ``deficit`` and ``deficit_share`` (season ``year``; :func:`country_system_table`);
    - ``sink``: each terminal sink's ``inflow`` (season ``year``);
    - ``canal``: each canal's (``country``: its own) water ``taken`` at its head (season ``year``, ``winter`` and
      ``summer``), ``lost`` on its way and ``passed_on`` to its outlets (season ``year``; :func:`canal_table`);
    - ``flow_requirement``: each requirement's (``element``; ``country``: its own) water ``required``, ``met`` and
      ``short``, and ``steps_short`` (``%``; season ``year``; :func:`requirement_table`); the node it is on, printed
      as ``at``, is ``elements.csv``'s ``at``;
    - ``hydropower``: each plant's ``energy`` in ``winter`` and ``summer`` and, where it has a target, its
      ``short_of_target`` (season ``year``; no row for a plant without one);
    - ``reservoir``: each reservoir's volume at the run's ``start`` and ``end``, the ``change`` and its ``lowest``
      (``hm3``, not per year), and where it has a target its ``short_of_target`` (``hm3``, mean over the steps) and
      ``steps_short`` (``%``), season ``run``; where some reservoir evaporates, its ``evaporation`` (season
      ``year``) (:func:`reservoir_table`);
    - ``constraint``: each ``flow_sum`` constraint that binds in some step (``element``; ``country`` empty): the
      steps at its ``min_flow`` (``steps_at_min``) and at its ``max_flow`` (``steps_at_max``), counted over the
      scenarios' steps (units ``steps``), and the share of them it binds in (``steps_binding``, ``%``), season ``run``
      (:func:`constraint_table`);
    - ``water_stress``: each river system's ``withdrawal``, ``renewable`` and ``environmental`` water and its
      ``stress`` (``%``, SDG 6.4.2's ratio; ``inf`` where nothing is left after the environmental flows), with its
      ``level`` (FAO's, on every row of the system); none where the printed summary shows none
      (:func:`stress_table`).

    A table the printed summary leaves out has no rows, nor has a figure it prints as "–" (NaN: a share of no
    demand or of a season the run does not reach, a shortfall without a target).  ``country`` is the element's
    country (the country itself in the country and irrigation tables; empty for a river system).  For a run shorter
    than a year the values are its totals, and the units say so (``hm3 in the run``).

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
        The long table, in the order the tables are printed, an element's rows together.
    """
    from ..indicators import coverage

    ds = _with_run_dims(ds)
    short = coverage(ds)[0]
    water, energy = _per(short, "hm3"), _per(short, "GWh")
    frames = [_country_rows(ds, water, energy), _scenario_rows(ds, water, energy), _irrigation_rows(ds, water),
              _demand_rows(ds, water), _country_system_rows(ds, water), _sink_rows(ds, water),
              _canal_rows(ds, water), _requirement_rows(ds, water), _plant_rows(ds, energy),
              _reservoir_rows(ds, water), _constraint_rows(ds), _stress_rows(ds, model, water)]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(SUMMARY_COLUMNS))


def _country_rows(ds: xr.Dataset, water: str, energy: str) -> pd.DataFrame:
    """The country table's rows of :func:`summary_table`."""
    table = country_table(ds)
    specs = [(c, _COUNTRY_QUANTITIES[c.split()[0]], c.split()[1], energy if c.startswith("energy") else water)
             for c in table.columns]
    return _long("country", table, table.index, table.index, specs)


def _scenario_rows(ds: xr.Dataset, water: str, energy: str) -> pd.DataFrame:
    """The scenario table's rows of :func:`summary_table`: a scenario's ``deficit`` of each country short (that
    country on the row) and in all (none), ``delivered``, ``energy`` and ``sink_inflow``."""
    table = scenario_table(ds)
    frames = []
    for c in table.columns:
        quantity, _, country = c.partition(" ")
        quantity = {"sink": "sink_inflow"}.get(quantity, quantity)
        frames += _columns("scenario", table, table.index, country if quantity == "deficit" else "",
                           [(c, quantity, "year", energy if quantity == "energy" else water)])
    return _together(frames, len(table))


def _irrigation_rows(ds: xr.Dataset, water: str) -> pd.DataFrame:
    """The irrigation table's rows of :func:`summary_table`."""
    table = irrigation_table(ds)
    return _long("irrigation", table, table.index, table.index, [
        ("demanded", "demanded", "year", water), ("delivered", "delivered", "year", water),
        ("deficit", "deficit", "year", water), ("deficit_share", "deficit_share", "year", "%"),
        ("winter_deficit_share", "deficit_share", "winter", "%"),
        ("summer_deficit_share", "deficit_share", "summer", "%")])


def _demand_rows(ds: xr.Dataset, water: str) -> pd.DataFrame:
    """The demands short's rows of :func:`summary_table` (every one of them)."""
    table = demand_table(ds)
    return _long("demand", table, table.index, table["country"],
                 [(c, c, "year", water) for c in ("demanded", "delivered", "deficit")]
                 + [(c, c, "year", "%") for c in ("deficit_share", "steps_short")])


def _country_system_rows(ds: xr.Dataset, water: str) -> pd.DataFrame:
    """The rows of :func:`summary_table` of the countries on several river systems (element: the system)."""
    table = country_system_table(ds)
    return _long("country_system", table, table.index.get_level_values("system"),
                 table.index.get_level_values("country"),
                 [(c, c, "year", water) for c in ("demanded", "delivered", "deficit")]
                 + [("deficit_share", "deficit_share", "year", "%")])


def _sink_rows(ds: xr.Dataset, water: str) -> pd.DataFrame:
    """The sinks' rows of :func:`summary_table`."""
    sinks = sink_table(ds)
    return _long("sink", sinks.to_frame("inflow"), sinks.index, _countries(ds, "sink", sinks.index),
                 [("inflow", "inflow", "year", water)])


def _canal_rows(ds: xr.Dataset, water: str) -> pd.DataFrame:
    """The canals' rows of :func:`summary_table`: what each takes at its head in the year, winter and summer, loses
    on its way and passes on."""
    table = canal_table(ds)
    return _long("canal", table, table.index, table["country"], [
        ("taken", "taken", "year", water), ("lost", "lost", "year", water), ("passed_on", "passed_on", "year", water),
        ("winter", "taken", "winter", water), ("summer", "taken", "summer", water)])


def _requirement_rows(ds: xr.Dataset, water: str) -> pd.DataFrame:
    """The flow requirements' rows of :func:`summary_table` (the node each is on: ``elements.csv``'s ``at``)."""
    table = requirement_table(ds)
    return _long("flow_requirement", table, table.index, table["country"],
                 [(c, c, "year", water) for c in ("required", "met", "short")]
                 + [("steps_short", "steps_short", "year", "%")])


def _plant_rows(ds: xr.Dataset, energy: str) -> pd.DataFrame:
    """The hydropower plants' rows of :func:`summary_table`."""
    table = plant_table(ds)
    return _long("hydropower", table, table.index, table["country"], [
        ("winter", "energy", "winter", energy), ("summer", "energy", "summer", energy),
        ("short_of_target", "short_of_target", "year", energy)])


def _reservoir_rows(ds: xr.Dataset, water: str) -> pd.DataFrame:
    """The reservoirs' rows of :func:`summary_table`: volumes of the run (season ``run``), not a year's, and what
    each evaporated in the ``year`` (``water``: per year, or in the run)."""
    table = reservoir_table(ds)
    return _long("reservoir", table, table.index, _countries(ds, "reservoir", table.index),
                 [(c, c, "run", "hm3") for c in ("start", "end", "change", "lowest")]
                 + [("evaporated", "evaporation", "year", water), ("short_of_target", "short_of_target", "run", "hm3"),
                    ("steps_short", "steps_short", "run", "%")])


def _constraint_rows(ds: xr.Dataset) -> pd.DataFrame:
    """The binding constraints' rows of :func:`summary_table`: counts of the run's steps (season ``run``)."""
    table = constraint_table(ds)
    return _long("constraint", table, table.index, "",
                 [("at_min", "steps_at_min", "run", "steps"), ("at_max", "steps_at_max", "run", "steps"),
                  ("steps_binding", "steps_binding", "run", "%")])


def _stress_rows(ds: xr.Dataset, model: Model | None, water: str) -> pd.DataFrame:
    """The water stress's rows of :func:`summary_table`, each with its system's level; none for results of an
    earlier daryo that kept too little to work it out (which the printed summary says in its place)."""
    from ..sdg import EarlierResultsError

    try:
        table = stress_table(ds, model)
    except EarlierResultsError:
        return pd.DataFrame()
    return _long("water_stress", table, table.index, "",
                 [(c, c, "year", "%" if c == "stress" else water)
                  for c in ("withdrawal", "renewable", "environmental", "stress")], level=table.get("level", ""))


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


def _long(table: str, frame: pd.DataFrame, elements: Any, country: Any,
          specs: list[tuple[str, str, str, str]], level: Any = "") -> pd.DataFrame:
    """The rows of :func:`summary_table` of one printed table ``frame``: for each of its rows (``elements``;
    ``country`` and ``level``: one for all, or one each) a row per ``(column, quantity, season, units)`` of
    ``specs`` that it has, a frame row's together and in the order printed; none for a NaN value (a plant without a
    target, a season the run does not reach)."""
    return _together(_columns(table, frame, elements, country, specs, level), len(frame))


def _columns(table: str, frame: pd.DataFrame, elements: Any, country: Any,
             specs: list[tuple[str, str, str, str]], level: Any = "") -> list[pd.DataFrame]:
    """:func:`_long`'s rows of each spec that ``frame`` has a column of, a frame each, NaN values kept."""
    specs = [spec for spec in specs if spec[0] in frame.columns]
    if frame.empty:
        return []
    each = {"element": [str(e) for e in elements],
            "country": country if isinstance(country, str) else [str(c) for c in country],
            "level": level if isinstance(level, str) else [str(v) for v in level]}
    return [pd.DataFrame({"table": table, **each, "quantity": quantity, "season": season,
                          "value": np.asarray(frame[column], dtype=float), "units": units},
                         columns=list(SUMMARY_COLUMNS)) for column, quantity, season, units in specs]


def _together(frames: list[pd.DataFrame], n: int) -> pd.DataFrame:
    """Frames of ``n`` rows each (one per element of a printed table, in order), their k-th rows together in the
    order of ``frames``; the rows whose value is NaN left out."""
    if not frames:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    order = np.tile(np.arange(n), len(frames))  # (each frame's rows are the table's, in order)
    rows = pd.concat(frames, ignore_index=True).iloc[np.argsort(order, kind="stable")]
    return rows.dropna(subset=["value"]).reset_index(drop=True)


def _countries(ds: xr.Dataset, kind: str, elements: pd.Index) -> list[str]:
    """The countries of ``elements`` of the dimension ``kind`` (empty where the results have none)."""
    if f"{kind}_country" not in ds.coords:
        return [""] * len(elements)
    of = dict(zip(ds[kind].values.astype(str), ds[f"{kind}_country"].values.astype(str), strict=True))
    return [of.get(str(e), "") for e in elements]
