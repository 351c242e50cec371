"""Read a daryo model file (YAML or JSON, schema ``version: 1``) into a validated :class:`Model`.

The loader collects every problem (file, place, message) and raises one :class:`ModelError`; it never
lets a parser traceback through.  Units are converted to canonical units here, once.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path, PurePath
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import yaml

from .._files import file_digest, missing_cwd_note
from ..errors import LINK_LOOP, ModelError, Problem, did_you_mean, kind_of, with_article
from ..errors import short_text as _short
from ..parameters import ParameterRef, ScenarioDim, check_parameters, parse_parameters, scenario_combinations
from ..timeaxis import MAX_STEP_DAYS, parse_date, parse_end, span_problem, step_days
from ..units import (
    UnitError,
    is_number,
    is_per_month,
    is_too_large,
    is_whole,
    no_unit_given,
    parse_quantity,
    unit_factor,
)
from .components import COMMON_ATTRIBUTES, COMPONENT_TYPES, CONSTRAINT_TYPES, EDGE_ATTRIBUTES, Attribute
from .csvseries import CsvReadError, csv_columns, csv_problems_for, read_csv_file, read_csv_series
from .migrations import migrate
from .places import relocated
from .series import LevelTable, Series
from .types import Constraint, Edge, Model, Node, TimeSpec
from .validate import PLACEHOLDER_TIME, validate_model

__all__ = ["YamlDumper", "is_pywr_document", "load_model", "model_document", "model_from_dict", "read_document"]

_E = TypeVar("_E", Node, Edge)


# ---------------------------------------------------------------------------------------------- YAML
class _LineDict(dict):
    """A mapping that remembers the line it started on in its YAML file, and the line of each of its keys (in
    block style, an attribute's own line)."""

    line: int | None = None
    key_lines: dict[str, int] = {}  # (each instance gets its own)


class _DuplicateKeyError(yaml.constructor.ConstructorError):
    """A key written twice in one mapping (YAML would keep the last silently)."""


class _PlainLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML's safe loader, keeping dates as strings: the loader parses them where a date is expected; a key
    written twice in a mapping is an error (:class:`_DuplicateKeyError`).  It parses with libyaml where PyYAML
    has it (~8× faster than its Python parser: the embedded model's 17 files are read in 0.02 s, not 0.17 s)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:  # type: ignore[override]
        if isinstance(node, yaml.MappingNode):
            _check_unique_keys(self, node)
        return super().construct_mapping(node, deep=deep)


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | HugeInteger:
    """YAML's integer, or a :class:`HugeInteger` for one of more digits than Python converts (4,300)."""
    try:
        return yaml.SafeLoader.construct_yaml_int(loader, node)  # type: ignore[no-any-return]
    except ValueError:
        return HugeInteger(str(node.value))


_PlainLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


class HugeInteger:
    """A whole number written with more digits than Python converts to an int (4,300: a limit against slow
    conversions), as the parsers give it, kept as written: :func:`read_document` refuses it as too large a number,
    naming its place, wherever it is."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text.strip()

    def __repr__(self) -> str:
        return self.text[:40] + "…"

    __str__ = __repr__


def _check_unique_keys(loader: yaml.SafeLoader, node: yaml.MappingNode) -> None:
    """Raise :class:`_DuplicateKeyError` at the second of two equal keys of ``node`` (merge keys ``<<`` aside:
    a key of the mapping overrides a merged one)."""
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.setdefault(key, key_node)
        except TypeError:  # an unhashable key: the constructor refuses it
            continue
        if first is not key_node:
            mark = first.start_mark
            raise _DuplicateKeyError(None, None, f"key '{_short(key)}' appears twice in this mapping (first at "
                                     f"line {mark.line + 1}, column {mark.column + 1})", key_node.start_mark)


_PlainLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# numbers in exponent form as YAML 1.2 (and JSON) write them, 1e3 and 1.5e-3, which YAML 1.1 reads as text unless
# they have a dot and a signed exponent (1.0e+3)
_EXPONENT_FORM = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")
for _first in "-+0123456789.":
    _PlainLoader.yaml_implicit_resolvers.setdefault(_first, []).insert(0, ("tag:yaml.org,2002:float", _EXPONENT_FORM))


class YamlDumper(yaml.SafeDumper):
    """YAML's safe dumper that quotes text the loader would read as a number (``'1e3'``), so that what daryo
    writes (``daryo convert``, hints in messages) reads back as written."""


YamlDumper.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT_FORM, list("-+0123456789."))


class _LineList(list):
    """A sequence that remembers the line it started on in its YAML file (an edge written ``[from, to]``), and
    the line of each of its items (of an item that is plain text, which cannot carry its own)."""

    line: int | None = None
    item_lines: list[int]  # (set for each sequence as it is read)


class _LineLoader(_PlainLoader):
    """:class:`_PlainLoader` whose mappings are :class:`_LineDict` s and sequences :class:`_LineList` s."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    d = _LineDict(loader.construct_mapping(node, deep=True))
    d.line = node.start_mark.line + 1
    d.key_lines = {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
    return d


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _LineList:
    seq = _LineList(loader.construct_sequence(node, deep=True))
    seq.line = node.start_mark.line + 1
    seq.item_lines = [item.start_mark.line + 1 for item in node.value]
    return seq


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def read_document(path: Path, lines: bool = True) -> Any:
    """Parse a YAML or JSON file: the one reader of daryo's documents (models, overlays, hydrology tables,
    Pywr includes).

    Parameters
    ----------
    path
        The file; a ``.json`` suffix is read as JSON, anything else as YAML (dates stay strings).
    lines
        YAML mappings are :class:`dict` s that remember their line (``.line``) for messages; False gives plain
        dicts, for documents whose parts end up in another file's document (scenario overlays).

    Returns
    -------
    Any
        The parsed document (None for an empty YAML file).

    Raises
    ------
    ModelError
        One problem naming the file: not found, unreadable, or malformed (with line and column).
    """
    if (special := _not_a_document_file(path)) is not None:  # (a named pipe would block the read, a device not end)
        raise ModelError(Problem(str(path), "", special))
    try:
        text = path.read_text(encoding="utf-8-sig")  # (a byte-order mark, which some editors write, is dropped)
    except FileNotFoundError:
        note = missing_cwd_note(path)
        raise ModelError(Problem(str(path), "", f"file not found: {note}" if note else "file not found")) from None
    except IsADirectoryError:
        raise ModelError(Problem(str(path), "", "is a folder, not a YAML or JSON file")) from None
    except UnicodeDecodeError as exc:
        raise ModelError(Problem(str(path), "", _undecodable(path, exc))) from None
    except OSError as exc:
        raise ModelError(Problem(str(path), "", f"cannot be read: {exc.strerror or exc}")) from None
    except ValueError:  # ("embedded null byte")
        raise ModelError(Problem(repr(str(path)), "", "is not a file name: it holds a NUL character (\\0)")) from None
    try:
        doc = _read_json(text, path) if path.suffix.lower() == ".json" else _read_yaml(text, path, lines)
    except RecursionError:  # (the parsers recurse once per level)
        raise ModelError(Problem(str(path), "", _TOO_DEEP)) from None
    if (why := _document_problem(doc)) is not None:
        raise ModelError(Problem(str(path), *why))
    return doc


def _not_a_document_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a document although it exists (a named pipe, a device, a socket), or None
    (a regular file, a folder, or nothing there: reading it says what)."""
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):  # (not there, a loop of links, a NUL in the name: reading it says so)
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return "is not a regular file (a named pipe, a device or a socket): give a YAML or JSON file"


def _undecodable(path: Path, exc: UnicodeDecodeError) -> str:
    """Why a document that is not UTF-8 text cannot be read: a NetCDF file (results, say) by its signature, else
    the first byte that is not text."""
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError:  # (gone since it was read)
        head = b""
    if head.startswith((b"\x89HDF", b"CDF")):
        return "is a NetCDF file (results?), not a YAML or JSON file"
    return (f"cannot be read: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position {exc.start}); a YAML or "
            "JSON file must be saved as UTF-8")


_MAX_DEPTH = 100  # levels of lists and mappings in a document
_MAX_VALUES = 10_000_000  # values in a document, its YAML aliases expanded
_TOO_DEEP = f"lists or mappings nested more than {_MAX_DEPTH} levels deep"


def _document_problem(doc: Any) -> tuple[str, str] | None:
    """(place, what) of the first part of a parsed document that daryo cannot take, or None: nesting deeper than
    :data:`_MAX_DEPTH`; YAML aliases that expand to more than :data:`_MAX_VALUES` values (a few hundred bytes can
    name billions: an "alias bomb"); text that is not Unicode (a lone surrogate escape such as ``"\\ud800"``); a
    whole number of more digits than Python converts (:class:`HugeInteger`)."""
    sizes: dict[int, int] = {}

    def size(v: Any, place: str, depth: int, line: int | None = None) -> int:
        if isinstance(v, HugeInteger):  # (refused here, wherever it is: no part of daryo computes with it)
            raise _Refused(place + (f" (line {line})" if line else ""),
                           f"'{v}' is too large a number (more than 1.8e308)")
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise _Refused(place, f"{_short(v.encode('utf-8', 'backslashreplace').decode())} is not text: it "
                               "holds a lone surrogate escape (\\ud800-\\udfff)") from None
            return 1
        if not isinstance(v, (dict, list)):
            return 1
        if id(v) in sizes:  # (a YAML alias: the same object again)
            return sizes[id(v)]
        if depth >= _MAX_DEPTH:
            raise _Refused(place, _TOO_DEEP)
        if isinstance(v, dict):
            at = getattr(v, "line", line)  # (a YAML mapping's line)
            n = 1 + sum(size(k, place, depth + 1, at) + size(x, f"{place}.{k}" if place else str(k), depth + 1, at)
                        for k, x in v.items())
        else:
            n = 1 + sum(size(x, f"{place}[{_item_name(x, i)}]", depth + 1, line) for i, x in enumerate(v))
        sizes[id(v)] = n
        if n > _MAX_VALUES:
            raise _Refused(place, f"holds more than {_MAX_VALUES:,} values once its YAML aliases are expanded")
        return n

    try:
        size(doc, "", 0)
    except _Refused as exc:
        return exc.args[0], exc.args[1]
    return None


def _item_name(item: Any, index: int) -> str | int:
    """How a place names a list's item: a node's (or other component's) id, or a Pywr item's name, else its
    index."""
    if isinstance(item, dict):
        for key in ("id", "name"):
            if isinstance(item.get(key), str):
                return str(item[key])
    return index


class _Refused(Exception):
    """(place, what) of :func:`_document_problem`."""


def _read_yaml(text: str, path: Path, lines: bool) -> Any:
    try:
        return yaml.load(text, Loader=_LineLoader if lines else _PlainLoader)  # noqa: S506 - SafeLoader subclasses
    except yaml.reader.ReaderError as exc:  # a character YAML does not take (NUL, other control characters)
        if issubclass(_PlainLoader, yaml.SafeLoader):  # PyYAML's own reader counts characters
            pos = min(exc.position, len(text))
        else:  # libyaml's counts the bytes of the text in UTF-8
            pos = len(text.encode("utf-8")[: exc.position].decode("utf-8", errors="ignore"))
        line, column = text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise ModelError(Problem(str(path), f"line {line}, column {column}", (
            f"malformed YAML: the character U+{code:04X} is not allowed in a YAML file (a control character: "
            "is the file text?)"))) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc)
        context, start = str(getattr(exc, "context", None) or ""), getattr(exc, "context_mark", None)
        opened = f"line {start.line + 1}, column {start.column + 1}" if start else ""
        if "quoted scalar" in context and "end of stream" in what and start:  # (found at the end of the file)
            place, what = opened, "a quoted text starting here is never closed (its closing quote is missing)"
        elif "flow sequence" in context or "flow mapping" in context:
            brackets = "[...]" if "sequence" in context else "{...}"
            what += f" (in the {brackets} opened at {opened}: is its closing bracket missing?)" if start else ""
        elif mark and "tab" not in what and _char_at(text, mark.line, mark.column) == "\t":
            what += " (a tab: YAML indents with spaces)"
        elif any(p in what for p in _INDENTATION_PROBLEMS):
            what += (" (check the indentation and the quoting of this line and the one above: the entries of one "
                     "list or mapping start in the same column" + ("; and text with ': ' in it goes in quotes)"
                                                                   if "mapping values" in what else ")"))
        if not isinstance(exc, _DuplicateKeyError):
            what = f"malformed YAML: {what}"
        raise ModelError(Problem(str(path), place, what)) from None


# PyYAML's problems that mostly mean a line indented more or less than its neighbours
_INDENTATION_PROBLEMS = ("mapping values are not allowed here", "mapping values are not allowed in this context",
                         "did not find expected '-' indicator", "did not find expected key",
                         "expected <block end>, but found")


def _char_at(text: str, line: int, column: int) -> str:
    """The character of ``text`` at a (0-based) line and column; "" past its end."""
    lines = text.splitlines()
    return lines[line][column:column + 1] if line < len(lines) else ""


# ---------------------------------------------------------------------------------------------- JSON
class _DuplicateJsonKey(Exception):
    """A key written twice in one JSON object (``json`` would keep the last silently)."""


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` of :func:`json.loads`: the object, or :class:`_DuplicateJsonKey`."""
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _DuplicateJsonKey
    return out


def _json_int(text: str) -> int | HugeInteger:
    """JSON's integer, or a :class:`HugeInteger` for one of more digits than Python converts."""
    try:
        return int(text)
    except ValueError:
        return HugeInteger(text)


def _read_json(text: str, path: Path) -> Any:
    """Parse JSON text; a malformed document or a key written twice in an object is one problem with its line."""
    try:
        return json.loads(text, object_pairs_hook=_unique_pairs, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        raise ModelError(Problem(str(path), f"line {exc.lineno}, column {exc.colno}",
                                 f"malformed JSON: {exc.msg}")) from None
    except _DuplicateJsonKey:
        place, message = _json_duplicate(text)
        raise ModelError(Problem(str(path), place, message)) from None


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]')  # a string, or a bracket outside strings
_JSON_COLON = re.compile(r"\s*:")


def _json_duplicate(text: str) -> tuple[str, str]:
    """The place (line, column) and message of the first key written twice in one object of the JSON ``text``.

    The objects' keys are followed through the text's strings and brackets (a bracket inside a string is
    part of the string's token).
    """
    stack: list[dict[str, int] | None] = []  # per open bracket: an object's keys (key -> offset), None for a list
    for m in _JSON_TOKEN.finditer(text):
        token, keys = m.group(), stack[-1] if stack else None
        if token == "{" or token == "[":
            stack.append({} if token == "{" else None)
        elif token == "}" or token == "]":
            stack.pop()
        elif keys is not None and _JSON_COLON.match(text, m.end()):
            key = json.loads(token)
            if key in keys:
                return _text_place(text, m.start()), (f"key '{_short(key)}' appears twice in this object (first "
                                                      f"at {_text_place(text, keys[key])})")
            keys[key] = m.start()
    return "", "a key appears twice in one object"  # not reached: json.loads found one


def _text_place(text: str, offset: int) -> str:
    """``line L, column C`` of a character offset in ``text`` (both from 1)."""
    line, line_start = text.count("\n", 0, offset) + 1, text.rfind("\n", 0, offset) + 1
    return f"line {line}, column {offset - line_start + 1}"


def load_model(path: str | Path) -> Model:
    """Load and validate a model file.

    Parameters
    ----------
    path
        A daryo YAML/JSON model file, or a Pywr v1 JSON document (converted in memory).

    Raises
    ------
    ModelError
        Listing every problem found, each with file and place.
    """
    p = Path(path)
    return model_from_dict(model_document(p), base_dir=p.parent, file=str(p), path=p)


def model_document(path: Path) -> Any:
    """The parsed document of a model file; a Pywr v1 JSON document is converted to a daryo one."""
    doc = read_document(path)
    if is_pywr_document(doc):
        from ..pywr import convert_pywr_document  # local import: optional front end

        try:
            doc = convert_pywr_document(doc, path)
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


# ------------------------------------------------------------------------------------------- parsing
class _Context:
    def __init__(self, file: str, base_dir: Path):
        self.file, self.base_dir = file, base_dir
        self.problems: list[Problem] = []
        self._csv_cache: dict[Path, pd.DataFrame | None] = {}
        self.parameter_names: set[str] = set()
        self.step_days: int | None = None  # the model's N-day steps (None: calendar months)
        self.unread_edge_names: set[str] = set()  # the words of edges that could not be read
        self.nodes_unread = False  # 'nodes' is not a list: edges are not checked against its (no) nodes
        self.unread_attributes: set[tuple[str, str]] = set()  # (node id, attribute) given but not read: a problem

    def add(self, place: str, message: str) -> None:
        self.problems.append(Problem(self.file, place, message))

    def read_csv(self, name: str, place: str) -> tuple[pd.DataFrame, str] | None:
        if "\0" in name:  # (no file name holds one; the system refuses it)
            self.add(place, f"CSV file name {name!r} holds a NUL character (\\0): no file has such a name")
            return None
        try:
            path = (self.base_dir / name).resolve()
        except (RuntimeError, OSError):  # (a symbolic link loop: RuntimeError before Python 3.13)
            self.add(place, f"CSV file '{name}' cannot be read: {LINK_LOOP}")
            return None
        if path in self._csv_cache:
            df = self._csv_cache[path]
            return (df, str(path)) if df is not None else None
        df = None
        if path.is_dir():
            self.add(place, f"CSV file '{name}' is a folder ({path})")
        elif not path.exists():
            self.add(place, f"CSV file '{name}' not found (looked for {path})")
        elif not path.is_file():
            self.add(place, f"CSV file '{name}' is not a regular file ({path})")
        else:
            try:
                df = read_csv_file(path)
            except CsvReadError as exc:
                self.add(place, f"CSV file '{name}' cannot be read: {exc}")
        self._csv_cache[path] = df
        return (df, str(path)) if df is not None else None


#: The largest whole number an attribute (a priority, a delay's steps) can be
_MAX_INT = 1_000_000_000
_MAX_SCENARIOS = 100_000  # scenario combinations a model may hold (its arrays have one row per scenario)


def _check_title(value: Any, key: str, place: str, ctx: _Context) -> None:
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


def _split_number_hint(key: Any) -> str:
    """A hint for a key that is the tail of a number a comma split (``{inflow: 14,000 m3/s}``: YAML reads a
    key "000 m3/s"; ``{demand: 14,500}`` a key 500)."""
    if (isinstance(key, str) and key[:1].isdigit()) or (isinstance(key, int | float) and not isinstance(key, bool)):
        return ("; a comma inside {...} ends a value there: write numbers without a thousands separator "
                "(14000, not 14,000)")
    return ""


def _item_where(seq: Any, i: int, place: str) -> str:
    """``place`` of item ``i`` of YAML sequence ``seq`` with its line (also of an item that is plain text)."""
    lines = getattr(seq, "item_lines", [])
    line = getattr(seq[i], "line", None) or (lines[i] if i < len(lines) else None)
    return f"{place} (line {line})" if line else place


def _where(d: Any, place: str, key: str | None = None) -> str:
    """``place`` and the line of mapping ``d`` (of its ``key``, if given and known), for messages."""
    line = getattr(d, "key_lines", {}).get(key) or getattr(d, "line", None)
    return f"{place} (line {line})" if line else place


_LINE = re.compile(r" \(line \d+\)$")


def _inner(place: str, sub: str) -> str:
    """The place of part ``sub`` (``.key`` or ``[i]``) of the value at ``place``, its line kept at the end."""
    m = _LINE.search(place)
    return place[: m.start()] + sub + m.group() if m else place + sub


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


def model_from_dict(doc: Any, base_dir: Path | str = ".", file: str = "<model>", path: Path | None = None,
                    origins: Mapping[str, tuple[str, str]] | None = None, *, file_steps: int | None = None
                    ) -> Model:
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
    if not isinstance(base_dir, str | os.PathLike):
        raise TypeError(f"base_dir={base_dir!r}: give the folder the document's relative file paths are read from, "
                        "as text or a path")
    ctx = _Context(file, Path(base_dir))
    places = getattr(doc, "places", {})  # (of a converted Pywr document: the Pywr places of what it made)
    origins = origins or {}
    try:
        model = _model_from_dict(doc, ctx, path, file_steps)
    except ModelError as exc:
        if not (places or origins):
            raise
        raise ModelError(relocated(exc.problems, file, places, origins), note=exc.note) from None
    model = replace(model, pywr_places=places, origins=origins) if places or origins else model
    object.__setattr__(model, "validated", True)  # (frozen; dataclasses.replace makes a copy that is not)
    return model


def _model_from_dict(doc: Any, ctx: _Context, path: Path | None, file_steps: int | None = None) -> Model:
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
    ctx.step_days = time.step_days if time else None
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
    raw_nodes = doc.get("nodes")
    declared = {str(n.get("id")) for n in raw_nodes if isinstance(n, Mapping)} if isinstance(raw_nodes, list) else set()
    metadata, extensions = (_mapping(doc, key, ctx) for key in ("metadata", "extensions"))
    if not ctx.nodes_unread:
        _check_basins(doc.get("metadata"), declared, ctx)
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
        file_sha256=file_digest(path) or "",  # (now: results record the file as it was read, not as it is then)
    )
    problems = list(ctx.problems)
    if not ctx.nodes_unread:  # (else every reference to a node would be reported as dangling)
        problems += validate_model(model, file, declared_ids=declared, loose_ids=ctx.unread_edge_names,
                                   unread_attributes=ctx.unread_attributes, file_steps=file_steps)
        problems += check_parameters(params, {n.id for n in nodes if n.type == "reservoir"}, declared, dims, file,
                                     declared_params=ctx.parameter_names, declared_dims=_dim_names(doc))
        problems += _check_constraints(model, file)
    if problems:
        raise ModelError(problems)
    return model


def _mapping(doc: Mapping, key: str, ctx: _Context) -> dict:
    """The top-level ``key`` of the model, which must be a mapping (empty if missing)."""
    value = doc.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        ctx.add(_where(doc, key, key), f"must be a mapping of names to values (e.g. {key}: {{source: …}}), not "
                f"'{_short(value)}'")
        return {}
    return dict(value)


def _check_basins(metadata: Any, node_ids: set[str], ctx: _Context) -> None:
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


def _parse_scenarios(spec: Any, ctx: _Context) -> list[ScenarioDim]:
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


def _parse_constraints(spec: Any, ctx: _Context) -> list[Constraint]:
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
                        f"{', '.join(a.name for a in ctype.attributes)}{_split_number_hint(key)}")
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


def _parse_constraint_value(value: Any, attr: Attribute, ctx: _Context, place: str) -> Any:
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


def _parse_time(spec: Any, ctx: _Context) -> TimeSpec | None:
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
    try:
        days = step_days(step)
    except ValueError as exc:
        ctx.add(_where(spec, "time.step"), f"{exc}; use 'month' or {{days: N}} with N from 1 to {MAX_STEP_DAYS}")
    else:
        if days is None and start.day != 1:
            ctx.add(_where(spec, "time.start", "start"), f"{start:%Y-%m-%d} is not a month's first day, where "
                    f"monthly steps start: give {start:%Y-%m} (or an N-day step, step: {{days: N}})")
    if end < start:
        ctx.add(_where(spec, "time"), f"end {end:%Y-%m-%d} is before start {start:%Y-%m-%d}")
    elif (why := span_problem(start, end, days)) is not None:
        ctx.add(_where(spec, "time"), why)
        return None
    return TimeSpec(start, end, days)


def _parse_nodes(spec: Any, ctx: _Context, where: str = "nodes") -> list[Node]:
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
                    else _not_text("'id'", node_id))
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
                            f"{_split_number_hint(key)}")
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


# an attribute written with no value (``demand:`` and nothing after it, or ``null``)
_NO_VALUE = "has no value; give one, or leave the key out"


def _not_text(what: str, value: Any) -> str:
    """The message for a node id that is not text: YAML reads yes/no/on/off/true/false as booleans, ``~`` or
    nothing as null and digits as numbers."""
    if value is None or value == "":
        return f"{what} has no value; give a node id"
    if isinstance(value, (bool, int, float)):
        return f"{what} must be a node id (text), but YAML read it as {kind_of(value)}; put the id in quotes"
    return f"{what} must be a node id (text), not {_short(value)}"


def _parse_edges(spec: Any, ctx: _Context, where: str = "edges") -> list[Edge]:
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
            ctx.add(where, "an edge must be [from, to] or a mapping with 'from' and 'to'" + _edge_hint(raw))
            ctx.unread_edge_names |= _names_in(raw)
            continue
        src, dst = raw["from"], raw["to"]
        bad = [_not_text(repr(k), v) for k, v in (("from", src), ("to", dst)) if not isinstance(v, str) or not v]
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
                names = ", ".join(["from", "to"] + [a.name for a in EDGE_ATTRIBUTES])
                ctx.add(at, f"unknown edge attribute '{key}'; allowed: {names}")
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


def _scenario_names(nodes: list[Node], edges: list[Edge], ctx: _Context, dims: list[ScenarioDim] | None = None
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


def _align_scenario_columns(nodes: list[Node], edges: list[Edge], ctx: _Context) -> tuple[list[Node], list[Edge]]:
    """The nodes and edges, with the scenario columns of series that name the same scenarios matched by name,
    not by position: a series whose columns are the first named series' in another order is reordered to that
    order (the run's scenarios are named after the first).  Series whose names share some but not all are a
    problem; series whose names share none are matched by position (``inflow_1, inflow_2`` with ``demand_1,
    demand_2``)."""
    first: tuple[str, tuple[str, ...]] | None = None

    def aligned(el: _E) -> _E:
        nonlocal first
        attrs = dict(el.attrs)
        for key, v in el.attrs.items():
            if not isinstance(v, Series) or v.n_scenarios < 2 or not v.scenarios:
                continue
            if first is None:
                first = (f"{el.id}.{key}", v.scenarios)
                continue
            where, names = first
            if v.scenarios == names or not set(v.scenarios) & set(names):
                continue
            if set(v.scenarios) == set(names) and len(set(names)) == len(names):
                attrs[key] = replace(v, values=v.values[[v.scenarios.index(n) for n in names]], scenarios=names)
                continue
            ctx.add(v.origin[1] or f"{el.id}.{key}",
                    f"its scenario columns ({', '.join(v.scenarios)}) and {where}'s ({', '.join(names)}) share "
                    "some names but not all; series with several columns are matched by name where they name "
                    "the same scenarios: give them the same column names, or names that share none (matched "
                    "by position)")
        return el if attrs == el.attrs else replace(el, attrs=attrs)

    return [aligned(n) for n in nodes], [aligned(e) for e in edges]


# ----------------------------------------------------------------------------------------- values
def _edge_hint(raw: Any) -> str:
    """A hint for an edge written as text (``a -> b``, ``a, b``): the list it should be."""
    names = _words(raw) if isinstance(raw, str) else []
    return f" (write it [{names[0]}, {names[1]}])" if len(names) == 2 else ""


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


def _finite(values: np.ndarray, ctx: _Context, place: str) -> bool:
    if not np.all(np.isfinite(values)):
        ctx.add(place, "contains non-finite numbers (NaN or infinity); give finite values")
        return False
    return True


def _same_unit(a: str, b: Any, attr: Attribute) -> bool:
    """Whether two spellings name the same unit for ``attr`` (``m3/s`` and ``m³/s``…); unknown ones are not."""
    if a == b:
        return True
    if attr.dimension is None:
        return False
    try:
        return unit_factor(a, attr.dimension) == unit_factor(b, attr.dimension)
    except UnitError:
        return False


def _number(value: Any, attr: Attribute, ctx: _Context, place: str) -> tuple[float, bool] | None:
    """A scalar in canonical units, and whether it is a per-day rate."""
    unit: str | None = None
    if _empty_unit(value, ctx, place):
        return None
    if isinstance(value, Mapping) and "value" in value:
        unit, value = value.get("unit"), value["value"]
    if isinstance(value, str):
        try:
            q = parse_quantity(value)
        except UnitError as exc:
            ctx.add(place, str(exc))
            return None
        if q.unit is not None and unit is not None and not _same_unit(q.unit, unit, attr):
            ctx.add(place, f"'{value}' names its unit and unit: '{unit}' names another; give the unit once, as "
                    f"'{value}' or as {{value: {q.value:g}, unit: {unit}}}")
            return None
        value, unit = q.value, q.unit if unit is None else unit
    if is_too_large(value):
        ctx.add(place, f"'{_short(value)}' is too large a number (more than 1.8e308)")
        return None
    if not is_number(value):
        ctx.add(place, f"'{_short(value)}' is not a number")
        return None
    if not math.isfinite(value):
        ctx.add(place, "is not a finite number")
        return None
    got = _unit_factor(unit, attr.dimension or "cost", ctx, place)
    if got is None:
        return None
    canonical = float(value) * got[0]
    if not math.isfinite(canonical):  # (1e308 km3 is 1e311 hm3)
        ctx.add(place, f"'{_short(value)}' {unit} is too large a number in the model's units (more than 1.8e308)")
        return None
    return canonical, got[1]


_NO_UNIT = "has no value; give a unit, or leave the key out for the canonical one"


def _empty_unit(value: Any, ctx: _Context, place: str) -> bool:
    """Whether ``value`` (a mapping) writes ``unit`` with no value (``unit:``, ``unit: null`` or ``''``), which
    read as the canonical unit without a word; reported at ``place``."""
    if isinstance(value, Mapping) and "unit" in value and no_unit_given(value["unit"]):
        ctx.add(_inner(place, ".unit"), _NO_UNIT)
        return True
    return False


def _unit_factor(unit: Any, dimension: str, ctx: _Context, place: str) -> tuple[float, bool] | None:
    """:func:`~daryo.units.unit_factor`, with a problem at ``place`` instead of an exception: an unknown unit,
    one of another dimension, or a volume per month (``hm3/month``) in a model of N-day steps."""
    try:
        factor, is_rate = unit_factor(unit, dimension)
    except UnitError as exc:
        ctx.add(place, str(exc))
        return None
    if ctx.step_days is not None and is_per_month(unit):
        example = ("(e.g. '30 GWh') or a rate (e.g. '2 GWh/day', '1.5 TWh/yr')" if dimension == "energy" else
                   "(e.g. '30 hm3') or a rate (e.g. '1 hm3/day', '12 m3/s')")
        ctx.add(place, f"'{unit}' is an amount per calendar month, but this model has {ctx.step_days}-day steps; "
                f"give the amount per step {example}")
        return None
    return factor, is_rate


def _parse_value(value: Any, attr: Attribute, ctx: _Context, place: str) -> Any:
    kind = attr.kind
    if value is None:
        return None
    if kind == "text":
        if isinstance(value, Mapping | list):
            ctx.add(place, f"must be text, not '{_short(value)}'")
            return None
        return str(value)
    if kind == "node":
        if not isinstance(value, str):
            ctx.add(place, "must be the id of a node")
            return None
        return value
    if kind == "int":
        if not is_whole(value) or not 1 <= value <= _MAX_INT:
            quoted = " (it is text: write the number without quotes)" if isinstance(value, str) and (
                re.fullmatch(r"[+-]?[0-9]+", value.strip())) else ""
            ctx.add(place, f"'{_short(value)}' must be a whole number from 1 to {_MAX_INT:,}{quoted}")
            return None
        return int(value)
    if kind == "choice":
        if value not in attr.choices:
            ctx.add(place, f"'{value}' is not one of: {', '.join(attr.choices)}")
            return None
        return value
    if kind == "scalar":
        scale = 1.0
        if isinstance(value, Mapping) and "value" in value:  # (a scale here was left unread, and ignored)
            unknown = [k for k in value if k not in ("value", "unit", "scale", "source")]
            if unknown:
                ctx.add(place, f"unknown key '{_short(unknown[0])}'; a number is written {{value: …, unit: …}}, "
                        "with scale: … to multiply it")
                return None
            given = _scale(value, ctx, place)
            if given is None:
                return None
            scale = given
        r = _number(value, attr, ctx, place)
        if r is None:
            return None
        if r[1]:
            ctx.add(place, "a rate unit is not allowed here; give a volume per step")
            return None
        if not math.isfinite(scaled := r[0] * scale):
            ctx.add(place, f"the value times scale {scale:g} is too large a number (more than 1.8e308)")
            return None
        return scaled
    if kind == "table":
        return _parse_table(value, ctx, place)
    if kind == "series" and isinstance(value, Mapping) and "parameter" in value:
        return _parse_parameter_ref(value, attr, ctx, place)
    return _parse_series(value, attr, ctx, place, monthly_only=(kind == "monthly"))


def _scale(value: Mapping, ctx: _Context, place: str) -> float | None:
    """The ``scale`` of a value written as a mapping (1 without one); None after a problem (not a finite number)."""
    scale = value.get("scale", 1.0)
    if not is_number(scale) or not math.isfinite(scale):
        ctx.add(place, f"scale '{_short(scale)}' is not a number" if not is_number(scale)
                else f"scale {scale} is not finite")
        return None
    return float(scale)


def _parse_parameter_ref(value: Mapping, attr: Attribute, ctx: _Context, place: str) -> ParameterRef | None:
    """``{parameter: NAME, unit: …, scale: …}``: the parameter's value in ``unit`` (default canonical)."""
    unknown = set(value) - {"parameter", "unit", "scale"}
    if unknown:
        ctx.add(place, f"unknown key(s) {', '.join(sorted(map(str, unknown)))} in a parameter reference; use "
                "parameter, unit, scale")
        return None
    name = value["parameter"]
    if not isinstance(name, str) or name not in ctx.parameter_names:
        ctx.add(place, f"names parameter '{name}', which is not defined under 'parameters'"
                f"{did_you_mean(name, ctx.parameter_names)}")
        return None
    if _empty_unit(value, ctx, place):
        return None
    got = _unit_factor(value.get("unit"), attr.dimension or "cost", ctx, place)
    if got is None:
        return None
    factor, is_rate = got
    scale = _scale(value, ctx, place)
    if scale is None:
        return None
    return ParameterRef(name, factor * scale, is_rate, place)


def _parse_series(value: Any, attr: Attribute, ctx: _Context, place: str, monthly_only: bool
                  ) -> Series | None:
    dimension = attr.dimension or "cost"
    if _empty_unit(value, ctx, place):
        return None
    unit = value.get("unit") if isinstance(value, Mapping) else None
    got = _unit_factor(unit, dimension, ctx, place)
    if got is None:
        return None
    factor, is_rate = got
    if isinstance(value, Mapping):
        known = {"unit", "value", "monthly", "values", "csv", "column", "columns", "scale", "source"}
        for k in value:
            if k not in known:
                ctx.add(place, f"unknown key '{k}' in a series; use one of: {', '.join(sorted(known))}")
                return None
        scale = _scale(value, ctx, place)
        if scale is None:
            return None
        given = [k for k in ("value", "monthly", "values", "csv") if k in value]
        if len(given) > 1:  # (one of them would win, silently)
            ctx.add(place, f"a series gives one of value, monthly, values or csv, not {' and '.join(given)}")
            return None
        factor *= scale
        if "monthly" in value:
            value = {"_monthly": value["monthly"]}
        elif "values" in value:
            value = {"_steps": value["values"]}
        elif "csv" in value:
            if monthly_only:
                ctx.add(place, "takes a constant or 12 monthly values, not a CSV series")
                return None
            return _parse_csv_series(value, factor, is_rate, ctx, place)
        elif "value" in value:
            r = _number(value, attr, ctx, place)
            if r is None:
                return None
            if not math.isfinite(r[0] * scale):
                ctx.add(place, f"the value times scale {scale:g} is too large a number (more than 1.8e308)")
                return None
            return Series.constant(r[0] * scale, r[1], origin=(ctx.file, place))
        else:
            ctx.add(place, "a series mapping needs one of: value, monthly, values, csv")
            return None
    if is_number(value) or is_too_large(value) or isinstance(value, str):
        r = _number(value, attr, ctx, place)
        return None if r is None else Series.constant(r[0], r[1], origin=(ctx.file, place))
    plain = isinstance(value, list)  # (12 monthly values: another length is a typo, most likely)
    if plain:
        value = {"_monthly": value}
    if isinstance(value, Mapping) and ("_monthly" in value or "_steps" in value):
        monthly = "_monthly" in value
        raw = value.get("_monthly", value.get("_steps"))
        if monthly_only and not monthly:
            got_n = f"{len(raw)} values" if isinstance(raw, list) else f"'{_short(raw)}'"
            ctx.add(place, f"takes a constant or exactly 12 monthly values (January first), got {got_n}")
            return None
        arr = _numeric_rows(raw)
        if arr is None:
            ctx.add(place, "must be a list of numbers, or a list of equally long lists of numbers (one per "
                    "scenario trace)")
            return None
        if monthly and arr.shape[1] != 12:
            ctx.add(place, f"a plain list is 12 monthly values (January first; or one such list per trace), got "
                    f"{arr.shape[1]}; give one value per step as {{values: [...]}}" if plain else
                    f"monthly values must be 12 (January to December), got {arr.shape[1]}")
            return None
        with np.errstate(over="ignore"):  # (an overflow is reported as a non-finite value)
            arr = arr * factor
        if not _finite(arr, ctx, place):
            return None
        # 12 evaporation depths are each month's total, spread over the days of N-day steps
        return Series("monthly" if monthly else "steps", arr, is_rate, origin=(ctx.file, place),
                      per_month=monthly and dimension == "depth")
    ctx.add(place, f"'{_short(value)}' is not a value: give a number, '120 m3/s', 12 monthly values or {{csv: …}}")
    return None


def _numeric_rows(raw: Any) -> np.ndarray | None:
    """A list of numbers as shape (1, N), or a list of equally long lists as (S, N); None if neither.  A NumPy
    array of real numbers, of one or two dimensions, is read as that list (a document made in Python)."""
    if isinstance(raw, np.ndarray) and raw.ndim in (1, 2) and raw.size and raw.dtype.kind in "iuf":
        raw = raw.tolist()
    if not isinstance(raw, list) or not raw:
        return None
    if all(is_number(x) for x in raw):
        return np.asarray(raw, dtype=float)[None, :]
    if all(isinstance(r, list) and r and all(is_number(x) for x in r) for r in raw) and len(
            {len(r) for r in raw}) == 1:
        return np.asarray(raw, dtype=float)
    return None


def _parse_csv_series(spec: Mapping, factor: float, is_rate: bool, ctx: _Context, place: str
                      ) -> Series | None:
    if not isinstance(spec["csv"], str) or not spec["csv"]:
        ctx.add(place, f"csv must be the name of a CSV file, not {_short(spec['csv'])}")
        return None
    got = ctx.read_csv(spec["csv"], place)
    if got is None:
        return None
    df, fname = got
    try:
        cols = csv_columns(spec)
    except ValueError as exc:
        ctx.add(place, str(exc))
        return None
    read = read_csv_series(df, fname, str(spec["csv"]), place, csv_problems_for(place, ctx.add), columns=cols)
    if read is None:
        return None
    with np.errstate(over="ignore"):  # (reported below)
        values = read.values.T * factor
    if not np.all(np.isfinite(values)):
        ctx.add(place, f"values of {fname} become too large in the model's units (more than 1.8e308)")
        return None
    return Series("dated", values, is_rate, dates=read.dates,
                  scenarios=tuple(read.columns) if len(read.columns) > 1 else None, origin=(ctx.file, place),
                  csv=fname)


def _parse_table(value: Any, ctx: _Context, place: str) -> LevelTable | None:
    keys = ("csv",) if isinstance(value, Mapping) and "csv" in value else ("volume", "level", "area", "units")
    unknown = [str(k) for k in value if k not in keys] if isinstance(value, Mapping) else []
    if unknown:
        ctx.add(place, f"unknown key(s) {', '.join(unknown)}; a level table takes " + (
            "csv alone (its columns volume, level, area)" if keys == ("csv",) else "volume, level, area and units"))
        return None
    if isinstance(value, Mapping) and "csv" in value:
        got = ctx.read_csv(str(value["csv"]), place)
        if got is None:
            return None
        value = {k: got[0][k].tolist() for k in ("volume", "level", "area") if k in got[0].columns}
    if not isinstance(value, Mapping) or "volume" not in value or not ({"level", "area"} & set(value)):
        ctx.add(place, "a level table needs 'volume' (hm³) and 'level' (m) and/or 'area' (km²) lists")
        return None
    units = value.get("units", {})
    if "units" in value and units is None:
        ctx.add(_inner(place, ".units"), _NO_VALUE)
        return None
    if not isinstance(units, Mapping):
        ctx.add(_inner(place, ".units"), f"'{_short(units)}' is not a mapping; give the unit of each list, e.g. "
                "units: {volume: km3, level: m, area: ha}")
        return None
    if unknown := [str(k) for k in units if k not in ("volume", "level", "area")]:
        ctx.add(_inner(place, ".units"),
                f"unknown key(s) {', '.join(unknown)}; give the units of volume, level and area")
        return None
    arrays: dict[str, np.ndarray | None] = {}
    for key, dim in (("volume", "volume"), ("level", "length"), ("area", "area")):
        if key not in value:
            arrays[key] = None
            continue
        raw = value[key]
        if raw is None:
            ctx.add(_inner(place, f".{key}"), _NO_VALUE)
            return None
        given = units.get(key)
        if key in units and no_unit_given(given):
            ctx.add(_inner(place, f".units.{key}"), _NO_UNIT)
            return None
        try:
            factor, _ = unit_factor(given, dim)
        except UnitError as exc:
            ctx.add(_inner(place, f".units.{key}"), str(exc))
            return None
        rows = _numeric_rows(raw)
        if rows is None or rows.shape[0] != 1:
            ctx.add(_inner(place, f".{key}"), f"must be a list of numbers, not '{_short(raw)}'")
            return None
        arrays[key] = rows[0] * factor
    vol = arrays["volume"]
    assert vol is not None
    for key, arr in arrays.items():
        if arr is None:
            continue
        if arr.shape != vol.shape:
            ctx.add(_inner(place, f".{key}"), f"has {arr.size} values but volume has {vol.size}")
            return None
        if not _finite(arr, ctx, _inner(place, f".{key}")):
            return None
    if vol.size < 2 or np.any(np.diff(vol) <= 0):
        ctx.add(_inner(place, ".volume"), "needs at least 2 strictly increasing volumes")
        return None
    return LevelTable(vol, arrays["level"], arrays["area"])

