"""A small bounded dual simplex, compiled with Numba, for many LPs of one structure.

Used by the ``priority``-mode fast path (:mod:`daryo.simulate.fastpriority`).  Each scenario's LP is

    min c·z   s.t.   [A −I] z = 0,   L ≤ z ≤ U          (z: the n columns, then the m rows)

with the scenario's own bounds ``L``, ``U`` and, optionally, a changed column ``t`` (``a_t + δ`` on a few rows;
see *rank-one change* below).  A scenario starts from a basis given by its simplex status (lower 0, basic 1,
upper 2, free-at-zero 3, one per position; typically the optimal basis of the same LP at the previous step),
and takes dual simplex pivots until the basis is primal feasible (optimal), no entering variable exists (the
LP is infeasible), the start basis is not dual feasible, or ``max_pivots`` is reached (failure: the caller
tries something else).  The answer is only returned for a basis that is checked primal feasible to
``primal_tol`` and dual feasible to ``dual_tol``, both from values computed afresh for the check (the basic
values from the nonbasic ones, the reduced costs from the costs): an optimal basis, so its solution is the LP
optimum.

An LP: factorise the start basis, compute the basic values ``x_B`` from the nonbasic ones (bounds) and the
reduced costs of the *candidates* (the nonbasic positions that are not fixed).  An iteration picks the most
violated basic variable to leave, computes its row of ``B⁻¹`` (a solve with ``Bᵀ`` that skips zeros) and from
it, row by row, the pivot row's entries of the candidates it touches, and chooses the entering variable by a
bound-flipping ("long-step") ratio test: boxed candidates whose breakpoint comes first are flipped to their
other bound while the leaving row stays infeasible, the next one enters.  Then ``x_B`` is updated by the
entering column ``B⁻¹a_q`` and by ``B⁻¹`` of the flipped columns' moves, the reduced costs by the pivot row, and
the factorisation by an eta (below).  When the updated ``x_B`` is feasible it is recomputed afresh; only if
that is feasible too are the reduced costs recomputed for the final check.

Basis factorisation
-------------------
A river network's basis matrix is almost triangular (each flow column has two entries, each row slack one).
It is factorised by peeling: rows with a single entry among the remaining basic columns give the leading
lower-triangular part, columns with a single entry among the remaining rows the trailing part, and what is
left (the *bump*, a handful of columns at most) gets a dense LU with partial pivoting.  The factorisation is
kept as a list of (row, basic slot, column, pivot) steps in the order a solve with ``B`` takes them: the
leading steps, the bump, the trailing steps last-peeled first (a solve with ``Bᵀ`` takes them backwards).
Solves are then a pass over the basic columns' non-zeros plus the bump: about a microsecond for a 150-row
basis, less for a sparse right-hand side.

A pivot does not refactorise: it appends an eta (product form, ``B_new⁻¹ = E⁻¹ B⁻¹`` with ``E`` the identity
but for column ``p``, the entering column ``B⁻¹a_q``, kept by its non-zeros).  When more than ``_MAX_ETAS`` etas
are on the factorisation (its own, a spike's and a rank-one change's, below, and the pivots'), or when the pivot
element computed from the row (``Bᵀ`` solve) and from the column (``B`` solve) disagree while at least two etas
are on it and one of them a pivot's, the basis is refactorised.

Spikes
------
A priority stage's basis can hold its coverage column, which has an entry in each of the level's coverage rows,
with the river network between those requirements: peeling then stops at once, and the bump is the whole
stretch (37 rows of the Aral model's 83 in the Amu Darya's fourth level, where a dense LU and its solves cost
more than the rest of the LP).  A bump of more than ``_SPIKE_BUMP`` rows is therefore not factorised; its
densest column ``q`` (the coverage column) becomes a *spike* (:func:`_spike`): the basis is factorised with the
slack of one of ``q``'s bump rows in ``q``'s place (the network then peels, whole or but for a small bump), and
``q`` comes back by an eta, ``B = B' E`` with ``E``'s column at ``q``'s slot ``B'⁻¹a_q`` (the scenario's
column, its rank-one change included).  The slacks are tried in turn, the one that worked last first, until one
leaves a bump of at most ``_SPIKE_BUMP`` rows and an eta pivot of at least ``_SPIKE_TOL`` in magnitude; if none
does, the bump gets its dense LU as before.  Solves with ``B`` then take the factorised steps and one eta more.

Rank-one change
---------------
A priority stage's coverage column ``t`` has scenario-dependent coefficients.  The peeled factorisation is of
the compiled matrix (placeholder coefficients); the scenario's column is ``a_t + δ``.  If ``t`` is basic at
slot ``it``, the scenario's basis is ``B + δ e_itᵀ = B (I + w e_itᵀ)`` with ``w = B⁻¹δ``: an eta after the
spike's (if any), with pivot ``1 + w[it]`` (a basis where that is below 1e-7 is not used).  Where ``t`` is the
spike, its eta has the change already, and only the pivot's magnitude is tested (a review's replays of the Aral
model and of a chain of demands saw none below 2.96).  Otherwise ``t``'s column gets ``δ`` added wherever it is
read (right-hand side, ratio test, entering column).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..solver import BasisStatus
from . import _aot
from ._kernel import _njit

__all__ = ["Structure", "solve", "OK", "FAIL", "INFEASIBLE", "LOWER", "BASIC", "UPPER", "ZERO"]

OK, FAIL, INFEASIBLE = 0, 1, 2
LOWER, BASIC, UPPER, ZERO = (int(code) for code in BasisStatus)  # the solver's basis codes: 0, 1, 2, 3
_PIVOT_TOL = 1e-11  # smallest usable pivot in the factorisation (entries are O(1): ±1, 1 − loss, …)
_MAX_ETAS = 16  # etas on a factorisation before it is made afresh (its own ones and the pivots')
_FACTORED, _UNUSABLE, _BUMPY = 1, 0, 2  # what :func:`_factor_with` did
_SPIKE_BUMP = 12  # a bump larger than this has its densest column taken out as a spike
_SPIKE_TOL = 1e-7  # smallest usable pivot of a spike's eta (else the bump is factorised as it is)
# rows of the factorisation's integer array: per step its row, basic slot and column; per bump row / column
# (by bump index) the row, the basic slot, the column, and the LU's row permutation
_SR, _SB, _SQ, _BR, _BB, _BQ, _BP = range(7)


class Structure:
    """``[A −I]`` of an LP, column-wise (the arrays the compiled loop reads) and row-wise (for peeling)."""

    def __init__(self, A: sp.spmatrix):
        m = A.shape[0]
        M = sp.hstack([sp.csc_matrix(A), -sp.identity(m, format="csc")], format="csc")
        M.eliminate_zeros()
        M.sort_indices()
        R = M.tocsr()
        R.sort_indices()
        self.m = m
        self.colptr, self.rowidx, self.cval = M.indptr.astype(np.int64), M.indices.astype(np.int64), M.data.copy()
        self.ecol = np.repeat(np.arange(M.shape[1], dtype=np.int64), np.diff(self.colptr))  # each entry's column
        self.rowptr, self.colidx, self.rval = R.indptr.astype(np.int64), R.indices.astype(np.int64), R.data.copy()


def solve(st: Structure, idx: np.ndarray, L: np.ndarray, U: np.ndarray, status: np.ndarray, cost: np.ndarray,
          D: np.ndarray, jrows: np.ndarray, tcol: int, primal_tol: float, dual_tol: float, max_pivots: int,
          z: np.ndarray, result: np.ndarray, ycov: np.ndarray, pivots: np.ndarray, compiled: bool = True) -> None:
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
    z, result, ycov, pivots
        Outputs: solution (k, N), OK / FAIL / INFEASIBLE, the duals of the rows ``jrows`` (k, J; 0 where the
        row is basic), pivots taken.
    compiled
        False runs the same code as plain Python (slow; for tests without Numba).
    """
    fn = _solve_all if compiled else _solve_all_py
    fn(idx, L, U, status, cost, D, jrows, int(tcol), float(primal_tol), float(dual_tol), int(max_pivots),
       st.colptr, st.rowidx, st.cval, st.ecol, st.rowptr, st.colidx, st.rval, st.m, z, result, ycov, pivots)


def _factor(stat, N, m, colptr, rowidx, cval, ecol, rowptr, colidx, basic, bpos, rowcnt, rowe, colcnt,  # noqa: ANN001
            rowdone, coldone, stack, fi, fv, LU, counts):  # noqa: ANN001
    """Peel the basis of ``stat`` (see the module doc) into ``fi``, ``fv`` (pivots), ``LU`` (the bump) and
    ``counts`` (leading steps, first trailing step, bump size); False if it is not a usable basis."""
    return _factor_with(stat, N, m, colptr, rowidx, cval, ecol, rowptr, colidx, basic, bpos, rowcnt, rowe, colcnt,
                        rowdone, coldone, stack, fi, fv, LU, counts, -1, -1, m) == _FACTORED


def _factor_with(stat, N, m, colptr, rowidx, cval, ecol, rowptr, colidx, basic, bpos, rowcnt, rowe,  # noqa: ANN001
                 colcnt, rowdone, coldone, stack, fi, fv, LU, counts, subq, subp, max_bump):  # noqa: ANN001
    """:func:`_factor`, with the basic column ``subq`` replaced by the nonbasic position ``subp`` (−1: none) in
    the matrix factorised (``basic`` and ``bpos`` then describe that matrix), and a bump of at most ``max_bump``
    rows.  Returns ``_FACTORED``, ``_UNUSABLE``, or ``_BUMPY`` for a larger bump, left unfactorised (its rows and
    columns in ``fi``, ``counts[2]`` its size, ``rowdone`` False on its rows)."""
    nb = 0
    bad = False
    for q in range(N):  # (without branches on the status: they would be mispredicted)
        code = stat[q]
        isb = code == 1
        if nb < m:
            basic[nb] = q
        bpos[q] = nb if isb else -1
        nb += 1 if isb else 0
        bad |= code > 3 or code < 0
    if bad or nb != m:
        return _UNUSABLE
    if subq >= 0:
        if bpos[subq] < 0 or bpos[subp] >= 0:
            return _UNUSABLE
        basic[bpos[subq]] = subp
        bpos[subp] = bpos[subq]
        bpos[subq] = -1
    for r in range(m):
        rowcnt[r] = 0
        rowe[r] = 0
        rowdone[r] = False
    for b in range(m):
        coldone[b] = False
        q = basic[b]
        for e in range(colptr[q], colptr[q + 1]):
            rowcnt[rowidx[e]] += 1
            rowe[rowidx[e]] += e
    # leading part: rows with one entry among the remaining columns (``rowe``: the sum of the row's remaining
    # entries' indices, so that of the last one)
    top = 0
    for r in range(m):
        if rowcnt[r] == 1:
            stack[top] = r
            top += 1
    n1 = 0
    while top > 0:
        top -= 1
        r = stack[top]
        if rowcnt[r] != 1:  # its column went with another row: r is left for the bump
            continue
        e = rowe[r]
        q = ecol[e]
        bc = bpos[q]
        pv = cval[e]
        if abs(pv) < _PIVOT_TOL:
            return _UNUSABLE
        rowdone[r] = True
        coldone[bc] = True
        fi[_SR, n1], fi[_SB, n1], fi[_SQ, n1], fv[n1] = r, bc, q, pv
        n1 += 1
        for e in range(colptr[q], colptr[q + 1]):  # (row r's count goes to 0)
            r2 = rowidx[e]
            rowcnt[r2] -= 1
            rowe[r2] -= e
            if rowcnt[r2] == 1:
                stack[top] = r2
                top += 1
    # trailing part: columns with one entry among the remaining rows (stored from the end: last peeled first)
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
    t = m
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
            return _UNUSABLE
        rowdone[rr] = True
        coldone[b] = True
        t -= 1
        fi[_SR, t], fi[_SB, t], fi[_SQ, t], fv[t] = rr, b, q, pv
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
            rowcnt[r] = k  # the row's bump index
            fi[_BR, k] = r
            k += 1
    k2 = 0
    for b in range(m):
        if not coldone[b]:
            fi[_BB, k2] = b
            fi[_BQ, k2] = basic[b]
            k2 += 1
    if k != k2 or k != t - n1:
        return _UNUSABLE
    counts[2] = k
    if k > max_bump:
        return _BUMPY
    for i in range(k):
        for j in range(k):
            LU[i, j] = 0.0
    for j in range(k):
        q = fi[_BQ, j]
        for e in range(colptr[q], colptr[q + 1]):
            if not rowdone[rowidx[e]]:
                LU[rowcnt[rowidx[e]], j] = cval[e]
    for i in range(k):
        fi[_BP, i] = i
    for j in range(k):
        p = j
        best = abs(LU[j, j])
        for i in range(j + 1, k):
            if abs(LU[i, j]) > best:
                best = abs(LU[i, j])
                p = i
        if best < _PIVOT_TOL:
            return _UNUSABLE
        if p != j:
            for c in range(k):
                tmp = LU[j, c]
                LU[j, c] = LU[p, c]
                LU[p, c] = tmp
            tp = fi[_BP, j]
            fi[_BP, j] = fi[_BP, p]
            fi[_BP, p] = tp
        for i in range(j + 1, k):
            f = LU[i, j] / LU[j, j]
            LU[i, j] = f
            if f != 0.0:
                for c in range(j + 1, k):
                    LU[i, c] -= f * LU[j, c]
    counts[0] = n1
    counts[1] = t
    counts[2] = k
    return _FACTORED


def _fsteps(lo, hi, x, work, colptr, rowidx, cval, fi, fv):  # noqa: ANN001
    """Steps ``lo``…``hi`` − 1 of a solve with ``B``: each step's basic value from its row of ``work``, then its
    column out of ``work``."""
    for t in range(lo, hi):
        v = work[fi[_SR, t]] / fv[t]
        x[fi[_SB, t]] = v
        if v != 0.0:
            q = fi[_SQ, t]
            for e in range(colptr[q], colptr[q + 1]):
                work[rowidx[e]] -= cval[e] * v


def _bsteps(hi, lo, y, work, colptr, rowidx, cval, fi, fv):  # noqa: ANN001
    """Steps ``hi`` − 1 down to ``lo`` of a solve with ``Bᵀ``, column by column: each step's row value from its
    slot of ``work`` less its column's other rows' values (``y`` is 0 where not solved yet)."""
    for t in range(hi - 1, lo - 1, -1):
        q = fi[_SQ, t]
        acc = work[fi[_SB, t]]
        for e in range(colptr[q], colptr[q + 1]):
            acc -= cval[e] * y[rowidx[e]]
        y[fi[_SR, t]] = acc / fv[t]


def _bsteps_sparse(hi, lo, y, work, rowptr, colidx, rval, fpos, fi, fv, ynz, ny):  # noqa: ANN001
    """Steps ``hi`` − 1 down to ``lo`` of a solve with ``Bᵀ``, row by row: each step's row value from its slot of
    ``work``, then, if not 0, that row out of ``work`` and appended to ``ynz`` (``ny`` rows so far; returns
    their count)."""
    for t in range(hi - 1, lo - 1, -1):
        v = work[fi[_SB, t]]
        if v != 0.0:
            r = fi[_SR, t]
            v /= fv[t]
            y[r] = v
            ny = _brow(r, v, work, rowptr, colidx, rval, fpos, ynz, ny)
    return ny


def _brow(r, v, work, rowptr, colidx, rval, fpos, ynz, ny):  # noqa: ANN001
    """Row ``r`` × ``v`` out of ``work`` (by basic slot); appends ``r`` to ``ynz``."""
    ynz[ny] = r
    for e in range(rowptr[r], rowptr[r + 1]):
        b = fpos[colidx[e]]
        if b >= 0:
            work[b] -= rval[e] * v
    return ny + 1


def _ftran(rhs, x, work, tmp, m, colptr, rowidx, cval, fi, fv, LU, counts, ets, eti, etv, neta):  # noqa: ANN001
    """x (by basic slot) = B⁻¹ rhs (by row), etas included; ``work``, ``tmp``: scratch (m)."""
    n1, t1, k = counts[0], counts[1], counts[2]
    for r in range(m):
        work[r] = rhs[r]
    _fsteps(0, n1, x, work, colptr, rowidx, cval, fi, fv)
    if k > 0:  # P⁻¹LU u = work[bump rows]: L v = P work, U u = v
        for i in range(k):
            acc = work[fi[_BR, fi[_BP, i]]]
            for c in range(i):
                acc -= LU[i, c] * tmp[c]
            tmp[i] = acc
        for i in range(k - 1, -1, -1):
            acc = tmp[i]
            for c in range(i + 1, k):
                acc -= LU[i, c] * tmp[c]
            tmp[i] = acc / LU[i, i]
        for j in range(k):
            v = tmp[j]
            x[fi[_BB, j]] = v
            q = fi[_BQ, j]
            for e in range(colptr[q], colptr[q + 1]):
                work[rowidx[e]] -= cval[e] * v
    _fsteps(t1, m, x, work, colptr, rowidx, cval, fi, fv)
    for j in range(neta):
        e0 = ets[j]
        p = eti[e0]
        xp = x[p] / etv[e0]
        if xp != 0.0:
            for e in range(e0 + 1, ets[j + 1]):
                x[eti[e]] -= etv[e] * xp
        x[p] = xp


def _btran(c, y, ynz, sparse, work, tmp, m, colptr, rowidx, cval, rowptr, colidx, rval, fpos, fi, fv, LU,  # noqa: ANN001
           counts, ets, eti, etv, neta):  # noqa: ANN001
    """y (by row) = B⁻ᵀ c (by basic slot), etas included; ``work``, ``tmp``: scratch (m).  ``sparse`` (for a
    ``c`` with few non-zeros): rows by rows, skipping the zeros, and the rows where y is not 0 go to ``ynz``
    (returns their count); else column by column (returns −1)."""
    n1, t1, k = counts[0], counts[1], counts[2]
    for b in range(m):
        work[b] = c[b]
        y[b] = 0.0
    for j in range(neta - 1, -1, -1):
        e0 = ets[j]
        p = eti[e0]
        acc = work[p]
        for e in range(e0 + 1, ets[j + 1]):
            acc -= etv[e] * work[eti[e]]
        work[p] = acc / etv[e0]
    ny = 0
    if sparse:
        ny = _bsteps_sparse(m, t1, y, work, rowptr, colidx, rval, fpos, fi, fv, ynz, ny)
    else:
        _bsteps(m, t1, y, work, colptr, rowidx, cval, fi, fv)
    if k > 0:  # (P⁻¹LU)ᵀ y_bump = work[bump slots] (less the trailing rows): Uᵀ v = work, Lᵀ u = v, y = P⁻¹ u
        for j in range(k):
            acc = work[fi[_BB, j]]
            if not sparse:
                q = fi[_BQ, j]
                for e in range(colptr[q], colptr[q + 1]):
                    acc -= cval[e] * y[rowidx[e]]
            for c2 in range(j):
                acc -= LU[c2, j] * tmp[c2]
            tmp[j] = acc / LU[j, j]
        for i in range(k - 1, -1, -1):
            acc = tmp[i]
            for c2 in range(i + 1, k):
                acc -= LU[c2, i] * tmp[c2]
            tmp[i] = acc
        for i in range(k):
            r = fi[_BR, fi[_BP, i]]
            y[r] = tmp[i]
            if sparse and tmp[i] != 0.0:
                ny = _brow(r, tmp[i], work, rowptr, colidx, rval, fpos, ynz, ny)
    if sparse:
        return _bsteps_sparse(n1, 0, y, work, rowptr, colidx, rval, fpos, fi, fv, ynz, ny)
    _bsteps(n1, 0, y, work, colptr, rowidx, cval, fi, fv)
    return -1


def _push_eta(a, p, m, ets, eti, etv, neta):  # noqa: ANN001
    """Append the eta of ``a`` (B⁻¹ of the column entering at slot ``p``): its pivot first, then its other
    non-zeros; returns the new number of etas."""
    e = ets[neta]
    eti[e] = p
    etv[e] = a[p]
    e += 1
    for b in range(m):
        if a[b] != 0.0 and b != p:
            eti[e] = b
            etv[e] = a[b]
            e += 1
    ets[neta + 1] = e
    return neta + 1


def _column(q, v, out, m, colptr, rowidx, cval, tcol, Ds, jrows, clear):  # noqa: ANN001
    """``out += v`` × the scenario's column ``q`` (``clear``: set ``out`` to 0 first)."""
    if clear:
        for r in range(m):
            out[r] = 0.0
    for e in range(colptr[q], colptr[q + 1]):
        out[rowidx[e]] += cval[e] * v
    if q == tcol:
        for j in range(jrows.size):
            out[jrows[j]] += Ds[j] * v


def _alpha(q, y, colptr, rowidx, cval, tcol, Ds, jrows):  # noqa: ANN001
    """−y · the scenario's column ``q``."""
    a = 0.0
    for e in range(colptr[q], colptr[q + 1]):
        a -= cval[e] * y[rowidx[e]]
    if q == tcol:
        for j in range(jrows.size):
            a -= Ds[j] * y[jrows[j]]
    return a


def _spike(stat, N, m, colptr, rowidx, cval, ecol, rowptr, colidx, basic, fpos, rowcnt, rowe, colcnt,  # noqa: ANN001
           rowdone, coldone, stack, fi, fv, LU, counts, tc, Ds, jrows, ei, aq, work, tmp, ets, eti, etv):  # noqa: ANN001
    """Factorise a basis whose bump (left unfactorised by :func:`_factor_with`) is large, by taking the bump's
    densest column ``q`` out as a spike (see *Spikes* in the module doc): the basis is factorised with the slack
    of one of ``q``'s bump rows in ``q``'s place, then ``q`` (the scenario's column) comes back in by an eta.
    The slack tried first is ``counts[3]``, the one that worked last (bases of one LP share their spike).

    Returns ``q``'s basic slot, the eta pushed (``basic`` is the scenario's basis again, ``fpos`` that of the
    matrix factorised, whose slack at that slot is ``counts[3]``), or −1 with the basis factorised as it is
    (its bump by dense LU; −2 if that fails)."""
    k = counts[2]
    best, spk = -1, -1
    for j in range(k):  # the bump column with the most entries in bump rows
        q = fi[_BQ, j]
        c = 0
        for e in range(colptr[q], colptr[q + 1]):
            c += 0 if rowdone[rowidx[e]] else 1
        if c > best:
            best, spk = c, q
    it = fpos[spk]
    n_try = 0
    for e in range(colptr[spk], colptr[spk + 1]):  # its bump rows' slacks (the last one that worked first)
        slack = N - m + rowidx[e]
        if not rowdone[rowidx[e]] and stat[slack] != 1:
            stack[n_try] = slack
            if slack == counts[3]:
                stack[n_try] = stack[0]
                stack[0] = slack
            n_try += 1
    tries = stack[:n_try].copy()  # (``stack`` and ``rowdone`` are the factorisation's scratch)
    for g in range(n_try):
        slack = tries[g]
        if _factor_with(stat, N, m, colptr, rowidx, cval, ecol, rowptr, colidx, basic, fpos, rowcnt, rowe, colcnt,
                        rowdone, coldone, stack, fi, fv, LU, counts, spk, slack, _SPIKE_BUMP) != _FACTORED:
            continue
        _column(spk, 1.0, ei, m, colptr, rowidx, cval, tc, Ds, jrows, True)
        _ftran(ei, aq, work, tmp, m, colptr, rowidx, cval, fi, fv, LU, counts, ets, eti, etv, 0)
        if abs(aq[it]) < _SPIKE_TOL:
            continue
        _push_eta(aq, it, m, ets, eti, etv, 0)
        basic[it] = spk
        counts[3] = slack
        return it
    if _factor_with(stat, N, m, colptr, rowidx, cval, ecol, rowptr, colidx, basic, fpos, rowcnt, rowe, colcnt,
                    rowdone, coldone, stack, fi, fv, LU, counts, -1, -1, m) != _FACTORED:
        return -2
    return -1


def _solve_all_py(idx, L, U, status, cost, D, jrows, tcol, ptol, dtol, max_piv, colptr, rowidx, cval, ecol,  # noqa: ANN001, C901
                  rowptr, colidx, rval, m, z, result, ycov, npiv):  # noqa: ANN001
    N = L.shape[1]
    J = jrows.size
    basic = np.empty(m, np.int64)
    bpos = np.empty(N, np.int64)
    fpos = np.empty(N, np.int64)
    rowcnt = np.empty(m, np.int64)
    rowe = np.empty(m, np.int64)
    colcnt = np.empty(m, np.int64)
    rowdone = np.empty(m, np.bool_)
    coldone = np.empty(m, np.bool_)
    stack = np.empty(m, np.int64)
    fi = np.empty((7, m), np.int64)
    fv = np.empty(m)
    LU = np.empty((m, m))
    counts = np.zeros(4, np.int64)
    ets = np.zeros(_MAX_ETAS + 2, np.int64)
    eti = np.empty((_MAX_ETAS + 1) * m, np.int64)
    etv = np.empty((_MAX_ETAS + 1) * m)
    work = np.empty(m)
    tmp = np.empty(m)
    zq = np.empty(N)
    red = np.empty(N)
    y = np.empty(m)
    xb = np.empty(m)
    aq = np.empty(m)
    dx = np.empty(m)
    ei = np.empty(m)
    cand = np.empty(N, np.int64)
    iscand = np.zeros(N, np.bool_)
    mark = np.full(N, -1, np.int64)
    ynz = np.empty(m, np.int64)
    stamp = 0
    cq = np.empty(N, np.int64)
    tl = np.empty(N, np.int64)
    cr = np.empty(N)
    ca = np.empty(N)
    flips = np.empty(N, np.int64)
    alph = np.zeros(N)  # the pivot row's entries α_q of the candidates tl[:nt], 0 elsewhere
    nt = 0
    noD = np.zeros(J)
    for n_ in range(idx.size):
        s = idx[n_]
        stat, Ls, Us = status[s], L[s], U[s]
        piv = 0
        res = FAIL
        # nonbasic values; the rank-one change (only where it changes something)
        valid = True
        for q in range(N):  # (0 for the basic ones; selects, not branches, on the status)
            code = stat[q]
            lo, hi = Ls[q], Us[q]
            v = lo if code == 0 else (hi if code == 2 else 0.0)
            valid &= math.isfinite(v) & ((code != 3) | ((lo == -np.inf) & (hi == np.inf)))
            zq[q] = v
        Ds = noD
        tc = -1
        for j in range(J):
            if D[s, j] != 0.0:
                Ds = D[s]
                tc = tcol
        neta = nc = neta0 = 0
        fresh_duals = updated = False
        refac = True  # factorise the basis (and recompute x_B) before the next iteration
        xfresh = False  # x_B computed afresh from the nonbasic values (else updated by the last pivot)
        while valid:
            if refac:
                code = _factor_with(stat, N, m, colptr, rowidx, cval, ecol, rowptr, colidx, basic, fpos, rowcnt,
                                    rowe, colcnt, rowdone, coldone, stack, fi, fv, LU, counts, -1, -1, _SPIKE_BUMP)
                if code == _UNUSABLE:
                    break
                neta = 0
                sq = -1
                if code == _BUMPY:  # a large bump: its densest column as a spike (an eta)
                    it = _spike(stat, N, m, colptr, rowidx, cval, ecol, rowptr, colidx, basic, fpos, rowcnt, rowe,
                                colcnt, rowdone, coldone, stack, fi, fv, LU, counts, tc, Ds, jrows, ei, aq, work,
                                tmp, ets, eti, etv)
                    if it == -2:
                        break
                    if it >= 0:
                        sq = basic[it]
                        neta = 1
                bpos[:] = fpos
                if sq >= 0:
                    bpos[counts[3]] = -1  # (the slack factorised in its place)
                    bpos[sq] = it
                if tc >= 0 and bpos[tc] >= 0 and tc != sq:  # B (I + w e_itᵀ), w = B⁻¹δ
                    it = bpos[tc]
                    for r in range(m):
                        ei[r] = 0.0
                    for j in range(J):
                        ei[jrows[j]] += Ds[j]
                    _ftran(ei, aq, work, tmp, m, colptr, rowidx, cval, fi, fv, LU, counts, ets, eti, etv, neta)
                    d = 1.0 + aq[it]
                    if d < 1e-7:  # the change flips or nearly cancels the basis: not usable
                        break
                    aq[it] = d
                    neta = _push_eta(aq, it, m, ets, eti, etv, neta)
                neta0 = neta
                refac = False
                xfresh = False
                if piv == 0:  # the candidates, and the start basis's reduced costs
                    nc = 0
                    for q in range(N):
                        c = (bpos[q] < 0) & (Ls[q] != Us[q])
                        iscand[q] = c
                        cand[nc] = q
                        nc += 1 if c else 0
                    if not _duals(stat, cost, dtol, m, basic, cand, nc, colptr, rowidx, cval, rowptr, colidx, rval,
                                  fpos, tc, Ds, jrows, fi, fv, LU, counts, ets, eti, etv, neta, work, tmp, ei, y, ynz,
                                  red):
                        break
                    fresh_duals = True
            if not xfresh:  # basic values from the nonbasic ones
                for r in range(m):
                    acc = 0.0
                    for e in range(rowptr[r], rowptr[r + 1]):
                        acc -= rval[e] * zq[colidx[e]]
                    ei[r] = acc
                if tc >= 0:
                    for j in range(J):
                        ei[jrows[j]] -= Ds[j] * zq[tc]
                _ftran(ei, xb, work, tmp, m, colptr, rowidx, cval, fi, fv, LU, counts, ets, eti, etv, neta)
                xfresh = True
                updated = False
            worst = -1
            vmax = ptol
            for b in range(m):
                q = basic[b]
                e1 = Ls[q] - xb[b]
                if e1 > vmax:
                    vmax = e1
                    worst = b
                e2 = xb[b] - Us[q]
                if e2 > vmax:
                    vmax = e2
                    worst = m + b
            if worst < 0:
                if updated:  # check afresh
                    xfresh = False
                    continue
                if not fresh_duals and not _duals(stat, cost, dtol, m, basic, cand, nc, colptr, rowidx,
                                                  cval, rowptr, colidx, rval, fpos, tc, Ds, jrows, fi, fv, LU, counts,
                                                  ets, eti, etv, neta, work, tmp, ei, y, ynz, red):
                    break  # the updated reduced costs drifted: not verified
                for q in range(N):
                    z[s, q] = zq[q] if bpos[q] < 0 else xb[bpos[q]]
                for j in range(J):
                    q = N - m + jrows[j]
                    ycov[s, j] = _alpha(q, y, colptr, rowidx, cval, tc, Ds, jrows) + cost[q] if bpos[q] < 0 else 0.0
                res = OK
                break
            if piv >= max_piv:
                break
            # dual ratio test: row i of B⁻¹, then each candidate's effect on x_B[i]
            i = worst % m
            below = worst < m
            for b in range(m):
                ei[b] = 0.0
            ei[i] = 1.0
            ny = _btran(ei, y, ynz, True, work, tmp, m, colptr, rowidx, cval, rowptr, colidx, rval, fpos, fi, fv, LU,
                        counts, ets, eti, etv, neta)
            # the pivot row's entries α_q = −y·a_q of the candidates, row by row over the non-zeros of y, and the
            # candidates touched (their list in increasing order, as the candidates are)
            for g in range(nt):  # (the last row's entries back to 0)
                alph[tl[g]] = 0.0
            stamp += 1
            for g in range(ny):  # (selects, not branches: these would be mispredicted)
                r = ynz[g]
                v = y[r]
                for e in range(rowptr[r], rowptr[r + 1]):
                    q = colidx[e]
                    alph[q] -= rval[e] * v if iscand[q] else 0.0
                    mark[q] = stamp
            if tc >= 0 and iscand[tc]:
                alpha = 0.0
                for j in range(J):
                    alpha -= Ds[j] * y[jrows[j]]
                alph[tc] += alpha
                if alpha != 0.0:
                    mark[tc] = stamp
            nt = 0  # the candidates touched, in increasing order
            for q in range(N):
                tl[nt] = q
                nt += 1 if (mark[q] == stamp) & iscand[q] else 0
            # bound-flipping ("long-step") ratio test: pass the breakpoints of boxed candidates, flipping them
            # to their other bound, while the leaving row stays infeasible; the next candidate enters
            ne = 0
            for g in range(nt):
                q = tl[g]
                alpha = alph[q]
                a = alpha if below else -alpha
                code = stat[q]
                if not ((code == 0 and a > 1e-9) or (code == 2 and a < -1e-9) or (code == 3 and abs(a) > 1e-9)):
                    continue
                cq[ne] = q
                cr[ne] = abs(red[q]) / abs(a)
                ca[ne] = abs(a)
                ne += 1
            # breakpoints in increasing ratio (ties: the largest |a| first), found one at a time: usually only
            # the first one or two are needed
            slope = vmax
            enter = -1
            nflip = 0
            while ne > 0:
                best = 0
                for g in range(1, ne):
                    tie = 1e-12 * max(1.0, cr[best])
                    if cr[g] < cr[best] - tie or (cr[g] <= cr[best] + tie and ca[g] > ca[best]):
                        best = g
                q = cq[best]
                span = Us[q] - Ls[q]
                if span < np.inf and slope - ca[best] * span > ptol:
                    slope -= ca[best] * span
                    flips[nflip] = q
                    nflip += 1
                    ne -= 1
                    cq[best], cr[best], ca[best] = cq[ne], cr[ne], ca[ne]
                else:
                    enter = q
                    break
            if enter < 0:
                res = INFEASIBLE
                break
            # the entering column B⁻¹a_q: its entry i must agree with the row's (else refactorise, if that can help:
            # with two etas at least, as before the spikes, and a pivot's among them)
            _column(enter, 1.0, ei, m, colptr, rowidx, cval, tc, Ds, jrows, True)
            _ftran(ei, aq, work, tmp, m, colptr, rowidx, cval, fi, fv, LU, counts, ets, eti, etv, neta)
            if abs(aq[i] + alph[enter]) > 1e-9 * (1.0 + abs(alph[enter])) and neta > max(1, neta0):
                refac = True
                continue
            # the flips' effect on x_B
            if nflip > 0:
                for r in range(m):
                    ei[r] = 0.0
                for f in range(nflip):
                    q = flips[f]
                    if stat[q] == 0:
                        stat[q] = 2
                        v = Us[q]
                    else:
                        stat[q] = 0
                        v = Ls[q]
                    _column(q, v - zq[q], ei, m, colptr, rowidx, cval, tc, Ds, jrows, False)
                    zq[q] = v
                _ftran(ei, dx, work, tmp, m, colptr, rowidx, cval, fi, fv, LU, counts, ets, eti, etv, neta)
                for b in range(m):
                    xb[b] -= dx[b]
            # the pivot: x_B[i] to its bound, the entering variable takes its slot
            leave = basic[i]
            bound = Ls[leave] if below else Us[leave]
            step = (xb[i] - bound) / aq[i]
            for b in range(m):
                xb[b] -= step * aq[b]
            xb[i] = zq[enter] + step
            zq[enter] = 0.0
            zq[leave] = bound
            # reduced costs of the next basis: red_k − (red_q / α_q) α_k; the leaving variable gets red_q / α_q
            th = red[enter] / alph[enter]
            for g in range(nt):
                q = tl[g]
                red[q] -= th * alph[q]
            red[enter] = 0.0
            red[leave] = th
            # the candidates: the leaving one (unless fixed) for the entering one
            g = 0
            while cand[g] != enter:
                g += 1
            iscand[enter] = False
            iscand[leave] = Ls[leave] != Us[leave]
            if iscand[leave]:
                cand[g] = leave
            else:
                nc -= 1
                cand[g] = cand[nc]
            stat[leave] = 0 if below else 2
            stat[enter] = 1
            basic[i] = enter
            bpos[enter] = i
            bpos[leave] = -1
            neta = _push_eta(aq, i, m, ets, eti, etv, neta)
            piv += 1
            updated = True
            fresh_duals = False
            if neta > _MAX_ETAS:
                refac = True
        result[s] = res
        npiv[s] = piv


def _duals(stat, cost, dtol, m, basic, cand, nc, colptr, rowidx, cval, rowptr, colidx, rval, fpos, tc, Ds,  # noqa: ANN001
           jrows, fi, fv, LU, counts, ets, eti, etv, neta, work, tmp, cb, y, ynz, red):  # noqa: ANN001
    """The duals ``y`` and the candidates' reduced costs ``red``; False if the basis is not dual feasible."""
    nz = 0
    for b in range(m):
        cb[b] = cost[basic[b]]
        nz += 1 if cb[b] != 0.0 else 0
    _btran(cb, y, ynz, nz <= m // 8, work, tmp, m, colptr, rowidx, cval, rowptr, colidx, rval, fpos, fi, fv, LU,
           counts, ets, eti, etv, neta)
    bad = False
    for g in range(nc):
        q = cand[g]
        acc = cost[q] + _alpha(q, y, colptr, rowidx, cval, tc, Ds, jrows)
        red[q] = acc
        code = stat[q]
        bad |= ((code == 0) & (acc < -dtol)) | ((code == 2) & (acc > dtol)) | ((code == 3) & (abs(acc) > dtol))
    return not bad


_solve_all: Any = _solve_all_py
if _njit is not None:  # pragma: no branch
    _factor = _njit(_factor)
    _factor_with = _njit(_factor_with)
    _spike = _njit(_spike)
    _fsteps = _njit(_fsteps)
    _bsteps = _njit(_bsteps)
    _bsteps_sparse = _njit(_bsteps_sparse)
    _brow = _njit(_brow)
    _ftran = _njit(_ftran)
    _btran = _njit(_btran)
    _push_eta = _njit(_push_eta)
    _column = _njit(_column)
    _alpha = _njit(_alpha)
    _duals = _njit(_duals)
    _solve_all = _aot.kernel("solve_all", _njit(_solve_all_py))
