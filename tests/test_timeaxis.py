import numpy as np
import pandas as pd
import pytest

import daryo
from daryo.testmodels import build
from daryo.timeaxis import (
    LAST_DATE,
    StepKind,
    TimeAxis,
    hydrological_year,
    parse_end,
    season_of_month,
    solar_hijri_hint,
    span_problem,
    step_days,
    step_kind,
    years_problem,
    years_span,
)


def test_monthly_axis_lengths_and_labels():
    ax = TimeAxis.from_range("2000-10", "2001-09-30")
    assert ax.n_steps == 12
    assert list(ax.days) == [31, 30, 31, 31, 28, 31, 30, 31, 30, 31, 31, 30]
    assert set(ax.hydrological_year) == {2001}
    assert list(ax.season) == ["winter"] * 6 + ["summer"] * 6


def test_leap_february():
    ax = TimeAxis.from_range("2004-02", "2004-02")
    assert list(ax.days) == [29]


def test_fixed_day_steps():
    ax = TimeAxis.from_range("2001-01-01", "2001-01-30", step_days=10)
    assert ax.n_steps == 3 and list(ax.days) == [10, 10, 10]
    assert [str(d.date()) for d in ax.starts] == ["2001-01-01", "2001-01-11", "2001-01-21"]


def test_ten_day_model_converts_rates_with_ten_days():
    m = build([{"id": "in", "type": "inflow", "inflow": "1 m3/s"}, {"id": "sea", "type": "sink"}],
              [["in", "sea"]])
    from dataclasses import replace

    import pandas as pd

    from daryo.model import TimeSpec

    m = replace(m, time=TimeSpec(pd.Timestamp("2001-01-01"), pd.Timestamp("2001-01-30"), 10))
    ds = daryo.run(m).dataset
    np.testing.assert_allclose(ds.sink_inflow.isel(scenario=0, sink=0).values, [0.864] * 3)


def test_a_month_end_is_the_month_s_last_day():
    assert parse_end("2001-09") == pd.Timestamp("2001-09-30") and parse_end("2004-2") == pd.Timestamp("2004-02-29")
    assert parse_end("2001-09-01") == pd.Timestamp("2001-09-01")
    assert parse_end(" 2001-09 ") == pd.Timestamp("2001-09-30")
    assert parse_end(pd.Timestamp("2001-09-01")) == pd.Timestamp("2001-09-01")


def test_n_day_steps_ending_at_a_month_cover_the_month():
    """end 2001-09 with 10-day steps runs through 30 September, as the monthly axis does (it stopped on 1 Sep)."""
    tens = TimeAxis.from_range("2000-10", "2001-09", 10)
    assert tens.n_steps == 37 and tens.starts[-1] == pd.Timestamp("2001-09-26")
    assert tens.n_steps == TimeAxis.from_range("2000-10-01", "2001-09-30", 10).n_steps
    months = TimeAxis.from_range("2000-10", "2001-09")
    assert months.n_steps == 12 and months.end == pd.Timestamp("2001-10-01")
    assert TimeAxis.from_range("2000-10", pd.Timestamp("2001-09-01"), 10).n_steps == 34  # a day is that day


def test_a_run_shortened_to_a_month_covers_the_month_with_n_day_steps(tmp_path):
    """Model.with_time(end="2001-09") (RunOptions.end) reads the month as its last day, as a model file does."""
    model = build([{"id": "in", "type": "inflow", "inflow": "1 hm3/day"}, {"id": "sea", "type": "sink"}],
                  [["in", "sea"]], steps=3)
    tens = model.with_time(start="2000-10-01", end="2001-09")
    assert tens.time.end == pd.Timestamp("2001-09-30")


def test_step_lengths_from_one_day_to_a_hundred_years():
    """``time.step``: a whole number of days from 1 to 36,525; 0, negative, longer, fractional and boolean steps
    are refused."""
    assert step_days("month") is None and step_days({"days": 1}) == 1 and step_days(36_525) == 36_525
    for bad in (0, {"days": 0}, -10, 36_526, 1.5, True, "10D"):
        with pytest.raises(ValueError, match="is not a step"):
            step_days(bad)


def test_hydrological_year_and_season_change_at_october_and_april():
    months = np.array([9, 10, 3, 4])
    np.testing.assert_array_equal(hydrological_year(months, np.array([2001, 2001, 2002, 2002])),
                                  [2001, 2002, 2002, 2002])
    np.testing.assert_array_equal(season_of_month(months), ["summer", "winter", "winter", "summer"])


@pytest.mark.parametrize("start, end, days, ok", [
    ("2261-12-01", "2261-12-31", None, True),  # the last month a time axis holds
    ("2261-12-01", "2261-12-31", 1, True),
    ("2261-12-01", "2261-12-31", 2, False),  # its second step of the 31st runs into 2262
    ("1678-01-01", "1678-12-31", None, True),
    ("1677-12-01", "1678-12-31", None, False),
    ("2000-10-01", "2130-09-30", 36_525, True),
    ("2000-10-01", "2200-09-30", 36_525, False),
])
def test_a_span_is_refused_only_where_its_steps_leave_the_dates_an_axis_holds(start, end, days, ok):
    why = span_problem(pd.Timestamp(start), pd.Timestamp(end), days)
    assert (why is None) == ok, why
    if ok:  # and such an axis can be built
        axis = TimeAxis.from_range(start, end, days)
        assert axis.starts[-1] <= pd.Timestamp(end) and axis.days.sum() > 0


def test_parse_date_takes_two_forms_and_date_objects_or_any_form_when_asked():
    import datetime

    from daryo.timeaxis import parse_date

    assert parse_date("2000-10") == parse_date("2000-10-01") == parse_date(datetime.date(2000, 10, 1))
    with pytest.raises(ValueError, match=r"^'2000-10-01 12:00:00' has a time of day; give a date \(YYYY-MM-DD\)$"):
        parse_date(datetime.datetime(2000, 10, 1, 12))
    with pytest.raises(ValueError, match=r"^'01/02/2000' is not a date of the form YYYY-MM or YYYY-MM-DD$"):
        parse_date("01/02/2000")
    assert parse_date("01/02/2000", any_form=True) == pd.Timestamp("2000-01-02")  # (as Pywr reads it)


def test_a_year_alone_is_told_the_month_that_starts_or_ends_a_hydrological_year(tmp_path, capsys):
    """A Chu-Talas modeller's review: ``end: 2025`` was told "give its month, e.g. 2025-10", the first month of the
    next hydrological year; the run of hydrological years ending in 2025 ends 2025-09.  ``start: 1995`` is told
    1995-10, each with the calendar year's month too; ``daryo run --end 2025`` as the file's ``end``."""
    from daryo.cli import main
    from daryo.timeaxis import parse_date

    (tmp_path / "m.yaml").write_text("version: 1\ntime: {start: 1995, end: 2025}\nnodes:\n"
                                     "  - {id: src, type: inflow, inflow: 1}\n  - {id: sea, type: sink}\n"
                                     "edges: [[src, sea]]\n")
    assert main(["validate", str(tmp_path / "m.yaml")]) == 1
    err = capsys.readouterr().err
    assert ("time.start (line 2): '1995' is not a date of the form YYYY-MM or YYYY-MM-DD (a year alone: give its "
            "month, e.g. 1995-10 to start with the hydrological year 1995/96, October–September, or 1995-01 with the "
            "calendar year)") in err
    end = ("'2025' is not a date of the form YYYY-MM or YYYY-MM-DD (a year alone: give its month, e.g. 2025-09 to "
           "end with the hydrological year 2024/25, October–September, or 2025-12 with the calendar year)")
    assert f"time.end (line 2): {end}" in err
    assert parse_end("2025-09") == pd.Timestamp("2025-09-30")  # (the month suggested: the run ends with it)
    with pytest.raises(ValueError, match="e.g. 1999-10 to start with the hydrological year 1999/00"):
        parse_date("1999")
    with pytest.raises(ValueError, match="e.g. 2000-09 to end with the hydrological year 1999/00"):
        parse_date("2000", end=True)
    (tmp_path / "m.yaml").write_text((tmp_path / "m.yaml").read_text().replace("{start: 1995, end: 2025}",
                                                                               "{start: 1995-10, end: 2025-09}"))
    assert main(["run", str(tmp_path / "m.yaml"), "--end", "2025"]) == 2
    assert f"--end 2025: {end}" in capsys.readouterr().err


def test_whole_years_may_end_on_the_last_date_an_axis_holds():
    """11 years from 1 October 2250 end on 30 September 2261, inside LAST_DATE (2261-12-31): allowed; 12 years
    would end in 2262: refused (before the date arithmetic, which would overflow)."""
    assert years_problem(pd.Timestamp("2250-10-01"), 11) is None
    assert years_span(pd.Timestamp("2250-10-01"), 11, StepKind.MONTH) == (pd.Timestamp("2250-10-01"),
                                                                        pd.Timestamp("2261-09-30"))
    assert years_span(pd.Timestamp("2250-10-01"), 11, StepKind.MONTH)[1] <= LAST_DATE
    assert "run past 2261-12-31" in years_problem(pd.Timestamp("2250-10-01"), 12)


def test_monthly_years_count_from_the_first_of_the_start_month():
    """Monthly steps begin on the 1st, and so do the years counted from them: one year from 15 October 2000 is
    1 October 2000 to 30 September 2001 (12 steps); N-day steps keep the day."""
    assert years_span(pd.Timestamp("2000-10-15"), 1, StepKind.MONTH) == (pd.Timestamp("2000-10-01"),
                                                                       pd.Timestamp("2001-09-30"))
    assert years_span(pd.Timestamp("2000-10-15"), 1, StepKind.DAYS) == (pd.Timestamp("2000-10-15"),
                                                                        pd.Timestamp("2001-10-14"))


def test_an_end_before_the_start_gives_no_steps():
    assert TimeAxis.from_range("2001-05", "2001-01").n_steps == 0
    assert TimeAxis.from_range("2001-05-01", "2001-04-01", step_days=10).n_steps == 0


def test_a_span_is_described_from_its_first_day_to_its_last():
    """`daryo info` said "2000-10-01 to 2030-09-01", the last step's start, which reads as if September were left
    out; and with 7-day steps "to 2016-12-29" for a run that reaches 5 January (a user review)."""
    assert TimeAxis.from_range("2000-10", "2030-09").describe() == "360 monthly steps, 2000-10-01 to 2030-09-30"
    assert TimeAxis.from_range("2016-01-01", "2016-12-31", 7).describe() == "53 7-day steps, 2016-01-01 to 2017-01-05"
    assert TimeAxis.from_range("2000-10", "2000-10").describe() == "1 monthly step, 2000-10-01 to 2000-10-31"


def test_a_year_of_dekads_has_36_steps_of_its_days():
    """The dekads brief (BWO Syrdarya, BWO Amudarya, ICWC and the water ministries plan and report water by dekads):
    a year is 36 dekads from the 1st, 11th and 21st of each month, of 10, 10 and 8-11 days (February's third has 8
    days, 9 in a leap year); month, hydrological year and season follow each dekad's start."""
    for year, days in ((2001, 365), (2004, 366)):
        ax = TimeAxis.from_range(f"{year}-01", f"{year}-12", dekads=True)
        assert ax.kind is StepKind.DEKAD and not ax.monthly and ax.step_days is None
        assert ax.n_steps == 36 and ax.days.sum() == days and set(ax.starts.day) == {1, 11, 21}
        assert list(ax.days[:6]) == [10, 10, 11, 10, 10, days - 357]  # January's third 11 days, February's 8 or 9
        assert list(ax.month) == [m for m in range(1, 13) for _ in range(3)]
        assert ax.end == pd.Timestamp(f"{year + 1}-01-01")
    # a start inside a dekad starts at its first day (as months start on the 1st); the last is the one of the end
    ax = TimeAxis.from_range("2000-09-15", "2000-10-05", dekads=True)
    assert list(ax.starts.strftime("%m-%d")) == ["09-11", "09-21", "10-01"] and list(ax.days) == [10, 10, 10]
    assert list(ax.hydrological_year) == [2000, 2000, 2001] and list(ax.season) == ["summer", "summer", "winter"]
    assert ax.describe() == "3 dekad steps, 2000-09-11 to 2000-10-10"
    assert ax != TimeAxis.from_range("2000-09-11", "2000-10-10", 10)  # (10-day steps from the 11th are not dekads)
    for word in ("dekad", "dekads", "dekadal", "декада"):
        assert step_kind(word) is StepKind.DEKAD and step_days(word) is None
    assert step_kind("month") is StepKind.MONTH and step_kind({"days": 10}) is StepKind.DAYS
    assert years_span(pd.Timestamp("2000-10-15"), 1, StepKind.DEKAD) == (pd.Timestamp("2000-10-11"),
                                                                          pd.Timestamp("2001-10-10"))


def test_a_dekad_model_converts_rates_by_each_dekad_s_days_and_balances_its_reservoir():
    """The dekads brief: a rate in m3/s is rate × days × 0.0864 hm³ a dekad, of 10, 10 and 11 days in January,
    and a reservoir's volume changes by what it takes in less what it gives::

        in (1 m3/s) --> dam (100 hm³ at the start) --> town (0.5 hm3/day)
    """
    doc = {"version": 1, "name": "dekads", "time": {"start": "2001-01", "end": "2001-02", "step": "dekad"},
           "nodes": [{"id": "in", "type": "inflow", "inflow": "1 m3/s"},
                     {"id": "dam", "type": "reservoir", "max_volume": 1000, "initial_volume": 100},
                     {"id": "town", "type": "demand", "demand": "0.5 hm3/day"}],
           "edges": [["in", "dam"], ["dam", "town"]]}
    from daryo.model import model_from_dict

    ds = daryo.run(model_from_dict(doc)).dataset
    days = np.array([10, 10, 11, 10, 10, 8])
    np.testing.assert_allclose(ds.days.values, days)
    np.testing.assert_allclose(ds.edge_flow.isel(scenario=0, edge=0).values, 0.0864 * days)  # in -> dam
    np.testing.assert_allclose(ds.delivery.isel(scenario=0, demand=0).values, 0.5 * days)
    np.testing.assert_allclose(ds.storage.isel(scenario=0, reservoir=0).values, 100 + np.cumsum((0.0864 - 0.5) * days))
    assert ds.storage.values[0, -1, 0] == pytest.approx(100 - 59 * 0.4136)  # (59 days of January and February)
    assert float(abs(ds.mass_balance_error).max()) < 1e-9


def test_a_run_in_a_solar_hijri_year_says_to_convert_it():
    """An Afghan water-ministry planner's review: ``time.start: 1400-01`` was refused as outside the dates a time
    axis holds, with no word that 1400 is almost surely a Solar Hijri year (Afghan and Iranian data)."""
    text = ("version: 1\nname: t\ntime: {start: 1400-01, end: 1400-12, step: month}\nnodes:\n"
            "  - {id: src, type: inflow, inflow: 1}\n  - {id: sea, type: sink}\nedges:\n  - [src, sea]\n")
    with pytest.raises(daryo.ModelError) as info:
        daryo.load_text(text)
    assert [str(p) for p in info.value.problems] == [
        "upload.yaml: time (line 3): the run from 1400-01-01 to 1400-12-31 lies outside the dates a time axis can "
        "hold: its steps must lie between 1678-01-01 and 2261-12-31; a year 1400 is most likely one of the Solar "
        "Hijri calendar (as Afghan and Iranian data are dated): daryo's dates are Gregorian, so convert Solar Hijri "
        "dates to Gregorian ones first (1 Hamal, or Farvardin, 1400 is about 21 March 2021)"]
    assert solar_hijri_hint(1299) == solar_hijri_hint(1501) == ""


def test_add_years_is_pandas_date_offset_counted_in_days():
    """The anniversaries a run of 583 years needs reach 2262-10-01, past pandas' nanosecond timestamps; added in
    days they are what DateOffset(years=…) gives inside them (29 February on 28 February of a common year)."""
    from daryo.timeaxis import add_years, days_between

    for day in ("2000-02-29", "1678-10-01", "2001-01-31", "2003-12-31"):
        for years in (0, 1, 3, 4, 100):
            expected = pd.Timestamp(day).as_unit("ns") + pd.DateOffset(years=years)
            assert add_years(pd.Timestamp(day), years) == np.datetime64(expected, "D")
    assert add_years(pd.Timestamp("1678-10-01").as_unit("ns"), 584) == np.datetime64("2262-10-01")
    np.testing.assert_array_equal(add_years(np.array(["2000-02-29", "1700-03-01"], dtype="datetime64[D]"), [1, 561]),
                                  np.array(["2001-02-28", "2261-03-01"], dtype="datetime64[D]"))
    assert days_between(pd.Timestamp("1678-01-01").as_unit("ns"), pd.Timestamp("2261-12-31").as_unit("ns")) == 213_300


def test_an_n_day_axis_of_583_years_counts_its_steps_in_days():
    """``(end - start).days`` of pandas' nanosecond timestamps overflows past 292 years: a 10-day model from 1 October
    1678 to 30 September 2261 failed with OutOfBoundsDatetime."""
    import datetime

    axis = TimeAxis.from_range(pd.Timestamp("1678-10-01").as_unit("ns"), "2261-09-30", 10)
    days = (datetime.date(2261, 9, 30) - datetime.date(1678, 10, 1)).days
    assert axis.n_steps == days // 10 + 1 == 21_294
    assert axis.starts[-1] == pd.Timestamp(np.datetime64("1678-10-01") + np.timedelta64(10 * (days // 10), "D"))
    assert axis.describe() == "21294 10-day steps, 1678-10-01 to 2261-10-04"


def test_whole_years_are_checked_by_their_last_day():
    """1678-01 and 584 years end on 2261-12-31, the last date an axis holds: they were refused, as the check was
    ``start.year + years <= 2261``.  A refusal says how many years fit."""
    from daryo.timeaxis import latest_start, most_years

    start = pd.Timestamp("1678-01-01")
    assert years_problem(start, 584) is None
    assert years_span(start, 584, StepKind.MONTH) == (start, pd.Timestamp("2261-12-31"))
    assert TimeAxis.from_range(*years_span(start, 584, StepKind.MONTH)).n_steps == 584 * 12
    assert years_problem(start, 585) == ("585 years from 1678-01-01 run past 2261-12-31, the last date a time axis "
                                         "can hold: at most 584 whole years from it end by then")
    assert years_problem(pd.Timestamp("2000-10-01"), 262, "%Y-%m").endswith(
        "262 years from 2000-10 run past 2261-12-31, the last date a time axis can hold: at most 261 whole years "
        "from it end by then"[-60:])
    assert years_problem(pd.Timestamp("2261-06-01"), 1).endswith(": no whole year from it does")
    assert [most_years(pd.Timestamp(d)) for d in ("2261-01-01", "2261-01-02", "2000-10-01")] == [1, 0, 261]
    assert latest_start(300) == pd.Timestamp("1962-01-01") and years_problem(latest_start(300), 300) is None
