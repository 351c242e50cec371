"""Scenario overlays: small YAML files that change a baseline model document.

An overlay has a ``title``, a ``description``, its ``sources`` and a list of ``changes`` applied in order::

    title: Qosh Tepa canal diverting 10 km3/yr
    sources: "F35 (650 m3/s design capacity), F37 (up to 10 km3/yr)"
    changes:
      - add_nodes: [{id: qosh_tepa_canal, type: canal, capacity: 650 m3/s, ...}]
      - add_edges: [[amu_termez, qosh_tepa_canal]]
      - set: {toktogul_hpp: {energy_priority: 2}}           # null removes an attribute
      - set_edges: {"toktogul->toktogul_hpp": {max_flow: 180 m3/s}}
      - remove_nodes: [rogun]                                 # and every edge touching them (and metadata.basins)
      - remove_edges: [[vakhsh_in, rogun]]
      - scale_demands: {nodes: [...], factor: 1.2}           # or countries / category; none: all
      - scale_inflows: {basin: amu, factor: 0.875}            # optional months (12, Jan first), years (1-based)
      - shift_peak: {basin: all, months: 1}                   # the seasonal cycle arrives N months earlier
      - named_years: {name: "2000-2001", first_year: 1}       # percent-of-norm years of daryo.hydrology

Overlays combine: :func:`apply_scenarios` applies them one after the other, so ``["climate-2050",
"qosh-tepa-10"]`` is the climate scenario with the canal on top.  Inflow changes (``scale_inflows``,
``shift_peak``, ``named_years``) work on the document's inflow series: 12 monthly values or per-step values
(one list per trace).  12 monthly rates (m³/s, ...) stay rates in their own unit while a change keeps the 12-month
cycle, and become hm³ per step, with each step's real number of days, when it does not (as the loader converts
them: a leap February holds 29 days of flow).  Results that are not a 12-month cycle of rates are written in
``hm3/step``.  ``shift_peak`` moves a 12-month cycle or monthly steps by months (each month takes the flow of the
month ``months`` later); on N-day steps it moves the series by the same time, ``months`` twelfths of a year of
365.25 days (1 month: 3.04 steps of 10 days), so a constant flow stays constant.  Per-step values wrap within each
whole hydrological year (the first months' flow goes to the year's end), so each year keeps its total; a part year
at an end of the run takes the flow that follows it.  A fraction of a step or month is linear between the whole
shifts.  :func:`transform_inflows` applies the same changes to inflow arrays, for
ensemble runs that replace the inflows after compiling.

:func:`load_overlay` checks the arguments of every change (types, numbers, allowed keys) before anything is
applied; a change that does not fit the model (a missing node, an inflow that cannot be changed) is reported when
it is applied.  Either way the problem names the overlay file and the change.

The library of the Aral Sea basin model is in ``daryo/data/aral/scenarios``; any ``*.yaml`` path can be given
instead of a library name.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import errno
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._files import missing_cwd_note
from .errors import LINK_LOOP, ModelError, Problem, did_you_mean, kind_of, short_text
from .model.components import NODE_REFERENCES
from .model.loader import read_document
from .timeaxis import TimeAxis, parse_date, step_days, years_span
from .units import UnitError, is_number, is_per_month, is_whole, no_unit_given, parse_quantity, unit_factor

__all__ = ["list_scenarios", "apply_scenarios", "overlaid_document", "load_overlay", "overlay_names", "scenario_path",
           "transform_inflows", "with_years", "document_steps", "year_limited_changes", "Overlay", "library_dir"]

_TOP_KEYS = {"title", "description", "sources", "changes"}
_OPS = ("set", "set_edges", "add_nodes", "remove_nodes", "add_edges", "remove_edges", "scale_demands",
        "scale_inflows", "shift_peak", "named_years")
_INFLOW_OPS = ("scale_inflows", "shift_peak", "named_years")
# the keys each change that takes a mapping of options accepts
_OPTIONS = {"scale_demands": ("factor", "nodes", "countries", "category"),
            "scale_inflows": ("nodes", "basin", "factor", "months", "years"),
            "shift_peak": ("nodes", "basin", "months"),
            "named_years": ("nodes", "basin", "name", "first_year")}
_MAX_SHIFT_MONTHS = 12
_MONTH_DAYS = 365.25 / 12  # days in a month of a shift_peak on N-day steps


@dataclass(frozen=True)
class Overlay:
    """A parsed scenario overlay: its name, file, title, description, sources and list of changes."""

    name: str
    file: str
    title: str
    description: str
    sources: str
    changes: tuple[Mapping[str, Any], ...]


def library_dir() -> Path:
    """Folder of the Aral Sea basin scenario library."""
    return Path(str(resources.files("daryo") / "data" / "aral" / "scenarios"))


def _link_loop(path: Path) -> bool:
    """Whether ``path`` is a symbolic link that leads back to itself."""
    try:
        path.stat()
    except OSError as exc:
        return exc.errno == errno.ELOOP
    except ValueError:  # (a NUL in the name)
        return False
    return False


def _library(library: str | Path | None) -> Path:
    """The folder of a scenario library (None: the Aral model's), which must exist."""
    if library is None:
        return library_dir()
    if not isinstance(library, str | os.PathLike):
        raise TypeError(f"library: give the folder of a scenario library (a path), not {kind_of(library)}")
    lib = Path(library)
    if not lib.is_dir():
        raise ValueError(f"library {str(library)!r}: {'not a folder' if lib.exists() else 'no such folder'}")
    return lib


def scenario_path(name: str, library: str | Path | None = None) -> Path:
    """The overlay file of a library scenario name, or ``name`` itself if it is a path to a YAML file.

    Raises
    ------
    ModelError
        If the name is neither a library scenario nor an existing file.
    TypeError
        If ``name`` is neither text nor a path.
    """
    if not isinstance(name, str | os.PathLike):
        raise TypeError(f"a scenario is a library scenario's name or a path to an overlay file, not {kind_of(name)}")
    name = os.fspath(name)
    p = Path(name)
    if p.suffix.lower() in (".yaml", ".yml"):
        p = Path(os.path.expanduser(name))  # (a path starting ~ is in the user's home folder, as a shell reads it)
        if p.is_file():
            return p
        raise ModelError(Problem(str(p), "", "is a folder, not a scenario file" if p.is_dir()
                                 else f"cannot be read: {LINK_LOOP}" if _link_loop(p)
                                 else "is not a regular file (a named pipe, a device or a socket)" if p.exists()
                                 else f"scenario file not found: {note}" if (note := missing_cwd_note(p))
                                 else "scenario file not found"))
    if p.is_dir() and (os.sep in name or "/" in name):  # (a library name is not a path, even beside a folder of it)
        raise ModelError(Problem(str(p), "", "is a folder, not a scenario file"))
    lib = _library(library)
    candidate = lib / f"{name}.yaml"
    if candidate.is_file():
        return candidate
    names = sorted(p.stem for p in lib.glob("*.yaml"))
    here = ("" if not name.strip() or not p.exists()  # ('' is Path('.'), this folder)
            else f"; '{name}' here is a folder, not a scenario file" if p.is_dir()
            else f"; the file '{name}' here is not read as an overlay, whose name ends in .yaml or .yml")
    whose = "the embedded Aral Sea basin model's library" if library is None else "the library's"
    raise ModelError(Problem("", f"scenario '{name}'", f"unknown scenario{did_you_mean(name, names)}; use one of "
                             f"{whose}: {', '.join(names)}, or, for any model, a path to an overlay .yaml file{here}"))


def list_scenarios(library: str | Path | None = None) -> list[tuple[str, str]]:
    """(name, title) of every overlay in the library, sorted by name."""
    lib = _library(library)
    out = []
    for f in sorted(lib.glob("*.yaml"), key=lambda f: f.stem):
        doc = read_document(f, lines=False)
        out.append((f.stem, str(doc.get("title", "")) if isinstance(doc, Mapping) else ""))
    return out


def load_overlay(name: str, library: str | Path | None = None) -> Overlay:
    """Read and check the structure of one overlay (library name or path).

    Raises
    ------
    ModelError
        For an unknown name, malformed YAML, unknown top-level keys, unknown change types, or arguments of a
        change of the wrong type or value (each problem names the file and the change).
    """
    path = scenario_path(name, library)
    # plain dicts: the changes go into another file's document, where a line of this file would mislead
    doc = read_document(path, lines=False)
    if doc is None:  # (it was taken as an overlay changing nothing: a file saved empty by mistake, say)
        raise ModelError(Problem(str(path), "", "the overlay file is empty: give its title and changes"))
    problems = []
    if not isinstance(doc, Mapping):
        raise ModelError(Problem(str(path), "", "an overlay must be a mapping with title and changes"))
    for key in doc:
        if key not in _TOP_KEYS:
            problems.append(Problem(str(path), str(key), f"unknown key; use: {', '.join(sorted(_TOP_KEYS))}"))
    for key in ("title", "description", "sources"):
        if isinstance(doc.get(key), Mapping | list):
            problems.append(Problem(str(path), key, f"must be text, not '{short_text(doc[key])}'"))
    changes = doc.get("changes")
    if "changes" not in doc:  # (it would change nothing, without a word)
        problems.append(Problem(str(path), "", "the overlay has no changes: give its title and changes"))
        changes = []
    elif not isinstance(changes, list):  # (changes: 0, '' or null were taken as no changes; [] is a baseline's)
        problems.append(Problem(str(path), "changes", "has no value; give a list of changes ([] for none)"
                                if changes is None else f"must be a list of changes ([] for none), not {changes!r}"))
        changes = []
    for i, ch in enumerate(changes):
        if not isinstance(ch, Mapping) or len(ch) != 1 or next(iter(ch)) not in _OPS:
            what = f"'{next(iter(ch))}' is not a change: " if isinstance(ch, Mapping) and len(ch) == 1 else ""
            problems.append(Problem(str(path), f"changes[{i}]", f"{what}each change is a mapping with one key out "
                                    f"of: {', '.join(_OPS)}"))
            continue
        op, arg = next(iter(ch.items()))
        problems += _check_change(op, arg, str(path), f"changes[{i}].{op}")
    if problems:
        raise ModelError(problems)
    in_library = path.parent == (library_dir() if library is None else Path(library))
    return Overlay(path.stem if in_library else str(path), str(path), str(doc.get("title", "")),
                   str(doc.get("description", "")), str(doc.get("sources", "")), tuple(changes))


# ----------------------------------------------------------------------------------- checking changes
#: the start of the problem of a change that changes nothing (an empty list or mapping: a list left unfinished?)
_NOTHING = "changes nothing (it is empty); "


def _check_change(op: str, arg: Any, file: str, place: str) -> list[Problem]:
    """Problems with the arguments of one change, found before anything is applied: their types, numbers and
    option keys.  Whether the nodes and edges they name are in the model is checked when the change is applied."""

    def problem(where: str, message: str) -> list[Problem]:
        return [Problem(file, place + where, message)]

    out: list[Problem] = []
    if op == "set":
        if not isinstance(arg, Mapping):
            return problem("", "give {node_id: {attribute: value, ...}}")
        if not arg:
            return problem("", _NOTHING + "give {node_id: {attribute: value, ...}}")
        for nid, attrs in arg.items():
            if not isinstance(attrs, Mapping):
                out += problem(f".{nid}", f"give {{attribute: value, ...}} (null removes an attribute), not {attrs!r}")
            elif not attrs:
                out += problem(f".{nid}", _NOTHING + "give {attribute: value, ...} (null removes an attribute)")
            elif "id" in attrs:
                out += problem(f".{nid}.id", "the id cannot be changed")
        return out
    if op == "set_edges":
        if not isinstance(arg, Mapping):
            return problem("", "give {'from->to': {attribute: value, ...}}")
        if not arg:
            return problem("", _NOTHING + "give {'from->to': {attribute: value, ...}}")
        for key, attrs in arg.items():
            if not isinstance(key, str) or _edge_ends(key) is None:
                out += problem(f".{key}", "name the edge as 'from->to'")
            elif not isinstance(attrs, Mapping):
                out += problem(f".{key}", f"give {{attribute: value, ...}} (null removes an attribute), not {attrs!r}")
            elif not attrs:
                out += problem(f".{key}", _NOTHING + "give {attribute: value, ...} (null removes an attribute)")
            else:
                out += [q for end in ("from", "to") if end in attrs
                        for q in problem(f".{key}.{end}", "an edge's ends cannot be changed: remove the edge "
                                         "(remove_edges) and add another (add_edges)")]
        return out
    if op == "add_nodes":
        if not isinstance(arg, list):
            return problem("", "give a list of nodes: [{id: ..., type: ..., ...}, ...]")
        if not arg:
            return problem("", _NOTHING + "give a list of nodes: [{id: ..., type: ..., ...}, ...]")
        for j, n in enumerate(arg):
            if not isinstance(n, Mapping):
                out += problem(f"[{j}]", f"a node is a mapping {{id: ..., type: ..., ...}}, not {n!r}")
            elif not _is_name(n.get("id")):
                nid = n.get("id")
                read = (f", but YAML read it as {kind_of(nid)}; put the id in quotes" if isinstance(
                    nid, bool | int | float) else "")
                out += problem(f"[{j}]", f"a node needs an id (text){read}")
        return out
    if op == "remove_nodes":
        if not isinstance(arg, str | list):
            return problem("", f"give a node id or a list of node ids, not {arg!r}")
        if not arg:
            return problem("", _NOTHING + "give a node id or a list of node ids")
        for j, nid in enumerate([arg] if isinstance(arg, str) else arg):
            if not _is_name(nid):
                out += problem(f"[{j}]", f"{nid!r} is not a node id")
        return out
    if op in ("add_edges", "remove_edges"):
        if not isinstance(arg, list):
            return problem("", f"give a list of edges, e.g. [[from, to], ...], not {arg!r}")
        if not arg:
            return problem("", _NOTHING + "give a list of edges, e.g. [[from, to], ...]")
        for j, e in enumerate(arg):
            if _edge_ends(e) is None:
                out += problem(f"[{j}]", f"an edge is [from, to], 'from->to' or {{from: ..., to: ...}} with node ids, "
                               f"not {e!r}")
        return out
    return _check_options(op, arg, file, place)


def _read_as_text(value: Any) -> str:
    """A hint where a number was given as text (in quotes); else nothing."""
    if not isinstance(value, str):
        return ""
    try:
        float(value)
    except ValueError:
        return ""
    return " (text: write the number without quotes)"


def _check_options(op: str, arg: Any, file: str, place: str) -> list[Problem]:
    """Problems with the options of a ``scale_demands`` or inflow change (see :func:`_check_change`)."""
    keys = _OPTIONS[op]
    if not isinstance(arg, Mapping):
        return [Problem(file, place, f"give a mapping of options ({', '.join(keys)}), not {arg!r}")]
    out = [Problem(file, f"{place}.{k}", f"unknown option; use: {', '.join(keys)}") for k in arg if k not in keys]

    def bad(key: str, message: str) -> None:
        if key in arg:
            out.append(Problem(file, f"{place}.{key}", f"{message}, not {arg[key]!r}{_read_as_text(arg[key])}"))

    if "nodes" in arg and not _is_names(arg["nodes"]):
        bad("nodes", "give a list of node ids")
    if op == "scale_demands":
        if "factor" not in arg:
            out.append(Problem(file, place,
                               "give the factor (and nodes, or countries and/or category; none: every demand)"))
        if "countries" in arg and not _is_names(arg["countries"]):
            bad("countries", "give a list of country codes, e.g. [UZB, TJK]")
        if "category" in arg and not _is_name(arg["category"]):
            bad("category", "give a demand category, e.g. irrigation")
        if "nodes" in arg and ("countries" in arg or "category" in arg):
            out.append(Problem(file, place, "give nodes, or countries and/or category, not both"))
    else:
        if "basin" in arg and not _is_name(arg["basin"]):
            bad("basin", "give a basin of the model's metadata.basins, or all")
        if "nodes" in arg and "basin" in arg:
            out.append(Problem(file, place, "give nodes or basin, not both"))
    if "factor" in arg and not _is_factor(arg["factor"]):
        bad("factor", "give a number of 0 or more")
    if op == "scale_inflows":
        if arg.get("factor") is None and arg.get("months") is None:  # (months: null changed nothing too)
            out.append(Problem(file, place, "give the factor or 12 monthly factors (months), or both"))
        months = arg.get("months")
        if months is not None and not (isinstance(months, list) and len(months) == 12
                                       and all(_is_factor(f) for f in months)):
            bad("months", "give 12 factors of 0 or more, January first")
        years = arg.get("years")
        if years is not None and not (isinstance(years, list) and years and all(_is_count(y) for y in years)):
            bad("years", "give a list of the run's hydrological years to change, 1 for the first")
    elif op == "shift_peak":
        months = arg.get("months", 1)
        if not (is_number(months) and abs(months) <= _MAX_SHIFT_MONTHS):
            bad("months", f"give a number of months from -{_MAX_SHIFT_MONTHS} to {_MAX_SHIFT_MONTHS} (positive: the "
                "cycle arrives earlier)")
    elif op == "named_years":
        if "name" not in arg:
            out.append(Problem(file, place, "give the name of a named year of daryo.hydrology, e.g. name: '2021'"))
        elif not (_is_name(arg["name"]) or is_number(arg["name"])):
            bad("name", "give the name of a named year of daryo.hydrology, e.g. '2021'")
        if "first_year" in arg and not _is_count(arg["first_year"]):
            bad("first_year", "give the run's hydrological year the named years start in, 1 for the first")
    return out


def _is_name(v: Any) -> bool:
    """An id, basin, country or category: non-empty text."""
    return isinstance(v, str) and bool(v.strip())


def _is_names(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(_is_name(x) for x in v)


def _is_factor(v: Any) -> bool:
    return is_number(v) and math.isfinite(v) and v >= 0


def _is_count(v: Any) -> bool:
    """A 1-based whole number (a year of the run)."""
    return isinstance(v, int) and not isinstance(v, bool) and v >= 1


def _edge_parts(e: Any) -> tuple[Any, Any] | None:
    """The two ends of an edge as a model or an overlay writes it -- [from, to], 'from->to' or
    {from: ..., to: ..., ...} -- as given, or None if it is none of these."""
    if isinstance(e, Mapping):
        return (e["from"], e["to"]) if "from" in e and "to" in e else None
    if isinstance(e, list | tuple) and len(e) == 2:
        return e[0], e[1]
    if isinstance(e, str) and "->" in e:
        a, b = e.split("->", 1)
        return a.strip(), b.strip()
    return None


def _edge_ends(e: Any) -> tuple[str, str] | None:
    """(from, to) of an edge an overlay gives, or None unless both ends are node ids."""
    parts = _edge_parts(e)
    return parts if parts is not None and _is_name(parts[0]) and _is_name(parts[1]) else None


# ------------------------------------------------------------------------------------------ applying
def overlay_names(names: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> tuple[str, ...]:
    """Overlay names or paths as a tuple of text: one name or path alone is one overlay (its letters are not
    overlays).

    Raises
    ------
    TypeError
        If ``names`` is not a name or path, or an iterable of them.
    """
    if isinstance(names, str | os.PathLike):
        return (str(names),)
    if not isinstance(names, Iterable) or isinstance(names, Mapping):
        raise TypeError(f"scenarios={names!r}: give overlay names or paths, one or a list of them")
    out = tuple(names)
    if not all(isinstance(n, str | os.PathLike) for n in out):
        raise TypeError(f"scenarios={names!r}: give overlay names or paths, one or a list of them")
    return tuple(str(n) for n in out)


def apply_scenarios(doc: Mapping[str, Any], names: Iterable[str], library: str | Path | None = None) -> dict[str, Any]:
    """Apply overlays to a model document, in order; return a new document (``doc`` is not changed).

    (:func:`overlaid_document` gives also where each value the overlays set came from, for the loader's messages.)

    Parameters
    ----------
    doc
        A model document (the parsed YAML of a daryo model).
    names
        Library scenario names (see :func:`list_scenarios`) or paths to overlay files.
    library
        Folder of the scenario library (default: the Aral Sea basin library).

    Raises
    ------
    ModelError
        Listing every problem: unknown scenario names, arguments of the wrong type (see :func:`load_overlay`),
        changes that name missing nodes or edges, adding a node that exists, references (``return_to``,
        ``spill_to``, ``reservoir``, ``at``, edge ends) left pointing to removed nodes, demands and inflow series
        that cannot be changed.
    TypeError
        If ``names`` is not names or paths (one name alone is one overlay).
    """
    return overlaid_document(doc, names, library)[0]


def overlaid_document(doc: Mapping[str, Any], names: Iterable[str], library: str | Path | None = None
                      ) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    """:func:`apply_scenarios`, and where each value the overlays set came from.

    Parameters
    ----------
    doc, names, library
        As for :func:`apply_scenarios`, which raises what this raises.

    Returns
    -------
    document : dict
        The new document.
    origins : dict
        The model's place of each value an overlay's change set (``nodes[farm].demand``; an edge's as
        ``edges[*] (river -> farm).max_flow``, whatever its index; a node or edge it added, ``nodes[canal2]``)
        → the overlay's file and the change's place (``changes[2].set.farm.demand``), for
        :func:`daryo.model.model_from_dict`'s messages: a value found wrong names the change that set it.
    """
    names = overlay_names(names)
    out = copy.deepcopy(doc if isinstance(doc, dict) else dict(doc))  # (a file's mapping keeps its keys' lines)
    shape = overlay_shape_problems(out)
    if shape:
        raise ModelError(shape)
    applied: list[str] = []
    files: list[str] = []
    given_years: list[str] = []  # the changes of given run years, which make inflows per step of this span
    removed_earlier: dict[str, str] = {}  # each node an earlier overlay removed: the overlay and its change
    added_all: dict[str, tuple[str, str]] = {}  # each node an overlay added: the overlay and its change
    origins: dict[str, tuple[str, str]] = {}  # each value an overlay set: the overlay and its change
    for name in names:
        ov = load_overlay(name, library)
        problems: list[Problem] = []
        made: dict[tuple[str, ...], str] = {}  # each reference an overlay's change made: the change
        removed: dict[str, str] = {}  # each node a change removed: the change
        added: dict[str, str] = {}  # each node a change added: the change
        refs, ids = _references(out), set(_nodes(out))
        broken = {ref for ref in refs if not set(_referenced(ref)) <= ids}  # (the model's own: the loader's to say)
        for i, change in enumerate(ov.changes):
            op, arg = next(iter(change.items()))
            place = f"changes[{i}].{op}"
            at = _ChangeAt(ov.file, place, {**removed_earlier, **removed})
            problems += _APPLY[op](out, arg, at)
            _note_origins(origins, op, arg, ov.file, place)
            if _changes_given_years(op, arg):
                given_years.append(f"{ov.file} {place}")
            if _may_change_references(op, arg):
                refs_now, ids_now = _references_after(op, arg, out, refs, ids)
                made.update(dict.fromkeys(refs_now - refs, place))
                removed.update(dict.fromkeys(ids - ids_now, place))
                added.update(dict.fromkeys(ids_now - ids, place))
                refs, ids = refs_now, ids_now
        problems += _check_references(out, ov.file, made, removed, broken)
        if problems:
            raise ModelError(problems)
        added_all.update({nid: (ov.file, where) for nid, where in added.items()})
        applied.append(ov.name)
        files.append(str(Path(ov.file).resolve()))
        removed_earlier.update({nid: f"{ov.file} {where}" for nid, where in removed.items()})
        present = set(_nodes(out))  # (a node added again, and not removed after that)
        removed_earlier = {nid: where for nid, where in removed_earlier.items() if nid not in present}
    unreached = _check_added_demands(out, added_all)
    if unreached:
        raise ModelError(unreached)
    _drop_from_basins(out, set(removed_earlier))
    if applied:
        meta = _value(out, "metadata", dict)
        before = meta.get("scenarios") or []
        meta["scenarios"] = (before if isinstance(before, list) else [before]) + applied
        before = meta.get("scenario_files") or []  # (each overlay's file as found now: a later run may be elsewhere)
        meta["scenario_files"] = (before if isinstance(before, list) else [before]) + files
        if given_years:  # (a run beyond the span they were applied to is refused: daryo.run says why)
            meta["changes_of_given_years"] = list(meta.get("changes_of_given_years") or []) + given_years
    return out, origins


def _note_origins(origins: dict[str, tuple[str, str]], op: str, arg: Any, file: str, place: str) -> None:
    """Record in ``origins`` the values change ``op`` (at ``place`` of overlay ``file``) set, and forget those of
    the nodes it removed or added anew (see :func:`overlaid_document`)."""
    def forget(prefix: str) -> None:
        for key in [k for k in origins if k == prefix or k.startswith((f"{prefix}.", f"{prefix}["))]:
            del origins[key]

    if op == "set":
        for nid, attrs in arg.items():
            for k, v in attrs.items():
                forget(f"nodes[{nid}].{k}")
                if v is not None:
                    origins[f"nodes[{nid}].{k}"] = (file, f"{place}.{nid}.{k}")
    elif op == "add_nodes":
        for n in arg:
            forget(f"nodes[{n['id']}]")
            origins[f"nodes[{n['id']}]"] = (file, f"{place}[{n['id']}]")
    elif op == "remove_nodes":
        for nid in [arg] if isinstance(arg, str) else arg:
            forget(f"nodes[{nid}]")
    elif op == "set_edges":
        for key, attrs in arg.items():
            if (ends := _edge_ends(key)) is not None:
                for a, v in attrs.items():
                    forget(edge := f"{_edge_place(*ends)}.{a}")
                    if v is not None:
                        origins[edge] = (file, f"{place}.{key}.{a}")
    elif op == "add_edges":
        for j, e in enumerate(arg):
            if (ends := _edge_ends(e)) is not None:
                forget(edge := _edge_place(*ends))
                origins[edge] = (file, f"{place}[{j}]")


def _edge_place(source: str, target: str) -> str:
    """An edge's place in the loader's messages (``edges[3] (river -> farm)``), whatever its index."""
    return f"edges[*] ({source} -> {target})"


@dataclass(frozen=True)
class _ChangeAt:
    """Where a change is (its overlay ``file`` and ``place``, ``changes[2].set``), and the nodes the changes before it
    ``removed`` (by id: the overlay file and change that removed each), so that a change naming one says so."""

    file: str
    place: str
    removed: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def problem(self, message: str, where: str = "") -> Problem:
        """A problem of this change, at ``where`` within it (``.nodes.city``, ``[2]``, `` (city)``)."""
        return Problem(self.file, self.place + where, message)

    def not_found(self, nid: str, choices: Iterable[str]) -> str:
        """The end of a message that ``nid`` is not found: which change removed it, or the closest of
        ``choices``."""
        return f" (removed by {self.removed[nid]})" if nid in self.removed else did_you_mean(nid, choices)

    def edge_not_found(self, key: str, edges: list[Any]) -> str:
        """The end of a message that edge ``key`` ('a->b') is not found: which change removed an end of it, or the
        closest edge."""
        ends = [e for e in key.split("->", 1) if e in self.removed]
        return (f" (node '{ends[0]}' was removed by {self.removed[ends[0]]})" if ends else _edge_hint(key, edges))


def _drop_from_basins(doc: dict, removed: set[str]) -> None:
    """Leave the nodes overlays ``removed`` out of the lists of the model's ``metadata.basins`` (as their edges are
    left out), so that the model lists only nodes it has; a list read from the model file keeps its items' lines
    (for the loader's messages)."""
    meta = doc.get("metadata")
    basins = meta.get("basins") if isinstance(meta, Mapping) else None
    if not removed or not isinstance(basins, dict):
        return
    for name, ids in basins.items():
        if not isinstance(ids, list | tuple):
            continue
        keep = [i for i, nid in enumerate(ids) if not (isinstance(nid, str) and nid in removed)]
        if isinstance(ids, tuple):
            basins[name] = tuple(ids[i] for i in keep)
            continue
        kept = copy.copy(ids)  # (a list read from the file: of its own type, with its lines)
        kept[:] = [ids[i] for i in keep]
        lines = getattr(ids, "item_lines", None)
        if isinstance(lines, list):
            kept.item_lines = [lines[i] for i in keep if i < len(lines)]  # type: ignore[attr-defined]
        basins[name] = kept


def _value(doc: dict, key: str, kind: type) -> Any:
    """``doc[key]``, created empty (``kind()``) if it is missing or null."""
    if doc.get(key) is None:
        doc[key] = kind()
    return doc[key]


def _nodes(doc: Mapping[str, Any]) -> dict[str, Any]:
    nodes = doc.get("nodes")
    return {str(n.get("id")): n for n in nodes if isinstance(n, Mapping)} if isinstance(nodes, list) else {}


def _edge_key(e: Any) -> tuple[str, str] | None:
    """(from, to) of an edge of the model's document, as text."""
    parts = _edge_parts(e)
    return None if parts is None else (str(parts[0]), str(parts[1]))


def _edge_hint(key: str, edges: list[Any]) -> str:
    """`` (did you mean 'a->b'?)`` for an edge ``key`` ('a->b') that is not among ``edges``, if one is closest;
    `` (the model's edge runs b->a)`` if it is one of them the other way round."""
    keys = [f"{k[0]}->{k[1]}" for k in map(_edge_key, edges) if k]
    ends = key.split("->", 1)
    if len(ends) == 2 and f"{ends[1]}->{ends[0]}" in keys:
        return f" (the model's edge runs {ends[1]}->{ends[0]})"
    return did_you_mean(key, keys)


# The changes below get arguments that load_overlay has checked (_check_change); they check them against the model.
def _op_set(doc: dict, arg: Mapping[str, Any], at: _ChangeAt) -> list[Problem]:
    listed, problems = _value(doc, "nodes", list), []
    where = {str(n.get("id")): i for i, n in enumerate(listed) if isinstance(n, Mapping)}
    for nid, attrs in arg.items():
        if nid not in where:
            problems.append(at.problem(f"node '{nid}' is not in the model{at.not_found(nid, where)}", f".{nid}"))
            continue
        # a plain dict (as set_edges makes): the base file's line of the node would be cited for values set here
        node = listed[where[nid]] = dict(listed[where[nid]])
        for k, v in attrs.items():
            if v is None:
                node.pop(k, None)
            else:
                node[k] = copy.deepcopy(v)
    return problems


def _op_set_edges(doc: dict, arg: Mapping[str, Any], at: _ChangeAt) -> list[Problem]:
    problems = []
    edges = _value(doc, "edges", list)
    for key, attrs in arg.items():
        k = _edge_ends(key)
        idx = [i for i, e in enumerate(edges) if _edge_key(e) == k]
        if k is None or not idx:
            problems.append(at.problem(f"edge '{key}' is not in the model"
                                       f"{at.edge_not_found(key if k is None else f'{k[0]}->{k[1]}', edges)}",
                                       f".{key}"))
            continue
        e = edges[idx[0]]
        e = dict(e) if isinstance(e, Mapping) else {"from": k[0], "to": k[1]}
        for a, v in attrs.items():
            if v is None:
                e.pop(a, None)
            else:
                e[a] = copy.deepcopy(v)
        edges[idx[0]] = e
    return problems


def _op_add_nodes(doc: dict, arg: list[Any], at: _ChangeAt) -> list[Problem]:
    nodes, problems = _nodes(doc), []
    for n in arg:
        nid = n["id"]
        if nid in nodes:
            problems.append(at.problem(f"node '{nid}' already exists; use 'set' to change it", f"[{nid}]"))
        else:
            _value(doc, "nodes", list).append(copy.deepcopy(dict(n)))
            nodes[nid] = doc["nodes"][-1]
    return problems


def _op_remove_nodes(doc: dict, arg: str | list[str], at: _ChangeAt) -> list[Problem]:
    ids = [arg] if isinstance(arg, str) else list(arg)
    nodes, problems = _nodes(doc), []
    for j, nid in enumerate(ids):
        if nid in ids[:j]:
            problems.append(at.problem(f"node '{nid}' is listed twice (also at [{ids.index(nid)}])", f".{nid}"))
        elif nid not in nodes:
            problems.append(at.problem(f"node '{nid}' is not in the model{at.not_found(nid, nodes)}", f".{nid}"))
    gone = set(ids)
    doc["nodes"] = [n for n in _value(doc, "nodes", list) if not (isinstance(n, Mapping) and n.get("id") in gone)]
    doc["edges"] = [e for e in _value(doc, "edges", list) if not (set(_edge_key(e) or ()) & gone)]
    return problems


def _op_add_edges(doc: dict, arg: list[Any], at: _ChangeAt) -> list[Problem]:
    problems = []
    edges = _value(doc, "edges", list)
    existing = {_edge_key(e) for e in edges}
    for j, e in enumerate(arg):
        k = _edge_ends(e)
        if k is None:  # refused by load_overlay
            continue
        if k in existing:
            problems.append(at.problem(f"edge {k[0]}->{k[1]} already exists", f"[{j}]"))
        else:  # ('from->to', which the model file does not take, as [from, to])
            edges.append(list(k) if isinstance(e, str) else copy.deepcopy(e))
            existing.add(k)
    return problems


def _op_remove_edges(doc: dict, arg: list[Any], at: _ChangeAt) -> list[Problem]:
    problems = []
    listed: dict[tuple[str, str], int] = {}  # the edges listed before, by their place in the list
    for j, e in enumerate(arg):
        k = _edge_ends(e)
        if k is None:  # refused by load_overlay
            continue
        if k in listed:
            problems.append(at.problem(f"edge {k[0]}->{k[1]} is listed twice (also at [{listed[k]}])", f"[{j}]"))
            continue
        listed[k] = j
        before = len(_value(doc, "edges", list))
        doc["edges"] = [x for x in doc["edges"] if _edge_key(x) != k]
        if len(doc["edges"]) == before:
            problems.append(at.problem(f"edge {k[0]}->{k[1]} is not in the model"
                                       f"{at.edge_not_found(f'{k[0]}->{k[1]}', doc['edges'])}", f"[{j}]"))
    return problems


def _op_scale_demands(doc: dict, arg: Mapping[str, Any], at: _ChangeAt) -> list[Problem]:
    nodes, problems = _nodes(doc), []
    wanted = list(arg.get("nodes") or [])
    for nid in wanted:
        if nid not in nodes or nodes[nid].get("type") != "demand":
            demands = (i for i, n in nodes.items() if n.get("type") == "demand")
            problems.append(at.problem(f"'{nid}' is not a demand of the model{at.not_found(nid, demands)}",
                                       f".nodes.{nid}"))
    countries, category = set(arg.get("countries") or []), arg.get("category")
    known = sorted({c for n in nodes.values() if n.get("type") == "demand" and isinstance(c := n.get("country"), str)})
    unknown = [c for c in dict.fromkeys(arg.get("countries") or []) if c not in known]
    if unknown and len(unknown) < len(countries):  # (none known: the message below says so for all)
        for c in unknown:
            problems.append(at.problem(f"no demand of the model is in '{c}'{did_you_mean(str(c), known)}; the demands' "
                                       f"countries are {', '.join(known)}", ".countries"))
    hits = 0
    for nid, n in nodes.items():
        if n.get("type") != "demand":
            continue
        country = n.get("country")
        hit = nid in wanted or ((not wanted) and (not countries or (isinstance(country, str) and country in countries))
                                and (category is None or n.get("category", "irrigation") == category))
        if hit:
            hits += 1
            try:
                n["demand"] = _scaled(n.get("demand"), float(arg["factor"]))
            except (UnitError, ValueError, TypeError) as exc:
                problems.append(at.problem(f"the demand of '{nid}' cannot be scaled: {exc}", f" ({nid})"))
    if not hits and not wanted:
        which = " and ".join(x for x in (f"countries {sorted(countries)}" if countries else "",
                                         f"category '{category}'" if category is not None else "") if x)
        problems.append(at.problem(f"no demand of the model matches {which or 'it'}: check the country codes (ISO "
                                   "alpha-3, e.g. UZB) and the category (irrigation, municipal, industrial or other)"))
    return problems


def _scaled(d: Any, f: float) -> Any:
    """A demand series multiplied by ``f``, in the same form as written.

    Raises
    ------
    ValueError
        If ``d`` is not a number, a quantity (``"20 m3/s"``), a list of values or a series mapping, or the result
        is too large to be a number.
    """
    if isinstance(d, Mapping):
        scale = d.get("scale", 1.0)
        if not is_number(scale):
            raise ValueError(f"its scale {scale!r} is not a number")
        return {**d, "scale": _finite(float(scale) * f)}
    if isinstance(d, str):
        return _scale_text(d, f)
    if isinstance(d, list):  # 12 monthly values, or one such list per trace (the loader checks which)
        return {"monthly": d, "scale": f}
    if not is_number(d):
        raise ValueError(f"{d!r} is not a number, a quantity, a list of values or a series")
    return _finite(float(d) * f)


def _scale_text(text: str, factor: float) -> str:
    """A quantity as text (``"20 m3/s"``) times ``factor``, to full precision (the shortest text that reads back as
    the same float)."""
    q = parse_quantity(text)
    return f"{_finite(q.value * factor)!r} {q.unit or ''}".strip()


def _finite(x: float) -> float:
    if not math.isfinite(x):
        raise ValueError("the scaled value is too large to be a number")
    return x


def _may_change_references(op: str, arg: Any) -> bool:
    """Whether change ``op`` may change the model's node ids or the references between nodes (:func:`_references`):
    the changes of nodes and edges, and a ``set`` of an id or of a reference attribute (``return_to``…)."""
    if op in ("add_nodes", "remove_nodes", "add_edges", "remove_edges"):
        return True
    keys = {"id", *NODE_REFERENCES} if op == "set" else {"from", "to"} if op == "set_edges" else set()
    return any(isinstance(attrs, Mapping) and keys & set(attrs) for attrs in arg.values()) if keys else False


def _references_after(op: str, arg: Any, doc: Mapping[str, Any], refs: set[tuple[str, ...]], ids: set[str]
                      ) -> tuple[set[tuple[str, ...]], set[str]]:
    """The references between nodes (:func:`_references`) and the node ids of ``doc`` after change ``op``, given
    those before it: what a change that only adds (nodes, edges) adds, else the document's whole (worked out
    anew for every change, they took 150 s of 2,562 changes to a 3,200-node model)."""
    if op == "add_nodes":
        added = {("node", str(n["id"]), key, str(n[key])) for n in arg for key in NODE_REFERENCES
                 if n.get(key) is not None}
        return refs | added, ids | {str(n["id"]) for n in arg}
    if op == "add_edges":
        return refs | {("edge", *k) for k in map(_edge_key, arg) if k}, ids
    return _references(doc), set(_nodes(doc))


def _references(doc: Mapping[str, Any]) -> set[tuple[str, ...]]:
    """The references to nodes in a model document: ``("edge", from, to)``, ``("node", id, attribute, id it
    names)``, and the same with ``"constraint"`` (its ``nodes``) and ``"parameter"`` (its ``reservoir``)."""
    refs: set[tuple[str, ...]] = set()
    for nid, n in _nodes(doc).items():
        refs.update(("node", nid, key, str(n[key])) for key in NODE_REFERENCES if n.get(key) is not None)
    refs.update(("edge", *k) for k in map(_edge_key, doc.get("edges") or []) if k)
    constraints = doc.get("constraints")
    for c in constraints if isinstance(constraints, list) else []:
        if isinstance(c, Mapping) and isinstance(c.get("nodes"), list):
            refs.update(("constraint", str(c.get("id")), "nodes", m) for m in c["nodes"] if isinstance(m, str))
    parameters = doc.get("parameters")
    for name, spec in parameters.items() if isinstance(parameters, Mapping) else ():
        if isinstance(spec, Mapping) and isinstance(spec.get("reservoir"), str):
            refs.add(("parameter", str(name), "reservoir", spec["reservoir"]))
    return refs


def _referenced(ref: tuple[str, ...]) -> tuple[str, ...]:
    """The nodes a reference of :func:`_references` names: an edge's ends, or the node another element names."""
    return ref[1:] if ref[0] == "edge" else ref[3:]


def _check_references(doc: Mapping[str, Any], file: str, made: Mapping[tuple[str, ...], str],
                      removed: Mapping[str, str], broken: AbstractSet[tuple[str, ...]] = frozenset()) -> list[Problem]:
    """The references of ``doc`` to nodes it does not have, each placed at the change that ``made`` it (else at
    the model's element) and naming the change that ``removed`` the node, if one did; not those ``broken`` before
    the overlay and that no change made or removed a node of (the model's own typos, which the loader names at
    their line, with the nearest name)."""
    nodes, problems = _nodes(doc), []

    def gone(end: str) -> str:
        return f" (removed by {removed[end]})" if end in removed else ""

    for ref in sorted(_references(doc)):
        if ref in broken and ref not in made and not set(_referenced(ref)) & set(removed):
            continue
        if ref[0] == "edge":
            for end in ref[1:]:
                if end not in nodes:
                    where = f"edges[{ref[1]}->{ref[2]}]"
                    problems.append(Problem(file, f"{made[ref]}: {where}" if ref in made else where,
                                            f"'{end}' is not in the model after this scenario{gone(end)}"))
        elif ref[3] not in nodes:
            where = f"{ref[0]}s[{ref[1]}].{ref[2]}"  # (nodes[…], constraints[…] or parameters[…])
            problems.append(Problem(file, f"{made[ref]}: {where}" if ref in made else where,
                                    f"names '{ref[3]}', which is not in the model after this scenario{gone(ref[3])}"))
    return problems


def _check_added_demands(doc: Mapping[str, Any], added: Mapping[str, tuple[str, str]]) -> list[Problem]:
    """A demand that an overlay's change ``added`` ((overlay file, change) by node) and no edge (nor return flow or
    spill) reaches once every overlay is applied: probably a forgotten ``add_edges``.  (A demand of the model
    that an overlay cuts off is a what-if, and runs dry.)"""
    reached = {ref[2] if ref[0] == "edge" else ref[3] for ref in _references(doc)
               if ref[0] == "edge" or ref[2] in ("return_to", "spill_to")}
    nodes = _nodes(doc)
    return [Problem(file, f"{place}: nodes[{node}]", "a demand needs an incoming edge from the node it takes its "
                    "water from: add one with add_edges")
            for node, (file, place) in added.items()
            if node in nodes and nodes[node].get("type") == "demand" and node not in reached]


# ------------------------------------------------------------------------------------ inflow changes
def _axis(doc: Mapping[str, Any]) -> TimeAxis:
    """The run's time axis, as the loader builds it (calendar months or fixed N-day steps)."""
    t = doc.get("time")
    t = t if isinstance(t, Mapping) else {}
    try:
        days = step_days(t.get("step", "month"))
    except ValueError:  # the loader reports it
        days = None
    # the end as text, which from_range reads as the loader does ("2001-09": the month's last day)
    return TimeAxis.from_range(pd.Timestamp(str(t.get("start"))), str(t.get("end")), days)


def document_steps(doc: Mapping[str, Any]) -> int | None:
    """The number of steps of a model document's own span (None if its time cannot be read: the loader says why)."""
    try:
        return _axis(doc).n_steps
    except (ValueError, TypeError, OverflowError):
        return None


def overlay_shape_problems(doc: Mapping[str, Any]) -> list[Problem]:
    """What keeps overlays from being applied to model document ``doc``: nodes, edges or metadata of another
    shape (which loading the document reports too, with its file and every other problem)."""
    return [Problem("", key, f"the model's {key} must be {what} to apply a scenario")
            for key, kind, what in (("nodes", list, "a list"), ("edges", list, "a list"),
                                    ("metadata", Mapping, "a mapping"))
            if doc.get(key) is not None and not isinstance(doc[key], kind)]


def with_years(doc: Mapping[str, Any], years: int) -> dict[str, Any]:
    """A copy of a model document whose run lasts ``years`` whole years from its start, as
    :meth:`daryo.Model.with_time` counts them, for overlays to change the inflows of those years.  A document
    without a readable start or step is returned as it is, for the loader to report.

    Raises
    ------
    TypeError
        If ``years`` is not a whole number.
    ValueError
        If ``years`` is below 1, or the years run past the dates a time axis can hold
        (:func:`~daryo.timeaxis.years_problem`).
    """
    if not is_whole(years):  # (as daryo.load checks them)
        raise TypeError(f"years={years!r}: give a whole number of years")
    if years < 1:
        raise ValueError(f"years {years}: a run lasts at least 1 year")
    out = copy.copy(doc) if isinstance(doc, dict) else dict(doc)  # (a file's mapping keeps its keys' lines)
    t = doc.get("time")
    if not isinstance(t, Mapping):
        return out
    try:
        start = parse_date(t.get("start"))
        days = step_days(t.get("step", "month"))
    except (ValueError, TypeError, OverflowError):
        return out
    _, end = years_span(start, years, monthly=days is None)
    out["time"] = copy.copy(t)  # (the file's mapping, which keeps its lines for messages)
    out["time"]["end"] = f"{end:%Y-%m-%d}"
    return out


def _hydro_year_index(axis: TimeAxis) -> np.ndarray:
    """0-based index of the hydrological year of each step, counted from the run's first step."""
    hy = np.asarray(axis.hydrological_year)
    return hy - hy[0]


def _inflow_targets(doc: Mapping[str, Any], arg: Mapping[str, Any], at: _ChangeAt, strict: bool = False
                    ) -> tuple[list[str], list[Problem]]:
    """The inflow nodes a change selects (``nodes`` or ``basin``), and problems.  ``strict`` (a change applied to
    a model, not to generated traces, which leave some inflows out): a basin that lists no node, a node that is not
    in the model (and no change removed) or that is not an inflow, is a problem too.  A basin whose nodes earlier
    changes removed selects none, and changes nothing."""
    meta = doc.get("metadata")
    basins = meta.get("basins") if isinstance(meta, Mapping) else None
    basins = basins if isinstance(basins, Mapping) else {}
    nodes = _nodes(doc)
    if "nodes" in arg:
        ids = list(arg["nodes"])
        bad = [i for i in ids if i not in nodes or nodes[i].get("type") != "inflow"]
        inflows = [i for i, n in nodes.items() if n.get("type") == "inflow"]
        return [i for i in ids if i not in bad], [at.problem(f"'{i}' is not an inflow of the model"
                                                             f"{at.not_found(i, inflows)}", f".nodes.{i}") for i in bad]
    basin = arg.get("basin", "all")
    if basin == "all":
        return [i for i, n in nodes.items() if n.get("type") == "inflow"], []
    if basin not in basins:
        return [], [at.problem(f"unknown basin '{basin}'; the model's metadata.basins has: "
                               f"{', '.join(map(str, basins)) or '(none)'}", ".basin")]
    if not isinstance(basins[basin], list | tuple):
        return [], [at.problem(f"the model's metadata.basins.{basin} must be a list of inflow ids", ".basin")]
    ids = [i for i in basins[basin] if isinstance(i, str) and i in nodes]
    if not strict:
        return ids, []
    if not basins[basin]:
        return [], [at.problem(f"the model's metadata.basins.{basin} lists no node, so this change would change "
                               "nothing", ".basin")]
    missing = [i for i in basins[basin] if not (isinstance(i, str) and (i in nodes or i in at.removed))]
    others = [i for i in ids if nodes[i].get("type") != "inflow"]
    problems = [at.problem(f"the model's metadata.basins.{basin} lists {i!r}, which is not in the model"
                           f"{did_you_mean(str(i), nodes)}", ".basin") for i in missing]
    if others:
        problems.append(at.problem(f"the model's metadata.basins.{basin} lists {', '.join(repr(i) for i in others)}, "
                                   f"which {'is' if len(others) == 1 else 'are'} not an inflow", ".basin"))
    return ([], problems) if problems else (ids, [])


# A rate unit of a 12-monthly inflow series, as written, and its factor to hm³/day
_Rate = tuple[str, float]


def _series_to_array(spec: Any, axis: TimeAxis) -> tuple[np.ndarray, bool, _Rate | None] | None:
    """An inflow series as (array, periodic, rate); None if it is not one a scenario can change.

    Per-step values become (S, T) hm³ per step (a rate times each step's real number of days).  12 monthly
    values become (S, 12), January first: hm³ per step, or, for a rate unit (m³/s, km3/yr, ...), numbers in that
    same unit with ``rate`` = (unit, factor to hm³/day) -- a monthly rate has no fixed volume (February holds 28
    or 29 days of it), so it stays a rate until :func:`_expand` multiplies it by the steps' days, as the loader
    does.

    Raises
    ------
    ValueError
        If per-step values are fewer than the run's steps.
    """
    if isinstance(spec, list):  # a plain list: 12 monthly values (or one such list per trace), in hm³ per step
        spec = {"monthly": spec}
    if not isinstance(spec, Mapping) or not ("monthly" in spec or "values" in spec):
        return None
    try:
        factor, is_rate = unit_factor(spec.get("unit"), "flow")
        scale = float(spec.get("scale", 1.0))
        arr = np.atleast_2d(np.asarray(spec["monthly"] if "monthly" in spec else spec["values"], dtype=float))
    except (UnitError, ValueError, TypeError):
        return None
    if arr.ndim != 2 or arr.shape[1] == 0:
        return None
    if "monthly" in spec:
        if arr.shape[1] != 12:
            return None
        if is_rate:
            return arr * scale, True, (str(spec["unit"]), factor)
        return arr * (factor * scale), True, None
    if arr.shape[1] < axis.n_steps:
        raise ValueError(f"the inflow has {arr.shape[1]} values but the run has {axis.n_steps} steps")
    arr = arr[:, : axis.n_steps] * (factor * scale)  # the loader ignores values past the run's end
    if is_rate:
        arr = arr * axis.days[None, :]
    return arr, False, None


def _array_to_series(arr: np.ndarray, periodic: bool, rate: _Rate | None = None) -> dict[str, Any]:
    """The series of :func:`_series_to_array`'s array: a periodic rate in its own unit, the rest in hm³ per step
    (``hm3/step``, which monthly and N-day models read alike), to 12 significant digits (not decimal places: an
    inflow of 4.2e-7 km³/yr, rounded to 6 places, became 0)."""
    rows = [[float(f"{x:.12g}") for x in r] for r in np.atleast_2d(arr)]
    unit = rate[0] if periodic and rate is not None else "hm3/step"
    return {"monthly" if periodic else "values": rows[0] if len(rows) == 1 else rows, "unit": unit}


def _expand(arr: np.ndarray, periodic: bool, axis: TimeAxis, rate: _Rate | None = None) -> np.ndarray:
    """(S, T) hm³ per step: a 12-monthly cycle repeated over the steps, a rate times each step's real days."""
    if not periodic:
        return arr
    out = arr[:, axis.month - 1]
    if rate is not None:
        out = out * (rate[1] * axis.days[None, :])
    return out


def _plain(value: Any) -> Any:
    """``value`` with its mappings and lists as plain dicts and lists (a document's own keep their lines)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _scaled_reference(spec: Any, op: str, arg: Mapping[str, Any]) -> dict[str, Any] | None:
    """An inflow read from a CSV file or a parameter, scaled by a ``scale_inflows`` of one factor for every month
    and year: the reference with its ``scale`` times the factor (None where that is not the change: another
    change, one of some months or years only, or another kind of inflow)."""
    factor = arg.get("factor")
    if not (op == "scale_inflows" and isinstance(spec, Mapping) and ("csv" in spec or "parameter" in spec)
            and is_number(factor) and is_number(spec.get("scale", 1.0)) and arg.get("months") is None
            and arg.get("years") is None):
        return None
    return {**_plain(spec), "scale": float(spec.get("scale", 1.0)) * float(factor)}


def _constant_as_monthly(spec: Any) -> Any:
    """A constant inflow (a number, hm³ per step, a quantity such as ``"50 m3/s"``, or ``{value: 50, unit: …}``)
    as 12 equal monthly values in its unit, which the inflow changes take; any other inflow as it is."""
    if is_number(spec) and not isinstance(spec, bool):
        return {"monthly": [float(spec)] * 12}
    if isinstance(spec, Mapping) and is_number(spec.get("value")) and not isinstance(spec["value"], bool) and not (
            {"monthly", "values", "csv", "parameter"} & set(spec)):
        return {**{k: v for k, v in _plain(spec).items() if k != "value"}, "monthly": [float(spec["value"])] * 12}
    if isinstance(spec, str):
        try:
            q = parse_quantity(spec)
        except UnitError:
            return spec
        return {"monthly": [q.value] * 12, **({"unit": q.unit} if q.unit else {})}
    return spec


def _inflow_op(doc: dict, arg: Mapping[str, Any], at: _ChangeAt, op: str) -> list[Problem]:
    ids, problems = _inflow_targets(doc, arg, at, strict=True)
    try:
        axis = _axis(doc)
    except (ValueError, TypeError, OverflowError):
        return problems + [at.problem("the model's time.start and time.end must be dates to change inflows")]
    if axis.n_steps == 0:
        return problems + [at.problem("the model's time.end is before its time.start: there are no inflows to change")]
    if (outside := _years_outside(op, arg, axis)) is not None:
        return problems + [at.problem(outside)]
    nodes = _nodes(doc)
    if op == "named_years":
        ids = _named_year_nodes(ids, arg, at, problems)
    for nid in ids:
        spec = _constant_as_monthly(nodes[nid].get("inflow"))
        if (scaled := _scaled_reference(spec, op, arg)) is not None:  # (the loader reads it, scaled)
            nodes[nid]["inflow"] = scaled
            continue
        if axis.step_days is not None and isinstance(spec, Mapping) and is_per_month(spec.get("unit")):
            problems.append(at.problem(f"the inflow of '{nid}' is in {spec['unit']}, a volume per calendar month, "
                                       f"but the model has {axis.step_days}-day steps, so the scenario cannot change "
                                       "it; give the inflow per step or as a rate", f" ({nid})"))
            continue
        if isinstance(spec, Mapping) and "unit" in spec and no_unit_given(spec["unit"]):  # (it was rewritten as hm3
            # per step, so the model file's problem went unreported)
            problems.append(at.problem(f"the inflow of '{nid}' has a unit with no value; give a unit, or leave the "
                                       "key out for the canonical one", f" ({nid})"))
            continue
        try:
            got = _series_to_array(spec, axis)
        except ValueError as exc:
            problems.append(at.problem(f"{exc}, so the scenario cannot change it", f" ({nid})"))
            continue
        if got is None:
            reference = isinstance(spec, Mapping) and ("csv" in spec or "parameter" in spec)
            problems.append(at.problem(
                f"the inflow of '{nid}' is not a constant, 12 monthly or per-step values in a flow unit, so the "
                "scenario cannot change it" + ("; an inflow read from a CSV file or a parameter takes only "
                                               "scale_inflows of one factor for every month and year" if reference
                                               else ""), f" ({nid})"))
            continue
        arr, periodic, rate = got
        try:
            with np.errstate(over="ignore"):  # (an overflow gives inf, which the loader reports)
                new, still_periodic = _transform(arr, periodic, op, arg, axis, nid, doc, rate)
        except (KeyError, ValueError) as exc:
            problems.append(at.problem(str(exc).strip("'\"")))
            return problems
        nodes[nid]["inflow"] = _array_to_series(new, still_periodic, rate)
    return problems


#: the attributes of an inflow node whose change replaces a generated trace (its inflow, or what the node is)
_INFLOW_ATTRIBUTES = ("inflow", "type")


def replaced_inflows(names: Sequence[str], library: str | Path | None = None) -> tuple[set[str], set[str]]:
    """The nodes whose inflow overlays ``names`` replace, and those they remove.

    Returns
    -------
    tuple of two sets
        The ids of nodes given a new inflow (``set`` of their ``inflow`` or ``type``, or added by ``add_nodes``),
        and of nodes removed (and not added again).  An ensemble that generates the
        inflows of a model's headwaters keeps the model's own series (as the overlays made it) for the first,
        and has none for the second.
    """
    replaced: set[str] = set()
    removed: set[str] = set()
    for name in overlay_names(names):
        try:
            ov = load_overlay(name, library)
        except ModelError:  # (a name the model's metadata keeps from an overlay applied elsewhere, say)
            continue
        for change in ov.changes:
            op, arg = next(iter(change.items()))
            if op == "set" and isinstance(arg, Mapping):
                replaced |= {str(k) for k, v in arg.items()
                             if isinstance(v, Mapping) and any(a in v for a in _INFLOW_ATTRIBUTES)}
            elif op == "add_nodes" and isinstance(arg, list):
                added = {str(n.get("id")) for n in arg if isinstance(n, Mapping)}
                replaced |= added
                removed -= added
            elif op == "remove_nodes" and isinstance(arg, str | list):
                removed |= {str(n) for n in ([arg] if isinstance(arg, str) else arg)}
                replaced -= removed
    return replaced, removed


def year_limited_changes(names: Sequence[str], library: str | Path | None = None) -> list[Problem]:
    """The inflow changes among overlays ``names`` that change given run years only (``scale_inflows`` with
    ``years``, ``named_years``), each as a :class:`Problem` at its place, saying why an ensemble that resamples a
    model's own years cannot take it."""
    found = []
    for name in overlay_names(names):
        try:
            ov = load_overlay(name, library)
        except ModelError:  # (a name the model's metadata keeps from an overlay applied elsewhere, say)
            continue
        for i, change in enumerate(ov.changes):
            op, arg = next(iter(change.items()))
            if _changes_given_years(op, arg):
                found.append(Problem(ov.file, f"changes[{i}].{op}", "changes given years of the run, but an ensemble "
                                     "of this model resamples whole years of the model's own inflows, so the "
                                     "changed years would land in random run years; drop its years to change "
                                     "every year"))
    return found


def _changes_given_years(op: str, arg: Any) -> bool:
    """Whether a change changes given run years only (``scale_inflows`` with ``years``, ``named_years``)."""
    return op == "named_years" or (op == "scale_inflows" and isinstance(arg, Mapping) and arg.get("years") is not None)


def _years_outside(op: str, arg: Mapping[str, Any], axis: TimeAxis) -> str | None:
    """Why a change of given years changes none of the hydrological years of the run on ``axis`` (None: it
    changes some).  One whose years run past the run's end changes those in it (a run shortened with --years
    keeps its first years)."""
    n_years = int(_hydro_year_index(axis).max()) + 1
    span = f"the run has {n_years} hydrological year{'s' if n_years != 1 else ''}"
    more = "or run more years (--years; in Python daryo.load(..., years=Y))"
    if op == "scale_inflows" and arg.get("years") is not None and not any(1 <= y <= n_years for y in arg["years"]):
        return (f"years {', '.join(map(str, arg['years']))} are none of the run's years ({span}), so it would change "
                f"nothing; give years from 1 (the first) to the last, {more}")
    if op == "named_years" and int(arg.get("first_year", 1)) > n_years:
        return (f"first_year {arg['first_year']} is after the run's last year ({span}), so it would change "
                f"nothing; give a first_year from 1 to the last, {more}")
    return None


def _named_year_nodes(ids: list[str], arg: Mapping[str, Any], at: _ChangeAt, problems: list[Problem]) -> list[str]:
    """The inflows among ``ids`` that have named-year factors (the hydrology table's headwaters).  A node named
    in ``arg["nodes"]`` without them is a problem; so is a basin (or all) with none of them; the other inflows of
    a basin (laterals, returns) are left as they are."""
    from .hydrology import load_spec

    known = set(load_spec().ids)
    named = "nodes" in arg
    for nid in [i for i in ids if i not in known] if named else []:
        problems.append(at.problem(f"'{nid}' has no named-year factors: they are given for the headwaters of daryo's "
                                   "hydrology table (the Aral basin's)", f" ({nid})"))
    have = [i for i in ids if i in known]
    if not have and not named:
        problems.append(at.problem("none of the inflows it selects has named-year factors: they are given for the "
                                   "headwaters of daryo's hydrology table (the Aral basin's)"))
    return have


def _transform(arr: np.ndarray, periodic: bool, op: str, arg: Mapping[str, Any], axis: TimeAxis, nid: str,
               doc: Mapping[str, Any], rate: _Rate | None = None) -> tuple[np.ndarray, bool]:
    """The changed (array, periodic) of :func:`_series_to_array`'s (array, periodic, rate).  A result that stays
    periodic is in the input's unit (a rate stays a rate: shifting a cycle of rates moves the flow, and each month
    keeps its own days); a per-step result is hm³ per step."""
    if op == "shift_peak":
        months = float(arg.get("months", 1.0))
        if periodic:  # months of a 12-month cycle
            return _shift(arr, months, wrap=True), True
        # monthly steps by months; N-day steps by the same time (a month is a twelfth of a year of 365.25 days,
        # as in km3/yr).  Each whole hydrological year wraps within itself: its seasonal cycle moves and its
        # total stays (the traces are annual volumes times a seasonal cycle)
        steps = months if axis.step_days is None else months * _MONTH_DAYS / axis.step_days
        return _shift_within_years(arr, steps, axis), False
    if op == "scale_inflows":
        f = _scale_factors(arg, axis)
        if periodic and arg.get("years") is None:
            monthly = np.asarray(arg.get("months") or [1.0] * 12, dtype=float)
            return arr * float(arg.get("factor", 1.0)) * monthly[None, :], True
        return _expand(arr, periodic, axis, rate) * f[None, :], False
    # named_years (for the headwaters of the hydrology table: _named_year_nodes)
    from .hydrology import load_spec, named_year_factors

    spec = load_spec()
    hy = _hydro_year_index(axis)
    fac = named_year_factors(spec, str(arg.get("name")), int(hy.max()) + 1, int(arg.get("first_year", 1)))
    return _expand(arr, periodic, axis, rate) * fac[spec.index(nid)][hy][None, :], False


def _scale_factors(arg: Mapping[str, Any], axis: TimeAxis) -> np.ndarray:
    """Per-step factor of a ``scale_inflows`` change."""
    f = np.full(axis.n_steps, float(arg.get("factor", 1.0)))
    months = arg.get("months")
    if months is not None:  # 12 factors, January first (checked by load_overlay)
        f = f * np.asarray(months, dtype=float)[axis.month - 1]
    years = arg.get("years")
    if years is not None:
        hy = _hydro_year_index(axis) + 1
        f = np.where(np.isin(hy, list(years)), f, 1.0)
    return f


def _shift(arr: np.ndarray, steps: float, wrap: bool) -> np.ndarray:
    """Move a (S, T) series ``steps`` steps earlier; ``wrap`` for a 12-month cycle, otherwise the first or last step
    repeats past the ends.  A fraction of a step is linear between the whole-step shifts, which is exact for
    volumes per step: with the flow constant within each step, the interval one step long that starts a fraction
    ``a`` into step k holds (1 - a) of step k's volume and ``a`` of step k + 1's."""
    n = int(np.floor(steps))
    a = steps - n
    T = arr.shape[1]

    def take(k: int) -> np.ndarray:
        idx = np.arange(T) + k
        idx = idx % T if wrap else np.clip(idx, 0, T - 1)
        return arr[:, idx]

    return (1 - a) * take(n) + a * take(n + 1)


def _shift_within_years(arr: np.ndarray, steps: float, axis: TimeAxis) -> np.ndarray:
    """:func:`_shift` of per-step values, wrapping within each whole hydrological year of the run (12 monthly
    steps, or N-day steps holding at least 365 - N days: a year of N-day steps starts with the first step that
    begins in it), so that each year's cycle moves and its total is kept.  A part year at either end of the run
    does not wrap: it takes the flow of the steps that follow it, and the last step repeats past the end."""
    out = _shift(arr, steps, wrap=False)
    hy = _hydro_year_index(axis)
    days = np.asarray(axis.days, dtype=float)
    for y in np.unique(hy):
        idx = np.flatnonzero(hy == y)
        whole = len(idx) == 12 if axis.step_days is None else days[idx].sum() >= 365 - axis.step_days
        if whole:
            out[:, idx] = _shift(arr[:, idx], steps, wrap=True)
    return out


def _make_inflow_op(op: str):  # type: ignore[no-untyped-def]
    def apply(doc: dict, arg: Any, at: _ChangeAt) -> list[Problem]:
        return _inflow_op(doc, arg, at, op)

    return apply


_APPLY = {"set": _op_set, "set_edges": _op_set_edges, "add_nodes": _op_add_nodes, "remove_nodes": _op_remove_nodes,
          "add_edges": _op_add_edges, "remove_edges": _op_remove_edges, "scale_demands": _op_scale_demands,
          **{op: _make_inflow_op(op) for op in _INFLOW_OPS}}


def _inflow_arrays(inflows: Any) -> dict[str, np.ndarray]:
    """Copies of :func:`transform_inflows`'s inflow arrays as floats, once they are known to be (trace, step)
    arrays of one length (a TypeError or ValueError that names the inflow, not NumPy's own)."""
    if not isinstance(inflows, Mapping):
        raise TypeError(f"inflows: give a mapping of inflow ids to (trace, step) arrays, not {kind_of(inflows)}")
    out: dict[str, np.ndarray] = {}
    for k, v in inflows.items():
        if not isinstance(k, str):
            raise TypeError(f"inflows: the keys are inflow ids as text, not {kind_of(k)}")
        try:
            out[k] = np.array(v, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"inflows[{k!r}]: give numbers in a (trace, step) array, not {kind_of(v)}") from None
        if out[k].ndim != 2 or 0 in out[k].shape:
            raise ValueError(f"inflows[{k!r}] is shaped {out[k].shape}: give a (trace, step) array of at least one "
                             "trace and one step (one trace is shaped (1, steps))")
    lengths = {a.shape[1] for a in out.values()}
    if len(lengths) > 1:
        raise ValueError("the inflow arrays cover different numbers of steps: "
                         + ", ".join(f"{k}: {a.shape[1]}" for k, a in out.items()))
    return out


def _first_month(start: Any) -> pd.Timestamp:
    """:func:`transform_inflows`'s ``start``, the first day of a month given as text or a timestamp."""
    if not isinstance(start, (str, pd.Timestamp, datetime.date, np.datetime64)):
        raise TypeError(f"start={short_text(start)}: give the first month as text (YYYY-MM) or a date")
    not_a_date = ValueError(f"start={start!r}: not a date; give the first month as YYYY-MM")
    try:  # ("October" is read as the year 1, out of pandas' range)
        s = pd.Timestamp(start)
        plain = s is not pd.NaT and s.tz is None
        first = s.to_period("M").to_timestamp() if plain else s
    except ValueError:
        raise not_a_date from None
    if s is pd.NaT:
        raise not_a_date
    if not plain:  # (a month's first day in a time zone is not one of the run's dates)
        raise ValueError(f"start={start!r}: give the first month without a time zone (YYYY-MM)")
    if s != first:
        raise ValueError(f"start={start!r}: the inflows' monthly steps start on a month's first day; give YYYY-MM")
    return s


def transform_inflows(inflows: Mapping[str, np.ndarray], names: Sequence[str], start: str | pd.Timestamp,
                      basins: Mapping[str, Sequence[str]], library: str | Path | None = None) -> dict[str, np.ndarray]:
    """Apply the inflow changes of overlays to inflow arrays (other changes are ignored).

    A change naming inflows that are not among ``inflows`` leaves them alone: they keep the model's own series,
    which the same overlays change when the model is built (and where a name that is no inflow is reported).

    Parameters
    ----------
    inflows
        Per inflow node, hm³ per month shaped (trace, step), monthly steps from ``start``.
    names
        Overlay names or paths, applied in order.
    start
        Date of the first step.
    basins
        Inflow ids per basin (the model's ``metadata.basins``).

    Returns
    -------
    dict
        The changed arrays (new arrays; the inputs are not modified).

    Raises
    ------
    TypeError
        If ``basins`` is not a mapping of names to lists of ids (one id alone, as text, is not a list), ``inflows``
        not a mapping of arrays of numbers, or ``start`` neither text nor a date.
    ValueError
        If an inflow array is not (trace, step), they differ in length, or ``start`` is not a month's first day.
    ModelError
        If an overlay's change cannot be applied to the arrays.
    """
    if not isinstance(basins, Mapping):
        raise TypeError(f"basins: give a mapping of basin names to lists of inflow ids, not {kind_of(basins)}")
    for name, ids in basins.items():
        if isinstance(ids, str) or not isinstance(ids, Sequence):  # (text was read letter by letter: no match)
            raise TypeError(f"basins[{name!r}]: give a list of inflow ids, not {kind_of(ids)}")
    out = _inflow_arrays(inflows)
    if not out:
        return out
    n_steps = next(iter(out.values())).shape[1]
    s = _first_month(start)
    end = s + pd.DateOffset(months=n_steps - 1)
    axis = TimeAxis.from_range(s, end)
    doc = {"time": {"start": f"{s:%Y-%m}", "end": f"{end:%Y-%m}"},
           "metadata": {"basins": {name: list(ids) for name, ids in basins.items()}},
           "nodes": [{"id": k, "type": "inflow"} for k in out]}
    problems: list[Problem] = []
    for name in overlay_names(names):
        ov = load_overlay(name, library)
        for i, change in enumerate(ov.changes):
            op, arg = next(iter(change.items()))
            if op not in _INFLOW_OPS:
                continue
            if isinstance(arg.get("nodes"), list):  # the other inflows keep the model's series (changed with it)
                arg = {**arg, "nodes": [nid for nid in arg["nodes"] if nid in out]}
            at = _ChangeAt(ov.file, f"changes[{i}].{op}")
            if (outside := _years_outside(op, arg, axis)) is not None:
                problems.append(at.problem(outside))
                continue
            ids, probs = _inflow_targets(doc, arg, at)
            problems += probs
            if op == "named_years":
                ids = _named_year_nodes(ids, arg, at, problems)
            for nid in ids:
                out[nid], _ = _transform(out[nid], False, op, arg, axis, nid, doc)
    if problems:
        raise ModelError(problems)
    return out
