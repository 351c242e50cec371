"""What differs between two runs of a model: a deal against the baseline, one allocation rule against another.

:func:`compare_runs` sets the indicators of two runs' results side by side -- per country water demanded,
delivered and short, and hydropower energy, by season; each plant's energy and the part of its target not
generated; each terminal sink's inflow; each flow requirement's water required and met, and the share of steps
short; each river system's withdrawal, renewable water, environmental flow requirement and water stress (SDG
6.4.2) -- mean annual values over each run's years and scenarios (a run shorter than a year: its totals), as ``daryo
run`` prints them; and each reservoir's volume at the run's start and end, and its lowest -- and their difference
(second − first).
:func:`compare_ensembles` does the same for two ensembles' outputs, with their statistics over the trace-years and
each difference's sampling noise (:mod:`daryo.compare_noise`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .compare_noise import difference_errors, percentiles_on_atoms, row_samples, with_noise
from .compare_notes import ensemble_notes, run_notes, units_differ, units_of_both
from .indicators import (
    YEAR_NOISE,
    annual_by,
    check_dataset,
    country_system_summary,
    coverage,
    energy_by_season,
    energy_shortfall,
    n_years,
    requirement_summary,
    scenario_summary,
    storage_change,
    storage_shortfall,
    year_weights,
)

__all__ = ["compare_runs", "compare_ensembles", "paired_deficit_changes", "check_run_results", "run_label",
           "COMPARE_COLUMNS", "ENSEMBLE_COLUMNS"]

#: the names of the reservoirs' total row: the first that no reservoir has
RESERVOIR_TOTALS = ("all", "all reservoirs", "(all)")
#: the columns of :func:`compare_runs`'s table (``units`` those of the two values, or each's where they differ,
#: ``difference_units`` those of their difference: of percentages, percentage points)
COMPARE_COLUMNS = ("table", "element", "quantity", "units", "first", "second", "difference", "difference_units")
#: the columns of :func:`compare_ensembles`'s table: those of two runs', and the difference's sampling noise
ENSEMBLE_COLUMNS = (*COMPARE_COLUMNS, "se", "margin95", "within_noise")


def compare_runs(first: str | os.PathLike[str] | xr.Dataset, second: str | os.PathLike[str] | xr.Dataset,
                 basins: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Two runs' indicators side by side, and their difference.

    Parameters
    ----------
    first, second
        Two runs' results (``Results.dataset``, or their NetCDF files read back with ``xarray.open_dataset``),
        or those files' paths (``daryo run -o``), usually of one model under two sets of overlays, over the same
        years and hydrology.
    basins
        The river systems' names, as the model's ``metadata.basins`` gives them (None: those the results record,
        else each named after an inflow node of it); each id a node of either run (an overlay may remove one): a
        basin the second run lacks whole names what it keeps of the first run's system (:func:`daryo.sdg.basins_of`).

    Returns
    -------
    pandas.DataFrame
        A row per indicator and element, with the columns of :data:`COMPARE_COLUMNS`: ``table`` (``country``,
        ``demand``, ``plant``, ``sink``, ``canal``, ``requirement``, ``system``, ``reservoir``, and ``scenario`` where a
        run has two or more: each scenario's ``deficit`` (and ``deficit COUNTRY`` of a country short in one),
        ``delivered``, ``energy`` and ``sink inflow``, :func:`daryo.indicators.scenario_summary`, rows of one
        scenario name paired), ``element`` (a country,
        demand, plant, sink, canal, requirement, river system or reservoir; ``all`` for the systems or the reservoirs
        together; a country that draws on several river systems also per system, ``UZB amu``: its water ``delivered``,
        ``deficit`` and ``deficit share`` of its own demand on that system (and each country's ``deficit share`` of
        its whole demand),
        :func:`daryo.indicators.country_system_summary`; a demand's water ``demanded``, ``delivered``, ``deficit`` and
        ``deficit share`` too), ``quantity`` (e.g. ``delivered summer``, ``energy winter``, ``inflow``, ``met``, ``steps
        short``, ``withdrawal``, ``renewable``, ``environmental`` (a river system's environmental flow requirement, the
        term water stress takes from its renewable water), ``stress``, ``change over the run``; a canal's water
        ``taken`` at its head and ``lost`` on its way), ``units`` (of the two runs' values), the two runs' values,
        ``difference`` (second − first) and ``difference_units`` (its units: of a value in %, a share or a stress,
        ``percentage points``).  Values are mean annual over each run's years and scenarios (``hm3 per year``, ``GWh per
        year``), or, for a run shorter than a year, its totals (``hm3 in the run``), as ``daryo run`` prints them; a
        share of steps and a stress are in %; a reservoir's volumes at the run's start and end, and their change, in
        ``hm3`` (mean over the scenarios), and its lowest volume, at the start or a step's end, in any scenario.  An
        element only one run has (a node an overlay added) has NaN for the other and the difference; a row whose
        two values are in other units (a run shorter than a year's totals beside another's mean annual values: not
        one quantity) names both in ``units`` (``hm3 in the run (first), hm3 per year (second)``) and has no
        difference (NaN, and NaN ``difference_units``).
        ``attrs`` describes the runs (``first``, ``second``: their model and overlays, :func:`run_label`) and holds
        ``notes``, what to know before reading it, a sentence each, as ``daryo compare`` prints them: runs of other
        model files, spans (and what of them is compared) or hydrology, a run that draws more from its reservoirs, rows
        only one has, an overlay whose years the means dilute, demands that differ (each deficit is of its own run's
        demand).

    Raises
    ------
    TypeError
        If either is not a Dataset or a path, or ``basins`` not a mapping of names to lists of node ids.
    FileNotFoundError
        If a path is not a file.
    ValueError
        If either is not a run's results (an ensemble's store, say; a file that is not NetCDF), or a basin's id
        is a node of neither.
    """
    a, b = (_with_scenarios(_run_read(ds)) for ds in (first, second))
    for ds in (a, b):
        check_run_results(ds, "compare_runs")
    named = (basins, basins)
    if basins is not None:  # (a node of either run: an overlay may remove one of the model's basins' nodes)
        from .sdg import basins_of, check_basins

        check_basins(basins, sorted({str(n) for ds in (a, b) if "node" in ds.coords for n in ds["node"].values}))
        named = (basins_of(basins, a, b), basins_of(basins, b, a))
    table = _with_differences(_side_by_side(_indicators(a, named[0]), _indicators(b, named[1])))
    table = table[list(COMPARE_COLUMNS)]
    table.attrs.update(first=run_label(a), second=run_label(b))
    table.attrs["notes"] = run_notes(a, b, table)
    return table


def compare_ensembles(first: str | os.PathLike[str] | xr.Dataset, second: str | os.PathLike[str] | xr.Dataset,
                      year: int | None = None) -> pd.DataFrame:
    """Two ensembles' summaries side by side, and their difference: a deal against the baseline over the same
    hydrological traces (the same seed, traces and years), or under another climate.

    Parameters
    ----------
    first, second
        Two ensembles' outputs (``.zarr`` or ``.nc`` of ``daryo ensemble -o``), or them opened
        (:func:`daryo.ensemble.open_output`).
    year
        The statistics over one run year's traces (0 for the first: a drought's year, which the statistics over
        every trace-year dilute), from the stored yearly values; the reservoirs' change over the run is then left
        out.  None: over every (trace, run year) pair.

    Returns
    -------
    pandas.DataFrame
        A row per indicator and element, with the columns of :data:`ENSEMBLE_COLUMNS`, the statistics taken over
        each ensemble's (trace, run year) pairs: per ``demand`` the share of trace-years short by more than the first
        run's deficit threshold (``share above threshold``, both taken at that threshold), the ``mean`` and ``p95``
        of the annual deficit fraction (all in %), the mean water ``demanded`` and ``delivered`` (hm³/yr), and
        delivered in winter and in summer (``delivered winter``, ``delivered summer``; none for a store of daryo
        before 2026-12-06's); per ``country`` its demands' water ``demanded`` and ``delivered``, their ``deficit``
        (hm³/yr) and its share of their demand (``deficit share``, %, of the mean yearly terms), as
        :func:`compare_runs` names them (a country on several river systems also per system, element ``UZB amu``,
        from the store's ``demand_system``), their water demanded and delivered in winter and in summer (``demanded
        winter``, ``delivered summer``...: the country's alone, not per system; none of what a store of daryo
        before 2026-12-06's does not keep), and its plants'
        ``energy`` and ``energy winter`` and the 5th percentile of their winter energy in a trace-year (``energy
        winter, p5``, the firm winter energy); per ``requirement`` the mean water ``met`` (hm³/yr) and the
        share of trace-years ``short`` (%); per river ``system`` the long-term water ``stress`` (SDG 6.4.2, %); per
        ``reservoir`` the mean and 5th percentile of each year's ``lowest storage`` (hm³) and the share of
        trace-years it is drawn down to its dead storage (``at dead storage``, %; none for a store of daryo before
        2026-12-06's), and, where the store keeps the storage series, its volume at the run's start (``storage at
        start``) and the mean over the traces of its volume at the end and of the change (``storage at end, mean``,
        ``change over the run, mean``), with all reservoirs' together (``all``); per ``plant`` the mean ``energy``
        and ``energy winter`` and the 5th percentile of its winter energy (GWh/yr); per ``sink`` the mean
        ``inflow`` (hm³/yr).  ``difference`` is second − first, in ``difference_units`` (of a share or a stress,
        ``percentage points``), as are ``se`` and ``margin95``; ``se`` its standard error by trace
        (:mod:`daryo.ensemble.sampling`), of a mean, a share or a ratio of means over the trace-years: of two
        independent samples, ``√(SE₁² + SE₂²)``, where the ensembles' traces differ (other seeds), of the traces'
        paired differences where they share them (far smaller); 0 for a reservoir's volume at the start (the
        model's, not a sample); NaN for a percentile (``p5``, ``p95``: no cheap interval) and an element only one
        has.  ``margin95`` is the margin of the difference's 95 % interval (``t se``, t
        Student's 97.5 % quantile of the smaller ensemble's traces − 1 degrees of freedom), and ``within_noise``
        whether the difference is within it of zero, of ensembles of other traces only (False where there is no
        margin, and where the ensembles share their traces: every difference is then the rules' in some
        trace-years): two baselines that differ by their seed alone differ within their noise.
        ``attrs`` holds each run (:func:`daryo.ensemble.run_of`: ``first``, ``second``) and whether the two share
        their traces (``paired``: the same seed, traces and years, drawn from the same inflows: of one model file,
        so that their differences are of the rules and overlays alone, or of two files whose traces have the same
        inflows, a basin and a variant of it), whether their traces' inflows are the same, trace by trace (their
        ``trace_digest``: ``same_traces``; None where either has none), the run ``year`` compared, ``atoms``, the
        percentile rows (table, element, quantity) of two ensembles of other traces that sit near a value many
        trace-years share (dead storage, no deficit), where the percentile of independent samples jumps
        (:func:`daryo.compare_noise.percentiles_on_atoms`), ``nested``, where the two do not share their traces but
        hold some of the same (:func:`nested_traces`: ``{"traces": n, "years": y}``, the first n traces' first y
        run years; None where they hold none), and ``notes``, what to know before reading it, a
        sentence each, as ``daryo compare`` prints them (a draw from storage is told where it is beyond its noise,
        with its standard error; demands that differ, since each deficit is of its own ensemble's demand).

    Raises
    ------
    TypeError
        If either is neither a path nor a Dataset.
    ValueError
        If either is not an ensemble's output, or ``year`` is not a run year of both.
    """
    from .ensemble import open_output, run_of

    for output in (first, second):
        if not isinstance(output, str | os.PathLike | xr.Dataset):
            raise TypeError(f"compare_ensembles takes the paths of two ensembles' outputs (or them opened), not "
                            f"{type(output).__name__}")
    with open_output(first, "compare_ensembles") as a, open_output(second, "compare_ensembles") as b:
        runs = [run_of(a), run_of(b)]
        _check_year_of(year, (a, b), runs)
        threshold = runs[0]["threshold"]
        table = _side_by_side(_ensemble_indicators(a, threshold, year), _ensemble_indicators(b, threshold, year))
        paired = _share_traces(a, b, runs)
        same_traces = _same_trace_digests(a, b)
        nested = None if paired else nested_traces(a, b, runs)
        samples = [row_samples(ds, threshold, year) for ds in (a, b)]
    table = _with_differences(table)
    traces = min(int(run["traces"]) for run in runs)  # (the standard errors are by trace: its degrees of freedom)
    table = with_noise(table[list(COMPARE_COLUMNS)], difference_errors(samples[0], samples[1], paired), traces, paired)
    table.attrs.update(first=runs[0], second=runs[1], paired=paired, year=year, same_traces=same_traces,
                       nested=nested, atoms=[] if paired else percentiles_on_atoms(samples[0], samples[1]))
    table.attrs["notes"] = ensemble_notes(table)
    return table


def paired_deficit_changes(first: str | os.PathLike[str] | xr.Dataset, second: str | os.PathLike[str] | xr.Dataset,
                           tolerance: float = 0.01, year: int | None = None) -> pd.DataFrame:
    """Trace-year by trace-year, how each demand's annual deficit changes from one ensemble to another of the same
    traces (a deal against the baseline): the means of :func:`compare_ensembles` hide the years a demand loses.

    Parameters
    ----------
    first, second
        Two ensembles' outputs of the same traces (``compare_ensembles(first, second).attrs["paired"]``), or them
        opened (:func:`daryo.ensemble.open_output`).
    tolerance
        A change of the annual deficit fraction smaller than this (0.01: one percentage point) is no change.
    year
        One run year's traces alone (0 for the first); None: every (trace, run year) pair.

    Returns
    -------
    pandas.DataFrame
        Per demand both have (index ``demand``): its ``country``; the share of trace-years whose deficit is larger in
        the second by more than ``tolerance`` (``worse``) and smaller (``better``), 0–1; and the 5th and 95th
        percentiles of the change of the deficit (``p5``, ``p95``: the second's less the first's, in percentage
        points of the demand).

    Raises
    ------
    ValueError
        If the two do not share their traces, either is not an ensemble's output, or ``tolerance`` is not in
        [0, 1).
    TypeError
        If ``tolerance`` is not a number.
    """
    from .ensemble import open_output, run_of

    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float | np.integer | np.floating):
        raise TypeError(f"paired_deficit_changes: tolerance={tolerance!r}: give a change of the annual deficit "
                        "fraction, 0 ≤ tolerance < 1 (0.01: one percentage point)")
    if not 0.0 <= tolerance < 1.0:  # (NaN too)
        raise ValueError(f"paired_deficit_changes: tolerance={tolerance!r}: give a change of the annual deficit "
                         "fraction, 0 ≤ tolerance < 1 (0.01: one percentage point, not 1)")
    with open_output(first, "paired_deficit_changes") as a, open_output(second, "paired_deficit_changes") as b:
        runs = [run_of(a), run_of(b)]
        _check_year_of(year, (a, b), runs)
        if not _share_traces(a, b, runs):
            raise ValueError("paired_deficit_changes: the two ensembles do not share their traces (the same seed, "
                             "traces and years, drawn from the same inflows)")
        fractions = [ds["annual_deficit_fraction"].isel(year=slice(None) if year is None else [year])
                     .transpose("trace", "year", "demand").load() for ds in (a, b)]
    demands = [d for d in fractions[0]["demand"].values if d in set(fractions[1]["demand"].values)]
    before, after = (f.sel(demand=demands).values.reshape(-1, len(demands)) for f in fractions)
    change = after - before
    table = pd.DataFrame({"country": fractions[0]["demand_country"].sel(demand=demands).values.astype(str),
                          "worse": (change > tolerance).mean(axis=0), "better": (change < -tolerance).mean(axis=0),
                          "p5": np.percentile(change, 5, axis=0) * 100, "p95": np.percentile(change, 95, axis=0) * 100},
                         index=pd.Index(np.asarray(demands, dtype=str), name="demand"))
    table.attrs.update(tolerance=tolerance, units={"worse": "share of trace-years", "better": "share of trace-years",
                                                   "p5": "percentage points", "p95": "percentage points"})
    return table


def _check_year_of(year: int | None, stores: Sequence[xr.Dataset], runs: Sequence[Mapping[str, Any]]) -> None:
    """Refuse a run ``year`` that one of the open ``stores`` (their ``runs``) does not hold."""
    from .ensemble.output import output_name
    from .ensemble.tables import check_year

    if year is not None:
        for ds, run in zip(stores, runs, strict=True):
            check_year(year, run["years"], output_name(ds), run["start"])


#: what two ensembles share when they share their traces (:func:`daryo.ensemble.run_of`'s entries)
_PAIRED = ("model", "model_text", "inflow_record")  # (and the seed, traces, years and start, which _share_traces
# checks first)


def _share_traces(first: xr.Dataset, second: xr.Dataset, runs: Sequence[Mapping[str, Any]]) -> bool:
    """Whether two ensembles (``runs``: their :func:`daryo.ensemble.run_of`) ran on the same traces: of one model
    file and record of inflows with the same seed, traces and years, so that they differ by their rules and
    overlays; or, of two model files (a basin and a variant of it with a larger reservoir, say), with the same seed,
    traces and years and the same inflows in every trace (the stores' ``trace_digest``; a store of daryo before
    2026-12-06's has none).  Overlays are told apart by their files, folders included: overlays of one name in two
    folders may change the inflows differently (a variant kept in a folder of its own), on the same draws, which
    pairs them (a diff review: two such ensembles were compared unpaired, their differences hidden in a noise four
    times the paired one); the notes say where an overlay of one name changed (:func:`daryo.compare_notes`)."""
    if any(runs[0].get(k) != runs[1].get(k) for k in ("seed", "traces", "years", "start")):  # (other starts: other
        return False  # months of the record in a run year, under overlays too: a statistician's diff review)
    same = _same_trace_digests(first, second)
    if same:
        return True
    if not all(runs[0][k] == runs[1][k] for k in _PAIRED):
        return False
    # one model file: other digests under other overlays are their inflow changes (a climate's, on the same draws);
    # under the same overlays, another trace source (another perturbation of the record, say: a diff review)
    return same is None or runs[0]["scenarios"] != runs[1]["scenarios"]


def nested_traces(first: xr.Dataset, second: xr.Dataset, runs: Sequence[Mapping[str, Any]]) -> dict[str, int] | None:
    """What two ensembles' stores (``runs``: their :func:`daryo.ensemble.run_of`) of the same seed and start hold of
    the same traces where they do not share them all (an actuary's review: ``--traces 150`` and ``300`` of one seed,
    whose first 150 traces are the same, and ``--years 10`` and ``20``, whose 10-year traces are the first 10 years
    of the 20-year ones, were told "two independent samples"): ``{"traces": n, "years": y}``, the first ``n`` traces
    (the fewer of the two) over their first ``y`` run years (the shorter run's), where their yearly inflows are the
    same (``annual_inflow``, and where the years are the same, their ``trace_digest`` too); None where they are
    not, the seeds, starts or steps differ, or a store keeps no yearly inflows."""
    if any(runs[0].get(k) != runs[1].get(k) for k in ("seed", "start", "time_step")):
        return None
    if all(runs[0].get(k) == runs[1].get(k) for k in ("traces", "years")):  # (the same traces, or other inflows)
        return None
    if "annual_inflow" not in first or "annual_inflow" not in second:
        return None
    n, y = (min(int(run[k]) for run in runs) for k in ("traces", "years"))
    inflows = [ds["annual_inflow"].isel(trace=slice(0, n), year=slice(0, y)).transpose("trace", "year", "inflow")
               for ds in (first, second)]
    if list(inflows[0]["inflow"].values) != list(inflows[1]["inflow"].values):
        return None
    if not np.array_equal(inflows[0].values, inflows[1].values):
        return None
    if runs[0]["years"] == runs[1]["years"] and "trace_digest" in first and "trace_digest" in second and not (
            np.array_equal(first["trace_digest"].values[:n], second["trace_digest"].values[:n])):
        return None
    return {"traces": n, "years": y}


def _same_trace_digests(first: xr.Dataset, second: xr.Dataset) -> bool | None:
    """Whether two ensembles' stores hold the same inflows in every trace (their ``trace_digest``; None where either
    has none: a store of daryo before 2026-12-06's)."""
    if "trace_digest" not in first or "trace_digest" not in second:
        return None
    return bool(np.array_equal(first["trace_digest"].values, second["trace_digest"].values))


def _ensemble_indicators(ds: xr.Dataset, threshold: float, year: int | None = None) -> pd.DataFrame:
    """One ensemble's rows (table, element, quantity, units, value) of its open store ``ds``:
    :func:`compare_ensembles`'s statistics, the share of trace-years short taken at ``threshold`` (over run
    ``year``'s traces alone, where given)."""
    from .ensemble import (
        energy_table,
        energy_target_table,
        requirement_table,
        rule_curve_table,
        storage_table,
        water_stress_table,
    )
    from .ensemble.tables import _annual

    rows: list[tuple[str, str, str, str, float]] = []
    firm = energy_table(ds, by="country", year=year)["winter_p5"]
    storage = storage_table(ds, year=year)

    @functools.cache
    def of_year(name: str) -> np.ndarray:
        """Run ``year``'s values of the annual variable ``name`` (trace, element), each variable read once."""
        return ds[name].isel(year=year).transpose("trace", ...).values

    def stat(name: str, statistic: str) -> np.ndarray:
        if year is None:  # (the summaries written with the store)
            return ds[f"summary_{name}"].sel(statistic=statistic).values
        values = of_year(name)
        return values.mean(axis=0) if statistic == "mean" else np.percentile(
            values, float(statistic.removeprefix("p")), axis=0)

    def add(table: str, dim: str, quantity: str, units: str, values: np.ndarray) -> None:
        rows.extend((table, str(e), quantity, units, float(v)) for e, v in zip(ds[dim].values, values, strict=True))

    rows += _ensemble_country_rows(ds, stat, firm)
    fraction = _annual(ds, "annual_deficit_fraction", "demand", year)  # ((trace, run year) pairs, demands)
    add("demand", "demand", "share above threshold", f"% of trace-years above {threshold * 100:g}%",
        (fraction > threshold).mean(axis=0) * 100)
    add("demand", "demand", "mean deficit", "% of demand", stat("annual_deficit_fraction", "mean") * 100)
    add("demand", "demand", "p95 deficit", "% of demand", stat("annual_deficit_fraction", "p95") * 100)
    add("demand", "demand", "demanded", "hm3 per year", stat("annual_demand", "mean"))
    add("demand", "demand", "delivered", "hm3 per year", stat("annual_delivery", "mean"))
    if "annual_winter_delivery" in ds:
        winter = stat("annual_winter_delivery", "mean")
        add("demand", "demand", "delivered winter", "hm3 per year", winter)
        add("demand", "demand", "delivered summer", "hm3 per year", stat("annual_delivery", "mean") - winter)
    add("reservoir", "reservoir", "lowest storage, mean", "hm3", stat("annual_min_storage", "mean"))
    add("reservoir", "reservoir", "lowest storage, p5", "hm3", stat("annual_min_storage", "p5"))
    rows += [("reservoir", str(name), "at dead storage", "% of trace-years", float(share) * 100)
             for name, share in storage["at_min"].dropna().items()]  # (none for a store without min_volume)
    rows += _ensemble_storage_change(ds) if year is None else []
    if "annual_steps_below_target" in ds:  # (a store of an earlier daryo keeps no rule curves)
        for name, row in rule_curve_table(ds, year=year).iterrows():
            rows += [("reservoir", str(name), "below rule curve", "% of trace-years", float(row["below"]) * 100),
                     ("reservoir", str(name), "steps below rule curve, mean", "steps per year",
                      float(row["steps_mean"]))]
    add("plant", "hydropower", "energy", "GWh per year", stat("annual_energy", "mean"))
    add("plant", "hydropower", "energy winter", "GWh per year", stat("annual_winter_energy", "mean"))
    add("plant", "hydropower", "energy winter, p5", "GWh per year", stat("annual_winter_energy", "p5"))
    if "annual_energy_shortfall" in ds:  # (nor energy targets)
        for name, row in energy_target_table(ds, year=year).iterrows():
            rows += [("plant", str(name), "energy target", "GWh per year", float(row["target"])),
                     ("plant", str(name), "target shortfall", "GWh per year", float(row["shortfall_mean"])),
                     ("plant", str(name), "target missed", "% of trace-years", float(row["missed"]) * 100)]
            if "winter_missed" in row:  # (the deal's question: a Tajik utility planner's review)
                rows += [("plant", str(name), "winter target missed", "% of trace-years",
                          float(row["winter_missed"]) * 100)]
    add("sink", "sink", "inflow", "hm3 per year", stat("annual_sink_inflow", "mean"))
    for name, row in requirement_table(ds, year=year).iterrows():
        rows += [("requirement", str(name), "met", "hm3 per year", float(row["met"])),
                 ("requirement", str(name), "short", "% of trace-years", float(row["short"]) * 100)]
    stress = water_stress_table(ds, year=year)
    if not stress.attrs.get("caveat") and (stress["withdrawal"] > 0).any():
        rows += [("system", str(name), "stress", "%", float(row["long_term"])) for name, row in stress.iterrows()]
    return pd.DataFrame(rows, columns=["table", "element", "quantity", "units", "value"])


def _ensemble_storage_change(ds: xr.Dataset) -> list[tuple[str, str, str, str, float]]:
    """Each reservoir's volume at the run's start, and the mean over the traces of its volume at the run's end and
    of the change, and all reservoirs' together (as :func:`compare_runs` gives a run's): none where the store keeps
    no storage series, or no volumes at the start (a store of daryo before 2026-12-06's)."""
    if "storage" not in ds or "reservoir_initial_volume" not in ds.coords or not ds.sizes.get("reservoir", 0):
        return []
    start = ds["reservoir_initial_volume"].values.astype(float)
    end = ds["storage"].isel(time=-1).transpose("trace", "reservoir").values.astype(float).mean(axis=0)
    table = pd.DataFrame({"start": start, "end": end, "change": end - start},
                         index=ds["reservoir"].values.astype(str)).dropna()
    if not len(table):
        return []
    total = next(n for n in RESERVOIR_TOTALS if n not in table.index)  # ("all", unless a reservoir is so named)
    table.loc[total] = table.sum()
    return [("reservoir", str(name), quantity, "hm3", float(row[column]))
            for column, quantity in (("start", "storage at start"), ("end", "storage at end, mean"),
                                     ("change", "change over the run, mean")) for name, row in table.iterrows()]


def _ensemble_country_rows(ds: xr.Dataset, stat: Callable[[str, str], np.ndarray], firm: pd.Series
                           ) -> list[tuple[str, str, str, str, float]]:
    """Each country's rows of :func:`compare_ensembles`: its demands' mean water demanded and delivered, their deficit
    (their mean demand not delivered, hm³/yr) and its share of that demand (``deficit share``, %), their water
    demanded and delivered in winter and in summer (:func:`_ensemble_season_rows`), and per river system where it
    draws on several (element ``UZB amu``; a store of daryo before 2026-12-06's has no ``demand_system``: none), its
    plants' mean energy and winter energy, and the 5th percentile of their winter energy in a trace-year (``firm``,
    by country)."""
    country = np.array([c or "—" for c in ds["demand_country"].values.astype(str)])  # (no code: "—", as annual_by)
    system = (ds["demand_system"].values.astype(str) if "demand_system" in ds.coords
              else np.full(len(country), ""))
    places = pd.Series(system).groupby(country).nunique()
    split = [f"{c} {s}" if places[c] > 1 else c for c, s in zip(country, system, strict=True)]
    water = pd.DataFrame({"delivered": stat("annual_delivery", "mean"), "wanted": stat("annual_demand", "mean")})
    delivered, by_system = water.groupby(country).sum(), water.groupby(split).sum()
    seasons = _ensemble_season_rows(ds, stat, country)
    energy = pd.DataFrame({"energy": stat("annual_energy", "mean"),
                           "energy winter": stat("annual_winter_energy", "mean")}
                          ).groupby(ds["hydropower_country"].values.astype(str)).sum()
    rows = []
    for name in sorted(set(delivered.index) | set(energy.index)):
        if name in delivered.index:
            rows += _water_rows(name, delivered.loc[name, "delivered"], delivered.loc[name, "wanted"])
            rows += seasons.get(name, [])
            for part, row in by_system[by_system.index.str.startswith(f"{name} ")].iterrows():
                rows += _water_rows(str(part), row["delivered"], row["wanted"])
        if name in energy.index:
            rows += [("country", name, q, "GWh per year", float(energy.loc[name, q]))
                     for q in ("energy", "energy winter")]
            rows.append(("country", name, "energy winter, p5", "GWh per year", float(firm[name])))
    return rows


def _water_rows(element: str, got: float, want: float) -> list[tuple[str, str, str, str, float]]:
    """A country's (or its part on one river system's) rows of water demanded, delivered and short of two
    ensembles' comparison, as :func:`compare_runs` names them: the deficit in hm³, its share of the demand in %
    (the demand beside them: a share is of its own ensemble's demand, a forecaster's review)."""
    return [("country", element, "demanded", "hm3 per year", float(want)),
            ("country", element, "delivered", "hm3 per year", float(got)),
            ("country", element, "deficit", "hm3 per year", float(max(want - got, 0.0))),
            ("country", element, "deficit share", "% of demand", float((1 - got / want) * 100 if want > 0 else 0))]


def _ensemble_season_rows(ds: xr.Dataset, stat: Callable[[str, str], np.ndarray], country: np.ndarray
                          ) -> dict[str, list[tuple[str, str, str, str, float]]]:
    """Each country's (``country``: each demand's) mean water demanded and delivered in winter and in summer, as
    for two runs (the deal of winter power against summer water); none of what a store of daryo before
    2026-12-06's does not keep (``annual_winter_delivery``, ``annual_winter_demand``)."""
    rows: dict[str, list[tuple[str, str, str, str, float]]] = {}
    for quantity, year, winter in (("demanded", "annual_demand", "annual_winter_demand"),
                                   ("delivered", "annual_delivery", "annual_winter_delivery")):
        if winter not in ds:
            continue
        parts = pd.DataFrame({"winter": stat(winter, "mean"), "year": stat(year, "mean")}).groupby(country).sum()
        for name, row in parts.iterrows():
            rows.setdefault(str(name), []).extend(
                [("country", str(name), f"{quantity} winter", "hm3 per year", float(row["winter"])),
                 ("country", str(name), f"{quantity} summer", "hm3 per year", float(row["year"] - row["winter"]))])
    return rows


def check_run_results(ds: xr.Dataset, caller: str) -> None:
    """Raise a ValueError unless ``ds`` is a run's results (a TypeError unless it is a Dataset)."""
    check_dataset(ds, caller)
    if "trace" in ds.dims:
        raise ValueError(f"{caller}: an ensemble's store, not a run's results: compare two runs' results (daryo "
                         "run -o FILE.nc), or two stores' summaries (daryo.ensemble.summary_table)")
    if "scenario" not in ds.dims or "time" not in ds.dims or "mass_balance_error" not in ds:
        raise ValueError(f"{caller}: not a run's results (they have scenario and time dimensions and a "
                         "mass_balance_error)")


def _run_read(results: object) -> object:
    """A run's results given by their NetCDF file's path, read whole (and the file closed); anything else as it
    is (a review: ``compare_runs("base.nc", "deal.nc")`` was refused, while compare_ensembles takes paths)."""
    if not isinstance(results, str | os.PathLike):
        return results
    from ._files import user_path
    from ._netcdf import netcdf_io
    from .results import is_netcdf

    path = user_path(results, "compare_runs", "a run's results")
    if path.is_dir() and path.suffix.lower() == ".zarr":
        raise ValueError(f"compare_runs: {results} is an ensemble's store, not a run's results: compare two "
                         "ensembles with compare_ensembles")
    if not path.is_file():
        raise FileNotFoundError(f"compare_runs: {results}: " + ("no such file" if not path.exists() else
                                                                "not a file: give the results of daryo run -o FILE.nc"))
    if not is_netcdf(path):
        raise ValueError(f"compare_runs: {results} is not a NetCDF file: give the results of daryo run -o FILE.nc")
    with netcdf_io():  # (opened, read whole and closed under daryo's lock: reads in threads crashed, _netcdf)
        try:
            ds = xr.open_dataset(path)
        except (OSError, ValueError):
            raise ValueError(f"compare_runs: {results} cannot be read as a NetCDF file") from None
        with ds:
            check_run_results(ds, f"compare_runs: {results}")  # (before reading it whole: an ensemble's store, say)
            return ds.load()


def _with_scenarios(ds: object) -> Any:
    """A run's results of one scenario selected (``ds.sel(scenario="0")``, which drops the dimension) as results of
    that one scenario, as the indicators take them (a review: the selection was refused as not a run's results);
    anything else as it is."""
    if isinstance(ds, xr.Dataset) and "scenario" not in ds.dims and "scenario" in ds.coords and "time" in ds.dims:
        return ds.expand_dims("scenario")
    return ds


def run_label(ds: xr.Dataset | Mapping[str, Any]) -> str:
    """A run's model and overlays, as its results' attributes name them (``aral-sea-basin + rogun-full``); or an
    ensemble's, as :func:`daryo.ensemble.run_of` gives them."""
    run = ds.attrs if isinstance(ds, xr.Dataset) else ds
    scenarios = str(run.get("scenarios") or "")
    return str(run.get("model") or "(unnamed model)") + "".join(
        f" + {s.strip()}" for s in scenarios.split(",") if s.strip())


def _indicators(ds: xr.Dataset, basins: Mapping[str, Sequence[str]] | None) -> pd.DataFrame:
    """One run's rows (table, element, quantity, units, value): mean annual values, or a short run's totals."""
    from .results.tables import _scales, country_table, sink_table

    per = "in the run" if coverage(ds)[0] else "per year"
    # a short run's totals: each mean annual value times the years (or the season's years) it covers
    scale = _scales(ds)
    rows: list[tuple[str, str, str, str, float]] = []
    for country, row in country_table(ds).iterrows():
        for column, value in row.items():
            quantity = str(column).removesuffix(" GWh").replace("delivery", "delivered")
            unit = "GWh" if quantity.startswith("energy") else "hm3"
            rows.append(("country", str(country), quantity, f"{unit} {per}", float(value)))
        want = sum(float(v) for k, v in row.items() if str(k).startswith("demanded"))  # (its share of its whole
        # demand, of the seasons the run has, as an ensemble's comparison gives it: a Turkmen analyst's review
        # found it only for countries on two rivers)
        short = sum(float(v) for k, v in row.items() if str(k).startswith("deficit"))
        rows.append(("country", str(country), "deficit share", "% of demand", short / want * 100 if want > 0 else 0.0))
    rows += _river_rows(ds, basins, scale["year"], per)
    rows += _demand_rows(ds, scale["year"], per)
    rows += _plant_rows(ds, scale, per)
    if "sink_inflow" in ds and ds["sink_inflow"].size:
        for sink, value in sink_table(ds).items():
            rows.append(("sink", str(sink), "inflow", f"hm3 {per}", float(value)))
    rows += _canal_rows(ds, per)
    for name, row in requirement_summary(ds).iterrows():
        rows += [("requirement", str(name), "required", f"hm3 {per}", float(row["required"]) * scale["year"]),
                 ("requirement", str(name), "met", f"hm3 {per}", float(row["met"]) * scale["year"]),
                 ("requirement", str(name), "steps short", "% of steps", float(row["steps_short"]) * 100)]
    rows += _stress_rows(ds, basins, per)
    rows += _reservoir_rows(ds)
    rows += _scenario_rows(ds, scale["year"], per)
    for name, row in storage_shortfall(ds).iterrows():  # (a review: rule curves held or not, compared by hand)
        rows += [("reservoir", str(name), "short of rule curve, mean", "hm3", float(row["short"])),
                 ("reservoir", str(name), "steps short of rule curve", "% of steps", float(row["steps_short"]) * 100)]
    return pd.DataFrame(rows, columns=["table", "element", "quantity", "units", "value"])


def _scenario_rows(ds: xr.Dataset, scale: float, per: str) -> list[tuple[str, str, str, str, float]]:
    """Each scenario's figures where the run has two or more (:func:`daryo.indicators.scenario_summary`: deficits
    by country short in one, deficit, delivered, energy, sink inflow).  A team's review: a pull request's higher
    flow requirement raised a country's deficit from 9.8 to 318 hm³/yr in the dry scenario, which the pooled rows
    showed as +100."""
    if ds.sizes.get("scenario", 1) < 2:
        return []
    table = scenario_summary(ds)
    units = table.attrs["units"]
    return [("scenario", str(name), str(column).removesuffix(" GWh"), units[column].replace("per year", per),
             float(value) * scale) for name, row in table.iterrows() for column, value in row.items()]


def _demand_rows(ds: xr.Dataset, scale: float, per: str) -> list[tuple[str, str, str, str, float]]:
    """Each demand's water demanded (where the results keep it) and delivered, its deficit and the deficit's share
    of its demand (a review: a deal that moves water between a country's oases, or the Tashkent oasis against
    Khorezm, showed in no row of two runs; a forecaster's: a share is of its own run's demand)."""
    if "delivery" not in ds or "deficit" not in ds or not ds.sizes.get("demand", 0):
        return []
    got = annual_by(ds, "delivery", by="element", season=False)
    short = annual_by(ds, "deficit", by="element", season=False)
    wanted = annual_by(ds, "demanded", by="element", season=False) if "demanded" in ds else None
    rows = []
    for demand in got.index:
        g, d = float(got[demand]), float(short[demand])
        if wanted is not None:
            rows.append(("demand", str(demand), "demanded", f"hm3 {per}", float(wanted[demand]) * scale))
        rows += [("demand", str(demand), "delivered", f"hm3 {per}", g * scale),
                 ("demand", str(demand), "deficit", f"hm3 {per}", d * scale),
                 ("demand", str(demand), "deficit share", "% of demand", 100 * d / (g + d) if g + d > 0 else 0.0)]
    return rows


def _canal_rows(ds: xr.Dataset, per: str) -> list[tuple[str, str, str, str, float]]:
    """Each canal's water taken at its head and lost on its way (an Afghan planner's review: what the Qosh Tepa
    canal takes, the question two runs with and without it ask, was in no row: only its command area's delivery), as
    ``daryo run``'s canal table gives them (:func:`daryo.results.tables.canal_table`)."""
    from .results.tables import canal_table

    return [("canal", str(canal), quantity, f"hm3 {per}", float(row[quantity]))
            for canal, row in canal_table(ds).iterrows() for quantity in ("taken", "lost")]


def _plant_rows(ds: xr.Dataset, scale: Mapping[str, float], per: str) -> list[tuple[str, str, str, str, float]]:
    """Each plant's energy by season and, where it has a target, the target's energy not generated."""
    if "energy" not in ds or not ds.sizes.get("hydropower", 0):
        return []
    seasons = energy_by_season(ds, by="element")
    rows = [("plant", str(plant), f"energy {season}", f"GWh {per}", float(seasons.loc[season, plant]) * scale[season])
            for plant in seasons.columns for season in ("winter", "summer") if season in seasons.index]
    short = energy_shortfall(ds)
    if len(short):  # (its target beside it: a deal that lowers a target is not one that meets it, a Tajik utility
        # planner's review)
        weights = year_weights(ds)  # (None: every step counts 1 / the years; else the sum of the seasons' means)
        wanted = (ds["energy_target"].sum("time").mean("scenario") / n_years(ds) if weights is None
                  else (ds["energy_target"] * weights).sum("time").mean("scenario"))
        rows += [("plant", str(plant), "energy target", f"GWh {per}",
                  float(wanted.sel(hydropower=plant)) * scale["year"]) for plant in short.index]
    rows += [("plant", str(plant), "short of target", f"GWh {per}", float(value) * scale["year"])
             for plant, value in short.items()]
    return rows


def _stress_rows(ds: xr.Dataset, basins: Mapping[str, Sequence[str]] | None, per: str
                 ) -> list[tuple[str, str, str, str, float]]:
    """Each river system's withdrawal, renewable water, environmental flow requirement and water stress, as ``daryo
    run``'s water stress table gives them (none where the results cannot give them: no topology, or nothing
    withdrawn; an SDG methodologist's review: two runs of other environmental flows showed a stress of 89 % against
    708 % beside a withdrawal and renewable water that barely changed, and no row of the term that did)."""
    from .sdg import water_stress

    try:
        table = water_stress(ds, basins)
    except ValueError:  # (results without the flows or the topology the indicator needs)
        return []
    if not (table["withdrawal"] > 0).any():
        return []
    return [("system", str(system), quantity, units, float(row[quantity]))  # (a short run's: its totals already)
            for system, row in table.iterrows()
            for quantity, units in (("withdrawal", f"hm3 {per}"), ("renewable", f"hm3 {per}"),
                                    ("environmental", f"hm3 {per}"), ("stress", "%"))]


def _river_rows(ds: xr.Dataset, basins: Mapping[str, Sequence[str]] | None, scale: float, per: str
                ) -> list[tuple[str, str, str, str, float]]:
    """The water delivered and short of each country that draws on several river systems, by system (element
    ``UZB amu``: its country rows pool the systems), as ``daryo run`` prints them; none where the results have no
    topology."""
    try:
        table = country_system_summary(ds, basins, several=True)
    except (KeyError, ValueError):  # (results without the topology the systems need)
        return []
    rows = []
    for (country, system), row in zip(table.index, table.to_dict("records"), strict=True):
        rows += [("country", f"{country} {system}", "delivered", f"hm3 {per}", row["delivered"] * scale),
                 ("country", f"{country} {system}", "deficit", f"hm3 {per}", row["deficit"] * scale),
                 ("country", f"{country} {system}", "deficit share", "% of demand", row["deficit_share"])]
    return rows


def _reservoir_rows(ds: xr.Dataset) -> list[tuple[str, str, str, str, float]]:
    """Each reservoir's volume at the run's start and end, the change, and its lowest; and all
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


#: a difference within this share of the larger value (or of 1) is rounding, taken as none: sums of the same water
#: in another order, solver tolerances (a review: -1.03e-09 hm³ of 238 written as a change)
_ROUNDING = 1e-9


def _difference(first: pd.Series, second: pd.Series) -> pd.Series:
    """``second - first``, 0 where it is within :data:`_ROUNDING` of the larger value (NaN where either is)."""
    d = second - first
    scale = np.maximum(np.maximum(first.abs(), second.abs()), 1.0)
    return d.where(~(d.abs() <= _ROUNDING * scale), 0.0)


def _with_differences(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (:func:`_side_by_side`) with each row's ``difference`` and ``difference_units``: none (NaN) where
    its two values are in other units (:func:`daryo.compare_notes.units_differ`: a run shorter than a year's totals
    and another's mean annual values are not one quantity)."""
    apart = units_differ(table["units"])
    return table.assign(difference=_difference(table["first"], table["second"]).mask(apart),
                        difference_units=_difference_units(table["units"]).mask(apart))


def _difference_units(units: pd.Series) -> pd.Series:
    """The units of each row's difference: ``percentage points`` of a row in % (a share, a stress: a data officer's
    review, the CSV file said "%" where daryo compare's header said percentage points), else its values'."""
    return units.where(~units.str.startswith("%"), "percentage points")


def _side_by_side(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """The two runs' rows joined on (table, element, quantity): the first run's rows in its order, each table
    followed by the second's rows of it that the first lacks (an element an overlay added); ``units`` those of
    both, or where they differ both, named (:func:`daryo.compare_notes.units_of_both`: a run shorter than a year's
    totals beside another's mean annual values, which a join on the units too had set apart as elements only one
    run has, a review)."""
    keys = ["table", "element", "quantity"]
    joined = first.rename(columns={"value": "first", "units": "units_first"}).merge(
        second.rename(columns={"value": "second", "units": "units_second"}), on=keys, how="left")
    seen = set(map(tuple, first[keys].to_numpy()))
    alone = np.array([tuple(k) not in seen for k in second[keys].to_numpy()], dtype=bool)
    extra = second.loc[alone].rename(columns={"value": "second", "units": "units_second"})
    extra.insert(len(keys), "units_first", None)
    extra.insert(len(keys) + 1, "first", np.nan)
    both = pd.concat([joined, extra], ignore_index=True)
    units = [a if not isinstance(b, str) or a == b else b if not isinstance(a, str) else units_of_both(a, b)
             for a, b in zip(both.pop("units_first"), both.pop("units_second"), strict=True)]
    both.insert(len(keys), "units", units)
    for column in ("first", "second"):  # (solver noise, a deficit of 3e-08 hm³/yr summed over steps, is none)
        both[column] = both[column].mask(both[column].abs() <= YEAR_NOISE, 0.0)
    order = {table: i for i, table in enumerate(dict.fromkeys([*first["table"], *second["table"]]))}
    return both.sort_values("table", key=lambda t: t.map(order), kind="stable").reset_index(drop=True)
