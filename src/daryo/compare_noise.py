"""The sampling noise of two ensembles' comparison (:func:`daryo.compare.compare_ensembles`).

Each row of an ensembles' comparison that is a mean, a share or a ratio of means over the trace-years gets the
standard error of its difference by trace (:mod:`daryo.ensemble.sampling`): of two independent samples where the
ensembles' traces differ (other seeds: ``√(SE₁² + SE₂²)``), of the traces' paired differences where they share
them (the same seed and hydrology: far smaller, so that the rules' effects show).  A reservoir's volume at the
run's start is the model's, not a sample (0).  A percentile (p5, p95) has no cheap interval (NaN); where the
traces differ, :func:`percentiles_on_atoms` names those whose value may jump between the samples: many trace-years
share one value (an atom, such as a reservoir's dead storage or a demand's zero deficit) and the share at or below
it is within its noise of the percentile.

The rows' trace-year values are gathered here as :func:`daryo.compare.compare_ensembles` computes the rows (a row
without them gets no interval).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from .ensemble.chunks import at_dead_storage, target_missed
from .ensemble.sampling import (
    Estimate,
    difference,
    mean_over_trace_years,
    paired_difference,
    paired_ratio_difference,
    quantile95,
    ratio_over_trace_years,
)

__all__ = ["Sample", "row_samples", "difference_errors", "percentiles_on_atoms", "with_noise", "ATOM_SHARE"]

#: a value that at least this share of the trace-years take is an atom (dead storage, no deficit)
ATOM_SHARE = 0.01


@dataclass(frozen=True)
class Sample:
    """The trace-year values of a quantity of an ensembles' comparison, by element.

    Attributes
    ----------
    table, quantity
        The rows' ``table`` and ``quantity`` (:func:`daryo.compare.compare_ensembles`).
    kind
        ``mean`` (a mean or a share, of 0/1 values, over the trace-years), ``ratio`` (``Σ values / Σ
        denominator``), ``percentile`` (the ``q``th of the values) or ``fixed`` (a model's input: no sampling).
    values
        (trace, year, element), in the row's units; a ratio's numerator; None where ``fixed``.
    denominator
        A ratio's denominator, as ``values``.
    q
        A percentile's, 0–100.
    elements
        The elements of a ``fixed`` quantity.
    """

    table: str
    quantity: str
    kind: str
    values: xr.DataArray | None = None
    denominator: xr.DataArray | None = None
    q: float = float("nan")
    elements: tuple[str, ...] = ()


def row_samples(ds: xr.Dataset, threshold: float, year: int | None = None) -> list[Sample]:
    """The trace-year values of an open ensemble store's rows of :func:`daryo.compare.compare_ensembles`, the share
    of trace-years short at ``threshold`` (run ``year``'s traces alone, where given).

    Parameters
    ----------
    ds
        An ensemble's store, open.
    threshold
        The deficit threshold of the ``share above threshold`` rows (a fraction of the demand).
    year
        One run year's traces alone (0 for the first); None: every (trace, run year) pair.

    Returns
    -------
    list of Sample
        A sample per quantity (table and quantity), its elements those of the store.
    """
    read = _reader(ds, year)
    samples = _country_samples(ds, read) + _demand_samples(ds, read, threshold) + _reservoir_samples(ds, read)
    if year is None:
        samples += _storage_change_samples(ds)
    return samples + _plant_samples(ds, read) + _flow_samples(ds, read)


def _reader(ds: xr.Dataset, year: int | None) -> Callable[[str, str], xr.DataArray]:
    """A function that reads an annual variable of ``ds`` as (trace, year, element) floats, the elements named as
    strings (of run ``year`` alone, where given), each variable read once."""
    cache: dict[str, xr.DataArray] = {}

    def read(name: str, dim: str) -> xr.DataArray:
        if name not in cache:
            da = ds[name] if year is None else ds[name].isel(year=[year])
            values = da.transpose("trace", "year", dim).values.astype(float)
            cache[name] = xr.DataArray(values, dims=("trace", "year", "element"),
                                       coords={"element": ds[dim].values.astype(str)})
        return cache[name]

    return read


def _summed(values: xr.DataArray, groups: np.ndarray) -> xr.DataArray:
    """``values`` (trace, year, element) summed over the elements of each group (``groups``: each element's), the
    groups as the elements."""
    labelled = values.assign_coords(group=("element", np.asarray(groups, dtype=str)))
    return labelled.groupby("group").sum("element").rename(group="element").transpose("trace", "year", "element")


def _country_samples(ds: xr.Dataset, read: Callable[[str, str], xr.DataArray]) -> list[Sample]:
    """The countries' rows: their demands' water demanded, delivered, deficit and deficit share (a ratio), the water
    demanded and delivered by season, and per river system where a country draws on several (``UZB amu``); their
    plants' energy, winter energy and the 5th percentile of their winter energy."""
    country = np.array([c or "—" for c in ds["demand_country"].values.astype(str)])
    system = ds["demand_system"].values.astype(str) if "demand_system" in ds.coords else np.full(len(country), "")
    places = pd.Series(system).groupby(country).nunique()
    split = np.array([f"{c} {s}" if places[c] > 1 else "" for c, s in zip(country, system, strict=True)])
    got, wanted = read("annual_delivery", "demand"), read("annual_demand", "demand")
    if not len(country):
        return _energy_samples(ds, read)
    # by country, and by country and river system where it draws on several
    g, w = (xr.concat([_summed(a.isel(element=groups != ""), groups[groups != ""]) for groups in (country, split)
                       if (groups != "").any()], "element") for a in (got, wanted))
    samples = [Sample("country", "demanded", "mean", w), Sample("country", "delivered", "mean", g),
               Sample("country", "deficit", "mean", w - g),
               Sample("country", "deficit share", "ratio", (w - g) * 100, w)]
    for quantity, year, name in (("demanded", wanted, "annual_winter_demand"),
                                 ("delivered", got, "annual_winter_delivery")):
        if name in ds:  # (a store of daryo before 2026-12-06's keeps neither, or no winter demand)
            winter = _summed(read(name, "demand"), country)
            samples += [Sample("country", f"{quantity} winter", "mean", winter),
                        Sample("country", f"{quantity} summer", "mean", _summed(year, country) - winter)]
    return samples + _energy_samples(ds, read)


def _energy_samples(ds: xr.Dataset, read: Callable[[str, str], xr.DataArray]) -> list[Sample]:
    """The countries' plants' energy, winter energy and the 5th percentile of their winter energy."""
    plants = ds["hydropower_country"].values.astype(str)
    if not len(plants):
        return []
    energy, winter = (_summed(read(name, "hydropower"), plants) for name in ("annual_energy", "annual_winter_energy"))
    return [Sample("country", "energy", "mean", energy), Sample("country", "energy winter", "mean", winter),
            Sample("country", "energy winter, p5", "percentile", winter, q=5.0)]


def _demand_samples(ds: xr.Dataset, read: Callable[[str, str], xr.DataArray], threshold: float) -> list[Sample]:
    """The demands' rows: the share of trace-years short above ``threshold``, the mean and 95th percentile of the
    deficit fraction (%), the water demanded and delivered, and delivered in winter and in summer."""
    fraction = read("annual_deficit_fraction", "demand")
    got = read("annual_delivery", "demand")
    samples = [Sample("demand", "share above threshold", "mean", (fraction > threshold) * 100.0),
               Sample("demand", "mean deficit", "mean", fraction * 100),
               Sample("demand", "p95 deficit", "percentile", fraction * 100, q=95.0),
               Sample("demand", "demanded", "mean", read("annual_demand", "demand")),
               Sample("demand", "delivered", "mean", got)]
    if "annual_winter_delivery" in ds:
        winter = read("annual_winter_delivery", "demand")
        samples += [Sample("demand", "delivered winter", "mean", winter),
                    Sample("demand", "delivered summer", "mean", got - winter)]
    return samples


def _reservoir_samples(ds: xr.Dataset, read: Callable[[str, str], xr.DataArray]) -> list[Sample]:
    """The reservoirs' rows: each year's lowest storage, its mean and 5th percentile, the share of trace-years at
    dead storage (as :func:`daryo.ensemble.storage_table` counts it), and the rule curves' share of trace-years
    below and mean steps below."""
    if not ds.sizes.get("reservoir", 0):
        return []
    lowest = read("annual_min_storage", "reservoir")
    samples = [Sample("reservoir", "lowest storage, mean", "mean", lowest),
               Sample("reservoir", "lowest storage, p5", "percentile", lowest, q=5.0)]
    if "reservoir_min_volume" in ds.coords:
        floor = xr.DataArray(ds["reservoir_min_volume"].values.astype(float), dims="element",
                             coords={"element": lowest["element"].values})
        samples.append(Sample("reservoir", "at dead storage", "mean", at_dead_storage(lowest, floor) * 100.0))
    if "annual_steps_below_target" in ds:
        steps = read("annual_steps_below_target", "reservoir")
        samples += [Sample("reservoir", "below rule curve", "mean", (steps > 0).where(steps.notnull()) * 100),
                    Sample("reservoir", "steps below rule curve, mean", "mean", steps)]
    return samples


def _storage_change_samples(ds: xr.Dataset) -> list[Sample]:
    """The reservoirs' volume at the run's start (fixed), and their volume at its end and its change, one value a
    trace, with all reservoirs' together (as :func:`daryo.compare.compare_ensembles` gives them)."""
    from .compare import RESERVOIR_TOTALS

    if "storage" not in ds or "reservoir_initial_volume" not in ds.coords or not ds.sizes.get("reservoir", 0):
        return []
    start = ds["reservoir_initial_volume"].values.astype(float)
    end = ds["storage"].isel(time=-1).transpose("trace", "reservoir").values.astype(float)
    names = ds["reservoir"].values.astype(str)
    kept = ~np.isnan(start) & ~np.isnan(end).any(axis=0)
    if not kept.any():
        return []
    total = next(n for n in RESERVOIR_TOTALS if n not in names[kept])
    ends = np.concatenate([end[:, kept], end[:, kept].sum(axis=1, keepdims=True)], axis=1)[:, None, :]
    starts = np.append(start[kept], start[kept].sum())
    elements = [*names[kept], total]
    values = xr.DataArray(ends, dims=("trace", "year", "element"), coords={"element": elements})
    return [Sample("reservoir", "storage at start", "fixed", elements=tuple(elements)),
            Sample("reservoir", "storage at end, mean", "mean", values),
            Sample("reservoir", "change over the run, mean", "mean", values - starts)]


def _plant_samples(ds: xr.Dataset, read: Callable[[str, str], xr.DataArray]) -> list[Sample]:
    """The plants' rows: their energy and winter energy, its 5th percentile, and their energy targets' mean target
    and shortfall and share of trace-years missed (the year's and the winter's)."""
    if not ds.sizes.get("hydropower", 0):
        return []
    winter = read("annual_winter_energy", "hydropower")
    samples = [Sample("plant", "energy", "mean", read("annual_energy", "hydropower")),
               Sample("plant", "energy winter", "mean", winter),
               Sample("plant", "energy winter, p5", "percentile", winter, q=5.0)]
    if "annual_energy_shortfall" in ds:
        target, short = read("annual_energy_target", "hydropower"), read("annual_energy_shortfall", "hydropower")
        samples += [Sample("plant", "energy target", "mean", target),
                    Sample("plant", "target shortfall", "mean", short),
                    Sample("plant", "target missed", "mean", _missed(short, target))]
        if "annual_winter_energy_target" in ds:
            winter_short, winter_target = (read(f"annual_winter_energy_{name}", "hydropower")
                                           for name in ("shortfall", "target"))
            samples.append(Sample("plant", "winter target missed", "mean", _missed(winter_short, winter_target)))
    return samples


def _missed(short: xr.DataArray, target: xr.DataArray) -> xr.DataArray:
    """The trace-years a target is missed (:func:`daryo.ensemble.chunks.target_missed`), in % (NaN where the plant
    has none)."""
    return xr.DataArray(target_missed(short.values, target.values) * 100.0, dims=short.dims,
                        coords=short.coords).where(short.notnull())


def _flow_samples(ds: xr.Dataset, read: Callable[[str, str], xr.DataArray]) -> list[Sample]:
    """The sinks' inflow, the flow requirements' water met and share of trace-years short, and the river systems'
    long-term water stress (a ratio of the mean withdrawal to the mean renewable water less the environmental flow,
    in %), with the systems together where there are several."""
    from .sdg import total_name

    samples = []
    if ds.sizes.get("sink", 0):
        samples.append(Sample("sink", "inflow", "mean", read("annual_sink_inflow", "sink")))
    if ds.sizes.get("requirement", 0) and "annual_requirement_shortfall_fraction" in ds:
        short = read("annual_requirement_shortfall_fraction", "requirement")
        samples += [Sample("requirement", "met", "mean", read("annual_requirement_met", "requirement")),
                    Sample("requirement", "short", "mean", (short > 0).where(short.notnull()) * 100)]
    if ds.sizes.get("system", 0) and "annual_withdrawal" in ds:
        withdrawal, renewable, environmental = (read(name, "system") for name in (
            "annual_withdrawal", "annual_renewable_water", "annual_environmental_flow"))
        left = renewable - environmental  # (the long-term ratio's denominator: the yearly flows as required)
        if withdrawal.sizes["element"] > 1:
            name = total_name(list(withdrawal["element"].values))
            withdrawal, left = (xr.concat([a, a.sum("element").expand_dims(element=[name], axis=2)], "element")
                                for a in (withdrawal, left))
        samples.append(Sample("system", "stress", "ratio", withdrawal * 100, left))
    return samples


def _estimate(sample: Sample) -> Estimate:
    """A mean's or a ratio's estimate over the trace-years, by element."""
    assert sample.values is not None
    if sample.kind == "ratio":
        assert sample.denominator is not None
        return ratio_over_trace_years(sample.values, sample.denominator)
    return mean_over_trace_years(sample.values)


def _paired(first: Sample, second: Sample) -> Estimate:
    """The difference of a mean or a ratio over the same traces."""
    assert first.values is not None and second.values is not None
    if first.kind == "ratio":
        assert first.denominator is not None and second.denominator is not None
        return paired_ratio_difference((first.values, first.denominator), (second.values, second.denominator))
    return paired_difference(first.values, second.values)


def difference_errors(first: Sequence[Sample], second: Sequence[Sample], paired: bool) -> pd.DataFrame:
    """The standard error by trace of each difference (second − first) of two ensembles' rows.

    Parameters
    ----------
    first, second
        The two stores' :func:`row_samples`.
    paired
        Whether the two share their traces (the same seed, traces and years, drawn from the same inflows): the
        standard error is then that of the traces' differences, else that of two independent samples.

    Returns
    -------
    pandas.DataFrame
        Columns ``table``, ``element``, ``quantity`` and ``se``: a row per element both have of each mean, share,
        ratio (``se`` by trace) and model input (0); none for a percentile.
    """
    theirs = {(s.table, s.quantity): s for s in second}
    frames = []
    for ours in first:
        other = theirs.get((ours.table, ours.quantity))
        if other is None or ours.kind == "percentile" or other.kind != ours.kind:
            continue
        if ours.kind == "fixed":
            elements = [e for e in ours.elements if e in set(other.elements)]
            se = np.zeros(len(elements))
        else:
            if paired and (ours.values is not None and other.values is not None
                           and ours.values.shape[:2] == other.values.shape[:2]):
                estimate = _paired(ours, other)
            else:
                estimate = difference(_estimate(ours), _estimate(other))
            elements, se = list(estimate.se["element"].values.astype(str)), estimate.se.values
        frames.append(pd.DataFrame({"table": ours.table, "element": elements, "quantity": ours.quantity,
                                    "se": np.asarray(se, dtype=float)}))
    columns = ["table", "element", "quantity", "se"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def with_noise(table: pd.DataFrame, errors: pd.DataFrame, traces: int, paired: bool) -> pd.DataFrame:
    """``table`` (:func:`daryo.compare.compare_ensembles`'s rows and differences) with each difference's standard
    error (``se``, from ``errors``: :func:`difference_errors`; NaN where it has none), the margin of its 95 %
    interval (``margin95``, ``t · se``, t Student's quantile of ``traces`` − 1 degrees of freedom:
    :func:`daryo.ensemble.sampling.quantile95`; ``traces`` the smaller ensemble's) and whether the difference is
    within it of zero (``within_noise``): only of two ensembles of other traces (not ``paired``).  Of the same traces
    every difference is the rules' in some trace-years, however few (a statistician's diff review: a change in one
    trace of 30 has z = 1 exactly, and was hidden as noise whatever its size); its interval is of how large the
    effect is over the hydrology, not whether there is one."""
    keys = ["table", "element", "quantity"]
    joined = table.merge(errors.drop_duplicates(keys), on=keys, how="left")
    joined.index = table.index
    joined["se"] = joined["se"].where(table["first"].notna() & table["second"].notna())
    joined["margin95"] = quantile95(traces) * joined["se"]
    joined["within_noise"] = (~paired & (joined["difference"].abs() <= joined["margin95"])).to_numpy(dtype=bool)
    joined.attrs = table.attrs
    return joined


def percentiles_on_atoms(first: Sequence[Sample], second: Sequence[Sample]) -> list[tuple[str, str, str]]:
    """The percentile rows of two ensembles of other traces whose values may jump between the samples: in either,
    at least :data:`ATOM_SHARE` of the trace-years share one value (an atom: a reservoir's dead storage, a demand's
    zero deficit) and the share at or below it, or below it, is within its 95 % interval (by trace) of the
    percentile, so that the percentile falls on the atom in one sample and off it in another.

    Parameters
    ----------
    first, second
        The two stores' :func:`row_samples`.

    Returns
    -------
    list of (str, str, str)
        Each such row's table, element and quantity.
    """
    theirs = {(s.table, s.quantity): s for s in second}
    found = []
    for ours in first:
        other = theirs.get((ours.table, ours.quantity))
        if ours.kind != "percentile" or other is None or ours.values is None or other.values is None:
            continue
        both = set(other.values["element"].values)
        for element in ours.values["element"].values:
            if element not in both:
                continue
            if any(on_atom(s.values.sel(element=element).values, ours.q) for s in (ours, other)
                   if s.values is not None):
                found.append((ours.table, str(element), ours.quantity))
    return found


def on_atom(values: np.ndarray, q: float) -> bool:
    """Whether the ``q``th percentile (0–100) of ``values`` (trace, year; NaN left out) is near an atom: a value at
    least :data:`ATOM_SHARE` of the trace-years, and two, share (to six significant digits) whose share at or below
    it, or below it, is within its 95 % interval by trace of ``q``."""
    valid = values[~np.isnan(values)]
    if valid.size < 2:
        return False
    rounded = _significant(values)
    levels, counts = np.unique(rounded[~np.isnan(rounded)], return_counts=True)
    for level in levels[counts >= max(2.0, ATOM_SHARE * valid.size)]:  # (two at least: a few trace-years')
        for share in (rounded <= level, rounded < level):
            estimate = mean_over_trace_years(xr.DataArray(np.where(np.isnan(rounded), np.nan, share),
                                                          dims=("trace", "year")))
            p, margin = float(estimate.value), float(estimate.margin())
            if abs(p - q / 100) <= (margin if margin == margin else 0.0):
                return True
    return False


def _significant(values: np.ndarray, digits: int = 6) -> np.ndarray:
    """``values`` rounded to ``digits`` significant digits (a float32 store's and the solver's tolerance)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = 10.0 ** (np.floor(np.log10(np.abs(values))) - (digits - 1))
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    return np.round(values / scale) * scale
