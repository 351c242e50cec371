"""daryo: open, fast river-basin allocation for transboundary water–energy–food planning.

Quick use::

    import daryo
    model = daryo.load(daryo.demo_model_path())   # a model file's path; daryo.load() for the embedded Aral model
    daryo.cautions(model)                          # what it may not mean: daryo run's "note:" lines
    results = daryo.run(model, daryo.RunOptions(scenarios=3, years=10))   # the demo has 5 traces
    results.dataset                                # xarray Dataset: scenario × time × element
    results.summary()                              # per country: water demanded, delivered, short; energy

Errors: bad input raises a ValueError or a TypeError: :class:`ModelError` (a ValueError) for a model, an overlay or
a data file it reads, listing every problem (``problems``: each with its ``file``, ``place``, ``line`` and
``message``); a plain ValueError or TypeError for an argument or option of the wrong value or kind.  A model whose
allocation cannot be solved at a step raises :class:`StepError` (a RuntimeError: :class:`InfeasibleStepError`,
:class:`UnboundedStepError`, :class:`SolverFailedError`), with its ``step``, ``time`` and ``scenario``.  A file that
cannot be read or written raises an OSError.

The names below, and the public submodules (``daryo.results``, ``daryo.ensemble``, ``daryo.model``, …), are
imported on first use, so ``import daryo`` (and the command line's ``--help``) loads neither SciPy, xarray nor
Numba: each is loaded when first needed (a run needs all three).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import InfeasibleStepError, ModelError, Problem, SolverFailedError, StepError, UnboundedStepError

if TYPE_CHECKING:  # (what a type checker sees of the names imported on first use: each typed, any other an error)
    from . import api as api
    from . import basins as basins
    from . import cf as cf
    from . import compare as compare
    from . import ensemble as ensemble
    from . import errors as errors
    from . import hydrology as hydrology
    from . import indicators as indicators
    from . import model as model
    from . import network as network
    from . import parameters as parameters
    from . import pywr as pywr
    from . import results as results
    from . import scenarios as scenarios
    from . import sdg as sdg
    from . import simulate as simulate
    from . import solver as solver
    from . import testmodels as testmodels
    from . import timeaxis as timeaxis
    from . import units as units
    from .api import cautions, default_model_path, demo_model_path, load, load_text, run
    from .model import Model
    from .results import Results
    from .simulate import RunOptions

__all__ = ["load", "load_text", "run", "cautions", "default_model_path", "demo_model_path", "Model", "Results",
           "RunOptions", "ModelError", "Problem", "StepError", "InfeasibleStepError", "UnboundedStepError",
           "SolverFailedError", "__version__"]
__version__ = "0.1.0"

_LAZY = {"load": ".api", "load_text": ".api", "run": ".api", "cautions": ".api", "default_model_path": ".api",
         "demo_model_path": ".api",
         "Model": ".model", "Results": ".results", "RunOptions": ".simulate"}


#: the subpackages and modules that ``daryo.<name>`` gives after a plain ``import daryo`` (as the docs write
#: ``daryo.results.advice(ds)`` and ``daryo.ensemble.summary_table(path)``)
_SUBMODULES = frozenset({"api", "basins", "cf", "compare", "ensemble", "errors", "hydrology", "indicators", "model",
                         "network", "parameters", "pywr", "results", "scenarios", "sdg", "simulate", "solver",
                         "testmodels", "timeaxis", "units"})


if not TYPE_CHECKING:  # (a module's __getattr__ would make any name, a typo too, a name of daryo's to mypy: a
    # backend developer's review, daryo.lod(None) passed mypy --strict)
    def __getattr__(name: str) -> Any:
        if name in _SUBMODULES:
            return importlib.import_module(f".{name}", __name__)  # (the import binds it here: no second call)
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module 'daryo' has no attribute '{name}'")
        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)
