"""Headwater hydrology: stochastic, norm and named-year inflow traces, and observed-series replacement.

See :mod:`daryo.hydrology.generator` for the method (log-normal AR(1) of annual flows with correlated
innovations, disaggregated to months with fixed monthly fractions).
"""

from .generator import (
    HYDRO_YEAR_START_MONTH,
    MAX_SEED,
    Headwater,
    HydrologySpec,
    annual_flows,
    check_seed,
    default_spec_path,
    disaggregate,
    load_spec,
    log_ar1_parameters,
    named_year_factors,
    named_year_traces,
    norm_traces,
    read_inflow_csv,
    seed_problem,
    stochastic_traces,
)

__all__ = [
    "HYDRO_YEAR_START_MONTH",
    "MAX_SEED",
    "Headwater",
    "HydrologySpec",
    "annual_flows",
    "check_seed",
    "default_spec_path",
    "disaggregate",
    "load_spec",
    "log_ar1_parameters",
    "named_year_factors",
    "named_year_traces",
    "norm_traces",
    "read_inflow_csv",
    "seed_problem",
    "stochastic_traces",
]
