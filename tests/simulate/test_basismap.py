"""The compiled basis algebra (peeled sparse factorisation) equals the dense LAPACK algebra, basis by basis.

Bases are collected from fast-path runs of generated networks (with level tables, evaporation and plants, so
that the matrix has loss factors, not only ±1); for each, the derivative of the solution with respect to the
scenario data, the reduced costs, the solution for given nonbasic values and the entering variable of every
possible dual simplex pivot are computed both ways.
"""

import numpy as np
import pytest
from test_fastpath import compiled, random_network

from daryo.simulate import _basismap, _kernel
from daryo.simulate import _dualsimplex as dsx
from daryo.simulate._basiscache import Basis, DenseAlgebra, Map, StepContext
from daryo.simulate._basismap import BasisAlgebra, basis_sets, dual_check
from daryo.simulate.fastpath import FastOptions, FastStepper

pytestmark = pytest.mark.skipif(not _kernel.available(), reason="the compiled algebra needs Numba")


@pytest.mark.parametrize("seed", [100, 101, 3])
def test_compiled_algebra_equals_dense(seed):
    net = compiled(random_network(seed, scenarios=12, steps=48, physics=seed >= 100))
    stepper = FastStepper(net, options=FastOptions(kernel="numpy"))  # dense bases
    stepper.run(lambda rec: None)
    lay = stepper.layout
    algebra = BasisAlgebra(dsx.Structure(net.lp.A), lay.N)
    step = StepContext(net, lay, 0, 1e-9)
    cost = step.position_costs()
    lo_c, hi_c = step.constant_bounds()
    later = StepContext(net, lay, 5, 1e-9).constant_bounds()  # (the generated networks' bounds vary by step)
    assert not np.array_equal(later[1], hi_c)
    lo_cs, hi_cs = np.stack([lo_c, later[0]]), np.stack([hi_c, later[1]])
    fixed_none = np.zeros(lay.N, dtype=bool)
    lo_sh, hi_sh = step.shared()
    volume = np.broadcast_to(net.res_initial, (net.n_scenarios, net.res_initial.shape[1])).astype(float)
    d = lay.scenario_data(net, 0, volume, lo_sh, hi_sh)[0][0]  # a scenario's data row: its fixed positions
    assert np.any(np.equal(*lay.full_bounds(lo_sh, hi_sh, d)))
    checked = pivots = 0
    assert stepper.cost is not None
    for dense in stepper.cost.cache.bases.values():
        assert isinstance(dense.algebra, DenseAlgebra)
        fast = Basis(dense.status, lay, algebra)
        out = np.arange(lay.N)
        no_fixed = np.zeros(0, dtype=np.int64)
        np.testing.assert_allclose(fast.linear_map(lay, out, no_fixed), dense.linear_map(lay, out, no_fixed),
                                   rtol=0, atol=1e-11)
        fixed_d, red_d = dense.duals(lay, cost, 1e-9)
        fixed_f, red_f = fast.duals(lay, cost, 1e-9)
        np.testing.assert_allclose(red_f, red_d, rtol=1e-12, atol=1e-9)
        assert (fixed_d is None) == (fixed_f is None)
        np.testing.assert_allclose(fast.constants(lo_cs, hi_cs, out, no_fixed),
                                   dense.constants(lo_cs, hi_cs, out, no_fixed), rtol=0, atol=1e-9)
        for u in range(2):  # each row is that of its bounds alone
            np.testing.assert_array_equal(fast.constants(lo_cs[u:u + 1], hi_cs[u:u + 1], out, no_fixed)[0],
                                          fast.constants(lo_cs, hi_cs, out, no_fixed)[u])
        if fixed_d is not None:
            mp = Map(fixed_d, red_d)  # the ratio test reads only the reduced costs
            for i in range(dense.chk_lo.size + dense.chk_hi.size):
                pair = [basis.pivot_for(i, mp, lay, lo_sh, hi_sh, d) for basis in (dense, fast)]  # (in one call)
                for a, b in ((dense.pivot(i, mp, fixed_none), fast.pivot(i, mp, fixed_none)), pair):
                    assert (a is None) == (b is None)
                    if a is not None:
                        np.testing.assert_array_equal(a, b)
                        pivots += 1
        checked += 1
    assert checked > 10 and pivots > 10


@pytest.mark.parametrize("compiled_sets", [True, False])
def test_basis_sets_and_dual_check_are_the_numpy_definitions(compiled_sets, monkeypatch):
    """A basis's index sets and its dual check, in one compiled call each (or as Python, without Numba), are
    those the NumPy expressions give; a status that is not a basis, or puts a nonbasic position at an infinite
    bound, is refused."""
    if not compiled_sets:
        monkeypatch.setattr(_basismap, "_sets", _basismap._sets_py)
        monkeypatch.setattr(_basismap, "_duals", _basismap._duals_py)
    net = compiled(random_network(101, scenarios=12, steps=48, physics=True))
    stepper = FastStepper(net, options=FastOptions(kernel="numpy"))
    stepper.run(lambda rec: None)
    lay = stepper.layout
    step = StepContext(net, lay, 0, 1e-9)
    assert stepper.cost is not None
    statuses = [b.status for b in stepper.cost.cache.bases.values()]
    some_fixed = 0
    for status in statuses:
        basic, nb = np.flatnonzero(status == dsx.BASIC), np.flatnonzero(status != dsx.BASIC)
        slot = np.where(status == dsx.LOWER, lay.lo_slot, np.where(status == dsx.UPPER, lay.hi_slot, -1))
        got = basis_sets(status, lay.inf_lo, lay.inf_hi, lay.lo_slot, lay.hi_slot, lay.m)
        assert got is not None
        for a, b in zip(got, (basic, nb, slot, basic[~lay.inf_lo[basic]], basic[~lay.inf_hi[basic]]), strict=True):
            np.testing.assert_array_equal(a, b)
        full = DenseAlgebra(status, lay.dense).reduced_costs(step.position_costs())
        for tol in (1e-9, 1e3):
            red, st = full[nb], status[nb]
            wrong = nb[((st == dsx.LOWER) & (red < -tol)) | ((st == dsx.UPPER) & (red > tol))]
            never = np.any((st == dsx.ZERO) & (np.abs(red) > tol)) or np.any(lay.inf_lo[wrong] | lay.inf_hi[wrong])
            fixed, red_got = dual_check(status, nb, full, tol, lay.inf_lo, lay.inf_hi)
            np.testing.assert_array_equal(red_got, red)
            assert (fixed is None) == never
            if fixed is not None:
                np.testing.assert_array_equal(fixed, wrong)
                some_fixed += fixed.size > 0
        short = status.copy()
        short[basic[0]] = dsx.LOWER if not lay.inf_lo[basic[0]] else dsx.UPPER
        assert basis_sets(short, lay.inf_lo, lay.inf_hi, lay.lo_slot, lay.hi_slot, lay.m) is None  # m − 1 basic
        extra = status.copy()
        extra[nb[0]] = dsx.BASIC
        assert basis_sets(extra, lay.inf_lo, lay.inf_hi, lay.lo_slot, lay.hi_slot, lay.m) is None  # m + 1 basic
    infinite = np.flatnonzero(lay.inf_hi)
    status = statuses[0].copy()
    q = next(q for q in infinite if status[q] != dsx.BASIC)
    status[q] = dsx.UPPER  # a nonbasic position at its infinite upper bound
    assert basis_sets(status, lay.inf_lo, lay.inf_hi, lay.lo_slot, lay.hi_slot, lay.m) is None
    assert len(statuses) > 10 and some_fixed
