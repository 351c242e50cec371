"""Checks on a parsed model.  Each check is a small function of a :class:`CheckContext` (the model, its file,
the node ids the file declares and the model's time axis) that returns problems; all are run, in the order of
:data:`CHECKS`, and the problems are reported together."""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from ..errors import ModelError, Problem, did_you_mean, terminal_control, with_article
from ..parameters import ParameterRef, state_dependent
from ..timeaxis import StepKind, TimeAxis
from ..units import CANONICAL_UNITS, MAX_MAGNITUDE, SECONDS_PER_DAY, is_number, too_large_text
from .components import CONSTRAINT_TYPES, EDGE_ATTRIBUTES, NODE_REFERENCES, Attribute, component_type
from .series import OVERFLOW, Series, numbers_of
from .topology import (
    _arcs,
    _arcs_in_a_step,
    _arcs_text,
    _arcs_without_edges,
    _edge_loop,
    _edges_text,
    _intakes_reached,
    _reaches,
    _shortest_path,
    _strongly_connected,
)
from .types import Constraint, Edge, Model, Node, TimeSpec

__all__ = ["validate_model", "CheckContext", "CHECKS", "FORMULA_STARTS", "PLACEHOLDER_TIME", "formula_start"]

#: The time span the loader gives a model whose ``time`` is missing or cannot be read (a problem it reports):
#: no time axis, so series are not compared with its one step
PLACEHOLDER_TIME = TimeSpec(pd.Timestamp("2000-01-01"), pd.Timestamp("2000-01-01"))


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
    loose_ids
        Names in edges that could not be parsed: a node among them may lack only that edge, so it is not also
        reported as unconnected.
    unread_attributes
        (node id, attribute) of attributes the file gives but that could not be read (a problem already): a check
        does not report them as missing.
    file_steps
        The steps of the file's own span, where the run is shorter (``daryo.load(path, years=...)``): a list of
        values per step may be that long, of which the run takes the first (None: the model's steps).
    """

    model: Model
    file: str = ""
    declared_ids: frozenset[str] = frozenset()
    loose_ids: frozenset[str] = frozenset()
    unread_attributes: frozenset[tuple[str, str]] = frozenset()
    file_steps: int | None = None
    _resolved: dict[int, tuple[Series, np.ndarray | None, tuple[Problem, ...]]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    @cached_property
    def axis(self) -> TimeAxis | None:
        """The model's time axis, on which series are compared step by step (None if it cannot be built, or if the
        model's time could not be read: :data:`PLACEHOLDER_TIME`)."""
        if self.model.time == PLACEHOLDER_TIME:
            return None
        try:
            return self.model.time.axis()
        except (ValueError, TypeError, OverflowError):
            return None

    def resolved(self, series: Series) -> tuple[np.ndarray | None, tuple[Problem, ...]]:
        """``series`` resolved on :attr:`axis` (None if it cannot be) and the problems of every way it does not
        fit the axis (:meth:`Series.mismatches`); each series object is resolved once, however many checks ask."""
        key = id(series)
        if key not in self._resolved:  # the entry keeps the series, so that its id is not reused meanwhile
            self._resolved[key] = (series, *self._resolve(series))
        return self._resolved[key][1:]

    def _resolve(self, series: Series) -> tuple[np.ndarray | None, tuple[Problem, ...]]:
        if self.axis is None:
            return None, ()
        try:
            return series.resolve(self.axis), ()
        except ModelError as exc:
            return None, tuple(exc.problems)
        except (ValueError, IndexError):  # values that do not fit the axis's shape: reported elsewhere
            return None, ()


Check = Callable[[CheckContext], Iterable[Problem]]


def _elements(model: Model) -> list[Node | Edge]:
    return [*model.nodes, *model.edges]


# the index columns of the results' CSV files, before one column per element id
RESERVED_IDS = ("scenario", "time")

#: What a spreadsheet reads as the start of a formula in a CSV cell (``=1+2``, ``+A1``, ``-A1``, ``@SUM(A1)``, and
#: a tab or carriage return before one): a cell that starts so is computed when the file is opened in Excel or
#: LibreOffice, and a formula can fetch from the network or, in older versions, run a command ("CSV injection").
#: The results' CSV files (``daryo run --csv``, ``elements.csv``, ``daryo compare --csv``) write ids, names and
#: scenario names as they are, so that programs read them right; text that starts so is refused instead.  A ``+`` or
#: ``-`` only with what a formula that does harm needs after it (a call's parenthesis, a DDE link's ``|`` or
#: ``!``, a quote, ``=``, ``&``): climate traces named ``+2C`` and ``-10pct`` and Pywr nodes named ``-in`` are
#: ordinary names (a diff review), which a spreadsheet shows as an error at worst.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: what makes text that starts with ``+`` or ``-`` a formula that can fetch or run something
FORMULA_CALLS = frozenset("(|!\"'=&")


def formula_start(text: str, what: str) -> str | None:
    """What to say of ``text`` (an id, a name) that a spreadsheet would read as a formula that can do harm
    (:data:`FORMULA_STARTS`, :data:`FORMULA_CALLS`); None if it would not.

    Parameters
    ----------
    text
        The text as the model gives it.
    what
        What it is, for the message (``"the id 'x'"``).

    Returns
    -------
    str or None
        The message: ``the id '=cmd' starts with '=', which a spreadsheet reads as a formula …``.
    """
    if not text.startswith(FORMULA_STARTS) or (text[0] in "+-" and not FORMULA_CALLS & set(text)):
        return None
    return (f"{what} starts with {text[0]!r}, which a spreadsheet reads as the start of a formula when it opens "
            "the results' CSV files, where it is written as it is (daryo run --csv, elements.csv, daryo compare "
            "--csv); start it with a letter or a digit")


#: the text attributes of nodes, edges and constraints that daryo prints as they are (daryo info, the reports)
_TEXT_KEYS = ("name", "description", "source")

def check_unique_ids(ctx: CheckContext) -> Iterable[Problem]:
    model, file = ctx.model, ctx.file
    elements: list[Node | Edge | Constraint] = [*model.nodes, *model.edges, *model.constraints]
    for el in elements:
        control = next((c for c in el.id if unicodedata.category(c) == "Cc"), None)
        if control is not None and not (isinstance(el, Edge) and el.id == f"{el.source}->{el.target}"):  # (the
            # nodes' ids are named at the nodes)
            yield Problem(file, el.at(), f"the id {el.id!r} holds a control character ({control!r}), which the "
                          "results' NetCDF and CSV files drop or cut at; give an id without one")
        formula = formula_start(el.id, f"the id '{el.id}'")
        if formula is not None and not (isinstance(el, Edge) and el.id == f"{el.source}->{el.target}"):
            yield Problem(file, el.at(), formula)
        name = el.get("name") if isinstance(el, Node) else None
        if isinstance(name, str) and (formula := formula_start(name, f"the name '{name}'")) is not None:
            yield Problem(file, el.at("name"), formula)
        for key in _TEXT_KEYS:
            if isinstance(text := el.attrs.get(key), str) and (odd := terminal_control(text, "\n")) is not None:
                # (a diff review of the security fixes: a node's display name and source carried an escape sequence
                # and a right-to-left override to the screen, where the model's own name and the caveats are refused
                # control characters; the Persian zero-width non-joiner, U+200C, is ordinary text)
                what = "a control character" if unicodedata.category(odd) == "Cc" else "a bidirectional override"
                yield Problem(file, el.at(key), (
                    f"holds {what} ({odd!r}), which a terminal acts on when daryo prints it (daryo info, the reports) "
                    "instead of showing it; write it without one"))
        if el.id in RESERVED_IDS:
            yield Problem(file, el.at(), f"the id '{el.id}' is reserved: the results' CSV files name their index "
                          f"columns {' and '.join(repr(r) for r in RESERVED_IDS)}; give it another id")
    lines: dict[str, list[int | None]] = {}
    for node in model.nodes:
        lines.setdefault(node.id, []).append(node.line)
    for node_id, at in lines.items():
        if len(at) > 1:
            where = f" (lines {', '.join(map(str, at))})" if all(at) else ""
            yield Problem(file, f"nodes[{node_id}]{where}", f"the id '{node_id}' is used by {len(at)} nodes; ids "
                          "must be unique")
    first: dict[str, Constraint] = {}
    for c in model.constraints:
        if c.id in first:
            yield Problem(file, c.at(), f"the id '{c.id}' is also used by the constraint at {first[c.id].at()}; "
                          "constraint ids must be unique")
        first.setdefault(c.id, c)


def check_edges(ctx: CheckContext) -> Iterable[Problem]:
    model, file = ctx.model, ctx.file
    ids = {n.id: n for n in model.nodes}
    known = set(ids) | ctx.declared_ids
    seen: dict[tuple[str, str], str] = {}
    seen_ids: set[str] = set()
    spills = {n.spill_edge_id: n.id for n in model.nodes if n.type == "reservoir" and n.spill_edge_id}
    for e in model.edges:
        for end, label in ((e.source, "from"), (e.target, "to")):
            if end not in known:
                yield Problem(file, e.at(), f"'{label}' names '{end}', which is not a node{did_you_mean(end, known)}"
                              " (dangling edge)")
        if e.source == e.target:
            yield Problem(file, e.at(), "an edge cannot connect a node to itself")
        key = (e.source, e.target)
        if key in seen:
            yield Problem(file, e.at(), f"duplicate edge {e.source} -> {e.target} (also at {seen[key]}); "
                          "merge them into one edge")
        elif e.id in seen_ids:
            yield Problem(file, e.at(), f"duplicate edge id '{e.id}'")
        elif e.id in spills:
            yield Problem(file, e.at(), f"the id '{e.id}' is that of the spill edge of reservoir '{spills[e.id]}' "
                          "(its spill_to); give this edge another id")
        seen.setdefault(key, e.at())
        seen_ids.add(e.id)
        if e.source in ids and ids[e.source].type in ("sink", "demand"):
            yield Problem(file, e.at(), f"'{e.source}' is a {ids[e.source].type}, which cannot have outgoing "
                          "edges (a demand's return flow goes to its `return_to` node)")
        if e.target in ids and ids[e.target].type == "inflow":
            yield Problem(file, e.at(), f"'{e.target}' is an inflow, which cannot receive water; "
                          "use a junction")
        for end in dict.fromkeys((e.source, e.target)):
            if end in ids and ids[end].type == "flow_requirement":
                yield Problem(file, e.at(), f"'{end}' is a flow_requirement, which measures the flow through its "
                              "`at` node and takes no edges (water sent to it would vanish); connect its `at` node "
                              "instead")


def check_references(ctx: CheckContext) -> Iterable[Problem]:
    model, file = ctx.model, ctx.file
    ids = {n.id: n for n in model.nodes}
    for n in model.nodes:
        for key in NODE_REFERENCES:
            ref = n.attrs.get(key)
            if ref is None:
                continue
            if ref not in ids:
                if ref not in ctx.declared_ids:  # (a node the file has, whose own problem is named at it)
                    yield Problem(file, n.at(key), f"names '{ref}', which is not a node{did_you_mean(ref, ids)}")
            elif key == "reservoir" and ids[ref].type != "reservoir":
                yield Problem(file, n.at(key), f"'{ref}' is {with_article(ids[ref].type)}, not a reservoir")
            elif key == "at" and ids[ref].type in ("flow_requirement",):
                yield Problem(file, n.at(key), "a requirement must be at a network node")
            elif key == "at" and ids[ref].type == "reservoir":
                yield Problem(file, n.at(key), (
                    f"'{ref}' is a reservoir, whose column is its storage, not a flow: the requirement would be "
                    f"compared with the volume stored, not with what is released. {_release_hint(model, ref)}"))
            elif key in ("spill_to", "return_to") and ref == n.id:
                what = "spill would flow straight back into the reservoir" if key == "spill_to" else (
                    "return flow would be delivered again to the same demand, creating water")
                yield Problem(file, n.at(key), f"names its own node: the {what}; name the node downstream that "
                              "receives it")
            elif key in ("spill_to", "return_to") and ids[ref].type == "inflow":
                yield Problem(file, n.at(key), f"'{ref}' is an inflow, which cannot receive water")
            elif key in ("spill_to", "return_to") and ids[ref].type == "flow_requirement":
                yield Problem(file, n.at(key), f"'{ref}' is a flow_requirement, not a network node, so the water "
                              "sent to it would vanish; name a node of the network (e.g. the one the requirement "
                              "is at)")
            elif key == "return_to" and (loop := _intakes_reached(model, n.id, ref)) and (
                    cycle := _edge_loop(model, loop[0], ref)):
                yield Problem(file, n.at(key), (
                    f"'{ref}' is both downstream and upstream of the demand's intake from '{loop[0]}': the edges "
                    f"make a loop ({_edges_text(cycle)}), so its "
                    "return flow could be delivered to it again in the same step; water in a river network flows "
                    "one way: is one of these edges written the wrong way round?"))
            elif key == "return_to" and loop:
                yield Problem(file, n.at(key), f"'{ref}' is upstream of the demand's intake from "
                              f"{', '.join(repr(i) for i in loop)}: its return flow could be delivered to it again "
                              "in the same step, and again, so that the demand is met with a fraction of the water "
                              "it is said to get; name a node downstream of its intakes")


def _release_hint(model: Model, reservoir: str) -> str:
    """Where to put a flow requirement meant for the release of ``reservoir``: at the nodes below it that carry the
    river's flow on, not at a demand, where it would guarantee the demand's delivery (a MODSIM user's review: the
    hint named a farm, the reservoir's only outlet)."""
    nodes = {n.id: n for n in model.nodes}
    spill = nodes[reservoir].attrs.get("spill_to")
    below = list(dict.fromkeys([e.target for e in model.edges if e.source == reservoir] + ([spill] if spill else [])))
    onward = [f"'{t}'" for t in below if t not in nodes or nodes[t].type not in ("demand", "reservoir")]
    if onward:
        return f"Put it at the node the release flows through ({', '.join(onward)})"
    stores = [f"'{t}'" for t in below if t in nodes and nodes[t].type == "reservoir"]
    if stores:  # (a diff review: the hint named the reservoir below, where it would be refused again)
        return (f"Its release flows into {'reservoir' if len(stores) == 1 else 'reservoirs'} {', '.join(stores)}: put "
                "it at a node the release of that one flows through (a reach downstream)")
    if not below:
        return "Put it at the node the release flows through (a reach downstream)"
    return (f"Its release flows only to {'a demand' if len(below) == 1 else 'demands'} "
            f"({', '.join(repr(t) for t in below)}), where a requirement would guarantee that delivery, not a flow in "
            "the river: no node below it carries the release on; to require a flow in the river, add the reach it "
            "flows down below the reservoir, and put the requirement there")


def check_loops(ctx: CheckContext) -> Iterable[Problem]:
    """A loop of edges (and spills) within a step, through no delay, must not pass a hydropower plant or the node of
    a flow requirement: the LP could send the same water round it again and again in one step, each time through
    the turbines (energy from nothing: in ``priority`` mode turbine flow is worth a little, so it would) or past
    the requirement (met by water that is not there).  Other loops are left to the model's costs, as in Pywr.

    The loops are found once, as the strongly connected parts of the network within a step (linear in its size);
    a loop through a node of one is named by a shortest one inside it."""
    model, file = ctx.model, ctx.file
    leaving = _arcs_in_a_step(model)
    looped = _strongly_connected(leaving)
    hint = ("water in a river network flows one way: is an edge written the wrong way round, or a spill sent "
            "upstream? (Water pumped back up, which daryo does not charge energy for, must pass a delay.)")

    def loop(node: str) -> str:  # (a shortest loop through it, within its part)
        return _arcs_text(_shortest_path(leaving, node, node, looped[node]) or [])

    for n in model.nodes:
        if n.type == "hydropower" and n.id in looped:
            yield Problem(file, n.at(), (
                f"is on a loop of water within a step ({loop(n.id)}): the same water could pass its turbines again "
                f"and again in one step, making energy from nothing; {hint}"))
        elif n.type == "flow_requirement" and isinstance(at := n.attrs.get("at"), str) and at in looped:
            yield Problem(file, n.at("at"), (
                f"'{at}' is on a loop of water within a step ({loop(at)}): the same water could pass it again and "
                f"again in one step and be counted toward the requirement each time; {hint}"))


def check_connected(ctx: CheckContext) -> Iterable[Problem]:
    model, file = ctx.model, ctx.file
    outgoing = Counter(e.source for e in model.edges)
    incoming = Counter(e.target for e in model.edges)
    incoming.update(target for _, target in _arcs_without_edges(model))
    overlaid = bool(model.metadata.get("scenario_files"))  # (an overlay that cuts a demand's supply is a what-if)
    for n in model.nodes:
        if n.id in ctx.loose_ids:  # (named in an edge that could not be read: that edge's problem is reported)
            continue
        if n.type == "inflow" and not outgoing[n.id]:
            yield Problem(file, n.at(), "an inflow needs an outgoing edge")
        if n.type in ("junction", "reach", "canal", "hydropower") and not (incoming[n.id] and outgoing[n.id]):
            yield Problem(file, n.at(), f"a {n.type} needs at least one incoming and one outgoing edge")
        if n.type == "demand" and not incoming[n.id] and not overlaid:  # (it ran, short of everything)
            yield Problem(file, n.at(), "a demand needs an incoming edge from the node it takes its water from")


def check_nonnegative(ctx: CheckContext) -> Iterable[Problem]:
    model, file = ctx.model, ctx.file
    keys = ("max_flow", "min_flow", "capacity", "max_volume", "min_volume", "initial_volume", "demand", "flow",
            "inflow", "max_turbine_flow", "energy_target", "evaporation", "target_volume", "flood_control_max",
            "initial_flow")
    for el in _elements(model):
        for key in keys:
            v = el.attrs.get(key)
            vals = numbers_of(v)
            if vals is not None and np.any(vals < 0):
                attr = _attribute(el, key)
                shown = _with_unit(float(vals.min()), attr.dimension if attr else None,
                                   isinstance(v, Series) and v.is_rate)
                yield Problem(file, el.at(key), f"is negative ({shown}{_where_lowest(v)}); it must be ≥ 0")


#: the attributes whose value is a maximum, for which a very large number may be meant as "no bound"
_MAXIMA = ("max_flow", "max_volume", "capacity", "max_turbine_flow", "flood_control_max")
#: the attributes checked against a narrower range of their own (fractions, angles, evaporation depths)
_OWN_RANGE = ("loss", "consumptive_fraction", "efficiency", "initial_proportion", "lat", "lon", "evaporation")


def check_magnitudes(ctx: CheckContext) -> Iterable[Problem]:
    """No number of a node, edge or constraint is larger in magnitude than :data:`~daryo.units.MAX_MAGNITUDE` (a
    maximum meant as "no bound" is left out)."""
    model, file = ctx.model, ctx.file
    elements: list[Node | Edge | Constraint] = [*model.nodes, *model.edges, *model.constraints]
    for el in elements:
        for key, v in el.attrs.items():
            vals = numbers_of(v)
            if key in _OWN_RANGE or vals is None or vals.size == 0:
                continue
            k = int(np.argmax(np.abs(vals)))
            if abs(float(vals.flat[k])) > MAX_MAGNITUDE:
                attr = CONSTRAINT_TYPES[el.type].attribute(key) if isinstance(el, Constraint) else _attribute(el, key)
                shown = _with_unit(float(vals.flat[k]), attr.dimension if attr else None,
                                   isinstance(v, Series) and v.is_rate)
                maximum = key in _MAXIMA or (key == "demand" and model.allocation == "cost")  # (cost mode: a
                # demand is the most it takes, a Pywr output's max_flow)
                hint = " (for no upper bound, leave the maximum out)" if maximum else ""
                yield Problem(file, el.at(key), f"is {shown}{_where(v, k)}: {too_large_text()}{hint}")
    for c in model.constraints:  # (a flow_sum's weights, a flow_ratio's factors: a solver error at 1e308)
        weights = c.attrs.get("nodes")
        factors = c.attrs.get("factors")
        numbers = [("nodes", w) for w in (weights.values() if isinstance(weights, Mapping) else ())] + [
            (f"factors[{k}]", float(np.max(np.abs(vals)))) for k, f in enumerate(
                factors if isinstance(factors, list) else ()) if (vals := numbers_of(f)) is not None and vals.size]
        for key, x in numbers:
            if is_number(x) and abs(x) > MAX_MAGNITUDE:
                yield Problem(file, c.at(key), f"holds {x:g}: {too_large_text()}")


def check_ratio_factors(ctx: CheckContext) -> Iterable[Problem]:
    """A ``flow_ratio``'s factors given as numbers or series: none negative (flows are not), and not all zero
    (``0 × flow = 0 × flow`` constrains nothing)."""
    for c in ctx.model.constraints:
        if c.type != "flow_ratio" or not isinstance(c.attrs.get("factors"), list):
            continue
        values = [numbers_of(f) for f in c.attrs["factors"]]
        for k, vals in enumerate(values):
            if vals is not None and np.any(vals < 0):
                yield Problem(ctx.file, c.at(f"factors[{k}]"), f"is negative ({float(vals.min()):g}); a flow "
                              "ratio's factors must be ≥ 0")
        if values and all(vals is not None and not np.any(vals) for vals in values):
            yield Problem(ctx.file, c.at("factors"), "every factor is 0, which constrains nothing; give the flows' "
                          "proportions, e.g. [1, 2]")


def _where_lowest(v: object) -> str:
    """Where a series' lowest value is, for a message: its date, month or step, its column or trace, and its
    CSV file (``" on 2001-03-01 in column 'dry' of flows.csv"``); empty for a single value."""
    return _where(v, int(np.argmin(v.values))) if isinstance(v, Series) else ""


def _where(v: object, flat_index: int) -> str:
    """Where a series' value at ``flat_index`` (of its values, flattened) is, as :func:`_where_lowest` says it."""
    if not isinstance(v, Series) or v.values.size < 2:
        return ""
    trace, *rest = np.unravel_index(flat_index, v.values.shape)
    parts = []
    if rest:
        i = int(rest[0])
        if v.kind == "dated" and v.dates is not None:
            parts.append(f"on {v.dates[i]:%Y-%m-%d}")
        elif v.kind == "monthly":
            parts.append(f"in {calendar.month_name[i + 1]}")
        else:
            parts.append(f"at step {i + 1}")
    if v.n_scenarios > 1:
        parts.append(f"in column '{v.scenarios[trace]}'" if v.scenarios else f"in trace {trace + 1}")
    if v.csv:
        parts.append(f"of {v.csv}")
    return " " + " ".join(parts) if parts else ""


def _attribute(el: Node | Edge, key: str) -> Attribute | None:
    """The declaration of an element's attribute (None if it has none)."""
    if isinstance(el, Edge):
        return next((a for a in EDGE_ATTRIBUTES if a.name == key), None)
    ctype = component_type(el.type)
    return ctype.attribute(key) if ctype is not None else None


def _with_unit(value: float, dimension: str | None, is_rate: bool) -> str:
    """A value in canonical units as a message shows it, with its unit: a flow rate, kept per day, in hm³/day and
    m³/s (``-4.32 hm³/day = -50 m³/s``), others in their canonical unit (a flow per step in hm³/step)."""
    if dimension == "flow" and is_rate:
        per_second = value * 1e6 / SECONDS_PER_DAY
        return f"{value:g} hm³/day" + (f" = {per_second:g} m³/s" if np.isfinite(per_second) else "")
    unit = CANONICAL_UNITS.get(dimension or "") if dimension not in ("fraction", "cost") else None
    return f"{value:g} {unit}" if unit else f"{value:g}"


def check_fractions(ctx: CheckContext) -> Iterable[Problem]:
    model, file = ctx.model, ctx.file
    for el in _elements(model):
        for key in ("loss", "consumptive_fraction", "efficiency", "initial_proportion"):
            vals = numbers_of(el.attrs.get(key))
            if vals is None:
                continue
            if np.any(vals < 0) or np.any(vals > 1):
                flat = np.ravel(vals)  # (a series' values are (scenario, value))
                worst = float(flat[np.argmax(np.abs(flat - 0.5))])  # (the value furthest out)
                # (a whole number up to 100 is most often a percentage written without its sign: efficiency 85; a
                # loss of 100 % is refused below, as useless)
                top = 100 if key != "loss" else 99
                percent = (f"; a percentage is written with its sign ({worst:g} % = {worst / 100:g})"
                           if 1 < worst <= top and worst == round(worst) else "")
                percent = f", not {worst:g}{percent}"
                yield Problem(file, el.at(key), f"must be a fraction between 0 and 1{percent}")
            elif key == "loss" and np.any(vals == 1):
                yield Problem(file, el.at("loss"), "a loss of 1 (100 %) makes the link useless; use < 1")


def check_places(ctx: CheckContext) -> Iterable[Problem]:
    """Map places and countries: a latitude within ±90°, a longitude within ±180°, a country as an ISO 3166
    alpha-3 code (three capital letters: the indicators group by it)."""
    model, file = ctx.model, ctx.file
    for n in model.nodes:
        for key, limit in (("lat", 90.0), ("lon", 180.0)):
            vals = numbers_of(n.attrs.get(key))
            if vals is not None and np.any(np.abs(vals) > limit):
                yield Problem(file, n.at(key), f"must be decimal degrees from -{limit:g} to {limit:g}")
        country = n.attrs.get("country")
        if country is not None and not re.fullmatch(r"[A-Z]{3}", str(country)):
            yield Problem(file, n.at("country"), f"'{country}' is not an ISO 3166 alpha-3 code; "
                          + _country_hint(str(country)))


def _country_hint(written: str) -> str:
    """What a ``country`` that is not three capital letters should be: the code it most likely means
    (:func:`~daryo.model.countries.country_code_meant`: ``KZ`` or ``Kazakhstan`` is KAZ), else three capital
    letters, and for two letters that they are an alpha-2 code."""
    from .countries import country_code_meant, region_country_name

    meant = country_code_meant(written)
    text = " ".join(written.split())
    if meant is not None:
        if text.upper() == meant:
            return f"give it in capital letters, {meant}"
        name = region_country_name(meant)
        return (f"{text} is the alpha-2 code of {name}: give its alpha-3 code, {meant}" if len(text) == 2
                else f"give {name}'s code, {meant}, not its name")
    two = (" (two letters are an alpha-2 code: give the country's alpha-3 code)"
           if re.fullmatch(r"[A-Za-z]{2}", text) else "")
    return f"give three capital letters, e.g. KGZ, UZB, AFG{two}"


def _series_of(el: Node | Edge | Constraint) -> Iterable[tuple[str, Series]]:
    """Every series of an element as (attribute, series); a list of series (a ``flow_ratio``'s factors) item by
    item, as ``factors[k]``."""
    for key, v in el.attrs.items():
        if isinstance(v, Series):
            yield key, v
        elif isinstance(v, list):
            yield from ((f"{key}[{k}]", s) for k, s in enumerate(v) if isinstance(s, Series))


#: The :attr:`~daryo.errors.Problem.code` of a list of values per step longer than the model's steps: a typo in a
#: file, but what a model whose run was shortened (:meth:`Model.with_time`) has
SURPLUS_VALUES = "surplus-values"


def check_series(ctx: CheckContext) -> Iterable[Problem]:
    """Every series fits the model's time axis: a value per step (and no more), a CSV row dated at each step's
    start and none between them (:meth:`Series.mismatches`).  Every series that can miss a step (a list of values
    per step, a CSV series) is resolved here, so that all their problems are reported together (a run stops at
    the first); each series object once, its problems at its first place."""
    model, file = ctx.model, ctx.file
    if ctx.axis is None:
        return
    seen: set[int] = set()
    elements: list[Node | Edge | Constraint] = [*model.nodes, *model.edges, *model.constraints]
    for el in elements:
        for key, series in _series_of(el):
            if series.kind not in ("steps", "dated") or id(series) in seen:
                continue  # constants and 12 monthly values fit every axis
            seen.add(id(series))
            for problem in ctx.resolved(series)[1]:
                if problem.code != OVERFLOW:  # (its value is above the limit check_magnitudes reports)
                    yield replace(problem, file=file, place=el.at(key))
            steps = max(ctx.axis.n_steps, ctx.file_steps or 0)  # (a shorter run takes the first ones)
            if series.kind == "steps" and series.values.shape[1] > steps:
                yield Problem(file, el.at(key), f"the series has {series.values.shape[1]} values but the model has "
                              f"{steps} steps; give one value per step (the rest would not be used)",
                              SURPLUS_VALUES)


def _per_step(v: object, ctx: CheckContext) -> tuple[np.ndarray, str] | None:
    """An attribute's values in canonical per-step units, shape (S|1, T|1), and how they vary in time
    (``constant``, ``monthly`` — with the calendar month, rates with the month's length — or ``steps``); None if
    it is not a fixed series (a parameter) or cannot be resolved on the model's axis (reported by
    :func:`check_series`)."""
    if is_number(v):
        return np.array([[float(v)]]), "constant"  # type: ignore[arg-type]
    if not isinstance(v, Series):
        return None
    if v.kind == "constant" and not v.is_rate:
        return np.asarray(v.values, dtype=float)[:, None], "constant"
    axis = ctx.axis
    if axis is None:
        return None
    if v.kind in ("steps", "dated"):
        pattern = "steps"
    else:  # a rate is the same every step only if the steps are of equal length
        pattern = "constant" if v.kind == "constant" and axis.kind is StepKind.DAYS else "monthly"
    values = ctx.resolved(v)[0]
    return None if values is None else (values, pattern)


def _pattern(*patterns: str) -> str:
    for p in ("steps", "monthly"):
        if p in patterns:
            return p
    return "constant"


def _excess(a: np.ndarray, b: np.ndarray, pattern: str, axis: TimeAxis | None,
            scenarios: tuple[str, ...]) -> tuple[float, float, str, list[tuple[str, float, float]]] | None:
    """Where ``a > b`` (arrays (S|1, T|1)): the two values at the first such step and scenario, a phrase naming
    where (empty if everywhere) and, where it names calendar months whose values differ, each month's name and two
    values (else empty); None if nowhere or if the shapes do not match (reported elsewhere)."""
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        return None
    bad = np.broadcast_to(a, shape) > np.broadcast_to(b, shape)
    if not np.any(bad):
        return None
    t, s = divmod(int(np.flatnonzero(bad.T)[0]), shape[0])  # the first step, then the first scenario
    lo, hi = float(np.broadcast_to(a, shape)[s, t]), float(np.broadcast_to(b, shape)[s, t])
    where, per_month = "", []
    steps_bad = np.any(bad, axis=0)
    if axis is not None and shape[1] > 1 and not np.all(steps_bad):
        if pattern == "monthly" and axis.monthly:
            months = sorted(set(axis.month[steps_bad].tolist()))
            names = [calendar.month_name[m] for m in months]
            where = " in " + _and_list(names)
            # (a rule curve above max_volume quoted October's 12800 hm³ for July to October: 12500 to 13000)
            per_month = _month_values(np.broadcast_to(a, shape)[s], np.broadcast_to(b, shape)[s], axis, months)
        else:
            n = int(np.sum(steps_bad))
            where = f" at the step starting {axis.starts[t]:%Y-%m-%d}" + (
                f" (and {n - 1} later step{'s' if n > 2 else ''})" if n > 1 else "")
    if shape[0] > 1 and not np.all(bad[:, t]):
        where += f" in scenario {scenarios[s] if len(scenarios) == shape[0] else s}"
    return lo, hi, where, per_month


def _and_list(words: list[str]) -> str:
    """``January``, ``January and March``, ``January, March and May``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _month_values(a: np.ndarray, b: np.ndarray, axis: TimeAxis, months: list[int]) -> list[tuple[str, float, float]]:
    """Each of ``months``' name and the two values (``a``, ``b``: one scenario's, per step of ``axis``) at its first
    step, where they differ from month to month; empty where every month has the same two."""
    firsts = [int(np.flatnonzero(axis.month == m)[0]) for m in months]
    found = [(calendar.month_name[m], float(a[t]), float(b[t])) for m, t in zip(months, firsts, strict=True)]
    return found if len({(lo, hi) for _, lo, hi in found}) > 1 else []


#: pairs of attributes of the same unit whose first must not exceed the second, by element kind
_ORDERED: dict[str, tuple[tuple[str, str], ...]] = {
    "reservoir": (("min_volume", "max_volume"), ("min_volume", "flood_control_max"), ("target_volume", "max_volume")),
    "demand": (("min_flow", "demand"),),
    "hydropower": (("min_flow", "max_flow"), ("min_flow", "max_turbine_flow")),
    "flow_sum": (("min_flow", "max_flow"),),
}


def _ordered_pairs(el: Node | Edge | Constraint) -> tuple[tuple[str, str], ...]:
    if isinstance(el, Edge):
        return (("min_flow", "max_flow"),)
    if el.type in _ORDERED:
        return _ORDERED[el.type]
    pairs: tuple[tuple[str, str], ...] = (("min_flow", "max_flow"),)
    ctype = component_type(el.type)
    cap = ctype.attribute("capacity") if ctype is not None else None
    if cap is not None and cap.dimension == "flow":  # a canal's capacity (a plant's is a power)
        pairs += (("min_flow", "capacity"),)
    return pairs


def check_min_max(ctx: CheckContext) -> Iterable[Problem]:
    model, file, axis = ctx.model, ctx.file, ctx.axis
    elements: list[Node | Edge | Constraint] = [*model.nodes, *model.edges, *model.constraints]
    for el in elements:
        for lo, hi in _ordered_pairs(el):
            a, b = _per_step(el.attrs.get(lo), ctx), _per_step(el.attrs.get(hi), ctx)
            if a is None or b is None:
                continue
            if not isinstance(el, Constraint) and (np.any(a[0] < 0) or np.any(b[0] < 0)):
                continue  # reported by check_nonnegative (a weighted sum of flows may be negative)
            r = _excess(a[0], b[0], _pattern(a[1], b[1]), axis, model.scenario_names)
            if r:  # (with their units: a volume of 900 m3 for 900 hm³ shows as 0.0009 hm³)
                attr = None if isinstance(el, Constraint) else _attribute(el, lo)
                yield Problem(file, el.at(lo), _excess_text(lo, hi, r, "flow" if attr is None else attr.dimension))
    for n in model.nodes_of("reservoir"):
        yield from _check_initial(n, file)


def _excess_text(lo: str, hi: str, excess: tuple[float, float, str, list[tuple[str, float, float]]],
                 dim: str | None) -> str:
    """What :func:`check_min_max` says of attribute ``lo`` above ``hi`` where :func:`_excess` found it: their values
    where it starts, or each month's where the months it names differ."""
    a, b, where, per_month = excess
    if not per_month:
        return f"{lo} ({_with_unit(a, dim, False)}) is greater than {hi} ({_with_unit(b, dim, False)}){where}"
    scenario = where[where.find(" in scenario"):] if " in scenario" in where else ""
    if len({y for _, _, y in per_month}) == 1:  # (one bound, a curve above it: each month's value)
        months = _and_list([f"{m} ({_with_unit(x, dim, False)})" for m, x, _ in per_month])
        return f"{lo} is greater than {hi} ({_with_unit(b, dim, False)}) in {months}{scenario}"
    months = _and_list([f"{m} ({_with_unit(x, dim, False)} > {_with_unit(y, dim, False)})" for m, x, y in per_month])
    return f"{lo} is greater than {hi} in {months}{scenario}"


def _check_initial(n: Node, file: str) -> Iterable[Problem]:
    init = n.attrs.get("initial_volume")
    vmax, vmin = numbers_of(n.attrs.get("max_volume")), numbers_of(n.attrs.get("min_volume"))
    if init is None or vmax is None or vmin is None:
        return
    if init > float(np.max(vmax)):
        yield Problem(file, n.at("initial_volume"), f"initial volume {init:g} hm³ exceeds max_volume "
                      f"{float(np.max(vmax)):g} hm³")


def check_hydropower(ctx: CheckContext) -> Iterable[Problem]:
    """A plant needs a head, and a positive head, capacity and efficiency: the capacity caps the turbine flow at
    capacity / (head × efficiency), and all the plant's flow goes through its turbines, so without any of them
    the plant can pass no water."""
    model, file = ctx.model, ctx.file
    ids = {n.id: n for n in model.nodes}
    # where water goes, to check that a plant's reservoir is upstream of it (not where an edge names no node or
    # could not be read: that edge's own problem is the one to fix)
    whole = _arcs(model) if not ctx.loose_ids and all(e.source in ids and e.target in ids for e in model.edges) else {}
    for n in model.nodes_of("hydropower"):
        res = ids.get(n.attrs.get("reservoir") or "")
        head = n.attrs.get("head")
        if head is None:
            table = res.attrs.get("level_table") if res is not None and res.type == "reservoir" else None
            tailwater = n.attrs.get("tailwater_level", 0.0)
            if res is None:
                if n.attrs.get("reservoir") is None:  # (else: a reservoir that is no node, named as such)
                    yield Problem(file, n.at(), "a hydropower plant needs a fixed 'head' or a 'reservoir' for its "
                                  "head")
            elif res.type == "reservoir" and (table is None or table.level is None) and (
                    res.id, "level_table") not in ctx.unread_attributes:
                yield Problem(file, n.at("reservoir"), f"reservoir '{res.id}' has no level_table with "
                              "levels, so the head cannot be computed; add one or give 'head'")
            elif table is not None and is_number(tailwater) and np.max(table.level) <= float(tailwater):
                yield Problem(file, n.at("tailwater_level"), (
                    f"the level of reservoir '{res.id}' is never above the tailwater level ({float(tailwater):g} m; "
                    f"its level table reaches {float(np.max(table.level)):g} m), so the plant has no head and can "
                    "pass no water; check the levels (m a.s.l.) and the tailwater level"))
        elif res is not None and getattr(res.attrs.get("level_table"), "level", None) is not None:
            yield Problem(file, n.at("head"), f"a fixed head and a reservoir ('{res.id}') whose level would set the "
                          "head: give one of them (a reservoir with its level_table and the plant's tailwater_level, "
                          "or a fixed head for a run-of-river plant)")
        elif is_number(head) and float(head) <= 0:
            yield Problem(file, n.at("head"), f"is {float(head):g} m; the head must be > 0 (with no head the "
                          "plant produces nothing and can pass no water)")
        if head is None and res is not None and res.type == "reservoir" and whole and not _reaches(
                whole, res.id, n.id):
            yield Problem(file, n.at("reservoir"), (
                f"'{res.id}' is not upstream of the plant: none of its water reaches '{n.id}' (along edges, spills "
                "or return flows), so its level is not the plant's head; name the reservoir whose outlet the plant "
                "is on, or give a fixed 'head'"))
        if n.attrs.get("efficiency") == 0:
            yield Problem(file, n.at("efficiency"), "is 0; a plant with zero efficiency produces nothing and can "
                          "pass no water (its capacity caps the turbine flow at capacity / (head × efficiency)); "
                          "give its overall efficiency, e.g. 0.9")
        if n.attrs.get("capacity") == 0:
            yield Problem(file, n.at("capacity"), "is 0; a plant with no capacity can pass no water (all its flow "
                          "goes through the turbines); give the installed capacity, or use a reach")


#: (node type, attribute) of the series the engine keeps one of for all scenarios (``daryo.network.compile``)
SHARED_SERIES = (("reservoir", "evaporation"), ("hydropower", "energy_target"))


def check_shared_series(ctx: CheckContext) -> Iterable[Problem]:
    """An attribute the engine keeps one series of for all scenarios (:data:`SHARED_SERIES`) is not given a
    differing list per trace: ``daryo validate`` passed what ``daryo run`` then refused (a numerical verification
    review).  (One from a parameter that differs by scenario is refused where the network is compiled.)"""
    for node_type, key in SHARED_SERIES:
        for n in ctx.model.nodes_of(node_type):
            resolved = _per_step(n.attrs.get(key), ctx)
            if resolved is not None and resolved[0].shape[0] > 1 and not np.all(resolved[0] == resolved[0][:1]):
                yield Problem(ctx.file, n.at(key), scenarios_differ(key, resolved[0].shape[0]))


def scenarios_differ(key: str, rows: int) -> str:
    """What is wrong with an attribute of :data:`SHARED_SERIES` given ``rows`` differing rows, one per scenario."""
    return (f"{key} differs between scenarios ({rows} rows); give one series for all scenarios: the engine keeps a "
            f"single {key} series")


#: the largest evaporation depth of a step (mm) a model may give: beyond it, a typo (or a volume written as a depth)
MAX_EVAPORATION_MM = 10_000.0


def check_level_tables(ctx: CheckContext) -> Iterable[Problem]:
    """Levels rise with the volume, and volumes and areas are not negative (an area below zero would turn evaporation
    into inflow, a falling level make the head fall as the reservoir fills); an evaporation depth has areas to act
    on."""
    model, file = ctx.model, ctx.file
    for n in model.nodes_of("reservoir"):
        table = n.attrs.get("level_table")
        depth = numbers_of(n.attrs.get("evaporation"))
        if depth is not None and np.any(depth > MAX_EVAPORATION_MM):
            yield Problem(file, n.at("evaporation"), (
                f"{float(depth.max()):.6g} mm of evaporation in one step: more than {MAX_EVAPORATION_MM:,.0f} mm "
                "(10 m) in a step is no lake's; the depth is in mm per step"))
        if (table is None or table.area is None) and depth is not None and np.any(depth != 0) and (
                n.id, "level_table") not in ctx.unread_attributes:
            yield Problem(file, n.at("evaporation"), "a reservoir's evaporation is its depth × its area, but it has no "
                          "level_table with an area column, so nothing would evaporate; add the areas (km²)")
        if table is None:
            continue
        large = [(c, a) for c, a in (("volume", table.volume), ("level", table.level), ("area", table.area))
                 if a is not None and np.any(np.abs(a) > MAX_MAGNITUDE)]
        for column, values in large:
            yield Problem(file, n.at(f"level_table.{column}"), f"holds {float(np.max(np.abs(values))):g}: "
                          f"{too_large_text()}")
        if large:
            continue
        if table.level is not None and np.any(np.diff(table.level) < 0):
            k = int(np.flatnonzero(np.diff(table.level) < 0)[0])
            yield Problem(file, n.at("level_table.level"), (
                f"the levels fall as the volume rises (from {table.level[k]:g} m at {table.volume[k]:g} hm³ to "
                f"{table.level[k + 1]:g} m at {table.volume[k + 1]:g} hm³); a reservoir's level must not fall "
                "as it fills"))
        vmax, vmin = numbers_of(n.attrs.get("max_volume")), numbers_of(n.attrs.get("min_volume", 0.0))
        if vmax is not None and float(np.max(vmax)) > table.volume[-1] * (1 + 1e-9):
            top = float(np.max(vmax))
            # (a lecturer's review: a table written in km³ without its units was told only to be extended)
            in_km3 = top <= table.volume[-1] * 1000 * (1 + 1e-9) <= 1.5 * top
            yield Problem(file, n.at("level_table.volume"), (
                f"ends at {table.volume[-1]:g} hm³, below max_volume ({top:g} hm³): above it the level and area "
                "would stay those of the table's last row; " + (
                    "are its volumes in km³? give their unit, units: {volume: km3} (the table is read in hm³ without "
                    "it)" if in_km3 else "extend the table to the full volume")))
        if vmin is not None and float(np.min(vmin)) < table.volume[0] * (1 - 1e-9):
            yield Problem(file, n.at("level_table.volume"), (
                f"starts at {table.volume[0]:g} hm³, above min_volume ({float(np.min(vmin)):g} hm³): below it the "
                "level and area would stay those of the table's first row; start the table at the dead volume or "
                "lower"))
        if table.volume[0] < 0:
            yield Problem(file, n.at("level_table.volume"), f"starts at {table.volume[0]:g} hm³; a volume of water "
                          "stored is ≥ 0 (start the table at 0 or at the dead volume)")
        if table.area is not None and np.any(table.area < 0):
            yield Problem(file, n.at("level_table.area"), f"is negative ({float(np.min(table.area)):g} km²); areas "
                          "must be ≥ 0")


def check_state_dependent(ctx: CheckContext) -> Iterable[Problem]:
    model, file = ctx.model, ctx.file
    dynamic = state_dependent(model.parameters) if model.parameters else set()
    if not dynamic:
        return
    for el in _elements(model):
        ctype = None if isinstance(el, Edge) else component_type(el.type)
        attrs = EDGE_ATTRIBUTES if isinstance(el, Edge) else ctype.all_attributes if ctype else ()
        for key in (a.name for a in attrs if a.fixed):
            ref = el.attrs.get(key)
            if isinstance(ref, ParameterRef) and ref.name in dynamic:
                hint = ("; a plant's flow limits are fixed values, which its capacity at the step's head then caps: "
                        "put the state-dependent bound on the edge into the plant" if isinstance(el, Node)
                        and el.type == "hydropower" and key != "energy_target" else "")
                yield Problem(file, el.at(key), (
                    f"parameter '{ref.name}' depends on the reservoir state, which this attribute cannot use "
                    "(state-dependent parameters can set flow bounds, costs, reservoir volumes and constraint "
                    f"bounds and factors){hint}"))


#: every check, in the order their problems are reported
CHECKS: tuple[Check, ...] = (check_edges, check_unique_ids, check_references, check_connected, check_nonnegative,
                             check_magnitudes, check_ratio_factors, check_fractions, check_places, check_series,
                             check_shared_series, check_min_max, check_hydropower, check_level_tables,
                             check_state_dependent, check_loops)


def validate_model(model: Model, file: str = "", declared_ids: set[str] | None = None,
                   loose_ids: set[str] | None = None,
                   unread_attributes: set[tuple[str, str]] | None = None, file_steps: int | None = None
                   ) -> list[Problem]:
    """Run every check; return all problems found (empty if the model is valid).

    ``declared_ids`` are node ids present in the file even if their node could not be parsed (so that
    an edge to them is not also reported as dangling); ``loose_ids`` are the names in edges that could not be
    parsed (so that their nodes are not also reported as unconnected); ``unread_attributes`` the (node id,
    attribute) given but not read (so that they are not also reported as missing); ``file_steps`` the steps of
    the file's own span where the run is shorter (see :class:`CheckContext`).
    """
    ctx = CheckContext(model, file, frozenset(declared_ids or ()), frozenset(loose_ids or ()),
                       frozenset(unread_attributes or ()), file_steps)
    return [p for check in CHECKS for p in check(ctx)]
