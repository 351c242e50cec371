"""Evaluation: static parameters resolved once, state-dependent ones at the start of every step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..errors import ModelError, Problem
from ..timeaxis import TimeAxis
from .base import Parameter, ParameterValueError, StaticEnv, depth_first


def _unchecked() -> np.errstate:
    """NumPy's warnings of overflows and invalid divisions left unsaid: a parameter's value that is not a finite
    number is a problem with its place (``_not_finite``), which a warning printed before it would only muddle."""
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


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
        order = dependency_order(params)
        dynamic_all = state_dependent(params)
        static_values: dict[str, np.ndarray] = {}
        for n in order:
            if n not in dynamic_all:
                p = params[n]
                try:
                    with _unchecked():  # (a value that is not finite is said below, with its place)
                        static_values[n] = np.asarray(p.static(env, [static_values[i] for i in p.inputs()]),
                                                      dtype=float)
                except ParameterValueError as exc:
                    raise ModelError(_value_problem(file, env.axis, n, p, exc)) from None
        keep = set(dynamic_all) if needed is None else with_inputs(params, needed) & dynamic_all
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
        with _unchecked():  # (once a step, not once a parameter: a value that is not finite is said with its place)
            return self._step(t, volume, proportion)

    def _step(self, t: int, volume: np.ndarray, proportion: np.ndarray) -> np.ndarray:
        env = _StepEnv(t, volume, proportion, self.res_index)
        S = volume.shape[0]
        values: dict[str, np.ndarray] = {}
        out = np.empty((S, len(self.dynamic)))
        for k, n in enumerate(self.dynamic):
            p = self.params[n]
            x = [values[i] if i in values else self.static_values[i][:, t] for i in p.inputs()]
            try:
                values[n] = np.broadcast_to(np.asarray(p.step(env, x), dtype=float), (S,))
            except ParameterValueError as exc:
                exc.step = t
                raise ModelError(_value_problem(self.file, self.axis, n, p, exc)) from None
            out[:, k] = values[n]
            problem = self._not_finite(n, values[n], t) if n in self.used else None
            if problem is not None:
                raise ModelError(problem)
        return out


def _value_problem(file: str, axis: TimeAxis | None, name: str, param: Parameter, exc: ParameterValueError
                   ) -> Problem:
    """The problem of a parameter that cannot give a value (:class:`ParameterValueError`), at its place."""
    when = f"at the step starting {axis.starts[exc.step]:%Y-%m-%d} " if exc.step is not None and axis else ""
    return Problem(file, param.place or f"parameters[{name}]", f"{when}(scenario {exc.scenario}): {exc}")


def dependency_order(params: Mapping[str, Parameter]) -> list[str]:
    """The parameters' names, each after those it reads (a walk with a stack of its own, not Python's: a chain of
    a thousand parameters passed its recursion limit).

    Parameters
    ----------
    params
        A model's parameters (a dependency cycle does not loop: it is reported elsewhere).

    Returns
    -------
    list of str
        Their names, inputs first.
    """
    return depth_first({n: p.inputs() for n, p in params.items()})[0]


def with_inputs(params: Mapping[str, Parameter], names: set[str]) -> set[str]:
    """The parameters ``names`` (those of ``params``) and every parameter they read, directly or not."""
    out: set[str] = set()
    stack = [n for n in names if n in params]
    while stack:
        n = stack.pop()
        if n not in out:
            out.add(n)
            stack.extend(i for i in params[n].inputs() if i in params)
    return out
