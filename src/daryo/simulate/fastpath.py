"""The fast path: every scenario of a step at once, reusing cached optimal bases.

Why it is exact
---------------
Write a step's LP with one variable per column and per row, ``z = (x, r)``, ``r = A x``::

    min c·x   s.t.   [A  −I] z = 0,   L ≤ z ≤ U.

A simplex basis splits ``z`` into ``m`` basic variables and the nonbasic rest, each nonbasic one sitting at
its lower bound, its upper bound or (free) at zero.  Given a basis, the nonbasic values are copied from
the step's bounds and the basic ones follow from ``z_B = −B⁻¹ N z_N``: the whole solution is a *linear
function of the step's bounds*.  The basis is optimal for a step when

- every basic variable lies within its bounds (primal feasibility), and
- every reduced cost ``c_N − N'B⁻ᵀc_B`` has the sign its nonbasic status needs (dual feasibility); these do
  not depend on the bounds at all, only on the costs, so they are checked once per basis and cost vector.
  A nonbasic variable whose reduced cost has the wrong sign is still fine where it is fixed (``L = U``),
  which becomes one more linear check.

Both tests are linear in the bounds too, so for a basis ``b`` and the step's bounds that are shared by all
scenarios (demands, capacities…), one small matrix ``W_b`` maps each scenario's own data ``d_s`` (inflows,
storage right-hand sides, dead-volume and turbine bounds; ``k`` numbers) to its solution and to its
feasibility slacks: ``[x_s, slack_s] = [d_s, 1] · W_b``.  Scenarios that share a candidate basis are one
matrix product.  Where every slack is ≥ −1e-9 the basis is optimal and ``x_s`` *is* the LP optimum — the
same vertex a simplex solver ends at, to rounding.  Only where no cached basis passes does HiGHS solve the
step (warm-started), and its optimal basis joins the cache.

When the optimum is not unique (two allocations of exactly equal cost), any optimal basis is a correct
answer and the fast path may return another optimal allocation than HiGHS would; with distinct costs, as
in every Pywr-style cost model, the optimum is unique and the two paths agree to rounding.

Anatomy of a step ``t`` (the phases of :func:`daryo.simulate.engine.simulate`)
---------------------------------------------------------------------------
1. **prepare** — the step's shared bounds and each scenario's data ``d`` from the start-of-step volumes (the
   only state read): inflows,
   storage right-hand sides ``−(V − E)``, dead-volume bounds, turbine and energy-target limits;
2. **solve** — (a) each scenario tries the basis that solved its previous step, grouped by basis, one
   matrix product per group; (b) scenarios still open try the bases that succeeded for others in this step;
   (c) the rest are solved by HiGHS one by one, in scenario order (so an infeasible step raises the same
   error, for the same scenario, as the plain path), each new basis being tried at once on all still open;
3. **update state** — end-of-step reservoir volumes;
4. **record** — the requested columns go to the caller (:class:`StepRecord`).

Scope: ``cost`` and ``priority`` allocation modes, costs shared by all scenarios (they may change by step),
fixed matrix coefficients.  ``priority`` mode (a screening solve, lexicographic stages and a final solve per
step) is :mod:`daryo.simulate.fastpriority`: there the stages' bounds depend on earlier stages' results and
their coverage coefficients on the scenario's requirements, so each stage LP is solved per scenario by a
compiled dual simplex warm-started from that scenario's previous basis; only each block's screening LP (the
model's costs, requirements at their full value) goes through cached bases as here; this module prepares its
bounds and records its results.  Scenario-varying costs and per-step coefficients (time-varying losses) run on
the plain path; :func:`fast_path_unsupported` says why.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..network import CompiledNetwork
from ..network.compile import flow_sum_columns
from ..solver import HighsSolver, SolveStatus
from . import _dualsimplex as dsx
from . import _kernel
from ._basiscache import KEY, BasisCache, StepContext, scenario_bounds, walk
from ._basismap import BasisAlgebra
from .engine import (
    DUAL_TOLERANCE,
    SimulationOutput,
    _raise_unsolved,
    apply_plant_limits,
    balance_rows,
    carried_volume,
    reservoir_bounds,
    simulate,
)
from .fastpriority import PrioritySolver, PriorityStats
from .physics import evaporation_hm3

__all__ = ["FastOptions", "FastStats", "StepRecord", "FastStepper", "simulate_fast", "fast_path_unsupported",
           "dense_bytes", "MAX_DENSE_BYTES"]

#: the largest dense array the fast path may allocate for a network, in bytes (:func:`dense_bytes`; 1 GiB: the basis
#: factorisation's workspace of an LP of 11,585 rows); a larger network runs on the plain path, whose results are
#: the same and whose memory grows with the network's size, not its square
MAX_DENSE_BYTES = 1 << 30

#: fields of :class:`CompiledNetwork` whose meaning the fast path reproduces; a network that uses any other
#: (non-empty) field falls back to the plain path, so a feature added to the engine is never silently ignored
_KNOWN_FIELDS = frozenset({
    "model", "axis", "n_scenarios", "lp", "mode", "node_ids", "node_types", "node_col", "edge_ids", "edge_ends",
    "edge_col", "edge_loss_const", "col_lower", "col_upper", "cost", "coefficients", "res_ids", "res_col",
    "res_row", "res_spill_col", "res_initial", "res_min", "res_full", "res_evap_depth", "res_tables", "hp_ids",
    "hp_col", "hp_res", "hp_head", "hp_tailwater", "hp_efficiency", "hp_capacity", "hp_energy_col", "hp_energy_target",
    "demand_ids", "demand_col", "demand_consumptive", "demand_returns", "req_col", "req_priority", "req_row",
    "priority_levels", "priority_col", "priority_col_level", "req_tcol", "req_floor_col", "col_block", "row_block",
    "sink_ids", "sink_col", "passthrough_loss", "edge_loss_varying",
})


@dataclass(frozen=True)
class FastOptions:
    """Settings of the fast path.

    Attributes
    ----------
    primal_tol
        A basis is accepted where no basic variable is more than this outside its bounds (hm³).
    max_pivots
        Dual simplex pivots a scenario's LP may take from its previous basis before HiGHS solves it; None: 30, or a
        tenth of the LP's rows where that is more (:meth:`pivots_for`).  A larger network's LP is more pivots from
        its last basis: on a generated network of 1,000 nodes (a 2,001-row LP) a limit of 30 sent 406 of 1,101 LPs
        a year to HiGHS, each far costlier than the pivots it saved, and made the fast path slower than the plain
        one; a tenth of the rows (200) sends 8.
    max_bases
        Cache size; the least recently used bases are dropped beyond it (memory stays bounded).
    kernel
        ``numba``: the compiled per-scenario loop (:mod:`daryo.simulate._kernel`) and basis algebra
        (:mod:`daryo.simulate._basismap`); ``numpy``: one matrix product per group of scenarios sharing a basis
        and dense basis algebra (in ``priority`` mode the dual simplex then runs as plain Python: slow, for
        tests); ``auto``: Numba when it is installed.
    screening_maps_from
        ``priority`` mode, compiled kernel: a block's screening LP is tried by cached bases' maps first when
        the run has at least this many scenarios.  A basis's map costs a few hundred µs once, which pays over
        many scenarios (a 266-trace chunk of the Aral model: ~1.18× faster) but not over a few (one trace of it
        for 30 years: ~1.2× slower), where the dual simplex alone is quicker.
    max_bound_keys
        Compiled kernel: a new basis's map gets its constants for every set of shared bounds of the run (its *bound
        keys*: the distinct rows of the step's shared bounds, 12 in a monthly model whose bounds follow the
        calendar) at once, in one call, when there are at most this many; beyond, one bound key at a time, as the
        steps meet it.  The results are the same either way.
    max_dense_bytes
        The largest dense array the fast path may allocate (:func:`dense_bytes`); a network that needs a larger one
        runs on the plain path (:func:`fast_path_unsupported` says so).
    run_scenarios
        The scenarios of the whole run, where the network holds only some of them (an ensemble's chunk; None:
        the network's).  Choices made by the run's size (``screening_maps_from``) are made for the whole run,
        so that a scenario's results do not depend on the chunking: where an LP's optimum is not unique, the
        maps and the dual simplex may end at different optimal vertices.
    """

    primal_tol: float = 1e-9
    max_pivots: int | None = None
    max_bases: int = 20000
    kernel: str = "auto"
    screening_maps_from: int = 32
    max_bound_keys: int = 24
    max_dense_bytes: int = MAX_DENSE_BYTES
    run_scenarios: int | None = None

    def pivots_for(self, rows: int) -> int:
        """The dual simplex pivots a scenario's LP of ``rows`` rows may take (see ``max_pivots``)."""
        return self.max_pivots if self.max_pivots is not None else max(30, rows // 10)

    def kernels_for(self, mode: str, scenarios: int) -> tuple[str, ...]:
        """The main compiled kernels a run of ``scenarios`` scenarios of a model in ``mode`` calls, by the names
        :func:`daryo.simulate._kernel.in_cache` takes: the dual simplex alone for a ``priority`` run of fewer than
        ``screening_maps_from`` scenarios, else the loop too (``cost`` mode's, and the screening maps')."""
        if mode == "priority" and scenarios < self.screening_maps_from:
            return ("solve_all",)
        return ("loop",) if mode == "cost" else ("loop", "solve_all")


@dataclass
class FastStats:
    """What the fast path did: (scenario, step) pairs by how they were solved, and the cache."""

    by_own_basis: int = 0
    by_pivots: int = 0
    by_highs: int = 0
    highs_iterations: int = 0
    bases: int = 0
    fallback_reason: str | None = None
    priority: PriorityStats | None = None  # ``priority`` mode: see :class:`PriorityStats`

    @property
    def pairs(self) -> int:
        pr = self.priority
        extra = pr.screened + pr.staged + pr.plain if pr is not None else 0
        return self.by_own_basis + self.by_pivots + self.by_highs + extra

    def summary(self) -> str:
        if self.fallback_reason:
            return f"plain path ({self.fallback_reason})"
        if self.priority is not None:
            return f"priority mode: {self.priority.summary()}"
        p = max(self.pairs, 1)
        return (f"{self.pairs} scenario-steps: {100 * self.by_own_basis / p:.2f} % own basis, "
                f"{100 * self.by_pivots / p:.2f} % after pivots, {100 * self.by_highs / p:.3f} % "
                f"HiGHS ({self.highs_iterations} iterations); {self.bases} bases cached")


def fast_path_unsupported(net: CompiledNetwork, max_dense_bytes: int = MAX_DENSE_BYTES) -> str | None:
    """Why ``net`` must run on the plain path, or None if the fast path handles it (with dense arrays of at most
    ``max_dense_bytes`` bytes each: :func:`dense_bytes`)."""
    if net.mode not in ("cost", "priority"):
        return f"allocation mode '{net.mode}'"
    if net.mode == "priority" and net.req_col.size and not _kernel.available():
        return "priority mode on the fast path needs Numba (pip install 'daryo[fast]')"
    if net.cost.scen_index.size:
        return "costs that differ between scenarios"
    if net.coefficients:
        return "matrix coefficients that change by step (time-varying losses or consumptive fractions)"
    unknown = [f.name for f in dataclasses.fields(net) if f.name not in _KNOWN_FIELDS
               and not _is_empty(getattr(net, f.name))]
    if unknown:
        return f"network features the fast path does not know: {', '.join(unknown)}"
    for table in (net.col_lower, net.col_upper, net.cost):
        if not (np.all(np.isfinite(table.shared)) and np.all(np.isfinite(table.scen))):
            return "per-step bounds or costs that are not finite"
    need = dense_bytes(net)
    if need > max_dense_bytes:
        return (f"a network this large: the fast path would allocate arrays of {need / 1e9:,.1f} GB (its largest LP "
                f"has {_largest_lp_rows(net):,} rows), above its limit of {max_dense_bytes / 1e9:,.1f} GB; the plain "
                "path's results are the same")
    return None


def dense_bytes(net: CompiledNetwork) -> int:
    """The bytes of the largest dense array the fast path would allocate for ``net``, before any is.

    The compiled dual simplex and basis algebra hold a basis factorisation's dense part in an ``m × m`` workspace
    (``m``: the rows of the largest LP solved, the network's or, in ``priority`` mode, its largest block's), and
    a cached basis's derivative and map are ``N × (k + 1)`` (``N``: the LP's columns and rows, ``k``: at most
    the number of bounds that differ by scenario)."""
    lp = net.lp
    k = (net.col_lower.scen_index.size + net.col_upper.scen_index.size + net.res_col.size + 2 * net.res_row.size
         + net.hp_col.size + net.hp_energy_col.size)
    m = _largest_lp_rows(net)
    return 8 * max(m * m, (lp.n_cols + lp.n_rows) * (k + 1))


def _largest_lp_rows(net: CompiledNetwork) -> int:
    """The rows of the largest LP the fast path solves: the network's, or in ``priority`` mode with several blocks
    that have requirements, the largest of those blocks' and the rest's (see
    :class:`~daryo.simulate.fastpriority.PrioritySolver`)."""
    if net.mode != "priority" or not net.req_col.size:
        return net.lp.n_rows
    blocks = np.unique(net.col_block[net.req_col])
    if blocks.size == 1:
        return net.lp.n_rows
    rows = [int(np.count_nonzero(net.row_block == b)) for b in blocks.tolist()]
    return max([*rows, int(np.count_nonzero(~np.isin(net.row_block, blocks)))])


def _is_empty(v: object) -> bool:
    if v is None or v is False:
        return True
    size = getattr(v, "size", None)
    if isinstance(size, int):
        return size == 0
    try:
        return len(v) == 0  # type: ignore[arg-type]
    except TypeError:
        return False


# ---------------------------------------------------------------------------------------------- data
class _Layout:
    """Where a step's bounds come from: positions ``0..n-1`` are columns, ``n..n+m-1`` rows.

    ``lo_var`` / ``hi_var`` are the positions whose lower / upper bound depends on the scenario; a
    scenario's data vector is ``d = [L[lo_var], U[hi_var], 1]``.
    """

    def __init__(self, net: CompiledNetwork):
        lp = net.lp
        self.n, self.m = n, m = lp.n_cols, lp.n_rows
        self.N = n + m
        res_rows = n + np.asarray(net.res_row, dtype=np.int64)
        energy = net.hp_energy_col[net.hp_energy_col >= 0]
        self.lo_var = np.unique(np.concatenate([net.col_lower.scen_index, net.res_col, res_rows])).astype(np.int64)
        self.hi_var = np.unique(np.concatenate([net.col_upper.scen_index, net.hp_col, energy, res_rows])
                                ).astype(np.int64)
        # one data slot per varying bound; a position whose lower and upper bound are always equal (storage
        # rows, fixed inflows) shares one slot, unless the step caps its upper bound (a plant's turbine or
        # energy limits from the head: its lower bound must stay, so that a minimum above the cap is infeasible)
        same = (set(res_rows.tolist()) | _equal_bounds(net)) - set(net.hp_col.tolist()) - set(energy.tolist())
        self.lo_slot = np.full(self.N, -1, dtype=np.int64)
        self.lo_slot[self.lo_var] = np.arange(self.lo_var.size)
        self.hi_slot = np.full(self.N, -1, dtype=np.int64)
        k = self.lo_var.size
        for i in self.hi_var.tolist():
            if i in same and self.lo_slot[i] >= 0:
                self.hi_slot[i] = self.lo_slot[i]
            else:
                self.hi_slot[i], k = k, k + 1
        self.k = k
        self._lo_var_slot, self._hi_var_slot = self.lo_slot[self.lo_var], self.hi_slot[self.hi_var]
        self.base_lo = np.concatenate([lp.col_lower, lp.row_lower]).astype(float)
        self.base_hi = np.concatenate([lp.col_upper, lp.row_upper]).astype(float)
        sh_lo = np.zeros(self.N, bool)
        sh_lo[net.col_lower.shared_index] = True
        sh_hi = np.zeros(self.N, bool)
        sh_hi[net.col_upper.shared_index] = True
        var_lo = self.lo_slot >= 0
        var_hi = self.hi_slot >= 0
        #: bounds that are infinite at every step (no table entry, not scenario data)
        self.inf_lo = np.isinf(self.base_lo) & ~sh_lo & ~var_lo
        self.inf_hi = np.isinf(self.base_hi) & ~sh_hi & ~var_hi
        self._A = lp.A
        # ids of the distinct rows of the shared tables: steps with equal ids have equal shared bounds/costs
        self.bound_key = _row_ids(np.hstack([net.col_lower.shared, net.col_upper.shared]))
        self.cost_key = _row_ids(net.cost.shared)
        # slots of the scenario data fed by each source
        self._lo_scen = self.lo_slot[net.col_lower.scen_index]
        self._hi_scen = self.hi_slot[net.col_upper.scen_index]
        self._res_lo = self.lo_slot[net.res_col]
        self._res_row_lo = self.lo_slot[res_rows]
        self._res_row_hi = self.hi_slot[res_rows]
        self._hp_hi = self.hi_slot[net.hp_col]
        self._energy_hi = self.hi_slot[energy]
        # where a lower bound can pass its upper one: positions whose bounds change by step (the same for every
        # scenario), and those with a bound from the scenario data (unless both bounds share one slot)
        self._shared_pos = np.flatnonzero((sh_lo | sh_hi) & ~var_lo & ~var_hi)
        pos = np.flatnonzero((var_lo | var_hi) & (self.lo_slot != self.hi_slot))
        self._data_pos = pos
        self._lo_data, self._hi_data = self.lo_slot[pos] >= 0, self.hi_slot[pos] >= 0
        self._lo_idx, self._hi_idx = np.maximum(self.lo_slot[pos], 0), np.maximum(self.hi_slot[pos], 0)

    def crossed(self, lo: np.ndarray, hi: np.ndarray, d: np.ndarray) -> np.ndarray:
        """The scenarios (S,) with a lower bound above its upper one at the step (shared bounds ``lo``, ``hi``,
        data ``d``): their LP is infeasible, which the basis maps cannot see (they check basic variables)."""
        sh = self._shared_pos
        if np.any(lo[sh] > hi[sh]):
            return np.ones(d.shape[0], dtype=bool)
        pos = self._data_pos
        L = np.where(self._lo_data, d[:, self._lo_idx], lo[pos])
        U = np.where(self._hi_data, d[:, self._hi_idx], hi[pos])
        return np.any(L > U, axis=1)

    @functools.cached_property
    def dense(self) -> np.ndarray:
        """``[A −I]`` as a dense array (for the dense basis algebra, without Numba)."""
        return np.hstack([self._A.toarray(), -np.eye(self.m)])

    def shared(self, net: CompiledNetwork, t: int) -> tuple[np.ndarray, np.ndarray]:
        """The step's bounds of every position, as far as they are shared by all scenarios, shape (N,)."""
        lo, hi = self.base_lo.copy(), self.base_hi.copy()
        if net.col_lower.shared_index.size:
            lo[net.col_lower.shared_index] = net.col_lower.shared[t]
        if net.col_upper.shared_index.size:
            hi[net.col_upper.shared_index] = net.col_upper.shared[t]
        return lo, hi

    def costs(self, net: CompiledNetwork, t: int) -> np.ndarray:
        c = net.lp.cost.astype(float).copy()
        if net.cost.shared_index.size:
            c[net.cost.shared_index] = net.cost.shared[t]
        return c

    def scenario_data(self, net: CompiledNetwork, t: int, volume: np.ndarray, lo: np.ndarray, hi: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each scenario's data ``d`` (S, k+1), evaporation (S, R) and head (S, H) at step ``t``.

        Follows :meth:`daryo.simulate.engine._StepState.prepare` position by position, with the same functions
        (a test holds the two equal): table values, then the reservoir rows and dead-volume bounds
        (:func:`~daryo.simulate.engine.reservoir_bounds`), then the hydropower limits.
        """
        S = volume.shape[0]
        shared = np.empty(self.k + 1)  # the step's shared values, then each scenario's own over them
        shared[self._lo_var_slot] = lo[self.lo_var]
        shared[self._hi_var_slot] = hi[self.hi_var]
        shared[self.k] = 1.0
        d = np.repeat(shared[None, :], S, axis=0)
        if self._lo_scen.size:
            d[:, self._lo_scen] = net.col_lower.scen[:, t, :]
        if self._hi_scen.size:
            d[:, self._hi_scen] = net.col_upper.scen[:, t, :]
        evap = evaporation_hm3(volume, net.res_evap_depth[t], net.res_tables)
        if net.res_ids:
            avail, lower = reservoir_bounds(volume, evap, net.res_min[:, t, :])
            d[:, self._res_row_lo] = -avail
            d[:, self._res_row_hi] = -avail
            d[:, self._res_lo] = lower
        head = apply_plant_limits(net, t, volume, d, self._hp_hi, self._energy_hi)
        return d, evap, head

    def all_bounds(self, lo: np.ndarray, hi: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every scenario's complete bounds (S, N) from the shared ones (N,) and the data ``d`` (S, k+1)."""
        return scenario_bounds(lo, hi, d, (self.lo_var, self._lo_var_slot), (self.hi_var, self._hi_var_slot))

    def full_bounds(self, lo: np.ndarray, hi: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One scenario's complete bounds (N,) from the shared ones and its data row ``d`` (as
        :meth:`all_bounds` for one scenario)."""
        L, U = lo.copy(), hi.copy()
        L[self.lo_var] = d[self._lo_var_slot]
        U[self.hi_var] = d[self._hi_var_slot]
        return L, U

    def restrict(self, pos: np.ndarray, A: sp.spmatrix, pinned: np.ndarray) -> _PartLayout:
        """The layout of the LP of positions ``pos`` (its columns, then ``n`` + its rows; matrix ``A``), with
        the lower bound of its positions ``pinned`` (local) raised to their upper bound: a priority block's
        screening LP, every requirement held at its full value."""
        return _PartLayout(self, pos, A, pinned)


class _PartLayout:
    """A part of a network's layout (:meth:`_Layout.restrict`): the same data slots and keys, the bounds of
    its own positions, some lower bounds pinned to their upper bound."""

    def __init__(self, parent: _Layout, pos: np.ndarray, A: sp.spmatrix, pinned: np.ndarray):
        self.parent, self.pos, self._A = parent, pos, A
        self.n, self.m = A.shape[1], A.shape[0]
        self.N, self.k = self.n + self.m, parent.k
        self.cols = pos[: self.n]
        self.pinned = pinned
        self.lo_slot, self.hi_slot = parent.lo_slot[pos], parent.hi_slot[pos]
        self.lo_slot[pinned] = self.hi_slot[pinned]
        self.inf_lo, self.inf_hi = parent.inf_lo[pos], parent.inf_hi[pos]
        self.inf_lo[pinned] = self.inf_hi[pinned]
        self.cost_key, self.bound_key = parent.cost_key, parent.bound_key
        self._lo_var, self._hi_var = np.flatnonzero(self.lo_slot >= 0), np.flatnonzero(self.hi_slot >= 0)

    @functools.cached_property
    def dense(self) -> np.ndarray:
        return np.hstack([self._A.toarray(), -np.eye(self.m)])

    def shared(self, net: CompiledNetwork, t: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.parent.shared(net, t)
        lo, hi = lo[self.pos], hi[self.pos]
        lo[self.pinned] = hi[self.pinned]
        return lo, hi

    def costs(self, net: CompiledNetwork, t: int) -> np.ndarray:
        return self.parent.costs(net, t)[self.cols]

    def full_bounds(self, lo: np.ndarray, hi: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        L, U = lo.copy(), hi.copy()
        L[self._lo_var] = d[self.lo_slot[self._lo_var]]
        U[self._hi_var] = d[self.hi_slot[self._hi_var]]
        return L, U


def _equal_bounds(net: CompiledNetwork) -> set[int]:
    """Columns whose scenario-varying lower and upper bounds are equal at every step (fixed inflows)."""
    lo = dict(zip(net.col_lower.scen_index.tolist(), range(net.col_lower.scen_index.size), strict=True))
    out = set()
    for j, c in enumerate(net.col_upper.scen_index.tolist()):
        if c in lo and np.array_equal(net.col_lower.scen[:, :, lo[c]], net.col_upper.scen[:, :, j]):
            out.add(c)
    return out


def _row_ids(a: np.ndarray) -> np.ndarray:
    """An id per row of ``a`` (T, k), equal for equal rows."""
    if a.shape[1] == 0:
        return np.zeros(a.shape[0], dtype=np.int64)
    _, inverse = np.unique(a, axis=0, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64)


# ------------------------------------------------------------------------------------------- stepper
@dataclass
class StepRecord:
    """What a step hands to the recorder.  ``x`` holds the requested columns (``FastStepper.columns``)."""

    t: int
    x: np.ndarray  # (S, len(columns))
    volume_start: np.ndarray  # (S, R)
    evaporation: np.ndarray  # (S, R)
    head: np.ndarray  # (S, H)
    data: np.ndarray = field(repr=False)  # (S, k+1) scenario data
    shared: Callable[[], tuple[np.ndarray, np.ndarray]] = field(repr=False)

    def col_upper(self, layout: _Layout, cols: np.ndarray) -> np.ndarray:
        """Upper bounds of columns ``cols`` used in this step, (S, len(cols))."""
        _, hi = self.shared()
        out = np.repeat(hi[cols][None, :], self.x.shape[0], axis=0)
        slots = layout.hi_slot[cols]
        var = slots >= 0
        out[:, var] = self.data[:, slots[var]]
        return out


class FastStepper:
    """Steps a network on the fast path (all scenarios at once: :class:`_CostSolver` in ``cost`` mode,
    :class:`~daryo.simulate.fastpriority.PrioritySolver` in ``priority`` mode); hands each step's results to
    ``record``.

    Parameters
    ----------
    net
        A compiled network that :func:`fast_path_unsupported` accepts.
    columns
        LP columns to compute and record (default: all).  Reservoir columns are always computed (they are
        the state); the feasibility checks always cover every basic variable, so the solution is the LP
        optimum whatever is recorded.
    options
        Tolerances and cache size.
    """

    def __init__(self, net: CompiledNetwork, columns: np.ndarray | None = None, options: FastOptions | None = None):
        options = options or FastOptions()
        reason = fast_path_unsupported(net, options.max_dense_bytes)
        if reason:
            raise ValueError(f"the fast path does not handle this network: {reason}")
        self.net, self.options = net, options
        self.layout = lay = _Layout(net)
        cols = np.arange(lay.n) if columns is None else np.asarray(columns, dtype=np.int64)
        self.columns = cols
        self._out = np.concatenate([cols, np.setdiff1d(net.res_col, cols)]).astype(np.int64)
        self._res_slot = np.array([int(np.flatnonzero(self._out == c)[0]) for c in net.res_col], dtype=np.int64)
        self.stats = FastStats()
        kernel = self.options.kernel
        if kernel not in ("auto", "numba", "numpy"):
            raise ValueError(f"kernel '{kernel}': use auto, numba or numpy")
        if kernel == "numba" and not _kernel.available():
            raise ImportError("the numba kernel needs Numba: pip install 'daryo[fast]'")
        compiled = kernel == "numba" or (kernel == "auto" and _kernel.available())
        # one of the two: a step of a priority-mode network is a sequence of LPs, of a cost-mode one a single LP
        self.priority: PrioritySolver | None = None
        self.cost: _CostSolver | None = None
        if net.mode == "priority" and net.req_col.size:
            run = self.options.run_scenarios or net.n_scenarios
            maps = compiled and run >= self.options.screening_maps_from
            self.priority = PrioritySolver(net, self.options, lay, self._out, maps)
            self.stats.priority = self.priority.stats
        else:
            self.cost = _CostSolver(net, lay, self._out, self.options, self.stats, compiled)

    def run(self, record: Callable[[StepRecord], None], volume: np.ndarray | None = None,
            steps: range | None = None) -> np.ndarray:
        """Run ``steps`` (default: all) from start volumes ``volume`` (default: the initial ones); returns
        the final volumes.

        Raises
        ------
        StepError
            As the plain path (:class:`~daryo.errors.InfeasibleStepError`, :class:`~daryo.errors.UnboundedStepError`
            or :class:`~daryo.errors.SolverFailedError`): at the first step, and for the first scenario, whose LP
            has no optimal solution.
        """
        net, lay = self.net, self.layout
        S = net.n_scenarios
        if volume is None:
            volume = np.broadcast_to(net.res_initial, (S, net.res_initial.shape[1])).astype(float)
        cand = np.full(S, -1, dtype=np.int64)
        for t in steps if steps is not None else range(net.axis.n_steps):
            ctx = StepContext(net, lay, t, DUAL_TOLERANCE)
            lo_sh, hi_sh = ctx.shared()  # 1. prepare
            d, evap, head = lay.scenario_data(net, t, volume, lo_sh, hi_sh)
            crossed = lay.crossed(lo_sh, hi_sh, d)  # infeasible: the plain path's error
            if self.priority is not None:  # 2. solve
                x = self.priority.solve_step(t, lo_sh, hi_sh, d, ctx.cost(), crossed)
            else:
                assert self.cost is not None
                x = self.cost.solve_step(ctx, d, cand, crossed)
            rec = StepRecord(t, x[:, : self.columns.size], volume, evap, head, d, ctx.shared)
            volume = carried_volume(x[:, self._res_slot])  # 3. update state
            record(rec)  # 4. record
        return volume

class _CostSolver:
    """``cost`` mode on the fast path: the steps' LPs of all scenarios through the basis cache (own basis, then
    cached dual simplex pivots; compiled when ``compiled``), HiGHS for what the cache cannot settle.

    Parameters
    ----------
    net, lay, out
        The network, its layout, and the positions each solution holds (the recorded columns, then the
        reservoirs).
    options, stats
        The fast path's options; the statistics it fills.
    compiled
        Use the compiled loop and algebra (:mod:`daryo.simulate._kernel`, :mod:`daryo.simulate._basismap`).
    """

    def __init__(self, net: CompiledNetwork, lay: _Layout, out: np.ndarray, options: FastOptions, stats: FastStats,
                 compiled: bool):
        self.net, self.layout, self._out, self.options, self.stats = net, lay, out, options, stats
        self._use_kernel = compiled
        self.solver = HighsSolver(net.lp)
        self._jumps: dict[tuple[int, int], dict[int, int]] = {}
        algebra = BasisAlgebra(dsx.Structure(net.lp.A), lay.N) if compiled else None
        self.cache = BasisCache(lay, out, options.max_bases, algebra, options.max_bound_keys)
        if compiled:
            _kernel.load()

    def solve_step(self, ctx: StepContext, d: np.ndarray, cand: np.ndarray, crossed: np.ndarray) -> np.ndarray:
        """Solutions (S, r) of the step; ``cand`` (the basis of each scenario) is updated in place.  Scenarios
        ``crossed`` (S,) (a lower bound above its upper one) go to HiGHS, which reports them infeasible."""
        self.cache.clock = ctx.t
        if self._use_kernel:
            return self._solve_step_compiled(ctx, d, cand, crossed)
        S = d.shape[0]
        x = np.empty((S, self._out.size))
        ckey, ukey = int(self.layout.cost_key[ctx.t]), int(self.layout.bound_key[ctx.t])
        viol = np.full(S, -1, dtype=np.int64)
        pending = np.flatnonzero(~crossed)
        ok = self._evaluate(ctx, d, pending, cand, x, viol, ckey, ukey)  # (a) own bases
        self.stats.by_own_basis += int(ok.sum())
        pending = pending[~ok]
        walkers = pending
        start = cand[pending] * KEY + viol[pending]  # where each walk starts: (basis, violated slack)
        stuck: list[np.ndarray] = [np.flatnonzero(crossed)]
        rounds = self.options.pivots_for(self.layout.m)
        for round_ in range(rounds):  # (b) dual simplex pivots, shared by all scenarios
            if not pending.size:
                break
            nxt = self._pivots(ctx, d, pending, cand, viol, ckey, ukey, jump=round_ == 0)
            stuck.append(pending[nxt < 0])
            pending = pending[nxt >= 0]
            cand[pending] = nxt[nxt >= 0]
            ok = self._evaluate(ctx, d, pending, cand, x, viol, ckey, ukey)
            self.stats.by_pivots += int(ok.sum())
            pending = pending[~ok]
        def fits(b: int, rest: np.ndarray) -> np.ndarray:
            return self._evaluate(ctx, d, rest, np.full(S, b, dtype=np.int64), x, viol, ckey, ukey)

        self._solve_rest(ctx, d, np.sort(np.concatenate([pending, *stuck])), cand, x, fits, crossed)  # (c) HiGHS
        if walkers.size:  # remember where walks from each start ended: the next one jumps straight there
            jumps = self._jumps.setdefault((ckey, ukey), {})
            jumps.update(zip(start.tolist(), cand[walkers].tolist(), strict=True))
        return x

    def _solve_step_compiled(self, ctx: StepContext, d: np.ndarray, cand: np.ndarray, crossed: np.ndarray
                             ) -> np.ndarray:
        """As :meth:`solve_step`, with the per-scenario loop compiled (:mod:`daryo.simulate._kernel`)."""
        S = d.shape[0]
        x = np.empty((S, self._out.size))
        ckey, ukey = int(self.layout.cost_key[ctx.t]), int(self.layout.bound_key[ctx.t])
        bank = self.cache.bank(ckey)
        tol, idx = self.options.primal_tol, np.flatnonzero(~crossed)
        pivots = self.options.pivots_for(self.layout.m)
        left, own = walk(self.cache, ctx, d, idx, cand, x, tol, pivots)  # (a) + (b)
        self.stats.by_own_basis += own
        self.stats.by_pivots += idx.size - left.size - own
        self.stats.bases = len(self.cache.bases)

        status = np.empty(S, dtype=np.int8)
        scratch = np.zeros(S, dtype=np.int64)

        def fits(b: int, rest: np.ndarray) -> np.ndarray:
            self.cache.register(bank, b, ckey, ukey, ctx)
            trial = cand.copy()
            trial[rest] = b
            _kernel.solve(bank, ukey, rest, d, trial, x, status, scratch, scratch, tol, 0, self.cache.used, ctx.t)
            return status[rest] == _kernel.OK

        left = np.sort(np.concatenate([left, np.flatnonzero(crossed)]))
        self._solve_rest(ctx, d, left, cand, x, fits, crossed)  # (c) HiGHS
        return x

    def _solve_rest(self, ctx: StepContext, d: np.ndarray, rest: np.ndarray, cand: np.ndarray, x: np.ndarray,
                    fits: Callable[[int, np.ndarray], np.ndarray], crossed: np.ndarray) -> None:
        """Step (c): HiGHS solves the scenarios ``rest`` in scenario order (so an infeasible step raises the
        plain path's error, for the same scenario); each new basis is tried at once on the others still open
        (``fits(b, rest)``: the mask of those it solves, their solutions written to ``x``), except those with
        crossed bounds (``crossed`` (S,)), which a basis's map cannot judge."""
        while rest.size:
            s = int(rest[0])
            b = self._highs(ctx, d, s, x)
            cand[s] = b
            rest = rest[1:]
            tried = rest[~crossed[rest]]
            if tried.size and b >= 0:
                ok = fits(b, tried)
                cand[tried[ok]] = b
                self.stats.by_pivots += int(ok.sum())
                rest = np.setdiff1d(rest, tried[ok])

    def _evaluate(self, ctx: StepContext, d: np.ndarray, idx: np.ndarray, basis: np.ndarray, x: np.ndarray,
                  viol: np.ndarray, ckey: int, ukey: int) -> np.ndarray:
        """Scenarios ``idx`` with bases ``basis[idx]``: one product per basis.  Writes ``x`` where the basis
        is optimal and, elsewhere, the most violated slack into ``viol`` (-1: no usable map); returns the
        mask of optimal ones."""
        ok = np.zeros(idx.size, dtype=bool)
        if not idx.size:
            return ok
        bs = basis[idx]
        order = np.argsort(bs, kind="stable")
        members, bs = idx[order], bs[order]
        cuts = np.flatnonzero(bs[1:] != bs[:-1]) + 1
        ds = d[members]
        r, tol = self._out.size, -self.options.primal_tol
        xs = np.empty((idx.size, r))
        vs = np.full(idx.size, -1, dtype=np.int64)
        oks = np.zeros(idx.size, dtype=bool)
        for a, e in zip([0, *cuts.tolist()], [*cuts.tolist(), idx.size], strict=True):
            W = self.cache.matrix(int(bs[a]), ckey, ukey, ctx) if bs[a] >= 0 else None
            if W is None:
                continue
            y = ds[a:e] @ W
            xs[a:e] = y[:, :r]
            if W.shape[1] == r:
                oks[a:e] = True
                continue
            sl = y[:, r:]
            if sl.min() >= tol:
                oks[a:e] = True
                continue
            worst = sl.argmin(axis=1)
            oks[a:e] = sl[np.arange(e - a), worst] >= tol
            vs[a:e] = worst
        good = members[oks]
        x[good] = xs[oks]
        viol[members] = vs
        ok[order] = oks
        return ok

    def _pivots(self, ctx: StepContext, d: np.ndarray, idx: np.ndarray, cand: np.ndarray, viol: np.ndarray,
                ckey: int, ukey: int, jump: bool) -> np.ndarray:
        """The next basis of each scenario in ``idx``: one dual simplex pivot, or (``jump``) the basis where
        the last walk from the same (basis, violated slack) ended; -1: none."""
        b, v = cand[idx], viol[idx]
        nxt = np.full(idx.size, -1, dtype=np.int64)
        usable = (b >= 0) & (v >= 0)
        if not usable.any():
            return nxt
        uniq, first, inverse = np.unique(np.where(usable, b * KEY + v, -1), return_index=True, return_inverse=True)
        jumps = self._jumps.get((ckey, ukey), {}) if jump else {}
        bases = self.cache.bases
        target = np.empty(uniq.size, dtype=np.int64)
        for k, (u, f) in enumerate(zip(uniq.tolist(), first.tolist(), strict=True)):
            j = jumps.get(u, -1)
            if j >= 0 and j in bases and j != u // KEY:
                target[k] = j
            else:
                target[k] = -1 if u < 0 else self.cache.pivot(u // KEY, u % KEY, ckey, ukey, ctx, d[idx[f]])
        self.stats.bases = len(bases)
        return target[inverse.reshape(-1)]

    def _highs(self, ctx: StepContext, d: np.ndarray, s: int, x: np.ndarray) -> int:
        """Solve scenario ``s`` with HiGHS; record its solution; return its basis id (-1: not cacheable)."""
        net, lay, solver = self.net, self.layout, self.solver
        lo_sh, hi_sh = ctx.shared()
        lo, hi = lay.full_bounds(lo_sh, hi_sh, d[s])
        n = lay.n
        solver.set_costs(ctx.cost())
        solver.set_col_bounds(lo[:n], hi[:n])
        solver.set_row_bounds(lo[n:], hi[n:])
        sol = solver.solve()
        if sol.status is not SolveStatus.OPTIMAL:
            _raise_unsolved(solver, net, ctx.t, s, sol.status)
        self.stats.by_highs += 1
        self.stats.highs_iterations += sol.iterations
        x[s] = sol.x[self._out]
        b = self.cache.add(solver.get_basis())
        self.stats.bases = len(self.cache.bases)
        return b


# ---------------------------------------------------------------------------------------------- entry
def simulate_fast(net: CompiledNetwork, options: FastOptions | None = None, stats: FastStats | None = None
                  ) -> SimulationOutput:
    """Run every step of ``net`` for all its scenarios: the plain path's results, faster.

    Networks the fast path does not handle (see :func:`fast_path_unsupported`), and those that would need a dense
    array larger than ``options.max_dense_bytes`` (:func:`dense_bytes`), run on the plain path; ``stats`` then
    says why (``fallback_reason``).

    Parameters
    ----------
    net
        The compiled network.
    options
        Tolerances and cache size.
    stats
        If given, filled with what the fast path did.

    Raises
    ------
    StepError
        If a step's LP has no optimal solution (the same error as the plain path).
    """
    options = options or FastOptions()
    reason = fast_path_unsupported(net, options.max_dense_bytes)
    if reason:
        if stats is not None:
            stats.fallback_reason = reason
        return simulate(net)
    n = net.lp.n_cols
    out = SimulationOutput.allocate(net)
    stepper = FastStepper(net, options=options)
    eq_rows, A_eq = balance_rows(net)
    sum_cols = flow_sum_columns(net)
    lay = stepper.layout

    def record(rec: StepRecord) -> None:
        t = rec.t
        out.x[:, t] = rec.x
        out.volume_start[:, t] = rec.volume_start
        out.evaporation[:, t] = rec.evaporation
        out.head[:, t] = rec.head
        L, U = lay.all_bounds(*rec.shared(), rec.data)
        out.col_upper[:, t] = U[:, :n]
        out.sum_lower[:, t] = L[:, sum_cols]
        out.volume_min[:, t] = net.res_min[:, t, :]  # (the network has no parameters of the state)
        out.volume_max[:, t] = net.res_full[:, t, :]
        if eq_rows.size:
            out.balance_residual[:, t] = np.max(np.abs((A_eq @ rec.x.T).T - L[:, n + eq_rows]), axis=1)

    stepper.run(record)
    if stats is not None:
        for f in dataclasses.fields(FastStats):
            setattr(stats, f.name, getattr(stepper.stats, f.name))
    return out
