"""Time series values of model attributes: constants, 12 monthly values, per-step lists and CSV files.

A :class:`Series` is held in canonical units (see :mod:`daryo.units`) and resolved to a per-step array
shaped (scenario, time) against a :class:`~daryo.timeaxis.TimeAxis` by :meth:`Series.resolve`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ModelError, Problem
from ..timeaxis import StepKind, TimeAxis, step_start
from ..units import is_number

__all__ = ["Series", "LevelTable", "MISSING_DATES", "OVERFLOW", "numbers_of"]

#: The :attr:`~daryo.errors.Problem.code` of a CSV series that misses some of a run's step dates.
MISSING_DATES = "missing-dates"
#: The :attr:`~daryo.errors.Problem.code` of a rate too large to be a number over a step (a value above
#: :data:`~daryo.units.MAX_MAGNITUDE`, which validation reports as such)
OVERFLOW = "overflow"


@dataclass(frozen=True, eq=False)
class Series:
    """A time-varying quantity in canonical units.

    Attributes
    ----------
    kind
        ``constant`` (values shape (S,)), ``monthly`` ((S, 12), January first), ``steps`` ((S, N), one value
        per run step) or ``dated`` ((S, N) at ``dates``, the step start dates).
    is_rate
        Values are per day and are multiplied by each step's length in days when resolved (12 monthly rates over
        N-day steps: each day at its month's rate).
    per_month
        ``monthly`` values are totals per calendar month (evaporation depths, amounts in ``hm3/month`` or
        ``GWh/month``): monthly steps take them as they are, N-day steps and dekads the part of each month they
        cover (a 10-day step in a 31-day month 10/31 of it).
    scenarios
        Names of the scenario columns (for CSV series with several columns).
    origin
        Where the series is given, for error messages: (file, place) — the model file and the place in it.
    csv
        The CSV file a ``dated`` series was read from (its messages name it).
    left_out
        What is said of the file's rows left out, dated outside the dates daryo holds, where a run needs a date it
        lacks ("" if none: :attr:`daryo.model.csvseries.CsvSeries.left_out`).
    """

    kind: str
    values: np.ndarray
    is_rate: bool = False
    dates: pd.DatetimeIndex | None = None
    scenarios: tuple[str, ...] | None = None
    origin: tuple[str, str] = ("", "")
    per_month: bool = False
    csv: str = ""
    left_out: str = ""

    @classmethod
    def constant(cls, value: float, is_rate: bool = False, origin: tuple[str, str] = ("", "")) -> Series:
        return cls("constant", np.array([float(value)]), is_rate, origin=origin)

    @property
    def n_scenarios(self) -> int:
        return int(self.values.shape[0])

    def resolve(self, axis: TimeAxis) -> np.ndarray:
        """Values per step, shape (S, T), in canonical per-step units.

        Raises
        ------
        ModelError
            With every way the series does not fit ``axis`` (:meth:`mismatches`), each placed at its
            :attr:`origin`.
        """
        problems = self.mismatches(axis)
        if problems:
            raise ModelError(problems)
        if self.kind == "constant":
            out = np.repeat(self.values[:, None], axis.n_steps, axis=1)
        elif self.kind == "monthly" and self.per_month and not axis.monthly:
            out = self._spread_months(axis)
        elif self.kind == "monthly" and self.is_rate and axis.kind is StepKind.DAYS:
            return self._rates_over_days(axis)  # (a volume per step already)
        elif self.kind == "monthly":
            out = self.values[:, axis.month - 1]
        elif self.kind == "steps":
            out = self.values[:, : axis.n_steps]
        else:
            out = self._align_dates(axis)
        out = np.asarray(out, dtype=float)
        if self.is_rate:
            out = out * axis.days[None, :]
        return out

    def mismatches(self, axis: TimeAxis) -> list[Problem]:
        """Every way the series does not fit ``axis``, each a problem at the series' :attr:`origin` saying what
        is wrong and what to change (a message about a CSV series names its file); empty if it can be resolved
        on ``axis``.

        A ``steps`` series needs a value for each step; a ``dated`` one a row dated at each step's start (else
        the problem's code is :data:`MISSING_DATES`), and no rows between the step starts within the run.  A
        rate's value over the longest step must be a number.
        """
        file, place = self.origin
        found = [*self._fits(axis), (OVERFLOW, self._overflow(axis))]
        return [Problem(file, place, message, code) for code, message in found if message]

    def _fits(self, axis: TimeAxis) -> tuple[tuple[str, str], ...]:
        """(code, message) of each way the series' length or dates do not fit ``axis`` (message "" if none)."""
        if self.kind == "steps" and self.values.shape[1] < axis.n_steps:
            return (("", f"the series has {self.values.shape[1]} values but the time span has {axis.describe()}; "
                     "give one value per step or use a CSV with dates"),)
        if self.kind != "dated":
            return ()
        assert self.dates is not None
        between = self._rows_between_steps(axis)
        if between and np.all(per_step := self._rows_per_step(axis)):  # (dated off the step starts, at month ends
            # say: its step starts are missing, but saying so, and to extend the file, would mislead)
            return (("", self._one_row_off_each_start(axis, per_step) or between),)
        return (MISSING_DATES, self._missing_dates(axis)), ("", between)

    def _rows_per_step(self, axis: TimeAxis) -> np.ndarray:
        """How many rows of the series are dated within each step of ``axis``."""
        assert self.dates is not None
        edges = np.append(axis.starts.values, np.datetime64(axis.end, "ns"))
        return np.diff(np.searchsorted(np.sort(self.dates.values), edges))

    def _one_row_off_each_start(self, axis: TimeAxis, per_step: np.ndarray) -> str:
        """The problem of a series with exactly one row within each step of ``axis`` (``per_step``: the rows within
        each), none at the step's start (a monthly file dated at month ends, say), or "" if it is not one."""
        assert self.dates is not None
        inside = self.dates[(self.dates >= axis.start) & (self.dates < axis.end)]
        if not np.all(per_step == 1) or inside.isin(axis.starts).any():
            return ""
        first = inside.min()
        when = "%Y-%m-%d %H:%M" if np.any(inside.normalize() != inside) else "%Y-%m-%d"  # (a time of day: shown)
        monthly = axis.monthly
        ends = monthly and bool(np.all(inside.is_month_end))
        how = (f"dated at month ends ({first:{when}} for the step of {axis.starts[0]:%Y-%m-%d})" if ends else
               f"dated within each step, not at its start (the first {first:{when}}, in the step of "
               f"{axis.starts[0]:%Y-%m-%d})")
        # (a dataframe parameter takes a monthly file dated at month ends, or on the 1st at a time of day; rows in
        # mid-month, or N-day steps' rows, it refuses as of no regular frequency)
        regular = monthly and (ends or bool(np.all(inside.day == 1)))
        other = (", or read the file with a 'dataframe' parameter (parameters: {NAME: {type: dataframe, csv: …}}, "
                 "then {parameter: NAME, unit: …}), which takes the rows within each month") if regular else ""
        if monthly and bool(np.all((inside.day >= 14) & (inside.day <= 17))):  # (a climate-services review: CMIP6
            # monthly means are stamped at their month's middle, which the dataframe parameter refuses too)
            other = (": these look like the mid-month time stamps of climate model (CF) files, each row its month's "
                     "mean; date each row at its month's 1st (YYYY-MM-01; in pandas, "
                     "dates.dt.to_period('M').dt.to_timestamp())")
        return (f"{self._csv()} has one row per step, {how}, but a CSV series is dated at each step's start "
                f"({_when_steps_start(axis)}): date each row at the start of its step{other}")

    def _overflow(self, axis: TimeAxis) -> str:
        """A rate so large that its volume over a step is no number (1e308 hm³/day over 31 days)."""
        if not self.is_rate or not axis.n_steps or not self.values.size:
            return ""
        largest, days = float(np.abs(self.values).max()), float(np.max(axis.days))
        if math.isfinite(largest * days):
            return ""
        return (f"a rate of {largest:.3g} hm3 per day is too large a number over a step of {days:g} days "
                "(more than 1.8e308)")

    def _spread_months(self, axis: TimeAxis) -> np.ndarray:
        """Monthly totals over N-day steps or dekads: each day takes its month's value over the month's days."""
        days, step = _days_of(axis)
        daily = self.values[:, days.month - 1] / np.asarray(days.days_in_month, dtype=float)[None, :]
        if not axis.n_steps:
            return daily
        return np.add.reduceat(daily, np.flatnonzero(np.r_[True, step[1:] != step[:-1]]), axis=1)

    def _rates_over_days(self, axis: TimeAxis) -> np.ndarray:
        """Monthly rates over N-day steps, as volumes per step: each day at its month's rate, so that a step across
        the end of a month takes each month's rate for its days in it.  (It took the rate of the month it starts in
        for all its days: a weekly modeller's review found a September irrigation demand carried into October, a
        demand's winter water 26.8 hm³ a year on monthly steps and 57.7 on 7-day ones.)  A step within one month
        is its rate times its days, as on other steps."""
        days, step = _days_of(axis)
        days_in_month = np.zeros((axis.n_steps, 12))  # (each step's days in each calendar month)
        np.add.at(days_in_month, (step, days.month - 1), 1.0)
        return np.asarray(self.values, dtype=float) @ days_in_month.T

    def columns_named(self) -> str:
        """The series' scenario columns for a message: ``(wet, dry), of /data/flows.csv,`` (its file named where it
        has one, between commas)."""
        return f"({', '.join(self.scenarios or ())})" + (f", of {self.csv}," if self.csv else "")

    def _csv(self) -> str:
        """The series' source as the start of a message: its CSV file, named."""
        return f"CSV file '{self.csv}'" if self.csv else "the CSV series"

    def _missing_dates(self, axis: TimeAxis) -> str:
        assert self.dates is not None
        missing = np.flatnonzero(self.dates.get_indexer(axis.starts) < 0)
        if not missing.size:
            return ""
        first = axis.starts[missing[0]].strftime("%Y-%m-%d")
        dates = self.dates.sort_values()  # (a file's rows need not be in order: a Chu-Talas modeller's review, "it
        # covers 2004-02-01 to 2004-01-01")
        span = f"{dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d}" if len(dates) else "nothing"
        gaps = np.diff(dates.values).astype("timedelta64[D]").astype(float)
        gap = float(np.median(gaps)) if gaps.size else 0.0
        starts = pd.DatetimeIndex(axis.starts[missing])
        if (gaps.size >= 2 and np.ptp(gaps) <= 4 and gap > 1.5 * float(np.median(axis.days))
                and bool(np.all((starts > dates[0]) & (starts < dates[-1] + pd.Timedelta(days=gap))))):
            # (regular rows, longer than the steps, whose periods hold every date missing; a BWO planner's review:
            # monthly rows at dekads were told to extend the CSV)
            return (f"{self._csv()} has no value for {first} ({missing.size} of the run's {axis.n_steps} step dates "
                    f"are missing): its rows are about {gap:g} days apart, and a series has a row for each of the "
                    f"model's {axis.steps_text()}; give monthly totals as 12 values in hm3/month (or GWh/month), "
                    "or read the file through a dataframe parameter (as a rate: each step takes its mean over its days)"
                    f"{self._left_out()}")
        return (f"{self._csv()} has no value for {first} ({missing.size} of the run's {axis.n_steps} step dates "
                f"are missing); it covers {span}. Extend the CSV or shorten the run{self._left_out()}.")

    def _left_out(self) -> str:
        """The rows of the file left out for their dates (:attr:`left_out`), to end a message with ("" if none)."""
        return f". {self.left_out}" if self.left_out else ""

    def _rows_between_steps(self, axis: TimeAxis) -> str:
        assert self.dates is not None
        inside = (self.dates >= axis.start) & (self.dates < axis.end)
        between = np.flatnonzero(inside & ~self.dates.isin(axis.starts))
        if not between.size:
            return ""
        first = self.dates[between[0]]
        of_step = (f", within the dekad of {step_start(first, axis.kind):%Y-%m-%d}" if axis.kind is StepKind.DEKAD
                   else "")  # (a dekad's rows dated every 10 days from a start, say, drift off the 1st, 11th and 21st)
        return (f"{self._csv()} has rows between the run's step starts ({between.size} of its rows within the "
                f"run, the first dated {first:%Y-%m-%d}{of_step}), which a CSV series would skip: it takes "
                f"one row per step, dated at the step's start ({_when_steps_start(axis)}). Give one row per step, or, "
                "for a file dated at a regular frequency (daily, every N days, monthly…), read it with a 'dataframe' "
                "parameter (parameters: {NAME: {type: dataframe, csv: …}}, then {parameter: NAME, unit: …}), which "
                "takes the mean of the rows in each step")

    def _align_dates(self, axis: TimeAxis) -> np.ndarray:
        """The rows at the step starts (which :meth:`mismatches` has checked are all there)."""
        assert self.dates is not None
        return self.values[:, self.dates.get_indexer(axis.starts)]


def _days_of(axis: TimeAxis) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Every day of ``axis``'s steps, in order, and the step each belongs to."""
    lengths = axis.days.astype(int)
    days = pd.date_range(axis.start, periods=int(lengths.sum()), freq="D")
    return days, np.repeat(np.arange(axis.n_steps), lengths)


@dataclass(frozen=True, eq=False)
class LevelTable:
    """Level–volume–area relation of a reservoir (volume hm³, level m a.s.l., area km²)."""

    volume: np.ndarray
    level: np.ndarray | None
    area: np.ndarray | None

    def level_at(self, volume: np.ndarray) -> np.ndarray:
        if self.level is None:
            raise ValueError("the level table has no levels")
        return np.interp(volume, self.volume, self.level)

    def area_at(self, volume: np.ndarray) -> np.ndarray:
        if self.area is None:
            return np.zeros_like(np.asarray(volume, dtype=float))
        return np.interp(volume, self.volume, self.area)


def numbers_of(value: object) -> np.ndarray | None:
    """The numbers of an attribute's value: a series' values, or one number as an array of one; None for anything
    else (a parameter reference, text)."""
    if isinstance(value, Series):
        return value.values
    if is_number(value):
        return np.array([float(value)])
    return None


def is_nonzero(value: object) -> bool:
    """Whether an attribute's ``value`` is other than nothing and 0: a number other than 0 in some step, or a
    parameter (whose values are not known before the run); a cost that gives its flow a value, say."""
    numbers = numbers_of(value)
    return bool(np.any(numbers != 0)) if numbers is not None else value is not None


def _when_steps_start(axis: TimeAxis) -> str:
    """When the steps of ``axis`` start, for a message: ``the 1st of each month``, ``the 1st, 11th and 21st of
    each month`` (dekads), ``every 10 days from 2001-01-01``, ``every day from 2001-01-01``."""
    if axis.monthly:
        return "the 1st of each month"
    if axis.step_days is None:
        return "the 1st, 11th and 21st of each month: dekads"
    every = "every day" if axis.step_days == 1 else f"every {axis.step_days} days"
    return f"{every} from {axis.start:%Y-%m-%d}"
