"""The ``dataframe`` parameter: a CSV file's time series, aligned to a run's steps."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np
import pandas as pd

from ..errors import ModelError, Problem
from ..timeaxis import TimeAxis
from .base import Parameter, StaticEnv


@dataclass(frozen=True, eq=False)
class DataFrame(Parameter):
    """A time series from a CSV file, aligned to the run's steps (see :func:`align_to_steps`).

    ``aligned`` holds the file already aligned to one time axis (:meth:`for_axis`), which a run on that axis
    uses instead of aligning again.
    """

    csv: str = ""
    frame: pd.DataFrame | None = None  # date index, the selected value columns
    path: str = ""  # the file's full path, and the model file that names it, for messages
    model_file: str = ""
    left_out: str = ""  # a sentence on the file's rows left out for their dates, for messages (CsvSeries.left_out)
    scenario: str | None = None
    timestep_offset: int = 0
    aligned: tuple[TimeAxis, np.ndarray] | None = None  # (axis, (T, C) values of the file on its steps)
    type_name: ClassVar[str] = "dataframe"

    def scenarios(self) -> tuple[str, ...]:
        return (self.scenario,) if self.scenario else ()

    def for_axis(self, axis: TimeAxis) -> DataFrame:
        """This parameter with its file aligned to ``axis`` once, for repeated runs on that axis.

        Parameters
        ----------
        axis
            The time axis of the runs.

        Raises
        ------
        ModelError
            If the file cannot be aligned to the axis (as a run would).
        """
        values = self._values_on(axis)
        values.flags.writeable = False
        return replace(self, aligned=(axis, values))

    def _values_on(self, axis: TimeAxis) -> np.ndarray:
        """The file's values per step of ``axis``, shape (T, C)."""
        if self.aligned is not None and self.aligned[0] == axis:
            return self.aligned[1]
        assert self.frame is not None
        return align_to_steps(self.frame, axis, self.path or self.csv, self.place, self.model_file, self.left_out)

    def static(self, env: StaticEnv, x: list[np.ndarray]) -> np.ndarray:
        values = self._values_on(env.axis)  # (T, C)
        if self.timestep_offset:
            pos = np.clip(np.arange(env.axis.n_steps) + self.timestep_offset, 0, len(values) - 1)
            values = values[pos]
        if self.scenario is None:
            return values[:, 0][None, :].copy()
        idx = env.scenario_index[self.scenario][: env.n_scenarios]
        return values[:, idx].T


def align_frames(params: Mapping[str, Parameter], axis: TimeAxis) -> dict[str, Parameter]:
    """The parameters with every ``dataframe`` parameter's file aligned to ``axis`` once (:meth:`DataFrame.for_axis`),
    so that compiling a model repeatedly on that axis (the chunks of an ensemble) does not align the files again.

    Parameters
    ----------
    params
        A model's parameters.
    axis
        The time axis of the runs.

    Returns
    -------
    dict
        The same parameters, the ``dataframe`` ones replaced by their aligned copies.
    """
    return {k: p.for_axis(axis) if isinstance(p, DataFrame) else p for k, p in params.items()}


def align_to_steps(frame: pd.DataFrame, axis: TimeAxis, source: str, place: str, model_file: str = "",
                   left_out: str = "") -> np.ndarray:
    """Values of ``frame`` per run step, shape (T, columns).

    The rows' dates are read as periods of the file's own frequency (inferred, as Pywr does: daily, N-day,
    weekly, months, quarters, half years or years dated at their first or their last day…; see
    :func:`_row_periods`).  Where the file's periods are no longer than the
    step, the step takes the mean of the rows whose period starts within it; where they are longer (a coarser
    file), each day of the step takes the value of the row whose period contains it, and the step the mean of
    its days.  A problem names ``model_file`` (if given), the file ``source`` and the parameter's ``place``; one of
    rows or days missing ends with ``left_out``, a sentence on the file's rows left out for dates outside those
    daryo holds (:attr:`daryo.model.csvseries.CsvSeries.left_out`), if any.
    """
    def fail(msg: str, then: str = "") -> ModelError:  # (then: a sentence to end the message with)
        msg = f"{msg.removesuffix('.')}. {then}." if then else msg
        if model_file:
            return ModelError(Problem(model_file, source, f"{msg} (read for {place})"))
        return ModelError(Problem(source, place, msg))

    idx = pd.DatetimeIndex(frame.index)
    if len(idx) < 3:
        rows = "no rows" if len(idx) == 0 else f"only {len(idx)} row{'s' if len(idx) > 1 else ''}"
        raise fail(f"the file has {rows} of values; daryo, like Pywr, needs at least 3 to tell how often they "
                   f"come (daily, N-day, monthly…)", left_out)
    freq = pd.infer_freq(idx)
    if freq is None:
        raise fail(_missing_dates(idx) or "the dates of the file have no regular frequency (daily, N-day, "
                   "monthly…); daryo, like Pywr, needs one to align the file to the steps", left_out)
    begin, end = _row_periods(idx, freq, fail)
    values = frame.to_numpy(dtype=float)
    starts = axis.starts.values.astype("datetime64[D]")
    span = axis.days.astype("timedelta64[D]")
    stops = starts + span
    # a regular frequency orders the rows by date, so begin and end ascend: the rows starting within step t are
    # first[t]:first[t] + count[t], and those overlapping it (beginning before its stop, ending after its start)
    # overlap[t]:first[t] + count[t]
    first = np.searchsorted(begin, starts)
    after = np.searchsorted(begin, stops)
    count = after - first
    overlap = np.searchsorted(end, starts, side="right")
    too_long = np.zeros(axis.n_steps, dtype=bool)  # a row overlapping the step is longer than the step
    for n_days in np.unique(span):  # a few step lengths (28 to 31 days for months)
        n_longer = np.concatenate([[0], np.cumsum(end - begin > n_days)])  # rows longer than n_days before i
        at = span == n_days
        too_long[at] = n_longer[after[at]] > n_longer[overlap[at]]
    by_rows = (count > 0) & ~too_long
    # every day of every step up to the run's last day must lie in a row's period, whichever way the step is
    # then averaged: a step that the file covers only in part is refused, not averaged over the days it has.
    # The days of the last step after the run's last day (an N-day run's last step overhangs its end) need no
    # value; the step is the mean over the days the file has, as Pywr's resampling takes it.
    n_days = span.astype(int)
    days = np.repeat(starts, n_days) + _ranges(np.zeros_like(n_days), n_days).astype("timedelta64[D]")
    pos = np.searchsorted(begin, days, side="right") - 1  # the row whose period contains the day, if any
    ok = (pos >= 0) & (days < end[np.maximum(pos, 0)])
    needed = days <= np.datetime64(axis.last_day, "D") if axis.last_day is not None else np.ones_like(ok)
    if not np.all(ok | ~needed):
        raise fail(_missing_days(days, ok | ~needed, n_days, axis, begin[0], end[-1] - np.timedelta64(1, "D")),
                   left_out)
    out = np.empty((axis.n_steps, values.shape[1]))
    steps = np.flatnonzero(by_rows)  # each the mean of the rows starting within it
    out[steps] = _run_means(values, _ranges(first[steps], count[steps]), count[steps])
    steps = np.flatnonzero(~by_rows)  # each the mean of its days (those the file has), a day taking its row
    kept = np.bincount(np.repeat(np.arange(axis.n_steps), n_days), weights=ok, minlength=axis.n_steps)
    out[steps] = _run_means(values, pos[np.repeat(~by_rows, n_days) & ok], kept[steps].astype(int))
    return out


#: Months per row (times the offset's n) of the calendar frequencies pandas infers, by the row's place in its
#: period: rows dated at its first day (``MS``, ``QS-OCT``, ``YS-OCT``, and their business-day twins ``BMS``…,
#: the period's first working day) and rows dated at its last day (``ME``, ``QE-SEP``, ``YE-SEP``, ``BME``…).
_STARTS: dict[type, int] = {pd.offsets.MonthBegin: 1, pd.offsets.BusinessMonthBegin: 1, pd.offsets.QuarterBegin: 3,
                            pd.offsets.BQuarterBegin: 3, pd.offsets.YearBegin: 12, pd.offsets.BYearBegin: 12}
_ENDS: dict[type, int] = {pd.offsets.MonthEnd: 1, pd.offsets.BusinessMonthEnd: 1, pd.offsets.QuarterEnd: 3,
                          pd.offsets.BQuarterEnd: 3, pd.offsets.YearEnd: 12, pd.offsets.BYearEnd: 12}


def _row_periods(idx: pd.DatetimeIndex, freq: str, fail: Callable[[str], ModelError]
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The first day and the day after the last of each row's period, as ``datetime64[D]``, for rows dated at
    ``freq`` (pandas' inference): daily, N-day and weekly rows each cover the days from their date to the next
    row's (the N days starting on it); calendar rows cover the months from theirs, built by month arithmetic from
    the inferred offset itself rather than by pandas' ``to_period``, which reads a year dated 1 October
    (``YS-OCT``) as the calendar year and has no period for a half year dated 1 October and 1 April
    (``2QS-OCT``):

    - a row dated at its period's first day (``MS``, ``QS-…``, ``YS-…``, ``2QS-OCT`` for half years) covers the
      period starting there, up to the next row's date: ``2000-10-01`` of a file of water years covers October 2000
      to September 2001;
    - a row dated at its period's last day (``ME``, ``QE-…``, ``YE-…``) covers the period ending there, from the
      day after the previous row's date: ``2001-09-30`` covers October 2000 to September 2001 too.

    Rows dated at a period's first or last working day (``BMS``, ``BYE-SEP``…) cover the same calendar periods.
    Computed in days and months (NumPy's units), not nanoseconds, so that no period near the first or last date
    pandas holds overflows.

    Raises
    ------
    ModelError
        (``fail``) For dates finer than daily, or at a frequency that makes no periods of whole days (business
        days, a weekday of each month).
    """
    offset = pd.tseries.frequencies.to_offset(freq)
    if isinstance(offset, pd.offsets.Tick | pd.offsets.Week):
        spacing = (idx[1] - idx[0]).to_numpy().astype("timedelta64[D]")
        if spacing < np.timedelta64(1, "D"):
            raise fail(f"the file's frequency ({freq}) is finer than daily, which daryo does not read")
        begin = idx.values.astype("datetime64[D]")
        return begin, begin + spacing  # a row covers [its date, the next date)
    months = offset.n * _STARTS.get(type(offset), _ENDS.get(type(offset), 0))
    if months <= 0:
        what = _UNREAD.get(type(offset), "no calendar period")
        raise fail(f"the file's dates come at pandas' frequency {freq} ({what}), of which daryo cannot tell the "
                   "days each row covers: give one row per day, per N days or weeks, or per month, quarter, half "
                   "year or year, dated at its first or its last day")
    month = idx.values.astype("datetime64[M]")  # (each row's calendar month)
    if type(offset) in _STARTS:
        return month.astype("datetime64[D]"), (month + months).astype("datetime64[D]")
    return (month + 1 - months).astype("datetime64[D]"), (month + 1).astype("datetime64[D]")


#: What the frequencies pandas infers that make no periods of days are, for a message.
_UNREAD: dict[type, str] = {pd.offsets.BusinessDay: "working days, no rows at weekends",
                            pd.offsets.CustomBusinessDay: "working days",
                            pd.offsets.WeekOfMonth: "one weekday of each month",
                            pd.offsets.LastWeekOfMonth: "the last of one weekday of each month"}


def _missing_dates(idx: pd.DatetimeIndex) -> str | None:
    """The message for a file whose dates are a regular series with rows missing (every N days, or the starts or
    ends of every N months: months, quarters, years): the first missing dates; None if the dates are not such a
    series."""
    if len(idx) < 3 or not idx.is_monotonic_increasing or idx.has_duplicates:
        return None
    if idx.is_month_start.all() or idx.is_month_end.all():  # months, quarters, years: by month number
        months = np.asarray(idx.year * 12 + idx.month)
        step = int(np.min(np.diff(months)))  # (12: a file of years, 6: of half years)
        if step < 1 or np.any(np.diff(months) % step):
            return None
        full = np.arange(months[0], months[-1] + 1, step)
        missing = full[~np.isin(full, months)]
        dates = [pd.Timestamp(year=int((m - 1) // 12), month=int((m - 1) % 12 + 1), day=1) for m in missing[:3]]
        if idx.is_month_end.all():
            dates = [d + pd.offsets.MonthEnd(0) for d in dates]
    else:
        days = idx.values.astype("datetime64[D]").astype(np.int64)
        step = int(np.min(np.diff(days)))
        if step < 1 or np.any(np.diff(days) % step) or np.any(idx.normalize() != idx):
            return None
        full = np.arange(days[0], days[-1] + 1, step)
        missing = full[~np.isin(full, days)]
        dates = [pd.Timestamp(np.datetime64(int(d), "D")) for d in missing[:3]]
    if not missing.size:
        return None
    listed = ", ".join(f"{d:%Y-%m-%d}" for d in dates) + (f" and {missing.size - 3} more" if missing.size > 3 else "")
    return (f"the file has rows missing from its regular dates: no row for {listed}. Fill them in (daryo, like "
            "Pywr, needs a regular frequency to align the file to the steps)")


def _missing_days(days: np.ndarray, ok: np.ndarray, n_days: np.ndarray, axis: TimeAxis, first: np.datetime64,
                  last: np.datetime64) -> str:
    """The message for the first step that the file does not cover fully: its missing days (``days`` of every
    step, ``n_days`` per step, ``ok`` where a row covers the day), the step, and the days the file covers."""
    miss = int(np.argmin(ok))  # the first missing day, in the first step missing one
    t = int(np.searchsorted(np.cumsum(n_days), miss, side="right"))
    lo = int(np.sum(n_days[:t]))
    gaps = days[lo: lo + n_days[t]][~ok[lo: lo + n_days[t]]]
    breaks = np.flatnonzero(np.diff(gaps) > np.timedelta64(1, "D"))
    runs = [(gaps[a], gaps[b]) for a, b in zip(np.r_[0, breaks + 1], np.r_[breaks, gaps.size - 1], strict=True)]
    text = " and ".join(f"{pd.Timestamp(a):%Y-%m-%d}" + ("" if a == b else f" to {pd.Timestamp(b):%Y-%m-%d}")
                        for a, b in runs)
    return (f"the file has no value for {text} ({gaps.size} of the {n_days[t]} days of the step starting "
            f"{axis.starts[t]:%Y-%m-%d}); its rows cover {pd.Timestamp(first):%Y-%m-%d} to "
            f"{pd.Timestamp(last):%Y-%m-%d}. A step needs values for all its days: extend the file or shorten the "
            "run.")


def _ranges(first: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The integer ranges ``first[i]:first[i] + counts[i]`` one after the other, shape (counts.sum(),)."""
    offsets = np.cumsum(counts) - counts
    return np.repeat(first - offsets, counts) + np.arange(int(counts.sum()))


def _run_means(values: np.ndarray, pos: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Mean of the rows of ``values`` at each run of ``pos`` (runs of ``counts[i]`` positions one after the
    other), shape (len(counts), columns).

    Runs of equal length are averaged together, with the reduction of ``values[run].mean(axis=0)``, so the
    means are the same to the bit as averaging run by run.
    """
    out = np.empty((len(counts), values.shape[1]))
    offsets = np.cumsum(counts) - counts
    for n in np.unique(counts):
        runs = np.flatnonzero(counts == n)
        out[runs] = values[pos[offsets[runs, None] + np.arange(n)]].mean(axis=1)
    return out
