"""The standard errors of an ensemble's statistics over its trace-years are taken by trace (a statistician's
review: trace-years of one trace are correlated, and shares were printed with no sampling uncertainty)."""

import numpy as np
import pytest
import xarray as xr

from daryo.ensemble.sampling import (
    Z95,
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


def test_a_share_of_zero_or_one_gets_the_rule_of_three_and_intervals_stay_within_0_and_1():
    never = mean_over_trace_years(_annual([[0, 0]] * 30))
    low, high = never.interval(share=True)
    assert float(never.se) == 0.0 and float(low) == 0.0 and float(high) == pytest.approx(0.1)
    always = mean_over_trace_years(_annual([[1, 1]] * 30))
    low, high = always.interval(share=True)
    assert float(low) == pytest.approx(0.9) and float(high) == 1.0
    some = mean_over_trace_years(_annual([[1, 0], [0, 0], [0, 0]]))
    low, high = some.interval(share=True)
    assert float(low) == 0.0 and float(high) == pytest.approx(1 / 6 + 4.302652729911275 * float(some.se))  # (t, 2 df)


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
