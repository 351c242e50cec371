"""The Python API, of which the CLI is a thin shell."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ._system import memory_limit
from .errors import ModelError, Problem
from .model import Model, load_model, model_from_dict
from .model.datafiles import DataFiles, checked_confine
from .model.loader import document_problems
from .model.values import read_flow_series
from .scenarios.overlay import OverlayDocument, OverlaySpec
from .timeaxis import parse_date
from .units import is_whole

if TYPE_CHECKING:
    from .results import Results
    from .simulate import RunOptions

__all__ = ["load", "load_text", "run", "cautions", "default_model_path", "demo_model_path"]


def default_model_path() -> Path:
    """Path of the embedded default model: the Aral Sea basin (norm hydrology, ICWC baseline)."""
    from .basins.aral import aral_model_path

    return aral_model_path()


def demo_model_path() -> Path:
    """Path of the small three-country demonstration basin shipped with daryo."""
    return Path(str(resources.files("daryo") / "data" / "demo" / "demo.yaml"))


def load(path: str | os.PathLike[str] | None = None, scenarios: OverlaySpec | Sequence[OverlaySpec] = (),
         years: int | None = None, *, confine: bool = False) -> Model:
    """Load a model file (daryo YAML/JSON or Pywr JSON); ``None`` loads the embedded Aral Sea basin model.

    Parameters
    ----------
    path
        The model file, or None for the embedded default; a path starting ``~`` is in the user's home folder (an
        overlay's too), as a shell reads it.
    scenarios
        Scenario overlays applied in order: names from the Aral scenario library (``daryo scenarios``), paths to
        overlay files, YAML or JSON (see ``docs/model-format.md``, *Scenario overlays*), or overlays given as
        mappings, an overlay file's content (``{"name": "uzb+10", "changes": [{"scale_demands": {"countries": ["UZB"],
        "factor": 1.1}}]}``: no file to write per run of a sensitivity loop).  A mapping's problems are named by its
        ``name`` (else ``overlay[i]``, its place in the list) and the place in it, and results record it by that
        name.  One name, path or mapping alone is one overlay.
    years
        Run length in whole years from the model's start, instead of the file's own span.  Given here rather
        than to :func:`run`, the overlays change the inflows of the run's own years: an overlay that changes
        given years (a drought year, say) turns 12 monthly values into one per step of the span it sees; and the
        file's series are checked over the run's years only (a CSV may end, or miss a month, after them).
    confine
        Read the model's data files (CSV series and tables, ``dataframe`` parameters, a Pywr model's data and
        includes) only from the model file's folder or below it, symbolic links followed: a path that leads out
        (``../../etc/passwd``, an absolute path, a link) is a problem naming it, and the file is not read.  For
        model files from others (see README, *Running untrusted model files*).  The data files read are recorded
        either way (``Model.data_files``; a run's results' ``data_files``).

    Returns
    -------
    Model
        The validated model (immutable: runs never change it).

    Raises
    ------
    daryo.ModelError
        Listing every problem with its file and place.
    TypeError
        If ``path`` is not a path, ``scenarios`` not names, paths or mappings, ``years`` not a whole number, or
        ``confine`` not True or False.
    ValueError
        If ``years`` is not at least 1 or runs past the dates a time axis can hold.
    """
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"daryo.load takes a model file's path (or None for the embedded model), not "
                        f"{type(path).__name__} {path!r}")
    from .scenarios import overlay_names

    overlays = overlay_names(scenarios)
    _check_years(years)
    checked_confine(confine, "daryo.load")  # (before any work: DataFiles checks it too)
    try:
        return _load(path if path is None or isinstance(path, str) else Path(path), overlays, years, bool(confine))
    except ModelError as exc:  # (an overlay's problems with their lines, as a model file's have theirs)
        from .scenarios.overlay import with_overlay_lines

        raise with_overlay_lines(exc) from None


def _check_years(years: object) -> None:
    """Refuse a ``years`` that is not a whole number of at least 1 (None: the file's own span)."""
    if years is not None and not is_whole(years):
        raise TypeError(f"years={years!r}: give a whole number of years (or None)")
    if years is not None and years < 1:  # type: ignore[operator]
        raise ValueError(f"years {years}: a run lasts at least 1 year")


def _load(path: str | Path | None, scenarios: tuple[str | OverlayDocument, ...], years: int | None,
          confine: bool = False) -> Model:
    """:func:`load` once its arguments are checked."""
    if path is not None and not str(path).strip():  # (Path('') is '.', which would be reported as a folder)
        raise ModelError(Problem(repr(str(path)), "", "is not a file name: give a model file's path"))
    if path is not None and str(path).startswith("~") and "\x00" not in str(path):  # (as the outputs' paths are
        # read, and a shell would; a NUL is the loader's to say)
        path = os.path.expanduser(str(path))
    if path is None:
        from .basins.aral import load_aral_model

        return load_aral_model(scenarios=tuple(scenarios), years=30 if years is None else years)
    if not scenarios and years is None:
        return load_model(path, confine=confine)
    p = Path(path)
    files = DataFiles(p.parent, confine)
    own, digest = _document_and_digest(p, files)
    return _overlaid(own, str(p), p, files, scenarios, years, digest)


def _overlaid(own: dict, file: str, path: Path | None, files: DataFiles, scenarios: tuple[str | OverlayDocument, ...],
              years: int | None, file_sha256: str | None = None) -> Model:
    """The model of document ``own`` (of model file ``file``, read from ``path``, if any, its bytes' SHA-256 digest
    ``file_sha256``) with the overlays ``scenarios`` applied, for ``years`` (None: the file's span).  Given years,
    the document is read for them: its series are checked over the run's span, not the file's."""
    from .scenarios import document_steps, overlaid_document, overlay_shape_problems, with_years

    doc = own if years is None else with_years(own, years)
    origins: dict[str, tuple[str, str]] = {}
    steps = None if years is None else document_steps(own)
    label = file + "".join(f" + {s}" for s in scenarios)
    if scenarios and not overlay_shape_problems(doc):  # (else the loader names the file's every problem)
        doc, origins = overlaid_document(doc, scenarios, check=lambda d, o: document_problems(
            d, ".", label, path, o, file_steps=steps, data_files=files), read_inflow=lambda spec, nid, axis:
            read_flow_series(spec, files, file, f"nodes[{nid}].inflow", axis))
    else:
        label = file
    model = model_from_dict(doc, file=label, path=path, origins=origins, file_steps=steps, data_files=files,
                            file_sha256=file_sha256)
    return model if years is None else model.with_time(years=years)


def load_text(text: str | bytes, name: str = "upload.yaml", base_dir: str | os.PathLike[str] | None = None,
              scenarios: OverlaySpec | Sequence[OverlaySpec] = (), years: int | None = None, *, confine: bool = True
              ) -> Model:
    """Load a model from its text (an uploaded file's content), as :func:`load` loads a file.

    The text is read by the model files' own reader: a key written twice is refused with its line, problems name
    their lines, and a Pywr JSON document is recognised and converted as :func:`load` does.

    Parameters
    ----------
    text
        The document: daryo YAML or JSON, or Pywr JSON (bytes are read as UTF-8).
    name
        The name its problems are reported under (``upload.yaml: nodes[farm].demand (line 12): …``).  Its suffix
        says how the text is read: ``.json`` as JSON, ``.yaml`` or ``.yml`` as YAML; any other, by the text
        (JSON where it starts with ``{``, else YAML).
    base_dir
        The folder the model's data files (CSV series, a Pywr model's data and includes) are read from.  None, the
        default: the model may read no data file (each one it names is a problem), so that a service never reads
        relative to its own working folder by accident.
    scenarios, years
        As :func:`load`'s.
    confine
        As :func:`load`'s, but on by default: the data files must be in ``base_dir`` or below it, symbolic links
        followed.

    Returns
    -------
    Model
        The validated model, with no ``path``; its ``file_sha256`` is a SHA-256 digest of the text (as UTF-8), its
        ``data_files`` the files it read, each with its digest.

    Raises
    ------
    daryo.ModelError
        Listing every problem, each with ``name`` and its place (and line).
    TypeError
        If ``text`` is not text, ``name`` not text, ``base_dir`` not a path, ``scenarios`` not names, paths or
        mappings, ``years`` not a whole number, or ``confine`` not True or False.
    ValueError
        If ``name`` is empty, ``base_dir`` is not a folder, or ``years`` not at least 1.

    Examples
    --------
    >>> model = daryo.load_text(request_body, name="upload.yaml", base_dir=upload_folder)  # doctest: +SKIP
    >>> results = daryo.run(model, daryo.RunOptions(years=5))  # doctest: +SKIP
    """
    from .scenarios import overlay_names

    if not isinstance(name, str):
        raise TypeError(f"daryo.load_text: name is the text's name in messages (upload.yaml), not {name!r}")
    if not name.strip():  # (its problems would name no file: "- nodes[farm].priority (line 20): ...")
        raise ValueError(f"daryo.load_text: name is the text's name in messages (upload.yaml), not {name!r}")
    folder = _text_folder(base_dir)
    overlays = overlay_names(scenarios)
    _check_years(years)
    checked_confine(confine, "daryo.load_text")  # (before any work: DataFiles checks it too)
    try:
        return _load_text(_decoded(text, name), name, DataFiles(folder, bool(confine)), overlays, years)
    except ModelError as exc:
        from .scenarios.overlay import with_overlay_lines

        raise with_overlay_lines(exc) from None


def _text_folder(base_dir: object) -> Path | None:
    """:func:`load_text`'s ``base_dir``, checked: None, or a folder that exists."""
    if base_dir is None:
        return None
    if not isinstance(base_dir, str | os.PathLike) or not str(base_dir):
        raise TypeError(f"daryo.load_text: base_dir is the folder of the model's data files (or None: none), not "
                        f"{base_dir!r}")
    folder = Path(base_dir).expanduser()
    if not folder.is_dir():
        raise ValueError(f"daryo.load_text: base_dir {str(base_dir)!r} is not a folder: give the folder of the "
                         "model's data files, or None if it reads none")
    return folder


def _decoded(text: object, name: str) -> str:
    """A model's text as :func:`load_text` takes it (bytes as UTF-8), without a byte-order mark."""
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ModelError(Problem(name, "", f"cannot be read: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} "
                                     f"at position {exc.start}); a YAML or JSON model must be UTF-8")) from None
    if not isinstance(text, str):
        raise TypeError(f"daryo.load_text takes a model's text (str, or UTF-8 bytes), not {type(text).__name__}; "
                        "for a file, daryo.load(path)")
    return text.removeprefix("\ufeff")


def _load_text(text: str, name: str, files: DataFiles, scenarios: tuple[str | OverlayDocument, ...],
               years: int | None) -> Model:
    """:func:`load_text` once its arguments are checked."""
    from .model.documents import parse_document
    from .model.loader import parsed_model_document, with_file_sha256

    suffix = Path(name).suffix.lower()
    as_json = suffix == ".json" if suffix in (".json", ".yaml", ".yml") else text.lstrip().startswith("{")
    doc = parsed_model_document(parse_document(text, name, as_json=as_json), Path(name), files)
    if scenarios or years is not None:
        model = _overlaid(_mapping(doc, name), name, None, files, scenarios, years)
    else:
        model = model_from_dict(doc, file=name, data_files=files)
    return with_file_sha256(model, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())


#: what each kind of memory limit is called in :func:`check_memory`'s message ({gb}: its size)
_LIMIT_WORDS = {"physical": "this machine's {gb} GB",
                "address space": "the {gb} GB this process's address-space limit (ulimit -v) leaves it",
                "cgroup": "the {gb} GB its control group may use (the memory limit of its container or service)"}


def check_memory(raw_bytes: int) -> None:
    """Refuse a run whose results cannot fit in the memory this process may take, before any work: ``raw_bytes``
    those of its raw arrays (:meth:`~daryo.simulate.SimulationOutput.nbytes_for`), which the labelled Dataset made
    of them about doubles.

    Raises
    ------
    ValueError
        If they would take more than the least of the machine's physical memory, what the process's address-space
        limit (``ulimit -v``) leaves it and its control group's memory limit (a container's): see
        :func:`daryo._system.memory_limit`.
    """
    limit = memory_limit()
    need = 2 * raw_bytes
    if limit is not None and need > limit.bytes:
        wanted, limited = _gigabytes_apart(need, limit.bytes)
        have = _LIMIT_WORDS[limit.kind].format(gb=limited)
        raise ValueError(f"the run's results would take about {wanted} GB of memory, more than "
                         f"{have}: run fewer scenarios or years, or run an ensemble (daryo ensemble, "
                         "daryo.ensemble.run_ensemble), which writes its results to disk as it goes")


def _gigabytes_apart(more: int, less: int) -> tuple[str, str]:
    """Two sizes in bytes as GB, whole (``3``, ``24``), or with as many decimals as tell them apart, up to two, where
    both are at least 1 GB: "about 2 GB, more than the 2 GB" read as no reason at all."""
    digits = 0
    while digits < 2 and less >= 1e9 and f"{more / 1e9:,.{digits}f}" == f"{less / 1e9:,.{digits}f}":
        digits += 1
    return f"{more / 1e9:,.{digits}f}", f"{less / 1e9:,.{digits}f}"


def document_of(path: Path, data_files: DataFiles | None = None) -> dict:
    """The model document of a file, as plain data (a Pywr JSON document is converted, its data files read by
    ``data_files``' rules and recorded there)."""
    return _document_and_digest(path, data_files)[0]


def _document_and_digest(path: Path, data_files: DataFiles | None = None) -> tuple[dict, str]:
    """:func:`document_of`, with a SHA-256 digest of the file's bytes as they were read."""
    from .model.loader import document_and_digest

    doc, digest = document_and_digest(path, data_files)
    return _mapping(doc, str(path)), digest


def _mapping(doc: object, file: str) -> dict:
    """A model document, which must be a mapping."""
    if not isinstance(doc, dict):
        raise ModelError(Problem(file, "", "the model file must be a mapping"))
    return doc


def run(model: Model, options: RunOptions | None = None) -> Results:
    """Simulate ``model`` for all its scenarios; the model itself is not changed.

    Parameters
    ----------
    model
        A loaded model.
    options
        Scenario count, run span and method: the fast or the plain path, which the results' ``solver_method``
        records (see :class:`RunOptions`).

    Returns
    -------
    Results
        The run's results: ``.dataset`` (an xarray Dataset, see docs/model-format.md, *Results*), ``.summary()``,
        ``.to_netcdf(path)``, ``.to_csv(folder)``.

    Raises
    ------
    daryo.ModelError
        If ``model`` was built in code, or changed with :func:`dataclasses.replace`, and the loader would refuse it
        (a loaded model is checked once, when it is loaded).
    TypeError
        If ``model`` is not a loaded model or an option is not of its type.
    ValueError
        If an option's value cannot be run (a date that is not one, both ``end`` and ``years``, a span the model's
        series do not cover, …), or the results would not fit in the memory the process may take (the machine's,
        or less under ``ulimit -v`` or in a container: :func:`check_memory`; run an ensemble instead: it writes
        them to disk).
    daryo.StepError
        If a step cannot be allocated: :class:`daryo.InfeasibleStepError` (its constraints cannot all hold, a
        minimum flow above the water there, say; its ``components`` name them), :class:`daryo.UnboundedStepError`
        or :class:`daryo.SolverFailedError`; each says the step, its date and the scenario (attributes ``step``,
        ``time``, ``scenario``).  A ``RuntimeError``: the model is valid, but its data cannot be allocated in that
        step.
    """
    from .model.built import check_built
    from .model.places import problems_relocated
    from .network import compile_network  # (the numerical stack, loaded when a model is first run)
    from .results import Results, build_dataset, solver_method
    from .simulate import RunOptions, SimulationOutput, simulate
    from .simulate.fastpath import FastStats, simulate_fast

    if not isinstance(model, Model):
        raise TypeError(f"daryo.run takes a loaded model, not {type(model).__name__}: daryo.run(daryo.load(path))")
    check_built(model)  # (a model built in code, or changed with dataclasses.replace: checked as the loader would)
    if options is not None and not isinstance(options, RunOptions):
        raise TypeError(f"daryo.run's options are a daryo.RunOptions, not {type(options).__name__} {options!r}: "
                        "daryo.run(model, daryo.RunOptions(years=10))")
    options = options or RunOptions()
    _check_options(options)
    if options.years is not None and options.years < 1:
        raise ValueError(f"years {options.years}: a run lasts at least 1 year")
    if options.start or options.end or options.years is not None:
        own = model.time
        with problems_relocated(model):  # (a series that does not cover the span: at the overlay that set it)
            model = model.with_time(options.start, options.end, options.years)
        _check_embedded_span(model, own.end)
        _check_overlaid_span(model, own.end)
    n = options.scenarios
    if n is not None and n < 1:
        raise ValueError(f"scenarios={n}: a run takes at least 1 scenario trace")
    if n is not None and n > model.n_scenarios:
        raise ValueError(f"scenarios={n}: the model has {model.n_scenarios} scenario trace(s)")
    if options.method not in ("auto", "fast", "plain"):
        raise ValueError(f"method '{options.method}': use auto, fast or plain")
    net = compile_network(model, n_scenarios=n)
    check_memory(SimulationOutput.nbytes_for(net))
    stats = FastStats()
    with problems_relocated(model):
        out = simulate(net) if options.method == "plain" else simulate_fast(net, stats=stats)
    ds = build_dataset(net, out)
    ds.attrs.update(solver_method(options.method, stats.fallback_reason))
    return Results(ds)


def cautions(model: Model) -> list[str]:
    """What a valid model may not mean, as ``daryo run``, ``daryo validate`` and ``daryo ensemble`` print them
    (their ``note:`` lines): notes, not problems, so that a program that loads and runs models (a service, say) can
    show them, or refuse the model, as it sees fit.

    Each is a sentence that names the file and the place in it: a ``country`` that is not an ISO 3166-1 alpha-3 code
    (a typo makes a country of its own in every table by country), an irrigation demand whose 12 monthly values put
    most of the year's water in October-March (a list written October first), an inflow with neither ``inflow`` nor
    ``max_flow`` (an unlimited source), a loop of water within a step, a model with no sink, ...; the whole list is
    :func:`daryo.model.cautions.cautions`'s.

    Parameters
    ----------
    model
        A loaded model (:func:`load`, :func:`load_text`); one built in code, or changed with
        :func:`dataclasses.replace`, is checked first, as :func:`run` checks it.

    Returns
    -------
    list of str
        One sentence each, in the order ``daryo run`` prints them (empty: none).

    Raises
    ------
    daryo.ModelError
        If ``model`` was built in code, or changed with :func:`dataclasses.replace`, and the loader would refuse it.
    TypeError
        If ``model`` is not a loaded model.
    """
    from .model.built import check_built
    from .model.cautions import cautions as model_cautions

    if not isinstance(model, Model):
        raise TypeError(f"daryo.cautions takes a loaded model, not {type(model).__name__}: "
                        "daryo.cautions(daryo.load(path))")
    check_built(model)  # (its cautions are of a valid model)
    return model_cautions(model)


def _check_options(options: RunOptions) -> None:
    """A TypeError or ValueError naming the option whose value is not of its kind."""
    for name in ("scenarios", "years"):
        v = getattr(options, name)
        if v is not None and not is_whole(v):
            raise TypeError(f"{name}={v!r}: give a whole number (or None)")
    if options.end is not None and options.years is not None:  # (years counts from the start: end was ignored)
        raise ValueError(f"end={options.end!r} and years={options.years}: give the run's end or its years, not both")
    for name in ("start", "end"):
        v = getattr(options, name)
        if v is None:
            continue
        try:
            parse_date(v)
        except ValueError:
            raise ValueError(f"{name}={v!r} is not a date: give YYYY-MM or YYYY-MM-DD") from None


def _check_overlaid_span(model: Model, own_end: pd.Timestamp) -> None:
    """An overlay that changes given run years turns the inflows it changes into one value per step of the span the
    model was loaded for: a run beyond it needs the model loaded for the run's length (else those series are
    refused as too short, naming the model file's line of the 12 values it no longer holds)."""
    limited = model.metadata.get("changes_of_given_years")  # (recorded as the overlays were applied)
    if not (isinstance(limited, list) and limited):
        return
    changes = "; ".join(map(str, limited))
    if model.time.end > own_end:  # (a later start: refused by Model.with_time)
        raise ValueError(f"the model was loaded with an overlay that changes given run years ({changes}), which gives "
                         f"the inflows it changes per step up to {own_end:%Y-%m}, and the run goes on to "
                         f"{model.time.end:%Y-%m}; load the model for the run's length instead: "
                         "daryo.load(path, scenarios=[...], years=...)")


def _check_embedded_span(model: Model, own_end: pd.Timestamp) -> None:
    """The embedded Aral model is generated with inflows for its own span: a run beyond it needs a longer one
    (its per-step inflows would otherwise be refused, naming the shipped model file)."""
    hydrology = model.metadata.get("hydrology")
    if not isinstance(hydrology, dict) or model.time.end <= own_end:
        return
    kind = hydrology.get("kind", "norm")
    raise ValueError(f"the embedded Aral model was built with inflows up to {own_end:%Y-%m} ({kind} hydrology), and "
                     f"the run goes on to {model.time.end:%Y-%m}; build it for the run's length instead: "
                     f"daryo.basins.aral.load_aral_model(years=..., hydrology={kind!r}, scenarios=..."
                     + (f", inflow_csv={str(hydrology['inflow_csv'])!r})" if hydrology.get("inflow_csv") else ")"))
