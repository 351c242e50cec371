"""``daryo convert``: a Pywr JSON model written as a daryo YAML file (CSV paths rewritten relative to where it
is written) runs to the same results as the Pywr file itself."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

import daryo
from daryo.cli import main
from daryo.pywr import convert_pywr_document
from daryo.pywr.convert import UNITS_CAVEAT

pytest.importorskip("pywr.model", reason="the conformance cases are Pywr models")

from pywr_harness import pywr_doc, run_pywr, write_model  # noqa: E402
from test_conformance import CASES  # noqa: E402

from daryo.errors import ModelError


@pytest.mark.parametrize("case", ["scenarios_two_dimensions", "controlcurve_parameters_and_index",
                                  "riversplitwithgauge", "delaynode_monthly", "losslink", "aggregatednode"])
def test_converted_file_runs_to_the_same_results(case, tmp_path, capsys):
    doc, files = CASES[case]()
    src = write_model(tmp_path / "pywr", doc, files)
    out = tmp_path / "elsewhere" / "model.yaml"
    out.parent.mkdir()
    assert main(["convert", str(src), "-o", str(out)]) == 0
    assert "converted to" in capsys.readouterr().out
    written = yaml.safe_load(out.read_text())
    assert written["version"] == 1 and written["allocation"] == "cost"
    for p in (written.get("parameters") or {}).values():
        if "csv" in p:
            assert p["csv"].startswith("../pywr/")
    a = daryo.run(daryo.load(src)).dataset
    b = daryo.run(daryo.load(out)).dataset
    for var in ("node_flow", "edge_flow"):
        np.testing.assert_array_equal(a[var].values, b[var].values)
    if "storage" in a:
        np.testing.assert_array_equal(a.storage.values, b.storage.values)


def test_names_that_read_as_numbers_in_exponent_form_are_written_quoted(tmp_path, capsys):
    """A node named "1e3" was written bare, which daryo reads as the number 1000.0 since exponent forms are
    numbers (a review)."""
    doc = pywr_doc([{"name": "1e3", "type": "catchment", "flow": 5.0},
                    {"name": "d", "type": "output", "max_flow": "2e1", "cost": -1.0},
                    {"name": "sea", "type": "output"}],
                   [["1e3", "d"], ["1e3", "sea"]], {"2e1": {"type": "constant", "value": 4.0}})
    src = write_model(tmp_path / "pywr", doc, {})
    out = tmp_path / "model.yaml"
    assert main(["convert", str(src), "-o", str(out)]) == 0, capsys.readouterr().err
    a, b = daryo.run(daryo.load(src)).dataset, daryo.run(daryo.load(out)).dataset
    np.testing.assert_array_equal(a["node_flow"].values, b["node_flow"].values)
    assert "1e3" in b["node_flow"].coords["node"].values


def test_convert_reports_problems_and_writes_nothing(tmp_path, capsys):
    src = tmp_path / "bad.json"
    src.write_text('{"timestepper": {"start": "2001-01-01", "end": "2001-02-01", "timestep": "M"}, '
                   '"nodes": [{"name": "x", "type": "keatingaquifer"}], "edges": []}')
    out = tmp_path / "out.yaml"
    assert main(["convert", str(src), "-o", str(out)]) == 1
    assert "nodes[x]: unsupported node type 'keatingaquifer'" in capsys.readouterr().err
    assert not out.exists()



@pytest.mark.parametrize(("flow", "parameters", "said"), [
    (1e308, {}, "nodes[in].flow: is 1e+308 hm³/day: a number larger than 1e30 is no amount a model means"),
    ("d", {"d": {"type": "division", "numerator": 1.0, "denominator": 0.0}},
     "parameters[d]: evaluates to inf at the step starting 2001-01-01"),
])
def test_convert_checks_the_values_validate_checks_and_keeps_an_earlier_file(tmp_path, capsys, flow, parameters,
                                                                             said):
    """A fuzz of the command line: a catchment flow of 1e308 (no amount a model means) or a division by 0
    converted (exit 0) to a file that ``daryo validate`` then refused, as it refuses the Pywr file: what only the
    run's steps show was not checked before writing."""
    doc = {"timestepper": {"start": "2001-01-01", "end": "2001-02-01", "timestep": 7},
           "nodes": [{"name": "in", "type": "catchment", "flow": flow}, {"name": "sea", "type": "output"}],
           "edges": [["in", "sea"]], "parameters": parameters}
    src = write_model(tmp_path, doc)
    assert main(["validate", str(src)]) == 1
    assert said in capsys.readouterr().err
    fresh, earlier = tmp_path / "fresh.yaml", tmp_path / "earlier.yaml"
    assert main(["convert", str(write_model(tmp_path, {**doc, "nodes": [{**doc["nodes"][0], "flow": 1.0},
                                                                          doc["nodes"][1]]}, name="ok.json")),
                 "-o", str(earlier)]) == 0
    before = earlier.read_text()
    capsys.readouterr()
    for out in (fresh, earlier):
        assert main(["convert", str(src), "-o", str(out)]) == 1
        assert f"{src}: {said}" in capsys.readouterr().err
    assert not fresh.exists() and earlier.read_text() == before

@pytest.mark.parametrize(("timestep", "day"), [("M", "last"), ("1M", "last"), ("D", None), (7, None)])
def test_profiles_take_a_month_s_last_day_with_monthly_steps_only(timestep, day):
    """Pywr reads a daily (or day-interpolated monthly) profile on a step's day of the year, which for a month
    ("M" or "1M") is its last day; for day steps the first."""
    doc = pywr_doc([{"name": "in", "type": "input", "max_flow": "m"}, {"name": "out", "type": "output",
                                                                      "max_flow": "d", "cost": -1.0}],
                   [["in", "out"]], {"m": {"type": "monthlyprofile", "values": [1.0] * 12, "interp_day": "first"},
                                     "d": {"type": "dailyprofile", "values": [2.0] * 366}}, timestep=timestep)
    params = convert_pywr_document(doc)["parameters"]
    assert params["m"].get("day") == day and params["d"].get("day") == day
    assert params["m"]["interp_day"] == "first"


@pytest.mark.parametrize(("timestep", "step"), [(7, {"days": 7}), ("7D", {"days": 7}), ("7d", {"days": 7}),
                                                ("D", {"days": 1}), ("d", {"days": 1}), ("M", "month")])
def test_timesteps_in_days_of_either_case_and_months(timestep, step):
    """Pywr hands its timestep to pandas, which reads "7d" as "7D"."""
    doc = pywr_doc([{"name": "in", "type": "input", "max_flow": 1.0}, {"name": "out", "type": "output"}],
                   [["in", "out"]], timestep=timestep, end="2001-06")
    assert convert_pywr_document(doc)["time"] == {"start": "2001-01-01", "end": "2001-06-01", "step": step}


def test_a_catchment_without_a_flow_supplies_nothing(tmp_path):
    """Pywr's catchment flow defaults to 0: a demand of 5/day fed only by it gets nothing (not an unlimited
    supply)."""
    doc = pywr_doc([{"name": "c", "type": "catchment"}, {"name": "town", "type": "output", "max_flow": 5.0,
                                                         "cost": -1.0}], [["c", "town"]])
    (node,) = [n for n in convert_pywr_document(doc)["nodes"] if n["id"] == "c"]
    assert node == {"id": "c", "type": "inflow", "inflow": 0.0}
    ds = daryo.run(daryo.load(write_model(tmp_path, doc))).dataset
    np.testing.assert_array_equal(ds.node_flow.sel(node="town").values, 0.0)


@pytest.mark.parametrize(("given", "volume"), [({"initial_volume": 50.0}, 50.0), ({"initial_volume_pc": 0.75}, 150.0),
                                               ({"initial_volume": 50.0, "initial_volume_pc": 0.75}, 150.0)])
def test_storage_initial_volume_from_the_proportion_when_both_are_given(given, volume):
    """max_volume 200: initial_volume 50 is 50; initial_volume_pc 0.75 is 150, and wins when both are given
    (as in Pywr)."""
    doc = pywr_doc([{"name": "dam", "type": "storage", "max_volume": 200.0, **given},
                    {"name": "out", "type": "output", "max_flow": 1.0, "cost": -1.0}], [["dam", "out"]])
    (node,) = [n for n in convert_pywr_document(doc)["nodes"] if n["id"] == "dam"]
    assert node["initial_volume"] == volume and node["max_volume"] == 200.0


def test_an_edge_from_a_storage_s_numbered_output_slot_leaves_the_reservoir():
    """A Pywr storage with ``inputs: 2`` (Pywr's storage inputs are the slots water leaves by) is connected by
    slot (0, 1): every slot is the one daryo reservoir."""
    doc = pywr_doc([{"name": "dam", "type": "storage", "max_volume": 10.0, "initial_volume": 5.0, "inputs": 2},
                    {"name": "a", "type": "output", "max_flow": 1.0, "cost": -1.0},
                    {"name": "b", "type": "output", "max_flow": 1.0, "cost": -1.0}],
                   [["dam", "a", 0, None], ["dam", "b", 1, None]])
    assert convert_pywr_document(doc)["edges"] == [["dam", "a"], ["dam", "b"]]


def test_a_control_curve_without_values_returns_its_position():
    """Pywr's controlcurve with neither values nor parameters returns 0, 1, … n (the curve the reservoir is at
    or above, n below all)."""
    doc = pywr_doc([{"name": "dam", "type": "storage", "max_volume": 10.0, "initial_volume": 5.0},
                    {"name": "out", "type": "output", "max_flow": "cc", "cost": -1.0}], [["dam", "out"]],
                   {"cc": {"type": "controlcurve", "storage_node": "dam", "control_curves": [0.8, 0.3]}})
    assert convert_pywr_document(doc)["parameters"]["cc"] == {
        "type": "controlcurve", "reservoir": "dam", "control_curves": [0.8, 0.3], "values": [0.0, 1.0, 2.0]}


def test_a_threshold_without_a_predicate_is_less_than():
    """Pywr's thresholds default to LT (strictly below): at exactly the threshold they are off."""
    doc = pywr_doc([{"name": "dam", "type": "storage", "max_volume": 10.0, "initial_volume": 5.0},
                    {"name": "out", "type": "output", "max_flow": "st", "cost": -1.0}], [["dam", "out"]],
                   {"st": {"type": "storagethreshold", "storage_node": "dam", "threshold": 5.0, "values": [1, 2]},
                    "pt": {"type": "parameterthreshold", "parameter": "st", "threshold": 1.5},
                    "ge": {"type": "parameterthreshold", "parameter": "st", "threshold": 1.5, "predicate": ">="}})
    params = convert_pywr_document(doc)["parameters"]
    assert params["st"]["predicate"] == "LT" and params["pt"]["predicate"] == "LT"
    assert params["ge"]["predicate"] == "GE"


pytest.importorskip("pywr.model", reason="the conformance cases are Pywr models")



def _nodes(doc):
    return {n["id"]: n for n in convert_pywr_document(doc)["nodes"]}


def test_outputs_and_inputs_become_demands_sinks_and_given_inflows():
    nodes = _nodes(pywr_doc(
        [{"name": "fixed", "type": "input", "min_flow": 2.0, "max_flow": 2.0},
         {"name": "free", "type": "input", "max_flow": 5.0},
         {"name": "town", "type": "output", "max_flow": 3.0, "cost": -10.0},
         {"name": "sea", "type": "output", "cost": 1.0}],
        [["fixed", "town"], ["free", "town"], ["fixed", "sea"], ["free", "sea"]]))
    assert nodes["fixed"] == {"id": "fixed", "type": "inflow", "inflow": {"value": 2.0, "unit": "hm3/day"}}
    assert nodes["free"] == {"id": "free", "type": "inflow", "max_flow": {"value": 5.0, "unit": "hm3/day"}}
    assert nodes["town"] == {"id": "town", "type": "demand", "demand": {"value": 3.0, "unit": "hm3/day"},
                             "cost": -10.0}
    assert nodes["sea"] == {"id": "sea", "type": "sink", "cost": 1.0}


def test_an_output_with_a_maximum_is_a_demand_only_where_its_cost_may_draw_water(tmp_path):
    """A Pywr output of no cost or a cost of 0 or more takes water only where it has nowhere else to go: read as a
    demand, such a spill or compensation outlet showed a deficit of all it did not take (a review: 90 %)."""
    doc = pywr_doc(
        [{"name": "in", "type": "catchment", "flow": 6.0},
         {"name": "town", "type": "output", "max_flow": 3.0, "cost": -10.0},
         {"name": "farm", "type": "output", "max_flow": 2.0, "cost": "price"},
         {"name": "compensation", "type": "output", "max_flow": 5.0, "cost": 1.0},
         {"name": "spill", "type": "output", "max_flow": 4.0, "cost": 0.0},
         {"name": "overflow", "type": "output", "max_flow": 30.0}],
        [["in", n] for n in ("town", "farm", "compensation", "spill", "overflow")],
        {"price": {"type": "monthlyprofile", "values": [-5.0] * 12}})
    nodes = {n["id"]: n for n in convert_pywr_document(doc)["nodes"]}
    assert {k: n["type"] for k, n in nodes.items()} == {
        "in": "inflow", "town": "demand", "farm": "demand", "compensation": "sink", "spill": "sink",
        "overflow": "sink"}
    assert nodes["spill"]["max_flow"] == {"value": 4.0, "unit": "hm3/day"}
    ds = daryo.run(daryo.load(write_model(tmp_path, doc))).dataset
    assert sorted(ds["demand"].values.tolist()) == ["farm", "town"]
    assert float(ds["deficit"].max()) == 0.0


@pytest.mark.parametrize("kind", ["rivergauge", "riversplitwithgauge"])
def test_a_gauge_s_minimum_residual_flow_is_an_environmental_flow_that_changes_no_flow(kind, tmp_path):
    """A Pywr gauge's MRF was only a cost band in daryo: SDG 6.4.2 counted no environmental flow for the river
    (a review).  It is now also a flow requirement on the gauge; in cost mode that changes no flow."""
    gauge = {"name": "gauge", "type": kind, "mrf": "mrf", "mrf_cost": -100.0}
    if kind == "riversplitwithgauge":
        gauge.update(factors=[1.0, 1.0], slot_names=["river", "canal"])
    doc = pywr_doc(
        [{"name": "in", "type": "catchment", "flow": {"type": "monthlyprofile", "values": [6.0] * 6 + [1.5] * 6}},
         gauge, {"name": "town", "type": "output", "max_flow": 5.0, "cost": -10.0},
         {"name": "sea", "type": "output"}, {"name": "farm", "type": "output", "max_flow": 4.0, "cost": -1.0},
         {"name": "none", "type": "rivergauge", "mrf": 0.0, "mrf_cost": -100.0}],
        [["in", "gauge"], ["in", "town"], ["none", "sea"]]
        + ([["gauge", "none", "river", None], ["gauge", "farm", "canal", None]] if kind == "riversplitwithgauge"
           else [["gauge", "none"], ["in", "farm"]]),
        {"mrf": {"type": "monthlyprofile", "values": [2.0] * 12}})
    path = write_model(tmp_path, doc)
    requirements = [n for n in convert_pywr_document(doc)["nodes"] if n["type"] == "flow_requirement"]
    assert [(n["id"], n["at"]) for n in requirements] == [("gauge MRF", "gauge")]  # (none for an MRF of 0)
    ds = daryo.run(daryo.load(path)).dataset
    gauged = ds.node_flow.sel(node="gauge").values[0]
    required = 2.0 * ds["days"].values
    np.testing.assert_allclose(ds["required"].sel(requirement="gauge MRF").values[0], required)
    np.testing.assert_allclose(ds["requirement_met"].sel(requirement="gauge MRF").values[0],
                               np.minimum(gauged, required))
    assert (gauged[6:] < required[6:]).all()  # (the dry months: 1.5 a day for all)
    stress = daryo.sdg.water_stress(ds)
    np.testing.assert_allclose(stress["environmental"].iloc[0], required.sum())
    theirs = run_pywr(path)
    np.testing.assert_allclose(gauged / ds["days"].values, theirs["gauge"][:, 0], rtol=1e-9)


def test_a_gauge_s_negative_mrf_is_told_once_at_its_own_key(tmp_path):
    """A review: a negative MRF was told twice, at the gauge's ``max_flows[0]`` and at ``nodes[gauge MRF].flow``,
    neither of which the Pywr file has."""
    doc = pywr_doc([{"name": "in", "type": "catchment", "flow": 6.0},
                    {"name": "gauge", "type": "rivergauge", "mrf": -1.0, "mrf_cost": -100.0},
                    {"name": "sea", "type": "output"}], [["in", "gauge"], ["gauge", "sea"]])
    with pytest.raises(ModelError) as err:
        daryo.load(write_model(tmp_path, doc))
    assert [p.place for p in err.value.problems] == ["nodes[gauge].mrf"]


def test_above_curve_cost_without_a_control_curve_is_a_curve_at_100_percent():
    """Pywr's reservoir: cost = a control curve at control_curve (default 1.0, full) with values
    [above_curve_cost, 0]."""
    doc = pywr_doc([{"name": "dam", "type": "reservoir", "max_volume": 10.0, "initial_volume": 5.0,
                     "above_curve_cost": 7.0},
                    {"name": "out", "type": "output", "max_flow": 1.0, "cost": -1.0}], [["dam", "out"]])
    converted = convert_pywr_document(doc)
    assert converted["parameters"]["dam.cost"] == {"type": "controlcurve", "reservoir": "dam",
                                                   "control_curves": [1.0], "values": [7.0, 0.0]}
    assert next(n for n in converted["nodes"] if n["id"] == "dam")["cost"] == {"parameter": "dam.cost"}


def test_a_division_keeps_its_numerator_and_denominator():
    """The converted document itself (case_static_parameters compares the run with Pywr's; until a mutation-testing
    review the link a division bounds carried no water there, cheaper links taking the 30)."""
    doc = pywr_doc([{"name": "in", "type": "input", "max_flow": "ratio"},
                    {"name": "out", "type": "output", "max_flow": 10.0, "cost": -1.0}], [["in", "out"]],
                   {"ratio": {"type": "division", "numerator": "big", "denominator": 4.0},
                    "big": {"type": "constant", "value": 12.0}})
    assert convert_pywr_document(doc)["parameters"]["ratio"] == {"type": "division", "numerator": "big",
                                                                "denominator": 4.0}


@pytest.mark.parametrize(("given", "predicate"), [("<", "LT"), (">", "GT"), ("=", "EQ"), ("<=", "LE"), (">=", "GE"),
                                                  ("le", "LE"), ("Gt", "GT")])
def test_a_thresholds_predicate_written_as_a_symbol_or_in_any_case(given, predicate):
    doc = pywr_doc([{"name": "dam", "type": "storage", "max_volume": 10.0, "initial_volume": 5.0},
                    {"name": "out", "type": "output", "max_flow": "st", "cost": -1.0}], [["dam", "out"]],
                   {"st": {"type": "storagethreshold", "storage_node": "dam", "threshold": 5.0, "values": [1, 2],
                           "predicate": given}})
    assert convert_pywr_document(doc)["parameters"]["st"]["predicate"] == predicate


def test_a_table_lookup_by_a_label_that_pandas_reads_as_a_number(tmp_path):
    """A table whose row labels are years (read by pandas as numbers) is looked up with "index": "2001" as
    Pywr's JSON often gives it, and a column named "10" with "column": 10."""


    doc = pywr_doc([{"name": "in", "type": "input", "max_flow": {"type": "constant", "table": "caps",
                                                                 "index": "2001", "column": 10}},
                    {"name": "out", "type": "output", "max_flow": 100.0, "cost": -1.0}], [["in", "out"]])
    doc["tables"] = {"caps": {"url": "caps.csv", "index_col": 0}}
    path = write_model(tmp_path, doc, {"caps.csv": "year,10,20\n2000,1.5,2.5\n2001,3.25,4.5\n"})
    converted = convert_pywr_document(daryo.model.documents.read_document(path), path)
    assert converted["parameters"]["in.max_flow"] == {"type": "constant", "value": 3.25}


def test_a_link_nothing_feeds_with_a_minimum_flow_is_refused_not_run_empty(tmp_path):
    """Only a link without a minimum flow that no edge feeds runs at no flow (as in Pywr); one with min_flow 1
    cannot carry it, Pywr cannot run it either, and daryo refuses it rather than run it at 0."""


    doc = pywr_doc([{"name": "in", "type": "input", "max_flow": 5.0},
                    {"name": "stub", "type": "link", "min_flow": 1.0},
                    {"name": "demand", "type": "output", "max_flow": 3.0, "cost": -10.0}],
                   [["in", "demand"], ["stub", "demand"]])
    node = next(n for n in convert_pywr_document(doc)["nodes"] if n["id"] == "stub")
    assert node["type"] == "reach" and node["min_flow"] == {"value": 1.0, "unit": "hm3/day"}
    with pytest.raises(ModelError, match="stub"):
        daryo.load(write_model(tmp_path, doc))


def test_a_pywr_outputs_max_flow_beyond_1e30_is_told_to_be_left_out(tmp_path):
    """An output's max_flow becomes a cost-mode demand, the most it takes: its refusal above 1e30 lacked the hint a
    maximum gets (a regression fuzz)."""
    doc = {"timestepper": {"start": "2001-01-01", "end": "2001-12-31", "timestep": "M"},
           "nodes": [{"name": "in", "type": "catchment", "flow": 5.0},
                     {"name": "d", "type": "output", "max_flow": 1e300, "cost": -10.0}],
           "edges": [["in", "d"]]}
    with pytest.raises(ModelError) as err:
        daryo.load(write_model(tmp_path, doc))
    assert str(err.value).endswith("nodes[d].max_flow: is 1e+300 hm³/day = 1.15741e+301 m³/s: a number larger than "
                                   "1e30 is no amount a model means (for no upper bound, leave the maximum out)")


def test_what_the_conversion_cannot_reproduce_of_every_pywr_solver_or_does_not_run_is_a_caveat(tmp_path):
    """A review: an aggregated node over two links in series gave half the flow of Pywr's default solver, and a
    CSVRecorder wrote nothing, without a word; the converted model's caveats (which ``daryo run`` prints and results
    keep) now say so, after the Pywr file's own."""
    doc = {"metadata": {"title": "t", "caveats": "Illustrative."},
           "timestepper": {"start": "2000-01-01", "end": "2000-01-31", "timestep": "M"},
           "nodes": [{"name": "river", "type": "input", "max_flow": 50}, {"name": "intake", "type": "link"},
                     {"name": "pipeline", "type": "link"}, {"name": "town", "type": "output", "max_flow": 30,
                                                            "cost": -10},
                     {"name": "licence", "type": "aggregatednode", "nodes": ["intake", "pipeline"], "max_flow": 20}],
           "edges": [["river", "intake"], ["intake", "pipeline"], ["pipeline", "town"]],
           "recorders": {"flows": {"type": "CSVRecorder", "url": "out.csv"}, "sum": {"type": "TotalFlowNodeRecorder",
                                                                                    "node": "town"}}}
    caveats = convert_pywr_document(doc)["metadata"]["caveats"]
    assert caveats[0] == "Illustrative." and len(caveats) == 4 and caveats[-1] == UNITS_CAVEAT
    assert caveats[1] == (
        "Pywr aggregated node 'licence' has members on one route (intake → pipeline): daryo counts a route's flow once "
        "per member it passes, as Pywr's glpk-edge solver does; Pywr's default glpk solver counts it otherwise (once, "
        "allowing more flow; with factors, it fails) (daryo's docs/pywr.md, Aggregated nodes)")
    assert caveats[2] == ("Pywr recorder 'flows' (CSVRecorder) to out.csv is not run: daryo writes its results with "
                          "`daryo run MODEL -o results.nc --csv DIR` (or Results.save)")
    # members on one route through a node that is not one (a review: only a direct edge was seen)
    doc["nodes"].insert(2, {"name": "wtw", "type": "link"})
    doc["edges"] = [["river", "intake"], ["intake", "wtw"], ["wtw", "pipeline"], ["pipeline", "town"]]
    assert "(intake → pipeline)" in convert_pywr_document(doc)["metadata"]["caveats"][1]
    # none where a route ends between them, at a break link or delay node (Pywr's solvers agree there: a review)
    for end in ({"type": "breaklink"}, {"type": "delaynode", "timesteps": 1}):
        ended = {**doc, "nodes": [*doc["nodes"][:2], {"name": "wtw", **end}, *doc["nodes"][3:]]}
        assert len(convert_pywr_document(ended)["metadata"]["caveats"]) == 3, end
    # none where the file asks for the edge solver, whose results daryo's are (a review), nor for one member
    assert len(convert_pywr_document({**doc, "solver": {"name": "glpk-edge"}})["metadata"]["caveats"]) == 3
    doc["nodes"][-1]["nodes"] = ["intake"]
    del doc["recorders"]["flows"], doc["metadata"]
    assert convert_pywr_document(doc)["metadata"]["caveats"] == [UNITS_CAVEAT]  # (every Pywr model's)


def test_a_reservoirs_curve_cost_that_its_cost_replaces_is_a_caveat():
    """A Pywr user's review: a reservoir's above_curve_cost and control_curve given with a cost were dropped without
    a word (as Pywr drops them: its cost wins), and docs/pywr.md said they become a control-curve cost."""
    def converted(**reservoir):
        doc = {"timestepper": {"start": "2000-01-01", "end": "2000-03-31", "timestep": "M"},
               "nodes": [{"name": "in", "type": "input", "max_flow": 5},
                         {"name": "res", "type": "reservoir", "max_volume": 400, "initial_volume": 200, **reservoir},
                         {"name": "out", "type": "output", "max_flow": 3, "cost": -10}],
               "edges": [["in", "res"], ["res", "out"]]}
        return convert_pywr_document(doc)

    both = converted(above_curve_cost=-1, cost=-250, control_curve=0.7)
    (res,) = [n for n in both["nodes"] if n["id"] == "res"]
    assert res["cost"] == -250.0
    assert both["metadata"]["caveats"] == [
        "Pywr reservoir 'res' gives cost and above_curve_cost and control_curve: Pywr uses the cost and ignores the "
        "above_curve_cost and control_curve (a control curve's cost only replaces a reservoir's cost that is not "
        "given), and so does daryo; to have the curve, leave cost out", UNITS_CAVEAT]
    assert converted(above_curve_cost=-1, control_curve=0.7)["metadata"]["caveats"] == [UNITS_CAVEAT]
    assert converted(cost=-250)["metadata"]["caveats"] == [UNITS_CAVEAT]
