"""Compile a :class:`~daryo.model.Model` into a :class:`CompiledNetwork`.

The per-step allocation problem is a linear program whose columns are (all in hm³ per step):

- ``f_e``  flow on each edge *e* (and on the implicit spill edge of each reservoir with ``spill_to``);
- ``v_n``  one column per node: the supply of an inflow, the throughput of a junction/reach/canal/plant,
  the delivery to a demand, the receipt of a sink, the end-of-step volume of a reservoir, the part of
  a flow requirement that is met;
- ``h_r``  the part of a reservoir's rule-curve target that is met (``h_r ≤ v_r``, ``h_r ≤ target``);
- ``e_k``  the part of a plant's energy-target flow that is met (``e_k ≤ v_k``);
- ``t_p``  the common coverage fraction of priority *p* (``priority`` mode only), one per *block* that has
  requirements of priority *p*: blocks are the independent parts of the network (no row or column in
  common but the coverage columns, e.g. two river basins), whose allocations do not depend on each other;
- ``u_d``  the water entering a delay node *d* (its ``v_d`` is the water leaving, fixed each step from the
  ``u_d`` of ``steps`` steps earlier);
- ``c_k``  the weighted sum of a ``flow_sum`` constraint *k*, bounded by its min/max flow.

Rows:

- arrival   ``Σ_in (1-loss_e) f_e + Σ_returns (1-c_d) v_d − v_n = 0``  (junction, reach, canal, plant,
  demand, sink);
- departure ``Σ_out f_e − (1-loss_n) v_n = 0``  (inflow, junction, reach, canal, plant);
- storage   ``Σ_in (1-loss_e) f_e + Σ_returns − Σ_out f_e − v_n = −(V_start − E)``  (reservoir; the
  right-hand side is set each step from the state, E being the evaporation);
- ``m_j − v_at ≤ 0`` (flow requirement), ``h_r − v_r ≤ 0``, ``e_k − v_k ≤ 0``;
- coverage  ``s_j − R_j t_p ≥ 0`` for every requirement *j* of priority *p*, with the ``t_p`` of *j*'s block
  (``priority`` mode);
- delay     ``Σ_in f_e − u_d = 0`` (arrival) and ``Σ_out f_e − v_d = 0`` (departure);
- flow sum  ``Σ_n w_n v_n − c_k = 0``;  flow ratio ``f_i v_0 − f_0 v_i = 0`` for i ≥ 1 (flows in proportion
  to the factors ``f``).

Attributes may reference parameters (:mod:`daryo.parameters`): static ones are resolved here like series;
state-dependent ones become :class:`~daryo.network.compiled.ParameterBinding` entries that the engine fills at
each step.

Everything that varies by step or scenario is kept as tables of (scenario or 1, time) arrays keyed by
column or row, so that a step only copies bounds; nothing is rebuilt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ..errors import ModelError, Problem
from ..model import Model, Node, Series
from ..model.places import problems_relocated
from ..model.topology import Outlet, _delay_outlets
from ..model.validate import scenarios_differ
from ..parameters import ParameterRef, ParameterSet, StaticEnv, bind_node_inflows, references, scenario_combinations
from ..timeaxis import TimeAxis
from ..units import GWH_PER_HM3_M
from .builder import LPBuilder
from .compiled import CompiledNetwork, StepTable

__all__ = ["compile_network", "attribute_values", "flow_sum_columns", "rule_curve_columns", "GWH_PER_HM3_M"]

#: value per hm³ of end-of-step storage added to every reservoir in ``priority`` mode
PRIORITY_STORAGE_VALUE = 1e-3
#: largest tie-break added to the storage value: reservoirs that would have the same value (as many reservoirs
#: downstream) differ by their order in the model, the first keeping its water, so a step's storage split is
#: unique (else it depends on the solver's path: on the method, or on the other scenarios of the run).  Below
#: half the turbine value, so water still prefers to pass a plant.
PRIORITY_STORAGE_TIE = 5e-6
#: value per hm³ of turbine flow in ``priority`` mode: water that passes a plant anyway goes through the
#: turbines rather than a bypass (far below the storage value, so it never causes a release by itself)
PRIORITY_TURBINE_VALUE = 1e-5
#: the name of a reservoir's rule-curve column ``h_r`` (``h[<reservoir id>]``), by which the results find it
_RULE_CURVE = "h"
#: the name of a ``flow_sum`` constraint's column ``c_k`` (``c[<constraint id>]``), by which the results find it
_FLOW_SUM = "c"

#: cost per hm³ lost in transit (the ``loss`` of an edge, reach, canal, junction or plant) in ``priority`` mode: in
#: the last solve, where two routes can make the same deliveries, the one that loses less water is taken (else the
#: choice was the solver's, and what reached the sinks could differ between the plain and the fast path).  Far
#: below the storage value; a loss of up to 100 % costs less than the turbine value gains
PRIORITY_LOSS_COST = 1e-6

#: priority of a reservoir's dead volume in ``priority`` mode, before every model priority (which start at 1):
#: the end-of-step volume's bound is only ``min(dead volume, V_start − evaporation)`` (water cannot be created),
#: so where evaporation takes a reservoir below its dead volume, releases are held first to let the step's
#: inflow make it up (see :func:`_has_dead_volume`)
DEAD_VOLUME_PRIORITY = 0



def _bound_tables(lower: StepTable, upper: StepTable) -> tuple[StepTable, StepTable]:
    """The columns' lower and upper bound tables, the upper sharing the lower's per-scenario values where they
    are the same (fixed flows, such as an ensemble's inflow traces: (S, T, k) held once, not twice)."""
    if np.array_equal(lower.scen_index, upper.scen_index) and np.array_equal(lower.scen, upper.scen):
        upper = replace(upper, scen=lower.scen)
    return lower, upper


def _monthly(node: Node, key: str, axis: TimeAxis, default: float, file: str) -> np.ndarray:
    v = node.attrs.get(key)
    if v is None:
        return np.full(axis.n_steps, default)
    if isinstance(v, Series):
        return _shared_row(v.resolve(axis), file, node, key)
    return np.full(axis.n_steps, float(v))


def _shared_row(values: np.ndarray, file: str, node: Node, key: str) -> np.ndarray:
    """The one row of an attribute that every scenario shares (values (S|1, T)); a clear error if the rows
    differ, as the engine keeps one series of this attribute for all scenarios."""
    if values.shape[0] > 1 and not np.all(values == values[:1]):
        raise ModelError(Problem(file, node.at(key), scenarios_differ(key, values.shape[0])))
    return values[0]


def compile_network(model: Model, axis: TimeAxis | None = None, n_scenarios: int | None = None
                    ) -> CompiledNetwork:
    """Build the LP structure and step tables of ``model``.

    The LP is built family by family, in this order (which fixes the columns' and rows' positions): the edge
    columns, the node columns, the balance rows, the demands' return flows, the requirements, the generic
    constraints and, in ``priority`` mode, the coverage columns and rows; then the per-element step tables.

    Parameters
    ----------
    model
        A validated model.
    axis
        Time axis of the run (default: the model's own span).
    n_scenarios
        Number of scenarios to run, the first ones (default: all of the model's traces).

    Raises
    ------
    ValueError
        If ``n_scenarios`` is not from 1 to the model's number of traces.
    daryo.ModelError
        If a value the model gives over the run cannot be run (a parameter that gives a negative demand, say),
        named where the model's user wrote it (the Pywr file's place, the overlay's change).
    """
    if n_scenarios is not None and not 1 <= n_scenarios <= model.n_scenarios:  # (more failed in a NumPy broadcast)
        raise ValueError(f"n_scenarios={n_scenarios}: the model has {model.n_scenarios} scenario trace(s); give 1 to "
                         f"{model.n_scenarios}, or None for all")
    with problems_relocated(model):
        return _compile(model, axis or model.time.axis(), n_scenarios or model.n_scenarios)


def _compile(model: Model, axis: TimeAxis, n_scen: int) -> CompiledNetwork:
    mode = model.allocation
    nodes = list(model.nodes)
    index = {n.id: i for i, n in enumerate(nodes)}
    reservoirs = [n for n in nodes if n.type == "reservoir"]
    res_index = {n.id: k for k, n in enumerate(reservoirs)}
    b = LPBuilder(axis, n_scen, _parameter_set(model, axis, n_scen, res_index), model)

    edges = _edge_columns(b, model)
    node_col, delay_in = _node_columns(b, model)
    balance = _balance_rows(b, nodes, node_col, delay_in, edges)
    demands = [n for n in nodes if n.type == "demand"]
    consumptive = _return_flows(b, demands, node_col, index, balance.arrival)
    req = _requirements(b, model, node_col, index)
    _constraint_rows(b, model, node_col, index)
    cover = _coverage(b, req, mode)
    stack = partial(_stack_series, T=axis.n_steps)
    res = _reservoir_tables(b, reservoirs, edges, stack)
    lp = b.lp()
    col_lower, col_upper = _bound_tables(b.table(b.lo), b.table(b.hi))
    params = b.params if b.params is not None and b.params.dynamic else None
    hp_nodes = [n for n in nodes if n.type == "hydropower"]
    delays = [n for n in nodes if n.type == "delay"]
    sinks = [n for n in nodes if n.type == "sink"]
    every = b  # (an energy target must be the same in every trace of the model, whichever a run takes)
    if n_scen < model.n_scenarios and any(isinstance(n.get("energy_target"), ParameterRef) for n in hp_nodes):
        every = LPBuilder(axis, model.n_scenarios, _parameter_set(model, axis, model.n_scenarios, res_index), model)

    def cols(elements: list[Node]) -> np.ndarray:
        return np.array([node_col[index[n.id]] for n in elements], dtype=np.int64)

    return CompiledNetwork(
        model=model, axis=axis, n_scenarios=n_scen, lp=lp, mode=mode,
        node_ids=[n.id for n in nodes], node_types=[n.type for n in nodes], node_col=node_col,
        edge_ids=edges.ids, edge_ends=edges.ends, edge_col=np.array(edges.col, dtype=np.int64),
        edge_loss_const=np.array([float(x.flat[0]) if np.all(x == x.flat[0]) else 0.0 for x in edges.loss]),
        edge_loss_varying=[(k, x) for k, x in enumerate(edges.loss)
                           if not np.all(x == x.flat[0])],
        col_lower=col_lower, col_upper=col_upper, cost=b.table(b.cost),
        coefficients=b.coefficients,
        res_ids=[n.id for n in reservoirs],
        res_col=cols(reservoirs),
        res_row=np.array([balance.arrival[n.id] for n in reservoirs], dtype=np.int64),
        res_spill_col=res.spill_col,
        res_initial=res.initial,
        res_min=res.min_volume,
        res_full=res.full_volume,
        res_evap_depth=(np.stack([_monthly(n, "evaporation", axis, 0.0, b.file) for n in reservoirs], axis=1)
                        if reservoirs else np.zeros((axis.n_steps, 0))),
        res_tables=[n.get("level_table") for n in reservoirs],
        hp_ids=[n.id for n in hp_nodes],
        hp_col=cols(hp_nodes),
        hp_res=np.array([res_index.get(n.get("reservoir") or "", -1) for n in hp_nodes], dtype=np.int64),
        hp_head=np.array([np.nan if n.get("head") is None else n.get("head") for n in hp_nodes]),
        hp_tailwater=np.array([n.value("tailwater_level") for n in hp_nodes]),
        hp_efficiency=np.array([n.value("efficiency") for n in hp_nodes]),
        hp_capacity=np.array([n.get("capacity") for n in hp_nodes], dtype=float),
        hp_energy_col=req.hp_energy_col,
        hp_energy_target=(np.stack([_shared_row(every.resolve(n.get("energy_target"), 0.0, every_trace=True), b.file, n,
                                                "energy_target")
                                    for n in hp_nodes], axis=1)
                          if hp_nodes else np.zeros((axis.n_steps, 0))),
        demand_ids=[n.id for n in demands],
        demand_col=cols(demands),
        demand_consumptive=stack(consumptive),
        demand_returns=np.array([bool(n.get("return_to")) for n in demands], dtype=bool),
        req_col=np.array([j for _, j, _ in req.items], dtype=np.int64),
        req_priority=np.array([p for _, _, p in req.items], dtype=np.int64),
        req_row=cover.req_row,
        req_floor_col=np.array([req.floor.get(k, -1) for k in range(len(req.items))], dtype=np.int64),
        priority_levels=cover.levels, priority_col=cover.tcols, priority_col_level=cover.tcol_level,
        req_tcol=cover.req_tcol, col_block=cover.col_block, row_block=cover.row_block,
        sink_ids=[n.id for n in sinks],
        sink_col=cols(sinks),
        passthrough_loss=balance.passthrough_loss,
        parameters=params,
        bindings=b.compiled_bindings() if params is not None else [],
        res_hold=np.array([k for k, n in enumerate(reservoirs) if n.get("above_max") == "hold"], dtype=np.int64),
        delay_ids=[n.id for n in delays],
        delay_col=cols(delays),
        delay_in_col=np.array([delay_in[n.id] for n in delays], dtype=np.int64),
        delay_steps=np.array([int(n.get("steps")) for n in delays], dtype=np.int64),
        delay_rate=np.array([n.get("carry") == "rate" for n in delays], dtype=bool),
        delay_initial=stack([b.resolve(n.get("initial_flow"), 0.0) for n in delays]),
    )


def rule_curve_columns(net: CompiledNetwork) -> np.ndarray:
    """The LP column ``h_r`` of each reservoir's rule-curve target, whose upper bound in a step is the target the
    allocation used (``target_volume``'s value in the step, after overlays, or a parameter's value of the step).

    Parameters
    ----------
    net
        A compiled network.

    Returns
    -------
    numpy.ndarray
        A column per reservoir, in the order of ``net.res_ids`` (int64); -1 for a reservoir without a target.
    """
    position = {name: j for j, name in enumerate(net.lp.col_names) if name.startswith(f"{_RULE_CURVE}[")}
    return np.array([position.get(f"{_RULE_CURVE}[{r}]", -1) for r in net.res_ids], dtype=np.int64)


def flow_sum_columns(net: CompiledNetwork) -> np.ndarray:
    """The LP column ``c_k`` of each ``flow_sum`` constraint, whose bounds in a step are the constraint's
    ``min_flow`` and ``max_flow`` there (a series' value in the step, after overlays, or a parameter's value of the
    step).

    Parameters
    ----------
    net
        A compiled network.

    Returns
    -------
    numpy.ndarray
        A column per ``flow_sum`` constraint of the model, in the model's order (int64).
    """
    position = {name: j for j, name in enumerate(net.lp.col_names) if name.startswith(f"{_FLOW_SUM}[")}
    return np.array([position[f"{_FLOW_SUM}[{c.id}]"] for c in net.model.constraints if c.type == "flow_sum"],
                    dtype=np.int64)


@dataclass
class _Edges:
    """The edge columns ``f_e``: each edge's id, column, loss fraction (S|1, T) and (source, target)."""

    ids: list[str] = field(default_factory=list)
    col: list[int] = field(default_factory=list)
    loss: list[np.ndarray] = field(default_factory=list)
    ends: list[tuple[str, str]] = field(default_factory=list)


def _edge_columns(b: LPBuilder, model: Model) -> _Edges:
    """``f_e``: a column per edge, with its bounds and cost (and, in ``priority`` mode, the cost of the water it
    loses), then one per implicit spill edge of a reservoir with ``spill_to`` (``f ≥ 0``, cost ``spill_cost``)."""
    edges = _Edges()
    for e in model.edges:
        loss = b.resolve(e.get("loss"), 0.0)
        edges.col.append(b.col(f"f[{e.id}]", e.get("min_flow"), e.get("max_flow"), e.get("cost"),
                               _loss_cost(loss, model.allocation)))
        edges.ids.append(e.id)
        edges.loss.append(loss)
        edges.ends.append((e.source, e.target))
    for n in model.nodes:
        eid = n.spill_edge_id if n.type == "reservoir" else None
        if eid:
            edges.col.append(b.col(f"f[{eid}]", 0.0, None, n.value("spill_cost")))  # a model cost in either mode
            edges.ids.append(eid)
            edges.loss.append(np.zeros((1, b.axis.n_steps)))
            edges.ends.append((n.id, str(n.get("spill_to"))))
    return edges


def _node_columns(b: LPBuilder, model: Model) -> tuple[np.ndarray, dict[str, int]]:
    """``v_n``: each node's own column (:func:`_node_column`), then ``u_d``: the water entering each delay node.

    Returns
    -------
    The column of each node (in the model's order) and the entering-water column of each delay, by id.
    """
    value = _storage_values(model) if model.allocation == "priority" else {}
    node_col = np.array([_node_column(b, n, model.allocation, value.get(n.id, 0.0)) for n in model.nodes],
                        dtype=np.int64)
    # (a delay's cost is on the water entering: the water leaving is fixed, so a cost there would move nothing)
    delay_in = {n.id: b.col(f"u[{n.id}]", 0.0, _delay_intake_bound(b, model, n), n.get("cost"))
                for n in model.nodes if n.type == "delay"}
    return node_col, delay_in


def _delay_intake_bound(b: LPBuilder, model: Model, delay: Node) -> np.ndarray | None:
    """The most that can enter ``delay`` in each step (S|1, T): what the limited elements its water must pass take
    when it gets there (:func:`~daryo.model.topology._delay_outlets`: demands, edges and nodes with a maximum, each
    also bounded by those after it), summed, so that water the allocation is free to send elsewhere does not enter
    it to find no way out steps later (an infeasible step); no bound where the water would get there after the run,
    or where none is known (a way on that takes any amount, a maximum set from the reservoir state...).  It counts
    the delay's own water only: other water that reaches the same outlets (an inflow joining below it) may still
    leave its water no room."""
    outlets = _delay_outlets(model, delay.id, horizon=b.axis.n_steps)
    return None if outlets is None else _outlets_bound(b, outlets, int(delay.get("steps", 0)))


def _outlets_bound(b: LPBuilder, outlets: Sequence[Outlet], offset: int) -> np.ndarray | None:
    """(S|1, T): what ``outlets`` take together, by the step the water entered the delay, each the least of its own
    maximum and what the outlets after it take (:attr:`~daryo.model.topology.Outlet.beyond`); no bound (inf) for
    water that reaches them after the run; None where an outlet's maximum is set from the reservoir state.  Worked
    out from the last outlets back, each once (a chain of thousands of them)."""
    n_steps = b.axis.n_steps

    def arriving(offset: int) -> np.ndarray:  # 0 for water that gets there within the run, else no bound
        return np.where(np.arange(n_steps) + offset < n_steps, 0.0, np.inf)[None, :]

    def later(values: np.ndarray, offset: int) -> np.ndarray:
        out = np.full((values.shape[0], n_steps), np.inf)
        out[:, : max(n_steps - offset, 0)] = values[:, offset:]
        return out

    limits: dict[int, np.ndarray | None] = {}  # id(outlet) -> its limit (None: set from the state)
    stack = [(outlet, False) for outlet in outlets]
    while stack:
        outlet, expanded = stack.pop()
        if id(outlet) in limits:
            continue
        if not expanded and outlet.beyond:
            stack.append((outlet, True))
            stack.extend((after, False) for after in outlet.beyond if id(after) not in limits)
            continue
        if not outlet.key:  # (a node its water cannot leave: it takes nothing before the run's end)
            limits[id(outlet)] = arriving(outlet.offset)
            continue
        value = outlet.element.get(outlet.key)
        if b.is_dynamic(value):
            limits[id(outlet)] = None
            continue
        own = later(b.resolve(value, np.inf), outlet.offset)
        if outlet.beyond is not None:
            rest = [limits[id(after)] for after in outlet.beyond]
            known = [r for r in rest if r is not None]
            if len(known) == len(rest):  # (what follows it set from the state: its own maximum bounds it)
                own = np.minimum(own, sum(known, arriving(outlet.offset)))
        limits[id(outlet)] = own
    found = [limits[id(outlet)] for outlet in outlets]
    known = [limit for limit in found if limit is not None]
    return sum(known, arriving(offset)) if len(known) == len(found) else None


@dataclass
class _Balance:
    """The balance rows: the row where water arrives at and departs from each node (the same row for a reservoir),
    and the nodes that lose part of what passes them (node position, loss fraction (S|1, T))."""

    arrival: dict[str, int] = field(default_factory=dict)
    departure: dict[str, int] = field(default_factory=dict)
    passthrough_loss: list[tuple[int, np.ndarray]] = field(default_factory=list)


def _balance_rows(b: LPBuilder, nodes: list[Node], node_col: np.ndarray, delay_in: dict[str, int], edges: _Edges
                  ) -> _Balance:
    """The mass balance of every node, then each edge's entries in the rows of its ends:

    - arrival   ``Σ_in (1-loss_e) f_e − v_n = 0`` (junction, reach, canal, plant, demand, sink; returns are
      added by :func:`_return_flows`);
    - departure ``Σ_out f_e − (1-loss_n) v_n = 0`` (inflow, junction, reach, canal, plant);
    - storage   ``Σ_in (1-loss_e) f_e − Σ_out f_e − v_n = −(V_start − E)`` (reservoir; the right-hand side
      is set each step from the state);
    - delay     ``Σ_in f_e − u_d = 0`` (arrival) and ``Σ_out f_e − v_d = 0`` (departure).
    """
    bal = _Balance()
    for i, n in enumerate(nodes):
        j = int(node_col[i])
        if n.type == "reservoir":
            r = b.row(f"storage[{n.id}]", 0.0, 0.0)
            b.add(r, j, -1.0)
            bal.arrival[n.id] = bal.departure[n.id] = r
            continue
        if n.type == "delay":
            bal.arrival[n.id] = r = b.row(f"arrival[{n.id}]", 0.0, 0.0)
            b.add(r, delay_in[n.id], -1.0)
            bal.departure[n.id] = r = b.row(f"departure[{n.id}]", 0.0, 0.0)
            b.add(r, j, -1.0)
            continue
        if n.type in ("junction", "reach", "canal", "hydropower", "demand", "sink"):
            bal.arrival[n.id] = r = b.row(f"arrival[{n.id}]", 0.0, 0.0)
            b.add(r, j, -1.0)
        if n.type in ("inflow", "junction", "reach", "canal", "hydropower"):
            bal.departure[n.id] = r = b.row(f"departure[{n.id}]", 0.0, 0.0)
            loss = b.resolve(n.get("loss"), 0.0)
            b.add_series(r, j, -(1.0 - loss))
            if np.any(loss > 0):
                bal.passthrough_loss.append((i, loss))
    kind = {n.id: n.type for n in nodes}
    for j, loss, (src, dst) in zip(edges.col, edges.loss, edges.ends, strict=True):
        if src in bal.departure:
            b.add(bal.departure[src], j, -1.0 if kind[src] == "reservoir" else 1.0)
        if dst in bal.arrival:
            b.add_series(bal.arrival[dst], j, 1.0 - loss)
    return bal


def _return_flows(b: LPBuilder, demands: list[Node], node_col: np.ndarray, index: dict[str, int],
                  arrival: dict[str, int]) -> list[np.ndarray]:
    """The part of each delivery not consumed, ``(1 − c_d) v_d``, in the arrival row of the demand's
    ``return_to`` node; returns each demand's consumptive fraction ``c_d`` (S|1, T)."""
    consumptive = []
    for n in demands:
        c = b.resolve(n.get("consumptive_fraction"), 1.0)
        consumptive.append(c)
        ret = n.get("return_to")
        if ret and ret in arrival:
            b.add_series(arrival[ret], int(node_col[index[n.id]]), 1.0 - c)
    return consumptive


@dataclass
class _Requirements:
    """What the allocation is asked to serve: (name, served column, priority) of each requirement, the column
    whose lower bound meets a requirement (by its position: a dead volume's reservoir), and the energy-target
    column of each plant (-1 for none)."""

    items: list[tuple[str, int, int]]
    floor: dict[int, int]
    hp_energy_col: np.ndarray


def _requirements(b: LPBuilder, model: Model, node_col: np.ndarray, index: dict[str, int]) -> _Requirements:
    """The requirements, in this order, each with its served column and priority:

    - a demand: its delivery ``v_d``;
    - a flow requirement: ``m_j − v_at ≤ 0``, the part met of the flow required at its node;
    - a reservoir's rule-curve target: ``h_r − v_r ≤ 0`` with ``0 ≤ h_r ≤ target``;
    - in ``priority`` mode, the dead volume of a reservoir that can end a step below it (before every priority,
      :data:`DEAD_VOLUME_PRIORITY`): ``g_r − v_r ≤ 0`` with ``0 ≤ g_r ≤ min_volume``;
    - a plant's energy target: ``e_k − v_k ≤ 0`` (the bound of ``e_k`` is set each step from the head).
    """
    nodes = model.nodes
    items: list[tuple[str, int, int]] = []
    floor: dict[int, int] = {}

    def met_part(col: str, row: str, upper: Any, node: Node) -> int:
        """A column ``col[node]`` with ``0 ≤ x ≤ upper`` and a row ``row[node]``: ``x − v_node ≤ 0``."""
        j = b.col(f"{col}[{node.id}]", 0.0, upper)
        r = b.row(f"{row}[{node.id}]", -np.inf, 0.0)
        b.add(r, j, 1.0)
        b.add(r, int(node_col[index[node.id]]), -1.0)
        return j

    for n in nodes:
        if n.type == "demand":
            items.append((n.id, int(node_col[index[n.id]]), int(n.value("priority"))))
    for n in nodes:
        if n.type == "flow_requirement":
            r = b.row(f"requirement[{n.id}]", -np.inf, 0.0)
            b.add(r, int(node_col[index[n.id]]), 1.0)
            b.add(r, int(node_col[index[n.get("at")]]), -1.0)
            items.append((n.id, int(node_col[index[n.id]]), int(n.value("priority"))))
    for n in nodes:
        if n.type == "reservoir" and n.get("target_volume") is not None:
            j = met_part(_RULE_CURVE, "target", n.get("target_volume"), n)
            items.append((f"{n.id}:target", j, int(n.value("target_priority"))))
    if model.allocation == "priority":
        for n in nodes:
            if n.type == "reservoir" and _has_dead_volume(b, n):
                j = met_part("g", "dead", n.get("min_volume"), n)
                floor[len(items)] = int(node_col[index[n.id]])
                items.append((f"{n.id}:dead", j, DEAD_VOLUME_PRIORITY))
    hp_nodes = [n for n in nodes if n.type == "hydropower"]
    hp_energy_col = np.full(len(hp_nodes), -1, dtype=np.int64)
    for k, n in enumerate(hp_nodes):
        if n.get("energy_target") is not None:
            hp_energy_col[k] = j = met_part("e", "energy", 0.0, n)
            items.append((f"{n.id}:energy", j, int(n.value("energy_priority"))))
    return _Requirements(items, floor, hp_energy_col)


@dataclass
class _Coverage:
    """The coverage columns and rows of ``priority`` mode (empty in ``cost`` mode), and the blocks of the LP."""

    levels: np.ndarray  # (P,) the priorities, ascending
    req_row: np.ndarray  # (J,) each requirement's coverage row (-1: none)
    req_tcol: np.ndarray  # (J,) the coverage column of its level and block (-1: none)
    tcols: np.ndarray  # coverage columns
    tcol_level: np.ndarray  # the level (position in ``levels``) of each
    col_block: np.ndarray  # the block of each column
    row_block: np.ndarray  # the block of each row


def _coverage(b: LPBuilder, req: _Requirements, mode: str) -> _Coverage:
    """In ``priority`` mode, a coverage column ``t_p`` per priority level and block (the independent parts of the
    LP built so far, :func:`_blocks`), then a row ``s_j − R_j t_p ≥ 0`` per requirement ``j`` (its ``−R_j`` set
    each step; the row's bounds too: free here)."""
    col_block, row_block = _blocks(b)
    n_req = len(req.items)
    req_row = np.full(n_req, -1, dtype=np.int64)
    req_tcol = np.full(n_req, -1, dtype=np.int64)
    if mode != "priority":
        return _Coverage(np.zeros(0, int), req_row, req_tcol, np.zeros(0, np.int64), np.zeros(0, np.int64),
                         col_block, row_block)
    levels = np.array(sorted({p for _, _, p in req.items}), dtype=np.int64)
    level_of = np.searchsorted(levels, [p for _, _, p in req.items])
    groups = sorted({(int(li), int(col_block[j])) for li, (_, j, _) in zip(level_of, req.items, strict=True)})
    group_col = {}
    for li, blk in groups:
        several = sum(1 for g in groups if g[0] == li) > 1
        group_col[(li, blk)] = b.col(f"t[{levels[li]}:{blk}]" if several else f"t[{levels[li]}]", 0.0, 0.0)
    for k, (name, j, _) in enumerate(req.items):
        req_tcol[k] = group_col[(int(level_of[k]), int(col_block[j]))]
        r = b.row(f"coverage[{name}]", -np.inf, np.inf)
        b.add(r, j, 1.0)
        b.add(r, int(req_tcol[k]), -1.0)  # −R_j, set each step
        req_row[k] = r
    col_block = np.concatenate([col_block, [blk for _, blk in groups]]).astype(np.int64)
    row_block = np.concatenate([row_block, col_block[[j for _, j, _ in req.items]]]).astype(np.int64)
    return _Coverage(levels, req_row, req_tcol, np.array([group_col[g] for g in groups], dtype=np.int64),
                     np.array([li for li, _ in groups], dtype=np.int64), col_block, row_block)


def _stack_series(arrs: list[np.ndarray], T: int) -> np.ndarray:
    """Per-element series (S|1, T) as one (S|1, T, E) array."""
    if not arrs:
        return np.zeros((1, T, 0))
    s = max(a.shape[0] for a in arrs)
    return np.stack([np.broadcast_to(a, (s, T)) for a in arrs], axis=2)


@dataclass
class _ReservoirTables:
    """Per-reservoir tables: the column of its spill edge (-1: none), its volume at the start (hm³), its
    minimum volume per step (S|1, T, R; zero where a parameter sets it each step) and its maximum volume per step,
    without a flood-control limit (S|1, T, R; NaN where a parameter sets it each step)."""

    spill_col: np.ndarray
    initial: np.ndarray
    min_volume: np.ndarray
    full_volume: np.ndarray


def _reservoir_tables(b: LPBuilder, reservoirs: list[Node], edges: _Edges,
                      stack: Callable[[list[np.ndarray]], np.ndarray]) -> _ReservoirTables:
    """The reservoirs' tables, and what state-dependent parameters read of them at the start (their proportion
    full), into the builder's parameter set."""
    spill = np.array([edges.col[edges.ids.index(n.spill_edge_id)] if n.spill_edge_id else -1 for n in reservoirs],
                     dtype=np.int64)
    mins = []
    for k, n in enumerate(reservoirs):
        if b.is_dynamic(n.get("min_volume")):
            b.bind("res_min", k, n.get("min_volume"))
            mins.append(np.zeros((1, b.axis.n_steps)))
        else:
            mins.append(b.resolve(n.get("min_volume"), 0.0))
    initial = np.stack(np.broadcast_arrays(*[_initial_volume(b, n) for n in reservoirs]), axis=1) \
        if reservoirs else np.zeros((1, 0))
    full = stack([np.full((1, b.axis.n_steps), np.nan) if b.is_dynamic(n.get("max_volume"))
                  else b.resolve(n.get("max_volume"), np.inf) for n in reservoirs])
    params = b.params if b.params is not None and b.params.dynamic else None
    if params is not None:
        params.initial_proportion = np.stack(np.broadcast_arrays(*[
            _initial_proportion(b, n, initial[:, k]) for k, n in enumerate(reservoirs)]), axis=1) \
            if reservoirs else np.zeros((1, 0))
    return _ReservoirTables(spill, initial, stack(mins), full)


def attribute_values(model: Model, values: dict[str, Any], axis: TimeAxis | None = None) -> dict[str, np.ndarray]:
    """Per-step values of attributes of ``model`` (numbers, series or parameters that do not read the reservoir
    state), as the network would hold them.

    Parameters
    ----------
    model
        A validated model (its parameters resolve the references).
    values
        Attribute values by any key, e.g. ``{"up": node.get("inflow")}``.
    axis
        Time axis (default: the model's own span).

    Returns
    -------
    dict of numpy.ndarray
        The values of each key, (S|1, T) in the attribute's unit per step (hm³ per step for a flow).

    Raises
    ------
    daryo.ModelError
        If a value is a parameter that depends on the reservoir state (the problem names the place).
    """
    axis = axis or model.time.axis()
    res_index = {n.id: k for k, n in enumerate(n for n in model.nodes if n.type == "reservoir")}
    b = LPBuilder(axis, model.n_scenarios, _parameter_set(model, axis, model.n_scenarios, res_index), model)
    return {k: b.resolve(v, 0.0) for k, v in values.items()}


def _parameter_set(model: Model, axis: TimeAxis, n_scen: int, res_index: dict[str, int]) -> ParameterSet | None:
    """The model's parameters resolved for this run, or None if it has none."""
    if not model.parameters:
        return None
    _, scenario_index = scenario_combinations(model.scenario_dims)
    attrs = [el.attrs for el in model.nodes] + [el.attrs for el in model.edges] + [c.attrs for c in model.constraints]
    refs = {v.name for a in attrs for v in references(a)}
    env = StaticEnv(axis, n_scen, scenario_index)
    params = bind_node_inflows(model.parameters, {n.id: n.get("inflow") for n in model.nodes if n.type == "inflow"},
                               axis)
    return ParameterSet.build(params, env, res_index, needed=refs, file=str(model.path or ""))


def _has_dead_volume(b: LPBuilder, n: Node) -> bool:
    """Whether reservoir ``n`` can end a step below its dead volume, and so needs the dead volume as a requirement:
    it has one, and it evaporates (or starts below it)."""
    vmin = n.get("min_volume")
    if vmin is None or (not b.is_dynamic(vmin) and not np.any(b.resolve(vmin, 0.0) > 0)):
        return False
    table = n.get("level_table")
    evaporates = table is not None and table.area is not None and n.get("evaporation") is not None and (
        b.is_dynamic(n.get("evaporation")) or np.any(b.resolve(n.get("evaporation"), 0.0) != 0))
    start = n.get("initial_volume")
    below = start is not None and not b.is_dynamic(vmin) and float(start) < float(np.min(b.resolve(vmin, 0.0)))
    return bool(evaporates or below)


def _initial_volume(b: LPBuilder, n: Node) -> np.ndarray:
    """(S|1,) volume at the start: ``initial_volume``, else each scenario's maximum volume in the first step."""
    if n.get("initial_volume") is not None:
        return np.array([float(n.get("initial_volume"))])
    vmax = n.get("max_volume")
    if b.is_dynamic(vmax):
        raise ModelError(Problem(b.file, n.at("initial_volume"), (
            "the maximum volume depends on the reservoir state, so give initial_volume (and initial_proportion)")))
    return np.asarray(b.resolve(vmax, 0.0)[:, 0], dtype=float)


def _initial_proportion(b: LPBuilder, n: Node, volume: np.ndarray) -> np.ndarray:
    """(S|1,) proportion full at the start, as control curves read it in the first step."""
    if n.get("initial_proportion") is not None:
        return np.array([float(n.get("initial_proportion"))])
    vmax = n.get("max_volume")
    if b.is_dynamic(vmax):
        raise ModelError(Problem(b.file, n.at("initial_proportion"), (
            "the maximum volume depends on the reservoir state, so give initial_proportion")))
    with np.errstate(divide="ignore", invalid="ignore"):
        return volume / b.resolve(vmax, 0.0)[:, 0]


def _blocks(b: LPBuilder) -> tuple[np.ndarray, np.ndarray]:
    """The independent parts of the LP built so far: the block of each column and of each row (the connected
    components of the matrix's pattern), numbered by their first column (rows without columns last)."""
    n, m = len(b.col_names), len(b.row_names)
    keys = np.array(list(b.entries), dtype=np.int64).reshape(-1, 2)
    graph = sp.coo_matrix((np.ones(len(keys)), (keys[:, 1], n + keys[:, 0])), shape=(n + m, n + m))
    _, label = connected_components(graph, directed=False)
    _, first = np.unique(label, return_index=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    block = rank[label]
    return block[:n], block[n:]


def _constraint_rows(b: LPBuilder, model: Model, node_col: np.ndarray, index: dict[str, int]) -> None:
    """Rows of the generic constraints: ``Σ w v − c = 0`` with ``min ≤ c ≤ max``; ``f_i v_0 − f_0 v_i = 0``."""
    for c in model.constraints:
        if c.type == "flow_sum":
            lo = c.attrs.get("min_flow")
            j = b.col(f"{_FLOW_SUM}[{c.id}]", -np.inf if lo is None else lo, c.attrs.get("max_flow"), signed=True)
            r = b.row(f"sum[{c.id}]", 0.0, 0.0)
            b.add(r, j, -1.0)
            for node_id, w in c.attrs["nodes"].items():
                b.add(r, int(node_col[index[node_id]]), float(w))
        elif c.type == "flow_ratio":
            nodes, factors = c.attrs["nodes"], c.attrs["factors"]
            first = int(node_col[index[nodes[0]]])
            for k in range(1, len(nodes)):
                r = b.row(f"ratio[{c.id}:{nodes[k]}]", 0.0, 0.0)
                b.add_factor(r, first, factors[k], 1.0)
                b.add_factor(r, int(node_col[index[nodes[k]]]), factors[0], -1.0)


def _reservoirs_downstream(model: Model) -> dict[str, int]:
    """For each reservoir, how many other reservoirs its water can reach (edges, spills, returns)."""
    succ: dict[str, set[str]] = {n.id: set() for n in model.nodes}
    for e in model.edges:
        succ.setdefault(e.source, set()).add(e.target)
    for n in model.nodes:
        for key in ("spill_to", "return_to"):
            if n.get(key):
                succ[n.id].add(n.get(key))
    reservoirs = {n.id for n in model.nodes if n.type == "reservoir"}
    out = {}
    for r in reservoirs:
        seen, stack = set(), list(succ.get(r, ()))
        while stack:
            v = stack.pop()
            if v not in seen:
                seen.add(v)
                stack.extend(succ.get(v, ()))
        out[r] = len((seen - {r}) & reservoirs)
    return out


def _storage_values(model: Model) -> dict[str, float]:
    """Each reservoir's storage value in ``priority`` mode (per hm³ at the end of the step):
    ``PRIORITY_STORAGE_VALUE × (1 + reservoirs downstream)``, plus a tie-break by the reservoir's order in the
    model (``PRIORITY_STORAGE_TIE × (R − k) / R`` for the ``k``-th of ``R``)."""
    below = _reservoirs_downstream(model)
    order = [n.id for n in model.nodes if n.type == "reservoir"]
    R = len(order)
    return {r: PRIORITY_STORAGE_VALUE * (1 + below[r]) + PRIORITY_STORAGE_TIE * (R - k) / R
            for k, r in enumerate(order)}


def _node_column(b: LPBuilder, n: Node, mode: str, storage_value: float = 0.0) -> int:
    """The node's own column, with its bounds and cost.

    In ``priority`` mode a reservoir's storage value grows with the number of reservoirs below it
    (``1e-3 × (1 + n)`` per hm³), so water is kept as high in the basin as it can be and the split of
    stored water between reservoirs in series is unique; turbines are preferred to bypasses, and routes that
    lose less water to those that lose more (:data:`PRIORITY_LOSS_COST`).
    """
    name = f"v[{n.id}]"
    cost = n.get("cost")
    t = n.type
    if t == "inflow":
        if n.get("inflow") is not None:
            return b.col(name, n.get("inflow"), n.get("inflow"), cost)
        return b.col(name, n.get("min_flow"), n.get("max_flow"), cost)
    if t == "reservoir":
        vmax, fc = n.get("max_volume"), n.get("flood_control_max")
        if not b.is_dynamic(vmax):
            vmax = b.resolve(vmax, np.inf)
            if fc is not None:
                vmax = np.minimum(vmax, b.resolve(fc, np.inf))
        elif fc is not None:
            raise ModelError(Problem(b.file, n.at("flood_control_max"), (
                "cannot be combined with a state-dependent max_volume; fold it into the max_volume parameter")))
        # water not needed this step stays stored in priority mode (see docs/model-format.md)
        offset = -storage_value if mode == "priority" else 0.0
        # the lower bound is set each step from the state (dead volume, or less after evaporation)
        return b.col(name, 0.0, vmax, cost, cost_offset=offset)
    if t == "delay":  # the water leaving: fixed each step from the state (what entered `steps` steps ago)
        return b.col(name, 0.0, 0.0)
    lost = _loss_cost(b.resolve(n.get("loss"), 0.0), mode)  # (a node that passes water on may lose part of it)
    if t == "canal":
        return b.col(name, n.get("min_flow"), n.get("capacity"), cost, cost_offset=lost)
    if t == "demand":
        return b.col(name, n.get("min_flow"), n.get("demand"), cost)
    if t == "flow_requirement":
        return b.col(name, 0.0, n.get("flow"), cost)
    if t == "sink":
        return b.col(name, n.get("min_flow"), n.get("max_flow"), cost)
    if t == "hydropower":
        hi = b.resolve(n.get("max_flow"), np.inf)
        mtf = n.get("max_turbine_flow")
        if mtf is not None:
            hi = np.minimum(hi, b.resolve(mtf, np.inf))
        turbine = -PRIORITY_TURBINE_VALUE if mode == "priority" else 0.0
        return b.col(name, n.get("min_flow"), hi, cost, cost_offset=turbine + lost)
    return b.col(name, n.get("min_flow"), n.get("max_flow"), cost, cost_offset=lost)  # junction, reach


def _loss_cost(loss: np.ndarray, mode: str) -> float:
    """The cost per hm³ entering an element that loses the fraction ``loss`` (S|1, T) of it: in ``priority`` mode
    :data:`PRIORITY_LOSS_COST` per hm³ lost (at the element's mean loss, where it varies), else none."""
    return PRIORITY_LOSS_COST * float(np.mean(loss)) if mode == "priority" else 0.0
