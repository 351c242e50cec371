"""The component tables say which attributes the network resolves once, before the run (``fixed``): those are
exactly the ones ``compile_network`` refuses a state-dependent parameter on, so validation (which reads the
tables) and the network agree."""

from __future__ import annotations

from dataclasses import replace

import pytest

import daryo
from daryo.model import model_from_dict
from daryo.model.components import COMPONENT_TYPES, EDGE_ATTRIBUTES
from daryo.network import compile_network
from daryo.parameters import ParameterRef

_NODES = [
    {"id": "src", "type": "inflow", "inflow": 50},
    {"id": "dam", "type": "reservoir", "max_volume": 100, "initial_volume": 50},
    {"id": "plant", "type": "hydropower", "capacity": 100, "head": 50},
    {"id": "r", "type": "reach"},
    {"id": "c", "type": "canal"},
    {"id": "town", "type": "demand", "demand": 5},
    {"id": "env", "type": "flow_requirement", "at": "r", "flow": 1},
    {"id": "lag", "type": "delay", "steps": 1},
    {"id": "j", "type": "junction"},
    {"id": "sea", "type": "sink"},
]
_EDGES = [["src", "dam"], ["dam", "plant"], ["plant", "r"], ["r", "j"], ["j", "c"], ["c", "town"], ["j", "lag"],
          ["lag", "sea"]]
_CASES = [(n["id"], a.name) for n in _NODES for a in COMPONENT_TYPES[n["type"]].attributes if a.kind == "series"]
_CASES += [("edge", a.name) for a in EDGE_ATTRIBUTES if a.kind == "series"]


def _model_with_state_dependent(where: str, key: str) -> daryo.Model:
    """The network with ``key`` of node ``where`` (or of the first edge) set to a control-curve parameter,
    built past validation (which would refuse the fixed ones first)."""
    doc = {"version": 1, "name": "t", "time": {"start": "2001-01", "end": "2001-03", "step": "month"},
           "nodes": _NODES, "edges": _EDGES, "parameters": {"cc": {"type": "constant", "value": 0.5}}}
    model = model_from_dict(doc)
    dynamic = model_from_dict({**doc, "parameters": {"cc": {
        "type": "controlcurve", "reservoir": "dam", "control_curves": [0.5], "values": [0.5, 0.4]}}})
    ref = ParameterRef("cc", place=f"{where}.{key}")
    if where == "edge":
        first = model.edges[0]
        edges = (replace(first, attrs={**first.attrs, key: ref}), *model.edges[1:])
        return replace(model, edges=edges, parameters=dynamic.parameters)
    nodes = tuple(replace(n, attrs={**n.attrs, key: ref}) if n.id == where else n for n in model.nodes)
    return replace(model, nodes=nodes, parameters=dynamic.parameters)


@pytest.mark.parametrize("where, key", _CASES, ids=[f"{w}.{k}" for w, k in _CASES])
def test_the_network_refuses_a_state_dependent_parameter_exactly_on_fixed_attributes(where, key):
    ctype = COMPONENT_TYPES[next(n["type"] for n in _NODES if n["id"] == where)] if where != "edge" else None
    attr = next(a for a in (ctype.attributes if ctype else EDGE_ATTRIBUTES) if a.name == key)
    model = _model_with_state_dependent(where, key)
    try:
        compile_network(model)
        refused = False
    except daryo.ModelError as err:
        refused = "which this attribute cannot use" in str(err)
    assert refused == attr.fixed
