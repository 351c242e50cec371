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

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order, connected_components

from .errors import did_you_mean, listed
from .indicators import (
    YEAR_NOISE,
    check_dataset,
    coverage,
    n_years,
    partial_years,
    trace_time_element,
    year_weights,
)
from .model import Model
from .solver import HighsSolver, LinearProgram, SolveStatus

__all__ = ["water_stress", "water_stress_by_year", "stress_level", "stress_level_index", "stress_ratio",
           "StressAccounts", "check_basins", "basins_of", "drawn_supply_note", "river_systems",
           "unknown_renewable_water", "total_name", "STRESS_LEVELS", "LEVEL_NAMES"]

#: FAO's levels of water stress: the upper bound (%) of each, "high" up to 100 included; above it, "critical"
STRESS_LEVELS = ((25.0, "no stress"), (50.0, "low"), (75.0, "medium"), (100.0, "high"))
#: the levels' names, "critical" last
LEVEL_NAMES = tuple(name for _, name in STRESS_LEVELS) + ("critical",)

_TOPOLOGY = ("node", "node_type", "edge_from", "edge_to")
#: the most sets of requirements' values whose environmental flows :class:`StressAccounts` remembers
_REMEMBERED = 100_000
#: the nodes water leaves a river for: a canal carries it away, a demand takes it
_OFF_RIVER_TYPES = ("canal", "demand")


def unknown_renewable_water(model: Model) -> str:
    """Why a model's water stress is not known ("" where it is): inflows given by ``min_flow`` and ``max_flow`` and
    no ``inflow`` series (Pywr's inputs) supply what the allocation takes, not the water there was, so the renewable
    water of a river fed by them alone is the allocation's choice.  (Such an inflow whose water meets that of an
    inflow with a series, a pumped source beside a river, is counted as far as it was drawn:
    :func:`drawn_supply_note`.)

    Parameters
    ----------
    model
        The model run.

    Returns
    -------
    str
        A sentence naming those inflows, or "".
    """
    drawn = _drawn_inflows(model)
    alone = [nid for nid, joined in drawn.items() if not joined]
    if not alone:
        return ""
    rivers = any(n.type == "inflow" and n.get("inflow") is not None for n in model.nodes)
    hint = (f" ({alone[0]}'s supply would count as far as it was drawn were its water to meet that of an inflow with "
            "a series, as a return flow of what it feeds to the river; or give it a series, its recharge)")
    return (f"inflow {listed(alone, 5)} suppl{'ies' if len(alone) == 1 else 'y'} what the allocation takes between "
            "min_flow and max_flow, not a given inflow, so the renewable water is not known" + (hint if rivers else ""))


def _drawn_inflows(model: Model) -> dict[str, bool]:
    """The inflows without an ``inflow`` series, each with whether its water meets that of an inflow with one (they
    reach a node in common, along edges, returns and spills)."""
    from .model.topology import reached_from

    inflows = [n for n in model.nodes if n.type == "inflow"]
    if all(n.get("inflow") is not None for n in inflows):
        return {}
    given: set[str] = set()
    for n in inflows:
        if n.get("inflow") is not None:
            given |= reached_from(model, n.id)
    return {n.id: bool(reached_from(model, n.id) & given) for n in inflows if n.get("inflow") is None}


def drawn_supply_note(model: Model) -> str:
    """How the water stress counts inflows without an ``inflow`` series whose water meets that of inflows with one
    ("" where there are none, or where the stress is not known: :func:`unknown_renewable_water`): a pumped
    groundwater source supplies what the allocation takes, so its water counts as renewable water, and as withdrawn
    where it goes to a demand or canal, as far as it was drawn (its resource is not known).

    Parameters
    ----------
    model
        The model run.

    Returns
    -------
    str
        A sentence naming those inflows, or "".
    """
    drawn = _drawn_inflows(model)
    if not drawn or not all(drawn.values()):
        return ""
    one = len(drawn) == 1
    return (f"inflow {listed(list(drawn), 5)}, with no inflow series, suppl{'ies' if one else 'y'} what the "
            f"allocation takes (a pumped source): what {'it' if one else 'they'} supplied counts as renewable water, "
            "and as withdrawn where it goes to a demand or canal, as far as it was drawn; "
            f"{'its resource is' if one else 'their resources are'} not known")


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
    k = int(stress_level_index(np.asarray(stress)))
    return "" if k < 0 else LEVEL_NAMES[k]


def stress_level_index(stress: np.ndarray) -> np.ndarray:
    """FAO's level of each water stress, as its position in :data:`LEVEL_NAMES` (-1 for NaN).

    Parameters
    ----------
    stress
        Ratios of :func:`water_stress`, in %, of any shape.

    Returns
    -------
    numpy.ndarray
        Integers of the same shape: 0 (no stress) below 25, 1 below 50, 2 below 75, 3 up to 100, 4 above
        (infinite too); -1 for NaN.
    """
    stress = np.asarray(stress, dtype=float)
    level = np.searchsorted([bound for bound, _ in STRESS_LEVELS[:-1]], stress, side="right")  # (25 is low)
    level = np.where(stress > STRESS_LEVELS[-1][0], len(STRESS_LEVELS), level)  # (above 100, inf too: critical)
    return np.where(np.isnan(stress), -1, level)


def water_stress(ds: xr.Dataset, basins: Mapping[str, Sequence[str]] | None = None,
                 environmental: str | float = "requirements") -> pd.DataFrame:
    """The level of water stress (SDG 6.4.2's ratio) of each river system of a run, from mean annual totals over
    the run and its scenarios (or, for a run shorter than a year, its totals in the run, as ``daryo run`` prints
    them: a season's water made "per year" would count it twice)::

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
        node (an ensemble's store, which keeps a few series, does not have them: it holds each trace-year's ratio,
        ``annual_water_stress``, and its terms).
    basins
        Names for the systems: a mapping of a name to node ids (as a model's ``metadata.basins``, which lists each
        basin's inflow nodes); a system takes the names of the basins whose nodes it holds (joined by " + "), and
        one that holds none the id of its first node ("system of <id>"); where two systems would have one
        name, each has its first node's id after it.  None: the basins the results record (their attribute
        ``basins``: a run of a model with ``metadata.basins``), else the systems are named by their first node.
    environmental
        ``"requirements"`` (the default): the least water, step by step, that the system's sources (its
        inflows) must leave in its rivers to meet the ``flow_requirement`` nodes on them, the water that meets
        one being free to meet those downstream and to be withdrawn after them (so requirements in series count
        once, joining rivers' add up, and a split river's count where its branches need more than the river
        above), with what the reaches and edges on the way lose of it (``edge_loss_fraction`` and
        ``node_loss_fraction``: a loss that varies over the run at its smallest value); requirements off the
        rivers (on a canal or demand, or a node only canals feed) are left out, as
        their water is withdrawn; a delay passes water on within the step; or a fraction of the renewable water
        (0 ≤ fraction < 1), as where a published environmental flow share is used.  Either is at most the
        renewable water.

    Returns
    -------
    pandas.DataFrame
        A row per river system (index ``system``), and a last row ``all`` for the network when it has more than
        one; columns ``withdrawal``, ``renewable``, ``environmental`` (hm³/yr; for a run shorter than a year, of
        fewer than 365 days, hm³ in the run: :func:`daryo.indicators.coverage`), ``stress`` (%; infinite where
        withdrawal takes water though none is left after the environmental flows, NaN where there is neither)
        and ``level`` (:func:`stress_level`); ``attrs["units"]`` names each column's units (``"hm3 per year"`` or
        ``"hm3 in the run"``).

    Raises
    ------
    TypeError
        If ``ds`` is not a Dataset, or ``basins`` not a mapping of names to lists of node ids.
    ValueError
        If ``ds`` lacks the flows and topology it needs, ``environmental`` is neither ``"requirements"`` nor a
        fraction in [0, 1), or a basin's id is not a node of ``ds`` (:func:`check_basins`).
    """
    check_dataset(ds, "water_stress")
    # (a run shorter than a year: its totals, as daryo run prints them, not made annual)
    return _water_stress(ds, basins, environmental, coverage(ds)[0])


def _water_stress(ds: xr.Dataset, basins: Mapping[str, Sequence[str]] | None, environmental: str | float,
                  short: bool) -> pd.DataFrame:
    """:func:`water_stress` of ``ds``, its water the totals in it where ``short``, else mean annual values."""
    _check_flows(ds)
    fraction = _environmental_fraction(environmental)
    accounts = StressAccounts(ds, _named_basins(ds, basins))
    weights = None if short else year_weights(ds)  # (None: every step counts 1 / the years; else the sum of the
    # seasons' means)
    years = 1.0 if short or weights is not None else n_years(ds)
    returned = (_mean_total(ds["return_flow"], "demand", weights) if "return_flow" in ds
                else np.zeros(ds.sizes.get("demand", 0)))
    inflows = _mean_total(ds["node_flow"], "node", weights)[accounts.inflow_nodes]
    edges = _mean_total(ds["edge_flow"], "edge", weights)[accounts.edges]
    frame = pd.DataFrame({"withdrawal": accounts.withdrawal(edges, returned) / years,
                          "renewable": accounts.renewable(inflows) / years,
                          "environmental": np.zeros(len(accounts.systems))},
                         index=pd.Index(accounts.systems, name="system"))
    if fraction is None and "required" in ds and ds.sizes.get("requirement", 0):
        required = trace_time_element(ds["required"], "requirement", "water_stress")  # (scenario, step, requirement)
        kept = accounts.environmental(required)  # (scenario, step, system)
        if weights is not None:
            kept = kept * weights.values[None, :, None]
        frame["environmental"] = kept.sum(axis=1).mean(axis=0) / years
    if fraction is not None:
        frame["environmental"] = frame["renewable"] * fraction
    frame["environmental"] = np.minimum(frame["environmental"], frame["renewable"])
    if len(frame) > 1:
        frame.loc[total_name(frame.index)] = frame.sum()
    frame["stress"] = stress_ratio(frame["withdrawal"].to_numpy(), frame["renewable"].to_numpy(),
                                   frame["environmental"].to_numpy())
    frame["level"] = [stress_level(s) for s in frame["stress"]]
    per = "hm3 in the run" if short else "hm3 per year"
    frame.attrs.update(units={"withdrawal": per, "renewable": per, "environmental": per, "stress": "%"},
                       environmental=str(environmental))
    return frame


def check_basins(basins: object, nodes: Collection[str]) -> dict[str, list[str]]:
    """``basins`` as :func:`water_stress` takes them (names for the river systems), once they are known to be a
    mapping of names to lists of ids among ``nodes`` (a run's: ``ds["node"].values``; of two runs compared, either's).

    Raises
    ------
    TypeError
        If ``basins`` is not a mapping of names to lists of node ids.
    ValueError
        If an id is not one of ``nodes`` (a misspelt id named the system silently by its first node).
    """
    example = "e.g. {'north': ['up', 'side']}, as a model's metadata.basins"
    if not isinstance(basins, Mapping):
        raise TypeError(f"basins: give a mapping of basin names to lists of node ids ({example}), not "
                        f"{type(basins).__name__}")
    nodes = [str(n) for n in nodes]
    known = set(nodes)
    checked = {}
    for name, given in basins.items():
        ids = list(given) if isinstance(given, Iterable) and not isinstance(given, str | bytes | Mapping) else None
        if ids is None or not all(isinstance(i, str) for i in ids):  # (a list, tuple, array or index of ids)
            raise TypeError(f"basins[{name!r}]: give a list of node ids ({example}), not {given!r}")
        unknown = [i for i in ids if i not in known]
        if unknown:
            what = "is not a node" if len(unknown) == 1 else "are not nodes"
            raise ValueError(f"basins[{name!r}]: {listed(unknown, 5)} {what} of the results"
                             f"{did_you_mean(unknown[0], nodes)}")
        checked[name] = [str(i) for i in ids]
    return checked


def basins_of(basins: Mapping[str, Sequence[str]], ds: xr.Dataset, other: xr.Dataset) -> dict[str, list[str]]:
    """``basins`` (checked against the nodes of both runs: :func:`check_basins`) as ids of the run ``ds``, to
    compare it with the run ``other`` under the same names: a basin's ids ``ds`` lacks are left out, and a basin
    whose every id it lacks (an overlay removed them) takes ``ds``'s nodes of the river systems its ids are in in
    ``other``, so that a system keeps the names it has in ``other`` where ``ds`` still has part of it."""
    nodes = [str(n) for n in ds["node"].values] if "node" in ds.coords else []
    known = set(nodes)
    out = {str(name): [i for i in ids if i in known] for name, ids in basins.items()}
    lost = [name for name, ids in basins.items() if ids and not out[str(name)]]
    if lost:
        try:
            net = _Network(other)
        except (KeyError, ValueError):  # (results without the topology: the water stress is left out anyway)
            return out
        for name in lost:
            systems = {int(net.system[net.index[i]]) for i in basins[name] if i in net.index}
            out[str(name)] = [n for n in nodes if n in net.index and int(net.system[net.index[n]]) in systems]
    return out


def river_systems(ds: xr.Dataset, basins: Mapping[str, Sequence[str]] | None = None) -> pd.Series:
    """The river system of each node of a run's results, named as :func:`water_stress` names them.

    Parameters
    ----------
    ds
        A run's results (their topology: nodes, edges, demands' returns, flow requirements' nodes).
    basins
        Names for the systems, as :func:`water_stress`'s (None: those the results record).

    Returns
    -------
    pandas.Series
        The system's name (text) of each node id (index ``node``).

    Raises
    ------
    TypeError
        If ``ds`` is not a Dataset, or ``basins`` not a mapping of names to lists of node ids.
    ValueError
        If ``ds`` lacks the topology, or a basin's id is not a node of it.
    """
    check_dataset(ds, "river_systems")
    accounts = StressAccounts(ds, _named_basins(ds, basins))
    return pd.Series([accounts.systems[int(k)] for k in accounts.node_system],
                     index=pd.Index([str(n) for n in ds["node"].values], name="node"), dtype=object)


def _named_basins(ds: xr.Dataset, basins: object) -> Mapping[str, Sequence[str]] | None:
    """The names of the river systems of the results ``ds``: ``basins`` checked against its nodes, or (None) the
    basins the results record."""
    return recorded_basins(ds) if basins is None else check_basins(basins, ds["node"].values)


def recorded_basins(ds: xr.Dataset) -> dict[str, list[str]] | None:
    """The model's basins a run's results record (their attribute ``basins``, JSON; None where they have none or
    it cannot be read): the names of :func:`water_stress`'s river systems."""
    import json

    try:
        basins = json.loads(str(ds.attrs["basins"]))
    except (KeyError, ValueError):
        return None
    if not isinstance(basins, dict) or not all(isinstance(v, list) for v in basins.values()):
        return None
    return {str(k): [str(n) for n in v] for k, v in basins.items()}


def total_name(systems: Collection[str]) -> str:
    """The name of the row of the river systems together: ``all``, or, where a system has that name, the first of
    ``all systems``, ``all river systems``, ``(all)`` that none has."""
    return next(name for name in ("all", "all systems", "all river systems", "(all)") if name not in systems)


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
        (index ``hydrological_year``, ``system``), and ``partial``: True for a year the run covers in part (it
        starts after the year's 1 October or ends before the next: :func:`daryo.indicators.partial_years`; a run
        that starts in April has the summer of its first year only), whose water is its total in the part covered
        (hm³, not made annual, as :func:`water_stress` gives a short run's) and whose ``stress`` is that part's
        ratio, not the year's.  A whole year's water is its steps' (those that start in it) as a share of a year,
        as :func:`daryo.indicators.n_years` counts them (hm³/yr: 52 weeks, 364 days, or 53, 371, of 7-day steps).

    Raises
    ------
    ValueError
        As :func:`water_stress`, or if ``ds`` has no ``hydrological_year`` over time.
    """
    check_dataset(ds, "water_stress_by_year")
    if "hydrological_year" not in ds.coords or ds["hydrological_year"].dims != ("time",):
        raise ValueError("water_stress_by_year: the results have no hydrological_year over time (a run's results "
                         "have it)")
    tables = {}
    for y, partial in partial_years(ds).items():
        year = ds.sel(time=ds["hydrological_year"] == y)
        tables[y] = _water_stress(year, basins, environmental, partial).assign(partial=partial)
    table = pd.concat(tables, names=["hydrological_year", "system"])
    table.attrs.update(units={"withdrawal": "hm3 per year (in the part covered, where partial)",
                              "renewable": "hm3 per year (in the part covered, where partial)",
                              "environmental": "hm3 per year (in the part covered, where partial)",
                              "stress": "%"}, environmental=str(environmental))
    return table


def _check_flows(ds: xr.Dataset) -> None:
    """Refuse results without the flows and topology :func:`water_stress` reads (ValueError)."""
    missing = [name for name in ("edge_flow", "node_flow") if name not in ds.variables]
    if missing:
        raise ValueError(f"water_stress: the results have no {', '.join(map(repr, missing))}: it needs a run's "
                         "results with the flows of every edge and node (an ensemble's store does not keep them; "
                         "it has each trace's yearly water stress, annual_water_stress)")
    _check_topology(ds, "water_stress")


def _check_topology(ds: xr.Dataset, caller: str) -> None:
    """Refuse a Dataset without the network's topology (ValueError naming ``caller``)."""
    missing = [name for name in _TOPOLOGY if name not in ds.variables]
    if missing:
        raise ValueError(f"{caller}: the results have no {', '.join(map(repr, missing))}: it needs a run's results "
                         "(or daryo.results.topology of a compiled network)")
    if "requirement" in ds.dims and "requirement_at" not in ds.coords:
        raise EarlierResultsError(f"{caller}: {results_name(ds)} were written by an earlier daryo, which did not keep "
                                  "the node each flow requirement is on ('requirement_at', kept since 2026-12-05), "
                                  "nor so which river system's water each takes; run the model again")


class EarlierResultsError(ValueError):
    """A run's results written by an earlier daryo lack what an indicator needs (the message names the file, what
    it lacks, and says to run the model again): a summary leaves that block out with the message as a note (a
    compat review: ``daryo summary`` of results of 2026-12-03 said "internal error")."""


def results_name(ds: xr.Dataset) -> str:
    """A run's results as messages name them: "the results in FILE" (the file they were read from), or "the
    results"."""
    source = ds.encoding.get("source")
    return f"the results in {source}" if source else "the results"


def stress_ratio(withdrawal: np.ndarray, renewable: np.ndarray, environmental: np.ndarray) -> np.ndarray:
    """SDG 6.4.2's ratio, withdrawal / (renewable − environmental) × 100 %, elementwise, the environmental flow
    being at most the renewable water: infinite where water is withdrawn (more than
    :data:`daryo.indicators.YEAR_NOISE`, solver noise) but none is left, NaN where neither.

    Parameters
    ----------
    withdrawal, renewable, environmental
        Volumes over the same period (hm³), arrays of one shape (or broadcastable).

    Returns
    -------
    numpy.ndarray
        The ratio, in %.
    """
    left = np.asarray(renewable, dtype=float) - np.minimum(environmental, renewable)
    withdrawal = np.asarray(withdrawal, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):  # (a withdrawal of solver noise where none is left is none:
        # a review found 1.2e-08 hm³/yr read as critical stress)
        return np.where(left > 0, withdrawal / np.where(left > 0, left, 1.0) * 100.0,
                        np.where(withdrawal > YEAR_NOISE, np.inf, np.nan))


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


def _mean_total(da: xr.DataArray, element: str, weights: xr.DataArray | None = None) -> np.ndarray:
    """Each element's total over the run's steps (summed in float64; each step times its ``weights``, where given:
    :func:`daryo.indicators.year_weights`), averaged over its scenarios (or traces)."""
    others = [d for d in da.dims if d not in ("time", element)]
    da = da.astype(np.float64)
    return np.asarray((da if weights is None else da * weights).sum("time").mean(others).transpose(element).values)


class StressAccounts:
    """SDG 6.4.2's accounts of one network (:func:`water_stress` reads them), for totals of any shape: a run's
    means, or each trace's and year's totals in an ensemble.

    Parameters
    ----------
    topology
        A run's results, or the topology of a compiled network (:func:`daryo.results.topology`): its nodes and
        their types, edges, demands' ``return_to`` and flow requirements' ``requirement_at``.
    basins
        Names for the river systems, as :func:`water_stress`'s.

    Attributes
    ----------
    systems : list of str
        The river systems' names, in the order of the last axis of what the methods return.
    countries : list of str
        The countries of each system's nodes (ISO 3166-1 alpha-3 codes, in order, separated by spaces).
    node_system : numpy.ndarray
        Each node's system (its position in :attr:`systems`), along the ``node`` dimension.
    edges : numpy.ndarray
        The edges (positions along the ``edge`` dimension) whose flows :meth:`withdrawal` reads.
    inflow_nodes : numpy.ndarray
        The inflow nodes (positions along ``node``) whose supply :meth:`renewable` reads.
    """

    def __init__(self, topology: xr.Dataset, basins: Mapping[str, Sequence[str]] | None = None):
        if not isinstance(topology, xr.Dataset):
            raise TypeError(f"StressAccounts: give a run's results or a network's topology (an xarray.Dataset), "
                            f"not {type(topology).__name__}")
        _check_topology(topology, "StressAccounts")
        net = self._net = _Network(topology)
        self.systems = net.names(basins)
        self.node_system = net.system
        country = (topology["node_country"].values.astype(str) if "node_country" in topology.coords
                   else np.full(len(net.nodes), ""))
        self.countries = [" ".join(sorted(set(country[(net.system == k) & (country != "")])))
                          for k in range(net.n_systems)]
        self.inflow_nodes = np.flatnonzero(net.types == "inflow")
        n, n_systems = len(net.nodes), net.n_systems
        to_system = _incidence((n, n_systems), np.arange(n), net.system)
        # withdrawal: the edges that leave a river, less what off-river works (groups of canals, reservoirs,
        # plants and junctions joined by edges and no demand) bring back to one, up to what they took
        works = ~net.on_river & (net.types != "demand")
        inner = works[net.source] & works[net.target]
        _, group = connected_components(sparse.coo_matrix((np.ones(int(inner.sum())), (
            net.source[inner], net.target[inner])), shape=(n, n)), directed=False)
        leave = net.on_river[net.source] & ~net.on_river[net.target]
        back = works[net.source] & net.on_river[net.target]
        self.edges = np.flatnonzero(leave | back)
        source, target = net.source[self.edges], net.target[self.edges]
        leave, back, rows = leave[self.edges], back[self.edges], np.arange(len(self.edges))
        into_works = leave & works[target]
        self._taken = _incidence((len(rows), n_systems), rows[leave], net.system[target[leave]])
        self._taken_by_works = _incidence((len(rows), n), rows[into_works], group[target[into_works]])
        self._given_back = _incidence((len(rows), n), rows[back], group[source[back]])
        returns_to = np.full(topology.sizes.get("demand", 0), -1)
        if "demand_return_to" in topology.coords:  # (what demands return into works is not the works' to give back)
            returns_to = np.array([net.index.get(str(t), -1) for t in topology["demand_return_to"].values],
                                  dtype=np.int64)
        into = np.flatnonzero(returns_to >= 0)
        into = into[works[returns_to[into]]]
        self._returned = _incidence((len(returns_to), n), into, group[returns_to[into]])
        _, first = np.unique(group, return_index=True)
        self._group_system = _incidence((n, n_systems), group[first], net.system[first])
        self._renewable = to_system[self.inflow_nodes]
        # environmental: the requirements on the rivers, by the node each is on
        at = (np.array([net.index[str(a)] for a in topology["requirement_at"].values], dtype=np.int64)
              if "requirement_at" in topology.coords else np.zeros(0, dtype=np.int64))
        self._river_requirements = net.on_river[at]
        if "requirement_purpose" in topology.coords:  # (a flow owed downstream is not an environmental flow)
            self._river_requirements &= topology["requirement_purpose"].values.astype(str) != "obligation"
        self._wanted, self._column = np.unique(at[self._river_requirements], return_inverse=True)
        self._to_system = to_system
        self._least_supply: Callable[[np.ndarray], np.ndarray] | None = None
        self._supplies: dict[bytes, np.ndarray] = {}

    def withdrawal(self, edge_flow: np.ndarray, returned: np.ndarray) -> np.ndarray:
        """Each river system's withdrawal.

        Parameters
        ----------
        edge_flow
            The flows of the edges :attr:`edges` (..., edges), hm³ over some period.
        returned
            What each demand returns over that period (..., demands), hm³ (its delivery less its consumption).

        Returns
        -------
        numpy.ndarray
            (..., systems), hm³: the flow of the edges that leave a river (into a canal's head, with what it loses
            on the way, or a demand's intake), less what off-river works bring back to a river, up to what they
            took from one (a diversion canal's tail, an off-channel reservoir's release); what demands return into
            those works is not theirs to give back.
        """
        edge_flow, returned = np.asarray(edge_flow, dtype=float), np.asarray(returned, dtype=float)
        given = np.maximum(edge_flow @ self._given_back - returned @ self._returned, 0.0)
        given_back = np.minimum(given, edge_flow @ self._taken_by_works)
        return edge_flow @ self._taken - given_back @ self._group_system

    def renewable(self, supply: np.ndarray) -> np.ndarray:
        """Each river system's renewable water: the supply of its inflow nodes.

        Parameters
        ----------
        supply
            The supply of the inflow nodes :attr:`inflow_nodes` (..., inflows), hm³ over some period.

        Returns
        -------
        numpy.ndarray
            (..., systems), hm³.
        """
        return np.asarray(supply, dtype=float) @ self._renewable

    def environmental(self, required: np.ndarray) -> np.ndarray:
        """Each river system's environmental flow requirement, step by step: the least water its sources (the
        inflows, and the river nodes no edge enters) must leave in its rivers to meet the flow requirements on
        them, with what the edges and reaches on the way lose of it, the water that meets a requirement being
        free to meet those downstream and to be withdrawn after them.  Requirements off the rivers (on a canal
        or demand, or a node only canals feed) are left out, as
        their water is withdrawn.  One linear program per distinct set of the requirements' values (a monthly
        requirement: twelve), remembered for later calls.

        Parameters
        ----------
        required
            The requirements' values (..., requirements), hm³ per step.

        Returns
        -------
        numpy.ndarray
            (..., systems), hm³ per step.
        """
        required = np.asarray(required, dtype=float)
        lead = required.shape[:-1]
        out_shape = (*lead, len(self.systems))
        if not self._wanted.size:
            return np.zeros(out_shape)
        flat = required.reshape(-1, required.shape[-1])[:, self._river_requirements]
        if len(flat) > 1 and _same_rows(flat):  # (requirements shared by every scenario: worked out once)
            return np.broadcast_to(self._environmental_rows(flat[:1])[0], out_shape).copy()
        return self._environmental_rows(flat).reshape(out_shape)

    def _environmental_rows(self, flat: np.ndarray) -> np.ndarray:
        """:meth:`environmental` of the river requirements' values ``flat`` (rows, river requirements)."""
        held = np.zeros((len(flat), len(self._wanted)))  # (the largest requirement on each node)
        np.maximum.at(held, (np.arange(len(flat))[:, None], self._column[None, :]), flat)
        distinct, inverse = np.unique(held, axis=0, return_inverse=True)
        if self._least_supply is None:
            self._least_supply = self._net.least_supply(self._wanted)
        per_system = np.empty((len(distinct), len(self.systems)))
        for k, row in enumerate(distinct):
            key = row.tobytes()
            if key not in self._supplies:
                if len(self._supplies) >= _REMEMBERED:  # (requirements that follow a storage: a value each step)
                    self._supplies.clear()
                self._supplies[key] = self._least_supply(row) @ self._to_system
            per_system[k] = self._supplies[key]
        return per_system[inverse.reshape(-1)]


def _same_rows(a: np.ndarray) -> bool:
    """Whether every row of ``a`` (2-d) holds the same bytes as its first."""
    bits = np.ascontiguousarray(a).view(np.uint8).reshape(len(a), -1)
    return bool(np.all(bits == bits[0]))


def _incidence(shape: tuple[int, int], rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """A matrix of ``shape`` with a 1 at each (row, col) (duplicates adding up)."""
    out = np.zeros(shape)
    np.add.at(out, (rows, cols), 1.0)
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
        # (a file written before the losses were recorded: none)
        self.edge_loss = (ds["edge_loss_fraction"].values.astype(float) if "edge_loss_fraction" in ds.coords
                          else np.zeros(len(self.source)))
        self.node_loss = (ds["node_loss_fraction"].values.astype(float) if "node_loss_fraction" in ds.coords
                          else np.zeros(len(self.nodes)))
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

    def least_supply(self, wanted: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        """A function of the requirements on the nodes ``wanted``: the supply of each source (per node; 0 elsewhere)
        of the least total that lets the flow into each of those nodes reach its requirement, water being free
        to leave any node (withdrawn) after passing it, and lost on the way as the edges and nodes lose it.  The
        program is made once, here, and held in HiGHS: each
        call changes its requirements' bounds and solves it again from the last basis (~0.1 ms, where a program
        made afresh took ~2 ms: requirements that follow a reservoir's storage have a value of their own in nearly
        every trace and step of an ensemble)."""
        n = len(self.nodes)
        keep = self._river_edges()
        edges = np.flatnonzero(keep)
        m = len(edges)
        # (what arrives of an edge's flow, and what passes on of a node's)
        into = sparse.csr_matrix((1.0 - self.edge_loss[edges], (self.target[edges], np.arange(m))), shape=(n, m))
        out_of = sparse.csr_matrix((np.ones(m), (self.source[edges], np.arange(m))), shape=(n, m))
        eye = sparse.identity(n, format="csr")
        kept = sparse.diags(1.0 - self.node_loss, format="csr")
        # columns: edge flows (m), supplies (n), withdrawals (n); rows: each node's balance ((1 − its loss)(supply +
        # arrivals) − out − withdrawn = 0), then the flow into each node of ``wanted`` (arrivals + supply ≥ its
        # requirement)
        rows = sparse.vstack([sparse.hstack([kept @ into - out_of, kept, -eye]),
                              sparse.hstack([into[wanted], eye[wanted], sparse.csr_matrix((len(wanted), n))])])
        upper = np.concatenate([np.full(m, np.inf), np.where(self._sources(keep), np.inf, 0.0), np.full(n, np.inf)])
        row_lower = np.zeros(n + len(wanted))
        row_upper = np.concatenate([np.zeros(n), np.full(len(wanted), np.inf)])
        solver = HighsSolver(LinearProgram(
            rows.tocsc(), np.concatenate([np.zeros(m), np.ones(n), np.zeros(n)]), np.zeros(m + 2 * n), upper,
            row_lower, row_upper, [f"x{j}" for j in range(m + 2 * n)], [f"r{i}" for i in range(n + len(wanted))]))

        def solve(required: np.ndarray) -> np.ndarray:
            out = np.zeros(n)
            if not (required > 0).any():
                return out
            row_lower[n:] = required
            solver.set_row_bounds(row_lower, row_upper)
            found = solver.solve()
            if found.status is SolveStatus.INFEASIBLE:
                found = solver.solve_from_scratch()  # (a warm start's verdict of infeasibility is checked)
            if found.status is not SolveStatus.OPTIMAL:  # (a requirement no source reaches: each counted on its own)
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
