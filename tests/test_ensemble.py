"""Ensembles: reproducible traces, identical results whatever the chunking, workers or interruptions,
distribution summaries, and the ``daryo ensemble`` command.

The model is a small ``cost``-mode basin (so chunks run on the fast path)::

    [up: 4 traces] --> <dam: 50..400> --> (river) --> [farm: monthly demand]
                                            |  \\--> [city: 8]
    [creek] -------------------------------/    \\--> [sea]
"""

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from daryo.cli import main
from daryo.ensemble import EnsembleOptions, ResampledTraces, run_ensemble
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


def test_dataframe_files_are_aligned_once_per_run(tmp_path, monkeypatch):
    """The CSV of a ``dataframe`` parameter (here the city's demand) is aligned to the steps once per run, not
    once per chunk, with the same results."""
    import daryo.ensemble
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
    monkeypatch.setattr(daryo.ensemble, "align_frames", lambda params, axis: dict(params))
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
    with pytest.raises(ValueError, match="another run"):
        run(tmp_path, "cut.nc", resume=True, options={"seed": 6})
    r, out = run(tmp_path, "cut.nc", resume=True)
    assert r.chunks_skipped == 1 and not (tmp_path / "cut.nc.parts").exists()
    assert_identical(load(out), load(whole))


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


def test_dask_workers_give_identical_results(tmp_path):
    pytest.importorskip("dask.distributed", reason="Dask is an optional extra (pip install daryo[ensemble])")
    _, serial = run(tmp_path, "serial.nc")
    _, dask = run(tmp_path, "dask.nc", workers=2)
    assert_identical(load(dask), load(serial))


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
    assert lines and re.fullmatch(r"progress traces=5/5 steps=120/120 rate=\d+/s elapsed=\d+s eta=\d+s", lines[-1])
    (tmp_path / "cli.nc.parts").mkdir()
    assert main(argv) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["ensemble", "--traces", "0", "--years", "2", "-o", str(out)]) == 2


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
