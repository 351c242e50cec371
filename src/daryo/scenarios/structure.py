"""The changes of a model's structure -- ``set``, ``set_edges``, ``set_constraints``, ``set_parameters``,
``add_nodes``, ``remove_nodes``, ``add_edges``, ``remove_edges``, ``add_constraints``, ``add_parameters``,
``scale_demands`` -- and the check that no
reference between nodes is left pointing at a node the changes removed."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import Any

import numpy as np

from ..errors import Problem, did_you_mean
from ..model.components import NODE_REFERENCES
from ..units import UnitError, is_number, number_in_text, parse_quantity
from ._document import _axis, _ChangeAt, _edge_ends, _edge_key, _nodes, _value


# The changes below get arguments that load_overlay has checked (_check_change); they check them against the model.
def _op_set(doc: dict, arg: Mapping[str, Any], at: _ChangeAt) -> list[Problem]:
    listed, problems = _value(doc, "nodes", list), []
    where = {str(n.get("id")): i for i, n in enumerate(listed) if isinstance(n, Mapping)}
    for nid, attrs in arg.items():
        if nid not in where:
            problems.append(at.problem(f"node '{nid}' is not in the model{at.not_found(nid, where)}", f".{nid}"))
            continue
        listed[where[nid]] = _with(listed[where[nid]], attrs)
    return problems


def _op_set_constraints(doc: dict, arg: Mapping[str, Any], at: _ChangeAt) -> list[Problem]:
    """Set (or, with null, remove) attributes of the model's constraints, named by id; a constraint given null is
    removed."""
    listed, problems = _value(doc, "constraints", list), []
    where = {str(c.get("id")): i for i, c in enumerate(listed) if isinstance(c, Mapping)}
    gone = set()
    for cid, attrs in arg.items():
        if cid not in where:
            problems.append(at.problem(f"constraint '{cid}' is not in the model{at.not_found(cid, where)}",
                                       f".{cid}"))
        elif attrs is None:
            gone.add(where[cid])
        else:
            listed[where[cid]] = _with(listed[where[cid]], attrs)
    listed[:] = [c for i, c in enumerate(listed) if i not in gone]
    return problems


def _op_set_parameters(doc: dict, arg: Mapping[str, Any], at: _ChangeAt) -> list[Problem]:
    """Set (or, with null, remove) attributes of the model's parameters, named by name.  A number sets the
    parameter to that constant; a ``type`` other than the parameter's replaces it (its fields are then those
    given: a constant becomes a monthly profile of the ``values`` given); a parameter written as a bare number is a
    constant of that ``value``."""
    params, problems = _value(doc, "parameters", dict), []
    for name, attrs in arg.items():
        if name not in params:
            problems.append(at.problem(f"parameter '{name}' is not in the model{at.not_found(name, params)}",
                                       f".{name}"))
            continue
        if not isinstance(attrs, Mapping):  # (a number: the constant)
            params[name] = copy.deepcopy(attrs)
            continue
        own = params[name] if isinstance(params[name], Mapping) else {"type": "constant", "value": params[name]}
        if "type" in attrs and attrs["type"] != own.get("type"):
            own = {}
        params[name] = _with(own, attrs)
    return problems


def _with(item: Mapping[str, Any], attrs: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``item`` with ``attrs`` set (null: removed), as a plain dict: the base file's dict would give
    the values set here its line in messages, where the overlay set them."""
    out = dict(item)
    for k, v in attrs.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _op_set_edges(doc: dict, arg: Mapping[str, Any], at: _ChangeAt) -> list[Problem]:
    problems = []
    edges = _value(doc, "edges", list)
    for key, attrs in arg.items():
        k = _edge_ends(key)
        idx = [i for i, e in enumerate(edges) if _edge_key(e) == k]
        if k is None or not idx:
            problems.append(at.problem(f"edge '{key}' is not in the model"
                                       f"{at.edge_not_found(key if k is None else f'{k[0]}->{k[1]}', edges)}",
                                       f".{key}"))
            continue
        e = edges[idx[0]]
        e = dict(e) if isinstance(e, Mapping) else {"from": k[0], "to": k[1]}
        for a, v in attrs.items():
            if v is None:
                e.pop(a, None)
            else:
                e[a] = copy.deepcopy(v)
        edges[idx[0]] = e
    return problems


def _op_add_nodes(doc: dict, arg: list[Any], at: _ChangeAt) -> list[Problem]:
    nodes, problems = _nodes(doc), []
    for n in arg:
        nid = n["id"]
        if nid in nodes:
            problems.append(at.problem(f"node '{nid}' already exists; use 'set' to change it", f"[{nid}]"))
        else:
            _value(doc, "nodes", list).append(copy.deepcopy(dict(n)))
            nodes[nid] = doc["nodes"][-1]
    return problems


def _op_remove_nodes(doc: dict, arg: str | list[str], at: _ChangeAt) -> list[Problem]:
    ids = [arg] if isinstance(arg, str) else list(arg)
    nodes, problems = _nodes(doc), []
    for j, nid in enumerate(ids):
        if nid in ids[:j]:
            problems.append(at.problem(f"node '{nid}' is listed twice (also at [{ids.index(nid)}])", f".{nid}"))
        elif nid not in nodes:
            problems.append(at.problem(f"node '{nid}' is not in the model{at.not_found(nid, nodes)}", f".{nid}"))
    gone = set(ids)
    doc["nodes"] = [n for n in _value(doc, "nodes", list) if not (isinstance(n, Mapping) and n.get("id") in gone)]
    doc["edges"] = [e for e in _value(doc, "edges", list) if not (set(_edge_key(e) or ()) & gone)]
    return problems


def _op_add_edges(doc: dict, arg: list[Any], at: _ChangeAt) -> list[Problem]:
    problems = []
    edges = _value(doc, "edges", list)
    existing = {_edge_key(e) for e in edges}
    for j, e in enumerate(arg):
        k = _edge_ends(e)
        if k is None:  # refused by load_overlay
            continue
        if k in existing:
            problems.append(at.problem(f"edge {k[0]}->{k[1]} already exists", f"[{j}]"))
        else:  # ('from->to', which the model file does not take, as [from, to])
            edges.append(list(k) if isinstance(e, str) else copy.deepcopy(e))
            existing.add(k)
    return problems


def _op_add_constraints(doc: dict, arg: list[Any], at: _ChangeAt) -> list[Problem]:
    """Append constraints, written as in a model file's ``constraints:`` list, to the model's; an id the model has
    already is a problem (``set_constraints`` changes it)."""
    listed, problems = _value(doc, "constraints", list), []
    ids = {str(c.get("id")) for c in listed if isinstance(c, Mapping)}
    for c in arg:
        cid = str(c["id"])
        if cid in ids:
            problems.append(at.problem(f"constraint '{cid}' already exists; use set_constraints to change it",
                                       f"[{cid}]"))
        else:
            listed.append(copy.deepcopy(dict(c)))
            ids.add(cid)
    return problems


def _op_add_parameters(doc: dict, arg: Mapping[str, Any], at: _ChangeAt) -> list[Problem]:
    """Add parameters, written as in a model file's ``parameters:`` mapping, to the model's; a name the model has
    already is a problem (``set_parameters`` changes it)."""
    params, problems = _value(doc, "parameters", dict), []
    for name, spec in arg.items():
        if name in params:
            problems.append(at.problem(f"parameter '{name}' already exists; use set_parameters to change it",
                                       f".{name}"))
        else:
            params[name] = copy.deepcopy(dict(spec) if isinstance(spec, Mapping) else spec)
    return problems


def _op_remove_edges(doc: dict, arg: list[Any], at: _ChangeAt) -> list[Problem]:
    problems = []
    listed: dict[tuple[str, str], int] = {}  # the edges listed before, by their place in the list
    for j, e in enumerate(arg):
        k = _edge_ends(e)
        if k is None:  # refused by load_overlay
            continue
        if k in listed:
            problems.append(at.problem(f"edge {k[0]}->{k[1]} is listed twice (also at [{listed[k]}])", f"[{j}]"))
            continue
        listed[k] = j
        before = len(_value(doc, "edges", list))
        doc["edges"] = [x for x in doc["edges"] if _edge_key(x) != k]
        if len(doc["edges"]) == before:
            problems.append(at.problem(f"edge {k[0]}->{k[1]} is not in the model"
                                       f"{at.edge_not_found(f'{k[0]}->{k[1]}', doc['edges'])}", f"[{j}]"))
    return problems


def _op_scale_demands(doc: dict, arg: Mapping[str, Any], at: _ChangeAt) -> list[Problem]:
    nodes, problems = _nodes(doc), []
    wanted = list(arg.get("nodes") or [])
    for nid in wanted:
        if nid not in nodes or nodes[nid].get("type") != "demand":
            demands = (i for i, n in nodes.items() if n.get("type") == "demand")
            problems.append(at.problem(f"'{nid}' is not a demand of the model{at.not_found(nid, demands)}",
                                       f".nodes.{nid}"))
    countries, category = set(arg.get("countries") or []), arg.get("category")
    known = sorted({c for n in nodes.values() if n.get("type") == "demand" and isinstance(c := n.get("country"), str)})
    unknown = [c for c in dict.fromkeys(arg.get("countries") or []) if c not in known]
    if unknown and len(unknown) < len(countries):  # (none known: the message below says so for all)
        for c in unknown:
            problems.append(at.problem(f"no demand of the model is in '{c}'{did_you_mean(str(c), known)}; the demands' "
                                       f"countries are {', '.join(known)}", ".countries"))
    hits = 0
    for nid, n in nodes.items():
        if n.get("type") != "demand":
            continue
        country = n.get("country")
        hit = nid in wanted or ((not wanted) and (not countries or (isinstance(country, str) and country in countries))
                                and (category is None or n.get("category", "irrigation") == category))
        if hit:
            hits += 1
            try:
                n["demand"] = _scaled(n.get("demand"), float(arg.get("factor", 1.0)))
                if arg.get("months") is not None:  # (a treaty review: a cut of the growing season alone)
                    n["demand"] = _scaled_by_month(n["demand"], [float(f) for f in arg["months"]], doc)
            except (UnitError, ValueError, TypeError) as exc:
                problems.append(at.problem(f"the demand of '{nid}' cannot be scaled: {exc}", f" ({nid})"))
    if not hits and not wanted:
        which = " and ".join(x for x in (f"countries {sorted(countries)}" if countries else "",
                                         f"category '{category}'" if category is not None else "") if x)
        problems.append(at.problem(f"no demand of the model matches {which or 'it'}: check the country codes (ISO "
                                   "alpha-3, e.g. UZB) and the category (irrigation, municipal, industrial or other)"))
    return problems


def _scaled(d: Any, f: float) -> Any:
    """A demand series multiplied by ``f``, in the same form as written.

    Raises
    ------
    ValueError
        If ``d`` is not a number, a quantity (``"20 m3/s"``), a list of values or a series mapping, or the result
        is too large to be a number.
    """
    if isinstance(d, Mapping):
        written = d.get("scale", 1.0)
        scale = number_in_text(written)  # ('۰٫۵'; a UnitError where its number mixes two scripts' digits)
        scale = written if scale is None else scale
        if not is_number(scale):
            raise ValueError(f"its scale {scale!r} is not a number")
        return {**d, "scale": _finite(float(scale) * f)}
    if isinstance(d, str):
        return _scale_text(d, f)
    if isinstance(d, list):  # 12 monthly values, or one such list per trace (the loader checks which)
        return {"monthly": d, "scale": f}
    if not is_number(d):
        raise ValueError(f"{d!r} is not a number, a quantity, a list of values or a series")
    return _finite(float(d) * f)


def _scaled_by_month(d: Any, months: list[float], doc: Mapping[str, Any]) -> Any:
    """A demand series (as :func:`_scaled` leaves it) with each month's value multiplied by its factor of
    ``months`` (12, January first): a constant becomes 12 monthly values in its unit, 12 monthly values (one list
    per trace, too) are multiplied month by month, and values per step by the month each step starts in (of the
    run of document ``doc``).

    Raises
    ------
    ValueError
        If ``d`` is read from a CSV file or a parameter (whose months are not known here), or is not a series.
    """
    from .inflows import _constant_as_monthly  # (a constant as 12 monthly values in its unit, as inflows take it)

    f = np.asarray(months, dtype=float)
    d = _constant_as_monthly(d)
    if not isinstance(d, Mapping) or not ({"monthly", "values"} & set(d)):
        raise ValueError("only a constant, 12 monthly values or values per step take monthly factors (a demand read "
                         "from a CSV file or a parameter does not: scale it by one factor, or its file)")
    key = "monthly" if "monthly" in d else "values"
    values = np.asarray(d[key], dtype=float)
    if key == "values":  # (each step by the month it starts in; values past the run's end as they are)
        month = _axis(doc).month[: values.shape[-1]]
        f = np.concatenate([f[month - 1], np.ones(values.shape[-1] - len(month))])
    scaled = values * f
    if not np.isfinite(scaled).all():
        raise ValueError("the scaled value is too large to be a number")
    return {**d, key: scaled.tolist()}


def _scale_text(text: str, factor: float) -> str:
    """A quantity as text (``"20 m3/s"``) times ``factor``, to full precision (the shortest text that reads back as
    the same float)."""
    q = parse_quantity(text)
    return f"{_finite(q.value * factor)!r} {q.unit or ''}".strip()


def _finite(x: float) -> float:
    if not math.isfinite(x):
        raise ValueError("the scaled value is too large to be a number")
    return x


def _may_change_references(op: str, arg: Any) -> bool:
    """Whether change ``op`` may change the model's node ids or the references between nodes (:func:`_references`):
    the changes of nodes and edges, and a ``set`` of an id or of a reference attribute (``return_to``…)."""
    if op in ("add_nodes", "remove_nodes", "add_edges", "remove_edges", "add_constraints", "add_parameters"):
        return True
    keys = _REFERENCE_KEYS.get(op, set())
    return any(not isinstance(attrs, Mapping) or keys & set(attrs) for attrs in arg.values()) if keys else False


#: the attributes by which a ``set`` change of each kind may change references between nodes (a constraint's or
#: parameter's given as null or a number too: removed, or replaced by a constant)
_REFERENCE_KEYS = {"set": {"id", *NODE_REFERENCES}, "set_edges": {"from", "to"}, "set_constraints": {"nodes"},
                   "set_parameters": {"reservoir", "type"}}


def _references_after(op: str, arg: Any, doc: Mapping[str, Any], refs: set[tuple[str, ...]], ids: set[str]
                      ) -> tuple[set[tuple[str, ...]], set[str]]:
    """The references between nodes (:func:`_references`) and the node ids of ``doc`` after change ``op``, given
    those before it: what a change that only adds (nodes, edges) adds, else the document's whole (worked out
    anew for every change, they took 150 s of 2,562 changes to a 3,200-node model)."""
    if op == "add_nodes":
        added = {("node", str(n["id"]), key, str(n[key])) for n in arg for key in NODE_REFERENCES
                 if n.get(key) is not None}
        return refs | added, ids | {str(n["id"]) for n in arg}
    if op == "add_edges":
        return refs | {("edge", *k) for k in map(_edge_key, arg) if k}, ids
    if op == "add_constraints":
        return refs | {ref for c in arg for ref in _constraint_references(c)}, ids
    if op == "add_parameters":
        return refs | {ref for name, spec in arg.items() for ref in _parameter_references(name, spec)}, ids
    return _references(doc), set(_nodes(doc))


def _references(doc: Mapping[str, Any]) -> set[tuple[str, ...]]:
    """The references to nodes in a model document: ``("edge", from, to)``, ``("node", id, attribute, id it
    names)``, and the same with ``"constraint"`` (its ``nodes``) and ``"parameter"`` (its ``reservoir``)."""
    refs: set[tuple[str, ...]] = set()
    for nid, n in _nodes(doc).items():
        refs.update(("node", nid, key, str(n[key])) for key in NODE_REFERENCES if n.get(key) is not None)
    refs.update(("edge", *k) for k in map(_edge_key, doc.get("edges") or []) if k)
    constraints = doc.get("constraints")
    for c in constraints if isinstance(constraints, list) else []:
        refs.update(_constraint_references(c))
    parameters = doc.get("parameters")
    for name, spec in parameters.items() if isinstance(parameters, Mapping) else ():
        refs.update(_parameter_references(name, spec))
    return refs


def _constraint_references(c: Any) -> set[tuple[str, ...]]:
    """The nodes constraint ``c`` of a model document names: its ``nodes``, a list of ids or (a ``flow_sum``'s
    weights) a mapping of id to weight."""
    nodes = c.get("nodes") if isinstance(c, Mapping) else None
    if not isinstance(nodes, list | Mapping):
        return set()
    return {("constraint", str(c.get("id")), "nodes", m) for m in nodes if isinstance(m, str)}


def _parameter_references(name: Any, spec: Any) -> set[tuple[str, ...]]:
    """The node parameter ``name`` (``spec``) of a model document names: the ``reservoir`` whose volume it reads."""
    if isinstance(spec, Mapping) and isinstance(spec.get("reservoir"), str):
        return {("parameter", str(name), "reservoir", spec["reservoir"])}
    return set()


def _referenced(ref: tuple[str, ...]) -> tuple[str, ...]:
    """The nodes a reference of :func:`_references` names: an edge's ends, or the node another element names."""
    return ref[1:] if ref[0] == "edge" else ref[3:]


def _check_references(doc: Mapping[str, Any], file: str, made: Mapping[tuple[str, ...], str],
                      removed: Mapping[str, str], broken: AbstractSet[tuple[str, ...]] = frozenset()) -> list[Problem]:
    """The references of ``doc`` to nodes it does not have, each placed at the change that ``made`` it (else at
    the model's element) and naming the change that ``removed`` the node, if one did; not those ``broken`` before
    the overlay and that no change made or removed a node of (the model's own typos, which the loader names at
    their line, with the nearest name)."""
    nodes, problems = _nodes(doc), []

    def gone(end: str, ref: tuple[str, ...]) -> str:
        """Which change removed node ``end``; else, for a reference a change made (a typo of the overlay's), the
        nearest node."""
        return (f" (removed by {removed[end]})" if end in removed else did_you_mean(end, nodes) if ref in made
                else "")

    for ref in sorted(_references(doc)):
        if ref in broken and ref not in made and not set(_referenced(ref)) & set(removed):
            continue
        if ref[0] == "edge":
            for end in ref[1:]:
                if end not in nodes:
                    where = f"edges[{ref[1]}->{ref[2]}]"
                    problems.append(Problem(file, f"{made[ref]}: {where}" if ref in made else where,
                                            f"'{end}' is not in the model after this scenario{gone(end, ref)}"))
        elif ref[3] not in nodes:
            where = f"{ref[0]}s[{ref[1]}].{ref[2]}"  # (nodes[…], constraints[…] or parameters[…])
            fix = (f": give it other nodes (set_constraints), or remove it (set_constraints: {{{ref[1]}: null}})"
                   if ref[0] == "constraint" and ref not in made else "")  # (a change's own: mend the change)
            problems.append(Problem(file, f"{made[ref]}: {where}" if ref in made else where,
                                    f"names '{ref[3]}', which is not in the model after this scenario"
                                    f"{gone(ref[3], ref)}{fix}"))
    return problems


def _check_added_demands(doc: Mapping[str, Any], added: Mapping[str, tuple[str, str]]) -> list[Problem]:
    """A demand that an overlay's change ``added`` ((overlay file, change) by node) and no edge (nor return flow or
    spill) reaches once every overlay is applied: probably a forgotten ``add_edges``.  (A demand of the model
    that an overlay cuts off is a what-if, and runs dry.)"""
    reached = {ref[2] if ref[0] == "edge" else ref[3] for ref in _references(doc)
               if ref[0] == "edge" or ref[2] in ("return_to", "spill_to")}
    nodes = _nodes(doc)
    return [Problem(file, f"{place}: nodes[{node}]", "a demand needs an incoming edge from the node it takes its "
                    "water from: add one with add_edges")
            for node, (file, place) in added.items()
            if node in nodes and nodes[node].get("type") == "demand" and node not in reached]


def _drop_from_basins(doc: dict, removed: set[str]) -> None:
    """Leave the nodes overlays ``removed`` out of the lists of the model's ``metadata.basins`` (as their edges are
    left out), so that the model lists only nodes it has; a list read from the model file keeps its items' lines
    (for the loader's messages)."""
    meta = doc.get("metadata")
    basins = meta.get("basins") if isinstance(meta, Mapping) else None
    if not removed or not isinstance(basins, dict):
        return
    for name, ids in basins.items():
        if not isinstance(ids, list | tuple):
            continue
        keep = [i for i, nid in enumerate(ids) if not (isinstance(nid, str) and nid in removed)]
        if isinstance(ids, tuple):
            basins[name] = tuple(ids[i] for i in keep)
            continue
        kept = copy.copy(ids)  # (a list read from the file: of its own type, with its lines)
        kept[:] = [ids[i] for i in keep]
        lines = getattr(ids, "item_lines", None)
        if isinstance(lines, list):
            kept.item_lines = [lines[i] for i in keep if i < len(lines)]  # type: ignore[attr-defined]
        basins[name] = kept
