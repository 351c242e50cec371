"""Parameters: named, typed values that model attributes reference instead of a fixed series.

A model's ``parameters:`` section names parameters; a *series* attribute references one with
``{parameter: NAME, unit: …}`` (the unit applies at the point of use, so one parameter can be a rate in one
place and a cost in another).  A parameter's inputs (``parameter``, ``parameters``, ``control_curves``,
``values`` of a control curve…) are names of other parameters, plain numbers or inline definitions.

Two kinds, decided from the types alone:

- **static** parameters depend only on the step and the scenario (``constant``, ``constantscenario``,
  ``monthlyprofile``, ``dailyprofile``, ``dataframe`` and any function of static ones).  They are resolved
  once, when the network is compiled, to arrays shaped (scenario or 1, time) and behave exactly like series;
- **state-dependent** parameters read the start-of-step reservoir volumes (``controlcurve``,
  ``controlcurveindex``, ``controlcurveinterpolated``, ``storage``, ``interpolatedvolume`` and any function
  of one).  They are evaluated at the start of every step for all scenarios at once, in dependency order,
  before the step's LP is solved (phase *prepare* of :mod:`daryo.simulate.engine`).

The proportion full of a reservoir that control curves read is the start-of-step volume divided by the
maximum volume of the previous step (the reservoir's ``initial_proportion`` in the first step), clipped to
0–1, as in Pywr.

Every type is one small class whose fields are declared in :data:`PARAMETER_TYPES`; the loader, the
validation and the documentation read that table.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Protocol

import numpy as np
import pandas as pd

from .errors import ModelError, Problem
from .timeaxis import TimeAxis
from .units import is_number

__all__ = ["ParameterRef", "ScenarioDim", "Parameter", "ParameterType", "PARAMETER_TYPES", "ParameterSet",
           "parse_parameters", "check_parameters", "scenario_combinations", "align_frames", "state_dependent"]


# ----------------------------------------------------------------------------------------- references
@dataclass(frozen=True)
class ParameterRef:
    """An attribute's reference to a named parameter.

    ``factor`` converts the parameter's value to canonical units; ``is_rate`` values are per day and are
    multiplied by each step's length in days (as series are).
    """

    name: str
    factor: float = 1.0
    is_rate: bool = False
    place: str = ""


@dataclass(frozen=True)
class ScenarioDim:
    """One scenario dimension (e.g. ``inflow`` with 10 members); the run's scenarios are the product of all
    dimensions, the first varying slowest."""

    name: str
    size: int
    names: tuple[str, ...] | None = None


def scenario_combinations(dims: Sequence[ScenarioDim]) -> tuple[list[str], dict[str, np.ndarray]]:
    """Names of the scenario combinations and, per dimension, each combination's member index."""
    if not dims:
        return ["0"], {}
    combos = list(itertools.product(*[range(d.size) for d in dims]))
    index = {d.name: np.array([c[k] for c in combos], dtype=np.int64) for k, d in enumerate(dims)}

    def label(k: int, i: int) -> str:
        names = dims[k].names
        return names[i] if names else str(i)

    if len(dims) == 1:
        names = [label(0, c[0]) for c in combos]
    else:
        names = [", ".join(f"{d.name}={label(k, c[k])}" for k, d in enumerate(dims)) for c in combos]
    return names, index


# ---------------------------------------------------------------------------------------------- types
@dataclass(frozen=True)
class Field:
    """One field of a parameter type.

    kind: ``number``, ``numbers`` (a list), ``param`` (another parameter: a name, a number or an inline
    definition), ``params`` (a list of those), ``reservoir`` (a node id), ``scenario`` (a scenario name),
    ``choice``, ``bool``, ``int``, ``text``, ``columns`` (a column name or a list of them).
    """

    name: str
    kind: str
    required: bool
    description: str
    choices: tuple[str, ...] = ()
    default: Any = None


class _Env(Protocol):
    t: int
    volume: np.ndarray  # (S, R) start-of-step volumes
    proportion: np.ndarray  # (S, R) start-of-step volume / previous maximum volume (raw, may exceed 0..1)
    res_index: Mapping[str, int]


@dataclass(frozen=True)
class StaticEnv:
    """What static parameters are resolved against."""

    axis: TimeAxis
    n_scenarios: int
    scenario_index: Mapping[str, np.ndarray]  # dimension -> (S,) member index of each combination


@dataclass(frozen=True, eq=False)
class Parameter:
    """Base of all parameter types.  ``place`` is where the parameter is in its file, for messages."""

    name: str
    place: str

    type_name: ClassVar[str] = ""
    reads_state: ClassVar[bool] = False

    def inputs(self) -> tuple[str, ...]:
        """Names of the parameters this one is computed from."""
        return ()

    def reservoirs(self) -> tuple[str, ...]:
        return ()

    def scenarios(self) -> tuple[str, ...]:
        return ()

    def check(self) -> list[str]:
        """Problems with the field values (beyond their types)."""
        return []

    def static(self, env: StaticEnv, x: list[np.ndarray]) -> np.ndarray:
        """Values per step, shape (S or 1, T), from the inputs' values ``x`` (same shapes)."""
        return self.apply(x)

    def step(self, env: _Env, x: list[np.ndarray]) -> np.ndarray:
        """Values at step ``env.t``, shape (S,) or (1,), from the inputs' values ``x`` at that step."""
        return self.apply(x)

    def apply(self, x: list[np.ndarray]) -> np.ndarray:  # functions of their inputs override this
        raise NotImplementedError


def _const(v: float, env: StaticEnv) -> np.ndarray:
    return np.full((1, env.axis.n_steps), float(v))


@dataclass(frozen=True, eq=False)
class Constant(Parameter):
    value: float = 0.0
    type_name: ClassVar[str] = "constant"

    def static(self, env: StaticEnv, x: list[np.ndarray]) -> np.ndarray:
        return _const(self.value, env)


@dataclass(frozen=True, eq=False)
class ConstantScenario(Parameter):
    scenario: str = ""
    values: tuple[float, ...] = ()
    type_name: ClassVar[str] = "constantscenario"

    def scenarios(self) -> tuple[str, ...]:
        return (self.scenario,)

    def static(self, env: StaticEnv, x: list[np.ndarray]) -> np.ndarray:
        idx = env.scenario_index[self.scenario][: env.n_scenarios]
        return np.repeat(np.asarray(self.values)[idx][:, None], env.axis.n_steps, axis=1)


def _day_of_year_index(starts: pd.DatetimeIndex) -> np.ndarray:
    """Zero-based day of the year, 29 February always at index 59 (non-leap years skip it)."""
    i = np.asarray(starts.dayofyear) - 1
    return np.where(~np.asarray(starts.is_leap_year) & (i > 58), i + 1, i)


def _profile_day_index(axis: TimeAxis, day: str) -> np.ndarray:
    """Day-of-year index (see :func:`_day_of_year_index`) of each step's first or last day."""
    if day == "last":
        return _day_of_year_index(axis.starts + pd.to_timedelta(np.asarray(axis.days) - 1, unit="D"))
    return _day_of_year_index(axis.starts)


@dataclass(frozen=True, eq=False)
class MonthlyProfile(Parameter):
    values: tuple[float, ...] = ()
    interp_day: str | None = None
    day: str = "first"  # the day of a step whose value it takes (with interp_day)
    type_name: ClassVar[str] = "monthlyprofile"

    def check(self) -> list[str]:
        return [] if len(self.values) == 12 else [f"needs 12 values (January first), got {len(self.values)}"]

    def static(self, env: StaticEnv, x: list[np.ndarray]) -> np.ndarray:
        v = np.asarray(self.values, dtype=float)
        if self.interp_day is None:
            return v[env.axis.month - 1][None, :]
        return _interpolated_month_profile(v, self.interp_day)[_profile_day_index(env.axis, self.day)][None, :]


def _interpolated_month_profile(v: np.ndarray, interp_day: str) -> np.ndarray:
    """366 daily values interpolated between 12 monthly values that sit on the first or last day of each
    month (a 365-day year, with 28 and 29 February equal)."""
    lengths = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    if interp_day == "first":
        x = np.concatenate([[1], 1 + np.cumsum(lengths)])
        y = np.concatenate([v, v[:1]])
    else:
        x = np.concatenate([[0], np.cumsum(lengths)])
        y = np.concatenate([v[-1:], v])
    d = np.interp(np.arange(365) + 1, x, y)
    return np.concatenate([d[:59], d[58:59], d[59:]])


@dataclass(frozen=True, eq=False)
class DailyProfile(Parameter):
    values: tuple[float, ...] = ()
    day: str = "first"  # the day of a step whose value it takes
    type_name: ClassVar[str] = "dailyprofile"

    def check(self) -> list[str]:
        return [] if len(self.values) == 366 else [f"needs 366 values (1 January first), got {len(self.values)}"]

    def static(self, env: StaticEnv, x: list[np.ndarray]) -> np.ndarray:
        return np.asarray(self.values, dtype=float)[_profile_day_index(env.axis, self.day)][None, :]


@dataclass(frozen=True, eq=False)
class DataFrame(Parameter):
    """A time series from a CSV file, aligned to the run's steps (see :func:`align_to_steps`).

    ``aligned`` holds the file already aligned to one time axis (:meth:`for_axis`), which a run on that axis
    uses instead of aligning again.
    """

    csv: str = ""
    frame: pd.DataFrame | None = None  # date index, the selected value columns
    scenario: str | None = None
    timestep_offset: int = 0
    aligned: tuple[TimeAxis, np.ndarray] | None = None  # (axis, (T, C) values of the file on its steps)
    type_name: ClassVar[str] = "dataframe"

    def scenarios(self) -> tuple[str, ...]:
        return (self.scenario,) if self.scenario else ()

    def for_axis(self, axis: TimeAxis) -> DataFrame:
        """This parameter with its file aligned to ``axis`` once, for repeated runs on that axis.

        Parameters
        ----------
        axis
            The time axis of the runs.

        Raises
        ------
        ModelError
            If the file cannot be aligned to the axis (as a run would).
        """
        values = self._values_on(axis)
        values.flags.writeable = False
        return replace(self, aligned=(axis, values))

    def _values_on(self, axis: TimeAxis) -> np.ndarray:
        """The file's values per step of ``axis``, shape (T, C)."""
        if self.aligned is not None and self.aligned[0] == axis:
            return self.aligned[1]
        assert self.frame is not None
        return align_to_steps(self.frame, axis, self.csv, self.place)

    def static(self, env: StaticEnv, x: list[np.ndarray]) -> np.ndarray:
        values = self._values_on(env.axis)  # (T, C)
        if self.timestep_offset:
            pos = np.clip(np.arange(env.axis.n_steps) + self.timestep_offset, 0, len(values) - 1)
            values = values[pos]
        if self.scenario is None:
            return values[:, 0][None, :].copy()
        idx = env.scenario_index[self.scenario][: env.n_scenarios]
        return values[:, idx].T


def align_frames(params: Mapping[str, Parameter], axis: TimeAxis) -> dict[str, Parameter]:
    """The parameters with every ``dataframe`` parameter's file aligned to ``axis`` once (:meth:`DataFrame.for_axis`),
    so that compiling a model repeatedly on that axis (the chunks of an ensemble) does not align the files again.

    Parameters
    ----------
    params
        A model's parameters.
    axis
        The time axis of the runs.

    Returns
    -------
    dict
        The same parameters, the ``dataframe`` ones replaced by their aligned copies.
    """
    return {k: p.for_axis(axis) if isinstance(p, DataFrame) else p for k, p in params.items()}


def align_to_steps(frame: pd.DataFrame, axis: TimeAxis, source: str, place: str) -> np.ndarray:
    """Values of ``frame`` per run step, shape (T, columns).

    The rows' dates are read as periods of the file's own frequency (inferred, as Pywr does: daily, N-day,
    monthly with dates at the start or the end of the month…).  Where the file's periods are no longer than the
    step, the step takes the mean of the rows whose period starts within it; where they are longer (a coarser
    file), each day of the step takes the value of the row whose period contains it, and the step the mean of
    its days.
    """
    def fail(msg: str) -> ModelError:
        return ModelError(Problem(source, place, msg))

    idx = pd.DatetimeIndex(frame.index)
    freq = pd.infer_freq(idx) if len(idx) >= 3 else None
    if freq is None:
        raise fail(_missing_dates(idx) or "the dates of the file have no regular frequency (daily, N-day, "
                   "monthly…); daryo, like Pywr, needs one to align the file to the steps")
    offset = pd.tseries.frequencies.to_offset(freq)
    if isinstance(offset, pd.tseries.offsets.Tick) or freq.startswith("W"):
        spacing = (idx[1] - idx[0]).to_numpy().astype("timedelta64[D]")
        if spacing < np.timedelta64(1, "D"):
            raise fail(f"the file's frequency ({freq}) is finer than daily, which daryo does not read")
        begin = idx.values.astype("datetime64[D]")
        end = begin + spacing  # a row covers [its date, the next date)
    else:  # calendar periods: months (dated at their start or end), quarters, years
        periods = pd.DatetimeIndex(idx, freq=freq).to_period()  # first and last day (day ordinals since 1970)
        begin = periods.asfreq("D", how="S").asi8.astype("datetime64[D]")
        end = periods.asfreq("D", how="E").asi8.astype("datetime64[D]") + np.timedelta64(1, "D")
    values = frame.to_numpy(dtype=float)
    starts = axis.starts.values.astype("datetime64[D]")
    span = axis.days.astype("timedelta64[D]")
    stops = starts + span
    # a regular frequency orders the rows by date, so begin and end ascend: the rows starting within step t are
    # first[t]:first[t] + count[t], and those overlapping it (beginning before its stop, ending after its start)
    # overlap[t]:first[t] + count[t]
    first = np.searchsorted(begin, starts)
    after = np.searchsorted(begin, stops)
    count = after - first
    overlap = np.searchsorted(end, starts, side="right")
    too_long = np.zeros(axis.n_steps, dtype=bool)  # a row overlapping the step is longer than the step
    for n_days in np.unique(span):  # a few step lengths (28 to 31 days for months)
        n_longer = np.concatenate([[0], np.cumsum(end - begin > n_days)])  # rows longer than n_days before i
        at = span == n_days
        too_long[at] = n_longer[after[at]] > n_longer[overlap[at]]
    by_rows = (count > 0) & ~too_long
    # every day of every step up to the run's last day must lie in a row's period, whichever way the step is
    # then averaged: a step that the file covers only in part is refused, not averaged over the days it has.
    # The days of the last step after the run's last day (an N-day run's last step overhangs its end) need no
    # value; the step is the mean over the days the file has, as Pywr's resampling takes it.
    n_days = span.astype(int)
    days = np.repeat(starts, n_days) + _ranges(np.zeros_like(n_days), n_days).astype("timedelta64[D]")
    pos = np.searchsorted(begin, days, side="right") - 1  # the row whose period contains the day, if any
    ok = (pos >= 0) & (days < end[np.maximum(pos, 0)])
    needed = days <= np.datetime64(axis.last_day, "D") if axis.last_day is not None else np.ones_like(ok)
    if not np.all(ok | ~needed):
        raise fail(_missing_days(days, ok | ~needed, n_days, axis, begin[0], end[-1] - np.timedelta64(1, "D")))
    out = np.empty((axis.n_steps, values.shape[1]))
    steps = np.flatnonzero(by_rows)  # each the mean of the rows starting within it
    out[steps] = _run_means(values, _ranges(first[steps], count[steps]), count[steps])
    steps = np.flatnonzero(~by_rows)  # each the mean of its days (those the file has), a day taking its row
    kept = np.bincount(np.repeat(np.arange(axis.n_steps), n_days), weights=ok, minlength=axis.n_steps)
    out[steps] = _run_means(values, pos[np.repeat(~by_rows, n_days) & ok], kept[steps].astype(int))
    return out


def _missing_dates(idx: pd.DatetimeIndex) -> str | None:
    """The message for a file whose dates are a regular series with rows missing (every N days, or month starts
    or ends): the first missing dates; None if the dates are not such a series."""
    if len(idx) < 3 or not idx.is_monotonic_increasing or idx.has_duplicates:
        return None
    if idx.is_month_start.all() or idx.is_month_end.all():  # months: by month number
        months = idx.year * 12 + idx.month
        full = np.arange(months[0], months[-1] + 1)
        missing = full[~np.isin(full, months)]
        dates = [pd.Timestamp(year=int((m - 1) // 12), month=int((m - 1) % 12 + 1), day=1) for m in missing[:3]]
        if idx.is_month_end.all():
            dates = [d + pd.offsets.MonthEnd(0) for d in dates]
    else:
        days = idx.values.astype("datetime64[D]").astype(np.int64)
        step = int(np.min(np.diff(days)))
        if step < 1 or np.any(np.diff(days) % step) or np.any(idx.normalize() != idx):
            return None
        full = np.arange(days[0], days[-1] + 1, step)
        missing = full[~np.isin(full, days)]
        dates = [pd.Timestamp(np.datetime64(int(d), "D")) for d in missing[:3]]
    if not missing.size:
        return None
    listed = ", ".join(f"{d:%Y-%m-%d}" for d in dates) + (f" and {missing.size - 3} more" if missing.size > 3 else "")
    return (f"the file has rows missing from its regular dates: no row for {listed}. Fill them in (daryo, like "
            "Pywr, needs a regular frequency to align the file to the steps)")


def _missing_days(days: np.ndarray, ok: np.ndarray, n_days: np.ndarray, axis: TimeAxis, first: np.datetime64,
                  last: np.datetime64) -> str:
    """The message for the first step that the file does not cover fully: its missing days (``days`` of every
    step, ``n_days`` per step, ``ok`` where a row covers the day), the step, and the days the file covers."""
    miss = int(np.argmin(ok))  # the first missing day, in the first step missing one
    t = int(np.searchsorted(np.cumsum(n_days), miss, side="right"))
    lo = int(np.sum(n_days[:t]))
    gaps = days[lo: lo + n_days[t]][~ok[lo: lo + n_days[t]]]
    breaks = np.flatnonzero(np.diff(gaps) > np.timedelta64(1, "D"))
    runs = [(gaps[a], gaps[b]) for a, b in zip(np.r_[0, breaks + 1], np.r_[breaks, gaps.size - 1], strict=True)]
    text = " and ".join(f"{pd.Timestamp(a):%Y-%m-%d}" + ("" if a == b else f" to {pd.Timestamp(b):%Y-%m-%d}")
                        for a, b in runs)
    return (f"the file has no value for {text} ({gaps.size} of the {n_days[t]} days of the step starting "
            f"{axis.starts[t]:%Y-%m-%d}); its rows cover {pd.Timestamp(first):%Y-%m-%d} to "
            f"{pd.Timestamp(last):%Y-%m-%d}. A step needs values for all its days: extend the file or shorten the "
            "run.")


def _ranges(first: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The integer ranges ``first[i]:first[i] + counts[i]`` one after the other, shape (counts.sum(),)."""
    offsets = np.cumsum(counts) - counts
    return np.repeat(first - offsets, counts) + np.arange(int(counts.sum()))


def _run_means(values: np.ndarray, pos: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Mean of the rows of ``values`` at each run of ``pos`` (runs of ``counts[i]`` positions one after the
    other), shape (len(counts), columns).

    Runs of equal length are averaged together, with the reduction of ``values[run].mean(axis=0)``, so the
    means are the same to the bit as averaging run by run.
    """
    out = np.empty((len(counts), values.shape[1]))
    offsets = np.cumsum(counts) - counts
    for n in np.unique(counts):
        runs = np.flatnonzero(counts == n)
        out[runs] = values[pos[offsets[runs, None] + np.arange(n)]].mean(axis=1)
    return out


_AGG: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sum": lambda a: a.sum(axis=0), "min": lambda a: a.min(axis=0), "max": lambda a: a.max(axis=0),
    "mean": lambda a: a.mean(axis=0), "product": lambda a: a.prod(axis=0),
    "median": lambda a: np.median(a, axis=0),
}


def _stack(x: list[np.ndarray]) -> np.ndarray:
    return np.stack(np.broadcast_arrays(*x))


@dataclass(frozen=True, eq=False)
class Aggregated(Parameter):
    parameters: tuple[str, ...] = ()
    agg_func: str = "sum"
    type_name: ClassVar[str] = "aggregated"

    def inputs(self) -> tuple[str, ...]:
        return self.parameters

    def check(self) -> list[str]:
        return [] if self.parameters else ["needs at least one parameter"]

    def apply(self, x: list[np.ndarray]) -> np.ndarray:
        return _AGG[self.agg_func](_stack(x))


@dataclass(frozen=True, eq=False)
class Unary(Parameter):
    """``max``/``min`` of a parameter and a threshold, ``negative``, ``negativemax``, ``negativemin``,
    ``offset`` (parameter + offset)."""

    parameter: str = ""
    threshold: float = 0.0
    offset: float = 0.0
    type_name: ClassVar[str] = "unary"
    op: ClassVar[str] = ""

    def inputs(self) -> tuple[str, ...]:
        return (self.parameter,)

    def apply(self, x: list[np.ndarray]) -> np.ndarray:
        v = x[0]
        if self.op.startswith("negative"):
            v = -v
        if self.op.endswith("max"):
            return np.maximum(v, self.threshold)
        if self.op.endswith("min"):
            return np.minimum(v, self.threshold)
        return v + self.offset


def _unary(op: str) -> type[Unary]:
    return type(f"Unary_{op}", (Unary,), {"type_name": op, "op": op, "__module__": __name__})


@dataclass(frozen=True, eq=False)
class Division(Parameter):
    numerator: str = ""
    denominator: str = ""
    type_name: ClassVar[str] = "division"

    def inputs(self) -> tuple[str, ...]:
        return (self.numerator, self.denominator)

    def apply(self, x: list[np.ndarray]) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return x[0] / x[1]


@dataclass(frozen=True, eq=False)
class IndexedArray(Parameter):
    index_parameter: str = ""
    parameters: tuple[str, ...] = ()
    type_name: ClassVar[str] = "indexedarray"

    def inputs(self) -> tuple[str, ...]:
        return (self.index_parameter, *self.parameters)

    def apply(self, x: list[np.ndarray]) -> np.ndarray:
        idx, *vals = np.broadcast_arrays(*x)
        k = np.clip(idx.astype(np.int64), 0, len(vals) - 1)
        return np.choose(k, vals)


def _clipped(pc: np.ndarray) -> np.ndarray:
    """Proportion full as control curves read it: NaN (zero maximum) counts as full, clipped to 0–1."""
    return np.clip(np.where(np.isnan(pc), 1.0, pc), 0.0, 1.0)


@dataclass(frozen=True, eq=False)
class _ControlCurveBase(Parameter):
    reservoir: str = ""
    control_curves: tuple[str, ...] = ()
    reads_state: ClassVar[bool] = True

    def reservoirs(self) -> tuple[str, ...]:
        return (self.reservoir,)

    def _position(self, env: _Env, curves: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(proportion full (S,), curve values (S, n), index of the first curve at or below it (S,))."""
        pc = _clipped(env.proportion[:, env.res_index[self.reservoir]])
        cc = np.stack([np.broadcast_to(c, pc.shape) for c in curves], axis=1) if curves else np.zeros(
            (pc.size, 0))
        above = pc[:, None] >= cc
        if not cc.shape[1]:
            return pc, cc, np.zeros(pc.size, dtype=np.int64)
        j = np.where(above.any(axis=1), np.argmax(above, axis=1), cc.shape[1])
        return pc, cc, j


@dataclass(frozen=True, eq=False)
class ControlCurveIndex(_ControlCurveBase):
    """0 if the reservoir is at or above the first curve, 1 if only above the second, …, n below all."""

    type_name: ClassVar[str] = "controlcurveindex"

    def inputs(self) -> tuple[str, ...]:
        return self.control_curves

    def step(self, env: _Env, x: list[np.ndarray]) -> np.ndarray:
        return self._position(env, x)[2].astype(float)


@dataclass(frozen=True, eq=False)
class ControlCurve(_ControlCurveBase):
    """``values[j]`` where ``j`` is the first curve the reservoir is at or above (the last value below all)."""

    values: tuple[str, ...] = ()
    type_name: ClassVar[str] = "controlcurve"

    def inputs(self) -> tuple[str, ...]:
        return (*self.control_curves, *self.values)

    def check(self) -> list[str]:
        n = len(self.control_curves)
        return [] if len(self.values) == n + 1 else [
            f"needs one more value than control curves ({n + 1}), got {len(self.values)}"]

    def step(self, env: _Env, x: list[np.ndarray]) -> np.ndarray:
        n = len(self.control_curves)
        _, _, j = self._position(env, x[:n])
        vals = np.stack([np.broadcast_to(v, j.shape) for v in x[n:]], axis=1)
        return vals[np.arange(j.size), j]


@dataclass(frozen=True, eq=False)
class ControlCurveInterpolated(_ControlCurveBase):
    """Linear interpolation of ``values`` (one more than the curves at the top, 100 %, and one at 0 %)
    between the curves around the reservoir's proportion full."""

    values: tuple[str, ...] = ()
    type_name: ClassVar[str] = "controlcurveinterpolated"

    def inputs(self) -> tuple[str, ...]:
        return (*self.control_curves, *self.values)

    def check(self) -> list[str]:
        n = len(self.control_curves)
        return [] if len(self.values) == n + 2 else [
            f"needs two more values than control curves ({n + 2}), got {len(self.values)}"]

    def step(self, env: _Env, x: list[np.ndarray]) -> np.ndarray:
        n = len(self.control_curves)
        pc, cc, j = self._position(env, x[:n])
        S = pc.size
        v = np.stack([np.broadcast_to(a, (S,)) for a in x[n:]], axis=1)  # (S, n + 2)
        bounds = np.concatenate([np.ones((S, 1)), cc, np.zeros((S, 1))], axis=1)  # 1, curves…, 0
        rows = np.arange(S)
        upper, lower = bounds[rows, j], bounds[rows, j + 1]
        hi_v, lo_v = v[rows, j], v[rows, j + 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            w = (pc - lower) / (upper - lower)
        out = hi_v * w + lo_v * (1.0 - w)
        return np.where(upper == lower, np.where(j < n, lo_v, hi_v), out)


@dataclass(frozen=True, eq=False)
class StorageVolume(Parameter):
    """The start-of-step volume (hm³) of a reservoir, or its proportion full."""

    reservoir: str = ""
    proportional: bool = False
    type_name: ClassVar[str] = "storage"
    reads_state: ClassVar[bool] = True

    def reservoirs(self) -> tuple[str, ...]:
        return (self.reservoir,)

    def step(self, env: _Env, x: list[np.ndarray]) -> np.ndarray:
        r = env.res_index[self.reservoir]
        return (env.proportion if self.proportional else env.volume)[:, r].copy()


@dataclass(frozen=True, eq=False)
class InterpolatedVolume(Parameter):
    """Linear interpolation in a (volume, value) table at the start-of-step volume."""

    reservoir: str = ""
    volumes: tuple[float, ...] = ()
    values: tuple[float, ...] = ()
    outside: str = "error"
    fill: tuple[float, ...] = ()
    type_name: ClassVar[str] = "interpolatedvolume"
    reads_state: ClassVar[bool] = True

    def reservoirs(self) -> tuple[str, ...]:
        return (self.reservoir,)

    def check(self) -> list[str]:
        out = []
        if len(self.volumes) != len(self.values) or len(self.volumes) < 2:
            out.append(f"volumes and values need the same length (at least 2), got {len(self.volumes)} and "
                       f"{len(self.values)}")
        elif np.any(np.diff(self.volumes) <= 0):
            out.append("volumes must be strictly increasing")
        if self.outside == "fill" and len(self.fill) != 2:
            out.append("outside: fill needs fill: [value below, value above]")
        return out

    def step(self, env: _Env, x: list[np.ndarray]) -> np.ndarray:
        v = env.volume[:, env.res_index[self.reservoir]]
        xs, ys = np.asarray(self.volumes), np.asarray(self.values)
        out = np.interp(v, xs, ys)
        below, above = v < xs[0], v > xs[-1]
        if self.outside == "error" and (below.any() or above.any()):
            bad = float(v[below | above][0])
            raise ModelError(Problem("", self.place, (
                f"the volume of '{self.reservoir}' at step {env.t} ({bad:g}) is outside the table "
                f"({xs[0]:g} to {xs[-1]:g}); extend the table or set outside: extrapolate or fill")))
        if self.outside == "extrapolate":
            lo = ys[0] + (v - xs[0]) * (ys[1] - ys[0]) / (xs[1] - xs[0])
            hi = ys[-1] + (v - xs[-1]) * (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])
            out = np.where(below, lo, np.where(above, hi, out))
        elif self.outside == "fill":
            out = np.where(below, self.fill[0], np.where(above, self.fill[1], out))
        return out


_PREDICATES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "LT": np.less, "GT": np.greater, "EQ": np.equal, "LE": np.less_equal, "GE": np.greater_equal}


@dataclass(frozen=True, eq=False)
class ParameterThreshold(Parameter):
    """1 where ``parameter PREDICATE threshold`` holds, else 0; or ``values[that]`` when values are given."""

    parameter: str = ""
    threshold: str = ""
    predicate: str = "LT"
    values: tuple[float, ...] = ()
    type_name: ClassVar[str] = "parameterthreshold"

    def inputs(self) -> tuple[str, ...]:
        return (self.parameter, self.threshold)

    def check(self) -> list[str]:
        return [] if len(self.values) in (0, 2) else [f"needs 2 values (false, true), got {len(self.values)}"]

    def apply(self, x: list[np.ndarray]) -> np.ndarray:
        return self._pick(x[0], x[1])

    def _pick(self, v: np.ndarray, threshold: np.ndarray) -> np.ndarray:
        hit = _PREDICATES[self.predicate](*np.broadcast_arrays(v, threshold)).astype(np.int64)
        return np.asarray(self.values)[hit] if self.values else hit.astype(float)


@dataclass(frozen=True, eq=False)
class StorageThreshold(ParameterThreshold):
    """1 where the reservoir's start-of-step volume ``PREDICATE threshold`` holds, else 0 (or ``values``)."""

    reservoir: str = ""
    type_name: ClassVar[str] = "storagethreshold"
    reads_state: ClassVar[bool] = True

    def inputs(self) -> tuple[str, ...]:
        return (self.threshold,)

    def reservoirs(self) -> tuple[str, ...]:
        return (self.reservoir,)

    def step(self, env: _Env, x: list[np.ndarray]) -> np.ndarray:
        return self._pick(env.volume[:, env.res_index[self.reservoir]], x[0])


@dataclass(frozen=True)
class ParameterType:
    name: str
    description: str
    fields: tuple[Field, ...]
    cls: type[Parameter]


F = Field
_CURVES = F("control_curves", "params", True, "Control curves (proportion full, 0–1), highest first.")
_RES = F("reservoir", "reservoir", True, "The reservoir whose start-of-step state is read.")
PARAMETER_TYPES: dict[str, ParameterType] = {t.name: t for t in (
    ParameterType("constant", "A constant.", (F("value", "number", True, "The value."),), Constant),
    ParameterType("constantscenario", "One constant per member of a scenario dimension.", (
        F("scenario", "scenario", True, "Scenario dimension (see `scenarios:`)."),
        F("values", "numbers", True, "One value per member.")), ConstantScenario),
    ParameterType("monthlyprofile", "12 values, January first, repeated every year.", (
        F("values", "numbers", True, "12 values."),
        F("interp_day", "choice", False, "Interpolate daily between values on the first or last day of each "
          "month (none: a step change at each month start).", ("first", "last")),
        F("day", "choice", False, "With `interp_day`: the day of each step whose value the step takes, its "
          "`first` or its `last` (Pywr's rule for monthly steps).", ("first", "last"), default="first")),
        MonthlyProfile),
    ParameterType("dailyprofile", "366 values, one per day of the year (29 February at position 60), repeated "
                  "every year; a step takes the value of its first day (or its last, with `day: last`).", (
                      F("values", "numbers", True, "366 values."),
                      F("day", "choice", False, "The day of each step whose value the step takes, its `first` "
                        "or its `last` (Pywr's rule for monthly steps).", ("first", "last"), default="first")),
                  DailyProfile),
    ParameterType("dataframe", "A time series from a CSV file: a date column, then value columns; aligned to the "
                  "steps (mean of the rows in a step, or of the days of a step for coarser files).", (
                      F("csv", "text", True, "CSV file, relative to the model file."),
                      F("index_col", "text", False, "Date column (default: `date` if present, else the first)."),
                      F("columns", "columns", False, "Value column(s) (default: all); several need `scenario`."),
                      F("scenario", "scenario", False, "Scenario dimension whose members are the columns."),
                      F("timestep_offset", "int", False, "Read this many steps ahead (negative: behind).",
                        default=0),
                      F("dayfirst", "bool", False, "Dates written N/N/YYYY are day first (true) or month first "
                        "(false, Pywr's reading); default: as the file shows (a day above 12), else refused.")),
                  DataFrame),
    ParameterType("aggregated", "Sum, min, max, mean, product or median of other parameters.", (
        F("parameters", "params", True, "The parameters."),
        F("agg_func", "choice", True, "The function.", tuple(_AGG))), Aggregated),
    ParameterType("max", "max(parameter, threshold).", (
        F("parameter", "param", True, "The parameter."), F("threshold", "number", False, "Default 0.", default=0.0)),
        _unary("max")),
    ParameterType("min", "min(parameter, threshold).", (
        F("parameter", "param", True, "The parameter."), F("threshold", "number", False, "Default 0.", default=0.0)),
        _unary("min")),
    ParameterType("negative", "−parameter.", (F("parameter", "param", True, "The parameter."),), _unary("negative")),
    ParameterType("negativemax", "max(−parameter, threshold).", (
        F("parameter", "param", True, "The parameter."), F("threshold", "number", False, "Default 0.", default=0.0)),
        _unary("negativemax")),
    ParameterType("negativemin", "min(−parameter, threshold).", (
        F("parameter", "param", True, "The parameter."), F("threshold", "number", False, "Default 0.", default=0.0)),
        _unary("negativemin")),
    ParameterType("offset", "parameter + offset.", (
        F("parameter", "param", True, "The parameter."), F("offset", "number", False, "Default 0.", default=0.0)),
        _unary("offset")),
    ParameterType("division", "numerator / denominator.", (
        F("numerator", "param", True, "Numerator."), F("denominator", "param", True, "Denominator.")), Division),
    ParameterType("indexedarray", "The value of `parameters[i]`, i being the value of `index_parameter` (e.g. a "
                  "controlcurveindex).", (
                      F("index_parameter", "param", True, "Parameter giving a whole-number index."),
                      F("parameters", "params", True, "Parameters to choose from.")), IndexedArray),
    ParameterType("controlcurve", "`values[j]`, j being the first control curve the reservoir's proportion full "
                  "is at or above (the last value if below all).", (
                      _RES, _CURVES, F("values", "params", True, "One more than the curves.")), ControlCurve),
    ParameterType("controlcurveindex", "Index of the first control curve the reservoir is at or above (number of "
                  "curves if below all).", (_RES, _CURVES), ControlCurveIndex),
    ParameterType("controlcurveinterpolated", "Linear interpolation between `values` placed at 100 %, at each "
                  "curve and at 0 %, at the reservoir's proportion full.", (
                      _RES, _CURVES, F("values", "params", True, "Two more than the curves.")),
                  ControlCurveInterpolated),
    ParameterType("storage", "The reservoir's start-of-step volume (hm³), or its proportion full.", (
        _RES, F("proportional", "bool", False, "Return the proportion full instead.", default=False)), StorageVolume),
    ParameterType("interpolatedvolume", "Linear interpolation in a (volume, value) table at the start-of-step "
                  "volume.", (
                      _RES, F("volumes", "numbers", True, "Volumes (hm³), increasing."),
                      F("values", "numbers", True, "Values at those volumes."),
                      F("outside", "choice", False, "Outside the table: stop with an error (default), extrapolate "
                        "the end segments, or use `fill`.", ("error", "extrapolate", "fill"), default="error"),
                      F("fill", "numbers", False, "[value below, value above] for `outside: fill`.", default=())),
                  InterpolatedVolume),
    ParameterType("storagethreshold", "1 if the reservoir's start-of-step volume compares as `predicate` with "
                  "`threshold`, else 0; `values[0]`/`values[1]` instead when given.", (
                      _RES, F("threshold", "param", True, "The threshold (hm³)."),
                      F("predicate", "choice", False, "Comparison (default LT).", tuple(_PREDICATES), default="LT"),
                      F("values", "numbers", False, "[value if false, value if true].", default=())),
                  StorageThreshold),
    ParameterType("parameterthreshold", "1 if `parameter` compares as `predicate` with `threshold`, else 0; "
                  "`values[0]`/`values[1]` instead when given.", (
                      F("parameter", "param", True, "The parameter compared."),
                      F("threshold", "param", True, "The threshold."),
                      F("predicate", "choice", False, "Comparison (default LT).", tuple(_PREDICATES), default="LT"),
                      F("values", "numbers", False, "[value if false, value if true].", default=())),
                  ParameterThreshold),
)}


# -------------------------------------------------------------------------------------------- parsing
class ParseContext(Protocol):
    def add(self, place: str, message: str) -> None: ...

    def read_csv(self, name: str, place: str) -> tuple[pd.DataFrame, str] | None: ...


def parse_parameters(spec: Any, ctx: ParseContext) -> dict[str, Parameter]:
    """Parse a ``parameters:`` mapping; inline definitions and numbers given as inputs become parameters of
    their own named ``PARENT.FIELD[i]``.  Problems go to ``ctx``; bad parameters are left out."""
    out: dict[str, Parameter] = {}
    if spec is None:
        return out
    if not isinstance(spec, Mapping):
        ctx.add("parameters", "must be a mapping of parameter names to definitions")
        return out
    for name, raw in spec.items():
        _parse_one(str(name), raw, f"parameters[{name}]", ctx, out)
    return out


def _parse_one(name: str, raw: Any, place: str, ctx: ParseContext, out: dict[str, Parameter]) -> None:
    if is_number(raw):
        out[name] = Constant(name, place, float(raw))
        return
    if not isinstance(raw, Mapping) or "type" not in raw:
        ctx.add(place, "a parameter must be a number or a mapping with a 'type'")
        return
    ptype = PARAMETER_TYPES.get(str(raw["type"]))
    if ptype is None:
        ctx.add(place, f"unknown parameter type '{raw['type']}'; use one of: {', '.join(PARAMETER_TYPES)}")
        return
    known = {f.name for f in ptype.fields}
    kwargs: dict[str, Any] = {}
    ok = True
    for key in raw:
        if key not in known and key not in ("type", "description"):
            ctx.add(f"{place}.{key}", f"unknown field '{key}' for a {ptype.name} parameter; allowed: "
                    f"{', '.join(sorted(known))}")
            ok = False
    for f in ptype.fields:
        if f.name not in raw or raw[f.name] is None:
            if f.required:
                ctx.add(place, f"missing '{f.name}' ({f.description})")
                ok = False
            elif f.default is not None:
                kwargs[f.name] = f.default
            continue
        value = _parse_field(f, raw[f.name], f"{place}.{f.name}", f"{name}.{f.name}", ctx, out)
        if value is None:
            ok = False
        else:
            kwargs[f.name] = value
    if not ok:
        return
    if ptype.cls is DataFrame:
        frame = _read_frame(kwargs, place, ctx)
        if frame is None:
            return
        kwargs = {"csv": kwargs["csv"], "frame": frame, "scenario": kwargs.get("scenario"),
                  "timestep_offset": kwargs.get("timestep_offset", 0)}  # (dayfirst: for reading the file only)
    p = ptype.cls(name, place, **kwargs)
    problems = p.check()
    for msg in problems:
        ctx.add(place, msg)
    if not problems:
        out[name] = p


def _parse_field(f: Field, v: Any, place: str, child: str, ctx: ParseContext, out: dict[str, Parameter]) -> Any:
    kind = f.kind
    if kind == "number":
        if not is_number(v) or not np.isfinite(v):
            ctx.add(place, f"'{v}' is not a finite number")
            return None
        return float(v)
    if kind == "numbers":
        if not isinstance(v, list | tuple) or not all(is_number(x) and np.isfinite(x) for x in v):
            ctx.add(place, "must be a list of finite numbers")
            return None
        return tuple(float(x) for x in v)
    if kind == "param":
        return _child(v, place, child, ctx, out)
    if kind == "params":
        if not isinstance(v, list | tuple):
            ctx.add(place, "must be a list of parameters (names, numbers or definitions)")
            return None
        kids = [_child(x, f"{place}[{i}]", f"{child}[{i}]", ctx, out) for i, x in enumerate(v)]
        return None if any(k is None for k in kids) else tuple(kids)
    if kind in ("reservoir", "scenario", "text"):
        if not isinstance(v, str) or not v:
            ctx.add(place, "must be a non-empty string")
            return None
        return v
    if kind == "choice":
        if v not in f.choices:
            ctx.add(place, f"'{v}' is not one of: {', '.join(f.choices)}")
            return None
        return v
    if kind == "bool":
        if not isinstance(v, bool):
            ctx.add(place, "must be true or false")
            return None
        return v
    if kind == "int":
        if isinstance(v, bool) or not isinstance(v, int):
            ctx.add(place, "must be a whole number")
            return None
        return v
    if kind == "columns":
        if isinstance(v, str | int) and not isinstance(v, bool):
            return (str(v),)
        if isinstance(v, list) and v and all(isinstance(c, str | int) for c in v):
            return tuple(str(c) for c in v)
        ctx.add(place, "must be a column name or a list of them")
        return None
    raise AssertionError(kind)


def _child(v: Any, place: str, name: str, ctx: ParseContext, out: dict[str, Parameter]) -> str | None:
    """A parameter input: a name (kept), or a number or inline definition (parsed as parameter ``name``)."""
    if isinstance(v, str):
        return v
    if is_number(v) or isinstance(v, Mapping):
        before = len(out)
        _parse_one(name, v, place, ctx, out)
        return name if len(out) > before else None
    ctx.add(place, f"'{v}' is not a parameter: give a name, a number or a definition with a 'type'")
    return None


def _read_frame(kw: dict[str, Any], place: str, ctx: ParseContext) -> pd.DataFrame | None:
    got = ctx.read_csv(kw["csv"], place)
    if got is None:
        return None
    df, fname = got
    from .model.csvseries import read_csv_series  # (here: importing daryo.model imports this module)

    read = read_csv_series(df, fname, kw["csv"], place, ctx.add, kw.get("index_col"), kw.get("columns"),
                           kw.get("dayfirst"))
    if read is None:
        return None
    if len(read.columns) > 1 and not kw.get("scenario"):
        ctx.add(place, f"CSV '{kw['csv']}' has {len(read.columns)} value columns; name the scenario dimension they "
                "belong to (scenario: NAME) or pick one column")
        return None
    return pd.DataFrame(read.values, index=read.dates, columns=read.columns).sort_index()


def check_parameters(params: Mapping[str, Parameter], reservoirs: set[str], nodes: set[str],
                     dims: Sequence[ScenarioDim], file: str) -> list[Problem]:
    """References between parameters, to reservoirs and to scenario dimensions; sizes; cycles."""
    problems = []
    sizes = {d.name: d.size for d in dims}
    for p in params.values():
        for ref in p.inputs():
            if ref not in params:
                problems.append(Problem(file, p.place, f"names parameter '{ref}', which is not defined"))
        for r in p.reservoirs():
            if r not in reservoirs:
                what = "is not a reservoir" if r in nodes else "is not a node"
                problems.append(Problem(file, p.place, f"names '{r}', which {what}"))
        for s in p.scenarios():
            if s not in sizes:
                problems.append(Problem(file, p.place, f"names scenario '{s}', which is not declared under "
                                        "scenarios:"))
            elif isinstance(p, ConstantScenario) and len(p.values) != sizes[s]:
                problems.append(Problem(file, p.place, f"has {len(p.values)} values but scenario '{s}' has "
                                        f"{sizes[s]} members"))
            elif isinstance(p, DataFrame) and p.frame is not None and p.frame.shape[1] != sizes[s]:
                problems.append(Problem(file, p.place, f"has {p.frame.shape[1]} columns but scenario '{s}' has "
                                        f"{sizes[s]} members"))
    for cycle in _cycles(params):
        problems.append(Problem(file, params[cycle[0]].place, "parameters depend on each other in a cycle: "
                                + " -> ".join(cycle + [cycle[0]])))
    return problems


def _cycles(params: Mapping[str, Parameter]) -> list[list[str]]:
    state: dict[str, int] = {}
    found: list[list[str]] = []

    def visit(n: str, path: list[str]) -> None:
        state[n] = 1
        for m in params[n].inputs():
            if m not in params:
                continue
            if state.get(m) == 1:
                found.append(path[path.index(m):] if m in path else [m])
            elif m not in state:
                visit(m, path + [m])
        state[n] = 2

    for n in params:
        if n not in state:
            visit(n, [n])
    return found


# ------------------------------------------------------------------------------------------ evaluation
@dataclass
class _StepEnv:
    t: int
    volume: np.ndarray
    proportion: np.ndarray
    res_index: Mapping[str, int]


def state_dependent(params: Mapping[str, Parameter]) -> set[str]:
    """Names of the parameters that read the reservoir state, directly or through their inputs.

    Parameters
    ----------
    params
        A model's parameters (a dependency cycle does not loop: it is reported elsewhere).

    Returns
    -------
    set of str
        The state-dependent ones, which the engine evaluates at every step.
    """
    found = {k for k, p in params.items() if p.reads_state}
    while True:
        more = {k for k, p in params.items() if k not in found and any(i in found for i in p.inputs())}
        if not more:
            return found
        found |= more


@dataclass
class ParameterSet:
    """The parameters of a run: static ones resolved to (S|1, T) arrays, state-dependent ones in evaluation
    order.

    Build with :meth:`build`; :meth:`step` evaluates the state-dependent ones at one step.
    """

    static_values: dict[str, np.ndarray]
    dynamic: list[str]
    params: Mapping[str, Parameter]
    res_index: Mapping[str, int]
    initial_proportion: np.ndarray = field(default_factory=lambda: np.zeros((1, 0)))  # (S|1, R)
    # (S|1, T, R) each reservoir's max_volume, the divisor of the proportion full (flood control aside); NaN where a
    # state-dependent parameter sets it
    full_volume: np.ndarray = field(default_factory=lambda: np.zeros((1, 0, 0)))
    axis: TimeAxis | None = None  # the run's steps and the model file, for messages
    file: str = ""
    used: frozenset[str] = frozenset()  # the parameters attributes read: their values must be finite

    @classmethod
    def build(cls, params: Mapping[str, Parameter], env: StaticEnv, res_index: Mapping[str, int],
              needed: set[str] | None = None, file: str = "") -> ParameterSet:
        """Resolve every static parameter; keep the state-dependent ones that ``needed`` (names, default all)
        depend on, in dependency order.

        Raises
        ------
        ModelError
            If a static parameter that ``needed`` names is not a finite number at some step (a division by
            zero…).
        """
        order = _topological(params)
        dynamic_all = state_dependent(params)
        static_values: dict[str, np.ndarray] = {}
        for n in order:
            if n not in dynamic_all:
                p = params[n]
                static_values[n] = np.asarray(p.static(env, [static_values[i] for i in p.inputs()]), dtype=float)
        keep = set(dynamic_all) if needed is None else _closure(params, needed) & dynamic_all
        used = frozenset(params if needed is None else needed)
        out = cls(static_values, [n for n in order if n in keep], params, res_index, axis=env.axis, file=file,
                  used=used)
        problems = [out._not_finite(n, v) for n, v in static_values.items() if n in used]
        if any(problems):
            raise ModelError([q for q in problems if q is not None])
        return out

    def _not_finite(self, name: str, values: np.ndarray, step: int | None = None) -> Problem | None:
        """The problem of a parameter whose values, (S|1, T) or (S,) at ``step``, are not all finite numbers."""
        bad = ~np.isfinite(values)
        if not bad.any():
            return None
        s, t = (int(i) for i in np.argwhere(bad)[0]) if values.ndim > 1 else (int(np.argmax(bad)), step)
        value = values[s, t] if values.ndim > 1 else values[s]
        when = f" at the step starting {self.axis.starts[t]:%Y-%m-%d}" if t is not None and self.axis else ""
        return Problem(self.file, self.params[name].place or f"parameters[{name}]", (
            f"evaluates to {value}{when} (scenario {s}); a parameter's value must be a finite number: check "
            "its divisions and the parameters it is computed from"))

    def is_dynamic(self, name: str) -> bool:
        return name not in self.static_values

    def index(self, name: str) -> int:
        return self.dynamic.index(name)

    def step(self, t: int, volume: np.ndarray, proportion: np.ndarray) -> np.ndarray:
        """Values of the state-dependent parameters at step ``t``, shape (S, number of them)."""
        env = _StepEnv(t, volume, proportion, self.res_index)
        S = volume.shape[0]
        values: dict[str, np.ndarray] = {}
        out = np.empty((S, len(self.dynamic)))
        for k, n in enumerate(self.dynamic):
            p = self.params[n]
            x = [values[i] if i in values else self.static_values[i][:, t] for i in p.inputs()]
            values[n] = np.broadcast_to(np.asarray(p.step(env, x), dtype=float), (S,))
            out[:, k] = values[n]
            problem = self._not_finite(n, values[n], t) if n in self.used else None
            if problem is not None:
                raise ModelError(problem)
        return out


def _topological(params: Mapping[str, Parameter]) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()

    def visit(n: str) -> None:
        if n in seen:
            return
        seen.add(n)
        for m in params[n].inputs():
            if m in params:
                visit(m)
        order.append(n)

    for n in params:
        visit(n)
    return order


def _closure(params: Mapping[str, Parameter], names: set[str]) -> set[str]:
    out: set[str] = set()
    stack = [n for n in names if n in params]
    while stack:
        n = stack.pop()
        if n not in out:
            out.add(n)
            stack.extend(i for i in params[n].inputs() if i in params)
    return out
