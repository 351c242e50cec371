"""The CSV files of a run: ``summary.csv`` (the printed tables), ``elements.csv``'s river systems, ``steps.csv``."""

import pandas as pd
import pytest

import daryo
from daryo.cli.summary import format_summary
from daryo.testmodels import two_rivers_two_countries

# Two rivers, a year of months, 10 hm³ a month each::
#
#     a (10) ──> farm (KAZ, 12)        b (10) ──> town (KAZ, 5)
#       └──────> sea_a                   ├──────> field (UZB, 3)
#                                        └──────> sea_b
#
# farm gets 10 of its 12 (short 2 a month); town and field are met; sea_a gets nothing, sea_b 2 a month.  River
# A's withdrawal is its renewable 120 hm³ (stress 100 %, high: critical is above), B's 96 of 120 (80 %); no flow
# requirement.


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    model = two_rivers_two_countries()
    results = daryo.run(model)
    folder = tmp_path_factory.mktemp("csv")
    results.to_csv(folder, model=model)
    return model, results, folder


def _value(summary, table, element, quantity, season):
    rows = summary[(summary["table"] == table) & (summary["element"] == element) & (summary["quantity"] == quantity)
                   & (summary["season"] == season)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_summary_csv_holds_the_printed_tables_by_country_sink_and_river_system(written):
    """A data and communications officer's review: the tables daryo run prints (country × season, sinks, water
    stress by river system) had no CSV file; charts were typed from the terminal."""
    model, results, folder = written
    summary = pd.read_csv(folder / "summary.csv", keep_default_na=False, na_values=[""])
    assert list(summary.columns) == ["table", "element", "country", "quantity", "season", "value", "units", "level"]
    expected = {("KAZ", "demanded"): 102.0, ("KAZ", "delivered"): 90.0, ("KAZ", "deficit"): 12.0,
                ("UZB", "demanded"): 18.0, ("UZB", "delivered"): 18.0, ("UZB", "deficit"): 0.0}
    for (country, quantity), value in expected.items():
        for season in ("winter", "summer"):
            row = _value(summary, "country", country, quantity, season)
            assert row["value"] == pytest.approx(value, abs=1e-6)
            assert row["units"] == "hm3 per year"
    assert _value(summary, "sink", "sea_a", "inflow", "year")["value"] == pytest.approx(0.0, abs=1e-6)
    assert _value(summary, "sink", "sea_b", "inflow", "year")["value"] == pytest.approx(24.0, abs=1e-6)
    for system, withdrawal, stress, level in (("A", 120.0, 100.0, "high"), ("B", 96.0, 80.0, "high")):
        assert _value(summary, "water_stress", system, "withdrawal", "year")["value"] == pytest.approx(withdrawal)
        assert _value(summary, "water_stress", system, "renewable", "year")["value"] == pytest.approx(120.0)
        row = _value(summary, "water_stress", system, "stress", "year")
        assert (row["value"], row["units"], row["level"]) == (pytest.approx(stress), "%", level)
    printed = format_summary(model, results)  # (the same figures as printed, one decimal)
    assert "KAZ           102.0      102.0       90.0       90.0       12.0       12.0" in printed
    assert "sea_b                                24.0" in printed


def test_elements_csv_names_each_elements_river_system(written):
    """A data and communications officer's review: which demands and inflows are on which river (Syr, Amu) was only
    in the NetCDF attribute ``basins``, so the water stress by river could not be rebuilt from the CSV files."""
    _, _, folder = written
    elements = pd.read_csv(folder / "elements.csv", keep_default_na=False)
    system = {(d, e): s for d, e, s in zip(elements["dimension"], elements["element"], elements["system"],
                                             strict=True)}
    assert system[("demand", "farm")] == "A" and system[("node", "a")] == "A" and system[("sink", "sea_a")] == "A"
    assert system[("demand", "town")] == system[("demand", "field")] == system[("node", "b")] == "B"
    assert system[("edge", "b->field")] == "B"


def test_whole_numbers_of_the_tables_are_written_as_integers(written):
    """A data and communications officer's review: a step's ``days`` read 31.0 in steps.csv; they are whole."""
    _, _, folder = written
    steps = (folder / "steps.csv").read_text().splitlines()
    assert steps[1].startswith("2001-10-01,31,")
    elements = pd.read_csv(folder / "elements.csv", dtype=str, keep_default_na=False)
    priorities = elements.loc[elements["dimension"] == "demand", "priority"]
    assert len(priorities) == 3 and all(p.isdigit() for p in priorities)
    assert pd.read_csv(folder / "steps.csv")["days"].dtype.kind == "i"


def test_a_compare_table_saved_as_summary_csv_is_not_taken_for_the_runs(tmp_path):
    """A diff review: a daryo compare table (header table,element,quantity,...) saved as summary.csv in a run's CSV
    folder was taken for the run's own summary.csv, whose header starts alike, and replaced without a word; only
    the run's whole header is its own.  The run's own file is replaced as before."""
    model = two_rivers_two_countries()
    results = daryo.run(model)
    theirs = tmp_path / "summary.csv"
    theirs.write_text("table,element,quantity,season,units,difference_units,a,b,difference\n")
    with pytest.raises(FileExistsError, match="summary.csv exists and is not a CSV file of a daryo run's results"):
        results.to_csv(tmp_path, model=model)
    assert theirs.read_text().startswith("table,element,quantity,")
    theirs.unlink()
    results.to_csv(tmp_path, model=model)
    results.to_csv(tmp_path, model=model)  # (its own: replaced)
    assert (tmp_path / "summary.csv").read_text().startswith("table,element,country,quantity,season,value,units,")
