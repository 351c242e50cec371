"""Read a daryo model file (YAML or JSON, schema ``version: 1``) into a validated :class:`Model`.

The loader collects every problem (file, place, message) and raises one :class:`ModelError`; it never
lets a parser traceback through.  The file's text is read by :mod:`daryo.model.documents`; attribute values are
converted to canonical units once, as they are read, by :mod:`daryo.model.values`.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path, PurePath
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from .._files import file_digest
from ..errors import (
    ModelError,
    Problem,
    did_you_mean,
    differences_named,
    kind_of,
    looks_the_same,
    read_as,
    with_article,
)
from ..errors import short_text as _short
from ..parameters import ScenarioDim, check_parameters, parse_parameters, scenario_combinations
from ..timeaxis import MAX_STEP_DAYS, StepKind, parse_date, parse_end, span_problem, step_days, step_kind, step_start
from ..units import comma_split_hint, is_number
from .components import COMMON_ATTRIBUTES, COMPONENT_TYPES, CONSTRAINT_TYPES, EDGE_ATTRIBUTES, Attribute
from .csvseries import column_name
from .datafiles import DataFiles
from .documents import _LineDict, document_syntax, read_document_digest
from .migrations import migrate
from .places import relocated
from .series import Series
from .types import Constraint, Edge, Model, Node, TimeSpec
from .validate import PLACEHOLDER_TIME, formula_start, validate_model
from .values import _NO_VALUE, LoadContext, _inner, _parse_value

__all__ = ["document_problems", "is_pywr_document", "load_model", "model_document", "model_from_dict"]

_E = TypeVar("_E", Node, Edge)


def load_model(path: str | Path, *, confine: bool = False) -> Model:
    """Load and validate a model file.

    Parameters
    ----------
    path
        A daryo YAML/JSON model file, or a Pywr v1 JSON document (converted in memory).
    confine
        Read data files (CSV series, a Pywr model's data and includes) only from the model file's folder or below
        it, symbolic links followed (:mod:`daryo.model.datafiles`).

    Raises
    ------
    ModelError
        Listing every problem found, each with file and place.
    """
    p = Path(path)
    files = DataFiles(p.parent, confine)
    doc, digest = document_and_digest(p, files)
    return model_from_dict(doc, base_dir=p.parent, file=str(p), path=p, data_files=files, file_sha256=digest)


def model_document(path: Path, data_files: DataFiles | None = None) -> Any:
    """The parsed document of a model file; a Pywr v1 JSON document is converted to a daryo one (its data files
    read by ``data_files``' rules, and recorded there: default, any file, relative to the file's folder)."""
    return document_and_digest(path, data_files)[0]


def document_and_digest(path: Path, data_files: DataFiles | None = None) -> tuple[Any, str]:
    """:func:`model_document`, with a SHA-256 digest of the file's bytes as they were read
    (:attr:`Model.file_sha256`)."""
    doc, digest = read_document_digest(path)
    return parsed_model_document(doc, path, data_files), digest


def parsed_model_document(doc: Any, path: Path, data_files: DataFiles | None = None) -> Any:
    """:func:`model_document` of a document already parsed (``path``: its file's name, or the name it is given)."""
    if is_pywr_document(doc):
        from ..pywr import convert_pywr_document  # local import: optional front end

        try:
            doc = convert_pywr_document(doc, path, data_files=data_files)
        except ModelError as exc:
            if "timestepper" in doc:
                raise
            raise ModelError([Problem(str(path), "", _READ_AS_PYWR), *exc.problems]) from None
    return doc


_READ_AS_PYWR = ("read as a Pywr model, since it has no 'version' and its nodes have a 'name' and no 'id': a daryo "
                 "model file starts with 'version: 1' and gives each node an 'id'")


def is_pywr_document(doc: Any) -> bool:
    """Whether a parsed model document is a Pywr v1 JSON model rather than a daryo one (the one rule for the
    loader and for ``daryo convert``).  Pywr's ``timestepper`` decides (a stray ``version`` key is then reported by
    the converter), unless the document is plainly daryo's otherwise (a ``version`` and nodes with ``id``, none
    with ``name``: the stray key is then daryo's one problem); without a ``timestepper``, nodes named Pywr's
    way (``name``, no ``id``) and no ``version`` make it Pywr, so that the converter says what is missing."""
    if not isinstance(doc, Mapping):
        return False
    nodes = doc.get("nodes")
    nodes = [n for n in nodes if isinstance(n, Mapping)] if isinstance(nodes, list) else []
    if "timestepper" in doc:
        daryo_nodes = bool(nodes) and all("id" in n and "name" not in n for n in nodes)
        return not ("version" in doc and daryo_nodes)
    return "version" not in doc and bool(nodes) and all("name" in n and "id" not in n for n in nodes)


_MAX_SCENARIOS = 100_000  # scenario combinations a model may hold (its arrays have one row per scenario)


def _check_title(value: Any, key: str, place: str, ctx: LoadContext) -> None:
    """A model's ``name`` or ``description`` is text (a number is read as its text) without control characters,
    which the command line would print as they are (an escape sequence clears a terminal); tabs are harmless,
    and a description may hold line breaks too."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        what = "binary data (!!binary)" if isinstance(value, bytes) else "a set (!!set)" if isinstance(
            value, set | frozenset) else f"'{_short(value)}'"
        ctx.add(place, f"must be text, not {what}")
        return
    allowed = "\n\t" if key == "description" else "\t"
    control = next((c for c in str(value) if unicodedata.category(c) == "Cc" and c not in allowed), None)
    if control is not None:
        ctx.add(place, f"holds a control character ({control!r}), which a terminal would act on when daryo prints "
                f"the {key}; give text without one")
    elif key == "name" and (formula := formula_start(str(value), f"the name '{value}'")) is not None:
        ctx.add(place, formula)  # (a run's label, the model's name, starts cells of daryo compare --csv)


def _item_where(seq: Any, i: int, place: str) -> str:
    """``place`` of item ``i`` of YAML sequence ``seq`` with its line (also of an item that is plain text)."""
    lines = getattr(seq, "item_lines", [])
    line = getattr(seq[i], "line", None) or (lines[i] if i < len(lines) else None)
    return f"{place} (line {line})" if line else place


def _where(d: Any, place: str, key: str | None = None) -> str:
    """``place`` and the line of mapping ``d`` (of its ``key``, if given and known), for messages."""
    line = getattr(d, "key_lines", {}).get(key) or getattr(d, "line", None)
    return f"{place} (line {line})" if line else place


_PLAIN_SCALARS = {float, int, str, bool, type(None)}


def _as_plain_data(value: Any) -> Any:
    """``value`` with tuples as lists, NumPy scalars as Python numbers and paths as text, at any depth; the same
    object where nothing changes (so a document read from YAML keeps its lines)."""
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, np.generic):
        return value.item() if isinstance(value, np.bool_ | np.integer | np.floating) else value
    if isinstance(value, tuple):
        return [_as_plain_data(v) for v in value]
    if isinstance(value, list):
        if set(map(type, value)) <= _PLAIN_SCALARS:  # (quick: a long series of numbers)
            return value
        items = [_as_plain_data(v) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, Mapping):
        pairs = {k: _as_plain_data(v) for k, v in value.items()}
        return value if all(pairs[k] is v for k, v in value.items()) else pairs
    return value


def _key_lines(d: Any) -> dict[str, int]:
    """The line of each key of mapping ``d`` read from YAML (empty for other mappings)."""
    return dict(getattr(d, "key_lines", {}))


def document_problems(doc: Any, base_dir: Path | str = ".", file: str = "<model>", path: Path | None = None,
                      origins: Mapping[str, tuple[str, str]] | None = None, *, file_steps: int | None = None,
                      data_files: DataFiles | None = None) -> list[Problem]:
    """The problems :func:`model_from_dict` finds in ``doc`` (same parameters); empty if it loads."""
    try:
        model_from_dict(doc, base_dir, file, path, origins, file_steps=file_steps, data_files=data_files)
    except ModelError as exc:
        return list(exc.problems)
    return []


def model_from_dict(doc: Any, base_dir: Path | str = ".", file: str = "<model>", path: Path | None = None,
                    origins: Mapping[str, tuple[str, str]] | None = None, *, file_steps: int | None = None,
                    data_files: DataFiles | None = None, file_sha256: str | None = None) -> Model:
    """Build a validated :class:`Model` from a parsed document (see ``docs/model-format.md``).

    Parameters
    ----------
    doc
        The document (a mapping, as read from a model file).
    base_dir
        The folder its relative file paths (CSV series) are read from.
    file
        The name its problems are reported under.
    path
        The model file it was read from, if any (recorded with the model).
    origins
        Where values of an overlaid document came from (:func:`daryo.scenarios.overlaid_document`): a problem in
        one is placed at the overlay change that set it.
    file_steps
        Where the document's run was made shorter than its file's (``daryo.load(path, years=...)``), the steps of
        the file's own span: its lists of values per step may be that long, as a model's are after
        :meth:`Model.with_time`, and the run takes the first ones.
    data_files
        Where the document's data files may be read from, and whether they must stay in that folder
        (:class:`~daryo.model.datafiles.DataFiles`; it replaces ``base_dir``); the files read before (a Pywr
        document's conversion) are recorded with the model beside those this document reads.  Default: any file,
        relative to ``base_dir``.
    file_sha256
        A SHA-256 digest of the model file's bytes as they were read (:func:`document_and_digest`); None: that of
        the file at ``path`` now (``""`` without one).

    A document made in Python may hold tuples where a file has lists, NumPy numbers (``np.int64(10)`` days) and
    paths (``Path("inflow.csv")``): they are read as lists, Python numbers and text.  NumPy arrays stay as they
    are (a series' ``values`` may be one).

    Raises
    ------
    ModelError
        Listing the document's every problem, each with its place.
    TypeError
        If ``base_dir`` is neither text nor a path.
    """
    if data_files is None and not isinstance(base_dir, str | os.PathLike):
        raise TypeError(f"base_dir={base_dir!r}: give the folder the document's relative file paths are read from, "
                        "as text or a path")
    ctx = LoadContext(file, DataFiles(Path(base_dir)) if data_files is None else data_files.branch(),
                      document_syntax(doc, file), origins)
    places = getattr(doc, "places", {})  # (of a converted Pywr document: the Pywr places of what it made)
    origins = origins or {}
    try:
        model = _model_from_dict(doc, ctx, path, file_steps, file_sha256)
    except ModelError as exc:
        if not (places or origins):
            raise
        raise ModelError(relocated(exc.problems, file, places, origins), note=exc.note) from None
    model = replace(model, pywr_places=places, origins=origins) if places or origins else model
    object.__setattr__(model, "validated", True)  # (frozen; dataclasses.replace makes a copy that is not)
    return model


def with_file_sha256(model: Model, digest: str) -> Model:
    """A loaded model with another digest of its document (:attr:`Model.file_sha256`): that of a text it was read
    from, not a file's; still checked."""
    return model.checked_copy(file_sha256=digest)


def _model_from_dict(doc: Any, ctx: LoadContext, path: Path | None, file_steps: int | None = None,
                     file_sha256: str | None = None) -> Model:
    file = ctx.file
    if not isinstance(doc, Mapping):
        what = "is empty" if doc is None else f"is {kind_of(doc)}"
        raise ModelError(Problem(file, "", f"the model file {what}; it must be a mapping (a daryo model: version, "
                                 "time, nodes, edges; or a Pywr model: timestepper, nodes, edges)"))
    top_lines = _key_lines(doc)
    try:
        doc = migrate(dict(_as_plain_data(doc)))
    except ValueError as exc:
        raise ModelError(Problem(file, "version", str(exc))) from None
    doc = _LineDict(doc)
    doc.key_lines = top_lines  # (the top-level keys' lines, for messages)

    allowed = {"version", "name", "description", "time", "allocation", "nodes", "edges", "metadata",
               "scenarios", "extensions", "parameters", "constraints"}
    for key in doc:
        if key not in allowed:
            ctx.add(_where(doc, str(key), str(key)),
                    f"unknown top-level key '{key}'; allowed: {', '.join(sorted(allowed))}")

    time = _parse_time(doc.get("time"), ctx)
    ctx.not_months = None if time is None or time.kind is StepKind.MONTH else time.axis().steps_text()
    allocation = doc.get("allocation", "priority")
    if allocation not in ("priority", "cost"):
        ctx.add(_where(doc, "allocation", "allocation"),
                f"'{allocation}' is not an allocation mode; use 'priority' or 'cost'")
    dims = _parse_scenarios(doc.get("scenarios"), ctx)
    raw_params = doc.get("parameters")
    params = parse_parameters(raw_params, ctx)
    ctx.parameter_names = set(params) | (set(raw_params) if isinstance(raw_params, Mapping) else set())
    nodes = _parse_nodes(doc.get("nodes"), ctx, _where(doc, "nodes", "nodes"))
    edges = _parse_edges(doc.get("edges"), ctx, _where(doc, "edges", "edges"))
    constraints = _parse_constraints(doc.get("constraints"), ctx)
    nodes, edges = _align_scenario_columns(nodes, edges, ctx)
    scen_names = _scenario_names(nodes, edges, ctx, dims)
    for scenario in scen_names:  # (the first column of every results CSV file)
        if (formula := formula_start(scenario, f"the scenario '{scenario}'")) is not None:
            ctx.add("scenarios", formula)
    raw_nodes = doc.get("nodes")
    declared = {str(n.get("id")) for n in raw_nodes if isinstance(n, Mapping)} if isinstance(raw_nodes, list) else set()
    metadata, extensions = (_mapping(doc, key, ctx) for key in ("metadata", "extensions"))
    if not ctx.nodes_unread:
        _check_basins(doc.get("metadata"), declared, ctx)
    _check_caveats(doc.get("metadata"), ctx)
    for key in ("name", "description"):
        _check_title(doc.get(key), key, _where(doc, key, key), ctx)
    model = Model(
        name=str(doc.get("name") or (path.stem if path else "model")),
        description=str(doc.get("description") or ""),
        time=time or PLACEHOLDER_TIME,  # (the problem is reported; validation knows this stand-in)
        nodes=tuple(nodes),
        edges=tuple(edges),
        allocation=str(allocation),
        scenario_names=scen_names,
        path=path,
        metadata=metadata,
        extensions=extensions,
        parameters=params,
        constraints=tuple(constraints),
        scenario_dims=tuple(dims),
        # (results record the file as it was read, not as it is then)
        file_sha256=(file_digest(path) or "") if file_sha256 is None else file_sha256,
        data_files=tuple(ctx.files.read.items()),
    )
    problems = list(ctx.problems)
    if not ctx.nodes_unread:  # (else every reference to a node would be reported as dangling)
        problems += validate_model(model, file, declared_ids=declared, loose_ids=ctx.unread_edge_names,
                                   unread_attributes=ctx.unread_attributes, file_steps=file_steps)
        problems += check_parameters(params, {n.id for n in nodes if n.type == "reservoir"}, declared, dims, file,
                                     declared_params=ctx.parameter_names, declared_dims=_dim_names(doc),
                                     inflows={n.id: n.get("inflow") for n in nodes if n.type == "inflow"},
                                     unread_inflows={i for i, attr in ctx.unread_attributes if attr == "inflow"})
        problems += _check_constraints(model, file)
    if problems:
        raise ModelError(problems)
    return model


def _mapping(doc: Mapping, key: str, ctx: LoadContext) -> dict:
    """The top-level ``key`` of the model, which must be a mapping (empty if missing)."""
    value = doc.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        ctx.add(_where(doc, key, key), f"must be a mapping of names to values (e.g. {key}: {{source: …}}), not "
                f"'{_short(value)}'")
        return {}
    return dict(value)


#: The longest caveat, and the most characters of all a model's caveats (its overlays' with it), that daryo takes:
#: ``daryo run`` prints them and every results file keeps them (the Aral Sea basin's six are 2,300 characters,
#: the longest 600)
_MAX_CAVEAT = 2_000
_MAX_CAVEATS = 20_000


def _check_caveats(metadata: Any, ctx: LoadContext) -> None:
    """``metadata.caveats``, what a reader of the model's results must know (``daryo run`` prints them): a list of
    text, each at most :data:`_MAX_CAVEAT` characters and all together :data:`_MAX_CAVEATS`, without control
    characters (which a terminal acts on) but line breaks and tabs."""
    caveats = metadata.get("caveats") if isinstance(metadata, Mapping) else None
    if caveats is None:
        return
    place = _where(metadata, "metadata.caveats", "caveats")
    if not isinstance(caveats, list) or not all(isinstance(c, str) and c.strip() for c in caveats):
        ctx.add(place, "must be a list of sentences (text), each a caveat that daryo run prints with the model's "
                f"results, not '{_short(caveats)}'")
        return
    for i, caveat in enumerate(caveats):
        control = next((c for c in caveat if unicodedata.category(c) == "Cc" and c not in "\n\t"), None)
        if control is not None:
            ctx.add(_item_where(caveats, i, f"metadata.caveats[{i}]"), f"holds a control character ({control!r}), "
                    "which a terminal would act on when daryo run prints the caveat; give text without one")
        elif len(caveat) > _MAX_CAVEAT:
            ctx.add(_item_where(caveats, i, f"metadata.caveats[{i}]"), f"is {len(caveat):,} characters long, more "
                    f"than the {_MAX_CAVEAT:,} a caveat may have (daryo run prints it, and every results file keeps "
                    "it); say it in fewer words, and point to a document for the rest")
    total = sum(map(len, caveats))
    if total > _MAX_CAVEATS:
        ctx.add(place, f"the {len(caveats):,} caveats are {total:,} characters in all, more than the "
                f"{_MAX_CAVEATS:,} a model's caveats (its scenario overlays' with them) may have: daryo run prints "
                "them all, and every results file keeps them; keep the few a reader must know")


def _check_basins(metadata: Any, node_ids: set[str], ctx: LoadContext) -> None:
    """``metadata.basins``, the inflows of each basin (which ``scale_inflows``, ``shift_peak`` and ``named_years``
    select by ``basin:``): a mapping of names to lists of ids of the model's nodes."""
    basins = metadata.get("basins") if isinstance(metadata, Mapping) else None
    if basins is None:
        return
    if not isinstance(basins, Mapping):
        ctx.add(_where(metadata, "metadata.basins", "basins"), "must be a mapping of basin names to lists of inflow "
                f"ids (e.g. basins: {{north: [up, side]}}), not {kind_of(basins)}")
        return
    for name, ids in basins.items():
        place = f"metadata.basins.{name}"
        if not isinstance(name, str):
            ctx.add(_where(basins, place, name), f"a basin's name must be text, not {kind_of(name)} (an overlay "
                    "selects the basin by its name: basin: north)")
            continue
        if (formula := formula_start(name, f"the basin name '{name}'")) is not None:  # (daryo compare --csv's rows)
            ctx.add(_where(basins, place, name), formula)
        if not isinstance(ids, list | tuple):
            ctx.add(_where(basins, place, name), f"must be a list of inflow ids, not {kind_of(ids)}")
            continue
        for i, nid in enumerate(ids):
            if not isinstance(nid, str):
                ctx.add(_item_where(ids, i, f"{place}[{i}]"), f"must be the id of an inflow, not {kind_of(nid)}")
            elif nid not in node_ids:
                ctx.add(_item_where(ids, i, f"{place}[{i}]"), f"'{nid}' is not a node of the model"
                        f"{did_you_mean(nid, node_ids)}")


def _dim_names(doc: Mapping[str, Any]) -> set[str]:
    """The names of the document's scenario dimensions, also of those refused for problems of their own."""
    spec = doc.get("scenarios")
    return {d["name"] for d in spec if isinstance(d, Mapping) and isinstance(d.get("name"), str)} if isinstance(
        spec, list) else set()


def _parse_scenarios(spec: Any, ctx: LoadContext) -> list[ScenarioDim]:
    """``scenarios: [{name: inflow, size: 10, names: [...]}, ...]``: the run's scenarios are their product."""
    if spec is None:
        return []
    if not isinstance(spec, list):
        ctx.add("scenarios", "must be a list of {name, size} mappings")
        return []
    dims = []
    for i, raw in enumerate(spec):
        place = _item_where(spec, i, f"scenarios[{i}]")
        if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
            ctx.add(place, "a scenario dimension needs a 'name' and a 'size'")
            continue
        size, names = raw.get("size"), raw.get("names")
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            ctx.add(place, f"size '{_short(size)}' must be a whole number ≥ 1")
            continue
        if names is not None and (not isinstance(names, list) or len(names) != size):
            ctx.add(place, f"names must be a list of {size} names, one per member")
            continue
        unknown = set(raw) - {"name", "size", "names", "description"}
        if unknown:
            ctx.add(place, f"unknown key(s) {', '.join(sorted(unknown))}; use name, size, names")
        dims.append(ScenarioDim(raw["name"], size, tuple(map(str, names)) if names else None))
    if len({d.name for d in dims}) != len(dims):
        ctx.add("scenarios", "scenario names must be unique")
    total = math.prod(d.size for d in dims)
    if total > _MAX_SCENARIOS:
        ctx.add("scenarios", f"the dimensions make {total:,} scenarios (the product of their sizes); a model holds "
                f"at most {_MAX_SCENARIOS:,} (its arrays have a row per scenario); for more, use `daryo ensemble`")
        return []
    return dims


def _parse_constraints(spec: Any, ctx: LoadContext) -> list[Constraint]:
    if spec is None:
        return []
    if not isinstance(spec, list):
        ctx.add("constraints", "must be a list of constraints, each with id and type")
        return []
    out = []
    for i, raw in enumerate(spec):
        place = f"constraints[{i}]"
        if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
            ctx.add(_item_where(spec, i, place), "a constraint must be a mapping with 'id' and 'type'")
            continue
        place = f"constraints[{raw['id']}]"
        ctype = CONSTRAINT_TYPES.get(str(raw.get("type")))
        if ctype is None:
            ctx.add(_where(raw, place), f"unknown constraint type '{raw.get('type')}'"
                    f"{did_you_mean(raw.get('type'), CONSTRAINT_TYPES)}; use one of: "
                    f"{', '.join(CONSTRAINT_TYPES)}")
            continue
        attrs: dict[str, Any] = {}
        for key, value in raw.items():
            if key in ("id", "type", "description"):
                continue
            at = _where(raw, f"{place}.{key}", key)  # (the attribute's place, for messages)
            attr = ctype.attribute(key)
            if attr is None or attr in COMMON_ATTRIBUTES:
                ctx.add(at, f"unknown attribute '{key}' for {with_article(ctype.name)}"
                        f"{did_you_mean(key, (a.name for a in ctype.attributes))}; allowed: "
                        f"{', '.join(a.name for a in ctype.attributes)}{comma_split_hint(key)}")
                continue
            if value is None:
                ctx.add(at, _NO_VALUE)
                continue
            parsed = _parse_constraint_value(value, attr, ctx, at)
            if parsed is not None:
                attrs[key] = parsed
        missing = [a.name for a in ctype.attributes if a.required and a.name not in attrs]
        for name in missing:
            if name not in raw:
                ctx.add(_where(raw, place), f"missing required attribute '{name}'")
        # (a flow_sum with no bound constrains nothing, as a flow_ratio whose factors are all 0)
        if ctype.name == "flow_sum" and "min_flow" not in raw and "max_flow" not in raw:
            ctx.add(_where(raw, place), "has neither min_flow nor max_flow, so it constrains nothing; give one "
                    "(or leave the constraint out)")
        if not missing:
            out.append(Constraint(raw["id"], ctype.name, attrs, place, getattr(raw, "line", None), _key_lines(raw)))
    return out


def _parse_constraint_value(value: Any, attr: Attribute, ctx: LoadContext, place: str) -> Any:
    if attr.kind in ("weights", "nodes") and isinstance(value, list) and (
            twice := next((v for i, v in enumerate(value) if isinstance(v, str) and v in value[:i]), None)):
        ctx.add(place, f"names '{twice}' twice; give each node once" + (
            f" (a weight other than 1 in a mapping: {{{twice}: 2}})" if attr.kind == "weights" else ""))
        return None
    if attr.kind == "weights":
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return {v: 1.0 for v in value}
        if isinstance(value, Mapping) and value and all(is_number(w) and math.isfinite(w) for w in value.values()):
            return {str(k): float(w) for k, w in value.items()}
        ctx.add(place, "must be a list of node ids or a mapping of node id to a finite weight")
        return None
    if attr.kind == "nodes":
        if isinstance(value, list) and len(value) >= 2 and all(isinstance(v, str) for v in value):
            return list(value)
        ctx.add(place, "must be a list of at least two node ids")
        return None
    if attr.kind == "series_list":
        if not isinstance(value, list):
            ctx.add(place, "must be a list with one value per node")
            return None
        item = Attribute(attr.name, "series", attr.dimension, None, attr.description)
        parsed = [_parse_value(v, item, ctx, _inner(place, f"[{k}]")) for k, v in enumerate(value)]
        return None if any(p is None for p in parsed) else parsed
    return _parse_value(value, attr, ctx, place)


def _check_constraints(model: Model, file: str) -> list[Problem]:
    ids = {n.id: n for n in model.nodes}
    problems = []
    for c in model.constraints:
        nodes = list(c.get("nodes", []))
        for n in nodes:
            if n not in ids:
                problems.append(Problem(file, c.at(), f"names '{n}', which is not a node{did_you_mean(n, ids)}"))
            elif ids[n].type == "reservoir":
                problems.append(Problem(file, c.at(), f"'{n}' is a reservoir, whose column is a volume, not a "
                                        "flow; constrain the reaches around it instead"))
        if c.type == "flow_ratio" and len(c.get("factors", [])) != len(nodes):
            problems.append(Problem(file, c.at(), f"has {len(nodes)} nodes but {len(c.get('factors', []))} "
                                    "factors; give one factor per node"))
    return problems


def _parse_time(spec: Any, ctx: LoadContext) -> TimeSpec | None:
    if not isinstance(spec, Mapping):
        ctx.add("time", "missing or not a mapping; give e.g. {start: 2000-10, end: 2030-09, step: month}")
        return None
    unknown = [str(k) for k in spec if k not in ("start", "end", "step")]
    if unknown:
        ctx.add(_where(spec, "time"), f"unknown key(s) {', '.join(unknown)}; time takes start, end and step")
    dates: dict[str, pd.Timestamp] = {}
    for key, parse in (("start", parse_date), ("end", parse_end)):  # end YYYY-MM: the month's last day
        if key not in spec:
            ctx.add(_where(spec, "time"), f"missing {key}; give a month (YYYY-MM) or a date (YYYY-MM-DD)")
            continue
        try:
            dates[key] = parse(spec[key])
        except (ValueError, TypeError) as exc:
            ctx.add(_where(spec, f"time.{key}", key), str(exc))
    if len(dates) < 2:
        return None
    start, end = dates["start"], dates["end"]
    step = spec.get("step", "month")
    days: int | None = None
    kind = StepKind.MONTH
    try:
        days, kind = step_days(step), step_kind(step)
    except ValueError as exc:
        hint = did_you_mean(step, ("month", "dekad")) if isinstance(step, str) else ""
        ctx.add(_where(spec, "time.step"), f"{exc}{hint}; use 'month', 'dekad' or {{days: N}} with N from 1 to "
                f"{MAX_STEP_DAYS}")
        return None  # (the series would be checked against steps the file does not give: a BWO planner's review)
    else:
        if kind is StepKind.MONTH and start.day != 1:
            ctx.add(_where(spec, "time.start", "start"), f"{start:%Y-%m-%d} is not a month's first day, where "
                    f"monthly steps start: give {start:%Y-%m} (or an N-day step, step: {{days: N}})")
        elif kind is StepKind.DEKAD and start != step_start(start, kind):
            ctx.add(_where(spec, "time.start", "start"), f"{start:%Y-%m-%d} is not a dekad's first day, where "
                    f"dekads start (the 1st, 11th and 21st of a month): give {step_start(start, kind):%Y-%m-%d}")
    if end < start:
        ctx.add(_where(spec, "time"), f"end {end:%Y-%m-%d} is before start {start:%Y-%m-%d}")
    elif (why := span_problem(start, end, days)) is not None:
        ctx.add(_where(spec, "time"), why)
        return None
    return TimeSpec(start, end, days, kind is StepKind.DEKAD)


def _parse_nodes(spec: Any, ctx: LoadContext, where: str = "nodes") -> list[Node]:
    if spec is not None and not isinstance(spec, list):
        example = " (- {id: ..., type: ...} on a line each)" if isinstance(spec, Mapping) else ""
        ctx.add(where, f"must be a list of nodes{example}, not {kind_of(spec)}")
        ctx.nodes_unread = True
        return []
    if not spec:
        ctx.add(where, "missing or empty; a model needs a list of nodes")
        return []
    nodes = []
    for i, raw in enumerate(spec):
        place = f"nodes[{i}]"
        if not isinstance(raw, Mapping):
            ctx.add(_item_where(spec, i, place), "a node must be a mapping with id and type")
            continue
        node_id = raw.get("id")
        if not isinstance(node_id, str) or not node_id:
            ctx.add(_where(raw, place), "missing 'id' (a non-empty string)" if node_id in (None, "")
                    else _not_text("'id'", node_id, ctx.syntax_at(place)))
            continue
        place = f"nodes[{node_id}]"
        ctype = COMPONENT_TYPES.get(str(raw.get("type")))
        if ctype is None:
            what = "missing 'type'" if raw.get("type") is None else (
                f"unknown component type '{raw.get('type')}'{did_you_mean(raw.get('type'), COMPONENT_TYPES)}")
            ctx.add(_where(raw, place), f"{what}; use one of: {', '.join(COMPONENT_TYPES)}")
            continue
        attrs: dict[str, Any] = {}
        failed: set[str] = set()
        for key, value in raw.items():
            if key in ("id", "type"):
                continue
            at = _where(raw, f"{place}.{key}", key)  # (the attribute's place, for messages)
            attr = ctype.attribute(key)
            if attr is None:
                names = ", ".join(a.name for a in ctype.all_attributes)
                ctx.add(at, f"unknown attribute '{key}' for {with_article(ctype.name)}"
                            f"{did_you_mean(key, (a.name for a in ctype.all_attributes))}; allowed: {names}"
                            f"{comma_split_hint(key)}")
                continue
            if value is None:
                ctx.add(at, _NO_VALUE)
                failed.add(key)
                continue
            parsed = _parse_value(value, attr, ctx, at)
            if parsed is not None:
                attrs[key] = parsed
            else:
                failed.add(key)
        ctx.unread_attributes |= {(node_id, key) for key in failed}
        for attr in ctype.all_attributes:
            if attr.name not in attrs and attr.name not in failed:
                if attr.required:
                    ctx.add(_where(raw, place), f"missing required attribute '{attr.name}' ({attr.description})")
                elif attr.default is not None:
                    attrs[attr.name] = (Series.constant(attr.default) if attr.kind == "series"
                                        else attr.default)
        nodes.append(Node(node_id, ctype.name, attrs, place, getattr(raw, "line", None), _key_lines(raw)))
    return nodes


def _not_text(what: str, value: Any, syntax: str) -> str:
    """The message for a node id that is not text: YAML reads yes/no/on/off/true/false as booleans, ``~`` or
    nothing as null and digits as numbers (worded by the file's ``syntax``, "yaml" or "json": see
    :func:`daryo.errors.read_as`)."""
    if value is None or value == "":
        return f"{what} has no value; give a node id"
    if isinstance(value, (bool, int, float)):
        return f"{what} must be a node id (text), but {read_as(value, syntax)}; put the id in quotes"
    return f"{what} must be a node id (text), not {_short(value)}"


def _parse_edges(spec: Any, ctx: LoadContext, where: str = "edges") -> list[Edge]:
    if spec is None:
        return []
    if not isinstance(spec, list):
        ctx.add(where, f"must be a list of [from, to] pairs or mappings, not {kind_of(spec)}")
        ctx.unread_edge_names |= _names_in(spec)
        return []
    if len(spec) == 2 and all(isinstance(v, str) and len(_words(v)) == 1 for v in spec):
        ctx.add(where, f"must be a list of edges, each [from, to]: write [[{spec[0]}, {spec[1]}]] (or a line "
                       f"'- [{spec[0]}, {spec[1]}]' under edges:)")
        ctx.unread_edge_names |= set(spec)
        return []
    edges = []
    for i, raw in enumerate(spec):
        place = f"edges[{i}]"
        where = _item_where(spec, i, place)  # (a [from, to] list becomes a plain mapping: its line is kept here)
        line = getattr(raw, "line", None)
        if isinstance(raw, list | tuple) and len(raw) == 2:
            raw = {"from": raw[0], "to": raw[1]}
        if not isinstance(raw, Mapping) or "from" not in raw or "to" not in raw:
            ctx.add(where, "an edge must be [from, to] or a mapping with 'from' and 'to'" + _edge_hint(raw)
                    + _end_key_hint(raw))
            ctx.unread_edge_names |= _names_in(raw)
            continue
        src, dst = raw["from"], raw["to"]
        bad = [_not_text(repr(k), v, ctx.syntax_at(where)) for k, v in (("from", src), ("to", dst))
               if not isinstance(v, str) or not v]
        if bad:
            ctx.add(where, "; ".join(bad))
            continue
        attrs: dict[str, Any] = {}
        for key, value in raw.items():
            if key in ("from", "to"):
                continue
            # (the attribute's place, for messages, as the edge's own checks name it: an overlay's change of it is
            # then found by its ends, see daryo.model.places)
            at = _where(raw, f"{place} ({src} -> {dst}).{key}", key)
            attr = next((a for a in EDGE_ATTRIBUTES if a.name == key), None)
            if attr is None:
                allowed = ["from", "to"] + [a.name for a in EDGE_ATTRIBUTES]
                ctx.add(at, f"unknown edge attribute '{key}'{did_you_mean(key, allowed)}; allowed: "
                            f"{', '.join(allowed)}")
                continue
            if value is None:
                ctx.add(at, _NO_VALUE)
                continue
            parsed = _parse_value(value, attr, ctx, at)
            if parsed is not None:
                attrs[key] = parsed
        edge_id = str(attrs.pop("id", None) or f"{src}->{dst}")
        edges.append(Edge(edge_id, src, dst, attrs, f"edges[{i}] ({src} -> {dst})", line, _key_lines(raw)))
    return edges


def _scenario_names(nodes: list[Node], edges: list[Edge], ctx: LoadContext, dims: list[ScenarioDim] | None = None
                    ) -> tuple[str, ...]:
    sizes: dict[int, tuple[str, tuple[str, ...] | None]] = {}
    if dims:
        combos, _ = scenario_combinations(dims)
        sizes[len(combos)] = ("scenarios", tuple(combos))
    elements: list[Node | Edge] = [*nodes, *edges]
    for el in elements:
        for key, v in el.attrs.items():
            if isinstance(v, Series) and v.n_scenarios > 1:
                sizes.setdefault(v.n_scenarios, (f"{el.id}.{key}", v.scenarios))
    if len(sizes) > 1:
        desc = "; ".join(f"{where} has {n}" for n, (where, _) in sorted(sizes.items()))
        ctx.add("scenarios", f"series have different numbers of scenario columns ({desc}); "
                "every multi-column series must have the same columns")
        return ("0",)
    if not sizes:
        return ("0",)
    n, (_, names) = next(iter(sizes.items()))
    return tuple(names) if names else tuple(str(i) for i in range(n))


def _align_scenario_columns(nodes: list[Node], edges: list[Edge], ctx: LoadContext) -> tuple[list[Node], list[Edge]]:
    """The nodes and edges, with the scenario columns of series that name the same scenarios matched by name,
    not by position: a series whose columns are the first named series' in another order is reordered to that
    order (the run's scenarios are named after the first).  Names are the same as :func:`~daryo.model.csvseries.
    column_name` reads them (``'сухой'`` written NFD, or ``' сухой'`` after a header's comma, is ``'сухой'``).
    Series whose names share some but not all are a problem, and so are names that differ only in case or in
    letters that look alike (:func:`~daryo.errors.looks_the_same`: ``'Сухой'``, ``'cухой'`` with a Latin c, for
    ``'сухой'``), which would otherwise be paired by position without a word, a wet trace with a dry one (a Tashkent
    ministry analyst's review); series whose names share none are matched by position (``inflow_1, inflow_2`` with
    ``demand_1, demand_2``), which :func:`~daryo.model.cautions.cautions` notes."""
    first: tuple[str, Series] | None = None

    def aligned(el: _E) -> _E:
        nonlocal first
        attrs = dict(el.attrs)
        for key, v in el.attrs.items():
            if not isinstance(v, Series) or v.n_scenarios < 2 or not v.scenarios:
                continue
            if first is None:
                first = (f"{el.id}.{key}", v)
                continue
            where, names = first[0], first[1].scenarios or ()
            ours, theirs = [column_name(n) for n in v.scenarios], [column_name(n) for n in names]
            if ours == theirs:
                attrs[key] = replace(v, scenarios=names)
                continue
            if set(ours) == set(theirs) and len(set(theirs)) == len(theirs):
                attrs[key] = replace(v, values=v.values[[ours.index(n) for n in theirs]], scenarios=names)
                continue
            if alike := [(a, b) for a in v.scenarios for b in names if looks_the_same(a, b)]:
                ctx.add(v.origin[1] or f"{el.id}.{key}", _names_alike(v, where, first[1], alike))
            elif set(ours) & set(theirs):
                ctx.add(v.origin[1] or f"{el.id}.{key}",
                        f"its scenario columns ({', '.join(v.scenarios)}) and {where}'s ({', '.join(names)}) share "
                        "some names but not all; series with several columns are matched by name where they name "
                        "the same scenarios: give them the same column names, or names that share none (matched "
                        "by position)")
        return el if attrs == el.attrs else replace(el, attrs=attrs)

    return [aligned(n) for n in nodes], [aligned(e) for e in edges]


def _names_alike(v: Series, where: str, first: Series, alike: list[tuple[str, str]]) -> str:
    """The problem of a series whose scenario columns' names differ from those of the first named series, at
    ``where``, only in case or in letters that look alike (``alike``: the pairs), each difference named with its
    code points, and the pairing by position it would otherwise get."""
    pairs = ", ".join(f"'{a}' and '{b}' ({differences_named(a, b)})" for a, b in alike[:2])
    by_position = ", ".join(f"{a} with {b}" for a, b in zip(v.scenarios or (), first.scenarios or (), strict=False))
    return (f"its scenario columns {v.columns_named()} and {where}'s {first.columns_named()} hold names that differ "
            f"only in case or in letters that look alike: {pairs}"
            f"{f' and {len(alike) - 2} more' if len(alike) > 2 else ''}. Series with several columns are matched by "
            f"name, and these are other names, so the columns would be paired by position ({by_position}): write "
            f"each name the same way in both{' files' if v.csv and first.csv else ''}")


# ----------------------------------------------------------------------------------------- values
def _edge_hint(raw: Any) -> str:
    """A hint for an edge written as text (``a -> b``, ``a, b``): the list it should be."""
    names = _words(raw) if isinstance(raw, str) else []
    return f" (write it [{names[0]}, {names[1]}])" if len(names) == 2 else ""


def _end_key_hint(raw: Any) -> str:
    """A hint for an edge mapping whose 'from' or 'to' key is misspelt ({form: a, to: b}: a large-network modeller's
    review)."""
    if not isinstance(raw, Mapping):
        return ""
    hints = [f"'{k}' (did you mean '{end}'?)" for end in ("from", "to") if end not in raw
             for k in raw if isinstance(k, str) and k not in ("from", "to") and did_you_mean(k, [end])]
    return f": its key {hints[0]}" if len(hints) == 1 else ""


def _words(text: str) -> list[str]:
    """The words of ``text`` between arrows, commas, brackets and spaces."""
    return [w for w in re.split(r"->|→|[\s,\[\]{}:]+", text) if w]


def _names_in(raw: Any) -> set[str]:
    """Every word of edges that could not be read (the nodes they probably join)."""
    if isinstance(raw, str):
        return set(_words(raw))
    if isinstance(raw, Mapping):  # (its keys too: edges written {from_node: to_node})
        return set().union(*(_names_in(v) for v in raw.values()), *(_names_in(str(k)) for k in raw))
    if isinstance(raw, list | tuple):
        return set().union(*(_names_in(v) for v in raw))
    return set()


