"""The CF Conventions' metadata of the files results are written to."""

import os
import shutil
from pathlib import Path

import netCDF4
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import daryo
from daryo.cf import LONG_NAME_MAX, cf_dataset, daryo_units, netcdf_chunks, short_name
from daryo.simulate import RunOptions


@pytest.fixture(scope="module")
def run_file(tmp_path_factory):
    """One demo run's results (2 traces, 1 year from October: 12 steps) and the NetCDF file written of them."""
    res = daryo.run(daryo.load(daryo.demo_model_path()), RunOptions(scenarios=2, years=1))
    return res.dataset, res.to_netcdf(tmp_path_factory.mktemp("cf") / "r.nc")


def test_units_are_ones_udunits_reads_and_the_step_sums_say_so(run_file):
    """'hm3 per step' and 'GWh', which UDUNITS (and so cf-python, Iris, CF checkers) cannot read, are written as
    'hm3' summed over each step and 'GW h'; values at a step's start are points; the Dataset keeps daryo's."""
    ds, path = run_file
    back = xr.open_dataset(path)
    assert ds["delivery"].attrs["units"] == "hm3 per step" and ds["energy"].attrs["units"] == "GWh"
    units = {str(v): back[v].attrs.get("units") for v in back.variables}
    assert not [u for u in units.values() if u and ("step" in u or "GWh" in u)], units
    assert back["delivery"].attrs["units"] == "hm3" and back["delivery"].attrs["cell_methods"] == "time: sum"
    assert back["energy"].attrs["units"] == "GW h" and back["energy"].attrs["cell_methods"] == "time: sum"
    assert back["storage"].attrs["units"] == "hm3" and "cell_methods" not in back["storage"].attrs  # (end of step)
    assert back["storage_start"].attrs["cell_methods"] == "time: point"
    assert back["head"].attrs["cell_methods"] == "time: point"
    assert back["delivery"].attrs["long_name"] == ds["delivery"].attrs["description"] == "Water delivered"
    assert back["node_lat"].attrs["standard_name"] == "latitude"
    assert back["demand_lon"].attrs["standard_name"] == "longitude"


def test_the_file_follows_cf_1_8_and_says_so(run_file):
    """The global attribute Conventions (a lowercase 'conventions' that netCDF-Java reads as its name is gone);
    the time axis with the bounds of each step, from its start to the next step's (the last to 1 October)."""
    ds, path = run_file
    back = xr.open_dataset(path)
    assert back.attrs["Conventions"] == "CF-1.8" and "conventions" not in back.attrs
    assert back.attrs["hydrological_year"] == ds.attrs["hydrological_year"]
    assert back["time"].attrs["standard_name"] == "time" and back["time"].attrs["axis"] == "T"
    assert back["time"].attrs["bounds"] == "time_bnds" and "time_bnds" not in ds
    bounds = pd.DatetimeIndex(back["time_bnds"].values[:, 1])
    np.testing.assert_array_equal(back["time_bnds"].values[:, 0], ds["time"].values)
    np.testing.assert_array_equal(bounds[:-1], ds["time"].values[1:])
    assert bounds[-1] == pd.Timestamp(ds["time"].values[-1]) + pd.Timedelta(days=30)  # September's end


def test_the_file_names_its_source_and_when_daryo_wrote_it(run_file):
    """CF's global attributes source (daryo and its version) and history: one line, the time of writing (UTC) and
    daryo's version; a Dataset that has a history keeps it, with the new line after it."""
    _, path = run_file
    back = xr.open_dataset(path)
    assert back.attrs["source"] == f"daryo {daryo.__version__}"
    stamp, rest = back.attrs["history"].split(" ", 1)
    assert rest == f"written by daryo {daryo.__version__}"
    written = pd.Timestamp(stamp)
    assert written.tz is not None and abs(pd.Timestamp.now(tz="UTC") - written) < pd.Timedelta(hours=1)
    again = cf_dataset(back)
    assert again.attrs["history"].splitlines()[0] == back.attrs["history"]
    assert again.attrs["history"].splitlines()[1].endswith(f"written by daryo {daryo.__version__}")
    assert cf_dataset(back.assign_attrs(source="a gauge record")).attrs["source"] == "a gauge record"


def test_the_file_has_no_64_bit_integers_and_its_floats_are_filled_with_nan(run_file):
    """CF 1.8 and the classic format have no 64-bit integers: dates are whole days since the first as int32, and
    so are other integers.  Every float variable declares ``_FillValue`` NaN of its own type, NaN being a missing
    value in results (test_a_reservoir_without_a_rule_curve_has_missing_values_a_c_reader_sees)."""
    _, path = run_file
    with netCDF4.Dataset(path) as nc:
        kinds = {name: v.dtype for name, v in nc.variables.items() if v.dtype != "S1"}
        assert not [n for n, d in kinds.items() if d.itemsize > 4 and d.kind in "iu"], kinds
        assert nc["time"].units.startswith("days since 2000-10-01") and nc["time"].dtype == np.int32
        assert list(nc["time"][:3]) == [0, 31, 61]
        floats = {n: v for n, v in nc.variables.items() if v.dtype.kind == "f"}
        assert {"storage", "storage_target", "energy", "node_lat"} <= floats.keys()
        for name, v in floats.items():
            fill = v.getncattr("_FillValue")
            assert np.isnan(fill) and fill.dtype == v.dtype, name
        assert not [n for n, v in nc.variables.items() if v.dtype.kind != "f" and "_FillValue" in v.ncattrs()]


def test_a_reservoir_without_a_rule_curve_has_missing_values_a_c_reader_sees(tmp_path):
    """A hydromet data manager's audit (the files as NCO, CDO and Fortran read them, through netCDF-C): a run's
    ``storage_target`` and ``storage_shortfall`` are NaN for a reservoir without a rule curve, but the file declared
    no ``_FillValue``, so a C reader's sum over the reservoirs was NaN with nothing to say which values are missing.
    They declare ``_FillValue`` NaN (of their type), which netCDF4 masks (the pond's), and xarray reads the same
    numbers back.  (A dam of 100 hm³ with a target of 80, filled by 5 hm³ a month from 50; a pond of 10 without
    one below it.)::

        [up: 5] --> <dam: 50 of 100, target 80> --> <pond: 5 of 10> --> [sea]
    """
    from daryo.testmodels import build

    nodes = [{"id": "up", "type": "inflow", "inflow": 5},
             {"id": "dam", "type": "reservoir", "max_volume": 100, "initial_volume": 50, "target_volume": 80},
             {"id": "pond", "type": "reservoir", "max_volume": 10, "initial_volume": 5},
             {"id": "sea", "type": "sink"}]
    res = daryo.run(build(nodes, [["up", "dam"], ["dam", "pond"], ["pond", "sea"]], steps=3))
    path = res.to_netcdf(tmp_path / "rc.nc")
    with netCDF4.Dataset(path) as nc:
        for name in ("storage_target", "storage_shortfall"):
            v = nc[name]
            assert np.isnan(v.getncattr("_FillValue")) and v.getncattr("_FillValue").dtype == v.dtype, name
            values = v[:]  # (scenario, time, reservoir): the pond's masked as missing, the dam's not
            assert values.mask[..., 1].all() and not values.mask[..., 0].any(), name
        np.testing.assert_allclose(nc["storage_shortfall"][0, :, 0], [25.0, 20.0, 15.0])
    with xr.open_dataset(path) as back:
        for name in ("storage_target", "storage_shortfall", "storage"):
            np.testing.assert_array_equal(back[name].values, res.dataset[name].values, err_msg=name)


def test_results_are_compressed_in_chunks_of_whole_scenarios(run_file):
    ds, path = run_file
    with netCDF4.Dataset(path) as nc:
        deflated = {n for n, v in nc.variables.items() if v.filters()["zlib"]}
        assert deflated == {n for n, v in ds.data_vars.items() if v.ndim > 1}, deflated
        assert nc["delivery"].chunking() == list(nc["delivery"].shape) and nc["delivery"].filters()["shuffle"]
    with xr.open_dataset(path) as back:
        assert np.array_equal(back["delivery"].values, ds["delivery"].values)


def test_netcdf_chunks_fill_at_most_the_budget_with_whole_rows():
    assert netcdf_chunks((10_000, 600, 23), 4) == (75, 600, 23)  # 75 traces of 55,200 bytes: under 4 MiB
    assert netcdf_chunks((3, 600, 23), 4) == (3, 600, 23)
    assert netcdf_chunks((2, 1_000_000, 4), 8) == (1, 131_072, 4)  # one row is over the budget: split the next
    assert netcdf_chunks((2, 3), 8, max_bytes=4) == (1, 1)
    assert netcdf_chunks((7, 5), 8, max_bytes=80) == (2, 5)


def test_the_dataset_given_is_not_changed_and_units_turn_back():
    ds = xr.Dataset({"q": (("time",), np.ones(2), {"units": "hm3 per step", "description": "d"})},
                    coords={"time": pd.date_range("2001-01-01", periods=2, freq="MS"), "days": ("time", [31, 28])})
    out = cf_dataset(ds)
    assert ds["q"].attrs == {"units": "hm3 per step", "description": "d"} and not ds.attrs and "time_bnds" not in ds
    assert out["q"].attrs["units"] == "hm3" and "time_bnds" in out.coords
    assert [daryo_units({"units": u}) for u in ("GW h", "GW h year-1", "hm3 year-1", "hm3 per year", "hm3", "m")] == [
        "GWh", "GWh per year", "hm3 per year", "hm3 per year", "hm3", "m"]
    assert daryo_units({"units": "hm3", "cell_methods": "time: sum"}) == "hm3 per step"


def test_indicators_read_a_results_file_back(run_file):
    """The annual indicators take a run's NetCDF file read back, whose units are CF's (they refused 'hm3', 'not an
    amount per step'), and give what they give for the run's Dataset."""
    from daryo.indicators import annual_by, country_summary

    ds, path = run_file
    back = xr.open_dataset(path)
    for variable in ("delivery", "energy"):
        pd.testing.assert_frame_equal(annual_by(back, variable), annual_by(ds, variable))
    pd.testing.assert_frame_equal(country_summary(back), country_summary(ds))


def test_every_unit_written_for_cf_turns_back_into_daryos():
    """daryo_units reads back what cf_dataset writes, for each of daryo's units that CF files write otherwise (the
    two tables are kept by hand: a unit added to one only would not turn back)."""
    from daryo.cf import _CF_UNITS

    time = pd.date_range("2001-01-01", periods=2, freq="MS")
    ds = xr.Dataset({f"v{k}": (("time",), np.ones(2), {"units": u}) for k, u in enumerate(_CF_UNITS)},
                    coords={"time": time, "days": ("time", [31, 28])})
    written = cf_dataset(ds)
    assert {str(ds[v].attrs["units"]): daryo_units(written[v].attrs) for v in ds.data_vars} == {
        u: u for u in _CF_UNITS}
    assert all(written[v].attrs["units"] != ds[v].attrs["units"] for v in ds.data_vars)


def test_a_run_of_more_than_292_years_is_written(tmp_path):
    """Dates were encoded through int64 nanoseconds, which overflow after 292 years: a 300-year run failed with a
    traceback (OverflowError) once the whole run was done."""
    model = tmp_path / "long.yaml"
    model.write_text("version: 1\nname: long\ntime: {start: 1900-10, end: 2200-09}\nnodes:\n"
                     "  - {id: src, type: inflow, inflow: 10}\n  - {id: sea, type: sink}\nedges: [[src, sea]]\n")
    results = daryo.run(daryo.load(model))
    results.save(netcdf=tmp_path / "long.nc")
    with xr.open_dataset(tmp_path / "long.nc") as ds:
        assert ds.time.encoding["units"].startswith("days since 1900-10-01") and ds.time.encoding["dtype"] == "int32"
        np.testing.assert_array_equal(ds.time.values, results.dataset.time.values)
        assert str(ds.time.values[-1])[:10] == "2200-09-01"
        np.testing.assert_array_equal(ds.time_bnds.values[:, 0], ds.time.values)
        assert str(ds.time_bnds.values[-1, 1])[:10] == "2200-10-01"  # (the end of the last step)


def _text_attribute_types(path):
    """{(variable or "", attribute): "char" or "string"} of a NetCDF file's text attributes, by the netCDF library
    that the netCDF4 wheel ships (None where it is not found: another platform's wheel)."""
    import ctypes
    import glob

    import netCDF4

    found = glob.glob(os.path.join(os.path.dirname(netCDF4.__file__), "..", "netcdf4.libs", "libnetcdf*.so*"))
    if not found:
        return None
    lib, ncid, n = ctypes.CDLL(found[0]), ctypes.c_int(), ctypes.c_int()
    assert lib.nc_open(str(path).encode(), 0, ctypes.byref(ncid)) == 0
    lib.nc_inq_nvars(ncid, ctypes.byref(n))
    types = {}
    try:
        for varid in [-1, *range(n.value)]:
            name, count = ctypes.create_string_buffer(256), ctypes.c_int()
            if varid >= 0:
                lib.nc_inq_varname(ncid, varid, name)
            lib.nc_inq_varnatts(ncid, varid, ctypes.byref(count))
            for i in range(count.value):
                att, kind = ctypes.create_string_buffer(256), ctypes.c_int()
                lib.nc_inq_attname(ncid, varid, i, att)
                lib.nc_inq_atttype(ncid, varid, att, ctypes.byref(kind))
                if kind.value in (2, 12):  # NC_CHAR, NC_STRING
                    types[(name.value.decode(), att.value.decode())] = "char" if kind.value == 2 else "string"
    finally:
        lib.nc_close(ncid)
    return types


def test_text_attributes_that_are_not_ascii_are_written_as_characters(tmp_path):
    """An interoperability review: a model file's path in Cyrillic (and a description with "…") was written as a
    variable-length string attribute, NC_STRING, which the classic model has not (``nccopy -k classic`` failed).
    They are characters, read back as the same text."""
    folder = tmp_path / "модель"
    shutil.copytree(Path(daryo.demo_model_path()).parent, folder)
    model = folder / Path(daryo.demo_model_path()).name
    res = daryo.run(daryo.load(model), RunOptions(years=1))
    res.dataset["delivery"].attrs["comment"] = "Сув тақсимоти…"
    path = res.to_netcdf(tmp_path / "r.nc")
    back = xr.open_dataset(path)
    assert back.attrs["model_file"] == str(model.resolve()) and back["delivery"].attrs["comment"] == "Сув тақсимоти…"
    types = _text_attribute_types(path)
    if types is None:
        pytest.skip("no netCDF library of the netCDF4 wheel to ask the attributes' types")
    assert types[("", "model_file")] == "char" and types[("delivery", "comment")] == "char"
    assert "string" not in types.values(), [k for k, v in types.items() if v == "string"]


@pytest.mark.parametrize(("description", "long_name"), [
    ("Water delivered", "Water delivered"),
    ("Latitude: approximate map position from the model file, used by no computation (a map's), in degrees north",
     "Latitude"),
    ("Level of water stress (SDG 6.4.2's ratio) of each river system in each run year: withdrawal / (renewable water "
     "- environmental flow requirement)", "Level of water stress of each river system in each run year"),
    ("Inflow minus (storage change + evaporation + losses + consumption + unrouted returns + sink receipts + water "
     "entering minus leaving delays)",
     "Inflow minus (storage change + evaporation + losses + consumption + unrouted..."),
])
def test_a_long_name_is_the_description_up_to_80_characters_or_its_first_clause(description, long_name):
    """An interoperability review: long_name was the whole description, up to 558 characters, which plots and
    layers take as their title (an axis label of 19 lines)."""
    assert short_name(description) == long_name and len(long_name) <= LONG_NAME_MAX
