"""The CSV files of a run: ``summary.csv`` (the printed tables, daryo.results.tables), ``elements.csv``'s river
systems, ``steps.csv``."""

import numpy as np
import pandas as pd
import pytest

import daryo
from daryo.cli.summary import format_summary
from daryo.model import model_from_dict
from daryo.results.tables import plant_table, stress_table
from daryo.testmodels import plant_with_bypass, two_rivers_two_countries

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


def _summary_csv(model, tmp_path):
    """The ``summary.csv`` of a run of ``model`` written with its CSV files, and the run's results."""
    results = daryo.run(model)
    results.to_csv(tmp_path, model=model)
    return pd.read_csv(tmp_path / "summary.csv", keep_default_na=False, na_values=[""]), results


def test_a_plants_energy_is_given_in_its_own_season(tmp_path):
    """A mutation-testing audit (second round): no test checked which season a plant's energy is given in, so
    plant_table and summary.csv's hydropower rows could give a plant's winter energy as its summer's unseen.  Its
    river brings 10 hm³ a month in October–March and 500 in April–September."""
    # (a monthly profile starts in January: Jan–Mar 10, Apr–Sep 500, Oct–Dec 10)
    model = plant_with_bypass({"monthly": [10, 10, 10, 500, 500, 500, 500, 500, 500, 10, 10, 10]}, 12)
    # winter, October–March: flow-limited, 0.002725 GWh per hm³ and m × 100 m × 0.9 = 0.24525 GWh per hm³, 10 hm³ a
    # month (10 MW could make 6.72 GWh or more a month, February's): 6 × 10 × 0.24525 = 14.715 GWh
    # summer, April–September: 500 hm³ a month would make 122.6 GWh; the capacity caps it at 10 MW × the month's
    # hours (720, 744, 720, 744, 744, 720): 7.2 + 7.44 + 7.2 + 7.44 + 7.44 + 7.2 = 43.92 GWh
    summary, results = _summary_csv(model, tmp_path)
    table = plant_table(results.dataset)
    assert table.loc["hpp", ["winter", "summer"]].tolist() == pytest.approx([14.715, 43.92], rel=1e-9)
    for season, energy in (("winter", 14.715), ("summer", 43.92)):
        row = _value(summary, "hydropower", "hpp", "energy", season)
        assert (row["value"], row["units"]) == (pytest.approx(energy, rel=1e-9), "GWh per year")


def test_a_short_runs_plant_energy_and_shortfall_are_its_totals(tmp_path):
    """A mutation-testing audit (second round): a run shorter than a year gives its totals, but no test checked a
    plant's, so its winter energy scaled by the run's share of a year (not of the winters), or its shortfall of its
    energy target left a yearly figure, went unseen.  October to December 2001, a river of 500 hm³ a month, a target
    of 9 GWh a month."""
    model = plant_with_bypass(500, 3, energy_target=9)
    # the capacity binds: 10 MW × 744, 720 and 744 h = 7.44 + 7.2 + 7.44 = 22.08 GWh, all of it in winter; short of
    # 9 GWh a month by 1.56 + 1.8 + 1.56 = 4.92 GWh (the run's totals, not a year's); no summer (the run does not
    # reach one: no figure, as the country table has none)
    summary, results = _summary_csv(model, tmp_path)
    table = plant_table(results.dataset)
    assert table.loc["hpp", ["winter", "short_of_target"]].tolist() == pytest.approx([22.08, 4.92], abs=1e-9)
    assert np.isnan(table.loc["hpp", "summer"])
    for quantity, season, value in (("energy", "winter", 22.08), ("short_of_target", "year", 4.92)):
        row = _value(summary, "hydropower", "hpp", quantity, season)
        assert (row["value"], row["units"]) == (pytest.approx(value, abs=1e-9), "GWh in the run")
    assert not ((summary["table"] == "hydropower") & (summary["season"] == "summer")).any()


def test_a_river_system_that_withdraws_nothing_has_its_row(tmp_path):
    """A mutation-testing audit (second round): no test had a river system that takes no water, so the stress table
    and summary.csv could leave it out (only a system that neither takes nor holds water is) unseen, and their
    systems no longer add up to their ``all`` row.  A year from October 2001, 10 hm³ a month on each river::

        A: [a: 10] --> [farm: KAZ, 6]        B: [b: 10] --> [sea_b]
             \\------> [sea_a]
    """
    model = model_from_dict({
        "version": 1, "name": "two", "time": {"start": "2001-10", "end": "2002-09"},
        "metadata": {"basins": {"A": ["a"], "B": ["b"]}},
        "nodes": [{"id": "a", "type": "inflow", "inflow": 10},
                  {"id": "farm", "type": "demand", "demand": 6, "country": "KAZ"},
                  {"id": "sea_a", "type": "sink"},
                  {"id": "b", "type": "inflow", "inflow": 10},
                  {"id": "sea_b", "type": "sink"}],
        "edges": [["a", "farm"], ["a", "sea_a"], ["b", "sea_b"]]})
    # A: 12 × 6 = 72 of 12 × 10 = 120 hm³ withdrawn, 60 % (medium); B: none of its 120, 0 % (no stress); both: 72 of
    # 240, 30 % (low)
    summary, results = _summary_csv(model, tmp_path)
    table = stress_table(results.dataset, model)
    assert table.index.tolist() == ["A", "B", "all"]
    want = {"A": (72.0, 120.0, 60.0, "medium"), "B": (0.0, 120.0, 0.0, "no stress"), "all": (72.0, 240.0, 30.0, "low")}
    for system, (withdrawal, renewable, stress, level) in want.items():
        got = table.loc[system]
        assert got[["withdrawal", "renewable", "environmental", "stress"]].tolist() == pytest.approx(
            [withdrawal, renewable, 0.0, stress], abs=1e-9), system
        assert got["level"] == level
        for quantity, value in (("withdrawal", withdrawal), ("renewable", renewable), ("stress", stress)):
            row = _value(summary, "water_stress", system, quantity, "year")
            assert (row["value"], row["level"]) == (pytest.approx(value, abs=1e-9), level), (system, quantity)
    systems = table.loc[["A", "B"], ["withdrawal", "renewable", "environmental"]].sum()
    assert systems.tolist() == pytest.approx(table.loc["all", ["withdrawal", "renewable", "environmental"]].tolist())
