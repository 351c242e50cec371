"""The engine features that the Pywr importer maps onto, in daryo's own model format: parameters (static and
state-dependent), scenario dimensions, ``flow_sum``/``flow_ratio`` constraints, the ``delay`` component and
``above_max: hold``.  Small networks whose answers are worked out by hand, plus invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import daryo
from daryo.model import model_from_dict
from daryo.network import compile_network
from daryo.parameters import ControlCurveInterpolated, align_to_steps
from daryo.simulate.fastpath import fast_path_unsupported
from daryo.timeaxis import TimeAxis


def doc(nodes, edges, parameters=None, steps=3, **extra):
    end = f"2001-{steps:02d}"
    d = {"version": 1, "name": "t", "allocation": "cost", "time": {"start": "2001-01", "end": end, "step": "month"},
         "nodes": nodes, "edges": edges}
    if parameters:
        d["parameters"] = parameters
    d.update(extra)
    return d


def run(d):
    return daryo.run(model_from_dict(d)).dataset.isel(scenario=0)


def test_control_curve_cost_switches_with_the_proportion_full():
    """::

        [in: 10/step] --> (dam: 100, starts at 60) --> [town: 30/step, cost -5]

    The dam's cost is -10 at or above 50 % full, -1 below.  Step 1 (60 % full): storing (-10) beats the town
    (-5): the dam fills to 70, the town gets 0.  Later steps likewise: 80, 90 (always above 50 %).  Starting
    at 40 % instead, the town wins every step and the dam empties: 20, 0, 0."""
    d = doc([{"id": "in", "type": "inflow", "inflow": 10},
             {"id": "dam", "type": "reservoir", "max_volume": 100, "initial_volume": 60,
              "cost": {"parameter": "cc"}},
             {"id": "town", "type": "demand", "demand": 30, "cost": -5}],
            [["in", "dam"], ["dam", "town"]],
            {"cc": {"type": "controlcurve", "reservoir": "dam", "control_curves": [0.5], "values": [-10, -1]}})
    ds = run(d)
    np.testing.assert_allclose(ds.storage.sel(reservoir="dam"), [70, 80, 90])
    np.testing.assert_allclose(ds.node_flow.sel(node="town"), [0, 0, 0])
    # below the curve the town wins: start at 40 % (cost -1 for storage, the town takes 30 of 40 + 10)
    d["nodes"][1]["initial_volume"] = 40
    ds = run(d)
    np.testing.assert_allclose(ds.node_flow.sel(node="town"), [30, 30, 10])
    np.testing.assert_allclose(ds.storage.sel(reservoir="dam"), [20, 0, 0])


def test_storage_parameter_limits_a_release_to_a_fraction_of_the_volume():
    """The release is at most 25 % of the start-of-step volume: 100 -> 75 -> 56.25."""
    d = doc([{"id": "dam", "type": "reservoir", "max_volume": 100},
             {"id": "out", "type": "reach", "max_flow": {"parameter": "quarter"}},
             {"id": "sea", "type": "sink", "cost": -1}],
            [["dam", "out"], ["out", "sea"]],
            {"quarter": {"type": "aggregated", "agg_func": "product",
                         "parameters": [{"type": "storage", "reservoir": "dam"}, 0.25]}})
    np.testing.assert_allclose(run(d).storage.sel(reservoir="dam"), [75, 56.25, 42.1875])


def test_a_parameter_that_is_not_a_finite_number_is_refused():
    """1/0 (static) is refused when the network is built; 100/storage (state-dependent) at the step where the
    reservoir is empty: they gave an infinite demand that was delivered nothing, and a run that succeeded."""
    nodes = [{"id": "in", "type": "inflow", "inflow": 3}, {"id": "dam", "type": "reservoir", "max_volume": 10,
                                                            "initial_volume": 3},
             {"id": "town", "type": "demand", "demand": {"parameter": "x"}}]
    edges = [["in", "dam"], ["dam", "town"]]
    zero = {"x": {"type": "division", "numerator": 1, "denominator": "z"}, "z": {"type": "constant", "value": 0}}
    with pytest.raises(daryo.ModelError, match=r"parameters\[x\].*: evaluates to inf at the step starting "
                       r"2001-01-01 \(scenario 0\); a parameter's value must be a finite number"):
        compile_network(model_from_dict(doc(nodes, edges, zero)))
    empty = {"x": {"type": "division", "numerator": 100, "denominator": {"type": "storage", "reservoir": "dam"}}}
    nodes[2]["cost"] = -1
    with pytest.raises(daryo.ModelError, match=r"parameters\[x\].*: evaluates to inf at the step starting "
                       r"2001-02-01 \(scenario 0\)"):
        run(doc(nodes, edges, empty))  # January wants 100/3 and empties the dam (3 + 3 hm³); February 100/0
    fine = {"x": {"type": "division", "numerator": 1, "denominator": "z"}, "z": {"type": "constant", "value": 0},
            "unused": {"type": "constant", "value": 1}}
    nodes[2]["demand"] = {"parameter": "unused"}
    run(doc(nodes, edges, fine))  # a parameter nothing reads may be anything


def test_delay_passes_water_on_and_conserves_it():
    """in (5, 7, 9, 11) -> delay 2 steps (initial 1 per step) -> sea: the sea gets 1, 1, 5, 7; the
    mass balance counts the water on its way."""
    d = doc([{"id": "in", "type": "inflow", "inflow": {"values": [5, 7, 9, 11]}},
             {"id": "lag", "type": "delay", "steps": 2, "initial_flow": 1},
             {"id": "sea", "type": "sink"}], [["in", "lag"], ["lag", "sea"]], steps=4)
    ds = run(d)
    np.testing.assert_allclose(ds.node_flow.sel(node="sea"), [1, 1, 5, 7])
    np.testing.assert_allclose(ds.delay_inflow.sel(delay="lag"), [5, 7, 9, 11])
    assert float(abs(ds.mass_balance_error).max()) < 1e-9


def test_delay_carrying_the_rate_rescales_to_the_step_length():
    """carry: rate (Pywr's DelayNode): 31 hm³ in January (1/day) leaves in February as 28 hm³ (1/day)."""
    d = doc([{"id": "in", "type": "inflow", "inflow": "1 hm3/day"},
             {"id": "lag", "type": "delay", "steps": 1, "carry": "rate"},
             {"id": "sea", "type": "sink"}], [["in", "lag"], ["lag", "sea"]])
    ds = run(d)
    np.testing.assert_allclose(ds.node_flow.sel(node="sea"), [0, 28, 31])
    # the mass balance shows what the delay loses: 31 hm³ entered in January, 28 left in February (and 28 in
    # February, 31 left in March); it hid this, counting the water leaving as the water that had entered
    np.testing.assert_allclose(ds.mass_balance_error, [0, 3, -3], atol=1e-9)


def test_flow_sum_and_flow_ratio_constraints():
    """::

        [in: 100] --> (a) --> [A: 80, cost -3]
                  \\-> (b) --> [B: 80, cost -2]
                  \\-> [sea]

    A licence caps a + b at 60, and a : b = 1 : 2; so a = 20, b = 40 although A pays more."""
    d = doc([{"id": "in", "type": "inflow", "inflow": 100}, {"id": "a", "type": "reach"},
             {"id": "b", "type": "reach"}, {"id": "A", "type": "demand", "demand": 80, "cost": -3},
             {"id": "B", "type": "demand", "demand": 80, "cost": -2}, {"id": "sea", "type": "sink"}],
            [["in", "a"], ["in", "b"], ["a", "A"], ["b", "B"], ["in", "sea"]],
            constraints=[{"id": "licence", "type": "flow_sum", "nodes": ["a", "b"], "max_flow": 60},
                         {"id": "split", "type": "flow_ratio", "nodes": ["a", "b"], "factors": [1, 2]}])
    ds = run(d)
    np.testing.assert_allclose(ds.node_flow.sel(node=["a", "b", "sea"]).isel(time=0), [20, 40, 40])


def test_hold_keeps_water_above_a_falling_maximum():
    """max_volume falls from 100 to 60 in February: `release` (default) must drain to 60, `hold` keeps 100."""
    base = [{"id": "dam", "type": "reservoir", "max_volume": {"values": [100, 60, 60]}, "initial_volume": 100,
             "cost": -1}, {"id": "sea", "type": "sink"}]
    np.testing.assert_allclose(run(doc(base, [["dam", "sea"]])).storage.sel(reservoir="dam"), [100, 60, 60])
    base[0]["above_max"] = "hold"
    np.testing.assert_allclose(run(doc(base, [["dam", "sea"]])).storage.sel(reservoir="dam"), [100, 100, 100])


def test_scenario_dimensions_multiply_and_parameters_follow_their_dimension():
    d = doc([{"id": "in", "type": "inflow", "inflow": {"parameter": "q"}},
             {"id": "town", "type": "demand", "demand": {"parameter": "dem"}, "cost": -1},
             {"id": "sea", "type": "sink"}], [["in", "town"], ["in", "sea"]],
            {"q": {"type": "constantscenario", "scenario": "wet", "values": [10, 20, 30]},
             "dem": {"type": "constantscenario", "scenario": "use", "values": [5, 25]}},
            scenarios=[{"name": "wet", "size": 3}, {"name": "use", "size": 2, "names": ["low", "high"]}])
    model = model_from_dict(d)
    assert model.scenario_names[:2] == ("wet=0, use=low", "wet=0, use=high")
    town = daryo.run(model).dataset.node_flow.sel(node="town").isel(time=0).values
    np.testing.assert_allclose(town, [5, 10, 5, 20, 5, 25])


def test_static_parameters_keep_the_fast_path_and_state_ones_leave_it():
    nodes = [{"id": "in", "type": "inflow", "inflow": {"parameter": "q", "unit": "hm3/day"}},
             {"id": "dam", "type": "reservoir", "max_volume": 50, "cost": {"parameter": "c"}},
             {"id": "sea", "type": "sink"}]
    params = {"q": {"type": "monthlyprofile", "values": list(range(1, 13))}, "c": -1}
    net = compile_network(model_from_dict(doc(nodes, [["in", "dam"], ["dam", "sea"]], params)))
    assert net.parameters is None and fast_path_unsupported(net) is None
    params["c"] = {"type": "controlcurve", "reservoir": "dam", "control_curves": [0.5], "values": [-1, -2]}
    net = compile_network(model_from_dict(doc(nodes, [["in", "dam"], ["dam", "sea"]], params)))
    assert net.parameters is not None and "parameters" in (fast_path_unsupported(net) or "")


def test_parameter_problems_are_reported_together():
    d = doc([{"id": "in", "type": "inflow", "inflow": {"parameter": "nope"}},
             {"id": "r", "type": "reach", "loss": {"parameter": "cc"}}, {"id": "sea", "type": "sink"}],
            [["in", "r"], ["r", "sea"]],
            {"cc": {"type": "controlcurve", "reservoir": "r", "control_curves": [0.5], "values": [1]},
             "loop1": {"type": "negative", "parameter": "loop2"}, "loop2": {"type": "negative", "parameter": "loop1"},
             "odd": {"type": "splines"}})
    with pytest.raises(daryo.ModelError) as err:
        model_from_dict(d)
    msg = str(err.value)
    assert "nodes[in].inflow: names parameter 'nope', which is not defined under 'parameters'" in msg
    assert "parameters[cc]: needs one more value than control curves (2), got 1" in msg
    assert "parameters[odd]: unknown parameter type 'splines'" in msg
    assert "parameters depend on each other in a cycle: loop1 -> loop2 -> loop1" in msg


def test_a_state_dependent_parameter_where_it_cannot_act_is_refused():
    d = doc([{"id": "dam", "type": "reservoir", "max_volume": 10},
             {"id": "r", "type": "reach", "loss": {"parameter": "cc"}}, {"id": "sea", "type": "sink"}],
            [["dam", "r"], ["r", "sea"]],
            {"cc": {"type": "controlcurve", "reservoir": "dam", "control_curves": [0.5], "values": [0.1, 0.2]}})
    with pytest.raises(daryo.ModelError, match=r"nodes\[r\]\.loss: parameter 'cc' depends on the reservoir state"):
        compile_network(model_from_dict(d))


def test_csv_alignment_daily_month_end_and_coarser():
    months = TimeAxis.from_range("2001-01", "2001-03")
    days = pd.date_range("2001-01-01", "2001-03-31", freq="D")
    daily = pd.DataFrame({"q": np.arange(len(days), dtype=float)}, index=days)
    np.testing.assert_allclose(align_to_steps(daily, months, "f", "p")[:, 0], [15.0, 44.5, 74.0])
    ends = pd.DataFrame({"q": [1.0, 2.0, 3.0]}, index=pd.to_datetime(["2001-01-31", "2001-02-28", "2001-03-31"]))
    np.testing.assert_allclose(align_to_steps(ends, months, "f", "p")[:, 0], [1, 2, 3])
    weeks = TimeAxis.from_range("2001-01-29", "2001-02-12", 7)  # a week spanning January and February
    np.testing.assert_allclose(align_to_steps(ends, weeks, "f", "p")[:, 0], [(3 * 1 + 4 * 2) / 7, 2, 2])
    with pytest.raises(daryo.ModelError, match="no value for 2001-04-01"):
        align_to_steps(ends, TimeAxis.from_range("2001-01", "2001-04"), "f", "p")


def test_csv_alignment_n_day_files_and_steps_and_the_refusals():
    months = TimeAxis.from_range("2001-01", "2001-03")
    fives = pd.DataFrame({"q": np.arange(18.0)}, index=pd.date_range("2001-01-01", periods=18, freq="5D"))
    # rows of a finer file belong to the step they start in: 1..31 January, 5..25 February, 2..27 March
    np.testing.assert_allclose(align_to_steps(fives, months, "f", "p")[:, 0], [3.0, 9.0, 14.5])
    days = pd.date_range("2001-01-01", "2001-03-31", freq="D")
    daily = pd.DataFrame({"a": np.arange(len(days), dtype=float), "b": -np.arange(len(days), dtype=float)},
                         index=days)
    tens = TimeAxis.from_range("2001-01-01", "2001-03-21", 10)
    np.testing.assert_allclose(align_to_steps(daily, tens, "f", "p"), [[4.5 + 10 * k, -4.5 - 10 * k] for k in range(8)])
    starts = pd.DataFrame({"q": [1.0, 2.0, 3.0]}, index=pd.date_range("2001-01-01", periods=3, freq="MS"))
    # 30-day steps: a step overlapping a longer month takes the mean of its days (1 of January, 28 of February, 1
    # of March in the second step)
    thirties = TimeAxis.from_range("2001-01-01", "2001-03-02", 30)
    np.testing.assert_allclose(align_to_steps(starts, thirties, "f", "p")[:, 0], [1.0, 2.0, 3.0])
    with pytest.raises(daryo.ModelError, match=r"no value for 2001-04-01 to 2001-04-05 \(5 of the 10 days of the step "
                       r"starting 2001-03-27\); its rows cover 2001-01-01 to 2001-03-31\."):
        align_to_steps(starts, TimeAxis.from_range("2001-03-07", "2001-04-10", 10), "f", "p")
    gap = daily.drop(pd.Timestamp("2001-02-10"))
    with pytest.raises(daryo.ModelError, match=r"the file has rows missing from its regular dates: no row for "
                       r"2001-02-10\. Fill them in"):
        align_to_steps(gap, months, "f", "p")
    ends = pd.DataFrame({"q": [1.0, 2, 3, 4]}, index=pd.to_datetime(["2001-01-31", "2001-02-28", "2001-04-30",
                                                                     "2001-05-31"]))
    with pytest.raises(daryo.ModelError, match="no row for 2001-03-31"):
        align_to_steps(ends, months, "f", "p")
    odd = pd.DataFrame({"q": [1.0, 2, 3]}, index=pd.to_datetime(["2001-01-01 06:00", "2001-01-02 00:00",
                                                                 "2001-01-05 00:00"]))
    with pytest.raises(daryo.ModelError, match="the dates of the file have no regular frequency"):
        align_to_steps(odd, months, "f", "p")
    hours = pd.DataFrame({"q": np.zeros(48)}, index=pd.date_range("2001-01-01", periods=48, freq="h"))
    with pytest.raises(daryo.ModelError, match=r"the file's frequency \(h\) is finer than daily"):
        align_to_steps(hours, months, "f", "p")


def test_csv_alignment_refuses_a_step_the_file_covers_in_part():
    months = TimeAxis.from_range("2001-01", "2001-02")
    ends_early = pd.DataFrame({"q": np.ones(15)}, index=pd.date_range("2001-01-01", "2001-01-15", freq="D"))
    with pytest.raises(daryo.ModelError, match=r"f: p: the file has no value for 2001-01-16 to 2001-01-31 \(16 of the "
                       r"31 days of the step starting 2001-01-01\); its rows cover 2001-01-01 to 2001-01-15\. A step "
                       r"needs values for all its days"):
        align_to_steps(ends_early, months, "f", "p")
    starts_late = pd.DataFrame({"q": np.ones(40)}, index=pd.date_range("2001-01-20", periods=40, freq="D"))
    with pytest.raises(daryo.ModelError, match=r"no value for 2001-01-01 to 2001-01-19 \(19 of the 31 days"):
        align_to_steps(starts_late, months, "f", "p")
    inside = pd.DataFrame({"q": np.ones(5)}, index=pd.date_range("2001-01-10", periods=5, freq="D"))
    with pytest.raises(daryo.ModelError, match=r"no value for 2001-01-01 to 2001-01-09 and 2001-01-15 to 2001-01-31 "):
        align_to_steps(inside, months, "f", "p")
    # a 5-day file whose last row (31 January to 4 February) reaches into February covers only January
    fives = pd.DataFrame({"q": np.ones(7)}, index=pd.date_range("2001-01-01", periods=7, freq="5D"))
    with pytest.raises(daryo.ModelError, match=r"no value for 2001-02-05 to 2001-02-28 \(24 of the 28 days of the "
                       r"step starting 2001-02-01\)"):
        align_to_steps(fives, months, "f", "p")
    np.testing.assert_allclose(align_to_steps(fives, TimeAxis.from_range("2001-01", "2001-01"), "f", "p"), [[1.0]])


def test_csv_alignment_needs_no_values_after_the_runs_last_day():
    weeks = TimeAxis.from_range("2001-01-01", "2001-01-31", 7)  # the last step, 29 January to 4 February
    january = pd.DataFrame({"q": np.arange(31.0)}, index=pd.date_range("2001-01-01", "2001-01-31", freq="D"))
    np.testing.assert_allclose(align_to_steps(january, weeks, "f", "p")[:, 0], [3, 10, 17, 24, 29])
    ends = pd.DataFrame({"q": [1.0, 2.0, 3.0]}, index=pd.to_datetime(["2000-11-30", "2000-12-31", "2001-01-31"]))
    np.testing.assert_allclose(align_to_steps(ends, weeks, "f", "p")[:, 0], [3.0] * 5)  # a coarser file
    with pytest.raises(daryo.ModelError, match=r"no value for 2001-01-31 \(1 of the 7 days of the step starting "
                       r"2001-01-29\)"):
        align_to_steps(january.iloc[:30], weeks, "f", "p")  # 31 January is in the run


def _pywr_interpolated(pc: float, curves: list[float], values: list[float]) -> float:
    """Pywr's ControlCurveInterpolatedParameter.value, transcribed (scalar)."""
    pc = min(max(pc, 0.0), 1.0)
    prev = 1.0
    for j, cc in enumerate(curves):
        if pc >= cc:
            if prev == cc:
                return values[j + 1]
            w = (pc - cc) / (prev - cc)
            return values[j] * w + values[j + 1] * (1.0 - w)
        prev = cc
    if prev == 0.0:
        return values[-2]
    w = pc / prev
    return values[-2] * w + values[-1] * (1.0 - w)


@settings(max_examples=200, deadline=None)
@given(pc=st.lists(st.floats(-0.2, 1.2), min_size=1, max_size=8),
       curves=st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.5, 0.75, 0.9, 1.0]), min_size=0, max_size=4),
       seed=st.integers(0, 1000))
def test_interpolated_control_curve_matches_pywr_rule(pc, curves, seed):
    curves = sorted(curves, reverse=True)
    values = list(np.random.default_rng(seed).uniform(-10, 10, len(curves) + 2))

    class Env:
        t = 0
        proportion = np.array(pc)[:, None]
        volume = proportion
        res_index = {"r": 0}

    p = ControlCurveInterpolated("p", "p", "r", tuple(f"c{i}" for i in range(len(curves))),
                                 tuple(f"v{i}" for i in range(len(values))))
    got = p.step(Env(), [np.array([c]) for c in curves] + [np.array([v]) for v in values])
    np.testing.assert_allclose(got, [_pywr_interpolated(x, curves, values) for x in pc], rtol=1e-12, atol=1e-12)
