"""The validated model's elements: a node's defaults come from its component type."""

from dataclasses import replace

import numpy as np
import pytest

import daryo
from daryo.ensemble.run import network_digest
from daryo.model.components import component_type
from daryo.model.types import Node
from daryo.network import compile_network
from daryo.simulate import RunOptions


def test_a_node_without_its_defaults_takes_its_component_types():
    """A loaded node has every default; one made in Python takes the component table's (the engine's own
    fallbacks, written again in the compiler, said 'other' for a demand's category where the table says
    'irrigation')."""
    demand = Node("farm", "demand", {"demand": 5.0})
    assert demand.value("category") == "irrigation" and demand.value("priority") == 1
    assert demand.value("demand") == 5.0 and demand.value("country") is None
    plant = Node("plant", "hydropower", {})
    assert plant.value("efficiency") == 0.9 and plant.value("energy_priority") == 5
    assert plant.value("capacity") is None  # (required: no default)
    assert component_type("hydropower").attribute("capacity").required
    with pytest.raises(KeyError, match="a demand node has no attribute 'capacity'"):
        demand.value("capacity")


def test_a_model_of_nodes_without_their_defaults_compiles_as_the_loaded_one():
    model = daryo.load(daryo.demo_model_path())
    bare = []
    for n in model.nodes:
        ctype = component_type(n.type)
        kept = {k: v for k, v in n.attrs.items()
                if not (isinstance(v, (int, float, str)) and v == ctype.attribute(k).default)}
        bare.append(replace(n, attrs=kept))
    assert sum(len(a.attrs) for a in bare) < sum(len(n.attrs) for n in model.nodes)  # (defaults were dropped)
    made_model = replace(model, nodes=tuple(bare))
    loaded, made = compile_network(model), compile_network(made_model)
    assert network_digest(made) == network_digest(loaded)
    np.testing.assert_array_equal(made.hp_efficiency, loaded.hp_efficiency)
    options = RunOptions(scenarios=1, years=1)
    a, b = daryo.run(model, options).dataset, daryo.run(made_model, options).dataset
    assert list(b["demand_category"].values) == list(a["demand_category"].values)
    assert list(b["demand_priority"].values) == list(a["demand_priority"].values)
