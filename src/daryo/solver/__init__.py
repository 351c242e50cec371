"""Linear programming: a solver-neutral LP description and the HiGHS back end."""

from .lp import LinearProgram, LPSolution, SolveStatus
from .highs import HighsSolver

__all__ = ["LinearProgram", "LPSolution", "SolveStatus", "HighsSolver"]
