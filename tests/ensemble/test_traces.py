"""Trace sources: a trace depends only on (seed, index); resampling keeps whole years, seasons and
daily rates; scenario overlays' inflow changes reach the traces."""

import numpy as np
import pandas as pd
import pytest
from ensemble_cases import COLUMNS, YEARS, basin, basin_network, columns_basin, daryo_load, yaml_of_basin

import daryo
from daryo.ensemble import ResampledTraces
from daryo.testmodels import build


def test_a_trace_depends_only_on_seed_and_index():
    model = basin()
    src, axis = ResampledTraces.from_model(model), model.with_time(years=YEARS).time.axis()
    all_ = src(5, np.arange(6), YEARS, axis)
    some = src(5, np.array([3, 4]), YEARS, axis)
    np.testing.assert_array_equal(all_["up"][3:5], some["up"])
    assert not np.array_equal(src(6, np.array([3]), YEARS, axis)["up"], some["up"][:1])


def test_n_day_models_resample_whole_years_in_season():
    """With 10-day steps, a run year takes one whole source year, day by day from the same date: the low
    season of the record (January to June) stays in January to June, the high season in July to December
    (years of 36 or 37 steps, run over leap years)."""
    from daryo.ensemble import run_years
    from daryo.model import model_from_dict

    model = model_from_dict({
        "version": 1, "name": "ten-day", "allocation": "priority",
        "time": {"start": "2000-10-01", "end": "2003-09-30", "step": {"days": 10}},
        "nodes": [{"id": "up", "type": "inflow",
                   "inflow": {"monthly": [1, 1, 1, 1, 1, 1, 10, 10, 10, 10, 10, 10], "unit": "hm3/day"}},
                  {"id": "sea", "type": "sink"}],
        "edges": [["up", "sea"]]})
    source = ResampledTraces.from_model(model, perturbation=0.0)
    axis = model.with_time(years=9).time.axis()
    year = run_years(axis)
    starts = pd.DatetimeIndex(axis.starts)
    anniversaries = [pd.Timestamp("2000-10-01") + pd.DateOffset(years=y) for y in range(10)]
    assert [starts[year == y][0] - anniversaries[y] < pd.Timedelta(days=10) for y in range(9)] == [True] * 9
    assert set(np.bincount(year)) == {36, 37}
    rate = source(3, np.arange(6), 9, axis)["up"] / axis.days
    low = (starts.month >= 2) & (starts.month <= 5)  # steps well inside January-June
    high = (starts.month >= 8) & (starts.month <= 11)  # and July-December
    np.testing.assert_allclose(rate[:, low], 1.0)
    np.testing.assert_allclose(rate[:, high], 10.0)
    # each run year has a source year's mean rate: about half a year at 1 and half at 10 hm³/day
    mean = np.stack([(rate * axis.days)[:, year == y].sum(axis=1) / axis.days[year == y].sum()
                     for y in range(9)], axis=1)
    assert np.all((mean > 5.2) & (mean < 5.9))


def test_dekad_models_resample_whole_years_in_season():
    """The dekads brief: where N-day steps resample, dekads do: a run year is 36 dekads from an anniversary of the
    start, each taking its source dekad's daily rate over its own days, as a month does (a 1 hm3/day season stays in
    January to June: a diff review found the last dekad of June 2004, in a leap year, taking 1 July's 10 hm3 where
    dekads were taken day by day), and the default trace source resamples them (the stochastic generator makes
    monthly traces only)."""
    from daryo.ensemble import StochasticTraces, default_trace_source, run_years
    from daryo.model import model_from_dict

    model = model_from_dict({
        "version": 1, "name": "dekads", "allocation": "priority",
        "time": {"start": "2000-10-01", "end": "2003-09-30", "step": "dekad"},
        "nodes": [{"id": "up", "type": "inflow",
                   "inflow": {"monthly": [1, 1, 1, 1, 1, 1, 10, 10, 10, 10, 10, 10], "unit": "hm3/day"}},
                  {"id": "sea", "type": "sink"}],
        "edges": [["up", "sea"]]})
    assert not isinstance(default_trace_source(model), StochasticTraces)
    source = ResampledTraces.from_model(model, perturbation=0.0)
    axis = model.with_time(years=5).time.axis()
    year = run_years(axis)
    assert list(np.bincount(year)) == [36] * 5
    volume = source(3, np.arange(4), 5, axis)["up"]
    starts = pd.DatetimeIndex(axis.starts)
    want = np.where(starts.month <= 6, 1.0, 10.0)
    assert {1.0, 10.0} == set(np.round(volume / axis.days, 12).ravel().tolist())
    np.testing.assert_allclose(volume / axis.days, want[None, :].repeat(4, 0))


def test_traces_of_a_scenario_model_carry_its_inflow_changes():
    """An ensemble of the Aral model under a climate overlay draws the baseline's traces with the overlay's
    inflow changes applied."""
    import daryo
    from daryo.ensemble import default_trace_source
    from daryo.scenarios import transform_inflows

    model = daryo.load(scenarios=["climate-2050"]).with_time(years=3)
    axis = model.time.axis()
    got = default_trace_source(model)(7, np.arange(2), 3, axis)
    base = default_trace_source(daryo.load().with_time(years=3))(7, np.arange(2), 3, axis)
    want = transform_inflows(base, ["climate-2050"], axis.starts[0], model.metadata["basins"])
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-12)
    assert any(not np.allclose(got[k], base[k]) for k in want)


def test_n_day_models_resample_their_own_traces():
    from dataclasses import replace

    from daryo.ensemble import StochasticTraces, default_trace_source
    from daryo.model import Node, Series

    aral = daryo_load(None)
    assert isinstance(default_trace_source(aral), StochasticTraces)
    # the generator makes monthly traces only: an Aral-like model in 10-day steps (its headwaters given as
    # constants, which 10-day steps can read) resamples its own
    nodes = tuple(Node(n.id, n.type, {**n.attrs, "inflow": Series.constant(10.0)}, n.place, n.line)
                  if n.type == "inflow" else n for n in aral.nodes)
    tens = replace(aral, nodes=nodes, time=replace(aral.time, step_days=10))
    assert isinstance(default_trace_source(tens), ResampledTraces)


# --------------------------------------------------------------------------------------- resampling
def test_monthly_resampling_keeps_daily_rates():
    """Monthly steps carry a source month's daily rate: a river of 1 hm³/day, unperturbed, gives each run
    month its number of days (28 in February 2002 and 2003, 29 in February 2004)."""
    model = build([{"id": "up", "type": "inflow", "inflow": {"value": 1, "unit": "hm3/day"}},
                   {"id": "sea", "type": "sink"}], [["up", "sea"]], steps=12, start="2001-10")
    source = ResampledTraces.from_model(model, perturbation=0.0)
    axis = model.with_time(years=3).time.axis()
    got = source(0, np.arange(3), 3, axis)["up"]
    year = [31, 30, 31, 31, 28, 31, 30, 31, 30, 31, 31, 30]  # October to September
    leap = year[:4] + [29] + year[5:]
    np.testing.assert_array_equal(got, np.tile(year + year + leap, (3, 1)))


def test_traces_of_neighbouring_seeds_are_not_shifted_copies():
    """Trace i of seed s is drawn from (s, i), not s + i: trace 1 of seed 5 is not trace 0 of seed 6."""
    model = basin()
    src, axis = ResampledTraces.from_model(model), model.with_time(years=YEARS).time.axis()
    a = src(5, np.array([1]), YEARS, axis)["up"]
    b = src(6, np.array([0]), YEARS, axis)["up"]
    assert not np.allclose(a, b)


def test_resampling_draws_every_whole_year_of_every_source_trace():
    """Unperturbed one-year traces are whole years of the record (October to September): the basin's record
    of 4 traces × 2 years has 8, and 200 traces draw each of them — the last source trace and the record's
    last year included."""
    model = basin()
    up = np.asarray(basin_network()[0][0]["inflow"]["values"])  # (4 traces, 24 months)
    years = {(s, y): up[s, 12 * y:12 * y + 12] for s in range(4) for y in range(2)}
    source = ResampledTraces.from_model(model, perturbation=0.0)
    got = source(0, np.arange(200), 1, model.with_time(years=1).time.axis())["up"]
    drawn = set()
    for trace in got:
        match = [k for k, v in years.items() if np.allclose(trace, v, rtol=1e-12)]
        assert len(match) == 1, trace
        drawn.add(match[0])
    assert drawn == set(years)


def test_perturbation_factors_have_mean_one():
    """The log-normal factor of a run year has mean 1 (log-mean -σ²/2) and log-sd σ: with σ = 0.5 and 10⁵ run
    years (2000 traces × 50 years of a 1 hm³/day river), the mean factor is 1 within 1 % (it is e^{σ²/2} =
    1.133 without the -σ²/2)."""
    model = build([{"id": "up", "type": "inflow", "inflow": {"value": 1, "unit": "hm3/day"}},
                   {"id": "sea", "type": "sink"}], [["up", "sea"]], steps=12, start="2001-10")
    source = ResampledTraces.from_model(model, perturbation=0.5)
    axis = model.with_time(years=50).time.axis()
    factor = source(0, np.arange(2000), 50, axis)["up"] / axis.days  # one factor per trace and run year
    per_year = factor.reshape(2000, 50, 12)
    np.testing.assert_allclose(per_year, per_year[:, :, :1].repeat(12, axis=2), rtol=1e-12)
    f = per_year[:, :, 0].ravel()
    assert abs(f.mean() - 1) < 0.01
    assert abs(np.log(f).std() - 0.5) < 0.01


def test_a_model_shorter_than_a_year_is_named_with_its_span():
    nodes, edges = basin_network()
    nodes = [dict(n, inflow={"values": n["inflow"]["values"][0][:6]}) if n["id"] == "up" else n for n in nodes]
    model = build(nodes, edges, steps=6, allocation="cost", start="2001-10")
    with pytest.raises(ValueError, match=f"model {model.name} runs from 2001-10-01 to 2002-03-31: resampling needs "
                                         "at least one whole year"):
        ResampledTraces.from_model(model)


def test_a_constant_inflow_is_resampled_and_one_between_bounds_is_no_record():
    """The refusal said an inflow given as one number is not resampled, which it is (a QA pass): its traces are the
    number, perturbed year by year as every record's years are."""
    edges = [["in", "sea"]]
    constant = build([{"id": "in", "type": "inflow", "inflow": 5.0}, {"id": "sea", "type": "sink"}], edges,
                     steps=24, allocation="cost", start="2001-10")
    traces = ResampledTraces.from_model(constant)(1, np.arange(4), 2, constant.time.axis())["in"]
    assert traces.shape == (4, 24) and np.all(traces > 0) and np.ptp(traces) > 0
    np.testing.assert_allclose(traces / traces[:, :1], 1.0, atol=0.2)  # (within a year: the number's shape)
    bounded = build([{"id": "in", "type": "inflow", "min_flow": 1.0, "max_flow": 5.0}, {"id": "sea", "type": "sink",
                     "cost": -1.0}], edges, steps=24, allocation="cost", start="2001-10")
    with pytest.raises(ValueError, match=r"no inflow node with an 'inflow' \(a number, a series or a parameter\), "
                                         r"whose years an ensemble resamples: an inflow chosen between min_flow and "
                                         r"max_flow is not a record of years"):
        ResampledTraces.from_model(bounded)


@pytest.mark.parametrize("change, refused", [
    ("scale_inflows: {nodes: [up], factor: 0.5, years: [1]}", True),
    ("scale_inflows: {nodes: [up], factor: 0.5}", False),  # every year: the record's years all change alike
])
def test_an_overlay_of_given_years_is_refused_where_the_models_own_years_are_resampled(tmp_path, change, refused):
    """Applied to the record before resampling, a change of run year 1 landed in random run years (a QA pass:
    4 of 30 traces changed in year 1, 8 in year 4)."""
    from ensemble_cases import yaml_of_basin

    import daryo
    from daryo.ensemble import default_trace_source

    (tmp_path / "m.yaml").write_text(yaml_of_basin())
    (tmp_path / "o.yaml").write_text(f"title: o\nchanges:\n  - {change}\n")
    model = daryo.load(tmp_path / "m.yaml", scenarios=[str(tmp_path / "o.yaml")])
    if not refused:
        assert isinstance(default_trace_source(model), ResampledTraces)
        return
    with pytest.raises(daryo.ModelError, match=r"o\.yaml: changes\[0\]\.scale_inflows: changes given years of the "
                                               r"run, but an ensemble of this model resamples whole years"):
        default_trace_source(model)


def test_overlay_names_a_model_only_records_do_not_stop_its_resampling(tmp_path):
    """A model file that keeps, in its metadata, the names of overlays applied elsewhere (not to be found here)
    is resampled as it is: the check for changes of given years reads only the overlays it can find."""
    from ensemble_cases import yaml_of_basin

    import daryo
    from daryo.ensemble import default_trace_source

    (tmp_path / "m.yaml").write_text(yaml_of_basin().replace("allocation: cost", "allocation: cost\nmetadata: "
                                                             "{scenarios: [gone-overlay.yaml]}", 1))
    model = daryo.load(tmp_path / "m.yaml")
    assert model.metadata["scenarios"] == ["gone-overlay.yaml"]
    assert isinstance(default_trace_source(model), ResampledTraces)


def test_inflows_given_by_parameters_are_resampled_as_their_values(tmp_path):
    """A Pywr catchment's flow comes from a parameter (a CSV file, a monthly profile): its traces are the
    parameter's values, as they would be for the same values given as a series, and a run may go past the
    end of the CSV file only that inflow reads."""
    from daryo.ensemble import EnsembleOptions, run_ensemble
    from daryo.model import model_from_dict

    days = pd.date_range("2000-10-01", "2002-09-30", freq="D")
    rate = 5 + 3 * np.sin(np.arange(days.size) / 58.0)
    rows = "".join(f"{d:%Y-%m-%d},{float(v)!r}\n" for d, v in zip(days, rate, strict=True))
    (tmp_path / "flow.csv").write_text("date,flow\n" + rows)
    profile = [1, 1, 2, 3, 4, 5, 5, 4, 3, 2, 1, 1]
    doc = {"version": 1, "name": "params", "allocation": "priority",
           "time": {"start": "2000-10-01", "end": "2002-09-30", "step": "month"},
           "parameters": {"flow": {"type": "dataframe", "csv": "flow.csv", "index_col": "date"},
                          "seasonal": {"type": "monthlyprofile", "values": profile}},
           "nodes": [{"id": "a", "type": "inflow", "inflow": {"parameter": "flow", "unit": "hm3/day"}},
                     {"id": "b", "type": "inflow", "inflow": {"parameter": "seasonal", "unit": "hm3/step"}},
                     {"id": "sea", "type": "sink"}],
           "edges": [["a", "sea"], ["b", "sea"]]}
    model = model_from_dict(doc, base_dir=tmp_path)
    starts = pd.date_range("2000-10-01", periods=24, freq="MS")
    monthly = [float(rate[(days >= s) & (days < s + pd.offsets.MonthBegin())].sum()) for s in starts]
    doc_series = {**doc, "parameters": {}, "nodes": [
        {"id": "a", "type": "inflow", "inflow": {"values": monthly}},
        {"id": "b", "type": "inflow", "inflow": {"values": [float(profile[s.month - 1]) for s in starts]}},
        {"id": "sea", "type": "sink"}]}
    as_series = model_from_dict(doc_series, base_dir=tmp_path)
    axis = model.with_time(years=5).time.axis()
    got = ResampledTraces.from_model(model, perturbation=0.1)(3, np.arange(4), 5, axis)
    want = ResampledTraces.from_model(as_series, perturbation=0.1)(3, np.arange(4), 5, axis)
    np.testing.assert_allclose(got["a"], want["a"], rtol=1e-12)
    np.testing.assert_allclose(got["b"], want["b"], rtol=1e-12)
    run = run_ensemble(model, EnsembleOptions(traces=4, years=5, seed=3), tmp_path / "e.nc")  # 5 years: past the CSV
    assert run.traces_computed == 4


def test_an_inflow_parameter_of_the_state_is_refused():
    from daryo.model import model_from_dict

    model = model_from_dict({
        "version": 1, "name": "state", "allocation": "priority",
        "time": {"start": "2000-10-01", "end": "2002-09-30", "step": "month"},
        "parameters": {"level": {"type": "storage", "reservoir": "dam"}},
        "nodes": [{"id": "up", "type": "inflow", "inflow": {"parameter": "level", "unit": "hm3/step"}},
                  {"id": "dam", "type": "reservoir", "max_volume": 100, "initial_volume": 50},
                  {"id": "sea", "type": "sink"}],
        "edges": [["up", "dam"], ["dam", "sea"]]})
    with pytest.raises(ValueError, match="up.inflow is parameter 'level', which depends on the reservoir state"):
        ResampledTraces.from_model(model)


def test_n_day_resampling_draws_every_whole_year_of_every_source_trace():
    """Unperturbed one-year traces of a 5-day model are whole years of its record: 2 traces × 2 years, each year
    a value of its own, and 200 traces draw all four (the last source trace, and the last year, which ends on the
    record's last day, included)."""
    from daryo.model import model_from_dict

    values = [[100.0 * (s + 1) + (k >= 73) for k in range(146)] for s in range(2)]  # 2001-10-01 + 730 days
    model = model_from_dict({
        "version": 1, "name": "five-day", "time": {"start": "2001-10-01", "end": "2003-09-30", "step": {"days": 5}},
        "nodes": [{"id": "up", "type": "inflow", "inflow": {"values": values}}, {"id": "sea", "type": "sink"}],
        "edges": [["up", "sea"]]})
    source = ResampledTraces.from_model(model, perturbation=0.0)
    got = source(0, np.arange(200), 1, model.with_time(years=1).time.axis())["up"]
    assert got.shape == (200, 73)
    np.testing.assert_allclose(got, np.broadcast_to(got[:, :1], got.shape), rtol=1e-12)  # one source year, whole
    assert set(got[:, 0].round(9).tolist()) == {100.0, 101.0, 200.0, 201.0}


def test_a_monthly_record_ending_inside_a_year_resamples_its_whole_years():
    """A record of 23 months from October has one whole year starting in October: every trace draws it (the
    22nd to 23rd months are not a year)."""
    up = [float(k + 1) for k in range(23)]
    model = build([{"id": "up", "type": "inflow", "inflow": {"values": up}}, {"id": "sea", "type": "sink"}],
                  [["up", "sea"]], steps=23, start="2001-10")
    source = ResampledTraces.from_model(model, perturbation=0.0)
    axis = model.with_time(years=1).time.axis()
    got = source(0, np.arange(20), 1, axis)["up"]
    np.testing.assert_allclose(got, np.tile(np.arange(1.0, 13.0), (20, 1)), rtol=1e-12)


def test_stochastic_traces_of_a_run_from_april_start_in_april():
    """The Aral generator's traces of a run that starts in April are its April-first traces (the trace source
    passed the run's start month on)."""
    from daryo.ensemble import default_trace_source
    from daryo.hydrology import load_spec, stochastic_traces

    model = daryo_load(None).with_time(start="2001-04", years=2)
    axis = model.time.axis()
    got = default_trace_source(model)(5, np.arange(3), 2, axis)
    spec = load_spec()
    want = stochastic_traces(spec, [0, 1, 2], 2, 5, start_month=4)
    for k, river in enumerate(spec.ids):
        np.testing.assert_array_equal(got[river], want[:, k, :24])
    october = stochastic_traces(spec, [0, 1, 2], 2, 5)
    assert not np.allclose(want[:, 0, 0], october[:, 0, 0])


@pytest.mark.parametrize("change, kept", [
    ("{set: {naryn_in: {inflow: 300 m3/s}}}", 300 * 86400 / 1e6),  # (hm³ a day, times each month's days)
    ("{remove_nodes: [naryn_in]}", None),
    ("{remove_nodes: naryn_in}", None)])  # (one name, not a list: missed at first)
def test_a_headwater_an_overlay_sets_or_removes_keeps_what_the_overlay_made(tmp_path, change, kept):
    """An ensemble of the embedded model gave a headwater its generated trace over an overlay's own inflow for
    it (which `daryo run --hydrology stochastic` keeps); and removing a headwater switched every river from the
    generator to resampling the model's norm year, silently."""
    import daryo
    from daryo.ensemble import EnsembleOptions, StochasticTraces, default_trace_source, run_ensemble

    overlay = tmp_path / "naryn.yaml"
    overlay.write_text(f"changes: [{change}]\n")
    model = daryo.load(scenarios=[str(overlay)]).with_time(years=1)
    axis = model.time.axis()
    source = default_trace_source(model)
    assert isinstance(source, StochasticTraces) and source.kept == ("naryn_in",)
    got = source(7, np.arange(2), 1, axis)
    base = default_trace_source(daryo.load().with_time(years=1))(7, np.arange(2), 1, axis)
    assert set(got) == set(base) - {"naryn_in"}  # (the others: the same draws as without the overlay)
    for river in got:
        np.testing.assert_array_equal(got[river], base[river])
    if kept is not None:
        run_ensemble(model, EnsembleOptions(traces=2, years=1), tmp_path / "e.nc")
        import xarray as xr

        with xr.open_dataset(tmp_path / "e.nc") as ds:
            np.testing.assert_allclose(ds["annual_inflow"].sel(inflow="naryn_in").values, kept * 365, rtol=1e-6)


def test_a_headwater_an_overlay_only_renames_keeps_its_generated_trace(tmp_path):
    import daryo
    from daryo.ensemble import default_trace_source

    overlay = tmp_path / "name.yaml"
    overlay.write_text("changes: [{set: {naryn_in: {name: Naryn at its source}}}]\n")
    assert default_trace_source(daryo.load(scenarios=[str(overlay)]).with_time(years=1)).kept == ()


@pytest.mark.parametrize("perturbation, error", [("0.1", TypeError), (None, TypeError), (True, TypeError),
                                                 (float("inf"), ValueError), (float("nan"), ValueError),
                                                 (-0.1, ValueError), (50.0, ValueError)])
def test_a_perturbation_that_is_no_spread_of_factors_is_refused_where_it_is_given(perturbation, error):
    """'0.1' and None failed inside the draws once a run started, inf gave warnings or zero inflows, and 50 made
    every year's inflows 0 while the run 'succeeded' (a fuzz of the Python API)."""
    model = basin()
    with pytest.raises(error, match="perturbation=.*: give the log-normal factors' standard deviation"):
        ResampledTraces.from_model(model, perturbation=perturbation)
    assert ResampledTraces.from_model(model, perturbation=1).perturbation == 1


def test_a_copy_of_the_aral_file_with_a_headwater_changed_resamples_its_own_inflows_and_says_why(tmp_path):
    """An Aral ecologist's review: an ensemble of a copy of aral.yaml with the Vakhsh halved drew the generator's
    Vakhsh all the same (19.3 km³/yr in its traces, where the file said 10), silently, and `daryo compare` then
    called the inflows of the two ensembles the same.  A copy that keeps the headwaters' inflows still gets the
    generator's traces; one that changes a headwater's inflow resamples its own years, as any other model file's
    ensemble does (README), and its source says why."""
    import daryo
    from daryo.basins.aral import aral_model_path
    from daryo.ensemble import StochasticTraces, default_trace_source

    text = aral_model_path().read_text(encoding="utf-8")
    (tmp_path / "same.yaml").write_text(text, encoding="utf-8")
    assert isinstance(default_trace_source(daryo.load(tmp_path / "same.yaml")), StochasticTraces)
    old = "inflow: {monthly: *glacial, unit: km3/step, scale: 20.0}"
    assert text.count(old) == 1
    (tmp_path / "halved.yaml").write_text(text.replace(old, old.replace("20.0", "10.0")), encoding="utf-8")
    model = daryo.load(tmp_path / "halved.yaml").with_time(years=2)
    source = default_trace_source(model)
    assert isinstance(source, ResampledTraces)
    assert "the inflows of vakhsh_in are not the Aral hydrology generator's norm year" in source.describe()
    got = source(1, np.arange(20), 2, model.time.axis())["vakhsh_in"]
    assert 0.8 * 10_000 < got.sum(axis=1).mean() / 2 < 1.2 * 10_000  # hm³ a year: the file's 10 km³, not 20
    # an overlay of given years, which resampled years cannot take, is refused with the reason they are resampled
    # (a diff review: the message left it out, where the same overlay ran on the unedited copy)
    from daryo import ModelError

    drought = daryo.load(tmp_path / "halved.yaml", scenarios=["drought-2021"]).with_time(years=2)
    with pytest.raises(ModelError, match=r"changes given years of the run.*\(the inflows of vakhsh_in are not the Aral "
                       "hydrology generator's norm year"):
        default_trace_source(drought)


def test_the_generators_source_names_only_the_overlays_that_change_inflows():
    """A Tajik utility planner's review: an ensemble of rogun-full said its traces carried "the inflow changes of
    rogun-full", which changes none (and daryo compare rightly said two such ensembles share their traces)."""
    import daryo
    from daryo.ensemble import default_trace_source

    said = default_trace_source(daryo.load(None, scenarios=["climate-2050", "rogun-full"])).describe()
    assert said.endswith(", with the inflow changes of climate-2050")
    assert "inflow changes" not in default_trace_source(daryo.load(None, scenarios=["rogun-full"])).describe()


def test_the_models_scenario_columns_are_its_traces_each_as_it_is(tmp_path):
    """A climate-services scientist's review: an ensemble of a model reading 10 bias-corrected runoff projections as
    scenario columns resampled random (column, year) pairs of all 10, perturbed, mixing SSPs; the only way to run
    the projections themselves was a trace source of one's own.  ModelColumns runs them: trace i is column i, step by
    step from the model's start, whatever the seed and the traces asked for with it."""
    from daryo.ensemble import ModelColumns

    model = daryo_load(columns_basin(tmp_path))
    source = ModelColumns.from_model(model)
    assert source.names() == tuple(COLUMNS) == ("wet", "средний", "dry_ssp585")
    assert source.describe() == "the model's own 3 scenario columns, unchanged"
    assert source.years == 2
    axis = model.with_time(years=2).time.axis()
    whole = {name: [*a, *b] for name, (a, b) in COLUMNS.items()}
    got = source(0, np.array([2, 0]), 2, axis)["up"]
    np.testing.assert_allclose(got, [whole["dry_ssp585"], whole["wet"]], rtol=1e-12)
    np.testing.assert_array_equal(source(7, np.array([0]), 2, axis)["up"], got[1:])  # (no seed: the same column)
    first = source(0, np.array([1, 2]), 1, model.with_time(years=1).time.axis())["up"]  # a run of its first year
    np.testing.assert_allclose(first, [COLUMNS["средний"][0], COLUMNS["dry_ssp585"][0]], rtol=1e-12)
    with pytest.raises(ValueError, match=r"trace 3: the model has 3 scenario columns \(wet, средний, dry_ssp585\), "
                                         "a trace each: run at most 3 traces"):
        source(0, np.array([2, 3]), 2, axis)
    with pytest.raises(ValueError, match="the model's scenario columns run from 2001-10-01 to 2003-09-30, and the run "
                                         "from 2001-10-01 for 3 years: an ensemble of them runs the model's own steps, "
                                         "at most 2 years from its start"):
        source(0, np.array([0]), 3, model.with_time(years=3).time.axis())
    # inflows of one series beside those of columns are named (a verifier's review: a forecast's members, given to 6
    # of the embedded model's 14 inflows, read as its whole hydrology)
    one = source.volumes["up"][:1]
    mixed = ModelColumns({"up": source.volumes["up"], "side": one, "low": one}, source.record, source.scenarios)
    assert mixed.describe() == ("the model's own 3 scenario columns, unchanged (of the inflows up; side, low one "
                                "series each, the same in every trace)")


def test_a_model_whose_inflows_are_one_trace_has_no_columns_to_run(tmp_path):
    from daryo.ensemble import ModelColumns

    (tmp_path / "basin.yaml").write_text(yaml_of_basin(), encoding="utf-8")
    with pytest.raises(ValueError, match=r"model cli-basin \(.*basin.yaml\) has no inflow of several scenario columns "
                                         r"\(a CSV series with columns: \"\*\", .*: its inflows are one trace; run it "
                                         "with daryo run, or resample its years"):
        ModelColumns.from_model(daryo_load(tmp_path / "basin.yaml"))


def test_resampling_a_model_with_scenario_columns_says_that_columns_runs_them_as_they_are(tmp_path):
    """A climate-services scientist's review: resampling a model whose inflows are read from CSV columns (their
    projections, on purpose) said, of a copy of the Aral file, "to change a headwater's flow in generated traces, use
    an overlay's inflow change on the embedded model", which pointed away from what they had done; it says that
    ``--hydrology columns`` runs them as they are."""
    from daryo.basins.aral import aral_model_path
    from daryo.ensemble import default_trace_source

    advice = ("the inflows of up have 3 scenario columns, whose years resampling mixes: daryo ensemble --hydrology "
              "columns (daryo.ensemble.ModelColumns) runs them as they are, a trace each")
    source = default_trace_source(daryo_load(columns_basin(tmp_path)))
    assert isinstance(source, ResampledTraces)
    assert source.describe() == f"years resampled from the model's own inflows, log-normal perturbation 0.1 ({advice})"
    # a copy of the Aral file whose Vakhsh reads two projections from a CSV file's columns
    text = aral_model_path().read_text(encoding="utf-8")
    old = "inflow: {monthly: *glacial, unit: km3/step, scale: 20.0}"
    assert text.count(old) == 1
    dates = pd.date_range("2000-10-01", periods=360, freq="MS").strftime("%Y-%m-%d")
    pd.DataFrame({"date": dates, "gcm_a": 1500.0, "gcm_b": 1700.0}).to_csv(tmp_path / "vakhsh.csv", index=False)
    (tmp_path / "gcm.yaml").write_text(text.replace(old, 'inflow: {csv: vakhsh.csv, columns: "*", unit: hm3/month}'),
                                       encoding="utf-8")
    described = default_trace_source(daryo_load(tmp_path / "gcm.yaml")).describe()
    assert ("the inflows of vakhsh_in are not the Aral hydrology generator's norm year, which its traces would put "
            "back; the inflows of vakhsh_in have 2 scenario columns, whose years resampling mixes: daryo ensemble "
            "--hydrology columns (daryo.ensemble.ModelColumns) runs them as they are, a trace each") in described
    assert "use an overlay's inflow change" not in described


def test_the_embedded_model_built_with_generated_inflows_and_some_of_its_own_keeps_its_own(tmp_path):
    """A climate-services review: the embedded model built with generated inflows (``hydrology="stochastic"``) and
    a CSV file of its own for some of them (``inflow_csv``) took the generator's traces in an ensemble, which drop
    the CSV's inflows without a word; its own traces are resampled instead, and their source says why."""
    from daryo.basins.aral import load_aral_model
    from daryo.ensemble import StochasticTraces, default_trace_source

    csv = tmp_path / "naryn.csv"
    pd.DataFrame({"date": pd.date_range("2000-10-01", periods=24, freq="MS").strftime("%Y-%m-%d"),
                  "naryn_in": np.full(24, 1.0)}).to_csv(csv, index=False)
    model = load_aral_model(hydrology="stochastic", traces=2, years=2, inflow_csv=csv, inflow_csv_unit="hm3/month")
    source = default_trace_source(model)
    assert isinstance(source, ResampledTraces) and "the inflows of naryn_in are not" in source.describe()
    assert isinstance(default_trace_source(load_aral_model(hydrology="stochastic", traces=2, years=2)),
                      StochasticTraces)


def test_an_overlay_given_in_python_changes_an_ensembles_traces_as_its_file_does(tmp_path):
    """A reread of the change: an overlay given in Python as a mapping was recorded in the model's metadata by its
    name alone, which an ensemble then looked up in the library ("unknown scenario") to apply its inflow changes to
    the generated traces.  Its content is recorded, and its traces are those of the same overlay as a file."""
    import yaml

    from daryo.ensemble import default_trace_source

    dry = {"title": "The Amu at half", "changes": [{"scale_inflows": {"basin": "amu", "factor": 0.5}}]}
    (tmp_path / "amu-dry.yaml").write_text(yaml.safe_dump(dry))
    sources = [default_trace_source(daryo.load(None, scenarios=[given], years=2))
               for given in ({"name": "amu-dry", **dry}, str(tmp_path / "amu-dry.yaml"))]
    assert sources[0].describe().endswith("with the inflow changes of amu-dry")
    model = daryo.load(None, years=2)
    axis = model.time.axis()
    traces = [source(0, np.arange(2), 2, axis) for source in sources]
    plain = default_trace_source(model)(0, np.arange(2), 2, axis)
    assert traces[0].keys() == traces[1].keys() == plain.keys()
    for nid in plain:
        np.testing.assert_array_equal(traces[0][nid], traces[1][nid])
    assert np.allclose(traces[0]["vakhsh_in"], 0.5 * plain["vakhsh_in"])


def test_traces_of_an_embedded_model_whose_every_headwater_an_overlay_set_are_not_said_generated():
    """A seasonal forecaster's review: an ensemble of the embedded model whose every headwater an overlay set to a
    forecast's series was recorded (the store's ``source``) as stochastic traces of daryo.hydrology, which gave
    none of its inflows.  One headwater set keeps the generator's traces for the others, and says so."""
    from daryo.basins.aral import load_aral_model
    from daryo.ensemble import default_trace_source

    headwaters = [n.id for n in load_aral_model(years=1).nodes if n.type == "inflow"]
    every = {"name": "fcst", "changes": [{"set": {nid: {"inflow": 100} for nid in headwaters}}]}
    source = default_trace_source(load_aral_model(scenarios=[every], years=1))
    assert source.describe().startswith("no traces of daryo.hydrology: every headwater's inflow as the overlays "
                                        "made it (removed, or given inflows of their own: naryn_in, ")
    one = {"name": "one", "changes": [{"set": {"vakhsh_in": {"inflow": 100}}}]}
    assert default_trace_source(load_aral_model(scenarios=[one], years=1)).describe() == (
        "stochastic traces of daryo.hydrology (log-normal AR(1), correlated rivers); vakhsh_in as the overlays made "
        "them (removed, or given inflows of their own)")


def _long_model(step: object, end: str = "2261-09-30", inflow: object = None) -> daryo.Model:
    """A river and the sea, 1 October 1678 to ``end`` in steps ``step``: a low season (1 hm³/day, January–June)
    and a high one (10 hm³/day)."""
    from daryo.model import model_from_dict

    inflow = inflow or {"monthly": [1, 1, 1, 1, 1, 1, 10, 10, 10, 10, 10, 10], "unit": "hm3/day"}
    return model_from_dict({
        "version": 1, "name": "long", "time": {"start": "1678-10-01", "end": end, "step": step},
        "nodes": [{"id": "up", "type": "inflow", "inflow": inflow}, {"id": "sea", "type": "sink"}],
        "edges": [["up", "sea"]]})


def test_resampling_a_record_of_over_292_years_by_days():
    """A 10-day model of 583 years (1678–2261): ``daryo ensemble --years 10`` failed with "Result is too large for
    pandas.Timedelta" (the days from the record's start to a source year 292 years on), and run years of dekads up
    to the last "Cannot cast 2262-10-01 … to unit='ns'" (the anniversary after the last year).  Counted in days,
    both work; a short run is enough to draw source years from the whole record."""
    from daryo.ensemble import run_years

    model = _long_model({"days": 10})
    source = ResampledTraces.from_model(model, perturbation=0.0)
    axis = model.with_time(years=2).time.axis()
    rate = source(0, np.arange(4), 2, axis)["up"] / axis.days
    starts = pd.DatetimeIndex(axis.starts)
    np.testing.assert_allclose(rate[:, (starts.month >= 2) & (starts.month <= 5)], 1.0)
    np.testing.assert_allclose(rate[:, (starts.month >= 8) & (starts.month <= 11)], 10.0)
    dekads = _long_model("dekad").time.axis()
    year = run_years(dekads)
    assert dekads.n_steps == 583 * 36 and np.array_equal(np.bincount(year), np.full(583, 36))
    tens = model.time.axis()
    assert np.array_equal(np.unique(run_years(tens)), np.arange(583))


def test_the_columns_of_a_model_ending_in_2261_hold_its_whole_years():
    """The whole years of scenario columns from October 1678 to December 2261 (583, and 3 months): counting them
    added a 584th year, to 2262-10-01, past pandas' nanosecond timestamps."""
    from daryo.ensemble import ModelColumns

    steps = 583 * 12 + 3
    model = build([{"id": "up", "type": "inflow", "inflow": {"values": [[1.0] * steps, [2.0] * steps]}},
                   {"id": "sea", "type": "sink"}], [["up", "sea"]], steps=steps, start="1678-10")
    assert ModelColumns.from_model(model).years == 583
