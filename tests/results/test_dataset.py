"""The results Dataset's constraint variables (:mod:`daryo.results.dataset`): each constraint's value, bounds and
whether it binds, in every scenario and step."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import daryo
from daryo import RunOptions
from daryo.cf import daryo_units
from daryo.model import model_from_dict
from daryo.testmodels import quota_and_outflow, shared_shortage

_CONSTRAINT_VARIABLES = {"constraint_value", "constraint_min", "constraint_max", "constraint_binds"}


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_a_quota_binds_in_the_steps_worked_by_hand_and_not_in_the_others(method):
    """A treaty reviewer's finding: a binding quota (a flow_sum's max_flow on a country's intakes) read in the
    results only as a shortage at the demands.  :func:`daryo.testmodels.quota_and_outflow`::

        [in: 100, 60, 40, 150] --> (j) --> [farmA: demand 40] \\ quota: farmA + farmB <= 50 (80 in April)
                                    | \\--> [farmB: demand 30] /
                                    \\----> [sea]               outflow: sea >= 20

    The farms get 50, 40, 20 and 70, the sea 50, 20, 20 and 80: the quota binds in January alone (at its
    max_flow), the outflow in February and March (at its min_flow), neither in April.  Both paths record the bounds
    of the step (April's quota of 80; NaN where the constraint has none)."""
    ds = daryo.run(quota_and_outflow(), RunOptions(method=method)).dataset
    assert ds.attrs["solver_method"] == method
    assert list(ds["constraint"].values) == ["quota", "outflow"]
    assert list(ds["constraint_type"].values) == ["flow_sum", "flow_sum"]
    assert list(ds["constraint_nodes"].values) == ["farmA, farmB", "sea"]
    one = ds.isel(scenario=0)
    np.testing.assert_allclose(one["constraint_value"].values, [[50, 50], [40, 20], [20, 20], [70, 80]], atol=1e-9)
    np.testing.assert_array_equal(one["constraint_max"].values,
                                  [[50, np.nan], [50, np.nan], [50, np.nan], [80, np.nan]])
    np.testing.assert_array_equal(one["constraint_min"].values,
                                  [[np.nan, 20], [np.nan, 20], [np.nan, 20], [np.nan, 20]])
    assert one["constraint_binds"].dtype == bool
    np.testing.assert_array_equal(one["constraint_binds"].values,
                                  [[True, False], [False, True], [False, True], [False, False]])
    # the value is the weighted sum of the nodes' flows, as node_flow has them
    np.testing.assert_allclose(one["constraint_value"].sel(constraint="quota").values,
                               one["node_flow"].sel(node=["farmA", "farmB"]).sum("node").values, atol=1e-12)
    for name in _CONSTRAINT_VARIABLES:
        assert ds[name].dims == ("scenario", "time", "constraint")
        assert ds[name].attrs["units"] == ("1" if name == "constraint_binds" else "hm3 per step")
        assert ds[name].attrs["description"]


def test_a_flow_sums_weights_and_bounds_of_a_parameter_are_its_value_and_the_steps_bounds():
    """A weighted flow_sum (an intake counted at 1/0.8 of its delivery) whose bounds are a monthly profile
    parameter in hm³/day, scaled to each step's days, and a second that only has a minimum::

        [in: 100] --> (j) --> [farm: demand 60]
                       \\----> [sea]

        licence: 1.25 farm <= 1 hm3/day x days (31 in January, 28 in February)
        floor:   sea >= 30 (January), 80 (February)

    January: the licence allows the farm 31 / 1.25 = 24.8 (binds; the sea gets 75.2, above its floor of 30);
    February: the floor takes 80 (binds at its min_flow), leaving the farm 20, less than the 28 / 1.25 = 22.4 the
    licence allows (1.25 x 20 = 25 of 28: it does not bind)."""
    doc = {"version": 1, "name": "weighted", "time": {"start": "2001-01", "end": "2001-02", "step": "month"},
           "parameters": {"per_day": {"type": "monthlyprofile", "values": [1.0] * 12},
                          "floor": {"type": "monthlyprofile", "values": [30.0, 80.0] + [0.0] * 10}},
           "nodes": [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "j", "type": "junction"},
                     {"id": "farm", "type": "demand", "demand": 60, "priority": 1}, {"id": "sea", "type": "sink"}],
           "edges": [["in", "j"], ["j", "farm"], ["j", "sea"]],
           "constraints": [{"id": "licence", "type": "flow_sum", "nodes": {"farm": 1.25},
                            "max_flow": {"parameter": "per_day", "unit": "hm3/day"}},
                           {"id": "floor", "type": "flow_sum", "nodes": ["sea"], "min_flow": {"parameter": "floor"}}]}
    ds = daryo.run(model_from_dict(doc)).dataset.isel(scenario=0)
    assert list(ds["constraint_nodes"].values) == ["1.25*farm", "sea"]
    np.testing.assert_allclose(ds["delivery"].sel(demand="farm").values, [24.8, 20], atol=1e-9)
    np.testing.assert_allclose(ds["constraint_value"].values, [[31, 75.2], [25, 80]], atol=1e-9)
    np.testing.assert_allclose(ds["constraint_max"].sel(constraint="licence").values, [31, 28])
    np.testing.assert_allclose(ds["constraint_min"].sel(constraint="floor").values, [30, 80])
    np.testing.assert_array_equal(ds["constraint_binds"].values, [[True, False], [False, True]])


def test_a_bound_that_a_parameter_of_the_state_sets_is_the_one_the_step_had():
    """flow_sum bounds set each step from the reservoir's state (control curves) are recorded as the step used
    them, the lower as the upper::

        [in: 0] --> (dam: 100 of 100) --> [town: demand 50]
                                     \\--> [sea]

        cap:   town <= 40 above the 50 % curve, 10 below it
        floor: sea >= 5 above it, 0 below it

    The dam starts full and keeps what is not asked of it: the town gets 40 and the sea 5 (100 → 55: both bind),
    again (55 → 10), then, below the curve, 10 and nothing (both bind again, at 10 and at 0)."""
    doc = {"version": 1, "name": "curve", "time": {"start": "2001-01", "end": "2001-03", "step": "month"},
           "parameters": {"cap": {"type": "controlcurve", "reservoir": "dam", "control_curves": [0.5],
                                  "values": [40.0, 10.0]},
                          "least": {"type": "controlcurve", "reservoir": "dam", "control_curves": [0.5],
                                    "values": [5.0, 0.0]}},
           "nodes": [{"id": "in", "type": "inflow", "inflow": 0},
                     {"id": "dam", "type": "reservoir", "max_volume": 100, "initial_volume": 100},
                     {"id": "town", "type": "demand", "demand": 50, "priority": 1}, {"id": "sea", "type": "sink"}],
           "edges": [["in", "dam"], ["dam", "town"], ["dam", "sea"]],
           "constraints": [{"id": "cap", "type": "flow_sum", "nodes": ["town"], "max_flow": {"parameter": "cap"}},
                           {"id": "floor", "type": "flow_sum", "nodes": ["sea"], "min_flow": {"parameter": "least"}}]}
    ds = daryo.run(model_from_dict(doc)).dataset.isel(scenario=0)
    np.testing.assert_allclose(ds["delivery"].sel(demand="town").values, [40, 40, 10], atol=1e-9)
    np.testing.assert_allclose(ds["sink_inflow"].sel(sink="sea").values, [5, 5, 0], atol=1e-9)
    np.testing.assert_allclose(ds["constraint_max"].sel(constraint="cap").values, [40, 40, 10])
    np.testing.assert_allclose(ds["constraint_min"].sel(constraint="floor").values, [5, 5, 0])
    assert ds["constraint_binds"].values.tolist() == [[True, True]] * 3


def test_a_flow_ratio_reports_the_water_it_splits_and_binds_in_every_step():
    """A flow_ratio is an equality (``f_i v_0 = f_0 v_i``), which holds in every step: its value is the sum of its
    nodes' flows, the water split, it has no bounds (NaN), and it binds in every step, also one without water::

        [in: 40, 0] --> (j) --> [A: demand 40]   split A : B = 1 : 3
                         \\----> [B: demand 40]

    January: A gets 10 and B 30 (40 split 1:3); February: nothing to split."""
    doc = {"version": 1, "name": "split", "time": {"start": "2001-01", "end": "2001-02", "step": "month"},
           "nodes": [{"id": "in", "type": "inflow", "inflow": {"values": [40.0, 0.0]}}, {"id": "j", "type": "junction"},
                     {"id": "A", "type": "demand", "demand": 40, "priority": 1},
                     {"id": "B", "type": "demand", "demand": 40, "priority": 1}],
           "edges": [["in", "j"], ["j", "A"], ["j", "B"]],
           "constraints": [{"id": "split", "type": "flow_ratio", "nodes": ["A", "B"], "factors": [1, 3]}]}
    ds = daryo.run(model_from_dict(doc)).dataset.isel(scenario=0)
    np.testing.assert_allclose(ds["delivery"].values, [[10, 30], [0, 0]], atol=1e-9)
    assert ds["constraint_type"].values.tolist() == ["flow_ratio"]
    assert ds["constraint_nodes"].values.tolist() == ["A, B"]
    np.testing.assert_allclose(ds["constraint_value"].values, [[40], [0]], atol=1e-9)
    assert np.isnan(ds["constraint_min"].values).all() and np.isnan(ds["constraint_max"].values).all()
    assert ds["constraint_binds"].values.tolist() == [[True], [True]]


def test_a_model_without_constraints_has_no_constraint_dimension_or_variables(tmp_path):
    """As for the other kinds of element, the results of a model without constraints have no ``constraint``
    dimension and no constraint variables (none empty), and its CSV folder no constraint files."""
    res = daryo.run(shared_shortage())
    assert "constraint" not in res.dataset.dims and "constraint" not in res.dataset.coords
    assert not _CONSTRAINT_VARIABLES & set(res.dataset.data_vars)
    names = {p.name for p in res.to_csv(tmp_path / "csv")}
    assert not any(n.startswith("constraint") for n in names)


def test_the_constraint_variables_round_trip_through_netcdf_and_csv(tmp_path):
    """Written and read back, the NetCDF file has the same values (``constraint_binds`` a boolean again, the
    absent bounds NaN) and coordinates; the CSV files have a column per constraint, blanks for absent bounds,
    ``True``/``False`` for binding, and elements.csv a row per constraint with its type and nodes."""
    res = daryo.run(quota_and_outflow(), RunOptions(scenarios=1))
    ds = res.dataset
    res.save(netcdf=tmp_path / "r.nc", csv=tmp_path / "csv")
    with xr.open_dataset(tmp_path / "r.nc") as back:
        for name in _CONSTRAINT_VARIABLES:
            np.testing.assert_array_equal(back[name].values, ds[name].values)
            assert daryo_units(back[name].attrs) == ds[name].attrs["units"]
        assert back["constraint_binds"].dtype == bool
        assert back["constraint_type"].values.tolist() == ["flow_sum", "flow_sum"]
        assert back["constraint_nodes"].values.tolist() == ["farmA, farmB", "sea"]
    for name in _CONSTRAINT_VARIABLES:
        table = pd.read_csv(tmp_path / "csv" / f"{name}.csv", parse_dates=["time"]).set_index(["scenario", "time"])
        assert list(table.columns) == ["quota", "outflow"]
        np.testing.assert_array_equal(table.values, ds[name].isel(scenario=0).values)
    text = (tmp_path / "csv" / "constraint_binds.csv").read_text().splitlines()
    assert text[:2] == ["scenario,time,quota,outflow", "0,2001-01-01,True,False"]
    assert (tmp_path / "csv" / "constraint_max.csv").read_text().splitlines()[4] == "0,2001-04-01,80,"
    elements = pd.read_csv(tmp_path / "csv" / "elements.csv", keep_default_na=False, dtype=str)
    rows = elements[elements["dimension"] == "constraint"]
    assert rows[["element", "type", "nodes"]].values.tolist() == [["quota", "flow_sum", "farmA, farmB"],
                                                                  ["outflow", "flow_sum", "sea"]]
    variables = pd.read_csv(tmp_path / "csv" / "variables.csv").set_index("variable")
    assert variables.loc["constraint_value", "columns"] == "constraint"
    assert variables.loc["constraint_binds", "units"] == "1"


def test_a_value_within_the_tolerance_of_its_bound_binds_and_one_beyond_it_does_not():
    """A flow_sum binds where its value is within BINDING_TOLERANCE (1e-6 hm³) of a bound: a delivery the
    allocation held 1e-9 below its demand still binds a quota of that demand, a quota 1e-5 above it does not::

        [in: 100] --> [farm: demand 30]    quota: farm <= 30 (at), <= 30.00001 (above)
               \\---> [sea]"""
    from daryo.results.dataset import BINDING_TOLERANCE

    assert BINDING_TOLERANCE == 1e-6
    binds = []
    for cap in (30.0, 30.0 + 1e-5, 30.0 + 1e-7):
        doc = {"version": 1, "name": "t", "time": {"start": "2001-01", "end": "2001-01", "step": "month"},
               "nodes": [{"id": "in", "type": "inflow", "inflow": 100},
                         {"id": "farm", "type": "demand", "demand": 30, "priority": 1}, {"id": "sea", "type": "sink"}],
               "edges": [["in", "farm"], ["in", "sea"]],
               "constraints": [{"id": "quota", "type": "flow_sum", "nodes": ["farm"], "max_flow": cap}]}
        binds.append(bool(daryo.run(model_from_dict(doc)).dataset["constraint_binds"].item()))
    assert binds == [True, False, True]
