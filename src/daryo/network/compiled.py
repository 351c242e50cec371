"""What a compiled network is: the LP of a step and the tables that change it per step, as arrays.

:func:`daryo.network.compile_network` builds a :class:`CompiledNetwork` from a model; the simulators read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..model import Model
from ..model.series import LevelTable
from ..parameters import ParameterRef, ParameterSet
from ..solver import LinearProgram
from ..timeaxis import TimeAxis

__all__ = ["CompiledNetwork", "StepTable", "ParameterBinding"]


@dataclass
class StepTable:
    """Values of some LP entries (columns or rows) per step, split into entries that vary by scenario,
    shape (S, T, k), and entries shared by all scenarios, shape (T, k)."""

    shared_index: np.ndarray
    shared: np.ndarray
    scen_index: np.ndarray
    scen: np.ndarray

    @classmethod
    def build(cls, entries: list[tuple[int, np.ndarray]], n_steps: int, n_scen: int) -> StepTable:
        sh = [(i, a[0]) for i, a in entries if a.shape[0] == 1]
        sc = [(i, a) for i, a in entries if a.shape[0] > 1]
        shared = np.stack([a for _, a in sh], axis=1) if sh else np.zeros((n_steps, 0))
        scen = np.stack([a[:n_scen] for _, a in sc], axis=2) if sc else np.zeros((n_scen, n_steps, 0))
        return cls(np.array([i for i, _ in sh], dtype=np.int64), shared,
                   np.array([i for i, _ in sc], dtype=np.int64), scen)

    def fill(self, out: np.ndarray, t: int) -> None:
        """Write step ``t``'s values into ``out`` (shape (S, n)) in place."""
        if self.shared_index.size:
            out[:, self.shared_index] = self.shared[t]
        if self.scen_index.size:
            out[:, self.scen_index] = self.scen[:, t, :]


@dataclass
class ParameterBinding:
    """Where state-dependent parameter values go at each step:
    ``target[:, index] = value[:, param] × scale[t] + offset``.

    ``target`` is ``col_lower``, ``col_upper`` or ``cost`` (LP columns), ``coefficient`` (position in
    :attr:`CompiledNetwork.coefficients`) or ``res_min`` (reservoir position: its minimum volume).
    """

    target: str
    index: np.ndarray  # (k,)
    param: np.ndarray  # (k,) position in ParameterSet.dynamic
    scale: np.ndarray  # (T, k): unit factor × step days for rates
    offset: np.ndarray  # (k,)
    refs: tuple[ParameterRef, ...]  # (k,) the references in the model file, for messages
    # (k,) entries that must not be negative: flow and volume bounds (not a constraint's), and a flow ratio's factors
    # (a coefficient's value carries its side of the ratio's equation as its sign: the check is on ``value × sign``)
    nonnegative: np.ndarray


@dataclass
class CompiledNetwork:
    """The model as arrays, ready for a simulator.  All flows and volumes in hm³ (per step)."""

    model: Model
    axis: TimeAxis
    n_scenarios: int
    lp: LinearProgram
    mode: str
    # element bookkeeping
    node_ids: list[str]
    node_types: list[str]
    node_col: np.ndarray
    edge_ids: list[str]
    edge_ends: list[tuple[str, str]]  # (from, to) node ids per edge, spill edges included
    edge_col: np.ndarray
    edge_loss_const: np.ndarray  # loss fraction per edge where it is constant (0 where it varies)
    # per-step tables
    col_lower: StepTable
    col_upper: StepTable
    cost: StepTable
    coefficients: list[tuple[int, int, np.ndarray]]  # (row, col, values (S|1, T)) changed per step
    # reservoirs
    res_ids: list[str] = field(default_factory=list)
    res_col: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    res_row: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    res_spill_col: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # -1: none
    res_initial: np.ndarray = field(default_factory=lambda: np.zeros((1, 0)))  # (S|1, R) hm³
    res_min: np.ndarray = field(default_factory=lambda: np.zeros((1, 0, 0)))  # (S|1, T, R)
    # (S|1, T, R) max_volume, without a flood-control limit; NaN where a parameter of the state sets it
    res_full: np.ndarray = field(default_factory=lambda: np.zeros((1, 0, 0)))
    res_evap_depth: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (T, R) mm
    res_tables: list[LevelTable | None] = field(default_factory=list)
    # hydropower
    hp_ids: list[str] = field(default_factory=list)
    hp_col: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    hp_res: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # reservoir index or -1
    hp_head: np.ndarray = field(default_factory=lambda: np.zeros(0))  # fixed head or nan
    hp_tailwater: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hp_efficiency: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hp_capacity: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hp_energy_col: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # -1 none
    hp_energy_target: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (T, H) GWh
    # demands and requirements
    demand_ids: list[str] = field(default_factory=list)
    demand_col: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    demand_consumptive: np.ndarray = field(default_factory=lambda: np.zeros((1, 0, 0)))  # (S|1,T,D)
    demand_returns: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    # requirement j: served column, priority, coverage row
    req_col: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    req_priority: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    req_row: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    priority_levels: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    # coverage columns t_p: one per (priority level, block) with requirements, by level then block; each one's
    # level (index into priority_levels), and each requirement's
    priority_col: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    priority_col_level: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    req_tcol: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    # requirement j is met wherever column req_floor_col[j]'s lower bound is at least its value (a reservoir's dead
    # volume: its end-of-step volume), so a stage need not solve for it; -1: no such column
    req_floor_col: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    # the independent parts of the LP: block of each column and row, numbered by their first column
    col_block: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    row_block: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    sink_ids: list[str] = field(default_factory=list)
    sink_col: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    passthrough_loss: list[tuple[int, np.ndarray]] = field(default_factory=list)  # (node index, loss (S|1,T))
    edge_loss_varying: list[tuple[int, np.ndarray]] = field(default_factory=list)  # (edge index, loss (S|1,T))
    # state-dependent parameters (None / empty when the model has none)
    parameters: ParameterSet | None = None
    bindings: list[ParameterBinding] = field(default_factory=list)
    res_hold: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # reservoirs with above_max: hold
    # delay nodes
    delay_ids: list[str] = field(default_factory=list)
    delay_col: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # water leaving (node column)
    delay_in_col: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # water entering
    delay_steps: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    delay_rate: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # carry the rate, not the volume
    delay_initial: np.ndarray = field(default_factory=lambda: np.zeros((1, 0, 0)))  # (S|1, T, D) hm³ per step

    @property
    def requirement_nodes(self) -> np.ndarray:
        """The positions (along :attr:`node_ids`) of the flow requirements, in the model's order."""
        return np.array([i for i, t in enumerate(self.node_types) if t == "flow_requirement"], dtype=np.int64)
