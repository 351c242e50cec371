"""Overlay files: finding them (a library's name or a path), reading them, and checking the arguments of their
changes before anything is applied (:func:`load_overlay`)."""

from __future__ import annotations

import calendar
import copy
import errno
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from .._files import missing_cwd_note
from ..errors import LINK_LOOP, ModelError, Problem, did_you_mean, kind_of, read_as, short_text
from ..model.documents import read_document, read_document_digest
from ..units import (
    UnitError,
    comma_split_hint,
    is_number,
    miswritten_number,
    number_in_text,
    percent_as_fraction,
    split_decimals_hint,
)
from ._document import _edge_ends, _is_name

_TOP_KEYS = {"title", "description", "sources", "group", "caveats", "changes"}
_OPS = ("set", "set_edges", "set_constraints", "set_parameters", "add_nodes", "remove_nodes", "add_edges",
        "remove_edges", "add_constraints", "add_parameters", "scale_demands", "scale_inflows", "shift_peak",
        "named_years")
#: the changes that set attributes of named things of the model, and what they name
_SETS = {"set": "node_id", "set_constraints": "constraint_id", "set_parameters": "parameter_name"}
_INFLOW_OPS = ("scale_inflows", "shift_peak", "named_years")
# the keys each change that takes a mapping of options accepts
_OPTIONS = {"scale_demands": ("factor", "months", "nodes", "countries", "category"),
            "scale_inflows": ("nodes", "basin", "factor", "months", "years"),
            "shift_peak": ("nodes", "basin", "months"),
            "named_years": ("nodes", "basin", "name", "first_year")}
_MAX_SHIFT_MONTHS = 12
#: the suffixes of overlay files, read as YAML or (``.json``) JSON by the model files' reader
OVERLAY_SUFFIXES = (".yaml", ".yml", ".json")
#: the suffixes of the overlay files of a library, each named by its file's name without it
_LIBRARY_SUFFIXES = (".yaml", ".json")


@dataclass(frozen=True)
class Overlay:
    """A parsed scenario overlay: its name, file, title, description, sources and list of changes, its group
    (overlays of one group set the same things each its own way, so at most one of them applies; "" for none),
    and its caveats (what a reader of the results of a model it changes must know; added to the model's)."""

    name: str
    file: str
    title: str
    description: str
    sources: str
    changes: tuple[Mapping[str, Any], ...]
    group: str = ""
    caveats: tuple[str, ...] = ()
    in_python: bool = False  # given as a mapping in Python (:class:`OverlayDocument`), not read from a file
    sha256: str = ""  # a SHA-256 digest of the file's bytes as they were read ("" for one given in Python)


@dataclass(frozen=True, eq=False)
class OverlayDocument:
    """An overlay given in Python as a mapping, as an overlay file's content (``{"name": "uzb+10", "changes":
    [...]}``), where a name or path of one may be given (:func:`overlay_names` makes them).

    Its problems are named by ``name`` (its ``name`` key, or ``overlay[i]``, its place in the list of scenarios)
    with their place in it, as a file's by the file; results record it by that name.  ``document`` is a copy of
    the mapping as given: changing the mapping later changes no model.
    """

    name: str
    document: Mapping[str, Any]

    def __str__(self) -> str:
        return self.name


#: a scenario overlay as the Python API takes it: a library name, a path to an overlay file, or a mapping
OverlaySpec = str | os.PathLike[str] | Mapping[str, Any] | OverlayDocument


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


#: the subject of the problems of a scenario that cannot be found (none of the model's files is at fault)
ASKED_FOR = "in the scenarios asked for"


def scenario_path(name: str, library: str | Path | None = None) -> Path:
    """The overlay file of a library scenario name, or ``name`` itself if it is a path to an overlay file (its name
    ending in one of :data:`OVERLAY_SUFFIXES`: a YAML or JSON file).

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
    if p.suffix.lower() in OVERLAY_SUFFIXES:
        p = Path(os.path.expanduser(name))  # (a path starting ~ is in the user's home folder, as a shell reads it)
        if p.is_file():
            return p
        raise ModelError(Problem(str(p), "", "is a folder, not a scenario file" if p.is_dir()
                                 else f"cannot be read: {LINK_LOOP}" if _link_loop(p)
                                 else "is not a regular file (a named pipe, a device or a socket)" if p.exists()
                                 else f"scenario file not found: {note}" if (note := missing_cwd_note(p))
                                 else "scenario file not found" if p.is_absolute()
                                 else f"scenario file not found (looked for {p.absolute()}: a path given for a "
                                      "scenario is read from the current folder)"), subject=ASKED_FOR)
    if p.is_dir() and (os.sep in name or "/" in name):  # (a library name is not a path, even beside a folder of it)
        raise ModelError(Problem(str(p), "", "is a folder, not a scenario file"), subject=ASKED_FOR)
    files = _library_files(_library(library))
    if name in files:
        return files[name]
    names = sorted(files)
    here = ("" if not name.strip() or not p.exists()  # ('' is Path('.'), this folder)
            else f"; '{name}' here is a folder, not a scenario file" if p.is_dir()
            else f"; the file '{name}' here is not read as an overlay, whose name ends in .yaml, .yml or .json")
    whose = "the embedded Aral Sea basin model's library" if library is None else "the library's"
    raise ModelError(Problem("", f"scenario '{name}'", f"unknown scenario{did_you_mean(name, names)}; use one of "
                             f"{whose}: {', '.join(names)}, or, for any model, a path to an overlay file (.yaml or "
                             f".json){here}"), subject=ASKED_FOR)


def _library_files(lib: Path) -> dict[str, Path]:
    """The overlay files of the library folder ``lib`` (YAML or JSON, :data:`_LIBRARY_SUFFIXES`), by name: their
    file names without the suffix, sorted.

    Raises
    ------
    ModelError
        If two files of the library have one name (``dry.yaml`` and ``dry.json``): which one the name means
        would depend on a rule no one reads.
    """
    files: dict[str, Path] = {}
    for f in sorted(f for f in lib.iterdir() if f.suffix in _LIBRARY_SUFFIXES and f.is_file()):
        if f.stem in files:
            raise ModelError(Problem(str(f), "", f"the library has two overlays named '{f.stem}', {files[f.stem].name}"
                                     f" and {f.name}: remove or rename one"), subject=ASKED_FOR)
        files[f.stem] = f
    return dict(sorted(files.items()))


def _read_overlay(path: Path) -> tuple[Any, str]:
    """An overlay file's document, as plain dicts (its changes go into another file's document, where a line of
    this file would mislead), and a SHA-256 digest of its bytes as read; a malformed file is a problem of the
    scenarios asked for, not of the model's files."""
    try:
        return read_document_digest(path, lines=False)
    except ModelError as exc:
        raise ModelError(exc.problems, exc.note, subject=ASKED_FOR) from None


def list_scenarios(library: str | Path | None = None) -> list[tuple[str, str]]:
    """(name, title) of every overlay in the library, sorted by name."""
    return [(name, title) for name, title, _ in library_entries(library)]


def scenario_groups(library: str | Path | None = None) -> dict[str, str]:
    """Overlay name → its group ("" for none), by name, of every overlay in ``library`` (as
    :func:`library_entries`): of the overlays of one group, at most one applies to a model."""
    return {name: group for name, _, group in library_entries(library)}


def library_entries(library: str | Path | None = None) -> list[tuple[str, str, str]]:
    """Every overlay of a library, read once.

    Parameters
    ----------
    library
        The folder of overlay files; None: the embedded Aral Sea basin model's.

    Returns
    -------
    list of tuple
        (name, title, group) of each overlay, sorted by name (group "" for an overlay of no group).
    """
    out = []
    for name, f in _library_files(_library(library)).items():
        doc, _ = _read_overlay(f)
        doc = doc if isinstance(doc, Mapping) else {}
        out.append((name, str(doc.get("title") or ""), str(doc.get("group") or "")))
    return out


def load_overlay(name: str | OverlayDocument, library: str | Path | None = None) -> Overlay:
    """Read and check the structure of one overlay (library name, path, or a mapping given in Python as an
    :class:`OverlayDocument`).

    Raises
    ------
    ModelError
        For an unknown name, malformed YAML, unknown top-level keys, unknown change types, or arguments of a
        change of the wrong type or value (each problem names the file, or the overlay's name, and the change).
    """
    if isinstance(name, OverlayDocument):
        return _checked_overlay(copy.deepcopy(dict(name.document)), name.name, name.name, in_python=True)
    path = scenario_path(name, library)
    doc, digest = _read_overlay(path)
    if doc is None:  # (it was taken as an overlay changing nothing: a file saved empty by mistake, say)
        raise ModelError(Problem(str(path), "", "the overlay file is empty: give its title and changes"),
                         subject=ASKED_FOR)
    in_library = path.parent == (library_dir() if library is None else Path(library))
    return replace(_checked_overlay(doc, str(path), path.stem if in_library else str(path)), sha256=digest)


def _checked_overlay(doc: Any, file: str, name: str, in_python: bool = False) -> Overlay:
    """The :class:`Overlay` of document ``doc`` (of overlay ``file``, named ``name``), its structure checked (see
    :func:`load_overlay`, which raises what this raises); a mapping given in Python may have a ``name``."""
    problems = []
    if not isinstance(doc, Mapping):
        raise ModelError(Problem(file, "", "an overlay must be a mapping with title and changes"),
                         subject=ASKED_FOR)
    if "changes" not in doc and {"version", "nodes"} & set(doc):  # (a model given where an overlay goes)
        raise ModelError(Problem(file, "", "this is a model (it has " + " and ".join(
            k for k in ("version", "nodes") if k in doc) + "), not a scenario overlay (title and changes): give it "
            "as the model (daryo run FILE), and as a scenario an overlay of changes to it"), subject=ASKED_FOR)
    keys = _TOP_KEYS | {"name"} if in_python else _TOP_KEYS
    for key in doc:
        if key not in keys:
            problems.append(Problem(file, str(key), f"unknown key; use: {', '.join(sorted(keys))}"))
    if in_python and "name" in doc and not _is_name(doc["name"]):
        problems.append(Problem(file, "name", f"must be the overlay's name (text), not '{short_text(doc['name'])}'"))
    elif in_python and name in _library_files(library_dir()):  # (results would name both alike: a diff review)
        problems.append(Problem(file, "name", f"'{name}' is the name of a scenario of the library: give yours "
                                "another name, so that results tell them apart"))
    for key in ("title", "description", "sources"):
        if isinstance(doc.get(key), Mapping | list):
            problems.append(Problem(file, key, f"must be text, not '{short_text(doc[key])}'"))
    if "group" in doc and not _is_name(doc["group"]):
        group = doc["group"]
        problems.append(Problem(file, "group", "has no value: give the group's name, or leave the key out"
                                if group is None else f"must be a name (text), not '{short_text(group)}'"))
    caveats = doc.get("caveats", [])
    if isinstance(caveats, str):
        caveats = [caveats]
    if not isinstance(caveats, list) or not all(isinstance(c, str) and c.strip() for c in caveats):
        problems.append(Problem(file, "caveats", "must be a list of sentences (text), what a reader of the "
                                f"results must know, not '{short_text(doc.get('caveats'))}'"))
        caveats = []
    changes = doc.get("changes")
    if "changes" not in doc:  # (it would change nothing, without a word)
        problems.append(Problem(file, "", "the overlay has no changes: give its title and changes"))
        changes = []
    elif not isinstance(changes, list):  # (changes: 0, '' or null were taken as no changes; [] is a baseline's)
        problems.append(Problem(file, "changes", "has no value; give a list of changes ([] for none)"
                                if changes is None else f"must be a list of changes ([] for none), not {changes!r}"))
        changes = []
    for i, ch in enumerate(changes):
        if not isinstance(ch, Mapping) or len(ch) != 1 or next(iter(ch)) not in _OPS:
            one = isinstance(ch, Mapping) and len(ch) == 1
            what = f"'{next(iter(ch))}' is not a change{did_you_mean(str(next(iter(ch))), _OPS)}: " if one else ""
            problems.append(Problem(file, f"changes[{i}]", f"{what}each change is a mapping with one key out "
                                    f"of: {', '.join(_OPS)}"))
            continue
        op, written = next(iter(ch.items()))
        arg = _percents_as_factors(op, written)
        changes[i] = {op: arg}
        problems += _check_change(op, arg, file, f"changes[{i}].{op}")
        problems += _large_factors(op, written, arg, file, f"changes[{i}].{op}")
    problems += _repeated_changes(changes, file, in_python)
    if problems:
        raise ModelError(problems, subject=ASKED_FOR)
    return Overlay(name, file, str(doc.get("title", "")), str(doc.get("description", "")), str(doc.get("sources", "")),
                   tuple(changes), str(doc.get("group") or ""), tuple(" ".join(c.split()) for c in caveats),
                   in_python)  # (the caveats one line each: results keep a model's caveats one a line)


def overlay_names(names: OverlaySpec | Iterable[OverlaySpec]) -> tuple[str | OverlayDocument, ...]:
    """Overlays as the loaders take them: names and paths as text, mappings (an overlay file's content given in
    Python) as :class:`OverlayDocument`, each named by its ``name`` key, or else ``overlay[i]``, ``i`` its place in
    the list.  One name, path or mapping alone is one overlay (a name's letters are not overlays).

    Raises
    ------
    TypeError
        If ``names`` is not a name, path or mapping, or an iterable of them.
    """
    if isinstance(names, str | os.PathLike | Mapping | OverlayDocument):
        names = [names]
    if not isinstance(names, Iterable):
        raise TypeError(f"scenarios={names!r}: give overlay names, paths or mappings, one or a list of them")
    out = tuple(names)
    if not all(isinstance(n, str | os.PathLike | Mapping | OverlayDocument) for n in out):
        raise TypeError(f"scenarios={names!r}: give overlay names, paths or mappings (an overlay file's content), one "
                        "or a list of them")
    return tuple(n if isinstance(n, OverlayDocument) else _overlay_document(n, i) if isinstance(n, Mapping)
                 else str(n) for i, n in enumerate(out))


def _overlay_document(doc: Mapping[str, Any], i: int) -> OverlayDocument:
    """Mapping ``doc``, the ``i``-th overlay asked for, as an :class:`OverlayDocument` (a copy of it) named by its
    ``name`` key (``overlay[i]`` where it has none that is text)."""
    name = doc.get("name")
    return OverlayDocument(name.strip() if isinstance(name, str) and name.strip() else f"overlay[{i}]",
                           copy.deepcopy(dict(doc)))


#: the changes that add or remove nodes, edges, constraints or parameters: one repeated is told when it is applied (a
#: thing added that is there already, or removed that is not), and may be meant (added, removed, added again), so
#: the check of repeated changes leaves them alone
_STRUCTURAL = ("add_nodes", "remove_nodes", "add_edges", "remove_edges", "add_constraints", "add_parameters")


def _repeated_changes(changes: list[Any], file: str, in_python: bool) -> list[Problem]:
    """A problem for each change of an overlay that is the same as one before it, its kind and arguments (its
    percentages read as factors: ``85 %`` is ``0.85``), naming both places.

    A change pasted twice, or kept from both sides of a merge, was applied twice without a word: a drought's
    ``scale_inflows`` of 85 % twice took 72.25 % of the river (a team's review), as an overlay asked for twice
    would (:func:`daryo.scenarios.apply`, which refuses that).  Two changes of one thing that differ (two
    factors of one basin, a value set and then another) are each meant, and are applied in order.  The changes that
    add or remove nodes or edges may be repeated: a node removed, added back and removed again (twice in a row,
    applying them says that the node is no longer there, or there already).  A value set again after another
    (``KGZ``, ``UZB``, ``KGZ``) is meant, its order matters: the ``set_*`` changes are refused only where they repeat
    the change just before them.  A scaling repeated where its factor times itself is above
    :data:`_MAX_FACTOR` is meant too: that is how a factor above it is given, in two changes (a diff review: a ×100
    in two changes of 10, which the message refusing a factor of 100 advises, was refused as a repeat)."""
    first: dict[Any, int] = {}
    repeated: list[tuple[int, int]] = []  # (the change, the one before it that it repeats)
    for j, change in enumerate(changes):
        if not (isinstance(change, Mapping) and len(change) == 1 and next(iter(change)) not in _STRUCTURAL):
            continue
        op, arg = next(iter(change.items()))
        key = _frozen(change)
        i = (j - 1 if j and _frozen(changes[j - 1]) == key else j) if op.startswith("set") else first.setdefault(key, j)
        if i != j and not _beyond_one_factor(op, arg):
            repeated.append((j, i))
    if not repeated:
        return []
    lines = {} if in_python else _change_lines(file)

    def at(k: int) -> str:
        return f"changes[{k}]" + (f" (line {lines[k]})" if k in lines else "")

    out = []
    for j, i in repeated:
        op, arg = next(iter(changes[j].items()))
        out.append(Problem(file, f"changes[{j}].{op}" + (f" (line {lines[j]})" if j in lines else ""),
                           f"the same change as {at(i)}: it would apply twice{_twice(op, arg)}; delete one"))
    return out


def _beyond_one_factor(op: str, arg: Any) -> bool:
    """Whether a scaling ``op`` of arguments ``arg`` applied twice scales by more than one change may
    (:data:`_MAX_FACTOR`): the way to give such a factor, not a repeat."""
    factor = arg.get("factor") if isinstance(arg, Mapping) else None
    return (op in ("scale_demands", "scale_inflows") and isinstance(factor, int | float) and _is_factor(factor)
            and float(factor) * float(factor) > _MAX_FACTOR)


def _frozen(value: Any) -> Any:
    """``value``, a change's document, as a value that can be hashed and equals another's where the documents are
    equal (a mapping's keys in any order)."""
    if isinstance(value, Mapping):
        return frozenset((_frozen(k), _frozen(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _twice(op: str, arg: Any) -> str:
    """What a change ``op`` (of arguments ``arg``) applied twice does, for the message of a change written twice
    (`` (its factor 0.85 would multiply again: 0.85 × 0.85 = 0.7225)``; "" where it changes nothing more)."""
    factor = arg.get("factor") if isinstance(arg, Mapping) else None
    if op in ("scale_demands", "scale_inflows") and isinstance(factor, int | float) and _is_factor(factor):
        return f" (its factor {factor:g} would multiply again: {factor:g} × {factor:g} = {factor * factor:.6g})"
    if op in ("scale_demands", "scale_inflows", "named_years"):
        return " (its factors would multiply again)"
    if op == "shift_peak":
        return " (the seasonal cycle would shift twice as far)"
    return ""


def _change_lines(file: str) -> dict[int, int]:
    """The line of each change of overlay ``file`` (none where it cannot be read again)."""
    try:
        doc = read_document(Path(file))
    except (ModelError, OSError):
        return {}
    changes = doc.get("changes") if isinstance(doc, Mapping) else None
    item_lines = getattr(changes, "item_lines", None)
    return dict(enumerate(item_lines)) if item_lines else {}


# ----------------------------------------------------------------------------------- checking changes
#: the start of the problem of a change that changes nothing (an empty list or mapping: a list left unfinished?)
_NOTHING = "changes nothing (it is empty); "


def _check_change(op: str, arg: Any, file: str, place: str) -> list[Problem]:
    """Problems with the arguments of one change, found before anything is applied: their types, numbers and
    option keys.  Whether the nodes and edges they name are in the model is checked when the change is applied."""

    def problem(where: str, message: str) -> list[Problem]:
        return [Problem(file, place + where, message)]

    out: list[Problem] = []
    if op in _SETS:
        shape = f"give {{{_SETS[op]}: {{attribute: value, ...}}}}"
        if not isinstance(arg, Mapping):
            return problem("", shape)
        if not arg:
            return problem("", _NOTHING + shape)
        for nid, attrs in arg.items():
            if (op == "set_constraints" and attrs is None) or (op == "set_parameters" and is_number(attrs)):
                continue  # (null removes a constraint; a number sets a parameter to that constant)
            if not isinstance(attrs, Mapping):
                out += problem(f".{nid}", f"give {{attribute: value, ...}} (null removes an attribute), not {attrs!r}")
            elif not attrs:
                out += problem(f".{nid}", _NOTHING + "give {attribute: value, ...} (null removes an attribute)")
            elif "id" in attrs and op != "set_parameters":
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
                syntax = "json" if file.lower().endswith(".json") else "yaml"
                read = (f", but {read_as(nid, syntax)}; put the id in quotes" if isinstance(
                    nid, bool | int | float) else "")
                out += problem(f"[{j}]", f"a node needs an id (text){read}")
        return out
    if op == "add_constraints":
        return _check_added_constraints(arg, file, place)
    if op == "add_parameters":
        return _check_added_parameters(arg, file, place)
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


def _check_added_constraints(arg: Any, file: str, place: str) -> list[Problem]:
    """Problems with the argument of an ``add_constraints`` change: a list of constraints as a model file's
    ``constraints:`` has them, each a mapping with an id (their types and attributes the loader checks, as a model
    file's, and names at the change)."""
    shape = "give a list of constraints as in a model file: [{id: ..., type: flow_sum, nodes: [...], ...}, ...]"
    if not isinstance(arg, list):
        return [Problem(file, place, shape)]
    if not arg:
        return [Problem(file, place, _NOTHING + shape)]
    out = []
    for j, c in enumerate(arg):
        if not isinstance(c, Mapping):
            out.append(Problem(file, f"{place}[{j}]", f"a constraint is a mapping {{id: ..., type: ..., ...}}, not "
                               f"'{short_text(c)}'"))
        elif not _is_name(c.get("id")):
            out.append(Problem(file, f"{place}[{j}]", "a constraint needs an id (text)"))
    return out


def _check_added_parameters(arg: Any, file: str, place: str) -> list[Problem]:
    """Problems with the argument of an ``add_parameters`` change: a mapping of names to parameters as a model file's
    ``parameters:`` has them (each a number, a constant, or a mapping with its ``type``, whose fields the loader
    checks, as a model file's, and names at the change)."""
    shape = "give a mapping of parameter names to parameters as in a model file: {name: {type: ..., ...}, ...}"
    if not isinstance(arg, Mapping):
        return [Problem(file, place, shape)]
    if not arg:
        return [Problem(file, place, _NOTHING + shape)]
    out = []
    for name, spec in arg.items():
        if not _is_name(name):
            out.append(Problem(file, f"{place}.{name}", f"a parameter's name is text, not {name!r}"))
        elif not (isinstance(spec, Mapping) or is_number(spec)):
            out.append(Problem(file, f"{place}.{name}", "a parameter is a number (a constant) or a mapping with a "
                               f"'type', not '{short_text(spec)}'"))
    return out


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
    out = [Problem(file, f"{place}.{k}", f"unknown option; use: {', '.join(keys)}{comma_split_hint(k)}")
           for k in arg if k not in keys]  # ({factor: 0,8}: an option '8', a decimal comma split)

    def bad(key: str, message: str, count: int = 0) -> None:
        if key in arg:
            v = arg[key]
            hint = _read_as_text(v) or (f"; {miswritten_number(v)}" if miswritten_number(v) else "") or (
                split_decimals_hint(v, count) if count else "")
            out.append(Problem(file, f"{place}.{key}", f"{message}, not {v!r}{hint}"))

    if "nodes" in arg and not _is_names(arg["nodes"]):
        bad("nodes", "give a list of node ids")
    if op == "scale_demands":
        if arg.get("factor") is None and arg.get("months") is None:
            out.append(Problem(file, place, "give the factor or 12 monthly factors (months), or both (and nodes, or "
                                            "countries and/or category; none: every demand)"))
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
        bad("factor", "give a number of 0 or more (or a percentage: 90 %)")
    if op in ("scale_inflows", "scale_demands"):
        if op == "scale_inflows" and arg.get("factor") is None and arg.get("months") is None:  # (months: null
            # changed nothing too)
            out.append(Problem(file, place, "give the factor or 12 monthly factors (months), or both"))
        months = arg.get("months")
        if months is not None and not (isinstance(months, list) and len(months) == 12
                                       and all(_is_factor(f) for f in months)):
            bad("months", "give 12 factors of 0 or more, January first", 12)
    if op == "scale_inflows":
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


def _is_names(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(_is_name(x) for x in v)


def _percents_as_factors(op: str, arg: Any) -> Any:
    """``arg`` of change ``op`` with a factor (or a month's factor) written as a percentage (``90 %``, as model
    files take fractions) as the number it means (0.9); anything else as it is, for the checks to judge."""
    if op not in ("scale_demands", "scale_inflows") or not isinstance(arg, Mapping):
        return arg
    out = dict(arg)
    if "factor" in out:
        out["factor"] = _factor_of(out["factor"])
    if isinstance(out.get("months"), list):
        out["months"] = [_factor_of(f) for f in out["months"]]
    return out


def _factor_of(value: Any) -> Any:
    """A percentage of 0 or more (``"90 %"``) as a factor (0.9), a number written in Persian or Arabic-Indic digits
    (``'۰٫۹'``, ``'۹۰ %'``) as the number it is; anything else as it is (a negative percentage too, which the checks
    name as it was written, and a number that mixes the digits of two scripts)."""
    try:
        number = number_in_text(value)
    except UnitError:
        return value
    if number is not None:
        return number
    fraction = percent_as_fraction(value)
    return fraction if fraction is not None and fraction >= 0 else value


#: the largest factor a change takes: a larger one is a percentage written without its sign, far more likely than
#: a river or a demand scaled beyond ten times (a review: ``factor: 85`` for 85 % passed ``daryo validate``, and
#: the run failed with an infeasible step that blamed the network)
_MAX_FACTOR = 10


def _large_factors(op: str, written: Any, arg: Any, file: str, place: str) -> list[Problem]:
    """The factors of a ``scale_demands`` or ``scale_inflows`` change (``arg``, its percentages read as factors;
    ``written``, as the file gives them) above :data:`_MAX_FACTOR`, each a problem."""
    if op not in ("scale_demands", "scale_inflows") or not isinstance(arg, Mapping):
        return []
    out = []
    if _is_factor(arg.get("factor")) and arg["factor"] > _MAX_FACTOR:
        out.append(Problem(file, f"{place}.factor", _percent_hint(arg["factor"], written["factor"])))
    months = arg.get("months")
    if isinstance(months, list) and len(months) == 12 and all(_is_factor(f) for f in months):  # (else told already)
        out += [Problem(file, f"{place}.months[{i}] ({calendar.month_name[i + 1]})",
                        _percent_hint(f, written["months"][i])) for i, f in enumerate(months) if f > _MAX_FACTOR]
    return out


def _percent_hint(factor: float, written: Any) -> str:
    """The message for a factor above :data:`_MAX_FACTOR` (``written``: as the file gives it): a percentage without
    its sign, up to 1000."""
    if isinstance(written, str):  # (a percentage: 1500 %)
        return f"{written.strip()} is a factor of {factor:g}, above {_MAX_FACTOR}: give at most {_MAX_FACTOR * 100} %"
    if factor > 1000:
        return (f"a factor of {factor:g} is far beyond any change of a river or a demand: give one of at most "
                f"{_MAX_FACTOR}")
    return (f"a factor of {factor:g} multiplies by {factor:g}: for {factor:g} % write '{factor:g} %'; factors above "
            f"{_MAX_FACTOR} are refused as percentages without their sign (scale in two changes for more)")


def _is_factor(v: Any) -> bool:
    return is_number(v) and math.isfinite(v) and v >= 0


def _is_count(v: Any) -> bool:
    """A 1-based whole number (a year of the run)."""
    return isinstance(v, int) and not isinstance(v, bool) and v >= 1


def volume_set_by_user(origins: Mapping[str, tuple[str, str]], node: str) -> bool:
    """Whether the initial volume of reservoir ``node`` was set, or the reservoir added, by an overlay file of the
    user's (``origins``: where each value the overlays set came from, :func:`daryo.scenarios.overlaid_document`);
    a library overlay's volume (``rogun-full``'s) is the model's own."""
    library = library_dir().resolve()
    return any(Path(origins[key][0]).resolve().parent != library
               for key in (f"nodes[{node}].initial_volume", f"nodes[{node}]") if key in origins)


# ----------------------------------------------------------------------------------- lines of problems
#: a place's parts: ``changes``, ``[2]``, ``set``, ``farm`` of ``changes[2].set.farm`` (a bracket's content whole)
_PLACE_PART = re.compile(r"\[([^\]]*)\]|([^.\[\]]+)")


def with_overlay_lines(exc: ModelError) -> ModelError:
    """``exc`` with the line of each of its problems in an overlay file added to its place, as a model file's
    problems have theirs (``changes[2].scale_demands.factor (line 11)``); ``exc`` itself if none gains one.

    The overlays' changes are applied to the model's document as plain data (a line of the overlay's file would
    mislead among the model's), so their problems name the change by its place; the line is found afterwards, by
    reading the file again and following the place within it.  A problem whose file is not an overlay, or whose
    place is not found in it, is left as it is."""
    docs: dict[str, Any] = {}
    out, changed = [], False
    for p in exc.problems:
        try:
            line = _overlay_line(p, docs)
        except Exception:  # noqa: BLE001 (a line is a help: never in the way of the problem it is for)
            line = None
        if line is not None:
            p = Problem(p.file, f"{p.place} (line {line})", p.message, p.code)
            changed = True
        out.append(p)
    return ModelError(out, exc.note, subject=exc.subject) if changed else exc


def _overlay_line(problem: Problem, docs: dict[str, Any]) -> int | None:
    """The line of ``problem``'s place in its file, if that is an overlay file (``docs``: the files read so far)."""
    file, place = problem.file, problem.place
    if not place or "(line " in place or not file.lower().endswith(OVERLAY_SUFFIXES):
        return None
    if file not in docs:
        try:
            docs[file] = read_document(Path(file))
        except (ModelError, OSError):
            docs[file] = None
    doc = docs[file]
    if not isinstance(doc, Mapping) or "changes" not in doc:  # (a model file's problems carry their lines)
        return None
    change, _, model_place = place.partition(": ")  # (``changes[1].add_nodes: nodes[d1].return_to``)
    parts = [bracket or word for bracket, word in _PLACE_PART.findall(change.split(" (", 1)[0])]
    more = [bracket or word for bracket, word in _PLACE_PART.findall(model_place)]
    return _line_of(doc, parts + (more[1:] if more[:1] in (["nodes"], ["edges"], ["constraints"], ["parameters"])
                                  else []))


def _line_of(doc: Any, parts: list[str]) -> int | None:
    """The line of the place ``parts`` (``changes``, ``2``, ``set``, ``farm``) in a document read with its lines:
    of the deepest key or item of it found (a key's own line, also of a key with dots, ``town.2``, or not text, ``1``;
    an item of a list by its value, id or ends, ``a->b``, else by its index)."""
    line, here, k = None, doc, 0
    while k < len(parts):
        if isinstance(here, Mapping):
            keys = {str(key): key for key in here}
            ends = [j for j in range(len(parts), k, -1) if ".".join(parts[k:j]) in keys]  # (the longest first)
            if not ends:
                break
            name = ".".join(parts[k:ends[0]])
            line = getattr(here, "key_lines", {}).get(name, line)
            here, k = here[keys[name]], ends[0]
        elif isinstance(here, list):
            key = parts[k]
            at = next((i for i, item in enumerate(here) if _names(item, key)), None)
            if key.isdecimal() and int(key) < len(here) and (at is None or not _has_id(here[int(key)])):
                at = int(key)  # (an item without a usable id is named by its position)
            if at is None:
                break
            item_lines = getattr(here, "item_lines", None)
            line = item_lines[at] if item_lines else line
            here, k = here[at], k + 1
        else:
            break
    return line


def _has_id(item: Any) -> bool:
    """Whether an item of a list has an id of text, by which a problem would name it."""
    return isinstance(item, Mapping) and isinstance(item.get("id"), str)


def _names(item: Any, key: str) -> bool:
    """Whether an item of a list is the one ``key`` names: by its value, its id or its ends (``a->b``)."""
    if isinstance(item, Mapping) and "id" in item:
        return str(item["id"]) == key
    ends = _edge_ends(item)
    return str(item) == key or (ends is not None and "->".join(ends) == key.replace(" ", ""))
