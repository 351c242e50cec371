"""The checks shared by CSV series and ``dataframe`` parameters."""

import io

import numpy as np
import pandas as pd

from daryo.model.csvseries import read_csv_series


def _read(text: str, **kw):
    problems: list[tuple[str, str]] = []
    got = read_csv_series(pd.read_csv(io.StringIO(text)), "/d/f.csv", "f.csv", "here",
                          lambda p, m: problems.append((p, m)), **kw)
    return got, problems


def test_reads_dates_and_every_value_column():
    got, problems = _read("when,a,b\n2001-02-01,1,2\n2001-01-01,3,4\n")
    assert not problems and got is not None
    assert list(got.dates) == [pd.Timestamp("2001-02-01"), pd.Timestamp("2001-01-01")]
    assert got.columns == ["a", "b"]
    np.testing.assert_array_equal(got.values, [[1, 2], [3, 4]])


def test_date_column_named_date_and_columns_picked():
    got, problems = _read("a,date,b\n1,2001-01-01,2\n", columns=["b"])
    assert not problems and got is not None
    assert got.columns == ["b"] and got.dates[0] == pd.Timestamp("2001-01-01")


def test_messages():
    assert _read("date,a\n2001-01-01,1\n", date_col="day")[1] == [("here", "CSV 'f.csv' has no column 'day'")]
    assert _read("date,b\n2001-01-01,1\n", columns=["a"])[1] == [
        ("here", "CSV 'f.csv' has no column 'a'; its columns are: date, b")]
    assert _read("date,a\n2001-01-01,1\nsoon,2\n")[1] == [
        ("/d/f.csv line 3", "'soon' in column 'date' is not a date")]
    assert _read("date,a\n2001-01-01,1\n2001-02-01,x\n2001-03-01,\n")[1] == [
        ("/d/f.csv line 3, column 'a'", "'x' is not a finite number (2 such cells in the file)")]
    assert _read("date,a\n2001-01-01,1\n2001-01-01,2\n")[1] == [
        ("/d/f.csv", "date 2001-01-01 appears more than once")]
