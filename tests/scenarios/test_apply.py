"""Overlays applied to models: the library's overlays validate, combine in order, and problems name the change."""

from __future__ import annotations

import re

import numpy as np
import pytest
from overlay_cases import LIBRARY, SMALL, find_node, overlaid_farm, small_doc

import daryo
from daryo.api import demo_model_path
from daryo.basins.aral import build_aral_document, load_aral_model, read_base_document
from daryo.errors import ModelError
from daryo.model import model_from_dict
from daryo.scenarios import apply_scenarios, transform_inflows


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


def test_a_value_set_by_an_overlay_is_not_reported_at_the_base_files_line(tmp_path):
    ov = tmp_path / "bad.yaml"
    ov.write_text("title: bad\nchanges:\n  - set: {city: {demand: -5}}\n")
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[str(ov)])
    (problem,) = err.value.problems
    assert problem.place == "changes[0].set.city.demand (line 3)"  # the overlay's line, not 59, the node's in demo.yaml
    assert problem.file == str(ov)  # (the change that set it: see test_a_wrong_value_an_overlay_sets_names_...)


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
        f"{first}: changes[0].set.upper_river.inflow (line 2)",  # (CSV file 'gone.csv' not found)
        f"{first}: changes[1].add_nodes[canal2].capacity (line 3)",
        f"{first}: changes[2].add_edges[1].max_flow (line 4)",
        f"{first}: changes[3].set_edges.big_dam->dam_plant.max_flow (line 5)",
        f"{first}: changes[4].set.c3.capacity (line 6)",  # (set after it was added: the set)
        f"{second}: changes[0].set.city.demand (line 2)"])  # (set again by the second overlay: the second)
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
    wanted = f"{aral}: changes[0].set.toktogul_hpp.capacity (line 2): is negative"
    with pytest.raises(ModelError, match=re.escape(wanted)):
        load_aral_model(scenarios=[str(aral)])


@pytest.mark.parametrize("beside", [True, False], ids=["beside-the-overlay", "nowhere"])
def test_a_relative_csv_path_of_an_overlay_not_found_says_where_it_is_read_from(tmp_path, monkeypatch, beside):
    """A Tashkent ministry analyst's review: an overlay of the embedded model naming ``csv: приток.csv``, the file
    beside the overlay, was told "not found (looked for …/daryo/data/aral/приток.csv)", nothing of why.  A file an
    overlay names is found relative to the model's folder, as documented; the message says so, and names the file
    beside the overlay, by its full path, where there is one."""
    overlay = tmp_path / "мой сценарий.yaml"
    overlay.write_text("changes:\n  - set: {upper_river: {inflow: {csv: приток.csv, column: q}}}\n")
    if beside:
        (tmp_path / "приток.csv").write_text("date,q\n2000-10-01,1\n")
    monkeypatch.chdir(tmp_path)  # (the overlay named as a user names it: relative to the working folder)
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[overlay.name])
    (problem,) = err.value.problems
    rule = ("a file an overlay names is found relative to the model file's folder, not the overlay's: "
            + (f"give the full path of the one beside the overlay, csv: '{tmp_path / 'приток.csv'}'" if beside
               else "give the file's full path"))
    assert str(problem) == (f"{overlay.name}: changes[0].set.upper_river.inflow (line 2): CSV file 'приток.csv' not "
                            f"found (looked for {demo_model_path().parent / 'приток.csv'}); {rule}")


def test_an_overlay_whose_changes_cannot_all_apply_is_told_its_value_problems_too(tmp_path):
    """A user review: an overlay with a missing node in one change and a misspelt attribute and a negative volume in
    others was told only the first; the others came on a second try.  Now all at once, in the changes' order; a
    change found wrong when applied is told once, and the model's problems of the combination (an initial volume
    above the lowered maximum) wait until the overlay applies."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("changes:\n  - set: {citi: {demand: 3}}\n  - set: {city: {priorty: 2}}\n"
                   "  - set: {big_dam: {max_volume: -5 km3}}\n  - scale_demands: {countries: [UZ], factor: 1.1}\n"
                   "  - set: {nowhere: {demand: -1}}\n")
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[str(bad)])
    assert [(p.file, p.place.split(".")[0], p.message.split(" (")[0].split(";")[0]) for p in err.value.problems] == [
        (str(bad), "changes[0]", "node 'citi' is not in the model"),
        (str(bad), "changes[1]", "unknown attribute 'priorty' for a demand"),
        (str(bad), "changes[2]", "is negative"),
        (str(bad), "changes[3]", "no demand of the model matches countries ['UZ']: check the country codes"),
        (str(bad), "changes[4]", "node 'nowhere' is not in the model")]
    # one change, of any kind, with a missing element and a wrong value of another (reviews)
    for change, places in (
            ("set: {citi: {demand: 3}, city: {priorty: 2}}", ["changes[0].set.citi", "changes[0].set.city.priorty"]),
            ("set_edges: {\"river_mid->nowhere\": {max_flow: 1}, \"big_dam->dam_plant\": {max_flwo: 2}}",
             ["changes[0].set_edges.river_mid->nowhere", "changes[0].set_edges.big_dam->dam_plant.max_flwo"]),
            ("add_nodes: [{id: city, type: demand, demand: 1}, {id: farm2, type: demand, demnd: 2}]",
             ["changes[0].add_nodes[city]", "changes[0].add_nodes[farm2].demnd"])):
        bad.write_text(f"changes:\n  - {change}\n")
        with pytest.raises(ModelError) as err:
            daryo.load(demo_model_path(), scenarios=[str(bad)])
        got = [p.place.split(" (line")[0] for p in err.value.problems]
        assert got[:2] == places and set(got) <= {*places, "changes[0].add_nodes[farm2]"}, change  # (farm2 has no
        # demand and no incoming edge either)
    bad.write_text("changes:\n  - set: {nowhere: {demand: 3}}\n  - set: {toktogul: {max_volume: -5 km3}}\n")
    with pytest.raises(ModelError) as err:  # the embedded model's overlays too
        load_aral_model(scenarios=[str(bad)])
    assert [p.place for p in err.value.problems] == ["changes[0].set.nowhere (line 2)",
                                                     "changes[1].set.toktogul.max_volume (line 3)"]


def test_overlays_combine_in_order(tmp_path):
    small, large = tmp_path / "small.yaml", tmp_path / "large.yaml"
    small.write_text("changes:\n  - set: {rogun: {max_volume: 1235}}\n")
    large.write_text("changes:\n  - set: {rogun: {max_volume: 13.3 km3}}\n")
    doc = apply_scenarios(read_base_document(), [str(large), str(small)])
    assert find_node(doc, "rogun")["max_volume"] == 1235
    doc = apply_scenarios(read_base_document(), [str(small), str(large)])
    assert find_node(doc, "rogun")["max_volume"] == "13.3 km3"
    both = build_aral_document(scenarios=["climate-2050", "qosh-tepa-10"], years=2)
    plain = build_aral_document(years=2)
    assert find_node(both, "afg_qosh_tepa_irr")["priority"] == 2
    for nid, f in (("vakhsh_in", 0.875), ("naryn_in", 0.92)):
        a = np.asarray(find_node(both, nid)["inflow"]["values"])
        b = np.asarray(find_node(plain, nid)["inflow"]["values"])
        # annual volume scaled (the shift wraps within each hydrological year, so every year keeps its total)
        assert a.reshape(-1, 12).sum(axis=1) / b.reshape(-1, 12).sum(axis=1) == pytest.approx([f, f], rel=1e-6)
        assert np.argmax(a[:12]) == np.argmax(b[:12]) - 1  # the peak one month earlier


@pytest.mark.parametrize("names, message", [
    (["energy-mode", "irrigation-mode"], "'irrigation-mode' and 'energy-mode' are both of group 'regime'"),
    (["climate-2050", "climate-2050-peak"], "'climate-2050-peak' and 'climate-2050' are both of group 'climate'"),
    (["drought-2021", "qosh-tepa-10", "drought-2008"], "'drought-2008' and 'drought-2021' are both of group 'drought'"),
    (["qosh-tepa-4.5", "qosh-tepa-10"], "'qosh-tepa-10' and 'qosh-tepa-4.5' are both of group 'qosh-tepa'"),
    (["drought-2021", "drought-2021"], "drought-2021.yaml: is asked for twice: its changes would apply twice"),
])
def test_scenarios_that_contradict_each_other_are_not_combined(names, message):
    """A user review: energy-mode with irrigation-mode ran (the last won, in part), and drought-2021 twice compounded
    its factors, without a word; two Qosh Tepa sizes were refused as a node added twice, with the advice to use
    'set'.  The library's overlays name their group; at most one of a group is applied, and none twice."""
    with pytest.raises(ModelError, match=re.escape(message)) as err:
        build_aral_document(scenarios=names, years=2)
    assert err.value.subject == "in the scenarios asked for"
    build_aral_document(scenarios=["energy-mode", "climate-2050", "drought-2021", "qosh-tepa-10", "rogun-full"],
                        years=2)


def test_an_overlay_applied_to_a_document_before_is_not_applied_again(tmp_path):
    ov = tmp_path / "ov.yaml"
    ov.write_text("group: 7\nchanges:\n  - set: {rogun: {max_volume: 1235}}\n")
    with pytest.raises(ModelError, match=r"ov.yaml: group: must be a name \(text\), not '7'"):
        apply_scenarios(read_base_document(), [str(ov)])
    ov.write_text("changes:\n  - set: {rogun: {max_volume: 1235}}\n")
    doc = apply_scenarios(read_base_document(), [str(ov)])
    with pytest.raises(ModelError, match="ov.yaml: was applied to the document before: its changes would apply twice"):
        apply_scenarios(doc, [str(ov)])
    ov.write_text("group: \nchanges: []\n")
    with pytest.raises(ModelError, match="ov.yaml: group: has no value: give the group's name, or leave the key out"):
        apply_scenarios(read_base_document(), [str(ov)])
    # a group applied to the document before counts too (a review: two steps combined two droughts)
    doc = build_aral_document(scenarios=["drought-2021"], years=2)
    with pytest.raises(ModelError, match="'drought-2008' and 'drought-2021' are both of group 'drought'"):
        apply_scenarios(doc, ["drought-2008"])
    apply_scenarios(doc, ["qosh-tepa-10"])


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
            apply_scenarios(small_doc(), [str(overlay)])
        (problem,) = err.value.problems
        assert (problem.file, problem.place) == (str(overlay), place) and message in problem.message, change
        if change and change.startswith("named_years"):  # the ensemble path too
            with pytest.raises(ModelError, match=re.escape(message)):
                transform_inflows({"src": np.ones((1, 12))}, [str(overlay)], "2000-10", {})


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
        (str(tmp_path / "bad.yaml"), f"changes[0].set_edges.riv->farm.{key} (line 3)") for key in ("max_flow",
                                                                                                   "maxflow")
    ] + [(str(tmp_path / "bad.yaml"), "changes[1].add_edges[0].max_flow (line 4)")], err.value


def test_a_value_an_overlay_sets_that_only_a_run_finds_wrong_names_the_change(tmp_path):
    """A parameter an overlay gives a demand that turns negative in June: the run (and an ensemble) names the
    overlay's change, as loading does for a value it finds wrong, not the model file's node."""
    from daryo.ensemble import EnsembleOptions, run_ensemble

    model, overlay = overlaid_farm(
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


def test_a_value_selected_from_results_is_taken_as_the_number_it_holds():
    """A rolling-horizon review: a run's end volume selected from its results (a 0-d NumPy array or xarray
    DataArray) carried on as the next run's initial_volume was refused, "'8523.67' is not a number", quoting a
    number.  A 0-d array is its number; an array of several values is still not one."""
    import numpy as np
    import pytest

    import daryo
    from daryo.basins.aral import load_aral_model
    from daryo.errors import ModelError

    ds = daryo.run(load_aral_model(years=1)).dataset
    end = ds.storage.isel(scenario=0, time=-1).sel(reservoir="toktogul")
    for value in (end, end.values):
        carried = load_aral_model(years=1, scenarios=[{"name": "carry", "changes": [
            {"set": {"toktogul": {"initial_volume": value}}}]}])
        start = daryo.run(carried).dataset.storage_start.isel(scenario=0, time=0).sel(reservoir="toktogul")
        assert float(start) == float(end)
    with pytest.raises(ModelError, match=r"carry: changes\[0\]\.set\.toktogul\.initial_volume: '\[1\. 2\.\]' is not "
                                         r"a number"):
        load_aral_model(years=1, scenarios=[{"name": "carry", "changes": [
            {"set": {"toktogul": {"initial_volume": np.array([1.0, 2.0])}}}]}])
