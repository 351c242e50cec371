"""The summary ``daryo run`` prints (:mod:`daryo.cli.summary`)."""

import re

import pytest

import daryo
from daryo.cli import summary
from daryo.cli.summary import format_summary
from daryo.testmodels import QOSH_TEPA, farm_and_town, zwnj_demands_yaml


def test_the_run_summary_lists_the_demands_short_the_largest_share_first(monkeypatch):
    """A large-network modeller's review: the run's summary pooled a country's 336 off-takes and named none of those
    short.  daryo.testmodels.farm_and_town's farm is short by 150 of 360 a year (41.7 %), in the 6 summer months
    of the 12 it asks for water in; with a drier river (14 a month) the farm gets nothing and the town and the
    field, of one priority, 14 of their 15 a month (each short by 1/15): the farm first; at most DEMANDS_SHOWN are
    listed."""
    model = farm_and_town()
    printed = format_summary(model, daryo.run(model))
    block = printed[printed.index("demands short"):].splitlines()
    assert block[0] == ("demands short (1 of 3; hm³/yr; share: of its demand; steps short: of the steps it asked "
                        "for water in):")
    assert block[1].split() == ["demand", "demand", "delivered", "deficit", "share", "steps", "short"]
    assert block[2].split() == ["farm", "360.0", "210.0", "150.0", "41.7", "%", "50.0", "%"]
    assert not block[3].strip()
    assert "demands short" not in format_summary(farm_and_town([100.0] * 12), daryo.run(farm_and_town([100.0] * 12)))
    dry = farm_and_town([14.0] * 12)
    monkeypatch.setattr(summary, "DEMANDS_SHOWN", 1)
    block = format_summary(dry, daryo.run(dry))
    block = block[block.index("demands short"):].splitlines()
    assert block[0].startswith("demands short (3 of 3, the 1 with the largest share shown; hm³/yr;"), block[0]
    assert block[2].split()[:2] == ["farm", "360.0"] and block[2].split()[4:] == ["100.0", "%", "100.0", "%"]
    assert not block[3].strip()


def test_a_demand_id_with_a_zero_width_non_joiner_keeps_its_row_in_the_columns():
    """An Afghan water-ministry planner's review: a demand id with a zero-width non-joiner (قوش‌تپه, Persian spelling)
    had its row of "demands short" one column left of the others, padded by len().  Two demands of 10 a month on a
    river of 10 a month, of one priority, each get 5 (short 60 of 120 a year, 50 %); each row's numbers end in the
    header's column, as shown (the ZWNJ takes none)."""
    qosh = QOSH_TEPA
    model = daryo.load_text(zwnj_demands_yaml())
    printed = format_summary(model, daryo.run(model))
    block = printed[printed.index("demands short"):].splitlines()[1:4]
    assert [line.split()[-7:] if k else line.split() for k, line in enumerate(block)] == [
        ["demand", "demand", "delivered", "deficit", "share", "steps", "short"],
        ["120.0", "60.0", "60.0", "50.0", "%", "100.0", "%"], ["120.0", "60.0", "60.0", "50.0", "%", "100.0", "%"]]
    assert block[1].split()[0] == qosh and block[2].split()[0] == "farm"
    assert len(block[0]) == len(block[1]) - 1 == len(block[2]), block  # (the row with the ZWNJ: one character more)

def _two_projections(n: int = 2):
    """daryo.testmodels.farm_and_town with its river as ``n`` named scenarios: "ssp245" the usual river (the farm
    short 150 a year, 30 reaching the sea in winter), "ssp585" 14 a month (the farm gets nothing, short 360; the
    town and the field share 14 of their 15 a month: short 8 and 4 a year; 168 delivered); more: ssp245 again."""
    from daryo.testmodels import FARM_AND_TOWN_RIVER, build

    river = {"monthly": [FARM_AND_TOWN_RIVER, [14.0] * 12] + [FARM_AND_TOWN_RIVER] * (n - 2),
             "scenarios": ["ssp245", "ssp585"] + [f"copy{i}" for i in range(n - 2)]}
    return build([{"id": "river", "type": "inflow", "inflow": river}, {"id": "j", "type": "junction"},
                  {"id": "town", "type": "demand", "demand": 10, "category": "municipal", "priority": 1,
                   "country": "UZB"},
                  {"id": "field", "type": "demand", "demand": 5, "priority": 1, "country": "KAZ"},
                  {"id": "farm", "type": "demand", "demand": {"monthly": [10.0] * 3 + [50.0] * 6 + [10.0] * 3},
                   "priority": 2, "country": "UZB"},
                  {"id": "sea", "type": "sink"}],
                 [["river", "j"], ["j", "town"], ["j", "field"], ["j", "farm"], ["j", "sea"]], steps=12,
                 start="2001-10")


def test_the_run_summary_gives_the_main_figures_by_scenario():
    """A climate-services review: a run of two projections printed only values pooled over them (Uzbekistan's
    winter deficit 748 hm³, 262 and 1,586 by projection).  Here UZB is short 150 a year in ssp245 and 368 in
    ssp585 (259 pooled)."""
    model = _two_projections()
    printed = format_summary(model, daryo.run(model))
    block = printed[printed.index("by scenario"):].splitlines()
    assert block[0] == ("by scenario (the tables above pool the scenarios; hm³/yr; "
                        "daryo.indicators.scenario_summary(ds)):")
    assert block[1].split() == ["scenario", "deficit", "KAZ", "deficit", "UZB", "deficit", "delivered", "sink",
                                "inflow"]
    assert block[2].split() == ["ssp245", "0.0", "150.0", "150.0", "390.0", "30.0"]
    assert block[3].split() == ["ssp585", "4.0", "368.0", "372.0", "168.0", "0.0"]
    assert not block[4].strip()
    one = farm_and_town()
    assert "by scenario" not in format_summary(one, daryo.run(one))


def test_the_run_summary_gives_the_spread_of_many_scenarios_in_one_line(monkeypatch):
    """More scenarios than a screen holds: the least and the most of each figure, in one line."""
    monkeypatch.setattr(summary, "SCENARIOS_SHOWN", 2)
    model = _two_projections(3)
    printed = format_summary(model, daryo.run(model))
    assert ("\nspread over the 3 scenarios (least to most; hm³/yr; each scenario's: "
            "daryo.indicators.scenario_summary(ds)): deficit 150.0 to 372.0; delivered 168.0 to 390.0; sink inflow "
            "0.0 to 30.0\n") in printed
    assert "by scenario" not in printed


#: :func:`daryo.testmodels.farm_and_town` as a model file (the farm short 150 of its 360 a year, 25 a month in
#: summer), from October, with a pumped source apart from the river: the well, which gives the pond 3 of its 4 a
#: month and leaves the water stress not known (:data:`FARM_TOWN_RIVER`: without it)
FARM_TOWN_SEA = """\
version: 1
name: farm and town
time: {start: 2000-10, end: 2001-09, step: month}
nodes:
  - {id: river, type: inflow, inflow: {monthly: [30, 30, 30, 40, 40, 40, 40, 40, 40, 30, 30, 30]}}
  - {id: j, type: junction}
  - {id: town, type: demand, demand: 10, priority: 1, country: UZB, category: municipal}
  - {id: field, type: demand, demand: 5, priority: 1, country: KAZ, category: irrigation}
  - {id: farm, type: demand, demand: {monthly: [10, 10, 10, 50, 50, 50, 50, 50, 50, 10, 10, 10]}, priority: 2,
     country: UZB, category: irrigation}
  - {id: well, type: inflow, max_flow: 3, cost: 1}
  - {id: pond, type: demand, demand: 4, priority: 1, country: KAZ}
  - {id: sea, type: sink}
edges: [[river, j], [j, town], [j, field], [j, farm], [j, sea], [well, pond]]
"""

#: :data:`FARM_TOWN_SEA` without the well and the pond: the river alone, whose water stress is known
FARM_TOWN_RIVER = FARM_TOWN_SEA.replace("  - {id: well, type: inflow, max_flow: 3, cost: 1}\n", "").replace(
    "  - {id: pond, type: demand, demand: 4, priority: 1, country: KAZ}\n", "").replace(", [well, pond]", "")


def test_daryo_summary_of_a_runs_results_prints_and_writes_what_daryo_run_did(tmp_path, capsys, monkeypatch):
    """An input of the left-out list (a UN Centre data officer's): ``daryo summary`` read ensembles' stores only, so
    the tables of a run saved with ``-o`` could be had again only by running it again.  Now ``daryo summary
    RESULTS.nc`` prints them as ``daryo run`` did (its heading names the file), and ``--csv`` writes them as ``daryo
    run --csv`` wrote summary.csv, byte for byte.  The farm is short 25 a month in summer (150 of 360), the pond 1
    of its 4 each month (the well gives 3); ``--all`` lists both where one is shown.  The well, a pumped source
    apart from the river, leaves the water stress not known, which the file records: not shown either way."""
    from daryo.cli import main

    path = tmp_path / "m.yaml"
    path.write_text(FARM_TOWN_SEA)
    monkeypatch.setattr(summary, "DEMANDS_SHOWN", 1)
    assert main(["run", str(path), "-o", str(tmp_path / "run.nc"), "--csv", str(tmp_path / "run")]) == 0
    printed = capsys.readouterr().out.split("\n")
    assert main(["summary", str(tmp_path / "run.nc"), "--csv", str(tmp_path / "again.csv")]) == 0
    again = capsys.readouterr().out.split("\n")
    assert again[0] == f"{tmp_path / 'run.nc'}: results of {printed[0].removeprefix('daryo run: ')}"
    assert printed[0].startswith("daryo run: farm and town — 1 scenario(s), 12 steps, 2000-10 to 2001-09")
    assert again[1] == f"summary written to {tmp_path / 'again.csv'}"
    end = printed.index(f"results written to {tmp_path / 'run.nc'}")
    assert again[2:] == printed[1:end] + [""]
    assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "run" / "summary.csv").read_bytes()
    text = "\n".join(again)
    block = text[text.index("demands short"):].split("\n\n")[0].splitlines()
    assert block[0].startswith("demands short (2 of 4, the 1 with the largest share shown;")
    assert [line.split()[0] for line in block[2:]] == ["farm"]
    assert "water stress (SDG 6.4.2's ratio) not shown: inflow well supplies what the allocation takes" in text
    assert main(["summary", str(tmp_path / "run.nc"), "--all"]) == 0
    every = capsys.readouterr().out
    block = every[every.index("demands short"):].split("\n\n")[0].splitlines()
    assert block[0].startswith("demands short (2 of 4;")
    assert [line.split()[:5] for line in block[2:]] == [["farm", "360.0", "210.0", "150.0", "41.7"],
                                                        ["pond", "48.0", "36.0", "12.0", "25.0"]]


def test_daryo_summary_of_a_runs_results_refuses_an_ensembles_options_and_keeps_other_files(tmp_path, capsys):
    """``--year`` and ``--deficit-threshold`` are of an ensemble's store (a run's summary covers the run): usage
    errors; ``--csv`` onto the results file itself is refused, and onto a file that is not a run's summary.csv it
    is not replaced; a NetCDF file of neither kind is named as such."""
    import xarray as xr

    from daryo.cli import main

    path = tmp_path / "m.yaml"
    path.write_text(FARM_TOWN_SEA)
    run = tmp_path / "run.nc"
    assert main(["run", str(path), "-o", str(run)]) == 0
    notes = tmp_path / "notes.csv"
    notes.write_text("my,own\n1,2\n")
    before = run.read_bytes()
    for argv, code, said in (
            (["--year", "0"], 2, f"--year is for an ensemble's store; {run} is a run's results (daryo run -o)"),
            (["--deficit-threshold", "0.1"], 2, "--deficit-threshold is for an ensemble's store"),
            (["--csv", str(run)], 2, f"--csv {run} is the results file {run}, which daryo summary only reads"),
            (["--csv", str(notes)], 1, f"{notes} exists and is not a run's summary.csv; it is not replaced")):
        capsys.readouterr()
        assert main(["summary", str(run), *argv]) == code, argv
        assert said in capsys.readouterr().err, argv
    assert notes.read_text() == "my,own\n1,2\n" and run.read_bytes() == before
    xr.Dataset({"a": ("x", [1.0, 2.0])}).to_netcdf(tmp_path / "other.nc")
    assert main(["summary", str(tmp_path / "other.nc")]) == 1
    assert ("other.nc holds no ensemble summaries: it is not the output of an ensemble run nor a run's results "
            "(daryo run -o FILE.nc)") in capsys.readouterr().err


def test_daryo_summary_tells_the_water_stress_of_results_that_record_whether_it_is_known(tmp_path, capsys):
    """A reread of the change: results of a daryo that did not record whether their water stress is known (no
    ``water_stress_not_known``) showed one that ``daryo run`` had withheld (a pumped source, the well, supplies what
    the allocation takes).  Such results show none, and say why; results whose water stress is known (the river
    alone, without the well) show it as the run printed it."""
    import xarray as xr

    from daryo.cli import main

    path = tmp_path / "m.yaml"
    path.write_text(FARM_TOWN_SEA)
    run = tmp_path / "run.nc"
    assert main(["run", str(path), "-o", str(run)]) == 0
    capsys.readouterr()
    with xr.open_dataset(run) as ds:
        assert ds.attrs["water_stress_note"] == ""
        older = ds.load()
    for key in ("water_stress_not_known", "water_stress_note"):
        del older.attrs[key]
    older.to_netcdf(tmp_path / "older.nc")
    assert main(["summary", str(tmp_path / "older.nc")]) == 0
    assert ("water stress (SDG 6.4.2's ratio) not shown: the results were written by an earlier daryo, which did not "
            "record whether their renewable water is known; run the model again to see it") in capsys.readouterr().out
    river = tmp_path / "river.yaml"
    river.write_text(FARM_TOWN_RIVER)
    assert main(["run", str(river), "-o", str(tmp_path / "river.nc")]) == 0
    printed = capsys.readouterr().out
    assert main(["summary", str(tmp_path / "river.nc")]) == 0
    again = capsys.readouterr().out
    block = printed[printed.index("water stress by river system"):].split("\n\n")[0]
    assert block in again and "not shown" not in again


def test_daryo_summary_of_a_damaged_or_stripped_run_results_file_says_so(tmp_path, capsys):
    """A reread of the change: a run's results file cut short (a copy) was told to "run the ensemble again", one
    whose header reads but not its data ended in an internal error, and one without its mass_balance_error had a
    message that said its command twice and not what to do."""
    import xarray as xr

    from daryo.cli import main

    path = tmp_path / "m.yaml"
    path.write_text(FARM_TOWN_SEA)
    run = tmp_path / "run.nc"
    assert main(["run", str(path), "-o", str(run)]) == 0
    data = run.read_bytes()
    for size in (len(data) // 2, len(data) - 2000):
        (tmp_path / "cut.nc").write_bytes(data[:size])
        capsys.readouterr()
        assert main(["summary", str(tmp_path / "cut.nc")]) == 1
        err = capsys.readouterr().err
        assert (f"{tmp_path / 'cut.nc'} is damaged: it cannot be read as NetCDF (a copy or download cut short?); copy "
                "it again, or write it again (daryo run -o, or daryo ensemble -o)") in err, err
        assert "internal error" not in err
    with xr.open_dataset(run) as ds:
        ds.drop_vars("mass_balance_error").load().to_netcdf(tmp_path / "stripped.nc")
    assert main(["summary", str(tmp_path / "stripped.nc")]) == 1
    assert (f"{tmp_path / 'stripped.nc'} is not a run's results as daryo writes them (no scenario and time dimensions "
            "and mass_balance_error): give the results of daryo run -o FILE.nc") in capsys.readouterr().err


def test_a_run_of_more_of_one_season_than_the_other_gives_years_that_are_the_sums_of_its_seasons(tmp_path, capsys):
    """A spreadsheet analyst's review: a run of 18 months from October (2 winters, 1 summer) showed each country's
    winter and summer, each season's total over the seasons covered, beside yearly figures over the 1.5 years
    covered, biased by the mix of seasons: a country's irrigation per year could exceed its whole demand.  A year is
    now the sum of its seasons' means everywhere.  The farm (10 a month in October-March, 50 in April-September,
    short 25 a month in summer): winters 2 × 60, a summer 300, so 60 + 300 = 360 a year demanded, short 150 (not
    (120 + 300) / (1 + 182/365) = 280.3 and 150 / 1.4986 = 100.1); UZB's irrigation in its winter and summer
    columns, 60 + 300; the river's flow to the sea (30 − 25 = 5 a month in winter, none in summer) 30 a year (not
    60 / 1.4986 = 40.0)."""
    import pandas as pd

    from daryo.cli import main

    path = tmp_path / "m.yaml"
    path.write_text(FARM_TOWN_SEA.replace("end: 2001-09", "end: 2002-03"))
    assert main(["run", str(path), "--csv", str(tmp_path / "csv")]) == 0
    out = capsys.readouterr().out
    assert ("covers 1.5 hydrological years (2 winters, 1 summer): its totals are scaled to whole years and seasons (a "
            "part covered counts its share of one; a year is the sum of its seasons' means)") in out
    rows = pd.read_csv(tmp_path / "csv" / "summary.csv").set_index(["table", "element", "quantity", "season"])["value"]
    assert rows[("demand", "farm", "demanded", "year")] == pytest.approx(360.0)
    assert rows[("demand", "farm", "deficit", "year")] == pytest.approx(150.0)
    assert rows[("irrigation", "UZB", "demanded", "year")] == pytest.approx(360.0)
    assert rows[("country", "UZB", "demanded", "winter")] + rows[("country", "UZB", "demanded", "summer")] == (
        pytest.approx(120.0 + 360.0))  # (the town's 10 a month too)
    assert rows[("sink", "sea", "inflow", "year")] == pytest.approx(30.0)
    river = FARM_TOWN_RIVER.replace("end: 2001-09", "end: 2002-03")
    (stress,) = daryo.sdg.water_stress(daryo.run(daryo.load_text(river)).dataset).itertuples()
    # (withdrawn: 25 a month in winter, 40 in summer, 150 + 240 a year; the river's 180 + 240: 92.9 %, not 90 %)
    assert (stress.withdrawal, stress.renewable, stress.stress) == pytest.approx((390.0, 420.0, 100 * 390 / 420))


def test_a_plants_season_the_run_does_not_reach_has_no_figure():
    """A spreadsheet analyst's review: a run of April-September printed each plant's winter energy as 0.0 and wrote
    it so to summary.csv, where the country table has none ("–", no row) for a season the run does not reach."""
    from daryo.results import summary_table
    from daryo.results.tables import plant_table

    model = daryo.load(daryo.demo_model_path()).with_time(start="2001-04", end="2001-09")
    results = daryo.run(model)
    plants = plant_table(results.dataset)
    assert plants["winter"].isna().all() and (plants["summer"] > 0).all()
    printed = format_summary(model, results)
    block = printed[printed.index("hydropower by plant"):].split("\n\n")[0].splitlines()
    assert [line.split()[2:4] for line in block[2:]] == [["–", f"{s:.1f}"] for s in plants["summer"]]
    rows = summary_table(results.dataset, model)
    hydropower = rows[rows["table"] == "hydropower"]
    assert set(hydropower["season"]) <= {"summer", "year"} and len(hydropower[hydropower["season"] == "summer"]) == len(
        plants)


def test_the_water_stress_of_a_run_shorter_than_a_year_says_its_level_is_not_a_years():
    """A spreadsheet analyst's review: the Amu's water stress of April-September, 104 %, read "critical" by FAO's
    levels, which are set for a year's withdrawal and water, with no word; the run of a year has none."""
    model = daryo.load(daryo.demo_model_path())
    said = "(a run shorter than a year: the ratio of its months alone, which FAO's levels"
    assert said in format_summary(model.with_time(start="2001-04", end="2001-09"),
                                  daryo.run(model.with_time(start="2001-04", end="2001-09")))
    assert said not in format_summary(model, daryo.run(model, daryo.RunOptions(years=1)))


def test_the_run_summary_says_what_each_canal_takes_loses_and_passes_on_by_season():
    """An Afghan water-ministry planner's review: no table of daryo run said how much a canal takes, how much is lost
    on the way, and in which season.  daryo.testmodels.canal_with_losses's ditch (10 % loss) takes 240 a year, 60
    in winter and 180 in summer, loses 24 and passes on 216; a model without canals prints no canal table."""
    from daryo.testmodels import canal_with_losses

    model = canal_with_losses()
    printed = format_summary(model, daryo.run(model))
    block = printed[printed.index("\ncanals") + 1:].split("\n\n")[0].splitlines()
    assert block == [
        "canals (hm³/yr; taken: at the head; lost: on the way; passed on: to its outlets, taken − lost; winter and "
        "summer: taken in October–March and April–September):",
        "  canal  country       taken      lost  passed on    winter    summer",
        "  ditch  AFG           240.0      24.0      216.0      60.0     180.0"]
    assert printed.index("inflow to terminal sinks") < printed.index("\ncanals")  # (after the sinks)
    assert "\ncanals (" not in format_summary(farm_and_town(), daryo.run(farm_and_town()))


def test_a_canal_id_with_a_zero_width_non_joiner_keeps_its_row_in_the_columns():
    """The canal table pads names by their width on screen, as the other tables do (an Afghan planner's review of
    the demands'): a canal named قوش‌تپه (Persian spelling, with a zero-width non-joiner) has its numbers in the
    header's columns, as shown."""
    from daryo.cli.summary import shown_width
    from daryo.testmodels import canal_with_losses

    model = canal_with_losses(canal=QOSH_TEPA)
    printed = format_summary(model, daryo.run(model))
    header, row = printed[printed.index("\ncanals") + 1:].split("\n\n")[0].splitlines()[1:]
    assert row.split() == [QOSH_TEPA, "AFG", "240.0", "24.0", "216.0", "60.0", "180.0"]
    assert shown_width(header) == shown_width(row) == len(row) - 1  # (the ZWNJ: one character, no column)
    assert header.index("country") == row.index("AFG") - 1


def test_daryo_summary_of_a_runs_results_prints_its_canal_table(tmp_path, capsys):
    """``daryo summary RESULTS.nc`` prints the canal table of the results read back, as ``daryo run`` did, and
    ``--csv`` writes its rows: daryo.testmodels.canal_with_losses's ditch takes 240 a year (60 in winter, 180 in
    summer), loses 24 and passes on 216."""
    import pandas as pd

    from daryo.cli import main
    from daryo.testmodels import canal_with_losses

    model = canal_with_losses()
    results = daryo.run(model)
    results.to_netcdf(tmp_path / "run.nc")
    assert main(["summary", str(tmp_path / "run.nc"), "--csv", str(tmp_path / "s.csv")]) == 0
    out = capsys.readouterr().out
    block = out[out.index("\ncanals (") + 1:].split("\n\n")[0]
    assert block == format_summary(model, results).split("\ncanals (", 1)[1].split("\n\n")[0].join(["canals (", ""])
    assert block.splitlines()[2].split() == ["ditch", "AFG", "240.0", "24.0", "216.0", "60.0", "180.0"]
    rows = pd.read_csv(tmp_path / "s.csv").query("table == 'canal'")
    assert list(rows["value"]) == pytest.approx([240.0, 24.0, 216.0, 60.0, 180.0])


def test_results_without_the_node_of_each_flow_requirement_are_summarised_without_their_water_stress(tmp_path,
                                                                                                     capsys):
    """A compat review: ``daryo summary`` of results of 2026-12-03, which kept no ``requirement_at``, ended
    "internal error: ValueError: water_stress: ... run the model again" (labelled a bug, the file not named), and so
    did ``daryo.sdg.water_stress``, ``water_stress_by_year`` and ``daryo.indicators.country_system_summary``.  The
    summary gives its other tables and says in the water stress's place why it is not shown, naming the file; the
    functions raise an EarlierResultsError (a ValueError) naming it too; --csv writes the other rows."""
    import xarray as xr

    from daryo.cli import main
    from daryo.indicators import country_system_summary
    from daryo.sdg import EarlierResultsError, water_stress, water_stress_by_year

    (tmp_path / "m.yaml").write_text("""version: 1
name: requirement
time: {start: 2000-10, end: 2001-09, step: month}
nodes:
  - {id: up, type: inflow, inflow: 100, country: KGZ}
  - {id: farm, type: demand, demand: 20, priority: 1, consumptive_fraction: 1.0, country: KGZ}
  - {id: ef, type: flow_requirement, at: lake, flow: 50, priority: 2}
  - {id: lake, type: sink}
edges: [[up, farm], [up, lake]]
""")
    assert main(["run", str(tmp_path / "m.yaml"), "-o", str(tmp_path / "run.nc")]) == 0
    with xr.open_dataset(tmp_path / "run.nc") as ds:
        ds.load().drop_vars("requirement_at").to_netcdf(tmp_path / "old.nc")
    capsys.readouterr()
    old = tmp_path / "old.nc"
    assert main(["summary", str(old), "--csv", str(tmp_path / "s.csv")]) == 0
    out, err = capsys.readouterr()
    told = (f"the results in {old} were written by an earlier daryo, which did not keep the node each flow "
            "requirement is on ('requirement_at', kept since 2026-12-05), nor so which river system's water each "
            "takes; run the model again")
    assert err == "" and f"water stress (SDG 6.4.2's ratio) not shown: {told}" in out
    assert "flow requirements" in out and "largest mass-balance error" in out  # (the other tables)
    assert "country,KGZ" in (tmp_path / "s.csv").read_text()
    with xr.open_dataset(old) as ds:
        for function in (water_stress, water_stress_by_year, country_system_summary):
            with pytest.raises(EarlierResultsError, match=re.escape(told)):
                function(ds)


def test_the_summary_says_which_constraints_bind_and_in_how_many_steps():
    """A treaty reviewer's finding: a binding quota read in the summary only as the demands' deficits.
    daryo.testmodels.quota_and_outflow: the quota on the farms binds at its max_flow in 1 of the 4 steps, the
    outflow to the sea at its min_flow in 2; with a second trace of 100, 100, 100 and 150 the quota binds in 3 more
    (4 of the 8 steps of the 2 scenarios), the outflow in none more.  A model without constraints prints no such
    lines (nor one whose constraints never bind: tests/results/test_printed_tables.py)."""
    from daryo.testmodels import quota_and_outflow, shared_shortage

    model = quota_and_outflow()
    printed = format_summary(model, daryo.run(model))
    block = printed[printed.index("constraints binding"):].splitlines()
    assert block[:4] == [
        "constraints binding (flow_sum at a bound, to 1e-6 hm³; steps of 4; a quota at what its demands want binds "
        "where they are met in full: read it with their deficits):",
        "  constraint   at min_flow at max_flow   binding  nodes",
        "  quota                  0           1    25.0 %  farmA, farmB",
        "  outflow                2           0    50.0 %  sea"]
    assert not block[4].strip()
    model = quota_and_outflow([[100.0, 60.0, 40.0, 150.0], [100.0, 100.0, 100.0, 150.0]])
    block = format_summary(model, daryo.run(model))
    block = block[block.index("constraints binding"):].splitlines()
    assert block[0] == ("constraints binding (flow_sum at a bound, to 1e-6 hm³; steps of 8, over 2 scenarios"
                        "; a quota at what its demands want binds where they are met in full: read it with their "
                        "deficits):")
    assert [line.split()[:4] for line in block[2:4]] == [["quota", "0", "4", "50.0"], ["outflow", "2", "0", "25.0"]]
    none = shared_shortage()  # (no constraints)
    assert "constraints binding" not in format_summary(none, daryo.run(none))
