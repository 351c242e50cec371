"""The compiled network: attributes the engine keeps once for all scenarios refuse per-scenario values."""

from pathlib import Path

import numpy as np
import pytest

import daryo
from daryo.errors import ModelError
from daryo.model import model_from_dict
from daryo.network import compile_network
from daryo.network.compile import GWH_PER_HM3_M

MODEL = """\
version: 1
time: {{start: 2000-10, end: 2000-12}}
nodes:
  - {{id: src, type: inflow, inflow: {{values: [[500, 500, 500], [400, 400, 400]]}}}}
  - {{id: dam, type: reservoir, max_volume: 1000, initial_volume: 500, evaporation: {evaporation},
     level_table: {{volume: [0, 1000], level: [0, 100], area: [100, 100]}}}}
  - {{id: plant, type: hydropower, capacity: 1000 MW, reservoir: dam, energy_target: {target}}}
  - {{id: sea, type: sink}}
edges: [[src, dam], [dam, plant], [plant, sea]]
"""
SAME = "{values: [[1, 1, 1], [1, 1, 1]]}"


@pytest.mark.parametrize(("evaporation", "target", "place"), [
    ("{monthly: [[0,0,0,0,0,0,0,0,0,0,0,0], [50,50,50,50,50,50,50,50,50,50,50,50]]}", SAME, "nodes[dam].evaporation"),
    ("20", "{values: [[1, 1, 1], [50, 50, 50]]}", "nodes[plant].energy_target"),
])
def test_per_scenario_evaporation_or_energy_target_is_refused(tmp_path: Path, evaporation: str, target: str,
                                                               place: str, monkeypatch):
    """Refused where the model is loaded, so that ``daryo validate`` refuses it too (a numerical verification
    review: it passed what ``daryo run`` refused); and where the network is compiled, of a model that did not
    pass that check."""
    from daryo.model import validate

    path = tmp_path / "m.yaml"
    path.write_text(MODEL.format(evaporation=evaporation, target=target))
    key = place.split(".")[-1]
    with pytest.raises(ModelError) as err:
        daryo.load(path)
    (problem,) = err.value.problems
    assert (problem.place.split(" (")[0], problem.line) == (place, 5 if key == "evaporation" else 7)
    assert problem.message.startswith(f"{key} differs between scenarios (2 rows); give one series for all")
    monkeypatch.setattr(validate, "CHECKS", tuple(c for c in validate.CHECKS if c is not validate.check_shared_series))
    model = daryo.load(path)
    for n_scenarios in (None, 1):  # (a run of the first trace only refuses it too, as the model holds two)
        with pytest.raises(ModelError) as err:
            compile_network(model, n_scenarios=n_scenarios)
        (problem,) = err.value.problems
        assert problem.place.startswith(place)
        assert "differs between scenarios (2 rows)" in problem.message


def test_equal_rows_are_one_series(tmp_path: Path):
    path = tmp_path / "m.yaml"
    path.write_text(MODEL.format(evaporation="{monthly: [[20,20,20,20,20,20,20,20,20,20,20,20], "
                                 "[20,20,20,20,20,20,20,20,20,20,20,20]]}", target=SAME))
    net = compile_network(daryo.load(path))
    assert net.res_evap_depth.shape == (3, 1) and float(net.res_evap_depth[0, 0]) == 20.0
    assert net.hp_energy_target.shape == (3, 1) and float(net.hp_energy_target[0, 0]) == 1.0


def test_fixed_inflow_traces_are_held_once_for_both_bounds():
    """An inflow's column is fixed (lower = upper bound): its traces were stored twice, 32 MB of a 500-trace
    ensemble chunk's worker.  A demand's per-trace upper bound, with a lower bound of 0, keeps its own table."""
    traces = [[float(10 * s + t) for t in range(3)] for s in range(4)]
    doc = {"version": 1, "name": "t", "time": {"start": "2001-01", "end": "2001-03", "step": "month"},
           "nodes": [{"id": "in", "type": "inflow", "inflow": {"values": traces}},
                     {"id": "sea", "type": "sink"}], "edges": [["in", "sea"]]}
    net = compile_network(model_from_dict(doc))
    assert net.col_upper.scen is net.col_lower.scen
    np.testing.assert_array_equal(net.col_lower.scen[:, :, 0], traces)
    doc["nodes"].append({"id": "town", "type": "demand", "demand": {"values": traces}})
    doc["edges"].append(["in", "town"])
    net = compile_network(model_from_dict(doc))
    assert net.col_upper.scen is not net.col_lower.scen
    assert net.col_upper.scen.shape[2] == net.col_lower.scen.shape[2] + 1


def test_per_trace_bounds_that_differ_keep_their_own_values():
    """A canal's per-trace minimum and capacity sit in the same places of the two tables but differ: the upper
    bounds are the capacities, not the minimums."""
    lo = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    hi = [[10.0, 20.0, 30.0], [40.0, 50.0, 60.0]]
    doc = {"version": 1, "name": "t", "time": {"start": "2001-01", "end": "2001-03", "step": "month"},
           "allocation": "priority",
           "nodes": [{"id": "in", "type": "inflow", "inflow": 100},
                     {"id": "c", "type": "canal", "min_flow": {"values": lo}, "capacity": {"values": hi}},
                     {"id": "town", "type": "demand", "demand": 1000}, {"id": "sea", "type": "sink"}],
           "edges": [["in", "c"], ["c", "town"], ["in", "sea"]]}
    net = compile_network(model_from_dict(doc))
    assert net.col_upper.scen is not net.col_lower.scen
    ds = daryo.run(model_from_dict(doc), daryo.RunOptions(scenarios=2)).dataset
    np.testing.assert_allclose(ds.delivery.sel(demand="town").values, hi, rtol=1e-9)  # all the canal can carry


# ------------------------------------------------------------------------------------------------------------
# Attributes and their defaults, each on a network small enough to work out by hand (one monthly step, flows in
# hm³ per step).
def _step(nodes: list, edges: list, allocation: str = "priority", constraints: list | None = None):
    """The one step's results of a model (scenario 0, step 0)."""
    doc = {"version": 1, "name": "test", "time": {"start": "2001-01", "end": "2001-01", "step": "month"},
           "allocation": allocation, "nodes": nodes, "edges": edges, **({"constraints": constraints} if constraints
                                                                          else {})}
    return daryo.run(model_from_dict(doc)).dataset.isel(scenario=0, time=0)


def test_a_demand_consumes_all_it_takes_unless_a_fraction_is_given():
    """::

        [in: 60] --> (j) --> [A: demand 60, return_to r]
                      \\--> (r) --> [sea]

    A takes the 60; consumptive_fraction defaults to 1, so nothing returns to r and the sea gets 0.  With
    consumptive_fraction 0.25, 45 return to r and reach the sea."""
    nodes = [{"id": "in", "type": "inflow", "inflow": 60}, {"id": "j", "type": "junction"},
             {"id": "A", "type": "demand", "demand": 60, "return_to": "r"}, {"id": "r", "type": "junction"},
             {"id": "sea", "type": "sink"}]
    edges = [["in", "j"], ["j", "A"], ["j", "r"], ["r", "sea"]]
    ds = _step(nodes, edges)
    assert float(ds.delivery.sel(demand="A")) == pytest.approx(60.0)
    assert float(ds.sink_inflow.sel(sink="sea")) == pytest.approx(0.0, abs=1e-7)
    nodes[2]["consumptive_fraction"] = 0.25
    assert float(_step(nodes, edges).sink_inflow.sel(sink="sea")) == pytest.approx(45.0)


def test_a_canal_carries_at_most_its_capacity():
    """[in: 100] --> (canal: capacity 30) --> [D: demand 100]; the rest to the sea: D gets 30, the sea 70."""
    ds = _step([{"id": "in", "type": "inflow", "inflow": 100}, {"id": "canal", "type": "canal", "capacity": 30},
                {"id": "D", "type": "demand", "demand": 100}, {"id": "sea", "type": "sink"}],
               [["in", "canal"], ["canal", "D"], ["in", "sea"]])
    assert float(ds.delivery.sel(demand="D")) == pytest.approx(30.0)
    assert float(ds.sink_inflow.sel(sink="sea")) == pytest.approx(70.0)


def test_a_spill_costs_one_per_hm3_by_default():
    """``cost`` mode: a full dam (100 of 100) gets 50; the water leaves by the outlet (cost 0.5) rather than the
    spill (default cost 1); with spill_cost 0.2 it spills instead."""
    nodes = [{"id": "in", "type": "inflow", "inflow": 50},
             {"id": "dam", "type": "reservoir", "max_volume": 100, "initial_volume": 100, "spill_to": "sea"},
             {"id": "sea", "type": "sink"}]
    edges = [["in", "dam"], {"from": "dam", "to": "sea", "cost": 0.5}]
    ds = _step(nodes, edges, allocation="cost")
    assert float(ds.spill.sel(reservoir="dam")) == pytest.approx(0.0, abs=1e-7)
    assert float(ds.storage.sel(reservoir="dam")) == pytest.approx(100.0)
    nodes[1]["spill_cost"] = 0.2
    assert float(_step(nodes, edges, allocation="cost").spill.sel(reservoir="dam")) == pytest.approx(50.0)


def test_a_rule_curve_target_ranks_below_demands_by_default():
    """[in: 50] --> (dam: empty, target 100) --> [D: demand 50].  The target's priority defaults to 10, below
    D's default 1: D gets all 50 and the dam stays empty.  At target_priority 1 they share one coverage t:
    100 t + 50 t = 50, t = 1/3: D gets 50/3, the dam keeps 100/3."""
    nodes = [{"id": "in", "type": "inflow", "inflow": 50},
             {"id": "dam", "type": "reservoir", "max_volume": 200, "initial_volume": 0, "target_volume": 100},
             {"id": "D", "type": "demand", "demand": 50}]
    edges = [["in", "dam"], ["dam", "D"]]
    ds = _step(nodes, edges)
    assert float(ds.delivery.sel(demand="D")) == pytest.approx(50.0)
    assert float(ds.storage.sel(reservoir="dam")) == pytest.approx(0.0, abs=1e-7)
    nodes[1]["target_priority"] = 1
    ds = _step(nodes, edges)
    assert float(ds.delivery.sel(demand="D")) == pytest.approx(50.0 / 3)
    assert float(ds.storage.sel(reservoir="dam")) == pytest.approx(100.0 / 3)


def test_an_energy_target_ranks_below_demands_by_default():
    """::

        [in: 50] --> (j) --> [D: demand 50]
                      \\--> (plant: head 100, target 12.2625 GWh) --> [sea]

    1 hm³ through the plant gives 100 m × 0.9 × 2.725e-3 = 0.24525 GWh, so the target is 50 hm³.  Its priority
    defaults to 5, below D's 1: D gets all 50.  At energy_priority 1 they share one coverage: 50 t + 50 t = 50,
    D gets 25."""
    nodes = [{"id": "in", "type": "inflow", "inflow": 50}, {"id": "j", "type": "junction"},
             {"id": "D", "type": "demand", "demand": 50},
             {"id": "plant", "type": "hydropower", "head": 100, "capacity": 10000,
              "energy_target": 50 * 100 * 0.9 * GWH_PER_HM3_M},
             {"id": "sea", "type": "sink"}]
    edges = [["in", "j"], ["j", "D"], ["j", "plant"], ["plant", "sea"]]
    assert float(_step(nodes, edges).delivery.sel(demand="D")) == pytest.approx(50.0)
    nodes[3]["energy_priority"] = 1
    assert float(_step(nodes, edges).delivery.sel(demand="D")) == pytest.approx(25.0)


def test_a_plant_s_efficiency_defaults_to_0_9_and_its_tailwater_to_0():
    """::

        [in: 10] --> (dam: 500 of 1000, level 0–100 m linear) --> (plant) --> [D: demand 10]

    The dam passes the 10 on and stays at 500 (level 50 m, tailwater 0): 10 × 50 × 0.9 × 2.725e-3 GWh.  A plant
    with a fixed head of 100 m: 10 × 100 × 0.9 × 2.725e-3."""
    nodes = [{"id": "in", "type": "inflow", "inflow": 10},
             {"id": "dam", "type": "reservoir", "max_volume": 1000, "initial_volume": 500,
              "level_table": {"volume": [0, 1000], "level": [0, 100], "area": [1, 1]}},
             {"id": "plant", "type": "hydropower", "reservoir": "dam", "capacity": 10000},
             {"id": "D", "type": "demand", "demand": 10}]
    edges = [["in", "dam"], ["dam", "plant"], ["plant", "D"]]
    ds = _step(nodes, edges)
    assert float(ds.storage.sel(reservoir="dam")) == pytest.approx(500.0)
    assert float(ds.energy.sel(hydropower="plant")) == pytest.approx(10 * 50 * 0.9 * GWH_PER_HM3_M)
    ds = _step([nodes[0], {"id": "plant", "type": "hydropower", "head": 100, "capacity": 10000}, nodes[3]],
               [["in", "plant"], ["plant", "D"]])
    assert float(ds.energy.sel(hydropower="plant")) == pytest.approx(10 * 100 * 0.9 * GWH_PER_HM3_M)


def test_flood_control_caps_the_stored_volume():
    """[in: 50] --> (dam: 60 of 100, flood_control_max 60, spill to the sea): the dam may not rise above 60, so
    the 50 spill; without the flood-control limit it keeps them (priority mode stores what is not needed)."""
    nodes = [{"id": "in", "type": "inflow", "inflow": 50},
             {"id": "dam", "type": "reservoir", "max_volume": 100, "initial_volume": 60, "flood_control_max": 60,
              "spill_to": "sea"},
             {"id": "sea", "type": "sink"}]
    ds = _step(nodes, [["in", "dam"]])
    assert float(ds.storage.sel(reservoir="dam")) == pytest.approx(60.0)
    assert float(ds.spill.sel(reservoir="dam")) == pytest.approx(50.0)
    del nodes[1]["flood_control_max"]
    assert float(_step(nodes, [["in", "dam"]]).storage.sel(reservoir="dam")) == pytest.approx(100.0)


def test_a_flow_sum_without_min_flow_may_be_negative():
    """::

        [in1: 5] --> [A: demand 50]
        [in2: 100] --> [B: demand 20]; the rest to the sea

    A flow_sum A − B ≤ 0 (no min_flow: no lower bound) lets A (5, all it can get) stay below B (20)."""
    ds = _step([{"id": "in1", "type": "inflow", "inflow": 5}, {"id": "in2", "type": "inflow", "inflow": 100},
                {"id": "A", "type": "demand", "demand": 50}, {"id": "B", "type": "demand", "demand": 20},
                {"id": "sea", "type": "sink"}],
               [["in1", "A"], ["in2", "B"], ["in2", "sea"]],
               constraints=[{"id": "licence", "type": "flow_sum", "nodes": {"A": 1, "B": -1}, "max_flow": 0}])
    np.testing.assert_allclose(ds.delivery.sel(demand=["A", "B"]), [5.0, 20.0])


def test_independent_rivers_get_a_coverage_column_per_priority_level_each():
    """Two rivers in one model share no row: two blocks, so each priority level they share has a coverage column
    per river (``t[1:0]``, ``t[1:1]``); a level only one river has, and a model of one river, have one (``t[p]``).
    Hand-computed: river a has 30 hm³ for demands of 40 and 20 at priority 1 (coverage 0.5: 20 and 10), river b
    100 for 50 at priority 1 and 30 at priority 2 (all served)."""
    nodes = [{"id": "a_in", "type": "inflow", "inflow": 30}, {"id": "a_j", "type": "junction"},
             {"id": "a1", "type": "demand", "demand": 40}, {"id": "a2", "type": "demand", "demand": 20},
             {"id": "b_in", "type": "inflow", "inflow": 100}, {"id": "b_j", "type": "junction"},
             {"id": "b1", "type": "demand", "demand": 50}, {"id": "b2", "type": "demand", "demand": 30, "priority": 2},
             {"id": "b_sea", "type": "sink"}]
    edges = [["a_in", "a_j"], ["a_j", "a1"], ["a_j", "a2"], ["b_in", "b_j"], ["b_j", "b1"], ["b_j", "b2"],
             ["b_j", "b_sea"]]
    doc = {"version": 1, "name": "two", "time": {"start": "2001-01", "end": "2001-01", "step": "month"},
           "nodes": nodes, "edges": edges}
    net = compile_network(model_from_dict(doc))
    names = [net.lp.col_names[c] for c in net.priority_col]
    assert names == ["t[1:0]", "t[1:1]", "t[2]"]
    assert net.priority_col_level.tolist() == [0, 0, 1]
    assert [net.lp.col_names[c] for c in net.req_tcol] == ["t[1:0]", "t[1:0]", "t[1:1]", "t[2]"]
    assert net.col_block[net.node_col[net.node_ids.index("a1")]] == 0
    assert net.col_block[net.node_col[net.node_ids.index("b2")]] == 1
    ds = _step(nodes, edges)
    assert ds.delivery.sel(demand=["a1", "a2", "b1", "b2"]).values.tolist() == pytest.approx([20, 10, 50, 30])
    one = compile_network(model_from_dict({**doc, "nodes": nodes[:4], "edges": edges[:3]}))
    assert [one.lp.col_names[c] for c in one.priority_col] == ["t[1]"]
    # a constraint on both rivers' flows (a shared licence) joins them: one block, one coverage column per level
    licence = {"id": "licence", "type": "flow_sum", "nodes": {"a1": 1, "b1": 1}, "max_flow": 1000}
    joined = compile_network(model_from_dict({**doc, "constraints": [licence]}))
    assert [joined.lp.col_names[c] for c in joined.priority_col] == ["t[1]", "t[2]"]
    assert np.unique(joined.col_block).size == 1


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_a_reservoir_without_initial_volume_starts_full_in_each_scenario(method):
    """::

        (dam: max 100 in scenario 0, 60 in scenario 1; no initial_volume) --> [D: demand 30]

    Each scenario starts at its own maximum (it started at the largest, 100, in both: 40 above the second's
    maximum): the demand takes 30, leaving 70 and 30."""
    model = model_from_dict({
        "version": 1, "name": "full", "time": {"start": "2001-01", "end": "2001-01", "step": "month"},
        "nodes": [{"id": "dam", "type": "reservoir", "max_volume": {"values": [[100.0], [60.0]]}},
                  {"id": "D", "type": "demand", "demand": 30}],
        "edges": [["dam", "D"]]})
    ds = daryo.run(model, daryo.RunOptions(method=method)).dataset
    np.testing.assert_allclose(ds.storage_start.sel(reservoir="dam").isel(time=0), [100.0, 60.0])
    np.testing.assert_allclose(ds.storage.sel(reservoir="dam").isel(time=0), [70.0, 30.0], atol=1e-8)
    np.testing.assert_allclose(ds.delivery.sel(demand="D").isel(time=0), [30.0, 30.0], atol=1e-8)


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_a_reservoir_without_initial_volume_starts_at_its_first_steps_maximum(method):
    """::

        (dam: max_volume monthly 100, 200, 300, ... 1200; no initial_volume) --> [D: demand 30]
             \\--spill--> [sea]

    A mutation-testing review: the start volume was each scenario's maximum in the run's first step, as the docs
    say ("default: max_volume at the start"), and no test would have seen it taken from the last step instead.
    Run January–March: the dam starts at January's 100 (not March's 300); D takes 30 a month, so the volumes at
    the steps' starts are 100, 70, 40 and it ends March at 10, spilling nothing (from 300 it would spill 170 in
    January)."""
    model = model_from_dict({
        "version": 1, "name": "monthly_max", "time": {"start": "2001-01", "end": "2001-03", "step": "month"},
        "nodes": [{"id": "dam", "type": "reservoir", "max_volume": {"monthly": [100.0 * m for m in range(1, 13)]},
                   "spill_to": "sea"},
                  {"id": "D", "type": "demand", "demand": 30}, {"id": "sea", "type": "sink"}],
        "edges": [["dam", "D"]]})
    ds = daryo.run(model, daryo.RunOptions(method=method)).dataset.isel(scenario=0)
    np.testing.assert_allclose(ds.storage_max.sel(reservoir="dam"), [100.0, 200.0, 300.0])
    np.testing.assert_allclose(ds.storage_start.sel(reservoir="dam"), [100.0, 70.0, 40.0], atol=1e-8)
    np.testing.assert_allclose(ds.storage.sel(reservoir="dam"), [70.0, 40.0, 10.0], atol=1e-8)
    np.testing.assert_allclose(ds.delivery.sel(demand="D"), [30.0, 30.0, 30.0], atol=1e-8)
    np.testing.assert_allclose(ds.spill.sel(reservoir="dam"), [0.0, 0.0, 0.0], atol=1e-8)


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_a_run_of_fewer_scenarios_starts_each_reservoir_at_its_own_maximum(method):
    """::

        (dam: max 100 / 60 / 80 in scenarios 0-2; no initial_volume) --> [D: demand 30 when below 0.5 full,
                                                                           else 40, by a control curve]

    A run of the first two scenarios of three starts them at 100 and 60 (it failed to broadcast the third
    scenario's maximum); both start full, above the curve, so D takes 40: 60 and 20 are left."""
    model = model_from_dict({
        "version": 1, "name": "fewer", "time": {"start": "2001-01", "end": "2001-01", "step": "month"},
        "parameters": {"want": {"type": "controlcurve", "reservoir": "dam", "control_curves": [0.5],
                                "values": [40.0, 30.0]}},
        "nodes": [{"id": "dam", "type": "reservoir", "max_volume": {"values": [[100.0], [60.0], [80.0]]}},
                  {"id": "D", "type": "demand", "demand": {"parameter": "want"}}],
        "edges": [["dam", "D"]]})
    ds = daryo.run(model, daryo.RunOptions(method=method, scenarios=2)).dataset
    np.testing.assert_allclose(ds.storage_start.sel(reservoir="dam").isel(time=0), [100.0, 60.0])
    np.testing.assert_allclose(ds.delivery.sel(demand="D").isel(time=0), [40.0, 40.0], atol=1e-8)
    np.testing.assert_allclose(ds.storage.sel(reservoir="dam").isel(time=0), [60.0, 20.0], atol=1e-8)


# Equations of the compiled LP found untested by a mutation pass (2026-12-04).
@pytest.mark.parametrize(("max_flow", "through_plant"), [(None, 30.0), (50.0, 30.0), (20.0, 20.0)])
def test_max_turbine_flow_caps_a_plant_with_capacity_to_spare(max_flow, through_plant):
    """::

        [in: 100] --> (plant: head 100 m, 10,000 MW, max_turbine_flow 30) --> [sea]
                  \\--> (bypass) ------------------------------------------> [sea]

    Priority mode sends water through the turbines rather than the bypass, and the capacity would pass all 100
    hm³; the plant takes the smaller of max_turbine_flow (30) and max_flow, the bypass the rest.  Energy:
    q × 100 m × 0.9 × 2.725e-3 GWh."""
    plant = {"id": "plant", "type": "hydropower", "head": 100, "capacity": 10000, "max_turbine_flow": 30}
    if max_flow is not None:
        plant["max_flow"] = max_flow
    ds = _step([{"id": "in", "type": "inflow", "inflow": 100}, plant, {"id": "bypass", "type": "junction"},
                {"id": "sea", "type": "sink"}],
               [["in", "plant"], ["in", "bypass"], ["plant", "sea"], ["bypass", "sea"]])
    assert float(ds.node_flow.sel(node="plant")) == pytest.approx(through_plant)
    assert float(ds.node_flow.sel(node="bypass")) == pytest.approx(100.0 - through_plant)
    assert float(ds.sink_inflow.sel(sink="sea")) == pytest.approx(100.0)  # nothing lost or made
    assert float(ds.energy.sel(hydropower="plant")) == pytest.approx(through_plant * 100 * 0.9 * GWH_PER_HM3_M)


def test_priority_mode_sends_water_through_the_turbines_rather_than_a_bypass():
    """The network above without max_turbine_flow: all 100 hm³ pass the plant (its turbine value), none the
    bypass, although both routes deliver the same to the sea."""
    ds = _step([{"id": "in", "type": "inflow", "inflow": 100},
                {"id": "bypass", "type": "junction"},
                {"id": "plant", "type": "hydropower", "head": 100, "capacity": 10000},
                {"id": "sea", "type": "sink"}],
               [["in", "bypass"], ["in", "plant"], ["bypass", "sea"], ["plant", "sea"]])
    assert float(ds.node_flow.sel(node="plant")) == pytest.approx(100.0)
    assert float(ds.node_flow.sel(node="bypass")) == pytest.approx(0.0, abs=1e-7)
    assert float(ds.energy.sel(hydropower="plant")) == pytest.approx(100 * 100 * 0.9 * GWH_PER_HM3_M)


@pytest.mark.parametrize("lossy_first", [True, False])
def test_priority_mode_takes_the_route_that_loses_less(lossy_first):
    """::

        [in: 100] --> (leaky: loss 0.5) --> [sea]
                  \\--> (tight: loss 0.1) --> [sea]

    Nothing is demanded, so both routes serve the same; the one that loses less is taken (PRIORITY_LOSS_COST):
    all 100 through ``tight``, 10 lost, 90 reach the sea (not 50), whichever is listed first."""
    reaches = [{"id": "leaky", "type": "reach", "loss": 0.5}, {"id": "tight", "type": "reach", "loss": 0.1}]
    if not lossy_first:
        reaches.reverse()
    ds = _step([{"id": "in", "type": "inflow", "inflow": 100}, *reaches, {"id": "sea", "type": "sink"}],
               [["in", reaches[0]["id"]], ["in", reaches[1]["id"]], [reaches[0]["id"], "sea"],
                [reaches[1]["id"], "sea"]])
    assert float(ds.node_flow.sel(node="tight")) == pytest.approx(100.0)
    assert float(ds.node_flow.sel(node="leaky")) == pytest.approx(0.0, abs=1e-7)
    assert float(ds.node_loss.sel(node="tight")) == pytest.approx(10.0)
    assert float(ds.sink_inflow.sel(sink="sea")) == pytest.approx(90.0)


def test_the_storage_tie_break_gives_way_to_a_plant():
    """::

        (first: 100 of 200) --> (plant: head 100 m) --> (j) --> [D: demand 30]
        (second: 100 of 200) -------------------------> (j)

    Side by side, the two reservoirs' storage values differ only by the tie-break, which keeps the first one's
    water (PRIORITY_STORAGE_TIE, 5e-6 × (R − k) / R: 2.5e-6 more per hm³); but the first one's release passes a
    plant (PRIORITY_TURBINE_VALUE, 1e-5 per hm³), which outweighs it: the 30 come from the first, through the
    plant."""
    ds = _step([{"id": "first", "type": "reservoir", "max_volume": 200, "initial_volume": 100},
                {"id": "second", "type": "reservoir", "max_volume": 200, "initial_volume": 100},
                {"id": "plant", "type": "hydropower", "head": 100, "capacity": 10000},
                {"id": "j", "type": "junction"}, {"id": "D", "type": "demand", "demand": 30}],
               [["first", "plant"], ["plant", "j"], ["second", "j"], ["j", "D"]])
    assert float(ds.delivery.sel(demand="D")) == pytest.approx(30.0)
    assert float(ds.storage.sel(reservoir="first")) == pytest.approx(70.0)
    assert float(ds.storage.sel(reservoir="second")) == pytest.approx(100.0)
    assert float(ds.node_flow.sel(node="plant")) == pytest.approx(30.0)


def test_a_reservoir_that_starts_below_its_dead_volume_refills_it_before_the_demands():
    """::

        [in: 40] --> (dam: 20 hm³, dead volume 50, no evaporation) --> [D: demand 40]

    The dead volume ranks before every priority (DEAD_VOLUME_PRIORITY), also for a reservoir that starts below it
    without evaporating: the inflow first makes up the 30 it lacks, and D gets the 10 left (not all 40 with the
    dam left at 20)."""
    ds = _step([{"id": "in", "type": "inflow", "inflow": 40},
                {"id": "dam", "type": "reservoir", "max_volume": 100, "initial_volume": 20, "min_volume": 50},
                {"id": "D", "type": "demand", "demand": 40}],
               [["in", "dam"], ["dam", "D"]])
    assert float(ds.storage.sel(reservoir="dam")) == pytest.approx(50.0)
    assert float(ds.delivery.sel(demand="D")) == pytest.approx(10.0)
    assert float(abs(ds.mass_balance_error).max()) < 1e-9


def test_an_energy_target_from_a_parameter_that_differs_between_traces_is_refused_in_any_run(tmp_path: Path):
    """A parameter's values were resolved for the run's scenarios only, so a run of the first trace took an energy
    target the model gives differently by trace, which the whole model refuses (a review)."""
    path = tmp_path / "m.yaml"
    text = MODEL.format(evaporation="20", target="{parameter: et, unit: GWh}")
    text = text.replace("nodes:", "scenarios:\n  - {name: h, size: 2}\nparameters:\n"
                        "  et: {type: constantscenario, scenario: h, values: [1, 50]}\nnodes:")
    text = text.replace("inflow: {values: [[500, 500, 500], [400, 400, 400]]}", "inflow: 500")
    path.write_text(text)
    model = daryo.load(path)
    for n_scenarios in (None, 1):
        with pytest.raises(ModelError) as err:
            compile_network(model, n_scenarios=n_scenarios)
        (problem,) = err.value.problems
        assert problem.place.startswith("nodes[plant].energy_target")
        assert "differs between scenarios (2 rows)" in problem.message
