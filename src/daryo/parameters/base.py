"""References to parameters, scenario dimensions, and the base of every parameter type."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np

from ..errors import rebuilt_error
from ..timeaxis import TimeAxis


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


def references(attrs: Mapping[str, Any]) -> list[ParameterRef]:
    """The parameter references among attribute values (and in lists of them)."""
    return [x for v in attrs.values() for x in (v if isinstance(v, list) else [v]) if isinstance(x, ParameterRef)]


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


# ------------------------------------------------------------------------------------- the base of every type
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


class ParameterValueError(ValueError):
    """A parameter cannot give a value from its inputs' (an index beyond its list, say); the message says why,
    and the evaluation adds the parameter's place, the step and the scenario."""

    def __init__(self, message: str, scenario: int = 0, step: int | None = None) -> None:
        super().__init__(message)
        self.scenario, self.step = scenario, step

    def __reduce__(self) -> tuple:
        """Pickled as its message, scenario and step (a worker's error crosses processes whole)."""
        return rebuilt_error, (type(self), self.args, dict(self.__dict__))


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


def depth_first(graph: Mapping[str, Sequence[str]]) -> tuple[list[str], list[list[str]]]:
    """A walk of ``graph`` (each parameter's name and the names of those it reads; names not in it are left out)
    with a stack of its own (by recursion, a chain of a thousand parameters passed Python's limit): the names,
    each after those it reads, and the cycles met, each as the names along it."""
    state: dict[str, int] = {}  # 1: on the walk's path, 2: done
    order: list[str] = []
    cycles: list[list[str]] = []
    for root in graph:
        if root in state:
            continue
        state[root] = 1
        path, stack = [root], [iter(graph[root])]
        while stack:
            for m in stack[-1]:
                if m not in graph:
                    continue
                if state.get(m) == 1:
                    cycles.append(path[path.index(m):])
                elif m not in state:
                    state[m] = 1
                    path.append(m)
                    stack.append(iter(graph[m]))
                    break
            else:
                done = path.pop()
                state[done] = 2
                order.append(done)
                stack.pop()
    return order, cycles
