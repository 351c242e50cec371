"""Trace sources: the inflow traces of an ensemble, trace *i* a function of (seed, *i*) only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from ..errors import listed, short_text
from ..hydrology import check_seed
from ..model import Model, Series
from ..timeaxis import StepKind, TimeAxis, add_years, dekad_of_day
from ..units import is_number

if TYPE_CHECKING:
    from ..scenarios.overlay import OverlaySpec


class TraceSource(Protocol):
    """Where an ensemble's inflows come from.

    Called with (seed, trace indices, years, time axis of the run), it returns, for every inflow node it
    drives, the volumes in hm³ per step, shape (len(indices), axis.n_steps).  Trace *i* must depend only on
    (seed, *i*) — that is what makes ensembles reproducible whatever the chunking.  ``describe()`` says what its
    traces are, for the run's record (the store's ``source``).

    Two methods are optional:

    - ``origin(seed, trace, step, axis) -> str``: where a trace's inflows of a step come from, which an ensemble's
      infeasible step names (:meth:`ResampledTraces.origin`);
    - ``names() -> Sequence[str]``: the names of its traces, trace *i*'s the *i*-th, each different.  A source that
      names its traces has that many at most (a run of more is refused), and an ensemble's store keeps each trace's
      name as its coordinate ``trace_name``, which ``daryo summary`` and ``daryo compare`` show instead of the seed
      (:meth:`ModelColumns.names`).
    """

    def __call__(self, seed: int, indices: np.ndarray, years: int, axis: Any) -> Mapping[str, np.ndarray]: ...

    def describe(self) -> str: ...


#: the largest log-normal spread of a year's inflow factor that :class:`ResampledTraces` takes
MAX_PERTURBATION = 1.0


@dataclass(frozen=True)
class ResampledTraces:
    """The default source: whole years resampled from the model's own inflow traces, perturbed.

    For each trace *i* (``numpy.random.default_rng([seed, i])``) and each run year, one (source trace,
    source year) pair of the model's own record is drawn — the same for every inflow node, which keeps the
    rivers' joint behaviour — and its steps are scaled by one log-normal factor (mean 1, log-sd
    ``perturbation``).  Source years start on the same calendar date as the run (1 October for a model that
    starts with its hydrological year), so seasons line up:

    - monthly steps (dekads): a run year takes the source year's twelve months (36 dekads); volumes are carried
      as daily rates, so a February (its last dekad) keeps its rate;
    - N-day steps and dekads: a run year (from one anniversary of the run's start to the next) takes the daily rates of
      one whole source year, day *d* of the run year from day *d* of the source year (wrapping round within
      that source year for a step that runs past the year's end), and each step gets the sum over its days.

    The factors keep the mean but widen the record's spread, and lower its median by ``exp(−p²/2)``: on the demo
    model (1,000 traces × 30 years), 0.1 takes the annual CV from 0.17 to 0.20; 0.5 to 0.57, with 15 % of the
    years below half the record's mean (none in the record) and the median year at 0.875 of the record's; 1.0 to
    1.3.  Keep it small: it stands for what the record did not happen to show, not for a drier climate (an
    overlay's ``scale_inflows``).
    """

    rates: Mapping[str, np.ndarray]  # node id -> (S0, T0) hm³/day of the model's own record
    record: TimeAxis  # the time axis of that record
    perturbation: float = 0.1
    why: str = ""  # why the model's own record, where a reader could expect the hydrology generator's traces

    def __post_init__(self) -> None:
        p = self.perturbation
        if not is_number(p) or not 0.0 <= p <= MAX_PERTURBATION:  # (NaN fails too)
            raise (ValueError if is_number(p) else TypeError)(
                f"perturbation={p!r}: give the log-normal factors' standard deviation of the log, a number from 0 (no "
                f"perturbation) to {MAX_PERTURBATION:g} (a factor beyond e either way in one year of three; more "
                "makes nearly every year's inflows 0)")

    @classmethod
    def from_model(cls, model: Model, perturbation: float = 0.1) -> ResampledTraces:
        """The source resampling ``model``'s inflow nodes whose ``inflow`` is a series or a parameter (a Pywr
        catchment's flow, say), over the model's own span.

        Raises
        ------
        ValueError
            If no inflow node has such an ``inflow``, if one is a parameter that reads the reservoir state, or
            if the model's span is shorter than a year.
        """
        given = _given_inflows(model, "whose years an ensemble resamples: an inflow chosen between min_flow and "
                                      "max_flow is not a record of years",
                               "an ensemble resamples years of inflows that do not")
        axis = model.time.axis()
        if axis.n_steps == 0 or np.datetime64(axis.end, "D") < add_years(axis.start, 1):
            last = axis.end - pd.Timedelta(days=1)  # (the end is the day after the last step)
            span = f"runs from {axis.start:%Y-%m-%d} to {last:%Y-%m-%d}" if axis.n_steps else "has no steps"
            raise ValueError(f"model {model.name}{f' ({model.path})' if model.path else ''} {span}: resampling "
                             "needs at least one whole year of the model's own inflows; extend its time")
        values = _inflow_volumes(model, given, axis)
        rates = {k: v / axis.days[None, :] for k, v in values.items()}
        return cls(rates, axis, perturbation)

    def describe(self) -> str:
        why = f" ({self.why})" if self.why else ""
        return f"years resampled from the model's own inflows, log-normal perturbation {self.perturbation}{why}"

    def origin(self, seed: int, trace: int, step: int, axis: Any) -> str:
        """Where trace ``trace``'s inflows of step ``step`` of ``axis`` come from, for a message: the model's own year
        its run year drew, the record's trace (where it has several) and the year's factor; "" for steps of N days,
        whose run years take their source years day by day."""
        if not (axis.kind in _CALENDAR_STEPS and self.record.kind is axis.kind):
            return ""
        per_year = _CALENDAR_STEPS[axis.kind][0]
        S0 = max(r.shape[0] for r in self.rates.values())
        T0 = next(iter(self.rates.values())).shape[1]
        starts = np.flatnonzero(_place_in_year(self.record)[: T0 - per_year + 1] == _place_in_year(axis)[0])
        if not starts.size:
            return ""
        year = step // per_year
        src, pick, factor = self._draws(seed, trace, -(-axis.n_steps // per_year), starts.size, S0)
        first = pd.Timestamp(self.record.starts[starts[pick[year]]])
        of = f" (its trace {int(src[year])})" if S0 > 1 else ""
        return (f"its run year takes the model's own inflows of the year from {first:%Y-%m-%d}{of}, × "
                f"{float(factor[year]):.3g}")

    def _draws(self, seed: int, i: int, n_years: int, n_sources: int, n_traces: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Source trace, source year (index into the candidates) and factor of each run year of trace ``i``."""
        rng = np.random.default_rng([int(seed), int(i)])
        src = rng.integers(0, n_traces, n_years)
        yr = rng.integers(0, n_sources, n_years)
        factor = np.exp(self.perturbation * rng.standard_normal(n_years) - self.perturbation**2 / 2)
        return src, yr, factor

    def __call__(self, seed: int, indices: np.ndarray, years: int, axis: Any) -> dict[str, np.ndarray]:
        check_seed(seed)  # (a larger seed would repeat another's traces)
        if axis.kind in _CALENDAR_STEPS and self.record.kind is axis.kind:
            return self._calendar(seed, indices, axis)
        return self._daily(seed, indices, axis)

    def _calendar(self, seed: int, indices: np.ndarray, axis: Any) -> dict[str, np.ndarray]:
        """Months or dekads: a run year takes a source year's 12 months (36 dekads), each step its source step's
        daily rate over its own days (a diff review: dekads taken day by day put a March day into a leap year's
        last February dekad, and the next dekad's first day into each later one)."""
        per_year, what = _CALENDAR_STEPS[axis.kind]
        T = axis.n_steps
        n_years = -(-T // per_year)
        S0 = max(r.shape[0] for r in self.rates.values())
        T0 = next(iter(self.rates.values())).shape[1]
        # source years start in the same calendar month (dekad) as the run, so months (dekads) line up
        offsets = np.flatnonzero(_place_in_year(self.record)[: T0 - per_year + 1] == _place_in_year(axis)[0])
        if not offsets.size:
            raise ValueError(f"the model's own record has no whole year starting in the run's start {what}")
        out = {k: np.empty((len(indices), T)) for k in self.rates}
        for row, i in enumerate(np.asarray(indices).tolist()):
            src, k, factor = self._draws(seed, i, n_years, offsets.size, S0)
            yr = offsets[k]
            steps = (yr[:, None] + np.arange(per_year)[None, :]).reshape(-1)[:T]
            scen = np.repeat(src, per_year)[:T]
            f = np.repeat(factor, per_year)[:T]
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
        # day of its run year on which each step starts, and the day after its last day (in days: runs of over 292
        # years overflow pandas' nanosecond differences)
        year_start = add_years(run_start, np.arange(n_years))
        first = (np.asarray(axis.starts.values, dtype="datetime64[D]") - year_start[year]).astype(np.int64)
        last = first + days.astype(np.int64)
        # the model's own record as daily rates, cumulated: cum[:, d] is the volume of its first d days
        rec_days = np.asarray(self.record.days).astype(np.int64)
        cums = {k: np.concatenate([np.zeros((r.shape[0], 1)), np.cumsum(np.repeat(r, rec_days, axis=1), axis=1)],
                                  axis=1) for k, r in self.rates.items()}
        n_days = int(rec_days.sum())
        # source years: the anniversaries of the run's start that begin a whole year inside the record
        rec_start = pd.Timestamp(self.record.start)
        span = np.arange(rec_start.year - run_start.year - 1, rec_start.year - run_start.year + n_days // 365 + 2)
        b = add_years(run_start, span)
        d0 = (b - np.datetime64(rec_start, "D")).astype(np.int64)
        d1 = (add_years(b, 1) - np.datetime64(rec_start, "D")).astype(np.int64)
        whole = (d0 >= 0) & (d1 <= n_days)
        if not whole.any():
            raise ValueError("the model's own record has no whole year starting on the run's start date "
                             f"({run_start:%d %B})")
        begin, length = d0[whole], (d1 - d0)[whole]
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


#: the steps of a year of each kind of calendar steps, and the word for one
_CALENDAR_STEPS = {StepKind.MONTH: (12, "month"), StepKind.DEKAD: (36, "dekad")}


def _place_in_year(axis: TimeAxis) -> np.ndarray:
    """Each step's place in its calendar year: its month (1–12), or, for dekads, its dekad (0–35)."""
    month = np.asarray(axis.month)
    if axis.kind is not StepKind.DEKAD:
        return month
    return (month - 1) * 3 + dekad_of_day(pd.DatetimeIndex(axis.starts).day)


def _year_volume(cum: np.ndarray, trace: np.ndarray, begin: np.ndarray, length: np.ndarray, x: np.ndarray
                 ) -> np.ndarray:
    """Volume of the first ``x`` days of source years (first day ``begin``, ``length`` days, of trace ``trace``
    of the cumulated daily record ``cum``), going round the year again past its end."""
    whole = cum[trace, begin + length] - cum[trace, begin]
    return (x // length) * whole + cum[trace, begin + x % length] - cum[trace, begin]


def _given_inflows(model: Model, no_inflow: str, of_the_state: str) -> dict[str, Any]:
    """The ``inflow`` of each of ``model``'s inflow nodes that has one as a series or a parameter (a Pywr
    catchment's flow, say): what a source of the model's own inflows takes.

    Raises
    ------
    ValueError
        If no inflow node has one (``no_inflow`` says what the source would have done with it), or one is a
        parameter that reads the reservoir state (``of_the_state`` says why that cannot be).
    """
    from ..parameters import ParameterRef, state_dependent

    given = {n.id: n.attrs["inflow"] for n in model.nodes
             if n.type == "inflow" and isinstance(n.attrs.get("inflow"), (Series, ParameterRef))}
    if not given:
        raise ValueError(f"the model has no inflow node with an 'inflow' (a number, a series or a parameter), "
                         f"{no_inflow}")
    dynamic = state_dependent(model.parameters)
    for node, v in given.items():
        if isinstance(v, ParameterRef) and v.name in dynamic:
            raise ValueError(f"{node}.inflow is parameter '{v.name}', which depends on the reservoir state: "
                             f"{of_the_state}; give the inflow as a series or a parameter of the date")
    return given


def _inflow_volumes(model: Model, given: Mapping[str, Any], axis: TimeAxis) -> dict[str, np.ndarray]:
    """The volumes (hm³ per step, (S|1, T)) of the inflows ``given`` (:func:`_given_inflows`) on ``axis``, the
    CSV files of dataframe parameters aligned to its steps."""
    from ..network.compile import attribute_values
    from ..parameters import ParameterRef, align_frames, with_inputs

    if model.parameters:  # the inflows' parameters (CSV files of dataframe ones aligned to the model's steps)
        used = with_inputs(model.parameters, {v.name for v in given.values() if isinstance(v, ParameterRef)})
        model = replace(model, parameters=align_frames({k: model.parameters[k] for k in used}, axis))
    return attribute_values(model, dict(given), axis)


@dataclass(frozen=True)
class ModelColumns:
    """A source whose traces are the model's own scenario columns, each as it is: trace *i* is column *i* (named
    as the model names its scenarios, a CSV file's column names for ``columns: "*"``), step by step from the
    model's start, neither resampled nor perturbed; the seed plays no part.  An ensemble of it runs the model's
    projections (a climate service's bias-corrected runoff of several GCMs and SSPs, say) as ``daryo run`` runs
    them, chunked and streamed to disk, with the ensemble's summaries: at most one trace a column, and at most
    the model's own span (:attr:`years`, from its start).  ``daryo ensemble MODEL --hydrology columns``.

    An inflow node with one column gives it to every trace; the model's other attributes keep their values (a
    model with other series of several columns, or scenario dimensions, is refused, as for every ensemble).
    """

    volumes: Mapping[str, np.ndarray]  # node id -> (S|1, T0) hm³ per step of the model's own steps
    record: TimeAxis  # the model's own time axis, which the columns span
    scenarios: tuple[str, ...]  # the columns' names: trace i's the i-th

    def __post_init__(self) -> None:
        n = len(self.scenarios)
        if n < 1 or len(set(self.scenarios)) != n:
            raise ValueError(f"scenarios {self.scenarios!r}: give each column a name of its own")
        for key, v in self.volumes.items():
            if v.shape[0] not in (1, n) or v.shape[1] != self.record.n_steps:
                raise ValueError(f"volumes of {key!r} shaped {v.shape}: give 1 or {n} columns of "
                                 f"{self.record.n_steps} steps")

    @classmethod
    def from_model(cls, model: Model) -> ModelColumns:
        """The source of ``model``'s scenario columns: those of its inflow nodes whose ``inflow`` is a series or a
        parameter, over the model's own span.

        Raises
        ------
        ValueError
            If no inflow node has such an ``inflow``, if one is a parameter that reads the reservoir state, or if
            no inflow has several columns (the model's inflows are one trace).
        """
        given = _given_inflows(model, "whose scenario columns an ensemble runs",
                               "its columns are not known before the run")
        axis = model.time.axis()
        volumes = _inflow_volumes(model, given, axis)
        if max(v.shape[0] for v in volumes.values()) < 2:
            where = f"model {model.name}{f' ({model.path})' if model.path else ''}"
            raise ValueError(f"{where} has no inflow of several scenario columns (a CSV series with columns: \"*\", "
                             "or per-step values of several traces), whose columns an ensemble of them runs: its "
                             "inflows are one trace; run it with daryo run, or resample its years (the default "
                             "ensemble)")
        return cls(volumes, axis, tuple(model.scenario_names))

    @property
    def years(self) -> int:
        """The whole years of the model's span from its start: the most an ensemble of its columns runs."""
        start, end = pd.Timestamp(self.record.start), pd.Timestamp(self.record.end)  # (end: the day after)
        years = 0
        while add_years(start, years + 1) <= np.datetime64(end, "D"):  # (in days: past 2262-04-11 too)
            years += 1
        return years

    def names(self) -> tuple[str, ...]:
        """The traces' names: the model's scenario columns' (trace *i*'s the *i*-th)."""
        return self.scenarios

    def describe(self) -> str:
        """``the model's own 30 scenario columns, unchanged``, and, where some inflows have one series, which do
        (a verifier's review: a forecast's members, given to 6 of 14 inflows by an overlay, read as the whole
        hydrology)."""
        n = len(self.scenarios)
        text = f"the model's own {n} scenario column{'s' if n != 1 else ''}, unchanged"
        single = [k for k, v in self.volumes.items() if v.shape[0] == 1]
        if not single or len(single) == len(self.volumes):
            return text
        several = [k for k in self.volumes if k not in single]
        return (f"{text} (of the inflows {listed(several, 6)}; {listed(single, 6)} one series each, the same in every "
                "trace)")

    def origin(self, seed: int, trace: int, step: int, axis: Any) -> str:
        """Where trace ``trace``'s inflows come from, for a message: the model's scenario column of its name."""
        return f"its inflows are the model's own scenario column {self.scenarios[trace]!r}, unchanged"

    def __call__(self, seed: int, indices: np.ndarray, years: int, axis: Any) -> dict[str, np.ndarray]:
        idx = np.asarray(indices, dtype=np.int64)
        n, T = len(self.scenarios), axis.n_steps
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise ValueError(f"trace {int(idx.max()) if idx.max() >= n else int(idx.min())}: the model has {n} "
                             f"scenario columns ({names_text(self.scenarios)}), a trace each: run at most {n} traces")
        if not self._fits(axis):
            last = pd.Timestamp(self.record.end) - pd.Timedelta(days=1)  # (the end is the day after the last step)
            raise ValueError(f"the model's scenario columns run from {pd.Timestamp(self.record.start):%Y-%m-%d} to "
                             f"{last:%Y-%m-%d}, and the run from {pd.Timestamp(axis.start):%Y-%m-%d} for {years} "
                             f"year{'s' if years != 1 else ''}: an ensemble of them runs the model's own steps, at "
                             f"most {self.years} year{'s' if self.years != 1 else ''} from its start")
        return {k: v[np.minimum(idx, v.shape[0] - 1), :T] for k, v in self.volumes.items()}

    def _fits(self, axis: Any) -> bool:
        """Whether ``axis``'s steps are the first of the model's own (its start, lengths and kind)."""
        T = axis.n_steps
        if T > self.record.n_steps or axis.kind is not self.record.kind:
            return False
        return bool(np.array_equal(np.asarray(axis.starts), np.asarray(self.record.starts)[:T])
                    and np.array_equal(np.asarray(axis.days), np.asarray(self.record.days)[:T]))


def names_text(names: Sequence[str], shown: int = 10) -> str:
    """Names for a message, the first ``shown`` of them where there are more ("a, b, c, … (12 in all)")."""
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])}, … ({len(names)} in all)"


def source_names(source: Any) -> tuple[str, ...] | None:
    """The names of a trace source's traces (its ``names()``), checked: None for a source that does not name them.

    Raises
    ------
    TypeError
        If ``names()`` gives something other than a sequence of texts.
    ValueError
        If it gives no name, or a name twice.
    """
    names = getattr(source, "names", None)
    if not callable(names):
        return None
    got = names()
    if isinstance(got, str | bytes) or not isinstance(got, Sequence) or not all(isinstance(n, str) for n in got):
        shown = short_text(repr(got) if isinstance(got, str | bytes) else got)  # (a text quoted: one name, or none)
        raise TypeError(f"the trace source's names() gave {shown}: give a sequence of texts, trace i's "
                        "name the i-th")
    if not got:
        raise ValueError("the trace source's names() gave no name: give one a trace, trace i's the i-th")
    twice = [repr(n) for n, count in Counter(got).items() if count > 1]
    if twice:
        raise ValueError(f"the trace source's names() gave {names_text(twice)} more than once: give each trace a name "
                         "of its own")
    return tuple(got)


@dataclass(frozen=True)
class StochasticTraces:
    """Inflows from :mod:`daryo.hydrology`: log-normal AR(1) annual flows, correlated between rivers,
    disaggregated to months (the Aral basin generator)."""

    spec: Any  # daryo.hydrology.HydrologySpec
    scenarios: tuple[OverlaySpec, ...] = ()  # overlays whose inflow changes apply to the traces (the model's own)
    basins: tuple[tuple[str, tuple[str, ...]], ...] = ()  # inflow ids per basin, for those changes
    kept: tuple[str, ...] = ()  # headwaters left out: overlays removed them, or gave them inflows of their own

    def describe(self) -> str:
        from ..scenarios.inflows import inflow_changing

        changing = inflow_changing(self.scenarios)
        changed = f", with the inflow changes of {', '.join(changing)}" if changing else ""
        kept = (f"; {', '.join(self.kept)} as the overlays made them (removed, or given inflows of their own)"
                if self.kept else "")
        if set(self.spec.ids) <= set(self.kept):  # (a seasonal forecaster's review: a forecast's series, every
            # headwater's set by an overlay, were recorded as generated traces)
            return ("no traces of daryo.hydrology: every headwater's inflow as the overlays made it (removed, or "
                    f"given inflows of their own: {', '.join(self.kept)})")
        return f"stochastic traces of daryo.hydrology (log-normal AR(1), correlated rivers){changed}{kept}"

    def __call__(self, seed: int, indices: np.ndarray, years: int, axis: Any) -> dict[str, np.ndarray]:
        from ..hydrology import stochastic_traces

        # (every headwater's trace is drawn, so that the others' are those of a run without the overlays)
        q = stochastic_traces(self.spec, np.asarray(indices).tolist(), years, seed, start_month=int(axis.month[0]))
        return self._with_overlays(q, axis)

    def origin(self, seed: int, trace: int, step: int, axis: Any) -> str:
        """Where trace ``trace``'s inflows come from, for a message: generated from (seed, trace) alone."""
        return (f"its inflows are generated by daryo.hydrology from the seed and the trace's number alone: "
                f"daryo ensemble --seed {seed} --traces {trace + 1} makes them again, as its last trace")

    def _with_overlays(self, q: np.ndarray, axis: Any) -> dict[str, np.ndarray]:
        """The traces ``q`` (traces, headwater, steps) of the headwaters not kept, each overlay's inflow changes
        applied."""
        from ..scenarios import transform_inflows

        out = {h: q[:, k, : axis.n_steps] for k, h in enumerate(self.spec.ids) if h not in self.kept}
        if self.scenarios:
            out = transform_inflows(out, self.scenarios, pd.Timestamp(axis.starts[0]), dict(self.basins))
        return out

    def not_followed_by(self, model: Model) -> list[str]:
        """The headwaters whose inflows in ``model`` are not the generator's norm year with the overlays' inflow
        changes (what the embedded model has): a copy of its file with one changed, which this source's traces
        would not follow."""
        from ..hydrology import norm_traces

        axis = model.time.axis()
        norm = norm_traces(self.spec, -(-axis.n_steps // 12) + 1, start_month=int(axis.month[0]))
        differ = []
        for h, want in self._with_overlays(norm, axis).items():
            given = model.node(h).attrs.get("inflow")
            try:
                same = isinstance(given, Series) and np.allclose(given.resolve(axis), want, rtol=1e-9, atol=1e-9)
            except (ValueError, IndexError):  # (a series that does not fit the axis: not the norm year)
                same = False
            if not same:
                differ.append(h)
        return differ


def default_trace_source(model: Model) -> TraceSource:
    """The hydrology generator when the model's inflow nodes are its headwaters, their inflows its norm year
    (the embedded model, or a copy of its file that keeps them; the embedded model built with generated or
    named-year inflows too) and its steps are months (with the inflow changes of the scenario overlays applied to
    the model), else resampling of the model's own traces (whose ``describe`` says why, where the headwaters are
    the generator's but their inflows are not, and, where its inflows have several scenario columns, that
    :class:`ModelColumns` runs them as they are).

    Raises
    ------
    daryo.ModelError
        If the model's overlays change given years of its inflows and its own years are resampled."""
    from ..errors import ModelError
    from ..scenarios import recorded_overlays, year_limited_changes

    scenarios = recorded_overlays(model.metadata)
    source = _generator_for(model, scenarios)
    if source is not None:
        # (the embedded model built with generated or named-year inflows: its ensembles generate their own)
        built = model.metadata.get("hydrology")
        generated = isinstance(built, Mapping) and built.get("kind") not in (None, "norm")
        # (built with generated inflows and some of its own from a CSV file, inflow_csv: those are not the
        # generator's, which would drop them without a word: a climate-services review)
        own = list(built.get("inflow_csv_nodes") or ()) if isinstance(built, Mapping) and generated else []
        edited = own if generated else source.not_followed_by(model)
        if not edited:
            return source
        # (an Aral ecologist's review: a copy of aral.yaml with the Vakhsh halved got the generator's Vakhsh)
        # (a climate-services review: a copy read with its projections as columns was told to use an overlay)
        advice = _columns_advice(model) or ("to change a headwater's flow in generated traces, use an overlay's "
                                           "inflow change on the embedded model")
        why = (f"the inflows of {', '.join(edited)} are not the Aral hydrology generator's norm year, which its "
               f"traces would put back; {advice}")
    else:
        why = _columns_advice(model)
    limited = year_limited_changes(scenarios)
    if limited:  # (applied to the record before resampling, they would land in random run years)
        raise ModelError(limited if not why else [replace(p, message=f"{p.message} ({why})") for p in limited])
    return replace(ResampledTraces.from_model(model), why=why)


def multi_column_inflows(model: Model) -> list[str]:
    """The inflow nodes of ``model`` whose ``inflow`` is a series of several scenario columns (a CSV file's
    ``columns: "*"``), in the model's order."""
    return [n.id for n in model.nodes
            if n.type == "inflow" and isinstance(n.attrs.get("inflow"), Series) and n.attrs["inflow"].n_scenarios > 1]


def _columns_advice(model: Model) -> str:
    """Where ``model``'s inflows have several scenario columns (a CSV file's ``columns: "*"``), that an ensemble
    can run them as they are rather than resample their years, which mixes them; "" where they have one."""
    multi = multi_column_inflows(model)
    if not multi:
        return ""
    n = model.n_scenarios
    return (f"the inflows of {names_text(multi)} have {n} scenario columns, whose years resampling mixes: daryo "
            "ensemble --hydrology columns (daryo.ensemble.ModelColumns) runs them as they are, a trace each")


def _generator_for(model: Model, scenarios: tuple[OverlaySpec, ...]) -> StochasticTraces | None:
    """The hydrology generator's source for ``model`` where its inflow nodes are the generator's headwaters (but
    those its overlays removed or replaced, whose inflow changes apply to the traces) and its steps are months; None
    for any other model, or where no hydrology table can be read."""
    from ..scenarios import replaced_inflows

    if model.time.kind is not StepKind.MONTH:  # (the generator makes monthly traces)
        return None
    try:
        from ..hydrology import load_spec

        spec = load_spec()
        replaced, removed = replaced_inflows(scenarios)
    except Exception:  # noqa: BLE001 - no usable hydrology table: the model's own traces are resampled
        return None
    inflows = {n.id for n in model.nodes if n.type == "inflow"}
    if not spec.ids or not set(spec.ids) <= inflows | removed | replaced:
        return None
    basins = model.metadata.get("basins") or {}
    kept = tuple(h for h in spec.ids if h not in inflows or h in replaced)
    return StochasticTraces(spec, scenarios, tuple((b, tuple(ids)) for b, ids in basins.items()), kept)


def trace_place(source: TraceSource, seed: int, trace: int, step: int, axis: Any) -> str:
    """How an ensemble's message names trace ``trace`` at ``step``: ``trace 8``, and where its inflows come from
    where its source says (a source of the user's need not)."""
    origin = getattr(source, "origin", None)
    text = origin(seed, trace, step, axis) if callable(origin) else ""
    named = callable(getattr(source, "names", None))  # (its traces are its names', not the seed's)
    return (f"trace {trace}" if named else f"trace {trace} of seed {seed}") + (f" ({text})" if text else "")


def run_years(axis: Any) -> np.ndarray:
    """Run year of each step: 0 for the first twelve months from the start (N-day steps and dekads: the steps that
    start before the first anniversary of the start date), then 1, …"""
    starts = pd.DatetimeIndex(axis.starts)
    if axis.monthly:
        return np.asarray((starts.year - starts[0].year) * 12 + starts.month - starts[0].month) // 12
    # (in days: the anniversary after the last step's lies past the dates of pandas' nanosecond timestamps at
    # the end of the range)
    anniversaries = add_years(starts[0], np.arange(starts[-1].year - starts[0].year + 2))
    return np.searchsorted(anniversaries, np.asarray(starts.values, dtype="datetime64[D]"), side="right") - 1
