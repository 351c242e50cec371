"""The ``dataframe`` parameter's alignment of a file's rows to a run's steps: the periods rows dated at a period's
first or last day cover (water years, half years, quarters), by hand."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import daryo
from daryo.cli import main
from daryo.parameters import align_to_steps
from daryo.timeaxis import TimeAxis


def rows(dates: list[str], values: list[float]) -> pd.DataFrame:
    """A file's frame: one value column ``q`` on ``dates``."""
    return pd.DataFrame({"q": values}, index=pd.to_datetime(dates))


def aligned(frame: pd.DataFrame, axis: TimeAxis) -> list[float]:
    return align_to_steps(frame, axis, "f.csv", "parameters[q]")[:, 0].tolist()


#   water years dated at their start (pandas infers YS-OCT):
#   2000-10-01 -> Oct 2000 .. Sep 2001 = 10,  2001-10-01 -> Oct 2001 .. Sep 2002 = 20,  2002-10-01 -> ... = 30
WATER_YEAR_STARTS = rows(["2000-10-01", "2001-10-01", "2002-10-01"], [10.0, 20.0, 30.0])
#   the same water years dated at their end (YE-SEP): 2001-09-30 -> Oct 2000 .. Sep 2001 = 10, …
WATER_YEAR_ENDS = rows(["2001-09-30", "2002-09-30", "2003-09-30"], [10.0, 20.0, 30.0])


@pytest.mark.parametrize("frame", [WATER_YEAR_STARTS, WATER_YEAR_ENDS], ids=["dated 1 October", "dated 30 September"])
def test_a_water_year_row_covers_october_to_september(frame):
    """A row dated 1 October covers the water year it starts (pandas' to_period made it the calendar year: January
    to September 2001 took the next water year's 20); one dated 30 September the water year it ends."""
    months = TimeAxis.from_range("2000-10", "2003-09")
    assert aligned(frame, months) == [10.0] * 12 + [20.0] * 12 + [30.0] * 12
    # the last row covers the run's last water year: no row for the year after it is needed
    assert aligned(frame, TimeAxis.from_range("2002-10", "2003-09")) == [30.0] * 12
    with pytest.raises(daryo.ModelError, match=r"f\.csv: parameters\[q\]: the file has no value for 2003-10-01 to "
                       r"2003-10-31 \(31 of the 31 days of the step starting 2003-10-01\); its rows cover 2000-10-01 "
                       r"to 2003-09-30\."):
        aligned(frame, TimeAxis.from_range("2003-09", "2003-10"))
    with pytest.raises(daryo.ModelError, match=r"no value for 2000-09-01 to 2000-09-30"):
        aligned(frame, TimeAxis.from_range("2000-09", "2000-10"))


def test_calendar_year_rows_cover_january_to_december():
    years = rows(["2000-01-01", "2001-01-01", "2002-01-01"], [1.0, 2.0, 3.0])  # YS-JAN
    assert aligned(years, TimeAxis.from_range("2000-10", "2001-03")) == [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]
    year_ends = rows(["2000-12-31", "2001-12-31", "2002-12-31"], [1.0, 2.0, 3.0])  # YE-DEC
    assert aligned(year_ends, TimeAxis.from_range("2000-10", "2001-03")) == [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]


def test_half_year_rows_cover_winter_and_summer():
    """Winter (October–March) and summer (April–September) rows dated at their first day, as basin organisations
    report volumes (pandas infers 2QS-OCT, for which it has no period: "QS-OCT is not supported as period
    frequency"), or at their last day (2QE-SEP)."""
    seasons = rows(["2000-10-01", "2001-04-01", "2001-10-01", "2002-04-01"], [10.0, 20.0, 30.0, 40.0])
    season_ends = rows(["2001-03-31", "2001-09-30", "2002-03-31", "2002-09-30"], [10.0, 20.0, 30.0, 40.0])
    months = TimeAxis.from_range("2000-10", "2002-09")
    for frame in (seasons, season_ends):
        assert aligned(frame, months) == [10.0] * 6 + [20.0] * 6 + [30.0] * 6 + [40.0] * 6


def test_quarter_and_business_day_rows_cover_their_calendar_periods():
    quarter_ends = rows(["2000-03-31", "2000-06-30", "2000-09-30"], [1.0, 2.0, 3.0])  # QE-DEC
    assert aligned(quarter_ends, TimeAxis.from_range("2000-01", "2000-09")) == [1.0] * 3 + [2.0] * 3 + [3.0] * 3
    quarter_starts = rows(["2000-01-01", "2000-04-01", "2000-07-01"], [1.0, 2.0, 3.0])  # QS-OCT
    assert aligned(quarter_starts, TimeAxis.from_range("2000-01", "2000-09")) == [1.0] * 3 + [2.0] * 3 + [3.0] * 3
    # each month's last working day (BME: 28 April is a Friday): the calendar months April to June
    last_working_days = rows(["2000-04-28", "2000-05-31", "2000-06-30"], [1.0, 2.0, 3.0])
    assert aligned(last_working_days, TimeAxis.from_range("2000-04", "2000-06")) == [1.0, 2.0, 3.0]


def test_steps_inside_and_across_the_rows_periods():
    """10-day steps and dekads inside a water year or a half year take its row; a step across two takes the mean of
    its days (5 days of 10 and 5 of 20: 15)."""
    tens = TimeAxis.from_range("2001-09-21", "2001-10-20", 10)  # 21–30 September, 1–10 and 11–20 October
    across = TimeAxis.from_range("2001-09-26", "2001-10-05", 10)  # 26 September to 5 October
    for frame in (WATER_YEAR_STARTS, WATER_YEAR_ENDS):
        assert aligned(frame, tens) == [10.0, 20.0, 20.0]
        assert aligned(frame, across) == [15.0]
    seasons = rows(["2000-10-01", "2001-04-01", "2001-10-01"], [10.0, 20.0, 30.0])
    dekads = TimeAxis.from_range("2001-03-21", "2001-04-10", dekads=True)  # 21–31 March, 1–10 April
    assert aligned(seasons, dekads) == [10.0, 20.0]
    monthly_of_a_finer_file = TimeAxis.from_range("2000-10", "2001-03")  # one step, then the quarter's rows averaged
    quarters = rows(["2000-10-01", "2001-01-01", "2001-04-01"], [1.0, 2.0, 3.0])
    assert aligned(quarters, monthly_of_a_finer_file) == [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]


def test_an_annual_file_missing_a_year_names_the_year():
    """Rows of water years with 2002-10-01 left out: the message named every month from November 2000 on as
    missing ("no row for 2000-11-01, 2000-12-01, 2001-01-01 and 42 more")."""
    gap = rows(["2000-10-01", "2001-10-01", "2003-10-01", "2004-10-01"], [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(daryo.ModelError, match=r"the file has rows missing from its regular dates: no row for "
                       r"2002-10-01\. Fill them in"):
        aligned(gap, TimeAxis.from_range("2000-10", "2001-09"))


@pytest.mark.parametrize(("dates", "what"), [
    (pd.bdate_range("2000-10-02", periods=30), r"B \(working days, no rows at weekends\)"),
    (pd.date_range("2000-10-01", periods=6, freq="WOM-3MON"), r"WOM-3MON \(one weekday of each month\)")])
def test_a_frequency_of_no_periods_of_days_is_a_problem(dates, what):
    frame = pd.DataFrame({"q": np.ones(len(dates))}, index=dates)
    with pytest.raises(daryo.ModelError, match=rf"f\.csv: parameters\[q\]: the file's dates come at pandas' "
                       rf"frequency {what}, of which daryo cannot tell the days each row covers: give one row per day"):
        aligned(frame, TimeAxis.from_range("2000-10", "2000-10"))


#: a model of one river read from a ``dataframe`` parameter's file (``csv``) over a span, in hm³ a day
ONE_RIVER = """version: 1
name: {name}
time: {{start: {start}, end: {end}, step: month}}
parameters:
  q: {{type: dataframe, csv: {csv}, column: flow}}
nodes:
  - {{id: river, type: inflow, inflow: {{parameter: q, unit: hm3/day}}}}
  - {{id: sea, type: sink}}
edges: [[river, sea]]
"""
HALF_YEARS = ONE_RIVER.format(name="seasons", start="2000-10", end="2001-09", csv="seasons.csv")


def test_validate_and_run_read_a_half_year_file_alike(tmp_path, capsys):
    """``daryo validate`` of a file of winter and summer rows said "internal error: ValueError: QS-OCT is not
    supported as period frequency" (exit 1), ``daryo run`` "error: QS-OCT is not supported…" (exit 2)."""
    (tmp_path / "seasons.csv").write_text("date,flow\n2000-10-01,10\n2001-04-01,20\n2001-10-01,30\n")
    (tmp_path / "m.yaml").write_text(HALF_YEARS)
    assert main(["validate", str(tmp_path / "m.yaml")]) == 0
    assert main(["run", str(tmp_path / "m.yaml"), "-o", str(tmp_path / "r.nc")]) == 0
    with xr.open_dataset(tmp_path / "r.nc") as ds:
        per_day = ds.node_flow.sel(node="river").isel(scenario=0) / ds.days
        np.testing.assert_allclose(per_day, [10.0] * 6 + [20.0] * 6)
    # working days: a problem naming the file and the parameter, the same from both commands
    (tmp_path / "seasons.csv").write_text("date,flow\n" + "".join(f"{d:%Y-%m-%d},1\n" for d in pd.bdate_range(
        "2000-10-02", "2001-09-28")))
    capsys.readouterr()
    assert main(["validate", str(tmp_path / "m.yaml")]) == 1
    validated = capsys.readouterr()
    assert main(["run", str(tmp_path / "m.yaml"), "-o", str(tmp_path / "r.nc")]) == 1
    ran = capsys.readouterr()
    for said in (validated.out + validated.err, ran.out + ran.err):
        assert "seasons.csv: the file's dates come at pandas' frequency B (working days" in said
        assert "(read for parameters[q])" in said and "internal error" not in said


WATER_YEARS = ONE_RIVER.format(name="recon", start="1678-10", end="1680-09", csv="recon.csv")


def test_a_reconstruction_from_before_1677_is_read_from_the_dates_daryo_holds(tmp_path):
    """A tree-ring reconstruction of water years from 1559 (one row each, dated 1 October) was refused for its rows
    before 1677-09-22; they are left out, the water years from 1677 on are read, and a run that needs a year the file
    then lacks names the rows left out."""
    years = range(1559, 1680)
    (tmp_path / "recon.csv").write_text("date,flow\n" + "".join(f"{y}-10-01,{y}\n" for y in years))
    (tmp_path / "m.yaml").write_text(WATER_YEARS)
    ds = daryo.run(daryo.load(tmp_path / "m.yaml")).dataset
    np.testing.assert_allclose(ds.node_flow.sel(node="river").isel(scenario=0) / ds.days, [1678.0] * 12 + [1679.0] * 12)
    (tmp_path / "m.yaml").write_text(WATER_YEARS.replace("end: 1680-09", "end: 1680-10"))
    with pytest.raises(daryo.ModelError) as err:
        daryo.run(daryo.load(tmp_path / "m.yaml"))
    assert ("the file has no value for 1680-10-01 to 1680-10-31 (31 of the 31 days of the step starting 1680-10-01); "
            "its rows cover 1677-10-01 to 1680-09-30. A step needs values for all its days: extend the file or shorten "
            "the run. The file's 118 rows dated outside the dates pandas, and so daryo, can hold (1677-09-22 to "
            "2262-04-11) were left out: the first is '1559-10-01', line 2. (read for parameters[q])") in str(err.value)
