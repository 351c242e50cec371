"""Reference river-basin models shipped with daryo.

- :mod:`daryo.basins.aral` — the Aral Sea basin (Syr Darya and Amu Darya), daryo's embedded default.
"""

__all__ = ["aral"]
