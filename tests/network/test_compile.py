"""The compiled network: attributes the engine keeps once for all scenarios refuse per-scenario values."""

from pathlib import Path

import pytest

import daryo
from daryo.errors import ModelError
from daryo.network import compile_network

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
                                                               place: str):
    path = tmp_path / "m.yaml"
    path.write_text(MODEL.format(evaporation=evaporation, target=target))
    model = daryo.load(path)
    with pytest.raises(ModelError) as err:
        compile_network(model)
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
