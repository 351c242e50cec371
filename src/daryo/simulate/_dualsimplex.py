"""A small bounded dual simplex, compiled with Numba, for many LPs of one structure.

Used by the ``priority``-mode fast path (:mod:`daryo.simulate.fastpriority`).  Each scenario's LP is

    min c·z   s.t.   [A −I] z = 0,   L ≤ z ≤ U          (z: the n columns, then the m rows)

with the scenario's own bounds ``L``, ``U`` and, optionally, a changed column ``t`` (``a_t + δ`` on a few rows;
see *rank-one change* below).  A scenario starts from a basis given by its simplex status (lower 0, basic 1,
upper 2, free-at-zero 3, one per position; typically the optimal basis of the same LP at the previous step),
and takes dual simplex pivots until the basis is primal feasible (optimal), no entering variable exists (the
LP is infeasible), the start basis is not dual feasible, or ``max_pivots`` is reached (failure: the caller
tries something else).  The answer is only returned for a basis that is checked primal feasible to
``primal_tol`` and dual feasible to ``dual_tol`` (reduced costs recomputed from scratch for the check): an
optimal basis, so its solution is the LP optimum.

An iteration: factorise the basis, compute the basic values from the nonbasic ones (bounds), pick the most
violated basic variable to leave, and choose the entering one by a bound-flipping ("long-step") ratio test:
boxed candidates whose breakpoint comes first are flipped to their other bound while the leaving row stays
infeasible, the next one enters.  Reduced costs are updated by the pivot row between the full computations.

Basis factorisation
-------------------
A river network's basis matrix is almost triangular (each flow column has two entries, each row slack one).
It is factorised by peeling: rows with a single entry among the remaining basic columns give the leading
lower-triangular part, columns with a single entry among the remaining rows the trailing part, and what is
left (the *bump*, a handful of columns at most) gets a dense LU with partial pivoting.  Solves with ``B``
and ``Bᵀ`` are then a pass over the non-zeros plus the bump: microseconds for a 150-row basis.

Rank-one change
---------------
A priority stage's coverage column ``t`` has scenario-dependent coefficients.  The factorisation is of the
compiled matrix (placeholder coefficients); the scenario's column is ``a_t + δ``.  With ``w = B⁻¹δ``: if ``t``
is basic at ``it``, ``z_B = z_B⁰ − w z_B⁰[it] / (1 + w[it])`` and the duals are those of the placeholder basis
divided by ``1 + w[it]`` (Sherman–Morrison); if ``t`` is nonbasic, its column enters the right-hand side with
``δ`` added.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._kernel import _njit

__all__ = ["Structure", "solve", "OK", "FAIL", "INFEASIBLE", "LOWER", "BASIC", "UPPER", "ZERO"]

OK, FAIL, INFEASIBLE = 0, 1, 2
LOWER, BASIC, UPPER, ZERO = 0, 1, 2, 3
_PIVOT_TOL = 1e-11  # smallest usable pivot in the factorisation (entries are O(1): ±1, 1 − loss, …)


class Structure:
    """``[A −I]`` of an LP, column-wise and row-wise (the arrays the compiled loop reads)."""

    def __init__(self, A: sp.spmatrix):
        m, n = A.shape
        M = sp.hstack([sp.csc_matrix(A), -sp.identity(m, format="csc")], format="csc")
        M.eliminate_zeros()
        M.sort_indices()
        R = M.tocsr()
        R.sort_indices()
        self.m, self.n, self.N = m, n, n + m
        self.colptr, self.rowidx, self.cval = M.indptr.astype(np.int64), M.indices.astype(np.int64), M.data.copy()
        self.rowptr, self.colidx, self.rval = R.indptr.astype(np.int64), R.indices.astype(np.int64), R.data.copy()


def solve(st: Structure, idx: np.ndarray, L: np.ndarray, U: np.ndarray, status: np.ndarray, cost: np.ndarray,
          D: np.ndarray, jrows: np.ndarray, tcol: int, primal_tol: float, dual_tol: float, max_pivots: int,
          z: np.ndarray, result: np.ndarray, den: np.ndarray, ycov: np.ndarray, pivots: np.ndarray,
          compiled: bool = True) -> None:
    """Solve the LPs of scenarios ``idx`` (rows of ``L``, ``U``, ``status``, ``D``, ``z``…).

    Parameters
    ----------
    st
        The LP matrix.
    L, U
        Bounds (k, N); ``status`` (k, N) int8: the start bases, replaced by the final ones.
    cost
        Costs (N,) shared by all scenarios.
    D, jrows, tcol
        The rank-one change: column ``tcol`` gets ``D[s, j]`` added on row ``jrows[j]`` (``tcol`` −1: none).
    z, result, den, ycov, pivots
        Outputs: solution (k, N), OK / FAIL / INFEASIBLE, ``1 + w[it]`` (1 without a change), the duals of the
        rows ``jrows`` (k, J; 0 where the row is basic), pivots taken.
    compiled
        False runs the same code as plain Python (slow; for tests without Numba).
    """
    fn = _solve_all if compiled else _solve_all_py
    fn(idx, L, U, status, cost, D, jrows, int(tcol), float(primal_tol), float(dual_tol), int(max_pivots),
       st.colptr, st.rowidx, st.cval, st.rowptr, st.colidx, st.rval, st.m, z, result, den, ycov, pivots)


def _factor(stat, N, m, colptr, rowidx, cval, rowptr, colidx, rval, basic, bpos, rowcnt, colcnt, rowdone,  # noqa: ANN001
            coldone, stack, p1r, p1c, er, ec, brow, bcol, bumpr, bumpc, LU, perm, counts):  # noqa: ANN001
    """Peel the basis of ``stat`` (see the module doc); False if it is not a usable basis.  ``counts`` gets
    (leading pairs, trailing pairs, bump size)."""
    nb = 0
    for q in range(N):
        if stat[q] == 1:
            if nb >= m:
                return False
            basic[nb] = q
            bpos[q] = nb
            nb += 1
        else:
            if stat[q] > 3 or stat[q] < 0:
                return False
            bpos[q] = -1
    if nb != m:
        return False
    for r in range(m):
        rowcnt[r] = 0
        rowdone[r] = False
        brow[r] = -1
    for b in range(m):
        coldone[b] = False
        bcol[b] = -1
        q = basic[b]
        for e in range(colptr[q], colptr[q + 1]):
            rowcnt[rowidx[e]] += 1
    # leading part: rows with one entry among the remaining columns
    top = 0
    for r in range(m):
        if rowcnt[r] == 1:
            stack[top] = r
            top += 1
    n1 = 0
    while top > 0:
        top -= 1
        r = stack[top]
        if rowdone[r] or rowcnt[r] != 1:
            continue
        bc = -1
        pv = 0.0
        for e in range(rowptr[r], rowptr[r + 1]):
            b = bpos[colidx[e]]
            if b >= 0 and not coldone[b]:
                bc = b
                pv = rval[e]
        if bc < 0 or abs(pv) < _PIVOT_TOL:
            return False
        rowdone[r] = True
        coldone[bc] = True
        p1r[n1] = r
        p1c[n1] = bc
        n1 += 1
        q = basic[bc]
        for e in range(colptr[q], colptr[q + 1]):
            r2 = rowidx[e]
            if not rowdone[r2]:
                rowcnt[r2] -= 1
                if rowcnt[r2] == 1:
                    stack[top] = r2
                    top += 1
    # trailing part: columns with one entry among the remaining rows
    top = 0
    for b in range(m):
        if coldone[b]:
            continue
        q = basic[b]
        c = 0
        for e in range(colptr[q], colptr[q + 1]):
            if not rowdone[rowidx[e]]:
                c += 1
        colcnt[b] = c
        if c == 1:
            stack[top] = b
            top += 1
    ne = 0
    while top > 0:
        top -= 1
        b = stack[top]
        if coldone[b] or colcnt[b] != 1:
            continue
        q = basic[b]
        rr = -1
        pv = 0.0
        for e in range(colptr[q], colptr[q + 1]):
            if not rowdone[rowidx[e]]:
                rr = rowidx[e]
                pv = cval[e]
        if rr < 0 or abs(pv) < _PIVOT_TOL:
            return False
        rowdone[rr] = True
        coldone[b] = True
        er[ne] = rr
        ec[ne] = b
        ne += 1
        for e in range(rowptr[rr], rowptr[rr + 1]):
            b2 = bpos[colidx[e]]
            if b2 >= 0 and not coldone[b2]:
                colcnt[b2] -= 1
                if colcnt[b2] == 1:
                    stack[top] = b2
                    top += 1
    # the bump: dense LU with partial pivoting
    k = 0
    for r in range(m):
        if not rowdone[r]:
            brow[r] = k
            bumpr[k] = r
            k += 1
    k2 = 0
    for b in range(m):
        if not coldone[b]:
            bcol[b] = k2
            bumpc[k2] = b
            k2 += 1
    if k != k2:
        return False
    for i in range(k):
        for j in range(k):
            LU[i, j] = 0.0
    for j in range(k):
        q = basic[bumpc[j]]
        for e in range(colptr[q], colptr[q + 1]):
            i = brow[rowidx[e]]
            if i >= 0:
                LU[i, j] = cval[e]
    for i in range(k):
        perm[i] = i
    for j in range(k):
        p = j
        best = abs(LU[j, j])
        for i in range(j + 1, k):
            if abs(LU[i, j]) > best:
                best = abs(LU[i, j])
                p = i
        if best < _PIVOT_TOL:
            return False
        if p != j:
            for c in range(k):
                tmp = LU[j, c]
                LU[j, c] = LU[p, c]
                LU[p, c] = tmp
            tp = perm[j]
            perm[j] = perm[p]
            perm[p] = tp
        for i in range(j + 1, k):
            f = LU[i, j] / LU[j, j]
            LU[i, j] = f
            if f != 0.0:
                for c in range(j + 1, k):
                    LU[i, c] -= f * LU[j, c]
    counts[0] = n1
    counts[1] = ne
    counts[2] = k
    return True


def _ftran(rhs, x, m, basic, bpos, colptr, rowidx, cval, rowptr, colidx, rval, p1r, p1c, er, ec, bcol, bumpr,  # noqa: ANN001
           bumpc, LU, perm, counts, tmp):  # noqa: ANN001
    """x (by basic index) = B⁻¹ rhs (by row)."""
    n1, ne, k = counts[0], counts[1], counts[2]
    for b in range(m):
        x[b] = 0.0
    for t in range(n1):
        r, bc = p1r[t], p1c[t]
        acc = rhs[r]
        pv = 1.0
        for e in range(rowptr[r], rowptr[r + 1]):
            b = bpos[colidx[e]]
            if b == bc:
                pv = rval[e]
            elif b >= 0:
                acc -= rval[e] * x[b]
        x[bc] = acc / pv
    if k > 0:
        for i in range(k):
            r = bumpr[i]
            acc = rhs[r]
            for e in range(rowptr[r], rowptr[r + 1]):
                b = bpos[colidx[e]]
                if b >= 0 and bcol[b] < 0:
                    acc -= rval[e] * x[b]
            tmp[i] = acc
        # LU u = P tmp
        for i in range(k):
            acc = tmp[perm[i]]
            for c in range(i):
                acc -= LU[i, c] * x[bumpc[c]]
            x[bumpc[i]] = acc
        for i in range(k - 1, -1, -1):
            acc = x[bumpc[i]]
            for c in range(i + 1, k):
                acc -= LU[i, c] * x[bumpc[c]]
            x[bumpc[i]] = acc / LU[i, i]
    for t in range(ne - 1, -1, -1):
        r, bc = er[t], ec[t]
        acc = rhs[r]
        pv = 1.0
        for e in range(rowptr[r], rowptr[r + 1]):
            b = bpos[colidx[e]]
            if b == bc:
                pv = rval[e]
            elif b >= 0:
                acc -= rval[e] * x[b]
        x[bc] = acc / pv


def _btran(c, y, m, basic, colptr, rowidx, cval, p1r, p1c, er, ec, brow, bumpr, bumpc, LU, perm, counts,  # noqa: ANN001
           tmp, tmp2):  # noqa: ANN001
    """y (by row) = B⁻ᵀ c (by basic index)."""
    n1, ne, k = counts[0], counts[1], counts[2]
    for r in range(m):
        y[r] = 0.0
    for t in range(ne):
        r, bc = er[t], ec[t]
        q = basic[bc]
        acc = c[bc]
        pv = 1.0
        for e in range(colptr[q], colptr[q + 1]):
            r2 = rowidx[e]
            if r2 == r:
                pv = cval[e]
            else:
                acc -= cval[e] * y[r2]
        y[r] = acc / pv
    if k > 0:
        for j in range(k):
            q = basic[bumpc[j]]
            acc = c[bumpc[j]]
            for e in range(colptr[q], colptr[q + 1]):
                r2 = rowidx[e]
                if brow[r2] < 0:
                    acc -= cval[e] * y[r2]
            tmp[j] = acc
        # (P⁻¹ L U)ᵀ y_b = tmp:  Uᵀ v = tmp, Lᵀ u = v, y_b[perm] = u
        for i in range(k):
            acc = tmp[i]
            for c2 in range(i):
                acc -= LU[c2, i] * tmp2[c2]
            tmp2[i] = acc / LU[i, i]
        for i in range(k - 1, -1, -1):
            acc = tmp2[i]
            for c2 in range(i + 1, k):
                acc -= LU[c2, i] * tmp2[c2]
            tmp2[i] = acc
        for i in range(k):
            y[bumpr[perm[i]]] = tmp2[i]
    for t in range(n1 - 1, -1, -1):
        r, bc = p1r[t], p1c[t]
        q = basic[bc]
        acc = c[bc]
        pv = 1.0
        for e in range(colptr[q], colptr[q + 1]):
            r2 = rowidx[e]
            if r2 == r:
                pv = cval[e]
            else:
                acc -= cval[e] * y[r2]
        y[r] = acc / pv


def _duals(s, stat, cost, d, sm, tcol, D, jrows, L, U, dtol, m, N, basic, bpos, colptr, rowidx, cval, p1r, p1c,  # noqa: ANN001
           er, ec, brow, bumpr, bumpc, LU, perm, counts, tmp, tmp2, cb, y, red):  # noqa: ANN001
    """Reduced costs ``red`` of the nonbasic positions (divided by ``d``, the rank-one change's factor); False if
    the basis is not dual feasible for scenario ``s``'s bounds (fixed positions exempt)."""
    for b in range(m):
        cb[b] = cost[basic[b]]
    _btran(cb, y, m, basic, colptr, rowidx, cval, p1r, p1c, er, ec, brow, bumpr, bumpc, LU, perm, counts, tmp, tmp2)
    scale = 1.0 / d
    J = jrows.size
    for q in range(N):
        if bpos[q] >= 0:
            continue
        acc = cost[q]
        for e in range(colptr[q], colptr[q + 1]):
            acc -= cval[e] * y[rowidx[e]]
        if sm and q == tcol:  # nonbasic t: its changed column
            for j in range(J):
                acc -= D[s, j] * y[jrows[j]]
        acc *= scale
        red[q] = acc
        if L[s, q] == U[s, q]:
            continue
        code = stat[q]
        if (code == 0 and acc < -dtol) or (code == 2 and acc > dtol) or (code == 3 and abs(acc) > dtol):
            return False
    return True


def _solve_all_py(idx, L, U, status, cost, D, jrows, tcol, ptol, dtol, max_piv, colptr, rowidx, cval,  # noqa: ANN001, C901
                  rowptr, colidx, rval, m, z, result, den, ycov, npiv):  # noqa: ANN001
    N = L.shape[1]
    J = jrows.size
    basic = np.empty(m, np.int64)
    bpos = np.empty(N, np.int64)
    rowcnt = np.empty(m, np.int64)
    colcnt = np.empty(m, np.int64)
    rowdone = np.empty(m, np.bool_)
    coldone = np.empty(m, np.bool_)
    stack = np.empty(m, np.int64)
    p1r = np.empty(m, np.int64)
    p1c = np.empty(m, np.int64)
    er = np.empty(m, np.int64)
    ec = np.empty(m, np.int64)
    brow = np.empty(m, np.int64)
    bcol = np.empty(m, np.int64)
    bumpr = np.empty(m, np.int64)
    bumpc = np.empty(m, np.int64)
    LU = np.empty((m, m))
    perm = np.empty(m, np.int64)
    counts = np.zeros(3, np.int64)
    tmp = np.empty(m)
    tmp2 = np.empty(m)
    zq = np.empty(N)
    red = np.empty(N)
    cb = np.empty(m)
    y = np.empty(m)
    rhs = np.empty(m)
    xb = np.empty(m)
    w = np.empty(m)
    r1 = np.empty(m)
    r2 = np.empty(m)
    ei = np.empty(m)
    cq = np.empty(N, np.int64)
    cr = np.empty(N)
    ca = np.empty(N)
    flips = np.empty(N, np.int64)
    alph = np.empty(N)
    for n_ in range(idx.size):
        s = idx[n_]
        stat = status[s]
        piv = 0
        res = FAIL
        fresh = True  # reduced costs are computed afresh (else updated by the last pivot)
        while True:
            if not _factor(stat, N, m, colptr, rowidx, cval, rowptr, colidx, rval, basic, bpos, rowcnt, colcnt,
                           rowdone, coldone, stack, p1r, p1c, er, ec, brow, bcol, bumpr, bumpc, LU, perm, counts):
                break
            # nonbasic values
            valid = True
            for q in range(N):
                if bpos[q] >= 0:
                    continue
                code = stat[q]
                if code == 0:
                    v = L[s, q]
                elif code == 2:
                    v = U[s, q]
                else:
                    v = 0.0
                    if not (L[s, q] == -np.inf and U[s, q] == np.inf):
                        valid = False
                        break
                if not math.isfinite(v):
                    valid = False
                    break
                zq[q] = v
            if not valid:
                break
            # the rank-one change
            sm = False
            if tcol >= 0:
                for j in range(J):
                    if D[s, j] != 0.0:
                        sm = True
                        break
            it = bpos[tcol] if tcol >= 0 else -1
            d = 1.0
            if sm and it >= 0:  # w = B⁻¹δ is only needed while the coverage column is basic
                for r in range(m):
                    ei[r] = 0.0
                for j in range(J):
                    ei[jrows[j]] += D[s, j]
                _ftran(ei, w, m, basic, bpos, colptr, rowidx, cval, rowptr, colidx, rval, p1r, p1c, er, ec, bcol,
                       bumpr, bumpc, LU, perm, counts, tmp)
                d = 1.0 + w[it]
                if d < 1e-7:  # the change flips or nearly cancels the basis: not usable
                    break
            if fresh and not _duals(s, stat, cost, d, sm, tcol, D, jrows, L, U, dtol, m, N, basic, bpos, colptr, rowidx,
                                    cval, p1r, p1c, er, ec, brow, bumpr, bumpc, LU, perm, counts, tmp, tmp2, cb, y,
                                    red):
                break
            # primal values of the basic variables
            for r in range(m):
                rhs[r] = 0.0
            for q in range(N):
                if bpos[q] >= 0:
                    continue
                v = zq[q]
                if v != 0.0:
                    for e in range(colptr[q], colptr[q + 1]):
                        rhs[rowidx[e]] -= cval[e] * v
                    if sm and q == tcol:
                        for j in range(J):
                            rhs[jrows[j]] -= D[s, j] * v
            _ftran(rhs, xb, m, basic, bpos, colptr, rowidx, cval, rowptr, colidx, rval, p1r, p1c, er, ec, bcol,
                   bumpr, bumpc, LU, perm, counts, tmp)
            if sm and it >= 0:
                f = xb[it] / d
                for b in range(m):
                    xb[b] -= w[b] * f
            worst = -1
            vmax = ptol
            for b in range(m):
                q = basic[b]
                e1 = L[s, q] - xb[b]
                if e1 > vmax:
                    vmax = e1
                    worst = b
                e2 = xb[b] - U[s, q]
                if e2 > vmax:
                    vmax = e2
                    worst = m + b
            if worst < 0:
                if not fresh and not _duals(s, stat, cost, d, sm, tcol, D, jrows, L, U, dtol, m, N, basic, bpos,
                                            colptr, rowidx, cval, p1r, p1c, er, ec, brow, bumpr, bumpc, LU, perm,
                                            counts, tmp, tmp2, cb, y, red):
                    break  # the updated reduced costs drifted: not verified
                for q in range(N):
                    z[s, q] = zq[q] if bpos[q] < 0 else xb[bpos[q]]
                for j in range(J):
                    q = N - m + jrows[j]
                    ycov[s, j] = red[q] if bpos[q] < 0 else 0.0
                den[s] = d
                res = OK
                break
            if piv >= max_piv:
                break
            # dual ratio test: row i of B⁻¹ (with the change), then each nonbasic column's effect on x_B[i]
            i = worst % m
            below = worst < m
            for b in range(m):
                ei[b] = 0.0
            ei[i] = 1.0
            _btran(ei, r1, m, basic, colptr, rowidx, cval, p1r, p1c, er, ec, brow, bumpr, bumpc, LU, perm, counts,
                   tmp, tmp2)
            if sm and it >= 0:
                ei[i] = 0.0
                ei[it] = 1.0
                _btran(ei, r2, m, basic, colptr, rowidx, cval, p1r, p1c, er, ec, brow, bumpr, bumpc, LU, perm,
                       counts, tmp, tmp2)
                fw = w[i] / d
                for r in range(m):
                    r1[r] -= fw * r2[r]
            # bound-flipping ("long-step") ratio test: pass the breakpoints of boxed candidates, flipping them
            # to their other bound, while the leaving row stays infeasible; the next candidate enters
            nc = 0
            for q in range(N):
                if bpos[q] >= 0 or L[s, q] == U[s, q]:
                    continue
                alpha = 0.0
                for e in range(colptr[q], colptr[q + 1]):
                    alpha -= cval[e] * r1[rowidx[e]]
                if sm and q == tcol:
                    for j in range(J):
                        alpha -= D[s, j] * r1[jrows[j]]
                alph[q] = alpha
                a = alpha if below else -alpha
                code = stat[q]
                if not ((code == 0 and a > 1e-9) or (code == 2 and a < -1e-9) or (code == 3 and abs(a) > 1e-9)):
                    continue
                cq[nc] = q
                cr[nc] = abs(red[q]) / abs(a)
                ca[nc] = abs(a)
                nc += 1
            # breakpoints in increasing ratio (ties: the largest |a| first), found one at a time: usually only
            # the first one or two are needed
            slope = vmax
            enter = -1
            nflip = 0
            while nc > 0:
                best = 0
                for g in range(1, nc):
                    tie = 1e-12 * max(1.0, cr[best])
                    if cr[g] < cr[best] - tie or (cr[g] <= cr[best] + tie and ca[g] > ca[best]):
                        best = g
                q = cq[best]
                span = U[s, q] - L[s, q]
                if span < np.inf and slope - ca[best] * span > ptol:
                    slope -= ca[best] * span
                    flips[nflip] = q
                    nflip += 1
                    nc -= 1
                    cq[best], cr[best], ca[best] = cq[nc], cr[nc], ca[nc]
                else:
                    enter = q
                    break
            if enter < 0:
                res = INFEASIBLE
                break
            for f in range(nflip):
                q = flips[f]
                stat[q] = 2 if stat[q] == 0 else 0
            # reduced costs of the next basis: red_k − (red_q / α_q) α_k; the leaving variable gets red_q / α_q
            th = red[enter] / alph[enter]
            for q in range(N):
                if bpos[q] < 0 and not L[s, q] == U[s, q]:
                    red[q] -= th * alph[q]
            red[enter] = 0.0
            red[basic[i]] = th
            stat[basic[i]] = 0 if below else 2
            stat[enter] = 1
            piv += 1
            fresh = False
        result[s] = res
        npiv[s] = piv


_solve_all: Any = _solve_all_py
if _njit is not None:  # pragma: no branch
    _factor = _njit(_factor)
    _ftran = _njit(_ftran)
    _btran = _njit(_btran)
    _duals = _njit(_duals)
    _solve_all = _njit(_solve_all_py)
