"""Models that load but mean nothing are refused by validation, each with the file, the place and what is wrong;
checks that compare two attributes compare them step by step, in their units, and name where they fail."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from model_files import dam_and_plant, load_body

import daryo
from daryo.errors import ModelError
from daryo.model.series import Series
from daryo.model.validate import validate_model


def _problems(tmp_path: Path, body: str) -> list[str]:
    with pytest.raises(ModelError) as info:
        load_body(tmp_path, body)
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
    m = load_body(tmp_path, _river("{id: n, type: hydropower, capacity: 30 MW, head: 50, min_flow: 40}"))
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
    load_body(tmp_path, _river("{id: n, type: reach, min_flow: 10 m3/s, max_flow: 27}"))
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
    load_body(tmp_path, _river(f"{{id: n, type: reservoir, max_volume: 100, target_volume: {[50] * 11 + [100]}}}"))


def test_a_target_volume_above_the_max_volume_in_several_months_quotes_each_months_value(tmp_path):
    """A researcher's review: a rule curve above max_volume from July to October was reported as "target_volume
    (12800 hm³) is greater than max_volume (12000 hm³) in July, August, September and October", one month's value
    for four that were 12500, 13000, 13000 and 12800.  Each month's value is quoted where they differ."""
    curve = [50] * 6 + [110, 120, 120, 115] + [50, 50]
    (msg,) = _problems(tmp_path, _river(f"{{id: n, type: reservoir, max_volume: 100, target_volume: {curve}}}"))
    assert msg.endswith("nodes[n].target_volume (line 5): target_volume is greater than max_volume (100 hm³) in July "
                        "(110 hm³), August (120 hm³), September (120 hm³) and October (115 hm³)")
    low, high = [10] * 5 + [70, 80] + [10] * 5, [100] * 5 + [50, 60] + [100] * 5
    (msg,) = _problems(tmp_path, _river(f"{{id: n, type: reservoir, max_volume: 1000, initial_volume: 70, "
                                        f"min_volume: {low}, flood_control_max: {high}}}"))
    assert msg.endswith("min_volume is greater than flood_control_max in June (70 hm³ > 50 hm³) and July (80 hm³ > "
                        "60 hm³)")


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


def test_a_plant_whose_reservoir_is_on_another_river_is_refused(tmp_path):
    """A plant on one river took its head from a reservoir on another, which it passes none of the water of (a user
    review)."""
    body = dam_and_plant("efficiency: 0.9").replace("edges: [[src, dam], [dam, plant], [plant, sea]]", (
        "  - {id: src2, type: inflow, inflow: 10}\n"
        "edges: [[src, dam], [dam, sea], [src2, plant], [plant, sea]]"))
    (msg,) = _problems(tmp_path, body)
    assert msg.endswith("nodes[plant].reservoir (line 6): 'dam' is not upstream of the plant: none of its water "
                        "reaches 'plant' (along edges, spills or return flows), so its level is not the plant's head; "
                        "name the reservoir whose outlet the plant is on, or give a fixed 'head'"), msg
    below_a_delay = dam_and_plant("efficiency: 0.9").replace("edges: [[src, dam], [dam, plant], [plant, sea]]", (
        "  - {id: lag, type: delay, steps: 1}\n"
        "edges: [[src, dam], [dam, lag], [lag, plant], [plant, sea]]"))
    assert load_body(tmp_path, below_a_delay).node("plant").attrs["reservoir"] == "dam"


def test_a_plant_with_a_fixed_head_and_a_reservoir_is_refused(tmp_path):
    """The fixed head was taken and the reservoir's level silently ignored."""
    (msg,) = _problems(tmp_path, dam_and_plant("head: 10"))
    assert msg.endswith("nodes[plant].head (line 6): a fixed head and a reservoir ('dam') whose level would set the "
                        "head: give one of them (a reservoir with its level_table and the plant's tailwater_level, or "
                        "a fixed head for a run-of-river plant)")
    load_body(tmp_path, dam_and_plant("head: 10").replace(", level_table: {volume: [0, 100], level: [400, 420]}", ""))
    load_body(tmp_path, dam_and_plant("head: 10").replace("level: [400, 420]", "area: [0, 5]"))  # (areas set no head)


def test_a_plant_whose_reservoir_never_rises_above_the_tailwater_is_refused(tmp_path):
    (msg,) = _problems(tmp_path, dam_and_plant("tailwater_level: 420"))
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
    load_body(tmp_path, body(bottom=10, top=100))
    # volumes that change by month: the table spans the largest max_volume and the smallest min_volume
    (msg,) = _problems(tmp_path, body(bottom=10, top=80, vmax=[80] * 11 + [100]))
    assert "ends at 80 hm³, below max_volume (100 hm³)" in msg
    (msg,) = _problems(tmp_path, body(bottom=20, top=100, vmin=[10] + [30] * 11))
    assert "starts at 20 hm³, above min_volume (10 hm³)" in msg
    (msg,) = _problems(tmp_path, body(bottom=10.5, top=100))  # (the margin is rounding's, not half a hm³)
    assert "starts at 10.5 hm³, above min_volume (10 hm³)" in msg


def test_a_level_table_in_km3_without_its_unit_is_told_to_give_it(tmp_path):
    """A hydro-informatics lecturer's review: a level table written in km³ (0 … 3) with no `units:` beside a
    max_volume of 3 km3 was told it "ends at 3 hm³ … extend the table to the full volume", which students did by
    adding a row of 3000.  A table that would reach max_volume were it in km³ is told to give its unit."""
    body = """\
nodes:
  - {{id: src, type: inflow, inflow: 10}}
  - {{id: dam, type: reservoir, max_volume: 3 km3,
     level_table: {{volume: [0, 1.5, {top}], level: [400, 410, 420]}}}}
  - {{id: sea, type: sink}}
edges: [[src, dam], [dam, sea]]
"""
    (msg,) = _problems(tmp_path, body.format(top=3))
    assert msg.endswith("nodes[dam].level_table.volume (line 6): ends at 3 hm³, below max_volume (3000 hm³): above "
                        "it the level and area would stay those of the table's last row; are its volumes in km³? "
                        "give their unit, units: {volume: km3} (the table is read in hm³ without it)")
    (msg,) = _problems(tmp_path, body.format(top=2))  # (in km³ it would still end below max_volume)
    assert msg.endswith("extend the table to the full volume")


def test_a_negative_initial_flow_of_a_delay_is_refused(tmp_path):
    (msg,) = _problems(tmp_path, _river("{id: n, type: delay, steps: 1, initial_flow: -5}"))
    assert "nodes[n].initial_flow" in msg and "is negative (-5 hm³/step)" in msg


@pytest.mark.parametrize("loss, message", [
    ("150 %", "must be a fraction between 0 and 1, not 1.5"),  # (the value said: a large-network modeller's review)
    ("-0.5", "must be a fraction between 0 and 1, not -0.5"),
    ("100 %", "a loss of 1 (100 %) makes the link useless; use < 1"),
    ("15", "must be a fraction between 0 and 1, not 15; a percentage is written with its sign (15 % = 0.15)"),
    ("[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 15]",  # (a series: a traceback, a review found)
     "must be a fraction between 0 and 1, not 15; a percentage is written with its sign (15 % = 0.15)"),
    ("100", "must be a fraction between 0 and 1, not 100"),  # (not "100 % = 1", which is refused too)
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


_FORMULA = ("starts with {!r}, which a spreadsheet reads as the start of a formula when it opens the results' CSV "
            "files, where it is written as it is (daryo run --csv, elements.csv, daryo compare --csv); start it with a "
            "letter or a digit")


def test_ids_and_names_a_spreadsheet_would_read_as_formulas_are_refused(tmp_path):
    """The UN Centre's security reviewer: ids and names starting with =, +, - or @ went unescaped into the headers
    of ``daryo run --csv``, ``elements.csv`` and the cells of ``daryo compare --csv``, which the README tells users
    to open in Excel, where ``=HYPERLINK(…)`` or ``=cmd|…`` is a formula.  Such text is refused (not escaped in the
    files, which would change the ids that programs read there): node, edge and constraint ids, display names,
    the model's name, scenario names and basin names.  A ``+`` or ``-`` only with a formula's call after it: a diff
    review found climate traces named ``+2C`` and ``-10pct`` and a Pywr node ``-in`` refused, ordinary names."""
    msgs = _problems(tmp_path, """\
name: "=HYPERLINK(1)"
scenarios: [{name: s, size: 2, names: ["+HYPERLINK(2)", "-10pct"]}]
nodes:
  - {id: "=cmd", type: inflow, inflow: 50}
  - {id: d, type: demand, demand: 5, name: "@SUM(A1)"}
  - {id: "-sea", type: sink}
edges: [["=cmd", d], {from: "=cmd", to: "-sea", id: "+cmd|' /C calc'!A0"}]
metadata: {basins: {"-2+3+cmd|x": [d], "+2C": ["-sea"]}}
""")
    assert sorted(m.split("m.yaml: ")[1] for m in msgs) == sorted([
        "edges[1] (=cmd -> -sea) (line 9): the id '+cmd|' /C calc'!A0' " + _FORMULA.format("+"),
        "metadata.basins.-2+3+cmd|x (line 10): the basin name '-2+3+cmd|x' " + _FORMULA.format("-"),
        "name (line 3): the name '=HYPERLINK(1)' " + _FORMULA.format("="),
        "nodes[=cmd] (line 6): the id '=cmd' " + _FORMULA.format("="),
        "nodes[d].name (line 7): the name '@SUM(A1)' " + _FORMULA.format("@"),
        "scenarios: the scenario '+HYPERLINK(2)' " + _FORMULA.format("+")])


def test_a_display_name_source_or_description_a_terminal_would_act_on_is_refused(tmp_path):
    """A diff review of the security fixes: the model's own name and its caveats are refused control characters, but
    a node's display name and source carried an escape sequence (ESC ] 0; … BEL retitles a terminal) and a
    right-to-left override ("gnp.exe" shown as "exe.png") to the screen in daryo info.  A tab and a Persian
    zero-width non-joiner (U+200C) are ordinary text."""
    msgs = _problems(tmp_path, """\
nodes:
  - {id: src, type: inflow, inflow: 10, source: "\\e]0;TITLE\\a src"}
  - {id: farm, type: demand, demand: 5, name: "Farm \\u202Egnp.exe", description: "tab\\tok"}
  - {id: sea, type: sink, name: "Aral\\u200Csea"}
edges: [[src, farm], [src, sea]]
""")
    assert sorted(m.split("m.yaml: ")[1] for m in msgs) == [
        "nodes[farm].name (line 5): holds a bidirectional override ('\\u202e'), which a terminal acts on when daryo "
        "prints it (daryo info, the reports) instead of showing it; write it without one",
        "nodes[src].source (line 4): holds a control character ('\\x1b'), which a terminal acts on when daryo "
        "prints it (daryo info, the reports) instead of showing it; write it without one"]


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
    m = load_body(tmp_path, _river("{id: n, type: reach, min_flow: {values: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}, "
                               "max_flow: 5 m3/s}"))  # (one value per step: a 13th is a problem now)
    assert len(calls) == len(set(calls)) == 2 and m.node("n").get("min_flow") is not None


def test_a_series_object_given_twice_is_reported_once(tmp_path):
    m = load_body(tmp_path, _river("{id: n, type: reach}"))
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
    load_body(tmp_path, """\
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
    load_body(tmp_path, f"""\
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
        (typo,) = _problems(tmp_path, dam_and_plant("efficiency: 0.9").replace(
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
    assert load_body(tmp_path, delayed).node("lag").type == "delay"
    both_ways = LOOP.format(node="{id: canal, type: canal, capacity: 5}", id="canal", extra="", back="[j2, j1]")
    result = daryo.run(load_body(tmp_path, both_ways))
    assert float(result.dataset["node_flow"].sel(node="sea").sum()) == pytest.approx(12.0)
    shut = LOOP.format(node="{id: hpp, type: hydropower, capacity: 100 MW, head: 50}", id="hpp", extra="",
                       back="{from: j2, to: j1, max_flow: 0}")  # (a back edge shut: no loop of water; a review)
    assert load_body(tmp_path, shut).node("hpp").type == "hydropower"


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
    model = load_body(tmp_path, """\
nodes:
  - {id: src, type: inflow, inflow: 100}
  - {id: j1, type: junction}
  - {id: lag, type: delay, steps: 1}
  - {id: city, type: demand, demand: 30, consumptive_fraction: 0.5, return_to: j1}
  - {id: sea, type: sink}
edges: [[src, j1], [j1, lag], [lag, city], [j1, sea]]
""")
    assert model.node("city").attrs["return_to"] == "j1"


@pytest.mark.parametrize(("written", "hint"), [
    ("KZ", "KZ is the alpha-2 code of Kazakhstan: give its alpha-3 code, KAZ"),
    ("kg", "kg is the alpha-2 code of Kyrgyzstan: give its alpha-3 code, KGZ"),
    ("Kyrgyzstan", "give Kyrgyzstan's code, KGZ, not its name"),
    ("Kyrgyz Republic", "give Kyrgyzstan's code, KGZ, not its name"),
    ("Таджикистан", "give Tajikistan's code, TJK, not its name"),
    ("Afghanistan", "give Afghanistan's code, AFG, not its name"),
    ("'UZ'", "UZ is the alpha-2 code of Uzbekistan: give its alpha-3 code, UZB"),
    ("TM", "TM is the alpha-2 code of Turkmenistan: give its alpha-3 code, TKM"),
    ("kgz", "give it in capital letters, KGZ"),
    ("FR", "give three capital letters, e.g. KGZ, UZB, AFG (two letters are an alpha-2 code: give the country's "
           "alpha-3 code)"),
    ("Narnia", "give three capital letters, e.g. KGZ, UZB, AFG"),
])
def test_a_country_written_as_an_alpha_2_code_or_a_name_is_refused_with_the_code_meant(tmp_path, written, hint):
    """A Chu-Talas modeller's review: ``country: KZ`` and ``country: Kyrgyzstan`` were refused with "give three
    capital letters, e.g. KGZ, UZB, AFG", not the code meant.  The region's countries (Central Asia, Afghanistan and
    their neighbours) are told by their alpha-2 codes and names, any ISO code by its letters in lower case."""
    (msg,) = _problems(tmp_path, _river(f"{{id: n, type: junction, country: {written}}}"))
    shown = written.strip("'")
    assert msg == (f"{tmp_path / 'm.yaml'}: nodes[n].country (line 5): '{shown}' is not an ISO 3166 alpha-3 code; "
                   f"{hint}")
