"""The reading of CSV files, shared by every CSV daryo reads (CSV series, ``dataframe`` parameters, observed
inflows, the tables of Pywr models), and the checks of a file of dated values."""

from __future__ import annotations

import csv as _csv
import itertools
import lzma
import os
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from dateutil import parser as _dateutil
from pandas._libs.tslibs.nattype import nat_strings
from pandas._libs.tslibs.parsing import guess_datetime_format
from pandas.io.common import get_handle, infer_compression

from .._files import not_utf8_advice
from ..errors import (
    characters_named,
    did_you_mean,
    hidden_characters_named,
    merge_conflict,
    merge_conflict_lines,
    name_as_read,
    short_text,
)
from ..timeaxis import solar_hijri_hint
from ..units import THOUSANDS_SPACES, UnitError, ascii_number, unit_as_latin

__all__ = ["CsvReadError", "CsvSeries", "MAX_CSV_BYTES", "RowLines", "column_name", "csv_columns", "csv_problems_for",
           "read_csv_file", "read_csv_series", "unit_in_name"]


class CsvSeries(NamedTuple):
    """Dated values read from a CSV file: ``values[i, j]`` is column ``columns[j]`` on ``dates[i]``."""

    dates: pd.DatetimeIndex
    columns: list[str]
    values: np.ndarray
    left_out: str = ""  # a sentence on rows left out, dated outside the dates daryo holds ("" if none)
    rows: np.ndarray | None = None  # the file's data row (0: the first after the header) of each row read


class CsvReadError(ValueError):
    """A CSV file that cannot be read; the message is one line saying why."""


#: a column's name as daryo reads it, in a CSV file's header and where a model names the column: composed (NFC) and
#: stripped (:func:`daryo.errors.name_as_read`)
column_name = name_as_read


#: a unit written at the end of a column's name, in brackets or parentheses: ``Q [m3/s]``, ``naryn (m3/s)``
_UNIT_IN_NAME = re.compile(r"[\[(]\s*([^\[\]()]+?)\s*[\])]\s*$")


def unit_in_name(name: str) -> str | None:
    """The unit a CSV column's name states at its end, in brackets or parentheses (``Q [m3/s]``, ``naryn (m3/s)``:
    ``m3/s``), where daryo reads it as a unit (:func:`~daryo.units.unit_dimension`, of any quantity), in Latin
    letters where it is written in Cyrillic ones (``Нарын (м3/с)``: ``m3/s``; a diff reread: such a header, routine
    in the region's hydromet files, was not read); None for any other name: one without them (``naryn_m3s``), or
    whose brackets hold no unit (``flow (Naryn)``, ``Q (-)``).

    Examples
    --------
    >>> unit_in_name("Q [m3/s]"), unit_in_name("naryn (km3/yr)"), unit_in_name("naryn_m3s"), unit_in_name("q (b)")
    ('m3/s', 'km3/yr', None, None)
    """
    found = _UNIT_IN_NAME.search(str(name))
    return unit_as_latin(found[1]) if found is not None else None


#: What :func:`pandas.read_csv` raises for a file it cannot read: missing or unreadable (``OSError``), not text
#: in its encoding, empty or not valid CSV (``ValueError``: ``UnicodeDecodeError``, ``ParserError``,
#: ``EmptyDataError``), a reading option it does not take or a column an option names that the file lacks
#: (``TypeError``, ``ValueError``, ``LookupError``), or a damaged compressed file (``EOFError``, the zlib, lzma
#: and zip errors, ``ImportError`` for a compression whose library is not installed)
_READ_ERRORS = (OSError, ValueError, TypeError, LookupError, EOFError, zlib.error, lzma.LZMAError,
                zipfile.BadZipFile, tarfile.ReadError, ImportError)


#: The most text daryo reads from one CSV file, plain or once decompressed, in bytes: pandas takes about five
#: times as much memory to read a file; a century of daily values for a hundred columns is some 40 MB.  A
#: compressed file is decompressed (and counted, without being kept) before pandas reads it, so a small file
#: that holds gigabytes is refused after this much of it.
MAX_CSV_BYTES = 256_000_000


def read_csv_file(path: Path, **read_options: Any) -> pd.DataFrame:
    """Read a CSV file with :func:`pandas.read_csv`; every way the reading can fail is a :class:`CsvReadError`.

    Parameters
    ----------
    path
        The file; a compressed one (``.csv.gz``, ``.csv.bz2``, ...) is decompressed as pandas infers from its
        name.
    **read_options
        Keyword arguments of :func:`pandas.read_csv`, passed on as they are, e.g. the ``index_col``,
        ``parse_dates``, ``sep``, ``header`` or ``skiprows`` of a Pywr table.  Without them the file is read
        with pandas' defaults: comma-separated, a header row naming the columns, no index column.

    Returns
    -------
    pandas.DataFrame
        The file's table, columns named by its header as :func:`column_name` reads it (or, with ``read_options``,
        as pandas reads it: a Pywr table's names are pandas', as in Pywr).

    Raises
    ------
    CsvReadError
        If the file is missing, unreadable, larger than :data:`MAX_CSV_BYTES` (plain or once decompressed),
        empty, damaged or not valid CSV (a quote left open, a NUL byte,
        which pandas takes as the end of its cell), its header (read without ``read_options``) names a column
        twice (as :func:`column_name` reads the names), or it cannot be read with
        ``read_options`` (an option or value pandas does not take, or a column named by ``index_col`` or
        ``parse_dates`` that the file lacks).  The message is the first line of the underlying error; when
        ``read_options`` are given and the file could be opened, it ends with them, e.g. ``Index day invalid
        (read with index_col='day', parse_dates=True)``.
    """
    try:
        too_large = _too_large(path, read_options)
        if too_large is not None:
            raise CsvReadError(too_large)
        scan = _scan_text(path, read_options)
        if scan.conflicts:  # (before pandas: it would read the markers as rows, or fail on a side's row)
            raise CsvReadError(f"line {scan.conflicts[0]}: {merge_conflict(scan.conflicts)}")
        df = pd.read_csv(path, **read_options)
        # (after pandas read it: pandas ends a cell at a NUL byte without a word, and a file that is no UTF-8 text,
        # whose NULs are those of another encoding, UTF-16 say, is told so by pandas' error below)
        nul = _nul_byte(path, read_options) if scan.nul else None
        if nul is not None:
            raise CsvReadError(nul)
        if not read_options:  # (pandas renames a repeated column name "t1.1": which one is meant is a guess)
            header = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False).iloc[0].tolist()
            df, header = _without_empty_columns_at_the_end(df, header)
            unnamed = [i + 1 for i, c in enumerate(header) if column_name(c) == ""]
            if len(unnamed) > 1:
                raise CsvReadError(f"line 1: columns {', '.join(map(str, unnamed[:-1]))} and {unnamed[-1]} of the "
                                   "header have no name; give each column its name, or delete the columns (and "
                                   "their separators) if they hold nothing")
            _check_repeated(header)
            # (a cell of spaces alone is no name, as pandas reads an empty one: "Unnamed: 2")
            df.columns = [column_name(c) or f"Unnamed: {i}" for i, c in enumerate(df.columns)]
        return df
    except CsvReadError:
        raise
    except _READ_ERRORS as exc:
        text = str(exc).strip()
        reason = text.splitlines()[0] if text else type(exc).__name__
        if isinstance(exc, pd.errors.EmptyDataError):  # (pandas: "No columns to parse from file")
            reason = "the file is empty"
        elif isinstance(exc, tarfile.ReadError):  # (its own words: "file could not be opened successfully:")
            reason = "not a tar archive, though its name says it is one"
        elif isinstance(exc, OSError) and exc.strerror:  # ("[Errno 13] Permission denied: '/…/x.csv'": the file
            # is named by the message that quotes this)
            reason = exc.strerror
        elif isinstance(exc, UnicodeDecodeError):  # (pandas gives a position in its buffer, not a line)
            reason = _not_utf8(path) or reason
        elif isinstance(exc, pd.errors.ParserError) and (
                m := re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)):
            reason = (f"line {m[2]}: {m[3]} fields where the lines before it have {m[1]} (a value holding the "
                      "separator needs quotes)") + ("" if read_options else _separator_hint(_first_line(path)))
        elif isinstance(exc, pd.errors.ParserError) and "EOF inside string" in text:  # (pandas names a row,
            # counted from 0 and without the lines inside quoted values, not the file's line)
            line = _unclosed_quote(path, read_options)
            quote = read_options.get("quotechar", '"')
            reason = (f"{f'line {line}: ' if line else ''}the quote ({quote}) that opens a value "
                      f"{'on this line ' if line else ''}is never closed: the rest of the file would be read as "
                      "that one value; close the quote, or remove it")
        if read_options and not isinstance(exc, OSError):  # a missing or unreadable file: not the options
            reason += f" (read with {', '.join(f'{k}={v!r}' for k, v in read_options.items())})"
        raise CsvReadError(reason) from None


def _check_repeated(header: list[str]) -> None:
    """Raise the :class:`CsvReadError` of a header that names a column twice, as :func:`column_name` reads the names
    (``a`` and ``a `` are one, written twice), naming how each is written where they are written differently."""
    names = [column_name(c) for c in header]
    repeated = sorted({c for c in names if names.count(c) > 1}, key=names.index)
    if not repeated:
        return
    written = {c: list(dict.fromkeys(h for h, n in zip(header, names, strict=True) if n == c)) for c in repeated}
    how = "; ".join(f"{c!r} is written {' and '.join(repr(h) for h in forms)}" for c, forms in written.items()
                    if len(forms) > 1)
    if how:
        how = (f" ({how}: spaces around a name, or a letter written as a letter and a combining mark, make no other "
               "name)")
    raise CsvReadError(f"line 1: column {', '.join(repr(c) for c in repeated)} appears more than once in the header"
                       f"{how}; give each column its own name")


def _without_empty_columns_at_the_end(df: pd.DataFrame, header: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """The table and its header without the columns at its end that are wholly empty, their header cells and every
    cell: the separators Excel leaves at the end of each line where a column beyond the data was once used
    (``date,a,b,,``: a Tashkent ministry analyst's review, told that column '' appears more than once).  Such a
    column holds nothing to read; one with a cell of any value is kept (and its empty header cell refused)."""
    kept = len(header)
    while kept > 1 and column_name(header[kept - 1]) == "":
        kept -= 1
    if kept == len(header) or df.shape[1] != len(header) or not df.iloc[:, kept:].isna().all(axis=None):
        return df, header
    return df.iloc[:, :kept], header[:kept]


def _too_large(path: Path, read_options: Mapping[str, Any]) -> str | None:
    """Why the file is too large to read (more than :data:`MAX_CSV_BYTES`, as it is or decompressed), or None.
    A compressed file is decompressed a block at a time, up to that size, and nothing is kept; a damaged one
    raises the error its decompressor raises (which :func:`read_csv_file` reports)."""
    size = os.stat(path).st_size
    if size > MAX_CSV_BYTES:
        return (f"the file is {size:,} bytes, more than the {MAX_CSV_BYTES:,} ({MAX_CSV_BYTES / 1e6:g} MB) daryo "
                "reads from one CSV file; split it, or give fewer rows or columns")
    if infer_compression(str(path), read_options.get("compression", "infer")) is None:
        return None
    read = 0
    with get_handle(path, "rb", compression=read_options.get("compression", "infer"), is_text=False) as f:
        while block := f.handle.read(1 << 20):
            read += len(block)
            if read > MAX_CSV_BYTES:
                return (f"once decompressed, the file ({size:,} bytes) holds more than the {MAX_CSV_BYTES:,} bytes "
                        f"({MAX_CSV_BYTES / 1e6:g} MB) daryo reads from one CSV file; split it, or give fewer rows or "
                        "columns")
    return None


def _open_text(path: Path, read_options: Mapping[str, Any]) -> Any:
    """The file as text, decompressed and decoded as :func:`pandas.read_csv` does (undecodable bytes replaced),
    lines ending as they are in the file; a context manager whose ``handle`` is the text."""
    return get_handle(path, "r", encoding=read_options.get("encoding") or "utf-8",
                      compression=read_options.get("compression", "infer"), errors="replace")


class _TextScan(NamedTuple):
    """What one pass over a CSV file's text finds before pandas reads it (:func:`_scan_text`)."""

    conflicts: list[int]  # the lines of git's markers of an unresolved merge conflict
    nul: bool  # whether the text holds a NUL byte


def _scan_text(path: Path, read_options: Mapping[str, Any]) -> _TextScan:
    """The file's text, read once: whether it holds git's markers of an unresolved merge conflict
    (:func:`merge_conflict_lines`; their lines read again, where it does) and a NUL byte (whose line
    :func:`_nul_byte` finds); nothing found where it cannot be read (which pandas reports).

    Pandas read a marker line as a row of one cell (``<<<<<<< HEAD`` "is not a date", a team's review), and both
    sides' rows, the one meant and the other, as rows of the table."""
    conflict = nul = False
    try:
        for block in _whole_lines(path, read_options):
            nul = nul or "\x00" in block
            conflict = conflict or bool(merge_conflict_lines(block))
        if not conflict:
            return _TextScan([], nul)
        lines, read = [], 0
        for block in _whole_lines(path, read_options):  # (again, counting lines: there are markers)
            lines += merge_conflict_lines(block, read + 1)
            read += block.count("\n")
    except _READ_ERRORS:
        return _TextScan([], nul)
    return _TextScan(lines, nul)


def _whole_lines(path: Path, read_options: Mapping[str, Any]) -> Iterator[str]:
    """The file's text (as :func:`_open_text` reads it) in blocks of whole lines, about a MB each; of a line longer
    than 64 KB, its start."""
    with _open_text(path, read_options) as text:
        rest = ""  # (the start of the line the last block cut)
        while block := text.handle.read(1 << 20):
            whole = rest + block
            cut = whole.rfind("\n") + 1
            yield whole[:cut]
            rest = whole[cut:] if len(whole) - cut <= 1 << 16 else whole[cut:cut + 80] + "…"
        yield rest


def _nul_byte(path: Path, read_options: Mapping[str, Any]) -> str | None:
    """What to say of a file whose text holds a NUL byte, naming its line (and column, in a file read without
    options): pandas ends the cell at the NUL, so ``88<NUL>5`` was read as 88 without a word.  None: it holds
    none (or cannot be read, which pandas reports).  Read where :func:`_scan_text` found a NUL."""
    try:
        with _open_text(path, read_options) as text:
            header = text.handle.readline()
            n, line = (1, header) if "\x00" in header else next(
                ((n, line) for n, line in enumerate(text.handle, 2) if "\x00" in line), (1, header))
    except _READ_ERRORS:
        return None
    where, before = f"line {n}", line[:line.index("\x00")]
    if not read_options and n > 1 and '"' not in before:
        names = next(_csv.reader([header.rstrip("\r\n").replace("\x00", "")]), [])
        if before.count(",") < len(names):
            where += f", column '{names[before.count(',')]}'"
    what = "the cell" if "column" in where else "the line"
    return f"{where}: {what} holds a NUL byte (0x00), which no CSV text has: the file is binary or damaged data"


def _unclosed_quote(path: Path, read_options: Mapping[str, Any]) -> int | None:
    """The line of the file where the quoted value that no quote closes starts, read as pandas' C parser reads
    it (a quote opens a value at the start of a field, two quotes in one are one, a comment runs to the end of
    its line); None if there is none or the file is read otherwise (a separator of several characters, an
    escape character, no doubled quotes, an unreadable file)."""
    sep = read_options.get("sep", read_options.get("delimiter", ","))
    quote, comment = read_options.get("quotechar", '"'), read_options.get("comment")
    if not (isinstance(sep, str) and len(sep) == 1 and isinstance(quote, str) and len(quote) == 1) or (
            read_options.get("escapechar") or read_options.get("doublequote", True) is not True):
        return None
    start, quoted, closing, in_comment, opened = True, False, False, False, 0
    try:
        with _open_text(path, read_options) as text:
            for n, line in enumerate(text.handle, 1):
                for ch in line:
                    if closing:  # (the quote before ends the value, or is the first of two)
                        closing = False
                        if ch == quote:
                            continue
                        quoted = False
                    if quoted:
                        closing = ch == quote
                    elif in_comment or ch in "\r\n":
                        in_comment = in_comment and ch not in "\r\n"
                        start = not in_comment
                    elif ch == sep:
                        start = True
                    elif ch == comment:
                        in_comment = True
                    elif start and ch == quote:
                        quoted, start, opened = True, False, n
                    else:
                        start = False
    except _READ_ERRORS:
        return None
    return opened if quoted and not closing else None


def _first_line(path: Path) -> str:
    """The first line of a CSV file, compressed or not, as pandas reads it ('' if it cannot be read)."""
    try:
        first = pd.read_csv(path, header=None, nrows=1, sep="\x01", dtype=str, keep_default_na=False,
                            skip_blank_lines=False, quoting=3, engine="c")
    except _READ_ERRORS:
        return ""
    return str(first.iloc[0, 0]) if first.size else ""


def _separator_hint(header: str) -> str:
    """What to say of a header line with no comma but semicolons or tabs (how spreadsheets in many locales save
    "CSV"): '' for any other.

    Excel separates the values of the CSV files it saves by Windows' list separator, a semicolon where the region's
    decimals are written with a comma (Russia, most of Europe), whatever the CSV type is called ("CSV (разделители
    — запятые)"): saving the file again as CSV gives semicolons again (a Tashkent ministry analyst's review).  What
    gives commas is setting that separator, and the decimal symbol, in Windows' region settings, or replacing the
    semicolons once decimal commas are points."""
    other = next((name for sep, name in ((";", "semicolons"), ("\t", "tabs")) if sep in header), None)
    if other is None or "," in header:
        return ""
    if other == "tabs":
        return (f"; its header {header!r} is separated by tabs: daryo reads values separated by commas, with a point "
                "for decimals (save the file as comma-separated CSV; where a spreadsheet writes 75,2, set its decimal "
                "separator to a point first)")
    return (f"; its header {header!r} is separated by semicolons: daryo reads values separated by commas, with a "
            "point for decimals (Excel separates a CSV file's values by the list separator of Windows' region "
            "settings, a semicolon where decimals are written with a comma: set the decimal symbol to '.' and the "
            "list separator to ',' there (Region, Additional settings) and save it again, or in a text editor "
            "replace the decimal commas by points, then ';' by ',')")


def _not_utf8(path: Path) -> str | None:
    """Where a file that is not UTF-8 text first stops being it: its line and byte (None: it is, or it cannot be
    read again, or it is compressed)."""
    try:
        raw = Path(path).read_bytes()
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return (f"line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                + not_utf8_advice(raw, exc.start, Path(path).name))
    except OSError:
        pass
    return None


def csv_columns(spec: Mapping[str, Any]) -> list[str] | None:
    """The value columns a CSV series names: ``column: NAME`` one, ``columns: [A, B]`` several, ``columns: "*"``
    (or neither) every column but the date column.

    Parameters
    ----------
    spec
        The series' mapping in the model (``{csv: …, column: …}``).

    Returns
    -------
    list of str or None
        The columns' names; None for every column.

    Raises
    ------
    ValueError
        If both ``column`` and ``columns`` are given (which one wins would be a guess); the message says so.
    """
    if "column" in spec and "columns" in spec:
        raise ValueError(f"gives both column: {short_text(repr(spec['column']))} and columns: "
                         f"{short_text(repr(spec['columns']))}; give one: column: NAME for one column, or "
                         "columns: [NAME, …] or columns: \"*\" for several")
    cols = spec.get("columns", spec.get("column"))
    if cols is None or cols == "*":
        return None
    if isinstance(cols, str | int):
        return [str(cols)]
    if isinstance(cols, list | tuple) and cols and all(isinstance(c, str | int) for c in cols):
        return [str(c) for c in cols]
    raise ValueError(f"'{short_text(cols)}' is not a column: give column: NAME, or columns: [NAME, …] or "
                     "columns: \"*\"")


def csv_problems_for(place: str, add: Callable[[str, str], None]) -> Callable[[str, str], None]:
    """The ``add`` to give :func:`read_csv_series` for a file a model names at ``place``.

    Parameters
    ----------
    place
        Where the model names the file (``nodes[upper_a].inflow (line 9)``).
    add
        Called with (place, message) for each problem.

    Returns
    -------
    Callable
        ``add``, with `` (read for <place>)`` after the message of a problem placed at a row of the file, as one
        file may serve several attributes.
    """
    def add_row(where: str, message: str) -> None:
        add(where, message if where == place else f"{message} (read for {place})")
    return add_row


def read_csv_series(df: pd.DataFrame, fname: str, csv: str, place: str, add: Callable[[str, str], None],
                    date_col: str | None = None, columns: Sequence[str] | None = None,
                    dayfirst: bool | None = None, dots_day_first: bool = False, order_option: str = ""
                    ) -> CsvSeries | None:
    """Check and read the dates and value columns of a CSV file.

    Parameters
    ----------
    df
        The file as read by :func:`read_csv_file`.
    fname
        The file's path, where messages about its rows are placed.
    csv
        The file as the model names it, for messages placed at ``place``.
    place
        Where the model names the file.
    add
        Called with (place, message) for the first problem found.
    date_col
        The date column; default ``date`` if there is one, else the first column.
    columns
        The value columns; default every column but the date column.  ``date_col`` and ``columns`` are matched as
        :func:`column_name` reads them (the names of ``df``'s columns are so read by :func:`read_csv_file`).
    dayfirst
        How to read dates written ``N/N/YYYY``: day first (True), month first (False, pandas' and Pywr's reading),
        or (None) as the column shows, by a day above 12 in one place or the other; a column that shows neither
        (every such date could be read both ways, and differently) is refused.
    dots_day_first
        With ``dayfirst`` None: a column of dates written with dots, ``N.N.YYYY``, that shows neither order is
        read day first (``01.10.2000``: 1 October), as such dates are written where they are written with dots
        (Central Asia, Russia, most of Europe), rather than refused.  Not for Pywr's ``dataframe`` parameter,
        whose files pandas reads month first.
    order_option
        With ``dayfirst`` None: how the file's reader can say the order of a column that shows neither (a
        ``dataframe`` parameter's ``dayfirst``), told where such a column is refused ("": none).

    Returns
    -------
    CsvSeries or None
        The dates, the value columns (named as :func:`column_name` reads them) and their values, shape (rows,
        columns); None after a problem.
    """
    line = RowLines(fname, len(df))
    df = _without_empty_rows_at_the_end(df)
    if df.shape[1] and str(df.columns[0]).startswith("#"):  # (a units auditor's review: "# units: m3/s" first was
        # told the file "needs a date column and at least one value column")
        add(f"{fname} line 1", f"'{short_text(','.join(map(str, df.columns)))}' is a comment line, and comment lines "
            "are not read: the first line must be the header (date, then a name for each value column); remove the "
            "comment (a series' unit is given in the model, unit: …, or in its column's name: naryn [m3/s])")
        return None
    if df.shape[1] < 2:
        header = str(df.columns[0]) if df.shape[1] else ""
        add(place, f"CSV '{csv}' needs a date column and at least one value column{_separator_hint(header)}")
        return None
    if not isinstance(df.index, pd.RangeIndex):  # (pandas takes the leading fields of a first row longer than
        # the header as the index, and reads the rest under the header's names)
        n = df.shape[1]
        last = " (its last field is empty: a separator ends the line)" if pd.isna(df.to_numpy()[0, -1]) else ""
        add(f"{fname} line {line(0)}", f"{n + df.index.nlevels} fields where the header (line 1) has {n}{last}; give "
            "each line one value per column of the header (a value holding the separator needs quotes)")
        return None
    if date_col is None and "date" not in df.columns and re.match(_A_DATE, str(df.columns[0])):
        head = short_text(",".join(map(str, df.columns)))
        add(f"{fname} line 1", f"the first line '{head}' is data, not a header: the file needs a header line "
            "naming its columns first (date, then a name for each value column)")
        return None
    named = date_col is not None
    date_col = column_name(date_col) if date_col else "date" if "date" in df.columns else df.columns[0]
    if date_col not in df.columns:
        add(place, f"CSV '{csv}' has no column '{date_col}'")
        return None
    cols = [column_name(c) for c in columns] if columns is not None else [c for c in df.columns if c != date_col]
    unnamed = [i for i, c in enumerate(df.columns) if c in cols and re.fullmatch(r"Unnamed: \d+", str(c))]
    if unnamed:  # (pandas' name for a column whose header cell is empty)
        add(f"{fname} line 1", f"column {unnamed[0] + 1} of the header has no name; give each value column a name "
            "(a trace's name, for instance)")
        return None
    missing = [c for c in cols if c not in df.columns]
    if missing:  # (a column written in other code points of the same look: 'کوکچه', Persian, for 'كوكچه')
        hint = did_you_mean(str(missing[0]), [str(h) for h in df.columns if h != date_col])
        add(place, f"CSV '{csv}' has no column {', '.join(repr(c) for c in missing)}{hint}; its columns are: "
            f"{', '.join(repr(str(c)) for c in df.columns)}")
        return None
    raw_dates = df[date_col]
    empty = np.flatnonzero(raw_dates.isna().to_numpy())
    if empty.size and (empty[0] == 0 or not pd.api.types.is_numeric_dtype(raw_dates)):
        add(f"{fname} line {line(empty[0])}, column '{date_col}'", "the date cell is empty (or NA); give a date, "
            "YYYY-MM-DD")
        return None
    if pd.api.types.is_numeric_dtype(raw_dates):  # (pandas reads 2001 as 2001 ns after 1970)
        cell = _as_written(fname, 0, list(df.columns).index(date_col), raw_dates.iloc[0])
        add(f"{fname} line {line(0)}", f"'{cell}' in column '{date_col}' is a number, not a date: give dates as "
            f"YYYY-MM-DD{_month_year_hint(cell)}{'' if named else _date_column_hint(df.columns, date_col)}")
        return None
    given = dayfirst is not None
    if dayfirst is None and (dayfirst := _date_order(raw_dates, fname, date_col, add, line, dots_day_first,
                                                     order_option)) is _REFUSED:
        return None
    try:
        dates = parse_dates(raw_dates, bool(dayfirst), "coerce")
    except ValueError:  # (pandas 3 refuses mixed time zones even so: each date is read alone, refused below)
        dates = raw_dates.map(lambda v: pd.to_datetime(v, errors="coerce", format="mixed", dayfirst=bool(dayfirst)))
    if dayfirst and (misread := _year_first_misread(raw_dates, dates)) is not None:
        add(f"{fname} line {line(misread)}", _year_first_message(raw_dates, dates, misread, date_col, given, line))
        return None
    short = _two_digit_year(raw_dates, dates)
    if short is not None:
        add(f"{fname} line {line(short)}", f"'{raw_dates.iloc[short]}' in column '{date_col}' writes its year in two "
            "digits, which a reader puts within 50 years of the day it reads the file (65 is read as 2065 since "
            "2016, as 1965 before): write years in four digits (YYYY-MM-DD, or DD.MM.YYYY)")
        return None
    bad = np.flatnonzero(dates.isna().to_numpy() | _beyond_nanoseconds(dates))
    outside = {int(r): when for r in bad if (when := _outside_nanoseconds(raw_dates.iloc[r])) is not None}
    no_date = [int(r) for r in bad if r not in outside]
    if no_date or (outside and len(outside) == len(raw_dates)):  # (a file with no row daryo can hold: refused)
        first = raw_dates.iloc[no_date[0] if no_date else 0]
        hint = _dayfirst_hint(first) if given and not dayfirst else ""  # (a Pywr file without dayfirst)
        at = no_date[0] if no_date else 0
        add(f"{fname} line {line(at)}", _not_a_date(first, date_col, at == 0, dots_day_first) + hint
            + ("" if named else _date_column_hint(df.columns, date_col)))
        return None
    rows = np.setdiff1d(np.arange(len(raw_dates)), list(outside))  # (the rows read: those within the dates held)
    zoned = np.flatnonzero([getattr(d, "tzinfo", None) is not None for d in dates])
    if zoned.size:
        add(f"{fname} line {line(zoned[0])}", f"'{raw_dates.iloc[zoned[0]]}' in column '{date_col}' has a time zone; "
            "give a date without one")
        return None
    values = df[cols].iloc[rows].apply(_numeric_column).to_numpy(dtype=float)
    bad_rows, bad_cols = np.nonzero(~np.isfinite(values))
    if bad_rows.size:
        r, c = rows[bad_rows[0]], bad_cols[0]
        add(f"{fname} line {line(r)}, column '{cols[c]}'", _bad_cell(df[cols[c]].iloc[r], bad_rows.size))
        return None
    index = pd.DatetimeIndex(dates.iloc[rows]).as_unit("ns")  # (pandas 3 reads dates in seconds or microseconds)
    repeated = np.flatnonzero(index.duplicated())
    if repeated.size:
        r = int(repeated[0])
        first = int(np.flatnonzero(index == index[r])[0])
        add(f"{fname} line {line(rows[r])}", f"date {index[r]:%Y-%m-%d} appears more than once (first on line "
            f"{line(rows[first])})")
        return None
    return CsvSeries(index, cols, values, _left_out(raw_dates, outside, line), rows)


def _two_digit_year(raw_dates: pd.Series, dates: pd.Series) -> int | None:
    """The first row whose date text, read as a date (``dates``, as read), writes its year in two digits (no run of
    three digits or more: ``01.10.65``, ``10/1/01``, ``Oct-65``), None where none does.  Read by pandas (dateutil),
    such a year is put within 50 years of the day the file is read, so the same file reads other dates another year
    (a Chu-Talas modeller's review: a 1965-1995 record dated ``01.10.65`` was read from 2065-10-01)."""
    texts = raw_dates.map(lambda v: v if isinstance(v, str) else "0000").to_numpy(dtype=object)
    read = dates.notna().to_numpy()
    short = [k for k in np.flatnonzero(read) if not re.search(r"\d{3}", texts[k])]
    return int(short[0]) if short else None


def _date_column_hint(columns: Any, date_col: str) -> str:
    """Where the dates were read from the first column, ``date_col``, while another is named ``date`` in other
    letters (``Date``, ``DATE``: a team's review, whose dates had moved to the second column), that the dates are
    read from a column named ``date``, else the first; "" otherwise."""
    other = next((str(c) for c in columns if str(c) != date_col and str(c).strip().casefold() == "date"), None)
    if other is None:
        return ""
    return (f" (the dates are read from the column named 'date', else from the first column, '{date_col}'; this "
            f"file's '{other}' is not 'date': name it date, in small letters, or put it first)")


def _without_empty_rows_at_the_end(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` without the rows at its end whose every cell is empty: a spreadsheet saves a row it once held as
    ``,,,`` (a team's review: refused as "the date cell is empty").  The rows kept keep their places (and lines).
    A file of empty rows alone is left as it is (its first date cell is then said to be empty)."""
    if not len(df) or df.shape[1] < 2:
        return df
    filled = np.flatnonzero(df.notna().any(axis=1).to_numpy())
    return df.iloc[: filled[-1] + 1] if filled.size else df


class RowLines:
    """The file line of each data row of a CSV file as pandas reads it (row 0: line 2, after the header), found
    when a message first needs one: pandas skips blank lines, and a quoted value may hold line breaks (a header
    cell of two lines, as Excel writes one typed with Alt+Enter), which ``row + 2`` miscounts.  Where the file's
    records do not match the rows (a file read with options, a compressed one) or cannot be read again,
    ``row + 2``.

    Parameters
    ----------
    fname
        The file's path.
    rows
        How many rows :func:`read_csv_file` read from it.

    Examples
    --------
    ``RowLines(path, len(df))(r)`` is the line of ``df``'s row ``r``.
    """

    def __init__(self, fname: str, rows: int):
        self.fname, self.rows = fname, rows
        self.lines: list[int] | None = None

    def __call__(self, row: int) -> int:
        if self.lines is None:
            self.lines = _record_lines(self.fname)
            if len(self.lines) != self.rows + 1:  # (the header's, then one a row)
                self.lines = []
        return self.lines[row + 1] if self.lines else row + 2


def _record_lines(fname: str) -> list[int]:
    """The line each non-blank record of a CSV file starts on ([] where it cannot be read as plain text)."""
    try:
        with open(fname, encoding="utf-8-sig", newline="") as f:
            reader, starts, end = _csv.reader(f), [], 0
            for record in reader:
                if record:  # (a blank line is an empty record, which pandas skips)
                    starts.append(end + 1)
                end = reader.line_num
            return starts
    except (OSError, UnicodeDecodeError, _csv.Error, ValueError):
        return []


def _as_written(fname: str, row: int, column: int, read: Any) -> str:
    """Cell (``row``, ``column``) of a CSV file's data as the file writes it, where pandas read it as the number
    ``read`` (a date ``10.2020``, a month and its year, is 10.202 to pandas: a Tashkent ministry analyst's review
    was told of '10.202'); ``read`` as text where the file cannot be read again so, or its cell there is not that
    number (a file read with options, a compressed one)."""
    try:
        with open(fname, encoding="utf-8-sig", newline="") as f:
            records = (r for r in _csv.reader(f) if r)  # (a blank line is an empty record, which pandas skips)
            record = next(itertools.islice(records, row + 1, None), [])
    except (OSError, UnicodeDecodeError, _csv.Error, ValueError):
        record = []
    cell = record[column].strip() if column < len(record) else ""
    try:
        return cell if float(cell) == float(read) else str(read)
    except (ValueError, TypeError):
        return str(read)


def _month_year_hint(cell: str) -> str:
    """For a date cell written as a month and its year (``10.2020``): the date to write, its month's
    first day; "" for any other."""
    found = re.fullmatch(r"(\d{1,2})\.(\d{4})", cell)
    if found is None or not 1 <= int(found[1]) <= 12:
        return ""
    return f" ('{cell}', a month and its year, is written {found[2]}-{int(found[1]):02d}-01)"


#: a date (YYYY-MM, YYYY-MM-DD, N/N/YYYY, with a time of day or not), where a column's name should be
_A_DATE = (r"^\s*(\d{4}[-/]\d{1,2}([-/]\d{1,2})?|\d{4}\.\d{1,2}\.\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})"
           r"([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*$")
#: a date written N/N/YYYY (or with dots or dashes): day first or month first?
_DAY_OR_MONTH_FIRST = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-]\d{2,4}\b"
#: a date written N.N.YYYY
_DOTTED = r"^\s*\d{1,2}\.\d{1,2}\.\d{2,4}\b"
_REFUSED: Any = object()
_YEAR_FIRST = r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"


def _year_first_misread(raw: pd.Series, dates: pd.Series) -> int | None:
    """The first row of a date written year first (YYYY-MM-DD) that ``dates``, the column as pandas read it day
    first, does not hold as that date (None: no such row).  pandas takes a column's format from its first date:
    day first, 2015-01-02 reads as 1 February, so a column that starts with it is read year, day, month (and
    2015-01-31 is then no date); one that starts with 2015-01-31 is read year, month, day."""
    parts = raw.astype(str).str.extract(_YEAR_FIRST).dropna().astype(int)
    if parts.empty:
        return None
    read = pd.DatetimeIndex(dates.iloc[parts.index.to_numpy()])
    wrong = np.isnat(read.to_numpy()) | (read.month.to_numpy() != parts[1].to_numpy()) | (
        read.day.to_numpy() != parts[2].to_numpy())
    return int(parts.index.to_numpy()[np.argmax(wrong)]) if wrong.any() else None


def _year_first_message(raw: pd.Series, dates: pd.Series, k: int, date_col: str, given: bool,
                        line: Callable[[int], int]) -> str:
    """Why row ``k``'s year-first date is misread day first: with a ``dayfirst`` the model gives (``given``), or
    one the column's other dates show (``N/N/YYYY`` with a day above 12)."""
    read = dates.iloc[k]
    how = "is not a date" if pd.isna(read) else f"is {read.day} {read:%B %Y}"
    if given:
        return (f"'{raw.iloc[k]}' in column '{date_col}' is written year first, and with dayfirst: true it {how} "
                "(pandas, and so Pywr, take the order of a column's dates from its first, day first where it can "
                "be): remove dayfirst, which is for dates written DD/MM/YYYY")
    parts = raw.astype(str).str.extract(_DAY_OR_MONTH_FIRST).dropna().astype(int)
    j = int(parts.index.to_numpy()[np.argmax(parts[0].to_numpy() > 12)])
    return (f"'{raw.iloc[k]}' in column '{date_col}' is written year first, and '{raw.iloc[j]}' (line {line(j)}) day "
            "first: write all dates one way, YYYY-MM-DD")


def _date_order(raw: pd.Series, fname: str, date_col: str, add: Callable[[str, str], None],
                line: Callable[[int], int], dots_day_first: bool = False, order_option: str = "") -> Any:
    """Whether the column's ``N/N/YYYY`` dates are day first (True) or month first (False; also where it makes no
    difference), as a day above 12 shows; ``_REFUSED`` (the problem added) where the column shows neither order
    and a date could be read both ways (with ``order_option``, how to say it), or shows both.  With
    ``dots_day_first``, a column that shows neither and whose such dates are all written with dots (``N.N.YYYY``)
    is day first."""
    parts = raw.astype(str).str.extract(_DAY_OR_MONTH_FIRST).dropna().astype(int)
    if parts.empty:
        return False
    first, second, row = parts[0].to_numpy(), parts[1].to_numpy(), parts.index.to_numpy()
    day_first, month_first = bool(np.any(first > 12)), bool(np.any(second > 12))
    if day_first != month_first:
        return day_first
    if day_first:  # (and month first)
        rows = (int(row[np.argmax(first > 12)]), int(row[np.argmax(second > 12)]))
        add(f"{fname} line {line(max(rows))}", f"'{raw.iloc[max(rows)]}' in column '{date_col}' is written in the "
            f"other order than '{raw.iloc[min(rows)]}' (line {line(min(rows))}); write dates year first, YYYY-MM-DD")
        return _REFUSED
    if np.all(first == second):
        return False
    if dots_day_first and raw.iloc[row].astype(str).str.match(_DOTTED).all():
        return True
    k = int(row[np.argmax(first != second)])
    add(f"{fname} line {line(k)}", f"'{raw.iloc[k]}' in column '{date_col}' could be day/month/year or month/day/year, "
        f"and no date of the column tells which; write dates year first, YYYY-MM-DD{order_option}")
    return _REFUSED


def _dayfirst_hint(raw: Any) -> str:
    """For a date not read month first: the hint to read it day first, where it is one (``13/01/2000``)."""
    found = re.match(_DAY_OR_MONTH_FIRST, str(raw))
    if found is None or int(found.group(1)) <= 12:
        return ""
    return "; it reads as day/month/year, which pandas (and so Pywr) reads only with \"dayfirst\": true: give that"


def parse_dates(values: pd.Series, dayfirst: bool, errors: Any = "raise") -> pd.Series:
    """A column of date texts as pandas' :func:`pandas.to_datetime` reads it (``dayfirst``, ``errors``), without
    its warnings.

    pandas guesses the column's format from its first date and reads every date with it; here the format is
    guessed the same way and given to pandas, so that pandas has nothing to warn of: a format whose order of day
    and month is not ``dayfirst`` (a first date that has only one order), a column whose format cannot be guessed
    (each date is then read alone, as pandas does), dates with time zones that differ (read in UTC: they are
    refused all the same).  Silencing the warnings instead would change the process's warning filters, which
    threads share (a library user's review)."""
    fmt = _guessed_format(values, dayfirst)
    if fmt is None:
        return pd.to_datetime(values, errors=errors, format="mixed", dayfirst=dayfirst)
    return pd.to_datetime(values, errors=errors, format=fmt, utc="%z" in fmt or "%Z" in fmt)


def _guessed_format(values: pd.Series, dayfirst: bool) -> str | None:
    """The format pandas guesses for a column of date texts from its first date (None: none, or not a text).

    pandas' guess warns where the first date can be read only in the other order of day and month than
    ``dayfirst`` asks (``13/01/2001`` with ``dayfirst=False``); read in either order it is then the same date, and
    its format is guessed with the order its numbers show, which is the format pandas guesses."""
    first = next((v for v in values if not _no_date(v)), None)
    if type(first) is not str:  # noqa: E721 - (pandas guesses only from a str)
        return None
    try:
        as_asked, other = (_dateutil.parse(first, default=_DEFAULT_DATE, dayfirst=d) for d in (dayfirst, not dayfirst))
    except (ValueError, OverflowError, TypeError):  # (then pandas guesses no format either, and so does not warn)
        return guess_datetime_format(first, dayfirst=dayfirst)
    numbers = [int(n) for n in re.findall(r"\d+", first)]
    if as_asked == other and as_asked.day != as_asked.month and {as_asked.day, as_asked.month} <= set(numbers):
        dayfirst = numbers.index(as_asked.day) < numbers.index(as_asked.month)  # (the one order it has)
    return guess_datetime_format(first, dayfirst=dayfirst)


#: the date :func:`_guessed_format` completes a date text with (that of dateutil's parser is the day's)
_DEFAULT_DATE = datetime(2000, 1, 1)


def _no_date(value: Any) -> bool:
    """Whether pandas' guess of a column's format skips ``value``: NA, or a text of no date ("", "NaT", "now")."""
    if isinstance(value, str):
        return value in ("", "now", "today") or value in nat_strings
    return value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _beyond_nanoseconds(dates: pd.Series) -> np.ndarray:
    """Which of a column's dates, as pandas read them, lie outside the dates daryo's time axes hold: pandas'
    nanosecond timestamps, 1677-09-21 00:12 to 2262-04-11 23:47 (rows so dated are left out: :func:`_left_out`).
    Checked here, not left to pandas: pandas 2 reads such a date as no date, pandas 3 reads a column in seconds or
    microseconds, which hold it.  (Dates with a time zone are left to the check of time zones.)"""
    if not (pd.api.types.is_datetime64_dtype(dates) and dates.notna().any()):
        return np.zeros(len(dates), dtype=bool)
    return (dates.notna() & ~dates.between(pd.Timestamp.min, pd.Timestamp.max)).to_numpy()


def _not_a_date(raw: Any, date_col: str, first_row: bool = False, dots_day_first: bool = False) -> str:
    """What is wrong with a date cell pandas did not read as a date: no date, or, where every date of the file is
    one, one outside the dates daryo holds (:func:`_outside_nanoseconds`; a file with some rows within them is
    read without the others: :func:`_left_out`).

    A cell of words in another script than Latin (a Russian month, ``'окт.20'``) is told how dates are written
    (``DD.MM.YYYY`` too where ``dots_day_first``), and one of such words alone on the first data row
    (``first_row``: a units row, ``'ед. изм.'``) that a second header line is not read (:func:`_words_hint`)."""
    when = _outside_nanoseconds(raw)
    if when is not None:
        return (f"'{raw}' in column '{date_col}' is a date outside the dates pandas, and so daryo, can hold "
                f"({_HELD}), as is every date of the file, so that no run can read it: correct the years"
                f"{solar_hijri_hint(when.year)}")
    comment = ": comment lines are not read; remove it" if str(raw).lstrip().startswith("#") else ""
    return f"'{raw}' in column '{date_col}' is not a date" + (hidden_characters_named(str(raw)) or _calendar_hint(raw)
                                                              or _words_hint(str(raw), first_row, dots_day_first)
                                                              or comment)


def _words_hint(text: str, first_row: bool, dots_day_first: bool) -> str:
    """For a date cell of words in another script than Latin (``'окт.20'``, ``'ед. изм.'``), which no retyping in
    ASCII makes a date: how to write dates, and on the file's first data row, without digits, that a second header
    line (units, say) is to be removed; "" for any other cell."""
    if not any(c.isalpha() and not c.isascii() for c in text):
        return ""
    how = "YYYY-MM-DD or DD.MM.YYYY" if dots_day_first else "YYYY-MM-DD"
    if first_row and not any(c.isdigit() for c in text):
        return (f": the line after the header holds no date; a second header line (of units, say) is not read: remove "
                f"it, and write dates as {how}")
    return f": write dates as {how}, in digits"


#: The dates a CSV file's rows can have: pandas' nanosecond timestamps, in whole days (a run's steps lie within
#: 1678-01-01 to 2261-12-31, :data:`~daryo.timeaxis.FIRST_DATE` to :data:`~daryo.timeaxis.LAST_DATE`)
_HELD = "1677-09-22 to 2262-04-11"


def _outside_nanoseconds(raw: Any) -> pd.Timestamp | None:
    """The date of a date cell that pandas read as none, or past its nanosecond timestamps
    (:func:`_beyond_nanoseconds`), where it is one outside them (``1559-10-01``, ``9999-01-01``; read alone, at a
    coarser unit); None for a cell that is no date."""
    try:
        when = pd.Timestamp(str(raw).strip())
    except (ValueError, OverflowError):
        return None
    if pd.isna(when) or pd.Timestamp.min <= when <= pd.Timestamp.max:
        return None
    return when


def _left_out(raw: pd.Series, outside: Mapping[int, pd.Timestamp], line: Callable[[int], int]) -> str:
    """What is said of the rows of a file left out for dates outside those daryo holds (``outside``: their rows and
    dates), where a run needs a date the file then lacks, a sentence without its full stop: how many, the first (as
    written, and its line), and, for a year 1300–1500, that it is most likely a Solar Hijri one
    (:func:`~daryo.timeaxis.solar_hijri_hint`); "" if none.  Such rows are left out as rows outside the run are:
    no run reaches them (a tree-ring reconstruction from 1560, a stand-in date 9999-12-31)."""
    if not outside:
        return ""
    first = min(outside)
    hijri = next((when.year for when in outside.values() if 1300 <= when.year <= 1500), 0)
    n = len(outside)
    rows = "row" if n == 1 else f"{n} rows"
    return (f"The file's {rows} dated outside the dates pandas, and so daryo, can hold ({_HELD}) "
            f"{'was' if n == 1 else 'were'} left out: {'it is' if n == 1 else 'the first is'} '{raw.iloc[first]}', "
            f"line {line(first)}{solar_hijri_hint(hijri)}")


def _calendar_hint(raw: Any) -> str:
    """For a date of 29 or 30 February that is none in the Gregorian calendar: that it is one of a 360-day (or
    all-leap) calendar, as climate model (CF) files have, and how to convert it ("" for any other)."""
    found = re.match(r"^\s*\d{4}-0?2-(29|30)\b", str(raw))
    if found is None:
        return ""
    return (f": it is a date of a {'360-day' if found[1] == '30' else '360-day or all-leap'} calendar, as climate "
            "model (CF) files have, and daryo's dates are the Gregorian calendar's; convert the series to it first "
            "(xarray's Dataset.convert_calendar('standard', align_on='year')), or give monthly "
            "values dated each month's 1st")


def _numeric_column(column: pd.Series) -> pd.Series:
    """A value column as numbers, NaN where a cell is none: as :func:`pandas.to_numeric` reads its cells, those
    written in Persian or Arabic-Indic digits or with the Arabic separators (``۱۵۰٫۵``, ``1٬150.5``: how Excel
    writes numbers in Afghanistan and Iran) as the numbers their ASCII spelling is (:func:`~daryo.units.ascii_number`;
    a cell that mixes two scripts' digits is none, and :func:`_bad_cell` says why)."""
    if not pd.api.types.is_numeric_dtype(column):
        column = column.map(_in_ascii)
    return pd.to_numeric(column, errors="coerce")


def _in_ascii(cell: Any) -> Any:
    """A cell with its number in ASCII (:func:`~daryo.units.ascii_number`); as it is where it is no text, or mixes
    scripts."""
    if not isinstance(cell, str) or cell.isascii():
        return cell
    try:
        return ascii_number(cell)
    except UnitError:
        return cell


#: a number written with spaces (a plain, no-break, narrow no-break or thin one, as spreadsheets of many locales write
#: them) between groups of three digits, decimals with a point or a comma: ``1 100.5``, ``1 100,5``
_THOUSANDS_SPACED = re.compile(rf"([-+]?\d{{1,3}})([{''.join(THOUSANDS_SPACES)}])\d{{3}}(?:\2\d{{3}})*([.,]\d+)?")


def _bad_cell(raw: Any, n_bad: int) -> str:
    """What is wrong with a value cell that is not a finite number (``raw`` as read), ``n_bad`` such cells in the
    file."""
    if pd.isna(raw):  # pandas reads an empty cell (and NA, NaN, null) as no value
        more = f" ({n_bad} cells in the file are empty or not numbers)" if n_bad > 1 else ""
        return f"the cell is empty (or NA); give a number{more}"
    such = f"({n_bad} such cell{'s' if n_bad != 1 else ''} in the file)"
    try:
        text = ascii_number(str(raw).strip())
    except UnitError as exc:  # (digits of two scripts in one number)
        return f"{exc} {such}"
    if spaced := _THOUSANDS_SPACED.fullmatch(text):
        space = spaced[2]
        named = "a space" if space == " " else characters_named(space)
        point = ", and decimals with a point" if spaced[3] and spaced[3].startswith(",") else ""
        return (f"'{raw}' is not a finite number {such}: it is written with {named} as a thousands separator; write "
                f"numbers without one{point} ({re.sub(r'[^0-9.,+-]', '', text).replace(',', '.')})")
    if not hidden_characters_named(str(raw)) and any(c.isalpha() and not c.isascii() for c in str(raw)):
        return f"'{raw}' is not a finite number {such}: give a number, in digits"
    comma = (": write numbers without a thousands separator, and decimals with a point (a comma separates the "
             "values)" if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+", text)
             else ": write decimals with a point (a comma separates the values)" if re.fullmatch(r"[-+]?\d+,\d+", text)
             else "")
    return f"'{raw}' is not a finite number{hidden_characters_named(str(raw))} {such}{comma}"
