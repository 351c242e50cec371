import numpy as np

import daryo
from daryo.testmodels import build
from daryo.timeaxis import TimeAxis


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
