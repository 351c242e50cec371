"""The builder of a compiled network's LP: its columns, rows and entries, with the per-step tables of their
values, and the resolution of attribute values (numbers, series, parameters) into per-step arrays."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import ModelError, Problem
from ..model import Model, Series
from ..parameters import ParameterRef, ParameterSet
from ..solver import LinearProgram
from ..timeaxis import TimeAxis
from ..units import MAX_MAGNITUDE, too_large_text
from .compiled import ParameterBinding, StepTable

__all__ = ["LPBuilder", "NEGATIVE_FACTOR", "NEGATIVE_FLOW", "negative_parameter"]


class LPBuilder:
    """Accumulates an LP's columns (bounds and costs: per-step tables (S|1, T) where they vary), rows, matrix
    entries and per-step coefficients, and the bindings of state-dependent parameters to them; resolves attribute
    values (numbers, series, static parameters) on the run's time axis."""

    def __init__(self, axis: TimeAxis, n_scen: int, params: ParameterSet | None, model: Model):
        self.axis, self.n_scen, self.params, self.model = axis, n_scen, params, model
        self.file = str(model.path or "")
        self.bindings: list[tuple[str, int, ParameterRef, float]] = []  # (target, index, reference, offset)
        self.col_names: list[str] = []
        self.row_names: list[str] = []
        self.entries: dict[tuple[int, int], float] = {}
        self.lo: list[tuple[int, np.ndarray]] = []
        self.hi: list[tuple[int, np.ndarray]] = []
        self.cost: list[tuple[int, np.ndarray]] = []
        self.base_lo: list[float] = []
        self.base_hi: list[float] = []
        self.base_cost: list[float] = []
        self.row_lo: list[float] = []
        self.row_hi: list[float] = []
        self.coefficients: list[tuple[int, int, np.ndarray]] = []
        self.signed: set[int] = set()  # columns that may be negative (a constraint's weighted sum of flows)

    def resolve(self, v: Series | float | None, default: float, every_trace: bool = False) -> np.ndarray:
        """(S|1, T) per-step values of an attribute, of the run's scenarios only (a run may take fewer than the
        model's series hold), or with ``every_trace`` of all the series' traces (an attribute the engine keeps one
        series of, which must be the same in all of them, whichever a run takes)."""
        rows = None if every_trace else self.n_scen
        if v is None:
            return np.full((1, self.axis.n_steps), default)
        if isinstance(v, np.ndarray):
            return v[:rows]
        if isinstance(v, Series):
            return v.resolve(self.axis)[:rows]
        if isinstance(v, ParameterRef):
            if self.is_dynamic(v):
                raise ModelError(Problem(self.file, v.place, (
                    f"parameter '{v.name}' depends on the reservoir state, which this attribute cannot use "
                    "(state-dependent parameters can set flow bounds, costs, reservoir volumes and constraint "
                    "bounds and factors)")))
            assert self.params is not None
            with np.errstate(over="ignore"):
                canonical = self.params.static_values[v.name] * v.factor  # (per day for a rate, as validation's)
            if not np.all(np.abs(canonical) <= MAX_MAGNITUDE):  # (as validation refuses numbers of the model's own)
                raise self.too_large_static(v, canonical)
            return canonical * self.rate_days(v)[None, :]
        return np.full((1, self.axis.n_steps), float(v))

    def too_large_static(self, ref: ParameterRef, values: np.ndarray) -> ModelError:
        """The error of a static parameter whose ``values`` (S|1, T, in the attribute's canonical units: per day
        for a rate) are larger in magnitude than :data:`~daryo.units.MAX_MAGNITUDE`, where they are largest."""
        where = self.where_lowest(-np.abs(values))
        largest = float(values.flat[int(np.argmax(np.abs(values)))])
        shown = f"{largest:g}" if np.isfinite(largest) else "more than 1.8e308"
        per_day = " a day" if ref.is_rate else ""
        return ModelError(Problem(self.file, ref.place, (
            f"parameter '{ref.name}' gives {shown}{per_day}{where} (its value times the reference's unit and "
            f"scale): {too_large_text()}")))

    def negative_static(self, ref: ParameterRef, values: np.ndarray, what: str) -> ModelError:
        """The error of a static parameter whose ``values`` (S|1, T, in the attribute's units) go below zero: its
        lowest value in its own terms (before a reference's unit or scale), and where it is, where it varies."""
        own = self.params.static_values[ref.name] if self.params is not None and ref.factor > 0 else values
        return negative_parameter(self.file, ref, float(own.min()), what, self.where_lowest(own))

    def where_lowest(self, values: np.ndarray) -> str:
        """Where per-step values (S|1, T) are lowest, for messages: the step where they vary by step, and the
        scenario where they vary by scenario (`` at the step starting 2001-02-01 (scenario 1)``, `` in scenario
        1``), else ""."""
        s, t = (int(i) for i in np.unravel_index(int(np.argmin(values)), values.shape))
        name = self.model.scenario_name(s)
        by_scenario = bool(np.any(values != values[:1, :]))
        if not np.any(values != values[:, :1]):  # (the same at every step)
            return f" in scenario {name}" if by_scenario else ""
        step = f" at the step starting {self.axis.starts[t]:%Y-%m-%d}"
        return f"{step} (scenario {name})" if by_scenario else step

    def is_dynamic(self, v: object) -> bool:
        return isinstance(v, ParameterRef) and self.params is not None and self.params.is_dynamic(v.name)

    def rate_days(self, v: ParameterRef) -> np.ndarray:
        return self.axis.days if v.is_rate else np.ones(self.axis.n_steps)

    def bind(self, target: str, index: int, ref: ParameterRef, offset: float = 0.0) -> None:
        """Have the engine set this entry from a state-dependent parameter at every step."""
        self.bindings.append((target, index, ref, offset))

    def col(self, name: str, lo: object = 0.0, hi: object = None, cost: object = 0.0, cost_offset: float = 0.0,
            signed: bool = False) -> int:
        """A column with its bounds and cost (numbers, series or parameters); ``signed``: it may be negative (a
        constraint's weighted sum of flows), so a parameter may give it negative bounds."""
        j = len(self.col_names)
        self.col_names.append(name)
        if signed:
            self.signed.add(j)
        for kind, target, base, v, d in (("col_lower", self.lo, self.base_lo, lo, 0.0),
                                         ("col_upper", self.hi, self.base_hi, hi, np.inf),
                                         ("cost", self.cost, self.base_cost, cost, 0.0)):
            offset = cost_offset if kind == "cost" else 0.0
            if self.is_dynamic(v):
                base.append(d)
                self.bind(kind, j, v, offset)  # type: ignore[arg-type]
                continue
            arr = self.resolve(v, d) + offset  # type: ignore[arg-type]
            bound_of_a_flow = kind != "cost" and not signed
            if bound_of_a_flow and isinstance(v, ParameterRef) and np.any(arr < 0):  # (numbers: checked on loading)
                raise self.negative_static(v, arr, NEGATIVE_FLOW)
            base.append(float(arr.flat[0]))
            if not np.all(arr == arr.flat[0]):
                target.append((j, arr))
        return j

    def row(self, name: str, lo: float, hi: float) -> int:
        i = len(self.row_names)
        self.row_names.append(name)
        self.row_lo.append(lo)
        self.row_hi.append(hi)
        return i

    def add(self, row: int, col: int, value: float) -> None:
        self.entries[(row, col)] = self.entries.get((row, col), 0.0) + value

    def add_series(self, row: int, col: int, values: np.ndarray) -> None:
        """A coefficient that may change by step or scenario."""
        if np.all(values == values.flat[0]):
            self.add(row, col, float(values.flat[0]))
        else:
            self.add(row, col, float(values.flat[0]) or 1.0)  # placeholder keeps the entry in the pattern
            self.coefficients.append((row, col, values))

    def lp(self) -> LinearProgram:
        keys = list(self.entries)
        rows = np.array([k[0] for k in keys], dtype=np.int64)
        cols = np.array([k[1] for k in keys], dtype=np.int64)
        vals = np.array([self.entries[k] for k in keys], dtype=float)
        A = sp.csc_matrix((vals, (rows, cols)), shape=(len(self.row_names), len(self.col_names)))
        return LinearProgram(A, np.array(self.base_cost), np.array(self.base_lo), np.array(self.base_hi),
                             np.array(self.row_lo), np.array(self.row_hi), self.col_names, self.row_names)

    def table(self, entries: list[tuple[int, np.ndarray]]) -> StepTable:
        return StepTable.build(entries, self.axis.n_steps, self.n_scen)

    def add_factor(self, row: int, col: int, v: object, sign: float) -> None:
        """A coefficient ``sign × v`` where ``v``, a flow ratio's factor (≥ 0), may be a number, a series or a
        parameter."""
        if self.is_dynamic(v):
            self.add(row, col, sign)  # placeholder keeps the entry in the pattern
            self.coefficients.append((row, col, np.full((1, self.axis.n_steps), sign)))
            ref: ParameterRef = v  # type: ignore[assignment]
            self.bind("coefficient", len(self.coefficients) - 1,
                      ParameterRef(ref.name, sign * ref.factor, ref.is_rate, ref.place))
        else:
            values = self.resolve(v, 0.0)  # type: ignore[arg-type]
            if isinstance(v, ParameterRef) and np.any(values < 0):  # (numbers and series: checked on loading)
                raise self.negative_static(v, values, NEGATIVE_FACTOR)
            self.add_series(row, col, sign * values)

    def compiled_bindings(self) -> list[ParameterBinding]:
        assert self.params is not None or not self.bindings
        out = []
        for target in ("col_lower", "col_upper", "cost", "coefficient", "res_min"):
            rows = [b for b in self.bindings if b[0] == target]
            if not rows:
                continue
            assert self.params is not None
            scale = np.stack([ref.factor * self.rate_days(ref) for _, _, ref, _ in rows], axis=1)
            out.append(ParameterBinding(target, np.array([i for _, i, _, _ in rows], dtype=np.int64),
                                        np.array([self.params.index(ref.name) for _, _, ref, _ in rows],
                                                 dtype=np.int64),
                                        scale, np.array([o for _, _, _, o in rows], dtype=float),
                                        tuple(ref for _, _, ref, _ in rows),
                                        np.array([target in ("res_min", "coefficient")
                                                  or (target in ("col_lower", "col_upper") and i not in self.signed)
                                                  for _, i, _, _ in rows], dtype=bool)))
        return out


NEGATIVE_FLOW = "a negative flow or volume; it must be ≥ 0"
NEGATIVE_FACTOR = "a negative factor; a flow ratio's factors must be ≥ 0"


def negative_parameter(file: str, ref: ParameterRef, value: float, what: str, when: str = "") -> ModelError:
    """The error of a parameter that gives a value below zero where none may be.

    Parameters
    ----------
    file
        The model file, for the message.
    ref
        The reference to the parameter (its name, and its place in the model file).
    value
        The value it gave.
    what
        What the value is and what it must be: :data:`NEGATIVE_FLOW` or :data:`NEGATIVE_FACTOR`.
    when
        Where the value is (`` at the step starting … (scenario …)``, `` in scenario …``; "" for none).

    Returns
    -------
    ModelError
        To raise.
    """
    return ModelError(Problem(file, ref.place, f"parameter '{ref.name}' gives {value:g}{when}, {what}"))
