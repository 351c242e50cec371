"""SDG indicator 6.4.2, the level of water stress, by FAO's method, for each river system of a run.

FAO's indicator is national: a country's freshwater withdrawal over its total renewable freshwater resources less
the environmental flow requirements.  A network model holds a river system's water, not a country's, so this
module applies the same ratio to each part of the network that water cannot leave for another (the Syr Darya
and the Amu Darya of the Aral model), over the run: it tells how much of a basin's renewable water its users take,
and how that changes with a scenario.  It is not the national statistic FAO publishes (whose denominators,
AQUASTAT's total renewable water resources, include water outside the basins modelled).

The method and the levels: FAO, SDG indicator 6.4.2 metadata,
https://worldbank.github.io/sdg-metadata/metadata/en/6-4-2 and
http://www.fao.org/sustainable-development-goals/indicators/6.4.2/en/.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .indicators import check_dataset, n_years

__all__ = ["water_stress", "stress_level", "STRESS_LEVELS"]

#: FAO's levels of water stress: the upper bound (%) of each; above the last, "critical"
STRESS_LEVELS = ((25.0, "no stress"), (50.0, "low"), (75.0, "medium"), (100.0, "high"))

_NEEDED = ("edge_flow", "node_flow", "edge_from", "edge_to", "node_type")


def stress_level(stress: float) -> str:
    """FAO's level of water stress for ``stress`` (%): ``no stress`` below 25, ``low`` 25–50, ``medium`` 50–75,
    ``high`` 75–100, ``critical`` above 100 (and where no water is left after the environmental flows); ``""``
    for NaN (no withdrawal and no water)."""
    if np.isnan(stress):
        return ""
    return next((name for bound, name in STRESS_LEVELS if stress < bound), "critical")


def water_stress(ds: xr.Dataset, basins: Mapping[str, Sequence[str]] | None = None,
                 environmental: str | float = "requirements") -> pd.DataFrame:
    """The level of water stress (SDG 6.4.2's ratio) of each river system of a run, from mean annual totals over
    the run and its scenarios::

        stress = withdrawal / (renewable − environmental) × 100 %

    - ``withdrawal``: the water taken out of the rivers (hm³/yr): the flow into each demand from anything but a
      canal, and into each canal from anything but a canal (its head flow: what it loses on the way was
      withdrawn too).  Water a demand returns is not subtracted (the indicator counts gross withdrawal).
    - ``renewable``: the supply of the system's inflow nodes (hm³/yr).
    - ``environmental``: the environmental flow requirement (hm³/yr); see the parameter.

    A river system is a connected part of the network (its nodes joined by edges, whatever their direction).

    Parameters
    ----------
    ds
        A run's results (``Results.dataset``, or its NetCDF file read back): it needs the flows of every edge and
        node (an ensemble's store, which keeps a few series, does not have them).
    basins
        Names for the systems: a mapping of a name to node ids (as a model's ``metadata.basins``, which lists each
        basin's inflow nodes); a system takes the names of the basins whose nodes it holds (joined by " + "), and
        one that holds none the id of its first node ("system of <id>").  None: the systems are named so.
    environmental
        ``"requirements"`` (the default): the water required by the system's ``flow_requirement`` nodes (their
        ``required``); or a fraction of the renewable water (0 ≤ fraction < 1), as where a published environmental
        flow share is used.

    Returns
    -------
    pandas.DataFrame
        A row per river system (index ``system``), and a last row ``all`` for the network when it has more than
        one; columns ``withdrawal``, ``renewable``, ``environmental`` (hm³/yr), ``stress`` (%; infinite where
        withdrawal takes water though none is left after the environmental flows) and ``level``
        (:func:`stress_level`).

    Raises
    ------
    TypeError
        If ``ds`` is not a Dataset.
    ValueError
        If ``ds`` lacks the flows and topology it needs, or ``environmental`` is neither ``"requirements"`` nor a
        fraction in [0, 1).
    """
    check_dataset(ds, "water_stress")
    missing = [name for name in _NEEDED if name not in ds.variables]
    if missing:
        raise ValueError(f"water_stress: the results have no {', '.join(map(repr, missing))}: it needs a run's "
                         "results with the flows of every edge and node (an ensemble's store does not keep them)")
    fraction = _environmental_fraction(environmental)
    nodes = [str(n) for n in ds["node"].values]
    system = _systems(nodes, *_links(ds))
    years = n_years(ds)
    node_type = ds["node_type"].values.astype(str)
    per_node = {"withdrawal": np.zeros(len(nodes)), "renewable": _mean_total(ds["node_flow"], "node") / years,
                "environmental": np.zeros(len(nodes))}
    per_node["renewable"] = np.where(node_type == "inflow", per_node["renewable"], 0.0)
    index = {n: i for i, n in enumerate(nodes)}
    taken = _withdrawal_edges(ds, node_type, index)
    np.add.at(per_node["withdrawal"], [index[str(t)] for t in ds["edge_to"].values[taken]],
              _mean_total(ds["edge_flow"], "edge")[taken] / years)
    if fraction is None and "required" in ds and ds.sizes.get("requirement", 0):
        at = [index[str(r)] for r in ds["requirement"].values]
        np.add.at(per_node["environmental"], at, _mean_total(ds["required"], "requirement") / years)
    frame = pd.DataFrame({k: np.bincount(system, weights=v) for k, v in per_node.items()})
    frame.index = pd.Index(_system_names(system, nodes, basins), name="system")
    if len(frame) > 1:
        frame.loc["all"] = frame.sum()
    if fraction is not None:
        frame["environmental"] = frame["renewable"] * fraction
    left = frame["renewable"] - frame["environmental"]
    with np.errstate(divide="ignore", invalid="ignore"):
        stress = np.where(left > 0, frame["withdrawal"] / left.where(left > 0, 1.0) * 100.0,
                          np.where(frame["withdrawal"] > 0, np.inf, np.nan))
    frame["stress"] = stress
    frame["level"] = [stress_level(s) for s in stress]
    frame.attrs.update(units={"withdrawal": "hm3 per year", "renewable": "hm3 per year",
                              "environmental": "hm3 per year", "stress": "%"}, environmental=str(environmental))
    return frame


def _environmental_fraction(environmental: str | float) -> float | None:
    """The environmental share of the renewable water asked for (None: the flow requirements)."""
    if isinstance(environmental, str) and environmental == "requirements":
        return None
    why = (f"environmental={environmental!r}: give 'requirements' (the model's flow requirements) or a fraction of "
           "the renewable water, 0 ≤ fraction < 1")
    if isinstance(environmental, bool) or not isinstance(environmental, (int, float, np.integer, np.floating)):
        raise ValueError(why)
    if not 0.0 <= float(environmental) < 1.0:
        raise ValueError(why)
    return float(environmental)


def _mean_total(da: xr.DataArray, element: str) -> np.ndarray:
    """Each element's total over the run's steps, averaged over its scenarios (or traces)."""
    others = [d for d in da.dims if d not in ("time", element)]
    return np.asarray(da.sum("time").mean(others).transpose(element).values, dtype=np.float64)


def _withdrawal_edges(ds: xr.Dataset, node_type: np.ndarray, index: Mapping[str, int]) -> np.ndarray:
    """Which edges carry a withdrawal: into a demand or a canal, from anything but a canal."""
    kind_to = node_type[[index[str(t)] for t in ds["edge_to"].values]]
    kind_from = node_type[[index[str(f)] for f in ds["edge_from"].values]]
    return np.isin(kind_to, ("demand", "canal")) & (kind_from != "canal")


def _links(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of nodes water passes between: the edges, a demand and the node its returns go to, a flow
    requirement and the node it is on (the last two are not edges)."""
    sources, targets = [ds["edge_from"].values.astype(str)], [ds["edge_to"].values.astype(str)]
    for kind, to in (("demand", "demand_return_to"), ("requirement", "requirement_at")):
        if to in ds.coords:
            linked = ds[to].values.astype(str) != ""
            sources.append(ds[kind].values.astype(str)[linked])
            targets.append(ds[to].values.astype(str)[linked])
    return np.concatenate(sources), np.concatenate(targets)


def _systems(nodes: list[str], sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The river system of each node: connected parts numbered in the order of their first node."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    index = {n: i for i, n in enumerate(nodes)}
    rows = [index[s] for s in sources]
    cols = [index[t] for t in targets]
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(nodes), len(nodes)))
    _, labels = connected_components(graph, directed=False)
    _, first = np.unique(labels, return_index=True)  # (renumbered by first node: the model's order)
    order = np.argsort(np.argsort(first))
    return order[labels]


def _system_names(system: np.ndarray, nodes: list[str], basins: Mapping[str, Sequence[str]] | None) -> list[str]:
    """A name for each system: the basins (``basins``) whose nodes it holds, or its first node's id."""
    position = {n: i for i, n in enumerate(nodes)}
    names = []
    for k in range(int(system.max()) + 1 if system.size else 0):
        mine = [str(b) for b, ids in (basins or {}).items()
                if any(system[position[i]] == k for i in ids if i in position)]
        names.append(" + ".join(mine) or f"system of {nodes[int(np.argmax(system == k))]}")
    return names
