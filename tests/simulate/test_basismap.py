"""The compiled basis algebra (peeled sparse factorisation) equals the dense LAPACK algebra, basis by basis.

Bases are collected from fast-path runs of generated networks (with level tables, evaporation and plants, so
that the matrix has loss factors, not only ±1); for each, the derivative of the solution with respect to the
scenario data, the reduced costs, the solution for given nonbasic values and the entering variable of every
possible dual simplex pivot are computed both ways.
"""

import numpy as np
import pytest
from test_fastpath import compiled, random_network

from daryo.simulate import _dualsimplex as dsx
from daryo.simulate import _kernel
from daryo.simulate._basiscache import Basis, DenseAlgebra, Map, StepContext
from daryo.simulate._basismap import BasisAlgebra
from daryo.simulate.fastpath import FastOptions, FastStepper

pytestmark = pytest.mark.skipif(not _kernel.available(), reason="the compiled algebra needs Numba")


@pytest.mark.parametrize("seed", [100, 101, 3])
def test_compiled_algebra_equals_dense(seed):
    net = compiled(random_network(seed, scenarios=12, steps=48, physics=seed >= 100))
    stepper = FastStepper(net, options=FastOptions(kernel="numpy"))  # dense bases
    stepper.run(lambda rec: None)
    lay = stepper.layout
    algebra = BasisAlgebra(dsx.Structure(net.lp.A), lay.N)
    cost = lay.costs(net, 0)
    lo_c, hi_c = StepContext(net, lay, 0, 1e-9).constant_bounds()
    fixed_none = np.zeros(lay.N, dtype=bool)
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
        np.testing.assert_allclose(fast.constant(lo_c, hi_c, out, no_fixed),
                                   dense.constant(lo_c, hi_c, out, no_fixed), rtol=0, atol=1e-9)
        if fixed_d is not None:
            mp = Map(fixed_d, red_d)  # the ratio test reads only the reduced costs
            for i in range(dense.chk_lo.size + dense.chk_hi.size):
                a, b = dense.pivot(i, mp, fixed_none), fast.pivot(i, mp, fixed_none)
                assert (a is None) == (b is None)
                if a is not None:
                    np.testing.assert_array_equal(a, b)
                    pivots += 1
        checked += 1
    assert checked > 10 and pivots > 10
