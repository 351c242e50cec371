"""The stochastic headwater generator reproduces its target statistics, reproducibly.

Targets come from ``daryo/data/aral/hydrology.yaml`` (each with its source there); the published seasonal
splits the monthly shapes must honour are cited next to each check.
"""

from __future__ import annotations

import numpy as np
import pytest

from daryo.errors import ModelError
from daryo.hydrology import (
    annual_flows,
    disaggregate,
    load_spec,
    log_ar1_parameters,
    named_year_factors,
    named_year_traces,
    norm_traces,
    read_inflow_csv,
    stochastic_traces,
)


@pytest.fixture(scope="module")
def spec():
    return load_spec()


@pytest.fixture(scope="module")
def long_sample(spec):
    """200 traces x 300 years of annual flows (hm³/yr): 60,000 years per river."""
    return annual_flows(spec, range(200), 300, seed=11)


def test_spec_is_complete(spec):
    assert len(spec.headwaters) == 14
    assert np.allclose(spec.fractions.sum(axis=1), 1.0)
    assert np.linalg.eigvalsh(spec.correlation).min() > 0
    assert set(spec.basins) == {"syr", "amu"}


def test_mean_cv_and_lag1_are_reproduced(spec, long_sample):
    q = long_sample  # (S, N, Y)
    mean = q.mean(axis=(0, 2))
    assert np.allclose(mean, spec.means, rtol=0.02)
    cv = (q.std(axis=2) / q.mean(axis=2)).mean(axis=0)
    assert np.allclose(cv, [h.cv for h in spec.headwaters], rtol=0.06)
    x = np.log(q) - np.log(q).mean(axis=2, keepdims=True)
    lag1 = ((x[:, :, 1:] * x[:, :, :-1]).mean(axis=2) / (x**2).mean(axis=2)).mean(axis=0)
    assert np.allclose(lag1, [h.lag1 for h in spec.headwaters], atol=0.03)


def test_log_flows_have_the_stationary_lognormal_variance(spec, long_sample):
    """ln Q has variance σ² = ln(1 + cv²) every year: the AR(1) innovations are scaled by √(1 − ρ²) (unscaled,
    the variance would grow to σ²/(1 − ρ²): +4 % at ρ = 0.2, +10 % at ρ = 0.3)."""
    var = np.log(long_sample).var(axis=(0, 2))
    want = np.log1p(np.array([h.cv for h in spec.headwaters]) ** 2)
    assert np.allclose(var, want, rtol=0.03)


def test_cross_correlation_of_log_flows(spec, long_sample):
    """Stationary correlation of two AR(1) series with innovation correlation c: c·√((1−ρi²)(1−ρj²))/(1−ρiρj)."""
    x = np.log(long_sample)
    x = (x - x.mean(axis=2, keepdims=True)) / x.std(axis=2, keepdims=True)
    got = np.einsum("sny,smy->nm", x, x) / (x.shape[0] * x.shape[2])
    rho = np.array([h.lag1 for h in spec.headwaters])
    s = np.sqrt(1 - rho**2)
    want = spec.correlation * np.outer(s, s) / (1 - np.outer(rho, rho))
    np.fill_diagonal(want, 1.0)
    assert np.abs(got - want).max() < 0.03


def test_log_ar1_parameters_give_the_lognormal_moments():
    mu, sigma = log_ar1_parameters(np.array([1000.0]), np.array([0.2]))
    assert np.exp(mu + sigma**2 / 2) == pytest.approx(1000.0)
    assert np.sqrt(np.exp(sigma**2) - 1) == pytest.approx(0.2)


def test_monthly_volumes_follow_the_fractions_and_sum_to_the_year(spec):
    q = stochastic_traces(spec, [0, 1], years=5, seed=3)  # October start
    ann = annual_flows(spec, [0, 1], 5, seed=3)
    assert q.shape == (2, 14, 60)
    assert np.allclose(q.reshape(2, 14, 5, 12).sum(axis=3), ann)
    assert np.allclose(q.reshape(2, 14, 5, 12) / ann[..., None], spec.fractions[None, :, None, :])


def test_disaggregate_splits_each_year_by_the_fractions():
    months = np.arange(1, 13) / 78  # October 1/78 ... September 12/78
    monthly = disaggregate(np.array([[[120.0, 12.0]]]), months[None, :])
    assert monthly.shape == (1, 1, 24)
    np.testing.assert_allclose(monthly[0, 0], np.concatenate([120.0 * months, 12.0 * months]), rtol=1e-15)


@pytest.mark.parametrize("annual, fractions, message", [
    (np.ones((2, 3)), np.full((3, 12), 1 / 12), r"annual has shape \(2, 3\): give \(trace, river, year\)"),
    (np.ones((1, 3, 2)), np.full((2, 12), 1 / 12), r"fractions has shape \(2, 12\): .* the 3 river"),
    (np.ones((1, 3, 2)), np.full((3, 4), 0.25), r"fractions has shape \(3, 4\)"),
])
def test_disaggregate_refuses_shapes_it_would_misread(annual, fractions, message):
    """(Before: a (2, 3) array raised NumPy's 'too many indices', and fractions of 4 'months' gave 4 steps a
    year.)"""
    with pytest.raises(ValueError, match=message):
        disaggregate(annual, fractions)


@pytest.mark.parametrize("river, months, share, source", [
    ("vakhsh_in", slice(6, 12), 0.80, "Nurek inflow 80 % in April-September 2021/2023 [D17, D18]"),
    ("naryn_in", slice(6, 12), 0.75, "Toktogul inflow 75 % in the growing season 2023 [D18]"),
    ("panj_in", slice(6, 12), 0.81, "Gunt 81 % in the warm season [D7]"),
    ("chirchik_in", slice(0, 6), 0.225, "Charvak NGS norm ~1.43 of 6.36 km3 [D54, D7]"),
])
def test_seasonal_split_matches_published(spec, river, months, share, source):
    f = spec.fractions[spec.index(river)]
    assert f[months].sum() == pytest.approx(share, abs=0.01), source


def test_trace_is_independent_of_the_ensemble_size_and_run_length(spec):
    alone = stochastic_traces(spec, [7], years=10, seed=42)
    within = stochastic_traces(spec, range(12), years=25, seed=42)
    assert np.array_equal(alone[0], within[7, :, :120])
    other_seed = stochastic_traces(spec, [7], years=10, seed=43)
    assert not np.allclose(alone, other_seed)


@pytest.mark.parametrize("start_month", [10, 1, 4, 9])
def test_traces_have_twelve_months_a_year_whatever_the_start_month(spec, start_month):
    """A run from January needs parts of three hydrological years for two calendar years: they were cut to 21
    months (two hydrological years) had the count rounded down."""
    assert norm_traces(spec, 2, start_month=start_month).shape[-1] == 24
    assert stochastic_traces(spec, [0, 1], 2, seed=1, start_month=start_month).shape == (2, len(spec.ids), 24)


def test_the_first_year_is_drawn_like_the_others(spec):
    """The first year of each trace is a draw of its own (it is the stationary distribution's), not the median
    of every trace."""
    first = annual_flows(spec, range(200), 1, seed=4)[:, :, 0]
    assert np.unique(first[:, 0]).size == 200
    _, sigma = log_ar1_parameters(spec.means, np.array([h.cv for h in spec.headwaters]))
    np.testing.assert_allclose(np.log(first).std(axis=0), sigma, rtol=0.15)


def test_empty_draws_have_their_shape_and_negative_arguments_are_refused(spec):
    """No traces or no years are empty arrays of the right shape (they were NumPy errors from inside the
    generator); a negative year count, seed or trace index is a ValueError that names them, and so is a seed of
    2**32 or more, which would repeat another seed's trace (NumPy drops a seed's trailing zero words: seed 2**32's
    trace 0 would be seed 0's trace 1)."""
    assert stochastic_traces(spec, [], years=2).shape == (0, len(spec.headwaters), 24)
    assert stochastic_traces(spec, [3, 4], years=0).shape == (2, len(spec.headwaters), 0)
    assert annual_flows(spec, [], years=3).shape == (0, len(spec.headwaters), 3)
    for args in [([-1], 2, 0), ([1], -2, 0)]:
        with pytest.raises(ValueError, match="neither may be negative"):
            annual_flows(spec, *args)
    for seed, error in ((-1, ValueError), (2**32, ValueError), (1.5, TypeError), (True, TypeError)):  # (1.5: cut to 1)
        with pytest.raises(error, match=f"seed={seed}: the seed must be an integer from 0 to 2\\*\\*32 - 1"):
            annual_flows(spec, [1], 2, seed)
    assert annual_flows(spec, [1], 2, 2**32 - 1).shape == (1, len(spec.headwaters), 2)  # the largest seed


def test_norm_is_the_mean_year_and_respects_the_start_month(spec):
    oct_start = norm_traces(spec, 2)
    jan_start = norm_traces(spec, 2, start_month=1)
    assert np.allclose(oct_start[0].sum(axis=1), 2 * spec.means)
    assert np.allclose(jan_start[0, :, 0], spec.means * spec.fractions[:, 3])  # January = 4th month from October


def test_named_years(spec):
    f = named_year_factors(spec, "2000-2001", 4)
    amu, syr = spec.basins == "amu", spec.basins == "syr"
    assert np.allclose(f[amu, 0], 0.60) and np.allclose(f[amu, 1], 0.55)
    assert np.allclose(f[syr, :2], 0.80) and np.allclose(f[:, 2:], 1.0)
    q = named_year_traces(spec, "2021", 2)
    # 2021: Syr 32.09 of 37.2 km3 (86 %) [D17]; basin 84 % [F1]
    assert q[0, syr, :12].sum() / spec.means[syr].sum() == pytest.approx(0.863, abs=1e-6)
    assert q[0, amu, :12].sum() / spec.means[amu].sum() == pytest.approx(0.84, abs=1e-6)
    with pytest.raises(KeyError):
        named_year_factors(spec, "1999", 2)


def test_read_inflow_csv(tmp_path):
    p = tmp_path / "obs.csv"
    p.write_text("date,naryn_in\n2001-01-01,100\n2001-02-01,200\n")
    dates, cols = read_inflow_csv(p, unit="m3/s")
    assert list(dates.month) == [1, 2]
    assert cols["naryn_in"][0] == pytest.approx([100 * 31 * 0.0864, 200 * 28 * 0.0864])
    for unit in ("hm3", "hm3/month"):  # (volumes per month, written either way)
        assert read_inflow_csv(p, unit=unit)[1]["naryn_in"][0] == pytest.approx([100.0, 200.0])
    p.write_text("date,naryn_in\n2001-01-01,100\n2001-02-01,lots\n")
    with pytest.raises(ModelError, match="line 3, column 'naryn_in'"):
        read_inflow_csv(p)


@pytest.mark.parametrize(("text", "unit", "message"), [
    ("date,naryn_in\n2001-01-01,100\n2001-02-01,lots\n", "m3/s",
     "{p}: line 3, column 'naryn_in': 'lots' is not a finite number (1 such cell in the file)"),
    ("date,naryn_in\n2001-01-01,100\n2001-02-01,-5\n", "m3/s",
     "{p}: line 3, column 'naryn_in': '-5' is not a non-negative number"),
    ("date,naryn_in\n2001-01-01,100\nsoon,200\n", "hm3", "{p}: line 3: 'soon' in column 'date' is not a date"),
    ("date,naryn_in\n2001-01-01,100\n2001-01-01,200\n", "hm3",
     "{p}: line 3: date 2001-01-01 appears more than once (first on line 2)"),
    ("date\n2001-01-01\n", "hm3", "{p}: CSV 'obs.csv' needs a date column and at least one value column"),
    ("", "hm3", "{p}: cannot be read: the file is empty"),
    ("date,naryn_in\n2001-01-01,100\n", "MW", "{p}: inflow_csv_unit: 'MW' is a unit of power, but a flow is "
     "expected; use one of: " + __import__("daryo.units").units._known("flow")),
    # daily rows were read as the months they start (and the other days dropped)
    ("date,naryn_in\n2001-01-01,100\n2001-01-02,100\n2001-01-03,100\n", "m3/s",
     "{p}: line 3: date 2001-01-02 is not the first day of a month: the file holds one row per month, dated "
     "the 1st"),
    ("date,naryn_in\n2001-01-31,100\n", "hm3", "{p}: line 2: date 2001-01-31 is not the first day of a month: the "
     "file holds one row per month, dated the 1st"),
    # a header cell of two lines (Excel's Alt+Enter) and a blank line: the file's lines, as the shared reader counts
    # them (a Tashkent ministry analyst's review: these two were told at row + 2, a line or two early; the column's
    # line break is shown escaped)
    ('date,"naryn_in\n(m3/s)"\n2001-01-01,100\n\n2001-02-01,-5\n', "m3/s",
     "{p}: line 5, column 'naryn_in\\x0a(m3/s)': '-5' is not a non-negative number"),
    ('date,"naryn_in\n(m3/s)"\n2001-01-01,100\n\n2001-02-15,5\n', "m3/s",
     "{p}: line 5: date 2001-02-15 is not the first day of a month: the file holds one row per month, dated the 1st"),
])
def test_read_inflow_csv_messages(tmp_path, text, unit, message):
    p = tmp_path / "obs.csv"
    p.write_text(text)
    with pytest.raises(ModelError) as err:
        read_inflow_csv(p, unit=unit)
    assert [str(q) for q in err.value.problems] == [message.format(p=p)]


def test_malformed_hydrology_table_names_the_line(tmp_path):
    p = tmp_path / "hydrology.yaml"
    p.write_text("regimes:\n  snow: [0.1, 0.2\nheadwaters: []\n")
    with pytest.raises(ModelError) as err:
        load_spec(p)
    (problem,) = err.value.problems
    assert problem.file == str(p) and problem.place.startswith("line 3") and "malformed YAML" in problem.message
    p.write_text("- just a list\n")
    with pytest.raises(ModelError, match="a hydrology table must be a mapping"):
        load_spec(p)


def test_a_hydrology_table_with_missing_or_wrong_fields_lists_every_problem(tmp_path):
    p = tmp_path / "hydrology.yaml"
    p.write_text("""\
regimes:
  flat: [0.0833333333, 0.0833333333, 0.0833333333, 0.0833333333, 0.0833333333, 0.0833333333,
         0.0833333334, 0.0833333333, 0.0833333333, 0.0833333333, 0.0833333333, 0.0833333334]
  words: [a, b]
headwaters:
  - {id: a, basin: syr, regime: flat, mean_km3: 10, lag1: 0.2}
  - {id: b, basin: syr, regime: flat, mean_km3: ten, cv: 0.2, lag1: 0.2}
  - just text
named_years:
  dry: {years: 3}
  wet: {years: [{syr: 1.2, naryn_in: 0.5}, {syr: -0.3}, {syr: .nan}]}
""")
    with pytest.raises(ModelError) as err:  # a bare KeyError: 'cv' before
        load_spec(p)
    assert [(q.place, q.message) for q in err.value.problems] == [
        ("regimes.words", "needs 12 non-negative fractions summing to 1 (got ['a', 'b'])"),
        ("headwaters[a]", "missing cv"),
        ("headwaters[b]", "cv, lag1 and mean_km3 must be numbers"),
        ("headwaters[2]", "a headwater is a mapping, got just text"),
        ("named_years.dry", "needs years: a list of mappings of basin (syr) to a fraction of its mean"),
        # a headwater's id was ignored (the factors are per basin), a negative factor made negative inflows
        ("named_years.wet.years[0].naryn_in", "is not a basin of the headwaters; use syr"),
        ("named_years.wet.years[1].syr", "-0.3 is not a fraction of the mean (a finite number of 0 or more)"),
        ("named_years.wet.years[2].syr", "nan is not a fraction of the mean (a finite number of 0 or more)"),
    ]


def test_a_correlation_matrix_that_is_not_positive_definite_is_refused(tmp_path):
    """Three rivers of one basin pairwise correlated -0.6: the matrix has the eigenvalue 1 - 2 x 0.6 = -0.2."""
    p = tmp_path / "hydrology.yaml"
    p.write_text("""\
regimes:
  flat: [0.25, 0.25, 0.25, 0.25, 0, 0, 0, 0, 0, 0, 0, 0]
headwaters:
  - {id: a, basin: syr, regime: flat, mean_km3: 10, cv: 0.2, lag1: 0.2}
  - {id: b, basin: syr, regime: flat, mean_km3: 10, cv: 0.2, lag1: 0.2}
  - {id: c, basin: syr, regime: flat, mean_km3: 10, cv: 0.2, lag1: 0.2}
correlation: {within_basin: -0.6}
""")
    with pytest.raises(ModelError) as err:  # (not a LinAlgError when the traces are drawn)
        load_spec(p)
    assert [(q.place, q.message) for q in err.value.problems] == [
        ("correlation", "the correlation matrix is not positive definite; lower the correlations")]
    p.write_text(p.read_text().replace("-0.6", "-0.4"))  # eigenvalues 0.2, 1.4, 1.4
    assert load_spec(p).correlation[0, 1] == -0.4


@pytest.mark.parametrize("call, message", [
    (lambda spec: norm_traces(spec, -1), r"years=-1: give a whole number of years"),  # (NumPy's negative dimensions)
    (lambda spec: norm_traces(spec, 2, 13), r"start_month=13: give a calendar month"),  # (read as January)
    (lambda spec: norm_traces(spec, 2, 0), r"start_month=0: give a calendar month"),  # (read as December)
    (lambda spec: stochastic_traces(spec, [0], 2.5), r"years=2.5: give a whole number of years"),
    (lambda spec: named_year_factors(spec, "2021", 5, 0), r"first_year=0: give the run's hydrological year"),
])
def test_trace_functions_refuse_sizes_and_months_they_would_misread(call, message):
    """first_year 0 left every factor at 1 without a word."""
    with pytest.raises(ValueError, match=message):
        call(load_spec())


def test_the_default_hydrology_table_shared_by_a_process_cannot_be_changed_in_place():
    """A parameter sweep's review: ``load_spec()`` hands out the one table a process reads, and scaling its
    correlation in place changed every later stochastic run of the process (762,358 hm³ of inflow became 776,336
    with the same seed) while the results recorded the same hydrology.  Its arrays and named years are read-only."""
    spec = load_spec()
    assert load_spec() is spec
    with pytest.raises(ValueError, match="read-only"):
        spec.correlation *= 1.1
    with pytest.raises(ValueError, match="read-only"):
        spec.headwaters[0].fractions[0] = 0.5
    with pytest.raises(TypeError):
        spec.named_years["2021"] = ()  # type: ignore[index]
    with pytest.raises(TypeError):
        spec.named_years["2021"][0]["syr"] = 1.0  # type: ignore[index]
    scaled = spec.correlation * 1.1  # (a copy to change: the route the error leaves)
    assert scaled.flags.writeable


def test_read_inflow_csv_leaves_out_rows_outside_the_dates_daryo_holds(tmp_path):
    """A row dated 9999 is left out; a negative value after it is named at its own line of the file."""
    p = tmp_path / "obs.csv"
    p.write_text("date,naryn_in\n9999-01-01,1\n2001-01-01,100\n2001-02-01,200\n")
    dates, cols = read_inflow_csv(p, unit="hm3")
    assert [f"{d:%Y-%m-%d}" for d in dates] == ["2001-01-01", "2001-02-01"]
    assert cols["naryn_in"][0] == pytest.approx([100.0, 200.0])
    p.write_text("date,naryn_in\n9999-01-01,1\n2001-01-01,100\n2001-02-01,-5\n")
    with pytest.raises(ModelError, match=r"line 4, column 'naryn_in': '-5' is not a non-negative number"):
        read_inflow_csv(p)
