"""Cached optimal bases of an LP whose matrix and costs are fixed and whose bounds vary: each basis's linear map
from a scenario's data to its solution and feasibility slacks (see :mod:`daryo.simulate.fastpath` for why that
is exact), and the compiled loop's rounds over them (:func:`walk`).

Used by the ``cost``-mode fast path for the network's LP, and by the ``priority``-mode fast path for each
block's screening LP (:mod:`daryo.simulate.fastpriority`).  Which LP, and where each bound comes from, is
given by a *layout* (:class:`Layout`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ..network import CompiledNetwork
from . import _dualsimplex as dsx
from . import _kernel
from ._basismap import BasisAlgebra, BoundBasis, basis_sets, dual_check

__all__ = ["Layout", "DenseAlgebra", "Basis", "BasisCache", "Map", "StepContext", "walk", "scenario_bounds", "KEY"]

_LOWER, _BASIC, _UPPER, _ZERO = dsx.LOWER, dsx.BASIC, dsx.UPPER, dsx.ZERO
KEY = 1 << 24  # (basis, slack) pairs are keyed as basis * KEY + slack


class Layout(Protocol):
    """Where an LP's bounds come from: positions ``0..n-1`` are its columns, ``n..n+m-1`` its rows.

    ``lo_slot`` / ``hi_slot`` (N,) give the slot of the scenario data ``d`` (S, k+1) that holds each
    position's lower / upper bound (−1: the bound is shared by all scenarios at a step, or infinite:
    ``inf_lo`` / ``inf_hi``).  ``cost_key`` / ``bound_key`` (T,) are equal at steps with equal costs / shared
    bounds."""

    n: int
    m: int
    N: int
    k: int
    lo_slot: np.ndarray
    hi_slot: np.ndarray
    inf_lo: np.ndarray
    inf_hi: np.ndarray
    cost_key: np.ndarray
    bound_key: np.ndarray

    @property
    def dense(self) -> np.ndarray: ...

    def shared(self, net: Any, t: int) -> tuple[np.ndarray, np.ndarray]: ...

    def costs(self, net: Any, t: int) -> np.ndarray: ...

    def full_bounds(self, lo: np.ndarray, hi: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


class DenseAlgebra:
    """A basis's algebra with dense LAPACK solves (``K = −B⁻¹N`` once), for runs without Numba.  The same
    interface as :class:`daryo.simulate._basismap.BoundBasis`, which does it on the peeled sparse
    factorisation (a test holds the two equal)."""

    def __init__(self, status: np.ndarray, dense: np.ndarray):
        self.status, self.dense = status, dense
        self.basic, self.nb = np.flatnonzero(status == _BASIC), np.flatnonzero(status != _BASIC)
        self.B = dense[:, self.basic]
        self.K = -np.linalg.solve(self.B, dense[:, self.nb])  # z_B = K z_N; raises if B is singular
        if not np.all(np.abs(self.K) < 1e9):  # nearly singular: not worth the rounding
            raise np.linalg.LinAlgError("ill-conditioned basis")

    def derivative(self, slot: np.ndarray, k: int) -> np.ndarray:
        """``dz/dd`` (N, k); ``slot[q]``: the data slot feeding nonbasic position ``q`` (−1: none)."""
        dz = np.zeros((self.status.size, k))
        s = slot[self.nb]
        use = s >= 0
        np.add.at(dz, (self.basic[:, None], s[use][None, :]), self.K[:, use])
        dz[self.nb[use], s[use]] += 1.0
        return dz

    def reduced_costs(self, cost: np.ndarray) -> np.ndarray:
        red = np.zeros(self.status.size)
        y = np.linalg.solve(self.B.T, cost[self.basic])
        red[self.nb] = cost[self.nb] - self.dense[:, self.nb].T @ y
        return red

    def constant_rows(self, lo: np.ndarray, hi: np.ndarray, out: np.ndarray, chk_lo: np.ndarray, chk_hi: np.ndarray,
                      fixed: np.ndarray) -> np.ndarray:
        st = self.status[self.nb]
        v = np.where(st == _LOWER, lo[:, self.nb], 0.0) + np.where(st == _UPPER, hi[:, self.nb], 0.0)
        z = np.empty(lo.shape)
        z[:, self.nb] = v
        z[:, self.basic] = v @ self.K.T
        return np.hstack([z[:, out], z[:, chk_lo] - lo[:, chk_lo], hi[:, chk_hi] - z[:, chk_hi],
                          lo[:, fixed] - hi[:, fixed]])

    def entering(self, slot: int, sign: float, nb: np.ndarray, red: np.ndarray, fixed: np.ndarray,
                 pivot_tol: float) -> int:
        row = sign * self.K[slot]
        st = self.status[nb]
        ok = (((st == _LOWER) & (row > pivot_tol)) | ((st == _UPPER) & (row < -pivot_tol))
              | ((st == _ZERO) & (np.abs(row) > pivot_tol))) & ~fixed[nb]
        if not ok.any():
            return -1
        cands = np.flatnonzero(ok)
        ratio = np.abs(red[cands]) / np.abs(row[cands])
        best = ratio <= ratio.min() + 1e-12 * max(1.0, float(ratio.min()))
        return int(cands[best][np.argmax(np.abs(row[cands[best]]))])  # ties: the largest pivot element


class Basis:
    """One optimal basis: the linear map from a scenario's data to its solution and feasibility slacks.

    Its algebra (``B⁻¹`` applied to columns, rows and costs) is done on the peeled sparse factorisation of
    :mod:`daryo.simulate._basismap` when ``algebra`` is given (with Numba: far cheaper for a network's basis),
    else with dense solves (:class:`DenseAlgebra`); the two agree to rounding.
    """

    __slots__ = ("status", "basic", "nb", "algebra", "_dz", "_slot", "_k", "chk_lo", "chk_hi", "maps")

    def __init__(self, status: np.ndarray, lay: Layout, algebra: BasisAlgebra | None = None):
        self.status = status
        sets = basis_sets(status, lay.inf_lo, lay.inf_hi, lay.lo_slot, lay.hi_slot, lay.m)
        if sets is None:
            raise np.linalg.LinAlgError("not a basis, or a nonbasic variable sits at an infinite bound")
        self.basic, self.nb, slot, self.chk_lo, self.chk_hi = sets
        self.algebra = DenseAlgebra(status, lay.dense) if algebra is None else algebra.bind(status)
        dz = self.algebra.derivative(slot, lay.k)  # d z / d data
        if dz is None:
            raise np.linalg.LinAlgError("singular or ill-conditioned basis")
        self._dz: np.ndarray | None = dz
        self._slot, self._k = slot, lay.k
        self.maps: dict[int, Map | None] = {}  # by cost key; None: never optimal for those costs

    @property
    def dz(self) -> np.ndarray:
        """``dz/dd`` (N, k): the derivative of the solution with respect to the data slots; kept until
        :meth:`release`, then worked out again if asked."""
        if self._dz is None:
            dz = self.algebra.derivative(self._slot, self._k)
            assert dz is not None  # a usable basis (checked when it was made)
            self._dz = dz
        return self._dz

    def release(self) -> None:
        """Drop the derivative (N × k numbers, most of a basis's memory) once a map is built from it."""
        self._dz = None

    def duals(self, lay: Layout, cost: np.ndarray, tol: float) -> tuple[np.ndarray | None, np.ndarray]:
        """Reduced costs of the nonbasic variables, and the nonbasic positions whose reduced cost has the
        wrong sign for their status (optimal only while fixed); None if the basis is never optimal.  ``cost``
        (N,): the costs of the positions (columns, then 0 for the rows: :meth:`StepContext.position_costs`)."""
        full = self.algebra.reduced_costs(cost)
        assert full is not None  # a usable basis (checked when it was made)
        return dual_check(self.status, self.nb, full, tol, lay.inf_lo, lay.inf_hi)

    def pivot(self, i: int, m: Map, fixed: np.ndarray, pivot_tol: float = 1e-9) -> np.ndarray | None:
        """One dual simplex pivot: the basic variable of slack ``i`` leaves at the bound it violates and the
        entering variable is chosen by the dual ratio test, so the new basis stays dual feasible.  The
        choice depends on the basis, ``i`` and which nonbasic variables are fixed (``fixed``, by position),
        never on the scenario's values.  Returns the new status, or None (no pivot: primal infeasible, or a
        reduced-cost condition of a fixed variable is what failed)."""
        n_lo, n_hi = self.chk_lo.size, self.chk_hi.size
        if i < n_lo:
            j, leave_to, sign = int(self.chk_lo[i]), _LOWER, 1.0  # below its lower bound: must increase
        elif i < n_lo + n_hi:
            j, leave_to, sign = int(self.chk_hi[i - n_lo]), _UPPER, -1.0  # above its upper bound: decrease
        else:
            return None
        q = self.algebra.entering(int(np.searchsorted(self.basic, j)), sign, self.nb, m.red, fixed, pivot_tol)
        if q < 0:
            return None
        status = self.status.copy()
        status[j] = leave_to
        status[self.nb[q]] = _BASIC
        return status

    def pivot_for(self, i: int, m: Map, lay: Layout, lo: np.ndarray, hi: np.ndarray, data: np.ndarray,
                  pivot_tol: float = 1e-9) -> np.ndarray | None:
        """:meth:`pivot` for the scenario of data row ``data`` at a step of shared bounds ``lo``, ``hi`` (N,): the
        positions whose bounds are equal for it are the fixed ones.  In one compiled call where the basis's
        algebra is the sparse one."""
        if isinstance(self.algebra, BoundBasis):
            return self.algebra.pivot(i, (self.chk_lo, self.chk_hi, self.basic, self.nb), m.red,
                                      (lo, hi, lay.lo_slot, lay.hi_slot), data, pivot_tol)
        L, U = lay.full_bounds(lo, hi, data)
        return self.pivot(i, m, L == U, pivot_tol)

    def linear_map(self, lay: Layout, out: np.ndarray, fixed: np.ndarray) -> np.ndarray:
        """W (k+1, r): rows = data slots (+ a constant row, filled per bound key), columns = the outputs
        ``out`` then the slacks (basic − lower, upper − basic, lower − upper of ``fixed``)."""
        k, Z = lay.k, self.dz
        W = np.zeros((k + 1, out.size + self.chk_lo.size + self.chk_hi.size + fixed.size))
        blocks = [Z[out], Z[self.chk_lo] - _unit(lay.lo_slot[self.chk_lo], k),
                  _unit(lay.hi_slot[self.chk_hi], k) - Z[self.chk_hi],
                  _unit(lay.lo_slot[fixed], k) - _unit(lay.hi_slot[fixed], k)]
        W[:k] = np.vstack(blocks).T
        return W

    def constants(self, lo_c: np.ndarray, hi_c: np.ndarray, out: np.ndarray, fixed: np.ndarray) -> np.ndarray:
        """The constant rows of W (U, ·) for shared bounds ``lo_c[u]``, ``hi_c[u]`` (U, N) (each a step's
        :meth:`StepContext.constant_bounds`)."""
        rows = self.algebra.constant_rows(lo_c, hi_c, out, self.chk_lo, self.chk_hi, fixed)
        assert rows is not None  # a usable basis (checked when it was made)
        return rows


def _unit(slots: np.ndarray, k: int) -> np.ndarray:
    """Rows e_slot (zero rows where slot < 0), shape (len(slots), k)."""
    e = np.zeros((slots.size, k))
    ok = slots >= 0
    e[np.flatnonzero(ok), slots[ok]] = 1.0
    return e


class BasisCache:
    """Optimal bases by status, with their maps per (cost key, bound key); least recently used dropped.

    ``used[b]`` is the last step (``clock``) at which basis ``b`` was looked up or solved a scenario in the
    compiled loop (which writes it there)."""

    def __init__(self, lay: Layout, out: np.ndarray, max_bases: int, algebra: BasisAlgebra | None = None,
                 max_bound_keys: int = 24):
        self.lay, self.out, self.max_bases, self.algebra = lay, out, max_bases, algebra
        self.max_bound_keys = max_bound_keys
        self._table: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._table_made = False
        self.bases: dict[int, Basis] = {}
        self.banks: dict[int, _kernel.Bank] = {}  # the compiled loop's maps, by cost key
        self.ids: dict[bytes, int] = {}
        self._next = 0
        self.clock = 0
        self.used = np.zeros(64, dtype=np.int64)

    def add(self, status: np.ndarray) -> int:
        """Id of the basis ``status`` (added if new); -1 if it cannot be used (singular, infinite bound)."""
        key = status.tobytes()
        b = self.ids.get(key)
        if b is not None:
            return b
        try:
            basis = Basis(status.copy(), self.lay, self.algebra)
        except (np.linalg.LinAlgError, ValueError):
            return -1
        b = self._next
        self._next += 1
        if b >= self.used.size:
            self.used = np.concatenate([self.used, np.zeros(self.used.size, dtype=np.int64)])
        self.used[b] = self.clock
        self.ids[key] = b
        self.bases[b] = basis
        if len(self.bases) > self.max_bases:
            self._evict()
        return b

    def _evict(self) -> None:
        """Drop the least recently used quarter of the bases (at least down to ``max_bases``)."""
        n = max(len(self.bases) - self.max_bases, len(self.bases) // 4)
        drop = sorted(self.bases, key=lambda i: self.used[i])[:n]
        for i in drop:
            del self.ids[self.bases.pop(i).status.tobytes()]

    def map(self, b: int, ckey: int, step: StepContext) -> Map | None:
        """The map of basis ``b`` for the step's costs (None: never optimal for them, or dropped)."""
        basis = self.bases.get(b)
        if basis is None:
            return None
        self.used[b] = self.clock
        if ckey not in basis.maps:
            fixed, red = basis.duals(self.lay, step.position_costs(), step.dual_tol)
            basis.maps[ckey] = None if fixed is None else Map(fixed, red)
        return basis.maps[ckey]

    def constant(self, b: int, m: Map, ukey: int, step: StepContext) -> np.ndarray:
        """The constant row of basis ``b``'s map ``m`` for the step's shared bounds (bound key ``ukey``), kept."""
        const = m.consts.get(ukey)
        if const is None:
            lo_c, hi_c = step.constant_bounds()
            const = m.consts[ukey] = self.bases[b].constants(lo_c[None], hi_c[None], self.out, m.fixed)[0]
        return const

    def matrix(self, b: int, ckey: int, ukey: int, step: StepContext) -> np.ndarray | None:
        """W (k+1, r) of basis ``b`` for the step (None: the basis is never optimal for its costs)."""
        m = self.map(b, ckey, step)
        if m is None:
            return None
        if m.W is None:
            m.W = self.bases[b].linear_map(self.lay, self.out, m.fixed)
            self.bases[b].release()
        if m.ukey != ukey:  # the constant row holds the step's shared bounds
            m.W[self.lay.k] = self.constant(b, m, ukey, step)
            m.ukey = ukey
        return m.W

    def bank(self, ckey: int) -> _kernel.Bank:
        """The compiled loop's bank of maps for the costs of key ``ckey`` (made empty the first time)."""
        bank = self.banks.get(ckey)
        if bank is None:
            bank = self.banks[ckey] = _kernel.Bank(self.lay.k, self.out.size)
        return bank

    def register(self, bank: _kernel.Bank, b: int, ckey: int, ukey: int, step: StepContext) -> None:
        """Give the compiled loop's ``bank`` basis ``b``'s map and its constants for the step (or mark the basis
        unusable: never optimal for the step's costs)."""
        if bank.has(b, ukey):
            return
        m = self.map(b, ckey, step)
        if m is None:
            bank.mark_unusable(b)
            return
        basis, lay = self.bases[b], self.lay
        if not bank.has_map[b]:  # the map once, with its constants for every bound key if there are few
            bank.register(b, basis.dz, self.out, basis.chk_lo, basis.chk_hi, m.fixed, lay.lo_slot, lay.hi_slot)
            basis.release()
            table = self._bound_table(step)
            if table is not None:
                keys, lo_c, hi_c = table
                bank.register_constants(b, keys, basis.constants(lo_c, hi_c, self.out, m.fixed))
                return
        lo_c, hi_c = step.constant_bounds()  # (else per bound key, as the steps meet them)
        bank.register_constants(b, np.array([ukey]), basis.constants(lo_c[None], hi_c[None], self.out, m.fixed))

    def _bound_table(self, step: StepContext) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Every bound key and its steps' constant bounds (see :func:`constant_bound_table`), once."""
        if not self._table_made:
            self._table = constant_bound_table(step.net, self.lay, self.max_bound_keys)
            self._table_made = True
        return self._table

    def pivot(self, b: int, i: int, ckey: int, ukey: int, step: StepContext, data: np.ndarray) -> int:
        """The basis one dual simplex pivot away from ``b`` when its slack ``i`` is violated (-1: none)."""
        m = self.map(b, ckey, step)
        if m is None:
            return -1
        target = m.pivots.get((i, ukey))
        if target is None:
            lo, hi = step.shared()
            status = self.bases[b].pivot_for(i, m, self.lay, lo, hi, data)
            target = -1 if status is None else self.add(status)
            m.pivots[(i, ukey)] = target
        return target


@dataclass
class Map:
    """A basis's map for one cost vector: the positions that must be fixed, the reduced costs, the constant
    rows by bound key, the pivots already worked out, and (NumPy kernel) W."""

    fixed: np.ndarray
    red: np.ndarray
    W: np.ndarray | None = None
    consts: dict[int, np.ndarray] = field(default_factory=dict)
    ukey: int = -1
    pivots: dict[tuple[int, int], int] = field(default_factory=dict)


@dataclass
class StepContext:
    """The step's shared data, computed on demand."""

    net: CompiledNetwork
    lay: Layout
    t: int
    dual_tol: float
    _lo: np.ndarray | None = None
    _hi: np.ndarray | None = None
    _cost: np.ndarray | None = None
    _pcost: np.ndarray | None = None
    _lo_c: np.ndarray | None = None
    _hi_c: np.ndarray | None = None

    def shared(self) -> tuple[np.ndarray, np.ndarray]:
        if self._lo is None or self._hi is None:
            self._lo, self._hi = self.lay.shared(self.net, self.t)
        return self._lo, self._hi

    def constant_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """The shared bounds with 0 where scenario data (or an infinite bound) take over: the constant part."""
        if self._lo_c is None or self._hi_c is None:
            self._lo_c, self._hi_c = _constant_part(self.lay, *self.shared())
        return self._lo_c, self._hi_c

    def cost(self) -> np.ndarray:
        if self._cost is None:
            self._cost = self.lay.costs(self.net, self.t)
        return self._cost

    def position_costs(self) -> np.ndarray:
        """The costs of every position (N,): the columns' (:meth:`cost`), then 0 for the rows."""
        if self._pcost is None:
            self._pcost = np.concatenate([self.cost(), np.zeros(self.lay.m)])
        return self._pcost


def _constant_part(lay: Layout, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shared bounds ``lo``, ``hi`` (…, N) with 0 where scenario data (or an infinite bound) take over."""
    return (np.where((lay.lo_slot >= 0) | lay.inf_lo, 0.0, lo), np.where((lay.hi_slot >= 0) | lay.inf_hi, 0.0, hi))


def constant_bound_table(net: CompiledNetwork, lay: Layout, limit: int
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The distinct bound keys of the run's steps (U,) and, for each, the constant part of its steps' shared
    bounds (U, N) twice (:meth:`StepContext.constant_bounds`); None if there are more than ``limit`` keys.

    A monthly model whose shared bounds follow the calendar has 12 (its steps of equal bounds share a key), so a
    new basis's constants for every step are worked out with its map, in one call, rather than one bound key at
    a time as the steps meet them."""
    keys, first = np.unique(lay.bound_key, return_index=True)
    if keys.size > limit:
        return None
    lo = np.empty((keys.size, lay.N))
    hi = np.empty((keys.size, lay.N))
    for u, t in enumerate(first.tolist()):
        lo[u], hi[u] = lay.shared(net, t)
    return (keys.astype(np.int64), *_constant_part(lay, lo, hi))


def walk(cache: BasisCache, step: StepContext, d: np.ndarray, idx: np.ndarray, cand: np.ndarray, x: np.ndarray,
         tol: float, max_pivots: int) -> tuple[np.ndarray, int]:
    """Solve scenarios ``idx`` by their candidate bases ``cand`` (S,) (updated in place) and the cached dual
    simplex pivots, in the compiled loop (:mod:`daryo.simulate._kernel`); what it hands back (a map or a
    pivot not yet worked out) is worked out here and the loop run again for those scenarios.

    Returns the scenarios it could not solve (no usable basis, a pivot that does not exist, more than
    ``max_pivots``), unsorted, and how many were solved by their own basis at once; the others' solutions
    are written to ``x`` (S, r)."""
    t = step.t
    ckey, ukey = int(step.lay.cost_key[t]), int(step.lay.bound_key[t])
    bank = cache.bank(ckey)
    S = d.shape[0]
    status = np.empty(S, dtype=np.int8)
    viol = np.full(S, -1, dtype=np.int64)
    pivots = np.zeros(S, dtype=np.int64)
    left: list[np.ndarray] = []
    own = 0
    for round_ in range(1000):
        if not idx.size:
            break
        _kernel.solve(bank, ukey, idx, d, cand, x, status, viol, pivots, tol, max_pivots, cache.used, t)
        st = status[idx]
        if round_ == 0:
            own = int(np.count_nonzero((st == _kernel.OK) & (pivots[idx] == 0)))
        left.append(idx[st == _kernel.HIGHS])
        maps = idx[(st == _kernel.NEED_MAP) | (st == _kernel.NEED_CONST)]
        for b in np.unique(cand[maps]).tolist():
            cache.register(bank, b, ckey, ukey, step)
        piv = idx[st == _kernel.NEED_PIVOT]
        if piv.size:
            keys, first = np.unique(cand[piv] * KEY + viol[piv], return_index=True)
            for key, f in zip(keys.tolist(), first.tolist(), strict=True):
                b, i = key // KEY, key % KEY
                bank.set_pivot(b, i, cache.pivot(b, i, ckey, ukey, step, d[piv[f]]))
        idx = np.concatenate([maps, piv])
    return np.concatenate([idx, *left]), own


def scenario_bounds(lo: np.ndarray, hi: np.ndarray, d: np.ndarray, lo_slots: tuple[np.ndarray, np.ndarray],
                    hi_slots: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every scenario's bounds (S, N) from shared ones ``lo``, ``hi`` (N,) and the data ``d`` (S, k+1): the
    positions of ``lo_slots`` and ``hi_slots`` (positions, their data slots) take each scenario's data."""
    S = d.shape[0]
    L = np.repeat(lo[None, :], S, axis=0)
    U = np.repeat(hi[None, :], S, axis=0)
    L[:, lo_slots[0]] = d[:, lo_slots[1]]
    U[:, hi_slots[0]] = d[:, hi_slots[1]]
    return L, U
