"""The output store: what may be replaced, its coordinates, formats and permissions, the distribution
summaries and the shortfall table."""

import dataclasses
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from ensemble_cases import assert_identical, basin, basin_network, load, plant_basin, run, yaml_of_basin

import daryo
from daryo.cf import daryo_units
from daryo.cli import main
from daryo.ensemble import (
    ANNUAL_INDICATORS,
    EnsembleOptions,
    ResampledTraces,
    run_ensemble,
    shortfall_table,
    summarise,
    summary_table,
    write_summary_csv,
)
from daryo.ensemble.store import _store_attributes, check_summary_csv
from daryo.model import Node
from daryo.testmodels import build


def test_a_netcdf_library_error_while_writing_names_the_output_and_keeps_the_parts(tmp_path, monkeypatch):
    """A full disk, as the NetCDF library reports it (RuntimeError "NetCDF: HDF error"), ends in an OSError naming
    the output; the parts stay for --resume."""
    import daryo.ensemble.store

    def full(path, ds):
        raise RuntimeError("NetCDF: HDF error")

    monkeypatch.setattr(daryo.ensemble.store, "_nc_append", full)
    with pytest.raises(OSError, match=r"cannot write .*out.nc: NetCDF: HDF error \([\d,.]+ .B free on its disk\); "
                                      r"the finished chunks are kept in .*out.nc.parts: run again with --resume"):
        run(tmp_path, "out.nc")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nc.parts"]


@pytest.mark.parametrize("name", ["out.nc", "out.zarr"])
def test_ctrl_c_while_the_store_is_written_stops_between_two_writes(tmp_path, monkeypatch, name):
    """Ctrl-C (SIGINT) arriving inside a write of the store is held back until that write is done (an interrupted
    NetCDF write held HDF5's lock, and closing the file then waited for it forever; an interrupted zarr write left
    files behind): the run stops, the earlier output is as it was, no temporary store is left, the parts are kept,
    and --resume then gives the uninterrupted run's results.  The handler is restored afterwards."""
    import signal

    _, out = run(tmp_path, name, options={"seed": 9})  # an earlier run's results
    before = load(out)
    fmt_write = "to_zarr" if name.endswith(".zarr") else "to_netcdf"
    real = getattr(xr.Dataset, fmt_write)
    writes: list[str] = []

    def interrupted_write(self, *args, **kwargs):
        if not writes:
            os.kill(os.getpid(), signal.SIGINT)  # delivered at once to this (the main) thread
        writes.append("started")
        out_ = real(self, *args, **kwargs)
        writes.append("done")
        return out_

    handler = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(xr.Dataset, fmt_write, interrupted_write)
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path, name)
    monkeypatch.undo()
    assert writes == ["started", "done"]  # the write went to its end, and no other began
    assert signal.getsignal(signal.SIGINT) is handler
    assert sorted(p.name for p in tmp_path.iterdir()) == [name, f"{name}.parts"]
    assert_identical(load(out), before)
    resumed, _ = run(tmp_path, name, resume=True)
    assert resumed.chunks_skipped == resumed.chunks
    (tmp_path / "whole").mkdir()
    run(tmp_path / "whole", name)
    assert_identical(load(out), load(tmp_path / "whole" / name))


@pytest.mark.parametrize("name", ["done.nc", "done.zarr"])
def test_resuming_a_finished_run_does_nothing_and_another_runs_result_is_not_replaced(tmp_path, name):
    r, out = run(tmp_path, name)
    before = {p: p.read_bytes() for p in ([out] if out.is_file() else sorted(out.rglob("*"))) if p.is_file()}
    again, _ = run(tmp_path, name, resume=True)
    assert again.finished and again.traces_computed == 0 and again.chunks_skipped == again.chunks == r.chunks
    with pytest.raises(ValueError, match=rf"{name} holds the results of another run \(traces differs: 7 there, 9 "
                                         r"here\); run without --resume to replace them"):
        run(tmp_path, name, resume=True, options={"traces": 9})
    assert {p: p.read_bytes() for p in before} == before and not (tmp_path / f"{name}.parts").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    replaced, _ = run(tmp_path, name, options={"traces": 9})  # without --resume: replaced, as asked
    assert not replaced.finished and load(out).sizes["trace"] == 9


def test_the_store_has_a_runs_coordinates_to_group_by_country_season_and_use(tmp_path):
    """Countries, demand categories and priorities, seasons and hydrological years as a run's results have them,
    and each run year's first day: an analyst groups the traces' deficits by country without the model."""
    import daryo

    model = daryo.load(daryo.demo_model_path())
    run_ensemble(model, EnsembleOptions(traces=2, years=2, seed=1), tmp_path / "e.nc")
    ds = load(tmp_path / "e.nc")
    results = daryo.run(model, daryo.RunOptions(scenarios=1, years=2)).dataset
    for name in ("demand_country", "demand_category", "demand_priority", "reservoir_country", "sink_country",
                 "hydropower_country", "days", "hydrological_year", "season"):
        assert ds[name].values.tolist() == results[name].values.tolist(), name
    assert set(ds["demand_country"].values) == {"KAZ", "UZB"}
    first = pd.Timestamp(ds["time"].values[0])
    assert pd.DatetimeIndex(ds["year_start"].values).tolist() == [first, first + pd.DateOffset(years=1)]
    assert ds["year_days"].values.tolist() == [365, 365] and ds["year_days"].attrs["units"] == "days"
    by_country = ds["annual_deficit_fraction"].groupby("demand_country").mean()
    assert by_country.sizes["demand_country"] == len(set(ds["demand_country"].values))
    summary = ds["summary_annual_delivery"]
    assert summary.coords["demand_country"].values.tolist() == ds["demand_country"].values.tolist()


def test_summaries_are_the_distribution_of_the_annual_indicators(tmp_path):
    _, out = run(tmp_path, "s.nc", options={"deficit_threshold": 0.05})
    ds = load(out)
    frac = ds.annual_deficit_fraction.values.reshape(-1, ds.sizes["demand"])
    np.testing.assert_allclose(ds.summary_annual_deficit_fraction.sel(statistic="mean"), frac.mean(axis=0))
    np.testing.assert_allclose(ds.summary_annual_deficit_fraction.sel(statistic="p95"),
                               np.percentile(frac, 95, axis=0))
    np.testing.assert_allclose(ds.prob_deficit_above_threshold, (frac > 0.05).mean(axis=0))
    assert ds.prob_deficit_above_threshold.attrs["threshold"] == 0.05
    # annual indicators add up the monthly series
    np.testing.assert_allclose(ds.annual_delivery.isel(year=0), ds.delivery.isel(time=slice(0, 12)).sum("time"),
                               rtol=1e-5)
    assert (ds.delivery + ds.deficit).sel(demand="city").max() <= 8 + 1e-4


def test_supply_reliability_of_a_store_counts_its_traces_as_a_runs_scenarios(tmp_path):
    from daryo.indicators import supply_reliability

    nodes, edges = basin_network()
    nodes[4]["demand"] = [3 * v for v in nodes[4]["demand"]]  # (the farm asks for three times as much: short)
    _, out = run(tmp_path, "s.nc", model=build(nodes, edges, steps=24, allocation="cost", start="2001-10"))
    store = load(out)
    as_run = store[["delivery", "deficit"]].rename(trace="scenario")  # (the same numbers as a run's results)
    table = supply_reliability(store)
    assert table.equals(supply_reliability(as_run)) and table.attrs["scenarios"] == 7
    assert 0 < table.loc["farm", "reliability"] < table.loc["city", "reliability"]  # (the city is worth more)


def test_zarr_output(tmp_path):
    pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    _, z = run(tmp_path, "r.zarr")
    _, n = run(tmp_path, "r.nc")
    assert_identical(load(z), load(n))
    # the run's metadata too (writing the summaries into the store once replaced them with none)
    za, na = load(z).attrs, load(n).attrs
    assert za.pop("history").endswith("written by daryo " + daryo.__version__) and "history" in na  # (when: differs)
    na.pop("history")
    assert za == na and za["seed"] == 5 and za["traces"] == 7 and za["title"] == "daryo ensemble: test"


def test_netcdf_output_is_compressed(tmp_path):
    """The per-trace variables of a NetCDF store are deflated (level 1, shuffled) in chunks of whole traces, the
    chunks appended after the first one too; the numbers read back are those written (test_zarr_output)."""
    import netCDF4

    _, path = run(tmp_path, "c.nc", options={"traces": 40, "chunk_size": 20})
    with netCDF4.Dataset(path) as nc:
        assert len(nc.dimensions["trace"]) == 40
        for name in ("delivery", "storage", "annual_delivery", "annual_water_stress"):
            v = nc[name]
            assert v.filters()["zlib"] and v.filters()["shuffle"] and v.filters()["complevel"] == 1, name
            assert v.chunking() == [20, *v.shape[1:]], name


def test_output_that_is_not_an_ensemble_result_is_refused_before_any_work(tmp_path):
    """Only an earlier result is replaced: a folder named like a NetCDF file, or a folder or file named like a
    zarr store that is not one, is refused before anything is computed or written."""
    folder = tmp_path / "mydata.nc"
    folder.mkdir()
    (folder / "notes.txt").write_text("precious")
    with pytest.raises(IsADirectoryError, match="mydata.nc is a folder"):
        run(tmp_path, "mydata.nc")
    assert (folder / "notes.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mydata.nc"]  # no parts folder: nothing done
    (tmp_path / "notes.nc").write_text("precious")  # a file that is not NetCDF
    with pytest.raises(FileExistsError, match="notes.nc exists and is not a NetCDF file"):
        run(tmp_path, "notes.nc")
    assert (tmp_path / "notes.nc").read_text() == "precious"
    run(tmp_path, "earlier.nc")  # an earlier result is replaced
    run(tmp_path, "earlier.nc")
    pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    folder = tmp_path / "mydata.zarr"
    folder.mkdir()
    (folder / "notes.txt").write_text("precious")
    with pytest.raises(FileExistsError, match="not a zarr store"):
        run(tmp_path, "mydata.zarr")
    assert (folder / "notes.txt").read_text() == "precious"
    (tmp_path / "file.zarr").write_text("precious")
    with pytest.raises(FileExistsError, match="not a zarr store"):
        run(tmp_path, "file.zarr")
    assert (tmp_path / "file.zarr").read_text() == "precious"
    # an earlier result is replaced
    _, z = run(tmp_path, "r.zarr", options={"seed": 1})
    _, z = run(tmp_path, "r.zarr")
    assert load(z).attrs["seed"] == 5
    assert main(["ensemble", "--traces", "2", "--years", "1", "-o", str(tmp_path / "mydata.nc")]) == 1
    assert (tmp_path / "mydata.nc" / "notes.txt").read_text() == "precious"


def test_odd_outputs_are_refused_with_what_they_are(tmp_path):
    """A name that is only a suffix; a named pipe (its check blocked for ever); a link to nothing (called a NetCDF
    file that no ensemble wrote); a link to a store (called a folder that is not one); a file where the parts
    folder goes (the messages sent the user from --resume to deleting it and back); the shortfall table of a
    file that is no ensemble's output (a KeyError)."""
    import os

    with pytest.raises(ValueError, match=r"/\.nc': give the output a name before its suffix, such as results\.nc$"):
        run(tmp_path, ".nc")
    os.mkfifo(tmp_path / "pipe.nc")
    with pytest.raises(FileExistsError, match="pipe.nc exists and is neither a file nor a folder"):
        run(tmp_path, "pipe.nc")
    (tmp_path / "gone.nc").symlink_to("nowhere.nc")
    with pytest.raises(FileExistsError, match="gone.nc is a symbolic link to nowhere.nc, which does not exist"):
        run(tmp_path, "gone.nc")
    (tmp_path / "r.nc.parts").write_text("precious")
    with pytest.raises(FileExistsError, match="r.nc.parts exists and is not the folder of an unfinished run"):
        run(tmp_path, "r.nc", resume=True)
    assert (tmp_path / "r.nc.parts").read_text() == "precious"
    (tmp_path / "r.nc.parts").unlink()
    run(tmp_path, "r.nc")  # (once that file is moved away)
    with pytest.raises(ValueError, match="holds no ensemble summaries"):
        shortfall_table(basin_run(tmp_path))
    pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    _, store = run(tmp_path, "s.zarr")
    (tmp_path / "link.zarr").symlink_to(store)
    with pytest.raises(FileExistsError, match="link.zarr is a symbolic link to .*s.zarr; a store does not replace"):
        run(tmp_path, "link.zarr")
    assert store.is_dir()


def test_a_netcdf_output_link_is_written_through(tmp_path, other_disk):
    """An ensemble's ``.nc`` output that is a link to an earlier output is replaced where the link leads (on
    another disk too), and stays a link; so does a summary CSV's link."""
    _, real = run(other_disk, "real.nc", options={"seed": 1})
    link = tmp_path / "link.nc"
    link.symlink_to(real)
    run(tmp_path, "link.nc")
    (tmp_path / "summary.csv").symlink_to(other_disk / "summary.csv")
    write_summary_csv(link, tmp_path / "summary.csv")
    assert link.is_symlink() and (tmp_path / "summary.csv").is_symlink()
    _, direct = run(tmp_path, "direct.nc")
    assert_identical(load(real), load(direct))  # the seed-5 run, not the seed-1 one
    assert (other_disk / "summary.csv").read_text().startswith("indicator,units")
    assert sorted(p.name for p in other_disk.iterdir()) == ["real.nc", "summary.csv"]  # no temporary file left


def test_a_store_kept_open_can_be_read_again(tmp_path):
    """A notebook that opens a .nc store (as the README shows) and then asks for its summary table crashed Python
    (SIGSEGV in HDF5: text as variable-length strings read through a second handle; netCDF4 1.7.3-1.7.5,
    Unidata/netcdf4-python#1444).  The store's text is written as character arrays."""
    import subprocess
    import sys

    _, out = run(tmp_path, "kept.nc")
    script = ("import sys, xarray as xr\n"
              "from daryo.ensemble import shortfall_table, summary_table\n"
              "ds = xr.open_dataset(sys.argv[1]); list(ds.demand.values)\n"
              "print(len(summary_table(sys.argv[1])), len(shortfall_table(sys.argv[1])), ds.demand.values[0])\n")
    done = subprocess.run([sys.executable, "-c", script, str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.split() == [str(len(summary_table(out))), str(len(shortfall_table(out))),
                                   str(load(out).demand.values[0])]


@pytest.mark.parametrize("name", ["described.nc", "described.zarr"])
def test_every_variable_and_coordinate_of_a_store_says_what_it_is(tmp_path, name):
    """A QA pass found trace, year, statistic and the element coordinates without a description (year is a run
    year from 0, not a calendar year; statistic names the percentile method)."""
    if name.endswith(".zarr"):
        pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    _, out = run(tmp_path, name)
    ds = load(out)
    assert [c for c in ds.coords if not ds[c].attrs.get("description")] == ["time_bnds"]  # (time's, CF 7.1)
    assert [v for v in ds.data_vars if not (ds[v].attrs.get("description") and ds[v].attrs.get("units"))] == []
    assert "run year, 0 for the first twelve months from the run's start" in ds.year.attrs["description"].lower()
    assert "linear interpolation" in ds.statistic.attrs["description"]


@pytest.mark.parametrize("name", ["bounds.nc", "bounds.zarr"])
def test_a_store_gives_each_steps_bounds_as_a_run_file_does(tmp_path, name):
    """The store's sums over each step (``cell_methods: "time: sum"``) say over what: ``time_bnds``, each step's
    start and the next one's, a coordinate (a zarr store had none: writing its summaries replaced the global
    attribute that makes them a coordinate); a resumed finished run is still recognised as this run."""
    if name.endswith(".zarr"):
        pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    _, out = run(tmp_path, name)  # (7 traces in chunks of 3: the store is written in three parts)
    ds = load(out)
    assert ds["time"].attrs["bounds"] == "time_bnds" and "time_bnds" in ds.coords
    start, end = (pd.DatetimeIndex(ds["time_bnds"].values[:, i]) for i in (0, 1))
    np.testing.assert_array_equal(start, ds["time"].values)
    np.testing.assert_array_equal(end, start + pd.to_timedelta(ds["days"].values, unit="D"))
    assert run(tmp_path, name, resume=True)[0].finished


def basin_run(tmp_path: Path) -> Path:
    """A ``daryo run`` result of :func:`basin` (a NetCDF file with no ensemble summaries)."""
    import daryo

    path = tmp_path / "run.nc"
    daryo.run(basin()).to_netcdf(path)
    return path


class _MakesFolder:
    """A trace source that makes a folder where the output will go while chunk 1 runs."""
    def __init__(self, inner, folder: Path):
        self.inner, self.folder = inner, folder

    def describe(self) -> str:
        return self.inner.describe()

    def __getattr__(self, name):  # (the record it resamples, part of the run's identity)
        return getattr(self.inner, name)

    def __call__(self, seed, indices, years, axis):
        if 3 in list(indices):
            self.folder.mkdir(exist_ok=True)
            (self.folder / "notes.txt").write_text("precious")
        return self.inner(seed, indices, years, axis)


def test_a_folder_made_at_the_output_during_the_run_is_not_replaced(tmp_path):
    out = tmp_path / "late.nc"
    with pytest.raises(IsADirectoryError, match="late.nc is a folder"):
        run(tmp_path, "late.nc", source=_MakesFolder(ResampledTraces.from_model(basin()), out))
    assert (out / "notes.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["late.nc", "late.nc.parts"]  # no temporary store
    (out / "notes.txt").unlink()
    out.rmdir()
    r, out = run(tmp_path, "late.nc", resume=True)
    assert r.chunks_skipped == 3 and r.traces_computed == 0 and out.is_file()


def test_outputs_get_the_usual_file_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        r, out = run(tmp_path, "cut.nc", stop_after=1)
        parts = tmp_path / "cut.nc.parts"
        for f in parts.iterdir():
            assert f.stat().st_mode & 0o777 == 0o640, f.name
        _, out = run(tmp_path, "cut.nc", resume=True)
        assert out.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


def test_a_user_netcdf_file_or_zarr_store_is_not_replaced(tmp_path):
    mine = tmp_path / "obs.nc"
    xr.Dataset({"q": ("t", [1.0, 2.0])}, attrs={"title": "my observed flows"}).to_netcdf(mine)
    with pytest.raises(FileExistsError, match="obs.nc exists and is a NetCDF file that no daryo ensemble wrote"):
        run(tmp_path, "obs.nc")
    assert load(mine).attrs["title"] == "my observed flows"
    pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    store = tmp_path / "obs.zarr"
    xr.Dataset({"q": ("t", [1.0, 2.0])}, attrs={"title": "mine"}).to_zarr(store, zarr_format=2)
    with pytest.raises(FileExistsError, match="no daryo ensemble wrote"):
        run(tmp_path, "obs.zarr")
    assert load(store).attrs["title"] == "mine"


def test_summaries_by_hand():
    """The summary statistics of 101 (trace, year) values 0…100 spread over two parts, in any order: mean 50
    and percentiles 5, 50 and 95 equal to 5, 50 and 95 (each under its own name)."""
    values = np.random.default_rng(1).permutation(np.arange(101.0))
    coords = {"reservoir": ["r"], "demand": ["d"], "sink": ["s"], "hydropower": ["h"]}
    parts = [{k: v.reshape(-1, 1, 1) for k in ANNUAL_INDICATORS} for v in (values[:40], values[40:])]
    for p in parts:
        p["annual_deficit_fraction"] = p["annual_deficit_fraction"] / 100
    s = summarise(parts, coords, threshold=0.895)
    for k in ANNUAL_INDICATORS:
        scale = 0.01 if k == "annual_deficit_fraction" else 1.0
        got = s[f"summary_{k}"].isel({ANNUAL_INDICATORS[k]: 0})
        for stat, want in (("mean", 50), ("p5", 5), ("p50", 50), ("p95", 95)):
            assert got.sel(statistic=stat).item() == pytest.approx(want * scale), (k, stat)
    assert s.prob_deficit_above_threshold.item() == pytest.approx(11 / 101)  # 0.90, 0.91 … 1.00


def test_summaries_taken_an_element_at_a_time_are_the_same():
    """With a memory budget that fits one element's values, each is summarised on its own (the summaries of a
    10,000 × 50 ensemble held every annual indicator of every part at once: 1.3 GB in the main process)."""
    rng = np.random.default_rng(2)
    sizes = {"demand": 3, "reservoir": 2, "sink": 1, "hydropower": 2, "inflow": 2, "requirement": 2, "system": 2}
    coords = {dim: [f"{dim}{i}" for i in range(n)] for dim, n in sizes.items()}
    parts = [{k: rng.random((n, 4, sizes[dim])) for k, dim in ANNUAL_INDICATORS.items()} for n in (5, 3)]
    whole, one = summarise(parts, coords, threshold=0.5), summarise(parts, coords, threshold=0.5, max_bytes=1)
    for name in whole.data_vars:
        np.testing.assert_array_equal(one[name].values, whole[name].values)
    a = np.concatenate([p["annual_energy"].reshape(-1, 2) for p in parts])
    np.testing.assert_allclose(one["summary_annual_energy"].sel(statistic="p95"), np.percentile(a, 95, axis=0))


def test_ensemble_summaries_are_percentiles_over_traces_and_years(tmp_path):
    """Every summary of the stored run: the mean and the 5th, 50th and 95th percentiles of the annual
    indicator over all (trace, run year) pairs."""
    _, out = run(tmp_path, "p.nc", model=plant_basin())
    ds = load(out)
    for k, dim in ANNUAL_INDICATORS.items():
        if not ds.sizes[dim]:  # (the basin has no flow requirement)
            continue
        a = ds[k].transpose("trace", "year", dim).values.reshape(-1, ds.sizes[dim])
        s = ds[f"summary_{k}"]
        np.testing.assert_allclose(s.sel(statistic="mean"), a.mean(axis=0), err_msg=k)
        for p in (5, 50, 95):
            np.testing.assert_allclose(s.sel(statistic=f"p{p}"), np.percentile(a, p, axis=0), err_msg=f"{k} p{p}")
    # the percentiles differ: a swap of two of them is seen
    s = ds.summary_annual_sink_inflow.sel(sink="sea")
    assert s.sel(statistic="p5") < s.sel(statistic="p50") < s.sel(statistic="p95")


def test_the_readmes_example_of_reading_an_ensemble_runs(tmp_path, monkeypatch):
    """The README's Python example on an ensemble store (outcomes against the traces' hydrology), run as written
    on a small store of the embedded model."""
    import daryo

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    (code,) = [c for c in re.findall(r"```python\n(.*?)```", readme, re.S) if "annual_inflow" in c]
    run_ensemble(daryo.load(), EnsembleOptions(traces=12, years=3, seed=1), tmp_path / "runs.zarr")
    monkeypatch.chdir(tmp_path)
    *body, last = code.strip().splitlines()
    scope: dict = {}
    exec("\n".join(body), scope)
    low = eval(last, scope)
    assert low.dims == ("quantile",) and np.all(np.isfinite(low.values)) and low.values[0] <= low.values[1]
    # (the store carries the model's caveats, as a run's results do)
    assert scope["ens"].attrs["caveats"].startswith("The model over-supplies the North Aral")


def test_the_stores_reservoir_volumes_are_those_the_run_takes(tmp_path):
    """A reservoir without initial_volume starts at its max_volume of the first step, also where that is given step
    by step (the store said NaN there: its volumes were worked out again from the model file); its dead storage is
    the lowest over the run's steps."""
    nodes, edges = basin_network()
    dam = {"id": "dam", "type": "reservoir", "max_volume": {"values": [430] + [400] * 23},
           "min_volume": {"values": [60] * 12 + [45] * 12}, "cost": -2.0}
    nodes = [dam if n["id"] == "dam" else n for n in nodes]
    _, out = run(tmp_path, "t.zarr", model=build(nodes, edges, steps=24, allocation="cost", start="2001-10"),
                 options={"years": 2})
    ds = load(out)
    assert ds["reservoir_initial_volume"].item() == 430
    assert ds["reservoir_min_volume"].item() == 45


def test_a_dead_storage_of_the_reservoirs_state_is_not_a_number_of_the_store():
    """A min_volume a control curve gives changes with the state: the store's coordinate says NaN, not the 0 the
    compiled network holds until a step sets it."""
    from daryo.ensemble.store import ReservoirVolumes
    from daryo.model import model_from_dict
    from daryo.network import compile_network

    doc = {"version": 1, "name": "t", "time": {"start": "2001-01", "end": "2001-02", "step": "month"},
           "parameters": {"i": {"type": "controlcurveindex", "reservoir": "dam", "control_curves": [0.5]},
                          "p": {"type": "indexedarray", "index_parameter": "i", "parameters": [30, 5]}},
           "nodes": [{"id": "dam", "type": "reservoir", "max_volume": 400, "initial_volume": 300,
                      "min_volume": {"parameter": "p"}},
                     {"id": "low", "type": "reservoir", "max_volume": 50, "min_volume": 7},
                     {"id": "town", "type": "demand", "demand": 290}],
           "edges": [["dam", "town"], ["low", "town"]]}
    volumes = ReservoirVolumes.of(compile_network(model_from_dict(doc)))
    assert volumes.ids == ["dam", "low"]
    np.testing.assert_array_equal(volumes.lowest_min, [np.nan, 7.0])
    np.testing.assert_array_equal(volumes.initial, [300.0, 50.0])


def test_the_tables_of_a_store_opened_once_are_those_of_its_path(tmp_path, monkeypatch):
    """Every table of an ensemble's output takes the store opened once (open_output, or xarray's own) as well as its
    path, with the same figures; daryo compare and daryo summary open each store once for all their tables (they
    opened it once a table: seven times a store for a comparison)."""
    from daryo.compare import compare_ensembles, paired_deficit_changes
    from daryo.ensemble import (
        energy_table,
        open_output,
        requirement_table,
        run_of,
        shortfall_table,
        storage_table,
        summary_table,
        water_stress_table,
    )

    _, first = run(tmp_path, "a.zarr")
    nodes, edges = basin_network()
    thirsty = [dict(n, demand=[1.6 * d for d in n["demand"]]) if n["id"] == "farm" else n for n in nodes]
    _, second = run(tmp_path, "b.nc", model=build(thirsty, edges, steps=24, allocation="cost", start="2001-10"))
    tables = [lambda o: shortfall_table(o, year=1), energy_table, lambda o: storage_table(o, year=0),
              requirement_table, water_stress_table, summary_table]
    with open_output(first) as ds, xr.open_dataset(second) as other:
        for table in tables:
            pd.testing.assert_frame_equal(table(ds), table(first))
            pd.testing.assert_frame_equal(table(other), table(second))
        assert run_of(ds) == run_of(first)
        pd.testing.assert_frame_equal(compare_ensembles(ds, other), compare_ensembles(first, second))
        pd.testing.assert_frame_equal(paired_deficit_changes(ds, other, year=1),
                                      paired_deficit_changes(first, second, year=1))
        with pytest.raises(ValueError, match=r"year 5: \S+b.nc holds run years 0 to 2"):
            storage_table(other, year=5)
    with xr.open_dataset(basin_run(tmp_path)) as results, pytest.raises(
            ValueError, match=r"\S+run.nc holds no ensemble summaries: it is not the output of an ensemble run"):
        energy_table(results)
    with pytest.raises(TypeError, match="energy_table takes the path of an ensemble's output .or the output opened"):
        energy_table(basin())

    opened = []
    real = xr.open_dataset

    def counted(path, *args, **kwargs):
        opened.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(xr, "open_dataset", counted)
    assert main(["compare", str(first), str(second)]) == 0
    assert sorted(opened) == ["a.zarr", "b.nc", "b.nc"]  # (b.nc also once to tell an ensemble's from a run's)
    opened.clear()
    assert main(["summary", str(first), "--csv", str(tmp_path / "s.csv")]) == 0
    assert opened == ["a.zarr", "a.zarr"]  # (its run, then every table)


def test_the_shortfall_table_lists_the_demands_short_most_often(tmp_path, capsys):
    """From the store's summaries: each short demand's country, probability of a deficit above the threshold, and
    mean and p95 deficit fraction, most often short first; ``daryo ensemble`` prints it, or that none is short."""
    dry = tmp_path / "dry.yaml"  # the farm wants twice as much, and a town 2 a month
    dry.write_text(yaml_of_basin().replace("[5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5]",
                                            "[10, 10, 20, 60, 110, 140, 150, 130, 80, 30, 10, 10]")
                   .replace("  - {id: sea,", "  - {id: town, type: demand, demand: 2, cost: -30}\n  - {id: sea,")
                   .replace("[dam, sea]]", "[dam, sea], [dam, town]]"))
    assert main(["ensemble", str(dry), "--traces", "6", "--years", "2", "--quiet", "--deficit-threshold", "0.05",
                 "-o", str(tmp_path / "dry.nc")]) == 0
    text = capsys.readouterr().out
    ds = load(tmp_path / "dry.nc")
    table = shortfall_table(tmp_path / "dry.nc")
    frac = ds.summary_annual_deficit_fraction
    assert list(table.index) == ["farm"]  # (the town, served first, is never short)
    row = table.loc["farm"]
    assert row["probability"] == ds.prob_deficit_above_threshold.sel(demand="farm").item() > 0
    assert row["mean"] == frac.sel(demand="farm", statistic="mean").item() > 0
    assert row["p95"] == frac.sel(demand="farm", statistic="p95").item()
    assert row["country"] == "" and table.attrs["threshold"] == 0.05
    assert "deficit above 5% of the demand" in text
    assert f"  farm{' ' * 13}{row['probability']:>9.2%}{row['mean']:>9.2%}{row['p95']:>9.2%}" in text, text
    argv = ["ensemble", str(dry), "--traces", "6", "--years", "2", "--quiet", "--deficit-threshold", "0.004", "-o",
            str(tmp_path / "small.nc")]
    assert main(argv) == 0 and "deficit above 0.4% of the demand" in capsys.readouterr().out  # (not "0%")
    assert main([*argv, "--resume"]) == 0  # a finished run: nothing to do, and the same table
    assert "nothing to resume" in (again := capsys.readouterr().out) and "  farm " in again
    for n, error in ((-1, ValueError), (1.5, TypeError), (True, TypeError), ("2", TypeError)):  # (1.5 and True
        with pytest.raises(error, match=f"n={n!r}: give how many demands to list"):  # listed one demand)
            shortfall_table(tmp_path / "dry.nc", n=n)  # type: ignore[arg-type]
    wet = tmp_path / "wet.yaml"
    wet.write_text(yaml_of_basin())
    assert main(["ensemble", str(wet), "--traces", "3", "--years", "2", "--quiet", "-o", str(tmp_path / "wet.nc")]) == 0
    assert shortfall_table(tmp_path / "wet.nc").empty
    assert "no demand is short in any trace-year" in capsys.readouterr().out
    assert (table.attrs["demands"], shortfall_table(tmp_path / "wet.nc").attrs["demands"]) == (2, 1)  # (town, farm)
    bare = tmp_path / "bare.yaml"  # no demands at all: said so, not that none is short
    bare.write_text("version: 1\nname: bare\ntime: {start: 2000-10, end: 2002-09}\nnodes:\n"
                    "  - {id: in, type: inflow, inflow: 10}\n  - {id: sea, type: sink}\nedges:\n  - [in, sea]\n")
    assert main(["ensemble", str(bare), "--traces", "2", "--years", "1", "--quiet", "-o", str(tmp_path / "b.nc")]) == 0
    assert shortfall_table(tmp_path / "b.nc").attrs["demands"] == 0
    assert "the model has no demands" in capsys.readouterr().out


def test_the_summary_table_holds_every_summary_of_the_store(tmp_path):
    """:func:`summary_table` (and the CSV :func:`write_summary_csv` writes) is the store's summaries, every
    indicator and element kind (here a reservoir, demands, sinks, a plant, inflows), row by row, with the units
    and countries the store gives them."""
    pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    _, out = run(tmp_path, "p.zarr", model=plant_basin())
    table, ds = summary_table(out), load(out)
    names = [str(v) for v in ds.data_vars if str(v).startswith("summary_")]
    assert sorted(set(table.kind)) == ["demand", "hydropower", "inflow", "reservoir", "sink", "system"]
    assert len(table) == (sum(ds[v].size for v in names) + ds["prob_deficit_above_threshold"].size
                          + ds["prob_water_stress_level"].size + ds.sizes["system"])
    for v in names:
        da = ds[v]
        kind = next(d for d in da.dims if d != "statistic")
        rows = table[table.indicator == v.removeprefix("summary_")]
        rows = rows[~rows.statistic.str.startswith("share_") & (rows.statistic != "long_term")]
        if not da.size:  # (an element kind the model has none of: no rows)
            assert rows.empty
            continue
        assert rows.units.iloc[0] == {"summary_annual_energy": "GWh per year", "summary_annual_deficit_fraction": "1",
                                      "summary_annual_winter_energy": "GWh per year",
                                      "summary_annual_min_storage": "hm3", "summary_annual_water_stress": "%"
                                      }.get(v, "hm3 per year")
        assert (rows.units == daryo_units(da.attrs)).all() and (rows.kind == kind).all()
        got = rows.pivot(index="element", columns="statistic", values="value")
        np.testing.assert_array_equal(got.loc[ds[kind].values, list(ds.statistic.values)].values,
                                      da.transpose(kind, "statistic").values, err_msg=v)
        countries = rows.drop_duplicates("element").set_index("element").country
        assert list(countries[ds[kind].values]) == list(ds[f"{kind}_country"].values)
    share = table[table.statistic == "share_above_0.3"].set_index("element").value
    np.testing.assert_array_equal(share[ds.demand.values].values, ds["prob_deficit_above_threshold"].values)
    levels = table[table.statistic.str.startswith("share_") & (table.kind == "system")]
    assert list(levels.statistic) == ["share_no_stress", "share_low", "share_medium", "share_high", "share_critical"]
    np.testing.assert_array_equal(levels.value, ds["prob_water_stress_level"].values[:, 0])
    assert (levels.units == "1").all() and levels.element.iloc[0] == ds.system.values[0]
    # SDG 6.4.2's own ratio, of the mean yearly terms (an SDG statistician's review: the mean of the yearly ratios,
    # each of that year's own water, was the only figure, and differed from daryo run's)
    (long_term,) = table[table.statistic == "long_term"].itertuples()
    w, r, e = (float(ds[v].isel(system=0).mean()) for v in ("annual_withdrawal", "annual_renewable_water",
                                                             "annual_environmental_flow"))
    assert (long_term.indicator, long_term.units, long_term.element) == ("annual_water_stress", "%",
                                                                        ds.system.values[0])
    np.testing.assert_allclose(long_term.value, w / (r - min(e, r)) * 100, rtol=1e-12)
    # each row names its run (a user review: summaries of a deal and of the baseline could not be told apart)
    assert list(table.columns[-5:]) == ["model", "scenarios", "seed", "traces", "years"]
    assert table[["model", "scenarios", "seed", "traces", "years"]].drop_duplicates().values.tolist() == [
        ["test", "", 5, 7, 3]]
    csv = write_summary_csv(out, tmp_path / "s.csv")
    pd.testing.assert_frame_equal(pd.read_csv(csv, keep_default_na=False, float_precision="round_trip"), table,
                                  check_exact=True)  # (every digit written)
    earlier = tmp_path / "earlier.csv"  # (a summary CSV of daryo before the run's columns: replaced as one)
    earlier.write_text("indicator,units,kind,element,country,statistic,value\n")
    write_summary_csv(out, earlier)
    assert earlier.read_text() == csv.read_text()
    with pytest.raises(ValueError, match="holds no ensemble summaries"):
        summary_table(_not_an_ensemble(tmp_path))


def test_the_summary_table_is_the_same_for_a_zarr_and_a_netcdf_store(tmp_path):
    """zarr lists a store's variables alphabetically and NetCDF as written: the CSV's rows came in another
    order for each."""
    pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    _, zarr_out = run(tmp_path, "p.zarr", model=plant_basin())
    _, nc_out = run(tmp_path, "p.nc", model=plant_basin())
    pd.testing.assert_frame_equal(summary_table(zarr_out), summary_table(nc_out), check_exact=True)


def _not_an_ensemble(tmp_path: Path) -> Path:
    path = tmp_path / "plain.nc"
    xr.Dataset({"x": ("t", [1.0])}).to_netcdf(path)
    return path


def test_a_file_that_is_no_store_is_named_and_a_summary_csv_gets_its_folders(tmp_path, monkeypatch):
    """A QA pass: summary_table of a file that is not NetCDF gave xarray's 'did not find a match in any of xarray's
    IO backends' without naming it; write_summary_csv into a missing folder said 'cannot write X: cannot write X'."""
    garbage = tmp_path / "garbage.nc"
    garbage.write_text("not NetCDF\n")
    with pytest.raises(ValueError, match=rf"^{re.escape(str(garbage))} is not an ensemble's output: it cannot be "
                                         "read as a NetCDF file or zarr store$"):
        summary_table(garbage)
    with pytest.raises(ValueError, match=r"the output must end in .zarr or .nc"):
        summary_table(tmp_path / "s.txt")
    _, out = run(tmp_path, "s.nc")
    target = write_summary_csv(out, tmp_path / "new" / "folder" / "s.csv")
    assert len(pd.read_csv(target)) == len(summary_table(out)) > 0
    with pytest.raises(NotADirectoryError, match=rf"^cannot write {re.escape(str(garbage))}/s.csv: "
                                                 rf"{re.escape(str(garbage))} is a file, not a folder$"):
        write_summary_csv(out, garbage / "s.csv")
    # ~ is the home folder, for the store and the CSV (a folder named '~' was made in the current one)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    run_ensemble(basin(), EnsembleOptions(traces=3, years=2, seed=5), "~/h.nc")
    assert write_summary_csv("~/h.nc", "~/h.csv") == tmp_path / "home" / "h.csv"
    assert (tmp_path / "home" / "h.nc").is_file() and not (tmp_path / "~").exists()
    assert len(summary_table("~/h.nc")) == len(pd.read_csv(tmp_path / "home" / "h.csv"))


def test_the_run_attributes_of_a_netcdf_store_are_32_bit_integers_or_text(tmp_path):
    """They were 64-bit integers, which CF 1.8 and NetCDF's classic format do not have (a formats review), as the
    docs say; a seed above 32 bits is text.  A finished run is still found finished on --resume."""
    netcdf = pytest.importorskip("netCDF4")
    _, out = run(tmp_path, "r.nc", options={"traces": 2, "seed": 3_000_000_000})
    with netcdf.Dataset(out) as nc:
        attrs = {k: nc.getncattr(k) for k in nc.ncattrs()}
    assert {k: type(v) for k, v in attrs.items() if not isinstance(v, str | np.floating)} == {
        k: np.int32 for k in ("format", "traces", "years", "chunk_size", "steps", "fast")}
    assert attrs["seed"] == "3000000000" and attrs["traces"] == 2
    before = out.stat().st_mtime_ns
    run(tmp_path, "r.nc", options={"traces": 2, "seed": 3_000_000_000}, resume=True)
    assert out.stat().st_mtime_ns == before
    with netcdf.Dataset(out, "a") as nc:  # a store of before (its seed a 64-bit integer, and no year_days)
        nc.setncattr("format", np.int64(3))
    with pytest.raises(ValueError, match=r"holds the results of a run written by another version of daryo \(format "
                                         r"3; this one writes format 9\); run without --resume to replace them"):
        run(tmp_path, "r.nc", options={"traces": 2, "seed": 3_000_000_000}, resume=True)


def test_the_store_says_how_many_days_each_run_year_s_sums_cover(tmp_path):
    """With 10-day steps a run year holds 37 steps one year and 36 the next, so its annual sums cover 370 or 360
    days, which the store did not say (a formats review)."""
    import daryo

    model_file = tmp_path / "m.yaml"
    model_file.write_text(yaml_of_basin().replace("step: month", "step: {days: 10}"))
    run_ensemble(daryo.load(model_file), EnsembleOptions(traces=1, years=2, seed=1), tmp_path / "e.nc")
    ds = load(tmp_path / "e.nc")
    assert ds["year_days"].values.tolist() == [370, 360]
    days = ds["days"].values
    year = np.repeat([0, 1], [37, 36])
    assert ds["year_days"].values.tolist() == [int(days[year == y].sum()) for y in (0, 1)]


#: each demand's annual deficit fractions over 2 traces x 2 run years (flattened trace-major)
_FRACTIONS = {
    "a": [0.9, 0.9, 0.0, 0.0],      # above 0.3 in 2 of 4 pairs, mean 0.45
    "b": [0.31, 0.31, 0.31, 0.0],   # above 0.3 in 3 of 4 pairs, mean 0.2325
    "c": [0.1, 0.2, 0.0, 0.0],      # short, never above 0.3: probability 0, mean 0.075
    "d": [0.3, 0.3, 0.3, 0.3],      # exactly at 0.3: not above it, mean 0.3
    "e": [0.0, 0.0, 0.0, 0.0],      # never short
}


def _store(path, threshold=0.3):
    """A NetCDF file holding the summaries of two parts of one trace each (2 run years)."""
    ids = list(_FRACTIONS)
    frac = np.array([_FRACTIONS[k] for k in ids]).T.reshape(2, 2, len(ids))  # (trace, year, demand)
    sizes = {"demand": len(ids), "reservoir": 1, "sink": 1, "hydropower": 1, "inflow": 1, "requirement": 1,
             "system": 1}
    coords = {}
    for kind in sizes:
        coords[kind] = ids if kind == "demand" else [f"{kind}0"]
        coords[f"{kind}_country"] = (kind, ["KAZ", "UZB", "KAZ", "TJK", "UZB"] if kind == "demand" else [""])
    parts = []
    for t in range(2):
        part = {k: np.ones((1, 2, sizes[dim])) for k, dim in ANNUAL_INDICATORS.items()}
        part["annual_deficit_fraction"] = frac[t:t + 1]
        parts.append(part)
    summarise(parts, coords, threshold=threshold).to_netcdf(path)
    return path


def test_the_shortfall_table_by_hand(tmp_path):
    """Every demand with some deficit is listed (also one never above the threshold, and one exactly at it), most
    often above the threshold first, then by mean deficit; a deficit equal to the threshold does not exceed it;
    n=0 lists none (0 is allowed)."""
    table = shortfall_table(_store(tmp_path / "s.nc"))
    assert list(table.index) == ["b", "a", "d", "c"]
    assert table["probability"].tolist() == pytest.approx([0.75, 0.5, 0.0, 0.0])
    assert table["mean"].tolist() == pytest.approx([0.2325, 0.45, 0.3, 0.075])
    assert table.loc["a", "country"] == "KAZ" and table.loc["b", "country"] == "UZB" and table.attrs["demands"] == 5
    assert list(shortfall_table(tmp_path / "s.nc", n=2).index) == ["b", "a"]
    none = shortfall_table(tmp_path / "s.nc", n=0)
    assert none.empty and list(none.columns) == ["country", "probability", "mean", "p95"]


def test_run_attributes_are_32_bit_integers_up_to_the_largest_and_text_beyond():
    """The bounds of NetCDF's 32-bit integers are themselves integers (a seed of 2**31 - 1 is a number), one
    beyond is text."""
    attrs = _store_attributes({"hi": 2**31 - 1, "lo": -(2**31), "above": 2**31, "below": -(2**31) - 1, "flag": True})
    assert {k: type(v) for k, v in attrs.items()} == {"hi": np.int32, "lo": np.int32, "above": str, "below": str,
                                                      "flag": np.int32}
    assert (attrs["hi"], attrs["lo"], attrs["above"], attrs["below"]) == (2**31 - 1, -(2**31), "2147483648",
                                                                          "-2147483649")


def test_a_csv_file_whose_header_only_starts_like_the_summaries_is_not_replaced(tmp_path):
    """Only a file whose header is the summary CSV's whole header is an ensemble's summaries: one of a user's
    that starts with 'indicator' (indicator,value) is refused, as is one with an extra column."""
    ours = tmp_path / "ours.csv"
    ours.write_text("indicator,units,kind,element,country,statistic,value\nx,1,demand,a,,mean,0\n")
    check_summary_csv(ours)  # (an ensemble's: may be replaced)
    for header in ("indicator,value", "indicator,units,kind,element,country,statistic,value,note"):
        theirs = tmp_path / "theirs.csv"
        theirs.write_text(f"{header}\nx,1\n")
        with pytest.raises(FileExistsError, match="is not a CSV file of an ensemble's summaries"):
            check_summary_csv(theirs)


def test_a_demand_without_category_or_priority_is_labelled_as_a_run_labels_it(tmp_path):
    """BUG found by the mutation pass: a model made in Python whose demands do not set category or priority; the
    run's results take the component's defaults (irrigation, 1: Node.value), and the store took its own copy of
    them, "other" for the category.  The store's coordinates must be the run's."""



    model = basin()
    nodes = tuple(Node(n.id, n.type, {k: v for k, v in n.attrs.items() if k not in ("category", "priority")},
                       n.place, n.line) if n.type == "demand" else n for n in model.nodes)
    model = dataclasses.replace(model, nodes=nodes)
    results = daryo.run(model.with_time(years=1), daryo.RunOptions(scenarios=1)).dataset
    run_ensemble(model, EnsembleOptions(traces=2, years=1, seed=1), tmp_path / "e.nc")

    with xr.open_dataset(tmp_path / "e.nc") as ds:
        for name in ("demand_category", "demand_priority"):
            assert ds[name].values.tolist() == results[name].values.tolist(), name


def test_the_shares_of_faos_levels_of_water_stress_by_hand():
    """Ten trace-years of two river systems over two parts: FAO's levels by the ratio (25 is low, 100 high, above
    it and infinite critical); a trace-year with no withdrawal and no water (NaN) is in no level and left out of
    the mean and percentiles."""
    first = [0.0, 24.9, 25.0, 50.0, 74.9, 75.0, 100.0, 100.1, np.inf, np.nan]
    second = [10.0] * 8 + [30.0, 80.0]
    stress = np.stack([first, second], axis=1)  # (trace-year, system)
    sizes = {"demand": 1, "reservoir": 1, "sink": 1, "hydropower": 1, "inflow": 1, "requirement": 1, "system": 2}
    coords = {dim: [f"{dim}{i}" for i in range(n)] for dim, n in sizes.items()}
    parts = []
    for rows in (stress[:6], stress[6:]):  # (parts of 3 and 2 traces of 2 years)
        part = {k: np.ones((len(rows) // 2, 2, sizes[dim])) for k, dim in ANNUAL_INDICATORS.items()}
        part["annual_water_stress"] = rows.reshape(-1, 2, 2)
        parts.append(part)
    s = summarise(parts, coords, threshold=0.3)
    shares = s["prob_water_stress_level"].transpose("stress_level", "system")
    assert list(shares.stress_level.values) == ["no stress", "low", "medium", "high", "critical"]
    np.testing.assert_allclose(shares.values[:, 0], [0.2, 0.1, 0.2, 0.2, 0.2])
    np.testing.assert_allclose(shares.values[:, 1], [0.8, 0.1, 0.0, 0.1, 0.0])
    summary = s["summary_annual_water_stress"]
    assert summary.sel(system="system0", statistic="mean").item() == np.inf
    assert summary.sel(system="system0", statistic="p50").item() == 74.9  # (9 values, NaN left out: the 5th)
    assert summary.sel(system="system0", statistic="p5").item() == pytest.approx(0.4 * 24.9)  # (at 0.4)
    assert summary.sel(system="system0", statistic="p95").item() == np.inf  # (at 7.6: from 100.1 to infinite)
    assert summary.sel(system="system1", statistic="mean").item() == pytest.approx(19.0)


def test_the_shortfall_table_of_another_threshold_or_of_one_run_year_is_worked_out_from_the_annual_fractions(tmp_path):
    """A review: the pooled probabilities dilute a drought's years, and another threshold meant running the
    ensemble again.  ``threshold`` and ``year`` take them from the stored annual deficit fractions; without them
    the table is the run's summaries."""
    dry = tmp_path / "dry.yaml"  # the farm wants twice as much
    dry.write_text(yaml_of_basin().replace("[5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5]",
                                            "[10, 10, 20, 60, 110, 140, 150, 130, 80, 30, 10, 10]"))
    out = tmp_path / "s.nc"
    run_ensemble(daryo.load(dry), EnsembleOptions(traces=20, years=2, seed=3, deficit_threshold=0.05), out)
    ds = load(out)
    frac = ds.annual_deficit_fraction.transpose("trace", "year", "demand")
    pooled = frac.values.reshape(-1, ds.sizes["demand"])
    assert (pooled > 0.05).any() and (pooled > 0.2).sum() < (pooled > 0.05).sum()  # (the thresholds differ)
    for threshold, year, values in ((None, None, pooled), (0.2, None, pooled), (None, 1, frac.values[:, 1]),
                                    (0.2, 0, frac.values[:, 0])):
        table = shortfall_table(out, threshold=threshold, year=year)
        limit = 0.05 if threshold is None else threshold
        want = pd.DataFrame({"probability": (values > limit).mean(axis=0), "mean": values.mean(axis=0),
                             "p95": np.percentile(values, 95, axis=0)}, index=ds.demand.values.astype(str))
        want = want[(want.probability > 0) | (want["mean"] > 0)]
        got = table[["probability", "mean", "p95"]]
        pd.testing.assert_frame_equal(got.sort_index(), want.sort_index(), check_names=False, rtol=1e-12)
        assert table.attrs["threshold"] == limit and table.attrs["year"] == year
    for bad, error in (({"year": 3}, ValueError), ({"year": 1.5}, TypeError), ({"threshold": 1.0}, ValueError),
                       ({"threshold": "x"}, TypeError)):
        with pytest.raises(error):
            shortfall_table(out, **bad)


@pytest.mark.parametrize("table, dropped, what", [
    ("water_stress_table", ["summary_annual_water_stress"], "water stress"),
    ("requirement_table", ["annual_requirement_shortfall_fraction"], "flow requirements"),
])
def test_a_store_of_an_earlier_daryo_is_told_to_be_run_again(tmp_path, table, dropped, what):
    """A store written before an indicator was kept holds none of it: the table names the store and what to do."""
    import xarray as xr

    from daryo import ensemble

    _, out = run(tmp_path, "p.nc", model=plant_basin())
    older = tmp_path / "older.nc"
    with xr.open_dataset(out) as ds:
        ds.drop_vars(dropped).to_netcdf(older)
    with pytest.raises(ValueError, match=f"^{re.escape(str(older))} holds no {what}: it was written by an earlier "
                                         "daryo; run the ensemble again$"):
        getattr(ensemble, table)(older)


def test_energy_and_storage_tables_by_hand(tmp_path, capsys):
    """A review (a hydropower planner): an ensemble printed nothing of the plants or reservoirs, and its store kept
    no firm energy by country nor how often a reservoir is drawn down to its dead storage.  The tables, worked out
    again from the store's annual arrays; a monthly min_volume's lowest is the dead storage."""
    from daryo.compare import compare_ensembles
    from daryo.ensemble import energy_table, storage_table

    nodes, edges = basin_network()
    nodes = [dict(n, min_volume={"monthly": [60] * 6 + [50] * 6}) if n["id"] == "dam" else
             dict(n, demand=[1.6 * d for d in n["demand"]]) if n["id"] == "farm" else n for n in nodes]
    nodes += [{"id": "p1", "type": "hydropower", "capacity": 1000, "head": 100, "efficiency": 0.9, "country": "KGZ"},
              {"id": "j", "type": "junction"},
              {"id": "p2", "type": "hydropower", "capacity": 1000, "head": 50, "efficiency": 0.9, "country": "UZB"}]
    edges = [e for e in edges if e != ["river", "sea"]] + [["river", "p1"], ["p1", "j"], ["j", "p2"], ["p2", "sea"]]
    _, out = run(tmp_path, "t.zarr", model=build(nodes, edges, steps=24, allocation="cost", start="2001-10"))
    ds = load(out)
    energy, winter = (ds[v].transpose("trace", "year", "hydropower").values.reshape(-1, 2)
                      for v in ("annual_energy", "annual_winter_energy"))
    table = energy_table(out)
    assert list(table.index) == ["p1", "p2"] and list(table["country"]) == ["KGZ", "UZB"]
    np.testing.assert_allclose(table["mean"], energy.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(table["winter_p5"], np.percentile(winter, 5, axis=0), rtol=1e-12)
    assert table.loc["p1", "mean"] == pytest.approx(2 * table.loc["p2", "mean"])  # (twice the head)
    assert table.loc["p1", "p5"] < table.loc["p1", "mean"]
    countries = energy_table(out, by="country")
    assert list(countries.index) == ["KGZ", "UZB"]
    np.testing.assert_allclose(countries["winter_mean"], winter.mean(axis=0), rtol=1e-12)
    one = energy_table(out, year=1)
    np.testing.assert_allclose(one["mean"], ds["annual_energy"].isel(year=1).mean("trace").values, rtol=1e-12)
    with pytest.raises(ValueError, match=r"year 3: \S+t.zarr holds run years 0 to 2"):
        energy_table(out, year=3)
    with pytest.raises(ValueError, match="by='basin': give 'plant' or 'country'"):
        energy_table(out, by="basin")
    storage = storage_table(out)
    lowest = ds["annual_min_storage"].sel(reservoir="dam").values.ravel()
    assert storage.loc["dam", "min_volume"] == 50
    assert storage.loc["dam", "least"] == lowest.min() and storage.loc["dam", "p5"] == np.percentile(lowest, 5)
    assert storage.loc["dam", "at_min"] == pytest.approx((lowest < 50 + 1e-4).mean())
    assert 0 < storage.loc["dam", "at_min"] < 1
    compared = compare_ensembles(out, out).set_index(["table", "element", "quantity"])["first"]
    assert compared[("plant", "p2", "energy winter, p5")] == table.loc["p2", "winter_p5"]
    assert compared[("country", "KGZ", "energy winter, p5")] == countries.loc["KGZ", "winter_p5"]
    assert compared[("reservoir", "dam", "at dead storage")] == storage.loc["dam", "at_min"] * 100
    # the reservoirs' change over the run, as daryo compare gives it of two runs (a review: an ensemble's gain drawn
    # from storage went unnoticed)
    assert compared[("reservoir", "dam", "storage at start")] == 250 == ds["reservoir_initial_volume"].item()
    end = ds["storage"].isel(time=-1).sel(reservoir="dam").values.astype(float).mean()
    assert compared[("reservoir", "dam", "change over the run, mean")] == pytest.approx(end - 250, rel=1e-12)
    assert compared[("reservoir", "all", "change over the run, mean")] == pytest.approx(end - 250, rel=1e-12)
    thirsty = [dict(n, demand=[2 * d for d in n["demand"]]) if n["id"] == "farm" else n for n in nodes]
    _, more = run(tmp_path, "more.zarr", model=build(thirsty, edges, steps=24, allocation="cost", start="2001-10"))
    drawn = compare_ensembles(out, more).set_index(["table", "element", "quantity"])["difference"]
    assert drawn[("reservoir", "all", "change over the run, mean")] < 0
    assert main(["compare", str(out), str(more)]) == 0
    assert (f"note: the second ensemble draws {-drawn[('reservoir', 'all', 'change over the run, mean')]:,.1f} hm³ "
            "more from its reservoirs than the first over the whole run") in capsys.readouterr().out
    assert main(["summary", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert next(line for line in printed if line.startswith("  KGZ (all plants)")).split()[3:] == [
        f"{v:.1f}" for v in countries.loc["KGZ"]]
    assert next(line for line in printed if line.startswith("  dam ")).split()[-1] == (
        f"{storage.loc['dam', 'at_min']:.2%}")
