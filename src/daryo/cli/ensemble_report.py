"""What ``daryo ensemble`` and ``daryo summary`` print of an ensemble's finished store: the demands most often
short, the plants' energy and energy targets, the reservoirs' lowest storage and rule curves, the water reaching the
sinks, the flow requirements and the water stress."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import percent_text as _percent

if TYPE_CHECKING:
    from ..ensemble.tables import EnsembleOutput


def _report_store(out: Path, csv: Path | None, threshold: float | None = None, year: int | None = None,
                  shown: int | None = 10) -> None:
    """What an ensemble's finished store ``out`` says: its summary CSV (``csv``, where asked for), then the demands
    most often short (by another ``threshold`` or one run ``year``'s figures, where given), the plants' energy and
    energy targets, the reservoirs' lowest storage and rule curves, the water reaching the sinks and the flow
    requirements (of that ``year`` too), the water stress, and the caveats of the model, as ``daryo run`` prints them
    (a review: a brief made of ensembles alone had none): the store opened once for them all."""
    from ..ensemble import open_output
    from .summary import caveat_lines

    with open_output(out) as ds:
        _write_summary_csv(ds, out, csv)
        _print_shortfalls(ds, shown, threshold=threshold, year=year)
        _print_energy(ds, year)
        _print_energy_targets(ds, year)
        _print_storage(ds, year)
        _print_rule_curves(ds, year)
        _print_sinks(ds, year)
        _print_requirements(ds, year)
        _print_water_stress(ds, year)
        caveats = caveat_lines(ds)
    if caveats:
        print(*caveats, sep="\n")


def winter_words(out: EnsembleOutput) -> str:
    """What an ensemble's winter sums cover: October–March, or, for a run whose years start in another month, the
    October–March months inside each run year, which are of two winters (a hydropower engineer's review: the
    "firm winter energy" of a run from January summed January–March of one winter and October–December of the
    next)."""
    import pandas as pd
    import xarray as xr

    from ..ensemble import open_output

    if not isinstance(out, xr.Dataset):
        with open_output(out) as ds:
            return winter_words(ds)
    start = pd.Timestamp(2001, 10, 1)
    if "year_start" in out.coords and out.sizes.get("year", 0):
        first = pd.Timestamp(out["year_start"].values[0])
        start = pd.Timestamp(2001 if first.month >= 4 else 2002, first.month, first.day)
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


def pairs_of(year: int | None) -> str:
    """What an ensemble's statistics are taken over: its trace-years, or one run ``year``'s traces."""
    return "trace-years" if year is None else f"traces in run year {year}"


def _write_summary_csv(ds: EnsembleOutput, out: Path, csv: Path | None) -> None:
    """Write the summaries of the ensemble's output ``out`` (``ds``: it, or it opened) to ``csv`` (None: not asked
    for)."""
    from ..ensemble import write_summary_csv

    if csv is not None:
        try:
            write_summary_csv(ds, csv)
        except OSError as exc:  # (a full disk: the results themselves are whole)
            raise OSError(f"{exc}; the results are in {out}") from exc
        print(f"summaries written to {csv}")


def _print_shortfalls(out: EnsembleOutput, shown: int | None = 10, threshold: float | None = None,
                      year: int | None = None) -> None:
    """The demands short in some trace-year of the ensemble written to ``out``, most often short first (by another
    ``threshold`` than the run's, or one run ``year``'s figures over the traces, where given; the first ``shown``,
    None: all)."""
    from ..ensemble import shortfall_table

    table = shortfall_table(out, threshold=threshold, year=year)
    one, pairs = ("trace-year", "trace-years") if year is None else (f"trace in run year {year}", "traces")
    if table.empty:
        print(f"no demand is short in any {one}" if table.attrs["demands"] else "the model has no demands")
        return
    shown = len(table) if shown is None else shown
    first = f"; the first {shown} shown, --all: every one" if len(table) > shown else ""
    print(f"demands short in some {one} ({len(table)}{first}), by P, the share of {pairs} with a deficit above "
          f"{_percent(table.attrs['threshold'])} of the demand, then by the mean of the annual deficit fraction:")
    rows = table.head(shown)
    w = max(len("demand"), *(len(str(name)) for name in rows.index)) + 2
    print(f"  {'demand':<{w}}{'country':<9}{'P':>9}{'mean':>9}{'p95':>9}")
    for name, row in rows.iterrows():
        print(f"  {name:<{w}}{row['country']:<9}{row['probability']:>9.2%}{row['mean']:>9.2%}{row['p95']:>9.2%}")
    if not (table["probability"] > 0).any():  # (a drought analyst's review: "never" read as "no risk")
        print(f"  (P is 0 for every demand: none is short by more than {_percent(table.attrs['threshold'])} of its "
              f"demand in any {one}; in priority mode the demands of one priority share a shortage in equal "
              "proportion, so none falls far below the others: the p95 shows how near they come, and "
              "--deficit-threshold a lower threshold's P)")


def _print_energy(out: EnsembleOutput, year: int | None = None) -> None:
    """The plants' annual and winter energy over the ensemble written to ``out`` (or one run ``year``'s traces), mean
    and 5th percentile, by plant and by country (none for a model without plants)."""
    from ..ensemble import energy_table

    plants = energy_table(out, year=year)
    if plants.empty:
        return
    over = f"the {pairs_of(year)}"
    print(f"hydropower over {over} (GWh/yr; winter = {winter_words(out)}; p5: the energy reached in 95 % of them, "
          "the firm energy):")
    countries = energy_table(out, by="country", year=year)
    w = max(len("plant"), *(len(str(name)) for name in plants.index)) + 2
    labels = [f"{name:<{w}}{country:<9}" for name, country in plants["country"].items()]  # (then each country's)
    labels += [f"{(c or '(no country)') + ' (all plants)':<{w + 9}}" for c in countries.index]
    w = max(len(label) for label in labels)
    print(f"  {'plant':<{w - 9}}{'country':<9}{'mean':>10}{'p5':>10}{'winter mean':>13}{'winter p5':>11}")
    for label, (_, row) in zip(labels, [*plants.iterrows(), *countries.iterrows()], strict=True):
        print(f"  {label:<{w}}{row['mean']:>10.1f}{row['p5']:>10.1f}{row['winter_mean']:>13.1f}"
              f"{row['winter_p5']:>11.1f}")


def _print_energy_targets(out: EnsembleOutput, year: int | None = None) -> None:
    """How the plants met their energy targets (``energy_target``) over the ensemble written to ``out`` (or one run
    ``year``'s traces): none for a model without energy targets, or a store of a daryo that kept none of them (a
    hydropower engineer's review: the report had the energy and no target or shortfall)."""
    import xarray as xr

    from ..ensemble import energy_target_table

    if isinstance(out, xr.Dataset) and "annual_energy_shortfall" not in out:  # (a store of an earlier daryo)
        return
    table = energy_target_table(out, year=year)
    if table.empty:
        return
    over = pairs_of(year)
    print(f"hydropower energy targets over the {over} (GWh/yr; target: a year's, mean; shortfall: the target not "
          "generated, summed over the steps short of it (steps above it do not make up for them), mean and p95; "
          f"missed: the share of the {over} whose shortfall is above {table.attrs['tolerance'] * 100:g} % of the "
          "target, and of the "
          f"winters, of the winter's target; winter = {winter_words(out)}):")
    w = max(len("plant"), *(len(str(name)) for name in table.index)) + 2
    winters = "winter_missed" in table  # (a store of this session's first energy targets has no winter target)
    print(f"  {'plant':<{w}}{'country':<9}{'target':>10}{'shortfall':>11}{'p95':>10}{'missed':>9}"
          f"{'winter shortfall':>18}" + (f"{'winter missed':>15}" if winters else ""))
    for name, row in table.iterrows():
        print(f"  {name:<{w}}{row['country']:<9}{row['target']:>10.1f}{row['shortfall_mean']:>11.1f}"
              f"{row['shortfall_p95']:>10.1f}{row['missed']:>9.2%}{row['winter_shortfall_mean']:>18.1f}"
              + (f"{row['winter_missed']:>15.2%}" if winters else ""))


def _print_storage(out: EnsembleOutput, year: int | None = None) -> None:
    """The reservoirs' lowest storage of each year over the ensemble written to ``out`` (or one run ``year``'s
    traces), and how often it reaches their dead storage (none for a model without reservoirs)."""
    import math

    from ..ensemble import storage_table

    table = storage_table(out, year=year)
    if table.empty:
        return
    over = pairs_of(year)
    print(f"reservoirs' lowest storage in each year over the {over} (hm³; at dead storage: the share of the {over} "
          "it is drawn down to its min_volume):")
    w = max(len("reservoir"), *(len(str(name)) for name in table.index)) + 2
    print(f"  {'reservoir':<{w}}{'country':<9}{'mean':>10}{'p5':>10}{'least':>10}{'min_volume':>12}"
          f"{'at dead storage':>17}")
    for name, row in table.iterrows():
        floor = "–" if math.isnan(row["min_volume"]) else f"{row['min_volume']:.1f}"
        share = "–" if math.isnan(row["at_min"]) else f"{row['at_min']:.2%}"
        print(f"  {name:<{w}}{row['country']:<9}{row['mean']:>10.1f}{row['p5']:>10.1f}{row['least']:>10.1f}"
              f"{floor:>12}{share:>17}")
    if table["min_volume"].isna().any():
        print("  (–: a store of a daryo before 2026-12-06's, which kept no min_volume, or a min_volume a parameter "
              "gives)")


def _print_rule_curves(out: EnsembleOutput, year: int | None = None) -> None:
    """How the reservoirs held their rule curves (``target_volume``) over the ensemble written to ``out`` (or one run
    ``year``'s traces): none for a model without rule curves, or a store of a daryo that kept none of them."""
    import xarray as xr

    from ..ensemble import rule_curve_table

    if isinstance(out, xr.Dataset) and "annual_steps_below_target" not in out:  # (a store of an earlier daryo)
        return
    table = rule_curve_table(out, year=year)
    if table.empty:
        return
    over = pairs_of(year)
    print(f"reservoirs' rule curves (target_volume) over the {over} (below: the share of the {over} with some step "
          "ending below the target; steps below it in a year, mean and p95; a year's largest shortfall, hm³, mean, "
          "p95 and the largest):")
    w = max(len("reservoir"), *(len(str(name)) for name in table.index)) + 2
    print(f"  {'reservoir':<{w}}{'country':<9}{'below':>9}{'steps':>8}{'p95':>6}{'shortfall':>11}{'p95':>10}"
          f"{'largest':>10}")
    for name, row in table.iterrows():
        print(f"  {name:<{w}}{row['country']:<9}{row['below']:>9.2%}{row['steps_mean']:>8.2f}{row['steps_p95']:>6.1f}"
              f"{row['shortfall_mean']:>11.1f}{row['shortfall_p95']:>10.1f}{row['shortfall_max']:>10.1f}")


def _print_sinks(out: EnsembleOutput, year: int | None = None) -> None:
    """The water reaching the sinks over the ensemble written to ``out`` (or one run ``year``'s traces; none for a
    model without sinks): a review, the Aral Sea's inflow in dry years could be read from no table."""
    from ..ensemble import sink_table

    table = sink_table(out, year=year)
    if table.empty:
        return
    over = pairs_of(year)
    print(f"water reaching the sinks over the {over} (hm³/yr; none: the share of the {over} it gets none):")
    w = max(len("sink"), *(len(str(name)) for name in table.index)) + 2
    print(f"  {'sink':<{w}}{'country':<9}{'mean':>10}{'p5':>10}{'p50':>10}{'p95':>10}{'least':>10}{'none':>9}")
    for name, row in table.iterrows():
        print(f"  {name:<{w}}{row['country']:<9}{row['mean']:>10.1f}{row['p5']:>10.1f}{row['p50']:>10.1f}"
              f"{row['p95']:>10.1f}{row['least']:>10.1f}{row['none']:>9.2%}")


def _print_requirements(out: EnsembleOutput, year: int | None = None) -> None:
    """How the flow requirements fared over the ensemble written to ``out`` (or one run ``year``'s traces; none for
    a model without them)."""
    from ..ensemble import requirement_table

    table = requirement_table(out, year=year)
    if table.empty:
        return
    over = pairs_of(year)
    print(f"flow requirements over the {over} (hm³/yr; short: the share of the {over} some water required was "
          "not met; mean and p95 of the annual share not met):")
    w = max(len("requirement"), *(len(str(name)) for name in table.index)) + 2
    a = max(len("at"), *(len(str(at)) for at in table["at"])) + 2
    print(f"  {'requirement':<{w}}{'at':<{a}}{'required':>10}{'met':>10}{'short':>9}{'mean':>9}{'p95':>9}")
    for name, row in table.iterrows():
        print(f"  {name:<{w}}{row['at']:<{a}}{row['required']:>10.1f}{row['met']:>10.1f}{row['short']:>9.2%}"
              f"{row['mean']:>9.2%}{row['p95']:>9.2%}")


def _print_water_stress(out: EnsembleOutput, year: int | None = None) -> None:
    """Each river system's water stress (SDG 6.4.2) over the ensemble's trace-years (or one run ``year``'s traces),
    long-term and its yearly distribution, or why it is not shown (the store's caveat, as ``daryo run``'s block
    gives it): none where no water is withdrawn, and no row for a system with neither water nor withdrawal."""
    from ..ensemble import water_stress_table
    from ..sdg import stress_level
    from .summary import stress_not_shown, stress_text

    every = water_stress_table(out, year=year)
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
          "on water stored in earlier years)")
    w = max(len("system"), *(len(name) for name in table.index)) + 2
    print(f"  {'system':<{w}}{'long-term':>10}  {'level':<10}{'p5':>10}{'median':>10}{'p95':>10}{'high':>9}"
          f"{'critical':>10}")
    for name, row in table.iterrows():
        cells = "".join(stress_text(row[k]) for k in ("p5", "p50", "p95"))
        print(f"  {name:<{w}}{stress_text(row['long_term'])}  {stress_level(row['long_term']):<10}{cells}"
              f"{row['high'] * 100:>7.1f} %{row['critical'] * 100:>8.1f} %")
    if every.attrs.get("comment"):
        print(f"  ({every.attrs['comment']})")
