"""The network as a graph of where water goes: the limited outlets that all the water entering a delay must pass."""

from __future__ import annotations

import pytest

from daryo import testmodels
from daryo.model import model_from_dict
from daryo.model.topology import _delay_outlets

SEA = {"id": "sea", "type": "sink"}
E = {"id": "E", "type": "demand", "demand": 5}
DEMAND = "'E' (a demand: it takes no more than its demand)"


def _outlets(nodes, edges, delay=None):
    """The outlets of delay ``lag`` (2 steps) fed by inflow ``in``, in a model of ``nodes`` and ``edges``, as
    (description, offset) pairs, or None."""
    lag = delay or {"id": "lag", "type": "delay", "steps": 2}
    model = testmodels.build([{"id": "in", "type": "inflow", "inflow": 10}, lag, *nodes], [["in", "lag"], *edges])
    found = _delay_outlets(model, "lag")
    return None if found is None else [(o.describe(), o.offset) for o in found]


@pytest.mark.parametrize("nodes, edges, outlets", [
    ([E], [["lag", "E"]], [(DEMAND, 2)]),
    ([{"id": "j", "type": "junction"}, {"id": "hp", "type": "hydropower", "capacity": 50, "head": 10}, E],
     [["lag", "j"], ["j", "hp"], ["hp", "E"]], [(DEMAND, 2)]),  # (a plant's capacity is power, not a flow's maximum)
    ([E, SEA], [["lag", "E"], {"from": "lag", "to": "sea", "max_flow": 3}],
     [(DEMAND, 2), ("the edge lag -> sea (its max_flow)", 2)]),
    ([{"id": "c", "type": "canal", "capacity": 4}, SEA], [["lag", "c"], ["c", "sea"]],
     [("'c' (a canal: its capacity)", 2)]),
    ([{"id": "out", "type": "sink", "max_flow": 2}], [["lag", "out"]], [("'out' (a sink: its max_flow)", 2)]),
    ([{"id": "lag2", "type": "delay", "steps": 1}, E], [["lag", "lag2"], ["lag2", "E"]], [(DEMAND, 3)]),  # in series
    ([{"id": "j1", "type": "junction"}, {"id": "j2", "type": "junction"}, E],
     [["lag", "j1"], ["lag", "j2"], ["j1", "E"], ["j2", "E"]], [(DEMAND, 2)]),  # (two ways to one demand: once)
], ids=["demand", "through-a-plant", "demand-and-capped-edge", "canal", "capped-sink", "delays-in-series", "two-ways"])
def test_the_limited_outlets_of_a_delay_and_when_its_water_reaches_them(nodes, edges, outlets):
    assert _outlets(nodes, edges) == outlets


@pytest.mark.parametrize("nodes, edges, delay", [
    ([SEA], [["lag", "sea"]], None),  # a sink without a maximum takes any amount
    ([{"id": "dam", "type": "reservoir", "max_volume": 50}], [["lag", "dam"]], None),
    ([E, SEA], [["lag", "E"], ["lag", "sea"]], None),  # one way on that takes any amount is enough
    ([{"id": "r", "type": "reach", "loss": 0.1}, E], [["lag", "r"], ["r", "E"]], None),  # (a loss on the way)
    ([E], [["lag", "E"]], {"id": "lag", "type": "delay", "steps": 1, "carry": "rate"}),  # (Pywr's rate)
    ([{"id": "k", "type": "junction"}, E], [["lag", "k"], ["k", "E"], ["k", "lag"]], None),  # (round a loop: the
    # search went on for ever, a review)
], ids=["sea", "reservoir", "either", "lossy-reach", "rate", "loop"])
def test_no_bound_is_known_where_the_water_can_go_on_or_changes_on_the_way(nodes, edges, delay):
    assert _outlets(nodes, edges, delay) is None


def test_past_a_limited_element_the_search_goes_on_for_what_bounds_it_in_turn():
    """A maximum of 50 before a demand of 5: the edge is the outlet, and the demand beyond it bounds it too; a
    canal before the sea is bounded by nothing after it."""
    (edge,) = _delay_outlets(testmodels.build(
        [{"id": "in", "type": "inflow", "inflow": 10}, {"id": "lag", "type": "delay", "steps": 1}, E],
        [["in", "lag"], {"from": "lag", "to": "E", "max_flow": 50}]), "lag") or []
    assert edge.key == "max_flow" and [(o.describe(), o.offset) for o in edge.beyond or ()] == [(DEMAND, 1)]
    (canal,) = _delay_outlets(testmodels.build(
        [{"id": "in", "type": "inflow", "inflow": 10}, {"id": "lag", "type": "delay", "steps": 1},
         {"id": "c", "type": "canal", "capacity": 4}, SEA], [["in", "lag"], ["lag", "c"], ["c", "sea"]]), "lag") or []
    assert canal.key == "capacity" and canal.beyond is None


def test_a_maximum_given_by_a_parameter_is_an_outlet_the_compiler_reads_or_leaves_unbounded():
    model = model_from_dict({
        "version": 1, "name": "t", "time": {"start": "2001-01", "end": "2001-01"},
        "parameters": {"cap": {"type": "constant", "value": 3}},
        "nodes": [{"id": "in", "type": "inflow", "inflow": 10}, {"id": "lag", "type": "delay", "steps": 1}, SEA],
        "edges": [["in", "lag"], {"from": "lag", "to": "sea", "max_flow": {"parameter": "cap"}}]})
    (outlet,) = _delay_outlets(model, "lag") or []
    assert outlet.key == "max_flow" and outlet.offset == 1


@pytest.mark.parametrize("kind", ["chain", "ladder"])
def test_a_long_chain_or_a_braided_river_below_a_delay_is_searched_once_a_place(kind):
    """2,000 junctions in a row, or 20 rungs of two ways that rejoin, then a demand of 5: the search recursed once a
    node (a RecursionError past ~490) and followed each way on its own (2^20 ways: no bound, dropped silently); it
    works out each (node, time) once (a review)."""
    nodes = [{"id": "in", "type": "inflow", "inflow": 10}, {"id": "lag", "type": "delay", "steps": 1}, E]
    edges, last = [["in", "lag"]], "lag"
    for i in range(2000 if kind == "chain" else 20):
        if kind == "chain":
            nodes.append({"id": f"n{i}", "type": "junction"})
            edges.append([last, f"n{i}"])
            last = f"n{i}"
        else:
            nodes += [{"id": f"{x}{i}", "type": "junction"} for x in "abm"]
            edges += [[last, f"a{i}"], [last, f"b{i}"], [f"a{i}", f"m{i}"], [f"b{i}", f"m{i}"]]
            last = f"m{i}"
    outlets = _delay_outlets(testmodels.build(nodes, [*edges, [last, "E"]]), "lag")
    assert [(o.describe(), o.offset) for o in outlets or ()] == [(DEMAND, 1)]


def test_water_that_reaches_a_place_after_the_run_is_not_bounded():
    """A second delay of 2 steps with no way out, after one of 1 step, in a run of 3 steps: water entering the
    first at step 0 would leave the second after the run; the bound counted the run's end from the first delay's
    steps and shut it (a review).  The search stops at the run's end (``horizon``)."""
    model = testmodels.build(
        [{"id": "in", "type": "inflow", "inflow": 10}, {"id": "lag", "type": "delay", "steps": 1},
         {"id": "lag2", "type": "delay", "steps": 2}], [["in", "lag"], ["lag", "lag2"]], steps=3)
    assert _delay_outlets(model, "lag", horizon=3) is None
    (stuck,) = _delay_outlets(model, "lag") or []  # (no horizon: the water gets stuck at lag2, 3 steps on)
    assert stuck.describe() == "'lag2' (a delay with no way out)" and stuck.offset == 3
