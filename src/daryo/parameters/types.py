"""The parameter types and the table of their fields (:data:`PARAMETER_TYPES`), which the loader, the
validation and the documentation read."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..timeaxis import TimeAxis
from .base import Field, Parameter, ParameterRef, ParameterValueError, StaticEnv, _Env
from .frames import DataFrame


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
        whole = idx == np.round(idx)
        if not whole.all():  # (it took the whole part without a word; an index parameter gives whole numbers)
            first = tuple(int(i) for i in np.argwhere(~whole)[0])
            raise ParameterValueError(f"its index parameter '{self.index_parameter}' gave {float(idx[first]):g}, "
                                      "which is not a whole number: an index picks one of the parameters (0 for "
                                      "the first); give an index parameter of whole numbers",
                                      first[0], first[1] if idx.ndim > 1 else None)
        k = idx.astype(np.int64)
        outside = (k < 0) | (k >= len(vals))
        if outside.any():  # (it took the last entry without a word; Pywr raises)
            first = tuple(int(i) for i in np.argwhere(outside)[0])
            n = len(vals)
            raise ParameterValueError(f"its index parameter '{self.index_parameter}' gave {int(k[first])}, beyond "
                                      f"its {n} parameter(s) (indices 0 to {n - 1}); give one parameter per index "
                                      "it can take", first[0], first[1] if k.ndim > 1 else None)
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


#: how far (hm³) beyond an end of an ``interpolatedvolume`` table a volume counts as at that end (Pywr's 1e-6)
TABLE_END_TOLERANCE = 1e-6


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
        xs, ys = np.asarray(self.volumes), np.asarray(self.values)
        v = env.volume[:, env.res_index[self.reservoir]]
        # a volume within TABLE_END_TOLERANCE of an end is at it (a table that ends at max_volume meets a reservoir
        # filled to it, which rounding or the LP's tolerance leaves a hair above), as Pywr snaps volumes to bounds
        v = np.where(np.abs(v - xs[0]) <= TABLE_END_TOLERANCE, np.maximum(v, xs[0]), v)
        v = np.where(np.abs(v - xs[-1]) <= TABLE_END_TOLERANCE, np.minimum(v, xs[-1]), v)
        out = np.interp(v, xs, ys)
        below, above = v < xs[0], v > xs[-1]
        if self.outside == "error" and (below.any() or above.any()):
            s = int(np.argmax(below | above))
            raise ParameterValueError((
                f"the volume of '{self.reservoir}' ({float(v[s]):.10g}) is outside the table ({xs[0]:.10g} to "
                f"{xs[-1]:.10g}); extend the table or set outside: extrapolate or fill"), scenario=s)
        if self.outside == "extrapolate":
            lo = ys[0] + (v - xs[0]) * (ys[1] - ys[0]) / (xs[1] - xs[0])
            hi = ys[-1] + (v - xs[-1]) * (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])
            out = np.where(below, lo, np.where(above, hi, out))
        elif self.outside == "fill":
            out = np.where(below, self.fill[0], np.where(above, self.fill[1], out))
        return out


_PREDICATES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "LT": np.less, "GT": np.greater, "EQ": np.equal, "LE": np.less_equal, "GE": np.greater_equal}
#: the predicates in the parameter reference (docs/model-format.md), Pywr's names (a numerical verification review:
#: ``predicate: ">="`` was refused, and the reference named none)
_PREDICATE_TEXT = (" `predicate` is one of `LT` (<, the default), `LE` (≤), `EQ` (=), `GE` (≥) and `GT` (>), as "
                   "in Pywr.")


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


@dataclass(frozen=True, eq=False)
class NodeInflow(Parameter):
    """The inflow of an inflow node in each step and scenario (hm³ per step): its ``inflow`` as the run has it, after
    the overlays and, in an ensemble, the trace's.  :func:`bind_node_inflows` gives it the node's inflow: the
    parameter that inflow reads (``source``, times ``factor``, and the steps' ``days`` for a rate), or its values."""

    node: str = ""
    source: str = ""
    factor: float = 1.0
    days: np.ndarray | None = None  # (T,) the steps' days, for a source per day
    values: np.ndarray | None = None  # (S|1, T)
    type_name: ClassVar[str] = "inflow"

    def inputs(self) -> tuple[str, ...]:
        return (self.source,) if self.source else ()

    def static(self, env: StaticEnv, x: list[np.ndarray]) -> np.ndarray:
        if self.source:
            return x[0] * self.factor * (1.0 if self.days is None else self.days[None, :])
        if self.values is None:  # (the model's loading refuses a node without an inflow series)
            raise ParameterValueError(f"'{self.node}' has no inflow series to read")
        return self.values

    def step(self, env: _Env, x: list[np.ndarray]) -> np.ndarray:
        # (a source that reads the reservoir state: an inflow set by a rule)
        return x[0] * self.factor * (1.0 if self.days is None else self.days[env.t])


def bind_node_inflows(params: Mapping[str, Parameter], inflows: Mapping[str, Any], axis: TimeAxis
                      ) -> dict[str, Parameter]:
    """The parameters with each :class:`NodeInflow` given its node's inflow as the run has it.

    Parameters
    ----------
    params
        The model's parameters (not changed).
    inflows
        The inflow nodes' ``inflow`` attributes by id: a series (resolved on ``axis``) or a reference to a parameter.
    axis
        The run's time axis.

    Returns
    -------
    dict
        The parameters, each :class:`NodeInflow` replaced by one bound to its node's inflow.
    """
    out = dict(params)
    for name, p in params.items():
        if isinstance(p, NodeInflow):
            v = inflows.get(p.node)
            if isinstance(v, ParameterRef):
                out[name] = replace(p, source=v.name, factor=v.factor,
                                    days=np.asarray(axis.days, dtype=float) if v.is_rate else None)
            elif callable(resolve := getattr(v, "resolve", None)):  # (a series: daryo.model imports this module)
                out[name] = replace(p, values=np.asarray(resolve(axis), dtype=float))
    return out


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
                  "steps (mean of the rows in a step, or of the days of a step for coarser files); with "
                  "`timestep_offset`, a step whose offset falls outside the run takes the run's last (first) step's "
                  "value, as in Pywr.", (
                      F("csv", "text", True, "CSV file, relative to the model file."),
                      F("index_col", "text", False, "Date column (default: `date` if present, else the first)."),
                      F("columns", "columns", False, "Value column(s) (default: all); several need `scenario`."),
                      F("column", "columns", False, "The same as `columns` (the key CSV series and Pywr take for one "
                        "column); give `column` or `columns`, not both."),
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
                  "controlcurveindex); an index beyond the list is an error.", (
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
                  "volume; a volume within 1e-6 hm³ of an end of the table is at that end, also with `outside` "
                  "(Pywr snaps a volume so to its reservoir's bounds, a table's ends where it spans them).", (
                      _RES, F("volumes", "numbers", True, "Volumes (hm³), increasing."),
                      F("values", "numbers", True, "Values at those volumes."),
                      F("outside", "choice", False, "Outside the table: stop with an error (default), extrapolate "
                        "the end segments, or use `fill`.", ("error", "extrapolate", "fill"), default="error"),
                      F("fill", "numbers", False, "[value below, value above] for `outside: fill`.", default=())),
                  InterpolatedVolume),
    ParameterType("storagethreshold", "1 if the reservoir's start-of-step volume compares as `predicate` with "
                  f"`threshold`, else 0; `values[0]`/`values[1]` instead when given.{_PREDICATE_TEXT}", (
                      _RES, F("threshold", "param", True, "The threshold (hm³)."),
                      F("predicate", "choice", False, "Comparison (default LT).", tuple(_PREDICATES), default="LT"),
                      F("values", "numbers", False, "[value if false, value if true].", default=())),
                  StorageThreshold),
    ParameterType("inflow", "The inflow of an inflow node in each step (hm³ per step), as the run has it: after "
                  "the overlays, and in an ensemble the trace's: a flow owed as a share of a river's flow is "
                  "`flow: {parameter: river_flow, scale: 0.42}` with `river_flow: {type: inflow, node: river}`.", (
                      F("node", "text", True, "An inflow node with an `inflow` series."),), NodeInflow),
    ParameterType("parameterthreshold", "1 if `parameter` compares as `predicate` with `threshold`, else 0; "
                  f"`values[0]`/`values[1]` instead when given.{_PREDICATE_TEXT}", (
                      F("parameter", "param", True, "The parameter compared."),
                      F("threshold", "param", True, "The threshold."),
                      F("predicate", "choice", False, "Comparison (default LT).", tuple(_PREDICATES), default="LT"),
                      F("values", "numbers", False, "[value if false, value if true].", default=())),
                  ParameterThreshold),
)}
