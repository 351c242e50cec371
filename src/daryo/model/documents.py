"""Read daryo's documents -- models, overlays, hydrology tables, Pywr files -- from YAML or JSON
(:func:`read_document`).

Mappings and lists read from YAML remember their lines, for messages; a key written twice, a malformed file, nesting
too deep, an alias bomb or a number too large is one problem naming the file and the place, never a parser's
traceback.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from .._files import file_size, missing_cwd_note, not_utf8_advice
from ..errors import (
    ModelError,
    Problem,
    characters_named,
    did_you_mean,
    in_words,
    look_alike,
    merge_conflict,
    merge_conflict_lines,
    printable,
)
from ..errors import short_text as _short

__all__ = ["HugeInteger", "MAX_DOCUMENT_BYTES", "YamlDumper", "document_syntax", "escapes_read", "parse_document",
           "read_document", "read_document_digest"]


class _LineDict(dict):
    """A mapping that remembers the line it started on in its YAML file, and the line of each of its keys (in
    block style, an attribute's own line)."""

    line: int | None = None
    key_lines: dict[str, int] = {}  # (each instance gets its own)
    syntax = "yaml"  # the file's: "json" for a document read as JSON (its top mapping's: see document_syntax)


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


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | str | HugeInteger:
    """YAML's integer, or a :class:`HugeInteger` for one of more digits than Python converts (4,300).  As YAML 1.2
    and JSON read them, not as YAML 1.1: a number written with a leading zero is decimal (``010`` is 10, not the
    octal 8: columns of numbers aligned with zeros), and one written with colons is text (``41:30``, not 2,490 in
    base 60), which the attribute then refuses as no number."""
    if _LEADING_ZERO.match(str(node.value)):
        return int(str(node.value).replace("_", ""), 10)
    if ":" in str(node.value):
        return str(node.value)
    try:
        return yaml.SafeLoader.construct_yaml_int(loader, node)  # type: ignore[no-any-return]
    except ValueError:
        return HugeInteger(str(node.value))


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float | str:
    """YAML's float, but one written with colons as text (``41:30.5``, not 2,490.5 in base 60), as YAML 1.2 reads
    it."""
    if ":" in str(node.value):
        return str(node.value)
    return yaml.SafeLoader.construct_yaml_float(loader, node)  # type: ignore[no-any-return]


#: a whole number written with a leading zero, which YAML 1.1 reads as octal (``010``), or as text (``08``)
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+$")
_PlainLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_PlainLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)


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
for _first in "-+0":  # (08 and 09 too, which YAML 1.1 reads as text: a column of numbers aligned with zeros)
    _PlainLoader.yaml_implicit_resolvers[_first].insert(0, ("tag:yaml.org,2002:int", _LEADING_ZERO))


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
    for k, _ in node.value:  # (a key read as another type is also found by its text as read: 'True' of 'true:')
        if isinstance(k, yaml.ScalarNode):
            d.key_lines.setdefault(str(loader.construct_object(k)), k.start_mark.line + 1)
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
        One problem naming the file: not found, unreadable, larger than :data:`MAX_DOCUMENT_BYTES`, or
        malformed (with line and column).
    """
    return read_document_digest(path, lines)[0]


def read_document_digest(path: Path, lines: bool = True) -> tuple[Any, str]:
    """:func:`read_document`, with a SHA-256 digest of the bytes parsed: of the file as it was read, which results
    record (read once: a file edited between a parse and a second read for the digest would be recorded as the
    edited file, whose numbers the results are not)."""
    if (special := _not_a_document_file(path)) is not None:  # (a named pipe would block the read, a device not end)
        raise ModelError(Problem(str(path), "", special))
    if (size := file_size(path)) > MAX_DOCUMENT_BYTES:
        raise ModelError(Problem(str(path), "", _too_large(size)))
    try:
        data = path.read_bytes()
        # (a byte-order mark, which some editors write, is dropped; line ends read as a text file's are)
        text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
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
    return parse_document(text, path, lines), hashlib.sha256(data).hexdigest()


def _too_large(size: int) -> str:
    """What is wrong with a document of ``size`` bytes, above :data:`MAX_DOCUMENT_BYTES`."""
    return (f"is {size:,} bytes, more than the {MAX_DOCUMENT_BYTES:,} ({MAX_DOCUMENT_BYTES / 1e6:g} MB) daryo parses "
            "as one YAML or JSON document (a large national model is a few MB); give long series as CSV files")


def parse_document(text: str, name: str | Path, lines: bool = True, as_json: bool | None = None) -> Any:
    """Parse the text of a YAML or JSON document as :func:`read_document` parses a file's (a key written twice, a
    malformed text, nesting too deep, an alias bomb or a number too large refused, naming the place).

    Parameters
    ----------
    text
        The document's text.
    name
        The name its problems are reported under; a ``.json`` suffix reads it as JSON, anything else as YAML.
    lines
        As :func:`read_document`'s.
    as_json
        Read it as JSON (True) or YAML (False), whatever its name; None: by its name.

    Returns
    -------
    Any
        The parsed document (None for an empty YAML text).

    Raises
    ------
    ModelError
        One problem naming ``name``: the text is larger than :data:`MAX_DOCUMENT_BYTES` (as UTF-8), malformed
        (with line and column), or holds what daryo does not take.
    """
    path = Path(name)
    # (a text given as it is, to daryo.load_text; a character is at most 4 bytes of UTF-8)
    if len(text) > MAX_DOCUMENT_BYTES // 4 and (size := len(text.encode("utf-8", "surrogatepass"))) \
            > MAX_DOCUMENT_BYTES:
        raise ModelError(Problem(str(path), "", _too_large(size)))
    if conflict := merge_conflict_lines(text):  # (before the parser: it would blame the line, or read the markers)
        raise ModelError(Problem(str(path), f"line {conflict[0]}", merge_conflict(conflict)))
    json_text = path.suffix.lower() == ".json" if as_json is None else as_json
    try:
        doc = _read_json(text, path, lines) if json_text else _read_yaml(text, path, lines)
    except RecursionError:  # (the parsers recurse once per level)
        raise ModelError(Problem(str(path), "", _TOO_DEEP)) from None
    if (why := _document_problem(doc)) is not None:
        raise ModelError(Problem(str(path), *why))
    return doc


#: The largest YAML or JSON document daryo parses, in bytes: refused by its size before it is read.  A large
#: national model is a few MB (the Aral Sea basin's, 60 KB); parsing costs ~8 s and ~190 MB of memory a MB of
#: YAML written densely (a list of one-digit numbers), so that a document of this size is read in about two
#: minutes and 3 GB at worst (a JSON one in a fifth of that).
MAX_DOCUMENT_BYTES = 16_000_000


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
    """Why a document that is not UTF-8 text cannot be read: a NetCDF file (results, say) by its signature, UTF-16
    text by its byte-order mark (Windows Notepad's "Unicode"), else the first byte that is not text, with its line
    (a hydro-informatics lecturer's review: "byte 0xff at position 0" told a student nothing)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError:  # (gone since it was read)
        head = b""
    if head.startswith((b"\x89HDF", b"CDF")):
        return "is a NetCDF file (results?), not a YAML or JSON file"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ("cannot be read: it is UTF-16 text (Notepad's 'Unicode'), not UTF-8: save it as UTF-8 (Notepad: "
                "File > Save as, Encoding: UTF-8)")
    data = bytes(exc.object)  # (after a UTF-8 byte-order mark, which the decoder has dropped, where it has)
    line_start = data.rfind(b"\n", 0, exc.start) + 1
    line = data.count(b"\n", 0, exc.start) + 1
    column = len(data[line_start:exc.start].decode("utf-8", errors="replace")) + 1
    offset = exc.start + (3 if head.startswith(b"\xef\xbb\xbf") else 0)
    advice = not_utf8_advice(data, exc.start, path.name, spreadsheet=False)
    return (f"cannot be read: not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}, column {column}: byte "
            f"{offset} of the file); a YAML or JSON file must be UTF-8: {advice}")


_MAX_DEPTH = 100  # levels of lists and mappings in a document
_MAX_VALUES = 10_000_000  # values in a document, its YAML aliases expanded
_MAX_CHARACTERS = MAX_DOCUMENT_BYTES  # characters of its text (keys too), its YAML aliases expanded: as many as a
# document under MAX_DOCUMENT_BYTES can hold without aliases, so that only aliases reach it (a diff review: 10 million
# refused a 14 MB file of no alias, blaming aliases)
_TOO_DEEP = f"lists or mappings nested more than {_MAX_DEPTH} levels deep"


def _document_problem(doc: Any) -> tuple[str, str] | None:
    """(place, what) of the first part of a parsed document that daryo cannot take, or None: nesting deeper than
    :data:`_MAX_DEPTH`; YAML aliases that expand to more than :data:`_MAX_VALUES` values (a few hundred bytes can
    name billions: an "alias bomb") or to more than :data:`_MAX_CHARACTERS` characters of text (a long text named
    again and again: 108 KB of aliases of a text of 100,000 characters were 200 MB of caveats, which ``daryo run``
    printed and wrote); text that is not Unicode (a lone surrogate escape such as ``"\\ud800"``); a whole number of
    more digits than Python converts (:class:`HugeInteger`)."""
    sizes: dict[int, tuple[int, int]] = {}

    def size(v: Any, place: str, depth: int, line: int | None = None) -> tuple[int, int]:
        """(values, characters of text) of ``v``, its aliases expanded."""
        if isinstance(v, HugeInteger):  # (refused here, wherever it is: no part of daryo computes with it)
            raise _Refused(place + (f" (line {line})" if line else ""),
                           f"'{v}' is too large a number (more than 1.8e308)")
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise _Refused(place, f"{_short(v.encode('utf-8', 'backslashreplace').decode())} is not text: it "
                               "holds a lone surrogate escape (\\ud800-\\udfff)") from None
            return 1, len(v)
        if not isinstance(v, (dict, list)):
            return 1, 0
        if id(v) in sizes:  # (a YAML alias: the same object again)
            return sizes[id(v)]
        if depth >= _MAX_DEPTH:
            raise _Refused(place, _TOO_DEEP)
        if isinstance(v, dict):
            at = getattr(v, "line", line)  # (a YAML mapping's line)
            parts = [p for k, x in v.items()
                     for p in (size(k, place, depth + 1, at),
                               size(x, f"{place}.{k}" if place else str(k), depth + 1, at))]
        else:
            parts = [size(x, f"{place}[{_item_name(x, i)}]", depth + 1, line) for i, x in enumerate(v)]
        n, chars = 1 + sum(values for values, _ in parts), sum(text for _, text in parts)
        if n > _MAX_VALUES:
            raise _Refused(place, f"holds more than {_MAX_VALUES:,} values once its YAML aliases are expanded")
        if chars > _MAX_CHARACTERS:
            raise _Refused(place, f"holds more than {_MAX_CHARACTERS:,} characters of text once its YAML aliases "
                           "are expanded")
        sizes[id(v)] = n, chars
        return n, chars

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
        elif "simple key" in context and "expected ':'" in what and start:  # (found on a line below: at the file's
            place, what = opened, f"{what} (a key without its ':'? write `key: value`)"  # end, for 'edges')
        elif "quoted scalar" in context and ("escape" in what or "hexdecimal" in what or "hexadecimal" in what):
            what += _backslash_hint(text, start)
        elif "flow sequence" in context or "flow mapping" in context:
            brackets = "[...]" if "sequence" in context else "{...}"
            what += f" (in the {brackets} opened at {opened}: is its closing bracket missing?)" if start else ""
        elif "undefined alias" in what and mark:  # (libyaml's words do not name it: a review)
            what = _undefined_alias(text, mark)
        elif mark and "tab" not in what and _char_at(text, mark.line, mark.column) == "\t":
            what += " (a tab: YAML indents with spaces)"
        elif any(p in what for p in _INDENTATION_PROBLEMS):
            what += (" (check the indentation and the quoting of this line and the one above: the entries of one "
                     "list or mapping start in the same column" + ("; and text with ': ' in it goes in quotes)"
                                                                   if "mapping values" in what else ")"))
        if not isinstance(exc, _DuplicateKeyError):
            what = f"malformed YAML: {what}"
        rows = [m.line for m in (start, mark) if m is not None] + ([mark.line - 1] if mark and mark.line else [])
        raise ModelError(Problem(str(path), place, what + _look_alikes_on(text, rows))) from None


def _undefined_alias(text: str, mark: Any) -> str:
    """What is wrong with an alias (``*name``) that no anchor (``&name``) above it defines, at YAML's ``mark``: its
    name, which libyaml's message leaves out, and where the anchor must be."""
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    found = re.match(r"\*([^\s,\[\]{}]+)", line[mark.column:])
    name = found.group(1) if found else ""
    alias, anchor = (f"*{name}", f"&{name}") if name else ("an alias", "&name")
    anchors = re.findall(r"&([^\s,\[\]{}]+)", text)
    near = did_you_mean(name, anchors)  # (the name of an anchor the file has)
    return (f"found undefined alias {alias}: an alias repeats a value marked with an anchor ({anchor}) above it "
            f"in the same file, and none is (a misspelt name, or an anchor in another file?){near}")


def _backslash_hint(text: str, start: Any) -> str:
    """For a double-quoted YAML text whose backslash starts no escape YAML knows (a Windows path,
    ``"C:\\Users\\…"``: ``\\U`` is taken for the start of a character's code; a Tashkent ministry analyst's review
    was told "did not find expected hexdecimal number"): that a backslash starts an escape inside double quotes,
    and the text in single quotes, where a backslash is itself ("" where the text is not found at ``start``)."""
    line = text.splitlines()[start.line] if start is not None and start.line < len(text.splitlines()) else ""
    found = re.match(r'"((?:[^"\\]|\\.)*)', line[start.column:]) if start is not None else None
    single = f", {_single_quoted(found[1])}," if found and "\\" in found[1] else ""
    return (" (inside double quotes a backslash starts an escape, \\n a line break, \\U a character's code: write a "
            f"Windows path in single quotes{single} or with forward slashes, C:/Users/…)")


def _single_quoted(inner: str) -> str:
    """The text of a double-quoted YAML scalar as written (``inner``, its backslashes as they are) in single
    quotes, where YAML reads every character as itself (a quote is doubled)."""
    return "'" + inner.replace("'", "''") + "'"


#: the escapes of YAML's double-quoted text that are read as a control character (or a line or paragraph
#: separator), by that character: the escape, and what the character is called; JSON's ``\b \f \n \r \t`` are among
#: them
_ESCAPED = {"\0": ("\\0", "a NUL character"), "\a": ("\\a", "a bell"), "\b": ("\\b", "a backspace"),
            "\t": ("\\t", "a tab"), "\n": ("\\n", "a line break"), "\v": ("\\v", "a vertical tab"),
            "\f": ("\\f", "a form feed"), "\r": ("\\r", "a carriage return"), "\x1b": ("\\e", "an escape character"),
            "\x85": ("\\N", "a next-line character"), "\u2028": ("\\L", "a line separator"),
            "\u2029": ("\\P", "a paragraph separator")}


def escapes_read(text: str, syntax: str = "yaml") -> tuple[str, str] | None:
    """What to say of a file name (or other text a document gives) that holds characters the escapes of a
    double-quoted text are read as, where a Windows path was written with backslashes in double quotes
    (``"D:\\new\\bassein\\a.csv"`` reads a line break, a backspace and a bell: a Tashkent ministry analyst's review,
    told that a file so named was not found, the line break printed as it was); None if it holds none.

    Parameters
    ----------
    text
        The text as the document's parser read it.
    syntax
        The document's, "yaml" or "json": how to write the text instead.

    Returns
    -------
    tuple of str, or None
        The text as the file writes it, in double quotes (``"D:\\new\\bassein\\a.csv"``), and why it is not what it
        looks like and how to write it: in single quotes (YAML) or with each backslash doubled (JSON), or with
        forward slashes; with no control character in either.
    """
    held = [c for c in dict.fromkeys(text) if c in _ESCAPED]
    if not held:
        return None
    written = printable("".join(_ESCAPED[c][0] if c in _ESCAPED else c for c in text))
    escapes, names = [_ESCAPED[c][0] for c in held], [_ESCAPED[c][1] for c in held]
    backslash = "\\"
    instead = (f'with each backslash doubled, "{written.replace(backslash, backslash * 2)}"' if syntax == "json"
               else f"in single quotes, {_single_quoted(written)}")
    return f'"{written}"', (
        f"inside double quotes a backslash starts an escape, and {syntax.upper()} read {in_words(escapes)} as "
        f'{in_words(names)}; write the path {instead}, or with forward slashes, "{written.replace(backslash, "/")}"')


# PyYAML's problems that mostly mean a line indented more or less than its neighbours
_INDENTATION_PROBLEMS = ("mapping values are not allowed here", "mapping values are not allowed in this context",
                         "did not find expected '-' indicator", "did not find expected key",
                         "expected <block end>, but found")


def _look_alikes_on(text: str, rows: list[int]) -> str:
    """A note naming the characters that look like ASCII ones and are not (:func:`daryo.errors.look_alike`) on the
    first of the (0-based) lines ``rows`` of ``text`` that holds any, by their code points (a hydro-informatics
    lecturer's review: no-break spaces as indentation were "mapping values are not allowed", the line seemingly
    indented right): no-break and zero-width spaces, full-width punctuation, and Cyrillic or Greek letters in a
    word with Latin ones (a word of Cyrillic letters alone is Russian text, not a look-alike); "" if none."""
    lines = text.splitlines()
    for row in sorted(set(rows)):
        line = lines[row] if 0 <= row < len(lines) else ""
        odd = [c for c in line if look_alike(c) and not c.isalpha()]
        odd += [c for word in re.findall(r"\w+", line) if re.search("[A-Za-z]", word)
                for c in word if look_alike(c) and c.isalpha()]
        if odd:
            return f" (line {row + 1} holds {characters_named(odd)}: not the ASCII it looks like; retype it)"
    return ""


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


def _read_json(text: str, path: Path, lines: bool = True) -> Any:
    """Parse JSON text; a malformed document or a key written twice in an object is one problem with its line.
    With ``lines``, its objects and arrays remember their lines as YAML's do (:func:`_with_lines`)."""
    try:
        doc = json.loads(text, object_pairs_hook=_unique_pairs, parse_int=_json_int)
        try:
            return _with_lines(doc, text) if lines else doc
        except (ValueError, StopIteration):  # (tokens not matched to the document: no lines, as before)
            return doc
    except json.JSONDecodeError as exc:
        raise ModelError(Problem(str(path), f"line {exc.lineno}, column {exc.colno}",
                                 f"malformed JSON: {_json_mistake(text, exc)}")) from None
    except _DuplicateJsonKey:
        place, message = _json_duplicate(text)
        raise ModelError(Problem(str(path), place, message)) from None


def _json_mistake(text: str, exc: json.JSONDecodeError) -> str:
    """What is wrong at the place of a JSON syntax error, as Python's :mod:`json` says (``Expecting value``), with
    the mistake it most likely is where the text there tells it (a review by an engineer who writes JSON models:
    a trailing comma was "Expecting value", a comment "Expecting ',' delimiter", a tab in a string the truncated
    "Invalid control character at"): a comma before a closing bracket, a comment (``//``, ``/*``, ``#``), a tab,
    newline or other control character inside a string, text in single quotes or a key without quotes."""
    pos, msg = exc.pos, exc.msg
    here = text[pos:pos + 1]
    if msg.startswith("Invalid control character"):
        return _json_control_character(here)
    before = text[:pos].rstrip()
    if here and here in "}]" and before.endswith(","):
        return (f"{msg} (JSON allows no trailing comma: remove the ',' at {_text_place(text, len(before) - 1)}, "
                f"before the '{here}')")
    if "escape" in msg:  # ("Invalid \\escape": a Windows path, "C:\\data\\q.csv")
        return (f"{msg} (inside a JSON string a backslash starts an escape, \\n a line break: write each backslash "
                'of a Windows path doubled, "C:\\\\Users\\\\…", or use forward slashes, "C:/Users/…")')
    if text.startswith(("//", "/*", "#"), pos):
        return f"{msg} (JSON has no comments: remove the comment starting here)"
    if here == "'":
        return f'{msg} (JSON writes text in double quotes ("..."), not single ones)'
    if "property name" in msg and re.match(r"[^\W\d]\w*\s*:", text[pos:]):
        return f'{msg} (a key of a JSON object is text in double quotes: "{text[pos:].split(":")[0].strip()}")'
    return msg


#: how a string of JSON writes the control characters most often found in one as they are, and what they are
_JSON_ESCAPES = {"\t": ("a tab", "\\t"), "\n": ("a line break", "\\n"), "\r": ("a carriage return", "\\r")}


def _json_control_character(char: str) -> str:
    """The mistake of a control character ``char`` written as it is inside a JSON string ("" if unknown)."""
    what, escape = _JSON_ESCAPES.get(char) or (f"the control character U+{ord(char or chr(0)):04X}",
                                               f"\\u{ord(char or chr(0)):04x}")
    how = "a tab or newline inside a string must be written \\t or \\n"
    if char not in ("\t", "\n"):
        how += f"; this one, {escape}"
    return f"{what if char else 'a control character'} inside a string, which JSON does not take as it is: {how}"


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]')  # a string, or a bracket outside strings
_JSON_COLON = re.compile(r"\s*:")


# a token that starts a value (Python's json also reads NaN, Infinity and -Infinity), or a bracket
_JSON_VALUE = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]|NaN|-?Infinity|[-0-9][-+.0-9eE]*|true|false|null')


def _with_lines(doc: Any, text: str) -> Any:
    """The parsed JSON ``doc`` of ``text`` with its objects as :class:`_LineDict` s (the line of the object's
    ``{`` and of each key) and its arrays as :class:`_LineList` s (the line of the ``[`` and of each item), as
    YAML's are read, so that a problem in a JSON model names its line too.

    One pass over the text's tokens finds, for each object and array in the order their brackets open, where
    it and its keys or items start; the parsed document is then walked in that same order (an object's keys are
    unique and in the text's order: :func:`json.loads` has checked the text)."""
    newlines = [m.start() for m in re.finditer("\n", text)]

    def line(offset: int) -> int:
        return bisect.bisect_right(newlines, offset) + 1

    opened: list[tuple[int, list[int]]] = []  # per object or array, in order: its start and its keys' or items'
    stack: list[tuple[bool, list[int]]] = []  # the open ones: whether an array, and their keys' or items' starts
    for m in _JSON_VALUE.finditer(text):
        token, start = m.group(), m.start()
        inside = stack[-1] if stack else None
        if token in ("}", "]"):
            stack.pop()
            continue
        if inside is not None and inside[0]:  # an array's item
            inside[1].append(line(start))
        elif inside is not None and token[0] == '"' and _JSON_COLON.match(text, m.end()):  # an object's key
            inside[1].append(line(start))
        if token in ("{", "["):
            children: list[int] = []
            opened.append((line(start), children))
            stack.append((token == "[", children))
    order = iter(opened)

    def walk(v: Any) -> Any:
        if isinstance(v, dict):
            at, keys = next(order)
            d = _LineDict((k, walk(x)) for k, x in v.items())
            d.line, d.key_lines = at, dict(zip(v, keys, strict=True))
            return d
        if isinstance(v, list):
            at, items = next(order)
            seq = _LineList(walk(x) for x in v)
            seq.line, seq.item_lines = at, items
            return seq
        return v

    out = walk(doc)
    if isinstance(out, _LineDict):
        out.syntax = "json"
    return out


def document_syntax(doc: Any, file: str | Path) -> str:
    """The syntax of a model document, for the words of its messages: "json" if it was read as JSON (a document
    read with its lines says so, whatever its name: ``daryo.load_text`` reads a text of any name that starts with
    ``{`` as JSON) or else if ``file``'s name ends in ``.json``; "yaml" otherwise."""
    syntax = getattr(doc, "syntax", None)
    if isinstance(syntax, str) and isinstance(doc, _LineDict):
        return syntax
    return "json" if Path(file).suffix.lower() == ".json" else "yaml"


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
