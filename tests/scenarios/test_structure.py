"""Changes of a model's structure: nodes, edges and demands, and the references a change leaves."""

from __future__ import annotations

import numpy as np
import pytest
from overlay_cases import SMALL, find_node, overlaid_farm, small_doc, two_demands_doc, write_overlay

import daryo
from daryo.api import demo_model_path
from daryo.basins.aral import read_base_document
from daryo.errors import ModelError
from daryo.model import model_from_dict
from daryo.model.documents import read_document
from daryo.scenarios import apply_scenarios


def test_misspelt_edges_demands_and_inflows_get_the_nearest_name(tmp_path):
    """An overlay's misspelt edge (either end, either way of writing it), demand or inflow names the one meant."""
    typo = tmp_path / "typo.yaml"
    typo.write_text("title: typo\nchanges:\n  - set_edges: {'river_mid -> mian_canal': {max_flow: 80}}\n"
                    "  - remove_edges: [[river_low, lakes]]\n  - scale_demands: {nodes: [city_], factor: 0.9}\n"
                    "  - scale_inflows: {nodes: [upper_rivr], factor: 0.8}\n  - remove_edges: [[delta, lake]]\n"
                    "  - set_edges: {'main_canal->river_mid': {max_flow: 80}}\n  - remove_edges: [[lake, river_low]]\n")
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[str(typo)])
    got = [f"{p.place}: {p.message}" for p in err.value.problems]
    assert got == [
        "changes[0].set_edges.river_mid -> mian_canal (line 3): edge 'river_mid -> mian_canal' is not in the model "
        "(did you mean 'river_mid->main_canal'?)",
        "changes[1].remove_edges[0] (line 4): edge river_low->lakes is not in the model (did you mean "
        "'river_low->lake'?)",
        "changes[2].scale_demands.nodes.city_ (line 5): 'city_' is not a demand of the model (did you mean 'city'?)",
        "changes[3].scale_inflows.nodes.upper_rivr (line 6): 'upper_rivr' is not an inflow of the model (did you mean "
        "'upper_river'?)",
        "changes[4].remove_edges[0] (line 7): edge delta->lake is not in the model",  # (no edge clearly nearest)
        "changes[5].set_edges.main_canal->river_mid (line 8): edge 'main_canal->river_mid' is not in the model (the "
        "model's edge runs river_mid->main_canal)",
        "changes[6].remove_edges[0] (line 9): edge lake->river_low is not in the model (the model's edge runs "
        "river_low->lake)"]


def test_missing_nodes_and_dangling_references_are_refused(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: bad\nchanges:\n  - set: {toktogol: {max_volume: 1 km3}}\n"
                   "  - remove_nodes: [toktogul]\n")
    with pytest.raises(ModelError) as err:
        apply_scenarios(read_base_document(), [str(bad)])
    text = str(err.value)
    assert "bad.yaml: changes[0].set.toktogol: node 'toktogol' is not in the model" in text
    # removing the reservoir leaves its plant's `reservoir` and the inflow's edge ... its spill target is fine
    assert "nodes[toktogul_hpp].reservoir: names 'toktogul'" in text
    typo = tmp_path / "typo.yaml"
    typo.write_text("title: typo\nchanges:\n  - scale_inflow: {basin: amu, factor: 0.9}\n")
    with pytest.raises(ModelError, match="changes\\[0\\]: 'scale_inflow' is not a change \\(did you mean "
                                         "'scale_inflows'\\?\\): each change is a mapping with one key"):
        apply_scenarios(read_base_document(), [str(typo)])
    basin = tmp_path / "basin.yaml"
    basin.write_text("title: b\nchanges:\n  - scale_inflows: {basin: nile, factor: 0.9}\n")
    with pytest.raises(ModelError, match="unknown basin 'nile'"):
        apply_scenarios(read_base_document(), [str(basin)])


def test_a_reference_to_a_missing_node_names_the_change_that_made_it(tmp_path):
    """An edge or a ``return_to`` to a node the model does not have after the overlay is placed at the change
    that added it (it was placed at the model's edge, with no change), and a node a change removed says so."""
    ov = tmp_path / "ov.yaml"
    ov.write_text("title: bad\nchanges:\n  - set: {city: {priority: 2}}\n  - add_edges: [[river_mid, nowhere]]\n"
                  "  - remove_nodes: [river_low]\n  - set: {city: {return_to: ghost}}\n")
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[str(ov)])
    assert sorted((p.place, p.message) for p in err.value.problems) == [
        ("changes[1].add_edges: edges[river_mid->nowhere] (line 4)", "'nowhere' is not in the model after this "
                                                                     "scenario"),
        ("changes[3].set: nodes[city].return_to (line 6)", "names 'ghost', which is not in the model after this "
                                                           "scenario"),
        ("nodes[valley_irrigation].return_to", "names 'river_low', which is not in the model after this scenario "
                                               "(removed by changes[2].remove_nodes)")]


def test_a_demand_that_cannot_be_scaled_is_a_problem_of_the_overlay(tmp_path):
    overlay = tmp_path / "more.yaml"
    overlay.write_text("title: more\nchanges:\n  - scale_demands: {factor: 1.1}\n")
    with pytest.raises(ModelError) as err:
        apply_scenarios(small_doc(demand="plenty"), [str(overlay)])
    assert str(err.value.problems[0]).startswith(f"{overlay}: changes[0].scale_demands (town): the demand of 'town' "
                                                 "cannot be scaled: 'plenty' is not a number")


def test_scaled_demands_keep_full_precision(tmp_path):
    overlay = tmp_path / "more.yaml"
    overlay.write_text("title: more\nchanges:\n  - scale_demands: {factor: 1.1}\n")
    doc = apply_scenarios(small_doc(demand="1234567.8 m3"), [str(overlay)])
    value, unit = find_node(doc, "town")["demand"].split()
    assert unit == "m3" and float(value) == 1234567.8 * 1.1  # not 1.23457e+06, which lost 2.6 m3
    doc = apply_scenarios(small_doc(demand=1234567.8), [str(overlay)])
    assert find_node(doc, "town")["demand"] == 1234567.8 * 1.1


@pytest.mark.parametrize("demand", [[float(m) for m in range(1, 13)],
                                    [[float(m) for m in range(1, 13)], [10.0 * m for m in range(1, 13)]]],
                         ids=["monthly", "monthly-per-trace"])
def test_scaled_monthly_demands_stay_monthly(tmp_path, demand):
    """A plain list is 12 monthly values, January first, or one such list per trace: scaled, it is still that (a
    list of two traces' lists was read as per-step values from October, so January's demand fell in October)."""
    overlay = tmp_path / "more.yaml"
    overlay.write_text("title: more\nchanges:\n  - scale_demands: {factor: 2.0}\n")
    model = model_from_dict(apply_scenarios(small_doc(demand=demand), [str(overlay)]))
    axis = model.time.axis()
    got = model.node("town").attrs["demand"].resolve(axis)
    expected = 2.0 * np.atleast_2d(np.asarray(demand))[:, axis.month - 1]  # the run starts in October
    np.testing.assert_allclose(got, np.broadcast_to(expected, got.shape), rtol=1e-12)


def test_a_removed_node_that_a_constraint_or_a_parameter_names_is_blamed_on_the_removal(tmp_path):
    """remove_nodes of a node a constraint sums, or of the reservoir a parameter reads, was reported at the model's
    constraint or parameter as a node that does not exist, naming no change (a QA pass of the overlays)."""
    (tmp_path / "m.yaml").write_text(
        "version: 1\ntime: {start: 2000-10, end: 2001-09}\nallocation: cost\n"
        "parameters:\n  cc: {type: controlcurve, reservoir: dam, control_curves: [0.5], values: [-10, -40]}\n"
        "nodes:\n  - {id: up, type: inflow, inflow: 10}\n"
        "  - {id: dam, type: reservoir, max_volume: 500, initial_volume: 300, cost: {parameter: cc}}\n"
        "  - {id: j, type: junction}\n  - {id: farm, type: demand, demand: 5, cost: -100}\n"
        "  - {id: farm2, type: demand, demand: 5, cost: -100}\n  - {id: sea, type: sink}\n"
        "edges: [[up, dam], [dam, j], [j, farm], [j, farm2], [j, sea]]\n"
        "constraints:\n  - {id: lic, type: flow_sum, nodes: [farm, farm2], max_flow: 6}\n")
    (tmp_path / "cut.yaml").write_text("title: cut\nchanges:\n  - remove_nodes: [farm2, dam]\n"
                                       "  - add_edges: [[up, j]]\n")
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "m.yaml", scenarios=[str(tmp_path / "cut.yaml")])
    assert [str(p) for p in err.value.problems] == [
        f"{tmp_path / 'cut.yaml'}: {place}: names '{node}', which is not in the model after this scenario (removed by "
        f"changes[0].remove_nodes){fix}" for place, node, fix in (
            ("constraints[lic].nodes", "farm2", ": give it other nodes (set_constraints), or remove it "
                                                "(set_constraints: {lic: null})"),
            ("parameters[cc].reservoir", "dam", ""))]
    # which the overlay can do (a review: set_constraints could not remove a constraint)
    (tmp_path / "cut.yaml").write_text("title: cut\nchanges:\n  - remove_nodes: [farm2]\n"
                                       "  - set_constraints: {lic: null}\n")
    assert daryo.load(tmp_path / "m.yaml", scenarios=[str(tmp_path / "cut.yaml")]).constraints == ()


def test_a_typo_of_the_model_itself_is_left_to_the_loader_whatever_the_overlay(tmp_path):
    """With the references of constraints and parameters checked after an overlay, a misspelt node of the model's own
    constraint (or return_to) was blamed on any overlay, even one changing nothing, without the model's line or the
    nearest name (a review): the loader names it."""
    (tmp_path / "m.yaml").write_text(SMALL.replace("demand: 5}", "demand: 5, return_to: se}")
                                     + "constraints:\n  - {id: lic, type: flow_sum, nodes: [farm, frm], max_flow: 6}\n")
    (tmp_path / "noop.yaml").write_text("title: noop\nchanges:\n  - scale_demands: {factor: 1}\n")
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "m.yaml", scenarios=[str(tmp_path / "noop.yaml")])
    assert [p.place for p in err.value.problems] == ["nodes[farm].return_to (line 6)", "constraints[lic] (line 10)"]
    assert all(p.file.endswith("m.yaml + " + str(tmp_path / "noop.yaml")) and "did you mean" in p.message
               for p in err.value.problems), err.value


def test_a_node_or_an_edge_listed_twice_for_removal_is_named_as_such(tmp_path):
    """remove_edges of the same edge twice said the second 'is not in the model (did you mean ...?)', though the
    change had just removed it; remove_nodes took a node twice without a word (a QA pass of the overlays)."""
    (tmp_path / "m.yaml").write_text(SMALL)
    (tmp_path / "dup.yaml").write_text("title: dup\nchanges:\n  - remove_edges: [[riv, farm], [riv, farm]]\n"
                                       "  - remove_nodes: [farm, farm]\n")
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "m.yaml", scenarios=[str(tmp_path / "dup.yaml")])
    assert [(p.place, p.message) for p in err.value.problems] == [
        ("changes[0].remove_edges[1] (line 3)", "edge riv->farm is listed twice (also at [0])"),
        ("changes[1].remove_nodes.farm (line 4)", "node 'farm' is listed twice (also at [0])")]


def test_a_country_no_demand_is_in_is_named_also_beside_one_that_is(tmp_path):
    """scale_demands with countries [KAZ, UZ] cut Kazakhstan's demands and dropped 'UZ' without a word (only a
    list that matched nothing was refused; a QA pass)."""
    cut = tmp_path / "cut.yaml"
    cut.write_text("title: cut\nchanges:\n  - scale_demands: {countries: [KAZ, UZ], category: irrigation, "
                   "factor: 0.9}\n")
    with pytest.raises(ModelError) as err:
        apply_scenarios(read_base_document(), [str(cut)])
    (problem,) = err.value.problems
    assert str(problem).endswith("changes[0].scale_demands.countries: no demand of the model is in 'UZ' (did you "
                                 "mean 'UZB'?); the demands' countries are AFG, KAZ, KGZ, TJK, TKM, UZB")
    cut.write_text("title: cut\nchanges:\n  - scale_demands: {countries: [UZ, UZ, KAZ], factor: 0.9}\n")
    with pytest.raises(ModelError) as err:  # (named once, also when given twice; a review)
        apply_scenarios(read_base_document(), [str(cut)])
    assert len(err.value.problems) == 1 and "'UZ'" in str(err.value)


def test_a_demand_an_overlay_adds_without_an_edge_is_refused(tmp_path):
    """It ran, silently dry: the rule that a demand needs an incoming edge is lifted for a model under overlays (one
    that cuts a demand's supply is a what-if), and it covered demands an overlay adds, where an edge was forgotten."""
    added = tmp_path / "added.yaml"
    added.write_text("changes:\n  - add_nodes: [{id: d1, type: demand, demand: 5}]\n")
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[str(added)])
    assert [str(p) for p in err.value.problems] == [
        f"{added}: changes[0].add_nodes: nodes[d1] (line 2): a demand needs an incoming edge from the node it takes "
        "its water from: add one with add_edges"]
    added.write_text(added.read_text() + "  - add_edges: [[river_low, d1]]\n")
    assert "d1" in {n.id for n in daryo.load(demo_model_path(), scenarios=[str(added)]).nodes}


def test_an_edge_an_overlay_adds_as_from_arrow_to_is_added(tmp_path):
    """'from->to', which the overlay's check takes, was added as it is, and the model then refused it as no edge."""
    added = tmp_path / "arrow.yaml"
    added.write_text("changes:\n  - add_nodes: [{id: t2, type: demand, demand: 1}]\n"
                     "  - add_edges: ['river_low -> t2']\n")
    model = daryo.load(demo_model_path(), scenarios=[str(added)])
    assert ("river_low", "t2") in {(e.source, e.target) for e in model.edges}


def test_a_change_of_a_node_an_earlier_change_removed_names_that_change(tmp_path):
    """"node 'city' is not in the model", where the model file has it: an earlier overlay had removed it."""
    remove, change = tmp_path / "rm.yaml", tmp_path / "more.yaml"
    remove.write_text("changes: [{remove_nodes: [city]}]\n")
    change.write_text("changes: [{set: {city: {demand: 3}}}, {scale_demands: {nodes: [city], factor: 2}}]\n")
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[str(remove), str(change)])
    assert [str(p) for p in err.value.problems] == [
        f"{change}: changes[0].set.city (line 1): node 'city' is not in the model (removed by {remove} "
        "changes[0].remove_nodes)",
        f"{change}: changes[1].scale_demands.nodes.city (line 1): 'city' is not a demand of the model (removed by "
        f"{remove} "
        "changes[0].remove_nodes)"]


def test_a_node_removed_added_and_removed_again_leaves_the_basins_whose_lines_are_kept(tmp_path):
    """Removed, added back and removed again, a node stayed in metadata.basins, which the loader then refused; a
    basin's list lost its lines; a basin given as a tuple (in Python) was refused, and a basin's name that is no
    text gave a traceback (a review)."""
    base = demo_model_path().read_text()
    model, overlay = tmp_path / "m.yaml", tmp_path / "o.yaml"
    (tmp_path / "upper_inflow.csv").write_text((demo_model_path().parent / "upper_inflow.csv").read_text())
    model.write_text(base.replace("allocation: priority",
                                  "allocation: priority\nmetadata:\n  basins:\n    b: [side_creek,\n      uper]"))
    again = "[{remove_nodes: [side_creek]}, {add_nodes: [{id: side_creek, type: inflow, inflow: 1}]}, " \
            "{remove_nodes: [side_creek]}]"
    overlay.write_text(f"changes: {again}\n")
    with pytest.raises(ModelError) as err:  # (the misspelt 'uper' keeps its line after the removal)
        daryo.load(model, scenarios=[str(overlay)])
    line = model.read_text().splitlines().index("      uper]") + 1
    assert [p.place for p in err.value.problems] == [f"metadata.basins.b[0] (line {line})"]
    model.write_text(base.replace("allocation: priority",
                                  "allocation: priority\nmetadata: {basins: {b: [side_creek, upper_river]}}"))
    assert daryo.load(model, scenarios=[str(overlay)]).metadata["basins"] == {"b": ["upper_river"]}
    doc = read_document(model)
    doc["metadata"]["basins"]["b"] = ("side_creek",)
    overlay.write_text("changes: [{scale_inflows: {basin: b, factor: 0.5}}]\n")
    scaled = apply_scenarios(doc, [str(overlay)])
    assert scaled["nodes"][1]["inflow"] != doc["nodes"][1]["inflow"]
    model.write_text(base.replace("allocation: priority",
                                  "allocation: priority\nmetadata: {basins: {1: [side_creek]}}"))
    with pytest.raises(ModelError, match=r"metadata.basins.1 \(line \d+\): a basin's name must be text, not the "
                                         r"number 1"):
        daryo.load(model)
    with pytest.raises(ModelError, match=r"unknown basin 'b'; the model's metadata.basins has: 1$"):
        daryo.load(model, scenarios=[str(overlay)])  # (a TypeError in the message's join)


def test_an_edge_whose_end_an_earlier_change_removed_names_that_change(tmp_path):
    overlay = tmp_path / "rm.yaml"
    overlay.write_text("changes: [{remove_nodes: [city]}, {set_edges: {'river_mid->city': {max_flow: 3}}},"
                       " {remove_edges: [[river_mid, city]]}]\n")
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[str(overlay)])
    removed = "(node 'city' was removed by changes[0].remove_nodes)"
    assert [str(p) for p in err.value.problems] == [
        f"{overlay}: changes[1].set_edges.river_mid->city (line 1): edge 'river_mid->city' is not in the model "
        f"{removed}",
        f"{overlay}: changes[2].remove_edges[0] (line 1): edge river_mid->city is not in the model {removed}"]


def test_a_demand_added_in_one_overlay_and_reached_in_a_later_one_is_taken(tmp_path):
    node, edge = tmp_path / "node.yaml", tmp_path / "edge.yaml"
    node.write_text("changes: [{add_nodes: [{id: d1, type: demand, demand: 5}]}]\n")
    edge.write_text("changes: [{add_edges: [[river_low, d1]]}]\n")
    assert "d1" in {n.id for n in daryo.load(demo_model_path(), scenarios=[str(node), str(edge)]).nodes}
    with pytest.raises(ModelError, match=r"node.yaml: changes\[0\].add_nodes: nodes\[d1\] \(line 1\): a demand needs"):
        daryo.load(demo_model_path(), scenarios=[str(node)])


@pytest.mark.parametrize("op, arg", [
    ("add_nodes", [{"id": "farm2", "type": "demand", "demand": 3, "return_to": "river_low"},
                   {"id": "j9", "type": "junction"}]),
    ("add_edges", [["river_low", "city"], {"from": "big_dam", "to": "lake", "max_flow": 4}]),
    ("set", {"city": {"return_to": "sea"}}),
    ("remove_nodes", ["river_low"]),
])
def test_the_references_after_a_change_are_the_documents(op, arg):
    """What a change that only adds, adds to the references between nodes and the node ids, is worked out from
    the change (a whole model's, for every change, took 150 s for 2,562 changes to a 3,200-node model): the
    same as the document's own after it."""
    from daryo.scenarios._document import _ChangeAt, _nodes
    from daryo.scenarios.apply import _APPLY
    from daryo.scenarios.structure import _references, _references_after

    doc = read_document(demo_model_path())
    refs, ids = _references(doc), set(_nodes(doc))
    assert _APPLY[op](doc, arg, _ChangeAt("o.yaml", f"changes[0].{op}")) == []
    assert _references_after(op, arg, doc, refs, ids) == (_references(doc), set(_nodes(doc)))


def test_scale_demands_of_named_nodes_scales_those_only(tmp_path):
    doc = apply_scenarios(two_demands_doc(), [write_overlay(tmp_path, "scale_demands: {nodes: [town], factor: 1.5}")])
    assert find_node(doc, "town")["demand"] == 15.0
    assert find_node(doc, "farm")["demand"] == {"monthly": [4.0] * 12, "scale": 2.0}  # untouched


def test_scale_demands_takes_monthly_factors_for_a_season_s_cut(tmp_path):
    """A treaty analyst's review: a quota of the growing season alone (a cut of April-September) needed a ``set`` of
    each demand's 12 values, as ``scale_demands`` took one factor.  It takes ``months`` too, 12 factors January
    first, as ``scale_inflows`` does: a constant becomes 12 monthly values in its unit, monthly values are scaled
    month by month, values per step by each step's month; a demand read from a CSV file is refused by name."""
    summer = "months: [1, 1, 1, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 1, 1, 1]"
    f = np.array([1, 1, 1, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 1, 1, 1])
    doc = two_demands_doc()
    find_node(doc, "town")["demand"] = "10 m3/s"
    doc = apply_scenarios(doc, [write_overlay(tmp_path, f"scale_demands: {{factor: 0.5, {summer}}}")])
    assert find_node(doc, "town")["demand"] == {"monthly": list(5.0 * f), "unit": "m3/s"}
    assert find_node(doc, "farm")["demand"] == {"monthly": list(4.0 * f), "scale": 1.0}
    model = model_from_dict(doc)
    delivered = model.node("farm").attrs["demand"].resolve(model.time.axis())[0]
    np.testing.assert_allclose(delivered, 4.0 * f[model.time.axis().month - 1], rtol=1e-12)
    per_step = two_demands_doc()
    find_node(per_step, "farm")["demand"] = {"values": [float(k) for k in range(1, 25)]}
    per_step["time"] = {"start": "2000-10", "end": "2002-09"}
    got = apply_scenarios(per_step, [write_overlay(tmp_path, f"scale_demands: {{nodes: [farm], {summer}}}")])
    month = model_from_dict(got).time.axis().month
    np.testing.assert_allclose(find_node(got, "farm")["demand"]["values"], np.arange(1, 25) * f[month - 1])
    csv = two_demands_doc()
    find_node(csv, "farm")["demand"] = {"csv": "farm.csv"}
    with pytest.raises(ModelError, match=r"the demand of 'farm' cannot be scaled: only a constant, 12 monthly "
                                         r"values or values per step take monthly factors"):
        apply_scenarios(csv, [write_overlay(tmp_path, f"scale_demands: {{nodes: [farm], {summer}}}")])
    with pytest.raises(ModelError, match=r"changes\[0\].scale_demands.months: give 12 factors of 0 or more"):
        apply_scenarios(two_demands_doc(), [write_overlay(tmp_path, "scale_demands: {months: [1, 2]}")])


def test_a_demand_without_a_category_is_scaled_as_irrigation(tmp_path):
    """The loader's default category is irrigation: 'category: irrigation' takes the farm, which gives none, and
    'category: other' takes no demand (a problem)."""
    doc = apply_scenarios(two_demands_doc(),
                          [write_overlay(tmp_path, "scale_demands: {category: irrigation, factor: 0.5}")])
    assert find_node(doc, "town")["demand"] == 10
    assert find_node(doc, "farm")["demand"]["scale"] == 1.0  # 2.0 x 0.5: a series' own scale is multiplied
    with pytest.raises(ModelError, match="no demand of the model matches category 'other'"):
        apply_scenarios(two_demands_doc(), [write_overlay(tmp_path, "scale_demands: {category: other, factor: 0.5}")])


def test_set_edges_null_removes_the_attribute(tmp_path):
    doc = apply_scenarios(two_demands_doc(), [write_overlay(tmp_path, 'set_edges: {"src->town": {max_flow: null}}')])
    edge = next(e for e in doc["edges"] if isinstance(e, dict) and e["to"] == "town")
    assert "max_flow" not in edge and edge["from"] == "src"


def test_an_edge_added_twice_is_a_problem_of_the_overlay(tmp_path):
    with pytest.raises(ModelError, match=r"edge src->farm already exists"):
        apply_scenarios(two_demands_doc(), [write_overlay(tmp_path, "add_edges: [[src, farm]]")])


SHARED = """version: 1
name: share
time: {start: 2000-10, end: 2001-09}
parameters:
  cap: {type: constant, value: 6}
nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: a, type: demand, demand: 8}
  - {id: b, type: demand, demand: {parameter: cap}}
  - {id: sea, type: sink}
edges: [[src, a], [src, b], [src, sea]]
constraints:
  - {id: share, type: flow_ratio, nodes: [a, b], factors: [1, 1]}
"""


def test_an_overlay_sets_a_constraints_and_a_parameters_attributes(tmp_path):
    """A review (a new basin's modeller): a water-sharing rule written as a constraint could not be compared with
    another by an overlay ("node 'share' is not in the model"), nor a parameter's value.  10 a month shared 1:1
    between demands of 8 and 6 gives 5 each; shared 1:2 with the second's demand 9, 10/3 and 20/3."""
    model = tmp_path / "m.yaml"
    model.write_text(SHARED)
    deal = tmp_path / "deal.yaml"
    deal.write_text("title: a 1:2 share\nchanges:\n  - set_constraints: {share: {factors: [1, 2]}}\n"
                    "  - set_parameters: {cap: {value: 9}}\n")
    for scenarios, want in (([], [5.0, 5.0]), ([str(deal)], [10 / 3, 20 / 3])):
        ds = daryo.run(daryo.load(model, scenarios=scenarios)).dataset
        np.testing.assert_allclose(ds.delivery.isel(scenario=0).values, [want] * 12, rtol=1e-9)
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: bad\nchanges:\n  - set_constraints: {shar: {factors: [1, 2]}}\n"
                   "  - set_parameters: {cup: {value: 9}}\n  - set_constraints: {share: {factors: [1, -2]}}\n"
                   "  - set_constraints: {share: {id: other}}\n")
    with pytest.raises(ModelError) as err:
        daryo.load(model, scenarios=[str(bad)])
    assert [f"{p.place}: {p.message}" for p in err.value.problems] == [
        "changes[3].set_constraints.share.id (line 6): the id cannot be changed"]
    bad.write_text(bad.read_text().replace("  - set_constraints: {share: {id: other}}\n", ""))
    # a review: a parameter written as a bare number could not be set, a new type kept the old fields, and a bad
    # value an overlay set for a parameter was blamed on the model file where a node uses it
    model.write_text(SHARED.replace("cap: {type: constant, value: 6}", "cap: 6"))
    for change in ("set_parameters: {cap: {value: 9}}", "set_parameters: {cap: 9}",
                   "set_parameters: {cap: {type: monthlyprofile, values: [9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]}}"):
        deal.write_text(f"title: b\nchanges:\n  - {change}\n")
        ds = daryo.run(daryo.load(model, scenarios=[str(deal)])).dataset
        np.testing.assert_allclose(ds.demanded.sel(demand="b").values, 9.0, err_msg=change)
    deal.write_text("title: b\nchanges:\n  - set_parameters: {cap: {value: -5}}\n")
    with pytest.raises(ModelError) as err:  # (found when the parameter is evaluated, as the model is compiled)
        daryo.run(daryo.load(model, scenarios=[str(deal)]))
    assert [(p.file, p.place) for p in err.value.problems] == [(str(deal), "changes[0].set_parameters.cap")]
    with pytest.raises(ModelError) as err:
        daryo.load(model, scenarios=[str(bad)])
    assert [f"{p.place}: {p.message}" for p in err.value.problems] == [
        "changes[0].set_constraints.shar (line 3): constraint 'shar' is not in the model (did you mean 'share'?)",
        "changes[1].set_parameters.cup (line 4): parameter 'cup' is not in the model (did you mean 'cap'?)",
        "changes[2].set_constraints.share.factors[1] (line 5): is negative (-2); a flow ratio's factors must be ≥ 0"]


#: the irrigation season's monthly pattern of the Aral model (January first; its sum is 1)
SEASON = [0.030, 0.040, 0.065, 0.080, 0.110, 0.145, 0.165, 0.140, 0.075, 0.060, 0.050, 0.040]
#: Turkmenistan's Amu intakes (the model's metadata.intakes): the Karakum canal's head, Lebap's and Dashoguz's
TKM_INTAKES = ["amu_kerki->karakum_canal", "amu_kerki->tkm_lebap_irr", "amu_lower->tkm_dashoguz_irr"]


def tkm_quota(path, km3=17.6):
    """An overlay of the embedded model: Turkmenistan's Amu quota of ``km3`` a year, shaped by the season.  A
    flow_sum bounds node flows: the canal's is its intake, a demand's its delivery, which is 85 % of its intake
    (its edge loses 15 %), so the demands weigh 1/0.85 each to sum their intakes."""
    w = 1 / 0.85
    path.write_text(
        "title: TKM Amu quota\nchanges:\n"
        f"  - add_parameters:\n      season: {{type: monthlyprofile, values: {SEASON}}}\n"
        "  - add_constraints:\n      - id: tkm_quota\n        type: flow_sum\n"
        f"        nodes: {{karakum_canal: 1, tkm_lebap_irr: {w!r}, tkm_dashoguz_irr: {w!r}}}\n"
        f"        max_flow: {{parameter: season, unit: km3, scale: {km3}}}\n")
    return path


def test_an_added_flow_sum_quota_binds_in_a_run_of_the_embedded_model(tmp_path):
    """A treaty analyst's review: a country's quota (a flow_sum over its intakes) could not be written as an
    overlay of the embedded model (set_constraints: "constraint 'tkm_quota' is not in the model"), only in a copy
    of its file, which loses its stochastic hydrology and ensembles.  Added with add_constraints (its seasonal
    shape an added parameter), 17.6 km3 a year shaped by the season's pattern (sum 1) takes 17,600 hm3 each
    year: 17,600 x 0.165 = 2,904 hm3 in July, 17,600 x 0.03 = 528 hm3 in January; without it the three
    intakes take about 21.9 km3."""
    model = daryo.load(scenarios=[str(tkm_quota(tmp_path / "quota.yaml"))], years=2)
    assert [c.id for c in model.constraints] == ["tkm_quota"]
    ds = daryo.run(model).dataset
    taken = ds.edge_flow.isel(scenario=0).sel(edge=TKM_INTAKES).sum("edge")
    np.testing.assert_allclose(taken.values, [17_600 * SEASON[m - 1] for m in ds.time.dt.month.values], rtol=1e-9)
    np.testing.assert_allclose(taken.groupby(ds.hydrological_year).sum().values, [17_600, 17_600], rtol=1e-9)
    base = daryo.run(daryo.load(years=1)).dataset.edge_flow.isel(scenario=0).sel(edge=TKM_INTAKES)
    assert base.sum().item() > 21_000  # (the quota binds)


def test_an_added_constraint_or_parameter_the_model_has_is_refused(tmp_path):
    """add_constraints and add_parameters add; what the model has already is changed by set_constraints and
    set_parameters, which the problem names."""
    (tmp_path / "m.yaml").write_text(SHARED)
    ov = tmp_path / "ov.yaml"
    ov.write_text("title: again\nchanges:\n  - add_constraints:\n      - {id: share, type: flow_ratio, nodes: [a, b], "
                  "factors: [1, 2]}\n  - add_parameters: {cap: 9}\n")
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "m.yaml", scenarios=[str(ov)])
    assert [f"{p.file}: {p.place}: {p.message}" for p in err.value.problems] == [
        f"{ov}: changes[0].add_constraints[share] (line 4): constraint 'share' already exists; use set_constraints "
        "to change it",
        f"{ov}: changes[1].add_parameters.cap (line 5): parameter 'cap' already exists; use set_parameters to change "
        "it"]


def test_an_added_constraints_problems_are_placed_at_the_overlays_change(tmp_path):
    """A misspelt node of an added constraint is named at the overlay's file and line, with the nearest node; a
    node an earlier change removed names that change; an attribute the loader refuses is placed at the change."""
    typo = tmp_path / "typo.yaml"
    typo.write_text("title: typo\nchanges:\n  - add_constraints:\n      - id: tkm_quota\n        type: flow_sum\n"
                    "        nodes: {karakum_canl: 1, tkm_lebap_irr: 1}\n        max_flow: 700\n")
    with pytest.raises(ModelError) as err:
        daryo.load(scenarios=[str(typo)], years=1)
    assert [str(p) for p in err.value.problems] == [
        f"{typo}: changes[0].add_constraints: constraints[tkm_quota].nodes (line 6): names 'karakum_canl', which is "
        "not in the model after this scenario (did you mean 'karakum_canal'?)"]
    (tmp_path / "m.yaml").write_text(SHARED)
    gone = tmp_path / "gone.yaml"
    gone.write_text("title: gone\nchanges:\n  - remove_nodes: [b]\n"
                    "  - add_constraints: [{id: lic, type: flow_sum, nodes: [a, b], max_flow: 6}]\n"
                    "  - set_constraints: {share: null}\n")
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "m.yaml", scenarios=[str(gone)])
    assert [f"{p.place}: {p.message}" for p in err.value.problems] == [
        "changes[1].add_constraints: constraints[lic].nodes (line 4): names 'b', which is not in the model after this "
        "scenario (removed by changes[0].remove_nodes)"]
    # (a model's own flow_sum whose nodes are weights, {a: 1, b: 2}, was left to the loader: "not a node", no change)
    (tmp_path / "w.yaml").write_text(SHARED.replace("- {id: share, type: flow_ratio, nodes: [a, b], factors: [1, 1]}",
                                                    "- {id: lic, type: flow_sum, nodes: {a: 1, b: 2}, max_flow: 9}"))
    gone.write_text("title: gone\nchanges:\n  - remove_nodes: [b]\n")
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "w.yaml", scenarios=[str(gone)])
    assert [f"{p.place}: {p.message}" for p in err.value.problems] == [
        "constraints[lic].nodes: names 'b', which is not in the model after this scenario (removed by "
        "changes[0].remove_nodes): give it other nodes (set_constraints), or remove it (set_constraints: {lic: null})"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: bad\nchanges:\n  - add_constraints:\n      - id: lic\n        type: flow_sum\n"
                   "        nodes: [a, b]\n        max_flw: 6\n")
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "m.yaml", scenarios=[str(bad)])
    assert [(p.file, p.place) for p in err.value.problems] == [
        (str(bad), "changes[0].add_constraints[lic].max_flw (line 7)"), (str(bad), "changes[0].add_constraints[lic] "
                                                                                   "(line 4)")]
    assert "unknown attribute 'max_flw' for a flow_sum (did you mean 'max_flow'?)" in err.value.problems[0].message


def test_an_added_parameter_is_used_by_a_set_attribute_and_its_problems_are_the_changes(tmp_path):
    """A parameter an overlay adds serves a node's attribute a later change sets: the farm's demand of 3 becomes
    the parameter's 7 (the river's 10 suffices).  A wrong value of it is named at add_parameters."""
    model, _ = overlaid_farm(tmp_path, "  - add_parameters: {need: {type: constant, value: 7}}\n"
                                       "  - set: {farm: {demand: {parameter: need}}}")
    np.testing.assert_allclose(daryo.run(model).dataset.delivery.sel(demand="farm").values, 7.0)
    with pytest.raises(ModelError) as err:
        overlaid_farm(tmp_path, "  - add_parameters: {need: {type: constant, valu: 7}}\n"
                                "  - set: {farm: {demand: {parameter: need}}}")
    assert [(p.file, p.place) for p in err.value.problems][:1] == [
        (str(tmp_path / "o.yaml"), "changes[0].add_parameters.need.valu (line 2)")], err.value
    with pytest.raises(ModelError) as err:
        overlaid_farm(tmp_path, "  - add_parameters: {need: [7]}\n  - add_parameters: {1: 7}\n"
                                "  - add_constraints: {lic: {type: flow_sum}}\n  - add_constraints: [{type: flow_sum}]")
    assert [f"{p.place}: {p.message}" for p in err.value.problems] == [
        "changes[0].add_parameters.need (line 2): a parameter is a number (a constant) or a mapping with a 'type', "
        "not '[7]'",
        "changes[1].add_parameters.1 (line 3): a parameter's name is text, not 1",
        "changes[2].add_constraints (line 4): give a list of constraints as in a model file: [{id: ..., type: "
        "flow_sum, nodes: [...], ...}, ...]",
        "changes[3].add_constraints[0] (line 5): a constraint needs an id (text)"]


def test_a_constraint_added_removed_and_added_again_is_not_a_repeated_change(tmp_path):
    """add_constraints and add_parameters are structural: one written twice is told when applied (it exists), and
    one added again after set_constraints removed it is meant, as a node removed and added again is; an overlay
    given in Python adds them too, its problems named by its name."""
    (tmp_path / "m.yaml").write_text(SHARED)
    add = "{add_constraints: [{id: lic, type: flow_sum, nodes: [a, b], max_flow: 6}]}"
    ov = tmp_path / "ov.yaml"
    ov.write_text(f"title: t\nchanges:\n  - {add}\n  - set_constraints: {{lic: null}}\n  - {add}\n")
    assert [c.id for c in daryo.load(tmp_path / "m.yaml", scenarios=[str(ov)]).constraints] == ["share", "lic"]
    ov.write_text(f"title: t\nchanges:\n  - {add}\n  - {add}\n")
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "m.yaml", scenarios=[str(ov)])
    assert [f"{p.place}: {p.message}" for p in err.value.problems] == [
        "changes[1].add_constraints[lic] (line 4): constraint 'lic' already exists; use set_constraints to change it"]
    doc = {"name": "lic", "changes": [{"add_parameters": {"cap2": 4}},
                                      {"add_constraints": [{"id": "lic", "type": "flow_sum", "nodes": ["a", "b"],
                                                            "max_flow": {"parameter": "cap2"}}]}]}
    ds = daryo.run(daryo.load(tmp_path / "m.yaml", scenarios=[doc])).dataset
    np.testing.assert_allclose(ds.delivery.isel(scenario=0).values, [[2.0, 2.0]] * 12)  # 4 shared 1:1
    doc["changes"][1]["add_constraints"][0]["nodes"] = ["a", "bb"]
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "m.yaml", scenarios=[doc])
    assert [str(p) for p in err.value.problems] == [
        "lic: changes[1].add_constraints: constraints[lic].nodes: names 'bb', which is not in the model after this "
        "scenario (did you mean 'b'?)"]
