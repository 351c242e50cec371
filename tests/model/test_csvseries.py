"""The reading and checks shared by CSV series, ``dataframe`` parameters and observed inflows."""

import gzip
import io
import unicodedata

import numpy as np
import pandas as pd
import pytest

import daryo
from daryo.model import csvseries
from daryo.model.csvseries import CsvReadError, csv_columns, read_csv_file, read_csv_series


def _read(text: str, **kw):
    problems: list[tuple[str, str]] = []
    got = read_csv_series(pd.read_csv(io.StringIO(text)), "/d/f.csv", "f.csv", "here",
                          lambda p, m: problems.append((p, m)), **kw)
    return got, problems


def test_reads_dates_and_every_value_column():
    got, problems = _read("when,a,b\n2001-02-01,1,2\n2001-01-01,3,4\n")
    assert not problems and got is not None
    assert list(got.dates) == [pd.Timestamp("2001-02-01"), pd.Timestamp("2001-01-01")]
    assert got.columns == ["a", "b"]
    np.testing.assert_array_equal(got.values, [[1, 2], [3, 4]])


def test_a_column_or_cell_with_characters_that_look_alike_or_show_as_nothing_names_them():
    """An Afghan water-ministry planner's review: a YAML ``column: کوکچه`` (Persian keheh) against a Windows-1256
    export's header 'كوكچه' (Arabic kaf) was "has no column 'کوکچه'; its columns are: 'date', 'كوكچه'", identical on
    screen; and a cell or a date with a right-to-left mark (pasted from a Persian document) was "'‏150' is not a
    finite number", the mark unseen.  The letters and the mark are named with their code points."""
    kokcha, arabic = "\u06a9\u0648\u06a9\u0686\u0647", "\u0643\u0648\u0643\u0686\u0647"
    assert _read(f"date,{arabic},b\n2001-01-01,1,2\n", columns=[kokcha])[1] == [
        ("here", f"CSV 'f.csv' has no column '{kokcha}' (did you mean '{arabic}'? '{kokcha}' holds '\u06a9' (U+06A9 "
         f"ARABIC LETTER KEHEH) where '{arabic}' holds '\u0643' (U+0643 ARABIC LETTER KAF): Arabic and Persian letters "
         f"that look alike and are not the same); its columns are: 'date', '{arabic}', 'b'")]
    assert _read("date,a\n2001-01-01,\u200f150\n")[1] == [
        ("/d/f.csv line 2, column 'a'", "'\u200f150' is not a finite number ('\u200f150' holds '' (U+200F "
         "RIGHT-TO-LEFT MARK), which shows as nothing: remove it) (1 such cell in the file)")]
    assert _read("date,a\n2001-01-01,1\n\u200e2001-02-01,2\n")[1] == [
        ("/d/f.csv line 3", "'\u200e2001-02-01' in column 'date' is not a date ('\u200e2001-02-01' holds '' (U+200E "
         "LEFT-TO-RIGHT MARK), which shows as nothing: remove it)")]

def test_cells_of_cyrillic_words_and_numbers_with_spaces_between_thousands_are_told_what_to_write():
    """A Tashkent ministry analyst's review: a Russian month ('окт.20') in a date cell and a units row ('ед. изм.')
    were told to "retype it in ASCII", which cannot make them dates; a no-break space between thousands
    ('1\u00a0100.5') got the same, and a plain space no hint at all.  A word of Cyrillic letters alone is told how
    dates are written (a units row, that it is not read); a look-alike letter among ASCII ones is still named."""
    month = "\u043e\u043a\u0442.20"
    assert _read(f"date,a\n{month},1\n", dots_day_first=True)[1] == [
        ("/d/f.csv line 2", f"'{month}' in column 'date' is not a date: write dates as YYYY-MM-DD or DD.MM.YYYY, "
         "in digits")]
    units = "\u0435\u0434. \u0438\u0437\u043c."
    assert _read(f"date,a\n{units},m3/s\n2001-01-01,1\n")[1] == [
        ("/d/f.csv line 2", f"'{units}' in column 'date' is not a date: the line after the header holds no date; a "
         "second header line (of units, say) is not read: remove it, and write dates as YYYY-MM-DD")]
    assert _read("date,a\n2001-01-01,1\n2\u041e01-02-01,1\n")[1] == [  # (a Cyrillic О among digits)
        ("/d/f.csv line 3", "'2\u041e01-02-01' in column 'date' is not a date ('2\u041e01-02-01' holds '\u041e' "
         "(U+041E CYRILLIC CAPITAL LETTER O), which looks like an ASCII character and is not: retype it in ASCII)")]
    for space, named in (("\u00a0", "'\u00a0' (U+00A0 NO-BREAK SPACE)"), (" ", "a space"),
                         ("\u202f", "'\u202f' (U+202F NARROW NO-BREAK SPACE)")):
        assert _read(f'date,a\n2001-01-01,1{space}100.5\n2001-02-01,"2{space}000{space}100,5"\n')[1] == [
            ("/d/f.csv line 2, column 'a'", f"'1{space}100.5' is not a finite number (2 such cells in the file): it "
             f"is written with {named} as a thousands separator; write numbers without one (1100.5)")]
        assert _read(f'date,a\n2001-01-01,"2{space}000{space}100,5"\n')[1][0][1].endswith(
            f"written with {named} as a thousands separator; write numbers without one, and decimals with a point "
            "(2000100.5)")
    assert _read("date,a\n2001-01-01,\u043d\u0435\u0442\n")[1] == [
        ("/d/f.csv line 2, column 'a'", "'\u043d\u0435\u0442' is not a finite number (1 such cell in the file): give "
         "a number, in digits")]


def test_date_column_named_date_and_columns_picked():
    got, problems = _read("a,date,b\n1,2001-01-01,2\n", columns=["b"])
    assert not problems and got is not None
    assert got.columns == ["b"] and got.dates[0] == pd.Timestamp("2001-01-01")


def test_messages():
    assert _read("date,a\n2001-01-01,1\n", date_col="day")[1] == [("here", "CSV 'f.csv' has no column 'day'")]
    assert _read("date,b\n2001-01-01,1\n", columns=["a"])[1] == [
        ("here", "CSV 'f.csv' has no column 'a'; its columns are: 'date', 'b'")]
    assert _read("date,a\n2001-01-01,1\nsoon,2\n")[1] == [
        ("/d/f.csv line 3", "'soon' in column 'date' is not a date")]
    assert _read("date,a\n2001-01-01,1\n2001-02-01,x\n2001-03-01,\n")[1] == [
        ("/d/f.csv line 3, column 'a'", "'x' is not a finite number (2 such cells in the file)")]
    # a review (a new basin's modeller): decimal commas (a spreadsheet of a locale that writes 75,2) were named with
    # no word of them (and a header with spaces after its commas: now the same names, see below)
    assert _read('date,a\n2001-01-01,"75,2"\n2001-02-01,"-3,5"\n')[1] == [
        ("/d/f.csv line 2, column 'a'", "'75,2' is not a finite number (2 such cells in the file): write decimals "
         "with a point (a comma separates the values)")]
    assert _read('date,a\n2001-01-01,"1,500"\n')[1] == [  # (a thousands separator, or a decimal comma)
        ("/d/f.csv line 2, column 'a'", "'1,500' is not a finite number (1 such cell in the file): write numbers "
         "without a thousands separator, and decimals with a point (a comma separates the values)")]
    assert _read("date,a\n2001-01-01,1\n2001-02-01,2\n2001-01-01,3\n")[1] == [
        ("/d/f.csv line 4", "date 2001-01-01 appears more than once (first on line 2)")]


@pytest.mark.parametrize("first, date", [("2001-01-01", "01/02/2001"), ("2001-01-01", "1.2.2001"),
                                         ("2001-01-01", "01-02-01"), ("2001-01-01", "12/01/2001"),
                                         ("01/01/2001", "01/02/2001")],
                         ids=["slashes", "dots", "two-digit-year", "twelve", "after-one-read-the-same-either-way"])
def test_a_date_that_reads_two_ways_is_refused_when_no_date_tells_the_order(first, date):
    """'01/02/2001' was read as 2 January, which a day-first reader means as 1 February.  A 12 tells no order
    (only a number above 12 does), and the date named is the first that reads two ways, not one that reads the
    same either way ('01/01/2001')."""
    assert _read(f"date,a\n{first},1\n{date},2\n")[1] == [
        ("/d/f.csv line 3", f"'{date}' in column 'date' could be day/month/year or month/day/year, and no date of "
         "the column tells which; write dates year first, YYYY-MM-DD")]


@pytest.mark.parametrize("text, dayfirst, want", [
    ("01/01/2001\n31/01/2001\n01/02/2001", None, ["2001-01-01", "2001-01-31", "2001-02-01"]),  # a day above 12
    ("1/1/2001\n1/31/2001\n2/1/2001", None, ["2001-01-01", "2001-01-31", "2001-02-01"]),  # ... in second place
    ("01/01/2001\n01/02/2001", False, ["2001-01-01", "2001-01-02"]),  # told: month first (Pywr's reading)
    ("01/01/2001\n01/02/2001", True, ["2001-01-01", "2001-02-01"]),
    ("01/01/2001\n02/02/2001", None, ["2001-01-01", "2001-02-02"]),  # the same either way
])
def test_the_order_of_day_and_month_is_the_one_the_column_shows_or_is_told(text, dayfirst, want):
    got, problems = _read("date,a\n" + "".join(f"{d},1\n" for d in text.split("\n")), dayfirst=dayfirst)
    assert not problems and got is not None and list(got.dates) == [pd.Timestamp(w) for w in want]


@pytest.mark.parametrize("text, want", [
    ("01.10.2000\n01.11.2000\n01.12.2000", ["2000-10-01", "2000-11-01", "2000-12-01"]),  # day first
    ("1.10.2000\n1.11.2000", ["2000-10-01", "2000-11-01"]),
    ("10.1.2000\n10.31.2000", ["2000-10-01", "2000-10-31"]),  # a day above 12 in second place: month first
])
def test_dates_written_with_dots_are_day_first_where_no_date_tells_the_order(text, want):
    """A user review: a monthly file dated 01.10.2000, 01.11.2000, … (as dates are written in Central Asia) was
    refused as ambiguous; a model's CSV series now reads such a column day first.  Pywr's ``dataframe`` (the
    reader's default) still refuses it, as pandas, and so Pywr, would read it month first."""
    rows = "".join(f"{d},1\n" for d in text.split("\n"))
    got, problems = _read("date,a\n" + rows, dots_day_first=True)
    assert not problems and got is not None and list(got.dates) == [pd.Timestamp(w) for w in want]
    if text.startswith("01.10"):
        assert "could be day/month/year or month/day/year" in _read("date,a\n" + rows)[1][0][1]
        mixed = _read("date,a\n01.10.2000,1\n01/11/2000,2\n", dots_day_first=True)[1]  # (slashes: no custom)
        assert "'01.10.2000' in column 'date' could be day/month/year or month/day/year" in mixed[0][1]


def test_a_dataframe_parameter_refusing_dotted_dates_names_its_dayfirst(tmp_path):
    """A Tashkent ministry analyst's review: a ``dataframe`` parameter's file dated 01.10.2020, 01.11.2020, … was
    refused as either order, and told only to write dates year first, nothing of the parameter's ``dayfirst``,
    which reads them."""
    (tmp_path / "q.csv").write_text("Дата,q\n01.10.2000,5\n01.11.2000,7\n01.12.2000,9\n")
    text = ("version: 1\nname: t\ntime: {start: 2000-10, end: 2000-11}\nnodes:\n"
            "  - {id: src, type: inflow, inflow: {parameter: q}}\n  - {id: sea, type: sink}\nedges: [[src, sea]]\n"
            "parameters:\n  q: {type: dataframe, csv: q.csv, index_col: Дата, column: q}\n")
    (tmp_path / "m.yaml").write_text(text)
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(tmp_path / "m.yaml")
    assert [p.message for p in err.value.problems] == [
        "'01.10.2000' in column 'Дата' could be day/month/year or month/day/year, and no date of the column tells "
        "which; write dates year first, YYYY-MM-DD, or say their order with the parameter's dayfirst: true (day "
        "first, 01.10.2020 is 1 October) or false (read for parameters[q])"]
    (tmp_path / "m.yaml").write_text(text.replace("column: q}", "column: q, dayfirst: true}"))
    ds = daryo.run(daryo.load(tmp_path / "m.yaml")).dataset
    np.testing.assert_allclose(ds.sink_inflow.values.ravel(), [5.0, 7.0])


def test_dates_in_both_orders_in_one_column_are_refused():
    assert _read("date,a\n13/01/2001,1\n01/14/2001,2\n")[1] == [
        ("/d/f.csv line 3", "'01/14/2001' in column 'date' is written in the other order than '13/01/2001' (line 2); "
         "write dates year first, YYYY-MM-DD")]


@pytest.mark.parametrize("date", ["2001-02-01", "2001/02/01", "2001-02", "2001-02-01 00:00:00", "1 February 2001"])
def test_dates_written_year_first_or_with_a_month_name_are_read(date):
    got, problems = _read(f"date,a\n{date},1\n")
    assert not problems and got is not None and got.dates[0] == pd.Timestamp("2001-02-01")


def test_an_empty_cell_is_called_empty_with_its_line_and_column():
    assert _read("date,a,b\n2001-01-01,1,2\n2001-02-01,3,\n")[1] == [
        ("/d/f.csv line 3, column 'b'", "the cell is empty (or NA); give a number")]
    assert _read("date,a\n2001-01-01,\n2001-02-01,x\n")[1] == [
        ("/d/f.csv line 2, column 'a'", "the cell is empty (or NA); give a number (2 cells in the file are empty or "
         "not numbers)")]


@pytest.mark.parametrize("spec, columns", [
    ({"csv": "f.csv"}, None), ({"csv": "f.csv", "columns": "*"}, None), ({"csv": "f.csv", "column": "t1"}, ["t1"]),
    ({"csv": "f.csv", "column": 3}, ["3"]), ({"csv": "f.csv", "columns": ["t1", "t2"]}, ["t1", "t2"]),
])
def test_csv_columns_named_by_a_series(spec, columns):
    assert csv_columns(spec) == columns


@pytest.mark.parametrize("spec, message", [
    ({"columns": "*", "column": "t1"}, "gives both column: 't1' and columns: '*'; give one: column: NAME for one "
                                       "column, or columns: [NAME, …] or columns: \"*\" for several"),
    ({"columns": ["t1"], "column": "t1"}, "gives both column: 't1' and columns: ['t1']"),
    ({"column": 1.5}, "'1.5' is not a column"),
    ({"columns": []}, "'[]' is not a column"),
])
def test_csv_columns_refuses_column_and_columns_together_and_what_is_no_column(spec, message):
    with pytest.raises(ValueError) as err:
        csv_columns(spec)
    assert str(err.value).startswith(message)


def test_read_csv_file_gives_a_one_line_reason(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("date,a\n2001-01-01,1\n")
    assert list(read_csv_file(p).columns) == ["date", "a"]
    p.write_text("")
    with pytest.raises(CsvReadError, match="^the file is empty$"):
        read_csv_file(p)
    p.write_text('date,a\n2001-01-01,1\n"2001-02-01,2\n')
    with pytest.raises(CsvReadError) as err:
        read_csv_file(p)
    assert "\n" not in str(err.value) and str(err.value)
    with pytest.raises(CsvReadError, match="No such file or directory"):
        read_csv_file(tmp_path / "none.csv")


@pytest.mark.parametrize("content, reason", [
    (b"date,a\n2001-01-01,1\n2001-02-01,2,3\n", "line 3: 3 fields where the lines before it have 2 (a value holding "
     "the separator needs quotes)"),
    (b"date,a\n2001-01-01,1\n2001-02-01,\xe9\n", "line 3: not UTF-8 text (byte 0xe9); save it as UTF-8 (from "
     "Windows-1251, the usual encoding of Cyrillic files of Central Asia's offices: iconv -f WINDOWS-1251 -t UTF-8 "
     "f.csv > f_utf8.csv; or in Excel: Save as, 'CSV UTF-8'; in Notepad: Save as, Encoding: UTF-8; from another "
     "encoding, its name for WINDOWS-1251)"),
], ids=["extra-field", "latin-1"])
def test_read_csv_file_names_the_line_of_a_bad_row_or_byte(tmp_path, content, reason):
    """pandas said 'Error tokenizing data. C error: Expected 2 fields in line 3, saw 3' and "'utf-8' codec can't
    decode byte 0xe9 in position 34", a position in its buffer."""
    p = tmp_path / "f.csv"
    p.write_bytes(content)
    with pytest.raises(CsvReadError) as err:
        read_csv_file(p)
    assert str(err.value) == reason


def test_read_csv_file_takes_pandas_reading_options(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("# a comment line\nname;v\na;1,5\nb;2\n")
    df = read_csv_file(p, sep=";", decimal=",", skiprows=1, index_col="name")
    assert list(df.index) == ["a", "b"] and list(df["v"]) == [1.5, 2.0]


@pytest.mark.parametrize("options, reason", [
    ({"index_col": "day"}, "Index day invalid (read with index_col='day')"),
    ({"index_col": 5}, "list index out of range (read with index_col=5)"),
    ({"parse_dates": ["day"]}, "Missing column provided to 'parse_dates': 'day' (read with parse_dates=['day'])"),
    ({"sep": 5}, "object of type 'int' has no len() (read with sep=5)"),
    ({"encoding": "no-such-codec"}, "unknown encoding: no-such-codec (read with encoding='no-such-codec')"),
    ({"skiprow": 1}, "read_csv() got an unexpected keyword argument 'skiprow' (read with skiprow=1)"),
])
def test_read_csv_file_names_the_options_it_cannot_read_with(tmp_path, options, reason):
    p = tmp_path / "f.csv"
    p.write_text("date,a\n2001-01-01,1\n")
    with pytest.raises(CsvReadError) as err:
        read_csv_file(p, **options)
    assert str(err.value) == reason


def test_read_csv_file_damaged_or_missing_files(tmp_path):
    data = gzip.compress(("date,a\n" + "".join(f"2001-01-01,{i * i}\n" for i in range(2000))).encode())
    p = tmp_path / "f.csv.gz"
    p.write_bytes(data)
    assert read_csv_file(p).shape == (2000, 2)
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(CsvReadError, match="^Compressed file ended before the end-of-stream marker was reached$"):
        read_csv_file(p)
    p.write_bytes(data[:20] + bytes(40) + data[60:])
    with pytest.raises(CsvReadError, match="^Error -3 while decompressing data"):
        read_csv_file(p)
    with pytest.raises(CsvReadError, match=r"^No such file or directory$"):  # (the callers' messages name the
        read_csv_file(tmp_path / "none.csv", index_col="date")              # file; the options are not why)


def test_read_csv_file_refuses_a_file_larger_than_it_reads_before_reading_it(tmp_path, monkeypatch):
    """The UN Centre's security reviewer: a plain CSV of 1 GB was read whole (pandas takes about five times its
    size in memory).  A file larger than MAX_CSV_BYTES is refused by its size, before pandas reads a byte (the
    file here is sparse: 300 MB of nothing, made at once)."""
    p = tmp_path / "big.csv"
    with open(p, "wb") as f:
        f.write(b"date,a\n2001-01-01,1\n")
        f.truncate(300_000_000)
    monkeypatch.setattr(pd, "read_csv", lambda *a, **kw: pytest.fail("pandas read a file too large to read"))
    with pytest.raises(CsvReadError) as err:
        read_csv_file(p)
    assert str(err.value) == ("the file is 300,000,000 bytes, more than the 256,000,000 (256 MB) daryo reads from one "
                              "CSV file; split it, or give fewer rows or columns")


@pytest.mark.parametrize("name, options", [("bomb.csv.gz", {}), ("bomb.csv", {"compression": "gzip"})])
def test_read_csv_file_refuses_a_compressed_file_that_holds_more_than_it_reads(tmp_path, monkeypatch, name, options):
    """The UN Centre's security reviewer: a bomb.csv.gz of 728 KB holding 375 MB took 1.7 GB of memory before it was
    refused.  A compressed file is decompressed a block at a time and counted, nothing kept, and refused once it
    holds more than MAX_CSV_BYTES, before pandas reads it (the limit is lowered here, for a small file)."""
    text = b"date,a\n" + b"2001-01-01,1\n" * 2000  # (26,007 bytes)
    (tmp_path / name).write_bytes(gzip.compress(text))
    monkeypatch.setattr(csvseries, "MAX_CSV_BYTES", 20_000)
    read = []
    monkeypatch.setattr(pd, "read_csv", lambda *a, **kw: read.append(a))
    with pytest.raises(CsvReadError) as err:
        read_csv_file(tmp_path / name, **options)
    size = (tmp_path / name).stat().st_size
    assert str(err.value) == (f"once decompressed, the file ({size:,} bytes) holds more than the 20,000 bytes "
                              "(0.02 MB) daryo reads from one CSV file; split it, or give fewer rows or columns")
    assert not read
    monkeypatch.undo()
    assert read_csv_file(tmp_path / name, **options).shape == (2000, 2)


def test_a_csv_series_in_a_rate_unit_is_converted_with_each_step_s_days(tmp_path):
    """1 m³/s over January is 31 x 86,400 s x 1e-6 = 2.6784 hm³, over February (2001) 28 x 0.0864 = 2.4192 hm³."""
    (tmp_path / "q.csv").write_text("date,q\n2001-01-01,1\n2001-02-01,1\n")
    (tmp_path / "m.yaml").write_text(
        "version: 1\nname: t\ntime: {start: 2001-01, end: 2001-02, step: month}\n"
        "nodes:\n  - {id: in, type: inflow, inflow: {csv: q.csv, column: q, unit: m3/s}}\n  - {id: sea, type: sink}\n"
        "edges:\n  - [in, sea]\n")
    ds = daryo.run(daryo.load(tmp_path / "m.yaml")).dataset
    np.testing.assert_allclose(ds.sink_inflow.sel(sink="sea").values.ravel(), [2.6784, 2.4192], rtol=1e-12)


def test_a_column_named_twice_in_the_header_is_refused_with_its_line(tmp_path):
    """pandas reads a repeated column name as "t1" and "t1.1": which one a series means would be a guess."""
    path = tmp_path / "f.csv"
    path.write_text("date,t1,t1,t3\n2000-10-01,1,2,3\n")
    with pytest.raises(CsvReadError, match=r"^line 1: column 't1' appears more than once in the header; give each "
                                           r"column its own name$"):
        read_csv_file(path)
    path.write_text("date,t1,t2,t3\n2000-10-01,1,2,3\n")
    assert list(read_csv_file(path).columns) == ["date", "t1", "t2", "t3"]
    assert list(read_csv_file(path, header=None).iloc[0]) == ["date", "t1", "t2", "t3"]  # (options: as pandas reads)


def test_a_header_is_read_as_its_names_composed_and_without_the_spaces_around_them(tmp_path):
    """A Tashkent ministry analyst's review: a header written with a space after each comma (``date, сухой``), or
    in Unicode's decomposed form (NFD: 'й' as 'и' and U+0306, as a colleague's file had it), named columns other
    than 'сухой': a model's ``column: сухой`` was "no column", and ``columns: "*"`` paired them with another file's
    by position.  The header's names, and the names a model gives, are read composed (NFC) and stripped, as one;
    names that are one so, written twice, are a column named twice."""
    dry, wet = "\u0441\u0443\u0445\u043e\u0439", "\u0432\u043b\u0430\u0436\u043d\u044b\u0439"
    nfd = unicodedata.normalize("NFD", f"date,{dry},{wet}")
    assert nfd != f"date,{dry},{wet}"
    for header in (f"date, {dry}, {wet} ", nfd):
        (tmp_path / "f.csv").write_text(f"{header}\n2001-01-01,1,2\n", encoding="utf-8")
        df = read_csv_file(tmp_path / "f.csv")
        assert list(df.columns) == ["date", dry, wet]
        for asked in ([wet], [unicodedata.normalize("NFD", wet)], [f" {wet}"]):
            problems: list[tuple[str, str]] = []
            got = read_csv_series(df, "/d/f.csv", "f.csv", "here", lambda p, m, told=problems: told.append((p, m)),
                                  columns=asked)
            assert not problems and got is not None and got.columns == [wet] and got.values.tolist() == [[2.0]]
    (tmp_path / "f.csv").write_text(f"date,{dry}, {dry}\n2001-01-01,1,2\n", encoding="utf-8")
    with pytest.raises(CsvReadError) as err:
        read_csv_file(tmp_path / "f.csv")
    assert str(err.value) == (
        f"line 1: column '{dry}' appears more than once in the header ('{dry}' is written '{dry}' and ' {dry}': "
        "spaces around a name, or a letter written as a letter and a combining mark, make no other name); give "
        "each column its own name")
    assert list(read_csv_file(tmp_path / "f.csv", header=None).iloc[0]) == ["date", dry, f" {dry}"]  # (as pandas)
    (tmp_path / "f.csv").write_text("date,a, \n2001-01-01,1,2\n")  # (a cell of a space: no name, as an empty one)
    assert list(read_csv_file(tmp_path / "f.csv").columns) == ["date", "a", "Unnamed: 2"]
    problems: list[tuple[str, str]] = []
    read_csv_series(read_csv_file(tmp_path / "f.csv"), "/d/f.csv", "f.csv", "here",
                    lambda p, m: problems.append((p, m)))
    assert problems == [("/d/f.csv line 1", "column 3 of the header has no name; give each value column a name (a "
                         "trace's name, for instance)")]


def test_empty_columns_that_excel_leaves_at_the_end_of_each_line_are_not_read(tmp_path):
    """A Tashkent ministry analyst's review: Excel's ``date,a,b,,`` (columns once used beyond the data, each line
    ending in separators) was "column '' appears more than once in the header".  Columns at the end whose header
    cell and every cell are empty hold nothing, and are left out; ones with a value are named by their place."""
    path = tmp_path / "f.csv"
    path.write_text("\ufeffdate,a,b,,\r\n2000-10-01,1,2,,\r\n2000-11-01,3,4,,\r\n")
    assert list(read_csv_file(path).columns) == ["date", "a", "b"]
    (tmp_path / "m.yaml").write_text(
        "version: 1\nname: t\ntime: {start: 2000-10, end: 2000-11, step: month}\n"
        "nodes:\n  - {id: in, type: inflow, inflow: {csv: f.csv, columns: '*'}}\n  - {id: sea, type: sink}\n"
        "edges:\n  - [in, sea]\n")
    assert daryo.load(tmp_path / "m.yaml").node("in").attrs["inflow"].scenarios == ("a", "b")
    path.write_text("date,a,b,,\n2000-10-01,1,2,,\n2000-11-01,3,4,,5\n")  # (a value in the last column)
    with pytest.raises(CsvReadError, match=r"^line 1: columns 4 and 5 of the header have no name; give each column "
                                           r"its name, or delete the columns \(and their separators\) if they hold "
                                           r"nothing$"):
        read_csv_file(path)
    path.write_text("date,,\n2000-10-01,,\n")  # (the first column is kept: a file of no values is told so later)
    assert list(read_csv_file(path).columns) == ["date"]


def _two_series_model(tmp_path, inflow_header: str, demand_header: str, demand_first: bool = False):
    """A model whose inflow (100 and 10 a month) and demand (5 and 50) come from CSV files with two columns
    each, named by the two headers; the demand's node first in the file if ``demand_first``."""
    (tmp_path / "hyd.csv").write_text(f"date,{inflow_header}\n2000-10-01,100,10\n2000-11-01,100,10\n",
                                      encoding="utf-8")
    (tmp_path / "dem.csv").write_text(f"date,{demand_header}\n2000-10-01,5,50\n2000-11-01,5,50\n",
                                      encoding="utf-8")
    nodes = ["  - {id: a, type: inflow, inflow: {csv: hyd.csv, columns: '*'}}\n",
             "  - {id: D, type: demand, demand: {csv: dem.csv, columns: '*'}}\n"]
    (tmp_path / "m.yaml").write_text(
        "version: 1\nname: t\ntime: {start: 2000-10, end: 2000-11}\nnodes:\n"
        + "".join(nodes[::-1] if demand_first else nodes)
        + "  - {id: s, type: sink}\nedges: [[a, D], [a, s]]\n")
    return tmp_path / "m.yaml"


@pytest.mark.parametrize("demand_first", [False, True])
def test_scenario_columns_of_the_same_names_are_matched_by_name(tmp_path, demand_first):
    """The demand file's 'dry' column goes with the inflow file's 'dry' column, whichever order the files and
    the nodes give them in (they were matched by position, under the names of the series read first)."""
    ds = daryo.run(daryo.load(_two_series_model(tmp_path, "wet,dry", "dry,wet", demand_first))).dataset
    delivered = {str(s): ds.delivery.sel(scenario=s, demand="D").values.tolist() for s in ds.scenario.values}
    inflow = {str(s): ds.sink_inflow.sel(scenario=s, sink="s").values + ds.delivery.sel(scenario=s, demand="D")
              .values for s in ds.scenario.values}
    assert delivered == {"wet": [50.0, 50.0], "dry": [5.0, 5.0]}
    assert {s: v.tolist() for s, v in inflow.items()} == {"wet": [100.0, 100.0], "dry": [10.0, 10.0]}
    assert [str(s) for s in ds.scenario.values] == (["dry", "wet"] if demand_first else ["wet", "dry"])


def test_scenario_columns_sharing_some_names_are_refused_and_others_matched_by_position(tmp_path):
    with pytest.raises(daryo.ModelError, match=r"its scenario columns \(dry, moist\) and a\.inflow's \(wet, dry\) "
                                               r"share some names but not all"):
        daryo.load(_two_series_model(tmp_path, "wet,dry", "dry,moist"))
    ds = daryo.run(daryo.load(_two_series_model(tmp_path, "wet,dry", "d1,d2"))).dataset
    assert [str(s) for s in ds.scenario.values] == ["wet", "dry"]
    assert ds.delivery.sel(demand="D").values.tolist() == [[5.0, 5.0], [10.0, 10.0]]  # d1 with wet, d2 with dry


#: the Russian names of a wet and a dry scenario
_WET, _DRY = "\u0432\u043b\u0430\u0436\u043d\u044b\u0439", "\u0441\u0443\u0445\u043e\u0439"


@pytest.mark.parametrize("demand_header", [
    unicodedata.normalize("NFD", f"{_DRY},{_WET}"),  # (й as и and U+0306 COMBINING BREVE)
    f" {_DRY}, {_WET}",  # (a space after each comma of the header)
    unicodedata.normalize("NFD", f" {_DRY} , {_WET}"),
], ids=["nfd", "spaces", "both"])
def test_scenario_columns_of_the_same_names_written_nfd_or_padded_are_matched_by_name(tmp_path, demand_header):
    """A Tashkent ministry analyst's review: an inflow file's columns 'влажный,сухой' and a demand file's
    'сухой,влажный' written NFD, or after a space, shared no name, and were paired by position: the wet inflow with
    the dry demand, without a word.  They are the same names, matched by name: the wet inflow (100) with the wet
    demand (50)."""
    ds = daryo.run(daryo.load(_two_series_model(tmp_path, f"{_WET},{_DRY}", demand_header))).dataset
    assert [str(s) for s in ds.scenario.values] == [_WET, _DRY]
    assert ds.delivery.sel(demand="D").values.tolist() == [[50.0, 50.0], [5.0, 5.0]]
    assert ds.sink_inflow.sel(sink="s").values.tolist() == [[50.0, 50.0], [5.0, 5.0]]


@pytest.mark.parametrize("demand_header, pairs", [
    (f"{_DRY.capitalize()},{_WET.capitalize()}",
     [(_DRY.capitalize(), _DRY, "'\u0421' (U+0421 CYRILLIC CAPITAL LETTER ES)",
       "'\u0441' (U+0441 CYRILLIC SMALL LETTER ES)"),
      (_WET.capitalize(), _WET, "'\u0412' (U+0412 CYRILLIC CAPITAL LETTER VE)",
       "'\u0432' (U+0432 CYRILLIC SMALL LETTER VE)")]),
    (f"c{_DRY[1:]},{_WET}x",  # (a Latin c typed into one name; the other is another name)
     [(f"c{_DRY[1:]}", _DRY, "'c' (U+0063 LATIN SMALL LETTER C)", "'\u0441' (U+0441 CYRILLIC SMALL LETTER ES)")]),
], ids=["case", "look-alike"])
def test_scenario_columns_differing_only_in_case_or_look_alike_letters_are_refused(tmp_path, demand_header, pairs):
    """The same review: names that differ in case ('Сухой') or in a Latin letter of a Cyrillic one's look ('cухой')
    were paired by position as names that share none.  They are refused, both files and names and the letters that
    differ named with their code points."""
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(_two_series_model(tmp_path, f"{_WET},{_DRY}", demand_header))
    [problem] = err.value.problems
    given = demand_header.split(",")
    named = ", ".join(f"'{a}' and '{b}' ('{a}' holds {ca} where '{b}' holds {cb})" for a, b, ca, cb in pairs)
    assert problem.place == "nodes[D].demand (line 6)"
    assert problem.message == (
        f"its scenario columns ({', '.join(given)}), of {tmp_path / 'dem.csv'}, and a.inflow's ({_WET}, {_DRY}), of "
        f"{tmp_path / 'hyd.csv'}, hold names that differ only in case or in letters that look alike: {named}. Series "
        "with several columns are matched by name, and these are other names, so the columns would be paired by "
        f"position ({given[0]} with {_WET}, {given[1]} with {_DRY}): write each name the same way in both files")


def test_the_semicolon_hint_reads_a_compressed_file_and_stays_out_of_reads_with_options(tmp_path):
    """Semicolons between values and decimal commas in them: the hint reads the header as pandas does, through
    gzip too (it read the compressed bytes, and said nothing); a file read with options (a Pywr table's ``sep``
    or ``skiprows``) gets no advice to save it comma-separated, which would be wrong."""
    text = "date;wet;dry\n2001-01-01;100;90\n2001-02-01;100,5;90,5\n"
    (tmp_path / "f.csv.gz").write_bytes(gzip.compress(text.encode()))
    with pytest.raises(CsvReadError, match="line 3: 3 fields .*; its header 'date;wet;dry' is separated by "
                                           "semicolons: daryo reads values separated by commas"):
        read_csv_file(tmp_path / "f.csv.gz")
    (tmp_path / "g.csv").write_text("date;a;b\n2001-01-01;1;2\n2001-02-01;1;2;3\n")
    with pytest.raises(CsvReadError) as err:
        read_csv_file(tmp_path / "g.csv", sep=";")
    assert str(err.value) == ("line 3: 4 fields where the lines before it have 3 (a value holding the separator "
                              "needs quotes) (read with sep=';')")


def test_dates_written_year_first_are_refused_with_dayfirst():
    """pandas (and so Pywr) reads 2015-02-01 with dayfirst as 2 January: a monthly column of first days became
    twelve days of January without a word (a QA pass on Pywr's own test models found one such file)."""
    got, problems = _read("date,a\n2015-01-01,1\n2015-02-01,2\n2015-03-01,3\n", dayfirst=True)
    assert got is None and problems == [("/d/f.csv line 3", (
        "'2015-02-01' in column 'date' is written year first, and with dayfirst: true it is 2 January 2015 "
        "(pandas, and so Pywr, take the order of a column's dates from its first, day first where it can be): "
        "remove dayfirst, which is for dates written DD/MM/YYYY"))]
    got, problems = _read("date,a\n2015-01-01,1\n2015-01-31,2\n", dayfirst=True)  # (read year, day, month)
    assert got is None and problems[0][0] == "/d/f.csv line 3" and "dayfirst: true it is not a date" in problems[0][1]
    got, problems = _read("date,a\n01/02/2015,1\n01/03/2015,2\n", dayfirst=True)
    assert not problems and list(got.dates) == [pd.Timestamp("2015-02-01"), pd.Timestamp("2015-03-01")]


def test_dates_written_year_first_that_pandas_reads_right_with_dayfirst_are_read():
    """A column whose first date has a day above 12 (month ends) is read year, month, day by pandas (and Pywr)
    also with dayfirst, every row as written: it is read so, not refused (a review found it refused)."""
    text = "date,a\n" + "".join(f"{d:%Y-%m-%d},{i}\n" for i, d in enumerate(pd.date_range("2015-01", periods=12,
                                                                                          freq="ME")))
    got, problems = _read(text, dayfirst=True)
    assert not problems and list(got.dates) == list(pd.date_range("2015-01", periods=12, freq="ME"))


def test_a_column_of_day_first_and_year_first_dates_says_so():
    """Without a dayfirst, a day above 12 makes the column day first; a year-first date among them is then named
    with the day-first one, not blamed on a dayfirst the model does not give."""
    got, problems = _read("date,a\n13/12/2000,1\n2001-01-01,2\n2001-02-01,3\n")
    assert got is None and problems == [("/d/f.csv line 3", (
        "'2001-01-01' in column 'date' is written year first, and '13/12/2000' (line 2) day first: write all "
        "dates one way, YYYY-MM-DD"))]


@pytest.mark.parametrize("name, content, options, reason", [
    ("f.csv", b"date,q\n2001-01-01,1\n2001-02-01,88\x005\n", {}, "line 3, column 'q': the cell holds"),
    ("f.csv", b"date,q\n2001-01-01\x00,1\n", {}, "line 2, column 'date': the cell holds"),
    ("f.csv", b'date,q\n2001-01-01,"8\x008"\n', {}, "line 2: the line holds"),  # (quoted: no column counted)
    ("f.csv", b"da\x00te,q\n2001-01-01,1\n", {}, "line 1: the line holds"),
    ("f.csv", b"date,q\n2001-01-01,1\n2001-02-01,88\x005\n", {"index_col": "date"}, "line 3: the line holds"),
    ("f.csv.gz", gzip.compress(b"date,q\n2001-01-01,1\n2001-02-01,88\x005\n"), {}, "line 3, column 'q': the cell "
     "holds"),
], ids=["value", "date", "quoted", "header", "with-options", "gzip"])
def test_a_nul_byte_refuses_the_file_naming_its_line(tmp_path, name, content, options, reason):
    """pandas ends a cell at a NUL byte: '88<NUL>5' was read as 88, and the model ran on it without a word (a
    fuzz of the command line).  A file of dated values or a Pywr table holds none: it is binary or damaged; the
    reason names no options, which are not why."""
    (tmp_path / name).write_bytes(content)
    with pytest.raises(CsvReadError) as err:
        read_csv_file(tmp_path / name, **options)
    assert str(err.value) == f"{reason} a NUL byte (0x00), which no CSV text has: the file is binary or damaged data"


@pytest.mark.parametrize("name, content, options, reason", [
    ("f.csv", b"date,q\n2001-01-01,1\n<<<<<<< HEAD\n2001-02-01,2\n=======\n2001-02-01,20\n>>>>>>> alice\n", {},
     "line 3: an unresolved merge conflict (git's <<<<<<< / ======= / >>>>>>> markers, at lines 3, 5 and 7)"),
    ("f.csv", b"date,q\r\n2001-01-01,1\r\n=======\r\n2001-02-01,20,5\r\n", {},  # (a row of a side with another
     "line 3: an unresolved merge conflict (git's <<<<<<< / ======= / >>>>>>> markers)"),  # column: pandas' error)
    ("f.csv.gz", gzip.compress(b"date,q\n" + b"2001-01-01,1\n" * 200_000 + b">>>>>>> main\n"), {"index_col": 0},
     "line 200002: an unresolved merge conflict (git's <<<<<<< / ======= / >>>>>>> markers)"),  # (past a MB)
    ("f.csv", b"date,q\n2001-01-01," + b"1" * (3 << 20) + b"\n=======\n", {},  # (after a line of 3 MB)
     "line 3: an unresolved merge conflict (git's <<<<<<< / ======= / >>>>>>> markers)"),
], ids=["rows", "separator-alone", "gzip-options", "long-line"])
def test_git_s_merge_conflict_markers_refuse_the_file_naming_their_lines(tmp_path, name, content, options, reason):
    """A team's review: a CSV series merged with a conflict left in it was told "'<<<<<<< HEAD' in column 'date' is
    not a date"; had the markers been deleted but not a side's row, both sides' rows would have been read."""
    (tmp_path / name).write_bytes(content)
    with pytest.raises(CsvReadError) as err:
        read_csv_file(tmp_path / name, **options)
    assert str(err.value) == f"{reason}: keep one side and delete the markers"


@pytest.mark.parametrize("content, options, line", [
    (b'date,q\n2001-01-01,1\n2001-02-01,"2\n2001-03-01,3\n', {}, 3),
    (b'date,q\n\n\n2001-01-01,1\n2001-02-01,"2\n', {}, 5),  # (pandas: "row 4", the blank lines counted from 0)
    (b'date,q\n2001-01-01,"a\nb"\n2001-02-01,"2\n2001-03-01,3\n', {}, 4),  # (pandas: "row 2", not the lines
    (b'date,q\n2001-01-01,2""\n2001-02-01,"x""y"\n2001-03-01,"3\n', {}, 4),  # inside a quoted value)
    (b'date,q\r\n2001-01-01,a"b\r\n2001-02-01,"2\r\n', {}, 3),  # (a quote inside a value is a character)
    (b'# "a comment\ndate;q\n2001-01-01;"2\n', {"sep": ";", "comment": "#"}, 3),
    (gzip.compress(b'date,q\n2001-01-01,1\n2001-02-01,"2\n'), {"compression": "gzip"}, 3),
], ids=["repro", "blank-lines", "quoted-newline", "doubled-quotes", "crlf-and-inner-quote", "options", "gzip"])
def test_an_unclosed_quote_is_named_at_the_line_it_opens(tmp_path, content, options, line):
    """pandas said 'Error tokenizing data. C error: EOF inside string starting at row 2', a row counted from 0
    (and not counting the lines inside quoted values), for a quote opened on line 3."""
    p = tmp_path / "f.csv"
    p.write_bytes(content)
    with pytest.raises(CsvReadError) as err:
        read_csv_file(p, **options)
    read_with = f" (read with {', '.join(f'{k}={v!r}' for k, v in options.items())})" if options else ""
    assert str(err.value) == (f'line {line}: the quote (") that opens a value on this line is never closed: the '
                              f"rest of the file would be read as that one value; close the quote, or remove it"
                              f"{read_with}")


@pytest.mark.parametrize("text, fields, last", [
    ("date,q\n2001-01-01,1,7\n2001-02-01,2\n", 3, ""),
    ("date,q\n2001-01-01,1,7,8\n", 4, ""),
    ("date,q\n2001-01-01,1,\n2001-02-01,2,\n", 3, " (its last field is empty: a separator ends the line)"),
], ids=["one-more", "two-more", "trailing-separator"])
def test_a_first_row_longer_than_the_header_is_said_so(text, fields, last):
    """pandas takes the leading fields of such a row as the index and reads the others under the header's
    names: the file was refused as "line 2: '1' in column 'date' is a number, not a date"."""
    assert _read(text)[1] == [("/d/f.csv line 2", f"{fields} fields where the header (line 1) has 2{last}; give each "
                               "line one value per column of the header (a value holding the separator needs quotes)")]


@pytest.mark.parametrize("text, line", [
    ("date,q\n2001-01-01,1\n,2\n", 3), ("date,q\n2001-01-01,1\nNA,2\n", 3),
    ("date,q\n,1\n,2\n", 2),  # (pandas reads the column as numbers: it was "'nan' … is a number, not a date")
    ("date,q\n,1\n2001,2\n", 2),
], ids=["empty", "NA", "all-empty", "empty-then-number"])
def test_an_empty_date_cell_is_called_empty(text, line):
    """It was "'nan' in column 'date' is not a date"."""
    assert _read(text)[1] == [(f"/d/f.csv line {line}, column 'date'", "the date cell is empty (or NA); give a date, "
                               "YYYY-MM-DD")]


@pytest.mark.parametrize("text", ["wet,Date,dry\n29.044,2001-01-01,3\n", "wet,DATE,dry\nlow,2001-01-01,3\n"])
def test_a_date_column_named_date_in_capitals_and_not_first_is_named_in_the_message(text):
    """A team's review: with the header 'wet,Date,normal,dry' the dates were read from 'wet', and the message
    ("'29.044' in column 'wet' is a number, not a date") did not say why."""
    ((_, message),) = _read(text)[1]
    assert message.startswith("'29.044' in column 'wet' is a number, not a date" if "29" in text else
                              "'low' in column 'wet' is not a date")
    assert message.endswith("(the dates are read from the column named 'date', else from the first column, 'wet'; "
                            f"this file's '{text.split(',')[1]}' is not 'date': name it date, in small letters, or "
                            "put it first)")
    assert "is not 'date'" not in _read(text, date_col="wet")[1][0][1]  # (a date column named: no such hint)


def test_empty_rows_a_spreadsheet_leaves_at_the_end_are_no_rows():
    """A team's review: Excel saves a row it once held as ',,' (every cell empty), which was refused as "the date
    cell is empty".  Such rows at the end are no rows; one in the middle is still refused, on its line."""
    got, problems = _read("date,a,b\n2001-01-01,1,2\n2001-02-01,3,4\n,,\n,,\n")
    assert not problems and got is not None
    np.testing.assert_array_equal(got.values, [[1, 2], [3, 4]])
    assert _read("date,a,b\n2001-01-01,1,2\n,,\n2001-03-01,3,4\n")[1] == [
        ("/d/f.csv line 3, column 'date'", "the date cell is empty (or NA); give a date, YYYY-MM-DD")]
    assert _read("date,a,b\n2001-01-01,1,2\n,,5\n")[1] == [  # (a value without its date: not empty)
        ("/d/f.csv line 3, column 'date'", "the date cell is empty (or NA); give a date, YYYY-MM-DD")]
    assert _read("date,a\n,\n,\n")[1] == [  # (a template of empty rows alone: it was an internal error, a review)
        ("/d/f.csv line 2, column 'date'", "the date cell is empty (or NA); give a date, YYYY-MM-DD")]


@pytest.mark.parametrize("date", ["9999-01-01", "1600-01-01", "1677-09-21", "2262-04-12", "1 February 9999"])
def test_a_row_dated_outside_the_years_pandas_holds_is_left_out(date):
    """pandas holds a column's dates from 1677-09-21 00:12 to 2262-04-11 23:47, and read a later or earlier one as
    no date: it was "'9999-01-01' … is not a date", then refused, though docs/model-format.md says rows outside the
    run are ignored (a paleo-hydrologist's review: a tree-ring reconstruction from 1560 had to be cut to 1677).  No
    run reaches such a row: it is left out, and a sentence on it, which a run missing a date ends its problem with,
    names the first (a mistyped year, a stand-in for no date, is seen where the run needs its row).  The dates at
    the ends of the range are read.  A file of no row within the range is refused."""
    got, problems = _read(f"date,q\n2001-01-01,1\n{date},2\n2001-02-01,3\n")
    assert not problems and list(got.dates) == [pd.Timestamp("2001-01-01"), pd.Timestamp("2001-02-01")]
    np.testing.assert_array_equal(got.values, [[1.0], [3.0]])
    np.testing.assert_array_equal(got.rows, [0, 2])
    assert got.left_out == ("The file's row dated outside the dates pandas, and so daryo, can hold (1677-09-22 to "
                            f"2262-04-11) was left out: it is '{date}', line 3")
    got, problems = _read("date,q\n1677-09-22,1\n2262-04-11,2\n")
    assert not problems and list(got.dates) == [pd.Timestamp("1677-09-22"), pd.Timestamp("2262-04-11")]
    assert got.left_out == ""
    assert _read(f"date,q\n{date},1\n")[1] == [("/d/f.csv line 2", (
        f"'{date}' in column 'date' is a date outside the dates pandas, and so daryo, can hold (1677-09-22 to "
        "2262-04-11), as is every date of the file, so that no run can read it: correct the years"))]
    assert _read("date,q\n2001-01-01,1\n2001-04-31,2\n")[1] == [("/d/f.csv line 3",
                                                                 "'2001-04-31' in column 'date' is not a date")]


def test_rows_left_out_are_counted_and_the_rows_after_them_keep_their_lines():
    """A reconstruction from 1559 (3 rows before 1677) with a bad cell and a repeated date after them: the lines named
    are the file's."""
    text = "date,q\n1559-10-01,1\n1559-11-01,2\n1559-12-01,3\n2001-01-01,4\n2001-02-01,x\n"
    assert _read(text)[1] == [("/d/f.csv line 6, column 'q'", "'x' is not a finite number (1 such cell in the file)")]
    text = "date,q\n1559-10-01,1\n1559-11-01,2\n1559-12-01,3\n2001-01-01,4\n2001-01-01,5\n"
    assert _read(text)[1] == [("/d/f.csv line 6", "date 2001-01-01 appears more than once (first on line 5)")]
    got, _ = _read("date,q\n1559-10-01,1\n1559-11-01,2\n1559-12-01,3\n2001-01-01,4\n2001-02-01,5\n")
    assert got.left_out.startswith("The file's 3 rows dated outside the dates pandas, and so daryo, can hold "
                                   "(1677-09-22 to 2262-04-11) were left out: the first is '1559-10-01', line 2")


def test_a_date_beyond_nanoseconds_is_left_out_when_pandas_reads_it_in_microseconds():
    """A release engineer's review: under pandas 3, which reads a column's dates in seconds or microseconds, a
    date 9999-01-01 was read (the check relied on pandas 2 reading it as no date).  A column read so is checked
    against the dates daryo holds (its row left out), and a column within them is read in nanoseconds, as under
    pandas 2."""
    dates = np.array(["2001-01-01", "9999-01-01"], dtype="datetime64[us]")
    problems: list[tuple[str, str]] = []
    add = lambda p, m: problems.append((p, m))  # noqa: E731
    got = read_csv_series(pd.DataFrame({"date": dates, "q": [1.0, 2.0]}), "/d/f.csv", "f.csv", "here", add)
    assert not problems and list(got.dates) == [pd.Timestamp("2001-01-01")]
    assert "left out: it is '9999-01-01 00:00:00', line 3" in got.left_out
    got = read_csv_series(pd.DataFrame({"date": dates[:1], "q": [1.0]}), "/d/f.csv", "f.csv", "here", add)
    assert got is not None and got.dates.dtype == np.dtype("datetime64[ns]")


@pytest.mark.parametrize("text, line", [
    ("date,q\n2001-01-01,1\n\n2001-02-01,x\n", 4),  # (a blank line, which pandas skips)
    ('date,q\n2001-01-01,"1\n"\n2001-02-01,x\n', 4),  # (a line break inside a quoted value)
    ("date,q\n\n\n2001-01-01,x\n", 4),
], ids=["blank-line", "quoted-line-break", "blank-lines-first"])
def test_a_problem_is_named_at_its_file_line_past_blank_lines_and_quoted_breaks(tmp_path, text, line):
    """Every message took row r for file line r + 2, one or more lines short after a blank line or a value
    broken over lines (a review of the CLI fuzz's fixes)."""
    path = tmp_path / "f.csv"
    path.write_text(text)
    problems = []
    read_csv_series(read_csv_file(path), str(path), "f.csv", "here", lambda p, m: problems.append((p, m)))
    assert problems[0][0] == f"{path} line {line}, column 'q'"


def test_a_csv_file_in_windows_1251_is_told_so_with_how_to_convert_it(tmp_path):
    """A Chu-Talas modeller's review: a hydromet file with a Russian header saved in Windows-1251, the usual encoding
    of Cyrillic files of Central Asia's offices, was told "not UTF-8 text (byte 0xe4); save the file as UTF-8", with
    no word of what it is nor how to convert it (daryo has no encoding option: it reads UTF-8).  Its line, read as
    Windows-1251, shows it is; the file converted as told is read."""
    import subprocess

    text = "дата,сухой,норма\n1995-10-01,17.85,20.48\n1995-11-01,13.45,14.26\n"
    p = tmp_path / "talas.csv"
    p.write_bytes(text.encode("cp1251"))
    with pytest.raises(CsvReadError) as err:
        read_csv_file(p)
    assert str(err.value) == (
        "line 1: not UTF-8 text (byte 0xe4); it reads as Windows-1251 (Cyrillic: 'дата,сухой,норма'), as files of "
        "Central Asia's offices often are: save it as UTF-8 (iconv -f WINDOWS-1251 -t UTF-8 talas.csv > "
        "talas_utf8.csv; or in Excel: Save as, 'CSV UTF-8'; in Notepad: Save as, Encoding: UTF-8)")
    try:
        with open(tmp_path / "talas_utf8.csv", "wb") as out:
            subprocess.run(["iconv", "-f", "WINDOWS-1251", "-t", "UTF-8", "talas.csv"], cwd=tmp_path, stdout=out,
                           check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("no iconv here")
    assert list(read_csv_file(tmp_path / "talas_utf8.csv").columns) == ["дата", "сухой", "норма"]


def test_a_utf16_file_is_told_not_utf8_and_a_nul_in_the_header_is_named_on_line_1(tmp_path):
    """A review: the NUL check, run before pandas, read UTF-16's NUL bytes as damage ("line 2, column '��date': the
    cell holds a NUL byte"); and a NUL in the header was named on the first data line holding one."""
    utf16 = tmp_path / "u16.csv"
    utf16.write_text("date,q\n2000-10-01,1\n", encoding="utf-16")
    with pytest.raises(CsvReadError, match=r"^line 1: not UTF-8 text \(byte 0xff\); it is UTF-16 text \(Notepad's "
                                           r"'Unicode'\): save it as UTF-8 \(Notepad: Save as, Encoding: UTF-8\)$"):
        read_csv_file(utf16)
    header = tmp_path / "h.csv"
    header.write_bytes(b"da\0te,q\n2000-10-01,1\n2000-11-01,2\0\n")
    with pytest.raises(CsvReadError, match=r"^line 1: the line holds a NUL byte"):
        read_csv_file(header)


def test_a_tar_file_that_is_no_archive_is_a_read_error(tmp_path):
    """A review: tarfile's ReadError was not among the errors of reading, and went up as a traceback."""
    path = tmp_path / "f.csv.tar"
    path.write_bytes(b"garbage")
    with pytest.raises(CsvReadError, match="^not a tar archive, though its name says it is one$"):
        read_csv_file(path)


def test_a_models_csv_series_dated_with_dots_is_read_day_first(tmp_path):
    """The model's own CSV series take dotted dates day first (a Pywr ``dataframe`` parameter does not)."""
    (tmp_path / "q.csv").write_text("date,q\n01.10.2000,5\n01.11.2000,7\n")
    text = ("version: 1\nname: t\ntime: {start: 2000-10, end: 2000-11}\nnodes:\n"
            "  - {id: src, type: inflow, inflow: {csv: q.csv, column: q}}\n  - {id: sea, type: sink}\n"
            "edges: [[src, sea]]\n")
    (tmp_path / "m.yaml").write_text(text)
    ds = daryo.run(daryo.load(tmp_path / "m.yaml")).dataset
    np.testing.assert_allclose(ds.sink_inflow.values.ravel(), [5.0, 7.0])
    (tmp_path / "m.yaml").write_text(text.replace("inflow: {csv: q.csv, column: q}", "inflow: {parameter: q}")
                                     + "parameters:\n  q: {type: dataframe, csv: q.csv, column: q}\n")
    with pytest.raises(daryo.ModelError, match="could be day/month/year or month/day/year"):
        daryo.load(tmp_path / "m.yaml")
    # (a user review: a dataframe refused column:, the CSV series' key for one column, and Pywr's)
    (tmp_path / "q.csv").write_text("date,q,r\n2000-10-01,5,1\n2000-11-01,7,1\n2000-12-01,9,1\n")
    ds = daryo.run(daryo.load(tmp_path / "m.yaml")).dataset
    np.testing.assert_allclose(ds.sink_inflow.values.ravel(), [5.0, 7.0])
    # (column: takes a list as columns: does, as a CSV series' column: does; several need a scenario dimension)
    (tmp_path / "m.yaml").write_text((tmp_path / "m.yaml").read_text().replace("column: q}", "column: [q, r]}"))
    with pytest.raises(daryo.ModelError, match="has 2 value columns; name the scenario dimension they belong to"):
        daryo.load(tmp_path / "m.yaml")
    text = (tmp_path / "m.yaml").read_text()
    (tmp_path / "m.yaml").write_text(text.replace("column: [q, r]}", "column: q, columns: r}"))
    with pytest.raises(daryo.ModelError, match=r"parameters\[q\]: gives both column: 'q' and columns: \['r'\]; give "
                       "one: column: NAME for one column, or columns: \\[NAME, …\\] for several"):
        daryo.load(tmp_path / "m.yaml")


@pytest.mark.parametrize(("date", "calendar"), [("2031-02-30", "360-day"), ("2031-02-29", "360-day or all-leap")])
def test_a_date_of_a_360_day_calendar_is_said_to_be_one(date, calendar):
    """A climate-services review: a 360-day calendar's 2031-02-30 (CMIP6 output) was "not a date", with no word
    of calendars."""
    assert _read(f"date,a\n2031-02-28,1\n{date},2\n")[1] == [
        ("/d/f.csv line 3", f"'{date}' in column 'date' is not a date: it is a date of a {calendar} calendar, as "
         "climate model (CF) files have, and daryo's dates are the Gregorian calendar's; convert the series to it "
         "first (xarray's Dataset.convert_calendar('standard', align_on='year')), or give monthly values dated each "
         "month's 1st")]
    assert _read("date,a\n2032-02-29,1\n")[1] == []  # (a leap year's)


def _projections_model(tmp_path, dates, columns: str = "[ssp585, ssp245]"):
    """A model whose inflow reads the named columns of a CSV of two projections, 10 and 20 m³/s."""
    pd.DataFrame({"date": dates, "ssp245": 10.0, "ssp585": 20.0}).to_csv(tmp_path / "proj.csv", index=False)
    (tmp_path / "m.yaml").write_text(
        "version: 1\nname: t\ntime: {start: 2030-10, end: 2030-12}\n"
        f"nodes:\n  - {{id: in, type: inflow, inflow: {{csv: proj.csv, columns: {columns}, unit: m3/s}}}}\n"
        "  - {id: sea, type: sink}\nedges:\n  - [in, sea]\n")
    return tmp_path / "m.yaml"


def test_mid_month_stamps_are_named_as_climate_model_files_stamp_months(tmp_path):
    """A climate-services review: CF's mid-month stamps (2030-10-16) were told "date each row at the start of its
    step" with no word of what they are or how to re-date them."""
    mid = ["2030-10-16 12:00:00", "2030-11-16 00:00:00", "2030-12-16 12:00:00"]  # (as xarray writes them)
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(_projections_model(tmp_path, mid))
    (problem,) = err.value.problems
    assert problem.message.endswith(
        "date each row at the start of its step: these look like the mid-month time stamps of climate model (CF) "
        "files, each row its month's mean; date each row at its month's 1st (YYYY-MM-01; in pandas, "
        "dates.dt.to_period('M').dt.to_timestamp())")


def test_a_list_of_columns_is_the_run_s_scenarios_in_its_order(tmp_path):
    """`columns: [NAME, ...]` worked but was not documented (a climate-services review): 20 and 10 m³/s over
    October's 31 days are 53.568 and 26.784 hm³."""
    ds = daryo.run(daryo.load(_projections_model(tmp_path, ["2030-10-01", "2030-11-01", "2030-12-01"]))).dataset
    assert [str(s) for s in ds.scenario.values] == ["ssp585", "ssp245"]
    np.testing.assert_allclose(ds.sink_inflow.sel(sink="sea").values[:, 0], [53.568, 26.784], rtol=1e-12)


@pytest.mark.parametrize("rows, dayfirst, want", [
    (["2001-01-01T00:00+05:00", "2001-02-01T00:00+06:00"], None, "has a time zone"),  # (pandas: mixed zones)
    (["13/01/2001", "14/01/2001"], False, ["2001-01-13", "2001-01-14"]),  # (pandas: day first though not told)
    (["01/13/2001", "01/14/2001"], True, ["2001-01-13", "2001-01-14"]),  # (month first though told day first)
])
def test_dates_are_read_without_warnings_or_changes_of_the_warning_filters(quiet_library, rows, dayfirst, want):
    """A library user's review: the dates of each CSV file were read under ``warnings.catch_warnings``, which
    changes the warning filters that a process's threads share (four threads loading a model left every warning
    of the process silenced).  The dates that made pandas warn are read as before, with no warning, the filters
    untouched."""
    kw = {} if dayfirst is None else {"dayfirst": dayfirst}
    got, problems = _read("date,a\n" + "".join(f"{r},1\n" for r in rows), **kw)
    assert quiet_library == []
    if isinstance(want, str):
        assert got is None and want in problems[0][1]
    else:
        assert not problems and list(got.dates) == [pd.Timestamp(d) for d in want]


@pytest.mark.parametrize("dates", [["2001-01-01", "2001-02-01"], ["13/01/2001", "01/02/2001"],
                                   ["01/13/2001", "01/14/2001"], ["01.02.2001", "13.02.2001"], ["Jan 1 2001", "x"],
                                   ["2001-01-01", "02/01/2001"], [None, "03/04/2001", "NaT"],
                                   ["1 Jan 2001", "5 May 01"],
                                   ["2001-01-01T06:00+05:00", "2001-02-01T06:00+05:00"]])
@pytest.mark.parametrize("dayfirst", [False, True])
def test_dates_are_those_pandas_reads(dates, dayfirst):
    """:func:`~daryo.model.csvseries.parse_dates` reads what pandas' own guess of the format read (the same
    dates, the same ones refused), without pandas' warnings."""
    import warnings

    values = pd.Series(dates, dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = pd.to_datetime(values, errors="coerce", dayfirst=dayfirst)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = csvseries.parse_dates(values, dayfirst, "coerce")
    if getattr(want.dtype, "tz", None) is not None:  # (read in UTC: refused all the same)
        want = want.dt.tz_convert("UTC")
    pd.testing.assert_series_equal(got, want)


@pytest.mark.parametrize(("cell", "number"), [("۱۵۰٫۵", 150.5), ("١٥٠٫٥", 150.5), ("150٫5", 150.5),
                                              ("1٬150.5", 1150.5), ("۱٬۱۵۰٫۵", 1150.5), ("-۲", -2.0)])
def test_a_cell_in_persian_or_arabic_indic_digits_reads_as_its_ascii_twin(cell, number):
    """An Afghan water-ministry planner's review: cells written in Persian or Arabic-Indic digits, with the Arabic
    decimal (٫) and thousands (٬) separators, as Excel exports them in Kabul, were refused as "'۱۵۰٫۵' is not a
    finite number", while the same digits were read in the date column."""
    got, problems = _read(f"date,a\n۲۰۰۱-۰۱-۰۱,{cell}\n2001-02-01,7\n")
    assert not problems and got is not None
    assert got.values[:, 0].tolist() == [number, 7.0]


def test_a_cell_that_mixes_scripts_is_refused_saying_so_and_an_ascii_comma_still_is():
    """An Afghan water-ministry planner's review: the rule that reads Persian and Arabic-Indic digits refuses a cell
    that mixes two scripts' digits, or groups them wrongly, saying so; an ASCII decimal comma is refused as
    before."""
    assert _read("date,a\n2001-01-01,۱5۰\n")[1] == [
        ("/d/f.csv line 2, column 'a'", "'۱5۰' mixes ASCII and Persian digits in one number: write each number in "
         "the digits of one script (1 such cell in the file)")]
    assert _read("date,a\n2001-01-01,1٬50\n")[1] == [
        ("/d/f.csv line 2, column 'a'", "'1٬50' has an Arabic thousands separator (٬) that does not separate groups "
         "of three digits: write the number without it, and decimals with ٫ or a point (1 such cell in the file)")]
    assert _read('date,a\n2001-01-01,"۷۵,۲"\n')[1] == [
        ("/d/f.csv line 2, column 'a'", "'۷۵,۲' is not a finite number (1 such cell in the file): write decimals "
         "with a point (a comma separates the values)")]
    assert _read('date,a\n2001-01-01,"75,2"\n')[1] == [
        ("/d/f.csv line 2, column 'a'", "'75,2' is not a finite number (1 such cell in the file): write decimals "
         "with a point (a comma separates the values)")]


@pytest.mark.parametrize("date", ["1400-01", "1400-01-01", "۱۴۰۰/۰۱/۰۱"])
def test_a_date_of_a_solar_hijri_year_says_to_convert_it(date):
    """An Afghan water-ministry planner's review: a date of the year 1400 was refused as outside the range daryo
    holds, "correct its year", with no word that it is almost surely a Solar Hijri one (Afghan and Iranian data)."""
    assert _read(f"date,a\n{date},1\n")[1] == [
        ("/d/f.csv line 2", f"'{date}' in column 'date' is a date outside the dates pandas, and so daryo, can hold "
         "(1677-09-22 to 2262-04-11), as is every date of the file, so that no run can read it: correct the years; "
         "a year 1400 is most likely "
         "one of the Solar Hijri calendar (as Afghan and Iranian data are dated): daryo's dates are Gregorian, so "
         "convert Solar Hijri dates to Gregorian ones first (1 Hamal, or Farvardin, 1400 is about 21 March 2021)")]


@pytest.mark.parametrize(("name", "unit"), [("Q [m3/s]", "m3/s"), ("naryn (m3/s)", "m3/s"), ("Q(km³/yr)", "km³/yr"),
                                            ("P [MW]", "MW"), ("share (%)", "%"), ("naryn_m3s", None),
                                            ("flow (Naryn)", None), ("Q (-)", None), ("Q [m3/s] 2", None)])
def test_the_unit_a_column_s_name_states_in_brackets_at_its_end(name, unit):
    """The unit a name states is one daryo's unit parser reads, in brackets or parentheses at its end; a name
    without them, or brackets of no unit (a river's name, ``-``), state none."""
    assert csvseries.unit_in_name(name) == unit


def test_a_comment_line_is_said_to_be_one_and_not_read():
    """A units auditor's review: a file whose first line was ``# units: m3/s`` was told it "needs a date column and
    at least one value column"; a comment line later in the file was "not a date" alone."""
    assert _read("# units: m3/s\ndate,naryn\n2001-01-01,400\n")[1] == [
        ("/d/f.csv line 1", "'# units: m3/s' is a comment line, and comment lines are not read: the first line must "
         "be the header (date, then a name for each value column); remove the comment (a series' unit is given in "
         "the model, unit: …, or in its column's name: naryn [m3/s])")]
    assert _read("# from the ministry, 2004\ndate,naryn\n2001-01-01,400\n")[1][0][1].startswith(
        "'# from the ministry, 2004' is a comment line")
    assert _read("date,naryn\n2001-01-01,400\n# a gap\n2001-03-01,400\n")[1] == [
        ("/d/f.csv line 3", "'# a gap' in column 'date' is not a date: comment lines are not read; remove it")]
