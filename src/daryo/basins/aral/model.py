"""Build the Aral Sea basin model document: the network of ``aral.yaml``, a hydrology, scenario overlays."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..._files import printable_path
from ..._system import physical_memory
from ...errors import ModelError, Problem
from ...hydrology import (
    HydrologySpec,
    check_seed,
    load_spec,
    named_year_traces,
    norm_traces,
    stochastic_traces,
)
from ...hydrology.generator import _read_inflow_csv
from ...model import Model, model_from_dict
from ...model.datafiles import DataFiles
from ...model.documents import read_document
from ...model.loader import document_problems
from ...scenarios import overlaid_document, overlay_names
from ...scenarios.apply import DocumentCheck
from ...scenarios.overlay import OverlaySpec, volume_set_by_user, with_overlay_lines
from ...timeaxis import FIRST_DATE, LAST_DATE, TimeAxis, latest_start, parse_date, years_problem
from ...units import UnitError, is_whole, parse_quantity, unit_factor

__all__ = ["HYDROLOGY_CHOICES", "aral_model_path", "read_base_document", "build_aral_document", "load_aral_model",
           "aral_inflow_traces"]

#: ``norm`` (mean year repeated), ``stochastic`` (generated traces) or a named year of ``hydrology.yaml``
#: (the named year(s) first, then the norm)
HYDROLOGY_CHOICES = ("norm", "stochastic", "2021", "2023", "2008", "2000-2001", "multiyear")


def aral_model_path() -> Path:
    """Path of the Aral Sea basin model file (norm hydrology, baseline)."""
    return Path(str(resources.files("daryo") / "data" / "aral" / "aral.yaml"))


def read_base_document() -> dict[str, Any]:
    """The baseline document of ``aral.yaml`` as plain data (a fresh copy each call; YAML anchors expanded)."""
    doc = read_document(aral_model_path(), lines=False)
    return json.loads(json.dumps(doc))  # no shared (aliased) sub-objects


def _time(start: str | pd.Timestamp, years: int, months: int | None = None) -> tuple[pd.Timestamp, dict[str, str]]:
    """The run's first month and the document's ``time``: ``years`` whole years from ``start``, or its first
    ``months`` months."""
    if isinstance(start, np.datetime64):  # (a Dataset's time value)
        start = pd.Timestamp(start)
    try:
        s = parse_date(start)
    except ValueError as exc:
        raise ValueError(f"start={start!r}: {exc}") from None
    if not FIRST_DATE <= s <= LAST_DATE:
        raise ValueError(f"start={start!r}: a run's dates lie between {FIRST_DATE:%Y-%m-%d} and {LAST_DATE:%Y-%m-%d}")
    if s != s.to_period("M").to_timestamp():  # (2000-10-15 was moved to 2000-10-01 without a word)
        raise ValueError(f"start={start!r}: the run's monthly steps start on a month's first day; give YYYY-MM")
    n = 12 * int(years) if months is None else months  # (months: to an end, which _months_to checked)
    if n == 12 * int(years) and (why := years_problem(s, int(years), "%Y-%m")) is not None:
        latest = latest_start(int(years))
        raise ValueError(f"years={years}: {why}; or start them by {latest:%Y-%m} (start='{latest:%Y-%m}')")
    e = s + pd.DateOffset(months=n - 1)
    return s, {"start": f"{s:%Y-%m}", "end": f"{e:%Y-%m}", "step": "month"}


def _months_to(start: str | pd.Timestamp, end: str) -> int:
    """The months of a run from ``start`` to the month ``end`` (both included), at least 1."""
    try:
        s, e = parse_date(start), parse_date(end, end=True)
    except ValueError as exc:
        bad = "end" if not _is_date(end) else "start"
        raise ValueError(f"{bad}={(end if bad == 'end' else start)!r}: {exc}") from None
    if e > LAST_DATE:  # (checked first: pandas' periods of months past 2262-04 overflow)
        raise ValueError(f"end={end!r}: the run's last month lies past {LAST_DATE:%Y-%m-%d}, the last date a time "
                         f"axis can hold; end it by {LAST_DATE:%Y-%m}")
    if e.day != 1:
        raise ValueError(f"end={end!r}: give the run's last month, YYYY-MM")
    months = (e.year - s.year) * 12 + e.month - s.month + 1
    if months < 1:
        raise ValueError(f"end={end!r}: the run would end before it starts ({s:%Y-%m})")
    return months


def _is_date(value: object) -> bool:
    try:
        parse_date(value)
    except ValueError:
        return False
    return True


#: memory a model with inflow traces takes per trace and year, while its document is made and read (~12.5 kB
#: measured at the peak of loading 5,000 traces × 4 years)
_BYTES_PER_TRACE_YEAR = 16_000


def _check_size(traces: int, years: int) -> None:
    """Refuse, before any work, a model whose traces would not fit in this machine's memory."""
    need, have = _BYTES_PER_TRACE_YEAR * traces * years, physical_memory()
    if have is not None and need > have:
        raise ValueError(f"traces={traces}, years={years}: the model would take about {need / 1e9:,.0f} GB of memory, "
                         f"more than this machine's {have / 1e9:,.0f} GB; for many traces run an ensemble (daryo "
                         "ensemble, daryo.ensemble.run_ensemble), which makes its traces chunk by chunk")


def _hydrology(spec: HydrologySpec, hydrology: str, traces: int, years: int, seed: int, start_month: int
               ) -> np.ndarray:
    """Inflows (trace, river, step), hm³ per month."""
    if traces < 1 or years < 1:
        raise ValueError(f"traces={traces}, years={years}: both must be at least 1")
    check_seed(seed)
    if not (isinstance(hydrology, str) and (hydrology in ("norm", "stochastic") or hydrology in spec.named_years)):
        quote = f" (a name: the text '{hydrology}', not a number)" if str(hydrology) in spec.named_years else ""
        raise ValueError(f"unknown hydrology {hydrology!r}{quote}; use one of: norm, stochastic, "
                         f"{', '.join(spec.named_years)}")
    if hydrology == "stochastic":
        _check_size(traces, years)
        return stochastic_traces(spec, range(traces), years, seed, start_month)
    if traces != 1:
        raise ValueError(f"hydrology '{hydrology}' has one trace; use hydrology='stochastic' for {traces} traces")
    if hydrology == "norm":
        return norm_traces(spec, years, start_month)
    return named_year_traces(spec, hydrology, years, start_month)


def build_aral_document(scenarios: Sequence[OverlaySpec] = (), hydrology: str = "norm", traces: int = 1,
                        years: int = 30, seed: int = 0, start: str = "2000-10", inflow_csv: str | Path | None = None,
                        inflow_csv_unit: str = "m3/s", end: str | None = None) -> dict[str, Any]:
    """A complete Aral Sea basin model document, inflows inline.

    Parameters
    ----------
    scenarios
        Overlays applied in order (library names, see :func:`daryo.scenarios.list_scenarios`, paths, or overlays
        given as mappings: see :func:`daryo.load`).
    hydrology
        ``norm``, ``stochastic`` or a named year (``2021``, ``2023``, ``2008``, ``2000-2001``, ``multiyear``).
    traces
        Number of stochastic traces (the model's scenario dimension); 1 for the other hydrologies.
    years
        Run length in years from ``start``.
    seed
        Seed of the stochastic ensemble (trace i depends only on (seed, i)).
    start
        First month of the run (``YYYY-MM``; October starts a hydrological year).
    inflow_csv, inflow_csv_unit
        Own monthly inflows (observed, projected) replacing the generated ones for the nodes named by the CSV's
        columns (see :func:`daryo.hydrology.read_inflow_csv`), in any unit of flow a model file takes (``m3/s``,
        ``km3/yr``, ``hm3``, ``km3``...); they must cover every month of the run.  The document's
        ``metadata.hydrology`` names the file and the nodes it gives, and its caveats the inflows it does not.
    end
        The run's last month (``YYYY-MM``), in place of ``years``: a season's outlook, April to September, whose
        overlays' and CSV's series need cover only those months (None: ``years`` whole years).

    Returns
    -------
    dict
        A model document that :func:`daryo.model.model_from_dict` accepts; inflows are
        ``{values: [[...] per trace], unit: hm3/month}``.

    Raises
    ------
    ModelError
        For unknown scenarios, bad overlays, or a CSV that misses run months or names unknown inflows.
    ValueError
        For an unknown hydrology or several traces of a deterministic hydrology.
    """
    return _aral_document(scenarios, hydrology, traces, years, seed, start, inflow_csv, inflow_csv_unit, end=end)[0]


def _aral_document(scenarios: Sequence[OverlaySpec], hydrology: str, traces: int, years: int, seed: int, start: str,
                   inflow_csv: str | Path | None, inflow_csv_unit: str, check: DocumentCheck | None = None,
                   files: DataFiles | None = None, end: str | None = None
                   ) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    """:func:`build_aral_document`, and where each value its overlays set came from
    (:func:`daryo.scenarios.overlaid_document`, which takes ``check``); ``inflow_csv`` is recorded in ``files``
    as read.  ``end``: the run's last month, in place of ``years``."""
    scenarios = overlay_names(scenarios)
    for name, value in (("traces", traces), ("years", years), ("seed", seed)):
        if not is_whole(value):  # (1.5 years ran one, '2' two)
            raise TypeError(f"{name}={value!r}: give a whole number")
    doc = read_base_document()
    months = 12 * int(years)
    if end is not None:  # (whole years of hydrology made, then cut to the months of the run)
        months = _months_to(start, end)
        years = -(-months // 12)
    s, doc["time"] = _time(start, years, months)
    spec = load_spec()
    arr = _hydrology(spec, hydrology, int(traces), int(years), int(seed), s.month)[:, :, :months]
    series = {nid: arr[:, k, :] for k, nid in enumerate(spec.ids)}
    own: dict[str, np.ndarray] = {}
    if inflow_csv is not None:
        own = _csv_inflows(inflow_csv, inflow_csv_unit, s, months, arr.shape[0], set(series))
        series.update(own)
        if files is not None:  # (as a model file's CSV series is: a run's results name it with its SHA-256)
            files.record(printable_path(Path(inflow_csv).resolve()), Path(inflow_csv))
    others = [nid for nid in spec.ids if nid not in own]  # (the inflows a CSV of its own does not give)
    nodes = {n["id"]: n for n in doc["nodes"]}
    for nid, a in series.items():
        rows = [[round(float(x), 6) for x in r] for r in a]
        nodes[nid]["inflow"] = {"values": rows[0] if len(rows) == 1 else rows, "unit": "hm3/month"}
    meta = doc.setdefault("metadata", {})
    meta["hydrology"] = {"kind": hydrology, "traces": int(traces), "seed": int(seed)}
    if inflow_csv is not None:  # (``kind`` stays the hydrology of the inflows the CSV does not name)
        meta["hydrology"].update(inflow_csv=str(inflow_csv), inflow_csv_nodes=sorted(own),
                                 other_inflows=others)
    doc, origins = overlaid_document(doc, scenarios, check=check)
    if s.month != 10:
        _note_october_volumes(doc, origins, s)
    if inflow_csv is not None:  # (less those the overlays gave series of their own: they keep no hydrology)
        kept = doc["metadata"]["hydrology"].get("kept_inflows", others)
        _note_inflows_not_in_csv(doc, str(inflow_csv), [n for n in others if n in kept], hydrology)
    return doc, origins


def _note_inflows_not_in_csv(doc: dict[str, Any], csv: str, others: Sequence[str], hydrology: str) -> None:
    """Add to ``doc``'s caveats that the inflows ``others``, which the CSV ``csv`` of own series does not name, keep
    the model's ``hydrology`` (a climate-services review: a CSV of projections for some headwaters left the others at
    the norm without a word, and the run read as all projections)."""
    if not others:
        return
    what = {"norm": "its norm (the mean year repeated)", "stochastic": "its generated traces"}.get(
        hydrology, f"its named year {hydrology}, then the norm")
    meta = doc.setdefault("metadata", {})
    meta["caveats"] = list(meta.get("caveats") or []) + [
        f"The inflow CSV {csv} gives {len(others)} of the model's inflows no series: "
        f"{', '.join(others)} keep the model's hydrology, {what}, not series of yours; add a column for each of "
        "them to the CSV to give them yours."]


def _note_october_volumes(doc: dict[str, Any], origins: Mapping[str, tuple[str, str]], start: pd.Timestamp) -> None:
    """Add to ``doc``'s caveats that a run starting in another month than October (``start``) starts the reservoirs
    whose initial volume no overlay of the user's set or added (``origins``; the library's are the model's, of 1
    October too) at the model's volumes, which are of 1 October (a review: a season planned from April started
    Nurek at its October 10.3 km³, and the Amu's deficits came out a third of those from April's volumes, with no
    word)."""
    kept = [(str(n["id"]), _km3(n["initial_volume"])) for n in doc.get("nodes", [])
            if isinstance(n, Mapping) and n.get("type") == "reservoir" and "initial_volume" in n
            and not volume_set_by_user(origins, str(n["id"]))]
    if not kept:
        return
    meta = doc.setdefault("metadata", {})
    meta["caveats"] = list(meta.get("caveats") or []) + [
        f"The run starts in {start:%B %Y}, not on 1 October, but the reservoirs' initial volumes are the model's, of "
        f"1 October (model card section 7), for every reservoir no scenario of yours sets: "
        f"{', '.join(f'{nid} {volume}' for nid, volume in kept)}.  Set the volumes of the run's start with an overlay "
        f"(changes: [set: {{{kept[0][0]}: {{initial_volume: ...}}}}])."]


def _km3(volume: Any) -> str:
    """A volume as the model file gives it (``13.0 km3``, ``1100 hm3``, a number of hm³) in km³ for a message (a
    small one in hm³)."""
    try:
        q = parse_quantity(str(volume))
        factor, _ = unit_factor(q.unit, "volume")
    except (UnitError, ValueError):
        return str(volume)
    hm3 = q.value * factor
    return f"{hm3 / 1000:.1f} km3" if hm3 >= 100 else f"{hm3:g} hm3"  # (0.04 km3 is not '0.0 km3')


def _csv_inflows(path: str | Path, unit: str, start: pd.Timestamp, n_steps: int, n_traces: int, known: set[str]
                 ) -> dict[str, np.ndarray]:
    dates, cols, left_out = _read_inflow_csv(path, unit)
    unknown = sorted(set(cols) - known)
    if unknown:
        raise ModelError(Problem(str(path), f"column '{unknown[0]}'", f"is not an inflow of the Aral model; use "
                                 f"one of: {', '.join(sorted(known))}"))
    want = pd.date_range(start, periods=n_steps, freq="MS")
    pos = pd.DatetimeIndex(dates).get_indexer(want)
    if np.any(pos < 0):
        first = want[np.flatnonzero(pos < 0)[0]]
        raise ModelError(Problem(str(path), "", f"has no value for {first:%Y-%m} ({int(np.sum(pos < 0))} of the "
                                 f"run's {n_steps} months are missing); extend it or shorten the run"
                                 + (f". {left_out}" if left_out else "")))
    return {k: np.repeat(v[:, pos], n_traces, axis=0) for k, v in cols.items()}


def load_aral_model(scenarios: OverlaySpec | Sequence[OverlaySpec] = (), hydrology: str = "norm", traces: int = 1,
                    years: int = 30, seed: int = 0, start: str = "2000-10", inflow_csv: str | Path | None = None,
                    inflow_csv_unit: str = "m3/s", end: str | None = None) -> Model:
    """The Aral Sea basin model, validated, as ``daryo.load(None, ...)`` and ``daryo run`` load it.

    Parameters
    ----------
    scenarios
        Overlays applied in order (library names, see :func:`daryo.scenarios.list_scenarios`, paths, or overlays
        given as mappings: see :func:`daryo.load`).
    hydrology
        ``norm`` (the mean year repeated), ``stochastic`` (``traces`` generated traces) or a named year (``2021``,
        ``2023``, ``2008``, ``2000-2001``, ``multiyear``: that year first, then the norm).
    traces, years, seed, start
        Stochastic traces (1 for the other hydrologies), run length in years from ``start`` (``YYYY-MM``; October
        starts a hydrological year) and the traces' seed (trace i depends only on (seed, i)).
    inflow_csv, inflow_csv_unit
        Own monthly inflows (observed, projected) replacing the generated ones for the nodes the CSV's columns
        name (:func:`daryo.hydrology.read_inflow_csv`), covering every month of the run, in any unit of flow a
        model file takes (``m3/s``, ``km3/yr``, ``hm3``, ``km3``...).  The model records the file as it records a
        model file's CSV (``Model.data_files``: its path and SHA-256), its results' ``hydrology`` reads ``kind own
        series: FILE`` (and which inflows the file gives, where it does not give all), and a caveat names the
        inflows the file does not give, which keep ``hydrology``.
    end
        The run's last month (``YYYY-MM``), in place of ``years``: a season's outlook (``start="2027-04",
        end="2027-09"``), whose overlays' and CSV's series need cover only those months (None: ``years`` whole
        years).

    Returns
    -------
    daryo.Model
        The model (its document: :func:`build_aral_document`).  ``daryo.results.advice(results.dataset, model)``
        notes, after a run, an overlay of named years' factors on top of a named year's hydrology, and overlay years
        the run is too short for.

    Raises
    ------
    ModelError
        For unknown scenarios, bad overlays, or a CSV that misses run months or names unknown inflows.
    ValueError
        For an unknown hydrology or several traces of a deterministic hydrology.
    """
    scenarios = overlay_names(scenarios)
    path = aral_model_path()
    label = str(path) + "".join(f" + {s}" for s in scenarios)
    files = DataFiles(path.parent)
    try:
        doc, origins = _aral_document(scenarios, hydrology, traces, years, seed, start, inflow_csv, inflow_csv_unit,
                                      check=lambda d, o: document_problems(d, path.parent, label, path, o),
                                      files=files, end=end)
        return model_from_dict(doc, file=label, path=path, origins=origins, data_files=files)
    except ModelError as exc:  # (an overlay's problems with their lines, as a model file's have theirs)
        raise with_overlay_lines(exc) from None


def aral_inflow_traces(trace_indices: Sequence[int], years: int, seed: int = 0, start: str = "2000-10",
                       scenarios: Sequence[str] = ()) -> dict[str, np.ndarray]:
    """Stochastic inflows of the Aral model for an ensemble runner.

    Parameters
    ----------
    trace_indices
        Which traces (trace i is identical whatever other traces are requested).
    years, seed, start
        As for :func:`build_aral_document`.
    scenarios
        Overlays whose inflow changes (climate scaling, peak shift, named years) are applied to the traces.

    Returns
    -------
    dict
        Per inflow node id, hm³ per month shaped (len(trace_indices), 12·years).
    """
    from ...ensemble import StochasticTraces

    if not is_whole(years) or years < 1:
        raise ValueError(f"years={years!r}: give a whole number of years, at least 1")
    s, _ = _time(start, years)
    basins = read_base_document()["metadata"]["basins"] if scenarios else {}
    source = StochasticTraces(load_spec(), tuple(scenarios), tuple((b, tuple(ids)) for b, ids in basins.items()))
    axis = TimeAxis.from_range(s, s + pd.DateOffset(months=12 * int(years) - 1))
    return source(int(seed), np.asarray(trace_indices), int(years), axis)
