"""The output store: what may be replaced, its coordinates, formats and permissions, and the distribution
summaries written with it (its tables: test_tables.py)."""

import dataclasses
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from ensemble_cases import (
    GWH_A_HM3,
    EnergyTargetTraces,
    RuleCurveTraces,
    assert_identical,
    assert_nan_fill,
    basin,
    basin_network,
    basin_run,
    energy_target_basin,
    load,
    plant_basin,
    rule_curve_basin,
    run,
    yaml_of_basin,
)

import daryo
from daryo.cf import daryo_units
from daryo.cli import main
from daryo.ensemble import (
    ANNUAL_INDICATORS,
    EnsembleOptions,
    default_trace_source,
    energy_target_table,
    rule_curve_table,
    run_ensemble,
    shortfall_table,
    summarise,
    summary_table,
    write_summary_csv,
)
from daryo.ensemble.parts import _FORMAT
from daryo.ensemble.store import _store_attributes
from daryo.model import Node
from daryo.testmodels import build


def test_a_netcdf_library_error_on_a_full_disk_names_the_output_and_keeps_the_parts(tmp_path, monkeypatch):
    """A full disk, as the NetCDF library reports it (RuntimeError "NetCDF: HDF error"), ends in an OSError naming
    the output and the free space; the parts stay for --resume once there is room.  A disk is taken for full where
    it has less room than the parts left to write and 1 MiB (the room an HDF5 file's first writes take)."""
    import shutil
    from types import SimpleNamespace

    import daryo.ensemble.store

    def full(path, ds):
        raise RuntimeError("NetCDF: HDF error")

    monkeypatch.setattr(daryo.ensemble.store, "_nc_append", full)
    monkeypatch.setattr(shutil, "disk_usage", lambda p: SimpleNamespace(total=10**9, used=10**9 - 2 * 2**20,
                                                                        free=2 * 2**20))
    monkeypatch.setattr(daryo.ensemble.store, "file_size", lambda path: 2**20)  # (a part's size: 1 MiB each)
    out = tmp_path / "out.nc"
    with pytest.raises(OSError, match=rf"^cannot write {out}: NetCDF: HDF error \(2.1 MB free on its disk\); the "
                                      rf"finished chunks are kept in {out}.parts: "
                                      rf"run again with --resume \(resume=True in Python\) once there "
                                      "is room$"):
        run(tmp_path, "out.nc")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nc.parts"]


def test_a_netcdf_library_error_with_room_on_the_disk_is_not_taken_for_a_full_disk(tmp_path, monkeypatch):
    """A backend developer's review: "cannot write ens4/e0.nc: NetCDF: HDF error (69 GB free on its disk); the
    finished chunks are kept in ens4/e0.nc.parts: run again with --resume once there is room" (two threads' writes
    at once): every error of the netCDF library was taken for a full disk.  With room on the disk for what is left,
    the error is named, without the free space, and --resume finishes the run."""
    import daryo.ensemble.store

    def broken(path, ds):
        raise RuntimeError("NetCDF: HDF error")

    monkeypatch.setattr(daryo.ensemble.store, "_nc_append", broken)
    out = tmp_path / "out.nc"
    with pytest.raises(OSError, match=rf"^cannot write {out}: NetCDF: HDF error; the finished chunks are kept in "
                                      rf"{out}.parts: "
                                      rf"run again with --resume \(resume=True in Python\) to finish the run$"):
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
                                         r"here\); run without --resume \(resume=False in Python\) to replace them"):
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
    # and their coordinates, the traces' numbers among them: each part after the first is written into its place in
    # the store, grown to the run's traces at the first, its traces' numbers too (a region's write leaves them)
    assert set(load(z).coords) == set(load(n).coords)
    for name in load(n).coords:
        np.testing.assert_array_equal(load(z)[name].values, load(n)[name].values, err_msg=name)
    assert load(z)["trace"].values.tolist() == list(range(7))
    # the run's metadata too (writing the summaries into the store once replaced them with none)
    za, na = load(z).attrs, load(n).attrs
    assert za.pop("history").endswith("written by daryo " + daryo.__version__) and "history" in na  # (when: differs)
    na.pop("history")
    assert za.pop("store_id") != na.pop("store_id")  # (each store its own: daryo.ensemble.output tells a replaced one)
    assert za == na and za["seed"] == 5 and za["traces"] == 7 and za["title"] == "daryo ensemble: test"
    # every long_name short enough for a plot's title (a diff review: the summaries' reached 101 characters)
    from daryo.cf import LONG_NAME_MAX

    assert max(len(v.attrs.get("long_name", "")) for v in load(n).variables.values()) <= LONG_NAME_MAX
    assert load(n)["summary_annual_delivery"].attrs["long_name"] == ("Water delivered in each run year: mean and "
                                                                     "percentiles")
    # the versions of the packages its numbers come from, as a run's results have them (an interoperability review)
    assert za["software"].startswith("numpy ") and za["software"] == daryo.results.software_versions()
    assert daryo.run(daryo.load(daryo.demo_model_path(), years=1)).dataset.attrs["software"] == za["software"]


def test_no_zarr_chunk_is_empty_along_a_kind_of_element_the_model_has_none_of(tmp_path):
    """A model without plants has arrays of no plant (``annual_energy``): their zarr chunks along that dimension are
    1, not 0, which zarr's specification does not allow and netCDF-C's zarr reader refuses (a hydromet data
    manager's audit)."""
    pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    import json

    _, z = run(tmp_path, "r.zarr")
    assert load(z).sizes["hydropower"] == 0
    chunks = {f.parent.name: json.loads(f.read_text())["chunks"] for f in z.glob("*/.zarray")}
    assert chunks["annual_energy"][2] == 1
    assert all(min(c) >= 1 for c in chunks.values()), chunks


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
        # (the default source, which the resume below takes: its description says that the basin's 4 traces of
        # inflows could be run as they are, which makes it another than ResampledTraces.from_model's)
        run(tmp_path, "late.nc", source=_MakesFolder(default_trace_source(basin()), out))
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


def test_a_deficit_at_the_threshold_does_not_exceed_it():
    """A mutation-testing audit: prob_deficit_above_threshold counts the (trace, year) pairs whose deficit fraction
    *exceeds* the threshold (its description says so), and counting those at it too went unseen, as the threshold
    of the test above, 0.895, falls between its values.  Deficit fractions 0.25, 0.5 and 0.5 (one part) and 0.75
    (another), threshold 0.5: only 0.75 exceeds it, 1 of 4 (0.5's at it counted too: 3 of 4); at 0.75, none."""
    coords = {"reservoir": ["r"], "demand": ["d"], "sink": ["s"], "hydropower": ["h"]}
    parts = [{k: v.reshape(-1, 1, 1) for k in ANNUAL_INDICATORS} for v in (np.array([0.25, 0.5, 0.5]),
                                                                           np.array([0.75]))]
    s = summarise(parts, coords, threshold=0.5)
    assert s.prob_deficit_above_threshold.sel(demand="d").item() == pytest.approx(1 / 4)
    assert "exceeds 0.5 of the demand" in s.prob_deficit_above_threshold.attrs["description"]
    assert summarise(parts, coords, threshold=0.75).prob_deficit_above_threshold.item() == 0.0


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
                                         rf"3; this one writes format {_FORMAT}\); run without --resume "
                                         r"\(resume=False in Python\) to replace them"):
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
def test_run_attributes_are_32_bit_integers_up_to_the_largest_and_text_beyond():
    """The bounds of NetCDF's 32-bit integers are themselves integers (a seed of 2**31 - 1 is a number), one
    beyond is text."""
    attrs = _store_attributes({"hi": 2**31 - 1, "lo": -(2**31), "above": 2**31, "below": -(2**31) - 1, "flag": True})
    assert {k: type(v) for k, v in attrs.items()} == {"hi": np.int32, "lo": np.int32, "above": str, "below": str,
                                                      "flag": np.int32}
    assert (attrs["hi"], attrs["lo"], attrs["above"], attrs["below"]) == (2**31 - 1, -(2**31), "2147483648",
                                                                          "-2147483649")


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


@pytest.mark.parametrize("name", ["rc.nc", "rc.zarr"])
def test_a_store_tells_how_often_and_how_far_a_reservoir_ends_a_step_below_its_rule_curve(tmp_path, name):
    """A drought-risk analyst's review: "in how many years of the traces does the dam end a month below its rule
    curve, and by how much" had no answer in an ensemble's store.  Six traces of 5, 0, 20, 5, 0, 20 hm³ a month
    into a dam of 50 with a target of 80 (:func:`ensemble_cases.rule_curve_basin`), in chunks of 4: each trace's
    years are below it in 5 and 0, 12 and 12, 1 and 0 steps, by at most 25 and 0, 30 and 30, 10 and 0 hm³; so the
    mean is 5 steps a year, 8 of the 12 trace-years have some step below it, and the mean largest shortfall is
    95/6 hm³.  The pond below has no rule curve: NaN, and no row of the table."""
    if name.endswith(".zarr"):
        pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    out = tmp_path / name
    run_ensemble(rule_curve_basin(), EnsembleOptions(traces=6, years=2, chunk_size=4), out, source=RuleCurveTraces())
    ds = load(out)
    steps = ds["annual_steps_below_target"].sel(reservoir="dam").transpose("trace", "year").values
    np.testing.assert_array_equal(steps, [[5, 0], [12, 12], [1, 0]] * 2)
    np.testing.assert_allclose(ds["annual_max_storage_shortfall"].sel(reservoir="dam").transpose("trace", "year"),
                               [[25, 0], [30, 30], [10, 0]] * 2, atol=1e-9)
    summary = ds["summary_annual_steps_below_target"].sel(reservoir="dam")
    np.testing.assert_allclose(summary.sel(statistic=["mean", "p50", "p95"]), [5.0, 3.0, 12.0])
    np.testing.assert_allclose(ds["summary_annual_max_storage_shortfall"].sel(reservoir="dam", statistic="mean"),
                               95 / 6)
    np.testing.assert_allclose(ds["prob_below_target"].sel(reservoir="dam"), 8 / 12)
    for v in ("annual_steps_below_target", "annual_max_storage_shortfall", "summary_annual_steps_below_target",
              "summary_annual_max_storage_shortfall", "prob_below_target"):
        assert np.isnan(ds[v].sel(reservoir="pond")).all(), v
        assert ds[v].attrs["description"] and ds[v].attrs["units"] in ("1", "hm3"), v
    if name.endswith(".nc"):  # (the NaN declared missing, as a C reader sees it: a hydromet data manager's audit)
        assert_nan_fill(out, ["annual_steps_below_target", "annual_max_storage_shortfall",
                              "summary_annual_steps_below_target", "summary_annual_max_storage_shortfall",
                              "prob_below_target"])
    table = rule_curve_table(out)
    assert list(table.index) == ["dam"]
    np.testing.assert_allclose(table.loc["dam", ["below", "steps_mean", "steps_p95", "shortfall_mean",
                                                 "shortfall_max"]].astype(float), [8 / 12, 5.0, 12.0, 95 / 6, 30.0])
    one = rule_curve_table(out, year=1)
    np.testing.assert_allclose(one.loc["dam", ["below", "steps_mean", "shortfall_max"]].astype(float),
                               [2 / 6, 4.0, 30.0])
    rows = summary_table(out).set_index(["indicator", "element", "statistic"])["value"]
    assert rows[("annual_steps_below_target", "dam", "share_below_target")] == pytest.approx(8 / 12)


@pytest.mark.parametrize("name", ["et.nc", "et.zarr"])
def test_a_store_tells_how_far_and_how_often_a_plant_falls_short_of_its_energy_target(tmp_path, name):
    """A hydropower engineer's review: "the ensemble store has only energy, annual_energy and annual_winter_energy:
    no target and no shortfall".  Eight traces of :func:`ensemble_cases.energy_target_basin` in chunks of 3 (a
    target of 10 hm³'s worth a month, 120 a year), in hm³'s worth: 5 a month is short by 60 a year (30 in the
    winter), 20 in the winter only by 60 (none), 9.95 by 0.6 (0.3: 0.5 % of the target, not a year missed), 20 by
    none; so the mean shortfall is 30.15, its median (30.3) between 0.6 and 60, 8 of the 16 trace-years miss the
    target, and the mean winter shortfall is 7.575.  The mill has no target: NaN, and no row of the table."""
    if name.endswith(".zarr"):
        pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    out = tmp_path / name
    run_ensemble(energy_target_basin(), EnsembleOptions(traces=8, years=2, chunk_size=3), out,
                 source=EnergyTargetTraces())
    ds = load(out)
    plant = ds.sel(hydropower="plant")
    np.testing.assert_allclose(plant["annual_energy_target"], 120 * GWH_A_HM3, rtol=1e-12)
    np.testing.assert_allclose(plant["annual_energy_shortfall"].transpose("trace", "year") / GWH_A_HM3,
                               [[60, 60], [60, 60], [0.6, 0.6], [0, 0]] * 2, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(plant["annual_winter_energy_shortfall"].transpose("trace", "year") / GWH_A_HM3,
                               [[30, 30], [0, 0], [0.3, 0.3], [0, 0]] * 2, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(plant["summary_annual_energy_shortfall"].sel(statistic=["mean", "p50", "p95"])
                               / GWH_A_HM3, [30.15, 30.3, 60.0], rtol=1e-9)
    np.testing.assert_allclose(plant["summary_annual_winter_energy_shortfall"].sel(statistic="mean") / GWH_A_HM3,
                               7.575, rtol=1e-9)
    assert plant["prob_energy_target_missed"].item() == 0.5
    assert "above 1 % of the year's target" in ds["prob_energy_target_missed"].attrs["description"]
    np.testing.assert_array_equal(ds["hydropower_energy_target"], [1, 0])
    for v in ("annual_energy_target", "annual_energy_shortfall", "annual_winter_energy_shortfall",
              "summary_annual_energy_target", "summary_annual_energy_shortfall",
              "summary_annual_winter_energy_shortfall", "prob_energy_target_missed"):
        assert np.isnan(ds[v].sel(hydropower="mill")).all(), v
        assert ds[v].attrs["description"] and daryo_units(ds[v].attrs) in ("1", "GWh per year"), v
    if name.endswith(".nc"):  # (the NaN declared missing, as a C reader sees it: a hydromet data manager's audit)
        assert_nan_fill(out, ["annual_energy_target", "annual_energy_shortfall", "annual_winter_energy_target",
                              "annual_winter_energy_shortfall", "summary_annual_energy_target",
                              "summary_annual_energy_shortfall", "prob_energy_target_missed",
                              "prob_winter_energy_target_missed"])
    table = energy_target_table(out)
    assert list(table.index) == ["plant"]
    np.testing.assert_allclose(table.loc["plant", ["target", "shortfall_mean", "shortfall_p95",
                                                   "winter_shortfall_mean"]].astype(float) / GWH_A_HM3,
                               [120, 30.15, 60, 7.575], rtol=1e-9)
    assert table.loc["plant", "missed"] == 0.5
    one = energy_target_table(out, year=1)
    np.testing.assert_allclose(one.loc["plant", ["shortfall_mean", "missed"]].astype(float),
                               [30.15 * GWH_A_HM3, 0.5], rtol=1e-9)
    rows = summary_table(out).set_index(["indicator", "element", "statistic"])["value"]
    assert rows[("annual_energy_shortfall", "plant", "share_target_missed")] == 0.5


@pytest.mark.parametrize("name", ["names.nc", "names.zarr"])
def test_a_store_names_its_elements_as_a_runs_results_do(tmp_path, name):
    """A hydropower engineer's review: a run's results name each element (``hydropower_name``: "Нурек ГЭС"), an
    ensemble's store gave its ids alone.  Each element dimension of the store has its ``<dimension>_name``, the
    model's ``name`` (its id where it has none), as ``daryo.run`` gives it, Cyrillic kept in NetCDF and zarr."""
    import daryo

    if name.endswith(".zarr"):
        pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    model = energy_target_basin()
    out = tmp_path / name
    run_ensemble(model, EnsembleOptions(traces=2, years=1), out, source=EnergyTargetTraces())
    ds = load(out)
    assert ds["hydropower_name"].values.tolist() == ["Нурек ГЭС", "mill"]
    assert ds["summary_annual_energy"]["hydropower_name"].values.tolist() == ["Нурек ГЭС", "mill"]
    assert ds["inflow_name"].values.tolist() == ["up"]
    ran = daryo.run(model).dataset
    for dim in ("reservoir", "hydropower", "sink"):
        assert ds[f"{dim}_name"].values.tolist() == ran[f"{dim}_name"].values.tolist(), dim
        assert ds[f"{dim}_name"].attrs["description"] == ran[f"{dim}_name"].attrs["description"], dim
    for dim in ("demand", "requirement"):
        assert f"{dim}_name" in ds.coords and ds.sizes[dim] == 0, dim


def test_the_store_records_the_model_s_data_files_and_a_finished_run_is_still_found(tmp_path):
    """The UN Centre's security reviewer: as a run's results, an ensemble's store records the data files its model
    read (``data_files``: ``SHA256  PATH`` lines); the record is the file's, as its title, so a resume of the
    finished run still finds it finished (the network digest in the manifest covers the files)."""
    digest = "ab" * 32
    model = dataclasses.replace(basin(), data_files=(("q.csv", digest),))
    options = {"traces": 2, "chunk_size": 2}
    run(tmp_path, "r.nc", model=model, options=options)
    assert load(tmp_path / "r.nc").attrs["data_files"] == f"{digest}  q.csv"
    again, _ = run(tmp_path, "r.nc", model=model, options=options, resume=True)
    assert again.finished and again.traces_computed == 0


def test_a_zarr_store_that_cannot_be_removed_is_refused_before_any_work(tmp_path, monkeypatch, capsys):
    """A trainer's review (a workshop on one shared server): a .zarr output that could not be removed (``chmod -R
    a-w base.zarr``, or a neighbour's store in a team folder) was found only after the whole run, with "Permission
    denied: '.zattrs'", a complete hidden temporary store and the parts left behind.  It is refused before any
    work, as a write-protected .nc is, and another user's store names its owner.  (The tests run as root, who may
    remove anything: the system's answers are given here.)"""
    pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    import daryo._files

    model = tmp_path / "m.yaml"
    model.write_text(yaml_of_basin())
    out = tmp_path / "base.zarr"
    command = ["ensemble", str(model), "--traces", "4", "--years", "2", "--chunk-size", "2", "--quiet", "-o", str(out)]
    assert main(command) == 0
    capsys.readouterr()
    before = sorted(tmp_path.iterdir())
    inner = next(p for p in out.iterdir() if p.is_dir())
    real_access = os.access
    monkeypatch.setattr(daryo._files.os, "access", lambda p, mode, **kw: (
        Path(p) != inner or not mode & os.W_OK) and real_access(p, mode, **kw))
    assert main(command) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"daryo: error: {out} is write-protected (its folder {inner.name} is not writable), so it is not replaced: "
        f"make it writable (chmod -R u+w {out}) or give another name")
    monkeypatch.setattr(daryo._files.os, "geteuid", lambda: 4321)  # (the store is root's: a neighbour's)
    assert main(command) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"daryo: error: {out} belongs to user root, and you may not remove it (its folder {inner.name} is not "
        "writable), so it is not replaced: give another name (or ask root to remove it)")
    assert sorted(tmp_path.iterdir()) == before  # no parts, no temporary store


def test_a_store_that_cannot_be_replaced_at_the_end_leaves_no_temporary_store_and_keeps_the_chunks(tmp_path,
                                                                                                   monkeypatch):
    """A trainer's review: where the earlier store could not be removed (now: moved aside) when the run ended, the
    complete temporary store (``.base.zarr.tmp-<host>-<pid>-…``) was left beside it, and the message did not say
    the chunks were kept."""
    pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    _, out = run(tmp_path, "base.zarr", options={"seed": 9})
    real_replace = os.replace

    def refused(src, dst, *args, **kwargs):  # (the earlier store cannot be moved aside)
        if Path(src) == out:
            raise PermissionError(13, "Permission denied", ".zattrs")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", refused)
    with pytest.raises(OSError, match=rf"^cannot replace {out} \(Permission denied: .zattrs\); the finished chunks "
                                      rf"are kept in {out}.parts: "
                                      rf"run again with --resume \(resume=True in Python\) once it can be replaced$"):
        run(tmp_path, "base.zarr")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.zarr", "base.zarr.parts"]
    monkeypatch.undo()
    resumed, _ = run(tmp_path, "base.zarr", resume=True)
    assert resumed.chunks_skipped == resumed.chunks and load(out).attrs["seed"] == 5


def test_a_store_is_replaced_whole_the_old_one_moved_aside_before_it_is_removed(tmp_path, monkeypatch):
    """An operations review: the earlier store was removed before the new one was moved in, which took seconds on
    a network disk, and a kill meanwhile (SIGKILL, out of memory) left a half-deleted store at the output's path.
    The old store is moved aside (``.base.zarr.old-<host>-<pid>-…``, named as a temporary store is) and removed
    only once the new one is in place: here its removal fails (as a kill then would end it), and the output is the
    new store, whole; the next run removes the leftover."""
    pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    import shutil

    from daryo._files import _host
    from daryo.ensemble import store

    _, out = run(tmp_path, "base.zarr", options={"seed": 9})
    new, _ = run(tmp_path, "new.zarr")
    files = sorted(p.relative_to(new.output) for p in new.output.rglob("*"))
    aside_name = re.compile(rf"\.base\.zarr\.old-{re.escape(_host())}-{os.getpid()}-[0-9a-f]{{12}}")
    asides = []
    real_remove = store._remove

    def removal_fails(path):
        assert path != out, "the output is removed before the new store is in place"
        if aside_name.fullmatch(path.name):
            asides.append(path)
            assert sorted(p.relative_to(out) for p in out.rglob("*")) == files  # (the new store is in place)
            shutil.rmtree(next(p for p in path.iterdir() if p.is_dir()))  # (half removed, then killed)
            raise OSError(5, "Input/output error", str(path))
        real_remove(path)

    monkeypatch.setattr(store, "_remove", removal_fails)
    run(tmp_path, "base.zarr")
    monkeypatch.undo()
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == files
    assert_identical(load(out), load(new.output))
    [aside] = asides
    assert load(out).attrs["seed"] == 5 and aside.is_dir()
    monkeypatch.setattr(daryo._files, "process_alive", lambda pid: False)  # (as in a later process)
    run(tmp_path, "base.zarr", options={"seed": 7})
    assert not aside.exists() and load(out).attrs["seed"] == 7


def test_an_old_store_a_killed_run_moved_aside_is_put_back_by_the_next_run(tmp_path, capsys):
    """A run killed between moving the earlier store aside and moving its own in (two renames) leaves the earlier
    results only under their hidden name, and no output.  They were kept while the output did not exist, but the
    next run wrote its own output beside them and the one after removed them without a word.  Reading the output
    now says where they are; the next run of it puts them back first (then replaces them, as it would have), and a
    ``daryo ensemble`` says so.  Another host's (a cluster sharing the disk: its writer may live) is left."""
    pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    from daryo._files import _host
    from daryo.ensemble.store import restore_moved_aside

    _, out = run(tmp_path, "base.zarr", options={"seed": 9})
    stale = tmp_path / f".base.zarr.old-{_host()}-999999999-ab12"  # (no such process)
    out.rename(stale)
    others = [tmp_path / ".base.zarr.old-node7-999999999-cd34",
              tmp_path / f".base.zarr.old-{_host()}-{os.getpid()}-ef56"]
    for other in others:  # (another host's; and a live process's, which is between its two renames)
        other.mkdir()
    run(tmp_path, "other.zarr")
    assert stale.is_dir()  # (a store of another name does not touch it)
    assert main(["summary", str(out)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"daryo: error: {out} does not exist: a run killed while it replaced it left the earlier results in {stale}; "
        "the next daryo ensemble run with this output puts them back first (or move that folder back yourself)")
    assert restore_moved_aside(out) == stale
    assert not stale.exists() and load(out).attrs["seed"] == 9
    assert restore_moved_aside(out) is None  # (the output exists)
    out.rename(stale)
    run(tmp_path, "base.zarr", options={"seed": 7})  # (put back, then replaced)
    assert not stale.exists() and load(out).attrs["seed"] == 7
    assert all(other.is_dir() for other in others)
    out.rename(stale)
    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin(), encoding="utf-8")
    capsys.readouterr()
    assert main(["ensemble", str(model), "--traces", "2", "--years", "1", "--quiet", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert (f"note: {out} did not exist: a run killed while it replaced it had moved the earlier results "
            f"aside, to {stale.name}; they are put back\n") in err
    assert f"note: {out} holds the results of 7 traces" in err  # (said as for any earlier results)
    assert not stale.exists() and load(out).attrs["traces"] == 2
    assert all(other.is_dir() for other in others)


@pytest.mark.parametrize("name", ["t.nc", "t.zarr"])
def test_a_killed_runs_temporary_store_is_removed_only_where_this_host_wrote_it(tmp_path, monkeypatch, name):
    """A reread of the code: the temporary stores were named ``.t.zarr.tmp-<pid>``, without the host, and a run
    removed those whose process id was not running here; on a disk the hosts of a cluster share, a run on one host
    could remove another host's live temporary store.  They are named as daryo's other temporary files are
    (``.t.zarr.tmp-<host>-<pid>-…``); a run removes this host's whose writer is gone and leaves another host's (and
    those of an earlier daryo, which do not say their host)."""
    from daryo._files import _host
    from daryo.ensemble import store

    here = _host()
    dead = tmp_path / f".{name}.tmp-{here}-999999999-ab12"  # (no such process)
    kept = [tmp_path / f".{name}.tmp-node7-999999999-cd34", tmp_path / f".{name}.tmp-{here}-{os.getpid()}-ef56",
            tmp_path / f".{name}.tmp-999999999"]
    for path in [dead, *kept]:
        path.mkdir()
        (path / "x").write_text("half-written")
    used = []
    real_move = store._move_into_place

    def move(tmp, target):
        used.append(tmp.name)
        real_move(tmp, target)

    monkeypatch.setattr(store, "_move_into_place", move)
    r, out = run(tmp_path, name)
    assert load(out).sizes["trace"] == 7
    assert not dead.exists() and all((p / "x").read_text() == "half-written" for p in kept)
    [tmp] = used
    assert re.fullmatch(rf"\.{re.escape(name)}\.tmp-{re.escape(here)}-{os.getpid()}-[0-9a-f]{{12}}", tmp), tmp
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, *(p.name for p in kept)])


def test_a_store_that_cannot_be_copied_to_take_the_threshold_again_is_told_in_one_short_line(tmp_path, monkeypatch,
                                                                                            capsys):
    """An operations review: ``--resume --deficit-threshold`` on a finished store whose disk filled while it was
    copied printed copytree's list of every file, source, copy and error, on one line of ~63,000 characters.  The
    message names the output, the first file's error and how many files were not copied."""
    pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    import shutil

    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin(), encoding="utf-8")
    out = tmp_path / "t.zarr"
    command = ["ensemble", str(model), "--traces", "4", "--years", "2", "--quiet", "-o", str(out)]
    assert main(command) == 0
    tmp = tmp_path / f".t.zarr.tmp-node7-{os.getpid()}-ab12"
    errors = [(str(out / f"v{i}" / "0"), str(tmp / f"v{i}" / "0"),
               f"[Errno 28] No space left on device: '{out}/v{i}/0' -> '{tmp}/v{i}/0'") for i in range(2000)]

    def full(*args, **kwargs):
        raise shutil.Error(errors)

    monkeypatch.setattr(shutil, "copytree", full)
    capsys.readouterr()
    assert main([*command, "--resume", "--deficit-threshold", "0.2"]) == 1
    err = capsys.readouterr().err.strip()
    assert re.fullmatch(rf"daryo: error: cannot write {out}: No space left on device \(2000 files not copied\) "
                        r"\(.* free on its disk\); it is left as it was", err), err
    assert len(err) < 300 and load(out).attrs["deficit_threshold"] == 0.3


@pytest.mark.parametrize("name", ["t.nc", "t.zarr"])
def test_another_users_leftover_temporary_store_is_left_as_it_is(tmp_path, monkeypatch, name):
    """A trainer's review: the hidden temporary store of another user's run that was killed
    (``.t.zarr.tmp-<host>-<pid>-…``, its process gone) could not be removed, and the owner's run failed at its end
    with "Permission denied: 'x'", naming neither it nor what to do.  A leftover that cannot be removed is left; this
    run writes under its own name."""
    import shutil

    from daryo._files import _host

    stale = tmp_path / f".{name}.tmp-{_host()}-999999999-ab12"  # (no such process)
    stale.mkdir()
    (stale / "x").write_text("a neighbour's")
    real_rmtree = shutil.rmtree

    def refused(path, *args, **kwargs):
        if Path(path) == stale:
            raise PermissionError(13, "Permission denied", "x")
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(shutil, "rmtree", refused)
    r, out = run(tmp_path, name)
    assert load(out).sizes["trace"] == 7 and (stale / "x").read_text() == "a neighbour's"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([stale.name, name])


def test_a_full_disk_the_netcdf_library_reports_as_permission_denied_keeps_the_chunks(tmp_path, monkeypatch):
    """A trainer's review: ``daryo ensemble -o small/q.nc`` on a full disk said "Permission denied" (the netCDF
    library's error for a file it cannot create there, errno 13), with no word of the disk or of the chunks kept.
    In a writable folder whose disk has no free space it is a full disk, and the chunks are kept for --resume."""
    import shutil
    from types import SimpleNamespace

    def refused(self, path, *args, **kwargs):  # (the disk fills as the store is written)
        monkeypatch.setattr(shutil, "disk_usage", lambda p: SimpleNamespace(total=10**9, used=10**9, free=0))
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(xr.Dataset, "to_netcdf", refused)
    out = tmp_path / "q.nc"
    with pytest.raises(OSError, match=rf"^cannot write {out}: its disk is full \(0 kB free on its disk\); the "
                                      rf"finished chunks are kept in {out}.parts: "
                                      rf"run again with --resume \(resume=True in Python\) once there "
                                      "is room$"):
        run(tmp_path, "q.nc")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.nc.parts"]


#: ensembles written to NetCDF from three threads at once, and their tables read in threads (``python - FOLDER``),
#: three rounds; each table as it is read alone
_ENSEMBLES_IN_THREADS = """
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

import daryo
from daryo.ensemble import EnsembleOptions, run_ensemble, shortfall_table

folder = Path(sys.argv[1])
model = daryo.load(daryo.demo_model_path())
outputs = [folder / f"e{i}.nc" for i in range(3)]
options = [EnsembleOptions(traces=3, years=1, seed=i, chunk_size=1) for i in range(3)]
with ThreadPoolExecutor(3) as pool:
    for _ in range(3):
        assert [r.output for r in pool.map(lambda i: run_ensemble(model, options[i], outputs[i]), range(3))] == outputs
        tables = list(pool.map(shortfall_table, outputs * 4))
for i, table in enumerate(tables):
    pd.testing.assert_frame_equal(table, shortfall_table(outputs[i % 3]))
print("ok")
"""


def test_ensembles_are_written_to_netcdf_and_read_from_several_threads_at_once(tmp_path):
    """A backend developer's review: two ensembles written to .nc in two threads failed with "NetCDF: HDF error" (read
    as a full disk) or crashed the process, as did reading stores in threads: the netCDF library is not safe in
    threads.  Each of daryo's NetCDF reads and writes now holds one lock (daryo._netcdf).  Run in a process of its
    own, so that a crash fails this test, not the suite."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _ENSEMBLES_IN_THREADS, str(tmp_path)], capture_output=True,
                         text=True, check=False, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["ok"]


def test_the_statistics_of_an_element_without_values_are_nan_without_warnings(quiet_library):
    """A library user's review: the statistics were taken under ``warnings.catch_warnings`` (numpy warns of a row
    of NaN alone: a system with no water and no withdrawal in any year), which changes the warning filters that a
    process's threads share; only the elements with values are taken, and theirs are as before."""
    from daryo.ensemble.store import _summary_of

    a = np.array([[[np.nan, 1.0, 4.0]], [[np.nan, 3.0, np.nan]]])  # (traces, years, elements)
    values, above = _summary_of([{"s": a}], "s", 2.0, 1 << 20)
    assert quiet_library == []
    assert np.isnan(values[:, 0]).all() and above.tolist() == [0.0, 0.5, 0.5]
    assert values[:, 1].tolist() == [2.0, 1.1, 2.0, 2.9]  # (the mean, then the 5th, 50th, 95th percentiles)
    assert values[:, 2].tolist() == [4.0] * 4
