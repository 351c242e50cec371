"""Parameters evaluated by hand: the state-dependent ones at a given start-of-step state, and the checks of a
parameter against the scenario dimensions it names."""

from __future__ import annotations

import re
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import daryo
from daryo.errors import ModelError
from daryo.parameters import (
    ConstantScenario,
    ControlCurveIndex,
    InterpolatedVolume,
    ScenarioDim,
    check_parameters,
)
from daryo.parameters.base import ParameterValueError


def env(volume: list[float], proportion: list[float] | None = None) -> SimpleNamespace:
    """The start-of-step state of one reservoir ``dam`` in ``len(volume)`` scenarios."""
    v = np.array(volume, dtype=float)[:, None]
    pc = v / 100.0 if proportion is None else np.array(proportion, dtype=float)[:, None]
    return SimpleNamespace(t=0, volume=v, proportion=pc, res_index={"dam": 0})


def table(outside: str, fill: tuple[float, ...] = ()) -> InterpolatedVolume:
    """Volumes 0, 10, 20 hm³ with values 0, 1, 5: slopes 0.1 then 0.4 per hm³."""
    return InterpolatedVolume("t", "parameters[t]", reservoir="dam", volumes=(0.0, 10.0, 20.0),
                              values=(0.0, 1.0, 5.0), outside=outside, fill=fill)


def test_interpolated_volume_at_the_table_s_ends_is_inside_the_table():
    """A volume equal to the first or last volume of the table is in it (no error): 0 and 5."""
    np.testing.assert_allclose(table("error").step(env([0.0, 20.0, 15.0]), []), [0.0, 5.0, 3.0])


def test_interpolated_volume_extrapolates_each_end_with_its_own_segment():
    """Below 0: the first segment's slope 0.1 (−5 → −0.5); above 20: the last one's, 0.4 (25 → 7)."""
    np.testing.assert_allclose(table("extrapolate").step(env([-5.0, 25.0, 5.0]), []), [-0.5, 7.0, 0.5])


def test_interpolated_volume_fills_outside_the_table():
    np.testing.assert_allclose(table("fill", (-1.0, 9.0)).step(env([-5.0, 25.0, 20.0]), []), [-1.0, 9.0, 5.0])


def test_interpolated_volume_outside_the_table_is_an_error_by_default():
    """The error names the scenario, to which the evaluation adds the file, the place and the step's date."""
    with pytest.raises(ParameterValueError, match=r"volume of 'dam' \(25\) is outside the table \(0 to 20\)") as info:
        table("error").step(env([5.0, 25.0]), [])
    assert info.value.scenario == 1


def test_a_volume_a_hair_beyond_an_end_of_the_table_is_at_that_end():
    """A reservoir filled to a table's last volume can end a step 1e-16 above it (0.1 + 0.1 + 0.1), or 1e-9 (the
    LP's tolerance): it is at the end, as Pywr snaps volumes to bounds within 1e-6, not outside the table, which
    stopped a run Pywr finishes (a differential fuzz against Pywr)."""
    near = [20.0 + 1e-7, -1e-7, 0.1 + 0.1 + 0.1]
    np.testing.assert_allclose(table("error").step(env(near), []), [5.0, 0.0, 0.03])
    np.testing.assert_allclose(table("fill", (-1.0, 9.0)).step(env(near), []), [5.0, 0.0, 0.03])
    with pytest.raises(ParameterValueError, match=r"\(20\.00001\) is outside the table"):
        table("error").step(env([20.00001]), [])


def test_a_reservoir_without_capacity_reads_as_full_on_control_curves():
    """Proportion NaN (0 / 0: a zero maximum volume) counts as 100 % full, as in Pywr: at or above both curves
    (index 0); proportions outside 0–1 are clipped (1.2 → 0, −0.1 → 2)."""
    p = ControlCurveIndex("i", "parameters[i]", reservoir="dam", control_curves=("hi", "lo"))
    state = env([0.0, 0.0, 0.0, 0.0], proportion=[np.nan, 1.2, -0.1, 0.5])
    np.testing.assert_array_equal(p.step(state, [np.array([0.8]), np.array([0.3])]), [0.0, 0.0, 2.0, 1.0])


def test_constantscenario_needs_one_value_per_member():
    dims = [ScenarioDim("wet", 3)]
    two = ConstantScenario("q", "parameters[q]", scenario="wet", values=(10.0, 20.0))
    (problem,) = check_parameters({"q": two}, set(), set(), dims, "m.yaml")
    assert problem.place == "parameters[q]"
    assert problem.message == "has 2 values but scenario 'wet' has 3 members"
    three = ConstantScenario("q", "parameters[q]", scenario="wet", values=(10.0, 20.0, 30.0))
    assert check_parameters({"q": three}, set(), set(), dims, "m.yaml") == []


def test_the_proportion_full_is_over_the_max_volume_not_its_flood_control_limit():
    """A reservoir of 100 hm³ held below 80 by flood control, starting at 70 and losing 1 % a step to a demand of
    its own proportion full: 0.70, 0.693, 0.686 (over 100).  From the second step it was read over 80 (0.866,
    0.855), which moved control curves' bands in flood-control months."""
    import daryo
    from daryo.model import model_from_dict

    doc = {"version": 1, "name": "t", "time": {"start": "2001-01", "end": "2001-03", "step": "month"},
           "allocation": "cost", "parameters": {"pc": {"type": "storage", "reservoir": "dam", "proportional": True}},
           "nodes": [{"id": "dam", "type": "reservoir", "max_volume": 100, "flood_control_max": [80] * 12,
                      "initial_volume": 70},
                     {"id": "d", "type": "demand", "demand": {"parameter": "pc"}, "cost": -5},
                     {"id": "sea", "type": "sink"}],
           "edges": [["dam", "d"], ["dam", "sea"]]}
    ds = daryo.run(model_from_dict(doc)).dataset
    np.testing.assert_allclose(ds["demanded"].values.ravel(), [0.7, 0.693, 0.68607], rtol=1e-12)
    # a max_volume that changes by month: a step's start volume is over the step before's (100 in January, then
    # 200): 69.3 of 100 at the start of February, 68.607 of 200 at the start of March
    doc["nodes"][0] = {"id": "dam", "type": "reservoir", "max_volume": [100] + [200] * 11, "initial_volume": 70}
    ds = daryo.run(model_from_dict(doc)).dataset
    np.testing.assert_allclose(ds["demanded"].values.ravel(), [0.7, 0.693, 0.343035], rtol=1e-12)


def _indexed_model(curves: list[float], choices: list[float]) -> dict:
    """A reservoir of 400 hm³ starting at 10 (2.5 % full, below every curve) and a demand given by an
    ``indexedarray`` over ``choices`` indexed by the reservoir's control-curve position."""
    return {"version": 1, "name": "t", "time": {"start": "2001-01", "end": "2001-03", "step": "month"},
            "parameters": {"i": {"type": "controlcurveindex", "reservoir": "dam", "control_curves": curves},
                           "p": {"type": "indexedarray", "index_parameter": "i", "parameters": choices}},
            "nodes": [{"id": "a", "type": "inflow", "inflow": 1},
                      {"id": "dam", "type": "reservoir", "max_volume": 400, "initial_volume": 10},
                      {"id": "town", "type": "demand", "demand": {"parameter": "p"}}],
            "edges": [["a", "dam"], ["dam", "town"]]}


def test_an_indexedarray_index_that_is_no_whole_number_is_an_error_naming_it():
    """A constant 1.9 as the index took parameter 1 without a word (CLI fuzz)."""
    import daryo
    from daryo.model import model_from_dict

    doc = _indexed_model([0.5, 0.2], [7, 8, 9])
    doc["parameters"]["i"] = {"type": "constant", "value": 1.9}
    with pytest.raises(ModelError, match=r"parameters\[p\]: .*its index parameter 'i' gave 1.9, which is not a whole "
                       r"number"):
        daryo.run(model_from_dict(doc))
    doc["parameters"]["i"] = {"type": "constant", "value": 2.0}  # (a whole number written as a float)
    ds = daryo.run(model_from_dict(doc)).dataset
    assert float(ds.demanded.isel(scenario=0, time=0).sel(demand="town")) == pytest.approx(9.0)


def test_a_parameter_that_overflows_is_its_problem_without_numpys_warning():
    """An aggregated sum of two 1e308 constants printed NumPy's RuntimeWarning (its file and line) before the
    problem (CLI fuzz)."""
    import daryo
    from daryo.model import model_from_dict

    doc = _indexed_model([0.5, 0.2], [7])
    doc["parameters"] = {"big": {"type": "constant", "value": 1e308},
                         "p": {"type": "aggregated", "agg_func": "sum", "parameters": ["big", "big"]}}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ModelError, match=r"parameters\[p\]: evaluates to inf"):
            daryo.run(model_from_dict(doc))
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)], [str(w.message) for w in caught]


def test_an_indexedarray_index_beyond_its_parameters_is_an_error_naming_it():
    """Below both curves the index is 2: with one parameter in the list it took the last one (7) silently; Pywr
    raises an IndexError.  With three, it takes the third (9)."""
    import daryo
    from daryo.model import model_from_dict

    with pytest.raises(ModelError, match=r"parameters\[p\]: at the step starting 2001-01-01 \(scenario 0\): its "
                       r"index parameter 'i' gave 2, beyond its 1 parameter\(s\) \(indices 0 to 0\); give one "
                       r"parameter per index it can take"):
        daryo.run(model_from_dict(_indexed_model([0.5, 0.2], [7])))
    # inside another parameter (a threshold on it: NaN compared false both ways, and the first value was used)
    doc = _indexed_model([0.5, 0.2], [7])
    doc["parameters"]["q"] = {"type": "parameterthreshold", "parameter": "p", "threshold": 3, "values": [1, 2]}
    doc["nodes"][2]["demand"] = {"parameter": "q"}
    with pytest.raises(ModelError, match=r"parameters\[p\]: at the step .*: its index parameter 'i' gave 2"):
        daryo.run(model_from_dict(doc))
    ds = daryo.run(model_from_dict(_indexed_model([0.5, 0.2], [7, 8, 9]))).dataset
    assert float(ds.demanded.isel(scenario=0, time=0).sel(demand="town")) == pytest.approx(9.0)


_SHARE = """version: 1
name: chu
time: {{start: 2000-10, end: 2002-09}}
parameters:
{parameters}
nodes:
  - {{id: chu, type: inflow, inflow: {inflow}}}
  - {{id: trib, type: inflow, {trib}}}
  - {{id: j, type: junction}}
  - {{id: farm, type: demand, demand: 60, priority: 2}}
  - {{id: border, type: junction}}
  - {{id: kaz, type: sink}}
  - {{id: share, type: flow_requirement, at: border, flow: {{parameter: river, scale: 0.42}}, priority: 1,
     purpose: obligation}}
edges: [[chu, j], [trib, j], [j, farm], [j, border], [border, kaz]]
"""


_RISING = "{values: [" + ", ".join(str(50 + 5 * i) for i in range(24)) + "]}"  # (hm³ a month: 50, 55, ...)


def _share_model(tmp_path, inflow=_RISING,
                 parameters="  river: {type: aggregated, agg_func: sum, parameters: [{type: inflow, node: chu}, "
                            "{type: inflow, node: trib}]}", overlay=None, trib="inflow: 10"):
    path = tmp_path / "chu.yaml"
    path.write_text(_SHARE.format(inflow=inflow, parameters=parameters, trib=trib))
    if overlay is not None:
        (tmp_path / "o.yaml").write_text(overlay)
    return daryo.load(path, scenarios=() if overlay is None else [str(tmp_path / "o.yaml")])


def test_an_inflow_parameter_follows_the_inflow_under_overlays_and_in_an_ensemble(tmp_path):
    """A WEAP user's review: a share owed at the border, 42 % of the river's flow, read the inflow's CSV in a
    parameter of its own, which kept the record's values under a drought overlay (a requirement of 42 % of the
    undrought flow, above the whole drought inflow) and in an ensemble's traces (0.26 to 0.58 of the inflow).  The
    ``inflow`` parameter reads the node's inflow as the run has it."""
    from daryo.ensemble import EnsembleOptions, run_ensemble

    flow = 50 + 5 * np.arange(24) + 10.0
    ds = daryo.run(_share_model(tmp_path)).dataset
    np.testing.assert_allclose(ds["required"].sel(requirement="share").values.ravel(), 0.42 * flow, rtol=1e-12)
    dry = daryo.run(_share_model(tmp_path, overlay="changes:\n  - scale_inflows: {factor: 0.3}\n")).dataset
    np.testing.assert_allclose(dry["required"].sel(requirement="share").values.ravel(), 0.42 * 0.3 * flow, rtol=1e-12)
    run_ensemble(_share_model(tmp_path), EnsembleOptions(traces=3, years=2, seed=4, series=("required",)),
                 tmp_path / "e.nc")
    with xr.open_dataset(tmp_path / "e.nc") as ens:
        inflow = ens["annual_inflow"].sum("inflow").values
        required = ens["annual_required"].sel(requirement="share").values
        assert not np.allclose(inflow, inflow[0, 0])  # (the traces differ from each other and from the record)
        np.testing.assert_allclose(required, 0.42 * inflow, rtol=1e-9)


@pytest.mark.parametrize(("parameters", "inflow", "said"), [
    ("  river: {type: inflow, node: chuu}", "50", "parameters[river].node: names 'chuu', which is not a node (did you "
     "mean 'chu'?)"),
    ("  river: {type: inflow, node: j}", "50", "parameters[river].node: names 'j', which is not an inflow node"),
    ("  river: {type: inflow, node: trib}", "50", "parameters[river].node: 'trib' has no inflow series (it supplies "
     "what the allocation takes, between its min_flow and max_flow), so there is no inflow to read"),
    ("  river: {type: inflow, node: chu}", "{parameter: river}",
     "parameters[river]: parameters depend on each other in a cycle: river -> river (through the inflow of 'chu')"),
    ("  river: {type: inflow, node: chu}\n  other: {type: inflow, node: trib}", "{parameter: other}",
     "parameters[river]: parameters depend on each other in a cycle: river -> other -> river (through the inflow of "
     "'chu', 'trib')"),  # (a diff review: two inflow parameters that read each other's node: a KeyError)
])
def test_an_inflow_parameter_names_an_inflow_node_with_a_series(tmp_path, parameters, inflow, said):
    trib = "inflow: {parameter: river}" if "other" in parameters else "max_flow: 3"
    with pytest.raises(ModelError, match=re.escape(said)):
        _share_model(tmp_path, inflow=inflow, parameters=parameters, trib=trib)


def test_an_inflow_parameter_reads_an_inflow_a_rule_of_the_reservoir_state_gives(tmp_path):
    """A diff review: an inflow set by a control curve made the inflow parameter state-dependent, which could not
    be evaluated at a step (NotImplementedError after a valid daryo validate).  The dam is above its curve for the
    first steps (an inflow of 100), then below it (50); the share is 40 % of it, step by step."""
    path = tmp_path / "rule.yaml"
    path.write_text("version: 1\nname: t\ntime: {start: 2000-01, end: 2000-12}\nparameters:\n"
                    "  rule: {type: controlcurve, reservoir: res, control_curves: [0.5], values: [100, 50]}\n"
                    "  river: {type: inflow, node: src}\nnodes:\n"
                    "  - {id: src, type: inflow, inflow: {parameter: rule}}\n"
                    "  - {id: res, type: reservoir, max_volume: 1000, initial_volume: 600}\n"
                    "  - {id: j, type: junction}\n  - {id: town, type: demand, demand: 190}\n"
                    "  - {id: share, type: flow_requirement, at: j, flow: {parameter: river, scale: 0.4}}\n"
                    "  - {id: sea, type: sink}\nedges: [[src, res], [res, j], [j, town], [j, sea]]\n")
    ds = daryo.run(daryo.load(path)).dataset
    inflow = ds["node_flow"].sel(node="src").values.ravel()
    assert set(inflow) == {100.0, 50.0}
    np.testing.assert_allclose(ds["required"].values.ravel(), 0.4 * inflow, rtol=1e-12)


def test_a_number_of_twenty_digits_in_a_parameter_is_taken(tmp_path):
    """A QA review: 1e20 written out in full (a "no bound" value from a spreadsheet) as a constant's value, or in a
    monthly profile, raised NumPy's TypeError as a traceback; Python's float takes it."""
    big = 10**20
    path = tmp_path / "big.yaml"
    path.write_text(f"version: 1\nname: big\ntime: {{start: 2000-01, end: 2000-12}}\nparameters:\n"
                    f"  cap: {{type: constant, value: {big}}}\n"
                    f"  wanted: {{type: monthlyprofile, values: [{', '.join(['5'] * 11)}, {big}]}}\n"
                    "nodes:\n  - {id: src, type: inflow, inflow: 10}\n  - {id: town, type: demand, demand: "
                    "{parameter: wanted}}\n  - {id: sea, type: sink, max_flow: {parameter: cap}}\n"
                    "edges: [[src, town], [src, sea]]\n")
    model = daryo.load(path)
    assert model.parameters["cap"].value == 1e20 and model.parameters["wanted"].values[-1] == 1e20
    np.testing.assert_allclose(daryo.run(model).dataset["delivery"].values.ravel(), [5.0] * 11 + [10.0], rtol=1e-9)


def test_an_attribute_reading_an_inflows_csv_data_is_a_caution(tmp_path):
    """A WEAP user's review, and its verifier: a share at the border written as 0.42 of a parameter that reads the
    inflow's CSV column kept the record's values under a drought overlay and in an ensemble's traces, with no word.
    daryo validate, run and ensemble say so (a caution: the model is valid), with the inflow parameter to use; the
    model written with it has none."""
    from daryo.model.cautions import cautions

    steps = pd.date_range("2000-10-01", periods=24, freq="MS")
    pd.DataFrame({"date": steps.strftime("%Y-%m-%d"), "chu": 50 + 5 * np.arange(24)}).to_csv(tmp_path / "q.csv",
                                                                                               index=False)
    parameters = ("  q_chu: {type: dataframe, csv: q.csv, column: chu}\n"
                  "  river: {type: aggregated, agg_func: sum, parameters: [q_chu, {type: inflow, node: trib}]}")
    model = _share_model(tmp_path, inflow="{parameter: q_chu}", parameters=parameters)
    (note,) = cautions(model)
    assert note.endswith("nodes[share].flow (line 14): reads parameter 'river', which reads the data of inflow "
                         "'chu': an overlay that changes the inflow, or an ensemble's traces, leave it as it is; to "
                         "follow the inflow as the run has it, read it with {type: inflow, node: chu}")
    # a sum of two inflows' data names both (a diff review: only the first, which was wrong advice for a sum)
    both = ("  q_chu: {type: dataframe, csv: q.csv, column: chu}\n  q_trib: {type: dataframe, csv: q.csv, column: trib}"
            "\n  river: {type: aggregated, agg_func: sum, parameters: [q_chu, q_trib]}")
    pd.read_csv(tmp_path / "q.csv").assign(trib=10.0).to_csv(tmp_path / "q.csv", index=False)
    (note,) = cautions(_share_model(tmp_path, inflow="{parameter: q_chu}", parameters=both,
                                    trib="inflow: {parameter: q_trib}"))
    assert ("reads parameter 'river', which reads the data of inflows 'chu', 'trib': an overlay that changes them, "
            "or an ensemble's traces, leave it as it is; to follow each inflow as the run has it, read it with "
            "{type: inflow, node: chu} (one such parameter for each)") in note
    fixed = parameters.replace("parameters: [q_chu,", "parameters: [{type: inflow, node: chu},")
    assert cautions(_share_model(tmp_path, inflow="{parameter: q_chu}", parameters=fixed)) == []


def test_a_chain_of_a_thousand_parameters_is_ordered_without_pythons_recursion(tmp_path):
    """A diff review: the parameters were ordered by recursion, so a chain of 1,000 (each the sum of the one before,
    the first a CSV column an inflow reads too) passed Python's limit; the caution on the inflow's data at 500."""
    from daryo.model.cautions import cautions

    steps = pd.date_range("2000-10-01", periods=24, freq="MS")
    pd.DataFrame({"date": steps.strftime("%Y-%m-%d"), "chu": 50 + 5 * np.arange(24)}).to_csv(tmp_path / "q.csv",
                                                                                               index=False)
    chain = ["  p0: {type: dataframe, csv: q.csv, column: chu}"] + [
        f"  p{i}: {{type: aggregated, agg_func: sum, parameters: [p{i - 1}]}}" for i in range(1, 1200)]
    model = _share_model(tmp_path, inflow="{parameter: p0}", parameters="\n".join(reversed(chain)).replace(
        "  p1199:", "  river:"))  # (the last first: an order by recursion goes down the whole chain)
    (note,) = cautions(model)
    assert "reads parameter 'river', which reads the data of inflow 'chu'" in note
    np.testing.assert_allclose(daryo.run(model).dataset["required"].values.ravel(),
                               0.42 * (50 + 5 * np.arange(24)), rtol=1e-12)


def _demanded(params: dict, initial_volume: float = 90.0, end: str = "2001-01") -> dict[str, np.ndarray]:
    """What each parameter of ``params`` gives, as the demand it sets (hm³ a month, all delivered), in each step
    from January 2001 to ``end``::

        in (1000) --> dam (100 hm³, starting at ``initial_volume``) --> one demand per parameter
                                                                    --> sea
    """
    from daryo.model import model_from_dict

    nodes = [{"id": "in", "type": "inflow", "inflow": 1000},
             {"id": "dam", "type": "reservoir", "max_volume": 100, "initial_volume": initial_volume},
             {"id": "sea", "type": "sink"}]
    nodes += [{"id": k, "type": "demand", "demand": {"parameter": k}, "priority": 1} for k in params]
    doc = {"version": 1, "name": "t", "time": {"start": "2001-01", "end": end}, "parameters": params,
           "nodes": nodes, "edges": [["in", "dam"], ["dam", "sea"]] + [["dam", k] for k in params]}
    ds = daryo.run(model_from_dict(doc)).dataset
    return {k: ds["demanded"].sel(demand=k).isel(scenario=0).values for k in params}


def test_a_monthly_profile_interpolated_between_months_last_days_starts_january_from_december():
    """A mutation-testing review: with ``interp_day: last`` the values 1…12 sit on the last day of each month, and
    December's (12) on 31 December of the year before (day 0), as in Pywr; a monthly step takes its first day's
    value.  1 January: 12 + (1 − 12) × 1/31 = 11.6452; 1 February (day 32, between day 31 at 1 and day 59 at 2):
    1 + 1/28 = 1.0357; 1 December (day 335, between day 334 at 11 and day 365 at 12): 11 + 1/31 = 11.0323.
    January's value taken for the wrap-around gave 1 in January."""
    got = _demanded({"p": {"type": "monthlyprofile", "values": list(range(1, 13)), "interp_day": "last"}},
                            end="2001-12")["p"]
    np.testing.assert_allclose(got[[0, 1, 11]], [12 - 11 / 31, 1 + 1 / 28, 11 + 1 / 31], rtol=1e-12)


def test_an_aggregated_mean_is_the_mean_not_the_median():
    """A mutation-testing review: the mean of 1, 2 and 6 is 9 / 3 = 3 (their median, 2, passed every test)."""
    got = _demanded({"p": {"type": "aggregated", "agg_func": "mean", "parameters": [1.0, 2.0, 6.0]}})["p"]
    np.testing.assert_allclose(got, [3.0], rtol=1e-12)


def test_an_offset_parameter_adds_its_offset():
    """A mutation-testing review: 3 + 0.5 = 3.5 (3 − 0.5 = 2.5 passed every test)."""
    got = _demanded({"p": {"type": "offset", "parameter": 3.0, "offset": 0.5}})["p"]
    np.testing.assert_allclose(got, [3.5], rtol=1e-12)


def test_controlcurveinterpolated_weighs_the_values_by_the_distance_from_each_curve():
    """A mutation-testing review: values 10 at 100 %, 6 at the curve (50 %) and 0 at 0 %.  At 90 % full the
    reservoir is 0.4 / 0.5 = 0.8 of the way from the curve to the top: 10 × 0.8 + 6 × 0.2 = 9.2; at 10 % full, 0.2
    of the way from empty to the curve: 6 × 0.2 + 0 × 0.8 = 1.2.  The weights swapped gave 6.8 and 4.8."""
    p = {"p": {"type": "controlcurveinterpolated", "reservoir": "dam", "control_curves": [0.5],
               "values": [10.0, 6.0, 0.0]}}
    np.testing.assert_allclose(_demanded(p, initial_volume=90.0)["p"], [9.2], rtol=1e-12)
    np.testing.assert_allclose(_demanded(p, initial_volume=10.0)["p"], [1.2], rtol=1e-12)


def test_a_storage_threshold_at_its_threshold_holds_for_le_ge_and_eq_only():
    """A mutation-testing review: a volume equal to the threshold (90 hm³ at the start of January) is ≤, ≥ and = 90
    (values[1], 2) but neither < nor > it (values[0], 1).  LE read as < passed every test."""
    params = {p: {"type": "storagethreshold", "reservoir": "dam", "threshold": 90.0, "predicate": p.upper(),
                  "values": [1.0, 2.0]} for p in ("le", "ge", "eq", "lt", "gt")}
    got = _demanded(params)
    assert {k: float(v[0]) for k, v in got.items()} == {"le": 2.0, "ge": 2.0, "eq": 2.0, "lt": 1.0, "gt": 1.0}


def _inflow_share(inflow_parameter: str) -> xr.Dataset:
    """January–March 2001; the inflow of ``chu`` in m³/s is the parameter ``inflow_parameter``: ``q`` (10) or
    ``rule`` (a monthly profile 10, 20, 30… while ``res`` is at or above half full, which it stays); a share of
    half of that inflow is owed at ``j``::

        chu --> res (1000 hm³, starting at 900) --> j (share: 0.5 × inflow of chu) --> sea
    """
    from daryo.model import model_from_dict

    profile = {"type": "monthlyprofile", "values": [10.0 * m for m in range(1, 13)]}
    doc = {"version": 1, "name": "t", "time": {"start": "2001-01", "end": "2001-03"},
           "parameters": {"q": {"type": "constant", "value": 10.0},
                          "rule": {"type": "controlcurve", "reservoir": "res", "control_curves": [0.5],
                                   "values": [profile, 5.0]},
                          "river": {"type": "inflow", "node": "chu"}},
           "nodes": [{"id": "chu", "type": "inflow", "inflow": {"parameter": inflow_parameter, "unit": "m3/s"}},
                     {"id": "res", "type": "reservoir", "max_volume": 1000, "initial_volume": 900},
                     {"id": "j", "type": "junction"},
                     {"id": "share", "type": "flow_requirement", "at": "j", "flow": {"parameter": "river",
                                                                                    "scale": 0.5}},
                     {"id": "sea", "type": "sink"}],
           "edges": [["chu", "res"], ["res", "j"], ["j", "sea"]]}
    return daryo.run(model_from_dict(doc)).dataset


def test_an_inflow_parameter_of_an_inflow_in_m3_per_s_is_in_hm3_per_step():
    """A mutation-testing review: 10 m³/s is 10 × 0.0864 = 0.864 hm³ a day, 26.784 hm³ in January (31 days), 24.192
    in February (28), 26.784 in March; the share, half of it: 13.392, 12.096, 13.392.  The inflow parameter without
    the steps' days read 0.864 (a share of 0.432) every month."""
    ds = _inflow_share("q")
    inflow = 10.0 * 0.0864 * np.array([31, 28, 31])
    np.testing.assert_allclose(ds["node_flow"].sel(node="chu").values.ravel(), inflow, rtol=1e-12)
    np.testing.assert_allclose(ds["required"].sel(requirement="share").values.ravel(), 0.5 * inflow, rtol=1e-12)


def test_an_inflow_a_rule_sets_in_m3_per_s_takes_each_step_s_value_and_days():
    """A mutation-testing review: the rule (state-dependent) gives the monthly profile's value of the step, 10, 20,
    30 m³/s: 10 × 0.0864 × 31 = 26.784, 20 × 0.0864 × 28 = 48.384 and 30 × 0.0864 × 31 = 80.352 hm³; the share
    owed, half of it: 13.392, 24.192, 40.176.  The rule's profile read at the step before gave February 24.192 (a
    share of 12.096); the inflow parameter with January's 31 days every step owed 26.784 in February."""
    ds = _inflow_share("rule")
    inflow = 0.0864 * np.array([10.0 * 31, 20.0 * 28, 30.0 * 31])
    np.testing.assert_allclose(ds["node_flow"].sel(node="chu").values.ravel(), inflow, rtol=1e-12)
    np.testing.assert_allclose(ds["required"].sel(requirement="share").values.ravel(), 0.5 * inflow, rtol=1e-12)
