"""The Aral Sea basin model: Syr Darya and Amu Darya, six riparian countries.

The network is ``daryo/data/aral/aral.yaml`` (norm hydrology); its headwater statistics are
``daryo/data/aral/hydrology.yaml``; its scenario library is ``daryo/data/aral/scenarios``.  The model card is
``docs/aral-basin.md``.

Typical use::

    from daryo.basins.aral import load_aral_model
    import daryo
    model = load_aral_model(scenarios=["qosh-tepa-10"], hydrology="stochastic", traces=20, years=30, seed=1)
    results = daryo.run(model)
"""

from .indicators import intake_withdrawals, natural_flow
from .model import (
    HYDROLOGY_CHOICES,
    aral_inflow_traces,
    aral_model_path,
    build_aral_document,
    load_aral_model,
    read_base_document,
)

__all__ = [
    "HYDROLOGY_CHOICES",
    "aral_inflow_traces",
    "aral_model_path",
    "build_aral_document",
    "intake_withdrawals",
    "load_aral_model",
    "natural_flow",
    "read_base_document",
]
