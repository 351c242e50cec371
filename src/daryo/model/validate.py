"""Checks on a parsed model.  Each check is a small function of a :class:`CheckContext` (the model, its file
and the node ids the file declares) that returns problems; all are run, in the order of :data:`CHECKS`, and the
problems are reported together."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from ..errors import Problem
from ..units import is_number
from .components import NODE_REFERENCES
from .series import Series
from .types import Edge, Model, Node

__all__ = ["validate_model", "CheckContext", "CHECKS"]


@dataclass(frozen=True)
class CheckContext:
    """What every check reads.

    Attributes
    ----------
    model
        The parsed model.
    file
        The model's file, for the problems' messages.
    declared_ids
        Node ids present in the file even if their node could not be parsed (an edge to one is not dangling).
    """

    model: Model
    file: str = ""
    declared_ids: frozenset[str] = frozenset()


Check = Callable[[CheckContext], Iterable[Problem]]


def _values(v: object) -> np.ndarray | None:
    if isinstance(v, Series):
        return v.values
    if is_number(v):
        return np.array([float(v)])
    return None


def _elements(model: Model) -> list[Node | Edge]:
    return [*model.nodes, *model.edges]


def check_unique_ids(ctx: CheckContext) -> Iterable[Problem]:
    model, file = ctx.model, ctx.file
    counts = Counter(n.id for n in model.nodes)
    for node_id, n in counts.items():
        if n > 1:
            yield Problem(file, f"nodes[{node_id}]", f"the id '{node_id}' is used by {n} nodes; ids must be unique")


def check_edges(ctx: CheckContext) -> Iterable[Problem]:
    model, file = ctx.model, ctx.file
    ids = {n.id: n for n in model.nodes}
    known = set(ids) | ctx.declared_ids
    seen: dict[tuple[str, str], str] = {}
    seen_ids: set[str] = set()
    for e in model.edges:
        for end, label in ((e.source, "from"), (e.target, "to")):
            if end not in known:
                yield Problem(file, e.at(), f"'{label}' names '{end}', which is not a node (dangling edge)")
        if e.source == e.target:
            yield Problem(file, e.at(), "an edge cannot connect a node to itself")
        key = (e.source, e.target)
        if key in seen:
            yield Problem(file, e.at(), f"duplicate edge {e.source} -> {e.target} (also at {seen[key]}); "
                          "merge them into one edge")
        elif e.id in seen_ids:
            yield Problem(file, e.at(), f"duplicate edge id '{e.id}'")
        seen.setdefault(key, e.at())
        seen_ids.add(e.id)
        if e.source in ids and ids[e.source].type in ("sink", "demand"):
            yield Problem(file, e.at(), f"'{e.source}' is a {ids[e.source].type}, which cannot have outgoing "
                          "edges (a demand's return flow goes to its `return_to` node)")
        if e.target in ids and ids[e.target].type == "inflow":
            yield Problem(file, e.at(), f"'{e.target}' is an inflow, which cannot receive water; "
                          "use a junction")


def check_references(ctx: CheckContext) -> Iterable[Problem]:
    model, file = ctx.model, ctx.file
    ids = {n.id: n for n in model.nodes}
    for n in model.nodes:
        for key in NODE_REFERENCES:
            ref = n.attrs.get(key)
            if ref is None:
                continue
            if ref not in ids:
                yield Problem(file, n.at(key), f"names '{ref}', which is not a node")
            elif key == "reservoir" and ids[ref].type != "reservoir":
                yield Problem(file, n.at(key), f"'{ref}' is a {ids[ref].type}, not a reservoir")
            elif key == "at" and ids[ref].type in ("flow_requirement",):
                yield Problem(file, n.at(key), "a requirement must be at a network node")
            elif key in ("spill_to", "return_to") and ids[ref].type == "inflow":
                yield Problem(file, n.at(key), f"'{ref}' is an inflow, which cannot receive water")


def check_connected(ctx: CheckContext) -> Iterable[Problem]:
    model, file = ctx.model, ctx.file
    outgoing = Counter(e.source for e in model.edges)
    incoming = Counter(e.target for e in model.edges)
    for n in model.nodes:
        if n.type == "inflow" and not outgoing[n.id]:
            yield Problem(file, n.at(), "an inflow needs an outgoing edge")
        if n.type in ("junction", "reach", "canal", "hydropower") and not (incoming[n.id] and outgoing[n.id]):
            yield Problem(file, n.at(), f"a {n.type} needs at least one incoming and one outgoing edge")


def check_nonnegative(ctx: CheckContext) -> Iterable[Problem]:
    model, file = ctx.model, ctx.file
    keys = ("max_flow", "min_flow", "capacity", "max_volume", "min_volume", "initial_volume", "demand", "flow",
            "inflow", "max_turbine_flow", "energy_target", "evaporation", "target_volume", "flood_control_max")
    for el in _elements(model):
        for key in keys:
            vals = _values(el.attrs.get(key))
            if vals is not None and np.any(vals < 0):
                yield Problem(file, el.at(key), f"is negative ({vals.min():g}); it must be ≥ 0")


def check_fractions(ctx: CheckContext) -> Iterable[Problem]:
    model, file = ctx.model, ctx.file
    for el in _elements(model):
        for key in ("loss", "consumptive_fraction", "efficiency"):
            vals = _values(el.attrs.get(key))
            if vals is not None and (np.any(vals < 0) or np.any(vals > 1)):
                yield Problem(file, el.at(key), "must be a fraction between 0 and 1")
        vals = _values(el.attrs.get("loss"))
        if vals is not None and np.any(vals >= 1):
            yield Problem(file, el.at("loss"), "a loss of 1 (100 %) makes the link useless; use < 1")


def _min_max(lo: object, hi: object) -> tuple[float, float] | None:
    a, b = _values(lo), _values(hi)
    if a is None or b is None:
        return None
    if isinstance(lo, Series) and isinstance(hi, Series) and lo.kind != hi.kind and "constant" not in (
            lo.kind, hi.kind):
        return None
    try:
        bad = np.broadcast_to(a, np.broadcast_shapes(a.shape, b.shape)) > b
    except ValueError:
        return None
    if np.any(bad):
        return float(np.max(a)), float(np.min(b))
    return None


def check_min_max(ctx: CheckContext) -> Iterable[Problem]:
    model, file = ctx.model, ctx.file
    pairs = (("min_flow", "max_flow"), ("min_volume", "max_volume"), ("min_flow", "capacity"))
    for el in _elements(model):
        for lo, hi in pairs:
            r = _min_max(el.attrs.get(lo), el.attrs.get(hi))
            if r:
                yield Problem(file, el.at(lo), f"{lo} ({r[0]:g}) is greater than {hi} ({r[1]:g})")
    for n in model.nodes_of("reservoir"):
        yield from _check_initial(n, file)


def _check_initial(n: Node, file: str) -> Iterable[Problem]:
    init = n.attrs.get("initial_volume")
    vmax, vmin = _values(n.attrs.get("max_volume")), _values(n.attrs.get("min_volume"))
    if init is None or vmax is None or vmin is None:
        return
    if init > float(np.max(vmax)):
        yield Problem(file, n.at("initial_volume"), f"initial volume {init:g} hm³ exceeds max_volume "
                      f"{float(np.max(vmax)):g} hm³")


def check_hydropower(ctx: CheckContext) -> Iterable[Problem]:
    model, file = ctx.model, ctx.file
    ids = {n.id: n for n in model.nodes}
    for n in model.nodes_of("hydropower"):
        res = ids.get(n.attrs.get("reservoir") or "")
        if n.attrs.get("head") is None:
            if res is None:
                yield Problem(file, n.at(), "a hydropower plant needs a fixed 'head' or a 'reservoir' for its head")
            elif res.type == "reservoir" and (res.attrs.get("level_table") is None
                                              or res.attrs["level_table"].level is None):
                yield Problem(file, n.at("reservoir"), f"reservoir '{res.id}' has no level_table with "
                              "levels, so the head cannot be computed; add one or give 'head'")


#: every check, in the order their problems are reported
CHECKS: tuple[Check, ...] = (check_edges, check_unique_ids, check_references, check_connected, check_nonnegative,
                             check_fractions, check_min_max, check_hydropower)


def validate_model(model: Model, file: str = "", declared_ids: set[str] | None = None) -> list[Problem]:
    """Run every check; return all problems found (empty if the model is valid).

    ``declared_ids`` are node ids present in the file even if their node could not be parsed (so that
    an edge to them is not also reported as dangling).
    """
    ctx = CheckContext(model, file, frozenset(declared_ids or ()))
    return [p for check in CHECKS for p in check(ctx)]
