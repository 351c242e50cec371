"""The ``daryo`` commands (``run``, ``scenarios``, ``validate``, ``info``, ``ensemble``, ``convert``): each reads its
arguments, calls :mod:`daryo.api` (or the ensemble, the Pywr writer) and prints what it did."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ModelError
from ._process import EXIT_INPUT, EXIT_OK, _caused_by, _err, _InputError, _Terminated, _UsageError
from .ensemble_report import _percent, _report_store, traces_words
from .summary import _count, format_summary, padded, shown_width

if TYPE_CHECKING:  # (the commands import the API when they run: ``daryo --help`` loads no numerical stack)
    from ..ensemble import EnsembleRun, ModelColumns
    from ..model import Model


def _load(path: str | None, confine: bool = False) -> Model:
    from .. import api

    return api.load(path, confine=confine)


def _load_for_run(args: argparse.Namespace) -> Model:
    """The model of a ``run``: a file with overlays, or the embedded Aral model with its hydrology."""
    from .. import api

    if args.model is not None:
        if args.hydrology is not None or args.seed is not None:
            flag = "--hydrology" if args.hydrology is not None else "--seed"
            raise _UsageError(f"{flag} applies to the embedded model only; a model file has its own inflows")
        if args.start is not None:
            raise _UsageError(f"--start {args.start}: applies to the embedded model only; a model file's run starts "
                              "at its time: start (daryo.RunOptions(start=...) starts a run later within it)")
        if args.years is None:
            return api.load(args.model, scenarios=args.scenario, confine=args.confine)
        try:  # the overlays change the inflows of the run's years, not only of the file's own
            return api.load(args.model, scenarios=args.scenario, years=args.years, confine=args.confine)
        except ModelError:
            raise
        except ValueError as exc:
            raise _UsageError(f"--years {args.years}: {exc}") from None
    from ..basins.aral import HYDROLOGY_CHOICES, load_aral_model

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
        start = {} if args.start is None else {"start": args.start}  # (load_aral_model's default: 2000-10)
        end = {} if args.end is None else {"end": args.end}  # (built to that month: a season's
        # forecast need cover only it, a diff review)
        if traces > 1:  # results that cannot fit in memory are refused before the traces are made
            _check_memory_for(load_aral_model(scenarios=args.scenario, years=args.years or 30, **start, **end),
                              traces)
        return load_aral_model(scenarios=args.scenario, hydrology=hydrology, traces=traces,
                               years=args.years or 30, seed=args.seed or 0, **start, **end)
    except ModelError:
        raise
    except ValueError as exc:
        raise _UsageError(_as_options(str(exc), args.start, args.end, args.years)) from None


def _as_option(message: str, value: str | None, name: str = "start") -> str:
    """A message of load_aral_model's about its ``start`` (or ``name``) as the command line's option (``--start
    2026-13: ...``, not ``start='2026-13': ...``: a diff review)."""
    head = f"{name}={value!r}: "
    if value is None or not message.startswith(head):
        return message
    return f"--{name} {value}: {message.removeprefix(head)}"


def _as_options(message: str, start: str | None, end: str | None, years: int | None) -> str:
    """A message of load_aral_model's in the command line's options: its ``start=``, ``end=`` (:func:`_as_option`)
    and ``years=`` (``--years``, or the default's where ``years`` is None), and a start it suggests
    (``start='1962-01'``: ``--start 1962-01``)."""
    text = _as_option(_as_option(message, start), end, "end")
    if (found := re.match(r"years=(\d+): ", text)) is not None:
        given = f"--years {found[1]}" if years is not None else f"the default --years {found[1]}"
        text = f"{given}: {text[found.end():]}"
    return re.sub(r"\(start='([^']*)'\)", r"(--start \1)", text)


def _check_end(end: str) -> None:
    """``--end`` of a model file's run, as the embedded model's is told: a usage error where it is not a date."""
    from ..timeaxis import parse_date

    try:
        parse_date(end, end=True)
    except ValueError as exc:
        raise _UsageError(f"--end {end}: {exc}") from None


def _check_memory_for(one_trace: Model, traces: int) -> None:
    """A ValueError if the results of ``traces`` traces of a model (given with one) cannot fit in memory."""
    from ..api import check_memory
    from ..network import compile_network
    from ..simulate import SimulationOutput

    check_memory(SimulationOutput.nbytes_for(compile_network(one_trace)) * traces)


def _cmd_scenarios(args: argparse.Namespace) -> int:
    from ..scenarios import library_entries

    entries = library_entries()
    width = 2 + max(len("group"), *(len(group) for _, _, group in entries))
    print("scenarios of the embedded Aral Sea basin model (combine with repeated --scenario, at most one of each "
          "group):")
    print(f"  {'name':<20s}{'group':<{width}s}title")
    for name, title, group in entries:
        print(f"  {name:<20s}{group or '-':<{width}s}{title}")
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from .. import api
    from ..results import advice
    from ..simulate import RunOptions

    if args.years is not None and args.years < 1:
        raise _UsageError("--years must be at least 1")
    if args.years is not None and args.end is not None:
        raise _UsageError(f"--end {args.end} and --years {args.years}: give one of them")
    if args.scenarios is not None and args.scenarios < 1:
        raise _UsageError(f"--scenarios {args.scenarios}: must be at least 1")
    if args.seed is not None:
        _check_seed(args.seed)
    _check_numbers_as_scenarios(args.scenario, "--scenarios", "" if args.model else " --hydrology stochastic")
    _check_run_targets(args.output, args.csv)  # before the run, which may take long
    if args.end is not None and args.model is not None:
        _check_end(args.end)
    model = _load_for_run(args)
    _say_cautions(model)
    if args.scenarios is not None and not 1 <= args.scenarios <= model.n_scenarios:
        raise _UsageError(f"--scenarios {args.scenarios}: the model has {model.n_scenarios} scenario trace(s)")
    if args.method != "plain":  # (the plain path compiles nothing: a diff review)
        _say_first_compile(model, args.scenarios or model.n_scenarios)
    try:  # (the model is loaded for --years already: a span past the dates a time axis holds was refused there)
        results = api.run(model, RunOptions(scenarios=args.scenarios, method=args.method,
                                            end=args.end if args.model is not None else None))
    except ModelError:  # (a ValueError too: the model's data, found as the run compiles it)
        raise
    except ValueError as exc:  # (the options are checked above: results too large for memory; an --end)
        text = str(exc)
        if args.end is not None and text.startswith(("the run would end", "the run from")):  # (the run's span: a
            # model file's, before its start or past the dates a time axis holds)
            text = f"--end {args.end}: {text}"
        raise _UsageError(text) from None
    if args.output or args.csv:  # both written first, then moved into place: all or nothing; before anything
        results.save(netcdf=args.output, csv=args.csv, model=model)  # is printed, which fails if the reader has gone
    print(format_summary(model, results))
    if args.output:
        print(f"results written to {args.output}")
    if args.csv:
        print(f"CSV files written to {args.csv.rstrip('/') or '/'}/")
    for note in advice(results.dataset, model):
        _err(f"note: {note}")
    return EXIT_OK


def _say_first_compile(model: Model, scenarios: int) -> None:
    """Before a run of ``scenarios`` scenarios (or traces) of ``model``: say on stderr, to a person at a terminal,
    that Numba compiles the fast path's kernels first where its cache lacks those the run calls (a fresh ``pip
    install daryo[fast]``: over a minute without a word, then seconds); not in a log or a pipe, whose output would
    then depend on the state of a cache."""
    from ..simulate import _kernel
    from ..simulate.fastpath import FastOptions

    stream = sys.stderr  # (None where it was closed, 2>&-: an automation review)
    kernels = FastOptions().kernels_for(model.allocation, scenarios)
    if stream is not None and stream.isatty() and not _kernel.in_cache(kernels):
        _err("daryo: compiling the fast path's kernels with Numba for their first use (about a minute, once; "
             "`python -m daryo.precompile` does it ahead of time)")


def _say_years_beyond(overlays: list[str], model: Model) -> None:
    """Note the overlays' changes of given run years that the run is too short to take in full."""
    from ..scenarios import years_beyond

    for note in years_beyond(overlays, model.time.axis()):
        _err(f"note: {note}")


def _with_years(model: Model, years: int) -> Model:
    """The model run for ``years`` years from its start; a usage error if they run past the dates a time axis
    can hold."""
    try:
        return model.with_time(years=years)
    except ModelError:
        raise
    except ValueError as exc:
        raise _UsageError(f"--years {years}: {exc}") from None


def _check_seed(seed: int) -> None:
    from ..hydrology import seed_problem

    if (why := seed_problem(seed)) is not None:
        raise _UsageError(f"--seed {seed}: {why}")


def _check_parent(target: Path) -> None:
    """A usage error unless the folder ``target`` (its ``~`` read already, :func:`_output_path`) goes into exists
    (and is a folder)."""
    parent = target.resolve().parent
    if parent.is_dir():
        return
    why = "is a file, not a folder" if parent.exists() else "does not exist"
    raise _UsageError(f"cannot write to {target}: {parent} {why}")


def _output_path(output: str, example: str, flag: str = "-o") -> Path:
    """``-o``'s (or ``flag``'s) path, ``~`` read as the home folder (a quoted ``-o '~/t.nc'`` or ``--output=~/t.nc``,
    which the shell leaves); an empty name is a usage error (``Path('')`` is ``.``, which messages would show)."""
    if not output:
        raise _UsageError(f"{flag} '': give a name such as {example}")
    if output == "-":  # (an automation review: a file named "-" was written, where a script meant standard output)
        raise _UsageError(f"{flag} -: daryo writes a file there, not to standard output (which has its tables): give "
                          f"a name such as {example}")
    return Path(output).expanduser()


def _csv_file_path(name: str, example: str, flag: str) -> Path:
    """The path of a CSV file option ``flag`` (``daryo compare --csv``, ``daryo summary --csv``, ``daryo ensemble
    --summary-csv``), checked as :func:`_output_path` and its folder as :func:`_check_parent` do; a usage error
    where it names a folder by a separator at its end (``--csv cmpdir/`` wrote a file named cmpdir, where ``daryo
    run -o x/`` was refused: a CLI review).  One that is a folder: :func:`_refuse_folder`."""
    from .._files import refuse_special_file

    csv = _output_path(name, example, flag)
    if name.endswith(("/", os.sep)):
        raise _UsageError(f"{flag} {name}: names a folder; give a CSV file name, such as {example}")
    _check_parent(csv)
    try:  # (a named pipe: reading it to check it is an earlier output waited for ever, an operations review's
        # daryo summary r.nc --csv p.csv)
        refuse_special_file(csv)
    except FileExistsError as exc:
        raise _InputError(f"{flag} {exc}") from None
    return csv


def _refuse_folder(csv: Path, example: str, flag: str) -> None:
    """A usage error where the file of the option ``flag`` (:func:`_csv_file_path`) is a folder."""
    if csv.is_dir():
        raise _UsageError(f"{flag} {csv} is a folder: give a file name, such as {csv / example}")


def _check_run_targets(output: str | None, csv: str | None) -> None:
    """Refuse output targets that cannot be written, before any work: a missing folder or a NetCDF name not
    ending in .nc (usage errors), a NetCDF target that is a folder or an existing file other than a run's
    results, a CSV folder that is a file, a folder that is not writable (OSError: invalid input).  ``~`` is the
    home folder, as the run's writing reads it (a quoted ``-o '~/t.nc'``, which the shell leaves)."""
    output, csv = (os.path.expanduser(t) if t else t for t in (output, csv))
    for flag, target in (("-o", output), ("--csv", csv)):
        if target == "":
            raise _UsageError(f"{flag} '': give a {'file' if flag == '-o' else 'folder'} name")
        if target == "-":  # (a folder named "-" was made, where a script meant standard output)
            what = "a NetCDF file" if flag == "-o" else "CSV files into a folder"
            raise _UsageError(f"{flag} -: daryo writes {what}, not to standard output (which has its tables): give a "
                              "name")
        if target and flag == "-o" and target.endswith(("/", os.sep)):
            raise _UsageError(f"-o {target}: names a folder; give a .nc file name")
        if target:
            _check_parent(Path(target))
    if output and csv and Path(output).resolve() == Path(csv).resolve():
        raise _UsageError(f"-o and --csv are both {output}: give the NetCDF file and the CSV folder other names")
    if output:
        from ..results import check_netcdf_target

        try:
            check_netcdf_target(output)
        except ValueError as exc:
            raise _UsageError(str(exc)) from None
        _check_writable(Path(output).resolve().parent, output)
    if csv:
        from ..results import check_csv_folder

        d = Path(csv)
        check_csv_folder(d)  # (a file, or a named pipe, is not a folder: its message says so)
        _check_writable(d.resolve() if d.is_dir() else d.resolve().parent, csv)  # (the files are made inside it)


def _check_writable(folder: Path, target: str) -> None:
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write to {target}: folder {folder} is not writable")


def _cmd_validate(args: argparse.Namespace) -> int:
    paths = list(args.model) or [None]
    blank = next((path for path in paths if path is not None and not path.strip()), None)
    if blank is not None:  # (Path('') is '.', a folder)
        raise _UsageError(f"model {blank!r}: give a model file's path")
    strict = getattr(args, "strict", False)
    if getattr(args, "json", False):
        return _validate_json(paths, args.scenario, args.confine, strict)
    if len(paths) == 1:
        notes = _validate_one(paths[0], args.scenario, args.confine)
        return _strict_exit(notes) if strict else EXIT_OK
    # several files (an automation review: a batch of users' model files, told apart by one call): each one's
    # problems as for one, and the exit code of invalid input where any has some
    from ..scenarios.overlay import with_overlay_lines

    bad = noted = 0
    for path in paths:
        try:
            noted += bool(_validate_one(path, args.scenario, args.confine))
        except ModelError as exc:
            _err(str(with_overlay_lines(exc)))
            bad += 1
    print(f"{len(paths) - bad} of {len(paths)} model files valid")
    if strict and noted and not bad:
        return _strict_exit(noted, files=len(paths))
    return EXIT_INPUT if bad else EXIT_OK


def _strict_exit(notes: int, files: int = 0) -> int:
    """``daryo validate --strict``'s exit code: of invalid input where there are ``notes`` (where ``files`` were
    checked: that many of them have some), saying so (a team's review: a CI job could not fail on a note, such as the
    scenario columns of two CSV files paired by position)."""
    if not notes:
        return EXIT_OK
    what = (f"{notes} of the {files} model files {'has' if notes == 1 else 'have'} notes" if files else
            f"{_count(notes, 'note')} above")
    _err(f"daryo: error: {what}, which --strict takes as problems")
    return EXIT_INPUT


def _validate_json(paths: list[str | None], scenarios: list[str], confine: bool, strict: bool) -> int:
    """``daryo validate --json``: every model file's check as one JSON document on stdout, for a CI job or an
    editor that marks the lines (a team keeping a model in git: the problems were lines of text to parse); the exit
    code as without it."""
    import json

    from ..model.cautions import cautions
    from ..scenarios.overlay import with_overlay_lines

    files: list[dict[str, Any]] = []
    for path in paths:
        entry: dict[str, Any] = {"file": path, "scenarios": list(scenarios)}
        try:
            model = _checked_model(path, scenarios, confine)
        except ModelError as exc:
            exc = with_overlay_lines(exc)
            entry |= {"valid": False, "problems": [{"file": p.file, "place": p.place, "line": p.line,
                                                    "message": p.message} for p in exc.problems],
                      "advice": exc.note, "notes": []}
        else:
            entry |= {"valid": True, "model": model.name, "nodes": len(model.nodes), "edges": len(model.edges),
                      "scenario_traces": model.n_scenarios, "problems": [], "advice": "", "notes": cautions(model)}
        files.append(entry)
    bad = sum(not f["valid"] for f in files)
    noted = sum(bool(f["notes"]) for f in files)
    passed = not bad and not (strict and noted)
    print(json.dumps({"valid": passed, "strict": strict, "files": files}, ensure_ascii=False, indent=2))
    return EXIT_OK if passed else EXIT_INPUT


def _checked_model(path: str | None, scenarios: list[str], confine: bool = False) -> Model:
    """One model file (None: the embedded model) with ``scenarios`` applied, loaded and compiled: checked as a run
    would check it (``confine``: its data files must be in its folder).

    Raises
    ------
    daryo.ModelError
        With every problem found."""
    from .. import api
    from ..network import compile_network

    model = api.load(path, scenarios=scenarios, confine=confine)
    # what only the run's time axis shows: series and CSV files covering every step, per-scenario values
    compile_network(model)
    return model


def _validate_one(path: str | None, scenarios: list[str], confine: bool = False) -> int:
    """Check one model file (None: the embedded model) and say it is valid, with its cautions (``confine``: its data
    files must be in its folder); returns how many cautions (notes) it has.

    Raises
    ------
    daryo.ModelError
        With every problem found."""
    model = _checked_model(path, scenarios, confine)
    with_overlays = f" with {', '.join(scenarios)}" if scenarios else ""
    name = path if path is not None else f"the embedded model ({model.name})"
    print(f"{name}{with_overlays}: valid ({len(model.nodes)} nodes, {len(model.edges)} edges, "
          f"{model.n_scenarios} scenario trace(s))")
    return _say_cautions(model)


def _say_cautions(model: Model) -> int:
    """Note what the valid ``model`` may not mean (:func:`daryo.model.cautions.cautions`); how many notes."""
    from ..model.cautions import cautions

    notes = cautions(model)
    for note in notes:
        _err(f"note: {note}")
    return len(notes)


def _spill_edges_note(model: Model) -> str:
    """What ``daryo info`` adds to the count of edges: the spill edges that reservoirs' ``spill_to`` makes, which a
    run's results list among their edges (a technical editor's review: 98 edges here, 106 in the results)."""
    spills = sum(1 for n in model.nodes if n.type == "reservoir" and n.spill_edge_id)
    if not spills:
        return ""
    whose = "a reservoir's spill_to adds" if spills == 1 else "reservoirs' spill_to adds"
    total = len(model.edges) + spills
    return f" (and {_count(spills, 'spill edge')} that {whose}, in a run's results too: {total} in all)"


def _cmd_info(args: argparse.Namespace) -> int:
    model = _load(args.model, args.confine)
    if getattr(args, "node", None) is not None:
        _describe_node(model, args.node)
        return EXIT_OK
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
    print(f"edges: {len(model.edges)}{_spill_edges_note(model)}")
    print(f"countries: {', '.join(model.countries()) or '(none given)'}")
    _say_data_files(model)
    if args.nodes:
        ids = max(len("id"), *(shown_width(node.id) for node in model.nodes)) + 2
        types = max(len("type"), *(len(node.type) for node in model.nodes)) + 2
        print(f"\n  {'id':<{ids}}{'type':<{types}}{'country':<9}name")
        for node in model.nodes:  # (in the model's order: upstream to downstream, as files are usually written)
            name = node.get("name")
            print(f"  {padded(node.id, ids)}{node.type:<{types}}{node.country or '':<9}"
                  f"{name if name and name != node.id else ''}".rstrip())
    return EXIT_OK


def _describe_node(model: Model, node_id: str) -> None:
    """``daryo info --node ID``: the node's type, country, name and place, each attribute it is given, and where
    its numbers come from, its ``source`` text and the full references it cites (a journal's review: a reader
    quoting Toktogul's capacity had to open the model file and the model card's bibliography)."""
    from ..errors import did_you_mean
    from ..model.components import component_type
    from ..model.sources import cited_references, references_beside

    ids = [n.id for n in model.nodes]
    if node_id not in ids:
        raise _InputError(f"--node {node_id}: the model {model.name} has no node '{node_id}'"
                          f"{did_you_mean(node_id, ids)}; daryo info --nodes lists them")
    node = model.node(node_id)
    name, lat, lon = node.get("name"), node.get("lat"), node.get("lon")
    where = f", at {lat}, {lon}" if lat is not None and lon is not None else ""
    print(f"node {node.id}: {node.type}{', ' + node.country if node.country else ''}"
          f"{', ' + repr(str(name)) if name and name != node.id else ''}{where}")
    kind = component_type(node.type)
    shown = [(key, value) for key, value in node.attrs.items()
             if key not in ("name", "country", "lat", "lon", "source", "id", "type")]
    width = max((len(key) for key, _ in shown), default=0) + 2
    for key, value in shown:
        attribute = kind.attribute(key) if kind is not None else None
        print(f"  {key:<{width}}{_value_text(value, attribute.dimension if attribute is not None else None)}")
    source = node.get("source")
    if not source:
        print("source: none given")
        return
    print(f"source: {source}")
    sources = model.metadata.get("sources")
    known = {**references_beside(model.path), **(sources if isinstance(sources, dict) else {})}
    cited = cited_references(str(source), known)
    if cited:
        print("references:")
        for tag, citation in cited:
            print(f"  {tag}. {citation or '(not among the model metadata.sources, nor in a sources.md beside it)'}")


def _value_text(value: object, dimension: str | None) -> str:
    """An attribute's value for :func:`_describe_node`, in daryo's units (its canonical ones: a rate per day)."""
    from ..model.series import LevelTable, Series
    from ..parameters.base import ParameterRef
    from ..units import CANONICAL_UNITS

    unit = CANONICAL_UNITS.get(dimension or "", "")
    if isinstance(value, ParameterRef):  # (a Pywr model's: it printed the reference's repr, a diff review)
        return f"parameter {value.name}" + (f" × {value.factor:g}" if value.factor != 1 else "")
    if isinstance(value, Series):
        unit = "hm³/day" if value.is_rate and dimension == "flow" else unit
        unit = "" if unit in ("", "–") else f" {unit}"
        values = value.values
        if value.kind == "constant":
            return ", ".join(f"{v:g}" for v in values) + unit
        if value.kind == "monthly":  # (months' totals, hm3/month or evaporation depths: "hm³ a month", not
            # "hm³/step a month", a units auditor's review)
            months = "; ".join(", ".join(f"{v:g}" for v in row) for row in values)
            unit = f"{unit.removesuffix('/step')} a month" if value.per_month else unit
            return f"{months}{unit} (12 monthly values, January first)"
        if value.kind == "dated":
            return f"CSV {value.csv}{unit} ({values.shape[0]} column(s), {values.shape[1]} rows)"
        return f"{values.shape[1]} values per step{unit}" + (f", {values.shape[0]} traces" if values.shape[0] > 1
                                                            else "")
    if isinstance(value, LevelTable):
        volumes = f"{value.volume[0]:g}–{value.volume[-1]:g} hm³"
        return f"level–volume–area table of {value.volume.size} rows, volumes {volumes}"
    if isinstance(value, int | float) and not isinstance(value, bool) and unit not in ("", "–"):
        return f"{value:g} {unit}"
    return str(value)


def _say_data_files(model: Model) -> None:
    """List the data files ``model`` read, each with its SHA-256 digest (as a run's results record them)."""
    from ..model.datafiles import data_files_text

    print(f"data files: {len(model.data_files) or '(none)'}")
    for line in data_files_text(model.data_files).splitlines():
        print(f"  {line}")


def _cmd_ensemble(args: argparse.Namespace) -> int:
    from ..ensemble import (
        EnsembleOptions,
        ProgressReporter,
        RunInProgressError,
        check_output,
        earlier_results,
        parts_folder,
        run_ensemble,
    )
    from ..ensemble.executors import scheduler_problem, workers_problem
    from ..ensemble.store import restore_moved_aside

    columns = args.hydrology == "columns"
    _check_counts(args, columns)
    seed = 0 if args.seed is None else args.seed
    _check_seed(seed)
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
    _check_numbers_as_scenarios(args.scenario, "--traces")
    out = _output_path(args.output, "results.zarr")
    _check_parent(out)
    if (aside := restore_moved_aside(out)) is not None:  # (before anything looks at the output: its earlier results)
        _err(f"note: {out} did not exist: a run killed while it replaced it had moved the earlier results aside, to "
             f"{aside.name}; they are put back")
    try:  # before any work: the format, and nothing but an earlier result in the way (else OSError: exit 1)
        check_output(out)
    except (ImportError, ValueError) as exc:
        raise _UsageError(str(exc)) from None
    _check_writable(out.resolve().parent, str(out))
    csv = _summary_csv_target(args.summary_csv, out)
    model = _load_for_ensemble(args.model, args.scenario, args.years, args.start, args.confine, columns)
    if args.hydrology == "stochastic" and args.model is not None and not _generates_traces(model):
        raise _UsageError(f"--hydrology stochastic: the hydrology generator is the embedded model's (and a copy's of "
                          f"its file that keeps its headwaters' inflows), not {args.model}'s: leave --hydrology out "
                          "for whole years resampled from its own inflows, or give --hydrology columns for its "
                          "scenario columns as they are")
    _say_cautions(model)
    source, traces, years = (_columns_source(model, args.traces, args.years, args.model, args.scenario) if columns
                             else (None, args.traces, args.years))
    run_model = _with_years(model, years)
    _say_years_beyond(args.scenario, run_model)
    options = EnsembleOptions(traces=traces, years=years, seed=seed, chunk_size=args.chunk_size,
                              deficit_threshold=args.deficit_threshold, series=args.series,
                              fast=args.method != "plain")
    axis = run_model.time.axis()
    steps = len(axis.starts)
    progress = None if args.quiet else ProgressReporter(traces, steps)
    if args.resume and not out.exists() and not parts_folder(out).exists():
        _err(f"no unfinished run of {out} to resume: starting it")  # (said nothing: a typo in -o went unnoticed;
        # a message, on stderr: a CLI review)
    if not args.resume and (held := earlier_results(out)):  # (a costly run was replaced without a word)
        _err(f"note: {out} holds {held}; this run replaces them when it ends (give another -o to keep them)")
    if options.fast:
        _say_first_compile(model, traces)
    try:
        run = run_ensemble(model, options, out, source=source, scheduler=args.scheduler, workers=args.workers,
                           resume=args.resume, progress=progress)
    except RunInProgressError as exc:  # (an output that cannot be used now: not a usage error)
        raise _InputError(str(exc)) from None
    except (KeyboardInterrupt, _Terminated) as exc:  # (say what is kept, and how to go on)
        _err(f"{'interrupted' if isinstance(exc, KeyboardInterrupt) else exc.word}"
             f"{_kept_chunks(out, bool(args.workers))}")  # (a scheduler's workers send their chunks here)
        return 130 if isinstance(exc, KeyboardInterrupt) else exc.code
    except (FileExistsError, ImportError) as exc:  # an unfinished run without --resume; a missing extra
        if _caused_by(exc, KeyboardInterrupt) or _caused_by(exc, _Terminated):  # (an import cut short: main says so)
            raise
        # (a file in the way is a state of the disk, not a usage error: an automation review, a cron job killed once
        # then failed every night as misused)
        raise (_InputError if isinstance(exc, FileExistsError) else _UsageError)(str(exc)) from None
    except ModelError:
        raise
    except ValueError as exc:  # the model or the run cannot be done (no inflows to resample, resume mismatch…)
        raise _InputError(str(exc)) from None
    try:
        _report_ensemble(run, years, model, out, csv)
        # (from April, --years N spans N + 1 hydrological years, an overlay's: a diff review)
        hydrological_years = len(set(axis.hydrological_year.tolist()))
        if note := _pooled_years_note(args.scenario, hydrological_years, out, run.deficit_threshold,
                                      int(axis.starts[0].month)):
            print(note)
    except KeyboardInterrupt:  # (the results are whole: say so rather than leave the run in doubt)
        _err(f"interrupted; the results had already been written to {out}")
        return 130
    except _Terminated as exc:
        _err(f"{exc.word}; the results had already been written to {out}")
        return exc.code
    return EXIT_OK


def _check_counts(args: argparse.Namespace, columns: bool) -> None:
    """Refuse an ensemble's ``--traces`` and ``--years`` that are missing (only ``--hydrology columns`` takes them
    from the model: a model file's years from its time, the embedded model's only from ``--years``) or below 1, and
    a ``--seed`` of ``--hydrology columns``, whose traces have no random draws.  (The embedded model takes
    ``--start`` with ``--hydrology columns`` too: its overlays' inflows give it the columns, a forecast's members
    from the month at hand: a seasonal forecaster's review.)"""
    missing = [flag for flag, value in (("--traces", args.traces), ("--years", args.years)) if value is None]
    if missing and not columns:
        raise _UsageError(f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} needed (only "
                          "--hydrology columns takes the traces and years from the model: its scenario columns and "
                          "its time)")
    if columns and args.model is None and args.years is None:
        raise _UsageError("--years is needed with the embedded model's --hydrology columns: its run is --years long "
                          "from --start, and its overlays' columns must cover every month of it (a model file's "
                          "columns take the years of its time)")
    if any(value is not None and value < 1 for value in (args.traces, args.years)):
        raise _UsageError("--traces and --years must be at least 1")
    if columns and args.seed is not None:
        raise _UsageError(f"--seed {args.seed}: --hydrology columns runs the model's own scenario columns as they "
                          "are, with no random draws; leave --seed out")


def _columns_source(model: Model, traces: int | None, years: int | None, path: str | None = None,
                    overlays: tuple[str, ...] | list[str] = ()) -> tuple[ModelColumns, int, int]:
    """The trace source of ``daryo ensemble --hydrology columns`` (the model's own scenario columns,
    :class:`daryo.ensemble.ModelColumns`), and the run's traces and years: those given, at most the model's columns
    and its whole years, or, not given, all of them (a run of them all notes the steps after its last whole year).
    ``path`` and ``overlays``: the model's file (None: the embedded model) and overlays, as the command gave them."""
    from ..ensemble import ModelColumns
    from ..ensemble.traces import multi_column_inflows, names_text

    try:
        source = ModelColumns.from_model(model)
    except ValueError as exc:  # (no columns: the model cannot be run so, whatever the options)
        if path is None and not multi_column_inflows(model):  # (its default ensemble generates traces: it resamples
            # no years, as the message said)
            raise _InputError(
                "--hydrology columns: the embedded model's inflows are one trace (no --scenario overlay gives an "
                "inflow several scenario columns): give an overlay that sets inflows to a CSV file's columns, a "
                "forecast's members say (set: {vakhsh_in: {inflow: {csv: members.csv, columns: \"*\", unit: hm3}}}; "
                "README, \"Planning from today's state\"), or leave --hydrology columns out for traces of its "
                "hydrology generator") from None
        raise _InputError(f"--hydrology columns: {exc}") from None
    names = source.names()
    if traces is not None and traces > len(names):
        raise _UsageError(f"--traces {traces}: the model has {_count(len(names), 'scenario column')} "
                          f"({names_text(names)}), a trace each: give at most {len(names)}, or leave --traces out "
                          "for every column")
    if source.years < 1 or (years is not None and years > source.years):
        span = _time_holds(model, source.years)
        if source.years < 1:
            raise _InputError(f"--hydrology columns: {span}: an ensemble runs whole years; extend its time")
        raise _UsageError(f"--years {years}: {span}, which its scenario columns span: give at most {source.years}, "
                          "or leave --years out for all of them")
    if years is None or years == source.years:
        _say_steps_left_out(model, source.years, path, overlays)
    return source, len(names) if traces is None else traces, source.years if years is None else years


def _time_holds(model: Model, years: int) -> str:
    """What an ensemble of ``model``'s columns can run, as ``daryo ensemble --hydrology columns``' messages say it:
    "the model's time, <its first day> to <its last>, holds <years> whole years"."""
    import pandas as pd

    axis = model.time.axis()
    last = pd.Timestamp(axis.end) - pd.Timedelta(days=1)  # (the end is the day after the last step)
    return f"the model's time, {axis.start:%Y-%m-%d} to {last:%Y-%m-%d}, holds {_count(years, 'whole year')}"


def _say_steps_left_out(model: Model, years: int, path: str | None, overlays: tuple[str, ...] | list[str]) -> None:
    """Note the steps of the model's time after the ``years`` whole years an ensemble of its columns runs, and how
    to run them (a seasonal forecaster's review: a forecast of 18 months ran 12, and its report said "1 year" with
    no word of the 6 months left out)."""
    import numpy as np
    import pandas as pd

    from ..timeaxis import LAST_DATE, add_years

    axis = model.time.axis()
    starts = pd.DatetimeIndex(axis.starts)
    end = pd.Timestamp(add_years(starts[0], years).item())  # (the day after the run's last)
    left = starts[starts >= end]
    if not left.size:
        return
    day = pd.Timedelta(days=1)
    last = pd.Timestamp(axis.end) - day  # (the end is the day after the last step)
    what = (f"{_count(left.size, 'month')}, {left[0]:%Y-%m} to {left[-1]:%Y-%m}" if axis.monthly
            else f"{_count(left.size, 'step')}, {left[0]:%Y-%m-%d} to {last:%Y-%m-%d}")
    command = shlex.join(["daryo", "run", *([] if path is None else [path]),
                          *(arg for name in overlays for arg in ("--scenario", name))])
    more = add_years(starts[0], years + 1) - np.timedelta64(1, "D")  # (in days: it may lie past 2262-04-11)
    extend = (f", or extend its time and series to {more} for an ensemble of {years + 1} years"
              if more <= np.datetime64(LAST_DATE, "D") else "")
    _err(f"note: an ensemble runs whole years: {_time_holds(model, years)}, so this run ends on "
         f"{end - day:%Y-%m-%d} and leaves out its last {what}; "
         f"`{command}` runs every step of its columns, as scenarios{extend}")


def _check_numbers_as_scenarios(names: list[str], count_flag: str, more: str = "") -> None:
    """Refuse a number given to ``--scenario`` (an overlay's name) where no file of that name is here: the number
    of traces is ``count_flag``'s (with the options ``more`` it needs)."""
    for name in names:
        if name.strip().isdigit() and not Path(name).exists():
            raise _UsageError(f"--scenario {name}: a scenario overlay is a name from `daryo scenarios` or an "
                              "overlay file (.yaml or .json); "
                              f"for {name} traces, use {count_flag} {name.strip()}{more}")


def _generates_traces(model: Model) -> bool:
    """Whether an ensemble of ``model`` generates its traces (the embedded model's headwaters) rather than resampling
    the model's own years."""
    from ..ensemble import StochasticTraces, default_trace_source

    return isinstance(default_trace_source(model), StochasticTraces)


def _kept_chunks(out: Path, workers: bool = False) -> str:
    """What an ensemble stopped before its end keeps, and how to go on (an IT engineer's review: a run of one chunk,
    the default up to 500 traces, stopped with nothing kept and said only 'terminated').  With a local Dask
    cluster's ``workers``, which write their chunks themselves, a chunk a worker was finishing may be written after
    this is said (an ensemble user's review: 6 said, 8 kept)."""
    from ..ensemble import parts_folder
    from ..ensemble.parts import finished_chunks, kept_text

    folder = parts_folder(out)
    done = finished_chunks(folder)
    more = "; a chunk a Dask worker was finishing may be kept too" if workers else ""
    if not done:  # (its folder holds the run's manifest and lock: the same command needs --resume, a diff review)
        return (f"; no chunk had finished, so none is kept{more}: the same command with --resume starts it again "
                f"(or delete {folder}); a chunk is kept once it is done, and a smaller --chunk-size keeps more of a "
                "run cut short" if folder.is_dir() else "; no chunk had finished, so none is kept")
    return f"; {kept_text(done, folder)}{more}: the same command with --resume computes only the rest"


def _load_for_ensemble(path: str | None, scenarios: list[str], years: int | None, start: str | None = None,
                       confine: bool = False, columns: bool = False) -> Model:
    """The model of an ensemble: its file's series are read over the file's whole span, whatever ``--years``, as
    the traces resample the years of that span; a series that misses some of its dates says so.  Where overlays
    change given years of the run (a drought), they see the ``years`` of the run (which the generated traces
    of the embedded model's headwaters take them over), not the file's span.  ``start``: the embedded model's
    first month (its traces are generated from it); ``confine``: the file's data files must be in its folder;
    ``columns``: the traces are the model's own scenario columns (``--hydrology columns``), whose run years are the
    file's first, which overlays of given years take as they are (the embedded model's: those its overlays'
    inflows give it, from ``start`` for ``years``)."""
    from .. import api
    from ..model.series import MISSING_DATES
    from ..scenarios import year_limited_changes

    if start is not None and path is not None:
        raise _UsageError(f"--start {start}: applies to the embedded model only; a model file's traces start at its "
                          "time: start")
    if start is not None or path is None:  # (the embedded model's traces are generated from its start: without
        # --start, its default, as a Tashkent analyst's review found an overlay of two years of its own inflows refused
        # for the 30 years of the model's default span, which its ensemble neither resamples nor runs)
        return _embedded_for_ensemble(scenarios, years, start, columns)
    try:
        if scenarios and year_limited_changes(scenarios):
            if not columns and not _generates_traces(api.load(path, confine=confine)):  # (the refusal the trace
                raise ModelError(year_limited_changes(scenarios))  # source gives: not a file's span)
            return api.load(path, scenarios=scenarios, years=years, confine=confine)
        return api.load(path, scenarios=scenarios, confine=confine)
    except ModelError as exc:
        if not any(p.code == MISSING_DATES for p in exc.problems):
            raise
        how = ("takes the model's scenario columns from" if columns else "resamples the years of")
        raise ModelError(exc.problems, note=(
            f"note: daryo ensemble {how} the model file's whole time span (its 'time'), whatever --years, so its "
            "series must cover all of that span: end the span before the missing dates, or extend the "
            "series.")) from None


def _embedded_for_ensemble(scenarios: list[str], years: int | None, start: str | None, columns: bool) -> Model:
    """The embedded model of an ensemble, from ``start`` (None: its default, October 2000) for ``years`` (given:
    :func:`_check_counts` asks for them).  With ``columns``, a series of its overlays that misses some of the run's
    months says which the run takes (the forecast's members: a seasonal forecaster's review)."""
    from ..basins.aral import load_aral_model
    from ..model.series import MISSING_DATES

    try:
        given: dict[str, Any] = {} if start is None else {"start": start}  # (load_aral_model's default: October 2000)
        return load_aral_model(scenarios=scenarios, years=30 if years is None else years, **given)
    except ModelError as exc:
        if not columns or not any(p.code == MISSING_DATES for p in exc.problems):
            raise
        since = f"--start {start}" if start is not None else "October 2000 (no --start)"
        raise ModelError(exc.problems, note=(
            f"note: daryo ensemble --hydrology columns runs the embedded model from {since} for --years {years}, "
            "and takes the columns of its overlays' series over every month of that: give the --start and --years "
            "they cover, or extend them.")) from None
    except ValueError as exc:
        raise _UsageError(_as_options(str(exc), start, None, years)) from None


def _report_ensemble(run: EnsembleRun, years: int, model: Model, out: Path, csv: Path | None) -> None:
    """What a finished ``daryo ensemble`` prints, and its ``--summary-csv`` file, written before anything of it is
    printed (a reader gone after the first line, ``| head -1``, ends the command)."""
    from ..ensemble.traces import names_text
    from ..results.provenance import overlay_labels

    # (named, as daryo summary names them: a README walkthrough found no word of them)
    name = model.name + "".join(f" + {o}" for o in overlay_labels(model))
    if run.finished:  # (a message, on stderr, as the README has them: a CLI review)
        _err(f"nothing to resume: {out} holds this run's results already" + (
            f"; the shares of trace-years with a deficit above the threshold taken again with "
            f"{_percent(run.deficit_threshold)}"
            if run.threshold_changed else ""))
        _report_store(out, csv)
        return
    # the rate counts the traces simulated by this invocation only, not those a resume found done
    per_second = run.traces_computed * years / max(run.seconds, 1e-9)
    rate = f"{per_second:,.{0 if per_second >= 10 else 1}f} scenario-years/s"
    if run.chunks_skipped:
        rate = f"{_count(run.traces_computed, 'trace')} computed now, {rate}" if run.traces_computed else "all resumed"
    heading = [f"ensemble: {_count(run.traces, 'trace')} × {_count(years, 'year')} of {name} in "
               f"{run.seconds:.1f} s ({rate}; {_count(run.chunks, 'chunk')}, {run.chunks_skipped} resumed)"]
    named = f": {names_text(run.trace_names)}" if run.trace_names else ""  # (the columns run: a climate service)
    heading.append(f"inflows: {run.source}{named}")  # (an Aral ecologist's review: which traces, generated or
    # resampled, and why)
    if run.how:  # (each chunk's own figures; the first one computed stands for them)
        which = f" (the first of the {len(run.how)} chunks computed)" if len(run.how) > 1 else ""
        heading.append(f"solver{which}: {run.how[0]}")
    heading.append(f"results and summaries written to {out}")
    _report_store(out, csv, heading=heading)  # (the summary CSV written before any of it is printed)


def _cmd_summary(args: argparse.Namespace) -> int:
    from ..ensemble import run_of
    from ..ensemble.tables import held_years

    store = _ensemble_store(args.store)
    if (results := _run_results_in(store)) is not None:
        return _summarise_run(store, results, args)
    if isinstance(args.year, int) and args.year < 0:
        raise _UsageError(f"--year {args.year}: give a run year, 0 for the first (or the last years as a range, "
                          f"--year={args.year}:)")
    try:
        run = run_of(store)
    except ValueError as exc:
        what = str(exc)
        if what.endswith("it is not the output of an ensemble run"):  # (daryo summary reads a run's results too)
            what += " nor a run's results (daryo run -o FILE.nc)"
        raise _InputError(what) from None
    if isinstance(args.year, int) and args.year >= run["years"]:
        raise _UsageError(f"--year {args.year}: {held_years(str(store), run['years'], run['start'], args.year)}")
    year = _run_years_of(args.year, run["years"], held_years(str(store), run["years"], run["start"]))
    csv = None
    if args.csv is not None:
        if args.year is not None:  # (a review: the CSV of all run years was written as if of run year Y's)
            raise _UsageError("--csv writes the store's own summaries, over all run years: leave out --year (some "
                              "run years' figures: daryo.ensemble.shortfall_table, energy_table, storage_table, "
                              "requirement_table and water_stress_table with year=Y, or years=slice(A, B))")
        if store.is_dir() and store.resolve() in Path(args.csv).resolve().parents:
            raise _UsageError(f"--csv {args.csv} is inside the store {store}, which daryo summary only reads: give a "
                              "file outside it")
        csv = _summary_csv_target(args.csv, store, flag="--csv")
    overlays = f" + {run['scenarios']}" if run["scenarios"] else ""
    heading = (f"ensemble: {_count(run['traces'], 'trace')} × {_count(run['years'], 'year')} of "
               f"{run['model']}{overlays}, {traces_words(run)} ({store})")
    try:  # (the CSV written before the heading is printed)
        _report_store(store, csv, args.deficit_threshold, year, shown=None if args.all else 10, heading=[heading])
    except ValueError as exc:  # (a store damaged where its tables read it: a chunk cut short)
        if not str(exc).startswith(str(store)):
            raise
        raise _InputError(str(exc)) from None
    return EXIT_OK


def _run_years_of(given: int | slice | None, years: int, held: str) -> int | range | None:
    """What ``daryo summary --year`` (``given``: a run year, or a range of them as a Python slice) takes the figures
    of a store of ``years`` run years over: one run year, a range of them, or (None) every run year, as a range of
    them all or of one year gives the same figures as none or that year (``held``: what the store holds, for a
    message).

    Raises
    ------
    _UsageError
        If the range holds no run year."""
    if not isinstance(given, slice):
        return given
    picked = range(years)[given]
    text = f"{'' if given.start is None else given.start}:{'' if given.stop is None else given.stop}"
    if not picked:
        raise _UsageError(f"--year {text} holds no run year: {held} (a range is a Python slice: 5: is run year 5 "
                          "to the last, 5:15 run years 5 to 14)")
    return None if len(picked) == years else picked[0] if len(picked) == 1 else picked


def _run_results_in(path: Path) -> Any:
    """The results of a run that the file ``path`` holds (``daryo run -o``), read whole and closed; None where it
    holds none (a zarr store, a NetCDF file of an ensemble or of another program: told as not a store's)."""
    import xarray as xr

    from .._netcdf import netcdf_io
    from ..results import is_netcdf
    from ..results.dataset import _TITLE

    if not path.is_file() or not is_netcdf(path):
        return None
    damaged = (f"{path} is damaged: it cannot be read as NetCDF (a copy or download cut short?); copy it again, or "
               "write it again (daryo run -o, or daryo ensemble -o)")
    with netcdf_io():  # (opened, read and closed under daryo's lock: daryo._netcdf)
        try:
            ds = xr.open_dataset(path)
        except (OSError, ValueError, RuntimeError):
            raise _InputError(damaged) from None
        with ds:
            if not str(ds.attrs.get("title", "")).startswith(_TITLE):
                return None
            if "mass_balance_error" not in ds or "scenario" not in ds.dims or "time" not in ds.dims:
                raise _InputError(f"{path} is not a run's results as daryo writes them (no scenario and time "
                                  "dimensions and mass_balance_error): give the results of daryo run -o FILE.nc")
            try:
                return ds.load()
            except (OSError, ValueError, RuntimeError):  # (a variable's data cut short: the library's HDF error)
                raise _InputError(damaged) from None


def _summarise_run(path: Path, ds: Any, args: argparse.Namespace) -> int:
    """``daryo summary RESULTS.nc``: print the tables ``daryo run`` printed of the run (``--all``: every demand
    short), and with ``--csv`` write them as ``daryo run --csv`` writes ``summary.csv``; the options of an
    ensemble's store (``--year``, ``--deficit-threshold``) are refused."""
    from .._files import atomic_write
    from ..results import CSV_FLOAT, Results, summary_table
    from ..results.files import is_summary_csv

    for flag, given in (("--year", args.year), ("--deficit-threshold", args.deficit_threshold)):
        if given is not None:
            raise _UsageError(f"{flag} is for an ensemble's store; {args.store} is a run's results (daryo run -o), "
                              "whose summary covers the whole run: leave it out")
    csv = None
    if args.csv is not None:
        csv = _csv_file_path(args.csv, "summary.csv", "--csv")
        _refuse_folder(csv, "summary.csv", "--csv")
        if csv.resolve() == path.resolve():
            raise _UsageError(f"--csv {args.csv} is the results file {args.store}, which daryo summary only reads: "
                              "give the CSV file another name")
        if csv.exists() and not is_summary_csv(csv):
            raise _InputError(f"{csv} exists and is not a run's summary.csv; it is not replaced: give another name "
                              "or move it away")
        _check_writable(csv.resolve().parent, str(csv))
    text = format_summary(None, Results(ds), all_demands=args.all)
    if csv is not None:  # (written before the summary is printed, as daryo run's files are)
        table = summary_table(ds).to_csv(index=False, float_format=CSV_FLOAT)
        atomic_write(csv, lambda f: f.write(table.encode("utf-8")))
    head, rest = text.split("\n", 1)  # ("daryo run: MODEL — ...": the results file's, as daryo run printed it)
    print(f"{args.store}: results of {head.removeprefix('daryo run: ')}")
    if csv is not None:
        print(f"summary written to {csv}")
    print(rest)
    return EXIT_OK


def _ensemble_store(path: str) -> Path:
    """``daryo summary``'s store or results: an existing .zarr folder or .nc file (an error that names it where it is
    not)."""
    from .._files import user_path
    from ..ensemble.parts import unfinished_run
    from ..results.files import NETCDF_SUFFIXES

    p = user_path(path, "daryo summary", "an ensemble's output or a run's results")
    if not p.exists():
        raise _InputError(unfinished_run(p, path) or f"{path}: no such file or folder (give the output of daryo "
                          "ensemble -o, or of daryo run -o)")
    if p.suffix.lower() not in (".zarr", *NETCDF_SUFFIXES):
        raise _InputError(f"{path} is not an ensemble's output (a .zarr store or .nc file of daryo ensemble -o) nor a "
                          "run's results (a .nc file of daryo run -o)")
    if not (p.is_file() or p.is_dir()):  # (reading a named pipe waited for ever: an operations review)
        raise _InputError(f"{path} is neither a file nor a folder (a named pipe, a device or a socket): give the "
                          "output of daryo ensemble -o, or of daryo run -o")
    return p


def _summary_csv_target(name: str | None, out: Path, flag: str = "--summary-csv") -> Path | None:
    """The summary CSV file (``flag``'s), checked before any work (None: not asked for)."""
    from ..ensemble import check_summary_csv, parts_folder

    if name is None:
        return None
    csv = _csv_file_path(name, "summaries.csv", flag)
    if csv.resolve() == out.resolve():
        raise _UsageError(f"{'-o' if flag == '--summary-csv' else 'the store'} and {flag} are both {out}: give the "
                          "results and the CSV file other names")
    parts = parts_folder(out)
    if csv.resolve() == parts.resolve():
        raise _UsageError(f"{flag} {csv} is the name of the folder that keeps the run's finished chunks "
                          f"until it is done ({parts}): give the CSV file another name")
    _refuse_folder(csv, "summaries.csv", flag)
    check_summary_csv(csv)  # (a file other than an earlier summary, a named pipe: OSError, exit 1)
    _check_writable(csv.resolve().parent, str(csv))
    if csv.exists():  # (a run's summaries were replaced without a word)
        when = "this run replaces them when it ends" if flag == "--summary-csv" else "they are replaced"
        _err(f"note: {csv} holds an ensemble's summaries; {when} (give another {flag} to keep them)")
    return csv


def _pooled_years_note(overlays: list[str], years: int, out: Path, threshold: float, first_month: int = 10) -> str:
    """A note where an overlay changes some of the ensemble's ``years`` hydrological run years only (a drought):
    its probabilities pool every trace-year, which dilutes those years ("" if none does, or one changes every year
    of the run).  A run that starts in ``first_month`` other than October has store years across the overlay's
    hydrological years."""
    from ..compare_notes import overlay_years_in_store
    from ..scenarios import diluting_overlays

    limited = diluting_overlays(overlays, years)
    if not limited:
        return ""
    years_are = overlay_years_in_store(first_month)
    return (f"note: {', '.join(limited)} change{'s' if len(limited) == 1 else ''} given run years only, and P "
            "pools every trace-year, those years with the others; each run year's own P is "
            f"(xarray.open_dataset({str(out)!r}).annual_deficit_fraction > {threshold:g}).mean(\"trace\"), and run "
            f"year Y's table daryo.ensemble.shortfall_table({str(out)!r}, year=Y), Y counted from 0 as the store's "
            f"year ({years_are}); every table of run year Y: daryo summary "
            f"{shlex.quote(str(out))} --year Y")


def _cmd_convert(args: argparse.Namespace) -> int:
    from ..pywr.write import output_format, write_daryo_model

    out = _output_path(args.output, "model.yaml")
    try:  # before any work: the format written follows the suffix
        output_format(out)
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    _check_parent(out)
    if out.resolve() == Path(args.model).resolve():
        raise _UsageError(f"-o {args.output} is the model being converted; give the daryo model another name")
    # (which refuses to replace anything but an earlier conversion first)
    write_daryo_model(args.model, out, confine=args.confine)
    print(f"{args.model} converted to {out} (run it with: daryo run {shlex.quote(str(out))})")
    return EXIT_OK

