"""What the fast path's basis cache needs of one simplex basis, computed with the peeled factorisation.

:mod:`daryo.simulate._basiscache` caches optimal bases and, for each, the linear map from a scenario's data to
its solution (``Basis`` there).  With Numba, the numerical work behind a basis is done here, on the sparse
factorisation of :mod:`daryo.simulate._dualsimplex` (a river network's basis is peeled in microseconds) rather
than with dense solves of the tableau ``B⁻¹[A −I]``:

- :meth:`BasisAlgebra.derivative` — ``dz/dd``, the derivative of the solution with respect to each data slot (one
  solve with ``B`` per nonbasic position that sits at a bound fed by a data slot);
- :meth:`BasisAlgebra.reduced_costs` — the reduced costs of the nonbasic positions (one solve with ``Bᵀ``);
- :meth:`BasisAlgebra.constant_rows` — the solution and feasibility slacks for given shared bounds (one solve
  per bound key, one factorisation for all);
- :meth:`BasisAlgebra.entering` — the entering variable of a dual simplex pivot (one solve with ``Bᵀ`` for the
  leaving row of ``B⁻¹[A −I]``, then the ratio test); :meth:`BasisAlgebra.pivot` — the new status, the
  positions a scenario's bounds fix worked out in the same call.

:func:`basis_sets` (a basis's positions by kind) and :func:`dual_check` (its reduced costs' signs) need no
factorisation; they are compiled too, since the cache calls them for every new basis (as Python without Numba).

Each call factorises the basis afresh (a few microseconds), so nothing but the status is kept per basis.
The results are those of the dense algebra to rounding (the tests run both).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._dualsimplex import _MAX_ETAS, Structure, _btran, _factor, _ftran
from ._kernel import _njit

__all__ = ["BasisAlgebra", "BoundBasis", "basis_sets", "dual_check"]


class BasisAlgebra:
    """The LP's matrix ``[A −I]`` and scratch space for the compiled basis computations."""

    def __init__(self, st: Structure, n_positions: int):
        m, N = st.m, n_positions
        self.st, self.m, self.N = st, m, N
        self._arrays = (st.colptr, st.rowidx, st.cval, st.ecol, st.rowptr, st.colidx, st.rval)
        i64 = np.int64
        self._scratch = (np.empty(m, i64), np.empty(N, i64), np.empty(m, i64), np.empty(m, i64), np.empty(m, i64),
                         np.empty(m, np.bool_), np.empty(m, np.bool_), np.empty(m, i64), np.empty((7, m), i64),
                         np.empty(m), np.empty((m, m)), np.zeros(3, i64), np.zeros(_MAX_ETAS + 2, i64),
                         np.empty((_MAX_ETAS + 1) * m, i64), np.empty((_MAX_ETAS + 1) * m), np.empty(m),
                         np.empty(m), np.empty(m), np.empty(m), np.empty(m, i64))
        self._fixed, self._ratio, self._alpha = np.empty(N, np.bool_), np.empty(N), np.zeros(N)  # (pivots)

    def pivot(self, status: np.ndarray, i: int, sets: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
              red: np.ndarray, bounds: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], d: np.ndarray,
              pivot_tol: float) -> np.ndarray | None:
        """The status after one dual simplex pivot in which the basic variable of feasibility slack ``i`` (the
        ``chk_lo`` positions' lower bounds, then the ``chk_hi`` positions' upper bounds) leaves at the bound it
        violates, for the scenario of data row ``d``: positions whose bounds are equal for it cannot enter (see
        :meth:`entering`).  ``sets``: the basis's ``chk_lo``, ``chk_hi``, basic and nonbasic positions; ``red``:
        the nonbasic positions' reduced costs; ``bounds``: the shared lower and upper bounds (N,) and the data slot
        of each (``lo_slot``, ``hi_slot``; −1: shared).  None: no pivot (or not a basis)."""
        chk_lo, chk_hi, basic, nb = sets
        lo, hi, lo_slot, hi_slot = bounds
        new = np.empty_like(status)
        ok = _pivot(status, i, chk_lo, chk_hi, basic, nb, red, lo, hi, lo_slot, hi_slot, d, pivot_tol, new,
                    self._fixed, self._ratio, self._alpha, self.m, self.N, *self._arrays, *self._scratch)
        return new if ok else None

    def bind(self, status: np.ndarray) -> BoundBasis:
        """The algebra of one basis (its status: lower 0, basic 1, upper 2, free at zero 3, per position)."""
        return BoundBasis(self, status)

    def derivative(self, status: np.ndarray, slot: np.ndarray, k: int) -> np.ndarray | None:
        """``dz/dd`` (N, k): how the basis's solution moves with each data slot.

        ``slot[q]`` is the data slot that feeds nonbasic position ``q``'s value (its lower bound's slot where it
        sits at its lower bound, its upper bound's where at its upper bound; −1: none).  None if ``status`` is
        not a usable basis (singular, or an entry beyond 1e9: nearly singular).
        """
        dz = np.zeros((self.N, k))
        return dz if _derivative(status, slot, dz, self.m, self.N, *self._arrays, *self._scratch) else None

    def reduced_costs(self, status: np.ndarray, cost: np.ndarray) -> np.ndarray | None:
        """``c_q − a_qᵀ B⁻ᵀ c_B`` at the nonbasic positions, 0 at the basic ones (N,); None if not a basis."""
        red = np.zeros(self.N)
        return red if _reduced(status, cost, red, self.m, self.N, *self._arrays, *self._scratch) else None

    def constant_rows(self, status: np.ndarray, lo: np.ndarray, hi: np.ndarray, out: np.ndarray, chk_lo: np.ndarray,
                      chk_hi: np.ndarray, fixed: np.ndarray) -> np.ndarray | None:
        """For each pair of bounds ``lo[u]``, ``hi[u]`` (U, N), the basis's solution z where each nonbasic position
        sits at its bound (0 if free), as the row ``[z[out], z[chk_lo] − lo[chk_lo], hi[chk_hi] − z[chk_hi],
        lo[fixed] − hi[fixed]]`` (outputs, then feasibility slacks): (U, ·), one factorisation for all; None if
        not a basis."""
        rows = np.empty((lo.shape[0], out.size + chk_lo.size + chk_hi.size + fixed.size))
        z = np.empty(self.N)
        ok = _constant_rows(status, lo, hi, out, chk_lo, chk_hi, fixed, z, rows, self.m, self.N, *self._arrays,
                            *self._scratch)
        return rows if ok else None

    def entering(self, status: np.ndarray, slot: int, sign: float, nb: np.ndarray, red: np.ndarray,
                 fixed: np.ndarray, pivot_tol: float) -> int:
        """The dual ratio test of a pivot in which the basic variable of ``slot`` leaves (``sign`` +1: it is
        below its lower bound, −1: above its upper bound): the index into ``nb`` (the nonbasic positions, with
        reduced costs ``red``) of the entering variable, −1 if none (or not a basis).  Positions where ``fixed``
        is True cannot enter.  Candidates: ``α_q = sign·(B⁻¹N)[slot, q]`` beyond ``pivot_tol`` in the direction
        their status allows; among the smallest ratios ``|red_q| / |α_q|`` (within 1e-12 relative), the
        largest ``|α_q|``, the first one on ties."""
        ratio, alpha = np.empty(nb.size), np.zeros(nb.size)
        return int(_entering(status, slot, sign, nb, red, fixed, pivot_tol, ratio, alpha, self.m, self.N,
                             *self._arrays, *self._scratch))


class BoundBasis:
    """:class:`BasisAlgebra`'s computations for one basis (see there; the interface of the fast path's dense
    algebra)."""

    __slots__ = ("algebra", "status")

    def __init__(self, algebra: BasisAlgebra, status: np.ndarray):
        self.algebra, self.status = algebra, status

    def derivative(self, slot: np.ndarray, k: int) -> np.ndarray | None:
        return self.algebra.derivative(self.status, slot, k)

    def reduced_costs(self, cost: np.ndarray) -> np.ndarray | None:
        return self.algebra.reduced_costs(self.status, cost)

    def constant_rows(self, lo: np.ndarray, hi: np.ndarray, out: np.ndarray, chk_lo: np.ndarray, chk_hi: np.ndarray,
                      fixed: np.ndarray) -> np.ndarray | None:
        return self.algebra.constant_rows(self.status, lo, hi, out, chk_lo, chk_hi, fixed)

    def entering(self, slot: int, sign: float, nb: np.ndarray, red: np.ndarray, fixed: np.ndarray,
                 pivot_tol: float) -> int:
        return self.algebra.entering(self.status, slot, sign, nb, red, fixed, pivot_tol)

    def pivot(self, i: int, sets: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], red: np.ndarray,
              bounds: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], d: np.ndarray,
              pivot_tol: float) -> np.ndarray | None:
        return self.algebra.pivot(self.status, i, sets, red, bounds, d, pivot_tol)


def _peel(stat, m, N, colptr, rowidx, cval, ecol, rowptr, colidx, rval, basic, bpos, rowcnt, rowe, colcnt,  # noqa: ANN001
          rowdone, coldone, stack, fi, fv, LU, counts):  # noqa: ANN001
    return _factor(stat, N, m, colptr, rowidx, cval, ecol, rowptr, colidx, basic, bpos, rowcnt, rowe, colcnt,
                   rowdone, coldone, stack, fi, fv, LU, counts)


def _reduced_py(stat, cost, red, m, N, colptr, rowidx, cval, ecol, rowptr, colidx, rval, basic, bpos, rowcnt,  # noqa: ANN001
                rowe, colcnt, rowdone, coldone, stack, fi, fv, LU, counts, ets, eti, etv, work, tmp, x, y, ynz):  # noqa: ANN001
    if not _peel(stat, m, N, colptr, rowidx, cval, ecol, rowptr, colidx, rval, basic, bpos, rowcnt, rowe, colcnt,
                 rowdone, coldone, stack, fi, fv, LU, counts):
        return False
    for b in range(m):  # duals y = B⁻ᵀ c_B
        x[b] = cost[basic[b]]
    _btran(x, y, ynz, False, work, tmp, m, colptr, rowidx, cval, rowptr, colidx, rval, bpos, fi, fv, LU, counts,
           ets, eti, etv, 0)
    for q in range(N):
        if bpos[q] < 0:
            acc = cost[q]
            for e in range(colptr[q], colptr[q + 1]):
                acc -= cval[e] * y[rowidx[e]]
            red[q] = acc
    return True


def _derivative_py(stat, slot, dz, m, N, colptr, rowidx, cval, ecol, rowptr, colidx, rval, basic, bpos, rowcnt,  # noqa: ANN001
                   rowe, colcnt, rowdone, coldone, stack, fi, fv, LU, counts, ets, eti, etv, work, tmp, x, y, ynz):  # noqa: ANN001
    if not _peel(stat, m, N, colptr, rowidx, cval, ecol, rowptr, colidx, rval, basic, bpos, rowcnt, rowe, colcnt,
                 rowdone, coldone, stack, fi, fv, LU, counts):
        return False
    for q in range(N):  # z_B = −B⁻¹ a_q z_q for each nonbasic q fed by a data slot
        s = slot[q]
        if bpos[q] >= 0 or s < 0:
            continue
        dz[q, s] += 1.0
        for r in range(m):
            work[r] = 0.0
        for e in range(colptr[q], colptr[q + 1]):
            work[rowidx[e]] = cval[e]
        _ftran(work, x, y, tmp, m, colptr, rowidx, cval, fi, fv, LU, counts, ets, eti, etv, 0)
        for b in range(m):
            v = dz[basic[b], s] - x[b]
            if not abs(v) < 1e9:
                return False
            dz[basic[b], s] = v
    return True


def _constant_rows_py(stat, LO, HI, out, chk_lo, chk_hi, fixed, z, rows, m, N, colptr, rowidx, cval, ecol,  # noqa: ANN001
                      rowptr, colidx, rval, basic, bpos, rowcnt, rowe, colcnt, rowdone, coldone, stack, fi, fv, LU,  # noqa: ANN001
                      counts, ets, eti, etv, work, tmp, x, y, ynz):  # noqa: ANN001
    if not _peel(stat, m, N, colptr, rowidx, cval, ecol, rowptr, colidx, rval, basic, bpos, rowcnt, rowe, colcnt,
                 rowdone, coldone, stack, fi, fv, LU, counts):
        return False
    for u in range(LO.shape[0]):  # one factorisation, a solve per pair of bounds
        lo, hi, row = LO[u], HI[u], rows[u]
        for r in range(m):
            work[r] = 0.0
        for q in range(N):  # B z_B = −N z_N
            code = stat[q]
            v = lo[q] if code == 0 else (hi[q] if code == 2 else 0.0)
            z[q] = v
            if bpos[q] < 0 and v != 0.0:
                for e in range(colptr[q], colptr[q + 1]):
                    work[rowidx[e]] -= cval[e] * v
        _ftran(work, x, y, tmp, m, colptr, rowidx, cval, fi, fv, LU, counts, ets, eti, etv, 0)
        for b in range(m):
            z[basic[b]] = x[b]
        i = 0
        for j in range(out.size):
            row[i] = z[out[j]]
            i += 1
        for j in range(chk_lo.size):
            row[i] = z[chk_lo[j]] - lo[chk_lo[j]]
            i += 1
        for j in range(chk_hi.size):
            row[i] = hi[chk_hi[j]] - z[chk_hi[j]]
            i += 1
        for j in range(fixed.size):
            row[i] = lo[fixed[j]] - hi[fixed[j]]
            i += 1
    return True


def _entering_py(stat, slot, sign, nb, red, fixed, tol, ratio, alpha, m, N, colptr, rowidx, cval, ecol, rowptr,  # noqa: ANN001
                 colidx, rval, basic, bpos, rowcnt, rowe, colcnt, rowdone, coldone, stack, fi, fv, LU, counts, ets,  # noqa: ANN001
                 eti, etv, work, tmp, x, y, ynz):  # noqa: ANN001
    if not _peel(stat, m, N, colptr, rowidx, cval, ecol, rowptr, colidx, rval, basic, bpos, rowcnt, rowe, colcnt,
                 rowdone, coldone, stack, fi, fv, LU, counts):
        return -1
    for b in range(m):
        x[b] = 0.0
    x[slot] = 1.0
    _btran(x, y, ynz, False, work, tmp, m, colptr, rowidx, cval, rowptr, colidx, rval, bpos, fi, fv, LU, counts,
           ets, eti, etv, 0)
    lowest = np.inf
    for i in range(nb.size):  # α_q = −sign·ρᵀa_q, ρ = B⁻ᵀ e_slot (the tableau is −B⁻¹N)
        q = nb[i]
        ratio[i] = np.inf
        if fixed[q]:
            continue
        acc = 0.0
        for e in range(colptr[q], colptr[q + 1]):
            acc += cval[e] * y[rowidx[e]]
        a = -sign * acc
        code = stat[q]
        if (code == 0 and a > tol) or (code == 2 and a < -tol) or (code == 3 and abs(a) > tol):
            alpha[i] = a
            ratio[i] = abs(red[i]) / abs(a)
            lowest = min(lowest, ratio[i])
    best = -1
    if lowest < np.inf:
        cut = lowest + 1e-12 * max(1.0, lowest)
        for i in range(nb.size):
            if ratio[i] <= cut and (best < 0 or abs(alpha[i]) > abs(alpha[best])):
                best = i
    return best


def _pivot_py(stat, i, chk_lo, chk_hi, basic, nb, red, lo, hi, lo_slot, hi_slot, d, tol, new, fixed, ratio, alpha,  # noqa: ANN001,ANN201
              m, N, colptr, rowidx, cval, ecol, rowptr, colidx, rval, bpos_basic, bpos, rowcnt, rowe, colcnt, rowdone,  # noqa: ANN001
              coldone, stack, fi, fv, LU, counts, ets, eti, etv, work, tmp, x, y, ynz):  # noqa: ANN001
    """See :meth:`BasisAlgebra.pivot`."""
    n_lo, n_hi = chk_lo.size, chk_hi.size
    if i < n_lo:
        j, leave_to, sign = chk_lo[i], 0, 1.0  # below its lower bound: must increase
    elif i < n_lo + n_hi:
        j, leave_to, sign = chk_hi[i - n_lo], 2, -1.0  # above its upper bound: decrease
    else:
        return False
    for q in range(N):  # the scenario's bounds: its data where a slot feeds them, else the shared ones
        a = d[lo_slot[q]] if lo_slot[q] >= 0 else lo[q]
        b = d[hi_slot[q]] if hi_slot[q] >= 0 else hi[q]
        fixed[q] = a == b
    e = _entering(stat, np.searchsorted(basic, j), sign, nb, red, fixed, tol, ratio, alpha, m, N, colptr, rowidx,
                  cval, ecol, rowptr, colidx, rval, bpos_basic, bpos, rowcnt, rowe, colcnt, rowdone, coldone, stack,
                  fi, fv, LU, counts, ets, eti, etv, work, tmp, x, y, ynz)
    if e < 0:
        return False
    for q in range(N):
        new[q] = stat[q]
    new[j] = leave_to
    new[nb[e]] = 1
    return True


def _sets_py(stat, inf_lo, inf_hi, lo_slot, hi_slot, m):  # noqa: ANN001,ANN201
    """A basis's index sets (see :func:`basis_sets`); ``ok`` False if it has not ``m`` basic positions or a
    nonbasic position sits at an infinite bound."""
    N = stat.size
    basic = np.empty(m, np.int64)
    nb = np.empty(max(N - m, 0), np.int64)
    slot = np.full(N, -1, np.int64)
    nbs, n_lo, n_hi = 0, 0, 0
    ok = True
    for q in range(N):
        code = stat[q]
        if code == 1:
            if nbs >= m:
                return False, basic, nb, slot, basic[:0], basic[:0]
            basic[nbs] = q
            nbs += 1
            n_lo += not inf_lo[q]
            n_hi += not inf_hi[q]
        else:
            if q - nbs >= nb.size:
                return False, basic, nb, slot, basic[:0], basic[:0]
            nb[q - nbs] = q
            if code == 0:
                ok = ok and not inf_lo[q]
                slot[q] = lo_slot[q]
            elif code == 2:
                ok = ok and not inf_hi[q]
                slot[q] = hi_slot[q]
    if nbs != m:
        return False, basic, nb, slot, basic[:0], basic[:0]
    chk_lo = np.empty(n_lo, np.int64)
    chk_hi = np.empty(n_hi, np.int64)
    i, j = 0, 0
    for b in range(m):
        q = basic[b]
        if not inf_lo[q]:
            chk_lo[i] = q
            i += 1
        if not inf_hi[q]:
            chk_hi[j] = q
            j += 1
    return ok, basic, nb, slot, chk_lo, chk_hi


def basis_sets(status: np.ndarray, inf_lo: np.ndarray, inf_hi: np.ndarray, lo_slot: np.ndarray, hi_slot: np.ndarray,
               m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """A basis's positions: basic ones, nonbasic ones, the data slot feeding each position's value (its lower
    bound's slot where it sits at its lower bound, its upper bound's where at its upper one; −1: none), and the
    basic positions with a finite lower / upper bound.  None if ``status`` has not ``m`` basic positions or puts
    a nonbasic position at an infinite bound (lower 0, basic 1, upper 2, free at zero 3)."""
    ok, basic, nb, slot, chk_lo, chk_hi = _sets(status, inf_lo, inf_hi, lo_slot, hi_slot, m)
    return (basic, nb, slot, chk_lo, chk_hi) if ok else None


def _duals_py(stat, nb, full, tol, inf_lo, inf_hi):  # noqa: ANN001,ANN201
    """See :func:`dual_check`."""
    red = np.empty(nb.size)
    wrong = np.empty(nb.size, np.int64)
    n, ok = 0, True
    for i in range(nb.size):
        q = nb[i]
        r = full[q]
        red[i] = r
        code = stat[q]
        if code == 3:  # free at zero: any reduced cost but 0 could improve it, fixed or not
            ok = ok and not abs(r) > tol
        elif (code == 0 and r < -tol) or (code == 2 and r > tol):
            wrong[n] = q
            n += 1
            ok = ok and not (inf_lo[q] or inf_hi[q])  # (optimal only while fixed: it must have both bounds)
    return ok, red, wrong[:n]


def dual_check(status: np.ndarray, nb: np.ndarray, reduced: np.ndarray, tol: float, inf_lo: np.ndarray,
               inf_hi: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """The reduced costs ``reduced`` (N,) of a basis's nonbasic positions ``nb``, and those positions whose reduced
    cost has the wrong sign for their status beyond ``tol`` (optimal only while fixed); None instead of them if
    the basis is never optimal (a free nonbasic position with a reduced cost, or a wrong sign at a position that
    cannot be fixed, having an infinite bound)."""
    ok, red, wrong = _duals(status, nb, reduced, tol, inf_lo, inf_hi)
    return (wrong if ok else None), red


_sets: Any = _sets_py
_duals: Any = _duals_py
_pivot: Any = _pivot_py
_reduced: Any = _reduced_py
_derivative: Any = _derivative_py
_constant_rows: Any = _constant_rows_py
_entering: Any = _entering_py
if _njit is not None:  # pragma: no branch
    _peel = _njit(_peel)
    _sets = _njit(_sets_py)
    _duals = _njit(_duals_py)
    _reduced = _njit(_reduced_py)
    _derivative = _njit(_derivative_py)
    _constant_rows = _njit(_constant_rows_py)
    _entering = _njit(_entering_py)
    _pivot = _njit(_pivot_py)
