"""The ``daryo`` command line: a thin shell over :mod:`daryo.api`.

Exit codes: 0 success, 1 invalid input (model, data or an infeasible step), memory run out or an internal error
(a bug: one line, its traceback with ``DARYO_TRACEBACK=1``), 2 usage error, 3 results that change (``daryo compare
--fail-on-change``), 130 interrupted, 143 terminated, 129 hung up, 141 output closed early (``daryo info | head``:
the exit status of a process ended by SIGPIPE, without a message); the README lists them all.

The package: this module builds the parser and runs a command, turning every error into its message and
exit code; :mod:`~daryo.cli.commands` holds the commands but ``daryo compare``, which is in :mod:`~daryo.cli.compare`,
:mod:`~daryo.cli.summary` the printed summary of a run, and :mod:`~daryo.cli._process` the process's streams, signals
and exit codes.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import importlib
import sys
from collections.abc import Callable, Sequence

from ..errors import LINK_LOOP, ModelError, StepError, did_you_mean
from ._process import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_PIPE,
    EXIT_USAGE,
    _caused_by,
    _chain,
    _command_in,
    _drop_stdout,
    _err,
    _InputError,
    _os_error_text,
    _Signals,
    _Stdout,
    _StdoutError,
    _Terminated,
    _tolerate_unencodable,
    _unexpected,
    _UsageError,
)
from .commands import (
    _cmd_convert,
    _cmd_ensemble,
    _cmd_info,
    _cmd_run,
    _cmd_scenarios,
    _cmd_summary,
    _cmd_validate,
)
from .compare import _cmd_compare

__all__ = ["main", "build_parser"]


#: the help of --start, of daryo run and daryo ensemble (``what``: whose first month)
_START_HELP = ("embedded model only: the {what} first month (default 2000-10, the start of a hydrological year); its "
               "reservoirs start at the model's 1 October volumes unless an overlay sets them, and a named year or an "
               "overlay's years count hydrological years (from April, the first is April-September)")


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    p = argparse.ArgumentParser(prog="daryo", description="River-basin allocation for transboundary planning.",
                                allow_abbrev=False)
    p.add_argument("--version", action="version", version=f"daryo {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = sub.add_parser("run", help="run a model (default: the embedded model) and print its summary")
    r.add_argument("model", nargs="?", help="model file (daryo YAML/JSON or Pywr JSON; default: the embedded model)")
    r.add_argument("-o", "--output", help="write results to this NetCDF file (.nc)")
    r.add_argument("--csv", metavar="DIR",
                   help="write results as CSV files into DIR, one per variable, variables.csv with their units, "
                        "elements.csv with each element's type, country and ends, steps.csv with each step's "
                        "days, hydrological year and season, and summary.csv, every table printed (by country, "
                        "scenario, irrigation, demand short, country on several river systems, sink, canal, "
                        "flow requirement, plant, reservoir and river system) as one long table, and run.csv, what "
                        "the run was made from")
    r.add_argument("--scenarios", type=_trace_count, metavar="N", help="run the first N scenario traces")
    r.add_argument("--years", type=int, metavar="Y", help="run Y years from the model's start")
    r.add_argument("--end", metavar="YYYY-MM",
                   help="run to the end of this month (a season's outlook: --start 2027-04 --end 2027-09), "
                        "instead of --years")
    r.add_argument("--scenario", action="append", default=[], metavar="NAME",
                   help="apply a scenario overlay (a name from `daryo scenarios`, or an overlay .yaml or .json file); "
                        "repeat to combine, in order")
    r.add_argument("--hydrology", metavar="KIND",
                   help="embedded model only: norm (default), stochastic (with --scenarios N traces and --seed), "
                        "or a named year: 2021, 2023, 2008, 2000-2001, multiyear")
    r.add_argument("--seed", type=int, metavar="S",
                   help="seed of the embedded model's stochastic hydrology (default 0)")
    r.add_argument("--start", metavar="YYYY-MM", help=_START_HELP.format(what="run's"))
    r.add_argument("--method", choices=("auto", "fast", "plain"), default="auto",
                   help="how each step's LPs are solved: auto (the default) or fast (the vectorised fast path "
                        "where it applies, else the plain path), or plain (one HiGHS solve per scenario and LP: the "
                        "reference); the results' solver_method says which ran")
    _add_confine(r)
    r.set_defaults(func=_cmd_run)

    sc = sub.add_parser("scenarios", help="list the scenario library of the embedded Aral Sea basin model")
    sc.set_defaults(func=_cmd_scenarios)

    # (``daryo check`` too: what many modellers type first, which was an "invalid choice")
    v = sub.add_parser("validate", aliases=["check"], help="check model files and report every problem")
    v.add_argument("model", nargs="*", default=[],
                   help="model files (daryo YAML/JSON or Pywr JSON), each checked on its own: exit 1 where any has "
                        "a problem; default: the embedded Aral Sea basin model")
    v.add_argument("--scenario", action="append", default=[], metavar="NAME",
                   help="check the model with this scenario overlay applied (an overlay .yaml or .json file, or a name "
                        "from `daryo scenarios` for the embedded model's file); repeat to combine, in order")
    _add_confine(v)
    v.add_argument("--strict", action="store_true",
                   help="take notes (what a valid model may not mean) as problems: exit 1 where any has one, for CI")
    v.add_argument("--json", action="store_true",
                   help="print one JSON document of every file's problems (file, place, line, message) and notes, in "
                        "place of the text, for a CI job or an editor; the exit code as without it")
    v.set_defaults(func=_cmd_validate)

    i = sub.add_parser("info", help="describe a model: components by type, countries, time span")
    i.add_argument("model", nargs="?", help="model file (daryo YAML/JSON or Pywr JSON; default: the embedded model)")
    i.add_argument("--nodes", action="store_true", help="also list every node: its id, type, country and name")
    i.add_argument("--node", metavar="ID", help="describe one node: its attributes, and the sources its numbers cite "
                                                "with their full references (the embedded model's bibliography)")
    _add_confine(i)
    i.set_defaults(func=_cmd_info)
    _add_ensemble_parser(sub)
    _add_convert_parser(sub)
    _add_compare_parser(sub)
    _add_summary_parser(sub)
    for command in sub.choices.values():  # (an abbreviation was taken silently: ``--trace 3`` beside ``--traces``)
        command.allow_abbrev = False
    return p


def _add_confine(command: argparse.ArgumentParser) -> None:
    """The option that confines a model file's data files to its folder (:func:`daryo.load`'s ``confine``)."""
    command.add_argument("--confine", action="store_true",
                         help="read the model's data files (CSV series, Pywr data and includes) only from the model "
                              "file's folder or below it, symbolic links followed: one outside is refused, unread "
                              "(for model files from others)")


def _trace_count(text: str) -> int:
    """``--scenarios``'s value: a whole number; a name there is an overlay meant for ``--scenario``."""
    try:
        return int(text)
    except ValueError:
        hint = f"; to apply the scenario overlay {text!r}, use --scenario {text}" if text.strip() else ""
        raise argparse.ArgumentTypeError(f"invalid number of scenario traces: {text!r}{hint}") from None


def _command_parser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    """The parser of ``command``, one of ``parser``'s sub-commands."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[command]  # type: ignore[no-any-return]
    raise KeyError(command)


#: the option of one command that another names otherwise: (command, its sibling's option) -> (the command's own
#: option, what the hint adds); daryo run's scenario traces are daryo ensemble's traces
_SIBLING_OPTIONS = {
    ("ensemble", "--scenarios"): ("--traces", "daryo ensemble's traces are daryo run's --scenarios"),
    ("run", "--traces"): ("--scenarios", "daryo run's scenario traces are daryo ensemble's --traces"),
}


def _option_hint(parser: argparse.ArgumentParser, extra: list[str]) -> str:
    """`` (did you mean --traces? options are not abbreviated)`` for the first unrecognized option of ``extra``
    that is the start of one of ``parser``'s options, or close to one ("" if none is).  An abbreviation was
    taken silently: ``--trace 3`` ran 3 traces where ``--traces 50`` was also given, ``--see 2`` set the seed.
    The other command's name for an option (``--scenarios`` of daryo ensemble, ``--traces`` of daryo run, or the
    start of it) is told its own (a CLI review: ``--scenarios`` was told to mean ``--scenario``, an overlay)."""
    options = [o for action in parser._actions for o in action.option_strings if o.startswith("--")]
    command = parser.prog.split()[-1]
    for word in (w.split("=", 1)[0] for w in extra if w.startswith("--")):
        started = [o for o in options if o.startswith(word)]
        if sibling := _sibling_hint(command, word, bool(started)):
            return sibling
        if len(started) == 1:
            return f" (did you mean {started[0]}? options are not abbreviated)"
        if close := difflib.get_close_matches(word, options, n=1, cutoff=0.75):
            return f" (did you mean {close[0]}?)"
    return ""


def _sibling_hint(command: str, word: str, own: bool) -> str:
    """The hint for ``word`` where it is the other command's name of an option of ``command``'s
    (:data:`_SIBLING_OPTIONS`), or the start of that name and of none of ``command``'s own options (``own``: it
    starts some); "" where it is not."""
    for (name, other), (option, why) in _SIBLING_OPTIONS.items():
        if name == command and (word == other or (len(word) > 3 and other.startswith(word) and not own)):
            return f" (did you mean {option}? {why})"
    return ""


def _refuse_mistyped_option(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """A usage error (SystemExit 2) for an option of ``argv`` its command does not have but may mean another's, where
    argparse would say only that a required option is missing (``--trace 5`` for ``--traces 5``)."""
    commands = next((a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)), {})
    if not argv or argv[0] not in commands:  # (global options first, or no command: argparse's to say)
        return
    command = commands[argv[0]]
    words = argv[1:]
    words = words[:words.index("--")] if "--" in words else words
    given = {w.split("=", 1)[0] for w in words}
    required = [a.option_strings for a in command._actions if a.required and a.option_strings]
    if "-h" in given or "--help" in given or all(given & set(names) for names in required):
        return  # (help asked for, or nothing required missing: argparse names an unknown option with its value)
    options = {o for action in command._actions for o in action.option_strings}
    unknown = [w for w in words if w.startswith("--") and w.split("=", 1)[0] not in options]
    if unknown and (hint := _option_hint(command, unknown)):
        command.error(f"unrecognized arguments: {' '.join(unknown)}{hint}")


def _import_held(args: argparse.Namespace) -> None:
    """Import what the command needs (daryo's modules, NumPy, pandas, xarray, HiGHS, Numba; Dask for a cluster)
    with Ctrl-C and SIGTERM held back, and raise one that came meanwhile once they are imported.

    A Ctrl-C inside the import of a compiled module surfaced as its ImportError ("initialization failed", of
    HiGHS's): where a module imports another optionally, it took that for the module's absence, and the run went
    on to its end (exit 0) as if not interrupted.  An import that fails for another reason is left to the command,
    which imports it again and reports it.  (For ``daryo run`` and ``daryo ensemble``, which may run long.)"""
    from .._files import interrupts_between

    names = {"ensemble": ["daryo.ensemble"], "run": ["daryo.api", "daryo.results"]}.get(args.command)
    if names is None:  # (the other commands take a second or two: a Ctrl-C lost in their imports costs little)
        return
    if getattr(args, "workers", None) or getattr(args, "scheduler", None):
        names.append("dask.distributed")
    with interrupts_between() as check:
        for name in names:
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
        check()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``daryo`` console script; returns the exit code."""
    restore = _tolerate_unencodable(sys.stdout, sys.stderr)
    try:
        with _Signals() as signals:
            try:
                code = _main(argv)
                if code == EXIT_OK and signals.code is not None:  # (an interrupt that a finalizer swallowed, the
                    # command then done: it ended 0, a verifier's review)
                    _err("interrupted; the command had done its work, its outputs whole")
                    return signals.code
                return code
            except Exception as exc:  # the last catch (not Ctrl-C, SIGTERM or exit): a bug, or memory run out, or
                ended = signals.ended()  # an interrupt a compiled library swallowed, which then failed
                return ended if ended is not None else _unexpected(exc, _command_in(argv))
    finally:  # (called from Python, the process's streams are left as they were)
        restore()


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        _refuse_mistyped_option(parser, list(sys.argv[1:] if argv is None else argv))
        args, extra = parser.parse_known_args(argv)
        if extra:  # said by the command's parser, with its usage (argparse's own shows only "daryo COMMAND")
            command = _command_parser(parser, args.command)
            command.error(f"unrecognized arguments: {' '.join(extra)}{_option_hint(command, extra)}")
    except SystemExit as exc:  # argparse: usage error (2) or --help (0)
        return int(exc.code or 0)
    func: Callable[[argparse.Namespace], int] = args.func
    stdout = sys.stdout
    if stdout is not None:  # (None: started with standard output closed; print writes nothing then)
        sys.stdout = _Stdout(stdout)  # type: ignore[assignment]
    try:
        if isinstance(getattr(args, "model", None), str) and not args.model.strip():  # (Path('') is '.', a folder)
            raise _UsageError(f"model {args.model!r}: give a model file's path")
        _import_held(args)
        code = func(args)
        if sys.stdout is not None:
            sys.stdout.flush()  # here, where a closed pipe is handled, not at exit
        return code
    except BrokenPipeError:  # the reader went away (``daryo info | head``): stop quietly
        _drop_stdout()
        return EXIT_PIPE
    except ModelError as exc:
        from ..scenarios.overlay import with_overlay_lines  # (an overlay's problems with their lines)

        _err(str(with_overlay_lines(exc)))
        return EXIT_INPUT
    except StepError as exc:  # infeasible, unbounded, or the solver failed: the message says which
        model = getattr(args, "model", None)
        _err(f"error: {model or 'the embedded model'}: {exc}")
        return EXIT_INPUT
    except _UsageError as exc:
        _err(f"daryo: error: {exc}")
        return EXIT_USAGE
    except _InputError as exc:
        _err(f"daryo: error: {exc}")
        return EXIT_INPUT
    except _StdoutError as exc:  # a full disk behind it, say
        _drop_stdout()
        _err(f"daryo: error: cannot write to standard output: {exc.strerror or exc}")
        return EXIT_INPUT
    except OSError as exc:  # a file that cannot be read or written (the message names it)
        _err(f"daryo: error: {_os_error_text(exc)}")
        return EXIT_INPUT
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except RuntimeError as exc:  # Path.resolve() before Python 3.13: "Symlink loop from '<path>'"
        if not str(exc).startswith("Symlink loop from "):
            raise  # (main's last catch)
        _err(f"daryo: error: {str(exc).removeprefix('Symlink loop from ')}: {LINK_LOOP}")
        return EXIT_INPUT
    except (SystemError, ImportError) as exc:  # Ctrl-C (or SIGTERM) inside a compiled Numba call surfaces as its
        # SystemError, inside the import of a compiled module as its ImportError ("initialization failed")
        if _caused_by(exc, KeyboardInterrupt):
            _err("interrupted")
            return 130
        if _caused_by(exc, _Terminated):
            stopped = next(e for e in _chain(exc) if isinstance(e, _Terminated))
            _err(stopped.word)
            return stopped.code
        raise
    except _Terminated as exc:
        _err(exc.word)
        return exc.code
    finally:
        sys.stdout = stdout


# ------------------------------------------------------------------------------------------ ensemble
def _add_ensemble_parser(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("ensemble", help="run many hydrological traces in chunks, streamed to disk, with summaries")
    e.add_argument("model", nargs="?", help="model file (default: the embedded model)")
    e.add_argument("--traces", type=int, metavar="N",
                   help="number of traces: needed, except with --hydrology columns (at most, and by default, the "
                        "model's scenario columns)")
    e.add_argument("--years", type=int, metavar="Y",
                   help="years per trace from the model's start: needed, except with --hydrology columns and a model "
                        "file (at most, and by default, the whole years of the file's time; the embedded model needs "
                        "it with --hydrology columns too)")
    e.add_argument("--seed", type=int, metavar="S",
                   help="seed of the traces (default 0; none with --hydrology columns)")
    e.add_argument("--hydrology", choices=["stochastic", "columns"], metavar="KIND",
                   help="stochastic (the default for the embedded model, as daryo run --hydrology stochastic): traces "
                        "of its hydrology generator for its headwaters, drawn by --seed (a model file's default: "
                        "whole years resampled from its own inflows), or columns: the traces are the model's own "
                        "scenario columns (an inflow's CSV columns: \"*\", the embedded model's from an overlay's: a "
                        "forecast's members), each as it is, trace i column i, named by it")
    e.add_argument("--start", metavar="YYYY-MM", help=_START_HELP.format(what="traces'"))
    e.add_argument("--scenario", action="append", default=[], metavar="NAME",
                   help="apply a scenario overlay (a name from `daryo scenarios`, or an overlay .yaml or .json file); "
                        "its inflow changes apply to every trace; repeat to combine, in order")
    e.add_argument("-o", "--output", required=True, help="results.zarr or results.nc")
    where = e.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, metavar="K",
                       help="run chunks on a local Dask cluster of K processes, at most one a core and one a "
                            "chunk (default, or 0: in this process)")
    where.add_argument("--scheduler", metavar="ADDRESS", help="run chunks on a Dask cluster (tcp://host:8786)")
    e.add_argument("--resume", action="store_true",
                   help="continue an interrupted run, keeping finished chunks (a finished one: nothing to do; "
                   "another run's output is not replaced)")
    e.add_argument("--chunk-size", type=int, metavar="C", help="traces per chunk (default: from the model size)")
    e.add_argument("--deficit-threshold", type=_fraction, metavar="F",
                   help="report the probability of an annual deficit above this fraction of the demand, from 0 "
                        "up to (not including) 1, or a percentage (30%%) (default 0.3; with --resume, the run's "
                        "own)")
    e.add_argument("--summary-csv", metavar="FILE",
                   help="also write the summaries (mean, percentiles, share above the deficit threshold, shares of "
                        "the levels of water stress and its long-term ratio, per indicator and element) to this CSV "
                        "file, a row per indicator, element and statistic")
    e.add_argument("--series", type=_series_names, metavar="NAMES",
                   help="the series per step (month) to store, separated by commas, of storage, delivery, deficit, "
                        "sink_inflow, energy (the default ones), turbine_flow, demanded, edge_flow (every edge's "
                        "flow: a large store), required and requirement_met; 'none' for none (the annual indicators "
                        "and summaries only: a small store)")
    e.add_argument("--method", choices=("auto", "fast", "plain"), default="auto",
                   help="how each step's LPs are solved: auto (the default) or fast (the vectorised fast path "
                        "where it applies, else the plain path), or plain (one HiGHS solve per trace and LP: the "
                        "reference, many times slower); part of the run's identity (--resume takes the same); the "
                        "solver line printed at the end says which ran")
    e.add_argument("--quiet", action="store_true", help="no progress output")
    _add_confine(e)
    e.set_defaults(func=_cmd_ensemble)


def _add_summary_parser(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("summary", help="print what an ensemble's store holds (its summaries), or the tables daryo "
                       "run printed of a run's results, and write them as CSV; the file is only read")
    c.add_argument("store", help="an ensemble's output (.zarr or .nc of daryo ensemble -o), or a run's results (.nc of "
                   "daryo run -o)")
    c.add_argument("--csv", metavar="FILE", help="also write the store's summaries to this CSV file, as daryo "
                   "ensemble --summary-csv does (a run's: its tables, as daryo run --csv writes summary.csv)")
    c.add_argument("--deficit-threshold", type=_fraction, metavar="F",
                   help="list the demands by the share of trace-years with a deficit above this fraction of the "
                        "demand (or a percentage, 30%%) rather than the run's, worked out from the stored years")
    c.add_argument("--year", type=_run_years, metavar="Y|A:B",
                   help="list the demands, plants, reservoirs, sinks, flow requirements and water stress by one run "
                        "year's figures (0 for the first), over the traces alone: the years of a drought, which the "
                        "pooled figures dilute; or by a range of run years, pooled, as a Python slice: 5: is run year "
                        "5 to the last, 5:15 run years 5 to 14 (the first years left out: a warm-up, where the "
                        "reservoirs' start still shows)")
    c.add_argument("--all", action="store_true", help="list every demand short in some trace-year (a run's: in "
                   "the run; default: the first 10)")
    c.set_defaults(func=_cmd_summary)


def _run_years(text: str) -> int | slice:
    """``daryo summary --year``'s value: a run year (``5``), or a range of them as a Python slice of the run years
    (``5:`` from run year 5 to the last, ``5:15`` run years 5 to 14, ``:10`` the first ten)."""
    t = text.strip()
    try:
        if ":" not in t:
            return int(t)
        start, stop = t.split(":")
        return slice(int(start) if start.strip() else None, int(stop) if stop.strip() else None)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give a run year (0 for the first) or a range of them as a "
                                         "Python slice: 5: (run year 5 to the last), 5:15 (run years 5 to 14)"
                                         ) from None


def _fraction(text: str) -> float:
    """A fraction of the demand's value: a number at least 0 and below 1, or a percentage (``30%`` is 0.3), the
    text as given in the message of one out of range (a QA review: ``100%`` was told as ``1``)."""
    t = text.strip()
    try:
        value = float(t[:-1]) / 100 if t.endswith("%") else float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid fraction: {text!r} (give a number such as 0.3, or 30%)") from None
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a fraction of the demand, at least 0 and below 1 (or a "
                                         "percentage below 100%)")
    return value


def _series_names(text: str) -> tuple[str, ...]:
    """``--series``'s value: names of storable series separated by commas, or ``none``."""
    from ..ensemble import STORABLE_SERIES

    if text.strip().lower() == "none":
        return ()
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    for name in names:
        if name not in STORABLE_SERIES:
            raise argparse.ArgumentTypeError(f"{name!r} is not a series an ensemble stores"
                                             f"{did_you_mean(name, STORABLE_SERIES)}; give some of "
                                             f"{', '.join(STORABLE_SERIES)} (separated by commas), or none")
    if not names:
        raise argparse.ArgumentTypeError("give the names of the series to store, separated by commas, or none")
    return names


# ------------------------------------------------------------------------------------------- convert
def _add_compare_parser(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("compare", help="set two runs' results, or two ensembles' summaries, side by side: what a "
                       "deal or a rule changes")
    c.add_argument("first", help="results of the first run (a .nc file of daryo run -o), or the first ensemble's "
                   "output (.zarr or .nc of daryo ensemble -o): the baseline, say")
    c.add_argument("second", help="results of the second run, or the second ensemble's output: the deal, say")
    c.add_argument("--all", action="store_true", help="also print the rows that do not change, and of two ensembles "
                   "those that differ by less than their sampling noise")
    c.add_argument("--csv", metavar="FILE", help="also write the whole table to this CSV file")
    c.add_argument("--year", type=int, metavar="Y", help="of two ensembles, their statistics over one run year's "
                   "traces (0 for the first): the years of a drought, which the statistics over every trace-year "
                   "dilute")
    c.add_argument("--fail-on-change", action="store_true", help="exit with code 3 where a row changes by 0.05 or "
                   "more (the rows printed without --all, and the scenario rows they leave out); of two ensembles of "
                   "other traces, by more than their sampling noise, their percentiles, which have no interval, left "
                   "out: for a CI job that must stop when a change of the model moves its results")
    c.set_defaults(func=_cmd_compare)


def _add_convert_parser(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("convert", help="convert a Pywr JSON model into a daryo model file (YAML or JSON)")
    c.add_argument("model", help="Pywr v1 JSON model")
    c.add_argument("-o", "--output", required=True,
                   help="daryo model file to write: YAML (.yaml, .yml) or JSON (.json), by its suffix")
    _add_confine(c)
    c.set_defaults(func=_cmd_convert)
