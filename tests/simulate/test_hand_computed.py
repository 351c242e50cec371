"""Tiny networks whose allocation is worked out by hand (drawings in daryo.testmodels)."""

import numpy as np
import pytest

import daryo
from daryo import testmodels
from daryo.network.compile import GWH_PER_HM3_M


def _run(model):
    return daryo.run(model).dataset


def test_shared_shortage_gives_equal_coverage():
    ds = _run(testmodels.shared_shortage())
    d = ds.delivery.isel(scenario=0, time=0)
    assert d.sel(demand="A") == pytest.approx(25.0, abs=1e-7)
    assert d.sel(demand="B") == pytest.approx(35.0, abs=1e-7)
    assert float(ds.sink_inflow.sum()) == pytest.approx(0.0, abs=1e-7)


def test_higher_priority_downstream_served_first():
    ds = _run(testmodels.two_priorities())
    d = ds.delivery.isel(scenario=0, time=0)
    assert d.sel(demand="D") == pytest.approx(70.0, abs=1e-7)
    assert d.sel(demand="U") == pytest.approx(30.0, abs=1e-7)
    assert float(ds.sink_inflow.sum()) == pytest.approx(0.0, abs=1e-7)


def test_equal_coverage_is_max_min_fair():
    ds = _run(testmodels.max_min_fairness())
    d = ds.delivery.isel(scenario=0, time=0)
    assert d.sel(demand="C") == pytest.approx(10.0, abs=1e-7)
    assert d.sel(demand="A") == pytest.approx(20.0, abs=1e-7)
    assert d.sel(demand="B") == pytest.approx(20.0, abs=1e-7)


def test_reservoir_evaporation_and_release():
    ds = _run(testmodels.reservoir_evaporation())
    assert ds.evaporation.isel(scenario=0, reservoir=0).values == pytest.approx([1.0, 1.0])
    assert ds.storage.isel(scenario=0, reservoir=0).values == pytest.approx([79.0, 58.0])
    assert ds.delivery.isel(scenario=0, demand=0).values == pytest.approx([30.0, 30.0])
    assert float(ds.spill.sum()) == pytest.approx(0.0, abs=1e-9)


def test_hydropower_energy_from_fixed_head():
    ds = _run(testmodels.hydropower_fixed_head())
    assert GWH_PER_HM3_M == pytest.approx(2.725e-3)
    assert float(ds.energy.isel(scenario=0, time=0, hydropower=0)) == pytest.approx(24.525)


def test_hydropower_capacity_caps_turbine_flow():
    m = testmodels.build(
        [{"id": "in", "type": "inflow", "inflow": 100},
         {"id": "plant", "type": "hydropower", "capacity": 10, "head": 100, "efficiency": 0.9, "cost": -1},
         {"id": "bypass", "type": "junction"}, {"id": "sea", "type": "sink"}],
        [["in", "plant"], ["in", "bypass"], ["plant", "sea"], ["bypass", "sea"]],
    )
    ds = _run(m)
    # 10 MW for 31 days = 7.44 GWh = q * 2.725e-3 * 100 * 0.9  ->  q = 30.3364 hm³
    q = float(ds.turbine_flow.isel(scenario=0, time=0, hydropower=0))
    assert q == pytest.approx(7.44 / (GWH_PER_HM3_M * 90))
    assert float(ds.energy.isel(scenario=0, time=0, hydropower=0)) == pytest.approx(7.44)


def test_losses_and_return_flows():
    ds = _run(testmodels.losses_and_returns())
    assert float(ds.node_loss.sel(node="reach").isel(scenario=0, time=0)) == pytest.approx(10.0)
    assert float(ds.delivery.isel(scenario=0, time=0, demand=0)) == pytest.approx(50.0)
    assert float(ds.return_flow.isel(scenario=0, time=0, demand=0)) == pytest.approx(20.0)
    assert float(ds.sink_inflow.isel(scenario=0, time=0, sink=0)) == pytest.approx(60.0)
    assert float(abs(ds.mass_balance_error).max()) < 1e-9


def test_flow_requirement_priority_over_lower_demand():
    """
        [in: 50] --> (j) --> [irr: 60, priority 2]
                      |
                      v
                   (river) --> [sea]      eflow 20 at river, priority 1
    """
    m = testmodels.build(
        [{"id": "in", "type": "inflow", "inflow": 50}, {"id": "j", "type": "junction"},
         {"id": "irr", "type": "demand", "demand": 60, "priority": 2}, {"id": "river", "type": "junction"},
         {"id": "eflow", "type": "flow_requirement", "at": "river", "flow": 20, "priority": 1},
         {"id": "sea", "type": "sink"}],
        [["in", "j"], ["j", "irr"], ["j", "river"], ["river", "sea"]],
    )
    ds = _run(m)
    assert float(ds.requirement_met.isel(scenario=0, time=0, requirement=0)) == pytest.approx(20.0)
    assert float(ds.delivery.isel(scenario=0, time=0, demand=0)) == pytest.approx(30.0)


def test_reservoir_rule_curve_holds_water_for_lower_priority():
    """A target volume of priority 2 keeps water from a priority-3 demand but not from a priority-1 one.

        [in: 0] --> <res: V0 = 100, target 90 (p2)> --> (j) --> [a: 5, p1]
                                                          \\--> [b: 50, p3]
    a gets 5; the reservoir keeps its target 90 (so b gets only 100 - 5 - 90 = 5).
    """
    m = testmodels.build(
        [{"id": "in", "type": "inflow", "inflow": 0},
         {"id": "res", "type": "reservoir", "max_volume": 100, "initial_volume": 100,
          "target_volume": 90, "target_priority": 2},
         {"id": "j", "type": "junction"},
         {"id": "a", "type": "demand", "demand": 5, "priority": 1},
         {"id": "b", "type": "demand", "demand": 50, "priority": 3}],
        [["in", "res"], ["res", "j"], ["j", "a"], ["j", "b"]],
    )
    ds = _run(m)
    d = ds.delivery.isel(scenario=0, time=0)
    assert float(d.sel(demand="a")) == pytest.approx(5.0)
    assert float(d.sel(demand="b")) == pytest.approx(5.0)
    assert float(ds.storage.isel(scenario=0, time=0, reservoir=0)) == pytest.approx(90.0)


def test_cost_mode_follows_costs_only():
    """Pywr-style: the cheaper (more negative) demand is served first whatever its priority.

        [in: 10] --> (j) --> [A: 10, cost -5]
                       \\--> [B: 10, cost -9]
    """
    m = testmodels.build(
        [{"id": "in", "type": "inflow", "inflow": 10}, {"id": "j", "type": "junction"},
         {"id": "A", "type": "demand", "demand": 10, "cost": -5, "priority": 1},
         {"id": "B", "type": "demand", "demand": 10, "cost": -9, "priority": 2}],
        [["in", "j"], ["j", "A"], ["j", "B"]], allocation="cost",
    )
    ds = _run(m)
    d = ds.delivery.isel(scenario=0, time=0)
    assert float(d.sel(demand="B")) == pytest.approx(10.0)
    assert float(d.sel(demand="A")) == pytest.approx(0.0, abs=1e-9)


def test_rates_convert_with_step_length():
    """1 m³/s for January (31 days) is 2.6784 hm³; for February 2001 (28 days) 2.4192 hm³."""
    m = testmodels.build(
        [{"id": "in", "type": "inflow", "inflow": "1 m3/s"}, {"id": "sea", "type": "sink"}],
        [["in", "sea"]], steps=2,
    )
    ds = _run(m)
    np.testing.assert_allclose(ds.sink_inflow.isel(scenario=0, sink=0).values, [2.6784, 2.4192])


def test_monthly_edge_loss_is_reported_per_step():
    """
        [in: 100] --(loss 10 % in January, 20 % in February)--> [sea]
    """
    m = testmodels.build(
        [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "sea", "type": "sink"}],
        [{"from": "in", "to": "sea", "loss": [0.1, 0.2] + [0.0] * 10}], steps=2,
    )
    ds = _run(m)
    np.testing.assert_allclose(ds.edge_loss.isel(scenario=0, edge=0).values, [10.0, 20.0])
    np.testing.assert_allclose(ds.sink_inflow.isel(scenario=0, sink=0).values, [90.0, 80.0])
    assert float(abs(ds.mass_balance_error).max()) < 1e-9
    # every node balances with the step's loss (the residual once used January's loss in every step: 10)
    assert float(ds.max_node_balance_error.max()) < 1e-9


def test_node_balance_uses_each_steps_reach_loss():
    """
        [in: 100] --> (r: loss 0, 50 %, 20 %) --> [D: 30]
                                              --> [sea]
    """
    m = testmodels.build(
        [{"id": "in", "type": "inflow", "inflow": 100},
         {"id": "r", "type": "reach", "loss": [0.0, 0.5, 0.2] + [0.0] * 9},
         {"id": "D", "type": "demand", "demand": 30, "priority": 1}, {"id": "sea", "type": "sink"}],
        [["in", "r"], ["r", "D"], ["r", "sea"]], steps=3,
    )
    ds = _run(m)
    np.testing.assert_allclose(ds.sink_inflow.isel(scenario=0, sink=0).values, [70.0, 20.0, 50.0])
    assert float(ds.max_node_balance_error.max()) < 1e-9


def test_cost_mode_spills_at_the_spill_cost():
    """A full dam passes its inflow through the plant (cost 0) rather than over the spillway (spill_cost 1),
    also in cost mode, which gave the spill no cost and spilled everything.

        [in: 10] --> <dam: full 100, spill to sea> --> [plant: 100 MW, head 50] --> [sea]
    """
    m = testmodels.build(
        [{"id": "in", "type": "inflow", "inflow": 10},
         {"id": "dam", "type": "reservoir", "max_volume": 100, "initial_volume": 100, "spill_to": "sea"},
         {"id": "plant", "type": "hydropower", "capacity": 100, "head": 50},
         {"id": "sea", "type": "sink"}],
        [["in", "dam"], ["dam", "plant"], ["plant", "sea"]], allocation="cost",
    )
    ds = _run(m).isel(scenario=0, time=0)
    assert float(ds.turbine_flow.sel(hydropower="plant")) == pytest.approx(10.0)
    assert float(ds.spill.sel(reservoir="dam")) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("allocation", ["priority", "cost"])
def test_requirement_met_is_the_flow_through_the_node_up_to_the_requirement(allocation):
    """[in: 50] --> (river) --> [sea], eflow 20 at river: met 20 in both modes (cost mode, where nothing
    values the requirement, reported 0)."""
    m = testmodels.build(
        [{"id": "in", "type": "inflow", "inflow": {"values": [50, 12]}}, {"id": "river", "type": "junction"},
         {"id": "eflow", "type": "flow_requirement", "at": "river", "flow": 20},
         {"id": "sea", "type": "sink"}],
        [["in", "river"], ["river", "sea"]], allocation=allocation, steps=2,
    )
    ds = _run(m).isel(scenario=0)
    np.testing.assert_allclose(ds.requirement_met.sel(requirement="eflow"), [20.0, 12.0], atol=1e-7)


def test_parallel_reservoirs_split_their_releases_the_same_way_whatever_the_run():
    """Two reservoirs side by side, with as many reservoirs downstream (none), serve a demand of 40: their storage
    values tied, so which one released depended on the method and on the other traces of the run (the plain path
    warm-starts one solver from trace to trace).  The tie is broken by their order in the model: the first keeps
    its water.

        <A: full 72> --> [pA] --\\
        [in] --> <B: 267> --> [pB] --> (j) --> [d: 40], [sea]
    """
    def model(traces):
        return testmodels.build(
            [{"id": "j", "type": "junction"}, {"id": "sea", "type": "sink"},
             {"id": "A", "type": "reservoir", "max_volume": 72},
             {"id": "pA", "type": "hydropower", "capacity": 25, "head": 14},
             {"id": "in", "type": "inflow", "inflow": {"values": traces}},
             {"id": "B", "type": "reservoir", "max_volume": 267},
             {"id": "pB", "type": "hydropower", "capacity": 46, "head": 44},
             {"id": "d", "type": "demand", "demand": 40}],
            [["j", "sea"], ["A", "pA"], ["pA", "j"], ["in", "B"], ["B", "pB"], ["pB", "j"], ["j", "d"]], steps=3)

    trace = [35.8, 14.7, 21.3]
    runs = [daryo.run(model(traces), daryo.RunOptions(method=method)).dataset.isel(scenario=-1)
            for traces in ([trace], [[12.8, 53.2, 72.8], trace]) for method in ("plain", "fast")]
    for ds in runs:
        np.testing.assert_allclose(ds.turbine_flow.sel(hydropower="pB"), [40.0, 40.0, 40.0], atol=1e-7)
        np.testing.assert_allclose(ds.storage.sel(reservoir="A"), [72.0, 72.0, 72.0], atol=1e-7)


def test_an_energy_target_above_the_capacity_shows_its_shortfall():
    """A 10 MW plant can make 7.44 GWh in January (31 days), 6.72 in February: a 20 GWh target is short by
    12.56 and 13.28 GWh, which the results now show (the target was cut to the capacity without a word)."""
    m = testmodels.build(
        [{"id": "in", "type": "inflow", "inflow": 200}, {"id": "j", "type": "junction"},
         {"id": "p", "type": "hydropower", "capacity": 10, "head": 100, "energy_target": 20},
         {"id": "q", "type": "hydropower", "capacity": 100, "head": 100}, {"id": "sea", "type": "sink"}],
        [["in", "j"], ["j", "p"], ["j", "q"], ["p", "sea"], ["q", "sea"]], steps=2)
    ds = _run(m).isel(scenario=0)
    np.testing.assert_allclose(ds.energy.sel(hydropower="p"), [7.44, 6.72], rtol=1e-9)
    np.testing.assert_allclose(ds.energy_target.sel(hydropower="p"), [20.0, 20.0])
    np.testing.assert_allclose(ds.energy_shortfall.sel(hydropower="p"), [12.56, 13.28], rtol=1e-9)
    np.testing.assert_allclose(ds.energy_target.sel(hydropower="q"), [0.0, 0.0])  # no target
    np.testing.assert_allclose(ds.energy_shortfall.sel(hydropower="q"), [0.0, 0.0])


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_a_plant_held_back_by_its_capacity_gets_the_fraction_the_others_get(method):
    r"""Priority 1 shares 50 hm³ between an energy target that needs 100 hm³ at its head but whose capacity passes
    10, and a demand of 100.  Progressive filling raises both to 10 %, where the plant is held back by its
    capacity (10 hm³, 2.4525 GWh), and the demand to 40, as a demand behind a canal of 10 beside another of 100
    is (A, D2 below).  The target was cut to the capacity before the shares were reckoned: 4.5 hm³ (4.5 %) to
    the plant and 45.5 to the demand::

        <dam: 50> --> [hp: 100 m, 3.2964 MW, target 24.525 GWh] --> [sea]      <dam2: 50> --> (canal 10) --> [A: 100]
             \--> [D: 100]                                                          \--> [D2: 100]
    """
    m = testmodels.build([
        {"id": "dam", "type": "reservoir", "max_volume": 200, "initial_volume": 50},
        {"id": "hp", "type": "hydropower", "capacity": "3.2963709677 MW", "head": 100, "efficiency": 0.9,
         "energy_target": 24.525, "energy_priority": 1},
        {"id": "sea", "type": "sink"}, {"id": "D", "type": "demand", "demand": 100, "priority": 1},
        {"id": "dam2", "type": "reservoir", "max_volume": 200, "initial_volume": 50},
        {"id": "cn", "type": "canal", "capacity": 10},
        {"id": "A", "type": "demand", "demand": 100, "priority": 1},
        {"id": "D2", "type": "demand", "demand": 100, "priority": 1},
    ], [["dam", "hp"], ["hp", "sea"], ["dam", "D"], ["dam2", "cn"], ["cn", "A"], ["dam2", "D2"]], steps=1)
    ds = daryo.run(m, daryo.RunOptions(method=method)).dataset.isel(scenario=0, time=0)
    np.testing.assert_allclose(ds.delivery.sel(demand=["D", "A", "D2"]), [40.0, 10.0, 40.0], atol=1e-6)
    assert float(ds.turbine_flow.sel(hydropower="hp")) == pytest.approx(10.0, abs=1e-6)
    assert float(ds.energy.sel(hydropower="hp")) == pytest.approx(10 * 100 * 0.9 * GWH_PER_HM3_M, rel=1e-6)


def test_each_plant_takes_its_head_from_its_own_reservoir():
    """Heads from the start-of-step volume on each plant's own reservoir's level table, minus its tailwater::

        <a: 100 of 200 hm³, level 0-20 m> --> [pa] --> [sea]       head 10 - 0 = 10 m
        <b: 50 of 100 hm³, level 0-100 m> --> [pb] --> [sea]       head 50 - 0 = 50 m
                                          --> [pc] --> [sea]       head 50 - 60 < 0: 0 m (below its tailwater)
    """
    def plant(pid, res, tailwater):
        return {"id": pid, "type": "hydropower", "reservoir": res, "capacity": 100, "efficiency": 0.9,
                "tailwater_level": tailwater}

    m = testmodels.build(
        [{"id": "a", "type": "reservoir", "max_volume": 200, "initial_volume": 100,
          "level_table": {"volume": [0, 200], "level": [0, 20]}},
         {"id": "b", "type": "reservoir", "max_volume": 100, "initial_volume": 50,
          "level_table": {"volume": [0, 100], "level": [0, 100]}},
         plant("pa", "a", 0), plant("pb", "b", 0), plant("pc", "b", 60), {"id": "sea", "type": "sink"}],
        [["a", "pa"], ["b", "pb"], ["b", "pc"], ["pa", "sea"], ["pb", "sea"], ["pc", "sea"]],
    )
    ds = _run(m)
    head = ds["head"].isel(scenario=0, time=0)
    assert head.sel(hydropower=["pa", "pb", "pc"]).values.tolist() == pytest.approx([10.0, 50.0, 0.0])
    assert float(ds.turbine_flow.sel(hydropower="pc").sum()) == pytest.approx(0.0, abs=1e-9)  # no head, no flow


def test_evaporation_below_the_dead_volume_is_not_an_infeasible_step():
    """A reservoir at its dead volume (50 hm³) loses 1 hm³ to evaporation (500 mm × 2 km²): it ends at 49, below
    the dead volume, and releases nothing to the demand downstream; the step is feasible."""
    m = testmodels.build(
        [{"id": "res", "type": "reservoir", "max_volume": 100, "min_volume": 50, "initial_volume": 50,
          "level_table": {"volume": [0, 100], "level": [0, 10], "area": [2, 2]}, "evaporation": 500},
         {"id": "d", "type": "demand", "demand": 5}],
        [["res", "d"]],
    )
    ds = _run(m)
    assert float(ds.evaporation.isel(scenario=0, time=0, reservoir=0)) == pytest.approx(1.0)
    assert float(ds.storage.isel(scenario=0, time=0, reservoir=0)) == pytest.approx(49.0)
    assert float(ds.delivery.isel(scenario=0, time=0, demand=0)) == pytest.approx(0.0, abs=1e-9)


def test_evaporation_never_exceeds_the_water_in_store():
    """1 hm³ in store, 500 mm over 10 km² would evaporate 5 hm³: the reservoir loses its 1 hm³ and ends empty."""
    m = testmodels.build(
        [{"id": "res", "type": "reservoir", "max_volume": 100, "initial_volume": 1,
          "level_table": {"volume": [0, 100], "level": [0, 10], "area": [10, 10]}, "evaporation": 500},
         {"id": "d", "type": "demand", "demand": 5}],
        [["res", "d"]],
    )
    ds = _run(m)
    assert float(ds.evaporation.isel(scenario=0, time=0, reservoir=0)) == pytest.approx(1.0)
    assert float(ds.storage.isel(scenario=0, time=0, reservoir=0)) == pytest.approx(0.0, abs=1e-9)


def test_priority_mode_keeps_water_high_in_the_basin():
    """Two reservoirs in series, 50 hm³ each, no inflow, a demand of 20 below the lower one (listed first): the
    lower one releases it, the upper one keeps its water (storage is worth more the more reservoirs lie
    below it), whatever the order of the model file."""
    m = testmodels.build(
        [{"id": "low", "type": "reservoir", "max_volume": 100, "initial_volume": 50},
         {"id": "up", "type": "reservoir", "max_volume": 100, "initial_volume": 50},
         {"id": "d", "type": "demand", "demand": 20}],
        [["up", "low"], ["low", "d"]],
    )
    ds = _run(m)
    storage = ds.storage.isel(scenario=0, time=0)
    assert float(storage.sel(reservoir="low")) == pytest.approx(30.0)
    assert float(storage.sel(reservoir="up")) == pytest.approx(50.0)


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_a_tiny_demand_at_an_empty_node_does_not_make_the_step_infeasible(method):
    """A network Hypothesis found (tests/simulate/test_properties.py): nothing flows into m0, whose tiny demand d0
    (1e-6 hm³) shares priority 2 with d3 (55), served by the full 10 hm³ reservoir m2.  HiGHS, which keeps
    bounds to 1e-7, let the stage route 1.8e-7 hm³ to d0 through a flow of -1.8e-7; held there, d0 made the
    step's last LP infeasible.  Expected: d0 0, d3 the reservoir's 10 (to the 1e-6 by which such holds relax)."""
    mids = [{"id": f"m{i}", "type": "junction"} for i in range(6)]
    mids[2] = {"id": "m2", "type": "reservoir", "max_volume": 10.0, "min_volume": 0.0, "initial_volume": 10.0,
               "level_table": {"volume": [0, 10.0], "level": [0, 50], "area": [1, 5]}, "evaporation": 0.0,
               "spill_to": "sea"}
    demands = [{"id": f"d{i}", "type": "demand", "demand": R, "priority": p, "consumptive_fraction": 1.0}
               for i, (R, p) in enumerate([(1e-6, 2), (1.0, 1), (0.0, 1), (55.0, 2)])]
    edges = ([["in0", "m0"], ["in1", "m0"]] + [["m0", f"m{i}"] for i in range(1, 6)]
             + [["m0", "d0"], ["m0", "d1"], ["m0", "d2"], ["m2", "d3"]] + [[f"m{i}", "sea"] for i in range(6)])
    m = testmodels.build([{"id": "in0", "type": "inflow", "inflow": [0.0] * 12},
                          {"id": "in1", "type": "inflow", "inflow": 0.0}, *mids, *demands,
                          {"id": "sea", "type": "sink"}], edges)
    ds = daryo.run(m, daryo.RunOptions(method=method)).dataset
    assert ds.delivery.isel(scenario=0, time=0).values == pytest.approx([0.0, 0.0, 0.0, 10.0], abs=1e-5)


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_a_river_with_water_enough_is_allocated_as_if_alone(method):
    """Two rivers in one model::

        [a_in: 30] --> (a_j) --> [a_d: 40, priority 1]            short every month: 30 of 40
        [b_in: 100] --> <b_r: 100 stored> --> [b_d1: 50, p 1], [b_d2: 20, p 2]   always served in full

    River b is served in full (50 and 20) and stores the other 30 each month, exactly as the model of river b
    alone does: a's shortage does not send b through the stages, which held b's deliveries 1e-9 below their
    requirement and let that drift into b's storage (2.4e-7 hm³ after 120 months on the plain path)."""
    from daryo.testmodels import build

    a = [{"id": "a_in", "type": "inflow", "inflow": 30.0}, {"id": "a_j", "type": "junction"},
         {"id": "a_d", "type": "demand", "demand": 40.0, "priority": 1}]
    b = [{"id": "b_in", "type": "inflow", "inflow": 100.0},
         {"id": "b_r", "type": "reservoir", "max_volume": 1e5, "initial_volume": 100.0},
         {"id": "b_d1", "type": "demand", "demand": 50.0, "priority": 1},
         {"id": "b_d2", "type": "demand", "demand": 20.0, "priority": 2}]
    ea, eb = [["a_in", "a_j"], ["a_j", "a_d"]], [["b_in", "b_r"], ["b_r", "b_d1"], ["b_r", "b_d2"]]
    options = daryo.RunOptions(method=method)
    both = daryo.run(build(a + b, ea + eb, steps=120), options).dataset.isel(scenario=0)
    alone = daryo.run(build(b, eb, steps=120), options).dataset.isel(scenario=0)
    assert np.all(both.delivery.sel(demand="a_d").values == pytest.approx(30.0, abs=1e-7))
    assert np.all(both.delivery.sel(demand="b_d1").values == 50.0)
    assert np.all(both.delivery.sel(demand="b_d2").values == 20.0)
    np.testing.assert_array_equal(both.storage.sel(reservoir="b_r").values, alone.storage.sel(reservoir="b_r").values)
    assert float(both.storage.sel(reservoir="b_r")[-1]) == pytest.approx(100.0 + 120 * 30.0, rel=1e-12)


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_inflow_makes_up_evaporation_before_releases_draw_below_the_dead_volume(method):
    """In 20 hm³ (the dead volume), evaporation 200 mm × 10 km² = 2 hm³, inflow 10 hm³ a month, demand 50: the
    inflow first makes up the evaporation, so 20 + 10 − 2 − 20 = 8 hm³ can be released, and the reservoir stays
    at its dead volume (with the end volume's bound alone, min(20, 20 − 2), it released 10 and sank by 2 hm³ a
    month).  Without inflow nothing is released and evaporation takes it below (water cannot be created)."""
    def dead_volume_model(inflow: float):
        return testmodels.build([
            {"id": "in", "type": "inflow", "inflow": inflow},
            {"id": "res", "type": "reservoir", "max_volume": 100.0, "min_volume": 20.0, "initial_volume": 20.0,
             "level_table": {"volume": [0.0, 100.0], "level": [0.0, 10.0], "area": [10.0, 10.0]},
             "evaporation": 200.0},
            {"id": "d", "type": "demand", "demand": 50.0},
        ], [["in", "res"], ["res", "d"]], steps=3)

    ds = daryo.run(dead_volume_model(10.0), daryo.RunOptions(method=method)).dataset.isel(scenario=0)
    assert ds.evaporation.sel(reservoir="res").values == pytest.approx([2.0] * 3)
    assert ds.delivery.sel(demand="d").values == pytest.approx([8.0] * 3)
    assert ds.storage.sel(reservoir="res").values == pytest.approx([20.0] * 3)
    dry = daryo.run(dead_volume_model(0.0), daryo.RunOptions(method=method)).dataset.isel(scenario=0)
    assert dry.delivery.sel(demand="d").values == pytest.approx([0.0] * 3, abs=1e-6)
    assert dry.storage.sel(reservoir="res").values == pytest.approx([18.0, 16.0, 14.0])


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_a_shortage_shared_in_large_numbers_is_shared_as_in_small_ones(method):
    """The shared shortage (A 50, B 70 from 60: 50 % each) at 200,000 times the size, with a priority-2 demand C
    that must get nothing: A 5e6, B 7e6, C 0.  The plain path's coverage stage used to count a hm³ delivered at
    1/R_j, below HiGHS's dual tolerance for requirements this large: it gave A and B nothing and C 1.2e7."""
    k = 2e5
    m = testmodels.build(
        [{"id": "in", "type": "inflow", "inflow": 60 * k}, {"id": "j", "type": "junction"},
         {"id": "A", "type": "demand", "demand": 50 * k, "priority": 1},
         {"id": "B", "type": "demand", "demand": 70 * k, "priority": 1},
         {"id": "C", "type": "demand", "demand": 70 * k, "priority": 2},
         {"id": "out", "type": "sink"}],
        [["in", "j"], ["j", "A"], ["j", "B"], ["j", "C"], ["j", "out"]])
    d = daryo.run(m, daryo.RunOptions(method=method)).dataset.delivery.isel(scenario=0, time=0)
    assert d.values == pytest.approx([25 * k, 35 * k, 0.0], abs=1e-3)


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_an_energy_target_at_a_head_near_zero_still_takes_the_water_it_can(method):
    """A plant below an empty reservoir (10⁻⁹ hm³ at 100 m, the tailwater's level: a head of ~4·10⁻¹⁰ m) has an
    energy target at priority 1, which asks ~2·10¹¹ hm³ through its turbines, and an environmental flow below it
    asks 10 at the same priority.  The 5 hm³ of inflow pass the turbines to the environmental flow and the sea:
    they serve both, ahead of the reservoir's priority-2 refill target.  The plain path used to leave them in the
    reservoir (its stage could not tell a hm³ for a requirement that large from none)."""
    m = testmodels.build([
        {"id": "in", "type": "inflow", "inflow": 5.0},
        {"id": "res", "type": "reservoir", "max_volume": 100.0, "initial_volume": 1e-9,
         "level_table": {"volume": [0, 100], "level": [100, 140]}, "target_volume": 50.0, "target_priority": 2},
        {"id": "plant", "type": "hydropower", "capacity": 6.0, "reservoir": "res", "tailwater_level": 100.0,
         "energy_target": 0.2, "energy_priority": 1},
        {"id": "j", "type": "junction"},
        {"id": "eflow", "type": "flow_requirement", "at": "j", "flow": 10.0, "priority": 1},
        {"id": "sea", "type": "sink"},
    ], [["in", "res"], ["res", "plant"], ["plant", "j"], ["j", "sea"]], steps=1)
    ds = daryo.run(m, daryo.RunOptions(method=method)).dataset
    assert float(ds.storage.isel(scenario=0, time=0).sel(reservoir="res")) == pytest.approx(0.0, abs=1e-6)
    assert float(ds.sink_inflow.isel(scenario=0, time=0).sum()) == pytest.approx(5.0, abs=1e-6)


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_side_by_side_reservoirs_of_a_model_with_many_keep_the_first_ones_water(method):
    """Reservoirs A and B side by side, in a model of 60 reservoirs (the 58 others each on a river of its own).
    60 hm³ arrive in the first month; a demand below them asks 10 every other month.  The first in the file
    keeps its water: A fills from 50 to 100 and B takes the other 10; B then serves the demand (60, 50, 50, 40).
    The tie-break between them is 5·10⁻⁶ / 60 per hm³, which HiGHS's default tolerance (10⁻⁷) did not see."""
    nodes = [{"id": "in", "type": "inflow", "inflow": [60.0] + [0.0] * 11}, {"id": "j", "type": "junction"},
             {"id": "o", "type": "junction"},
             {"id": "A", "type": "reservoir", "max_volume": 100.0, "initial_volume": 50.0},
             {"id": "B", "type": "reservoir", "max_volume": 100.0, "initial_volume": 50.0},
             {"id": "d", "type": "demand", "demand": [0, 10.0] * 6, "priority": 1}, {"id": "sea", "type": "sink"}]
    edges = [["in", "j"], ["j", "A"], ["j", "B"], ["A", "o"], ["B", "o"], ["o", "d"], ["o", "sea"]]
    for k in range(58):
        nodes += [{"id": f"q{k}", "type": "inflow", "inflow": 1.0},
                  {"id": f"r{k}", "type": "reservoir", "max_volume": 10.0, "initial_volume": 5.0},
                  {"id": f"s{k}", "type": "sink"}]
        edges += [[f"q{k}", f"r{k}"], [f"r{k}", f"s{k}"]]
    m = testmodels.build(nodes, edges, steps=4)
    storage = daryo.run(m, daryo.RunOptions(method=method)).dataset.storage.isel(scenario=0)
    assert storage.sel(reservoir="A").values == pytest.approx([100.0] * 4, abs=1e-6)
    assert storage.sel(reservoir="B").values == pytest.approx([60.0, 50.0, 50.0, 40.0], abs=1e-6)


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_a_delays_cost_is_on_the_water_entering_it(method):
    """Cost mode::

        [in: 10, 20, 30] --> <lag: 1 step, initial 4, cost −1> --> [d: 100, cost −1]
                         --> [sea]

    The delay's benefit draws the inflow into it, and d gets it a step later: 4, 10, 20.  The cost was on the
    water leaving, which is fixed, so it moved nothing: the inflow went to the sea and d got 4, 0, 0."""
    m = testmodels.build(
        [{"id": "in", "type": "inflow", "inflow": {"values": [10, 20, 30]}},
         {"id": "lag", "type": "delay", "steps": 1, "initial_flow": 4, "cost": -1},
         {"id": "d", "type": "demand", "demand": 100, "cost": -1}, {"id": "sea", "type": "sink"}],
        [["in", "lag"], ["lag", "d"], ["in", "sea"]], steps=3, allocation="cost")
    ds = daryo.run(m, daryo.RunOptions(method=method)).dataset
    np.testing.assert_allclose(ds.delivery.sel(demand="d").values.ravel(), [4.0, 10.0, 20.0], atol=1e-9)


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_no_more_enters_a_delay_than_its_outlets_take_when_it_leaves(method):
    """Priority mode::

        [in: 100] --> (j) --> [sea]
                          --> <lag: 1 step> --> [E: demand 5]

    No requirement needs water this step (E's, below the delay, draws none in), so where the spare 100 hm³ go is
    the last solve's choice, a tie.  The solve sent all of it into the delay, whose only outlet, E, takes 5: the
    next step was infeasible, in a model that validates (a QA pass).  What enters the delay is now held to what E
    takes a step later, so the run goes on, and E gets what entered."""
    m = testmodels.build(
        [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "j", "type": "junction"},
         {"id": "lag", "type": "delay", "steps": 1}, {"id": "E", "type": "demand", "demand": 5},
         {"id": "sea", "type": "sink"}],
        [["in", "j"], ["j", "sea"], ["j", "lag"], ["lag", "E"]], steps=3)
    ds = daryo.run(m, daryo.RunOptions(method=method)).dataset.isel(scenario=0)
    entered = ds.delay_inflow.sel(delay="lag").values
    assert np.all(entered <= 5 + 1e-9)
    np.testing.assert_allclose(ds.delivery.sel(demand="E").values[1:], entered[:-1], atol=1e-9)
    np.testing.assert_allclose(ds.edge_flow.sel(edge="j->sea").values + entered, 100.0, atol=1e-9)


@pytest.mark.parametrize("method", ["plain", "fast"])
@pytest.mark.parametrize("cap", [{"edge": 50}, {"canal": 50}], ids=["capped-edge", "canal"])
def test_a_maximum_before_a_smaller_demand_lets_in_only_what_the_demand_takes(method, cap):
    """Priority mode, the sea costing 0.01 a hm³, so that spare water goes into the delay where it may::

        [in: 100] --> (j) --> [sea]
                          --> <lag: 1 step> --(max 50)--> [E: demand 5]

    The bound on what enters the delay stopped at the first limited element, the 50, and the next step was
    infeasible (a review); it is the least of what each element on the way takes: 5.  Water that would leave
    after the run (the last step's) is not held back."""
    via = [{"id": "c", "type": "canal", "capacity": 50}] if "canal" in cap else []
    edges = ([["lag", "c"], ["c", "E"]] if via else [{"from": "lag", "to": "E", "max_flow": 50}])
    m = testmodels.build(
        [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "j", "type": "junction"},
         {"id": "lag", "type": "delay", "steps": 1}, {"id": "E", "type": "demand", "demand": 5},
         {"id": "sea", "type": "sink", "cost": 0.01}, *via],
        [["in", "j"], ["j", "sea"], ["j", "lag"], *edges], steps=3)
    ds = daryo.run(m, daryo.RunOptions(method=method)).dataset.isel(scenario=0)
    np.testing.assert_allclose(ds.delay_inflow.sel(delay="lag").values, [5.0, 5.0, 100.0], atol=1e-9)
    np.testing.assert_allclose(ds.delivery.sel(demand="E").values, [0.0, 5.0, 5.0], atol=1e-9)


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_water_that_leaves_a_delay_after_the_run_is_not_held_back(method):
    """A delay of 2 steps with no way out, in a run of 2 steps: its water would leave after the run, so it takes
    the inflow (the bound on what enters was 0 at every step, and the first step was infeasible: a review)."""
    m = testmodels.build([{"id": "in", "type": "inflow", "inflow": 10}, {"id": "lag", "type": "delay", "steps": 2}],
                         [["in", "lag"]], steps=2)
    ds = daryo.run(m, daryo.RunOptions(method=method)).dataset
    np.testing.assert_allclose(ds.delay_inflow.values.ravel(), [10.0, 10.0], atol=1e-9)


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_a_delay_whose_outlets_take_all_is_still_preferred_to_a_lossy_route_and_feeds_its_plant(method):
    """The bound on what enters a delay is what its outlets take: a canal of 1,000 below a delay takes all of 100,
    so the water goes through the delay rather than along a reach that loses half (a first fix, a cost on entering
    any delay with a maximum below it, sent it along the reach: a review); and water passes a plant below a delay
    whose capacity is power, not a maximum of flow."""
    inflow, j, lag = ({"id": "in", "type": "inflow", "inflow": 100}, {"id": "j", "type": "junction"},
                      {"id": "lag", "type": "delay", "steps": 1})
    lossy = testmodels.build(
        [inflow, j, lag, {"id": "c", "type": "canal", "capacity": 1000}, {"id": "r", "type": "reach", "loss": 0.5},
         {"id": "sea", "type": "sink"}],
        [["in", "j"], ["j", "lag"], ["lag", "c"], ["c", "sea"], ["j", "r"], ["r", "sea"]], steps=3)
    ds = daryo.run(lossy, daryo.RunOptions(method=method)).dataset.isel(scenario=0)
    np.testing.assert_allclose(ds.sink_inflow.sel(sink="sea").values, [0.0, 100.0, 100.0], atol=1e-9)
    plant = testmodels.build(
        [inflow, j, lag, {"id": "hp", "type": "hydropower", "capacity": 1000, "head": 50},
         {"id": "sea", "type": "sink"}],
        [["in", "j"], ["j", "lag"], ["lag", "hp"], ["hp", "sea"]], steps=3)
    ds = daryo.run(plant, daryo.RunOptions(method=method)).dataset.isel(scenario=0)
    np.testing.assert_allclose(ds.energy.values.ravel(), [0.0, 2.725e-3 * 100 * 50 * 0.9, 2.725e-3 * 100 * 50 * 0.9],
                               rtol=1e-9)


def test_a_state_dependent_cost_keeps_prioritys_storage_value():
    """In priority mode water no one needs stays stored: a reservoir's column carries the storage value (1e-3 per
    hm³ here) on top of its own cost, which outweighs the sea's small benefit (-5e-4).  A cost given by a
    state-dependent parameter (0 in both zones of a control curve) keeps it: the reservoir fills by the inflow,
    10 hm³ a step, as with a cost of 0 written as a number."""
    def model(cost):
        return daryo.model.model_from_dict({
            "version": 1, "name": "t", "time": {"start": "2001-01", "end": "2001-06", "step": "month"},
            "parameters": {"x": {"type": "controlcurve", "reservoir": "r", "control_curves": [0.5],
                                 "values": [0.0, 0.0]}},
            "nodes": [{"id": "in", "type": "inflow", "inflow": 10.0},
                      {"id": "r", "type": "reservoir", "max_volume": 100.0, "initial_volume": 20.0, "cost": cost},
                      {"id": "sea", "type": "sink", "cost": -5e-4}],
            "edges": [["in", "r"], ["r", "sea"]]})
    for cost in (0.0, {"parameter": "x"}):
        storage = daryo.run(model(cost)).dataset["storage"].sel(reservoir="r").isel(scenario=0).values
        np.testing.assert_allclose(storage, [30.0, 40.0, 50.0, 60.0, 70.0, 80.0], atol=1e-9)


def test_a_scenarios_plain_path_answer_depends_on_no_other_scenario_where_costs_tie():
    """A hydro-economic modeller's review: with equal costs (two demands, two reservoirs of one value: many optima),
    the plain path, the reference, gave a trace other deliveries alone than beside other traces, and two identical
    traces of one run different ones, as each solve started from the solver's state after the scenario before.
    Each scenario's step now starts from its own last basis, and nothing else of the solver's."""
    nodes = [{"id": "src", "type": "inflow", "inflow": 10},
             {"id": "j", "type": "junction"},
             {"id": "fa", "type": "demand", "demand": 8, "cost": -5},
             {"id": "fb", "type": "demand", "demand": 8, "cost": -5},
             {"id": "ra", "type": "reservoir", "max_volume": 50, "initial_volume": 10, "cost": -1},
             {"id": "rb", "type": "reservoir", "max_volume": 50, "initial_volume": 10, "cost": -1},
             {"id": "j2", "type": "junction"},
             {"id": "sea", "type": "sink"}]
    edges = [["src", "j"], ["j", "ra"], ["j", "rb"], ["ra", "j2"], ["rb", "j2"], ["j2", "fa"], ["j2", "fb"],
             ["j2", "sea"]]
    alone = testmodels.build(nodes, edges, steps=6, allocation="cost")
    beside = testmodels.build([{**nodes[0], "inflow": {"values": [[10] * 6, [12, 4, 10, 7, 30, 1], [10] * 6]}},
                               *nodes[1:]], edges, steps=6, allocation="cost")
    plain = daryo.RunOptions(method="plain")
    one = daryo.run(alone, plain).dataset
    three = daryo.run(beside, plain).dataset
    for k in (0, 2):
        for var in ("delivery", "storage"):
            np.testing.assert_array_equal(three[var].isel(scenario=k).values, one[var].isel(scenario=0).values)
    assert not np.array_equal(three["delivery"].isel(scenario=1).values, one["delivery"].isel(scenario=0).values)


def _beside_a_huge_demand(small: float) -> daryo.Model:
    """A river of 500,000 hm³ and two demands of priority 1: irrigation 10⁶ hm³ and a village ``small``::

        river ─► j ─┬─► irrigation (10⁶, priority 1)
                    ├─► village    (small, priority 1)
                    └─► sea
    """
    return testmodels.build(
        [{"id": "river", "type": "inflow", "inflow": 500000.0}, {"id": "j", "type": "junction"},
         {"id": "irrigation", "type": "demand", "demand": 1e6, "priority": 1},
         {"id": "village", "type": "demand", "demand": small, "priority": 1, "category": "municipal"},
         {"id": "sea", "type": "sink"}],
        [["river", "j"], ["j", "irrigation"], ["j", "village"], ["j", "sea"]], steps=3)


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_a_demand_a_billion_times_smaller_than_another_of_its_priority_gets_its_share(method):
    """A numerical analyst's review: a village asking 0.001 hm³ beside an irrigation demand of 10⁶ hm³ at the same
    priority, with water for half of what they ask: each gets the same share, 500,000/(10⁶ + 0.001) of its
    demand, the village 0.0005 hm³.  The plain path gave it 9.9e-10: its coverage row's coefficient, −R_j/α =
    −10⁻⁹, is one HiGHS drops (small_matrix_value), so the row held the village to nothing in the stage that
    served the irrigation, which took all the water."""
    ds = daryo.run(_beside_a_huge_demand(0.001), daryo.RunOptions(method=method)).dataset
    share = 500000.0 / (1e6 + 0.001)
    assert ds.delivery.sel(demand="village").isel(scenario=0).values == pytest.approx([0.001 * share] * 3, abs=2e-9)
    assert ds.delivery.sel(demand="irrigation").isel(scenario=0).values == pytest.approx([1e6 * share] * 3, abs=1e-6)


@pytest.mark.parametrize("ratio", [1e-3, 1e-6, 1e-8, 1e-9, 2e-10, 1e-11, 1e-12, 1e-14])
def test_both_paths_share_a_shortage_between_demands_of_any_sizes_alike(ratio):
    """A numerical analyst's review: the shortage of the network above, shared by demands whose sizes differ by
    ``ratio`` (the village's 10⁶ × ratio hm³ beside the irrigation's 10⁶), gives each the same share of its demand
    on both paths, to the 1e-9 hm³ a stage holds a served demand below what it got.  The plain path gave the
    smaller nothing from a ratio of 1e-9 down."""
    small = 1e6 * ratio
    want = small * 500000.0 / (1e6 + small)
    got = [float(daryo.run(_beside_a_huge_demand(small), daryo.RunOptions(method=method)).dataset.delivery
                 .sel(demand="village").isel(scenario=0, time=0)) for method in ("plain", "fast")]
    assert got == pytest.approx([want, want], rel=1e-9, abs=2e-9)
