"""A run's raw arrays labelled as one xarray Dataset (scenario × time × element): the coordinates of its elements
and steps, its variables with their units and descriptions, the shortfalls and targets they report, and the
network's topology as the results hold it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr
from xarray.indexes import PandasIndex

from ..model import Model, Node
from ..network import CompiledNetwork
from ..network.compile import flow_sum_columns, rule_curve_columns
from ..network.digest import network_digest
from ..simulate import SimulationOutput
from ..simulate.physics import energy_gwh
from ..timeaxis import TimeAxis, step_label
from .provenance import caveats, provenance, water_stress_notes

_VOL = "hm3"

_FLOW = "hm3 per step"

_TITLE = "daryo results"  # the start of a run's results' title attribute


#: a shortfall (hm³ or GWh in a step) up to this is solver noise, reported as none: the allocation holds what it
#: has served in full 1e-9 below its value (see ``daryo.simulate.engine``), and LP solutions keep their bounds to
#: ~1e-9 (HiGHS's feasibility tolerance; the fast path's dual simplex likewise)
SHORTFALL_NOISE = 1e-8

#: a constraint binds in a step where its value is within this of a bound (hm³ in the step: a cubic metre); the LP
#: holds its bounds to ~1e-9 and a sum of flows to its rows' residual (``max_node_balance_error``), far below it
BINDING_TOLERANCE = 1e-6


#: Every variable a run's results can hold (a model has those of the kinds of nodes it has)
VARIABLES = frozenset({
    "mass_balance_error", "max_node_balance_error", "node_flow", "node_loss", "edge_flow", "edge_loss",
    "storage", "storage_start", "storage_min", "storage_max", "storage_target", "storage_shortfall", "evaporation",
    "spill", "demanded", "delivery",
    "deficit", "consumption", "return_flow", "turbine_flow", "head", "energy", "energy_target", "energy_shortfall",
    "sink_inflow", "required", "requirement_met", "delay_inflow", "constraint_value", "constraint_min",
    "constraint_max", "constraint_binds"})


def build_dataset(net: CompiledNetwork, out: SimulationOutput) -> xr.Dataset:
    """The results Dataset of a run.

    Dimensions: ``scenario``, ``time`` (step start) and one element dimension per kind (``node``,
    ``edge``, ``reservoir``, ``demand``, ``hydropower``, ``sink``, ``requirement``).  Every variable
    carries ``units`` and ``description`` attributes.
    """
    axis, x = net.axis, out.x
    S = net.n_scenarios
    scen = list(net.model.scenario_names[:S]) if len(net.model.scenario_names) >= S else [
        str(i) for i in range(S)]
    coords: dict = {"scenario": ("scenario", scen, {"description": "Scenario (trace) of the model, by its label"}),
                    "time": ("time", axis.starts, {"description": "Start of each step"}), **step_coordinates(axis)}
    data: dict[str, tuple] = {}

    def var(name: str, dims: tuple[str, ...], values: np.ndarray, units: str, description: str) -> None:
        assert name in VARIABLES, name
        if values.dtype.kind == "f":  # -0.0 (a solver's zero) becomes 0.0, which CSV files show as 0, not -0
            values = np.add(values, 0.0, out=values if values.flags.writeable else None)
        data[name] = (dims, values, {"units": units, "description": description})

    st, se = ("scenario", "time"), ("scenario", "time", "edge")
    coords.update(_coords(net, net.edge_ids, "edge"))
    coords.update(_coords(net, net.node_ids, "node"))
    coords["node_type"] = ("node", net.node_types, {"description": "Component type of each node"})
    coords.update(_loss_fractions(net))
    edge_flow = x[:, :, net.edge_col]
    var("edge_flow", se, edge_flow, _FLOW, "Flow leaving the upstream end of each edge")
    edge_loss = edge_flow * net.edge_loss_const
    for k, loss in net.edge_loss_varying:
        edge_loss[:, :, k] = edge_flow[:, :, k] * loss
    var("edge_loss", se, edge_loss, _FLOW, "Water lost along each edge")
    node_flow = x[:, :, net.node_col]
    if net.res_ids:  # (a reservoir's column is its volume: its throughput is what leaves it, spill included)
        node_flow[:, :, [net.node_ids.index(r) for r in net.res_ids]] = _releases(net, edge_flow)
    var("node_flow", ("scenario", "time", "node"), node_flow, _FLOW,
        "Node throughput: supply of an inflow, flow through a link or plant, delivery to a demand, receipt of a "
        "sink, release of a reservoir (all that leaves it, spill included), met part of a flow requirement")
    node_loss = np.zeros_like(node_flow)
    for i, loss in net.passthrough_loss:
        node_loss[:, :, i] = node_flow[:, :, i] * loss
    var("node_loss", ("scenario", "time", "node"), node_loss, _FLOW, "Water lost in reaches and canals")

    if net.res_ids:
        coords.update(_coords(net, net.res_ids, "reservoir"))
        sr = ("scenario", "time", "reservoir")
        var("storage", sr, x[:, :, net.res_col], _VOL, "End-of-step volume")
        var("storage_start", sr, out.volume_start, _VOL, "Start-of-step volume")
        var("storage_min", sr, out.volume_min, _VOL,
            "Minimum (dead) volume of the step, min_volume: releases cannot draw the volume below it, evaporation can")
        var("storage_max", sr, out.volume_max, _VOL,
            "Maximum volume of the step, max_volume (a flood_control_max may hold the volume lower in some months): "
            "storage / storage_max is the proportion full, as control curves read it")
        var("evaporation", sr, out.evaporation, _FLOW, "Evaporation loss (depth times area at start-of-step volume)")
        spill = np.where(net.res_spill_col[None, None, :] >= 0,
                         x[:, :, np.maximum(net.res_spill_col, 0)], 0.0)
        var("spill", sr, spill, _FLOW, "Flow through the reservoir's spill edge to its spill_to node: its "
            "overflow, and any release beyond what its other outlets can pass (a plant's turbines at capacity)")
        targets = _storage_targets(net, out)
        if targets is not None:  # what the rule curves asked the reservoirs to hold at the steps' ends
            var("storage_target", sr, targets[0], _VOL,
                "Rule-curve target volume for the end of the step, as the solver was given it (target_volume: its "
                "value in the step, of its month, of the step or of a CSV series, after the scenario overlays, or a "
                "parameter's value in the step; not lowered to storage_max or a flood_control_max): met at "
                "target_priority in priority mode, left to the costs in cost mode; NaN where the reservoir has no "
                "target_volume")
            var("storage_shortfall", sr, targets[1], _VOL,
                "Target volume not held at the end of the step, storage_target - storage where positive: water "
                "short at the target's priority, or a flood_control_max below the target (none where up to "
                f"{SHORTFALL_NOISE:g} hm3: solver noise; NaN where the reservoir has no target_volume)")
    if net.demand_ids:
        coords.update(_coords(net, net.demand_ids, "demand"))
        by_id = {n.id: n for n in net.model.nodes}
        coords["demand_category"] = ("demand", [by_id[i].value("category") for i in net.demand_ids],
                                     {"description": "Category of each demand (irrigation, municipal, ...)"})
        coords["demand_priority"] = ("demand", [int(by_id[i].value("priority")) for i in net.demand_ids],
                                     {"description": "Allocation priority of each demand (1 first)"})
        coords["demand_return_to"] = _return_to(net)
        sd = ("scenario", "time", "demand")
        wanted = out.col_upper[:, :, net.demand_col]
        delivered = x[:, :, net.demand_col]
        cons = np.broadcast_to(net.demand_consumptive, delivered.shape) if net.demand_consumptive.size else 1.0
        var("demanded", sd, wanted, _FLOW, "Water wanted (the demand)")
        var("delivery", sd, delivered, _FLOW, "Water delivered")
        var("deficit", sd, shortfall(wanted, delivered), _FLOW,
            f"Demand not delivered (none where up to {SHORTFALL_NOISE:g} hm3: solver noise)")
        var("consumption", sd, delivered * cons, _FLOW, "Delivered water consumed")
        var("return_flow", sd, delivered * (1.0 - cons), _FLOW, "Delivered water returned (or lost if no return_to)")
    if net.hp_ids:
        coords.update(_coords(net, net.hp_ids, "hydropower"))
        sh = ("scenario", "time", "hydropower")
        q = x[:, :, net.hp_col]
        var("turbine_flow", sh, q, _FLOW, "Water through the turbines")
        var("head", sh, out.head, "m", "Head at the start of the step (level minus tailwater)")
        energy = energy_gwh(q, out.head, net.hp_efficiency[None, None, :])
        var("energy", sh, energy, "GWh", "Energy generated, rho g Q H eta with the start-of-step head")
        if np.any(net.hp_energy_col >= 0):  # what was wanted, which the plant's capacity at the head may cap
            target, short = energy_targets(net, energy)
            var("energy_target", sh, target.copy(), "GWh", "Energy wanted (energy_target; 0 where the plant has none)")
            var("energy_shortfall", sh, short, "GWh",
                "Energy wanted but not generated: water short at the target's priority, or more than the "
                f"capacity at the step's head allows (none where up to {SHORTFALL_NOISE:g} GWh: solver noise)")
    if net.sink_ids:
        coords.update(_coords(net, net.sink_ids, "sink"))
        var("sink_inflow", ("scenario", "time", "sink"), x[:, :, net.sink_col], _FLOW, "Water received")
    req_nodes = net.requirement_nodes
    if req_nodes.size:
        ids = [net.node_ids[i] for i in req_nodes]
        coords.update(_coords(net, ids, "requirement"))
        coords.update(requirement_coordinates([net.model.node(i) for i in ids]))
        required = out.col_upper[:, :, net.node_col[req_nodes]]
        at = requirement_columns(net)
        var("required", ("scenario", "time", "requirement"), required, _FLOW, "Required minimum flow")
        var("requirement_met", ("scenario", "time", "requirement"), requirement_met(required, x[:, :, at]), _FLOW,
            "Part of the required flow that was met: the flow through the node, up to the requirement (all of it "
            f"where the flow is short by up to {SHORTFALL_NOISE:g} hm3: solver noise)")
    if net.delay_ids:
        coords.update(_coords(net, net.delay_ids, "delay"))
        var("delay_inflow", ("scenario", "time", "delay"), x[:, :, net.delay_in_col], _FLOW,
            "Water entering each delay node (it leaves `steps` steps later)")
    if net.model.constraints:
        coords.update(_constraint_coords(net))
        sc = ("scenario", "time", "constraint")
        value, lower, upper, binds = constraint_values(net, out)
        var("constraint_value", sc, value, _FLOW,
            "Value of each constraint in the step: a flow_sum's weighted sum of its nodes' flows; a flow_ratio's sum "
            "of its nodes' flows, the water it splits")
        var("constraint_min", sc, lower, _FLOW, "Lower bound of each flow_sum in the step, its min_flow (NaN: none; "
            "NaN for a flow_ratio)")
        var("constraint_max", sc, upper, _FLOW, "Upper bound of each flow_sum in the step, its max_flow (NaN: none; "
            "NaN for a flow_ratio)")
        var("constraint_binds", sc, binds, "1",
            f"Whether each constraint binds in the step: a flow_sum's value is within {BINDING_TOLERANCE:g} hm3 of "
            "its min_flow or max_flow; a flow_ratio, an equality, always")
    var("mass_balance_error", st, _system_balance(net, out, data), _FLOW,
        "Inflow minus (storage change + evaporation + losses + consumption + unrouted returns + sink receipts "
        "+ water entering minus leaving delays)")
    var("max_node_balance_error", st, out.balance_residual, _FLOW,
        "Largest absolute residual of any node's mass-balance row")
    # fastpath: the values are NumPy arrays already (and xarray's duck-array checks would import Dask)
    variables = {k: xr.Variable(dims, np.asarray(values), attrs, fastpath=True)
                 for k, (dims, values, attrs) in data.items()}
    ds = xr.Dataset(variables, coords=_coordinates(coords))
    ds.attrs.update({"title": f"{_TITLE}: {net.model.name}", "model": net.model.name,
                     "allocation": net.mode, "time_step": step_label(axis.step_days, axis.dekads),
                     "run_start": f"{axis.start:%Y-%m-%d}",  # (a selection of later steps keeps it: results.advice)
                     "hydrological_year": "October-September, labelled by the year it ends in",
                     **provenance(net.model), "network_sha256": network_digest(net), **caveats(net.model),
                     **water_stress_notes(net.model)})
    return ds


def constraint_values(net: CompiledNetwork, out: SimulationOutput
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each constraint's value, bounds and whether it binds, in every scenario and step, in the model's order.

    A ``flow_sum`` *k* is ``min_k ≤ Σ_n w_n v_n ≤ max_k``: its value is the weighted sum of its nodes' columns (their
    flows), its bounds those the step's LP had (its ``min_flow`` and ``max_flow`` there: a series' value, a
    parameter's), and it binds where the value is within :data:`BINDING_TOLERANCE` of a bound.  A ``flow_ratio``,
    ``f_i v_0 = f_0 v_i``, is an equality, which holds in every step: its value is the sum of its nodes' flows (the
    water split), it has no bounds, and it binds in every step; whether the split changed the allocation would take
    its dual value, which daryo does not report.

    Parameters
    ----------
    net
        The compiled network that was run.
    out
        Its raw arrays.

    Returns
    -------
    tuple of numpy.ndarray
        ``value``, ``lower`` and ``upper`` (hm³ per step; NaN for a bound that is none) and ``binds`` (bool), each
        (S, T, C) for the C constraints of the model.
    """
    constraints = net.model.constraints
    node = {n: i for i, n in enumerate(net.node_ids)}
    weights = np.zeros((len(net.node_ids), len(constraints)))  # (N, C): each constraint's weight of each node
    for k, c in enumerate(constraints):
        nodes = c.attrs["nodes"]  # (a flow_sum's: {node: weight}; a flow_ratio's: [node, ...])
        for n, w in (nodes.items() if c.type == "flow_sum" else ((n, 1.0) for n in nodes)):
            weights[node[n], k] = float(w)
    value = out.x[:, :, net.node_col] @ weights
    is_sum = np.array([c.type == "flow_sum" for c in constraints], dtype=bool)
    lower = np.full(value.shape, -np.inf)
    upper = np.full(value.shape, np.inf)
    lower[:, :, is_sum] = out.sum_lower
    upper[:, :, is_sum] = out.col_upper[:, :, flow_sum_columns(net)]
    with np.errstate(invalid="ignore"):  # (an infinite bound is none: never within the tolerance)
        at_bound = (np.abs(value - lower) <= BINDING_TOLERANCE) | (np.abs(value - upper) <= BINDING_TOLERANCE)
    binds = np.where(is_sum, at_bound, True)
    return value, np.where(np.isfinite(lower), lower, np.nan), np.where(np.isfinite(upper), upper, np.nan), binds


def _constraint_coords(net: CompiledNetwork) -> dict[str, tuple]:
    """The ``constraint`` dimension's coordinates: each constraint's id, type and nodes (a flow_sum's with their
    weights where not 1: ``farm, 0.5*canal``; a flow_ratio's in the order of its factors)."""
    constraints = net.model.constraints
    nodes = []
    for c in constraints:
        if c.type == "flow_sum":
            nodes.append(", ".join(n if float(w) == 1.0 else f"{float(w):g}*{n}" for n, w in c.attrs["nodes"].items()))
        else:
            nodes.append(", ".join(c.attrs["nodes"]))
    return {"constraint": ("constraint", [c.id for c in constraints], {"description": "Id of each constraint of "
                                                                      "the model (its constraints: and an overlay's "
                                                                      "add_constraints)"}),
            "constraint_type": ("constraint", [c.type for c in constraints],
                                {"description": "Type of each constraint: flow_sum or flow_ratio"}),
            "constraint_nodes": ("constraint", nodes, {"description": "Nodes each constraint is on, in its order "
                                                       "(a flow_sum's with their weights where not 1)"})}


def shortfall(wanted: np.ndarray, got: np.ndarray) -> np.ndarray:
    """What was wanted and not got in each step (a demand's deficit, a flow requirement's or an energy target's
    shortfall): ``wanted − got`` where that exceeds :data:`SHORTFALL_NOISE`, else 0.

    Without the threshold, a demand met in full shows a deficit of ~1e-9 hm³ in most steps of a short year, and
    counting the months with a deficit (``deficit > 0``) counts those.

    Parameters
    ----------
    wanted, got
        Arrays of one shape, hm³ (or GWh) per step.

    Returns
    -------
    numpy.ndarray
        The shortfall, ≥ 0, in the units of ``wanted``.
    """
    gap = np.asarray(wanted, dtype=float) - got
    return np.where(gap > SHORTFALL_NOISE, gap, 0.0)


def requirement_met(required: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """The part of flow requirements met: the flow through each one's node, up to the requirement (all of it where
    the flow is short by solver noise alone, :func:`shortfall`).  In cost mode nothing values a requirement's own
    LP column, which may then sit anywhere below the requirement, so the node's flow is what counts.

    Parameters
    ----------
    required, flow
        The requirements and the flows through their nodes, hm³ per step, of the same shape.

    Returns
    -------
    numpy.ndarray
        The part met, of the same shape.
    """
    return np.where(shortfall(required, flow) > 0, flow, required)


def _releases(net: CompiledNetwork, edge_flow: np.ndarray) -> np.ndarray:
    """Each reservoir's release (S, T, R): the flows of the edges leaving it, its spill edge included."""
    leaving = np.array([[src == r for src, _ in net.edge_ends] for r in net.res_ids], dtype=float)  # (R, E)
    return edge_flow @ leaving.T


_COUNTRY = "ISO 3166-1 alpha-3 code; empty: none"

_PLACE = "approximate map position from the model file, used by no computation; NaN: none"


def _coords(net: CompiledNetwork, ids: list[str], dim: str) -> dict[str, tuple]:
    """An element dimension's coordinates, each with its description: its ids, countries and, for nodes, places;
    an edge has the ids of its ends and the countries of the nodes it leaves (where its water is taken) and enters
    (who takes it)."""
    model = net.model
    by_id = {n.id: n for n in model.nodes}
    if dim == "edge":
        source, target = (list(end) for end in zip(*net.edge_ends, strict=True)) if ids else ([], [])
        return {dim: (dim, list(ids), {"description": "Id of each edge: 'from->to'"}),
                "edge_from": (dim, source, {"description": "Node each edge leaves"}),
                "edge_to": (dim, target, {"description": "Node each edge enters"}),
                "edge_country": (dim, [by_id[i].country or "" for i in source],
                                 {"description": f"Country of the node each edge leaves, where its water is taken "
                                  f"(of an intake from the river, the river junction's) ({_COUNTRY})"}),
                # (a treaty analyst's review: summed by edge_country, Qosh Tepa's intake was Uzbek, the Karshi
                # canal's Turkmen, as their junctions are)
                "edge_to_country": (dim, [by_id[i].country or "" for i in target],
                                    {"description": f"Country of the node each edge enters: of an intake, the "
                                     f"country that takes its water ({_COUNTRY})"})}
    what = "node" if dim == "node" else f"{dim} node"
    country = [(by_id[i].country or "") if i in by_id else "" for i in ids]
    out: dict[str, tuple] = {dim: (dim, list(ids), {"description": f"Id of each {what} of the model"}),
                             f"{dim}_name": display_names(model, ids, dim),
                             f"{dim}_country": (dim, country, {"description": f"Country of each {what} ({_COUNTRY})"})}
    out[f"{dim}_lat"] = (dim, [float(by_id[i].get("lat", np.nan)) if i in by_id else np.nan for i in ids],
                         {"units": "degrees_north", "description": f"Latitude: {_PLACE}"})
    out[f"{dim}_lon"] = (dim, [float(by_id[i].get("lon", np.nan)) if i in by_id else np.nan for i in ids],
                         {"units": "degrees_east", "description": f"Longitude: {_PLACE}"})
    return out


def display_names(model: Model, ids: Sequence[str], dim: str) -> tuple[str, list[str], dict[str, str]]:
    """The ``<dim>_name`` coordinate of an element dimension: each node's display name, its ``name`` in the model
    file (its id where it has none, or where ``ids`` holds one that is no node of ``model``).

    Parameters
    ----------
    model
        The model whose nodes the elements are.
    ids
        The elements' ids, in the dimension's order.
    dim
        The dimension (``node``, ``reservoir``, ``demand``...).

    Returns
    -------
    tuple
        ``(dim, names, attributes)``, as xarray takes a coordinate (its ``description`` among the attributes).
    """
    by_id = {n.id: n for n in model.nodes}
    what = "node" if dim == "node" else f"{dim} node"
    names = [str(by_id[i].get("name") or i) if i in by_id else str(i) for i in ids]
    return (dim, names, {"description": f"Display name of each {what} (its name in the model file; its id where it "
                         "has none)"})


def _return_to(net: CompiledNetwork) -> tuple:
    """The ``demand_return_to`` coordinate: the node each demand returns its water to ("": none)."""
    return ("demand", [str(net.model.node(i).get("return_to") or "") for i in net.demand_ids],
            {"description": "Node each demand's return flow goes to; empty: the return leaves the model (an "
             "unrouted return in the mass balance)"})


def _loss_fractions(net: CompiledNetwork) -> dict[str, tuple]:
    """The ``edge_loss_fraction`` and ``node_loss_fraction`` coordinates: the fraction of its flow each edge loses
    on the way, and each node (a reach or canal) of what passes it; a loss that varies
    over the run or its scenarios at its smallest value."""
    edge = np.asarray(net.edge_loss_const, dtype=float).copy()
    for k, loss in net.edge_loss_varying:
        edge[k] = float(np.min(loss))
    node = np.zeros(len(net.node_ids))
    for i, loss in net.passthrough_loss:
        node[i] = float(np.min(loss))
    varying = "; a loss that varies over the run or its scenarios: its smallest value"
    return {"edge_loss_fraction": ("edge", edge, {"units": "1", "description": "Fraction of its flow each edge "
                                                  f"loses on the way{varying}"}),
            "node_loss_fraction": ("node", node, {"units": "1", "description": "Fraction of what passes it each "
                                                  f"node loses (a reach's or canal's loss){varying}"})}


def requirement_coordinates(requirements: Sequence[Node]) -> dict[str, tuple]:
    """The coordinates of flow requirements besides their ids and countries, as results and stores have them.

    Parameters
    ----------
    requirements
        The model's flow requirement nodes, in the results' order.

    Returns
    -------
    dict
        ``requirement_at`` (the node each is on) and ``requirement_purpose`` (``environmental`` or ``obligation``),
        each as ``(dimension, values, attributes)``.
    """
    return {"requirement_at": ("requirement", [str(n.get("at")) for n in requirements],
                               {"description": "Node whose flow each requirement is on"}),
            "requirement_purpose": ("requirement", [str(n.value("purpose")) for n in requirements],
                                    {"description": "Purpose of each requirement: environmental (an environmental "
                                     "flow, which SDG 6.4.2's water stress counts) or obligation (a flow owed "
                                     "downstream, which it does not)"})}


def requirement_columns(net: CompiledNetwork) -> np.ndarray:
    """The LP columns of the nodes the network's flow requirements are on (their flow), in the model's order."""
    at = [str(net.model.node(net.node_ids[i]).get("at")) for i in net.requirement_nodes]
    return net.node_col[[net.node_ids.index(a) for a in at]].astype(np.int64)


def topology(net: CompiledNetwork) -> xr.Dataset:
    """The network's topology, as a run's results hold it (coordinates only): its nodes and their types, its
    edges and their ends, its demands and the node each returns its water to, its flow requirements and the node
    each is on.  :class:`daryo.sdg.StressAccounts` reads it.

    Parameters
    ----------
    net
        A compiled network.

    Returns
    -------
    xarray.Dataset
        Coordinates ``node``, ``node_type``, ``node_loss_fraction``, ``edge``, ``edge_from``, ``edge_to``,
        ``edge_loss_fraction``, ``demand``,
        ``demand_return_to``, ``requirement`` and ``requirement_at`` (with their countries and places), no
        variables.
    """
    coords = {**_coords(net, net.edge_ids, "edge"), **_coords(net, net.node_ids, "node"),
              "node_type": ("node", net.node_types, {"description": "Component type of each node"}),
              **_loss_fractions(net),
              **_coords(net, net.demand_ids, "demand"), "demand_return_to": _return_to(net)}
    ids = [net.node_ids[i] for i in net.requirement_nodes]
    coords.update({**_coords(net, ids, "requirement"),
                   **requirement_coordinates([net.model.node(i) for i in ids])})
    return xr.Dataset(coords=_coordinates(coords))


def step_coordinates(axis: TimeAxis) -> dict[str, tuple]:
    """The coordinates of the ``time`` dimension besides the step starts: each step's length, hydrological year
    and season (a run's results and an ensemble's store)."""
    return {"days": ("time", axis.days, {"units": "days", "description": "Length of each step"}),
            "hydrological_year": ("time", axis.hydrological_year,
                                  {"description": "Hydrological year (October-September), labelled by its end"}),
            "season": ("time", axis.season, {"description": "winter: October-March; summer: April-September"})}


def _storage_targets(net: CompiledNetwork, out: SimulationOutput) -> tuple[np.ndarray, np.ndarray] | None:
    """Each reservoir's rule-curve target in each step as the allocation used it (the upper bound of its column
    ``h_r``: :func:`daryo.network.compile.rule_curve_columns`) and what its volume at the step's end fell short of
    it (:func:`shortfall`), both (S, T, R) and NaN for a reservoir without a ``target_volume``; None where no
    reservoir has one."""
    cols = rule_curve_columns(net)
    has = cols >= 0
    if not has.any():
        return None
    return storage_targets(has, out.col_upper[:, :, cols[has]], out.x[:, :, net.res_col])


def energy_targets(net: CompiledNetwork, energy: np.ndarray, t: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The plants' energy targets and what their energy fell short of them, GWh.

    Parameters
    ----------
    net
        The compiled network: its ``hp_energy_target`` ((T, H), the same in every scenario; 0 where a plant has
        none, whose ``hp_energy_col`` is -1).
    energy
        The plants' energy, GWh: a run's (S, T, H), or step ``t``'s (S, H).
    t
        The step of ``energy`` (None: every step).

    Returns
    -------
    tuple of numpy.ndarray
        The targets (a read-only view, broadcast to ``energy``'s shape) and the shortfalls (:func:`shortfall`: none
        up to :data:`SHORTFALL_NOISE`), both 0 for a plant without a target.
    """
    target = np.broadcast_to(net.hp_energy_target if t is None else net.hp_energy_target[t], energy.shape)
    return target, shortfall(target, energy)


def storage_targets(has: np.ndarray, upper: np.ndarray, storage: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The reservoirs' rule-curve targets and what their end-of-step volumes fell short of them.

    Parameters
    ----------
    has
        Whether each reservoir has a rule curve (R,): ``rule_curve_columns(net) >= 0``.
    upper
        The upper bounds of the rule-curve columns of the reservoirs that have one (``(..., has.sum())``): the
        targets the allocation used.
    storage
        The reservoirs' end-of-step volumes, hm³ (``(..., R)``: a step's (S, R) or a run's (S, T, R)).

    Returns
    -------
    tuple of numpy.ndarray
        The targets and the shortfalls (:func:`shortfall`: none up to :data:`SHORTFALL_NOISE`), both shaped as
        ``storage`` and NaN for a reservoir without a rule curve.
    """
    target = np.full(storage.shape, np.nan)
    target[..., has] = upper
    return target, np.where(has, shortfall(target, storage), np.nan)


def _coordinates(coords: dict[str, tuple]) -> xr.Coordinates:
    """Coordinates from ``{name: (dims, values[, attrs])}``, the dimension coordinates with their indexes made
    here (xarray's default index creation checks for Dask arrays, which imports Dask: 0.2 s on a first run)."""
    arrays = {k: np.asarray(c[1]) for k, c in coords.items()}
    indexes = {k: PandasIndex(pd.Index(arrays[k]), k, coord_dtype=arrays[k].dtype)
               for k, c in coords.items() if c[0] == k}
    variables: dict[str, xr.Variable] = {}
    for k, c in coords.items():
        variable = xr.Variable(c[0], arrays[k], c[2] if len(c) > 2 else None, fastpath=True)
        variables.update(indexes[k].create_variables({k: variable}) if k in indexes else {k: variable})
    return xr.Coordinates(coords=variables, indexes=indexes)


def _system_balance(net: CompiledNetwork, out: SimulationOutput, data: dict) -> np.ndarray:
    x = out.x
    types = np.array(net.node_types)
    supply = x[:, :, net.node_col[types == "inflow"]].sum(axis=2)
    used = data["edge_loss"][1].sum(axis=2) + data["node_loss"][1].sum(axis=2)
    if net.res_ids:
        used = used + (x[:, :, net.res_col] - out.volume_start + out.evaporation).sum(axis=2)
    if net.sink_ids:
        used = used + x[:, :, net.sink_col].sum(axis=2)
    if net.delay_ids:  # water on its way in a delay node counts like storage, entering until it leaves
        used = used + (x[:, :, net.delay_in_col] - _delay_released_volume(net, x)).sum(axis=2)
    if net.demand_ids:
        lost_returns = data["return_flow"][1] * (~net.demand_returns)[None, None, :]
        used = used + data["consumption"][1].sum(axis=2) + lost_returns.sum(axis=2)
    return supply - used


def _delay_released_volume(net: CompiledNetwork, x: np.ndarray) -> np.ndarray:
    """The volume that entered each delay and leaves it at each step (S, T, D): what entered ``steps`` steps
    before (the initial flow before that).  A rate-carrying delay releases that rate for the step's days, which
    differs from the volume when steps differ in length: the system balance shows the difference."""
    out = x[:, :, net.delay_col].copy()
    for d, k in enumerate(net.delay_steps):
        k = int(k)
        if 0 < k < x.shape[1]:
            out[:, k:, d] = x[:, :-k, net.delay_in_col[d]]
    return out
