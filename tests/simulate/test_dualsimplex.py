"""The dual simplex (:mod:`daryo.simulate._dualsimplex`) on bases whose peeling leaves a large bump, taken apart by
a spike (:func:`~daryo.simulate._dualsimplex._spike`).

Its runs as a whole are checked against the plain path in ``test_fastpath.py``; here (1) the factorisation: the
solves with the basis (``_ftran``) and with its transpose (``_btran``) must be those of the dense matrix, with and
without a rank-one change of the coverage column, and a spike whose eta cannot be used leaves the plain
factorisation; (2) its LPs: the stage LPs of a chain of demands, replayed from their start bases, compiled and as
plain Python, must give solutions that HiGHS finds feasible and optimal, also with the rank-one change moved to
another column of the bump (whose eta then comes after the spike's).
"""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from daryo.network import compile_network
from daryo.simulate import _dualsimplex as dsx
from daryo.simulate import _kernel
from daryo.simulate.fastpath import FastStepper
from daryo.testmodels import chain_of_demands

pytestmark = pytest.mark.skipif(not _kernel.available(), reason="priority mode on the fast path needs Numba")


@pytest.fixture(scope="module")
def chain_run():
    """The chain's run on the fast path: its first block and the stage LPs it gave the dual simplex (each call's
    arguments, copied before the call)."""
    calls = []
    solve = dsx.solve

    def record(st, idx, L, U, status, cost, D, jrows, tcol, *rest):
        if tcol >= 0:
            calls.append({"st": st, "idx": idx.copy(), "L": L.copy(), "U": U.copy(), "status": status.copy(),
                          "cost": cost.copy(), "D": D.copy(), "jrows": jrows.copy(), "tcol": int(tcol),
                          "tols": rest[:3]})
        solve(st, idx, L, U, status, cost, D, jrows, tcol, *rest)

    mp = pytest.MonkeyPatch()
    mp.setattr(dsx, "solve", record)
    try:
        stepper = FastStepper(compile_network(chain_of_demands()))
        stepper.run(lambda step: None)
    finally:
        mp.undo()
    assert stepper.priority is not None
    return stepper.priority.blocks[0], calls


@pytest.fixture(scope="module")
def stage_bases(chain_run):
    """The chain's first stage LP (block, its optimal bases of the last step, one per scenario)."""
    block, _ = chain_run
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


def bumpy_bases(stage_bases):
    """The block's structure, its first level's coverage column and rows, and each stage basis whose bump is larger
    than ``_SPIKE_BUMP`` with its peeled (not factorised) scratch: (st, tcol, rows, [(stat, scratch), …])."""
    block, bases = stage_bases
    st, N = block.st, block.N
    found = []
    for stat in bases:
        s = Scratch(st.m, N)
        if factorise(st, stat, s, dsx._SPIKE_BUMP) == dsx._BUMPY:
            found.append((stat, s))
    return st, int(block.level_tcol[0]), block.req_row[block.levels[0]], found


def spike(st, stat, s: Scratch, tc: int, delta: np.ndarray, rows: np.ndarray) -> int:
    """``_spike`` on the peeled basis ``stat`` (scratch ``s``), the scenario's change ``delta`` on column ``tc``."""
    return dsx._spike(stat, stat.size, st.m, st.colptr, st.rowidx, st.cval, st.ecol, st.rowptr, st.colidx, s.basic,
                      s.fpos, s.rowcnt, s.rowe, s.colcnt, s.rowdone, s.coldone, s.stack, s.fi, s.fv, s.LU, s.counts,
                      tc, delta, rows, s.ei, s.aq, s.work, s.tmp, s.ets, s.eti, s.etv)


@pytest.mark.parametrize("changed", [False, True], ids=["compiled-column", "rank-one-change"])
def test_a_large_bump_is_taken_apart_by_a_spike(stage_bases, changed):
    """Each stage basis whose bump is larger than ``_SPIKE_BUMP`` is factorised with its coverage column as a
    spike: the bump left is at most ``_SPIKE_BUMP``, one eta brings the column back, and solves with ``B`` and
    ``Bᵀ`` are those of the dense basis, whose coverage column carries the scenario's change where there is one."""
    st, tcol, rows, bumpy = bumpy_bases(stage_bases)
    m = st.m
    rng = np.random.default_rng(0)
    for stat, s in bumpy:
        assert s.counts[2] > dsx._SPIKE_BUMP
        delta = rng.uniform(-0.5, 0.5, rows.size) if changed else np.zeros(rows.size)
        s.counts[3] = -1  # (no slack known to work yet)
        it = spike(st, stat, s, tcol if changed else -1, delta, rows)
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
    assert len(bumpy) >= 4  # (most of the chain's stage bases)


def test_a_spike_whose_eta_cannot_be_used_leaves_the_plain_factorisation(stage_bases):
    """A rank-one change that makes the scenario's basis singular leaves every slack's eta pivot ~0: ``_spike``
    returns −1 with the basis factorised as it is (its whole bump by dense LU), and solves are the compiled
    basis's."""
    st, tcol, rows, bumpy = bumpy_bases(stage_bases)
    m = st.m
    rng = np.random.default_rng(0)
    for stat, s in bumpy:
        bump = int(s.counts[2])
        basic = np.flatnonzero(stat == dsx.BASIC)
        B = dense_basis(st, basic, tcol, rows, np.zeros(rows.size))
        e = np.zeros(m)
        e[rows] = d0 = rng.uniform(-0.5, 0.5, rows.size)
        w = np.linalg.solve(B, e)
        delta = -d0 / w[list(basic).index(tcol)]  # B + δ e_tᵀ = B (I + w' e_tᵀ) with 1 + w'_t = 0
        it = spike(st, stat, s, tcol, delta, rows)
        assert it == -1 and s.counts[2] == bump
        assert np.array_equal(s.basic, basic) and np.array_equal(s.fpos[basic], np.arange(m))
        rhs, x = rng.normal(size=m), np.empty(m)
        dsx._ftran(rhs, x, s.work, s.tmp, m, st.colptr, st.rowidx, st.cval, s.fi, s.fv, s.LU, s.counts, s.ets,
                   s.eti, s.etv, 0)
        np.testing.assert_allclose(B @ x, rhs, atol=1e-9)
    assert len(bumpy) >= 4


def bumpy_starts(call) -> np.ndarray:
    """The scenarios of a recorded call whose start basis peels to a bump of more than ``_SPIKE_BUMP`` rows."""
    st, N = call["st"], call["L"].shape[1]
    return np.array([i for i in call["idx"].tolist()
                     if factorise(st, call["status"][i], Scratch(st.m, N), dsx._SPIKE_BUMP) == dsx._BUMPY], dtype=int)


def assert_lp_optimum(call, i, z, tcol, delta):
    """``z`` is feasible for scenario ``i``'s LP of ``call`` (its column ``tcol`` changed by ``delta`` on the
    coverage rows) and its cost is HiGHS's optimum."""
    st, L, U, cost = call["st"], call["L"][i], call["U"][i], call["cost"]
    M = sp.csc_matrix((st.cval, st.rowidx, st.colptr), shape=(st.m, L.size)).toarray()
    M[call["jrows"], tcol] += delta
    scale = max(1.0, float(np.abs(z).max()))
    assert np.abs(M @ z).max() < 1e-9 * scale
    assert np.all(z >= L - 1e-9 * scale) and np.all(z <= U + 1e-9 * scale)
    bounds = [(lo if np.isfinite(lo) else None, hi if np.isfinite(hi) else None) for lo, hi in zip(L, U, strict=True)]
    best = linprog(cost, A_eq=M, b_eq=np.zeros(st.m), bounds=bounds, method="highs")
    assert best.status == 0 and cost @ z == pytest.approx(best.fun, rel=1e-9, abs=1e-9)


def replay(call, idx, tcol, D, compiled):
    """Solve the LPs of ``call`` for scenarios ``idx`` from their recorded start bases; (result, z)."""
    L, U = call["L"], call["U"]
    K, N = L.shape
    z, result = np.full((K, N), np.nan), np.full(K, dsx.FAIL, np.int8)
    ycov, piv = np.zeros((K, call["jrows"].size)), np.zeros(K, np.int64)
    dsx.solve(call["st"], idx, L, U, call["status"].copy(), call["cost"], D, call["jrows"], tcol, *call["tols"], z,
              result, ycov, piv, compiled)
    return result, z


@pytest.mark.parametrize("compiled", [True, False], ids=["kernel", "python"])
def test_stage_lps_from_bases_with_a_large_bump_are_solved_to_the_optimum(chain_run, compiled, monkeypatch):
    """The chain's stage LPs whose start basis has a large bump, replayed from it: every answer the dual simplex
    gives is feasible (the scenario's coverage coefficients included) and optimal, by HiGHS; as plain Python,
    the spikes are counted and most of them are used."""
    _, calls = chain_run
    spikes = []
    if not compiled:  # (the pure-Python loop looks ``_spike`` up at each call)
        spike = dsx._spike
        monkeypatch.setattr(dsx, "_spike", lambda *a: spikes.append(spike(*a)) or spikes[-1])
    solved = 0
    for call in calls:
        idx = bumpy_starts(call)
        if not idx.size:
            continue
        result, z = replay(call, idx, call["tcol"], call["D"], compiled)
        for i in idx[result[idx] == dsx.OK].tolist():
            assert_lp_optimum(call, i, z[i], call["tcol"], call["D"][i])
            solved += 1
    assert solved >= 40
    assert compiled or sum(i >= 0 for i in spikes) >= 40, spikes


def test_a_rank_one_change_of_another_column_comes_after_the_spike(chain_run):
    """The same LPs with the scenario's change moved to another basic column of the bump (a flow): the spike is
    still the coverage column, and the change's eta comes after the spike's.  Every answer is the optimum."""
    block, calls = chain_run
    n = block.n
    rng = np.random.default_rng(1)
    solved = 0
    for call in calls[:40]:
        idx = bumpy_starts(call)
        if not idx.size:
            continue
        stat = call["status"][idx[0]]
        flows = [q for q in np.flatnonzero(stat == dsx.BASIC).tolist() if q < n and q != call["tcol"]]
        for q in rng.choice(flows, size=min(2, len(flows)), replace=False).tolist():
            D = call["D"] * 0.05
            result, z = replay(call, idx, q, D, True)
            for i in idx[result[idx] == dsx.OK].tolist():
                assert_lp_optimum(call, i, z[i], q, D[i])
                solved += 1
    assert solved >= 20
