"""Results: NetCDF round trip and the labelled layout."""

import os
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import daryo
from daryo import results as results_module
from daryo import testmodels
from daryo.cf import cf_dataset
from daryo.model import model_from_dict
from daryo.results import SHORTFALL_NOISE, _write_table, shortfall
from daryo.results.dataset import VARIABLES
from daryo.simulate import RunOptions, fastpath
from daryo.testmodels import build


def test_netcdf_round_trip_is_identical(tmp_path):
    res = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=2, years=1))
    path = res.to_netcdf(tmp_path / "r.nc")
    back = xr.open_dataset(path, engine="netcdf4").load()
    written = cf_dataset(res.dataset)  # (the units as CF has them: see tests/test_cf.py)
    for name, da in res.dataset.data_vars.items():
        np.testing.assert_array_equal(back[name].values, da.values)
        assert back[name].attrs == written[name].attrs
    assert list(back.demand_country.values) == list(res.dataset.demand_country.values)
    assert back["days"].attrs["units"] == "days" and back["node_lat"].attrs["units"] == "degrees_north"
    assert back["demand_lon"].attrs["units"] == "degrees_east"


def test_results_take_a_dataset_and_the_api_makes_missing_folders(tmp_path):
    """``Results(None)`` said nothing until its first use ('NoneType' object has no attribute 'sizes'); saving from
    Python makes the folders the CLI would refuse (which checks them before a run)."""
    for wrong in (None, {"storage": [1.0]}):
        with pytest.raises(TypeError, match="Results takes an xarray Dataset .*, not (NoneType|dict)"):
            daryo.Results(wrong)  # type: ignore[arg-type]
    res = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(years=1))
    assert res.to_netcdf(tmp_path / "a" / "b" / "r.nc").is_file()
    assert (tmp_path / "c" / "d" / "storage.csv") in res.to_csv(tmp_path / "c" / "d")


def test_a_path_starting_with_a_tilde_is_in_the_home_folder_and_no_path_is_refused(tmp_path, monkeypatch):
    """A QA pass: to_netcdf("~/r.nc") made a folder named '~' in the current one; to_csv(None) wrote nothing and
    said nothing; to_netcdf(None) failed in pathlib."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    res = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(years=1))
    assert res.to_netcdf("~/r.nc") == tmp_path / "home" / "r.nc" and (tmp_path / "home" / "r.nc").is_file()
    assert (tmp_path / "home" / "csv" / "storage.csv") in res.to_csv("~/csv")
    assert not (tmp_path / "~").exists()
    for call, message in ((lambda: res.to_csv(None), "to_csv takes the path of a folder, not None"),
                          (lambda: res.to_netcdf(None), "to_netcdf takes the path of a file, not None"),
                          (lambda: res.to_netcdf(5), "to_netcdf takes the path of a file, not 5"),
                          (lambda: res.to_netcdf(testmodels.shared_shortage()),  # (its repr: thousands of
                           "to_netcdf takes the path of a file, not a Model$"),  # characters; an API fuzz)
                          (lambda: res.save(csv=""), "save takes the path of a folder \\(csv=\\), not ''")):
        with pytest.raises(TypeError, match=message):
            call()


def test_a_netcdf_link_is_written_through(tmp_path, other_disk):
    """``-o link.nc`` writes the file the link leads to (on another disk, the move into place failed with
    'Invalid cross-device link' after the run) and leaves the link a link."""
    res = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=1, years=1))
    link = tmp_path / "link.nc"
    link.symlink_to(other_disk / "real.nc")  # (dangling: written through, as open() would)
    res.to_netcdf(link)
    assert link.is_symlink() and (other_disk / "real.nc").is_file()
    res.save(netcdf=link)  # and once more, over the earlier results
    assert link.is_symlink()
    with xr.open_dataset(other_disk / "real.nc", engine="netcdf4") as back:
        np.testing.assert_array_equal(back.storage.values, res.dataset.storage.values)
    assert sorted(p.name for p in other_disk.iterdir()) == ["real.nc"]  # no temporary file left


def test_a_reservoirs_node_flow_is_its_release():
    """``node_flow`` is in hm³ per step for every node: a reservoir's is all that leaves it along its edges and its
    spill edge (it was its end-of-step volume, under a flow's units), which balances its storage change."""
    ds = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=2, years=2)).dataset
    dam = ds.node_flow.sel(node="big_dam")
    leaving = [e for e in ds.edge.values.tolist() if e.startswith("big_dam->")]
    assert len(leaving) >= 2  # (its outlets and its spill)
    np.testing.assert_allclose(dam, ds.edge_flow.sel(edge=leaving).sum("edge"), rtol=1e-12, atol=1e-12)
    entering = [e for e in ds.edge.values.tolist() if e.endswith("->big_dam")]
    change = ds.storage.sel(reservoir="big_dam") - ds.storage_start.sel(reservoir="big_dam")
    balance = ds.edge_flow.sel(edge=entering).sum("edge") - dam - ds.evaporation.sel(reservoir="big_dam") - change
    assert float(abs(balance).max()) < 1e-6 and float(dam.max()) > 0


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_a_demand_met_in_full_has_no_deficit_though_the_allocation_holds_it_a_hair_below(method):
    """100 hm³ for a town (20, priority 1) and a farm (200, priority 2): the farm gets 80, so the stages hold the
    town 1e-9 hm³ below its 20, and the final solve may leave it there.  Its deficit is 0, not 1e-9
    (``deficit > 0`` counted such months as short); the deliveries keep the LP's values, so the water still
    balances."""
    model = testmodels.build([{"id": "river", "type": "inflow", "inflow": 100},
                              {"id": "town", "type": "demand", "demand": 20, "priority": 1},
                              {"id": "farm", "type": "demand", "demand": 200, "priority": 2},
                              {"id": "sea", "type": "sink", "cost": 1}],
                             [["river", "town"], ["river", "farm"], ["river", "sea"]], steps=3)
    ds = daryo.run(model, RunOptions(method=method)).dataset
    town, farm = ds.sel(demand="town"), ds.sel(demand="farm")
    np.testing.assert_allclose(town.delivery, 20.0, rtol=0, atol=1e-8)
    np.testing.assert_allclose(farm.delivery, 80.0, rtol=0, atol=1e-8)
    assert (town.deficit == 0).all()
    np.testing.assert_allclose(farm.deficit, 200.0 - farm.delivery, rtol=0, atol=0)
    assert float(abs(ds.mass_balance_error).max()) < 1e-9
    np.testing.assert_allclose(ds.delivery.sum("demand") + ds.sink_inflow.sum("sink"), 100.0, rtol=1e-12)



@pytest.mark.parametrize("method", ["plain", "fast"])
def test_requirement_met_is_the_requirement_when_met_and_the_flow_itself_when_short(method):
    """A town (20, priority 1), a flow requirement at the sea (30, priority 2) and a farm (200, priority 3) on a
    river of 100, 20.7 and 33.37 hm³: in the first month the requirement is met though the stages hold the sea
    1e-9 below 30, and requirement_met is 30; in the others the sea gets what the town leaves (0.7, 13.37) and
    requirement_met is that flow to the last bit (30 − (30 − 0.7) is not 0.7 in floating point)."""
    model = testmodels.build([{"id": "river", "type": "inflow", "inflow": {"values": [100.0, 20.7, 33.37]}},
                              {"id": "town", "type": "demand", "demand": 20, "priority": 1},
                              {"id": "env", "type": "flow_requirement", "at": "sea", "flow": 30, "priority": 2},
                              {"id": "farm", "type": "demand", "demand": 200, "priority": 3},
                              {"id": "sea", "type": "sink"}],
                             [["river", "town"], ["river", "farm"], ["river", "sea"]], steps=3)
    ds = daryo.run(model, RunOptions(method=method)).dataset
    met = ds.requirement_met.sel(requirement="env").isel(scenario=0).values
    sea = ds.node_flow.sel(node="sea").isel(scenario=0).values
    np.testing.assert_allclose(sea, [30.0, 0.7, 13.37], rtol=0, atol=1e-8)
    assert met[0] == 30.0 and (met[1:] == sea[1:]).all()
    assert ds.requirement_at.values.tolist() == ["sea"]  # (the node it is on, which no edge names)

def test_no_result_is_a_negative_zero(tmp_path):
    """The solvers' -0.0 (the demo model's node_flow and node_loss had some) is written as 0, not -0."""
    res = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=1, years=2))
    for name, da in res.dataset.data_vars.items():
        if da.dtype.kind == "f":
            assert not np.any((da.values == 0) & np.signbit(da.values)), name
    res.to_csv(tmp_path)
    assert ",-0," not in (tmp_path / "node_flow.csv").read_text() + (tmp_path / "node_loss.csv").read_text()


def test_text_is_written_to_netcdf_as_character_arrays(tmp_path):
    """HDF5 variable-length strings can crash Python (SIGSEGV, in HDF5) when a file is opened again while open
    and read (netCDF4 1.7.3-1.7.5: Unidata/netcdf4-python#1444; see the ensemble store's test, which crashed).
    daryo writes text as UTF-8 character arrays, read back as text."""
    import netCDF4

    res = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=1, years=1))
    path = res.to_netcdf(tmp_path / "r.nc")
    with netCDF4.Dataset(path) as nc:
        text = [name for name, v in nc.variables.items() if v.dtype is str]
        assert text == [] and nc["node"].dtype == np.dtype("S1") and nc["node"].getncattr("_Encoding") == "utf-8"
    with xr.open_dataset(path) as back:
        assert list(back.node.values) == list(res.dataset.node.values)
        assert list(back.node_country.values) == list(res.dataset.node_country.values)


def test_edges_carry_their_ends_and_the_countries_they_leave_and_enter():
    """A treaty analyst's review: summed by ``edge_country``, the country of the node an edge leaves, Qosh Tepa's
    intake was Uzbek (its junction's); ``edge_to_country`` gives the country of the node it enters, who takes an
    intake's water."""
    model = daryo.load(daryo.demo_model_path())
    ds = daryo.run(model, RunOptions(scenarios=1, years=1)).dataset
    country = {n.id: n.country or "" for n in model.nodes}
    for e in model.edges:
        edge = ds.sel(edge=e.id)
        assert (str(edge.edge_from.values), str(edge.edge_to.values)) == (e.source, e.target)
        assert str(edge.edge_country.values) == country[e.source]
        assert str(edge.edge_to_country.values) == country[e.target]
    assert set(ds.edge_country.values) >= {"KGZ", "UZB"}  # (it was empty for every edge)
    aral = daryo.run(daryo.load(scenarios=["qosh-tepa-10"], years=1)).dataset
    intake = aral.sel(edge="amu_termez->qosh_tepa_canal")
    assert (str(intake.edge_country.values), str(intake.edge_to_country.values)) == ("UZB", "AFG")


def test_model_not_mutated_by_run():
    model = daryo.load(daryo.demo_model_path())
    before = repr(model.nodes)
    daryo.run(model, RunOptions(scenarios=1, years=1))
    assert repr(model.nodes) == before


def test_hydrological_year_and_season_labels():
    ds = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=1, years=1)).dataset
    assert list(ds.hydrological_year.values) == [2001] * 12  # Oct 2000 – Sep 2001
    assert list(ds.season.values[:6]) == ["winter"] * 6 and list(ds.season.values[6:]) == ["summer"] * 6


def test_csv_files_replace_old_ones_and_leave_other_files(tmp_path):
    res = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=1, years=1))
    out = tmp_path / "csv"
    out.mkdir()
    (out / "delivery.csv").write_text("scenario,time,old\n")  # an earlier run's
    (out / "notes.txt").write_text("mine")
    written = res.to_csv(out)
    assert sorted(p.name for p in written) == sorted([f"{n}.csv" for n in res.dataset.data_vars]
                                                     + ["variables.csv", "elements.csv", "steps.csv", "summary.csv",
                                                        "run.csv"])
    assert all(p.parent == out and p.is_file() for p in written)
    assert (out / "delivery.csv").read_text() != "scenario,time,old\n" and (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["csv"]  # no temporary folder left


def test_results_record_each_overlay_file_s_digest_as_applied(tmp_path):
    """A journal's review: results named each overlay by its full path only, so a reader could not check that an
    archived overlay is the one used.  ``overlay_files`` gives each file's SHA-256 as applied, a line ``SHA256  PATH``
    as sha256sum writes it (the library's too, by its file); an overlay given in Python has no file and no line.
    An ensemble's store records them alike."""
    import hashlib

    from daryo.ensemble import EnsembleOptions, run_ensemble

    overlay = tmp_path / "half.yaml"
    overlay.write_text("title: half\nchanges:\n  - scale_inflows: {factor: 50 %}\n")
    python = {"name": "py", "changes": [{"scale_demands": {"factor": 0.9}}]}
    model = daryo.load(daryo.demo_model_path(), scenarios=[str(overlay), python], years=1)
    digest = hashlib.sha256(overlay.read_bytes()).hexdigest()
    assert daryo.run(model).dataset.attrs["overlay_files"] == f"{digest}  {overlay.resolve()}"
    overlay.write_text("title: half\nchanges:\n  - scale_inflows: {factor: 60 %}\n")  # (edited after: as applied)
    assert daryo.run(model).dataset.attrs["overlay_files"] == f"{digest}  {overlay.resolve()}"
    assert daryo.run(daryo.load(daryo.demo_model_path(), years=1)).dataset.attrs["overlay_files"] == ""
    run_ensemble(model, EnsembleOptions(traces=2, years=1, seed=1), tmp_path / "e.nc")
    with xr.open_dataset(tmp_path / "e.nc") as ds:
        assert ds.attrs["overlay_files"] == f"{digest}  {overlay.resolve()}"


@pytest.mark.parametrize("with_overlay", [False, True])
def test_results_record_the_files_digests_as_read_not_as_read_again(tmp_path, monkeypatch, with_overlay):
    """A diff reread: the digests of a model file and of an overlay file were taken by reading each file a second
    time after parsing it, so that a file saved meanwhile (an editor's autosave, a ``git checkout``) was recorded
    as the saved file, whose numbers the results are not.  The digest is now of the bytes parsed."""
    import hashlib
    import shutil

    from daryo.model import documents

    model_file = tmp_path / "demo.yaml"
    shutil.copytree(daryo.demo_model_path().parent, tmp_path, dirs_exist_ok=True)
    overlay = tmp_path / "half.yaml"
    overlay.write_text("title: half\nchanges:\n  - scale_inflows: {factor: 50 %}\n")
    digests = {f: hashlib.sha256(f.read_bytes()).hexdigest() for f in (model_file, overlay)}
    parse = documents.parse_document

    def parse_then_edit(text, name, *args, **kwargs):  # (each file saved again just after it is read)
        out = parse(text, name, *args, **kwargs)
        Path(name).write_text(Path(name).read_text() + "\n# saved again\n")
        return out

    monkeypatch.setattr(documents, "parse_document", parse_then_edit)
    model = daryo.load(model_file, scenarios=[str(overlay)] if with_overlay else [], years=1 if with_overlay else None)
    monkeypatch.undo()
    attrs = daryo.run(model.with_time(years=1)).dataset.attrs
    assert attrs["model_sha256"] == digests[model_file]
    assert attrs["overlay_files"] == (f"{digests[overlay]}  {overlay.resolve()}" if with_overlay else "")


def test_the_csv_folder_says_which_run_it_holds_the_same_for_the_same_inputs(tmp_path):
    """An archive's and a journal's reviews: a folder of CSV files named no run (no daryo version, model, overlays or
    digests), so a folder holding files of two runs, or a rerun's, could not be told.  ``run.csv`` holds the
    results' attributes, a row each, without the time of writing: the same inputs write the same file, byte for
    byte; another overlay another network digest."""
    model = daryo.load(daryo.demo_model_path())
    first, again = (daryo.run(model, RunOptions(scenarios=1, years=1)) for _ in range(2))
    first.to_csv(tmp_path / "a")
    again.to_csv(tmp_path / "b")
    assert (tmp_path / "a" / "run.csv").read_bytes() == (tmp_path / "b" / "run.csv").read_bytes()
    table = pd.read_csv(tmp_path / "a" / "run.csv", keep_default_na=False, dtype=str).set_index("attribute")["value"]
    assert table["daryo"] == daryo.__version__ and table["model_sha256"] == model.file_sha256
    assert table["network_sha256"] == first.dataset.attrs["network_sha256"] and "history" not in table.index
    assert table["model_file"] == first.dataset.attrs["model_file"]
    assert re.fullmatch(r"[0-9a-f]{12}", table["build"])  # (the daryo build: its version is 0.1.0 for every commit)
    half = {"name": "half", "changes": [{"scale_inflows": {"factor": 0.5}}]}
    dry = daryo.run(daryo.load(daryo.demo_model_path(), scenarios=[half]), RunOptions(scenarios=1, years=1))
    dry.to_csv(tmp_path / "a")  # (replaces the earlier run's, as its other files)
    table = pd.read_csv(tmp_path / "a" / "run.csv", keep_default_na=False, dtype=str).set_index("attribute")["value"]
    assert table["network_sha256"] == dry.dataset.attrs["network_sha256"] != first.dataset.attrs["network_sha256"]


def test_the_csv_folder_says_what_each_file_holds_and_in_which_units(tmp_path):
    """variables.csv, a row per file: its variable, units (daryo's), description and the element dimension its
    columns are (empty for a file of one column); it is replaced as a run's file, and a file of that name that is
    not one is not."""
    res = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=1, years=1))
    res.to_csv(tmp_path / "csv")
    table = pd.read_csv(tmp_path / "csv" / "variables.csv", keep_default_na=False).set_index("variable")
    assert list(table.index) == list(res.dataset.data_vars)
    assert table.loc["delivery"].tolist() == ["hm3 per step", "Water delivered", "demand"]
    assert table.loc["storage"].tolist() == ["hm3", "End-of-step volume", "reservoir"]
    assert table.loc["energy", "units"] == "GWh" and table.loc["mass_balance_error", "columns"] == ""
    res.to_csv(tmp_path / "csv")  # (its own file is replaced)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "variables.csv").write_text("variable,meaning\nq,my notes\n")
    with pytest.raises(FileExistsError, match="variables.csv exists and is not a CSV file of a daryo run's results"):
        res.to_csv(tmp_path / "other")
    assert (tmp_path / "other" / "variables.csv").read_text() == "variable,meaning\nq,my notes\n"


#: every variable of a run's results: its units in the Dataset (and variables.csv), and in the NetCDF file its
#: units and cell method over time, written by hand from docs/model-format.md's Results section: what passes in a
#: step is a sum over the step (hm3 per step, GWh); volumes at the step's end and their limits are instants
#: without a cell method; values at the step's start are points
_PER_STEP = ("hm3 per step", "hm3", "time: sum")
_ENERGY = ("GWh", "GW h", "time: sum")
_AT_END = ("hm3", "hm3", None)
UNITS = {
    "mass_balance_error": _PER_STEP, "max_node_balance_error": _PER_STEP,
    "node_flow": _PER_STEP, "node_loss": _PER_STEP, "edge_flow": _PER_STEP, "edge_loss": _PER_STEP,
    "storage": _AT_END, "storage_start": ("hm3", "hm3", "time: point"), "storage_min": _AT_END,
    "storage_max": _AT_END, "storage_target": _AT_END, "storage_shortfall": _AT_END,
    "evaporation": _PER_STEP, "spill": _PER_STEP,
    "demanded": _PER_STEP, "delivery": _PER_STEP, "deficit": _PER_STEP, "consumption": _PER_STEP,
    "return_flow": _PER_STEP,
    "turbine_flow": _PER_STEP, "head": ("m", "m", "time: point"), "energy": _ENERGY, "energy_target": _ENERGY,
    "energy_shortfall": _ENERGY,
    "sink_inflow": _PER_STEP, "required": _PER_STEP, "requirement_met": _PER_STEP, "delay_inflow": _PER_STEP,
    "constraint_value": _PER_STEP, "constraint_min": _PER_STEP, "constraint_max": _PER_STEP,
    "constraint_binds": ("1", "1", None),
}


def test_every_variable_has_the_units_and_cell_method_of_a_sum_over_the_step_or_of_an_instant(tmp_path):
    """::

        [in: 100] --> (dam: evaporation, target_volume, spill_to sea) --> [plant: energy_target 1 GWh]
                  --> (lag: delay 1 step) --> (river: reach) --> [town: demand 10]
                                                             \\--> [sea] <-- eflow: 5 a step

    A mutation-testing review: no test would have seen ``evaporation`` (a loss in the step) given the units of a
    volume at an instant, ``hm3`` instead of ``hm3 per step``, which loses its ``cell_methods: time: sum`` in the
    NetCDF file (read back as a volume, as ``storage``) and says ``hm3`` in variables.csv.  A model with every
    kind of element has every variable results can hold (``VARIABLES``); each one's units in the Dataset and
    variables.csv, and its units and cell method in the NetCDF file, are those of the table above."""
    assert set(UNITS) == VARIABLES
    model = model_from_dict({
        "version": 1, "name": "every_variable", "time": {"start": "2001-01", "end": "2001-02"},
        "nodes": [{"id": "in", "type": "inflow", "inflow": 100},
                  {"id": "dam", "type": "reservoir", "max_volume": 1000, "initial_volume": 500, "evaporation": 100,
                   "level_table": {"volume": [0, 1000], "level": [100, 200], "area": [0, 10]},
                   "target_volume": 600, "spill_to": "sea"},
                  {"id": "plant", "type": "hydropower", "reservoir": "dam", "capacity": "100 MW",
                   "energy_target": 1},
                  {"id": "lag", "type": "delay", "steps": 1, "initial_flow": 20},
                  {"id": "river", "type": "reach", "loss": 0.1},
                  {"id": "town", "type": "demand", "demand": 10, "consumptive_fraction": 0.5},
                  {"id": "eflow", "type": "flow_requirement", "at": "sea", "flow": 5},
                  {"id": "sea", "type": "sink"}],
        "edges": [["in", "dam"], ["dam", "plant"], ["plant", "lag"], ["lag", "river"], ["river", "town"],
                  ["river", "sea"]],
        "constraints": [{"id": "licence", "type": "flow_sum", "nodes": ["town"], "max_flow": 100}]})
    res = daryo.run(model)
    assert set(res.dataset.data_vars) == set(UNITS)
    res.to_csv(tmp_path / "csv")
    table = pd.read_csv(tmp_path / "csv" / "variables.csv", keep_default_na=False).set_index("variable")
    with xr.open_dataset(res.to_netcdf(tmp_path / "r.nc")) as back:
        for name, (units, cf_units, cell_methods) in UNITS.items():
            assert res.dataset[name].attrs["units"] == table.loc[name, "units"] == units, name
            assert (back[name].attrs["units"], back[name].attrs.get("cell_methods")) == (cf_units, cell_methods), name

def test_the_csv_folder_says_what_each_element_is_and_where_its_water_goes(tmp_path):
    """elements.csv, a row per element of each dimension with the coordinates the NetCDF file has: a node's type
    and country, an edge's ends, a demand's priority and where its return flow goes, so that a spreadsheet can
    balance the water from the CSV files alone (a user review: they had only the ids)."""
    res = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=1, years=1))
    res.to_csv(tmp_path / "csv")
    table = pd.read_csv(tmp_path / "csv" / "elements.csv", keep_default_na=False, dtype=str)
    ds = res.dataset
    assert list(table.columns[:2]) == ["dimension", "element"]
    rows = table.set_index(["dimension", "element"])
    for dim in ("node", "edge", "reservoir", "demand", "hydropower", "sink"):
        assert rows.loc[dim].index.tolist() == [str(v) for v in ds[dim].values], dim
    edge = str(ds.edge.values[0])
    assert rows.loc[("edge", edge), ["from", "to"]].tolist() == [str(ds.edge_from.values[0]), str(ds.edge_to.values[0])]
    node = str(ds.node.values[0])
    assert rows.loc[("node", node), "type"] == str(ds.node_type.values[0]) and rows.loc[("node", node), "from"] == ""
    demand = str(ds.demand.values[0])
    assert rows.loc[("demand", demand), "priority"] == str(int(ds.demand_priority.values[0]))  # (not 1.0)
    assert rows.loc[("demand", demand), "return_to"] == str(ds.demand_return_to.values[0])
    # steps.csv: each step's start, days, hydrological year and season, to group the rows of the others by (a
    # review: the CSV files had no hydrological year or season)
    steps = pd.read_csv(tmp_path / "csv" / "steps.csv")
    assert list(steps.columns) == ["time", "days", "hydrological_year", "season"]
    assert steps["time"].tolist() == [str(t)[:10] for t in ds.time.values]
    assert steps["hydrological_year"].tolist() == ds.hydrological_year.values.tolist() == [2001] * 12
    assert steps["season"].tolist() == ["winter"] * 6 + ["summer"] * 6 and steps["days"].sum() == 365
    res.to_csv(tmp_path / "csv")  # (its own file is replaced)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "elements.csv").write_text("element,notes\nfarm,mine\n")
    with pytest.raises(FileExistsError, match="elements.csv exists and is not a CSV file of a daryo run's results"):
        res.to_csv(tmp_path / "other")
    (tmp_path / "other" / "elements.csv").unlink()
    (tmp_path / "other" / "steps.csv").write_text("step,notes\n1,mine\n")
    with pytest.raises(FileExistsError, match="steps.csv exists and is not a CSV file of a daryo run's results"):
        res.to_csv(tmp_path / "other")
    one = daryo.Results(ds.isel(time=3)).to_csv(tmp_path / "one")  # (a selection of one step)
    assert pd.read_csv(tmp_path / "one" / "steps.csv").values.tolist() == [["2001-01-01", 31.0, 2001, "winter"]]
    assert tmp_path / "one" / "steps.csv" in one


def test_failed_csv_write_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    res = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=1, years=1))
    first, second = [f"{n}.csv" for n in list(res.dataset.data_vars)[:2]]
    out = tmp_path / "csv"
    out.mkdir()
    before = {first: "scenario,time,old first", second: "scenario,time,old second", "notes.txt": "mine"}
    for name, text in before.items():
        (out / name).write_text(text)
    real, calls = results_module._write_table, []

    def failing(*args, **kwargs):  # (one CSV file written, the next one not)
        calls.append(args)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(results_module, "_write_table", failing)
    with pytest.raises(OSError, match="disk full"):
        res.to_csv(out)
    assert len(calls) == 2  # the first file was written (elsewhere) before the failure
    assert {p.name: p.read_text() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["csv"]
    # a folder that did not exist is not created by a failed write
    calls.clear()
    with pytest.raises(OSError, match="disk full"):
        res.to_csv(tmp_path / "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["csv"]


def test_an_earlier_runs_csv_files_of_other_variables_are_removed(tmp_path, monkeypatch):
    """A folder holds one run's results: after a model with a reservoir, a run of one without removes the earlier
    ``storage.csv`` (and the other reservoir files), not the user's files, nor a CSV named like a variable that
    is not a results file.  The files are written in a temporary folder inside the CSV folder (on its disk: a
    folder that is a mount point of its own could not take files moved from beside it)."""
    out = tmp_path / "csv"
    daryo.run(testmodels.reservoir_evaporation()).to_csv(out)
    assert (out / "storage.csv").is_file()
    (out / "notes.csv").write_text("scenario,time,mine\n")
    (out / "spill.csv").write_text("my own spill table\n")
    made = []
    real_mkdtemp = __import__("tempfile").mkdtemp
    monkeypatch.setattr("tempfile.mkdtemp", lambda **kw: made.append(kw["dir"]) or real_mkdtemp(**kw))
    res = daryo.run(testmodels.shared_shortage())
    assert "storage" not in res.dataset
    res.to_csv(out)
    assert made == [out]
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{n}.csv" for n in res.dataset.data_vars]
                                                            + ["notes.csv", "spill.csv", "variables.csv",
                                                               "elements.csv", "steps.csv", "summary.csv",
                                                               "run.csv"])
    with pytest.raises(ValueError, match="the NetCDF file and the CSV folder are both"):
        res.save(netcdf=tmp_path / "same.nc", csv=tmp_path / "same.nc")
    assert not (tmp_path / "same.nc").exists()


def test_two_writers_of_one_csv_folder_leave_one_runs_files(tmp_path, monkeypatch):
    """A web-app integrator's review: ``to_csv`` into one folder from two threads at once left it mixing the two
    runs' files (``delivery.csv`` of one, ``storage.csv`` of the other), each file moved into place on its own.
    Here the first writer stops after moving its first file in, until the second has written its files and is
    waiting to move them (or, without the folder's lock, has moved them): the folder then holds the second run's
    files, all of them, and none of the first's."""
    import fcntl
    import threading

    runs = [daryo.run(testmodels.reservoir_evaporation()), daryo.run(testmodels.shared_shortage())]
    alone = []
    for k, res in enumerate(runs):  # (what each writes alone)
        res.to_csv(tmp_path / f"alone{k}")
        alone.append({p.name: p.read_bytes() for p in (tmp_path / f"alone{k}").iterdir()})
    out = tmp_path / "csv"
    first_moved, second_waits, go_on = threading.Event(), threading.Event(), threading.Event()
    writers: dict[str, threading.Thread] = {}
    real_replace, real_flock = os.replace, fcntl.flock

    def replace(src, dst, *args, **kwargs):
        real_replace(src, dst, *args, **kwargs)
        if threading.current_thread() is writers["first"] and Path(dst).parent == out and not first_moved.is_set():
            first_moved.set()
            assert go_on.wait(60)

    def flock(fd, operation):
        if threading.current_thread() is writers["second"]:
            second_waits.set()  # (about to wait for the first writer's lock)
        return real_flock(fd, operation)

    def write(res):
        try:
            res.to_csv(out)
        finally:
            second_waits.set()  # (the second writer done: it did not wait)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(fcntl, "flock", flock)
    writers["first"] = threading.Thread(target=runs[0].to_csv, args=(out,))
    writers["second"] = threading.Thread(target=write, args=(runs[1],))
    writers["first"].start()
    assert first_moved.wait(60)
    writers["second"].start()
    assert second_waits.wait(60)
    go_on.set()
    for writer in writers.values():
        writer.join(60)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == alone[1]


def test_results_record_what_they_were_made_from(tmp_path):
    """The results of ``--scenario qosh-tepa-10 --hydrology stochastic --seed 5`` had the same attributes as those
    of a plain norm run: they now name daryo's version, the model file, the overlays and the hydrology, and keep
    them in NetCDF.  The embedded model's file by its place in the package: its installed path named the user's
    folders in every shared file (a formats review)."""
    from daryo.basins.aral import load_aral_model

    model = load_aral_model(scenarios=["qosh-tepa-10"], hydrology="stochastic", traces=2, years=1, seed=5)
    path = tmp_path / "r.nc"
    daryo.run(model).to_netcdf(path)
    with xr.open_dataset(path) as back:
        attrs = back.attrs
    assert {k: attrs[k] for k in ("daryo", "model_file", "scenarios", "hydrology")} == {
        "daryo": daryo.__version__, "model_file": "daryo/data/aral/aral.yaml", "scenarios": "qosh-tepa-10",
        "hydrology": "kind stochastic, traces 2, seed 5"}
    plain = daryo.run(testmodels.shared_shortage()).dataset.attrs  # a model made in Python: no file
    assert (plain["model_file"], plain["scenarios"], plain["hydrology"]) == ("", "", "")
    assert plain["model_sha256"] == "" and plain["software"].startswith("numpy ")


def test_results_record_the_model_file_s_digest_and_an_overlay_file_s_full_path(tmp_path, monkeypatch):
    """An overlay given as a relative path was recorded as typed ('ov.yaml'), and the model file by name only."""
    import hashlib

    (tmp_path / "ov.yaml").write_text("title: none\nchanges: []\n")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path)
    demo = daryo.demo_model_path()
    model = daryo.load(demo, scenarios=["ov.yaml", "icwc"], years=1)
    monkeypatch.chdir(tmp_path / "elsewhere")  # (the run resolved the path here, where there is no ov.yaml)
    attrs = daryo.run(model).dataset.attrs
    assert attrs["model_sha256"] == hashlib.sha256(Path(demo).read_bytes()).hexdigest()
    assert attrs["scenarios"] == f"{tmp_path.resolve() / 'ov.yaml'}, icwc"
    # the file as it was read, not as it is when the run starts
    copy = tmp_path / "m.yaml"
    copy.write_text(Path(demo).read_text().replace("demo-basin", "demo-copy"))
    for csv in Path(demo).parent.glob("*.csv"):
        (tmp_path / csv.name).write_bytes(csv.read_bytes())
    read = copy.read_bytes()
    model = daryo.load(copy, years=1)
    copy.write_text(copy.read_text() + "# edited after loading\n")
    assert daryo.run(model).dataset.attrs["model_sha256"] == hashlib.sha256(read).hexdigest()
    for package in ("numpy", "highspy", "xarray"):
        assert f"{package} " in attrs["software"]


def test_every_coordinate_is_described_and_the_water_balances_from_the_results_alone(tmp_path):
    """A demand's return goes to its return_to node, or leaves the model: the results did not say which, so the
    demo's balance (delta_irrigation returns nothing to the river) could not be closed from the file."""
    daryo.run(daryo.load(daryo.demo_model_path(), years=2), RunOptions(scenarios=2)).to_netcdf(tmp_path / "r.nc")
    with xr.open_dataset(tmp_path / "r.nc") as ds:
        undescribed = [c for c in ds.coords if not ds[c].attrs.get("description")]
        assert undescribed == ["time_bnds"] == [ds["time"].attrs["bounds"]]  # (a bounds variable is its coordinate's)
        assert list(ds.demand_return_to.values) == ["river_low", "river_low", ""]
        inflow = ds.node_flow.where(ds.node_type == "inflow").sum("node")
        unrouted = ds.return_flow.where(ds.demand_return_to == "").sum("demand")
        out = ((ds.storage - ds.storage_start).sum("reservoir") + ds.evaporation.sum("reservoir")
               + ds.consumption.sum("demand") + unrouted + ds.node_loss.sum("node") + ds.edge_loss.sum("edge")
               + ds.sink_inflow.sum("sink"))
        np.testing.assert_allclose(inflow, out, rtol=0, atol=1e-6)
        assert float(unrouted.sum()) > 1.0  # (the check would not see the returns otherwise)


def test_the_mass_balance_counts_the_returns_that_leave_the_model_and_not_those_routed():
    """::

        [in: 100] --> (j) --> [A: demand 60, consumptive_fraction 0.5, no return_to]
                       |----> [B: demand 20, consumptive_fraction 0.5, return_to r]
                       \\--> (r) --> [sea]

    A mutation-testing review: no test would have seen the system balance count the returns of the demands with a
    return_to as leaving the model and not those without.  Each month A takes 60, consumes 30 and its other 30
    leave the model; B takes 20, consumes 10 and returns 10 to r, which passes them on with the 20 left over:
    100 = 30 + 10 consumed + 30 unrouted + 30 to the sea, so mass_balance_error is 0 in both steps (with the
    wrong returns it would be 30 - 10 = 20)."""
    model = model_from_dict({
        "version": 1, "name": "returns", "time": {"start": "2001-01", "end": "2001-02"},
        "nodes": [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "j", "type": "junction"},
                  {"id": "A", "type": "demand", "demand": 60, "consumptive_fraction": 0.5},
                  {"id": "B", "type": "demand", "demand": 20, "consumptive_fraction": 0.5, "return_to": "r"},
                  {"id": "r", "type": "junction"}, {"id": "sea", "type": "sink"}],
        "edges": [["in", "j"], ["j", "A"], ["j", "B"], ["j", "r"], ["r", "sea"]]})
    ds = daryo.run(model).dataset.isel(scenario=0)
    assert list(ds.demand_return_to.values) == ["", "r"]
    np.testing.assert_allclose(ds.consumption.transpose("demand", "time"), [[30.0, 30.0], [10.0, 10.0]], atol=1e-8)
    np.testing.assert_allclose(ds.return_flow.transpose("demand", "time"), [[30.0, 30.0], [10.0, 10.0]], atol=1e-8)
    np.testing.assert_allclose(ds.sink_inflow.sel(sink="sea"), [30.0, 30.0], atol=1e-8)
    np.testing.assert_allclose(ds.mass_balance_error, [0.0, 0.0], atol=1e-9)


def test_a_loss_that_varies_by_month_is_reported_at_its_smallest_fraction():
    """::

        [in: 100] --> (river: reach, loss 0.05 in January, 0.2 in February)
                      --edge, loss 0.1 in January, 0.3 in February--> [sea]

    A mutation-testing review: no test would have seen ``edge_loss_fraction`` give the largest of a loss that
    varies over the run, where the docs say its smallest (as the water stress's environmental flow reads it).
    A January-February run: the edge's fraction is 0.1 (not 0.3) and the reach's 0.05 (not 0.2).  The losses
    themselves follow the months: the river loses 5 of 100 in January and 20 in February, the edge 0.1 x 95 = 9.5
    and 0.3 x 80 = 24, and the sea gets 85.5 and 56."""
    loss = {"edge": [0.1, 0.3] + [0.0] * 10, "river": [0.05, 0.2] + [0.0] * 10}
    model = model_from_dict({
        "version": 1, "name": "losses", "time": {"start": "2001-01", "end": "2001-02"},
        "nodes": [{"id": "in", "type": "inflow", "inflow": 100},
                  {"id": "river", "type": "reach", "loss": {"monthly": loss["river"]}}, {"id": "sea", "type": "sink"}],
        "edges": [["in", "river"], {"from": "river", "to": "sea", "loss": {"monthly": loss["edge"]}}]})
    ds = daryo.run(model).dataset.isel(scenario=0)
    assert ds.edge_loss_fraction.values.tolist() == [0.0, 0.1]
    assert ds.node_loss_fraction.sel(node="river").item() == 0.05
    np.testing.assert_allclose(ds.node_loss.sel(node="river"), [5.0, 20.0], atol=1e-8)
    np.testing.assert_allclose(ds.edge_loss.sel(edge="river->sea"), [9.5, 24.0], atol=1e-8)
    np.testing.assert_allclose(ds.sink_inflow.sel(sink="sea"), [85.5, 56.0], atol=1e-8)

def test_annual_indicator_keeps_scenarios_on_request():
    import daryo
    from daryo.indicators import annual_by

    ds = daryo.run(daryo.load(daryo.demo_model_path()), daryo.RunOptions(scenarios=2, years=1)).dataset
    per = annual_by(ds, "deficit", scenarios=None)
    assert per.sizes["scenario"] == 2
    np.testing.assert_allclose(per.mean("scenario").to_pandas().to_numpy(),
                               annual_by(ds, "deficit").to_numpy())


def test_written_files_get_the_usual_permissions(tmp_path):
    """Files are written under temporary names (mkstemp makes them 0600) and then get the permissions of a
    newly created file, or keep those of the file they replace."""
    res = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=1, years=1))
    old = os.umask(0o022)
    try:
        nc = res.to_netcdf(tmp_path / "r.nc")
        assert nc.stat().st_mode & 0o777 == 0o644
        csv = res.to_csv(tmp_path / "csv")
        assert {p.stat().st_mode & 0o777 for p in csv} == {0o644}
        assert (tmp_path / "csv").stat().st_mode & 0o777 == 0o755
        nc.chmod(0o640)
        res.to_netcdf(nc)
        assert nc.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


def test_save_writes_netcdf_and_csv_all_or_nothing(tmp_path, monkeypatch):
    res = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=1, years=1))
    nc = tmp_path / "r.nc"
    earlier = _earlier_result(nc)

    def failing(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", failing)
    with pytest.raises(OSError, match="disk full"):
        res.save(netcdf=nc, csv=tmp_path / "csv")
    assert nc.read_bytes() == earlier
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.nc"]  # no temporary file or folder left
    monkeypatch.undo()
    written = res.save(netcdf=nc, csv=tmp_path / "csv")
    assert len(written) == len(res.dataset.data_vars) + 5 and all(p.is_file() for p in written)
    assert xr.open_dataset(nc, engine="netcdf4").sizes["time"] == 12


def test_save_with_nothing_to_write_says_so(tmp_path, monkeypatch):
    """A verifier's review: ``Results.save()`` with neither target returned [] and wrote nothing, silently (a
    service's wiring slip went unseen)."""
    res = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=1, years=1))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TypeError, match="^save: give netcdf=FILE.nc, csv=FOLDER or both: there is nothing to write$"):
        res.save()
    assert list(tmp_path.iterdir()) == []


def test_save_moves_nothing_when_a_target_is_a_folder(tmp_path):
    """A folder where one CSV file goes: nothing is replaced (the CSV files before it once were)."""
    res = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=1, years=1))
    out = tmp_path / "csv"
    (out / "storage.csv").mkdir(parents=True)
    nc = tmp_path / "r.nc"
    earlier = _earlier_result(nc)
    with pytest.raises(IsADirectoryError, match="storage.csv"):
        res.save(netcdf=nc, csv=out)
    assert nc.read_bytes() == earlier
    assert [p.name for p in out.iterdir()] == ["storage.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["csv", "r.nc"]


def _earlier_result(path: Path) -> bytes:
    """Write the results of a run (of another length) to ``path``, as an earlier run would; their bytes."""
    daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=1, years=2)).to_netcdf(path)
    return path.read_bytes()


def test_a_run_replaces_only_an_earlier_runs_results(tmp_path):
    """Saving results never replaces a file that is not a run's results (a model, its input data, a NetCDF file
    of anyone else's) and takes only .nc names; nothing is written when it refuses."""
    res = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=1, years=1))
    model = tmp_path / "model.nc"
    model.write_text("version: 1\n")
    other = tmp_path / "other.nc"
    xr.Dataset({"a": ("x", [1.0])}, attrs={"title": "someone else's"}).to_netcdf(other)
    before = {p.name: p.read_bytes() for p in (model, other)}
    for target in (model, other):
        with pytest.raises(FileExistsError, match="not the results of a daryo run; it is not replaced"):
            res.to_netcdf(target)
    with pytest.raises(ValueError, match="must end in .nc"):
        res.to_netcdf(tmp_path / "r.zarr")
    csv = tmp_path / "csv"
    csv.mkdir()
    (csv / "delivery.csv").write_text("date,upper\n2000-10-01,5\n")  # a model's input, say
    with pytest.raises(FileExistsError, match="delivery.csv exists and is not a CSV file of a daryo run"):
        res.save(netcdf=tmp_path / "new.nc", csv=csv)
    assert {p.name: p.read_bytes() for p in (model, other)} == before
    assert (csv / "delivery.csv").read_text() == "date,upper\n2000-10-01,5\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["csv", "model.nc", "other.nc"]
    assert [p.name for p in csv.iterdir()] == ["delivery.csv"]
    earlier = _earlier_result(tmp_path / "r.nc")
    res.to_netcdf(tmp_path / "r.nc")  # an earlier run's results are replaced
    assert (tmp_path / "r.nc").read_bytes() != earlier
    assert xr.open_dataset(tmp_path / "r.nc", engine="netcdf4").sizes["time"] == 12


def test_storage_start_is_the_volume_before_the_step():
    """daryo.testmodels.reservoir_evaporation: 100 hm³ at the start, 79 after step 1, 58 after step 2."""
    ds = daryo.run(testmodels.reservoir_evaporation()).dataset
    assert ds.storage_start.isel(scenario=0, reservoir=0).values == pytest.approx([100.0, 79.0])
    assert ds.storage.isel(scenario=0, reservoir=0).values == pytest.approx([79.0, 58.0])


@pytest.mark.parametrize("method", ["fast", "plain"])
def test_storage_limits_are_each_steps_dead_volume_and_maximum(method):
    """A reservoir of 100 hm³ in January and 200 after, held below 150 by flood control, with a dead volume of 20:
    its limits are 100, 200, 200 and 20, and it ends full, then at 150, 75 % (its proportion full, storage /
    storage_max, is over max_volume, as control curves read it, not over the flood-control limit: a user review);
    without a min_volume, 0."""
    doc = {"version": 1, "name": "t", "time": {"start": "2001-01", "end": "2001-03", "step": "month"},
           "nodes": [{"id": "a", "type": "inflow", "inflow": 60},
                     {"id": "dam", "type": "reservoir", "max_volume": [100] + [200] * 11,
                      "flood_control_max": [150] * 12, "min_volume": 20, "initial_volume": 50, "spill_to": "sea"},
                     {"id": "open", "type": "reservoir", "max_volume": 30, "initial_volume": 5},
                     {"id": "town", "type": "demand", "demand": 10}, {"id": "sea", "type": "sink"}],
           "edges": [["a", "dam"], ["dam", "town"], ["a", "open"], ["open", "town"]]}
    ds = daryo.run(model_from_dict(doc), RunOptions(method=method)).dataset
    np.testing.assert_array_equal(ds.storage_max.sel(scenario="0", reservoir="dam"), [100.0, 200.0, 200.0])
    np.testing.assert_array_equal(ds.storage_min.sel(scenario="0", reservoir="dam"), [20.0] * 3)
    np.testing.assert_array_equal(ds.storage_max.sel(reservoir="open").values.ravel(), [30.0] * 3)
    np.testing.assert_array_equal(ds.storage_min.sel(reservoir="open").values.ravel(), [0.0] * 3)
    np.testing.assert_allclose(ds.storage.sel(scenario="0", reservoir="dam"), [100.0, 150.0, 150.0])
    np.testing.assert_allclose((ds.storage / ds.storage_max).sel(scenario="0", reservoir="dam"), [1.0, 0.75, 0.75])
    assert ds.storage_max.attrs["units"] == ds.storage_min.attrs["units"] == "hm3"


def test_a_dead_volume_of_the_reservoir_state_is_reported_as_it_was_in_each_step():
    """A dead volume of 30 hm³ and a maximum of 400 while the reservoir is above half full, 5 and 380 below it (a
    control curve): a town wanting 290 draws 300 down to 30 in the first step, then to 5.  The plain path
    (state-dependent parameters)."""
    doc = {"version": 1, "name": "t", "time": {"start": "2001-01", "end": "2001-02", "step": "month"},
           "parameters": {"i": {"type": "controlcurveindex", "reservoir": "dam", "control_curves": [0.5]},
                          "p": {"type": "indexedarray", "index_parameter": "i", "parameters": [30, 5]},
                          "cap": {"type": "indexedarray", "index_parameter": "i", "parameters": [400, 380]}},
           "nodes": [{"id": "dam", "type": "reservoir", "max_volume": {"parameter": "cap"}, "initial_volume": 300,
                      "initial_proportion": 0.75, "min_volume": {"parameter": "p"}},
                     {"id": "town", "type": "demand", "demand": 290}],
           "edges": [["dam", "town"]]}
    ds = daryo.run(model_from_dict(doc)).dataset
    np.testing.assert_allclose(ds.storage.values.ravel(), [30.0, 5.0])
    np.testing.assert_array_equal(ds.storage_min.values.ravel(), [30.0, 5.0])
    np.testing.assert_array_equal(ds.storage_max.values.ravel(), [400.0, 380.0])


@pytest.mark.parametrize("shift", [-1.0, 1.0])
def test_node_balance_error_reports_a_residual_of_either_sign(monkeypatch, shift):
    """A solution knocked off balance by 1 hm³ on one column, after the step (so the run goes on), shows in
    max_node_balance_error whichever way it is off."""
    run = fastpath.FastStepper.run

    def knocked(self, record, *args, **kwargs):
        def record_knocked(rec):
            rec.x[:, 0] += shift
            record(rec)
        return run(self, record_knocked, *args, **kwargs)

    monkeypatch.setattr(fastpath.FastStepper, "run", knocked)
    ds = daryo.run(testmodels.losses_and_returns()).dataset
    assert float(ds.max_node_balance_error.max()) >= 1.0 - 1e-9


def test_results_record_a_digest_of_the_inputs_beyond_the_model_file(tmp_path):
    """Two runs of one model file whose inflow CSV file differed had the same attributes: only the model file was
    digested (a formats review).  ``network_sha256`` covers what the run computed from."""
    demo = daryo.demo_model_path()
    for csv in Path(demo).parent.glob("*.csv"):
        (tmp_path / csv.name).write_bytes(csv.read_bytes())
    model = tmp_path / "m.yaml"
    model.write_bytes(Path(demo).read_bytes())
    first, again = (daryo.run(daryo.load(model, years=1)).dataset.attrs for _ in range(2))
    assert first["network_sha256"] == again["network_sha256"] and len(first["network_sha256"]) == 64
    csv = tmp_path / "upper_inflow.csv"
    lines = csv.read_text().splitlines()
    date, value = lines[1].rsplit(",", 1)
    csv.write_text("\n".join([lines[0], f"{date},{float(value) / 2!r}", *lines[2:]]) + "\n")
    changed = daryo.run(daryo.load(model, years=1)).dataset.attrs
    assert changed["model_sha256"] == first["model_sha256"]
    assert changed["network_sha256"] != first["network_sha256"]
    overlay = tmp_path / "ov.yaml"
    overlay.write_text("changes: [{scale_demands: {nodes: [city], factor: 1.5}}]\n")
    scaled = daryo.run(daryo.load(model, years=1, scenarios=[str(overlay)])).dataset.attrs
    overlay.write_text("changes: [{scale_demands: {nodes: [city], factor: 1.25}}]\n")
    other = daryo.run(daryo.load(model, years=1, scenarios=[str(overlay)])).dataset.attrs
    assert scaled["scenarios"] == other["scenarios"] and scaled["network_sha256"] != other["network_sha256"]


@pytest.mark.parametrize("signum", ["SIGINT", "SIGTERM"])
def test_a_signal_while_the_netcdf_file_is_written_stops_after_the_write_and_keeps_the_old_file(
        tmp_path, monkeypatch, signum):
    """Ctrl-C or SIGTERM inside the netCDF library's write left HDF5 locked, and closing the file then waited for
    ever: `daryo run -o` hung (a file-safety pass).  The write now finishes, then the signal stops the save: the
    earlier file stays and no temporary file is left."""
    import signal

    class Terminated(BaseException):
        pass

    def terminate(signum, frame):
        raise Terminated

    results = daryo.run(daryo.load(daryo.demo_model_path(), years=1))
    out = tmp_path / "r.nc"
    results.to_netcdf(out)
    before = out.read_bytes()
    finished = []
    real = xr.Dataset.to_netcdf

    def interrupted_write(self, *args, **kwargs):
        os.kill(os.getpid(), getattr(signal, signum))  # (its handler would run at the next line)
        real(self, *args, **kwargs)
        finished.append(True)

    monkeypatch.setattr(xr.Dataset, "to_netcdf", interrupted_write)
    previous = signal.signal(signal.SIGTERM, terminate)  # (as the command line sets it)
    try:
        with pytest.raises(KeyboardInterrupt if signum == "SIGINT" else Terminated):
            results.to_netcdf(out)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert finished == [True] and out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.nc"]


def test_a_full_disk_is_named_with_the_free_space(tmp_path, monkeypatch):
    """A full disk gave "cannot write r.nc: NetCDF: HDF error", and for CSV files "No space left on device" with no
    file named (a file-safety pass)."""
    import errno
    import re

    results = daryo.run(daryo.load(daryo.demo_model_path(), years=1))

    def hdf_error(self, *args, **kwargs):
        raise RuntimeError("NetCDF: HDF error")

    def no_space(self, folder, model=None):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", hdf_error)
    with pytest.raises(OSError, match=rf"^cannot write {tmp_path / 'r.nc'}: NetCDF: HDF error \([0-9.,]+ [kMG]B free "
                                      r"on its disk\)$"):
        results.to_netcdf(tmp_path / "r.nc")
    monkeypatch.setattr(daryo.results.Results, "_write_csv", no_space)
    with pytest.raises(OSError) as err:
        results.to_csv(tmp_path / "csv")
    assert err.value.errno == errno.ENOSPC  # (what the command line prints: its strerror)
    assert re.fullmatch(rf"cannot write CSV files into {tmp_path / 'csv'}: No space left on device \([0-9.,]+ "
                        r"[kMG]B free on its disk\)", err.value.strerror)
    assert not list(tmp_path.iterdir())



def test_a_full_disk_the_netcdf_library_reports_as_permission_denied_is_named_a_full_disk(tmp_path, monkeypatch):
    """A trainer's review (a small quota on a shared server): the netCDF library reports a file it cannot create on
    a full disk as PermissionError (errno 13), and `daryo run -o` said "Permission denied: '/tmp/full/.x.nc.71qi'",
    naming a hidden file.  In a writable folder whose disk has no free space, it is a full disk; elsewhere the
    PermissionError is the system's, as it was."""
    import shutil
    from types import SimpleNamespace

    results = daryo.run(daryo.load(daryo.demo_model_path(), years=1))

    def refused(self, path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(xr.Dataset, "to_netcdf", refused)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: SimpleNamespace(total=10**9, used=10**9, free=0))
    out = tmp_path / "x.nc"
    with pytest.raises(OSError, match=rf"^cannot write {out}: its disk is full \(0 kB free on its disk\); make "
                                      "room, or write elsewhere$"):
        results.to_netcdf(out)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: SimpleNamespace(total=10**9, used=0, free=10**9))
    with pytest.raises(PermissionError, match="Permission denied"):
        results.to_netcdf(out)
    assert not list(tmp_path.iterdir())

def test_a_write_protected_earlier_result_is_not_replaced(tmp_path, monkeypatch):
    """A result file its owner had made read-only (chmod 444) was replaced without a word, as results are written
    beside a file and moved into its place (a file-safety pass, as an unprivileged user; the tests run as root,
    who may write any file, so the check's question to the system is answered here)."""
    import daryo._files

    results = daryo.run(daryo.load(daryo.demo_model_path(), years=1))
    out, csv = tmp_path / "r.nc", tmp_path / "csv"
    results.save(netcdf=out, csv=csv)
    protected = {out, csv / "delivery.csv"}
    real_access = os.access
    monkeypatch.setattr(daryo._files.os, "access",
                        lambda p, mode, **kw: Path(p) not in protected and real_access(p, mode, **kw))
    before = out.read_bytes()
    for call in (lambda: results.to_netcdf(out), lambda: results.to_csv(csv)):
        with pytest.raises(PermissionError, match=r"is write-protected, so it is not replaced: make it writable"):
            call()
    assert out.read_bytes() == before
    with pytest.raises(PermissionError, match=rf"^\[Errno 13\] {out} is write-protected"):
        daryo._files.atomic_write(out, lambda f: f.write(b"x"))


def test_the_network_digest_does_not_depend_on_where_the_model_was_read_from(tmp_path, monkeypatch):
    """A model with parameters had another ``network_sha256`` read as 'c1/pm.yaml' than as its full path, or from
    a copy in another folder: the digest took in paths kept for messages (a review)."""
    text = ("version: 1\nname: pm\ntime: {start: 2001-01, end: 2001-03, step: month}\nparameters:\n"
            "  q: {type: dataframe, csv: q.csv, index_col: date}\n"
            "  x: {type: controlcurve, reservoir: r, control_curves: [0.5], values: [10, 5]}\nnodes:\n"
            "  - {id: src, type: inflow, inflow: {parameter: q}}\n"
            "  - {id: r, type: reservoir, max_volume: 100, initial_volume: 60, min_volume: {parameter: x}}\n"
            "  - {id: d, type: demand, demand: 4}\n  - {id: sea, type: sink}\nedges: [[src, r], [r, d], [r, sea]]\n")
    digests = []
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "pm.yaml").write_text(text)
        (tmp_path / folder / "q.csv").write_text("date,q\n2001-01-01,1\n2001-02-01,2\n2001-03-01,3\n")
    monkeypatch.chdir(tmp_path)
    for path in ("a/pm.yaml", tmp_path / "a" / "pm.yaml", "b/pm.yaml"):
        digests.append(daryo.run(daryo.load(path)).dataset.attrs["network_sha256"])
    assert len(set(digests)) == 1
    (tmp_path / "b" / "q.csv").write_text("date,q\n2001-01-01,1\n2001-02-01,2\n2001-03-01,4\n")
    assert daryo.run(daryo.load("b/pm.yaml")).dataset.attrs["network_sha256"] != digests[0]


def test_an_ignored_ctrl_c_while_the_netcdf_file_is_written_stays_ignored(tmp_path, monkeypatch):
    """Holding Ctrl-C back during the write replaced an "ignore" (a job a shell started in the background) with a
    KeyboardInterrupt after it (a review)."""
    import signal

    results = daryo.run(daryo.load(daryo.demo_model_path(), years=1))
    real = xr.Dataset.to_netcdf

    def interrupted_write(self, *args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)
        real(self, *args, **kwargs)

    monkeypatch.setattr(xr.Dataset, "to_netcdf", interrupted_write)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        results.to_netcdf(tmp_path / "r.nc")
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
    assert (tmp_path / "r.nc").stat().st_size > 0


def test_a_write_protected_earlier_csv_file_that_a_run_would_remove_stays(tmp_path, monkeypatch):
    """An earlier run's storage.csv, write-protected, was removed by a run without reservoirs (only the files a run
    writes were checked; a review)."""
    import daryo._files

    csv = tmp_path / "csv"
    daryo.run(testmodels.reservoir_evaporation()).to_csv(csv)
    storage = csv / "storage.csv"
    real_access = os.access
    monkeypatch.setattr(daryo._files.os, "access", lambda p, mode, **kw: Path(p) != storage and real_access(p, mode))
    with pytest.raises(PermissionError, match="storage.csv is write-protected"):
        daryo.run(testmodels.chain_of_demands()).to_csv(csv)
    assert storage.is_file()


def test_csv_files_are_what_pandas_writes_of_each_table_and_read_back(tmp_path):
    """The CSV files are written a row at a time (pandas' value-by-value formatting of xarray's long table took
    194 s and 4 GB for 1,000 scenarios of a 50-node model): the same bytes as pandas' ``to_csv`` of the (scenario,
    time) × element table, with scenario names and ids that need quoting, and values to 9 significant digits."""
    model = tmp_path / "odd.yaml"
    model.write_text("version: 1\nname: odd\ntime: {start: 2001-01, end: 2001-04, step: {days: 10}}\n"
                     "scenarios:\n  - {name: hyd, size: 2, names: ['dry, hot', 'wet \"x\"']}\n"
                     "parameters:\n  q: {type: constantscenario, scenario: hyd, values: [5.123456789123, 9]}\n"
                     "nodes:\n  - {id: 'src,a', type: inflow, inflow: {parameter: q}}\n"
                     "  - {id: 'd\"q', type: demand, demand: 3.3333333333}\n  - {id: s é, type: sink}\n"
                     "edges: [['src,a', 'd\"q'], ['src,a', s é]]\n")
    results = daryo.run(daryo.load(model))
    results.to_csv(tmp_path / "csv")
    for name, da in results.dataset.data_vars.items():
        columns = [str(c) for c in da[da.dims[2]].values] if da.ndim == 3 else [name]
        index = pd.MultiIndex.from_product([da.scenario.values, da.time.values], names=["scenario", "time"])
        table = da.transpose("scenario", "time", *da.dims[2:]).values.reshape(len(index), len(columns))
        want = pd.DataFrame(table, index=index, columns=columns).to_csv(float_format="%.9g")
        assert (tmp_path / "csv" / f"{name}.csv").read_text(encoding="utf-8") == want, name
    back = pd.read_csv(tmp_path / "csv" / "delivery.csv", index_col=[0, 1])
    assert list(back.columns) == ['d"q'] and list(back.index.levels[0]) == ["dry, hot", 'wet "x"']
    np.testing.assert_allclose(back['d"q'].values, 3.33333333, rtol=1e-12)  # (9 digits of 3.3333333333 a step)


def test_csv_files_of_empty_tables_and_line_breaks_in_names_are_as_pandas_writes_them(tmp_path):
    """A table with no elements was written as rows of a trailing comma under a two-field header; a scenario name
    holding a carriage return was quoted where pandas (Python's csv module) does not quote it (a review)."""
    from daryo.results import _write_table

    res = daryo.run(testmodels.chain_of_demands(scenarios=2, steps=3))
    daryo.Results(res.dataset.isel(edge=[])).to_csv(tmp_path / "none")
    assert (tmp_path / "none" / "edge_flow.csv").read_bytes() == f"scenario,time{os.linesep}".encode()
    da = xr.DataArray(np.arange(4.0).reshape(2, 1, 2), dims=("scenario", "time", "node"),
                      coords={"scenario": ["x\ry", "a,b"], "time": pd.to_datetime(["2001-01-01"]),
                              "node": ["n\r1", "m"]})
    _write_table(tmp_path / "cr.csv", da, "flow")
    index = pd.MultiIndex.from_product([da.scenario.values, da.time.values], names=["scenario", "time"])
    want = pd.DataFrame(da.values.reshape(2, 2), index=index, columns=list(da.node.values))
    assert (tmp_path / "cr.csv").read_bytes() == want.to_csv(float_format="%.9g").encode()


def test_a_shortfall_above_the_solver_noise_is_kept_to_the_last_digit():
    """Only up to 1e-8 (hm3 or GWh in a step) is noise: 2e-8 and 1e-6 short are shortfalls, kept as they are;
    5e-9 short, or more than wanted, is none."""
    assert SHORTFALL_NOISE == 1e-8
    wanted = np.array([10.0, 10.0, 10.0, 10.0, 0.0])
    got = np.array([10.0 - 2e-8, 10.0 - 1e-6, 10.0 - 5e-9, 10.5, 0.0])
    np.testing.assert_allclose(shortfall(wanted, got), [2e-8, 1e-6, 0.0, 0.0, 0.0], rtol=1e-6, atol=0)


def test_each_nodes_map_position_is_its_own_latitude_and_longitude():
    """A node's lat and lon from the model file are its coordinates' node_lat and node_lon (and the element kind's:
    demand_lat …), each the right one; NaN where a node has none (only their units were checked)."""
    model = build([{"id": "in", "type": "inflow", "inflow": 10, "lat": 41.3, "lon": 69.2},
                   {"id": "farm", "type": "demand", "demand": 4, "lat": 40.1, "lon": 65.4},
                   {"id": "sea", "type": "sink"}], [["in", "farm"], ["in", "sea"]])
    ds = daryo.run(model).dataset
    assert ds.node_lat.sel(node="in").item() == 41.3 and ds.node_lon.sel(node="in").item() == 69.2
    assert ds.demand_lat.sel(demand="farm").item() == 40.1 and ds.demand_lon.sel(demand="farm").item() == 65.4
    assert np.isnan(ds.node_lat.sel(node="sea").item()) and np.isnan(ds.sink_lon.sel(sink="sea").item())


def test_csv_files_of_missing_values_and_times_within_a_day_are_as_pandas_writes_them(tmp_path):
    """The row-at-a-time writer leaves to pandas a table holding NaN (pandas writes an empty field, '%.9g' would
    write 'nan') and steps that do not start at midnight (the row writer gives dates only)."""


    def pandas_text(da):
        index = pd.MultiIndex.from_product([da.scenario.values, da.time.values], names=["scenario", "time"])
        return pd.DataFrame(da.values.reshape(len(index), -1), index=index,
                            columns=list(da.node.values)).to_csv(float_format="%.9g")

    for times in (["2001-01-01", "2001-01-02"], ["2001-01-01 06:00", "2001-01-01 18:00"]):
        values = np.array([[[1.5, np.nan], [2.0, 3.0]]]) if times[0].endswith("01") else np.ones((1, 2, 2))
        da = xr.DataArray(values, dims=("scenario", "time", "node"),
                          coords={"scenario": ["0"], "time": pd.to_datetime(times), "node": ["a", "b"]})
        _write_table(tmp_path / "t.csv", da, "flow")
        assert (tmp_path / "t.csv").read_bytes() == pandas_text(da).encode(), times


def test_a_users_csv_file_that_only_starts_with_scenario_is_not_replaced(tmp_path):
    """A CSV file is a run's result only if its header starts with 'scenario,time': a user's delivery.csv whose
    header is 'scenario,notes' is not replaced (nor is anything written)."""


    theirs = tmp_path / "csv" / "delivery.csv"
    theirs.parent.mkdir()
    theirs.write_text("scenario,notes\nwet,keep me\n")
    results = daryo.run(testmodels.shared_shortage())
    with pytest.raises(FileExistsError, match="is not a CSV file of a daryo run's results"):
        results.to_csv(tmp_path / "csv")
    assert theirs.read_text() == "scenario,notes\nwet,keep me\n"


def test_results_say_their_time_step():
    nodes = [{"id": "in", "type": "inflow", "inflow": 1}, {"id": "sea", "type": "sink"}]
    assert daryo.run(build(nodes, [["in", "sea"]])).dataset.attrs["time_step"] == "month"
    doc = {"version": 1, "name": "d", "time": {"start": "2001-01-01", "end": "2001-01-30", "step": {"days": 10}},
           "nodes": nodes, "edges": [["in", "sea"]]}
    assert daryo.run(model_from_dict(doc)).dataset.attrs["time_step"] == "10 days"


def test_results_of_dekads_say_so_and_read_their_step_lengths_back():
    """The dekads brief: a run of dekads labels its step ``dekad`` (not ``month``, which would give each step its
    month's days), and its step lengths are read back from that label."""
    from daryo.indicators import _days_of_steps
    from daryo.timeaxis import StepKind, step_label_kind

    nodes = [{"id": "in", "type": "inflow", "inflow": 1}, {"id": "sea", "type": "sink"}]
    doc = {"version": 1, "name": "d", "time": {"start": "2004-02-01", "end": "2004-02-29", "step": "dekadal"},
           "nodes": nodes, "edges": [["in", "sea"]]}
    ds = daryo.run(model_from_dict(doc)).dataset
    assert ds.attrs["time_step"] == "dekad" and step_label_kind(ds.attrs["time_step"]) is StepKind.DEKAD
    assert list(ds.days.values) == [10, 10, 9]
    assert list(_days_of_steps(ds.drop_vars("days"), ds.time.values)) == [10, 10, 9]


def test_a_selection_of_one_scenario_or_step_writes_its_csv_files(tmp_path):
    """``Results(ds.isel(scenario=0)).to_csv(...)`` failed inside xarray ("Dimensions {'scenario'} do not exist"),
    though its summary and its NetCDF file were written (a fuzz of the Python API): a selected scenario or step
    is written as one of its own."""
    ds = daryo.run(daryo.load(daryo.demo_model_path(), years=1), daryo.RunOptions(scenarios=2)).dataset
    daryo.Results(ds).to_csv(tmp_path / "all")
    whole = pd.read_csv(tmp_path / "all" / "delivery.csv")
    second = str(ds.scenario.values[1])
    daryo.Results(ds.isel(scenario=1)).to_csv(tmp_path / "one")
    one = pd.read_csv(tmp_path / "one" / "delivery.csv")
    pd.testing.assert_frame_equal(one, whole[whole["scenario"].astype(str) == second].reset_index(drop=True),
                                  check_dtype=False)
    daryo.Results(ds.isel(time=3)).to_csv(tmp_path / "step")
    step = pd.read_csv(tmp_path / "step" / "delivery.csv")
    assert len(step) == 2 and (step["time"] == str(ds.time.values[3])[:10]).all()


def test_an_output_path_holding_a_nul_is_refused_plainly(tmp_path):
    """A NUL in an output path gave Python's bare "embedded null byte", for to_csv from the clean-up's rmdir,
    which could hide the first error (a fuzz of the Python API)."""
    results = daryo.run(daryo.load(daryo.demo_model_path(), years=1), daryo.RunOptions(scenarios=1))
    for write, name in ((results.to_netcdf, "a\x00.nc"), (results.to_csv, "a\x00b")):
        with pytest.raises(ValueError, match=r"holds a NUL character \(\\x00\), which no file name can"):
            write(tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_results_carry_the_models_caveats(tmp_path):
    """A results file (and an ensemble's store) keeps what its reader must know of the model: its metadata.caveats,
    one per line; a model without them adds no attribute."""
    res = daryo.run(daryo.load(), RunOptions(years=1))
    lines = res.dataset.attrs["caveats"].split("\n")
    assert len(lines) == 6 and lines[0].startswith("The model over-supplies the North Aral")
    back = xr.open_dataset(res.to_netcdf(tmp_path / "r.nc"), engine="netcdf4")
    assert back.attrs["caveats"] == res.dataset.attrs["caveats"]
    back.close()
    assert "caveats" not in daryo.run(testmodels.reservoir_evaporation()).dataset.attrs


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_a_rule_curve_s_target_and_shortfall_are_reported_per_step(method):
    """A MODSIM user's review: a reservoir's storage target (target_volume at target_priority) left no trace in the
    results, where energy targets have energy_target and energy_shortfall.  daryo.testmodels.rule_curve_shortfall:
    a dam of 50 with 30 flowing in, a senior town of 40 and a rule curve of 80, 30 and 10 in November, December and
    January (the months of the steps, not the first values of the curve) ends at 40, 30 and 10, 40 short of the
    first target and none of the others; the pond beside it has no target: NaN; a model without rule curves has
    neither variable."""
    ds = daryo.run(testmodels.rule_curve_shortfall(), RunOptions(method=method)).dataset
    dam, pond = ds.sel(scenario="0", reservoir="dam"), ds.sel(scenario="0", reservoir="pond")
    np.testing.assert_allclose(dam.storage, [40.0, 30.0, 10.0], rtol=0, atol=1e-8)
    np.testing.assert_array_equal(dam.storage_target, [80.0, 30.0, 10.0])
    np.testing.assert_allclose(dam.storage_shortfall, [40.0, 0.0, 0.0], rtol=0, atol=1e-8)
    assert dam.storage_shortfall.values[1:].tolist() == [0.0, 0.0]  # (held 1e-9 below: solver noise, none)
    np.testing.assert_allclose(ds.delivery.sel(scenario="0", demand="farm"), [0.0, 0.0, 10.0], rtol=0, atol=1e-8)
    assert np.isnan(pond.storage_target).all() and np.isnan(pond.storage_shortfall).all()
    for name in ("storage_target", "storage_shortfall"):
        assert ds[name].dims == ("scenario", "time", "reservoir") and ds[name].attrs["units"] == "hm3"
    assert ds.storage_target.attrs["description"].startswith("Rule-curve target volume for the end of the step, "
                                                             "as the solver was given it")
    # in cost mode the allocation leaves the target to the costs, and the results still say what it was
    cost = daryo.run(testmodels.rule_curve_shortfall("cost"), RunOptions(method=method)).dataset
    np.testing.assert_array_equal(cost.storage_target.sel(scenario="0", reservoir="dam"), [80.0, 30.0, 10.0])
    np.testing.assert_allclose(cost.storage_shortfall.sel(scenario="0", reservoir="dam"),
                               np.maximum([80.0, 30.0, 10.0] - cost.storage.sel(scenario="0", reservoir="dam"), 0))
    # a model without rule curves has neither variable, as one without energy targets has no energy_target
    none = daryo.run(testmodels.reservoir_evaporation(), RunOptions(method=method)).dataset
    assert "storage" in none and "storage_target" not in none and "storage_shortfall" not in none


def test_the_storage_target_is_the_one_an_overlay_set_and_above_a_flood_limit_stays_as_given(tmp_path):
    """A MODSIM user's review: the results show the target the run used.  An overlay's target_volume of 5 km³ for the
    demo's big_dam replaces its curve (9,000 to 13,000 hm³); and a target of 80 above a flood-control limit of 70
    is not lowered to it: the dam, kept at 70, ends each step 10 short."""
    overlay = tmp_path / "low.yaml"
    overlay.write_text("title: low\nchanges:\n  - set: {big_dam: {target_volume: 5 km3}}\n")
    ds = daryo.run(daryo.load(daryo.demo_model_path(), scenarios=[str(overlay)]),
                   RunOptions(scenarios=2, years=1)).dataset
    assert (ds.storage_target == 5000.0).all()
    np.testing.assert_array_equal(ds.storage_shortfall, shortfall(ds.storage_target.values, ds.storage.values))
    flood = testmodels.build(
        [{"id": "in", "type": "inflow", "inflow": 50},
         {"id": "dam", "type": "reservoir", "max_volume": 100, "flood_control_max": 70, "initial_volume": 50,
          "target_volume": 80, "spill_to": "sea"}, {"id": "sea", "type": "sink"}],
        [["in", "dam"]], steps=2)
    ds = daryo.run(flood).dataset.sel(scenario="0", reservoir="dam")
    np.testing.assert_allclose(ds.storage, [70.0, 70.0])
    np.testing.assert_array_equal(ds.storage_target, [80.0, 80.0])
    np.testing.assert_allclose(ds.storage_shortfall, [10.0, 10.0])


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_a_rule_curve_may_change_from_year_to_year_or_follow_a_parameter(tmp_path, method):
    r"""A MODSIM user's review: a target_volume took a constant or 12 monthly values only (no year-varying curve, no
    curve that follows the state).  It takes values per step, a CSV series and a parameter too::

        [in: 30] --> <dam: V0 = 50, max 100, target T (p2)> --> [town: 20, p1]
                                                          \--> [farm: 100, p3]

    First step: 50 + 30 − 20 = 60 held (20 short of a target of 80), then 70 (10 short); then the dam holds 80
    (the farm gets 10 a month); in the second year, a target of 30: 80 + 30 − 20 = 90, of which the farm takes 60.
    A parameter of 60 holds it at 60 (none short; the farm gets 10 a month)."""
    dates = pd.date_range("2000-10", periods=24, freq="MS").strftime("%Y-%m")
    pd.DataFrame({"date": dates, "t": [80.0] * 12 + [30.0] * 12}).to_csv(tmp_path / "t.csv", index=False)
    body = """version: 1
name: t
time: {start: 2000-10, end: 2002-09}
parameters:
  curve: {type: constant, value: 60}
nodes:
  - {id: in, type: inflow, inflow: 30}
  - {id: dam, type: reservoir, max_volume: 100, initial_volume: 50, target_volume: TARGET, target_priority: 2}
  - {id: town, type: demand, demand: 20, priority: 1}
  - {id: farm, type: demand, demand: 100, priority: 3}
edges: [[in, dam], [dam, town], [dam, farm]]
"""
    yearly = ([60.0, 70.0] + [80.0] * 10 + [30.0] * 12, [20.0, 10.0] + [0.0] * 22)
    for target, (storage, short) in (("{csv: t.csv, column: t}", yearly),
                                     ("{values: [" + ", ".join(["80"] * 12 + ["30"] * 12) + "]}", yearly),
                                     ("{parameter: curve}", ([60.0] * 24, [0.0] * 24))):
        (tmp_path / "m.yaml").write_text(body.replace("TARGET", target))
        ds = daryo.run(daryo.load(tmp_path / "m.yaml"), RunOptions(method=method)).dataset.sel(scenario="0")
        np.testing.assert_allclose(ds.storage.sel(reservoir="dam"), storage, atol=1e-6)
        np.testing.assert_allclose(ds.storage_shortfall.sel(reservoir="dam"), short, atol=1e-6)
        assert float(ds.delivery.sel(demand="farm").isel(time=12)) == pytest.approx(
            60.0 if target[1] != "p" else 10.0, abs=1e-6)


def test_the_storage_target_round_trips_through_netcdf_and_csv(tmp_path):
    """A MODSIM user's review: storage_target and storage_shortfall are written like energy_target, NaN for the pond
    without a target read back as NaN (an empty cell in CSV), with their units and descriptions."""
    res = daryo.run(testmodels.rule_curve_shortfall())
    back = xr.open_dataset(res.to_netcdf(tmp_path / "r.nc"), engine="netcdf4").load()
    written = cf_dataset(res.dataset)
    for name in ("storage_target", "storage_shortfall"):
        np.testing.assert_array_equal(back[name].values, res.dataset[name].values)
        assert back[name].attrs == written[name].attrs
    assert np.isnan(back.storage_target.sel(reservoir="pond")).all()
    res.to_csv(tmp_path / "csv")
    table = pd.read_csv(tmp_path / "csv" / "storage_target.csv")
    assert table.columns.tolist() == ["scenario", "time", "dam", "pond"]
    assert table["dam"].tolist() == [80.0, 30.0, 10.0] and table["pond"].isna().all()
    short = pd.read_csv(tmp_path / "csv" / "storage_shortfall.csv")
    np.testing.assert_allclose(short["dam"], [40.0, 0.0, 0.0], rtol=0, atol=1e-8)
    variables = pd.read_csv(tmp_path / "csv" / "variables.csv", keep_default_na=False).set_index("variable")
    assert variables.loc["storage_shortfall", "units"] == "hm3"
    assert variables.loc["storage_target", "columns"] == "reservoir"


def test_the_river_systems_are_stored_as_they_are_written(tmp_path):
    """A Russian-speaking analyst's review: the results' ``basins`` attribute held the model's river systems as JSON
    escapes (\\u0432…), which ncdump and Panoply show as they are, where the other attributes are UTF-8 text."""
    model = testmodels.build([{"id": "Нарын", "type": "inflow", "inflow": 10}, {"id": "Арал", "type": "sink"}],
                             [["Нарын", "Арал"]], steps=2)
    model = replace(model, metadata={"basins": {"верховья": ["Нарын"]}})
    daryo.run(model).to_netcdf(tmp_path / "r.nc")
    with xr.open_dataset(tmp_path / "r.nc") as ds:
        assert ds.attrs["basins"] == '{"верховья": ["Нарын"]}'


def test_the_results_give_each_elements_display_name(tmp_path):
    """A Russian-speaking analyst's review: a node's ``name`` ("Display name") reached no output, so reports of a model
    with Latin ids showed ``fergana`` where colleagues read "Орошение Ферганы".  Each element dimension has a
    ``<dimension>_name`` coordinate (the id where there is no name), and ``elements.csv`` a ``name`` column."""
    model = testmodels.build([{"id": "river", "type": "inflow", "inflow": 10, "name": "Нарын"},
                              {"id": "fergana", "type": "demand", "demand": 4, "name": "Орошение Ферганы"},
                              {"id": "sea", "type": "sink"}],
                             [["river", "fergana"], ["river", "sea"]], steps=2)
    results = daryo.run(model)
    ds = results.dataset
    assert ds["node_name"].values.tolist() == ["Нарын", "Орошение Ферганы", "sea"]
    assert ds["demand_name"].values.tolist() == ["Орошение Ферганы"] and ds["sink_name"].values.tolist() == ["sea"]
    results.to_netcdf(tmp_path / "r.nc")
    with xr.open_dataset(tmp_path / "r.nc") as back:
        assert back["demand_name"].values.tolist() == ["Орошение Ферганы"]
    results.to_csv(tmp_path / "csv")
    elements = pd.read_csv(tmp_path / "csv" / "elements.csv")
    assert elements.set_index(["dimension", "element"]).loc[("demand", "fergana"), "name"] == "Орошение Ферганы"


#: a web service's use of daryo (``python - FOLDER``): four runs' results saved to NetCDF from four threads, then
#: read back by compare_runs in four threads, three rounds; each table as the one of the runs in memory
_SAVE_AND_READ_IN_THREADS = """
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

import daryo
from daryo.compare import compare_runs

folder = Path(sys.argv[1])
model = daryo.load(daryo.demo_model_path())
runs = [daryo.run(model, daryo.RunOptions(scenarios=1 + i % 2, years=1 + i // 2)) for i in range(4)]
paths = [folder / f"r{i}.nc" for i in range(4)]
pairs = [(i, (i + 1) % 4) for i in range(4)]
expected = [compare_runs(runs[i].dataset, runs[j].dataset) for i, j in pairs]
with ThreadPoolExecutor(4) as pool:
    for _ in range(3):
        assert list(pool.map(lambda i: runs[i].to_netcdf(paths[i]), range(4))) == paths
        tables = pool.map(lambda pair: compare_runs(paths[pair[0]], paths[pair[1]]), pairs)
        for table, want in zip(tables, expected, strict=True):
            pd.testing.assert_frame_equal(table, want)
for run, path in zip(runs, paths, strict=True):
    with xr.open_dataset(path) as back:
        for name, da in run.dataset.data_vars.items():
            np.testing.assert_array_equal(back[name].values, da.values)
print("ok")
"""


def test_results_are_saved_and_read_back_from_several_threads_at_once(tmp_path):
    """A backend developer's review (a web service on daryo's Python API): four threads each saving a run's results
    with ``to_netcdf`` crashed the process (a segmentation fault inside the netCDF library, which is not safe in
    threads), and so did four threads' ``compare_runs`` of two files.  Each of daryo's NetCDF reads and writes now
    holds one lock (daryo._netcdf).  Run in a process of its own, so that a crash fails this test, not the suite."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _SAVE_AND_READ_IN_THREADS, str(tmp_path)], capture_output=True,
                         text=True, check=False, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["ok"]


def test_a_csv_folder_that_is_a_file_is_refused_in_daryo_runs_words(tmp_path, capsys):
    """A backend developer's review: ``to_csv("svcout/r.nc")`` onto a run's NetCDF file said "[Errno 17] cannot
    write CSV files into svcout/r.nc: File exists", where ``daryo run --csv`` says the folder is a file.  The library
    says so in the same words, for a folder under a file too, before anything is written."""
    from daryo.cli import main

    results = daryo.run(daryo.load(daryo.demo_model_path(), years=1))
    out = tmp_path / "r.nc"
    results.to_netcdf(out)
    before = out.read_bytes()
    assert main(["run", str(daryo.demo_model_path()), "--years", "1", "--csv", str(out)]) == 1
    said = f"cannot write CSV files into {out}: it is a file, not a folder"
    assert capsys.readouterr().err.startswith(f"daryo: error: {said}")
    with pytest.raises(NotADirectoryError) as err:
        results.to_csv(out)
    assert str(err.value) == said
    with pytest.raises(NotADirectoryError) as err:
        results.save(netcdf=tmp_path / "s.nc", csv=out / "sub")
    assert str(err.value) == f"cannot write CSV files into {out / 'sub'}: {out} is a file, not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.nc"] and out.read_bytes() == before
