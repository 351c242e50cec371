"""``priority`` mode on the fast path: the engine's lexicographic allocation, all scenarios of a step at once.

What it computes
----------------
Exactly what :func:`daryo.simulate.engine.allocate_by_priority` computes for each scenario (read that first):

1. **screening** — every requirement held at its full value ``R`` (lower bound = upper bound), the model's
   costs.  Where it is solved (see below), that is the step's answer.  Where the dual simplex proves it
   infeasible, or no basis is found cheaply, the scenario goes on to the stages: that is always correct, since
   when screening would have succeeded the stages end at coverage 1 everywhere and give the same allocation
   (to the 1e-9 hm³ by which the stages hold deliveries below their served value).
2. **stages** — for each priority level ``p``: maximise the common coverage ``t_p`` subject to
   ``s_j − R_j t_p ≥ 0`` for the level's requirements still active; fix those whose coverage row has a
   non-zero dual (or all, at coverage 1) at ``min(s_j, R_j) − 1e-9``; repeat (progressive filling).
3. **final** — the model's costs, every delivery held at its fixed lower bound.

Each block of the network (its independent parts, such as the Syr Darya and the Amu Darya in the Aral model:
no row or column in common but the coverage columns, which the compiler makes one per level and block) runs
this sequence as its own LPs, which is what the engine's per-block coverage columns compute too (each block's
``t_p`` is maximised, and its requirements fixed, by its own coverage).  A basin with water enough is then
settled by its own screening while a short one goes through the stages, each LP is the size of one basin, and
a level's progressive filling no longer takes a second iteration only to raise the other basin's
requirements.

The bookkeeping between LPs (which requirements are active, the coverage reached, the raised bounds) is done
with arrays over all scenarios still open; only the LPs themselves are solved per scenario.

Three shortcuts give the engine's sequence with fewer LPs:

- a progressive-filling iteration (the first of a level or a later one) whose previous LP solution already
  delivers every requirement still active in full needs no LP: that solution is feasible for the next LP, so
  its optimum is coverage 1, and the engine would fix them all at ``R − 1e-9``;
- a scenario whose stages found level ``k`` the first short one the last time they ran (shortages persist: dry
  months come in runs) starts at level ``k``, the levels before it held at ``[R − 1e-9, R]`` — the bounds their
  stages would have left had each reached coverage 1.  If that LP is feasible, each of those stages would
  indeed have reached coverage 1, so the LP *is* the engine's stage ``(k, 0)`` LP; if it is infeasible, the
  scenario runs all the stages from the first level;
- likewise at the other end: where level ``k'`` was the last short one, the levels after it are held at
  ``[R − 1e-9, R]`` once the stages of ``k'`` are done, and the final solve comes next.  If it is feasible, its
  solution meets every later stage in full, so each of them would have reached coverage 1 and the solve *is*
  the engine's final one; if not, the stages go on from level ``k' + 1`` with the bounds they had before.

How each LP is solved
---------------------
In runs of many scenarios (``FastOptions.screening_maps_from``, for an ensemble's whole trace count), a
block's **screening** is first tried by cached bases (:class:`_CachedScreening`), as the ``cost``-mode fast
path solves its LP: its costs are the model's and only its bounds vary, so an optimal basis maps each
scenario's data to its solution linearly and is checked primal feasible in a compiled loop, following cached
dual simplex pivots where it is not (:mod:`daryo.simulate._basiscache`).  A basin's screening visits few bases
(a few hundred for tens of thousands of screenings on the Aral model), so most screenings need no LP.  A
scenario whose walk from its basis fails goes on to the stages (its block is short, or the stages settle it
as the screening would; a scenario whose stages covered every level then drops that start basis); one without
a basis yet is screened as below, and its optimal basis joins the cache.

The other LPs (and the screenings that no cached basis settles) have the compiled LP's structure; they differ
in bounds, in costs (the model's, or −1 on ``t_p``) and, in a stage, in the coverage column's coefficients.  A
stage scales ``t_p`` by ``α = max_j R_j`` over the requirements still active (``t' = α t_p ∈ [0, α]``), so its
coefficients ``−R_j/α`` differ from the compiled placeholders (−1) by ``δ = 1 − R_j/α`` on the level's coverage
rows — a rank-one change that the solver handles without refactorising (see :mod:`daryo.simulate._dualsimplex`);
the duals of the scaled LP are the engine's (its stages are scaled alike), and a requirement is held where its
row's share of the coverage's price, ``|dual_j| R_j / α``, is above 1e-9 and its dual above 1e-9 of the level's
largest, as in the engine.

They are solved by a compiled dual simplex (:mod:`daryo.simulate._dualsimplex`) for every open scenario,
starting from the basis that solved the same LP (screening, stage ``(p, iteration)``, final) for that scenario
at its previous step (a few pivots from there: ~0.3 per LP on the demo model, ~3.6 on the Aral model, with a
bound-flipping ratio test).  A stage's inactive coverage rows get a lower bound they cannot reach
(``s_j + c t ≥ L_j + min(0, c α)``, ``c`` the placeholder), not −∞, so a basis that held one at its bound the
step before, when its requirement was active, stays a valid start.  A priority level whose active requirements
are all delivered in full by the previous stage's solution needs no LP: that solution proves coverage 1.  A
scenario whose start basis is missing or not dual feasible tries related bases (its own for a related LP, then
those that worked for other scenarios), then HiGHS solves its LP (warm-started from its basis) and the dual
simplex verifies HiGHS's basis.  Only a basis checked primal and dual feasible is accepted, so every answer is
the LP's optimum.  A scenario-step that still has no answer, or whose LP is infeasible, is solved by the engine's
own :func:`~daryo.simulate.engine.allocate_by_priority` on the plain path (so an infeasible step raises the
plain path's error, for the same scenario).

Where an LP's optimum is not unique (equal costs on alternative routes), this and the plain path may return
different optimal allocations; coverage and deliveries are unique (max–min fairness), the routing of
indifferent water may not be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from ..network import CompiledNetwork
from ..solver import HighsSolver, LinearProgram, SolveStatus
from . import _dualsimplex as dsx
from . import _kernel
from ._basiscache import BasisCache, Layout, StepContext, scenario_bounds, walk
from ._basismap import BasisAlgebra
from .engine import _FULL, _HOLD, _TOL, DUAL_TOLERANCE, _raise_unsolved, allocate_by_priority, held_by_dual

if TYPE_CHECKING:
    from .fastpath import _Layout

__all__ = ["PrioritySolver", "PriorityStats"]



@dataclass
class PriorityStats:
    """What the priority-mode fast path did, in scenario-steps (pairs) and LPs."""

    screened: int = 0  # pairs settled by the screening solve
    by_map: int = 0  # block screenings settled by a cached basis's map (no LP)
    staged: int = 0  # pairs settled by the stages and the final solve
    plain: int = 0  # pairs solved by the engine's allocate_by_priority
    lps: int = 0  # LPs solved by the dual simplex (one per scenario and LP)
    skipped: int = 0  # priority levels found fully covered by the previous stage's solution (no LP)
    tails: int = 0  # stages ended before a level held in full with the later ones, the final solve feasible
    pivots: int = 0  # dual simplex pivots they took
    highs: int = 0  # LPs solved by HiGHS to find a basis

    def summary(self) -> str:
        p = max(1, self.screened + self.staged + self.plain)
        return (f"{p} scenario-steps: {100 * self.screened / p:.2f} % screening, {100 * self.staged / p:.2f} % "
                f"stages, {100 * self.plain / p:.3f} % plain path; {self.by_map} block screenings by cached "
                f"bases' maps, {self.lps} LPs by the dual simplex "
                f"({self.pivots / max(1, self.lps):.2f} pivots each), {self.highs} by HiGHS, {self.skipped} "
                f"priority levels found covered without an LP, {self.tails} times the levels after the last short "
                "one held in full without their stages")


@dataclass
class _Result:
    """One LP for a batch of scenarios (the solutions go to the caller's array)."""

    result: np.ndarray  # (K,) dsx.OK / FAIL / INFEASIBLE (FAIL for rows not solved)
    y: np.ndarray  # (K, J) duals of the level's coverage rows (stage LPs), as the engine scales them × α


class PrioritySolver:
    """Solves the steps of a ``priority``-mode network for all scenarios (see the module doc), block by block.

    The network's blocks (its independent parts, e.g. two river basins: no row or column in common but the
    coverage columns, which the compiler makes one per block and level) are solved as separate LPs, each with
    its own screening, stages and final solve, as the engine's coverage columns per block make its allocation
    block by block too: a basin with water enough is settled by its screening while a short one goes
    through the stages, and a level's progressive filling does not wait for another basin's requirements.

    Parameters
    ----------
    net
        The compiled network (``mode == "priority"``, with requirements).
    options
        The fast path's options (``primal_tol``, ``max_pivots``, ``max_bases``, ``kernel``); each block's LPs take
        the pivots :meth:`~daryo.simulate.fastpath.FastOptions.pivots_for` its rows.
    layout, out
        The fast path's layout of the network's bounds (each block builds its own bounds from the step's shared
        ones and the scenario data) and the positions whose solution the caller reads.
    maps
        Try each block's screening LP by cached bases first (:class:`_CachedScreening`; with the compiled
        kernel only).
    """

    def __init__(self, net: CompiledNetwork, options: Any, layout: _Layout, out: np.ndarray, maps: bool = True):
        self.net, self.options, self.layout = net, options, layout
        self.n, self.m = net.lp.n_cols, net.lp.n_rows
        self.out = out
        self.stats = PriorityStats()
        blocks = np.unique(net.col_block[net.req_col])
        if blocks.size == 1:  # one LP for the whole network
            parts: list[np.ndarray | None] = [None]
        else:  # one per block with requirements, and one for the positions of the others (if any)
            block = np.concatenate([net.col_block, net.row_block])
            parts = [np.flatnonzero(block == b) for b in blocks.tolist()]
            rest = np.flatnonzero(~np.isin(block, blocks))
            parts += [rest] if rest.size else []
        self.blocks = [_Block(net, options, self.stats, pos, layout, out, maps) for pos in parts]
        self._plain: HighsSolver | None = None

    def solve_step(self, t: int, lo: np.ndarray, hi: np.ndarray, d: np.ndarray, cost: np.ndarray,
                   crossed: np.ndarray) -> np.ndarray:
        """Solutions ``x`` (S, len(out)) of step ``t``, at the positions ``out``, from the step's shared bounds
        ``lo``, ``hi`` (N, columns then rows) and each scenario's data ``d`` (S, k+1) (the layout's: each
        block builds its bounds from them, as :meth:`~daryo.simulate.fastpath._Layout.all_bounds` does for the
        network) and the model's costs (n,).  Scenarios ``crossed`` (S,) have a lower bound above its upper
        one: infeasible, which the dual simplex cannot see (it checks the basic variables' bounds), so they go
        to the plain path, which reports them."""
        S, n = d.shape[0], self.n
        x = np.empty((S, self.out.size))
        cz = np.concatenate([cost, np.zeros(self.m)])
        plain = crossed.copy()
        screened = ~crossed
        for blk in self.blocks:
            L0, U0 = blk.bounds(lo, hi, d)
            z, bad, ok = blk.solve_step(L0, U0, cz if blk.pos is None else cz[blk.pos], crossed, t, d)
            x[:, blk.out_at] = z[:, blk.out]
            plain |= bad
            screened &= ok
        self.stats.screened += int(np.count_nonzero(screened & ~plain))
        self.stats.staged += int(np.count_nonzero(~screened & ~plain))
        for s in np.flatnonzero(plain).tolist():  # in scenario order: the first infeasible one raises the error
            L0, U0 = self.layout.full_bounds(lo, hi, d[s])
            z = np.full(self.N, np.nan)  # (row activities are not used by the callers)
            z[:n] = self._plain_solve(t, s, L0, U0, cost)
            x[s] = z[self.out]
            self.stats.plain += 1
        return x

    @property
    def N(self) -> int:
        return self.n + self.m

    def _plain_solve(self, t: int, s: int, lo: np.ndarray, hi: np.ndarray, cost: np.ndarray) -> np.ndarray:
        if self._plain is None:
            self._plain = HighsSolver(self.net.lp)
        n = self.n
        sol = allocate_by_priority(self._plain, self.net, lo[:n], hi[:n], cost, lo[n:], hi[n:])
        if sol.status is not SolveStatus.OPTIMAL:
            _raise_unsolved(self._plain, self.net, t, s, sol.status)
        return sol.x


class _Block:
    """One block of the network: the positions ``pos`` (columns, then ``n`` + rows; None: the whole network) with
    their own LP, requirements and levels, and the state of its LPs per scenario."""

    def __init__(self, net: CompiledNetwork, options: Any, stats: PriorityStats, pos: np.ndarray | None,
                 layout: _Layout, out: np.ndarray, maps: bool = True):
        self.options, self.stats = options, stats
        lp = net.lp
        n_all = lp.n_cols
        self.pos = pos
        if pos is None:
            cols, rows = np.arange(n_all), np.arange(lp.n_rows)
        else:
            cols, rows = pos[pos < n_all], pos[pos >= n_all] - n_all
        sub = lp if pos is None else _sub_lp(lp, cols, rows)
        self.n, self.m = sub.n_cols, sub.n_rows
        self.N = self.n + self.m
        self.st = dsx.Structure(sub.A)
        local_col = np.full(n_all, -1, dtype=np.int64)
        local_col[cols] = np.arange(cols.size)
        local_row = np.full(lp.n_rows, -1, dtype=np.int64)
        local_row[rows] = np.arange(rows.size)
        mine = np.flatnonzero(local_col[net.req_col] >= 0)  # the block's requirements
        self.req_col = local_col[net.req_col[mine]]
        self.req_row = local_row[net.req_row[mine]]
        gcols = np.unique(net.req_tcol[mine])  # its coverage columns: one per level, by level (the compiler's order)
        self.level_tcol = local_col[gcols]
        self.req_level = np.searchsorted(gcols, net.req_tcol[mine])
        self.levels = [np.flatnonzero(self.req_level == k) for k in range(gcols.size)]
        self.req_tcol = self.level_tcol[self.req_level]
        self._stage_cost = []  # per level, a stage's costs: −1 on its coverage column (maximise it)
        for tcol in self.level_tcol.tolist():
            cost = np.zeros(self.N)
            cost[tcol] = -1.0
            self._stage_cost.append(cost)
        floor = net.req_floor_col[mine]
        self.req_floor = np.where(floor >= 0, local_col[np.maximum(floor, 0)], -1)  # (local; -1: none)
        # per level, its requirements that have a floor column and those columns (None: none has one)
        self._level_floor = [(f >= 0, np.maximum(f, 0)) if np.any(f >= 0) else None
                             for f in (self.req_floor[lev] for lev in self.levels)]
        # per level, its requirements' delivery columns, coverage rows (positions) and compiled coverage coefficients
        self._level_cols = [self.req_col[lev] for lev in self.levels]
        self._level_rows = [self.n + self.req_row[lev] for lev in self.levels]
        self._compiled = options.kernel != "numpy" and _kernel.available()
        # per scenario, the first and the last priority level found short the last time its stages ran (none:
        # len(levels) and -1): dry months come in runs, and so do the levels they leave short
        self._short = np.full(net.n_scenarios, len(self.levels), dtype=np.int64)
        self._last = np.full(net.n_scenarios, -1, dtype=np.int64)
        self._hist: dict[Any, tuple[np.ndarray, np.ndarray]] = {}
        self._recent: dict[Any, np.ndarray] = {}
        self.n_scenarios = net.n_scenarios
        # the compiled coverage coefficients (placeholders; a stage's are −R_j/α): a stage changes them by δ
        self.base_coef = (np.asarray(sub.A.tocsr()[self.req_row, self.req_tcol], dtype=float).ravel()
                          if self.req_row.size else np.zeros(0))
        self._seed = HighsSolver(sub)
        self._seed_coef = self.base_coef.copy()  # the coverage coefficients currently in the HiGHS model
        self._level_coef = [self.base_coef[lev] for lev in self.levels]
        every = np.arange(self.N) if pos is None else pos
        # the block's positions of ``out`` (local) and where they go in the caller's solutions
        mine_out = np.isin(out, every)
        self.out, self.out_at = np.searchsorted(every, out[mine_out]), np.flatnonzero(mine_out)
        self._every = every
        lo_slot, hi_slot = layout.lo_slot[every], layout.hi_slot[every]  # (the data slot of each bound; -1: none)
        lo_var, hi_var = np.flatnonzero(lo_slot >= 0), np.flatnonzero(hi_slot >= 0)
        self._lo_slots, self._hi_slots = (lo_var, lo_slot[lo_var]), (hi_var, hi_slot[hi_var])
        self.cached: _CachedScreening | None = None
        if maps and self._compiled:
            part = layout.restrict(every, sub.A, self.req_col)
            self.cached = _CachedScreening(net, part, self.st, np.flatnonzero(np.isin(every, out)), options)

    def bounds(self, lo: np.ndarray, hi: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The block's bounds (S, N) of every scenario from the step's shared bounds ``lo``, ``hi`` (the network's
        positions) and the scenario data ``d`` (S, k+1): :meth:`~daryo.simulate.fastpath._Layout.all_bounds` at
        the block's positions, without the network's."""
        return scenario_bounds(lo[self._every], hi[self._every], d, self._lo_slots, self._hi_slots)

    # --- one step -------------------------------------------------------------------------------------
    def solve_step(self, L0: np.ndarray, U0: np.ndarray, cz: np.ndarray, crossed: np.ndarray, t: int,
                   d: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The block's solutions (S, N) of step ``t`` from its bounds ``L0``, ``U0`` (``d``: the scenario data
        behind them) and costs ``cz`` (N,), the mask of scenarios left to the plain path and the mask of those
        settled by the screening."""
        S, rc = L0.shape[0], self.req_col
        z = np.full((S, self.N), np.nan)  # (a screening settled by a map gives only the positions ``out``)
        every = np.arange(S)
        # 1. screening: every requirement at its full value; first by cached bases (scenarios that have one)
        ok = np.zeros(S, dtype=bool)
        todo = every[~crossed]
        cached = self.cached
        if cached is not None and d is not None:
            good = cached.solve(t, d, todo, cz, z)
            ok[good] = True
            self.stats.by_map += good.size
            todo = todo[cached.cand[todo] < 0]  # with a basis that failed: short, or the stages settle it
        if todo.size:
            Ls = L0.copy()
            Ls[:, rc] = np.maximum(L0[:, rc], U0[:, rc])
            res = self._lp("screen", cz, Ls, U0, None, None, -1, every, todo, z, highs_limit=2)
            done = todo[res.result[todo] == dsx.OK]
            ok[done] = True
            if cached is not None:
                cached.learn(done, self._hist["screen"][0][done])
        op = every[~ok & ~crossed]
        plain = np.zeros(S, dtype=bool)
        K = len(self.levels)
        if op.size:  # 2. stages and 3. final solve
            start = np.where(self._short[op] < K, self._short[op], 0)
            tail = np.where(self._last[op] >= 0, self._last[op] + 1, K)
            zo, bad, short, last = self._stages(L0[op], U0[op], cz, op, start, tail)
            again = np.flatnonzero(bad & (start > 0))
            while again.size:  # a level before the start is short now: usually the one just below it
                start[again] -= 1
                redo = op[again]
                zo[again], bad[again], short[again], last[again] = self._stages(
                    L0[redo], U0[redo], cz, redo, start[again], np.full(redo.size, K))
                again = again[bad[again] & (start[again] > 0)]
            self._short[op] = short
            self._last[op] = last
            z[op[~bad]] = zo[~bad]
            plain[op[bad]] = True
            if cached is not None:  # covered in full, so the screening was feasible: its walk's basis is no start
                cached.cand[op[~bad & (short == K)]] = -1
        return z, plain, ok

    def _stages(self, L: np.ndarray, U: np.ndarray, cz: np.ndarray, op: np.ndarray,
                start: np.ndarray, tail: np.ndarray, hold_before: bool = True
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The lexicographic stages and the final solve (costs ``cz``) for scenarios ``op`` whose bounds are
        ``L``, ``U`` (changed in place); returns their solutions, the mask of those left to the plain path, and
        each one's first and last short level (none: ``len(levels)``, -1).

        A scenario's stages begin at level ``start`` (O,): the levels before it are held at their full
        requirement (unless not ``hold_before``: their bounds in ``L`` are already their stages'), as their stages
        would hold them had each reached coverage 1.  That is the engine's sequence exactly if it is feasible; a
        scenario for which it is not ends in the returned mask.

        Its stages end before level ``tail`` (O,; ``len(levels)``: none): the requirements of that level and the
        later ones are held at their full value in the final solve.  If that solve is feasible, each of their
        stages would have reached coverage 1 (its solution meets them all), so it *is* the engine's final solve;
        if not, the scenario's stages go on from level ``tail`` as usual."""
        K = len(self.levels)
        R = U[:, self.req_col]  # (a copy: fancy indexing)
        O = op.size
        plain = np.zeros(O, dtype=bool)
        if hold_before:
            held = (self.req_level[None, :] < start[:, None]) & (R > _TOL)
            Lq = L[:, self.req_col]
            L[:, self.req_col] = np.where(held, np.maximum(Lq, R - _HOLD), Lq)
        short = np.full(O, K, dtype=np.int64)
        last = np.full(O, -1, dtype=np.int64)
        tailed = np.zeros(O, dtype=bool)
        before_tail = np.empty((O, self.req_col.size))  # the requirements' lower bounds before the tail's holds
        # each scenario's solution of its last stage LP (rows not solved by an LP keep their last one)
        z = np.full((O, self.N), np.nan)
        # the levels before every scenario's start and tail have nothing to do
        first = min(int(start.min()), int(tail.min())) if O else K
        for pi in range(first, K):
            lev = self.levels[pi]
            now = np.flatnonzero(tail == pi)
            if now.size:  # hold the requirements of this level and the later ones in full
                was = L[now[:, None], self.req_col]
                before_tail[now] = was
                hold = (self.req_level[None, :] >= pi) & (R[now] > _TOL)
                L[now[:, None], self.req_col] = np.where(hold, np.maximum(was, R[now] - _HOLD), was)
                tailed[now] = True
            Rl = R[:, lev]
            act = (Rl > _TOL) & ((start <= pi) & ~tailed)[:, None]
            if not act.any():  # nothing to allocate at this level
                continue
            cols, floor = self._level_cols[pi], self._level_floor[pi]
            live = self._hold_covered(z, act, Rl, cols, L, plain, floor)
            if not live.any():
                continue
            tcol = int(self.level_tcol[pi])
            rows, coef = self._level_rows[pi], self._level_coef[pi]
            cost = self._stage_cost[pi]
            it = 0
            while live.any():
                # α: the largest requirement still active (see engine.allocate_by_priority)
                alpha = np.where(act, Rl, 0.0).max(axis=1)
                D = np.where(act, -Rl / np.where(alpha > 0, alpha, 1.0)[:, None] - coef, 0.0)
                ut = np.where(live, alpha, 0.0)
                U[:, tcol] = ut
                # an inactive coverage row gets a lower bound it cannot reach (s_j ≥ L_j, 0 ≤ t ≤ α), not −∞: a
                # basis that held it at its bound when it was active stays a valid start
                idle = L[:, cols] + np.minimum(0.0, coef * ut[:, None])
                L[:, rows] = np.where(act, 0.0, idle)
                w = np.flatnonzero(live)
                res = self._lp(("stage", pi, it), cost, L, U, D, lev, tcol, op, w, z,
                               highs_limit=None)
                solved = res.result[w] == dsx.OK
                bad = w[~solved]
                if bad.size:
                    plain[bad] = True
                    act[bad] = False
                g = w[solved]
                zg, ag, Rg = z[g], alpha[g], Rl[g]
                tstar = np.minimum(np.maximum(zg[:, tcol] / ag, 0.0), 1.0)
                below = tstar < 1.0 - _FULL
                gb = g[below]
                short[gb] = np.minimum(short[gb], pi)
                last[gb] = pi
                a = act[g]
                held = held_by_dual(np.where(a, np.abs(res.y[g]), 0.0), Rg, ag)
                fix = a & ((tstar >= 1.0 - _FULL)[:, None] | held)
                none = ~fix.any(axis=1)  # degenerate optimum without a certificate: hold everyone
                fix[none] = a[none]
                at = (g[:, None], cols)
                lo = L[at]
                L[at] = np.where(fix, np.maximum(lo, np.minimum(zg[:, cols], Rg) - _HOLD), lo)
                act[g] = a & ~fix
                live = self._hold_covered(z, act, Rl, cols, L, plain, floor)
                it += 1
            L[:, rows] = -np.inf
            U[:, tcol] = 0.0
        w = np.flatnonzero(~plain)
        if w.size:
            res = self._lp("final", cz, L, U, None, None, -1, op, w, z, highs_limit=None)
            failed = w[res.result[w] != dsx.OK]
            plain[failed[~tailed[failed]]] = True
            redo = failed[tailed[failed]]
            self.stats.tails += int(np.count_nonzero(tailed)) - redo.size
            if redo.size:  # a level held in full is short: the stages from there, from the bounds before the holds
                Lr = L[redo]
                Lr[:, self.req_col] = before_tail[redo]
                z[redo], plain[redo], sr, lr = self._stages(Lr, U[redo], cz, op[redo], tail[redo],
                                                            np.full(redo.size, K), hold_before=False)
                short[redo] = np.minimum(short[redo], sr)
                last[redo] = np.maximum(last[redo], lr)
        return z, plain, short, last

    def _hold_covered(self, z: np.ndarray, act: np.ndarray, Rl: np.ndarray, cols: np.ndarray, L: np.ndarray,
                      plain: np.ndarray, floor: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
        """Hold the level's active requirements (``act``, changed in place) of scenarios whose last LP solution
        ``z`` already delivers them all in full, or whose floor column's lower bound meets them (``floor``: which
        requirements have a floor column, and those columns; None: none has one); returns the scenarios still
        needing an LP at this level.

        That solution is feasible for the level's next LP (deliveries fixed since are held at or below their
        value there; the earlier coverage rows are free), and so is any solution where a floor's bound meets a
        requirement (its served column then takes its full value: a dead volume's ``g ≤ V_end``), so coverage 1
        is reached: the engine's LP would end at ``t = 1`` and fix them all at ``R − 1e-9``.  No LP needed."""
        need = Rl - self.options.primal_tol
        met = z[:, cols] >= need
        if floor is not None:
            has, fcol = floor
            met |= has[None, :] & (L[:, fcol] >= need)
        live = act.any(axis=1) & ~plain
        full = np.flatnonzero(live & (~act | met).all(axis=1))
        if full.size:
            at = (full[:, None], cols)
            lo = L[at]
            L[at] = np.where(act[full], np.maximum(lo, Rl[full] - _HOLD), lo)
            act[full] = False
            live[full] = False
            self.stats.skipped += int(full.size)
        return live

    # --- one LP for a batch of scenarios ---------------------------------------------------------------
    def _history(self, slot: Any) -> tuple[np.ndarray, np.ndarray]:
        """The last optimal basis of LP ``slot`` per scenario (S, N) and whether there is one (S,)."""
        h = self._hist.get(slot)
        if h is None:
            S = self.n_scenarios
            h = self._hist[slot] = (np.zeros((S, self.N), np.int8), np.zeros(S, bool))
        return h

    def _related(self, slot: Any) -> list[Any]:
        """LPs with the same costs whose bases are good starts for ``slot``."""
        if slot == "screen":
            return ["final"]
        if slot == "final":
            return ["screen"]
        _, p, it = slot
        return [("stage", p, i) for i in range(it - 1, -1, -1)][:2]

    def _lp(self, slot: Any, cost: np.ndarray, L: np.ndarray, U: np.ndarray,
            D: np.ndarray | None, lev: np.ndarray | None, tcol: int, scen: np.ndarray, w: np.ndarray, z: np.ndarray,
            highs_limit: int | None) -> _Result:
        """One LP (costs ``cost`` (N,), accepted at the reduced-cost tolerance
        :data:`~daryo.simulate.engine.DUAL_TOLERANCE`; bounds ``L``, ``U`` (K, N) of scenarios ``scen`` (K,);
        coverage-column change ``D`` (K, J)) for the rows ``w``: the dual simplex from each one's previous basis,
        then related bases, then HiGHS.  Writes the solutions into ``z[w]``."""
        K = L.shape[0]
        jrows = self.req_row[lev] if lev is not None else np.zeros(0, np.int64)
        Dk = D if D is not None else np.zeros((K, 0))
        hist, has = self._history(slot)
        sw = scen[w]
        status = np.empty((K, self.N), np.int8)
        status[w] = hist[sw]
        start = np.zeros(K, bool)
        start[w] = has[sw]
        missing = w[~start[w]]  # (scenarios without a basis of their own start from a related LP's)
        for rel in self._related(slot) if missing.size else []:
            if rel in self._hist:
                h2, has2 = self._hist[rel]
                use = missing[has2[scen[missing]]]
                status[use] = h2[scen[use]]
                start[use] = True
                missing = w[~start[w]]
                if not missing.size:
                    break
        result = np.full(K, dsx.FAIL, dtype=np.int8)
        y = np.zeros((K, jrows.size))
        piv = np.zeros(K, dtype=np.int64)
        mp = self.options.pivots_for(self.m)

        def run(idx: np.ndarray) -> np.ndarray:
            dsx.solve(self.st, idx, L, U, status, cost, Dk, jrows, tcol, self.options.primal_tol, DUAL_TOLERANCE, mp, z,
                      result, y, piv, self._compiled)
            self.stats.pivots += int(piv[idx].sum())
            return idx[result[idx] == dsx.FAIL]

        failed = run(w[start[w]])
        if missing.size:
            failed = np.sort(np.concatenate([failed, missing]))
        if failed.size:  # bases that worked for others in this step, then recently
            tries = self._winners(status[w[result[w] == dsx.OK]])
            recent = self._recent.get(slot)
            if recent is not None:
                tries += self._winners(recent)
            for b in tries[:5]:
                if not failed.size:
                    break
                status[failed] = b
                failed = run(failed)
        seeds = 0
        while failed.size and (highs_limit is None or seeds < highs_limit):  # HiGHS, in scenario order
            i = int(failed[0])
            failed = failed[1:]
            seeds += 1
            warm: np.ndarray | None = hist[scen[i]] if has[scen[i]] else None
            found = self._highs(cost, L[i], U[i], lev, Dk[i] if lev is not None else None, warm)
            if found is None:
                result[i] = dsx.INFEASIBLE
                if highs_limit is not None:
                    break
                continue
            status[i] = found
            run(np.array([i]))
            if failed.size and result[i] == dsx.OK:
                status[failed] = found
                failed = run(failed)
        ok = w[result[w] == dsx.OK]
        self.stats.lps += int(ok.size)
        hist[scen[ok]] = status[ok]
        has[scen[ok]] = True
        if ok.size:
            self._recent[slot] = status[ok[:16]]
        return _Result(result, y)

    @staticmethod
    def _winners(good: np.ndarray) -> list[np.ndarray]:
        """The distinct bases among the rows of ``good``, most frequent first (at most three)."""
        if not good.size:
            return []
        good = np.ascontiguousarray(good)
        keys = good.view(np.dtype((np.void, good.shape[1]))).ravel()
        _, first, counts = np.unique(keys, return_index=True, return_counts=True)
        return [good[first[i]].copy() for i in np.argsort(-counts, kind="stable")[:3]]

    def _highs(self, cost: np.ndarray, L: np.ndarray, U: np.ndarray, lev: np.ndarray | None,
               delta: np.ndarray | None, warm: np.ndarray | None) -> np.ndarray | None:
        """Solve one LP with HiGHS (warm-started from ``warm``); its optimal basis (None: infeasible)."""
        solver, n = self._seed, self.n
        want = self.base_coef.copy()
        if lev is not None and delta is not None:
            want[lev] += delta
        for j in np.flatnonzero(want != self._seed_coef).tolist():
            solver.set_coefficient(int(self.req_row[j]), int(self.req_tcol[j]), float(want[j]))
        self._seed_coef = want
        solver.set_costs(cost[:n])
        solver.set_col_bounds(L[:n], U[:n])
        solver.set_row_bounds(L[n:], U[n:])
        if warm is not None:
            solver.set_basis(warm)
        sol = solver.solve()
        self.stats.highs += 1
        if sol.status is not SolveStatus.OPTIMAL:
            return None
        return solver.get_basis()


class _CachedScreening:
    """A block's screening LP (the model's costs, every requirement at its full value) solved by cached optimal
    bases and their linear maps, as the ``cost``-mode fast path solves its LP (:mod:`daryo.simulate._basiscache`):
    each scenario starts from the basis that last settled its screening (``cand``), follows cached dual simplex
    pivots, and is accepted only where a basis is checked optimal.  A basin's screening visits few bases (416
    for 25,698 screenings of the Syr Darya), so most are settled without an LP.

    Parameters
    ----------
    net
        The network.
    layout
        The layout of the block's screening LP (:meth:`daryo.simulate.fastpath._Layout.restrict`).
    st
        The block's LP structure (for the basis algebra).
    out
        The block's positions (local) whose solution the caller reads.
    options
        The fast path's options (``primal_tol``, ``max_pivots``, ``max_bases``).
    """

    def __init__(self, net: CompiledNetwork, layout: Layout, st: dsx.Structure, out: np.ndarray, options: Any):
        self.net, self.layout, self.out, self.options = net, layout, out, options
        n_scenarios = net.n_scenarios
        self.cache = BasisCache(layout, out, options.max_bases, BasisAlgebra(st, layout.N), options.max_bound_keys)
        self.cand = np.full(n_scenarios, -1, dtype=np.int64)
        self._x = np.empty((n_scenarios, out.size))

    def solve(self, t: int, d: np.ndarray, idx: np.ndarray, cz: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Scenarios ``idx`` (with a start basis) whose screening a cached basis settles at step ``t`` (data ``d``,
        costs ``cz``); their solutions go to ``z[:, out]``.  A scenario whose walk failed at a basis dropped
        from the cache or found not optimal for the costs loses it: its next screening is by the dual simplex,
        which gives it a new one."""
        lay = self.layout
        self.cache.clock = t
        step = StepContext(self.net, lay, t, DUAL_TOLERANCE)
        tried = idx[self.cand[idx] >= 0]
        rest, _ = walk(self.cache, step, d, tried, self.cand, self._x, self.options.primal_tol,
                       self.options.pivots_for(lay.m))
        bank = self.cache.bank(int(lay.cost_key[t]))
        settled = np.zeros(self.cand.size, dtype=bool)
        settled[tried] = True
        settled[rest] = False
        good = tried[settled[tried]]  # (sorted, as ``tried``)
        z[np.ix_(good, self.out)] = self._x[good]
        b = self.cand[rest]
        cached = np.fromiter((i in self.cache.bases for i in b.tolist()), dtype=bool, count=b.size)
        lost = (bank.has_map[b] < 0) | ~cached
        self.cand[rest[lost]] = -1
        return good

    def learn(self, scen: np.ndarray, status: np.ndarray) -> None:
        """Scenarios ``scen`` start their next screening from the optimal bases ``status`` (K, N) that the dual
        simplex found for it."""
        cand, add = self.cand, self.cache.add
        for s, row in zip(scen.tolist(), status, strict=True):
            cand[s] = add(row)


def _sub_lp(lp: LinearProgram, cols: np.ndarray, rows: np.ndarray) -> LinearProgram:
    """The LP of columns ``cols`` and rows ``rows`` of ``lp`` (a block: no entry outside them)."""
    A = sp.csc_matrix(lp.A)[:, cols].tocsr()[rows].tocsc()
    return LinearProgram(A, lp.cost[cols], lp.col_lower[cols], lp.col_upper[cols], lp.row_lower[rows],
                         lp.row_upper[rows], [lp.col_names[j] for j in cols], [lp.row_names[i] for i in rows])
