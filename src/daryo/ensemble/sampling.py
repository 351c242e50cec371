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
traces, 81 % with 3).

A share (the mean of 0/1 values, or of fractions from 0 to 1) takes instead the Korn–Graubard interval (Korn and
Graubard 1998, Survey Methodology 24(2):193–201; the NCHS standard for a proportion from a survey's clusters,
Parker et al. 2017, Vital Health Stat 2(175)), as ``p ± t SE`` fails where there are few events: with one event
in 200 trace-years it is far too narrow, and a share of 0 had no standard error at all (a technical editor's
review: 0 of 200 trace-years read 0–15 %, 1 of 200 0–1.55 %).  It is the Clopper–Pearson interval of the
effective number of observations, the ``m`` independent trace-years that would give the same standard error,
adjusted for the traces' degrees of freedom:

    m* = p(1−p) / SE²   (at most m; m where p is 0 or 1 or SE is 0),
    m_df = m* · (t_{m−1} / t_{n−1})²,   x = p m_df,
    low = B(0.025; x, m_df − x + 1)   (0 where x = 0),   high = B(0.975; x + 1, m_df − x)   (1 where x = m_df)

``m`` the number of trace-years with a value (:attr:`Estimate.observations`), ``t_k`` Student's 97.5 % quantile of
``k`` degrees of freedom (Korn and Graubard's ``t_{m−1}``; with 1.96 in its place, Dean and Pagano's variant, it
is a little wider), ``B(q; a, b)`` the ``q`` quantile of the beta distribution.  It is within [0, 1], its high
end rises with the events, and it widens as the events crowd into fewer traces.  A share of 0 or 1 (no
spread to measure) is taken as of ``m`` independent trace-years: 0 of 6,000 trace-years of 300 traces is at most
0.062 %, where the "rule of three" on the traces this module gave before said 3/300 = 1 %, ten times the bound of
1 of 6,000 (0.09 %).  A mean of fractions (of a deficit, say) whose trace-years are not all 0 or 1 has its
``m*`` from its own spread, not capped at ``m``: fractions spread less than events of the same mean, and capping
them at ``m`` (taking each trace-year as all or nothing) made an interval several times the spread (a Chu-Talas
modeller's and a drought-risk actuary's review: a deficit of 32.5–36.7 % in each of 200 trace-years got
25.7–40.0 %; a mean of 9.6 % 3.3 times its ``± t SE``).  Where such a mean has no spread at all (the same
fraction every trace-year), its interval is the mean itself.  A mean of 0 or 1 has no spread to measure and is
taken as all or nothing (its trace-years are); a mean of fractions between reaches at least as far as that
(its high end at least a mean of 0's, its low end at most a mean of 1's), so that a mean just above 0 is never
bounded lower than a mean of 0.

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
    observations
        The number of trace-years it is from, those with a value (of a ratio, with both its numerator and its
        denominator), by element, which a share's interval needs; None for a difference of two estimates
        (:func:`difference`), which is no share.
    all_or_nothing
        Whether each element's trace-years are each 0 or all of their denominator (a share of events, whose
        values are 0/1), by element; None: taken as such.  A share's effective observations are at most
        :attr:`observations` where they are, from the values' spread alone where not (a mean of fractions).
    """

    value: xr.DataArray
    se: xr.DataArray
    traces: int
    observations: xr.DataArray | None = None
    all_or_nothing: xr.DataArray | None = None

    def margin(self) -> xr.DataArray:
        """The margin of the 95 % interval, ``t · se`` (:func:`quantile95` of :attr:`traces`)."""
        return quantile95(self.traces) * self.se

    def interval(self, share: bool = False) -> tuple[xr.DataArray, xr.DataArray]:
        """The 95 % interval: ``value ± t · se`` (:meth:`margin`), or a share's Korn–Graubard interval.

        Parameters
        ----------
        share
            The values are shares, or fractions from 0 to 1: the interval is the Korn–Graubard one
            (:mod:`daryo.ensemble.sampling`), the Clopper–Pearson interval of the effective number of observations
            ``p(1−p)/se²`` (at most :attr:`observations` where the values are 0/1, :attr:`all_or_nothing`; all
            of them where the share is 0 or 1 or ``se`` is 0) adjusted for the ``traces − 1`` degrees of freedom.
            It is within [0, 1] and never narrower for fewer events: a share of 0 of 200 trace-years of 20 traces
            reaches 2.1 %, of 1 of them 3.0 %.  A mean of fractions takes its effective observations from its
            spread alone (the mean itself where it has none).

        Returns
        -------
        (xarray.DataArray, xarray.DataArray)
            The interval's low and high ends (NaN where the value or the standard error is, and with fewer than
            two traces).

        Raises
        ------
        ValueError
            If ``share`` is asked of an estimate without :attr:`observations` (a difference).
        """
        if not share:
            return self.value - self.margin(), self.value + self.margin()
        if self.observations is None:
            raise ValueError("Estimate.interval(share=True): this estimate has no number of observations (a "
                             "difference of two estimates is not a share); give Estimate its observations, the "
                             "number of trace-years with a value, as mean_over_trace_years does")
        return _korn_graubard(self.value, self.se, self.observations, self.traces, self.all_or_nothing)


def _korn_graubard(share: xr.DataArray, se: xr.DataArray, observations: xr.DataArray, traces: int,
                   all_or_nothing: xr.DataArray | None = None) -> tuple[xr.DataArray, xr.DataArray]:
    """The Korn–Graubard 95 % interval of ``share`` (Korn and Graubard 1998, their degrees-of-freedom adjusted
    version): the Clopper–Pearson interval of ``x = p m_df`` events in ``m_df`` observations, ``m_df = m* (t_{m−1} /
    t_{n−1})²``, ``m* = p(1−p)/se²`` at most ``m`` (``observations``) where the values are 0/1
    (``all_or_nothing``: None, all of them are), and ``m`` where ``p`` is 0 or 1 or (0/1 values) ``se`` 0; ``p``
    itself where fractions have no spread (``se`` 0); ``n`` the number of ``traces``
    (:mod:`daryo.ensemble.sampling`)."""
    from scipy.stats import beta, t

    if traces < 2:
        return (xr.full_like(share, np.nan, dtype=float),) * 2
    error, m = (x.broadcast_like(share).values.astype(float) for x in (se, observations))
    events_only = (np.ones(share.shape, dtype=bool) if all_or_nothing is None
                   else all_or_nothing.broadcast_like(share).values.astype(bool))
    p = np.clip(share.values.astype(float), 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(m > 1, m, np.nan)  # (t of m − 1 degrees of freedom: two trace-years at least)
        spread = np.where(error == 0, np.where(events_only, m, np.inf), p * (1 - p) / error**2)
        spread = np.where(~events_only & (spread > 1e12), np.inf, spread)  # (a standard error of rounding alone:
        # none, where the beta quantiles of 1e30 observations put the low end above the mean)
        effective = np.where((p <= 0) | (p >= 1), m, np.where(events_only, np.minimum(spread, m), spread))
        size = np.where(np.isnan(error) | np.isnan(p) | ~(effective > 0), np.nan, effective)
        size = size * (t.ppf(0.975, m - 1) / quantile95(traces)) ** 2
        exact = np.isinf(size)  # (fractions with no spread: the mean itself)
        size = np.where(exact, 1.0, size)
        events = p * size
        low = np.where(exact, p, np.where(events > 0, beta.ppf(0.025, events, size - events + 1), 0.0))
        high = np.where(exact, p, np.where(events < size, beta.ppf(0.975, events + 1, size - events), 1.0))
        # a mean of fractions reaches at least as far as a mean of 0 (or 1) of its trace-years, all or nothing, does:
        # one trace-year short by 2 % of 600 read 0–0.019 % beside 0–0.64 % for none short (a diff reread)
        edge = m * (t.ppf(0.975, m - 1) / quantile95(traces)) ** 2  # (m_df of all or nothing at 0 or 1)
        fraction = ~events_only & (p > 0) & (p < 1)
        high = np.where(fraction, np.maximum(high, 1 - 0.025 ** (1 / edge)), high)
        low = np.where(fraction, np.minimum(low, 0.025 ** (1 / edge)), low)
    valid = ~np.isnan(size)
    return share.copy(data=np.where(valid, low, np.nan)), share.copy(data=np.where(valid, high, np.nan))


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
        The mean (or share), its standard error by trace (:mod:`daryo.ensemble.sampling`) and the number of
        trace-years with a value, by element.
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
        sums of the numerator and the denominator; NaN where the denominators sum to 0.  Its observations are the
        trace-years with both values, as for a mean: the interval of a ratio that is a share (a deficit's share of
        the demand) counts trace-years, not units of the denominator.
    """
    sums, weights, counts = _trace_sums(numerator, denominator, year)
    total = weights.sum(trace)
    ratio = sums.sum(trace) / total.where(total != 0)
    n = numerator.sizes[trace]
    return Estimate(ratio, _cluster_se(sums - ratio * weights, total, trace), n, counts.sum(trace),
                    _all_or_nothing(numerator, denominator, trace, year))


def _all_or_nothing(numerator: xr.DataArray, denominator: xr.DataArray, trace: str, year: str) -> xr.DataArray:
    """Whether each trace-year's ``numerator`` is 0 or its ``denominator`` (0/1 values: a share of events), by
    element; trace-years where either is NaN are left out."""
    x, y = numerator.astype(float), denominator.astype(float)
    return ((x == 0) | (x == y) | x.isnull() | y.isnull()).all((trace, year))


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
        sums, weights, _ = _trace_sums(numerator, denominator, year)
        total = weights.sum(trace)
        ratio = sums.sum(trace) / total.where(total != 0)
        residuals.append((sums - ratio * weights) / total.where(total != 0))
        ratios.append(ratio)
    n = first[0].sizes[trace]
    return Estimate(ratios[1] - ratios[0], _cluster_se(residuals[1] - residuals[0], 1.0, trace), n)


def _trace_sums(numerator: xr.DataArray, denominator: xr.DataArray, year: str
                ) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray]:
    """Each trace's sums over its years of a ratio's numerator and denominator, the trace-years where either is NaN
    left out of both, and its number of trace-years with both."""
    x, y = numerator.astype(float), denominator.astype(float)
    valid = x.notnull() & y.notnull()
    return x.where(valid, 0.0).sum(year), y.where(valid, 0.0).sum(year), valid.sum(year)


def _cluster_se(residual: xr.DataArray, total: xr.DataArray | float, trace: str) -> xr.DataArray:
    """``√(n/(n−1) · Σᵢ residualᵢ²) / total`` over the traces (NaN with fewer than two traces, or a total of 0)."""
    n = residual.sizes[trace]
    if n < 2:
        return xr.full_like(residual.isel({trace: 0}, drop=True), np.nan)
    if isinstance(total, xr.DataArray):
        total = total.where(total != 0)
    return ((residual**2).sum(trace, skipna=False) * (n / (n - 1))) ** 0.5 / total
