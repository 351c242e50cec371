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

from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import breadth_first_order, connected_components

from .indicators import check_dataset, n_years, trace_time_element

__all__ = ["water_stress", "water_stress_by_year", "stress_level", "STRESS_LEVELS"]

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
      it from an inflow, or from a node no edge enters, without passing a canal or a demand; withdrawal is the
      flow of the edges from a node on a river to one that is not (a canal's head, with what it loses on the way;
      a demand's intake), less what off-river works (canals, and the junctions, reservoirs and plants only they
      feed) bring back to a river, up to what they took from one (a diversion canal's tail, an off-channel
      reservoir's release); what demands return into those works is not theirs to give back.  A canal's
      delivery to its demands is not counted again; returns of demands (``return_to``) are not subtracted,
      whatever carries them: the indicator counts gross withdrawal.
    - ``renewable``: the supply of the system's inflow nodes in the run (hm³/yr): its own hydrology, so a
      drought year has less (for an inflow given by ``min_flow``/``max_flow`` and no ``inflow``, as a Pywr
      ``input`` is, what the allocation took, not what was there).
    - ``environmental``: the environmental flow requirement (hm³/yr); see the parameter.

    A river system is a connected part of the network (its nodes joined by edges, whatever their direction, a
    demand to the node of its returns and a flow requirement to its node).  The ratio is of the run's means:
    a drought's years are diluted by the others; for each year's own, :func:`water_stress_by_year` (or select
    the steps first), and for a scenario's, ``ds.sel(scenario=…)``.

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
        ``"requirements"`` (the default): the least water, step by step, that the system's sources (its
        inflows) must leave in its rivers to meet the ``flow_requirement`` nodes on them, the water that meets
        one being free to meet those downstream and to be withdrawn after them (so requirements in series count
        once, joining rivers' add up, and a split river's count where its branches need more than the river
        above); requirements off the rivers (on a canal or demand, or a node only canals feed) are left out, as
        their water is withdrawn; a delay passes water on within the step; or a fraction of the renewable water
        (0 ≤ fraction < 1), as where a published environmental flow share is used.  Either is at most the
        renewable water.

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
    per_node = {"withdrawal": net.withdrawal(_mean_total(ds["edge_flow"], "edge") / years, _returns(ds, net) / years),
                "renewable": np.where(net.types == "inflow", _mean_total(ds["node_flow"], "node") / years, 0.0),
                "environmental": np.zeros(len(net.nodes))}
    if fraction is None and "required" in ds and ds.sizes.get("requirement", 0):
        required = np.moveaxis(trace_time_element(ds["required"], "requirement", "water_stress"), 2, 0)
        per_step = net.environmental(ds["requirement_at"].values.astype(str), required)  # (node, scenario, step)
        per_node["environmental"] = per_step.sum(axis=2).mean(axis=1) / years
    frame = pd.DataFrame({k: np.bincount(net.system, weights=v, minlength=net.n_systems)
                          for k, v in per_node.items()})
    frame.index = pd.Index(net.names(basins), name="system")
    if fraction is not None:
        frame["environmental"] = frame["renewable"] * fraction
    frame["environmental"] = np.minimum(frame["environmental"], frame["renewable"])
    if len(frame) > 1:
        total = next(name for name in ("all", "all systems", "all river systems", "(all)") if name not in frame.index)
        frame.loc[total] = frame.sum()
    frame["stress"] = _ratio(frame["withdrawal"].to_numpy(), (frame["renewable"] - frame["environmental"]).to_numpy())
    frame["level"] = [stress_level(s) for s in frame["stress"]]
    frame.attrs.update(units={"withdrawal": "hm3 per year", "renewable": "hm3 per year",
                              "environmental": "hm3 per year", "stress": "%"}, environmental=str(environmental))
    return frame


def water_stress_by_year(ds: xr.Dataset, basins: Mapping[str, Sequence[str]] | None = None,
                         environmental: str | float = "requirements") -> pd.DataFrame:
    """:func:`water_stress` of each hydrological year of a run on its own (its steps' totals, averaged over the
    scenarios): a drought year's figure, which the whole run's ratio dilutes.

    Parameters
    ----------
    ds, basins, environmental
        As :func:`water_stress`; ``ds`` needs its ``hydrological_year`` coordinate (a run's results have it).

    Returns
    -------
    pandas.DataFrame
        :func:`water_stress`'s columns, a row per hydrological year (labelled by the year it ends in) and system
        (index ``hydrological_year``, ``system``); a year the run covers in part counts its steps as a share of a
        year, as :func:`daryo.indicators.n_years` does.

    Raises
    ------
    ValueError
        As :func:`water_stress`, or if ``ds`` has no ``hydrological_year`` over time.
    """
    check_dataset(ds, "water_stress_by_year")
    if "hydrological_year" not in ds.coords or ds["hydrological_year"].dims != ("time",):
        raise ValueError("water_stress_by_year: the results have no hydrological_year over time (a run's results "
                         "have it)")
    years = np.unique(ds["hydrological_year"].values)
    tables = {int(y): water_stress(ds.sel(time=ds["hydrological_year"] == y), basins, environmental) for y in years}
    return pd.concat(tables, names=["hydrological_year", "system"])


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


def _returns(ds: xr.Dataset, net: _Network) -> np.ndarray:
    """Per node: the water demands return into it over the run (mean over scenarios)."""
    out = np.zeros(len(net.nodes))
    if "return_flow" in ds and "demand_return_to" in ds.coords:
        to = ds["demand_return_to"].values.astype(str)
        linked = to != ""
        np.add.at(out, [net.index[t] for t in to[linked]], _mean_total(ds["return_flow"], "demand")[linked])
    return out


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

    def withdrawal(self, edge_total: np.ndarray, returned: np.ndarray) -> np.ndarray:
        """Per node: the flow of the edges that leave a river at it (into it from a node on a river), less what
        the off-river works it feeds bring back to a river, up to what they took from one (a group of canals,
        reservoirs, plants and junctions joined by edges and no demand: a diversion canal's tail, an off-channel
        reservoir's release), counted at the group's first node; what demands return into a group (``returned``,
        per node) is not water the group took, so it is not subtracted."""
        n = len(self.nodes)
        works = ~self.on_river & (self.types != "demand")
        inner = works[self.source] & works[self.target]
        _, group = connected_components(sparse.coo_matrix((np.ones(int(inner.sum())), (
            self.source[inner], self.target[inner])), shape=(n, n)), directed=False)
        taken, given = np.zeros(n), np.zeros(n)  # (by group)
        np.add.at(taken, self.target, np.where(self.on_river[self.source] & ~self.on_river[self.target],
                                               edge_total, 0.0))
        back = works[self.source] & self.on_river[self.target]
        np.add.at(given, group[self.source[back]], edge_total[back])
        given = np.maximum(given - np.bincount(group, weights=np.where(works, returned, 0.0), minlength=n), 0.0)
        given_back = np.minimum(given, np.bincount(group, weights=np.where(works, taken, 0.0), minlength=n))
        _, first = np.unique(group, return_index=True)
        out = taken.copy()
        out[first] -= given_back[group[first]]
        return out

    def environmental(self, at: np.ndarray, required: np.ndarray) -> np.ndarray:
        """Per node, scenario and step (``required``: a row per flow requirement, on node ``at``, then scenarios
        and steps): the least water the requirements on the rivers need from their sources, counted at the
        sources (the inflows, and the river nodes no edge enters).  The water that meets a requirement may go on to
        meet those downstream and be withdrawn anywhere after it; requirements off the rivers (on a canal or a
        demand, or a node only canals feed) are left out, as their water is withdrawn.  One linear program per
        distinct set of the requirements' values (a monthly requirement: twelve)."""
        n = len(self.nodes)
        nodes = np.array([self.index[a] for a in at], dtype=np.int64)
        river = self.on_river[nodes]
        held = np.zeros((n, *required.shape[1:]))
        np.maximum.at(held, nodes[river], required[river])
        wanted = np.unique(nodes[river])
        out = np.zeros_like(held)
        if not wanted.size:
            return out
        rows = held[wanted].reshape(len(wanted), -1).T  # (scenario × step, requirement node)
        distinct, inverse = np.unique(rows, axis=0, return_inverse=True)
        least_supply = self._least_supply(wanted)
        supply = np.array([least_supply(r) for r in distinct])  # (distinct, node)
        return supply[inverse.reshape(-1)].T.reshape(held.shape)

    def _river_edges(self) -> np.ndarray:
        """The edges between river nodes, less those that close a loop (through a delay or a canal back
        upstream: a search from the sources meets their ends on its own path), so that water cannot go round."""
        keep = self.on_river[self.source] & self.on_river[self.target]
        out_edges: dict[int, list[int]] = {}
        for k in np.flatnonzero(keep):
            out_edges.setdefault(int(self.source[k]), []).append(int(k))
        state = np.zeros(len(self.nodes), dtype=np.int8)  # 0 unseen, 1 on the path, 2 done
        for start in np.flatnonzero(self._sources(keep)):
            stack: list[tuple[int, Iterator[int]]] = [(int(start), iter(out_edges.get(int(start), [])))]
            state[start] = 1
            while stack:
                node, edges = stack[-1]
                e: int | None = next(edges, None)
                if e is None:
                    state[node] = 2
                    stack.pop()
                elif state[self.target[e]] == 1:
                    keep[e] = False  # (back to a node on the path: a loop)
                elif state[self.target[e]] == 0:
                    state[self.target[e]] = 1
                    stack.append((int(self.target[e]), iter(out_edges.get(int(self.target[e]), []))))
        return keep

    def _sources(self, keep: np.ndarray) -> np.ndarray:
        """River nodes that can bring water of their own: the inflows, and those no edge of ``keep`` enters."""
        entered = np.zeros(len(self.nodes), dtype=bool)
        entered[self.target[keep]] = True
        return self.on_river & ((self.types == "inflow") | ~entered)

    def _least_supply(self, wanted: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        """A function of the requirements on the nodes ``wanted``: the supply of each source (per node; 0 elsewhere)
        of the least total that lets the flow through each of those nodes reach its requirement, water being free
        to leave any node (withdrawn) after passing it.  The program's matrices are made once, here."""
        n = len(self.nodes)
        keep = self._river_edges()
        edges = np.flatnonzero(keep)
        m = len(edges)
        into = sparse.csr_matrix((np.ones(m), (self.target[edges], np.arange(m))), shape=(n, m))
        out_of = sparse.csr_matrix((np.ones(m), (self.source[edges], np.arange(m))), shape=(n, m))
        eye = sparse.identity(n, format="csr")
        # variables: edge flows (m), supplies (n), withdrawals (n); a node's balance: supply + in − out − withdrawn
        balance = sparse.hstack([into - out_of, eye, -eye]).tocsr()
        throughput = sparse.hstack([-into[wanted], -eye[wanted], sparse.csr_matrix((len(wanted), n))]).tocsr()
        bounds = [(0, None)] * m + [(0, None if s else 0) for s in self._sources(keep)] + [(0, None)] * n
        cost = np.concatenate([np.zeros(m), np.ones(n), np.zeros(n)])

        def solve(required: np.ndarray) -> np.ndarray:
            out = np.zeros(n)
            if not (required > 0).any():
                return out
            found = linprog(cost, A_ub=throughput, b_ub=-required, A_eq=balance, b_eq=np.zeros(n), bounds=bounds,
                            method="highs")
            if found.status != 0:  # (a requirement no source reaches: each is counted on its own)
                out[wanted] = required
                return out
            return np.asarray(found.x[m:m + n])

        return solve

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
