"""Ensembles: reproducible traces, identical results whatever the chunking, workers or interruptions,
distribution summaries, and the ``daryo ensemble`` command.

The model is a small ``cost``-mode basin (so chunks run on the fast path)::

    [up: 4 traces] --> <dam: 50..400> --> (river) --> [farm: monthly demand]
                                            |  \\--> [city: 8]
    [creek] -------------------------------/    \\--> [sea]
"""

import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from daryo.cli import main
from daryo.ensemble import (
    ANNUAL_INDICATORS,
    SERIES,
    EnsembleOptions,
    ResampledTraces,
    run_ensemble,
    shortfall_table,
    summarise,
)
from daryo.ensemble.chunks import _ChunkRecorder, _Job, _simulate_chunk, run_chunk
from daryo.ensemble.executors import _dask, _local_cluster
from daryo.ensemble.parts import _Parts
from daryo.network import compile_network
from daryo.network.compile import GWH_PER_HM3_M
from daryo.testmodels import build

YEARS = 3


def basin(allocation: str = "cost"):
    return build(*basin_network(), steps=24, allocation=allocation, start="2001-10")


def basin_network() -> tuple[list[dict], list[list[str]]]:
    """The nodes and edges of :func:`basin`."""
    rng = np.random.default_rng(42)
    season = 1.0 + 0.9 * np.sin(2 * np.pi * (np.arange(24) - 2) / 12)
    up = (40 * season[None, :] * rng.lognormal(0, 0.3, (4, 24))).round(3)
    nodes = [
        {"id": "up", "type": "inflow", "inflow": {"values": up.tolist()}},
        {"id": "creek", "type": "inflow", "inflow": {"monthly": [3, 3, 4, 6, 9, 12, 10, 8, 6, 4, 3, 3]}},
        {"id": "dam", "type": "reservoir", "max_volume": 400, "min_volume": 50, "initial_volume": 250,
         "cost": -2.0},
        {"id": "river", "type": "junction"},
        {"id": "farm", "type": "demand", "demand": [5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5], "cost": -50.0},
        {"id": "city", "type": "demand", "demand": 8, "cost": -90.0, "category": "municipal"},
        {"id": "sea", "type": "sink", "cost": 1.0},
    ]
    edges = [["up", "dam"], ["dam", "river"], ["creek", "river"], ["river", "farm"], ["river", "city"],
             ["river", "sea"]]
    return nodes, edges


def run(tmp_path: Path, name: str, **kw):
    opts = {"traces": 7, "years": YEARS, "seed": 5, "chunk_size": 3, **kw.pop("options", {})}
    out = tmp_path / name
    r = run_ensemble(kw.pop("model", basin()), EnsembleOptions(**opts), out, **kw)
    return r, out


def load(path: Path) -> xr.Dataset:
    engine = "zarr" if path.suffix == ".zarr" else None
    with xr.open_dataset(path, engine=engine) as ds:
        return ds.load()


def assert_identical(a: xr.Dataset, b: xr.Dataset) -> None:
    assert set(a.data_vars) == set(b.data_vars)
    for v in a.data_vars:
        np.testing.assert_array_equal(a[v].values, b[v].values, err_msg=v)


def test_a_trace_depends_only_on_seed_and_index():
    model = basin()
    src, axis = ResampledTraces.from_model(model), model.with_time(years=YEARS).time.axis()
    all_ = src(5, np.arange(6), YEARS, axis)
    some = src(5, np.array([3, 4]), YEARS, axis)
    np.testing.assert_array_equal(all_["up"][3:5], some["up"])
    assert not np.array_equal(src(6, np.array([3]), YEARS, axis)["up"], some["up"][:1])


def test_chunking_gives_the_same_results(tmp_path):
    r1, one = run(tmp_path, "one.nc", options={"chunk_size": 7})
    r3, three = run(tmp_path, "three.nc")
    assert (r1.chunks, r3.chunks) == (1, 3) and "fast path" in r3.how[0]
    a, b = load(one), load(three)
    for v in a.data_vars:  # the same LP optima: equal to the solver's precision
        rtol = 1e-6 if a[v].dtype == np.float32 else 1e-9
        np.testing.assert_allclose(a[v].values, b[v].values, rtol=rtol, atol=rtol * 100, err_msg=v)
    _, again = run(tmp_path, "again.nc")
    assert_identical(load(again), b)  # the same chunking: bit for bit


def test_chunking_gives_the_same_results_on_the_embedded_model(tmp_path):
    """The Aral model's LPs have exact ties (routes of equal cost), where two ways of solving an LP may end at
    different optimal vertices: every chunk must solve them the same way (the fast path's choices are made for
    the whole ensemble's traces, not the chunk's: one chunk of 40 traces and chunks of 8 both screen by cached
    bases' maps).  Before, the chunk of 40 did and those of 8 did not, and the Aral Sea's inflow differed by
    19 hm³ in a month."""
    model = daryo_load(None)
    opts = {"traces": 40, "years": 2, "seed": 1}
    run_ensemble(model, EnsembleOptions(**opts, chunk_size=40), tmp_path / "one.nc")
    run_ensemble(model, EnsembleOptions(**opts, chunk_size=8), tmp_path / "five.nc")
    a, b = load(tmp_path / "one.nc"), load(tmp_path / "five.nc")
    for v in a.data_vars:  # equal to the solver's precision (holds of 1e-9 hm³ apart)
        rtol = 1e-6 if a[v].dtype == np.float32 else 1e-9
        np.testing.assert_allclose(a[v].values, b[v].values, rtol=rtol, atol=rtol * 100, err_msg=v)


def test_dataframe_files_are_aligned_once_per_run(tmp_path, monkeypatch):
    """The CSV of a ``dataframe`` parameter (here the city's demand) is aligned to the steps once per run, not
    once per chunk, with the same results."""
    import daryo.ensemble.run
    import daryo.parameters
    from daryo.model import model_from_dict

    days = pd.date_range("2001-10-01", f"{2001 + YEARS}-09-30", freq="D")
    rate = 0.25 + 0.1 * np.cos(2 * np.pi * np.arange(len(days)) / 365.25)
    pd.DataFrame({"date": days, "city": rate.round(4)}).to_csv(tmp_path / "city.csv", index=False)
    nodes, edges = basin_network()
    nodes = [dict(n, demand={"parameter": "city", "unit": "hm3/day"}) if n["id"] == "city" else n for n in nodes]
    model = model_from_dict({"version": 1, "name": "test", "allocation": "cost",
                             "time": {"start": "2001-10", "end": "2003-09", "step": "month"},
                             "parameters": {"city": {"type": "dataframe", "csv": "city.csv"}},
                             "nodes": nodes, "edges": edges}, base_dir=tmp_path)
    calls: list[int] = []
    real = daryo.parameters.align_to_steps

    def counting(*args, **kwargs):
        calls.append(args[1].n_steps)
        return real(*args, **kwargs)

    monkeypatch.setattr(daryo.parameters, "align_to_steps", counting)
    r, once = run(tmp_path, "once.nc", model=model)
    assert r.chunks == 3 and calls == [12 * YEARS]
    monkeypatch.setattr(daryo.ensemble.run, "align_frames", lambda params, axis: dict(params))
    calls.clear()
    _, every = run(tmp_path, "every.nc", model=model)
    assert calls == [12 * YEARS] * 4  # the probe and each chunk
    assert_identical(load(once), load(every))
    assert float(load(once)["delivery"].sel(demand="city").sum()) > 0


def test_resume_after_an_interrupted_run(tmp_path):
    _, whole = run(tmp_path, "whole.nc")
    r, out = run(tmp_path, "cut.nc", stop_after=1)
    assert not out.exists() and (tmp_path / "cut.nc.parts").is_dir()
    with pytest.raises(FileExistsError):
        run(tmp_path, "cut.nc")
    with pytest.raises(ValueError, match=r"another run \(network, seed differ\)"):  # (its first trace too)
        run(tmp_path, "cut.nc", resume=True, options={"seed": 6})
    with pytest.raises(ValueError, match="in chunks of 3 traces, not 4; pass --chunk-size 3"):
        run(tmp_path, "cut.nc", resume=True, options={"chunk_size": 4})
    manifest = tmp_path / "cut.nc.parts" / "manifest.json"
    kept = manifest.read_bytes()
    manifest.write_text(kept.decode().replace('"format": 2', '"format": 1'))  # parts of another daryo version
    with pytest.raises(ValueError, match="holds parts of format 1, written by another version of daryo; this one "
                                         "writes format 2: delete it"):
        run(tmp_path, "cut.nc", resume=True)
    for broken in (b"{not json", b"[1, 2]"):
        manifest.write_bytes(broken)
        with pytest.raises(ValueError, match="has no readable manifest"):
            run(tmp_path, "cut.nc", resume=True)
    manifest.write_bytes(kept)
    r, out = run(tmp_path, "cut.nc", resume=True)
    assert r.chunks_skipped == 1 and not (tmp_path / "cut.nc.parts").exists()
    assert r.traces_computed == 4  # 7 traces in chunks of 3: the first chunk was done
    assert_identical(load(out), load(whole))


def test_resume_removes_the_temporary_file_of_a_writer_killed_mid_write(tmp_path):
    """A worker killed while it wrote a part (the run stopped, the cluster closed) leaves ``atomic_write``'s
    temporary file: up to ~100 MB at scale, which a resume deletes."""
    _, out = run(tmp_path, "cut.nc", stop_after=1)
    parts = _Parts(out)
    left = parts.dir / ".chunk-00001.npz.k1ll3d"
    left.write_bytes(b"half a part")
    assert parts.start(json.loads(parts.manifest_path().read_text()), resume=True) == {0}
    assert not left.exists() and parts.path(0).exists()


def test_a_part_that_cannot_be_written_is_named(tmp_path, monkeypatch):
    """A full disk is reported with no file name (and a read-only folder with the temporary file's): the error
    names the part, or the manifest."""
    import daryo.ensemble.parts
    from daryo._files import atomic_write

    def full_for(prefix):
        def write(path, fill):
            if path.name.startswith(prefix):
                raise OSError(28, "No space left on device")
            atomic_write(path, fill)
        return write

    for prefix, name in (("manifest", "manifest.json"), ("chunk-00001", "chunk-00001.npz")):
        monkeypatch.setattr(daryo.ensemble.parts, "atomic_write", full_for(prefix))
        with pytest.raises(OSError, match=rf"^cannot write \S*{prefix}\.nc\.parts/{name}: No space left on device$"):
            run(tmp_path, f"{prefix}.nc")


def test_resume_recomputes_a_damaged_part_and_accepts_the_model_by_another_path(tmp_path, monkeypatch):
    """A part file damaged after it was written (truncated) is computed again, not read into a traceback; the
    same model file named by another path (relative, from another folder) is the same run."""
    model = tmp_path / "basin.yaml"
    model.write_text(_yaml_of_basin())
    opts = EnsembleOptions(traces=7, years=2, seed=1, chunk_size=3)
    run_ensemble(daryo_load(model), opts, tmp_path / "whole.nc")
    run_ensemble(daryo_load(model), opts, tmp_path / "cut.nc", stop_after=2)
    part = tmp_path / "cut.nc.parts" / "chunk-00000.npz"
    part.write_bytes(part.read_bytes()[:100])
    monkeypatch.chdir(tmp_path)
    r = run_ensemble(daryo_load(Path("basin.yaml")), opts, Path("cut.nc"), resume=True)
    assert (r.chunks_skipped, r.traces_computed) == (1, 4)  # chunk 0 again (3 traces) and chunk 2 (1 trace)
    assert_identical(load(tmp_path / "cut.nc"), load(tmp_path / "whole.nc"))


def test_a_chunk_size_beyond_the_traces_is_the_traces_and_a_run_too_big_for_the_disk_is_refused(tmp_path):
    r, out = run(tmp_path, "few.zarr", options={"traces": 3, "chunk_size": 10**12})
    assert r.chunks == 1 and load(out)["storage"].encoding["chunks"][0] == 3
    with pytest.raises(OSError, match=r"cannot write .*huge.zarr: the run's series take about [\d,.]+ GB, and its "
                                      r"folder has [\d,.]+ GB free"):
        run(tmp_path, "huge.zarr", options={"traces": 10**15})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["few.zarr"]


def test_a_netcdf_library_error_while_writing_names_the_output_and_keeps_the_parts(tmp_path, monkeypatch):
    """A full disk, as the NetCDF library reports it (RuntimeError "NetCDF: HDF error"), ends in an OSError naming
    the output; the parts stay for --resume."""
    import daryo.ensemble.store

    def full(path, ds):
        raise RuntimeError("NetCDF: HDF error")

    monkeypatch.setattr(daryo.ensemble.store, "_nc_append", full)
    with pytest.raises(OSError, match=r"cannot write .*out.nc: NetCDF: HDF error; the finished chunks are kept in "
                                      r".*out.nc.parts: run again with --resume"):
        run(tmp_path, "out.nc")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nc.parts"]


@pytest.mark.parametrize("name", ["done.nc", "done.zarr"])
def test_resuming_a_finished_run_does_nothing_and_another_runs_result_is_not_replaced(tmp_path, name):
    r, out = run(tmp_path, name)
    before = {p: p.read_bytes() for p in ([out] if out.is_file() else sorted(out.rglob("*"))) if p.is_file()}
    again, _ = run(tmp_path, name, resume=True)
    assert again.finished and again.traces_computed == 0 and again.chunks_skipped == again.chunks == r.chunks
    with pytest.raises(ValueError, match=rf"{name} holds the results of another run \(traces differ\); run "
                                         "without --resume to replace them"):
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


def test_priority_models_run_on_the_fast_path(tmp_path):
    opts = {"traces": 3, "years": 2}
    r, out = run(tmp_path, "p.nc", model=basin("priority"), options=opts)
    rp, plain = run(tmp_path, "q.nc", model=basin("priority"), options={**opts, "fast": False})
    assert "fast path: priority mode" in r.how[0] and "plain path" in rp.how[0]
    a, b = load(out), load(plain)
    assert a.sizes["trace"] == 3
    for v in ("delivery", "storage"):
        np.testing.assert_allclose(a[v].values, b[v].values, rtol=1e-6, atol=1e-4, err_msg=v)


def test_zarr_output(tmp_path):
    pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    _, z = run(tmp_path, "r.zarr")
    _, n = run(tmp_path, "r.nc")
    assert_identical(load(z), load(n))
    # the run's metadata too (writing the summaries into the store once replaced them with none)
    za, na = load(z).attrs, load(n).attrs
    assert za == na and za["seed"] == 5 and za["traces"] == 7 and za["title"] == "daryo ensemble: test"


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


class _MakesFolder:
    """A trace source that makes a folder where the output will go while chunk 1 runs."""

    def __init__(self, inner, folder: Path):
        self.inner, self.folder = inner, folder

    def describe(self) -> str:
        return self.inner.describe()

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


def test_n_day_models_resample_whole_years_in_season():
    """With 10-day steps, a run year takes one whole source year, day by day from the same date: the low
    season of the record (January to June) stays in January to June, the high season in July to December
    (years of 36 or 37 steps, run over leap years)."""
    from daryo.ensemble import run_years
    from daryo.model import model_from_dict

    model = model_from_dict({
        "version": 1, "name": "ten-day", "allocation": "priority",
        "time": {"start": "2000-10-01", "end": "2003-09-30", "step": {"days": 10}},
        "nodes": [{"id": "up", "type": "inflow",
                   "inflow": {"monthly": [1, 1, 1, 1, 1, 1, 10, 10, 10, 10, 10, 10], "unit": "hm3/day"}},
                  {"id": "sea", "type": "sink"}],
        "edges": [["up", "sea"]]})
    source = ResampledTraces.from_model(model, perturbation=0.0)
    axis = model.with_time(years=9).time.axis()
    year = run_years(axis)
    starts = pd.DatetimeIndex(axis.starts)
    anniversaries = [pd.Timestamp("2000-10-01") + pd.DateOffset(years=y) for y in range(10)]
    assert [starts[year == y][0] - anniversaries[y] < pd.Timedelta(days=10) for y in range(9)] == [True] * 9
    assert set(np.bincount(year)) == {36, 37}
    rate = source(3, np.arange(6), 9, axis)["up"] / axis.days
    low = (starts.month >= 2) & (starts.month <= 5)  # steps well inside January-June
    high = (starts.month >= 8) & (starts.month <= 11)  # and July-December
    np.testing.assert_allclose(rate[:, low], 1.0)
    np.testing.assert_allclose(rate[:, high], 10.0)
    # each run year has a source year's mean rate: about half a year at 1 and half at 10 hm³/day
    mean = np.stack([(rate * axis.days)[:, year == y].sum(axis=1) / axis.days[year == y].sum()
                     for y in range(9)], axis=1)
    assert np.all((mean > 5.2) & (mean < 5.9))


def test_the_local_dask_cluster_stays_on_localhost_and_quiet(tmp_path, monkeypatch):
    """The scheduler, the workers and the scheduler's HTTP server listen on 127.0.0.1 only, on ports the system
    chooses: no warning when Dask's default dashboard port 8787 is busy."""
    import socket
    import warnings

    distributed = pytest.importorskip("dask.distributed",
                                      reason="Dask is an optional extra (pip install daryo[ensemble])")
    made = []

    class Recorded(distributed.LocalCluster):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(distributed, "LocalCluster", Recorded)
    busy = socket.socket()
    try:
        try:
            busy.bind(("127.0.0.1", 8787))
            busy.listen()
        except OSError:
            pass  # already busy
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _, out = run(tmp_path, "d.nc", workers=1, options={"traces": 2, "chunk_size": 1})
    finally:
        busy.close()
    assert out.exists()
    assert not [w for w in caught if "in use" in str(w.message)], [str(w.message) for w in caught]
    scheduler = made[0].scheduler
    assert scheduler.address.startswith("tcp://127.0.0.1:")
    assert scheduler.http_server.address == "127.0.0.1" and scheduler.http_server.port != 8787
    assert all(w.host == "127.0.0.1" for w in made[0].scheduler.workers.values()) or not scheduler.workers


def test_the_local_dask_workers_start_without_dasks_malloc_trim_threshold_or_profiler(monkeypatch):
    """Dask sets MALLOC_TRIM_THRESHOLD_ for the workers it spawns; that fixes glibc's mmap threshold, which made
    a chunk 1.35× slower.  The ensemble's local workers start without it (when this process has none), and
    without Dask's statistical profiler."""
    import os

    distributed = pytest.importorskip("dask.distributed",
                                      reason="Dask is an optional extra (pip install daryo[ensemble])")

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    cluster = _local_cluster(1)
    try:
        with distributed.Client(cluster) as client:
            env = client.run(lambda: dict(os.environ))
            profiling = client.run(lambda dask_worker: "profile" in dask_worker.periodic_callbacks)
    finally:
        cluster.close()
    (worker_env,) = env.values()
    assert "MALLOC_TRIM_THRESHOLD_" not in worker_env
    assert worker_env.get("OPENBLAS_NUM_THREADS") == "1"  # Dask's other settings for its workers stay
    assert list(profiling.values()) == [False]  # nor do they sample their stacks for Dask's profile pages


def test_the_local_dask_workers_leave_ctrl_c_and_errors_to_this_process(tmp_path, capfd):
    """Ctrl-C reaches every process of the terminal's group: the workers ignore it (this process stops the run
    and closes the cluster), where each printed a traceback.  A chunk that fails is reported once, by this
    process, not also logged by its worker (16 lines of traceback)."""
    import signal
    import subprocess
    import sys

    distributed = pytest.importorskip("dask.distributed",
                                      reason="Dask is an optional extra (pip install daryo[ensemble])")

    cluster = _local_cluster(1)
    try:
        with distributed.Client(cluster) as client:
            handlers = client.run(lambda: signal.getsignal(signal.SIGINT) == signal.SIG_IGN)
    finally:
        cluster.close()
    assert list(handlers.values()) == [True]
    model = tmp_path / "dry.yaml"  # a river that must carry more than flows into it: infeasible at its first step
    sea = "  - {id: sea, type: sink, cost: 1}\n"
    model.write_text(_yaml_of_basin().replace(sea, sea + "  - {id: river, type: reach, min_flow: 500}\n")
                     .replace("[dam, sea]]", "[dam, river], [river, sea]]"))
    capfd.readouterr()
    out = subprocess.run([sys.executable, "-m", "daryo", "ensemble", str(model), "--traces", "2", "--years", "1",
                          "--workers", "1", "--quiet", "-o", str(tmp_path / "o.nc")], capture_output=True, text=True)
    assert out.returncode == 1 and out.stderr.count("\n") == 1 and "infeasible at step 0" in out.stderr, out.stderr


def test_dask_workers_give_identical_results(tmp_path):
    pytest.importorskip("dask.distributed", reason="Dask is an optional extra (pip install daryo[ensemble])")
    _, serial = run(tmp_path, "serial.nc")
    _, dask = run(tmp_path, "dask.nc", workers=2)
    assert_identical(load(dask), load(serial))


def test_local_workers_write_their_parts_and_send_back_receipts(tmp_path):
    """A local cluster's workers write each chunk's part themselves: this process receives no chunk's arrays
    (at scale, it held ~300 MB of them); the parts are those this process writes from the same results."""
    pytest.importorskip("dask.distributed", reason="Dask is an optional extra (pip install daryo[ensemble])")
    model, opts = basin(), EnsembleOptions(traces=4, years=YEARS, seed=5, chunk_size=2)
    jobs = [_Job(model, ResampledTraces.from_model(model), opts, c, 2 * c, 2) for c in range(2)]
    out = tmp_path / "w.nc"
    _Parts(out).dir.mkdir()
    received = list(_dask(jobs, None, 1, out))
    assert sorted(r["_chunk"] for r in received) == [0, 1]
    assert all(r["_written"] and set(r) == {"trace", "_how", "_chunk", "_written"} for r in received)
    here = _Parts(tmp_path / "here.nc")
    here.dir.mkdir()
    for job in jobs:
        here.write(run_chunk(job))
    for c in range(2):
        theirs, ours = _Parts(out).read(c), here.read(c)
        assert set(theirs) == set(ours) and "storage" in theirs
        for k in ours:
            if k != "_info":
                np.testing.assert_array_equal(theirs[k], ours[k], err_msg=k)


def test_a_remote_cluster_sends_back_whole_results(tmp_path):
    """Workers of a cluster given by its address may not see this machine's files: they send the chunks back,
    and this process writes the parts; the results are those of a run in one process."""
    pytest.importorskip("dask.distributed", reason="Dask is an optional extra (pip install daryo[ensemble])")
    _, serial = run(tmp_path, "serial.nc")
    cluster = _local_cluster(1)
    try:
        model, opts = basin(), EnsembleOptions(traces=2, years=YEARS, seed=5, chunk_size=2)
        job = _Job(model, ResampledTraces.from_model(model), opts, 0, 0, 2)
        received = list(_dask([job], cluster.scheduler_address, None, tmp_path / "r.nc"))
        assert "storage" in received[0] and "_written" not in received[0]
        assert not (tmp_path / "r.nc.parts").exists()
        _, remote = run(tmp_path, "remote.nc", scheduler=cluster.scheduler_address)
    finally:
        cluster.close()
    assert_identical(load(remote), load(serial))


def test_resume_with_local_workers_that_wrote_the_parts(tmp_path):
    """Parts written by a local cluster's workers are resumed as this process's are (a run stopped after one
    chunk may have more on disk than it reported: the cluster finishes what it has started before it closes)."""
    pytest.importorskip("dask.distributed", reason="Dask is an optional extra (pip install daryo[ensemble])")
    _, serial = run(tmp_path, "serial.nc")
    run(tmp_path, "w.nc", workers=2, stop_after=1)
    r, out = run(tmp_path, "w.nc", workers=2, resume=True)
    assert r.chunks == 3 and r.chunks_skipped >= 1 and not (tmp_path / "w.nc.parts").exists()
    assert_identical(load(out), load(serial))


class _KillOnce:
    """A trace source that kills the worker process running chunk 1, the first time only."""

    def __init__(self, inner, flag: str):
        self.inner, self.flag = inner, flag

    def describe(self) -> str:
        return self.inner.describe()

    def __call__(self, seed, indices, years, axis):
        if 3 in list(indices) and not os.path.exists(self.flag):
            Path(self.flag).touch()
            os._exit(1)  # the worker dies with the chunk in hand
        return self.inner(seed, indices, years, axis)


def test_a_killed_worker_loses_nothing(tmp_path):
    pytest.importorskip("dask.distributed", reason="Dask is an optional extra (pip install daryo[ensemble])")
    _, serial = run(tmp_path, "serial.nc")
    source = _KillOnce(ResampledTraces.from_model(basin()), str(tmp_path / "killed"))
    _, dask = run(tmp_path, "dask.nc", workers=2, source=source)
    assert (tmp_path / "killed").exists()
    assert_identical(load(dask), load(serial))


def test_cli_ensemble(tmp_path, capsys):
    model = tmp_path / "basin.yaml"
    model.write_text(_yaml_of_basin())
    out = tmp_path / "cli.nc"
    argv = ["ensemble", str(model), "--traces", "5", "--years", "2", "--seed", "1", "-o", str(out), "--chunk-size", "2"]
    assert main(argv) == 0
    cap = capsys.readouterr()
    assert "scenario-years/s" in cap.out and out.exists()
    lines = [ln for ln in cap.err.splitlines() if ln.startswith("progress ")]
    assert len(lines) >= 2 and re.fullmatch(r"progress traces=5/5 steps=120/120 rate=\d+/s elapsed=\d+s eta=\d+s",
                                            lines[-2])
    assert lines[-1] == f"progress writing={out}"  # every chunk done; the output takes a while at scale
    (tmp_path / "cli.nc.parts").mkdir()
    assert main(argv) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["ensemble", "--traces", "0", "--years", "2", "-o", str(out)]) == 2


def test_cli_ensemble_errors_and_exit_codes(tmp_path, capsys):
    """Usage errors exit 2 and name the option; a model or run that cannot be done exits 1."""
    model = tmp_path / "basin.yaml"
    model.write_text(_yaml_of_basin())
    out = str(tmp_path / "e.nc")
    base = ["ensemble", str(model), "--traces", "5", "--years", "2", "-o", out, "--chunk-size", "2", "--quiet"]
    assert main(base + ["--seed", "-1"]) == 2
    assert "--seed -1" in capsys.readouterr().err
    for bad in ("-1", "5", "nan"):  # every probability came out 0 with nan
        assert main(base + ["--deficit-threshold", bad]) == 2
        assert f"--deficit-threshold {bad}: give a fraction" in capsys.readouterr().err
    with pytest.raises(ValueError, match="deficit threshold 1.5"):
        run_ensemble(daryo_load(None), EnsembleOptions(traces=1, years=1, deficit_threshold=1.5), tmp_path / "x.nc")
    assert main([*base[:6], "-o", str(tmp_path / "e.txt")]) == 2
    assert "must end in .zarr or .nc" in capsys.readouterr().err
    # a model with no inflow series to resample
    dry = tmp_path / "dry.yaml"
    dry.write_text(_yaml_of_basin().replace("  - {id: up, type: inflow, inflow: [30, 25, 20, 20, 25, 40, 70, 90, 80, "
                                            "60, 45, 35]}\n", "").replace("[up, dam], ", ""))
    assert main(["ensemble", str(dry), *base[2:]]) == 1
    err = capsys.readouterr().err
    assert err.startswith("daryo: error:") and "no inflow node" in err and "Traceback" not in err
    # a model whose demand has traces of its own
    traced = tmp_path / "traced.yaml"
    traced.write_text(_yaml_of_basin().replace("demand: [5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5]",
                                               "demand: {values: [" + str([5] * 24) + ", " + str([6] * 24) + "]}"))
    assert main(["ensemble", str(traced), *base[2:]]) == 1
    assert "traces of its own" in capsys.readouterr().err
    # a model whose parameters follow scenarios of its own (a numpy error once)
    own = tmp_path / "own.yaml"
    own.write_text(_yaml_of_basin().replace("nodes:", "scenarios:\n  - {name: wet, size: 2}\nnodes:", 1))
    assert main(["ensemble", str(own), *base[2:]]) == 1
    assert "scenarios of its own (wet: 2)" in capsys.readouterr().err
    # resuming another run's parts
    run_ensemble(daryo_load(model), EnsembleOptions(traces=5, years=2, seed=9, chunk_size=2), out, stop_after=1)
    assert main(base + ["--resume"]) == 1
    assert "cannot resume" in capsys.readouterr().err


def test_cli_ensemble_applies_scenario_overlays(tmp_path, capsys):
    """``--scenario`` (repeatable) runs the ensemble of the model with the overlays, as the Python API does, and
    records them; an unknown one is an input error that writes nothing."""
    import daryo

    argv = ["ensemble", "--traces", "2", "--years", "1", "--seed", "3", "--quiet"]
    changed = tmp_path / "changed.nc"
    assert main([*argv, "--scenario", "climate-2050", "--scenario", "qosh-tepa-10", "-o", str(changed)]) == 0
    api = tmp_path / "api.nc"
    model = daryo.load(None, scenarios=["climate-2050", "qosh-tepa-10"])
    run_ensemble(model, EnsembleOptions(traces=2, years=1, seed=3), api)
    base = tmp_path / "base.nc"
    assert main([*argv, "-o", str(base)]) == 0
    assert_identical(load(changed), load(api))
    assert not np.array_equal(load(changed)["delivery"].values, load(base)["delivery"].values)
    assert load(changed).attrs["scenarios"] == "climate-2050, qosh-tepa-10" and load(base).attrs["scenarios"] == ""
    capsys.readouterr()
    assert main([*argv, "--scenario", "nope", "-o", str(tmp_path / "nope.nc")]) == 1
    assert "scenario 'nope': unknown scenario" in capsys.readouterr().err
    assert not list(tmp_path.glob("nope.nc*"))


def test_cli_rate_counts_only_the_traces_computed_now(tmp_path, capsys):
    model = tmp_path / "basin.yaml"
    model.write_text(_yaml_of_basin())
    out = tmp_path / "e.nc"
    run_ensemble(daryo_load(model), EnsembleOptions(traces=5, years=2, seed=1, chunk_size=2), out, stop_after=2)
    argv = ["ensemble", str(model), "--traces", "5", "--years", "2", "--seed", "1", "-o", str(out),
            "--chunk-size", "2", "--quiet", "--resume"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "1 trace computed now" in text and "3 chunks, 2 resumed" in text, text


def daryo_load(path):
    import daryo

    return daryo.load(path)


def _yaml_of_basin() -> str:
    return """
version: 1
name: cli-basin
allocation: cost
time: {start: 2001-10, end: 2003-09, step: month}
nodes:
  - {id: up, type: inflow, inflow: [30, 25, 20, 20, 25, 40, 70, 90, 80, 60, 45, 35]}
  - {id: dam, type: reservoir, max_volume: 300, min_volume: 20, initial_volume: 150, cost: -1}
  - {id: farm, type: demand, demand: [5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5], cost: -20}
  - {id: sea, type: sink, cost: 1}
edges: [[up, dam], [dam, farm], [dam, sea]]
"""


def test_traces_of_a_scenario_model_carry_its_inflow_changes():
    """An ensemble of the Aral model under a climate overlay draws the baseline's traces with the overlay's
    inflow changes applied."""
    import daryo
    from daryo.ensemble import default_trace_source
    from daryo.scenarios import transform_inflows

    model = daryo.load(scenarios=["climate-2050"]).with_time(years=3)
    axis = model.time.axis()
    got = default_trace_source(model)(7, np.arange(2), 3, axis)
    base = default_trace_source(daryo.load().with_time(years=3))(7, np.arange(2), 3, axis)
    want = transform_inflows(base, ["climate-2050"], axis.starts[0], model.metadata["basins"])
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-12)
    assert any(not np.allclose(got[k], base[k]) for k in want)


def test_deficits_of_solver_noise_are_no_deficit(tmp_path):
    # a priority model holds a demand served in full 1e-9 hm³ below its value each step: at threshold 0 that
    # noise counted as a deficit in most run years
    _, out = run(tmp_path, "z.nc", model=basin("priority"), options={"deficit_threshold": 0.0})
    ds = load(out)
    frac = ds.annual_deficit_fraction.values
    assert np.all((frac == 0) | (frac >= 1e-6))
    short = (ds.annual_demand - ds.annual_delivery) > 1e-6 * ds.annual_demand
    np.testing.assert_array_equal(frac > 0, short.values)
    np.testing.assert_allclose(ds.prob_deficit_above_threshold, short.values.reshape(-1, ds.sizes["demand"])
                               .mean(axis=0))
    for name in ds.data_vars:
        assert ds[name].attrs.get("units"), name  # the summaries had none
    assert ds.summary_annual_energy.attrs["units"] == "GWh per year"  # (per run year, as the annual volumes)
    assert ds.summary_annual_deficit_fraction.attrs["units"] == "1"
    # as a run's results: flows per step, volumes in hm3
    assert {v: ds[v].attrs["units"] for v in ("delivery", "deficit", "sink_inflow", "storage")} == {
        "delivery": "hm3 per step", "deficit": "hm3 per step", "sink_inflow": "hm3 per step", "storage": "hm3"}
    assert ds.annual_delivery.attrs["units"] == ds.summary_annual_delivery.attrs["units"] == "hm3 per year"
    assert ds.annual_min_storage.attrs["units"] == "hm3"


def test_resume_refuses_a_run_whose_data_changed(tmp_path):
    model = tmp_path / "basin.yaml"
    model.write_text(_yaml_of_basin().replace("demand: [5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5]",
                                              "demand: {csv: farm.csv}"))
    (tmp_path / "farm.csv").write_text("date,q\n" + "\n".join(
        f"{d:%Y-%m-%d},{10 + i % 12}" for i, d in enumerate(pd.date_range("2001-10", periods=24, freq="MS"))))
    out = tmp_path / "d.nc"
    opts = EnsembleOptions(traces=5, years=2, seed=1, chunk_size=2)
    run_ensemble(daryo_load(model), opts, out, stop_after=1)
    run_ensemble(daryo_load(model), opts, out, stop_after=1, resume=True)  # the same run: resumed
    (tmp_path / "farm.csv").write_text((tmp_path / "farm.csv").read_text().replace(",10\n", ",11\n"))
    with pytest.raises(ValueError, match="another run"):  # the model file is the same, its data file is not
        run_ensemble(daryo_load(model), opts, out, resume=True)


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


def test_a_failed_start_leaves_no_parts_and_stale_temporaries_are_removed(tmp_path):
    out = tmp_path / "s.nc"
    with pytest.raises(ValueError, match="missing port number"):  # a scheduler address without its port
        run(tmp_path, "s.nc", scheduler="foo")
    assert not (tmp_path / "s.nc.parts").exists()  # the corrected command needs no --resume
    stale = tmp_path / ".s.nc.tmp-999999999"  # an assembly killed before it could remove its store
    stale.write_text("half-written")
    run(tmp_path, "s.nc")
    assert out.exists() and not stale.exists()


def test_no_dask_client_is_left_as_the_default_one(tmp_path):
    """A client left as Dask's default (after a scheduler that could not be reached) made xarray write every later
    NetCDF file of the process through a lock on that scheduler, which failed."""
    distributed = pytest.importorskip("dask.distributed",
                                      reason="Dask is an optional extra (pip install daryo[ensemble])")
    with pytest.raises(ValueError, match="missing port number"):
        run(tmp_path, "s.nc", scheduler="foo")
    with pytest.raises(ValueError, match="No clients found"):
        distributed.default_client()
    run(tmp_path, "s.nc")


def test_seeds_stop_where_two_would_share_a_trace(tmp_path, capsys):
    """A seed of 2**32 or more would repeat a smaller seed's trace (see the generator's MAX_SEED), and one of 2**63
    could not be stored with the results: both are refused before any work."""
    with pytest.raises(ValueError, match="from 0 to 2\\*\\*32 - 1"):
        run(tmp_path, "big.nc", options={"seed": 2**32})
    assert not (tmp_path / "big.nc.parts").exists()
    assert run(tmp_path, "top.nc", options={"seed": 2**32 - 1, "traces": 1})[0].chunks == 1  # the largest seed
    model = tmp_path / "basin.yaml"
    model.write_text(_yaml_of_basin())
    for seed in (2**32, 2**63):
        assert main(["ensemble", str(model), "--traces", "1", "--years", "1", "--seed", str(seed),
                     "-o", str(tmp_path / "big.nc")]) == 2
        assert f"--seed {seed}: the seed must be an integer from 0 to 2**32 - 1" in capsys.readouterr().err
    # not a whole number (1.5 was cut to 1); the resampled traces' own check, for callers of the source
    with pytest.raises(ValueError, match="seed 1.5: the seed must be an integer"):
        run(tmp_path, "half.nc", options={"seed": 1.5})
    source = ResampledTraces.from_model(basin())
    axis = basin().time.axis()
    with pytest.raises(ValueError, match="seed 4294967296: the seed must be an integer from 0 to 2\\*\\*32 - 1"):
        source(2**32, np.arange(1), 1, axis)


def test_n_day_models_resample_their_own_traces():
    from dataclasses import replace

    from daryo.ensemble import StochasticTraces, default_trace_source
    from daryo.model import Node, Series

    aral = daryo_load(None)
    assert isinstance(default_trace_source(aral), StochasticTraces)
    # the generator makes monthly traces only: an Aral-like model in 10-day steps (its headwaters given as
    # constants, which 10-day steps can read) resamples its own
    nodes = tuple(Node(n.id, n.type, {**n.attrs, "inflow": Series.constant(10.0)}, n.place, n.line)
                  if n.type == "inflow" else n for n in aral.nodes)
    tens = replace(aral, nodes=nodes, time=replace(aral.time, step_days=10))
    assert isinstance(default_trace_source(tens), ResampledTraces)


def test_the_network_digest_is_the_same_for_the_same_data_and_differs_for_other_data(tmp_path):
    from daryo.ensemble import network_digest
    from daryo.model import model_from_dict
    from daryo.network import compile_network

    def digest(rate: float) -> str:
        days = pd.date_range("2001-10-01", "2003-09-30", freq="D")
        pd.DataFrame({"date": days, "city": rate}).to_csv(tmp_path / "city.csv", index=False)
        nodes, edges = basin_network()
        nodes = [dict(n, demand={"parameter": "city", "unit": "hm3/day"}) if n["id"] == "city" else n
                 for n in nodes]
        model = model_from_dict({"version": 1, "name": "test", "allocation": "cost",
                                 "time": {"start": "2001-10", "end": "2003-09", "step": "month"},
                                 "parameters": {"city": {"type": "dataframe", "csv": "city.csv"}},
                                 "nodes": nodes, "edges": edges}, base_dir=tmp_path)
        return network_digest(compile_network(model))

    # a dataframe parameter's frame (with its weak references) loaded twice: the same digest
    assert digest(0.25) == digest(0.25) != digest(0.26)


# ------------------------------------------------------------------------ recorded series and indicators
def plant_basin():
    """:func:`basin` with a run-of-river plant (fixed head 100 m, efficiency 0.9, 1000 MW) on the way to the sea::

        (river) --> {plant} --> [sea]

    so every step's turbine flow is the sea's inflow (the capacity passes ~3000 hm³ a month: it never binds)."""
    nodes, edges = basin_network()
    nodes = [*nodes, {"id": "plant", "type": "hydropower", "capacity": 1000, "head": 100, "efficiency": 0.9}]
    edges = [e for e in edges if e != ["river", "sea"]] + [["river", "plant"], ["plant", "sea"]]
    return build(nodes, edges, steps=24, allocation="cost", start="2001-10")


def test_the_fast_path_records_the_plain_paths_series_and_energy(tmp_path):
    """The fast path (the default) stores the same series and annual indicators as the plain path, energy
    included: E = GWH_PER_HM3_M × head × efficiency × turbine flow (the fast path once left the efficiency
    out).  The annual indicators are the monthly series per run year: sums of flows and energy, the lowest
    storage."""
    r, fast = run(tmp_path, "fast.nc", model=plant_basin())
    rp, plain = run(tmp_path, "plain.nc", model=plant_basin(), options={"fast": False})
    assert "fast path" in r.how[0] and "plain path" in rp.how[0]
    a, b = load(fast), load(plain)
    assert a.sizes["hydropower"] == 1
    for v in [*SERIES, *ANNUAL_INDICATORS]:
        np.testing.assert_allclose(a[v].values, b[v].values, rtol=1e-6, atol=1e-4, err_msg=v)
    for ds in (a, b):
        turbine = ds.sink_inflow.sel(sink="sea").values  # everything reaching the sea passes the plant
        assert (turbine > 1).sum() > 10  # water through the turbines in many steps
        np.testing.assert_allclose(ds.energy.sel(hydropower="plant").values,
                                   GWH_PER_HM3_M * 100 * 0.9 * turbine, rtol=1e-6)
        for y in range(YEARS):  # run year y is months 12y..12y+11 (the run starts in October)
            months = ds.isel(time=slice(12 * y, 12 * y + 12), year=y)
            np.testing.assert_allclose(months.annual_sink_inflow, months.sink_inflow.sum("time"), rtol=1e-5)
            np.testing.assert_allclose(months.annual_energy, months.energy.sum("time"), rtol=1e-5)
            np.testing.assert_allclose(months.annual_min_storage, months.storage.min("time"), rtol=1e-6)
        # (the dam's storage changes within the year, so its lowest value is not its mean)
        assert (a.storage.max("time") - a.storage.min("time")).min() > 1


def test_annual_indicators_by_hand():
    """The annual indicators of two run years of one trace: sums of delivery, deficit, sink inflow, energy and
    inflow, the lowest storage, and the deficit fraction — with a demand delivered 1e-9 hm³ short each step
    (the solver noise of a demand met in full) counted as no deficit at all."""
    axis = basin().with_time(years=2).time.axis()  # October 2001 to September 2003: 24 months
    m = np.arange(24.0)
    storage = 100 + 10 * np.sin(2 * np.pi * m / 12)  # lowest -10 at month 9 of each year; mean 100
    want = np.array([[10.0, 4.0]] * 24)  # two demands: 10 and 4 hm³ a month
    delivery = np.stack([np.full(24, 10.0 - 1e-9), np.where(m % 12 < 6, 4.0, 2.0)], axis=1)
    raw = {"storage": storage[None, :, None], "delivery": delivery[None],
           "deficit": (want - delivery)[None], "sink_inflow": (m + 1)[None, :, None],
           "energy": np.full((1, 24, 1), 0.5), "inflow": np.stack([m, np.where(m < 12, 2.0, 3.0)], axis=1)[None]}
    rec = _ChunkRecorder(axis, 1, {k: v.shape[2] for k, v in raw.items()}, np.float32)
    for t in range(24):
        rec.add(t, **{k: v[:, t] for k, v in raw.items()})
    out = rec.annual()
    np.testing.assert_allclose(out["annual_min_storage"][0, :, 0], [90.0, 90.0])
    np.testing.assert_allclose(out["annual_sink_inflow"][0, :, 0], [78.0, 222.0])  # 1+…+12, 13+…+24
    np.testing.assert_allclose(out["annual_energy"][0, :, 0], [6.0, 6.0])
    np.testing.assert_allclose(out["annual_inflow"][0], [[66.0, 24.0], [210.0, 36.0]])  # 0+…+11, 12+…+23
    assert set(rec.series) == set(SERIES)  # (inflows are summed per year, not stored per step)
    np.testing.assert_allclose(out["annual_delivery"][0], [[120 - 12e-9, 36.0]] * 2)
    np.testing.assert_allclose(out["annual_demand"][0], [[120.0, 48.0]] * 2)
    frac = out["annual_deficit_fraction"][0]
    assert frac[:, 0].tolist() == [0.0, 0.0]  # 1e-10 of the demand: noise, exactly 0
    np.testing.assert_allclose(frac[:, 1], [0.25, 0.25])  # 12 of 48 hm³ short


def test_annual_inflows_are_the_traces_hydrology(tmp_path):
    """Each trace's annual inflow per inflow node is its trace source's inflow summed over the run year, whatever
    the chunk, so outcomes can be read against the hydrology that caused them."""
    from daryo.ensemble import default_trace_source, run_years

    _, out = run(tmp_path, "q.nc")
    ds = load(out)
    model = basin()
    axis = model.with_time(years=YEARS).time.axis()
    traces = default_trace_source(model)(5, np.arange(7), YEARS, axis)
    assert list(ds.inflow.values) == [n.id for n in model.nodes if n.type == "inflow"] == list(traces)
    year = run_years(axis)
    for k, node in enumerate(ds.inflow.values):
        want = np.stack([traces[node][:, year == y].sum(axis=1) for y in range(YEARS)], axis=1)
        np.testing.assert_allclose(ds.annual_inflow.values[:, :, k], want, rtol=1e-9)
    assert ds.annual_inflow.attrs["units"] == "hm3 per year"
    assert ds.summary_annual_inflow.sel(inflow=ds.inflow.values[0], statistic="mean").item() == pytest.approx(
        float(ds.annual_inflow.values[:, :, 0].mean()), rel=1e-12)


def test_annual_indicators_are_sums_of_the_unrounded_values():
    """A chunk stores its monthly series in float32 but sums its annual indicators from the float64 values: a
    delivery of 0.1 hm³ a month is 1.2 hm³ a year to the last bits of float64, where the float32 months would
    sum to 1.2000000179."""
    axis = basin().with_time(years=1).time.axis()
    rec = _ChunkRecorder(axis, 1, {"storage": 1, "delivery": 1, "sink_inflow": 1, "energy": 1, "inflow": 1},
                         np.float32)
    for t in range(12):
        rec.add(t, storage=np.ones((1, 1)), delivery=np.full((1, 1), 0.1), deficit=np.zeros((1, 1)),
                sink_inflow=np.zeros((1, 1)), energy=np.zeros((1, 1)), inflow=np.zeros((1, 1)))
    assert rec.series["delivery"].dtype == np.float32
    assert rec.annual()["annual_delivery"][0, 0, 0] == pytest.approx(1.2, rel=1e-15)
    assert rec.series["delivery"].astype(float).sum() == pytest.approx(1.2000000179, rel=1e-9)


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
    sizes = {"demand": 3, "reservoir": 2, "sink": 1, "hydropower": 2, "inflow": 2}
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
        a = ds[k].transpose("trace", "year", dim).values.reshape(-1, ds.sizes[dim])
        s = ds[f"summary_{k}"]
        np.testing.assert_allclose(s.sel(statistic="mean"), a.mean(axis=0), err_msg=k)
        for p in (5, 50, 95):
            np.testing.assert_allclose(s.sel(statistic=f"p{p}"), np.percentile(a, p, axis=0), err_msg=f"{k} p{p}")
    # the percentiles differ: a swap of two of them is seen
    s = ds.summary_annual_sink_inflow.sel(sink="sea")
    assert s.sel(statistic="p5") < s.sel(statistic="p50") < s.sel(statistic="p95")


# --------------------------------------------------------------------------------------- resampling
def test_monthly_resampling_keeps_daily_rates():
    """Monthly steps carry a source month's daily rate: a river of 1 hm³/day, unperturbed, gives each run
    month its number of days (28 in February 2002 and 2003, 29 in February 2004)."""
    model = build([{"id": "up", "type": "inflow", "inflow": {"value": 1, "unit": "hm3/day"}},
                   {"id": "sea", "type": "sink"}], [["up", "sea"]], steps=12, start="2001-10")
    source = ResampledTraces.from_model(model, perturbation=0.0)
    axis = model.with_time(years=3).time.axis()
    got = source(0, np.arange(3), 3, axis)["up"]
    year = [31, 30, 31, 31, 28, 31, 30, 31, 30, 31, 31, 30]  # October to September
    leap = year[:4] + [29] + year[5:]
    np.testing.assert_array_equal(got, np.tile(year + year + leap, (3, 1)))


def test_traces_of_neighbouring_seeds_are_not_shifted_copies():
    """Trace i of seed s is drawn from (s, i), not s + i: trace 1 of seed 5 is not trace 0 of seed 6."""
    model = basin()
    src, axis = ResampledTraces.from_model(model), model.with_time(years=YEARS).time.axis()
    a = src(5, np.array([1]), YEARS, axis)["up"]
    b = src(6, np.array([0]), YEARS, axis)["up"]
    assert not np.allclose(a, b)


def test_resampling_draws_every_whole_year_of_every_source_trace():
    """Unperturbed one-year traces are whole years of the record (October to September): the basin's record
    of 4 traces × 2 years has 8, and 200 traces draw each of them — the last source trace and the record's
    last year included."""
    model = basin()
    up = np.asarray(basin_network()[0][0]["inflow"]["values"])  # (4 traces, 24 months)
    years = {(s, y): up[s, 12 * y:12 * y + 12] for s in range(4) for y in range(2)}
    source = ResampledTraces.from_model(model, perturbation=0.0)
    got = source(0, np.arange(200), 1, model.with_time(years=1).time.axis())["up"]
    drawn = set()
    for trace in got:
        match = [k for k, v in years.items() if np.allclose(trace, v, rtol=1e-12)]
        assert len(match) == 1, trace
        drawn.add(match[0])
    assert drawn == set(years)


def test_perturbation_factors_have_mean_one():
    """The log-normal factor of a run year has mean 1 (log-mean -σ²/2) and log-sd σ: with σ = 0.5 and 10⁵ run
    years (2000 traces × 50 years of a 1 hm³/day river), the mean factor is 1 within 1 % (it is e^{σ²/2} =
    1.133 without the -σ²/2)."""
    model = build([{"id": "up", "type": "inflow", "inflow": {"value": 1, "unit": "hm3/day"}},
                   {"id": "sea", "type": "sink"}], [["up", "sea"]], steps=12, start="2001-10")
    source = ResampledTraces.from_model(model, perturbation=0.5)
    axis = model.with_time(years=50).time.axis()
    factor = source(0, np.arange(2000), 50, axis)["up"] / axis.days  # one factor per trace and run year
    per_year = factor.reshape(2000, 50, 12)
    np.testing.assert_allclose(per_year, per_year[:, :, :1].repeat(12, axis=2), rtol=1e-12)
    f = per_year[:, :, 0].ravel()
    assert abs(f.mean() - 1) < 0.01
    assert abs(np.log(f).std() - 0.5) < 0.01


def test_chunk_deficits_are_measured_against_each_scenarios_own_demand():
    """A chunk's deficits are the demand of its own scenario less the delivery, on the fast path as on the
    plain one — also for a demand that differs by scenario (the fast path holds such a bound in its scenario
    data, not in the shared tables).  An ensemble cannot make such a demand yet (a model's demands have no
    traces of their own), so the chunk's simulation is run directly: 10 hm³ of water, demands 4 and 25."""
    model = build([{"id": "in", "type": "inflow", "inflow": 10},
                   {"id": "farm", "type": "demand", "demand": {"values": [[4] * 3, [25] * 3]}, "cost": -10},
                   {"id": "sea", "type": "sink"}], [["in", "farm"], ["in", "sea"]], steps=3, allocation="cost")
    net = compile_network(model)
    fast, _, how = _simulate_chunk(net, True)
    plain, _, _ = _simulate_chunk(net, False)
    assert how.startswith("fast path")
    for raw in (fast, plain):
        np.testing.assert_allclose(raw["delivery"][:, :, 0], [[4] * 3, [10] * 3], atol=1e-6)
        np.testing.assert_allclose(raw["deficit"][:, :, 0], [[0] * 3, [15] * 3], atol=1e-6)


def test_the_readmes_example_of_reading_an_ensemble_runs(tmp_path, monkeypatch):
    """The README's Python example on an ensemble store (outcomes against the traces' hydrology), run as written
    on a small store of the embedded model."""
    import re

    import daryo

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    (code,) = [c for c in re.findall(r"```python\n(.*?)```", readme, re.S) if "annual_inflow" in c]
    run_ensemble(daryo.load(), EnsembleOptions(traces=12, years=3, seed=1), tmp_path / "runs.zarr")
    monkeypatch.chdir(tmp_path)
    *body, last = code.strip().splitlines()
    scope: dict = {}
    exec("\n".join(body), scope)
    low = eval(last, scope)
    assert low.dims == ("quantile",) and np.all(np.isfinite(low.values)) and low.values[0] <= low.values[1]


def test_the_shortfall_table_lists_the_demands_short_most_often(tmp_path, capsys):
    """From the store's summaries: each short demand's country, probability of a deficit above the threshold, and
    mean and p95 deficit fraction, most often short first; ``daryo ensemble`` prints it, or that none is short."""
    dry = tmp_path / "dry.yaml"  # the farm wants twice as much, and a town 2 a month
    dry.write_text(_yaml_of_basin().replace("[5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5]",
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
    with pytest.raises(ValueError, match="n=-1"):
        shortfall_table(tmp_path / "dry.nc", n=-1)
    wet = tmp_path / "wet.yaml"
    wet.write_text(_yaml_of_basin())
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
