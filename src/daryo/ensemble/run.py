"""The run: chunks, their parts, progress and resume, then the assembled output."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Generator, Mapping
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from .._files import file_digest, free_bytes, interrupts_between, size_text, user_path
from ..errors import did_you_mean, short_text
from ..hydrology import check_seed
from ..model import Model
from ..model.built import check_built
from ..network import CompiledNetwork, compile_network
from ..network.digest import network_digest
from ..parameters import Parameter, align_frames, references, with_inputs
from ..results.provenance import applied_overlays, daryo_build, recorded_model_file
from ..simulate.fastpath import fast_path_unsupported
from ..timeaxis import step_label
from ..units import is_number, is_whole
from .chunks import (
    ANNUAL_INDICATORS,
    DEFAULT_DEFICIT_THRESHOLD,
    STORABLE_SERIES,
    EnsembleOptions,
    _inflow_columns,
    _Job,
    chunk_model,
    stress_accounts,
    threshold_of,
)
from .executors import _dask, _serial, scheduler_problem, workers_problem
from .parts import _FORMAT, BUILD, _Parts
from .progress import ProgressReporter
from .store import (
    Edges,
    ReservoirVolumes,
    _assemble,
    _finished_chunk_size,
    _finished_run,
    _finished_threshold,
    _retake_threshold,
    check_output,
    demand_systems,
    restore_moved_aside,
)
from .traces import TraceSource, default_trace_source, names_text, run_years, source_names


@dataclass
class EnsembleRun:
    """What a run did.

    Attributes
    ----------
    output
        The store written (``.zarr`` or ``.nc``).
    traces, years
        The ensemble's size.
    chunks, chunks_skipped
        Its chunks, and how many of them a resume found finished (not run again).
    seconds
        Wall time of the call.
    how
        How each chunk run by this call was simulated (the fast path's statistics line, or the plain path).
    traces_computed
        The traces simulated by this call (not those a resume found finished).
    finished
        True when a resume found the output holding this run's results already, so no chunk was run (not "the run
        is finished": a run that ends normally has False here).
    threshold_changed
        True when that output's run had another deficit threshold: its ``prob_deficit_above_threshold`` was taken
        again with this one (from the stored annual deficit fractions).
    deficit_threshold
        The deficit threshold of the summaries (the options', or a resumed run's own where they gave none).
    source
        Where the traces' inflows come from (the trace source's ``describe()``, as the store's ``source``
        attribute records it).
    trace_names
        The traces' names, where the source names them (its ``names()``: the model's scenario columns' for
        :class:`~daryo.ensemble.ModelColumns`), as the store's ``trace_name`` holds them; empty: numbers only.
    """

    output: Path
    traces: int
    years: int
    chunks: int
    chunks_skipped: int
    seconds: float
    how: list[str] = field(default_factory=list)
    traces_computed: int = 0  # traces simulated by this call (not those found done by a resume)
    finished: bool = False  # a resume found the output holding this run's results already: nothing was done
    threshold_changed: bool = False  # ...with another deficit threshold: its probability was taken again
    deficit_threshold: float = DEFAULT_DEFICIT_THRESHOLD
    source: str = ""
    trace_names: tuple[str, ...] = ()


def run_ensemble(model: Model, options: EnsembleOptions, output: str | os.PathLike[str], *,
                 source: TraceSource | None = None, scheduler: str | None = None, workers: int | None = None,
                 resume: bool = False, progress: ProgressReporter | None = None, stop_after: int | None = None
                 ) -> EnsembleRun:
    """Run an ensemble and write ``output`` (``.zarr`` or ``.nc``) with its summaries.

    Parameters
    ----------
    model
        The model; its inflow nodes are driven by ``source`` (default: :func:`default_trace_source`; its own scenario
        columns, each as it is: ``source=ModelColumns.from_model(model)``).  A source that names its traces (its
        ``names()``) runs at most that many, and the store keeps their names (``trace_name``).
    options
        Traces, years, seed, chunk size, deficit threshold.
    output
        ``results.zarr`` (needs ``zarr``) or ``results.nc`` (``~`` is the home folder).  Written under a
        temporary name and moved into place at the end; an existing output is replaced only if it is an earlier
        result (see :func:`check_output`).  Where it does not exist because a run of this host was killed between
        moving the earlier store aside and moving its own in, the earlier store is put back first
        (:func:`~daryo.ensemble.store.restore_moved_aside`).
    scheduler, workers
        Run the chunks on a Dask cluster at ``scheduler``, or on a local one with ``workers`` processes;
        neither (or ``workers=0``): in this process.
    resume
        Continue a run whose parts folder (``<output>.parts``) exists, recomputing only missing chunks.  With no
        parts folder and an output holding this run's results already, nothing is done
        (:attr:`EnsembleRun.finished`); one holding another run's results is refused (ValueError), not replaced.
        The deficit threshold may differ from the run's: it changes only the summaries, which take the new one
        (an output already written: its ``prob_deficit_above_threshold`` is taken again, in a copy that then
        replaces it); ``deficit_threshold=None`` keeps the run's own.
    progress
        Progress reporter (None: silent).
    stop_after
        Stop after this many newly finished chunks, leaving the run unfinished (to test resuming).

    Raises
    ------
    daryo.ModelError
        For a model built in code, or changed with :func:`dataclasses.replace`, that the loader would refuse.
    TypeError, ValueError
        Before anything is written, for an argument or option of the wrong kind or value (a progress reporter
        without ``skip``, ``update`` and ``assembling``, ``stop_after`` below 1, a seed out of range, more traces
        than the source names…).
    FileExistsError
        If an unfinished run's parts folder exists and ``resume`` is False, or if ``output`` exists and is not
        an ensemble's output (see :func:`check_output`).
    IsADirectoryError
        If a ``.nc`` output is a folder.
    """
    t0 = time.perf_counter()
    if not isinstance(model, Model):
        raise TypeError(f"run_ensemble takes a loaded model (daryo.load(path)), not {type(model).__name__}")
    check_built(model)  # (a model built in code, or changed with dataclasses.replace: checked as the loader would)
    if not isinstance(options, EnsembleOptions):
        raise TypeError(f"run_ensemble's options are an EnsembleOptions, not {type(options).__name__}")
    output = user_path(output, "run_ensemble", "an output (.zarr or .nc)")
    _check_call(source, scheduler, resume, progress, stop_after)
    _check_request(options, scheduler, workers)
    options = _plain_numbers(options)
    restore_moved_aside(output)  # (a run killed between moving the earlier store aside and its own in)
    fmt = check_output(output)
    source = source or default_trace_source(model)
    names = _named_traces(source, options.traces)
    parts = _Parts(output)
    if resume and options.chunk_size is None:  # the chunks of the run resumed, whatever the workers now
        size = parts.chunk_size() if parts.dir.exists() else _finished_chunk_size(output, fmt)
        if size is not None:  # (a finished run's too: "another run (chunk_size differs)" said to replace it)
            options = replace(options, chunk_size=size)
    if resume and options.deficit_threshold is None:  # the run's own (a plain --resume re-took it with 0.3)
        held = parts.deficit_threshold() if parts.dir.exists() else _finished_threshold(output, fmt)
        options = replace(options, deficit_threshold=held)
    threshold = options.threshold()
    options = replace(options, deficit_threshold=threshold)
    plan = _plan(model, options, source, names, workers)
    options, chunk = plan.options, plan.chunk
    created = not parts.dir.exists()
    n_chunks = -(-options.traces // chunk)
    if resume and created and output.exists():
        same = _finished_run(output, fmt, plan.manifest)  # (False: the run's, with another deficit threshold)
        if not same:
            with interrupts_between() as check:  # (Ctrl-C between the writes, not inside one)
                _retake_threshold(output, fmt, threshold, check)
        if isinstance(progress, ProgressReporter):  # (a log's end, as a run's: a diff review)
            progress.written(output)
        return EnsembleRun(output, options.traces, options.years, n_chunks, n_chunks, time.perf_counter() - t0,
                           finished=True, threshold_changed=not same, deficit_threshold=threshold,
                           source=source.describe(), trace_names=names)
    found = parts.done() if resume and not created else set()
    have = sum(min(chunk, options.traces - c * chunk) for c in found if c < n_chunks)
    _check_disk(output, plan.trace_bytes * (2 * options.traces - have))  # (the parts, then the output)
    jobs = [_Job(plan.model, source, options, c, first, min(chunk, options.traces - first))
            for c, first in enumerate(range(0, options.traces, chunk))]
    done = parts.start(plan.manifest, resume)
    try:
        todo = [j for j in jobs if j.chunk not in done]
        if progress is not None:
            progress.skip(sum(j.count for j in jobs if j.chunk in done))
        if isinstance(progress, ProgressReporter):  # (a first line at once: a log shows the run under way, and
            progress.update(0)  # any resumed traces)
        reporter = progress if isinstance(progress, ProgressReporter) else None  # (one of one's own is told of
        # finished chunks only)
        stream = (_serial(todo, None if reporter is None else reporter.steps) if scheduler is None and not workers
                  else _dask(todo, scheduler, workers, output, None if reporter is None else reporter.note))
        how, computed, stopped = _collect(stream, parts, progress, stop_after, remove_on_failure=created)
        if stopped:
            return EnsembleRun(output, options.traces, options.years, len(jobs), len(done), time.perf_counter() - t0,
                               how, computed, deficit_threshold=threshold, source=source.describe(),
                               trace_names=names)
        if progress is not None:
            progress.assembling(output)
        with interrupts_between() as check:  # (Ctrl-C between the store's writes, not inside one)
            _assemble(parts, len(jobs), output, fmt, plan.manifest, plan.run_model, plan.axis, options,
                      plan.reservoirs, plan.demand_systems, plan.edges, check, names)
            shutil.rmtree(parts.dir)
        if isinstance(progress, ProgressReporter):
            progress.written(output)
        return EnsembleRun(output, options.traces, options.years, len(jobs), len(done), time.perf_counter() - t0, how,
                           computed, deficit_threshold=threshold, source=source.describe(), trace_names=names)
    finally:
        parts.unlock()  # (its file goes with the folder after a finished run)


def _check_call(source: object, scheduler: object, resume: object, progress: object, stop_after: object) -> None:
    """Refuse, before anything is written, arguments of :func:`run_ensemble` of the wrong kind (TypeError) or
    value (ValueError): a wrong progress reporter or ``stop_after`` failed after the run's parts folder was made,
    which then stood in the way of the corrected call."""
    if source is not None and not (callable(source) and callable(getattr(source, "describe", None))):
        raise TypeError(f"source={short_text(source)}: give a trace source (called with the seed, the trace numbers, "
                        "the years and the time axis, and with a describe() that says what it is, for the run's "
                        "record; daryo.ensemble.ResampledTraces, say), or None for the model's own")
    if scheduler is not None and not isinstance(scheduler, str):
        raise TypeError(f"scheduler={scheduler!r}: give a Dask scheduler's address as text (tcp://host:8786), or None")
    if not isinstance(resume, bool):
        raise TypeError(f"resume={resume!r}: give True or False")
    if progress is not None and not all(callable(getattr(progress, m, None)) for m in ("skip", "update", "assembling")):
        raise TypeError(f"progress={progress!r}: give a daryo.ensemble.ProgressReporter, or None")
    if stop_after is not None and not is_whole(stop_after):
        raise TypeError(f"stop_after={stop_after!r}: give a whole number of chunks, or None")
    if stop_after is not None and stop_after < 1:
        raise ValueError(f"stop_after={stop_after}: give at least 1 chunk, or None (to finish the run)")


def _named_traces(source: TraceSource, traces: int) -> tuple[str, ...]:
    """The names of the run's ``traces`` traces, where ``source`` names them (empty: it does not).

    Raises
    ------
    ValueError
        If the source names fewer traces than the run's (a source that names its traces has no others).
    """
    names = source_names(source)
    if names is None:
        return ()
    if traces > len(names):
        raise ValueError(f"traces={traces}: the trace source ({source.describe()}) has {len(names)} trace"
                         f"{'s' if len(names) != 1 else ''}, {names_text(names)}: run at most {len(names)}")
    return names[:traces]


def _plain_numbers(options: EnsembleOptions) -> EnsembleOptions:
    """``options`` (checked) with Python numbers and the dtype's name, as the run's manifest records them (a NumPy
    integer is no JSON number)."""
    return replace(options, traces=int(options.traces), years=int(options.years), seed=int(options.seed),
                   chunk_size=None if options.chunk_size is None else int(options.chunk_size),
                   deficit_threshold=None if options.deficit_threshold is None else float(options.deficit_threshold),
                   series_dtype=np.dtype(options.series_dtype).name, series=options.stored_series())


def _check_request(options: EnsembleOptions, scheduler: str | None, workers: int | None = None) -> None:
    """Refuse, before any work, options no run can take (TypeError for a value of another type, else
    ValueError)."""
    for name in ("traces", "years"):
        if not is_whole(getattr(options, name)):
            raise TypeError(f"{name}={getattr(options, name)!r}: give a whole number")
    if options.traces < 1 or options.years < 1:
        raise ValueError("traces and years must be at least 1")
    if options.chunk_size is not None and not is_whole(options.chunk_size):
        raise TypeError(f"chunk_size={options.chunk_size!r}: give a whole number of traces, or None")
    if options.chunk_size is not None and options.chunk_size < 1:
        raise ValueError(f"chunk_size {options.chunk_size}: give at least 1 trace per chunk, or None (from the model "
                         "size)")
    if not isinstance(options.fast, bool):
        raise TypeError(f"fast={options.fast!r}: give True or False")
    if workers is not None and (not is_whole(workers) or workers < 0):
        raise ValueError(f"workers={workers!r}: give the number of local worker processes, 0 (in this process) or "
                         "more")
    if workers and scheduler is None and (why := workers_problem(workers)) is not None:
        raise ValueError(f"workers={workers}: {why}, or the address of a Dask cluster (scheduler) for more")
    dtype: Any = None
    try:  # (None is NumPy's float64: refused, as the manifest could not record it)
        dtype = None if options.series_dtype is None else np.dtype(options.series_dtype)
    except TypeError:
        pass
    if dtype not in (np.float32, np.float64):  # (float16 keeps ~3 digits: a storage of 1,234.5 hm3 as 1,234)
        raise ValueError(f"series_dtype {options.series_dtype!r}: the monthly series are stored as float32 or "
                         "float64")
    _check_series(options.series)
    check_seed(options.seed)
    if scheduler is not None and (why := scheduler_problem(scheduler)) is not None:
        raise ValueError(f"scheduler {scheduler!r}: {why}")
    _check_threshold(options.deficit_threshold)


def _check_threshold(threshold: object) -> None:
    """Refuse a deficit threshold that is not None or a fraction in [0, 1)."""
    if threshold is None or threshold_of(threshold) is not None:  # (NaN is none)
        return
    if not is_number(threshold):
        raise TypeError(f"deficit_threshold={threshold!r}: give a fraction of the demand")
    raise ValueError(f"deficit threshold {threshold}: give a fraction of the demand, at least 0 and below 1")


def _check_series(series: object) -> None:
    """Refuse ``EnsembleOptions.series`` that is not None or names of :data:`STORABLE_SERIES`."""
    if series is None:
        return
    if isinstance(series, str) or not isinstance(series, tuple | list) or not all(isinstance(n, str) for n in series):
        raise TypeError(f"series={series!r}: give a tuple of series names (of {', '.join(STORABLE_SERIES)}), () for "
                        "none, or None for the default ones")
    for name in series:
        if name not in STORABLE_SERIES:
            raise ValueError(f"series {name!r}: not a series an ensemble stores{did_you_mean(name, STORABLE_SERIES)}; "
                             f"give some of {', '.join(STORABLE_SERIES)}")


@dataclass(frozen=True)
class _Plan:
    """A run laid out: the model (its data files aligned to the steps), the model for the run's years, the time
    axis, the options with the traces per chunk set, the run's identity (manifest), the bytes a trace takes on
    disk, and the reservoir volumes, demands' river systems and edges the store keeps (of the compiled first
    trace)."""

    model: Model
    run_model: Model
    axis: Any
    options: EnsembleOptions
    manifest: dict[str, Any]
    trace_bytes: int
    reservoirs: ReservoirVolumes
    demand_systems: list[str]
    edges: Edges

    @property
    def chunk(self) -> int:
        """Traces per chunk."""
        assert self.options.chunk_size is not None  # (set by :func:`_plan`)
        return self.options.chunk_size


def _plan(model: Model, options: EnsembleOptions, source: TraceSource, names: tuple[str, ...] = (),
          workers: int | None = None) -> _Plan:
    """Lay out the run: one trace is compiled to size the chunks and to make the run's identity.  Without a
    chunk size, a chunk holds what fits its memory budget, and with ``workers`` local workers at most a
    (2 × workers)th of the traces, so that every worker has chunks to run; ``names``: the traces' names, if the
    source names them."""
    run_model = model.with_time(years=options.years)
    axis = run_model.time.axis()
    first = source(options.seed, np.arange(1), options.years, axis)  # the first trace
    if model.parameters:  # the CSV files of dataframe parameters, aligned to the steps once for every chunk
        params = align_frames(_used_parameters(model, set(first)), axis)
        model, run_model = (_with_parameters(m, params) for m in (model, run_model))
    probe = compile_network(chunk_model(run_model, first, ["0"]), axis)  # one trace: its size
    chunk = min(options.chunk(_bytes_per_step(probe, options), axis.n_steps), options.traces)
    if options.chunk_size is None and workers:
        chunk = min(chunk, -(-options.traces // (2 * workers)))
    options = replace(options, chunk_size=chunk)
    return _Plan(model, run_model, axis, options, _manifest(model, options, source, axis, probe, names),
                 _run_bytes(probe, options, axis), ReservoirVolumes.of(probe), demand_systems(probe),
                 Edges.of(probe))


def _collect(stream: Generator[dict[str, Any], None, None], parts: _Parts, progress: ProgressReporter | None,
             stop_after: int | None, remove_on_failure: bool) -> tuple[list[str], int, bool]:
    """Take the chunks' results as they finish: write each part (unless its worker has), report progress; stop
    after ``stop_after`` chunks.  Returns how each chunk was simulated, how many traces were computed and whether
    it stopped after ``stop_after`` chunks (the run left unfinished).  If the stream fails before any chunk
    reported and ``remove_on_failure`` (a fresh start), the parts folder is removed unless it holds a part (a
    local worker's, written before its receipt was taken): a run that failed at its start (a wrong scheduler…)
    leaves nothing behind, and nothing already written is lost."""
    how: list[str] = []
    computed = 0
    try:
        with closing(stream):  # (a cluster is closed before its run's parts folder may be removed below)
            for result in stream:
                if not result.get("_written"):
                    parts.write(result)
                how.append(str(result["_how"]))
                computed += len(result["trace"])
                if isinstance(progress, ProgressReporter):  # (the chunk's steps under way are done)
                    progress.update(len(result["trace"]), result.get("_chunk"))
                elif progress is not None:
                    progress.update(len(result["trace"]))
                if stop_after is not None and len(how) >= stop_after:
                    return how, computed, True
    except BaseException:
        if remove_on_failure and not how and not parts.done():
            shutil.rmtree(parts.dir, ignore_errors=True)
        raise
    return how, computed, False


def _bytes_per_step(net: CompiledNetwork, options: EnsembleOptions) -> int:
    """Bytes a chunk holds per trace and step: the stored series on the fast path, which streams its steps;
    the plain path keeps its whole solution and bounds too (three float64 arrays of the LP's columns)."""
    series = _series_bytes(net, options)
    if options.fast and fast_path_unsupported(net) is None:
        return series
    return series + 3 * net.lp.n_cols * 8


def _elements(net: CompiledNetwork) -> dict[str, int]:
    """How many elements of each kind (the store's element dimensions) the network has."""
    return {"demand": len(net.demand_ids), "reservoir": len(net.res_ids), "sink": len(net.sink_ids),
            "hydropower": len(net.hp_ids), "inflow": len(_inflow_columns(net)),
            "requirement": len(net.requirement_nodes), "edge": len(net.edge_ids),
            "system": len(stress_accounts(net).systems)}


def _series_bytes(net: CompiledNetwork, options: EnsembleOptions) -> int:
    """Bytes of the stored series per trace and step (the parts on disk, and the output before compression)."""
    n = _elements(net)
    return sum(n[STORABLE_SERIES[name]] for name in options.stored_series()) * np.dtype(options.series_dtype).itemsize


def _run_bytes(net: CompiledNetwork, options: EnsembleOptions, axis: Any) -> int:
    """Bytes a trace takes on disk, before compression: its stored series and its annual indicators (float64)."""
    n, years = _elements(net), int(run_years(axis).max()) + 1
    return _series_bytes(net, options) * axis.n_steps + 8 * years * sum(n[dim] for dim in ANNUAL_INDICATORS.values())


def _check_disk(output: Path, need: int) -> None:
    """Refuse, before any work, a run that the output's folder has no room for: ``need`` bytes, the parts still
    to write and the output, which are both on disk until the output is written."""
    free = free_bytes(output.absolute().parent)
    if free is not None and need > free:
        raise OSError(f"cannot write {output}: the run's parts and output take about {size_text(need)}, and its "
                      f"folder has {size_text(free)} free; run fewer traces or years, or write elsewhere")


def _with_parameters(model: Model, parameters: Mapping[str, Parameter]) -> Model:
    """``model`` with its ``parameters`` aligned to the run's steps (:func:`_used_parameters`): the same model, still
    checked, not one changed in Python (a copy made with ``replace`` is taken as one: the results of an ensemble of a
    model with parameters, an overlay's ``add_parameters`` too, said that its caveats may not hold, and recorded no
    digest of its file)."""
    return model.checked_copy(parameters=parameters)


def _used_parameters(model: Model, driven: set[str]) -> dict[str, Parameter]:
    """The model's parameters that something other than the inflows of nodes ``driven`` reads (their traces
    replace those), with their inputs: a CSV file read only by a driven inflow need not span the run."""
    attrs: list[Mapping[str, Any]] = [{k: v for k, v in n.attrs.items() if not (n.id in driven and k == "inflow")}
                                      for n in model.nodes]
    attrs += [e.attrs for e in model.edges] + [c.attrs for c in model.constraints]
    used = with_inputs(model.parameters, {r.name for a in attrs for r in references(a)})
    return {k: p for k, p in model.parameters.items() if k in used}


def _manifest(model: Model, options: EnsembleOptions, source: TraceSource, axis: Any, probe: CompiledNetwork,
              names: tuple[str, ...] = ()) -> dict[str, Any]:
    """The run's identity: a resume continues only a run with the same manifest.  ``network`` is a digest of
    the compiled network of the first trace, so any change to what the run computes from (the model file, its
    CSV files and parameters, scenario overlays, the trace source's first trace) makes another run."""
    from .. import __version__

    return {"format": _FORMAT, "daryo": __version__, BUILD: daryo_build(), "model": model.name,
            "model_file": recorded_model_file(model) or None,
            "scenarios": applied_overlays(model),
            "network": network_digest(probe), "start": run_start_text(axis),
            "time_step": step_label(axis.step_days, axis.dekads),  # (as a run's results: daryo compare reads it)
            "traces": options.traces, "years": options.years, "seed": options.seed,
            "chunk_size": options.chunk_size, "steps": axis.n_steps, "series_dtype": options.series_dtype,
            "series": " ".join(options.stored_series()),
            "fast": options.fast, "deficit_threshold": options.deficit_threshold, "source": source.describe(),
            "inflow_record": _record_digest(source),
            # (a model changed in Python since it was read: its file's digest is not the model's, as in a run's
            # results; else the digest of the file as it was read, which the model keeps, not the file read again)
            "model_text": None if model.changed_in_code or not (file := model.resolved_path or model.path) else (
                model.file_sha256 or file_digest(file)),
            **({"model_changed_in_code": "yes"} if model.changed_in_code else {}),
            **_names_digest(names)}


def _names_digest(names: tuple[str, ...]) -> dict[str, str]:
    """The manifest's entry for the names of a source that names its traces (:func:`_named_traces`):
    ``trace_names_sha256``, a SHA-256 digest of the run's traces' names (a resume of the same columns renamed is
    another run); none for a source that does not name them (so a manifest of such a run is as before)."""
    if not names:
        return {}
    return {"trace_names_sha256": hashlib.sha256("\0".join(names).encode()).hexdigest()}


def run_start_text(axis: Any) -> str:
    """A run's first day as an ensemble records it: ``YYYY-MM`` for one of monthly steps, ``YYYY-MM-DD`` for
    dekads and N-day steps, which may start on another day than the 1st (a BWO planner's review: ensembles from the
    1st and the 21st were recorded alike)."""
    return f"{axis.start:%Y-%m}" if axis.monthly else f"{axis.start:%Y-%m-%d}"


def _record_digest(source: TraceSource) -> str | None:
    """A SHA-256 digest of the record a trace source resamples, or of the columns it takes (None: a source without
    one).  The network digest covers the first trace only, which may not draw on a changed year of the record."""
    rates = getattr(source, "rates", getattr(source, "volumes", None))
    if not isinstance(rates, Mapping):
        return None
    h = hashlib.sha256()
    for key in sorted(rates):
        a = np.ascontiguousarray(rates[key], dtype=np.float64)
        h.update(f"{key}{a.shape}".encode())
        h.update(a.tobytes())
    record = getattr(source, "record", None)
    if record is not None:
        h.update(np.asarray(record.starts).astype("datetime64[D]").astype(np.int64).tobytes())
    return h.hexdigest()
