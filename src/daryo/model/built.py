"""Checks of a model the loader did not make (built in code, or changed with :func:`dataclasses.replace`): what the
loader refuses of its structure, then every check of :mod:`daryo.model.validate`."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from ..errors import ModelError, Problem, did_you_mean, kind_of
from ..parameters import ParameterRef
from ..timeaxis import span_problem
from ..units import CANONICAL_UNITS, MAX_MAGNITUDE, UnitError, is_number, parse_quantity, unit_factor
from .components import COMPONENT_TYPES, CONSTRAINT_TYPES, component_type
from .series import Series
from .types import Constraint, Edge, Model, Node, TimeSpec
from .validate import SURPLUS_VALUES, _attribute, validate_model

__all__ = ["check_built", "check_built_model"]


#: the attribute kinds whose value is a number, a series or a parameter reference
_NUMERIC_KINDS = ("series", "scalar", "monthly", "int")


def check_built_model(model: Model) -> list[Problem]:
    """The problems of a model the loader did not make (built in code, or changed with :func:`dataclasses.replace`,
    so that :attr:`Model.validated` is False): what the loader refuses of its structure (an allocation mode, a node
    type or an attribute it does not know, a value that is no number, series or parameter, a number or series that
    is not finite), then, if there is none, every check of :data:`CHECKS`.  Parts that are not even of their types
    (a node that is no :class:`Node`) are one problem saying so: build the model with
    :func:`daryo.model.model_from_dict`, which checks it."""
    file = model.source()  # (a loaded model changed in Python is not its file: "aral.yaml, as changed in Python")
    problems = list(_structure_problems(model, file))
    if problems:
        return problems
    try:  # (a model shortened by Model.with_time keeps its longer series: no problem there)
        return [p for p in validate_model(model, file) if p.code != SURPLUS_VALUES]
    except (AttributeError, TypeError, KeyError, IndexError, ValueError, AssertionError) as exc:
        return [Problem(file, "", f"the model holds a part no loaded model has ({type(exc).__name__}: {exc}); build "
                        "it with daryo.model.model_from_dict, which checks it")]


def check_built(model: Model) -> None:
    """Raise the :class:`~daryo.ModelError` of a model the loader did not make, if it has problems
    (:func:`check_built_model`); a model the loader made (:attr:`Model.validated`) was checked then."""
    if not model.validated and (problems := check_built_model(model)):
        raise ModelError(problems)


def _structure_problems(model: Model, file: str) -> Iterable[Problem]:
    if model.allocation not in ("priority", "cost"):
        yield Problem(file, "allocation", f"{kind_of(model.allocation)} is not an allocation mode; use priority or "
                      "cost")
    if not isinstance(model.time, TimeSpec) or not (model.time.step_days is None or (
            isinstance(model.time.step_days, int) and model.time.step_days >= 1)):
        yield Problem(file, "time", f"{kind_of(model.time)} is not a time span of whole-day or monthly steps")
    if isinstance(model.time, TimeSpec) and (why := _span_problem(model.time)) is not None:
        yield Problem(file, "time", why)
    if not model.scenario_names:
        yield Problem(file, "", "the model has no scenario trace (scenario_names is empty); give at least one name")
    yield from _built_constraint_problems(model, file)
    for el in [*model.nodes, *model.edges]:
        if not isinstance(el, Node | Edge) or not isinstance(el.attrs, Mapping):
            yield Problem(file, "nodes", f"{kind_of(el)} is not a node or edge with attributes (a mapping)")
            continue
        if isinstance(el, Node) and component_type(el.type) is None:
            yield Problem(file, el.at(), f"unknown component type {kind_of(el.type)}"
                          f"{did_you_mean(el.type, COMPONENT_TYPES)}; use one of: {', '.join(COMPONENT_TYPES)}")
            continue
        for key, value in el.attrs.items():
            attr = _attribute(el, key)
            if attr is None:
                yield Problem(file, el.at(key), f"unknown attribute '{key}'")
            elif isinstance(value, ParameterRef):
                if value.name not in model.parameters:
                    yield Problem(file, el.at(key), f"names parameter '{value.name}', which the model does not have"
                                  f"{did_you_mean(value.name, model.parameters)}")
            elif isinstance(value, Series):
                if value.values.dtype.kind not in "iuf":
                    yield Problem(file, el.at(key), f"holds values of NumPy kind '{value.values.dtype}', not numbers")
                elif not np.all(np.isfinite(value.values)):
                    yield Problem(file, el.at(key), "contains non-finite numbers (NaN or infinity); give finite "
                                  "values")
                elif value.n_scenarios not in (1, len(model.scenario_names)):
                    yield Problem(file, el.at(key), f"has {value.n_scenarios} scenario traces, and the model "
                                  f"{len(model.scenario_names)} scenario names; give one trace or one per name")
            elif attr.kind in _NUMERIC_KINDS and not isinstance(value, ParameterRef):
                if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
                    yield Problem(file, el.at(key), f"is {kind_of(value)}, not a number, a series or a parameter"
                                  + _in_code_units(key, value, attr.dimension))
                elif not math.isfinite(value):
                    yield Problem(file, el.at(key), f"is {value}: not a finite number")


def _in_code_units(key: str, value: object, dimension: str | None) -> str:
    """The end of the message on an attribute of a model built or changed in Python that is not a number: there a
    value is a number in daryo's canonical units, never text with a unit as a file writes it (a sweep review:
    ``replace(node, attrs={..., "initial_volume": "12 km3"})`` was refused without that); with the text's value in
    them where it is a quantity of the attribute's dimension (``'12 km3'``: 12000 hm³)."""
    if dimension is None or dimension not in CANONICAL_UNITS:
        return ""
    unit = CANONICAL_UNITS[dimension]
    text = (": attribute values given in Python are numbers in daryo's canonical units (hm³, hm³ per step, MW, GWh, "
            "...), to which a model file's text with units is converted when it is read; "
            + (f"{key} is a plain number" if unit == "–" else f"{key} is in {unit}"))
    if not isinstance(value, str):
        return text
    try:
        quantity = parse_quantity(value)
        factor, is_rate = unit_factor(quantity.unit, dimension)
    except UnitError:
        return text
    return text + ("" if is_rate or unit == "–" else f" ('{value}' is {quantity.value * factor:g} {unit})")


def _span_problem(time: TimeSpec) -> str | None:
    """Why a model's time span cannot be run (None if it can)."""
    try:
        if time.end < time.start:
            return "ends before it starts"
        return span_problem(pd.Timestamp(time.start), pd.Timestamp(time.end), time.step_days)
    except (TypeError, ValueError, OverflowError, NotImplementedError):  # (dates that are no dates pandas holds)
        return f"{kind_of(time.start)} to {kind_of(time.end)} is not a span of dates a time axis can hold"


def _built_constraint_problems(model: Model, file: str) -> Iterable[Problem]:
    """What the loader refuses of a constraint's structure: its type, the nodes it names, numbers that are not
    finite or larger than a model's may be, a flow_sum with no bound."""
    ids = {n.id for n in model.nodes if isinstance(n, Node)}
    for c in model.constraints:
        if not isinstance(c, Constraint) or not isinstance(c.attrs, Mapping):
            yield Problem(file, "constraints", f"{kind_of(c)} is not a constraint with attributes (a mapping)")
            continue
        if not c.place:  # (built in code: named by its id, as the loader names it)
            c = replace(c, place=f"constraints[{c.id}]")
        if c.type not in CONSTRAINT_TYPES:
            yield Problem(file, c.at(), f"unknown constraint type {kind_of(c.type)}"
                          f"{did_you_mean(c.type, CONSTRAINT_TYPES)}; use one of: {', '.join(CONSTRAINT_TYPES)}")
            continue
        named = c.attrs.get("nodes", ())
        for node in named:
            if node not in ids:
                yield Problem(file, c.at("nodes"), f"names '{node}', which is not a node{did_you_mean(node, ids)}")
        numbers = [*(named.values() if isinstance(named, Mapping) else ()), *(
            c.attrs.get(k) for k in ("min_flow", "max_flow")), *c.attrs.get("factors", ())]
        if any(is_number(x) and not abs(x) <= MAX_MAGNITUDE for x in numbers):  # (NaN too)
            yield Problem(file, c.at(), f"holds a number that is not finite or larger than {MAX_MAGNITUDE:g}")
        if c.type == "flow_sum" and "min_flow" not in c.attrs and "max_flow" not in c.attrs:
            yield Problem(file, c.at(), "has neither min_flow nor max_flow, so it constrains nothing; give one (or "
                          "leave the constraint out)")
