"""The Python API's entry points refuse run options that make no run, with a clear message."""

import pytest

import daryo

DEMO = daryo.demo_model_path()


@pytest.mark.parametrize(("options", "message"), [
    ({"years": 0}, "years 0: a run lasts at least 1 year"),  # 0 once ran the model's whole span
    ({"years": -2}, "years -2: a run lasts at least 1 year"),  # a traceback from deep in the compiler
    ({"start": "2010-10", "end": "2005-09"}, r"the run would end \(2005-09-30\) before it starts \(2010-10-01\)"),
    ({"scenarios": 0}, "the model has"),
    ({"method": "quick"}, "method 'quick'"),
])
def test_run_options_that_make_no_run_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        daryo.run(daryo.load(DEMO), daryo.RunOptions(**options))


def test_one_year_runs_twelve_months():
    ds = daryo.run(daryo.load(DEMO), daryo.RunOptions(years=1, scenarios=1)).dataset
    assert ds.sizes["time"] == 12 and ds.sizes["scenario"] == 1
