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

Trace sources: the hydrology generator's (:class:`StochasticTraces`) or the model's own years resampled
(:class:`ResampledTraces`), as :func:`default_trace_source` chooses; the model's own scenario columns, each as it
is (:class:`ModelColumns`, ``daryo ensemble --hydrology columns``); or one's own (:class:`TraceSource`; one that
names its traces, with ``names()``, has the store keep them as ``trace_name``).

Modules, in the order of the pipeline: :mod:`~daryo.ensemble.traces` (trace sources),
:mod:`~daryo.ensemble.chunks` (the options and one chunk), :mod:`~daryo.ensemble.parts` (the parts folder),
:mod:`~daryo.ensemble.executors` (in this process or on Dask), :mod:`~daryo.ensemble.progress`,
:mod:`~daryo.ensemble.store` (the output and its summaries), :mod:`~daryo.ensemble.run` (the run), then what a
finished output tells: :mod:`~daryo.ensemble.output` (the output opened and checked), :mod:`~daryo.ensemble.tables`
(its tables), :mod:`~daryo.ensemble.summary` (every summary in one long table, and its CSV file) and
:mod:`~daryo.ensemble.drift` (whether its figures drift with the run year: :func:`run_year_drift`).

The output's tables (:func:`shortfall_table`, :func:`seasonal_shortfall_table`, :func:`energy_table`,
:func:`energy_target_table`, :func:`storage_table`, :func:`rule_curve_table`, :func:`sink_table`,
:func:`requirement_table`, :func:`water_stress_table`, :func:`summary_table`, :func:`run_of`) take its path, or the
store opened once for them all (:func:`open_output`, or xarray's ``open_dataset``).
"""

from .chunks import ANNUAL_INDICATORS, SERIES, STORABLE_SERIES, EnsembleOptions, chunk_model, run_chunk
from .drift import run_year_drift
from .output import EarlierStoreError, StoreReplacedError, open_output
from .parts import RunInProgressError, parts_folder
from .progress import ProgressReporter
from .run import EnsembleRun, network_digest, run_ensemble
from .store import check_output, earlier_results, summarise
from .summary import check_summary_csv, summary_table, write_summary_csv
from .tables import (
    energy_table,
    energy_target_table,
    requirement_table,
    rule_curve_table,
    run_of,
    seasonal_shortfall_table,
    shortfall_table,
    sink_table,
    storage_table,
    water_stress_table,
)
from .traces import ModelColumns, ResampledTraces, StochasticTraces, TraceSource, default_trace_source, run_years

__all__ = ["TraceSource", "ResampledTraces", "StochasticTraces", "ModelColumns", "default_trace_source", "run_years",
           "EnsembleOptions",
           "EnsembleRun", "run_ensemble", "chunk_model", "run_chunk", "check_output", "earlier_results",
           "ProgressReporter",
           "ANNUAL_INDICATORS", "SERIES", "STORABLE_SERIES", "summarise", "shortfall_table", "requirement_table",
           "energy_table", "energy_target_table", "storage_table", "rule_curve_table", "sink_table", "open_output",
           "run_of", "seasonal_shortfall_table", "run_year_drift",
           "summary_table",
           "check_summary_csv",
           "water_stress_table", "write_summary_csv", "network_digest", "parts_folder", "RunInProgressError",
           "StoreReplacedError", "EarlierStoreError"]
