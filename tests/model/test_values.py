"""Attribute values of a model file read into the model's units (hm³, km², m): here, level tables."""

import numpy as np
import pytest

import daryo
from daryo.model import model_from_dict


@pytest.mark.parametrize(("table", "units"), [
    ({"volume": [0, 2000], "level": [100, 200], "area": [0, 10000]}, {"area": "ha"}),
    ({"volume": [0, 2], "level": [100, 200], "area": [0, 10000]}, {"volume": "km3", "area": "ha"}),
    ({"volume": [0, 2], "level": [100, 200], "area": [0, 100]}, {"volume": "km3"}),
])
def test_a_level_tables_columns_are_read_in_their_units(table, units):
    """::

        [in: 10] --> (dam: 1,000 of 2,000 hm³, evaporation 100 mm) --> [sea]

    A mutation-testing review: no test would have seen a level table's ``units`` ignored.  The table's volumes
    0 and 2,000 hm³ (or 0 and 2 km3) and areas 0 and 10,000 ha (or 0 and 100 km²) are read as 0 and 2,000 hm³
    and 0 and 100 km²; half full, the dam's area is 50 km², so 100 mm evaporates 50 km² × 0.1 m = 5 hm³ in
    January (areas read as km² would give 500 hm³)."""
    model = model_from_dict({
        "version": 1, "name": "table_units", "time": {"start": "2001-01", "end": "2001-01"},
        "nodes": [{"id": "in", "type": "inflow", "inflow": 10},
                  {"id": "dam", "type": "reservoir", "max_volume": 2000, "initial_volume": 1000,
                   "level_table": {**table, "units": units}, "evaporation": 100},
                  {"id": "sea", "type": "sink"}],
        "edges": [["in", "dam"], ["dam", "sea"]]})
    read = model.node("dam").get("level_table")
    np.testing.assert_array_equal(read.volume, [0.0, 2000.0])
    np.testing.assert_array_equal(read.level, [100.0, 200.0])
    np.testing.assert_allclose(read.area, [0.0, 100.0], rtol=1e-12)
    ds = daryo.run(model).dataset.isel(scenario=0, time=0)
    assert float(ds.evaporation.sel(reservoir="dam")) == pytest.approx(5.0, rel=1e-12)
    assert float(abs(ds.mass_balance_error)) < 1e-9


#: a model whose inflow, demand and edge take the values of a parameter ``{…}``
_AFGHAN = """\
version: 1
name: kabul
time: {{start: 2001-01, end: 2001-12, step: month}}
nodes:
  - {{id: src, type: inflow, inflow: {inflow}}}
  - {{id: d, type: demand, demand: {demand}, priority: {priority}}}
  - {{id: sea, type: sink}}
edges:
  - {{from: src, to: d, loss: {loss}}}
  - [src, sea]
"""


@pytest.mark.parametrize(("key", "eastern", "ascii"), [
    ("inflow", "'۶۵۰ m3/s'", "650 m3/s"),
    ("inflow", "۶۵۰", "650"),
    ("inflow", "'۱۲٫۵ m3/s'", "12.5 m3/s"),
    ("inflow", "'12٫5 m3/s'", "12.5 m3/s"),
    ("inflow", "'١٢٫٥ m3/s'", "12.5 m3/s"),  # (Arabic-Indic digits)
    ("inflow", "'1٬150.5'", "1150.5"),
    ("inflow", "'۱٬۱۵۰٫۵ hm3'", "1150.5 hm3"),
    ("demand", "{monthly: [۰, ۲۰, ۶۰, ۸۰, ۱۰۰, ۱۲۰, ۱۲۰, ۱۰۰, ۶۰, ۲۰, ۰, ۰٫۵], unit: hm3}",
     "{monthly: [0, 20, 60, 80, 100, 120, 120, 100, 60, 20, 0, 0.5], unit: hm3}"),
    ("demand", "{value: ۱۰, scale: '۰٫۵'}", "{value: 10, scale: 0.5}"),
    ("demand", f"{{monthly: [[{', '.join(['۱'] * 12)}], [{', '.join(['٣٫٤'] * 12)}]], scenarios: [a, b]}}",
     f"{{monthly: [[{', '.join(['1'] * 12)}], [{', '.join(['3.4'] * 12)}]], scenarios: [a, b]}}"),
    ("priority", "۴", "4"),
    ("loss", "'۲۵ %'", "25 %"),
    ("loss", "'۲۵٫۵ %'", "25.5 %"),
    ("loss", "'۲۵٪'", "25%"),  # (the Arabic percent sign)
])
def test_numbers_in_persian_or_arabic_indic_digits_read_as_their_ascii_twins(key, eastern, ascii):
    """An Afghan water-ministry planner's review: numbers written in Persian or Arabic-Indic digits, with the Arabic
    decimal (٫) and thousands (٬) separators, as Excel writes them in Kabul, were read in some places and refused
    in others ('۱۲٫۵ m3/s' as "unknown unit '٫۵ m3/s'", ``monthly: [۰, ۲۰, …]`` as no list of numbers, ``scale:
    '۰٫۵'`` as no number).  Each is read as exactly the number of its ASCII spelling."""
    values = {"inflow": "100", "demand": "5", "priority": "1", "loss": "0"}

    def read(text: str) -> tuple:
        model = daryo.load_text(_AFGHAN.format(**{**values, key: text}))
        got = model.node("src").get("inflow"), model.node("d").get("demand"), model.edges[0].get("loss")
        return (*((s.kind, s.values.tolist(), s.is_rate, s.scenarios) for s in got), model.node("d").get("priority"))

    assert read(eastern) == read(ascii)


@pytest.mark.parametrize("minus", ["\u2212", "\ufe63", "\uff0d"])
def test_a_minus_sign_of_a_word_processor_is_a_minus(minus):
    """A number pasted from a report or a PDF has the minus sign (U+2212), not the hyphen-minus: it is read as the
    negative number it is (here refused as a negative demand, not as text that is no number)."""
    text = _AFGHAN.format(inflow="100", demand=f"'{minus}5 hm3'", priority="1", loss="0")
    with pytest.raises(daryo.ModelError, match=r"nodes\[d\]\.demand \(line 6\): is negative \(-5 hm³/step"):
        daryo.load_text(text)


@pytest.mark.parametrize(("key", "written", "message"), [
    ("inflow", "'۱5 m3/s'", "nodes[src].inflow (line 5): '۱5 m3/s' mixes ASCII and Persian digits in one number "
     "('۱5'): write each number in the digits of one script"),
    ("inflow", "'۱۵'", None),  # (the twin of each below, which is read)
    ("inflow", "'١۵'", "nodes[src].inflow (line 5): '١۵' mixes Persian and Arabic-Indic digits in one number: write "
     "each number in the digits of one script"),
    ("inflow", "'1٬50'", "nodes[src].inflow (line 5): '1٬50' has an Arabic thousands separator (٬) that does not "
     "separate groups of three digits: write the number without it, and decimals with ٫ or a point"),
    ("inflow", "'۱,۵'", "nodes[src].inflow (line 5): '۱,۵' has a decimal comma: write decimals with a point ('1.5')"),
    ("inflow", "'19,5 km3'", "nodes[src].inflow (line 5): '19,5 km3' has a decimal comma: write decimals with a point "
     "('19.5 km3')"),  # (an ASCII comma stays refused)
    ("demand", "{monthly: [۰, ۲0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}", "nodes[d].demand (line 6): '۲0' mixes ASCII and "
     "Persian digits in one number: write each number in the digits of one script"),
    ("demand", "{monthly: [0, '20', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}", "nodes[d].demand (line 6): must be a list of "
     "numbers, or a list of equally long lists of numbers (one per scenario trace); item [1] is the text '20', not a "
     "number (text: write the number without quotes)"),
    ("demand", "{value: 10, scale: '۰٫5'}", "nodes[d].demand (line 6): scale: '۰٫5' mixes ASCII and Persian digits in "
     "one number: write each number in the digits of one script"),
])
def test_a_number_mixing_scripts_or_with_an_ascii_comma_is_refused(key, written, message):
    """An Afghan water-ministry planner's review: the rule that reads Persian and Arabic-Indic digits refuses a
    number that mixes two scripts' digits, or groups them wrongly, saying so; an ASCII comma stays refused (a
    decimal or a thousands separator: which one is a guess), and a list that is not of numbers names its item."""
    values = {"inflow": "100", "demand": "5", "priority": "1", "loss": "0"}
    text = _AFGHAN.format(**{**values, key: written})
    if message is None:
        daryo.load_text(text)
        return
    with pytest.raises(daryo.ModelError) as info:
        daryo.load_text(text)
    assert [str(p) for p in info.value.problems] == [f"upload.yaml: {message}"]


# one model, in YAML and in JSON, with a value of the wrong kind in each place its message names the kind of
_WRONG_KINDS_YAML = """\
version: 1
time: {start: 2001-01, end: 2001-03, step: month}
nodes:
  - {id: src, type: inflow, inflow: true}
  - {id: 3, type: sink}
  - {id: town, type: demand, demand: 5, priority: true, return_to: 4}
edges: [[src, town], [src, 7]]
"""
_WRONG_KINDS_JSON = """\
{"version": 1,
 "name": "wrong kinds",
 "time": {"start": "2001-01", "end": "2001-03", "step": "month"},
 "nodes": [{"id": "src", "type": "inflow", "inflow": true},
           {"id": 3, "type": "sink"},
           {"id": "town", "type": "demand", "demand": 5, "priority": true, "return_to": 4}],
 "edges": [["src", "town"], ["src", 7]]}
"""


def _wrong_kinds_told(path_or_text, name: str = "") -> list[str]:
    """The problems of the model of :data:`_WRONG_KINDS_YAML` or ``_JSON`` (a file, or a text named ``name``)."""
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(path_or_text) if not name else daryo.load_text(path_or_text, name=name)
    return [str(p).split(": ", 1)[1] for p in err.value.problems]


def _wrong_kinds(read: str, true: str) -> list[str]:
    """The problems of the model of :data:`_WRONG_KINDS_YAML` or ``_JSON``, worded ``read`` the number 3 and a
    boolean written ``true``."""
    return [
        f"nodes[src].inflow (line 4): '{true}' is not a value: give a number, '120 m3/s', 12 monthly values or "
        "{csv: …}",
        f"nodes[1] (line 5): 'id' must be a node id (text), but {read} the number 3; put the id in quotes",
        f"nodes[town].priority (line 6): '{true}' must be a whole number from 1 to 1,000,000,000",
        f"nodes[town].return_to (line 6): must be the id of a node (text), but {read} the number 4; put the id in "
        "quotes",
        f"edges[1] (line 7): 'to' must be a node id (text), but {read} the number 7; put the id in quotes"]


def test_a_value_of_the_wrong_kind_is_worded_by_the_files_format(tmp_path):
    """A review by an engineer who writes JSON models from a database: `"id": 3` in a JSON file was "YAML read it as
    the number 3", and JSON's `true` was Python's 'True'; a YAML file keeps YAML's words (YAML reads 3 and yes as
    other than text, as its writer may not have meant)."""
    (tmp_path / "m.json").write_text(_WRONG_KINDS_JSON)
    (tmp_path / "m.yaml").write_text(_WRONG_KINDS_YAML)
    assert _wrong_kinds_told(tmp_path / "m.json") == _wrong_kinds("the file gives", "true")
    assert _wrong_kinds_told(_WRONG_KINDS_JSON, "upload") == _wrong_kinds("the file gives", "true")  # (read as
    # JSON by its '{')
    assert _wrong_kinds_told(tmp_path / "m.yaml") == _wrong_kinds("YAML read it as", "True")


PALEO = """version: 1
name: paleo
time: {start: 1678-10, end: 1679-09, step: month}
nodes:
  - {id: river, type: inflow, inflow: {csv: recon.csv, column: q, unit: hm3}}
  - {id: sea, type: sink}
edges: [[river, sea]]
"""


def test_a_csv_series_from_before_1677_runs_the_months_it_has(tmp_path):
    """A paleo-hydrologist's review: a tree-ring reconstruction from October 1559 was refused ("'1559-10-01' … is a
    date outside the range daryo can hold"), though docs/model-format.md says rows before or after the run are
    ignored.  Rows outside the dates daryo holds are left out: a run of 1678–1679 takes its months; one that needs a
    month the file then lacks is refused, naming the rows left out, and, for a file dated in Solar Hijri years
    (1400), saying so."""
    months = np.arange("1559-10", "1679-10", dtype="datetime64[M]")  # (pandas' dates do not reach 1559)
    (tmp_path / "recon.csv").write_text("date,q\n" + "".join(f"{d}-01,{k}\n" for k, d in enumerate(months)))
    (tmp_path / "m.yaml").write_text(PALEO)
    model = daryo.load(tmp_path / "m.yaml")
    ds = daryo.run(model).dataset
    first = int(np.datetime64("1678-10") - np.datetime64("1559-10"))  # (the row of October 1678)
    np.testing.assert_allclose(ds.node_flow.sel(node="river").isel(scenario=0), np.arange(first, first + 12))
    late = tmp_path / "late.yaml"
    late.write_text(PALEO.replace("end: 1679-09", "end: 1679-10"))
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(late)
    n_out = int(np.datetime64("1677-10") - np.datetime64("1559-10"))  # (1677-10-01 is the first date held)
    assert str(err.value).endswith(
        "has no value for 1679-10-01 (1 of the run's 13 step dates are missing); it covers 1677-10-01 to 1679-09-01. "
        f"Extend the CSV or shorten the run. The file's {n_out} rows dated outside the dates pandas, and so daryo, can "
        "hold (1677-09-22 to 2262-04-11) were left out: the first is '1559-10-01', line 2.")
    (tmp_path / "recon.csv").write_text("date,q\n1400-07-01,1\n1400-08-01,2\n1679-10-01,3\n")
    with pytest.raises(daryo.ModelError, match=r"has no value for 1678-10-01 .* The file's 2 rows dated outside the "
                       r"dates .* were left out: the first is '1400-07-01', line 2; a year 1400 is most likely one "
                       r"of the Solar Hijri calendar"):
        daryo.load(late)


_HEADER_UNIT = """\
version: 1
time: {{start: 2001-01, end: 2001-02, step: {step}}}
nodes:
  - {{id: river, type: inflow, inflow: {{csv: q.csv, {series}}}}}
  - {{id: sea, type: sink}}
edges: [[river, sea]]
"""


def _header_unit_load(tmp_path, header: str, series: str, step: str = "month", rows: tuple[str, str] = ("1", "1")
                      ) -> daryo.Model:
    """A river whose inflow is read from a CSV file of two rows (``rows``: each row's values) under ``header``
    (``series``: the series' keys after its csv), dated at the first two steps."""
    days = ["2001-01-01", "2001-02-01"] if step == "month" else ["2001-01-01", "2001-01-11"]
    (tmp_path / "q.csv").write_text(f"date,{header}\n" + "".join(f"{d},{v}\n" for d, v in zip(days, rows, strict=True)))
    (tmp_path / "m.yaml").write_text(_HEADER_UNIT.format(step=step, series=series))
    return daryo.load(tmp_path / "m.yaml")


@pytest.mark.parametrize(("header", "series", "read_in", "fix"), [
    ("Q [m3/s]", 'column: "Q [m3/s]"', "hm³/step (no unit given: the default)", "hm³/step"),
    ("naryn (m3/s)", "columns: '*'", "hm³/step (no unit given: the default)", "hm³/step"),
    ("Q [m3/s]", 'column: "Q [m3/s]", unit: hm3', "hm3", "hm3"),
    ("Q [m3/s]", 'column: "Q [m3/s]", unit: hm3/day, scale: 0.5', "hm3/day times scale 0.5", "hm3/day"),
    ("Нарын (м3/с)", 'column: "Нарын (м3/с)"', "hm³/step (no unit given: the default)", "hm³/step"),  # (Cyrillic,
    # as the region's hydromet files write it: a diff reread found it not read)
])
def test_a_csv_column_whose_name_states_another_unit_than_the_series_is_refused(tmp_path, header, series, read_in,
                                                                               fix):
    """A units auditor's review: a CSV column ``Q [m3/s]`` (or ``naryn (m3/s)``) of a series given no unit was read
    in hm³ per step, 400 m³/s as 400 hm³ a month, and validate said "valid", while a value with two units
    (``{value: "14 km3", unit: hm3}``) is refused.  A column whose name states a unit daryo reads is refused where
    the series reads it in another, naming the file, the column, both units and what to write."""
    with pytest.raises(daryo.ModelError) as err:
        _header_unit_load(tmp_path, header, series)
    (problem,) = err.value.problems
    assert str(problem) == (
        f"{tmp_path / 'm.yaml'}: nodes[river].inflow (line 4): CSV 'q.csv': column '{header}' states its unit, m3/s, "
        f"but the series reads its values in {read_in}; give unit: m3/s with the csv, or, if the values are in "
        f"{fix}, take the unit out of the column's name")


@pytest.mark.parametrize(("header", "series"), [
    ("Q [m3/s]", 'column: "Q [m3/s]", unit: m3/s'),
    ("Q (m³/s)", 'column: "Q (m³/s)", unit: cumecs'),  # (the same unit, written otherwise)
    ("Q [m3/s]", 'column: "Q [m3/s]", unit: hm3/day, scale: 0.0864'),  # (converted by hand: m3/s)
    ("Q [m3/s]", 'column: "Q [m3/s]", unit: m3/s, scale: 1'),
    ("naryn_m3s", "column: naryn_m3s, unit: m3/s"),  # (no brackets: the name states nothing)
    ("flow (Naryn)", "column: flow (Naryn), unit: m3/s"),  # (brackets of no unit)
    ("Нарын (м3/с)", 'column: "Нарын (м3/с)", unit: m3/s'),  # (m3/s in Cyrillic letters)
])
def test_a_csv_column_whose_name_states_the_series_unit_or_none_is_read_in_it(tmp_path, header, series):
    """1 m³/s over January (31 days) is 2.6784 hm³, over February 2001 (28 days) 2.4192 hm³."""
    ds = daryo.run(_header_unit_load(tmp_path, header, series)).dataset
    np.testing.assert_allclose(ds.sink_inflow.sel(sink="sea").values.ravel(), [2.6784, 2.4192], rtol=1e-9)


def test_a_csv_column_stating_hm3_is_read_as_the_default_and_a_month_s_amount_on_months_only(tmp_path):
    """``hm3`` and ``hm3/month`` are the default hm³ per step on monthly steps; on dekads an amount per month is not
    one per step, and a unit of another quantity (``MW``) or columns of two units are refused."""
    for header in ("Q [hm3]", "Q (Mm3/month)", "Q [hm³/step]"):
        ds = daryo.run(_header_unit_load(tmp_path, header, f'column: "{header}"', rows=("5", "7"))).dataset
        np.testing.assert_allclose(ds.sink_inflow.sel(sink="sea").values.ravel(), [5, 7])
    # (the unit that a series of dekads cannot be read in is not the fix given: a diff reread)
    with pytest.raises(daryo.ModelError, match=r"column 'Q \[hm3/month\]' states its unit, hm3/month, an amount "
                                               r"per calendar month, which a CSV series of a model of other steps "
                                               r"than months cannot be read in; convert its values to a rate"):
        _header_unit_load(tmp_path, "Q [hm3/month]", 'column: "Q [hm3/month]"', step="dekad")
    with pytest.raises(daryo.ModelError, match=r"column 'P \[MW\]' states its unit, MW, a unit of power, not of a "
                                               r"flow: is it the column meant\?$"):
        _header_unit_load(tmp_path, "P [MW]", 'column: "P [MW]"')
    with pytest.raises(daryo.ModelError, match=r"columns 'a \[m3/s\]', 'b \[hm3/day\]' state different units"):
        _header_unit_load(tmp_path, "a [m3/s],b [hm3/day]", "columns: '*', unit: m3/s", rows=("1,1", "1,1"))
