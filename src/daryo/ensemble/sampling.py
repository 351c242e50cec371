"""Sampling uncertainty of an ensemble's statistics over its trace-years.

An ensemble's mean or share "over the trace-years" pools every run year of every trace.  The years of one trace
are not independent draws: its hydrology is autocorrelated (the generator's lag-1 correlation) and its
reservoirs carry water from one year to the next, so a drought year is often followed by another.  The traces
are independent of each other, so the standard error here is taken **by trace** (a cluster, or ratio-estimator,
standard error): each trace's sum over its years is one observation, and

    p = Σᵢ sᵢ / Σᵢ wᵢ,        SE(p) = √( n/(n−1) · Σᵢ (sᵢ − p wᵢ)² ) / Σᵢ wᵢ

with ``sᵢ`` trace ``i``'s sum of the values over its years, ``wᵢ`` its number of years with a value, and ``n``
the number of traces.  With one year per trace (a single run year) it is the usual standard error of a mean of
``n`` independent values.  A 95 % interval is ``p ± t SE``, ``t`` Student's 97.5 % quantile of ``n − 1`` degrees of
freedom (:func:`quantile95`: 2.26 for 10 traces, 2.05 for 30, 1.96 for many; ±1.96 SE would cover 92 % with 10
traces, 81 % with 3); for a share it is kept within [0, 1], and a share (or a mean of fractions) of 0 or 1 — no
variation to estimate a standard error from — gets the "rule of three" bound of ``n`` independent traces, [0, 3/n]
or [1 − 3/n, 1].

Two ensembles of other traces (other seeds) are independent samples: the standard error of a difference of
their means is ``√(SE₁² + SE₂²)``.  Two ensembles of the same traces (the same seed, other overlays) are paired:
the standard error of the difference is that of the per-trace differences (:func:`paired_difference`), usually
far smaller.

A ratio of two means over the trace-years (a deficit's share of the demand, a water stress: ``Σ x / Σ y``) has
the same standard error with ``sᵢ`` and ``wᵢ`` trace ``i``'s sums of ``x`` and of ``y``
(:func:`ratio_over_trace_years`); of two ratios over the same traces, that of their linearised differences by
trace (:func:`paired_ratio_difference`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

__all__ = ["Estimate", "Z95", "quantile95", "mean_over_trace_years", "ratio_over_trace_years", "difference",
           "paired_difference", "paired_ratio_difference"]

#: The standard normal quantile of a two-sided 95 % interval (Student's quantile of many degrees of freedom).
Z95 = 1.959963984540054


def quantile95(traces: int) -> float:
    """The multiple of a standard error by trace that makes a two-sided 95 % interval: Student's t quantile of
    ``traces − 1`` degrees of freedom (a statistician's diff review: ±1.96 SE covers 81 % with 3 traces, 92 % with
    10), :data:`Z95` in the limit; NaN with fewer than two traces (no standard error).

    Parameters
    ----------
    traces
        The number of traces the standard error is from.

    Returns
    -------
    float
        12.71 for 2 traces, 2.26 for 10, 2.05 for 30, 1.98 for 100.
    """
    if traces < 2:
        return float("nan")
    from scipy.stats import t

    return float(t.ppf(0.975, traces - 1))


@dataclass(frozen=True)
class Estimate:
    """A statistic over an ensemble's trace-years with its standard error by trace.

    Attributes
    ----------
    value
        The mean over the trace-years (a share where the values are 0/1), by element.
    se
        Its standard error, by trace (NaN with fewer than two traces).
    traces
        The number of traces it is from.
    """

    value: xr.DataArray
    se: xr.DataArray
    traces: int

    def margin(self) -> xr.DataArray:
        """The margin of the 95 % interval, ``t · se`` (:func:`quantile95` of :attr:`traces`)."""
        return quantile95(self.traces) * self.se

    def interval(self, share: bool = False) -> tuple[xr.DataArray, xr.DataArray]:
        """The 95 % interval ``value ± t · se`` (:meth:`margin`).

        Parameters
        ----------
        share
            The values are shares (0 to 1): the interval is kept within [0, 1], and a share of exactly 0 or 1
            reaches at least 3/n from it (the rule of three for ``n`` independent traces).

        Returns
        -------
        (xarray.DataArray, xarray.DataArray)
            The interval's low and high ends.
        """
        low, high = self.value - self.margin(), self.value + self.margin()
        if not share:
            return low, high
        rule = min(1.0, 3.0 / self.traces) if self.traces else 1.0
        low = xr.where(self.value >= 1.0, np.minimum(low, 1.0 - rule), low).clip(0.0, 1.0)
        high = xr.where(self.value <= 0.0, np.maximum(high, rule), high).clip(0.0, 1.0)
        return low.where(self.value.notnull()), high.where(self.value.notnull())


def mean_over_trace_years(values: xr.DataArray, trace: str = "trace", year: str = "year") -> Estimate:
    """The mean of ``values`` over the trace-years and its standard error by trace.

    Parameters
    ----------
    values
        Annual values with a ``trace`` and a ``year`` dimension (NaN: no value that year, left out): an ensemble
        store's ``annual_*`` variable, or a 0/1 (boolean) array of the years something happens, whose mean is
        the share of trace-years it happens in.  Other dimensions (the elements) are kept.
    trace, year
        The names of the two dimensions pooled.

    Returns
    -------
    Estimate
        The mean (or share) and its standard error by trace (:mod:`daryo.ensemble.sampling`).
    """
    years = xr.ones_like(values, dtype=float)  # (a ratio over the years with a value: NaN ones are left out)
    return ratio_over_trace_years(values, years, trace, year)


def difference(first: Estimate, second: Estimate) -> Estimate:
    """``second − first`` of two ensembles of independent traces (other seeds), with the standard error
    ``√(SE₁² + SE₂²)``.

    Parameters
    ----------
    first, second
        The two estimates, of the same elements.

    Returns
    -------
    Estimate
        The difference, its standard error and the smaller number of traces.
    """
    return Estimate(second.value - first.value, (first.se**2 + second.se**2) ** 0.5,
                    min(first.traces, second.traces))


def paired_difference(first: xr.DataArray, second: xr.DataArray, trace: str = "trace",
                      year: str = "year") -> Estimate:
    """``second − first`` of two ensembles of the same traces (paired: the same seed and hydrology), with the
    standard error by trace of the trace-years' differences.

    Parameters
    ----------
    first, second
        Annual values of the same traces and years (see :func:`mean_over_trace_years`).
    trace, year
        The names of the two dimensions pooled.

    Returns
    -------
    Estimate
        The mean difference and its standard error by trace.
    """
    return mean_over_trace_years(second - first, trace, year)


def ratio_over_trace_years(numerator: xr.DataArray, denominator: xr.DataArray, trace: str = "trace",
                           year: str = "year") -> Estimate:
    """``Σ numerator / Σ denominator`` over the trace-years, a ratio of two means (a deficit's share of the demand,
    a water stress), and its standard error by trace (the ratio estimator).

    Parameters
    ----------
    numerator, denominator
        Annual values of the same traces and years (see :func:`mean_over_trace_years`); a trace-year where either
        is NaN is left out of both.
    trace, year
        The names of the two dimensions pooled.

    Returns
    -------
    Estimate
        The ratio and its standard error ``√(n/(n−1) · Σᵢ (sᵢ − R wᵢ)²) / Σᵢ wᵢ``, ``sᵢ`` and ``wᵢ`` trace ``i``'s
        sums of the numerator and the denominator; NaN where the denominators sum to 0.
    """
    sums, weights = _trace_sums(numerator, denominator, year)
    total = weights.sum(trace)
    ratio = sums.sum(trace) / total.where(total != 0)
    n = numerator.sizes[trace]
    return Estimate(ratio, _cluster_se(sums - ratio * weights, total, trace), n)


def paired_ratio_difference(first: tuple[xr.DataArray, xr.DataArray], second: tuple[xr.DataArray, xr.DataArray],
                            trace: str = "trace", year: str = "year") -> Estimate:
    """``R₂ − R₁`` of two ratios over the trace-years (:func:`ratio_over_trace_years`) of the same traces (paired),
    with the standard error by trace of the difference of the traces' linearised residuals,
    ``zᵢ = (s₂ᵢ − R₂ w₂ᵢ) / W₂ − (s₁ᵢ − R₁ w₁ᵢ) / W₁``: ``√(n/(n−1) · Σᵢ zᵢ²)``.  Of two means (denominators 1)
    of the same years it is :func:`paired_difference`'s.

    Parameters
    ----------
    first, second
        Each ratio's numerator and denominator, annual values of the same traces.
    trace, year
        The names of the two dimensions pooled.

    Returns
    -------
    Estimate
        The difference of the ratios and its standard error by trace.
    """
    residuals, ratios = [], []
    for numerator, denominator in (first, second):
        sums, weights = _trace_sums(numerator, denominator, year)
        total = weights.sum(trace)
        ratio = sums.sum(trace) / total.where(total != 0)
        residuals.append((sums - ratio * weights) / total.where(total != 0))
        ratios.append(ratio)
    n = first[0].sizes[trace]
    return Estimate(ratios[1] - ratios[0], _cluster_se(residuals[1] - residuals[0], 1.0, trace), n)


def _trace_sums(numerator: xr.DataArray, denominator: xr.DataArray, year: str
                ) -> tuple[xr.DataArray, xr.DataArray]:
    """Each trace's sums over its years of a ratio's numerator and denominator, the trace-years where either is NaN
    left out of both."""
    x, y = numerator.astype(float), denominator.astype(float)
    valid = x.notnull() & y.notnull()
    return x.where(valid, 0.0).sum(year), y.where(valid, 0.0).sum(year)


def _cluster_se(residual: xr.DataArray, total: xr.DataArray | float, trace: str) -> xr.DataArray:
    """``√(n/(n−1) · Σᵢ residualᵢ²) / total`` over the traces (NaN with fewer than two traces, or a total of 0)."""
    n = residual.sizes[trace]
    if n < 2:
        return xr.full_like(residual.isel({trace: 0}, drop=True), np.nan)
    if isinstance(total, xr.DataArray):
        total = total.where(total != 0)
    return ((residual**2).sum(trace, skipna=False) * (n / (n - 1))) ** 0.5 / total
