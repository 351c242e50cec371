"""Models that load but mean nothing are refused by validation, each with the file, the place and what is wrong;
checks that compare two attributes compare them step by step, in their units, and name where they fail."""

import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import daryo
from daryo.errors import ModelError
from daryo.model.series import Series
from daryo.model.validate import validate_model

HEAD = """\
version: 1
time: {start: 2001-01, end: 2001-12}
"""


def _load(tmp_path: Path, body: str) -> daryo.Model:
    p = tmp_path / "m.yaml"
    p.write_text(HEAD + body)
    return daryo.load(p)


def _problems(tmp_path: Path, body: str) -> list[str]:
    with pytest.raises(ModelError) as info:
        _load(tmp_path, body)
    return [str(p) for p in info.value.problems]


RIVER = """\
nodes:
  - {{id: src, type: inflow, inflow: 50}}
  - {node}
  - {{id: sea, type: sink}}
edges: [[src, {id}], [{id}, sea]]
"""


def _river(node: str, node_id: str = "n") -> str:
    return RIVER.format(node=node, id=node_id)


# --- 1. a flow requirement at a reservoir

def test_a_flow_requirement_at_a_reservoir_is_refused_and_the_downstream_node_suggested(tmp_path):
    (msg,) = _problems(tmp_path, """\
nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: dam, type: reservoir, max_volume: 1000, initial_volume: 500}
  - {id: env, type: flow_requirement, at: dam, flow: 100}
  - {id: out, type: reach}
  - {id: sea, type: sink}
edges: [[src, dam], [dam, out], [out, sea]]
""")
    assert "m.yaml: nodes[env].at (line 6)" in msg
    assert "'dam' is a reservoir" in msg and "storage" in msg and "'out'" in msg


def test_a_flow_requirement_at_a_reservoir_whose_outlets_are_demands_is_not_sent_to_a_demand(tmp_path):
    """A MODSIM user's review: at a reservoir whose only outlet is a demand, the hint said "Put it at the node the
    release flows through ('farm2')", where the requirement would guarantee the farm's delivery, not a river flow.
    The hint names only nodes that carry the release on (a reach, a sink, the spill's node), and says so where
    none does."""
    body = """\
nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: dam, type: reservoir, max_volume: 1000, initial_volume: 500}
  - {id: env, type: flow_requirement, at: dam, flow: 100}
  - {id: farm2, type: demand, demand: 5}
  - {id: farm3, type: demand, demand: 5}
edges: [[src, dam], [dam, farm2], [dam, farm3]]
"""
    (msg,) = _problems(tmp_path, body)
    assert msg.endswith("nodes[env].at (line 6): 'dam' is a reservoir, whose column is its storage, not a flow: the "
                        "requirement would be compared with the volume stored, not with what is released. Its release "
                        "flows only to demands ('farm2', 'farm3'), where a requirement would guarantee that delivery, "
                        "not a flow in the river: no node below it carries the release on; to require a flow in the "
                        "river, add the reach it flows down below the reservoir, and put the requirement there"), msg
    (msg,) = _problems(tmp_path, body.replace("initial_volume: 500}", "initial_volume: 500, spill_to: sea}").replace(
        "edges:", "  - {id: out, type: reach}\n  - {id: sea, type: sink}\nedges:").replace(
        "[dam, farm3]]", "[dam, farm3], [dam, out], [out, sea]]"))
    assert msg.endswith("with what is released. Put it at the node the release flows through ('out', 'sea')"), msg
    # a reservoir below is no place for it either (a diff review: the hint named it, which is refused again)
    (msg,) = _problems(tmp_path, body.replace("edges:", "  - {id: dam2, type: reservoir, max_volume: 100}\nedges:")
                       .replace("[[src, dam], [dam, farm2], [dam, farm3]]", "[[src, dam], [dam, dam2], [dam2, farm2], "
                                                                            "[dam2, farm3]]"))
    assert msg.endswith("with what is released. Its release flows into reservoir 'dam2': put it at a node the release "
                        "of that one flows through (a reach downstream)"), msg


# --- 2. a plant's capacity is a power, not a flow

def test_a_plants_min_flow_is_not_compared_with_its_capacity_in_mw(tmp_path):
    m = _load(tmp_path, _river("{id: n, type: hydropower, capacity: 30 MW, head: 50, min_flow: 40}"))
    assert float(daryo.run(m).dataset.turbine_flow.min()) >= 40 - 1e-9


def test_a_canals_min_flow_above_its_capacity_is_refused(tmp_path):
    (msg,) = _problems(tmp_path, _river("{id: n, type: canal, capacity: 30, min_flow: 40}"))
    assert "nodes[n].min_flow" in msg and "min_flow (40 hm³/step) is greater than capacity (30 hm³/step)" in msg


def test_a_plants_min_flow_above_its_max_turbine_flow_is_refused(tmp_path):
    (msg,) = _problems(tmp_path, _river("{id: n, type: hydropower, capacity: 30 MW, head: 50, min_flow: 40, "
                                        "max_turbine_flow: 30}"))
    assert "min_flow (40 hm³/step) is greater than max_turbine_flow (30 hm³/step)" in msg


# --- 3. bounds that cross, anywhere in time

def test_a_flow_sum_constraint_with_min_above_max_is_refused(tmp_path):
    (msg,) = _problems(tmp_path, _river("{id: n, type: reach}") + """\
constraints:
  - {id: lic, type: flow_sum, nodes: [n], min_flow: 10, max_flow: 5}
""")
    assert "constraints[lic].min_flow" in msg
    assert "min_flow (10 hm³/step) is greater than max_flow (5 hm³/step)" in msg


def test_a_demands_min_flow_above_its_demand_is_refused(tmp_path):
    (msg,) = _problems(tmp_path, """\
nodes:
  - {id: src, type: inflow, inflow: 50}
  - {id: town, type: demand, demand: [5, 5, 5, 5, 5, 5, 5, 12, 5, 5, 5, 5], min_flow: 10}
edges: [[src, town]]
""")
    assert "nodes[town].min_flow" in msg
    assert "min_flow (10 hm³/step) is greater than demand (5 hm³/step) in January" in msg


def test_a_min_volume_above_the_flood_control_max_is_refused_naming_the_month(tmp_path):
    (msg,) = _problems(tmp_path, """\
nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: dam, type: reservoir, max_volume: 100, min_volume: 60, initial_volume: 70,
     flood_control_max: [100, 100, 100, 100, 100, 50, 50, 100, 100, 100, 100, 100]}
  - {id: sea, type: sink}
edges: [[src, dam], [dam, sea]]
""")
    assert "nodes[dam].min_volume" in msg
    assert "min_volume (60 hm³) is greater than flood_control_max (50 hm³) in June" in msg


def test_bounds_are_compared_per_step_in_their_units_and_per_scenario(tmp_path):
    # 10 m³/s is 26.8 hm³ in January, above 20 hm³ per step (per day, 0.864 hm³, it would not be)
    (msg,) = _problems(tmp_path, _river("{id: n, type: reach, min_flow: 10 m3/s, max_flow: 20}"))
    assert msg.endswith("min_flow (26.784 hm³/step) is greater than max_flow (20 hm³/step)")  # every month
    # ... and 25.9 hm³ in a 30-day month: only the 31-day months fail at 26 hm³
    (msg,) = _problems(tmp_path, _river("{id: n, type: reach, min_flow: 10 m3/s, max_flow: 26}"))
    assert msg.endswith("min_flow (26.784 hm³/step) is greater than max_flow (26 hm³/step) in January, March, May, "
                        "July, August, "
                        "October and December")
    _load(tmp_path, _river("{id: n, type: reach, min_flow: 10 m3/s, max_flow: 27}"))
    steps = [[1.0] * 12, [1.0] * 12]
    steps[1][4] = 9.0
    (msg,) = _problems(tmp_path, _river(f"{{id: n, type: reach, min_flow: {{values: {steps}}}, max_flow: 5}}"))
    assert ("min_flow (9 hm³/step) is greater than max_flow (5 hm³/step) at the step starting 2001-05-01 in "
            "scenario 1") in msg


def test_an_initial_volume_above_the_max_volume_is_refused(tmp_path):
    (msg,) = _problems(tmp_path, _river("{id: n, type: reservoir, max_volume: 100, initial_volume: 150}"))
    assert msg.endswith("m.yaml: nodes[n].initial_volume (line 5): initial volume 150 hm³ exceeds max_volume 100 hm³")


def test_a_negative_target_volume_is_refused(tmp_path):
    (msg,) = _problems(tmp_path, _river("{id: n, type: reservoir, max_volume: 100, initial_volume: 50, "
                                        "target_volume: -5}"))
    assert msg.endswith("m.yaml: nodes[n].target_volume (line 5): is negative (-5 hm³); it must be ≥ 0")


def test_a_target_volume_above_the_max_volume_is_refused_naming_the_month(tmp_path):
    """A rule curve above the full supply volume can never be met: its level would be short every step (likely a
    unit slip, km³ for hm³)."""
    curve = [50] * 11 + [120]
    (msg,) = _problems(tmp_path, _river(f"{{id: n, type: reservoir, max_volume: 100, target_volume: {curve}}}"))
    assert msg.endswith("nodes[n].target_volume (line 5): target_volume (120 hm³) is greater than max_volume (100 hm³) "
                        "in December")
    _load(tmp_path, _river(f"{{id: n, type: reservoir, max_volume: 100, target_volume: {[50] * 11 + [100]}}}"))


# --- 3. plants, delays and spills that mean nothing

@pytest.mark.parametrize("attrs, place, words", [
    ("capacity: 30 MW, head: 0", "head", "must be > 0"),
    ("capacity: 30 MW, head: -50", "head", "must be > 0"),
    ("capacity: 30 MW, head: 50, efficiency: 0", "efficiency", "zero efficiency"),
    ("capacity: 0 MW, head: 50", "capacity", "no capacity"),
])
def test_a_plant_that_can_pass_no_water_is_refused(tmp_path, attrs, place, words):
    (msg,) = _problems(tmp_path, _river("{id: n, type: hydropower, " + attrs + "}"))
    assert f"nodes[n].{place}" in msg and words in msg


def _dam_and_plant(plant: str) -> str:
    """A dam (levels 400–420 m) and a plant on it with the attributes ``plant``, the 6th line of the file."""
    return f"""\
nodes:
  - {{id: src, type: inflow, inflow: 10}}
  - {{id: dam, type: reservoir, max_volume: 100, level_table: {{volume: [0, 100], level: [400, 420]}}}}
  - {{id: plant, type: hydropower, capacity: 30 MW, reservoir: dam, {plant}}}
  - {{id: sea, type: sink}}
edges: [[src, dam], [dam, plant], [plant, sea]]
"""


def test_a_plant_whose_reservoir_is_on_another_river_is_refused(tmp_path):
    """A plant on one river took its head from a reservoir on another, which it passes none of the water of (a user
    review)."""
    body = _dam_and_plant("efficiency: 0.9").replace("edges: [[src, dam], [dam, plant], [plant, sea]]", (
        "  - {id: src2, type: inflow, inflow: 10}\n"
        "edges: [[src, dam], [dam, sea], [src2, plant], [plant, sea]]"))
    (msg,) = _problems(tmp_path, body)
    assert msg.endswith("nodes[plant].reservoir (line 6): 'dam' is not upstream of the plant: none of its water "
                        "reaches 'plant' (along edges, spills or return flows), so its level is not the plant's head; "
                        "name the reservoir whose outlet the plant is on, or give a fixed 'head'"), msg
    below_a_delay = _dam_and_plant("efficiency: 0.9").replace("edges: [[src, dam], [dam, plant], [plant, sea]]", (
        "  - {id: lag, type: delay, steps: 1}\n"
        "edges: [[src, dam], [dam, lag], [lag, plant], [plant, sea]]"))
    assert _load(tmp_path, below_a_delay).node("plant").attrs["reservoir"] == "dam"


def test_a_plant_with_a_fixed_head_and_a_reservoir_is_refused(tmp_path):
    """The fixed head was taken and the reservoir's level silently ignored."""
    (msg,) = _problems(tmp_path, _dam_and_plant("head: 10"))
    assert msg.endswith("nodes[plant].head (line 6): a fixed head and a reservoir ('dam') whose level would set the "
                        "head: give one of them (a reservoir with its level_table and the plant's tailwater_level, or "
                        "a fixed head for a run-of-river plant)")
    _load(tmp_path, _dam_and_plant("head: 10").replace(", level_table: {volume: [0, 100], level: [400, 420]}", ""))
    _load(tmp_path, _dam_and_plant("head: 10").replace("level: [400, 420]", "area: [0, 5]"))  # (areas set no head)


def test_a_plant_whose_reservoir_never_rises_above_the_tailwater_is_refused(tmp_path):
    (msg,) = _problems(tmp_path, _dam_and_plant("tailwater_level: 420"))
    assert "nodes[plant].tailwater_level" in msg and "420 m" in msg and "never above" in msg


def test_a_level_table_with_falling_levels_or_negative_areas_is_refused(tmp_path):
    problems = _problems(tmp_path, """\
nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: dam, type: reservoir, max_volume: 100, evaporation: 100,
     level_table: {volume: [0, 50, 100], level: [10, 5, 0], area: [-3, -2, -1]}}
  - {id: sea, type: sink}
edges: [[src, dam], [dam, sea]]
""")
    assert any("nodes[dam].level_table.level" in p and "fall" in p for p in problems)
    assert any("nodes[dam].level_table.area" in p and "negative" in p for p in problems)


def test_a_level_table_with_a_negative_volume_is_refused(tmp_path):
    """[-10, 100] hm³ passed (a re-fuzz): no reservoir stores less than no water."""
    (msg,) = _problems(tmp_path, """\
nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: dam, type: reservoir, max_volume: 100, level_table: {volume: [-10, 100], level: [0, 10]}}
  - {id: sea, type: sink}
edges: [[src, dam], [dam, sea]]
""")
    assert msg.endswith("nodes[dam].level_table.volume (line 5): starts at -10 hm³; a volume of water stored is ≥ 0 "
                        "(start the table at 0 or at the dead volume)")


def test_a_level_table_holding_a_number_larger_than_any_amount_is_refused(tmp_path):
    """A level of 1e308 ran into a misleading infeasible step, an area of 1e308 into NumPy's overflow warning (a
    review)."""
    (msg,) = _problems(tmp_path, """\
nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: dam, type: reservoir, max_volume: 100, evaporation: 5,
     level_table: {volume: [0, 100], level: [0, 10], area: [0, 1e308]}}
  - {id: sea, type: sink}
edges: [[src, dam], [dam, sea]]
""")
    assert msg.endswith("nodes[dam].level_table.area (line 6): holds 1e+308: a number larger than 1e30 is no amount "
                        "a model means")


def test_a_level_table_that_cannot_be_read_is_one_problem_not_also_a_missing_table(tmp_path):
    """An unknown unit in a level table gave two more problems, that the plant's reservoir and the evaporation
    had no level table (a re-fuzz)."""
    (msg,) = _problems(tmp_path, """\
nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: dam, type: reservoir, max_volume: 100, evaporation: 5,
     level_table: {volume: [0, 100], level: [0, 10], area: [0, 5], units: {level: ft}}}
  - {id: p, type: hydropower, capacity: 10, reservoir: dam}
  - {id: sea, type: sink}
edges: [[src, dam], [dam, p], [p, sea]]
""")
    assert "nodes[dam].level_table.units.level (line 6): unknown unit 'ft'" in msg


def test_a_level_table_that_does_not_span_the_reservoirs_volumes_is_refused(tmp_path):
    """Beyond its rows the level and the area would stay those of the nearest row (a head and an evaporating area
    that stop growing as the reservoir fills, or shrinking as it empties)."""
    def body(bottom: float, top: float, vmax: object = 100, vmin: object = 10) -> str:
        return f"""\
nodes:
  - {{id: src, type: inflow, inflow: 10}}
  - {{id: dam, type: reservoir, max_volume: {vmax}, min_volume: {vmin},
     level_table: {{volume: [{bottom}, {top}], level: [400, 420]}}}}
  - {{id: sea, type: sink}}
edges: [[src, dam], [dam, sea]]
"""

    (msg,) = _problems(tmp_path, body(bottom=0, top=80))
    assert msg.endswith("nodes[dam].level_table.volume (line 6): ends at 80 hm³, below max_volume (100 hm³): above "
                        "it the level and area would stay those of the table's last row; extend the table to the "
                        "full volume")
    (msg,) = _problems(tmp_path, body(bottom=20, top=100))  # (min_volume 10)
    assert msg.endswith("nodes[dam].level_table.volume (line 6): starts at 20 hm³, above min_volume (10 hm³): below "
                        "it the level and area would stay those of the table's first row; start the table at the "
                        "dead volume or lower")
    _load(tmp_path, body(bottom=10, top=100))
    # volumes that change by month: the table spans the largest max_volume and the smallest min_volume
    (msg,) = _problems(tmp_path, body(bottom=10, top=80, vmax=[80] * 11 + [100]))
    assert "ends at 80 hm³, below max_volume (100 hm³)" in msg
    (msg,) = _problems(tmp_path, body(bottom=20, top=100, vmin=[10] + [30] * 11))
    assert "starts at 20 hm³, above min_volume (10 hm³)" in msg
    (msg,) = _problems(tmp_path, body(bottom=10.5, top=100))  # (the margin is rounding's, not half a hm³)
    assert "starts at 10.5 hm³, above min_volume (10 hm³)" in msg


def test_a_negative_initial_flow_of_a_delay_is_refused(tmp_path):
    (msg,) = _problems(tmp_path, _river("{id: n, type: delay, steps: 1, initial_flow: -5}"))
    assert "nodes[n].initial_flow" in msg and "is negative (-5 hm³/step)" in msg


@pytest.mark.parametrize("loss, message", [
    ("150 %", "must be a fraction between 0 and 1"),
    ("-0.5", "must be a fraction between 0 and 1"),
    ("100 %", "a loss of 1 (100 %) makes the link useless; use < 1"),
    ("15", "must be a fraction between 0 and 1, not 15; a percentage is written with its sign (15 % = 0.15)"),
    ("[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 15]",  # (a series: a traceback, a review found)
     "must be a fraction between 0 and 1, not 15; a percentage is written with its sign (15 % = 0.15)"),
    ("100", "must be a fraction between 0 and 1"),  # (not "100 % = 1", which is refused too)
])
def test_a_loss_outside_0_to_1_is_one_problem(tmp_path, loss, message):
    """A loss of 150 % was also said to be 'a loss of 1 (100 %)', which it is not."""
    (msg,) = _problems(tmp_path, _river(f"{{id: n, type: canal, loss: {loss}}}"))
    assert msg.endswith(f"nodes[n].loss (line 5): {message}")


def test_an_efficiency_of_100_is_told_it_is_a_percentage(tmp_path):
    """A review: the hint's bound for a loss (100 % is refused as useless) hid it for an efficiency of 100."""
    (msg,) = _problems(tmp_path, _river("{id: n, type: hydropower, head: 10, capacity: 5, efficiency: 100}"))
    assert msg.endswith("must be a fraction between 0 and 1, not 100; a percentage is written with its sign "
                        "(100 % = 1)")


# --- 5. ids

def test_two_constraints_with_one_id_are_refused_naming_both(tmp_path):
    (msg,) = _problems(tmp_path, _river("{id: n, type: reach}") + """constraints:
  - {id: lic, type: flow_sum, nodes: [n], max_flow: 5}
  - {id: other, type: flow_sum, nodes: [n], max_flow: 6}
  - {id: lic, type: flow_sum, nodes: [n], max_flow: 7}
""")
    assert msg.endswith("m.yaml: constraints[lic] (line 11): the id 'lic' is also used by the constraint at "
                        "constraints[lic] (line 9); constraint ids must be unique")


def test_an_edge_id_that_is_a_reservoirs_spill_edge_id_is_refused(tmp_path):
    """A reservoir with ``spill_to`` has an edge named ``r->c (spill)`` in the results; an edge of the file with
    that id made the results name two edges alike (the spill read from the wrong one, the CSV export failing)."""
    (msg,) = _problems(tmp_path, """\
nodes:
  - {id: src, type: inflow, inflow: 50}
  - {id: b, type: junction}
  - {id: r, type: reservoir, max_volume: 100, initial_volume: 50, spill_to: c}
  - {id: c, type: sink}
edges: [[src, b], {from: b, to: r, id: "r->c (spill)"}]
""")
    assert msg.endswith("m.yaml: edges[1] (b -> r) (line 8): the id 'r->c (spill)' is that of the spill edge of "
                        "reservoir 'r' (its spill_to); give this edge another id")


def test_the_ids_of_the_results_csv_index_columns_are_refused(tmp_path):
    """An element named ``time`` or ``scenario`` would repeat an index column's name in the results' CSV files."""
    msgs = _problems(tmp_path, """\
nodes:
  - {id: time, type: inflow, inflow: 50}
  - {id: sea, type: sink}
edges: [{from: time, to: sea, id: scenario}]
""")
    assert [m.split("m.yaml: ")[1] for m in msgs] == [
        "nodes[time] (line 4): the id 'time' is reserved: the results' CSV files name their index columns "
        "'scenario' and 'time'; give it another id",
        "edges[0] (time -> sea) (line 6): the id 'scenario' is reserved: the results' CSV files name their index "
        "columns 'scenario' and 'time'; give it another id"]


# --- 6. series against the model's time axis

def test_series_of_constraints_are_checked_against_the_time_axis(tmp_path):
    msgs = _problems(tmp_path, """nodes:
  - {id: src, type: inflow, inflow: 50}
  - {id: a, type: reach}
  - {id: b, type: reach}
  - {id: sea, type: sink}
edges: [[src, a], [src, b], [a, sea], [b, sea]]
constraints:
  - {id: lic, type: flow_sum, nodes: [a, b], max_flow: {values: [1, 2, 3]}}
  - {id: split, type: flow_ratio, nodes: [a, b], factors: [1, {values: [1, 2]}]}
""")
    assert len(msgs) == 2
    assert ("constraints[lic].max_flow (line 10): the series has 3 values but the time span has 12 monthly steps"
            in msgs[0])
    assert ("constraints[split].factors[1] (line 11): the series has 2 values but the time span has 12 monthly steps"
            in msgs[1])


def test_every_series_is_resolved_once_for_validation(tmp_path, monkeypatch):
    """The series check and the min/max check share what they resolve: no series is resolved twice."""
    calls: list[int] = []
    resolve = Series.resolve

    def counted(self, axis):
        calls.append(id(self))
        return resolve(self, axis)

    monkeypatch.setattr(Series, "resolve", counted)
    m = _load(tmp_path, _river("{id: n, type: reach, min_flow: {values: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}, "
                               "max_flow: 5 m3/s}"))  # (one value per step: a 13th is a problem now)
    assert len(calls) == len(set(calls)) == 2 and m.node("n").get("min_flow") is not None


def test_a_series_object_given_twice_is_reported_once(tmp_path):
    m = _load(tmp_path, _river("{id: n, type: reach}"))
    short = Series("steps", np.ones((1, 2)), origin=("", "x"))
    nodes = tuple(replace(n, attrs={**n.attrs, "max_flow": short}) for n in m.nodes)
    problems = validate_model(replace(m, nodes=nodes), "m.yaml")
    assert [str(p) for p in problems] == [
        "m.yaml: nodes[src].max_flow (line 4): the series has 2 values but the time span has 12 monthly steps, "
        "2001-01-01 to 2001-12-31; give one value per step or use a CSV with dates"]


def test_series_are_not_compared_with_a_time_that_could_not_be_read(tmp_path):
    """Without a time the model has a placeholder span (January 2000), which its CSV series need not cover."""
    (tmp_path / "q.csv").write_text("date,q\n2001-01-01,1\n")
    p = tmp_path / "m.yaml"
    p.write_text("version: 1\n" + _river("{id: n, type: reach, max_flow: {csv: q.csv}}"))
    with pytest.raises(ModelError) as info:
        daryo.load(p)
    assert [q.place for q in info.value.problems] == ["time"]


@pytest.mark.parametrize("key", ["spill_to", "return_to"])
def test_water_sent_to_its_own_node_or_to_a_requirement_is_refused(tmp_path, key):
    node = ("{id: n, type: reservoir, max_volume: 50, spill_to: TARGET}" if key == "spill_to" else
            "{id: n, type: demand, demand: 100, consumptive_fraction: 0.5, return_to: TARGET}")
    body = f"""\
nodes:
  - {{id: src, type: inflow, inflow: 100}}
  - {node}
  - {{id: env, type: flow_requirement, at: sea, flow: 1}}
  - {{id: sea, type: sink}}
edges: [[src, n]{", [n, sea]" if key == "spill_to" else ""}]
"""
    (msg,) = _problems(tmp_path, body.replace("TARGET", "n"))
    assert f"nodes[n].{key}" in msg and "its own node" in msg
    (msg,) = _problems(tmp_path, body.replace("TARGET", "env"))
    assert f"nodes[n].{key}" in msg and "'env' is a flow_requirement" in msg


# --- 4. a state-dependent parameter where the network takes fixed values

def test_a_state_dependent_max_flow_of_a_plant_is_refused_by_validation(tmp_path):
    (msg,) = _problems(tmp_path, """\
parameters:
  rel: {type: controlcurve, reservoir: dam, control_curves: [0.5], values: [100, 10]}
  twice: {type: aggregated, agg_func: sum, parameters: [rel, rel]}
nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: dam, type: reservoir, max_volume: 100}
  - {id: plant, type: hydropower, capacity: 100 MW, head: 50, max_flow: {parameter: twice}}
  - {id: sea, type: sink}
edges: [[src, dam], [dam, plant], [plant, sea]]
""")
    assert "nodes[plant].max_flow" in msg and "parameter 'twice' depends on the reservoir state" in msg


def test_a_state_dependent_min_flow_of_a_plant_is_accepted(tmp_path):
    _load(tmp_path, """\
parameters:
  rel: {type: controlcurve, reservoir: dam, control_curves: [0.5], values: [1, 0]}
nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: dam, type: reservoir, max_volume: 100}
  - {id: plant, type: hydropower, capacity: 100 MW, head: 50, min_flow: {parameter: rel}}
  - {id: sea, type: sink}
edges: [[src, dam], [dam, plant], [plant, sea]]
""")


@pytest.mark.parametrize("feeder", [
    "{id: dam, type: reservoir, max_volume: 100, initial_volume: 100, spill_to: j}",
    "{id: dam, type: demand, demand: 5, consumptive_fraction: 0.5, return_to: j}",
], ids=["spill", "return-flow"])
def test_a_junction_fed_only_by_a_spill_or_a_return_flow_is_connected(tmp_path, feeder):
    """It was refused: "a junction needs at least one incoming and one outgoing edge", though water reaches it."""
    _load(tmp_path, f"""\
nodes:
  - {{id: src, type: inflow, inflow: 10}}
  - {feeder}
  - {{id: j, type: junction}}
  - {{id: sea, type: sink}}
edges: [[src, dam], [j, sea]]
""")


def test_a_node_of_a_mistyped_type_is_named_once_not_by_the_nodes_that_name_it(tmp_path):
    """A typo in a reservoir's type also told its plant that 'dam' is not a node (did you mean 'plant'?) and that
    it needs a head or a reservoir: follow-ons of the one mistake (a QA pass)."""
    problems = _problems(tmp_path, """\
nodes:
  - {id: src, type: inflow, inflow: 100}
  - {id: dam, type: reservior, max_volume: 500}
  - {id: plant, type: hydropower, capacity: 50, reservoir: dam}
  - {id: sea, type: sink}
edges: [[src, dam], [dam, plant], [plant, sea]]
""")
    assert len(problems) == 1 and "unknown component type 'reservior'" in problems[0], problems
    problems = _problems(tmp_path, _river("{id: plant, type: hydropower, capacity: 50, reservoir: dum}", "plant"))
    assert len(problems) == 1 and "reservoir (line 5): names 'dum', which is not a node" in problems[0], problems


def test_a_loop_of_edges_is_named_by_its_edges_not_blamed_on_a_return_flow(tmp_path):
    """An edge written the wrong way round made a loop, and the message blamed the demand's correct return_to
    ('j2' is upstream of its intake) without naming the edges (a QA pass)."""
    problems = _problems(tmp_path, """\
nodes:
  - {id: src, type: inflow, inflow: 100}
  - {id: j1, type: junction}
  - {id: city, type: demand, demand: 30, consumptive_fraction: 0.5, return_to: j2}
  - {id: j2, type: junction}
  - {id: sea, type: sink}
edges: [[src, j1], [j1, city], [j1, j2], [j2, sea], [j2, j1]]
""")
    assert len(problems) == 1 and problems[0].endswith(
        "nodes[city].return_to (line 6): 'j2' is both downstream and upstream of the demand's intake from 'j1': the "
        "edges make a loop (edges[2] (j1 -> j2) (line 9); edges[4] (j2 -> j1) (line 9)), so its return flow could be "
        "delivered to it again in the same step; water in a river network flows one way: is one of these edges "
        "written the wrong way round?"), problems


def test_a_loop_through_a_delay_is_not_named_as_a_loop_of_edges(tmp_path):
    """Water through a delay arrives a step later: the same-step way back to the intake is the reservoir's spill,
    and the message says the return flow reaches the intake, not that edges through the delay make a loop."""
    problems = _problems(tmp_path, """\
nodes:
  - {id: src, type: inflow, inflow: 100}
  - {id: j1, type: junction}
  - {id: city, type: demand, demand: 30, consumptive_fraction: 0.5, return_to: dam}
  - {id: dam, type: reservoir, max_volume: 100, initial_volume: 50, spill_to: j1}
  - {id: lag, type: delay, steps: 1}
  - {id: sea, type: sink}
edges: [[src, j1], [j1, city], [j1, dam], [dam, lag], [lag, j1], [dam, sea]]
""")
    assert len(problems) == 1 and "'dam' is upstream of the demand's intake from 'j1'" in problems[0], problems


LOOP = """\
nodes:
  - {{id: src, type: inflow, inflow: 1}}
  - {{id: j1, type: junction}}
  - {node}
  - {{id: j2, type: junction}}
  - {{id: sea, type: sink}}
{extra}edges: [[src, j1], [j1, {id}], [{id}, j2], [j2, sea], {back}]
"""


def test_a_plant_on_a_loop_of_edges_is_refused_with_the_loop_named(tmp_path):
    """An edge back upstream sent the same water round through the turbines in one step: 1 hm³ a month made 74 GWh
    (the plant's full capacity) and the mass balance still closed (a user review)."""
    problems = _problems(tmp_path, LOOP.format(node="{id: hpp, type: hydropower, capacity: 100 MW, head: 50}",
                                                id="hpp", extra="", back="[j2, j1]"))
    assert len(problems) == 1 and problems[0].endswith(
        "nodes[hpp] (line 6): is on a loop of water within a step (edges[2] (hpp -> j2) (line 9); edges[4] "
        "(j2 -> j1) (line 9); edges[1] (j1 -> hpp) (line 9)): the same water could pass its turbines again and again "
        "in one step, making energy from nothing; water in a river network flows one way: is an edge written the "
        "wrong way round, or a spill sent upstream? (Water pumped back up, which daryo does not charge energy for, "
        "must pass a delay.)"), problems


def test_an_edge_from_a_plant_to_itself_is_one_problem_and_a_typo_is_not_blamed_on_the_reservoir(tmp_path):
    """A review: an edge [hpp, hpp] was also called a loop, and a misspelt edge from a plant's reservoir also made
    the reservoir "not upstream of the plant", sending the user to the wrong fix."""
    (self_loop,) = _problems(tmp_path, LOOP.format(node="{id: hpp, type: hydropower, capacity: 100 MW, head: 50}",
                                                     id="hpp", extra="", back="[hpp, hpp]"))
    assert "an edge cannot connect a node to itself" in self_loop
    for edges in ("[[src, dam], [dma, plant], [plant, sea]]", "[[src, dam], {from: dam, too: plant}, [plant, sea]]"):
        (typo,) = _problems(tmp_path, _dam_and_plant("efficiency: 0.9").replace(
            "edges: [[src, dam], [dam, plant], [plant, sea]]", f"edges: {edges}"))
        assert "edges[1]" in typo and "upstream" not in typo


def test_a_flow_requirement_on_a_loop_of_edges_is_refused(tmp_path):
    """Water going round a loop was counted toward a requirement at a node on it, again and again (a user
    review: a requirement of 100 met every month by a system holding 1 hm³)."""
    problems = _problems(tmp_path, LOOP.format(node="{id: r, type: reach}", id="r", back="[j2, j1]",
                                                extra="  - {id: eflow, type: flow_requirement, at: r, flow: 100}\n"))
    assert len(problems) == 1 and "nodes[eflow].at (line 9): 'r' is on a loop of water within a step (edges[2] " \
        "(r -> j2)" in problems[0] and "counted toward the requirement each time" in problems[0], problems


def test_a_spill_back_upstream_of_a_plant_is_named_as_the_loop(tmp_path):
    problems = _problems(tmp_path, """\
nodes:
  - {id: src, type: inflow, inflow: 1}
  - {id: j1, type: junction}
  - {id: hpp, type: hydropower, capacity: 100 MW, head: 50}
  - {id: dam, type: reservoir, max_volume: 100, initial_volume: 50, spill_to: j1}
  - {id: sea, type: sink}
edges: [[src, j1], [j1, hpp], [hpp, dam], [dam, sea]]
""")
    assert len(problems) == 1 and "nodes[hpp] (line 6): is on a loop of water within a step (edges[2] (hpp -> dam) " \
        "(line 9); the spill of 'dam' to 'j1' (nodes[dam].spill_to (line 7)); edges[1] (j1 -> hpp) (line 9))" \
        in problems[0], problems


def test_loops_through_a_delay_or_past_no_plant_or_requirement_are_valid(tmp_path):
    """What leaves a delay entered it steps before, so a loop through one sends no water round within a step; and a
    loop past no plant or requirement is left to the model's costs, as in Pywr (transfers both ways)."""
    delayed = LOOP.format(node="{id: hpp, type: hydropower, capacity: 100 MW, head: 50}", id="hpp", back="[j2, lag]",
                          extra="  - {id: lag, type: delay, steps: 1}\n").replace("[j2, sea], [j2, lag]",
                                                                                   "[j2, sea], [j2, lag], [lag, j1]")
    assert _load(tmp_path, delayed).node("lag").type == "delay"
    both_ways = LOOP.format(node="{id: canal, type: canal, capacity: 5}", id="canal", extra="", back="[j2, j1]")
    result = daryo.run(_load(tmp_path, both_ways))
    assert float(result.dataset["node_flow"].sel(node="sea").sum()) == pytest.approx(12.0)
    shut = LOOP.format(node="{id: hpp, type: hydropower, capacity: 100 MW, head: 50}", id="hpp", extra="",
                       back="{from: j2, to: j1, max_flow: 0}")  # (a back edge shut: no loop of water; a review)
    assert _load(tmp_path, shut).node("hpp").type == "hydropower"


def test_a_long_loop_is_named_by_its_first_and_last_edges():
    """A loop of many edges is named by its first three and last two edges and how many lie between, so that a
    message stays readable (a review built loops of 800 edges)."""
    from daryo.model.topology import _edges_text
    from daryo.model.types import Edge

    edges = [Edge(f"j{i}->j{i + 1}", f"j{i}", f"j{i + 1}", place=f"edges[{i}]") for i in range(8)]
    assert _edges_text(edges[:6]).count("; ") == 5
    assert _edges_text(edges) == ("edges[0]; edges[1]; edges[2]; … 3 more …; edges[6]; edges[7]")


def test_a_return_flow_above_a_delay_the_demand_takes_from_is_valid(tmp_path):
    """Water returned above a delay reaches the demand a step later, not again in the same step: no loop (a
    review found such a model refused)."""
    model = _load(tmp_path, """\
nodes:
  - {id: src, type: inflow, inflow: 100}
  - {id: j1, type: junction}
  - {id: lag, type: delay, steps: 1}
  - {id: city, type: demand, demand: 30, consumptive_fraction: 0.5, return_to: j1}
  - {id: sea, type: sink}
edges: [[src, j1], [j1, lag], [lag, city], [j1, sea]]
""")
    assert model.node("city").attrs["return_to"] == "j1"


def test_cautions_name_a_plant_with_levels_above_sea_and_no_tailwater_and_an_unlimited_source(tmp_path, capsys):
    """A review (a modeller of her own basin): a plant on a reservoir whose levels are in m a.s.l., given no
    tailwater level, made 3.5 TWh/yr where 0.9 was right (a head of 1,770 m), and an inflow node left without its
    series supplied whatever the allocation asked; both models are valid, and nothing was said before the run."""
    from daryo.cli import main
    from daryo.model.validate import cautions

    body = _dam_and_plant("efficiency: 0.9").replace("{id: src, type: inflow, inflow: 10}", "{id: src, type: inflow}")
    model = _load(tmp_path, body)
    assert cautions(model) == [
        f"{tmp_path / 'm.yaml'}: nodes[plant] (line 6): tailwater_level 0 m: the head is the level of "
        "reservoir 'dam' above 0 m, up to 420 m, higher than any dam's (~300 m); if its levels are in m above sea "
        "level, give the plant's tailwater_level (m a.s.l.), or its energy is overstated",
        f"{tmp_path / 'm.yaml'}: nodes[src] (line 4): no inflow or max_flow: an unlimited source, which supplies "
        "whatever the demands it reaches ask of it (a cost only keeps it from sending water on to the sinks); give "
        "its inflow series, or the most it can supply as max_flow"]
    for fixed in (body.replace("efficiency: 0.9", "tailwater_level: 380").replace("type: inflow}", "type: inflow, "
                                                                                  "inflow: 10}"),
                  body.replace("level: [400, 420]", "level: [100, 120]").replace("type: inflow}", "type: inflow, "
                                                                                 "max_flow: 10}"),
                  body.replace("efficiency: 0.9", "head: 20").replace(", level_table: {volume: [0, 100], level: "
                                                                      "[400, 420]}", "").replace(
                      "type: inflow}", "type: inflow, max_flow: 20, cost: 2}")):
        assert cautions(_load(tmp_path, fixed)) == []
    assert main(["validate", str(tmp_path / "m.yaml")]) == 0  # (the last, fixed)
    assert "note:" not in capsys.readouterr().err
    (tmp_path / "m.yaml").write_text(HEAD + body)
    for command in (["validate"], ["run"]):
        assert main([*command, str(tmp_path / "m.yaml")]) == 0
        err = capsys.readouterr().err
        assert "note: " + cautions(model)[0] in err.splitlines() and "nodes[src] (line 4): no inflow" in err


def test_a_country_code_iso_has_not_assigned_is_a_caution_with_the_code_it_may_be_a_typo_of(tmp_path, capsys):
    """A QA review: ``country: UZK`` (for UZB) passed validation, and every table by country showed a country UZK
    beside UZB, splitting Uzbekistan's demand.  A valid model still (a code of one's own is allowed: XAA-XZZ), with
    a caution naming the nodes and the model's code it is likely a typo of."""
    from daryo.cli import main
    from daryo.model.countries import ISO_3166_ALPHA_3, is_country_code
    from daryo.model.validate import cautions

    assert len(ISO_3166_ALPHA_3) == 249 and {"AFG", "KAZ", "KGZ", "TJK", "TKM", "UZB"} <= ISO_3166_ALPHA_3
    assert is_country_code("XKX") and is_country_code("XAR") and not is_country_code("UZK")
    text = (Path(daryo.demo_model_path()).read_text().replace("country: UZB", "country: UZK", 2))
    folder = tmp_path / "demo"
    shutil.copytree(Path(daryo.demo_model_path()).parent, folder)
    (folder / "demo.yaml").write_text(text)
    model = daryo.load(folder / "demo.yaml")
    uzk = [n.id for n in model.nodes if n.country == "UZK"]
    (note,) = cautions(model)
    assert note.startswith(f"{folder / 'demo.yaml'}: nodes[{uzk[0]}].country (line ")
    assert note.endswith(f"'UZK' (and {uzk[1]}) is not an ISO 3166-1 alpha-3 code (did you mean 'UZB'?): the tables "
                         "by country show it as a country of its own; give the country's code, or one ISO leaves to "
                         "its users (XAA-XZZ) for a region of your own")
    assert main(["validate", str(folder / "demo.yaml")]) == 0
    assert f"note: {note}" in capsys.readouterr().err
    assert cautions(daryo.load(daryo.demo_model_path())) == []


def test_a_reservoir_that_starts_below_its_dead_volume_is_a_caution_and_fills_before_every_priority(tmp_path):
    """A MODSIM user's review: 50 hm³ a month into a junction feeding a demand of 40 (priority 1) and a reservoir
    starting empty with a dead volume of 100: the demand got nothing for two months (the dead volume is a
    requirement before every priority), and nothing said so.  A new reservoir's filling is legitimate, so a
    caution, naming the reservoir; in its units (km³), and against the least of a monthly min_volume in the run::

        src -> j -> farm (priority 1, 40)
               '-> pond (min 100, initial 0) -> sea
    """
    from daryo.model.validate import cautions

    body = """\
nodes:
  - {id: src, type: inflow, inflow: 50}
  - {id: j, type: junction}
  - {id: farm, type: demand, demand: 40, priority: 1}
  - {id: pond, type: reservoir, max_volume: 500, min_volume: 100, initial_volume: 0}
  - {id: sea, type: sink}
edges: [[src, j], [j, farm], [j, pond], [pond, sea]]
"""
    model = _load(tmp_path, body)
    assert daryo.run(model).dataset.delivery.sel(demand="farm").values.ravel()[:3].tolist() == [0.0, 0.0, 40.0]
    assert cautions(model) == [
        f"{tmp_path / 'm.yaml'}: nodes[pond].initial_volume (line 7): 0 hm³, below min_volume (100 hm³): in "
        "priority mode a reservoir refills its dead volume before every priority (priority 0): it takes the water "
        "that can reach it, even from senior demands that are not downstream of it, until it holds 100 hm³; if it "
        "is not meant to fill first (a new reservoir's filling may be), start it at its min_volume or above"]
    in_km3 = body.replace("min_volume: 100, initial_volume: 0", "min_volume: 0.1 km3, initial_volume: 0.05 km3")
    assert "50 hm³, below min_volume (100 hm³)" in cautions(_load(tmp_path, in_km3))[0]
    monthly = body.replace("min_volume: 100", "min_volume: [100, 90, 100, 100, 100, 100, 100, 100, 100, 100, 100, "
                           "100]")
    assert "0 hm³, below min_volume (90 hm³, its least in the run)" in cautions(_load(tmp_path, monthly))[0]
    for fine in (body.replace("initial_volume: 0", "initial_volume: 100"),
                 monthly.replace("90, 100", "0, 100"),  # (no dead volume to fill in February: not a requirement)
                 "allocation: cost\n" + body.replace(", priority: 1", "")):
        assert cautions(_load(tmp_path, fine)) == []


def test_a_demands_cost_in_priority_mode_and_a_priority_in_cost_mode_are_cautions(tmp_path):
    """A MODSIM user's review: the seniority of two demands written as costs (-49990 for the senior, -49000 for the
    junior) in priority mode, the default: 50 hm³ for two demands of 40 was shared equally (25 each, the costs
    choosing only among routes with every delivery held), without a word.  In cost mode the costs allocate (40 and
    10) and a priority, which it does not read, is the caution::

        src -> senior (40), junior (40), sea
    """
    from daryo.model.validate import cautions

    body = """\
nodes:
  - {id: src, type: inflow, inflow: 50}
  - {id: senior, type: demand, demand: 40, cost: -49990}
  - {id: junior, type: demand, demand: 40, cost: -49000}
  - {id: sea, type: sink}
edges: [[src, senior], [src, junior], [src, sea]]
"""
    model = _load(tmp_path, body)
    np.testing.assert_allclose(daryo.run(model).dataset.delivery.values[0, 0], [25.0, 25.0], atol=1e-6)
    assert cautions(model) == [
        f"{tmp_path / 'm.yaml'}: nodes[senior].cost (line 5): a cost on a demand (also on 'junior'), which in "
        "priority mode does not change what the demand gets: the priorities rank the deliveries (1 is served first; "
        "demands of one priority share a shortage, max–min fairly), and the costs are minimised only after, with "
        "every delivery held, to choose among routes that deliver the same; to serve one demand before another, "
        "give it a smaller priority number (or use allocation: cost, where the costs allocate)"]
    costs = "allocation: cost\n" + body.replace("-49000}", "-49000, priority: 1}").replace(
        "demand: 40, cost: -49990}", "demand: 40, cost: -49990, priority: 2}")
    model = _load(tmp_path, costs)
    np.testing.assert_allclose(daryo.run(model).dataset.delivery.values[0, 0], [40.0, 10.0], atol=1e-6)  # (the
    # costs, not the priorities)
    assert cautions(model) == [
        f"{tmp_path / 'm.yaml'}: nodes[senior].priority (line 6): a priority (also on 'junior'), which cost mode does "
        "not read: one solve minimises the model's costs alone, so give the element a negative cost instead (a "
        "benefit per hm³: of a demand, per hm³ delivered; of a flow requirement, met; of a reservoir, stored; of a "
        "plant, through its turbines; the more negative, the sooner it is served), or use allocation: priority, where "
        "the priorities rank them"]
    # a cost of 0, said in so many words, changes nothing in priority mode either: no caution (a diff review)
    assert cautions(_load(tmp_path, body.replace("cost: -49990}", "cost: 0}").replace(", cost: -49000}", "}"))) == []
    target = costs.replace(", priority: 1}", "}").replace(", priority: 2}", "}").replace(
        "  - {id: sea, type: sink}", "  - {id: sea, type: sink}\n  - {id: dam, type: reservoir, max_volume: 10, "
        "target_volume: 5, target_priority: 2}").replace("[src, sea]]", "[src, sea], [src, dam], [dam, sea]]")
    (note,) = cautions(_load(tmp_path, target))
    assert "nodes[dam].target_priority (line 9): a priority, which cost mode does not read" in note
    for fine in (body.replace(", cost: -49990", ", priority: 1").replace(", cost: -49000", ", priority: 2"),
                 "allocation: cost\n" + body):
        assert cautions(_load(tmp_path, fine)) == []


def test_a_demand_that_returns_to_a_node_but_consumes_all_it_gets_is_a_caution(tmp_path):
    """A MODSIM user's review: a demand given a ``return_to`` but no ``consumptive_fraction`` (1 by default)
    returned nothing, its return flow silently 0.  A caution at its ``return_to``; none where some of it returns in
    a step of the run, or where it returns nowhere::

        src -> farm (20, returns to 'river')
           '-> river -> sea
    """
    from daryo.model.validate import cautions

    body = """\
nodes:
  - {id: src, type: inflow, inflow: 50}
  - {id: farm, type: demand, demand: 20, return_to: river}
  - {id: river, type: reach}
  - {id: sea, type: sink}
edges: [[src, farm], [src, river], [river, sea]]
"""
    model = _load(tmp_path, body)
    assert float(daryo.run(model).dataset.sink_inflow.values[0, 0, 0]) == pytest.approx(30.0)  # (none returned)
    assert cautions(model) == [
        f"{tmp_path / 'm.yaml'}: nodes[farm].return_to (line 5): 'river' never receives anything: the demand's "
        "consumptive_fraction is 1 (the default), so it consumes all it gets and returns nothing; give the fraction "
        "it consumes (0.6: 40 % of what it gets returns to 'river'), or leave out return_to"]
    given = body.replace("return_to: river}", "return_to: river, consumptive_fraction: [1, 1, 1, 1, 1, 1, 1, 1, 1, "
                         "1, 1, 1]}")
    assert "consumptive_fraction is 1, so it consumes all" in cautions(_load(tmp_path, given))[0]
    for fine in (body.replace("return_to: river}", "return_to: river, consumptive_fraction: 0.6}"),
                 given.replace("1, 1]}", "1, 0.9]}"),  # (in December some returns)
                 body.replace(", return_to: river}", "}")):
        assert cautions(_load(tmp_path, fine)) == []


def test_a_flow_requirement_at_a_demand_is_a_caution(tmp_path):
    """A MODSIM user's review: an environmental flow put at a demand (the node a reservoir's release went to) was
    met by the demand's delivery, the river below given nothing, without a word.  A caution at its ``at``; none
    for a requirement at a sink::

        src (50) -> farm (demand 20, priority 2)
              '---> sea;  e-flow of 30 at farm (priority 1)
    """
    from daryo.model.validate import cautions

    body = """\
nodes:
  - {id: src, type: inflow, inflow: 50}
  - {id: farm, type: demand, demand: 20, priority: 2}
  - {id: sea, type: sink}
  - {id: eflow, type: flow_requirement, at: farm, flow: 30, priority: 1}
edges: [[src, farm], [src, sea]]
"""
    model = _load(tmp_path, body)
    ds = daryo.run(model).dataset
    assert float(ds.requirement_met.values[0, 0, 0]) == pytest.approx(20.0)  # (the farm's delivery, its demand)
    assert cautions(model) == [
        f"{tmp_path / 'm.yaml'}: nodes[eflow].at (line 7): 'farm' is a demand: the requirement is met by the water "
        "delivered to it, at the requirement's priority (1), not by a flow in the river; for a flow in the river, put "
        "it at a reach or sink the river flows through (below the last diversion), and for a delivery the demand "
        "must get, its min_flow or priority say so"]
    assert cautions(_load(tmp_path, body.replace("at: farm", "at: sea"))) == []


def test_a_plant_whose_tailwater_lies_above_its_reservoirs_dead_volume_is_a_caution(tmp_path):
    """A hydropower engineer's review: a reservoir of 300 hm³ at 30 m (tailwater 25 m, 250 hm³) whose only outlet is
    a plant ended January empty, 350 hm³ through the turbines, 250 of them "uphill", its energy reckoned at the
    start head of 5 m, where the docs said it keeps what it holds below the tailwater as dead volume.  A caution at
    the plant's tailwater_level; none where min_volume holds the tailwater's volume::

        src (50) -> res (0-1000 hm³, levels 0-100 m) -> hp (100 MW, tailwater 25 m, target 100 GWh) -> out
    """
    from daryo.model.validate import cautions

    body = """\
nodes:
  - {id: src, type: inflow, inflow: 50}
  - {id: res, type: reservoir, max_volume: 1000, initial_volume: 300,
     level_table: {volume: [0, 1000], level: [0, 100], area: [0, 10]}}
  - {id: hp, type: hydropower, capacity: 100 MW, reservoir: res, tailwater_level: 25, energy_target: 100 GWh}
  - {id: out, type: sink}
edges: [[src, res], [res, hp], [hp, out]]
"""
    model = _load(tmp_path, body)
    ds = daryo.run(model).dataset
    assert float(ds.storage.values[0, 0, 0]) < 250 - 1  # (drawn below the tailwater's 250 hm³ in January)
    assert cautions(model) == [
        f"{tmp_path / 'm.yaml'}: nodes[hp].tailwater_level (line 7): 25 m, the level of 250 hm³ in reservoir 'res', "
        "above the level of its dead volume (0 hm³): a step that starts above the tailwater can draw the reservoir "
        "below it through the plant, with the step's energy reckoned at its start head (only a step that starts at "
        "or below it passes no water); if the plant cannot draw it lower, give the reservoir a min_volume of 250 "
        "hm³ or more"]
    held = body.replace("initial_volume: 300,", "initial_volume: 300, min_volume: 250,")
    assert cautions(_load(tmp_path, held)) == []


def test_monthly_amounts_per_step_in_a_model_of_day_steps_are_a_caution(tmp_path):
    """A daily model's reviewer: an energy target of 12 monthly values in GWh, as the demo model writes its targets,
    is an amount per step, so in a model of 1-day steps every day asked the month's whole target (90 GWh a day, ten
    times what a 364 MW plant gives), and the plant drained its reservoir without a word.  A caution names it; a
    monthly rate (GWh/day, m3/s) and monthly steps have none."""
    from daryo.model.validate import cautions

    body = """\
version: 1
name: et-daily
time: {start: 2011-01-01, end: 2011-02-28, step: {days: 1}}
nodes:
  - {id: river, type: inflow, inflow: 400 m3/s}
  - {id: dam, type: reservoir, max_volume: 18.6 km3, initial_volume: 14 km3, spill_to: out,
     level_table: {volume: [0, 6600, 18600], level: [440, 470, 485], area: [0, 900, 1850]}}
  - {id: hpp, type: hydropower, capacity: 364 MW, reservoir: dam, tailwater_level: 440,
     energy_target: {monthly: [90, 80, 85, 80, 80, 75, 80, 85, 80, 85, 85, 90], unit: UNIT}}
  - {id: town, type: demand, demand: {monthly: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5], unit: hm3}}
  - {id: out, type: sink}
edges: [[river, dam], [dam, hpp], [hpp, out], [river, town]]
constraints:  # (a licence of 3 hm3 a month; a diff review: constraints were not looked at)
  - {id: lic, type: flow_sum, nodes: [town], max_flow: {monthly: [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3], unit: hm3}}
"""
    path = tmp_path / "m.yaml"
    path.write_text(body.replace("UNIT", "GWh"))
    assert cautions(daryo.load(path)) == [
        f"{path}: nodes[hpp].energy_target (line 9): 12 monthly values of an amount per step, not a rate (also "
        "town.demand, lic.max_flow), in a model of 1-day steps: each day takes the value of its month, so a month's "
        "total written here is taken once a day; give the months' totals in hm3/month or GWh/month ({monthly: "
        "[...], unit: hm3/month}: each step takes its days' part of its month's), or as a rate (their unit per day: "
        "hm3/day, GWh/day; or m3/s)"]
    path.write_text(body.replace("UNIT", "GWh/day").replace("unit: hm3}", "unit: m3/s}"))
    assert cautions(daryo.load(path)) == []
    path.write_text(body.replace("UNIT", "GWh").replace("step: {days: 1}", "step: {days: 30}"))
    assert cautions(daryo.load(path)) == []  # (a step of about a month takes about its month's amount)
    path.write_text(body.replace("UNIT", "GWh").replace("step: {days: 1}", "step: month").replace(
        "2011-01-01, end: 2011-02-28", "2011-01, end: 2011-02"))
    assert cautions(daryo.load(path)) == []


def test_monthly_amounts_per_step_in_a_model_of_dekads_are_a_caution(tmp_path):
    """The dekads brief: in a model of dekads, 12 monthly values of an amount per step give each dekad its month's
    whole amount (three times the month's), as on N-day steps: the same caution names them; monthly rates have
    none."""
    from daryo.model.validate import cautions

    body = """\
version: 1
name: et-dekads
time: {start: 2011-01-01, end: 2011-02-28, step: dekad}
nodes:
  - {id: river, type: inflow, inflow: 400 m3/s}
  - {id: town, type: demand, demand: {monthly: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5], unit: UNIT}}
  - {id: out, type: sink}
edges: [[river, town], [river, out]]
"""
    path = tmp_path / "m.yaml"
    path.write_text(body.replace("UNIT", "hm3"))
    assert cautions(daryo.load(path)) == [
        f"{path}: nodes[town].demand (line 6): 12 monthly values of an amount per step, not a rate, in a model of "
        "dekads: each dekad takes the value of its month, so a month's total written here is taken once a dekad; "
        "give the months' totals in hm3/month or GWh/month ({monthly: [...], unit: hm3/month}: each step takes its "
        "days' part of its month's), or as a rate (their unit per day: hm3/day, GWh/day; or m3/s)"]
    path.write_text(body.replace("UNIT", "hm3/day"))
    assert cautions(daryo.load(path)) == []
    path.write_text(body.replace("UNIT", "hm3/month"))  # (months' totals, spread over days: a BWO planner's review)
    assert cautions(daryo.load(path)) == []


def test_amounts_read_from_a_file_of_other_rows_than_the_steps_are_a_caution(tmp_path):
    """A BWO planner's review of dekads: monthly limits in hm³ read through a dataframe parameter gave each dekad
    the month's whole (2,610 hm³ demanded in a year of 870 of limits), without a word.  A caution where an amount
    per step is read from a file whose rows are longer (or shorter) than the steps; none for a rate, nor for rows
    of the steps' own length."""
    import pandas as pd

    from daryo.model.validate import cautions

    months = pd.date_range("2000-10-01", periods=12, freq="MS")
    (tmp_path / "limits.csv").write_text("date,canal\n" + "".join(f"{d:%Y-%m-%d},{v}\n" for d, v in zip(
        months, [40, 0, 0, 0, 0, 0, 0, 120, 200, 240, 170, 100], strict=True)))
    body = """\
version: 1
name: limits
time: {start: 2000-10-01, end: 2001-09, step: dekad}
parameters:
  lim: {type: dataframe, csv: limits.csv, index_col: date, column: canal}
nodes:
  - {id: river, type: inflow, inflow: 500 m3/s}
  - {id: farm, type: demand, demand: {parameter: lim, unit: UNIT}}
  - {id: sea, type: sink}
edges: [[river, farm], [river, sea]]
"""
    path = tmp_path / "m.yaml"
    path.write_text(body.replace("UNIT", "hm3"))
    model = daryo.load(path)
    demanded = float(daryo.run(model).dataset["demanded"].sum())
    assert demanded == pytest.approx(3 * 870)  # (each dekad its month's whole: what the caution is about)
    assert cautions(model) == [
        f"{path}: nodes[farm].demand (line 8): an amount per step, not a rate, read from parameter 'lim', whose "
        "values are about 31 days apart, in a model of dekads: a step takes the mean of its rows' values (of a "
        "longer row, its value whole), which is right for a rate, not for an amount per row (a month's total is "
        "taken by each of its steps, days' amounts are averaged, not summed); give the unit as a rate (hm3/day, "
        "m3/s; GWh/day), or the values per step"]
    path.write_text(body.replace("UNIT", "hm3/day"))
    assert cautions(daryo.load(path)) == []
    # the same through another parameter, or as a monthly profile of amounts (a diff review: only a direct
    # reference to the file was seen)
    for extra, ref, read in (("  agg: {type: max, parameter: lim, threshold: 0}\n", "agg", "'lim' (through 'agg')"),
                             ("  mp: {type: monthlyprofile, values: [40, 0, 0, 0, 0, 0, 0, 120, 200, 240, 170, 100]}\n",
                              "mp", "'mp'")):
        text = body.replace("UNIT", "hm3").replace("nodes:\n", extra + "nodes:\n", 1).replace("{parameter: lim,",
                                                                                              f"{{parameter: {ref},")
        path.write_text(text)
        (note,) = cautions(daryo.load(path))
        assert f"an amount per step, not a rate, read from parameter {read}, whose values are about" in note
    path.write_text(body.replace("UNIT", "hm3").replace("start: 2000-10-01, end: 2001-09, step: dekad",
                                                        "start: 2000-10, end: 2001-09"))
    assert cautions(daryo.load(path)) == []
