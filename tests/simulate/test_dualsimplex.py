"""The dual simplex's basis factorisation (:mod:`daryo.simulate._dualsimplex`), checked against dense algebra.

Its LPs as a whole are checked against the plain path in ``test_fastpath.py``; here, the factorisation of bases
whose peeling leaves a large bump, taken apart by a spike (:func:`~daryo.simulate._dualsimplex._spike`): the
solves with the basis (``_ftran``) and with its transpose (``_btran``) must be those of the dense matrix, with
and without a rank-one change of the coverage column.
"""

import numpy as np
import pytest

from daryo.network import compile_network
from daryo.simulate import _dualsimplex as dsx
from daryo.simulate.fastpath import FastStepper
from daryo.testmodels import chain_of_demands


@pytest.fixture(scope="module")
def stage_bases():
    """The chain's first stage LP (block, its optimal bases of the last step, one per scenario)."""
    stepper = FastStepper(compile_network(chain_of_demands()))
    stepper.run(lambda step: None)
    assert stepper.priority is not None
    block = stepper.priority.blocks[0]
    hist, has = block._hist[("stage", 0, 0)]
    return block, hist[has]


class Scratch:
    """The work arrays of one factorisation (as ``_solve_all`` allocates them)."""

    def __init__(self, m: int, N: int):
        self.basic, self.fpos = np.empty(m, np.int64), np.empty(N, np.int64)
        self.rowcnt, self.rowe, self.colcnt = (np.empty(m, np.int64) for _ in range(3))
        self.rowdone, self.coldone = np.empty(m, np.bool_), np.empty(m, np.bool_)
        self.stack = np.empty(m, np.int64)
        self.fi, self.fv, self.LU = np.empty((7, m), np.int64), np.empty(m), np.empty((m, m))
        self.counts = np.full(4, -1, np.int64)
        self.ets = np.zeros(dsx._MAX_ETAS + 2, np.int64)
        self.eti, self.etv = np.empty((dsx._MAX_ETAS + 1) * m, np.int64), np.empty((dsx._MAX_ETAS + 1) * m)
        self.ei, self.aq, self.work, self.tmp = (np.empty(m) for _ in range(4))


def factorise(st, stat, s: Scratch, max_bump: int) -> int:
    N = stat.size
    return dsx._factor_with(stat, N, st.m, st.colptr, st.rowidx, st.cval, st.ecol, st.rowptr, st.colidx, s.basic,
                            s.fpos, s.rowcnt, s.rowe, s.colcnt, s.rowdone, s.coldone, s.stack, s.fi, s.fv, s.LU,
                            s.counts, -1, -1, max_bump)


def dense_basis(st, basic: np.ndarray, tcol: int, rows: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """The basis matrix of ``[A −I]`` (columns ``basic``), ``delta`` added to column ``tcol`` on ``rows``."""
    m = st.m
    B = np.zeros((m, m))
    for b, q in enumerate(basic.tolist()):
        for e in range(st.colptr[q], st.colptr[q + 1]):
            B[st.rowidx[e], b] = st.cval[e]
        if q == tcol:
            B[rows, b] += delta
    return B


@pytest.mark.parametrize("changed", [False, True], ids=["compiled-column", "rank-one-change"])
def test_a_large_bump_is_taken_apart_by_a_spike(stage_bases, changed):
    """Each stage basis whose bump is larger than ``_SPIKE_BUMP`` is factorised with its coverage column as a
    spike: the bump left is at most ``_SPIKE_BUMP``, one eta brings the column back, and solves with ``B`` and
    ``Bᵀ`` are those of the dense basis, whose coverage column carries the scenario's change where there is one."""
    block, bases = stage_bases
    st, N, m = block.st, block.N, block.st.m
    tcol, rows = int(block.level_tcol[0]), block.req_row[block.levels[0]]
    rng = np.random.default_rng(0)
    bumpy = 0
    for stat in bases:
        s = Scratch(m, N)
        if factorise(st, stat, s, dsx._SPIKE_BUMP) != dsx._BUMPY:
            continue
        bumpy += 1
        assert s.counts[2] > dsx._SPIKE_BUMP
        delta = rng.uniform(-0.5, 0.5, rows.size) if changed else np.zeros(rows.size)
        s.counts[3] = -1  # (no slack known to work yet)
        it = dsx._spike(stat, N, m, st.colptr, st.rowidx, st.cval, st.ecol, st.rowptr, st.colidx, s.basic, s.fpos,
                        s.rowcnt, s.rowe, s.colcnt, s.rowdone, s.coldone, s.stack, s.fi, s.fv, s.LU, s.counts,
                        tcol if changed else -1, delta, rows, s.ei, s.aq, s.work, s.tmp, s.ets, s.eti, s.etv)
        assert it >= 0 and s.basic[it] == tcol  # the coverage column is the spike
        assert s.counts[2] <= dsx._SPIKE_BUMP and s.fpos[s.counts[3]] == it and s.fpos[tcol] == -1
        assert np.array_equal(np.sort(s.basic), np.flatnonzero(stat == dsx.BASIC))
        B = dense_basis(st, s.basic, tcol, rows, delta)
        rhs = rng.normal(size=m)
        x, y, ynz = np.empty(m), np.empty(m), np.empty(m, np.int64)
        dsx._ftran(rhs, x, s.work, s.tmp, m, st.colptr, st.rowidx, st.cval, s.fi, s.fv, s.LU, s.counts, s.ets,
                   s.eti, s.etv, 1)
        np.testing.assert_allclose(B @ x, rhs, atol=1e-9)
        for sparse in (False, True):
            dsx._btran(rhs.copy(), y, ynz, sparse, s.work, s.tmp, m, st.colptr, st.rowidx, st.cval, st.rowptr,
                       st.colidx, st.rval, s.fpos, s.fi, s.fv, s.LU, s.counts, s.ets, s.eti, s.etv, 1)
            np.testing.assert_allclose(B.T @ y, rhs, atol=1e-9)
    assert bumpy >= 4  # (most of the chain's stage bases)
