"""The HiGHS back end (through ``highspy``), behind :class:`HighsSolver`."""

from __future__ import annotations

import operator
from typing import Any

import highspy
import numpy as np
from highspy import _core

from .lp import LinearProgram, LPSolution, SolveStatus

__all__ = ["HighsSolver", "FEASIBILITY_TOLERANCE", "SMALLEST_COEFFICIENT", "LARGEST_COEFFICIENT"]

#: HiGHS's primal and dual feasibility tolerance (its default is 1e-7)
FEASIBILITY_TOLERANCE = 1e-9

#: HiGHS drops a matrix value of this size or less, in the model passed to it and in :meth:`HighsSolver.set_coefficient`
#: (which then leaves that row without the column): its option ``small_matrix_value``, set here to the least it takes
#: (its default, 1e-9, dropped a priority stage's coverage coefficient ``−R_j/α`` of a demand 10⁹ times smaller than
#: the largest of its priority, which then got nothing of the stage: a numerical analyst's review); a caller whose
#: rows hold values of very different sizes scales them within this and :data:`LARGEST_COEFFICIENT`
SMALLEST_COEFFICIENT = 1e-12

#: HiGHS refuses a matrix value of this size or more (its option ``large_matrix_value``, its default)
LARGEST_COEFFICIENT = 1e15

#: highspy's basis codes by daryo's (:class:`~daryo.solver.lp.BasisStatus`: lower 0, basic 1, upper 2, zero 3), as an
#: object array: a basis's statuses are looked up all at once (``_BASIS_STATUS[status]``), not one by one in Python
_BASIS_STATUS = np.array([highspy.HighsBasisStatus.kLower, highspy.HighsBasisStatus.kBasic,
                          highspy.HighsBasisStatus.kUpper, highspy.HighsBasisStatus.kZero,
                          highspy.HighsBasisStatus.kNonbasic], dtype=object)

_STATUS = {
    highspy.HighsModelStatus.kOptimal: SolveStatus.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: SolveStatus.INFEASIBLE,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: SolveStatus.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: SolveStatus.UNBOUNDED,
}


class HighsSolver:
    """One LP held in HiGHS; bounds, costs and coefficients are changed in place and each solve
    warm-starts from the previous basis.

    Parameters
    ----------
    lp
        The LP structure (passed to HiGHS once).
    """

    def __init__(self, lp: LinearProgram):
        # the raw binding: no Python callbacks on every solve (typed Any: its stubs lag the binding)
        self._h: Any = _core._Highs()
        h = self._h
        h.setOptionValue("output_flag", False)
        h.setOptionValue("presolve", "off")  # tiny LPs: a warm-started simplex is faster without it
        h.setOptionValue("threads", 1)  # no thread pool for tiny LPs (about 20 % faster per solve)
        # the fast path's tolerances (1e-9), not HiGHS's 1e-7: tie-breaking costs of 10⁻⁷ per hm³ and less (side
        # by side reservoirs of a model with many) and flows of 10⁻⁵ hm³ are then kept as the fast path keeps them
        h.setOptionValue("primal_feasibility_tolerance", FEASIBILITY_TOLERANCE)
        h.setOptionValue("dual_feasibility_tolerance", FEASIBILITY_TOLERANCE)
        h.setOptionValue("small_matrix_value", SMALLEST_COEFFICIENT)
        h.setOptionValue("large_matrix_value", LARGEST_COEFFICIENT)
        model = highspy.HighsLp()
        model.num_col_, model.num_row_ = lp.n_cols, lp.n_rows
        model.col_cost_ = np.asarray(lp.cost, dtype=float)
        model.col_lower_ = np.asarray(lp.col_lower, dtype=float)
        model.col_upper_ = np.asarray(lp.col_upper, dtype=float)
        self._upper: np.ndarray = np.asarray(lp.col_upper, dtype=float)  # (as given: HiGHS stores 1e20+ as inf)
        model.row_lower_ = np.asarray(lp.row_lower, dtype=float)
        model.row_upper_ = np.asarray(lp.row_upper, dtype=float)
        A = lp.A.tocsc()
        model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        model.a_matrix_.start_ = A.indptr.astype(np.int32)
        model.a_matrix_.index_ = A.indices.astype(np.int32)
        model.a_matrix_.value_ = A.data.astype(float)
        h.passModel(model)
        self.n_cols, self.n_rows = lp.n_cols, lp.n_rows
        self._cols = np.arange(self.n_cols, dtype=np.int32)
        self._rows = np.arange(self.n_rows, dtype=np.int32)

    def set_col_bounds(self, lower: np.ndarray, upper: np.ndarray) -> None:
        self._h.changeColsBounds(self.n_cols, self._cols, lower, upper)
        self._upper = upper

    def col_lower(self) -> np.ndarray:
        """The columns' lower bounds as set now."""
        return np.asarray(self._h.getLp().col_lower_, dtype=float)

    def col_upper(self) -> np.ndarray:
        """The columns' upper bounds as last set, as given (HiGHS reads 1e20 or more as no bound)."""
        return np.array(self._upper, dtype=float)

    def set_row_bounds(self, lower: np.ndarray, upper: np.ndarray) -> None:
        self._h.changeRowsBounds(self.n_rows, self._rows, lower, upper)

    def set_costs(self, cost: np.ndarray) -> None:
        self._h.changeColsCost(self.n_cols, self._cols, cost)

    def set_coefficient(self, row: int, col: int, value: float) -> None:
        """Set one matrix value; one of :data:`SMALLEST_COEFFICIENT` or less in magnitude is dropped (zero)."""
        self._h.changeCoeff(int(row), int(col), float(value))

    def solve(self) -> LPSolution:
        """Solve from the current basis; a solve that ends without an answer or a proof (numerical trouble
        from a warm start) is repeated once from scratch."""
        h = self._h
        h.run()
        status = _STATUS.get(h.getModelStatus(), SolveStatus.ERROR)
        if status is SolveStatus.ERROR:
            h.clearSolver()
            h.run()
            status = _STATUS.get(h.getModelStatus(), SolveStatus.ERROR)
        if status is not SolveStatus.OPTIMAL:
            return LPSolution(status, np.full(self.n_cols, np.nan), np.full(self.n_rows, np.nan), np.nan, 0)
        sol = h.getSolution()
        info = h.getInfo()
        return LPSolution(status, np.asarray(sol.col_value), np.asarray(sol.row_dual),
                          float(info.objective_function_value), int(info.simplex_iteration_count))

    def solve_from_scratch(self) -> LPSolution:
        """Solve without the current basis (a warm start can end in a wrong verdict of infeasibility at the tight
        tolerances daryo sets)."""
        self._h.clearSolver()
        return self.solve()

    # --- basis access (used by the fast path: daryo.simulate.fastpath, fastpriority) ---------------------------
    def get_basis(self) -> np.ndarray:
        """Status of every column, then every row, of the last solve: an int8 array of
        :class:`~daryo.solver.lp.BasisStatus` codes (lower 0, basic 1, upper 2, zero 3)."""
        # (highspy gives each status as a Python object, in a new list at every access of ``col_status``: each
        # list is read once, and the codes taken in one pass over both)
        b = self._h.getBasis()
        return np.fromiter(map(operator.index, b.col_status + b.row_status), np.int8, self.n_cols + self.n_rows)

    def start_from(self, status: np.ndarray | None) -> None:
        """Forget the last solve (its basis and the simplex's other data, such as its pricing weights) and start the
        next from ``status`` (:meth:`get_basis`; None: from scratch): a solve then depends on nothing before it."""
        self._h.clearSolver()
        if status is not None:
            self.set_basis(status)

    def set_basis(self, status: np.ndarray) -> bool:
        """Start the next solve from ``status`` (as returned by :meth:`get_basis`); False if refused."""
        codes = _BASIS_STATUS[np.asarray(status, dtype=np.intp)]
        b = highspy.HighsBasis()
        b.col_status = codes[: self.n_cols].tolist()
        b.row_status = codes[self.n_cols:].tolist()
        b.valid = True
        return bool(self._h.setBasis(b) == highspy.HighsStatus.kOk)

    def irreducible_infeasible_set(self) -> tuple[list[int], list[int]]:
        """Columns and rows of an irreducible infeasible subsystem (empty lists if none was found)."""
        h = self._h
        try:
            h.setOptionValue("iis_strategy", 2)  # isolate from the LP itself (not only from bounds)
            status, iis = h.getIis()
        except (AttributeError, TypeError, RuntimeError):
            return [], []
        if status != highspy.HighsStatus.kOk:
            return [], []
        return list(map(int, iis.col_index_)), list(map(int, iis.row_index_))
