"""The step loop.

Anatomy of a step ``t`` (all scenarios together, arrays shaped (scenario, element)):

1. **prepare** — copy this step's bounds, costs and coefficients from the compiled step tables; from the
   state (start-of-step reservoir volumes, which is all that this phase reads, and for delay nodes the water
   that entered them ``steps`` steps ago) evaluate the state-dependent parameters and write them into the
   bounds, costs and coefficients they set, then compute evaporation, the storage rows' right-hand sides,
   the dead-volume bounds, the delays' releases, hydropower heads, turbine limits and energy-target flows;
2. **solve** — the allocation LP of each scenario (``cost`` mode: one solve; ``priority`` mode: a
   lexicographic sequence, see :func:`allocate_by_priority`);
3. **update state** — end-of-step volumes become the next step's start volumes;
4. **record** — the LP solution and the step's physics go into the output arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..errors import InfeasibleStepError, ModelError, Problem, SolverFailedError, UnboundedStepError
from ..model.topology import _delay_outlets
from ..network import CompiledNetwork
from ..network.builder import NEGATIVE_FACTOR, NEGATIVE_FLOW, negative_parameter
from ..network.compile import flow_sum_columns
from ..network.compiled import ParameterBinding
from ..solver import HighsSolver, LPSolution, SolveStatus
from ..solver.highs import FEASIBILITY_TOLERANCE, LARGEST_COEFFICIENT, SMALLEST_COEFFICIENT
from ..units import MAX_MAGNITUDE, too_large_text
from .physics import energy_gwh, evaporation_hm3, head_m, turbine_flow_limit, turbine_volume

__all__ = ["RunOptions", "SimulationOutput", "simulate", "allocate_by_priority"]

_TOL = 1e-9  # a requirement below this is nothing; a coverage dual above it (× α on the fast path) binds
_HOLD = 1e-9  # a served requirement is held this far (hm³) below what it got, so later stages stay feasible
_FULL = 1e-12  # a coverage this close to 1 is full
_RELAX = (2e-9, 1e-8, 1e-7, 1e-6)  # holds lowered this far (hm³), in turn, when they make the next LP infeasible
#: a coverage row ``s_j − ρ_j t ≥ 0`` whose ``ρ_j = R_j/α`` is below this is scaled (see :func:`coverage_row_scale`)
_SCALED_BELOW = 10 * SMALLEST_COEFFICIENT


#: the reduced-cost tolerance with which the fast path accepts a basis as optimal: the plain path's (HiGHS's
#: :data:`~daryo.solver.highs.FEASIBILITY_TOLERANCE`, 1e-9), whatever the costs.  One relative to the largest cost
#: (1e-9 of it, up to 1e-7) let a cost of 100 elsewhere in the model hide the tie-break that sends water the way
#: that loses less (1e-6 per hm³ lost: 8e-8 on a reach losing 8 %), which the plain path keeps.
DUAL_TOLERANCE = FEASIBILITY_TOLERANCE


@dataclass(frozen=True)
class RunOptions:
    """Options of a run, in one object.

    Attributes
    ----------
    scenarios
        Number of scenario traces to run (first N of the model's); None: all.
    start, end
        Run span (default: the model's); ``years`` counts whole years from ``start`` instead of ``end``.  With
        monthly steps ``start`` is a month (``2001-03``) or its first day, as in a model file.
    years
        Length of the run in years.
    method
        ``auto`` (the vectorised fast path where it applies, see :mod:`daryo.simulate.fastpath`, else the
        plain path), ``fast`` (the same) or ``plain`` (one HiGHS solve per scenario and step: the reference).
        The results' ``solver_method`` says which path ran (``fast`` or ``plain``), ``solver_method_choice`` what
        was asked and why the plain path ran in its place; where costs tie, the two may return different optima.
    """

    scenarios: int | None = None
    start: str | None = None
    end: str | None = None
    years: int | None = None
    method: Literal["auto", "fast", "plain"] = "auto"


@dataclass
class SimulationOutput:
    """Raw arrays of a run; :mod:`daryo.results` labels them."""

    x: np.ndarray  # (S, T, n_cols) LP solution per step
    volume_start: np.ndarray  # (S, T, R)
    evaporation: np.ndarray  # (S, T, R)
    head: np.ndarray  # (S, T, H)
    col_upper: np.ndarray  # (S, T, n_cols) upper bounds used (demands, requirements)
    volume_min: np.ndarray  # (S, T, R) each step's minimum (dead) volume
    volume_max: np.ndarray  # (S, T, R) each step's maximum volume, max_volume (not a flood-control limit)
    balance_residual: np.ndarray  # (S, T) largest |row residual| of the mass-balance rows
    # (S, T, K) lower bound of each flow_sum constraint's sum used (its min_flow; -inf: none), in the order of
    # flow_sum_columns(net); the upper bounds are in col_upper
    sum_lower: np.ndarray

    @staticmethod
    def _shapes(net: CompiledNetwork) -> dict[str, tuple[int, ...]]:
        """The shape of each array for every step and scenario of ``net``."""
        S, T, n = net.n_scenarios, net.axis.n_steps, net.lp.n_cols
        R, H, K = len(net.res_ids), len(net.hp_ids), len(flow_sum_columns(net))
        return {"x": (S, T, n), "volume_start": (S, T, R), "evaporation": (S, T, R), "head": (S, T, H),
                "col_upper": (S, T, n), "volume_min": (S, T, R), "volume_max": (S, T, R), "balance_residual": (S, T),
                "sum_lower": (S, T, K)}

    @staticmethod
    def nbytes_for(net: CompiledNetwork) -> int:
        """The bytes that :meth:`allocate` takes for ``net``."""
        return 8 * sum(math.prod(shape) for shape in SimulationOutput._shapes(net).values())

    @classmethod
    def allocate(cls, net: CompiledNetwork) -> SimulationOutput:
        """Empty arrays (float64) for every step and scenario of ``net``."""
        return cls(**{name: np.zeros(shape) if name == "balance_residual" else np.empty(shape)
                      for name, shape in cls._shapes(net).items()})


def balance_rows(net: CompiledNetwork) -> tuple[np.ndarray, Any]:
    """The mass-balance (equality) rows of the LP and their matrix (CSR), for the residual check."""
    eq_rows = np.flatnonzero(net.lp.row_lower == net.lp.row_upper)
    return eq_rows, net.lp.A.tocsr()[eq_rows]


class _StepState:
    """The per-step LP data of every scenario, shaped (S, n)."""

    def __init__(self, net: CompiledNetwork):
        S, lp = net.n_scenarios, net.lp
        self.col_lo = np.repeat(lp.col_lower[None, :], S, axis=0)
        self.col_hi = np.repeat(lp.col_upper[None, :], S, axis=0)
        self.cost = np.repeat(lp.cost[None, :], S, axis=0)
        self.row_lo = np.repeat(lp.row_lower[None, :], S, axis=0)
        self.row_hi = np.repeat(lp.row_upper[None, :], S, axis=0)
        self._base = (lp.col_lower, lp.col_upper, lp.cost)
        self.coef = [(r, c, np.zeros(S)) for r, c, _ in net.coefficients]
        self.vmin = np.zeros((S, len(net.res_ids)))
        self.max_volume = np.zeros((S, len(net.res_ids)))  # this step's maximum volumes (before `hold`)
        # this step's max_volume, not lowered by a flood-control limit (a parameter's value where one sets it): the
        # divisor of the next step's proportion full
        self.full_volume = np.zeros((S, len(net.res_ids)))

    def prepare(self, net: CompiledNetwork, t: int, volume: np.ndarray, past: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
        """Fill step ``t``'s data; return (evaporation (S, R), head (S, H)).

        ``past`` holds the LP solutions of the steps before ``t`` (S, ≥t, n); only delay nodes read it.
        Steps must be prepared in order (the proportion full of step ``t`` uses the maximum of step ``t−1``).
        """
        self.col_lo[:] = self._base[0]
        self.col_hi[:] = self._base[1]
        self.cost[:] = self._base[2]
        net.col_lower.fill(self.col_lo, t)
        net.col_upper.fill(self.col_hi, t)
        net.cost.fill(self.cost, t)
        for k, (_r, _c, values) in enumerate(net.coefficients):
            self.coef[k][2][:] = values[:, t] if values.shape[0] > 1 else values[0, t]
        if net.res_ids:
            self.vmin[:] = net.res_min[:, t, :]
        if net.parameters is not None:
            self._parameters(net, t, volume)
        evap = evaporation_hm3(volume, net.res_evap_depth[t], net.res_tables)
        if net.res_ids:
            avail, lower = reservoir_bounds(volume, evap, self.vmin)
            self.row_lo[:, net.res_row] = -avail
            self.row_hi[:, net.res_row] = -avail
            self.col_lo[:, net.res_col] = lower
            self.max_volume[:] = self.col_hi[:, net.res_col]
            full = net.res_full[:, t, :]  # (NaN where a parameter sets it: its value, which flood control cannot lower)
            self.full_volume[:] = np.where(np.isnan(full), self.max_volume, full)
            if net.res_hold.size:  # above the maximum: no filling, but no forced release either
                cols, held = net.res_col[net.res_hold], net.res_hold
                hi = np.maximum(self.col_hi[:, cols], avail[:, held])
                fixed = self.vmin[:, held] == self.max_volume[:, held]
                self.col_hi[:, cols] = np.where(fixed, avail[:, held], hi)
                self.col_lo[:, cols] = np.where(fixed, avail[:, held], self.col_lo[:, cols])
        if net.delay_ids:
            self._delays(net, t, past)
        head = apply_plant_limits(net, t, volume, self.col_hi, net.hp_col, net.hp_energy_col[net.hp_energy_col >= 0])
        return evap, head

    def _parameters(self, net: CompiledNetwork, t: int, volume: np.ndarray) -> None:
        """Evaluate the state-dependent parameters and write them where they are bound."""
        params = net.parameters
        assert params is not None
        if t == 0:
            pc = np.broadcast_to(params.initial_proportion, volume.shape).copy()
        else:  # over the last step's max_volume (not its flood-control limit; a parameter's value where one sets it)
            vmax = self.full_volume
            with np.errstate(divide="ignore", invalid="ignore"):
                pc = np.where(vmax == 0.0, np.nan, volume / vmax)
        values = params.step(t, volume, pc)
        targets = {"col_lower": self.col_lo, "col_upper": self.col_hi, "cost": self.cost, "res_min": self.vmin}
        limit = MAX_MAGNITUDE * float(net.axis.days[t])  # (per day, as a number written out is held to it)
        for bnd in net.bindings:
            v = values[:, bnd.param] * bnd.scale[t] + bnd.offset
            if np.any(_below_zero(bnd, t, v)):
                _raise_negative(net, t, bnd, v)
            if not np.all(np.abs(v) <= limit):
                _raise_too_large(net, t, bnd, v, limit)
            if bnd.target == "coefficient":
                for k, i in enumerate(bnd.index):
                    self.coef[i][2][:] = v[:, k]
            else:
                targets[bnd.target][:, bnd.index] = v

    def _delays(self, net: CompiledNetwork, t: int, past: np.ndarray | None) -> None:
        """Fix each delay's release: what entered ``steps`` steps ago (rate-carrying delays rescale it to this
        step's length), or the initial flow in the first steps."""
        days = net.axis.days
        for d, k in enumerate(net.delay_steps):
            if t < k:
                release = np.broadcast_to(net.delay_initial[:, t, d], self.col_lo.shape[:1])
            else:
                assert past is not None, "delay nodes need the past steps' solutions"
                release = past[:, t - k, net.delay_in_col[d]]
                if net.delay_rate[d]:
                    release = release * (days[t] / days[t - k])
            self.col_lo[:, net.delay_col[d]] = release
            self.col_hi[:, net.delay_col[d]] = release


def _below_zero(bnd: ParameterBinding, t: int, v: np.ndarray) -> np.ndarray:
    """(S, k) where a value that must not be negative is: a flow or volume bound, or a flow ratio's factor (whose
    coefficient carries the sign of its side of the equation in ``scale``)."""
    signed = v * np.sign(bnd.scale[t]) if bnd.target == "coefficient" else v
    return (signed < 0) & bnd.nonnegative


def _raise_negative(net: CompiledNetwork, t: int, bnd: ParameterBinding, v: np.ndarray) -> None:
    """A state-dependent parameter gave a flow or volume bound, or a flow ratio's factor, below zero (as a fixed
    one is refused on loading): a problem naming the attribute, the parameter, the step and the scenario."""
    s, k = (int(i) for i in np.argwhere(_below_zero(bnd, t, v))[0])
    ref = bnd.refs[k]
    factor = bnd.target == "coefficient"
    given = float(v[s, k] * np.sign(bnd.scale[t, k])) if factor else float(v[s, k])
    where = f" at the step starting {net.axis.starts[t]:%Y-%m-%d} (scenario {net.model.scenario_name(s)})"
    raise negative_parameter(str(net.model.path or ""), ref, given, NEGATIVE_FACTOR if factor else NEGATIVE_FLOW, where)


def _raise_too_large(net: CompiledNetwork, t: int, bnd: ParameterBinding, v: np.ndarray, limit: float) -> None:
    """A state-dependent parameter gave a value larger in magnitude than a model's numbers may be (as a static one
    is refused when the network is built): a problem naming the attribute, the parameter, the step and the
    scenario."""
    s, k = (int(i) for i in np.argwhere(~(np.abs(v) <= limit))[0])
    ref = bnd.refs[k]
    where = f" at the step starting {net.axis.starts[t]:%Y-%m-%d} (scenario {net.model.scenario_name(s)})"
    raise ModelError(Problem(str(net.model.path or ""), ref.place, (
        f"parameter '{ref.name}' gives {float(v[s, k]):g}{where}: {too_large_text()}")))


def reservoir_bounds(volume: np.ndarray, evaporation: np.ndarray, vmin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What each reservoir holds before releases, ``V − E`` (S, R), whose negative is its storage row's
    right-hand side, and its end-of-step lower bound: the dead volume, or what is there if less."""
    avail = volume - evaporation
    return avail, np.minimum(vmin, np.maximum(avail, 0.0))


def carried_volume(end_volume: np.ndarray) -> np.ndarray:
    """The next step's start volumes (S, R) from a step's end volumes: a copy, a volume that roundoff left below
    empty (the LP keeps bounds to its tolerance, 1e-9 hm³) read as empty.  Carried below zero, it would make the
    next step's storage row ask for water an empty reservoir cannot give: an infeasible step."""
    return np.maximum(end_volume, 0.0)


def plant_heads(net: CompiledNetwork, volume: np.ndarray) -> np.ndarray:
    """Head of every plant (S, H) from the start-of-step reservoir volumes (S, R), or its fixed head."""
    head = np.empty((volume.shape[0], len(net.hp_ids)))
    head[:] = net.hp_head  # (fixed heads; nan where the level gives it)
    tabled = np.flatnonzero(np.isnan(net.hp_head))  # plants whose head comes from their reservoir's level
    if tabled.size:
        level = np.empty((volume.shape[0], tabled.size))
        for i, k in enumerate(tabled.tolist()):
            table = net.res_tables[net.hp_res[k]]
            assert table is not None
            level[:, i] = table.level_at(volume[:, net.hp_res[k]])
        head[:, tabled] = head_m(level, net.hp_tailwater[tabled])
    return head


def apply_plant_limits(net: CompiledNetwork, t: int, volume: np.ndarray, upper: np.ndarray, turbine_at: np.ndarray,
                       energy_at: np.ndarray) -> np.ndarray:
    """Cap the turbine flows' upper bounds in ``upper`` (S, ·) at positions ``turbine_at`` (one per plant) by the
    capacity at the step's head and set the energy-target flows at ``energy_at`` (one per plant with a target);
    returns the heads (S, H).  The plain path passes LP columns, the fast path its data slots."""
    head = plant_heads(net, volume)
    if head.shape[1]:
        hp_hi, need = plant_limits(net, t, head, upper[:, turbine_at])
        upper[:, turbine_at] = hp_hi
        if need is not None:
            upper[:, energy_at] = need
    return head


def plant_limits(net: CompiledNetwork, t: int, head: np.ndarray, hp_hi: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray | None]:
    """Turbine-flow upper bounds (S, H) capped by the installed capacity at ``head``, and the energy-target
    flows of the plants that have a target (S, H_target), or None if none has one.  A target is the water its
    energy takes at the head, not capped by the turbines: a plant whose turbines cannot pass it is held back
    by its own limit within its priority, as a demand behind a full canal is (its share was reckoned against the
    capped target, which gave it less than the others' fraction)."""
    cap = turbine_flow_limit(net.hp_capacity[None, :], float(net.axis.days[t]), head, net.hp_efficiency[None, :])
    hp_hi = np.minimum(hp_hi, cap)
    has_target = net.hp_energy_col >= 0
    if not has_target.any():
        return hp_hi, None
    need = turbine_volume(net.hp_energy_target[t][None, :], energy_gwh(1.0, head, net.hp_efficiency[None, :]))
    return hp_hi, need[:, has_target]


def simulate(net: CompiledNetwork) -> SimulationOutput:
    """Run every step of ``net`` for all its scenarios.

    Raises
    ------
    InfeasibleStepError
        If a step's LP has no solution (the conflicting components are named).
    UnboundedStepError, SolverFailedError
        If a step's LP is unbounded (costs reward moving water without limit), or the solver fails on it.
    """
    S, T = net.n_scenarios, net.axis.n_steps
    out = SimulationOutput.allocate(net)
    solver = HighsSolver(net.lp)
    state = _StepState(net)
    volume = np.broadcast_to(net.res_initial, (S, net.res_initial.shape[1])).astype(float)
    eq_rows, A_eq = balance_rows(net)
    sum_cols = flow_sum_columns(net)
    # coefficients that change by step on balance rows (losses): the residual uses the step's values
    eq_pos = {int(r): i for i, r in enumerate(eq_rows.tolist())}
    varying = [(eq_pos[r], c, float(net.lp.A[r, c]), k) for k, (r, c, _) in enumerate(state.coef) if r in eq_pos]
    # each scenario's step starts from the basis that solved its own step before, with nothing else of the solver's
    # kept: where the optimum is not unique (equal costs), its answer depends on no other scenario of the run (a
    # hydro-economic modeller's review: a trace's answer changed with the traces beside it)
    bases: list[np.ndarray | None] = [None] * S
    for t in range(T):
        evap, head = state.prepare(net, t, volume, out.x)  # 1. prepare
        for s in range(S):  # 2. solve
            solver.start_from(bases[s])
            sol = _solve_scenario(solver, net, state, s)
            if sol.status is not SolveStatus.OPTIMAL:
                _raise_unsolved(solver, net, t, s, sol.status)
            out.x[s, t] = sol.x
            bases[s] = solver.get_basis()
        x_t = out.x[:, t, :]
        out.volume_start[:, t] = volume
        out.evaporation[:, t] = evap
        out.head[:, t] = head
        out.col_upper[:, t] = state.col_hi
        out.sum_lower[:, t] = state.col_lo[:, sum_cols]
        out.volume_min[:, t] = state.vmin
        out.volume_max[:, t] = state.full_volume
        if eq_rows.size:
            resid = (A_eq @ x_t.T).T - state.row_lo[:, eq_rows]
            for i, c, base, k in varying:
                resid[:, i] += (state.coef[k][2] - base) * x_t[:, c]
            out.balance_residual[:, t] = np.max(np.abs(resid), axis=1)
        volume = carried_volume(x_t[:, net.res_col])  # 3. update state
    return out


def _solve_scenario(solver: HighsSolver, net: CompiledNetwork, st: _StepState, s: int) -> LPSolution:
    for r, c, values in st.coef:
        solver.set_coefficient(r, c, values[s])
    lo, hi = st.col_lo[s], st.col_hi[s]
    if net.mode == "priority" and net.req_col.size:
        return allocate_by_priority(solver, net, lo, hi, st.cost[s], st.row_lo[s], st.row_hi[s])
    solver.set_col_bounds(lo, hi)
    solver.set_row_bounds(st.row_lo[s], st.row_hi[s])
    solver.set_costs(st.cost[s])
    return solver.solve()


def allocate_by_priority(solver: HighsSolver, net: CompiledNetwork, col_lo: np.ndarray, col_hi: np.ndarray,
                         cost: np.ndarray, row_lo: np.ndarray, row_hi: np.ndarray) -> LPSolution:
    """Lexicographic allocation with equal coverage within each priority.

    For each priority level p, from 1 up: maximise the common coverage fraction ``t_p`` such that every
    requirement j of level p gets ``s_j ≥ R_j t_p``.  Requirements whose coverage row has a non-zero
    dual at the optimum cannot exceed ``t_p`` without another one falling below it (the dual is a
    certificate), so they are fixed at ``R_j t_p``; the rest are raised further in the next round
    (max–min fair "progressive filling").  Deliveries fixed at one level stay as lower bounds for every
    later level, so water is never taken from a higher priority to serve a lower one.  A last solve
    minimises the model's costs (spill, storage value, user costs) with all deliveries held.

    Independent parts of the network (blocks: two river basins) are allocated each as if it were alone: where
    the screening of the whole network fails, each block is screened on its own, and a block that can meet
    all its requirements keeps them at their full value; the others go through the stages, where each has a
    ``t_p`` of its own, maximised together (their sum; being independent, each reaches its own maximum), and
    each block's requirements are fixed by its own coverage.
    """
    lo, hi, rlo, rhi = col_lo.copy(), col_hi.copy(), row_lo.copy(), row_hi.copy()
    req_col, req_row, req_tcol = net.req_col, net.req_row, net.req_tcol
    R = hi[req_col]
    rlo[req_row] = -np.inf
    rhi[req_row] = np.inf
    lo[net.priority_col] = 0.0
    hi[net.priority_col] = 0.0
    # Screening: when every requirement can be met in full, the lexicographic stages would all end at
    # coverage 1, so one solve with every requirement held at its full value gives the same answer.
    full = lo.copy()
    full[req_col] = np.maximum(lo[req_col], R)
    solver.set_costs(cost)
    solver.set_col_bounds(full, hi)
    solver.set_row_bounds(rlo, rhi)
    sol = solver.solve()
    if sol.status is SolveStatus.OPTIMAL:
        return sol
    staged = _screen_blocks(solver, net, lo, full, hi)  # blocks that meet all their requirements keep them in full
    objective = np.zeros_like(cost)
    alpha = np.ones_like(cost)  # the scale of each coverage column: t runs from 0 to α, not 1 (see below)
    scale = np.ones(R.size)  # each coverage row's factor (see coverage_row_scale); 1: as compiled
    try:
        for p in net.priority_levels:
            active = np.flatnonzero((net.req_priority == p) & (R > _TOL) & staged)
            if not active.size:
                continue
            # the coverage column runs to α = the level's largest requirement (per block), with coefficients −R_j/α:
            # a hm³ delivered then raises the objective by α/R_j ≥ 1, where with −R_j and t ≤ 1 it raised it by
            # 1/R_j, below HiGHS's dual tolerance for requirements above ~10⁷ hm³ (an energy target at a head near
            # zero), which it then left unserved; α is the largest of the requirements still active, so that once a
            # huge one is held the others' coefficients are not below HiGHS's smallest (SMALLEST_COEFFICIENT: it
            # drops them; a row still below it is scaled: coverage_row_scale)
            tcols = np.unique(req_tcol[active])
            objective[:] = 0.0
            objective[tcols] = -1.0
            solver.set_costs(objective)
            while active.size:
                alpha[tcols] = 0.0
                np.maximum.at(alpha, req_tcol[active], R[active])
                _set_coverage_rows(solver, net, active, R[active] / alpha[req_tcol[active]], scale)
                hi[tcols] = alpha[tcols]
                rlo[req_row[active]] = 0.0
                solver.set_col_bounds(lo, hi)
                solver.set_row_bounds(rlo, rhi)
                sol = _solve_holding(solver, lo, hi, col_lo, req_col)
                if sol.status is not SolveStatus.OPTIMAL:
                    return sol
                fixed = np.concatenate([_covered(sol, active[req_tcol[active] == tc], tc, req_row, R, alpha[tc], scale)
                                        for tc in np.unique(req_tcol[active])])
                served = sol.x[req_col[fixed]]
                lo[req_col[fixed]] = np.maximum(lo[req_col[fixed]], np.minimum(served, R[fixed]) - _HOLD)
                rlo[req_row[fixed]] = -np.inf
                active = np.setdiff1d(active, fixed)
            hi[tcols] = 0.0
    finally:  # (the rows as compiled, for the next step: after an infeasible stage too)
        _set_coverage_rows(solver, net, np.flatnonzero(scale != 1.0), None, scale)
    solver.set_costs(cost)
    solver.set_col_bounds(lo, hi)
    solver.set_row_bounds(rlo, rhi)
    return _solve_holding(solver, lo, hi, col_lo, req_col)


def coverage_row_scale(rho: np.ndarray) -> np.ndarray:
    """The factor ``a_j`` by which coverage row ``s_j − ρ_j t ≥ 0`` is multiplied, as ``a_j s_j − a_j ρ_j t ≥ 0``,
    so that its coefficient of ``t`` is not one HiGHS drops (:data:`~daryo.solver.highs.SMALLEST_COEFFICIENT`,
    1e-12): 1 for ``ρ_j`` at or above :data:`_SCALED_BELOW` (1e-11), else ``1e-11/ρ_j`` (the coefficient of ``t``
    then 1e-11), up to a tenth of the largest value HiGHS takes (requirements down to 1e-25 of the largest).

    A coefficient dropped, the row held its requirement to nothing in the stage that gave the others their share
    (a village's 0.001 hm³ beside an irrigation demand of 10⁶ at the same priority got 9.9e-10 hm³, not 0.0005: a
    numerical analyst's review).  Only rows that need it are scaled: a factor above 1 tightens the row's
    feasibility tolerance by as much, which HiGHS cannot always meet beside flows of 10¹⁰ hm³ (a scaling from 1e-8
    left a primal infeasibility of 1.3e-7 there, and no answer)."""
    return np.where(rho < _SCALED_BELOW, np.minimum(_SCALED_BELOW / np.maximum(rho, 1e-300),
                                                    LARGEST_COEFFICIENT / 10), 1.0)


def _set_coverage_rows(solver: HighsSolver, net: CompiledNetwork, reqs: np.ndarray, rho: np.ndarray | None,
                       scale: np.ndarray) -> None:
    """Write the coverage rows of requirements ``reqs`` for ratios ``rho`` = ``R_j/α`` (each scaled by
    :func:`coverage_row_scale`, ``scale`` updated); ``rho`` None: give back those rows' scaled coefficient of
    ``s_j`` its compiled 1 (the coefficient of ``t`` is set at each stage).  A row unscaled now and before is
    written as it was without the scaling: its coefficient of ``s_j`` untouched."""
    a = np.ones(reqs.size) if rho is None else coverage_row_scale(rho)
    for k, j in enumerate(reqs.tolist()):
        if a[k] != 1.0 or scale[j] != 1.0:
            solver.set_coefficient(net.req_row[j], net.req_col[j], a[k])
            scale[j] = a[k]
        if rho is not None:
            solver.set_coefficient(net.req_row[j], net.req_tcol[j], -a[k] * rho[k])


def _screen_blocks(solver: HighsSolver, net: CompiledNetwork, lo: np.ndarray, full: np.ndarray, hi: np.ndarray
                   ) -> np.ndarray:
    """Screen each block of a network with several (its requirements at ``full``, the others' at ``lo``): where
    that is feasible, raise the block's requirements to ``full`` in ``lo``.  Returns the mask of requirements
    left to the stages (those of the blocks that cannot meet all theirs)."""
    req_block = net.col_block[net.req_col]
    staged = np.ones(req_block.size, dtype=bool)
    blocks = np.unique(req_block)
    if blocks.size < 2:
        return staged
    for blk in blocks.tolist():
        cols = net.req_col[req_block == blk]
        trial = lo.copy()
        trial[cols] = full[cols]
        solver.set_col_bounds(trial, hi)
        if solver.solve().status is SolveStatus.OPTIMAL:
            lo[cols] = full[cols]
            staged[req_block == blk] = False
    return staged


def _covered(sol: LPSolution, active: np.ndarray, tcol: int, req_row: np.ndarray, R: np.ndarray, alpha: float,
             scale: np.ndarray) -> np.ndarray:
    """The requirements of one block's ``active`` ones (``R``: every requirement's value) that a stage fixes: all
    at coverage 1 (``t = α``), else those whose coverage row has a non-zero dual (or all of them, at a degenerate
    optimum without that certificate).  A dual is judged by its row's share of the coverage's price,
    ``|y_j| R_j / α`` (the shares of the rows that hold coverage back sum to 1), not by its size, which is
    ``α / R_j`` for a row that holds it back alone: against 1e-9 α, a requirement above 1e9 hm³ (an energy
    target at a head near zero) was never held, and every requirement of its level was fixed at what the
    stage gave it, a demand that could have had all it asked for at nothing.  And a dual must stand above the
    noise of the largest (1e-9 of it): beside a tiny demand's ~5e6, a plant's target got ~3e-9 of roundoff and
    was held at its first share (a row missed is held at the next iteration; one held wrongly stays short).
    A row's dual is that of its unscaled form: the dual of the row as solved times its ``scale``."""
    if float(np.clip(sol.x[tcol] / alpha, 0.0, 1.0)) >= 1.0 - _FULL:
        return active
    y = np.abs(sol.row_dual[req_row[active]]) * scale[active]
    fixed = active[held_by_dual(y, R[active], alpha)]
    return fixed if fixed.size else active


def held_by_dual(y: np.ndarray, R: np.ndarray, alpha: np.ndarray | float) -> np.ndarray:
    """Which coverage rows hold a stage's coverage back, by their duals (the rule of :func:`_covered`, which the
    fast path applies to many scenarios at once): ``|y_j| R_j / α`` above 1e-9 and ``|y_j|`` above 1e-9 of the
    largest.  ``y``, ``R``: absolute duals and requirements, the requirements on the last axis; ``alpha``: the
    stages' scales, one for each row of ``y``."""
    return (y * R > _TOL * np.asarray(alpha)[..., None]) & (y > _TOL * y.max(axis=-1, keepdims=True))


def _solve_holding(solver: HighsSolver, lo: np.ndarray, hi: np.ndarray, col_lo: np.ndarray, req_col: np.ndarray
                   ) -> LPSolution:
    """Solve with the deliveries held by earlier stages (``lo`` above ``col_lo`` at ``req_col``).  If HiGHS finds
    that infeasible, solve again from scratch (a warm start can end in a wrong verdict at daryo's tight
    tolerances), then with the holds lowered by each of :data:`_RELAX` in turn until one is feasible: HiGHS keeps
    bounds to its feasibility tolerance (:data:`~daryo.solver.highs.FEASIBILITY_TOLERANCE`), so a stage may route
    that much through a slightly negative flow (a tiny demand served from an empty node); held at that value less
    ``_HOLD`` = 1e-9, the next LP can be infeasible."""
    sol = solver.solve()
    raised = lo[req_col] > col_lo[req_col]
    if sol.status is not SolveStatus.INFEASIBLE or not raised.any():
        return sol
    sol = solver.solve_from_scratch()
    for relax in _RELAX:
        if sol.status is not SolveStatus.INFEASIBLE:
            break
        relaxed = lo.copy()
        relaxed[req_col] = np.where(raised, np.maximum(col_lo[req_col], lo[req_col] - relax), lo[req_col])
        solver.set_col_bounds(relaxed, hi)
        sol = solver.solve()
    solver.set_col_bounds(lo, hi)  # (the caller's bounds, for the infeasibility report)
    return sol


def _raise_unsolved(solver: HighsSolver, net: CompiledNetwork, t: int, s: int, status: SolveStatus) -> None:
    """Raise the error for step ``t``, scenario ``s`` whose LP ended with ``status`` (not optimal): infeasible
    (with the conflicting components), unbounded, or a solver failure."""
    time = f"{net.axis.starts[t]:%Y-%m-%d}"
    scenario = net.model.scenario_name(s)
    if status is SolveStatus.UNBOUNDED:
        raise UnboundedStepError(t, time, scenario, _bounds_read_as_none(net, solver.col_upper()))
    if status is not SolveStatus.INFEASIBLE:
        raise SolverFailedError(t, time, scenario, status.value)
    cols, rows = solver.irreducible_infeasible_set()
    comps = _components([net.lp.col_names[c] for c in cols] + [net.lp.row_names[r] for r in rows])
    lower = solver.col_lower()
    detail = _overfull(solver, net, comps) or " ".join(
        x for x in (_minimums(net, cols, lower), _nowhere_to_go(net, comps, cols, lower, t, solver.col_upper())) if x)
    raise InfeasibleStepError(t, time, scenario, comps, detail)


def _overfull(solver: HighsSolver, net: CompiledNetwork, comps: list[str]) -> str:
    """A hint where the conflict is a reservoir that would have to hold more than its maximum: the LP is feasible
    with the maxima of the conflict's reservoirs lifted, so the water they cannot pass on has nowhere to go (a
    reservoir without ``spill_to``, or one whose releases and spill all end at demands and capped nodes); its
    minimum volume, which :func:`_minimums` would name, is not what binds.  ``""`` otherwise."""
    found = [k for k, r in enumerate(net.res_ids) if r in comps]
    if not found:
        return ""
    lower, upper = solver.col_lower(), solver.col_upper()
    lifted = upper.copy()
    lifted[net.res_col[found]] = np.inf
    solver.set_col_bounds(lower, lifted)
    try:
        feasible = solver.solve_from_scratch().status is not SolveStatus.INFEASIBLE
    finally:
        solver.set_col_bounds(lower, upper)
    if not feasible:
        return ""
    full = [net.res_ids[k] for k in found]
    alone = [r for k, r in zip(found, full, strict=True) if net.res_spill_col[k] < 0]
    one = len(full) == 1
    what = (f"{', '.join(full)} would have to hold more than {'its' if one else 'their'} max_volume: the water "
            f"{'it' if one else 'they'} cannot pass on has nowhere to go")
    if alone:
        return (f"{what}; {', '.join(alone)} {'has' if len(alone) == 1 else 'have'} no spill_to: give "
                f"{'it one' if len(alone) == 1 else 'them one'} (the node the overflow goes to, on a way to a sink).")
    return (f"{what}: {'its' if one else 'their'} releases and spill end where no more is taken (a demand takes no "
            "more than its demand, a canal no more than its capacity); give the water a way to a sink.")


#: HiGHS reads a bound of this size or more as no bound (its option ``infinite_bound``)
SOLVER_INFINITY = 1e20


def _bounds_read_as_none(net: CompiledNetwork, upper: np.ndarray) -> str:
    """The components whose maximum this step is finite but so large that the solver reads it as no bound (a Pywr
    model's ``max_flow: 1e20`` meant as "unbounded", times a month's days): what makes a step unbounded where
    nothing else bounds that flow."""
    big = np.flatnonzero((upper >= SOLVER_INFINITY) & np.isfinite(upper))
    names = _components([net.lp.col_names[c] for c in big])
    if not names:
        return ""
    return (f"The maximum of {', '.join(names)} ({upper[big].max():.3g} hm³ this step) is so large that the solver "
            "reads it as no bound (1e20 hm³ or more): give a smaller one.")


#: node types whose water in a step is fixed before it (an inflow's, a delay's release), not a minimum to relax
_FIXED_RELEASE = ("inflow", "delay")


def _components(names: list[str]) -> list[str]:
    """The components LP columns or rows ``names`` belong to, named in their brackets (not the coverage columns
    t[p] / t[p:block], which are priority levels)."""
    return sorted({nm[nm.index("[") + 1: nm.rindex("]")] for nm in names if "[" in nm and not nm.startswith("t[")})


def _minimums(net: CompiledNetwork, cols: list[int], lower: np.ndarray) -> str:
    """The conflict's minimums (a min_flow, min_volume or requirement held: a column bounded above 0), an inflow's
    or a delay's fixed flow aside: where a conflict of many components, all the network between the water and the
    minimum, most likely comes from."""
    fixed = {f"v[{n}]" for n, kind in zip(net.node_ids, net.node_types, strict=True) if kind in _FIXED_RELEASE}
    held = _components([net.lp.col_names[c] for c in cols if lower[c] > 0 and net.lp.col_names[c] not in fixed])
    if not held:
        return ""
    has, them = ("has a minimum", "it") if len(held) == 1 else ("have minimums", "them")
    return f"Of these, {', '.join(held)} {has}: check {them} first."


def _nowhere_to_go(net: CompiledNetwork, comps: list[str], cols: list[int], lower: np.ndarray, step: int,
                   upper: np.ndarray) -> str:
    """A hint for a conflict of fixed flows with maxima alone (no minimum but theirs among the conflicting bounds):
    their water has nowhere to go.  An inflow whose only way out is a demand smaller than it passes validation, and
    the conflict's components do not say which way it goes; what leaves a delay entered it steps earlier."""
    types = dict(zip(net.node_ids, net.node_types, strict=True))
    fixed = [c for c in comps if types.get(c) in _FIXED_RELEASE]
    fixed_cols = {f"v[{c}]" for c in fixed}
    if not fixed or any(lower[c] > 0 and net.lp.col_names[c] not in fixed_cols for c in cols):  # (a minimum: too
        return ""  # little water, not too much)
    names = {net.lp.col_names[c] for c in cols}
    leaving = [c for c in fixed if types.get(c) == "delay" and f"v[{c}]" in names]
    if leaving:  # (a capped sink or a full reservoir may be among its outlets: the water still cannot leave)
        steps = dict(zip(net.delay_ids, net.delay_steps.tolist(), strict=True))
        what = "; ".join(f"{c}: " + ("its initial_flow, the water on its way when the run starts" if step < steps.get(
            c, 0) else "water that entered it steps earlier") for c in leaving)
        others = [c for c in fixed if c not in leaving and (types.get(c) == "inflow" or f"v[{c}]" in names)]
        also = f" (with the water of {', '.join(others)})" if others else ""
        return (f"What leaves a delay now ({what}) must leave, but its outlets cannot take it all{also}: a delay "
                "belongs on a reach the water must take, with a way on that takes any amount (a sink without a "
                "maximum, a reservoir with a spill_to) (docs/model-format.md, delay).")
    inflows = [c for c in fixed if types.get(c) == "inflow"]
    entering = [c for c in comps if types.get(c) == "delay" and f"u[{c}]" in names]
    if inflows and entering:
        outlets = [o.describe() for d in entering for o in _delay_outlets(net.model, d, net.axis.n_steps) or ()]
        return (f"The water of {', '.join(inflows)} has nowhere to go: what enters {', '.join(entering)} is held to "
                f"what its outlets take when it leaves ({'; '.join(dict.fromkeys(outlets)) or 'none'}), so that it can "
                "leave; give the water another way on (to a sink).")
    if not inflows or any(types.get(c) in ("sink", "reservoir") for c in comps):
        return ""
    # a plant in the conflict whose turbines take less than the inflows bring: its capacity holds the water back
    brought = sum(float(lower[net.node_col[net.node_ids.index(c)]]) for c in inflows)
    plants = [p for p, c in zip(net.hp_ids, net.hp_col.tolist(), strict=True) if p in comps and upper[c] < brought]
    one = len(plants) == 1
    through = (f"; {', '.join(plants)} pass{'es' if one else ''} no more than {'its' if one else 'their'} turbines "
               f"take at {'its' if one else 'their'} capacity and the step's head: give the river a way past (an edge "
               "that bypasses the plant, its spill)") if plants else ""
    return (f"The water of {', '.join(inflows)} has nowhere to go: give it a way to a sink (a demand takes no "
            f"more than its demand, a canal no more than its capacity{through}).")
