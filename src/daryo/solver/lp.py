"""Solver-neutral types: the LP structure and a solution.  Nothing above :mod:`daryo.solver` sees HiGHS."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["LinearProgram", "LPSolution", "SolveStatus"]


class SolveStatus(enum.Enum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"


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
