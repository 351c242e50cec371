"""What the fast path's basis cache needs of one simplex basis, computed with the peeled factorisation.

:mod:`daryo.simulate._basiscache` caches optimal bases and, for each, the linear map from a scenario's data to
its solution (``Basis`` there).  With Numba, the numerical work behind a basis is done here, on the sparse
factorisation of :mod:`daryo.simulate._dualsimplex` (a river network's basis is peeled in microseconds) rather
than with dense solves of the tableau ``B⁻¹[A −I]``:

- :meth:`BasisAlgebra.derivative` — ``dz/dd``, the derivative of the solution with respect to each data slot (one
  solve with ``B`` per nonbasic position that sits at a bound fed by a data slot);
- :meth:`BasisAlgebra.reduced_costs` — the reduced costs of the nonbasic positions (one solve with ``Bᵀ``);
- :meth:`BasisAlgebra.constant_row` — the solution and feasibility slacks for the step's shared bounds (one
  solve);
- :meth:`BasisAlgebra.entering` — the entering variable of a dual simplex pivot (one solve with ``Bᵀ`` for the
  leaving row of ``B⁻¹[A −I]``, then the ratio test).

Each call factorises the basis afresh (a few microseconds), so nothing but the status is kept per basis.
The results are those of the dense algebra to rounding (the tests run both).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._dualsimplex import _MAX_ETAS, Structure, _btran, _factor, _ftran
from ._kernel import _njit

__all__ = ["BasisAlgebra", "BoundBasis"]


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

    def constant_row(self, status: np.ndarray, lo: np.ndarray, hi: np.ndarray, out: np.ndarray, chk_lo: np.ndarray,
                     chk_hi: np.ndarray, fixed: np.ndarray) -> np.ndarray | None:
        """The basis's solution z where each nonbasic position sits at its bound in ``lo`` / ``hi`` (N,; 0 if
        free), as the row ``[z[out], z[chk_lo] − lo[chk_lo], hi[chk_hi] − z[chk_hi], lo[fixed] − hi[fixed]]``
        (outputs, then feasibility slacks); None if not a basis."""
        row = np.empty(out.size + chk_lo.size + chk_hi.size + fixed.size)
        z = np.empty(self.N)
        ok = _constant_row(status, lo, hi, out, chk_lo, chk_hi, fixed, z, row, self.m, self.N, *self._arrays,
                           *self._scratch)
        return row if ok else None

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

    def constant_row(self, lo: np.ndarray, hi: np.ndarray, out: np.ndarray, chk_lo: np.ndarray, chk_hi: np.ndarray,
                     fixed: np.ndarray) -> np.ndarray | None:
        return self.algebra.constant_row(self.status, lo, hi, out, chk_lo, chk_hi, fixed)

    def entering(self, slot: int, sign: float, nb: np.ndarray, red: np.ndarray, fixed: np.ndarray,
                 pivot_tol: float) -> int:
        return self.algebra.entering(self.status, slot, sign, nb, red, fixed, pivot_tol)


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


def _constant_row_py(stat, lo, hi, out, chk_lo, chk_hi, fixed, z, row, m, N, colptr, rowidx, cval, ecol,  # noqa: ANN001
                     rowptr, colidx, rval, basic, bpos, rowcnt, rowe, colcnt, rowdone, coldone, stack, fi, fv, LU,  # noqa: ANN001
                     counts, ets, eti, etv, work, tmp, x, y, ynz):  # noqa: ANN001
    if not _peel(stat, m, N, colptr, rowidx, cval, ecol, rowptr, colidx, rval, basic, bpos, rowcnt, rowe, colcnt,
                 rowdone, coldone, stack, fi, fv, LU, counts):
        return False
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


_reduced: Any = _reduced_py
_derivative: Any = _derivative_py
_constant_row: Any = _constant_row_py
_entering: Any = _entering_py
if _njit is not None:  # pragma: no branch
    _peel = _njit(_peel)
    _reduced = _njit(_reduced_py)
    _derivative = _njit(_derivative_py)
    _constant_row = _njit(_constant_row_py)
    _entering = _njit(_entering_py)
