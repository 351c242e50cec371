"""The HiGHS back end: a basis goes out of and back into HiGHS unchanged."""

import numpy as np
import scipy.sparse as sp

from daryo.solver import BasisStatus, HighsSolver, LinearProgram


def three_columns() -> LinearProgram:
    """``min −x0 − 2 x1 + 0.5 x2``  s.t.  ``x0 + x1 ≤ 4`` (row 0), ``x1 − x2 = 1`` (row 1),  ``0 ≤ x0 ≤ 3``,
    ``0 ≤ x1 ≤ 2``, ``0 ≤ x2 ≤ 5``.

    By hand: a unit of x1 gains 2 − 0.5 (x2 = x1 − 1 follows it), more than one of x0: x1 goes to its upper bound 2,
    x2 = 1 (basic), x0 takes the rest of row 0 (2, basic); row 0 is at its upper bound, row 1 (an equality)
    nonbasic."""
    A = sp.csc_matrix(np.array([[1.0, 1.0, 0.0], [0.0, 1.0, -1.0]]))
    return LinearProgram(A, np.array([-1.0, -2.0, 0.5]), np.zeros(3), np.array([3.0, 2.0, 5.0]),
                         np.array([-np.inf, 1.0]), np.array([4.0, 1.0]), ["x0", "x1", "x2"], ["r0", "r1"])


def test_a_basis_goes_out_and_back_in_unchanged():
    """A review of large networks: the basis round trip was built element by element in Python; its codes must stay
    daryo's (lower 0, basic 1, upper 2) both ways, and a solver given the optimal basis needs no iteration."""
    lp = three_columns()
    solver = HighsSolver(lp)
    sol = solver.solve()
    np.testing.assert_allclose(sol.x, [2.0, 2.0, 1.0])
    basis = solver.get_basis()
    assert basis.dtype == np.int8
    assert basis[0] == BasisStatus.BASIC and basis[1] == BasisStatus.UPPER and basis[2] == BasisStatus.BASIC
    assert basis[3] == BasisStatus.UPPER  # row 0 at its upper bound
    assert basis[4] in (BasisStatus.LOWER, BasisStatus.UPPER)  # row 1, an equality: nonbasic at its one value

    other = HighsSolver(lp)
    assert other.set_basis(basis)
    again = other.solve()
    assert again.iterations == 0
    np.testing.assert_allclose(again.x, sol.x)
    np.testing.assert_array_equal(other.get_basis(), basis)


def test_start_from_a_basis_of_a_larger_network():
    """Every code of a basis as long as a large network's goes back in its place: a solver started from another's
    optimal basis of a chain of 2,000 columns (some worth taking, at their upper bound or basic, some not, at their
    lower bound) ends there without an iteration."""
    n = 2000
    A = sp.diags([np.ones(n), -np.ones(n - 1)], [0, 1], shape=(n, n), format="csc")  # row i: x_i − x_{i+1}
    rng = np.random.default_rng(3)
    lp = LinearProgram(A, rng.uniform(-2, 1, n), np.zeros(n), rng.uniform(1, 5, n), np.full(n, -np.inf),
                       rng.uniform(0, 1, n), [f"x{j}" for j in range(n)], [f"r{i}" for i in range(n)])
    solver = HighsSolver(lp)
    sol = solver.solve()
    basis = solver.get_basis()
    assert set(np.unique(basis).tolist()) >= {int(BasisStatus.LOWER), int(BasisStatus.BASIC), int(BasisStatus.UPPER)}
    other = HighsSolver(lp)
    other.start_from(basis)
    again = other.solve()
    assert again.iterations == 0
    np.testing.assert_allclose(again.x, sol.x)
    np.testing.assert_array_equal(other.get_basis(), basis)
