"""Applying overlays to a model document, in order (:func:`overlaid_document`), recording where each value they set
came from."""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .._files import overlay_label
from ..errors import ModelError, Problem
from ._document import InflowReader, _ChangeAt, _edge_ends, _nodes, _value
from .inflows import _changes_given_years, _make_inflow_op
from .overlay import _INFLOW_OPS, ASKED_FOR, Overlay, OverlayDocument, OverlaySpec, load_overlay, overlay_names
from .structure import (
    _check_added_demands,
    _check_references,
    _drop_from_basins,
    _may_change_references,
    _op_add_constraints,
    _op_add_edges,
    _op_add_nodes,
    _op_add_parameters,
    _op_remove_edges,
    _op_remove_nodes,
    _op_scale_demands,
    _op_set,
    _op_set_constraints,
    _op_set_edges,
    _op_set_parameters,
    _referenced,
    _references,
    _references_after,
)


def apply_scenarios(doc: Mapping[str, Any], names: OverlaySpec | Iterable[OverlaySpec],
                    library: str | Path | None = None) -> dict[str, Any]:
    """Apply overlays to a model document, in order; return a new document (``doc`` is not changed).

    (:func:`overlaid_document` gives also where each value the overlays set came from, for the loader's messages.)

    Parameters
    ----------
    doc
        A model document (the parsed YAML of a daryo model).
    names
        Library scenario names (see :func:`list_scenarios`), paths to overlay files, or overlays given as mappings
        (an overlay file's content; see :func:`~daryo.scenarios.overlay_names`).
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
        If ``names`` is not names, paths or mappings (one alone is one overlay).
    """
    return overlaid_document(doc, names, library)[0]


#: the problems a loader finds in an overlaid document, given where the overlays' values came from (none: it loads)
DocumentCheck = Callable[[dict[str, Any], Mapping[str, tuple[str, str]]], Sequence[Problem]]


def overlaid_document(doc: Mapping[str, Any], names: OverlaySpec | Iterable[OverlaySpec],
                      library: str | Path | None = None,
                      check: DocumentCheck | None = None, read_inflow: InflowReader | None = None
                      ) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    """:func:`apply_scenarios`, and where each value the overlays set came from.

    Parameters
    ----------
    doc, names, library
        As for :func:`apply_scenarios`, which raises what this raises.
    check
        The loader's check of a document (see :data:`DocumentCheck`).  Given, an overlay whose changes cannot all be
        applied is reported with the problems the loader finds in the values its other changes set (an unknown
        attribute, a negative volume), so that its every problem is told at once, not those of its values only
        once the others are mended.
    read_inflow
        Reads an inflow the model gives by a CSV file (:data:`InflowReader`), so that the inflow changes can change
        it (they change its values, read once, over the run's steps); None: such an inflow takes only a
        ``scale_inflows`` of one factor for every month and year.

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
    digests: list[str] = []  # each overlay file's SHA-256 as applied ("" for one given in Python)
    documents: dict[str, Any] = {}  # the overlays given in Python, by name: their content, which no file holds
    caveats: list[str] = []  # the overlays', each after its overlay's name
    given_years: list[str] = []  # the changes of given run years, which make inflows per step of this span
    removed_earlier: dict[str, str] = {}  # each node an earlier overlay removed: the overlay and its change
    added_all: dict[str, tuple[str, str]] = {}  # each node an overlay added: the overlay and its change
    origins: dict[str, tuple[str, str]] = {}  # each value an overlay set: the overlay and its change
    meta_before: Mapping[str, Any] = out["metadata"] if isinstance(out.get("metadata"), Mapping) else {}
    files_before, groups_before = meta_before.get("scenario_files"), meta_before.get("scenario_groups")
    # each overlay's file -> its name ("": applied to the document before)
    asked: dict[str, str] = {str(f): "" for f in files_before} if isinstance(files_before, list) else {}
    # each group -> the overlay of it asked for (or applied before)
    groups = {str(g): str(n) for g, n in groups_before.items()} if isinstance(groups_before, Mapping) else {}
    hydrology_inflows = _hydrology_inflows(out)  # (those that keep the model's named hydrology, if it names one)
    labels: dict[str, str] = {}  # each overlay's file -> how the hydrology's record names it
    shifted: dict[str, Any] = {}  # each inflow a shift_peak moved (the inflow changes' own: _ChangeAt.shifted)
    for name in names:
        ov = load_overlay(name, library)
        _check_combination(ov, asked, groups)
        problems: list[Problem] = []
        made: dict[tuple[str, ...], str] = {}  # each reference an overlay's change made: the change
        removed: dict[str, str] = {}  # each node a change removed: the change
        added: dict[str, str] = {}  # each node a change added: the change
        refs, ids = _references(out), set(_nodes(out))
        broken = {ref for ref in refs if not set(_referenced(ref)) <= ids}  # (the model's own: the loader's to say)
        for i, change in enumerate(ov.changes):
            op, arg = next(iter(change.items()))
            place = f"changes[{i}].{op}"
            at = _ChangeAt(ov.file, place, {**removed_earlier, **removed}, read_inflow, shifted)
            problems += _APPLY[op](out, arg, at)
            _note_origins(origins, op, arg, ov.file, place, out)
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
            raise ModelError(sorted(problems + _value_problems(check, out, origins, ov.file, problems),
                                    key=_change_index))
        added_all.update({nid: (ov.file, where) for nid, where in added.items()})
        labels[ov.file] = _hydrology_label(ov)
        applied.append(ov.name)
        files.append(_overlay_key(ov))
        digests.append(ov.sha256)
        if isinstance(name, OverlayDocument):
            documents[ov.name] = copy.deepcopy(dict(name.document))
        # (a file's by its full path, as results record it: a caveat of one overlay given by two paths is one caveat)
        label = ov.name if ov.name != ov.file else _overlay_key(ov)
        caveats += [f"{label}: {c}" for c in ov.caveats]
        removed_earlier.update({nid: f"{ov.file} {where}" for nid, where in removed.items()})
        present = set(_nodes(out))  # (a node added again, and not removed after that)
        removed_earlier = {nid: where for nid, where in removed_earlier.items() if nid not in present}
    unreached = _check_added_demands(out, added_all)
    if unreached:
        raise ModelError(unreached)
    _drop_from_basins(out, set(removed_earlier))
    _note_replaced_inflows(out, hydrology_inflows, origins, labels)
    if applied:
        meta = _value(out, "metadata", dict)
        before = meta.get("scenarios") or []
        meta["scenarios"] = (before if isinstance(before, list) else [before]) + applied
        before = meta.get("scenario_files") or []  # (each overlay's file as found now: a later run may be elsewhere)
        meta["scenario_files"] = (before if isinstance(before, list) else [before]) + files
        before = meta.get("scenario_sha256") or []  # (results record them: overlay_files, a journal's review)
        meta["scenario_sha256"] = (before if isinstance(before, list) else [before]) + digests
        if documents:  # (read again by what takes the overlays from the model: an ensemble's inflow changes, say)
            before = meta.get("scenario_documents")
            meta["scenario_documents"] = {**(before if isinstance(before, Mapping) else {}), **documents}
        if groups:  # (a later overlay of one of these groups is refused, also when applied to this document)
            meta["scenario_groups"] = dict(groups)
        before = meta.get("caveats")
        if caveats and (before is None or isinstance(before, list)):  # (after the model's own: results files keep
            # them, daryo run prints them; the model's of another kind are left for the loader to report)
            meta["caveats"] = list(before or []) + caveats
        if given_years:  # (a run beyond the span they were applied to is refused: daryo.run says why)
            meta["changes_of_given_years"] = list(meta.get("changes_of_given_years") or []) + given_years
    return out, origins


def _hydrology_inflows(doc: Mapping[str, Any]) -> list[str]:
    """The inflow nodes of ``doc`` whose inflows are its named hydrology's (``metadata.hydrology``: the embedded
    model's), before overlays are applied: those an earlier overlay left (``kept_inflows``), or else every inflow
    node with an ``inflow`` (none if the document names no hydrology)."""
    meta = doc.get("metadata")
    hydrology = meta.get("hydrology") if isinstance(meta, Mapping) else None
    if not isinstance(hydrology, Mapping):
        return []
    if isinstance(kept := hydrology.get("kept_inflows"), list):
        return [str(n) for n in kept]
    return [nid for nid, n in _nodes(doc).items() if _is_inflow_given(n)]


def _is_inflow_given(node: Mapping[str, Any]) -> bool:
    """Whether the document's ``node`` is an inflow node with an ``inflow``."""
    return node.get("type") == "inflow" and node.get("inflow") is not None


def _hydrology_label(ov: Overlay) -> str:
    """How the hydrology's record names overlay ``ov``: as results name the overlays applied (a file by its full
    path, a library scenario by its name), one given in Python said so (its values are in no file)."""
    return f"{ov.name} (given in Python)" if ov.in_python else overlay_label(ov.name, _overlay_key(ov))


def _note_replaced_inflows(doc: dict[str, Any], inflows: Sequence[str], origins: Mapping[str, tuple[str, str]],
                           labels: Mapping[str, str]) -> None:
    """Record in ``doc``'s ``metadata.hydrology`` which of its hydrology's ``inflows`` the overlays gave an inflow of
    their own (a ``set`` of ``inflow`` or ``type``, or the node added anew: ``origins``, of the overlays' files
    ``labels``): ``overlay_inflows``, each node's overlay and CSV file ("" for values given in the overlay), and
    ``kept_inflows``, those that keep the hydrology, so that results do not call a run of a forecast's series
    ``kind norm`` (a seasonal forecaster's review).  Nothing is recorded where no overlay replaced one."""
    meta = doc.get("metadata")
    hydrology = meta.get("hydrology") if isinstance(meta, dict) else None
    if not isinstance(hydrology, dict):
        return
    nodes = _nodes(doc)
    before = hydrology.get("overlay_inflows")  # (an earlier overlay's, applied to the document before)
    earlier = {str(k): v for k, v in before.items() if k in nodes} if isinstance(before, Mapping) else {}
    replaced = {}
    for nid in [*inflows, *(k for k in earlier if k not in inflows)]:
        origin = next((origins[k] for k in (f"nodes[{nid}].inflow", f"nodes[{nid}].type", f"nodes[{nid}]")
                       if k in origins), None)
        if origin is not None and nid in nodes:
            given = nodes[nid].get("inflow")
            csv = str(given["csv"]) if isinstance(given, Mapping) and given.get("csv") is not None else ""
            replaced[nid] = {"overlay": labels.get(origin[0], origin[0]), "csv": csv}
    if not replaced:
        return
    hydrology["overlay_inflows"] = {**earlier, **replaced}
    hydrology["kept_inflows"] = [nid for nid in inflows if nid not in replaced and nid in nodes
                                 and _is_inflow_given(nodes[nid])]


def recorded_overlays(metadata: Mapping[str, Any], files: bool = False) -> tuple[OverlaySpec, ...]:
    """The overlays applied to a model, in order, as its ``metadata`` records them, to be read again
    (:func:`~daryo.scenarios.load_overlay`): library names and paths as given (``scenarios``), or with ``files``
    each file by its full path as found when applied (``scenario_files``; an older document's metadata, without
    them: the names), and an overlay given in Python as its content (``scenario_documents``), which no file holds
    (a diff review: an ensemble looked it up by name in the library).

    Parameters
    ----------
    metadata
        A model's metadata (``model.metadata``), or an overlaid document's.
    files
        Each overlay file by its full path, not as given.

    Returns
    -------
    tuple
        Paths and library names as text, overlays given in Python as :class:`OverlayDocument`.
    """
    names, found = ([str(x) for x in v] if isinstance(v := metadata.get(k), list | tuple) else []
                    for k in ("scenarios", "scenario_files"))  # (a model file's own metadata may hold anything)
    paths = found if files and len(found) == len(names) else names
    documents = metadata.get("scenario_documents")
    documents = documents if isinstance(documents, Mapping) else {}
    return tuple(OverlayDocument(name, documents[name]) if name in documents else path
                 for name, path in zip(names, paths, strict=True))


def _overlay_key(ov: Overlay) -> str:
    """How a model's metadata records overlay ``ov`` (``scenario_files``): a file by its full path, as found now; an
    overlay given in Python by its name."""
    return ov.file if ov.in_python else str(Path(ov.file).resolve())


def _check_combination(ov: Overlay, asked: dict[str, str], groups: dict[str, str]) -> None:
    """Refuse an overlay asked for again (its changes would apply twice: a drought's factors would multiply
    again) or of a group another overlay asked for is of (two reservoir regimes, two climates); note it."""
    file = _overlay_key(ov)
    if file in asked and ov.in_python:  # (a Python overlay is known by its name: two of one name, or one twice)
        raise ModelError(Problem(ov.file, "", "two overlays given in Python have this name, or one is given twice: "
                                 "give each its own name (its name key), and each once"), subject=ASKED_FOR)
    if file in asked:
        twice = ("was applied to the document before" if not asked[file] else "is asked for twice" if
                 asked[file] == ov.name else f"is asked for twice ('{asked[file]}' and '{ov.name}')")
        raise ModelError(Problem(ov.file, "", f"{twice}: its changes would apply twice (a drought's factors, say, "
                                 "would multiply again); give it once"), subject=ASKED_FOR)
    if ov.group and ov.group in groups:
        raise ModelError(Problem(ov.file, "group", f"'{ov.name}' and '{groups[ov.group]}' are both of group "
                                 f"'{ov.group}', whose scenarios set the same things each its own way: combine at "
                                 "most one of them"), subject=ASKED_FOR)
    asked[file] = ov.name
    if ov.group:
        groups[ov.group] = ov.name


def _value_problems(check: DocumentCheck | None, doc: dict[str, Any], origins: Mapping[str, tuple[str, str]],
                    file: str, found: Sequence[Problem]) -> list[Problem]:
    """What ``check`` finds wrong in the values that overlay ``file``'s changes set in ``doc`` (the changes applied
    so far), but for changes already ``found`` wrong, which are told once."""
    if check is None:
        return []
    try:
        more = check(doc, origins)
    except Exception:  # noqa: BLE001 (a half-applied document: the problems found already are what to tell)
        return []
    wrong = [_as_loader_place(p.place) for p in found if p.file == file]
    return [p for p in more if p.file == file and not any(_within(p.place, w) for w in wrong)]


def _as_loader_place(place: str) -> str:
    """A place the apply step gives, as the loader would give it, so that a problem both find is told once: a
    reference's ``changes[3].set: nodes[city].return_to`` is ``changes[3].set.city.return_to``; an edge's
    ``changes[1].add_edges: edges[a->b]`` is the whole change (the loader places it by the edge's index)."""
    change, sep, rest = place.partition(": ")
    if not sep:
        return place
    node = re.fullmatch(r"nodes\[(.+?)\](.*)", rest)
    return f"{change}.{node.group(1)}{node.group(2)}" if node and change.endswith(".set") else change


def _within(place: str, other: str) -> bool:
    """Whether ``place`` is ``other`` or inside it (``changes[0].set.farm.demand`` is in ``changes[0].set.farm``;
    ``changes[1].add_edges[0]`` in ``changes[1].add_edges``)."""
    return place == other or place.startswith((other + ".", other + "[", other + " "))


def _change_index(problem: Problem) -> float:
    """The number of the change a problem of an overlay is in (2 for ``changes[2].set.farm``); inf if none."""
    found = re.match(r"changes\[(\d+)\]", problem.place)
    return int(found.group(1)) if found else math.inf


def _note_origins(origins: dict[str, tuple[str, str]], op: str, arg: Any, file: str, place: str,
                  doc: Mapping[str, Any]) -> None:
    """Record in ``origins`` the values change ``op`` (at ``place`` of overlay ``file``) set in ``doc`` (the
    document it changed), and forget those of the nodes it removed or added anew (see :func:`overlaid_document`).
    A parameter's values are also those of the attributes that use it, where the loader tells their problems."""
    def forget(prefix: str) -> None:
        for key in [k for k in origins if k == prefix or k.startswith((f"{prefix}.", f"{prefix}["))]:
            del origins[key]

    if op in _SET_KINDS:
        kind = _SET_KINDS[op]
        for nid, attrs in arg.items():
            if not isinstance(attrs, Mapping):  # (a constraint removed; a parameter made a constant)
                forget(f"{kind}[{nid}]")
                if attrs is not None:
                    origins[f"{kind}[{nid}]"] = (file, f"{place}.{nid}")
                continue
            for k, v in attrs.items():
                forget(f"{kind}[{nid}].{k}")
                if v is not None:
                    origins[f"{kind}[{nid}].{k}"] = (file, f"{place}.{nid}.{k}")
        if op == "set_parameters":
            for name in arg:
                for use in _parameter_uses(doc, str(name)):
                    origins[use] = (file, f"{place}.{name}")
    elif op == "add_nodes":
        for n in arg:
            forget(f"nodes[{n['id']}]")
            origins[f"nodes[{n['id']}]"] = (file, f"{place}[{n['id']}]")
    elif op == "add_constraints":
        for c in arg:
            forget(f"constraints[{c['id']}]")
            origins[f"constraints[{c['id']}]"] = (file, f"{place}[{c['id']}]")
    elif op == "add_parameters":
        for name in arg:
            forget(f"parameters[{name}]")
            origins[f"parameters[{name}]"] = (file, f"{place}.{name}")
            for use in _parameter_uses(doc, str(name)):  # (a node of the model that named it before it was added)
                origins[use] = (file, f"{place}.{name}")
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


#: the element each ``set`` change sets attributes of, as the loader's places name it
_SET_KINDS = {"set": "nodes", "set_constraints": "constraints", "set_parameters": "parameters"}


def _parameter_uses(doc: Mapping[str, Any], name: str) -> list[str]:
    """The places (as the loader names them) of the node and edge attributes of ``doc`` that use parameter
    ``name`` (``{parameter: name}``)."""
    def uses(item: Any) -> list[str]:
        return [str(k) for k, v in item.items() if isinstance(v, Mapping) and v.get("parameter") == name] \
            if isinstance(item, Mapping) else []

    places = [f"nodes[{nid}].{k}" for nid, n in _nodes(doc).items() for k in uses(n)]
    for e in doc.get("edges") or []:
        if (ends := _edge_ends(e)) is not None:
            places += [f"{_edge_place(*ends)}.{k}" for k in uses(e)]
    return places


def _edge_place(source: str, target: str) -> str:
    """An edge's place in the loader's messages (``edges[3] (river -> farm)``), whatever its index."""
    return f"edges[*] ({source} -> {target})"


def overlay_shape_problems(doc: Mapping[str, Any]) -> list[Problem]:
    """What keeps overlays from being applied to model document ``doc``: nodes, edges or metadata of another
    shape (which loading the document reports too, with its file and every other problem)."""
    return [Problem("", key, f"the model's {key} must be {what} to apply a scenario")
            for key, kind, what in (("nodes", list, "a list"), ("edges", list, "a list"),
                                    ("metadata", Mapping, "a mapping"), ("constraints", list, "a list"),
                                    ("parameters", Mapping, "a mapping"))
            if doc.get(key) is not None and not isinstance(doc[key], kind)]


_APPLY = {"set": _op_set, "set_edges": _op_set_edges, "set_constraints": _op_set_constraints,
          "set_parameters": _op_set_parameters, "add_nodes": _op_add_nodes, "remove_nodes": _op_remove_nodes,
          "add_edges": _op_add_edges, "remove_edges": _op_remove_edges, "add_constraints": _op_add_constraints,
          "add_parameters": _op_add_parameters, "scale_demands": _op_scale_demands,
          **{op: _make_inflow_op(op) for op in _INFLOW_OPS}}
