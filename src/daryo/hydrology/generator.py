"""Stochastic headwater inflows: a log-normal AR(1) of annual flows, cross-correlated between rivers,
disaggregated to months with fixed monthly fractions.

The method, per river *n* and hydrological year *y* (October–September)::

    σ_n² = ln(1 + CV_n²)                   μ_n = ln(mean_n) − σ_n² / 2
    z_y  = L ε_y,   ε_y ~ N(0, I),          L = cholesky(C)  (C: correlation of the annual innovations)
    x_{n,0} = z_{n,0}                       x_{n,y} = ρ_n x_{n,y−1} + sqrt(1 − ρ_n²) z_{n,y}
    Q_{n,y} = exp(μ_n + σ_n x_{n,y})        (hm³/yr; E[Q] = mean_n, CV[Q] = CV_n, corr(ln Q_y, ln Q_{y−1}) = ρ_n)
    q_{n,y,m} = f_{n,m} Q_{n,y}             (hm³ per month; f: the river's 12 monthly fractions, Σ f = 1)

Reproducibility: trace *i* draws its shocks from ``numpy.random.default_rng([seed, i])``, year by year, so a
trace is the same whatever the number of traces requested alongside it, and its first *Y* years are the same
whatever the run length.  Chunked ensembles therefore reproduce a single big run exactly.  Seeds go from 0 to
2**32 − 1 (:data:`MAX_SEED`), so that no two seeds share a trace.

Every function here is pure and vectorised over traces and rivers; arrays are shaped
``(trace, river, step)`` with steps in calendar order from the run's start month.  All volumes are hm³
(per month for monthly arrays, per year for annual ones).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ModelError, Problem, short_text
from ..model.csvseries import CsvReadError, RowLines, read_csv_file, read_csv_series
from ..model.documents import read_document
from ..units import UnitError, is_number, is_whole, unit_factor

__all__ = [
    "Headwater",
    "HydrologySpec",
    "default_spec_path",
    "load_spec",
    "log_ar1_parameters",
    "annual_flows",
    "disaggregate",
    "stochastic_traces",
    "norm_traces",
    "named_year_factors",
    "named_year_traces",
    "read_inflow_csv",
    "HYDRO_YEAR_START_MONTH",
]

#: the hydrological year starts in October (ICWC practice)
HYDRO_YEAR_START_MONTH = 10


@dataclass(frozen=True)
class Headwater:
    """Statistics of one headwater inflow.

    Attributes
    ----------
    id
        The inflow node id in the model.
    basin
        ``syr`` or ``amu`` (for basin-wide scaling and correlation).
    mean_hm3
        Long-term mean annual natural flow, hm³/yr.
    cv, lag1
        Coefficient of variation of annual flow; lag-1 autocorrelation of log annual flow.
    fractions
        Share of the annual volume in each month, October first, shape (12,), summing to 1.
    regime, source
        Name of the monthly shape; citation of the numbers.
    """

    id: str
    basin: str
    mean_hm3: float
    cv: float
    lag1: float
    fractions: np.ndarray
    regime: str = ""
    source: str = ""


@dataclass(frozen=True)
class HydrologySpec:
    """All headwaters, the correlation of their annual innovations and the named years."""

    headwaters: tuple[Headwater, ...]
    correlation: np.ndarray
    named_years: Mapping[str, tuple[Mapping[str, float], ...]] = field(default_factory=dict)
    named_year_sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return [h.id for h in self.headwaters]

    @property
    def basins(self) -> np.ndarray:
        return np.array([h.basin for h in self.headwaters])

    @property
    def means(self) -> np.ndarray:
        """Mean annual flow per river, hm³/yr."""
        return np.array([h.mean_hm3 for h in self.headwaters])

    @property
    def fractions(self) -> np.ndarray:
        """Monthly fractions, shape (river, 12), October first."""
        return np.stack([h.fractions for h in self.headwaters])

    def index(self, inflow_id: str) -> int:
        return self.ids.index(inflow_id)


# ------------------------------------------------------------------------------------------- loading
def default_spec_path() -> Path:
    """The Aral basin hydrology table shipped with daryo."""
    return Path(str(resources.files("daryo") / "data" / "aral" / "hydrology.yaml"))


def load_spec(path: str | Path | None = None) -> HydrologySpec:
    """Read a hydrology table (see ``src/daryo/data/aral/hydrology.yaml`` for the format).

    Raises
    ------
    ModelError
        Listing every problem (unknown regime, fractions not summing to 1, CV or lag-1 out of range, a
        correlation matrix that is not positive definite).
    """
    if path is None:
        return _default_spec()  # read once per process: overlays and builders ask for it per inflow
    return _read_spec(Path(path))


@functools.lru_cache(maxsize=1)
def _default_spec() -> HydrologySpec:
    return _read_spec(default_spec_path())


def _read_spec(p: Path) -> HydrologySpec:
    doc = read_document(p)
    if not isinstance(doc, Mapping):
        raise ModelError(Problem(str(p), "", "a hydrology table must be a mapping with regimes and headwaters"))
    problems: list[Problem] = []
    regimes: dict[str, np.ndarray] = {}
    for name, v in _mapping(doc, "regimes", p, problems).items():
        f = _numbers(v)
        if f is None or f.shape != (12,) or abs(f.sum() - 1.0) > 1e-6 or np.any(f < 0):
            total = f"sum {f.sum():.4f}" if f is not None else f"got {short_text(v)}"
            problems.append(Problem(str(p), f"regimes.{name}", f"needs 12 non-negative fractions summing to 1 "
                                    f"({total})"))
            continue
        regimes[str(name)] = f
    heads = []
    basins: set[str] = set()  # (those named by the headwaters, for the named years' factors)
    for i, h in enumerate(_sequence(doc, "headwaters", p, problems)):
        if not isinstance(h, Mapping):
            problems.append(Problem(str(p), f"headwaters[{i}]", f"a headwater is a mapping, got {short_text(h)}"))
            continue
        place = f"headwaters[{h.get('id', i)}]"
        missing = [k for k in ("id", "basin", "regime", "mean_km3", "cv", "lag1") if k not in h]
        if missing:
            problems.append(Problem(str(p), place, f"missing {', '.join(missing)}"))
            continue
        basins.add(str(h["basin"]))
        regime = h.get("regime")
        if regime not in regimes:
            problems.append(Problem(str(p), f"{place}.regime", f"unknown regime '{regime}'; use one of: "
                                    f"{', '.join(regimes)}"))
            continue
        values = _numbers([h["cv"], h["lag1"], h["mean_km3"]])
        if values is None:
            problems.append(Problem(str(p), place, "cv, lag1 and mean_km3 must be numbers"))
            continue
        cv, lag1, mean = (float(x) for x in values)
        if not (0 < cv < 2 and -1 < lag1 < 1 and mean > 0):
            problems.append(Problem(str(p), place, "needs mean_km3 > 0, 0 < cv < 2 and -1 < lag1 < 1"))
            continue
        heads.append(Headwater(str(h["id"]), str(h["basin"]), mean * 1000.0, cv, lag1, regimes[regime],
                               str(regime), str(h.get("source", ""))))
    try:
        corr = _correlation(heads, _mapping(doc, "correlation", p, problems))
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(problems + [Problem(str(p), "correlation", f"within_basin, between_basins and overrides "
                                             f"({{id, value}}) must be numbers: {short_text(exc)}")]) from None
    if heads and np.linalg.eigvalsh(corr).min() <= 0:
        problems.append(Problem(str(p), "correlation", "the correlation matrix is not positive definite; "
                                "lower the correlations"))
    named: dict[str, tuple[Mapping[str, float], ...]] = {}
    named_src: dict[str, str] = {}
    known = ", ".join(sorted(basins))
    for name, entry in _mapping(doc, "named_years", p, problems).items():
        try:
            named[str(name)] = tuple({str(k): float(v) for k, v in y.items()} for y in entry["years"])
        except (KeyError, TypeError, ValueError, AttributeError):
            problems.append(Problem(str(p), f"named_years.{name}", "needs years: a list of mappings of basin ("
                                    f"{known}) to a fraction of its mean"))
            continue
        for k, year in enumerate(named[str(name)]):
            for basin, factor in year.items():
                if basin not in basins:
                    problems.append(Problem(str(p), f"named_years.{name}.years[{k}].{basin}", "is not a basin of "
                                            f"the headwaters; use {known}"))
                elif not (math.isfinite(factor) and factor >= 0):
                    problems.append(Problem(str(p), f"named_years.{name}.years[{k}].{basin}", f"{factor:g} is not "
                                            "a fraction of the mean (a finite number of 0 or more)"))
        named_src[str(name)] = str(entry.get("source", ""))
    if problems:
        raise ModelError(problems)
    for array in (corr, *regimes.values()):  # (read-only, as a loaded model's arrays: the default spec is read once
        array.setflags(write=False)  # per process and shared, and a sweep's review changed its correlation in place,
        # which changed every later run of the process while its results recorded the same hydrology and seed)
    frozen = {name: tuple(MappingProxyType(year) for year in years) for name, years in named.items()}
    return HydrologySpec(tuple(heads), corr, MappingProxyType(frozen), MappingProxyType(named_src))


def _mapping(doc: Mapping[str, Any], key: str, p: Path, problems: list[Problem]) -> Mapping[str, Any]:
    v = doc.get(key) or {}
    if not isinstance(v, Mapping):
        problems.append(Problem(str(p), key, f"must be a mapping, got {short_text(v)}"))
        return {}
    return v


def _sequence(doc: Mapping[str, Any], key: str, p: Path, problems: list[Problem]) -> Sequence[Any]:
    v = doc.get(key) or []
    if not isinstance(v, list):
        problems.append(Problem(str(p), key, f"must be a list, got {short_text(v)}"))
        return []
    return v


def _numbers(v: Any) -> np.ndarray | None:
    """``v`` as a float array, or None if it holds anything but numbers."""
    items = list(v) if isinstance(v, (list, tuple)) else [v]
    if not items or not all(is_number(x) for x in items):
        return None
    a = np.asarray(v, dtype=float)
    return a if np.all(np.isfinite(a)) else None


def _correlation(heads: Sequence[Headwater], rule: Mapping[str, Any]) -> np.ndarray:
    """Correlation matrix of the annual innovations from the within/between-basin rule and overrides."""
    n = len(heads)
    basin = np.array([h.basin for h in heads])
    c = np.where(basin[:, None] == basin[None, :], float(rule.get("within_basin", 0.8)),
                 float(rule.get("between_basins", 0.5)))
    ids = [h.id for h in heads]
    for o in rule.get("overrides") or []:
        if o["id"] in ids:
            k = ids.index(o["id"])
            c[k, :] = c[:, k] = float(o["value"])
    c[np.arange(n), np.arange(n)] = 1.0
    return c


# ------------------------------------------------------------------------------------------ the method
def log_ar1_parameters(mean: np.ndarray, cv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(μ, σ) of ln Q for a log-normal annual flow with the given mean (hm³/yr) and CV."""
    sigma2 = np.log1p(np.asarray(cv, dtype=float) ** 2)
    return np.log(np.asarray(mean, dtype=float)) - sigma2 / 2.0, np.sqrt(sigma2)


#: The largest seed.  Trace *i*'s draws are seeded with the 32-bit words of ``(seed, i)``, and NumPy drops trailing
#: zero words, so a larger seed would repeat another seed's trace (2**32's trace 0 is seed 0's trace 1).
MAX_SEED = 2**32 - 1


def seed_problem(seed: Any) -> str | None:
    """What is wrong with ``seed`` (None: nothing): a seed is a whole number from 0 to :data:`MAX_SEED` (not a
    float such as 1.5, which would be cut to 1, nor a bool)."""
    return None if is_whole(seed) and 0 <= seed <= MAX_SEED else "the seed must be an integer from 0 to 2**32 - 1"


def check_seed(seed: Any) -> None:
    """Raise an error that names ``seed`` and says what is wrong with it (:func:`seed_problem`), if anything: a
    TypeError for a seed that is not an integer (text, a float, a bool), a ValueError for one out of range."""
    if (why := seed_problem(seed)) is not None:  # (text quoted: seed="1" read "seed=1: the seed must be an integer")
        raise (ValueError if is_whole(seed) else TypeError)(f"seed={repr(seed) if isinstance(seed, str) else seed}: "
                                                             f"{why}")


def _shocks(spec: HydrologySpec, trace_indices: Iterable[int], n_years: int, seed: int) -> np.ndarray:
    """Correlated standard-normal annual shocks, shape (trace, year, river); trace i from rng([seed, i])."""
    chol = np.linalg.cholesky(spec.correlation)
    n = len(spec.headwaters)
    idx = [int(i) for i in trace_indices]
    eps = np.zeros((len(idx), n_years, n))
    for k, i in enumerate(idx):
        eps[k] = np.random.default_rng([int(seed), i]).standard_normal((n_years, n))
    return eps @ chol.T


def annual_flows(spec: HydrologySpec, trace_indices: Sequence[int], years: int, seed: int = 0) -> np.ndarray:
    """Stochastic annual natural flows, hm³/yr, shape (trace, river, hydrological year).

    Parameters
    ----------
    spec
        Headwater statistics and correlation.
    trace_indices
        Which traces to draw (trace i is the same whatever else is drawn with it).
    years
        Number of hydrological years.
    seed
        Seed of the ensemble.

    Raises
    ------
    ValueError
        If ``years`` or a trace index is negative (a NumPy seed cannot be), or the seed is outside 0 to
        :data:`MAX_SEED`.
    TypeError
        If the seed is not an integer (1.5 would be cut to 1).
    """
    idx = list(trace_indices)
    check_seed(seed)
    if years < 0 or any(i < 0 for i in idx):
        raise ValueError(f"years={years}, trace indices from {min(idx, default=0)}: neither may be negative")
    z = _shocks(spec, idx, years, seed)  # (S, Y, N)
    rho = np.array([h.lag1 for h in spec.headwaters])
    mu, sigma = log_ar1_parameters(spec.means, np.array([h.cv for h in spec.headwaters]))
    x = np.empty_like(z)
    if years:
        x[:, 0] = z[:, 0]
    innov = np.sqrt(1.0 - rho**2)
    for y in range(1, years):
        x[:, y] = rho * x[:, y - 1] + innov * z[:, y]
    q = np.exp(mu + sigma * x)  # (S, Y, N)
    return np.transpose(q, (0, 2, 1))


def disaggregate(annual: np.ndarray, fractions: np.ndarray) -> np.ndarray:
    """Monthly volumes (hm³/month) from annual ones: shape (S, N, Y) × (N, 12) → (S, N, Y·12), October first.

    Parameters
    ----------
    annual
        Annual volumes, hm³/yr, shape (trace, river, hydrological year).
    fractions
        Each river's share of its annual volume in each month, October first, shape (river, 12).

    Returns
    -------
    numpy.ndarray
        hm³/month, shape (trace, river, year·12).

    Raises
    ------
    ValueError
        If the shapes do not fit: ``annual`` not 3-dimensional, ``fractions`` not (river, 12), or the rivers differ.
    """
    annual, fractions = np.asarray(annual), np.asarray(fractions)
    if annual.ndim != 3:
        raise ValueError(f"annual has shape {annual.shape}: give (trace, river, year)")
    if fractions.shape != (annual.shape[1], 12):
        raise ValueError(f"fractions has shape {fractions.shape}: give (river, 12) for the {annual.shape[1]} "
                         f"river(s) of annual, October first")
    out = annual[:, :, :, None] * fractions[None, :, None, :]
    return out.reshape(annual.shape[0], annual.shape[1], annual.shape[2] * fractions.shape[1])


def _window(monthly_hy: np.ndarray, start_month: int, n_steps: int) -> np.ndarray:
    """Cut ``n_steps`` calendar months starting in ``start_month`` out of October-first monthly series."""
    offset = (int(start_month) - HYDRO_YEAR_START_MONTH) % 12
    return monthly_hy[..., offset: offset + n_steps]


def _n_hydro_years(start_month: int, n_steps: int) -> int:
    offset = (int(start_month) - HYDRO_YEAR_START_MONTH) % 12
    return -(-(offset + n_steps) // 12)


def _monthly_traces(spec: HydrologySpec, years: int, start_month: int,
                    annual: Callable[[int], np.ndarray]) -> np.ndarray:
    """Monthly volumes of ``years`` calendar years from ``start_month`` out of annual volumes per hydrological year.

    The part the trace functions share: enough hydrological years to cover the run, disaggregated to months with
    the rivers' fractions and cut to the run's months.

    Parameters
    ----------
    spec
        Headwater statistics (the monthly fractions).
    years
        Run length in years (``12 * years`` monthly steps).
    start_month
        Calendar month (1–12) of the first step.
    annual
        Given the number of hydrological years to cover, the annual volumes, hm³/yr, shape
        (trace, river, hydrological year), the first year being the one containing ``start_month``.

    Returns
    -------
    numpy.ndarray
        hm³/month, shape (trace, river, years·12).

    Raises
    ------
    ValueError
        If ``years`` is not a whole number of 0 or more (0: no steps), or ``start_month`` not a month from 1 to 12
        (13 read as 1, and 0 as December, before).
    """
    if not is_whole(years) or years < 0:
        raise ValueError(f"years={years!r}: give a whole number of years, 0 or more")
    if not is_whole(start_month) or not 1 <= start_month <= 12:
        raise ValueError(f"start_month={start_month!r}: give a calendar month, 1 (January) to 12")
    n_steps = 12 * int(years)
    flows = annual(_n_hydro_years(start_month, n_steps))
    return _window(disaggregate(flows, spec.fractions), start_month, n_steps)


def stochastic_traces(spec: HydrologySpec, trace_indices: Sequence[int], years: int, seed: int = 0,
                      start_month: int = HYDRO_YEAR_START_MONTH) -> np.ndarray:
    """Monthly stochastic inflows, hm³/month, shape (trace, river, years·12), from ``start_month``."""
    return _monthly_traces(spec, years, start_month, lambda ny: annual_flows(spec, trace_indices, ny, seed))


def norm_traces(spec: HydrologySpec, years: int, start_month: int = HYDRO_YEAR_START_MONTH) -> np.ndarray:
    """The norm: the long-term mean year repeated, hm³/month, shape (1, river, years·12)."""
    return _monthly_traces(spec, years, start_month, lambda ny: np.repeat(spec.means[None, :, None], ny, axis=2))


def named_year_factors(spec: HydrologySpec, name: str, n_years: int, first_year: int = 1) -> np.ndarray:
    """Factor on each river's norm per hydrological year, shape (river, n_years); 1 outside the named years.

    Raises
    ------
    KeyError
        If ``name`` is not one of ``spec.named_years``.
    ValueError
        If ``first_year`` is not a whole number of at least 1.
    """
    if name not in spec.named_years:
        raise KeyError(f"unknown named year '{name}'; known: {', '.join(spec.named_years)}")
    if not is_whole(first_year) or first_year < 1:
        raise ValueError(f"first_year={first_year!r}: give the run's hydrological year the named years start in, "
                         "1 for the first")  # (0 or less left the factors all ones)
    out = np.ones((len(spec.headwaters), n_years))
    basins = spec.basins
    for k, factors in enumerate(spec.named_years[name]):
        y = first_year - 1 + k
        if 0 <= y < n_years:
            for basin, f in factors.items():
                out[basins == basin, y] = f
    return out


def named_year_traces(spec: HydrologySpec, name: str, years: int, start_month: int = HYDRO_YEAR_START_MONTH,
                      first_year: int = 1) -> np.ndarray:
    """The norm with the named year(s) (e.g. ``"2000-2001"``) in place from hydrological year
    ``first_year`` of the run on; hm³/month, shape (1, river, years·12)."""
    return _monthly_traces(spec, years, start_month,
                           lambda ny: spec.means[None, :, None] * named_year_factors(spec, name, ny, first_year)[None])


# -------------------------------------------------------------------------------------- observed data
def read_inflow_csv(path: str | Path, unit: str = "m3/s") -> tuple[pd.DatetimeIndex, dict[str, np.ndarray]]:
    """Read observed monthly inflows to replace generated ones.

    The CSV has a ``date`` column (or the first column) with the first day of each month and one column per
    inflow node id.  ``unit`` is any unit of flow a model file takes (:func:`daryo.units.unit_factor`): a rate
    (``m3/s``, the monthly mean discharge; ``km3/yr``, ``hm3/day``...), converted with each month's days in the
    Gregorian calendar, or a volume per month (``hm3``, ``hm3/month``, ``km3``, ``Mm3``...).  Rows dated outside
    the dates daryo holds (1677-09-22 to 2262-04-11) are left out, as those of a model's CSV series are.

    Returns
    -------
    dates, series
        The month start dates and, per column, the volumes in hm³/month, shape (1, months).

    Raises
    ------
    ModelError
        With the file, line and column of the first bad cell (not a date, not a number, negative), or for an
        unknown unit, an unreadable file, a file without value columns or a date given twice.
    """
    dates, out, _ = _read_inflow_csv(path, unit)
    return dates, out


def _read_inflow_csv(path: str | Path, unit: str) -> tuple[pd.DatetimeIndex, dict[str, np.ndarray], str]:
    """:func:`read_inflow_csv`, and a sentence on the file's rows left out for dates outside those daryo holds,
    for a message on months the file lacks ("" if none: :attr:`daryo.model.csvseries.CsvSeries.left_out`)."""
    p = Path(path)
    try:  # (a climate-services review: km3 and km3/yr, which model files take, were refused here)
        to_hm3, is_rate = unit_factor(unit, "flow")
    except UnitError as exc:
        raise ModelError(Problem(str(p), "", f"inflow_csv_unit: {exc}")) from None
    try:
        df = read_csv_file(p)
    except CsvReadError as exc:
        raise ModelError(Problem(str(p), "", f"cannot be read: {exc}")) from None
    problems: list[Problem] = []
    # the shared reader places row problems at "FILE line N, column 'C'"; split the file off the place
    read = read_csv_series(df, str(p), p.name, "", lambda place, msg: problems.append(
        Problem(str(p), place.removeprefix(str(p)).lstrip(), msg)), dots_day_first=True)
    if read is None:
        raise ModelError(problems)
    line = RowLines(str(p), len(df))  # (the shared reader's lines: a quoted header cell of two lines, Excel's
    # Alt+Enter, put these one line early, at row + 2: a Tashkent ministry analyst's review)
    rows = read.rows if read.rows is not None else np.arange(len(read.dates))  # (of the file: rows may be left out)
    neg_rows, neg_cols = np.nonzero(read.values < 0)
    if neg_rows.size:
        r, c = rows[neg_rows[0]], neg_cols[0]
        raise ModelError(Problem(str(p), f"line {line(r)}, column '{read.columns[c]}'",
                                 f"'{df[read.columns[c]].iloc[r]}' is not a non-negative number"))
    dates = read.dates
    off = np.flatnonzero(~dates.is_month_start)
    if off.size:  # (rows between month starts were dropped: a daily file's days read as months)
        raise ModelError(Problem(str(p), f"line {line(rows[off[0]])}", f"date {dates[off[0]]:%Y-%m-%d} is not the "
                                 "first day of a month: the file holds one row per month, dated the 1st"))
    factor = to_hm3 * (dates.days_in_month.to_numpy() if is_rate else np.ones(len(dates)))
    out = {str(col): (read.values[:, j] * factor)[None, :] for j, col in enumerate(read.columns)}
    return dates, out, read.left_out
