"""Linear programming: a solver-neutral LP description and the HiGHS back end."""

from .highs import HighsSolver
from .lp import BasisStatus, LinearProgram, LPSolution, SolveStatus

__all__ = ["LinearProgram", "LPSolution", "SolveStatus", "BasisStatus", "HighsSolver"]
