"""The network as a graph of where water goes: what limits the water leaving a delay."""

from __future__ import annotations

import pytest

from daryo import testmodels
from daryo.model import model_from_dict
from daryo.model.topology import _limited_outlets

SEA = {"id": "sea", "type": "sink"}
DEMAND = "'E' (a demand: it takes no more than its demand)"


def _outlets(nodes, edges):
    """The limited outlets of delay ``lag`` fed by inflow ``in``, in a one-step model of ``nodes`` and ``edges``."""
    model = testmodels.build([{"id": "in", "type": "inflow", "inflow": 10}, {"id": "lag", "type": "delay", "steps": 1},
                              *nodes], [["in", "lag"], *edges])
    return _limited_outlets(model, "lag")


@pytest.mark.parametrize("nodes, edges, limited", [
    ([SEA], [["lag", "sea"]], []),
    ([{"id": "j", "type": "junction"}, {"id": "r", "type": "reach", "loss": 0.1}, SEA],
     [["lag", "j"], ["j", "r"], ["r", "sea"]], []),
    ([{"id": "dam", "type": "reservoir", "max_volume": 50}], [["lag", "dam"]], []),
    ([{"id": "E", "type": "demand", "demand": 5}], [["lag", "E"]], [DEMAND]),
    ([{"id": "E", "type": "demand", "demand": 5}, SEA], [["lag", "E"], {"from": "lag", "to": "sea", "max_flow": 3}],
     [DEMAND, "the edge lag -> sea (its max_flow)"]),
    ([{"id": "c", "type": "canal", "capacity": 4}, SEA], [["lag", "c"], ["c", "sea"]], ["'c' (a canal: its maximum)"]),
    ([{"id": "out", "type": "sink", "max_flow": 2}], [["lag", "out"]], ["'out' (a sink: its maximum)"]),
    # one way on that takes any amount is enough, whatever the others
    ([{"id": "E", "type": "demand", "demand": 5}, SEA], [["lag", "E"], ["lag", "sea"]], []),
], ids=["sea", "through-reaches", "reservoir", "demand", "demand-and-capped-edge", "canal", "capped-sink", "either"])
def test_what_limits_the_water_leaving_a_delay(nodes, edges, limited):
    assert _outlets(nodes, edges) == limited


def test_a_maximum_given_by_a_parameter_counts_as_none():
    model = model_from_dict({
        "version": 1, "name": "t", "time": {"start": "2001-01", "end": "2001-01"},
        "parameters": {"cap": {"type": "constant", "value": 3}},
        "nodes": [{"id": "in", "type": "inflow", "inflow": 10}, {"id": "lag", "type": "delay", "steps": 1}, SEA],
        "edges": [["in", "lag"], {"from": "lag", "to": "sea", "max_flow": {"parameter": "cap"}}]})
    assert _limited_outlets(model, "lag") == []
