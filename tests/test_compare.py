"""Two runs side by side (``daryo.compare.compare_runs``, ``daryo compare``), worked out by hand on a small basin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import daryo
from daryo.cli import main
from daryo.compare import COMPARE_COLUMNS, compare_runs

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
    want = {("country", "KAZ", "demanded summer"): (48, 24), ("country", "KAZ", "delivery winter"): (36, 24),
            ("country", "KAZ", "deficit summer"): (12, 0), ("country", "UZB", "delivery summer"): (24, 24),
            ("sink", "sea", "inflow"): (0, 24), ("requirement", "keep", "required"): (12, 12),
            ("requirement", "keep", "met"): (0, 12), ("system", "north", "withdrawal"): (120, 96),
            ("system", "north", "stress"): (100 * 120 / (120 - 12), 100 * 96 / (120 - 12))}
    for key, (a_value, b_value) in want.items():
        row = got.loc[key]
        np.testing.assert_allclose([row["first"], row["second"], row["difference"]],
                                   [a_value, b_value, b_value - a_value], atol=1e-6, err_msg=str(key))
    assert got.loc[("sink", "sea", "inflow"), "units"] == "hm3 per year"
    assert got.loc[("system", "north", "stress"), "units"] == "%"
    assert list(dict.fromkeys(table["table"])) == ["country", "sink", "requirement", "system"]


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
    assert afg.loc[afg.quantity == "delivery summer", "second"].item() == pytest.approx(6.0)
    # the new rows follow the first run's of their table, not the end of the table
    assert table.index[table.element == "AFG"].max() < table.index[table.table == "sink"].min()


def test_daryo_compare_prints_what_changes_and_writes_the_whole_table(tmp_path, capsys):
    first, second = _runs(tmp_path)
    csv = tmp_path / "cmp.csv"
    assert main(["compare", str(first), str(second), "--csv", str(csv)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("second − first; mean annual values")
    assert out[1] == f"  first:  two-countries ({first}; 2000-10 to 2001-09, 1 scenario)"
    assert out[3].split() == ["table", "element", "quantity", "first", "second", "difference"]
    end = next(i for i, line in enumerate(out) if line.startswith("("))
    rows = {" ".join(line.split()[:-3]): line.split()[-3:] for line in out[4:end]}
    assert rows["sink sea inflow"] == ["0.0", "24.0", "+24.0"]
    assert rows["requirement keep met"] == ["0.0", "12.0", "+12.0"]
    assert rows["country KAZ deficit summer"] == ["12.0", "0.0", "-12.0"]
    assert "country UZB delivery summer" not in rows  # (the town's water does not change: not shown)
    table = pd.read_csv(csv)
    assert list(table.columns) == list(COMPARE_COLUMNS)
    assert (table["difference"].abs() >= 0.05).sum() == len(rows)
    assert out[end] == (f"({len(table) - len(rows)} of {len(table)} rows do not change by 0.05 or more; --all "
                        "shows them)")
    assert "caveats of the second run only:" in out and any("The farm's demand is a guess." in line for line in out)
    assert out[-1] == f"the whole table written to {csv}"
    assert main(["compare", str(first), str(second), "--all"]) == 0
    assert sum(line.startswith("  country ") for line in capsys.readouterr().out.splitlines()) == 12  # 2 × 6


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
