"""What ``daryo ensemble`` and ``daryo summary`` print of an ensemble's finished store: the demands most often
short, the plants' energy and energy targets, the reservoirs' lowest storage and rule curves, the water reaching the
sinks, the flow requirements and the water stress."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import percent_text as _percent

if TYPE_CHECKING:
    import xarray as xr

    from ..ensemble.output import EnsembleOutput


def _report_store(out: Path, csv: Path | None, threshold: float | None = None, year: RunYear = None,
                  shown: int | None = 10, heading: Sequence[str] = ()) -> None:
    """What an ensemble's finished store ``out`` says: its summary CSV (``csv``, where asked for), written before
    anything is printed, then the lines of the ``heading``, where the CSV was written, the demands most often short
    (by another ``threshold`` or one run ``year``'s figures, or a range of run years', where given), the plants'
    energy and energy targets, the reservoirs' lowest storage and rule curves, the water reaching the sinks and the
    flow requirements (of that ``year`` too), the water stress, and the caveats of the model, as ``daryo run``
    prints them (a review: a brief made of ensembles alone had none): the store opened once for them all. (A CLI
    review: with ``| head -1`` the report's second line ended the command, exit 141, and the CSV printed after it
    was never written; ``daryo run`` saves before it prints.)"""
    from ..ensemble import open_output
    from .summary import caveat_lines

    with open_output(out) as ds:
        _write_summary_csv(ds, out, csv, threshold)
        for line in heading:
            print(line)
        if csv is not None:
            print(f"summaries written to {csv}")
        if year is not None and (span := year_span(ds, year)):
            print(span)
        _print_shortfalls(ds, shown, threshold=threshold, year=year)
        _print_countries(ds, threshold=threshold, year=year)
        for table in (_print_energy, _print_energy_targets, _print_storage, _print_rule_curves, _print_sinks,
                      _print_requirements, _print_water_stress):
            _print_or_tell(table, ds, year)
        if not isinstance(year, int) and (note := drift_note(ds, out, threshold, year)):
            print(note)
        caveats = caveat_lines(ds)
    if caveats:
        print(*caveats, sep="\n")


#: how many elements whose figures drift with the run year a report's note names (:func:`drift_note`)
DRIFTS_NAMED = 3


def drift_note(ds: xr.Dataset, out: Path | str, threshold: float | None = None, years: range | None = None) -> str:
    """A note where the report's main figures (the demands' P and mean deficit, the plants' target missed) of the
    open store ``ds`` (at ``out``; by another ``threshold``, over a range of run ``years``, where given) differ
    between its first run year, or its first third of run years, and its last third, beyond their sampling noise
    (:func:`daryo.ensemble.drift.run_year_drift`): the pooled figures then mix a warm-up with the later years, and
    depend on the run's length (an actuary's review: Toktogul's target missed in 41 % of the traces in run year 0,
    5 % in run year 19, pooled with no word).  The :data:`DRIFTS_NAMED` elements with the largest drift, and how
    many more; "" where nothing drifts (or the store keeps too few traces or years, or is of an earlier daryo)."""
    from ..ensemble import EarlierStoreError
    from ..ensemble.drift import run_year_drift

    try:
        table = run_year_drift(ds, threshold, years)
    except EarlierStoreError:
        return ""
    drifts = table[table["drifts"]]
    if drifts.empty:
        return ""
    first, third, last = (table.attrs[k] for k in ("first_year", "first_third", "last_third"))
    spans = {"first year": f"run year {first[0]}", "first third": _span_words(third)}
    named, parts = list(dict.fromkeys(zip(drifts["element"], drifts["quantity"], strict=True))), []
    for element, quantity in named[:DRIFTS_NAMED]:
        rows = drifts[(drifts["element"] == element) & (drifts["quantity"] == quantity)]
        early = " and ".join(f"{_drift_percent(r['early'])} in {spans[r['early_years']]}"
                             for _, r in rows.sort_values("early_years", key=lambda w: w != "first year").iterrows())
        parts.append(f"{element} {quantity} {early} against {_drift_percent(rows['late'].iloc[0])}")
    more = f"; {len(named) - DRIFTS_NAMED} more figures (daryo.ensemble.drift.run_year_drift)" if len(
        named) > DRIFTS_NAMED else ""
    start = third[-1] + 1 if len(third) > 1 else first[0] + 1
    head = (f"note: figures drift with the run year, beyond their sampling noise (paired by trace; against "
            f"{_span_words(last)}): {'; '.join(parts)}{more}.  ")
    if years is not None and years.start > 0:  # (the first years already left out: a trend through the run, which
        # leaving out more would chase, a diff reread found: --year 3: advised --year 5:)
        return head + ("The figures still drift after the run's first years were left out: they trend through the "
                       "run (a reservoir still filling, say), so they depend on the run years taken; give those "
                       "years with any figure quoted")
    stop = f"{years.stop}" if years is not None and years.stop < ds.sizes["year"] else ""  # (a range's end kept)
    return head + ("The pooled figures mix the run's first years (a warm-up, where the reservoirs start away from "
                   "their usual volumes at that date; or an overlay's given years) with the later ones, and so depend "
                   f"on --years: daryo summary {out} --year {start}:{stop} leaves out the first "
                   f"{'third' if len(third) > 1 else 'year'}")


def _span_words(years: list[int]) -> str:
    """Run years in words: "run year 0", "run years 0–5"."""
    return f"run year {years[0]}" if len(years) == 1 else f"run years {years[0]}–{years[-1]}"


def _drift_percent(share: float) -> str:
    """A share (0–1) as a percentage of two significant digits ("41 %", "4.9 %", "0.99 %")."""
    value = share * 100
    return "0 %" if value == 0 else f"{value:.0f} %" if abs(value) >= 10 else f"{value:.2g} %"


def _print_or_tell(table: Callable[[EnsembleOutput, RunYear], None], ds: xr.Dataset, year: RunYear) -> None:
    """Print ``table`` of the open store ``ds`` (of run ``year``), or, where the store was written by an earlier
    daryo that did not keep what it needs (or kept figures it would misread:
    :class:`~daryo.ensemble.output.EarlierStoreError`), a note that says so in its place, and go on with the others
    (a compat review: a store of 2026-12-03 printed its demands, then "internal error: KeyError")."""
    from ..ensemble import EarlierStoreError

    try:
        table(ds, year)
    except EarlierStoreError as exc:
        print(f"(a table not shown: {exc})")


def year_span(out: xr.Dataset, year: int | range) -> str:
    """The dates of run ``year`` of an opened store, for a report of that year alone: "run year 1: 2002-10-07 to
    2003-10-05 (364 days)" (a weekly modeller's review: a year of 7-day steps is not 1 October to 30 September), or
    of a range of run years: "run years 5 to 19: 2005-10-01 to 2020-09-30 (15 years)"; "" where the store does not
    give them or holds no such year (which the tables then refuse)."""
    import pandas as pd

    years = range(year, year + 1) if isinstance(year, int) else year
    held = out.sizes.get("year", 0)
    if ("year_start" not in out.coords or "year_days" not in out.coords or not len(years)
            or not all(0 <= y < held for y in (years[0], years[-1]))):
        return ""
    start = pd.Timestamp(out["year_start"].values[years[0]])
    last = pd.Timestamp(out["year_start"].values[years[-1]]) + pd.Timedelta(
        days=int(out["year_days"].values[years[-1]]) - 1)
    if isinstance(year, int):
        return f"run year {year}: {start:%Y-%m-%d} to {last:%Y-%m-%d} ({int(out['year_days'].values[year])} days)"
    return f"{years_words(years)}: {start:%Y-%m-%d} to {last:%Y-%m-%d} ({len(years)} years)"


#: what a report's figures are taken over: every run year (None), one (its number, 0 for the first) or a range of
#: them (``daryo summary --year 5:``)
RunYear = int | range | None


def years_words(years: range) -> str:
    """A range of run years in words: "run years 5 to 19"."""
    return f"run years {years[0]} to {years[-1]}"


def _over(year: RunYear) -> dict[str, Any]:
    """The keyword of the tables (:mod:`daryo.ensemble.tables`) that takes their figures over ``year``: one run year,
    a range of them (``years``), or none (every run year)."""
    return {} if year is None else {"years": year} if isinstance(year, range) else {"year": year}


def traces_words(run: Mapping[str, Any]) -> str:
    """How a header names an ensemble's traces (``run``: its :func:`daryo.ensemble.run_of`): their source and names
    where the source named them ("the model's own 10 scenario columns, unchanged: gfdl_ssp245, …", a climate
    service's review: "seed 0" was said of its projections), else the seed they are drawn from."""
    from ..ensemble.traces import names_text

    if run.get("trace_names"):
        return f"{run.get('source') or 'traces'}: {names_text(run['trace_names'])}"
    return f"seed {run['seed']}"


def winter_words(out: EnsembleOutput) -> str:
    """What an ensemble's winter sums cover: October–March, or, for a run whose years start in another month, the
    October–March months inside each run year, which are of two winters (a hydropower engineer's review: the
    "firm winter energy" of a run from January summed January–March of one winter and October–December of the
    next); for a store of N-day steps of parts' format below 16, that it may count a step across 1 April or 1
    October in the season it starts in (:func:`~daryo.ensemble.output.winter_by_start_note`)."""
    import xarray as xr

    from ..ensemble import open_output
    from ..ensemble.output import winter_by_start_note

    if not isinstance(out, xr.Dataset):
        with open_output(out) as ds:
            return winter_words(ds)
    if note := winter_by_start_note(out):  # (a compat review: stores of two builds' winters read alike)
        return f"{_winter_words(out)}; {note}"
    return _winter_words(out)


def _winter_words(out: xr.Dataset) -> str:
    """:func:`winter_words` of the open store ``out``, without a note on how its steps were counted."""
    import pandas as pd

    start = pd.Timestamp(2003, 10, 1)
    if "year_start" in out.coords and out.sizes.get("year", 0):
        first = pd.Timestamp(out["year_start"].values[0])  # (placed in a year of 2003/04, whose February has 29 days:
        start = pd.Timestamp(2003 if first.month >= 4 else 2004, first.month, first.day)  # a run from 29 February)
    if 4 <= start.month <= 9 or (start.month, start.day) == (10, 1):  # (a run year holding one whole winter)
        return "October–March"
    last = start - pd.Timedelta(days=1)
    if start.day == 1:  # (a run year of months: parts of two winters; a hydropower engineer's review)
        end = "October" if last.month == 10 else f"October–{last:%B}"
        return (f"the October–March months of each run year (its years start in {start:%B}: {start:%B}–March of "
                f"one winter and {end} of the next)")
    # (dekads or N-day steps from another day: a BWO planner's review, a run from 21 October)
    return (f"the October–March steps of each run year (its years start on {start.day} {start:%B}: from then to "
            f"March of one winter, and from 1 October to {last.day} {last:%B} of the next)")


#: a share of fewer trace-years (or traces) than this is printed as their count ("3 of 6,000"): a percentage would
#: give it digits its interval does not support (a statistician's review: "0.05%" for 3 of 6,000 trace-years)
COUNTED_BELOW = 10
#: what the brackets after a share or a mean hold, for the tables' headings
INTERVAL_WORDS = "in brackets: the 95 % interval, by trace"


def share_text(value: float, low: float, high: float, pairs: int | None = None) -> str:
    """A share (0–1) with its 95 % interval (:mod:`daryo.ensemble.sampling`) as a percentage, to the digits the
    interval supports: two significant digits of its half-width ("54.1 % (52.3–55.9)", "50 % (28–72)"); the count
    of the ``pairs`` (trace-years, or traces) where it is of fewer than :data:`COUNTED_BELOW` ("3 of 6,000
    (0–0.11 %)", "0 of 6,000 (0–0.06 %)"); never 0 % or 100 % for a share that is not (a statistician's review:
    "0.00%" read as "never", "0.05%" was 3 of 6,000 trace-years, "50.00%" 10 of 20 traces).  "–" for NaN; without
    an interval (one trace), the share alone."""
    if math.isnan(value):
        return "–"
    digits = _digits(low, high)
    bounds = "" if digits is None else f" ({_bound_of(low, digits)}–{_bound_of(high, digits)}"
    if pairs and round(value * pairs) < COUNTED_BELOW:
        return f"{round(value * pairs):,} of {pairs:,}" + (f"{bounds} %)" if bounds else "")
    return f"{_percent_of(value, 1 if digits is None else digits)} %" + (f"{bounds})" if bounds else "")


def mean_text(value: float, low: float, high: float, percent: bool = False) -> str:
    """A mean with its 95 % interval, to the digits the interval supports (two significant digits of its
    half-width, at most two decimals; a fraction as a percentage where ``percent``): "812.3 (809.1–815.5)",
    "12.4 % (10.1–14.7)"; "–" for NaN, the mean alone without an interval (one trace)."""
    if math.isnan(value):
        return "–"
    scale, unit = (100.0, " %") if percent else (1.0, "")
    digits = _digits(low * scale / 100, high * scale / 100)
    if digits is None:
        return f"{value * scale:.1f}{unit}"
    return f"{value * scale:.{digits}f}{unit} ({low * scale:.{digits}f}–{high * scale:.{digits}f})"


def percentile_text(value: float, low: float, high: float) -> str:
    """A percentile of a fraction (a demand's p95 deficit) as a percentage, to the digits of its row's mean, whose
    95 % interval is [``low``, ``high``] (:func:`mean_text`; one decimal without one): a percentile has no interval
    of its own, and a row's two cells give one precision (a review: "33.5 % (26.5–41.0)" beside "33.45%", one
    number two ways); "–" for NaN."""
    if math.isnan(value):
        return "–"
    digits = _digits(low, high)
    return f"{value * 100:.{1 if digits is None else digits}f} %"


def _digits(low: float, high: float) -> int | None:
    """The decimals of a percentage that give two significant digits of the half-width of the interval [``low``,
    ``high``] of shares (0 to 2); None for no interval (NaN)."""
    if math.isnan(low) or math.isnan(high):
        return None
    half = (high - low) * 50
    return 2 if half <= 0 else min(2, max(0, 1 - math.floor(math.log10(half))))


def _percent_of(share: float, digits: int, most: int = 6) -> str:
    """``share`` as a percentage with ``digits`` decimals, or more where those would print a share between 0 and 1
    as 0 or 100 (at most ``most``)."""
    if share in (0.0, 1.0):  # (exactly: no digits to show)
        return f"{share * 100:.0f}"
    text = f"{share * 100:.{digits}f}"
    while digits < most and ((0 < share and float(text) == 0) or (share < 1 and float(text) == 100)):
        digits += 1
        text = f"{share * 100:.{digits}f}"
    return text


def _bound_of(share: float, digits: int) -> str:
    """A bound of a share's interval as a percentage: with ``digits`` decimals, or up to two where those would
    print a bound between 0 and 1 as 0 or 100 (as the bound of a share of 1 of 8, 0.01); one that still rounds to 0
    or 100 is that (a paleo-hydrologist's review: "1 of 900 (0.000000–2.2 %)" and "55 % (0.0003–99.99998)" gave
    bounds of about 0 and 1 digits no interval supports, as a share's own are given to say it is not 0 or 100)."""
    text = _percent_of(share, digits, most=max(digits, 2))
    return "0" if float(text) == 0 else "100" if float(text) == 100 else text


def stress_level_text(stress: float, low: float, high: float) -> str:
    """FAO's level of a long-term water stress (%), said to be on the line where its 95 % interval [``low``,
    ``high``] holds a level's bound: "critical (interval 98.6–103.0 %: on the line)" (a statistician's review); where
    it holds more than one, the levels it spans: "high (interval 7.8–170.1 %: no stress to critical)" (an SDG
    methodology review: such an interval was said to be "on the line")."""
    from ..sdg import STRESS_LEVELS, stress_level

    level = stress_level(stress)
    if not level or math.isnan(low) or math.isnan(high):
        return level
    held = sum(low <= b <= high for b, _ in STRESS_LEVELS)
    if not held:
        return level
    span = "on the line" if held == 1 else f"{stress_level(low)} to {stress_level(high)}"
    return f"{level} (interval {low:.1f}–{high:.1f} %: {span})"


def _print_rows(heads: list[str], rows: list[list[str]], left: int) -> None:
    """A table of ``rows`` of cells under ``heads``, indented by two: the first ``left`` columns to the left, the
    others to the right, each as wide as its widest cell and two more (the name and the country as before)."""
    from .summary import padded, shown_width

    widths = [max(len(head), *(shown_width(row[k]) for row in rows)) + 2 for k, head in enumerate(heads)]
    widths = [max(w, 9) if head == "country" else w for head, w in zip(heads, widths, strict=True)]
    for cells in [heads, *rows]:  # (padded as shown: a Persian id's zero-width non-joiner takes no column)
        print("  " + "".join(padded(c, w, "<" if k < left else ">")
                             for k, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip())


def pairs_of(year: RunYear) -> str:
    """What an ensemble's statistics are taken over: its trace-years, one run ``year``'s traces, or the trace-years
    of a range of run years."""
    if isinstance(year, range):
        return f"trace-years of {years_words(year)}"
    return "trace-years" if year is None else f"traces in run year {year}"


def _write_summary_csv(ds: EnsembleOutput, out: Path, csv: Path | None, threshold: float | None = None) -> None:
    """Write the summaries of the ensemble's output ``out`` (``ds``: it, or it opened) to ``csv`` (None: not asked
    for), its share of deficits above ``threshold`` (None: the run's)."""
    from ..ensemble import write_summary_csv

    if csv is not None:
        try:
            write_summary_csv(ds, csv, threshold)
        except OSError as exc:  # (a full disk: the results themselves are whole)
            raise OSError(f"{exc}; the results are in {out}") from exc


def _print_shortfalls(out: EnsembleOutput, shown: int | None = 10, threshold: float | None = None,
                      year: RunYear = None) -> None:
    """The demands short in some trace-year of the ensemble written to ``out``, most often short first (by another
    ``threshold`` than the run's, or one run ``year``'s figures over the traces, where given; the first ``shown``,
    None: all)."""
    from ..ensemble import shortfall_table

    table = shortfall_table(out, threshold=threshold, **_over(year))
    one, pairs = (("trace-year", "trace-years") if year is None else (f"trace in run year {year}", "traces")
                  if isinstance(year, int) else (f"trace-year of {years_words(year)}", "trace-years"))
    if table.empty:
        print(f"no demand is short in any {one}" if table.attrs["demands"] else "the model has no demands")
        return
    shown = len(table) if shown is None else shown
    first = f"; the first {shown} shown, --all: every one" if len(table) > shown else ""
    print(f"demands short in some {one} ({len(table)}{first}), by P, the share of {pairs} with a deficit above "
          f"{_percent(table.attrs['threshold'])} of the demand, then by the mean of the annual deficit fraction "
          f"({INTERVAL_WORDS}; a share of fewer than {COUNTED_BELOW} {pairs} as their count):")
    rows = [[str(name), row["country"],
             share_text(row["probability"], row["probability_low"], row["probability_high"], table.attrs["pairs"]),
             mean_text(row["mean"], row["mean_low"], row["mean_high"], percent=True),
             percentile_text(row["p95"], row["mean_low"], row["mean_high"])]
            for name, row in table.head(shown).iterrows()]
    _print_rows(["demand", "country", "P", "mean", "p95"], rows, 2)
    if not (table["probability"] > 0).any():  # (a drought analyst's review: "never" read as "no risk")
        print(f"  (P is 0 for every demand: none is short by more than {_percent(table.attrs['threshold'])} of its "
              f"demand in any {one}; in priority mode the demands of one priority share a shortage in equal "
              "proportion, so none falls far below the others: the p95 shows how near they come, and "
              "--deficit-threshold a lower threshold's P)")


def _print_countries(out: EnsembleOutput, threshold: float | None = None, year: RunYear = None) -> None:
    """Each country's water over the ensemble written to ``out`` (or one run ``year``'s traces, or a range's), its
    demands' summed (:func:`~daryo.ensemble.countries.country_shortfall_table`; by another ``threshold`` than the
    run's, where given); nothing for a model whose demands are of one country or none, or a store of summaries
    alone."""
    from ..ensemble.countries import NO_COUNTRY, country_shortfall_table

    try:
        table = country_shortfall_table(out, threshold=threshold, **_over(year))
    except ValueError:  # (a store of its summaries alone: no annual figures)
        return
    if len(table) < 2 and NO_COUNTRY not in table.index or table.empty:
        return
    table = table.loc[sorted(table.index, key=lambda c: (c == NO_COUNTRY, c))]
    pairs = "traces" if isinstance(year, int) else "trace-years"
    print(f"water by country over the {pairs_of(year)} (hm³/yr, its demands' summed; share: the mean deficit's share "
          f"of the mean demand; P: the share of {pairs} with a deficit above {_percent(table.attrs['threshold'])} of "
          f"the country's demand; p95: of its annual deficit fraction; {INTERVAL_WORDS}):")
    rows = [[str(name), f"{row['demand']:.1f}", f"{row['deficit']:.1f}",
             mean_text(row["deficit_share"], row["deficit_share_low"], row["deficit_share_high"], percent=True),
             share_text(row["probability"], row["probability_low"], row["probability_high"], table.attrs["pairs"]),
             percentile_text(row["p95"], row["deficit_share_low"], row["deficit_share_high"])]
            for name, row in table.iterrows()]
    _print_rows(["country", "demand", "deficit", "share", "P", "p95"], rows, 1)


def _print_energy(out: EnsembleOutput, year: RunYear = None) -> None:
    """The plants' annual and winter energy over the ensemble written to ``out`` (or one run ``year``'s traces), mean
    and 5th percentile, by plant and by country (none for a model without plants)."""
    from ..ensemble import energy_table

    plants = energy_table(out, **_over(year))
    if plants.empty:
        return
    over = f"the {pairs_of(year)}"
    print(f"hydropower over {over} (GWh/yr; winter = {winter_words(out)}; p5: the energy reached in 95 % of them, "
          "the firm energy):")
    countries = energy_table(out, by="country", **_over(year))
    w = max(len("plant"), *(len(str(name)) for name in plants.index)) + 2
    labels = [f"{name:<{w}}{country:<9}" for name, country in plants["country"].items()]  # (then each country's)
    labels += [f"{(c or '(no country)') + ' (all plants)':<{w + 9}}" for c in countries.index]
    w = max(len(label) for label in labels)
    print(f"  {'plant':<{w - 9}}{'country':<9}{'mean':>10}{'p5':>10}{'winter mean':>13}{'winter p5':>11}")
    for label, (_, row) in zip(labels, [*plants.iterrows(), *countries.iterrows()], strict=True):
        print(f"  {label:<{w}}{row['mean']:>10.1f}{row['p5']:>10.1f}{row['winter_mean']:>13.1f}"
              f"{row['winter_p5']:>11.1f}")


def _print_energy_targets(out: EnsembleOutput, year: RunYear = None) -> None:
    """How the plants met their energy targets (``energy_target``) over the ensemble written to ``out`` (or one run
    ``year``'s traces): none for a model without energy targets, or a store of a daryo that kept none of them (a
    hydropower engineer's review: the report had the energy and no target or shortfall)."""
    import xarray as xr

    from ..ensemble import energy_target_table

    if isinstance(out, xr.Dataset) and "annual_energy_shortfall" not in out:  # (a store of an earlier daryo)
        return
    table = energy_target_table(out, **_over(year))
    if table.empty:
        return
    over = pairs_of(year)
    print(f"hydropower energy targets over the {over} (GWh/yr; target: a year's, mean; shortfall: the target not "
          "generated, summed over the steps short of it (steps above it do not make up for them), mean and p95; "
          f"missed: the share of the {over} whose shortfall is above {table.attrs['tolerance'] * 100:g} % of the "
          "target, and of the "
          f"winters, of the winter's target, {INTERVAL_WORDS}; winter = {winter_words(out)}):")
    winters = "winter_missed" in table  # (a store of this session's first energy targets has no winter target)
    pairs = table.attrs["pairs"]
    rows = [[str(name), row["country"], f"{row['target']:.1f}", f"{row['shortfall_mean']:.1f}",
             f"{row['shortfall_p95']:.1f}", share_text(row["missed"], row["missed_low"], row["missed_high"], pairs),
             f"{row['winter_shortfall_mean']:.1f}",
             *([share_text(row["winter_missed"], row["winter_missed_low"], row["winter_missed_high"], pairs)]
               if winters else [])] for name, row in table.iterrows()]
    _print_rows(["plant", "country", "target", "shortfall", "p95", "missed", "winter shortfall",
                 *(["winter missed"] if winters else [])], rows, 2)


def _print_storage(out: EnsembleOutput, year: RunYear = None) -> None:
    """The reservoirs' lowest storage of each year over the ensemble written to ``out`` (or one run ``year``'s
    traces), and how often it reaches their dead storage (none for a model without reservoirs)."""
    import math

    from ..ensemble import storage_table

    table = storage_table(out, **_over(year))
    if table.empty:
        return
    over = pairs_of(year)
    print(f"reservoirs' lowest storage in each year over the {over} (hm³; at dead storage: the share of the {over} "
          f"it is drawn down to its min_volume, {INTERVAL_WORDS}):")
    rows = [[str(name), row["country"], f"{row['mean']:.1f}", f"{row['p5']:.1f}", f"{row['least']:.1f}",
             "–" if math.isnan(row["min_volume"]) else f"{row['min_volume']:.1f}",
             share_text(row["at_min"], row["at_min_low"], row["at_min_high"], table.attrs["pairs"])]
            for name, row in table.iterrows()]
    _print_rows(["reservoir", "country", "mean", "p5", "least", "min_volume", "at dead storage"], rows, 2)
    if table["min_volume"].isna().any():
        print("  (–: a store of a daryo before 2026-12-06's, which kept no min_volume, or a min_volume a parameter "
              "gives)")


def _print_rule_curves(out: EnsembleOutput, year: RunYear = None) -> None:
    """How the reservoirs held their rule curves (``target_volume``) over the ensemble written to ``out`` (or one run
    ``year``'s traces): none for a model without rule curves, or a store of a daryo that kept none of them."""
    import xarray as xr

    from ..ensemble import rule_curve_table

    if isinstance(out, xr.Dataset) and "annual_steps_below_target" not in out:  # (a store of an earlier daryo)
        return
    table = rule_curve_table(out, **_over(year))
    if table.empty:
        return
    over = pairs_of(year)
    print(f"reservoirs' rule curves (target_volume) over the {over} (below: the share of the {over} with some step "
          "ending below the target; steps below it in a year, mean and p95; a year's largest shortfall, hm³, mean, "
          f"p95 and the largest; {INTERVAL_WORDS}):")
    rows = [[str(name), row["country"], share_text(row["below"], row["below_low"], row["below_high"],
                                                   table.attrs["pairs"]),
             f"{row['steps_mean']:.2f}", f"{row['steps_p95']:.1f}", f"{row['shortfall_mean']:.1f}",
             f"{row['shortfall_p95']:.1f}", f"{row['shortfall_max']:.1f}"] for name, row in table.iterrows()]
    _print_rows(["reservoir", "country", "below", "steps", "p95", "shortfall", "p95", "largest"], rows, 2)


def _print_sinks(out: EnsembleOutput, year: RunYear = None) -> None:
    """The water reaching the sinks over the ensemble written to ``out`` (or one run ``year``'s traces; none for a
    model without sinks): a review, the Aral Sea's inflow in dry years could be read from no table."""
    from ..ensemble import sink_table

    table = sink_table(out, **_over(year))
    if table.empty:
        return
    over = pairs_of(year)
    print(f"water reaching the sinks over the {over} (hm³/yr; none: the share of the {over} it gets none, "
          f"{INTERVAL_WORDS}):")
    rows = [[str(name), row["country"], *(f"{row[k]:.1f}" for k in ("mean", "p5", "p50", "p95", "least")),
             share_text(row["none"], row["none_low"], row["none_high"], table.attrs["pairs"])]
            for name, row in table.iterrows()]
    _print_rows(["sink", "country", "mean", "p5", "p50", "p95", "least", "none"], rows, 2)


def _print_requirements(out: EnsembleOutput, year: RunYear = None) -> None:
    """How the flow requirements fared over the ensemble written to ``out`` (or one run ``year``'s traces; none for
    a model without them)."""
    from ..ensemble import requirement_table

    table = requirement_table(out, **_over(year))
    if table.empty:
        return
    over = pairs_of(year)
    print(f"flow requirements over the {over} (hm³/yr; short: the share of the {over} some water required was "
          f"not met; mean and p95 of the annual share not met; {INTERVAL_WORDS}):")
    rows = [[str(name), str(row["at"]), f"{row['required']:.1f}", f"{row['met']:.1f}",
             share_text(row["short"], row["short_low"], row["short_high"], table.attrs["pairs"]),
             mean_text(row["mean"], row["mean_low"], row["mean_high"], percent=True),
             percentile_text(row["p95"], row["mean_low"], row["mean_high"])]
            for name, row in table.iterrows()]
    _print_rows(["requirement", "at", "required", "met", "short", "mean", "p95"], rows, 2)


def _print_water_stress(out: EnsembleOutput, year: RunYear = None) -> None:
    """Each river system's water stress (SDG 6.4.2) over the ensemble's trace-years (or one run ``year``'s traces),
    long-term and its yearly distribution, or why it is not shown (the store's caveat, as ``daryo run``'s block
    gives it): none where no water is withdrawn, and no row for a system with neither water nor withdrawal."""
    from ..ensemble import water_stress_table
    from .summary import stress_not_shown, stress_text

    every = water_stress_table(out, **_over(year))
    if not (every["withdrawal"] > 0).any():
        return
    table = every[(every["withdrawal"] > 0) | (every["renewable"] > 0)]
    if len(table) == 2 and len(every) > 2:  # (one system with water: "all" would repeat it)
        table = table.iloc[:1]
    if every.attrs.get("caveat"):  # (a Pywr input's supply is the allocation's choice)
        print(stress_not_shown(every.attrs["caveat"]))
        return
    over = f"the {pairs_of(year)}"
    print(f"water stress by river system (SDG 6.4.2's ratio: withdrawal / (renewable − environmental)) over {over}:\n"
          f"  long-term: of the mean yearly water over {over}, as SDG 6.4.2 counts renewable water (a "
          "long-term mean) and as daryo run does;\n"
          "  p5, median, p95, and the shares high (75–100 %) and critical (above 100 %): of each trace-year's ratio "
          "with that year's own water, which measures its drought as much as its withdrawal (a year may also draw "
          f"on water stored in earlier years); {INTERVAL_WORDS}; a level is on the line where the long-term ratio's "
          "interval holds its bound (the levels it spans, where it holds more than one)")
    pairs = every.attrs["pairs"]
    rows = [[str(name), stress_text(row["long_term"]).strip(),
             stress_level_text(row["long_term"], row["long_term_low"], row["long_term_high"]),
             *(stress_text(row[k]).strip() for k in ("p5", "p50", "p95")),
             *(share_text(row[k], row[f"{k}_low"], row[f"{k}_high"], pairs) for k in ("high", "critical"))]
            for name, row in table.iterrows()]
    heads = ["system", "long-term", "level", "p5", "median", "p95", "high", "critical"]
    widths = [max(len(head), *(len(row[k]) for row in rows)) + 2 for k, head in enumerate(heads)]
    for cells in [heads, *rows]:  # (the level to the left, after the long-term ratio it is of)
        print("  " + "".join(f"{c:<{w}}" if k in (0, 2) else f"{c:>{w}}" if k != 1 else f"{c:>{w - 2}}  "
                             for k, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip())
    if every.attrs.get("comment"):
        print(f"  ({every.attrs['comment']})")
