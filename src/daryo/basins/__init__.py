"""Reference river-basin models shipped with daryo.

- :mod:`daryo.basins.aral` — the Aral Sea basin (Syr Darya and Amu Darya), daryo's embedded default.

``daryo.basins.aral`` is imported on first use, so that it is there after a plain ``import daryo`` (as the docs
write ``daryo.basins.aral.load_aral_model(start=...)``).
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["aral"]


def __getattr__(name: str) -> ModuleType:
    if name in __all__:
        return importlib.import_module(f".{name}", __name__)  # (the import binds it here: no second call)
    raise AttributeError(f"module 'daryo.basins' has no attribute '{name}'")
