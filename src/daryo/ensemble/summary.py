"""An ensemble's distribution summaries as one long table, a row per indicator, element and statistic
(:func:`summary_table`), with what each statistic is in words, and its CSV file (:func:`write_summary_csv`,
``daryo ensemble --summary-csv``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._files import NamedOSError, atomic_write, refuse_special_file, user_path
from ..cf import daryo_units
from ..indicators import YEAR_NOISE
from ..sdg import LEVEL_NAMES
from .chunks import target_missed, threshold_of
from .output import EnsembleOutput, _summaries
from .tables import (
    RUN_COLUMNS,
    _annual,
    _bounds,
    _run_attribute,
    _share,
    _share_short,
    _traces,
    need_annual_fractions,
    storage_table,
    water_stress_table,
)

#: the summary CSV's header: the long table's columns, the run each row is of
#: (:data:`~daryo.ensemble.tables.RUN_COLUMNS`) and what each statistic is
SUMMARY_CSV_COLUMNS = ("indicator", "units", "kind", "element", "country", "statistic", "value", *RUN_COLUMNS,
                       "description")
#: the header of a summary CSV of daryo before 2026-12-05 (replaced as one)
_EARLIER_SUMMARY_CSV_COLUMNS = SUMMARY_CSV_COLUMNS[:7]
#: the header of a summary CSV of daryo before 2026-12-07, without its descriptions (replaced as one)
_UNDESCRIBED_SUMMARY_CSV_COLUMNS = SUMMARY_CSV_COLUMNS[:-1]


def summary_table(output: EnsembleOutput, threshold: float | None = None) -> pd.DataFrame:
    """The distribution summaries of an ensemble's output as one long table: a row per indicator, element and
    statistic.

    Columns: ``indicator`` (``annual_delivery``, ``annual_deficit_fraction``… as in the store, without the
    ``summary_`` prefix), ``units``, ``kind`` (the element's kind: ``demand``, ``reservoir``, ``sink``,
    ``hydropower``, ``inflow``, ``requirement``: a flow requirement, ``system``: a river system, for the water
    stress), ``element``, ``country``, ``statistic`` and ``value``; then the run each row is of, as the store's
    attributes say: ``model`` (its name), ``scenarios`` (the overlays applied, in order, separated by ``", "``; a
    file by its path; empty: none), ``seed``, ``traces`` and ``years``; and last ``description``, what the
    statistic is, in words (the same for every element).

    The statistics are taken over every (trace, run year) pair: ``mean``, with ``mean_low`` and ``mean_high``, its
    95 % interval by trace (``± t`` standard errors of the traces' sums, t Student's quantile: the years of one
    trace are correlated,
    :mod:`daryo.ensemble.sampling`); ``p5``, ``p50``, ``p95``, percentiles by linear interpolation between the
    sorted values (numpy's default), with no interval.  Then, each share with its interval (``<share>_low``,
    ``<share>_high``, Korn and Graubard's interval for a share, within [0, 1]):

    - ``annual_deficit_fraction``: ``share_above_<threshold>``, the share of pairs whose deficit is above the run's
      threshold (the store's ``prob_deficit_above_threshold``), or above ``threshold`` where it is given (worked out
      from the stored annual deficit fractions, as the run would have: ``daryo summary --deficit-threshold F
      --csv``);
    - ``annual_water_stress``: ``long_term``, SDG 6.4.2's indicator, the ratio of the mean yearly terms (its
      renewable water a long-term mean: :func:`water_stress_table`), with its interval; its ``mean`` is the mean of
      each trace-year's ratio of that year's own water, which is *not* the indicator; and ``share_no_stress``,
      ``share_low``, ``share_medium``, ``share_high`` and ``share_critical``, the share of pairs in each of FAO's
      levels (``prob_water_stress_level``); where there are several river systems, the rows of them together
      (element ``all``, as :func:`water_stress_table`);
    - ``annual_requirement_shortfall_fraction``: ``share_short``, the share of pairs short of the requirement at all;
    - ``annual_steps_below_target``: ``share_below_target``, the share of pairs with some step below the reservoir's
      rule curve (NaN for a reservoir without one: the store's ``prob_below_target``);
      ``annual_max_storage_shortfall``: ``max``, the largest shortfall (hm³; NaN without a rule curve);
    - ``annual_energy_shortfall``: ``share_target_missed``, the share of pairs whose shortfall is above 1 % of the
      year's energy target (NaN for a plant without one: ``prob_energy_target_missed``);
      ``annual_winter_energy_shortfall``: ``share_winter_target_missed``, of the winter's
      (``prob_winter_energy_target_missed``);
    - ``annual_min_storage``: ``least``, the least lowest storage (hm³), and ``share_at_min_volume``, the share of
      pairs drawn down to the reservoir's min_volume, its dead storage (NaN where the store keeps none);
    - ``annual_sink_inflow``: ``least`` (hm³ per year), and ``share_none``, the share of pairs the sink gets no
      inflow.

    Raises
    ------
    ValueError
        If ``output`` holds no ensemble summaries, or ``threshold`` is given and it keeps no annual deficit
        fractions to take it from (a store of summaries alone), or ``threshold`` is not a fraction in [0, 1).
    """
    if threshold is not None and threshold_of(threshold) is None:
        raise ValueError(f"threshold={threshold!r}: give a fraction of the demand, at least 0 and below 1")
    with _summaries(output, "summary_table") as ds:
        if threshold is not None:
            need_annual_fractions(ds, "the share above another deficit threshold")
        frames = []
        for name in sorted(str(v) for v in ds.data_vars if str(v).startswith("summary_")):  # (zarr lists them
            # alphabetically, NetCDF as written: the same rows in the same order either way)
            da = ds[name]
            kind = next(str(d) for d in da.dims if d != "statistic")
            values = da.transpose(kind, "statistic").values
            indicator = str(name).removeprefix("summary_")
            stats = [str(s) for s in da["statistic"].values]
            units = daryo_units(da.attrs)
            if indicator in ds and "mean" in stats:  # (a store of summaries alone has no intervals)
                mean = values[:, stats.index("mean")]
                values = np.column_stack([values, *_bounds(mean, _annual(ds, indicator, kind, None), _traces(ds),
                                                           share=indicator in _FRACTIONS)])
                stats += ["mean_low", "mean_high"]
            frames.append(_long(indicator, units, kind, ds, values, stats))
            frames += _extra_rows(ds, indicator, kind, units, threshold)
        table = pd.concat(frames, ignore_index=True)
        for column in RUN_COLUMNS:
            table[column] = _run_attribute(ds.attrs, column)
    table["description"] = [_description(i, s) for i, s in zip(table["indicator"], table["statistic"], strict=True)]
    return table


#: the annual indicators that are fractions (0 to 1): their means' intervals are kept within [0, 1] as a share's
_FRACTIONS = ("annual_deficit_fraction", "annual_requirement_shortfall_fraction")


def _extra_rows(ds: Any, indicator: str, kind: str, units: str, threshold: float | None = None
                ) -> list[pd.DataFrame]:
    """:func:`summary_table`'s rows of ``indicator`` (of elements ``kind``, in ``units``) beyond its mean and
    percentiles: its shares, each with its 95 % interval by trace, and its extremes (none for most);
    ``threshold``: the deficit threshold of the share above it (None: the run's)."""
    traces, frames = _traces(ds), []

    def shares(statistic: str, values: np.ndarray, annual: np.ndarray | None) -> None:
        bounds = (_bounds(values, annual, traces, share=True) if annual is not None
                  else (np.full(len(values), np.nan),) * 2)
        frames.append(_long(indicator, "1", kind, ds, np.column_stack([values, *bounds]),
                            [statistic, f"{statistic}_low", f"{statistic}_high"]))

    def annual(name: str) -> np.ndarray | None:
        return _annual(ds, name, kind, None) if name in ds else None

    if indicator == "annual_water_stress" and "prob_water_stress_level" in ds:
        stress = water_stress_table(ds)  # (the systems' rows, then all of them together where there are several)
        n = ds.sizes["system"]
        frames.append(_long(indicator, units, kind, ds, stress[["long_term", "long_term_low", "long_term_high"]]
                            .to_numpy(dtype=float)[:n], ["long_term", "long_term_low", "long_term_high"]))
        levels = [f"share_{str(v).replace(' ', '_')}" for v in LEVEL_NAMES]
        columns = [f"{level}{end}" for level in LEVEL_NAMES for end in ("", "_low", "_high")]
        frames.append(_long(indicator, "1", kind, ds, stress[columns].to_numpy(dtype=float)[:n],
                            [f"{level}{end}" for level in levels for end in ("", "_low", "_high")]))
        if n > 1:
            frames.append(_all_rows(stress.iloc[-1], indicator, units))
    elif indicator == "annual_deficit_fraction":
        prob = ds["prob_deficit_above_threshold"]
        got = annual(indicator)
        if threshold is None:
            threshold, above = float(prob.attrs["threshold"]), prob.values
        else:  # (as the run counts it: over every trace-year, NaN never above)
            assert got is not None  # (summary_table refuses a threshold for a store without the fractions)
            threshold = float(threshold)
            above = _share(got > threshold)
        shares(f"share_above_{threshold!r}", above,  # (exact: %g cut 0.146590018 to 0.14659)
               None if got is None else got > threshold)
    elif indicator == "annual_requirement_shortfall_fraction":
        got = annual(indicator)
        shares("share_short", _share_short(_annual(ds, indicator, kind, None) if got is None else got),
               None if got is None else got > 0)
    elif indicator == "annual_steps_below_target" and "prob_below_target" in ds:
        got = annual(indicator)
        shares("share_below_target", ds["prob_below_target"].values, None if got is None else got > 0)
    elif indicator == "annual_max_storage_shortfall" and (got := annual(indicator)) is not None:
        frames.append(_long(indicator, units, kind, ds, _extreme(got, np.max)[:, None], ["max"]))
    elif indicator in ("annual_energy_shortfall", "annual_winter_energy_shortfall"):
        winter = "winter_" if "winter" in indicator else ""
        prob, target = f"prob_{winter}energy_target_missed", f"annual_{winter}energy_target"
        if prob in ds:
            got, wanted = annual(indicator), annual(target)
            shares(f"share_{winter}target_missed", ds[prob].values,
                   None if got is None or wanted is None else target_missed(got, wanted))
    elif indicator == "annual_min_storage" and (got := annual(indicator)) is not None:
        table = storage_table(ds)
        frames.append(_long(indicator, units, kind, ds, _extreme(got, np.min)[:, None], ["least"]))
        frames.append(_long(indicator, "1", kind, ds, table[["at_min", "at_min_low", "at_min_high"]]
                            .to_numpy(dtype=float), ["share_at_min_volume", "share_at_min_volume_low",
                                                     "share_at_min_volume_high"]))
    elif indicator == "annual_sink_inflow" and (got := annual(indicator)) is not None:
        frames.append(_long(indicator, units, kind, ds, _extreme(got, np.min)[:, None], ["least"]))
        shares("share_none", _share(got <= YEAR_NOISE), got <= YEAR_NOISE)
    return frames


def _extreme(values: np.ndarray, how: Any) -> np.ndarray:
    """Each column's least or largest value (``how``: :func:`numpy.min` or :func:`numpy.max`), NaN where it has
    none."""
    if not len(values):
        return np.full(values.shape[1], np.nan)
    out = np.full(values.shape[1], np.nan)  # (a reservoir without a rule curve: NaN throughout)
    some = ~np.isnan(values).all(axis=0)  # (only these: numpy warns of a column of NaN alone)
    out[some] = (np.nanmin if how is np.min else np.nanmax)(values[:, some], axis=0)
    return out


#: what each of the summary CSV's statistics is (:func:`_description`), by its name
_STATISTICS = {
    "mean": "mean over the trace-years",
    "p5": "5th percentile over the trace-years",
    "p50": "median over the trace-years",
    "p95": "95th percentile over the trace-years",
    "least": "least over the trace-years",
    "max": "largest over the trace-years",
    "long_term": "SDG 6.4.2's water stress indicator: the mean yearly withdrawal over the mean yearly renewable water "
                 "less the environmental flows (a ratio of means), over the trace-years",
    "share_short": "share of the trace-years with some water the flow requirement requires not met",
    "share_below_target": "share of the trace-years with some step ending below the reservoir's rule curve",
    "share_target_missed": "share of the trace-years whose energy shortfall is above 1 % of the year's energy target",
    "share_winter_target_missed": "share of the trace-years whose winter's energy shortfall is above 1 % of the "
                                  "winter's energy target",
    "share_at_min_volume": "share of the trace-years whose lowest storage reaches the reservoir's min_volume (its "
                           "dead storage)",
    "share_none": "share of the trace-years the sink gets no inflow",
}


#: how the percentiles are taken, said in their descriptions
_PERCENTILE_WORDS = ("linear interpolation between the sorted values, numpy's default; no sampling interval is "
                     "given for a percentile")


#: how the intervals are taken, said in their descriptions
_INTERVAL_WORDS = ("± t standard errors by trace (t: Student's 97.5 % quantile of traces − 1 degrees of freedom), "
                   "of the traces' sums, as the years of a trace are correlated")


#: how a share's interval is bounded, said in its description
_SHARE_INTERVAL_WORDS = ("as a share, Korn and Graubard's instead: the Clopper–Pearson interval of as many independent "
                         "trace-years as that standard error is worth, within 0 and 1")


def _description(indicator: str, statistic: str) -> str:
    """What the summary CSV's ``statistic`` of ``indicator`` is, in words (its column ``description``)."""
    for end, which in (("_low", "low"), ("_high", "high")):
        of = statistic.removesuffix(end)
        if of not in (statistic, "share"):  # (share_low, share_high: FAO's levels)
            bounded = of.startswith("share_") or (of == "mean" and indicator in _FRACTIONS)  # (a mean of fractions:
            share = f"; {_SHARE_INTERVAL_WORDS}" if bounded else ""  # bounded as a share, a diff review)
            return f"{which} end of the 95 % interval of {of} ({_INTERVAL_WORDS}{share})"
    if statistic in ("p5", "p50", "p95"):
        return f"{_STATISTICS[statistic]} ({_PERCENTILE_WORDS})"
    if indicator == "annual_water_stress" and statistic == "mean":
        return ("mean of the yearly ratios over the trace-years, each of that year's own water: not SDG 6.4.2's "
                "indicator, which is long_term")
    if statistic.startswith("share_above_"):
        return f"share of the trace-years whose deficit fraction is above {statistic.removeprefix('share_above_')}"
    if indicator == "annual_water_stress" and statistic.startswith("share_"):
        level = statistic.removeprefix("share_").replace("_", " ")
        return f"share of the trace-years whose yearly ratio is in FAO's level {level}"
    return _STATISTICS.get(statistic, "")


def _all_rows(row: pd.Series, indicator: str, units: str) -> pd.DataFrame:
    """:func:`summary_table`'s rows of the river systems together (``all``: ``row``, :func:`water_stress_table`'s
    last row): the statistics of each trace-year's ratio, the long-term ratio and the shares of FAO's levels, with
    their intervals."""
    stats = ["mean", "p5", "p50", "p95", "mean_low", "mean_high", "long_term", "long_term_low", "long_term_high"]
    levels = [f"{level}{end}" for level in LEVEL_NAMES for end in ("", "_low", "_high")]
    return pd.DataFrame({"indicator": indicator, "units": [units] * len(stats) + ["1"] * len(levels),
                         "kind": "system", "element": str(row.name), "country": row["country"],
                         "statistic": stats + [f"share_{v.replace(' ', '_')}" for v in levels],
                         "value": [float(row[s]) for s in stats] + [float(row[v]) for v in levels]})


def _long(indicator: str, units: str, kind: str, ds: Any, values: np.ndarray, stats: list[str]) -> pd.DataFrame:
    """Rows (element, statistic) of ``values`` (elements × statistics) of one indicator."""
    elements = ds[kind].values.astype(str)
    country = ds[f"{kind}_country"].values.astype(str)  # (every element kind has its countries: _coords)
    n, k = values.shape
    return pd.DataFrame({"indicator": indicator, "units": units, "kind": kind, "element": np.repeat(elements, k),
                         "country": np.repeat(country, k), "statistic": np.tile(stats, n),
                         "value": values.reshape(-1)}, columns=list(_EARLIER_SUMMARY_CSV_COLUMNS))


def check_summary_csv(path: str | Path) -> None:
    """Refuse, before a run, a summary CSV target that could not be written or would replace something else: a
    folder, or an existing file that is not a summary CSV an ensemble wrote (its header is
    :data:`SUMMARY_CSV_COLUMNS`).

    Raises
    ------
    IsADirectoryError, FileExistsError
        As said (a named pipe or a device: :func:`daryo._files.refuse_special_file`).
    """
    p = Path(path)
    if p.is_dir():
        raise IsADirectoryError(f"cannot write the summaries to {p}: it is a folder; give a .csv file name")
    refuse_special_file(p)
    if p.exists() and not _is_summary_csv(p):
        raise FileExistsError(f"{p} exists and is not a CSV file of an ensemble's summaries; it is not replaced: "
                              "give another name or move it away")


def _is_summary_csv(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.readline().rstrip(b"\r\n") in (",".join(header).encode() for header in (
                SUMMARY_CSV_COLUMNS, _UNDESCRIBED_SUMMARY_CSV_COLUMNS, _EARLIER_SUMMARY_CSV_COLUMNS))
    except OSError:
        return False


def write_summary_csv(output: EnsembleOutput, path: str | os.PathLike[str], threshold: float | None = None) -> Path:
    """Write the summaries of the ensemble's output ``output`` (:func:`summary_table`, its share above the deficit
    ``threshold`` where given, else the run's) to the CSV file ``path``,
    through a temporary file beside it (an existing file is replaced only once the new one is whole, and only
    if it is an ensemble's summary CSV: :func:`check_summary_csv`); missing folders on the way to it are made,
    as :meth:`daryo.Results.save` makes them.  Returns ``path``."""
    p = user_path(path, "write_summary_csv", "a CSV file")
    check_summary_csv(p)
    table = summary_table(output, threshold)
    if p.parent.exists() and not p.parent.is_dir():
        raise NotADirectoryError(f"cannot write {p}: {p.parent} is a file, not a folder")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(p, lambda f: table.to_csv(f, index=False, lineterminator="\n"))
    except NamedOSError:
        raise
    except OSError as exc:  # (a full disk: no file named)
        raise OSError(f"cannot write {p}: {exc.strerror or exc}") from exc
    return p
