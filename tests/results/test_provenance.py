"""What a run's results record they were made from (daryo.results.provenance): here the hydrology of the embedded
model whose inflows scenario overlays replace."""

import pandas as pd
import xarray as xr
import yaml

import daryo
from daryo.basins.aral import load_aral_model
from daryo.cli import main

#: the embedded model's inflow nodes, in its file's order
HEADWATERS = [n.id for n in load_aral_model(years=1).nodes if n.type == "inflow"]


def _forecast(folder, nodes):
    """A forecast overlay as a seasonal forecaster writes one: each of ``nodes`` set to a CSV file of its own, one
    member of 100 hm³ a month from April 2027, the files by their full paths."""
    dates = pd.date_range("2027-04-01", periods=12, freq="MS").strftime("%Y-%m-%d")
    for nid in nodes:
        pd.DataFrame({"date": dates, "m1": 100.0}).to_csv(folder / f"{nid}.csv", index=False)
    path = folder / "fcst.yaml"
    path.write_text(yaml.safe_dump({"changes": [{"set": {nid: {"inflow": {
        "csv": str(folder / f"{nid}.csv"), "columns": "*", "unit": "hm3"}} for nid in nodes}}]}))
    return path


def test_a_run_whose_every_inflow_an_overlay_set_is_not_recorded_as_norm_hydrology(tmp_path, capsys):
    """A seasonal forecaster's review: a run whose every inflow an overlay set to a forecast's CSV files was
    recorded as ``kind norm, traces 1, seed 0``, in its results and in daryo run's report.  The record now says the
    overlay set them all, to which files; and daryo compare notes that it ran other water than a norm run."""
    fcst = _forecast(tmp_path, HEADWATERS)
    files = ", ".join(str(tmp_path / f"{nid}.csv") for nid in HEADWATERS)
    want = (f"every inflow set by the overlay {fcst} to series of its files {files}; none keeps the model's "
            "hydrology, kind norm, traces 1, seed 0")
    out = tmp_path / "fc.nc"
    assert main(["run", "--start", "2027-04", "--years", "1", "--scenario", str(fcst), "-o", str(out)]) == 0
    assert f"hydrology: {want}" in capsys.readouterr().out.splitlines()
    with xr.open_dataset(out) as ds:
        assert ds.attrs["hydrology"] == want
        assert float(ds["node_flow"].sel(node="vakhsh_in").isel(scenario=0, time=0)) == 100.0
    norm = tmp_path / "norm.nc"
    assert main(["run", "--start", "2027-04", "--years", "1", "-o", str(norm)]) == 0
    capsys.readouterr()
    assert main(["compare", str(norm), str(out)]) == 0
    assert ("note: the runs have different hydrology: their differences are of the water as much as of the rules"
            in capsys.readouterr().out.splitlines())


def test_the_inflows_an_overlay_set_and_those_that_keep_the_hydrology_are_named():
    """A seasonal forecaster's review: an overlay that set some inflows left the record ``kind norm`` for all.  Here
    an overlay given in Python sets the Vakhsh to 50 hm³ a month, then a second sets the Panj: the record names
    the 12 inflows that keep the norm and the overlay of each of the two."""
    vakhsh = {"name": "vakhsh-50", "changes": [{"set": {"vakhsh_in": {"inflow": 50}}}]}
    panj = {"name": "panj-20", "changes": [{"set": {"panj_in": {"inflow": 20}}}]}
    model = load_aral_model(scenarios=[vakhsh, panj], years=1, start="2027-04")
    ds = daryo.run(model).dataset
    kept = ", ".join(nid for nid in HEADWATERS if nid not in ("vakhsh_in", "panj_in"))
    assert ds.attrs["hydrology"] == (f"kind norm, traces 1, seed 0 for {kept}; vakhsh_in set by the overlay "
                                     "vakhsh-50 (given in Python) to values given in it; panj_in set by the overlay "
                                     "panj-20 (given in Python) to values given in it")
    assert float(ds["node_flow"].sel(node="vakhsh_in").isel(scenario=0, time=0)) == 50.0
    plain = load_aral_model(scenarios=[{"name": "half", "changes": [{"scale_inflows": {"factor": 0.5}}]}], years=1)
    assert daryo.run(plain).dataset.attrs["hydrology"] == "kind norm, traces 1, seed 0"  # (scaled, not replaced)


def test_an_overlay_read_later_sets_what_an_earlier_set_and_a_model_files_copy_keeps_the_record(tmp_path):
    """A seasonal forecaster's review: the forecast's files set every inflow, then an overlay of one inflow set the
    Vakhsh again: the record names that overlay for the Vakhsh, not the forecast's file it no longer reads.  A copy of
    the embedded model's document in a model file, loaded with the overlay, is recorded as the embedded model is."""
    fcst = _forecast(tmp_path, HEADWATERS)
    one = tmp_path / "one.yaml"
    one.write_text(yaml.safe_dump({"changes": [{"set": {"vakhsh_in": {"inflow": 50}}}]}))
    model = load_aral_model(scenarios=[str(fcst), str(one)], years=1, start="2027-04")
    hydrology = daryo.run(model).dataset.attrs["hydrology"]
    others = [nid for nid in HEADWATERS if nid != "vakhsh_in"]
    assert hydrology == (f"{', '.join(others)} set by the overlay {fcst} to series of its files "
                         f"{', '.join(str(tmp_path / f'{nid}.csv') for nid in others)}; vakhsh_in set by the overlay "
                         f"{one} to values given in it; none keeps the model's hydrology, kind norm, traces 1, seed 0")
    copy = tmp_path / "aral_copy.yaml"
    copy.write_text(yaml.safe_dump(daryo.basins.aral.build_aral_document(years=1, start="2027-04"),
                                   sort_keys=False))
    from_file = daryo.load(copy, scenarios=[str(one)])
    assert daryo.run(from_file).dataset.attrs["hydrology"] == (
        f"kind norm, traces 1, seed 0 for {', '.join(others)}; vakhsh_in set by the overlay {one} to values given "
        "in it")


def test_a_run_records_the_model_file_read_whatever_the_current_folder_is_by_then(tmp_path, monkeypatch):
    """A web-app integrator's review: a model loaded by a relative path (``daryo.load("demo.yaml")``) and run after
    the current folder changed (a notebook's ``%cd``, a service's ``os.chdir``) recorded ``model_file`` as the
    path in the new folder, a file that does not exist (or another one), in its results and in an ensemble's store;
    compare_runs then took the two runs for runs of two model files.  The file is recorded as it was when the model
    was read; messages name it as given."""
    from daryo.compare import compare_runs
    from daryo.ensemble import EnsembleOptions, open_output, run_ensemble

    shipped = daryo.demo_model_path()
    (tmp_path / "model").mkdir()
    (tmp_path / "elsewhere").mkdir()
    for f in shipped.parent.iterdir():
        if f.is_file():
            (tmp_path / "model" / f.name).write_bytes(f.read_bytes())
    monkeypatch.chdir(tmp_path / "model")
    model = daryo.load(shipped.name)
    before = daryo.run(model).dataset
    monkeypatch.chdir(tmp_path / "elsewhere")
    after = daryo.run(model).dataset
    recorded = str((tmp_path / "model" / shipped.name).resolve())
    assert before.attrs["model_file"] == after.attrs["model_file"] == recorded
    assert model.source() == shipped.name  # (messages: the path as given)
    assert "model file" not in " ".join(compare_runs(before, after).attrs["notes"])
    run_ensemble(model, EnsembleOptions(traces=2, years=1), "e.nc")
    with open_output("e.nc") as ds:
        assert ds.attrs["model_file"] == recorded
