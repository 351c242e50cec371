"""daryo: open, fast river-basin allocation for transboundary water–energy–food planning.

Quick use::

    import daryo
    model = daryo.load("basin.yaml")          # or daryo.load() for the embedded Aral Sea basin model
    results = daryo.run(model, daryo.RunOptions(scenarios=10))
    results.dataset                            # xarray Dataset: scenario × time × element
"""

from .api import default_model_path, demo_model_path, load, run
from .errors import InfeasibleStepError, ModelError, Problem, SolverFailedError, StepError, UnboundedStepError
from .model import Model
from .results import Results
from .simulate import RunOptions

__all__ = ["load", "run", "default_model_path", "demo_model_path", "Model", "Results", "RunOptions", "ModelError",
           "Problem", "StepError", "InfeasibleStepError", "UnboundedStepError", "SolverFailedError",
           "__version__"]
__version__ = "0.1.0"
