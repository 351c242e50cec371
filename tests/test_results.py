"""Results: NetCDF round trip and the labelled layout."""

import numpy as np
import xarray as xr

import daryo
from daryo.simulate import RunOptions


def test_netcdf_round_trip_is_identical(tmp_path):
    res = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=2, years=1))
    path = res.to_netcdf(tmp_path / "r.nc")
    back = xr.open_dataset(path, engine="netcdf4").load()
    for name, da in res.dataset.data_vars.items():
        np.testing.assert_array_equal(back[name].values, da.values)
        assert back[name].attrs["units"] == da.attrs["units"]
    assert list(back.demand_country.values) == list(res.dataset.demand_country.values)


def test_model_not_mutated_by_run():
    model = daryo.load(daryo.demo_model_path())
    before = repr(model.nodes)
    daryo.run(model, RunOptions(scenarios=1, years=1))
    assert repr(model.nodes) == before


def test_hydrological_year_and_season_labels():
    ds = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=1, years=1)).dataset
    assert list(ds.hydrological_year.values) == [2001] * 12  # Oct 2000 – Sep 2001
    assert list(ds.season.values[:6]) == ["winter"] * 6 and list(ds.season.values[6:]) == ["summer"] * 6
