"""Nonlinear physics as pure, vectorised, unit-documented functions.

All are linearised at the start of a step: area and head come from the start-of-step volume, so the
allocation LP of the step stays linear (the documented linearisation; see ``docs/model-format.md``).
"""

from __future__ import annotations

import numpy as np

from ..model.series import LevelTable
from ..units import GWH_PER_HM3_M

__all__ = ["evaporation_hm3", "head_m", "energy_gwh", "turbine_flow_limit", "turbine_volume"]


def evaporation_hm3(volume_hm3: np.ndarray, depth_mm: np.ndarray, tables: list[LevelTable | None]) -> np.ndarray:
    """Evaporation loss per reservoir in a step, hm³.

    ``loss = depth [mm] × area(V_start) [km²] × 1e-3``, never more than the water in store.

    Parameters
    ----------
    volume_hm3
        Start-of-step volumes, shape (S, R).
    depth_mm
        Net evaporation depth in the step, shape (R,).
    tables
        Level–volume–area table per reservoir (None: no area, no evaporation).
    """
    out = np.zeros_like(volume_hm3)
    has = [(r, table) for r, table in enumerate(tables)
           if table is not None and table.area is not None and depth_mm[r] != 0.0]
    if not has:
        return out
    area = np.empty((volume_hm3.shape[0], len(has)))
    for i, (r, table) in enumerate(has):  # (each its own table; the arithmetic below is over all at once)
        area[:, i] = table.area_at(volume_hm3[:, r])
    at = [r for r, _ in has]
    out[:, at] = np.clip(depth_mm[at] * area * 1e-3, 0.0, np.maximum(volume_hm3[:, at], 0.0))
    return out


def head_m(level_m: np.ndarray, tailwater_m: np.ndarray | float) -> np.ndarray:
    """Gross head (m): reservoir level (m a.s.l.) minus the tailwater level, never negative."""
    return np.maximum(level_m - tailwater_m, 0.0)


def energy_gwh(turbine_flow_hm3: np.ndarray | float, head: np.ndarray, efficiency: np.ndarray) -> np.ndarray:
    """Energy ``E = ρ g Q H η`` in GWh for a step's turbine volume (hm³) and head (m)."""
    return GWH_PER_HM3_M * turbine_flow_hm3 * head * efficiency


def turbine_flow_limit(capacity_mw: np.ndarray, days: float, head: np.ndarray, efficiency: np.ndarray
                       ) -> np.ndarray:
    """Largest turbine volume (hm³ per step) that installed capacity can pass at ``head``.

    ``Q_max = P · 24 · days / 1000 / (ρ g H η / 3.6e12 · 1e6)``; zero where the head is zero (water does not
    flow to a tailwater above the reservoir's level).
    """
    energy_cap = capacity_mw * 24.0 * days / 1000.0  # GWh in the step
    return turbine_volume(energy_cap, GWH_PER_HM3_M * head * efficiency)


def turbine_volume(energy: np.ndarray, gwh_per_hm3: np.ndarray) -> np.ndarray:
    """The turbine volume (hm³) that gives ``energy`` (GWh) at ``gwh_per_hm3`` (:func:`energy_gwh` of 1 hm³ at
    the head); zero where that is not positive (no head)."""
    out = np.zeros(np.broadcast_shapes(np.shape(energy), np.shape(gwh_per_hm3)))
    np.divide(energy, gwh_per_hm3, out=out, where=gwh_per_hm3 > 0)
    return out
