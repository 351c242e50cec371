"""Scenario overlays: the library applies, combines in order, and refuses bad names and dangling references."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import daryo
from daryo.api import demo_model_path
from daryo.basins.aral import build_aral_document, load_aral_model, read_base_document
from daryo.errors import ModelError
from daryo.model import model_from_dict
from daryo.model.loader import read_document
from daryo.scenarios import apply_scenarios, list_scenarios, load_overlay, transform_inflows

LIBRARY = {"icwc", "soviet-protocol", "energy-mode", "irrigation-mode", "rogun-absent", "rogun-stage1", "rogun-full",
           "qosh-tepa-4.5", "qosh-tepa-10", "drought-2000-2001", "drought-2008", "drought-2021", "drought-multiyear",
           "climate-2050", "climate-2050-peak"}


def _node(doc, nid):
    return next(n for n in doc["nodes"] if n["id"] == nid)


def test_library_lists_every_scenario_with_a_title():
    listed = dict(list_scenarios())
    assert LIBRARY <= set(listed)
    assert list(listed) == sorted(listed)  # by name: climate-2050 before climate-2050-peak (sorted by file name, after)
    assert all(listed[n] for n in LIBRARY)


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_each_overlay_applies_and_validates(name):
    doc = build_aral_document(scenarios=[name], years=3)
    model = model_from_dict(doc, file=f"aral+{name}")
    assert model.metadata["scenarios"] == [name]


def test_baseline_document_is_not_modified():
    base = read_base_document()
    before = repr(base)
    apply_scenarios(base, ["rogun-absent", "climate-2050", "qosh-tepa-10"])
    assert repr(base) == before


def test_unknown_name_is_refused_with_the_available_names():
    with pytest.raises(ModelError, match="unknown scenario.*qosh-tepa-10"):
        apply_scenarios(read_base_document(), ["qosh-tepa-11"])


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
        "changes[0].set_edges.river_mid -> mian_canal: edge 'river_mid -> mian_canal' is not in the model (did you "
        "mean 'river_mid->main_canal'?)",
        "changes[1].remove_edges[0]: edge river_low->lakes is not in the model (did you mean 'river_low->lake'?)",
        "changes[2].scale_demands.nodes.city_: 'city_' is not a demand of the model (did you mean 'city'?)",
        "changes[3].scale_inflows.nodes.upper_rivr: 'upper_rivr' is not an inflow of the model (did you mean "
        "'upper_river'?)",
        "changes[4].remove_edges[0]: edge delta->lake is not in the model",  # (no edge clearly nearest)
        "changes[5].set_edges.main_canal->river_mid: edge 'main_canal->river_mid' is not in the model (the model's "
        "edge runs river_mid->main_canal)",
        "changes[6].remove_edges[0]: edge lake->river_low is not in the model (the model's edge runs river_low->lake)"]


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
    with pytest.raises(ModelError, match="changes\\[0\\]: 'scale_inflow' is not a change: each change is a mapping "
                                         "with one key"):
        apply_scenarios(read_base_document(), [str(typo)])
    basin = tmp_path / "basin.yaml"
    basin.write_text("title: b\nchanges:\n  - scale_inflows: {basin: nile, factor: 0.9}\n")
    with pytest.raises(ModelError, match="unknown basin 'nile'"):
        apply_scenarios(read_base_document(), [str(basin)])


def test_malformed_overlay_gives_one_problem_with_file_and_line(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("title: broken\nchanges:\n  - set: {toktogul: {max_volume: 1 km3}\n")
    with pytest.raises(ModelError) as err:
        apply_scenarios(read_base_document(), [str(bad)])
    (problem,) = err.value.problems
    assert problem.file == str(bad) and problem.place.startswith("line 4, column ")
    assert str(problem).startswith(f"{bad}: line 4, column ") and "malformed YAML: " in str(problem)
    assert "expected ',' or '}'" in str(problem)  # (libyaml: "did not find expected …"; PyYAML: "expected …")
    assert "\n" not in str(problem)


def test_an_empty_overlay_file_is_refused(tmp_path):
    """An empty file was an overlay changing nothing, taken without a word."""
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(ModelError, match=f"{empty}: the overlay file is empty: give its title and changes"):
        apply_scenarios(read_base_document(), [str(empty)])


def test_overlay_changes_are_plain_data(tmp_path):
    """Mappings of an overlay carry no line numbers, which would name lines of the overlay in the model's
    messages; dates stay strings as in model files."""
    ov = tmp_path / "plain.yaml"
    ov.write_text("title: p\nchanges:\n  - set: {toktogul: {note: 2001-01-01}}\n")
    (change,) = load_overlay(str(ov)).changes
    assert type(change) is dict and type(change["set"]["toktogul"]) is dict
    assert change["set"]["toktogul"]["note"] == "2001-01-01"


def test_a_value_set_by_an_overlay_is_not_reported_at_the_base_files_line(tmp_path):
    ov = tmp_path / "bad.yaml"
    ov.write_text("title: bad\nchanges:\n  - set: {city: {demand: -5}}\n")
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[str(ov)])
    (problem,) = err.value.problems
    assert problem.place == "changes[0].set.city.demand"  # not "(line 59)", the line of the node in demo.yaml
    assert problem.file == str(ov)  # (the change that set it: see test_a_wrong_value_an_overlay_sets_names_...)


def test_a_reference_to_a_missing_node_names_the_change_that_made_it(tmp_path):
    """An edge or a ``return_to`` to a node the model does not have after the overlay is placed at the change
    that added it (it was placed at the model's edge, with no change), and a node a change removed says so."""
    ov = tmp_path / "ov.yaml"
    ov.write_text("title: bad\nchanges:\n  - set: {city: {priority: 2}}\n  - add_edges: [[river_mid, nowhere]]\n"
                  "  - remove_nodes: [river_low]\n  - set: {city: {return_to: ghost}}\n")
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[str(ov)])
    assert sorted((p.place, p.message) for p in err.value.problems) == [
        ("changes[1].add_edges: edges[river_mid->nowhere]", "'nowhere' is not in the model after this scenario"),
        ("changes[3].set: nodes[city].return_to", "names 'ghost', which is not in the model after this scenario"),
        ("nodes[valley_irrigation].return_to", "names 'river_low', which is not in the model after this scenario "
                                               "(removed by changes[2].remove_nodes)")]


def test_a_wrong_value_an_overlay_sets_names_the_change_that_set_it(tmp_path):
    """A value a change set or added that the loader finds wrong (a negative demand, a CSV file that is not there)
    was placed at the overlaid model's node (``demo.yaml + a.yaml: nodes[city].demand``), which says neither
    which overlay nor which change; the last change to set it is named, and a problem of the model's own stays
    at the model."""
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("changes:\n"
                     "  - set: {city: {demand: -1}, upper_river: {inflow: {csv: gone.csv, column: q}}}\n"
                     "  - add_nodes: [{id: canal2, type: canal, capacity: -50 m3/s}, {id: c3, type: canal, "
                     "capacity: 1}]\n"
                     "  - add_edges: [[river_mid, canal2], {from: canal2, to: city, max_flow: -3}, [river_mid, c3], "
                     "[c3, city]]\n"
                     "  - set_edges: {\"big_dam->dam_plant\": {max_flow: -80}}\n"
                     "  - set: {c3: {capacity: -2}}\n")
    second.write_text("changes:\n  - set: {city: {demand: -2}}\n")
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[str(first), str(second)])
    assert sorted(str(p).split(": is ")[0].split(": CSV")[0] for p in err.value.problems) == sorted([
        f"{first}: changes[0].set.upper_river.inflow",  # (CSV file 'gone.csv' not found)
        f"{first}: changes[1].add_nodes[canal2].capacity",
        f"{first}: changes[2].add_edges[1].max_flow",
        f"{first}: changes[3].set_edges.big_dam->dam_plant.max_flow",
        f"{first}: changes[4].set.c3.capacity",  # (set after it was added: the set)
        f"{second}: changes[0].set.city.demand"])  # (set again by the second overlay: the second)
    assert "CSV file 'gone.csv' not found" in str(err.value)
    # a node removed and added anew is the add's; a value of the model's own stays at the model's node
    third = tmp_path / "c.yaml"
    third.write_text("changes:\n  - set: {city: {demand: -1}}\n  - remove_nodes: [city]\n"
                     "  - add_nodes: [{id: city, type: demand, demand: -4}]\n  - add_edges: [[river_mid, city]]\n"
                     "  - set: {big_dam: {max_volume: 1}}\n")
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[str(third)])
    placed = {(p.file, p.place.split(" (line")[0]) for p in err.value.problems}
    assert (str(third), "changes[2].add_nodes[city].demand") in placed
    # (the model's volumes above the maximum the overlay lowered: the combination, at the model's node)
    assert (f"{demo_model_path()} + {third}", "nodes[big_dam].initial_volume") in placed
    assert {f for f, _ in placed} == {str(third), f"{demo_model_path()} + {third}"}
    # the embedded model's overlays too
    aral = tmp_path / "aral.yaml"
    aral.write_text("changes:\n  - set: {toktogul_hpp: {capacity: -1}}\n")
    with pytest.raises(ModelError, match=re.escape(f"{aral}: changes[0].set.toktogul_hpp.capacity: is negative")):
        load_aral_model(scenarios=[str(aral)])


def test_overlays_combine_in_order():
    doc = apply_scenarios(read_base_document(), ["rogun-full", "rogun-stage1"])
    assert _node(doc, "rogun")["max_volume"] == 1235
    doc = apply_scenarios(read_base_document(), ["rogun-stage1", "rogun-full"])
    assert _node(doc, "rogun")["max_volume"] == "13.3 km3"
    both = build_aral_document(scenarios=["climate-2050", "qosh-tepa-10"], years=2)
    plain = build_aral_document(years=2)
    assert _node(both, "afg_qosh_tepa_irr")["priority"] == 2
    for nid, f in (("vakhsh_in", 0.875), ("naryn_in", 0.92)):
        a = np.asarray(_node(both, nid)["inflow"]["values"])
        b = np.asarray(_node(plain, nid)["inflow"]["values"])
        # annual volume scaled (the shift wraps within each hydrological year, so every year keeps its total)
        assert a.reshape(-1, 12).sum(axis=1) / b.reshape(-1, 12).sum(axis=1) == pytest.approx([f, f], rel=1e-6)
        assert np.argmax(a[:12]) == np.argmax(b[:12]) - 1  # the peak one month earlier


def test_periodic_and_year_specific_inflow_changes():
    base = read_base_document()
    doc = apply_scenarios(base, ["climate-2050"])
    inflow = _node(doc, "naryn_in")["inflow"]
    assert "monthly" in inflow  # scaling and shifting keep a 12-month cycle
    assert sum(inflow["monthly"]) == pytest.approx(0.92 * 12300, rel=1e-6)
    doc = apply_scenarios(base, ["drought-2000-2001"])
    values = np.asarray(_node(doc, "panj_in")["inflow"]["values"])
    assert values.shape == (360,)  # 30 years of the baseline document
    years = values.reshape(30, 12).sum(axis=1) / 26190
    assert years[:3] == pytest.approx([0.60, 0.55, 1.0], rel=1e-6)


def test_transform_inflows_matches_the_document_change():
    doc = build_aral_document(hydrology="stochastic", traces=2, years=3, seed=5)
    changed = apply_scenarios(doc, ["drought-2021", "climate-2050"])
    arrays = {n["id"]: np.atleast_2d(n["inflow"]["values"]) for n in doc["nodes"] if n["type"] == "inflow"}
    got = transform_inflows(arrays, ["drought-2021", "climate-2050"], "2000-10", doc["metadata"]["basins"])
    for nid, arr in got.items():
        assert np.allclose(arr, np.atleast_2d(_node(changed, nid)["inflow"]["values"]), rtol=1e-6)
    # basins given as any sequence of ids (tuples were refused as malformed metadata)
    as_tuples = {b: tuple(ids) for b, ids in doc["metadata"]["basins"].items()}
    again = transform_inflows(arrays, ["drought-2021", "climate-2050"], "2000-10", as_tuples)
    assert all(np.array_equal(again[k], got[k]) for k in got)


def _rate_model(tmp_path, changes, time=None, inflow=None):
    """A one-inflow model (Oct 2003 - Sep 2005: February 2004 has 29 days, February 2005 28) and one overlay."""
    doc = {"version": 1, "name": "t", "time": time or {"start": "2003-10", "end": "2005-09", "step": "month"},
           "nodes": [{"id": "in", "type": "inflow",
                      "inflow": inflow or {"monthly": [100.0 + m for m in range(12)], "unit": "m3/s"}},
                     {"id": "sea", "type": "sink"}],
           "edges": [["in", "sea"]]}
    overlay = tmp_path / "ov.yaml"
    overlay.write_text(f"title: t\nchanges:\n{changes}")
    model = model_from_dict(apply_scenarios(doc, [str(overlay)]))
    axis = model.time.axis()
    return model.node("in").attrs["inflow"].resolve(axis)[0], axis


@pytest.mark.parametrize("changes, factors", [
    ("  - scale_inflows: {nodes: [in], factor: 0.8}\n", (0.8, 0.8)),               # keeps the 12-month cycle
    ("  - scale_inflows: {nodes: [in], factor: 0.8, years: [1]}\n", (0.8, 1.0)),    # per-step values
], ids=["cycle", "first-year"])
def test_monthly_rate_inflows_use_each_february_s_real_days(tmp_path, changes, factors):
    flow, axis = _rate_model(tmp_path, changes)
    per_day = 86_400 / 1e6  # hm³ per day of 1 m³/s
    feb = np.flatnonzero(axis.month == 2)
    assert list(axis.starts[feb].year) == [2004, 2005]
    assert flow[feb[0]] == pytest.approx(101.0 * per_day * 29 * factors[0], rel=1e-9)  # leap year
    assert flow[feb[1]] == pytest.approx(101.0 * per_day * 28 * factors[1], rel=1e-9)
    # every other month too: the overlay changes the flow, not the calendar
    expected = (100.0 + axis.month - 1) * per_day * axis.days * np.where(axis.hydrological_year == 2004, *factors)
    np.testing.assert_allclose(flow, expected, rtol=1e-9)


def test_shifted_monthly_rates_keep_each_month_s_days(tmp_path):
    flow, axis = _rate_model(tmp_path, "  - shift_peak: {nodes: [in], months: 1}\n")
    # February flows at March's rate (102 m³/s) for its own 29 or 28 days
    feb = np.flatnonzero(axis.month == 2)
    assert flow[feb] == pytest.approx([102.0 * 0.0864 * 29, 102.0 * 0.0864 * 28], rel=1e-9)


def test_per_step_rate_inflows_use_the_model_s_step_length(tmp_path):
    """10-day steps: a per-step rate is 10 days of flow, not a calendar month of it."""
    flow, axis = _rate_model(tmp_path, "  - scale_inflows: {nodes: [in], factor: 0.5}\n",
                             time={"start": "2004-02-01", "end": "2004-03-31", "step": {"days": 10}},
                             inflow={"values": [10.0] * 6, "unit": "m3/s"})
    assert axis.n_steps == 6
    np.testing.assert_allclose(flow, 0.5 * 10.0 * 0.0864 * 10, rtol=1e-9)


def _small_doc(demand="20 m3/s"):
    return {"version": 1, "name": "s", "time": {"start": "2000-10", "end": "2001-09"},
            "nodes": [{"id": "src", "type": "inflow", "inflow": {"monthly": [50.0] * 12, "unit": "hm3"}},
                      {"id": "town", "type": "demand", "demand": demand}],
            "edges": [["src", "town"]]}


@pytest.mark.parametrize("change, place, message", [
    ("set: [town]", "set", "give {node_id"),
    ("set: {town: 5}", "set.town", "give {attribute: value"),
    ("set: {town: {id: city}}", "set.town.id", "the id cannot be changed"),
    ('set_edges: {"src->town": 5}', "set_edges.src->town", "give {attribute: value, ...} (null removes an "
                                                            "attribute), not 5"),
    ("set_edges: {src: {max_flow: 1}}", "set_edges.src", "name the edge as 'from->to'"),
    ('set_edges: {"src->town": {from: town}}', "set_edges.src->town.from", "an edge's ends cannot be changed: "
     "remove the edge (remove_edges) and add another (add_edges)"),
    ("add_nodes: {id: x, type: sink}", "add_nodes", "give a list of nodes"),
    ("add_nodes: [5]", "add_nodes[0]", "a node is a mapping"),
    ("add_nodes: [{type: sink}]", "add_nodes[0]", "a node needs an id"),
    ("add_nodes: [{id: no, type: sink}]", "add_nodes[0]",
     "a node needs an id (text), but YAML read it as the boolean False; put the id in quotes"),
    ("add_nodes: [{id: 7, type: sink}]", "add_nodes[0]",
     "a node needs an id (text), but YAML read it as the number 7; put the id in quotes"),
    ("remove_nodes: 5", "remove_nodes", "give a node id or a list of node ids, not 5"),
    ("remove_nodes: [[town]]", "remove_nodes[0]", "['town'] is not a node id"),
    ("add_edges: 5", "add_edges", "give a list of edges"),
    ("add_edges: [[src]]", "add_edges[0]", "an edge is [from, to]"),
    ("remove_edges: 5", "remove_edges", "give a list of edges, e.g. [[from, to], ...], not 5"),
    ("remove_edges: [5]", "remove_edges[0]", "an edge is [from, to], 'from->to' or {from: ..., to: ...}"),
    ("scale_demands: {factor: lots}", "scale_demands.factor", "give a number of 0 or more, not 'lots'"),
    ("scale_demands: {factor: '1e3'}", "scale_demands.factor",
     "give a number of 0 or more, not '1e3' (text: write the number without quotes)"),
    ("scale_demands: {factor: '1.5'}", "scale_demands.factor",
     "give a number of 0 or more, not '1.5' (text: write the number without quotes)"),
    ("scale_demands: {factor: -1}", "scale_demands.factor", "give a number of 0 or more"),
    ("scale_demands: 1.2", "scale_demands", "give a mapping of options"),
    ("scale_demands: {nodes: [town]}", "scale_demands", "give the factor"),
    ("scale_demands: {factor: 1.2, nodes: town}", "scale_demands.nodes", "give a list of node ids"),
    ("scale_demands: {factor: 1.2, nodes: []}", "scale_demands.nodes", "give a list of node ids"),
    # a typo must not scale every demand
    ("scale_demands: {factor: 1.2, node: [town]}", "scale_demands.node", "unknown option; use: factor, nodes"),
    ("scale_demands: {factor: 1.2, countries: UZB}", "scale_demands.countries", "give a list of country codes"),
    ("scale_demands: {factor: 1.2, nodes: [town], countries: [UZB]}", "scale_demands", "not both"),
    ("scale_inflows: {factor: [1]}", "scale_inflows.factor", "give a number of 0 or more"),
    ("scale_inflows: {months: [1, 2]}", "scale_inflows.months", "give 12 factors"),
    ("scale_inflows: {factor: 0.9, years: 5}", "scale_inflows.years", "give a list of the run's hydrological years"),
    ("scale_inflows: {nodes: 5, factor: 0.9}", "scale_inflows.nodes", "give a list of node ids"),
    ("scale_inflows: {basin: [amu], factor: 0.9}", "scale_inflows.basin", "give a basin"),
    ("scale_inflows: {basin: amu, nodes: [src], factor: 0.9}", "scale_inflows", "give nodes or basin, not both"),
    ("shift_peak: {months: soon}", "shift_peak.months", "give a number of months from -12 to 12"),
    ("shift_peak: {months: 400}", "shift_peak.months", "give a number of months from -12 to 12"),
    ("shift_peak: [1]", "shift_peak", "give a mapping of options"),
    ("named_years: {first_year: 1}", "named_years", "give the name of a named year"),
    ("named_years: {name: '2021', first_year: 0}", "named_years.first_year", "1 for the first"),
    ("scale_inflows: {factor: 0.5, years: []}", "scale_inflows.years", "give a list of the run's hydrological years"),
])
def test_bad_change_arguments_are_problems_of_the_overlay(tmp_path, change, place, message):
    """Every change type checks its arguments' types: a problem naming the overlay file and the change, not a
    Python exception from deep inside the change."""
    overlay = tmp_path / "bad.yaml"
    overlay.write_text(f"title: bad\nchanges:\n  - set: {{town: {{priority: 2}}}}\n  - {change}\n")
    with pytest.raises(ModelError) as err:
        apply_scenarios(_small_doc(), [str(overlay)])
    (problem,) = err.value.problems
    assert problem.file == str(overlay) and problem.place == f"changes[1].{place}"
    assert message in problem.message
    if change.split(":")[0] in ("scale_inflows", "shift_peak", "named_years"):  # the ensemble path checks too
        with pytest.raises(ModelError, match=re.escape(message)):
            transform_inflows({"src": np.ones((1, 12))}, [str(overlay)], "2000-10", {})


def test_a_demand_that_cannot_be_scaled_is_a_problem_of_the_overlay(tmp_path):
    overlay = tmp_path / "more.yaml"
    overlay.write_text("title: more\nchanges:\n  - scale_demands: {factor: 1.1}\n")
    with pytest.raises(ModelError) as err:
        apply_scenarios(_small_doc(demand="plenty"), [str(overlay)])
    assert str(err.value.problems[0]).startswith(f"{overlay}: changes[0].scale_demands (town): the demand of 'town' "
                                                 "cannot be scaled: 'plenty' is not a number")


def test_scaled_demands_keep_full_precision(tmp_path):
    overlay = tmp_path / "more.yaml"
    overlay.write_text("title: more\nchanges:\n  - scale_demands: {factor: 1.1}\n")
    doc = apply_scenarios(_small_doc(demand="1234567.8 m3"), [str(overlay)])
    value, unit = _node(doc, "town")["demand"].split()
    assert unit == "m3" and float(value) == 1234567.8 * 1.1  # not 1.23457e+06, which lost 2.6 m3
    doc = apply_scenarios(_small_doc(demand=1234567.8), [str(overlay)])
    assert _node(doc, "town")["demand"] == 1234567.8 * 1.1


def test_shift_peak_on_n_day_steps_moves_by_months_not_steps(tmp_path):
    """10-day steps: one month earlier is 365.25 / 12 = 30.44 days, 3.04 steps, not one step.  A ramp of one
    hm³ per step shows the shift exactly; a constant flow stays constant."""
    time = {"start": "2000-10-01", "end": "2001-09-30", "step": {"days": 10}}
    flow, axis = _rate_model(tmp_path, "  - shift_peak: {nodes: [in], months: 1}\n", time=time,
                             inflow={"values": [float(k) for k in range(37)], "unit": "hm3"})
    assert axis.n_steps == 37
    np.testing.assert_allclose(flow[:33], np.arange(33) + 3.04375, rtol=0, atol=1e-9)
    # the run is one whole hydrological year: its first month's flow wraps to its end, and the total stays
    v, a = np.arange(37.0), 0.04375
    np.testing.assert_allclose(flow[33:], (1 - a) * v[np.arange(36, 40) % 37] + a * v[np.arange(37, 41) % 37],
                               rtol=0, atol=1e-9)
    assert flow.sum() == pytest.approx(v.sum(), rel=1e-12)
    flow, _ = _rate_model(tmp_path, "  - shift_peak: {nodes: [in], months: 2.5}\n", time=time,
                          inflow={"values": [7.0] * 37, "unit": "m3/s"})
    np.testing.assert_allclose(flow, 7.0 * 0.0864 * 10, rtol=1e-9)


@pytest.mark.parametrize("step, per_year", [("month", 12), ({"days": 10}, None)], ids=["monthly", "10-day"])
def test_shift_peak_keeps_each_hydrological_year_s_total(tmp_path, step, per_year):
    """A series that is a fixed seasonal cycle times a different volume each year (as the Aral traces are) keeps
    each hydrological year's total under the shift, and the cycle moves one month earlier within each year."""
    time = {"start": "2000-10-01", "end": "2003-09-30", "step": step}
    axis = model_from_dict({"version": 1, "name": "t", "time": time, "nodes": [{"id": "s", "type": "sink"}],
                            "edges": []}).time.axis()
    hy = axis.hydrological_year - axis.hydrological_year[0]
    cycle = 1.0 + np.cos(2 * np.pi * ((axis.month - 7) % 12) / 12)  # peak in July
    values = np.round(cycle * np.array([1.0, 0.6, 1.4])[hy], 3)  # the overlay writes 6 decimals
    flow, axis = _rate_model(tmp_path, "  - shift_peak: {nodes: [in], months: 1}\n", time=time,
                             inflow={"values": [float(x) for x in values], "unit": "hm3"})
    for y in range(3):
        assert flow[hy == y].sum() == pytest.approx(values[hy == y].sum(), rel=1e-9)
    if per_year:  # monthly steps: exactly the next month's flow of the same year, September takes October's
        shifted = flow.reshape(3, 12)
        np.testing.assert_allclose(shifted, np.roll(values.reshape(3, 12), -1, axis=1), rtol=1e-12)
        assert list(np.argmax(shifted, axis=1)) == [8, 8, 8]  # June (October first), not July


def test_inflows_per_calendar_month_on_n_day_steps_are_refused_by_name(tmp_path):
    with pytest.raises(ModelError, match=r"ov.yaml: changes\[0\].scale_inflows \(in\): the inflow of 'in' is in "
                                         r"hm3/month, a volume per calendar month, but the model has 10-day steps"):
        _rate_model(tmp_path, "  - scale_inflows: {nodes: [in], factor: 0.5}\n",
                    time={"start": "2004-02-01", "end": "2004-03-31", "step": {"days": 10}},
                    inflow={"values": [10.0] * 6, "unit": "hm3/month"})


def test_changes_that_would_change_nothing_are_problems(tmp_path):
    """named_years on inflows without named-year factors, and scale_demands matching no demand, did nothing
    without a word."""
    cases = [("named_years: {nodes: [src], name: '2021'}", "changes[0].named_years (src)",
              "'src' has no named-year factors"),
             ("named_years: {name: '2021'}", "changes[0].named_years", "none of the inflows it selects has named-year"),
             ("scale_demands: {category: irigation, factor: 2}", "changes[0].scale_demands",
              "no demand of the model matches category 'irigation'"),
             ("scale_demands: {countries: [UZ], factor: 2}", "changes[0].scale_demands",
              "no demand of the model matches countries ['UZ']"),
             # years none of which the run has (it has one; a run of the overlay's years made them silent)
             ("scale_inflows: {factor: 0.5, years: [2, 99]}", "changes[0].scale_inflows",
              "years 2, 99 are none of the run's years (the run has 1 hydrological year), so it would change "
              "nothing"),
             ("named_years: {name: '2021', first_year: 7}", "changes[0].named_years",
              "first_year 7 is after the run's last year (the run has 1 hydrological year)"),
             ("frobnicate: {factor: 2}", "changes[0]", "'frobnicate' is not a change: each change is a mapping "
              "with one key out of"),
             ("scale_inflows: {basin: all}", "changes[0].scale_inflows",
              "give the factor or 12 monthly factors (months), or both"),
             ("scale_inflows: {basin: all, months: null}", "changes[0].scale_inflows",
              "give the factor or 12 monthly factors (months), or both"),
             (None, "", "the overlay has no changes: give its title and changes"),
             # changes written as no list (taken as none: [] is the way to say so, as a baseline's overlay does)
             ("0", "changes", "must be a list of changes ([] for none), not 0"),
             ("''", "changes", "must be a list of changes ([] for none), not ''"),
             ("false", "changes", "must be a list of changes ([] for none), not False"),
             ("", "changes", "has no value; give a list of changes ([] for none)")]
    for change, place, message in cases:
        overlay = tmp_path / "nothing.yaml"
        if change is None:
            overlay.write_text("title: nothing\n")
        elif place == "changes":
            overlay.write_text(f"title: nothing\nchanges: {change}\n")
        else:
            overlay.write_text(f"title: nothing\nchanges:\n  - {change}\n")
        with pytest.raises(ModelError) as err:
            apply_scenarios(_small_doc(), [str(overlay)])
        (problem,) = err.value.problems
        assert (problem.file, problem.place) == (str(overlay), place) and message in problem.message, change
        if change and change.startswith("named_years"):  # the ensemble path too
            with pytest.raises(ModelError, match=re.escape(message)):
                transform_inflows({"src": np.ones((1, 12))}, [str(overlay)], "2000-10", {})


@pytest.mark.parametrize("inflow", [
    {"monthly": [10.0] * 12, "unit": "hm3"},  # a 12-month cycle (the overlay's months index its months)
    {"values": [10.0] * 24, "unit": "hm3"},  # per-step values (the months of the run's calendar)
], ids=["cycle", "per-step"])
def test_scale_inflows_months_are_calendar_months(tmp_path, inflow):
    """``months`` gives 12 factors, January first: doubling January only doubles the Januaries."""
    months = [2] + [1] * 11
    flow, axis = _rate_model(tmp_path, f"  - scale_inflows: {{nodes: [in], months: {months}}}\n", inflow=inflow)
    np.testing.assert_allclose(flow, np.where(axis.month == 1, 20.0, 10.0), rtol=1e-12)


@pytest.mark.parametrize("demand", [[float(m) for m in range(1, 13)],
                                    [[float(m) for m in range(1, 13)], [10.0 * m for m in range(1, 13)]]],
                         ids=["monthly", "monthly-per-trace"])
def test_scaled_monthly_demands_stay_monthly(tmp_path, demand):
    """A plain list is 12 monthly values, January first, or one such list per trace: scaled, it is still that (a
    list of two traces' lists was read as per-step values from October, so January's demand fell in October)."""
    overlay = tmp_path / "more.yaml"
    overlay.write_text("title: more\nchanges:\n  - scale_demands: {factor: 2.0}\n")
    model = model_from_dict(apply_scenarios(_small_doc(demand=demand), [str(overlay)]))
    axis = model.time.axis()
    got = model.node("town").attrs["demand"].resolve(axis)
    expected = 2.0 * np.atleast_2d(np.asarray(demand))[:, axis.month - 1]  # the run starts in October
    np.testing.assert_allclose(got, np.broadcast_to(expected, got.shape), rtol=1e-12)


def test_inflow_changes_take_a_plain_list_of_monthly_values(tmp_path):
    """``inflow: [12 values]`` is a documented series (hm³ per step, January first): overlays scale it as the
    mapping form, where they refused it."""
    flow, axis = _rate_model(tmp_path, "  - scale_inflows: {nodes: [in], factor: 0.5}\n",
                             inflow=[float(m) for m in range(1, 13)])
    np.testing.assert_allclose(flow, 0.5 * axis.month, rtol=1e-12)


def test_inflow_changes_to_traces_leave_the_inflows_they_do_not_hold(tmp_path):
    """An ensemble's traces hold the generator's rivers; an overlay may also scale an inflow of the model that the
    generator does not make (one it adds, say).  That inflow keeps the model's series, changed when the model
    is built; the traces' own are changed, and nothing is refused (the ensemble refused what ``run`` took)."""
    overlay = tmp_path / "extra.yaml"
    overlay.write_text("title: extra\nchanges:\n  - scale_inflows: {nodes: [src, extra_in], factor: 0.5}\n")
    got = transform_inflows({"src": np.ones((1, 12))}, [str(overlay)], "2000-10", {})
    np.testing.assert_array_equal(got["src"], np.full((1, 12), 0.5))


def test_an_overflowing_inflow_change_is_one_problem_without_warnings(tmp_path):
    """Two factors of 1e300 make the inflow infinite: the loader's problem, without NumPy's overflow
    warning printed before it."""
    import warnings

    overlay = tmp_path / "huge.yaml"
    overlay.write_text("title: huge\nchanges:\n  - scale_inflows: {nodes: [src], factor: 1.0e+300}\n"
                       "  - scale_inflows: {nodes: [src], factor: 1.0e+300}\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ModelError, match="non-finite numbers"):
            model_from_dict(apply_scenarios(_small_doc(), [str(overlay)]))


def test_a_folder_named_as_a_scenario_file_is_said_to_be_one(tmp_path):
    folder = tmp_path / "dry.yaml"
    folder.mkdir()
    with pytest.raises(ModelError) as err:
        load_overlay(str(folder))
    assert [str(p) for p in err.value.problems] == [f"{folder}: is a folder, not a scenario file"]


def test_an_overlay_s_title_must_be_text(tmp_path):
    overlay = tmp_path / "ov.yaml"
    overlay.write_text("title: []\nchanges: []\n")
    with pytest.raises(ModelError) as err:
        apply_scenarios(_small_doc(), [str(overlay)])
    (problem,) = err.value.problems
    assert (problem.place, problem.message) == ("title", "must be text, not '[]'")  # (as a model file's)


def test_a_folder_given_as_an_overlay_is_named_as_a_folder(tmp_path, monkeypatch):
    """It was an 'unknown scenario' (the name has no .yaml suffix); a library name beside a folder of that name
    stays the library's overlay."""
    with pytest.raises(ModelError, match=r"is a folder, not a scenario file"):
        load_overlay(str(tmp_path))
    (tmp_path / "icwc").mkdir()
    monkeypatch.chdir(tmp_path)
    assert load_overlay("icwc").name == "icwc"
    # a bare name that is no library scenario but is a folder or another file here: the message says what it is
    (tmp_path / "dry").mkdir()
    (tmp_path / "wet.txt").write_text("title: wet\nchanges: []\n")
    for name, said in (("dry", "'dry' here is a folder, not a scenario file"),
                       ("wet.txt", "the file 'wet.txt' here is not read as an overlay, whose name ends in .yaml or "
                        ".yml")):
        with pytest.raises(ModelError) as err:
            load_overlay(name)
        assert str(err.value.problems[0]).endswith(
            f"or, for any model, a path to an overlay .yaml file; {said}"), err.value


def test_one_overlay_name_alone_is_one_overlay_not_its_letters():
    """apply_scenarios(doc, "climate-2050") read 'c', 'l', ...; year_limited_changes("drought-2008") found none."""
    from daryo.basins.aral import load_aral_model, read_base_document
    from daryo.scenarios import year_limited_changes

    doc = read_base_document()
    assert apply_scenarios(doc, "climate-2050") == apply_scenarios(doc, ["climate-2050"])
    assert load_aral_model("climate-2050", years=1).metadata["scenarios"] == ["climate-2050"]
    assert year_limited_changes("drought-2008") == year_limited_changes(["drought-2008"]) != []
    with pytest.raises(TypeError, match=r"scenarios=5: give overlay names or paths"):
        apply_scenarios(doc, 5)


@pytest.mark.parametrize("unit", [None, "", " "])
def test_an_inflow_unit_with_no_value_is_refused_by_an_overlay_that_changes_it(tmp_path, unit):
    """The overlay rewrote the series in hm3 per step, so the model file's problem (a unit with no value, read as
    the canonical one) went unreported."""
    with pytest.raises(ModelError, match=r"ov.yaml: changes\[0\].scale_inflows \(in\): the inflow of 'in' has a "
                                         r"unit with no value"):
        _rate_model(tmp_path, "  - scale_inflows: {nodes: [in], factor: 0.5}\n",
                    inflow={"monthly": [10.0] * 12, "unit": unit})


def test_a_library_given_as_text_is_a_folder_and_a_missing_one_is_named(tmp_path):
    """A QA pass: list_scenarios("/some/dir") failed with 'str' object has no attribute 'glob'; a missing folder
    listed nothing."""
    (tmp_path / "wet.yaml").write_text("title: Wet\nchanges: []\n")
    assert list_scenarios(str(tmp_path)) == [("wet", "Wet")]
    assert load_overlay("wet", str(tmp_path)).name == "wet"
    with pytest.raises(ValueError, match=r"library '.*nowhere': no such folder"):
        list_scenarios(tmp_path / "nowhere")
    with pytest.raises(ValueError, match=r"library '.*wet.yaml': not a folder"):
        list_scenarios(tmp_path / "wet.yaml")
    assert load_overlay(str(tmp_path / "wet.yaml"), tmp_path / "nowhere").name == str(tmp_path / "wet.yaml")  # (a
    # path needs no library)


def test_an_inflow_read_from_csv_or_a_parameter_or_a_constant_is_scaled_by_scale_inflows(tmp_path):
    """scale_inflows could not change an inflow read from a CSV file (most real basins keep them so) nor a parameter
    nor a constant, and the refusal said how to with a `set` change (a QA pass); a user review found that a basin of
    one's own could then not be given the library's drought.  One factor for every month and year multiplies a CSV
    file's or a parameter's scale (its other keys kept); a constant becomes 12 monthly values; a change of some
    months or years, or a shift, of a CSV file or a parameter is refused, saying what they take."""
    (tmp_path / "in.csv").write_text("date,t0,q\n" + "".join(f"{d:%Y-%m-%d},0,{10 + i}\n" for i, d in enumerate(
        pd.date_range("2000-10-01", periods=12, freq="MS"))))
    (tmp_path / "m.yaml").write_text(
        "version: 1\ntime: {start: 2000-10, end: 2001-09}\n"
        "parameters:\n  p: {type: monthlyprofile, values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}\nnodes:\n"
        "  - {id: in, type: inflow, inflow: {csv: in.csv, column: q, unit: m3/s, scale: 2}}\n"
        "  - {id: par, type: inflow, inflow: {parameter: p, unit: hm3/day}}\n"
        "  - {id: const, type: inflow, inflow: 30 m3/s}\n  - {id: sea, type: sink}\n"
        "edges: [[in, sea], [par, sea], [const, sea]]\n")
    (tmp_path / "dry.yaml").write_text("title: dry\nchanges:\n  - scale_inflows: {factor: 0.5}\n")
    model = daryo.load(tmp_path / "m.yaml", scenarios=str(tmp_path / "dry.yaml"))
    axis = model.time.axis()
    inflow = {nid: model.node(nid).attrs["inflow"].resolve(axis)[0] for nid in ("in", "const")}
    np.testing.assert_allclose(inflow["in"], 2 * 0.5 * (10 + np.arange(12)) * 0.0864 * axis.days, rtol=1e-12)
    np.testing.assert_allclose(inflow["const"], 0.5 * 30 * 0.0864 * axis.days, rtol=1e-12)
    par = daryo.run(model).dataset.node_flow.sel(node="par").isel(scenario=0)  # (a parameter: its value in a run)
    np.testing.assert_allclose(par, 0.5 * axis.month * axis.days, rtol=1e-12)
    (tmp_path / "two.yaml").write_text("version: 1\ntime: {start: 2000-10, end: 2001-09}\nnodes:\n"
                                       "  - {id: Сырдарья, type: inflow, inflow: {csv: in.csv, columns: [t0, q]}}\n"
                                       "  - {id: sea, type: sink}\nedges: [[Сырдарья, sea]]\n")
    two = daryo.load(tmp_path / "two.yaml", scenarios=str(tmp_path / "dry.yaml")).node("Сырдарья").attrs["inflow"]
    np.testing.assert_allclose(two.resolve(axis)[:, 0], [0.0, 5.0])
    for change in ("shift_peak: {nodes: [in], months: 1}", "scale_inflows: {nodes: [par], factor: 0.5, years: [1]}",
                   "scale_inflows: {nodes: [in], months: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.5]}"):
        (tmp_path / "no.yaml").write_text(f"title: s\nchanges:\n  - {change}\n")
        with pytest.raises(ModelError) as err:
            daryo.load(tmp_path / "m.yaml", scenarios=str(tmp_path / "no.yaml"))
        assert str(err.value).endswith("so the scenario cannot change it; an inflow read from a CSV file or a "
                                       "parameter takes only scale_inflows of one factor for every month and year"), \
            err.value
    (tmp_path / "mapping.yaml").write_text(  # (a constant written as a mapping; a review)
        (tmp_path / "m.yaml").read_text().replace("inflow: 30 m3/s", "inflow: {value: 15, unit: m3/s, scale: 2}"))
    as_mapping = daryo.load(tmp_path / "mapping.yaml", scenarios=str(tmp_path / "dry.yaml")).node("const")
    np.testing.assert_allclose(as_mapping.attrs["inflow"].resolve(axis)[0], inflow["const"], rtol=1e-12)
    (tmp_path / "shift.yaml").write_text("title: s\nchanges:\n  - shift_peak: {nodes: [const], months: 1}\n")
    shifted = daryo.load(tmp_path / "m.yaml", scenarios=str(tmp_path / "shift.yaml")).node("const").attrs["inflow"]
    np.testing.assert_allclose(shifted.resolve(axis)[0], 30 * 0.0864 * axis.days, rtol=1e-12)


VALUES = "{values: [" + ", ".join(str(v) for v in range(1, 25)) + "]}"
SMALL = ("version: 1\ntime: {start: 2000-10, end: 2002-09}\nnodes:\n"
         "  - {id: up, type: inflow, inflow: " + VALUES + "}\n  - {id: riv, type: junction}\n"
         "  - {id: farm, type: demand, demand: 5}\n  - {id: sea, type: sink}\n"
         "edges: [[up, riv], [riv, farm], [riv, sea]]\n")


def test_a_model_loaded_for_fewer_years_than_its_file_takes_the_first_of_its_values(tmp_path):
    """daryo.load(path, years=1) (and --years 1) refused a file's 24 values per step as more than the run's 12,
    though a shorter run takes the first ones (a QA pass of the overlays: it ran only where an overlay happened to
    rewrite the series)."""
    (tmp_path / "m.yaml").write_text(SMALL)
    model = daryo.load(tmp_path / "m.yaml", years=1)
    flow = daryo.run(model).dataset.node_flow.sel(node="up").isel(scenario=0)
    np.testing.assert_array_equal(flow, np.arange(1, 13))
    (tmp_path / "long.yaml").write_text(SMALL.replace("end: 2002-09", "end: 2001-09"))
    for years in (None, 1):  # (more values than the file's own steps: a typo, whatever the run's length; a review)
        with pytest.raises(ModelError, match="the series has 24 values but the model has 12 steps"):
            daryo.load(tmp_path / "long.yaml", years=years)


def test_a_bad_value_set_on_an_edge_by_an_overlay_is_placed_at_the_change(tmp_path):
    """A value set_edges or add_edges gave that the loader cannot read was placed at the model's edge
    (``edges[1].max_flow``), not at the change, as set on a node's was (a QA pass of the overlays)."""
    (tmp_path / "m.yaml").write_text(SMALL)
    (tmp_path / "bad.yaml").write_text(
        "title: bad\nchanges:\n"
        "  - set_edges: {riv->farm: {max_flow: {monthly: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}, maxflow: 3}}\n"
        "  - add_edges: [{from: up, to: sea, max_flow: 5 parsecs}]\n")
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "m.yaml", scenarios=[str(tmp_path / "bad.yaml")])
    assert [(p.file, p.place) for p in err.value.problems] == [
        (str(tmp_path / "bad.yaml"), f"changes[0].set_edges.riv->farm.{key}") for key in ("max_flow", "maxflow")] + [
        (str(tmp_path / "bad.yaml"), "changes[1].add_edges[0].max_flow")], err.value


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
        "changes[0].remove_nodes)" for place, node in (("constraints[lic].nodes", "farm2"),
                                                       ("parameters[cc].reservoir", "dam"))]


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


def test_a_change_that_is_empty_is_named_as_changing_nothing(tmp_path):
    """remove_nodes: [], set: {}, set: {farm: {}} and the like passed without a word, though scale_inflows with
    nodes: [] was refused (a QA pass of the overlays): an empty change is a list left unfinished, or a mistake."""
    changes = ["remove_nodes: []", "add_nodes: []", "add_edges: []", "remove_edges: []", "set: {}",
               "set: {farm: {}}", "set_edges: {}", "set_edges: {riv->farm: {}}"]
    (tmp_path / "empty.yaml").write_text("title: e\nchanges:\n" + "".join(f"  - {c}\n" for c in changes))
    with pytest.raises(ModelError) as err:
        load_overlay(str(tmp_path / "empty.yaml"))
    assert [p.place for p in err.value.problems] == [
        "changes[0].remove_nodes", "changes[1].add_nodes", "changes[2].add_edges", "changes[3].remove_edges",
        "changes[4].set", "changes[5].set.farm", "changes[6].set_edges", "changes[7].set_edges.riv->farm"]
    assert all(p.message.startswith("changes nothing (it is empty); give ") for p in err.value.problems)


def test_a_node_or_an_edge_listed_twice_for_removal_is_named_as_such(tmp_path):
    """remove_edges of the same edge twice said the second 'is not in the model (did you mean ...?)', though the
    change had just removed it; remove_nodes took a node twice without a word (a QA pass of the overlays)."""
    (tmp_path / "m.yaml").write_text(SMALL)
    (tmp_path / "dup.yaml").write_text("title: dup\nchanges:\n  - remove_edges: [[riv, farm], [riv, farm]]\n"
                                       "  - remove_nodes: [farm, farm]\n")
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "m.yaml", scenarios=[str(tmp_path / "dup.yaml")])
    assert [(p.place, p.message) for p in err.value.problems] == [
        ("changes[0].remove_edges[1]", "edge riv->farm is listed twice (also at [0])"),
        ("changes[1].remove_nodes.farm", "node 'farm' is listed twice (also at [0])")]


def test_an_inflow_changed_by_an_overlay_keeps_its_small_values(tmp_path):
    """The changed series were rounded to 6 decimal places in their unit: a factor of 1 turned an inflow of
    4.2e-7 km³/yr into 0 (a QA pass of the overlays); now to 12 significant digits."""
    monthly = [0.1234567] * 11 + [4.2e-7]
    (tmp_path / "m.yaml").write_text(SMALL.replace(VALUES, f"{{monthly: {monthly}, unit: km3/yr}}"))
    (tmp_path / "one.yaml").write_text("title: one\nchanges:\n  - scale_inflows: {factor: 1}\n")
    base, same = (daryo.run(daryo.load(tmp_path / "m.yaml", scenarios=s)).dataset.node_flow.sel(node="up")
                  for s in ([], [str(tmp_path / "one.yaml")]))
    np.testing.assert_allclose(same, base, rtol=1e-11)


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
        f"{added}: changes[0].add_nodes: nodes[d1]: a demand needs an incoming edge from the node it takes its water "
        "from: add one with add_edges"]
    added.write_text(added.read_text() + "  - add_edges: [[river_low, d1]]\n")
    assert "d1" in {n.id for n in daryo.load(demo_model_path(), scenarios=[str(added)]).nodes}


def test_an_edge_an_overlay_adds_as_from_arrow_to_is_added(tmp_path):
    """'from->to', which the overlay's check takes, was added as it is, and the model then refused it as no edge."""
    added = tmp_path / "arrow.yaml"
    added.write_text("changes:\n  - add_nodes: [{id: t2, type: demand, demand: 1}]\n"
                     "  - add_edges: ['river_low -> t2']\n")
    model = daryo.load(demo_model_path(), scenarios=[str(added)])
    assert ("river_low", "t2") in {(e.source, e.target) for e in model.edges}


@pytest.mark.parametrize("basin, message", [
    ("[]", "the model's metadata.basins.b lists no node, so this change would change nothing"),
    ("[side_creek, city]", "the model's metadata.basins.b lists 'city', which is not an inflow")])
def test_a_basin_that_lists_no_node_or_a_demand_is_refused(tmp_path, basin, message):
    """A basin of no nodes changed nothing without a word, and one listing a demand called it an inflow."""
    text = demo_model_path().read_text().replace("allocation: priority",
                                                 f"allocation: priority\nmetadata: {{basins: {{b: {basin}}}}}")
    model = tmp_path / "m.yaml"
    model.write_text(text)
    (tmp_path / "upper_inflow.csv").write_text((demo_model_path().parent / "upper_inflow.csv").read_text())
    overlay = tmp_path / "dry.yaml"
    overlay.write_text("changes: [{scale_inflows: {basin: b, factor: 0.5}}]\n")
    with pytest.raises(ModelError) as err:
        daryo.load(model, scenarios=[str(overlay)])
    assert [str(p) for p in err.value.problems] == [f"{overlay}: changes[0].scale_inflows.basin: {message}"]


def test_a_change_of_a_node_an_earlier_change_removed_names_that_change(tmp_path):
    """"node 'city' is not in the model", where the model file has it: an earlier overlay had removed it."""
    remove, change = tmp_path / "rm.yaml", tmp_path / "more.yaml"
    remove.write_text("changes: [{remove_nodes: [city]}]\n")
    change.write_text("changes: [{set: {city: {demand: 3}}}, {scale_demands: {nodes: [city], factor: 2}}]\n")
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[str(remove), str(change)])
    assert [str(p) for p in err.value.problems] == [
        f"{change}: changes[0].set.city: node 'city' is not in the model (removed by {remove} changes[0].remove_nodes)",
        f"{change}: changes[1].scale_demands.nodes.city: 'city' is not a demand of the model (removed by {remove} "
        "changes[0].remove_nodes)"]


def test_a_basin_listing_a_node_the_model_lacks_is_refused_and_one_an_overlay_removed_is_not(tmp_path):
    """A basin whose listed node was misspelt changed the others and left that river alone without a word; telling
    it from one an earlier overlay removed (which changes nothing there, as meant) needed the removals."""
    base = demo_model_path().read_text()
    model, overlay = tmp_path / "m.yaml", tmp_path / "dry.yaml"
    (tmp_path / "upper_inflow.csv").write_text((demo_model_path().parent / "upper_inflow.csv").read_text())
    overlay.write_text("changes: [{remove_nodes: [side_creek]}, {scale_inflows: {basin: b, factor: 0.5}}]\n")
    model.write_text(base.replace("allocation: priority",
                                  "allocation: priority\nmetadata: {basins: {b: [side_creek]}}"))
    loaded = daryo.load(model, scenarios=[str(overlay)])
    assert loaded.metadata["basins"] == {"b": []}  # (the model lists only nodes it has)
    model.write_text(base.replace("allocation: priority",
                                  "allocation: priority\nmetadata: {basins: {b: [side_creek, upper_rivr]}}"))
    with pytest.raises(ModelError) as err:
        daryo.load(model, scenarios=[str(overlay)])
    assert [str(p) for p in err.value.problems] == [
        f"{overlay}: changes[1].scale_inflows.basin: the model's metadata.basins.b lists 'upper_rivr', which is not "
        "in the model (did you mean 'upper_river'?)"]


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
        f"{overlay}: changes[1].set_edges.river_mid->city: edge 'river_mid->city' is not in the model {removed}",
        f"{overlay}: changes[2].remove_edges[0]: edge river_mid->city is not in the model {removed}"]


def test_an_empty_scenario_name_is_not_called_a_folder():
    """'' is Path('.'), the current folder: "'' here is a folder, not a scenario file" (a QA pass)."""
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[""])
    (problem,) = err.value.problems
    assert problem.place == "scenario ''" and problem.message.endswith(
        "or, for any model, a path to an overlay .yaml file")


def test_a_basin_whose_inflows_an_earlier_overlay_removed_changes_nothing(tmp_path):
    """Refused for a while ("names no inflow") where an earlier overlay removed the basin's rivers (a review):
    the climate change of the removed Syr headwaters has nothing left to change."""
    gone = tmp_path / "no-syr.yaml"
    syr = read_base_document()["metadata"]["basins"]["syr"]
    gone.write_text(f"changes: [{{remove_nodes: [{', '.join(syr)}]}}]\n")
    model = daryo.load(scenarios=[str(gone), "climate-2050"], years=1)
    assert not set(syr) & {n.id for n in model.nodes}


def test_a_demand_added_in_one_overlay_and_reached_in_a_later_one_is_taken(tmp_path):
    node, edge = tmp_path / "node.yaml", tmp_path / "edge.yaml"
    node.write_text("changes: [{add_nodes: [{id: d1, type: demand, demand: 5}]}]\n")
    edge.write_text("changes: [{add_edges: [[river_low, d1]]}]\n")
    assert "d1" in {n.id for n in daryo.load(demo_model_path(), scenarios=[str(node), str(edge)]).nodes}
    with pytest.raises(ModelError, match=r"node.yaml: changes\[0\].add_nodes: nodes\[d1\]: a demand needs"):
        daryo.load(demo_model_path(), scenarios=[str(node)])


def test_transform_inflows_refuses_a_basin_given_as_one_id_of_text():
    """{"amu": "amu_in"} was read letter by letter, so no inflow matched and the climate change changed nothing,
    without a word (a fuzz of the Python API)."""
    arrays = {"amu_in": np.ones((1, 12))}
    with pytest.raises(TypeError, match=r"basins\['amu'\]: give a list of inflow ids, not the text 'amu_in'"):
        transform_inflows(arrays, ["climate-2050"], "2000-10", {"amu": "amu_in", "syr": []})
    with pytest.raises(TypeError, match=r"basins: give a mapping of basin names to lists of inflow ids, not a list"):
        transform_inflows(arrays, ["climate-2050"], "2000-10", ["amu_in"])
    changed = transform_inflows(arrays, ["climate-2050"], "2000-10", {"amu": ["amu_in"], "syr": []})
    assert not np.array_equal(changed["amu_in"], arrays["amu_in"])


@pytest.mark.parametrize("inflows, start, error, message", [
    ({"amu_in": np.ones(12)}, "2000-10", ValueError,  # (was pandas' "tuple index out of range")
     r"inflows\['amu_in'\] is shaped \(12,\): give a \(trace, step\) array"),
    ({"amu_in": np.ones((1, 0))}, "2000-10", ValueError,  # (was NumPy's IndexError)
     r"inflows\['amu_in'\] is shaped \(1, 0\): give a \(trace, step\) array of at least one trace and one step"),
    ({5: np.ones((1, 12))}, "2000-10", TypeError, "inflows: the keys are inflow ids as text, not the number 5"),
    ({"amu_in": np.ones((1, 12))}, pd.Timestamp("2000-10-01", tz="UTC"), ValueError,
     "give the first month without a time zone"),
    ({"amu_in": np.ones((1, 12)), "syr_in": np.ones((1, 24))}, "2000-10", ValueError,
     "the inflow arrays cover different numbers of steps: amu_in: 12, syr_in: 24"),
    ({"amu_in": "abc"}, "2000-10", TypeError, r"inflows\['amu_in'\]: give numbers in a \(trace, step\) array"),
    ({"amu_in": np.ones((1, 12))}, 2000, TypeError,  # (was read as 2000 ns after 1970-01-01)
     "start=2000: give the first month as text"),
    ({"amu_in": np.ones((1, 12))}, "October", ValueError, "start='October': not a date"),
    ({"amu_in": np.ones((1, 12))}, "2000-10-15", ValueError,  # (was moved to 2000-10 without a word)
     "start='2000-10-15': the inflows' monthly steps start on a month's first day"),
])
def test_transform_inflows_names_arrays_and_starts_it_cannot_take(inflows, start, error, message):
    with pytest.raises(error, match=message):
        transform_inflows(inflows, ["climate-2050"], start, {"amu": ["amu_in"], "syr": ["syr_in"]})


@pytest.mark.parametrize("args, message", [
    ((None,), "a scenario is a library scenario's name or a path to an overlay file, not nothing"),
    ((3,), "a scenario is a library scenario's name or a path to an overlay file, not the number 3"),
    (("icwc", 3), r"library: give the folder of a scenario library \(a path\), not the number 3")])
def test_load_overlay_names_an_argument_of_the_wrong_kind(args, message):
    """pathlib's "expected str, bytes or os.PathLike object, not int" from deep inside (a fuzz of the Python API)."""
    with pytest.raises(TypeError, match=message):
        load_overlay(*args)


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
    from daryo.scenarios import _APPLY, _ChangeAt, _nodes, _references, _references_after

    doc = read_document(demo_model_path())
    refs, ids = _references(doc), set(_nodes(doc))
    assert _APPLY[op](doc, arg, _ChangeAt("o.yaml", f"changes[0].{op}")) == []
    assert _references_after(op, arg, doc, refs, ids) == (_references(doc), set(_nodes(doc)))


def _overlaid_farm(tmp_path, changes: str, parameters: str = ""):
    """A river, a farm and the sea for 2000 (m.yaml, with ``parameters``), loaded with an overlay of ``changes``
    (o.yaml); the model and the overlay's path."""
    (tmp_path / "m.yaml").write_text(
        "version: 1\nname: m\ntime: {start: 2000-01, end: 2000-12, step: month}\n" + parameters +
        "nodes:\n  - {id: river, type: inflow, inflow: 10}\n  - {id: farm, type: demand, demand: 3}\n"
        "  - {id: sea, type: sink}\nedges: [[river, farm], [river, sea]]\n")
    overlay = tmp_path / "o.yaml"
    overlay.write_text(f"changes:\n{changes}\n")
    return daryo.load(tmp_path / "m.yaml", scenarios=[str(overlay)]), overlay


def test_a_value_an_overlay_sets_that_only_a_run_finds_wrong_names_the_change(tmp_path):
    """A parameter an overlay gives a demand that turns negative in June: the run (and an ensemble) names the
    overlay's change, as loading does for a value it finds wrong, not the model file's node."""
    from daryo.ensemble import EnsembleOptions, run_ensemble

    model, overlay = _overlaid_farm(
        tmp_path, "  - set: {farm: {priority: 2}}\n  - set: {farm: {demand: {parameter: p}}}",
        "parameters:\n  p: {type: monthlyprofile, values: [1, 2, 3, 4, 5, -6, 7, 8, 9, 10, 11, 12]}\n")
    expected = (f"{overlay}: changes[1].set.farm.demand: parameter 'p' gives -6 at the step starting 2000-06-01, a "
                "negative flow or volume; it must be ≥ 0")
    for run in (lambda: daryo.run(model),
                lambda: run_ensemble(model, EnsembleOptions(traces=2, years=1), tmp_path / "e.nc")):
        with pytest.raises(ModelError) as err:
            run()
        assert str(err.value) == f"1 problem in the model:\n  - {expected}"
    # without the overlay, the same value is the model file's
    (tmp_path / "m2.yaml").write_text((tmp_path / "m.yaml").read_text().replace("demand: 3", "demand: {parameter: p}"))
    with pytest.raises(ModelError, match=re.escape("m2.yaml: nodes[farm].demand (line 8): parameter 'p' gives -6")):
        daryo.run(daryo.load(tmp_path / "m2.yaml"))


def _doc():
    """A source, two demands (a town of category municipal, a farm that gives none: irrigation, the default) and
    an edge with a maximum flow."""
    return {"version": 1, "name": "s", "time": {"start": "2000-10", "end": "2001-09"},
            "nodes": [{"id": "src", "type": "inflow", "inflow": 50},
                      {"id": "town", "type": "demand", "demand": 10, "category": "municipal"},
                      {"id": "farm", "type": "demand", "demand": {"monthly": [4.0] * 12, "scale": 2.0}}],
            "edges": [{"from": "src", "to": "town", "max_flow": 8}, ["src", "farm"]]}


def _overlay(tmp_path, change):
    path = tmp_path / "o.yaml"
    path.write_text(f"title: o\nchanges:\n  - {change}\n")
    return str(path)


def test_scale_demands_of_named_nodes_scales_those_only(tmp_path):
    doc = apply_scenarios(_doc(), [_overlay(tmp_path, "scale_demands: {nodes: [town], factor: 1.5}")])
    assert _node(doc, "town")["demand"] == 15.0
    assert _node(doc, "farm")["demand"] == {"monthly": [4.0] * 12, "scale": 2.0}  # untouched


def test_a_demand_without_a_category_is_scaled_as_irrigation(tmp_path):
    """The loader's default category is irrigation: 'category: irrigation' takes the farm, which gives none, and
    'category: other' takes no demand (a problem)."""
    doc = apply_scenarios(_doc(), [_overlay(tmp_path, "scale_demands: {category: irrigation, factor: 0.5}")])
    assert _node(doc, "town")["demand"] == 10
    assert _node(doc, "farm")["demand"]["scale"] == 1.0  # 2.0 x 0.5: a series' own scale is multiplied
    with pytest.raises(ModelError, match="no demand of the model matches category 'other'"):
        apply_scenarios(_doc(), [_overlay(tmp_path, "scale_demands: {category: other, factor: 0.5}")])


def test_set_edges_null_removes_the_attribute(tmp_path):
    doc = apply_scenarios(_doc(), [_overlay(tmp_path, 'set_edges: {"src->town": {max_flow: null}}')])
    edge = next(e for e in doc["edges"] if isinstance(e, dict) and e["to"] == "town")
    assert "max_flow" not in edge and edge["from"] == "src"


def test_an_edge_added_twice_is_a_problem_of_the_overlay(tmp_path):
    with pytest.raises(ModelError, match=r"edge src->farm already exists"):
        apply_scenarios(_doc(), [_overlay(tmp_path, "add_edges: [[src, farm]]")])


def _shifted(tmp_path, change, time, inflow):
    doc = {"version": 1, "name": "t", "time": time, "nodes": [{"id": "in", "type": "inflow", "inflow": inflow},
                                                              {"id": "sea", "type": "sink"}], "edges": [["in", "sea"]]}
    model = model_from_dict(apply_scenarios(doc, [_overlay(tmp_path, change)]))
    return model.node("in").attrs["inflow"].resolve(model.time.axis())[0]


def test_shift_peak_moves_one_month_when_no_months_are_given(tmp_path):
    time = {"start": "2000-10", "end": "2001-09", "step": "month"}
    inflow = {"values": [float(k) for k in range(12)], "unit": "hm3"}
    flow = _shifted(tmp_path, "shift_peak: {nodes: [in]}", time, inflow)
    np.testing.assert_allclose(flow, [float(k) for k in range(1, 12)] + [0.0], rtol=0, atol=1e-9)


def test_a_part_year_of_eleven_months_is_not_wrapped_by_shift_peak(tmp_path):
    """Only a whole hydrological year (12 monthly steps) wraps; a run of 11 months takes the flow that follows,
    its last month repeating past the end (a year of 11 months wrapped October's flow into August)."""
    time = {"start": "2000-10", "end": "2001-08", "step": "month"}
    inflow = {"values": [float(k) for k in range(11)], "unit": "hm3"}
    flow = _shifted(tmp_path, "shift_peak: {nodes: [in], months: 1}", time, inflow)
    np.testing.assert_allclose(flow, [float(k) for k in range(1, 11)] + [10.0], rtol=0, atol=1e-9)


def test_a_series_an_overlay_set_that_a_runs_span_does_not_fit_names_the_change(tmp_path):
    """A run asked to start before the model's start: a per-step series an overlay set is named at the overlay's
    change, as the other problems a run finds are (it named the model file's node)."""
    model, overlay = _overlaid_farm(
        tmp_path, "  - set: {farm: {demand: {values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}}}")
    with pytest.raises(ModelError) as err:
        daryo.run(model, daryo.RunOptions(start="1999-01", years=1))
    assert str(err.value).startswith(f"1 problem in the model:\n  - {overlay}: changes[0].set.farm.demand: the run "
                                     "starts 1999-01-01, before the model's start (2000-01-01)")


@pytest.mark.parametrize("years, error, said", [
    (0, ValueError, "years 0: a run lasts at least 1 year"), (-1, ValueError, "years -1: a run lasts at least"),
    (True, TypeError, "years=True: give a whole number"), (1.5, TypeError, "years=1.5: give a whole number"),
    ("2", TypeError, "years='2': give a whole number"), (None, TypeError, "years=None: give a whole number"),
])
def test_with_years_refuses_what_daryo_load_refuses(years, error, said):
    """with_years is public: 0 and -1 gave a document that ends before it starts, True one year, and 1.5, '2' and
    None failed inside dateutil or the time axis (a fuzz of the Python API)."""
    from daryo.scenarios import with_years

    doc = {"version": 1, "time": {"start": "2000-10", "end": "2002-09"}}
    with pytest.raises(error, match=re.escape(said)):
        with_years(doc, years)
    assert with_years(doc, 1)["time"]["end"] == "2001-09-30"
