"""One chunk of traces: its model, its simulation, and the series and annual indicators it stores."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..errors import StepError, did_you_mean, kind_of
from ..indicators import winter_share
from ..model import Model, Node, Series
from ..model.places import problems_relocated
from ..network import CompiledNetwork, compile_network
from ..network.compile import rule_curve_columns
from ..results import energy_targets, requirement_columns, requirement_met, shortfall, storage_targets, topology
from ..sdg import StressAccounts, stress_ratio
from ..simulate.engine import simulate
from ..simulate.fastpath import FastOptions, FastStepper, StepRecord, fast_path_unsupported
from ..simulate.physics import energy_gwh
from ..timeaxis import TimeAxis
from ..units import is_number
from .traces import TraceSource, run_years, trace_place

#: annual indicators (per trace, run year, element) and the element dimension of each
ANNUAL_INDICATORS = {
    "annual_delivery": "demand", "annual_demand": "demand", "annual_deficit_fraction": "demand",
    "annual_min_storage": "reservoir", "annual_sink_inflow": "sink", "annual_energy": "hydropower",
    "annual_winter_energy": "hydropower", "annual_winter_delivery": "demand", "annual_winter_demand": "demand",
    "annual_inflow": "inflow", "annual_withdrawal": "system", "annual_renewable_water": "system",
    "annual_environmental_flow": "system", "annual_water_stress": "system",
    "annual_required": "requirement", "annual_requirement_met": "requirement",
    "annual_requirement_shortfall_fraction": "requirement",
    "annual_steps_below_target": "reservoir", "annual_max_storage_shortfall": "reservoir",
    "annual_energy_target": "hydropower", "annual_energy_shortfall": "hydropower",
    "annual_winter_energy_shortfall": "hydropower", "annual_winter_energy_target": "hydropower",
}
#: the monthly series an ensemble stores by default, and their element dimension
SERIES = {"storage": "reservoir", "delivery": "demand", "deficit": "demand", "sink_inflow": "sink",
          "energy": "hydropower"}
#: every monthly series an ensemble can store (``EnsembleOptions.series``), and their element dimension
STORABLE_SERIES = {**SERIES, "turbine_flow": "hydropower", "demanded": "demand", "edge_flow": "edge",
                   "required": "requirement",
                   "requirement_met": "requirement"}
#: a plant misses its energy target in a run year whose shortfall (the target not generated, summed over the steps
#: short of it: steps above it do not make up for them) is above this share of the year's target
ENERGY_MISSED_TOLERANCE = 0.01


def target_missed(shortfall: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Whether each (trace-year, plant) ``shortfall`` of its energy ``target`` (a year's, or a winter's) misses it:
    above :data:`ENERGY_MISSED_TOLERANCE` of it."""
    return shortfall > ENERGY_MISSED_TOLERANCE * target


def at_dead_storage(lowest: Any, floor: Any) -> Any:
    """Whether each (trace-year, reservoir) ``lowest`` storage is at its ``floor`` (its dead volume, ``min_volume``):
    within a millionth of it, the solver's tolerance and the store's float32 (arrays, or xarray DataArrays, that
    broadcast)."""
    return lowest <= floor * (1 + 1e-6) + 1e-6


#: the deficit threshold of the summaries where none is given (``EnsembleOptions.deficit_threshold``)
DEFAULT_DEFICIT_THRESHOLD = 0.3


def threshold_of(value: object) -> float | None:
    """``value`` as a deficit threshold, a fraction of the demand: a number (not a bool) from 0 up to, not
    including, 1; None where it is not one (a recorded threshold that cannot be read, a value to refuse)."""
    return float(value) if is_number(value) and 0.0 <= float(value) < 1.0 else None


#: annual deficit fractions below this are solver noise, stored as 0 (see ``_ChunkRecorder.annual``)
DEFICIT_TOL = 1e-6


# --------------------------------------------------------------------------------------------- options
@dataclass(frozen=True)
class EnsembleOptions:
    """What to run.

    Attributes
    ----------
    traces, years, seed
        Number of traces, run length from the model's start, seed of the trace source.
    chunk_size
        Traces per chunk (None: chosen from the model size).  Part of the run's identity (see :mod:`daryo.ensemble`).
    deficit_threshold
        The summaries give the probability that a demand's annual deficit exceeds this fraction of it (None: 0.3,
        ``daryo.ensemble.chunks.DEFAULT_DEFICIT_THRESHOLD``, or a resumed run's own).
    series_dtype
        Storage type of the monthly series on disk (annual indicators and summaries are always float64).
    fast
        Use the fast path where the network allows it.
    series
        The monthly series to store, by name (:data:`STORABLE_SERIES`: the defaults :data:`SERIES`, and
        ``turbine_flow``, ``demanded``, ``edge_flow`` (every edge's), ``required`` and ``requirement_met``); ``()``
        for none (the annual
        indicators and summaries only: a small store); None: :data:`SERIES`.  Part of the run's identity.
    """

    traces: int
    years: int
    seed: int = 0
    chunk_size: int | None = None
    deficit_threshold: float | None = None
    series_dtype: str = "float32"
    fast: bool = True
    series: tuple[str, ...] | None = None

    def threshold(self) -> float:
        """The deficit threshold of the summaries (:data:`DEFAULT_DEFICIT_THRESHOLD` where none is given)."""
        return DEFAULT_DEFICIT_THRESHOLD if self.deficit_threshold is None else float(self.deficit_threshold)

    def stored_series(self) -> tuple[str, ...]:
        """The names of the monthly series stored, in :data:`STORABLE_SERIES`'s order."""
        wanted = SERIES if self.series is None else set(self.series)
        return tuple(name for name in STORABLE_SERIES if name in wanted)

    def chunk(self, bytes_per_step: int, n_steps: int) -> int:
        """Traces per chunk: ``chunk_size``, or as many as keep a chunk's stored arrays (``bytes_per_step`` per
        trace and step) within ~96 MB, at most 500: about 360 MB per worker with the model and solver state
        (measured: 500 traces × 50 years of the Aral model, series in float32, peak at +360 MB)."""
        if self.chunk_size:
            return int(self.chunk_size)
        budget = 96_000_000
        return int(max(8, min(500, budget // max(1, bytes_per_step * n_steps))))


@dataclass(frozen=True)
class _Job:
    """One chunk: what a worker needs (picklable)."""

    model: Model
    source: TraceSource
    options: EnsembleOptions
    chunk: int
    first: int
    count: int


# ------------------------------------------------------------------------------------------- one chunk
def chunk_model(model: Model, inflows: Mapping[str, np.ndarray], names: list[str]) -> Model:
    """The model with these inflow traces (hm³ per step, (n, T)) and scenario names.

    Raises
    ------
    ValueError
        If the model declares scenario dimensions, or an attribute the traces do not replace has several traces
        (scenario columns) of its own: the message says how to run it (an inflow's columns as the traces:
        :class:`daryo.ensemble.ModelColumns`).
    """
    if model.scenario_dims:
        dims = ", ".join(f"{d.name}: {d.size}" for d in model.scenario_dims)
        raise ValueError(f"ensembles vary the inflows only; the model declares scenarios of its own ({dims}), "
                         "which its parameters may follow: run it with `daryo run`, or leave them out")
    traces = _checked_traces(model, inflows, len(names))
    nodes = []
    for n in model.nodes:
        if n.id in traces:
            attrs = dict(n.attrs)
            attrs["inflow"] = Series("steps", traces[n.id], False,
                                     origin=("", f"nodes[{n.id}].inflow (ensemble trace)"))
            n = Node(n.id, n.type, attrs, n.place, n.line)
        else:
            for key, v in n.attrs.items():
                if isinstance(v, Series) and v.n_scenarios > 1:
                    raise ValueError(f"ensembles vary the inflows only; {n.id}.{key} has {v.n_scenarios} traces "
                                     f"of its own, {_own_traces_advice(n, key)}")
        nodes.append(n)
    return replace(model, nodes=tuple(nodes), scenario_names=tuple(names))


def _own_traces_advice(node: Node, key: str) -> str:
    """What to do with ``node``'s attribute ``key`` of several traces, which an ensemble's traces do not replace (a
    seasonal forecaster's review: a forecast's 50 members, an overlay's inflow columns, were refused with no word of
    how to run them)."""
    if node.type == "inflow" and key == "inflow":  # (the generator's traces leave alone an inflow an overlay gave)
        return ("which this ensemble's trace source does not replace: run the model's own scenario columns as "
                "the traces, a trace each, with daryo ensemble --hydrology columns (daryo.ensemble.ModelColumns in "
                f"Python), or give {node.id} an inflow of one trace")
    return (f"which an ensemble does not vary: give {node.id} a {key} of one trace, or run the model's traces as "
            "scenarios with daryo run")


def _checked_traces(model: Model, inflows: Any, n: int) -> dict[str, np.ndarray]:
    """A trace source's inflows as float arrays, once they are known to be what the run needs: a mapping of the
    model's inflow ids to finite volumes ≥ 0, shaped (traces, steps) (a source of one's own may give anything).

    Raises
    ------
    TypeError
        If ``inflows`` is not a mapping, or its values are not numbers.
    ValueError
        If it names a node that is not an inflow of the model, or an array has another shape or a value that is
        not finite or is below 0.
    """
    if not isinstance(inflows, Mapping):
        raise TypeError(f"the trace source gave {kind_of(inflows)}, not a mapping of inflow ids to arrays of "
                        "(traces, steps) hm³ per step")
    ids = [nd.id for nd in model.nodes if nd.type == "inflow"]
    steps = model.time.axis().n_steps
    out: dict[str, np.ndarray] = {}
    for nid, values in inflows.items():
        if nid not in ids:
            raise ValueError(f"the trace source gives inflows for {nid!r}, which is not an inflow node of the model"
                             f"{did_you_mean(str(nid), ids)}")
        try:
            arr = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"the trace source's inflows for {nid!r} are not numbers") from None
        if arr.shape != (n, steps):
            raise ValueError(f"the trace source's inflows for {nid!r} are shaped {arr.shape}, not ({n}, {steps}): "
                             "one row per trace, one value per step")
        bad = ~np.isfinite(arr) | (arr < 0)
        if bad.any():
            trace, step = (int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"the trace source's inflows for {nid!r} hold {float(arr[trace, step])!r} (trace "
                             f"{trace}, step {step}): give finite volumes of 0 or more, hm³ per step")
        out[nid] = arr
    return out


def compile_chunk(model: Model, inflows: Mapping[str, np.ndarray], names: list[str], axis: TimeAxis
                  ) -> CompiledNetwork:
    """The network of the model with these inflow traces (:func:`chunk_model`) on ``axis``.  Its tables hold the
    traces; its model (``net.model``: the nodes, and the traces' names as scenario names) does not hold them a
    second time (~32 MB per 500 traces × 50 years of the embedded model): its inflow nodes keep ``model``'s own
    series, so read a chunk's inflows from the network's tables, never from ``net.model``."""
    traced = chunk_model(model, inflows, names)
    return replace(compile_network(traced, axis), model=replace(traced, nodes=model.nodes))


def run_chunk(job: _Job, on_steps: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Run one chunk of traces; returns its stored series, annual indicators and statistics.  ``on_steps(n)``,
    where given, is called as the chunk's steps are done, with the steps done over its traces (``n``: steps ×
    traces), on the fast path."""
    t0 = time.perf_counter()
    opts = job.options
    model = job.model.with_time(years=opts.years)
    axis = model.time.axis()
    idx = np.arange(job.first, job.first + job.count)
    inflows = job.source(opts.seed, idx, opts.years, axis)
    net = compile_chunk(model, inflows, [str(i) for i in idx], axis)
    try:
        with problems_relocated(model):
            accounts = stress_accounts(net)
            series, annual, how = _simulate_chunk(net, opts.fast, opts.traces, np.dtype(opts.series_dtype), accounts,
                                                  opts.stored_series(),
                                                  None if on_steps is None else lambda t: on_steps(t * job.count))
    except StepError as exc:  # (its scenario is the trace's number: the chunk's scenarios are named so)
        raise exc.in_trace(trace_place(job.source, opts.seed, int(exc.scenario), exc.step, axis)) from None
    out: dict[str, Any] = {"trace": idx, **series, **annual, "system": np.array(accounts.systems, dtype=str),
                           "system_country": np.array(accounts.countries, dtype=str),
                           "trace_digest": trace_digests(inflows, job.count)}
    out["_seconds"] = time.perf_counter() - t0
    out["_how"] = how
    out["_chunk"] = job.chunk
    return out


def trace_digests(inflows: Mapping[str, np.ndarray], count: int) -> np.ndarray:
    """Each trace's digest: the first 4 bytes of a SHA-256 of its inflows (each node's id and its steps' volumes,
    the nodes in order of their ids), as an int32 (a NetCDF store's integers are 32-bit, as CF 1.8 and the classic
    format have them).  Two ensembles whose traces have the same digests ran the same hydrology, trace by trace
    (:func:`daryo.compare.compare_ensembles` pairs them so): two traces that differ share a digest once in 4.3
    billion, and every trace must match."""
    digests = np.empty(count, dtype=np.int32)
    for row in range(count):
        h = hashlib.sha256()
        for key in sorted(inflows):
            h.update(key.encode() + b"\0")
            h.update(np.ascontiguousarray(inflows[key][row], dtype=np.float64).tobytes())
        digests[row] = np.frombuffer(h.digest()[:4], dtype="<i4")[0]
    return digests


def stress_accounts(net: CompiledNetwork) -> StressAccounts:
    """The network's water-stress accounts (SDG 6.4.2), its river systems named by the model's basins."""
    return StressAccounts(topology(net), net.model.metadata.get("basins"))


def _simulate_chunk(net: CompiledNetwork, fast: bool, run_traces: int | None = None,
                    dtype: np.dtype | type = np.float64, accounts: StressAccounts | None = None,
                    series: tuple[str, ...] = tuple(SERIES), on_step: Callable[[int], None] | None = None
                    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], str]:
    """Monthly series of the chunk (``series``, of :data:`STORABLE_SERIES`) in ``dtype``, its annual
    indicators (float64, from the unrounded values) and how it was simulated.  ``run_traces``: the traces of
    the whole ensemble, for which the fast path makes its choices (the same in every chunk).  ``accounts``: the
    network's water-stress accounts, where the caller has them already (None: made here).  ``on_step(t)``: called
    on the fast path once the first ``t`` steps are done (the plain path solves them all at once)."""
    accounts = stress_accounts(net) if accounts is None else accounts
    required_col = net.node_col[net.requirement_nodes]
    rule_curves = rule_curve_columns(net)
    has_target = rule_curves >= 0
    target_col = rule_curves[has_target]
    cols = {"storage": net.res_col, "delivery": net.demand_col, "sink_inflow": net.sink_col, "energy": net.hp_col,
            "inflow": _inflow_columns(net), "withdrawn": net.edge_col[accounts.edges].astype(np.int64),
            "required": requirement_columns(net)}
    if "edge_flow" in series:  # (every edge's flow: asked for only, as it is as wide as the network)
        cols["edge_flow"] = net.edge_col.astype(np.int64)
    rec = _ChunkRecorder(net.axis, net.n_scenarios, {k: len(c) for k, c in cols.items()}, dtype, accounts, series,
                         has_target, net.hp_energy_col >= 0)
    consumed = np.broadcast_to(net.demand_consumptive, (net.n_scenarios, net.axis.n_steps, len(net.demand_ids)))
    reason = fast_path_unsupported(net) if fast else "fast path switched off"
    if reason is None:
        cat = np.concatenate(list(cols.values())).astype(np.int64)
        stepper = FastStepper(net, columns=cat, options=FastOptions(run_scenarios=run_traces))
        split = np.cumsum([len(c) for c in cols.values()])[:-1]

        def record(step: StepRecord) -> None:
            got = dict(zip(cols, np.split(step.x, split, axis=1), strict=True))
            dl, q = got["delivery"], got["energy"]  # (the plants' columns are their turbines' flow)
            wanted = step.col_upper(stepper.layout, net.demand_col)
            required = step.col_upper(stepper.layout, required_col)
            target = storage_targets(has_target, step.col_upper(stepper.layout, target_col), got["storage"])
            energy = energy_gwh(q, step.head, net.hp_efficiency[None, :])
            rec.add(step.t, storage=got["storage"], storage_shortfall=target[1], delivery=dl,
                    sink_inflow=got["sink_inflow"], demanded=wanted,
                    deficit=shortfall(wanted, dl), energy=energy, **rec.plant_targets(net, energy, step.t),
                    turbine_flow=q, inflow=got["inflow"], withdrawn=got["withdrawn"],
                    returned=dl * (1.0 - consumed[:, step.t]), environmental=accounts.environmental(required),
                    required=required, requirement_met=requirement_met(required, got["required"]),
                    **({"edge_flow": got["edge_flow"]} if "edge_flow" in got else {}))
            if on_step is not None:
                on_step(step.t + 1)

        stepper.run(record)
        return rec.series, rec.annual(), f"fast path: {stepper.stats.summary()}"
    out = simulate(net)
    x = out.x
    for t in range(net.axis.n_steps):
        dl, wanted = x[:, t, net.demand_col], out.col_upper[:, t, net.demand_col]
        required = out.col_upper[:, t, required_col]
        target = storage_targets(has_target, out.col_upper[:, t, target_col], x[:, t, net.res_col])
        energy = energy_gwh(x[:, t, net.hp_col], out.head[:, t], net.hp_efficiency[None, :])
        rec.add(t, storage=x[:, t, net.res_col], storage_shortfall=target[1], delivery=dl,
                sink_inflow=x[:, t, net.sink_col], demanded=wanted,
                deficit=shortfall(wanted, dl), energy=energy, **rec.plant_targets(net, energy, t),
                turbine_flow=x[:, t, net.hp_col], inflow=x[:, t, cols["inflow"]], withdrawn=x[:, t, cols["withdrawn"]],
                returned=dl * (1.0 - consumed[:, t]), environmental=accounts.environmental(required),
                required=required, requirement_met=requirement_met(required, x[:, t, cols["required"]]),
                **({"edge_flow": x[:, t, cols["edge_flow"]]} if "edge_flow" in cols else {}))
    return rec.series, rec.annual(), f"plain path ({reason})"


def _inflow_columns(net: CompiledNetwork) -> np.ndarray:
    """The LP columns of the network's inflow nodes (their supply, hm³ per step), in the model's node order."""
    return net.node_col[[i for i, n in enumerate(net.model.nodes) if n.type == "inflow"]].astype(np.int64)


class _ChunkRecorder:
    """A chunk's monthly series, stored in ``dtype`` step by step, and its annual indicators per trace, run
    year and element, accumulated in float64 from the unrounded values (so a chunk holds its series once, in
    the storage type).

    Parameters
    ----------
    axis, n_scenarios
        The run's time axis and the chunk's traces.
    sizes
        Elements of ``storage``, ``delivery`` (and ``demanded``, ``deficit``, ``returned``), ``sink_inflow``,
        ``energy``, ``inflow`` (the inflow nodes' supply), ``withdrawn`` (the flows of the edges the water
        stress's withdrawal reads) and ``required`` (the flow requirements, and ``requirement_met``); those and the
        systems' ``environmental`` flows are summed per year, not stored per step.
    dtype
        Storage type of the monthly series.
    accounts
        The network's water-stress accounts (SDG 6.4.2).
    series
        The monthly series stored (of :data:`STORABLE_SERIES`; ``turbine_flow`` has the plants' elements).
    rule_curves
        Whether each reservoir has a rule curve (a ``target_volume``), (R,) bool (None: none has): the steps add
        its ``storage_shortfall`` (:func:`daryo.results.storage_targets`), whose steps above 0 and largest value
        each year counts (NaN for a reservoir without one).
    energy_targets
        Whether each plant has an energy target (``energy_target``), (H,) bool (None: none has): the steps add its
        ``energy_target`` and ``energy_shortfall`` (:func:`daryo.results.energy_targets`), which are summed each year,
        and in its winter months (NaN for a plant without one).
    """

    _SUMMED = ("demanded", "delivery", "deficit", "sink_inflow", "energy", "inflow", "withdrawn", "returned",
               "environmental", "required", "requirement_met")
    #: the sums of the winter months only (October–March), of the series named: a summer's is the year's less them
    _WINTER = {"winter_energy": "energy", "winter_delivery": "delivery", "winter_demand": "demanded"}
    #: the sums of the plants' energy targets and shortfalls (where some plant has a target), and the series summed
    _ENERGY_TARGET = {"energy_target": "energy_target", "energy_shortfall": "energy_shortfall",
                      "winter_energy_shortfall": "energy_shortfall", "winter_energy_target": "energy_target"}

    def __init__(self, axis: TimeAxis, n_scenarios: int, sizes: Mapping[str, int], dtype: np.dtype | type,
                 accounts: StressAccounts, series: tuple[str, ...] = tuple(SERIES),
                 rule_curves: np.ndarray | None = None, energy_targets: np.ndarray | None = None):
        size = {**sizes, "demanded": sizes["delivery"], "deficit": sizes["delivery"], "returned": sizes["delivery"],
                "environmental": len(accounts.systems), "winter_energy": sizes["energy"],
                "winter_delivery": sizes["delivery"], "winter_demand": sizes["delivery"],
                "turbine_flow": sizes["energy"], "requirement_met": sizes["required"],
                "edge_flow": sizes.get("edge_flow", 0)}
        self.accounts = accounts
        # the share of each step's days in winter: 1 or 0, or, for an N-day step across 1 April or 1 October, its
        # days' share on the winter side (indicators.winter_share), so that a run year's winter sums hold its winter
        self.winter = winter_share(axis)
        S, T = n_scenarios, axis.n_steps
        self.year = run_years(axis)
        Y = int(self.year.max()) + 1 if self.year.size else 0
        self.series = {name: np.empty((S, T, size[name]), dtype) for name in series}
        self._sum = {name: np.zeros((S, Y, size[name])) for name in (*self._SUMMED, *self._WINTER)}
        self._min_storage = np.full((S, Y, size["storage"]), np.inf)
        self.rule_curves = (np.zeros(size["storage"], dtype=bool) if rule_curves is None
                            else np.asarray(rule_curves, dtype=bool))
        self._below_target = np.zeros((S, Y, size["storage"]))
        self._max_shortfall = np.zeros((S, Y, size["storage"]))
        self.has_energy_target = (np.zeros(size["energy"], dtype=bool) if energy_targets is None
                                  else np.asarray(energy_targets, dtype=bool))
        self._energy_target = {name: np.zeros((S, Y, size["energy"])) for name in self._ENERGY_TARGET}

    def plant_targets(self, net: CompiledNetwork, energy: np.ndarray, t: int) -> dict[str, np.ndarray]:
        """Step ``t``'s plants' ``energy_target`` and ``energy_shortfall`` (S, H) of their ``energy``, as :meth:`add`
        takes them: none where no plant has a target."""
        if not self.has_energy_target.any():
            return {}
        target, short = energy_targets(net, energy, t)
        return {"energy_target": target, "energy_shortfall": short}

    def add(self, t: int, **values: np.ndarray) -> None:
        """Step ``t``'s values (S, elements) of every series, of the demands and of the inflows (and the
        reservoirs' ``storage_shortfall``, where some have a rule curve, and the plants' ``energy_target`` and
        ``energy_shortfall``, where some have an energy target: :meth:`plant_targets`)."""
        y = self.year[t]
        for name, stored in self.series.items():
            stored[:, t] = values[name]
        for name in self._SUMMED:
            self._sum[name][:, y] += values[name]
        if (share := self.winter[t]) > 0:  # (summed in winter steps only, not zeros added in the others)
            for name, of in self._WINTER.items():
                self._sum[name][:, y] += values[of] if share == 1.0 else values[of] * share
        np.minimum(self._min_storage[:, y], values["storage"], out=self._min_storage[:, y])
        if self.rule_curves.any():  # (the shortfall is 0 up to solver noise already: results.shortfall)
            short = np.nan_to_num(values["storage_shortfall"])
            self._below_target[:, y] += short > 0
            np.maximum(self._max_shortfall[:, y], short, out=self._max_shortfall[:, y])
        if self.has_energy_target.any():
            for name, of in self._ENERGY_TARGET.items():
                if not name.startswith("winter_"):
                    self._energy_target[name][:, y] += values[of]
                elif share > 0:
                    self._energy_target[name][:, y] += values[of] if share == 1.0 else values[of] * share

    def annual(self) -> dict[str, np.ndarray]:
        """The annual indicators (see :data:`ANNUAL_INDICATORS`) of the steps added."""
        delivered, wanted = self._sum["delivery"], self._sum["demanded"]
        required, met = self._sum["required"], self._sum["requirement_met"]
        withdrawal = self.accounts.withdrawal(self._sum["withdrawn"], self._sum["returned"])
        renewable = self.accounts.renewable(self._sum["inflow"])
        # (the environmental flow as required, not at most the year's renewable water: the long-term ratio takes it
        # at most the mean renewable water, as ``daryo run`` does; capped each year, it came out lower where dry
        # years have less water than the flows require, an SDG methodology review: 270.9 % against run's 707.8 %)
        environmental = self._sum["environmental"]
        return {"annual_delivery": delivered, "annual_demand": wanted,
                "annual_deficit_fraction": _short_fraction(self._sum["deficit"], wanted),
                "annual_min_storage": self._min_storage, "annual_sink_inflow": self._sum["sink_inflow"],
                "annual_energy": self._sum["energy"], "annual_winter_energy": self._sum["winter_energy"],
                "annual_winter_delivery": self._sum["winter_delivery"],
                "annual_winter_demand": self._sum["winter_demand"],
                "annual_inflow": self._sum["inflow"],
                "annual_withdrawal": withdrawal, "annual_renewable_water": renewable,
                "annual_environmental_flow": environmental,
                "annual_water_stress": stress_ratio(withdrawal, renewable, environmental),
                "annual_required": required, "annual_requirement_met": met,
                "annual_requirement_shortfall_fraction": _short_fraction(required - met, required),
                "annual_steps_below_target": np.where(self.rule_curves, self._below_target, np.nan),
                "annual_max_storage_shortfall": np.where(self.rule_curves, self._max_shortfall, np.nan),
                **{f"annual_{name}": np.where(self.has_energy_target, sums, np.nan)
                   for name, sums in self._energy_target.items()}}


def _short_fraction(short: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The share of what was ``wanted`` that was ``short`` (0 where nothing was wanted, at most 1).  The steps'
    shortfalls are without solver noise already (``results.shortfall``); what is left of it, the last digits in
    which two chunkings' LP optima may differ, is no shortfall either (below :data:`DEFICIT_TOL`)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(wanted > 0, short / np.where(wanted > 0, wanted, 1.0), 0.0)
    return np.where(fraction < DEFICIT_TOL, 0.0, np.minimum(fraction, 1.0))
