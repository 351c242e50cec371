"""Parameters from a model document's ``parameters:`` section, and their checks."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Protocol

import pandas as pd

from ..errors import Problem, did_you_mean, with_article
from ..units import is_number
from .base import Field, Parameter, ParameterRef, ScenarioDim, depth_first
from .frames import DataFrame
from .types import PARAMETER_TYPES, Constant, ConstantScenario, NodeInflow


class ParseContext(Protocol):
    file: str  # the model file, for messages

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
        ctx.add(place, f"unknown parameter type '{raw['type']}'{did_you_mean(raw['type'], PARAMETER_TYPES)}; use "
                f"one of: {', '.join(PARAMETER_TYPES)}")
        return
    known = {f.name for f in ptype.fields}
    kwargs: dict[str, Any] = {}
    ok = True
    for key in raw:
        if key not in known and key not in ("type", "description"):
            ctx.add(f"{place}.{key}", f"unknown field '{key}' for {with_article(ptype.name)} parameter"
                    f"{did_you_mean(key, known)}; allowed: {', '.join(sorted(known))}")
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
        kwargs = {"csv": kwargs["csv"], "frame": frame[0], "path": frame[1], "left_out": frame[2],
                  "model_file": ctx.file, "scenario": kwargs.get("scenario"),
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
        if not is_number(v) or not math.isfinite(v):  # (math: an int of 20 digits, which NumPy refuses)
            ctx.add(place, f"'{v}' is not a finite number")
            return None
        return float(v)
    if kind == "numbers":
        if not isinstance(v, list | tuple) or not all(is_number(x) and math.isfinite(x) for x in v):
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


#: how a ``dataframe`` parameter says the order of its file's dates where none of them shows it (a Tashkent ministry
#: analyst's review: ``01.10.2020``, refused, with no word of it)
_DAYFIRST = ", or say their order with the parameter's dayfirst: true (day first, 01.10.2020 is 1 October) or false"


def _read_frame(kw: dict[str, Any], place: str, ctx: ParseContext) -> tuple[pd.DataFrame, str, str] | None:
    """The ``dataframe`` parameter's file: its dates and selected columns, its full path, and what is said of its
    rows left out for dates outside those daryo holds (:attr:`daryo.model.csvseries.CsvSeries.left_out`)."""
    got = ctx.read_csv(kw["csv"], place)
    if got is None:
        return None
    df, fname = got
    from ..model.csvseries import csv_problems_for, read_csv_series  # (here: importing daryo.model imports this)

    if "column" in kw and "columns" in kw:
        col = kw["column"]
        shown = repr(col[0]) if len(col) == 1 else repr(list(col))
        ctx.add(place, f"gives both column: {shown} and columns: {list(kw['columns'])!r}; give one: column: NAME "
                "for one column, or columns: [NAME, …] for several")
        return None
    read = read_csv_series(df, fname, kw["csv"], place, csv_problems_for(place, ctx.add), kw.get("index_col"),
                           kw.get("columns", kw.get("column")), kw.get("dayfirst"), order_option=_DAYFIRST)
    if read is None:
        return None
    if len(read.columns) > 1 and not kw.get("scenario"):
        ctx.add(place, f"CSV '{kw['csv']}' has {len(read.columns)} value columns; name the scenario dimension they "
                "belong to (scenario: NAME) or pick one column")
        return None
    return pd.DataFrame(read.values, index=read.dates, columns=read.columns).sort_index(), fname, read.left_out


def check_parameters(params: Mapping[str, Parameter], reservoirs: set[str], nodes: set[str],
                     dims: Sequence[ScenarioDim], file: str, declared_params: Collection[str] = (),
                     declared_dims: Collection[str] = (), inflows: Mapping[str, Any] | None = None,
                     unread_inflows: Collection[str] = ()) -> list[Problem]:
    """References between parameters, to reservoirs, to inflow nodes and to scenario dimensions; sizes; cycles.

    ``declared_params`` are the names of the file's parameters, also of those left out of ``params`` for problems of
    their own (a reference to one of them is not also reported as undefined); ``declared_dims`` the same of its
    scenario dimensions (one of size 0 is not also "not declared"); ``inflows`` the inflow nodes' ``inflow``
    attributes, by id (None: not checked); ``unread_inflows`` the inflow nodes whose ``inflow`` was given but not
    read, for a problem of its own (a parameter reading it is not also told that the node has none)."""
    problems = [] if inflows is None else _check_node_inflows(params, nodes, inflows, file, unread_inflows)
    sizes = {d.name: d.size for d in dims}
    for p in params.values():
        for ref in p.inputs():
            if ref not in params and ref not in declared_params:
                problems.append(Problem(file, p.place, f"names parameter '{ref}', which is not defined"
                                        f"{did_you_mean(ref, params)}"))
        for r in p.reservoirs():
            if r not in reservoirs:
                what = "is not a reservoir" if r in nodes else "is not a node"
                problems.append(Problem(file, p.place, f"names '{r}', which {what}{did_you_mean(r, reservoirs)}"))
        for s in p.scenarios():
            if s not in sizes:
                if s not in declared_dims:
                    problems.append(Problem(file, p.place, f"names scenario '{s}', which is not declared under "
                                            "scenarios:"))
            elif isinstance(p, ConstantScenario) and len(p.values) != sizes[s]:
                problems.append(Problem(file, p.place, f"has {len(p.values)} values but scenario '{s}' has "
                                        f"{sizes[s]} members"))
            elif isinstance(p, DataFrame) and p.frame is not None and p.frame.shape[1] != sizes[s]:
                problems.append(Problem(file, p.place, f"has {p.frame.shape[1]} columns but scenario '{s}' has "
                                        f"{sizes[s]} members"))
    graph = {n: p.inputs() for n, p in params.items()}
    for n, p in params.items():  # (an inflow parameter reads its node's inflow: a parameter, maybe)
        if isinstance(p, NodeInflow) and isinstance(source := (inflows or {}).get(p.node), ParameterRef):
            graph[n] = (source.name,)
    for cycle in depth_first(graph)[1]:
        through = [params[n].node for n in cycle if isinstance(params[n], NodeInflow)]  # type: ignore[attr-defined]
        problems.append(Problem(file, params[cycle[0]].place, "parameters depend on each other in a cycle: "
                                + " -> ".join(cycle + [cycle[0]]) + (
                                    f" (through the inflow of {', '.join(repr(t) for t in through)})"
                                    if through else "")))
    return problems


def _check_node_inflows(params: Mapping[str, Parameter], nodes: set[str], inflows: Mapping[str, Any], file: str,
                        unread: Collection[str] = ()) -> list[Problem]:
    """The problems of the ``inflow`` parameters: a node that is not an inflow with an ``inflow`` series (a cycle
    through its inflow is one of :func:`check_parameters`' cycles); not of the nodes whose series was given but
    not read (``unread``: a CSV file that could not be read, told as such; a Chu-Talas modeller's review: "has no
    inflow series" followed it)."""
    problems = []
    for p in params.values():
        if not isinstance(p, NodeInflow):
            continue
        where = f"{p.place}.node"
        if p.node not in inflows:
            what = "is not an inflow node" if p.node in nodes else "is not a node"
            problems.append(Problem(file, where, f"names '{p.node}', which {what}{did_you_mean(p.node, inflows)}"))
        elif inflows[p.node] is None and p.node not in unread:
            problems.append(Problem(file, where, f"'{p.node}' has no inflow series (it supplies what the allocation "
                                    "takes, between its min_flow and max_flow), so there is no inflow to read"))
    return problems


