"""The ``daryo`` command line: a thin shell over :mod:`daryo.api`.

Exit codes: 0 success, 1 invalid input (model, data or an infeasible step), 2 usage error, 141 output closed
early (``daryo info | head``: the exit status of a process ended by SIGPIPE, without a message).
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import importlib
import math
import os
import shlex
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._files import missing_cwd_note
from .errors import LINK_LOOP, ModelError, StepError

if TYPE_CHECKING:  # (the commands import the API when they run: ``daryo --help`` loads no numerical stack)
    import pandas as pd

    from .ensemble import EnsembleRun
    from .model import Model
    from .results import Results

__all__ = ["main", "build_parser"]

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_PIPE = 0, 1, 2, 141


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(prog="daryo", description="River-basin allocation for transboundary planning.")
    p.add_argument("--version", action="version", version=f"daryo {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = sub.add_parser("run", help="run a model (default: the embedded model) and print its summary")
    r.add_argument("model", nargs="?", help="model file (daryo YAML/JSON or Pywr JSON; default: the embedded model)")
    r.add_argument("-o", "--output", help="write results to this NetCDF file (.nc)")
    r.add_argument("--csv", metavar="DIR",
                   help="write results as CSV files into DIR, one per variable, variables.csv with their units and "
                        "elements.csv with each element's type, country and ends")
    r.add_argument("--scenarios", type=int, metavar="N", help="run the first N scenario traces")
    r.add_argument("--years", type=int, metavar="Y", help="run Y years from the model's start")
    r.add_argument("--scenario", action="append", default=[], metavar="NAME",
                   help="apply a scenario overlay (a name from `daryo scenarios` or an overlay .yaml); repeat to "
                        "combine, in order")
    r.add_argument("--hydrology", metavar="KIND",
                   help="embedded model only: norm (default), stochastic (with --scenarios N traces and --seed), "
                        "or a named year: 2021, 2023, 2008, 2000-2001, multiyear")
    r.add_argument("--seed", type=int, metavar="S",
                   help="seed of the embedded model's stochastic hydrology (default 0)")
    r.set_defaults(func=_cmd_run)

    sc = sub.add_parser("scenarios", help="list the scenario library of the embedded Aral Sea basin model")
    sc.set_defaults(func=_cmd_scenarios)

    v = sub.add_parser("validate", help="check a model file and report every problem")
    v.add_argument("model", help="model file (daryo YAML/JSON or Pywr JSON)")
    v.add_argument("--scenario", action="append", default=[], metavar="NAME",
                   help="check the model with this scenario overlay applied (an overlay .yaml, or a name from "
                        "`daryo scenarios` for the embedded model's file); repeat to combine, in order")
    v.set_defaults(func=_cmd_validate)

    i = sub.add_parser("info", help="describe a model: components by type, countries, time span")
    i.add_argument("model", nargs="?", help="model file (daryo YAML/JSON or Pywr JSON; default: the embedded model)")
    i.set_defaults(func=_cmd_info)
    _add_ensemble_parser(sub)
    _add_convert_parser(sub)
    return p


def _command_parser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    """The parser of ``command``, one of ``parser``'s sub-commands."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[command]  # type: ignore[no-any-return]
    raise KeyError(command)


def _import_held(args: argparse.Namespace) -> None:
    """Import what the command needs (daryo's modules, NumPy, pandas, xarray, HiGHS, Numba; Dask for a cluster)
    with Ctrl-C and SIGTERM held back, and raise one that came meanwhile once they are imported.

    A Ctrl-C inside the import of a compiled module surfaced as its ImportError ("initialization failed", of
    HiGHS's): where a module imports another optionally, it took that for the module's absence, and the run went
    on to its end (exit 0) as if not interrupted.  An import that fails for another reason is left to the command,
    which imports it again and reports it.  (For ``daryo run`` and ``daryo ensemble``, which may run long.)"""
    from ._files import interrupts_between

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
        return _main(argv)
    finally:  # (called from Python, the process's streams are left as they were)
        restore()


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # said by the command's parser, with its usage (argparse's own shows only "daryo COMMAND")
            _command_parser(parser, args.command).error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:  # argparse: usage error (2) or --help (0)
        return int(exc.code or 0)
    func: Callable[[argparse.Namespace], int] = args.func
    previous = _on_sigterm(_terminate)
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
        _err(str(exc))
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
            raise
        _err(f"daryo: error: {str(exc).removeprefix('Symlink loop from ')}: {LINK_LOOP}")
        return EXIT_INPUT
    except (SystemError, ImportError) as exc:  # Ctrl-C (or SIGTERM) inside a compiled Numba call surfaces as its
        # SystemError, inside the import of a compiled module as its ImportError ("initialization failed")
        if _caused_by(exc, KeyboardInterrupt):
            _err("interrupted")
            return 130
        if _caused_by(exc, _Terminated):
            _err("terminated")
            return 143
        raise
    except _Terminated:
        _err("terminated")
        return 143
    finally:
        _on_sigterm(previous)
        sys.stdout = stdout


def _os_error_text(exc: OSError) -> str:
    """An OSError's message without Python's "[Errno N]" prefix: "No such file or directory: 'x.nc'"."""
    if exc.strerror is None:
        return str(exc)
    if exc.filename is None and isinstance(exc, FileNotFoundError) and (note := missing_cwd_note()):
        return note
    return f"{exc.strerror}: {str(exc.filename)!r}" if exc.filename is not None else exc.strerror


class _UsageError(Exception):
    pass


class _Terminated(BaseException):
    """SIGTERM, raised where the process is, so that temporary files are removed on the way out."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated


def _on_sigterm(handler: Any) -> Any:
    """Set the SIGTERM handler (in the main thread only: elsewhere Python cannot); returns the previous one."""
    import signal
    import threading

    if handler is None or threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, handler)


class _InputError(Exception):
    """Invalid input (a model or run that cannot be done): exit 1."""


class _StdoutError(OSError):
    """Standard output cannot be written (a closed pipe aside, which is a BrokenPipeError)."""


class _Stdout:
    """Standard output whose write errors are told apart from those of the files a command writes."""

    def __init__(self, stream: Any):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._guarded(self._stream.write, text)

    def flush(self) -> None:
        self._guarded(self._stream.flush)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    @staticmethod
    def _guarded(call: Callable[..., Any], *args: Any) -> Any:
        try:
            return call(*args)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _StdoutError(exc.errno, exc.strerror) from exc


def _tolerate_unencodable(*streams: Any) -> Callable[[], None]:
    """Write what a stream's encoding cannot (``hm³``, ``—`` on an ASCII terminal or log, ``LC_ALL=C``) as escapes
    (``hm\\xb3``), rather than stop the command with a UnicodeEncodeError; the bytes of a file name that is not
    UTF-8 (held as lone surrogates) are written as they are, as Python writes them on its own.  Returns what sets
    the streams' error handlers back as they were."""
    codecs.register_error(_ESCAPE, _escape_unencodable)  # (the same function each time: registering is idempotent)
    changed: list[tuple[Any, str]] = []
    for stream in streams:
        try:
            before = stream.errors
            stream.reconfigure(errors=_ESCAPE)
            changed.append((stream, before))
        except (AttributeError, ValueError, OSError):  # (not a text file: a replaced stream; closed)
            pass

    def restore() -> None:
        for stream, errors in changed:
            with contextlib.suppress(AttributeError, ValueError, OSError):
                stream.reconfigure(errors=errors)

    return restore


#: the name of the error handler of :func:`_tolerate_unencodable`
_ESCAPE = "daryo-escape"


def _escape_unencodable(exc: UnicodeError) -> tuple[str | bytes, int]:
    """A file name's undecodable bytes (U+DC80–U+DCFF, ``surrogateescape``'s) as those bytes; anything else that
    cannot be encoded as a backslash escape."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object[exc.start:exc.end]
    if all(0xDC80 <= ord(c) <= 0xDCFF for c in text):
        return bytes(ord(c) - 0xDC00 for c in text), exc.end
    return codecs.backslashreplace_errors(exc)


def _drop_stdout() -> None:
    """Point standard output at /dev/null, so that flushing what is left at exit cannot fail again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # no file descriptor (a replaced sys.stdout)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether an exception of ``kind`` is in the chain of exceptions that led to ``exc``."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        if isinstance(e, kind):
            return True
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return False


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def _load(path: str | None) -> Model:
    from . import api

    return api.load(path)


def _load_for_run(args: argparse.Namespace) -> Model:
    """The model of a ``run``: a file with overlays, or the embedded Aral model with its hydrology."""
    from . import api

    if args.model is not None:
        if args.hydrology is not None or args.seed is not None:
            flag = "--hydrology" if args.hydrology is not None else "--seed"
            raise _UsageError(f"{flag} applies to the embedded model only; a model file has its own inflows")
        if args.years is None:
            return api.load(args.model, scenarios=args.scenario)
        try:  # the overlays change the inflows of the run's years, not only of the file's own
            return api.load(args.model, scenarios=args.scenario, years=args.years)
        except ModelError:
            raise
        except ValueError as exc:
            raise _UsageError(f"--years {args.years}: {exc}") from None
    from .basins.aral import HYDROLOGY_CHOICES, load_aral_model

    hydrology = "norm" if args.hydrology is None else args.hydrology
    if hydrology not in HYDROLOGY_CHOICES:
        raise _UsageError(f"--hydrology {hydrology!r}: use one of {', '.join(HYDROLOGY_CHOICES)}")
    traces = 1 if args.scenarios is None else args.scenarios
    if args.seed is not None and hydrology != "stochastic":
        raise _UsageError(f"--seed needs --hydrology stochastic (the {hydrology} hydrology has no random draws)")
    if traces > 1 and hydrology != "stochastic":
        raise _UsageError(f"--scenarios {traces} needs --hydrology stochastic (the {hydrology} hydrology is "
                          "one trace)")
    if traces < 1:
        raise _UsageError("--scenarios must be at least 1")
    try:
        if traces > 1:  # results that cannot fit in memory are refused before the traces are made
            _check_memory_for(load_aral_model(scenarios=args.scenario, years=args.years or 30), traces)
        return load_aral_model(scenarios=args.scenario, hydrology=hydrology, traces=traces,
                               years=args.years or 30, seed=args.seed or 0)
    except ModelError:
        raise
    except ValueError as exc:
        raise _UsageError(str(exc)) from None


def _check_memory_for(one_trace: Model, traces: int) -> None:
    """A ValueError if the results of ``traces`` traces of a model (given with one) cannot fit in memory."""
    from .api import check_memory
    from .network import compile_network
    from .simulate import SimulationOutput

    check_memory(SimulationOutput.nbytes_for(compile_network(one_trace)) * traces)


def _cmd_scenarios(args: argparse.Namespace) -> int:
    from .scenarios import list_scenarios

    print("scenarios of the embedded Aral Sea basin model (combine with repeated --scenario):")
    for name, title in list_scenarios():
        print(f"  {name:<20s}{title}")
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from . import api
    from .results import advice
    from .simulate import RunOptions

    if args.years is not None and args.years < 1:
        raise _UsageError("--years must be at least 1")
    if args.scenarios is not None and args.scenarios < 1:
        raise _UsageError(f"--scenarios {args.scenarios}: must be at least 1")
    if args.seed is not None:
        _check_seed(args.seed)
    _check_run_targets(args.output, args.csv)  # before the run, which may take long
    model = _load_for_run(args)
    if args.scenarios is not None and not 1 <= args.scenarios <= model.n_scenarios:
        raise _UsageError(f"--scenarios {args.scenarios}: the model has {model.n_scenarios} scenario trace(s)")
    try:  # (the model is loaded for --years already: a span past the dates a time axis holds was refused there)
        results = api.run(model, RunOptions(scenarios=args.scenarios))
    except ModelError:  # (a ValueError too: the model's data, found as the run compiles it)
        raise
    except ValueError as exc:  # (the options are checked above: results too large for memory)
        raise _UsageError(str(exc)) from None
    if args.output or args.csv:  # both written first, then moved into place: all or nothing; before anything
        results.save(netcdf=args.output, csv=args.csv)  # is printed, which fails if the reader has gone
    print(format_summary(model, results))
    if args.output:
        print(f"results written to {args.output}")
    if args.csv:
        print(f"CSV files written to {args.csv.rstrip('/') or '/'}/")
    for note in advice(results.dataset):
        _err(f"note: {note}")
    return EXIT_OK


def _with_years(model: Model, years: int) -> Model:
    """The model run for ``years`` years from its start; a usage error if they run past the dates a time axis
    can hold."""
    try:
        return model.with_time(years=years)
    except ModelError:
        raise
    except ValueError as exc:
        raise _UsageError(f"--years {years}: {exc}") from None


def _count(n: float, noun: str) -> str:
    """``n`` and the noun, plural unless ``n`` reads 1 ("1 chunk", "3 chunks"); a fraction with the digits that
    tell it from a whole ("1.001 hydrological years", not "1 hydrological years"), never in exponent form."""
    import numpy as np

    if _is_whole(n):
        text = str(round(n))
    elif not math.isfinite(n):
        text = str(n)
    else:
        whole_digits = len(str(abs(int(n))))
        text = next(t for d in range(3, 17) if float(t := np.format_float_positional(
            n, precision=max(d, whole_digits + 1), unique=False, fractional=False, trim="-")) != round(n) or d == 16)
    return f"{text} {noun}" + ("" if text == "1" else "s")


def _is_whole(n: float) -> bool:
    """Whether a count (of years, seasons…) is whole, to 1e-9 (the sums of days over year lengths that make it)."""
    return math.isfinite(n) and abs(n - round(n)) < 1e-9


def _check_seed(seed: int) -> None:
    from .hydrology import seed_problem

    if (why := seed_problem(seed)) is not None:
        raise _UsageError(f"--seed {seed}: {why}")


def _check_parent(target: Path) -> None:
    """A usage error unless the folder ``target`` goes into exists (and is a folder)."""
    parent = target.resolve().parent
    if parent.is_dir():
        return
    why = "is a file, not a folder" if parent.exists() else "does not exist"
    raise _UsageError(f"cannot write to {target}: {parent} {why}")


def _output_path(output: str, example: str, flag: str = "-o") -> Path:
    """``-o``'s (or ``flag``'s) path; an empty name is a usage error (``Path('')`` is ``.``, which messages would
    show)."""
    if not output:
        raise _UsageError(f"{flag} '': give a name such as {example}")
    return Path(output)


def _check_run_targets(output: str | None, csv: str | None) -> None:
    """Refuse output targets that cannot be written, before any work: a missing folder or a NetCDF name not
    ending in .nc (usage errors), a NetCDF target that is a folder or an existing file other than a run's
    results, a CSV folder that is a file, a folder that is not writable (OSError: invalid input)."""
    for flag, target in (("-o", output), ("--csv", csv)):
        if target == "":
            raise _UsageError(f"{flag} '': give a {'file' if flag == '-o' else 'folder'} name")
        if target and flag == "-o" and target.endswith(("/", os.sep)):
            raise _UsageError(f"-o {target}: names a folder; give a .nc file name")
        if target:
            _check_parent(Path(target))
    if output and csv and Path(output).resolve() == Path(csv).resolve():
        raise _UsageError(f"-o and --csv are both {output}: give the NetCDF file and the CSV folder other names")
    if output:
        from .results import check_netcdf_target

        try:
            check_netcdf_target(output)
        except ValueError as exc:
            raise _UsageError(str(exc)) from None
        _check_writable(Path(output).resolve().parent, output)
    if csv:
        from .results import check_csv_folder

        d = Path(csv)
        if d.exists() and not d.is_dir():
            raise NotADirectoryError(f"cannot write CSV files into {csv}: it is a file, not a folder")
        check_csv_folder(d)
        _check_writable(d.resolve() if d.is_dir() else d.resolve().parent, csv)  # (the files are made inside it)


def _check_writable(folder: Path, target: str) -> None:
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write to {target}: folder {folder} is not writable")


def format_summary(model: Model, results: Results) -> str:
    """The run's summary: a country table and terminal-sink inflows, as plain text."""
    from .indicators import sink_inflow

    ds = results.dataset
    overlays = [str(x) for x in model.metadata.get("scenarios") or ()]
    lines = [f"daryo run: {model.name} — {ds.sizes['scenario']} scenario(s), "
             f"{_span(ds)}", *([f"scenario overlays (in order): {', '.join(overlays)}"] if overlays else []),
             "mean annual values over the run and scenarios; hm³/yr for water, GWh/yr for energy",
             "winter = October–March, summer = April–September", *_part_years(ds), ""]
    table = results.summary()
    if not table.empty:
        lines.append(_table(table))
    if "sink_inflow" in ds:
        lines += ["", "inflow to terminal sinks (hm³/yr):"]
        for name, v in sink_inflow(ds).items():
            lines.append(f"  {name:<28s} {_number(v, 12)}")
    err = float(abs(ds["mass_balance_error"]).max())
    lines += ["", f"largest mass-balance error: {err:.2e} hm³ per step"]
    return "\n".join(lines)


def _number(value: float, width: int) -> str:
    """``value`` right-aligned in ``width`` characters with one decimal, or in scientific notation where that
    would not leave a space before it (a model's 1e30 ran its columns together)."""
    text = f"{value:{width}.1f}"
    return text if text.startswith(" ") else f"{value:{width}.3e}"


def _part_years(ds) -> list[str]:  # type: ignore[no-untyped-def]
    """A line saying how a run of part of a hydrological year or season is made annual (none for whole years)."""
    import pandas as pd

    from .indicators import n_years, season_years

    covered = {"year": n_years(ds), "winter": season_years(ds, "winter"), "summer": season_years(ds, "summer")}
    if all(_is_whole(v) for v in covered.values()):
        return []
    t = pd.DatetimeIndex(ds["time"].values)
    return [f"the run, {t[0]:%B %Y} to {t[-1]:%B %Y}, covers {_count(covered['year'], 'hydrological year')} "
            f"({_count(covered['winter'], 'winter')}, {_count(covered['summer'], 'summer')}): its totals are "
            "scaled to whole years and seasons (a part covered counts its share of one)"]


def _span(ds) -> str:  # type: ignore[no-untyped-def]
    """The run's steps and span: months for monthly steps (``24 steps, 2000-10 to 2002-09``), days for N-day ones
    (``114 steps of 7 days, 2000-04-15 to 2002-06-21``: the last step's last day)."""
    import pandas as pd

    t = pd.DatetimeIndex(ds["time"].values)
    label = str(ds.attrs.get("time_step", "month")).split()
    if not (len(label) == 2 and label[1] == "days" and label[0].isdigit()):
        return f"{len(t)} steps, {t[0]:%Y-%m} to {t[-1]:%Y-%m}"
    last = t[-1] + pd.Timedelta(days=int(label[0]) - 1)
    return f"{len(t)} steps of {label[0]} days, {t[0]:%Y-%m-%d} to {last:%Y-%m-%d}"


def _table(frame: pd.DataFrame) -> str:
    """The country table: a column pair (winter, summer) per quantity the frame has; a season the run does not
    reach shows "–"."""
    f = frame.copy()
    f.columns = [c.replace(" GWh", "") for c in f.columns]
    groups = [("demand", "demanded"), ("delivered", "delivery"), ("deficit", "deficit"), ("energy GWh", "energy")]
    shown = [(g, key) for g, key in groups if f"{key} winter" in f.columns or f"{key} summer" in f.columns]
    rows = [f"{'country':<8s}" + "".join(f"{g:>22s}" for g, _ in shown),
            f"{'':<8s}" + "".join(f"{'winter':>11s}{'summer':>11s}" for _ in shown)]

    def cell(row: pd.Series, column: str) -> str:
        return _number(row[column], 11) if column in row.index else f"{'–':>11s}"

    for country, row in f.iterrows():
        rows.append(f"{country:<8s}" + "".join(cell(row, f"{key} winter") + cell(row, f"{key} summer")
                                               for _, key in shown))
    return "\n".join(rows)


def _cmd_validate(args: argparse.Namespace) -> int:
    from . import api
    from .network import compile_network

    model = api.load(args.model, scenarios=args.scenario)
    # what only the run's time axis shows: series and CSV files covering every step, per-scenario values
    compile_network(model)
    with_overlays = f" with {', '.join(args.scenario)}" if args.scenario else ""
    print(f"{args.model}{with_overlays}: valid ({len(model.nodes)} nodes, {len(model.edges)} edges, "
          f"{model.n_scenarios} scenario trace(s))")
    return EXIT_OK


def _cmd_info(args: argparse.Namespace) -> int:
    model = _load(args.model)
    print(f"model: {model.name}")
    if model.description:
        print(f"  {model.description}")
    print(f"file: {model.path}")
    print(f"allocation: {model.allocation}")
    print(f"time: {model.time.axis().describe()}")
    print(f"scenario traces: {model.n_scenarios}")
    print(f"nodes: {len(model.nodes)}")
    for t, n in sorted(Counter(n.type for n in model.nodes).items()):
        print(f"  {t:<18s}{n:5d}")
    print(f"edges: {len(model.edges)}")
    print(f"countries: {', '.join(model.countries()) or '(none given)'}")
    return EXIT_OK


# ------------------------------------------------------------------------------------------ ensemble
def _add_ensemble_parser(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("ensemble", help="run many hydrological traces in chunks, streamed to disk, with summaries")
    e.add_argument("model", nargs="?", help="model file (default: the embedded model)")
    e.add_argument("--traces", type=int, required=True, metavar="N", help="number of traces")
    e.add_argument("--years", type=int, required=True, metavar="Y", help="years per trace from the model's start")
    e.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the traces (default 0)")
    e.add_argument("--scenario", action="append", default=[], metavar="NAME",
                   help="apply a scenario overlay (a name from `daryo scenarios` or an overlay .yaml); its inflow "
                        "changes apply to every trace; repeat to combine, in order")
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
    e.add_argument("--deficit-threshold", type=float, default=0.3, metavar="F",
                   help="report the probability of an annual deficit above this fraction of the demand, from 0 "
                        "up to (not including) 1 (default 0.3)")
    e.add_argument("--summary-csv", metavar="FILE",
                   help="also write the summaries (mean, percentiles, share above the deficit threshold, per "
                        "indicator and element) to this CSV file, a row per indicator, element and statistic")
    e.add_argument("--quiet", action="store_true", help="no progress output")
    e.set_defaults(func=_cmd_ensemble)


def _cmd_ensemble(args: argparse.Namespace) -> int:
    from .ensemble import (
        EnsembleOptions,
        ProgressReporter,
        RunInProgressError,
        check_output,
        parts_folder,
        run_ensemble,
    )
    from .ensemble.executors import scheduler_problem, workers_problem

    if args.traces < 1 or args.years < 1:
        raise _UsageError("--traces and --years must be at least 1")
    _check_seed(args.seed)
    if not 0.0 <= args.deficit_threshold < 1.0:  # (NaN fails too)
        raise _UsageError(f"--deficit-threshold {args.deficit_threshold:g}: give a fraction of the demand, at least 0 "
                          "and below 1")
    if args.workers is not None and args.workers < 0:
        raise _UsageError("--workers must be 0 (in this process) or more")
    if args.workers and (why := workers_problem(args.workers)) is not None:
        raise _UsageError(f"--workers {args.workers}: {why}, or --scheduler with the address of a Dask cluster for "
                          "more")
    if args.chunk_size is not None and args.chunk_size < 1:
        raise _UsageError("--chunk-size must be at least 1")
    if args.scheduler is not None and (why := scheduler_problem(args.scheduler)) is not None:
        raise _UsageError(f"--scheduler {args.scheduler!r}: {why}")
    if args.scheduler is not None and args.scheduler.strip().lower().startswith("inproc://"):
        raise _UsageError(f"--scheduler {args.scheduler!r}: an inproc:// scheduler lives inside the Python process "
                          "that started it and cannot be reached from another; give the address of a Dask "
                          "scheduler, such as tcp://host:8786 (or --workers for a cluster on this machine)")
    out = _output_path(args.output, "results.zarr")
    _check_parent(out)
    try:  # before any work: the format, and nothing but an earlier result in the way (else OSError: exit 1)
        check_output(out)
    except (ImportError, ValueError) as exc:
        raise _UsageError(str(exc)) from None
    _check_writable(out.resolve().parent, str(out))
    csv = _summary_csv_target(args.summary_csv, out)
    model = _load_for_ensemble(args.model, args.scenario)
    options = EnsembleOptions(traces=args.traces, years=args.years, seed=args.seed, chunk_size=args.chunk_size,
                              deficit_threshold=args.deficit_threshold)
    steps = len(_with_years(model, args.years).time.axis().starts)
    progress = None if args.quiet else ProgressReporter(args.traces, steps)
    if args.resume and not out.exists() and not parts_folder(out).exists():
        print(f"no unfinished run of {out} to resume: starting it")  # (said nothing: a typo in -o went unnoticed)
    try:
        run = run_ensemble(model, options, out, scheduler=args.scheduler, workers=args.workers,
                           resume=args.resume, progress=progress)
    except RunInProgressError as exc:  # (an output that cannot be used now: not a usage error)
        raise _InputError(str(exc)) from None
    except (FileExistsError, ImportError) as exc:  # an unfinished run without --resume; a missing extra
        if _caused_by(exc, KeyboardInterrupt) or _caused_by(exc, _Terminated):  # (an import cut short: main says so)
            raise
        raise _UsageError(str(exc)) from None
    except ModelError:
        raise
    except ValueError as exc:  # the model or the run cannot be done (no inflows to resample, resume mismatch…)
        raise _InputError(str(exc)) from None
    try:
        _report_ensemble(run, args.years, model.name, out, csv)
    except KeyboardInterrupt:  # (the results are whole: say so rather than leave the run in doubt)
        _err(f"interrupted; the results had already been written to {out}")
        return 130
    except _Terminated:
        _err(f"terminated; the results had already been written to {out}")
        return 143
    return EXIT_OK


def _load_for_ensemble(path: str | None, scenarios: list[str]) -> Model:
    """The model of an ensemble: its file's series are read over the file's whole span, whatever ``--years``, as
    the traces resample the years of that span; a series that misses some of its dates says so."""
    from . import api
    from .model.series import MISSING_DATES

    try:
        return api.load(path, scenarios=scenarios)
    except ModelError as exc:
        if not any(p.code == MISSING_DATES for p in exc.problems):
            raise
        raise ModelError(exc.problems, note=(
            "note: daryo ensemble resamples the years of the model file's whole time span (its 'time'), whatever "
            "--years, so its series must cover all of that span: end the span before the missing dates, or "
            "extend the series.")) from None


def _report_ensemble(run: EnsembleRun, years: int, name: str, out: Path, csv: Path | None) -> None:
    """What a finished ``daryo ensemble`` prints, and its ``--summary-csv`` file."""
    if run.finished:
        print(f"nothing to resume: {out} holds this run's results already")
        _write_summary_csv(out, csv)
        _print_shortfalls(out)
        return
    # the rate counts the traces simulated by this invocation only, not those a resume found done
    per_second = run.traces_computed * years / max(run.seconds, 1e-9)
    rate = f"{per_second:,.{0 if per_second >= 10 else 1}f} scenario-years/s"
    if run.chunks_skipped:
        rate = f"{_count(run.traces_computed, 'trace')} computed now, {rate}" if run.traces_computed else "all resumed"
    print(f"ensemble: {_count(run.traces, 'trace')} × {_count(years, 'year')} of {name} in "
          f"{run.seconds:.1f} s ({rate}; {_count(run.chunks, 'chunk')}, {run.chunks_skipped} resumed)")
    if run.how:  # (each chunk's own figures; the first one computed stands for them)
        which = f" (the first of the {len(run.how)} chunks computed)" if len(run.how) > 1 else ""
        print(f"solver{which}: {run.how[0]}")
    print(f"results and summaries written to {out}")
    _write_summary_csv(out, csv)
    _print_shortfalls(out)


def _summary_csv_target(name: str | None, out: Path) -> Path | None:
    """The ``--summary-csv`` file, checked before any work (None: not asked for)."""
    from .ensemble import check_summary_csv, parts_folder

    if name is None:
        return None
    csv = _output_path(name, "summaries.csv", flag="--summary-csv")
    _check_parent(csv)
    if csv.resolve() == out.resolve():
        raise _UsageError(f"-o and --summary-csv are both {out}: give the results and the CSV file other names")
    parts = parts_folder(out)
    if csv.resolve() == parts.resolve():
        raise _UsageError(f"--summary-csv {csv} is the name of the folder that keeps the run's finished chunks "
                          f"until it is done ({parts}): give the CSV file another name")
    check_summary_csv(csv)  # (a folder, or a file other than an earlier summary: OSError, exit 1)
    _check_writable(csv.resolve().parent, str(csv))
    return csv


def _write_summary_csv(out: Path, csv: Path | None) -> None:
    """Write the summaries of the ensemble's output ``out`` to ``csv`` (None: not asked for)."""
    from .ensemble import write_summary_csv

    if csv is not None:
        try:
            write_summary_csv(out, csv)
        except OSError as exc:  # (a full disk: the results themselves are whole)
            raise OSError(f"{exc}; the results are in {out}") from exc
        print(f"summaries written to {csv}")


def _print_shortfalls(out: Path, shown: int = 10) -> None:
    """The demands short in some trace-year of the ensemble written to ``out``, most often short first."""
    from .ensemble import shortfall_table

    table = shortfall_table(out)
    if table.empty:
        print("no demand is short in any trace-year" if table.attrs["demands"] else "the model has no demands")
        return
    threshold = f"{table.attrs['threshold'] * 100:.15g}%"  # (15 digits: 0.3 is 30%, not 30.000000000000004%)
    first = f"; the first {shown} shown" if len(table) > shown else ""
    print(f"demands short in some trace-year ({len(table)}{first}), by P, the share of trace-years with a deficit "
          f"above {threshold} of the demand, then by the mean of the annual deficit fraction:")
    rows = table.head(shown)
    w = max(len("demand"), *(len(str(name)) for name in rows.index)) + 2
    print(f"  {'demand':<{w}}{'country':<9}{'P':>9}{'mean':>9}{'p95':>9}")
    for name, row in rows.iterrows():
        print(f"  {name:<{w}}{row['country']:<9}{row['probability']:>9.2%}{row['mean']:>9.2%}{row['p95']:>9.2%}")


# ------------------------------------------------------------------------------------------- convert
def _add_convert_parser(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("convert", help="convert a Pywr JSON model into a daryo model file (YAML or JSON)")
    c.add_argument("model", help="Pywr v1 JSON model")
    c.add_argument("-o", "--output", required=True,
                   help="daryo model file to write: YAML (.yaml, .yml) or JSON (.json), by its suffix")
    c.set_defaults(func=_cmd_convert)


def _cmd_convert(args: argparse.Namespace) -> int:
    from .pywr.write import output_format, write_daryo_model

    out = _output_path(args.output, "model.yaml")
    try:  # before any work: the format written follows the suffix
        output_format(out)
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    _check_parent(out)
    if out.resolve() == Path(args.model).resolve():
        raise _UsageError(f"-o {args.output} is the model being converted; give the daryo model another name")
    write_daryo_model(args.model, out)  # (which refuses to replace anything but an earlier conversion first)
    print(f"{args.model} converted to {out} (run it with: daryo run {shlex.quote(str(out))})")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
