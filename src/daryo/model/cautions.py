"""Cautions on a valid model: what it may not mean (a head from levels above sea level, data an overlay does not
change, an unlimited source, ...), each a sentence that names the file and the place.  They are notes, not
problems: ``daryo validate``, ``daryo run`` and ``daryo ensemble`` print them and go on.  The checks that make a
model invalid are in :mod:`daryo.model.validate`."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import Problem, did_you_mean, listed
from ..parameters import DataFrame as DataFrameParameter
from ..parameters import ParameterRef
from ..units import CANONICAL_UNITS, UnitError, is_number
from .components import CONSTRAINT_TYPES, component_type
from .csvseries import column_name, unit_in_name
from .series import LevelTable, Series, is_nonzero
from .topology import _arcs_in_a_step, _arcs_text, _shortest_path, _strongly_connected
from .types import Constraint, Edge, Model, Node
from .validate import CheckContext, _attribute, _elements
from .values import header_unit_agrees

__all__ = ["cautions", "HIGH_HEAD_M", "LEVEL_TABLE_FACTOR", "LOW_EFFICIENCY", "PRIORITY_ATTRIBUTES"]


#: the gross head (m) above which a plant's head from its reservoir's levels, with no tailwater_level, is taken for
#: levels in metres above sea level: the highest dams stand about 300-335 m (Nurek ~300 m, Rogun 335 m as designed:
#: ../shared/data/aral-facts-detail.md, reservoirs table, sources [27-29], [29, 32])
HIGH_HEAD_M = 400.0


def _inflow_data_read_elsewhere(model: Model, file: str) -> list[str]:
    """The caution on each attribute other than an inflow that reads, through its parameters, the same CSV data as
    inflows (a WEAP user's review: a share of a river's flow, 0.42 of its inflow's CSV column, kept the record's
    values under a drought overlay and in an ensemble's traces, which change the inflow alone)."""
    from ..parameters import DataFrame, dependency_order, references

    params = model.parameters
    if not any(isinstance(q, DataFrame) for q in params.values()):
        return []
    data: dict[str, frozenset[tuple[str, tuple[str, ...]]]] = {}  # (the CSV data each parameter reads, directly or
    for name in dependency_order(params):  # not: its inputs' first)
        q = params[name]
        own = {(q.path, tuple(str(c) for c in q.frame.columns))} if isinstance(q, DataFrame) and q.frame is not None \
            else set()
        data[name] = frozenset(own.union(*(data.get(i, frozenset()) for i in q.inputs())))

    inflows: dict[tuple[str, tuple[str, ...]], list[str]] = {}  # (the inflows' data, with the inflows that read it)
    for n in model.nodes_of("inflow"):
        for r in references({"inflow": n.get("inflow")}):
            for key in data.get(r.name, frozenset()):
                inflows.setdefault(key, []).append(n.id)
    notes = []
    elements: list[Node | Edge | Constraint] = [*model.nodes, *model.edges, *model.constraints]
    for el in elements:
        for attr, value in el.attrs.items():
            if isinstance(el, Node) and el.type == "inflow" and attr == "inflow":
                continue
            for r in references({attr: value}):
                shared = sorted({nid for key in data.get(r.name, frozenset()) for nid in inflows.get(key, ())})
                if not shared:
                    continue
                through = "," if isinstance(params.get(r.name), DataFrame) else ", which reads"
                one = len(shared) == 1
                notes.append(str(Problem(file, el.at(attr), (
                    f"reads parameter '{r.name}'{through} the data of {'inflow' if one else 'inflows'} "
                    f"{listed([repr(i) for i in shared], 4)}: an overlay that changes "
                    f"{'the inflow' if one else 'them'}, or an ensemble's traces, leave it as it is; to follow "
                    f"{'the inflow' if one else 'each inflow'} as the run has it, read it with "
                    f"{{type: inflow, node: {shared[0]}}}{'' if one else ' (one such parameter for each)'}"))))
                break
    return notes


def _unknown_countries(model: Model, file: str) -> list[str]:
    """The caution on each ``country`` that is not an ISO 3166-1 alpha-3 code (a QA review: UZK for UZB made a
    country of its own in every table, without a word), at its first node, with the model's own code it is
    likely a typo of."""
    from .countries import is_country_code

    given = [(n, str(n.country)) for n in model.nodes if n.country and re.fullmatch(r"[A-Z]{3}", str(n.country))]
    known = sorted({c for _, c in given if is_country_code(c)})
    notes, seen = [], set()
    for n, code in given:
        if is_country_code(code) or code in seen:
            continue
        seen.add(code)
        others = [m.id for m, c in given if c == code and m is not n]
        also = f" (and {listed(others, 3)})" if others else ""
        notes.append(str(Problem(file, n.at("country"), (
            f"'{code}'{also} is not an ISO 3166-1 alpha-3 code{did_you_mean(code, known)}: the tables by country "
            "show it as a country of its own; give the country's code, or one ISO leaves to its users (XAA-XZZ) "
            "for a region of your own"))))
    return notes


def _given(el: Node, name: str) -> bool:
    """Whether the model gives attribute ``name`` of node ``el`` (the loader fills in the defaults of the others): the
    line of its key is known, or its value is not the default the loader fills in (a value an overlay set, or one of
    a model made in Python)."""
    if name in el.key_lines:
        return True
    value = el.attrs.get(name)
    if isinstance(value, Series):
        return value.origin != ("", "")  # (a default series is made without a place in the file)
    ctype = component_type(el.type)
    attribute = ctype.attribute(name) if ctype is not None else None
    return value is not None and (attribute is None or value != attribute.default)


#: the attributes that rank requirements in ``priority`` mode, which ``cost`` mode does not read
PRIORITY_ATTRIBUTES = ("priority", "target_priority", "energy_priority")


def _unread_allocation_attributes(model: Model, file: str) -> list[str]:
    """The caution on the attributes the model's allocation does not read (a MODSIM user's review: the seniority of
    two demands written as costs, -49990 and -49000, in ``priority`` mode, which shared the shortage equally without
    a word): in ``priority`` mode the ``cost`` of demands, which choose among routes with every delivery held; in
    ``cost`` mode every priority (:data:`PRIORITY_ATTRIBUTES`).  One caution, at the first such node, naming the
    others."""
    if model.allocation == "priority":  # (a cost of 0, said in so many words, changes nothing: a diff review)
        nodes = [n for n in model.nodes_of("demand") if _given(n, "cost") and is_nonzero(n.get("cost"))]
        attributes = ["cost"] * len(nodes)
        what, text = "a cost on a demand", (
            "which in priority mode does not change what the demand gets: the priorities rank the deliveries (1 is "
            "served first; demands of one priority share a shortage, max–min fairly), and the costs are minimised "
            "only after, with every delivery held, to choose among routes that deliver the same; to serve one "
            "demand before another, give it a smaller priority number (or use allocation: cost, where the costs "
            "allocate)")
    elif model.allocation == "cost":
        first = [(n, next((a for a in PRIORITY_ATTRIBUTES if _given(n, a)), "")) for n in model.nodes]
        nodes, attributes = [n for n, a in first if a], [a for _, a in first if a]
        what, text = "a priority", (
            "which cost mode does not read: one solve minimises the model's costs alone, so give the element a "
            "negative cost instead (a benefit per hm³: of a demand, per hm³ delivered; of a flow requirement, met; of "
            "a reservoir, stored; of a plant, through its turbines; the more negative, the sooner it is served), or "
            "use allocation: priority, where the priorities rank them")
    else:
        return []
    if not nodes:
        return []
    also = f" (also on {listed([repr(n.id) for n in nodes[1:]], 3)})" if len(nodes) > 1 else ""
    return [str(Problem(file, nodes[0].at(attributes[0]), f"{what}{also}, {text}"))]


def _starts_below_dead_volume(ctx: CheckContext) -> list[str]:
    """In ``priority`` mode, the caution on each reservoir whose ``initial_volume`` is below its ``min_volume`` (its
    least in the run, as :func:`daryo.network.compile` compares them; a ``min_volume`` a parameter sets is not
    known before the run and is not compared): its dead volume is a requirement before every priority, which takes
    water even from senior demands not downstream of it (a MODSIM user's review: a priority-1 demand beside a new
    reservoir got nothing for two months, without a word)."""
    if ctx.model.allocation != "priority":
        return []
    notes = []
    for n in ctx.model.nodes_of("reservoir"):
        start, vmin = n.get("initial_volume"), n.get("min_volume")
        volumes = ctx.resolved(vmin)[0] if isinstance(vmin, Series) else None
        if not is_number(start) or volumes is None:
            continue
        lowest = float(np.min(volumes))
        if float(start) < lowest - _VOLUME_NOISE:  # (a run's end volume carried on sits up to 1e-8 below it)
            least = ", its least in the run" if float(np.max(volumes)) > lowest else ""
            notes.append(str(Problem(ctx.file, n.at("initial_volume"), (
                f"{float(start):g} hm³, below min_volume ({lowest:g} hm³{least}): in priority mode a reservoir "
                "refills its dead volume before every priority (priority 0): it takes the water that can reach it, "
                "even from senior demands that are not downstream of it, until it holds "
                f"{lowest:g} hm³; if it is not meant to fill first (a new reservoir's filling may be), start it at "
                "its min_volume or above"))))
    return notes


#: a volume below a bound by no more than this is at it: the solver's noise in a run's end volumes (~1e-8 hm³),
#: which a chain of runs carries on as the next one's initial volume (a rolling-horizon review)
_VOLUME_NOISE = 1e-6


def _proportion_disagrees(ctx: CheckContext) -> list[str]:
    """The caution on each reservoir given both ``initial_volume`` and ``initial_proportion`` that disagree with its
    maximum volume at the start (a constant, or a series' first step): control curves read the proportion in the
    first step, the water balance the volume (a rolling-horizon review: an overlay carried a run's end volume on
    as ``initial_volume`` and left a converted Pywr model's ``initial_proportion`` as it was; the first step's
    rationing followed the stale proportion, 300 hm³ delivered where 60 were due, without a word)."""
    notes = []
    for n in ctx.model.nodes_of("reservoir"):
        start, share, vmax = n.get("initial_volume"), n.get("initial_proportion"), n.get("max_volume")
        volumes = ctx.resolved(vmax)[0] if isinstance(vmax, Series) else None
        if not (is_number(start) and is_number(share)) or volumes is None:
            continue
        first = np.unique(np.asarray(volumes, dtype=float).reshape(-1, np.shape(volumes)[-1])[:, 0])
        if first.size != 1 or not first[0] > 0:
            continue
        implied = float(start) / float(first[0])
        if abs(implied - float(share)) > 1e-6:
            notes.append(str(Problem(ctx.file, n.at("initial_proportion"), (
                f"{float(share):g}, but initial_volume {float(start):g} hm³ is {implied:.4g} of max_volume "
                f"{float(first[0]):g} hm³: control curves read the proportion in the first step and the water "
                "balance the volume; where one is changed (an overlay that sets initial_volume), set the other "
                "alike, or leave out initial_proportion (then initial_volume / max_volume)"))))
    return notes


def _returns_nothing(ctx: CheckContext) -> list[str]:
    """The caution on each demand with a ``return_to`` whose ``consumptive_fraction`` is 1 in every step of the run
    (the default; it takes no parameter): it consumes all it gets, so its ``return_to`` node never receives anything
    (a MODSIM user's review)."""
    notes = []
    for n in ctx.model.nodes_of("demand"):
        ref, fraction = n.get("return_to"), n.get("consumptive_fraction")
        consumed = ctx.resolved(fraction)[0] if isinstance(fraction, Series) else None
        if ref is None or consumed is None or not np.all(consumed >= 1):
            continue
        default = "" if _given(n, "consumptive_fraction") else " (the default)"
        notes.append(str(Problem(ctx.file, n.at("return_to"), (
            f"'{ref}' never receives anything: the demand's consumptive_fraction is 1{default}, so it consumes all "
            f"it gets and returns nothing; give the fraction it consumes (0.6: 40 % of what it gets returns to "
            f"'{ref}'), or leave out return_to"))))
    return notes


def _drawn_below_tailwater(ctx: CheckContext) -> list[str]:
    """The caution on each hydropower plant whose reservoir's dead volume (its least ``min_volume``) lies below the
    plant's tailwater level: the plant passes no water from a step that starts at no head, but within a step it can
    draw the reservoir below that level, its energy reckoned at the step's start head (a hydropower engineer's
    review: 250 hm³ passed "uphill" through a plant whose reservoir ended 25 m below its tailwater)."""
    ids = {n.id: n for n in ctx.model.nodes}
    notes = []
    for n in ctx.model.nodes_of("hydropower"):
        res = ids.get(str(n.get("reservoir") or ""))
        tailwater = n.get("tailwater_level")
        table = res.get("level_table") if res is not None else None
        if (res is None or n.get("head") is not None or not is_number(tailwater) or not isinstance(table, LevelTable)
                or table.level is None or float(tailwater) <= float(np.min(table.level))
                or float(tailwater) >= float(np.max(table.level))):  # (never above it: a problem of its own)
            continue
        vmin = res.get("min_volume")
        volumes = ctx.resolved(vmin)[0] if isinstance(vmin, Series) else np.zeros(1)
        if volumes is None:  # (a parameter's: not known before the run)
            continue
        below = float(np.interp(float(tailwater), table.level, table.volume))
        if float(np.min(volumes)) < below:
            notes.append(str(Problem(ctx.file, n.at("tailwater_level"), (
                f"{float(tailwater):g} m, the level of {below:g} hm³ in reservoir '{res.id}', above the level of its "
                f"dead volume ({float(np.min(volumes)):g} hm³): a step that starts above the tailwater can draw the "
                "reservoir below it through the plant, with the step's energy reckoned at its start head (only a "
                "step that starts at or below it passes no water); if the plant cannot draw it lower, give the "
                f"reservoir a min_volume of {below:g} hm³ or more"))))
    return notes


#: the overall efficiency (turbine × generator) below which a plant's is noted: most plants' are 0.8–0.95, and the
#: least of old or small ones about 0.5–0.6, so one below 0.3 is most likely a percentage's sign added to a fraction
#: (``0.9 %``, which is 0.009)
LOW_EFFICIENCY = 0.3


def _low_efficiency(model: Model, file: str) -> list[str]:
    """The caution on each hydropower plant whose ``efficiency`` is below :data:`LOW_EFFICIENCY` (a units auditor's
    review: ``efficiency: 0.9 %``, 0.009, was taken without a word, its energy a hundredth of the plant's, while
    ``efficiency: 90`` is refused with a hint)."""
    notes = []
    for n in model.nodes_of("hydropower"):
        e = n.value("efficiency")
        if not is_number(e) or not 0 < float(e) < LOW_EFFICIENCY:
            continue
        e = float(e)
        meant = (f"if {e * 100:g} is meant ({e * 1e4:g} %), write {e * 100:g} or {e * 1e4:g} % ({e * 100:g} % is "
                 f"{e:g})" if LOW_EFFICIENCY <= e * 100 <= 1 else "if 90 % is meant, write 90 % or 0.9")
        notes.append(str(Problem(file, n.at("efficiency"), (
            f"{e:g} ({e * 100:g} %), a low overall efficiency (turbine × generator: most plants' are 0.8–0.95): the "
            f"energy of the water through its turbines is cut in proportion; {meant}"))))
    return notes


#: how far a level table's volumes may lie from its areas × its levels' rise before they are noted: geometrically
#: the volume between two rows is about their mean area × the level's rise (between the lower and the upper area ×
#: it, so within a factor of 2 of it where areas grow with the level, and about 2/3 of it for a cone's first row
#: from 0); the embedded Aral model's tables and the demo's lie within 0.7-1.3 of it, and a column in another unit
#: (areas in ha or m², volumes in km³ or m³, levels in cm) at least a factor of 100 from it
LEVEL_TABLE_FACTOR = 5.0

#: a column in another unit than the level table reads it in, with the factor it puts between the table's volumes
#: and its areas × its levels' rise, and what to write instead
_LEVEL_TABLE_SLIPS = (
    (1e-2, "the areas in ha (give units: {area: ha})"), (1e-2, "the levels in cm (give them in m)"),
    (1e-6, "the areas in m² (give units: {area: m2})"), (1e-3, "the volumes in km³ (give units: {volume: km3})"),
    (1e6, "the volumes in m³ (give units: {volume: m3})"))


def _hm3(volume: float) -> str:
    """A volume (hm³) for a message: whole hm³ with thousands separated, or three figures below 100."""
    return f"{volume:,.0f}" if abs(volume) >= 100 else f"{volume:.3g}"


def _level_table_out_of_proportion(model: Model, file: str) -> list[str]:
    """The caution on each reservoir whose level table's volumes and areas disagree by more than
    :data:`LEVEL_TABLE_FACTOR`: from its first row to its last, the volume rises by about the sum of each pair of
    rows' mean area (km²) × their level's rise (m), in hm³ (a Chu-Talas modeller's review: areas written in ha with
    no ``units: {area: ha}``, 800-2,500 read as km², evaporated a hundred times the water, without a word).  The
    likely slip is named where the factor is about that of a unit's (:data:`_LEVEL_TABLE_SLIPS`)."""
    notes = []
    for n in model.nodes_of("reservoir"):
        table = n.get("level_table")
        if not isinstance(table, LevelTable) or table.level is None or table.area is None:
            continue
        rise = float(table.volume[-1] - table.volume[0])
        swept = float(np.sum((table.area[1:] + table.area[:-1]) / 2 * np.diff(table.level)))
        if not (rise > 0 and swept > 0) or 1 / LEVEL_TABLE_FACTOR <= rise / swept <= LEVEL_TABLE_FACTOR:
            continue
        ratio = rise / swept
        slips = [text for factor, text in _LEVEL_TABLE_SLIPS if abs(np.log10(ratio / factor)) < 0.5]
        times = f"{ratio:,.0f} times" if ratio > 1 else f"1/{1 / ratio:,.0f} of"
        notes.append(str(Problem(file, n.at("level_table"), (
            f"its volumes rise by {_hm3(rise)} hm³ from its first row to its last, {times} its areas × its levels' "
            f"rise ({_hm3(swept)} hm³: each pair of rows' mean area in km² × their level's rise in m): a "
            "reservoir's volume grows by about its area × its level's rise, so a column is likely in another unit "
            "than the table reads (volume hm³, level m, area km²)" + (
                f": {' or '.join(slips)}" if slips else "")
            + "; its evaporation (depth × area) and its plants' head follow the table as read"))))
    return notes


def _requirement_at_a_demand(model: Model, file: str) -> list[str]:
    """The caution on each flow requirement ``at`` a demand: it guarantees the demand's delivery at the
    requirement's priority, not a flow in the river (a MODSIM user's review: an environmental flow put at the node a
    reservoir's release went to, a farm, was met by the farm's delivery)."""
    ids = {n.id: n for n in model.nodes}
    notes = []
    for n in model.nodes_of("flow_requirement"):
        at = ids.get(str(n.get("at") or ""))
        if at is None or at.type != "demand":
            continue
        ranked = model.allocation == "priority"  # (cost mode reads no priority: a diff review)
        notes.append(str(Problem(file, n.at("at"), (
            f"'{at.id}' is a demand: the requirement is met by the water delivered to it"
            + (f", at the requirement's priority ({n.value('priority')})" if ranked else "")
            + ", not by a flow in the river; for a flow in the river, put it at a reach or sink the river flows "
            "through (below the last diversion), and for a delivery the demand must get, its min_flow or "
            + ("priority say so" if ranked else "cost say so")))))
    return notes


def _monthly_amounts_per_step(ctx: CheckContext) -> list[str]:
    """In a model of steps shorter than a month, the caution on attributes (of nodes, edges and constraints) given as
    12 monthly values of an amount per step (hm³, GWh: not a rate): each step takes the value of the month it starts
    in, so a month's total written there is taken once a step (a daily model's reviewer: an energy target of 90 GWh
    a month, as the demo model writes its targets, asked 90 GWh of every day, ten times what the plant can give,
    which drained the reservoir without a word)."""
    if ctx.axis is None or ctx.axis.monthly or (ctx.axis.step_days or 0) >= 28:  # (a step of a month or more
        return []  # takes about its month's amount)
    days = ctx.axis.step_days
    found = []
    for el in [*_elements(ctx.model), *ctx.model.constraints]:
        for key, value in el.attrs.items():
            attribute = (CONSTRAINT_TYPES[el.type].attribute(key) if isinstance(el, Constraint)
                         else _attribute(el, key))
            if (isinstance(value, Series) and value.kind == "monthly" and not value.is_rate
                    and not value.per_month  # (hm3/month, GWh/month: months' totals, spread over days)
                    and attribute is not None and attribute.dimension in ("flow", "energy")):
                found.append((el, key))
    if not found:
        return []
    el, key = found[0]
    also = f" (also {listed([f'{e.id}.{k}' for e, k in found[1:]], 3)})" if len(found) > 1 else ""
    step = "dekad" if days is None else "day" if days == 1 else f"{days}-day step"
    return [str(Problem(ctx.file, el.at(key), (
        f"12 monthly values of an amount per step, not a rate{also}, in a model of {ctx.axis.steps_text()}: each "
        f"{step} takes the value of its month, so a month's total written here is taken once a {step}; give the "
        "months' totals in hm3/month or GWh/month ({monthly: [...], unit: hm3/month}: each step takes its days' "
        "part of its month's), or as a rate (their unit per day: hm3/day, GWh/day; or m3/s)")))]


def _constant_evaporation_per_step(ctx: CheckContext) -> list[str]:
    """In a model of steps other than months, the caution on each reservoir whose ``evaporation`` is a constant depth
    (``evaporation: 100``): it is a depth per step, so the year's is as many times it as the year has steps, 36 on
    dekads, 36.5 on 10-day steps, where 12 monthly depths are each month's, shared by its days (a units auditor's
    review: a model moved from months to dekads took 3,600 mm a year where it had taken 1,200, without a word)."""
    axis = ctx.axis
    if axis is None or axis.monthly:
        return []
    per_year = 36.0 if axis.dekads else 365.25 / float(axis.step_days or 1)
    if abs(per_year / 12 - 1) <= 0.05:  # (30-day steps: 1,218 mm a year for 1,200, within the depths' own
        return []  # uncertainty: a diff reread found a note that --strict failed on)
    notes = []
    for n in ctx.model.nodes_of("reservoir"):
        depth = n.get("evaporation")
        if not isinstance(depth, Series) or depth.kind != "constant" or not np.any(depth.values > 0):
            continue
        d = float(np.max(depth.values))
        notes.append(str(Problem(ctx.file, n.at("evaporation"), (
            f"{d:g} mm, a constant depth, evaporates each step: on {axis.steps_text()} about {d * per_year:,.0f} mm a "
            f"year ({d * 12:,.0f} on monthly steps); if {d:g} mm is a month's depth, give 12 monthly depths, "
            f"[{d:g}, {d:g}, …] or {{monthly: [...], unit: mm}}, January first: each month's is shared by its "
            "days"))))
    return notes


def _amounts_from_other_rows(ctx: CheckContext) -> list[str]:
    """The caution on attributes (of nodes, edges and constraints) read as an amount per step (hm³, GWh: not a rate)
    from a ``dataframe`` parameter whose file's rows are longer or shorter than the model's steps: a step takes the
    mean of its rows (a longer row's value whole), which is right for rates, not for amounts per row (a BWO planner's
    review: monthly limits in hm³ read at dekads gave each dekad the month's whole, three times the year's
    limits, without a word)."""
    from ..parameters import MonthlyProfile, with_inputs

    axis = ctx.axis
    if axis is None or not axis.n_steps:
        return []
    step = float(np.median(axis.days))
    notes = []
    for el in [*_elements(ctx.model), *ctx.model.constraints]:
        for key, value in el.attrs.items():
            attribute = (CONSTRAINT_TYPES[el.type].attribute(key) if isinstance(el, Constraint)
                         else _attribute(el, key))
            if (not isinstance(value, ParameterRef) or value.is_rate or attribute is None
                    or attribute.dimension not in ("flow", "energy")):
                continue
            # (the parameter and those it reads: a file behind an aggregated or max parameter is read alike)
            read = [(n, ctx.model.parameters[n]) for n in sorted(with_inputs(ctx.model.parameters, {value.name}))]
            rows = [(n, _row_days(p)) for n, p in read if isinstance(p, DataFrameParameter)]
            rows = [(n, days) for n, days in rows if days is not None and abs(days - step) > 0.25 * step]
            if not rows and step < 28 and any(isinstance(p, MonthlyProfile) for _, p in read):
                rows = [(next(n for n, p in read if isinstance(p, MonthlyProfile)), 30.4)]  # (12 monthly values)
            if not rows:  # (rows of the steps' length: each step takes its own)
                continue
            name, days = rows[0]
            via = f" (through '{value.name}')" if name != value.name else ""
            notes.append(str(Problem(ctx.file, el.at(key), (
                f"an amount per step, not a rate, read from parameter '{name}'{via}, whose values are about "
                f"{days:g} days apart, in a model of {axis.steps_text()}: a step takes the mean of its rows' values "
                "(of a longer row, its value whole), which is right for a rate, not for an amount per row (a month's "
                "total is taken by each of its steps, days' amounts are averaged, not summed); give the unit as a "
                "rate (hm3/day, m3/s; GWh/day), or the values per step"))))
    return notes


def _dataframe_columns_in_other_units(ctx: CheckContext) -> list[str]:
    """The caution on attributes that read a ``dataframe`` parameter (directly) whose column's name states a unit
    (``flow (m3/s)``: :func:`~daryo.model.csvseries.unit_in_name`) other than the one the attribute reads it in
    (``{parameter: q, unit: ...}``; none: the canonical unit per step).  A CSV series's column is refused so
    (:func:`daryo.model.values._header_unit_problem`); a parameter may be read in several units, one a place, so
    each place is noted (a diff reread: ``{parameter: q}`` of a column ``flow (m3/s)`` read 400 m³/s as 400 hm³ a
    month, validate saying "valid")."""
    notes = []
    for el in [*_elements(ctx.model), *ctx.model.constraints]:
        for key, value in el.attrs.items():
            attribute = (CONSTRAINT_TYPES[el.type].attribute(key) if isinstance(el, Constraint)
                         else _attribute(el, key))
            p = ctx.model.parameters.get(value.name) if isinstance(value, ParameterRef) else None
            if (not isinstance(p, DataFrameParameter) or p.frame is None or attribute is None
                    or attribute.dimension is None):
                continue
            stated = [(str(c), u) for c in p.frame.columns if (u := unit_in_name(str(c))) is not None]
            if not stated:
                continue
            column, written = stated[0]
            try:  # (a reference reads no amount per calendar month on other steps than months: the loader refuses it)
                if header_unit_agrees(written, attribute.dimension, ((value.factor, value.is_rate),), False,
                                      ctx.axis is not None and not ctx.axis.monthly):
                    continue
            except UnitError:  # (a unit of another quantity: the column of another attribute, or another file's)
                continue
            canonical = CANONICAL_UNITS.get(attribute.dimension, "")
            read_in = (f"{canonical} (no unit given: the default)" if value.factor == 1 and not value.is_rate else
                       ("" if value.factor == 1 else f"{value.factor:.6g} ")
                       + (canonical.replace("/step", "/day") if value.is_rate else canonical))
            notes.append(str(Problem(ctx.file, el.at(key), (
                f"reads parameter '{value.name}', whose column '{column}' states its unit, {written}, in "
                f"{read_in}; give unit: {written} with {{parameter: {value.name}}}, or, if the values are in the "
                "unit it reads them in, take the unit out of the column's name"))))
    return notes


def _loops_within_a_step(ctx: CheckContext) -> list[str]:
    """The caution on each loop of water within a step (edges and spills through no delay) that passes no plant or
    flow requirement (those are refused: :func:`daryo.model.validate.check_loops`): valid, as a model's costs may
    keep water from going round it, but in a river network most often an edge written the wrong way round (a
    large-network modeller's review: a reversed edge of a generated file closed a loop of reaches, with no word).
    One caution per loop, at its first node in the file, naming a shortest loop through it."""
    leaving = _arcs_in_a_step(ctx.model)
    looped = _strongly_connected(leaving)
    notes, seen = [], set()
    for n in ctx.model.nodes:
        part = looped.get(n.id)
        if part is None or part in seen:
            continue
        seen.add(part)
        if any(m.type == "hydropower" for m in ctx.model.nodes if m.id in part):
            continue  # (refused)
        arcs = _shortest_path(leaving, n.id, n.id, part) or []
        notes.append(str(Problem(ctx.file, n.at(), (
            f"is on a loop of water within a step ({_arcs_text(arcs)}): water in a river network flows one way; is "
            "an edge written the wrong way round, or a spill sent upstream? (A loop the model means is left to its "
            "costs; water pumped back up must pass a delay.)"))))
    return notes


#: the months of the winter half-year (October-March), 0 being January, and each month's days (February's mean)
_WINTER = np.array([0, 1, 2, 9, 10, 11])
_MONTH_DAYS = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _irrigation_in_winter(model: Model, file: str) -> list[str]:
    """The caution on each irrigation demand (``category: irrigation``, the default) whose 12 monthly values put
    most of the year's volume in October-March: monthly lists are January first, and a list written October first,
    as hydrological years and the embedded model's hydrology tables run, shifts the growing season by three months
    (a hydro-informatics lecturer's review: students' October-first demands were accepted without a word).  A
    municipal, industrial or other demand may use its water in winter."""
    notes = []
    for n in model.nodes_of("demand"):
        demand = n.get("demand")
        if n.value("category") != "irrigation" or not isinstance(demand, Series) or demand.kind != "monthly":
            continue
        volumes = demand.values * (_MONTH_DAYS if demand.is_rate else 1.0)
        year, winter = float(np.sum(volumes)), float(np.sum(volumes[:, _WINTER]))
        if year > 0 and winter > 0.5 * year:
            share = winter / year
            notes.append(str(Problem(file, n.at("demand"), (
                f"an irrigation demand with most of its water in winter ({share:.0%} of the year's in October–March): "
                "monthly lists are January first; is it written October first? (if the demand is a winter one, "
                "leaching say, this is no fault)"))))
    return notes


def _no_sink(model: Model, file: str) -> list[str]:
    """The caution on a model with inflows and no sink (a hydro-informatics lecturer's review: ``daryo validate``
    passed it, and the run was infeasible in its first wet step, "give the water a way to a sink").  A caution, not
    a problem: a model whose demands and reservoirs take all its water runs."""
    inflows = model.nodes_of("inflow")
    if not inflows or model.nodes_of("sink"):
        return []
    return [str(Problem(file, inflows[0].at(), (
        "the model has inflows and no sink: water that no demand consumes and no reservoir keeps has nowhere to go, "
        "and a step with more of it than that is infeasible; add a node of type: sink where the river ends (a sea, "
        "a lake, the basin's outlet), with an edge to it from the last node of the river")))]


def _scenario_columns_by_position(model: Model, file: str) -> list[str]:
    """The caution on each series whose scenario columns share no name with those of the first named series, in the
    order the loader met them (:func:`daryo.model.loader._align_scenario_columns`): they are paired by position, as
    documented (``inflow_1, inflow_2`` with ``demand_1, demand_2``), which is right only if the files list the same
    scenarios in the same order (a Tashkent ministry analyst's review: columns of the same names written otherwise
    were paired so without a word, a wet trace with a dry one)."""
    elements: list[Node | Edge] = [*model.nodes, *model.edges]
    named = [(el, key, v) for el in elements for key, v in el.attrs.items()
             if isinstance(v, Series) and v.n_scenarios > 1 and v.scenarios]
    if not named:
        return []
    first_el, first_key, first = named[0]
    theirs = {column_name(n) for n in first.scenarios or ()}
    notes = []
    for el, key, v in named[1:]:
        if theirs & {column_name(n) for n in v.scenarios or ()}:
            continue  # (matched by name, or refused)
        pairs = [f"{a} with {b}" for a, b in zip(v.scenarios or (), first.scenarios or (), strict=False)]
        notes.append(str(Problem(v.origin[0] or file, v.origin[1] or el.at(key), (
            f"its scenario columns {v.columns_named()} share no name with {first_el.id}.{first_key}'s "
            f"{first.columns_named()} so they are paired by position: "
            f"{listed(pairs, 3)}; if they are not the same scenarios in the same order, give the columns of the "
            "same scenarios the same names (they are then paired by name)"))))
    return notes


def _row_days(p: DataFrameParameter) -> float | None:
    """The median days between the rows of a ``dataframe`` parameter's file (None: fewer than two rows)."""
    if p.frame is None or len(p.frame.index) < 2:
        return None
    return float(np.median(np.diff(pd.DatetimeIndex(p.frame.index).values).astype("timedelta64[D]").astype(float)))


def cautions(model: Model) -> list[str]:
    """What a valid model may not mean, each a sentence that names the file and the place: notes, not problems
    (``daryo validate``, ``daryo run`` and ``daryo ensemble`` print them).

    - a hydropower plant whose head is its reservoir's level above 0 m (its ``tailwater_level`` 0, the default),
      where that level reaches beyond :data:`HIGH_HEAD_M` (levels in m a.s.l.: the energy overstated many times);
    - an attribute other than an inflow that reads the CSV data of an inflow through parameters: overlays and an
      ensemble's traces change the inflow, not it (an ``inflow`` parameter follows them);
    - a ``country`` that is not an ISO 3166-1 alpha-3 code (:func:`daryo.model.countries.is_country_code`): a
      typo makes a country of its own in every table by country;
    - in ``priority`` mode, an inflow node with neither an ``inflow`` nor a ``max_flow``: an unlimited source,
      which supplies whatever the demands it reaches ask of it (a cost only keeps it from sending water on to
      the sinks);
    - in ``priority`` mode, a reservoir that starts below its dead volume (``initial_volume`` below
      ``min_volume``): refilling it comes before every priority, taking water even from senior demands elsewhere;
    - a demand with a ``return_to`` whose ``consumptive_fraction`` is 1 (the default) in every step: it returns
      nothing;
    - an attribute the allocation does not read: in ``priority`` mode a demand's ``cost`` (the priorities rank the
      deliveries), in ``cost`` mode a priority (:data:`PRIORITY_ATTRIBUTES`);
    - a flow requirement at a demand: it guarantees the delivery, not a flow in the river;
    - a hydropower plant whose tailwater level is above its reservoir's dead volume's level: a step can draw the
      reservoir below the tailwater through the plant;
    - a reservoir whose level table's volumes and its areas × its levels' rise disagree by more than
      :data:`LEVEL_TABLE_FACTOR`: a column in another unit (areas in ha, volumes in km³, levels in cm);
    - a hydropower plant whose efficiency is below :data:`LOW_EFFICIENCY` (``0.9 %``, 0.009, for 90 %);
    - an amount per step read from a ``dataframe`` parameter whose file's rows are not the model's steps: each step
      takes the mean of its rows, right for rates only;
    - an attribute that reads a ``dataframe`` parameter whose column's name states another unit (``flow (m3/s)``
      read with no unit);
    - in a model of N-day steps or dekads, 12 monthly values of an amount per step (hm³, GWh): each step takes its
      month's;
    - in a model of N-day steps or dekads, a reservoir's evaporation given as a constant depth: a depth per step, so
      a year's is 36 times it on dekads, where 12 monthly depths are each month's;
    - a loop of water within a step (edges and spills through no delay) that no refusal names: most often an edge
      written the wrong way round;
    - an irrigation demand whose 12 monthly values put most of the year's volume in October-March: a list written
      October first, where monthly lists are January first;
    - a model with inflows and no sink: water no demand or reservoir takes has nowhere to go;
    - a series whose scenario columns share no name with those of the first series with named columns: they are
      paired by position.

    Parameters
    ----------
    model
        A valid model.

    Returns
    -------
    list of str
        One sentence each (empty: none).
    """
    file = str(model.path or "")
    ids = {n.id: n for n in model.nodes}
    notes = []
    for n in model.nodes_of("hydropower"):
        res = ids.get(n.get("reservoir") or "")
        if res is None or n.get("head") is not None or n.value("tailwater_level") != 0:
            continue
        table = res.get("level_table")
        top = float(np.max(table.level)) if isinstance(table, LevelTable) and table.level is not None else 0.0
        if top > HIGH_HEAD_M:
            notes.append(str(Problem(file, n.at(), (
                f"tailwater_level 0 m: the head is the level of reservoir '{res.id}' above 0 m, up to "
                f"{top:,.0f} m, higher than any dam's (~300 m); if its levels are in m above sea level, give the "
                "plant's tailwater_level (m a.s.l.), or its energy is overstated"))))
    notes += _unknown_countries(model, file)
    notes += _inflow_data_read_elsewhere(model, file)
    if model.allocation == "priority":
        for n in model.nodes_of("inflow"):
            if n.get("inflow") is None and n.get("max_flow") is None:
                notes.append(str(Problem(file, n.at(), (
                    "no inflow or max_flow: an unlimited source, which supplies whatever the demands it reaches ask "
                    "of it (a cost only keeps it from sending water on to the sinks); give its inflow series, or "
                    "the most it can supply as max_flow"))))
    ctx = CheckContext(model, file)
    notes += _starts_below_dead_volume(ctx)
    notes += _proportion_disagrees(ctx)
    notes += _returns_nothing(ctx)
    notes += _unread_allocation_attributes(model, file)
    notes += _requirement_at_a_demand(model, file)
    notes += _drawn_below_tailwater(ctx)
    notes += _level_table_out_of_proportion(model, file)
    notes += _low_efficiency(model, file)
    notes += _monthly_amounts_per_step(ctx)
    notes += _constant_evaporation_per_step(ctx)
    notes += _amounts_from_other_rows(ctx)
    notes += _dataframe_columns_in_other_units(ctx)
    notes += _loops_within_a_step(ctx)
    notes += _irrigation_in_winter(model, file)
    notes += _no_sink(model, file)
    notes += _scenario_columns_by_position(model, file)
    return notes
