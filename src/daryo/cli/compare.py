"""The ``daryo compare`` command: two runs' results, or two ensembles' outputs, side by side (a thin shell over
:mod:`daryo.compare`)."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from .._files import refuse_special_file
from .._netcdf import netcdf_io
from ..compare_notes import UNCHANGED
from ._process import EXIT_CHANGED, EXIT_OK, _InputError, _UsageError
from .commands import _csv_file_path, _ensemble_store, _percent, _refuse_folder
from .ensemble_report import pairs_of, traces_words
from .summary import SCENARIOS_SHOWN, _count, padded, shown_width

#: the smallest difference daryo compare prints (its values have one decimal)
_UNCHANGED = UNCHANGED


def _cmd_compare(args: argparse.Namespace) -> int:
    from .._files import CSV_FLOAT, atomic_write
    from ..compare import compare_runs

    csv = _compare_csv(args)
    stores = [_is_ensemble_store(p) for p in (args.first, args.second)]  # (each file looked into once)
    if args.year is not None and args.year < 0:
        raise _UsageError(f"--year {args.year}: give a run year, 0 for the first")
    if any(stores):
        return _compare_ensembles(args, csv, stores)
    if args.year is not None:
        raise _UsageError("--year compares two ensembles' outputs over one run year's traces; for two runs, run them "
                          "again with --years N (their first N years)")
    first, second = _read_results(args.first), _read_results(args.second)  # (each read whole and closed)
    table = compare_runs(first, second)
    runs = [_run_description(ds) for ds in (first, second)]
    caveats = [str(ds.attrs.get("caveats") or "").splitlines() for ds in (first, second)]
    if csv is not None:  # (each row names the runs: a table of a deal and its baseline is told apart in a report)
        named = table.assign(first_run=f"{table.attrs['first']} ({args.first})",
                             second_run=f"{table.attrs['second']} ({args.second})")
        atomic_write(csv, lambda f: f.write(named.to_csv(index=False, float_format=CSV_FLOAT).encode()))
    print("second − first: mean annual values (hm³/yr for water, GWh/yr for energy; a run shorter than a year: its "
          "totals), deficit shares in % of demand, steps short in % of steps, water stress in %, and differences of "
          "percentages in percentage points:")
    for which, path, run in (("first", args.first, runs[0]), ("second", args.second, runs[1])):
        print(f"  {which + ':':<8}{table.attrs[which]} ({path}; {run[0]}; hydrology {run[1] or 'given'})")
    for note in [*_same_file(args), *table.attrs["notes"]]:
        print(f"note: {note}")
    _print_comparison(table, args.all, caveats, csv)
    return _exit_code(args, table)


def _changed(table: Any) -> Any:
    """Which rows of ``table`` (:func:`daryo.compare.compare_runs` or :func:`~daryo.compare.compare_ensembles`)
    change: by :data:`_UNCHANGED` or more, or with no difference where their values differ (a value on one side
    only, or two values of other units); not rows whose two values are one (two water stresses with none left, whose
    difference inf − inf is no number: a diff reread).  Their noise aside: the rows daryo compare prints without
    ``--all``."""
    first, second = (table[k].astype(float) for k in ("first", "second"))
    same = (first == second) | (first.isna() & second.isna())
    return ~(table["difference"].abs() < _UNCHANGED) & ~same


def _exit_code(args: argparse.Namespace, table: Any) -> int:
    """daryo compare's exit code: :data:`EXIT_CHANGED` where ``--fail-on-change`` was given and a row of ``table``
    changes (:func:`_changed`) -- of two ensembles of other traces, by more than its sampling noise, rows without an
    interval (percentiles) left out --, said on stderr (a team keeping a model in git: a CI job that must stop when
    a change of the model moves its results); :data:`EXIT_OK` otherwise."""
    if not args.fail_on_change:
        return EXIT_OK
    changed, how, untested = _changed(table), "", None
    if "within_noise" in table and table.attrs.get("paired"):  # (the same traces: every difference is the change's)
        how = " (the ensembles share their traces: each difference is the change's, not noise)"
    elif "within_noise" in table:
        untested = changed & table["margin95"].isna()
        changed = changed & ~table["within_noise"].astype(bool) & ~untested
        how = " and by more than their sampling noise" + (
            f" ({_count(int(untested.sum()), 'row')} of percentiles, which have no interval, not counted)"
            if untested.any() else "")
    count = int(changed.sum())
    if not count and untested is not None and untested.any():  # (printed as changes: why they do not count)
        print(f"daryo compare: no row changes by {_UNCHANGED} or more and by more than its sampling noise; "
              f"{_count(int(untested.sum()), 'row')} of percentiles, which have no interval, not counted "
              "(--fail-on-change: exit 0)", file=sys.stderr)
    if not count:
        return EXIT_OK
    print(f"daryo compare: {count} of {len(table)} rows change by {_UNCHANGED} or more{how} (--fail-on-change: exit "
          f"{EXIT_CHANGED})", file=sys.stderr)
    return EXIT_CHANGED


def _print_comparison(table: Any, every: bool, caveats: list[list[str]], csv: Path | None) -> None:
    """daryo compare's rows that change (``every``: all of them) -- of two ensembles, by more than their sampling
    noise, with the margin of the difference's 95 % interval --, the caveats one run has and the other lacks, and
    where the whole table was written."""
    changed = table if every else table[_changed(table)]  # (their noise is taken out below)
    by_scenario = changed["table"] == "scenario"
    many = changed["element"][by_scenario].nunique() > SCENARIOS_SHOWN and not every
    if many:  # (a run of 100 traces: 500 rows of its scenarios would bury the others)
        changed = changed[~by_scenario]
    noise = "margin95" in table  # (two ensembles': a statistician's review, 214 rows of two seeds' noise shown)
    noisy = changed[changed["within_noise"]] if noise and not every else changed.iloc[:0]
    changed = changed.drop(noisy.index)
    if len(changed):
        w = max(len("element"), *(shown_width(e) for e in changed["element"])) + 2  # (as shown: a Persian id's
        # zero-width non-joiner takes no column)
        q = max(len("quantity"), *(len(x) for x in changed["quantity"])) + 2
        print(f"  {'table':<13}{'element':<{w}}{'quantity':<{q}}{'first':>12}{'second':>12}{'difference':>12}"
              + (f"{'± 95 %':>13}" if noise else ""))
        values = changed[["first", "second", "difference"]].to_numpy(dtype=float)
        margins = changed["margin95"].to_numpy(dtype=float) if noise else [None] * len(changed)
        for (kind, element, quantity), (a, b, d), m in zip(changed[["table", "element", "quantity"]].to_numpy(str),
                                                           values, margins, strict=True):
            stress = kind == "system" and quantity == "stress"
            print(f"  {kind:<13}{padded(element, w)}{quantity:<{q}}{_cell(a, stress=stress)}{_cell(b, stress=stress)}"
                  f"{_cell(d, sign=True)}" + (_margin(m, a == a and b == b) if m is not None else ""))
    unchanged = len(table) - len(changed) - len(noisy) - (int(by_scenario.sum()) if many else 0)
    hidden = [f"{unchanged} of {len(table)} rows do not change by {_UNCHANGED} or more"] if unchanged else []
    if many:
        n = table["element"][table["table"] == "scenario"].nunique()
        hidden.append(f"{int(by_scenario.sum())} rows of the runs' {n} scenarios that change are not shown (more than "
                      f"{SCENARIOS_SHOWN} scenarios)")
    if len(noisy):
        hidden.append(f"{len(noisy)} {'rows differ' if len(noisy) > 1 else 'row differs'} by less than "
                      f"{'their' if len(noisy) > 1 else 'its'} sampling noise (within the margin of the 95 % "
                      "interval of zero)")
    if hidden:
        print(f"({'; '.join(hidden)}; --all shows them)")
    for side, (own, other) in (("first", caveats), ("second", caveats[::-1])):
        only = [c for c in own if c not in other]  # (an overlay's: what a reader of that run must know)
        if only:
            print(f"caveats of the {side} run only:", *(f"  - {c}" for c in only), sep="\n")
    shared = [c for c in caveats[0] if c in caveats[1]]
    if shared:  # (the model's own: they bound what its differences can say, a rarely short river's deals, say)
        print(f"(both runs carry {_count(len(shared), 'caveat')} of the model, which apply to these differences "
              "too: daryo run prints them, and the results keep them in their attribute caveats)")
    if csv is not None:
        print(f"the whole table written to {csv}")


def _same_file(args: argparse.Namespace) -> list[str]:
    """The note where daryo compare is given one file twice."""
    same = Path(args.first).resolve() == Path(args.second).resolve()
    return ["the two files are one: nothing can differ"] if same else []


def _is_ensemble_store(path: str) -> bool:
    """Whether ``path`` is an ensemble's output: a zarr folder, or a NetCDF file with traces."""
    import xarray as xr

    from ..results import is_netcdf

    p = _given(path)  # (~ is the home folder, as the other commands read it: a verifier's review)
    if p.is_dir():
        return p.suffix.lower() == ".zarr"
    if not p.is_file() or not is_netcdf(p):
        return False
    try:
        with netcdf_io(), xr.open_dataset(p) as ds:
            return "trace" in ds.dims
    except (OSError, ValueError):
        return False


def _given(path: str) -> Path:
    """An input of daryo compare as given, ``~`` read as the home folder (:func:`daryo._files.user_path`)."""
    from .._files import user_path

    return user_path(path, "daryo compare", "a file")


def _unfinished(path: str) -> str:
    """What to say of an ensemble's output ``path`` that does not exist but whose run is unfinished ("" if none)."""
    from ..ensemble.parts import unfinished_run

    return unfinished_run(_given(path), path)


def _readable(path: str) -> bool:
    """Whether ``path`` is a folder or a file that xarray opens (a NetCDF file, not one cut short)."""
    import xarray as xr

    p = _given(path)
    if p.is_dir():
        return True
    try:
        with netcdf_io(), xr.open_dataset(p):
            return True
    except (OSError, ValueError):
        return False


def _compare_ensembles(args: argparse.Namespace, csv: Path | None, stores: list[bool]) -> int:
    """daryo compare of two ensembles' outputs (``stores``: whether each input is one): their summaries side by
    side."""
    from contextlib import ExitStack

    from ..compare import compare_ensembles
    from ..ensemble import open_output

    for path, store in zip((args.first, args.second), stores, strict=True):
        if not _given(path).exists():
            raise _InputError(_unfinished(path) or f"{path}: no such file or folder")
        if not store and not _readable(path):  # (a QA review: a file cut short was said to be of the wrong kind)
            raise _InputError(f"{path} cannot be read as a NetCDF file or zarr store (a file cut short, or of another "
                              "kind?)")
        if not store:
            raise _InputError(f"{path} is not an ensemble's output: daryo compare takes two runs' results (daryo run "
                              "-o FILE.nc) or two ensembles' outputs (daryo ensemble -o), not one of each")
    try:  # (a store found damaged as the block reads it says so as the block ends: a diff review)
        with ExitStack() as opened:  # (each store opened once for all its tables)
            first, second = (opened.enter_context(open_output(_ensemble_store(p), "daryo compare"))
                             for p in (args.first, args.second))
            if args.year is not None:
                _check_year(args.year, {args.first: first, args.second: second})
            table = compare_ensembles(first, second, year=args.year)
            _print_ensemble_comparison(args, csv, table)
            if table.attrs["paired"]:
                _print_paired_deficits(first, second, year=args.year)
    except ValueError as exc:
        raise _InputError(str(exc)) from None
    return _exit_code(args, table)


def _check_year(year: int, stores: dict[str, Any]) -> None:
    """A usage error naming ``--year`` where ``year`` is not a run year of both ensembles (``stores``: each one's
    path as given, and its output opened), as daryo summary's (a CLI review: "year 5: a.nc holds run years 0 to 1",
    exit 1, where daryo summary said "--year 5: ...", exit 2)."""
    from ..ensemble import run_of
    from ..ensemble.tables import check_year

    for path, store in stores.items():
        try:
            run = run_of(store)
            check_year(year, run["years"], path, run["start"])
        except ValueError as exc:  # ("year 5: a.nc holds run years 0 to 1")
            raise _UsageError(f"--{exc}") from None


def _print_ensemble_comparison(args: argparse.Namespace, csv: Path | None, table: Any) -> None:
    """daryo compare's table of two ensembles (:func:`daryo.compare.compare_ensembles`), with its notes, and its CSV
    file where asked for."""
    from .._files import CSV_FLOAT, atomic_write
    from ..compare import run_label

    runs = [table.attrs["first"], table.attrs["second"]]
    names = [run_label(run) for run in runs]
    about = [f"{path}; {_count(run['traces'], 'trace')} × {_count(run['years'], 'year')}, {traces_words(run)}"
             for run, path in zip(runs, (args.first, args.second), strict=True)]
    if csv is not None:  # (each row names the runs, with their traces and the run year compared: a table handed on
        # keeps its context; a review: one run year's table read as the whole runs')
        over = "" if args.year is None else f"; run year {args.year}'s traces alone"
        named = table.assign(first_run=f"{names[0]} ({about[0]}{over})", second_run=f"{names[1]} ({about[1]}{over})")
        atomic_write(csv, lambda f: f.write(named.to_csv(index=False, float_format=CSV_FLOAT).encode()))
    over = pairs_of(args.year)
    print(f"second − first: ensemble statistics over each run's {over} (hm³/yr for water, hm³ for storage, "
          "GWh/yr for energy; a country's deficit in hm³/yr and its deficit share in % of demand, a demand's mean "
          "and p95 deficit in % of demand; shares and water stress in %; the differences of "
          "percentages in percentage points):")
    for k, which in enumerate(("first", "second")):
        print(f"  {which + ':':<8}{names[k]} ({about[k]}; deficit threshold {_percent(runs[k]['threshold'])})")
    print("  ± 95 %: the margin of the difference's 95 % interval, t standard errors by trace (Student's t of "
          f"{min(int(r['traces']) for r in runs) - 1} degrees of freedom; "
          + ("of the traces' paired differences: they share their traces" if table.attrs["paired"] else
             "of two independent samples, though they hold some of the same traces (a note below says which)"
             if table.attrs.get("nested") else "of two independent samples: their traces differ")
          + "); a percentile has none")
    for note in [*_same_file(args), *table.attrs["notes"]]:
        print(f"note: {note}")
    _print_comparison(table, args.all, [run["caveats"].splitlines() for run in runs], csv)


def _print_paired_deficits(first: Any, second: Any, shown: int = 10, year: int | None = None) -> None:
    """The demands whose annual deficit changes in some trace-year of two ensembles of the same traces (their
    outputs, or them opened; of run ``year`` alone, where given), most often worse first
    (:func:`daryo.compare.paired_deficit_changes`)."""
    from ..compare import paired_deficit_changes

    table = paired_deficit_changes(first, second, year=year)
    pairs = pairs_of(year)
    table = table[(table["worse"] > 0) | (table["better"] > 0)].sort_values(["worse", "p95"], ascending=False,
                                                                           kind="stable")
    if table.empty:
        print(f"paired by trace-year: no demand's annual deficit changes by more than 1 percentage point in any of the "
              f"{pairs}")
        return
    first_n = f"; the first {shown} shown" if len(table) > shown else ""
    print(f"paired by trace-year (the same traces): demands whose annual deficit changes by more than 1 percentage "
          f"point ({len(table)}{first_n}): the share of the {pairs} worse and better in the second, and the 5th and "
          "95th percentiles of the change (percentage points of the demand):")
    rows = table.head(shown)
    w = max(len("demand"), *(shown_width(str(name)) for name in rows.index)) + 2
    print(f"  {'demand':<{w}}{'country':<9}{'worse':>9}{'better':>9}{'p5':>9}{'p95':>9}")
    for name, row in rows.iterrows():
        print(f"  {padded(str(name), w)}{row['country']:<9}{row['worse']:>9.1%}{row['better']:>9.1%}{row['p5']:>+9.1f}"
              f"{row['p95']:>+9.1f}")


#: the header of the CSV file daryo compare writes (one it may replace starts so)
_COMPARE_HEADER = "table,element,quantity,units,first,second,difference"


def _compare_csv(args: argparse.Namespace) -> Path | None:
    """daryo compare's ``--csv`` target, checked before any work: not a folder, not one of the results compared,
    and, where it exists, an earlier comparison's table (nothing else is replaced)."""
    if args.csv is None:
        return None
    csv = _csv_file_path(args.csv, "table.csv", "--csv")
    _refuse_folder(csv, "table.csv", "--csv")
    if any(csv.resolve() == Path(p).resolve() for p in (args.first, args.second)):
        raise _UsageError(f"--csv {args.csv} is one of the results compared: give another file name")
    try:
        refuse_special_file(csv)
    except FileExistsError as exc:
        raise _InputError(str(exc)) from None
    if csv.exists():
        with open(csv, "rb") as f:
            head = f.read(len(_COMPARE_HEADER))
        if head != _COMPARE_HEADER.encode():
            raise _InputError(f"{csv} exists and is not a table of daryo compare: give another file name (it is "
                              "not replaced)")
    return csv


def _read_results(path: str) -> Any:
    """A run's results file, read whole and closed (an error that names it where it is not one)."""
    import xarray as xr

    from ..compare import check_run_results
    from ..results import is_netcdf

    p = _given(path)
    if not p.is_file():
        what = "a folder (an ensemble's zarr store, or CSV files?)" if p.is_dir() else "not a file"
        raise _InputError((_unfinished(path) or f"{path}: no such file") if not p.exists() else f"{path} is {what}: "
                          "give the results of daryo run -o FILE.nc")
    if not is_netcdf(p):
        raise _InputError(f"{path} is not a NetCDF file: give the results of daryo run -o FILE.nc")
    with netcdf_io():  # (opened, read and closed under daryo's lock, as compare_runs reads a path: daryo._netcdf)
        try:
            ds = xr.open_dataset(p)
        except (OSError, ValueError):
            raise _InputError(f"{path} cannot be read as a NetCDF file: give the results of daryo run -o FILE.nc"
                              ) from None
        with ds:
            try:
                check_run_results(ds, "daryo compare")
            except ValueError as exc:
                what = "an ensemble's store" if "trace" in ds.dims else "not a run's results"
                raise _InputError(f"{path} is {what}: daryo compare takes the results of two runs (daryo run -o "
                                  "FILE.nc)") from exc
            return ds.load()


def _run_description(ds: Any) -> tuple[str, str]:
    """A run's span and scenarios, and its hydrology, as the comparison's header gives them."""
    import pandas as pd

    t = pd.DatetimeIndex(ds["time"].values)
    return (f"{t[0]:%Y-%m} to {t[-1]:%Y-%m}, {_count(ds.sizes['scenario'], 'scenario')}",
            str(ds.attrs.get("hydrology") or ""))


def _margin(margin: float, both: bool) -> str:
    """The margin of the 95 % interval of a difference of two ensembles in a column of 13: "± 12.3", "no interval"
    (a percentile's), "–" for an element only one has."""
    if not both:
        return f"{'–':>13}"
    return f"{'no interval':>13}" if margin != margin else f"{'± ' + f'{round(margin, 1) + 0.0:.1f}':>13}"


def _cell(value: float, sign: bool = False, stress: bool = False) -> str:
    """A value of daryo compare's table in a column of 12: one decimal ("-0.0" as 0.0), "–" for none; a water
    ``stress`` with more where one would show the bound of an FAO level it is not on (a data officer's review: 99.96
    %, high, read "100.0" beside 100.04 %, critical), as daryo run prints it."""
    if value != value:  # (NaN: an element only one run has)
        return f"{'–':>12}"
    if stress and math.isinf(value):  # (nothing left after the environmental flows, as daryo run prints it)
        from .summary import NONE_LEFT

        return f"{NONE_LEFT:>12}"
    if stress and math.isfinite(value):
        from .summary import stress_digits

        return f"{stress_digits(value):>12}"
    value = round(value, 1) + 0.0
    return f"{value:>+12.1f}" if sign else f"{value:>12.1f}"
