"""The fast path's inner loop compiled with Numba (optional: ``pip install daryo[fast]``).

It does per scenario what :meth:`FastStepper._solve_step` does per group of scenarios with NumPy: evaluate
the candidate basis's map, and while a slack is violated follow the cached dual simplex pivot.  Anything the
loop cannot do by itself (a basis without a map for the step, a pivot not yet worked out, HiGHS) is handed
back to Python through ``status`` and the loop is run again for those scenarios.  Without Numba the NumPy
path runs; the two give the same optima (tests run both).
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

    def __init__(self, dtype: type, fill: float = 0) -> None:
        self.data: np.ndarray = np.full(1024, fill, dtype=dtype)
        self.size, self.fill = 0, fill

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

    Basis ``b`` (the cache's id) has ``nc[b]`` slacks; its linear maps are ``Wc`` (k × nc, slacks) and
    ``Wx`` (k × r, outputs) at ``wc_off[b]`` / ``wx_off[b]``; its constants for bound key ``u`` (slacks then
    outputs) at ``consts(u)[b]`` in ``C``; its pivot targets per slack at ``t_off[b]`` in ``trans``.
    """

    def __init__(self, k: int, r: int) -> None:
        self.k, self.r = k, r
        self.cap = 0
        self.has_map = np.zeros(0, np.int8)
        self.nc = np.zeros(0, np.int64)
        self.wc_off = np.zeros(0, np.int64)
        self.wx_off = np.zeros(0, np.int64)
        self.t_off = np.zeros(0, np.int64)
        self.Wc, self.Wx, self.C = _Grow(np.float64), _Grow(np.float64), _Grow(np.float64)
        self.trans = _Grow(np.int64, _UNKNOWN)
        self._consts: dict[int, np.ndarray] = {}
        self.max_nc = 1

    def _ensure(self, b: int) -> None:
        if b < self.cap:
            return
        cap = max(2 * self.cap, b + 1, 64)

        def grow(a: np.ndarray, fill: int) -> np.ndarray:
            out = np.full(cap, fill, dtype=a.dtype)
            out[: a.size] = a
            return out

        self.has_map, self.nc = grow(self.has_map, 0), grow(self.nc, 0)
        self.wc_off, self.wx_off, self.t_off = grow(self.wc_off, -1), grow(self.wx_off, -1), grow(self.t_off, -1)
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
        if W is None:
            self.has_map[b] = -1
            return
        k, r = self.k, self.r
        if self.has_map[b] != 1:
            nc = W.shape[1] - r
            self.nc[b] = nc
            self.wc_off[b] = self.Wc.append(np.ascontiguousarray(W[:k, r:]))
            self.wx_off[b] = self.Wx.append(np.ascontiguousarray(W[:k, :r]))
            self.t_off[b] = self.trans.append(np.full(nc, _UNKNOWN, dtype=np.int64))
            self.has_map[b] = 1
            self.max_nc = max(self.max_nc, nc)
        self.consts(ukey)[b] = self.C.append(np.concatenate([W[k, r:], W[k, :r]]))

    def set_pivot(self, b: int, slack: int, target: int) -> None:
        self._ensure(max(b, target))
        self.trans.data[self.t_off[b] + slack] = target if target >= 0 else _NONE


def solve(bank: Bank, ukey: int, idx: np.ndarray, d: np.ndarray, cand: np.ndarray, x: np.ndarray,
          status: np.ndarray, viol: np.ndarray, pivots: np.ndarray, tol: float, max_pivots: int) -> None:
    """Run the compiled loop for scenarios ``idx`` (see the module doc); fills x, status, viol, pivots."""
    if idx.size:
        bank._ensure(int(cand[idx].max()))  # every basis id the loop can meet has a slot
    _loop(idx, d, cand, bank.has_map, bank.nc, bank.wc_off, bank.wx_off, bank.Wc.data, bank.Wx.data,
          bank.t_off, bank.trans.data, bank.consts(ukey), bank.C.data, bank.k, bank.r, tol, max_pivots, x,
          status, viol, pivots, np.empty(bank.max_nc))


def _loop_py(idx, d, cand, has_map, nc, wc_off, wx_off, Wc, Wx, t_off, trans, coff, C, k, r, tol,  # noqa: ANN001
             max_piv, x, status, viol, pivots, y):  # pragma: no cover - compiled by Numba
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
            m = nc[b]
            off = wc_off[b]
            for j in range(m):
                y[j] = C[co + j]
            for i in range(k):
                di = d[s, i]
                if di != 0.0:
                    base = off + i * m
                    for j in range(m):
                        y[j] += di * Wc[base + j]
            jmin = -1
            vmin = -tol
            for j in range(m):
                if y[j] < vmin:
                    vmin = y[j]
                    jmin = j
            if jmin < 0:
                ox = wx_off[b]
                cx = co + m
                for j in range(r):
                    x[s, j] = C[cx + j]
                for i in range(k):
                    di = d[s, i]
                    if di != 0.0:
                        base = ox + i * r
                        for j in range(r):
                            x[s, j] += di * Wx[base + j]
                status[s] = OK
                cand[s] = b
                pivots[s] = piv
                break
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


_loop = _njit(_loop_py) if _njit is not None else _loop_py
