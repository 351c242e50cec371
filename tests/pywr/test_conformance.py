"""Conformance with Pywr: hand-written Pywr models, one or more per supported node and parameter type, run in
Pywr itself (GLPK edge solver) and in daryo (through its Pywr importer).  Node flows and storage volumes must
agree to 1e-6 relative at every step and scenario.

Every model gives distinct costs to the routes water can take, so that the optimum of each step's LP is unique:
with a tie, two correct engines may return different (equally cheap) allocations.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("pywr.model", reason="Pywr is the peer engine (pip install pywr)")

from pywr_harness import RTOL, assert_same_as_pywr, pywr_doc, run_daryo, run_pywr, write_model  # noqa: E402

import daryo  # noqa: E402

MONTHLY_IN = [8.0, 9.5, 12.0, 15.0, 21.0, 25.0, 18.0, 11.0, 7.5, 6.0, 6.5, 7.0]
MONTHLY_DEMAND = [3.0, 3.0, 4.0, 6.0, 9.0, 12.0, 14.0, 12.0, 8.0, 5.0, 3.5, 3.0]


def _inflow(name: str, values: list | None = None, **kw: object) -> dict:
    return {"name": name, "type": "input", "min_flow": {"type": "monthlyprofile", "values": values or MONTHLY_IN},
            "max_flow": {"type": "monthlyprofile", "values": values or MONTHLY_IN}, **kw}


# -------------------------------------------------------------------------------------------- nodes
def case_input_link_output():
    """in (monthly) -> link (max 10, cost 1) -> demand (monthly, -10); excess (cost 2)."""
    return pywr_doc(
        [_inflow("in"), {"name": "link", "type": "link", "max_flow": 10.0, "cost": 1.0},
         {"name": "demand", "type": "output", "max_flow": "dem", "cost": -10.0},
         {"name": "excess", "type": "output", "cost": 2.0}, {"name": "bypass", "type": "link", "cost": 0.5}],
        [["in", "link"], ["link", "demand"], ["in", "bypass"], ["bypass", "excess"], ["link", "excess"]],
        {"dem": {"type": "monthlyprofile", "values": MONTHLY_DEMAND}}), {}


def case_outputs_with_a_maximum_and_no_negative_cost():
    """Outputs with a maximum and a cost of 0, more or none (a spill, a compensation outlet) take water only where
    it has nowhere else to go; daryo reads them as sinks, not demands."""
    return pywr_doc(
        [_inflow("in"), {"name": "town", "type": "output", "max_flow": "dem", "cost": -10.0},
         {"name": "compensation", "type": "output", "max_flow": 5.0, "cost": 1.0},
         {"name": "spill", "type": "output", "max_flow": 4.0, "cost": 0.0},
         {"name": "overflow", "type": "output", "max_flow": 30.0, "cost": 2.0}],
        [["in", "town"], ["in", "compensation"], ["in", "spill"], ["in", "overflow"]],
        {"dem": {"type": "monthlyprofile", "values": MONTHLY_DEMAND}}), {}


def case_a_link_nothing_feeds_carries_nothing():
    """A link with no incoming edge (nor a minimum flow) runs in Pywr at no flow; daryo refused it ("a reach needs
    at least one incoming and one outgoing edge")."""
    return pywr_doc(
        [_inflow("in"), {"name": "stub", "type": "link", "cost": -1.0},
         {"name": "demand", "type": "output", "max_flow": "dem", "cost": -10.0},
         {"name": "sea", "type": "output", "cost": 1.0}],
        [["in", "demand"], ["in", "sea"], ["stub", "demand"]],
        {"dem": {"type": "monthlyprofile", "values": MONTHLY_DEMAND}}), {}


def case_an_infinite_maximum_is_no_maximum():
    """"max_flow": Infinity (JSON) is Pywr's default, unlimited; it was refused as not a finite number."""
    return pywr_doc(
        [{"name": "in", "type": "input", "max_flow": float("inf")},
         {"name": "link", "type": "link", "max_flow": float("inf"), "cost": 1.0},
         {"name": "demand", "type": "output", "max_flow": "dem", "cost": -10.0}],
        [["in", "link"], ["link", "demand"]], {"dem": {"type": "monthlyprofile", "values": MONTHLY_DEMAND}}), {}


def case_input_min_max_and_output_min():
    """An input with a range (chosen by cost) and an output with a minimum flow."""
    return pywr_doc(
        [{"name": "well", "type": "input", "min_flow": 1.0, "max_flow": 6.0, "cost": 3.0}, _inflow("river"),
         {"name": "town", "type": "output", "min_flow": 2.5, "max_flow": 9.0, "cost": -20.0},
         {"name": "farm", "type": "output", "max_flow": 10.0, "cost": -2.0},
         {"name": "sea", "type": "output", "min_flow": 0.5, "cost": 0.7}],
        [["well", "town"], ["well", "farm"], ["river", "farm"], ["river", "sea"], ["river", "town"],
         ["well", "sea"]]), {}


def case_storage():
    """A storage with dead volume and a proportional initial volume between supply and two demands."""
    return pywr_doc(
        [_inflow("in"),
         {"name": "dam", "type": "storage", "max_volume": 300.0, "min_volume": 40.0, "initial_volume_pc": 0.5,
          "cost": -3.0},
         {"name": "release", "type": "link", "max_flow": 14.0, "cost": 0.2},
         {"name": "city", "type": "output", "max_flow": 9.0, "cost": -50.0},
         {"name": "irrigation", "type": "output", "max_flow": "dem", "cost": -7.0},
         {"name": "spill", "type": "output", "cost": 1.1}],
        [["in", "dam"], ["dam", "release"], ["release", "city"], ["release", "irrigation"], ["dam", "spill"]],
        {"dem": {"type": "monthlyprofile", "values": MONTHLY_DEMAND}}), {}


def case_reservoir_above_curve_cost():
    """River-domain reservoirs: cost switches at a control curve (above_curve_cost), and a reservoir where a
    given cost replaces the curve entirely (as Pywr does)."""
    return pywr_doc(
        [_inflow("in"), _inflow("in2", [5.0] * 12),
         {"name": "res", "type": "reservoir", "max_volume": 200.0, "initial_volume": 180.0, "control_curve": 0.7,
          "above_curve_cost": 4.0},
         {"name": "res2", "type": "reservoir", "max_volume": 100.0, "initial_volume": 30.0, "control_curve": 0.5,
          "above_curve_cost": 4.0, "cost": -1.5},
         {"name": "use", "type": "output", "max_flow": 18.0, "cost": -2.0},
         {"name": "use2", "type": "output", "max_flow": 6.0, "cost": -1.0},
         {"name": "sea", "type": "output", "cost": 0.3}],
        [["in", "res"], ["res", "use"], ["res", "sea"], ["in2", "res2"], ["res2", "use2"], ["res2", "sea"]]), {}


def case_catchment_river_gauge():
    """catchment -> river -> rivergauge (MRF 4 at a benefit) -> abstraction / sea."""
    return pywr_doc(
        [{"name": "catch", "type": "catchment", "flow": {"type": "monthlyprofile", "values": MONTHLY_IN},
          "cost": 0.1},
         {"name": "river", "type": "river", "cost": 0.05},
         {"name": "gauge", "type": "rivergauge", "mrf": 4.0, "mrf_cost": -30.0, "cost": 0.4},
         {"name": "abstraction", "type": "output", "max_flow": 9.0, "cost": -12.0},
         {"name": "sea", "type": "output", "cost": 0.0}],
        [["catch", "river"], ["river", "gauge"], ["river", "abstraction"], ["gauge", "sea"]]), {}


def case_piecewiselink():
    """A piecewise link with three cost bands between a supply and a demand."""
    return pywr_doc(
        [_inflow("in"),
         {"name": "pw", "type": "piecewiselink", "nsteps": 3, "max_flows": [3.0, 4.0, None],
          "costs": [-5.0, 1.0, 6.0]},
         {"name": "demand", "type": "output", "max_flow": 20.0, "cost": -4.0},
         {"name": "sea", "type": "output", "cost": 0.2}],
        [["in", "pw"], ["pw", "demand"], ["in", "sea"]]), {}


def case_riversplit():
    """A river split with fixed factors 1:3 and named slots, feeding two demands."""
    return pywr_doc(
        [_inflow("in"),
         {"name": "split", "type": "riversplit", "factors": [1.0, 3.0], "slot_names": ["main", "canal"]},
         {"name": "main_use", "type": "output", "cost": -2.0},
         {"name": "canal_use", "type": "output", "cost": -6.0}],
        [["in", "split"], ["split", "main_use", "main", None], ["split", "canal_use", "canal", None]]), {}


def case_riversplitwithgauge():
    """A split above a minimum residual flow (MRF 2, cost -40) with factors 1:1 on the rest."""
    return pywr_doc(
        [_inflow("in"),
         {"name": "split", "type": "riversplitwithgauge", "mrf": 2.0, "mrf_cost": -40.0, "cost": 0.3,
          "factors": [1.0, 1.0], "slot_names": ["river", "abstraction"]},
         {"name": "downstream", "type": "output", "cost": -1.0},
         {"name": "works", "type": "output", "max_flow": 6.0, "cost": -9.0}],
        [["in", "split"], ["split", "downstream", "river", None], ["split", "works", "abstraction", None]]), {}


def case_riversplitwithgauge_extra_slots_cost_nothing():
    """A split's extra slots cost nothing where no cost is given (see
    test_the_extra_slots_of_a_split_cost_nothing_where_no_cost_is_given)."""
    return _split_against_a_rival(), {}


def _split_against_a_rival() -> dict:
    """10 a day into a gauged split (no MRF, factors 1:1) whose two slots go to outputs at cost -1, or to a rival
    output at -0.8; three days."""
    return pywr_doc(
        [{"name": "in", "type": "input", "min_flow": 10.0, "max_flow": 10.0},
         {"name": "split", "type": "riversplitwithgauge", "mrf": 0.0, "mrf_cost": 0.0, "cost": 0.0,
          "factors": [1.0, 1.0], "slot_names": ["river", "abstraction"]},
         {"name": "downstream", "type": "output", "cost": -1.0}, {"name": "works", "type": "output", "cost": -1.0},
         {"name": "other", "type": "output", "cost": -0.8}],
        [["in", "split"], ["split", "downstream", "river", None], ["split", "works", "abstraction", None],
         ["in", "other"]], start="2001-01-01", end="2001-01-03", timestep=1)


def case_multisplitlink():
    """A multi-split link with two plain bands and two extra slots with factors."""
    return pywr_doc(
        [_inflow("in"),
         {"name": "ms", "type": "multisplitlink", "nsteps": 2, "max_flows": [4.0, None, None, None],
          "costs": [-3.0, 0.5, 0.0, 0.0],
          "extra_slots": 2, "slot_names": [0, 1, 2], "factors": [2.0, 1.0, 1.5]},
         {"name": "a", "type": "output", "cost": -1.0}, {"name": "b", "type": "output", "cost": -4.0},
         {"name": "c", "type": "output", "cost": -2.5}],
        [["in", "ms"], ["ms", "a", 0, None], ["ms", "b", 1, None], ["ms", "c", 2, None]]), {}


def case_split_and_piecewise_links_without_max_flows_or_costs():
    """Bands alike (no maximum, cost 0), which Pywr runs: a piecewise link's are built as one band, a split's as
    given (a review: the bound on band counts refused both)."""
    return pywr_doc(
        [{"name": "in", "type": "input", "max_flow": 12.0},
         {"name": "ms", "type": "multisplitlink", "nsteps": 2, "extra_slots": 1, "slot_names": ["a", "b"],
          "factors": [1.0, 1.0]},
         {"name": "a", "type": "output", "max_flow": 5.0, "cost": -10.0},
         {"name": "pw", "type": "piecewiselink", "nsteps": 3},
         {"name": "b", "type": "output", "max_flow": 5.0, "cost": -10.0}],
        [["in", "ms"], ["ms", "a", "a", None], ["ms", "pw", "b", None], ["pw", "b"]]), {}


def case_losslink():
    """Loss links: net loss factor 0.25 (constant), gross 0.1, and a monthly net factor (a parameter)."""
    return pywr_doc(
        [_inflow("in"), _inflow("in2", [6.0] * 12),
         {"name": "canal", "type": "losslink", "loss_factor": 0.25, "max_flow": 7.0, "cost": 0.5},
         {"name": "canal_gross", "type": "losslink", "loss_factor": 0.1, "loss_factor_type": "gross",
          "cost": 0.25},
         {"name": "canal_var", "type": "losslink", "loss_factor": "loss", "max_flow": 4.0, "cost": 0.1},
         {"name": "farm", "type": "output", "max_flow": 9.0, "cost": -10.0},
         {"name": "town", "type": "output", "max_flow": 8.0, "cost": -11.0},
         {"name": "sea", "type": "output", "cost": 0.0}],
        [["in", "canal"], ["canal", "farm"], ["in", "canal_gross"], ["canal_gross", "town"], ["in", "sea"],
         ["in2", "canal_var"], ["canal_var", "town"], ["in2", "sea"]],
        {"loss": {"type": "monthlyprofile", "values": [0.1, 0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]}}
    ), {}


def case_a_loss_link_of_an_infinite_factor_loses_all():
    """A net loss factor of Infinity (JSON) loses all the water that enters; daryo added no loss (a fuzzing
    pass)."""
    return pywr_doc(
        [_inflow("in"), {"name": "canal", "type": "losslink", "loss_factor": float("inf"), "cost": 0.5},
         {"name": "farm", "type": "output", "max_flow": 9.0, "cost": -10.0},
         {"name": "sea", "type": "output", "cost": 0.0}],
        [["in", "canal"], ["canal", "farm"], ["in", "sea"]], {}), {}


def case_aggregatednode():
    """A licence shared by two intakes (max), a minimum on a pair of links with weights, and flow factors."""
    return pywr_doc(
        [_inflow("in"),
         {"name": "intake1", "type": "link", "cost": 0.1}, {"name": "intake2", "type": "link", "cost": 0.2},
         {"name": "u1", "type": "output", "max_flow": 10.0, "cost": -8.0},
         {"name": "u2", "type": "output", "max_flow": 10.0, "cost": -9.0},
         {"name": "l1", "type": "link", "cost": 0.3}, {"name": "l2", "type": "link", "cost": 0.4},
         {"name": "sea", "type": "output", "cost": 1.0},
         {"name": "licence", "type": "aggregatednode", "nodes": ["intake1", "intake2"], "max_flow": 11.0},
         {"name": "min_pair", "type": "aggregatednode", "nodes": ["l1", "l2"], "min_flow": 3.0,
          "flow_weights": [1.0, 2.0]},
         {"name": "ratio", "type": "aggregatednode", "nodes": ["intake1", "intake2"], "factors": [1.0, 2.0]}],
        [["in", "intake1"], ["in", "intake2"], ["intake1", "u1"], ["intake2", "u2"], ["in", "l1"], ["in", "l2"],
         ["l1", "sea"], ["l2", "sea"]]), {}


def case_aggregatednode_members_in_series():
    """A licence of 20 over an intake and the pipeline after it: the edge solver counts the route's flow once per
    member (the town gets 10; Pywr's default route solver counts it once and gives 20: a caveat of the converted
    model says so, tests/pywr/test_convert.py)."""
    return pywr_doc(
        [{"name": "river", "type": "input", "max_flow": 50.0}, {"name": "intake", "type": "link"},
         {"name": "pipeline", "type": "link"}, {"name": "town", "type": "output", "max_flow": 30.0, "cost": -10.0},
         {"name": "licence", "type": "aggregatednode", "nodes": ["intake", "pipeline"], "max_flow": 20.0}],
        [["river", "intake"], ["intake", "pipeline"], ["pipeline", "town"]]), {}


def case_aggregatednode_default_bounds():
    """An aggregated node without bounds still has Pywr's default row 0 ≤ Σ w × flow: with weights 1 and -1 it
    keeps the first flow at least the second (which pays more)."""
    return pywr_doc(
        [_inflow("in"), {"name": "a", "type": "output", "max_flow": 6.0, "cost": -3.0},
         {"name": "b", "type": "output", "max_flow": 9.0, "cost": -4.0},
         {"name": "sea", "type": "output", "cost": 0.5},
         {"name": "order", "type": "aggregatednode", "nodes": ["a", "b"], "flow_weights": [1.0, -1.0]}],
        [["in", "a"], ["in", "b"], ["in", "sea"]]), {}


def case_aggregatednode_null_min_flow():
    """``min_flow: null`` is Pywr's row (−∞, ∞): no bound, only the factors (a flow_sum without either bound was
    refused after daryo began to refuse those written by hand: a review)."""
    return pywr_doc(
        [_inflow("in"), {"name": "d", "type": "output", "max_flow": 3.0, "cost": -10.0},
         {"name": "d2", "type": "output", "max_flow": 3.0, "cost": -10.0},
         {"name": "sea", "type": "output"},
         {"name": "a", "type": "aggregatednode", "nodes": ["d", "d2"], "min_flow": None, "factors": [1.0, 2.0]}],
        [["in", "d"], ["in", "d2"], ["in", "sea"]]), {}


def case_breaklink():
    """A break link (Pywr's route-saving link) with bounds and a cost between 2 supplies and 2 demands."""
    return pywr_doc(
        [_inflow("a"), _inflow("b", [4.0] * 12),
         {"name": "x", "type": "breaklink", "max_flow": 12.0, "min_flow": 1.0, "cost": 0.7},
         {"name": "d1", "type": "output", "max_flow": 8.0, "cost": -5.0},
         {"name": "d2", "type": "output", "max_flow": 8.0, "cost": -6.0},
         {"name": "sea", "type": "output", "cost": 0.1}],
        [["a", "x"], ["b", "x"], ["x", "d1"], ["x", "d2"], ["a", "sea"], ["b", "sea"]]), {}


def case_delaynode_monthly():
    """A two-step delay with an initial flow in monthly steps (Pywr delays the rate)."""
    return pywr_doc(
        [_inflow("in"), {"name": "lag", "type": "delaynode", "timesteps": 2, "initial_flow": 1.5},
         {"name": "top", "type": "link", "max_flow": 9.0},
         {"name": "use", "type": "output", "max_flow": 8.0, "cost": -3.0},
         {"name": "sea", "type": "output", "cost": 0.0}, {"name": "sea2", "type": "output", "cost": 1.0}],
        [["in", "top"], ["top", "lag"], ["in", "sea2"], ["lag", "use"], ["lag", "sea"]]), {}


def case_delaynode_days():
    """A 6-day delay in 3-day steps (two steps) into a storage."""
    return pywr_doc(
        [_inflow("in"), {"name": "lag", "type": "delaynode", "days": 6, "initial_flow": 2.0},
         {"name": "pond", "type": "storage", "max_volume": 60.0, "initial_volume": 10.0, "cost": -1.0},
         {"name": "use", "type": "output", "max_flow": 6.0, "cost": -4.0},
         {"name": "sea", "type": "output", "cost": 0.5}],
        [["in", "lag"], ["lag", "pond"], ["pond", "use"], ["pond", "sea"], ["in", "sea"]],
        start="2001-01-01", end="2001-03-01", timestep=3), {}


# ---------------------------------------------------------------------------------- static parameters
def case_a_constant_given_by_values():
    """Pywr reads a constant's number from ``values`` where it has no ``value`` (its own test models and the Thames
    example write it so); daryo refused it ("needs 'values', a 'table' or a 'url'")."""
    return pywr_doc(
        [_inflow("in"), {"name": "link", "type": "link", "max_flow": "cap", "cost": 1.0},
         {"name": "demand", "type": "output", "max_flow": "dem", "cost": -10.0},
         {"name": "excess", "type": "output", "cost": 2.0}],
        [["in", "link"], ["link", "demand"], ["in", "excess"]],
        {"cap": {"type": "constant", "values": 2.5, "scale": 2.0},
         "dem": {"type": "monthlyprofile", "values": MONTHLY_DEMAND}}), {}


def case_a_lookup_in_a_table_of_two_index_levels():
    """A constant looked up by a two-level row label, ``index: [1, "town"]`` with ``index_col: [level, name]``
    (Pywr makes the list a tuple; daryo tried the list as a label and failed)."""
    files = {"caps.csv": "level,name,cap,cost\n0,town,3.5,-5\n0,farm,7,-6\n1,town,6.5,-8\n1,farm,2,-9\n"}
    lookup = {"type": "constant", "url": "caps.csv", "index_col": ["level", "name"]}
    return pywr_doc(
        [_inflow("in"), {"name": "town", "type": "output", "max_flow": {**lookup, "index": [1, "town"],
                                                                        "column": "cap"},
                         "cost": {**lookup, "index": [0, "farm"], "column": "cost"}},
         {"name": "excess", "type": "output", "cost": 2.0}],
        [["in", "town"], ["in", "excess"]]), files


def case_static_parameters():
    """constant (scale, offset), aggregated sum/min/max/mean/product/median, max/min/negative, negativemax,
    negativemin, offset, division, a table lookup, monthly profiles with interp_day first/last, 7-day steps.

    Each link carries its parameter's value: the inflow (150 a day) is more than they take together (under 100), the
    rest going to the sea.  With 30 a day the cheaper links took it all, and the links of ``off``, ``ratio`` and
    ``from_table`` carried nothing and ``floored``'s less than its bound, so that an offset subtracted or a mean read
    as a median agreed with Pywr (a mutation-testing review).  The mean is of three parameters: of two it is their
    median."""
    params = {
        "base": {"type": "constant", "value": 2.0, "scale": 1.5, "offset": 0.25},
        "prof_first": {"type": "monthlyprofile", "values": MONTHLY_DEMAND, "interp_day": "first"},
        "prof_last": {"type": "monthlyprofile", "values": MONTHLY_IN, "interp_day": "last"},
        "sum": {"type": "aggregated", "agg_func": "sum", "parameters": ["base", "prof_first"]},
        "mn": {"type": "aggregated", "agg_func": "min", "parameters": ["prof_first", "prof_last", 9.0]},
        "mx": {"type": "aggregated", "agg_func": "max", "parameters": ["prof_first", 4.0]},
        "mean": {"type": "aggregated", "agg_func": "mean", "parameters": ["prof_last", "base", 1.0]},
        "prod": {"type": "aggregated", "agg_func": "product", "parameters": ["base", 1.2]},
        "med": {"type": "aggregated", "agg_func": "median", "parameters": ["base", "prof_first", "prof_last"]},
        "capped": {"type": "min", "parameter": "sum", "threshold": 10.0},
        "floored": {"type": "max", "parameter": "mean", "threshold": 5.0},
        "neg": {"type": "negative", "parameter": "base"},
        "negmax": {"type": "negativemax", "parameter": "neg", "threshold": 1.0},
        "negmin": {"type": "negativemin", "parameter": "base", "threshold": -6.0},
        "off": {"type": "offset", "parameter": "base", "offset": 0.5},
        "ratio": {"type": "division", "numerator": "prof_last", "denominator": {"type": "constant", "value": 4.0}},
        "from_table": {"type": "constant", "table": "caps", "index": "farm", "column": "cap"},
    }
    files = {"caps.csv": "name,cap\ntown,3.5\nfarm,7.25\n"}
    return pywr_doc(
        [_inflow("in", [150.0] * 12),
         {"name": "l_sum", "type": "link", "max_flow": "sum", "cost": 0.1},
         {"name": "l_mn", "type": "link", "max_flow": "mn", "cost": 0.2},
         {"name": "l_mx", "type": "link", "max_flow": "mx", "cost": 0.3},
         {"name": "l_prod", "type": "link", "max_flow": "prod", "cost": 0.4},
         {"name": "l_med", "type": "link", "max_flow": "med", "cost": 0.45},
         {"name": "l_cap", "type": "link", "max_flow": "capped", "cost": 0.5},
         {"name": "l_floor", "type": "link", "max_flow": "floored", "cost": 0.6},
         {"name": "l_negmax", "type": "link", "max_flow": "negmax", "cost": 0.7,
          "min_flow": {"type": "aggregated", "agg_func": "sum", "parameters": ["negmin", 7.0]}},
         {"name": "l_off", "type": "link", "max_flow": "off", "cost": 0.8},
         {"name": "l_ratio", "type": "link", "max_flow": "ratio", "cost": 0.9},
         {"name": "l_table", "type": "link", "max_flow": "from_table", "cost": 0.95},
         {"name": "use", "type": "output", "cost": -10.0, "max_flow": 200.0},
         {"name": "sea", "type": "output", "cost": "neg"}],
        [["in", n] for n in ("l_sum", "l_mn", "l_mx", "l_prod", "l_med", "l_cap", "l_floor", "l_negmax", "l_off",
                             "l_ratio", "l_table")]
        + [[n, "use"] for n in ("l_sum", "l_mn", "l_mx", "l_prod", "l_med", "l_cap", "l_floor", "l_negmax",
                                "l_off", "l_ratio", "l_table")] + [["in", "sea"]],
        params, start="2001-01-01", end="2001-12-31", timestep=7,
        tables={"caps": {"url": "caps.csv", "index_col": "name"}}), files


def case_daily_profile():
    """A daily profile in daily steps over February–March of a leap year and of a common year."""
    values = [float(2 + (i % 37) / 7.0) for i in range(366)]
    return pywr_doc(
        [_inflow("in", [20.0] * 12), {"name": "l", "type": "link", "max_flow": "daily", "cost": 0.2},
         {"name": "use", "type": "output", "cost": -3.0}, {"name": "sea", "type": "output", "cost": 0.1}],
        [["in", "l"], ["l", "use"], ["in", "sea"]],
        {"daily": {"type": "dailyprofile", "values": values}},
        start="2000-02-20", end="2001-03-05", timestep=10), {}


def case_daily_profile_monthly_steps():
    """A daily profile in monthly ("M") steps over a leap and a common year: Pywr reads each month's last day."""
    values = [float(2 + (i % 37) / 7.0) for i in range(366)]
    return pywr_doc(
        [_inflow("in", [20.0] * 12), {"name": "l", "type": "link", "max_flow": "daily", "cost": 0.2},
         {"name": "use", "type": "output", "cost": -3.0}, {"name": "sea", "type": "output", "cost": 0.1}],
        [["in", "l"], ["l", "use"], ["in", "sea"]],
        {"daily": {"type": "dailyprofile", "values": values}},
        start="2000-01-01", end="2001-12-31", timestep="M"), {}


def case_end_given_as_a_month_in_day_steps():
    """An end written "2001-06" is the 1st of June for Pywr (32 daily steps from 1 May; 5 weekly ones), not the
    month's last day as in a daryo model."""
    return pywr_doc(
        [_inflow("in", MONTHLY_IN), {"name": "l", "type": "link", "max_flow": 10.0, "cost": 1.0},
         {"name": "use", "type": "output", "max_flow": 6.0, "cost": -10.0}, {"name": "sea", "type": "output",
                                                                                "cost": -2.0}],
        [["in", "l"], ["l", "use"], ["in", "sea"]], start="2001-05-01", end="2001-06", timestep=1), {}


def case_monthly_steps_from_the_middle_of_a_month():
    """Monthly ("M") steps from 15 January to 10 June: Pywr's first step is January (a whole month), and the
    converted model starts on 1 January (a daryo model's monthly steps start on a month's first day)."""
    return pywr_doc(
        [_inflow("in"), {"name": "l", "type": "link", "max_flow": 10.0, "cost": 1.0},
         {"name": "use", "type": "output", "max_flow": {"type": "monthlyprofile", "values": MONTHLY_DEMAND},
          "cost": -10.0}, {"name": "sea", "type": "output", "cost": -2.0}],
        [["in", "l"], ["l", "use"], ["in", "sea"]], start="2001-01-15", end="2001-06-10", timestep="M"), {}


def case_interpolated_monthly_profile_monthly_steps():
    """Monthly profiles interpolated on the first and on the last day of each month, in monthly ("M") steps."""
    return pywr_doc(
        [_inflow("in", [30.0] * 12), {"name": "l1", "type": "link", "max_flow": "first", "cost": 0.2},
         {"name": "l2", "type": "link", "max_flow": "last", "cost": 0.3},
         {"name": "use", "type": "output", "cost": -3.0}, {"name": "sea", "type": "output", "cost": 0.1}],
        [["in", "l1"], ["in", "l2"], ["l1", "use"], ["l2", "use"], ["in", "sea"]],
        {"first": {"type": "monthlyprofile", "values": MONTHLY_DEMAND, "interp_day": "first"},
         "last": {"type": "monthlyprofile", "values": MONTHLY_IN, "interp_day": "last"}},
        start="2000-01-01", end="2001-12-31", timestep="M"), {}


def case_inline_parameter_named_like_a_document_parameter():
    """An unnamed inline parameter on node a's max_flow and a document parameter called "a.max_flow" (and
    "a.max_flow_inline") used by node b: Pywr keeps them apart."""
    return pywr_doc(
        [{"name": "in", "type": "input", "max_flow": 20.0},
         {"name": "a", "type": "link", "max_flow": {"type": "constant", "value": 2.0}, "cost": -3.0},
         {"name": "b", "type": "link", "max_flow": "a.max_flow", "cost": -2.0},
         {"name": "c", "type": "link", "max_flow": "a.max_flow_inline", "cost": -1.0},
         {"name": "use", "type": "output", "cost": -5.0}],
        [["in", "a"], ["in", "b"], ["in", "c"], ["a", "use"], ["b", "use"], ["c", "use"]],
        {"a.max_flow": {"type": "constant", "value": 5.0}, "a.max_flow_inline": {"type": "constant", "value": 1.0}}
    ), {}


def case_scenarios_two_dimensions():
    """Two scenario dimensions (3 × 2 combinations): a constantscenario and a multi-column dataframe."""
    dates = [f"2001-{m:02d}-01" for m in range(1, 13)]
    rows = ["date,wet,mid,dry"] + [f"{d},{12 + i},{9 + 0.5 * i},{5 + 0.25 * i}" for i, d in enumerate(dates)]
    return pywr_doc(
        [{"name": "in", "type": "input", "min_flow": "flows", "max_flow": "flows"},
         {"name": "use", "type": "output", "max_flow": "dem", "cost": -10.0},
         {"name": "dam", "type": "storage", "max_volume": 150.0, "initial_volume": 75.0, "cost": -2.0},
         {"name": "sea", "type": "output", "cost": 0.5}],
        [["in", "dam"], ["dam", "use"], ["dam", "sea"]],
        {"flows": {"type": "dataframe", "url": "flows.csv", "index_col": "date", "parse_dates": True,
                   "scenario": "hydrology"},
         "dem": {"type": "constantscenario", "scenario": "demand", "values": [6.0, 11.0]}},
        scenarios=[{"name": "hydrology", "size": 3}, {"name": "demand", "size": 2}]), {"flows.csv": "\n".join(rows)}


def case_dataframe_resampling():
    """Daily data in monthly steps (monthly means), month-end dated data, one column, timestep_offset, and a
    table referenced by a dataframe parameter."""
    days = np.arange(np.datetime64("2001-01-01"), np.datetime64("2002-01-01"))
    daily = ["date,flow"] + [f"{d},{5 + 3 * np.sin(i / 20.0):.6f}" for i, d in enumerate(days)]
    ends = ["date,a,b"] + [f"{np.datetime64(f'2001-{m:02d}') + np.timedelta64(1, 'M') - np.timedelta64(1, 'D')},"
                           f"{2 + m},{10 - 0.5 * m}" for m in range(1, 13)]
    return pywr_doc(
        [{"name": "in", "type": "input", "min_flow": "daily_flow", "max_flow": "daily_flow"},
         {"name": "l1", "type": "link", "max_flow": "month_end_b", "cost": 0.3},
         {"name": "l2", "type": "link", "max_flow": {"type": "dataframe", "table": "ends", "column": "a",
                                                      "timestep_offset": 1}, "cost": 0.2},
         {"name": "use", "type": "output", "cost": -5.0}, {"name": "sea", "type": "output", "cost": 0.1}],
        [["in", "l1"], ["in", "l2"], ["l1", "use"], ["l2", "use"], ["in", "sea"]],
        {"daily_flow": {"type": "dataframe", "url": "daily.csv", "index_col": "date", "parse_dates": True},
         "month_end_b": {"type": "dataframe", "url": "ends.csv", "index_col": "date", "parse_dates": True,
                         "column": "b"}},
        tables={"ends": {"url": "ends.csv", "index_col": "date", "parse_dates": True}}), \
        {"daily.csv": "\n".join(daily), "ends.csv": "\n".join(ends)}


# ------------------------------------------------------------------------------- state parameters
def _two_curve_reservoir(cost: object, release_max: object = 12.0, **extra: object) -> dict:
    return {"name": "dam", "type": "storage", "max_volume": 400.0, "min_volume": 20.0, "initial_volume": 330.0,
            "cost": cost, **extra}


def _release_model(params: dict, cost: object, release_max: object = 12.0, **extra: object) -> dict:
    return pywr_doc(
        [_inflow("in", [4.0, 4.0, 6.0, 9.0, 14.0, 18.0, 10.0, 5.0, 3.0, 2.0, 2.5, 3.0]),
         _two_curve_reservoir(cost, **extra),
         {"name": "release", "type": "link", "max_flow": release_max, "cost": 0.1},
         {"name": "use", "type": "output", "max_flow": "dem", "cost": -20.0},
         {"name": "sea", "type": "output", "cost": 0.2}, {"name": "spill", "type": "output", "cost": 3.0}],
        [["in", "dam"], ["dam", "release"], ["release", "use"], ["release", "sea"], ["dam", "spill"]],
        {"dem": {"type": "monthlyprofile", "values": MONTHLY_DEMAND}, **params},
        start="2001-01-01", end="2002-12-31")


def case_controlcurve_values():
    """A storage cost switched by two control curves (one a monthly profile)."""
    return _release_model({"cc": {"type": "controlcurve", "storage_node": "dam", "control_curves": [
        0.8, {"type": "monthlyprofile", "values": [0.5] * 6 + [0.6] * 6}], "values": [5.0, -10.0, -40.0]}}, "cc"), {}


def case_controlcurve_parameters_and_index():
    """Release limit from a control curve with parameter values; demand-saving factor from a
    controlcurveindex through an indexedarray."""
    params = {
        "limit": {"type": "controlcurve", "storage_node": "dam", "control_curve": 0.7,
                  "parameters": [{"type": "constant", "value": 15.0}, "low_limit"]},
        "low_limit": {"type": "monthlyprofile", "values": [6.0] * 12},
        "level": {"type": "controlcurveindex", "storage_node": "dam", "control_curves": [0.75, 0.5, 0.3]},
        "saving": {"type": "indexedarray", "index_parameter": "level", "params": [1.0, 0.9, 0.7, 0.5]},
        "dem": {"type": "aggregated", "agg_func": "product", "parameters": [
            {"type": "monthlyprofile", "values": MONTHLY_DEMAND}, "saving"]},
    }
    return _release_model(params, -5.0, release_max="limit"), {}


def case_controlcurveinterpolated():
    """A storage cost interpolated between control curves; a second one with parameter values."""
    params = {
        "cc": {"type": "controlcurveinterpolated", "storage_node": "dam", "control_curves": [0.8, 0.4],
               "values": [-2.0, -15.0, -25.0, -60.0]},
        "limit": {"type": "controlcurveinterpolated", "storage_node": "dam", "control_curve": 0.5,
                  "parameters": [{"type": "constant", "value": 20.0}, "mid", {"type": "constant", "value": 1.0}]},
        "mid": {"type": "constant", "value": 8.0},
    }
    return _release_model(params, "cc", release_max="limit"), {}


def case_storage_volume_parameters():
    """Release limited by the volume (scaled, via aggregated product) and by the proportion full; a storage
    parameter used as a cost."""
    params = {
        "vol": {"type": "storage", "storage_node": "dam"},
        "pc": {"type": "storage", "storage_node": "dam", "use_proportional_volume": True},
        "limit": {"type": "aggregated", "agg_func": "min", "parameters": [
            {"type": "aggregated", "agg_func": "product", "parameters": ["vol", 0.05]},
            {"type": "aggregated", "agg_func": "product", "parameters": ["pc", 20.0]}]},
        "cost": {"type": "aggregated", "agg_func": "sum", "parameters": [{"type": "negative", "parameter": "pc"},
                                                                          -3.0]},
    }
    return _release_model(params, "cost", release_max="limit"), {}


def case_thresholds():
    """A drought trigger on the volume (storagethreshold, used as an index and as values) and a
    parameterthreshold on a monthly profile."""
    params = {
        "drought": {"type": "storagethreshold", "storage_node": "dam", "threshold": 150.0, "predicate": "<",
                    "values": [1.0, 0.6]},
        "stage": {"type": "indexedarray", "index_parameter": "drought", "params": [12.0, 5.0]},
        "season": {"type": "parameterthreshold", "parameter": {"type": "monthlyprofile", "values": MONTHLY_DEMAND},
                   "threshold": {"type": "constant", "value": 8.0}, "predicate": "GE"},
        "dem": {"type": "aggregated", "agg_func": "product", "parameters": [
            {"type": "monthlyprofile", "values": MONTHLY_DEMAND}, "drought"]},
        "cost": {"type": "indexedarray", "index_parameter": "season", "params": [-4.0, -9.0]},
    }
    return _release_model(params, "cost", release_max="stage"), {}


def case_interpolatedvolume():
    """A release limit interpolated in a volume table (like a level-dependent outlet capacity)."""
    params = {"limit": {"type": "interpolatedvolume", "node": "dam", "volumes": [0.0, 100.0, 250.0, 400.0],
                        "values": [0.0, 5.0, 11.0, 20.0]}}
    return _release_model(params, -4.0, release_max="limit"), {}


def case_interpolatedvolume_points_in_any_order():
    """Pywr (SciPy's interp1d) sorts the points by volume; daryo refused volumes that were not increasing."""
    params = {"limit": {"type": "interpolatedvolume", "node": "dam", "volumes": [250.0, 0.0, 400.0, 100.0],
                        "values": [11.0, 0.0, 20.0, 5.0]}}
    return _release_model(params, -4.0, release_max="limit"), {}


def case_interpolatedvolume_table_ending_at_a_full_reservoir():
    """A table that ends at max_volume, read by a reservoir that fills to it: 0.1 + 0.1 + 0.1 is 0.30000000000000004,
    which daryo called outside the table (0 to 0.3) and stopped, where Pywr snaps a volume within 1e-6 of its bounds
    onto them (a differential fuzz)."""
    doc = pywr_doc(
        [{"name": "in", "type": "catchment", "flow": 0.1},
         {"name": "dam", "type": "storage", "max_volume": 0.3, "initial_volume": 0.1, "cost": -5.0},
         {"name": "use", "type": "output", "cost": -1.0, "max_flow": "limit"},
         {"name": "spill", "type": "output", "cost": 1.0}],
        [["in", "dam"], ["dam", "use"], ["dam", "spill"]],
        {"limit": {"type": "interpolatedvolume", "node": "dam", "volumes": [0.0, 0.3], "values": [0.0, 1.0]}},
        start="2001-01-01", end="2001-01-30", timestep=1)
    return doc, {}


def case_variable_max_volume():
    """A monthly maximum volume (flood reserve): Pywr holds, never forces, water above a falling maximum; both
    initial_volume and initial_volume_pc are given, as Pywr requires."""
    params = {"vmax": {"type": "monthlyprofile", "values": [400, 400, 380, 300, 250, 250, 300, 350, 400, 400, 400,
                                                            400]},
              "cc": {"type": "controlcurve", "storage_node": "dam", "control_curves": [0.9], "values": [2.0, -8.0]}}
    doc = _release_model(params, "cc")
    doc["nodes"][1].update({"max_volume": "vmax", "initial_volume": 380.0, "initial_volume_pc": 0.95})
    return doc, {}


def case_dynamic_aggregated_and_loss():
    """A state-dependent aggregated-node limit and a loss link whose factor is a parameter."""
    doc, files = case_controlcurve_values()
    doc["parameters"]["agg_max"] = {"type": "controlcurve", "storage_node": "dam", "control_curves": [0.6],
                                    "values": [9.0, 4.0]}
    doc["nodes"] += [{"name": "lossy", "type": "losslink", "loss_factor": "lf", "cost": 0.05},
                     {"name": "town", "type": "output", "max_flow": 3.0, "cost": -30.0},
                     {"name": "agg", "type": "aggregatednode", "nodes": ["release", "town"], "max_flow": "agg_max"}]
    doc["parameters"]["lf"] = {"type": "monthlyprofile", "values": [0.2] * 6 + [0.35] * 6}
    doc["edges"] += [["dam", "lossy"], ["lossy", "town"]]
    return doc, files


def case_includes():
    """Part of the model (parameters, a node, an edge) in an included JSON file."""
    doc, _ = case_storage()
    doc["includes"] = ["extra.json"]
    extra = {"nodes": [{"name": "town2", "type": "output", "max_flow": "town2_demand", "cost": -60.0}],
             "edges": [["release", "town2"]],
             "parameters": {"town2_demand": {"type": "constant", "value": 1.5}}}
    import json

    return doc, {"extra.json": json.dumps(extra)}


def case_nested_includes():
    """An included file that includes another (resolved, as in Pywr, against the main file's folder)."""
    doc, _ = case_storage()
    doc["includes"] = ["sub/extra.json"]
    extra = {"includes": ["sub/more.json"],
             "nodes": [{"name": "town2", "type": "output", "max_flow": "town2_demand", "cost": -60.0}],
             "edges": [["release", "town2"]]}
    more = {"parameters": {"town2_demand": {"type": "constant", "value": 1.5}},
            "nodes": [{"name": "town3", "type": "output", "max_flow": 0.5, "cost": -70.0}],
            "edges": [["release", "town3"]]}
    import json

    return doc, {"sub/extra.json": json.dumps(extra), "sub/more.json": json.dumps(more)}





def case_table_reading_options():
    """Tables read with Pywr's pandas options (sep, decimal, skiprows, a numbered index_col), looked up by a
    constant, a monthly profile and an inline reference."""
    caps = "# capacities, in Mm3/day\nname;cap;floor\ntown;3,5;1\nfarm;7,25;0,5\n"
    months = "month|v\n" + "".join(f"{m}|{2 + 0.5 * m}\n" for m in range(1, 13))
    return pywr_doc(
        [_inflow("in", [30.0] * 12),
         {"name": "l_town", "type": "link", "max_flow": "town_cap", "cost": 0.1,
          "min_flow": {"table": "caps", "index": "town", "column": "floor"}},
         {"name": "l_farm", "type": "link", "max_flow": {"table": "caps", "index": "farm", "column": "cap"},
          "cost": 0.2},
         {"name": "l_prof", "type": "link", "max_flow": "prof", "cost": 0.3},
         {"name": "use", "type": "output", "cost": -10.0, "max_flow": 100.0},
         {"name": "sea", "type": "output", "cost": 1.0}],
        [["in", "l_town"], ["in", "l_farm"], ["in", "l_prof"], ["l_town", "use"], ["l_farm", "use"],
         ["l_prof", "use"], ["in", "sea"]],
        {"town_cap": {"type": "constant", "table": "caps", "index": "town", "column": "cap"},
         "prof": {"type": "monthlyprofile", "table": "months", "column": "v"}},
        tables={"caps": {"url": "caps.csv", "sep": ";", "decimal": ",", "skiprows": 1, "index_col": 0},
                "months": {"url": "months.csv", "sep": "|", "index_col": "month"}}), \
        {"caps.csv": caps, "months.csv": months}


def case_dataframe_in_n_day_steps():
    """Monthly data (month-start dates) and daily data in 7-day steps: a step takes the mean of its days."""
    days = np.arange(np.datetime64("2001-01-01"), np.datetime64("2001-05-01"))
    daily = ["date,q"] + [f"{d},{4 + 2 * np.cos(i / 9.0):.6f}" for i, d in enumerate(days)]
    monthly = ["date,q"] + [f"2001-{m:02d}-01,{3 + m}" for m in range(1, 6)]
    return pywr_doc(
        [{"name": "in", "type": "input", "min_flow": "daily", "max_flow": "daily"},
         {"name": "l", "type": "link", "max_flow": "monthly", "cost": 0.2},
         {"name": "use", "type": "output", "cost": -5.0}, {"name": "sea", "type": "output", "cost": 0.1}],
        [["in", "l"], ["l", "use"], ["in", "sea"]],
        {"daily": {"type": "dataframe", "url": "daily.csv", "index_col": "date", "parse_dates": True},
         "monthly": {"type": "dataframe", "url": "monthly.csv", "index_col": "date", "parse_dates": True}},
        start="2001-01-01", end="2001-04-20", timestep=7), {"daily.csv": "\n".join(daily),
                                                             "monthly.csv": "\n".join(monthly)}


def case_dataframe_ending_with_the_run_in_n_day_steps():
    """Daily data to the run's last day (30 April) in 7-day steps: the last step (30 April to 6 May) runs past
    the end and takes the mean of the one day the file has, as Pywr's resampling does."""
    days = np.arange(np.datetime64("2001-01-01"), np.datetime64("2001-05-01"))
    daily = ["date,q"] + [f"{d},{4 + 2 * np.cos(i / 9.0):.6f}" for i, d in enumerate(days)]
    return pywr_doc(
        [{"name": "in", "type": "input", "min_flow": "daily", "max_flow": "daily"},
         {"name": "use", "type": "output", "cost": -5.0, "max_flow": 4.5}, {"name": "sea", "type": "output"}],
        [["in", "use"], ["in", "sea"]],
        {"daily": {"type": "dataframe", "url": "daily.csv", "index_col": "date", "parse_dates": True}},
        start="2001-01-01", end="2001-04-30", timestep=7), {"daily.csv": "\n".join(daily)}


def case_tutorial_style():
    """A Pywr tutorial-style model: CSV catchment inflows (3 scenarios), a river-domain reservoir with a control
    curve, a river with a gauged minimum residual flow, demands with monthly profiles and a control-curve demand
    saving, over two years of monthly steps."""
    dates = [f"{y}-{m:02d}-01" for y in (2001, 2002) for m in range(1, 13)]
    wave = [12, 14, 20, 30, 42, 50, 38, 24, 15, 10, 9, 10]
    rows = ["date,dry,normal,wet"] + [f"{d},{0.6 * wave[i % 12]:.2f},{wave[i % 12]},{1.4 * wave[i % 12]:.2f}"
                                      for i, d in enumerate(dates)]
    params = {
        "inflow": {"type": "dataframe", "url": "inflow.csv", "index_col": "date", "parse_dates": True,
                   "scenario": "climate"},
        "demand_profile": {"type": "monthlyprofile", "values": [8, 8, 10, 14, 20, 26, 28, 26, 18, 12, 9, 8]},
        "saving_level": {"type": "controlcurveindex", "storage_node": "reservoir",
                         "control_curves": ["curve_high", "curve_low"]},
        "curve_high": {"type": "monthlyprofile", "values": [0.7] * 3 + [0.8] * 6 + [0.7] * 3},
        "curve_low": {"type": "constant", "value": 0.35},
        "saving": {"type": "indexedarray", "index_parameter": "saving_level", "params": [1.0, 0.85, 0.6]},
        "irrigation_demand": {"type": "aggregated", "agg_func": "product", "parameters": ["demand_profile",
                                                                                        "saving"]},
        "reservoir_cost": {"type": "controlcurve", "storage_node": "reservoir", "control_curves": ["curve_low"],
                           "values": [-10.0, -60.0]},
    }
    return pywr_doc(
        [{"name": "catchment", "type": "catchment", "flow": "inflow"},
         {"name": "reservoir", "type": "reservoir", "max_volume": 900.0, "initial_volume_pc": 0.8,
          "cost": "reservoir_cost"},
         {"name": "spillway", "type": "link", "cost": 2.0},
         {"name": "release", "type": "link", "max_flow": 45.0},
         {"name": "river", "type": "river"},
         {"name": "gauge", "type": "rivergauge", "mrf": 6.0, "mrf_cost": -100.0},
         {"name": "town", "type": "output", "max_flow": 5.0, "cost": -500.0},
         {"name": "irrigation", "type": "output", "max_flow": "irrigation_demand", "cost": -50.0},
         {"name": "sea", "type": "output"}],
        [["catchment", "reservoir"], ["reservoir", "release"], ["reservoir", "spillway"], ["spillway", "river"],
         ["release", "river"], ["river", "town"], ["river", "irrigation"], ["river", "gauge"], ["gauge", "sea"]],
        params, start="2001-01-01", end="2002-12-31", scenarios=[{"name": "climate", "size": 3}],
        recorders={"town_supply": {"type": "numpyarraynoderecorder", "node": "town"},
                   "storage": {"type": "NumpyArrayStorageRecorder", "node": "reservoir"}}), \
        {"inflow.csv": "\n".join(rows)}


CASES = {name[5:]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("case", sorted(CASES))
def test_agrees_with_pywr(case, tmp_path):
    doc, files = CASES[case]()
    path = write_model(tmp_path / case, doc, files)
    assert_same_as_pywr(path)


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("curve", ["ccurve", {"type": "monthlyprofile", "values": [0.5, 0.5, 0.55, 0.6, 0.7, 0.75,
                                                                               0.7, 0.6, 0.5, 0.45, 0.45, 0.5]}])
def test_a_reservoirs_control_curve_given_as_a_parameter_is_read_with_its_evident_meaning(tmp_path, curve):
    """A Pywr user's review: docs/pywr.md said daryo reads a reservoir's ``control_curve`` given as a parameter
    (Pywr 1.31 refuses it), but daryo refused it too ("must be a number").  It is read as the curve of the
    reservoir's cost, as Pywr reads a number there: the same results as Pywr gives a storage whose cost is that
    control curve's parameter (by name or inline)."""
    profile = {"type": "monthlyprofile", "values": [0.5, 0.5, 0.55, 0.6, 0.7, 0.75, 0.7, 0.6, 0.5, 0.45, 0.45, 0.5]}
    nodes = [_inflow("in"), {"name": "res", "type": "reservoir", "max_volume": 200.0, "initial_volume": 160.0,
                             "control_curve": curve, "above_curve_cost": 5.0},  # (water above it is spilt)
             {"name": "use", "type": "output", "max_flow": 5.0, "cost": -2.0},
             {"name": "spill", "type": "output", "cost": 1.0}]
    edges = [["in", "res"], ["res", "use"], ["res", "spill"]]
    ours = run_daryo(write_model(tmp_path / "daryo", pywr_doc(nodes, edges, {"ccurve": profile})))
    equivalent = [*nodes[:1], {"name": "res", "type": "storage", "max_volume": 200.0, "initial_volume": 160.0,
                               "cost": {"type": "controlcurve", "storage_node": "res", "control_curves": ["ccurve"],
                                        "values": [5.0, 0.0]}}, *nodes[2:]]
    theirs = run_pywr(write_model(tmp_path / "pywr", pywr_doc(equivalent, edges, {"ccurve": profile})))
    assert set(ours) == set(theirs)
    for name, ref in theirs.items():
        np.testing.assert_allclose(ours[name], ref, rtol=RTOL, atol=RTOL * max(1.0, float(np.abs(ref).max())),
                                   err_msg=name)
    assert np.ptp(theirs["res"][:, 0]) > 40.0  # (the curve moves the reservoir)


def test_the_extra_slots_of_a_split_cost_nothing_where_no_cost_is_given(tmp_path):
    """A mutation-testing audit (third round): the cost of a split link's extra slots (those past its bands, which
    the factors tie) was never taken where it decides the route, so a default of 1 instead of Pywr's 0 went unseen.
    10 a day into a ``riversplitwithgauge`` (MRF 0) whose slots, 1:1, go to outputs at cost -1, against a rival
    output at -0.8 (case riversplitwithgauge_extra_slots_cost_nothing, which Pywr gives the same flows)::

        [in: 10] --> {split: river 1 : abstraction 1} --river------> [downstream: -1]
               |                                      \\--abstraction--> [works: -1]
               \\----------------------------------------------------> [other: -0.8]
    """
    ours = run_daryo(write_model(tmp_path, _split_against_a_rival()))
    # a unit through the split: half to downstream at -1 + 0 (the band's cost), half to works at -1 + 0 (the extra
    # slot's): -1 a unit, cheaper than other's -0.8, so all 10 go through it: 5 and 5.  (An extra slot costing 1:
    # -0.5 - 0.5 + 0.5 = -0.5 a unit, dearer than -0.8: all 10 to other.)
    np.testing.assert_allclose(ours["downstream"][:, 0], [5.0] * 3, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours["works"][:, 0], [5.0] * 3, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours["other"][:, 0], [0.0] * 3, rtol=0, atol=1e-9)


def test_a_dataframe_with_dates_month_first_reads_as_pywr_reads_it(tmp_path):
    """Pywr reads CSV dates the pandas way, month first: '2/1/2001' is 1 February.  daryo refuses such dates in its
    own files unless a date above 12 shows the order, but reads a Pywr model's as Pywr does."""
    rows = ["date,flow"] + [f"{m}/1/2001,{5 + m}" for m in range(1, 13)]
    doc = pywr_doc([{"name": "in", "type": "input", "min_flow": "flows", "max_flow": "flows"},
                    {"name": "sea", "type": "output", "cost": -1.0}], [["in", "sea"]],
                   {"flows": {"type": "dataframe", "url": "flows.csv", "index_col": "date", "parse_dates": True}})
    assert_same_as_pywr(write_model(tmp_path, doc, {"flows.csv": "\n".join(rows)}))


def test_a_dataframe_told_dayfirst_reads_its_dates_day_first_as_pywr_does(tmp_path):
    """'dayfirst: true' is passed to pandas by Pywr: '1/2/2001' is then 1 February (it was refused)."""
    rows = ["date,flow"] + [f"1/{m}/2001,{5 + m}" for m in range(1, 13)]
    doc = pywr_doc([{"name": "in", "type": "input", "min_flow": "flows", "max_flow": "flows"},
                    {"name": "sea", "type": "output", "cost": -1.0}], [["in", "sea"]],
                   {"flows": {"type": "dataframe", "url": "flows.csv", "index_col": "date", "parse_dates": True,
                              "dayfirst": True}})
    flows = assert_same_as_pywr(write_model(tmp_path, doc, {"flows.csv": "\n".join(rows)}))
    assert flows["in"].ravel()[:3].tolist() == [6.0, 7.0, 8.0]


def test_day_first_dates_are_read_without_pandas_warnings(tmp_path):
    """Daily rows from '13/01/2001': pandas warned the user, at each load, that it parsed them day first although
    told nothing ('Parsing dates in %d/%m/%Y format when dayfirst=False'), when daryo looked for weekly dates."""
    rows = ["date,flow"] + [f"{d}/01/2001,{d}" for d in range(13, 24)]
    doc = pywr_doc([{"name": "in", "type": "input", "min_flow": "flows", "max_flow": "flows"},
                    {"name": "sea", "type": "output", "cost": -1.0}], [["in", "sea"]],
                   {"flows": {"type": "dataframe", "url": "flows.csv", "index_col": "date", "parse_dates": True,
                              "dayfirst": True}}, start="2001-01-13", end="2001-01-22", timestep=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = daryo.load(write_model(tmp_path, doc, {"flows.csv": "\n".join(rows)}))
    assert [str(w.message) for w in caught] == []
    assert daryo.run(model).dataset.node_flow.sel(node="in").values.ravel()[:3].tolist() == [13.0, 14.0, 15.0]
