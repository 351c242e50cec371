"""The standard errors of an ensemble's statistics over its trace-years are taken by trace (a statistician's
review: trace-years of one trace are correlated, and shares were printed with no sampling uncertainty)."""

import numpy as np
import pytest
import xarray as xr

from daryo.ensemble.sampling import (
    Z95,
    Estimate,
    difference,
    mean_over_trace_years,
    paired_difference,
    paired_ratio_difference,
    quantile95,
    ratio_over_trace_years,
)


def _annual(rows: list[list[float]]) -> xr.DataArray:
    return xr.DataArray(np.array(rows, dtype=float), dims=("trace", "year"))


def test_a_share_and_its_standard_error_are_those_of_the_traces_sums():
    """Three traces of two years: 1 of 2, 2 of 2 and 0 of 2 years happen, a share of 3/6; the traces' sums 1, 2, 0
    differ from 0.5 × 2 by 0, 1, −1: SE = √(3/2 · 2) / 6 = √3 / 6."""
    est = mean_over_trace_years(_annual([[1, 0], [1, 1], [0, 0]]))
    assert float(est.value) == pytest.approx(0.5, abs=1e-15)
    assert float(est.se) == pytest.approx(np.sqrt(3) / 6, rel=1e-12)
    assert est.traces == 3


def test_with_one_year_a_trace_it_is_the_standard_error_of_independent_values():
    values = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    est = mean_over_trace_years(_annual([[v] for v in values]))
    assert float(est.se) == pytest.approx(values.std(ddof=1) / np.sqrt(values.size), rel=1e-12)


def test_correlated_years_of_a_trace_widen_the_error_against_pooling_them_as_independent():
    """Traces that are either dry every year or wet every year: 20 trace-years but 4 independent traces."""
    est = mean_over_trace_years(_annual([[1] * 5, [0] * 5, [1] * 5, [0] * 5]))
    naive = np.sqrt(0.5 * 0.5 / 20)
    assert float(est.value) == 0.5
    assert float(est.se) == pytest.approx(np.sqrt(4 / 3 * 4 * 2.5**2) / 20, rel=1e-12)
    assert float(est.se) > 2 * naive


def test_years_without_a_value_are_left_out_of_the_mean_and_its_error():
    est = mean_over_trace_years(_annual([[2, np.nan], [4, 6]]))
    assert float(est.value) == pytest.approx(4.0)
    # sums 2, 10 with 1 and 2 years: residuals 2 − 4 = −2 and 10 − 8 = 2; √(2 · 8) / 3
    assert float(est.se) == pytest.approx(np.sqrt(16) / 3, rel=1e-12)


#: Student's 97.5 % quantiles: of 19 degrees of freedom (20 traces), of 199 (200 trace-years) and of 399
T19, T199, T399 = 2.0930240544083087, 1.9719565442517533, 1.965927295920882


def _events(count: int, traces: int = 20, years: int = 10) -> xr.DataArray:
    """``traces`` × ``years`` trace-years, ``count`` of them 1: the first year of the first ``count`` traces."""
    rows = [[0.0] * years for _ in range(traces)]
    for i in range(count):
        rows[i][0] = 1.0
    return _annual(rows)


def test_a_share_of_0_or_1_is_as_of_its_trace_years_not_the_rule_of_three_on_the_traces():
    """A technical editor's review: a demand never short in 200 trace-years of 20 traces got the interval 0–15 %
    (3/20, the rule of three on the traces), one short once 0–1.55 %.  A share of 0 is now Korn and Graubard's: the
    Clopper–Pearson interval of its m = 200 trace-years, m_df = 200 (t₁₉₉ / t₁₉)² of them, whose high end solves
    (1 − h)^m_df = 0.025."""
    size = 200 * (T199 / T19) ** 2
    never = mean_over_trace_years(_events(0))
    low, high = never.interval(share=True)
    assert float(never.se) == 0.0 and int(never.observations) == 200
    assert float(low) == 0.0 and float(high) == pytest.approx(1 - 0.025 ** (1 / size), rel=1e-9)  # (2.06 %)
    low, high = mean_over_trace_years(1 - _events(0)).interval(share=True)
    assert float(low) == pytest.approx(0.025 ** (1 / size), rel=1e-9) and float(high) == 1.0


def test_a_share_of_one_event_takes_the_clopper_pearson_interval_of_its_effective_trace_years():
    """A technical editor's review (the interval of 1 of 200 was 0–1.55 %, too narrow for one event): 1 of 200
    trace-years, p = 0.005; the traces' sums differ from 0.005 × 10 by 0.95 once and −0.05 19 times, Σ = 0.95, so
    SE = √(20/19 · 0.95) / 200 = 0.005; m* = p(1−p)/SE² = 199, m_df = 199 (t₁₉₉ / t₁₉)², x = p m_df."""
    from scipy.stats import beta

    est = mean_over_trace_years(_events(1))
    assert float(est.se) == pytest.approx(0.005, rel=1e-12)
    size = 199 * (T199 / T19) ** 2
    x = 0.005 * size
    low, high = est.interval(share=True)
    assert float(low) == pytest.approx(beta.ppf(0.025, x, size - x + 1), rel=1e-9)
    assert float(high) == pytest.approx(beta.ppf(0.975, x + 1, size - x), rel=1e-9)  # (3.0 %: not 1.55)


def test_a_share_of_one_half_over_many_traces_is_close_to_the_normal_interval():
    """400 traces of one year, every other one 1: p = 0.5, SE = √(400/399 · 400 · 0.25) / 400, m* = 0.25 / SE² = 399
    trace-years, the degrees of freedom's factor (t₃₉₉ / t₃₉₉)² = 1: the Clopper–Pearson interval of 199.5 of 399,
    within 0.001 of p ± t SE."""
    from scipy.stats import beta

    est = mean_over_trace_years(_annual([[1.0], [0.0]] * 200))
    se = np.sqrt(400 / 399 * 400 * 0.25) / 400
    assert float(est.se) == pytest.approx(se, rel=1e-12)
    low, high = est.interval(share=True)
    assert float(low) == pytest.approx(beta.ppf(0.025, 199.5, 200.5), rel=1e-9)
    assert float(high) == pytest.approx(beta.ppf(0.975, 200.5, 199.5), rel=1e-9)
    assert [float(low), float(high)] == pytest.approx([0.5 - T399 * se, 0.5 + T399 * se], abs=1e-3)
    assert (float(low), float(high)) != pytest.approx((0.5 - T399 * se, 0.5 + T399 * se), abs=1e-6)


def test_the_high_end_of_a_shares_interval_rises_with_its_events_and_as_they_crowd_into_fewer_traces():
    """A technical editor's review: a demand never short got an upper bound ten times that of one short once.  Of
    20 traces × 10 years, 0, 1, ..., 5 events, one a trace: the high end rises with each (and the low end too); 2
    events in one trace are less certain than 2 in two."""
    ends = [[float(end) for end in mean_over_trace_years(_events(k)).interval(share=True)] for k in range(6)]
    highs, lows = [high for _, high in ends], [low for low, _ in ends]
    assert all(a < b for a, b in zip(highs, highs[1:], strict=False)), highs
    assert lows[0] == 0.0 and all(a < b for a, b in zip(lows, lows[1:], strict=False)), lows
    together = _events(0)
    together[0, :2] = 1.0
    assert float(mean_over_trace_years(together).interval(share=True)[1]) > highs[2]


def test_the_observations_are_the_trace_years_with_a_value_and_a_difference_has_no_share_interval():
    """A share's interval counts the trace-years with a value (of a ratio, those with both values), by element; a
    difference of two estimates is no share, and asking its share interval says so."""
    est = mean_over_trace_years(xr.DataArray(np.array([[[1, np.nan], [0, 0]], [[np.nan, np.nan], [1, 0]]]),
                                             dims=("trace", "year", "demand")))
    assert est.observations.values.tolist() == [3, 2]  # (demand a: 1, 0, 1; b: 0, 0)
    ratio = ratio_over_trace_years(_annual([[1, np.nan, 2], [0, 1, 1]]), _annual([[4, 4, np.nan], [2, 2, 2]]))
    assert int(ratio.observations) == 4 and float(ratio.value) == pytest.approx(3 / 10)
    apart = difference(mean_over_trace_years(_events(1)), mean_over_trace_years(_events(2)))
    with pytest.raises(ValueError, match="no number of observations .a difference of two estimates is not a share"):
        apart.interval(share=True)
    low, high = apart.interval()  # (its interval of a difference, ± t SE, unchanged)
    assert float(high - low) == pytest.approx(2 * T19 * float(apart.se), rel=1e-12)


def test_intervals_stay_within_0_and_1_and_one_trace_gives_none():
    some = mean_over_trace_years(_annual([[1, 0], [0, 0], [0, 0]]))
    low, high = some.interval(share=True)
    assert 0.0 < float(low) < 1 / 6 < float(high) < 1.0
    assert all(np.isnan(float(end)) for end in mean_over_trace_years(_annual([[1, 0, 0]])).interval(share=True))


def test_a_share_of_no_value_has_no_interval():
    """A diff review: a NaN share with a standard error of 0 (the tables take the share from the store and the
    error from the annual 0/1 values) got [0, 1], where the ends are NaN where the value is."""
    est = Estimate(xr.DataArray([np.nan, 0.0]), xr.DataArray([0.0, 0.0]), 10, xr.DataArray([100, 100]))
    low, high = est.interval(share=True)
    assert np.isnan(low.values[0]) and np.isnan(high.values[0])
    assert low.values[1] == 0.0 and 0.0 < high.values[1] < 0.05


def test_one_trace_has_no_standard_error():
    est = mean_over_trace_years(_annual([[1, 0, 1]]))
    assert float(est.value) == pytest.approx(2 / 3) and np.isnan(float(est.se))


def test_a_paired_difference_is_far_more_certain_than_one_of_independent_samples():
    """The same traces with 1 more each year: the paired difference is exactly 1 with no error; taken as two
    independent samples the difference carries both samples' errors."""
    rng = np.random.default_rng(0)
    base = xr.DataArray(rng.normal(10, 3, size=(50, 10)), dims=("trace", "year"))
    paired = paired_difference(base, base + 1)
    assert float(paired.value) == pytest.approx(1.0) and float(paired.se) == pytest.approx(0.0, abs=1e-12)
    a, b = mean_over_trace_years(base), mean_over_trace_years(base + 1)
    apart = difference(a, b)
    assert float(apart.value) == pytest.approx(1.0)
    assert float(apart.se) == pytest.approx(np.sqrt(2) * float(a.se), rel=1e-12)


def test_other_dimensions_are_kept():
    values = xr.DataArray(np.array([[[1, 0], [0, 0]], [[1, 1], [0, 1]]], dtype=float),
                          dims=("trace", "year", "demand"), coords={"demand": ["a", "b"]})
    est = mean_over_trace_years(values)
    assert est.value.dims == ("demand",)
    np.testing.assert_allclose(est.value.values, [0.5, 0.5])


def test_a_ratio_of_means_has_the_ratio_estimators_standard_error_by_trace():
    """A statistician's review of daryo compare (a deficit's share of the demand had no error): three traces of two
    years, deficits [1, 1], [0, 2], [3, 1] of demands [4, 4], [2, 6], [6, 2]: R = 8 / 24 = 1/3; the traces' sums
    2, 2, 4 of 8, 8, 8 differ from R w by −2/3, −2/3, 4/3: SE = √(3/2 · 24/9) / 24 = 2 / 24."""
    est = ratio_over_trace_years(_annual([[1, 1], [0, 2], [3, 1]]), _annual([[4, 4], [2, 6], [6, 2]]))
    assert float(est.value) == pytest.approx(1 / 3, rel=1e-12)
    assert float(est.se) == pytest.approx(2 / 24, rel=1e-12)
    # a trace-year where either is NaN is left out of both; of denominators 1 it is the mean's
    assert float(ratio_over_trace_years(_annual([[1, np.nan]]), _annual([[2, 5]])).value) == 0.5
    values = _annual([[2, np.nan], [4, 6]])
    ones = xr.ones_like(values)
    assert float(ratio_over_trace_years(values, ones).se) == pytest.approx(float(mean_over_trace_years(values).se))


def test_a_paired_difference_of_ratios_takes_the_traces_linearised_residuals():
    """The same three traces, the second's deficits one more in each trace's first year: R₂ = 11/24; each trace's
    residuals s − R w, (2 − 8/3, 2 − 8/3, 4 − 8/3) and (3 − 11/3, 3 − 11/3, 5 − 11/3), both (−2/3, −2/3, 4/3): their
    difference is 0, and so is the standard error; of two means it is paired_difference's."""
    demand = _annual([[4, 4], [2, 6], [6, 2]])
    first, second = _annual([[1, 1], [0, 2], [3, 1]]), _annual([[2, 1], [1, 2], [4, 1]])
    est = paired_ratio_difference((first, demand), (second, demand))
    assert float(est.value) == pytest.approx(3 / 24, rel=1e-12) and float(est.se) == pytest.approx(0.0, abs=1e-15)
    # three more in the first trace alone: R = 11/24, residuals 5 − 11/3, 2 − 11/3, 4 − 11/3 = 4/3, −5/3, 1/3, less
    # the first's: z = (2, −1, −1) / 24, SE = √(3/2 · 6) / 24 = 3/24
    third = _annual([[4, 1], [0, 2], [3, 1]])
    assert float(paired_ratio_difference((first, demand), (third, demand)).se) == pytest.approx(3 / 24, rel=1e-12)
    rng = np.random.default_rng(1)
    a, b = (xr.DataArray(rng.normal(5, 2, size=(20, 4)), dims=("trace", "year")) for _ in range(2))
    ones = xr.ones_like(a)
    assert float(paired_ratio_difference((a, ones), (b, ones)).se) == pytest.approx(
        float(paired_difference(a, b).se), rel=1e-12)


def test_a_ratio_of_sums_and_its_standard_error_are_those_of_the_traces_sums():
    """SDG 6.4.2's long-term stress is a ratio of means.  Two traces of two years: withdrawals 1, 3 and 2, 2 over
    water 4, 4 and 2, 6; the traces' sums 4, 4 over 8, 8, a ratio of 8 / 16 = 0.5 whose residuals 4 − 4 are 0; a
    third trace of 3, 3 over 2, 2 (6 over 4) makes it 14 / 20 = 0.7 with residuals 4 − 5.6, 4 − 5.6, 6 − 2.8."""
    from daryo.ensemble.sampling import ratio_over_trace_years

    even = ratio_over_trace_years(_annual([[1, 3], [2, 2]]), _annual([[4, 4], [2, 6]]))
    assert float(even.value) == 0.5 and float(even.se) == 0.0
    est = ratio_over_trace_years(_annual([[1, 3], [2, 2], [3, 3]]), _annual([[4, 4], [2, 6], [2, 2]]))
    assert float(est.value) == pytest.approx(0.7)
    want = np.sqrt(3 / 2 * (1.6**2 + 1.6**2 + 3.2**2)) / 20
    assert float(est.se) == pytest.approx(want, rel=1e-12)
    # a year with no value of either is left out of both
    gap = ratio_over_trace_years(_annual([[1, np.nan], [2, 2]]), _annual([[4, 4], [2, 6]]))
    assert float(gap.value) == pytest.approx(5 / 12)


def test_the_interval_takes_students_t_of_the_traces_less_one_degrees_of_freedom():
    """A statistician's diff review: ±1.96 standard errors by trace cover 81 % with 3 traces, 92 % with 10; the
    margin is Student's 97.5 % quantile of n − 1 degrees of freedom times the standard error, 1.96 in the limit."""
    assert quantile95(3) == pytest.approx(4.302652729911275) and quantile95(10) == pytest.approx(2.262157162740992)
    assert quantile95(100_000) == pytest.approx(Z95, rel=1e-4) and np.isnan(quantile95(1))
    est = mean_over_trace_years(_annual([[1.0], [2.0], [4.0]]))
    low, high = est.interval()
    assert float(high - low) == pytest.approx(2 * 4.302652729911275 * float(est.se))


def test_a_mean_of_fractions_takes_its_effective_trace_years_from_its_spread_not_capped_at_them():
    """A Chu-Talas modeller's and a drought-risk actuary's review: a deficit of 32.5–36.7 % in each trace-year got an
    interval of 25.7–40.0 %, as if each trace-year were all or nothing (m* capped at the 200 trace-years).  Fractions
    of 20 traces × 10 years, spread ±0.02 about 0.33: m* = p(1−p)/SE² is far above 200, and the interval is within
    1e-4 of p ± t SE (t of 19 degrees of freedom), not the capped one."""
    rng = np.random.default_rng(5)
    fractions = _annual((0.33 + rng.uniform(-0.02, 0.02, (20, 10))).tolist())
    est = mean_over_trace_years(fractions)
    assert not bool(est.all_or_nothing)
    p, se = float(est.value), float(est.se)
    assert p * (1 - p) / se**2 > 200 * 100
    low, high = est.interval(share=True)
    assert [float(low), float(high)] == pytest.approx([p - T19 * se, p + T19 * se], abs=1e-4)
    capped = Estimate(est.value, est.se, 20, est.observations).interval(share=True)  # (all or nothing: before)
    assert float(capped[1] - capped[0]) > 10 * float(high - low)


def test_a_mean_of_the_same_fraction_every_trace_year_is_its_own_interval():
    """The demo's valley irrigation, short by 14.66 % in every trace-year (a canal's capacity): no spread, so the
    interval is the mean itself (it printed 7.6–24.6 %); a share of events with no spread between traces (each trace
    short in one of its two years) keeps its Clopper–Pearson interval of its trace-years."""
    est = mean_over_trace_years(_annual([[0.1466] * 10] * 30))
    low, high = est.interval(share=True)
    assert float(est.se) == pytest.approx(0.0, abs=1e-15)  # (0, or rounding's: the same interval)
    assert [float(low), float(high)] == pytest.approx([0.1466, 0.1466], abs=1e-9)
    few = mean_over_trace_years(_annual([[0.1466] * 10] * 3))  # (3 traces: a mean of 0 of theirs reaches 42 %)
    assert float(few.interval(share=True)[1]) == pytest.approx(float(mean_over_trace_years(
        _annual([[0.0] * 10] * 3)).interval(share=True)[1]), rel=1e-12)
    events = mean_over_trace_years(_annual([[1, 0]] * 3))
    low, high = events.interval(share=True)
    assert bool(events.all_or_nothing) and float(events.se) == 0.0 and 0.0 < float(low) < 0.5 < float(high) < 1.0


def test_a_ratio_is_all_or_nothing_where_each_numerator_is_0_or_its_denominator():
    whole = ratio_over_trace_years(_annual([[2, 0], [0, 3]]), _annual([[2, 4], [5, 3]]))
    part = ratio_over_trace_years(_annual([[1, 0], [0, 3]]), _annual([[2, 4], [5, 3]]))
    assert bool(whole.all_or_nothing) and not bool(part.all_or_nothing)


def test_a_mean_of_fractions_just_above_0_is_never_bounded_lower_than_a_mean_of_0():
    """A diff reread: one trace-year short by 2 % of 600 (60 traces × 10 years) read 0–0.019 %, beside 0–0.64 % for
    none short; a fraction's interval reaches at least as far as a mean of 0 of its trace-years, all or nothing."""
    none = _annual([[0.0] * 10] * 60)
    once = none.copy()
    once[0, 0] = 0.02
    zero_high = float(mean_over_trace_years(none).interval(share=True)[1])
    low, high = mean_over_trace_years(once).interval(share=True)
    assert float(low) < 0.02 / 600 < zero_high == pytest.approx(float(high), rel=1e-12)
    ones = 1 - none
    ones[0, 0] = 0.98
    assert float(mean_over_trace_years(ones).interval(share=True)[0]) == pytest.approx(
        float(mean_over_trace_years(1 - none).interval(share=True)[0]), rel=1e-12)
