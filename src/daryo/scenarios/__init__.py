"""Scenario overlays: small YAML files that change a baseline model document.

An overlay has a ``title``, a ``description``, its ``sources``, optionally a ``group`` (at most one overlay of a
group is combined with others) and a list of ``changes`` applied in order::

    title: Qosh Tepa canal diverting 10 km3/yr
    sources: "F35 (650 m3/s design capacity), F37 (up to 10 km3/yr)"
    changes:
      - add_nodes: [{id: qosh_tepa_canal, type: canal, capacity: 650 m3/s, ...}]
      - add_edges: [[amu_termez, qosh_tepa_canal]]
      - set: {toktogul_hpp: {energy_priority: 2}}           # null removes an attribute
      - set_edges: {"toktogul->toktogul_hpp": {max_flow: 180 m3/s}}
      - set_constraints: {share: {factors: [1, 2]}}          # a constraint's attributes, by id
      - set_parameters: {cap: {value: 9}}                     # a parameter's, by name
      - remove_nodes: [rogun]                                 # and every edge touching them (and metadata.basins)
      - remove_edges: [[vakhsh_in, rogun]]
      - add_parameters: {season: {type: monthlyprofile, values: [...]}}   # as a model file's parameters
      - add_constraints: [{id: quota, type: flow_sum, nodes: [...], max_flow: {parameter: season}}]   # as its list
      - scale_demands: {nodes: [...], factor: 1.2}           # or countries / category; none: all
      - scale_inflows: {basin: amu, factor: 0.875}            # optional months (12, Jan first), years (1-based)
      - shift_peak: {basin: all, months: 1}                   # the seasonal cycle arrives N months earlier
      - named_years: {name: "2000-2001", first_year: 1}       # percent-of-norm years of daryo.hydrology

Overlays combine: :func:`apply_scenarios` applies them one after the other, so ``["climate-2050",
"qosh-tepa-10"]`` is the climate scenario with the canal on top.  Inflow changes (``scale_inflows``,
``shift_peak``, ``named_years``) work on the document's inflow series: 12 monthly values or per-step values
(one list per trace).  12 monthly rates (m³/s, ...) stay rates in their own unit while a change keeps the 12-month
cycle, and become hm³ per step, with each step's real number of days, when it does not (as the loader converts
them: a leap February holds 29 days of flow).  Results that are not a 12-month cycle of rates are written in
``hm3/step``.  ``shift_peak`` moves a 12-month cycle or monthly steps by months (each month takes the flow of the
month ``months`` later); on N-day steps it moves the series by the same time, ``months`` twelfths of a year of
365.25 days (1 month: 3.04 steps of 10 days), so a constant flow stays constant.  Per-step values wrap within each
whole hydrological year (the first months' flow goes to the year's end), so each year keeps its total; a part year
at an end of the run takes the flow that follows it.  A fraction of a step or month is linear between the whole
shifts.  :func:`transform_inflows` applies the same changes to inflow arrays, for
ensemble runs that replace the inflows after compiling.

:func:`load_overlay` checks the arguments of every change (types, numbers, allowed keys) before anything is
applied; a change that does not fit the model (a missing node, an inflow that cannot be changed) is reported when
it is applied.  Either way the problem names the overlay file and the change.

The library of the Aral Sea basin model is in ``daryo/data/aral/scenarios``; any path of an overlay file, YAML
(``*.yaml``, ``*.yml``) or JSON (``*.json``, read as JSON model files are), can be given instead of a library
name, and, in Python, an overlay file's content as a mapping (:class:`OverlayDocument`, named by its ``name`` key or
its place in the list: ``overlay[0]``).

The package's modules follow an overlay's way: :mod:`~daryo.scenarios.overlay` finds, reads and checks overlay
files; :mod:`~daryo.scenarios.apply` applies them in order, with the changes of the model's structure in
:mod:`~daryo.scenarios.structure` and those of its inflows in :mod:`~daryo.scenarios.inflows`.
"""

from __future__ import annotations

from .apply import apply_scenarios, overlaid_document, overlay_shape_problems, recorded_overlays
from .inflows import (
    compounded_drought,
    diluting_overlays,
    document_steps,
    given_year_dates,
    named_hydrology_beyond,
    replaced_inflows,
    transform_inflows,
    with_years,
    year_limited_changes,
    years_beyond,
)
from .overlay import (
    Overlay,
    OverlayDocument,
    library_dir,
    library_entries,
    list_scenarios,
    load_overlay,
    overlay_names,
    scenario_groups,
    scenario_path,
)

__all__ = ["list_scenarios", "scenario_groups", "library_entries", "apply_scenarios", "overlaid_document",
           "load_overlay", "overlay_names", "scenario_path", "transform_inflows", "with_years", "document_steps",
           "year_limited_changes", "diluting_overlays", "given_year_dates", "compounded_drought", "Overlay",
           "library_dir", "overlay_shape_problems", "replaced_inflows", "years_beyond", "OverlayDocument",
           "recorded_overlays", "named_hydrology_beyond"]
