"""What an ensemble's finished output tells: its run (:func:`run_of`), and tables of its summaries and annual
indicators -- the demands most often short, the plants' energy and energy targets, the reservoirs' lowest storage,
the flow
requirements, the water stress (every summary in one long table and its CSV file: :mod:`daryo.ensemble.summary`).
Each takes the output's path, or the store opened once for them all (:func:`~daryo.ensemble.output.open_output`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import did_you_mean
from ..indicators import YEAR_NOISE
from ..sdg import LEVEL_NAMES, stress_level_index, stress_ratio, total_name
from ..timeaxis import add_years
from ..units import is_number, is_whole
from .chunks import ENERGY_MISSED_TOLERANCE, at_dead_storage, target_missed, threshold_of
from .output import EnsembleOutput, _summaries, output_name, refuse_capped_flows
from .store import _level_shares, _summary_of


def shortfall_table(output: EnsembleOutput, n: int | None = None, threshold: float | None = None,
                    year: int | None = None, years: RunYears | None = None) -> pd.DataFrame:
    """The demands of an ensemble's output that fall short most often: per demand its country, the share of
    (trace, run year) pairs whose deficit is above the threshold (``probability``), and the mean and 95th
    percentile of the annual deficit fraction; sorted by probability, then mean, and only demands with some deficit
    (the first ``n`` of them; None: all).  ``attrs`` holds the ``threshold``, the ``year`` and the run ``years``
    the figures are over (None: all; :func:`years_attrs`), how many
    ``demands`` the model has, each column's ``units``, and the numbers of ``traces`` and ``pairs`` (trace-years,
    or traces of the ``year``) the figures are over.

    The probability and the mean have their 95 % intervals (``probability_low``, ``probability_high``,
    ``mean_low``, ``mean_high``): ``± t`` standard errors taken by trace (t: Student's quantile,
    :func:`~daryo.ensemble.sampling.quantile95`), as the years of one trace are
    correlated (:mod:`daryo.ensemble.sampling`; a probability's is Korn and Graubard's interval for a share,
    within [0, 1]).  The p95 (a percentile, numpy's linear interpolation) has none.

    Parameters
    ----------
    output
        The ensemble's output (``.zarr`` or ``.nc``), or it opened (:func:`open_output`).
    n
        How many demands to list (None: all that fall short).
    threshold
        The deficit, as a fraction of the demand, above which a year counts as short (None: the run's, whose
        figures its summaries hold).  Another is worked out from the stored annual deficit fractions, without
        running the ensemble again.
    year
        One run year (0 for the first) to take the figures of, over the traces alone: the years of a drought
        that the pooled figures dilute (None: every run year, pooled).
    years
        A range of run years to take the figures over, pooled (``slice(5, None)``: run year 5 to the last, as
        Python slices; ``range(5, 20)``): the run's first years left out, where its reservoirs' start still shows
        (a warm-up); give ``year`` or ``years``, not both (None: ``year``'s).

    Returns
    -------
    pandas.DataFrame
        Index ``demand``; columns ``country``, ``probability``, ``mean``, ``p95`` and the intervals'
        ``probability_low``, ``probability_high``, ``mean_low``, ``mean_high`` (fractions, 0–1).

    Raises
    ------
    TypeError
        If ``n`` or ``year`` is not a whole number (or None), ``years`` not a slice or range, or ``threshold``
        not a number.
    ValueError
        If ``n`` is negative, ``year`` not a run year of the output, ``years`` selects none of them (or both are
        given), or ``threshold`` not in [0, 1).
    """
    why = f"n={n!r}: give how many demands to list (a whole number, at least 0), or None for all"
    if n is not None and not is_whole(n):
        raise TypeError(why)
    if n is not None and n < 0:
        raise ValueError(why)
    check_year_and_threshold(year, threshold)
    with _summaries(output, "shortfall_table") as ds:
        picked = _picked_years(ds, year, years, "shortfall_table")
        run_threshold = float(ds["prob_deficit_above_threshold"].attrs["threshold"])
        limit = run_threshold if threshold is None else float(threshold)
        if threshold is not None or picked is not None:  # (worked out from the trace-years: a diff review found
            need_annual_fractions(ds, "another threshold's or some run years' figures")  # "no demand is short")
        values = (_annual(ds, "annual_deficit_fraction", "demand", picked) if "annual_deficit_fraction" in ds
                  else np.full((0, ds.sizes["demand"]), np.nan))  # (a store of summaries alone: no intervals)
        if threshold is None and picked is None:
            frac = ds["summary_annual_deficit_fraction"]
            probability, mean, p95 = (ds["prob_deficit_above_threshold"].values, frac.sel(statistic="mean").values,
                                      frac.sel(statistic="p95").values)
        else:
            probability, mean, p95 = ((values > limit).mean(axis=0), values.mean(axis=0), _percentile(values, 95))
        table = pd.DataFrame({"country": ds["demand_country"].values, "probability": probability, "mean": mean,
                              "p95": p95}, index=pd.Index(ds["demand"].values.astype(str), name="demand"))
        table.attrs.update(threshold=limit, demands=len(table), **years_attrs(picked),
                           units={"probability": "share of trace-years", "mean": "1", "p95": "1"})
        _add_bounds(table, _traces(ds), {"probability": (values > limit, True), "mean": (values, True)})
    short = table[(table["probability"] > 0) | (table["mean"] > 0)]
    short = short.sort_values(["probability", "mean"], ascending=False, kind="stable")
    return short if n is None else short.head(n)


def check_year_and_threshold(year: object, threshold: object) -> None:
    """Refuse a ``year`` that is no whole number (or None) and a deficit ``threshold`` that is no fraction of the
    demand in [0, 1) (or None), as the demands' and the countries' tables take them.

    Raises
    ------
    TypeError
        If ``year`` is not a whole number, or ``threshold`` not a number.
    ValueError
        If ``threshold`` is not in [0, 1).
    """
    if year is not None and not is_whole(year):
        raise TypeError(f"year={year!r}: give a run year (0 for the first), or None for every year")
    if threshold is not None and threshold_of(threshold) is None:
        raise (ValueError if is_number(threshold) else TypeError)(
            f"threshold={threshold!r}: give a fraction of the demand, at least 0 and below 1 (or None for the run's)")


def need_annual_fractions(ds: Any, what: str) -> None:
    """A ValueError that names the open store ``ds`` where it keeps no annual deficit fractions (a store of
    summaries alone) to work ``what`` out from."""
    if "annual_deficit_fraction" not in ds:
        raise ValueError(f"{output_name(ds)} keeps no annual deficit fractions (a store of its summaries alone) to "
                         f"work {what} out from; its own figures are those of its run's deficit threshold and all "
                         "its years")


def seasonal_shortfall_table(output: EnsembleOutput, by: str = "demand", category: str | None = None,
                             year: int | None = None, threshold: float | None = None,
                             years: RunYears | None = None) -> pd.DataFrame:
    """Each demand's (or country's) water demanded, delivered and short in winter (October–March) and in summer
    (April–September, the growing season) over an ensemble's (trace, run year) pairs: the year's deficit hides
    which season it falls in, and irrigation's is the summer's (a food-security analyst's review: a store kept no
    winter demand, so no season's deficit could be worked out from it).

    Parameters
    ----------
    output
        An ensemble's output (``daryo ensemble -o``), or it opened (:func:`open_output`).
    by
        ``"demand"`` (a row per demand, with its ``country`` and ``category``) or ``"country"`` (a row per country
        with demands: its demands' water in each trace-year, summed; ``—`` for demands of no country).
    category
        The demands of one use only (``"irrigation"``: the water food depends on); None: every demand.
    year
        One run year's figures over the traces (0 for the first; None: every run year pooled).
    years
        A range of run years to take the figures over, pooled (``slice(5, None)``: run year 5 to the last, as
        Python slices; ``range(5, 20)``): the run's first years left out, where its reservoirs' start still shows
        (a warm-up); give ``year`` or ``years``, not both (None: ``year``'s).
    threshold
        The season's deficit, as a fraction of the season's demand, above which a season counts as short (None:
        the run's deficit threshold).

    Returns
    -------
    pandas.DataFrame
        For each season ``s`` (``winter``, ``summer``): ``s_demand``, ``s_delivered`` and ``s_deficit``, the means
        (hm³/yr); ``s_deficit_share``, the mean deficit's share of the mean demand (%; NaN where nothing is
        wanted), as ``daryo compare``'s deficit share; ``s_deficit_p95``, the 95th percentile of the season's
        deficit (hm³/yr); and ``s_probability``, the share of (trace, run year) pairs (of traces, with ``year``)
        whose season's deficit is above ``threshold`` of its demand (a season forecast's "the chance of less than
        70 % of the demand": ``threshold=0.3``), with its 95 % interval by trace, ``s_probability_low`` and
        ``s_probability_high`` (as :func:`shortfall_table`'s).  ``attrs["threshold"]`` is the threshold.  A
        season's water is that of its months within the run year (of two winters where the run's years start in
        November to March: the store's ``annual_winter_demand``); a summer's is the year's less the winter's.
        Units in ``attrs["units"]``.

    Raises
    ------
    ValueError
        If ``output`` holds no ensemble summaries or is of a daryo that kept no winter demand
        (``annual_winter_demand``), ``by`` is neither, ``category`` is not a demand's category, ``year`` is not
        a run year of it, or ``threshold`` is not in [0, 1).
    """
    from ..model.components import component_type

    if threshold is not None and threshold_of(threshold) is None:
        raise (ValueError if is_number(threshold) else TypeError)(
            f"seasonal_shortfall_table: threshold={threshold!r}: give a fraction of the demand, at least 0 and below "
            "1 (or None for the run's)")

    if by not in ("demand", "country"):
        raise ValueError(f"seasonal_shortfall_table: by={by!r}: give 'demand' or 'country'")
    choices = component_type("demand").attribute("category").choices  # type: ignore[union-attr]
    if category is not None and category not in choices:
        raise ValueError(f"seasonal_shortfall_table: category={category!r}: give a demand's category "
                         f"({', '.join(choices)}), or None for every demand")
    with _summaries(output, "seasonal_shortfall_table", ("annual_winter_demand",), "water demanded by season") as ds:
        picked = _picked_years(ds, year, years, "seasonal_shortfall_table")
        if category is not None and "demand_category" not in ds.coords:
            raise ValueError(f"{output_name(ds)} has no demand_category coordinate to select the {category} demands "
                             "by")
        names, country = ds["demand"].values.astype(str), ds["demand_country"].values.astype(str)
        country = np.where(country == "", "—", country)
        use = ds["demand_category"].values.astype(str) if "demand_category" in ds.coords else np.full(len(names), "")
        wanted, got, winter_wanted, winter_got = (_annual(ds, name, "demand", picked) for name in (
            "annual_demand", "annual_delivery", "annual_winter_demand", "annual_winter_delivery"))
        limit = float(ds["prob_deficit_above_threshold"].attrs["threshold"]) if threshold is None else threshold
        traces = _traces(ds)
    kept = np.ones(len(names), dtype=bool) if category is None else use == category
    seasons = {"winter": (winter_wanted, winter_got), "summer": (wanted - winter_wanted, got - winter_got)}
    index = pd.Index(names[kept], name="demand")
    columns: dict[str, Any] = {"country": country[kept], "category": use[kept]}
    if by == "country":
        index, columns = pd.Index(sorted(set(country[kept])), name="country"), {}
    above: dict[str, tuple[np.ndarray, bool]] = {}
    for season, (asked, delivered) in seasons.items():
        asked, delivered = asked[:, kept], delivered[:, kept]
        if by == "country":  # (a country's demands' water in each trace-year)
            asked, delivered = (np.stack([a[:, country[kept] == c].sum(axis=1) for c in index], axis=1)
                                if len(index) else a for a in (asked, delivered))
        short = asked - delivered
        short = np.where(short > YEAR_NOISE, short, 0.0)  # (a difference of sums: solver noise is no deficit)
        demand, deficit = asked.mean(axis=0), short.mean(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            hit = (short > float(limit) * asked) & (asked > 0)  # (as the annual deficit fraction counts it)
            columns |= {f"{season}_demand": demand, f"{season}_delivered": delivered.mean(axis=0),
                        f"{season}_deficit": deficit,
                        f"{season}_deficit_share": np.where(demand > 0, deficit / demand * 100, np.nan),
                        f"{season}_deficit_p95": _percentile(short, 95),
                        f"{season}_probability": _share(hit)}
        above[f"{season}_probability"] = (hit.astype(float), True)
    table = pd.DataFrame(columns, index=index)
    share_of = "share of traces" if isinstance(picked, int) else "share of trace-years"
    table.attrs["units"] = {c: "%" if c.endswith("share") else share_of if c.endswith("probability") else
                            "hm3 per year" for c in columns if c not in ("country", "category")}
    table.attrs.update(**years_attrs(picked), category=category, threshold=float(limit))
    _add_bounds(table, traces, above)
    return table


#: the run each row is of (the store's attributes): so that summaries of several runs (a deal and the baseline, on the
#: same seed) can be put in one table and told apart
RUN_COLUMNS = ("model", "scenarios", "seed", "traces", "years")


def run_of(output: EnsembleOutput) -> dict[str, Any]:
    """The run an ensemble's output holds, as its attributes say: its ``model`` (name), ``scenarios`` (the overlays
    applied, in order, separated by ``", "``; empty: none), ``seed``, ``traces`` and ``years``
    (:data:`RUN_COLUMNS`), its deficit ``threshold``, its model's ``caveats`` (one a line; empty: none), and digests
    of the model file's text (``model_text``, before overlays) and of the model's record of inflows that its traces
    resample (``inflow_record``; empty: none), which, with the model, seed, traces and years, make two runs' traces
    the same; and its first month, ``start`` (``YYYY-MM``); where its traces come from, ``source`` (the trace
    source's description), and their names, ``trace_names`` (the store's ``trace_name``, a tuple; empty where its
    source did not name them: its traces are those of its seed); and, as a run's results record them, ``network``
    (a digest of the compiled network of its first trace: everything it computed from), ``model_file``, ``daryo``
    (the version that made it) and ``data_files`` (a line ``SHA256  PATH`` for each; None where the store keeps
    none).

    Raises
    ------
    ValueError
        If ``output`` holds no ensemble summaries, or does not record its run.
    """
    with _summaries(output, "run_of") as ds:
        where = output_name(ds)
        run = {name: _run_attribute(ds.attrs, name) for name in RUN_COLUMNS}
        run["threshold"] = float(ds["prob_deficit_above_threshold"].attrs["threshold"])
        run["caveats"] = str(ds.attrs.get("caveats") or "")
        run.update({k: str(ds.attrs.get(k) or "") for k in ("model_text", "inflow_record", "source", "network",
                                                                 "model_file", "daryo")})
        run["data_files"] = ds.attrs.get("data_files")  # (None: a store of a daryo that kept none)
        run["trace_names"] = (tuple(str(n) for n in ds["trace_name"].values) if "trace_name" in ds.coords
                              else ())
        run["time_step"] = str(ds.attrs.get("time_step") or "") or _time_step_of(ds)
        first = pd.Timestamp(ds["time"].values[0]) if ds.sizes.get("time") else None
        monthly = run["time_step"] in ("", "month")
        run["start"] = "" if first is None else f"{first:%Y-%m}" if monthly else f"{first:%Y-%m-%d}"
    if not all(isinstance(run[k], int) for k in ("seed", "traces", "years")):
        raise ValueError(f"{where} does not record its run (its seed, traces and years): it was written by an "
                         "earlier daryo; run the ensemble again")
    return run


def _time_step_of(ds: Any) -> str:
    """The time step of a store of a daryo before 2026-12-06's, which kept no label (a diff review: such a store's
    dekads were read as months), from its steps' starts and ``days``; "" where it has none."""
    from ..timeaxis import step_label

    if "days" not in ds.coords or not ds.sizes.get("time"):
        return ""
    days, starts = np.asarray(ds["days"].values), pd.DatetimeIndex(ds["time"].values)
    if np.all(starts.day == 1) and np.all(days >= 28):
        return "month"
    if np.all(np.isin(starts.day, (1, 11, 21))) and np.all(days <= 11) and np.all(days >= 8):
        return "dekad"
    return step_label(int(days[0])) if np.all(days == days[0]) else ""


def water_stress_table(output: EnsembleOutput, year: int | None = None, years: RunYears | None = None
                       ) -> pd.DataFrame:
    """The level of water stress (SDG 6.4.2) of each river system over an ensemble's (trace, run year) pairs, from
    its summaries (or over one run ``year``'s traces, 0 for the first, from its yearly values): its countries; the
    mean, 5th, 50th and 95th percentiles of each trace-year's ratio (%) and the share of pairs in each of FAO's
    levels (``no stress``… ``critical``); the mean yearly ``withdrawal``, ``renewable`` water and ``environmental``
    flow requirement (hm³/yr, the last at most the renewable water); and ``long_term``, the ratio of those means
    (%).  Where there are several systems, a last row ``all`` of them together (each trace-year's summed withdrawal
    over its summed renewable water less the summed environmental flows, as :func:`daryo.sdg.water_stress`'s
    ``all``).  ``attrs["caveat"]`` says why the figures mean nothing where inflows supply what the allocation takes
    (:func:`daryo.sdg.unknown_renewable_water`), ``attrs["comment"]`` how they count such inflows beside others
    (:func:`daryo.sdg.drawn_supply_note`).

    Each mean and share has its 95 % interval by trace, ``<column>_low`` and ``<column>_high`` (``mean``, the
    levels', ``withdrawal``, ``renewable``, ``environmental``: :mod:`daryo.ensemble.sampling`), and ``long_term``
    that of a ratio of means (:func:`daryo.ensemble.sampling.ratio_over_trace_years`): where it holds one of FAO's
    bounds (25, 50, 75 or 100 %), the level is on the line.  The percentiles (numpy's linear interpolation) have
    none.  ``attrs`` holds the numbers of ``traces`` and ``pairs`` the figures are over.

    ``long_term`` is the indicator as SDG 6.4.2 defines it, whose renewable water is a long-term mean (and as
    ``daryo run`` gives it over its years): here over the ensemble's climate.  Each trace-year's ratio instead
    sets that year's withdrawal against that year's own water, so its spread measures the droughts of the traces
    as much as the withdrawals; a year's withdrawal may also draw on water stored in earlier years.

    Each trace-year's ratio is withdrawal / (renewable water − environmental flow requirement) of that year
    (:func:`daryo.sdg.water_stress`); the store keeps the yearly terms (``annual_withdrawal``,
    ``annual_renewable_water``, ``annual_environmental_flow``), from which another environmental share can be
    applied: ``annual_withdrawal / (annual_renewable_water * (1 - share)) * 100``.

    Parameters
    ----------
    output
        An ensemble's output (``daryo ensemble -o``), or it opened (:func:`open_output`).
    year
        One run year's figures over the traces (0 for the first; None: every run year pooled).
    years
        A range of run years to take the figures over, pooled (``slice(5, None)``: run year 5 to the last, as
        Python slices; ``range(5, 20)``): the run's first years left out, where its reservoirs' start still shows
        (a warm-up); give ``year`` or ``years``, not both (None: ``year``'s).

    Returns
    -------
    pandas.DataFrame
        Index ``system``; columns ``country``, ``mean``, ``p5``, ``p50``, ``p95``, a share per level, ``withdrawal``,
        ``renewable``, ``environmental`` and ``long_term``, then the intervals' ``<column>_low`` and
        ``<column>_high``, their units in ``attrs["units"]``.

    Raises
    ------
    ValueError
        If ``output`` holds no ensemble summaries, or ``year`` is not a run year of it.
    daryo.ensemble.output.EarlierStoreError
        (a ValueError) If it holds none of the water stress (a store of daryo before 2026-12-05's), or may hold
        environmental flows capped at each year's water (a store of parts' format below 16:
        :func:`~daryo.ensemble.output.capped_environmental_flows`), whose long-term ratio would be too low.
    """
    with _summaries(output, "water_stress_table",
                    ("summary_annual_water_stress", "prob_water_stress_level"), "water stress") as ds:
        picked = _picked_years(ds, year, years, "water_stress_table")
        refuse_capped_flows(ds, "long-term water stress")
        table = _stress_table(ds) if picked is None else _stress_table_of_year(ds, picked)
        caveat = str(ds["annual_water_stress"].attrs.get("caveat", ""))
        comment = str(ds["annual_water_stress"].attrs.get("comment", ""))
        table.attrs["units"] = {"mean": "%", "p5": "%", "p50": "%", "p95": "%", "levels": "share of trace-years",
                                "withdrawal": "hm3 per year", "renewable": "hm3 per year",
                                "environmental": "hm3 per year", "long_term": "%"} | {
                                    level: "share of trace-years" for level in LEVEL_NAMES}
        _add_stress_bounds(ds, table, picked)
    if caveat:
        table.attrs["caveat"] = caveat
    if comment:
        table.attrs["comment"] = comment
    return table


def _stress_table(ds: Any) -> pd.DataFrame:
    """:func:`water_stress_table` of the open store ``ds``."""
    stress = ds["summary_annual_water_stress"].transpose("system", "statistic")
    table = pd.DataFrame(stress.values, columns=[str(s) for s in stress["statistic"].values],
                         index=pd.Index(ds["system"].values.astype(str), name="system"))
    shares = ds["prob_water_stress_level"].transpose("system", "stress_level")
    for k, level in enumerate(shares["stress_level"].values):
        table[str(level)] = shares.values[:, k]
    table.insert(0, "country", ds["system_country"].values.astype(str))
    means = _mean_stress_terms(ds)
    for column, values in zip(("withdrawal", "renewable", "environmental"), means, strict=True):
        table[column] = values
    table["long_term"] = stress_ratio(*means)
    return pd.concat([table, _all_systems(ds, table)]) if len(table) > 1 else table


def requirement_table(output: EnsembleOutput, year: int | None = None, years: RunYears | None = None
                      ) -> pd.DataFrame:
    """How the flow requirements (environmental flows) of an ensemble's output fared over its (trace, run year)
    pairs (or one run ``year``'s traces, 0 for the first): per requirement the node it is on (``at``) and its country,
    the mean water ``required`` and ``met`` a year (hm³/yr), the share of pairs short of it (``short``: some water
    required not met), and the mean and 95th percentile of the annual share not met (``mean``, ``p95``); each mean and
    share has its 95 % interval by trace (``<column>_low``, ``<column>_high``: :mod:`daryo.ensemble.sampling`), the p95
    none.  Empty for a model without flow requirements.

    Parameters
    ----------
    output
        An ensemble's output (``daryo ensemble -o``), or it opened (:func:`open_output`).
    year
        One run year's figures over the traces (0 for the first; None: every run year pooled).
    years
        A range of run years to take the figures over, pooled (``slice(5, None)``: run year 5 to the last, as
        Python slices; ``range(5, 20)``): the run's first years left out, where its reservoirs' start still shows
        (a warm-up); give ``year`` or ``years``, not both (None: ``year``'s).

    Returns
    -------
    pandas.DataFrame
        Index ``requirement``; columns ``at``, ``country``, ``required``, ``met``, ``short``, ``mean`` and ``p95``,
        then ``required_low``, ``required_high``, ``met_low``… ``mean_high``, their units in ``attrs["units"]``;
        ``attrs["traces"]`` and ``attrs["pairs"]``, the numbers of traces and trace-years the figures are over.

    Raises
    ------
    ValueError
        If ``output`` holds no ensemble summaries, or none of the flow requirements (a store of daryo before
        2026-12-05's), or ``year`` is not a run year of it.
    """
    with _summaries(output, "requirement_table",
                    ("annual_requirement_shortfall_fraction",), "flow requirements") as ds:
        picked = _picked_years(ds, year, years, "requirement_table")
        short = _annual(ds, "annual_requirement_shortfall_fraction", "requirement", picked)
        required, met = (_annual(ds, name, "requirement", picked)
                         for name in ("annual_required", "annual_requirement_met"))
        if picked is None:  # (the summaries written with the store)
            fraction = ds["summary_annual_requirement_shortfall_fraction"]
            columns = {"required": ds["summary_annual_required"].sel(statistic="mean").values,
                       "met": ds["summary_annual_requirement_met"].sel(statistic="mean").values,
                       "short": _share_short(short),
                       "mean": fraction.sel(statistic="mean").values, "p95": fraction.sel(statistic="p95").values}
        else:
            columns = {"required": required.mean(axis=0), "met": met.mean(axis=0), "short": (short > 0).mean(axis=0),
                       "mean": short.mean(axis=0), "p95": _percentile(short, 95)}
        table = pd.DataFrame({
            "at": ds["requirement_at"].values.astype(str), "country": ds["requirement_country"].values.astype(str),
            **columns}, index=pd.Index(ds["requirement"].values.astype(str), name="requirement"))
        table.attrs["units"] = {"required": "hm3 per year", "met": "hm3 per year", "short": "share of trace-years",
                                "mean": "1", "p95": "1"}
        _add_bounds(table, _traces(ds), {"required": (required, False), "met": (met, False),
                                         "short": (short > 0, True), "mean": (short, True)})
    return table


def energy_table(output: EnsembleOutput, by: str = "plant", year: int | None = None,
                 years: RunYears | None = None) -> pd.DataFrame:
    """The hydropower of an ensemble's output over its (trace, run year) pairs: per plant (or per country, of its
    plants' energy in each trace-year) the mean and 5th percentile of the annual energy and of the winter
    (October–March) energy, GWh/yr.  The 5th percentile is the energy reached in 95 % of the trace-years: the firm
    energy of the ensemble's hydrology.  The means have their 95 % intervals by trace (``<column>_low``,
    ``<column>_high``: :mod:`daryo.ensemble.sampling`); the percentiles (numpy's linear interpolation) none.

    Parameters
    ----------
    output
        An ensemble's output (``daryo ensemble -o``), or it opened (:func:`open_output`).
    by
        ``"plant"`` (a row per plant, with its ``country``) or ``"country"`` (a row per country with plants).
    year
        One run year's figures over the traces (0 for the first; None: every run year pooled).
    years
        A range of run years to take the figures over, pooled (``slice(5, None)``: run year 5 to the last, as
        Python slices; ``range(5, 20)``): the run's first years left out, where its reservoirs' start still shows
        (a warm-up); give ``year`` or ``years``, not both (None: ``year``'s).

    Returns
    -------
    pandas.DataFrame
        Columns ``mean``, ``p5``, ``winter_mean``, ``winter_p5`` (and ``country`` by plant), then ``mean_low``,
        ``mean_high``, ``winter_mean_low``, ``winter_mean_high``, their units in ``attrs["units"]`` (a column's, as
        the other tables give them); empty for a model without plants.

    Raises
    ------
    ValueError
        If ``output`` holds no ensemble summaries, ``by`` is neither, or ``year`` is not a run year of it.
    """
    if by not in ("plant", "country"):
        raise ValueError(f"energy_table: by={by!r}: give 'plant' or 'country'")
    with _summaries(output, "energy_table") as ds:
        picked = _picked_years(ds, year, years, "energy_table")
        country = ds["hydropower_country"].values.astype(str)
        arrays = [_annual(ds, name, "hydropower", picked) for name in ("annual_energy", "annual_winter_energy")]
        names = pd.Index(ds["hydropower"].values.astype(str), name="plant")
        traces = _traces(ds)
    if by == "country":
        names = pd.Index(sorted(set(country)), name="country")
        arrays = [np.stack([a[:, country == c].sum(axis=1) for c in names], axis=1) if len(names) else a
                  for a in arrays]
    table = pd.DataFrame({"mean": arrays[0].mean(axis=0), "p5": _percentile(arrays[0], 5),
                          "winter_mean": arrays[1].mean(axis=0), "winter_p5": _percentile(arrays[1], 5)},
                         index=names)
    if by == "plant":
        table.insert(0, "country", country)
    table.attrs["units"] = {column: "GWh per year" for column in ("mean", "p5", "winter_mean", "winter_p5")}
    _add_bounds(table, traces, {"mean": (arrays[0], False), "winter_mean": (arrays[1], False)})
    return table


def energy_target_table(output: EnsembleOutput, year: int | None = None, years: RunYears | None = None
                        ) -> pd.DataFrame:
    """How the plants with an energy target (``energy_target``) of an ensemble's output met it over its (trace, run
    year) pairs (or one run ``year``'s traces): per plant its country, the mean target of a year (``target``, the
    sum of its steps'), the mean and 95th percentile of a year's shortfall (``shortfall_mean``,
    ``shortfall_p95``: the sum of a run's ``energy_shortfall``), the share of the pairs that miss the target
    (``missed``: a shortfall above 1 % of the year's target; the shortfall is the target not generated, summed over
    the steps short of it, which steps above the target do not make up for, so a year can be missed whose energy
    is above 99 % of its target, a Tajik utility planner's review) and the mean shortfall
    of the winter months, October–March (``winter_shortfall_mean``).  Empty for a model whose plants have no
    energy target.

    Parameters
    ----------
    output
        An ensemble's output (``daryo ensemble -o``), or it opened (:func:`open_output`).
    year
        One run year's figures over the traces (0 for the first; None: every run year pooled).
    years
        A range of run years to take the figures over, pooled (``slice(5, None)``: run year 5 to the last, as
        Python slices; ``range(5, 20)``): the run's first years left out, where its reservoirs' start still shows
        (a warm-up); give ``year`` or ``years``, not both (None: ``year``'s).

    Returns
    -------
    pandas.DataFrame
        Index ``plant``; columns ``country``, ``target``, ``shortfall_mean``, ``shortfall_p95``, ``missed``,
        ``winter_shortfall_mean``, ``winter_target`` and ``winter_missed`` (the winter's, as the year's), their
        units in ``attrs["units"]``; then each mean's and share's 95 % interval by trace, ``<column>_low`` and
        ``<column>_high`` (:mod:`daryo.ensemble.sampling`; the p95 has none); ``attrs["tolerance"]``, the share of
        the target a year's shortfall may reach and not miss it (0.01).

    Raises
    ------
    ValueError
        If ``output`` holds no ensemble summaries, or none of the energy targets (a store of an earlier daryo, whose
        parts' format was below 13), or ``year`` is not a run year of it.
    """
    with _summaries(output, "energy_target_table", ("annual_energy_shortfall",), "plants' energy targets") as ds:
        picked = _picked_years(ds, year, years, "energy_target_table")
        target, short, winter = (_annual(ds, f"annual_{name}", "hydropower", picked)
                                 for name in ("energy_target", "energy_shortfall", "winter_energy_shortfall"))
        has = ~np.isnan(short).any(axis=0) if len(short) else np.zeros(short.shape[1], dtype=bool)
        target, short, winter = target[:, has], short[:, has], winter[:, has]
        columns = {"country": ds["hydropower_country"].values.astype(str)[has], "target": target.mean(axis=0),
                   "shortfall_mean": short.mean(axis=0), "shortfall_p95": _percentile(short, 95),
                   "missed": (missed := target_missed(short, target)).mean(axis=0),
                   "winter_shortfall_mean": winter.mean(axis=0)}
        if "annual_winter_energy_target" in ds:  # (a store of this session's first energy targets has none)
            wanted = _annual(ds, "annual_winter_energy_target", "hydropower", picked)[:, has]
            columns |= {"winter_target": wanted.mean(axis=0),
                        "winter_missed": (winter_missed := target_missed(winter, wanted)).mean(axis=0)}
        table = pd.DataFrame(columns, index=pd.Index(ds["hydropower"].values.astype(str)[has], name="plant"))
        traces = _traces(ds)
    table.attrs["units"] = {"target": "GWh per year", "shortfall_mean": "GWh per year",
                            "shortfall_p95": "GWh per year", "missed": "share of trace-years",
                            "winter_shortfall_mean": "GWh per year", "winter_target": "GWh per year",
                            "winter_missed": "share of trace-years"}
    table.attrs["tolerance"] = ENERGY_MISSED_TOLERANCE
    bounds = {"target": (target, False), "shortfall_mean": (short, False),
              "missed": (missed, True), "winter_shortfall_mean": (winter, False)}
    if "winter_target" in table:
        bounds |= {"winter_target": (wanted, False), "winter_missed": (winter_missed, True)}
    _add_bounds(table, traces, bounds)
    return table


def storage_table(output: EnsembleOutput, year: int | None = None, years: RunYears | None = None
                  ) -> pd.DataFrame:
    """The reservoirs of an ensemble's output over its (trace, run year) pairs: per reservoir the mean, 5th
    percentile and least of each year's lowest storage (hm³), its lowest ``min_volume`` (its dead storage), and the
    share of the pairs whose lowest storage reaches it (``at_min``, 0–1: the reservoir drawn down to dead storage in
    that year).  The mean and ``at_min`` have their 95 % intervals by trace (``<column>_low``, ``<column>_high``:
    :mod:`daryo.ensemble.sampling`); the percentile and the least none.

    Parameters
    ----------
    output
        An ensemble's output (``daryo ensemble -o``), or it opened (:func:`open_output`).
    year
        One run year's figures over the traces (0 for the first; None: every run year pooled).
    years
        A range of run years to take the figures over, pooled (``slice(5, None)``: run year 5 to the last, as
        Python slices; ``range(5, 20)``): the run's first years left out, where its reservoirs' start still shows
        (a warm-up); give ``year`` or ``years``, not both (None: ``year``'s).

    Returns
    -------
    pandas.DataFrame
        Index ``reservoir``; columns ``country``, ``mean``, ``p5``, ``least``, ``min_volume`` and ``at_min`` (the
        last two NaN for a store of daryo before 2026-12-06's, or a min_volume a parameter gives), then
        ``mean_low``, ``mean_high``, ``at_min_low`` and ``at_min_high``; empty for a model without reservoirs.

    Raises
    ------
    ValueError
        If ``output`` holds no ensemble summaries, or ``year`` is not a run year of it.
    """
    with _summaries(output, "storage_table") as ds:
        picked = _picked_years(ds, year, years, "storage_table")
        lowest = _annual(ds, "annual_min_storage", "reservoir", picked)
        traces = _traces(ds)
        floor = (ds["reservoir_min_volume"].values.astype(float) if "reservoir_min_volume" in ds.coords
                 else np.full(lowest.shape[1], np.nan))
        table = pd.DataFrame({"country": ds["reservoir_country"].values.astype(str), "mean": lowest.mean(axis=0),
                              "p5": _percentile(lowest, 5), "least": lowest.min(axis=0, initial=np.inf),
                              "min_volume": floor},
                             index=pd.Index(ds["reservoir"].values.astype(str), name="reservoir"))
    hit = at_dead_storage(lowest, floor)
    table["at_min"] = np.where(np.isnan(floor), np.nan, _share(hit))
    table.attrs["units"] = {"mean": "hm3", "p5": "hm3", "least": "hm3", "min_volume": "hm3",
                            "at_min": "share of trace-years"}
    _add_bounds(table, traces, {"mean": (lowest, False), "at_min": (hit, True)})
    return table


def rule_curve_table(output: EnsembleOutput, year: int | None = None, years: RunYears | None = None
                     ) -> pd.DataFrame:
    """How the reservoirs with a rule curve (``target_volume``) of an ensemble's output held it over its (trace, run
    year) pairs (or one run ``year``'s traces): per reservoir its country, the share of the pairs with some step whose
    end-of-step volume is below the target (``below``: a run's ``storage_shortfall`` above 0, beyond 1e-8 hm³ of solver
    noise), the mean and 95th percentile of the steps below it in a year (``steps_mean``, ``steps_p95``), and the mean,
    95th percentile and largest of a year's largest shortfall (``shortfall_mean``, ``shortfall_p95``, ``shortfall_max``,
    hm³); the share and the means have their 95 % intervals by trace (``<column>_low``, ``<column>_high``:
    :mod:`daryo.ensemble.sampling`), the percentiles and the largest none.  Empty for a model whose reservoirs have no
    rule curve.

    Parameters
    ----------
    output
        An ensemble's output (``daryo ensemble -o``), or it opened (:func:`open_output`).
    year
        One run year's figures over the traces (0 for the first; None: every run year pooled).
    years
        A range of run years to take the figures over, pooled (``slice(5, None)``: run year 5 to the last, as
        Python slices; ``range(5, 20)``): the run's first years left out, where its reservoirs' start still shows
        (a warm-up); give ``year`` or ``years``, not both (None: ``year``'s).

    Returns
    -------
    pandas.DataFrame
        Index ``reservoir``; columns ``country``, ``below``, ``steps_mean``, ``steps_p95``, ``shortfall_mean``,
        ``shortfall_p95`` and ``shortfall_max``, then ``below_low``, ``below_high``, ``steps_mean_low``…
        ``shortfall_mean_high``, their units in ``attrs["units"]``.

    Raises
    ------
    ValueError
        If ``output`` holds no ensemble summaries, or none of the rule curves (a store of an earlier daryo, whose
        parts' format was below 12), or ``year`` is not a run year of it.
    """
    with _summaries(output, "rule_curve_table", ("annual_steps_below_target",), "reservoirs' rule curves") as ds:
        picked = _picked_years(ds, year, years, "rule_curve_table")
        steps = _annual(ds, "annual_steps_below_target", "reservoir", picked)
        short = _annual(ds, "annual_max_storage_shortfall", "reservoir", picked)
        has = ~np.isnan(steps).any(axis=0) if len(steps) else np.zeros(steps.shape[1], dtype=bool)
        steps, short = steps[:, has], short[:, has]
        table = pd.DataFrame({
            "country": ds["reservoir_country"].values.astype(str)[has], "below": (steps > 0).mean(axis=0),
            "steps_mean": steps.mean(axis=0), "steps_p95": _percentile(steps, 95),
            "shortfall_mean": short.mean(axis=0), "shortfall_p95": _percentile(short, 95),
            "shortfall_max": short.max(axis=0, initial=0.0)},
            index=pd.Index(ds["reservoir"].values.astype(str)[has], name="reservoir"))
        traces = _traces(ds)
    table.attrs["units"] = {"below": "share of trace-years", "steps_mean": "steps per year",
                            "steps_p95": "steps per year", "shortfall_mean": "hm3", "shortfall_p95": "hm3",
                            "shortfall_max": "hm3"}
    _add_bounds(table, traces, {"below": (steps > 0, True), "steps_mean": (steps, False),
                                "shortfall_mean": (short, False)})
    return table


def sink_table(output: EnsembleOutput, year: int | None = None,
               below: float | Mapping[str, float] | None = None, years: RunYears | None = None) -> pd.DataFrame:
    """The water reaching each sink (a terminal lake, a river's mouth) over an ensemble's (trace, run year) pairs:
    per sink the mean, 5th, 50th and 95th percentiles and least of its yearly inflow (hm³/yr), the share of the pairs it
    gets none, and the share it gets less than a given volume.  The mean and the shares have their 95 % intervals by
    trace (``<column>_low``, ``<column>_high``: :mod:`daryo.ensemble.sampling`); the percentiles (numpy's linear
    interpolation) and the least none.

    Parameters
    ----------
    output
        An ensemble's output (``daryo ensemble -o``), or it opened (:func:`open_output`).
    year
        One run year's figures over the traces (0 for the first; None: every run year pooled).
    years
        A range of run years to take the figures over, pooled (``slice(5, None)``: run year 5 to the last, as
        Python slices; ``range(5, 20)``): the run's first years left out, where its reservoirs' start still shows
        (a warm-up); give ``year`` or ``years``, not both (None: ``year``'s).
    below
        A yearly volume (hm³/yr), for every sink or per sink id (a mapping): the column ``below`` gives the share of
        the pairs whose inflow is less than it ("in what share of years does the South Aral get less than 3 km³?":
        ``below={"south_aral": 3000}``); NaN for a sink the mapping leaves out.  None: no such column.

    Returns
    -------
    pandas.DataFrame
        Index ``sink``; columns ``country``, ``mean``, ``p5``, ``p50``, ``p95``, ``least``, ``none`` (0–1: the
        share of the pairs with no inflow, up to solver noise) and, with ``below``, ``below`` (0–1) and
        ``threshold`` (hm³/yr), then ``mean_low``, ``mean_high``, ``none_low``, ``none_high`` (and ``below_low``,
        ``below_high``); empty for a model without sinks.

    Raises
    ------
    ValueError
        If ``output`` holds no ensemble summaries, ``year`` is not a run year of it, or ``below`` is not a volume
        of 0 or more (or names a sink the output does not have).
    """
    with _summaries(output, "sink_table") as ds:
        picked = _picked_years(ds, year, years, "sink_table")
        sinks = [str(s) for s in ds["sink"].values]
        threshold = None if below is None else _sink_thresholds(below, sinks)
        got = _annual(ds, "annual_sink_inflow", "sink", picked)
        table = pd.DataFrame({"country": ds["sink_country"].values.astype(str), "mean": got.mean(axis=0),
                              "p5": _percentile(got, 5), "p50": _percentile(got, 50), "p95": _percentile(got, 95),
                              "least": got.min(axis=0, initial=np.inf)},
                             index=pd.Index(ds["sink"].values.astype(str), name="sink"))
        traces = _traces(ds)
    table["none"] = _share(got <= YEAR_NOISE)
    table.attrs["units"] = {k: "hm3 per year" for k in ("mean", "p5", "p50", "p95", "least")} | {
        "none": "share of trace-years"}
    if threshold is not None:  # (an Aral ecologist's review: the share of years below a volume took xarray)
        table["below"] = np.where(np.isnan(threshold), np.nan, _share(got < threshold[None, :]))
        table["threshold"] = threshold
        table.attrs["units"] |= {"below": "share of trace-years", "threshold": "hm3 per year"}
    _add_bounds(table, traces, {"mean": (got, False), "none": (got <= YEAR_NOISE, True),
                                **({} if threshold is None else {"below": (got < threshold[None, :], True)})})
    return table


def _sink_thresholds(below: object, sinks: list[str]) -> np.ndarray:
    """``sink_table``'s ``below``: one yearly volume (hm³/yr) for every sink, or one per sink id; NaN for a sink a
    mapping leaves out.

    Raises
    ------
    ValueError
        If a volume is not a number of 0 or more, or the mapping names a sink not in ``sinks``."""
    given = dict(below) if isinstance(below, Mapping) else dict.fromkeys(sinks, below)
    unknown = [str(k) for k in given if str(k) not in sinks]
    if unknown:
        raise ValueError(f"sink_table(below=...): no sink {unknown[0]!r} in the output"
                         f"{did_you_mean(unknown[0], sinks)}; its sinks: {', '.join(sinks) or 'none'}")
    volumes: dict[str, float] = {}
    for key, value in given.items():
        volume = float(value) if is_number(value) else math.nan
        if not 0 <= volume < math.inf:
            raise ValueError(f"sink_table(below=...): {key}: {value!r} is not a yearly volume (hm³/yr, 0 or more)")
        volumes[str(key)] = volume
    return np.array([volumes.get(s, np.nan) for s in sinks])


def check_year(year: object, years: int, where: str = "the ensemble", start: object = None) -> None:
    """Refuse a run ``year`` that is not one of ``years`` (0 for the first; ``where``: the store, and ``start``,
    its first step's date, for the message: :func:`held_years`).

    Raises
    ------
    TypeError
        If ``year`` is not a whole number.
    ValueError
        If it is not from 0 to ``years`` − 1.
    """
    if isinstance(year, bool) or not is_whole(year):
        raise TypeError(f"year={year!r}: give a run year, a whole number (0 for the first)")
    if not 0 <= int(year) < years:  # type: ignore[call-overload]
        raise ValueError(f"year {year}: {held_years(where, years, start, int(year))}")  # type: ignore[call-overload]


def held_years(where: str, years: int, start: object = None, asked: int | None = None) -> str:
    """What a store ``where`` of ``years`` run years from ``start`` (its first step's date; None: not said) holds,
    for a message refusing run year ``asked``: "a.nc holds run years 0 to 499, which start in 1700-10 to 2199-10"
    and, for an ``asked`` that is a calendar year of them, the run year that starts in it ("1741-10 starts run
    year 41": a paleo-hydrologist's review, whose --year 1741 was told only "run years 0 to 499")."""
    text = f"{where} holds run years 0 to {years - 1}"
    if start is None or start == "" or years < 1:
        return text
    first = pd.Timestamp(str(start))
    fmt = "%Y-%m" if first.day == 1 else "%Y-%m-%d"
    last = pd.Timestamp(add_years(first, years - 1).item())  # (in days: a store's last year may start past 2262-04)
    text += f", which start in {first:{fmt}} to {last:{fmt}}"
    if asked is not None and first.year <= asked < first.year + years:
        run_year = asked - first.year
        text += f"; {pd.Timestamp(add_years(first, run_year).item()):{fmt}} starts run year {run_year}"
    return text


#: a range of run years, as the tables' ``years`` take it: ``slice(5, None)`` (run year 5 to the last) or
#: ``range(5, 20)``
RunYears = slice | range


def run_years_of(years: object, held: int, where: str = "the ensemble", start: object = None) -> list[int]:
    """The run years (0 for the first) of an ensemble of ``held`` run years that ``years`` selects: a ``slice``, as
    Python slices a list of the run years (``slice(5, None)``: 5 to the last; ``slice(5, 19)``: 5 to 18;
    ``slice(-5, None)``: the last five), or a ``range`` of run years it holds (``where`` and ``start``, its first
    step's date, name the store in a message: :func:`held_years`).

    Raises
    ------
    TypeError
        If ``years`` is neither a slice nor a range, or a slice's bounds are not whole numbers.
    ValueError
        If a range holds a run year the ensemble does not, or ``years`` selects none.
    """
    if isinstance(years, slice):
        if not all(b is None or (is_whole(b) and not isinstance(b, bool)) for b in (years.start, years.stop,
                                                                                     years.step)):
            raise TypeError(f"years={years!r}: give a slice of whole run years (slice(5, None): 5 to the last)")
        if years.step == 0:
            raise ValueError(f"years={years!r}: a slice's step cannot be 0")
        picked = list(range(held)[slice(*(None if b is None else int(b)
                                          for b in (years.start, years.stop, years.step)))])
    elif isinstance(years, range):
        picked = list(years)
        if outside := [y for y in picked if not 0 <= y < held]:
            raise ValueError(f"years={years!r}: run year {outside[0]}: {held_years(where, held, start, outside[0])}")
    else:
        raise TypeError(f"years={years!r}: give a slice (slice(5, None): run year 5 to the last) or a range of run "
                        "years, or None for every year")
    if not picked:
        raise ValueError(f"years={years!r} selects no run year: {held_years(where, held, start)}")
    return picked


def _picked_years(ds: Any, year: int | None, years: object, caller: str) -> int | list[int] | None:
    """What a table of the open store ``ds`` takes its figures over: one run ``year`` (an int), a range of
    ``years`` (:func:`run_years_of`: a list of run years; one run year alone as that year, every run year as
    None, the pooled figures), or every run year (None).

    Raises
    ------
    ValueError
        If both are given, or as :func:`run_years_of`.
    TypeError
        As :func:`run_years_of`.
    """
    if years is None:
        return year
    if year is not None:
        raise ValueError(f"{caller}: year={year!r} and years={years!r}: give one run year or a range of them, not "
                         "both")
    picked = run_years_of(years, ds.sizes["year"], output_name(ds), _first_step(ds))
    if picked == list(range(ds.sizes["year"])):
        return None
    return picked[0] if len(picked) == 1 else picked


def _first_step(ds: Any) -> object:
    """The date of the open store's first step (None where it keeps no steps), for a message naming its years."""
    return ds["time"].values[0] if ds.sizes.get("time") else None


def years_attrs(year: int | list[int] | None) -> dict[str, Any]:
    """A table's ``attrs`` of what its figures are over: ``year``, the run year (None: several or all) and
    ``years``, the run years, or None for all."""
    if isinstance(year, list):
        return {"year": None, "years": [int(y) for y in year]}
    return {"year": None if year is None else int(year), "years": None if year is None else [int(year)]}


def _annual(ds: Any, name: str, kind: str, year: int | list[int] | None) -> np.ndarray:
    """An annual indicator as (pairs, elements): every (trace, run year) pair, one run ``year``'s traces, or the
    (trace, run year) pairs of a list of run years (:func:`_picked_years`), trace by trace."""
    da = ds[name].transpose("trace", "year", kind)
    if isinstance(year, list):
        da = da.isel(year=year)
    elif year is not None:
        check_year(year, ds.sizes["year"], output_name(ds), _first_step(ds))
        da = da.isel(year=[int(year)])
    values = da.values
    return values.reshape(values.shape[0] * values.shape[1], values.shape[2])


def _traces(ds: Any) -> int:
    """How many traces the open store ``ds`` holds (0 for a store of summaries alone)."""
    return int(ds.sizes.get("trace", 0))


def _bounds(value: np.ndarray, annual: np.ndarray, traces: int, share: bool = False
            ) -> tuple[np.ndarray, np.ndarray]:
    """The 95 % interval by trace (:mod:`daryo.ensemble.sampling`) of ``value`` (elements,), the mean over the
    (trace, run year) pairs of ``annual`` ((pairs, elements), trace by trace as :func:`_annual` gives them; 0/1 for
    a share, whose interval is Korn and Graubard's, within [0, 1]): ``value ± t SE`` (t:
    :func:`~daryo.ensemble.sampling.quantile95`), the standard error that of the traces' sums, as the years of one
    trace are correlated; kept at 0 or above where the values are (a mean of volumes or steps).  NaN where ``value``
    is, or the standard error cannot be had (one trace, an infinite value)."""
    import xarray as xr

    from .sampling import Estimate, mean_over_trace_years

    if not traces or not len(annual):
        return np.full(annual.shape[1], np.nan), np.full(annual.shape[1], np.nan)
    by_trace = _by_trace(annual, traces)
    with np.errstate(invalid="ignore"):  # (an infinite stress, "no water": no standard error)
        se = (fit := mean_over_trace_years(by_trace)).se
        centre = xr.DataArray(np.asarray(value, dtype=float), dims=("element",))
        low, high = Estimate(centre, se.where(np.isfinite(se)), traces, fit.observations,
                             fit.all_or_nothing).interval(share=share)
        least = by_trace.min(("trace", "year")).values
    return np.where(least >= 0, np.maximum(low.values, 0.0), low.values), high.values


def _by_trace(annual: np.ndarray, traces: int) -> Any:
    """``annual`` ((trace, run year) pairs, elements), trace by trace as :func:`_annual` gives them, as an xarray
    DataArray (trace, year, element) of floats, for :mod:`daryo.ensemble.sampling`."""
    import xarray as xr

    values = np.asarray(annual, dtype=float)
    return xr.DataArray(values.reshape(traces, len(values) // traces, values.shape[1]),
                        dims=("trace", "year", "element"))


def _add_bounds(table: pd.DataFrame, traces: int, columns: Mapping[str, tuple[np.ndarray, bool]]) -> None:
    """Give ``table`` the 95 % interval by trace of each of ``columns`` (column: (its annual values, whether a
    share), :func:`_bounds`) as ``<column>_low`` and ``<column>_high``, after its other columns, with the column's
    units; and ``attrs["traces"]`` and ``attrs["pairs"]``, the numbers of traces and of (trace, run year) pairs
    the figures are of."""
    units = table.attrs.setdefault("units", {})
    table.attrs["pairs"] = 0
    for column, (annual, share) in columns.items():
        table.attrs["pairs"] = len(annual)
        table[f"{column}_low"], table[f"{column}_high"] = _bounds(table[column].to_numpy(dtype=float), annual,
                                                                   traces, share)
        if column in units:
            units |= {f"{column}_low": units[column], f"{column}_high": units[column]}
    table.attrs["traces"] = traces


def _percentile(values: np.ndarray, q: float) -> np.ndarray:
    """The ``q``th percentile of each column (NaN for none)."""
    return np.percentile(values, q, axis=0) if len(values) else np.full(values.shape[1], np.nan)


def _share(hits: np.ndarray) -> np.ndarray:
    """Each column's share of the (trace, run year) pairs, the rows of ``hits``, that are True (0 where there are
    none)."""
    return hits.mean(axis=0) if len(hits) else np.zeros(hits.shape[1])


def _share_short(short: np.ndarray) -> np.ndarray:
    """Each flow requirement's share of the (trace, run year) pairs short of it at all (some water required not
    met), of ``short``, their shortfall fractions as :func:`_annual` reads them (read once by its callers)."""
    return _share(short > 0)


def _mean_stress_terms(ds: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each river system's mean yearly withdrawal, renewable water and environmental flow (at most the renewable
    water) over an ensemble's trace-years, from its summaries (hm³/yr): the terms of the long-term ratio."""
    withdrawal, renewable, environmental = (
        ds[f"summary_annual_{name}"].sel(statistic="mean").transpose("system").values
        for name in ("withdrawal", "renewable_water", "environmental_flow"))
    return withdrawal, renewable, np.minimum(environmental, renewable)


def _stress_table_of_year(ds: Any, year: int | list[int]) -> pd.DataFrame:
    """:func:`water_stress_table` of the open store ``ds`` over run ``year``'s traces (or the trace-years of a list
    of run years), from the yearly values."""
    _annual(ds, "annual_water_stress", "system", year)  # (a ValueError for a year the store does not hold)
    years = year if isinstance(year, list) else [year]
    part = {name: ds[f"annual_{name}"].isel(year=years).transpose("trace", "year", "system").values
            for name in ("water_stress", "withdrawal", "renewable_water", "environmental_flow")}
    values, _ = _summary_of([part], "water_stress", 0.0, 2**28)
    table = pd.DataFrame(values.T, columns=[str(s) for s in ds["statistic"].values],
                         index=pd.Index(ds["system"].values.astype(str), name="system"))
    for k, level in enumerate(_level_shares([part], "water_stress")):
        table[LEVEL_NAMES[k]] = level
    table.insert(0, "country", ds["system_country"].values.astype(str))
    withdrawal, renewable, environmental = (part[name].mean(axis=(0, 1)) for name in
                                            ("withdrawal", "renewable_water", "environmental_flow"))
    means = (withdrawal, renewable, np.minimum(environmental, renewable))
    for column, values_ in zip(("withdrawal", "renewable", "environmental"), means, strict=True):
        table[column] = values_
    table["long_term"] = stress_ratio(*means)
    return pd.concat([table, _all_systems(ds, table, year)]) if len(table) > 1 else table


def _add_stress_bounds(ds: Any, table: pd.DataFrame, year: int | list[int] | None) -> None:
    """Give :func:`water_stress_table`'s ``table`` (of the open store ``ds``, over run ``year``'s traces where given)
    the 95 % intervals by trace of its means, shares and long-term ratio, its systems' and, where it has the row,
    theirs together (each trace-year's sums, as :func:`_all_systems`)."""
    from .sampling import ratio_over_trace_years

    terms = [_annual(ds, f"annual_{name}", "system", year)
             for name in ("water_stress", "withdrawal", "renewable_water", "environmental_flow")]
    if len(table) > ds.sizes["system"]:  # (the row of them together)
        withdrawal, renewable = terms[1].sum(axis=1), terms[2].sum(axis=1)
        environmental = np.minimum(terms[3], terms[2]).sum(axis=1)
        together = [stress_ratio(withdrawal, renewable, environmental), withdrawal, renewable, environmental]
        terms = [np.concatenate([t, a[:, None]], axis=1) for t, a in zip(terms, together, strict=True)]
    traces = _traces(ds)
    level = stress_level_index(terms[0])
    _add_bounds(table, traces, {"mean": (terms[0], False),
                                **{name: (level == k, True) for k, name in enumerate(LEVEL_NAMES)},
                                **dict(zip(("withdrawal", "renewable", "environmental"),
                                           ((t, False) for t in terms[1:]), strict=True))})
    margin = ratio_over_trace_years(_by_trace(terms[1], traces),
                                    _by_trace(terms[2] - terms[3], traces)).margin().values * 100
    long_term = table["long_term"].to_numpy(dtype=float)
    finite = np.isfinite(long_term) & np.isfinite(margin)
    table["long_term_low"] = np.where(finite, np.maximum(long_term - margin, 0.0), np.nan)  # (a ratio: not below 0)
    table["long_term_high"] = np.where(finite, long_term + margin, np.nan)
    table.attrs["units"] |= {"long_term_low": "%", "long_term_high": "%"}


def _all_systems(ds: Any, table: pd.DataFrame, year: int | list[int] | None = None) -> pd.DataFrame:
    """The row of :func:`water_stress_table` for the river systems together (``all``, as :func:`daryo.sdg.water_stress`
    names it): each trace-year's ratio of their summed withdrawal, renewable water and environmental flow (each
    system's at most its renewable water), then the same statistics as each system's (over run ``year``'s traces
    alone, where given)."""
    years = slice(None) if year is None else year if isinstance(year, list) else [year]
    terms = [ds[name].isel(year=years).transpose("trace", "year", "system").values
             for name in ("annual_withdrawal", "annual_renewable_water", "annual_environmental_flow")]
    withdrawal, renewable = terms[0].sum(axis=2), terms[1].sum(axis=2)
    environmental = np.minimum(terms[2], terms[1]).sum(axis=2)  # (each year's ratio, of its own water)
    part = {"stress": stress_ratio(withdrawal, renewable, environmental)[:, :, None]}
    values, _ = _summary_of([part], "stress", 0.0, 2**28)
    shares = _level_shares([part], "stress")[:, 0]
    name = total_name(list(table.index))
    countries = sorted({c for text in table["country"] for c in text.split()})
    row = {"country": " ".join(countries), **dict(zip(table.columns[1:1 + len(values)], values[:, 0], strict=True)),
           **{str(level): shares[k] for k, level in enumerate(LEVEL_NAMES)},
           "withdrawal": withdrawal.mean(), "renewable": renewable.mean(),  # (each system's long-term terms summed:
           "environmental": np.minimum(terms[2].mean(axis=(0, 1)), terms[1].mean(axis=(0, 1))).sum()}  # daryo run's)
    row["long_term"] = stress_ratio(*(np.array([row[k]]) for k in ("withdrawal", "renewable", "environmental")))[0]
    return pd.DataFrame([row], index=pd.Index([name], name="system"))[table.columns]


def _run_attribute(attrs: Mapping[str, Any], name: str) -> Any:
    """The run's ``name`` (:data:`RUN_COLUMNS`) from a store's attributes: text, or a whole number (a seed written
    as text, above 2³¹ − 1, too)."""
    value = attrs.get(name, "")
    if name in ("model", "scenarios"):
        return str(value)
    return int(value) if str(value).strip().lstrip("-").isdigit() else value


