"""The simulator: steps a compiled network through time for all scenarios."""

from .engine import RunOptions, SimulationOutput, simulate
from .physics import energy_gwh, evaporation_hm3, turbine_flow_limit

__all__ = ["RunOptions", "SimulationOutput", "simulate", "energy_gwh", "evaporation_hm3", "turbine_flow_limit"]
