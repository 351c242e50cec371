"""Linear programming: a solver-neutral LP description and the HiGHS back end."""

from .highs import HighsSolver
from .lp import LinearProgram, LPSolution, SolveStatus

__all__ = ["LinearProgram", "LPSolution", "SolveStatus", "HighsSolver"]
