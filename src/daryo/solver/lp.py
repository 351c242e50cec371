"""Solver-neutral types: the LP structure and a solution.  Nothing above :mod:`daryo.solver` sees HiGHS."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["LinearProgram", "LPSolution", "SolveStatus", "BasisStatus"]


class SolveStatus(enum.Enum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"


class BasisStatus(enum.IntEnum):
    """Status of a column or row in a simplex basis (the codes of :meth:`HighsSolver.get_basis`).

    For a row, LOWER/UPPER mean that the row activity ``A x`` is at its lower/upper bound."""

    LOWER = 0
    BASIC = 1
    UPPER = 2
    ZERO = 3  # free and nonbasic, at zero


@dataclass
class LinearProgram:
    """``min cost·x  s.t.  row_lower ≤ A x ≤ row_upper,  col_lower ≤ x ≤ col_upper``.

    The sparsity pattern of ``A`` is fixed for a run; per step only bounds, costs and a few declared
    coefficients change.
    """

    A: sp.csc_matrix
    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_names: list[str]
    row_names: list[str]

    @property
    def n_cols(self) -> int:
        return self.A.shape[1]

    @property
    def n_rows(self) -> int:
        return self.A.shape[0]


@dataclass
class LPSolution:
    status: SolveStatus
    x: np.ndarray
    row_dual: np.ndarray
    objective: float
    iterations: int
