"""Ensembles: thousands of hydrological traces, run in chunks, streamed to disk and summarised.

Pipeline::

    trace source (seed, trace indices, years) -> inflows      one chunk of traces at a time:
    chunk model (the model with those inflows) -> compile -> simulate (fast path where it applies)
    -> stored series + annual indicators -> one part file, written atomically as the chunk finishes
    -> (all chunks done) assembled into results.zarr or results.nc, with distribution summaries

- **Reproducible**: trace *i* depends only on (seed, *i*), so a trace is the same whatever the chunking or
  the number of workers.  With the same chunk size every chunk is the same computation, so results are
  identical bit for bit whatever the workers or interruptions; another chunk size gives the same results to
  the solver's precision (1e-9), not bit for bit (the LP optima are the same vertices, computed through
  other bases or batches).
- **Bounded memory**: a worker holds one chunk; assembly reads one part at a time.
- **Resumable**: the parts folder ``<output>.parts/`` keeps every finished chunk and a manifest of the run;
  ``resume=True`` skips the chunks found there (the manifest must match) and recomputes only the others.
- **Dask**: ``scheduler="tcp://host:8786"`` runs chunks on an existing ``dask.distributed`` cluster,
  ``workers=K`` on a local one (``pip install daryo[ensemble]``).  A local cluster's workers write their parts
  themselves, so this process never holds a chunk; a remote cluster's send their results back to this process,
  which writes the parts, so they need no shared disk.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
import time
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import IO, Any, Protocol

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._files import atomic_write
from .hydrology import seed_problem
from .model import Model, Node, Series
from .network import CompiledNetwork, compile_network
from .parameters import align_frames
from .results import NETCDF_SUFFIXES, is_netcdf, netcdf_attributes, step_coordinates
from .simulate.engine import simulate
from .simulate.fastpath import FastOptions, FastStepper, StepRecord, fast_path_unsupported
from .simulate.physics import energy_gwh
from .timeaxis import TimeAxis

__all__ = ["TraceSource", "ResampledTraces", "StochasticTraces", "default_trace_source", "EnsembleOptions",
           "EnsembleRun", "run_ensemble", "run_chunk", "check_output", "ProgressReporter", "ANNUAL_INDICATORS",
           "shortfall_table"]

#: annual indicators (per trace, run year, element) and the element dimension of each
ANNUAL_INDICATORS = {
    "annual_delivery": "demand", "annual_demand": "demand", "annual_deficit_fraction": "demand",
    "annual_min_storage": "reservoir", "annual_sink_inflow": "sink", "annual_energy": "hydropower",
    "annual_inflow": "inflow",
}
#: stored monthly series and their element dimension
SERIES = {"storage": "reservoir", "delivery": "demand", "deficit": "demand", "sink_inflow": "sink",
          "energy": "hydropower"}
_PERCENTILES = (5.0, 50.0, 95.0)
#: annual deficit fractions below this are solver noise, stored as 0 (see ``_ChunkRecorder.annual``)
DEFICIT_TOL = 1e-6
_FORMAT = 2  # (2: parts hold annual_inflow)


# ---------------------------------------------------------------------------------------------- traces
class TraceSource(Protocol):
    """Where an ensemble's inflows come from.

    Called with (seed, trace indices, years, time axis of the run), it returns, for every inflow node it
    drives, the volumes in hm³ per step, shape (len(indices), axis.n_steps).  Trace *i* must depend only on
    (seed, *i*) — that is what makes ensembles reproducible whatever the chunking.
    """

    def __call__(self, seed: int, indices: np.ndarray, years: int, axis: Any) -> Mapping[str, np.ndarray]: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class ResampledTraces:
    """The default source: whole years resampled from the model's own inflow traces, perturbed.

    For each trace *i* (``numpy.random.default_rng([seed, i])``) and each run year, one (source trace,
    source year) pair of the model's own record is drawn — the same for every inflow node, which keeps the
    rivers' joint behaviour — and its steps are scaled by one log-normal factor (mean 1, log-sd
    ``perturbation``).  Source years start on the same calendar date as the run (1 October for a model that
    starts with its hydrological year), so seasons line up:

    - monthly steps: a run year takes the source year's twelve months; volumes are carried as daily rates, so
      a February keeps its rate;
    - N-day steps: a run year (from one anniversary of the run's start to the next) takes the daily rates of
      one whole source year, day *d* of the run year from day *d* of the source year (wrapping round within
      that source year for a step that runs past the year's end), and each step gets the sum over its days.
    """

    rates: Mapping[str, np.ndarray]  # node id -> (S0, T0) hm³/day of the model's own record
    record: TimeAxis  # the time axis of that record
    perturbation: float = 0.1

    @classmethod
    def from_model(cls, model: Model, perturbation: float = 0.1) -> ResampledTraces:
        axis = model.time.axis()
        rates = {}
        for n in model.nodes:
            s = n.attrs.get("inflow") if n.type == "inflow" else None
            if isinstance(s, Series):
                rates[n.id] = s.resolve(axis) / axis.days[None, :]
        if not rates:
            raise ValueError("the model has no inflow node with an 'inflow' series to resample")
        if axis.n_steps == 0 or axis.end < axis.start + pd.DateOffset(years=1):
            raise ValueError("resampling needs at least one whole year of the model's own inflows")
        return cls(rates, axis, perturbation)

    def describe(self) -> str:
        return f"years resampled from the model's own inflows, log-normal perturbation {self.perturbation}"

    def _draws(self, seed: int, i: int, n_years: int, n_sources: int, n_traces: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Source trace, source year (index into the candidates) and factor of each run year of trace ``i``."""
        rng = np.random.default_rng([int(seed), int(i)])
        src = rng.integers(0, n_traces, n_years)
        yr = rng.integers(0, n_sources, n_years)
        factor = np.exp(self.perturbation * rng.standard_normal(n_years) - self.perturbation**2 / 2)
        return src, yr, factor

    def __call__(self, seed: int, indices: np.ndarray, years: int, axis: Any) -> dict[str, np.ndarray]:
        if (why := seed_problem(seed)) is not None:  # (a larger seed would repeat another's traces)
            raise ValueError(f"seed {seed}: {why}")
        if axis.step_days is None and self.record.step_days is None:
            return self._monthly(seed, indices, axis)
        return self._daily(seed, indices, axis)

    def _monthly(self, seed: int, indices: np.ndarray, axis: Any) -> dict[str, np.ndarray]:
        T = axis.n_steps
        n_years = -(-T // 12)
        S0 = max(r.shape[0] for r in self.rates.values())
        T0 = next(iter(self.rates.values())).shape[1]
        # source years start in the same calendar month as the run, so months line up
        start_month = int(axis.month[0])
        offsets = np.flatnonzero(self.record.month[: T0 - 11] == start_month)
        if not offsets.size:
            raise ValueError("the model's own record has no whole year starting in the run's start month")
        out = {k: np.empty((len(indices), T)) for k in self.rates}
        for row, i in enumerate(np.asarray(indices).tolist()):
            src, k, factor = self._draws(seed, i, n_years, offsets.size, S0)
            yr = offsets[k]
            steps = (yr[:, None] + np.arange(12)[None, :]).reshape(-1)[:T]
            scen = np.repeat(src, 12)[:T]
            f = np.repeat(factor, 12)[:T]
            for key, rate in self.rates.items():
                out[key][row] = rate[np.minimum(scen, rate.shape[0] - 1), steps] * f * axis.days
        return out

    def _daily(self, seed: int, indices: np.ndarray, axis: Any) -> dict[str, np.ndarray]:
        days = np.asarray(axis.days)
        if np.any(days != np.round(days)) or np.any(days > 365):
            raise ValueError("resampling by year needs steps of whole days, at most a year long")
        T = axis.n_steps
        run_start = pd.Timestamp(axis.starts[0])
        year = run_years(axis)
        n_years = int(year.max()) + 1 if T else 0
        # day of its run year on which each step starts, and the day after its last day
        year_start = pd.DatetimeIndex([run_start + pd.DateOffset(years=int(y)) for y in range(n_years)])
        first = np.asarray((pd.DatetimeIndex(axis.starts) - year_start[year]).days)
        last = first + days.astype(np.int64)
        # the model's own record as daily rates, cumulated: cum[:, d] is the volume of its first d days
        rec_days = np.asarray(self.record.days).astype(np.int64)
        cums = {k: np.concatenate([np.zeros((r.shape[0], 1)), np.cumsum(np.repeat(r, rec_days, axis=1), axis=1)],
                                  axis=1) for k, r in self.rates.items()}
        n_days = int(rec_days.sum())
        # source years: the anniversaries of the run's start that begin a whole year inside the record
        rec_start = pd.Timestamp(self.record.start)
        span = (rec_start.year - run_start.year - 1, rec_start.year - run_start.year + n_days // 365 + 2)
        begins, lengths = [], []
        for k in range(*span):
            b = run_start + pd.DateOffset(years=k)
            d0, d1 = (b - rec_start).days, (b + pd.DateOffset(years=1) - rec_start).days
            if d0 >= 0 and d1 <= n_days:
                begins.append(d0)
                lengths.append(d1 - d0)
        if not begins:
            raise ValueError("the model's own record has no whole year starting on the run's start date "
                             f"({run_start:%d %B})")
        begin, length = np.asarray(begins), np.asarray(lengths)
        S0 = max(r.shape[0] for r in self.rates.values())
        out = {k: np.empty((len(indices), T)) for k in self.rates}
        for row, i in enumerate(np.asarray(indices).tolist()):
            src, pick, factor = self._draws(seed, i, n_years, begin.size, S0)
            b, n = begin[pick][year], length[pick][year]  # the source year of each step: first day, length
            for key, cum in cums.items():
                sc = np.minimum(src[year], cum.shape[0] - 1)
                out[key][row] = (_year_volume(cum, sc, b, n, last) - _year_volume(cum, sc, b, n, first)) \
                    * factor[year]
        return out


def _year_volume(cum: np.ndarray, trace: np.ndarray, begin: np.ndarray, length: np.ndarray, x: np.ndarray
                 ) -> np.ndarray:
    """Volume of the first ``x`` days of source years (first day ``begin``, ``length`` days, of trace ``trace``
    of the cumulated daily record ``cum``), going round the year again past its end."""
    whole = cum[trace, begin + length] - cum[trace, begin]
    return (x // length) * whole + cum[trace, begin + x % length] - cum[trace, begin]


@dataclass(frozen=True)
class StochasticTraces:
    """Inflows from :mod:`daryo.hydrology`: log-normal AR(1) annual flows, correlated between rivers,
    disaggregated to months (the Aral basin generator)."""

    spec: Any  # daryo.hydrology.HydrologySpec
    scenarios: tuple[str, ...] = ()  # overlays whose inflow changes apply to the traces (the model's own)
    basins: tuple[tuple[str, tuple[str, ...]], ...] = ()  # inflow ids per basin, for those changes

    def describe(self) -> str:
        changed = f", with the inflow changes of {', '.join(self.scenarios)}" if self.scenarios else ""
        return f"stochastic traces of daryo.hydrology (log-normal AR(1), correlated rivers){changed}"

    def __call__(self, seed: int, indices: np.ndarray, years: int, axis: Any) -> dict[str, np.ndarray]:
        from .hydrology import stochastic_traces
        from .scenarios import transform_inflows

        q = stochastic_traces(self.spec, np.asarray(indices).tolist(), years, seed, start_month=int(axis.month[0]))
        out = {h: q[:, k, : axis.n_steps] for k, h in enumerate(self.spec.ids)}
        if self.scenarios:
            out = transform_inflows(out, self.scenarios, pd.Timestamp(axis.starts[0]), dict(self.basins))
        return out


def default_trace_source(model: Model) -> TraceSource:
    """The hydrology generator when the model's inflow nodes are its headwaters and its steps are months (with
    the inflow changes of the scenario overlays applied to the model), else resampling of the model's own
    traces."""
    inflows = {n.id for n in model.nodes if n.type == "inflow"}
    try:
        from .hydrology import load_spec

        spec = load_spec()
        monthly = model.time.step_days is None  # (the generator makes monthly traces)
        if spec.ids and set(spec.ids) <= inflows and monthly:  # the model's scenarios apply to its traces too
            basins = model.metadata.get("basins") or {}
            return StochasticTraces(spec, tuple(model.metadata.get("scenarios") or ()),
                                    tuple((b, tuple(ids)) for b, ids in basins.items()))
    except Exception:  # noqa: BLE001 - no usable hydrology table: resample the model's own traces
        pass
    return ResampledTraces.from_model(model)


# --------------------------------------------------------------------------------------------- options
@dataclass(frozen=True)
class EnsembleOptions:
    """What to run.

    Attributes
    ----------
    traces, years, seed
        Number of traces, run length from the model's start, seed of the trace source.
    chunk_size
        Traces per chunk (None: chosen from the model size).  Part of the run's identity (see module doc).
    deficit_threshold
        The summaries give the probability that a demand's annual deficit exceeds this fraction of it.
    series_dtype
        Storage type of the monthly series on disk (annual indicators and summaries are always float64).
    fast
        Use the fast path where the network allows it.
    """

    traces: int
    years: int
    seed: int = 0
    chunk_size: int | None = None
    deficit_threshold: float = 0.3
    series_dtype: str = "float32"
    fast: bool = True

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
    """The model with these inflow traces (hm³ per step, (n, T)) and scenario names."""
    if model.scenario_dims:
        dims = ", ".join(f"{d.name}: {d.size}" for d in model.scenario_dims)
        raise ValueError(f"ensembles vary the inflows only; the model declares scenarios of its own ({dims}) that "
                         "its parameters follow: run it with `daryo run`, or give its inflows as series")
    nodes = []
    for n in model.nodes:
        if n.id in inflows:
            attrs = dict(n.attrs)
            attrs["inflow"] = Series("steps", np.asarray(inflows[n.id], dtype=float), False,
                                     origin=("", f"nodes[{n.id}].inflow (ensemble trace)"))
            n = Node(n.id, n.type, attrs, n.place, n.line)
        else:
            for key, v in n.attrs.items():
                if isinstance(v, Series) and v.n_scenarios > 1:
                    raise ValueError(f"ensembles vary the inflows only; {n.id}.{key} has {v.n_scenarios} traces "
                                     "of its own")
        nodes.append(n)
    return replace(model, nodes=tuple(nodes), scenario_names=tuple(names))


def run_chunk(job: _Job) -> dict[str, Any]:
    """Run one chunk of traces; returns its stored series, annual indicators and statistics."""
    t0 = time.perf_counter()
    opts = job.options
    model = job.model.with_time(years=opts.years)
    axis = model.time.axis()
    idx = np.arange(job.first, job.first + job.count)
    inflows = job.source(opts.seed, idx, opts.years, axis)
    net = compile_network(chunk_model(model, inflows, [str(i) for i in idx]), axis)
    series, annual, how = _simulate_chunk(net, opts.fast, opts.traces, np.dtype(opts.series_dtype))
    out: dict[str, Any] = {"trace": idx, **series, **annual}
    out["_seconds"] = time.perf_counter() - t0
    out["_how"] = how
    out["_chunk"] = job.chunk
    return out


def _simulate_chunk(net: CompiledNetwork, fast: bool, run_traces: int | None = None,
                    dtype: np.dtype | type = np.float64) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], str]:
    """Monthly series of the chunk (storage, delivery, deficit, sink inflow, energy) in ``dtype``, its annual
    indicators (float64, from the unrounded values) and how it was simulated.  ``run_traces``: the traces of
    the whole ensemble, for which the fast path makes its choices (the same in every chunk)."""
    cols = {"storage": net.res_col, "delivery": net.demand_col, "sink_inflow": net.sink_col, "energy": net.hp_col,
            "inflow": _inflow_columns(net)}
    rec = _ChunkRecorder(net.axis, net.n_scenarios, {k: len(c) for k, c in cols.items()}, dtype)
    reason = fast_path_unsupported(net) if fast else "fast path switched off"
    if reason is None:
        cat = np.concatenate(list(cols.values())).astype(np.int64)
        stepper = FastStepper(net, columns=cat, options=FastOptions(run_scenarios=run_traces))
        split = np.cumsum([len(c) for c in cols.values()])[:-1]

        def record(step: StepRecord) -> None:
            st, dl, sk, q, v = np.split(step.x, split, axis=1)
            rec.add(step.t, storage=st, delivery=dl, sink_inflow=sk,
                    deficit=np.maximum(step.col_upper(stepper.layout, net.demand_col) - dl, 0.0),
                    energy=energy_gwh(q, step.head, net.hp_efficiency[None, :]), inflow=v)

        stepper.run(record)
        return rec.series, rec.annual(), f"fast path: {stepper.stats.summary()}"
    out = simulate(net)
    x = out.x
    for t in range(net.axis.n_steps):
        dl = x[:, t, net.demand_col]
        rec.add(t, storage=x[:, t, net.res_col], delivery=dl, sink_inflow=x[:, t, net.sink_col],
                deficit=np.maximum(out.col_upper[:, t, net.demand_col] - dl, 0.0),
                energy=energy_gwh(x[:, t, net.hp_col], out.head[:, t], net.hp_efficiency[None, :]),
                inflow=x[:, t, cols["inflow"]])
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
        Elements of ``storage``, ``delivery`` (and ``deficit``), ``sink_inflow``, ``energy`` and ``inflow`` (the
        inflow nodes' supply: summed per year, not stored per step).
    dtype
        Storage type of the monthly series.
    """

    _SUMMED = ("delivery", "deficit", "sink_inflow", "energy", "inflow")

    def __init__(self, axis: TimeAxis, n_scenarios: int, sizes: Mapping[str, int], dtype: np.dtype | type):
        size = {**sizes, "deficit": sizes["delivery"]}
        S, T = n_scenarios, axis.n_steps
        self.year = run_years(axis)
        Y = int(self.year.max()) + 1 if self.year.size else 0
        self.series = {name: np.empty((S, T, size[name]), dtype) for name in SERIES}
        self._sum = {name: np.zeros((S, Y, size[name])) for name in self._SUMMED}
        self._min_storage = np.full((S, Y, size["storage"]), np.inf)

    def add(self, t: int, **values: np.ndarray) -> None:
        """Step ``t``'s values (S, elements) of every series and of the inflows."""
        y = self.year[t]
        for name in SERIES:
            self.series[name][:, t] = values[name]
        for name in self._SUMMED:
            self._sum[name][:, y] += values[name]
        np.minimum(self._min_storage[:, y], values["storage"], out=self._min_storage[:, y])

    def annual(self) -> dict[str, np.ndarray]:
        """The annual indicators (see :data:`ANNUAL_INDICATORS`) of the steps added."""
        delivered = self._sum["delivery"]
        wanted = delivered + self._sum["deficit"]
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(wanted > 0, 1.0 - delivered / np.where(wanted > 0, wanted, 1.0), 0.0)
        # a demand met in full is delivered up to 1e-9 hm³ below its value each step (the allocation holds what
        # it has served that far below it): such solver noise is no deficit
        frac = np.where(frac < DEFICIT_TOL, 0.0, np.minimum(frac, 1.0))
        return {"annual_delivery": delivered, "annual_demand": wanted, "annual_deficit_fraction": frac,
                "annual_min_storage": self._min_storage, "annual_sink_inflow": self._sum["sink_inflow"],
                "annual_energy": self._sum["energy"], "annual_inflow": self._sum["inflow"]}


def run_years(axis: Any) -> np.ndarray:
    """Run year of each step: 0 for the first twelve months from the start (N-day steps: the steps that start
    before the first anniversary of the start date), then 1, …"""
    starts = pd.DatetimeIndex(axis.starts)
    if axis.step_days is None:
        return np.asarray((starts.year - starts[0].year) * 12 + starts.month - starts[0].month) // 12
    anniversaries = pd.DatetimeIndex([starts[0] + pd.DateOffset(years=y)
                                      for y in range(starts[-1].year - starts[0].year + 2)])
    return np.searchsorted(anniversaries, starts, side="right") - 1


# ---------------------------------------------------------------------------------------------- parts
class _Parts:
    """The parts folder: a manifest and one ``chunk-NNNNN.npz`` per finished chunk (written atomically)."""

    def __init__(self, output: Path):
        self.dir = output.with_name(output.name + ".parts")

    def manifest_path(self) -> Path:
        return self.dir / "manifest.json"

    def start(self, manifest: dict[str, Any], resume: bool) -> set[int]:
        """Prepare the folder; the chunks already done (resume)."""
        if self.dir.exists():
            if not resume:
                raise FileExistsError(f"an unfinished ensemble run is in {self.dir}; pass --resume to continue "
                                      "it, or delete that folder to start again")
            old = self._old_manifest()
            if old != manifest:
                raise ValueError(_not_resumable(self.dir, old, manifest))
            done = set()
            for p in self.dir.glob("chunk-*.npz"):
                if zipfile.is_zipfile(p):  # (written whole, then renamed: damaged only from outside; recomputed)
                    done.add(int(p.stem.split("-")[1]))
            return done
        self.dir.mkdir(parents=True)
        atomic_write(self.manifest_path(), lambda f: f.write(json.dumps(manifest, indent=1).encode()))
        return set()

    def _old_manifest(self) -> dict[str, Any] | None:
        """The manifest of the run whose parts are in the folder (None: missing or unreadable)."""
        try:
            old = json.loads(self.manifest_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return old if isinstance(old, dict) else None

    def path(self, chunk: int) -> Path:
        return self.dir / f"chunk-{chunk:05d}.npz"

    def write(self, result: Mapping[str, Any]) -> None:
        arrays = {k: v for k, v in result.items() if not k.startswith("_")}
        arrays["_info"] = np.array(json.dumps({"seconds": result["_seconds"], "how": result["_how"]}))
        atomic_write(self.path(int(result["_chunk"])), lambda f: np.savez(f, **arrays))

    def annual(self, chunk: int) -> Mapping[str, np.ndarray]:
        """The annual indicators of a chunk, each read from its part when asked for."""
        return _PartArrays(self, chunk)

    def read(self, chunk: int, keys: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        path = self.path(chunk)
        try:
            with np.load(path) as z:
                return {k: z[k] for k in (z.files if keys is None else keys)}
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            raise OSError(f"cannot read {path} ({exc}); delete it and run again with --resume to recompute "
                          "it") from None


class _PartArrays(Mapping[str, np.ndarray]):
    """A part's annual indicators, each read from its file when asked for (:meth:`_Parts.annual`)."""

    def __init__(self, parts: _Parts, chunk: int):
        self._parts, self._chunk = parts, chunk

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in ANNUAL_INDICATORS:
            raise KeyError(key)
        return self._parts.read(self._chunk, [key])[key]

    def __iter__(self) -> Iterator[str]:
        return iter(ANNUAL_INDICATORS)

    def __len__(self) -> int:
        return len(ANNUAL_INDICATORS)


def _not_resumable(folder: Path, old: dict[str, Any] | None, manifest: dict[str, Any]) -> str:
    """Why the parts in ``folder`` (their run's manifest ``old``) cannot be resumed by the run ``manifest``."""
    if old is None:
        return f"cannot resume: {folder} has no readable manifest of its run; delete it to start again"
    differ = [k for k in manifest if old.get(k) != manifest[k]] + [k for k in old if k not in manifest]
    if "format" in differ:
        return (f"cannot resume: {folder} holds parts of format {old.get('format')}, written by another version of "
                f"daryo; this one writes format {manifest['format']}: delete it to start again")
    if differ == ["chunk_size"]:  # (the default chunking may change between versions)
        return (f"cannot resume: {folder} was run in chunks of {old['chunk_size']} traces, not "
                f"{manifest['chunk_size']}; pass --chunk-size {old['chunk_size']} (chunk_size in the Python API) to "
                "resume it, or delete it to start again")
    return (f"cannot resume: {folder} belongs to another run ({', '.join(differ)} differ); delete it to start "
            "again")


# -------------------------------------------------------------------------------------------- progress
class ProgressReporter:
    """Progress of a run: a bar on a terminal, quiet parseable lines otherwise (at most one per
    ``interval`` seconds), e.g. ``progress traces=250/1000 steps=150000/600000 rate=52000/s eta=9s``."""

    def __init__(self, traces: int, steps_per_trace: int, stream: IO[str] | None = None, interval: float = 5.0,
                 tty: bool | None = None):
        self.total, self.per_trace = traces, steps_per_trace
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.interval, self.done, self.t0, self._last = interval, 0, time.perf_counter(), -1e9
        self._skipped = 0

    def skip(self, traces: int) -> None:
        """Traces found done (resume): counted as done, not in the rate."""
        self.done += traces
        self._skipped += traces

    def update(self, traces: int) -> None:
        self.done += traces
        now = time.perf_counter()
        if self.tty or now - self._last >= self.interval or self.done >= self.total:
            self._last = now
            self._emit(now)

    def assembling(self, output: Path) -> None:
        """Say that every chunk is done and the output is being written (which takes a while at scale)."""
        line = f"writing {output}" if self.tty else f"progress writing={output}"
        self.stream.write(line + "\n")
        self.stream.flush()

    def _emit(self, now: float) -> None:
        el = max(now - self.t0, 1e-9)
        rate = (self.done - self._skipped) * self.per_trace / el
        left = (self.total - self.done) * self.per_trace / rate if rate > 0 else float("nan")
        steps, total = self.done * self.per_trace, self.total * self.per_trace
        if self.tty:
            w = 30
            fill = int(w * self.done / max(self.total, 1))
            eta = _hms(left) if np.isfinite(left) else "?"
            self.stream.write(f"\r[{'#' * fill}{'.' * (w - fill)}] {self.done:,}/{self.total:,} traces  "
                              f"{steps:,}/{total:,} steps  {rate:,.0f} steps/s  left {eta}   ")
            if self.done >= self.total:
                self.stream.write("\n")
        else:
            eta = f"{left:.0f}s" if np.isfinite(left) else "?"
            self.stream.write(f"progress traces={self.done}/{self.total} steps={steps}/{total} "
                              f"rate={rate:.0f}/s elapsed={el:.0f}s eta={eta}\n")
        self.stream.flush()


def _hms(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


# ------------------------------------------------------------------------------------------- executors
def _serial(jobs: list[_Job]) -> Iterator[dict[str, Any]]:
    for job in jobs:
        yield run_chunk(job)


def _dask(jobs: list[_Job], scheduler: str | None, workers: int | None, output: Path
          ) -> Iterator[dict[str, Any]]:
    """The chunks' results, run on the cluster at ``scheduler`` or on a local one of ``workers`` processes.

    A local cluster's workers write their chunks' parts themselves (next to ``output``, which they see as this
    process does) and send back only a receipt (its traces, number and how it was simulated), so that no chunk's
    arrays are held by this process, nor by a worker until this process has fetched them.  A remote cluster's
    workers may not see this machine's files: they send the whole result."""
    try:
        from dask.distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError("Dask is needed for --scheduler/--workers: pip install 'daryo[ensemble]'") from exc
    cluster = None  # (the client is not made the default one: xarray would write the store through its locks)
    if scheduler:
        client = Client(scheduler, set_as_default=False)
    else:
        cluster = _local_cluster(int(workers or 1))
        client = Client(cluster, set_as_default=False)
    try:
        if not jobs:
            return
        shared = client.scatter([jobs[0].model, jobs[0].source], broadcast=True)
        writes_to = None if scheduler else output.absolute()
        finished = as_completed([client.submit(_run_remote, shared[0], shared[1], j.options, j.chunk, j.first,
                                               j.count, writes_to, pure=False,
                                               key=f"daryo-chunk-{j.chunk}-{os.getpid()}-{id(jobs)}")
                                for j in jobs], loop=client.loop, with_results=True)
        for fut, result in finished:
            fut.release()  # else the cluster keeps every finished chunk's result in its workers' memory
            yield result
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _local_cluster(workers: int) -> Any:
    """A Dask cluster of ``workers`` processes of one thread on this machine, for an ensemble's chunks.

    Everything listens on 127.0.0.1: the scheduler, the workers and the scheduler's HTTP server, which Dask
    always starts (``dashboard_address=None`` means its default port 8787, and a warning when that is busy), on
    a free port chosen by the system and without the dashboard's pages.

    The workers start without the ``MALLOC_TRIM_THRESHOLD_`` that Dask sets for them by default: setting it
    fixes glibc's mmap threshold at 128 kB, so that each of a chunk's temporary arrays above that size is mapped
    and unmapped anew.  With it, a chunk of the Aral model ran 1.35× slower (see ``docs/performance.md``).  They
    do not sample their own stacks for Dask's profile pages either (~4 % of a run), as those pages are off.
    They ignore Ctrl-C (:mod:`daryo._dask_worker`), which this process handles, and log nothing below critical:
    a chunk's error reaches this process, which reports it once.
    """
    import dask
    from dask.distributed import LocalCluster

    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
                          "distributed.worker.profile.enabled": False,
                          "distributed.worker.preload": ["daryo._dask_worker"]}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                            dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False},
                            silence_logs=logging.CRITICAL)


def _run_remote(model: Model, source: TraceSource, options: EnsembleOptions, chunk: int, first: int, count: int,
                writes_to: Path | None = None) -> dict[str, Any]:
    """Run a chunk on a worker: its result, or, with ``writes_to`` (the run's output), its receipt once its part
    is written."""
    result = run_chunk(_Job(model, source, options, chunk, first, count))
    if writes_to is None:
        return result
    _Parts(writes_to).write(result)
    return {"trace": result["trace"], "_how": result["_how"], "_chunk": result["_chunk"], "_written": True}


# -------------------------------------------------------------------------------------------- the run
@dataclass
class EnsembleRun:
    """What a run did."""

    output: Path
    traces: int
    years: int
    chunks: int
    chunks_skipped: int
    seconds: float
    how: list[str] = field(default_factory=list)
    traces_computed: int = 0  # traces simulated by this call (not those found done by a resume)
    finished: bool = False  # a resume found the output holding this run's results already: nothing was done


def run_ensemble(model: Model, options: EnsembleOptions, output: str | Path, *, source: TraceSource | None = None,
                 scheduler: str | None = None, workers: int | None = None, resume: bool = False,
                 progress: ProgressReporter | None = None, stop_after: int | None = None) -> EnsembleRun:
    """Run an ensemble and write ``output`` (``.zarr`` or ``.nc``) with its summaries.

    Parameters
    ----------
    model
        The model; its inflow nodes are driven by ``source`` (default: :func:`default_trace_source`).
    options
        Traces, years, seed, chunk size, deficit threshold.
    output
        ``results.zarr`` (needs ``zarr``) or ``results.nc``.  Written under a temporary name and moved into place
        at the end; an existing output is replaced only if it is an earlier result (see :func:`check_output`).
    scheduler, workers
        Run the chunks on a Dask cluster at ``scheduler``, or on a local one with ``workers`` processes;
        neither: in this process.
    resume
        Continue a run whose parts folder (``<output>.parts``) exists, recomputing only missing chunks.  With no
        parts folder and an output holding this run's results already, nothing is done
        (:attr:`EnsembleRun.finished`); one holding another run's results is refused (ValueError), not replaced.
    progress
        Progress reporter (None: silent).
    stop_after
        Stop after this many newly finished chunks, leaving the run unfinished (to test resuming).

    Raises
    ------
    FileExistsError
        If an unfinished run's parts folder exists and ``resume`` is False, or if ``output`` exists and is not
        an ensemble's output (see :func:`check_output`).
    IsADirectoryError
        If a ``.nc`` output is a folder.
    """
    t0 = time.perf_counter()
    output = Path(output)
    fmt = check_output(output)
    if options.traces < 1 or options.years < 1:
        raise ValueError("traces and years must be at least 1")
    if (why := seed_problem(options.seed)) is not None:
        raise ValueError(f"seed {options.seed}: {why}")
    if not 0.0 <= options.deficit_threshold < 1.0:  # (NaN fails too)
        raise ValueError(f"deficit threshold {options.deficit_threshold}: give a fraction of the demand, at least 0 "
                         "and below 1")
    source = source or default_trace_source(model)
    run_model = model.with_time(years=options.years)
    axis = run_model.time.axis()
    if model.parameters:  # the CSV files of dataframe parameters, aligned to the steps once for every chunk
        model = replace(model, parameters=align_frames(model.parameters, axis))
        run_model = replace(run_model, parameters=model.parameters)
    probe = compile_network(_single_trace_model(run_model, source, options, axis), axis)  # one trace: its size
    chunk = min(options.chunk(_bytes_per_step(probe, options), axis.n_steps), options.traces)
    options = replace(options, chunk_size=chunk)
    _check_disk(output, _series_bytes(probe, options) * axis.n_steps * options.traces)
    manifest = _manifest(model, options, source, axis, probe)
    parts = _Parts(output)
    created = not parts.dir.exists()
    jobs = [_Job(model, source, options, c, first, min(chunk, options.traces - first))
            for c, first in enumerate(range(0, options.traces, chunk))]
    if resume and created and output.exists() and _finished_run(output, fmt, manifest):
        return EnsembleRun(output, options.traces, options.years, len(jobs), len(jobs), time.perf_counter() - t0,
                           finished=True)
    done = parts.start(manifest, resume)
    todo = [j for j in jobs if j.chunk not in done]
    if progress is not None:
        progress.skip(sum(j.count for j in jobs if j.chunk in done))
    how: list[str] = []
    stream = _serial(todo) if scheduler is None and workers is None else _dask(todo, scheduler, workers, output)
    finished = computed = 0
    try:
        for result in stream:
            if not result.get("_written"):
                parts.write(result)
            how.append(str(result["_how"]))
            finished += 1
            computed += len(result["trace"])
            if progress is not None:
                progress.update(len(result["trace"]))
            if stop_after is not None and finished >= stop_after:
                return EnsembleRun(output, options.traces, options.years, len(jobs), len(done),
                                   time.perf_counter() - t0, how, computed)
    except BaseException:  # a run that failed before its first chunk (a wrong scheduler…) leaves nothing behind
        if created and not finished:
            shutil.rmtree(parts.dir, ignore_errors=True)
        raise
    if progress is not None:
        progress.assembling(output)
    _assemble(parts, len(jobs), output, fmt, manifest, run_model, axis, options)
    shutil.rmtree(parts.dir)
    return EnsembleRun(output, options.traces, options.years, len(jobs), len(done), time.perf_counter() - t0, how,
                       computed)


def check_output(output: str | Path) -> str:
    """The format of an ensemble's output (``"zarr"`` or ``"nc"``), once it is known that writing it can replace
    nothing but an earlier result: a ``.nc`` output must not be a folder, an existing ``.zarr`` output must be a
    zarr store (a folder holding ``.zgroup``, ``.zattrs`` or ``zarr.json``), and an existing output must be one
    that an ensemble wrote (its ``title`` attribute starts with "daryo ensemble").

    Raises
    ------
    ValueError
        If the name does not end in ``.zarr`` or ``.nc``.
    IsADirectoryError, FileExistsError
        If the output exists and is not something an ensemble writes.
    ImportError
        For ``.zarr`` without zarr installed.
    """
    output = Path(output)
    fmt = _format_of(output)
    if fmt == "nc" and output.is_dir():
        raise IsADirectoryError(f"{output} is a folder, not a NetCDF file; give another output name")
    if fmt == "nc" and output.is_file() and not is_netcdf(output):
        raise FileExistsError(f"{output} exists and is not a NetCDF file; it is not replaced: give another output "
                              "name or move it away")
    if fmt == "zarr" and (output.exists() or output.is_symlink()) and not _is_zarr_store(output):
        what = "a folder that is not a zarr store" if output.is_dir() else "not a zarr store"
        raise FileExistsError(f"{output} exists and is {what}; it is not replaced: give another output name or "
                              "move it away")
    if (output.exists() or output.is_symlink()) and not _title(output, fmt).startswith(_TITLE):
        kind = "NetCDF file" if fmt == "nc" else "zarr store"
        raise FileExistsError(f"{output} exists and is a {kind} that no daryo ensemble wrote; it is not replaced: "
                              "give another output name or move it away")
    return fmt


_TITLE = "daryo ensemble"  # the start of an ensemble output's title attribute


def _title(path: Path, fmt: str) -> str:
    """The ``title`` attribute of an existing NetCDF file or zarr store ("" if it has none or is unreadable)."""
    return str(_attributes(path, fmt).get("title", ""))


def _attributes(path: Path, fmt: str) -> dict[str, Any]:
    """The global attributes of an existing NetCDF file or zarr store (empty if it has none or is unreadable)."""
    if fmt == "nc":
        return netcdf_attributes(path)
    try:
        for meta, key in ((".zattrs", None), ("zarr.json", "attributes")):
            if (path / meta).is_file():
                attrs = json.loads((path / meta).read_text(encoding="utf-8"))
                attrs = attrs.get(key, {}) if key else attrs
                return attrs if isinstance(attrs, dict) else {}
    except (OSError, ValueError):
        return {}
    return {}


def _store_attributes(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """A run's manifest as its output's attributes (NetCDF and zarr hold no None and no booleans)."""
    return {k: ("" if v is None else int(v) if isinstance(v, bool) else v) for k, v in manifest.items()}


def _finished_run(output: Path, fmt: str, manifest: Mapping[str, Any]) -> bool:
    """Whether ``output`` holds the finished results of the run ``manifest``; a ValueError if it holds another
    run's (resuming with no parts folder: nothing to continue, and nothing to replace unasked)."""
    held = {k: v for k, v in _attributes(output, fmt).items() if k != "title"}
    attrs = _store_attributes(manifest)
    if held == attrs:
        return True
    differ = sorted({k for k in attrs if held.get(k) != attrs[k]} | (held.keys() - attrs.keys()))
    raise ValueError(f"cannot resume: no unfinished run is in {_Parts(output).dir}, and {output} holds the results "
                     f"of another run ({', '.join(differ)} differ); run without --resume to replace them")


def _is_zarr_store(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and any((path / f).is_file()
                                                           for f in (".zgroup", ".zattrs", "zarr.json"))


def _format_of(output: Path) -> str:
    suffix = output.suffix.lower()
    if suffix == ".zarr":
        try:
            import zarr  # noqa: F401
        except ImportError as exc:
            raise ImportError("writing .zarr needs zarr: pip install 'daryo[ensemble]' (or write .nc)") from exc
        return "zarr"
    if suffix in NETCDF_SUFFIXES:
        return "nc"
    raise ValueError(f"{output}: the output must end in .zarr or .nc (a name such as results.zarr)")


def _bytes_per_step(net: CompiledNetwork, options: EnsembleOptions) -> int:
    """Bytes a chunk holds per trace and step: the stored series on the fast path, which streams its steps;
    the plain path keeps its whole solution and bounds too (three float64 arrays of the LP's columns)."""
    series = _series_bytes(net, options)
    if options.fast and fast_path_unsupported(net) is None:
        return series
    return series + 3 * net.lp.n_cols * 8


def _series_bytes(net: CompiledNetwork, options: EnsembleOptions) -> int:
    """Bytes of the stored series per trace and step (the parts on disk, and the output before compression)."""
    return (2 * len(net.demand_ids) + len(net.res_ids) + len(net.sink_ids) + len(net.hp_ids)) * np.dtype(
        options.series_dtype).itemsize


def _check_disk(output: Path, need: int) -> None:
    """Refuse, before any work, a run whose parts (``need`` bytes) the output's folder has no room for."""
    try:
        free = shutil.disk_usage(output.resolve().parent).free
    except OSError:
        return  # (a folder that cannot be asked is reported when it is written)
    if need > free:
        raise OSError(f"cannot write {output}: the run's series take about {need / 1e9:,.1f} GB, and its folder "
                      f"has {free / 1e9:,.1f} GB free; run fewer traces or years, or write elsewhere")


def _single_trace_model(model: Model, source: TraceSource, options: EnsembleOptions, axis: Any) -> Model:
    return chunk_model(model, source(options.seed, np.arange(1), options.years, axis), ["0"])


def _manifest(model: Model, options: EnsembleOptions, source: TraceSource, axis: Any, probe: CompiledNetwork
              ) -> dict[str, Any]:
    """The run's identity: a resume continues only a run with the same manifest.  ``network`` is a digest of
    the compiled network of the first trace, so any change to what the run computes from (the model file, its
    CSV files and parameters, scenario overlays, the trace source's first trace) makes another run."""
    from . import __version__

    return {"format": _FORMAT, "daryo": __version__, "model": model.name,
            "model_file": str(Path(model.path).resolve()) if model.path else None,
            "scenarios": ", ".join(str(x) for x in model.metadata.get("scenarios") or ()),
            "network": network_digest(probe), "traces": options.traces, "years": options.years, "seed": options.seed,
            "chunk_size": options.chunk_size, "steps": axis.n_steps, "series_dtype": options.series_dtype,
            "fast": options.fast, "deficit_threshold": options.deficit_threshold, "source": source.describe()}


def network_digest(net: CompiledNetwork) -> str:
    """A SHA-256 digest of a compiled network's arrays, tables and bookkeeping (everything a simulation reads but
    the model object and the time axis, which the arrays and the manifest's steps cover)."""
    h = hashlib.sha256()
    seen: set[int] = set()  # objects fed already (a reference back to one is fed as a mark)

    def feed(v: Any) -> None:
        if isinstance(v, (list, tuple, dict)) or is_dataclass(v) or hasattr(v, "__dict__"):
            if id(v) in seen:
                h.update(b"<seen>")
                return
            seen.add(id(v))
        if isinstance(v, np.ndarray):
            h.update(f"a{v.dtype.str}{v.shape}".encode())
            h.update(np.ascontiguousarray(v).tobytes() if v.dtype != object else repr(v.tolist()).encode())
        elif sp.issparse(v):
            c = sp.csc_matrix(v)
            for a in (c.indptr, c.indices, c.data, np.array(c.shape)):
                feed(a)
        elif is_dataclass(v) and not isinstance(v, type):
            h.update(type(v).__name__.encode())
            for f in fields(v):
                if f.name not in ("model", "axis"):
                    h.update(f.name.encode())
                    feed(getattr(v, f.name))
        elif isinstance(v, (list, tuple)):
            h.update(f"[{len(v)}".encode())
            for x in v:
                feed(x)
        elif isinstance(v, dict):
            h.update(f"{{{len(v)}".encode())
            for k in sorted(v, key=repr):
                feed(k)
                feed(v[k])
        elif v is None or isinstance(v, (str, int, float, bool, np.generic)):
            h.update(repr(v).encode())
        elif isinstance(v, (pd.DataFrame, pd.Series, pd.Index)):  # (parameters' data files)
            frame = v.to_frame() if isinstance(v, (pd.Series, pd.Index)) else v
            for a in (frame.to_numpy(), frame.index.to_numpy(), frame.columns.to_numpy()):
                feed(a)
        elif hasattr(v, "__dict__"):  # other objects (parameters' definitions): by their state
            h.update(type(v).__name__.encode())
            feed(dict(sorted(vars(v).items())))
        else:  # (what has no plain state, a weak reference…: its type only)
            h.update(type(v).__name__.encode())

    feed(net)
    return h.hexdigest()


# ------------------------------------------------------------------------------------------- assembly
#: the element dimensions of an ensemble's store
_ELEMENTS = ("reservoir", "demand", "sink", "hydropower", "inflow")


def _coords(model: Model, axis: Any) -> dict[str, Any]:
    """The store's coordinates, as a run's results have them where they apply: each step's start, length,
    hydrological year and season; each run year's first day; each element's id and country (a demand's
    category and priority too), so that results can be grouped by country, season or kind of use."""
    nodes: dict[str, list[Node]] = {kind: [] for kind in _ELEMENTS}
    for n in model.nodes:
        if n.type in nodes:
            nodes[n.type].append(n)
    year = run_years(axis)
    starts = pd.DatetimeIndex(axis.starts)
    coords: dict[str, Any] = {
        "time": starts.values,
        **step_coordinates(axis),
        "year": np.arange(int(year.max()) + 1),
        "year_start": ("year", starts[np.searchsorted(year, np.arange(int(year.max()) + 1))].values,
                       {"description": "First day of each run year"}),
    }
    for kind, members in nodes.items():
        coords[kind] = [n.id for n in members]
        coords[f"{kind}_country"] = (kind, [n.country or "" for n in members])
    coords["demand_category"] = ("demand", [str(n.get("category", "other")) for n in nodes["demand"]])
    coords["demand_priority"] = ("demand", [int(n.get("priority", 1)) for n in nodes["demand"]])
    return coords


def _part_dataset(part: Mapping[str, np.ndarray], coords: Mapping[str, Any]) -> Any:
    import xarray as xr

    data: dict[str, Any] = {}
    for name, dim in SERIES.items():
        data[name] = (("trace", "time", dim), part[name], {"units": _UNITS.get(name, "hm3"),
                                                           "description": _DESCRIPTIONS[name]})
    for name, dim in ANNUAL_INDICATORS.items():
        data[name] = (("trace", "year", dim), part[name], {"units": _UNITS.get(name, "hm3"),
                                                           "description": _DESCRIPTIONS[name]})
    c = {k: v for k, v in coords.items()}
    c["trace"] = part["trace"]
    return xr.Dataset(data, coords=c)


#: the units of the stored series and annual indicators that are not volumes (hm3): flows per step as a run's
#: results give them, annual sums per year
_UNITS = {"delivery": "hm3 per step", "deficit": "hm3 per step", "sink_inflow": "hm3 per step", "energy": "GWh",
          "annual_delivery": "hm3 per year", "annual_demand": "hm3 per year", "annual_sink_inflow": "hm3 per year",
          "annual_energy": "GWh per year", "annual_deficit_fraction": "1", "annual_inflow": "hm3 per year"}
_DESCRIPTIONS = {
    "storage": "End-of-step reservoir volume", "delivery": "Water delivered to each demand per step",
    "deficit": "Demand not delivered per step", "sink_inflow": "Water received by each terminal sink per step",
    "energy": "Hydropower energy per step", "annual_delivery": "Water delivered in each run year",
    "annual_demand": "Water wanted in each run year",
    "annual_deficit_fraction": "1 - delivered/wanted in each run year (0 where nothing is wanted)",
    "annual_min_storage": "Lowest end-of-step volume in each run year",
    "annual_sink_inflow": "Water received by each sink in each run year",
    "annual_energy": "Hydropower energy in each run year",
    "annual_inflow": "Water supplied by each inflow node in each run year: the trace's hydrology (for an inflow "
                     "node without an inflow series, what the allocation took between its min_flow and max_flow)",
}


def _assemble(parts: _Parts, n_chunks: int, output: Path, fmt: str, manifest: Mapping[str, Any], model: Model,
              axis: Any, options: EnsembleOptions) -> None:
    """Write the final store from the parts, one part at a time, then the summaries."""
    coords = _coords(model, axis)
    for stale in output.parent.glob(f".{output.name}.tmp-*"):  # of assemblies killed before they could clean up
        if not _process_alive(stale.name.rsplit("-", 1)[-1]):
            _remove(stale)
    tmp = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    _remove(tmp)
    attrs = _store_attributes(manifest)
    attrs["title"] = f"{_TITLE}: {model.name}"
    try:
        for c in range(n_chunks):
            ds = _part_dataset(parts.read(c), coords)
            if c == 0:
                ds.attrs.update(attrs)
                if fmt == "zarr":
                    ds.to_zarr(tmp, mode="w", zarr_format=2, consolidated=True,
                               encoding={v: {"chunks": _zarr_chunks(ds[v], options)} for v in ds.data_vars})
                else:
                    ds.to_netcdf(tmp, unlimited_dims=["trace"])
            elif fmt == "zarr":
                ds.to_zarr(tmp, append_dim="trace", zarr_format=2, consolidated=True)
            else:
                _nc_append(tmp, ds)
        summary = summarise([parts.annual(c) for c in range(n_chunks)], coords, options.deficit_threshold)
        summary.attrs.update(attrs)  # writing the summary sets the store's attributes: the run's, not none
        if fmt == "zarr":
            summary.to_zarr(tmp, mode="a", zarr_format=2, consolidated=True)
        else:
            summary.to_netcdf(tmp, mode="a")
        check_output(output)  # still nothing but an earlier result (the run may have taken hours)
    except BaseException as exc:  # no half-written store left beside the output (the parts are kept: --resume)
        _remove(tmp)
        if isinstance(exc, RuntimeError) or (isinstance(exc, OSError) and exc.errno and not exc.filename):  # full disk
            raise OSError(f"cannot write {output}: {exc}; the finished chunks are kept in {parts.dir}: run again "
                          "with --resume") from exc
        raise
    _remove(output)
    os.replace(tmp, output)


def _process_alive(pid: str) -> bool:
    """Whether ``pid`` (text) is a running process; False for text that is not a process id."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process, or not a pid we can ask about: leave its file
    return True


def _zarr_chunks(da: Any, options: EnsembleOptions) -> tuple[int, ...]:
    return tuple(int(options.chunk_size or 1) if d == "trace" else int(s) for d, s in zip(da.dims, da.shape,
                                                                                          strict=True))


def _nc_append(path: Path, ds: Any) -> None:
    import netCDF4

    with netCDF4.Dataset(path, "a") as nc:
        n0 = len(nc.dimensions["trace"])
        n = ds.sizes["trace"]
        nc.variables["trace"][n0:n0 + n] = ds["trace"].values
        for name, da in ds.data_vars.items():
            nc.variables[name][n0:n0 + n] = da.values


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def summarise(parts: Sequence[Mapping[str, np.ndarray]], coords: Mapping[str, Any], threshold: float,
              max_bytes: int = 64 * 2**20) -> Any:
    """Distribution summaries of the annual indicators over all (trace, year) pairs: mean, 5/50/95
    percentiles, and the probability that a demand's annual deficit exceeds ``threshold`` of it.

    ``parts``: the annual arrays (traces × years × elements) of each part, read once per indicator and block of
    elements (they may read from disk on access).  An indicator's values are taken for as many elements at a time
    as fit in ``max_bytes`` (at least one), so the memory a summary takes does not grow with the elements; it grows
    with the (trace, year) pairs, since percentiles need all of an element's values at once."""
    import xarray as xr

    stats = ["mean"] + [f"p{int(p)}" for p in _PERCENTILES]
    data: dict[str, Any] = {}
    for k, dim in ANNUAL_INDICATORS.items():
        values, above = _summary_of(parts, k, threshold, max_bytes)
        data[f"summary_{k}"] = (("statistic", dim), values,
                                {"units": _UNITS.get(k, "hm3"),
                                 "description": f"{_DESCRIPTIONS[k]}: mean and percentiles over all traces "
                                 "and run years"})
        if k == "annual_deficit_fraction":
            data["prob_deficit_above_threshold"] = (
                (dim,), above, {"units": "1", "threshold": threshold,
                                "description": f"Probability that a run year's deficit exceeds {threshold:g} of the "
                                "demand (over all traces and run years)"})
    elements = {k: v for k, v in coords.items() if k in _ELEMENTS or (isinstance(v, tuple) and v[0] in _ELEMENTS)}
    return xr.Dataset(data, coords={"statistic": stats, **elements})


def shortfall_table(output: str | Path, n: int | None = None) -> pd.DataFrame:
    """The demands of an ensemble's output that fall short most often, from its summaries: per demand its
    country, the share of (trace, run year) pairs whose deficit is above the run's threshold (``probability``),
    and the mean and 95th percentile of the annual deficit fraction; sorted by probability, then mean, and only
    demands with some deficit (the first ``n`` of them; None: all).  ``attrs`` holds the run's ``threshold``
    and how many ``demands`` the model has."""
    import xarray as xr

    if n is not None and n < 0:
        raise ValueError(f"n={n}: give how many demands to list (at least 0), or None for all")

    path = Path(output)
    with xr.open_dataset(path, engine="zarr" if _format_of(path) == "zarr" else None) as ds:
        frac = ds["summary_annual_deficit_fraction"]
        table = pd.DataFrame({
            "country": ds["demand_country"].values,
            "probability": ds["prob_deficit_above_threshold"].values,
            "mean": frac.sel(statistic="mean").values,
            "p95": frac.sel(statistic="p95").values,
        }, index=pd.Index(ds["demand"].values.astype(str), name="demand"))
        table.attrs["threshold"] = float(ds["prob_deficit_above_threshold"].attrs["threshold"])
        table.attrs["demands"] = len(table)
    short = table[(table["probability"] > 0) | (table["mean"] > 0)]
    short = short.sort_values(["probability", "mean"], ascending=False, kind="stable")
    return short if n is None else short.head(n)


def _summary_of(parts: Sequence[Mapping[str, np.ndarray]], key: str, threshold: float, max_bytes: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """The statistics (mean, then the percentiles; (4, E)) of indicator ``key`` over the parts' (trace, year)
    pairs, and the share of them above ``threshold`` (E,), taken a block of elements at a time."""
    if not parts:
        return np.zeros((1 + len(_PERCENTILES), 0)), np.zeros(0)
    first = parts[0][key]
    n_elements, rows = first.shape[2], first.shape[0] * first.shape[1] * len(parts)  # (rows: at most)
    values = np.zeros((1 + len(_PERCENTILES), n_elements))
    above = np.zeros(n_elements)
    width = max(1, max_bytes // max(1, 8 * rows))
    for lo in range(0, n_elements, width):
        hi = min(lo + width, n_elements)
        a = np.concatenate([(first if i == 0 else part[key])[:, :, lo:hi].reshape(-1, hi - lo).T
                            for i, part in enumerate(parts)], axis=1)  # (elements, pairs)
        if a.shape[1]:  # (each element's mean on its own row: summed the same way whatever the block's width)
            values[0, lo:hi] = [row.mean() for row in a]
            values[1:, lo:hi] = np.percentile(a, _PERCENTILES, axis=1)
            above[lo:hi] = (a > threshold).mean(axis=1)
        del a
    return values, above
