"""Parameters: named, typed values that model attributes reference instead of a fixed series.

A model's ``parameters:`` section names parameters; a *series* attribute references one with
``{parameter: NAME, unit: …}`` (the unit applies at the point of use, so one parameter can be a rate in one
place and a cost in another).  A parameter's inputs (``parameter``, ``parameters``, ``control_curves``,
``values`` of a control curve…) are names of other parameters, plain numbers or inline definitions.

Two kinds, decided from the types alone:

- **static** parameters depend only on the step and the scenario (``constant``, ``constantscenario``,
  ``monthlyprofile``, ``dailyprofile``, ``dataframe`` and any function of static ones).  They are resolved
  once, when the network is compiled, to arrays shaped (scenario or 1, time) and behave exactly like series;
- **state-dependent** parameters read the start-of-step reservoir volumes (``controlcurve``,
  ``controlcurveindex``, ``controlcurveinterpolated``, ``storage``, ``interpolatedvolume`` and any function
  of one).  They are evaluated at the start of every step for all scenarios at once, in dependency order,
  before the step's LP is solved (phase *prepare* of :mod:`daryo.simulate.engine`).

The proportion full of a reservoir that control curves read is the start-of-step volume divided by the
maximum volume of the previous step (the reservoir's ``initial_proportion`` in the first step), clipped to
0–1, as in Pywr.

Every type is one small class whose fields are declared in :data:`PARAMETER_TYPES`; the loader, the
validation and the documentation read that table.

Modules: :mod:`~daryo.parameters.base` (references, scenario dimensions, the base type),
:mod:`~daryo.parameters.frames` (CSV time series), :mod:`~daryo.parameters.types` (the types and their table),
:mod:`~daryo.parameters.parse` (from a document, and checks) and :mod:`~daryo.parameters.evaluate`.
"""

from .base import Field, Parameter, ParameterRef, ScenarioDim, StaticEnv, references, scenario_combinations
from .evaluate import ParameterSet, dependency_order, state_dependent, with_inputs
from .frames import DataFrame, align_frames, align_to_steps
from .parse import ParseContext, check_parameters, parse_parameters
from .types import (
    PARAMETER_TYPES,
    Aggregated,
    Constant,
    ConstantScenario,
    ControlCurve,
    ControlCurveIndex,
    ControlCurveInterpolated,
    DailyProfile,
    Division,
    IndexedArray,
    InterpolatedVolume,
    MonthlyProfile,
    NodeInflow,
    ParameterThreshold,
    ParameterType,
    StorageThreshold,
    StorageVolume,
    Unary,
    bind_node_inflows,
)

__all__ = [
    "Field", "Parameter", "ParameterRef", "ScenarioDim", "StaticEnv", "references", "scenario_combinations",
    "ParameterSet", "dependency_order", "state_dependent", "with_inputs", "DataFrame", "align_frames",
    "align_to_steps", "ParseContext",
    "check_parameters", "parse_parameters", "PARAMETER_TYPES", "Aggregated", "Constant", "ConstantScenario",
    "ControlCurve", "ControlCurveIndex", "ControlCurveInterpolated", "DailyProfile", "Division", "IndexedArray",
    "InterpolatedVolume", "MonthlyProfile", "ParameterThreshold", "ParameterType", "StorageThreshold",
    "StorageVolume", "Unary", "NodeInflow", "bind_node_inflows",
]
