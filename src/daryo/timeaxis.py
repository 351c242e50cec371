"""The time axis of a run: calendar-monthly steps, dekads (thirds of a month) or fixed N-day steps.

A dekad is the 1st–10th, the 11th–20th or the 21st to the month's end (8–11 days): the step in which Central
Asia's basin organisations (BWO Syrdarya, BWO Amudarya, ICWC) plan and report water.

The hydrological year runs October–September and is labelled by the calendar year in which it ends
(October 2000 – September 2001 is hydrological year 2001).  Seasons follow ICWC practice: ``winter``
(non-growing season, October–March) and ``summer`` (growing season, April–September).
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from .errors import short_text

__all__ = ["FIRST_DATE", "LAST_DATE", "MAX_STEP_DAYS", "StepKind", "TimeAxis", "add_years", "days_between",
           "dekad_days", "dekad_of_day", "dekad_starts", "hydrological_year", "latest_start", "most_years",
           "parse_date", "parse_end", "season_of_month", "solar_hijri_hint", "span_problem", "step_days", "step_kind",
           "step_label", "step_label_days", "step_label_kind", "step_start", "years_problem", "years_span"]


class StepKind(enum.Enum):
    """The kind of a run's steps: calendar months, dekads, or fixed N-day steps."""

    MONTH = "month"  #: calendar months of 28–31 days
    DEKAD = "dekad"  #: the 1st–10th, 11th–20th and 21st to the month's end (8–11 days)
    DAYS = "days"  #: fixed N-day steps, which drift across months

    @classmethod
    def of(cls, step_days: int | None, dekads: bool = False) -> StepKind:
        """The kind of steps of ``step_days`` days (None: calendar steps, months or, with ``dekads``, dekads)."""
        if step_days is not None:
            return cls.DAYS
        return cls.DEKAD if dekads else cls.MONTH


#: The words of a ``time.step`` of calendar months, and of dekads ("декада": Russian usage).
MONTH_WORDS, DEKAD_WORDS = ("month", "M", "monthly"), ("dekad", "dekads", "dekadal", "декада")

#: The longest N-day step (a hundred years): longer ones run past the dates pandas can hold.
MAX_STEP_DAYS = 36_525

#: The first and last day a run's steps can cover: the dates of pandas' nanosecond timestamps (1677-09-21 to
#: 2262-04-11), in whole years.
FIRST_DATE, LAST_DATE = pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31")


def span_problem(start: pd.Timestamp, end: pd.Timestamp, step_days: int | None = None) -> str | None:
    """Why a run from ``start`` to ``end`` (its last day) cannot have a time axis, or None if it can: it starts
    before :data:`FIRST_DATE`, or its last step (the month of ``end``, or ``step_days`` from a start at or before
    ``end``) ends after :data:`LAST_DATE`."""
    reach = pd.Timedelta(days=step_days - 1 if step_days else 0)  # from the last day to the last step's end, at most
    if start >= FIRST_DATE and end <= LAST_DATE - reach:  # (no arithmetic on dates outside the range: it overflows)
        return None
    steps = f"its steps (of {step_days} days)" if step_days else "its steps"
    return (f"the run from {start:%Y-%m-%d} to {end:%Y-%m-%d} lies outside the dates a time axis can hold: {steps} "
            f"must lie between {FIRST_DATE:%Y-%m-%d} and {LAST_DATE:%Y-%m-%d}{solar_hijri_hint(start.year)}")


def solar_hijri_hint(year: int) -> str:
    """For a year from 1300 to 1500, before the dates daryo holds: that it is almost surely a year of the Solar
    Hijri calendar, in which Afghan and Iranian data are dated, and how its dates become Gregorian ones ("" for
    another year).

    Parameters
    ----------
    year
        The year of a date that is refused.

    Returns
    -------
    str
        The hint, to end a message with (it starts with "; ").
    """
    if not 1300 <= year <= 1500:
        return ""
    return (f"; a year {year} is most likely one of the Solar Hijri calendar (as Afghan and Iranian data are "
            "dated): daryo's dates are Gregorian, so convert Solar Hijri dates to Gregorian ones first (1 Hamal, "
            f"or Farvardin, {year} is about 21 March {year + 621})")


def years_problem(start: pd.Timestamp, years: int, date_format: str = "%Y-%m-%d") -> str | None:
    """Why ``years`` whole years from ``start`` (written as ``date_format``) cannot have a time axis, or None if
    they can: their last day, the day before the ``years``-th anniversary of ``start``, lies after
    :data:`LAST_DATE` (1678-01 and 584 years end on 2261-12-31: they fit).  Counted in days, which do not
    overflow."""
    if add_years(start, years) <= np.datetime64(LAST_DATE, "D") + 1:
        return None
    most = most_years(start)
    fit = f"at most {most} whole year{'s' * (most != 1)} from it end by then" if most else "no whole year from it does"
    return (f"{years} year{'s' * (years != 1)} from {start:{date_format}} run past {LAST_DATE:%Y-%m-%d}, the last "
            f"date a time axis can hold: {fit}")


def most_years(start: pd.Timestamp) -> int:
    """The most whole years from ``start`` that end by :data:`LAST_DATE` (0 for a start after 1 January 2261)."""
    return max(LAST_DATE.year + 1 - start.year - (0 if (start.month, start.day) == (1, 1) else 1), 0)


def latest_start(years: int) -> pd.Timestamp:
    """The latest month's first day from which ``years`` whole years end by :data:`LAST_DATE`: January of the year
    ``years`` before the one after it."""
    return pd.Timestamp(year=LAST_DATE.year + 1 - years, month=1, day=1)


def add_years(days: object, years: object) -> np.ndarray:
    """``days`` plus ``years`` whole years, as pandas' ``DateOffset(years=…)`` adds them (the same day of the same
    month; 29 February on 28 February of a common year), computed in NumPy's days, which hold any year: pandas'
    nanosecond timestamps overflow past 2262-04-11, and differences between them past 292 years.

    Parameters
    ----------
    days
        Dates: a :class:`pandas.Timestamp`, a ``datetime64`` or an array of them.
    years
        Whole years to add (an int or an array, broadcast against ``days``).

    Returns
    -------
    numpy.ndarray
        The dates, ``datetime64[D]``.
    """
    day = np.asarray(days, dtype="datetime64[D]")
    month = day.astype("datetime64[M]")
    later = month + 12 * np.asarray(years)
    first = later.astype("datetime64[D]")
    length = (later + 1).astype("datetime64[D]") - first  # (the days of that month)
    return first + np.minimum(day - month.astype("datetime64[D]"), length - np.timedelta64(1, "D"))


def days_between(first: pd.Timestamp, last: pd.Timestamp) -> int:
    """The days from ``first`` to ``last`` (their dates), counted without pandas' ``Timedelta``, which overflows
    for spans over 292 years."""
    return last.toordinal() - first.toordinal()


def step_start(day: pd.Timestamp, kind: StepKind) -> pd.Timestamp:
    """The first day of the step of ``kind`` that contains ``day``: its month's 1st (months), its dekad's 1st, 11th
    or 21st (dekads), the day itself (N-day steps, which start where the run does)."""
    if kind is StepKind.MONTH:
        return day.to_period("M").to_timestamp()
    if kind is StepKind.DEKAD:
        return day.to_period("M").to_timestamp() + pd.Timedelta(days=10 * int(dekad_of_day(day.day)))
    return day


def years_span(start: pd.Timestamp, years: int, kind: StepKind) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last day of ``years`` whole years from ``start`` (from the start of the step of ``kind`` that
    contains it, :func:`step_start`: monthly steps begin on the 1st, and so do the years counted from it).

    Raises
    ------
    ValueError
        If the years run past :data:`LAST_DATE` (:func:`years_problem`).
    """
    s = step_start(start, kind)
    if (why := years_problem(s, years)) is not None:
        raise ValueError(why)
    return s, s + pd.DateOffset(years=years) - pd.Timedelta(days=1)  # (by 2262-01-01: checked above)


_YEAR_MONTH = re.compile(r"\s*\d{4}-\d{1,2}\s*")
_DATE_TEXT = re.compile(r"\d{4}-\d{1,2}(-\d{1,2})?")


def parse_date(value: object, *, any_form: bool = False, end: bool = False) -> pd.Timestamp:
    """A date given as ``YYYY-MM`` (the month's first day) or ``YYYY-MM-DD``, or as a date object (YAML reads
    ``2000-10-01`` as one; a time of day other than midnight is refused).

    Parameters
    ----------
    value
        The date.
    any_form
        Take any text :class:`pandas.Timestamp` reads as a date (Pywr's timestepper does), not only the two
        forms above: ``01/02/2000`` is then 2 January, ``2000`` the first of January.
    end
        The date is a run's end: a year alone (``2025``) is told the month that ends a year (September of the
        hydrological year, October–September, or December), not the month that starts one.

    Raises
    ------
    ValueError
        If it is not a date: another form (``01/02/2000`` reads as 1 February or 2 January; ``2000`` as no
        month), no such day (``2000-02-30``), unreadable, empty or "NaN" (pandas' "not a time"), with a time zone
        or a time of day.
    """
    text = str(value).strip()
    if text.lower() in ("now", "today", "tomorrow", "yesterday"):  # (pandas reads them off the clock)
        raise ValueError(f"'{value}' is not a date: give YYYY-MM or YYYY-MM-DD")
    if not (any_form or isinstance(value, datetime.date) or _DATE_TEXT.fullmatch(text)):
        hint = _year_alone_hint(text, end) if re.fullmatch(r"\d{4}", text) else ""
        if isinstance(value, float):  # (YAML reads 09.2020 as 9.202, which the message quoted as if typed)
            hint = (" but a number (a date written with a dot, 09.2020, is read as the number 9.202): write it as "
                    "YYYY-MM, e.g. 2020-09")
        raise ValueError(f"'{value}' is not a date of the form YYYY-MM or YYYY-MM-DD{hint}")
    try:
        day = value if isinstance(value, pd.Timestamp) else pd.Timestamp(text)
    except (ValueError, OverflowError) as exc:
        reason = str(exc).split("\n")[0].split(": ")[0]
        raise ValueError(f"'{value}' is not a date: {reason}") from None
    if pd.isna(day):
        raise ValueError(f"'{value}' is not a date")
    if day.tzinfo is not None:
        raise ValueError(f"'{value}' has a time zone; give a date without one")
    if not any_form and day != day.normalize():
        raise ValueError(f"'{value}' has a time of day; give a date (YYYY-MM-DD)")
    return day


def _year_alone_hint(year: str, end: bool) -> str:
    """What a run's start or ``end`` written as a ``year`` alone should give: the month a hydrological year
    (October–September) starts or ends in that year, or a calendar year's (a Chu-Talas modeller's review: ``end:
    2025`` was told "e.g. 2025-10", the start of a year, not the end of the hydrological year that ends in 2025)."""
    if end:
        return (f" (a year alone: give its month, e.g. {year}-09 to end with the hydrological year "
                f"{int(year) - 1}/{year[-2:]}, October–September, or {year}-12 with the calendar year)")
    return (f" (a year alone: give its month, e.g. {year}-10 to start with the hydrological year "
            f"{year}/{(int(year) + 1) % 100:02d}, October–September, or {year}-01 with the calendar year)")


def parse_end(end: object) -> pd.Timestamp:
    """The last day of a run that ends at ``end`` (a model's ``time.end``, or ``--end``).

    A month, ``YYYY-MM``, is read as its last day: the run covers the whole month, with monthly steps (the
    month is the last step), dekads (its third dekad is) and N-day steps (up to the step that contains the month's
    last day) alike.
    Any other date is that day.

    Raises
    ------
    ValueError
        If ``end`` is not a date (:func:`parse_date`).
    """
    day = parse_date(end, end=True)
    if isinstance(end, pd.Timestamp):
        return day
    text = str(end)
    if _YEAR_MONTH.fullmatch(text):
        day = day + pd.offsets.MonthEnd(0)
    return day


def step_label(step_days: int | None, dekads: bool = False) -> str:
    """The step length as a results file labels it (its ``time_step`` attribute): ``month``, ``dekad`` (with
    ``dekads`` and no ``step_days``) or ``N days``."""
    kind = StepKind.of(step_days, dekads)
    return f"{step_days} days" if kind is StepKind.DAYS else kind.value


def step_label_days(label: object) -> int | None:
    """The N of a :func:`step_label` ``N days`` (None: calendar months or dekads, or a label of another kind)."""
    words = str(label).split()
    return int(words[0]) if len(words) == 2 and words[1] == "days" and words[0].isdigit() else None


def step_label_kind(label: object) -> StepKind:
    """The kind of steps of a :func:`step_label` (a label of no kind it writes: calendar months, as results
    written before the label had it)."""
    if step_label_days(label) is not None:
        return StepKind.DAYS
    return StepKind.DEKAD if str(label) == StepKind.DEKAD.value else StepKind.MONTH


def step_kind(step: object) -> StepKind:
    """The kind of a model's ``time.step``: ``month`` (or ``monthly``, ``M``), ``dekad`` (or ``dekads``,
    ``dekadal``, ``декада``), or N days (:func:`step_days`).

    Raises
    ------
    ValueError
        If it is none of these.
    """
    if isinstance(step, str) and step in DEKAD_WORDS:
        return StepKind.DEKAD
    return StepKind.of(step_days(step))


def step_days(step: object) -> int | None:
    """Days per step of a model's ``time.step``: None for calendar steps (``month``; ``dekad``: see
    :func:`step_kind`), N for ``{days: N}`` or ``N`` (a whole number from 1 to 36,525, a hundred years).

    Raises
    ------
    ValueError
        For anything else.
    """
    if isinstance(step, str) and (step in MONTH_WORDS or step in DEKAD_WORDS):
        return None
    if isinstance(step, Mapping) and set(step) != {"days"}:
        raise ValueError(f"'{short_text(step)}' is not a step: a step mapping has only 'days'")
    days = step.get("days") if isinstance(step, Mapping) else step
    if isinstance(days, int) and not isinstance(days, bool) and 0 < days <= MAX_STEP_DAYS:
        return days
    raise ValueError(f"'{short_text(step)}' is not a step")


def dekad_of_day(day: object) -> np.ndarray:
    """The dekad of the month (0, 1, 2) in which each day of the month (1–31) lies."""
    return np.minimum((np.asarray(day) - 1) // 10, 2)


def _dekad_index(day: pd.Timestamp) -> int:
    """Dekads from the start of the year 0 to the dekad that contains ``day``."""
    return int(day.year * 36 + (day.month - 1) * 3 + dekad_of_day(day.day))


def dekad_starts(first: pd.Timestamp, n: int) -> pd.DatetimeIndex:
    """The first days of ``n`` dekads from the one that contains ``first``."""
    index = _dekad_index(first) + np.arange(n)
    months = (index // 36 - 1970) * 12 + (index % 36) // 3  # (months since 1970-01, as numpy counts them)
    return pd.DatetimeIndex(months.astype("datetime64[M]").astype("datetime64[ns]")
                            + (index % 3 * 10).astype("timedelta64[D]"))


def dekad_days(starts: pd.DatetimeIndex) -> np.ndarray:
    """The days of the dekads that start on ``starts`` (each a dekad's first day): 10, 10 and 8–11."""
    day = np.asarray(starts.day)
    return np.where(day < 21, 10.0, np.asarray(starts.days_in_month, dtype=float) - 20)


def hydrological_year(months: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Hydrological year (Oct–Sep) labelled by its ending calendar year."""
    return np.where(np.asarray(months) >= 10, np.asarray(years) + 1, np.asarray(years))


def season_of_month(months: np.ndarray) -> np.ndarray:
    """``"winter"`` for October–March, ``"summer"`` for April–September."""
    m = np.asarray(months)
    return np.where((m >= 4) & (m <= 9), "summer", "winter")


@dataclass(frozen=True)
class TimeAxis:
    """Step start dates and lengths.

    Parameters
    ----------
    start
        First step start (a month start for monthly steps, a dekad start for dekads).
    n_steps
        Number of steps.
    step_days
        ``None`` for calendar steps (months, or dekads with ``dekads``), else the fixed step length in days.
    last_day
        The run's last day, where it ends inside the last step (an N-day run's last step runs past its end):
        data files need no values after it.  ``None``: the last step's last day.  Not part of the axis's
        identity (equality compares the steps).
    dekads
        With no ``step_days``: the steps are dekads, not months.  :attr:`kind` says which.
    """

    start: pd.Timestamp
    n_steps: int
    step_days: int | None = None
    last_day: pd.Timestamp | None = field(default=None, compare=False)
    dekads: bool = False

    @classmethod
    def from_range(cls, start: str | pd.Timestamp, end: str | pd.Timestamp, step_days: int | None = None,
                   dekads: bool = False) -> TimeAxis:
        """Steps from ``start`` (with calendar steps, the start of the month or dekad it lies in) up to and
        including the step containing ``end``; an ``end`` given as text is read by :func:`parse_end`
        (``"2001-09"`` is 30 September 2001)."""
        s, e = pd.Timestamp(start), parse_end(end)
        kind = StepKind.of(step_days, dekads)
        s = step_start(s, kind)
        if kind is StepKind.MONTH:
            n = (e.year - s.year) * 12 + (e.month - s.month) + 1
        elif step_days is None:  # dekads
            n = _dekad_index(e) - _dekad_index(s) + 1
        else:
            n = days_between(s, e) // step_days + 1
        return cls(s, max(int(n), 0), step_days, e.normalize(), kind is StepKind.DEKAD)

    @property
    def kind(self) -> StepKind:
        """Whether the steps are calendar months, dekads or N days."""
        return StepKind.of(self.step_days, self.dekads)

    @property
    def monthly(self) -> bool:
        """Whether the steps are calendar months."""
        return self.kind is StepKind.MONTH

    @cached_property
    def starts(self) -> pd.DatetimeIndex:
        if self.kind is StepKind.MONTH:
            return pd.date_range(self.start, periods=self.n_steps, freq="MS")
        if self.kind is StepKind.DEKAD:
            return dekad_starts(self.start, self.n_steps)
        return pd.date_range(self.start, periods=self.n_steps, freq=f"{self.step_days}D")

    @cached_property
    def days(self) -> np.ndarray:
        """Length of each step in days, shape (T,)."""
        if self.kind is StepKind.MONTH:
            return np.asarray(self.starts.days_in_month, dtype=float)
        if self.kind is StepKind.DEKAD:
            return dekad_days(self.starts)
        return np.full(self.n_steps, float(self.step_days or 0))

    def steps_text(self) -> str:
        """The kind of steps, for a message: ``monthly steps``, ``dekads``, ``10-day steps``."""
        return {StepKind.MONTH: "monthly steps", StepKind.DEKAD: "dekads"}.get(self.kind, f"{self.step_days}-day steps")

    @cached_property
    def month(self) -> np.ndarray:
        """Calendar month (1–12) of each step start."""
        return np.asarray(self.starts.month)

    @cached_property
    def hydrological_year(self) -> np.ndarray:
        return hydrological_year(self.month, np.asarray(self.starts.year))

    @cached_property
    def season(self) -> np.ndarray:
        return season_of_month(self.month)

    @property
    def end(self) -> pd.Timestamp:
        """End (exclusive) of the last step."""
        if self.n_steps == 0:
            return self.start
        return self.starts[-1] + pd.Timedelta(days=float(self.days[-1]))

    def describe(self) -> str:
        kind = {StepKind.MONTH: "monthly", StepKind.DEKAD: "dekad"}.get(self.kind, f"{self.step_days}-day")
        if self.n_steps == 0:
            return f"no steps ({kind})"
        last = (self.end - pd.Timedelta(days=1)).strftime("%Y-%m-%d")  # (the last step's last day, not its start)
        return f"{self.n_steps} {kind} step{'' if self.n_steps == 1 else 's'}, {self.start:%Y-%m-%d} to {last}"
