"""Two runs side by side (``daryo.compare.compare_runs``, ``daryo compare``), worked out by hand on a small basin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import xarray as xr

import daryo
from daryo import testmodels
from daryo.cli import main
from daryo.compare import COMPARE_COLUMNS, ENSEMBLE_COLUMNS, compare_runs

BASIN = """version: 1
name: two-countries
time: {start: 2000-10, end: 2001-09}
metadata:
  basins: {north: [river]}
nodes:
  - {id: river, type: inflow, inflow: 10}
  - {id: town, type: demand, demand: 4, country: UZB}
  - {id: farm, type: demand, demand: 8, priority: 2, country: KAZ}
  - {id: sea, type: sink}
  - {id: keep, type: flow_requirement, at: sea, flow: 1, priority: 3}
edges: [[river, town], [river, farm], [river, sea]]
"""


def _runs(tmp_path):
    """The basin as it is (10 a month: the town's 4, the farm 6 of its 8, the sea nothing) and with the farm's
    demand halved (the town's 4, the farm's 4, the sea 2), each read back from its NetCDF file."""
    model = tmp_path / "basin.yaml"
    model.write_text(BASIN)
    half = tmp_path / "half.yaml"
    half.write_text("title: half the farm\nchanges:\n  - scale_demands: {nodes: [farm], factor: 0.5}\n"
                    "caveats: [The farm's demand is a guess.]\n")
    paths = []
    for name, scenarios in (("first.nc", []), ("second.nc", [str(half)])):
        paths.append(daryo.run(daryo.load(model, scenarios=scenarios)).to_netcdf(tmp_path / name))
    return paths


def test_two_runs_side_by_side_by_hand(tmp_path):
    first, second = _runs(tmp_path)
    with xr.open_dataset(first) as a, xr.open_dataset(second) as b:
        table = compare_runs(a, b)
    assert list(table.columns) == list(COMPARE_COLUMNS)
    assert table.attrs["first"] == "two-countries" and table.attrs["second"].startswith("two-countries + ")
    got = table.set_index(["table", "element", "quantity"])
    want = {("country", "KAZ", "demanded summer"): (48, 24), ("country", "KAZ", "delivered winter"): (36, 24),
            ("country", "KAZ", "deficit summer"): (12, 0), ("country", "UZB", "delivered summer"): (24, 24),
            ("sink", "sea", "inflow"): (0, 24), ("requirement", "keep", "required"): (12, 12),
            ("requirement", "keep", "met"): (0, 12), ("requirement", "keep", "steps short"): (100, 0),
            ("system", "north", "withdrawal"): (120, 96), ("system", "north", "renewable"): (120, 120),
            ("system", "north", "stress"): (100 * 120 / (120 - 12), 100 * 96 / (120 - 12)),
            ("demand", "farm", "delivered"): (72, 48), ("demand", "farm", "deficit"): (24, 0),
            ("demand", "farm", "deficit share"): (25, 0), ("demand", "town", "delivered"): (48, 48),
            # (a country's share of its whole demand short, also of one on a single river: a Turkmen analyst's
            # review found it only per system, for countries on two)
            ("country", "KAZ", "deficit share"): (25, 0), ("country", "UZB", "deficit share"): (0, 0)}
    for key, (a_value, b_value) in want.items():
        row = got.loc[key]
        np.testing.assert_allclose([row["first"], row["second"], row["difference"]],
                                   [a_value, b_value, b_value - a_value], atol=1e-6, err_msg=str(key))
    assert got.loc[("sink", "sea", "inflow"), "units"] == "hm3 per year"
    assert got.loc[("system", "north", "stress"), "units"] == "%"
    assert got.loc[("requirement", "keep", "steps short"), "units"] == "% of steps"
    assert list(dict.fromkeys(table["table"])) == ["country", "demand", "sink", "requirement", "system"]


def test_a_river_systems_environmental_flow_is_compared_beside_its_stress(tmp_path, capsys):
    """An SDG methodologist's review: two runs whose environmental flows alone differ showed a water stress of 89 %
    against 708 % beside a withdrawal and a renewable water that barely changed, and no row of the term that did.
    The sea's requirement of 1 a month (12 a year) made 3 (36): the stress is 120 / (120 − 12) against
    120 / (120 − 36), and the row of the environmental flow between them says why::

        [river: 10] --> town (4), farm (8), [sea] <- keep (1, then 3)
    """
    model, more = tmp_path / "basin.yaml", tmp_path / "more.yaml"
    model.write_text(BASIN)
    more.write_text(BASIN.replace("flow: 1,", "flow: 3,"))
    paths = [daryo.run(daryo.load(m)).to_netcdf(tmp_path / f"{m.stem}.nc") for m in (model, more)]
    got = compare_runs(*paths).set_index(["table", "element", "quantity"])
    row = got.loc[("system", "north", "environmental")]
    assert (row["first"], row["second"], row["difference"]) == (pytest.approx(12), pytest.approx(36),
                                                               pytest.approx(24))
    assert (row["units"], row["difference_units"]) == ("hm3 per year", "hm3 per year")
    assert got.loc[("system", "north", "stress"), "second"] == pytest.approx(100 * 120 / (120 - 36))
    quantities = [q for (kind, _, q) in got.index if kind == "system"]
    assert quantities == ["withdrawal", "renewable", "environmental", "stress"]  # (as daryo run's table orders them)
    assert main(["compare", *map(str, paths)]) == 0
    shown = [line.split() for line in capsys.readouterr().out.splitlines() if line.split()[:1] == ["system"]]
    assert ["system", "north", "environmental", "12.0", "36.0", "+24.0"] in shown, shown


def test_a_canals_water_taken_at_its_head_and_lost_on_its_way_are_compared(tmp_path):
    """An Afghan planner's review: what a new canal takes (Qosh Tepa's intake, the question of two runs with and
    without it) was in no row, only its command area's delivery.  A canal losing a quarter of its water to a new
    demand of 3 a month takes 4 a month at its head (48 a year) and loses 12."""
    model = tmp_path / "basin.yaml"
    model.write_text(BASIN)
    canal = tmp_path / "canal.yaml"
    canal.write_text("title: a new canal\nchanges:\n  - add_nodes: [{id: ditch, type: canal, loss: 0.25}, "
                     "{id: new, type: demand, demand: 3, priority: 1, country: AFG}]\n"
                     "  - add_edges: [[river, ditch], [ditch, new]]\n")
    a = daryo.run(daryo.load(model)).dataset
    b = daryo.run(daryo.load(model, scenarios=[str(canal)])).dataset
    got = compare_runs(a, b).set_index(["table", "element", "quantity"])
    assert got.loc[("canal", "ditch", "taken"), "second"] == pytest.approx(48.0)
    assert got.loc[("canal", "ditch", "lost"), "second"] == pytest.approx(12.0)
    assert got.loc[("canal", "ditch", "taken"), "units"] == "hm3 per year"
    assert np.isnan(got.loc[("canal", "ditch", "taken"), "first"])
    assert got.loc[("demand", "new", "delivered"), "second"] == pytest.approx(36.0)
    assert got.loc[("demand", "farm", "delivered"), "difference"] == pytest.approx(-48.0)  # (the canal's intake)


def test_a_demand_id_with_a_zero_width_non_joiner_keeps_its_rows_in_the_columns(tmp_path, capsys):
    """An Afghan planner's review: an id written with a zero-width non-joiner (قوش‌تپه, Persian spelling) shifted
    its rows one column left of the others, padded by len(), as daryo run's tables did.  Two demands of 10 a month,
    each asking 120 a year in both runs: their "demanded" rows end in the same column, as shown."""
    from daryo.cli.summary import shown_width

    qosh = testmodels.QOSH_TEPA
    model = tmp_path / "m.yaml"
    model.write_text(testmodels.zwnj_demands_yaml(), encoding="utf-8")
    for name in ("a.nc", "b.nc"):
        assert main(["run", str(model), "-o", str(tmp_path / name)]) == 0
    capsys.readouterr()
    assert main(["compare", str(tmp_path / "a.nc"), str(tmp_path / "b.nc"), "--all"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.split()[:1] == ["demand"]
            and "demanded" in line.split()]
    ours, farm = sorted(rows, key=lambda row: row.split()[1] != qosh)
    assert (ours.split()[1], farm.split()[1]) == (qosh, "farm")
    assert ours.split()[2:] == farm.split()[2:] == ["demanded", "120.0", "120.0", "+0.0"]
    assert shown_width(ours) == shown_width(farm) and len(ours) == len(farm) + 1, rows


def test_compare_runs_takes_the_results_files_paths(tmp_path):
    """A review (a consortium's economist): compare_runs("base.nc", "deal.nc") was refused (compare_ensembles takes
    paths); a path that is no run's results is refused naming it, an ensemble's store before it is read whole."""
    first, second = _runs(tmp_path)
    with xr.open_dataset(first) as a, xr.open_dataset(second) as b:
        opened = compare_runs(a, b)
    by_path = compare_runs(str(first), second)
    pd.testing.assert_frame_equal(by_path, opened)
    assert by_path.attrs == opened.attrs
    with pytest.raises(FileNotFoundError, match="compare_runs: .*nothing.nc: no such file"):
        compare_runs(tmp_path / "nothing.nc", second)
    (tmp_path / "text.nc").write_text("no NetCDF")
    with pytest.raises(ValueError, match="text.nc is not a NetCDF file"):
        compare_runs(first, tmp_path / "text.nc")
    store = tmp_path / "store.nc"
    xr.Dataset({"x": (("trace", "time"), [[1.0]])}, coords={"time": pd.to_datetime(["2000-10-01"])}).to_netcdf(store)
    with pytest.raises(ValueError, match="store.nc: an ensemble's store, not a run's results"):
        compare_runs(first, store)
    (tmp_path / "store.zarr").mkdir()  # (a diff review: "not a file")
    with pytest.raises(ValueError, match="store.zarr is an ensemble's store, not a run's results: compare two "
                                         "ensembles with compare_ensembles"):
        compare_runs(first, tmp_path / "store.zarr")


def test_an_element_only_one_run_has_is_compared_with_nothing(tmp_path):
    """A demand an overlay adds (a new country's) has no first value, and no difference."""
    model = tmp_path / "basin.yaml"
    model.write_text(BASIN)
    canal = tmp_path / "canal.yaml"
    canal.write_text("title: a new intake\nchanges:\n  - add_nodes: [{id: new, type: demand, demand: 1, "
                     "country: AFG}]\n  - add_edges: [[river, new]]\n")
    a = daryo.run(daryo.load(model)).dataset
    b = daryo.run(daryo.load(model, scenarios=[str(canal)])).dataset
    table = compare_runs(a, b)
    afg = table[table.element == "AFG"]
    assert len(afg) and afg["first"].isna().all() and afg["difference"].isna().all()
    assert afg.loc[afg.quantity == "delivered summer", "second"].item() == pytest.approx(6.0)
    # the new rows follow the first run's of their table, not the end of the table
    assert table.index[table.element == "AFG"].max() < table.index[table.table == "sink"].min()


def test_daryo_compare_prints_what_changes_and_writes_the_whole_table(tmp_path, capsys):
    first, second = _runs(tmp_path)
    csv = tmp_path / "cmp.csv"
    assert main(["compare", str(first), str(second), "--csv", str(csv)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("second − first: mean annual values")
    assert out[1] == f"  first:  two-countries ({first}; 2000-10 to 2001-09, 1 scenario; hydrology given)"
    assert out[3 + sum(line.startswith("note:") for line in out)].split() == [
        "table", "element", "quantity", "first", "second", "difference"]
    end = next(i for i, line in enumerate(out) if line.startswith("("))
    head = out.index(next(line for line in out if line.split()[:2] == ["table", "element"]))
    rows = {" ".join(line.split()[:-3]): line.split()[-3:] for line in out[head + 1:end]}
    assert rows["sink sea inflow"] == ["0.0", "24.0", "+24.0"]
    assert rows["requirement keep met"] == ["0.0", "12.0", "+12.0"]
    assert rows["country KAZ deficit summer"] == ["12.0", "0.0", "-12.0"]
    assert "country UZB delivered summer" not in rows  # (the town's water does not change: not shown)
    table = pd.read_csv(csv)  # (each row names the runs: a review, a board pack of the CSV could not tell them apart)
    assert list(table.columns) == [*COMPARE_COLUMNS, "first_run", "second_run"]
    assert set(table["first_run"]) == {f"two-countries ({first})"}
    assert table["second_run"].iloc[0].startswith("two-countries + ") and table["second_run"].nunique() == 1
    assert (table["difference"].abs() >= 0.05).sum() == len(rows)
    assert out[end] == (f"({len(table) - len(rows)} of {len(table)} rows do not change by 0.05 or more; --all "
                        "shows them)")
    assert "caveats of the second run only:" in out and any("The farm's demand is a guess." in line for line in out)
    assert out[-1] == f"the whole table written to {csv}"
    assert main(["compare", str(first), str(second), "--all"]) == 0
    assert sum(line.startswith("  country ") for line in capsys.readouterr().out.splitlines()) == 14  # 2 × 7
    # the table replaces an earlier comparison's, and nothing else (a review: --csv replaced a results file)
    assert main(["compare", str(first), str(second), "--csv", str(csv)]) == 0
    capsys.readouterr()
    for target, code, said in ((first, 2, "is one of the results compared"), (tmp_path, 2, "is a folder"),
                               (tmp_path / "notes.txt", 1, "exists and is not a table of daryo compare")):
        if target.name == "notes.txt":
            target.write_text("my notes\n")
        assert main(["compare", str(first), str(second), "--csv", str(target)]) == code
        assert said in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "my notes\n" and xr.open_dataset(first).close() is None


def test_a_csv_that_names_a_folder_is_refused_naming_the_option(tmp_path, capsys):
    """A CLI review: ``daryo compare a.nc b.nc --csv cmpdir/`` (a trailing separator, as ``daryo run --csv DIR/``
    has it) silently wrote a file named cmpdir, where ``daryo run -o x/`` is refused: a usage error naming the
    option, before any work, as for an existing folder."""
    first, second = _runs(tmp_path)
    (tmp_path / "folder").mkdir()
    for target, said in ((f"{tmp_path}/cmpdir/", f"--csv {tmp_path}/cmpdir/: names a folder; give a CSV file name, "
                                                 "such as table.csv"),
                         (f"{tmp_path}/folder/", f"--csv {tmp_path}/folder/: names a folder"),
                         (str(tmp_path / "folder"), f"--csv {tmp_path / 'folder'} is a folder: give a file name")):
        assert main(["compare", str(first), str(second), "--csv", target]) == 2
        assert said in capsys.readouterr().err
    assert not (tmp_path / "cmpdir").exists() and not any((tmp_path / "folder").iterdir())


def test_the_csv_gives_the_units_of_each_difference(tmp_path, capsys):
    """A data officer's review: in daryo compare's CSV file the differences of percentages (a deficit share, a
    share of steps or trace-years short, a water stress) had units "%", though the printed header says percentage
    points.  Each row has its values' units and its difference's: percentage points of a row in %, else the
    values' own; of two runs and of two ensembles."""
    from daryo.ensemble import EnsembleOptions, run_ensemble

    first, second = _runs(tmp_path)
    model = tmp_path / "basin.yaml"
    stores = [tmp_path / "a.nc", tmp_path / "b.nc"]
    for store, scenarios in zip(stores, ([], [str(tmp_path / "half.yaml")]), strict=True):
        run_ensemble(daryo.load(model, scenarios=scenarios), EnsembleOptions(traces=2, years=1, seed=1), store)
    for pair, name, share, percent in (
            ((first, second), "runs.csv", "farm", {"deficit share", "steps short", "stress"}),
            (stores, "ensembles.csv", "KAZ", {"deficit share", "share above threshold", "mean deficit", "p95 deficit",
                                              "short", "stress"})):
        csv = tmp_path / name
        assert main(["compare", *map(str, pair), "--csv", str(csv)]) == 0
        table = pd.read_csv(csv)
        assert list(table.columns[:8]) == [*COMPARE_COLUMNS[:7], "difference_units"]
        in_percent = table["units"].str.startswith("%")
        assert set(table.loc[in_percent, "quantity"]) == percent
        assert set(table.loc[in_percent, "difference_units"]) == {"percentage points"}
        assert (table.loc[~in_percent, "difference_units"] == table.loc[~in_percent, "units"]).all()
        row = table.set_index(["element", "quantity"]).loc[(share, "deficit share")]
        assert (row["units"], row["difference_units"]) == ("% of demand", "percentage points")
    assert "differences of percentages in percentage points" in capsys.readouterr().out


def test_a_stress_beside_a_level_bound_is_not_printed_on_the_other_side(tmp_path, capsys):
    """A data officer's review: daryo compare printed a water stress of 99.96 % (high) as "100.0", which reads as
    the bound of critical.  A river of 10 a month, a flow requirement of 1 at its sea below a town of 8.9964 (or
    9.0036): withdrawal 107.9568 (108.0432) of 120 − 12 leaves a stress of 99.96 % (100.04 %, critical); both are
    printed with the digits that keep them on their side of 100, as daryo run prints them; the difference, and a
    stress far from a bound, with one decimal.

        river (10) ──> town (8.9964 or 9.0036)
          └──────────> sea (keep: 1)
    """
    basin = BASIN.replace("  - {id: farm, type: demand, demand: 8, priority: 2, country: KAZ}\n", "").replace(
        ", [river, farm]", "")
    paths = []
    for name, demand in (("high", "8.9964"), ("critical", "9.0036"), ("low", "3")):
        (tmp_path / f"{name}.yaml").write_text(basin.replace("demand: 4,", f"demand: {demand},"))
        paths.append(daryo.run(daryo.load(tmp_path / f"{name}.yaml")).to_netcdf(tmp_path / f"{name}.nc"))
    table = compare_runs(paths[0], paths[1]).set_index(["table", "element", "quantity"])
    np.testing.assert_allclose(table.loc[("system", "north", "stress"), ["first", "second"]].to_numpy(float),
                               [99.96, 100.04], rtol=1e-9)
    for second, want in ((paths[1], ["99.96", "100.04", "+0.1"]), (paths[2], ["99.96", "33.3", "-66.6"])):
        assert main(["compare", str(paths[0]), str(second)]) == 0
        out = capsys.readouterr().out.splitlines()
        assert next(line for line in out if line.split()[:3] == ["system", "north", "stress"]).split()[3:] == want


def test_daryo_compare_notes_the_same_file_twice_and_other_hydrology(tmp_path, capsys):
    first, second = _runs(tmp_path)
    assert main(["compare", str(first), str(first)]) == 0
    assert "note: the two files are one: nothing can differ" in capsys.readouterr().out.splitlines()
    model = daryo.load(None, years=1)
    norm = daryo.run(model).to_netcdf(tmp_path / "norm.nc")
    dry = daryo.run(model).dataset  # (its hydrology said to be another: only the attributes are read; another
    dry.attrs["hydrology"] = "kind 2000-2001, traces 1, seed 0"  # hydrology is another digest of its inputs)
    dry.attrs["network_sha256"] = "0" * 64
    daryo.Results(dry).to_netcdf(tmp_path / "dry.nc")
    assert main(["compare", str(norm), str(tmp_path / "dry.nc")]) == 0
    assert ("note: the runs have different hydrology: their differences are of the water as much as of the rules"
            in capsys.readouterr().out.splitlines())


def test_a_short_run_is_compared_by_its_totals_as_daryo_run_gives_them(tmp_path):
    """A review: in a run of October to March, sinks, requirements and rivers were made annual (doubled) and the
    countries' winter not: every row is now the run's total, as daryo run prints a run shorter than a year."""
    model = tmp_path / "basin.yaml"
    model.write_text(BASIN.replace("end: 2001-09", "end: 2001-03"))
    a = daryo.run(daryo.load(model)).dataset
    table = compare_runs(a, a).set_index(["table", "element", "quantity"])
    assert table.loc[("sink", "sea", "inflow"), "units"] == "hm3 in the run"
    np.testing.assert_allclose(table.loc[("country", "KAZ", "delivered winter"), "first"], 36.0)
    np.testing.assert_allclose(table.loc[("requirement", "keep", "required"), "first"], 6.0)
    np.testing.assert_allclose(table.loc[("system", "north", "withdrawal"), "first"], 60.0)


def test_a_run_shorter_than_a_year_beside_a_years_is_compared_row_by_row_without_a_difference(tmp_path, capsys):
    """A review: a run of April to September against one of a year compared none of its flows: each row was joined
    on its units too (hm3 in the run, hm3 per year), so each was set apart as an element only one run has ("330 rows
    only one run has: elements only one has"), and a note said their mean annual values were compared.  The basin
    from October to March (its totals: the farm gets 6 a month, 36) against October to September (its mean year:
    72): a row per element and quantity, the two values side by side without a difference where their units
    differ, both units named; shares and stresses compared; the summer's rows, of the year alone, told apart::

        [river: 10] --> town (4), farm (8, gets 6), [sea] <- keep (1, unmet)
    """
    year, winter, dec, half = (tmp_path / f"{n}.yaml" for n in ("year", "winter", "dec", "half"))
    year.write_text(BASIN)
    winter.write_text(BASIN.replace("end: 2001-09", "end: 2001-03"))
    dec.write_text(BASIN.replace("end: 2001-09", "end: 2000-12"))
    half.write_text(BASIN.replace("end: 2001-09", "end: 2001-03").replace("demand: 8,", "demand: 4,"))
    paths = {m.stem: daryo.run(daryo.load(m)).to_netcdf(tmp_path / f"{m.stem}.nc") for m in (year, winter, dec, half)}
    table = compare_runs(paths["winter"], paths["year"])
    got = table.set_index(["table", "element", "quantity"])
    assert got.index.is_unique
    both = "hm3 in the run (first), hm3 per year (second)"
    for key, values in ((("demand", "farm", "delivered"), (36, 72)), (("system", "north", "withdrawal"), (60, 120)),
                        (("country", "KAZ", "delivered winter"), (36, 36))):
        row = got.loc[key]
        assert (row["first"], row["second"], row["units"]) == (*map(pytest.approx, values), both), key
        assert np.isnan(row["difference"]) and row["difference_units"] != row["difference_units"], key  # (NaN)
    stress = got.loc[("system", "north", "stress")]  # (60 / (60 − 6) and 120 / (120 − 12): one ratio)
    assert (stress["first"], stress["difference"], stress["difference_units"]) == (
        pytest.approx(100 * 60 / 54), 0.0, "percentage points")
    summer = table[table["quantity"].str.endswith(" summer")]
    assert len(summer) and summer["first"].isna().all() and summer["second"].notna().all()
    apart = int(table["units"].str.endswith("(second)").sum())
    # the countries' winter (3 each), the demands' demanded, delivered and short (3 each), the sink, the requirement's
    # required and met, the system's withdrawal, renewable and environmental water: 6 + 6 + 1 + 2 + 3
    assert apart == int(table["difference"].isna().sum()) - len(summer) == 18
    notes = table.attrs["notes"]
    assert not [n for n in notes if "elements only one has" in n], notes  # (none: both have every element)
    assert (f"the runs cover different spans, and the first is shorter than a year: its water and energy are its "
            f"totals (hm³ and GWh in the run), the second's mean annual values (per year), so their {apart} rows are "
            "set side by side without a difference") in notes[0]
    assert any(n.startswith(f"{len(summer)} rows of elements both runs have are of one run only (deficit summer, "
                            "delivered summer, demanded summer): a season one run does not reach") for n in notes)
    # daryo compare prints both values, and its CSV file has a row per element and quantity, with both units
    csv = tmp_path / "table.csv"
    assert main(["compare", str(paths["winter"]), str(paths["year"]), "--csv", str(csv)]) == 0
    shown = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert ["demand", "farm", "delivered", "36.0", "72.0", "–"] in shown
    written = pd.read_csv(csv).set_index(["table", "element", "quantity"])
    assert len(written) == len(table) and written.index.is_unique
    assert written.loc[("demand", "farm", "delivered"), "units"] == both
    assert np.isnan(written.loc[("demand", "farm", "delivered"), "difference"])
    # two runs of one short span are compared by their totals as before; two of other short spans too, said so
    same = compare_runs(paths["winter"], paths["half"])
    row = same.set_index(["table", "element", "quantity"]).loc[("demand", "farm", "delivered")]
    assert (row["first"], row["second"], row["difference"], row["units"]) == (36, 24, -12, "hm3 in the run")
    assert not [n for n in same.attrs["notes"] if "spans" in n or "one run" in n], same.attrs["notes"]
    other = compare_runs(paths["winter"], paths["dec"])
    assert other.set_index(["table", "element", "quantity"]).loc[("demand", "farm", "delivered"), "difference"] == -18
    assert ("the runs cover different spans; both are shorter than a year, so their values are their totals (in the "
            "run), compared all the same: a difference is partly of the spans, their lengths and seasons"
            ) in other.attrs["notes"]


def test_a_short_runs_plant_energy_is_compared_by_its_totals():
    """A mutation-testing audit (second round): compare_runs's plant rows of a run shorter than a year were checked
    by no test, so its winter energy taken at the run's share of a year (not of its winters) went unseen.  A plant of
    10 MW at 100 m head (efficiency 0.9) on a river of 500 hm³ a month, asked 9 GWh a month, October to December
    2001::

        [up: 500] --> {hpp: 10 MW, 100 m} --> [sea]
            \\---------------------------------> [sea]
    """
    a = daryo.run(testmodels.plant_with_bypass(500, 3, energy_target=9)).dataset
    rows = compare_runs(a, a).set_index(["table", "element", "quantity"])
    # the capacity binds: 10 MW × 744, 720 and 744 h = 7.44 + 7.2 + 7.44 = 22.08 GWh, all in winter; its target
    # 3 × 9 = 27 GWh, short by 1.56 + 1.8 + 1.56 = 4.92 (the run's totals)
    for quantity, value in (("energy winter", 22.08), ("energy target", 27.0), ("short of target", 4.92)):
        row = rows.loc[("plant", "hpp", quantity)]
        assert (row["first"], row["units"]) == (pytest.approx(value, abs=1e-9), "GWh in the run"), quantity


def test_compare_runs_refuses_what_is_not_a_runs_results(tmp_path):
    """A review: two ensemble stores were compared without a word, on the few variables they share."""
    a = daryo.run(daryo.load(daryo.demo_model_path(), years=1)).dataset
    with pytest.raises(ValueError, match="an ensemble's store, not a run's results"):
        compare_runs(a, a.rename(scenario="trace"))
    with pytest.raises(ValueError, match="not a run's results"):
        compare_runs(a.drop_vars("mass_balance_error"), a)


def test_one_scenario_selected_is_compared_as_a_run_of_that_scenario():
    """A review of the Python API: ``ds.sel(scenario=...)`` drops the dimension, and compare_runs refused the
    selection as not a run's results, where the other indicators take it."""
    ds = daryo.run(daryo.load(daryo.demo_model_path(), years=2), daryo.RunOptions(scenarios=2)).dataset
    one, other = (ds.isel(scenario=k) for k in (0, 1))
    table = compare_runs(one, other)
    pd.testing.assert_frame_equal(table, compare_runs(ds.isel(scenario=[0]), ds.isel(scenario=[1])))
    assert (table["difference"].abs() > 0).any()


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "missing.nc", "missing.nc: no such file"),
    (lambda p: (p / "table.csv", (p / "table.csv").write_text("a,b\n"))[0],
     "table.csv is not a NetCDF file: give the results of daryo run -o FILE.nc"),
])
def test_daryo_compare_names_a_file_that_is_not_a_runs_results(tmp_path, capsys, make, message):
    first, _ = _runs(tmp_path)
    bad = make(tmp_path)
    assert main(["compare", str(first), str(bad)]) == 1
    assert capsys.readouterr().err == f"daryo: error: {tmp_path / message}\n"


def test_results_read_back_name_their_river_systems_by_the_models_basins(tmp_path):
    """The results record the model's basins, so the water stress of a file read back names its river systems
    as daryo run does (the Aral model's ``syr`` and ``amu``, not ``system of naryn_in``)."""
    path = daryo.run(daryo.load(None, years=1)).to_netcdf(tmp_path / "aral.nc")
    with xr.open_dataset(path) as ds:
        assert list(daryo.sdg.water_stress(ds).index) == ["syr", "amu", "all"]


def _dam(tmp_path, dam: str = "dam", max_volume: float = 100, initial: float = 80, end: str = "2001-09"):
    """A river of 10 a month into a reservoir (``dam``), which gives a farm (UZB) of 12 a month and the sea."""
    model = tmp_path / "dam.yaml"
    model.write_text(f"""version: 1
name: one-dam
time: {{start: 2000-10, end: {end}}}
nodes:
  - {{id: river, type: inflow, inflow: 10}}
  - {{id: {dam}, type: reservoir, max_volume: {max_volume}, initial_volume: {initial}}}
  - {{id: farm, type: demand, demand: 12, country: UZB}}
  - {{id: sea, type: sink}}
edges: [[river, {dam}], [{dam}, farm], [{dam}, sea]]
""")
    return model


def test_a_run_that_draws_its_reservoir_down_is_told(tmp_path, capsys):
    """A review: a deal that delivers more by emptying a reservoir looked like a gain.  Inflow 10 a month, the farm
    12 (first) or 15 (second) behind a dam of 80: each delivered in full, the dam 2 or 5 a month lower, so it ends
    at 80 − 24 = 56 and 80 − 60 = 20."""
    model = _dam(tmp_path)
    more = tmp_path / "more.yaml"
    more.write_text("title: a larger farm\nchanges:\n  - scale_demands: {nodes: [farm], factor: 1.25}\n")
    first = daryo.run(daryo.load(model)).to_netcdf(tmp_path / "first.nc")
    second = daryo.run(daryo.load(model, scenarios=[str(more)])).to_netcdf(tmp_path / "second.nc")
    with xr.open_dataset(first) as a, xr.open_dataset(second) as b:
        got = compare_runs(a, b).set_index(["table", "element", "quantity"])
    for element in ("dam", "all"):
        for quantity, values in (("storage at start", (80, 80)), ("storage at end", (56, 20)),
                                 ("change over the run", (-24, -60)), ("lowest storage", (56, 20))):
            if element == "all" and quantity == "lowest storage":  # (the reservoirs' lowest are of other steps)
                assert ("reservoir", "all", quantity) not in got.index
                continue
            row = got.loc[("reservoir", element, quantity)]
            assert row["units"] == "hm3"
            np.testing.assert_allclose([row["first"], row["second"], row["difference"]],
                                       [*values, values[1] - values[0]], atol=1e-6, err_msg=quantity)
    np.testing.assert_allclose(got.loc[("country", "UZB", "delivered summer"), ["first", "second"]].to_numpy(float),
                               [72, 90], atol=1e-6)
    assert main(["compare", str(first), str(second)]) == 0
    said = capsys.readouterr().out.splitlines()
    assert ("note: the second run draws 36.0 hm³ more from its reservoirs than the first over the whole run (their "
            "volume at its end less their volume at its start; not a year's): part of what it delivers or passes on "
            "comes from storage, which years after the run would have to refill") in said
    assert main(["compare", str(second), str(first)]) == 0
    assert "note: the second run keeps 36.0 hm³ more in its reservoirs than the first" in capsys.readouterr().out
    # the change, not the volume at the end: a run that starts fuller and draws more ends fuller, and is told
    fuller = tmp_path / "fuller.yaml"
    fuller.write_text("title: a fuller dam\nchanges:\n  - set: {dam: {initial_volume: 100}}\n"
                      "  - scale_demands: {nodes: [farm], factor: 1.125}\n")  # (13.5 a month: 3.5 from the dam)
    third = daryo.run(daryo.load(model, scenarios=[str(fuller)])).to_netcdf(tmp_path / "third.nc")
    assert main(["compare", str(first), str(third)]) == 0
    out = capsys.readouterr().out
    assert "note: the second run draws 18.0 hm³ more from its reservoirs than the first" in out
    assert [line.split()[-3:] for line in out.splitlines() if line.startswith("  reservoir    dam")][:2] == [
        ["80.0", "100.0", "+20.0"], ["56.0", "58.0", "+2.0"]]  # (it starts and ends fuller, and draws more)


def test_the_reservoir_note_is_left_out_for_runs_of_other_spans_and_small_changes(tmp_path, capsys):
    """A diff review: a run of two years against one of one was said to draw water from storage (the longer run
    had a second year to refill); a change of 0.1 % of the water stored was noted as a drawdown; a reservoir named
    "all" was overwritten by the reservoirs' total."""
    model = _dam(tmp_path, "all", 1000, 800, "2002-09")
    tiny = tmp_path / "tiny.yaml"
    tiny.write_text("title: a little more\nchanges:\n  - scale_demands: {nodes: [farm], factor: 1.01}\n")
    two = daryo.run(daryo.load(model)).to_netcdf(tmp_path / "two.nc")
    one = daryo.run(daryo.load(model, years=1)).to_netcdf(tmp_path / "one.nc")
    more = daryo.run(daryo.load(model, scenarios=[str(tiny)])).to_netcdf(tmp_path / "more.nc")
    with xr.open_dataset(two) as a, xr.open_dataset(more) as b:
        got = compare_runs(a, b).set_index(["table", "element", "quantity"])
    assert got.loc[("reservoir", "all", "change over the run"), "first"] == pytest.approx(-48)  # (the reservoir)
    assert got.loc[("reservoir", "all reservoirs", "change over the run"), "second"] == pytest.approx(-50.88)
    for first, second in ((two, one), (two, more)):  # (other spans; 2.88 of 800 stored: 0.4 %)
        assert main(["compare", str(first), str(second)]) == 0
        assert "from its reservoirs" not in capsys.readouterr().out


def test_an_overlay_of_given_years_is_said_to_be_diluted_by_the_means(tmp_path, capsys):
    """A review (a hydropower planner): a two-year drought compared over a run of 30 years showed −446 GWh/yr for
    Tajikistan's winter energy, where its second year lost 6,665 GWh; nothing said the means dilute it."""
    model = tmp_path / "basin.yaml"
    model.write_text(BASIN.replace("time: {start: 2000-10, end: 2001-09}", "time: {start: 2000-10, end: 2003-09}"))
    dry = tmp_path / "dry.yaml"
    dry.write_text("title: a dry first year\nchanges:\n  - scale_inflows: {nodes: [river], factor: 0.5, years: [1]}\n")
    wet = tmp_path / "wet.yaml"
    wet.write_text("title: wetter\nchanges:\n  - scale_inflows: {nodes: [river], factor: 1.5}\n")
    paths = {}
    for name, scenarios in (("base", []), ("dry", [str(dry)]), ("wet", [str(wet)])):
        paths[name] = daryo.run(daryo.load(model, scenarios=scenarios)).to_netcdf(tmp_path / f"{name}.nc")
    note = ("dry changes given run years only: the means over every year of the runs dilute it; compare those years "
            "alone (both run again with --years N, N the last year it changes; years=N in Python)")
    assert main(["compare", str(paths["base"]), str(paths["dry"])]) == 0
    assert f"note: {note}" in capsys.readouterr().out
    with xr.open_dataset(paths["base"]) as base, xr.open_dataset(paths["dry"]) as drier:  # (a review of the Python
        # API: the notes were the command line's alone)
        assert note in compare_runs(base, drier).attrs["notes"]
    # runs of the drought's years alone: nothing diluted (a review: the note was given all the same)
    short = [daryo.run(daryo.load(model, scenarios=s, years=1)).dataset for s in ([], [str(dry)])]
    assert compare_runs(*short).attrs["notes"] == []
    assert main(["compare", str(paths["base"]), str(paths["wet"])]) == 0
    assert "given run years only" not in capsys.readouterr().out
    assert main(["compare", str(paths["base"]), str(paths["dry"]), "--year", "0"]) == 2
    assert ("--year compares two ensembles' outputs over one run year's traces; for two runs, run them again with "
            "--years N (their first N years)") in capsys.readouterr().err


def test_two_ensembles_side_by_side(tmp_path, capsys):
    """A review (a drought analyst): a deal against the baseline over the same traces could be compared only in
    xarray.  compare_ensembles sets the two stores' statistics side by side, worked out again here from their
    annual arrays; daryo compare takes two stores, says whether they share their traces, and refuses a run beside
    a store."""
    from daryo.compare import compare_ensembles
    from daryo.ensemble import EnsembleOptions, run_ensemble

    model = tmp_path / "basin.yaml"
    model.write_text(BASIN.replace("time: {start: 2000-10, end: 2001-09}", "time: {start: 2000-10, end: 2002-09}")
                     .replace("inflow: 10}", "inflow: {monthly: [6, 7, 8, 9, 10, 12, 14, 13, 11, 9, 8, 7]}}"))
    half = tmp_path / "half.yaml"
    half.write_text("title: half the farm\nchanges:\n  - scale_demands: {nodes: [farm], factor: 0.5}\n")
    stores = []
    for name, scenarios, seed in (("base.nc", [], 1), ("half.zarr", [str(half)], 1), ("other.nc", [], 2)):
        stores.append(tmp_path / name)
        run_ensemble(daryo.load(model, scenarios=scenarios), EnsembleOptions(traces=6, years=2, seed=seed), stores[-1])
    table = compare_ensembles(stores[0], stores[1])
    assert list(table.columns) == list(ENSEMBLE_COLUMNS) and table.attrs["paired"]
    got = table.set_index(["table", "element", "quantity"])
    for store, column in ((stores[0], "first"), (stores[1], "second")):
        with xr.open_dataset(store, engine="zarr" if store.suffix == ".zarr" else None) as ds:
            frac = ds["annual_deficit_fraction"].sel(demand="farm").values
            want = {("demand", "farm", "mean deficit"): frac.mean() * 100,
                    ("demand", "farm", "p95 deficit"): np.percentile(frac, 95) * 100,
                    ("demand", "farm", "share above threshold"): (frac > 0.3).mean() * 100,
                    ("demand", "farm", "delivered"): ds["annual_delivery"].sel(demand="farm").values.mean(),
                    ("sink", "sea", "inflow"): ds["annual_sink_inflow"].sel(sink="sea").values.mean(),
                    ("requirement", "keep", "short"): (ds["annual_requirement_shortfall_fraction"].values > 0).mean()
                    * 100}
        for key, value in want.items():
            assert got.loc[key, column] == pytest.approx(value, abs=1e-9), key
            kaz = ds["demand_country"].values == "KAZ"
            delivered = ds["annual_delivery"].values[:, :, kaz].sum(axis=2).mean()
            wanted = ds["annual_demand"].values[:, :, kaz].sum(axis=2).mean()
        assert got.loc[("country", "KAZ", "delivered"), column] == pytest.approx(delivered, rel=1e-12)
        assert got.loc[("country", "KAZ", "deficit share"), column] == pytest.approx((1 - delivered / wanted) * 100)
        assert got.loc[("country", "KAZ", "deficit"), column] == pytest.approx(wanted - delivered)  # (hm³, as runs')
        with xr.open_dataset(store, engine="zarr" if store.suffix == ".zarr" else None) as ds:  # water by season
            winter = ds["annual_winter_delivery"].values[:, :, kaz].sum(axis=2).mean()
            farm = ds["annual_winter_delivery"].sel(demand="farm").values.mean()
        assert 0 < winter < delivered
        assert got.loc[("country", "KAZ", "delivered winter"), column] == pytest.approx(winter, rel=1e-12)
        assert got.loc[("country", "KAZ", "delivered summer"), column] == pytest.approx(delivered - winter, rel=1e-9)
        assert got.loc[("demand", "farm", "delivered winter"), column] == pytest.approx(farm, rel=1e-6)
    assert got.loc[("demand", "farm", "mean deficit"), "first"] > got.loc[("demand", "farm", "mean deficit"),
                                                                           "second"]
    assert got.loc[("demand", "farm", "share above threshold"), "units"] == "% of trace-years above 30%"
    assert not compare_ensembles(stores[0], stores[2]).attrs["paired"]
    with pytest.raises(TypeError, match=r"takes the paths of two ensembles' outputs \(or them opened\), not list"):
        compare_ensembles([stores[0]], stores[0])
    with pytest.raises(ValueError, match="the dataset holds no ensemble summaries"):  # (an open store is taken)
        compare_ensembles(xr.Dataset(), stores[0])
    csv = tmp_path / "ens.csv"
    assert main(["compare", str(stores[0]), str(stores[1]), "--csv", str(csv)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == f"  first:  two-countries ({stores[0]}; 6 traces × 2 years, seed 1; deficit threshold 30%)"
    assert out[2].startswith("  second: two-countries + ")
    assert ("note: the ensembles share their traces (the same model, seed, traces and years): their differences "
            "are of the rules and overlays, trace-year by trace-year") in out
    assert any(line.split()[:4] == ["demand", "farm", "mean", "deficit"] for line in out)
    assert set(pd.read_csv(csv)["first_run"]) == {f"two-countries ({stores[0]}; 6 traces × 2 years, seed 1)"}
    assert main(["compare", str(stores[0]), str(stores[2])]) == 0
    assert "note: the ensembles have other traces (seed, traces, years or the inflows" in capsys.readouterr().out
    # another threshold: both shares taken at the first's (a review: 20 % against 30 % was subtracted)
    run_ensemble(daryo.load(model, scenarios=[str(half)]), EnsembleOptions(traces=6, years=2, seed=1,
                                                                         deficit_threshold=0.05), stores[1],
                 resume=True)
    again = compare_ensembles(stores[0], stores[1]).set_index(["table", "element", "quantity"])
    np.testing.assert_allclose(again["second"], got["second"])
    assert main(["compare", str(stores[0]), str(stores[1])]) == 0
    assert ("note: the deficit thresholds differ (30% and 5%): both shares above threshold are taken at the "
            "first's, from the stored years") in capsys.readouterr().out.splitlines()
    run = daryo.run(daryo.load(model)).to_netcdf(tmp_path / "run.nc")
    canal = tmp_path / "canal.yaml"  # (a node an overlay adds: its rows are one ensemble's; another model)
    canal.write_text("title: a new intake\nchanges:\n  - add_nodes: [{id: new, type: demand, demand: 1, "
                     "country: AFG}]\n  - add_edges: [[river, new]]\n")
    other = tmp_path / "other.yaml"
    other.write_text(model.read_text().replace("name: two-countries", "name: elsewhere"))
    for name, path, scenarios in (("canal.nc", model, [str(canal)]), ("elsewhere.nc", other, [])):
        run_ensemble(daryo.load(path, scenarios=scenarios), EnsembleOptions(traces=6, years=2, seed=1),
                     tmp_path / name)
    assert main(["compare", str(stores[0]), str(tmp_path / "canal.nc")]) == 0
    assert "rows only one ensemble has: elements only one has, such as a node an overlay adds" in (
        capsys.readouterr().out)
    assert main(["compare", str(stores[0]), str(tmp_path / "elsewhere.nc")]) == 0
    assert ("note: the ensembles are of other models (two-countries, elsewhere): their elements are compared by name "
            "only") in capsys.readouterr().out.splitlines()
    assert main(["compare", str(stores[0]), str(tmp_path / "none.zarr")]) == 1
    assert f"{tmp_path / 'none.zarr'}: no such file or folder" in capsys.readouterr().err
    assert main(["compare", str(run), str(stores[0])]) == 1
    assert (f"{run} is not an ensemble's output: daryo compare takes two runs' results (daryo run -o FILE.nc) or two "
            "ensembles' outputs (daryo ensemble -o), not one of each") in capsys.readouterr().err
    cut = tmp_path / "cut.nc"  # (a QA review: a file cut short was said to be of the wrong kind)
    cut.write_bytes((tmp_path / "canal.nc").read_bytes()[:4096])
    assert main(["compare", str(cut), str(stores[0])]) == 1
    assert f"{cut} cannot be read as a NetCDF file or zarr store (a file cut short" in capsys.readouterr().err


def test_the_demands_compared_are_set_beside_their_deficits(tmp_path, capsys):
    """A seasonal forecaster's review: two ensembles whose demands differ (an overlay cut a zone's) were compared
    with no demanded row and no word of it, so the cut zone read as better off (its deficit share fell, "better in
    46 % of years") while it got less water.  Halving the farm's 8 a month (96 a year, 48 of it in winter): its
    and Kazakhstan's demand rows read 96 → 48, the town's 48 both, with no sampling noise (the demand is the
    model's); a note says each deficit is of its own side's demand, for two runs too."""
    from daryo.compare import compare_ensembles
    from daryo.ensemble import EnsembleOptions, run_ensemble

    model = tmp_path / "basin.yaml"
    model.write_text(BASIN.replace("inflow: 10}", "inflow: {monthly: [6, 7, 8, 9, 10, 12, 14, 13, 11, 9, 8, 7]}}"))
    half = tmp_path / "half.yaml"
    half.write_text("title: half the farm\nchanges:\n  - scale_demands: {nodes: [farm], factor: 0.5}\n")
    stores = [tmp_path / "base.nc", tmp_path / "half.nc"]
    for store, scenarios in zip(stores, ([], [str(half)]), strict=True):
        run_ensemble(daryo.load(model, scenarios=scenarios), EnsembleOptions(traces=3, years=1, seed=1), store)
    table = compare_ensembles(*stores)
    got = table.set_index(["table", "element", "quantity"])
    want = {("country", "KAZ", "demanded"): (96, 48), ("country", "KAZ", "demanded winter"): (48, 24),
            ("country", "KAZ", "demanded summer"): (48, 24), ("country", "UZB", "demanded"): (48, 48),
            ("demand", "farm", "demanded"): (96, 48), ("demand", "town", "demanded"): (48, 48)}
    for key, (a, b) in want.items():
        np.testing.assert_allclose(got.loc[key, ["first", "second", "difference", "se"]].to_numpy(float),
                                   [a, b, b - a, 0], atol=1e-6, err_msg=str(key))
        assert got.loc[key, "units"] == "hm3 per year"
    note = ("the demands differ between the ensembles (farm 96.0 → 48.0 hm³/yr, -48.0): each deficit, deficit share "
            "and share above threshold, and the trace-years a demand is worse or better in, is taken against its own "
            "ensemble's demand, so a smaller one may be less water wanted, not more delivered: read it beside the "
            "water delivered")
    assert note in table.attrs["notes"]
    assert not any("demands differ" in n for n in compare_ensembles(stores[0], stores[0]).attrs["notes"])
    assert main(["compare", str(stores[0]), str(stores[1])]) == 0
    out = capsys.readouterr().out.splitlines()
    assert f"note: {note}" in out
    assert any(line.split()[:4] == ["country", "KAZ", "demanded", "96.0"] for line in out)
    # two runs: the demand's row, and the note
    runs = [daryo.run(daryo.load(model, scenarios=scenarios)).dataset for scenarios in ([], [str(half)])]
    table = compare_runs(*runs)
    row = table.set_index(["table", "element", "quantity"]).loc[("demand", "farm", "demanded")]
    assert (row["first"], row["second"], row["units"]) == (pytest.approx(96), pytest.approx(48), "hm3 per year")
    assert ("the demands differ between the runs (farm 96.0 → 48.0 hm³/yr, -48.0): each deficit and deficit share is "
            "taken against its own run's demand, so a smaller one may be less water wanted, not more delivered: read "
            "it beside the water delivered") in table.attrs["notes"]
    assert not any("demands differ" in n for n in compare_runs(runs[0], runs[0]).attrs["notes"])


def test_two_model_files_of_the_same_inflows_share_their_traces(tmp_path, capsys):
    """A review (a modeller of her own basin): two ensembles of a basin and of a copy of its file with a larger
    demand, of the same seed, traces and years, were said to have other traces, and the paired view was left out.
    Their traces' digests (trace_digest) tell: a copy with its nodes in another order, or with a pumped supply
    (no inflow series) that the allocation draws on differently, shares them; one whose inflows come in another
    order of months within the year (the same annual totals) does not (a diff review)."""
    from daryo.compare import compare_ensembles, paired_deficit_changes
    from daryo.ensemble import EnsembleOptions, run_ensemble

    months = [6, 7, 8, 9, 10, 12, 14, 13, 11, 9, 8, 7]
    wells = "  - {id: wells, type: inflow, max_flow: 1, cost: 5}\n"
    base = BASIN.replace("inflow: 10}", f"inflow: {{monthly: {months}}}}}").replace(
        "  - {id: sea, type: sink}\n", "  - {id: sea, type: sink}\n" + wells).replace(
        "edges: [", "edges: [[wells, farm], ")
    texts = {"base": base,
             "bigger": base.replace("demand: 8,", "demand: 12,").replace("name: two-countries", "name: bigger-farm"),
             "reordered": base.replace(wells, "").replace("nodes:\n", "nodes:\n" + wells),
             "shuffled": base.replace(str(months), str(months[::-1]))}
    stores = {}
    for name, text in texts.items():
        (tmp_path / f"{name}.yaml").write_text(text)
        stores[name] = tmp_path / f"{name}.nc"
        run_ensemble(daryo.load(tmp_path / f"{name}.yaml"), EnsembleOptions(traces=5, years=2, seed=3),
                     stores[name])
    with xr.open_dataset(stores["base"]) as a, xr.open_dataset(stores["bigger"]) as b:
        assert not np.array_equal(a["annual_inflow"].sel(inflow="wells"), b["annual_inflow"].sel(inflow="wells"))
    assert compare_ensembles(stores["base"], stores["bigger"]).attrs["paired"]
    assert compare_ensembles(stores["base"], stores["reordered"]).attrs["paired"]
    assert (paired_deficit_changes(stores["base"], stores["bigger"]).loc["farm", "worse"] > 0)
    assert not compare_ensembles(stores["base"], stores["shuffled"]).attrs["paired"]
    # the same file and overlays with another trace source (another perturbation of the record: a diff review)
    from daryo.ensemble import ResampledTraces

    model = daryo.load(tmp_path / "base.yaml")
    run_ensemble(model, EnsembleOptions(traces=5, years=2, seed=3), tmp_path / "wider.nc",
                 source=ResampledTraces.from_model(model, perturbation=0.5))
    assert not compare_ensembles(stores["base"], tmp_path / "wider.nc").attrs["paired"]
    assert main(["compare", str(stores["base"]), str(stores["bigger"])]) == 0
    out = capsys.readouterr().out.splitlines()
    assert ("note: the ensembles are of other models (two-countries, bigger-farm): their elements are compared by "
            "name only") in out
    assert ("note: the ensembles share their traces (the same seed, traces and years, and the same inflows in every "
            "trace): their differences are of the two model files and their overlays, trace-year by trace-year") in out
    assert any(line.startswith("paired by trace-year (the same traces)") for line in out)
    assert out[0].startswith("second − first: ensemble statistics over each run's trace-years (hm³/yr for water, "
                             "hm³ for storage, GWh/yr for energy; a country's deficit in hm³/yr and its deficit "
                             "share in % of demand, a demand's mean and p95 deficit in % of demand;")
    assert main(["compare", str(stores["base"]), str(stores["shuffled"])]) == 0
    assert ("note: the ensembles have other traces (the same seed, traces and years, drawn from other inflows: "
            "their trace_digest differ): their differences include the hydrology's"
            ) in capsys.readouterr().out.splitlines()


def test_paired_deficit_changes_trace_year_by_trace_year(tmp_path, capsys):
    """A review (a development-bank analyst): the means of two ensembles hide the years a demand loses.  Half the
    farm's demand against the whole, over the same traces: the farm is better in every trace-year it was short by
    more than a point, the town (of priority 1) never changes; worked out again from the annual arrays."""
    from daryo.compare import paired_deficit_changes
    from daryo.ensemble import EnsembleOptions, run_ensemble

    model = tmp_path / "basin.yaml"
    model.write_text(BASIN.replace("inflow: 10}", "inflow: {monthly: [6, 7, 8, 9, 10, 12, 14, 13, 11, 9, 8, 7]}}"))
    half = tmp_path / "half.yaml"
    half.write_text("title: half the farm\nchanges:\n  - scale_demands: {nodes: [farm], factor: 0.5}\n")
    stores = [tmp_path / "base.nc", tmp_path / "half.nc", tmp_path / "other.nc"]
    for store, scenarios, seed in zip(stores, ([], [str(half)], []), (1, 1, 2), strict=True):
        run_ensemble(daryo.load(model, scenarios=scenarios), EnsembleOptions(traces=8, years=2, seed=seed), store)
    table = paired_deficit_changes(stores[0], stores[1])
    with xr.open_dataset(stores[0]) as a, xr.open_dataset(stores[1]) as b:
        change = (b["annual_deficit_fraction"] - a["annual_deficit_fraction"]).sel(demand="farm").values.ravel()
    assert table.loc["farm", "better"] == pytest.approx((change < -0.01).mean()) and table.loc["farm", "better"] > 0
    assert table.loc["farm", "worse"] == 0 and table.loc["town", "worse"] == table.loc["town", "better"] == 0
    assert table.loc["farm", "p5"] == pytest.approx(np.percentile(change, 5) * 100)
    assert table.loc["farm", "country"] == "KAZ"
    with pytest.raises(ValueError, match="do not share their traces"):
        paired_deficit_changes(stores[0], stores[2])
    for bad, error in ((-1, ValueError), (float("nan"), ValueError), (1, ValueError), ("0.01", TypeError)):
        with pytest.raises(error, match=f"tolerance={bad!r}: give a change of the annual deficit fraction"):
            paired_deficit_changes(stores[0], stores[1], tolerance=bad)  # (-1 gave every demand worse and better)
    assert main(["compare", str(stores[0]), str(stores[1])]) == 0
    out = capsys.readouterr().out.splitlines()
    head = next(i for i, line in enumerate(out) if line.startswith("paired by trace-year (the same traces)"))
    assert out[head + 1].split() == ["demand", "country", "worse", "better", "p5", "p95"]
    assert out[head + 2].split()[:4] == ["farm", "KAZ", "0.0%", f"{table.loc['farm', 'better']:.1%}"]
    assert len(out) == head + 3  # (the town does not change: not listed)
    assert main(["compare", str(stores[0]), str(stores[2])]) == 0
    assert "paired by trace-year" not in capsys.readouterr().out
    # one run year's traces alone (a review: a drought's years were diluted by the others, with no way to compare
    # them but in xarray)
    from daryo.compare import compare_ensembles

    one = compare_ensembles(stores[0], stores[1], year=1).set_index(["table", "element", "quantity"])
    with xr.open_dataset(stores[1]) as b:
        farm = b["annual_deficit_fraction"].sel(demand="farm").isel(year=1).values
        delivered = b["annual_delivery"].sel(demand="farm").isel(year=1).values.mean()
    assert one.loc[("demand", "farm", "mean deficit"), "second"] == pytest.approx(farm.mean() * 100, rel=1e-12)
    assert one.loc[("demand", "farm", "p95 deficit"), "second"] == pytest.approx(np.percentile(farm, 95) * 100)
    assert one.loc[("demand", "farm", "share above threshold"), "second"] == pytest.approx((farm > 0.3).mean() * 100)
    assert one.loc[("demand", "farm", "delivered"), "second"] == pytest.approx(delivered, rel=1e-12)
    assert paired_deficit_changes(stores[0], stores[1], year=1).loc["farm", "better"] == pytest.approx(
        (change.reshape(8, 2)[:, 1] < -0.01).mean())
    assert main(["compare", str(stores[0]), str(stores[1]), "--year", "1", "--csv", str(tmp_path / "y1.csv")]) == 0
    out = capsys.readouterr().out.splitlines()
    rows = pd.read_csv(tmp_path / "y1.csv")  # (a review: the CSV of one run year read as of the whole runs)
    assert set(rows["first_run"]) == {f"two-countries ({stores[0]}; 8 traces × 2 years, seed 1; run year 1's traces "
                                      "alone)"}
    assert out[0].startswith("second − first: ensemble statistics over each run's traces in run year 1 (")
    assert any(line.startswith("paired by trace-year (the same traces): demands whose annual deficit changes by more "
                               "than 1 percentage point (1): the share of the traces in run year 1 worse")
               for line in out)
    # a run year neither holds: a usage error naming --year, as daryo summary's (a CLI review: exit 1, "year 2: …")
    held = f"{stores[0]} holds run years 0 to 1, which start in 2000-10 to 2001-10"
    assert main(["compare", str(stores[0]), str(stores[1]), "--year", "2"]) == 2
    assert capsys.readouterr().err == f"daryo: error: --year 2: {held}\n"
    assert main(["summary", str(stores[0]), "--year", "2"]) == 2
    assert capsys.readouterr().err == f"daryo: error: --year 2: {held}\n"
    # a calendar year given for a run year: the run year that starts in it (a paleo-hydrologist's review: --year
    # 1741 of a store from 1700 said only "holds run years 0 to 499")
    assert main(["summary", str(stores[0]), "--year", "2001"]) == 2
    assert capsys.readouterr().err == f"daryo: error: --year 2001: {held}; 2001-10 starts run year 1\n"
    assert main(["compare", str(stores[0]), str(stores[1]), "--year", "2001"]) == 2
    assert capsys.readouterr().err == f"daryo: error: --year 2001: {held}; 2001-10 starts run year 1\n"
    for bad, error in ((-1, ValueError), (True, TypeError), (1.5, TypeError)):  # (a diff review: -1 was the last)
        with pytest.raises(error, match="year"):
            paired_deficit_changes(stores[0], stores[1], year=bad)


def test_a_deficit_threshold_and_a_tolerance_of_zero_count_only_the_trace_years_that_change(tmp_path):
    """A mutation-testing audit (second round): no test compared ensembles of a deficit threshold of 0, nor paired
    their changes at a tolerance of 0, so a demand never short counted as short "above 0 %", and one that does not
    change as better, unseen.  BASIN's river of 10 hm³ a month in every trace (years resampled unperturbed), and the
    farm's demand halved: the town's 4 a month met in both; the farm short by 2 of its 8 a month (25 % of its 96 a
    year) in every trace-year of the first, never in the second (it gets its 4 of 4)."""
    from daryo.compare import compare_ensembles, paired_deficit_changes
    from daryo.ensemble import EnsembleOptions, ResampledTraces, run_ensemble

    model = tmp_path / "basin.yaml"
    model.write_text(BASIN)
    half = tmp_path / "half.yaml"
    half.write_text("title: half the farm\nchanges:\n  - scale_demands: {nodes: [farm], factor: 0.5}\n")
    stores = [tmp_path / "base.nc", tmp_path / "half.nc"]
    for store, scenarios in zip(stores, ([], [str(half)]), strict=True):
        loaded = daryo.load(model, scenarios=scenarios)
        run_ensemble(loaded, EnsembleOptions(traces=3, years=2, seed=1, deficit_threshold=0.0), store,
                     source=ResampledTraces.from_model(loaded, perturbation=0.0))
    rows = compare_ensembles(*stores).set_index(["table", "element", "quantity"])
    # above 0 %: the farm in all 6 trace-years of the first (25 %), none of the second; the town (0 %) in none
    for demand, first, second in (("town", 0.0, 0.0), ("farm", 100.0, 0.0)):
        row = rows.loc[("demand", demand, "share above threshold")]
        assert (row["first"], row["second"], row["units"]) == (first, second, "% of trace-years above 0%"), demand
    # the farm's deficit falls by 0.25 in every trace-year: better in all; the town's does not change: neither
    table = paired_deficit_changes(*stores, tolerance=0.0)
    assert table.loc["farm", ["worse", "better"]].tolist() == [0.0, 1.0]
    assert table.loc["town", ["worse", "better"]].tolist() == [0.0, 0.0]
    same = paired_deficit_changes(stores[0], stores[0], tolerance=0.0)  # (nothing changes: nothing worse or better)
    assert (same[["worse", "better"]] == 0).all().all()


def test_two_ensembles_compare_a_countrys_rivers_apart(tmp_path):
    """A country on two rivers has a row per river system in an ensembles' comparison (its country row pools
    them: a review of an appraisal), from the store's demand_system coordinate, worked out again here."""
    from daryo.compare import compare_ensembles
    from daryo.ensemble import EnsembleOptions, run_ensemble
    from daryo.testmodels import two_rivers_two_countries

    store = tmp_path / "e.nc"
    run_ensemble(two_rivers_two_countries(), EnsembleOptions(traces=3, years=2, seed=1), store)
    with xr.open_dataset(store) as ds:
        assert ds["demand_system"].values.tolist() == ["A", "B", "B"]
        delivered = ds["annual_delivery"].mean(("trace", "year")).values
        wanted = ds["annual_demand"].mean(("trace", "year")).values
    rows = compare_ensembles(store, store).set_index(["table", "element", "quantity"])["first"]
    assert rows[("country", "KAZ A", "delivered")] == pytest.approx(delivered[0])
    assert rows[("country", "KAZ A", "deficit share")] == pytest.approx((1 - delivered[0] / wanted[0]) * 100)
    assert rows[("country", "KAZ A", "deficit")] == pytest.approx(wanted[0] - delivered[0])
    assert rows[("country", "KAZ B", "deficit")] == pytest.approx(0, abs=1e-9)
    assert rows[("country", "KAZ", "delivered")] == pytest.approx(delivered[:2].sum())
    assert ("country", "UZB B", "delivered") not in rows.index  # (on one river: its country row says it all)
    # a store of an earlier daryo (no demand_system) against this one: the per-system rows are one-sided, and the
    # note says why, not that an overlay removed elements (a review)
    old = tmp_path / "old.nc"
    with xr.open_dataset(store) as ds:
        ds.drop_vars("demand_system").to_netcdf(old)
    notes = compare_ensembles(old, store).attrs["notes"]
    assert any(n.startswith("8 rows of a country per river system (such as 'KAZ A') only one ensemble has: the "
                            "other's store was written by a daryo before 2026-12-06's") for n in notes)
    assert not any("elements only one has" in n for n in notes)
    # one without the water by season: its rows one-sided, and the note says why (not the reservoirs' reasons)
    seasonless = tmp_path / "seasonless.nc"
    with xr.open_dataset(store) as ds:
        ds.drop_vars(["annual_winter_delivery", "summary_annual_winter_delivery"]).to_netcdf(seasonless)
    table = compare_ensembles(seasonless, store)
    assert table.loc[table["quantity"] == "delivered summer", "first"].isna().all()
    assert "'delivered summer'; 'delivered winter': of one ensemble only: the other's store was written by an " \
           "earlier daryo, which kept no water delivered by season (annual_winter_delivery)" in table.attrs["notes"]
    assert not any("min_volume" in n for n in table.attrs["notes"])
    with xr.open_dataset(store) as ds:  # (one with the water delivered by season and not the water demanded)
        ds.drop_vars(["annual_winter_demand", "summary_annual_winter_demand"]).to_netcdf(seasonless)
    assert "'demanded summer'; 'demanded winter': of one ensemble only: the other's store was written by an " \
           "earlier daryo, which kept no water demanded by season (annual_winter_demand)" in compare_ensembles(
               seasonless, store).attrs["notes"]
    # a country without a code: "—", as a run's comparison and annual_by name it (its rows read " A" before)
    unnamed = tmp_path / "unnamed.nc"
    run_ensemble(two_rivers_two_countries(kaz=""), EnsembleOptions(traces=3, years=2, seed=1), unnamed)
    assert {"— A", "— B"} <= set(compare_ensembles(unnamed, unnamed)["element"])
    runs = daryo.run(two_rivers_two_countries(kaz="")).dataset
    assert {"— A", "— B"} <= set(compare_runs(runs, runs)["element"])


def test_the_diluted_years_note_of_runs_started_in_april_does_not_advise_fewer_years(tmp_path):
    """A review (a basin organisation's season from April): the note advised running again with --years 1, which
    the runs already were; from April, an overlay's year 1 is the run's first six months."""
    from daryo.basins.aral import load_aral_model

    dry = tmp_path / "dry.yaml"
    dry.write_text("title: dry\nchanges:\n  - scale_inflows: {basin: syr, factor: 85 %, years: [1]}\n")
    a, b = (daryo.run(load_aral_model(scenarios=s, start="2026-04", years=1)).dataset for s in ([], [str(dry)]))
    (note,) = [n for n in compare_runs(a, b).attrs["notes"] if "dilute" in n]
    assert "the runs do not both start in October: select those months from both runs' results" in note
    assert "--years N" not in note


def test_two_ensembles_of_other_starts_are_said_to_be_so(tmp_path):
    """A diff review: an ensemble from October and one from April were compared with no word of their starts."""
    from daryo.compare import compare_ensembles
    from daryo.ensemble import run_of

    stores = [tmp_path / "october.nc", tmp_path / "april.nc"]
    for store, start in zip(stores, ("2000-10", "2026-04"), strict=True):
        assert main(["ensemble", "--start", start, "--traces", "2", "--years", "1", "--quiet", "--series", "none",
                     "-o", str(store)]) == 0
    assert [run_of(s)["start"] for s in stores] == ["2000-10", "2026-04"]
    notes = compare_ensembles(*stores).attrs["notes"]
    assert "the ensembles start in other months (2000-10 and 2026-04): their run years are other twelve-month " \
           "spans, so a year's statistics, and its winter and summer, are of other months" in notes
    again = tmp_path / "october-again.nc"  # (another store of the same start: a store against itself is "one")
    assert main(["ensemble", "--start", "2000-10", "--traces", "2", "--years", "1", "--quiet", "--series", "none",
                 "-o", str(again), "--seed", "1"]) == 0
    assert not any(" start " in n for n in compare_ensembles(stores[0], again).attrs["notes"])


def test_two_ensembles_from_april_say_how_an_overlays_years_fall_in_the_stores_years(tmp_path):
    """An ensemble user's review: from April, "an overlay's run year 1 is Y = 0" held for its year 1 alone (its year
    2, October to September, spans two of the store's years); from October it holds, and is said as before."""
    from daryo.compare import compare_ensembles

    for name, start in (("april.nc", "2026-04"), ("october.nc", "2000-10")):
        assert main(["ensemble", "--start", start, "--traces", "2", "--years", "2", "--quiet", "--series", "none",
                     "--scenario", "drought-2021", "-o", str(tmp_path / name)]) == 0
    (april,) = [n for n in compare_ensembles(tmp_path / "april.nc", tmp_path / "april.nc").attrs["notes"]
                if "--year Y" in n]
    assert ("daryo compare A B --year Y, Y counted from 0: the run starts in April, so an overlay's run year 1, to "
            "the first September, is in Y = 0 and its run year k > 1, October to September, spans Y = k - 2 and "
            "k - 1; year=Y in Python") in april
    (october,) = [n for n in compare_ensembles(tmp_path / "october.nc", tmp_path / "october.nc").attrs["notes"]
                  if "--year Y" in n]
    assert "Y counted from 0: an overlay's run year 1 is Y = 0; year=Y in Python" in october


def test_compare_runs_notes_runs_of_different_model_files(tmp_path):
    """A WEAP user's review: two runs of two versions of a model file, both labelled by the model's name, were
    compared with every change put down to the overlays.  Runs of one file have no such note."""
    (tmp_path / "v0.yaml").write_text(BASIN)
    (tmp_path / "v1.yaml").write_text(BASIN.replace("inflow: 10}", "inflow: 12}"))
    a, b = (daryo.run(daryo.load(tmp_path / f"v{i}.yaml")).dataset for i in (0, 1))
    note = (f"the runs are of different model files ({tmp_path / 'v0.yaml'} and {tmp_path / 'v1.yaml'}): their "
            "differences are of the files' changes as much as of the overlays")
    assert note in compare_runs(a, b).attrs["notes"]
    assert not [n for n in compare_runs(a, a).attrs["notes"] if "model file" in n]
    (tmp_path / "v0.yaml").write_text(BASIN.replace("inflow: 10}", "inflow: 11}"))  # (one file edited between runs)
    c = daryo.run(daryo.load(tmp_path / "v0.yaml")).dataset
    edited = (f"the model file {tmp_path / 'v0.yaml'} differs between the runs (edited, or another copy at that "
              "path): their differences are of its changes as much as of the overlays")
    assert edited in compare_runs(a, c).attrs["notes"]


def test_compare_runs_notes_a_data_file_edited_between_runs_of_one_model_file(tmp_path):
    """A carried review item: an inflow's CSV edited between two runs of one model file (its digest the same) was
    compared with no note; the runs' digests of what they computed from tell them apart.  Runs of the same data,
    or of other overlays, have no such note."""
    (tmp_path / "basin.yaml").write_text(BASIN.replace("inflow: 10}", "inflow: {csv: river.csv, column: flow}}"))
    csv = tmp_path / "river.csv"
    dates = pd.date_range("2000-10", periods=12, freq="MS").strftime("%Y-%m")
    runs = []
    for flow in (10.0, 10.0, 7.0):
        pd.DataFrame({"date": dates, "flow": flow}).to_csv(csv, index=False)
        runs.append(daryo.run(daryo.load(tmp_path / "basin.yaml")).dataset)
    note = ("the runs are of the same model file and overlays, yet what they computed from differs (their "
            "network_sha256): a data file the model reads, such as an inflow's CSV, or an overlay file changed "
            "between them: their differences are of its changes as much as of the overlays")
    assert note in compare_runs(runs[0], runs[2]).attrs["notes"]
    assert not [n for n in compare_runs(runs[0], runs[1]).attrs["notes"] if "differs (their network_sha256)" in n]
    half = tmp_path / "half.yaml"
    half.write_text("changes:\n  - scale_demands: {nodes: [farm], factor: 0.5}\n")
    other = daryo.run(daryo.load(tmp_path / "basin.yaml", scenarios=[str(half)])).dataset
    assert not [n for n in compare_runs(runs[2], other).attrs["notes"] if "network_sha256" in n]
    # (a diff review: runs of other spans, and of models made in Python, which have no file, were given it)
    (tmp_path / "long.yaml").write_text(BASIN.replace("end: 2001-09", "end: 2002-09"))
    spans = [daryo.run(daryo.load(tmp_path / "long.yaml"), daryo.RunOptions(years=y)).dataset for y in (1, 2)]
    assert spans[0].attrs["network_sha256"] != spans[1].attrs["network_sha256"]
    assert not [n for n in compare_runs(*spans).attrs["notes"] if "network_sha256" in n]
    built = [daryo.run(m).dataset for m in (testmodels.two_priorities(), testmodels.chain_of_demands())]
    assert not [n for n in compare_runs(*built).attrs["notes"] if "network_sha256" in n]
    older = runs[0].assign_attrs(daryo="0.0.1")
    assert "or the daryo that made them (versions 0.0.1 and " in " ".join(compare_runs(older, runs[2]).attrs["notes"])


def test_daryo_compare_writes_its_csv_to_nine_significant_digits(tmp_path):
    """An interoperability review: the CSV had every digit of a float64 (1461.9999999990007, solver noise of
    1.6e-10 % of demand shown as data); it has the 9 significant digits of daryo run's CSV files."""
    for name, inflow in (("a", 10 / 3), ("b", 11 / 3)):
        (tmp_path / f"{name}.yaml").write_text(BASIN.replace("inflow: 10}", f"inflow: {inflow!r}}}"))
        daryo.run(daryo.load(tmp_path / f"{name}.yaml")).to_netcdf(tmp_path / f"{name}.nc")
    csv = tmp_path / "c.csv"
    assert main(["compare", str(tmp_path / "a.nc"), str(tmp_path / "b.nc"), "--csv", str(csv)]) == 0
    table = pd.read_csv(csv)
    numbers = [str(v) for v in pd.read_csv(csv, dtype=str)[["first", "second", "difference"]].stack()]
    digits = [len(v.lower().split("e")[0].replace("-", "").replace(".", "").lstrip("0")) for v in numbers]
    assert max(digits) == 9 and table["first"].notna().any()


def test_a_difference_within_rounding_is_none():
    """A diff review: a country's winter water of 238 hm³/yr in both runs was written as changed by -1.03e-09 (the
    same water summed in another order); a difference within 1e-9 of the larger value (or of 1) is 0."""
    from daryo.compare import _difference

    first = pd.Series([238.0, 1.0, np.nan, 0.0, 1e6])
    second = pd.Series([238.0 - 1.03e-9, 1.5, 2.0, 2e-10, 1e6 + 0.01])
    got = _difference(first, second)
    assert got.iloc[[0, 1, 3]].tolist() == [0.0, 0.5, 0.0] and np.isnan(got.iloc[2])
    assert got.iloc[4] == pytest.approx(0.01)


def test_solver_noise_in_a_comparisons_values_is_none():
    """A verifier's review: the ensembles' comparison wrote a country's deficit of 3.1e-09 hm³/yr (solver noise) as
    data, and a diff review one of 3.5e-08 (the noise of each step summed over a year); values up to a millionth (of
    a hm³, a GWh or a percentage point) are 0."""
    from daryo.compare import _side_by_side

    first = pd.DataFrame({"table": ["country"] * 3, "element": ["AFG"] * 3, "quantity": ["deficit", "x", "y"],
                          "units": ["hm3 per year", "%", "%"], "value": [3.1e-9, 5.0, 2e-6]})
    second = first.assign(value=[3.5e-8, -2e-9, -2e-6])
    both = _side_by_side(first, second)
    assert both["first"].tolist() == [0.0, 5.0, 2e-6] and both["second"].tolist() == [0.0, 0.0, -2e-6]


def test_compare_runs_notes_runs_of_different_time_steps(tmp_path):
    """A daily model's reviewer: runs of one model at 1-day and 10-day steps were compared with no word of their
    steps (10-day steps make years of 360 or 370 days).  Runs of one step have no such note."""
    daily = BASIN.replace("time: {start: 2000-10, end: 2001-09}",
                          "time: {start: 2000-10-01, end: 2001-09-30, step: {days: 1}}")
    (tmp_path / "d1.yaml").write_text(daily)
    (tmp_path / "d10.yaml").write_text(daily.replace("step: {days: 1}", "step: {days: 10}"))
    one, ten = (daryo.run(daryo.load(tmp_path / f"{n}.yaml")).dataset for n in ("d1", "d10"))
    note = ("the runs have different time steps (1 day and 10 days): their differences are of the steps (N-day "
            "steps' years of 360 or 370 days, a month's values other than rates taken by the month a step starts "
            "in) as much as of the overlays")
    assert note in compare_runs(one, ten).attrs["notes"]
    assert not [n for n in compare_runs(one, one).attrs["notes"] if "time steps" in n]


def test_compare_runs_notes_runs_of_dekads_and_months(tmp_path):
    """The dekads brief: runs of one model by months and by dekads are of different time steps, and the note says
    how (each dekad takes its month's values), not of N-day steps' years of 360 or 370 days."""
    (tmp_path / "m.yaml").write_text(BASIN)
    (tmp_path / "d.yaml").write_text(BASIN.replace("time: {start: 2000-10, end: 2001-09}",
                                                   "time: {start: 2000-10, end: 2001-09, step: dekad}"))
    months, dekads = (daryo.run(daryo.load(tmp_path / f"{n}.yaml")).dataset for n in ("m", "d"))
    notes = compare_runs(months, dekads).attrs["notes"]
    assert ("the runs have different time steps (month and dekads): their differences are of the steps (12 monthly "
            "amounts per step, not rates, taken by each of a month's dekads) as much as of the overlays") in notes
    # one span, by its last day, not its last step's start (a diff review: "the runs cover different spans")
    assert not [n for n in notes if "different spans" in n], notes


def test_two_ensembles_of_dekads_and_months_or_other_days_are_said_to_be_so(tmp_path):
    """A BWO planner's review of dekads: a monthly and a dekad ensemble were compared with no word of their steps
    (stores kept no time step), and ensembles of dekads from the 1st and the 21st with none of their starts (a store
    recorded its start as YYYY-MM)."""
    from daryo.compare import compare_ensembles
    from daryo.ensemble import run_of

    model = tmp_path / "m.yaml"
    model.write_text(BASIN.replace("time: {start: 2000-10, end: 2001-09}", "time: {start: 2000-10, end: 2002-09}"))
    dekads = tmp_path / "d.yaml"
    dekads.write_text(model.read_text().replace("end: 2002-09}", "end: 2002-09, step: dekad}"))
    late = tmp_path / "late.yaml"
    late.write_text(dekads.read_text().replace("start: 2000-10,", "start: 2000-10-21,"))
    stores = {}
    for name, path in (("m", model), ("d", dekads), ("late", late)):
        stores[name] = tmp_path / f"{name}.nc"
        assert main(["ensemble", str(path), "--traces", "2", "--years", "1", "--quiet", "--series", "none", "-o",
                     str(stores[name])]) == 0
    assert [run_of(stores[k])["start"] for k in ("m", "d", "late")] == ["2000-10", "2000-10-01", "2000-10-21"]
    assert [run_of(stores[k])["time_step"] for k in ("m", "d")] == ["month", "dekad"]
    notes = compare_ensembles(stores["m"], stores["d"]).attrs["notes"]
    said = ("the ensembles have different time steps (month and dekads): their differences are of the steps (12 "
            "monthly amounts per step, not rates, taken by each of a month's dekads) as much as of the overlays")
    assert said in notes
    notes = compare_ensembles(stores["d"], stores["late"]).attrs["notes"]
    assert ("the ensembles start on other days (2000-10-01 and 2000-10-21): their run years are other twelve-month "
            "spans, so a year's statistics, and its winter and summer, are of other months") in notes
    assert not any("time steps" in n for n in notes)
    # a store of a daryo before 2026-12-06's kept no time step: its steps tell it (a diff review)
    old = tmp_path / "old.nc"
    with xr.open_dataset(stores["late"]) as ds:
        ds.load()
        del ds.attrs["time_step"]
        ds.to_netcdf(old)
    assert (run_of(old)["time_step"], run_of(old)["start"]) == ("dekad", "2000-10-21")
    assert any("different time steps (month and dekads)" in n for n in compare_ensembles(stores["m"], old).attrs[
        "notes"])


def test_compare_runs_gives_each_reservoirs_shortfall_of_its_rule_curve():
    """Two runs' rule curves held or not, side by side (a helper's time box left it out; ensembles compare them
    too): a dam of target 80 filling from 50 by 5 hm³ a month ends its first 5 steps short (25, 20, 15, 10, 5 of
    24: a mean of 75/24 hm³, 5 steps of 24) and, fed 20, its first step only (10); a reservoir without a rule curve
    has no such rows."""
    def run(inflow):
        nodes = [{"id": "up", "type": "inflow", "inflow": inflow},
                 {"id": "dam", "type": "reservoir", "max_volume": 100, "initial_volume": 50, "target_volume": 80},
                 {"id": "pond", "type": "reservoir", "max_volume": 10, "initial_volume": 5},
                 {"id": "sea", "type": "sink"}]
        return daryo.run(testmodels.build(nodes, [["up", "dam"], ["dam", "pond"], ["pond", "sea"]], steps=24,
                                          allocation="cost")).dataset

    rows = compare_runs(run(5), run(20)).set_index(["table", "element", "quantity"])
    short = rows.loc[("reservoir", "dam", "short of rule curve, mean")]
    assert (short["first"], short["second"]) == (pytest.approx(75 / 24), pytest.approx(10 / 24))
    steps = rows.loc[("reservoir", "dam", "steps short of rule curve")]
    assert (steps["first"], steps["second"]) == (pytest.approx(500 / 24), pytest.approx(100 / 24))
    assert ("reservoir", "pond", "short of rule curve, mean") not in rows.index


def test_compare_runs_sets_each_plants_energy_target_beside_its_shortfall(tmp_path):
    """A Tajik utility planner's review: a deal that lowered Nurek's target showed "short of target 154.8 → 0.0",
    which read as the deal meeting it; the target itself is a row too.  A plant of 10 MW at 100 m head (7.44 GWh
    in January's 744 h at most) asked 9 GWh a month, then 5: 12 × 9 and 12 × 5 GWh a year."""
    body = """\
version: 1
name: t
time: {start: 2001-01, end: 2001-12}
nodes:
  - {id: up, type: inflow, inflow: 500}
  - {id: hpp, type: hydropower, capacity: 10 MW, head: 100, energy_target: TARGET GWh}
  - {id: sea, type: sink}
edges: [[up, hpp], [hpp, sea], [up, sea]]
"""
    runs = []
    for target in (9, 5):
        (tmp_path / "m.yaml").write_text(body.replace("TARGET", str(target)))
        runs.append(daryo.run(daryo.load(tmp_path / "m.yaml")).dataset)
    rows = compare_runs(*runs).set_index(["table", "element", "quantity"])
    target = rows.loc[("plant", "hpp", "energy target")]
    assert (target["first"], target["second"]) == (pytest.approx(108.0), pytest.approx(60.0))
    short = rows.loc[("plant", "hpp", "short of target")]
    assert short["first"] > 0 and short["second"] == pytest.approx(0.0, abs=1e-9)


def test_a_plants_energy_target_and_shortfall_are_compared_as_means_over_the_scenarios():
    """A mutation-testing audit: compare_runs's energy target row summed over the scenarios instead of taking their
    mean went unseen (its test had one scenario).  A plant of 10 MW at 100 m head (efficiency 0.9) asked 20 GWh a
    month, then 15, its river 200, 20 or 10 hm³ a month in three scenarios, October 2000 to September 2001::

        [in: 200 | 20 | 10] --> (j) --> [p: 10 MW, 100 m] --> [sea]
                                  \\-----------------------> [sea]
    """
    def run(target: float) -> xr.Dataset:
        nodes = [{"id": "in", "type": "inflow", "inflow": {"values": [[200] * 12, [20] * 12, [10] * 12]}},
                 {"id": "j", "type": "junction"},
                 {"id": "p", "type": "hydropower", "capacity": 10, "head": 100, "energy_target": target},
                 {"id": "sea", "type": "sink"}]
        return daryo.run(testmodels.build(nodes, [["in", "j"], ["j", "p"], ["j", "sea"], ["p", "sea"]], steps=12,
                                          start="2000-10")).dataset

    rows = compare_runs(run(20), run(15)).set_index(["table", "element", "quantity"])
    # the target: 20 × 12 = 240 GWh a year in each scenario, then 15 × 12 = 180 (summed over three: 720 and 540)
    target = rows.loc[("plant", "p", "energy target")]
    assert (target["first"], target["second"], target["difference"]) == (
        pytest.approx(240.0), pytest.approx(180.0), pytest.approx(-60.0))
    # generated (0.002725 GWh per hm³ and m × 100 m × 0.9 = 0.24525 GWh per hm³): 87.6 (10 MW × 8760 h), 58.86
    # (240 × 0.24525) and 29.43 GWh a year, short of 240 by 152.4, 181.14 and 210.57, a mean of 181.37; of 180 by
    # 92.4, 121.14 and 150.57, a mean of 121.37
    short = rows.loc[("plant", "p", "short of target")]
    assert (short["first"], short["second"], short["difference"]) == (
        pytest.approx(181.37), pytest.approx(121.37), pytest.approx(-60.0))


def test_each_scenario_of_two_runs_is_compared_where_they_have_two_or_more():
    """A team's review: a pull request that raised a flow requirement raised a country's deficit from 9.8 to 318
    hm³/yr in the dry scenario, and compare showed only the pooled +100.  A river of 12 or 4 a month ("wet", "dry")
    into a demand of 6 a month, then 8, the rest to the sea, October 2000 to September 2001::

        [river] --> [d: UZB, 6 | 8 a month]
              \\--> [sea]

    wet: none short either way; dry: short 2 a month (24 a year), then 4 (48)."""
    def run(demand: float) -> xr.Dataset:
        nodes = [{"id": "river", "type": "inflow", "inflow": {"values": [[12.0] * 12, [4.0] * 12],
                                                               "scenarios": ["wet", "dry"]}},
                 {"id": "d", "type": "demand", "demand": demand, "country": "UZB"}, {"id": "sea", "type": "sink"}]
        return daryo.run(testmodels.build(nodes, [["river", "d"], ["river", "sea"]], steps=12,
                                          start="2000-10")).dataset

    rows = compare_runs(run(6), run(8)).set_index(["table", "element", "quantity"])
    for scenario, first, second in (("wet", 0.0, 0.0), ("dry", 24.0, 48.0)):
        row = rows.loc[("scenario", scenario, "deficit")]
        assert (row["first"], row["second"], row["units"]) == (pytest.approx(first, abs=1e-6),
                                                                pytest.approx(second), "hm3 per year")
    assert rows.loc[("scenario", "dry", "delivered"), "difference"] == pytest.approx(0.0, abs=1e-6)  # (4 a month)
    assert rows.loc[("scenario", "wet", "sink inflow"), "difference"] == pytest.approx(-24.0)
    assert rows.loc[("demand", "d", "deficit"), "second"] == pytest.approx(24.0)  # (pooled: the mean of 0 and 48)
    one = compare_runs(run(6).isel(scenario=[1]), run(8).isel(scenario=[1]))
    assert "scenario" not in set(one["table"])  # (one scenario: its rows are the run's)


def test_daryo_compare_of_runs_of_many_scenarios_leaves_their_scenario_rows_to_all(tmp_path, capsys):
    """22 scenarios' rows would bury the others (a run of 100 traces: 500 rows): daryo compare prints them where
    there are at most 20 scenarios, and else says how many it leaves to --all (and the CSV table)."""
    def run(demand: float, n: int, name: str) -> str:
        nodes = [{"id": "river", "type": "inflow", "inflow": {"values": [[float(k)] * 12 for k in range(n)]}},
                 {"id": "d", "type": "demand", "demand": demand, "country": "UZB"}, {"id": "sea", "type": "sink"}]
        daryo.run(testmodels.build(nodes, [["river", "d"], ["river", "sea"]], steps=12,
                                   start="2000-10")).to_netcdf(tmp_path / name)
        return str(tmp_path / name)

    for n, shown in ((22, False), (3, True)):
        first, second = run(6, n, f"a{n}.nc"), run(8, n, f"b{n}.nc")
        assert main(["compare", first, second]) == 0
        out = capsys.readouterr().out
        assert any(line.startswith("  scenario ") for line in out.splitlines()) is shown, out
        left = f"rows of the runs' {n} scenarios that change are not shown (more than 20 scenarios)"
        assert (left in out) is not shown
    assert main(["compare", str(tmp_path / "a22.nc"), str(tmp_path / "b22.nc"), "--all"]) == 0
    assert sum(line.startswith("  scenario ") for line in capsys.readouterr().out.splitlines()) == 22 * 3  # (no energy)


def _dam_stores(tmp_path, bigger: float = 1.5):
    """Three ensembles (8 traces × 3 years) of a basin whose inflow the traces resample::

        [up: 4 years] --> <dam: 50..400, 250 at the start> --> (river) --> [farm] (the second: × 1.5)
                                                                  \\--> [sea]

    ``base`` (seed 1), ``other`` (seed 2: other traces) and ``bigger`` (seed 1, the farm's demand × 1.5: the same
    traces), as zarr stores."""
    from daryo.ensemble import EnsembleOptions, run_ensemble

    rng = np.random.default_rng(42)
    season = 1.0 + 0.9 * np.sin(2 * np.pi * (np.arange(24) - 2) / 12)
    up = (40 * season[None, :] * rng.lognormal(0, 0.3, (4, 24))).round(3).tolist()
    farm = [5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5]
    stores = {}
    for name, seed, scale in (("base", 1, 1.0), ("other", 2, 1.0), ("bigger", 1, bigger)):
        nodes = [{"id": "up", "type": "inflow", "inflow": {"values": up}},
                 {"id": "dam", "type": "reservoir", "max_volume": 400, "min_volume": 50, "initial_volume": 250,
                  "cost": -2.0},
                 {"id": "river", "type": "junction"},
                 {"id": "farm", "type": "demand", "demand": [d * scale for d in farm], "cost": -50.0},
                 {"id": "sea", "type": "sink", "cost": 1.0}]
        edges = [["up", "dam"], ["dam", "river"], ["river", "farm"], ["river", "sea"]]
        stores[name] = tmp_path / f"{name}.zarr"
        run_ensemble(testmodels.build(nodes, edges, steps=24, allocation="cost", start="2001-10"),
                     EnsembleOptions(traces=8, years=3, seed=seed, chunk_size=4), stores[name])
    return stores


def _by_trace_se(x):
    """The standard error by trace of the mean of ``x`` (trace, year), worked out on its own: the traces' sums
    s_i of y years each, √(n/(n−1) Σ (s_i − mean · y)²) / (n y)."""
    n, y = x.shape
    s = x.sum(axis=1)
    return np.sqrt(n / (n - 1) * ((s - x.mean() * y) ** 2).sum()) / (n * y)


def _annual_of(store, name, element):
    with xr.open_dataset(store, engine="zarr") as ds:
        dim = next(d for d in ds[name].dims if d not in ("trace", "year"))
        return ds[name].sel({dim: element}).transpose("trace", "year").values.astype(float)


def _stress_sums(store):
    """Each trace's sums of the withdrawal (in %) and of the renewable water less the environmental flow of the
    store's river system: a water stress's numerator and denominator."""
    with xr.open_dataset(store, engine="zarr") as ds:
        renewable = ds["annual_renewable_water"].isel(system=0).values.astype(float)
        left = renewable - np.minimum(ds["annual_environmental_flow"].isel(system=0).values, renewable)
        return ds["annual_withdrawal"].isel(system=0).values.astype(float).sum(axis=1) * 100, left.sum(axis=1)


def test_two_ensembles_of_other_seeds_give_each_difference_its_sampling_noise(tmp_path, capsys):
    """A statistician's review: two baselines that differ only by seed showed 214 changed rows, every one within 1.8
    standard errors of zero, and the water one drew from its reservoirs was given a physical reason.  Each mean or
    share's difference now has its standard error by trace, √(SE₁² + SE₂²), worked out here from the stores' annual
    arrays; daryo compare shows the margin of its 95 % interval and hides the rows within it of zero, and the
    draw from storage is not told where it is within its noise."""
    from daryo.compare import compare_ensembles

    stores = _dam_stores(tmp_path)
    table = compare_ensembles(stores["base"], stores["other"])
    assert list(table.columns) == list(ENSEMBLE_COLUMNS) and not table.attrs["paired"]
    got = table.set_index(["table", "element", "quantity"])
    a, b = (_annual_of(stores[k], "annual_sink_inflow", "sea") for k in ("base", "other"))
    se = np.hypot(_by_trace_se(a), _by_trace_se(b))
    assert se > 0 and got.loc[("sink", "sea", "inflow"), "se"] == pytest.approx(se, rel=1e-6)
    t7 = scipy.stats.t.ppf(0.975, 7)  # (8 traces: Student's t of 7 degrees of freedom, a diff review; not 1.96)
    assert got.loc[("sink", "sea", "inflow"), "margin95"] == pytest.approx(t7 * se, rel=1e-6)
    lowest = [_annual_of(stores[k], "annual_min_storage", "dam") for k in ("base", "other")]
    assert got.loc[("reservoir", "dam", "lowest storage, mean"), "se"] == pytest.approx(
        np.hypot(*(_by_trace_se(x) for x in lowest)), rel=1e-6)
    # the water stress, a ratio of means: the traces' sums of the withdrawal s_i and of the water w_i, R = Σs / Σw
    ratio_se = []
    for k in ("base", "other"):
        s, w = _stress_sums(stores[k])
        ratio_se.append(np.sqrt(8 / 7 * ((s - s.sum() / w.sum() * w) ** 2).sum()) / w.sum())
    (system,) = [key for key in got.index if key[2] == "stress"]
    assert got.loc[system, "se"] == pytest.approx(np.hypot(*ratio_se), rel=1e-5)
    # the volume at the end, one value a trace: the standard error of a mean of 8
    ends = []
    for k in ("base", "other"):
        with xr.open_dataset(stores[k], engine="zarr") as ds:
            ends.append(ds["storage"].isel(time=-1).sel(reservoir="dam").values.astype(float))
    end_se = np.hypot(*(e.std(ddof=1) / np.sqrt(8) for e in ends))
    assert got.loc[("reservoir", "all", "change over the run, mean"), "se"] == pytest.approx(end_se, rel=1e-6)
    assert got.loc[("reservoir", "dam", "storage at start"), "se"] == 0.0  # (the model's: not a sample)
    assert np.isnan(got.loc[("reservoir", "dam", "lowest storage, p5"), "se"])  # (a percentile: no interval)
    assert not got.loc[("reservoir", "dam", "lowest storage, p5"), "within_noise"]
    np.testing.assert_array_equal(table["within_noise"], (table["difference"].abs() <= table["margin95"]).to_numpy())
    # the two seeds' difference of the water drawn from the dam is within its noise: not told as a draw
    drawn = got.loc[("reservoir", "all", "change over the run, mean")]
    assert abs(drawn["difference"]) >= 1.25 and drawn["within_noise"]  # (0.5 % of 250: told before)
    assert not any("from its reservoirs" in note for note in table.attrs["notes"])
    assert any(note.startswith("percentiles (p5, p95) have no interval and are left out of the noise test: those "
                               "of two independent samples jump where many trace-years share one value")
               for note in table.attrs["notes"])
    # daryo compare: the margin beside each difference, the rows within their noise counted and hidden
    csv = tmp_path / "seeds.csv"
    assert main(["compare", str(stores["base"]), str(stores["other"]), "--csv", str(csv)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert ("  ± 95 %: the margin of the difference's 95 % interval, t standard errors by trace (Student's t of 7 "
            "degrees of freedom; of two independent samples: their traces differ); a percentile has none") in out
    head = next(i for i, line in enumerate(out) if line.split()[:3] == ["table", "element", "quantity"])
    assert out[head].split()[-3:] == ["±", "95", "%"]
    rows = [line.split() for line in out[head + 1:] if line.startswith("  ")]
    shown = {(r[0], r[1]) for r in rows}
    assert ("sink", "sea") not in shown and ("reservoir", "dam") in shown  # (lowest storage, p5: no interval)
    assert all(line.endswith("no interval") for line in out[head + 1:] if line.startswith("  reservoir"))
    big = ~(table["difference"].abs() < 0.05)
    unchanged, noisy = int((~big).sum()), int((big & table["within_noise"]).sum())
    assert noisy >= 4 and (f"({unchanged} of {len(table)} rows do not change by 0.05 or more; {noisy} rows differ by "
                           "less than their sampling noise (within the margin of the 95 % interval of zero); --all "
                           "shows them)") in out
    assert set(pd.read_csv(csv).columns) >= {"se", "margin95", "within_noise"}
    assert main(["compare", str(stores["base"]), str(stores["other"]), "--all"]) == 0
    (sea,) = [line for line in capsys.readouterr().out.splitlines() if line.split()[:2] == ["sink", "sea"]]
    assert sea.endswith(f"± {got.loc[('sink', 'sea', 'inflow'), 'margin95']:.1f}")


def test_daryo_compare_fail_on_change_exits_3_where_a_row_it_prints_changes(tmp_path, capsys):
    """A team keeping a model in git: a CI job could not stop on a change of the results, since daryo compare exits
    0 whatever it finds.  ``--fail-on-change`` exits 3 where a row changes by 0.05 or more, counted on stderr: of two
    ensembles of other traces, by more than its sampling noise, the percentiles (which have no interval) left out;
    of two sharing their traces, every such row.  The same run twice, also with a water stress of none left (inf −
    inf: a diff reread found it counted), exits 0."""
    first, second = _runs(tmp_path)
    csv = tmp_path / "cmp.csv"
    assert main(["compare", str(first), str(first), "--fail-on-change"]) == 0
    assert "rows change" not in capsys.readouterr().err
    assert main(["compare", str(first), str(second), "--fail-on-change", "--csv", str(csv)]) == 3
    table = pd.read_csv(csv)
    changed = int((table["difference"].abs() >= 0.05).sum())
    assert changed >= 3 and capsys.readouterr().err == (
        f"daryo compare: {changed} of {len(table)} rows change by 0.05 or more (--fail-on-change: exit 3)\n")
    assert main(["compare", str(first), str(second)]) == 0  # (without it, as before)
    none_left = tmp_path / "none_left.yaml"
    none_left.write_text("version: 1\nname: m\ntime: {start: 2000-10, end: 2001-09}\nnodes:\n"
                         "  - {id: wet, type: inflow, inflow: 10}\n  - {id: town, type: demand, demand: 5}\n"
                         "  - {id: keep, type: flow_requirement, at: sea, flow: 20, priority: 2}\n"
                         "  - {id: sea, type: sink}\nedges: [[wet, town], [wet, sea]]\n")
    assert main(["run", str(none_left), "-o", str(tmp_path / "n.nc")]) == 0
    capsys.readouterr()
    assert main(["compare", str(tmp_path / "n.nc"), str(tmp_path / "n.nc"), "--fail-on-change"]) == 0
    assert "none left" not in capsys.readouterr().out  # (none left on both sides: not a change, not printed)
    stores = _dam_stores(tmp_path)
    # two seeds of one model: every difference within its noise but those of percentiles, which have none (a diff
    # reread: they were counted, and the same model failed)
    assert main(["compare", str(stores["base"]), str(stores["other"]), "--fail-on-change", "--csv", str(csv)]) == 0
    table = pd.read_csv(csv)
    big = table["difference"].abs() >= 0.05
    assert not (big & ~table["within_noise"] & table["margin95"].notna()).any()
    percentiles = int((big & table["margin95"].isna()).sum())
    assert percentiles and capsys.readouterr().err == (  # (printed as changes: said why they do not count)
        f"daryo compare: no row changes by 0.05 or more and by more than its sampling noise; {percentiles} "
        f"row{'s' * (percentiles > 1)} of percentiles, which have no interval, not counted (--fail-on-change: exit "
        "0)\n")
    # two seeds, the second with the farm's demand × 1.5: beyond their noise
    assert main(["compare", str(stores["other"]), str(stores["bigger"]), "--fail-on-change", "--csv", str(csv)]) == 3
    table = pd.read_csv(csv)
    big = table["difference"].abs() >= 0.05
    beyond = int((big & ~table["within_noise"] & table["margin95"].notna()).sum())
    percentiles = int((big & table["margin95"].isna()).sum())
    assert beyond and percentiles and capsys.readouterr().err == (
        f"daryo compare: {beyond} of {len(table)} rows change by 0.05 or more and by more than their sampling "
        f"noise ({percentiles} row{'s' * (percentiles > 1)} of percentiles, which have no interval, not counted) "
        "(--fail-on-change: exit 3)\n")
    assert main(["compare", str(stores["base"]), str(stores["bigger"]), "--fail-on-change", "--csv", str(csv)]) == 3
    table = pd.read_csv(csv)
    assert capsys.readouterr().err == (
        f"daryo compare: {int((table['difference'].abs() >= 0.05).sum())} of {len(table)} rows change by 0.05 or more "
        "(the ensembles share their traces: each difference is the change's, not noise) (--fail-on-change: exit 3)\n")
    assert main(["compare", str(stores["base"]), str(stores["base"]), "--fail-on-change"]) == 0


def test_two_ensembles_of_the_same_traces_take_the_noise_of_their_paired_differences(tmp_path, capsys):
    """A statistician's review: over the same traces (the same seed and hydrology) the standard error of a
    difference is that of the traces' differences, far smaller than two independent samples', so that the rules'
    effects show; worked out here from the stores' annual arrays.  The water the bigger farm draws from the dam is
    beyond its noise, and told with its standard error."""
    from daryo.compare import compare_ensembles

    stores = _dam_stores(tmp_path, bigger=1.3)
    table = compare_ensembles(stores["base"], stores["bigger"])
    assert table.attrs["paired"] and table.attrs["atoms"] == []
    got = table.set_index(["table", "element", "quantity"])
    a, b = (_annual_of(stores[k], "annual_sink_inflow", "sea") for k in ("base", "bigger"))
    paired = _by_trace_se(b - a)
    assert got.loc[("sink", "sea", "inflow"), "se"] == pytest.approx(paired, rel=1e-6)
    assert paired < 0.2 * np.hypot(_by_trace_se(a), _by_trace_se(b))
    # the water stress, a ratio of means: the traces' residuals s_i − R w_i over Σw, the second's less the first's
    z = []
    for k in ("base", "bigger"):
        s, w = _stress_sums(stores[k])
        z.append((s - s.sum() / w.sum() * w) / w.sum())
    (system,) = [key for key in got.index if key[2] == "stress"]
    assert got.loc[system, "se"] == pytest.approx(np.sqrt(8 / 7 * ((z[1] - z[0]) ** 2).sum()), rel=1e-5)
    assert not got.loc[system, "within_noise"]
    ends = []
    for k in ("base", "bigger"):
        with xr.open_dataset(stores[k], engine="zarr") as ds:
            ends.append(ds["storage"].isel(time=-1).sel(reservoir="dam").values.astype(float))
    d, se = (ends[1] - ends[0]).mean(), (ends[1] - ends[0]).std(ddof=1) / np.sqrt(8)
    assert got.loc[("reservoir", "all", "change over the run, mean"), "se"] == pytest.approx(se, rel=1e-6)
    t7 = scipy.stats.t.ppf(0.975, 7)
    assert d < -t7 * se
    assert (f"the second ensemble draws {-d:,.1f} hm³ more from its reservoirs than the first over the whole run (the "
            "mean over the traces of their volume at its end less their volume at its start; "
            f"± {t7 * se:,.1f} hm³ at 95 %, a standard error of {se:,.1f} by trace): part of what it delivers "
            "or passes on comes from storage, which years after the run would have to refill") in table.attrs["notes"]
    assert not any(note.startswith("percentiles") for note in table.attrs["notes"])
    assert main(["compare", str(stores["base"]), str(stores["bigger"])]) == 0
    out = capsys.readouterr().out.splitlines()
    assert ("  ± 95 %: the margin of the difference's 95 % interval, t standard errors by trace (Student's t of 7 "
            "degrees of freedom; of the traces' paired differences: they share their traces); a percentile has "
            "none") in out
    (sea,) = [line for line in out if line.split()[:2] == ["sink", "sea"]]
    assert sea.endswith(f"± {t7 * paired:.1f}")
    # of the same traces no row is hidden as noise: each difference is the rules' in the trace-years it shows in (a
    # statistician's diff review: a change in one trace of n has z = 1 exactly, and was hidden whatever its size)
    assert not table["within_noise"].any() and not any("sampling noise" in line for line in out)


def test_a_percentile_near_an_atom_of_the_trace_years_is_named():
    """A statistician's review: Chardara's p5 lowest storage fell by 450 hm³ between two seeds as 4.1 % and 5.0 %
    of the trace-years sat at dead storage: the p5 jumps to the atom.  20 traces × 10 years, 8 of the 200 at dead
    storage (50), one in each of 8 traces: the share at it, 4 %, has the standard error by trace
    √(20/19 · (8 · 0.6² + 12 · 0.4²)) / 200 = 0.0112, so 5 % is within its 95 % interval; with 80 at it (40 %), or
    none shared, the p5 is not near an atom."""
    from daryo.compare_noise import on_atom

    rng = np.random.default_rng(3)
    values = rng.uniform(60, 100, (20, 10))
    values[:8, 0] = 50.0
    assert np.percentile(values, 5) > 55 and on_atom(values, 5.0)
    assert not on_atom(values, 50.0)
    values[:, :4] = 50.0
    assert not on_atom(values, 5.0)
    assert not on_atom(rng.uniform(60, 100, (20, 10)), 5.0)


def test_ensembles_of_other_starts_do_not_share_their_traces_under_other_overlays():
    """A statistician's diff review: an ensemble from April under an overlay was compared with one from October as
    of the same traces ("their differences are of the rules and overlays"), as other overlays explained its other
    inflow digests; a run year from April is other months of the record, so other traces."""
    from daryo.compare import _share_traces

    run = {"model": "aral", "model_text": "x", "inflow_record": "r", "seed": 0, "traces": 30, "years": 10,
           "start": "2000-10", "scenarios": ""}
    april = dict(run, start="2001-04", scenarios="icwc")
    empty = xr.Dataset()  # (stores without trace digests: the runs' own fields decide)
    assert _share_traces(empty, empty, [run, dict(run, scenarios="icwc")])
    assert not _share_traces(empty, empty, [run, april])


def test_two_ensembles_given_with_a_tilde_are_compared(tmp_path, monkeypatch, capsys):
    """A verifier's review: daryo compare '~/e1.nc' '~/e2.nc' said "~/e1.nc is an ensemble's store: daryo compare
    takes the results of two runs", and '~/w.zarr' "no such file or folder": the check of what each input is read
    the path as typed, where the rest of daryo reads ~ as the home folder.  Given with ~ or without, the same."""
    from daryo.ensemble import EnsembleOptions, run_ensemble

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    model = testmodels.farm_and_town()
    for name, seed in (("e1.nc", 1), ("e2.zarr", 2)):
        run_ensemble(model, EnsembleOptions(traces=3, years=1, seed=seed), home / name)
    assert main(["compare", str(home / "e1.nc"), str(home / "e2.zarr")]) == 0
    plain = capsys.readouterr().out
    assert main(["compare", "~/e1.nc", "~/e2.zarr"]) == 0
    assert capsys.readouterr().out == plain.replace(str(home / "e1.nc"), "~/e1.nc").replace(str(home / "e2.zarr"),
                                                                                             "~/e2.zarr")
    assert main(["compare", "~/e1.nc", "~/none.zarr"]) == 1
    assert "~/none.zarr: no such file or folder" in capsys.readouterr().err


def test_compare_runs_of_two_mapping_overlays_of_one_name_blames_the_overlay_not_a_file(tmp_path):
    """A sweep review: two runs of overlays given in Python as mappings, both named "uzb cut" (factors 1.0 and
    0.8), were noted as of "a data file the model reads, … or an overlay file changed between them", though the
    model reads no data file and the overlays have no file."""
    def cut(factor: float) -> dict:
        return {"name": "uzb cut", "changes": [{"scale_demands": {"nodes": ["farm"], "factor": factor}}]}

    a, b = (daryo.run(daryo.load_text(BASIN, scenarios=[cut(f)])).dataset for f in (1.0, 0.8))
    assert a.attrs["scenarios"] == b.attrs["scenarios"] == "uzb cut" and a.attrs["data_files"] == ""
    notes = [n for n in compare_runs(a, b).attrs["notes"] if "network_sha256" in n]
    assert notes == ["the runs are of the same model file, data files and overlay names, yet what they computed "
                     "from differs (their network_sha256): an overlay of the same name in both holds other changes "
                     "(of uzb cut: an overlay given in Python as a mapping has no file, and results record its name "
                     "only; give each variant a name of its own): their differences are of those changes"]
    (tmp_path / "cut.yaml").write_text("changes:\n  - scale_demands: {nodes: [farm], factor: 0.5}\n")
    c = daryo.run(daryo.load_text(BASIN, scenarios=[str(tmp_path / "cut.yaml")])).dataset
    (tmp_path / "cut.yaml").write_text("changes:\n  - scale_demands: {nodes: [farm], factor: 0.6}\n")
    d = daryo.run(daryo.load_text(BASIN, scenarios=[str(tmp_path / "cut.yaml")])).dataset
    (edited,) = [n for n in compare_runs(c, d).attrs["notes"] if "network_sha256" in n]
    assert ("(their network_sha256): an overlay file of the same name differs (edited, or another file of that "
            "name): their differences") in edited


def test_two_ensembles_of_one_seed_whose_traces_nest_are_not_told_independent(tmp_path, capsys):
    """An actuary's review: ensembles of one seed with --traces 150 and 300 (the first 150 traces the same) or
    --years 10 and 20 (the 10-year traces the first 10 years of the 20-year ones) were told "two independent
    samples: their traces differ".  The comparison says how many traces and years they share, that their
    differences are then not of independent samples and, of other run lengths, that they include the run length's;
    ensembles of other seeds are still told apart as other traces."""
    from daryo.compare import compare_ensembles

    stores = {}
    for name, traces, years, seed in (("two", 2, 2, 1), ("three", 3, 2, 1), ("short", 3, 1, 1), ("other", 3, 2, 2)):
        stores[name] = tmp_path / f"{name}.nc"
        assert main(["ensemble", "--traces", str(traces), "--years", str(years), "--seed", str(seed), "--quiet",
                     "--series", "none", "-o", str(stores[name])]) == 0
    capsys.readouterr()
    more = compare_ensembles(stores["two"], stores["three"])
    assert not more.attrs["paired"] and more.attrs["nested"] == {"traces": 2, "years": 2}
    assert more.attrs["notes"][0] == (
        "the ensembles share 2 traces (the same seed and years: the first 2 of the 3 traces of the one are those of "
        "the other, their trace_digest the same): their differences are not of two independent samples, though "
        "their margins are taken as if they were (they then overstate the noise of the difference, which comes from "
        "the traces and years one has and the other lacks); give both the same --traces and --years to compare the "
        "rules alone, trace-year by trace-year")
    longer = compare_ensembles(stores["short"], stores["three"])
    assert longer.attrs["nested"] == {"traces": 3, "years": 1}
    assert longer.attrs["notes"][0].startswith(
        "the ensembles share the first run year of their 3 traces (the same seed: the 1-year traces are the first "
        "year of the 2-year ones, their annual_inflow the same): their differences are not of two independent "
        "samples")
    assert ("and include the run length's: where a run's first years differ from its later ones (a warm-up), the "
            "pooled figures change with --years") in longer.attrs["notes"][0]
    assert compare_ensembles(stores["two"], stores["short"]).attrs["nested"] == {"traces": 2, "years": 1}
    other = compare_ensembles(stores["three"], stores["other"])
    assert other.attrs["nested"] is None and other.attrs["notes"][0].startswith("the ensembles have other traces")
    assert main(["compare", str(stores["two"]), str(stores["three"])]) == 0
    out = capsys.readouterr().out
    assert "their traces differ" not in out and "of two independent samples, though they hold some of the same " \
                                                 "traces (a note below says which)" in out
