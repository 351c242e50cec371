"""The fast path's inner loop compiled with Numba (optional: ``pip install daryo[fast]``).

It does per scenario what :meth:`daryo.simulate.fastpath._CostSolver.solve_step` does per group of scenarios
with NumPy: evaluate the candidate basis's map, and while a slack is violated follow the cached dual simplex
pivot.  Anything the loop cannot do by itself (a basis without a map for the step, a pivot not yet worked
out, HiGHS) is handed back to Python through ``status`` and the loop is run again for those scenarios.
Without Numba the NumPy path runs; the two give the same optima (tests run both).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["available", "Bank", "solve", "OK", "NEED_MAP", "NEED_CONST", "NEED_PIVOT", "HIGHS"]

OK, NEED_MAP, NEED_CONST, NEED_PIVOT, HIGHS = 0, 1, 2, 3, 4
_UNKNOWN, _NONE = -1, -2

_njit: Any = None
try:  # pragma: no cover - depends on the environment
    import numba

    _njit = numba.njit(cache=True, nogil=True, fastmath=False)
except ImportError:  # pragma: no cover
    pass


def available() -> bool:
    """True when Numba is installed."""
    return _njit is not None


class _Grow:
    """A growable 1-d buffer."""

    def __init__(self, dtype: type) -> None:
        self.data: np.ndarray = np.empty(1024, dtype=dtype)
        self.size = 0

    def append(self, values: np.ndarray) -> int:
        n = values.size
        if self.size + n > self.data.size:
            new = np.empty(max(2 * self.data.size, self.size + n), dtype=self.data.dtype)
            new[: self.size] = self.data[: self.size]
            self.data = new
        off = self.size
        self.data[off: off + n] = values.ravel()
        self.size += n
        return off


class Bank:
    """The maps of the cached bases for one cost vector, as flat arrays the compiled loop reads.

    Basis ``b`` (the cache's id) has ``nc[b]`` feasibility slacks, each an affine function ``c + w·d`` of the
    scenario data ``d``.  Slacks with identical ``w`` (common along chains of equal flows: ~80 % of them) form
    one *group*, of which only the member with the smallest constant can be the most violated, so the loop
    evaluates one slack per group; and ``w`` is ~94 % zeros, so the groups' ``w`` are stored sparse, by data
    entry (``S_ptr``, ``S_idx``, ``S_val`` at ``s_off[b]`` / ``sv_off[b]``).  ``group[gm_off[b] + j]`` is slack
    ``j``'s group.  For bound key ``u``, ``consts(u)[b]`` points into ``C`` (the groups' smallest constants,
    then the outputs' constants) and into ``M`` (the slack holding each group's smallest constant).  The
    outputs' map (k × r) is stored sparse the same way (``X_ptr``, ``X_idx``, ``X_val`` at ``x_off[b]`` /
    ``xv_off[b]``); pivot targets per slack at ``t_off[b]`` in ``trans``.
    """

    def __init__(self, k: int, r: int) -> None:
        self.k, self.r = k, r
        self.cap = 0
        self.has_map = np.zeros(0, np.int8)
        self.nc = np.zeros(0, np.int64)
        self.ng = np.zeros(0, np.int64)
        self.s_off = np.zeros(0, np.int64)
        self.sv_off = np.zeros(0, np.int64)
        self.gm_off = np.zeros(0, np.int64)
        self.x_off = np.zeros(0, np.int64)
        self.xv_off = np.zeros(0, np.int64)
        self.t_off = np.zeros(0, np.int64)
        self.C, self.S_val, self.X_val = _Grow(np.float64), _Grow(np.float64), _Grow(np.float64)
        self.S_ptr, self.S_idx, self.X_ptr, self.X_idx = _Grow(np.int64), _Grow(np.int64), _Grow(np.int64), _Grow(
            np.int64)
        self.group, self.M = _Grow(np.int64), _Grow(np.int64)
        self.trans = _Grow(np.int64)
        self._consts: dict[int, np.ndarray] = {}
        self.max_ng = 1
        self._probe = np.random.default_rng(0).uniform(1.0, 2.0, k)  # hashes columns (see _identical_columns)

    def _ensure(self, b: int) -> None:
        if b < self.cap:
            return
        cap = max(2 * self.cap, b + 1, 64)

        def grow(a: np.ndarray, fill: int) -> np.ndarray:
            out = np.full(cap, fill, dtype=a.dtype)
            out[: a.size] = a
            return out

        self.has_map, self.nc, self.ng = grow(self.has_map, 0), grow(self.nc, 0), grow(self.ng, 0)
        self.s_off, self.sv_off, self.gm_off = grow(self.s_off, -1), grow(self.sv_off, -1), grow(self.gm_off, -1)
        self.x_off, self.xv_off, self.t_off = grow(self.x_off, -1), grow(self.xv_off, -1), grow(self.t_off, -1)
        self._consts = {u: grow(c, -1) for u, c in self._consts.items()}
        self.cap = cap

    def consts(self, ukey: int) -> np.ndarray:
        c = self._consts.get(ukey)
        if c is None:
            c = self._consts[ukey] = np.full(self.cap, -1, dtype=np.int64)
        return c

    def register(self, b: int, W: np.ndarray | None, ukey: int) -> None:
        """Record basis ``b``'s map W (k+1, r + nc; None: never optimal) and its constants for ``ukey``."""
        self._ensure(b)
        if self.has_map[b] == 1 and self.consts(ukey)[b] >= 0:
            return  # already held
        if W is None:
            self.has_map[b] = -1
            return
        k, r = self.k, self.r
        if self.has_map[b] != 1:
            Wc = W[:k, r:]
            nc = Wc.shape[1]
            group, first = _identical_columns(Wc, self._probe)
            self.nc[b], self.ng[b] = nc, first.size
            self.s_off[b], self.sv_off[b] = _append_sparse(Wc[:, first], self.S_ptr, self.S_idx, self.S_val)
            self.x_off[b], self.xv_off[b] = _append_sparse(W[:k, :r], self.X_ptr, self.X_idx, self.X_val)
            self.gm_off[b] = self.group.append(group)
            self.t_off[b] = self.trans.append(np.full(nc, _UNKNOWN, dtype=np.int64))
            self.has_map[b] = 1
            self.max_ng = max(self.max_ng, first.size)
        ng, nc = int(self.ng[b]), int(self.nc[b])
        gmin, head = np.empty(ng), np.empty(ng, dtype=np.int64)
        _group_min(W[k, r:], self.group.data[self.gm_off[b]: self.gm_off[b] + nc], gmin, head)
        off = self.C.append(np.concatenate([gmin, W[k, :r]]))
        self.M.append(np.concatenate([head, np.zeros(r, np.int64)]))
        self.consts(ukey)[b] = off

    def set_pivot(self, b: int, slack: int, target: int) -> None:
        self._ensure(max(b, target))
        self.trans.data[self.t_off[b] + slack] = target if target >= 0 else _NONE


def _identical_columns(a: np.ndarray, probe: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Groups of identical columns of ``a`` (k, c): each column's group, numbered in the order of the groups'
    first columns, and each group's first column.  Columns are grouped by a random projection, then checked
    equal to their group's first column entry by entry (a collision splits the group by exact comparison)."""
    h = probe @ a
    _, first, group = np.unique(h, return_index=True, return_inverse=True)
    group = group.reshape(-1)
    if not np.array_equal(a, a[:, first[group]]):  # a hash collision (never seen): compare exactly
        ids: dict[bytes, int] = {}
        group = np.array([ids.setdefault(col.tobytes(), len(ids)) for col in np.ascontiguousarray(a.T)],
                         dtype=np.int64)
        first = np.zeros(len(ids), dtype=np.int64)
        first[group[::-1]] = np.arange(group.size - 1, -1, -1)
        return group, first
    order = np.argsort(first)  # renumber by first column
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank[group].astype(np.int64), first[order].astype(np.int64)


def _append_sparse(a: np.ndarray, ptr: _Grow, idx: _Grow, val: _Grow) -> tuple[int, int]:
    """Append the non-zeros of ``a`` (k, c) by row; returns the offsets of its row pointers and entries."""
    rows, cols = np.nonzero(a)
    p = ptr.append(np.searchsorted(rows, np.arange(a.shape[0] + 1)).astype(np.int64))
    v = idx.append(cols.astype(np.int64))
    val.append(a[rows, cols])
    return p, v


def solve(bank: Bank, ukey: int, idx: np.ndarray, d: np.ndarray, cand: np.ndarray, x: np.ndarray,
          status: np.ndarray, viol: np.ndarray, pivots: np.ndarray, tol: float, max_pivots: int) -> None:
    """Run the compiled loop for scenarios ``idx`` (see the module doc); fills x, status, viol, pivots."""
    if idx.size:
        bank._ensure(int(cand[idx].max()))  # every basis id the loop can meet has a slot
    _loop(idx, d, cand, bank.has_map, bank.ng, bank.s_off, bank.sv_off, bank.S_ptr.data, bank.S_idx.data,
          bank.S_val.data, bank.x_off, bank.xv_off, bank.X_ptr.data, bank.X_idx.data, bank.X_val.data,
          bank.t_off, bank.trans.data, bank.consts(ukey), bank.C.data, bank.M.data, bank.k, bank.r, tol,
          max_pivots, x, status, viol, pivots, np.empty(bank.max_ng))


def _loop_py(idx, d, cand, has_map, ng, s_off, sv_off, S_ptr, S_idx, S_val, x_off, xv_off, X_ptr, X_idx,  # noqa: ANN001
             X_val, t_off, trans, coff, C, M, k, r, tol, max_piv, x, status, viol, pivots,  # noqa: ANN001
             y):  # noqa: ANN001 # pragma: no cover
    for n in range(idx.size):
        s = idx[n]
        b = cand[s]
        piv = 0
        while True:
            if b < 0:
                status[s] = HIGHS
                break
            hm = has_map[b]
            if hm == 0:
                status[s] = NEED_MAP
                cand[s] = b
                break
            if hm < 0:
                status[s] = HIGHS
                break
            co = coff[b]
            if co < 0:
                status[s] = NEED_CONST
                cand[s] = b
                break
            m = ng[b]
            for g in range(m):  # each group's smallest slack: constant + sparse w·d
                y[g] = C[co + g]
            _add_sparse(y, d, s, k, S_ptr, s_off[b], S_idx, S_val, sv_off[b])
            gmin = -1
            vmin = -tol
            for g in range(m):
                if y[g] < vmin:
                    vmin = y[g]
                    gmin = g
            if gmin < 0:
                cx = co + m
                for j in range(r):
                    x[s, j] = C[cx + j]
                _add_sparse(x[s], d, s, k, X_ptr, x_off[b], X_idx, X_val, xv_off[b])
                status[s] = OK
                cand[s] = b
                pivots[s] = piv
                break
            jmin = M[co + gmin]  # the slack itself
            cand[s] = b
            viol[s] = jmin
            if piv >= max_piv:
                status[s] = HIGHS
                break
            target = trans[t_off[b] + jmin]
            if target == _UNKNOWN:
                status[s] = NEED_PIVOT
                break
            if target == _NONE:
                status[s] = HIGHS
                break
            b = target
            piv += 1


def _add_sparse_py(out, d, s, k, ptr, p0, idx, val, v0):  # noqa: ANN001 # pragma: no cover - compiled by Numba
    """``out += d[s, :k] · map``, the map stored sparse by data entry (rows at ``ptr[p0:]``, entries at ``v0``)."""
    for i in range(k):
        di = d[s, i]
        if di != 0.0:
            for e in range(v0 + ptr[p0 + i], v0 + ptr[p0 + i + 1]):
                out[idx[e]] += di * val[e]


_add_sparse = _njit(_add_sparse_py) if _njit is not None else _add_sparse_py


def _group_min_py(const, group, gmin, head):  # noqa: ANN001 # pragma: no cover - compiled by Numba
    """Each group's smallest constant and the first slack that has it."""
    for g in range(gmin.size):
        head[g] = -1
    for j in range(const.size):
        g = group[j]
        if head[g] < 0 or const[j] < gmin[g]:
            gmin[g] = const[j]
            head[g] = j


_group_min = _njit(_group_min_py) if _njit is not None else _group_min_py
_loop = _njit(_loop_py) if _njit is not None else _loop_py
