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
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order, connected_components

from .indicators import check_dataset, n_years

__all__ = ["water_stress", "stress_level", "STRESS_LEVELS"]

#: FAO's levels of water stress: the upper bound (%) of each, "high" up to 100 included; above it, "critical"
STRESS_LEVELS = ((25.0, "no stress"), (50.0, "low"), (75.0, "medium"), (100.0, "high"))

_NEEDED = ("edge_flow", "node_flow", "edge_from", "edge_to", "node_type")
#: the nodes water leaves a river for: a canal carries it away, a demand takes it
_OFF_RIVER_TYPES = ("canal", "demand")


def stress_level(stress: float) -> str:
    """FAO's level of water stress.

    Parameters
    ----------
    stress
        The ratio of :func:`water_stress`, in %.

    Returns
    -------
    str
        ``no stress`` below 25, ``low`` below 50, ``medium`` below 75, ``high`` up to 100, ``critical`` above 100
        (and where no water is left after the environmental flows: infinite); ``""`` for NaN (no withdrawal and
        no water).
    """
    if np.isnan(stress):
        return ""
    return next((name for bound, name in STRESS_LEVELS[:-1] if stress < bound),
                "high" if stress <= STRESS_LEVELS[-1][0] else "critical")


def water_stress(ds: xr.Dataset, basins: Mapping[str, Sequence[str]] | None = None,
                 environmental: str | float = "requirements") -> pd.DataFrame:
    """The level of water stress (SDG 6.4.2's ratio) of each river system of a run, from mean annual totals over
    the run and its scenarios::

        stress = withdrawal / (renewable − environmental) × 100 %

    - ``withdrawal``: the water taken out of the rivers (hm³/yr).  A node is *on a river* where water can reach
      it from an inflow without passing a canal or a demand; withdrawal is the flow of the edges from a node on a
      river to one that is not (a canal's head, with what it loses on the way; a demand's intake), less the
      flow of the edges that bring such water back to a river (a canal's tail into the river).  A canal's
      delivery to its demands, or to a junction or reservoir that only canals feed, is not counted again;
      returns of demands (``return_to``) are not subtracted: the indicator counts gross withdrawal.
    - ``renewable``: the supply of the system's inflow nodes in the run (hm³/yr): its own hydrology, so a
      drought year has less (for an inflow given by ``min_flow``/``max_flow`` and no ``inflow``, as a Pywr
      ``input`` is, what the allocation took, not what was there).
    - ``environmental``: the environmental flow requirement (hm³/yr); see the parameter.

    A river system is a connected part of the network (its nodes joined by edges, whatever their direction, a
    demand to the node of its returns and a flow requirement to its node).  The ratio is of the run's means:
    a drought's years are diluted by the others; for a year's own, select its steps first
    (``water_stress(ds.sel(time=ds.hydrological_year == 2001))``), and a scenario's with ``ds.sel(scenario=…)``.

    Parameters
    ----------
    ds
        A run's results (``Results.dataset``, or its NetCDF file read back): it needs the flows of every edge and
        node (an ensemble's store, which keeps a few series, does not have them).
    basins
        Names for the systems: a mapping of a name to node ids (as a model's ``metadata.basins``, which lists each
        basin's inflow nodes); a system takes the names of the basins whose nodes it holds (joined by " + "), and
        one that holds none the id of its first node ("system of <id>"); where two systems would have one
        name, each has its first node's id after it.  None: the systems are named by their first node.
    environmental
        ``"requirements"`` (the default): the water the system's ``flow_requirement`` nodes require, each
        counting only what it requires beyond the requirements downstream of it (the same water passes both);
        or a fraction of the renewable water (0 ≤ fraction < 1), as where a published environmental flow share
        is used.  Either is at most the renewable water.

    Returns
    -------
    pandas.DataFrame
        A row per river system (index ``system``), and a last row ``all`` for the network when it has more than
        one; columns ``withdrawal``, ``renewable``, ``environmental`` (hm³/yr), ``stress`` (%; infinite where
        withdrawal takes water though none is left after the environmental flows, NaN where there is neither)
        and ``level`` (:func:`stress_level`).

    Raises
    ------
    TypeError
        If ``ds`` is not a Dataset.
    ValueError
        If ``ds`` lacks the flows and topology it needs, or ``environmental`` is neither ``"requirements"`` nor a
        fraction in [0, 1).
    """
    check_dataset(ds, "water_stress")
    _check_topology(ds)
    fraction = _environmental_fraction(environmental)
    net = _Network(ds)
    years = n_years(ds)
    per_node = {"withdrawal": net.withdrawal(_mean_total(ds["edge_flow"], "edge") / years),
                "renewable": np.where(net.types == "inflow", _mean_total(ds["node_flow"], "node") / years, 0.0),
                "environmental": np.zeros(len(net.nodes))}
    if fraction is None and "required" in ds and ds.sizes.get("requirement", 0):
        per_node["environmental"] = net.environmental(ds["requirement_at"].values.astype(str),
                                                      _mean_total(ds["required"], "requirement") / years)
    frame = pd.DataFrame({k: np.bincount(net.system, weights=v, minlength=net.n_systems)
                          for k, v in per_node.items()})
    frame.index = pd.Index(net.names(basins), name="system")
    if fraction is not None:
        frame["environmental"] = frame["renewable"] * fraction
    frame["environmental"] = np.minimum(frame["environmental"], frame["renewable"])
    if len(frame) > 1:
        frame.loc["all"] = frame.sum()
    frame["stress"] = _ratio(frame["withdrawal"].to_numpy(), (frame["renewable"] - frame["environmental"]).to_numpy())
    frame["level"] = [stress_level(s) for s in frame["stress"]]
    frame.attrs.update(units={"withdrawal": "hm3 per year", "renewable": "hm3 per year",
                              "environmental": "hm3 per year", "stress": "%"}, environmental=str(environmental))
    return frame


def _check_topology(ds: xr.Dataset) -> None:
    """Refuse results without the flows and topology :func:`water_stress` reads (ValueError)."""
    missing = [name for name in _NEEDED if name not in ds.variables]
    if missing:
        raise ValueError(f"water_stress: the results have no {', '.join(map(repr, missing))}: it needs a run's "
                         "results with the flows of every edge and node (an ensemble's store does not keep them)")
    if "requirement" in ds.dims and "requirement_at" not in ds.coords:
        raise ValueError("water_stress: the results have flow requirements but not the node each is on "
                         "('requirement_at', which results of daryo 0.1.0 after 2026-12-05 have): run the model "
                         "again")


def _ratio(withdrawal: np.ndarray, left: np.ndarray) -> np.ndarray:
    """withdrawal / left in %: infinite where water is withdrawn but none is left, NaN where neither."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(left > 0, withdrawal / np.where(left > 0, left, 1.0) * 100.0,
                        np.where(withdrawal > 0, np.inf, np.nan))


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
    """Each element's total over the run's steps (summed in float64), averaged over its scenarios (or traces)."""
    others = [d for d in da.dims if d not in ("time", element)]
    return np.asarray(da.astype(np.float64).sum("time").mean(others).transpose(element).values)


class _Network:
    """The topology of a run's results: its nodes and their types, edges, river systems, and which nodes are on a
    river (reached from an inflow without passing a canal or a demand)."""

    def __init__(self, ds: xr.Dataset):
        self.nodes = [str(n) for n in ds["node"].values]
        self.index = {n: i for i, n in enumerate(self.nodes)}
        self.types = ds["node_type"].values.astype(str)
        self.source = np.array([self.index[str(n)] for n in ds["edge_from"].values], dtype=np.int64)
        self.target = np.array([self.index[str(n)] for n in ds["edge_to"].values], dtype=np.int64)
        self.system = self._systems(ds)
        self.n_systems = int(self.system.max()) + 1 if self.system.size else 0
        self.on_river = self._on_river()

    def _graph(self, keep: np.ndarray) -> sparse.csr_matrix:
        """The directed graph of the edges ``keep`` selects."""
        n = len(self.nodes)
        return sparse.csr_matrix((np.ones(int(keep.sum())), (self.source[keep], self.target[keep])), shape=(n, n))

    def _reached(self, graph: sparse.csr_matrix, starts: np.ndarray) -> np.ndarray:
        """Which nodes ``graph`` reaches from any of ``starts`` (a mask), them included."""
        if not starts.any():
            return starts.copy()
        n = len(self.nodes)
        hub = sparse.csr_matrix((np.ones(int(starts.sum())), (np.full(int(starts.sum()), n), np.flatnonzero(starts))),
                                shape=(n + 1, n + 1))  # (one search from a node joined to every start)
        order = breadth_first_order(sparse.block_diag([graph, sparse.csr_matrix((1, 1))]).tocsr() + hub, n,
                                    directed=True, return_predecessors=False)
        out = np.zeros(n, dtype=bool)
        out[order[order < n]] = True
        return out

    def _on_river(self) -> np.ndarray:
        """Nodes water reaches from an inflow, or from a node no edge enters, without passing a canal or a demand."""
        off = np.isin(self.types, _OFF_RIVER_TYPES)
        entered = np.zeros(len(self.nodes), dtype=bool)
        entered[self.target] = True
        starts = ((self.types == "inflow") | ~entered) & ~off
        return self._reached(self._graph(~off[self.target] & ~off[self.source]), starts) & ~off

    def withdrawal(self, edge_total: np.ndarray) -> np.ndarray:
        """Per node: the flow of the edges that leave a river at it (into it from a node on a river), less that of
        the edges that bring water back to a river there."""
        leave = self.on_river[self.source] & ~self.on_river[self.target]
        back = ~self.on_river[self.source] & self.on_river[self.target]
        out = np.zeros(len(self.nodes))
        np.add.at(out, self.target, np.where(leave, edge_total, 0.0) - np.where(back, edge_total, 0.0))
        return out

    def environmental(self, at: np.ndarray, required: np.ndarray) -> np.ndarray:
        """Per node: what the flow requirements on it require (the largest, where several are) beyond the
        requirements next downstream of it (those its water reaches first), which the same water meets."""
        held = np.zeros(len(self.nodes))
        np.maximum.at(held, [self.index[a] for a in at], required)
        has = np.zeros(len(self.nodes), dtype=bool)
        has[[self.index[a] for a in at]] = True
        out = np.zeros(len(self.nodes))
        for i in np.flatnonzero(has):
            stop = has.copy()
            stop[i] = False  # (a search from node i that goes no further than the next requirement)
            below = self._reached(self._graph(~stop[self.source]), np.arange(len(self.nodes)) == i) & has
            below[i] = False
            out[i] = max(0.0, held[i] - held[below].sum())
        return out

    def _systems(self, ds: xr.Dataset) -> np.ndarray:
        """The river system of each node: the connected parts of the edges, a demand joined to the node of its
        returns and a flow requirement to its node; numbered in the order of their first node."""
        source, target = [self.source], [self.target]
        for kind, to in (("demand", "demand_return_to"), ("requirement", "requirement_at")):
            if to in ds.coords:
                linked = ds[to].values.astype(str) != ""
                source.append(np.array([self.index[str(n)] for n in ds[kind].values[linked]], dtype=np.int64))
                target.append(np.array([self.index[str(n)] for n in ds[to].values[linked]], dtype=np.int64))
        rows, cols = np.concatenate(source), np.concatenate(target)
        n = len(self.nodes)
        graph = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
        _, first = np.unique(labels, return_index=True)
        return np.argsort(np.argsort(first))[labels]

    def names(self, basins: Mapping[str, Sequence[str]] | None) -> list[str]:
        """A name for each system: the basins whose nodes it holds, or "system of" its first node; a name two
        systems would share is followed by each one's first node."""
        firsts = [self.nodes[int(np.argmax(self.system == k))] for k in range(self.n_systems)]
        names = []
        for k, first in enumerate(firsts):
            mine = [str(b) for b, ids in (basins or {}).items()
                    if any(self.system[self.index[i]] == k for i in ids if i in self.index)]
            names.append(" + ".join(mine) or f"system of {first}")
        return [f"{name} ({first})" if names.count(name) > 1 else name
                for name, first in zip(names, firsts, strict=True)]
